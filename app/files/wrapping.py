"""Sentences a PDF's layout broke across lines, joined again.

A PDF has no paragraphs, only lines placed on a page, and its text comes back one line per
paragraph: "These terms apply to Kestrel Club Plus and Premium memberships in all Kestrel" then
"stores." A sentence cut there is two pieces to everything downstream (the chunker, the offline
model's sentence split), and the first piece alone says nothing ("A Beacon Max cannot form a stereo
pair with a"). A line continues onto the next when it ends without closing punctuation and the next
starts in lower case, or when it ends on a word no sentence ends on ("a", "the", "with").
"""

from __future__ import annotations

import re

# words a sentence does not end on: a line ending on one goes on, whatever the next one starts with
_OPEN_ENDINGS = frozenset(
    {"a", "an", "the", "of", "to", "with", "and", "or", "for", "in", "on", "at", "by", "from", "into"}
    | {"than", "that", "until", "your", "our", "its", "their"}
)
_CLOSED = re.compile(r"[.!?:;]\W*$")
_LAST_WORD = re.compile(r"\b([A-Za-z]+)$")
_STRUCTURE = re.compile(r"^\s*(?:#|[-*+]\s|\d+[.)]\s|\|)")  # a heading, list item or table row starts anew
_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")
_TABLE_ROW = re.compile(r"^\s*\|")  # a table row is whole: its padding stays, no line joins it


def unwrapped(text: str) -> str:
    """The text with each line that goes on (see the module docstring) joined to the next one, and
    the runs of spaces a justified line leaves between words made single (not a table's padding)."""
    lines = [line if _TABLE_ROW.match(line) else _SPACES.sub(" ", line) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line.strip() and out and _goes_on(out, line):
            while not out[-1].strip():  # the blank lines the layout put between the pieces
                out.pop()
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line)
    return "\n".join(out)


def _goes_on(out: list[str], line: str) -> bool:
    """Whether the last non-blank line of `out`, at most one blank line back, continues in `line`."""
    blanks = 0
    for previous in reversed(out):
        if previous.strip():
            break
        blanks += 1
    else:
        return False
    if blanks > 1 or _STRUCTURE.match(line) or _CLOSED.search(previous) or _TABLE_ROW.match(previous):
        return False
    if line.lstrip()[:1].islower():
        return True
    last = _LAST_WORD.search(previous.rstrip())
    return bool(last) and last.group(1).lower() in _OPEN_ENDINGS
