"""Ranking quality of one retrieved list against a set of gold ids, and its mean over queries.

Definitions follow trec_eval (and so `ir_measures`, which the tests cross-check against), because
those are the numbers IR papers and dashboards quote:

- `hit@k` (trec `Success@k`): 1 if any gold id is in the top k, else 0.
- `recall@k` (`R@k`): gold ids found in the top k / number of gold ids.
- `precision@k` (`P@k`): gold ids found in the top k / k. The divisor stays k when fewer than k
  ids were retrieved (trec_eval's convention), so precision@10 of a one-gold query is at most 0.1.
- `mrr@10` (`RR@10`): 1 / rank of the first gold id within the top 10, else 0.
- `ndcg@10` (`nDCG@10`, binary gains): DCG with gain 1 and discount 1/log2(rank + 1), divided by
  the DCG of a ranking with every gold id on top.
- `map` (`AP`, whole ranking): the sum of precision@rank over the ranks that hold a gold id,
  divided by the number of gold ids (gold ids never retrieved contribute 0); `retrieval/map` is
  its mean over queries.

A ranking may repeat an id (several chunks of one document, when scoring by document id): only the
first occurrence counts, later ones are dropped before scoring, so a document cannot be "found"
twice. Queries without gold ids have no defined recall and are left out of the means.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

CUTOFFS: tuple[int, ...] = (1, 5, 10)
DEPTH = 10
PREFIX = "retrieval/"


def unique_in_order(ranked_ids: Iterable[str]) -> list[str]:
    """The ranking with repeated ids removed, keeping each id at its first (best) rank."""
    seen: set[str] = set()
    result: list[str] = []
    for doc_id in ranked_ids:
        if doc_id not in seen:
            seen.add(doc_id)
            result.append(doc_id)
    return result


def _relevance(ranked_ids: Sequence[str], gold: Collection[str]) -> list[bool]:
    return [doc_id in gold for doc_id in unique_in_order(ranked_ids)]


def hit_at_k(ranked_ids: Sequence[str], gold_ids: Collection[str], k: int) -> float:
    """1.0 when a gold id is among the first k distinct ids, else 0.0."""
    return float(any(_relevance(ranked_ids, gold_ids)[:k]))


def recall_at_k(ranked_ids: Sequence[str], gold_ids: Collection[str], k: int) -> float:
    """Share of the gold ids found among the first k distinct ids (0.0 without gold ids)."""
    gold = set(gold_ids)
    return sum(_relevance(ranked_ids, gold)[:k]) / len(gold) if gold else 0.0


def precision_at_k(ranked_ids: Sequence[str], gold_ids: Collection[str], k: int) -> float:
    """Gold ids among the first k distinct ids, divided by k (trec_eval's P@k)."""
    return sum(_relevance(ranked_ids, set(gold_ids))[:k]) / k


def reciprocal_rank(ranked_ids: Sequence[str], gold_ids: Collection[str], k: int = DEPTH) -> float:
    """1 / rank of the first gold id within the first k distinct ids, else 0.0."""
    for rank, relevant in enumerate(_relevance(ranked_ids, set(gold_ids))[:k], start=1):
        if relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked_ids: Sequence[str], gold_ids: Collection[str], k: int = DEPTH) -> float:
    """Binary-gain nDCG over the first k distinct ids (0.0 without gold ids)."""
    gold = set(gold_ids)
    if not gold:
        return 0.0
    dcg = sum(
        1.0 / math.log2(rank + 1)
        for rank, relevant in enumerate(_relevance(ranked_ids, gold)[:k], start=1)
        if relevant
    )
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(gold), k) + 1))
    return dcg / ideal


def average_precision(ranked_ids: Sequence[str], gold_ids: Collection[str]) -> float:
    """trec_eval AP over the whole ranking (0.0 without gold ids)."""
    gold = set(gold_ids)
    if not gold:
        return 0.0
    found = 0
    total = 0.0
    for rank, relevant in enumerate(_relevance(ranked_ids, gold), start=1):
        if relevant:
            found += 1
            total += found / rank
    return total / len(gold)


