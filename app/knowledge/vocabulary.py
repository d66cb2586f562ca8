"""Names the help centre knows (plans, products, countries), read from its own titles and headings,
and the codes its articles explain ("K-402").

A customer who says "I've got a beacon mini" or "we're Premium members" states a fact the
answers depend on; which words are product and plan names is not written in code but taken from
the knowledge base: a capitalised name in an article title or heading is a *plan* when the
articles speak of "Club <name>", "<name> plan" or "<name> member(s)", and a *product* when they
speak of "<name> headphones / speaker / watch ...". Rename a product in the articles and the new
name is recognised. Places are normalised to the country that decides which article applies
(a small gazetteer: a city implies its country, "Hamburg" is Germany).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from app.knowledge.abbreviations import Abbreviations
from app.knowledge.entities import normalise

_NAME = re.compile(r"\b[A-Z][\w+-]*(?:\s+(?:[A-Z][\w+-]*|\d+[\w]*))*")
_DEVICE_NOUNS = r"(?:headphones|earbuds|headset|speakers?|watch(?:es)?|tablet)"
_PLAN_CUES = (r"\bClub\s+{name}\b", r"\b{name}\s+(?:plan|tier|membership|members?|subscription)\b")
_PRODUCT_CUES = (r"\b{name}\s+" + _DEVICE_NOUNS + r"\b",)
# an error or status code: capital letters, a hyphen, digits ("K-402", "E-17"); the customer may
# type it in lower case
_CODE = re.compile(r"\b[A-Z]{1,3}-\d{2,4}\b", re.IGNORECASE)
_STOP_NAMES = frozenset({"the", "a", "an", "i", "my", "your", "our", "what", "how", "when", "why", "if"})
_TOKEN = re.compile(r"[\w'&]+")
_BEFORE_A_NAME = frozenset("abcdefghijklmnopqrstuvwxyz0123456789,;(")  # a name mid-sentence follows one
# a model number after a name ("aura 3"), not a size ("pulse 45mm", "pulse 41 mm")
_NUMBER_NEXT = re.compile(r"\s*\d+\b(?!\s*(?:mm|cm|in|inch)\b)")

# country -> names customers use for it and for its larger cities (lower case)
GAZETTEER: Mapping[str, tuple[str, ...]] = {
    "United Kingdom": (
        "united kingdom",
        "uk",
        "u.k.",
        "gb",
        "great britain",
        "britain",
        "england",
        "scotland",
        "wales",
        "northern ireland",
        "london",
        "manchester",
        "birmingham",
        "leeds",
        "glasgow",
        "edinburgh",
        "liverpool",
        "bristol",
        "cardiff",
        "belfast",
        "sheffield",
        "newcastle",
        "nottingham",
        "inverness",
    ),
    "Ireland": (
        "ireland",
        "republic of ireland",
        "eire",
        "dublin",
        "cork",
        "galway",
        "limerick",
        "waterford",
    ),
    "Germany": (
        "germany",
        "deutschland",
        "berlin",
        "hamburg",
        "munich",
        "münchen",
        "cologne",
        "köln",
        "frankfurt",
        "stuttgart",
        "düsseldorf",
        "dusseldorf",
        "leipzig",
        "dresden",
        "bremen",
        "hanover",
        "hannover",
    ),
    "France": (
        "france",
        "paris",
        "lyon",
        "marseille",
        "toulouse",
        "nice",
        "nantes",
        "bordeaux",
        "lille",
        "strasbourg",
    ),
    "Netherlands": (
        "netherlands",
        "the netherlands",
        "nl",
        "holland",
        "nederland",
        "amsterdam",
        "rotterdam",
        "utrecht",
        "the hague",
        "den haag",
        "eindhoven",
        "groningen",
        "leiden",
        "haarlem",
    ),
    "Belgium": ("belgium", "brussels", "antwerp", "ghent"),
    "Spain": ("spain", "madrid", "barcelona", "valencia", "seville"),
    "Italy": ("italy", "rome", "milan", "naples", "turin"),
    "Austria": ("austria", "vienna", "salzburg"),
    "Switzerland": ("switzerland", "zurich", "zürich", "geneva", "basel"),
    "Poland": ("poland", "warsaw", "krakow", "kraków"),
    "United States": ("united states", "usa", "u.s.", "america", "new york", "california", "texas"),
}

# a country's adjective -> the country: "the German store" names the store's country, but "can I
# switch to the Dutch store?" says nothing of where the customer is, so an adjective names a row or a
# page, never a fact about the customer
ADJECTIVES: Mapping[str, str] = {
    "british": "United Kingdom",
    "irish": "Ireland",
    "german": "Germany",
    "french": "France",
    "dutch": "Netherlands",
}


_ADJECTIVE = re.compile(r"\b(" + "|".join(ADJECTIVES) + r")\b", re.IGNORECASE)


def country_by_adjective(text: str) -> str | None:
    """The country the first country adjective of `text` names ("german speaking support" ->
    Germany), for choosing a row or a page; None when it has none."""
    match = _ADJECTIVE.search(text)
    return ADJECTIVES[match.group(1).lower()] if match else None


@dataclass(frozen=True)
class Mention:
    """Where a text names a plan, device or country: the kind, the help centre's name, and the span."""

    kind: str
    name: str
    start: int
    end: int


