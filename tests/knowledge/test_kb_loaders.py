"""Every supported format becomes a document; unsupported and broken files become error lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.errors import InputError
from app.knowledge.loaders import load_file, load_path


def _write_binary_formats(folder: Path) -> None:
    from docx import Document
    from fpdf import FPDF
    from openpyxl import Workbook
    from pptx import Presentation

    doc = Document()
    doc.add_heading("Warranty terms", level=1)
    doc.add_paragraph("The warranty covers zebrawood cabinets for two years.")
    doc.save(folder / "warranty.docx")

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Pelican delivery takes three days.")
    pdf.output(str(folder / "delivery.pdf"))

    book = Workbook()
    sheet = book.active
    sheet.append(["plan", "price"])
    sheet.append(["Walrus", 42])
    book.save(folder / "prices.xlsx")

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Onboarding"
    slide.placeholders[1].text = "Flamingo accounts open in minutes."
    deck.save(folder / "onboarding.pptx")


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    (folder / "guides").mkdir(parents=True)
    (folder / "guides" / "setup.md").write_text(
        "---\ntitle: Setup guide\ntier: 2\n---\nInstall the quokka app."
    )
    (folder / "notes.txt").write_text("Plain notes about the narwhal plan.")
    (folder / "page.html").write_text(
        "<html><body><h1>Help page</h1><p>Axolotl support hours.</p></body></html>"
    )
    (folder / "table.csv").write_text("product,colour\nLemur lamp,green\n")
    (folder / "data.json").write_text(json.dumps({"faq": "The ocelot button resets the router."}))
    (folder / ".hidden.md").write_text("never loaded")
    _write_binary_formats(folder)
    return folder


def test_every_supported_format_is_loaded(mixed_folder: Path) -> None:
    result = load_path(mixed_folder)
    docs = {doc.doc_id: doc for doc in result.documents}
    assert result.errors == []
    expected_words = {
        "guides/setup": "quokka",
        "notes": "narwhal",
        "page": "Axolotl",
        "table": "Lemur",
        "data": "ocelot",
        "warranty": "zebrawood",
        "delivery": "Pelican",
        "prices": "Walrus",
        "onboarding": "Flamingo",
    }
    assert set(docs) == set(expected_words)
    for doc_id, word in expected_words.items():
        assert word in docs[doc_id].text, doc_id
    assert docs["guides/setup"].title == "Setup guide"
    assert docs["guides/setup"].metadata == {"tier": 2}
    assert docs["page"].title == "Help page"
    assert docs["warranty"].title == "Warranty terms"
    assert docs["notes"].title == "Notes"


def test_unknown_and_broken_files_are_reported_and_the_rest_loads(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("# Good\n\nFine text.")
    (tmp_path / "picture.bmp").write_bytes(b"BM....")
    (tmp_path / "broken.docx").write_bytes(b"this is not a zip file")
    (tmp_path / "empty.txt").write_text("   \n")
    result = load_path(tmp_path)
    assert [doc.doc_id for doc in result.documents] == ["good"]
    assert result.failed_ids == {"picture", "broken", "empty"}
    messages = "\n".join(result.errors)
    assert "unsupported file type '.bmp'" in messages
    assert "broken.docx: could not be read as docx" in messages
    assert "empty.txt: no text could be extracted" in messages


def test_a_single_file_gets_its_stem_as_id(tmp_path: Path) -> None:
    path = tmp_path / "Refund policy.md"
    path.write_text("Refunds take five days.")
    doc = load_file(path)
    assert (doc.doc_id, doc.title) == ("Refund policy", "Refund policy")
    assert load_path(path).documents[0].doc_id == "Refund policy"


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_path(tmp_path / "nope")
