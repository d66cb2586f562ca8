"""The CI gate: compare a run with a committed baseline and fail on regressions, strictly when the
runs are deterministic and fairly when they are noisy.

Baseline file (JSON or YAML):

```json
{"format": 2,
 "metrics": {
    "retrieval/recall@5": {"value": 0.82, "tolerance": 0.02},
    "routing/accuracy":   {"value": 0.95},
    "latency/p95_ms":     {"value": 40.0, "tolerance": 25.0, "direction": "lower"}
 },
 "default_tolerance": 0.01,
 "samples": {"format": 1, "meta": {…}, "units": […], "estimators": {…}, "columns": {…}}}
```

`samples` (written by `--write-baseline` from the run's dialogues.json, see `eval.samples`) keeps
each gated metric's per-dialogue components, so the gate can pair the run with the baseline
dialogue by dialogue. How a metric is judged depends on what both sides have:

- **strict** — both runs are deterministic (offline model, no LLM judge) and scored on the same
  dialogues by the same scorer: any drop at all fails (beyond `STRICT_EPSILON`, float summation
  noise), because nothing but the change under test (code or settings, which the report lists)
  can have moved it.
- **paired** — same dialogues and scorer, but a noisy model (an LLM, or an LLM judge): the
  paired bootstrap of the delta (run − baseline, in the metric's good direction) is tested against
  −tolerance. A metric fails when its interval lies below −tolerance: when the upper confidence
  bound of its change, one-sided at 97.5 % (the upper end of a 95 % interval), made simultaneous
  across the gated metrics by the bootstrap max-t method (`simultaneous_bounds`), is below
  −tolerance. So ~40 metrics on two equally noisy runs do not raise a false alarm by chance, while
  correlated metrics do not make the gate blind as a Bonferroni or Holm correction would.
- **threshold** — otherwise (an old-format baseline, a run without dialogues.json, different
  dialogues or scorer): as before, it fails when worse than `value` by more than `tolerance`:
  for `direction: higher` (the default) when `current < value - tolerance`, for `direction: lower`
  (the default for `latency/*`, `*_ms` and `*_words`) when `current > value + tolerance`.

- A baselined metric missing from the run fails too: silently losing a metric is a regression.
- Metrics in the run but not in the baseline are shown, never judged.
- The shorthand `"name": 0.82` means `{"value": 0.82}`.

`python -m eval gate --metrics out/dev/metrics.json --write-baseline FILE --tolerance 0.02` writes
a baseline from a run (quality metrics only; latencies are machine-dependent, add them by hand);
`make baseline` does it for the dev dialogues. The gate also writes JUnit XML (`--junit`, one test
case per gated metric) and a Markdown summary (`--summary`, default `$GITHUB_STEP_SUMMARY`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree

import numpy as np
import yaml

from app.errors import InputError
from eval import stats
from eval.samples import Samples, dumps

Direction = Literal["higher", "lower"]


def lower_is_better(name: str) -> bool:
    """Latencies, durations and reply lengths improve downwards; every quality metric improves upwards."""
    return name.startswith("latency/") or name.endswith(("_ms", "_seconds", "/seconds", "_words"))


@dataclass(frozen=True)
class Threshold:
    name: str
    value: float
    tolerance: float
    direction: Direction

    @property
    def limit(self) -> float:
        return self.value - self.tolerance if self.direction == "higher" else self.value + self.tolerance

    def passes(self, current: float | None) -> bool:
        if current is None or current != current:
            return False
        return current >= self.limit if self.direction == "higher" else current <= self.limit


Mode = Literal["strict", "paired", "threshold"]
STRICT_EPSILON = 1e-4
ALPHA_ONE_SIDED = 0.025


@dataclass(frozen=True)
class GateRow:
    """One gated metric's verdict; `low`/`high` bound the paired delta (run − baseline)."""

    threshold: Threshold
    current: float | None
    mode: Mode = "threshold"
    low: float | None = None
    high: float | None = None
    bound: float | None = None
    """Paired mode: the simultaneous upper confidence bound of the change in the metric's good
    direction (a regression when it lies below −tolerance)."""

    @property
    def change(self) -> float | None:
        return None if self.current is None else self.current - self.threshold.value

    @property
    def passed(self) -> bool:
        if self.current is None or self.current != self.current:
            return False
        if self.mode == "threshold":
            return self.threshold.passes(self.current)
        if self.mode == "strict":
            worse = self.threshold.value - self.current
            return (worse if self.threshold.direction == "higher" else -worse) <= STRICT_EPSILON
        return self.bound is None or self.bound >= -self.threshold.tolerance


