"""Sibling articles (titles that differ only in a variant): the one the customer named ranks first."""

from __future__ import annotations

import pytest

from app.knowledge import KnowledgeBase, SourceDocument
from app.knowledge.variants import Asked, prefer_named_variants, preferred, siblings, title_words

MINI = title_words("Setting up Wi-Fi on Beacon Mini")
MAX = title_words("Setting up Wi-Fi on Beacon Max")
AURA = title_words("Pairing and resetting Aura 2 headphones")
AURA_PRO = title_words("Pairing and resetting Aura 2 Pro headphones")
RETURNS = title_words("Returning a parcel in Germany")
DELIVERY = title_words("Delivery times and costs in Germany")


def test_siblings_share_words_and_differ_in_a_few() -> None:
    assert siblings(MINI, MAX)
    assert siblings(AURA, AURA_PRO)
    assert not siblings(RETURNS, DELIVERY)  # one country's pages on different subjects
    assert not siblings(MINI, MINI)


@pytest.mark.parametrize(
    ("message", "context", "first", "second"),
    [
        ("my beacon mini keeps dropping off the wifi", [], MINI, MAX),
        ("it keeps dropping off the wifi", ["I have a beacon mini"], MINI, MAX),
        ("how do I reset my aura 2 pro", [], AURA_PRO, AURA),
        ("can the aura 2 connect to two phones at once", [], AURA, AURA_PRO),
        ("and the max?", ["is the beacon mini on 5 GHz"], MAX, MINI),  # the message decides
    ],
)
def test_the_named_variant_is_preferred(message: str, context: list[str], first, second) -> None:
    asked = Asked.of(message, context)
    assert preferred(first, second, asked)
    assert not preferred(second, first, asked)


@pytest.mark.parametrize(
    ("message", "context"),
    [
        ("what is the difference between the beacon mini and the max", []),  # both named
        ("my speaker will not join the network", []),  # neither named
    ],
)
def test_neither_sibling_is_preferred_when_the_customer_does_not_choose(message: str, context) -> None:
    asked = Asked.of(message, context)
    assert not preferred(MINI, MAX, asked)
    assert not preferred(MAX, MINI, asked)


def test_the_named_sibling_takes_the_others_place_and_scores_stay_sorted() -> None:
    titles = {
        "max#1": ("max", "Setting up Wi-Fi on Beacon Max"),
        "max#2": ("max", "Setting up Wi-Fi on Beacon Max"),
        "reset#1": ("reset", "Beacon factory reset"),
        "mini#1": ("mini", "Setting up Wi-Fi on Beacon Mini"),
    }
    ranked = [("max#1", 0.9), ("max#2", 0.8), ("reset#1", 0.7), ("mini#1", 0.6)]
    reordered = prefer_named_variants(ranked, titles.__getitem__, Asked.of("beacon mini wifi", []))
    assert [chunk_id for chunk_id, _ in reordered] == ["mini#1", "max#2", "reset#1", "max#1"]
    assert [score for _, score in reordered] == [0.9, 0.8, 0.7, 0.6]
    unchanged = prefer_named_variants(ranked, titles.__getitem__, Asked.of("speaker wifi", []))
    assert unchanged == ranked


def test_search_ranks_the_named_models_article_first(make_kb) -> None:
    """The Max article says more about the Mini than the Mini's own short article does, so the
    rankers put it first for a Mini question; the title rule (the default) puts the Mini's first,
    for the message and for a follow-up whose earlier turn named the model."""
    docs = [
        SourceDocument(
            "wifi/max",
            "Setting up Wi-Fi on Beacon Max",
            "# Setting up Wi-Fi on Beacon Max\n\nBeacon Max joins 2.4 and 5 GHz Wi-Fi networks. Unlike "
            "Beacon Max, Beacon Mini joins 2.4 GHz Wi-Fi only: if your Beacon Mini cannot find your Wi-Fi "
            "network, see the Beacon Mini article.",
            "max.md",
        ),
        SourceDocument(
            "wifi/mini",
            "Setting up Wi-Fi on Beacon Mini",
            "# Setting up Wi-Fi on Beacon Mini\n\nHold the button for 5 seconds, then choose a network.",
            "mini.md",
        ),
    ]
    question = "my beacon mini cannot find my wifi network"
    plain: KnowledgeBase = make_kb("variants", named_variants=False)
    plain.ingest_documents(docs)
    assert plain.search(question, k=2, unique_docs=True)[0].doc_id == "wifi/max"

    named = make_kb("variants")
    assert named.search(question, k=2, unique_docs=True)[0].doc_id == "wifi/mini"
    follow_up = named.search("it cannot find my wifi network", k=2, context=["I have a beacon mini"])
    assert follow_up[0].doc_id == "wifi/mini"
