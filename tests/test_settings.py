"""Settings: validation messages people can act on, standard variable names, .env, masking."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import AliasChoices

from app.errors import ConfigError
from app.settings import Settings, load_settings, mask_url


def _alias_names() -> set[str]:
    names: set[str] = set()
    for info in Settings.model_fields.values():
        if isinstance(info.validation_alias, AliasChoices):
            names.update(str(choice) for choice in info.validation_alias.choices)
    return names


@pytest.fixture(autouse=True)
def _no_standard_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared fixture clears SUPPORT_*; also clear DATABASE_URL, GRADIO_SERVER_PORT and friends."""
    for name in _alias_names():
        monkeypatch.delenv(name, raising=False)


def test_defaults_run_offline_with_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "d")
    assert settings.chat_provider == "offline"
    assert settings.resolved_database_url == f"sqlite:///{(tmp_path / 'd' / 'support.db').resolve()}"
    assert settings.attachments_dir == tmp_path / "d" / "attachments"


def test_bad_literal_names_field_variable_and_allowed_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORT_RETRIEVAL_MODE", "semantic")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert "retrieval_mode" in message and "SUPPORT_RETRIEVAL_MODE" in message and "'semantic'" in message
    assert all(mode in message for mode in ("'dense'", "'bm25'", "'hybrid'"))


def test_bad_value_through_a_standard_variable_names_both_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADIO_SERVER_PORT", "http")
    with pytest.raises(ConfigError, match=r"port \[SUPPORT_PORT or GRADIO_SERVER_PORT\] \(got 'http'\)"):
        load_settings()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"chunk_size": 200, "chunk_overlap": 200}, "chunk_overlap must be smaller than chunk_size"),
        ({"staff_username": "admin"}, "staff_username and staff_password"),
        ({"chroma_host": "localhost"}, "host:port"),
        ({"top_k": 0}, "top_k"),
        ({"allowed_attachment_types": "[pdf"}, "not a JSON list"),
    ],
)
def test_inconsistent_values_are_explained(overrides: dict, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_settings(**overrides)


def test_standard_variable_names_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-standard-0123456789")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:////tmp/mlflow.db")
    monkeypatch.setenv("GRADIO_SERVER_PORT", "8123")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://app:pw@db/support")
    settings = load_settings()
    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == "sk-standard-0123456789"
    assert settings.resolved_mlflow_uri == "sqlite:////tmp/mlflow.db"
    assert settings.port == 8123
    assert settings.resolved_database_url == "postgresql+psycopg://app:pw@db/support"


def test_prefixed_variable_wins_over_the_standard_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-standard-0123456789")
    monkeypatch.setenv("SUPPORT_OPENAI_API_KEY", "sk-prefixed-0123456789")
    settings = load_settings()
    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == "sk-prefixed-0123456789"


def test_dotenv_file_is_read_and_environment_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        "SUPPORT_TOP_K=9\nSUPPORT_RETRIEVAL_MODE=bm25\nSUPPORT_ALLOWED_ATTACHMENT_TYPES=PDF, .docx\n"
    )
    monkeypatch.setenv("SUPPORT_TOP_K", "3")
    settings = load_settings()  # the shared fixture made tmp_path the working directory
    assert (settings.retrieval_mode, settings.top_k) == ("bm25", 3)
    assert settings.allowed_attachment_types == ["pdf", "docx"]


def test_masked_hides_secrets_and_url_passwords() -> None:
    settings = load_settings(
        openai_api_key="sk-live-0123456789abcdef",
        staff_username="admin",
        staff_password="correct horse",
        database_url="postgresql+psycopg://app:s3cr3t-pw@db.internal:5432/support",
        mlflow_tracking_uri="http://tracker:hunter2@mlflow:5000",
    )
    masked = settings.masked()
    dumped = json.dumps(masked)
    for secret in ("sk-live-0123456789abcdef", "correct horse", "s3cr3t-pw", "hunter2"):
        assert secret not in dumped
    assert masked["openai_api_key"] == masked["staff_password"] == "********"
    assert masked["database_url"] == "postgresql+psycopg://app:********@db.internal:5432/support"
    assert masked["azure_openai_api_key"] is None  # unset stays visibly unset
    assert masked["staff_username"] == "admin"


def test_mask_url_leaves_password_free_urls_alone() -> None:
    assert mask_url("sqlite:////data/support.db") == "sqlite:////data/support.db"
    assert mask_url("postgresql://u:p@h/db") == "postgresql://u:********@h/db"


def _run_app(cwd: Path, *args: str, **env_overrides: str) -> subprocess.CompletedProcess[str]:
    """`python -m app ...` in a clean folder (no stray .env) with only the given settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SUPPORT_") and key not in _alias_names()
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60
    )


def test_config_command_prints_masked_json(tmp_path: Path) -> None:
    result = _run_app(
        tmp_path,
        "config",
        SUPPORT_OPENAI_API_KEY="sk-cli-secret-0123456789",
        DATABASE_URL="postgresql+psycopg://app:db-secret@localhost/support",
        SUPPORT_TOP_K="7",
    )
    assert result.returncode == 0, result.stderr
    assert "sk-cli-secret" not in result.stdout + result.stderr
    assert "db-secret" not in result.stdout + result.stderr
    shown = json.loads(result.stdout)
    assert shown["top_k"] == 7 and shown["openai_api_key"] == "********"


def test_invalid_configuration_exits_2_with_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = _run_app(tmp_path, "config", SUPPORT_RETRIEVAL_MODE="semantic")
    assert result.returncode == 2
    assert "SUPPORT_RETRIEVAL_MODE" in result.stderr and "'hybrid'" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_mask_url_hides_passwords_in_the_query_string() -> None:
    from app.settings import mask_url

    masked = mask_url("postgresql+psycopg://app:hunter2@db:5432/support?sslmode=require&password=s3cret")
    assert "hunter2" not in masked and "s3cret" not in masked
    assert "sslmode=require" in masked and masked.startswith("postgresql+psycopg://app:********@db:5432")


def test_mask_url_hides_signed_and_keyed_query_values_and_bare_credentials() -> None:
    assert (
        mask_url("https://blob.example.com/f?sv=2024&sig=abc123&se=1&key=k1&x=1")
        == "https://blob.example.com/f?sv=2024&sig=********&se=1&key=********&x=1"
    )
    assert mask_url("user:s3cret@db.internal:5432") == "user:********@db.internal:5432"
    assert mask_url("http://ollama:11434") == "http://ollama:11434"


def test_masked_settings_hide_credentials_in_every_url_shaped_field(settings) -> None:
    leaky = settings.model_copy(
        update={
            "ollama_host": "http://me:pw1@ollama:11434",
            "otlp_endpoint": "https://collector.example.com:4318?api_key=pw2",
            "judge_base_url": "https://judge:pw3@judge.example.com/v1",
        }
    )
    shown = str(leaky.masked())
    assert "pw1" not in shown and "pw2" not in shown and "pw3" not in shown
    assert "collector.example.com:4318" in shown
