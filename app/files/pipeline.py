"""From bytes to text in one order for every caller: name, size, type by content, limits, extraction.

Attachments (`app.attachments`), knowledge ingestion (`app.knowledge.loaders`) and the knowledge
tab's uploads (`app.ui.uploads`, through `app.files.archives`) all read files here; each of them
decides only what to do with the result (store it, index it, stage it).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from app.errors import InputError
from app.files.kinds import MEDIA_TYPES, TABLE_KINDS, content_matches, decode_text
from app.files.limits import check_parsable, check_size
from app.files.names import check_filename, declared_kind
from app.files.sandbox import DEFAULT_LIMITS, ExtractionLimits, extract_markdown
from app.files.tables import rows_with_header
from app.files.wrapping import unwrapped

VERBATIM_KINDS = frozenset({"txt", "md", "csv"})  # read as they are; everything else through markitdown


class WrongContent(InputError):
    """The bytes are not the type the name claims (renamed, damaged, or binary where text was due)."""

    def __init__(self, name: str, kind: str) -> None:
        super().__init__(f"'{name}' is not a valid {kind.upper()} file; it may be damaged or renamed.")
        self.kind = kind


@dataclass(frozen=True)
class FileText:
    """A file that passed every check, with the text read from it."""

    filename: str
    kind: str  # one of MEDIA_TYPES
    media_type: str
    data: bytes
    text: str


@dataclass(frozen=True)
class UploadRules:
    """What an upload may be: its size, the types accepted, and what reading it may cost."""

    max_bytes: int
    accepted: Collection[str]
    limits: ExtractionLimits = DEFAULT_LIMITS


def read_upload(filename: str, data: bytes, rules: UploadRules) -> FileText:
    """Check an uploaded file's name, size and declared type, then read it with `read_text`.

    Raises InputError with a message the sender can act on; nothing has been stored yet.
    """
    name = check_filename(filename)
    check_size(name, data, rules.max_bytes)
    kind = declared_kind(name)
    if kind not in rules.accepted or kind not in MEDIA_TYPES:
        shown = ", ".join(sorted(t for t in rules.accepted if t in MEDIA_TYPES))
        raise InputError(f"'{name}': files of type '{kind or 'unknown'}' are not accepted ({shown} are).")
    text = read_text(name, kind, data, limits=rules.limits)
    return FileText(filename=name, kind=kind, media_type=MEDIA_TYPES[kind], data=data, text=text)


def read_text(
    name: str,
    kind: str,
    data: bytes,
    *,
    limits: ExtractionLimits = DEFAULT_LIMITS,
    verbatim: Collection[str] = VERBATIM_KINDS,
    table_rows: bool = False,
) -> str:
    """The text of a file of a known `kind`: its content proven, its limits checked, then extracted.

    Kinds in `verbatim` are decoded as UTF-8; the others go through markitdown in the sandbox.
    With `table_rows`, tables (CSV, XLSX) come back as one "column: value" line per row, so that
    each row keeps its header wherever a chunker cuts. Raises `WrongContent` when the bytes are
    not what `kind` says, InputError for every other reason the file cannot be read.
    """
    if not content_matches(kind, data):
        raise WrongContent(name, kind)
    check_parsable(name, kind, data)
    if kind in verbatim:
        text = decode_text(data) or ""
    else:
        text = extract_markdown(data, kind=kind, name=name, limits=limits)  # in a sandboxed child
    if kind == "pdf":  # a PDF's lines are its layout's, not its sentences'
        text = unwrapped(text)
    return rows_with_header(text) if table_rows and kind in TABLE_KINDS else text
