"""Evaluation settings: the app's Settings plus a config file and --set overrides, checked strictly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.errors import ConfigError
from eval.config import build_settings, parse_assignments, with_overrides


def test_set_values_are_parsed_as_json_when_possible() -> None:
    assert parse_assignments(["top_k=3", "mmr=true", "retrieval_mode=bm25", "min_score=0.5"]) == {
        "top_k": 3,
        "mmr": True,
        "retrieval_mode": "bm25",
        "min_score": 0.5,
    }


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("topk=3", "unknown setting(s): 'topk' (did you mean 'top_k'?)"),
        ("top_k", "--set expects key=value"),
        ("=3", "--set expects key=value"),
    ],
)
def test_bad_assignments_are_config_errors(assignment: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_assignments([assignment])


def test_invalid_values_name_the_field(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="retrieval_mode"):
        build_settings(assignments=["retrieval_mode=magic"], data_dir=tmp_path)
    with pytest.raises(ConfigError, match="top_k"):
        build_settings(assignments=["top_k=0"], data_dir=tmp_path)


def test_config_file_then_set_override(tmp_path: Path) -> None:
    config = tmp_path / "eval.yaml"
    config.write_text("top_k: 7\nretrieval_mode: dense\nchunk_size: 500\n", encoding="utf-8")
    settings = build_settings(config_file=config, assignments=["top_k=2"], data_dir=tmp_path)
    assert (settings.top_k, settings.retrieval_mode, settings.chunk_size) == (2, "dense", 500)
    config.write_text('{"top_k": 4}', encoding="utf-8")  # JSON is YAML too
    assert build_settings(config_file=config, data_dir=tmp_path).top_k == 4
    config.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="expected a mapping"):
        build_settings(config_file=config)
    with pytest.raises(ConfigError, match="config file not found"):
        build_settings(config_file=tmp_path / "missing.yaml")


def test_with_overrides_validates_the_copy(settings) -> None:
    changed = with_overrides(settings, {"top_k": 9, "retrieval_mode": "bm25"})
    assert (changed.top_k, changed.retrieval_mode, changed.data_dir) == (9, "bm25", settings.data_dir)
    with pytest.raises(ConfigError):
        with_overrides(settings, {"chunk_overlap": 5000})
