"""Help-centre article pages: anchors, overlap removed, raw HTML never rendered."""

from __future__ import annotations

from app.ui.articles import Passage, article_html, article_url, merged_sections, section_anchor


def test_a_source_links_to_the_section_of_the_article():
    assert section_anchor("Delivery > Northern Ireland & islands") == "northern-ireland-islands"
    assert article_url("orders/delivery-uk", "Delivery > Northern Ireland") == (
        "/help/orders/delivery-uk#northern-ireland"
    )
    assert article_url("a b/c") == "/help/a%20b/c"


def test_overlapping_chunks_of_a_section_show_each_sentence_once():
    first = "Refunds are paid within 5 working days. They go to the original payment method."
    second = "They go to the original payment method. Gift cards are refunded as a new card."
    merged = merged_sections(
        [Passage("Refunds", first), Passage("Refunds", second), Passage("Fees", "None.")]
    )
    assert merged == [
        ("Refunds", f"{first} Gift cards are refunded as a new card."),
        ("Fees", "None."),
    ]


def test_the_page_has_anchored_headings_and_no_raw_html():
    page = article_html("Returns <b>", [Passage("Returns > Fees", "**No** fees. <script>alert(1)</script>")])
    assert '<h2 id="fees">Fees</h2>' in page
    assert "<strong>No</strong>" in page
    assert "<script>" not in page and "Returns &lt;b&gt;" in page
