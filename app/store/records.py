"""Plain, frozen records that the store hands out instead of ORM objects.

Callers (the agent, the UI, the evaluation) never hold a database session, so nothing they
receive may lazy-load or change the database behind their back. The allowed values of the
enum-like columns live here too, next to the records that carry them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal, TypeVar, get_args

from app.errors import InputError

Role = Literal["user", "assistant", "human_agent", "system"]
TicketStatus = Literal["open", "assigned", "resolved"]
TicketPriority = Literal["low", "normal", "high", "urgent"]

R = TypeVar("R")

ROLES: tuple[str, ...] = get_args(Role)
TICKET_STATUSES: tuple[str, ...] = get_args(TicketStatus)
TICKET_PRIORITIES: tuple[str, ...] = get_args(TicketPriority)
RATINGS: tuple[int, ...] = (1, -1)


def check_choice(what: str, value: Any, allowed: tuple[Any, ...]) -> Any:
    """Reject a value outside `allowed` with a message that lists what would have worked."""
    if value not in allowed:
        shown = ", ".join(repr(option) for option in allowed)
        raise InputError(f"Invalid {what} {value!r}: expected one of {shown}.")
    return value


def record_from_row(record_type: type[R], row: Any, **derived: Any) -> R:
    """A frozen record holding the row's columns of the same names; `derived` supplies the rest
    (computed values, or copies of JSON columns so no caller shares the ORM object's list)."""
    columns = {f.name: getattr(row, f.name) for f in fields(record_type) if f.name not in derived}
    return record_type(**columns, **derived)


def ticket_number(ticket_id: int) -> str:
    """The number people quote on the phone: T-000042."""
    return f"T-{ticket_id:06d}"


@dataclass(frozen=True)
class CustomerRecord:
    id: int
    external_id: str
    display_name: str | None
    created_at: datetime


@dataclass(frozen=True)
class ConversationRecord:
    id: str
    customer_id: int
    title: str | None
    session_state: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class MessageRecord:
    id: int
    conversation_id: str
    role: Role
    content: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    attachment_ids: list[int] = field(default_factory=list)
    latency_ms: float | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class MemoryRecord:
    id: int
    customer_id: int
    key: str
    value: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AttachmentRecord:
    id: int
    conversation_id: str
    original_name: str
    media_type: str
    size_bytes: int
    sha256: str
    stored_path: str
    extracted_text: str
    error: str | None
    created_at: datetime


@dataclass(frozen=True)
class TicketRecord:
    id: int
    number: str
    conversation_id: str
    status: TicketStatus
    priority: TicketPriority
    reason: str
    summary: str
    assignee: str | None
    history: list[dict[str, Any]]  # each {ts, event, by, text}, oldest first
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class FeedbackRecord:
    id: int
    message_id: int
    rating: int
    comment: str | None
    created_at: datetime
