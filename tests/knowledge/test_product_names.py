"""A message that names a product is also searched without the name (retrieval.py `search`).

Real MiniLM and real Chroma: the product's own articles repeat its name in every sentence, so the
name alone outranks the article about what the customer asked.
"""

from __future__ import annotations

import re

import pytest

from app.knowledge import KnowledgeBase, vocabulary
from app.knowledge.documents import SourceDocument
from app.knowledge.vocabulary import Vocabulary

HEADINGS = ["Setting up Wi-Fi on Beacon Max", "Beacon speakers", "Returns from France"]
TEXT = "Plug in the Beacon Max speaker. Choose Beacon Max in the app. Every Beacon speaker has Wi-Fi."


def _article(doc_id: str, title: str, body: str) -> SourceDocument:
    return SourceDocument(doc_id, title, f"# {title}\n\n{body}", f"{doc_id}.md")


DOCS = [
    _article(
        "setup/max",
        "Setting up Wi-Fi on Beacon Max",
        "Plug in the Beacon Max speaker and wait until the Beacon Max light bar pulses white. Open the app "
        "and choose Add device, then Beacon Max. Beacon Max joins 2.4 and 5 GHz networks.",
    ),
    _article(
        "reset/max",
        "Resetting Beacon Max",
        "Hold the Beacon Max power button for 20 seconds. The Beacon Max light bar turns orange and the "
        "Beacon Max speaker restarts with its factory settings.",
    ),
    _article(
        "start/max",
        "Beacon Max quick start",
        "Thank you for choosing Beacon Max. Place your Beacon Max speaker on a flat surface and plug "
        "the Beacon Max into power.",
    ),
    _article(
        "returns/france",
        "Returns from France",
        "To send an order back from France, start the return in your account and drop the parcel at a "
        "Mondial Relay point within 14 days.",
    ),
]


def test_the_names_of_a_kind_are_taken_out_of_a_message() -> None:
    vocabulary = Vocabulary.from_headings(HEADINGS, TEXT)
    assert vocabulary.without("How do I send my beacon max back?", "device") == "How do I send my back?"
    assert vocabulary.without("How do I send it back?", "device") == "How do I send it back?"
    # "Beacon 2" is no model the articles name: the question is about it, so it stays
    assert vocabulary.without("when is the beacon 2 out?", "device") == "when is the beacon 2 out?"
    assert vocabulary.without("my Beacon Max 45mm is loud", "device") == "my 45mm is loud"


def test_a_product_name_does_not_push_the_asked_article_out(make_kb) -> None:
    question = "how can I send my Beacon Max back"
    as_asked: KnowledgeBase = make_kb("names", unnamed_search_weight=0)
    as_asked.ingest_documents(DOCS)
    assert as_asked.search(question, k=1)[0].doc_id != "returns/france"

    fused = make_kb("names")
    hits = fused.search(question, k=2, unique_docs=True)
    assert hits[0].doc_id == "returns/france"
    assert [hit.rank for hit in hits] == [1, 2]
    assert hits[0].score >= hits[1].score
    # a question about the product itself still finds the product's article on it
    assert "reset/max" in [hit.doc_id for hit in fused.search("how do I reset my Beacon Max", k=2)]


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"\bClub\s+Plus\b", "join Kestrel Club  Plus today"),
        (r"\bClub\s+Plus\b", "join KestrelClub Plus today"),
        (r"\bClub\s+Plus\b", "Club Plusses are not a plan, but Club Plus is"),
        (r"\bClub\s+Plus\b", "Club Plusses only"),
        (r"\bAura\s+(?:headphones|speakers?)\b", "the Aura headphones."),
        (r"\bAura\s+(?:headphones|speakers?)\b", "Laura headphones, then Aura speakers"),
        (r"\bDisney\+\s+plan\b", "a Disney+ plan"),
        (r"\bDisney\+\s+plan\b", "a Disney+ planet"),
    ],
)
def test_a_fast_search_finds_what_re_finds(pattern: str, text: str) -> None:
    """The vocabulary searches its patterns from their literal part (18 s -> 3 s on τ³'s articles);
    it must find exactly what `re.search` finds, word boundaries included."""
    assert vocabulary._found(pattern, text) == (re.search(pattern, text) is not None)


@pytest.mark.parametrize(
    "text",
    ["sold as Beacon Max.", "Beacon Max first", "as BBeacon Max", "the Beacon Maxi", "is (Beacon Max)"],
)
def test_a_name_mid_sentence_is_found_as_re_finds_it(text: str) -> None:
    expected = re.search(r"[a-z0-9,;(] Beacon Max\b", text) is not None
    assert vocabulary._named_mid_sentence("Beacon Max", text) == expected
