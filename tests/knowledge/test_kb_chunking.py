"""Heading-aware chunking: sections keep their path, chunks respect the size, ids are stable."""

from __future__ import annotations

import itertools

from app.knowledge.chunking import chunk_document, split_sections
from app.knowledge.documents import SourceDocument

LONG = " ".join(f"Sentence number {i} talks about refunds." for i in range(40))
TEXT = f"""# Billing

Intro paragraph.

## Refunds

{LONG}

### Card refunds

Card refunds take 5 days.

```
# not a heading inside code
```

## Invoices

Invoices are emailed monthly.
"""


def _doc() -> SourceDocument:
    return SourceDocument(doc_id="billing/guide", title="Billing", text=TEXT, source="guide.md")


def test_sections_follow_the_heading_tree_and_skip_code_fences() -> None:
    paths = [section.path for section in split_sections(TEXT, title="Billing")]
    assert paths == [(), ("Refunds",), ("Refunds", "Card refunds"), ("Invoices",)]


def test_chunks_respect_size_keep_section_and_overlap() -> None:
    chunks = chunk_document(_doc(), size=300, overlap=80)
    assert [c.chunk_id for c in chunks] == [f"billing/guide#{i}" for i in range(len(chunks))]
    assert all(len(c.text) <= 300 for c in chunks)
    refunds = [c for c in chunks if c.section == "Refunds"]
    assert len(refunds) >= 4
    for before, after in itertools.pairwise(refunds):
        first_sentence = after.text.split(". ")[0]
        assert first_sentence in before.text  # the overlap repeats the previous chunk's tail
    card = next(c for c in chunks if c.section == "Refunds > Card refunds")
    assert "# not a heading" in card.text
    assert card.index_text.startswith("Billing > Refunds > Card refunds\n\n")
    assert card.text.startswith("Card refunds take 5 days.")


def test_chunking_is_deterministic_and_covers_all_text() -> None:
    first = chunk_document(_doc(), size=300, overlap=0)
    second = chunk_document(_doc(), size=300, overlap=0)
    assert first == second
    joined = " ".join(c.text for c in first)
    for i in range(40):
        assert f"Sentence number {i} talks" in joined


def test_a_huge_word_is_split_hard() -> None:
    doc = SourceDocument(doc_id="x", title="X", text="a" * 1000, source="x")
    chunks = chunk_document(doc, size=300, overlap=50)
    assert all(len(c.text) <= 300 for c in chunks)
    assert sum(len(c.text) for c in chunks) >= 1000


def test_a_long_list_is_cut_between_its_items_never_inside_one() -> None:
    """A price list's rows are list items; a row cut in two leaves a price without its product
    ("15.00; price_eur: 17.00"), which the answer then quoted as if it were a row."""
    rows = [
        f"- sku: ACC-{i:03d}; product: Accessory number {i} for the speaker; price_gbp: {i}.00; "
        f"price_eur: {i + 3}.00"
        for i in range(40)
    ]
    doc = SourceDocument(doc_id="prices", title="Price list", text="\n".join(rows), source="prices.csv")
    chunks = chunk_document(doc, size=500, overlap=120)
    assert len(chunks) > 3
    lines = [line for chunk in chunks for line in chunk.text.split("\n")]
    assert all(line in rows for line in lines)  # every line a whole row
    assert set(rows) <= set(lines)  # and every row kept


def test_an_overlap_that_starts_at_a_row_keeps_that_row() -> None:
    from app.knowledge.chunking import _tail

    rows = "- first row here\n- second row\n- third row"
    overlap = len("- second row\n- third row")
    assert _tail(rows, overlap) == "- second row\n- third row"
    assert _tail(rows, overlap - 1) == "- third row"
