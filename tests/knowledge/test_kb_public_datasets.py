"""Document importers for the public datasets (skipped where ../shared/datasets is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.errors import InputError
from eval.datasets import dstc, tau3

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
TAU3 = SHARED / "tau3_banking_knowledge"
DSTC = SHARED / "dstc11_track5"


@pytest.mark.skipif(not TAU3.exists(), reason="τ³ dataset not available")
def test_tau3_articles_and_requests() -> None:
    docs = tau3.load_documents(TAU3)
    assert len(docs) == 698 and len({d.doc_id for d in docs}) == 698
    first = next(d for d in docs if d.doc_id == "doc_bank_accounts_bank_accounts_(general)_001")
    assert first.title == "Internal: Opening Personal Checking Accounts" and "## Eligibility" in first.text
    tasks = json.loads((TAU3 / "tasks_dev.json").read_text())
    requests = [tau3.task_request(task) for task in tasks]
    assert requests == [tau3.task_request(task) for task in tasks]  # deterministic
    assert all(len(r) > 50 and "**" not in r and "playing the role" not in r for r in requests)
    assert "credit card" in requests[0]


def test_tau3_structured_instructions_and_errors(tmp_path: Path) -> None:
    task = {
        "user_scenario": {
            "instructions": {
                "domain": "banking",
                "reason_for_call": "My card was declined.",
                "known_info": "I am Ann.",
                "unknown_info": "secret",
                "task_instructions": "Ask for a **replacement** card.",
            }
        }
    }
    assert tau3.task_request(task) == "My card was declined. I am Ann. Ask for a replacement card."
    with pytest.raises(InputError, match=r"no user_scenario\.instructions"):
        tau3.task_request({"id": "t1", "user_scenario": {}})
    with pytest.raises(InputError, match="not found"):
        tau3.load_documents(tmp_path)


@pytest.mark.skipif(not DSTC.exists(), reason="DSTC11 dataset not available")
def test_dstc_snippets_become_documents_with_entity_metadata() -> None:
    docs = {d.doc_id: d for d in dstc.load_knowledge(DSTC)}
    assert len(docs) == 10882
    faq = docs["hotel:20:faq:1"]
    assert faq.title == "HOBSONS HOUSE" and "Check-out time" in faq.text
    assert faq.metadata == {
        "domain": "hotel",
        "entity_id": "20",
        "entity": "HOBSONS HOUSE",
        "doc_type": "faq",
    }
    review = docs["hotel:20:review:0:3"]
    assert (
        review.text == "Nice and quiet, just the way I like it!" and review.metadata["doc_type"] == "review"
    )
    assert dstc.knowledge_doc_id("hotel", 20, "review", 0, 3) == "hotel:20:review:0:3"
