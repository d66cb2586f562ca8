"""A follow-up that names another plan, device or country asks the previous question of it.

"and in Austria?" after a question about next-day delivery in Britain is read as that question
asked of Austria: the earlier country's name leaves the reading in context (else the answerer
took it for the country asked about, and its page's rows sounded like the answer), the follow-up
is ranked by that reading (alone it says only which country), and the earlier country's page and
rows conflict with it. Unit tests over a small vocabulary, the answerer over the demo help
centre's own articles with real MiniLM embeddings, and the real agent end to end.
"""

from __future__ import annotations

import pytest

from app.agent.providers.offline.answer import ExtractiveAnswerer, content_words, passage_units
from app.agent.providers.offline.answer_select import about_replaced, read_question
from app.agent.providers.offline.policy import read_in_context, replaced_entities, swapped_entities
from app.knowledge.vocabulary import Vocabulary
from tests.agent.conftest import demo_articles_kb
from tests.agent.test_answer_headings import article_passages
from tests.agent.test_offline_client import MiniLM

PLANS = Vocabulary({"plan": {"basic": "Basic", "plus": "Plus", "premium": "Premium"}})


def spans(vocabulary: Vocabulary, text: str) -> list[tuple[str, str, str]]:
    return [(m.kind, m.name, text[m.start : m.end]) for m in vocabulary.mentions(text)]


def test_mentions_are_spans_of_the_text_as_written() -> None:
    text = "shipping from Köln to the U.K. on Premium"
    assert spans(PLANS, text) == [
        ("country", "Germany", "Köln"),
        ("country", "United Kingdom", "U.K"),
        ("plan", "Premium", "Premium"),
    ]
    assert PLANS.mentions("how do refunds work?") == []


def test_the_follow_up_names_the_entity_the_previous_question_is_asked_of() -> None:
    previous = "what's the yearly price of Plus for britain"
    assert (
        swapped_entities(previous, "and for austria?", PLANS) == "what's the yearly price of Plus for austria"
    )
    assert swapped_entities(previous, "what about premium in vienna", PLANS) == (
        "what's the yearly price of premium for vienna"
    )
    [(old, new)] = replaced_entities(previous, "and for austria?", PLANS)
    assert (old.name, new.name) == ("United Kingdom", "Austria")
    # the same entity, or another kind of entity, replaces nothing
    assert swapped_entities(previous, "and in london?", PLANS) == previous
    assert swapped_entities(previous, "and basic?", PLANS) == "what's the yearly price of basic for britain"
    assert swapped_entities(previous, "and basic?", None) == previous
    # a comparison keeps both entities
    assert replaced_entities(previous, "is it dearer than it is in austria?", PLANS) == []


def test_the_reading_in_context_drops_the_replaced_entity() -> None:
    history = [("user", "is evening delivery possible in holland"), ("assistant", "Yes [1].")]
    reading = read_in_context("what about belgium", history, vocabulary=PLANS)
    assert reading.query == "is evening delivery possible in belgium what about belgium"
    assert reading.replaced == ("Netherlands",)  # by the vocabulary's name, for the answerer
    plain = read_in_context("what about belgium", history)  # no vocabulary: as it was
    assert "holland" in plain.query and plain.replaced == ()
    stated = read_in_context("what about belgium", history, vocabulary=PLANS, stated=True)
    assert stated.replaced == ()  # a message that states facts is read alone


@pytest.fixture(scope="module")
def answerer() -> ExtractiveAnswerer:
    return ExtractiveAnswerer(MiniLM())


def test_the_replaced_countrys_page_does_not_answer(answerer: ExtractiveAnswerer) -> None:
    """Read with "what does express cost in france", the German express row sounds as much like the
    answer as the French one; Germany was the country replaced, so its page conflicts."""
    units = passage_units(article_passages("orders/delivery-germany", "orders/delivery-france"))
    question = "what does express cost in france how about france"
    selection = answerer.select(question, units, focus="how about france", replaced=["Germany"])
    assert selection.units[0].doc_id == "orders/delivery-france"
    assert any("€11.95" in unit.text for unit in selection.units)
    assert all(unit.doc_id != "orders/delivery-germany" for unit in selection.units)


def test_units_about_the_replaced_entity_are_its_pages_and_rows() -> None:
    units = passage_units(article_passages("billing/kestrel-club-plans", "billing/premium-plan"))
    words = content_words("and premium?")
    asked = read_question("and premium?", "and premium?", words, replaced=frozenset(content_words("Plus")))
    about = about_replaced(asked, units, content_words)
    marked = [unit.text for unit, hit in zip(units, about, strict=True) if hit]
    assert any(text.startswith("Plan: Plus;") for text in marked)
    assert not any(text.startswith("Plan: Premium;") for text in marked)
    premium_page = [
        hit for unit, hit in zip(units, about, strict=True) if unit.doc_id == "billing/premium-plan"
    ]
    assert premium_page and not any(premium_page)


def test_a_row_listing_the_asked_device_beside_other_families_answers_for_it() -> None:
    """Five Pulse watches: the other families (Aura, Beacon) are replaced, but the row "Kestrel
    devices (Aura, Beacon, Pulse)" names the Pulse too, so it is the Pulse's limit, not another's."""
    units = passage_units(article_passages("orders/order-limits"))
    text = "want to order 5 Pulse watches in one order"
    replaced = frozenset(content_words("Aura Aura 2 Pro Beacon Beacon Max Beacon Mini"))
    asked = read_question(text, text, content_words(text), replaced=replaced)
    about = dict(zip((unit.text for unit in units), about_replaced(asked, units, content_words), strict=True))
    devices = next(text for text in about if text.startswith("What: Kestrel devices"))
    assert about[devices] is False
    other = read_question("and the gift cards?", "", content_words("and the gift cards?"), replaced=replaced)
    assert about_replaced(other, units, content_words)[list(about).index(devices)]  # names no asked one


# --- end to end ------------------------------------------------------------------------------
ARTICLES = ("orders/delivery-uk", "orders/delivery-germany", "orders/delivery-netherlands")


@pytest.fixture(scope="module")
def delivery_kb(tmp_path_factory: pytest.TempPathFactory):
    """A real KnowledgeBase over three countries' delivery pages, ingested once for the module."""
    return demo_articles_kb(tmp_path_factory.mktemp("swapped-kb"), [f"{a}.md" for a in ARTICLES])


@pytest.fixture
def delivery_desk(settings, delivery_kb):
    from app.agent.desk import SupportDesk

    service = SupportDesk.from_settings(settings, kb=delivery_kb)
    yield service
    service.close()


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("first", "follow_up", "stated", "not_stated"),
    [
        # the earlier country named otherwise than its page's title ("england" / United Kingdom)
        ("what does next day delivery cost in england", "and in deutschland?", "€9.95", "£"),
        ("how long does standard delivery take in britain", "what about holland", "2–3 working days", "2–4"),
    ],
)
async def test_a_follow_up_naming_another_country_is_answered_from_its_page(
    delivery_desk, first: str, follow_up: str, stated: str, not_stated: str
) -> None:
    conversation = delivery_desk.start_conversation("c-swapped")
    await delivery_desk.reply(conversation, first)

    result = await delivery_desk.reply(conversation, follow_up)

    assert stated in result.text and not_stated not in result.text
