"""The conversation log: customers, their conversations, and the messages in them, in order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypedDict, Unpack

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from app.errors import InputError, NotFoundError
from app.store.base import Repository, get_row, is_encodable, require_json, require_text
from app.store.models import Conversation, Customer, Message, utcnow
from app.store.records import (
    ROLES,
    ConversationRecord,
    CustomerRecord,
    MessageRecord,
    check_choice,
    record_from_row,
)


def customer_record(row: Customer) -> CustomerRecord:
    return record_from_row(CustomerRecord, row)


def conversation_record(row: Conversation) -> ConversationRecord:
    return record_from_row(ConversationRecord, row, session_state=dict(row.session_state or {}))


def message_record(row: Message) -> MessageRecord:
    return record_from_row(
        MessageRecord,
        row,
        tool_calls=list(row.tool_calls or []),
        citations=list(row.citations or []),
        attachment_ids=list(row.attachment_ids or []),
    )


class CustomerRepository(Repository):
    def get_or_create(self, external_id: str, display_name: str | None = None) -> CustomerRecord:
        """The customer known by this external id, created on first sight (safe under races)."""
        require_text("customer id", external_id, max_chars=200)
        if display_name is not None:
            require_text("display name", display_name, max_chars=200)
        try:
            with self._db.session(write=True) as session:
                row = session.scalar(select(Customer).where(Customer.external_id == external_id))
                if row is None:
                    row = Customer(external_id=external_id, display_name=display_name)
                    session.add(row)
                    session.flush()
                elif display_name is not None and row.display_name != display_name:
                    row.display_name = display_name
                return customer_record(row)
        except IntegrityError:  # another process created it between our read and our insert
            with self._db.session() as session:
                row = session.scalars(select(Customer).where(Customer.external_id == external_id)).one()
                return customer_record(row)

    def get(self, customer_id: int) -> CustomerRecord:
        with self._db.session() as session:
            return customer_record(get_row(session, Customer, customer_id, "customer"))

    def find(self, external_id: str) -> CustomerRecord | None:
        """The customer known by this external id, or None (nothing is created)."""
        with self._db.session() as session:
            row = session.scalar(select(Customer).where(Customer.external_id == external_id))
            return None if row is None else customer_record(row)


class ConversationRepository(Repository):
    def create(self, customer_id: int, title: str | None = None) -> ConversationRecord:
        if title is not None:
            require_text("title", title, max_chars=300, allow_empty=True)
        with self._db.session(write=True) as session:
            get_row(session, Customer, customer_id, "customer")
            row = Conversation(customer_id=customer_id, title=title, session_state={})
            session.add(row)
            session.flush()
            return conversation_record(row)

    def get(self, conversation_id: str) -> ConversationRecord:
        with self._db.session() as session:
            return conversation_record(get_row(session, Conversation, conversation_id, "conversation"))

    def owned(self, conversation_id: str, external_id: str) -> ConversationRecord:
        """The conversation when it belongs to the customer with this external id.

        Someone else's conversation raises the same NotFoundError as one that does not exist, so
        a caller cannot even learn which ids are in use.
        """
        if not (is_encodable(conversation_id) and is_encodable(external_id)):
            raise InputError("The conversation or customer id contains broken Unicode (a lone surrogate).")
        query = (
            select(Conversation)
            .join(Customer, Customer.id == Conversation.customer_id)
            .where(Conversation.id == conversation_id, Customer.external_id == external_id)
        )
        with self._db.session() as session:
            row = session.scalar(query)
            if row is None:
                raise NotFoundError(f"No conversation with id {conversation_id!r}.")
            return conversation_record(row)

    def list_for_customer(self, customer_id: int) -> list[ConversationRecord]:
        """Most recently active first (a new message moves a conversation to the top)."""
        query = (
            select(Conversation)
            .where(Conversation.customer_id == customer_id)
            .order_by(Conversation.updated_at.desc(), Conversation.created_at.desc())
        )
        with self._db.session() as session:
            return [conversation_record(row) for row in session.scalars(query)]

    def save_session_state(self, conversation_id: str, state: dict[str, Any]) -> None:
        """Replace the agent's serialised session (thread state) for this conversation."""
        if not isinstance(state, dict):
            raise InputError(f"session state must be a dict, got {type(state).__name__}.")
        require_json("session state", state)
        with self._db.session(write=True) as session:
            row = get_row(session, Conversation, conversation_id, "conversation")
            row.session_state = state
            row.updated_at = utcnow()


class MessageDetails(TypedDict, total=False):
    """What a message may carry besides its text; `insert_message` checks and stores them."""

    tool_calls: Sequence[dict[str, Any]] | None
    citations: Sequence[dict[str, Any]] | None
    attachment_ids: Sequence[int] | None
    latency_ms: float | None


class MessageRepository(Repository):
    def add(
        self, conversation_id: str, role: str, content: str, **details: Unpack[MessageDetails]
    ) -> MessageRecord:
        """Append a message in its own transaction (see `insert_message`)."""
        with self._db.session(write=True) as session:
            return message_record(insert_message(session, conversation_id, role, content, **details))

    def get(self, message_id: int) -> MessageRecord:
        with self._db.session() as session:
            return message_record(get_row(session, Message, message_id, "message"))

    def list(self, conversation_id: str, *, after_id: int | None = None) -> list[MessageRecord]:
        """The conversation's messages in the order they were stored (optionally only newer ones)."""
        query = select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
        if after_id is not None:
            query = query.where(Message.id > after_id)
        with self._db.session() as session:
            get_row(session, Conversation, conversation_id, "conversation")
            return [message_record(row) for row in session.scalars(query)]

    def unanswered(self, *, before: datetime) -> list[MessageRecord]:
        """Customer messages stored before `before` that nothing (agent, staff, or the notice that a
        person is handling the conversation) answered after, oldest first: what a process killed
        mid-turn leaves behind."""
        answer = aliased(Message)
        answered = exists().where(
            answer.conversation_id == Message.conversation_id,
            answer.id > Message.id,
            answer.role.in_(("assistant", "human_agent", "system")),
        )
        query = (
            select(Message)
            .where(Message.role == "user", Message.created_at < before, ~answered)
            .order_by(Message.id)
        )
        with self._db.session() as session:
            return [message_record(row) for row in session.scalars(query)]


def insert_message(
    session: Session,
    conversation_id: str,
    role: str,
    content: str,
    *,
    tool_calls: Sequence[dict[str, Any]] | None = None,
    citations: Sequence[dict[str, Any]] | None = None,
    attachment_ids: Sequence[int] | None = None,
    latency_ms: float | None = None,
) -> Message:
    """Append a message inside the caller's transaction (tickets use it for staff replies)."""
    check_choice("message role", role, ROLES)
    require_text("message content", content, max_chars=1_000_000, allow_empty=True)
    conversation = get_row(session, Conversation, conversation_id, "conversation")
    row = Message(
        conversation_id=conversation_id,
        role=role,
        content=content,
        tool_calls=require_json("tool_calls", list(tool_calls or [])),
        citations=require_json("citations", list(citations or [])),
        attachment_ids=_ids("attachment_ids", attachment_ids or []),
        latency_ms=None if latency_ms is None else float(latency_ms),
    )
    session.add(row)
    conversation.updated_at = row.created_at = utcnow()
    session.flush()
    return row


def _ids(what: str, values: Sequence[int]) -> list[int]:
    if any(isinstance(value, bool) or not isinstance(value, int) for value in values):
        raise InputError(f"{what} must be a list of integer ids, got {list(values)!r}.")
    return list(values)
