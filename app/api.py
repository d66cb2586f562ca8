"""A small JSON API over `SupportDesk`, for integrations and clients that are not a browser.

    POST /api/session                                          -> {"token": ...} (+ the visitor cookie)
    POST /api/conversations                    {}              -> {"conversation_id": ...}
    POST /api/conversations/{id}/messages      {"text": "..."} -> the stored answer
    GET  /api/conversations/{id}/messages                      -> every stored message, in order
    POST /api/conversations/{id}/history       {"turns": [{"role": "user", "text": "..."}, ...]}
                                                   -> earlier turns stored as they were (integrations only)

Every call except `/api/session` needs a credential, and acts for exactly one customer:
* a visitor token (`Authorization: Bearer <token>`, or the browser's visitor cookie): the visitor;
* the configured API key (`X-API-Key`, setting `SUPPORT_API_KEY`) of a trusted back-end, with its
  own customer id in `X-Customer-Id` (or `{"customer": ...}` when starting a conversation).
No credential is 401; another customer's conversation is 404, exactly like one that does not exist.

It goes through the same `SupportDesk` the chat UI uses, so validation, rate limiting and storage
are identical. User-facing errors map to HTTP statuses with the message as `detail`: bad input 422,
rate limited 429 (with Retry-After), unknown conversation 404, model or store unavailable 503.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

from app.errors import (
    InputError,
    ModelUnavailableError,
    NotFoundError,
    StoreUnavailableError,
    SupportError,
)
from app.identity import (
    API_KEY_HEADER,
    COOKIE_MAX_AGE_S,
    CUSTOMER_HEADER,
    VISITOR_COOKIE,
    Caller,
    VisitorTokens,
    api_key_matches,
    integration_customer,
)
from app.ratelimit import RateLimitedError
from app.settings import Settings
from app.validation import is_encodable

if TYPE_CHECKING:
    from app.agent.desk import SupportDesk

logger = logging.getLogger(__name__)

_STATUS: tuple[tuple[type[SupportError], int], ...] = (
    (RateLimitedError, 429),
    (InputError, 422),
    (NotFoundError, 404),
    (ModelUnavailableError, 503),
    (StoreUnavailableError, 503),
)


class Unauthorized(SupportError):
    """No valid credential came with the request (401), or it may not do this (403)."""

    def __init__(self, message: str, *, status: int = 401) -> None:
        self.status = status
        super().__init__(message)


def _plain(value: str | None) -> str | None:
    if value is not None and not is_encodable(value):
        raise ValueError("contains broken Unicode (a lone surrogate)")
    return value


class NewConversation(BaseModel):
    customer: str | None = Field(default=None, min_length=1, max_length=200)

    _check = field_validator("customer")(_plain)


class NewMessage(BaseModel):
    text: str

    _check = field_validator("text")(_plain)


class EarlierTurn(BaseModel):
    role: str = Field(min_length=1, max_length=20)
    text: str

    _check = field_validator("text")(_plain)


class History(BaseModel):
    turns: list[EarlierTurn] = Field(max_length=200)


def answer_json(result: Any) -> dict[str, Any]:
    """A finished turn as the API returns it: the answer, and what the agent did to get there
    (tool calls, the passages it was shown, the ones it cited), so a deployed app can be evaluated."""
    return {
        "conversation_id": result.conversation_id,
        "message_id": result.message_id,
        "text": result.text,
        "tools": [call.name for call in result.tool_calls],
        "tool_calls": [{"name": call.name, "arguments": call.arguments} for call in result.tool_calls],
        "retrieved": [
            {"chunk_id": hit.chunk_id, "doc_id": hit.doc_id, "title": hit.title, "rank": hit.rank}
            for hit in result.retrieved
        ],
        "searched": result.searched,
        "citations": [citation.to_dict() for citation in result.citations],
        "escalated": result.escalated,
        "forwarded": result.forwarded,
        "ticket": result.ticket.number if result.ticket else None,
        "latency_ms": round(result.latency_ms, 2),
    }


def error_response(exc: SupportError) -> JSONResponse:
    """The HTTP answer for a user-facing error: its status and its message, nothing internal."""
    if isinstance(exc, Unauthorized):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse({"detail": str(exc)}, status_code=exc.status, headers=headers)
    status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 400)
    headers = None
    if isinstance(exc, RateLimitedError):
        headers = {"Retry-After": str(max(1, round(exc.retry_after_s)))}
    return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)


def message_json(record: Any) -> dict[str, Any]:
    return {
        "id": record.id,
        "role": record.role,
        "content": record.content,
        "created_at": record.created_at.isoformat() if record.created_at else None,
    }


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def bearer_token(request: Request) -> str | None:
    """The visitor token from `Authorization: Bearer ...`, else from the visitor cookie."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(VISITOR_COOKIE)


