"""The console's handlers over a real SQLite store: nothing of the queue without a valid token."""

from __future__ import annotations

import pytest

from app.agent.services import HandoffQueue
from app.store import Store
from app.ui.console import ANY, ConsoleTab
from app.ui.staff_auth import StaffAuth


@pytest.fixture
def store(settings):
    store = Store.from_settings(settings)
    yield store
    store.close()


@pytest.fixture
def ticket(store):
    customer = store.customers.get_or_create("c-1")
    conversation = store.conversations.create(customer.id)
    store.messages.add(conversation.id, "user", "My parcel never arrived, <b>help</b>")
    record, _ = store.tickets.open(
        conversation.id, reason="missing parcel", priority="high", summary="Parcel 123 missing"
    )
    return record


def _outputs_text(outputs: tuple) -> str:
    return repr(outputs)


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_actions_without_a_valid_token_show_only_the_sign_in_form(store, ticket, token):
    console = ConsoleTab(HandoffQueue(store), StaffAuth("sam", "pw"))
    outputs = console.run(None)(token, ANY, ANY, ticket.id, "", "")
    assert outputs[0] is None and outputs[1]["visible"] is True and outputs[2]["visible"] is False
    assert ticket.number not in _outputs_text(outputs)
    assert "missing parcel" not in _outputs_text(outputs)


def test_forged_token_cannot_reply_or_resolve(store, ticket):
    console = ConsoleTab(HandoffQueue(store), StaffAuth("sam", "pw"))
    console.run(console.reply)("forged", ANY, ANY, ticket.id, "sneaky", "")
    console.run(console.resolve)("forged", ANY, ANY, ticket.id, "", "")
    assert [m.role for m in store.messages.list(ticket.conversation_id)] == ["user"]
    assert store.tickets.get(ticket.id).status == "open"


def test_signed_in_staff_see_the_queue_and_their_reply_reaches_the_conversation(store, ticket):
    auth = StaffAuth("sam", "pw")
    console = ConsoleTab(HandoffQueue(store), auth)
    token = auth.sign_in("sam", "pw")
    outputs = console.run(None)(token, "open", "high", ticket.id, "", "")
    assert outputs[4][0][:3] == [ticket.number, "open", "high"]
    assert "Parcel 123 missing" in outputs[6]
    assert "&lt;b&gt;help&lt;/b&gt;" in outputs[7][0]["content"]
    console.run(console.assign)(token, ANY, ANY, ticket.id, "", "")
    console.run(console.reply, clear=True)(token, ANY, ANY, ticket.id, "We are on it.", "")
    messages = store.messages.list(ticket.conversation_id)
    assert (messages[-1].role, messages[-1].content) == ("human_agent", "We are on it.")
    console.run(console.resolve, clear=True)(token, ANY, ANY, ticket.id, "", "found it")
    resolved = store.tickets.get(ticket.id)
    assert (resolved.status, resolved.assignee) == ("resolved", "sam")
    assert console.run(None)(token, "open", ANY, None, "", "")[4] == []
