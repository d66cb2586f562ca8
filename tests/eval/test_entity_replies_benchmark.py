"""The entity-reply re-scoring benchmark (benchmarks/entity_replies.py) on the tiny DSTC11 fixture:
a saved run's entity replies are re-composed from its selections and re-scored. No LLM; the
composer reads opinions with the real VADER analyser."""

from __future__ import annotations

from pathlib import Path

from benchmarks.entity_replies import half_of, passages_of, recompose, scores

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "eval" / "dstc_tiny"


def record(
    selected: list[str], response: str, *, searched: bool, gold: list[str], reference: str | None
) -> dict:
    labels = {"needs_knowledge": bool(gold), "gold_doc_ids": gold, "reference": reference}
    return {
        "query": "Does Bright Inn have free wifi in the rooms?",
        "searched": searched,
        "selected_doc_ids": selected,
        "response": response,
        "labels": labels,
    }


def test_selected_entity_snippets_are_recomposed_and_other_replies_kept() -> None:
    reference = "Yes, Bright Inn has free wifi in every room, and guests say it is fast."
    gold = ["hotel:1:faq:0", "hotel:1:review:0:0"]
    records = [
        record(gold, "An old reply [1][2].", searched=True, gold=gold, reference=reference),
        record([], "I can't book tables here.", searched=False, gold=[], reference=None),
    ]
    assert recompose(records, passages_of(FIXTURE)) == 1
    assert records[0]["response"].startswith("Yes, Bright Inn offers free wifi in all rooms [1].")
    assert records[0]["response"].endswith("Would you like to book a room?")  # reviews: the next step
    assert records[1]["response"] == "I can't book tables here."
    found = scores(records)
    assert found["selection/f1"] == 1.0
    assert 0.2 < found["generation/rouge_l"] < 1.0


def test_the_halves_are_fixed_and_keep_a_dialogue_together() -> None:
    opening = "I need a hotel in the north."
    assert half_of(opening) == half_of(opening) in (0, 1)
    halves = {half_of(f"opening {i}") for i in range(20)}
    assert halves == {0, 1}
