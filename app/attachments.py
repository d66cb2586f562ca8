"""Checking and reading files a customer uploads, before anything is stored.

An upload is accepted only when its *content* matches an allowed type: the name's extension is a
claim, the bytes are the proof (a PDF starts with `%PDF-`, an Office file is a zip with the parts
that type needs, a text file decodes as UTF-8). Text is extracted once, with markitdown, when the
file arrives; the agent later reads that text, never the file.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from app.errors import InputError
from app.extraction import DEFAULT_LIMITS, ExtractionLimits, extract_markdown
from app.validation import check_filename, check_parsable

logger = logging.getLogger(__name__)

MAX_EXTRACTED_CHARS = 200_000  # what is kept of a document's text; the tool shows less

MEDIA_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "html": "text/html",
    "txt": "text/plain",
    "md": "text/markdown",
    "csv": "text/csv",
    "json": "application/json",
}
_OFFICE_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
_TEXT_TYPES = {"html", "txt", "md", "csv", "json"}
_ALIASES = {"htm": "html", "markdown": "md", "text": "txt"}


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check, with the text the agent will be able to read."""

    filename: str
    kind: str  # one of MEDIA_TYPES
    media_type: str
    data: bytes
    text: str


def check_upload(
    filename: str,
    data: bytes,
    *,
    max_bytes: int,
    allowed: list[str],
    limits: ExtractionLimits = DEFAULT_LIMITS,
) -> CheckedUpload:
    """Validate an upload by size, declared type and actual content, then extract its text (sandboxed).

    Raises InputError with a message the customer can act on; nothing has been stored yet.
    """
    name = check_filename(filename)
    if not data:
        raise InputError(f"'{name}' is empty.")
    if len(data) > max_bytes:
        raise InputError(f"'{name}' is {_size(len(data))}; the limit is {_size(max_bytes)}.")
    kind = declared_kind(name)
    if kind not in allowed or kind not in MEDIA_TYPES:
        shown = ", ".join(sorted(t for t in allowed if t in MEDIA_TYPES))
        raise InputError(f"'{name}': files of type '{kind or 'unknown'}' are not accepted ({shown} are).")
    if not content_matches(kind, data):
        raise InputError(f"'{name}' is not a valid {kind.upper()} file; it may be damaged or renamed.")
    check_parsable(name, kind, data)
    text = extract_text(name, kind, data, limits)
    return CheckedUpload(filename=name, kind=kind, media_type=MEDIA_TYPES[kind], data=data, text=text)


def declared_kind(filename: str) -> str:
    """The type a file name claims, normalised (`.HTM` → `html`)."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    return _ALIASES.get(suffix, suffix)


def content_matches(kind: str, data: bytes) -> bool:
    """Whether the bytes really are a file of this kind (magic bytes, zip parts, decodable text)."""
    if kind == "pdf":
        return data[:1024].lstrip().startswith(b"%PDF-")
    if kind in _OFFICE_PARTS:
        return _zip_has(data, _OFFICE_PARTS[kind])
    if kind in _TEXT_TYPES:
        text = _decode_text(data)
        if text is None:
            return False
        if kind == "json":
            try:
                json.loads(text)
            except ValueError:
                return False
        return True
    return False


def extract_text(name: str, kind: str, data: bytes, limits: ExtractionLimits = DEFAULT_LIMITS) -> str:
    """Markdown text of the document, capped; a file that cannot be read is rejected, not stored."""
    plain = kind in {"txt", "md", "csv"}
    text = (
        (_decode_text(data) or "") if plain else extract_markdown(data, kind=kind, name=name, limits=limits)
    )
    text = text.strip()
    if not text:
        raise InputError(f"'{name}' contains no text that could be read (a scanned image, perhaps).")
    return text[:MAX_EXTRACTED_CHARS]


def _zip_has(data: bytes, part: str) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and part in names


def _decode_text(data: bytes) -> str | None:
    """UTF-8 (with or without BOM) text without NUL bytes, or None for binary data."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"
