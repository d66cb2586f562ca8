"""The records that flow through the knowledge base: documents in, chunks inside, hits out.

Plain frozen dataclasses so importers, loaders, the retriever and the agent tools share one
vocabulary without depending on Chroma or bm25s types.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath

MetadataValue = str | int | float | bool


def public_source(doc_id: str, source: str) -> str:
    """How a document's source is shown to people and API clients: never a path on the server.

    A file's absolute path becomes its place inside the folder it was ingested from (the document
    id, which is that relative path, plus the file's extension); any other source (a URL, an
    importer's label) is shown as it is.
    """
    for flavour in (PurePosixPath, PureWindowsPath):
        path = flavour(source or "")
        if path.is_absolute():
            return f"{doc_id}{path.suffix}"
    return source


@dataclass(frozen=True)
class SourceDocument:
    """What importers and loaders produce; `text` is markdown.

    `metadata["entity"]`, when present, names the thing the document is about (a hotel, a
    product); entity tracking uses it to focus retrieval on the entity under discussion.
    """

    doc_id: str
    title: str
    text: str
    source: str
    metadata: dict[str, MetadataValue] = field(default_factory=dict)

    def content_hash(self, salt: str = "") -> str:
        """A fingerprint of everything that ends up in the index, so unchanged documents are skipped."""
        payload = json.dumps(
            [self.title, self.text, self.source, sorted(self.metadata.items()), salt], ensure_ascii=False
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Chunk:
    """One indexed piece of a document.

    `text` is the raw passage shown to people; `index_text` adds the title and section path so
    that both the embedding and BM25 see what the passage is about.
    """

    chunk_id: str
    doc_id: str
    position: int
    title: str
    section: str
    text: str
    index_text: str
    source: str
    metadata: dict[str, MetadataValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk; `rank` is 1-based, `score` depends on the mode (higher is better)."""

    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str
    source: str
    score: float
    rank: int
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentInfo:
    """What the manifest knows about an ingested document."""

    doc_id: str
    title: str
    source: str
    chunks: int
    updated_at: str


@dataclass
class IngestSummary:
    """Counts of one ingestion run; `errors` holds one readable line per file that was not ingested."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    skipped: int = 0
    chunks: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The one-line summary printed at the end of an ingestion."""
        text = (
            f"added {self.added}, updated {self.updated}, removed {self.removed}, skipped {self.skipped}; "
            f"{self.chunks} chunks in {self.seconds:.1f}s"
        )
        return f"{text}; {len(self.errors)} error(s)" if self.errors else text
