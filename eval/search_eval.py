"""Retrieval-only evaluation: score knowledge-base search on a judged query set, without the agent.

For BEIR-format sets (`--dataset beir:PATH`). The corpus is ingested into a knowledge base cached
like the other importers' (`eval.kb_cache`), each query is searched at document level to depth
100 with the configured retrieval (mode, fusion weights, query focusing, embedder, chunking), and
the ranking is scored against the graded judgements: recall, precision, nDCG and MRR at 1, 5, 10
and 100, and MAP (trec_eval definitions, `eval.metrics.retrieval.score_judged`). Queries are the
units the intervals resample. A sweep over settings therefore compares embedders, chunking, fusion
weights and query focusing in seconds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from eval import stats
from eval.kb_cache import prepare_knowledge
from eval.metrics import latency, retrieval
from eval.replay import TurnRecord
from eval.report import write_outputs
from eval.samples import Collector, Samples

if TYPE_CHECKING:
    from app.settings import Settings
    from eval.datasets.loader import Dataset
    from eval.runner import EvaluationResult

CUTOFFS = (1, 5, 10, 100)
DEPTH = max(CUTOFFS)


def search_records(dataset: Dataset, settings: Settings, *, progress: bool = True) -> list[TurnRecord]:
    """Each query searched once: its document ranking, its scores, its latency."""
    kb = prepare_knowledge(dataset.knowledge, settings, progress=progress)
    qrels = dataset.qrels or {}
    records = []
    for dialogue in tqdm(dataset.dialogues, desc="search", unit="query", disable=not progress, leave=False):
        turn = dialogue.turns[0]
        started = time.perf_counter()
        hits = kb.search(turn.text, k=DEPTH, unique_docs=True)
        record = TurnRecord(
            dialogue_id=dialogue.id,
            turn_index=0,
            query=turn.text,
            context=[],
            labels=turn.labels,
            retrieved_doc_ids=[hit.doc_id for hit in hits],
            retrieved_chunk_ids=[hit.chunk_id for hit in hits],
            searched=True,
            latency_ms=(time.perf_counter() - started) * 1000,
        )
        judgements = qrels.get(dialogue.id) or dict.fromkeys(turn.labels.gold_doc_ids, 1)
        scores = retrieval.score_judged(record.retrieved_doc_ids, judgements, CUTOFFS)
        record.scores = {f"{retrieval.PREFIX}{name}": value for name, value in scores.items()}
        records.append(record)
    return records


def search_metrics(records: Sequence[TurnRecord]) -> dict[str, float]:
    """Means over the judged queries, the number of queries, and search latency percentiles."""
    names = sorted({name for record in records for name in record.scores})
    metrics = {"turns/scored": float(len(records))}
    for name in names:
        values = [record.scores[name] for record in records if name in record.scores]
        metrics[name] = sum(values) / len(values)
    metrics.update(latency.latency_metrics([record.latency_ms for record in records]))
    return metrics


def search_samples(
    records: Sequence[TurnRecord], metrics: Mapping[str, float], meta: Mapping[str, object]
) -> Samples:
    """Per-query components: every score is a mean over queries; latency percentiles over queries."""
    collector = Collector(record.dialogue_id for record in records)
    for record in records:
        collector.add("turns/scored", record.dialogue_id, 1.0)
        collector.add_value("latency_ms", record.dialogue_id, record.latency_ms)
    collector.metric("turns/scored", "total", "turns/scored")
    for name, q in (("latency/p50_ms", 50.0), ("latency/p95_ms", 95.0)):
        collector.metric(name, "percentile", "latency_ms", q=q)
    for name in metrics:
        pairs = [(record.dialogue_id, record.scores[name]) for record in records if name in record.scores]
        if pairs:
            collector.mean_of_turn_scores(name, pairs)
    return collector.build(metrics, meta)


def evaluate_search(
    dataset: Dataset, settings: Settings, output: Path, *, progress: bool = True
) -> EvaluationResult:
    """Search every query, score, and write the same files as a dialogue run."""
    from eval.runner import EvaluationResult, run_meta

    started = time.perf_counter()
    records = search_records(dataset, settings, progress=progress)
    metrics = search_metrics(records)
    samples = search_samples(records, metrics, run_meta(dataset, settings, 1))
    intervals = stats.intervals(samples, samples.estimators)
    seconds = time.perf_counter() - started
    details = {
        "dataset": f"{dataset.spec} ({dataset.name}, {len(records)} judged queries, retrieval only)",
        "fingerprint": dataset.fingerprint,
        "retrieval": f"{settings.retrieval_mode}, depth {DEPTH} documents, chunk_size={settings.chunk_size}, "
        f"embedding={settings.embedding_model}, "
        f"dense/bm25 weights {settings.dense_weight}/{settings.bm25_weight}",
        "seconds": round(seconds, 1),
    }
    paths = write_outputs(
        output,
        metrics,
        records,
        title=f"Retrieval evaluation: {dataset.name}",
        details=details,
        samples=samples,
        intervals=intervals,
    )
    return EvaluationResult(dataset, settings, metrics, records, paths, seconds, samples, intervals)
