"""Repositories: what each one stores, returns, orders and refuses."""

from __future__ import annotations

import dataclasses
from datetime import UTC

import pytest

from app.errors import InputError, NotFoundError
from app.store import ConversationRecord, Store


def test_customers_are_created_once_per_external_id(store: Store) -> None:
    first = store.customers.get_or_create("c-42", "Grace")
    again = store.customers.get_or_create("c-42")
    renamed = store.customers.get_or_create("c-42", "Grace H.")
    assert first.id == again.id == renamed.id
    assert (again.display_name, renamed.display_name) == ("Grace", "Grace H.")
    with pytest.raises(InputError, match="customer id"):
        store.customers.get_or_create("   ")


def test_conversations_have_hex_ids_state_and_newest_first_listing(store: Store) -> None:
    customer = store.customers.get_or_create("c-1")
    older = store.conversations.create(customer.id, "older")
    newer = store.conversations.create(customer.id, "newer")
    assert len(older.id) == 32 and int(older.id, 16) >= 0
    assert older.created_at.tzinfo is UTC
    assert [c.title for c in store.conversations.list_for_customer(customer.id)] == ["newer", "older"]

    store.messages.add(older.id, "user", "back again")  # activity moves it to the top
    assert [c.id for c in store.conversations.list_for_customer(customer.id)] == [older.id, newer.id]

    store.conversations.save_session_state(newer.id, {"thread": {"messages": [1, 2]}, "entity": "Plus"})
    assert store.conversations.get(newer.id).session_state == {
        "thread": {"messages": [1, 2]},
        "entity": "Plus",
    }
    with pytest.raises(InputError, match="JSON"):
        store.conversations.save_session_state(newer.id, {"bad": object()})
    with pytest.raises(NotFoundError):
        store.conversations.get("does-not-exist")
    with pytest.raises(NotFoundError, match="customer"):
        store.conversations.create(99_999)


def test_records_are_frozen_copies(store: Store, conversation: ConversationRecord) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        conversation.title = "changed"  # type: ignore[misc]
    assert store.conversations.get(conversation.id).title == "Billing question"


def test_messages_keep_order_payloads_and_paging(store: Store, conversation: ConversationRecord) -> None:
    question = store.messages.add(conversation.id, "user", "How much is Plus?", attachment_ids=[3])
    answer = store.messages.add(
        conversation.id,
        "assistant",
        "Plus costs $12 [1].",
        tool_calls=[{"name": "search_knowledge_base", "arguments": {"query": "plus price"}}],
        citations=[{"number": 1, "chunk_id": "billing/plans#0", "doc_id": "billing/plans"}],
        latency_ms=231.5,
    )
    listed = store.messages.list(conversation.id)
    assert [m.id for m in listed] == [question.id, answer.id]
    assert listed[0].attachment_ids == [3]
    assert listed[1].tool_calls[0]["arguments"] == {"query": "plus price"}
    assert listed[1].citations[0]["doc_id"] == "billing/plans"
    assert listed[1].latency_ms == pytest.approx(231.5)
    assert [m.id for m in store.messages.list(conversation.id, after_id=question.id)] == [answer.id]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "robot"}, "role 'robot'.*'user', 'assistant', 'human_agent', 'system'"),
        ({"tool_calls": [{"x": object()}]}, "tool_calls must be JSON"),
        ({"attachment_ids": ["a"]}, "attachment_ids"),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_stored(
    store: Store, conversation: ConversationRecord, kwargs: dict, message: str
) -> None:
    arguments = {"role": "user", **kwargs}
    with pytest.raises(InputError, match=message):
        store.messages.add(conversation.id, arguments.pop("role"), "text", **arguments)
    assert store.messages.list(conversation.id) == []


def test_memories_upsert_list_delete(store: Store) -> None:
    customer = store.customers.get_or_create("c-mem")
    other = store.customers.get_or_create("c-other")
    first = store.memories.upsert(customer.id, "plan", "Plus")
    updated = store.memories.upsert(customer.id, "plan", "Pro")
    store.memories.upsert(customer.id, "language", "Dutch")
    store.memories.upsert(other.id, "plan", "Free")
    assert updated.id == first.id and updated.updated_at >= first.updated_at
    assert [(m.key, m.value) for m in store.memories.list(customer.id)] == [
        ("language", "Dutch"),
        ("plan", "Pro"),
    ]
    assert store.memories.delete(customer.id, "plan") is True
    assert store.memories.delete(customer.id, "plan") is False
    assert [m.key for m in store.memories.list(customer.id)] == ["language"]
    assert [m.value for m in store.memories.list(other.id)] == ["Free"]
    with pytest.raises(InputError, match="memory key"):
        store.memories.upsert(customer.id, "", "x")
    with pytest.raises(NotFoundError):
        store.memories.upsert(12345, "plan", "x")


