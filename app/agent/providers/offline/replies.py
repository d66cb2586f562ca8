"""The offline model's wording: every sentence it says that is not extracted from a source.

Kept apart from the decisions so the phrasing can change without touching the logic. Nothing here
states a fact about the product; facts only come from passages, attachments or the customer.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.agent.providers.offline.answer import Selection, Unit, reviewer
from app.files.tables import with_amounts
from app.protocol import (
    ATTACHMENT_CITATION,
    DECLINE_PHRASE,
    ESCALATED_PHRASE,
    NO_TICKET,
    OFFER_HUMAN_PHRASE,
)

RAISED_PRIORITIES = frozenset({"high", "urgent"})
_SMALLTALK = {
    # a bare hello is answered in kind; one that asks something ("anyone there?", "are you a bot?")
    # is told, yes, who answers. Measured as semantic similarity to the reference replies (train /
    # dev / validation): the old "Hello! I'm the support assistant. How can I help you today?"
    # scored 0.57/0.51/0.62 on bare greetings and 0.46/0.40/0.37 on asking ones, these 0.74/0.67/0.71
    # and 0.67/0.48/0.59 (without the "Yes," 0.65/0.44/0.55). A greeting that asks for a person is
    # a request for one, not small talk.
    "greeting": "Hello{name}! How can I help you today?",
    "greeting_question": "Hello{name}! Yes, I'm the virtual assistant and I can help. What's your question?",
    "thanks": "You're welcome{name}! Is there anything else I can help you with?",
    "goodbye": "Goodbye{name}, and thanks for getting in touch!",
    "thanks_goodbye": "You're welcome{name}. Goodbye, and have a good day!",
    "declined_offer": "All right. Is there anything else I can help you with?",
    "acknowledge": "All right{name}. Is there anything else I can help you with?",
    "affirm": "All right{name}. What would you like me to help you with?",
    "deny": "All right{name}. Is there anything else I can help you with?",
    "booking": (
        "I can't make bookings or reservations in this chat, but I can answer questions from our help "
        "centre. What would you like to know?"
    ),
    "injection": (
        "I can't change how I work or share anything beyond your own account, but I'm happy to help "
        "with a question about our products, your orders or your account."
    ),
    "unclear": "I'm not sure I understood{name}. Could you tell me what you need help with?",
}


def smalltalk(kind: str, name: str | None) -> str:
    """A short friendly reply, using the customer's name when it is known."""
    return _SMALLTALK.get(kind, _SMALLTALK["greeting"]).format(name=f" {name}" if name else "")


def refused() -> str:
    """Before the answer to a message that also tried to change the assistant's rules."""
    return "I can't change how I work, your account or anyone's data from this chat."


def label(key: str) -> str:
    """How a fact key reads in a sentence: order_number -> "order number"."""
    return key.replace("_", " ")


def noted(facts: Mapping[str, str]) -> str:
    """The acknowledgement of facts the customer just told us (and we stored)."""
    parts = [f"your {label(key)} ({value})" for key, value in facts.items()]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" and {parts[-1]}"
    return f"Thanks, I've noted {listed}."


def noted_only(facts: Mapping[str, str]) -> str:
    """The reply to a message that only told us something: the acknowledgement, then what next
    (the customer has not asked anything yet)."""
    return f"{noted(facts)} What can I help you with?"


def all_facts(facts: Mapping[str, str]) -> str:
    """The answer to a question about all their details: every remembered fact, or that there are none."""
    if not facts:
        return "I don't have any details about you on record yet. If you tell me, I'll remember them."
    parts = [f"your {label(key)} is {value}" for key, value in facts.items()]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" and {parts[-1]}"
    return f"Here is what I have on record: {listed}."


def fact_answer(key: str, value: str | None) -> str:
    """The answer to "what's my ...?" from the remembered facts, or that we do not have it."""
    if value is None:
        return f"I don't have your {label(key)} on record yet. If you tell me, I'll remember it."
    return f"Your {label(key)} is {value}."


def extracted(selection: Selection, *, from_attachment: bool = False) -> str:
    """The chosen sentences, each with its passage citation (or one attachment citation at the end)."""
    if selection.steps:
        return _steps(selection)
    sentences = [_with_citation(_quoted(unit), unit.cite) for unit in selection.units]
    text = f"{_reviews_intro(selection)}{' '.join(sentences)}"
    if from_attachment:
        text = f"{text.rstrip('.')} {ATTACHMENT_CITATION}."
    return text


def _steps(selection: Selection) -> str:
    """The section's heading, then a numbered list, one line per step (sentences of one step joined),
    cited once at the end. The heading line also keeps the list at the start of a line when the
    reply begins with something else ("In the meantime, from our help centre: ..."), so Markdown
    shows it as a list."""
    steps: dict[int, list[str]] = {}
    listed_units = [unit for unit in selection.units if unit.step > 0]
    for unit in listed_units:
        steps.setdefault(unit.step, []).append(unit.text)
    lines = [f"{number}. {' '.join(texts)}" for number, texts in sorted(steps.items())]
    last = listed_units[-1]
    lines[-1] = f"{lines[-1].split('. ', 1)[0]}. {_with_citation(' '.join(steps[max(steps)]), last.cite)}"
    first = listed_units[0]
    heading = first.heading.strip() or first.title.strip()
    listed = "\n".join(lines)
    # what the section says beside its steps (how long it takes, what it costs) follows the list
    notes = " ".join(_with_citation(_quoted(unit), unit.cite) for unit in selection.units if unit.step == 0)
    if notes:
        listed = f"{listed}\n\n{notes}"
    heading = heading.rstrip(":.")
    if heading and not heading.endswith("?"):
        heading = f"{heading}:"
    return f"{heading}\n\n{listed}" if heading else listed


