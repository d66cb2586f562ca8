"""A section heading that says what a short question says: "battery life on these?" is answered
from the "Battery life" table of the demo help centre, not from a sentence elsewhere that happens to
mention battery life; and questions the help centre cannot answer are still declined.

Real MiniLM embeddings; passages are the demo help centre's own articles, read and chunked as the
knowledge base does (no mocks: no LLM is involved).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.agent.providers.offline.answer import ExtractiveAnswerer, Unit, content_words, passage_units
from app.agent.providers.offline.answer_select import named_sections, read_question
from app.knowledge.chunking import chunk_document
from app.knowledge.loaders import load_file
from app.protocol import Passage
from app.settings import Settings
from tests.agent.test_offline_client import MiniLM

KNOWLEDGE = Path(__file__).resolve().parents[2] / "datasets" / "knowledge_base"
THRESHOLD = Settings().offline_confidence


@pytest.fixture(scope="module")
def answerer() -> ExtractiveAnswerer:
    return ExtractiveAnswerer(MiniLM())


def article_passages(*doc_ids: str) -> list[Passage]:
    """Every chunk of the named demo articles, each article cited by its rank (1 for the first)."""
    settings = Settings()
    passages = []
    for number, doc_id in enumerate(doc_ids, start=1):
        document = load_file(KNOWLEDGE / f"{doc_id}.md", doc_id=doc_id)
        chunks = chunk_document(document, size=settings.chunk_size, overlap=settings.chunk_overlap)
        passages.extend(
            Passage(number, chunk.chunk_id, doc_id, document.title, chunk.section, chunk.text, 0.5)
            for chunk in chunks
        )
    return passages


def test_a_short_question_said_by_one_heading_is_answered_from_that_section(
    answerer: ExtractiveAnswerer,
) -> None:
    """The heading "Battery life" is over the table that answers; "updates often improve battery life"
    (another section) sounds more like the question. The remembered device picks the row."""
    units = passage_units(article_passages("troubleshooting/aura-charging-and-battery"))
    selection = answerer.select("battery life on these?", units, remembered=["Aura 2 Pro"])
    assert selection.units[0].section.endswith("Battery life")
    assert "Aura 2 Pro" in selection.units[0].text and "40 hours" in selection.units[0].text
    # the row shares the question's words through its heading, so the answer is given, not declined
    assert selection.shared_words > 0
    assert selection.confident(THRESHOLD)


def _units(*sections: tuple[str, str]) -> list[Unit]:
    passages = [
        Passage(1, f"doc#{i}", "doc", "Aura headphones", section, text, 0.5)
        for i, (section, text) in enumerate(sections)
    ]
    return passage_units(passages)


def test_only_a_heading_naming_every_word_of_the_question_and_the_only_one_is_named() -> None:
    units = _units(
        ("Battery life", "Aura 2 lasts up to 30 hours."),
        ("Battery runs down fast", "Updates often improve battery life."),
    )
    named = named_sections(read_question("battery life on these?", "", set()), units, content_words)
    assert list(named) == [1.0, 0.0]
    # one word of the question is said by many headings: no section is named by it alone
    one_word = _units(("Battery", "Aura 2 lasts up to 30 hours."), ("Charging", "Charge the battery."))
    named = named_sections(read_question("battery?", "", set()), one_word, content_words)
    assert not named.any()
    # two sections whose headings say it all: neither is singled out
    twice = _units(("Battery life", "Up to 30 hours."), ("Battery life tips", "Lower the volume."))
    named = named_sections(read_question("battery life?", "", set()), twice, content_words)
    assert not named.any()


@pytest.mark.parametrize(
    ("question", "previous_article"),
    [
        ("will there be a white one?", "troubleshooting/aura-charging-and-battery"),
        ("do you have a physical shop in Manchester I can visit", "contact/contact-us"),
    ],
)
def test_questions_the_help_centre_cannot_answer_are_still_declined(
    answerer: ExtractiveAnswerer, question: str, previous_article: str
) -> None:
    """Counting a heading's words as shared must not make an unrelated article's sentence an answer."""
    units = passage_units(article_passages(previous_article))
    assert not answerer.select(question, units).confident(THRESHOLD)


def test_the_words_of_any_quoted_unit_count_for_confidence(answerer: ExtractiveAnswerer) -> None:
    """The reply leads with the sentence a close labelled answer states the number of ("Syncing stops
    below 10%"), which shares no word with the question; the sentence after it names the Pulse
    watch, so the reply is about what was asked and is given, not declined."""
    units = passage_units(article_passages("troubleshooting/pulse-watch-not-syncing"))
    hint = ("Keep the watch near your phone. Syncing stops when the battery is below 10%.", 1.0)
    selection = answerer.select("pulse hasn't synced since sunday", units, hints=[hint])
    assert selection.units[0].text == "Syncing stops below 10%."
    assert any("Pulse" in unit.text for unit in selection.units[1:])
    assert selection.shared_words > 0 and selection.confident(THRESHOLD)
