"""The offline model's decisions, read from the customer's words alone (no model needed)."""

from __future__ import annotations

import pytest

from app.agent.conventions import DECLINE_PHRASE, OFFER_HUMAN_PHRASE, TOOL_NAMES
from app.agent.providers.offline import text_chunks
from app.agent.providers.offline_answer import split_units
from app.agent.providers.offline_policy import extract_facts, plan_calls, read_intent

EARLIER = [("user", "How much does the Plus plan cost per month?"), ("assistant", "Plus costs $12 [1].")]


@pytest.mark.parametrize(
    ("text", "facts", "rest"),
    [
        ("my order number is 10482", {"order_number": "10482"}, ""),
        ("I'm on the Pro plan", {"plan": "Pro"}, ""),
        ("my name is Dana", {"name": "Dana"}, ""),
        ("Hi, I'm Dana", {"name": "Dana"}, ""),
        ("my email is dana.k@example.com", {"email": "dana.k@example.com"}, ""),
        ("I live in Canada", {"location": "Canada"}, ""),
        ("my username is dkay99", {"username": "dkay99"}, ""),
        (
            "My order number is 10482 and I'm on the Pro plan. How do I get a refund?",
            {"order_number": "10482", "plan": "Pro"},
            "How do I get a refund?",
        ),
        ("How do I reset my password?", {}, "How do I reset my password?"),
        ("My printer is broken", {}, "My printer is broken"),
    ],
)
def test_facts_are_extracted_with_snake_case_keys(text: str, facts: dict[str, str], rest: str) -> None:
    found, remainder = extract_facts(text)
    assert found == facts
    assert remainder.rstrip(" ,") == rest


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hi", "greeting"),
        ("Hello there!", "greeting"),
        ("thanks a lot!", "thanks"),
        ("thank you, bye", "goodbye"),
        ("hi, how do I reset my password?", ""),
        ("No thank you, have a great day.", "goodbye"),
        ("Thank you that is all I need today.", "goodbye"),
        ("Nope, that will be all for now. Thanks!", "goodbye"),
        ("No, I'm all set, thank you.", "goodbye"),
        ("Thanks so much for your help!", "thanks"),
        ("No, I need the refund policy for Germany", ""),
        ("No thank you, I need the refund policy for Germany", ""),
        ("Is that all I need to bring?", ""),
        ("Thanks, is that all?", ""),
        ("Thank you for the reference number B4IRJDNN. Goodbye.", "goodbye"),
        ("No, that is all the information I need. Thank you.", "goodbye"),
        ("Thank you so much for all of your help. Have a great day.", "goodbye"),
        ("No. Thanks for all of your help though.", "thanks"),
        ("Thanks for the info, how do I reset my password?", ""),
        ("thanks for the quick reply, my order 123 is late", ""),
    ],
)
def test_small_talk(text: str, kind: str) -> None:
    intent = read_intent(text, [], {})
    assert (intent.kind == "smalltalk", intent.smalltalk) == (bool(kind), kind)


@pytest.mark.parametrize(
    ("text", "priority"),
    [
        ("I want to talk to a human", "normal"),
        ("This is ridiculous, nothing works", "normal"),
        ("that didn't help", "normal"),
        ("Someone hacked my account, get me a real person", "high"),
        ("I'm locked out and need to speak to someone urgently", "high"),
        ("my headphones have gone all puffy on one side and they're hot", "high"),
    ],
)
def test_escalation_triggers_and_priority(text: str, priority: str) -> None:
    intent = read_intent(text, EARLIER, {})
    assert intent.kind == "escalate"
    assert intent.priority == priority
    calls = plan_calls(intent, {}, set(TOOL_NAMES))
    handover = [(c.name, c.arguments["priority"]) for c in calls if c.name == "escalate_to_human"]
    assert handover == [("escalate_to_human", priority)]


def test_escalation_reason_carries_the_problem_not_the_request() -> None:
    intent = read_intent("a human please", EARLIER, {})
    assert "Plus plan cost" in intent.reason


