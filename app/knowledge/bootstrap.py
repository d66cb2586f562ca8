"""First-run setup: make sure the demo knowledge base is there before the first question."""

from __future__ import annotations

import logging

from app.knowledge.base import KnowledgeBase
from app.knowledge.documents import IngestSummary
from app.settings import Settings

logger = logging.getLogger(__name__)


def ensure_knowledge(kb: KnowledgeBase, settings: Settings) -> IngestSummary | None:
    """Ingest settings.knowledge_dir when the knowledge base is empty; None when nothing was needed."""
    if not kb.is_empty():
        return None
    if not settings.knowledge_dir.exists():
        logger.warning(
            "knowledge base empty and no knowledge_dir", extra={"path": str(settings.knowledge_dir)}
        )
        return None
    summary = kb.ingest_path(settings.knowledge_dir, prune=False)
    logger.info(
        "knowledge base bootstrapped", extra={"path": str(settings.knowledge_dir), "chunks": summary.chunks}
    )
    return summary
