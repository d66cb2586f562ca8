"""Extractive answers: pick the few sentences of the retrieved text that answer the question.

The offline model never writes facts of its own. It splits passages (or an attachment) into
sentences, bullet items and table rows, embeds them in one batch, and keeps the one to four most
similar to the question, each with its citation. Below the confidence threshold it has no answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache, partial
from typing import Any, Protocol

import numpy as np

from app.agent.providers.offline.answer_select import (
    CATALOGUE_PENALTY,
    HEADING_NAMED,
    REMEMBERED_HEADING,
    REPLACED_PENALTY,
    Choice,
    Question,
    UnitScorer,
    about_replaced,
    asked_parts,
    choose,
    compose,
    default_scorer,
    elliptical,
    named_sections,
    names_a_procedure,
    other_variant_articles,
    other_variant_sections,
    read_question,
    remembered_headings,
    rows_naming,
    rule_scores,
    stated_numbers,
    tried_units,
    unasked_price_rows,
    unasked_siblings,
    unit_features,
)
from app.agent.providers.offline.answer_signpost import WAYS, announced, announces
from app.agent.providers.offline.answer_types import carried_types
from app.knowledge.vocabulary import ADJECTIVES, Vocabulary
from app.protocol import TOOL_NAMES, Passage

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[A-Z0-9\"'(*])")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|incl|No|Mr|Mrs|Ms|Dr|St)\.$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d{1,2}[.)])\s+")
_STEP_NUMBER = re.compile(r"^\s*(\d{1,2})[.)]\s+")
# a cell that is a number or an amount ("1", "£5.95", "EUR 152.00"), which no column name is
# ("Wi-Fi 6", "2024 price" and "Tier 1" are)
_VALUE_CELL = re.compile(r"^(?:[£€$]\s?|(?:EUR|GBP|USD)\s)?\d[\d,.]*(?:\s?(?:EUR|GBP|USD|€|£))?$")
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
    "other such only own same please tell know want need get got like someone somebody something anyone "
    "anybody anything everyone everybody everything nobody nothing"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
LEXICAL_WEIGHT = 0.05
NEAR_DUPLICATE = 0.88
CONTAINED_WORDS = 3  # a sentence of at least this many content words, all said again in a longer one
# Up to four sentences within 0.12 of the best: reviews and FAQs often say the same thing in several
# places, and citing each place is what a reader (and DSTC's knowledge selection) wants. Measured
# against three within 0.10: DSTC11 selection F1 0.256 → 0.276, the demo dialogues unchanged (0.500).
MAX_SENTENCES = 4
RUNNER_UP_MARGIN = 0.12
STRONG_MARGIN = 0.2
# A unit stating the kind of fact asked for needs less similarity than one that does not. 0.1 -> 0.05
# changed one dev turn ("do I pay for that?" answered with the €3.95 return postage instead of a
# decline: fact recall 0.401 -> 0.412); no unanswerable dev question is answered at 0.05.
TYPED_MARGIN = 0.05
# ...and one from the article the previous reply quoted needs this much less than the threshold: the
# dialogue has settled the article, and a short follow-up ("how long before i hear back" after a
# question about complaints) shares little with the row that answers it ("We acknowledge your
# complaint...; When: Within 2 working days"; cosine 0.26 against a threshold of 0.31). Full replays:
# train fact recall 0.8207 -> 0.8290, semantic 0.6817 -> 0.6845; dev and validation unchanged, and
# the same at 0.1.
CONTINUED_TYPED_MARGIN = 0.05
# Answers of labelled questions close to the customer's (the question memory, app/knowledge/memory.py)
# that guide which sentences answer: the HINTS closest questions at cosine HINT_SIMILARITY or more;
# a unit gains HINT_WEIGHT x closeness x its cosine to the answer. Replayed selection with a memory of
# the training dialogues (ROUGE-L / fact recall, without -> with): validation 0.294 -> 0.305 /
# 0.557 -> 0.573, dev 0.334 -> 0.336 / 0.694 -> 0.694; train, each dialogue's own answers left out,
# 0.320 -> 0.320 / 0.674 -> 0.674. Tried: similarity 0.5-0.7 and weight 0.1-0.4, all within 0.01.
HINT_SIMILARITY = 0.6
HINT_WEIGHT = 0.2
HINTS = 3
# ...and a unit stating a number that such an answer states gains HINT_NUMBER_WEIGHT x closeness:
# answers to one help centre's questions repeat its facts ("24 hours", "14 days"), while the sentence
# most like the answer's wording may not be the one that states its number. Replayed selection
# (fact recall / ROUGE-L, without -> with 0.1): validation (aggregate only) 0.612 -> 0.645 / 0.319
# -> 0.323, dev 0.690 -> 0.690 / 0.329 -> 0.330; at 0.05 validation gains half, at 0.2 and 0.3
# nothing more and dev loses fact recall (0.679 at 0.2). Train is no check: its own answers are in
# the memory.
HINT_NUMBER_WEIGHT = 0.1


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
    section: str = ""  # the passage's heading path, plus the heading inside the passage if any
    step: int = 0  # its number in a numbered list (0: not a step)
    block: int = 0  # units of one list or table share a block within their source
    doc_id: str = ""
    chunk: int = 0  # where its passage stands in the article ("doc#3" -> 3; passages come by rank)
    lead: str = ""  # the sentence before it in its paragraph or list item (see `Item.lead`)

    @property
    def reading_order(self) -> tuple[int, int, int]:
        """Where the unit stands in its article as written (its passage may have been found after a
        later one of the same article)."""
        return (self.chunk, *self.order)

    @property
    def window(self) -> str:
        """The unit read after the sentence before it (`lead`); "" when it opens its paragraph."""
        return _window(self.lead, self.text)

    @property
    def heading(self) -> str:
        """The unit's own heading: the last step of its heading path."""
        return self.section.rpartition(">")[2]

    @property
    def article(self) -> str:
        """Which article the unit comes from (its document id; its citation when it has none)."""
        return self.doc_id or self.cite


