"""Entity tracking: which entity (hotel, product, ...) is the dialogue about right now?

Follow-up questions rarely repeat the name ("Are their bathrooms clean?"). Documents that carry
metadata `entity` let us find the entity named most recently in the query or the earlier turns
and focus retrieval on its documents. Names are matched after normalisation (case, punctuation,
"&" vs "and", a leading "the"), longest name first. (Shortened names as aliases were tried on
DSTC dev and matched the wrong entity more often than they helped.)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence


def normalise(text: str) -> str:
    """Lower-case ASCII words separated by single spaces, "&" spelt "and"."""
    text = re.sub(r"[^\w&']+", " ", unicodedata.normalize("NFKD", text))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("&", " and ").replace("'", "")
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _key(name: str) -> str:
    words = normalise(name).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


class EntityMatcher:
    """Finds known entity names in free text."""

    def __init__(self, names: Iterable[str]) -> None:
        self._by_key: dict[str, str] = {}
        for name in names:
            key = _key(name)
            if key:
                self._by_key.setdefault(key, name)
        alternatives = sorted(self._by_key, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<![a-z0-9])(" + "|".join(map(re.escape, alternatives)) + r")(?![a-z0-9])")
            if alternatives
            else None
        )

    def __bool__(self) -> bool:
        return self._pattern is not None

    def last_named(self, turns_newest_first: Sequence[str]) -> str | None:
        """The entity named last in the newest turn that names one."""
        if self._pattern is None:
            return None
        for turn in turns_newest_first:
            found = self._pattern.findall(normalise(turn))
            if found:
                return self._by_key[found[-1]]
        return None
