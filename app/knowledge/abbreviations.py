"""Short forms customers write for the help centre's multi-word names: "amex" for American Express.

A customer types "can I pay by amex"; the payment table says "American Express". Neither the
embedding model nor BM25 joins the two, so the question found the pre-order page. Which short forms
exist is not listed in code: a word abbreviates a name of the articles when it is the beginnings
of the name's words run together, each of at least two letters ("am" + "ex", "apple" + "pay"). A
word the articles themselves write in lower case is an ordinary word and abbreviates nothing
("more" is not "Mondial Relay").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# two or more capitalised words in a row ("American Express", "Royal Mail Tracked")
_MULTIWORD_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ ]+[A-Z][a-z]+)+\b")
_LOWER_WORD = re.compile(r"\b[a-z]+\b")
_WORD = re.compile(r"[A-Za-z]+")
MIN_LENGTH = 4  # "ap" or "gp" could be anything
MIN_PART = 2  # letters of each word of the name the short form keeps


@dataclass(frozen=True)
class Abbreviations:
    """The articles' multi-word names, by their first two letters, and their lower-case words."""

    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    common_words: frozenset[str] = frozenset()

    @classmethod
    def from_text(cls, text: str) -> Abbreviations:
        by_start: dict[str, set[str]] = {}
        for match in _MULTIWORD_NAME.finditer(text):
            name = match.group(0)
            by_start.setdefault(name[:MIN_PART].lower(), set()).add(name)
        names = {start: tuple(sorted(found)) for start, found in by_start.items()}
        return cls(names, frozenset(_LOWER_WORD.findall(text)))

    def expand(self, word: str) -> str | None:
        """The one name `word` abbreviates (None when it abbreviates none, or more than one)."""
        word = word.lower()
        if len(word) < MIN_LENGTH or word in self.common_words:
            return None
        found = [name for name in self.names.get(word[:MIN_PART], ()) if _runs_together(word, name.split())]
        return found[0] if len(found) == 1 else None

    def spelled_out(self, text: str) -> str:
        """`text` with each short form followed by its name in brackets: "pay by amex (American
        Express)". The short form stays, since the articles may use it too ("Amex")."""
        pieces, end = [], 0
        for match in _WORD.finditer(text):
            if name := self.expand(match.group(0)):
                pieces += [text[end : match.end()], f" ({name})"]
                end = match.end()
        return "".join(pieces) + text[end:] if pieces else text


def _runs_together(word: str, parts: list[str]) -> bool:
    """Whether `word` is a beginning of each of `parts`, in order, at least `MIN_PART` letters each."""
    if not parts:
        return not word
    part = parts[0].lower()
    return any(
        word[:size] == part[:size] and _runs_together(word[size:], parts[1:])
        for size in range(min(len(part), len(word)), MIN_PART - 1, -1)
    )
