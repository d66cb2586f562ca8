"""Turn latency percentiles.

Percentiles use linear interpolation between closest ranks (numpy's default `method="linear"`,
also Excel's PERCENTILE.INC and `statistics.quantiles(..., method="inclusive")`): it is defined for
any sample size, equals the median at p50, and never reports a value outside the observed range.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from app.errors import InputError

PREFIX = "latency/"


def percentile(values_ms: Iterable[float], q: float) -> float:
    """The q-th percentile (0-100) of the values, linearly interpolated."""
    values = [float(value) for value in values_ms]
    if not values:
        raise InputError("latency: no values to take a percentile of")
    if not 0 <= q <= 100:
        raise InputError(f"latency: percentile must be within 0-100, got {q}")
    if any(math.isnan(value) or value < 0 for value in values):
        raise InputError("latency: values must be non-negative numbers of milliseconds")
    return float(np.percentile(values, q))


def latency_metrics(values_ms: Iterable[float]) -> dict[str, float]:
    """`latency/p50_ms` and `latency/p95_ms`; `{}` when there is no measured turn."""
    values = list(values_ms)
    if not values:
        return {}
    return {f"{PREFIX}p50_ms": percentile(values, 50), f"{PREFIX}p95_ms": percentile(values, 95)}
