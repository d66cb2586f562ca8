"""What one turn of the support agent produces: the final result and the events streamed on the way.

Plain dataclasses, so the UI, the terminal chat and the evaluation render or score a turn without
knowing anything about Agent Framework's own response types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.knowledge.documents import Hit
    from app.store.records import TicketRecord


@dataclass(frozen=True)
class ToolCallRecord:
    """One tool the model called in a turn, with what it returned and how long it took."""

    name: str
    arguments: dict[str, Any]
    result: str
    duration_ms: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "arguments": self.arguments,
            "result": self.result,
            "duration_ms": round(self.duration_ms, 2),
        }


@dataclass(frozen=True)
class Citation:
    """A `[n]` marker in the answer, resolved to the knowledge-base chunk it points at."""

    number: int
    chunk_id: str
    doc_id: str
    title: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "title": self.title,
            "source": self.source,
        }


@dataclass
class TurnResult:
    """Everything a caller needs about a finished turn; the assistant message is already stored."""

    conversation_id: str
    message_id: int
    text: str
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[Hit] = field(default_factory=list)
    searched: bool = False
    escalated: bool = False
    ticket: TicketRecord | None = None
    latency_ms: float = 0.0
    forwarded: bool = False
    """A person handles the conversation: the message went to them and the agent did not run."""


@dataclass(frozen=True)
class TextDelta:
    """A piece of the answer, as the model produces it."""

    text: str


@dataclass(frozen=True)
class ToolStarted:
    """The model called a tool; shown at once so the user sees the agent working."""

    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ToolFinished:
    """A tool returned; `result` is the text the model received."""

    name: str
    result: str
    duration_ms: float


@dataclass(frozen=True)
class TurnDone:
    """The last event of a streamed turn."""

    result: TurnResult


ReplyEvent = TextDelta | ToolStarted | ToolFinished | TurnDone
