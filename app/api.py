"""A small JSON API over `SupportDesk`, for load tests and for clients that are not a browser.

    POST /api/conversations                    {"customer": "c-1"}  -> {"conversation_id": ...}
    POST /api/conversations/{id}/messages      {"text": "..."}      -> the stored answer
    GET  /api/conversations/{id}/messages                           -> every stored message, in order

It goes through the same `SupportDesk` the chat UI uses, so validation, rate limiting and storage
are identical. User-facing errors map to HTTP statuses with the message as `detail`: bad input 422,
rate limited 429 (with Retry-After), unknown conversation 404, model or store unavailable 503.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.errors import (
    InputError,
    ModelUnavailableError,
    NotFoundError,
    StoreUnavailableError,
    SupportError,
)
from app.ratelimit import RateLimitedError

logger = logging.getLogger(__name__)

_STATUS: tuple[tuple[type[SupportError], int], ...] = (
    (RateLimitedError, 429),
    (InputError, 422),
    (NotFoundError, 404),
    (ModelUnavailableError, 503),
    (StoreUnavailableError, 503),
)


class NewConversation(BaseModel):
    customer: str = Field(min_length=1, max_length=200)


class NewMessage(BaseModel):
    text: str


def error_response(exc: SupportError) -> JSONResponse:
    """The HTTP answer for a user-facing error: its status and its message, nothing internal."""
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


def build_api_router(desk: Any) -> APIRouter:
    """The `/api` routes over one desk (the server's)."""
    router = APIRouter(prefix="/api")

    # Plain `def` routes run in FastAPI's thread pool: their database work stays off the event loop.
    @router.post("/conversations", status_code=201, response_model=None)
    def start(body: NewConversation) -> Any:
        try:
            return {"conversation_id": desk.start_conversation(body.customer)}
        except SupportError as exc:
            return error_response(exc)

    @router.post("/conversations/{conversation_id}/messages", response_model=None)
    async def send(conversation_id: str, body: NewMessage) -> Any:
        try:
            result = await desk.reply(conversation_id, body.text)
        except SupportError as exc:
            return error_response(exc)
        return {
            "conversation_id": result.conversation_id,
            "message_id": result.message_id,
            "text": result.text,
            "tools": [call.name for call in result.tool_calls],
            "citations": [citation.to_dict() for citation in result.citations],
            "escalated": result.escalated,
            "ticket": result.ticket.number if result.ticket else None,
            "latency_ms": round(result.latency_ms, 2),
        }

    @router.get("/conversations/{conversation_id}/messages", response_model=None)
    def history(conversation_id: str) -> Any:
        try:
            return {"messages": [message_json(record) for record in desk.history(conversation_id)]}
        except SupportError as exc:
            return error_response(exc)

    return router
