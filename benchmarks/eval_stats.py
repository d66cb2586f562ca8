"""Intervals and paired comparison at scale: 5,000 turns x 40 metrics, on 2 cores.

    .venv/bin/python -m benchmarks.eval_stats [--turns 5000] [--metrics 40] [--cores 2]

Two synthetic runs of the same dialogues (1-4 turns each, so about 2,000 dialogues) with the mix
of metric kinds a real run has: means of per-turn scores, precision/recall/F1 from pooled counts
and latency percentiles. Timed: bootstrap intervals of each run (BCa, 2,000 resamples, jackknife
included) and `compare` (paired bootstrap, 5,000-swap randomization test, Holm). Target: under 10 s.
"""

from __future__ import annotations

import argparse
import os
import time

TARGET_SECONDS = 10.0


def limit_cores(cores: int) -> None:
    """BLAS threads and CPU affinity limited to `cores` (set before numpy is imported)."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(cores)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:cores]))


def synthetic_run(turns: int, metrics: int, seed: int, shift: float = 0.0):
    """A run's per-dialogue samples, built the way scoring builds them (`Collector`)."""
    import numpy as np

    from eval.samples import Collector

    rng = np.random.default_rng(seed)
    lengths = np.random.default_rng(0).integers(1, 5, size=turns)  # the same dialogues in both runs
    owners = np.repeat(np.arange(len(lengths)), lengths)[:turns]
    units = [f"d{i}" for i in range(owners.max() + 1)]
    collector = Collector(units)
    means = metrics - 5  # 3 binary metrics (one confusion) and 2 percentiles make up the rest
    difficulty = rng.beta(6, 3, size=len(units))
    for index, owner in enumerate(owners):
        unit = units[owner]
        p = min(1.0, difficulty[owner] + shift)
        for metric in range(means):
            collector.add(f"m{metric}:sum", unit, rng.random() < p)
            collector.add(f"m{metric}:count", unit, 1.0)
        label, guess = rng.random() < 0.3, rng.random() < 0.3 * p + 0.05
        collector.add("d:tp", unit, label and guess)
        collector.add("d:fp", unit, guess and not label)
        collector.add("d:fn", unit, label and not guess)
        collector.add_value("latency_ms", unit, rng.gamma(2.0, 40.0) + index % 7)
    for metric in range(means):
        collector.metric(f"family/m{metric}", "mean", f"m{metric}:sum", f"m{metric}:count")
    for name in ("precision", "recall", "f1"):
        collector.metric(f"detection/{name}", f"binary_{name}", "d:tp", "d:fp", "d:fn")
    for name, q in (("latency/p50_ms", 50.0), ("latency/p95_ms", 95.0)):
        collector.metric(name, "percentile", "latency_ms", q=q)
    return collector.build(None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=5000)
    parser.add_argument("--metrics", type=int, default=40)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    limit_cores(args.cores)
    from eval import stats
    from eval.compare import RunFiles, compare

    started = time.perf_counter()
    a = synthetic_run(args.turns, args.metrics, seed=1)
    b = synthetic_run(args.turns, args.metrics, seed=2, shift=-0.02)
    built = time.perf_counter() - started
    timings = []
    for label, action in (
        ("intervals, run A", lambda: stats.intervals(a, a.estimators)),
        ("intervals, run B", lambda: stats.intervals(b, b.estimators)),
        ("compare A vs B", lambda: compare(RunFiles("A", {}, a), RunFiles("B", {}, b))),
    ):
        start = time.perf_counter()
        result = action()
        timings.append((label, time.perf_counter() - start, result))
    comparison = timings[2][2]
    total = sum(seconds for _, seconds, _ in timings)
    print(f"{len(a.units)} dialogues, {args.turns} turns, {len(a.estimators)} metrics, {args.cores} cores")
    print(f"(building the synthetic samples: {built:.1f} s, not counted)\n")
    print("| step | seconds |")
    print("|---|---|")
    for label, seconds, _ in timings:
        print(f"| {label} | {seconds:.2f} |")
    verdict = "within" if total < TARGET_SECONDS else "OVER"
    print(f"| **total** | **{total:.2f}** ({verdict} the {TARGET_SECONDS:.0f} s target) |")
    worse = sum(1 for row in comparison.rows if row.verdict == "worse")
    print(
        f"\ncompare: {worse} of {len(comparison.rows)} metrics significantly worse (B: 0.02 worse by design)"
    )


if __name__ == "__main__":
    main()
