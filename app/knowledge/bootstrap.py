"""Start-up: bring back what the knowledge base lost, and fill an empty one with the demo help centre.

When the vector store lost vectors (a deleted or damaged Chroma file), the manifest still knows
every document and where it came from: the demo folder, a staff upload kept under
`data_dir/uploads/`, or an importer. Everything whose origin is still on disk is ingested again;
what cannot be restored stays listed as lost, and `/healthz` reports the knowledge base degraded.
"""

from __future__ import annotations

import logging

from app.knowledge.base import KnowledgeBase
from app.knowledge.documents import IngestSummary
from app.settings import Settings

logger = logging.getLogger(__name__)


def ensure_knowledge(kb: KnowledgeBase, settings: Settings) -> IngestSummary | None:
    """Restore lost documents, then ingest settings.knowledge_dir when the knowledge base is empty;
    returns the demo ingestion's summary, None when none was needed."""
    if kb.lost_documents():
        restored = kb.restore_lost()
        still_lost = kb.lost_documents()
        log = logger.error if still_lost else logger.warning
        log(
            "knowledge base restored after losing documents",
            extra={"restored": restored.added, "still_lost": [doc.doc_id for doc in still_lost][:20]},
        )
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
