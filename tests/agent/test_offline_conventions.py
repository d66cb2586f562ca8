"""The shared text formats read back exactly what was written, whatever the passage text holds."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.agent.providers.offline.answer import Selection, passage_units
from app.agent.providers.offline.client import without_fixed_replies
from app.agent.providers.offline.intents import REASONS
from app.agent.providers.offline.replies import HANDOVER_OPENINGS, decline, escalated, extracted
from app.protocol import (
    ESCALATED_PHRASE,
    FACTS_HEADER,
    NO_PASSAGES,
    attachment_marker,
    cited_numbers,
    find_attachment_ids,
    find_ticket_number,
    find_ticket_priority,
    format_facts,
    format_passages,
    parse_facts,
    parse_passages,
    strip_attachment_markers,
    without_citations,
)


@dataclass
class FakeHit:
    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str
    score: float


TRICKY_TEXT = (
    "First line [2] with brackets.\n\n"
    "[3] title: Not a real header\n"
    "score: 9\n"
    "> already quoted\n"
    "| Plan | Price |\n|---|---|\n| Plus | $12 |"
)


def test_passages_round_trip_with_tricky_text() -> None:
    hits = [
        FakeHit("billing/plans#0", "billing/plans", "Plans [and] prices", "Prices", TRICKY_TEXT, 0.8123),
        FakeHit("account/reset#1", "account/reset", "Reset", "", "One line.", 0.5),
    ]
    passages = parse_passages(format_passages(hits))
    assert [p.number for p in passages] == [1, 2]
    assert passages[0].text == TRICKY_TEXT
    assert (passages[0].chunk_id, passages[0].doc_id, passages[0].title) == (
        "billing/plans#0",
        "billing/plans",
        "Plans [and] prices",
    )
    assert passages[0].score == pytest.approx(0.8123)
    assert passages[1].section == "" and passages[1].text == "One line."


def test_numbering_can_continue_across_searches() -> None:
    text = format_passages([FakeHit("c", "d", "t", "s", "x", 0.1)], start=4)
    assert text.startswith("[4] ")
    assert parse_passages(text)[0].number == 4


def test_no_hits_reads_as_no_passages() -> None:
    assert format_passages([]) == NO_PASSAGES
    assert parse_passages(NO_PASSAGES) == []


@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=80),
        min_size=1,
        max_size=4,
    )
)
def test_any_passage_text_round_trips(texts: list[str]) -> None:
    hits = [FakeHit(f"c{i}", f"d{i}", "T", "S", text, 0.25) for i, text in enumerate(texts)]
    assert [p.text for p in parse_passages(format_passages(hits))] == texts


def test_attachment_markers() -> None:
    text = f"What is due? {attachment_marker(12, 'invoice [v2].pdf')} {attachment_marker(3, 'a.txt')}"
    assert find_attachment_ids(text) == [12, 3]
    assert strip_attachment_markers(text) == "What is due?"
    assert find_attachment_ids("see [Attachment x: y]") == []


def test_facts_block_round_trip() -> None:
    facts = {"order_number": "10482", "plan": "Pro", "name": "Dana\nK"}
    block = format_facts(facts)
    assert block.splitlines()[0] == FACTS_HEADER
    instructions = f"You are a support agent.\n\n{block}\n\nBe brief."
    assert parse_facts(instructions) == {"order_number": "10482", "plan": "Pro", "name": "Dana K"}
    assert format_facts({}) == ""
    assert parse_facts("no facts here") == {}


def test_citations_and_ticket_numbers() -> None:
    assert cited_numbers("Plus costs $12 [2]. It includes delivery [1][2].") == [2, 1]
    assert find_ticket_number("Opened ticket T-000042 (high).") == "T-000042"
    assert find_ticket_number("no ticket") is None
    assert find_ticket_priority("Ticket T-000042 opened with priority urgent. A member ...") == "urgent"
    already = "This conversation already has ticket T-000042 (open, priority normal); no new ticket"
    assert find_ticket_priority(already) == "normal"
    assert find_ticket_priority("Ticket T-000042 opened.") is None


def test_retrieval_context_leaves_out_the_assistants_fixed_phrases() -> None:
    dialogue = [
        "my Beacon Mini won't join the wifi",
        decline(),
        "it's a mesh system",
        escalated("T-000001", "normal"),
    ]
    assert without_fixed_replies(dialogue) == ["my Beacon Mini won't join the wifi", "it's a mesh system"]


def test_a_hand_over_says_its_priority_only_when_it_is_raised() -> None:
    normal, high = escalated("T-000001", "normal"), escalated("T-000002", "high")
    assert "T-000001" in normal and "priority" not in normal
    assert "T-000002" in high and "high priority" in high
    assert "urgent priority" in escalated("T-000004", "urgent")
    assert escalated("T-000003", "low", after_decline=True).startswith("I couldn't find that")


def test_a_hand_over_opens_with_what_its_reason_calls_for() -> None:
    """Every reason to hand over has an opening or deliberately none; an unknown one gets none."""
    assert escalated("T-000001", "normal", reason="frustration").startswith("I'm sorry")
    assert escalated("T-000001", "normal", reason="staff_action").startswith("I can't do that myself, so I")
    assert escalated("T-000001", "normal", reason="human").startswith(ESCALATED_PHRASE)
    assert escalated("T-000001", "normal", reason="").startswith(ESCALATED_PHRASE)
    # a hand-over after a decline explains that instead
    assert escalated("T-000001", "normal", reason="fraud", after_decline=True).startswith("I couldn't find")
    assert set(HANDOVER_OPENINGS) <= set(REASONS)


@dataclass
class ReviewHit(FakeHit):
    metadata: dict


def test_review_passages_are_quoted_as_what_guests_say() -> None:
    hits = [
        ReviewHit(
            "h:1:review:1:0",
            "h:1:review:1:0",
            "Acorn House",
            "",
            "The view was lovely.",
            0.9,
            {"doc_type": "review"},
        ),
        ReviewHit(
            "h:1:review:2:0",
            "h:1:review:2:0",
            "Acorn House",
            "",
            "Great views at night.",
            0.8,
            {"doc_type": "review"},
        ),
        ReviewHit("h:1:faq:3", "h:1:faq:3", "Acorn House", "", "Parking is free.", 0.7, {"doc_type": "faq"}),
    ]
    passages = parse_passages(format_passages(hits))
    assert [p.kind for p in passages] == ["review", "review", "faq"]
    reviews = Selection(tuple(passage_units(passages[:2])), 0.9)
    assert (
        extracted(reviews)
        == "Guests' reviews of Acorn House say: The view was lovely [1]. Great views at night [2]."
    )
    mixed = Selection(tuple(passage_units(passages[1:])), 0.9)
    assert extracted(mixed) == "Great views at night [2]. Parking is free [3]."
    assert without_citations(extracted(mixed)) == "Great views at night. Parking is free."


def test_a_selected_snippet_says_so_and_reads_back() -> None:
    @dataclass
    class SelectedHit(FakeHit):
        metadata: dict = field(default_factory=lambda: {"doc_type": "review", "selected": True})

    text = format_passages([SelectedHit("c", "d", "t", "s", "x", 0.9), FakeHit("e", "f", "t", "s", "y", 0.1)])
    first, second = parse_passages(text)
    assert (first.selected, first.kind) == (True, "review")
    assert not second.selected and "selected:" not in text.split("[2]")[1]
