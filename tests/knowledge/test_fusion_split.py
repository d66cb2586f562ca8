"""The τ³ task split the fusion benchmarks fit and validate on: fixed, disjoint, whole."""

from __future__ import annotations

from benchmarks.fusion_weights import split


def test_the_validation_half_is_the_same_tasks_on_every_run() -> None:
    tasks = [f"task-{n}" for n in range(64)]
    fit, validation = split(tasks)
    assert (fit, validation) == split(list(tasks))  # seeded: the same halves again
    assert len(fit) == len(validation) == 32 and not set(fit) & set(validation)
    assert sorted(fit + validation) == sorted(tasks)
    assert fit != tasks[:32]  # shuffled by task, not cut by position
    assert fit == sorted(fit, key=tasks.index)  # each half keeps the tasks' order
