"""Help-centre articles as pages a visitor can open from an answer's sources (`/help/<doc id>`).

A source links to the article and the section the cited passage comes from (`#<anchor>`), never
to a file on the server. The page is rebuilt from the knowledge base's chunks, so every ingested
document (Markdown, PDF, an upload) has one, and it is exactly the text the agent cites. Chunks of
one section overlap (the chunker repeats the end of one at the start of the next); the overlap is
cut so each sentence shows once. The Markdown is rendered with raw HTML switched off.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from markdown_it import MarkdownIt

from app.errors import NotFoundError

if TYPE_CHECKING:
    from app.agent.services import KnowledgeCatalogue

ARTICLE_ROUTE = "/help"
_NOT_A_WORD = re.compile(r"[^a-z0-9]+")
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title} · Kestrel help centre</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
line-height: 1.5">
<p><a href="/">← Back to the support chat</a> · Kestrel help centre</p>
<h1>{title}</h1>
{body}
</body></html>
"""


@dataclass(frozen=True)
class Passage:
    """One chunk of an article: its section path ("Returns > Refunds") and text, in document order."""

    section: str
    text: str


def section_anchor(section: str) -> str:
    """The fragment id of a section: its last heading, lower-case, words joined by hyphens."""
    heading = section.rsplit(">", 1)[-1]
    return _NOT_A_WORD.sub("-", heading.lower()).strip("-") or "top"


def article_url(doc_id: str, section: str = "") -> str:
    """Where a visitor reads a document, at the section a passage comes from."""
    anchor = f"#{section_anchor(section)}" if section else ""
    return f"{ARTICLE_ROUTE}/{quote(doc_id)}{anchor}"


def without_overlap(previous: str, text: str, *, min_chars: int = 20) -> str:
    """`text` without the start it repeats from the end of `previous` (the chunker's overlap)."""
    longest = min(len(previous), len(text))
    for size in range(longest, min_chars - 1, -1):
        if previous.endswith(text[:size]):
            return text[size:].lstrip()
    return text


def merged_sections(passages: Iterable[Passage]) -> list[tuple[str, str]]:
    """(section, text) per section, in order, with each section's chunks joined without overlap."""
    sections: list[tuple[str, str]] = []
    for passage in passages:
        if sections and sections[-1][0] == passage.section:
            section, text = sections[-1]
            sections[-1] = (section, f"{text} {without_overlap(text, passage.text)}".strip())
        else:
            sections.append((passage.section, passage.text.strip()))
    return sections


def article_html(title: str, passages: Sequence[Passage]) -> str:
    """The article as a standalone page; each section heading carries its anchor."""
    markdown = MarkdownIt("commonmark", {"html": False})
    parts = []
    for section, text in merged_sections(passages):
        if section:
            heading = html.escape(section.rsplit(">", 1)[-1].strip())
            parts.append(f'<h2 id="{section_anchor(section)}">{heading}</h2>')
        parts.append(markdown.render(text))
    return _PAGE.format(title=html.escape(title), body="\n".join(parts))


def article_page(knowledge: KnowledgeCatalogue, doc_id: str) -> str:
    """The page of one ingested document; NotFoundError when the knowledge base has no such document."""
    chunks = knowledge.document_chunks(doc_id)
    if not chunks:
        raise NotFoundError(f"The help centre has no article {doc_id!r}.")
    return article_html(chunks[0].title, [Passage(c.section, c.text) for c in chunks])
