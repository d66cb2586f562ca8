"""What the customer told us earlier decides which article or table row answers them.

End to end with the real agent (offline model, real Chroma and BM25, real SQLite) over a knowledge
base of the demo help centre's own articles: a UK and a German delivery page, and the Premium page
whose price table has a UK row and a euro row.
"""

from __future__ import annotations

import pytest

from tests.agent.conftest import demo_articles_kb

ARTICLES = ("orders/delivery-uk.md", "orders/delivery-germany.md", "billing/premium-plan.md")

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def remembered_kb(tmp_path_factory: pytest.TempPathFactory):
    """A real KnowledgeBase over three demo articles, ingested once for the module."""
    return demo_articles_kb(tmp_path_factory.mktemp("remembered-kb"), ARTICLES)


@pytest.fixture
def remembered_desk(settings, remembered_kb):
    from app.agent.desk import SupportDesk

    service = SupportDesk.from_settings(settings, kb=remembered_kb)
    yield service
    service.close()


@pytest.mark.parametrize(
    ("statement", "question", "stated", "not_stated"),
    [
        ("I live in Germany.", "how long does standard delivery take?", "3–5 working days", "2–4"),
        ("I'm based in the Netherlands.", "how much is premium a month for me?", "€11.99", "£9.99"),
    ],
)
async def test_a_remembered_country_picks_the_answer(
    remembered_desk, statement: str, question: str, stated: str, not_stated: str
) -> None:
    conversation = remembered_desk.start_conversation("c-remembered")
    await remembered_desk.reply(conversation, statement)

    result = await remembered_desk.reply(conversation, question)

    assert stated in result.text and not_stated not in result.text


async def test_a_country_the_question_names_wins_over_the_remembered_one(remembered_desk) -> None:
    conversation = remembered_desk.start_conversation("c-named")
    await remembered_desk.reply(conversation, "I live in Germany.")

    result = await remembered_desk.reply(conversation, "how long does standard delivery take to the UK?")

    assert "2–4 working days" in result.text


async def test_saying_where_one_lives_after_a_question_answers_it_for_them(remembered_desk) -> None:
    """ "I live in Germany." right after a delivery question answers that question again from the
    German page, where it used to be only noted."""
    conversation = remembered_desk.start_conversation("c-revisit")
    first = await remembered_desk.reply(conversation, "how long does standard delivery take?")
    assert "2–4 working days" in first.text  # the UK page, before we know better

    result = await remembered_desk.reply(conversation, "I live in Germany.")

    assert "3–5 working days" in result.text and result.searched
    assert "2–4 working days" not in result.text and "noted" not in result.text


@pytest.fixture(scope="module")
def reset_kb(tmp_path_factory: pytest.TempPathFactory):
    """The demo's reset article: one section per Beacon model, the Max's steps sounding most like
    "how do I reset it" (with the price list, whose products are the devices a customer can own)."""
    return demo_articles_kb(
        tmp_path_factory.mktemp("reset-kb"),
        (
            "troubleshooting/beacon-factory-reset.md",
            "troubleshooting/beacon-mini-wifi-setup.md",
            "troubleshooting/beacon-max-wifi-setup.md",
            "billing/price-list.csv",
        ),
    )


async def last_reply(settings, kb, customer: str, messages: list[str]) -> str:
    """The reply to the last of `messages`, sent in one conversation of a desk over `kb`."""
    from app.agent.desk import SupportDesk

    desk = SupportDesk.from_settings(settings, kb=kb)
    try:
        conversation = desk.start_conversation(customer)
        for message in messages[:-1]:
            await desk.reply(conversation, message)
        return (await desk.reply(conversation, messages[-1])).text
    finally:
        desk.close()


async def test_a_remembered_device_picks_its_section_of_an_article_covering_two(settings, reset_kb) -> None:
    said = [
        "got a beacon mini for my birthday",
        "it wont connect to the wifi. what kind of network does it need",
        "how do i factory reset it",
    ]

    reply = await last_reply(settings, reset_kb, "c-device", said)

    assert "microphone mute button for 20 seconds" in reply
    assert "paper clip" not in reply


@pytest.fixture(scope="module")
def two_families_kb(tmp_path_factory: pytest.TempPathFactory):
    """The Beacon speakers' reset article (numbered steps that sound like any reset question) beside
    the Aura 2 Pro article, whose reset is one section among pairing and battery advice."""
    return demo_articles_kb(
        tmp_path_factory.mktemp("families-kb"),
        (
            "troubleshooting/beacon-factory-reset.md",
            "troubleshooting/aura-2-pro-pairing-and-reset.md",
            "troubleshooting/aura-charging-and-battery.md",
            "billing/price-list.csv",
        ),
    )


async def test_a_remembered_device_keeps_another_familys_steps_out(settings, two_families_kb) -> None:
    said = ["my headphones are the aura 2 pro, bought them in march", "how do i do a factory reset on them?"]

    reply = await last_reply(settings, two_families_kb, "c-family", said)

    assert "ANC button together for 15 seconds" in reply
    assert "paper clip" not in reply and "Beacon" not in reply


@pytest.fixture(scope="module")
def phone_kb(tmp_path_factory: pytest.TempPathFactory):
    """The demo's contact pages: the phone page's table has a row per store, the Germany, France and
    Netherlands row a callback."""
    return demo_articles_kb(
        tmp_path_factory.mktemp("phone-kb"),
        ("contact/phone-support.md", "contact/contact-us.md", "contact/service-levels.docx"),
    )


@pytest.mark.parametrize(
    "question",
    ["can I ring a dutch speaking agent?", "i need a french speaking agent on the phone, when can I call"],
)
async def test_a_country_named_by_its_adjective_picks_its_row(settings, phone_kb, question: str) -> None:
    """ "dutch speaking" names the Netherlands, so the row for the Netherlands answers, with its hours;
    the Irish row (+44 ...) and the chat table's general lines do not."""
    from app.agent.desk import SupportDesk

    service = SupportDesk.from_settings(settings, kb=phone_kb)
    try:
        result = await service.reply(service.start_conversation("c-adjective"), question)
    finally:
        service.close()

    assert "Call me back" in result.text and "8:00–18:00 CET" in result.text
    assert "+44" not in result.text
