"""A PDF's lines are its layout's: sentences its layout broke are joined again when it is read.

The join rules run on text as the extractor gives it back; the demo help centre's own PDFs are read
through the real pipeline (markitdown in the sandbox), as ingestion reads them."""

from __future__ import annotations

from pathlib import Path

from app.files.wrapping import unwrapped
from app.knowledge.loaders import load_file

KB = Path(__file__).resolve().parents[2] / "datasets" / "knowledge_base"


def test_a_line_that_goes_on_in_lower_case_is_joined_to_it() -> None:
    text = "These terms apply in all Kestrel\n\nstores. They are in addition to our terms."
    assert unwrapped(text) == "These terms apply in all Kestrel stores. They are in addition to our terms."


STEREO = "A Beacon Max cannot form a stereo pair with a Beacon Mini, but both can play in the same group."


def test_a_line_ending_on_a_word_no_sentence_ends_on_goes_on() -> None:
    assert unwrapped(STEREO.replace("with a ", "with a\n\n")) == STEREO


def test_sentences_headings_lists_and_tables_stay_apart() -> None:
    text = (
        "Specifications\n\nThe speaker weighs 3.1 kg.\n\nBluetooth\n\n- use the app\n\n1. Plug it in\n\n"
        "| Item | Price |\n\n| ACC-CASE-A2 | £23.75 |\nheadphones (5% Club discount)"
    )
    assert unwrapped(text) == text  # a closed sentence, a heading, a list, a step, a table row
    assert unwrapped("Two lines\n\n\n\nthree blank lines apart") == "Two lines\n\n\n\nthree blank lines apart"


def test_a_justified_line_s_spaces_are_single_but_a_table_keeps_its_padding() -> None:
    assert unwrapped("Club  benefits  are  for  personal  use.") == "Club benefits are for personal use."
    assert unwrapped("| Field    |     | Value |") == "| Field    |     | Value |"


def test_the_demo_quick_start_guide_reads_in_whole_sentences() -> None:
    text = load_file(KB / "troubleshooting" / "beacon-quick-start.pdf").text
    assert STEREO in text
    terms = load_file(KB / "billing" / "club-terms.pdf").text
    assert "apply to Kestrel Club Plus and Premium memberships in all Kestrel stores." in terms
    assert "\n1.1 A membership is personal" in terms  # the numbered clauses keep their own lines
