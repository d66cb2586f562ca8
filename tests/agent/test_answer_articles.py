"""Which articles a reply quotes, and in what order: the article with the most units near the top
answers; another article's sentence that merely shares a word with the question stays out.

Scores are set by hand (no embedder), so each test reads what the choice does with them.
"""

from __future__ import annotations

import numpy as np

from app.agent.providers.offline.answer import Unit, content_words, passage_units
from app.agent.providers.offline.answer_select import (
    FEATURES,
    SUPPORT_TOP,
    TYPED_LEAD,
    TYPED_LEAD_ELSEWHERE,
    article_standing,
    article_support,
    by_article,
    compose,
    read_question,
    unit_features,
)
from app.protocol import Passage

VULNERABILITY = (
    "If you find a security hole in the Kestrel app, email security@kestrel.example. "
    "There is no bug bounty programme at the moment. "
    "With your permission, we thank you by name on our acknowledgements page."
)
SCAMS = "Scammers run giveaways that ask you to pay a small fee for shipping a free device."


def _units(*texts: tuple[str, str]) -> list[Unit]:
    """The units of one passage per (doc_id, text), numbered in the order given."""
    passages = [
        Passage(number, f"{doc}#0", doc, doc.title(), "", text, 0.5)
        for number, (doc, text) in enumerate(texts, start=1)
    ]
    return passage_units(passages)


def _choose(units: list[Unit], question: str, scores: list[float]) -> list[str]:
    """The texts `compose` quotes for these unit scores (the scores stand in for similarity too)."""
    asked = read_question(question, question, content_words(question))
    similarity = np.asarray(scores)
    features = unit_features(asked, units, similarity, similarity, content_words)
    choice = compose(units, similarity, features, asked, lambda i, j: False, max_units=4)
    return [units[i].text for i in choice.indices]


def test_support_counts_each_articles_units_among_the_best_scoring() -> None:
    units = _units(("a", "One thing. Two things. Three things."), ("b", "Four things. Five things. Six."))
    ranked = [0, 3, 1, 2, 4, 5]
    assert SUPPORT_TOP == 5
    assert article_support(units, ranked) == {"a": 3, "b": 2}


def test_article_features_read_the_gap_to_the_top_and_the_share_of_the_top_units() -> None:
    units = _units(("a", "One thing. Two things."), ("b", "Three things."))
    similarity = np.asarray([0.9, 0.7, 0.6])
    gaps, shares = article_standing(units, similarity, np.argsort(-similarity))
    assert np.allclose(gaps, [0.0, 0.0, 0.3])
    assert np.allclose(shares, [2 / 3, 2 / 3, 1 / 3])
    asked = read_question("things", "things", content_words("things"))
    rows = unit_features(asked, units, similarity, similarity, content_words)
    assert np.allclose(rows[:, FEATURES.index("article_share")], shares)


def test_a_lone_sentence_of_a_weaker_article_stays_out_of_the_reply() -> None:
    units = _units(("vulnerability", VULNERABILITY), ("scams", SCAMS))
    question = "do you run a bug bounty for a security hole"
    # the scam sentence scores close to the best, but its article has one unit near the top, the
    # vulnerability article three
    quoted = _choose(units, question, [0.8, 0.78, 0.7, 0.79])
    assert SCAMS not in quoted
    assert quoted[0] == units[0].text


def test_an_amount_in_an_article_with_nothing_near_the_top_is_not_the_answer() -> None:
    units = _units(("vulnerability", VULNERABILITY), ("scams", SCAMS))
    # a price question: the scam sentence states an amount ("pay"), the best article's do not; it
    # scores between TYPED_LEAD_ELSEWHERE and TYPED_LEAD below the best and its article has no top unit
    low = 0.8 - (TYPED_LEAD + TYPED_LEAD_ELSEWHERE) / 2
    filler = _units(*((f"other-{k}", f"Filler sentence number {k} about security.") for k in range(4)))
    units = [*units, *filler]
    scores = [0.8, 0.79, 0.78, low, 0.77, 0.76, 0.75, 0.74]
    quoted = _choose(units, "how much do you pay for a bug bounty", scores)
    assert SCAMS not in quoted
    # the same sentence in the best article's own passage is its answer
    same = _units(
        ("vulnerability", f"{VULNERABILITY} {SCAMS}"), *((f"o-{k}", f"Filler {k} text.") for k in range(4))
    )
    assert _choose(same, "how much do you pay for a bug bounty", scores)[0] == SCAMS


def test_the_reply_quotes_the_best_units_article_first_in_reading_order() -> None:
    units = _units(("a", "First of a. Second of a."), ("b", "Only of b."), ("c", "First of c. Second of c."))
    support = {"a": 1, "b": 0, "c": 2}
    # best unit: the second of c; then c in reading order; then a (better supported than b), then b
    assert by_article(units, [4, 2, 0, 3], support) == (4, 3, 0, 2)
