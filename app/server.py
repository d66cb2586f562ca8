"""The web server: FastAPI with the Gradio app mounted at `/`, plus `/healthz` and `/metrics`.

`create_app(settings, desk=None)` builds everything from one `Settings` (a test passes its own
desk); `serve(settings)` also restores the knowledge base (`ensure_knowledge`), answers customer
messages a killed process left unanswered, and runs uvicorn. `/healthz` answers 200 only when
the database, the vector store and the models answer, with one JSON entry per component, so a
load balancer and a person read the same thing; a knowledge base that lost documents it could
not restore answers 200 with status "degraded".

Every request outside `/api` carries a visitor identity: a middleware gives a request without a
genuine visitor cookie a fresh signed token (`app.identity`), both for the request itself and as
an HttpOnly cookie on the response, so the chat always knows whose conversations it may show.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import gradio as gr
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from app.api import build_api_router, install_error_handlers, set_visitor_cookie
from app.identity import VISITOR_COOKIE, VisitorTokens
from app.logs import log_context
from app.metrics import ServiceMetrics
from app.settings import Settings
from app.ui.articles import ARTICLE_ROUTE, article_page
from app.ui.blocks import CSS, THEME, build_ui
from app.ui.file_inputs import ASGIApp, FilePathGuard, Message, Receive, Scope, Send, UploadFolder
from app.ui.upload_cache import UploadQuota, sweep_periodically

if TYPE_CHECKING:
    from app.agent.desk import SupportDesk

logger = logging.getLogger(__name__)

HEALTH_TIMEOUT_S = 5.0
RECOVERY_INTERVAL_S = 30.0
RECOVERY_MARGIN_S = 5.0
_GRADIO_ROUTES = frozenset(
    {"queue", "upload", "file", "info", "config", "call", "heartbeat", "run", "upload_progress"}
)


def route_label(path: str) -> str:
    """A bounded label for request metrics (never the raw path: that would grow without limit)."""
    if path in ("/healthz", "/metrics", "/"):
        return path
    parts = [part for part in path.split("/") if part]
    if len(parts) >= 2 and parts[0] == "gradio_api":
        return f"/gradio_api/{parts[1]}" if parts[1] in _GRADIO_ROUTES else "/gradio_api/other"
    if parts and parts[0] == ARTICLE_ROUTE.strip("/"):
        return ARTICLE_ROUTE
    return "/static" if parts and parts[0] in ("assets", "static", "theme.css", "favicon.ico") else "/other"


# Images only from this server (or inline): no message, ticket or article can make a browser fetch
# from another host, whatever slips past `render.inert`. Scripts and styles are left as Gradio needs.
SECURITY_HEADERS = {
    "content-security-policy": "img-src 'self' data: blob:; object-src 'none'; base-uri 'self'",
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
}


class SecurityHeaders:
    """ASGI middleware: `SECURITY_HEADERS` on every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in SECURITY_HEADERS.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in self.headers if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def run_checks(checks: dict[str, Callable[[], dict[str, Any]]]) -> tuple[bool, dict[str, Any]]:
    """Run every probe in a worker thread with a time limit; a failure names its cause."""

    async def probe(check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        try:
            return await asyncio.wait_for(asyncio.to_thread(check), HEALTH_TIMEOUT_S)
        except TimeoutError:
            return {"ok": False, "error": f"no answer within {HEALTH_TIMEOUT_S:.0f}s"}
        except Exception as exc:
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}

    results = await asyncio.gather(*(probe(check) for check in checks.values()))
    components = dict(zip(checks, results, strict=True))
    return all(result.get("ok") for result in components.values()), components


def health_status(ok: bool, components: dict[str, Any]) -> str:
    if not ok:
        return "unavailable"
    return "degraded" if any(result.get("degraded") for result in components.values()) else "ok"


