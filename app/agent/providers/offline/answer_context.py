"""The rest of a retrieved article: its other sections, so the answer can come from the right one.

The search returns the best chunk of each document, which is often the section that *sounds* like
the question ("Plus and Premium are paid plans") rather than the one that answers it (the price
table). The offline model reads the other sections of the first few retrieved documents too, each
cited with its document's passage number (so a citation still names the article that was found).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from app.protocol import Passage

MAX_DOCUMENTS = 3
MAX_CHUNKS_PER_DOCUMENT = 12


class ChunkLike(Protocol):
    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str


ChunkLookup = Callable[[str], ChunkLike | None]
TitleLookup = Callable[[str], str | None]  # the document a cross-reference's title names, if one


def with_sections(
    passages: Sequence[Passage],
    chunk: ChunkLookup,
    *,
    documents: int = MAX_DOCUMENTS,
    per_document: int = MAX_CHUNKS_PER_DOCUMENT,
) -> list[Passage]:
    """The passages, then the unseen chunks of the first `documents` documents (ids `doc#position`,
    the chunker's contract), each numbered like its document's first passage."""
    expanded = list(passages)
    seen = {passage.chunk_id for passage in passages}
    first: dict[str, Passage] = {}
    for passage in passages:
        if passage.doc_id and passage.doc_id not in first and "#" in passage.chunk_id:
            first[passage.doc_id] = passage
    for doc_id, passage in list(first.items())[:documents]:
        for position in range(per_document):
            found = chunk(f"{doc_id}#{position}")
            if found is None:
                break
            if found.chunk_id in seen:
                continue
            seen.add(found.chunk_id)
            expanded.append(
                replace(passage, chunk_id=found.chunk_id, section=found.section, text=found.text, score=0.0)
            )
    return expanded