@dataclass(frozen=True)
class Selection:
    """The chosen units, best first, with how well the best one matches the question."""

    units: tuple[Unit, ...]
    best: float  # similarity of the best unit to the question (`similarities`; 0 when nothing fits)
    shared_words: int = 0  # most content words the most similar or a chosen unit shares with the question
    steps: bool = False  # the units are the items of a numbered list, in order
    typed: bool = False  # the best unit states the kind of fact asked for (an amount, a time...)
    reviews: int = 0  # reviews of the best unit's subject among all the units read (0: not a review)

    def confident(self, threshold: float, *, continues: bool = False) -> bool:
        """Whether the best unit answers the question: similar enough, and the most similar unit or a
        chosen one sharing at least one content word with the question unless it is very similar
        (embeddings alone rate loosely related sentences too high), or the best unit stating the kind
        of fact asked for ("3–5 working days" for "how long does shipping take?").

        `continues`: the best unit's article is the one the previous reply quoted. A short follow-up
        ("what happens if it comes out late", "where do I report a dodgy one") shares few words with
        the sentence that answers it, but the article is already settled by the dialogue, so being
        similar enough is enough; when the best unit also states the kind of fact asked for, a
        little less similar is enough (`CONTINUED_TYPED_MARGIN`)."""
        if continues and self.typed:
            threshold -= CONTINUED_TYPED_MARGIN
        if not self.units or self.best < threshold:
            return False
        if continues or (self.typed and self.best >= threshold + TYPED_MARGIN):
            return True
        return self.shared_words > 0 or self.strong(threshold)

    def strong(self, threshold: float) -> bool:
        """Whether the best unit is so similar to the question that it answers it on similarity alone."""
        return bool(self.units) and self.best >= threshold + STRONG_MARGIN

    def continues(self, units: Sequence[Unit], previous: str) -> bool:
        """Whether the best unit's article is one the previous reply quoted (any of its units, read
        from `units`, appears in `previous`)."""
        if not self.units or not previous:
            return False
        best = self.units[0]
        article = [unit for unit in units if unit.article == best.article]
        return any(quoted(unit.text, previous) for unit in article)


# a number that is part of a name: "Aura 2", "Series 3" (not "Day 14": a table's day is a fact)
_NAMED_NUMBER = re.compile(
    r"\b(?!Day\b|Step\b)[A-Z][a-z]+ \d{1,2}\b(?![.,:]?\d|\s*(?:%|(?:working |business )?(?:minute|hour|day"
    r"|week|month|year|time|item|device|order|return)s?\b))"
)


