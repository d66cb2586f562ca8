"""Shared fixtures: every test runs offline, with all state in its own temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Offline and quiet before anything imports huggingface, ragas or mlflow.
for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "RAGAS_DO_NOT_TRACK": "true",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_name, _value)

# Property tests check correctness, not speed: a loaded CI machine must not fail them on timing.
hypothesis_settings.register_profile("project", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("project")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = REPO_ROOT.parent / "shared" / "datasets"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the browser tests last: Playwright's sync API leaves the main thread's event loop marked
    as running, which breaks any later test that calls `asyncio.run`."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's .env or writes into ./data."""
    for name in list(os.environ):
        if name.startswith("SUPPORT_") or name in (
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
            "MLFLOW_TRACKING_URI",
        ):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path: Path):
    """Default settings with the data directory in a fresh temporary folder."""
    from app.settings import load_settings

    return load_settings(
        data_dir=tmp_path / "data",
        knowledge_dir=REPO_ROOT / "datasets" / "knowledge_base",
        environment="test",
    )
