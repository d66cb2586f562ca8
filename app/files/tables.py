"""Tables of structured files (CSV, XLSX) as one self-contained line per row.

markitdown turns a spreadsheet into a Markdown table. Chunked, a long table loses its header row
after the first chunk, and a row such as "| ACC-STD-BX | Floor stand for Beacon Max | … | 65.00 |"
no longer says which number is which. Written as "column: value" pairs, every row carries its own
header wherever it lands. The rows keep their cells as written; `with_amounts` writes a number in a
column named for a currency ("price_gbp: 4.99") as the amount it is ("price_gbp: £4.99") where a
reply quotes the row, so the price reads as a person would say it.
"""

from __future__ import annotations

import re

_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)*")
_NAME_WORDS = re.compile(r"[a-z]+")
# The currencies a help centre is likeliest to price in; another ISO 4217 code is written after the
# number ("12.00 CHF"). A table of symbols, not babel: only the symbol is needed, never the locale.
SYMBOLS = {"gbp": "£", "eur": "€", "usd": "$", "jpy": "¥", "inr": "₹"}
OTHER_CODES = frozenset({"aud", "cad", "chf", "cny", "dkk", "hkd", "nok", "nzd", "pln", "sek", "sgd", "zar"})


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def currency_of(column: str) -> str | None:
    """The ISO code a column's name carries as a word of its own ("price_gbp", "EUR price"), if any."""
    codes = [word for word in _NAME_WORDS.findall(column.lower()) if word in SYMBOLS or word in OTHER_CODES]
    return codes[0] if len(codes) == 1 else None


def cell_text(column: str, value: str) -> str:
    """A cell as a person reads it: a bare number under a currency column becomes an amount."""
    code = currency_of(column)
    if code is None or not _NUMBER.fullmatch(value):
        return value
    symbol = SYMBOLS.get(code)
    return f"{symbol}{value}" if symbol else f"{value} {code.upper()}"


def with_amounts(row: str) -> str:
    """A "column: value; column: value" row with each currency column's number written as an amount;
    any other text comes back as it was (a sentence has no such pairs)."""
    pairs = []
    for pair in row.split("; "):
        name, colon, value = pair.partition(": ")
        pairs.append(f"{name}{colon}{cell_text(name, value)}" if colon else pair)
    return "; ".join(pairs)


def rows_with_header(markdown: str) -> str:
    """Every Markdown table in `markdown` rewritten as bullet lines "- column: value; column: value";
    everything else is left as it is."""
    out: list[str] = []
    header: list[str] | None = None
    for line in markdown.split("\n"):
        if not line.lstrip().startswith("|"):
            header = None
            out.append(line)
            continue
        if _RULE.match(line):
            continue
        cells = _cells(line)
        if header is None:
            header = cells
            continue
        pairs = [
            f"{name}: {value}" if name else value for name, value in zip(header, cells, strict=False) if value
        ]
        if pairs:
            out.append("- " + "; ".join(pairs))
    return "\n".join(out)
