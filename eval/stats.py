"""Confidence intervals and paired tests over dialogues: is a difference real or noise?

The dialogue is the unit of independence (turns of one conversation share its context, its
customer and, with `--repeat`, its replays), so every interval resamples dialogues, never turns.

Every metric is described by an `Estimator`: how its run-level value follows from per-dialogue
*components*. A mean of per-turn scores is `mean(sum, count)`; an F1 over pooled counts is
`binary_f1(tp, fp, fn)`, recomputed from the resampled counts (averaging per-dialogue F1s would
answer a different question); a latency percentile is `percentile` over the turns' values. The
components live in `eval.samples.Samples` (one row per dialogue), written next to metrics.json.

The resampling is vectorised: a bootstrap draw is a row of multinomial counts over the dialogues,
all draws form one weight matrix, and one matrix product gives every component's resampled sums
for every metric at once. The same primitive serves the jackknife (weights 1 − eᵢ, for BCa), the
paired bootstrap (A and B weighted by the same row) and the paired randomization test (each
dialogue's A and B swapped or not). Tests cross-check it against `scipy.stats.bootstrap` and
`scipy.stats.permutation_test`; Holm's step-down correction is checked against its definition.

Intervals are BCa (scipy's default method, Efron & Tibshirani 14.3) and fall back to the
percentile interval where BCa is undefined (a statistic that never varies, or resamples without
a value).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy.special import ndtr, ndtri

from app.errors import InputError

LEVEL = 0.95
RESAMPLES = 2000
PERMUTATIONS = 5000  # Holm over ~40 metrics needs p-values finer than 0.05 / 40
SEED = 20240611
CELLS_PER_BLOCK = 4_000_000


# --- estimators -----------------------------------------------------------------------------------


def _divide(numerator: np.ndarray, denominator: np.ndarray, empty: float | np.ndarray) -> np.ndarray:
    """numerator / denominator, `empty` where the denominator is 0 (vectorised, no warnings)."""
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, numerator / safe, empty)


def _harmonic(precision: np.ndarray, recall: np.ndarray) -> np.ndarray:
    return _divide(2 * precision * recall, precision + recall, 0.0)


def _mean(sums: np.ndarray) -> np.ndarray:
    return _divide(sums[..., 0], sums[..., 1], np.nan)


def _total(sums: np.ndarray) -> np.ndarray:
    return sums[..., 0]


def _ratio(sums: np.ndarray) -> np.ndarray:
    return _divide(sums[..., 0], sums[..., 1], 0.0)


def _binary(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Precision and recall with `eval.metrics.routing.Confusion`'s empty-denominator rule."""
    tp, fp, fn = sums[..., 0], sums[..., 1], sums[..., 2]
    precision = _divide(tp, tp + fp, np.where(fn == 0, 1.0, 0.0))
    recall = _divide(tp, tp + fn, np.where(fp == 0, 1.0, 0.0))
    return precision, recall


