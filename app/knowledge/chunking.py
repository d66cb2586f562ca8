"""Heading-aware chunking.

A document is first cut at its markdown headings, so a chunk never straddles two topics and
remembers where it sits ("Billing > Refunds"). Each section is then packed into chunks of at
most `size` characters, by paragraph, then line (a list item or table row is not cut unless it is
longer than a chunk, so a price list's row keeps its product beside its price), then sentence,
then word, with `overlap` characters of the previous chunk repeated at the start of the next one
inside the same section (whole lines when the chunk ends in lines).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.knowledge.documents import Chunk, SourceDocument

CHUNKER_VERSION = 3  # 2: CSV/XLSX rows are stored as "column: value" lines; 3: long lists cut between lines

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
# a line that stands alone: a list item, a numbered step or a table row
_ITEM = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|\|)")


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
    for unit, joiner in _units(text, size):
        candidate = f"{current}{joiner}{unit}" if current else unit
        if len(candidate) <= size or not current:
            current = candidate
            continue
        chunks.append(current)
        tail = _tail(current, overlap)
        joiner = "\n" if joiner == "\n\n" else joiner
        current = f"{tail}{joiner}{unit}" if tail and len(tail) + len(joiner) + len(unit) <= size else unit
    if current:
        chunks.append(current)
    return chunks


def _units(text: str, size: int) -> Iterator[tuple[str, str]]:
    """Paragraphs that fit, else their list lines, else their sentences, else word-bounded slices;
    each with what joins it to the text before it (a blank line, a line break or a space)."""
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if len(paragraph) <= size:
            yield paragraph, "\n\n"
            continue
        for index, (line, is_item) in enumerate(_lines(paragraph)):
            pieces = [line] if is_item and len(line) <= size else _pieces(line, size)
            for number, piece in enumerate(pieces):
                yield piece, "\n\n" if index == number == 0 else ("\n" if number == 0 and is_item else " ")


def _lines(paragraph: str) -> list[tuple[str, bool]]:
    """A paragraph as its list items or table rows, each flagged as one (a line that continues an
    item is part of it); a paragraph of prose is one line."""
    lines: list[tuple[str, bool]] = []
    for line in paragraph.splitlines():
        if _ITEM.match(line) or not lines:
            lines.append((line.strip(), bool(_ITEM.match(line))))
        else:
            text, is_item = lines[-1]
            lines[-1] = (f"{text} {line.strip()}", is_item)
    return lines


def _pieces(text: str, size: int) -> list[str]:
    return [piece for sentence in _SENTENCE_END.split(text) for piece in _slices(sentence, size)]


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
    """The last `overlap` characters of a chunk, starting at a sentence (else word) boundary; after a
    list item or table row, its last whole lines that fit."""
    if overlap <= 0:
        return ""
    if len(text) <= overlap:
        return text
    tail = text[-overlap:]
    if _ITEM.match(text.rsplit("\n", 1)[-1]):
        if text[-overlap - 1] == "\n":  # the overlap starts a row: all of it is whole rows
            return tail.strip()
        line = tail.find("\n")  # whole rows, or none: a cut row would name no product
        return tail[line + 1 :].strip() if line != -1 else ""
    sentence = _SENTENCE_END.search(tail)
    if sentence:
        return tail[sentence.end() :].strip()
    space = tail.find(" ")
    return tail[space + 1 :].strip() if space != -1 else tail.strip()
