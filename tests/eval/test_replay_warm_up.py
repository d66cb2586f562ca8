"""A replay does not race the answer-unit warm-up: the desk it builds has embedded every help-centre
sentence before the first turn, so a reply reads the same vectors in every run (a sentence embedded in
the warm-up's batch and in a turn's batch differ in the last float bits, enough to flip a near-tie)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from app.store import Store
from eval.datasets.loader import load_dataset
from eval.runner import build_desk, replay_settings
from tests.eval.test_scoring_report import TINY


def test_the_replay_desk_is_warm_before_its_first_turn(settings: Any, tmp_path: Path) -> None:
    dataset = load_dataset(str(TINY), settings=settings)
    desk = build_desk(dataset, replay_settings(settings, tmp_path / "run"), progress=False)
    warmer = desk.warm_answer_units()
    assert warmer is not None
    assert warmer.wait(0)  # already idle: nothing left to embed while turns run
    assert warmer.passes == 1 and warmer.encoded + warmer.found > 0
    desk.close()


def test_a_rerun_into_the_same_folder_starts_from_an_empty_database(settings: Any, tmp_path: Path) -> None:
    """A second run into an output folder used to reopen the first run's replay.db: its customers'
    memory and tickets carried into the new replay (the dataset's customer ids recur)."""
    run = tmp_path / "run"
    run.mkdir()
    for _attempt in range(2):
        store = Store.from_settings(replay_settings(settings, run))
        customer = store.customers.get_or_create("eval-customer")
        store.conversations.create(customer.id)
        store.close()
    with sqlite3.connect(run / "replay.db") as db:
        assert db.execute("SELECT COUNT(*) FROM conversations").fetchone() == (1,)
