"""Sibling articles: documents whose titles differ only in the variant they cover.

A help centre writes one article per product model, country or plan, under titles that differ in a
word or two ("Setting up Wi-Fi on Beacon Mini" / "... on Beacon Max", "Pairing and resetting Aura 2
headphones" / "... Aura 2 Pro headphones", "Delivery times and costs in France" / "... in
Germany"). Their bodies are nearly the same text, and each names its sibling ("for Beacon Max,
see..."), so neither meaning nor word counts tell them apart: the wrong model's article often
ranks first. The title does tell them apart, and the customer usually names the variant. So
among the top-ranked documents, of two siblings the one whose distinguishing title words the
customer named goes first:

1. the message names a word only one sibling's title has ("my beacon mini...");
2. else the earlier turns do (the dialogue is about the Mini);
3. else, when the customer named the words both titles share, the sibling that adds nothing
   unnamed ("Aura 2" over "Aura 2 Pro" for "can the aura 2 connect to two phones").

Nothing here is written for one knowledge base: siblings are found from the titles alone, and a
pair neither rule separates keeps the ranker's order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.knowledge.lexical import tokenize

WINDOW = 10  # documents at the top of the ranking that are reordered (the rest are far from shown)
MAX_DISTINCT = 2  # title words a sibling may have that the other lacks ("Pro", "United Kingdom")
_DIGIT_WORD = re.compile(r"\b\d\b")  # "Aura 2": a one-digit model number is a title word too


def title_words(text: str) -> frozenset[str]:
    """A text's words as titles compare them: lower case, plural "s" dropped, model digits kept."""
    words = [*tokenize(text), *_DIGIT_WORD.findall(text)]
    return frozenset(word[:-1] if len(word) > 3 and word.endswith("s") else word for word in words)


@dataclass(frozen=True)
class Asked:
    """What the customer named: the message's words and the earlier turns' words."""

    message: frozenset[str]
    context: frozenset[str]

    @classmethod
    def of(cls, message: str, context: Sequence[str]) -> Asked:
        return cls(title_words(message), title_words(" ".join(context)))


def siblings(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two titles name the same thing but for a variant: they share words, and each adds
    at most MAX_DISTINCT words, no more than they share."""
    shared = a & b
    extra = max(len(a - b), len(b - a))
    return bool(shared) and a != b and extra <= min(MAX_DISTINCT, len(shared))


def preferred(a: frozenset[str], b: frozenset[str], asked: Asked) -> bool:
    """Whether sibling title `a` is the one the customer asked about rather than `b` (see the
    module docstring for the three rules)."""
    only_a, only_b = a - b, b - a
    for named in (asked.message, asked.context):
        if named & only_a or named & only_b:
            return bool(named & only_a) and not named & only_b
    return not only_a and bool((asked.message | asked.context) & (a & b))


def prefer_named_variants(
    ranked: Sequence[tuple[str, float]],
    title_of: Callable[[str], tuple[str, str]],
    asked: Asked,
    window: int = WINDOW,
) -> list[tuple[str, float]]:
    """`ranked` (chunk id, score; best first) with each sibling the customer named moved to the
    place of the first-ranked sibling they did not: the two documents' best chunks trade places,
    and the scores stay where they were, so the list remains sorted. `title_of` gives a chunk's
    (document id, title)."""
    ids = [chunk_id for chunk_id, _ in ranked]
    firsts = _first_chunks(ids, title_of, window)
    for _ in range(len(firsts)):  # each pass settles at least one document; a cycle cannot loop
        swap = _first_misordered(firsts, asked)
        if swap is None:
            break
        i, j = swap
        ids[firsts[i][0]], ids[firsts[j][0]] = ids[firsts[j][0]], ids[firsts[i][0]]
        firsts[i], firsts[j] = (firsts[i][0], firsts[j][1]), (firsts[j][0], firsts[i][1])
    return [(chunk_id, score) for chunk_id, (_, score) in zip(ids, ranked, strict=True)]


def _first_chunks(
    ids: Sequence[str], title_of: Callable[[str], tuple[str, str]], window: int
) -> list[tuple[int, frozenset[str]]]:
    """(position, title words) of each of the first `window` documents' best chunk."""
    seen: set[str] = set()
    firsts = []
    for position, chunk_id in enumerate(ids):
        doc_id, title = title_of(chunk_id)
        if doc_id in seen:
            continue
        seen.add(doc_id)
        firsts.append((position, title_words(title)))
        if len(firsts) >= window:
            break
    return firsts


def _first_misordered(firsts: Sequence[tuple[int, frozenset[str]]], asked: Asked) -> tuple[int, int] | None:
    """The first pair (i ranked above j) of siblings where the customer asked about j."""
    for i, (_, upper) in enumerate(firsts):
        for j in range(i + 1, len(firsts)):
            lower = firsts[j][1]
            if siblings(upper, lower) and preferred(lower, upper, asked):
                return i, j
    return None
