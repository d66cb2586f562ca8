"""Did the agent take the right action on each turn: search, escalate, call the expected tools.

Detection and escalation are binary decisions scored with precision, recall and F1 over the
labelled turns (a label of `None` means "not labelled" and the turn is skipped):

- `detection/*`: positives are turns that need knowledge; predicted positives are turns where the
  agent called `search_knowledge_base`.
- `escalation/*`: positives are turns that must be handed to a human; predicted positives are turns
  where the agent escalated.

Empty denominators follow one rule, chosen so that a perfect run scores 1.0 and any mistake scores
below it (sklearn's 0.0-with-a-warning would give a flawless agent 0.0 on a set without
positives, and a gate would read that as a regression):

- precision with nothing predicted positive is 1.0 if there was nothing to find, else 0.0;
- recall with nothing to find is 1.0 if nothing was predicted positive, else 0.0;
- F1 is the harmonic mean, 0.0 when precision + recall is 0.

So no positives and no predictions give 1/1/1; false alarms on a set without positives give 0/0/0.

`tools/accuracy` is the share of turns whose every expected call appears among the actual calls.
An expected call matches an actual call with the same name whose arguments include each expected
argument with an equal value: the expectation names only the arguments that matter (a subset), and
strings compare case-insensitively after trimming, at any depth of lists and mappings. A string
and a number compare as text ("5" equals 5), since models often quote numbers. One actual call may
satisfy several expected calls (counts are not checked). Turns with no expected tools (`None` or an
empty list) are skipped; with no such turn at all the metric is absent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.errors import InputError

SEARCH_TOOL = "search_knowledge_base"


@dataclass(frozen=True)
class Confusion:
    """Counts of a binary decision over the labelled turns."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        predicted = self.tp + self.fp
        if predicted == 0:
            return 1.0 if self.fn == 0 else 0.0
        return self.tp / predicted

    @property
    def recall(self) -> float:
        positives = self.tp + self.fn
        if positives == 0:
            return 1.0 if self.fp == 0 else 0.0
        return self.tp / positives

    @property
    def f1(self) -> float:
        precision, recall = self.precision, self.recall
        return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


def _check_lengths(what: str, gold: Sequence[Any], predicted: Sequence[Any]) -> None:
    if len(gold) != len(predicted):
        raise InputError(f"{what}: {len(gold)} labelled turns but {len(predicted)} predictions")


def confusion(gold: Sequence[bool | None], predicted: Sequence[bool], *, what: str = "labels") -> Confusion:
    """Count a binary decision turn by turn; turns whose gold label is `None` are skipped."""
    _check_lengths(what, gold, predicted)
    tp = fp = fn = tn = 0
    for label, guess in zip(gold, predicted, strict=True):
        if label is None:
            continue
        if label and guess:
            tp += 1
        elif guess:
            fp += 1
        elif label:
            fn += 1
        else:
            tn += 1
    return Confusion(tp=tp, fp=fp, fn=fn, tn=tn)


def binary_scores(gold: Sequence[bool | None], predicted: Sequence[bool], *, prefix: str) -> dict[str, float]:
    """`{prefix}precision|recall|f1` of a binary decision; `{}` when no turn is labelled."""
    counts = confusion(gold, predicted, what=prefix.rstrip("/"))
    if counts.tp + counts.fp + counts.fn + counts.tn == 0:
        return {}
    return {
        f"{prefix}precision": counts.precision,
        f"{prefix}recall": counts.recall,
        f"{prefix}f1": counts.f1,
    }


def detection_scores(needs_knowledge: Sequence[bool | None], searched: Sequence[bool]) -> dict[str, float]:
    """`detection/precision|recall|f1`: did the agent search exactly when knowledge was needed."""
    return binary_scores(needs_knowledge, searched, prefix="detection/")


def escalation_scores(expected: Sequence[bool | None], escalated: Sequence[bool]) -> dict[str, float]:
    """`escalation/precision|recall|f1`: did the agent hand over exactly when it should have."""
    return binary_scores(expected, escalated, prefix="escalation/")


def searched(calls: Sequence[Any]) -> bool:
    """Whether any of a turn's tool calls is the knowledge-base search."""
    return any(call_parts(call)[0] == SEARCH_TOOL for call in calls)


def call_parts(call: Any) -> tuple[str, Mapping[str, Any]]:
    """Read a call given as a mapping (`name`, `arguments`) or an object with those attributes."""
    if isinstance(call, Mapping):
        name, arguments = call.get("name"), call.get("arguments")
    else:
        name, arguments = getattr(call, "name", None), getattr(call, "arguments", None)
    if not isinstance(name, str):
        raise InputError(f"tool call without a name: {call!r}")
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, Mapping):
        raise InputError(f"tool call {name!r}: arguments must be a mapping, got {type(arguments).__name__}")
    return name, arguments


def _normalise(value: Any) -> Any:
    """Comparable form of an argument value: trimmed case-folded text, recursively."""
    if isinstance(value, str):
        return value.strip().casefold()
    if isinstance(value, Mapping):
        return {str(key): _normalise(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(item) for item in value]
    return value


def values_equal(expected: Any, actual: Any) -> bool:
    """Argument equality as documented above (case-insensitive strings, "5" == 5)."""
    left, right = _normalise(expected), _normalise(actual)
    if left == right:
        return True
    scalars = (int, float, bool)
    if (isinstance(left, str) and isinstance(right, scalars)) or (
        isinstance(right, str) and isinstance(left, scalars)
    ):
        return str(left).casefold() == str(right).casefold()
    return False


def call_matches(expected: Any, actual: Any) -> bool:
    """Whether `actual` has the expected name and every expected argument with an equal value."""
    expected_name, expected_args = call_parts(expected)
    actual_name, actual_args = call_parts(actual)
    if expected_name != actual_name:
        return False
    return all(
        key in actual_args and values_equal(value, actual_args[key]) for key, value in expected_args.items()
    )


def turn_tools_ok(expected: Sequence[Any], actual: Sequence[Any]) -> bool:
    """Whether every expected call of a turn appears among its actual calls."""
    return all(any(call_matches(want, got) for got in actual) for want in expected)


def tool_accuracy(
    expected: Sequence[Sequence[Any] | None], actual: Sequence[Sequence[Any]]
) -> dict[str, float]:
    """`tools/accuracy` over the turns that have expected tools; `{}` when none has."""
    _check_lengths("tools", expected, actual)
    outcomes = [turn_tools_ok(want, got) for want, got in zip(expected, actual, strict=True) if want]
    return {"tools/accuracy": sum(outcomes) / len(outcomes)} if outcomes else {}
