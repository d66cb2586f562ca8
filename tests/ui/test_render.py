"""The pure rendering rules: what the customer sees for each event and stored record."""

from __future__ import annotations

from datetime import UTC, datetime

from app.events import (
    Citation,
    TextDelta,
    ToolCallRecord,
    ToolFinished,
    ToolStarted,
    TurnDone,
    TurnResult,
)
from app.store.records import ConversationRecord, MessageRecord, TicketRecord
from app.ui import render
from app.ui.articles import Passage

CITATION = Citation(1, "billing/plans#0", "billing/plans", "Plans", "billing/plans.md")


def _hit(chunk_id: str, text: str):
    from app.knowledge.documents import Hit

    return Hit(
        chunk_id=chunk_id,
        doc_id="billing/plans",
        title="Plans",
        section="Prices",
        text=text,
        source="billing/plans.md",
        score=0.9,
        rank=1,
        metadata={},
    )


def _result(**changes) -> TurnResult:
    values = dict(
        conversation_id="c1",
        message_id=7,
        text="Plus costs $12 [1].",
        tool_calls=[ToolCallRecord("search_knowledge_base", {"query": "plus price"}, "[1] Plans ...", 12.0)],
        citations=[CITATION],
        retrieved=[_hit("billing/plans#0", "The Plus plan costs $12 per month.")],
    )
    values.update(changes)
    return TurnResult(**values)


def test_user_text_is_escaped_so_markup_never_runs():
    message = render.user_message('<script>alert("x")</script><img src=x onerror=alert(1)>')
    assert "<script>" not in message["content"]
    assert "<img" not in message["content"]
    assert "&lt;script&gt;" in message["content"]


def test_user_message_lists_attachment_names_escaped():
    message = render.user_message("see file", ["inv<o>ice.pdf"])
    assert "📎" in message["content"] and "inv&lt;o&gt;ice.pdf" in message["content"]


def test_streamed_events_build_a_step_then_the_text():
    turn = render.LiveTurn()
    turn = render.apply_event(turn, ToolStarted("search_knowledge_base", {"query": "plus"}))
    pending = render.live_messages(turn)
    assert pending[0]["metadata"]["status"] == "pending"
    assert "search_knowledge_base" in pending[0]["metadata"]["title"]
    turn = render.apply_event(turn, ToolFinished("search_knowledge_base", "[1] Plans", 250.0))
    turn = render.apply_event(turn, TextDelta("Plus "))
    turn = render.apply_event(turn, TextDelta("costs"))
    messages = render.live_messages(turn)
    assert messages[0]["metadata"] == {
        "title": "🛠️ Used tool: search_knowledge_base",
        "status": "done",
        "duration": 0.25,
    }
    assert '"query": "plus"' in messages[0]["content"]
    assert messages[-1] == {"role": "assistant", "content": "Plus costs"}


def test_finished_turn_shows_sources_with_the_cited_passage():
    turn = render.apply_event(render.LiveTurn(text="partial"), TurnDone(_result()))
    messages = render.live_messages(turn)
    assert [m.get("metadata", {}).get("title", "") for m in messages][1] == ""
    assert messages[1]["content"] == "Plus costs $12 [1]."
    sources = messages[-1]
    assert sources["metadata"]["title"] == "📚 Sources (1)"
    assert "[1] [Plans › Prices](/help/billing/plans#prices)" in sources["content"]
    assert "billing/plans.md" in sources["content"]
    assert "The Plus plan costs $12 per month." in sources["content"]


def test_turn_without_citations_has_no_sources_message():
    messages = render.turn_messages(_result(citations=[], tool_calls=[]))
    assert messages == [{"role": "assistant", "content": "Plus costs $12 [1]."}]