@dataclass
class Vocabulary:
    """Canonical names by kind ("plan", "device"), and the gazetteer for "country"."""

    names: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> normalised -> canonical
    codes: frozenset[str] = frozenset()  # codes the articles explain ("K-402"), upper case
    abbreviations: Abbreviations = field(default_factory=Abbreviations)  # "amex": American Express
    _patterns: dict[str, re.Pattern[str]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        places = {
            normalise(spelling): country
            for country, aliases in GAZETTEER.items()
            for alias in aliases
            for spelling in (alias, _transliterated(alias))
        }
        self.names = {**self.names, "country": places}
        for kind, table in self.names.items():
            if table:
                alternatives = sorted(table, key=len, reverse=True)
                self._patterns[kind] = re.compile(
                    r"(?<![a-z0-9])(" + "|".join(map(re.escape, alternatives)) + r")(?![a-z0-9])"
                )

    @classmethod
    def from_headings(cls, headings: Iterable[str], text: str) -> Vocabulary:
        """Plans and products named in `headings` (titles and section headings), told apart by how
        `text` (the articles) uses them. A name counts only if the articles also write it
        capitalised mid-sentence (so "Storing headphones" does not make "Storing" a product)."""
        candidates = {_trim(match.group(0)) for heading in headings for match in _NAME.finditer(heading)}
        candidates = {name for name in candidates if name and _named_mid_sentence(name, text)}
        names: dict[str, dict[str, str]] = {"plan": {}, "device": {}}
        for name in sorted(candidates):
            for kind, cues in (("plan", _PLAN_CUES), ("device", _PRODUCT_CUES)):
                if any(_found(cue.format(name=re.escape(name)), text) for cue in cues):
                    names[kind].setdefault(normalise(name), name)
        plans = set(names["plan"].values())
        # "Kestrel Club" is the programme when the articles say "Kestrel Club Plus"
        for name in [
            p for p in plans if any(_found(rf"\b{re.escape(p)} {re.escape(q)}\b", text) for q in plans)
        ]:
            del names["plan"][normalise(name)]
        # "Beacon Max" is a product like "Beacon Mini" (a model name of the same family)
        families = {value.split()[0] for value in names["device"].values() if len(value.split()) > 1}
        for name in candidates:
            if len(name.split()) > 1 and name.split()[0] in families and name not in plans:
                names["device"].setdefault(normalise(name), name)
        codes = frozenset(match.group(0).upper() for match in _CODE.finditer(text))
        return cls(names, codes, Abbreviations.from_text(text))

    def documented_codes(self, text: str) -> set[str]:
        """The codes the articles explain that a message quotes ("the app says k-402")."""
        return {match.group(0).upper() for match in _CODE.finditer(text)} & self.codes

    def find(self, text: str) -> dict[str, str]:
        """The plan, device and country a message names (the longest name of each kind, first found)."""
        lowered = normalise(text)
        found = {}
        for kind, pattern in self._patterns.items():
            if match := pattern.search(lowered):
                found[kind] = self.names[kind][match.group(1)]
        return found

    def prevailing(self, texts: Iterable[str]) -> dict[str, str]:
        """The name of each kind that more of `texts` name than any other name of that kind (none on
        a tie): what a document is about, as opposed to what it mentions in passing. An invoice
        names the seller's registered office once ("Kestrel Retail B.V., Venlo, Netherlands"), the
        store and the delivery address ("Germany", "Köln") more often. Only a name written with a
        capital counts: a document writes names so, and "have a nice day" is no trip to Nice."""
        counts: dict[str, Counter[str]] = {}
        for text in texts:
            named = {(m.kind, m.name) for m in self.mentions(text) if text[m.start : m.start + 1].isupper()}
            for kind, name in named:
                counts.setdefault(kind, Counter())[name] += 1
        found = {}
        for kind, named in counts.items():
            (first, most), *rest = named.most_common(2)
            if not rest or rest[0][1] < most:
                found[kind] = first
        return found

    def without(self, text: str, kind: str) -> str:
        """`text` with the names of `kind` it mentions taken out, whitespace collapsed. A name that a
        number follows ("when is the aura 3 coming out") names a model the help centre does not
        know, so it stays: without it, the question would be about nothing in particular."""
        named = [m for m in self.mentions(text) if m.kind == kind and not _NUMBER_NEXT.match(text, m.end)]
        for mention in reversed(named):
            text = text[: mention.start] + text[mention.end :]
        return " ".join(text.split())

    def mentions(self, text: str) -> list[Mention]:
        """Every place `text` names a plan, device or country, as spans of the text as written (so
        a name can be swapped for another: "Köln" and "U.K." are found where `find` finds them)."""
        tokens = [(match, normalise(match.group(0))) for match in _TOKEN.finditer(text)]
        tokens = [(match, words) for match, words in tokens if words]
        starts, position = [], 0
        for _, words in tokens:  # where each token begins in the normalised text
            starts.append(position)
            position += len(words) + 1
        lowered = " ".join(words for _, words in tokens)
        found = []
        for kind, pattern in self._patterns.items():
            for match in pattern.finditer(lowered):
                inside = [i for i, start in enumerate(starts) if start < match.end()]
                first = max(i for i in inside if starts[i] <= match.start())
                span = (tokens[first][0].start(), tokens[inside[-1]][0].end())
                found.append(Mention(kind, self.names[kind][match.group(1)], *span))
        return sorted(found, key=lambda mention: mention.start)


def _transliterated(name: str) -> str:
    """A name as written without umlauts ("Köln" -> "Koeln", as addresses typed in ASCII write it)."""
    return name.translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))


