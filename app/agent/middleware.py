"""Function middleware: every tool call is timed, logged as one structured line and recorded on the turn.

The log line carries the tool name, its duration and a shortened form of its arguments - never
the full text, which may hold something private the customer typed. The `TurnState` gets a
`ToolCallRecord` (stored with the assistant message) and the `ToolStarted`/`ToolFinished` events
the streaming reply forwards to the UI.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from agent_framework import FunctionInvocationContext, FunctionMiddleware
from pydantic import BaseModel

from app.events import ToolCallRecord, ToolFinished, ToolStarted
from app.logs import redact
from app.tools.runtime import TURN_KEY, TurnState

logger = logging.getLogger(__name__)

LOGGED_VALUE_CHARS = 80
RECORDED_RESULT_CHARS = 4000


class ToolCallMiddleware(FunctionMiddleware):
    """Times, logs and records each tool invocation."""

    async def process(
        self, context: FunctionInvocationContext, call_next: Callable[[], Awaitable[None]]
    ) -> None:
        name = context.function.name
        turn = context.kwargs.get(TURN_KEY)
        arguments = plain_arguments(context.arguments)
        if isinstance(turn, TurnState):
            turn.events.append(ToolStarted(name=name, arguments=arguments))
        started = time.perf_counter()
        failure: BaseException | None = None
        try:
            await call_next()
        except BaseException as exc:
            failure = exc
            raise
        finally:
            duration_ms = (time.perf_counter() - started) * 1000
            result = f"Error: {type(failure).__name__}" if failure else result_text(context.result)
            logger.info(
                "tool call",
                extra={
                    "tool": name,
                    "duration_ms": round(duration_ms, 2),
                    "ok": failure is None,
                    "result_chars": len(result),
                    "conversation_id": turn.conversation_id if isinstance(turn, TurnState) else None,
                },
            )
            # Arguments hold the customer's words (search queries, remembered facts): DEBUG only.
            logger.debug("tool call arguments", extra={"tool": name, "arguments": shorten(arguments)})
            if isinstance(turn, TurnState):
                record = ToolCallRecord(name, arguments, result[:RECORDED_RESULT_CHARS], duration_ms)
                turn.tool_calls.append(record)
                turn.events.append(ToolFinished(name=name, result=result, duration_ms=duration_ms))


def plain_arguments(arguments: BaseModel | Mapping[str, Any] | None) -> dict[str, Any]:
    """Tool arguments as a JSON-friendly dict, whatever form the framework holds them in."""
    if arguments is None:
        return {}
    if isinstance(arguments, BaseModel):
        return arguments.model_dump(mode="json")
    return {str(key): value for key, value in arguments.items()}


def result_text(result: Any) -> str:
    """The text the model received from a tool (the framework hands over a list of Content)."""
    if result is None:
        return ""
    if isinstance(result, str):
        return result
    if isinstance(result, list | tuple):
        return "\n".join(part for item in result if (part := getattr(item, "text", None) or ""))
    return str(getattr(result, "text", None) or result)


def shorten(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Arguments fit for a log line: long strings clipped, anything credential-like masked."""
    shown: dict[str, Any] = {}
    for key, value in arguments.items():
        text = redact(value if isinstance(value, str) else repr(value))
        if len(text) > LOGGED_VALUE_CHARS:
            text = f"{text[:LOGGED_VALUE_CHARS]}…({len(text)} chars)"
        shown[key] = text
    return shown
