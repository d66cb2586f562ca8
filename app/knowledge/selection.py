"""Knowledge selection: the set of an entity's snippets that answers a question, not a top-k.

Once the dialogue's entity is known (entities.py), the question is answered by some of that
entity's own snippets: one FAQ ("Is there parking?"), or every review sentence on the aspect asked
about ("What do guests say about the breakfast?" has as many answers as guests who spoke of it).
A fixed top-k is wrong both ways: it pads a one-FAQ answer with noise and cuts off the fifth
review that mentions breakfast. So every snippet of the entity is scored on its own, and the
snippets whose probability of belonging to the answer passes a calibrated threshold are kept
(at least the best one).

The probability is a logistic model over features that carry across datasets and wordings:
- cosine similarity to the question, and its gap to the best snippet overall and of its own kind
  (FAQ vs review): how a snippet compares within its entity matters more than its raw similarity;
- the snippet's kind, and its rank within its kind (log);
- the share of the question's content words the snippet contains (the aspect said outright).
The coefficients and the thresholds (FAQs may have their own) are fitted on a part of the DSTC dev
slices and checked on the rest (`python -m benchmarks.knowledge_selection --fit`); they live in
`selection_model.json`.

Cosine similarity weighs every dimension of the embedding alike, but only some of them say whether a
guest's sentence is about what was asked ("sanitary restrooms" and "the bathroom was spotless").
So the model also holds one learned weight per embedding dimension, per kind, over the products of the
question's and the snippet's vectors (`meaning_products`): a diagonal bilinear similarity, strongly
regularised. Those weights belong to the embedder they were fitted with (`embedder`); with another
one the model fitted on the features above alone selects (`SelectionModel.for_vectors`). On the DSTC
dev slices' validation parts (`python -m benchmarks.knowledge_selection`, which also says how the
strength was chosen), selection F1 DSTC11 0.559 -> 0.657 and DSTC10 0.786 -> 0.786 against the model
fitted on the features alone. Replayed through the agent (`python -m eval run`), DSTC11 val_dev's
held-out part (its last 164 instances, 88 knowledge turns) 0.562 -> 0.658 against the model packaged
before, and DSTC10 val_dev (33 knowledge turns, 19 of them fitted) 0.739 -> 0.769.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from app.errors import InputError
from app.knowledge.lexical import tokenize

FEATURES = ("similarity", "gap_to_best", "gap_to_best_of_kind", "review", "overlap", "log_rank_in_kind")
MODEL_FILE = "selection_model.json"
REVIEW = "review"


@dataclass(frozen=True)
class SelectionModel:
    """Logistic coefficients over FEATURES and the probability a snippet needs to be selected."""

    coefficients: tuple[float, ...]
    intercept: float
    threshold: float
    max_selected: int = 12  # a safety cap: no question is answered by more snippets than this
    # FAQs calibrated apart (None: the same threshold): an entity has a few FAQs and many review
    # sentences, so one threshold fitted over all candidates is set by the reviews.
    faq_threshold: float | None = None
    # The runner-up FAQ joins the best one when its probability is at least this share of the
    # best's (None: never), for questions two FAQs answer between them; never beyond `max_faqs`.
    # Not adopted when measured on the features-only model (before the meaning weights): on the DSTC
    # dev slices the second FAQ is gold in 8 of 216 DSTC11 turns and 1 of 33 DSTC10 turns, and its
    # probability ratio does not tell those apart (validation F1 DSTC11 0.561 -> 0.560 at 0.4,
    # DSTC10 0.786 -> 0.733); FAQ recall is lost on the first FAQ, not a missing second.
    faq_runner_up: float | None = None
    # At most this many FAQs are selected (None: any number that passes). An entity's FAQs answer
    # different questions, so a second one that passes is more often noise than the rest of the
    # answer (the second FAQ is gold in 8 of 216 DSTC11 and 1 of 33 DSTC10 dev turns); the fitting
    # chooses between None and 1 on the fitting turns. Capped FAQs leave their places to reviews.
    max_faqs: int | None = None
    # Weights over `meaning_products`, one per embedding dimension, for reviews and for FAQs (empty:
    # none), fitted on the vectors of `embedder` and read only for that embedder's vectors.
    embedder: str | None = None
    review_meaning: tuple[float, ...] = ()
    faq_meaning: tuple[float, ...] = ()
    # The model fitted with meaning weights, used in this one's place for its embedder's vectors
    # (`for_vectors`); this one, fitted on the features alone, serves every other embedder.
    with_meaning: SelectionModel | None = None

    def __post_init__(self) -> None:
        if len(self.coefficients) != len(FEATURES):
            raise InputError(
                f"selection model: {len(self.coefficients)} coefficients for {len(FEATURES)} features"
            )
        if len(self.review_meaning) != len(self.faq_meaning) or (self.review_meaning and not self.embedder):
            raise InputError(
                "selection model: meaning weights need one per dimension for both kinds, and an embedder"
            )
        if self.max_faqs is not None and self.max_faqs < 1:
            raise InputError(f"selection model: max_faqs must be at least 1 (or null), not {self.max_faqs}")

    def reads_meaning(self, embedder: str, dimension: int) -> bool:
        """Whether the meaning weights apply to vectors of this embedder (the one they were fitted on)."""
        fitted = len(self.review_meaning)
        return bool(fitted) and embedder == self.embedder and dimension == fitted

    def for_vectors(self, embedder: str, dimension: int) -> SelectionModel:
        """The model to select with for vectors of this embedder: the one with meaning weights when
        they were fitted on it, else this one (a model's features-only weights are fitted apart, so
        they stand alone)."""
        if self.reads_meaning(embedder, dimension):
            return self
        meaning = self.with_meaning
        return meaning if meaning is not None and meaning.reads_meaning(embedder, dimension) else self

    @classmethod
    def from_dict(cls, data: dict) -> SelectionModel:
        meaning = data.get("with_meaning")
        try:
            return cls(
                coefficients=tuple(float(data["coefficients"][name]) for name in FEATURES),
                intercept=float(data["intercept"]),
                threshold=float(data["threshold"]),
                max_selected=int(data.get("max_selected", 12)),
                faq_threshold=None if data.get("faq_threshold") is None else float(data["faq_threshold"]),
                faq_runner_up=None if data.get("faq_runner_up") is None else float(data["faq_runner_up"]),
                max_faqs=None if data.get("max_faqs") is None else int(data["max_faqs"]),
                embedder=data.get("embedder"),
                review_meaning=tuple(float(w) for w in data.get("review_meaning", ())),
                faq_meaning=tuple(float(w) for w in data.get("faq_meaning", ())),
                with_meaning=None if meaning is None else cls.from_dict(meaning),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"selection model: missing or malformed field {exc}") from None

    @classmethod
    def packaged(cls) -> SelectionModel:
        """The model shipped with the package (fitted on the DSTC dev slices' fitting part)."""
        text = resources.files("app.knowledge").joinpath(MODEL_FILE).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text))

    def to_dict(self) -> dict:
        return {
            "features": list(FEATURES),
            "coefficients": dict(zip(FEATURES, self.coefficients, strict=True)),
            "intercept": self.intercept,
            "threshold": self.threshold,
            "max_selected": self.max_selected,
            "faq_threshold": self.faq_threshold,
            "faq_runner_up": self.faq_runner_up,
            "max_faqs": self.max_faqs,
            "embedder": self.embedder,
            "review_meaning": list(self.review_meaning),
            "faq_meaning": list(self.faq_meaning),
            "with_meaning": None if self.with_meaning is None else self.with_meaning.to_dict(),
        }

    def probabilities(self, features: np.ndarray, products: np.ndarray | None = None) -> np.ndarray:
        """Each candidate's probability of belonging to the answer; `products` (`meaning_products`,
        one row per candidate) adds the meaning weights of the candidate's kind."""
        logits = features @ np.asarray(self.coefficients, dtype=np.float64) + self.intercept
        if products is not None and self.review_meaning:
            if np.shape(products) != (len(features), len(self.review_meaning)):
                raise ValueError(
                    f"meaning products of shape {np.shape(products)} for {len(features)} candidates; "
                    f"the model reads {len(self.review_meaning)} dimensions (see SelectionModel.for_vectors)"
                )
            review = features[:, FEATURES.index(REVIEW)] > 0
            weights = np.where(review[:, None], self.review_meaning, self.faq_meaning)
            logits = logits + np.sum(np.asarray(products, dtype=np.float64) * weights, axis=1)
        return 1.0 / (1.0 + np.exp(-logits))


