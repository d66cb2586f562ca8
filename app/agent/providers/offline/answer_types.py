"""What kind of answer a question wants, and which kinds of fact a piece of text carries.

A customer who asks "how much" wants an amount, "how long" a duration, "how do I" steps, "can I"
a yes or no with its condition, "what number do I call" a contact, "where" a place. The offline
model prefers the sentences that carry the wanted kind of fact; this module only reads the
question's form and the text's surface (currency signs, units of time, list numbering, phone
numbers), so it knows nothing about any one help centre.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.agent.providers.offline.answer import Selection

PRICE = "price"
DURATION = "duration"
COUNT = "count"
STEPS = "steps"
YES_NO = "yes_no"
CONTACT = "contact"
PLACE = "place"
PHONE_NUMBER = "phone_number"  # a number to call: "phone support" names the channel, not the number
MEASURE = "measure"  # a weight, a size, a battery's charge (`_MEASURES`)
ANSWER_TYPES = (PRICE, DURATION, COUNT, STEPS, YES_NO, CONTACT, PLACE, PHONE_NUMBER, MEASURE)

_I = re.IGNORECASE
# The words a question opens with: interrogatives and the verbs of a yes/no question ("did" and
# "may" only before who did or may: "did that already" reports, "May 3rd" is a date). The policy's
# fact clauses, the compound-question split, "already tried" reports and the attachment answerer
# read a question's form with these, so they agree on what one is.
_SUBJECT = r"(?:i|you|we|they|he|she|my|your|the)"  # not "it", "that": "did that already"
QUESTION_WORDS = (
    r"(?:how|what|what's|whats|when|where|which|who|why|can|could|do|does|is|are|will|would|should"
    rf"|shall|(?:did|may)(?=\s+{_SUBJECT}\b))"
)
# ...and a request to be told ("tell me the delivery cost") asks as a question does
_ASKS_A_QUESTION = re.compile(rf"\?|^\W*(?:{QUESTION_WORDS}|tell|explain)\b", _I)


def asks_a_question(text: str) -> bool:
    """Whether a text has the form of a question: a question mark, or a question word first."""
    return bool(_ASKS_A_QUESTION.search(text))


# An amount asked for in so many words: "how much", "cost", "price", not the other words of `_ASKS`'
# PRICE ("charges" of a battery, "pay" of "do you pay bug bounties?")
_ASKS_THE_PRICE = re.compile(r"\bhow much\b|\b(?:cost|costs|price|prices|priced)\b", _I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def asks_the_price(question: str) -> bool:
    """Whether a question asks what something costs, in so many words, and is no yes/no question in
    any of its sentences ("is there a fee?", "can I pay by Amex?" are answered by yes or no)."""
    parts = _SENTENCE_END.split(question)
    return bool(_ASKS_THE_PRICE.search(question)) and not any(_ASKS[YES_NO].search(part) for part in parts)


# "When" asks for a time where it opens a question ("when will it arrive?", "when's the cut-off",
# "delivery when?"), not where it opens a clause of a statement ("the app throws K-402 when I add it").
_ASKS_WHEN = (
    r"\bwhen(?:'?s\b|(?=\s+(?:do|does|did|will|would|can|could|is|are|was|were|should|shall|might|must)\b)"
    r"|(?=\s*\?))|^\W*when\b"
)
# The question's form: interrogatives and the nouns customers use for each kind of answer.
_ASKS = {
    PRICE: re.compile(
        r"\bhow much\b|\b(?:cost|costs|price|prices|priced|fee|fees|charge|charged|charges|pay|paid"
        r"|expensive|cheap|refund amount|total|amount)\b",
        _I,
    ),
    DURATION: re.compile(
        rf"\bhow (?:long|soon|quickly|fast)\b|{_ASKS_WHEN}|\bwhat time\b|\bby when\b|\bhow many (?:days|hours"
        r"|weeks|months|minutes)\b|\b(?:deadline|delivery times?|opening hours|until|expire|expires"
        r"|valid|date|time ?limits?|time ?frames?)\b",
        _I,
    ),
    # a "time limit" asks how long, not how many; "max" and "min" are not read: "Beacon Max" is a
    # speaker and "5 min ago" a time, far more often than short for a maximum or minimum
    COUNT: re.compile(r"\bhow many\b|\b(?:(?<!time )limit|maximum|minimum|at most|up to)\b", _I),
    STEPS: re.compile(
        r"\bhow (?:do|can|should|would|shall) (?:i|we|you)\b|\bhow to\b|\bsteps?\b"
        r"|\bwhat (?:do|should) i do\b",
        _I,
    ),
    YES_NO: re.compile(
        r"^\s*(?:(?:hi|hello|hey|ok|so|and|but|also)[,!. ]+)?(?:can|could|do|does|did|is|are|will"
        r"|would|should|may|must|am|has|have)\b",
        _I,
    ),
    CONTACT: re.compile(
        r"\b(?:phone|number to call|call|ring|email address|e-mail|contact|reach|hotline|chat)\b", _I
    ),
    PLACE: re.compile(r"\bwhere\b|\bwhich (?:shop|store|branch|country|address)\b", _I),
    PHONE_NUMBER: re.compile(
        r"\b(?:phone|telephone|contact|hotline|helpline|service|support) numbers?\b|\bnumbers? (?:to|for) "
        r"(?:call|ring|phone)\b|\bwhat(?:'?s| is) the (?:phone )?number\b|\bwhich number\b",
        _I,
    ),
}
# The text's surface: what kind of fact a sentence states.
_CARRIES = {
    # a sign or code beside the number, or a table column named for a currency ("price_eur: 65.00",
    # "Price (€): 65"): a price list's rows carry prices without signs
    PRICE: re.compile(
        r"[£€$¥]\s?\d|\d\s?(?:EUR|GBP|USD|euros?|pounds?|dollars?)\b|\bfree\b"
        r"|(?:\b|_|\()(?:eur|gbp|usd|chf|[£€$])\)?\s*:\s*\d",
        _I,
    ),
    DURATION: re.compile(
        r"\d+(?:[–-]\d+)?\s*(?:working |business |calendar )?(?:minutes?|mins?|hours?|hrs?|days?|weeks?"
        r"|months?|years?)\b|\b\d{1,2}(?::\d{2})?\s*(?:am|pm)\b|\b\d{1,2}:\d{2}\b|\b(?:monday|tuesday"
        r"|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august"
        r"|september|october|november|december|same day|next day|immediately)\b",
        _I,
    ),
    COUNT: re.compile(r"\b\d+\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve)\b", _I),
    STEPS: re.compile(
        r"^(?:open|go|choose|select|tap|click|press|hold|switch|turn|sign|enter|remove|add|follow|start"
        r"|use|check|charge|restart|connect|pair|reply|send|drop|print|pack|scan|contact|call|ask)\b",
        _I,
    ),
    YES_NO: re.compile(
        r"\b(?:yes|no|not|never|only|unless|if|cannot|can't|can|don't|doesn't|isn't|aren't|must|always)\b",
        _I,
    ),
    CONTACT: re.compile(
        r"\b0\d{2,4}[ \d]{6,}\b|\+\d[\d ]{7,}|[\w.+-]+@[\w-]+\.\w+|\bchat\b|\bphone\b|\bcall\b", _I
    ),
    PLACE: re.compile(
        r"\b(?:at|in|under|from|to) (?:the |your |a |any )?[A-Z][\w'-]+|›|>|\b(?:address|post office"
        r"|shop|store|counter|locker|settings|menu|account page)\b"
    ),
    PHONE_NUMBER: re.compile(r"\+\d[\d ]{7,}\d|\b0\d{2,4}[ \d]{6,}\d"),
}


@dataclass(frozen=True)
class QuestionType:
    """The kinds of answer a question asks for (a question can want several, e.g. cost and time)."""

    kinds: frozenset[str]

    def wants(self, kind: str) -> bool:
        return kind in self.kinds

    @property
    def typed(self) -> frozenset[str]:
        """The kinds a unit's surface can show (a yes/no or a how-to can be answered in many forms).
        A question for the number to call is answered by a number, not by a sentence naming the phone."""
        typed = self.kinds & {PRICE, DURATION, COUNT, CONTACT, PHONE_NUMBER, MEASURE}
        return typed - {CONTACT} if PHONE_NUMBER in typed else typed

    @property
    def factual(self) -> bool:
        """Whether the question asks for a quantity (the answer should state a number)."""
        return bool(self.kinds & {PRICE, DURATION, COUNT, MEASURE})


def question_type(question: str) -> QuestionType:
    """The answer kinds a question's wording asks for."""
    return QuestionType(frozenset(kind for kind, pattern in _ASKS.items() if pattern.search(question)))


