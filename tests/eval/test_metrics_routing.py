"""Routing metrics: detection, escalation and expected tool calls, edge cases included."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from app.errors import InputError
from eval.metrics.routing import (
    Confusion,
    call_matches,
    detection_scores,
    escalation_scores,
    searched,
    tool_accuracy,
    values_equal,
)


def test_detection_hand_computed() -> None:
    needs = [True, True, True, False, False, None]
    did = [True, True, False, True, False, True]  # tp 2, fn 1, fp 1, tn 1; the None turn is skipped
    scores = detection_scores(needs, did)
    assert scores == {
        "detection/precision": pytest.approx(2 / 3),
        "detection/recall": pytest.approx(2 / 3),
        "detection/f1": pytest.approx(2 / 3),
    }


def test_escalation_hand_computed() -> None:
    scores = escalation_scores([True, False, False, False], [True, True, True, False])
    assert scores["escalation/precision"] == pytest.approx(1 / 3)
    assert scores["escalation/recall"] == 1.0
    assert scores["escalation/f1"] == pytest.approx(2 * (1 / 3) / (1 / 3 + 1))


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (Confusion(tn=5), (1.0, 1.0, 1.0)),  # nothing to find, nothing claimed: perfect
        (Confusion(fp=2, tn=3), (0.0, 0.0, 0.0)),  # false alarms on a set without positives
        (Confusion(fn=2, tn=3), (0.0, 0.0, 0.0)),  # positives, none predicted
        (Confusion(tp=1, fn=1), (1.0, 0.5, 2 / 3)),
    ],
)
def test_empty_denominator_conventions(counts: Confusion, expected: tuple[float, float, float]) -> None:
    assert (counts.precision, counts.recall, counts.f1) == pytest.approx(expected)


def test_no_labelled_turn_gives_no_metric() -> None:
    assert detection_scores([None, None], [True, False]) == {}
    assert escalation_scores([], []) == {}


def test_length_mismatch_is_an_input_error() -> None:
    with pytest.raises(InputError, match="detection: 2 labelled turns but 1 predictions"):
        detection_scores([True, False], [True])
    with pytest.raises(InputError, match="tools"):
        tool_accuracy([[{"name": "a"}]], [])


@dataclass
class Record:
    """Shaped like the agent's ToolCallRecord: attributes rather than a mapping."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    result: str = ""


def test_call_matching_subset_and_case() -> None:
    actual = Record("search_knowledge_base", {"query": "Plus Plan PRICE ", "k": 5})
    assert call_matches({"name": "search_knowledge_base", "arguments": {}}, actual)
    assert call_matches({"name": "search_knowledge_base", "arguments": {"query": "plus plan price"}}, actual)
    assert call_matches({"name": "search_knowledge_base", "arguments": {"k": "5"}}, actual)
    assert not call_matches({"name": "search_knowledge_base", "arguments": {"query": "refunds"}}, actual)
    assert not call_matches({"name": "search_knowledge_base", "arguments": {"missing": 1}}, actual)
    assert not call_matches({"name": "escalate_to_human", "arguments": {}}, actual)


def test_values_equal_nested_and_types() -> None:
    assert values_equal({"Tags": ["A", "b"]}, {"Tags": ["a", "B"]})
    assert values_equal("true", True)
    assert not values_equal(["a"], "a")
    assert not values_equal(1, 2)


def test_tool_accuracy_over_turns_with_expectations() -> None:
    expected = [
        [{"name": "search_knowledge_base", "arguments": {}}],
        [{"name": "search_knowledge_base"}, {"name": "escalate_to_human", "arguments": {"priority": "HIGH"}}],
        [],  # no expectation: skipped
        None,  # no expectation: skipped
        [{"name": "escalate_to_human"}],
    ]
    actual = [
        [Record("search_knowledge_base", {"query": "x"})],
        [Record("search_knowledge_base"), Record("escalate_to_human", {"priority": "high", "reason": "r"})],
        [Record("search_knowledge_base")],
        [],
        [Record("search_knowledge_base")],  # wrong tool
    ]
    assert tool_accuracy(expected, actual) == {"tools/accuracy": pytest.approx(2 / 3)}
    assert tool_accuracy([None, []], [[], []]) == {}


def test_malformed_calls_are_input_errors() -> None:
    with pytest.raises(InputError, match="without a name"):
        call_matches({"arguments": {}}, {"name": "a"})
    with pytest.raises(InputError, match="arguments must be a mapping"):
        call_matches({"name": "a", "arguments": ["x"]}, {"name": "a"})


def test_searched() -> None:
    assert searched([Record("escalate_to_human"), {"name": "search_knowledge_base", "arguments": {}}])
    assert not searched([Record("escalate_to_human")])
    assert not searched([])
