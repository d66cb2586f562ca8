"""Entity-tracking accuracy: scored on knowledge turns whose gold documents name one entity."""

from __future__ import annotations

from eval.datasets.schema import TurnLabels
from eval.replay import TurnRecord
from eval.report import tracking_section
from eval.scoring import TRACKING, tracking_metrics


def turn(name: str, gold: str | None, tracked: str, *, knowledge: bool = True) -> TurnRecord:
    labels = TurnLabels(needs_knowledge=knowledge, gold_doc_ids=["x"] if knowledge else [])
    return TurnRecord(name, 0, "q", [], labels, tracked_entity=tracked, gold_entity=gold)


def test_accuracy_counts_the_right_entity_and_domain_wide_turns_tracked_to_none() -> None:
    records = [
        turn("right", "Acorn Guest House", "Acorn Guest House"),
        turn("other", "Acorn Guest House", "Hobsons House"),
        turn("none", "Acorn Guest House", ""),
        turn("taxi", "", ""),  # domain-wide knowledge: focusing on no entity is right
        turn("several", None, "Acorn Guest House"),  # gold snippets of two entities: not judged
        turn("chitchat", "Acorn Guest House", "", knowledge=False),
    ]
    assert tracking_metrics(records) == {TRACKING: 0.5}
    assert [r.scores.get(TRACKING) for r in records] == [1.0, 0.0, 0.0, 1.0, None, None]
    lines = "\n".join(tracking_section(records))
    assert (
        "The right entity on 2 of 4 knowledge turns (0.500); none tracked on 1, another entity on 1." in lines
    )


def test_no_metric_without_entities() -> None:
    records = [turn("plain", "", ""), turn("unjudged", None, "")]
    assert tracking_metrics(records) == {}
    assert tracking_section(records) == []
