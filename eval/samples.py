"""Per-dialogue components of every metric: what intervals, `compare` and the gate resample.

A run writes `dialogues.json` next to `metrics.json`:

```json
{"format": 1,
 "meta": {"dataset_fingerprint": "…", "scorer_version": "2", "config_fingerprint": "…",
          "deterministic": true, "repeats": 1, "dataset": "dev"},
 "units": ["faq-001", "faq-003", …],
 "estimators": {"retrieval/recall@5": {"kind": "mean",
                                       "components": ["retrieval/recall@5:sum", "retrieval/:count"]},
                "latency/p95_ms": {"kind": "percentile", "components": ["latency_ms"], "q": 95.0}},
 "columns": {"retrieval/:count": [1, 2, …], …},
 "turn_values": {"latency_ms": {"values": [12.5, …], "units": [0, 1, 1, …]}}}
```

`columns` hold one number per unit (a dialogue, or a query for retrieval-only runs), aligned with
`units`; `turn_values` hold per-turn values with the index of their unit (for percentiles).
`Collector` builds it while scoring, and checks that every estimator reproduces the run's value
before keeping it: a metric whose definition changed without its estimator gets no interval rather
than a wrong one. Metrics with no explicit estimator fall back to the mean of the per-turn scores
of the same name (how `answers/*` and `judge/*` are defined), so new per-turn metrics get
intervals without new code here.
"""

from __future__ import annotations

import json
import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.errors import InputError
from eval.stats import Estimator, point

logger = logging.getLogger(__name__)

SAMPLES_FILE = "dialogues.json"
FORMAT = 1
POINT_TOLERANCE = 1e-9