def hinted_quantities(answer: str) -> set[str]:
    """The numbers a labelled answer states as facts: not those that are part of a name."""
    return stated_numbers(_NAMED_NUMBER.sub(" ", answer))


# --- splitting -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    """One unit of a text as split: its words, and where it sits in the text's structure."""

    text: str
    step: int = 0  # its number when it is an item of a numbered list ("2. Press and hold…")
    block: int = 0  # which run of lines it belongs to (the items of one list share a block)
    heading: str = ""  # the last heading above it inside the text
    lead: str = ""  # the sentence before it in its paragraph or list item (what "the link" refers to)


def split_units(text: str) -> list[str]:
    """Sentences of paragraphs, plus each bullet item and table row on its own."""
    return [item.text for item in split_items(text)]


def embedded_texts(text: str) -> list[str]:
    """What the answerer embeds of a passage's text (`ExtractiveAnswerer.similarities`): each unit,
    and the window of each unit that continues a sentence. The warm-up embeds these ahead of a turn."""
    return [
        piece
        for _, item in _kept_items(text)
        for piece in (item.text, _window(item.lead, item.text))
        if piece
    ]


def _window(lead: str, text: str) -> str:
    """A unit read after the sentence before it; "" without one."""
    return f"{lead} {text}" if lead else ""


def split_items(text: str, *, lone_rows: bool = False) -> list[Item]:
    """`split_units` with each unit's list number, block and heading (what section-aware selection
    reads). With `lone_rows`, a table that ends after its first row states that row (text extracted
    from a customer's PDF splits a table where a line of text interrupts it: "| Kestrel Club plan |
    Basic |"); otherwise it is a header whose rows are elsewhere (a help-centre chunk cut after it)."""
    items: list[Item] = []
    paragraph: list[str] = []
    header: list[str] | None = None
    state: dict[str, Any] = {"block": 0, "heading": "", "rows": 0}

    def emit(pieces: list[str], step: int = 0, *, prose: bool = False) -> None:
        for index, piece in enumerate(pieces):
            lead = pieces[index - 1] if prose and index else ""
            items.append(Item(piece, step, state["block"], state["heading"], lead))

    def flush() -> None:
        emit(_sentences(" ".join(paragraph)), prose=True)
        paragraph.clear()

    def close_table() -> None:
        if lone_rows and header and not state["rows"]:
            emit([_label_line(header)])
        state["block"] += 1

    for raw in text.split("\n"):
        line = raw.strip()
        if line.startswith("|"):
            flush()
            if header is None:  # a table starts: its rows are one block, apart from the text around
                state["block"] += 1
                state["rows"] = 0
            rows: list[str] = []
            header = _table_line(line, header, rows)
            state["rows"] += len(rows)
            emit(rows)
            continue
        if header is not None:
            close_table()
        header = None
        bullet = _BULLET.match(line)
        if not line or line.startswith("#") or bullet:
            flush()
            if line.startswith("#") or not line:
                state["block"] += 1
                state["heading"] = line.lstrip("#").strip() if line.startswith("#") else state["heading"]
            if bullet:
                number = _STEP_NUMBER.match(line)
                emit(_sentences(_BULLET.sub("", line)), int(number.group(1)) if number else 0, prose=True)
            continue
        if paragraph and _line_break(paragraph[-1], line):
            flush()
        paragraph.append(line)
    flush()
    if header is not None:
        close_table()
    kept = [Item(_clean(item.text), item.step, item.block, item.heading, _clean(item.lead)) for item in items]
    return [item for item in kept if len(item.text.split()) >= 2]


def _line_break(previous: str, line: str) -> bool:
    """Whether two lines are separate items (a short unpunctuated line, then a capitalised one),
    as in text extracted from invoices or forms, rather than one soft-wrapped paragraph."""
    return (len(previous) <= 60 and previous[-1] not in ",;-" and line[:1].isupper()) or line[:1].isdigit()


