"""Reliability fixtures: a small real knowledge base built once, and a desk per test on fresh SQLite.

The `scaleout` tests start PostgreSQL, Chroma, MLflow and several app workers; they run only when
SUPPORT_TEST_SCALEOUT=1 (see scripts/scale-out-test.sh).
"""

from __future__ import annotations

import os

import pytest
from corpus import CORPUS, write_corpus

SCALEOUT_ENABLED = os.environ.get("SUPPORT_TEST_SCALEOUT") == "1"  # read before the autouse fixture clears it


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "scaleout: starts PostgreSQL, Chroma, MLflow and app workers (slow)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="scale-out tests need SUPPORT_TEST_SCALEOUT=1 (scripts/scale-out-test.sh)")
    for item in items:
        if "scaleout" in item.keywords and not SCALEOUT_ENABLED:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def rel_kb_settings(tmp_path_factory: pytest.TempPathFactory):
    from app.settings import load_settings

    base = tmp_path_factory.mktemp("rel-kb")
    corpus = write_corpus(base / "corpus")
    return load_settings(data_dir=base / "data", knowledge_dir=corpus, environment="test")


@pytest.fixture(scope="session")
def rel_kb(rel_kb_settings):
    """A real embedded KnowledgeBase (Chroma + BM25 + MiniLM) over the small corpus."""
    from app.knowledge.base import KnowledgeBase

    kb = KnowledgeBase.from_settings(rel_kb_settings)
    assert kb.ingest_path(rel_kb_settings.knowledge_dir).chunks >= len(CORPUS)
    return kb


@pytest.fixture
def desk(settings, rel_kb):
    """The offline desk on a fresh SQLite database, sharing the session's knowledge base."""
    from app.agent.desk import SupportDesk

    service = SupportDesk.from_settings(settings, kb=rel_kb)
    yield service
    service.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
