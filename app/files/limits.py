"""Checks that sit in front of the parsers: how large a file is, and how large it may become.

`app.files.kinds` decides *what* a file is; this module decides whether it is *safe to hand to a
parser at all*. An Office file is a zip archive, and a few kilobytes of zip can declare gigabytes
of XML: markitdown (python-docx, openpyxl, python-pptx) would inflate it in memory. The zip's
central directory is read (cheap, nothing is inflated) and the file is refused when the declared
sizes, the compression ratio or the number of entries are out of bounds. Python's `zipfile` never
inflates a member past its declared size (it fails the CRC check instead), so bounding the declared
sizes bounds the real work; where members really are inflated (the sandbox, unpacking an upload),
`inflated_chunks` counts the bytes produced, because headers can lie and the count cannot.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from app.errors import InputError
from app.files.kinds import OFFICE_KINDS

_PDF_ENCRYPT = re.compile(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)")
_CHUNK = 1 << 16


@dataclass(frozen=True)
class ArchiveLimits:
    """How much an Office document (a zip) may expand to before it is parsed."""

    max_total_bytes: int = 100 * 1024 * 1024
    max_ratio: float = 200.0
    max_entries: int = 2_000


DEFAULT_ARCHIVE_LIMITS = ArchiveLimits()


def check_size(name: str, data: bytes, max_bytes: int) -> None:
    """Refuse an empty file, or one over `max_bytes`, with the sizes in words a person reads."""
    if not data:
        raise InputError(f"'{name}' is empty.")
    if len(data) > max_bytes:
        raise InputError(f"'{name}' is {_size(len(data))}; the limit is {_size(max_bytes)}.")


def check_parsable(name: str, kind: str, data: bytes, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS) -> None:
    """The checks a file of this kind needs before a parser may open it (zip bombs, encrypted PDFs)."""
    if kind in OFFICE_KINDS:
        check_office_archive(name, data, limits)
    elif kind == "pdf":
        check_pdf(name, data)


def check_office_archive(name: str, data: bytes, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS) -> None:
    """Refuse an Office zip whose declared content is too large, too compressed or too fragmented."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        raise InputError(f"'{name}' is not a valid Office file; it may be damaged or renamed.") from None
    if len(entries) > limits.max_entries:
        raise InputError(f"'{name}' holds {len(entries)} parts; at most {limits.max_entries} are accepted.")
    inflated = sum(entry.file_size for entry in entries)
    if inflated > limits.max_total_bytes:
        raise InputError(
            f"'{name}' would expand to {inflated // (1024 * 1024)} MB; "
            f"at most {limits.max_total_bytes // (1024 * 1024)} MB are accepted."
        )
    compressed = max(1, sum(entry.compress_size for entry in entries))
    if inflated / compressed > limits.max_ratio:
        raise InputError(
            f"'{name}' is compressed {inflated / compressed:.0f}:1, which looks like a zip bomb; "
            "it was not opened."
        )


def check_pdf(name: str, data: bytes) -> None:
    """Refuse a password-protected PDF up front with a message the customer can act on."""
    if _PDF_ENCRYPT.search(data):
        raise InputError(f"'{name}' is password-protected; please send an unprotected copy.")


def inflated_chunks(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int, refusal: str
) -> Iterator[bytes]:
    """The member's content, chunk by chunk; InputError(`refusal`) once more than `budget` bytes came out."""
    produced = 0
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            produced += len(chunk)
            if produced > budget:
                raise InputError(refusal)
            yield chunk


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"
