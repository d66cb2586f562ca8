"""A message that asks two things in one: each part is answered, not only the one the whole message
sounds most like. Real MiniLM embeddings over the demo help centre's own France delivery article;
the questions are worded for this test."""

from __future__ import annotations

import pytest

from app.agent.providers.offline.answer import ExtractiveAnswerer, passage_units
from app.agent.providers.offline.answer_select import asked_parts
from tests.agent.test_answer_headings import article_passages
from tests.agent.test_offline_client import MiniLM


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "what does the evening slot cost and what time is the cut off",
            ["what does the evening slot cost", "what time is the cut off"],
        ),
        ("is the trial free? and does it renew by itself?", ["is the trial free", "does it renew by itself"]),
        (
            "Great! Which colours are there? Also, when will it ship?",
            ["Which colours are there", "when will it ship"],
        ),
        # context before one question, a list of names, one question with two verbs, one question said
        # twice: one question each
        ("I paid by card, when will the money be back", []),
        ("is it in stock? is it in stock?", []),
        ("and premium?", []),
        ("can I return it and get my money back?", []),
        ("can you check my order and tell me when it arrives", []),  # "tell me" starts no part
    ],
)
def test_the_parts_a_message_asks(text: str, parts: list[str]) -> None:
    assert asked_parts(text) == parts


def test_each_part_of_a_compound_question_is_answered() -> None:
    """The Corsica row answers how long; the whole message sounds most like it and nothing else. The
    second part, asked alone, is answered by the sentence saying express is not available."""
    units = passage_units(article_passages("orders/delivery-france"))
    question = "how many days does shipping to Corsica need, and is express possible there?"
    selection = ExtractiveAnswerer(MiniLM()).select(question, units)
    texts = [unit.text for unit in selection.units]
    assert texts[0].startswith("Corsica:")
    assert "Express is not available." in texts


def test_a_part_the_help_centre_says_nothing_about_adds_nothing() -> None:
    """The second part shares no word with any sentence of the article and asks for no kind of fact
    it states: the reply is what the first part alone gets."""
    units = passage_units(article_passages("orders/delivery-france"))
    answerer = ExtractiveAnswerer(MiniLM())
    alone = answerer.select("how many days does shipping to Corsica need", units)
    both = answerer.select(
        "how many days does shipping to Corsica need, and who painted the Mona Lisa?", units
    )
    assert [unit.text for unit in both.units] == [unit.text for unit in alone.units]
