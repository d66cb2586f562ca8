"""Replies from an entity's selected knowledge snippets: DSTC-style FAQs and review sentences.

When the dialogue is about one entity (a hotel, a restaurant), the knowledge base selects the set
of that entity's snippets that answers the question and marks them `selected` (app/knowledge/
selection.py). The general extractive answerer quotes at most a few of the retrieved units, which
drops most of such a set: a question about the breakfast is answered by every guest who spoke of
it. This module composes one short reply that cites the whole set instead:

- an FAQ is the company's word: its answer is quoted (not its question);
- review sentences are guests' opinions: the reply says how many of the guests who mention the
  aspect are pleased and how many are not, and quotes the larger side (a quote from each side made
  the reply longer: ROUGE-L 0.181 on the DSTC11 dev fitting part, one quote 0.190);
- a question about two entities ("which of A and B has parking?") gets one clause per entity.

It runs only on selected FAQ or review snippets, so help-centre articles keep the general path.
Opinion is read by VADER (a human-rated sentiment lexicon with rules for negation, degree and
"but"); a zero-shot reading from MiniLM embeddings (closer to generic pleased or displeased
statements) called about a third of 40 DSTC11 review sentences wrong, VADER far fewer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from app.protocol import Passage

FAQ = "faq"
REVIEW = "review"
ENTITY_KINDS = frozenset({FAQ, REVIEW})
MAX_FAQ_QUOTES = 2  # further selected FAQs are cited, not quoted, to keep the reply short
MAX_QUOTE_WORDS = 30
# VADER's compound score below this in size is neither pleased nor displeased (a plain fact such as
# "breakfast is served until ten"): it counts as a mention, not a verdict (VADER's own convention).
OPINION_MARGIN = 0.05
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@dataclass(frozen=True)
class Snippet:
    """One selected snippet: what it says, whose word it is, and the passage number it is cited by."""

    number: int
    kind: str
    entity: str
    doc_id: str
    text: str

    @property
    def cite(self) -> str:
        return f"[{self.number}]"

    @property
    def author(self) -> str:
        """The review a sentence belongs to (`hotel:20:review:9:4` -> `hotel:20:review:9`)."""
        head, _, last = self.doc_id.rpartition(":")
        return head if self.kind == REVIEW and head and last.isdigit() else self.doc_id


def entity_snippets(passages: Sequence[Passage]) -> list[Snippet]:
    """The selected FAQ and review snippets among the passages, most probable first (the search
    lists the selected set first, in that order); [] when the search selected none."""
    found: dict[str, Snippet] = {}
    for passage in passages:
        if passage.selected and passage.kind in ENTITY_KINDS and passage.doc_id not in found:
            text = faq_answer(passage.text) if passage.kind == FAQ else _one_line(passage.text)
            if text:
                found[passage.doc_id] = Snippet(
                    passage.number, passage.kind, passage.title, passage.doc_id, text
                )
    return list(found.values())


def faq_answer(text: str) -> str:
    """The answer part of an FAQ document ("question\\n\\nanswer", or "title\\n\\nbody")."""
    head, _, rest = text.strip().partition("\n\n")
    return _one_line(rest) if rest.strip() else _one_line(head)


def _one_line(text: str) -> str:
    return " ".join(text.split())


class EntityAnswerer:
    """Composes the reply from the selected snippets; reads each review sentence's opinion."""

    @cached_property
    def _sentiment(self) -> SentimentIntensityAnalyzer:
        """VADER's analyser (reads its lexicon when first needed, not at import)."""
        return SentimentIntensityAnalyzer()

    def opinions(self, texts: Sequence[str]) -> list[int]:
        """+1 pleased, -1 displeased, 0 neither (a plain fact), per sentence."""
        scores = (self._sentiment.polarity_scores(text)["compound"] for text in texts)
        return [0 if abs(score) < OPINION_MARGIN else (1 if score > 0 else -1) for score in scores]

    def reply(self, snippets: Sequence[Snippet]) -> str:
        """One clause per entity, in the order the selection ranks them; every snippet cited."""
        by_entity: dict[str, list[Snippet]] = {}
        for snippet in snippets:
            by_entity.setdefault(snippet.entity, []).append(snippet)
        named = len(by_entity) > 1
        return " ".join(self._about(entity, group, named=named) for entity, group in by_entity.items())

    def _about(self, entity: str, snippets: list[Snippet], *, named: bool) -> str:
        faqs = [s for s in snippets if s.kind == FAQ]
        reviews = [s for s in snippets if s.kind == REVIEW]
        parts = []
        if faqs:
            parts.append(_faq_clause(entity, faqs, named=named))
        if reviews:
            parts.append(self._review_clause(entity, reviews))
        return " ".join(parts)

    def _review_clause(self, entity: str, reviews: list[Snippet]) -> str:
        """How many of the guests who mention it are pleased and how many not (a guest's verdict is
        the sum of their sentences' leanings), quoting the larger side's best-ranked sentence."""
        authors: dict[str, list[Snippet]] = {}
        for snippet in reviews:
            authors.setdefault(snippet.author, []).append(snippet)
        leaning = dict(zip(reviews, self.opinions([s.text for s in reviews]), strict=True))
        verdict = {author: int(np.sign(sum(leaning[s] for s in said))) for author, said in authors.items()}
        pleased = sum(v > 0 for v in verdict.values())
        displeased = sum(v < 0 for v in verdict.values())
        cites = "".join(s.cite for s in reviews)
        total = len(authors)
        place = f" of {entity}" if entity else ""
        side = 1 if pleased >= displeased else -1
        most, few = max(pleased, displeased), min(pleased, displeased)
        lead = _quote(_best(reviews, verdict, leaning, side))
        if total == 1:
            return f'One review{place} mentions it: "{lead}" {cites}.'
        if most == 0:
            return f'{_count(total)} reviews{place} mention it: "{lead}" {cites}.'
        tone = "positive" if side > 0 else "negative"
        if most == total:
            share = "Both" if total == 2 else f"All {total}"
            return f'{share} reviews{place} that mention it are {tone}: "{lead}" {cites}.'
        said = f'{_count(most)} of the {total} reviews{place} that mention it {_be(most)} {tone}: "{lead}"'
        if not few:
            return f"{said} {cites}."
        return f"{said}, while {_count(few).lower()} {_be(few)} not {cites}."


