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
    Percentiles work on an (R, turns) matrix, so they go in row blocks that bound the memory.
    """
    if estimator.kind == "percentile":
        values, owners = table.values(estimator.components[0])
        q = float(estimator.q or 0.0)
        block = max(1, CELLS_PER_BLOCK // max(len(values), 1))
        parts = [
            _percentiles(values, owners, weights[i : i + block], q) for i in range(0, len(weights), block)
        ]
        return np.concatenate(parts) if parts else np.empty(0)
    matrix = np.column_stack([table.column(name) for name in estimator.components])
    return KINDS[estimator.kind][0](weights @ matrix)


def _percentiles(values: np.ndarray, owners: np.ndarray, weights: np.ndarray, q: float) -> np.ndarray:
    """numpy's linear-interpolation percentile of the sample in which unit d's values appear
    weights[r, d] times, for every row r at once (NaN for an empty sample)."""
    order = np.argsort(values, kind="stable")
    ordered, counts = values[order], weights[:, owners[order]]
    cumulative = np.cumsum(counts, axis=1)
    size = cumulative[:, -1] if cumulative.shape[1] else np.zeros(len(weights))
    position = (np.maximum(size, 1) - 1) * q / 100.0
    low = np.floor(position)
    fraction = position - low
    last = max(len(ordered) - 1, 0)
    below = np.minimum((cumulative <= low[:, None]).sum(axis=1), last)
    above = np.minimum((cumulative <= (low + 1)[:, None]).sum(axis=1), last)
    if not len(ordered):
        return np.full(len(weights), np.nan)
    result = ordered[below] + fraction * (ordered[above] - ordered[below])
    return np.where(size > 0, result, np.nan)


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
    jack = jackknife_weights(units)
    result = {}
    for name, estimator in estimators.items():
        value = point(table, estimator)
        low, high, method = interval(
            value, evaluate(table, estimator, weights), evaluate(table, estimator, jack), level
        )
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


def _stacked(estimator: Estimator, a: Table, b: Table, weights_a: np.ndarray, weights_b: np.ndarray):
    """delta = metric(B weighted by weights_b) − metric(A weighted by weights_a), row by row."""
    return evaluate(b, estimator, weights_b) - evaluate(a, estimator, weights_a)


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
    jack = jackknife_weights(units)
    result = {}
    for name, estimator in estimators.items():
        value_a, value_b = point(a, estimator), point(b, estimator)
        delta = value_b - value_a
        low, high, method = interval(
            delta,
            _stacked(estimator, a, b, weights, weights),
            _stacked(estimator, a, b, jack, jack),
            level,
        )
        p_value = randomization_p(estimator, a, b, swaps, delta)
        n = max(units_with_data(a, estimator), units_with_data(b, estimator))
        result[name] = PairedResult(value_a, value_b, delta, low, high, p_value, n, method)
    return result


def randomization_p(estimator: Estimator, a: Table, b: Table, swaps: np.ndarray, observed: float) -> float:
    """Share of random A/B swaps (rows of 0/1 per dialogue) whose |delta| reaches the observed one,
    with the +1 correction that makes it a valid p-value."""
    if not np.isfinite(observed):
        return float("nan")
    if observed == 0:
        return 1.0
    tolerance = 1e-12 * max(1.0, abs(observed))
    hits = sum(
        int(np.count_nonzero(np.abs(deltas) >= abs(observed) - tolerance))
        for deltas in _swapped_deltas(estimator, a, b, swaps)
    )
    return float((hits + 1) / (len(swaps) + 1))


def _swapped_deltas(estimator: Estimator, a: Table, b: Table, swaps: np.ndarray):
    """B' − A' for blocks of swap rows. Sums shift by S @ (B − A); percentiles pick each
    dialogue's values from A or B over the two runs stacked."""
    block = max(1, CELLS_PER_BLOCK // max(2 * len(a.units), 1))
    if estimator.kind == "percentile":
        stacked = _SwapTable(a, b)
        for start in range(0, len(swaps), block):
            chosen = swaps[start : start + block].astype(float)
            as_a, as_b = np.hstack([1 - chosen, chosen]), np.hstack([chosen, 1 - chosen])
            yield evaluate(stacked, estimator, as_b) - evaluate(stacked, estimator, as_a)
        return
    combine = KINDS[estimator.kind][0]
    matrix_a = np.column_stack([a.column(name) for name in estimator.components])
    matrix_b = np.column_stack([b.column(name) for name in estimator.components])
    total_a, total_b, difference = matrix_a.sum(axis=0), matrix_b.sum(axis=0), matrix_b - matrix_a
    for start in range(0, len(swaps), block):
        shift = swaps[start : start + block].astype(float) @ difference
        yield combine(total_b - shift) - combine(total_a + shift)


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
