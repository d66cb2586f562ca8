"""The questions the knowledge base itself answers, as a second signal for knowledge-turn detection.

A knowledge base of FAQ documents (DSTC10: per hotel or restaurant, "Do you have onsite parking?"
with its answer) says by its own questions which messages it can serve. The intent classifier,
trained on other corpora, misses many of them: in DSTC11 parking is a database attribute and a
booking question, in DSTC10 an FAQ. So the message is matched against the knowledge base's own
questions - document first lines and section headings that are questions - and a close match
reads as a question for the knowledge base (`offline_detection.with_known_question`), unless the
classifier reads it as a transaction (`offline_detection.is_transaction`). The cosine it takes is
calibrated by `offline_train.calibrate_question_match` on out-of-fold readings of the fitted halves
of the public slices, never on the halves the router's figures are reported on.

All the questions, not only those of the entity the dialogue names: on DSTC10 `val_dev` the best
cosine to the named entity's questions and the domain-wide ones separated knowledge turns with
ROC AUC 0.73 (held-out half) and 0.81 (fitted half), to all the questions 0.86 and 0.88 - an
entity's few FAQs word a question one way, the whole corpus words it many ways, and what is asked
is a kind of question the corpus answers. (On DSTC11 `val_dev` either is near chance, 0.49 to
0.61: there the classifier decides, and the match must not outvote it.)

The index is built when the provider gets ready (`prepare`), from the knowledge base's chunks,
with vectors from the persistent embedding cache the answer warm-up fills; a turn costs one
matrix-vector product over the questions, on the message vector the classifier already computed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

_MAX_QUESTION_CHARS = 200


def is_question(line: str) -> bool:
    """A title, heading or first line that asks something: ends with a question mark."""
    line = line.strip()
    return 3 < len(line) <= _MAX_QUESTION_CHARS and line.endswith("?")


def asked_in(text: str, headings: Iterable[str] = ()) -> list[str]:
    """The questions a document or chunk answers: its first line (an FAQ's question) and its
    headings, those that are questions."""
    first = text.strip().split("\n", 1)[0] if text.strip() else ""
    return [line.strip() for line in dict.fromkeys([first, *headings]) if is_question(line)]


@dataclass(frozen=True)
class QuestionIndex:
    """Unit vectors of the knowledge base's distinct questions."""

    vectors: np.ndarray  # (n, d), unit rows

    @classmethod
    def build(
        cls, questions: Iterable[str], embed: Callable[[list[str]], np.ndarray]
    ) -> QuestionIndex | None:
        """The index of the distinct questions; None when the knowledge base asks none."""
        unique = list(dict.fromkeys(" ".join(question.split()) for question in questions))
        if not unique:
            return None
        vectors = np.asarray(embed(unique), dtype=np.float32)
        return cls(vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12))

    def __len__(self) -> int:
        return len(self.vectors)

    def similarity(self, vector: np.ndarray) -> float:
        """The best cosine between a message vector and the questions."""
        norm = float(np.linalg.norm(vector)) or 1.0
        return float(np.max(self.vectors @ (np.asarray(vector, dtype=np.float32) / norm)))