@dataclass(frozen=True)
class Principal:
    """Who presented a valid credential: a visitor (its customer id) or a trusted integration."""

    integration: bool
    customer: str | None
    ip: str | None

    def caller(self, named: str | None = None) -> Caller:
        """The caller; `named` is a customer id given in the body (integrations only)."""
        if not self.integration:
            if named is not None:
                raise Unauthorized("Only a trusted integration (X-API-Key) may name a customer.", status=403)
            return Caller(str(self.customer), ip=self.ip)
        if self.customer and named and self.customer != named:
            raise InputError(f"The {CUSTOMER_HEADER} header and the body name different customers.")
        return Caller(integration_customer(self.customer or named), ip=None)


def authenticator(settings: Settings, tokens: VisitorTokens) -> Callable[[Request], Principal]:
    """A FastAPI dependency: the request's principal, or 401 before the body is even read."""

    def authenticate(request: Request) -> Principal:
        presented = request.headers.get(API_KEY_HEADER)
        if presented is not None:
            if not api_key_matches(settings, presented):
                raise Unauthorized("The API key is not valid.")
            return Principal(True, request.headers.get(CUSTOMER_HEADER), None)
        customer = tokens.customer(bearer_token(request))
        if customer is None:
            raise Unauthorized(
                "A visitor token is required: get one from POST /api/session and send it as "
                "'Authorization: Bearer <token>' (integrations: X-API-Key and X-Customer-Id)."
            )
        return Principal(False, customer, client_ip(request))

    return authenticate


def build_api_router(desk: SupportDesk, settings: Settings, tokens: VisitorTokens) -> APIRouter:
    """The `/api` routes over one desk (the server's); errors are answered by `install_error_handlers`."""
    router = APIRouter(prefix="/api")
    authenticated = Depends(authenticator(settings, tokens))

    # Plain `def` routes run in FastAPI's thread pool: their database work stays off the event loop.
    @router.post("/session", status_code=201, response_model=None)
    def session(request: Request) -> Any:
        desk.check_new_token(client_ip(request))
        token = tokens.issue()
        response = JSONResponse({"token": token, "token_type": "bearer"}, status_code=201)
        set_visitor_cookie(response, token, secure=request.url.scheme == "https")
        return response

    @router.post("/conversations", status_code=201, response_model=None)
    def start(principal: Principal = authenticated, body: NewConversation | None = None) -> Any:
        caller = principal.caller(body.customer if body else None)
        return {"conversation_id": desk.start_conversation(caller)}

    @router.post("/conversations/{conversation_id}/messages", response_model=None)
    async def send(conversation_id: str, body: NewMessage, principal: Principal = authenticated) -> Any:
        result = await desk.reply(conversation_id, body.text, caller=principal.caller())
        return answer_json(result)

    @router.post("/conversations/{conversation_id}/history", status_code=201, response_model=None)
    def seed(conversation_id: str, body: History, principal: Principal = authenticated) -> Any:
        """Store earlier turns of a dialogue as they were (the evaluation's context), nothing run.

        Only a trusted integration may: a visitor could otherwise put words in the agent's mouth
        that staff would later read in the transcript as the agent's.
        """
        if not principal.integration:
            raise Unauthorized("Only a trusted integration (X-API-Key) may store earlier turns.", status=403)
        desk.conversation(conversation_id, principal.caller())
        desk.seed_history(conversation_id, [(turn.role, turn.text) for turn in body.turns])
        return {"conversation_id": conversation_id, "stored": len(body.turns)}

    @router.get("/conversations/{conversation_id}/messages", response_model=None)
    def history(conversation_id: str, principal: Principal = authenticated) -> Any:
        records = desk.history(conversation_id, caller=principal.caller())
        return {"messages": [message_json(record) for record in records]}

    return router


def install_error_handlers(app: FastAPI) -> None:
    """User-facing errors as JSON with their status; invalid requests as 422 without echoing the
    input (it may hold text no encoder can write), and broken Unicode anywhere as 422, never 500."""

    async def support_error(_request: Request, exc: Exception) -> JSONResponse:
        return error_response(exc if isinstance(exc, SupportError) else SupportError(str(exc)))

    async def invalid_request(_request: Request, exc: Exception) -> JSONResponse:
        errors = exc.errors() if isinstance(exc, RequestValidationError) else []
        detail = [
            {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", "invalid"))}
            for error in errors
        ]
        return JSONResponse({"detail": detail}, status_code=422)

    async def bad_unicode(_request: Request, _exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": "The request contains broken Unicode text."}, status_code=422)

    app.add_exception_handler(SupportError, support_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(UnicodeError, bad_unicode)


def set_visitor_cookie(response: Any, token: str, *, secure: bool) -> None:
    """The visitor token as an HttpOnly cookie: sent with every request, never readable by scripts.

    Over HTTPS it is also `SameSite=None; Partitioned` (CHIPS), so a page embedded in another
    site's iframe (a Hugging Face Space) keeps it, in a jar of its own for that embedding site;
    over plain HTTP (local use) browsers only accept `SameSite=Lax`.
    """
    response.set_cookie(
        VISITOR_COOKIE,
        token,
        max_age=COOKIE_MAX_AGE_S,
        path="/",
        httponly=True,
        samesite="none" if secure else "lax",
        secure=secure,
        partitioned=secure,
    )
