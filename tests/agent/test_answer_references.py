"""A sentence that sends the customer to another article ("If it still has not turned up, see *My
parcel is late or missing*") is a pointer, not an answer: when the search did not return that
article, the offline model looks it up with a second search and answers from it, citing it. Over a
real knowledge base of demo articles (titles looked up as the agent looks them up) with real
MiniLM embeddings; the search results are the tool's own format."""

from __future__ import annotations

import pytest

from app.agent.providers.offline.client import OfflineResponder, ToolStep, TurnView
from app.protocol import SEARCH_TOOL, cited_numbers, format_passages
from tests.agent.conftest import demo_articles_kb
from tests.agent.test_offline_client import MiniLM

ARTICLES = ("orders/track-your-order", "orders/missing-or-late-parcel", "orders/delivery-uk")
QUESTION = "tracking says delivered yesterday but theres nothing here"
MISSING = "orders/missing-or-late-parcel"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory):
    return demo_articles_kb(tmp_path_factory.mktemp("references-kb"), [f"{a}.md" for a in ARTICLES])


def test_a_cross_reference_names_a_document_by_its_title(kb) -> None:
    assert kb.document_titled("My parcel is late or missing") == MISSING
    assert kb.document_titled("my parcel is LATE or missing ") == MISSING
    assert kb.document_titled("Late or missing") == MISSING  # a reference may shorten a title
    assert kb.document_titled("Gift cards") is None
    assert kb.document_titled("or") is None  # more than one title contains it: none is named


def test_the_article_a_pointer_names_is_looked_up_and_answers(kb) -> None:
    responder = OfflineResponder(MiniLM(), confidence=0.3, chunks=kb.get_chunk, titled=kb.document_titled)
    first = kb.search(QUESTION, k=5, filters={"doc_id": "orders/track-your-order"})  # missed the other
    steps = [ToolStep(SEARCH_TOOL, {"query": QUESTION}, format_passages(first), False)]
    view = TurnView(user_text=QUESTION, steps=steps, available={SEARCH_TOOL})

    (call,) = responder.step(view).calls

    assert call.name == SEARCH_TOOL and call.arguments["query"].lower() == "my parcel is late or missing"
    second = kb.search(call.arguments["query"], k=5)
    steps.append(ToolStep(SEARCH_TOOL, call.arguments, format_passages(second, start=len(first) + 1), False))
    reply = responder.step(view).text
    cited = {second[n - len(first) - 1].doc_id for n in cited_numbers(reply) if n > len(first)}
    assert "see *My parcel is late or missing*" not in reply and cited == {MISSING}
    # one follow-up per turn: a reply is composed whatever the second search found
    assert responder.step(view).calls == ()
