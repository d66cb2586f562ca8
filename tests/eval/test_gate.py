"""The gate's baseline format and verdicts (the end-to-end gate runs are in test_cli_end_to_end.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.errors import InputError
from eval.gate import check, read_baseline, write_baseline


def _baseline(tmp_path: Path, body: dict) -> Path:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


def test_a_metric_below_value_minus_tolerance_fails(tmp_path: Path) -> None:
    path = _baseline(
        tmp_path, {"metrics": {"retrieval/recall@5": {"value": 0.8, "tolerance": 0.05}, "detection/f1": 0.9}}
    )
    passed, report = check(path, {"retrieval/recall@5": 0.76, "detection/f1": 0.9, "extra/x": 1.0})
    assert passed, report
    passed, report = check(path, {"retrieval/recall@5": 0.74, "detection/f1": 0.9})
    assert not passed
    assert "| retrieval/recall@5 | 0.8000 | 0.0500 | >= 0.7500 | 0.7400 | -0.0600 | **FAIL** |" in report
    assert "GATE FAILED: 1 metric(s) below baseline: retrieval/recall@5" in report


def test_latency_is_lower_is_better_and_missing_metrics_fail(tmp_path: Path) -> None:
    path = _baseline(
        tmp_path,
        {
            "metrics": {"latency/p95_ms": {"value": 100, "tolerance": 50}, "selection/f1": {"value": 0.5}},
            "default_tolerance": 0.1,
        },
    )
    passed, report = check(path, {"latency/p95_ms": 140.0, "selection/f1": 0.41})
    assert passed, report
    passed, report = check(path, {"latency/p95_ms": 151.0})
    assert not passed
    assert "| latency/p95_ms | 100.0000 | 50.0000 | <= 150.0000 | 151.0000 |" in report
    assert "| selection/f1 | 0.5000 | 0.1000 | >= 0.4000 | missing |" in report


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"metric": {}}, "expected"),
        ({"metrics": {"a/b": {"tolerance": 0.1}}}, "metrics.a/b: missing 'value'"),
        ({"metrics": {"a/b": {"value": "high"}}}, "metrics.a/b.value: expected a number"),
        ({"metrics": {"a/b": {"value": 1, "direction": "up"}}}, "expected 'higher' or 'lower'"),
        ({"metrics": {"a/b": {"value": 1, "tolerence": 0.1}}}, "unknown key"),
        ({"metrics": {"a/b": {"value": 1, "tolerance": -1}}}, "must not be negative"),
    ],
)
def test_bad_baselines_are_explained(tmp_path: Path, body: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_baseline(_baseline(tmp_path, body))


def test_written_baseline_leaves_out_latency_and_reads_back(tmp_path: Path) -> None:
    path = write_baseline({"a/x": 0.5, "latency/p50_ms": 10.0}, tmp_path / "b.json", tolerance=0.03)
    [threshold] = read_baseline(path)
    assert (threshold.name, threshold.value, threshold.tolerance, threshold.direction) == (
        "a/x",
        0.5,
        0.03,
        "higher",
    )
    with pytest.raises(InputError, match="does not have: b/y"):
        write_baseline({"a/x": 0.5}, tmp_path / "c.json", tolerance=0.0, names=["b/y"])
