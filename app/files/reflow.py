"""PDF text with the lines its layout wrapped joined again.

pdfminer (through markitdown) writes each printed line of a PDF as a paragraph of its own, so a
sentence the page wrapped ("Hold the action button for 3 seconds until" / "the light bar flashes
blue, ...") reaches the chunker as two. The answerer then quotes half a sentence ("Hold the action
button for 3 seconds until [1].") and the search embeds two halves that each mean less. A line is
joined to the one before it when that one cannot end a sentence or heading there: it ends without
a stop and the line goes on in lower case, or it ends on a word that always has more to come ("a",
"the", "with"). Runs of spaces from justified text become one.
"""

from __future__ import annotations

import re

_STOPS = ".!?:;"
# words after which an English sentence or heading never ends: articles, prepositions, conjunctions
_CONTINUING = frozenset(
    {"a", "an", "the", "of", "to", "with", "and", "or", "for", "in", "on", "by", "at", "from", "into"}
    | {"than", "that", "as", "per", "via"}
)
_SPACES = re.compile(r"[ \t]{2,}")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s")


def reflowed(text: str) -> str:
    """`text` with wrapped lines joined (see the module's docstring); list items stay items."""
    paragraphs: list[str] = []
    for raw in re.split(r"\n\s*\n", text):
        line = _SPACES.sub(" ", raw.strip())
        if not line:
            continue
        if paragraphs and _continues(paragraphs[-1], line):
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
    return "\n\n".join(paragraphs)


def _continues(previous: str, line: str) -> bool:
    """Whether `line` is the rest of the sentence `previous` was cut in."""
    if _LIST_ITEM.match(line) or previous.startswith("#") or previous[-1] in _STOPS:
        return False
    last_word = previous.rsplit(" ", 1)[-1].lower()
    return line[0].islower() or last_word in _CONTINUING