def snippet_features(
    question: str, similarity: np.ndarray, kinds: Sequence[str], texts: Sequence[str]
) -> np.ndarray:
    """One row of FEATURES per candidate snippet of the entity (see the module docstring)."""
    similarity = np.asarray(similarity, dtype=np.float64)
    count = len(similarity)
    if count == 0:
        return np.zeros((0, len(FEATURES)))
    review = np.fromiter((kind == REVIEW for kind in kinds), dtype=np.float64, count=count)
    best_of_kind = np.empty(count)
    rank = np.empty(count)
    for value in (0.0, 1.0):
        rows = np.flatnonzero(review == value)
        if rows.size:
            best_of_kind[rows] = similarity[rows].max()
            rank[rows[np.argsort(-similarity[rows], kind="stable")]] = np.arange(rows.size)
    wanted = set(tokenize(question))
    overlap = np.fromiter(
        (len(wanted & set(tokenize(text))) / len(wanted) if wanted else 0.0 for text in texts),
        dtype=np.float64,
        count=count,
    )
    return np.column_stack(
        [
            similarity,
            similarity - similarity.max(),
            similarity - best_of_kind,
            review,
            overlap,
            np.log1p(rank),
        ]
    )


def meaning_products(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Per candidate, its vector times the question's, dimension by dimension: summed, the cosine
    similarity (unit vectors); weighted, what the model learned each dimension says."""
    return np.asarray(vectors, dtype=np.float64) * np.asarray(query, dtype=np.float64)


def select(
    features: np.ndarray, model: SelectionModel, products: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """(candidate index, probability) of the selected snippets, most probable first; at least one
    when there is any candidate (the entity was asked about, so its best snippet is the best guess).
    `products` (`meaning_products`) are read only by a model with meaning weights; choose the model
    for the vectors' embedder with `SelectionModel.for_vectors`."""
    if not len(features):
        return []
    probability = model.probabilities(features, products)
    order = np.argsort(-probability, kind="stable")
    faq = model.threshold if model.faq_threshold is None else model.faq_threshold
    review = features[:, FEATURES.index(REVIEW)] > 0
    needed = np.where(review, model.threshold, faq)
    passing = [int(i) for i in order if probability[i] >= needed[i]]
    if model.max_faqs is not None:
        faqs = [i for i in passing if not review[i]][: model.max_faqs]
        passing = [i for i in passing if review[i] or i in faqs]
    kept = passing[: model.max_selected] or [int(order[0])]
    faqs_kept = sum(not review[i] for i in kept)
    if model.max_faqs is None or faqs_kept < model.max_faqs:
        kept += _faq_runner_up(order, probability, features, kept, model)
    return [(i, float(probability[i])) for i in kept]


def _faq_runner_up(
    order: np.ndarray, probability: np.ndarray, features: np.ndarray, kept: list[int], model: SelectionModel
) -> list[int]:
    """The second most probable FAQ, when the best FAQ is kept, the second is not, and it comes
    within `model.faq_runner_up` of the best's probability; else nothing."""
    if model.faq_runner_up is None:
        return []
    faqs = [int(i) for i in order if features[i, FEATURES.index(REVIEW)] == 0][:2]
    if len(faqs) < 2 or faqs[0] not in kept or faqs[1] in kept:
        return []
    return [faqs[1]] if probability[faqs[1]] >= model.faq_runner_up * probability[faqs[0]] else []
