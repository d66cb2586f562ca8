"""The selection model's fitting (benchmarks/knowledge_selection.py) on synthetic candidates."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from app.knowledge.selection import FEATURES, select
from benchmarks.knowledge_selection import _design, _logistic, _model, choose_setting


def _parts(turns: int = 40, seed: int = 3) -> list:
    """Turns of 12 candidates; the gold ones lean along the second embedding dimension, which the
    cosine (the first feature) hardly shows."""
    rng = np.random.default_rng(seed)
    parts = []
    for turn in range(turns):
        features = rng.normal(size=(12, len(FEATURES)))
        features[:, FEATURES.index("review")] = (np.arange(12) % 3 > 0).astype(float)
        products = rng.normal(scale=0.1, size=(12, 4))
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


def test_the_setting_is_chosen_by_cross_validation_over_the_slices(capsys) -> None:
    parts = _parts(30)
    strength, weight = choose_setting(parts, ["A"] * 20 + ["B"] * 10)
    printed = capsys.readouterr().out
    assert "A " in printed and "B " in printed and "mean" in printed
    assert strength > 0 and weight >= 1
