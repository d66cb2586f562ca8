"""Replies from an entity's selected knowledge snippets: DSTC-style FAQs and review sentences.

When the dialogue is about one entity (a hotel, a restaurant), the knowledge base selects the set
of that entity's snippets that answers the question and marks them `selected` (app/knowledge/
selection.py). The general extractive answerer quotes at most a few of the retrieved units, which
drops most of such a set: a question about the breakfast is answered by every guest who spoke of
it. This module composes one short reply that cites the whole set instead:

- an FAQ is the company's word: its answer is quoted (not its question);
- an FAQ that answers a yes/no question with a plain statement ("The hotel does not allow pets.")
  gets its yes or no in front, since that is what was asked;
- review sentences are guests' opinions: the reply says whether the reviews of the aspect asked
  about (the question's word that the most selected sentences share) at the entity are positive,
  negative or mixed ("The reviews of the view at Acorn Guest House are positive"), with "Yes, " or
  "No, " first when the guests agree and the question is a yes/no one (`_yes_or_no`), then repeats,
  in passing, one clause of a guest on the larger side (`: guests say "the view was amazing"`): the
  clause a small linear model (`ClauseModel`, artifact entity_clauses.json) expects to bring the
  reply closest to what a person would write, or none when no clause is expected to help;
- a reply on reviews ends with the next step on offer ("Would you like to book a room?"), as the
  human replies do; an FAQ answer does not (see `next_step`);
- a question about two entities ("which of A and B has parking?") gets one clause per entity;
- names stored in capitals are written in title case ("A and B Guest House").

How that form was chosen (`python -m benchmarks.entity_replies RUN`: a saved DSTC11 val_dev run's
selections re-composed; wording chosen on the fitting half of the dialogues, checked on the other):
ROUGE-L / BLEU fitting 0.207 / 0.020 -> 0.245 / 0.085, checking 0.217 / 0.027 -> 0.249 / 0.084.
Title case raised BLEU only; the closing question ROUGE-L 0.207 -> 0.229 (fitting); the aspect's
clause instead of the whole sentence 0.229 -> 0.242 (no quote at all: 0.238; the clause without
quotation marks: BLEU 0.005 higher, but a fragment such as "guests say a great view" reads wrong);
on several entities, each entity's verdict alone 0.242 -> 0.245 (checking 0.246 -> 0.249).
Earlier, before the closing (fitting / validation part of another split): counting ("two of three
guests say") read 0.004 lower; a quote from each side, a list of the guests' opinion words, or the
most typical sentence, lower still.

Then (`--fit` refits the clause model on the fitting half's gold snippets): "The reviews" for
"Reviews" and the yes/no lead raised ROUGE-L on gold snippets 0.278 -> 0.284 (fitting) and 0.274 ->
0.278 (checking); the learned clause in place of the first short clause on the aspect of the best
sentence, to about 0.29 / 0.28, at a cost in BLEU that QUOTE_MARGIN takes back. On a full val_dev
run re-composed (the run's own selections): ROUGE-L / BLEU fitting 0.254 / 0.087 -> 0.265 / 0.087,
checking 0.265 / 0.086 -> 0.268 / 0.086.

It runs only on selected FAQ or review snippets, so help-centre articles keep the general path.
Opinion is read by VADER (a human-rated sentiment lexicon with rules for negation, degree and
"but"); a zero-shot reading from MiniLM embeddings (closer to generic pleased or displeased
statements) called about a third of 40 DSTC11 review sentences wrong, VADER far fewer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from nltk.stem import PorterStemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from app.knowledge.lexical import tokenize
from app.protocol import Passage

FAQ = "faq"
REVIEW = "review"
ENTITY_KINDS = frozenset({FAQ, REVIEW})
MAX_FAQ_QUOTES = 2  # further selected FAQs are cited, not quoted, to keep the reply short
NEXT_STEP = {
    "hotel": "Would you like to book a room?",
    "restaurant": "Would you like to make a reservation?",
    "": "Is there anything else you would like to know?",
}
# A review clause longer than this is not repeated in passing (the verdict says enough).
MAX_CLAUSE_WORDS = 20
MIN_CLAUSE_WORDS = 3
# A clause is quoted only when the model expects it to raise ROUGE-L by more than this: a quote that
# helps little costs BLEU (its words are rarely the reference's). Chosen on the fitting half of a
# DSTC11 val_dev run re-composed (benchmarks.entity_replies): margin 0 / 0.005 / 0.01 / 0.02 read
# ROUGE-L 0.264 / 0.266 / 0.265 / 0.262 and BLEU 0.080 / 0.082 / 0.087 / 0.093; 0.01 is the best
# ROUGE-L that keeps BLEU at the former replies' 0.087.
QUOTE_MARGIN = 0.01
_CLAUSE_BREAK = re.compile(r"[,;:]\s+|\s+(?=(?:but|and|while|although|though|because)\s)", re.I)
_FIRST_PERSON = re.compile(r"\b(?:i|we|my|our|me|us)\b", re.I)
_LEADING_LINK = re.compile(r"^(?:but|and|so|while|although|though|because|also|however)\b[\s,]*", re.I)
# VADER's compound score below this in size is neither pleased nor displeased (a plain fact such as
# "breakfast is served until ten"): it counts as a mention, not a verdict (VADER's own convention).
OPINION_MARGIN = 0.05
# A question that opens with an auxiliary verb is answered yes or no ("Is there parking?").
_YES_NO = re.compile(
    r"^\s*(is|are|was|were|do|does|did|can|could|will|would|should|shall|has|have|had|may|might)\b", re.I
)
_NEGATION = re.compile(r"\b(not|no|never|cannot|none|nor)\b|n't\b", re.I)
_YES_OR_NO = re.compile(r"^\s*(yes|no)\b", re.I)
_LINKING = frozenset(
    {"and", "of", "the", "at", "in", "on", "for", "to", "by", "with", "or", "de", "la", "del"}
)


CLAUSE_MODEL_PATH = Path(__file__).with_name("entity_clauses.json")
# What the clause model reads of a candidate clause (see EntityAnswerer._features).
CLAUSE_FEATURES = (
    "names the aspect",
    "words / 10",
    "(words / 10) squared",
    "stems shared with the other selected sentences",
    "stems shared with the question",
    "rank of its sentence in the selection",
    "is the whole sentence",
    "first person",
    "strength of opinion",
)


@dataclass(frozen=True)
class Clause:
    """A clause a reply on reviews may quote, and what the clause model reads of it."""

    text: str
    features: tuple[float, ...]


@dataclass(frozen=True)
class Tally:
    """The guests behind a set of review sentences: how many are pleased, displeased, and in all."""

    pleased: int
    displeased: int
    guests: int

    @property
    def side(self) -> int:
        """+1 when at least as many are pleased as displeased, else -1."""
        return 1 if self.pleased >= self.displeased else -1

    @property
    def most(self) -> int:
        return max(self.pleased, self.displeased)

    @property
    def few(self) -> int:
        return min(self.pleased, self.displeased)


@dataclass(frozen=True)
class ClauseModel:
    """A linear estimate of how much quoting a clause raises a reply's ROUGE-L against a human reply
    (fitted by `python -m benchmarks.entity_replies --fit`; see the module docstring)."""

    weights: tuple[float, ...]
    intercept: float

    @classmethod
    def load(cls, path: Path) -> ClauseModel:
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RuntimeError(f"{path}: cannot read the entity clause model ({exc})") from None
        if tuple(stored.get("features", ())) != CLAUSE_FEATURES:
            raise RuntimeError(
                f"{path}: fitted on other features; refit with benchmarks.entity_replies --fit"
            )
        return cls(tuple(float(w) for w in stored["weights"]), float(stored["intercept"]))

    def gains(self, features: Sequence[Sequence[float]]) -> np.ndarray:
        """The expected gain of each clause."""
        return np.asarray(features, dtype=float) @ np.asarray(self.weights) + self.intercept


@dataclass(frozen=True)
class Snippet:
    """One selected snippet: what it says, whose word it is, and the passage number it is cited by."""

    number: int
    kind: str
    entity: str
    doc_id: str
    text: str
    question: str = ""  # an FAQ's own question (its title): tells whether the answer is a yes or a no

    @property
    def cite(self) -> str:
        return f"[{self.number}]"

    @property
    def author(self) -> str:
        """The review a sentence belongs to (`hotel:20:review:9:4` -> `hotel:20:review:9`)."""
        head, _, last = self.doc_id.rpartition(":")
        return head if self.kind == REVIEW and head and last.isdigit() else self.doc_id


def entity_snippets(passages: Sequence[Passage]) -> list[Snippet]:
    """The selected FAQ and review snippets among the passages, most probable first (the search
    lists the selected set first, in that order); [] when the search selected none."""
    found: dict[str, Snippet] = {}
    for passage in passages:
        if passage.selected and passage.kind in ENTITY_KINDS and passage.doc_id not in found:
            text = faq_answer(passage.text) if passage.kind == FAQ else _one_line(passage.text)
            if text:
                found[passage.doc_id] = Snippet(
                    passage.number,
                    passage.kind,
                    display_name(passage.title),
                    passage.doc_id,
                    text,
                    faq_question(passage),
                )
    return list(found.values())


def next_step(doc_id: str) -> str:
    """The question that closes a reply on guests' reviews, offering what the customer can do next,
    by the domain of the entity asked about (the id's first part, "hotel:20:review:3:1"): a booking
    where there is one, else more help. Reviews help a customer choose, so the reply offers the
    step after choosing; most DSTC11 references (review-based) end so. A plain FAQ answer gets
    none: no DSTC10 reference (FAQ-only) ends with a question."""
    domain = doc_id.split(":", 1)[0].lower()
    return NEXT_STEP.get(domain, NEXT_STEP[""])


def faq_answer(text: str) -> str:
    """The answer part of an FAQ document ("question\\n\\nanswer", or "title\\n\\nbody")."""
    head, _, rest = text.strip().partition("\n\n")
    return _one_line(rest) if rest.strip() else _one_line(head)


def faq_question(passage: Passage) -> str:
    """An FAQ passage's own question: the head before its answer ("" for a review or a bare answer)."""
    head, _, rest = passage.text.strip().partition("\n\n")
    return _one_line(head) if passage.kind == FAQ and rest.strip() else ""


def answer_first(question: str, answer: str, entity: str = "") -> str:
    """The answer with "Yes, " or "No, " in front when it answers a yes/no question with a plain
    statement ("The hotel does not allow pets." -> "No, the hotel does not allow pets."). Its first
    word keeps its capital when it is a name's (the entity's, or capitals inside: "WiFi")."""
    if not _YES_NO.match(question) or _YES_OR_NO.match(answer) or not answer:
        return answer
    first, _, rest = answer.partition(" ")
    named = first.lower() in entity.lower().split() or any(c.isupper() for c in first[1:])
    opening = first if named else first[:1].lower() + first[1:]
    verdict = "No" if _NEGATION.search(answer) else "Yes"
    return f"{verdict}, {opening} {rest}".rstrip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _capital(word: str) -> str:
    """Each hyphenated part capitalised: "ALPHA-MILTON" -> "Alpha-Milton"."""
    return "-".join(part.capitalize() for part in word.split("-"))


def display_name(name: str) -> str:
    """An entity's name as a person writes it: a name stored in capitals ("A AND B GUEST HOUSE") in
    title case, short linking words in lower case and single letters kept ("A and B Guest House");
    a name with any lower-case letter is kept as given. References are written so, and BLEU keeps
    case."""
    if not name or any(c.islower() for c in name):
        return name
    words = name.split()
    return " ".join(
        word if len(word) == 1 else word.lower() if i and word.lower() in _LINKING else _capital(word)
        for i, word in enumerate(words)
    )


class EntityAnswerer:
    """Composes the reply from the selected snippets; reads each review sentence's opinion."""

    def __init__(self, clause_model: ClauseModel | None = None) -> None:
        self._clause_model = clause_model  # None: the shipped artifact, read when first needed

    @cached_property
    def _sentiment(self) -> SentimentIntensityAnalyzer:
        """VADER's analyser (reads its lexicon when first needed, not at import)."""
        return SentimentIntensityAnalyzer()

    def opinions(self, texts: Sequence[str]) -> list[int]:
        """+1 pleased, -1 displeased, 0 neither (a plain fact), per sentence."""
        scores = (self._sentiment.polarity_scores(text)["compound"] for text in texts)
        return [0 if abs(score) < OPINION_MARGIN else (1 if score > 0 else -1) for score in scores]

    @cached_property
    def _stem(self) -> PorterStemmer:
        return PorterStemmer()

    def reply(self, snippets: Sequence[Snippet], question: str = "") -> str:
        """One clause per entity, in the order the selection ranks them; every snippet cited."""
        by_entity: dict[str, list[Snippet]] = {}
        for snippet in snippets:
            by_entity.setdefault(snippet.entity, []).append(snippet)
        named = len(by_entity) > 1
        body = " ".join(
            self._about(entity, group, question, named=named) for entity, group in by_entity.items()
        )
        if not any(snippet.kind == REVIEW for snippet in snippets):
            return body  # an FAQ's answer is the whole reply (see next_step)
        return f"{body} {next_step(snippets[0].doc_id)}"

    def aspect(self, question: str, texts: Sequence[str], entity: str = "") -> str:
        """What the question asks about, in its own words: its content word that the most selected
        sentences share (by stem; the last such word on a tie), opinion words left out ("good",
        "nice": the verdict says those; "reviews of the nice at X" reads wrong, and leaving them out
        when no other word is shared read as well on DSTC11), and so are the entity's own name ("the
        Nirala at the Nirala", by stem: "Hobson's" for "Hobsons House") and common English function
        words ("when", "get"); "" when none is left."""
        name = self._stems(entity)
        content = set(tokenize(question)) - ENGLISH_STOP_WORDS
        words = [
            word
            for word in re.findall(r"[a-z]+", question.lower())
            if word in content and self._stem.stem(word) not in name
        ]
        said = [self._stems(text) for text in texts]
        share = {w: sum(self._stem.stem(w) in stems for stems in said) for w in words}
        shared = [w for w in words if share[w]]
        plain = [word for word in shared if word not in self._sentiment.lexicon]
        return max(reversed(plain), key=share.get) if plain else ""

    def _stems(self, text: str) -> set[str]:
        return {self._stem.stem(word) for word in re.findall(r"[a-z]+", text.lower())}

    @property
    def clause_model(self) -> ClauseModel:
        """The clause scorer given, else the learned one (read from its artifact when first needed)."""
        if self._clause_model is None:
            self._clause_model = ClauseModel.load(CLAUSE_MODEL_PATH)
        return self._clause_model

    def clause_candidates(
        self, reviews: Sequence[Snippet], question: str, side: int, *, strict: bool = False
    ) -> list[Clause]:
        """The clauses a reply on these reviews may quote, with what the clause model reads of each:
        every clause (split at commas, colons and conjunctions) and every whole sentence, of
        MIN_CLAUSE_WORDS to MAX_CLAUSE_WORDS words, of the sentences that do not lean against `side`
        (`strict`: that lean to it, when the reply says "most guests say")."""
        texts = [s.text for s in reviews]
        aspect = self.aspect(question, texts, reviews[0].entity if reviews else "")
        asked = self._stems(question)
        stems = [self._stems(text) for text in texts]
        found: dict[str, Clause] = {}
        for rank, (text, leaning) in enumerate(zip(texts, self.opinions(texts), strict=True)):
            if leaning == -side or (strict and leaning != side):
                continue
            whole = text.strip().rstrip(".!")
            pieces = [_LEADING_LINK.sub("", piece.strip()) for piece in _CLAUSE_BREAK.split(whole)]
            for part in dict.fromkeys([*pieces, whole]):
                if MIN_CLAUSE_WORDS <= len(part.split()) <= MAX_CLAUSE_WORDS and part not in found:
                    others = [other for i, other in enumerate(stems) if i != rank]
                    found[part] = Clause(
                        part, self._features(part, whole, aspect, asked, others, rank / len(texts))
                    )
        return list(found.values())

    def _features(
        self, part: str, whole: str, aspect: str, asked: set[str], others: list[set[str]], rank: float
    ) -> tuple[float, ...]:
        """What the clause model reads of a clause, in CLAUSE_FEATURES order."""
        own = self._stems(part)
        size = len(part.split()) / 10
        shared = float(np.mean([len(own & other) / max(1, len(own)) for other in others])) if others else 0.0
        return (
            float(bool(aspect) and self._stem.stem(aspect) in own),
            size,
            size * size,
            shared,
            len(own & asked) / max(1, len(own)),
            rank,
            float(part == whole),
            float(bool(_FIRST_PERSON.search(part))),
            abs(self._sentiment.polarity_scores(part)["compound"]),
        )

    def tally(self, reviews: Sequence[Snippet]) -> Tally:
        """How many guests are pleased and displeased: a guest's verdict is the sign of the sum of
        their sentences' leanings."""
        authors: dict[str, list[Snippet]] = {}
        for snippet in reviews:
            authors.setdefault(snippet.author, []).append(snippet)
        leaning = dict(zip(reviews, self.opinions([s.text for s in reviews]), strict=True))
        verdicts = [int(np.sign(sum(leaning[s] for s in said))) for said in authors.values()]
        return Tally(sum(v > 0 for v in verdicts), sum(v < 0 for v in verdicts), len(authors))

    def choose_clause(self, candidates: Sequence[Clause]) -> str:
        """The clause the model expects to raise the reply's overlap with what a person would write
        the most; "" when none is expected to raise it by QUOTE_MARGIN (the verdict says enough)."""
        if not candidates:
            return ""
        gains = self.clause_model.gains([c.features for c in candidates])
        best = int(np.argmax(gains))
        return candidates[best].text if gains[best] > QUOTE_MARGIN else ""

    def _yes_or_no(self, question: str, side: int) -> str:
        """ "Yes" or "No" in front of a unanimous verdict on a yes/no question, as the human replies
        do: yes when the guests lean the way the question asks ("Is it quiet?", pleased guests), no
        when against ("Is it noisy?", pleased guests). A question that states no leaning
        ("Are the rooms small?") with displeased guests gets neither: which way it asks is unknown."""
        if not _YES_NO.match(question):
            return ""
        asked = self._sentiment.polarity_scores(question)["compound"]
        if abs(asked) < OPINION_MARGIN and side < 0:
            return ""
        return "Yes" if side * (-1 if asked <= -OPINION_MARGIN else 1) > 0 else "No"

    def _about(self, entity: str, snippets: list[Snippet], question: str, *, named: bool) -> str:
        faqs = [s for s in snippets if s.kind == FAQ]
        reviews = [s for s in snippets if s.kind == REVIEW]
        parts = []
        if faqs:
            parts.append(_faq_clause(entity, faqs, named=named))
        if reviews:
            # the FAQ's answer already says yes or no, when there is one
            parts.append(self._review_clause(entity, reviews, question, brief=named, answered=bool(faqs)))
        return " ".join(parts)

    def _review_clause(
        self,
        entity: str,
        reviews: list[Snippet],
        question: str,
        *,
        brief: bool = False,
        answered: bool = False,
    ) -> str:
        """Whether the guests who mention the aspect are positive, negative or mixed on it, with "Yes"
        or "No" first when that answers the question (see `_yes_or_no`), then the clause the clause
        model picks from the sentences that do not lean against the larger side, said by most guests
        when mixed (none when no clause is expected to help, or when `brief`: a reply on several
        entities gives each its verdict only)."""
        tally = self.tally(reviews)
        side, most, few = tally.side, tally.most, tally.few
        tone = "positive" if side > 0 else "negative"
        aspect = self.aspect(question, [s.text for s in reviews], entity)
        place = f" at {entity}" if entity else ""
        reviewed = f"the {aspect}{place}" if aspect else entity or "it"
        if not most:
            opening = f"The reviews{place} mention {f'the {aspect}' if aspect else 'it'}"
        else:
            judged = f"reviews of {reviewed} are {tone if not few else 'mixed'}"
            lead = "" if brief or few or answered else self._yes_or_no(question, side)
            opening = f"{lead}, the {judged}" if lead else f"The {judged}"
        cites = "".join(s.cite for s in reviews)
        candidates = [] if brief else self.clause_candidates(reviews, question, side, strict=few > 0)
        said = self.choose_clause(candidates)
        if not said:
            return f"{opening} {cites}."
        who = "guests say" if tally.guests > 1 else "a guest says"
        if most and few:  # how many agree with the clause, when not all do
            who = "most guests say" if most > few else "half the guests say"
        return f'{opening}: {who} "{_reported(said)}" {cites}.'


def _faq_clause(entity: str, faqs: list[Snippet], *, named: bool) -> str:
    """The FAQ answers quoted, each cited (and the rest of the selected FAQs cited after them). Two
    FAQs with the same answer ("WiFi is free at ...", asked as "is there wifi?" and "does wifi
    cost extra?") are quoted once, with both citations."""
    answers: dict[str, tuple[str, list[str]]] = {}
    for faq in faqs:
        answer = answer_first(faq.question, faq.text, entity)
        key = " ".join(answer.lower().rstrip(".!").split())
        answers.setdefault(key, (answer, []))[1].append(faq.cite)
    distinct = list(answers.values())
    quoted = [_sentence(f"{answer} {''.join(cites)}") for answer, cites in distinct[:MAX_FAQ_QUOTES]]
    more = "".join(cite for _, cites in distinct[MAX_FAQ_QUOTES:] for cite in cites)
    text = " ".join(quoted)
    if more:
        text = f"{text[:-1]} {more}."
    return f"{entity}: {text}" if named and entity else text


def _reported(clause: str) -> str:
    """A clause as reported speech ("guests say the view was great"): its first letter in lower
    case, unless its first word is "I" or has capitals inside ("WiFi")."""
    first = clause.split(" ", 1)[0]
    if first == "I" or first.startswith("I'") or any(c.isupper() for c in first[1:]):
        return clause
    return clause[:1].lower() + clause[1:]


def _sentence(text: str) -> str:
    """Move a trailing citation before the full stop: "It is free. [2]" -> "It is free [2]."."""
    match = re.match(r"^(.*?)[.!?]?\s*((?:\[\d+\])+)$", text.strip(), flags=re.DOTALL)
    if not match:
        return text if text.endswith((".", "!", "?")) else f"{text}."
    return f"{match.group(1).rstrip()} {match.group(2)}."
