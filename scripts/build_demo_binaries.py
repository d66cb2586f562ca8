"""Build the demo data's binary files (PDF, DOCX, CSV) from the text sources in datasets/sources/.

Why a script: a real help centre has PDFs, Word files and spreadsheets, so the demo knowledge base
and the attachment dialogues need them too, but binary files cannot be reviewed in a diff. The text
sources are the truth; this script renders them with fixed metadata (dates, author, producer, zip
timestamps) so that running it again gives byte-identical files. tests/test_datasets.py checks that.

Usage:
    python scripts/build_demo_binaries.py                 # rewrite the files under datasets/
    python scripts/build_demo_binaries.py --out /tmp/x    # write the same tree under /tmp/x instead

Source format (a small Markdown subset): "# Title", "## Heading", paragraphs, "- bullet",
"1. step" and pipe tables. PDFs use the built-in Helvetica font, which only knows Latin-1, so a few
characters are transliterated (the euro sign becomes "EUR").
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from fpdf import FPDF

DATASETS = Path(__file__).resolve().parents[1] / "datasets"
FIXED_DATE = datetime(2024, 10, 1, 9, 0, 0, tzinfo=UTC)
ZIP_DATE = (2024, 10, 1, 9, 0, 0)
AUTHOR = "Kestrel Customer Service"
PRODUCER = "Kestrel demo data builder"

# (source under datasets/sources, renderer). The output keeps the path with the renderer's suffix;
# sources under attachments/ are written to dialogues/attachments/.
TARGETS: tuple[tuple[str, str], ...] = (
    ("knowledge_base/billing/club-terms.md", "pdf"),
    ("knowledge_base/billing/price-list.json", "csv"),
    ("knowledge_base/troubleshooting/beacon-quick-start.md", "pdf"),
    ("knowledge_base/returns/warranty-claims.md", "docx"),
    ("knowledge_base/contact/service-levels.md", "docx"),
    ("attachments/invoice-KE-4417302.md", "pdf"),
    ("attachments/invoice-KE-5093318.md", "pdf"),
    ("attachments/invoice-KE-6604127.md", "pdf"),
    ("attachments/screenshot-app-error.md", "docx"),
    ("attachments/screenshot-wifi-setup.md", "docx"),
    ("attachments/screenshot-firmware-error.md", "docx"),
)

_LATIN1_REPLACEMENTS = {
    "€": "EUR ",
    "–": "-",
    "—": "-",
    "›": ">",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "…": "...",
}
_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass
class Block:
    """One piece of a source document: a heading, a paragraph, a list or a table."""

    kind: str  # "title" | "heading" | "para" | "bullets" | "steps" | "table"
    text: str = ""
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def parse_source(text: str) -> list[Block]:
    """Split the Markdown subset into blocks; consecutive list lines or table rows form one block."""
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = _BOLD.sub(r"\1", raw.strip())
        if not line:
            blocks.append(Block("break"))
            continue
        kind, payload = _classify(line)
        previous = blocks[-1] if blocks else None
        if kind in ("bullets", "steps", "table") and previous is not None and previous.kind == kind:
            _extend(previous, kind, payload)
            continue
        block = Block(kind)
        _extend(block, kind, payload)
        blocks.append(block)
    return [b for b in blocks if b.kind != "break"]


def _classify(line: str) -> tuple[str, str]:
    """Name the kind of a single source line and strip its marker."""
    if line.startswith("# "):
        return "title", line[2:]
    if line.startswith("## "):
        return "heading", line[3:]
    if line.startswith("- "):
        return "bullets", line[2:]
    if re.match(r"^\d+\.\s", line) and not re.match(r"^\d+\.\d", line):
        return "steps", line.split(" ", 1)[1]
    if line.startswith("|"):
        return "table", line
    return "para", line


def _extend(block: Block, kind: str, payload: str) -> None:
    """Add one line's payload to a block (table separator rows are dropped)."""
    if kind == "table":
        cells = [c.strip() for c in payload.strip("|").split("|")]
        if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
            block.rows.append(cells)
    elif kind in ("bullets", "steps"):
        block.items.append(payload)
    else:
        block.text = payload


def to_latin1(text: str) -> str:
    """Make text printable with the PDF core fonts."""
    for char, replacement in _LATIN1_REPLACEMENTS.items():
        text = text.replace(char, replacement)
    return text.encode("latin-1", errors="replace").decode("latin-1")