def read_baseline(path: str | Path) -> list[Threshold]:
    """Parse a baseline file; every problem names the metric and what is wrong with it."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: baseline file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid JSON/YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict) or not data["metrics"]:
        raise InputError(f'{path}: expected {{"metrics": {{name: {{"value": x, "tolerance": t}}}}}}')
    default = _number(data.get("default_tolerance", 0.0), f"{path}: default_tolerance")
    return [_threshold(str(name), spec, default, path) for name, spec in data["metrics"].items()]


def _threshold(name: str, spec: Any, default_tolerance: float, path: Path) -> Threshold:
    where = f"{path}: metrics.{name}"
    if not isinstance(spec, dict):
        spec = {"value": spec}
    unknown = set(spec) - {"value", "tolerance", "direction"}
    if unknown:
        raise InputError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: value, tolerance, direction")
    if "value" not in spec:
        raise InputError(f"{where}: missing 'value'")
    direction = spec.get("direction", "lower" if lower_is_better(name) else "higher")
    if direction not in ("higher", "lower"):
        raise InputError(f"{where}.direction: expected 'higher' or 'lower', got {direction!r}")
    tolerance = _number(spec.get("tolerance", default_tolerance), f"{where}.tolerance")
    if tolerance < 0:
        raise InputError(f"{where}.tolerance: must not be negative")
    return Threshold(name, _number(spec["value"], f"{where}.value"), tolerance, direction)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}: expected a number, got {value!r}")
    return float(value)


def compare(
    thresholds: list[Threshold],
    metrics: Mapping[str, float],
    *,
    baseline: Samples | None = None,
    current: Samples | None = None,
) -> tuple[list[GateRow], str]:
    """A row per baselined metric, and a sentence on how they were judged (see the module doc)."""
    mode, reason = judging_mode(baseline, current)
    if mode == "threshold" or baseline is None or current is None:
        return [GateRow(t, metrics.get(t.name)) for t in thresholds], reason
    if mode == "strict":
        return [GateRow(t, metrics.get(t.name), "strict") for t in thresholds], reason
    return _paired_rows(thresholds, metrics, baseline, current), reason


def judging_mode(baseline: Samples | None, current: Samples | None) -> tuple[Mode, str]:
    """strict / paired / threshold, and why (printed above the table)."""
    if baseline is None:
        return "threshold", "threshold mode: the baseline keeps no per-dialogue scores"
    if current is None:
        return "threshold", "threshold mode: the run has no dialogues.json beside its metrics.json"
    for key in ("dataset_fingerprint", "scorer_version"):
        if baseline.meta.get(key) != current.meta.get(key):
            return "threshold", f"threshold mode: different {key.replace('_', ' ')} than the baseline"
    if list(baseline.units) != list(current.units):
        return "threshold", "threshold mode: the run scored other dialogues than the baseline"
    deterministic = baseline.meta.get("deterministic") is True and current.meta.get("deterministic") is True
    changed = _changed_settings(baseline, current)
    if deterministic:
        return "strict", (
            "strict mode: both runs are deterministic (offline model, no LLM judge) on the same dialogues, "
            f"so any drop is real and fails{changed}"
        )
    return "paired", (
        "paired mode (a run is not deterministic): fails when the delta's interval lies below -tolerance "
        f"(simultaneous one-sided {1 - ALPHA_ONE_SIDED:.1%} bound across metrics){changed}"
    )


def _changed_settings(baseline: Samples, current: Samples) -> str:
    before, after = baseline.meta.get("config") or {}, current.meta.get("config") or {}
    changes = [
        f"{k}: {before.get(k)} → {after.get(k)}"
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    ]
    return f"; settings changed since the baseline: {', '.join(changes)}" if changes else ""


def _paired_rows(
    thresholds: list[Threshold], metrics: Mapping[str, float], baseline: Samples, current: Samples
) -> list[GateRow]:
    """Paired bootstrap of every metric's change with the same draws; each gets its 95 % interval
    and a simultaneous upper bound (`simultaneous_bounds`)."""
    weights = stats.bootstrap_weights(len(baseline.units), stats.RESAMPLES, np.random.default_rng(stats.SEED))
    jack = stats.jackknife_weights(len(baseline.units))
    judged = [
        t
        for t in thresholds
        if t.name in baseline.estimators and t.name in current.estimators and t.name in metrics
    ]
    changes, resampled, intervals = [], [], {}
    for t in judged:
        estimator = baseline.estimators[t.name]
        deltas = stats.evaluate(current, estimator, weights) - stats.evaluate(baseline, estimator, weights)
        jackknife = stats.evaluate(current, estimator, jack) - stats.evaluate(baseline, estimator, jack)
        delta = stats.point(current, estimator) - stats.point(baseline, estimator)
        intervals[t.name] = stats.interval(delta, deltas, jackknife)[:2]
        sign = 1.0 if t.direction == "higher" else -1.0
        changes.append(sign * delta)
        resampled.append(sign * deltas)
    bounds = simultaneous_bounds(np.array(changes), np.array(resampled).T) if judged else np.array([])
    found = {t.name: (*intervals[t.name], bound) for t, bound in zip(judged, bounds, strict=True)}
    rows = []
    for t in thresholds:
        if t.name in found:
            rows.append(GateRow(t, metrics.get(t.name), "paired", *found[t.name]))
        else:  # no per-dialogue scores for this metric: judged by its threshold
            rows.append(GateRow(t, metrics.get(t.name)))
    return rows


def simultaneous_bounds(
    changes: np.ndarray, resampled: np.ndarray, alpha: float = ALPHA_ONE_SIDED
) -> np.ndarray:
    """Upper confidence bounds on every metric's change that hold together with probability 1 − α.

    Bootstrap max-t (Westfall & Young 1993; Romano & Wolf 2005): all metrics are resampled with
    the same draws, so the maximum over metrics of (change − resampled change) / se has the
    metrics' real dependence; its 1 − α quantile c gives bounds change + c·se. Correlated metrics
    (recall@5 and hit@5 move together) cost little, unlike Bonferroni or Holm, and two equally
    noisy runs trip the gate with probability about α, not α times the number of metrics.
    `resampled` is (resamples, metrics); a metric that never varies is bounded by its change.
    """
    finite = np.all(np.isfinite(resampled), axis=1)
    draws = resampled[finite]
    spread = draws.std(axis=0) if len(draws) else np.zeros(len(changes))
    varies = spread > 1e-12
    if not varies.any():
        return changes.astype(float)
    studentized = (changes[varies] - draws[:, varies]) / spread[varies]
    critical = float(np.quantile(studentized.max(axis=1), 1 - alpha))
    return np.where(varies, changes + critical * spread, changes)


def format_rows(rows: list[GateRow], metrics: Mapping[str, float]) -> str:
    """The diff table CI prints: baseline, rule, current value, change (with interval), verdict."""
    lines = [
        "| metric | baseline | tolerance | mode | current | change | 95% CI of change | status |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        t = row.threshold
        current = "missing" if row.current is None else f"{row.current:.4f}"
        change = "" if row.change is None else f"{row.change:+.4f}"
        interval = (
            f"[{row.low:+.4f}, {row.high:+.4f}]" if row.low is not None and row.high is not None else ""
        )
        rule = {"strict": "any drop", "paired": "paired", "threshold": _limit(t)}[row.mode]
        status = "ok" if row.passed else "**FAIL**"
        lines.append(
            f"| {t.name} | {t.value:.4f} | {t.tolerance:.4f} | {rule} | {current} | {change} | {interval} "
            f"| {status} |"
        )
    judged = {row.threshold.name for row in rows}
    extra = sorted(name for name in metrics if name not in judged)
    if extra:
        lines += ["", f"Not in the baseline (not judged): {', '.join(extra)}"]
    return "\n".join(lines)


def _limit(t: Threshold) -> str:
    return f"{'>=' if t.direction == 'higher' else '<='} {t.limit:.4f}"


@dataclass(frozen=True)
class GateResult:
    rows: list[GateRow]
    reason: str
    report: str

    @property
    def passed(self) -> bool:
        return all(row.passed for row in self.rows)


def run_gate(
    baseline: str | Path, metrics: Mapping[str, float], *, samples: Samples | None = None
) -> GateResult:
    """Judge `metrics` (and their per-dialogue `samples`, when the run has them) against the baseline."""
    rows, reason = compare(
        read_baseline(baseline), metrics, baseline=read_baseline_samples(baseline), current=samples
    )
    failed = [row.threshold.name for row in rows if not row.passed]
    verdict = (
        f"GATE FAILED: {len(failed)} metric(s) regressed: {', '.join(failed)}"
        if failed
        else f"GATE PASSED: {len(rows)} metric(s) within tolerance"
    )
    return GateResult(rows, reason, f"{reason}\n\n{format_rows(rows, metrics)}\n\n{verdict}")


def check(
    baseline: str | Path, metrics: Mapping[str, float], *, samples: Samples | None = None
) -> tuple[bool, str]:
    """(passed, report): the report lists every baselined metric and which ones regressed."""
    result = run_gate(baseline, metrics, samples=samples)
    return result.passed, result.report


def junit_xml(result: GateResult) -> str:
    """One JUnit test case per gated metric (CI systems show regressions as failed tests)."""
    suite = ElementTree.Element(
        "testsuite",
        name="eval-gate",
        tests=str(len(result.rows)),
        failures=str(sum(1 for row in result.rows if not row.passed)),
    )
    for row in result.rows:
        case = ElementTree.SubElement(suite, "testcase", classname="eval.gate", name=row.threshold.name)
        current = "missing" if row.current is None else f"{row.current:.4f}"
        t = row.threshold
        detail = f"{row.mode}: baseline {t.value:.4f}, current {current}, tolerance {t.tolerance}"
        if row.low is not None:
            detail += f", change interval [{row.low:+.4f}, {row.high:+.4f}]"
        if row.passed:
            ElementTree.SubElement(case, "system-out").text = detail
        else:
            ElementTree.SubElement(case, "failure", message=f"{row.threshold.name} regressed").text = detail
    root = ElementTree.Element("testsuites")
    root.append(suite)
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def markdown_summary(result: GateResult) -> str:
    heading = "✅ Quality gate passed" if result.passed else "❌ Quality gate failed"
    return f"## {heading}\n\n{result.report}\n"


def read_baseline_samples(path: str | Path) -> Samples | None:
    """The baseline's per-dialogue samples, or None for a baseline without them."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    body = data.get("samples") if isinstance(data, dict) else None
    return None if body is None else Samples.from_json(body, where=f"{path}: samples")


def write_baseline(
    metrics: Mapping[str, float],
    path: str | Path,
    *,
    tolerance: float,
    names: list[str] | None = None,
    samples: Samples | None = None,
) -> Path:
    """A baseline from a run's metrics, each with the same tolerance, and their per-dialogue samples.

    By default every quality metric; latencies are left out because they depend on the machine
    and a quality-sized tolerance would make the gate flaky (add them by hand with their own).
    """
    path = Path(path)
    chosen = names or sorted(name for name in metrics if not lower_is_better(name))
    missing = [name for name in chosen if name not in metrics]
    if missing:
        raise InputError(f"cannot baseline metrics the run does not have: {', '.join(missing)}")
    body: dict[str, Any] = {
        "format": 2,
        "metrics": {name: {"value": round(metrics[name], 6), "tolerance": tolerance} for name in chosen},
    }
    if samples is not None:
        body["samples"] = samples.restricted(chosen).to_json()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(body), encoding="utf-8")
    return path