def test_ticket_lifecycle_with_history(store: Store, conversation: ConversationRecord) -> None:
    ticket, created = store.tickets.open(
        conversation.id, reason="customer asked for a refund", priority="high", summary="Refund for March"
    )
    assert created and ticket.status == "open" and ticket.number == f"T-{ticket.id:06d}"
    assert store.tickets.get(ticket.number) == ticket

    assigned = store.tickets.assign(ticket.id, "sam")
    replied = store.tickets.reply(ticket.id, "sam", "Refund issued; it shows in 3-5 days.")
    resolved = store.tickets.resolve(ticket.id, "sam", note="refunded")
    assert (assigned.status, assigned.assignee) == ("assigned", "sam")
    assert replied.status == "assigned"
    assert resolved.status == "resolved"
    assert [(h["event"], h["by"]) for h in resolved.history] == [
        ("opened", "assistant"),
        ("assigned", "sam"),
        ("reply", "sam"),
        ("resolved", "sam"),
    ]
    assert all({"ts", "event", "by", "text"} <= set(h) for h in resolved.history)
    last = store.messages.list(conversation.id)[-1]
    assert (last.role, last.content) == ("human_agent", "Refund issued; it shows in 3-5 days.")

    assert store.tickets.resolve(ticket.id, "sam") == store.tickets.get(ticket.id)  # no duplicate entry
    with pytest.raises(InputError, match="resolved"):
        store.tickets.assign(ticket.id, "kim")


def test_reescalating_reopens_a_resolved_ticket(store: Store, conversation: ConversationRecord) -> None:
    ticket, _ = store.tickets.open(conversation.id, reason="first", priority="normal", summary="keep me")
    same, created = store.tickets.open(conversation.id, reason="again", priority="urgent", summary="")
    assert (same.id, created, same.priority) == (ticket.id, False, "normal")

    store.tickets.assign(ticket.id, "sam")
    store.tickets.resolve(ticket.id, "sam")
    reopened, created = store.tickets.open(
        conversation.id, reason="still broken", priority="urgent", summary=""
    )
    assert created and reopened.id == ticket.id
    assert (reopened.status, reopened.priority, reopened.assignee) == ("open", "urgent", None)
    assert reopened.summary == "keep me"
    assert reopened.history[-1]["event"] == "reopened" and reopened.history[-1]["text"] == "still broken"


def test_ticket_queue_filters_and_orders_by_urgency(store: Store) -> None:
    customer = store.customers.get_or_create("c-queue")
    priorities = ["low", "urgent", "normal", "urgent"]
    tickets = []
    for priority in priorities:
        conversation = store.conversations.create(customer.id)
        tickets.append(store.tickets.open(conversation.id, reason="help", priority=priority, summary="")[0])
    store.tickets.resolve(tickets[2].id, "sam")
    assert [t.priority for t in store.tickets.list()] == ["urgent", "urgent", "normal", "low"]
    assert [t.id for t in store.tickets.list(status="open", priority="urgent")] == [
        tickets[1].id,
        tickets[3].id,
    ]
    assert [t.id for t in store.tickets.list(status="resolved")] == [tickets[2].id]
    with pytest.raises(InputError, match="'open', 'assigned', 'resolved'"):
        store.tickets.list(status="closed")


def test_ticket_inputs_and_missing_ids(store: Store, conversation: ConversationRecord) -> None:
    with pytest.raises(InputError, match=r"priority 'asap'.*'low', 'normal', 'high', 'urgent'"):
        store.tickets.open(conversation.id, reason="x", priority="asap", summary="")
    with pytest.raises(NotFoundError):
        store.tickets.open("f" * 32, reason="x", priority="low", summary="")
    with pytest.raises(NotFoundError):
        store.tickets.get(424242)
    with pytest.raises(NotFoundError, match="T-000042"):
        store.tickets.get("ticket 7")
    assert store.tickets.for_conversation(conversation.id) is None


def test_feedback_accepts_only_plus_or_minus_one(store: Store, conversation: ConversationRecord) -> None:
    answer = store.messages.add(conversation.id, "assistant", "Here you go.")
    up = store.feedback.add(answer.id, 1)
    down = store.feedback.add(answer.id, -1, "wrong plan")
    assert (up.rating, down.rating, down.comment) == (1, -1, "wrong plan")
    for bad in (0, 2, True):
        with pytest.raises(InputError, match="rating"):
            store.feedback.add(answer.id, bad)
    with pytest.raises(NotFoundError, match="message"):
        store.feedback.add(999_999, 1)
    assert [f.id for f in store.feedback.list_for_message(answer.id)] == [up.id, down.id]