@dataclass
class Samples:
    """Per-unit components of a run's metrics (implements `eval.stats.Table`)."""

    units: list[str]
    columns: dict[str, np.ndarray]
    estimators: dict[str, Estimator]
    turn_values: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> np.ndarray:
        return self.columns[name]

    def values(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return self.turn_values[name]

    def select(self, units: Sequence[str]) -> Samples:
        """The same metrics over `units` only, in that order (every unit must be present)."""
        index = {unit: position for position, unit in enumerate(self.units)}
        missing = [unit for unit in units if unit not in index]
        if missing:
            raise InputError(f"units not in this run: {', '.join(missing[:5])}")
        rows = np.array([index[unit] for unit in units], dtype=int)
        remap = np.full(len(self.units), -1)
        remap[rows] = np.arange(len(rows))
        turn_values = {}
        for name, (values, owners) in self.turn_values.items():
            kept = remap[owners] >= 0
            turn_values[name] = (values[kept], remap[owners[kept]])
        columns = {name: column[rows] for name, column in self.columns.items()}
        return Samples(list(units), columns, dict(self.estimators), turn_values, dict(self.meta))

    def restricted(self, metrics: Iterable[str]) -> Samples:
        """Only the estimators (and the components they read) of `metrics`."""
        estimators = {name: self.estimators[name] for name in metrics if name in self.estimators}
        used = {component for estimator in estimators.values() for component in estimator.components}
        columns = {name: column for name, column in self.columns.items() if name in used}
        turn_values = {name: values for name, values in self.turn_values.items() if name in used}
        return Samples(list(self.units), columns, estimators, turn_values, dict(self.meta))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "meta": self.meta,
            "units": self.units,
            "estimators": {name: est.to_json() for name, est in sorted(self.estimators.items())},
            "columns": {name: [_number(v) for v in column] for name, column in sorted(self.columns.items())},
            "turn_values": {
                name: {"values": [_number(v) for v in values], "units": owners.tolist()}
                for name, (values, owners) in sorted(self.turn_values.items())
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, where: str = "samples") -> Samples:
        """Parse what `to_json` wrote; every problem names the file and the field."""
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise InputError(f"{where}: not a per-dialogue samples object of format {FORMAT}")
        try:
            units = [str(unit) for unit in data["units"]]
            columns = {str(n): np.asarray(v, dtype=float) for n, v in data["columns"].items()}
            estimators = {str(n): Estimator.from_json(e) for n, e in data["estimators"].items()}
            turn_values = {
                str(n): (np.asarray(v["values"], dtype=float), np.asarray(v["units"], dtype=int))
                for n, v in data.get("turn_values", {}).items()
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{where}: malformed samples ({exc})") from None
        bad = [name for name, column in columns.items() if len(column) != len(units)]
        if bad:
            raise InputError(f"{where}: columns {bad[:3]} do not have one value per unit ({len(units)})")
        samples = cls(units, columns, estimators, turn_values, dict(data.get("meta") or {}))
        missing = sorted(
            {c for e in estimators.values() for c in e.components} - set(columns) - set(turn_values)
        )
        if missing:
            raise InputError(f"{where}: estimators read components that are missing: {missing[:5]}")
        return samples


def _number(value: float) -> float | int:
    """Integers stay integers and floats keep 9 decimals: small files, exact enough to re-derive values."""
    value = float(value)
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return round(value, 9)


def write_samples(path: Path, samples: Samples) -> None:
    path.write_text(dumps(samples.to_json()), encoding="utf-8")


def dumps(body: Mapping[str, Any]) -> str:
    """JSON with one line per column: readable diffs for a committed baseline, and small."""
    compact = {"separators": (",", ":"), "ensure_ascii": False}
    lines = ["{"]
    items = list(body.items())
    for position, (key, value) in enumerate(items):
        comma = "," if position < len(items) - 1 else ""
        if (
            isinstance(value, Mapping)
            and value
            and key in ("columns", "turn_values", "estimators", "metrics")
        ):
            inner = [f"    {json.dumps(k)}: {json.dumps(v, **compact)}" for k, v in value.items()]
            lines.append(f"  {json.dumps(key)}: {{\n" + ",\n".join(inner) + f"\n  }}{comma}")
        elif isinstance(value, Mapping) and value and key == "samples":
            nested = dumps(value).rstrip("\n").replace("\n", "\n  ")
            lines.append(f"  {json.dumps(key)}: {nested}{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, **compact)}{comma}")
    return "\n".join(lines) + "\n}\n"


def read_samples(path: str | Path) -> Samples:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            f"{path}: per-dialogue samples not found (runs before this version lack them)"
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    return Samples.from_json(data, where=str(path))


class Collector:
    """Accumulates per-unit components while a run is scored, then keeps the estimators that
    reproduce the run's metrics."""

    def __init__(self, units: Iterable[str]) -> None:
        self.units = list(dict.fromkeys(units))
        self._index = {unit: position for position, unit in enumerate(self.units)}
        self._columns: dict[str, np.ndarray] = {}
        self._values: dict[str, tuple[list[float], list[int]]] = defaultdict(lambda: ([], []))
        self.estimators: dict[str, Estimator] = {}

    def add(self, component: str, unit: str, value: float) -> None:
        """Add `value` to the unit's running sum of `component`."""
        if component not in self._columns:
            self._columns[component] = np.zeros(len(self.units))
        self._columns[component][self._index[unit]] += float(value)

    def add_value(self, name: str, unit: str, value: float) -> None:
        """Record one per-turn value (for percentile estimators)."""
        values, owners = self._values[name]
        values.append(float(value))
        owners.append(self._index[unit])

    def metric(self, name: str, kind: str, *components: str, q: float | None = None) -> None:
        """Declare how `name` follows from components (missing components count as all zeros)."""
        for component in components:
            if kind != "percentile" and component not in self._columns:
                self._columns[component] = np.zeros(len(self.units))
        self.estimators[name] = Estimator(kind, components, q)

    def mean_of_turn_scores(self, name: str, scores: Iterable[tuple[str, float]]) -> None:
        """`name` as the mean of per-turn scores, given as (unit, score) pairs."""
        for unit, score in scores:
            self.add(f"{name}:sum", unit, score)
            self.add(f"{name}:count", unit, 1.0)
        self.metric(name, "mean", f"{name}:sum", f"{name}:count")

    def build(self, metrics: Mapping[str, float] | None, meta: Mapping[str, Any] | None = None) -> Samples:
        """The samples, keeping only estimators whose value over all units equals the metric's
        (`metrics=None`: every declared estimator, unchecked; for synthetic data)."""
        turn_values = {
            name: (np.asarray(values, dtype=float), np.asarray(owners, dtype=int))
            for name, (values, owners) in self._values.items()
        }
        samples = Samples(self.units, dict(self._columns), {}, turn_values, dict(meta or {}))
        if metrics is None:
            samples.estimators = dict(self.estimators)
            return samples
        for name, estimator in self.estimators.items():
            if name not in metrics:
                continue
            samples.estimators[name] = estimator
            value = point(samples, estimator)
            if not _close(value, metrics[name]):
                logger.warning(
                    "metric has no interval: its estimator does not reproduce the run's value",
                    extra={"metric": name, "value": metrics[name], "estimate": value},
                )
                del samples.estimators[name]
        return samples.restricted(name for name in metrics if name in samples.estimators)


def _close(estimate: float, value: float) -> bool:
    if math.isnan(estimate) or math.isnan(value):
        return math.isnan(estimate) and math.isnan(value)
    return abs(estimate - value) <= POINT_TOLERANCE * max(1.0, abs(value))


def align(a: Samples, b: Samples) -> tuple[Samples, Samples, list[str], list[str]]:
    """Both runs over the units they share (in A's order), and the units only A / only B has."""
    in_a, in_b = set(a.units), set(b.units)
    shared = [unit for unit in a.units if unit in in_b]
    only_a = [unit for unit in a.units if unit not in in_b]
    only_b = [unit for unit in b.units if unit not in in_a]
    return a.select(shared), b.select(shared), only_a, only_b
