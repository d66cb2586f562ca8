"""Embedders: the offline default works; unavailable models fail with a message a person can act on."""

from __future__ import annotations

import numpy as np
import pytest

from app.errors import ModelUnavailableError
from app.knowledge.embedders import DEFAULT_MODEL, load_embedder


def test_default_model_is_offline_normalised_and_shared(embedder) -> None:
    vectors = embedder.embed_documents(["Refunds take five days.", "The sky is blue."])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    query = embedder.embed_query("How long do refunds take?")
    assert query.shape == (384,)
    assert query @ vectors[0] > query @ vectors[1]
    assert load_embedder(DEFAULT_MODEL) is embedder  # loaded once per process
    assert embedder.embed_documents([]).shape == (0, 384)


def test_settings_choose_the_model(settings, embedder) -> None:
    assert load_embedder(settings) is embedder


@pytest.mark.parametrize("name", ["google/embeddinggemma-300m", "some-org/not-a-real-model-xyz"])
def test_hub_models_fail_clearly_when_offline(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(
        ModelUnavailableError, match=f"'{name}' could not be loaded: the Hugging Face hub is disabled"
    ):
        load_embedder(name)


def test_a_missing_local_folder_fails_clearly(tmp_path) -> None:
    with pytest.raises(ModelUnavailableError, match="could not be loaded"):
        load_embedder(str(tmp_path / "no-model-here"))
