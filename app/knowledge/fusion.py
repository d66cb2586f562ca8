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
    rankings: Sequence[tuple[float, Sequence[tuple[str, str]]]], *, k: int, chunks_per_doc: int = 1
) -> list[tuple[str, float]]:
    """Weighted RRF of chunk rankings summed per document, given (weight, [(chunk id, doc id), best
    first]) lists; scores are scaled so 1.0 means first in every list.

    A document scores by the rank of its best chunk (its best `chunks_per_doc` chunks) among the
    list's chunks, not by its rank among the list's documents: a list that puts five chunks of
    one article first says less about the next article than "second" would. On the τ³ dev tasks
    this held on both halves of a task split (benchmarks.fusion_weights: recall@10 0.355 -> 0.364
    on the fitting half, 0.366 -> 0.371 on the validation half; MRR@10 up on both). Summing a
    document's best two chunks lifted MRR further but not recall, so one is the default. The fused
    list names each document by the chunk that ranked highest in any list. Fusing chunks instead
    would never add up a document's best chunk by meaning and its (different) best chunk by words.
    """
    total = sum(weight for weight, _ in rankings) / (k + 1)
    if total <= 0:
        return []
    representative: dict[str, tuple[int, str]] = {}  # doc id -> (best chunk rank, chunk id)
    scores: dict[str, float] = {}
    for weight, ranked in rankings:
        counted: dict[str, int] = {}
        for rank, (chunk_id, doc_id) in enumerate(ranked, start=1):
            if counted.get(doc_id, 0) >= chunks_per_doc:
                continue
            counted[doc_id] = counted.get(doc_id, 0) + 1
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank)
            if doc_id not in representative or rank < representative[doc_id][0]:
                representative[doc_id] = (rank, chunk_id)
    fused = sorted(scores.items(), key=lambda pair: -pair[1])
    return [(representative[doc][1], score / total) for doc, score in fused]


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
