"""Agent fixtures: a small real knowledge base (ingested once per session) and a desk per test.

The knowledge base lives in its own data folder so every test can have a fresh SQLite database
while the embedding model and the Chroma collection are built only once.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

CORPUS = {
    "billing/plans": (
        "Club plans and prices",
        # plans named in headings, as in the demo help centre: the offline model's vocabulary reads them there
        "# Club plans\n\n## Plus\n\nThe Plus plan costs $12 per month, free standard delivery included.\n\n"
        "## Premium\n\nThe Premium plan costs $20 per month and adds next-day delivery and priority support.",
    ),
    "account/reset-password": (
        "Reset your password",
        "# Reset your password\n\nTo reset your password, open Settings, choose Security and select "
        "Reset password. We email you a link that is valid for 30 minutes.",
    ),
    "returns/refund-timing": (
        "When you get your refund",
        "# Refund timing\n\nOnce your return arrives at our warehouse, refunds are issued within 5 working "
        "days to the original payment method.",
    ),
}


def write_corpus(folder: Path) -> Path:
    """The test corpus as markdown files, laid out like the demo help centre."""
    for doc_id, (_title, text) in CORPUS.items():
        path = folder / f"{doc_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def kb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("agent-kb")


@pytest.fixture(scope="session")
def kb_settings(kb_dir: Path):
    from app.settings import load_settings

    return load_settings(
        data_dir=kb_dir / "data", knowledge_dir=write_corpus(kb_dir / "corpus"), environment="test"
    )


@pytest.fixture(scope="session")
def kb(kb_settings):
    """A real KnowledgeBase (Chroma + BM25 + the offline embedder) over the test corpus."""
    from app.knowledge.base import KnowledgeBase

    base = KnowledgeBase.from_settings(kb_settings)
    summary = base.ingest_path(kb_settings.knowledge_dir)
    assert summary.chunks >= len(CORPUS)
    return base


@pytest.fixture
def desk(settings, kb):
    """A SupportDesk with the offline model, a fresh SQLite database and the shared knowledge base."""
    from app.agent.desk import SupportDesk

    service = SupportDesk.from_settings(settings, kb=kb)
    yield service
    service.close()


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (anyio's pytest plugin), as the app does."""
    return "asyncio"


@pytest.fixture(scope="session")
def embedder():
    """The offline MiniLM model behind the answer tests' embedder interface (loaded once)."""
    from tests.agent.test_offline_client import MiniLM

    return MiniLM()


def demo_articles_kb(folder: Path, articles: Sequence[str]):
    """A real KnowledgeBase over some of the demo help centre's articles (paths under
    datasets/knowledge_base, with their extension), ingested into `folder`."""
    from app.knowledge.base import KnowledgeBase
    from app.settings import load_settings

    source = Path(__file__).resolve().parents[2] / "datasets" / "knowledge_base"
    for article in articles:
        target = folder / "corpus" / article
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source / article, target)
    settings = load_settings(data_dir=folder / "data", knowledge_dir=folder / "corpus", environment="test")
    base = KnowledgeBase.from_settings(settings)
    assert base.ingest_path(settings.knowledge_dir).chunks >= len(articles)
    return base
