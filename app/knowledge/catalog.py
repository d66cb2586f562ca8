"""The in-memory view of one collection: chunks in order, their filter metadata, BM25, entities.

Built from the manifest (the source of truth for committed chunks) and rebuilt when the
manifest's version changes, so every retriever reads one consistent snapshot.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from app.knowledge.documents import Chunk
from app.knowledge.entities import EntityMatcher
from app.knowledge.filters import matches
from app.knowledge.lexical import LexicalIndex
from app.knowledge.manifest import Manifest
from app.knowledge.vectorstore import ENTITY_KEY, store_metadata
from app.knowledge.vocabulary import Vocabulary

_MASK_CACHE = 64


class Catalog:
    """Chunks of one manifest version with the lookups retrieval needs."""

    def __init__(self, version: str, chunks: list[Chunk], lexical: LexicalIndex) -> None:
        self.version = version
        self.chunks = chunks
        self.lexical = lexical
        self.rows = {chunk.chunk_id: row for row, chunk in enumerate(chunks)}
        self.metadata = [store_metadata(chunk) for chunk in chunks]
        self._masks: OrderedDict[str, np.ndarray] = OrderedDict()

    @classmethod
    def load(cls, manifest: Manifest, lexical_dir: Path) -> Catalog:
        """Read the committed chunks; reuse the saved BM25 index when it is current, else rebuild it."""
        version = manifest.version()
        chunks = manifest.chunks()
        lexical = LexicalIndex.load(lexical_dir, version)
        if lexical is None or lexical.size != len(chunks):
            lexical = LexicalIndex.build([chunk.index_text for chunk in chunks])
            lexical.save(lexical_dir, version)
        return cls(version, chunks, lexical)

    def mask(self, where: dict[str, Any] | None) -> np.ndarray | None:
        """1.0 for rows the filter keeps, 0.0 otherwise (cached: dialogues repeat their filters)."""
        if not where:
            return None
        key = json.dumps(where, sort_keys=True, default=str)
        if key in self._masks:
            self._masks.move_to_end(key)
            return self._masks[key]
        mask = np.fromiter(
            (matches(where, meta) for meta in self.metadata), dtype=np.float32, count=len(self.metadata)
        )
        self._masks[key] = mask
        if len(self._masks) > _MASK_CACHE:
            self._masks.popitem(last=False)
        return mask

    @cached_property
    def document_rows(self) -> dict[str, list[int]]:
        """Each document's chunk rows, in catalogue order."""
        rows: dict[str, list[int]] = {}
        for row, chunk in enumerate(self.chunks):
            rows.setdefault(chunk.doc_id, []).append(row)
        return rows

    @cached_property
    def titles(self) -> dict[str, str]:
        """Each title, lower-cased with its spacing normalised, and the document it belongs to (read
        once per snapshot: a reply that follows a cross-reference looks titles up by name)."""
        titles = {" ".join(chunk.title.lower().split()): chunk.doc_id for chunk in self.chunks}
        titles.pop("", None)
        return titles

    @cached_property
    def entities(self) -> EntityMatcher:
        names = {str(meta[ENTITY_KEY]) for meta in self.metadata if meta.get(ENTITY_KEY)}
        if not names:
            return EntityMatcher(())
        return EntityMatcher(sorted(names), background=(chunk.index_text for chunk in self.chunks))

    @cached_property
    def names(self) -> Vocabulary:
        """The plans, products and countries the articles name in their titles and headings (an
        article that renames a product is read at the next version)."""
        headings = {chunk.title for chunk in self.chunks}
        headings |= {part for chunk in self.chunks for part in chunk.section.split(" > ") if part}
        return Vocabulary.from_headings(sorted(headings), "\n".join(chunk.text for chunk in self.chunks))
