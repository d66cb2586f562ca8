"""Which units of the retrieved passages answer the question: features, a learned scorer, the choice.

Embedding similarity alone quotes the sentence that *sounds* most like the question ("Plus and
Premium are paid plans…") rather than the one that states what was asked (£4.99). So each unit is
described by a few features - similarity, word overlap, whether it carries the kind of fact asked
for, whether its heading and entity match the question, where it sits - and a logistic regression
trained on the dev dialogues (`scripts/train_answer_scorer.py`) turns them into the probability that
the unit carries the reference answer's facts. The choice is then section-first: the best section
(its units' scores and its heading against the question), then the units inside it; a numbered list
is quoted whole; a unit that only sends the reader to another retrieved article is never the answer.
Articles are weighed too: a sentence of another article joins only when that article holds as many
of the best-scoring units as the answering one (one that merely shares a word with the question
holds one at most), and the reply reads the answering article first.

The model is a JSON file of standardisation constants and weights, read once per responder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from app.agent.providers.offline.answer_signpost import cells
from app.agent.providers.offline.answer_types import (
    COUNT,
    DURATION,
    PRICE,
    QUESTION_WORDS,
    STEPS,
    YES_NO,
    QuestionType,
    asks_a_question,
    carried_types,
    heading_types,
    kind_words,
    question_type,
    type_match,
)
from app.knowledge import variants

if TYPE_CHECKING:
    from app.agent.providers.offline.answer import Unit

MODEL_FILE = "answer_scorer.json"
FEATURES = (
    "similarity",  # cosine of the unit to the question as asked
    "similarity_in_context",  # cosine to the question read with the dialogue before it
    "similarity_rank",  # 1 for the most similar unit, falling to 0
    "word_overlap",  # share of the question's content words in the unit
    "heading_overlap",  # share of the question's content words in the unit's title and section
    "heading_best",  # 1 when no other passage's heading shares more of the question's words
    "type_match",  # share of the answer kinds asked for that the unit carries
    "states_number",  # the question asks for a quantity and the unit states a number
    "entity_match",  # share of the question's entity words (found in headings) the unit or its heading has
    "entity_conflict",  # a row about an entity the question does not name; a unit about one it replaced
    "position",  # 0 for the first unit of its passage, 1 for the last
    "passage_rank",  # 1 for the first passage, 1/n for the n-th
    "is_question",  # an FAQ question, which answers nothing by itself
    "lead_in",  # ends with ":" (introduces a list)
    "refers_away",  # "see *Title*": another retrieved article, or a variant the customer did not name
    # (the packaged learned scorer, off by default, was fitted before the variant reading)
    "is_step",  # an item of a numbered list
    "steps_wanted",  # the question asks how to do something and the unit is a step
    "words",  # log length in words
    "review",  # someone's opinion rather than the company's word
    "code_match",  # the unit names a code or identifier the question names (K-402, KE-4417302)
    "heading_type",  # the unit's section heading names the kind of fact asked for ("Price", "Delivery times")
    "article_gap",  # how far the unit's article's most similar unit falls below the most similar unit of all
    "article_share",  # share of the SUPPORT_TOP most similar units that come from the unit's article
)
Words = Callable[[str], set[str]]
_SEE = re.compile(r"\bsee (?:our |the )?\*?[\"'“]?([A-Z][^*\"”;:.()]{3,80})", re.IGNORECASE)
_ROW_LABEL = re.compile(r"^[^:;]{1,40}: ([^;]{1,80})(?:;|$)")
_DIGIT = re.compile(r"\d")
_TITLE_WORD = re.compile(r"[^\W_]+")
_LONG_WORD = re.compile(r"[a-z0-9]{4,}")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)?")
_CODE = re.compile(
    r"\b(?=[\w-]*\d)(?=[\w-]*[a-z])[a-z0-9]+(?:-[a-z0-9]+)+\b|\b[a-z]+\d+[a-z0-9]*\b", re.IGNORECASE
)


@dataclass(frozen=True)
class UnitScorer:
    """Logistic regression over standardised features: P(unit carries the answer's facts)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        z = ((features - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    @classmethod
    def from_dict(cls, data: dict) -> UnitScorer:
        if list(data["features"]) != list(FEATURES):
            raise ValueError("the answer scorer was trained on other features; retrain it")
        return cls(
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
            np.asarray(data["coef"], dtype=np.float64),
            float(data["intercept"]),
        )


@cache
def default_scorer() -> UnitScorer:
    """The trained scorer shipped with the package (read on first use, then shared: it is immutable)."""
    text = resources.files(__package__).joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return UnitScorer.from_dict(json.loads(text))


@dataclass(frozen=True)
class Question:
    """The question as asked, in context, and what it wants."""

    focus: str
    in_context: str
    kind: QuestionType
    words: frozenset[str]
    # words of what the customer told us earlier (their country, plan, device) that the question
    # does not name itself: they say which entity's row or article answers "how much is it for me"
    remembered: frozenset[str] = frozenset()
    # words of the plans, devices or countries the previous question named that this follow-up
    # replaces by another ("and in Spain?" after a question about Austria): not the entity asked about
    replaced: frozenset[str] = frozenset()


def read_question(
    focus: str,
    in_context: str,
    words: set[str],
    remembered: frozenset[str] = frozenset(),
    replaced: frozenset[str] = frozenset(),
) -> Question:
    return Question(
        focus, in_context, question_type(focus), frozenset(words), remembered - words, replaced - words
    )


# A message that asks two things in one ("how many days does shipping to Corsica need, and can I choose
# express?") is ranked as a whole, which favours units about the first thing; each part it asks
# then also brings its own best unit (`asked_parts`) when that unit is about the part. Replayed
# selection of the compound turns, reference facts stated without -> with: train 5.2 -> 6.5 of 8,
# validation (aggregate) 0.25 -> 0.75 of 2; dev has none.
_JOINING = r"(?:and|or|also|plus|but|so)"
_PART_BREAK = re.compile(
    rf"[?!]\s*|[.;]\s+(?={QUESTION_WORDS}\b)|,?\s+{_JOINING}\s+(?={QUESTION_WORDS}\b)"
    rf"|,\s+(?={QUESTION_WORDS}\b)",
    re.IGNORECASE,
)
_LEADING_JOIN = re.compile(rf"^{_JOINING}\s+", re.IGNORECASE)
_ASKS_PART = re.compile(rf"{QUESTION_WORDS}\b", re.IGNORECASE)
PART_WORDS = 3  # a shorter piece ("and premium?") is a list of names, not a question of its own


def asked_parts(text: str) -> list[str]:
    """The questions a message asks, when it asks more than one ("whats next day delivery cost in
    the uk and whats the cut off" -> both); otherwise [] (a statement before one question, "I paid
    with paypal, how long until I see my refund", is context, not a second question)."""
    pieces = [_LEADING_JOIN.sub("", piece.strip(" ,.?!")) for piece in _PART_BREAK.split(text)]
    asks = [piece for piece in pieces if len(piece.split()) >= PART_WORDS and _ASKS_PART.match(piece)]
    asks = list(dict.fromkeys(asks))  # "how much is it? how much is it?" asks one thing
    return asks if len(asks) >= 2 else []


# A follow-up of at most this many words that asks for no kind of answer itself is elliptical.
ELLIPSIS_WORDS = 4


def elliptical(question: Question) -> Question:
    """An elliptical follow-up ("and express?", "what about Ireland?") asks for the kind of fact the
    question before it asked for ("how long does shipping take?": a duration), so the row stating
    that kind for what it names is its answer, not a sentence that merely names it; "and for the
    pro version?" after "how do I reset ...?" asks for the Pro's steps. A yes or no is not carried
    (demo dev ROUGE-L fell, replayed selection): "and the charger?" after "can I return it
    opened?" is answered by what it names. Other questions, and follow-ups that say what they
    want, are returned as they are."""
    own = question.kind.kinds
    if own or question.focus == question.in_context or len(question.focus.split()) > ELLIPSIS_WORDS:
        return question
    earlier = question_type(question.in_context)
    carried = earlier.typed | (earlier.kinds & {STEPS})
    return replace(question, kind=QuestionType(carried)) if carried else question


# A short message that asks for no kind of answer ("aura 2 pro reset?", "pulse watch pairing") names a
# task; when the section heading closest to it in meaning heads a numbered list ("Resetting Aura 2
# Pro"), it asks for that list, as "how do I reset ..." does. Read alone, its words sound most like the
# article's notes ("A reset removes all paired devices") and the reply quoted those, or another list.
TOPIC_WORDS = 6
HeadingSimilarity = Callable[[list[str]], np.ndarray]  # cosine of each heading to the message


def names_a_procedure(
    question: Question, units: Sequence[Unit], heading_similarity: HeadingSimilarity
) -> Question:
    """`question` asking for steps when it is a short topic that asks for no kind of answer, nor does
    the question before it ("what about the pro version?" asks what that one asked), and whose closest
    section heading (among the units' own headings) heads a numbered list; else `question` as it is."""
    if len(question.focus.split()) > TOPIC_WORDS or reports_tried(question):
        return question
    if question.kind.kinds or question_type(question.in_context).kinds:  # a follow-up asks what came before
        return question
    listed: dict[str, bool] = {}
    for unit in units:
        if unit.cite and unit.heading.strip():
            listed[unit.heading] = listed.get(unit.heading, False) or unit.step > 0
    if not any(listed.values()):
        return question
    headings = list(listed)
    closest = headings[int(np.argmax(heading_similarity(headings)))]
    return replace(question, kind=QuestionType(frozenset({STEPS}))) if listed[closest] else question


def unit_features(
    question: Question,
    units: Sequence[Unit],
    similarity: np.ndarray,
    in_context: np.ndarray,
    content_words: Words,
    replaced: Sequence[bool] | None = None,
) -> np.ndarray:
    """One row of FEATURES per unit; `replaced`: `about_replaced` of the units, when the caller
    has it already."""
    wanted = question.words
    headings = [content_words(f"{unit.title} {unit.section}") for unit in units]
    heading_share = [len(wanted & h) / len(wanted) if wanted else 0.0 for h in headings]
    best_heading = max(heading_share, default=0.0)
    texts = [content_words(unit.text) for unit in units]
    entities = wanted & set().union(*headings) if headings else frozenset()
    # a remembered value counts as an entity wherever the units name it (a price table's row label)
    entities |= question.remembered & set().union(*headings, *texts)
    titles = {unit.title.strip().lower() for unit in units if unit.title}
    order = np.argsort(-similarity, kind="stable")
    rank = np.empty(len(units))
    rank[order] = np.arange(len(units))
    lengths: dict[int, int] = {}
    for unit in units:
        lengths[unit.order[0]] = max(lengths.get(unit.order[0], 0), unit.order[1] + 1)
    conflicts = row_conflicts(units, wanted | question.remembered, content_words)
    if replaced is None:
        replaced = about_replaced(question, units, content_words)
    conflicts = [a or b for a, b in zip(conflicts, replaced, strict=True)]
    codes = _codes(f"{question.focus} {question.in_context}")
    gaps, shares = article_standing(units, similarity, order)
    asked = named_variants(question)
    rows = []
    for i, unit in enumerate(units):
        words = texts[i]
        rows.append(
            [
                float(similarity[i]),
                float(in_context[i]),
                1.0 - rank[i] / max(len(units) - 1, 1),
                len(wanted & words) / len(wanted) if wanted else 0.0,
                heading_share[i],
                float(heading_share[i] >= best_heading and best_heading > 0),
                type_match(question.kind, unit.text),
                float(question.kind.factual and bool(_DIGIT.search(unit.text))),
                len(entities & (words | headings[i])) / len(entities) if entities else 0.0,
                float(conflicts[i]),
                unit.order[1] / max(lengths[unit.order[0]] - 1, 1),
                1.0 / _passage_number(unit),
                float(unit.text.endswith("?")),
                float(unit.text.endswith(":")),
                float(refers_away(unit, titles, asked)),
                float(unit.step > 0),
                float(unit.step > 0 and question.kind.wants(STEPS)),
                float(np.log1p(len(unit.text.split()))),
                float(unit.kind == "review"),
                float(bool(codes & _codes(unit.text))),
                float(bool(question.kind.typed & (heading_types(unit.heading) | column_types(unit.text)))),
                gaps[i],
                shares[i],
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(units), len(FEATURES))


def article_standing(
    units: Sequence[Unit], similarity: np.ndarray, order: np.ndarray
) -> tuple[list[float], list[float]]:
    """Per unit, how its article stands among the retrieved ones: the gap from the most similar unit
    of all to its article's most similar unit, and the share of the SUPPORT_TOP most similar units
    its article holds. A sentence of an article that merely shares a word with the question ("pay
    a small fee" for "do you pay bug bounties?") sits in an article that has little else near it."""
    if not len(units):
        return [], []
    peak: dict[str, float] = {}
    for unit, value in zip(units, similarity, strict=True):
        peak[unit.article] = max(peak.get(unit.article, -1.0), float(value))
    top = max(peak.values())
    leaders = [units[i].article for i in order[:SUPPORT_TOP]]
    return (
        [top - peak[unit.article] for unit in units],
        [leaders.count(unit.article) / len(leaders) for unit in units],
    )


def column_types(text: str) -> frozenset[str]:
    """For a table row ("Option: Standard; Delivery time: 3–5 working days; Cost: €4.95"): the kinds
    of fact its column names name, as a section heading would. A row reads less like a question than
    a sentence does, yet its "Delivery time" column is what "how long does it take?" asks for.
    Never a price: a row's amount shows it already (a currency sign), and "Cost" columns made any
    "do I have to pay…?" quote some delivery option's row (demo dev fact precision fell)."""
    if not _is_row(text):
        return frozenset()
    return heading_types(" ; ".join(name for name, _ in cells(text))) - {PRICE}


def _codes(text: str) -> set[str]:
    """Codes and identifiers: letters and digits in one token (error K-402, order KE-4417302)."""
    return {match.group(0).lower() for match in _CODE.finditer(text)}


def _passage_number(unit: Unit) -> int:
    """The search rank of the unit's article: its citation number ("[2]" -> 2; 1 for an attachment)."""
    digits = unit.cite.strip("[]")
    return int(digits) if digits.isdigit() else 1


def named_variants(question: Question) -> variants.Asked:
    """What the customer named, as the variant rules read it: the message, then the dialogue and
    what they told us (their device, plan, country)."""
    return variants.Asked.of(question.focus, [question.in_context, " ".join(sorted(question.remembered))])


def referenced_titles(units: Sequence[Unit]) -> list[str]:
    """The titles the units refer the reader to ("see *My parcel is late or missing*"), in order."""
    return [match.group(1).strip() for unit in units for match in _SEE.finditer(unit.text)]


def refers_away(unit: Unit, titles: set[str], asked: variants.Asked | None = None) -> bool:
    """Whether the unit sends the reader to another retrieved article ("see *Pairing and resetting…*"),
    or, when `asked` (what the customer named) is given, to a variant of its own article that the
    customer did not ask about ("If you have Aura 2 Pro, see *Pairing and resetting Aura 2 Pro*" for
    "how do I reset my Aura 2"): a signpost answers nothing, and that one is not even for them."""
    own = unit.title.strip().lower()
    for match in _SEE.finditer(unit.text):
        target = match.group(1).strip().lower()
        if any(title != own and (title in target or target in title) for title in titles):
            return True
        if asked is not None and _other_variant(unit.title, match.group(1), asked):
            return True
    return False


def _other_variant(own: str, target: str, asked: variants.Asked) -> bool:
    """Whether title `target` names a variant of title `own` that the customer did not ask about.
    Variants differ by names (`_title_names`: "Pro", "Max"), not by common words ("see *Refunds and
    returns*" from "Returns" is a related article, not a variant). The target adds a name the
    customer did not name; the customer named a name both share ("Aura"); and a name only `own` has
    ("Mini" beside "Max"), if any, they named too (naming neither variant settles nothing). Common
    words only `own` has do not count: a signpost shortens titles ("see *Pairing and resetting
    Aura 2 Pro*" from "Pairing and resetting Aura 2 headphones")."""
    mine, theirs = _title_names(own), _title_names(target)
    named = asked.message | asked.context
    extra, only_mine = theirs - mine, mine - theirs
    shared = {name for name in mine & theirs if not name.isdigit()}  # "2 times" names no "Aura 2"
    if not extra or named & extra or not named & shared:
        return False
    return not only_mine or bool(named & only_mine)


def _title_names(title: str) -> frozenset[str]:
    """The names in a title as written: capitalised words after its first, and model numbers
    ("Pairing and resetting Aura 2 Pro" -> aura, 2, pro), as `variants.title_words` spells them."""
    words = _TITLE_WORD.findall(title)[1:]
    return frozenset().union(
        *(variants.title_words(word) for word in words if word[0].isupper() or word.isdigit())
    )


_ACCESSORY_OF = re.compile(r"\s+for\s+.*$", re.IGNORECASE)  # "Wall mount for Beacon Mini": a mount


@dataclass(frozen=True)
class _Row:
    """A table row as `row_conflicts` reads it."""

    table: tuple[int, int]  # its block as chunked (passage, block)
    columns: tuple[str, tuple[str, ...]]  # its table across passages: the article and column names
    label: set[str]
    named: bool  # a value names an asked-about word
    owns: bool  # ...other than as what the row is for ("Wall mount for Beacon Mini" is a mount)
    names: frozenset[str]  # its label's names (`_label_names`)
    asked: frozenset[str]  # the asked-about words not in its table's heading or column names

    @classmethod
    def of(cls, unit: Unit, wanted: frozenset[str], content_words: Words) -> _Row:
        names, values = zip(*cells(unit.text), strict=True)
        asked = wanted - content_words(" ".join([unit.heading, *names]))
        label = _label_value(values)
        itself = _ACCESSORY_OF.sub("", label)  # what the row is, not what it is for
        others = [value for value in values if value != label]
        return cls(
            table=(unit.order[0], unit.block),
            columns=(unit.article, names),
            label=content_words(label),
            named=bool(set().union(*map(content_words, values)) & asked),
            owns=bool(content_words(itself).union(*map(content_words, others)) & asked),
            names=frozenset(content_words(_label_names(itself))),
            asked=asked,
        )


_ASIDE = re.compile(r"\([^)]*\)")


def _label_names(label: str) -> str:
    """The capitalised words of a label outside brackets: the names that say which thing a row is
    about ("Aura", "Pro" in "Aura 2 Pro headphones, navy"), not its description ("navy") nor the
    examples in brackets ("Card (Visa, Mastercard)")."""
    return " ".join(word for word in _ASIDE.sub(" ", label).split() if word[:1].isupper())


def _other_variant_row(row: _Row, other: _Row) -> bool:
    """Whether `row` is about another variant than `other`, whose names include or extend its own:
    `other` adds a name the question names ("Aura 2 Pro" beside "Aura 2" for "the aura 2 pro"), or
    `row` adds one it does not ("Aura 2 Pro" beside "Aura 2" for "the aura 2 headphones")."""
    if not other.owns or not other.names & other.asked or not row.names:  # a label of no names: no variant
        return False
    if row.names < other.names:
        return bool((other.names - row.names) & row.asked)
    return other.names < row.names and not (row.names - other.names) & row.asked


def row_conflicts(
    units: Sequence[Unit], wanted: frozenset[str], content_words: Words, *, accessories: bool = True
) -> list[bool]:
    """Table rows ("Plan: Premium; UK monthly: £9.99") about another entity than the one asked about:
    a row none of whose values the question names, while another row of the same table does; or a
    row whose label is part of another row's label that the question names whole ("Model: Aura 2"
    beside "Model: Aura 2 Pro" when the question names the Pro). (A table whose rows name no
    asked-about word, such as a plan page's price-by-country table, is about the entity in its
    heading; none of its rows conflicts.) A word of the table's own column names or heading names
    no row ("delivery" for "Option: Evening delivery" under "Delivery options" with its "Delivery
    time" column): it says what the whole table is about, not which row is asked for.

    Across a table's passages (a long price list is chunked): a row that names the asked entity only
    as what it is for, beside one that names it as itself ("Wall mount for Beacon Mini" beside
    "Beacon Mini speaker"), unless `accessories` is False (`wanted` is what the customer owns: the
    ear cushions for their Aura are about them); and a row about another variant
    (`_other_variant_row`)."""
    rows = [_Row.of(unit, wanted, content_words) if _is_row(unit.text) else None for unit in units]
    present = [row for row in rows if row is not None]
    named = {row.table for row in present if row.named}
    owned = {row.columns for row in present if row.owns}
    labels: dict[tuple[int, int], list[set[str]]] = {}
    tables: dict[tuple[str, tuple[str, ...]], list[_Row]] = {}
    for row in present:
        labels.setdefault(row.table, []).append(row.label)
        tables.setdefault(row.columns, []).append(row)
    return [
        row is not None
        and row.table in named
        and (
            not row.named
            or _named_more_fully(row.label, labels[row.table], wanted)
            or (accessories and row.columns in owned and not row.owns)
            or any(_other_variant_row(row, other) for other in tables[row.columns])
        )
        for row in rows
    ]


def about_replaced(question: Question, units: Sequence[Unit], content_words: Words) -> list[bool]:
    """Units about an entity the follow-up replaced (`Question.replaced`): those whose title or
    heading path names it (the previous country's delivery page) and table rows labelled with it
    (the previous plan's row). They answered the previous question, not this one, though read with
    that question they sound like the answer; like a row about another entity, they conflict."""
    if not question.replaced:
        return [False] * len(units)
    return [
        bool(question.replaced & content_words(f"{unit.title} {unit.section}"))
        or (
            bool(question.replaced & _label(unit.text, content_words))
            and not _lists_asked(unit, question, content_words)
        )
        for unit in units
    ]


_NAME = re.compile(r"\b[A-Z][\w-]*")


def _lists_asked(unit: Unit, question: Question, content_words: Words) -> bool:
    """A row whose label names the entity asked about beside replaced ones ("Kestrel devices (Aura,
    Beacon, Pulse)" for five Pulse watches) lists them together: it answers for each. The entity is
    a capitalised name in the label that the question names and did not replace."""
    names = content_words(" ".join(_NAME.findall(_row_label(unit.text))))
    return bool(names & (question.words - question.replaced))


def other_variant_sections(question: Question, units: Sequence[Unit]) -> list[bool]:
    """Units of a section about the variant the customer did not name, beside its sibling section
    of the same article that they did: an article that covers two models under headings differing
    by the model ("Beacon Mini" / "Beacon Max" in one reset article) answers from the named one's
    section. The siblings and the preference are the retriever's rules for sibling articles
    (`app.knowledge.variants`): the message first, then the dialogue and what the customer told us
    (their device); a pair neither names stays as scored."""
    words = [variants.title_words(unit.heading) if unit.heading else frozenset() for unit in units]
    headings: dict[str, set[frozenset[str]]] = {}
    for unit, own in zip(units, words, strict=True):
        if own:
            headings.setdefault(unit.article, set()).add(own)
    asked = named_variants(question)
    return [
        any(
            variants.siblings(own, other) and variants.preferred(other, own, asked)
            for other in headings.get(unit.article, ())
        )
        for unit, own in zip(units, words, strict=True)
    ]


# A passage made of nothing but table rows is a catalogue (a price list: "sku: KA2-BLK; product: Aura 2
# headphones, black; ...; price_gbp: 149.00"). Its rows name products, colours and sizes, so they sound
# like any message about a product ("ordered aura 2 in sand but wanted black, can I switch it", "can
# I order 4 of the 45mm Pulse watches in one go") and were quoted as the answer. A catalogue row that
# states a price answers a question about a price; for any other it comes only when nothing else does.
CATALOGUE_ROWS = 3
CATALOGUE_PENALTY = 0.2  # 0.1-0.2 give the same replies on train, dev and validation; 0.4 lost a
# train turn whose answer is a catalogue row's product name ("ear cushions for Aura 2 and Aura 2 Pro")


def unasked_price_rows(question: Question, units: Sequence[Unit]) -> list[bool]:
    """Per unit, whether it is a catalogue's row stating a price while the question asks no price."""
    if question.kind.wants(PRICE):
        return [False] * len(units)
    rows: dict[str, list[bool]] = {}
    for unit in units:
        rows.setdefault(unit.cite, []).append(_is_row(unit.text))
    catalogues = {
        cite for cite, are_rows in rows.items() if cite and all(are_rows) and len(are_rows) >= CATALOGUE_ROWS
    }
    return [unit.cite in catalogues and PRICE in carried_types(unit.text) for unit in units]


def other_variant_articles(question: Question, units: Sequence[Unit]) -> list[bool]:
    """Units of an article about the variant the customer did not name, beside its retrieved sibling
    article that they did: a customer in Ireland asking "how much is next-day delivery" is answered
    from "Delivery times and costs in Ireland", not from the UK page's next-day row that sounds more
    like the question. The retriever's rules for sibling articles (`app.knowledge.variants`), read
    with what the customer told us too (their country, plan, device): the search saw only the
    dialogue's words ("Dublin"), the selection also knows what they mean ("Ireland"). Only a sibling
    named by what the customer told us: titles that differ by other words are not always variants
    ("Student discount for Kestrel Club Plus" beside "Kestrel Club Plus"), and the search has
    ordered those by the rules already."""
    asked = named_variants(question)
    told = variants.title_words(" ".join(sorted(question.remembered)))

    def passed_over(own: frozenset[str], sibling: frozenset[str]) -> bool:
        told_sibling = bool(told & (sibling - own))
        return told_sibling and variants.siblings(own, sibling) and variants.preferred(sibling, own, asked)

    return _beside_sibling(units, passed_over)


def unasked_siblings(question: Question, units: Sequence[Unit]) -> list[bool]:
    """Units of an article beside a retrieved sibling whose distinguishing title words the message
    names, all of them, and none of this article's own: "how do I reset my aura 2 pro" beside
    "Pairing and resetting Aura 2 headphones". Not a reason to pass the article over (that is
    `other_variant_articles`, which reads only what the customer told us), but a labelled answer
    that sounds most like such an article answered the sibling's question (`ExtractiveAnswerer.hinted`).
    All of them: "does the 5% plus discount work on the watch" names one word of "Student discount
    for Kestrel Club Plus", which is no variant of "Kestrel Club Plus"."""
    named = variants.title_words(question.focus)

    def named_instead(own: frozenset[str], sibling: frozenset[str]) -> bool:
        extra = sibling - own
        named_all = bool(extra) and extra <= named and not (own - sibling) & named
        return named_all and variants.siblings(own, sibling)

    return _beside_sibling(units, named_instead)


def _beside_sibling(
    units: Sequence[Unit], instead: Callable[[frozenset[str], frozenset[str]], bool]
) -> list[bool]:
    """Per unit, whether its article has a retrieved article that answers `instead` of it
    (`instead(own title words, the other's)`)."""
    titles = {unit.article: variants.title_words(unit.title) for unit in units if unit.cite and unit.title}
    articles = {
        article
        for article, own in titles.items()
        if own and any(other != article and instead(own, words) for other, words in titles.items())
    }
    return [unit.article in articles for unit in units]


def _label(text: str, content_words: Words) -> set[str]:
    """A table row's label as content words; nothing for a sentence."""
    return content_words(_row_label(text)) if _is_row(text) else set()


def _row_label(row: str) -> str:
    """A table row's label: the value of its first "Column: value" cell that is no stock code."""
    return _label_value([value for _, value in cells(row)])


_IDENTIFIER = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)+|[A-Z]+\d[A-Z0-9]*")


def _label_value(values: Sequence[str]) -> str:
    """The value that names a row: the first one, or the first after a stock code ("KBM-WHT",
    "SKU123"), which no customer says: a price list's label is its product name."""
    named = [value for value in values if not _IDENTIFIER.fullmatch(value.strip())]
    return named[0] if named else values[0]


def _named_more_fully(label: set[str], labels: list[set[str]], wanted: frozenset[str]) -> bool:
    """Whether another row's label contains this one and adds words the question names."""
    return any(label < other and (other - label) & wanted for other in labels)


# --- the choice ----------------------------------------------------------------------------
# An article's support: how many of the SUPPORT_TOP best-scoring units it holds. Another article's
# unit joins a reply only from an article supported at least as well as the best unit's; one that
# merely shares a word with the question has one unit near the top, if any. Demo dev (replayed
# selection): selection precision 0.605 -> 0.679, fact recall unchanged; 3 or 8 in place of 5:
# precision 0.657 / 0.635.
SUPPORT_TOP = 5
RUNNER_UP_RATIO = 0.6  # further units of the chosen section need this share of the best probability
MAX_WORDS = 45  # stop adding units once the answer is this long
MAX_STEPS = 10
OTHER_SOURCE_RATIO = 0.8  # another article's best unit joins when it scores this share of the best
_CONDITION = re.compile(r"^(?:if|unless|only|but|however|this|that|it|you|otherwise|except)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Choice:
    """The chosen units (indices, in reading order for steps, best first otherwise)."""

    indices: tuple[int, ...]
    steps: bool = False


def choose(
    units: Sequence[Unit],
    probability: np.ndarray,
    features: np.ndarray,
    question: Question,
    similar: Callable[[int, int], bool],
    *,
    max_units: int,
) -> Choice:
    """Section first, then the units inside it; a numbered list whole; never a pointer elsewhere."""
    probability = _typed(probability, features, question)
    away = features[:, FEATURES.index("refers_away")] > 0
    usable = [i for i in range(len(units)) if not away[i]] or list(range(len(units)))
    sections: dict[tuple[int, str], list[int]] = {}
    for i in usable:
        sections.setdefault((units[i].order[0], units[i].section), []).append(i)
    heading = features[:, FEATURES.index("heading_overlap")]
    best_section = max(
        sections.values(),
        key=lambda members: (max(probability[i] for i in members) + 0.1 * heading[members[0]], -members[0]),
    )
    ranked = sorted(best_section, key=lambda i: (-probability[i], units[i].order))
    best = ranked[0]
    steps = _steps(units, best_section, best, question)
    if steps:
        return Choice(tuple(steps), steps=True)
    chosen = [best]
    words = len(units[best].text.split())
    for i in ranked[1:]:
        size = len(units[i].text.split())
        if len(chosen) >= max_units or words + size > MAX_WORDS:
            continue
        if probability[i] < RUNNER_UP_RATIO * probability[best] or any(similar(i, j) for j in chosen):
            continue
        chosen.append(i)
        words += size
    if question.kind.wants(YES_NO):
        chosen.extend(_condition_after(units, chosen, best_section))
    support = article_support(units, sorted(usable, key=lambda i: (-probability[i], units[i].order)))
    chosen.extend(_elsewhere(units, probability, usable, chosen, similar, support))
    return Choice(by_article(units, chosen, support))


def _typed(probability: np.ndarray, features: np.ndarray, question: Question) -> np.ndarray:
    """A question for an amount, a time, a count or a contact is answered by a unit that states one:
    the scorer's probability is halved for units that carry none of the kinds asked for."""
    if not question.kind.typed:
        return probability
    share = features[:, FEATURES.index("type_match")] * len(question.kind.kinds) / len(question.kind.typed)
    return probability * (0.5 + 0.5 * np.clip(share, 0.0, 1.0))


def _elsewhere(
    units: Sequence[Unit],
    probability: np.ndarray,
    usable: list[int],
    chosen: list[int],
    similar: Callable[[int, int], bool],
    support: dict[str, int],
) -> list[int]:
    """The best unit of another article when it scores nearly as well and its article is supported
    at least as well as the best unit's (see SUPPORT_TOP): a second source says what the first
    leaves out (and is cited)."""
    documents = {units[i].cite for i in chosen}
    floor = support[units[chosen[0]].article]
    others = [
        i
        for i in usable
        if units[i].cite not in documents
        and not units[i].text.endswith("?")
        and support[units[i].article] >= floor
    ]
    if not others:
        return []
    best = max(others, key=lambda i: (probability[i], -units[i].order[0]))
    close = probability[best] >= OTHER_SOURCE_RATIO * probability[chosen[0]]
    return [best] if close and not any(similar(best, j) for j in chosen) else []


def _steps(units: Sequence[Unit], section: list[int], best: int, question: Question) -> list[int]:
    """For a how-to question whose best unit is a step: that numbered list, in order."""
    if units[best].step == 0 or not question.kind.wants(STEPS) or question.kind.factual:
        return []
    block = [i for i in section if units[i].step > 0 and units[i].block == units[best].block]
    block.sort(key=lambda i: units[i].order)
    return block[:MAX_STEPS] if len({units[i].step for i in block}) >= 2 else []


def _condition_after(units: Sequence[Unit], chosen: list[int], section: list[int]) -> list[int]:
    """For a yes/no question: the sentence right after the deciding one when it states its condition."""
    following = next_in_paragraph(units, chosen[0])
    if following is None or following not in section or following in chosen:
        return []
    return [following] if _CONDITION.match(units[following].text) else []


def next_in_paragraph(units: Sequence[Unit], i: int) -> int | None:
    """The unit right after unit `i` in its passage and section (None when it ends them). Units of a
    retrieved article's other sections carry their passage's number, so a position alone may name
    a sentence of another section."""
    unit = units[i]
    following = (unit.order[0], unit.order[1] + 1)
    return next(
        (
            j
            for j, other in enumerate(units)
            if other.order == following and other.chunk == unit.chunk and other.section == unit.section
        ),
        None,
    )


# --- the default (rule-weighted) choice ----------------------------------------------------
# Weights over the same features the learned scorer reads, added to the similarity of the unit to
# the question. Each says why a unit that *sounds* less like the question still answers it: it
# states the kind of fact asked for, it sits under a heading that names what was asked about, or it
# is a step of a how-to. A unit that sends the reader to another retrieved article, or a table row
# labelled with an entity the question does not name, loses. First set by hand while reading dev;
# now fitted, with the margins and word budgets below, on the dev and train dialogues by
# `scripts/tune_answer_constants.py` (coordinate search from the hand-set values; its docstring
# says what it searches and why). Replayed selection, before -> after the fit: key-fact recall
# 0.605 -> 0.657 on dev, 0.546 -> 0.626 on train, 0.459 -> 0.526 on the validation set (never
# fitted on), ROUGE-L 0.325 -> 0.325, 0.285 -> 0.295, 0.270 -> 0.285.
RULE_WEIGHTS = {
    "word_overlap": 0.075,
    "heading_overlap": 0.08,
    "type_match": 0.05,
    "states_number": 0.03,
    "entity_match": 0.06,
    "entity_conflict": -0.08,
    "refers_away": -0.3,
    "lead_in": -0.05,
    "steps_wanted": 0.06,
    "passage_rank": 0.1,
    "code_match": 0.2,
    "heading_type": 0.05,
}
SAME_DOCUMENT_MARGIN = 0.15  # further units of the best unit's article within this of the best
OTHER_DOCUMENT_MARGIN = 0.12  # another article's unit joins only when nearly as good
RULE_MAX_WORDS = 105
MAX_SIBLING_ROWS = 2  # a price table of up to three rows (a pound and a euro row) is quoted whole
# A reply may add the quantities its section states beside the chosen units (the answer to "how do I
# get a copy of my data" is the steps *and* "usually ready within 72 hours"), up to this many words
# in all and this many added units. From 2 units / 60 words to 3 / 75 on the dev dialogues (replayed):
# fact recall 0.390 -> 0.406, ROUGE-L unchanged (0.285), semantic 0.568 -> 0.567, median reply of
# the answered knowledge turns unchanged (38 words). The word budget is now fitted (see RULE_WEIGHTS).
SUPPORT_MAX_WORDS = 112
# A lone answer shorter than this many words is followed by the next sentence of its paragraph
# (`continuation`). Full replays of the demo dialogues, semantic similarity / ROUGE-L, without -> 20:
# dev 0.6357 -> 0.6368 / 0.3516 -> 0.3516, validation 0.6417 -> 0.6440 / 0.3256 -> 0.3262, train
# 0.6682 -> 0.6707 / 0.3733 -> 0.3743; fact recall unchanged on all three. At 12 half the gain; at 30
# dev's ROUGE-L fell (0.3510), at 100 more (0.3492).
SHORT_REPLY_WORDS = 20
MAX_SUPPORT = 3
# ...and only when it scores within this of the best unit. On the dev dialogues' candidates (the
# quantity-stating units of chosen sections), 17% carried a reference fact the reply lacked; within
# 0.25 of the best, 31% on three quarters of the dialogues and 32% on the held-out quarter. Fitted
# since (see RULE_WEIGHTS): twice that, the largest single gain in facts stated on the validation set.
SUPPORT_MARGIN = 0.5
# The sentence right after a chosen unit (or after the last step of a chosen list) continues it:
# "3. We email you when the file is ready." then "The file is usually ready within 72 hours." It
# sounds less like the question than the steps do, so it may score this much further below.
NEXT_MARGIN = 0.25
QUANTITIES = frozenset({PRICE, DURATION, COUNT})
# A reply stating no time limit takes its article's sentence that states one within this of the best
# unit (`time_limit`). Replayed selection, fact recall / ROUGE-L, without -> with (0.2 and 0.4 were
# also tried; 0.4 lost ROUGE-L on train and validation): dev 0.676 -> 0.694 / 0.333 -> 0.334,
# train 0.665 -> 0.674 / 0.319 -> 0.320, validation (aggregate only) 0.537 -> 0.557 / 0.291 -> 0.294.
TIME_LIMIT_MARGIN = 0.3
# Then a reply composed from close runners-up takes its article's best unit stating a further
# quantity within this of the best unit (`stated_quantity`). Replayed selection, fact recall /
# ROUGE-L, without -> with 0.15: dev 0.680 -> 0.690 / 0.316 -> 0.315, train 0.739 -> 0.752 / 0.331
# -> 0.329, validation (aggregate only) 0.593 -> 0.612 / 0.302 -> 0.303. At 0.1 the gains halve; at
# 0.2 dev states more (0.712) but loses ROUGE-L everywhere (dev 0.310). With every table row left
# out validation gains less (0.610); with list steps left out it gains nothing (0.596).
# Since the hints and declines, 0.15 -> 0.2 (full replays, fact recall / generation ROUGE-L): dev
# 0.686 -> 0.708 / 0.352 -> 0.348, validation (aggregate only) 0.632 -> 0.651 / 0.320 -> 0.319,
# train 0.771 -> 0.771 / 0.367 -> 0.364; semantic similarity within 0.0005 on all three. Taken: on
# the set written apart, two points more of the facts asked for cost a tenth of a point of ROUGE-L.
QUANTITY_MARGIN = 0.2
AFTER_LIST = 3  # paragraphs after a chosen numbered list whose quantity joins the steps, whatever their score
# A numbered list of at most this many words is quoted whole when two of its steps are chosen.
WHOLE_LIST_WORDS = 60
AFTER_TABLE = 1  # the paragraph right under a table a chosen row belongs to (its note on every row)
FIRST_ROW_MARGIN = 0.1  # a table's first row stands for it over a row that sounds this much closer
# Another section's unit of the asked kind, under a heading naming that kind and the question's
# subject, joins when it scores within this of the best unit.
HEADED_MARGIN = 0.6
TYPED_LEAD = 0.25  # a unit stating the kind of fact asked for wins over better-sounding ones within this
# ...and within this when its article has none of the SUPPORT_TOP best-scoring units: an amount in an
# article that only shares a word with the question is another topic ("Run giveaways that ask you to
# pay a small fee" for "do you pay bug bounties?"). Demo dev (replayed selection): three such turns
# answered from the top article instead, fact recall unchanged; 0.08-0.15 give the same replies.
TYPED_LEAD_ELSEWHERE = 0.12
# ...and this much further when the unit's own section heading asks for the kind of fact asked (a
# returns page's "How long ...?" heading over its "Plan: Plus; Returns window: 45 days" row), since
# the help centre wrote that section to answer it. Replayed selection, fact recall without -> with
# 0.1: dev 0.723 -> 0.746 ("how much is premium for me" gets the Premium price row, not a worked
# example), validation (aggregate only) 0.693 -> 0.685, a probe set written apart 0.430 -> 0.450;
# 0.05 and 0.2 no better.
HEADED_LEAD = 0.1


# An article whose heading names what the customer told us earlier (the German delivery page for a
# customer in Germany) beats one that merely ranked higher for the question's words: more than the
# first-passage bonus (passage_rank) and a typical similarity gap between two countries' pages.
REMEMBERED_HEADING = 0.15
# A unit about the entity a follow-up replaced (`about_replaced`) answers only when nothing else
# does: "and premium?" after the Plus price is not answered with Plus's price because the Premium
# page was not retrieved (the previous question's words made the Plus page sound like the answer).
REPLACED_PENALTY = 1.0
# A section whose own heading is the only place that names a word of the question ("Restart the
# watch" for "how do I restart the watch") is where the answer is, though its sentences ("Press and
# hold the side button for 12 seconds") sound less like the question than the steps of another
# section do: more than a typical similarity gap between two sections of one article.
HEADING_NAMED = 0.3
HEADING_WORDS = 2
# A message that reports what the customer already did ("pulled down on the Today screen already,
# Bluetooth is on") sounds most like the units that say to do it. Those units drop out; the next
# step of their list gains NEXT_STEP.
_TRIED = re.compile(r"\b(?:already|tried|i(?:'ve| have) (?:done|checked|restarted|reset))\b", re.IGNORECASE)
TRIED_PENALTY = 1.0
NEXT_STEP = 0.2
STEM = 5  # "restarted" did what "Restart the router" says


def named_sections(question: Question, units: Sequence[Unit], content_words: Words) -> np.ndarray:
    """Per unit, 1 when its own section heading (not the article's title) names a word of the
    question as asked that no other section names, in its heading or its text. Only help-centre
    articles have sections: an attachment's lines ("Update failed (K-301)") are not headings."""
    wanted = content_words(question.focus)
    keys = [(unit.article, unit.section) for unit in units]
    own = [content_words(unit.heading) - content_words(unit.title) if unit.cite else set() for unit in units]
    texts = [content_words(unit.text) for unit in units]
    named = np.zeros(len(units))
    for word in wanted:
        holders = {keys[i] for i in range(len(units)) if word in own[i]}
        if len(holders) != 1:
            continue
        (holder,) = holders
        if any(word in texts[i] for i in range(len(units)) if keys[i] != holder):
            continue
        named[[i for i in range(len(units)) if keys[i] == holder]] = 1.0
    whole = _headed_by_the_question(wanted, keys, units, content_words)
    if whole is not None:
        named[[i for i in range(len(units)) if keys[i] == whole]] = 1.0
    return named


def _headed_by_the_question(
    wanted: set[str], keys: Sequence[tuple[str, str]], units: Sequence[Unit], content_words: Words
) -> tuple[str, str] | None:
    """The one section whose own heading names every content word of a short question ("Battery
    life" for "battery life on these?"), even when its words also occur elsewhere: a heading that
    says all the question says is what the question asks for. None when no section, or several,
    do so, or the question names fewer than HEADING_WORDS words (one word is any heading's)."""
    if len(wanted) < HEADING_WORDS:
        return None
    holders = {keys[i] for i, unit in enumerate(units) if unit.cite and wanted <= content_words(unit.heading)}
    return holders.pop() if len(holders) == 1 else None


def reports_tried(question: Question) -> bool:
    """Whether the message reports what the customer already did rather than asking something."""
    return bool(_TRIED.search(question.focus)) and not asks_a_question(question.focus)


def tried_units(question: Question, units: Sequence[Unit], content_words: Words) -> np.ndarray:
    """Score changes for a message that reports what the customer already did: the units sharing a
    word stem with it, beyond their article's title, lose TRIED_PENALTY (quoting them back tells the
    customer nothing); the step after such units in a numbered list gains NEXT_STEP (a good agent
    gives the next step), the more so the more of the steps before it the customer did."""
    change = np.zeros(len(units))
    if not reports_tried(question) or not units:
        return change
    said = _stems(" ".join(tried_clauses(question.focus)), content_words)
    covered = [
        bool((said - _stems(unit.title, content_words)) & _stems(unit.text, content_words)) for unit in units
    ]
    done = {
        (unit.cite, unit.block, unit.step)
        for unit, hit in zip(units, covered, strict=True)
        if hit and unit.step
    }
    for i, unit in enumerate(units):
        if covered[i]:
            change[i] -= TRIED_PENALTY
        elif unit.step > 1 and (unit.cite, unit.block, unit.step - 1) in done:
            before = sum((unit.cite, unit.block, step) in done for step in range(1, unit.step))
            change[i] += NEXT_STEP * before / (unit.step - 1)
    return change


_CLAUSE_BREAK = re.compile(r"[.!?;\n]+|,?\s+but\s+", re.IGNORECASE)


def tried_clauses(text: str) -> list[str]:
    """The sentences of a message that report what was tried ("reset it twice already"), not those
    that say what is wrong ("the app keeps throwing K-402 when I add it"): quoting back what the
    customer did tells them nothing, but the sentences about their problem name the answer's
    words. A contrast ("I restarted it but it still shows K-402") ends the report."""
    return [clause for clause in _CLAUSE_BREAK.split(text) if _TRIED.search(clause)]


def _stems(text: str, content_words: Words) -> set[str]:
    """The content words' first STEM letters ("restarted" and "Restart" meet)."""
    return {word[:STEM] for word in content_words(text)}


def remembered_headings(question: Question, units: Sequence[Unit], content_words: Words) -> np.ndarray:
    """Per unit, 1 for a table row naming a remembered value among rows naming others, else the
    share of the remembered values' words its title and heading path name, for an
    article that has a retrieved sibling: another article whose title is the same but for the
    entity ("Delivery times and costs in Germany" / "... in the United Kingdom"), or for the
    search's top article (the first passage): the search read the dialogue, and its best article
    naming the customer's country is the page for them ("how long does shipping take?" from
    Germany, beside a refund-timing page whose "Returns usually take 2–5 working days" sounds
    more like the question). Otherwise a page that merely names the customer's country is no
    better an answer ("Returning a parcel in the United Kingdom" to a question about instalments)."""
    wanted = question.remembered
    if not wanted:
        return np.zeros(len(units))
    titles = {unit.article: content_words(unit.title) for unit in units}
    first = min(units, key=lambda unit: unit.order).article
    rows = rows_naming(units, wanted, content_words, accessories=False)
    shares = []
    for i, unit in enumerate(units):
        if rows[i]:
            shares.append(1.0)
            continue
        own = unit.article
        rest = titles[own] - wanted
        sibling = any(doc != own and rest and rest <= words for doc, words in titles.items())
        heading = content_words(f"{unit.title} {unit.section}")
        shares.append(len(wanted & heading) / len(wanted) if sibling or own == first else 0.0)
    return np.asarray(shares, dtype=np.float64)


def rows_naming(
    units: Sequence[Unit], wanted: frozenset[str], content_words: Words, *, accessories: bool = True
) -> list[bool]:
    """Table rows that name a remembered value, in a table whose other rows name other entities
    (the euro row of a price-by-country table for a customer in the Netherlands)."""
    conflicts = row_conflicts(units, wanted, content_words, accessories=accessories)
    pairs = list(zip(units, conflicts, strict=True))
    tables = {(unit.order[0], unit.block) for unit, conflict in pairs if conflict}
    return [
        not conflict and (unit.order[0], unit.block) in tables and bool(wanted & content_words(unit.text))
        for unit, conflict in zip(units, conflicts, strict=True)
    ]


def rule_scores(features: np.ndarray, question: Question) -> np.ndarray:
    """Similarity plus the weighted features: the default ranking of the units."""
    scores = features[:, FEATURES.index("similarity")].copy()
    for name, weight in RULE_WEIGHTS.items():
        column = features[:, FEATURES.index(name)]
        if name == "type_match" and not question.kind.typed:
            continue  # "how do I" or "can I" is answered in many forms; no surface to prefer
        scores += weight * column
    return scores


def compose(
    units: Sequence[Unit],
    scores: np.ndarray,
    features: np.ndarray,
    question: Question,
    similar: Callable[[int, int], bool],
    *,
    max_units: int,
    about: np.ndarray | None = None,
    named: np.ndarray | None = None,
    asked_rows: np.ndarray | None = None,
) -> Choice:
    """The best unit; for a how-to, the numbered list of its section; otherwise close runners-up from
    the same article, another article's only when nearly as good, as much about what the customer
    told us (`about`, per unit) and as well supported (`article_support`), within a word budget so
    the reply stays short; a short list two of whose steps were chosen comes whole (`whole_list`);
    then the unit of the asked kind under a heading that names it (`headed_answer`), and the
    answering article first (`by_article`). A best unit under a heading
    that names the question (`named`, per unit) brings its section's other sentences, in reading
    order. `asked_rows` (per unit) marks the table rows labelled with what the question names
    ("Card" for "refunds to a card")."""
    ranked = sorted(range(len(units)), key=lambda i: (-round(float(scores[i]), 6), units[i].order))
    conflicts = features[:, FEATURES.index("entity_conflict")] > 0
    preferred = None if about is None else about > 0
    if asked_rows is not None:
        preferred = asked_rows > 0 if preferred is None else preferred | (asked_rows > 0)
    # a row the question itself names beats a unit of the article about the customer's country
    rank = None if preferred is None else preferred.astype(float)
    if rank is not None and asked_rows is not None:
        rank = rank + (asked_rows > 0)
    support = article_support(units, ranked)
    best = _typed_best(units, ranked, scores, question, conflicts, rank, support)
    best = _first_row(units, best, scores, conflicts, preferred)
    ranked = [best, *(i for i in ranked if i != best)]
    if question.kind.wants(STEPS) and not question.kind.factual:
        # the best unit's section, else that of a close runner-up in the same article: "Sign in
        # again with the new password" may outscore the steps of "How do I reset my password?"
        close = [
            i
            for i in ranked[1:]
            if units[i].doc_id == units[best].doc_id
            and scores[i] >= scores[best] - SAME_DOCUMENT_MARGIN
            and lends_its_list(features, best, i)
        ]
        steps = numbered_list(units, [best, *close], scores)
        if steps:
            extra = supporting(units, steps, scores, question, similar, conflicts=conflicts)
            return Choice((*steps, *sorted(extra, key=lambda i: units[i].order)), steps=True)
    overlap = features[:, FEATURES.index("word_overlap")]
    chosen = [best]
    if named is not None and named[best] and not _says_its_heading(units[best], question):
        section = _section_of(units, best, similar)
        section.extend(headed_answer(units, [best, *section], scores, question, similar, conflicts))
        return Choice(tuple(sorted([best, *section], key=lambda i: units[i].order)))
    words = len(units[best].text.split())
    for i in ranked[1:]:
        if len(chosen) >= max_units:
            break
        same = units[i].doc_id == units[best].doc_id and units[i].cite == units[best].cite
        margin = SAME_DOCUMENT_MARGIN if same else OTHER_DOCUMENT_MARGIN
        if scores[i] < scores[best] - margin:
            if not same:
                continue
            break
        size = len(units[i].text.split())
        related = overlap[i] > 0 or (same and units[i].section == units[best].section)
        if words + size > RULE_MAX_WORDS or not related or units[i].text.endswith("?"):
            continue
        if conflicts[i] and not conflicts[best]:  # another plan's or country's row is no runner-up
            continue
        if not same and about is not None and about[i] < about[best]:  # the UK page beside Germany's
            continue
        if not same and support[units[i].article] < support[units[best].article]:
            continue
        if any(similar(i, j) for j in chosen):
            continue
        chosen.append(i)
        words += size
    if question.kind.wants(YES_NO):
        chosen.extend(_condition_after(units, chosen, list(range(len(units)))))
    # a yes/no or a quantity is answered by the sentence that states it, not by a procedure; one who
    # did the steps already wants the next one, not the list again
    procedure = not (question.kind.wants(YES_NO) or question.kind.factual or reports_tried(question))
    steps = whole_list(units, chosen, scores) if procedure else []
    if steps:  # quoted as sentences in reading order: the customer asked no how-to to list steps for
        notes = [i for i in chosen if i not in steps]
        extra = supporting(units, [*steps, *notes], scores, question, similar, conflicts=conflicts)
        return Choice((*steps, *sorted(dict.fromkeys([*notes, *extra]), key=lambda i: units[i].order)))
    if asked_rows is None or not asked_rows[best]:  # the row the question names is the one asked for
        chosen.extend(sibling_rows(units, best, question, conflicts, chosen))
    else:
        chosen.extend(equally_named_rows(units, best, question, conflicts, chosen))
    chosen = answering_section_first(units, chosen, scores, question, similar, conflicts)
    chosen.extend(headed_answer(units, chosen, scores, question, similar, conflicts))
    chosen.extend(named_row(units, chosen, scores, question, asked_rows))
    chosen.extend(time_limit(units, chosen, scores, similar, conflicts))
    chosen.extend(stated_quantity(units, chosen, scores, similar, conflicts))
    chosen.extend(continuation(units, chosen, scores, similar))
    return Choice(by_article(units, chosen, support))


def continuation(
    units: Sequence[Unit], chosen: Sequence[int], scores: np.ndarray, similar: Callable[[int, int], bool]
) -> list[int]:
    """The sentence after a lone answer shorter than SHORT_REPLY_WORDS, in the same paragraph: "A
    reset removes all paired devices, your sound settings and the multipoint setting." goes on "It
    does not change the firmware version.", which the customer would ask next. When the answer ends
    its paragraph, the best-scoring other sentence of its section: "Kestrel does not run a paid bug
    bounty programme" closes a section whose list says what a researcher gets instead ("we thank you
    by name"). [] for a longer answer, or when the sentence is a step, a table row (about another
    entity), a question, or says the same again."""
    if len(chosen) != 1 or len(units[chosen[0]].text.split()) >= SHORT_REPLY_WORDS:
        return []
    lone = units[chosen[0]]

    def ends(i: int) -> bool:
        unit = units[i]
        return bool(unit.step) or unit.text.endswith("?") or _is_row(unit.text) or similar(i, chosen[0])

    following = next_in_paragraph(units, chosen[0])
    if following is not None:
        return [] if ends(following) else [following]
    section = [
        i
        for i, unit in enumerate(units)
        if i != chosen[0] and unit.cite == lone.cite and unit.section == lone.section and not ends(i)
    ]
    return [max(section, key=lambda i: (float(scores[i]), -units[i].order[1]))] if section else []


def equally_named_rows(
    units: Sequence[Unit], best: int, question: Question, conflicts: np.ndarray, chosen: Sequence[int]
) -> list[int]:
    """The other rows of the best row's table whose labels name the same words of the question:
    "klarna in germany?" names both "Klarna – pay in 3 instalments" (Germany: No) and "Klarna – pay
    in 30 days" (Germany: Yes), and either alone answers half of it. Rows about another entity
    (`conflicts`) stay out, and at most MAX_SIBLING_ROWS join, within the reply's word budget."""
    asked = _words(question.focus)
    named = _named_by(units[best].text, asked)
    if not named or conflicts[best]:
        return []
    table = (units[best].cite, units[best].order[0], units[best].block)
    rows = [
        i
        for i, unit in enumerate(units)
        if i not in chosen
        and (unit.cite, unit.order[0], unit.block) == table
        and _is_row(unit.text)
        and not conflicts[i]
        and _named_by(unit.text, asked) == named
    ]
    if len(rows) > MAX_SIBLING_ROWS:  # the label word names the whole table, not a few of its rows
        return []
    return _within_budget(units, rows, chosen)


def named_row(
    units: Sequence[Unit],
    chosen: Sequence[int],
    scores: np.ndarray,
    question: Question,
    asked_rows: np.ndarray | None,
) -> list[int]:
    """The table row of the best unit's article whose label names what the question names ("Card
    (Visa, Mastercard)" for "it went to my visa"), when the reply has no row of that table, does not
    name it yet, and no unit outside the table names it: the row states the customer's own case,
    though a sentence of another section sounds more like the question. (A label word that other
    text uses too, or that the reply already says, picks out no row: a "year" or "Pay" of one row
    of a benefits or payment table is no entity asked about.) The best-scoring such row, within
    the supporting word budget."""
    if asked_rows is None or not chosen:
        return []
    article = units[chosen[0]].article
    tables = {(units[i].order[0], units[i].block) for i in chosen}
    said = set().union(*(_words(units[i].text) for i in chosen))
    asked = _words(question.focus)
    words = sum(len(units[i].text.split()) for i in chosen)
    rows = [
        i
        for i, unit in enumerate(units)
        if asked_rows[i]
        and unit.article == article
        and (unit.order[0], unit.block) not in tables
        and _named_by(unit.text, asked) - said - _elsewhere_words(units, i)
        and words + len(unit.text.split()) <= SUPPORT_MAX_WORDS
    ]
    return [max(rows, key=lambda i: (float(scores[i]), -units[i].order[1]))] if rows else []


def _named_by(row: str, asked: set[str]) -> set[str]:
    """The question's words that a table row's label names."""
    return _words(_row_label(row)) & asked


def _elsewhere_words(units: Sequence[Unit], row: int) -> set[str]:
    """The words of every unit outside the row's table."""
    table = (units[row].order[0], units[row].block)
    return set().union(*(_words(u.text) for u in units if (u.order[0], u.block) != table))


def _words(text: str) -> set[str]:
    """Lower-case words of four letters or more."""
    return set(_LONG_WORD.findall(text.lower()))


def whole_list(units: Sequence[Unit], chosen: Sequence[int], scores: np.ndarray) -> list[int]:
    """The whole numbered list when the chosen units are two or more of its steps: steps 1 and 3
    quoted without step 2 ("Report it within 48 hours") leave out the step between them, and the
    ranking that picked two steps of a list says the list is the answer. Its steps in order; [] when
    no list has two of its steps chosen, or the list is too long to quote whole in a short reply."""
    for i in chosen:
        if units[i].step == 0:
            continue
        steps = numbered_list(units, [i], scores)
        if len({units[j].step for j in chosen if j in steps}) >= 2:
            return steps if sum(len(units[j].text.split()) for j in steps) <= WHOLE_LIST_WORDS else []
    return []


def _first_row(
    units: Sequence[Unit], best: int, scores: np.ndarray, conflicts: np.ndarray, preferred: np.ndarray | None
) -> int:
    """A table row chosen when nothing in the question or the dialogue picks a row of its table (no
    row named, no country or plan told): the table's first row close to it instead. Which of
    several equally fitting rows sounds most like the question is chance ("Germany (German)" for
    "when is your chat open?"); the first row is the table's default case (the UK and Ireland team)."""
    if not _is_row(units[best].text) or conflicts[best] or (preferred is not None and preferred[best]):
        return best
    table = [
        i
        for i, unit in enumerate(units)
        if unit.cite == units[best].cite and unit.block == units[best].block and _is_row(unit.text)
    ]
    if any(conflicts[i] or (preferred is not None and preferred[i]) for i in table):
        return best
    first = min(table, key=lambda i: units[i].order)
    return first if scores[first] >= scores[best] - FIRST_ROW_MARGIN else best


def _section_of(units: Sequence[Unit], best: int, similar: Callable[[int, int], bool]) -> list[int]:
    """The other sentences of the best unit's section, in reading order, within the word budget
    (a short section under a heading that names the question is its answer)."""
    key = (units[best].cite, units[best].section)
    words = len(units[best].text.split())
    added: list[int] = []
    for i in sorted(range(len(units)), key=lambda i: units[i].order):
        unit = units[i]
        if (
            i == best
            or (unit.cite, unit.section) != key
            or unit.text.endswith(("?", ":"))
            or _is_row(unit.text)
        ):
            continue
        size = len(unit.text.split())
        if words + size > RULE_MAX_WORDS or any(similar(i, j) for j in [best, *added]):
            continue
        added.append(i)
        words += size
    return added


def _says_its_heading(unit: Unit, question: Question) -> bool:
    """Whether a unit's text names the words of the question its section heading names (then it
    answers on its own; else the section's other sentences come with it)."""
    heading = set(_LONG_WORD.findall(unit.heading.lower()))
    asked = heading & set(_LONG_WORD.findall(question.focus.lower())) - set(
        _LONG_WORD.findall(unit.title.lower())
    )
    text = unit.text.lower()
    return bool(asked) and all(word in text for word in asked)


def lends_its_list(features: np.ndarray, best: int, runner_up: int) -> bool:
    """Whether a runner-up's section may answer a how-to with its numbered list instead of the best
    unit's section: when its words or its heading name at least as much of the question as the
    best unit's ("Sign in again with the new password" beside the steps under "How do I reset my
    password?"). A best unit that is, or sits under, the asked action ("Restart the watch: hold the
    side button for 12 seconds") is the answer, not the pairing steps of the next section."""
    heading = features[:, FEATURES.index("heading_overlap")]
    overlap = features[:, FEATURES.index("word_overlap")]
    return bool(max(heading[runner_up], overlap[runner_up]) >= max(heading[best], overlap[best]))


def sibling_rows(
    units: Sequence[Unit], best: int, question: Question, conflicts: np.ndarray, chosen: Sequence[int]
) -> list[int]:
    """For a price question answered by a table row when nothing says which row applies (the question
    names no row's value and the customer told us no country or plan): the table's other price rows
    too, so a customer whose store is unknown gets both the pound and the euro price. A row naming an
    entity the question does not ask about conflicts and stays out (Premium's row for "how much is
    Plus"); so does a table the question picks a row of ("next day" among delivery options)."""
    unit = units[best]
    if not question.kind.wants(PRICE) or question.remembered or not _is_row(unit.text) or conflicts[best]:
        return []
    rows = [
        i
        for i, other in enumerate(units)
        if i != best
        and other.cite == unit.cite
        and other.order[0] == unit.order[0]
        and other.block == unit.block
        and _is_row(other.text)
    ]
    if any(conflicts[i] for i in rows) or len(rows) > MAX_SIBLING_ROWS:
        return []
    priced = [i for i in rows if i not in chosen and PRICE in carried_types(units[i].text)]
    return _within_budget(units, priced, chosen)


def _within_budget(units: Sequence[Unit], rows: Sequence[int], chosen: Sequence[int]) -> list[int]:
    """`rows` in reading order, each that still fits the reply's word budget (RULE_MAX_WORDS) after
    the `chosen` units and the rows taken before it."""
    words = sum(len(units[i].text.split()) for i in chosen)
    added = []
    for i in sorted(rows, key=lambda i: units[i].order):
        size = len(units[i].text.split())
        if words + size <= RULE_MAX_WORDS:
            added.append(i)
            words += size
    return added


def headed_answer(
    units: Sequence[Unit],
    chosen: Sequence[int],
    scores: np.ndarray,
    question: Question,
    similar: Callable[[int, int], bool],
    conflicts: np.ndarray,
) -> list[int]:
    """For a question asking for a kind of quantity: the best unit stating that kind, with a number the
    reply lacks, from another section of the best unit's article whose own heading names both that
    kind and a word of the question ("When is the refund issued?" for "how long until I see my
    refund?", whose reply quotes the row of "When will I see the money?"). The refund's two waits
    are both the answer; a section that merely states some duration is not (an article-wide search
    for a unit of the asked kind added facts but lengthened replies past what ROUGE-L tolerates).
    At most one unit, within HEADED_MARGIN of the best score and the supporting word budget."""
    if not question.kind.typed or not chosen:
        return []
    best = units[chosen[0]]
    sections = {(units[i].article, units[i].section) for i in chosen}
    stated = set().union(*(stated_numbers(units[i].text) for i in chosen))
    asked = _long_stems(question.focus) - _long_stems(kind_words(question.focus))  # its subject's words
    words = sum(len(units[i].text.split()) for i in chosen)
    candidates = [
        i
        for i, unit in enumerate(units)
        if unit.article == best.article
        and (unit.article, unit.section) not in sections
        and scores[i] >= scores[chosen[0]] - HEADED_MARGIN
        and question.kind.typed & heading_types(unit.heading)
        and asked & _long_stems(unit.heading)
        and question.kind.typed & carried_types(unit.text)
        and _adds_a_quantity(units, i, chosen, stated, conflicts)
        and words + len(unit.text.split()) <= SUPPORT_MAX_WORDS
        and not any(similar(i, j) for j in chosen)
    ]
    return [max(candidates, key=lambda i: (float(scores[i]), -units[i].order[1]))] if candidates else []


def _long_stems(text: str) -> set[str]:
    """The first STEM letters of a text's longer words ("refunds" and "refund" meet)."""
    return {word[:STEM] for word in _LONG_WORD.findall(text.lower())}


def answering_section_first(
    units: Sequence[Unit],
    chosen: Sequence[int],
    scores: np.ndarray,
    question: Question,
    similar: Callable[[int, int], bool],
    conflicts: np.ndarray,
) -> list[int]:
    """The chosen units with their supporting asides, the best unit's own section served first: a
    quantity that continues a chosen unit of that section (the sentence right after it, or the note
    after its list or table: how soon a callback comes, said after the table of numbers) is part of
    the answer, so it takes the word budget before the runner-ups from other
    sections, which give way, in the order chosen, when both do not fit. The rest of the budget and
    of MAX_SUPPORT goes to the other chosen sections' asides, as `supporting` alone would add. Only
    a continuation goes first: another quantity of the section (one stated before the chosen unit)
    may belong to a best unit that only sounds like the question."""
    lead = (units[chosen[0]].cite, units[chosen[0]].section)
    own = [i for i in chosen if (units[i].cite, units[i].section) == lead]
    follow = _after_list(units, own) | {(units[i].order[0], units[i].order[1] + 1) for i in own}
    first = [
        i
        for i in supporting(units, own, scores, question, similar, conflicts=conflicts)
        if units[i].order in follow
    ]
    if not first:
        return [*chosen, *supporting(units, chosen, scores, question, similar, conflicts=conflicts)]
    words = sum(len(units[i].text.split()) for i in [*own, *first])
    kept = []
    for i in chosen:
        size = len(units[i].text.split())
        if i in own or words + size <= SUPPORT_MAX_WORDS:
            kept.append(i)
            words += 0 if i in own else size
    kept.extend(first)
    rest = supporting(units, kept, scores, question, similar, conflicts=conflicts)
    return [*kept, *rest[: MAX_SUPPORT - len(first)]]


def supporting(
    units: Sequence[Unit],
    chosen: Sequence[int],
    scores: np.ndarray,
    question: Question,
    similar: Callable[[int, int], bool],
    *,
    conflicts: np.ndarray | None = None,
) -> list[int]:
    """Units of the chosen units' sections that state a quantity the chosen ones do not: the amount,
    time or limit that comes with the answer ("Changes can take up to 48 hours" after "reply STOP").
    A question asking for a kind of quantity takes only units stating that kind; best-scoring first,
    close to the best unit's score, within the word budget; never a question, a lead-in, a list
    step, a table row about another entity than the one asked about (`conflicts`) or a near-duplicate."""
    # the best unit's article only: a runner-up from another article is there for one sentence
    sections = {(units[i].cite, units[i].section) for i in chosen if units[i].cite == units[chosen[0]].cite}
    # a table row beside a chosen row is an alternative (another option, plan or country), not a detail
    tables = _chosen_tables(units, chosen)
    stated = set().union(*(stated_numbers(units[i].text) for i in chosen))
    kinds = (question.kind.typed & QUANTITIES) or QUANTITIES
    words = sum(len(units[i].text.split()) for i in chosen)
    floor = max(float(scores[i]) for i in chosen) - SUPPORT_MARGIN
    after = {(units[i].order[0], units[i].order[1] + 1) for i in chosen}
    noted = _after_list(units, chosen)
    coded = code_sections(units, chosen[0], question)
    sections |= coded
    noted |= {unit.order for unit in units if (unit.cite, unit.section) in coded}
    candidates = sorted(
        (
            i
            for i, unit in enumerate(units)
            if (unit.cite, unit.section) in sections
            and unit.step == 0  # a step of some list is no aside
            and not (_is_row(unit.text) and (unit.cite, unit.block) in tables)
            and (unit.order in noted or scores[i] >= (floor - NEXT_MARGIN if unit.order in after else floor))
            and _adds_a_quantity(units, i, chosen, stated, conflicts)
            and kinds & carried_types(unit.text)
        ),
        key=lambda i: (-round(float(scores[i]), 6), units[i].order),
    )
    added: list[int] = []
    for i in candidates:
        size = len(units[i].text.split())
        if len(added) >= MAX_SUPPORT or words + size > SUPPORT_MAX_WORDS:
            continue
        if any(similar(i, j) for j in [*chosen, *added]) or not stated_numbers(units[i].text) - stated:
            continue
        added.append(i)
        words += size
        stated |= stated_numbers(units[i].text)
    return added


def time_limit(
    units: Sequence[Unit],
    chosen: Sequence[int],
    scores: np.ndarray,
    similar: Callable[[int, int], bool],
    conflicts: np.ndarray,
) -> list[int]:
    """The answering article's best sentence stating a time limit, for a reply that states none.

    A help centre's answer usually comes with the time that governs it ("Hand over the parcel within
    14 days of starting the return" after "send the parcel back with DHL"), often in another section
    of the article ("Deadline") than the sentence that sounds like the question. So the best-scoring
    unit of the best unit's article that states a duration joins when it scores within
    `TIME_LIMIT_MARGIN` of the best unit and the word budget allows: never a table row (another
    option's value), a question, a lead-in, a unit about another entity or a near-duplicate."""
    if any(DURATION in carried_types(units[i].text) for i in chosen):
        return []
    return _article_aside(
        units,
        chosen,
        scores,
        similar,
        conflicts,
        margin=TIME_LIMIT_MARGIN,
        admits=lambda unit: not _is_row(unit.text) and DURATION in carried_types(unit.text),
    )


def stated_quantity(
    units: Sequence[Unit],
    chosen: Sequence[int],
    scores: np.ndarray,
    similar: Callable[[int, int], bool],
    conflicts: np.ndarray,
) -> list[int]:
    """The answering article's best unit stating a quantity the reply does not (a price, a limit, a
    count, a deadline), when it scores within `QUANTITY_MARGIN` of the best unit.

    A person answering from the article gives the number that comes with the answer even when the
    customer asked for none (the claim deadline to someone asking whether a price match applies),
    and such a sentence sounds less like the question than the one that names its subject. Unlike
    `time_limit` it may add to a reply that states a number already, so it needs a closer score.
    A table row may join a reply that quotes none of its table, but not one beside a chosen row of
    its table (another option's value) nor one about another entity; a list step may, since a
    procedure's deadline is often one of its steps ("Drop the parcel off within 14 days")."""
    tables = _chosen_tables(units, chosen)

    def admits(unit: Unit) -> bool:
        beside_a_chosen_row = _is_row(unit.text) and (unit.cite, unit.block) in tables
        return bool(QUANTITIES & carried_types(unit.text)) and not beside_a_chosen_row

    return _article_aside(units, chosen, scores, similar, conflicts, margin=QUANTITY_MARGIN, admits=admits)


def _chosen_tables(units: Sequence[Unit], chosen: Sequence[int]) -> set[tuple[str, int]]:
    """The tables (citation, block) a chosen unit is a row of."""
    return {(units[i].cite, units[i].block) for i in chosen if _is_row(units[i].text)}


def _article_aside(
    units: Sequence[Unit],
    chosen: Sequence[int],
    scores: np.ndarray,
    similar: Callable[[int, int], bool],
    conflicts: np.ndarray,
    *,
    margin: float,
    admits: Callable[[Unit], bool],
) -> list[int]:
    """The best-scoring unit of the best unit's article (any passage of it: a long article is
    several) that `admits`, scores within `margin` of the best chosen unit, adds a quantity and is
    no near-duplicate, when the supporting word budget allows it."""
    stated = set().union(*(stated_numbers(units[i].text) for i in chosen))
    floor = max(float(scores[i]) for i in chosen) - margin
    words = sum(len(units[i].text.split()) for i in chosen)
    candidates = [
        i
        for i, unit in enumerate(units)
        if unit.article == units[chosen[0]].article
        and float(scores[i]) >= floor
        and _adds_a_quantity(units, i, chosen, stated, conflicts)
        and admits(unit)
        and not any(similar(i, j) for j in chosen)
    ]
    if not candidates:
        return []
    best = max(candidates, key=lambda i: (round(float(scores[i]), 6), -units[i].order[0], -units[i].order[1]))
    return [best] if words + len(units[best].text.split()) <= SUPPORT_MAX_WORDS else []


def _adds_a_quantity(
    units: Sequence[Unit], i: int, chosen: Sequence[int], stated: set[str], conflicts: np.ndarray | None
) -> bool:
    """Whether unit `i` may join the chosen units as an aside (`supporting`, `time_limit`,
    `stated_quantity`, `headed_answer`): it is not chosen already, states a number they do not, is
    neither a question nor a lead-in ("Fees:"), and is not about another entity than the one asked
    about (`conflicts`)."""
    unit = units[i]
    return (
        i not in chosen
        and not (conflicts is not None and conflicts[i])
        and not unit.text.endswith(("?", ":"))
        and bool(stated_numbers(unit.text) - stated)
    )


def code_sections(units: Sequence[Unit], best: int, question: Question) -> set[tuple[str, str]]:
    """The sections of the best unit's article whose own heading names a code that both the question
    and the best unit name ("E-17 explained" beside the error table's E-17 row): the article's fuller
    word on that code, so its quantities ("we fix it within 2 days") come with the row whatever their
    score, as the note after a list does. A section that names the code only in its sentences is no
    such section (the table itself lists every code)."""
    codes = _codes(question.focus) & _codes(units[best].text)
    if not codes:
        return set()
    article = units[best].article
    return {
        (unit.cite, unit.section)
        for unit in units
        if unit.article == article and codes & _codes(unit.heading)
    }


def _after_list(units: Sequence[Unit], chosen: Sequence[int]) -> set[tuple[int, int]]:
    """The positions of the few paragraphs right after a chosen numbered list: the note that follows
    the steps states what they lead to and how long it takes ("The file is usually ready within 72
    hours"), however little it shares with the question's words. Likewise the paragraph right under
    a table a chosen row belongs to: it qualifies every row ("Changes can take up to 48 hours to
    apply" under the table of marketing channels)."""
    ends = {units[i].order for i in chosen if units[i].step > 0}
    last = {source: max(position for s, position in ends if s == source) for source, _ in ends}
    noted = {(source, end + k) for source, end in last.items() for k in range(1, AFTER_LIST + 1)}
    tables = {(units[i].order[0], units[i].block) for i in chosen if _is_row(units[i].text)}
    for source, block in tables:
        rows = [u.order[1] for u in units if (u.order[0], u.block) == (source, block) and _is_row(u.text)]
        noted |= {(source, max(rows) + k) for k in range(1, AFTER_TABLE + 1)}
    return noted


def _is_row(text: str) -> bool:
    """A table row as split ("Column: value; Column: value")."""
    return bool(_ROW_LABEL.match(text)) and "; " in text


def stated_numbers(text: str) -> set[str]:
    """The numbers a unit states, as written (a unit adds a fact when it states one not yet said)."""
    return set(_NUMBER.findall(text))


def _typed_best(
    units: Sequence[Unit],
    ranked: list[int],
    scores: np.ndarray,
    question: Question,
    conflicts: np.ndarray,
    preferred: np.ndarray | None,
    support: dict[str, int],
) -> int:
    """For a question asking for an amount, a time, a count or a contact: the best unit that states one,
    unless it ranks far below the best overall (then the passages probably do not state it); a table
    row about another entity than the one asked about (`conflicts`) states the wrong one. Of those,
    the most `preferred` one comes first: the row of what the customer told us or asked about ("how much
    is Premium for me" from the Netherlands is the euro row, not a worked example in pounds; "how
    long do refunds take to a card" is the card row, not the time returns take to reach us)."""
    if not question.kind.typed:
        return ranked[0]
    typed = [
        i
        for i in ranked
        if scores[i] >= scores[ranked[0]] - _typed_lead(units[i], units[ranked[0]], support, question)
        and question.kind.typed & carried_types(units[i].text)
        and not conflicts[i]
    ]
    if not typed:
        return ranked[0]
    if preferred is not None:
        return max(typed, key=lambda i: float(preferred[i]))  # the first most preferred one, if any
    return typed[0]


def article_support(units: Sequence[Unit], ranked: Sequence[int]) -> dict[str, int]:
    """Per article, how many of the SUPPORT_TOP best-scoring units (`ranked`: best first) it holds:
    the article that answers usually has several sentences near the top, while one that merely
    shares a word with the question has one at most."""
    support = dict.fromkeys((unit.article for unit in units), 0)
    for i in ranked[:SUPPORT_TOP]:
        support[units[i].article] += 1
    return support


def by_article(units: Sequence[Unit], chosen: Sequence[int], support: dict[str, int]) -> tuple[int, ...]:
    """The reply's order: the best unit (`chosen[0]`), the rest of its article in reading order, then
    the other articles' units, the best-supported article first (on a tie, the one chosen first),
    each in reading order. A reply reads as one answer with its sources' asides after it, not as
    sentences interleaved by the search's passage order."""
    best = chosen[0]
    lead = units[best].article
    seen: dict[str, int] = {}  # articles in the order their first unit was chosen (best first)
    for i in chosen:
        seen.setdefault(units[i].article, len(seen))

    def place(i: int) -> tuple[bool, int, int, tuple[int, int]]:
        own = units[i].article
        return (own != lead, -support[own], seen[own], units[i].order)

    rest = sorted(dict.fromkeys(i for i in chosen[1:] if i != best), key=place)
    return (best, *rest)


def _typed_lead(unit: Unit, top: Unit, support: dict[str, int], question: Question) -> float:
    """How far below the best-scoring unit a unit stating the kind of fact asked for may score and
    still be the answer: less when it sits in another article than the best-scoring unit's and its
    article has none of the best-scoring units (see TYPED_LEAD_ELSEWHERE); more when its own section
    heading asks for that kind (HEADED_LEAD)."""
    near = unit.article == top.article or support[unit.article] > 0
    lead = TYPED_LEAD if near else TYPED_LEAD_ELSEWHERE
    return lead + HEADED_LEAD if question.kind.typed & heading_types(unit.heading) else lead


def numbered_list(units: Sequence[Unit], candidates: Sequence[int], scores: np.ndarray) -> list[int]:
    """The steps of the numbered list in the section of the first candidate whose section has one
    (each step once, in order, even when overlapping chunks repeat it)."""
    for candidate in candidates:
        anchor = units[candidate]
        members = [
            i
            for i, unit in enumerate(units)
            if unit.step > 0 and unit.cite == anchor.cite and unit.section == anchor.section
        ]
        seen: set[tuple[int, str]] = set()
        runs: list[list[int]] = []
        for i in sorted(members, key=lambda i: units[i].order):
            key = (units[i].step, units[i].text)
            if key in seen:
                continue
            seen.add(key)
            # numbering goes back: another list (the same number again is the step's next sentence)
            if not runs or units[i].step < units[runs[-1][-1]].step:
                runs.append([])
            runs[-1].append(i)
        steps = next((run for run in runs if candidate in run), runs[0] if runs else [])
        if len({units[i].step for i in steps}) >= 2:
            return steps[:MAX_STEPS]
    return []