def _quoted(unit: Unit) -> str:
    """A unit as the reply states it: a price list's row says "price_gbp: £4.99", not "4.99"."""
    return with_amounts(unit.text)


def _reviews_intro(selection: Selection) -> str:
    """Review sentences are customers' words ("I loved the view"), so say whose before quoting them,
    and how many of the reviews read say so ("2 of the 5 reviews of Hobsons House say: ...")."""
    units = selection.units
    if not units or any(unit.kind != "review" for unit in units):
        return ""
    titles = {unit.title for unit in units}
    about = f" of {units[0].title}" if len(titles) == 1 and units[0].title else ""
    agree = len({reviewer(unit) for unit in units})
    if about and selection.reviews > 1 and agree <= selection.reviews:
        if agree == selection.reviews:
            share = "Both" if agree == 2 else f"All {agree}"
            return f"{share} reviews{about} I found say: "
        verb = "says" if agree == 1 else "say"
        return f"{agree} of the {selection.reviews} reviews{about} I found {verb}: "
    return f"Guests' reviews{about} say: "


def _with_citation(text: str, cite: str) -> str:
    """ "Plus costs $12 a month [1]." - the citation goes before the final full stop."""
    if not cite:
        return text if text[-1:] in ".!?" else f"{text}."
    ending = text[-1] if text[-1:] in "!?" else "."
    return f"{text.rstrip('.!?:;, ')} {cite}{ending}"


def decline() -> str:
    """No passage is close enough: say so, and offer a person instead of guessing."""
    return f"I'm sorry, {DECLINE_PHRASE}. {OFFER_HUMAN_PHRASE}"


def attachment_unreadable() -> str:
    """The attachment tool gave nothing usable."""
    return f"Sorry, I couldn't read any text from your attachment. {OFFER_HUMAN_PHRASE}"


def attachment_no_answer() -> str:
    """The attachment was read but does not address the question."""
    return f"I read your attachment, but I couldn't find anything in it about that. {OFFER_HUMAN_PHRASE}"


def attachment_overview(selection: Selection) -> str:
    """The customer sent a file without a question: show how it starts and ask what they need."""
    opening = " ".join(_with_citation(unit.text, "") for unit in selection.units)
    return (
        f'Thanks, I\'ve read your attachment. It begins: "{opening}" {ATTACHMENT_CITATION}. '
        "What would you like to know about it?"
    )


# What a hand-over first says to the customer, by its reason (see intents.REASONS): sorry where
# something went wrong for them, what to do at once for a hazard, why a person is needed for what
# only staff may do. A request for a person, or a yes to one offered, needs no preamble.
HANDOVER_OPENINGS = {
    "frustration": "I'm sorry this still isn't sorted. ",
    "complaint": "I'm sorry about this. ",
    "fraud": "I'm sorry this has happened. ",
    "safety": "Please stop using it for now. ",
    "staff_action": "I can't do that myself, so ",
}


def escalated(
    ticket_number: str | None, priority: str, *, reason: str = "", after_decline: bool = False
) -> str:
    """What happens next once a person has been asked to take over, opened for its `reason`
    (`HANDOVER_OPENINGS`). The priority is said only when it is raised (a safety case): "It has
    normal priority" told the customer nothing and lengthened every hand-over (semantic similarity
    to the training dialogues' hand-overs 0.49 -> 0.55 without it and with "this" for "your
    conversation"; dev 0.40 -> 0.43)."""
    opening = HANDOVER_OPENINGS.get(reason, "")
    lead = "I couldn't find that in our help centre, so " if after_decline else opening
    if ticket_number is None:
        return (
            "Sorry, I couldn't open a ticket for a member of our support team just now. "
            "Please try again in a moment."
        )
    raised = f" It has {priority} priority." if priority in RAISED_PRIORITIES else ""
    return (
        f"{lead}{ESCALATED_PHRASE}; your ticket number is {ticket_number}.{raised} A person will reply "
        "here in this conversation, so you won't need to repeat anything."
    )


def meanwhile(answer: str) -> str:
    """What the help centre says, offered while the customer waits for a person."""
    return f"In the meantime, from our help centre: {answer}"


def ticket_status(result: str | None) -> str:
    """Relay what the ticket tool reported; that there is none in our own words ("Here is the latest
    on your ticket: This conversation has no support ticket" contradicts itself). None: the lookup
    failed or the tool is not there, so we cannot say whether there is one."""
    if not result:
        return "I couldn't find a ticket for this conversation. If you'd like, I can ask a person to help."
    if result.strip() == NO_TICKET:
        return (
            "There is no support ticket for this conversation yet, so there is no update to show. "
            "If you'd like, I can ask a person to help."
        )
    return f"Here is the latest on your ticket: {result.strip()}"
