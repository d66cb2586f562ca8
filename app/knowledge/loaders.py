"""Turn files and folders into `SourceDocument`s.

Markdown and text are read as they are; every other supported format goes through markitdown,
which yields markdown so that the heading-aware chunker works the same for all of them. A file
that cannot be read becomes one readable error line; the rest of the folder still loads.
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import InputError
from app.extraction import extract_markdown
from app.knowledge.documents import MetadataValue, SourceDocument
from app.knowledge.tables import rows_with_header
from app.validation import check_parsable

logger = logging.getLogger(__name__)

PLAIN_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
CONVERTED_SUFFIXES = frozenset({".html", ".htm", ".pdf", ".docx", ".pptx", ".xlsx", ".csv", ".json"})
SUPPORTED_SUFFIXES = PLAIN_SUFFIXES | CONVERTED_SUFFIXES
TABLE_SUFFIXES = frozenset({".csv", ".xlsx"})  # rows become "column: value" lines (app.knowledge.tables)

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass
class LoadResult:
    """Documents read from a path, plus one error line per file that could not be read."""

    documents: list[SourceDocument] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed_ids: set[str] = field(default_factory=set)


def load_path(path: str | Path) -> LoadResult:
    """Load one file or every supported file under a folder (hidden files and folders skipped).

    Document ids are the path relative to the folder, without extension, in posix form, so the
    same file keeps its id wherever the folder is checked out.
    """
    root = Path(path).expanduser()
    if not root.exists():
        raise InputError(f"Nothing to ingest: {root} does not exist.")
    base = root if root.is_dir() else root.parent
    result = LoadResult()
    for file in iter_files(root):
        doc_id = file.relative_to(base).with_suffix("").as_posix()
        try:
            result.documents.append(load_file(file, doc_id=doc_id))
        except InputError as exc:
            result.errors.append(str(exc))
            result.failed_ids.add(doc_id)
            logger.warning("file not ingested", extra={"path": str(file), "error": str(exc)})
    return result


def iter_files(root: Path) -> Iterator[Path]:
    """Every regular, non-hidden file under `root` in a stable order (or `root` itself)."""
    if root.is_file():
        yield root
        return
    for file in sorted(root.rglob("*")):
        relative = file.relative_to(root).parts
        if file.is_file() and not any(part.startswith(".") for part in relative):
            yield file


def load_file(file: Path, *, doc_id: str | None = None) -> SourceDocument:
    """Read one file into a document; `InputError` says why when it cannot be used."""
    suffix = file.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(s.lstrip(".") for s in SUPPORTED_SUFFIXES))
        raise InputError(f"{file}: unsupported file type '{suffix or '(none)'}' (supported: {supported})")
    try:
        raw = _read_plain(file) if suffix in PLAIN_SUFFIXES else _convert(file)
    except InputError:
        raise
    except Exception as exc:  # markitdown and its parsers raise many types for broken files
        raise InputError(f"{file}: could not be read as {suffix.lstrip('.')} ({_reason(exc)})") from None
    if suffix in TABLE_SUFFIXES:
        raw = rows_with_header(raw)
    metadata, text = split_front_matter(raw)
    if not text.strip():
        raise InputError(f"{file}: no text could be extracted")
    title = str(metadata.pop("title", "")) or first_heading(text) or _title_from_name(file)
    return SourceDocument(
        doc_id=doc_id or file.stem,
        title=title,
        text=text.strip(),
        source=str(file.resolve()),
        metadata=metadata,
    )


def split_front_matter(text: str) -> tuple[dict[str, MetadataValue], str]:
    """Separate a leading `---` block of `key: value` lines from the body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    metadata: dict[str, MetadataValue] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "#")):
            metadata[key.strip()] = _scalar(value.strip().strip("'\""))
    return metadata, text[match.end() :]


def first_heading(text: str) -> str | None:
    """The text of the first markdown heading, if the document has one."""
    match = _HEADING.search(text)
    return match.group(1).strip() if match else None


def _scalar(value: str) -> MetadataValue:
    """Front-matter values as numbers or booleans where they clearly are."""
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


def _title_from_name(file: Path) -> str:
    return re.sub(r"[_\-]+", " ", file.stem).strip().capitalize() or file.name


def _read_plain(file: Path) -> str:
    data = file.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{file}: not UTF-8 text") from None


def _convert(file: Path) -> str:
    _check_container(file)
    kind, data = file.suffix.lower().lstrip("."), file.read_bytes()
    check_parsable(str(file), kind, data)
    return extract_markdown(data, kind=kind, name=file.name)  # in a sandboxed child process


def _check_container(file: Path) -> None:
    """Office files are zip archives and PDFs start with %PDF; markitdown would otherwise fall back
    to reading a damaged file as plain text and index garbage."""
    suffix = file.suffix.lower()
    if suffix in (".docx", ".pptx", ".xlsx") and not zipfile.is_zipfile(file):
        raise InputError(f"{file}: could not be read as {suffix[1:]} (not a valid {suffix[1:]} file)")
    if suffix == ".pdf" and not _head(file).lstrip().startswith(b"%PDF"):
        raise InputError(f"{file}: could not be read as pdf (not a valid pdf file)")


def _head(file: Path, size: int = 1024) -> bytes:
    with file.open("rb") as handle:
        return handle.read(size)


def _reason(exc: Exception) -> str:
    """The first line of an exception, short enough for a summary."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first[:200]
