"""Extractive answers: pick the few sentences of the retrieved text that answer the question.

The offline model never writes facts of its own. It splits passages (or an attachment) into
sentences, bullet items and table rows, embeds them in one batch, and keeps the one to four most
similar to the question, each with its citation. Below the confidence threshold it has no answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from app.agent.conventions import TOOL_NAMES, Passage

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[A-Z0-9\"'(*])")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|incl|No|Mr|Mrs|Ms|Dr|St)\.$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d{1,2}[.)])\s+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")
_LINK = re.compile(r"\[([^\]]+)\]\((\S+?)\)")
_BRACKET_NUMBER = re.compile(r"\[(\d{1,3})\]")
_WORD = re.compile(r"[a-z0-9]+")
_INJECTION = re.compile(
    r"\b(?:ignore (?:all |any )?(?:previous|prior|above|earlier) instructions|system prompt|you are now"
    r"|as an ai)\b|" + "|".join(TOOL_NAMES),
    re.IGNORECASE,
)
_STOPWORD_TEXT = (
    "a an the and or but if of to in on at for from by with about into over is are was were be been "
    "being do does did doing have has had having i me my we our you your he she it its they them their "
    "this that these those what which who whom whose when where why how can could would should will shall "
    "may might must not no yes so than then there here just also very too any some all each more most "
    "other such only own same please tell know want need get got like"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
LEXICAL_WEIGHT = 0.05
NEAR_DUPLICATE = 0.88
# Up to four sentences within 0.12 of the best: reviews and FAQs often say the same thing in several
# places, and citing each place is what a reader (and DSTC's knowledge selection) wants. Measured
# against three within 0.10: DSTC11 selection F1 0.256 → 0.276, the demo dialogues unchanged (0.500).
MAX_SENTENCES = 4
RUNNER_UP_MARGIN = 0.12
STRONG_MARGIN = 0.2


class Embedder(Protocol):
    """The part of `app.knowledge.embedders.Embedder` the offline model uses (L2-normalised rows)."""

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Unit:
    """A sentence, bullet item or table row, with where it came from."""

    text: str
    cite: str  # "[3]" for passage 3; "" for an attachment (cited once for the whole reply)
    order: tuple[int, int]  # (source number, position) for a stable tie-break
    kind: str = ""  # the passage's document kind: "review" is someone's opinion, not the company's word
    title: str = ""  # the passage's title (for a review: what was reviewed)


@dataclass(frozen=True)
class Selection:
    """The chosen units, best first, with how well the best one matches the question."""

    units: tuple[Unit, ...]
    best: float  # cosine similarity of the best unit to the question (0 when nothing fits)
    shared_words: int = 0  # content words the best unit shares with the question

    def confident(self, threshold: float) -> bool:
        """Whether the best unit answers the question: similar enough, and sharing at least one content
        word unless it is very similar (embeddings alone rate loosely related sentences too high)."""
        if not self.units or self.best < threshold:
            return False
        return self.shared_words > 0 or self.best >= threshold + STRONG_MARGIN


# --- splitting -----------------------------------------------------------------------------
def split_units(text: str) -> list[str]:
    """Sentences of paragraphs, plus each bullet item and table row on its own."""
    units: list[str] = []
    paragraph: list[str] = []
    header: list[str] | None = None
    for raw in text.split("\n"):
        line = raw.strip()
        if line.startswith("|"):
            units.extend(_sentences(" ".join(paragraph)))
            paragraph = []
            header = _table_line(line, header, units)
            continue
        header = None
        if not line or line.startswith("#") or _BULLET.match(line):
            units.extend(_sentences(" ".join(paragraph)))
            paragraph = []
            if _BULLET.match(line):
                units.extend(_sentences(_BULLET.sub("", line)))
            continue
        if paragraph and _line_break(paragraph[-1], line):
            units.extend(_sentences(" ".join(paragraph)))
            paragraph = []
        paragraph.append(line)
    units.extend(_sentences(" ".join(paragraph)))
    return [unit for unit in (_clean(u) for u in units) if len(unit.split()) >= 2]


def _line_break(previous: str, line: str) -> bool:
    """Whether two lines are separate items (a short unpunctuated line, then a capitalised one),
    as in text extracted from invoices or forms, rather than one soft-wrapped paragraph."""
    return (len(previous) <= 60 and previous[-1] not in ",;-" and line[:1].isupper()) or line[:1].isdigit()


def _table_line(line: str, header: list[str] | None, units: list[str]) -> list[str] | None:
    """Turn a table row into "Column: value; ..." using the header row; returns the header in force."""
    if _TABLE_RULE.match(line):
        return header
    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    if header is None:
        return cells
    pairs = [
        f"{name}: {value}" if name else value for name, value in zip(header, cells, strict=False) if value
    ]
    units.append("; ".join(pairs))
    return header


def _sentences(paragraph: str) -> list[str]:
    """Split a paragraph at sentence ends, keeping abbreviations such as "e.g." together."""
    if not paragraph.strip():
        return []
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        candidate = paragraph[start : match.start() + len(match.group(0).rstrip())]
        if _ABBREVIATION.search(candidate.rstrip("\"')]")):
            continue
        pieces.append(candidate)
        start = match.end()
    pieces.append(paragraph[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def _clean(unit: str) -> str:
    """Plain text: no markdown emphasis, links as "text (url)", no "[n]" that would pass for a citation."""
    unit = _LINK.sub(r"\1 (\2)", unit)
    unit = unit.replace("**", "").replace("__", "").replace("`", "")
    unit = _BRACKET_NUMBER.sub(r"(\1)", unit)
    return " ".join(unit.split())


def passage_units(passages: Sequence[Passage]) -> list[Unit]:
    """Every usable unit of the passages, cited by passage number."""
    return [
        Unit(text, f"[{passage.number}]", (passage.number, index), passage.kind, passage.title)
        for passage in passages
        for index, text in enumerate(split_units(passage.text))
        if not _INJECTION.search(text)
    ]


def attachment_units(texts: Sequence[str]) -> list[Unit]:
    """Every usable unit of the attachments' text (cited once, as the customer's attachment)."""
    return [
        Unit(text, "", (number, index))
        for number, body in enumerate(texts)
        for index, text in enumerate(split_units(body))
        if not _INJECTION.search(text)
    ]


# --- selection -----------------------------------------------------------------------------
def content_words(text: str) -> set[str]:
    """Lower-case words that carry meaning, with a plural "s" dropped."""
    words = (word for word in _WORD.findall(text.lower()) if word not in _STOPWORDS and len(word) > 1)
    return {word[:-1] if len(word) > 3 and word.endswith("s") else word for word in words}


class ExtractiveAnswerer:
    """Chooses answer sentences by embedding similarity, with a small lexical-overlap tie-break."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        max_sentences: int = MAX_SENTENCES,
        max_units: int = 400,
        margin: float = RUNNER_UP_MARGIN,
    ):
        self.embedder = embedder
        self.max_sentences = max_sentences
        self.max_units = max_units
        self.margin = margin

    def select(self, question: str, units: Sequence[Unit], *, focus: str = "") -> Selection:
        """The best units for `focus`, the customer's question as asked (default: `question`).

        `question` is the question read in context (a follow-up with the question before it): the
        best unit answers when it matches either reading, but only `focus` ranks, because the earlier
        question's words would pull in sentences about the previous topic.
        """
        units = list(units)[: self.max_units]
        focus = focus.strip() or question
        if not units or not question.strip():
            return Selection((), 0.0)
        matrix = np.asarray(self.embedder.embed_documents([unit.text for unit in units]), dtype=np.float32)
        similarity = matrix @ np.asarray(self.embedder.embed_query(focus), dtype=np.float32)
        in_context = similarity
        if focus != question:
            in_context = matrix @ np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        wanted = content_words(focus)
        overlaps = [_overlap(wanted, unit.text) for unit in units]
        scores = [
            float(similarity[i]) + LEXICAL_WEIGHT * overlaps[i] - _lead_in_penalty(unit.text)
            for i, unit in enumerate(units)
        ]
        ranked = sorted(range(len(units)), key=lambda i: (-round(scores[i], 6), units[i].order))
        eligible = [i for i in ranked[1:] if overlaps[i] > 0]
        chosen = self._diverse([ranked[0], *eligible], scores, matrix, units)
        top = ranked[0]
        shared = len((wanted | content_words(question)) & content_words(units[top].text))
        answers = dict.fromkeys(_answer_to(i, units) for i in chosen)
        best = max(float(similarity[top]), float(in_context[top]))
        return Selection(tuple(units[i] for i in answers), best, shared)

    def _diverse(
        self, ranked: list[int], scores: list[float], matrix: np.ndarray, units: list[Unit]
    ) -> list[int]:
        """The best unit plus close runners-up (sharing words with the question) that do not repeat
        what is already chosen."""
        best = scores[ranked[0]]
        chosen = [ranked[0]]
        for i in ranked[1:]:
            if len(chosen) >= self.max_sentences or scores[i] < best - self.margin:
                break
            if all(
                float(matrix[i] @ matrix[j]) < NEAR_DUPLICATE and not _same_words(units[i], units[j])
                for j in chosen
            ):
                chosen.append(i)
        return chosen


