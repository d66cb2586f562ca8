"""The question memory: questions customers asked, each labelled with the articles that answered it.

Customers of one help centre ask the same things in other words ("factory reset" for "wipe it before
I sell it"), and a labelled question is better evidence of where an answer is than any article's
own wording. Search (retrieval.py `with_memory`) raises the articles of the labelled questions
closest in meaning to the customer's message (`votes`), and the offline model prefers the sentences
that say what their answers said (`answers`). A question labelled with no article is one the help
centre does not answer (a product's weight, a release date); a message very like it is declined
rather than answered from the nearest-sounding sentence (`unanswered`). The memory is a JSON-lines
file of {"question": ..., "doc_ids": [...], "answer": ...} rows, built from the training dialogues only
(`scripts/build_question_memory.py`); articles the knowledge base does not hold are ignored, so the
memory of one help centre is inert for another's articles. A question without articles belongs to
no help centre: it is read only when the memory names some of this knowledge base's articles (a
memory of unanswered questions alone is not read at all), and then all of them are.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.errors import InputError

logger = logging.getLogger(__name__)

NEIGHBOURS = 10  # labelled questions read per message, closest first
EmbedQueries = Callable[[list[str]], np.ndarray]  # many questions at once, embedded as queries


@dataclass(frozen=True)
class LabelledQuestion:
    """A customer's question, the articles that answer it (none: the help centre does not) and, when
    labelled, the answer given."""

    question: str
    doc_ids: tuple[str, ...]
    answer: str = ""

    @property
    def answered(self) -> bool:
        """Whether an article of the help centre answers the question."""
        return bool(self.doc_ids)


def read_memory(path: Path) -> list[LabelledQuestion]:
    """The labelled questions of a memory file; a malformed row is an error that names its line."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            question, doc_ids = str(row["question"]).strip(), tuple(str(doc) for doc in row["doc_ids"])
            answer = str(row.get("answer") or "").strip()
        except (ValueError, KeyError, TypeError) as exc:
            expected = '{"question": ..., "doc_ids": [...]}'
            raise InputError(f"{path}:{number}: expected {expected} ({exc})") from exc
        if question:
            rows.append(LabelledQuestion(question, doc_ids, answer))
    return rows


class QuestionMemory:
    """Labelled questions, embedded on first use in one batch (a few hundred short texts, once per
    process)."""

    def __init__(self, questions: Sequence[LabelledQuestion], embed: EmbedQueries, *, min_similarity: float):
        self.questions = list(questions)
        self.documents = frozenset(doc for row in self.questions for doc in row.doc_ids)
        self.has_unanswered = any(not row.answered for row in self.questions)
        self.min_similarity = min_similarity
        self._embed = embed
        self._matrix: np.ndarray | None = None
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls, path: Path | None, embed: EmbedQueries, *, min_similarity: float, expected: bool = True
    ) -> QuestionMemory | None:
        """The memory at `path`; None (search without it) when no path is set or the file is missing,
        which is worth a warning only when the file was `expected` (a path someone set)."""
        if path is None:
            return None
        if not path.is_file():
            log = logger.warning if expected else logger.debug
            log("question memory not found; searching without it", extra={"path": str(path)})
            return None
        return cls(read_memory(path), embed, min_similarity=min_similarity)

    def speaks_of(self, documents: Container[str]) -> bool:
        """Whether any labelled question names one of `documents` (else the memory is another help
        centre's, and nothing is embedded for it)."""
        return any(doc in documents for doc in self.documents)

    def neighbours(
        self, vector: np.ndarray, *, min_similarity: float | None = None, answered_only: bool = True
    ) -> list[tuple[LabelledQuestion, float]]:
        """The NEIGHBOURS labelled questions closest to the message `vector` that reach
        `min_similarity` (default: the memory's), closest first, each with its strength: 0 at that
        cosine, 1 for the same question. Only answered ones unless `answered_only` is False, so the
        questions without articles take no place from those that vote and hint."""
        floor = self.min_similarity if min_similarity is None else min_similarity
        matrix = self._vectors()
        if not len(matrix):
            return []
        similarity = matrix @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-similarity, kind="stable")
        closest = [i for i in order if self.questions[i].answered or not answered_only][:NEIGHBOURS]
        span = max(1.0 - floor, 1e-6)
        return [
            (self.questions[i], min(1.0, float(similarity[i] - floor) / span))
            for i in closest
            if similarity[i] >= floor
        ]

    def votes(self, vector: np.ndarray) -> dict[str, float]:
        """Each article a close labelled question names, with that question's strength (the closest
        one's). A question labelled with two articles votes for both alike: the order of a label's
        articles means nothing."""
        votes: dict[str, float] = {}
        for row, strength in self.neighbours(vector):
            for doc in row.doc_ids:
                votes[doc] = max(votes.get(doc, 0.0), strength)
        return votes

    def answers(
        self, vector: np.ndarray, *, min_similarity: float, limit: int, documents: Container[str]
    ) -> list[tuple[str, float]]:
        """The labelled answers of the `limit` closest questions at `min_similarity` or more whose
        articles are among `documents` (the knowledge base's: another help centre's answers say
        nothing about this one's sentences), with their strengths (as `neighbours`)."""
        found = self.neighbours(vector, min_similarity=min_similarity)
        ours = [(row, strength) for row, strength in found if any(doc in documents for doc in row.doc_ids)]
        return [(row.answer, strength) for row, strength in ours[:limit] if row.answer]

    def unanswered(self, vector: np.ndarray, *, min_similarity: float) -> bool:
        """Whether the labelled question closest to the message `vector` is one the help centre does
        not answer, at cosine `min_similarity` or more: the nearest labelled evidence says there is
        no article, so the nearest-sounding sentence would be a guess."""
        if not self.has_unanswered:
            return False
        closest = self.neighbours(vector, min_similarity=min_similarity, answered_only=False)[:1]
        return bool(closest) and not closest[0][0].answered

    def _vectors(self) -> np.ndarray:
        with self._lock:
            if self._matrix is None:
                questions = [row.question for row in self.questions]
                vectors = self._embed(questions) if questions else np.zeros((0, 0))
                self._matrix = np.asarray(vectors, dtype=np.float32)
            return self._matrix
