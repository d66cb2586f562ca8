"""BM25 over chunk texts with bm25s, saved beside the vector store.

The index is rebuilt from the manifest's chunks whenever the manifest's version changes (a
rebuild of tens of thousands of chunks takes a second or two) and saved with that version, so
the next process loads it instead of rebuilding.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import uuid
from functools import lru_cache
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"[a-z0-9][a-z0-9]+")
_STAMP = "version.json"
# Bumped when tokenisation changes, so saved indexes are rebuilt. (Porter stemming was tried and
# cost 5 points of recall@10 on the τ³ articles: product names suffer from it.)
TOKENIZER = "words2-nostem-v3"

# bm25s's English list has 33 words and no pronouns, so "you"/"your", which fill both help
# articles and long customer requests, dominated the scores. These are NLTK's English function
# words (apostrophes dropped as the tokenizer does) less the question words, which tell FAQ
# entries apart ("how do I ..." vs "why can't I ..."; dropping them cost the demo's citation
# exact match 2 points). On τ³ banking the list took BM25 document recall@10 from 0.27
# to 0.34 and lifted the demo's retrieval MRR@10 by 0.03.
_FUNCTION_WORDS = """
i me my myself we our ours ourselves you youre youve youll youd your yours yourself yourselves he
him his himself she shes her hers herself it its itself they them their theirs themselves this that
thatll these those am is are was were be been being have has had having do does did doing an the and
but if or because as until while of at by for with about against between into through during before
after above below to from up down in out on off over under again further then once here there all
any both each few more most other some such only own same so than too very can will just don should
now ll re ve ain aren couldn didn doesn hadn hasn haven isn ma mightn mustn needn shan shouldn wasn
weren won wouldn would could might must also
"""


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN) | frozenset(_FUNCTION_WORDS.split())


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens of two or more characters, without function words."""
    stop = _stopwords()
    return [word for word in _TOKEN.findall(text.lower()) if word not in stop]


class LexicalIndex:
    """A BM25 index over rows 0..n-1 (the catalogue's chunk order)."""

    def __init__(self, model: object | None, size: int) -> None:
        self._model = model
        self.size = size
        self._rows_matrix = None

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        import bm25s

        if not texts:
            return cls(None, 0)
        model = bm25s.BM25()
        model.index([tokenize(t) for t in texts], show_progress=False)
        return cls(model, len(texts))

    def scores(self, query: str, mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every row (0 where the row does not match or is masked out)."""
        tokens = tokenize(query)
        if self._model is None or not tokens:
            return np.zeros(self.size, dtype=np.float32)
        ids = self._model.get_tokens_ids(tokens)
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        scores = np.asarray(self._model.get_scores_from_ids(ids), dtype=np.float32)
        return scores * mask if mask is not None else scores

    def best_scores(self, texts: list[str], rows: np.ndarray | None = None) -> np.ndarray:
        """For each text, the highest BM25 score it reaches on any row (or on `rows` only).

        How well the corpus answers a sentence: one sparse product over the postings of the
        texts' words. Restricted to a long request's own candidate rows it costs well under a
        millisecond even on tens of thousands of chunks.
        """
        if self._model is None or not texts or (rows is not None and not len(rows)):
            return np.zeros(len(texts), dtype=np.float32)
        from scipy.sparse import csr_matrix

        by_row = self._by_row()
        vocab = self._model.vocab_dict
        text_rows, words = [], []
        for index, text in enumerate(texts):
            ids = [vocab[token] for token in tokenize(text) if token in vocab]
            text_rows.extend([index] * len(ids))
            words.extend(ids)
        counts = csr_matrix(
            (np.ones(len(words), dtype=np.float32), (text_rows, words)), shape=(len(texts), by_row.shape[1])
        )
        chosen = by_row if rows is None else by_row[np.asarray(rows)]
        return np.asarray((counts @ chosen.T).max(axis=1).toarray(), dtype=np.float32).ravel()

    def _by_row(self):
        """The BM25 score matrix as rows x vocabulary (bm25s keeps it word-major), built once."""
        if self._rows_matrix is None:
            from scipy.sparse import csr_matrix

            stored = self._model.scores
            by_word = csr_matrix(
                (stored["data"], stored["indices"], stored["indptr"]),
                shape=(len(stored["indptr"]) - 1, self.size),
            )
            self._rows_matrix = by_word.T.tocsr()
        return self._rows_matrix

    def top(self, query: str, n: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The n best rows with a positive score, best first."""
        scores = self.scores(query, mask)
        if n <= 0 or not scores.size:
            return []
        n = min(n, scores.size)
        best = np.argpartition(-scores, n - 1)[:n]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(row), float(scores[row])) for row in best if scores[row] > 0]

    def save(self, folder: Path, version: str) -> bool:
        """Write the index and the manifest version it reflects, replacing the old one; False when
        it could not be saved (the next process rebuilds it: saving is an optimisation).

        Several workers sharing a data folder rebuild the same version at the same moment after
        an ingestion: each writes its own temporary folder, and whoever renames it last wins.
        """
        tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        try:
            tmp.mkdir(parents=True)
            if self._model is not None:
                self._model.save(str(tmp), show_progress=False)
            stamp = {"version": version, "tokenizer": TOKENIZER, "size": self.size}
            (tmp / _STAMP).write_text(json.dumps(stamp))
            shutil.rmtree(folder, ignore_errors=True)
            tmp.rename(folder)
            return True
        except OSError as exc:
            logger.warning("BM25 index not saved", extra={"path": str(folder), "error": str(exc)})
            return False
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path, version: str) -> LexicalIndex | None:
        """The saved index if it reflects `version`, else None."""
        try:
            stamp = json.loads((folder / _STAMP).read_text())
        except (OSError, ValueError):
            return None
        if stamp.get("version") != version or stamp.get("tokenizer") != TOKENIZER:
            return None
        if stamp.get("size", 0) == 0:
            return cls(None, 0)
        import bm25s

        try:
            return cls(bm25s.BM25.load(str(folder)), int(stamp["size"]))
        except Exception:
            logger.warning("saved BM25 index unreadable; rebuilding", extra={"path": str(folder)})
            return None
