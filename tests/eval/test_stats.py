"""Bootstrap intervals and paired tests over dialogues: coverage, narrowing, and agreement with scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from eval import stats
from eval.samples import Samples
from eval.stats import Estimator

MEAN = Estimator("mean", ("score:sum", "score:count"))
F1 = Estimator("binary_f1", ("tp", "fp", "fn"))


def clustered(units: int, rng: np.random.Generator, *, p: float = 0.7, shift: float = 0.0) -> Samples:
    """Dialogues of 1-5 turns whose pass rate varies by dialogue (Beta around p): clustered data."""
    counts = rng.integers(1, 6, size=units).astype(float)
    rates = np.clip(rng.beta(7 * p / (1 - p), 7, size=units) + shift, 0, 1)
    sums = rng.binomial(counts.astype(int), rates).astype(float)
    columns = {"score:sum": sums, "score:count": counts}
    return Samples([f"d{i}" for i in range(units)], columns, {"score": MEAN})


def confusion(units: int, rng: np.random.Generator) -> Samples:
    """Per-dialogue tp/fp/fn of a detector with recall 0.8 and precision 0.8 on 1-4 positives."""
    positives = rng.integers(1, 5, size=units)
    tp = rng.binomial(positives, 0.8)
    fp = rng.binomial(np.maximum(tp, 1), 0.25)
    columns = {"tp": tp.astype(float), "fp": fp.astype(float), "fn": (positives - tp).astype(float)}
    return Samples([f"d{i}" for i in range(units)], columns, {"f1": F1})


def coverage(make, estimator: Estimator, truth: float, *, units: int, trials: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    hits = 0
    for trial in range(trials):
        sample = make(units, rng)
        interval = stats.intervals(sample, {"m": estimator}, resamples=999, seed=trial)["m"]
        hits += interval.low <= truth <= interval.high
    return hits / trials


def test_intervals_cover_the_true_mean_at_about_the_nominal_rate() -> None:
    # Beta(16.33, 7) has mean 0.7 and the turn count is independent of the rate, so the
    # turn-weighted mean converges to 0.7.
    rate = coverage(clustered, MEAN, 0.7, units=60, trials=300, seed=1)
    assert 0.91 <= rate <= 0.985, rate


def test_intervals_cover_a_pooled_f1_recomputed_from_counts() -> None:
    rng = np.random.default_rng(7)
    big = confusion(400_000, rng)
    truth = stats.point(big, F1)  # the population F1 of pooled counts, to within ~0.001
    rate = coverage(confusion, F1, truth, units=80, trials=300, seed=2)
    assert 0.91 <= rate <= 0.985, rate


def test_intervals_narrow_as_dialogues_grow() -> None:
    rng = np.random.default_rng(3)
    widths = {}
    for units in (30, 120, 480):
        runs = [stats.intervals(clustered(units, rng), {"m": MEAN}, resamples=999)["m"] for _ in range(20)]
        widths[units] = float(np.mean([r.high - r.low for r in runs]))
    assert widths[30] > widths[120] > widths[480]
    assert widths[30] / widths[120] == pytest.approx(2.0, rel=0.2)  # width ~ 1/sqrt(n)


def _index_statistic(sample: Samples, estimator: Estimator):
    """A scipy-style vectorised statistic over unit indices (so scipy resamples dialogues)."""
    matrix = np.column_stack([sample.column(c) for c in estimator.components])

    def statistic(indices: np.ndarray, axis: int = -1) -> np.ndarray:
        rows = np.moveaxis(indices, axis, -1).astype(int)
        return stats.KINDS[estimator.kind][0](matrix[rows].sum(axis=-2))

    return statistic


@pytest.mark.parametrize("method", ["BCa", "percentile"])
@pytest.mark.parametrize("make", [clustered, confusion])
def test_bootstrap_agrees_with_scipy(method: str, make) -> None:
    sample = make(70, np.random.default_rng(11))
    estimator = next(iter(sample.estimators.values()))
    ours = stats.intervals(sample, {"m": estimator}, resamples=20_000)["m"]
    if method == "percentile":  # force our fallback path for comparison
        value = stats.point(sample, estimator)
        weights = stats.bootstrap_weights(70, 20_000, np.random.default_rng(5))
        resampled = stats.evaluate(sample, estimator, weights)
        low, high = np.quantile(resampled, [0.025, 0.975])
        assert value == pytest.approx(ours.value)
    else:
        low, high = ours.low, ours.high
        assert ours.method == "bca"
    theirs = scipy_stats.bootstrap(
        (np.arange(70),),
        _index_statistic(sample, estimator),
        vectorized=True,
        n_resamples=20_000,
        method=method,
        rng=np.random.default_rng(9),
    ).confidence_interval
    width = theirs.high - theirs.low
    assert low == pytest.approx(theirs.low, abs=0.04 * width)
    assert high == pytest.approx(theirs.high, abs=0.04 * width)


def test_weighted_percentile_equals_numpy_on_the_repeated_sample() -> None:
    rng = np.random.default_rng(4)
    values = rng.gamma(2.0, 50.0, size=40)
    owners = rng.integers(0, 12, size=40)
    weights = rng.integers(0, 4, size=(25, 12)).astype(float)
    weights[0] = 1.0
    for q in (0.0, 50.0, 95.0, 100.0):
        ours = stats._percentiles(values, owners, weights, [q])[:, 0]
        for row, got in zip(weights, ours, strict=True):
            repeated = np.repeat(values, row[owners].astype(int))
            expected = np.percentile(repeated, q) if repeated.size else np.nan
            assert got == pytest.approx(expected, nan_ok=True)


def test_randomization_p_agrees_with_scipy_permutation_test() -> None:
    rng = np.random.default_rng(8)
    a = clustered(50, rng)
    b = Samples(a.units, {**a.columns, "score:sum": a.columns["score:sum"].copy()}, a.estimators)
    flips = rng.random(50) < 0.3
    b.columns["score:sum"] = np.minimum(b.columns["score:sum"] + flips, b.columns["score:count"])
    ours = stats.paired(a, b, {"m": MEAN}, permutations=20_000)["m"]
    stacked = np.vstack([np.column_stack([s.column(c) for c in MEAN.components]) for s in (a, b)])

    def statistic(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        sums_x = stacked[np.moveaxis(x, axis, -1).astype(int)].sum(axis=-2)
        sums_y = stacked[np.moveaxis(y, axis, -1).astype(int)].sum(axis=-2)
        return stats._mean(sums_y) - stats._mean(sums_x)

    theirs = scipy_stats.permutation_test(
        (np.arange(50), np.arange(50, 100)),
        statistic,
        permutation_type="samples",
        vectorized=True,
        n_resamples=20_000,
        rng=np.random.default_rng(2),
    )
    assert ours.delta == pytest.approx(theirs.statistic)
    assert ours.p_value == pytest.approx(theirs.pvalue, abs=0.01)
    assert ours.p_value < 0.05 and ours.low > 0


def test_identical_runs_differ_by_nothing_and_are_not_significant() -> None:
    a = confusion(40, np.random.default_rng(1))
    [result] = stats.paired(a, a, {"f1": F1}).values()
    assert (result.delta, result.low, result.high, result.p_value) == (0.0, 0.0, 0.0, 1.0)


def test_holm_step_down() -> None:
    adjusted = stats.holm({"a": 0.01, "b": 0.04, "c": 0.03, "d": 0.005, "e": float("nan")})
    assert adjusted["d"] == pytest.approx(0.02)  # 4 x 0.005
    assert adjusted["a"] == pytest.approx(0.03)  # 3 x 0.01
    assert adjusted["c"] == pytest.approx(0.06)  # 2 x 0.03
    assert adjusted["b"] == pytest.approx(0.06)  # max(0.06, 1 x 0.04): monotone
    assert adjusted["e"] != adjusted["e"]


def test_a_constant_metric_gets_a_degenerate_interval_not_an_error() -> None:
    sample = Samples(["a", "b"], {"s": np.array([1.0, 1.0]), "n": np.array([1.0, 1.0])}, {})
    interval = stats.intervals(sample, {"m": Estimator("mean", ("s", "n"))})["m"]
    assert (interval.value, interval.low, interval.high, interval.method) == (1.0, 1.0, 1.0, "percentile")


def test_percentile_randomization_equals_a_direct_loop() -> None:
    """The fast path (one running sum for A' and B') against building each swapped sample."""
    rng = np.random.default_rng(12)
    units = [f"d{i}" for i in range(15)]
    estimator = Estimator("percentile", ("latency_ms",), q=90.0)

    def run(scale: float) -> Samples:
        owners = rng.integers(0, 15, size=40)
        values = rng.gamma(2.0, scale, size=40)
        return Samples(units, {}, {"p90": estimator}, {"latency_ms": (values, owners)})

    a, b = run(40.0), run(55.0)
    swaps = rng.integers(0, 2, size=(300, 15), dtype=np.int8)
    observed = stats.point(b, estimator) - stats.point(a, estimator)
    ours = stats.randomization_p(a, b, {"p90": estimator}, swaps, {"p90": observed})["p90"]
    hits = 0
    for row in swaps:
        picked_a, picked_b = [], []
        for unit in range(15):
            first, second = (b, a) if row[unit] else (a, b)
            picked_a += list(first.turn_values["latency_ms"][0][first.turn_values["latency_ms"][1] == unit])
            picked_b += list(second.turn_values["latency_ms"][0][second.turn_values["latency_ms"][1] == unit])
        hits += abs(np.percentile(picked_b, 90) - np.percentile(picked_a, 90)) >= abs(observed) - 1e-12
    assert ours == pytest.approx((hits + 1) / 301)