def graded_ndcg_at_k(ranked_ids: Sequence[str], gains: Mapping[str, float], k: int) -> float:
    """trec_eval's `ndcg_cut.k` with graded judgements: gain = relevance, discount 1/log2(rank + 1),
    divided by the DCG of the judged documents sorted by relevance (0.0 with nothing relevant)."""
    ideal_gains = sorted((gain for gain in gains.values() if gain > 0), reverse=True)[:k]
    ideal = sum(gain / math.log2(rank + 1) for rank, gain in enumerate(ideal_gains, start=1))
    if ideal == 0:
        return 0.0
    ranked = unique_in_order(ranked_ids)[:k]
    return (
        sum(max(gains.get(doc, 0.0), 0.0) / math.log2(rank + 1) for rank, doc in enumerate(ranked, 1)) / ideal
    )


Metric = Callable[[Sequence[str], Collection[str], int], float]  # (ranking, gold ids, cutoff) -> value
BINARY_AT_CUTOFFS: Mapping[str, Metric] = {
    "hit": hit_at_k,
    "recall": recall_at_k,
    "precision": precision_at_k,
}
BINARY_AT_DEPTH: Mapping[str, Metric] = {"mrr": reciprocal_rank, "ndcg": ndcg_at_k}


def at_cutoffs(
    ranked_ids: Sequence[str], gold: Collection[str], cutoffs: Iterable[int], metrics: Mapping[str, Metric]
) -> dict[str, float]:
    """`name@k` for every metric at every cutoff: the one loop both scorers below share."""
    return {f"{name}@{k}": metric(ranked_ids, gold, k) for k in cutoffs for name, metric in metrics.items()}


def score_judged(
    ranked_ids: Sequence[str], judgements: Mapping[str, float], cutoffs: Sequence[int]
) -> dict[str, float]:
    """recall/precision/nDCG (graded)/MRR at each cutoff and MAP, for one query with graded
    judgements (relevant = relevance > 0, as trec_eval); `{}` when nothing is relevant."""
    gold = {doc for doc, relevance in judgements.items() if relevance > 0}
    if not gold:
        return {}

    def graded_ndcg(ranked: Sequence[str], _gold: Collection[str], k: int) -> float:
        return graded_ndcg_at_k(ranked, judgements, k)  # the grades, not just relevant or not

    metrics = {
        "recall": recall_at_k,
        "precision": precision_at_k,
        "ndcg": graded_ndcg,
        "mrr": reciprocal_rank,
    }
    return {**at_cutoffs(ranked_ids, gold, cutoffs, metrics), "map": average_precision(ranked_ids, gold)}


def score_ranking(ranked_ids: Sequence[str], gold_ids: Iterable[str]) -> dict[str, float]:
    """Every retrieval metric for one query, keyed without prefix (`hit@1`, ..., `map`).

    Returns `{}` when the query has no gold ids: such a query has nothing to find, and
    `aggregate` leaves it out instead of counting it as a miss or a success.
    """
    gold = set(gold_ids)
    if not gold:
        return {}
    return {
        **at_cutoffs(ranked_ids, gold, CUTOFFS, BINARY_AT_CUTOFFS),
        **at_cutoffs(ranked_ids, gold, (DEPTH,), BINARY_AT_DEPTH),
        "map": average_precision(ranked_ids, gold),
    }


def aggregate(per_query: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Mean of each metric over the queries that were scored, as `retrieval/<name>`.

    Empty mappings (queries without gold ids, see `score_ranking`) are skipped. With no scored
    query at all the result is `{}`: absent, rather than a 0.0 that would read as a failure.
    """
    sums: dict[str, float] = {}
    count = 0
    for scores in per_query:
        if not scores:
            continue
        count += 1
        for name, value in scores.items():
            sums[name] = sums.get(name, 0.0) + value
    return {f"{PREFIX}{name}": total / count for name, total in sums.items()} if count else {}
