"""The own JSONL schema: valid files load, bad lines are reported with file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.errors import InputError
from eval.datasets.schema import Dialogue, load_jsonl, write_jsonl

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "eval"


def test_tiny_fixture_loads_with_labels_and_context() -> None:
    dialogues = load_jsonl(FIXTURES / "tiny.jsonl")
    assert [d.id for d in dialogues] == ["plans-refunds", "delivery", "password", "human", "greeting"]
    delivery = dialogues[1]
    assert [turn.role for turn in delivery.context] == ["user", "assistant"]
    assert len(delivery.turns) == 2
    assert delivery.turns[0].labels.gold_doc_ids == ["shipping/delivery"]
    assert dialogues[3].turns[0].labels.expect_escalation is True
    assert dialogues[4].turns[0].labels.reference is None


def test_every_bad_line_is_reported_with_its_number_and_field(tmp_path: Path) -> None:
    good = {"id": "a", "turns": [{"text": "hi"}]}
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({"id": "b", "turns": []}),
        json.dumps({"id": "c", "turns": [{"text": "x", "labels": {"needs_knowledge": "maybe"}}]}),
        "",
        json.dumps({"id": "d", "turns": [{"text": "x", "lables": {}}]}),
        json.dumps(good),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_jsonl(path)
    message = str(caught.value)
    assert f"{path}:2: invalid JSON" in message
    assert f"{path}:3: turns: " in message
    assert f"{path}:4: turns[0].labels.needs_knowledge: " in message
    assert f"{path}:6: turns[0].lables: Extra inputs are not permitted" in message
    assert f"{path}:7: id: duplicate of line 1" in message
    assert f"{path}:1:" not in message


def test_missing_and_empty_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_jsonl(tmp_path / "nope.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="no dialogues"):
        load_jsonl(empty)


def test_attachments_resolve_against_the_dataset_folder_and_round_trip(tmp_path: Path) -> None:
    (tmp_path / "files").mkdir()
    path = tmp_path / "set.jsonl"
    path.write_text(
        json.dumps({"id": "x", "turns": [{"text": "see file", "attachment": "files/a.txt"}]}) + "\n"
    )
    [dialogue] = load_jsonl(path)
    assert dialogue.attachment_path(dialogue.turns[0]) == tmp_path / "files" / "a.txt"
    copy = tmp_path / "copy.jsonl"
    assert write_jsonl([dialogue], copy) == 1
    assert "base_dir" not in copy.read_text()
    assert load_jsonl(copy)[0].model_dump(exclude={"base_dir"}) == dialogue.model_dump(exclude={"base_dir"})


def test_dialogue_needs_at_least_one_turn() -> None:
    with pytest.raises(ValueError):
        Dialogue(id="x", turns=[])
