"""DSTC and τ³ importers: public formats in, own-schema dialogues out (with gold ids that match the KB)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.errors import InputError
from app.validation import fit_sentences, split_messages
from eval.cli import main
from eval.datasets import dstc, tau3
from eval.datasets.loader import fingerprint_paths, load_dataset, parse_spec
from eval.datasets.schema import load_jsonl

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "eval"
DSTC = FIXTURES / "dstc_tiny"
TAU3 = FIXTURES / "tau3_tiny"


def test_dstc_instances_become_context_plus_one_scored_turn() -> None:
    dialogues = dstc.load_dialogues(DSTC, "eval_mini")
    assert [d.id for d in dialogues] == [f"eval_mini-0000{i}" for i in range(4)]
    second = dialogues[1]
    assert [(t.role, t.text) for t in second.context] == [
        ("user", "I need a hotel in the north."),
        ("assistant", "Alpha Lodge is a nice guesthouse in the north."),
    ]
    assert second.turns[0].text == "Can I bring my dog to Alpha Lodge?"
    assert second.turns[0].labels.needs_knowledge is True
    assert second.turns[0].labels.gold_doc_ids == ["hotel:0:faq:0"]
    assert dialogues[2].turns[0].labels.gold_doc_ids == ["hotel:1:faq:0", "hotel:1:review:0:0"]
    assert dialogues[0].turns[0].labels.needs_knowledge is False
    assert dialogues[0].turns[0].labels.reference is None


def test_dstc_gold_ids_exist_in_the_imported_knowledge() -> None:
    doc_ids = {doc.doc_id for doc in dstc.load_knowledge(DSTC)}
    gold = {g for d in dstc.load_dialogues(DSTC, "eval_mini") for g in d.turns[0].labels.gold_doc_ids}
    assert gold and gold <= doc_ids


def test_dstc_split_is_found_when_it_is_the_only_one_and_asked_for_otherwise(tmp_path: Path) -> None:
    assert dstc.default_split(DSTC) == "eval_mini"
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        for file in ("logs.json", "labels.json"):
            (tmp_path / name / file).write_text("[]")
    with pytest.raises(InputError, match="split folders found: a, b"):
        dstc.default_split(tmp_path)


def test_dstc_mismatched_logs_and_labels_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "logs.json").write_text(json.dumps([[{"speaker": "U", "text": "hi"}]]))
    (tmp_path / "s" / "labels.json").write_text("[]")
    with pytest.raises(InputError, match=r"1 dialogues in logs\.json but 0 in labels\.json"):
        dstc.load_dialogues(tmp_path, "s")


def test_tau3_tasks_become_single_turn_dialogues() -> None:
    dialogues = tau3.load_dialogues(tau3.tasks_file(TAU3))
    by_id = {d.id: d for d in dialogues}
    assert list(by_id) == ["task_cash_back", "task_fraud", "task_no_docs"]
    cash = by_id["task_cash_back"].turns[0]
    assert "cash back" in cash.text and "playing the role" not in cash.text
    assert cash.labels.gold_doc_ids == ["doc_credit_cards_gold_card_001", "doc_credit_cards_silver_card_001"]
    assert cash.labels.needs_knowledge is True and cash.labels.expect_escalation is False
    assert by_id["task_fraud"].turns[0].labels.expect_escalation is True
    assert by_id["task_no_docs"].turns[0].labels.needs_knowledge is False


def test_tau3_split_selection(tmp_path: Path) -> None:
    assert tau3.tasks_file(TAU3, "dev") == TAU3 / "tasks_dev.json"
    with pytest.raises(InputError, match="splits available: dev"):
        tau3.tasks_file(TAU3, "test")


def test_specs_and_dataset_loading(settings) -> None:
    assert parse_spec("dstc:/x/y") == ("dstc", Path("/x/y"))
    assert parse_spec("data/set.jsonl") == ("jsonl", Path("data/set.jsonl"))
    with pytest.raises(InputError, match="missing path"):
        parse_spec("tau3:")
    dataset = load_dataset(f"dstc:{DSTC}", settings=settings, limit=2)
    assert dataset.split == "eval_mini" and len(dataset.dialogues) == 2
    assert dataset.knowledge.fingerprint == fingerprint_paths([DSTC / "knowledge.json"])
    assert len(list(dataset.knowledge.documents())) == 8
    with pytest.raises(InputError, match="does not exist"):
        load_dataset("dstc:/no/such/folder", settings=settings)


def test_import_command_writes_loadable_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dstc.jsonl"
    assert main(["import", f"dstc:{DSTC}", "--split", "eval_mini", "--output", str(out)]) == 0
    assert "wrote 4 dialogues" in capsys.readouterr().out
    dump = [d.model_dump() for d in load_jsonl(out)]
    assert dump == [d.model_dump() for d in dstc.load_dialogues(DSTC, "eval_mini")]
    out = tmp_path / "tau3.jsonl"
    assert main(["import", f"tau3:{TAU3}", "--limit", "2", "--output", str(out)]) == 0
    assert [d.id for d in load_jsonl(out)] == ["task_cash_back", "task_fraud"]
    assert main(["import", str(FIXTURES / "tiny.jsonl"), "--output", str(out)]) == 2
    assert "expects dstc:PATH or tau3:PATH" in capsys.readouterr().err


def test_tau3_briefs_longer_than_a_message_are_sent_as_several_messages() -> None:
    """A brief over the chat's limit is not cut short: a request for a person at its end still
    reaches the agent, in the last message, and only that one must be handed over."""
    whole = {d.id: d for d in tau3.load_dialogues(tau3.tasks_file(TAU3))}
    parts = {d.id: d for d in tau3.load_dialogues(tau3.tasks_file(TAU3), max_chars=60)}
    fraud = parts["task_fraud"]
    assert "split" in fraud.tags and len(fraud.turns) > 1
    assert all(len(turn.text) <= 60 for turn in fraud.turns)
    assert " ".join(turn.text for turn in fraud.turns) == whole["task_fraud"].turns[0].text
    assert fraud.turns[-1].text.endswith("You want a human to freeze the card.")
    assert [turn.labels.expect_escalation for turn in fraud.turns] == [None] * (len(fraud.turns) - 1) + [True]
    assert fraud.turns[0].labels.gold_doc_ids == ["doc_disputes_fraud_001"]
    assert fraud.turns[-1].labels.needs_knowledge is None
    # no part of a story that ends without a person may be handed over
    assert {turn.labels.expect_escalation for turn in parts["task_cash_back"].turns} == {False}
    assert "split" not in parts["task_no_docs"].tags
    assert split_messages("One. Two three. Four", 12) == ["One.", "Two three.", "Four"]
    assert fit_sentences("Suspect fraud now", 12) == "Suspect"
    assert fit_sentences("abcdefghij", 4) == "abcd"
