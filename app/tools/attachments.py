"""Reading files the customer attached to this conversation (text extracted when uploaded)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from agent_framework import FunctionInvocationContext, tool
from pydantic import Field

from app.errors import NotFoundError
from app.protocol import READ_ATTACHMENT_TOOL
from app.tools.runtime import turn_of

if TYPE_CHECKING:
    from app.store import Store

MAX_TOOL_CHARS = 12_000  # what the model sees of one document


class AttachmentReader:
    """Gives the model the extracted text of an attachment, only within its own conversation."""

    def __init__(self, store: Store, *, max_chars: int = MAX_TOOL_CHARS) -> None:
        self.store = store
        self.max_chars = max_chars

    @tool(name=READ_ATTACHMENT_TOOL, approval_mode="never_require")
    def read_attachment(
        self,
        attachment_id: Annotated[int, Field(description="The id in the [Attachment <id>: name] marker.")],
        ctx: FunctionInvocationContext,
    ) -> str:
        """Read the text of a file the customer attached to this conversation."""
        turn = turn_of(ctx)
        try:
            record = self.store.attachments.get(attachment_id)
        except NotFoundError:
            record = None
        if record is None or record.conversation_id != turn.conversation_id:
            return f"There is no attachment {attachment_id} in this conversation."
        if record.error or not record.extracted_text:
            return f"The file '{record.original_name}' could not be read: {record.error or 'no text found'}."
        text = record.extracted_text
        more = len(text) > self.max_chars
        shown = text[: self.max_chars]
        note = f"\n\n(Showing the first {self.max_chars} of {len(text)} characters.)" if more else ""
        return f"File: {record.original_name} ({record.media_type})\n\n{shown}{note}"
