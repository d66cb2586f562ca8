"""Hand-offs to people: one ticket per conversation, with a history of who did what.

`open` is idempotent per conversation even when several threads or processes escalate at once:
the unique constraint on `conversation_id` lets exactly one insert win, and the losers read the
winner's row back. Escalating a resolved conversation again reopens its ticket.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import InputError, NotFoundError
from app.store.base import Repository, get_row, require_text
from app.store.conversations import insert_message
from app.store.models import Conversation, Ticket, utcnow
from app.store.records import (
    TICKET_PRIORITIES,
    TICKET_STATUSES,
    TicketRecord,
    check_choice,
    record_from_row,
    ticket_number,
)

_NUMBER = re.compile(r"T-(\d+)", re.IGNORECASE)
_PRIORITY_RANK = {name: rank for rank, name in enumerate(reversed(TICKET_PRIORITIES))}  # urgent = 0
AGENT = "assistant"  # who opens tickets: the AI agent, on the customer's behalf
HANDED_BACK = "Our support team handed this conversation back to the assistant, which answers again."


def ticket_record(row: Ticket) -> TicketRecord:
    return record_from_row(
        TicketRecord,
        row,
        number=ticket_number(row.id),
        history=[dict(entry) for entry in row.history or []],
    )


def _record_event(row: Ticket, event: str, by: str, text: str | None) -> None:
    """Append to the history (a new list, so the JSON column is seen as changed)."""
    now = utcnow()
    entry = {"ts": now.isoformat(timespec="seconds"), "event": event, "by": by, "text": text}
    row.history = [*(row.history or []), entry]
    row.updated_at = now


class TicketRepository(Repository):
    def open(
        self, conversation_id: str, *, reason: str, priority: str = "normal", summary: str = ""
    ) -> tuple[TicketRecord, bool]:
        """The conversation's ticket, and whether this call opened it (new or reopened)."""
        check_choice("ticket priority", priority, TICKET_PRIORITIES)
        require_text("escalation reason", reason, max_chars=2000)
        require_text("ticket summary", summary, max_chars=20_000, allow_empty=True)
        try:
            with self._db.session(write=True) as session:
                return self._open(session, conversation_id, reason=reason, priority=priority, summary=summary)
        except IntegrityError:  # a concurrent escalation inserted first; theirs is ours
            found = self.for_conversation(conversation_id)
            if found is None:
                raise
            return found, False

    def _open(
        self, session: Session, conversation_id: str, *, reason: str, priority: str, summary: str
    ) -> tuple[TicketRecord, bool]:
        get_row(session, Conversation, conversation_id, "conversation")
        row = session.scalar(select(Ticket).where(Ticket.conversation_id == conversation_id))
        if row is not None and row.status != "resolved":
            return ticket_record(row), False
        if row is None:
            row = Ticket(conversation_id=conversation_id, status="open", history=[])
            session.add(row)
            event = "opened"
        else:
            event = "reopened"
        row.status, row.assignee = "open", None
        row.priority, row.reason = priority, reason
        row.summary = summary or row.summary or ""  # a bare re-escalation keeps the old summary
        _record_event(row, event, AGENT, reason)
        session.flush()
        return ticket_record(row), True

    def get(self, ticket_id: int | str) -> TicketRecord:
        """By id, or by the number people quote ("T-000042")."""
        with self._db.session() as session:
            return ticket_record(self._row(session, ticket_id))

    def for_conversation(self, conversation_id: str) -> TicketRecord | None:
        with self._db.session() as session:
            row = session.scalar(select(Ticket).where(Ticket.conversation_id == conversation_id))
            return None if row is None else ticket_record(row)

    def list(self, *, status: str | None = None, priority: str | None = None) -> list[TicketRecord]:
        """The staff queue: most urgent first, then oldest first."""
        query = select(Ticket)
        if status is not None:
            query = query.where(Ticket.status == check_choice("ticket status", status, TICKET_STATUSES))
        if priority is not None:
            query = query.where(
                Ticket.priority == check_choice("ticket priority", priority, TICKET_PRIORITIES)
            )
        rank = case(_PRIORITY_RANK, value=Ticket.priority, else_=len(_PRIORITY_RANK))
        with self._db.session() as session:
            return [ticket_record(row) for row in session.scalars(query.order_by(rank, Ticket.id))]

    def assign(self, ticket_id: int | str, staff: str) -> TicketRecord:
        require_text("staff name", staff, max_chars=200)
        return self._change(ticket_id, lambda session, row: self._assign(row, staff))

    def reply(self, ticket_id: int | str, author: str, text: str) -> TicketRecord:
        """A staff answer: recorded on the ticket and shown in the conversation as a human_agent message."""
        require_text("staff name", author, max_chars=200)
        require_text("reply", text, max_chars=20_000)

        def apply(session: Session, row: Ticket) -> None:
            insert_message(session, row.conversation_id, "human_agent", text)
            _record_event(row, "reply", author, text)

        return self._change(ticket_id, apply)

    def resolve(self, ticket_id: int | str, staff: str, note: str | None = None) -> TicketRecord:
        """Close the ticket; resolving an already resolved ticket changes nothing."""
        require_text("staff name", staff, max_chars=200)
        if note is not None:
            require_text("resolution note", note, max_chars=20_000, allow_empty=True)

        def apply(session: Session, row: Ticket) -> None:
            if row.status != "resolved":
                row.status = "resolved"
                _record_event(row, "resolved", staff, note or None)

        return self._change(ticket_id, apply)

    def forward(self, ticket_id: int | str, text: str) -> TicketRecord:
        """Note on the ticket a customer message written while a person handles the conversation
        (the message itself is already in the conversation): the queue shows it as fresh activity."""
        require_text("customer message", text, max_chars=1_000_000, allow_empty=True)
        return self._change(
            ticket_id, lambda _session, row: _record_event(row, "customer wrote", "customer", text)
        )

    def hand_back(self, ticket_id: int | str, staff: str) -> TicketRecord:
        """Staff give the conversation back to the assistant: the ticket closes, the customer is told."""
        require_text("staff name", staff, max_chars=200)

        def apply(session: Session, row: Ticket) -> None:
            if row.status == "resolved":
                raise InputError(f"Ticket {ticket_number(row.id)} is already resolved.")
            row.status = "resolved"
            insert_message(session, row.conversation_id, "system", HANDED_BACK)
            _record_event(row, "handed back", staff, "handed back to the assistant")

        return self._change(ticket_id, apply)

    @staticmethod
    def _assign(row: Ticket, staff: str) -> None:
        if row.status == "resolved":
            raise InputError(
                f"Ticket {ticket_number(row.id)} is resolved; it reopens if the customer escalates."
            )
        if row.assignee != staff or row.status != "assigned":
            row.status, row.assignee = "assigned", staff
            _record_event(row, "assigned", staff, f"assigned to {staff}")

    def _change(self, ticket_id: int | str, apply: Callable[[Session, Ticket], None]) -> TicketRecord:
        with self._db.session(write=True) as session:
            row = self._row(session, ticket_id)
            apply(session, row)
            session.flush()
            return ticket_record(row)

    @staticmethod
    def _row(session: Session, ticket_id: int | str) -> Ticket:
        key: Any = ticket_id
        if isinstance(ticket_id, str):
            match = _NUMBER.fullmatch(ticket_id.strip())
            if match is None and not ticket_id.strip().isdigit():
                raise NotFoundError(f"No ticket {ticket_id!r}; ticket numbers look like T-000042.")
            key = int(match.group(1) if match else ticket_id)
        return get_row(session, Ticket, key, "ticket")
