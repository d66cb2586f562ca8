"""Follow-up questions answered from the demo help centre with what the customer told us earlier.

"how long does shipping take?" from a customer who said they live in Germany: the search ranks
*Delivery times and costs in Germany* first, yet a refund-timing sentence ("Returns usually take
2–5 working days") sounds more like the question than the German delivery table's rows do. The
remembered country named by the top article's title, and the table's "Delivery time" column
(which names the kind of fact asked for, as a heading would), make the row the answer.

Real MiniLM embeddings; passages are the demo help centre's own articles, read and chunked as the
knowledge base does (no mocks: no LLM is involved).
"""

from __future__ import annotations

import numpy as np
import pytest

from app.agent.providers.offline.answer import ExtractiveAnswerer, content_words, passage_units
from app.agent.providers.offline.answer_select import (
    FEATURES,
    column_types,
    read_question,
    remembered_headings,
    unit_features,
)
from app.agent.providers.offline.answer_types import DURATION, PRICE
from tests.agent.test_answer_headings import THRESHOLD, article_passages
from tests.agent.test_offline_client import MiniLM


@pytest.fixture(scope="module")
def answerer() -> ExtractiveAnswerer:
    return ExtractiveAnswerer(MiniLM())


def test_a_remembered_country_picks_the_top_articles_table_row(answerer: ExtractiveAnswerer) -> None:
    units = passage_units(article_passages("orders/delivery-germany", "returns/refund-timing"))
    selection = answerer.select("how long does shipping take?", units, remembered=["Germany"])
    assert selection.units[0].doc_id == "orders/delivery-germany"
    assert any("3–5 working days" in unit.text for unit in selection.units)
    assert all(unit.doc_id == "orders/delivery-germany" for unit in selection.units)
    assert selection.confident(THRESHOLD)


def test_the_country_counts_only_for_the_top_article_without_a_sibling() -> None:
    """The top article's title naming the remembered country counts; a lower-ranked article's
    title naming it does not (a page that merely names the customer's country is no answer)."""
    top = passage_units(article_passages("orders/delivery-germany", "returns/refund-timing"))
    lower = passage_units(article_passages("returns/refund-timing", "orders/delivery-germany"))
    words = content_words("how long does shipping take?")
    asked = read_question("how long does shipping take?", "", words, frozenset(content_words("Germany")))
    about_top = remembered_headings(asked, top, content_words)
    about_lower = remembered_headings(asked, lower, content_words)
    german = [i for i, unit in enumerate(top) if unit.doc_id == "orders/delivery-germany"]
    assert about_top[german].min() == 1.0
    assert not about_lower.any()


def test_a_rows_column_names_say_what_kind_of_fact_it_states() -> None:
    row = "Option: Standard (DHL Paket); Delivery time: 3–5 working days; Cost: €4.95, free over €50"
    assert DURATION in column_types(row)
    # a price shows by its currency sign: a "Cost" column adds nothing ("do I pay customs?" is no
    # question for a delivery option's row)
    assert PRICE not in column_types(row)
    # a sentence is no row, and a row's values are not its column names
    assert column_types("Delivery time depends on the option you choose; it costs less.") == frozenset()
    assert DURATION not in column_types("Store: United Kingdom; Monthly: £4.99; Annual: £49")


def test_a_row_under_a_plain_heading_matches_the_kind_asked_for_by_its_column() -> None:
    """The German delivery table sits under "Delivery options", which names no kind of fact; its
    "Delivery time" column does, so "how long" finds the rows as it finds a "Delivery times" heading."""
    units = passage_units(article_passages("orders/delivery-germany"))
    question = "how long does shipping take?"
    asked = read_question(question, question, content_words(question))
    zeros = np.zeros(len(units))
    features = unit_features(asked, units, zeros, zeros, content_words)
    typed = features[:, FEATURES.index("heading_type")]
    rows = [i for i, unit in enumerate(units) if unit.text.startswith("Option: Standard (DHL Paket)")]
    assert rows and typed[rows].min() == 1.0
    assert units[rows[0]].heading == "Delivery options"


def test_a_country_the_question_names_is_passed_by_its_help_centre_name() -> None:
    """ "I'm in the UK" names the country the page titled "... in the United Kingdom" is about; an
    earlier country gives way to the one the question names."""
    from app.agent.providers.offline.client import OfflineResponder, TurnView
    from app.protocol import format_facts

    responder = OfflineResponder(MiniLM(), confidence=THRESHOLD)
    question = "how do I send back a speaker, I'm in the UK"
    assert "United Kingdom" in responder._remembered_entities(question, TurnView(user_text=question))
    moved = TurnView(user_text=question, instructions=format_facts({"country": "Germany"}))
    assert moved.known_facts == {"country": "Germany"}
    assert "Germany" not in responder._remembered_entities(question, moved)


def test_an_attachments_country_speaks_for_a_customer_who_has_not_told_us_theirs() -> None:
    from app.agent.providers.offline.client import OfflineResponder, TurnView
    from app.protocol import format_facts

    responder = OfflineResponder(MiniLM(), confidence=THRESHOLD)
    question = "how do I send one of these back?"
    invoice = {"country": "Germany"}
    assert responder._remembered_entities(question, TurnView(user_text=question), invoice) == ["Germany"]
    told = TurnView(user_text=question, instructions=format_facts({"country": "France"}))
    assert responder._remembered_entities(question, told, invoice) == ["France"]


def test_the_named_country_picks_the_top_article_over_a_sentence_that_sounds_closer(
    answerer: ExtractiveAnswerer,
) -> None:
    """A recall notice's "You do not need to return the speaker itself" sounds more like "how do I
    send back a speaker" than the UK returns page does; the country the customer named picks the page."""
    units = passage_units(article_passages("returns/drop-off-uk", "contact/product-recalls"))
    question = "how do I send back a speaker, I'm in the UK"
    assert answerer.select(question, units).units[0].doc_id == "contact/product-recalls"
    selection = answerer.select(question, units, remembered=["United Kingdom"])
    assert selection.units[0].doc_id == "returns/drop-off-uk"
