"""Assemble a run's metrics from the pure functions in `eval.metrics`, and each turn's own scores.

The metric modules define what a number means; this module only decides which turns feed which
metric (a turn without a label is left out rather than counted as a miss) and names the per-turn
scores the report sorts on.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from app.asyncutil import run_sync
from app.protocol import without_citations
from eval.metrics import answers, dstc, facts, latency, passk, retrieval, routing
from eval.replay import TurnRecord
from eval.samples import Collector, Samples

if TYPE_CHECKING:
    from app.settings import Settings

logger = logging.getLogger(__name__)

CHUNK_PREFIX = "retrieval/chunk_"
SCORER_VERSION = "2"
"""Bump when a metric's definition changes: `compare` and the gate refuse to pair runs scored by
different versions (version 2: per-dialogue samples for intervals)."""


def score_records(
    records: Sequence[TurnRecord],
    settings: Settings,
    *,
    repeats: int = 1,
    embedder: Any | None = None,
    reference_texts: Callable[[TurnRecord], list[str]] | None = None,
    cited_texts: Callable[[TurnRecord], list[str]] | None = None,
) -> dict[str, float]:
    """Fill each record's `scores` and return the run's flat metric dictionary.

    `embedder` enables `answers/semantic_similarity`; `reference_texts` gives a turn's gold passages
    for the ragas context metrics; `cited_texts` the text of the articles a reply cites (default:
    the retrieved passages it cites), which may back the numbers it states.
    """
    scored = [record for record in records if record.error is None]
    metrics: dict[str, float] = {
        "turns/scored": float(len(scored)),
        "turns/errors": float(len(records) - len(scored)),
    }
    metrics.update(retrieval_metrics(scored))
    metrics.update(routing_metrics(scored))
    metrics.update(selection_and_generation(scored))
    metrics.update(tracking_metrics(scored))
    metrics.update(answer_metrics(scored, settings, embedder, reference_texts, cited_texts))
    metrics.update(latency.latency_metrics([record.latency_ms for record in scored]))
    metrics.update(passk.pass_hat_k_metrics(task_outcomes(records, repeats)))
    return metrics


def retrieval_metrics(records: Sequence[TurnRecord]) -> dict[str, float]:
    """Doc-level scores against gold_doc_ids; chunk-level (`retrieval/chunk_*`) against gold_chunk_ids."""
    doc_level, chunk_level = [], []
    for record in records:
        doc_scores = retrieval.score_ranking(record.retrieved_doc_ids, record.labels.gold_doc_ids)
        chunk_scores = retrieval.score_ranking(record.retrieved_chunk_ids, record.labels.gold_chunk_ids)
        record.scores.update(
            {
                f"retrieval/{name}": value
                for name, value in doc_scores.items()
                if name in ("recall@5", "mrr@10")
            }
        )
        doc_level.append(doc_scores)
        chunk_level.append(chunk_scores)
    chunk = {
        name.replace(retrieval.PREFIX, CHUNK_PREFIX, 1): value
        for name, value in retrieval.aggregate(chunk_level).items()
    }
    return {**retrieval.aggregate(doc_level), **chunk}


def routing_metrics(records: Sequence[TurnRecord]) -> dict[str, float]:
    """Detection (searched when knowledge was needed), escalation and expected tool calls."""
    needs = [record.labels.needs_knowledge for record in records]
    expect = [record.labels.expect_escalation for record in records]
    expected_tools = [[tool.model_dump() for tool in record.labels.expected_tools] for record in records]
    for record, tools in zip(records, expected_tools, strict=True):
        record.scores.update(turn_routing(record, tools))
    return {
        **routing.detection_scores(needs, [record.searched for record in records]),
        **routing.escalation_scores(expect, [record.escalated for record in records]),
        **routing.tool_accuracy(expected_tools, [record.tool_calls for record in records]),
    }


def turn_routing(record: TurnRecord, expected_tools: list[dict[str, Any]]) -> dict[str, float]:
    """0/1 per labelled decision of one turn: the per-turn view of the routing metrics."""
    scores: dict[str, float] = {}
    if record.labels.needs_knowledge is not None:
        scores["detection/correct"] = float(record.searched == record.labels.needs_knowledge)
    if record.labels.expect_escalation is not None:
        scores["escalation/correct"] = float(record.escalated == record.labels.expect_escalation)
    if expected_tools:
        scores["tools/correct"] = float(routing.turn_tools_ok(expected_tools, record.tool_calls))
    return scores


def selection_and_generation(records: Sequence[TurnRecord]) -> dict[str, float]:
    """DSTC-style knowledge selection (cited docs vs gold docs) and generation (answer vs reference).

    Only turns labelled with `needs_knowledge` take part, as in the official scorer; generation is
    reported only when the knowledge-seeking turns carry reference answers.
    """
    labelled = [record for record in records if record.labels.needs_knowledge is not None]
    if not labelled:
        return {}
    for record in labelled:
        _score_selection(record)
    scores = dstc.score_dstc([_reference(r) for r in labelled], [_prediction(r) for r in labelled], prefix="")
    selection = {name: value for name, value in scores.items() if name.startswith("selection/")}
    with_reference = [r for r in labelled if not r.labels.needs_knowledge or r.labels.reference is not None]
    if not any(r.labels.needs_knowledge and r.labels.reference is not None for r in with_reference):
        return selection
    if len(with_reference) != len(labelled):
        scores = dstc.score_dstc(
            [_reference(r) for r in with_reference], [_prediction(r) for r in with_reference], prefix=""
        )
    generation = {name: value for name, value in scores.items() if name.startswith("generation/")}
    return {**selection, **generation}


TRACKING = "tracking/accuracy"


def tracking_metrics(records: Sequence[TurnRecord]) -> dict[str, float]:
    """Entity-tracking accuracy over the knowledge turns whose gold documents belong to one entity
    (or to none, domain-wide): did search focus on that entity (on none)? Absent when no turn has a
    gold entity (a knowledge base without entities)."""
    judged = [r for r in records if r.gold_entity is not None and r.labels.needs_knowledge]
    if not any(r.gold_entity for r in judged):
        return {}
    for record in judged:
        record.scores[TRACKING] = float(record.tracked_entity == record.gold_entity)
    return {TRACKING: sum(r.scores[TRACKING] for r in judged) / len(judged)}


def _score_selection(record: TurnRecord) -> None:
    gold = record.labels.gold_doc_ids
    if not gold and not record.selected_doc_ids:
        return
    tp, fp, fn, _ = dstc.match_knowledge(gold, record.selected_doc_ids)
    record.scores["selection/f1"] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _reference(record: TurnRecord) -> dict[str, Any]:
    labels = record.labels
    return {
        "target": bool(labels.needs_knowledge),
        "knowledge": list(labels.gold_doc_ids),
        "response": labels.reference or "",
    }


def _prediction(record: TurnRecord) -> dict[str, Any]:
    """The turn in DSTC's prediction format; the reply as prose, since references carry no `[n]`."""
    return {
        "target": record.searched,
        "knowledge": list(record.selected_doc_ids),
        "response": without_citations(record.response),
    }


