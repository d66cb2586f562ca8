"""What a file really is, read from its bytes: the name's extension is a claim, the content the proof.

A PDF starts with `%PDF-`, an Office file is a zip with the parts that type needs, a text file
decodes as UTF-8 (and a JSON file parses).
"""

from __future__ import annotations

import io
import json
import zipfile

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
OFFICE_KINDS = frozenset({"docx", "xlsx", "pptx"})
TEXT_KINDS = frozenset({"html", "txt", "md", "csv", "json"})
TABLE_KINDS = frozenset({"csv", "xlsx"})  # rows can become "column: value" lines (app.files.tables)
_OFFICE_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}


def content_matches(kind: str, data: bytes) -> bool:
    """Whether the bytes really are a file of this kind (magic bytes, zip parts, decodable text)."""
    if kind == "pdf":
        return data[:1024].lstrip().startswith(b"%PDF-")
    if kind in _OFFICE_PARTS:
        return _zip_has(data, _OFFICE_PARTS[kind])
    if kind in TEXT_KINDS:
        text = decode_text(data)
        if text is None:
            return False
        if kind == "json":
            try:
                json.loads(text)
            except ValueError:
                return False
        return True
    return False


def decode_text(data: bytes) -> str | None:
    """UTF-8 (with or without BOM) text without NUL bytes, or None for binary data."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _zip_has(data: bytes, part: str) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and part in names
