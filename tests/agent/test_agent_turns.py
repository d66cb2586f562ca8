"""End to end with the real agent: offline model, real knowledge base, real SQLite."""

from __future__ import annotations

import pytest

from app.errors import InputError, NotFoundError
from app.events import TextDelta, ToolFinished, ToolStarted, TurnDone
from app.protocol import DECLINE_PHRASE, ESCALATE_TOOL, SEARCH_TOOL

pytestmark = pytest.mark.anyio


async def test_knowledge_question_is_answered_with_a_stored_citation(desk) -> None:
    conversation = desk.start_conversation("c-1")

    result = await desk.reply(conversation, "How much is the Plus plan?")

    assert "$12" in result.text
    assert result.searched and [call.name for call in result.tool_calls] == [SEARCH_TOOL]
    assert {c.doc_id for c in result.citations} == {"billing/plans"}  # one or two of its sections
    assert result.retrieved[result.citations[0].number - 1].chunk_id == result.citations[0].chunk_id
    stored = desk.history(conversation)
    assert [m.role for m in stored] == ["user", "assistant"]
    assert stored[-1].id == result.message_id
    assert stored[-1].citations[0]["chunk_id"] == result.citations[0].chunk_id
    assert stored[-1].tool_calls[0]["name"] == SEARCH_TOOL
    assert stored[-1].latency_ms and stored[-1].latency_ms > 0


async def test_follow_up_is_resolved_by_the_search_tool_from_the_dialogue(desk) -> None:
    """The model searches for "and for Premium?" as asked; the tool passes the earlier turns to the
    knowledge base, whose query construction (recent_context) supplies the subject."""
    conversation = desk.start_conversation("c-follow")
    await desk.reply(conversation, "How much is the Plus plan?")

    result = await desk.reply(conversation, "and for Premium?")

    query = result.tool_calls[0].arguments["query"]
    assert query.endswith("for Premium?") and "Plus" not in query
    assert "$20" in result.text
    assert {c.doc_id for c in result.citations} == {"billing/plans"}


async def test_unanswerable_question_is_declined_without_invention(desk) -> None:
    conversation = desk.start_conversation("c-2")

    result = await desk.reply(conversation, "What is the capital of Mongolia?")

    assert DECLINE_PHRASE in result.text
    assert result.searched and result.citations == []
    assert "[1]" not in result.text and "Ulaanbaatar" not in result.text
    assert desk.history(conversation)[-1].citations == []


async def test_stream_reply_emits_tool_events_then_text_then_done(desk) -> None:
    conversation = desk.start_conversation("c-3")

    events = [event async for event in desk.stream_reply(conversation, "How do I reset my password?")]

    kinds = [type(event) for event in events]
    assert kinds[0] is ToolStarted and events[0].name == SEARCH_TOOL
    assert kinds.index(ToolFinished) < kinds.index(TextDelta)
    assert kinds[-1] is TurnDone and kinds.count(TurnDone) == 1
    assert sum(kind is TextDelta for kind in kinds) > 1
    streamed = "".join(event.text for event in events if isinstance(event, TextDelta))
    result = events[-1].result
    assert streamed.strip() == result.text
    assert "Security" in result.text and result.citations[0].doc_id == "account/reset-password"
    assert desk.history(conversation)[-1].content == result.text


async def test_escalation_opens_exactly_one_ticket_when_asked_twice(desk) -> None:
    conversation = desk.start_conversation("c-4")

    first = await desk.reply(conversation, "I want to talk to a human, please.")
    second = await desk.reply(conversation, "Please get me a real person, I want to speak to a human.")

    assert ESCALATE_TOOL in [call.name for call in first.tool_calls]
    assert first.escalated and first.ticket is not None
    assert first.ticket.number in first.text
    tickets = desk.store.tickets.list()
    assert len(tickets) == 1 and tickets[0].conversation_id == conversation
    assert second.ticket is not None and second.ticket.number == first.ticket.number
    assert "talk to a human" in tickets[0].summary


async def test_human_reply_from_the_console_is_in_the_history(desk) -> None:
    conversation = desk.start_conversation("c-5")
    first = await desk.reply(conversation, "I want to talk to a human, please.")
    desk.store.tickets.reply(first.ticket.id, "staff-ana", "Hi, Ana here - I have refunded your order.")

    history = desk.history(conversation)

    assert history[-1].role == "human_agent" and "refunded" in history[-1].content


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
async def test_empty_or_long_message_is_rejected_before_anything_is_stored(desk, text: str) -> None:
    conversation = desk.start_conversation("c-6")

    with pytest.raises(InputError):
        await desk.reply(conversation, text)
    with pytest.raises(InputError):
        desk.stream_reply(conversation, text)

    assert desk.history(conversation) == []


async def test_unknown_conversation_is_not_found(desk) -> None:
    with pytest.raises(NotFoundError):
        await desk.reply("no-such-conversation", "hello")


async def test_seeded_history_is_stored_and_validated(desk) -> None:
    conversation = desk.start_conversation("c-7")
    desk.seed_history(conversation, [("user", "Hi there"), ("assistant", "Hello! How can I help?")])

    with pytest.raises(InputError):
        desk.seed_history(conversation, [("user", "ok"), ("robot", "beep")])

    assert [(m.role, m.content) for m in desk.history(conversation)] == [
        ("user", "Hi there"),
        ("assistant", "Hello! How can I help?"),
    ]
