"""A question that asks the price, when no chosen sentence states one, is searched again with the
word the help centre uses: "what does the Beacon Mini cost" names the speaker, so the first search
finds its set-up article, while the price list says "price". The offline model answers from what
the second search found when that states a price.

Over a real knowledge base of demo articles, the CSV price list included, with real MiniLM
embeddings; the first search is the knowledge base's own search, narrowed to the set-up article
so the test does not depend on the ranking, and the results are the tool's own format."""

from __future__ import annotations

import pytest

from app.agent.providers.offline.client import OfflineResponder, ToolStep, TurnView, price_query
from app.protocol import SEARCH_TOOL, cited_numbers, format_passages
from tests.agent.conftest import demo_articles_kb
from tests.agent.test_offline_client import MiniLM

ARTICLES = ("troubleshooting/beacon-mini-wifi-setup.md", "billing/price-list.csv")
QUESTION = "how much for a beacon mini"
SETUP = "troubleshooting/beacon-mini-wifi-setup"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory):
    return demo_articles_kb(tmp_path_factory.mktemp("price-search-kb"), ARTICLES)


def test_only_a_question_asking_the_price_in_so_many_words_searches_for_it() -> None:
    assert price_query("how much for a beacon mini") == "how much for a beacon mini price"
    assert price_query("what does the pulse watch cost") == "what does the pulse watch cost price"
    assert price_query("how do I reset my speaker") == ""
    # other words for money that ask no price: a battery's charges, a yes/no about paying
    assert price_query("how long does the Pulse battery last between charges?") == ""
    assert price_query("I found a security hole. Do you pay bug bounties?") == ""
    assert price_query("is there a price match?") == ""


def test_a_price_question_answered_without_a_price_searches_for_the_price(kb) -> None:
    responder = OfflineResponder(MiniLM(), confidence=0.3, chunks=kb.get_chunk, titled=kb.document_titled)
    first = kb.search(QUESTION, k=5, filters={"doc_id": SETUP})
    steps = [ToolStep(SEARCH_TOOL, {"query": QUESTION}, format_passages(first), False)]
    view = TurnView(user_text=QUESTION, steps=steps, available={SEARCH_TOOL})

    (call,) = responder.step(view).calls

    assert call.name == SEARCH_TOOL and call.arguments["query"] == "how much for a beacon mini price"
    second = kb.search(call.arguments["query"], k=5)
    steps.append(ToolStep(SEARCH_TOOL, call.arguments, format_passages(second, start=len(first) + 1), False))
    reply = responder.step(view).text
    assert "£49.00" in reply and "Beacon Mini speaker" in reply
    assert "Wall mount" not in reply  # an accessory for the speaker is not the speaker
    cited = {second[n - len(first) - 1].doc_id for n in cited_numbers(reply) if n > len(first)}
    assert "billing/price-list" in cited
    assert all(n > len(first) for n in cited_numbers(reply))  # from the second search only
    assert responder.step(view).calls == ()  # one follow-up per turn


def test_a_reply_that_states_the_price_searches_no_more(kb) -> None:
    responder = OfflineResponder(MiniLM(), confidence=0.3, chunks=kb.get_chunk, titled=kb.document_titled)
    question = "how much is the wall mount for the beacon mini"
    found = kb.search(question, k=5, filters={"doc_id": "billing/price-list"})
    view = TurnView(
        user_text=question,
        steps=[ToolStep(SEARCH_TOOL, {"query": question}, format_passages(found), False)],
        available={SEARCH_TOOL},
    )

    step = responder.step(view)

    assert step.calls == () and "£15.00" in step.text
