"""Pure parts of tracking: MLflow metric names, grid files, ranking."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import ConfigError, InputError
from eval.tracking import choose_metric, mlflow_metric_name, rank_rows, read_sweep_spec


def test_metric_names_are_mapped_consistently_for_mlflow() -> None:
    assert mlflow_metric_name("retrieval/recall@5") == "retrieval/recall_at_5"
    assert mlflow_metric_name("tasks/pass^2") == "tasks/pass_hat_2"
    assert mlflow_metric_name("odd/name(x)") == "odd/name_x_"
    assert mlflow_metric_name("latency/p95_ms") == "latency/p95_ms"


def test_grid_file_combinations_and_errors(tmp_path: Path) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text(
        "dataset: x.jsonl\nlimit: 3\nbase: {mmr: true}\ngrid:\n  top_k: [1, 3]\n"
        "  retrieval_mode: [bm25, dense]\n",
        encoding="utf-8",
    )
    spec = read_sweep_spec(grid)
    assert spec.limit == 3 and spec.base == {"mmr": True}
    assert spec.combinations()[1] == {"top_k": 1, "retrieval_mode": "dense"}
    assert len(spec.combinations()) == 4
    grid.write_text("dataset: x.jsonl\ngrid:\n  topk: [1]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="did you mean 'top_k'"):
        read_sweep_spec(grid)
    grid.write_text("grid:\n  top_k: [1]\n", encoding="utf-8")
    with pytest.raises(InputError, match="expected keys 'dataset' and 'grid'"):
        read_sweep_spec(grid)


def test_ranking_puts_the_best_first_and_missing_last() -> None:
    rows = [{"run": "a", "m/x": 0.2}, {"run": "b"}, {"run": "c", "m/x": 0.9}]
    assert [r["run"] for r in rank_rows(rows, "m/x")] == ["c", "a", "b"]
    latency = [{"run": "a", "latency/p95_ms": 20.0}, {"run": "b", "latency/p95_ms": 5.0}]
    assert [r["run"] for r in rank_rows(latency, "latency/p95_ms")] == ["b", "a"]
    assert choose_metric(None, [{"retrieval/recall_at_5": 0.3}]) == "retrieval/recall@5"
    assert choose_metric("x/y", rows) == "x/y"
