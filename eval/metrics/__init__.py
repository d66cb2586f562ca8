"""Evaluation metrics: pure functions from turn outcomes and labels to `{name: float}`.

Every function returns a flat dict of means keyed `family/metric`; a metric that applies to no turn
is left out (not 0.0), so a dashboard never mistakes "not measured" for "failed". Each module's
docstring says which definition it uses and why. The harness calls:

Retrieval (`eval.metrics.retrieval`, trec_eval definitions, checked against ir_measures)
    score_ranking(ranked_ids, gold_ids) -> {"hit@1", ..., "recall@5", "precision@10", "mrr@10", "map"}
        one query; `{}` when it has no gold ids. Repeated ids count once, at their first rank.
    aggregate(per_query) -> {"retrieval/hit@1", ..., "retrieval/map"}   mean over scored queries

Routing (`eval.metrics.routing`; labels of None are skipped; empty denominators: see module)
    detection_scores(needs_knowledge, searched)   -> detection/precision|recall|f1
    escalation_scores(expected, escalated)        -> escalation/precision|recall|f1
    tool_accuracy(expected_per_turn, actual_per_turn) -> tools/accuracy
        calls are mappings {name, arguments} or objects with .name/.arguments;
        expected arguments are a subset, strings compared case-insensitively.
    searched(calls) -> bool                       did a turn call search_knowledge_base

DSTC11 Track 5 (`eval.metrics.dstc`, the official scorer's definitions; METEOR approximated)
    score_dstc(references, predictions, prefix="dstc/") -> dstc/detection/precision|recall|f1,
        dstc/selection/precision|recall|f1|em, dstc/generation/bleu|meteor|rouge_1|rouge_2|rouge_l
        inputs in the official label format {"target", "knowledge": [...], "response"}.

Answers (`eval.metrics.answers`, ragas 0.4.3; ragas is imported on first use)
    AnswerSample(question, response, reference, retrieved_contexts, reference_contexts,
                 tool_calls, expected_tools)
    await ascore_samples(samples, embedder=None) -> per sample: answers/context_recall,
        answers/context_precision, answers/rouge_l, answers/bleu, answers/string_similarity,
        answers/semantic_similarity (with an embedder), answers/tool_call_accuracy
    JudgeConfig.from_settings(settings) -> JudgeConfig | None
    await ajudge_samples(samples, judge, embedder=None) -> per sample: judge/faithfulness,
        judge/response_relevancy (with an embedder), judge/context_recall, judge/factual_correctness
    await aevaluate_samples(samples, judge=None, embedder=None) -> per sample: both of the above
    mean_scores(per_sample) -> the run totals (each metric's mean over the samples that carry it)
    ragas_embeddings(embedder) -> a ragas BaseRagasEmbedding over anything with
        embed_query/embed_documents returning numpy arrays.

Latency and consistency (re-exported here)
    latency_metrics(latencies_ms) -> latency/p50_ms, latency/p95_ms   (linear interpolation)
    pass_hat_k(results, k) -> float       τ-bench pass^k: mean over tasks of C(c, k) / C(n, k)
    pass_hat_k_metrics(results, ks=None) -> tasks/pass^1, tasks/pass^2, ...

MLflow accepts only letters, digits, `_ - . / :` and spaces in metric names, so `@` and `^` must be
translated when logging: `mlflow_safe_name("retrieval/hit@1") == "retrieval/hit_at_1"`,
`mlflow_safe_name("tasks/pass^2") == "tasks/pass_hat_2"`. Reports and baselines keep the
canonical names.

Bad input (length mismatches, malformed tool calls or snippets, impossible counts) raises
`app.errors.InputError` with a message naming the problem.
"""

from __future__ import annotations

from eval.metrics.latency import latency_metrics, percentile
from eval.metrics.passk import pass_hat_k, pass_hat_k_metrics, task_pass_hat_k

_MLFLOW_REPLACEMENTS = {"@": "_at_", "^": "_hat_"}


def mlflow_safe_name(name: str) -> str:
    """The metric name with the characters MLflow rejects spelt out (`@` → `_at_`, `^` → `_hat_`)."""
    for char, replacement in _MLFLOW_REPLACEMENTS.items():
        name = name.replace(char, replacement)
    return name


__all__ = [
    "latency_metrics",
    "mlflow_safe_name",
    "pass_hat_k",
    "pass_hat_k_metrics",
    "percentile",
    "task_pass_hat_k",
]
