"""Retrieval metrics: hand-computed cases, then a cross-check against ir_measures (trec_eval)."""

from __future__ import annotations

import math
import random

import ir_measures
import pytest
from ir_measures import AP, RR, P, R, Success, nDCG

from eval.metrics import retrieval
from eval.metrics.retrieval import aggregate, score_ranking


def test_hand_computed_ranking() -> None:
    # gold a, b, z; ranking a x b: relevance 1 0 1, z never retrieved.
    scores = score_ranking(["a", "x", "b"], {"a", "b", "z"})
    assert scores["hit@1"] == 1.0
    assert scores["recall@1"] == pytest.approx(1 / 3)
    assert scores["precision@1"] == 1.0
    assert scores["recall@5"] == pytest.approx(2 / 3)
    assert scores["precision@5"] == pytest.approx(2 / 5)
    assert scores["precision@10"] == pytest.approx(2 / 10)
    assert scores["mrr@10"] == 1.0
    assert scores["map"] == pytest.approx((1 / 1 + 2 / 3) / 3)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert scores["ndcg@10"] == pytest.approx((1 + 1 / math.log2(4)) / ideal)


def test_first_relevant_late() -> None:
    scores = score_ranking(["x", "y", "g"], ["g"])
    assert scores["hit@1"] == 0.0
    assert scores["hit@5"] == 1.0
    assert scores["mrr@10"] == pytest.approx(1 / 3)
    assert scores["ndcg@10"] == pytest.approx(1 / math.log2(4))
    assert scores["map"] == pytest.approx(1 / 3)


def test_relevant_beyond_cutoffs() -> None:
    ranking = [f"d{i}" for i in range(11)] + ["g"]
    scores = score_ranking(ranking, ["g"])
    assert scores["hit@10"] == 0.0
    assert scores["mrr@10"] == 0.0
    assert scores["ndcg@10"] == 0.0
    assert scores["map"] == pytest.approx(1 / 12)  # AP looks at the whole ranking


def test_duplicates_count_once_at_first_rank() -> None:
    # Three chunks of doc a: without de-duplication precision@5 would be 3/5 and recall could exceed 1.
    scores = score_ranking(["a", "a", "x", "a", "b"], ["a", "b"])
    assert scores["precision@5"] == pytest.approx(2 / 5)
    assert scores["recall@5"] == 1.0
    assert scores["map"] == pytest.approx((1 / 1 + 2 / 3) / 2)  # b moves up to rank 3


def test_query_without_gold_is_not_scored() -> None:
    assert score_ranking(["a", "b"], []) == {}
    assert retrieval.recall_at_k(["a"], [], 5) == 0.0
    assert retrieval.ndcg_at_k(["a"], []) == 0.0


def test_empty_ranking_scores_zero() -> None:
    scores = score_ranking([], ["a"])
    assert set(scores.values()) == {0.0}


def test_aggregate_means_over_scored_queries_only() -> None:
    per_query = [score_ranking(["a"], ["a"]), score_ranking(["x"], ["a"]), score_ranking(["a"], [])]
    result = aggregate(per_query)
    assert result["retrieval/hit@1"] == 0.5
    assert result["retrieval/mrr@10"] == 0.5
    assert result["retrieval/map"] == 0.5
    assert set(result) == {
        f"retrieval/{name}@{k}" for name in ("hit", "recall", "precision") for k in (1, 5, 10)
    } | {"retrieval/mrr@10", "retrieval/ndcg@10", "retrieval/map"}


def test_aggregate_of_nothing_is_empty() -> None:
    assert aggregate([]) == {}
    assert aggregate([{}, {}]) == {}


MEASURES = {
    "hit@1": Success @ 1,
    "hit@5": Success @ 5,
    "hit@10": Success @ 10,
    "precision@1": P @ 1,
    "precision@5": P @ 5,
    "precision@10": P @ 10,
    "recall@1": R @ 1,
    "recall@5": R @ 5,
    "recall@10": R @ 10,
    "mrr@10": RR @ 10,
    "ndcg@10": nDCG @ 10,
    "map": AP,
}


def _random_queries(seed: int, count: int) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    rng = random.Random(seed)
    pool = [f"d{i}" for i in range(30)]
    rankings, golds = {}, {}
    for index in range(count):
        query = f"q{index}"
        # repeats on purpose: scoring by document id sees several chunks of one document
        rankings[query] = [rng.choice(pool) for _ in range(rng.randint(1, 25))]
        golds[query] = set(rng.sample(pool, rng.randint(1, 6)))
    return rankings, golds


def test_matches_ir_measures_on_random_rankings() -> None:
    rankings, golds = _random_queries(seed=20240611, count=300)
    qrels = {query: {doc: 1 for doc in gold} for query, gold in golds.items()}
    # ir_measures ranks by score; distinct descending scores keep our order (first occurrences only).
    run = {
        query: {
            doc: float(len(ranking) - rank) for rank, doc in enumerate(retrieval.unique_in_order(ranking))
        }
        for query, ranking in rankings.items()
    }
    ours = {query: score_ranking(rankings[query], golds[query]) for query in rankings}
    compared = 0
    for metric in ir_measures.iter_calc(list(MEASURES.values()), qrels, run):
        name = next(key for key, measure in MEASURES.items() if measure == metric.measure)
        assert ours[metric.query_id][name] == pytest.approx(metric.value, abs=1e-9), (metric.query_id, name)
        compared += 1
    assert compared == len(rankings) * len(MEASURES)
    expected = ir_measures.calc_aggregate(list(MEASURES.values()), qrels, run)
    mean = aggregate(ours.values())
    for name, measure in MEASURES.items():
        assert mean[f"retrieval/{name}"] == pytest.approx(expected[measure], abs=1e-9), name
