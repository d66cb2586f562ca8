"""Heading-aware chunking.

A document is first cut at its markdown headings, so a chunk never straddles two topics and
remembers where it sits ("Billing > Refunds"). Each section is then packed into chunks of at
most `size` characters, by paragraph, then sentence, then word, with `overlap` characters of
the previous chunk repeated at the start of the next one inside the same section.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.knowledge.documents import Chunk, SourceDocument

CHUNKER_VERSION = 2  # 2: CSV/XLSX rows are stored as "column: value" lines

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Section:
    """A run of text under one heading path."""

    path: tuple[str, ...]
    text: str


def chunk_document(doc: SourceDocument, *, size: int, overlap: int) -> list[Chunk]:
    """Cut a document into chunks with stable ids `{doc_id}#{position}`."""
    chunks: list[Chunk] = []
    for section in split_sections(doc.text, title=doc.title):
        label = " > ".join(section.path)
        for piece in pack(section.text, size=size, overlap=overlap):
            position = len(chunks)
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.doc_id}#{position}",
                    doc_id=doc.doc_id,
                    position=position,
                    title=doc.title,
                    section=label,
                    text=piece,
                    index_text=index_text(doc.title, label, piece),
                    source=doc.source,
                    metadata=dict(doc.metadata),
                )
            )
    return chunks


def index_text(title: str, section: str, text: str) -> str:
    """What embeddings and BM25 see: the passage prefixed with where it comes from."""
    header = f"{title} > {section}" if section else title
    return f"{header}\n\n{text}" if header else text


def split_sections(markdown: str, *, title: str = "") -> list[Section]:
    """Cut at headings (ignoring code fences); a heading equal to the title is not part of the path."""
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    lines: list[str] = []
    in_fence = False

    def flush() -> None:
        body = "\n".join(lines).strip()
        if body:
            sections.append(Section(tuple(name for _, name in stack), body))
        lines.clear()

    for line in markdown.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading is None:
            lines.append(line)
            continue
        flush()
        level, name = len(heading.group(1)), heading.group(2).strip()
        while stack and stack[-1][0] >= level:
            stack.pop()
        if not (not stack and name.casefold() == title.strip().casefold()):
            stack.append((level, name))
    flush()
    return sections


def pack(text: str, *, size: int, overlap: int) -> list[str]:
    """Greedily fill chunks of at most `size` characters from ever smaller units."""
    chunks: list[str] = []
    current = ""
    for unit, new_paragraph in _units(text, size):
        joiner = "\n\n" if new_paragraph else " "
        candidate = f"{current}{joiner}{unit}" if current else unit
        if len(candidate) <= size or not current:
            current = candidate
            continue
        chunks.append(current)
        tail = _tail(current, overlap)
        current = f"{tail} {unit}" if tail and len(tail) + 1 + len(unit) <= size else unit
    if current:
        chunks.append(current)
    return chunks


def _units(text: str, size: int) -> Iterator[tuple[str, bool]]:
    """Paragraphs that fit, else their sentences, else word-bounded slices; flag paragraph starts."""
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if len(paragraph) <= size:
            yield paragraph, True
            continue
        pieces = [piece for sentence in _SENTENCE_END.split(paragraph) for piece in _slices(sentence, size)]
        for index, piece in enumerate(pieces):
            yield piece, index == 0


def _slices(sentence: str, size: int) -> Iterator[str]:
    """Split an over-long sentence at word boundaries (or hard, for a single huge token)."""
    sentence = sentence.strip()
    while len(sentence) > size:
        cut = sentence.rfind(" ", 0, size + 1)
        cut = cut if cut > size // 2 else size
        yield sentence[:cut].strip()
        sentence = sentence[cut:].strip()
    if sentence:
        yield sentence


def _tail(text: str, overlap: int) -> str:
    """The last `overlap` characters of a chunk, starting at a sentence (else word) boundary."""
    if overlap <= 0:
        return ""
    if len(text) <= overlap:
        return text
    tail = text[-overlap:]
    sentence = _SENTENCE_END.search(tail)
    if sentence:
        return tail[sentence.end() :].strip()
    space = tail.find(" ")
    return tail[space + 1 :].strip() if space != -1 else tail.strip()