def _answer_to(index: int, units: Sequence[Unit]) -> int:
    """An FAQ question matches a question best but answers nothing: quote the sentence after it instead
    (when that sentence follows it in the same source and is not another question)."""
    unit = units[index]
    if not unit.text.endswith("?") or index + 1 >= len(units):
        return index
    after = units[index + 1]
    source, position = unit.order
    follows = after.order == (source, position + 1) and after.cite == unit.cite
    return index + 1 if follows and not after.text.endswith("?") else index


def _overlap(wanted: set[str], text: str) -> float:
    """Share of the question's content words that the unit contains."""
    return len(wanted & content_words(text)) / len(wanted) if wanted else 0.0


def _lead_in_penalty(text: str) -> float:
    """A line ending in ":" introduces a list and answers nothing on its own."""
    return 0.05 if text.endswith(":") else 0.0


def _same_words(a: Unit, b: Unit) -> bool:
    """Near-duplicates by wording (e.g. the same sentence in two overlapping chunks)."""
    left, right = content_words(a.text), content_words(b.text)
    return bool(left | right) and len(left & right) / len(left | right) >= 0.7


def leading(units: Sequence[Unit], count: int = 2) -> Selection:
    """The first units of a text, for when there is no question to rank them against."""
    return Selection(tuple(units[:count]), 1.0 if units else 0.0)
