"""Tables of structured files (CSV, XLSX) as one self-contained line per row.

markitdown turns a spreadsheet into a Markdown table. Chunked, a long table loses its header row
after the first chunk, and a row such as "| ACC-STD-BX | Floor stand for Beacon Max | … | 65.00 |"
no longer says which number is which. Written as "column: value" pairs, every row carries its own
header wherever it lands.
"""

from __future__ import annotations

import re

_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


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