def _table_line(line: str, header: list[str] | None, units: list[str]) -> list[str] | None:
    """Turn a table row into "Column: value; ..." using the header row; returns the header in force
    (`[]` for a table without one)."""
    if _TABLE_RULE.match(line):
        return header
    cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    if header is None and not any(_VALUE_CELL.match(cell) for cell in cells):
        return cells
    if not header:
        # a first row that states values ("| Total including VAT | £258.70 |", as text extracted from
        # an invoice lays out its totals) is no header: each row reads "label: values" (its label is
        # a value too, so it is no "Column: value" row)
        units.append(_label_line(cells))
        return []
    pairs = [
        f"{name}: {value}" if name else value for name, value in zip(header, cells, strict=False) if value
    ]
    units.append("; ".join(pairs))
    return header


def _label_line(cells: list[str]) -> str:
    """A row read as "label: values" (its first filled cell labels the others)."""
    label, *values = [cell for cell in cells if cell] or [""]
    return f"{label}: {', '.join(values)}" if values else label


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
    """Every usable unit of the passages, cited by passage number and ordered by position in the list
    (several passages of one article share its number; their units stay apart)."""
    return [
        Unit(
            item.text,
            f"[{passage.number}]",
            (source, index),
            passage.kind,
            passage.title,
            _section(passage.section, item.heading),
            item.step,
            item.block,
            passage.doc_id,
            _chunk_position(passage.chunk_id),
            item.lead,
        )
        for source, passage in enumerate(passages, start=1)
        for index, item in _kept_items(passage.text)
    ]


def _kept_items(text: str, *, lone_rows: bool = False) -> list[tuple[int, Item]]:
    """The items of `text` that become units, with their position among all its items (no
    instruction planted in a passage or an attachment), each with a lead only when that lead is no
    such text and long enough to be a unit ("Ok." is not). The one filter for passages, attachments
    and the warm-up (`embedded_texts`)."""
    return [
        (index, replace(item, lead=_usable_lead(item)))
        for index, item in enumerate(split_items(text, lone_rows=lone_rows))
        if not _INJECTION.search(item.text)
    ]


def _usable_lead(item: Item) -> str:
    """The item's lead, unless it is text the units leave out: an instruction planted in a passage or
    an attachment, or a piece too short to be a unit ("Ok.")."""
    if _INJECTION.search(item.lead) or len(item.lead.split()) < 2:
        return ""
    return item.lead


def _chunk_position(chunk_id: str) -> int:
    """A chunk's position in its article, from its id (`doc#position`, the chunker's contract)."""
    position = chunk_id.rpartition("#")[2]
    return int(position) if position.isdigit() else 0


def attachment_units(texts: Sequence[str]) -> list[Unit]:
    """Every usable unit of the attachments' text (cited once, as the customer's attachment)."""
    return [
        Unit(
            item.text,
            "",
            (number, index),
            section=item.heading,
            step=item.step,
            block=item.block,
            lead=item.lead,
        )
        for number, body in enumerate(texts)
        for index, item in _kept_items(body, lone_rows=True)
    ]


def _section(path: str, heading: str) -> str:
    """The heading path of a unit: the passage's section, then a heading inside the passage."""
    if not heading or path.endswith(heading):
        return path
    return f"{path} > {heading}" if path else heading


# --- selection -----------------------------------------------------------------------------
def quoted(text: str, reply: str) -> bool:
    """Whether a reply quotes a unit (the reply puts its citation before the unit's final full stop)."""
    body = text.rstrip(".!?:;, ")
    return len(body.split()) >= 4 and body in reply


def content_words(text: str) -> set[str]:
    """Lower-case words that carry meaning, stemmed by nltk's English Snowball stemmer, so "can DHL
    collect it" shares a word with "Home collection is not available" (dropping a plural "s" did
    not). Full replays against that, fact recall / ROUGE-L / semantic: validation 0.6717 / 0.3202
    / 0.6297 -> 0.6836 / 0.3230 / 0.6315, train 0.7874 -> 0.7957; dev 0.7405 / 0.3560 / 0.6276 ->
    0.7405 / 0.3503 / 0.6266 (runner-up sentences sharing a stem join replies); sets written apart
    mixed (ROUGE-L 0.2801 -> 0.2784, 0.2622 -> 0.2639, 0.2798 -> 0.2819)."""
    words = (word for word in _WORD.findall(text.lower()) if word not in _STOPWORDS and len(word) > 1)
    return {_stem(word) for word in words}


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stem(word)