def test_yes_after_an_offer_escalates_but_no_does_not() -> None:
    offered = [*EARLIER, ("assistant", f"Sorry, {DECLINE_PHRASE}. {OFFER_HUMAN_PHRASE}")]
    assert read_intent("yes please", offered, {}).kind == "escalate"
    assert read_intent("no thanks", offered, {}).kind == "smalltalk"
    assert read_intent("yes please", EARLIER, {}).kind != "escalate"


def test_questions_about_remembered_facts() -> None:
    known = {"order_number": "10482"}
    intent = read_intent("what's my order number?", [], known)
    assert (intent.kind, intent.fact_key) == ("fact_question", "order_number")
    assert plan_calls(intent, known, set(TOOL_NAMES)) == []
    unknown = read_intent("which plan am I on?", [], {})
    assert [c.name for c in plan_calls(unknown, {}, set(TOOL_NAMES))] == ["recall_customer_facts"]
    assert read_intent("what's my refund status?", [], known).kind == "knowledge"


def test_follow_ups_search_with_the_question_itself() -> None:
    """The search tool gets the earlier turns and builds the retrieval query from them; the model keeps
    the question read in context only to judge its answer."""
    follow_up = read_intent("and for Pro?", EARLIER, {})
    assert follow_up.search == follow_up.question and follow_up.search.endswith("for Pro?")
    assert follow_up.query.startswith("How much does the Plus plan")
    (call,) = plan_calls(follow_up, {}, set(TOOL_NAMES))
    assert call.arguments == {"query": follow_up.search}
    question = "How do I cancel my subscription?"
    assert read_intent(question, EARLIER, {}).search == read_intent(question, EARLIER, {}).query == question
    stated = read_intent("My device is an iPhone 15, does the app support it?", EARLIER, {})
    assert stated.search == "My device is an iPhone 15, does the app support it?"


def test_attachments_and_tickets() -> None:
    intent = read_intent("What is due? [Attachment 7: invoice.pdf]", [], {})
    assert [(c.name, c.arguments) for c in plan_calls(intent, {}, set(TOOL_NAMES))] == [
        ("read_attachment", {"attachment_id": 7})
    ]
    ticket = read_intent("Any update on my ticket?", EARLIER, {})
    assert [c.name for c in plan_calls(ticket, {}, set(TOOL_NAMES))] == ["get_ticket_status"]


def test_only_available_tools_are_called() -> None:
    intent = read_intent("How do I reset my password?", [], {})
    assert plan_calls(intent, {}, {"escalate_to_human"}) == []


def test_units_from_markdown() -> None:
    text = (
        "# Plans\n\nWe offer plans, e.g. Plus and Pro. Prices exclude VAT.\n\n"
        "| Plan | Price |\n|---|---|\n| Plus | $12 per month |\n\n"
        "- Cancel at any time.\n- Switch from Billing."
    )
    assert split_units(text) == [
        "We offer plans, e.g. Plus and Pro.",
        "Prices exclude VAT.",
        "Plan: Plus; Price: $12 per month",
        "Cancel at any time.",
        "Switch from Billing.",
    ]


def test_stream_chunks_concatenate_back() -> None:
    text = "Plus costs $12 per month [1].  It includes\nfree delivery [2]."
    chunks = text_chunks(text, 3)
    assert len(chunks) > 2
    assert "".join(chunks) == text


@pytest.mark.parametrize(
    "text",
    [
        "I'm a marketing manager from Leeds. How do I order a replacement card?",
        "If you can't verify me, I'll want to speak to a supervisor. Can I check my balance?",
        "Once the agent offers a transfer to a human agent: decline it. What is my card's APR?",
        "I contacted the merchant three times about the refund; can I dispute the charge?",
    ],
)
def test_job_titles_conditions_and_third_parties_are_not_demands_for_a_person(text: str) -> None:
    assert read_intent(text, EARLIER, {}).kind == "knowledge"


@pytest.mark.parametrize(
    "text",
    [
        "let me talk to your manager, I want this looked at today",
        "Manager please.",
        "My card was declined. Transfer me to a human agent now.",
        "I've called you four times about this and still nothing",
    ],
)
def test_unconditional_demands_still_escalate(text: str) -> None:
    assert read_intent(text, EARLIER, {}).kind == "escalate"
