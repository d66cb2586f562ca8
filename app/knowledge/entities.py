"""Entity tracking: which entity (hotel, product, ...) is the dialogue about right now?

Follow-up questions rarely repeat the name ("Are their bathrooms clean?"), and when a name is
repeated it is often said loosely: "acorn house" for Acorn Guest House, "the Alexander" for
Alexander Bed and Breakfast, "cafe uno" for Caffe Uno, or misheard by speech recognition.
Documents that carry metadata `entity` let us find the entity named most recently in the query or
the earlier turns and focus retrieval on its documents.

Two ways to recognise a name, the stronger first:
- **Exactly**, after normalisation (case, punctuation, "&" vs "and", a leading "the", and compound
  words split where the names have the parts: "a and b guesthouse" is "A and B Guest House").
- **Loosely**, by its distinctive words. Each word of a name weighs its inverse frequency among
  all names, so "guest", "house", "restaurant" count for little and "acorn", "alexander" for much.
  Words match despite small misspellings (a similarity ratio over ``LOOSE_WORD_RATIO`` for words
  of four letters or more), and a name is loosely mentioned when the words found carry at least
  ``LOOSE_COVERAGE`` of its weight, including at least one distinctive word. Only an unambiguous
  loose mention counts: when two names are found equally well, neither is. Words that are common
  in ordinary dialogue (``background`` word frequencies, when the caller has them) never count as
  distinctive on their own, so a restaurant called "Ask" is not found in "can I ask". A misheard
  word keeps its first letter ("cafe" for "caffe", not "able" for "fable"), and a word that is
  itself a name word ("garden") read as another ("gardenia") needs a second word said as such.
A name said as a place ("a hotel in union square", "fifteen ninety nine lombard street") is where
the subject is, not the subject; it counts only when the dialogue names nothing else (DSTC10 names
its neighbourhoods and streets as attractions).
The newest turn that mentions any entity decides; within it an exact mention beats a loose one,
and among equals the last wins (the customer's latest choice).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz import fuzz, process

LOOSE_WORD_RATIO = 84.0  # rapidfuzz ratio (0-100) for two words to count as the same word
LOOSE_COVERAGE = 0.6  # share of a name's word weight a loose mention must cover
MIN_FUZZY_LENGTH = 4  # shorter words must match exactly
# Spoken dialogue spells numbers out ("four one five seven ..." for a phone number): never a name's
# distinctive word, however rare among the names ("Restaurant One Seven").
_NUMBERS = """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
hundred thousand first second third"""
NUMBER_WORDS = frozenset(_NUMBERS.split())


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


@dataclass(frozen=True)
class _Mention:
    name: str
    strength: float  # 2.0 exact; a loose mention scores its weight coverage (< 1.0 ... 1.0)
    position: int  # where in the turn it ends (characters or words): later wins among equals
    located: bool = False  # said as a place ("in union square", "nine lombard street"), see _LOCATED


class EntityMatcher:
    """Finds known entity names in free text, exactly or by their distinctive words."""

    def __init__(self, names: Iterable[str], background: Iterable[str] = ()) -> None:
        names = list(names)
        self._splits = _compound_splits(_key(name) for name in names)
        self._by_key: dict[str, str] = {}
        for name in names:
            key = self._canonical(_key(name))
            if key:
                self._by_key.setdefault(key, name)
        alternatives = sorted(self._by_key, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<![a-z0-9])(" + "|".join(map(re.escape, alternatives)) + r")(?![a-z0-9])")
            if alternatives
            else None
        )
        self._weights = _word_weights(self._by_key)
        self._common = _common_words(background) | NUMBER_WORDS
        self._vocabulary = sorted(self._weights)
        # "guesthouse" said, "Guest House" written: a joined pair of name words stands for both
        self._compounds: dict[str, tuple[str, str]] = {
            first + second: (first, second)
            for key in self._by_key
            for first, second in zip(key.split(), key.split()[1:], strict=False)
        }
        self._names_with: dict[str, list[str]] = {}
        for key in self._by_key:
            for word in set(key.split()):
                self._names_with.setdefault(word, []).append(key)

    def _canonical(self, text: str) -> str:
        """Normalised text with the names' compound words split ("guesthouse" -> "guest house"),
        so a name matches exactly however its compounds are spelt or heard."""
        return " ".join(self._splits.get(word, word) for word in text.split())

    def __bool__(self) -> bool:
        return self._pattern is not None

    def last_named(self, turns_newest_first: Sequence[str]) -> str | None:
        """The entity the newest turn that mentions one mentions (the strongest, then the last).

        "The first one" / "the second one" / "the latter" pick from the newest earlier turn
        that offered several. Names said as places ("a hotel in union square") count only when
        the dialogue names nothing else.
        """
        if self._pattern is None:
            return None
        ordinal = _ordinal(turns_newest_first[0]) if turns_newest_first else None
        for located in (False, True):
            for index, turn in enumerate(turns_newest_first):
                mentions = [m for m in self.mentions(turn) if located or not m.located]
                if ordinal is not None and index > 0 and len(mentions) < 2:
                    continue
                if mentions and ordinal is not None and index > 0:
                    offered = _in_order(mentions)
                    return offered[min(ordinal, len(offered) - 1)] if ordinal >= 0 else offered[-1]
                if mentions:
                    return max(mentions, key=lambda m: (m.strength, m.position)).name
        return None

    def discussed(self, turns_newest_first: Sequence[str]) -> list[str]:
        """Every entity the question is about: usually the one `last_named` finds, but all of those
        the question itself names ("which of A and B has parking?"), or all of those the turn just
        before it offered when the question names none and picks none ("Do they have a good view?"
        after "I have A and B"). On the DSTC11 dev slice this finds the gold entities of 16 of the 22
        questions about several entities, and changes none of the 196 about one."""
        last = self.last_named(turns_newest_first)
        if last is None or _ordinal(turns_newest_first[0]) is not None:
            return [last] if last else []
        for turn in turns_newest_first[:2]:
            mentions = [m for m in self.mentions(turn) if not m.located]
            if mentions:
                named = _in_order(mentions)
                return named if len(named) > 1 else [last]
        return [last]

    def mentions(self, text: str) -> list[_Mention]:
        """Every entity `text` names: exact mentions, or else unambiguous loose ones."""
        normalised = self._canonical(normalise(text))
        exact = [
            _Mention(
                self._by_key[match.group(1)],
                2.0,
                match.end(),
                located=_LOCATED.search(normalised[: match.start()]) is not None,
            )
            for match in self._pattern.finditer(normalised)
        ]
        return exact or self._loose(normalised.split())

    def _loose(self, words: list[str]) -> list[_Mention]:
        """Names whose distinctive words the text carries, when exactly one name fits best."""
        found: dict[str, list[int]] = {}  # name word -> positions in the text
        sure: set[str] = set()  # name words said as such, or a misspelling that is no name word
        for position, word in enumerate(words):
            joined = word + words[position + 1] if position + 1 < len(words) else ""
            for name_word in [*self._similar_words(word), *self._compounds.get(word, ())]:
                found.setdefault(name_word, []).append(position)
                if name_word == word or word not in self._weights:
                    sure.add(name_word)
            if joined in self._weights:  # "guest house" said, "Guesthouse" written
                found.setdefault(joined, []).append(position)
                sure.add(joined)
        if not found:
            return []
        scored: list[tuple[float, int, int, str]] = []
        for key in {key for word in found for key in self._names_with.get(word, ())}:
            span = self._said_together(key.split(), found)
            if span is None:
                continue
            hits, start, end = span
            total = sum(self._weights[w] for w in set(key.split()))
            coverage = sum(self._weights[w] for w in hits) / total
            # one name word heard as another ("garden" for "gardenia") needs a word said as such
            if coverage >= LOOSE_COVERAGE and hits & sure and self._identifies(hits, key.split()):
                scored.append((coverage, start, end, key))
        if not scored:
            return []
        best = max(score for score, *_ in scored)
        winners = [(start, end, key) for score, start, end, key in scored if score == best]
        if len(winners) != 1:
            return []  # two names fit equally well: guessing would focus on the wrong one
        start, end, key = winners[0]
        located = _LOCATED.search(" ".join(words[:start])) is not None
        return [_Mention(self._by_key[key], best, end, located=located)]

    def _said_together(
        self, name_words: list[str], found: dict[str, list[int]]
    ) -> tuple[set[str], int, int] | None:
        """The name's words found in one short run of the text, and where the run starts and ends.

        A name said loosely is still said in one breath ("acorn house", "the alexander bread and
        breakfast"); its words scattered over a sentence ("one ... seven") are a coincidence.
        """
        best: tuple[set[str], int, int] | None = None
        for start in found.get(name_words[0], []) + [p for w in name_words[1:] for p in found.get(w, [])]:
            hits, end = set(), start
            for word in name_words:
                near = [p for p in found.get(word, []) if start <= p <= start + len(name_words)]
                if near:
                    hits.add(word)
                    end = max(end, min(near))
            if best is None or len(hits) > len(best[0]):
                best = (hits, start, end)
        return best

    def _identifies(self, hits: set[str], name_words: list[str]) -> bool:
        """Whether the words found include the name's most telling one, and it tells: it points at
        few names and is no ordinary word of dialogue ("acorn" in "acorn house", not "house")."""
        rarest = max(self._weights[w] for w in name_words)
        return any(
            self._weights[word] == rarest
            and rarest >= self._distinctive
            and len(word) >= MIN_FUZZY_LENGTH
            and word not in self._common
            for word in hits
        )

    def _similar_words(self, word: str) -> list[str]:
        """Name words equal to `word`, and those close to it when both are long enough to misspell
        and start alike ("cafe" for "caffe"; not "able" for "fable": a mishearing keeps the onset)."""
        same = [word] if word in self._weights else []
        if len(word) < MIN_FUZZY_LENGTH:
            return same
        matches = process.extract(
            word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=LOOSE_WORD_RATIO, limit=4
        )
        close = [
            match
            for match, _score, _index in matches
            if match != word and len(match) >= MIN_FUZZY_LENGTH and match[0] == word[0]
        ]
        return [*same, *close]

    @property
    def _distinctive(self) -> float:
        """A word is distinctive when at most a few names share it (weight of a word in 3 names)."""
        return math.log(1 + len(self._by_key) / 3)


# A name said as where something is ("in union square", "near the presidio", "fifteen ninety nine
# lombard street") is a place, not the subject: the hotel "in alamo square" is what is discussed.
_LOCATED = re.compile(
    r"(?:^|\s)(?:(?:in|near|around|off)(?: the)?|\d+|" + "|".join(sorted(NUMBER_WORDS)) + r")\s*$"
)
_ORDINALS = {"first": 0, "former": 0, "second": 1, "third": 2, "last": -1, "latter": -1}
_ORDINAL = re.compile(r"\bthe (first|second|third|last|former|latter)\b(?! (?:time|night|day|week))")


def _in_order(mentions: list[_Mention]) -> list[str]:
    """The names mentioned, each once, in the order they are said."""
    return list(dict.fromkeys(m.name for m in sorted(mentions, key=lambda m: m.position)))


def _ordinal(text: str) -> int | None:
    """The index "the first one" / "the latter" refers to in a list just offered (-1: the last)."""
    match = _ORDINAL.search(normalise(text))
    return _ORDINALS[match.group(1)] if match else None


def _word_weights(keys: Iterable[str]) -> dict[str, float]:
    """Inverse frequency of each word among the names: rare words identify a name."""
    keys = list(keys)
    frequency = Counter(word for key in keys for word in set(key.split()))
    return {word: math.log(1 + len(keys) / count) for word, count in frequency.items()}


def _common_words(background: Iterable[str], share: float = 0.01) -> frozenset[str]:
    """Words in at least `share` of the background texts: ordinary dialogue, not names."""
    texts = [set(normalise(text).split()) for text in background]
    if not texts:
        return frozenset()
    frequency = Counter(word for words in texts for word in words)
    return frozenset(word for word, count in frequency.items() if count >= share * len(texts))


def _compound_splits(keys: Iterable[str], shortest: int = 3) -> dict[str, str]:
    """Compound words of the names and how they split into two name words ("guesthouse" ->
    "guest house"), both for compounds some names write and pairs other names write apart."""
    keys = list(keys)
    vocabulary = {word for key in keys for word in key.split()}
    splits = {}
    for key in keys:
        words = key.split()
        splits.update({a + b: f"{a} {b}" for a, b in pairwise(words)})
    for word in vocabulary:
        for cut in range(shortest, len(word) - shortest + 1):
            if word[:cut] in vocabulary and word[cut:] in vocabulary:
                splits[word] = f"{word[:cut]} {word[cut:]}"
    return {joined: split for joined, split in splits.items() if min(map(len, split.split())) >= shortest}