def answer_metrics(
    records: Sequence[TurnRecord],
    settings: Settings,
    embedder: Any | None = None,
    reference_texts: Callable[[TurnRecord], list[str]] | None = None,
    cited_texts: Callable[[TurnRecord], list[str]] | None = None,
) -> dict[str, float]:
    """RAGAS answer metrics: `answers/*` without an LLM; `judge/*` too when settings name a judge.
    Plus the key-fact scores and the reply length (`eval.metrics.facts`), whose numbers may come
    from the reference, the passages the reply cites, or what the agent was told (`told_texts`).

    Each record's own values go into its `scores`; the run totals are their means (and the median
    reply length), not a second pass.
    """
    samples = [
        answers.AnswerSample(
            question=record.query,
            response=without_citations(record.response),
            reference=record.labels.reference,
            retrieved_contexts=record.retrieved_texts,
            reference_contexts=reference_texts(record) if reference_texts else (),
            tool_calls=record.tool_calls,
            expected_tools=[tool.model_dump() for tool in record.labels.expected_tools],
        )
        for record in records
    ]
    if not samples:
        return {}
    judge = answers.JudgeConfig.from_settings(settings)
    per_turn = run_sync(answers.aevaluate_samples(samples, judge=judge, embedder=embedder))
    for record, sample, scores in zip(records, samples, per_turn, strict=True):
        cited = cited_texts(record) if cited_texts else record.cited_texts
        scores.update(facts.fact_scores(sample.reference, sample.response, [*cited, *record.told_texts]))
        record.scores.update(scores)
    return {**answers.mean_scores(per_turn), **facts.median_words(per_turn)}


