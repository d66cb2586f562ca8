"""Per-dialogue samples: every metric of a scored run is reproduced from its components, the file
round-trips, runs align on shared dialogues, and replays show up as pass rates and flaky dialogues."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from eval import stats
from eval.report import consistency_section, flaky_dialogues
from eval.samples import Samples, align, read_samples, write_samples
from eval.scoring import collect_samples, score_records
from tests.eval.test_scoring_report import records


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory):
    from app.settings import load_settings

    settings = load_settings(data_dir=tmp_path_factory.mktemp("data"), environment="test")
    turns = records()
    metrics = score_records(turns, settings)
    return turns, metrics


def test_every_metric_is_reproduced_from_per_dialogue_components(scored) -> None:
    turns, metrics = scored
    samples = collect_samples(turns, metrics, meta={"scorer_version": "2"})
    assert set(samples.estimators) == set(metrics)  # F1s, DSTC generation, BLEU, pass^1 and latency too
    for name, estimator in samples.estimators.items():
        assert stats.point(samples, estimator) == pytest.approx(metrics[name], abs=1e-9), name
    assert samples.estimators["detection/f1"].kind == "binary_f1"
    assert samples.estimators["generation/bleu"].kind == "bleu_f1"
    assert samples.units == list(dict.fromkeys(r.dialogue_id for r in turns))


def test_a_new_per_turn_metric_gets_intervals_without_new_code(scored) -> None:
    turns, metrics = scored
    for index, record in enumerate(turns):
        record.scores["answers/fact_recall"] = index % 2  # a metric another module might add
    values = [record.scores["answers/fact_recall"] for record in turns]
    samples = collect_samples(turns, {**metrics, "answers/fact_recall": float(np.mean(values))})
    assert samples.estimators["answers/fact_recall"].kind == "mean"
    interval = stats.intervals(samples, samples.estimators)["answers/fact_recall"]
    assert interval.low <= interval.value <= interval.high


def test_an_estimator_that_does_not_reproduce_its_metric_is_dropped(scored) -> None:
    turns, metrics = scored
    samples = collect_samples(turns, {**metrics, "detection/f1": 0.123})
    assert "detection/f1" not in samples.estimators and "detection/recall" in samples.estimators


def test_samples_round_trip_and_align(scored, tmp_path: Path) -> None:
    turns, metrics = scored
    samples = collect_samples(turns, metrics, meta={"dataset_fingerprint": "x"})
    write_samples(tmp_path / "dialogues.json", samples)
    back = read_samples(tmp_path / "dialogues.json")
    assert back.units == samples.units and back.meta == samples.meta
    for estimator in samples.estimators.values():
        assert stats.point(back, estimator) == pytest.approx(stats.point(samples, estimator), abs=1e-8)
    subset = back.select(back.units[::-1][:2])
    left, right, only_a, only_b = align(back, subset)
    assert left.units == right.units == [u for u in back.units if u in subset.units]
    assert only_a == [u for u in back.units if u not in subset.units] and only_b == []
    values, owners = right.values("latency_ms")
    assert len(values) == len(owners) and set(owners) <= {0, 1}


def test_bad_samples_are_explained(tmp_path: Path) -> None:
    from app.errors import InputError

    path = tmp_path / "dialogues.json"
    path.write_text('{"format": 1, "units": ["a"], "columns": {"x": [1, 2]}, "estimators": {}}')
    with pytest.raises(InputError, match="one value per unit"):
        read_samples(path)
    with pytest.raises(InputError, match="not found"):
        read_samples(tmp_path / "missing.json")
    with pytest.raises(InputError, match="not a per-dialogue samples object"):
        Samples.from_json({"format": 9})


def test_replays_give_pass_rates_and_flaky_dialogues(scored) -> None:
    from dataclasses import replace

    turns, _ = scored
    second = [replace(record, repeat=1, scores=dict(record.scores)) for record in turns]
    second[0].scores["detection/correct"] = 0.0  # the first dialogue fails on its second replay
    flaky = flaky_dialogues([*turns, *second])
    assert flaky == {turns[0].dialogue_id: (1, 2)}
    section = "\n".join(consistency_section([*turns, *second]))
    assert (
        "## Consistency over 2 replays" in section and f"| {turns[0].dialogue_id} | 1/2 | 0.50 |" in section
    )
    assert consistency_section(turns) == []


def test_dialogue_turns_become_trec_queries_judged_by_their_gold_ids(scored, tmp_path: Path) -> None:
    from eval import trec

    turns, _ = scored
    run_file, qrels_file = trec.write_records(tmp_path / "run.trec", turns)
    assert qrels_file == tmp_path / "run.qrels"
    judged = [r for r in turns if r.labels.gold_doc_ids]
    qrels = [line.split() for line in qrels_file.read_text().splitlines()]
    assert {q[0] for q in qrels} == {f"{r.dialogue_id}/{r.turn_index}" for r in judged}
    assert all(q[1] == "0" and q[3] == "1" for q in qrels)
    run = [line.split() for line in run_file.read_text().splitlines()]
    first = next(r for r in judged if r.retrieved_doc_ids)
    mine = [row for row in run if row[0] == f"{first.dialogue_id}/{first.turn_index}"]
    assert [row[2] for row in mine] == first.retrieved_doc_ids and mine[0][3] == "1"
    scores = [float(row[4]) for row in mine]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)  # no ties to reorder
