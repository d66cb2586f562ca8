"""The bot keeps quiet while a person handles the conversation (offline model, real KB, real SQLite)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.agent.desk import handled_by_person
from app.events import TurnDone
from app.store.tickets import HANDED_BACK

pytestmark = pytest.mark.anyio


async def _escalated(desk, customer: str) -> tuple[str, int]:
    conversation = desk.start_conversation(customer)
    result = await desk.reply(conversation, "I want to talk to a human, please.")
    assert result.ticket is not None
    return conversation, result.ticket.id


async def test_an_open_ticket_still_gets_answers_meanwhile(desk) -> None:
    conversation, _ticket = await _escalated(desk, "h-1")
    answer = await desk.reply(conversation, "How do I reset my password?")
    assert not answer.forwarded and answer.tool_calls and "[1]" in answer.text


async def test_once_staff_take_the_ticket_messages_go_to_them_until_handed_back(desk) -> None:
    conversation, ticket = await _escalated(desk, "h-2")
    desk.store.tickets.assign(ticket, "sam")

    forwarded = await desk.reply(conversation, "How do I reset my password?")

    assert forwarded.forwarded and not forwarded.tool_calls and not forwarded.citations
    assert "A person is handling this" in forwarded.text and forwarded.ticket.number in forwarded.text
    history = desk.history(conversation)
    assert [m.role for m in history[-2:]] == ["user", "system"]  # no assistant answer was written
    events = desk.store.tickets.get(ticket).history
    assert events[-1]["event"] == "customer wrote" and "reset my password" in events[-1]["text"]

    desk.store.tickets.hand_back(ticket, "sam")
    assert desk.history(conversation)[-1].content == HANDED_BACK
    answered = await desk.reply(conversation, "How do I reset my password?")
    assert not answered.forwarded and "[1]" in answered.text


async def test_a_staff_reply_alone_also_takes_over_and_streaming_keeps_quiet(desk) -> None:
    conversation, ticket = await _escalated(desk, "h-3")
    assert not handled_by_person(desk.store.tickets.get(ticket))
    desk.store.tickets.reply(ticket, "sam", "Hi, Sam here. Looking into it.")
    assert handled_by_person(desk.store.tickets.get(ticket))

    events = [event async for event in desk.stream_reply(conversation, "Thanks, my parcel is still missing")]

    assert len(events) == 1 and isinstance(events[0], TurnDone) and events[0].result.forwarded
    desk.store.tickets.resolve(ticket, "sam")
    assert not handled_by_person(desk.store.tickets.get(ticket))


async def test_a_forwarded_message_is_not_mistaken_for_an_unanswered_one(desk) -> None:
    conversation, ticket = await _escalated(desk, "h-4")
    desk.store.tickets.assign(ticket, "sam")
    await desk.reply(conversation, "Any news?")
    assert desk.recover_unanswered(older_than=timedelta(seconds=-1)) == 0


async def test_a_second_hand_over_states_the_open_tickets_priority(desk) -> None:
    """A safety message after a plain request for a person finds the ticket already open at normal
    priority: the reply says what the ticket has, not the high priority the safety case asked for."""
    conversation, ticket = await _escalated(desk, "h-4")

    result = await desk.reply(conversation, "The charging dock is giving off smoke!")

    assert desk.store.tickets.get(ticket).priority == "normal"
    assert result.ticket is not None and result.ticket.number in result.text
    assert "high priority" not in result.text
