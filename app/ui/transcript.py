"""A stored conversation (`app.agent.services.Transcript`) as chat messages.

Shared by the customer chat and the staff console, so both show a conversation the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.ui import render
from app.ui.articles import Passage

if TYPE_CHECKING:
    from app.agent.services import Transcript


def transcript_view(transcript: Transcript) -> render.ChatView:
    """The conversation as chat messages, with the stored message id behind each rateable answer."""
    passages: dict[str, str | Passage] = {
        chunk_id: Passage(hit.section, hit.text) for chunk_id, hit in transcript.passages.items()
    }
    return render.conversation_view(list(transcript.records), passages, transcript.attachment_names)
