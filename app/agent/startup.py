"""Building the process's desk: the one place that wires the database, the knowledge base and the
model together for a server (the terminal chat and the evaluation build theirs with
`SupportDesk.from_settings`). The server calls these and never touches the stores itself.
"""

from __future__ import annotations

import logging

from app.agent.desk import SupportDesk
from app.knowledge.base import KnowledgeBase
from app.knowledge.bootstrap import ensure_knowledge
from app.settings import Settings
from app.store import Store

logger = logging.getLogger(__name__)


def prepare_shared_state(settings: Settings) -> None:
    """Migrate the database and fill or restore the knowledge base, before any worker starts."""
    Store.from_settings(settings).close()
    kb = KnowledgeBase.from_settings(settings)
    try:
        ensure_knowledge(kb, settings)
    finally:
        kb.close()


def open_desk(settings: Settings) -> SupportDesk:
    """The process's desk: knowledge restored (or ingested) and the model's warm-up started; the
    desk owns the warm-up (`SupportDesk.warm_answer_units`)."""
    kb = KnowledgeBase.from_settings(settings)
    kb.lost_documents()  # opens the vector store first: a damaged one stops us before any model loads
    desk = SupportDesk.from_settings(settings, kb=kb)
    summary = ensure_knowledge(kb, settings)
    desk.warm_answer_units()  # in the background: startup does not wait for it
    if summary is not None:
        logger.info("demo knowledge base ingested", extra={"summary": summary.line()})
    return desk