def _observe(metrics: ServiceMetrics) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Any]:
    """HTTP middleware: a request id in every log line, and request count and latency metrics."""

    async def middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        status = 500
        with log_context(request=request.headers.get("x-request-id") or uuid.uuid4().hex[:16]):
            try:
                response = await call_next(request)
                status = response.status_code
                return response
            finally:
                metrics.observe_request(
                    request.method, route_label(request.url.path), status, time.perf_counter() - started
                )

    return middleware


def _visitor_identity(
    tokens: VisitorTokens,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Any]:
    """HTTP middleware: every page and Gradio request gets a genuine visitor token (see the module
    docstring). The JSON API is left alone: it demands a credential instead of minting one."""

    async def middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        path = request.url.path
        if path == "/api" or path.startswith("/api/") or tokens.visitor(request.cookies.get(VISITOR_COOKIE)):
            return await call_next(request)
        token = tokens.issue()
        _add_cookie(request.scope, f"{VISITOR_COOKIE}={token}")
        response = await call_next(request)
        set_visitor_cookie(response, token, secure=request.url.scheme == "https")
        return response

    return middleware


def _unicode_guard() -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Any]:
    """HTTP middleware: a JSON body with broken Unicode (invalid UTF-8 or a lone surrogate escape
    such as `\\ud800`) is refused with 422 before Gradio or the API parse it, so no handler, log
    or database ever meets text that cannot be encoded."""

    async def middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method in ("POST", "PUT", "PATCH") and "json" in request.headers.get("content-type", ""):
            problem = _json_problem(await request.body())
            if problem:
                return JSONResponse({"detail": problem}, status_code=422)
        return await call_next(request)

    return middleware


def _json_problem(body: bytes) -> str | None:
    """Why a JSON body must be refused: not UTF-8, a string no encoder can write back, or nested
    too deeply to parse; None when it is fine (or not JSON at all: the route answers that)."""
    try:
        value = json.loads(body) if body else None
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeError:
        return "The request contains broken Unicode text."
    except RecursionError:
        return "The request is nested too deeply."
    except ValueError:
        return None
    return None


def _add_cookie(scope: dict[str, Any], cookie: str) -> None:
    """Add a cookie to the request as the app below will read it (the last value of a name wins)."""
    headers = [(name, value) for name, value in scope["headers"] if name != b"cookie"]
    earlier = [value.decode("latin-1") for name, value in scope["headers"] if name == b"cookie"]
    headers.append((b"cookie", "; ".join([*earlier, cookie]).encode("latin-1")))
    scope["headers"] = headers