def render_pdf(blocks: Sequence[Block]) -> bytes:
    """Render blocks to a PDF with fixed metadata, so the bytes do not depend on when it runs."""
    from fpdf import FPDF

    title = next((b.text for b in blocks if b.kind == "title"), "Kestrel")
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_producer(PRODUCER)
    pdf.set_creator(PRODUCER)
    pdf.set_author(AUTHOR)
    pdf.set_title(to_latin1(title))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    for block in blocks:
        _pdf_block(pdf, block)
    return bytes(pdf.output())


def _pdf_block(pdf: FPDF, block: Block) -> None:
    """Draw one block at the current position."""
    width = pdf.epw
    if block.kind == "title":
        pdf.set_font("Helvetica", "B", 16)
        pdf.multi_cell(width, 9, to_latin1(block.text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    elif block.kind == "heading":
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(width, 7, to_latin1(block.text), new_x="LMARGIN", new_y="NEXT")
    elif block.kind == "para":
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(width, 5.5, to_latin1(block.text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    elif block.kind in ("bullets", "steps"):
        pdf.set_font("Helvetica", "", 10)
        for number, item in enumerate(block.items, start=1):
            marker = f"{number}." if block.kind == "steps" else "-"
            pdf.multi_cell(width, 5.5, to_latin1(f"{marker} {item}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    elif block.kind == "table":
        _pdf_table(pdf, block.rows)


def _pdf_table(pdf: FPDF, rows: list[list[str]]) -> None:
    """Draw a simple bordered table; the first row is the header."""
    pdf.set_font("Helvetica", "", 9)
    with pdf.table(first_row_as_headings=True, line_height=5.5) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(to_latin1(cell))
    pdf.ln(2)


def render_docx(blocks: Sequence[Block]) -> bytes:
    """Render blocks to a Word file, then rewrite the zip with fixed timestamps."""
    from docx import Document

    document = Document()
    title = next((b.text for b in blocks if b.kind == "title"), "Kestrel")
    props = document.core_properties
    props.title, props.author, props.last_modified_by = title, AUTHOR, AUTHOR
    props.created = props.modified = FIXED_DATE.replace(tzinfo=None)
    props.revision = 1
    for block in blocks:
        _docx_block(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return normalise_zip(buffer.getvalue())


def _docx_block(document: DocxDocument, block: Block) -> None:
    """Append one block using the built-in Word styles, so converters see real headings and lists."""
    if block.kind == "title":
        document.add_heading(block.text, level=1)
    elif block.kind == "heading":
        document.add_heading(block.text, level=2)
    elif block.kind == "para":
        document.add_paragraph(block.text)
    elif block.kind in ("bullets", "steps"):
        style = "List Number" if block.kind == "steps" else "List Bullet"
        for item in block.items:
            document.add_paragraph(item, style=style)
    elif block.kind == "table":
        table = document.add_table(rows=len(block.rows), cols=len(block.rows[0]))
        table.style = "Table Grid"
        for r, cells in enumerate(block.rows):
            for c, cell in enumerate(cells):
                table.cell(r, c).text = cell


def normalise_zip(data: bytes) -> bytes:
    """Copy a zip archive with every entry dated ZIP_DATE, in the same order, so output is stable."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()


def render_csv(source_text: str) -> bytes:
    """Write the price list JSON as CSV with Unix newlines."""
    spec = json.loads(source_text)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(spec["columns"])
    writer.writerows(spec["rows"])
    return buffer.getvalue().encode("utf-8")


RENDERERS: dict[str, Callable[[str], bytes]] = {
    "pdf": lambda text: render_pdf(parse_source(text)),
    "docx": lambda text: render_docx(parse_source(text)),
    "csv": render_csv,
}


def output_path(source_rel: str, kind: str) -> Path:
    """Where a source's rendering goes, relative to the datasets/ root."""
    path = Path(source_rel).with_suffix(f".{kind}")
    if path.parts[0] == "attachments":
        return Path("dialogues", *path.parts)
    return path


def build(out_root: Path, *, sources: Path = DATASETS / "sources") -> list[Path]:
    """Render every target under out_root (mirroring datasets/) and return the written paths."""
    written = []
    for source_rel, kind in TARGETS:
        data = RENDERERS[kind]((sources / source_rel).read_text(encoding="utf-8"))
        target = out_root / output_path(source_rel, kind)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATASETS, help="root to write into (default: datasets/)")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
