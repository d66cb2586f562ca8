"""Checks on untrusted input that sit in front of the parsers: names, message text, containers.

`app.attachments` decides *what* a file is (magic bytes, zip parts, decodable text); this module
decides whether it is *safe to hand to a parser at all*. An Office file is a zip archive, and a few
kilobytes of zip can declare gigabytes of XML: markitdown (python-docx, openpyxl, python-pptx)
would inflate it in memory. The zip's central directory is read (cheap, nothing is inflated) and
the file is refused when the declared sizes, the compression ratio or the number of entries are
out of bounds. Python's `zipfile` never inflates a member past its declared size (it fails the CRC
check instead), so bounding the declared sizes bounds the real work.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from app.errors import InputError

MAX_FILENAME_CHARS = 200
_ALLOWED_CONTROLS = frozenset("\n\r\t")
_PDF_ENCRYPT = re.compile(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)")


@dataclass(frozen=True)
class ArchiveLimits:
    """How much an Office document (a zip) may expand to before it is parsed."""

    max_total_bytes: int = 100 * 1024 * 1024
    max_ratio: float = 200.0
    max_entries: int = 2_000


DEFAULT_ARCHIVE_LIMITS = ArchiveLimits()


def check_filename(filename: str) -> str:
    """The name as given when it is a plain file name; InputError for paths and control characters.

    A name is only ever shown and stored as a label (bytes are kept by hash), but a name such as
    `../../etc/passwd` or one with a newline or an ANSI escape is a sign of a hostile client and
    would confuse logs and people, so it is refused with a reason rather than silently rewritten.
    """
    name = (filename or "").strip()
    if not name:
        raise InputError("The file has no name.")
    if any(_is_control(char, allowed=frozenset()) for char in name):
        raise InputError("The file name contains control characters; please rename the file.")
    if "/" in name or "\\" in name or name in (".", ".."):
        shown = name[-60:]
        raise InputError(f"The file name {shown!r} contains a folder path; send the file under a plain name.")
    if len(name) > MAX_FILENAME_CHARS:
        raise InputError(f"The file name is {len(name)} characters long; the limit is {MAX_FILENAME_CHARS}.")
    return name


def check_message_text(text: str) -> str:
    """Refuse text that cannot be stored or shown faithfully: NUL and other control bytes, lone surrogates.

    The length limit is checked by the caller (it depends on the settings); this is about content.
    """
    if any(_is_control(char) for char in text):
        raise InputError(
            "The message contains control characters or binary data; please send plain text "
            "(attach files with the paperclip instead of pasting them)."
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("The message contains broken Unicode characters; please retype it.") from None
    return text


OFFICE_KINDS = frozenset({"docx", "xlsx", "pptx"})


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


def _is_control(char: str, allowed: frozenset[str] = _ALLOWED_CONTROLS) -> bool:
    """C0/C1 control characters (NUL, escape, newline, ...) other than those `allowed`."""
    return char not in allowed and unicodedata.category(char) == "Cc"
