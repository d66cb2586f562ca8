"""Signposts: sentences that announce an answer the article gives further on, and what they announce.

An article's opening often says *that* the answer varies or comes in several forms ("The payment
methods you can use depend on your store region.", "You can send the parcel back in three ways.")
and then gives it in a table or in sections. Such a sentence sounds most like the question, yet
quoted alone it answers nothing. When one is chosen, what it announces follows it:

- "depends on / varies by": the table row, or the column of a yes/no table, of the entity the
  customer named or told us earlier (their country, plan or device);
- "in three ways": the headings of the sections that follow it in its article.

Only the article's structure (tables, headings) and the customer's entities are read; nothing
here knows one help centre's wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from app.knowledge.entities import normalise
from app.knowledge.vocabulary import GAZETTEER

if TYPE_CHECKING:
    from app.agent.providers.offline.answer import Unit

Words = Callable[[str], set[str]]
VARIES = "varies"
WAYS = "ways"
_VARIES = re.compile(r"\b(?:depends?|depending|vary|varies|differs?) (?:on|by|with)\b", re.IGNORECASE)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_WAYS = re.compile(
    r"\b(?:in|with|by|using) (two|three|four|five|six|[2-6]) (?:[a-z-]+ )?(?:ways|options|methods|routes)\b",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_YES = frozenset({"yes", "✓", "✔"})
_NO = frozenset({"no", "✗", "✘", "-", "–", "—"})
MAX_ROWS = 3  # rows of one entity's table quoted after a "depends on" signpost


def announces(text: str) -> str:
    """What kind of answer a sentence announces: VARIES, WAYS, or "" (it is no signpost). A sentence
    that goes on to give the answer itself ("Prices vary by store: £4.99 in the UK", "in two ways:
    card or PayPal") states a value or a list after a colon and announces nothing."""
    if ":" in text or _DIGIT.search(_WAYS.sub("", text)):
        return ""
    if _VARIES.search(text):
        return VARIES
    return WAYS if _WAYS.search(text) else ""


def announced(
    units: Sequence[Unit], signpost: Unit, entities: frozenset[str], content_words: Words
) -> list[Unit]:
    """What a signpost announces, from its own article: for VARIES the rows or the yes/no column of
    the `entities` (content words of what the customer named or told us), for WAYS the signpost
    itself with the headings of the sections after it. [] when the article does not give it (no
    entity known, no table naming it, fewer sections than announced)."""
    kind = announces(signpost.text)
    article = [unit for unit in units if unit.article == signpost.article]
    if kind == VARIES and entities:
        tables = list(_tables(article).values())
        return entity_column(tables, entities, content_words) or entity_rows(tables, entities, content_words)
    if kind == WAYS:
        return _with_headings(article, signpost)
    return []


def cells(row: str) -> list[tuple[str, str]]:
    """A table row as split ("Method: PayPal; UK: Yes") as (column, value) pairs."""
    split = (cell.partition(": ") for cell in row.split("; "))
    return [(name.strip(), value.strip()) for name, _, value in split]


def _tables(units: Sequence[Unit]) -> dict[tuple[int, int], list[Unit]]:
    """The article's table rows, grouped by table (source and block), in reading order."""
    tables: dict[tuple[int, int], list[Unit]] = {}
    for unit in sorted(units, key=lambda unit: unit.order):
        pairs = cells(unit.text)
        if len(pairs) >= 2 and all(value for _, value in pairs):
            tables.setdefault((unit.order[0], unit.block), []).append(unit)
    return tables


@cache
def _countries() -> dict[str, str]:
    """Names customers and tables use for a country ("UK", "Deutschland"), to the country's name."""
    return {normalise(alias): country for country, aliases in GAZETTEER.items() for alias in aliases}


def _named(label: str, content_words: Words) -> set[str]:
    """The words a table's column or row label names, a country by its full name (a column "UK"
    names "United Kingdom", as the customer's remembered country is stored)."""
    return content_words(_countries().get(normalise(label), label))


def entity_column(tables: Sequence[list[Unit]], entities: frozenset[str], content_words: Words) -> list[Unit]:
    """For a yes/no table (of an article's `tables`, each its rows) with a column per entity
    (methods by country): the entity's column as one unit, "Netherlands: Visa, Mastercard, PayPal,
    iDEAL" (the row labels marked yes)."""
    for rows in tables:
        table = [cells(row.text) for row in rows]
        if any({value.lower() for _, value in pairs[1:]} - _YES - _NO for pairs in table):
            continue
        # columns by name: a row as split leaves out its empty cells, so positions do not line up
        columns = dict.fromkeys(name for pairs in table for name, _ in pairs[1:])
        for name in columns:
            named = _named(name, content_words)
            if not named or not named <= entities:
                continue
            labels = [pairs[0][1] for pairs in table if dict(pairs[1:]).get(name, "").lower() in _YES]
            if labels:
                return [replace(rows[0], text=f"{name}: {', '.join(labels)}", step=0)]
    return []


def entity_rows(tables: Sequence[list[Unit]], entities: frozenset[str], content_words: Words) -> list[Unit]:
    """The rows whose label (first cell) names one of the entities, in a table (of an article's
    `tables`) whose other rows do not: the entity's row of a price-by-store table."""
    for rows in tables:
        named = [row for row in rows if _named(cells(row.text)[0][1], content_words) & entities]
        if named and len(named) < len(rows):
            return named[:MAX_ROWS]
    return []


def _with_headings(units: Sequence[Unit], signpost: Unit) -> list[Unit]:
    """The signpost with the headings of the sections after it that it counts ("three ways: Post
    Office, InPost locker, Home collection (DPD)")."""
    match = _WAYS.search(signpost.text)
    assert match is not None
    count = _NUMBERS.get(match.group(1).lower()) or int(match.group(1))
    headings: list[str] = []
    for unit in sorted(units, key=lambda unit: unit.reading_order):
        heading = unit.heading.strip()
        if unit.reading_order <= signpost.reading_order or not heading or heading in headings:
            continue
        if heading in {signpost.heading.strip(), unit.title.strip()}:
            continue
        headings.append(heading)
    if len(headings) < count:
        return []
    listed = ", ".join(headings[:count])
    return [replace(signpost, text=f"{signpost.text.rstrip('.')}: {listed}.")]
