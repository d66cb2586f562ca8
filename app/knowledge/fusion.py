"""Combining and diversifying ranked lists: weighted reciprocal rank fusion and MMR."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def reciprocal_rank_fusion(
    rankings: Sequence[tuple[float, Sequence[str]]], *, k: int
) -> list[tuple[str, float]]:
    """Fuse (weight, ids best first) lists; scores are scaled so 1.0 means first in every list.

    RRF ignores raw score scales, which differ wildly between BM25 and cosine similarity.
    """
    total = sum(weight for weight, _ in rankings) / (k + 1)
    scores: dict[str, float] = {}
    for weight, ids in rankings:
        for rank, item in enumerate(ids, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    if total <= 0:
        return []
    fused = sorted(scores.items(), key=lambda pair: -pair[1])
    return [(item, score / total) for item, score in fused]


def fuse_documents(
    rankings: Sequence[tuple[float, Sequence[tuple[str, str]]]], *, k: int
) -> list[tuple[str, float]]:
    """Weighted RRF of document rankings, given (weight, [(chunk id, doc id), best first]) lists.

    Each list counts a document once, at its best chunk; the fused list names each document by
    the chunk that ranked highest in any list. Fusing chunks instead would never add up a
    document's best chunk by meaning and its (different) best chunk by words.
    """
    representative: dict[str, tuple[int, str]] = {}  # doc id -> (best rank, chunk id)
    doc_rankings = []
    for weight, ranked in rankings:
        docs: list[str] = []
        seen: set[str] = set()
        for chunk_id, doc_id in ranked:
            if doc_id in seen:
                continue
            seen.add(doc_id)
            docs.append(doc_id)
            if doc_id not in representative or len(docs) < representative[doc_id][0]:
                representative[doc_id] = (len(docs), chunk_id)
        doc_rankings.append((weight, docs))
    return [(representative[doc][1], score) for doc, score in reciprocal_rank_fusion(doc_rankings, k=k)]


def mmr(vectors: np.ndarray, relevance: Sequence[float], *, k: int, lam: float) -> list[int]:
    """Maximal marginal relevance: indices of k rows, trading relevance against redundancy.

    Relevance is the retriever's own score rescaled to [0, 1], so MMR works in every mode.
    """
    if len(vectors) == 0:
        return []
    rel = np.asarray(relevance, dtype=np.float32)
    span = float(rel.max() - rel.min())
    rel = (rel - rel.min()) / span if span > 0 else np.ones_like(rel)
    similarity = vectors @ vectors.T
    chosen: list[int] = []
    left = list(range(len(vectors)))
    while left and len(chosen) < k:
        redundancy = similarity[np.ix_(left, chosen)].max(axis=1) if chosen else np.zeros(len(left))
        values = lam * rel[left] - (1 - lam) * redundancy
        best = left[int(np.argmax(values))]
        chosen.append(best)
        left.remove(best)
    return chosen