def names_device_kind(text: str) -> bool:
    """Whether a message names a kind of device ("my headphones", "the speaker") as the articles
    name products ("<name> headphones")."""
    return re.search(rf"\b{_DEVICE_NOUNS}\b", text, re.IGNORECASE) is not None


def _named_mid_sentence(name: str, text: str) -> bool:
    """Whether `text` writes `name` capitalised after a lower-case word (a proper name, not a
    capitalised first word): `[a-z0-9,;(] <name>\\b`, searched from its literal part (see `_found`)."""
    pattern = re.compile(re.escape(f" {name}") + r"\b")
    match = pattern.search(text, 1)
    while match is not None:
        if text[match.start() - 1] in _BEFORE_A_NAME:
            return True
        match = pattern.search(text, match.start() + 1)
    return False


def _found(pattern: str, text: str) -> bool:
    """`re.search(pattern, text)` for a pattern that opens with `\\b` and then a literal, found as
    fast as the literal: `re` scans for a literal prefix quickly but tries a leading `\\b` at every
    position. Building the vocabulary of τ³'s 3,000 headings over its 740,000 characters of
    articles took 18 s that way, before the first search could run."""
    compiled = re.compile(pattern.removeprefix(r"\b"))
    match = compiled.search(text)
    while match is not None:
        if _word_boundary(text, match.start()):
            return True
        match = compiled.search(text, match.start() + 1)
    return False


def _word_boundary(text: str, position: int) -> bool:
    """Whether `\\b` matches at `position` of `text` (a word character on one side only)."""
    before = position > 0 and _is_word(text[position - 1])
    after = position < len(text) and _is_word(text[position])
    return before != after


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _trim(name: str) -> str:
    """Drop a leading capitalised function word ("The Beacon Max" -> "Beacon Max")."""
    words = name.split()
    while words and words[0].lower() in _STOP_NAMES:
        words = words[1:]
    return " ".join(words)
