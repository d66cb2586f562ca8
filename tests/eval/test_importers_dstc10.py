"""The DSTC9/DSTC10 knowledge format (entity `docs`, no `doc_type`, domain-wide `*`, ASR n-best)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import InputError
from eval.datasets import dstc

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "eval"
DSTC10 = FIXTURES / "dstc10_tiny"
DSTC11 = FIXTURES / "dstc_tiny"


def test_each_doc_becomes_one_document_named_as_the_labels_name_it() -> None:
    documents = {doc.doc_id: doc for doc in dstc.load_knowledge(DSTC10)}
    assert set(documents) == {"hotel:7:0", "hotel:7:1", "hotel:9:0", "taxi:*:1"}
    parking = documents["hotel:7:0"]
    assert parking.text.startswith("Is there free parking at Acorn Guest House?\n\nYes, parking")
    assert parking.metadata["entity"] == "Acorn Guest House"
    assert parking.metadata["doc_type"] == "faq"


def test_domain_wide_knowledge_has_no_entity_name() -> None:
    confirmation = {doc.doc_id: doc for doc in dstc.load_knowledge(DSTC10)}["taxi:*:1"]
    assert confirmation.metadata["entity"] == ""
    assert confirmation.metadata["entity_id"] == "*"
    assert "None" not in confirmation.title


def test_gold_snippets_without_doc_type_map_onto_the_imported_documents() -> None:
    dialogues = dstc.load_dialogues(DSTC10, "val_mini")
    gold = [d.turns[0].labels.gold_doc_ids for d in dialogues]
    assert gold == [["hotel:7:0"], ["taxi:*:1"], []]
    assert {g for ids in gold for g in ids} <= {doc.doc_id for doc in dstc.load_knowledge(DSTC10)}
    assert [d.turns[0].labels.needs_knowledge for d in dialogues] == [True, True, False]
    assert dialogues[2].turns[0].labels.reference is None


def test_asr_hypotheses_stay_on_the_turns_with_the_best_as_text() -> None:
    first = dstc.load_dialogues(DSTC10, "val_mini")[0]
    scored = first.turns[0]
    assert scored.text == "umm do they have free parking"
    assert scored.nbest == ["umm do they have free parking", "um do they have three parking"]
    assert first.context[0].nbest[1] == "hi i need a guest house in the nort"
    assert first.context[1].nbest == []  # the system turn was not spoken


def test_the_dstc11_format_is_unchanged() -> None:
    ids = {doc.doc_id for doc in dstc.load_knowledge(DSTC11)}
    assert "hotel:0:faq:0" in ids and "hotel:1:review:0:0" in ids
    assert all(turn.nbest == [] for d in dstc.load_dialogues(DSTC11, "eval_mini") for turn in d.turns)


def test_a_doc_without_body_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "knowledge.json").write_text('{"hotel": {"1": {"name": "X", "docs": {"0": {"title": "t"}}}}}')
    with pytest.raises(InputError, match="body"):
        dstc.load_knowledge(tmp_path)