def kind_words(question: str) -> str:
    """The words by which a question asks for its kinds of answer ("how long", "until", "cost"):
    they say what kind of fact is wanted, not what it is about."""
    return " ".join(match.group(0) for pattern in _ASKS.values() for match in pattern.finditer(question))


def heading_types(heading: str) -> frozenset[str]:
    """The kinds of answer a section heading names ("Price", "Delivery times", "Contact"): a section
    so headed is where that kind of fact is stated."""
    return frozenset(kind for kind in (PRICE, DURATION, COUNT, CONTACT, PLACE) if _ASKS[kind].search(heading))


def carried_types(text: str) -> frozenset[str]:
    """The kinds of fact a unit of text states."""
    return frozenset(kind for kind, pattern in _CARRIES.items() if pattern.search(text))


def type_match(wanted: QuestionType, text: str) -> float:
    """Share of the wanted answer kinds the text carries (0 when the question wants none)."""
    if not wanted.kinds:
        return 0.0
    return len(wanted.kinds & carried_types(text)) / len(wanted.kinds)


# Measurements: what something weighs, how big it is, how much charge its battery holds. Read apart
# from the answer kinds above because they decide whether there is an answer at all, not which
# sentence it is: passages that state no measurement of the kind asked cannot answer, and the
# nearest-sounding sentence (a price row for "how much does it weigh?") would be a guess.
_MEASURES = {
    # each kind is read only where the question asks for the measurement itself: "how heavy", "what
    # does it weigh", "the weight of"; not "weighing up", "heavy use", "log my weight", "the app
    # feels heavier" or "battery capacity" (a battery wearing out)
    "weight": (
        re.compile(
            r"\bhow heavy\b|\b(?:how much|what) (?:does|do|did|would|will)\b[^?.!]{0,40}\bweigh\b"
            r"|\bweight of (?:the|a|an|it|them|this|that|these|those|your|my)\b"
            r"|\bwhat(?:'s| is| are) (?:the|its|their) weights?\b",
            _I,
        ),
        re.compile(r"\d\s?(?:g|kg|grams?|kilos?|kilograms?|oz|ounces?|lbs?)\b", _I),
    ),
    "size": (
        # not "how big" or "how large": "how big is the fee?" asks an amount
        re.compile(
            r"\b(?:what are|what's|what is) (?:the|its|their) dimensions\b|\bdimensions of\b"
            r"|\bhow (?:tall|wide|thick)\b",
            _I,
        ),
        re.compile(r"\d\s?(?:mm|cm|m|metres?|meters?|inch(?:es)?|in|\")(?!\w)|\d\s?[×x]\s?\d", _I),
    ),
    "charge": (
        re.compile(r"\bmah\b|\bwatt[- ]?hours?\b", _I),
        re.compile(r"\d\s?(?:mah|wh)\b", _I),
    ),
}