def turn_passed(record: TurnRecord) -> bool:
    """A turn passes when nothing went wrong and every labelled decision was right."""
    if record.error is not None:
        return False
    return all(
        record.scores.get(name, 1.0) == 1.0
        for name in ("detection/correct", "escalation/correct", "tools/correct")
    )


def task_outcomes(records: Sequence[TurnRecord], repeats: int) -> dict[str, list[bool]]:
    """Dialogue id → success of each replay (a dialogue succeeds when all its turns pass)."""
    by_run: dict[tuple[str, int], bool] = defaultdict(lambda: True)
    for record in records:
        key = (record.dialogue_id, record.repeat)
        by_run[key] = by_run[key] and turn_passed(record)
    outcomes: dict[str, list[bool]] = defaultdict(list)
    for (dialogue_id, _repeat), passed in sorted(by_run.items()):
        outcomes[dialogue_id].append(passed)
    return dict(outcomes)


# --- per-dialogue samples (intervals, compare, gate) ----------------------------------------------


def collect_samples(
    records: Sequence[TurnRecord],
    metrics: Mapping[str, float],
    *,
    repeats: int = 1,
    meta: Mapping[str, Any] | None = None,
) -> Samples:
    """Per-dialogue components of `metrics`, after `score_records` filled the records' scores.

    Mirrors which turns feed which metric above; `Collector.build` drops any estimator that does
    not reproduce its metric, and every metric not named here falls back to the mean of the
    per-turn scores of the same name.
    """
    collector = Collector(record.dialogue_id for record in records)
    scored = [record for record in records if record.error is None]
    for record in records:
        collector.add("turns/scored", record.dialogue_id, record.error is None)
        collector.add("turns/errors", record.dialogue_id, record.error is not None)
    collector.metric("turns/scored", "total", "turns/scored")
    collector.metric("turns/errors", "total", "turns/errors")
    _collect_retrieval(collector, scored)
    _collect_routing(collector, scored)
    _collect_dstc(collector, scored, metrics)
    for record in scored:
        collector.add_value("latency_ms", record.dialogue_id, record.latency_ms)
    for name, q in (("latency/p50_ms", 50.0), ("latency/p95_ms", 95.0)):
        collector.metric(name, "percentile", "latency_ms", q=q)
    for record in scored:
        if facts.REPLY_WORDS in record.scores:
            collector.add_value(facts.REPLY_WORDS, record.dialogue_id, record.scores[facts.REPLY_WORDS])
    collector.metric(facts.REPLY_WORDS_MEDIAN, "percentile", facts.REPLY_WORDS, q=50.0)  # the median
    _collect_tasks(collector, records, repeats, metrics)
    for name in metrics:
        if name not in collector.estimators:
            pairs = [(r.dialogue_id, r.scores[name]) for r in scored if name in r.scores]
            if pairs:
                collector.mean_of_turn_scores(name, pairs)
    return collector.build(metrics, meta)


def _collect_retrieval(collector: Collector, records: Sequence[TurnRecord]) -> None:
    for record in records:
        for prefix, ranked, gold in (
            (retrieval.PREFIX, record.retrieved_doc_ids, record.labels.gold_doc_ids),
            (CHUNK_PREFIX, record.retrieved_chunk_ids, record.labels.gold_chunk_ids),
        ):
            scores = retrieval.score_ranking(ranked, gold)
            if scores:
                collector.add(f"{prefix}:count", record.dialogue_id, 1.0)
            for name, value in scores.items():
                collector.add(f"{prefix}{name}:sum", record.dialogue_id, value)
                collector.metric(f"{prefix}{name}", "mean", f"{prefix}{name}:sum", f"{prefix}:count")


