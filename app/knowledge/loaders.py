"""Turn files and folders into `SourceDocument`s.

The file pipeline (`app.files`) proves each file's type, checks its limits and reads its text:
Markdown and text as they are, every other supported format through markitdown (sandboxed), which
yields markdown so that the heading-aware chunker works the same for all of them, and tables as one
"column: value" line per row. This module decides what a document is made of (front matter, title,
id). A file that cannot be read becomes one readable error line; the rest of the folder still loads.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import InputError
from app.files.names import declared_kind
from app.files.pipeline import WrongContent, read_text
from app.knowledge.documents import MetadataValue, SourceDocument

logger = logging.getLogger(__name__)

PLAIN_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
CONVERTED_SUFFIXES = frozenset({".html", ".htm", ".pdf", ".docx", ".pptx", ".xlsx", ".csv", ".json"})
SUPPORTED_SUFFIXES = PLAIN_SUFFIXES | CONVERTED_SUFFIXES
PLAIN_KINDS = frozenset({"md", "txt"})  # read as they are; CSV goes through markitdown, then rows

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
        raw = _read(file)
    except InputError:
        raise
    except Exception as exc:  # markitdown and its parsers raise many types for broken files
        raise InputError(f"{file}: could not be read as {suffix.lstrip('.')} ({_reason(exc)})") from None
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


def _read(file: Path) -> str:
    """The file's text from the pipeline; a file that is not what its name says is named as such."""
    kind = declared_kind(file.name)
    try:
        return read_text(str(file), kind, file.read_bytes(), verbatim=PLAIN_KINDS, table_rows=True)
    except WrongContent:
        if kind in PLAIN_KINDS:
            raise InputError(f"{file}: not UTF-8 text") from None
        raise InputError(f"{file}: could not be read as {kind} (not a valid {kind} file)") from None


def _reason(exc: Exception) -> str:
    """The first line of an exception, short enough for a summary."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first[:200]
