"""Attachment metadata and extracted text; the bytes themselves live in the FileStore."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.errors import InputError
from app.store.base import Repository, get_row, require_text
from app.store.models import Attachment, Conversation
from app.store.records import AttachmentRecord, record_from_row

_SHA256 = re.compile(r"[0-9a-f]{64}")


def attachment_record(row: Attachment) -> AttachmentRecord:
    return record_from_row(AttachmentRecord, row)


class AttachmentRepository(Repository):
    def add(
        self,
        *,
        conversation_id: str,
        original_name: str,
        media_type: str,
        size_bytes: int,
        sha256: str,
        stored_path: str,
        extracted_text: str,
        error: str | None = None,
    ) -> AttachmentRecord:
        """Record an upload. `original_name` is kept for display only; files are found by hash."""
        require_text("file name", original_name, max_chars=300)
        require_text("media type", media_type, max_chars=200)
        if not _SHA256.fullmatch(sha256):
            raise InputError(f"sha256 must be 64 lowercase hex characters, got {sha256!r}.")
        if isinstance(size_bytes, bool) or not isinstance(size_bytes, int) or size_bytes < 0:
            raise InputError(f"size_bytes must be a non-negative integer, got {size_bytes!r}.")
        with self._db.session(write=True) as session:
            get_row(session, Conversation, conversation_id, "conversation")
            row = Attachment(
                conversation_id=conversation_id,
                original_name=original_name,
                media_type=media_type,
                size_bytes=size_bytes,
                sha256=sha256,
                stored_path=str(stored_path),
                extracted_text=(extracted_text or "").replace("\x00", ""),  # parsers can emit NUL
                error=error,
            )
            session.add(row)
            session.flush()
            return attachment_record(row)

    def get(self, attachment_id: int) -> AttachmentRecord:
        with self._db.session() as session:
            return attachment_record(get_row(session, Attachment, attachment_id, "attachment"))

    def list_for_conversation(self, conversation_id: str) -> list[AttachmentRecord]:
        """Uploads in the order they arrived."""
        query = (
            select(Attachment).where(Attachment.conversation_id == conversation_id).order_by(Attachment.id)
        )
        with self._db.session() as session:
            return [attachment_record(row) for row in session.scalars(query)]
