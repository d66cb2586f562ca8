"""PDF text: the lines the page layout wrapped are joined into their sentences again."""

from __future__ import annotations

from pathlib import Path

from app.files.reflow import reflowed
from app.knowledge.loaders import load_file

KNOWLEDGE = Path(__file__).resolve().parents[2] / "datasets" / "knowledge_base"


def test_a_sentence_the_layout_wrapped_is_one_paragraph_again() -> None:
    text = "Hold it for 3 seconds until\n\nthe light flashes.\n\nWarranty: 2 years with\n\nKestrel Club."
    assert reflowed(text).split("\n\n") == [
        "Hold it for 3 seconds until the light flashes.",  # goes on in lower case
        "Warranty: 2 years with Kestrel Club.",  # "with" never ends a sentence
    ]


def test_headings_list_items_and_finished_sentences_stay_apart() -> None:
    text = "Getting started\n\n1. Place it.\n\n2. connect it.\n\nStereo pair\n\nTwo speakers   can pair."
    assert reflowed(text).split("\n\n") == [
        "Getting started",
        "1. Place it.",
        "2. connect it.",  # an item, though it starts in lower case
        "Stereo pair",
        "Two speakers can pair.",  # justified text's runs of spaces become one
    ]


def test_the_demo_quick_start_pdf_is_read_in_whole_sentences() -> None:
    text = load_file(KNOWLEDGE / "troubleshooting" / "beacon-quick-start.pdf").text
    wrapped = "Hold the action button for 3 seconds until the light bar flashes blue, then choose"
    assert wrapped in text