def _best(reviews: list[Snippet], verdict: dict[str, int], leaning: dict[Snippet, int], side: int) -> str:
    """The best-ranked sentence that leans to `side` by a guest who does; else that guest's first."""
    guests = [s for s in reviews if verdict[s.author] == side] or reviews
    return next((s for s in guests if leaning[s] == side), guests[0]).text


def _faq_clause(entity: str, faqs: list[Snippet], *, named: bool) -> str:
    """The FAQ answers quoted, each cited (and the rest of the selected FAQs cited after them)."""
    quoted = [_sentence(f"{faq.text} {faq.cite}") for faq in faqs[:MAX_FAQ_QUOTES]]
    more = "".join(faq.cite for faq in faqs[MAX_FAQ_QUOTES:])
    text = " ".join(quoted)
    if more:
        text = f"{text[:-1]} {more}."
    return f"{entity}: {text}" if named and entity else text


def _quote(text: str) -> str:
    """A review sentence as quoted: at most MAX_QUOTE_WORDS words, without its final full stop."""
    words = text.split()
    cut = " ".join(words[:MAX_QUOTE_WORDS]) + (" ..." if len(words) > MAX_QUOTE_WORDS else "")
    return cut.rstrip(" .")


def _sentence(text: str) -> str:
    """Move a trailing citation before the full stop: "It is free. [2]" -> "It is free [2]."."""
    match = re.match(r"^(.*?)[.!?]?\s*((?:\[\d+\])+)$", text.strip(), flags=re.DOTALL)
    if not match:
        return text if text.endswith((".", "!", "?")) else f"{text}."
    return f"{match.group(1).rstrip()} {match.group(2)}."


def _count(number: int) -> str:
    return _NUMBERS[number].capitalize() if number < len(_NUMBERS) else str(number)


def _be(number: int) -> str:
    return "is" if number == 1 else "are"
