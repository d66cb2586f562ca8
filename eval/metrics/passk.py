"""pass^k: how reliably the agent solves a task when it meets it again and again (τ-bench).

For a task replayed n times with c successes, pass^k = C(c, k) / C(n, k): the chance that k replays
drawn without replacement from the n all succeed. It is averaged over tasks (Yao et al. 2024,
"τ-bench", eq. 1). pass^1 is the plain success rate; pass^k falls as k grows unless the agent is
consistent, which is the point: a support agent that is right 3 times out of 4 fails every fourth
customer. (pass@k, "at least one of k succeeds", would reward inconsistency instead.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from math import comb

from app.errors import InputError

PREFIX = "tasks/"


def task_pass_hat_k(successes: int, trials: int, k: int) -> float:
    """C(successes, k) / C(trials, k) for one task."""
    if k < 1:
        raise InputError(f"pass^k: k must be at least 1, got {k}")
    if not 0 <= successes <= trials:
        raise InputError(f"pass^k: {successes} successes out of {trials} trials is impossible")
    if trials < k:
        raise InputError(f"pass^k: k={k} needs at least {k} replays per task, a task has {trials}")
    return comb(successes, k) / comb(trials, k)


def pass_hat_k(results: Mapping[str, Sequence[bool]], k: int) -> float:
    """Mean over tasks of pass^k; `results` maps a task id to the outcome of each of its replays."""
    if not results:
        raise InputError("pass^k: no tasks")
    values = [task_pass_hat_k(sum(map(bool, runs)), len(runs), k) for runs in results.values()]
    return sum(values) / len(values)


def pass_hat_k_metrics(
    results: Mapping[str, Sequence[bool]], ks: Iterable[int] | None = None
) -> dict[str, float]:
    """`tasks/pass^1`, `tasks/pass^2`, ... up to the fewest replays of any task (or the given ks)."""
    if not results:
        return {}
    ks = list(ks) if ks is not None else list(range(1, min(len(runs) for runs in results.values()) + 1))
    return {f"{PREFIX}pass^{k}": pass_hat_k(results, k) for k in ks}
