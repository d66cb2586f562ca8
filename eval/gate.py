"""The CI gate: compare a run's metrics.json with a committed baseline and fail on regressions.

Baseline file (JSON or YAML):

```json
{"metrics": {
    "retrieval/recall@5": {"value": 0.82, "tolerance": 0.02},
    "routing/accuracy":   {"value": 0.95},
    "latency/p95_ms":     {"value": 40.0, "tolerance": 25.0, "direction": "lower"}
 },
 "default_tolerance": 0.01}
```

- A metric fails when it is worse than `value` by more than `tolerance` (default: the file's
  `default_tolerance`, else 0): for `direction: higher` (the default) when `current < value - tolerance`,
  for `direction: lower` (the default for `latency/*`, `*_ms` and `*_words`) when
  `current > value + tolerance`.
- A baselined metric missing from the run fails too: silently losing a metric is a regression.
- Metrics in the run but not in the baseline are shown, never judged.
- The shorthand `"name": 0.82` means `{"value": 0.82}`.

`python -m eval gate --metrics metrics.json --write-baseline FILE --tolerance 0.02` writes a
baseline from a run (quality metrics only; latencies are machine-dependent, add them by hand).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from app.errors import InputError

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


@dataclass(frozen=True)
class GateRow:
    threshold: Threshold
    current: float | None

    @property
    def passed(self) -> bool:
        return self.threshold.passes(self.current)


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


def compare(thresholds: list[Threshold], metrics: Mapping[str, float]) -> list[GateRow]:
    return [GateRow(threshold, metrics.get(threshold.name)) for threshold in thresholds]


def format_rows(rows: list[GateRow], metrics: Mapping[str, float]) -> str:
    """The diff table CI prints: baseline, allowed limit, current value, change, verdict."""
    lines = [
        "| metric | baseline | tolerance | limit | current | change | status |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        t = row.threshold
        current = "missing" if row.current is None else f"{row.current:.4f}"
        change = "" if row.current is None else f"{row.current - t.value:+.4f}"
        sign = ">=" if t.direction == "higher" else "<="
        status = "ok" if row.passed else "**FAIL**"
        lines.append(
            f"| {t.name} | {t.value:.4f} | {t.tolerance:.4f} | {sign} {t.limit:.4f} | {current} "
            f"| {change} | {status} |"
        )
    judged = {row.threshold.name for row in rows}
    extra = sorted(name for name in metrics if name not in judged)
    if extra:
        lines += ["", f"Not in the baseline (not judged): {', '.join(extra)}"]
    return "\n".join(lines)


def check(baseline: str | Path, metrics: Mapping[str, float]) -> tuple[bool, str]:
    """(passed, report): the report lists every baselined metric and which ones regressed."""
    rows = compare(read_baseline(baseline), metrics)
    failed = [row.threshold.name for row in rows if not row.passed]
    verdict = (
        f"GATE FAILED: {len(failed)} metric(s) below baseline: {', '.join(failed)}"
        if failed
        else f"GATE PASSED: {len(rows)} metric(s) within tolerance"
    )
    return not failed, f"{format_rows(rows, metrics)}\n\n{verdict}"


def write_baseline(
    metrics: Mapping[str, float], path: str | Path, *, tolerance: float, names: list[str] | None = None
) -> Path:
    """A baseline from a run's metrics, each with the same tolerance.

    By default every quality metric; latencies are left out because they depend on the machine
    and a quality-sized tolerance would make the gate flaky (add them by hand with their own).
    """
    path = Path(path)
    chosen = names or sorted(name for name in metrics if not lower_is_better(name))
    missing = [name for name in chosen if name not in metrics]
    if missing:
        raise InputError(f"cannot baseline metrics the run does not have: {', '.join(missing)}")
    body = {"metrics": {name: {"value": round(metrics[name], 6), "tolerance": tolerance} for name in chosen}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    return path
