"""Build a dataset's knowledge base once and reuse it while nothing that shapes the index changed.

Embedding thousands of snippets dominates an evaluation's start-up, while a sweep over `top_k`
or `retrieval_mode` queries the same index many times. The collection name therefore records a
fingerprint of the source content and of the settings that change the stored vectors (chunking
and embedding model); a marker file written after a complete ingest tells a finished index from
one interrupted half-way.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from eval.datasets.loader import KnowledgeSource

if TYPE_CHECKING:
    from app.knowledge.base import KnowledgeBase
    from app.settings import Settings

logger = logging.getLogger(__name__)

INDEX_SETTINGS = ("chunk_size", "chunk_overlap", "embedding_model")
CACHE_FORMAT = 1


def collection_name(source: KnowledgeSource, settings: Settings, *, ingest: str | None = None) -> str:
    """`eval-dstc-<hash>`: one collection per (source content, chunking, embedding model, ingest code).

    `ingest` (default: `ingest_fingerprint()`) keys the index to the code that reads and chunks the
    files. The chunker version alone is bumped by hand: a trial that changed how files are read, under
    a version number an earlier trial had used, replayed that trial's index and printed its figures.
    """
    shape = {name: getattr(settings, name) for name in INDEX_SETTINGS}
    code = ingest_fingerprint() if ingest is None else ingest
    key = json.dumps(
        {"source": source.fingerprint, "format": CACHE_FORMAT, "ingest": code, **shape}, sort_keys=True
    )
    return f"eval-{source.label}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def ingest_fingerprint() -> str:
    """A hash of the source of the modules that turn files into chunks (app.files, the knowledge
    loaders, documents and chunker): any edit to them builds a new index."""
    import app.files
    import app.knowledge

    knowledge = Path(app.knowledge.__file__).parent
    files = sorted(Path(app.files.__file__).parent.glob("*.py"))
    files += [knowledge / name for name in ("loaders.py", "documents.py", "chunking.py")]
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def marker_path(settings: Settings, collection: str) -> Path:
    return Path(settings.data_dir) / "eval-cache" / f"{collection}.json"


def prepare_knowledge(source: KnowledgeSource, settings: Settings, *, progress: bool = True) -> KnowledgeBase:
    """The knowledge base for `source`, ingested now only if no complete cached index exists."""
    from app.knowledge.base import KnowledgeBase

    collection = collection_name(source, settings)
    kb = KnowledgeBase.from_settings(settings, collection=collection)
    marker = marker_path(settings, collection)
    if marker.is_file() and not kb.is_empty():
        logger.info("knowledge base cached", extra={"collection": collection})
        return kb
    logger.info("building knowledge base", extra={"collection": collection, "source": source.label})
    if source.directory is not None:
        summary = kb.ingest_path(source.directory, prune=True, progress=progress)
    elif source.documents is not None:
        summary = kb.ingest_documents(source.documents(), prune=True, progress=progress)
    else:  # pragma: no cover - a loader bug, not user input
        raise ValueError(f"knowledge source {source.label!r} has neither a folder nor documents")
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(
        json.dumps(
            {
                "collection": collection,
                "chunks": summary.chunks,
                "added": summary.added,
                "seconds": round(summary.seconds, 2),
                "errors": summary.errors[:20],
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    logger.info(
        "knowledge base built",
        extra={"collection": collection, "chunks": summary.chunks, "seconds": round(summary.seconds, 2)},
    )
    return kb
