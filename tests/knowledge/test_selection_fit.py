"""The selection model's fitting (benchmarks/knowledge_selection.py) on synthetic candidates."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from app.knowledge.selection import FEATURES, SelectionModel, select
from benchmarks.knowledge_selection import (
    _design,
    _folds,
    _logistic,
    _model,
    choose_setting,
    strongest_within_tolerance,
)


def _parts(turns: int = 40, seed: int = 3, dead: bool = False) -> list:
    """Turns of 12 candidates; the gold ones lean along the second embedding dimension, which the
    cosine (the first feature) hardly shows. `dead`: the fourth dimension is ~1e-32 everywhere, as
    some of MiniLM's are."""
    rng = np.random.default_rng(seed)
    parts = []
    for turn in range(turns):
        features = rng.normal(size=(12, len(FEATURES)))
        features[:, FEATURES.index("review")] = (np.arange(12) % 3 > 0).astype(float)
        products = rng.normal(scale=0.1, size=(12, 4))
        if dead:
            products[:, 3] = rng.normal(scale=1e-32, size=12)
        gold_rows = rng.choice(12, size=3, replace=False)
        products[gold_rows, 1] += 0.3
        chunks = [SimpleNamespace(doc_id=f"t{turn}:{row}") for row in range(12)]
        parts.append((chunks, features, products, {f"t{turn}:{row}" for row in gold_rows}))
    return parts


def test_the_fitted_weights_read_raw_columns_as_the_regression_read_scaled_ones() -> None:
    parts = _parts()
    coefficients, intercept, review, faq = _logistic(parts, (0.1, 3.0))
    assert len(coefficients) == len(FEATURES) and len(review) == len(faq) == 4
    # the dimension the gold candidates lean along carries the largest weight, for both kinds
    assert int(np.argmax(review)) == 1 and int(np.argmax(faq)) == 1
    model = _model((coefficients, intercept, review, faq), "m")
    chunks, features, products, gold = parts[0]
    chosen = {chunks[i].doc_id for i, _ in select(features, model, products)}
    assert chosen & gold  # the fitted model finds gold candidates on a fitting turn
    # the same regression on the standardised, boosted columns gives the same logits
    matrix = np.vstack([_design(f, p) for _, f, p, _ in parts])
    labels = [chunk.doc_id in g for c, _, _, g in parts for chunk in c]
    scaler = StandardScaler().fit(matrix)
    boost = np.r_[np.full(len(FEATURES), 3.0), np.ones(8)]
    scaled = LogisticRegression(C=0.1, max_iter=5000).fit(scaler.transform(matrix) * boost, labels)
    expected = scaled.decision_function(scaler.transform(_design(features, products)) * boost)
    probability = model.probabilities(features, products)
    assert np.log(probability / (1 - probability)) == pytest.approx(expected, abs=1e-6)


def test_a_dimension_that_never_varies_gets_no_weight() -> None:
    _, _, review, faq = _logistic(_parts(dead=True), (0.1, 3.0))
    assert review[3] == 0.0 and faq[3] == 0.0  # not 1e30 on noise
    assert all(np.isfinite(review)) and max(map(abs, review)) < 1e3


def test_the_packaged_meaning_weights_are_all_of_a_sane_size() -> None:
    meaning = SelectionModel.packaged().with_meaning
    assert meaning is not None
    weights = np.asarray([*meaning.review_meaning, *meaning.faq_meaning, *meaning.coefficients])
    assert np.all(np.isfinite(weights)) and np.abs(weights).max() < 1e3


def test_the_strongest_penalty_within_tolerance_of_the_best_is_chosen() -> None:
    scores = {(0.001, 1.0): 0.60, (0.003, 3.0): 0.643, (0.01, 3.0): 0.647, (0.03, 1.0): 0.62}
    assert strongest_within_tolerance(scores) == (0.003, 3.0)
    assert strongest_within_tolerance({**scores, (0.003, 3.0): 0.641}) == (0.01, 3.0)  # 0.006 below


def test_every_fold_holds_turns_of_every_slice() -> None:
    slices = ["A"] * 23 + ["B"] * 11
    folds = _folds(slices)
    assert sorted(i for fold in folds for i in fold) == list(range(34))
    for fold in folds:
        assert {slices[i] for i in fold} == {"A", "B"}
        for name in ("A", "B"):  # contiguous within its slice
            own = sorted(i for i in fold if slices[i] == name)
            assert own == list(range(own[0], own[-1] + 1))


def test_the_setting_is_chosen_by_cross_validation_over_the_slices(capsys) -> None:
    parts = _parts(30)
    setting = choose_setting(parts, ["A"] * 20 + ["B"] * 10)
    printed = capsys.readouterr().out
    assert printed.count("cross-validated F1 A ") == 12 and ", B " in printed and "mean" in printed
    assert setting in {(c, w) for c in (0.001, 0.003, 0.01, 0.03) for w in (1.0, 3.0, 10.0)}
