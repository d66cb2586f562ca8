"""Key-fact recall and precision, and reply length, against values worked out by hand."""

from __future__ import annotations

import pytest

from eval.metrics.facts import (
    FACT_PRECISION,
    FACT_RECALL,
    REPLY_WORDS,
    REPLY_WORDS_MEDIAN,
    fact_precision,
    fact_recall,
    fact_scores,
    median_words,
    numbers_in,
    word_count,
)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Plus costs £4.99 a month or £49 a year.", {"4.99", "49"}),
        ("The stand is 59.00 EUR, the cable 9.00.", {"59", "9"}),
        ("Delivery takes 3–5 working days (3-5 in winter).", {"3", "5"}),
        ("Orders over €1,000 or 1,250.50 need a signature.", {"1000", "1250.5"}),
        ("Call 020 7946 0123 between 09:00 and 17:30.", {"02079460123", "9:00", "17:30"}),
        ("Your Aura 2 Pro and invoice KE-6604127, 5% off.", {"2", "6604127", "5"}),
        ("No numbers at all, and SKU KA2-BLK is a code.", set()),
    ],
)
def test_numbers_are_normalised(text: str, numbers: set[str]) -> None:
    assert numbers_in(text) == numbers


def test_fact_recall_hand_computed() -> None:
    reference = "Plus is £4.99 a month or £49 a year, with a 30-day free trial."
    assert fact_recall(reference, "Plus costs 4.99 GBP per month.") == pytest.approx(1 / 3)
    assert fact_recall(reference, "£4.99 monthly, £49.00 annually, 30 days free.") == 1.0
    assert fact_recall(reference, "Plus is a paid plan.") == 0.0
    assert fact_recall("Sign in and choose Resend.", "Any reply 24") is None  # nothing to recall


def test_fact_precision_hand_computed() -> None:
    passage = "Standard delivery takes 3–5 working days and costs €6.95, free over €60."
    reply = "Delivery takes 3 to 5 working days; express costs €9.99."  # 3, 5 backed; 9.99 is not
    assert fact_precision(reply, [passage]) == pytest.approx(2 / 3)
    assert fact_precision(reply, ["Express costs €9.99.", passage]) == 1.0
    assert fact_precision("No numbers here.", [passage]) is None


def test_fact_scores_hold_only_what_applies() -> None:
    scores = fact_scores("It takes 3–5 days.", "It takes 3-5 working days [1].", ["about 5 days"])
    assert scores == {FACT_RECALL: 1.0, FACT_PRECISION: 1.0, REPLY_WORDS: 6.0}
    assert fact_scores(None, "Hello there!") == {REPLY_WORDS: 2.0}
    # no reference: the reply's numbers are checked against the cited passages alone
    assert fact_scores(None, "It costs 12 or 14.", ["costs 12"]) == {FACT_PRECISION: 0.5, REPLY_WORDS: 5.0}


def test_median_reply_length() -> None:
    assert word_count("  one two\nthree ") == 3
    per_turn = [{REPLY_WORDS: 10.0}, {REPLY_WORDS: 2.0, FACT_RECALL: 1.0}, {}, {REPLY_WORDS: 7.0}]
    assert median_words(per_turn) == {REPLY_WORDS_MEDIAN: 7.0}
    assert median_words([{REPLY_WORDS: 2.0}, {REPLY_WORDS: 5.0}]) == {REPLY_WORDS_MEDIAN: 3.5}
    assert median_words([{}]) == {}