def upload_sweeper(settings: Settings) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager]:
    """The app's lifespan: sweep Gradio's upload folder (`app.state.uploads`) while it runs."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sweeping = asyncio.create_task(
            sweep_periodically(
                app.state.uploads.root,
                max_age_s=settings.upload_cache_max_age_s,
                every_s=settings.upload_cache_sweep_s,
            )
        )
        try:
            yield
        finally:
            sweeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeping

    return lifespan


def create_app(settings: Settings, desk: SupportDesk | None = None) -> FastAPI:
    """The FastAPI app: health and metrics endpoints, the JSON API, and the Gradio UI at `/`.

    File inputs are guarded (`FilePathGuard`: only files in Gradio's upload folder), uploads are
    bounded (`UploadQuota`, a per-file cap, a scheduled sweep of the upload folder).
    """
    if desk is None:
        from app.agent.desk import SupportDesk

        desk = SupportDesk.from_settings(settings)
    metrics: ServiceMetrics = desk.metrics  # turns are counted by the desk
    tokens = VisitorTokens.from_settings(settings)
    app = FastAPI(
        title="Customer support desk",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=upload_sweeper(settings),
    )
    app.state.desk, app.state.metrics, app.state.settings = desk, metrics, settings
    install_error_handlers(app)
    checks = desk.health_checks()

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        ok, components = await run_checks(checks)
        return JSONResponse(
            {"status": health_status(ok, components), "components": components},
            status_code=200 if ok else 503,
        )

    @app.get("/metrics")
    async def prometheus() -> Response:
        return Response(metrics.render(), media_type=metrics.content_type)

    @app.get(f"{ARTICLE_ROUTE}/{{doc_id:path}}", response_class=HTMLResponse)
    def article(doc_id: str) -> HTMLResponse:
        """A help-centre article, which an answer's sources link to (at the cited section)."""
        return HTMLResponse(article_page(desk.knowledge, doc_id))

    app.include_router(build_api_router(desk, settings, tokens))
    blocks = build_ui(desk, settings, tokens=tokens)
    app.state.uploads = UploadFolder.of(blocks)
    # Each middleware added wraps those before it: the last one added runs first.
    app.middleware("http")(_visitor_identity(tokens))
    app.middleware("http")(_unicode_guard())
    app.add_middleware(FilePathGuard, folder=app.state.uploads)
    app.add_middleware(UploadQuota, bytes_per_window=settings.upload_quota_bytes_per_hour)
    blocks.delete_cache = (settings.upload_cache_sweep_s, settings.upload_cache_max_age_s)
    app.add_middleware(SecurityHeaders)
    app.middleware("http")(_observe(metrics))  # outermost: refused requests are counted and logged too
    # Gradio checks client file paths only once `has_launched` is set, which `mount_gradio_app`
    # never does; set it so Gradio's own check backs up ours (it guards nothing else).
    blocks.has_launched = True
    return gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        theme=THEME(),
        css=CSS,
        footer_links=[],
        max_file_size=settings.max_attachment_bytes,
        show_error=False,
        ssr_mode=False,
    )


def serve(settings: Settings) -> None:
    """Run the app with uvicorn on settings.host:settings.port (the demo knowledge base if empty).

    With `settings.workers` > 1, uvicorn runs that many worker processes on one port: the one-off
    work (migrations, the first ingestion) happens here, once, before any starts; each worker then
    builds its own desk (`worker_app`) over the shared database and data folder (docs/scale-out.md).
    """
    import uvicorn

    options = {"host": settings.host, "port": settings.port, "log_config": None, "access_log": False}
    if settings.workers > 1:
        from app.agent.startup import prepare_shared_state

        prepare_shared_state(settings)
        logger.info(
            "serving", extra={"host": settings.host, "port": settings.port, "workers": settings.workers}
        )
        uvicorn.run("app.server:worker_app", factory=True, workers=settings.workers, **options)
        return
    app = create_app(settings, start_desk(settings))
    logger.info("serving", extra={"host": settings.host, "port": settings.port})
    uvicorn.run(app, **options)


def start_desk(settings: Settings) -> SupportDesk:
    """The process's desk (`app.agent.startup.open_desk`), with recovery sweeping."""
    from app.agent.startup import open_desk

    desk = open_desk(settings)
    start_recovery(desk, settings)
    return desk


def worker_app() -> FastAPI:
    """One of `serve`'s worker processes (uvicorn's app factory): the same settings, read again
    from the environment the parent got them from, and a desk of its own."""
    from app.logs import configure_logging
    from app.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings, start_desk(settings))


def start_recovery(desk: SupportDesk, settings: Settings) -> threading.Thread:
    """Answer messages a killed process left unanswered: now, then every RECOVERY_INTERVAL_S.

    A message counts as abandoned once it is older than the longest a turn may take (the chat
    timeout plus a margin), so a turn another worker is still running is never interrupted.
    """
    grace = timedelta(seconds=settings.chat_timeout_s + RECOVERY_MARGIN_S)

    def sweep() -> None:
        try:
            desk.recover_unanswered(older_than=grace)
        except Exception:  # the database may be down for a while; the next sweep tries again
            logger.warning("recovering unanswered messages failed", exc_info=True)

    sweep()

    def loop() -> None:
        while True:
            time.sleep(RECOVERY_INTERVAL_S)
            sweep()

    thread = threading.Thread(target=loop, name="recover-unanswered", daemon=True)
    thread.start()
    return thread
