"""The rest of a retrieved article: its other sections, so the answer can come from the right one.

The search returns the best chunk of each document, which is often the section that *sounds* like
the question ("Plus and Premium are paid plans") rather than the one that answers it (the price
table). The offline model reads the other sections of the first few retrieved documents too, each
cited with its document's passage number (so a citation still names the article that was found).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from app.agent.providers.offline.answer_select import referenced_titles
from app.protocol import Passage

if TYPE_CHECKING:
    from app.agent.providers.offline.answer import Unit

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


def article_passages(
    doc_id: str, number: int, chunk: ChunkLookup, *, limit: int = MAX_CHUNKS_PER_DOCUMENT
) -> list[Passage]:
    """A document's first `limit` chunks as passages cited with `number` (an article the search did
    not return, read because a passage refers to it)."""
    passages = []
    for position in range(limit):
        found = chunk(f"{doc_id}#{position}")
        if found is None:
            break
        passages.append(
            Passage(number, found.chunk_id, found.doc_id, found.title, found.section, found.text, 0.0)
        )
    return passages


def referenced_article(
    units: Sequence[Unit], passages: Sequence[Passage], chunk: ChunkLookup, titled: TitleLookup
) -> list[Passage]:
    """The article a chosen sentence refers the customer to ("If it still has not turned up, see
    *My parcel is late or missing*") when the search did not return it: its sections, cited with
    the next passage number, so the answer can quote the part that answers instead of the pointer
    (which `refers_away` then counts against). The first such article only; [] when there is none."""
    found = {passage.doc_id for passage in passages}
    for title in referenced_titles(units):
        doc_id = titled(title)
        if doc_id is not None and doc_id not in found:
            return article_passages(doc_id, max((p.number for p in passages), default=0) + 1, chunk)
    return []
