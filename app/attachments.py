"""Files a customer attaches to a conversation: read by the file pipeline, kept only when they hold text.

`app.files` proves the type from the bytes, checks the limits and extracts the text (sandboxed);
this module decides what an attachment keeps: the text, capped, and a refusal when there is none.
The agent later reads that text, never the file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from app.errors import InputError
from app.files.pipeline import FileText, UploadRules, read_upload
from app.files.sandbox import DEFAULT_LIMITS, ExtractionLimits

MAX_EXTRACTED_CHARS = 200_000  # what is kept of a document's text; the tool shows less


def check_upload(
    filename: str,
    data: bytes,
    *,
    max_bytes: int,
    allowed: Collection[str],
    limits: ExtractionLimits = DEFAULT_LIMITS,
) -> FileText:
    """The upload, read and checked, with at most MAX_EXTRACTED_CHARS of its text.

    Raises InputError with a message the customer can act on; nothing has been stored yet.
    """
    upload = read_upload(filename, data, UploadRules(max_bytes=max_bytes, accepted=allowed, limits=limits))
    text = upload.text.strip()
    if not text:
        raise InputError(
            f"'{upload.filename}' contains no text that could be read (a scanned image, perhaps)."
        )
    return dataclasses.replace(upload, text=text[:MAX_EXTRACTED_CHARS])
