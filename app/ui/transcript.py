"""Read one stored conversation for display: its messages, attachment names and cited passages.

Shared by the customer chat and the staff console, so both show a conversation the same way.
"""

from __future__ import annotations

import logging
from typing import Any

from app.ui import render
from app.ui.articles import Passage

logger = logging.getLogger(__name__)


def cited_passages(kb: Any | None, records: list[Any]) -> dict[str, str | Passage]:
    """Passage (section and text) for every chunk cited in `records` that the knowledge base still holds."""
    if kb is None:
        return {}
    cited = [citation for record in records for citation in (record.citations or [])]
    passages: dict[str, str | Passage] = {}
    for chunk_id in {str(c["chunk_id"]) for c in cited if c.get("chunk_id")}:
        hit = kb.get_chunk(chunk_id)
        if hit is not None:
            passages[chunk_id] = Passage(hit.section, hit.text)
    return passages


def load_view(store: Any, conversation_id: str, kb: Any | None = None) -> render.ChatView:
    """The conversation as chat messages, with the stored message id behind each rateable answer."""
    records = store.messages.list(conversation_id)
    attachments = store.attachments.list_for_conversation(conversation_id)
    names = {attachment.id: attachment.original_name for attachment in attachments}
    return render.conversation_view(records, cited_passages(kb, records), names)
