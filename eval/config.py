"""The settings an evaluation runs with: the app's own `Settings`, plus overrides from a file and `--set`.

The evaluation must measure the configuration the app would run, so it builds the very same
`Settings` object (environment and `.env` included) and only layers explicit overrides on top.
Unknown keys are an error here, although `Settings` ignores them: a misspelt `top_k` in a sweep
would otherwise measure the default while claiming to measure something else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from app.errors import ConfigError
from app.settings import Settings, load_settings


def parse_assignments(assignments: Iterable[str]) -> dict[str, Any]:
    """`["top_k=3", "mmr=true", "retrieval_mode=bm25"]` → `{"top_k": 3, "mmr": True, ...}`.

    Values are read as JSON when they parse (numbers, booleans, lists, null) and as plain strings
    otherwise; `Settings` then validates and converts them.
    """
    overrides: dict[str, Any] = {}
    for item in assignments:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"--set expects key=value, got {item!r}")
        overrides[key] = _parse_value(raw.strip())
    return check_keys(overrides, origin="--set")


def _parse_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def read_config_file(path: str | Path) -> dict[str, Any]:
    """A YAML or JSON mapping of settings overrides (JSON is valid YAML, so one parser reads both)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML/JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of setting names to values")
    return check_keys(data, origin=str(path))


def check_keys(overrides: Mapping[str, Any], *, origin: str) -> dict[str, Any]:
    """Reject names that are not `Settings` fields, suggesting the closest ones."""
    known = set(Settings.model_fields)
    unknown = sorted(set(overrides) - known)
    if unknown:
        import difflib

        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ConfigError(f"{origin}: unknown setting(s): {', '.join(hints)}")
    return dict(overrides)


def build_settings(
    *, config_file: str | Path | None = None, assignments: Iterable[str] = (), **overrides: Any
) -> Settings:
    """Environment < config file < keyword overrides < `--set`; invalid values raise ConfigError."""
    merged: dict[str, Any] = {}
    if config_file is not None:
        merged.update(read_config_file(config_file))
    merged.update(check_keys(overrides, origin="overrides"))
    merged.update(parse_assignments(assignments))
    return load_settings(**merged)


# Where and how a run executes, not what it computes: left out of the configuration compared between runs.
RUNTIME_FIELDS = frozenset(
    {
        "environment", "data_dir", "database_url", "log_level", "log_format", "knowledge_dir", "collection",
        "embedding_device", "embedding_batch_size", "embedding_lru_size", "chroma_host",
        "mlflow_tracking_uri", "mlflow_experiment", "openai_api_key", "azure_openai_api_key", "judge_api_key",
        "rate_limit_per_minute", "host", "port", "staff_username", "staff_password", "otlp_endpoint",
    }
)  # fmt: skip


def behaviour_config(settings: Settings) -> dict[str, Any]:
    """The settings that shape a run's answers and scores (the knowledge folder is covered by the
    dataset fingerprint, which hashes its content)."""
    values = settings.model_dump(mode="json")
    return {name: value for name, value in sorted(values.items()) if name not in RUNTIME_FIELDS}


def config_fingerprint(settings: Settings) -> str:
    """A short hash of `behaviour_config`: equal fingerprints mean identically configured runs."""
    import hashlib

    payload = json.dumps(behaviour_config(settings), sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def is_deterministic(settings: Settings) -> bool:
    """Whether replaying gives the same answers every time: the offline model and no LLM judge."""
    return settings.chat_provider == "offline" and not settings.judge_model


def with_overrides(settings: Settings, overrides: Mapping[str, Any]) -> Settings:
    """A validated copy of `settings` with some fields changed (used by the sweep)."""
    check_keys(overrides, origin="grid")
    values = settings.model_dump()
    values.update(overrides)
    return load_settings(**values)