def _scored_prf(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The DSTC scorer's `_compute`: a score sum spread over predicted and actual targets."""
    score, tp, fp, fn = sums[..., 0], sums[..., 1], sums[..., 2], sums[..., 3]
    precision = _divide(score, tp + fp, 0.0)
    recall = _divide(score, tp + fn, 0.0)
    return precision, recall, _harmonic(precision, recall)


def _bleu_f1(sums: np.ndarray) -> np.ndarray:
    """DSTC generation BLEU: corpus BLEU from summed sacrebleu statistics, then spread like `_scored_prf`."""
    from eval.metrics.dstc import BLEU_STATISTICS, bleu_from_statistics

    stats, counts = sums[..., :BLEU_STATISTICS], sums[..., BLEU_STATISTICS:]
    flat = stats.reshape(-1, BLEU_STATISTICS)
    bleu = np.array([bleu_from_statistics(row) for row in flat]).reshape(stats.shape[:-1])
    return _scored_prf(np.concatenate([(bleu * counts[..., 0])[..., None], counts], axis=-1))[2]


SumEstimator = Callable[[np.ndarray], np.ndarray]
KINDS: dict[str, tuple[SumEstimator, int | None]] = {
    "mean": (_mean, 2),  # (sum of scores, number of scored turns)
    "total": (_total, 1),  # a count, e.g. turns scored
    "ratio": (_ratio, 2),  # numerator / denominator, 0 when empty (DSTC convention)
    "binary_precision": (lambda s: _binary(s)[0], 3),  # (tp, fp, fn)
    "binary_recall": (lambda s: _binary(s)[1], 3),
    "binary_f1": (lambda s: _harmonic(*_binary(s)), 3),
    "scored_precision": (lambda s: _scored_prf(s)[0], 4),  # (score sum, tp, fp, fn)
    "scored_recall": (lambda s: _scored_prf(s)[1], 4),
    "scored_f1": (lambda s: _scored_prf(s)[2], 4),
    "bleu_f1": (_bleu_f1, None),  # (10 sacrebleu statistics, tp, fp, fn)
    "percentile": (_total, 1),  # placeholder: percentiles read per-turn values, see `_percentiles`
}


@dataclass(frozen=True)
class Estimator:
    """How a metric follows from per-dialogue components: `kind` over `components` (and `q` for
    percentiles, whose single component names per-turn values rather than a per-dialogue sum)."""

    kind: str
    components: tuple[str, ...]
    q: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InputError(f"unknown estimator {self.kind!r}; known: {', '.join(sorted(KINDS))}")
        arity = KINDS[self.kind][1]
        if arity is not None and len(self.components) != arity:
            raise InputError(f"estimator {self.kind!r} takes {arity} components, got {len(self.components)}")
        if (self.kind == "percentile") != (self.q is not None):
            raise InputError("a percentile estimator needs q (0-100); other estimators take none")

    def to_json(self) -> dict[str, object]:
        body: dict[str, object] = {"kind": self.kind, "components": list(self.components)}
        if self.q is not None:
            body["q"] = self.q
        return body

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Estimator:
        q = data.get("q")
        return cls(str(data["kind"]), tuple(map(str, data["components"])), None if q is None else float(q))


class Table(Protocol):
    """What the resampling needs of `eval.samples.Samples`: units, per-unit columns, and per-turn
    values with the index of the unit each belongs to."""

    @property
    def units(self) -> Sequence[str]: ...

    def column(self, name: str) -> np.ndarray: ...

    def values(self, name: str) -> tuple[np.ndarray, np.ndarray]: ...


def evaluate(table: Table, estimator: Estimator, weights: np.ndarray) -> np.ndarray:
    """The metric under each row of unit weights (R, D) → (R,).

    Weights are integer multiplicities: a bootstrap draw, a jackknife row, a 0/1 selection.
    """
    if estimator.kind == "percentile":
        values, owners = table.values(estimator.components[0])
        return _percentiles(values, owners, weights, [float(estimator.q or 0.0)])[:, 0]
    matrix = np.column_stack([table.column(name) for name in estimator.components])
    return KINDS[estimator.kind][0](weights @ matrix)


def _running_counts(values: np.ndarray, owners: np.ndarray, weights: np.ndarray):
    """Per block of rows: (first row, running counts (turns, rows) over the sorted values, the
    sorted values). Laid out turns × rows so that the gather and the running sum are contiguous;
    int32 blocks bound the memory."""
    order = np.argsort(values, kind="stable")
    ordered, turn_owner = values[order], owners[order]
    block = max(1, CELLS_PER_BLOCK // len(values))
    for start in range(0, len(weights), block):
        by_unit = np.ascontiguousarray(weights[start : start + block].T, dtype=np.int32)
        yield start, np.cumsum(by_unit[turn_owner], axis=0, dtype=np.int32), ordered


def _at_ranks(cumulative: np.ndarray, ordered: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """numpy's linear-interpolation percentiles (rows, len(qs)) from running counts: the values at
    the two ranks around (size − 1)·q/100, found by counting the running counts at or below them."""
    size = cumulative[-1].astype(np.float64)
    last = len(ordered) - 1
    result = np.empty((cumulative.shape[1], len(qs)))
    for column, q in enumerate(qs):
        position = (np.maximum(size, 1) - 1) * q / 100.0
        low = np.floor(position)
        below = ordered[np.minimum(np.count_nonzero(cumulative <= low, axis=0), last)]
        above = ordered[np.minimum(np.count_nonzero(cumulative <= low + 1, axis=0), last)]
        result[:, column] = np.where(size > 0, below + (position - low) * (above - below), np.nan)
    return result


def _percentiles(
    values: np.ndarray, owners: np.ndarray, weights: np.ndarray, qs: Sequence[float]
) -> np.ndarray:
    """numpy's linear-interpolation percentiles (R, len(qs)) of the samples in which unit d's
    values appear weights[r, d] times, for every row r at once (NaN for an empty sample)."""
    result = np.full((len(weights), len(qs)), np.nan)
    if len(values):
        for start, cumulative, ordered in _running_counts(values, owners, weights):
            result[start : start + cumulative.shape[1]] = _at_ranks(cumulative, ordered, qs)
    return result


def _complementary_percentiles(
    values: np.ndarray, owners: np.ndarray, weights: np.ndarray, qs: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Percentiles under 0/1 weights and under 1 − weights, from one running sum (the second
    running count is the position minus the first)."""
    chosen, other = (np.full((len(weights), len(qs)), np.nan) for _ in range(2))
    if len(values):
        positions = np.arange(1, len(values) + 1, dtype=np.int32)[:, None]
        for start, cumulative, ordered in _running_counts(values, owners, weights):
            rows = slice(start, start + cumulative.shape[1])
            chosen[rows] = _at_ranks(cumulative, ordered, qs)
            other[rows] = _at_ranks(positions - cumulative, ordered, qs)
    return chosen, other


def point(table: Table, estimator: Estimator) -> float:
    """The metric over all units once (what metrics.json reports)."""
    return float(evaluate(table, estimator, np.ones((1, len(table.units))))[0])


def units_with_data(table: Table, estimator: Estimator) -> int:
    """How many dialogues contribute to the metric (n in the reports)."""
    if estimator.kind == "percentile":
        return len(np.unique(table.values(estimator.components[0])[1]))
    matrix = np.column_stack([table.column(name) for name in estimator.components])
    return int(np.count_nonzero(np.any(matrix != 0, axis=1)))


# --- resampling -----------------------------------------------------------------------------------


def bootstrap_weights(units: int, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """(resamples, units) multinomial counts: each row is one bootstrap sample of the units."""
    draws = rng.integers(0, units, size=(resamples, units))
    offsets = draws + units * np.arange(resamples)[:, None]
    return np.bincount(offsets.ravel(), minlength=resamples * units).reshape(resamples, units).astype(float)


def jackknife_weights(units: int) -> np.ndarray:
    """Row i leaves unit i out."""
    return 1.0 - np.eye(units)


def interval(
    estimate: float, resampled: np.ndarray, jackknife: np.ndarray, level: float = LEVEL
) -> tuple[float, float, str]:
    """(low, high, method): BCa as scipy computes it, else the percentile interval, else none."""
    finite = resampled[np.isfinite(resampled)]
    if not np.isfinite(estimate) or finite.size == 0:
        return float("nan"), float("nan"), "none"
    alpha = (1 - level) / 2
    quantiles = _bca_quantiles(estimate, resampled, jackknife, alpha)
    method = "bca"
    if quantiles is None:
        quantiles, method = (alpha, 1 - alpha), "percentile"
    low, high = np.quantile(finite, quantiles)
    return float(low), float(high), method


def _bca_quantiles(
    estimate: float, resampled: np.ndarray, jackknife: np.ndarray, alpha: float
) -> tuple[float, float] | None:
    if not (np.all(np.isfinite(resampled)) and np.all(np.isfinite(jackknife))):
        return None
    share = (np.count_nonzero(resampled < estimate) + np.count_nonzero(resampled <= estimate)) / (
        2 * resampled.size
    )
    deviations = jackknife.mean() - jackknife
    spread = np.sum(deviations**2)
    if not 0 < share < 1 or spread == 0:
        return None
    bias = ndtri(share)
    acceleration = np.sum(deviations**3) / (6 * spread**1.5)
    bounds = []
    for z in (ndtri(alpha), -ndtri(alpha)):
        shifted = bias + z
        bounds.append(float(ndtr(bias + shifted / (1 - acceleration * shifted))))
    return (bounds[0], bounds[1]) if all(np.isfinite(bounds)) else None


@dataclass(frozen=True)
class Interval:
    """A metric's value with its bootstrap interval over `n` contributing dialogues."""

    value: float
    low: float
    high: float
    n: int
    method: str

    def to_json(self) -> dict[str, object]:
        return {"value": self.value, "low": self.low, "high": self.high, "n": self.n, "method": self.method}


class _Sums:
    """Every sum-based metric's components summed under one weight matrix, in one product."""

    def __init__(self, table: Table, estimators: Mapping[str, Estimator]) -> None:
        names = sorted({c for e in estimators.values() if e.kind != "percentile" for c in e.components})
        self.index = {name: position for position, name in enumerate(names)}
        self.matrix = (
            np.column_stack([table.column(name) for name in names])
            if names
            else np.zeros((len(table.units), 0))
        )
        self.total = self.matrix.sum(axis=0)

    def pick(self, sums: np.ndarray, estimator: Estimator) -> np.ndarray:
        """The metric from summed components (..., all columns)."""
        return KINDS[estimator.kind][0](sums[..., [self.index[c] for c in estimator.components]])


def _percentile_groups(estimators: Mapping[str, Estimator]) -> dict[str, list[str]]:
    """Percentile metrics by the per-turn values they read (p50 and p95 share one pass)."""
    groups: dict[str, list[str]] = {}
    for name, estimator in estimators.items():
        if estimator.kind == "percentile":
            groups.setdefault(estimator.components[0], []).append(name)
    return groups


def _percentile_values(
    table: Table, estimators: Mapping[str, Estimator], weights: np.ndarray
) -> dict[str, np.ndarray]:
    found = {}
    for component, names in _percentile_groups(estimators).items():
        values, owners = table.values(component)
        matrix = _percentiles(values, owners, weights, [float(estimators[n].q or 0.0) for n in names])
        found.update({name: matrix[:, column] for column, name in enumerate(names)})
    return found


def _resampled(
    table: Table, estimators: Mapping[str, Estimator], weights: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(bootstrap values, jackknife values) of every metric: one product for all sum-based ones.

    Percentiles get no jackknife (NaN, so their interval is the percentile one): the jackknife is
    inconsistent for quantiles, which are not smooth functions of the data (Efron 1982, ch. 3).
    """
    sums = _Sums(table, estimators)
    boot_sums, jack_sums = weights @ sums.matrix, sums.total - sums.matrix
    boot = _percentile_values(table, estimators, weights)
    jack = {name: np.full(len(table.units), np.nan) for name in boot}
    for name, estimator in estimators.items():
        if estimator.kind != "percentile":
            boot[name], jack[name] = sums.pick(boot_sums, estimator), sums.pick(jack_sums, estimator)
    return boot, jack


def intervals(
    table: Table,
    estimators: Mapping[str, Estimator],
    *,
    level: float = LEVEL,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> dict[str, Interval]:
    """A bootstrap interval for every metric, all metrics resampled with the same draws."""
    units = len(table.units)
    if units == 0:
        return {}
    weights = bootstrap_weights(units, resamples, np.random.default_rng(seed))
    boot, jack = _resampled(table, estimators, weights)
    result = {}
    for name, estimator in estimators.items():
        value = point(table, estimator)
        low, high, method = interval(value, boot[name], jack[name], level)
        result[name] = Interval(value, low, high, units_with_data(table, estimator), method)
    return result


# --- paired comparison ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PairedResult:
    """B − A on the dialogues both runs share: the delta, its interval and a randomization p-value."""

    a: float
    b: float
    delta: float
    low: float
    high: float
    p_value: float
    n: int
    method: str


def paired(
    a: Table,
    b: Table,
    estimators: Mapping[str, Estimator],
    *,
    level: float = LEVEL,
    resamples: int = RESAMPLES,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
) -> dict[str, PairedResult]:
    """Paired bootstrap interval and two-sided randomization p-value of B − A for every metric.

    `a` and `b` must list the same units in the same order (`eval.samples.align`). The bootstrap
    weights both runs by the same draw; the randomization test swaps each dialogue's A and B
    results with probability 1/2, which is exchangeable when A and B do not differ.
    """
    if list(a.units) != list(b.units):
        raise InputError("paired comparison needs both runs aligned on the same dialogues")
    units = len(a.units)
    if units == 0:
        return {}
    rng = np.random.default_rng(seed)
    weights = bootstrap_weights(units, resamples, rng)
    swaps = rng.integers(0, 2, size=(permutations, units), dtype=np.int8)
    boot_a, jack_a = _resampled(a, estimators, weights)
    boot_b, jack_b = _resampled(b, estimators, weights)
    deltas = {name: point(b, est) - point(a, est) for name, est in estimators.items()}
    p_values = randomization_p(a, b, estimators, swaps, deltas)
    result = {}
    for name, estimator in estimators.items():
        value_a, value_b = point(a, estimator), point(b, estimator)
        low, high, method = interval(
            deltas[name], boot_b[name] - boot_a[name], jack_b[name] - jack_a[name], level
        )
        n = max(units_with_data(a, estimator), units_with_data(b, estimator))
        result[name] = PairedResult(value_a, value_b, deltas[name], low, high, p_values[name], n, method)
    return result


def randomization_p(
    a: Table, b: Table, estimators: Mapping[str, Estimator], swaps: np.ndarray, observed: Mapping[str, float]
) -> dict[str, float]:
    """Per metric, the share of random A/B swaps (rows of 0/1 per dialogue) whose |delta| reaches
    the observed one, with the +1 correction that makes it a valid p-value."""
    hits = dict.fromkeys(estimators, 0)
    for name, deltas in _swapped_deltas(a, b, estimators, swaps):
        tolerance = 1e-12 * max(1.0, abs(observed[name]))
        hits[name] += int(np.count_nonzero(np.abs(deltas) >= abs(observed[name]) - tolerance))
    result = {}
    for name in estimators:
        value = observed[name]
        if not np.isfinite(value):
            result[name] = float("nan")
        else:
            result[name] = 1.0 if value == 0 else float((hits[name] + 1) / (len(swaps) + 1))
    return result


def _swapped_deltas(a: Table, b: Table, estimators: Mapping[str, Estimator], swaps: np.ndarray):
    """(metric, B' − A' for a block of swap rows). Sums shift by S @ (B − A), one product for all
    sum-based metrics; percentiles pick each dialogue's values from A or B over both runs stacked."""
    block = max(1, CELLS_PER_BLOCK // max(2 * len(a.units), 1))
    sums_a, sums_b = _Sums(a, estimators), _Sums(b, estimators)
    difference = sums_b.matrix - sums_a.matrix
    stacked = _SwapTable(a, b)
    percentiles = {name: est for name, est in estimators.items() if est.kind == "percentile"}
    for start in range(0, len(swaps), block):
        chosen = swaps[start : start + block]
        shift = chosen.astype(float) @ difference
        for name, estimator in estimators.items():
            if estimator.kind != "percentile":
                yield (
                    name,
                    sums_a.pick(sums_b.total - shift, estimator)
                    - sums_a.pick(sums_a.total + shift, estimator),
                )
        as_a = np.hstack([1 - chosen, chosen])  # A' takes dialogue d from B where it was swapped
        for component, names in _percentile_groups(percentiles).items():
            values, owners = stacked.values(component)
            qs = [float(percentiles[name].q or 0.0) for name in names]
            values_a, values_b = _complementary_percentiles(values, owners, as_a, qs)
            for column, name in enumerate(names):
                yield name, values_b[:, column] - values_a[:, column]


class _SwapTable:
    """A's units followed by B's: weights over 2D units pick, per dialogue, which run it comes from."""

    def __init__(self, a: Table, b: Table) -> None:
        self.a, self.b = a, b
        self.units = [*a.units, *b.units]

    def column(self, name: str) -> np.ndarray:
        return np.concatenate([self.a.column(name), self.b.column(name)])

    def values(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        values_a, owners_a = self.a.values(name)
        values_b, owners_b = self.b.values(name)
        return np.concatenate([values_a, values_b]), np.concatenate([owners_a, owners_b + len(self.a.units)])


def holm(p_values: Mapping[str, float]) -> dict[str, float]:
    """Holm's step-down adjusted p-values (family-wise error control without independence)."""
    names = [name for name, p in sorted(p_values.items(), key=lambda item: item[1]) if np.isfinite(p)]
    adjusted: dict[str, float] = {name: float("nan") for name in p_values}
    running = 0.0
    for rank, name in enumerate(names):
        running = max(running, min(1.0, (len(names) - rank) * p_values[name]))
        adjusted[name] = running
    return adjusted
