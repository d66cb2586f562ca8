"""Structured logs: one JSON object per line, the ids that tie a turn together, no credentials."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from app.logs import configure_logging, log_context, redact

SECRETS = {
    "openai key": "sk-proj-AbCdEf0123456789",
    "bearer": "Bearer eyJhbGciOiJIUzI1NiJ9.payload",
    "password": "password=hunter2hunter2",
    "url": "postgresql://app:pg-secret-pw@db/support",
}


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Route the app's logs into a buffer, and put the root logger back afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream=stream)
    yield stream
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_record_is_one_json_line_with_extra_fields(log_stream: io.StringIO) -> None:
    logger = logging.getLogger("app.test")
    logger.info("turn done", extra={"latency_ms": 12.5, "tool": "search_knowledge_base"})
    logger.warning("two\nlines of text")
    first, second = lines(log_stream)
    assert {"ts", "level", "logger", "event"} <= set(first)
    assert (first["event"], first["level"], first["logger"]) == ("turn done", "INFO", "app.test")
    assert (first["latency_ms"], first["tool"]) == (12.5, "search_knowledge_base")
    assert second["event"] == "two\nlines of text"
    assert len(log_stream.getvalue().splitlines()) == 2


def test_context_ids_are_attached_inside_the_block_only(log_stream: io.StringIO) -> None:
    logger = logging.getLogger("app.test")
    with log_context(request="req-1", conversation="conv-9"):
        logger.info("inside")
        with log_context(conversation="conv-10"):
            logger.info("nested")
    logger.info("outside")
    inside, nested, outside = lines(log_stream)
    assert (inside["request_id"], inside["conversation_id"]) == ("req-1", "conv-9")
    assert (nested["request_id"], nested["conversation_id"]) == ("req-1", "conv-10")
    assert "request_id" not in outside and "conversation_id" not in outside


def test_secrets_are_redacted_in_messages_extras_and_tracebacks(log_stream: io.StringIO) -> None:
    logger = logging.getLogger("app.test")
    for secret in SECRETS.values():
        logger.info("calling with %s", secret, extra={"detail": secret})
    try:
        raise RuntimeError(f"connect failed: {SECRETS['url']}")
    except RuntimeError:
        logger.exception("boom")
    output = log_stream.getvalue()
    for leaked in ("AbCdEf0123456789", "eyJhbGciOiJIUzI1NiJ9", "hunter2hunter2", "pg-secret-pw"):
        assert leaked not in output
    assert "********" in lines(log_stream)[-1]["exc"]


def test_text_format_is_redacted_too() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    stream = io.StringIO()
    try:
        configure_logging("INFO", "text", stream=stream)
        logging.getLogger("app.test").info("key is %s", SECRETS["openai key"])
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    assert "AbCdEf0123456789" not in stream.getvalue() and "app.test" in stream.getvalue()


def test_configuring_twice_keeps_one_handler_and_quietens_noisy_libraries(log_stream: io.StringIO) -> None:
    configure_logging("INFO", "json", stream=log_stream)
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_support_handler", False)]
    assert len(ours) == 1
    assert logging.getLogger("httpx").level == logging.WARNING
    logging.getLogger("app.test").info("once")
    assert [line["event"] for line in lines(log_stream)] == ["once"]


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "Plus costs $12 per month; see billing/plans"
    assert redact(text) == text
