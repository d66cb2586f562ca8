"""The gate's baseline format and verdicts (the end-to-end gate runs are in test_cli_end_to_end.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.errors import InputError
from eval import stats
from eval.gate import check, read_baseline, run_gate, write_baseline
from eval.samples import SAMPLES_FILE, Samples, write_samples
from eval.stats import Estimator


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
    assert "| retrieval/recall@5 | 0.8000 | 0.0500 | >= 0.7500 | 0.7400 | -0.0600 |  | **FAIL** |" in report
    assert "GATE FAILED: 1 metric(s) regressed: retrieval/recall@5" in report
    assert report.startswith("threshold mode: the baseline keeps no per-dialogue scores")


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


# --- paired and strict modes --------------------------------------------------------------------


def _samples(passes: list[int], *, deterministic: bool, units: list[str] | None = None, **meta) -> Samples:
    """One 0/1 turn per dialogue, as `tools/accuracy` would be stored."""
    units = units or [f"d{i}" for i in range(len(passes))]
    columns = {"t:sum": np.array(passes, dtype=float), "t:count": np.ones(len(passes))}
    info = {"dataset_fingerprint": "f", "scorer_version": "2", "deterministic": deterministic, **meta}
    return Samples(units, columns, {"tools/accuracy": Estimator("mean", ("t:sum", "t:count"))}, meta=info)


def _write(tmp_path: Path, samples: Samples, tolerance: float = 0.02) -> Path:
    value = float(samples.columns["t:sum"].mean())
    return write_baseline(
        {"tools/accuracy": value}, tmp_path / "b.json", tolerance=tolerance, samples=samples
    )


def test_deterministic_runs_fail_on_any_drop_even_inside_the_tolerance(tmp_path: Path) -> None:
    base = [1] * 90 + [0] * 10
    path = _write(tmp_path, _samples(base, deterministic=True, config={"top_k": 5}))
    worse = _samples([0, *base[1:]], deterministic=True, config={"top_k": 3})  # one dialogue: -0.01
    result = run_gate(path, {"tools/accuracy": 0.89}, samples=worse)
    assert not result.passed and result.rows[0].mode == "strict"
    assert result.reason.startswith("strict mode") and "top_k: 5 → 3" in result.reason
    same = run_gate(path, {"tools/accuracy": 0.9}, samples=_samples(base, deterministic=True))
    assert same.passed, same.report


def test_noisy_runs_fail_only_when_the_interval_lies_below_minus_tolerance(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    base = list(rng.binomial(1, 0.8, size=120))
    path = _write(tmp_path, _samples(base, deterministic=False))
    small = list(base)
    for index in np.flatnonzero(np.array(base) == 1)[:3]:  # -0.025: a drop, but noise-sized
        small[index] = 0
    result = run_gate(
        path, {"tools/accuracy": float(np.mean(small))}, samples=_samples(small, deterministic=False)
    )
    assert result.passed and result.rows[0].mode == "paired", result.report
    big = [p if i % 3 else 0 for i, p in enumerate(base)]  # about -0.27
    result = run_gate(
        path, {"tools/accuracy": float(np.mean(big))}, samples=_samples(big, deterministic=False)
    )
    row = result.rows[0]
    assert not result.passed and row.high < -0.02, result.report


def test_other_dialogues_fall_back_to_the_threshold_rule(tmp_path: Path) -> None:
    path = _write(tmp_path, _samples([1, 1, 0, 1], deterministic=True))
    other = _samples([1, 1, 1, 1], deterministic=True, units=["x0", "x1", "x2", "x3"])
    result = run_gate(path, {"tools/accuracy": 0.74}, samples=other)
    assert result.rows[0].mode == "threshold" and result.passed  # 0.74 >= 0.75 - 0.02
    assert "other dialogues" in result.reason


def test_false_alarm_rate_of_the_paired_gate_on_equally_noisy_runs(tmp_path: Path) -> None:
    """Two runs of one noisy agent (per-dialogue rates vary, turns are Bernoulli) over 10 metrics:
    Holm keeps the gate quiet in nearly every trial; a genuinely worse agent trips it in nearly all."""
    rng = np.random.default_rng(42)
    names = [f"m/{i}" for i in range(10)]

    def run(rates: np.ndarray, shift: float) -> Samples:
        counts = rng.integers(1, 4, size=rates.shape)
        columns, estimators = {}, {}
        for j, name in enumerate(names):
            columns[f"{name}:sum"] = rng.binomial(counts[:, j], np.clip(rates[:, j] + shift, 0, 1)).astype(
                float
            )
            columns[f"{name}:count"] = counts[:, j].astype(float)
            estimators[name] = Estimator("mean", (f"{name}:sum", f"{name}:count"))
        meta = {"dataset_fingerprint": "f", "scorer_version": "2", "deterministic": False}
        return Samples([f"d{i}" for i in range(len(rates))], columns, estimators, meta=meta)

    false_alarms = detections = 0
    for _ in range(40):
        rates = rng.beta(8, 3, size=(80, len(names)))  # each dialogue's own difficulty
        base, again, worse = run(rates, 0.0), run(rates, 0.0), run(rates, -0.15)
        values = {name: stats.point(base, base.estimators[name]) for name in names}
        path = write_baseline(values, tmp_path / "noisy.json", tolerance=0.02, samples=base)
        for sample, counter in ((again, "false"), (worse, "true")):
            metrics = {name: stats.point(sample, sample.estimators[name]) for name in names}
            fired = not run_gate(path, metrics, samples=sample).passed
            false_alarms += fired and counter == "false"
            detections += fired and counter == "true"
    assert false_alarms <= 3, false_alarms  # nominal: about 2.5 % of trials (1 of 40)
    assert detections >= 38, detections


def test_junit_and_markdown_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xml.etree import ElementTree

    from eval.cli import main

    run = tmp_path / "run"
    run.mkdir()
    base = _samples([1, 1, 1, 0], deterministic=True)
    path = _write(tmp_path, base)
    (run / "metrics.json").write_text(json.dumps({"tools/accuracy": 0.5}))
    write_samples(run / SAMPLES_FILE, _samples([1, 0, 1, 0], deterministic=True))
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    junit = tmp_path / "gate.xml"
    code = main(
        ["gate", "--baseline", str(path), "--metrics", str(run / "metrics.json"), "--junit", str(junit)]
    )
    assert code == 1
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("1", "1")
    [case] = suite.findall("testcase")
    assert case.get("name") == "tools/accuracy" and case.find("failure") is not None
    text = summary.read_text()
    assert text.startswith("## ❌ Quality gate failed") and "| tools/accuracy |" in text
