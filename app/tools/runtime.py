"""Per-turn state handed to tools and middleware through Agent Framework's runtime kwargs.

`SupportDesk` creates one `TurnState` per turn and passes it as `function_invocation_kwargs`;
a tool reads it from its `FunctionInvocationContext`. The model never sees or sets these values,
so it cannot act on another customer's memory, attachments or ticket.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.errors import SupportError

if TYPE_CHECKING:
    from agent_framework import FunctionInvocationContext

    from app.events import ReplyEvent, ToolCallRecord
    from app.knowledge.documents import Hit

TURN_KEY = "support_turn"


@dataclass
class TurnState:
    """Who is talking, in which conversation, and what the tools did so far in this turn."""

    customer_id: int
    conversation_id: str
    dialogue: list[str] = field(default_factory=list)  # earlier user-visible texts, oldest first
    customer_turns: list[str] = field(default_factory=list)  # the customer's own earlier messages
    hits: list[Hit] = field(default_factory=list)  # every passage shown to the model, numbered 1..n
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    events: list[ReplyEvent] = field(default_factory=list)  # tool events not yet streamed
    searched: bool = False
    escalated: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add_hits(self, hits: list[Hit]) -> int:
        """Record passages shown to the model; returns the number the first one gets (`[n]`).

        Sync tools run in worker threads, so two searches in one step must not share numbers.
        """
        with self._lock:
            start = len(self.hits) + 1
            self.hits.extend(hits)
            self.searched = True
            return start

    def as_kwargs(self) -> dict[str, Any]:
        """The `function_invocation_kwargs` for `agent.run`."""
        return {TURN_KEY: self}

    def drain_events(self) -> list[ReplyEvent]:
        """Hand over the tool events collected since the last call."""
        events, self.events = self.events, []
        return events


def turn_of(ctx: FunctionInvocationContext | None) -> TurnState:
    """The turn a tool runs in; a tool called outside `SupportDesk` is a programming error."""
    turn = (ctx.kwargs if ctx is not None else {}).get(TURN_KEY)
    if not isinstance(turn, TurnState):
        raise SupportError("This tool can only run inside a support conversation.")
    return turn