def test_stored_conversation_renders_like_the_live_turn_and_maps_ratings():
    records = [
        MessageRecord(id=1, conversation_id="c1", role="user", content="How much is Plus?"),
        MessageRecord(
            id=2,
            conversation_id="c1",
            role="assistant",
            content="Plus costs $12 [1].",
            tool_calls=[
                ToolCallRecord(
                    "search_knowledge_base", {"query": "plus price"}, "[1] Plans ...", 12.0
                ).to_dict()
            ],
            citations=[CITATION.to_dict()],
        ),
        MessageRecord(id=5, conversation_id="c1", role="human_agent", content="Hi, <b>Sam</b> here"),
    ]
    passage = Passage("Prices", "The Plus plan costs $12 per month.")
    view = render.conversation_view(records, {"billing/plans#0": passage})
    live = render.turn_messages(_result(message_id=2))
    assert view.messages[1:4] == live
    assert view.message_ids == [None, 2, 2, 2, None]  # the whole answer group rates message 2
    assert view.last_id == 5
    assert view.messages[-1] == {
        "role": "assistant",
        "content": f"**{render.HUMAN_TITLE}**\n\nHi, &lt;b&gt;Sam&lt;/b&gt; here",
    }
    assert render.rating_target(view.message_ids, 1) == 2  # the group's first message: a tool step
    assert render.rating_target(view.message_ids, 2) == 2
    assert render.rating_target(view.message_ids, 0) is None
    assert render.rating_target(view.message_ids, 99) is None


def test_escalation_banner_names_the_ticket():
    now = datetime.now(UTC)
    ticket = TicketRecord(
        id=42,
        number="T-000042",
        conversation_id="c1",
        status="open",
        priority="high",
        reason="refund",
        summary="wants a refund",
        assignee=None,
        history=[],
        created_at=now,
        updated_at=now,
    )
    banner = render.escalation_banner(ticket)
    assert "T-000042" in banner and "waiting for an agent" in banner
    assert render.escalation_banner(None) == ""


def test_conversation_label_uses_title_and_date():
    now = datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
    record = ConversationRecord(
        id="abc", customer_id=1, title=None, session_state={}, created_at=now, updated_at=now
    )
    assert render.conversation_label(record) == "2025-01-02 03:04 · Untitled conversation · #abc"


def test_long_results_are_shortened_at_a_word():
    assert render.shorten("one two three four", 9) == "one two …"


def test_passages_are_quoted_line_by_line():
    assert render.quote("- a\n\n- b c d", 9) == "> - a\n>\n> - b …"


def test_stored_user_message_shows_attachment_names_not_markers():
    from app.protocol import attachment_marker

    content = f"What is this?\n{attachment_marker(9, 'invoice.pdf')}"
    record = MessageRecord(id=3, conversation_id="c1", role="user", content=content, attachment_ids=[9])
    view = render.conversation_view([record], {}, {9: "invoice.pdf"})
    assert view.messages == [{"role": "user", "content": "What is this?\n\n📎 `invoice.pdf`"}]


def test_citations_are_renumbered_in_the_order_the_answer_cites_them():
    second = Citation(2, "returns/refunds#0", "returns/refunds", "Refunds", "/srv/kb/returns/refunds.md")
    third = Citation(5, "billing/plans#0", "billing/plans", "Plans", "billing/plans.md")
    result = _result(text="Refunds take 5 days [2][5], and Plus costs $12 [5].", citations=[third, second])
    answer, sources = render.turn_messages(result)[1:]
    assert answer["content"].startswith("Refunds take 5 days [1]") and "$12 [2]." in answer["content"]
    content = sources["content"]
    assert sources["metadata"]["title"] == "📚 Sources (2)"
    assert content.index("**[1] [Refunds]") < content.index("**[2] [Plans › Prices]")
    assert "[5]" not in content and "/srv/" not in content  # numbered as read; never a server path
    assert "(/help/returns/refunds)" in content  # no section known: the article's top


def test_a_title_cannot_break_out_of_its_source_link():
    citation = Citation(1, "x#0", "x", "Evil](javascript:alert(1)) [", "x.md")
    content = render.turn_messages(_result(text="See [1].", citations=[citation], retrieved=[]))[-1][
        "content"
    ]
    assert "](javascript" not in content and "(/help/x)" in content
