"""A sentence that sends the customer to another article ("If it still has not turned up, see *My
parcel is late or missing*") is a pointer, not an answer: when the search did not return that
article, the offline model reads it too and answers from it. Over a real knowledge base of demo
articles (titles looked up as the agent looks them up) with real MiniLM embeddings."""

from __future__ import annotations

import pytest

from app.agent.providers.offline import replies as say
from app.agent.providers.offline.answer import ExtractiveAnswerer, passage_units
from app.agent.providers.offline.answer_context import referenced_article
from tests.agent.conftest import demo_articles_kb
from tests.agent.test_answer_headings import article_passages
from tests.agent.test_offline_client import MiniLM

ARTICLES = ("orders/track-your-order", "orders/missing-or-late-parcel", "orders/delivery-uk")
QUESTION = "tracking says delivered yesterday but theres nothing here"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory):
    return demo_articles_kb(tmp_path_factory.mktemp("references-kb"), [f"{a}.md" for a in ARTICLES])


def test_a_cross_reference_names_a_document_by_its_title(kb) -> None:
    assert kb.document_titled("My parcel is late or missing") == "orders/missing-or-late-parcel"
    assert kb.document_titled("my parcel is LATE or missing ") == "orders/missing-or-late-parcel"
    assert kb.document_titled("Late or missing") == "orders/missing-or-late-parcel"  # shortened
    assert kb.document_titled("Gift cards") is None
    assert kb.document_titled("or") is None  # more than one title contains it: none is named


def test_the_answer_reads_the_article_its_pointer_names(kb) -> None:
    found = article_passages("orders/track-your-order")
    answerer = ExtractiveAnswerer(MiniLM())
    first = answerer.select(QUESTION, passage_units(found))
    assert "see *My parcel is late or missing*" in say.extracted(first)

    followed = referenced_article(first.units, found, kb.get_chunk, kb.document_titled)

    assert followed and {p.doc_id for p in followed} == {"orders/missing-or-late-parcel"}
    assert {p.number for p in followed} == {max(p.number for p in found) + 1}
    again = say.extracted(answerer.select(QUESTION, passage_units([*found, *followed])))
    assert "see *My parcel is late or missing*" not in again
    assert "[2]" in again  # the article referred to answers
    # an article already found is not read again
    assert referenced_article(first.units, [*found, *followed], kb.get_chunk, kb.document_titled) == []
