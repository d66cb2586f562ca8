"""Key facts: the numbers an answer states, compared with the numbers a reference answer states.

A support answer that leaves out the price, the number of days or the limit the customer asked for
has failed, however fluent it is; text-overlap metrics barely notice. These scores do:

- `answers/fact_recall`: of the distinct numbers the reference states, the share the reply also
  states. Only turns whose reference states a number take part.
- `answers/fact_precision`: of the distinct numbers the reply states, the share that the reference,
  a passage the reply cites, or what the agent was told (the customer's messages, an attachment's
  text, the ticket a tool opened) also states (a number from nowhere is a made-up fact). Only turns
  whose reply states a number take part.
- `answers/reply_words`: the reply's length in words (the run also reports the median).

Numbers are normalised so that the same quantity matches however it is written: currency signs and
units are not part of a number (£4.99 → 4.99), trailing decimal zeros go (59.00 = 59), thousands
separators go (1,000 = 1000), leading zeros go (06 = 6), and a range gives both ends (3–5 → 3 and 5).
A phone number written in groups ("020 7946 0123") is one number; "[2]" citation markers are ignored.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence

FACT_RECALL = "answers/fact_recall"
FACT_PRECISION = "answers/fact_precision"
REPLY_WORDS = "answers/reply_words"
REPLY_WORDS_MEDIAN = "replies/median_words"

# A phone number in groups: a leading 0 or +, then two or more groups of digits separated by spaces.
_PHONE = re.compile(r"(?<![\w.,])(?:\+\d{1,3}|0\d{1,4})(?: \d{3,4}){2,}(?![\w])")
# A number: digits with optional thousands separators and an optional decimal or time part.
_NUMBER = re.compile(
    r"(?<![A-Za-z\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|(?<![A-Za-z\d.,])\d+(?:[.:]\d+)?(?!\d)"
)
_CITATION = re.compile(r"\[\d{1,3}\]")  # a "[2]" citation marker is not a fact
_WORD = re.compile(r"\S+")


def normalise_number(text: str) -> str:
    """The canonical spelling of one number: no separators, no leading or trailing zeros."""
    text = text.replace(",", "")
    if ":" in text:  # a time: 09:00 and 9:00 are the same
        hours, minutes = text.split(":", 1)
        return f"{int(hours)}:{minutes}"
    whole, _, fraction = text.partition(".")
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def numbers_in(text: str) -> set[str]:
    """Every distinct number a text states, normalised (a range's ends count as two numbers)."""
    text = _CITATION.sub(" ", text)
    found = {"".join(match.group(0).split()) for match in _PHONE.finditer(text)}
    rest = _PHONE.sub(" ", text)
    found.update(normalise_number(match.group(0)) for match in _NUMBER.finditer(rest))
    return found


def fact_recall(reference: str, response: str) -> float | None:
    """Share of the reference's numbers that the response states; None when the reference has none."""
    wanted = numbers_in(reference)
    if not wanted:
        return None
    return len(wanted & numbers_in(response)) / len(wanted)


def fact_precision(response: str, supports: Iterable[str]) -> float | None:
    """Share of the response's numbers found in some supporting text; None when it states none."""
    stated = numbers_in(response)
    if not stated:
        return None
    supported: set[str] = set()
    for text in supports:
        supported |= numbers_in(text)
    return len(stated & supported) / len(stated)


def word_count(text: str) -> int:
    """Whitespace-separated words, as a reader would count them."""
    return len(_WORD.findall(text))


def fact_scores(reference: str | None, response: str, cited: Sequence[str] = ()) -> dict[str, float]:
    """One turn's fact scores and reply length: only the scores that apply to it."""
    scores = {REPLY_WORDS: float(word_count(response))}
    if reference and (recall := fact_recall(reference, response)) is not None:
        scores[FACT_RECALL] = recall
    supports = [reference, *cited] if reference else list(cited)
    if (precision := fact_precision(response, supports)) is not None:
        scores[FACT_PRECISION] = precision
    return scores


def median_words(per_turn: Iterable[dict[str, float]]) -> dict[str, float]:
    """The run's median reply length, from the per-turn word counts (absent when there are none)."""
    counts = [scores[REPLY_WORDS] for scores in per_turn if REPLY_WORDS in scores]
    return {REPLY_WORDS_MEDIAN: float(statistics.median(counts))} if counts else {}
