"""compose.yaml, checked without Docker: the services exist and the workers are wired to shared state.

Docker cannot run here, so this is the `docker compose config` part we can check: valid YAML,
every service the scale-out needs, each app container pointed at the shared database, Chroma
server, MLflow server and data volume, and every setting it passes one that `Settings` knows.
"""

from __future__ import annotations

import re

import pytest
import yaml
from servers import REPO_ROOT

from app.settings import Settings, load_settings

COMPOSE = REPO_ROOT / "compose.yaml"
APP_SERVICES = ("migrate", "kb-init", "app")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_all_services_of_the_scale_out_are_defined(compose: dict) -> None:
    assert {"postgres", "chroma", "mlflow", "app", "migrate", "kb-init", "proxy"} <= set(compose["services"])
    assert compose["services"]["app"]["deploy"]["replicas"] >= 2


def test_every_app_container_shares_database_vectors_tracking_and_data(compose: dict) -> None:
    for name in APP_SERVICES:
        service = compose["services"][name]
        env = service["environment"]
        assert env["SUPPORT_DATABASE_URL"].startswith("postgresql+psycopg://support:")
        assert env["SUPPORT_DATABASE_URL"].endswith("@postgres:5432/support")
        assert env["SUPPORT_CHROMA_HOST"] == "chroma:8000"
        assert env["MLFLOW_TRACKING_URI"] == "http://mlflow:5000"
        assert "appdata:/data" in service["volumes"] and env["SUPPORT_DATA_DIR"] == "/data"


def test_workers_start_only_after_migration_and_first_ingestion(compose: dict) -> None:
    needs = compose["services"]["app"]["depends_on"]
    assert needs["migrate"]["condition"] == needs["kb-init"]["condition"] == "service_completed_successfully"
    assert compose["services"]["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_no_secret_is_written_into_the_file() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    assert not re.search(r"(PASSWORD|API_KEY):\s*['\"]?[A-Za-z0-9]", text)
    assert "${POSTGRES_PASSWORD:?" in text and "${STAFF_PASSWORD:?" in text


def test_app_environment_is_valid_settings(compose: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the ${...} placeholders filled in, the app's environment builds valid Settings."""
    env = compose["services"]["app"]["environment"]
    known = {f"SUPPORT_{name.upper()}" for name in Settings.model_fields}
    for name, value in env.items():
        filled = re.sub(r"\$\{(\w+)(:?[-?])?([^}]*)\}", _interpolate, str(value))
        monkeypatch.setenv(name, filled)
        if name.startswith("SUPPORT_"):
            assert name in known, f"{name} is not a setting"
    settings = load_settings()
    assert settings.chroma_host == "chroma:8000" and settings.environment == "production"
    assert settings.staff_console_enabled


def _interpolate(match: re.Match[str]) -> str:
    """Compose's ${VAR:-default} gives the default when VAR is unset; ${VAR:?msg} needs a value."""
    operator, rest = match.group(2) or "", match.group(3)
    return rest if operator.endswith("-") else f"{match.group(1).lower()}-example"