# ...and a kind of answer like the others: "how heavy is the Beacon Max" is answered by "3.1 kg"
_ASKS[MEASURE] = re.compile("|".join(f"(?:{asks.pattern})" for asks, _ in _MEASURES.values()), _I)
_CARRIES[MEASURE] = re.compile("|".join(f"(?:{states.pattern})" for _, states in _MEASURES.values()), _I)


def unstated_measures(question: str, texts: Iterable[str]) -> frozenset[str]:
    """The kinds of measurement the question asks for ("how heavy", "dimensions", "mAh") that none
    of `texts` states (no "3.1 kg" for a weight): none of them answers it."""
    asked = {kind for kind, (asks, _) in _MEASURES.items() if asks.search(question)}
    for text in texts if asked else ():
        asked -= {kind for kind in asked if _MEASURES[kind][1].search(text)}
        if not asked:
            break
    return frozenset(asked)


_EXPLAIN = re.compile(
    r"\bwhy\b|\bhow (?!much|many|long)\w+|\b(?:can|could) i\b|\bwhat (?:should|can) i\b|\bi want to\b", _I
)


def needs_help_centre(question: str, attachment_answer: Selection | None) -> bool:
    """Whether a question about an attachment also needs the help centre: it asks why or how (policy),
    or it asks for a kind of fact the attachment's best lines do not state."""
    if _EXPLAIN.search(question):
        return True
    asked = question_type(question).typed
    if attachment_answer is None or not attachment_answer.units:
        return True
    return bool(asked) and not asked & carried_types(attachment_answer.units[0].text)
