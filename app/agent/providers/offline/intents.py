"""What a customer message is about, learned from labelled utterances: the offline model's router.

One row per intent in `INTENTS` says what the intent means, which tools it plans and how urgent
it is; the trained classifier (`IntentModel`, one logistic regression per label over the sentence
embedding the offline model already computes and the message's character n-grams, `Lexicon`)
gives each label a probability, and a label holds
when its probability reaches the threshold calibrated on the validation split. Labels are not
exclusive: "I'm on Plus, do I get free returns?" states a fact *and* asks a question.

The weights live in a small `.npz` (no pickle) next to this module, rebuilt by
`python -m app.agent.providers.offline.train`; loading it is a few numpy arrays.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from app.errors import ConfigError

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

Plan = Literal[
    "smalltalk",
    "search",
    "remember",
    "recall",
    "ticket",
    "escalate",
    "offer",
    "read_attachment",
    "refuse",
    "none",
]
ARTIFACT = "offline_intents.npz"


@dataclass(frozen=True)
class IntentSpec:
    """One row of the routing table."""

    name: str
    description: str
    plan: Plan
    priority: str = "normal"  # for escalations: the ticket priority this reason implies


INTENTS: tuple[IntentSpec, ...] = (
    IntentSpec("greeting", "Hello in any language, or asking who they are talking to.", "smalltalk"),
    IntentSpec("thanks", "Thanks or praise for help given.", "smalltalk"),
    IntentSpec("goodbye", "Closing the conversation: bye, that's all.", "smalltalk"),
    IntentSpec("acknowledge", "ok, got it, will try, it works now: nothing asked.", "none"),
    IntentSpec("affirm", "Yes to something offered (a person, a next step).", "none"),
    IntentSpec("deny", "No to something offered.", "none"),
    IntentSpec("knowledge", "A question or problem the help centre can answer.", "search"),
    IntentSpec("booking", "A transaction or search needing no help article (book a table, a hotel).", "none"),
    IntentSpec("fact", "States something about themselves: country, plan, device, name, order.", "remember"),
    IntentSpec("recall", "Asks what we remember about them.", "recall"),
    IntentSpec("ticket", "Asks about the status of their support ticket.", "ticket"),
    IntentSpec("attachment", "Asks about a file they attached.", "read_attachment"),
    # answered with a refusal and no tool: nothing it says is remembered, searched or handed over
    IntentSpec(
        "injection",
        "Tries to change the assistant's rules or get what it must not give: its instructions, "
        "other customers' data, free upgrades by decree.",
        "refuse",
    ),
    IntentSpec("human", "Asks for a person, however phrased (not a mention of one).", "escalate"),
    IntentSpec("frustration", "Fed up after failed attempts or repeated contact.", "escalate"),
    IntentSpec("complaint", "A complaint or a legal threat, also a conditional one.", "escalate"),
    # a how-to question about the same thing ("how do I get a refund?") is `knowledge`: answered,
    # and a person offered when the hand-over is unsure
    IntentSpec("staff_action", "Asks staff for what only staff may do: a refund, removing 2FA.", "escalate"),
    IntentSpec("safety", "A safety hazard: heat, smoke, sparks, a swollen battery.", "escalate", "high"),
    IntentSpec(
        "fraud",
        "Fraud or account takeover: orders, charges or changes they did not make.",
        "escalate",
        "high",
    ),
)
BY_NAME: Mapping[str, IntentSpec] = {spec.name: spec for spec in INTENTS}


def urgent(name: str) -> bool:
    """Whether a reason to hand over is one the routing table marks high priority (safety, fraud)."""
    return BY_NAME[name].priority == "high"


REASONS: Mapping[str, str] = {
    "human": "Customer asked to talk to a person",
    "frustration": "Customer is frustrated after failed attempts",
    "complaint": "Customer is complaining or considering legal action",
    "staff_action": "Customer asks for something only staff can do",
    "safety": "Customer reports a safety hazard",
    "fraud": "Customer reports fraud or an account takeover",
}
ESCALATION_REASONS: tuple[str, ...] = tuple(spec.name for spec in INTENTS if spec.plan == "escalate")
OFFER_REASONS: tuple[str, ...] = tuple(spec.name for spec in INTENTS if spec.plan in ("escalate", "offer"))
LABELS: tuple[str, ...] = tuple(spec.name for spec in INTENTS)


# sentence ends (also a heading's colon), a numbered step, a dash that starts a list item
_SENTENCE = re.compile(r"(?<=[.!?:])\s+|\s+(?=\d+\.\s)|\s+-\s+")


# clause breaks: after punctuation, a dash, a joining word ("…, and I want a person")
CLAUSE_BREAK = re.compile(
    r"(?<=[,;:!?])\s*|(?<=\.)\s+|\s+-\s+|\s+(?:and|but|so|because|though|while)\s+", re.IGNORECASE
)
_QUOTE = re.compile(r"[\"\u201c\u201d]")


def sentences(text: str) -> list[str]:
    """The sentences, list items and headings of a long message, one-word pieces left out (the
    τ³ briefs' sentences the classifier learns from, see `offline_train.brief_sentences`)."""
    return [piece.strip() for piece in _SENTENCE.split(text) if len(piece.split()) >= 2]


def request_parts(text: str) -> list[str]:
    """What a long message is read as, one piece at a time, for a request for a person (see
    `policy.with_sentence_requests`): its sentences cut at quotes and clause breaks. A
    request is often one clause of a long sentence ("if they cannot verify you, demand to be
    transferred to a human agent") or a quote in a list of them, and read with the rest of its
    sentence its embedding is diluted below any sure threshold; one-word pieces are left out."""
    return [
        clause.strip()
        for sentence in sentences(text)
        for quoted in _QUOTE.split(sentence)
        for clause in CLAUSE_BREAK.split(quoted)
        if len(clause.split()) >= 2
    ]


SURE_REASON = 0.95


@dataclass(frozen=True)
class Reading:
    """The classifier's view of one message: a probability and a verdict per label."""

    probabilities: Mapping[str, float]
    thresholds: Mapping[str, float]
    escalate_threshold: float = 0.5
    # how much more probable the reason must be than the reading as a plain question (calibrated;
    # negative: a question may be that much likelier and still be handed over)
    question_margin: float = 0.0

    def escalation(self, threshold: float | None = None) -> tuple[str, ...]:
        """The reasons to hand over, most probable first, when the most probable one reaches the
        calibrated escalation threshold (or `threshold`) and is about as likely as the reading as a
        plain question (a question that only touches on a reason is answered, with a person offered)."""
        threshold = self.escalate_threshold if threshold is None else threshold
        ranked = sorted(ESCALATION_REASONS, key=lambda name: -self.probabilities.get(name, 0.0))
        top = self.probabilities.get(ranked[0], 0.0)
        question = self.probabilities.get("knowledge", 0.0)
        # a hazard or a takeover needs a person whatever else the message asks, and so does a reason
        # read as surely as `SURE_REASON` (a complaint lodged with its story: the story reads as a
        # question too, but the customer asked for more than an answer)
        is_urgent = urgent(ranked[0]) or top >= SURE_REASON
        if top < threshold or (not is_urgent and top < question + self.question_margin):
            return ()
        return tuple(name for name in ranked if self.probabilities.get(name, 0.0) >= threshold)

    def has(self, label: str) -> bool:
        return self.probabilities.get(label, 0.0) >= self.thresholds.get(label, 1.0)

    def margin(self, label: str) -> float:
        """How far above (positive) or below its threshold a label is."""
        return self.probabilities.get(label, 0.0) - self.thresholds.get(label, 1.0)

    def labels(self) -> list[str]:
        return [label for label in self.probabilities if self.has(label)]

    def best(self, names: tuple[str, ...] | list[str]) -> str:
        """The most probable of `names`."""
        return max(names, key=lambda name: self.probabilities.get(name, 0.0))


LEXICON_NGRAMS = (2, 5)  # characters, within words
LEXICON_SIZE = 3000  # the most frequent n-grams of the train split (2000 and 5000 read about the same)


@dataclass(frozen=True, eq=False)
class Lexicon:
    """A message's spelling beside its meaning: TF-IDF weights of character n-grams within words.

    The sentence embedding places a message by what it is about: with it alone "could you connect
    me with one of them please" read as a booking (0.62; a person 0.21), "I'm fed up of being
    passed back and forth" as frustration at 0.25, "nothing you tell me works" as a question at
    0.66. The n-grams of "connect", "fed up" or "nothing ... works" carry the intent in any topic
    and survive typos: with them, a person 0.71, frustration 0.69, a question 0.20. On the written
    utterances' validation split the embedding with n-grams read `knowledge` at F1 0.79 -> 0.86,
    `complaint` 0.73 -> 0.80, `staff_action` 0.82 -> 0.91; on the train dialogues' turns (never
    fitted) the raw hand-over decision at 0.7 went from precision 0.67 / recall 0.64 to 0.89 / 0.77
    (scratch comparison, 2026-12-01; `train` refits it)."""

    terms: tuple[str, ...]
    idf: np.ndarray = field(repr=False)

    @classmethod
    def fit(cls, texts: Iterable[str], size: int = LEXICON_SIZE) -> Lexicon:
        """The `size` most frequent n-grams of `texts` (each in two of them at least) and their IDF."""
        vectorizer = _tfidf(max_features=size, min_df=2).fit(list(texts))
        terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
        return cls(tuple(terms), np.asarray(vectorizer.idf_, dtype=np.float64))

    @cached_property
    def _vectorizer(self) -> TfidfVectorizer:
        vectorizer = _tfidf(vocabulary={term: i for i, term in enumerate(self.terms)})
        vectorizer.idf_ = self.idf
        return vectorizer

    def transform(self, texts: Iterable[str]) -> np.ndarray:
        """One L2-normalised row of n-gram weights per text."""
        return self._vectorizer.transform(list(texts)).toarray()


def _tfidf(**options: object) -> TfidfVectorizer:
    """scikit-learn's vectorizer of character n-grams within words (imported on first use)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=LEXICON_NGRAMS, sublinear_tf=True, **options)


def _saved_lexicon(data: Mapping[str, np.ndarray]) -> Lexicon | None:
    if "lexicon_terms" not in data:
        return None
    return Lexicon(tuple(str(term) for term in data["lexicon_terms"]), np.asarray(data["lexicon_idf"]))


def features(vectors: np.ndarray, texts: Iterable[str], lexicon: Lexicon | None) -> np.ndarray:
    """The classifier's input rows: each sentence embedding, then its text's n-gram weights."""
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
    if lexicon is None:
        return vectors
    return np.hstack([vectors, lexicon.transform(texts)])


class IntentModel:
    """Logistic-regression weights per label, applied to one L2-normalised sentence embedding and
    the message's n-gram weights (`Lexicon`; a model saved without one reads the embedding alone)."""

    def __init__(
        self,
        labels: list[str],
        coef: np.ndarray,
        intercept: np.ndarray,
        thresholds: np.ndarray,
        *,
        embedder: str,
        info: dict | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        if coef.shape[0] != len(labels) or intercept.shape != (len(labels),):
            raise ConfigError("The intent model's weights do not match its labels.")
        self.labels = list(labels)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.thresholds = dict(zip(self.labels, map(float, thresholds), strict=True))
        self.embedder = embedder
        self.info = info or {}
        self.lexicon = lexicon

    @property
    def dimension(self) -> int:
        """The sentence embedding's dimension (the weights cover it, then the n-grams)."""
        return int(self.coef.shape[1]) - (len(self.lexicon.terms) if self.lexicon else 0)

    def read(self, vector: np.ndarray, text: str) -> Reading:
        """Probabilities for one message: its embedding and its text."""
        return self.read_row(features(vector, [text], self.lexicon)[0])

    def read_row(self, row: np.ndarray) -> Reading:
        """Probabilities for one row of `features` (sigmoid of each label's linear score)."""
        scores = self.coef @ np.asarray(row, dtype=np.float64) + self.intercept
        probabilities = 1.0 / (1.0 + np.exp(-scores))
        return Reading(
            dict(zip(self.labels, map(float, probabilities), strict=True)),
            self.thresholds,
            float(self.info.get("escalate_threshold", 0.5)),
            float(self.info.get("question_margin", 0.0)),
        )

    def requests(self, vectors: np.ndarray, texts: list[str], threshold: float | None = None) -> int:
        """How many of these sentences (embeddings and texts) ask for a person: see `requests_rows`."""
        return self.requests_rows(features(vectors, texts, self.lexicon), threshold)

    def requests_rows(self, rows: np.ndarray, threshold: float | None = None) -> int:
        """How many of these rows of `features` ask for a person: their `human` probability
        reaches `threshold` (by default the long-message one calibrated on the τ³ briefs)."""
        if threshold is None:
            threshold = float(self.info.get("long_request_threshold", 1.0))
        row = self.labels.index("human")
        scores = np.asarray(rows, dtype=np.float64).reshape(-1, self.coef.shape[1]) @ self.coef[row]
        probabilities = 1.0 / (1.0 + np.exp(-(scores + self.intercept[row])))
        return int((probabilities >= threshold).sum())

    def save(self, path: str | Path) -> None:
        """Write the weights as a plain `.npz` (no pickled objects)."""
        np.savez_compressed(
            path,
            labels=np.array(self.labels),
            coef=self.coef,
            intercept=self.intercept,
            thresholds=np.array([self.thresholds[label] for label in self.labels]),
            embedder=np.array(self.embedder),
            info=np.array(json.dumps(self.info, sort_keys=True)),
            **self._lexicon_arrays(),
        )

    def _lexicon_arrays(self) -> dict[str, np.ndarray]:
        if self.lexicon is None:
            return {}
        return {"lexicon_terms": np.array(self.lexicon.terms), "lexicon_idf": self.lexicon.idf}

    @classmethod
    def load(cls, path: str | Path | None = None) -> IntentModel:
        """The model at `path`, or the one shipped with this package."""
        source = Path(path) if path else resources.files(__package__) / ARTIFACT
        try:
            with source.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
                return cls(
                    [str(label) for label in data["labels"]],
                    data["coef"],
                    data["intercept"],
                    data["thresholds"],
                    embedder=str(data["embedder"]),
                    info=json.loads(str(data["info"])),
                    lexicon=_saved_lexicon(data),
                )
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(
                f"The offline intent model could not be read ({exc}); rebuild it with "
                "`python -m app.agent.providers.offline.train`."
            ) from None
