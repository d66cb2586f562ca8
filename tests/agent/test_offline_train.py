"""The shipped intent model is what the training command produces from the data in the repository."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.agent.providers import offline_train
from app.agent.providers.offline_intents import LABELS, IntentModel

REPO = Path(__file__).resolve().parents[2]


def public_folder() -> Path | None:
    """The DSTC dev slices the shipped model was trained with, where this checkout has them."""
    for candidate in (REPO.parent / "shared" / "datasets", REPO.parent.parent / "shared" / "datasets"):
        if candidate.is_dir():
            return candidate
    return None


def test_the_artifact_is_plain_arrays_with_every_label() -> None:
    model = IntentModel.load()
    assert model.labels == list(LABELS) and model.dimension == 384
    with np.load(REPO / "app/agent/providers/offline_intents.npz", allow_pickle=False) as data:
        assert all(data[name].dtype != object for name in data.files)


def test_retraining_reproduces_the_validation_scores(tmp_path: Path) -> None:
    shipped = IntentModel.load()
    public = public_folder()
    extra, used = offline_train.public_examples(public) if public else ([], [])
    if used != shipped.info.get("public", []):
        pytest.skip(f"the model was trained with {shipped.info.get('public')}; this checkout has {used}")
    examples = [*offline_train.read_examples(REPO / offline_train.DATA), *extra]
    model, report = offline_train.train(examples, offline_train.embedding_function())
    expected = json.loads((REPO / offline_train.SCORES).read_text(encoding="utf-8"))
    assert report == expected
    assert model.thresholds == shipped.thresholds
    assert model.info["escalate_threshold"] == shipped.info["escalate_threshold"]
    assert model.info["question_margin"] == shipped.info["question_margin"]
    np.testing.assert_allclose(model.coef, shipped.coef, atol=1e-6)
