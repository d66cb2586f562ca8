"""Builders for valid and hostile documents: real files made with the real libraries, then tampered with."""

from __future__ import annotations

import io
import zipfile

TEXT = "Order KX-4471 was shipped on 3 March to Dublin by express courier."


def pdf(text: str = TEXT, *, password: str | None = None) -> bytes:
    from fpdf import FPDF

    document = FPDF()
    if password is not None:
        document.set_encryption(owner_password=password + "-owner", user_password=password)
    document.add_page()
    document.set_font("Helvetica", size=12)
    document.multi_cell(0, 10, text)
    return bytes(document.output())


def docx(text: str = TEXT) -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx(text: str = TEXT) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = text
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_extra_entries(office: bytes, entries: dict[str, bytes]) -> bytes:
    """A copy of an Office zip with more members (each compressed as hard as zlib can)."""
    source = zipfile.ZipFile(io.BytesIO(office))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        for name, data in entries.items():
            target.writestr(name, data)
    return buffer.getvalue()


def bomb(office: bytes, inflated_mb: int = 20) -> bytes:
    """A valid Office file carrying a part of zeros that deflates ~1000:1."""
    return with_extra_entries(office, {"word/media/bomb.bin": bytes(inflated_mb * 1024 * 1024)})


def many_parts(office: bytes, count: int = 2_500) -> bytes:
    return with_extra_entries(office, {f"extra/part{i}.xml": b"<a/>" for i in range(count)})


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]