def _collect_routing(collector: Collector, records: Sequence[TurnRecord]) -> None:
    for family, label, decision in (
        ("detection", lambda r: r.labels.needs_knowledge, lambda r: r.searched),
        ("escalation", lambda r: r.labels.expect_escalation, lambda r: r.escalated),
    ):
        for record in records:
            counts = routing.confusion([label(record)], [decision(record)])
            for name in ("tp", "fp", "fn"):
                collector.add(f"{family}:{name}", record.dialogue_id, getattr(counts, name))
        for name in ("precision", "recall", "f1"):
            collector.metric(
                f"{family}/{name}", f"binary_{name}", *(f"{family}:{n}" for n in ("tp", "fp", "fn"))
            )
    collector.mean_of_turn_scores(
        "tools/accuracy",
        [(r.dialogue_id, r.scores["tools/correct"]) for r in records if "tools/correct" in r.scores],
    )


def _collect_dstc(collector: Collector, records: Sequence[TurnRecord], metrics: Mapping[str, float]) -> None:
    """Selection over the knowledge-labelled turns, generation over those with references (as scored)."""
    labelled = [record for record in records if record.labels.needs_knowledge is not None]
    for record in labelled:
        counts = dstc.instance_counts(_reference(record), _prediction(record))
        for name in ("tp", "fp", "fn"):
            collector.add(f"selection:{name}", record.dialogue_id, getattr(counts, f"selection_{name}"))
        collector.add("selection:exact", record.dialogue_id, counts.selection_exact)
        collector.add("selection:total", record.dialogue_id, counts.selection_total)
    selection = ("selection:tp", "selection:tp", "selection:fp", "selection:fn")
    for name in ("precision", "recall", "f1"):
        collector.metric(f"selection/{name}", f"scored_{name}", *selection)
    collector.metric("selection/em", "ratio", "selection:exact", "selection:total")
    if not any(name.startswith("generation/") for name in metrics):
        return
    with_reference = [r for r in labelled if not r.labels.needs_knowledge or r.labels.reference is not None]
    pairs = []
    for record in with_reference:
        reference, prediction = _reference(record), _prediction(record)
        counts = dstc.instance_counts(reference, prediction)
        for name in ("tp", "fp", "fn"):
            collector.add(f"generation:{name}", record.dialogue_id, getattr(counts, f"detection_{name}"))
        if counts.detection_tp:
            pairs.append((record.dialogue_id, prediction["response"], reference["response"]))
    _collect_generation(collector, pairs)


def _collect_generation(collector: Collector, pairs: Sequence[tuple[str, str, str]]) -> None:
    units = [unit for unit, _, _ in pairs]
    hypotheses, references = [hyp for _, hyp, _ in pairs], [ref for _, _, ref in pairs]
    for unit, scores in zip(units, dstc.rouge_pairs(hypotheses, references), strict=True):
        for name, value in scores.items():
            collector.add(f"generation:{name}", unit, value)
    for unit, hyp, ref in pairs:
        collector.add("generation:meteor", unit, dstc.sentence_meteor(hyp, ref))
    bleu_columns = [f"generation:bleu_{i}" for i in range(dstc.BLEU_STATISTICS)]
    for unit, statistics in zip(units, dstc.bleu_statistics(hypotheses, references), strict=True):
        for column, value in zip(bleu_columns, statistics, strict=True):
            collector.add(column, unit, value)
    counts = ("generation:tp", "generation:fp", "generation:fn")
    for metric, column in (
        ("rouge_1", "rouge1"),
        ("rouge_2", "rouge2"),
        ("rouge_l", "rougeL"),
        ("meteor", "meteor"),
    ):
        collector.metric(f"generation/{metric}", "scored_f1", f"generation:{column}", *counts)
    collector.metric("generation/bleu", "bleu_f1", *bleu_columns, *counts)


def _collect_tasks(
    collector: Collector, records: Sequence[TurnRecord], repeats: int, metrics: Mapping[str, float]
) -> None:
    outcomes = task_outcomes(records, repeats)
    for name in metrics:
        if not name.startswith(passk.PREFIX + "pass^"):
            continue
        k = int(name.removeprefix(passk.PREFIX + "pass^"))
        for dialogue_id, runs in outcomes.items():
            collector.add(f"{name}:sum", dialogue_id, passk.task_pass_hat_k(sum(runs), len(runs), k))
            collector.add("tasks:count", dialogue_id, 1.0)
        collector.metric(name, "mean", f"{name}:sum", "tasks:count")
