"""Latency percentiles and τ-bench pass^k against hand-computed values."""

from __future__ import annotations

import pytest

from app.errors import InputError
from eval.metrics import latency_metrics, mlflow_safe_name, pass_hat_k, pass_hat_k_metrics, task_pass_hat_k


def test_latency_percentiles_interpolate_linearly() -> None:
    # ranks 0..4: p50 at rank 2 -> 30; p95 at rank 3.8 -> 40 + 0.8 * (100 - 40) = 88
    assert latency_metrics([10, 20, 30, 40, 100]) == {
        "latency/p50_ms": pytest.approx(30.0),
        "latency/p95_ms": pytest.approx(88.0),
    }
    assert latency_metrics([7.5]) == {"latency/p50_ms": 7.5, "latency/p95_ms": 7.5}
    assert latency_metrics([]) == {}


def test_latency_rejects_bad_values() -> None:
    with pytest.raises(InputError, match="non-negative"):
        latency_metrics([10, -1])
    with pytest.raises(InputError, match="non-negative"):
        latency_metrics([float("nan")])


def test_pass_hat_k_single_task() -> None:
    # 4 replays, 3 successes: pass^1 = 3/4, pass^2 = C(3,2)/C(4,2) = 3/6, pass^3 = 1/4, pass^4 = 0
    assert [task_pass_hat_k(3, 4, k) for k in (1, 2, 3, 4)] == pytest.approx([0.75, 0.5, 0.25, 0.0])


def test_pass_hat_k_averages_over_tasks() -> None:
    results = {"a": [True, True, True, True], "b": [True, False, True, False], "c": [False] * 4}
    # pass^2: (1 + C(2,2)/C(4,2) + 0) / 3 = (1 + 1/6) / 3
    assert pass_hat_k(results, 2) == pytest.approx((1 + 1 / 6) / 3)
    metrics = pass_hat_k_metrics(results)
    assert list(metrics) == ["tasks/pass^1", "tasks/pass^2", "tasks/pass^3", "tasks/pass^4"]
    assert metrics["tasks/pass^1"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert metrics["tasks/pass^4"] == pytest.approx(1 / 3)
    assert pass_hat_k_metrics({}) == {}


def test_pass_hat_k_rejects_impossible_input() -> None:
    with pytest.raises(InputError, match="needs at least 3 replays"):
        pass_hat_k({"a": [True, True]}, 3)
    with pytest.raises(InputError, match="k must be at least 1"):
        task_pass_hat_k(1, 2, 0)
    with pytest.raises(InputError, match="impossible"):
        task_pass_hat_k(3, 2, 1)


def test_mlflow_safe_names() -> None:
    assert mlflow_safe_name("retrieval/hit@1") == "retrieval/hit_at_1"
    assert mlflow_safe_name("tasks/pass^2") == "tasks/pass_hat_2"
    assert mlflow_safe_name("answers/rouge_l") == "answers/rouge_l"
    from mlflow.utils.validation import validate_param_and_metric_name

    assert not validate_param_and_metric_name("retrieval/hit@1")  # why the translation exists
    assert validate_param_and_metric_name(mlflow_safe_name("retrieval/hit@1"))
    assert validate_param_and_metric_name(mlflow_safe_name("tasks/pass^2"))
