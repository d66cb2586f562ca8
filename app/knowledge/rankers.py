"""One ranker per retrieval mode: each turns a query into (chunk id, score) pairs, best first.

`dense` asks Chroma by meaning, `bm25` asks the catalogue's BM25 index by words, and `hybrid`
fuses the two with weighted reciprocal rank fusion (fusion.py). The search pipeline
(retrieval.py) picks one by the mode's name and never branches on the name again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

import numpy as np

from app.knowledge.catalog import Catalog
from app.knowledge.focus import focus
from app.knowledge.fusion import fuse_documents, reciprocal_rank_fusion
from app.knowledge.query import WeightedTexts
from app.knowledge.vectorstore import ChromaStore
from app.settings import Settings

FOCUS_POOL = 200  # BM25 candidates a long query's sentences are scored against (see focus.py)
Ranked = list[tuple[str, float]]  # (chunk id, score), best first
Rows = list[tuple[int, float]]  # (catalogue row, BM25 score), best first
EmbedQuery = Callable[[str], np.ndarray]


@dataclass(frozen=True)
class Query:
    """What a ranker reads: one catalogue snapshot, the query text, a metadata filter, how many.

    per_doc: the caller keeps one chunk per document, so a ranker that fuses rankings fuses
    per document (each scored by its best chunk's rank) instead of per chunk.
    parts: the dialogue turns `text` joins, weighted (query.query_parts); the dense ranker embeds
    them one by one and averages, since one embedding of the joined turns follows the longest.
    Empty: `text` is embedded as it is.
    """

    catalog: Catalog
    text: str
    where: dict | None
    n: int
    per_doc: bool = False
    parts: WeightedTexts = ()


class Ranker(Protocol):
    """Ranks the chunks the filter keeps for one query."""

    reads_meaning: bool  # whether it embeds the query (a words-only ranking loads no model)

    def rank(self, query: Query) -> Ranked: ...


def lexical_rows(query: Query, wanted: int) -> Rows:
    """BM25's best `wanted` rows among the chunks the filter keeps."""
    return query.catalog.lexical.top(query.text, wanted, query.catalog.mask(query.where))


def _chunk_ids(catalog: Catalog, rows: Rows) -> Ranked:
    return [(catalog.chunks[row].chunk_id, score) for row, score in rows]


class Bm25Ranker:
    """Words alone: exact terms (product names, error codes) that embeddings blur; no model needed."""

    reads_meaning = False

    def rank(self, query: Query) -> Ranked:
        return _chunk_ids(query.catalog, lexical_rows(query, query.n))


@dataclass(frozen=True)
class DenseRanker:
    """Meaning: cosine similarity in Chroma between the query's embedding and each chunk's.

    budget: the characters of a query the model reads. MiniLM reads 256 tokens and costs about
    0.2 ms per token on two cores, so a customer's whole story is neither read whole nor cheap: a
    longer query is first focused on the sentences that best match BM25's candidates for the whole
    request (focus.py). Averaging the embeddings of every window (the first approach) read it all
    but cost 200+ ms for the longest τ³ requests; the focused window ranks as well (τ³ hybrid
    document recall@10 0.361 at 600 characters, 0.372 at 800, 0.351 before).
    """

    store: ChromaStore
    embed_query: EmbedQuery
    budget: int
    reads_meaning = True

    def is_long(self, text: str) -> bool:
        """Whether the query must be focused before it is embedded (it needs BM25's candidates)."""
        return len(text) > self.budget

    def rank(self, query: Query, candidates: Rows | None = None) -> Ranked:
        """candidates: BM25's rows for the whole query, when the caller has them already."""
        if candidates is None and self.is_long(query.text):
            candidates = lexical_rows(query, max(query.n, FOCUS_POOL))
        rows = np.fromiter((row for row, _ in candidates or ()), dtype=np.int64)
        vector = self._vector(query, rows)
        hits = self.store.query(vector, query.n, query.where)
        return [(cid, score) for cid, score in hits if cid in query.catalog.rows]  # committed chunks only

    def _vector(self, query: Query, rows: np.ndarray) -> np.ndarray:
        """The query's embedding: of its text, or the weighted mean of its parts' embeddings
        (renormalised, so cosine scores keep their scale)."""
        if len(query.parts) <= 1:
            return self.embed_query(self._focused(query.catalog, query.text, rows))
        total = sum(
            weight * np.asarray(self.embed_query(self._focused(query.catalog, text, rows)), dtype=np.float32)
            for weight, text in query.parts
        )
        norm = float(np.linalg.norm(total))
        return total / norm if norm > 0 else total

    def _focused(self, catalog: Catalog, text: str, rows: np.ndarray) -> str:
        """The text the model reads: the query itself, or its most answerable sentences."""
        if not self.is_long(text):
            return text
        return focus(text, budget=self.budget, best_scores=partial(catalog.lexical.best_scores, rows=rows))


@dataclass(frozen=True)
class HybridRanker:
    """Meaning and words, fused by weighted reciprocal rank fusion (their score scales differ)."""

    dense: DenseRanker
    dense_weight: float
    bm25_weight: float
    rrf_k: int
    reads_meaning = True

    def rank(self, query: Query) -> Ranked:
        """BM25 first: a long query is embedded focused on BM25's candidates (DenseRanker)."""
        wanted = max(query.n, FOCUS_POOL) if self.dense.is_long(query.text) else query.n
        rows = lexical_rows(query, wanted)
        lexical = _chunk_ids(query.catalog, rows[: query.n])
        dense = self.dense.rank(query, rows)
        weighted = [(self.dense_weight, dense), (self.bm25_weight, lexical)]
        if query.per_doc:
            return self._fuse_documents(query.catalog, weighted)[: query.n]
        ids = [(weight, [cid for cid, _ in ranked]) for weight, ranked in weighted]
        return reciprocal_rank_fusion(ids, k=self.rrf_k)[: query.n]

    def _fuse_documents(self, catalog: Catalog, weighted: list[tuple[float, Ranked]]) -> Ranked:
        """Fuse per document: a document's best chunk by meaning and its best chunk by words are
        often different chunks, which chunk-level fusion would never add up (τ³ document
        recall@10 +0.01); each counts at its rank among the list's chunks (fusion.fuse_documents)."""
        by_doc = [
            (weight, [(cid, catalog.chunks[catalog.rows[cid]].doc_id) for cid, _ in ranked])
            for weight, ranked in weighted
        ]
        return fuse_documents(by_doc, k=self.rrf_k)


def build_rankers(settings: Settings, store: ChromaStore, embed_query: EmbedQuery) -> dict[str, Ranker]:
    """The ranker of each mode, by the mode's name (the names `settings.retrieval_mode` takes)."""
    dense = DenseRanker(store, embed_query, settings.query_embed_chars)
    hybrid = HybridRanker(dense, settings.dense_weight, settings.bm25_weight, settings.rrf_k)
    return {"dense": dense, "bm25": Bm25Ranker(), "hybrid": hybrid}
