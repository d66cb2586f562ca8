"""The evaluation tab reaches the harness through `app.evaluation`, by name: the app never imports eval."""

from __future__ import annotations

import pytest

from app.errors import ConfigError
from app.evaluation import load_service
from app.ui.eval_tab import parse_overrides
from eval.service import HarnessService


def test_the_tab_finds_the_harness_by_name_and_it_validates_overrides() -> None:
    service = load_service()

    assert isinstance(service, HarnessService)
    assert parse_overrides("top_k=3\n\n# a comment\nretrieval_mode=bm25\n", service) == {
        "top_k": 3,
        "retrieval_mode": "bm25",
    }
    with pytest.raises(ConfigError, match="did you mean 'top_k'"):
        parse_overrides("topk=3", service)


def test_a_missing_service_is_an_import_error_not_a_silent_fallback() -> None:
    with pytest.raises(ModuleNotFoundError):
        load_service("eval.no_such_service:Service")
