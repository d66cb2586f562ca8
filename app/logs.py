"""Structured logging: one JSON object per line, with the ids that tie events together.

Request and conversation ids travel in context variables, so any code that logs inside a turn
gets them for free. A filter masks anything that looks like a credential before it is written.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
conversation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("conversation_id", default=None)

_SECRET_PATTERNS = (
    re.compile(r"sk-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-]{8,}"),
    re.compile(r"(?i)((?:api[_-]?key|password|secret|token)\s*[=:]\s*)[^\s,;\"']+"),
    re.compile(r"(://[^:/@\s]+:)[^@\s]+(@)"),
)
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def redact(text: str) -> str:
    """Replace credentials that may have slipped into a log message."""
    for pattern in _SECRET_PATTERNS:
        if pattern.groups == 0:
            text = pattern.sub("********", text)
        elif pattern.groups == 1:
            text = pattern.sub(r"\1********", text)
        else:
            text = pattern.sub(r"\1********\2", text)
    return text


class JsonFormatter(logging.Formatter):
    """Render a record, its context ids and any `extra=` fields as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": redact(record.getMessage()),
        }
        for key, var in (("request_id", request_id), ("conversation_id", conversation_id)):
            if (value := var.get()) is not None:
                event[key] = value
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                event[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            event["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(event, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Human-readable lines for a terminal, still redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(level: str = "INFO", fmt: str = "json", stream: Any = None) -> None:
    """Send the application's logs to stderr in the chosen format (idempotent)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else TextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_support_handler", False):
            root.removeHandler(existing)
    handler._support_handler = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "chromadb", "urllib3", "sentence_transformers", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


@contextlib.contextmanager
def log_context(*, request: str | None = None, conversation: str | None = None) -> Iterator[None]:
    """Attach ids to every log line written inside the block."""
    tokens = []
    if request is not None:
        tokens.append((request_id, request_id.set(request)))
    if conversation is not None:
        tokens.append((conversation_id, conversation_id.set(conversation)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)
