"""Whether a message needs the help centre's articles, or is a transaction they cannot serve.

The router gives `knowledge` (the help centre can answer it) and `booking` (a transaction or a
search by constraints: book a table for four, a hotel's phone number or postcode from the booking
system, a cheap guesthouse in the north) each its own probability. They are fitted as separate
labels, so a message can reach both thresholds: "That place sounds perfect, can I get their phone
number?" reads as a question *and*, far more surely, as a request the booking system answers.
Searching the articles for it finds an unrelated review and the answer is wrong.

Such a message is decided by which reading is surer: it is a transaction when `booking` holds and
its probability exceeds `knowledge`'s by at least the margin calibrated on the validation split
(`calibrate_margin`, the best F1 of the whole "needs knowledge" decision; kept in the model's
info as `transaction_margin`). Nothing here names a phrase: a help centre whose own phone number
is documented ("what's your phone number?") trains `knowledge` on such questions, and the margin
only settles messages the classifier reads as both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
from sklearn.metrics import f1_score

from app.agent.providers.offline.intents import Reading

INFO_KEY = "transaction_margin"
# tried for the margin: never below 0 (a transaction reads *more* surely as a booking than as a
# question, and a message read as both equally is still looked up); larger than any probability
# gap means "never a transaction" (the old behaviour)
MARGINS: tuple[float, ...] = (*np.round(np.arange(0.0, 0.65, 0.05), 2).tolist(), 2.0)


def is_transaction(reading: Reading, margin: float) -> bool:
    """The message reads as a booking or a search by constraints at least `margin` more surely than
    as a question for the help centre (and `booking` reaches its own threshold)."""
    booking = reading.probabilities.get("booking", 0.0)
    return reading.has("booking") and booking - reading.probabilities.get("knowledge", 0.0) >= margin


def needs_knowledge(reading: Reading, margin: float) -> bool:
    """The "needs knowledge" decision on the classifier's reading alone: `knowledge` holds and the
    message is not more surely a transaction."""
    return reading.has("knowledge") and not is_transaction(reading, margin)


def settle(reading: Reading, info: Mapping[str, object]) -> Reading:
    """The reading with `knowledge` withdrawn when the message is a transaction (no margin in the
    model's info: unchanged). Withdrawn, not lowered: a message that nearly reads as a question is
    otherwise still looked up."""
    margin = info.get(INFO_KEY)
    if not isinstance(margin, int | float) or not is_transaction(reading, float(margin)):
        return reading
    return replace(reading, probabilities={**reading.probabilities, "knowledge": 0.0})


def calibrate_margin(readings: Sequence[Reading], gold: Sequence[bool]) -> tuple[float, float]:
    """The margin with the best F1 of `needs_knowledge` on validation readings whose need for
    knowledge is known; ties go to the larger margin (the fewer messages it takes from the search).
    Returns (margin, F1)."""
    truth = np.asarray(gold, dtype=bool)
    best = (-1.0, 0.0)
    for margin in MARGINS:
        predicted = np.array([needs_knowledge(reading, margin) for reading in readings], dtype=bool)
        f1 = float(f1_score(truth, predicted, zero_division=0))
        if (f1, margin) > (best[1], best[0]):
            best = (float(margin), f1)
    return best


QUESTION_KEY = "question_threshold"  # the cosine to a question of the knowledge base that searches
# tried for it (`questions`); 2.0: never
QUESTION_THRESHOLDS: tuple[float, ...] = (*np.round(np.arange(0.50, 0.951, 0.025), 3).tolist(), 2.0)


def asks_known_question(reading: Reading, similarity: float, threshold: float, margin: float) -> bool:
    """The message is as close as `threshold` to a question the knowledge base answers, and the
    classifier does not read it as a transaction (`is_transaction` at the calibrated margin): the
    match adds searches, and never one the classifier is sure is a booking."""
    return similarity >= threshold and not is_transaction(reading, margin)


def with_known_question(reading: Reading, similarity: float, info: Mapping[str, object]) -> Reading:
    """The reading with `knowledge` raised to its threshold (and `booking` withdrawn) when the
    message asks a question the knowledge base answers (`asks_known_question` at the threshold and
    transaction margin in the model's info); unchanged without them or when it already holds."""
    threshold, margin = info.get(QUESTION_KEY), info.get(INFO_KEY)
    if (
        not isinstance(threshold, int | float)
        or not isinstance(margin, int | float)
        or reading.has("knowledge")
    ):
        return reading
    if not asks_known_question(reading, similarity, float(threshold), float(margin)):
        return reading
    return as_question(reading)


def as_question(reading: Reading, floor: float = 0.0) -> Reading:
    """The reading of a message known to be a question for the knowledge base: `knowledge` raised
    to its threshold (and to `floor`), `booking` withdrawn, so `settle` finds no transaction."""
    knowledge = max(
        reading.probabilities.get("knowledge", 0.0), reading.thresholds.get("knowledge", 0.5), floor
    )
    return replace(reading, probabilities={**reading.probabilities, "knowledge": knowledge, "booking": 0.0})


def combined(
    readings: Sequence[Reading], similarities: Sequence[float], margin: float, threshold: float
) -> np.ndarray:
    """The "needs knowledge" decision with the question match: the classifier's, or a match."""
    return np.array(
        [
            needs_knowledge(reading, margin) or asks_known_question(reading, similarity, threshold, margin)
            for reading, similarity in zip(readings, similarities, strict=True)
        ],
        dtype=bool,
    )


# how much F1 the match may cost one source when the mean gains: one or two of its examples. With
# no slack, the classifier with character n-grams switched the match off for one DSTC11 example
# (out of fold 0.947 -> 0.943 at 0.575) although it raised DSTC10 0.862 -> 0.918; on the DSTC10
# half a model never saw (benchmarks.knowledge_detection --split dstc10_track2=2) the match
# raised its F1 0.786 -> 0.867, and cost DSTC11's held-out half 0.963 -> 0.958
FLOOR_TOLERANCE = 0.01


def calibrate_questions(
    readings: Sequence[Reading],
    similarities: Sequence[float],
    gold: Sequence[bool],
    sources: Sequence[str],
    margin: float,
) -> tuple[float, float]:
    """The question threshold with the best mean F1 over the sources (each knowledge base counts
    once, whatever its size: the large one where the match says little must not outvote the one
    where it says much), among those that leave no source more than `FLOOR_TOLERANCE` below the
    classifier's own F1; ties go to the higher threshold (the fewer messages the match changes).
    The readings must be ones the classifier was not fitted on (out-of-fold). Returns (threshold,
    mean F1)."""
    truth = np.asarray(gold, dtype=bool)
    names = np.asarray(sources)
    parts = [names == name for name in sorted(set(sources))]

    def per_source(threshold: float) -> list[float]:
        predicted = combined(readings, similarities, margin, threshold)
        return [float(f1_score(truth[part], predicted[part], zero_division=0)) for part in parts]

    floor = per_source(2.0)
    best = (round(float(np.mean(floor)), 6), 2.0)
    for threshold in QUESTION_THRESHOLDS:
        f1s = per_source(threshold)
        key = (round(float(np.mean(f1s)), 6), threshold)
        if all(f1 >= low - FLOOR_TOLERANCE for f1, low in zip(f1s, floor, strict=True)) and key > best:
            best = key
    return float(best[1]), float(best[0])