@cache
def _stemmer() -> Any:
    """Imported on first use: nltk takes about a second to import."""
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


class ExtractiveAnswerer:
    """Chooses answer sentences by embedding similarity, with a small lexical-overlap tie-break."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        max_sentences: int = MAX_SENTENCES,
        max_units: int = 400,
        margin: float = RUNNER_UP_MARGIN,
        scorer: UnitScorer | None = None,
        learned: bool = False,
    ):
        self.embedder = embedder
        self.max_sentences = max_sentences
        self.max_units = max_units
        self.margin = margin
        # The learned unit scorer chooses what to quote; without it, similarity plus weighted
        # features do (answer_select.RULE_WEIGHTS, fitted by scripts/tune_answer_constants.py). Off
        # by default: trained on the dev and train dialogues, it still states fewer of the
        # reference's facts on the validation set (replayed selection: fact recall 0.470 vs 0.535,
        # ROUGE-L 0.281 vs 0.289). Pass learned=True to try it.
        self._scorer = scorer
        self.learned = learned

    @property
    def scorer(self) -> UnitScorer | None:
        """The unit scorer in use: the one given, else the packaged one (read on first use)."""
        if self._scorer is None and self.learned:
            self._scorer = default_scorer()
        return self._scorer

    def select(
        self,
        question: str,
        units: Sequence[Unit],
        *,
        focus: str = "",
        remembered: Sequence[str] = (),
        replaced: Sequence[str] = (),
        hints: Sequence[tuple[str, float]] = (),
    ) -> Selection:
        """The best units for `focus`, the customer's question as asked (default: `question`).

        `question` is the question read in context (a follow-up with the question before it): the
        best unit answers when it matches either reading, but only `focus` ranks, because the earlier
        question's words would pull in sentences about the previous topic. `remembered` are values
        the customer told us earlier (their country, plan, device) that the question does not name:
        units naming them count as about the entity asked about ("how much is Premium for me").
        `replaced` are those the previous question named that this follow-up replaces by another
        ("and in Spain?" after Austria): units about them conflict with the question. An elliptical
        follow-up (`elliptical`) is ranked by its reading in context: alone it says only which
        entity, and that reading asks the earlier question of it. `hints` are the answers given to
        labelled questions like this one, each with how close its question is (0-1): a unit that says
        what they said gains up to HINT_WEIGHT (`hinted`). A message that asks several things
        (`asked_parts`) also gets each part's best unit, so it may hold more than `max_sentences`.
        """
        focus = focus.strip() or question
        pick = partial(self._select, question, units, remembered=remembered, replaced=replaced, hints=hints)
        selection = pick(focus)
        parts = asked_parts(focus)
        if not parts or not selection.units or selection.steps:
            return selection
        chosen = list(selection.units)
        for part in parts:  # each part of a compound question brings its own best unit...
            answer = pick(part)
            # ...when it is about the part (shares a word with it or states the kind of fact it
            # asks for) and not quoted already (the same sentence may come from two passages)
            about = answer.shared_words > 0 or answer.typed
            if about and answer.units and not answer.steps and answer.units[0].text not in _texts(chosen):
                chosen.append(answer.units[0])
        return replace(selection, units=tuple(chosen))

    def _select(
        self,
        question: str,
        units: Sequence[Unit],
        focus: str,
        *,
        remembered: Sequence[str],
        replaced: Sequence[str],
        hints: Sequence[tuple[str, float]],
    ) -> Selection:
        """`select` for one question (a compound question's whole, or one of its parts)."""
        units = list(units)[: self.max_units]
        if not units or not question.strip():
            return Selection((), 0.0)
        matrix, similarity, in_context = self.similarities(units, focus, question)
        wanted = content_words(focus) | content_words(question)
        entities = frozenset(content_words(" ".join(remembered)))
        asked = read_question(focus, question, wanted, entities, frozenset(content_words(" ".join(replaced))))
        ranking = similarity
        if not self.learned:  # the learned scorer was trained on the question's own kind
            carried = elliptical(asked)
            ranking = similarity if carried == asked else in_context
            asked = names_a_procedure(carried, units, partial(self.heading_similarity, focus))
        chooser = self._learned if self.learned else self._ruled
        choice = chooser(asked, units, ranking, in_context, matrix, hints)
        # Confidence reads the most similar unit (plus word overlap) and the chosen one: a price row
        # can answer "how much" while sounding less like it than the sentence beside it. The words
        # shared are those of any chosen unit: the one a close labelled answer's number put first
        # ("Syncing stops below 10%") may share none while the next names what was asked about.
        overlaps = [_overlap(content_words(focus), unit.text) for unit in units]
        closest = max(range(len(units)), key=lambda i: float(similarity[i]) + LEXICAL_WEIGHT * overlaps[i])
        tops = dict.fromkeys((closest, choice.indices[0]))
        best = max(max(float(similarity[i]), float(in_context[i])) for i in tops)
        shared = max(len(wanted & content_words(_with_heading(units[i]))) for i in (*tops, *choice.indices))
        typed = bool(asked.kind.typed & carried_types(units[choice.indices[0]].text))
        if choice.steps:
            return Selection(tuple(units[i] for i in choice.indices), best, shared, steps=True, typed=typed)
        answers = dict.fromkeys(_answer_to(i, units) for i in choice.indices)
        reviews = reviewers(units, units[choice.indices[0]])
        chosen = with_announced([units[i] for i in answers], units, entities)
        return Selection(tuple(chosen), best, shared, typed=typed, reviews=reviews)

    def similarities(
        self, units: Sequence[Unit], focus: str, question: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The units' embeddings, and each unit's similarity to `focus` and to `question` (the same
        array when they are one text), each unit also read in its window (`_similarity`). The learned
        scorer's training reads these too (`scripts/train_answer_scorer.py`)."""
        matrix, windows = self._embedded(units)
        similarity = self._similarity(matrix, windows, focus)
        in_context = similarity if focus == question else self._similarity(matrix, windows, question)
        return matrix, similarity, in_context

    def _embedded(self, units: Sequence[Unit]) -> tuple[np.ndarray, dict[int, np.ndarray]]:
        """The units' embeddings, and per unit that continues a paragraph or list item, the embedding
        of its window, the unit read after the sentence before it: "The link is valid for 24 hours"
        says which link only after "Open the verification email we send you". One batch for both."""
        led = [i for i, unit in enumerate(units) if unit.lead]
        texts = [unit.text for unit in units] + [units[i].window for i in led]
        vectors = np.asarray(self.embedder.embed_documents(texts), dtype=np.float32)
        return vectors[: len(units)], dict(zip(led, vectors[len(units) :], strict=True))

    def _similarity(self, matrix: np.ndarray, windows: dict[int, np.ndarray], text: str) -> np.ndarray:
        """Each unit's cosine to `text`, raised to its mean with the unit's window's (`_embedded`) when
        that is higher. Halfway, not the window's own: a window that shares the question's words only
        through its lead lifted unrelated sentences ("for 3" of a quick-start guide) into replies.
        Full replays against the unit alone: validation fact recall 0.651 -> 0.666, semantic
        0.614 -> 0.622, generation ROUGE-L 0.318 -> 0.316; dev 0.718 / 0.627 / 0.351 unchanged;
        DSTC10 and DSTC11 unchanged. The window's own score (dev fact recall 0.718 -> 0.681) and
        windows for list items only (validation unchanged) were worse."""
        query = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
        similarity = matrix @ query
        for i, vector in windows.items():
            similarity[i] = max(float(similarity[i]), (float(similarity[i]) + float(vector @ query)) / 2)
        return similarity

    def heading_similarity(self, text: str, headings: list[str]) -> np.ndarray:
        """Each heading's cosine to `text`. Each heading is embedded alone (and cached): in a batch
        its last float bits would depend on which other headings the turn brought."""
        query = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
        vectors = [self.embedder.embed_documents([heading])[0] for heading in headings]
        return np.asarray(vectors, dtype=np.float32) @ query

    def features(
        self, focus: str, question: str, units: Sequence[Unit], similarity: np.ndarray, in_context: np.ndarray
    ) -> tuple[Question, np.ndarray]:
        """The learned scorer's view of each unit (also what its training reads)."""
        asked = read_question(focus, question, content_words(focus) | content_words(question))
        return asked, unit_features(asked, units, similarity, in_context, content_words)

    def hinted(
        self,
        matrix: np.ndarray,
        hints: Sequence[tuple[str, float]],
        units: Sequence[Unit],
        elsewhere: Sequence[bool] = (),
    ) -> np.ndarray:
        """Per unit, HINT_WEIGHT x the best of (closeness of a hint's question x cosine of the unit to
        that hint's answer), plus HINT_NUMBER_WEIGHT x the closeness of the closest hint whose answer
        states a number the unit states: the sentence that states what a close labelled question was
        answered with ("Hand it over within 14 days") over one that only sounds like the question.
        A number that is part of a name ("Aura 2") is no fact of the answer; one the question states
        may be (the reference repeats the deadline the customer asked about).

        A hint whose answer is closest to a unit about another entity than the one asked about
        (`elsewhere`: a sibling product's article) answered that entity's question and is left out:
        "how do I reset my aura 2 pro" is close to a labelled Aura 2 question whose answer ("hold
        power and volume down for 10 seconds") sounds more like the Pro's pairing steps ("hold the
        power button for 5 seconds") than like its reset, and lifted the pairing steps into the reply."""
        worded = np.zeros(len(matrix), dtype=np.float32)
        numbered = np.zeros(len(matrix), dtype=np.float32)
        stated = [stated_numbers(unit.text) for unit in units] if hints else []  # most messages have none
        for answer, strength in hints:
            vector = np.asarray(self.embedder.embed_query(answer), dtype=np.float32)
            closeness = matrix @ vector
            if len(elsewhere) and elsewhere[int(np.argmax(closeness))]:
                continue
            worded = np.maximum(worded, HINT_WEIGHT * strength * closeness)
            said = hinted_quantities(answer)
            if said:
                shares = np.array([bool(numbers & said) for numbers in stated], dtype=np.float32)
                numbered = np.maximum(numbered, HINT_NUMBER_WEIGHT * strength * shares)
        return worded + numbered

    def _learned(
        self,
        asked: Question,
        units: list[Unit],
        similarity: np.ndarray,
        in_context: np.ndarray,
        matrix: np.ndarray,
        hints: Sequence[tuple[str, float]],
    ) -> Choice:
        """Section-first choice by the learned scorer's probabilities (it has no feature for hints)."""
        scorer = self.scorer
        assert scorer is not None
        features = unit_features(asked, units, similarity, in_context, content_words)
        probability = scorer.probabilities(features)
        similar = _near_duplicates(units, matrix)
        return choose(units, probability, features, asked, similar, max_units=self.max_sentences)

    def _ruled(
        self,
        asked: Question,
        units: list[Unit],
        similarity: np.ndarray,
        in_context: np.ndarray,
        matrix: np.ndarray,
        hints: Sequence[tuple[str, float]],
    ) -> Choice:
        """Section-aware, answer-type-aware choice by similarity plus weighted features (RULE_WEIGHTS),
        plus the hints' bonus (`hinted`)."""
        replaced = [
            any(readings)
            for readings in zip(
                about_replaced(asked, units, content_words),
                other_variant_sections(asked, units),
                other_variant_articles(asked, units),
                strict=True,
            )
        ]
        features = unit_features(asked, units, similarity, in_context, content_words, replaced)
        about = remembered_headings(asked, units, content_words)
        named = named_sections(asked, units, content_words)
        scores = rule_scores(features, asked) + REMEMBERED_HEADING * about + HEADING_NAMED * named
        # (most messages have no hint: the sibling reading is then not needed)
        siblings = unasked_siblings(asked, units) if hints else [False] * len(units)
        hinted = self.hinted(matrix, hints, units, [a or b for a, b in zip(replaced, siblings, strict=True)])
        scores = scores + tried_units(asked, units, content_words) + hinted
        scores = scores - REPLACED_PENALTY * np.asarray(replaced, dtype=float)
        scores = scores - CATALOGUE_PENALTY * np.asarray(unasked_price_rows(asked, units), dtype=float)
        similar = _near_duplicates(units, matrix)
        naming = frozenset(content_words(asked.focus) | places_named(asked.focus))
        rows = rows_naming(units, naming, content_words)
        return compose(
            units,
            scores,
            features,
            asked,
            similar,
            max_units=self.max_sentences,
            about=about,
            named=named,
            asked_rows=np.asarray(rows, dtype=np.float64),
        )


def with_announced(chosen: list[Unit], units: Sequence[Unit], entities: frozenset[str]) -> list[Unit]:
    """The chosen units with the first signpost among them followed by what it announces ("depend on
    your store region", then the customer's country's column), or, for "in three ways", replaced
    by itself with the headings of the ways. Unchanged when there is none or its article does not
    give what it announces."""
    for position, unit in enumerate(chosen):
        kind = announces(unit.text)
        if not kind:
            continue
        found = [extra for extra in announced(units, unit, entities, content_words) if extra not in chosen]
        if not found:
            return chosen
        if kind == WAYS:
            return [*chosen[:position], *found, *chosen[position + 1 :]]
        return [*chosen[: position + 1], *found, *chosen[position + 1 :]]
    return chosen


PLACE_ABBREVIATION = 3  # letters: "uk", "usa" name a country however they are written


def places_named(text: str) -> set[str]:
    """The content words of the countries a text names by any of their names ("in the uk" ->
    "united", "kingdom"): a table's row is labelled with the country's full name, while another row
    may mention the short one in passing ("English-speaking team in the UK" on the Ireland row). A
    place written in lower case counts only when it is an abbreviation ("uk"), not a word that is
    also a town ("nice"). A country's adjective names it too ("the dutch store" -> "netherlands")."""
    found = set()
    for mention in _places().mentions(text):
        written = text[mention.start : mention.end]
        if mention.kind == "country" and (not written.islower() or len(written) <= PLACE_ABBREVIATION):
            found |= content_words(mention.name)
    for word in content_words(text) & ADJECTIVES.keys():
        found |= content_words(ADJECTIVES[word])
    return found


@cache
def _places() -> Vocabulary:
    """The gazetteer alone (no plans or devices: those are the help centre's own)."""
    return Vocabulary()


def _texts(units: Sequence[Unit]) -> set[str]:
    return {unit.text for unit in units}


def _with_heading(unit: Unit) -> str:
    """A unit's text with its own section heading: a row of the "Battery life" table shares the
    words of "battery life on these?" through its heading, not its cells."""
    return f"{unit.heading} {unit.text}"


def _near_duplicates(units: Sequence[Unit], matrix: np.ndarray) -> Callable[[int, int], bool]:
    """Whether two units say the same thing (embeddings nearly equal, or the same words), so a
    reply quotes only one of them."""

    def similar(i: int, j: int) -> bool:
        return float(matrix[i] @ matrix[j]) >= NEAR_DUPLICATE or _same_words(units[i], units[j])

    return similar


def reviewer(unit: Unit) -> str:
    """Who wrote a review sentence: its document id without the sentence number when it has one
    (`hotel:20:review:9:4` -> `hotel:20:review:9`), else the document id."""
    head, _, last = unit.doc_id.rpartition(":")
    return head if head and last.isdigit() and ":review:" in unit.doc_id else unit.doc_id


def reviewers(units: Sequence[Unit], best: Unit) -> int:
    """How many reviews of the best unit's subject were read (0 when the best unit is not a review)."""
    if best.kind != "review":
        return 0
    return len({reviewer(unit) for unit in units if unit.kind == "review" and unit.title == best.title})


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
    """Near-duplicates by wording: the same sentence in two overlapping chunks, or one sentence
    restated inside a longer one that adds no number to it ("There is no free trial of Premium"
    and "There is no free trial of Premium, and the trial cannot be combined with...")."""
    left, right = content_words(a.text), content_words(b.text)
    if not left or not right:
        return False
    if len(left & right) / len(left | right) >= 0.7:
        return True
    short, long = sorted((a.text, b.text), key=len)
    inside = min(left, right, key=len)
    return (
        len(inside) >= CONTAINED_WORDS
        and len(left & right) == len(inside)
        and not stated_numbers(long) - stated_numbers(short)
    )


def leading(units: Sequence[Unit], count: int = 2) -> Selection:
    """The first units of a text, for when there is no question to rank them against."""
    return Selection(tuple(units[:count]), 1.0 if units else 0.0)
