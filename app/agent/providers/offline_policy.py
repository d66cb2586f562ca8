"""What the offline model decides to do with a customer's message, before any tool runs.

Pure text rules, driven only by what the customer wrote (and by the offline model's own earlier
replies): tool results never reach this module, so a passage or an attachment that says "call
escalate_to_human" cannot trigger anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from app.agent.conventions import (
    ESCALATE_TOOL,
    OFFER_HUMAN_PHRASE,
    READ_ATTACHMENT_TOOL,
    RECALL_TOOL,
    REMEMBER_TOOL,
    SEARCH_TOOL,
    TICKET_STATUS_TOOL,
    find_attachment_ids,
    strip_attachment_markers,
)

IntentKind = Literal[
    "smalltalk", "escalate", "ticket_status", "fact_question", "attachment", "knowledge", "acknowledge"
]
Turn = tuple[str, str]  # (role, text) of an earlier message: role is "user" or "assistant"

_I = re.IGNORECASE


@dataclass(frozen=True)
class ToolCall:
    """One tool call the offline model asks the framework to run."""

    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Intent:
    """The reading of one customer message that the rest of the turn follows."""

    kind: IntentKind
    question: str = ""  # the message without markers and fact statements
    query: str = ""  # the question read in context (with the previous question for short follow-ups)
    search: str = ""  # what the search tool is asked: the question itself (the retriever adds the context)
    facts: dict[str, str] = field(default_factory=dict)
    smalltalk: str = ""  # greeting | thanks | goodbye | declined_offer
    fact_key: str = ""
    attachment_ids: tuple[int, ...] = ()
    reason: str = ""
    priority: str = "normal"


# --- customer facts ----------------------------------------------------------------------------
_VALUE_END = r"(?=\s+(?:and|but|so|because)\b|\s*[,;!?]|\.(?:\s|$)|\s*$)"
_FACT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "email",
        re.compile(r"(?:\bmy\s+e-?mail(?:\s+address)?\s+(?:is|:)\s+)?\b([\w.+-]+@[\w-]+(?:\.[\w-]+)+)\b", _I),
    ),
    (
        "order_number",
        re.compile(
            r"(?:\b(?:my|our)\s+)?\border\s*(?:number|no\.?|#|id)?\s*(?:is|:|=)?\s*#?\s*([A-Z]{0,4}-?\d[\w-]{2,})",
            _I,
        ),
    ),
    (
        "account_id",
        re.compile(
            r"(?:\b(?:my|our)\s+)?\baccount\s*(?:number|no\.?|#|id)\s*(?:is|:|=)?\s*#?\s*([A-Z]{0,4}-?\d[\w-]{2,})",
            _I,
        ),
    ),
    (
        "phone_number",
        re.compile(
            r"(?:\bmy\s+)?\b(?:phone|mobile|cell)(?:\s*number)?\s*(?:is|:)\s*(\+?\d[\d ()-]{5,}\d)", _I
        ),
    ),
    ("name", re.compile(r"\bmy name is\s+([A-Za-z][\w'-]*(?:\s+[A-Z][\w'-]*)?)" + _VALUE_END, _I)),
    ("name", re.compile(r"\bcall me\s+([A-Za-z][\w'-]*)" + _VALUE_END, _I)),
    ("name", re.compile(r"^(?i:(?:hi|hello|hey)\W+)?(?i:i'm|i am|this is)\s+([A-Z][a-z'-]+)" + _VALUE_END)),
    (
        "plan",
        re.compile(
            r"\b(?:i'm|i am|we're|we are)\s+on\s+(?:the\s+|a\s+)?([A-Za-z][\w+-]*)\s+"
            r"(?:plan|tier|subscription)\b",
            _I,
        ),
    ),
    (
        "plan",
        re.compile(
            r"\b(?:i|we)\s+(?:have|use|pay for|subscribe to)\s+(?:the\s+|a\s+)?([A-Za-z][\w+-]*)\s+"
            r"(?:plan|tier|subscription)\b",
            _I,
        ),
    ),
    ("plan", re.compile(r"\bmy (?:plan|subscription|tier) is\s+(?:the\s+)?([A-Za-z][\w+-]*)", _I)),
    (
        "location",
        re.compile(
            r"\bi(?:'m| am)?\s+(?:live|living|based|located)\s+in\s+([A-Za-z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2})"
            + _VALUE_END,
            _I,
        ),
    ),
    (
        "location",
        re.compile(r"\bi(?:'m| am) from\s+([A-Za-z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2})" + _VALUE_END, _I),
    ),
)
_GENERIC_FACT = re.compile(
    r"\bmy\s+((?:[a-z]+\s+){0,2}(?:number|id|code|username|name|address|company|device|model|country|city"
    r"|language|timezone))\s+(?:is|:)\s+(?:an?\s+|the\s+)?([^,;!?]+?)" + _VALUE_END,
    _I,
)
_KEY_ALIASES = {
    "order_no": "order_number",
    "order_id": "order_number",
    "order": "order_number",
    "email_address": "email",
    "e_mail": "email",
    "e_mail_address": "email",
    "phone": "phone_number",
    "mobile_number": "phone_number",
    "account_number": "account_id",
    "full_name": "name",
    "first_name": "name",
    "country": "location",
    "city": "location",
    "subscription": "plan",
    "tier": "plan",
    "subscription_plan": "plan",
}
STANDARD_FACTS = ("name", "email", "order_number", "account_id", "phone_number", "plan", "location")


def fact_key(phrase: str) -> str:
    """Normalise what the customer called a fact ("Order No.") into a snake_case key."""
    key = re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_")
    return _KEY_ALIASES.get(key, key)


def _clean_value(key: str, value: str) -> str:
    """Tidy a captured value: trim, and capitalise names, places and plan names."""
    value = " ".join(value.strip(" .'\"").split())
    if key in ("name", "location", "plan") and value.islower():
        value = " ".join(part.capitalize() for part in value.split())
    return value


def extract_facts(text: str) -> tuple[dict[str, str], str]:
    """Facts the customer states about themselves, and the text left once those clauses are removed."""
    facts: dict[str, str] = {}
    spans: list[tuple[int, int]] = []
    patterns = [*_FACT_PATTERNS, ("", _GENERIC_FACT)]
    for key, pattern in patterns:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in spans):
                continue
            name = key or fact_key(match.group(1))
            value = _clean_value(name, match.group(match.lastindex or 0))
            if value and name not in facts:
                facts[name] = value
                spans.append(match.span())
    remainder = text
    for start, end in sorted(spans, reverse=True):
        remainder = remainder[:start] + " " + remainder[end:]
    return facts, _tidy(remainder)


def _tidy(text: str) -> str:
    """Collapse leftovers of removed clauses ("hi,  and , how do I ...")."""
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"(^|[,.;!?])\s*(?:and|also|but|so)\b\s*", r"\1 ", text, flags=_I)
    text = re.sub(r"\s*\b(?:and|also|but|so)\s*(?=[,.;!?]|$)", "", text, flags=_I)
    text = re.sub(r"^\s*(?:my|our)\s*(?=[,.;!?]|$)", "", text, flags=_I)
    text = re.sub(r"\s*([,.;!?])(?:\s*[,.;])+", r"\1", text)
    text = re.sub(r"^[\s,.;]+", "", text)
    return text.strip(" ,.;")


# --- questions about remembered facts ------------------------------------------------------
_FACT_QUESTIONS = (
    re.compile(
        r"\b(?:what(?:'s| is| was)|do you (?:remember|know|have)|tell me|remind me(?: of| what)?|which is)"
        r"\s+(?:is\s+)?my\s+([a-z][a-z ]{1,30}?)\s*(?:\?|$|\bagain\b|\bis\b|\bon file\b|\bthat\b)",
        _I,
    ),
)
_FIXED_FACT_QUESTIONS = (
    ("plan", re.compile(r"\b(?:which|what) (?:plan|tier|subscription) am i on\b", _I)),
    ("location", re.compile(r"\bwhere do i live\b", _I)),
    ("name", re.compile(r"\bwho am i\b|\bdo you know (?:who i am|my name)\b", _I)),
)


def fact_question(text: str, known: Mapping[str, str]) -> str:
    """The fact key a question asks about ("what's my order number?" -> order_number), or ""."""
    for key, pattern in _FIXED_FACT_QUESTIONS:
        if pattern.search(text):
            return key
    for pattern in _FACT_QUESTIONS:
        if match := pattern.search(text):
            return resolve_fact_key(match.group(1), known)
    return ""


def resolve_fact_key(phrase: str, known: Mapping[str, str]) -> str:
    """Match a phrase to a known fact key, or to a standard one; "" when it is not a fact at all."""
    key = fact_key(phrase)
    if key in known or key in STANDARD_FACTS:
        return key
    words = set(key.split("_")) - {"number", "id", "address"}
    for candidate in sorted(known):
        if words & set(candidate.split("_")):
            return candidate
    for candidate in STANDARD_FACTS:
        if words & set(candidate.split("_")):
            return candidate
    return ""


# --- small talk ------------------------------------------------------------------------------
_CLOSING = (
    r"that(?:'s| is| was| will be|'ll be| would be| should be)\s+(?:all|everything|it)"
    r"(?:\s+the\s+(?:help|info|information|assistance))?"
    r"(?:\s+(?:i|we)\s+(?:need|needed|wanted|want|was looking for|were looking for|had))?"
    r"|(?:i|we)\s+(?:don't|do not|won't|will not)\s+need\s+(?:anything|any)\s+(?:else|more)(?:\s+help)?"
    r"|(?:i|we)(?:\s+think\s+(?:i|we))?(?:'m|'re|\s+am|\s+are)\s+(?:all\s+)?(?:set|good|done)"
    r"|nothing (?:else|more)|(?:i|we) (?:have|got) (?:all|everything) (?:i|we) need(?:ed)?"
    r"|for (?:now|today)"
)
_HELP = r"(?:help|information|info|assistance|time)"
_SMALLTALK = (
    (
        "goodbye",
        r"\b(?:good ?bye|bye|see you(?: later)?|take care|" + _CLOSING + r"|have an?"
        r"(?: (?:nice|good|great|wonderful|lovely))? (?:day|evening|night|weekend|one))\b",
    ),
    (
        "thanks",
        # thanks for a thing just given ("thank you for the reference number ABC123."), then plain thanks
        r"\b(?:thanks?(?: you)?(?: (?:so|very) much)? for (?:[\w-]+ ){0,4}[\w-]+(?=\s*(?:[.!,]|$))"
        r"|thanks?(?: you)?(?: (?:so|very) much)?"
        r"(?: for (?:the|your|all (?:of )?(?:the|your)) " + _HELP + r")?"
        r"|thx|ty|cheers|appreciate(?:d| it)?|great|perfect|awesome|cool|got it|ok(?:ay)?|that help(?:ed|s)"
        r"|(?:that(?:'s| has)|you(?:'ve| have)) been (?:very |so |really )?helpful|(?:that|you)(?:'s| is| was"
        r"| are| were) (?:very |so |really )?helpful|sounds? (?:good|great|perfect)|brilliant|excellent"
        r"|wonderful|nice)\b",
    ),
    (
        "greeting",
        r"\b(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening)|how are you(?: doing)?"
        r"|how's it going)\b",
    ),
)
_FILLER_TEXT = (
    "so much very a lot you again there team for your the help all guys mate bot just wanted to say and oh "
    "well today everyone folks really i it that this is was now then too assistant support friend "
    "no nope nah not yes yeah yep actually alright right though"
)
_FILLER = frozenset(_FILLER_TEXT.split())


def smalltalk_kind(text: str) -> str:
    """greeting | thanks | goodbye when the message is only small talk, else ""."""
    lowered = text.lower().replace("\u2019", "'")
    found = [kind for kind, pattern in _SMALLTALK if re.search(pattern, lowered)]
    if not found or ("?" in lowered and "greeting" not in found):  # "That is all?" asks something
        return ""
    for _, pattern in _SMALLTALK:
        lowered = re.sub(pattern, " ", lowered)
    rest = [word for word in re.findall(r"[a-z0-9']+", lowered) if word not in _FILLER]
    return "" if rest else found[0]


# --- escalation ----------------------------------------------------------------------------
_HUMAN_REQUEST = re.compile(
    r"\b(?:human|real person|live (?:agent|person|chat)|someone real|actual person)\b"
    # job titles only as someone to reach: "a marketing manager from Leeds" asks for nobody
    r"|\b(?:speak|talk|chat|get|put|transfer|connect|escalate|want|need|see|call|fetch)\b[^.?!]{0,25}?"
    r"\b(?:representative|operator|supervisor|manager)s?\b|^\W*(?:an?\s+|the\s+|your\s+)?(?:supervisor|manager)\b"
    r"|\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:someone|somebody|a person|an? "
    r"(?:support )?(?:agent|person)|staff|support)\b|\bescalate\b|\b(?:connect|transfer) me\b"
    r"|\b(?:want|need|get me)\s+(?:an?\s+)?(?:agent|person)\b"
    r"|\b(?:ask|get|find)\s+(?:someone|somebody|a colleague)\b|\bsomeone who can\b"
    r"|\bwho can (?:approve|authori[sz]e|sign off)\b",
    _I,
)
# "If you can't verify me, I'll want a supervisor" asks for an answer first: a request for a
# person (or a complaint) inside a clause that starts with one of these is a condition, not a demand.
_CONDITION = re.compile(r"\b(?:if|unless|when|whenever|once|should|in case|otherwise)\b", _I)
_SENTENCE_START = re.compile(r"[.!?;\n]\s*|\s-\s")  # not ":": "If it fails: ask for a manager"
_FRUSTRATION = re.compile(
    r"\b(?:ridiculous|useless|terrible|awful|furious|angry|annoyed|fed up|sick of"
    r"|worst (?:service|experience|support|company)|waste of (?:my )?time"
    r"|unacceptable|pathetic|horrible|outrageous|stupid|hopeless|disgusting|this is a joke)\b"
    # complaints and legal threats
    r"|\b(?:(?:formal|official) complaint|make a complaint|complain(?:ing)? about"
    r"|small claims|court|lawyer|solicitor|legal action|ombudsman|trading standards)\b"
    # repeated contact: the customer has already tried, more than once
    r"|\b(?:third|fourth|fifth|umpteenth) time\b"
    # (us, not a shop: "I contacted the merchant three times" is the dispute, not a complaint)
    r"|\b(?:asked|told|explained|contacted|called|rung|tried|written|emailed|chased)"
    r"(?:\s+(?:you(?:\s+guys)?|your\s+(?:team|staff|support|colleagues)|support|customer service|this"
    r"|about (?:this|it)|already|now|before|up|in|back)){0,3}"
    r"\s+(?:several|many|multiple|two|three|four|five|\d+) times\b"
    r"|\b(?:nobody|no one|no-one)(?: has| have|'s)? (?:come back|got back|replied|answered|called|responded)"
    r"|\bstill (?:nothing|no (?:reply|answer|response|update|news)|not (?:fixed|sorted|resolved))"
    r"|\blast time i(?:'m| am) asking\b",
    _I,
)
_NOT_HELPED = re.compile(
    r"\b(?:that|this|it|your answer|the answer|you)\s+(?:still\s+)?"
    r"(?:didn't|did not|doesn't|does not|don't|do not|isn't|is not|aren't|are not|wasn't|was not)\s+"
    r"(?:really\s+)?(?:help|helping|helpful|answer|work|working)\b"
    r"|\bnot (?:helpful|what i (?:asked|meant|need|wanted))\b|\bstill (?:not working|broken|doesn't work)\b"
    r"|\b(?:answers?|replies|this|you)\s+(?:aren't|are not|isn't|is not)\s+(?:really\s+)?helping\b",
    _I,
)
_YES = re.compile(r"^\s*(?:yes|yeah|yep|sure|ok(?:ay)?|please|please do|do it|go ahead|y)\b", _I)
_NO = re.compile(r"^\s*(?:no|nope|nah|no thanks?|not now)\b", _I)
_HIGH_PRIORITY = re.compile(
    r"\b(?:urgent(?:ly)?|asap|immediately|emergency|right now|fraud(?:ulent)?|unauthori[sz]ed|stolen"
    r"|hacked|scam|locked out|can(?:'t|not) (?:log ?in|sign ?in|access)|compromised|double charged"
    r"|charged twice)\b",
    _I,
)
_SAFETY = re.compile(
    r"\b(?:smoke|smoking|fire|flames?|burning|burnt|sparks?|sparking|melt(?:ed|ing)|scorch(?:ed|ing)"
    r"|electric(?:al)? shock|shocked me|exposed (?:wires?|metal)|metal bits|overheat(?:ed|ing)"
    r"|explod(?:ed|ing)"
    # a battery that swells is a fire risk, whatever the customer calls it
    r"|swollen battery|battery (?:is |has )?(?:swollen|swelling|swelled|bulging)|puffy|puffed up|bulging)\b",
    _I,
)
_TICKET_QUESTION = re.compile(
    r"\b(?:ticket|case|escalation)\b.*\b(?:status|update|progress|news|open|number)\b"
    r"|\b(?:status|update|progress|news)\b.*\b(?:ticket|case|escalation)\b"
    r"|\bwhat(?:'s| is) my ticket\b"
    r"|\b(?:has|did) (?:anyone|someone|a human)\b.*\b(?:look|repl|respond|answer)",
    _I,
)


def escalation_trigger(text: str, history: Sequence[Turn]) -> str:
    """Why this message should go to a person ("" when it should not)."""
    last_reply = next((body for role, body in reversed(history) if role == "assistant"), "")
    if OFFER_HUMAN_PHRASE in last_reply and _YES.search(text) and smalltalk_kind(text) == "":
        return "Customer accepted the offer to talk to a person"  # "ok cheers" is thanks, not a yes
    if _SAFETY.search(text):
        return "Customer reports a safety hazard"
    if _demands(_HUMAN_REQUEST, text):
        return "Customer asked to talk to a person"
    if _demands(_FRUSTRATION, text):
        return "Customer is frustrated"
    if last_reply and _NOT_HELPED.search(text):
        return "Customer says the answers did not help"
    return ""


def _demands(pattern: re.Pattern[str], text: str) -> bool:
    """Whether `pattern` occurs outside a conditional clause ("if that fails, get me a manager")."""
    for match in pattern.finditer(text):
        starts = [m.end() for m in _SENTENCE_START.finditer(text, 0, match.start())]
        clause = text[starts[-1] if starts else 0 : match.start()]
        if not _CONDITION.search(clause):
            return True
    return False


def priority_for(texts: Sequence[str]) -> str:
    """high when the customer mentions urgency, fraud, being locked out or a safety hazard, else normal."""
    urgent = any(_HIGH_PRIORITY.search(text) or _SAFETY.search(text) for text in texts)
    return "high" if urgent else "normal"


def problem_summary(question: str, history: Sequence[Turn], limit: int = 300) -> str:
    """The customer's problem in their own words: this message if it says more than "a human please"."""
    candidates = [question] + [text for role, text in reversed(history) if role == "user"]
    for text in candidates:
        cleaned = strip_attachment_markers(text)
        if _is_substantive(cleaned) and not _is_meta(cleaned):
            return _shorten(cleaned, limit)
    return _shorten(strip_attachment_markers(question), limit) or "(no details given)"


def _is_substantive(text: str) -> bool:
    """More than small talk: at least three words that are not filler."""
    return len(_meaningful_words(text, _FILLER)) >= 3


def _is_meta(text: str) -> bool:
    """A message about the conversation itself (asking for a human, saying it didn't help)."""
    return not _is_substantive(_without_meta(text))


_ASKING_TEXT = (
    "want need like would could can please speak talk chat get let me my someone somebody anyone person "
    "people agent human real now asap staff ok okay"
)
_IGNORED_IN_PROBLEMS = _FILLER | frozenset(_ASKING_TEXT.split())


def _states_problem(text: str) -> bool:
    """Whether the message says what is wrong, beyond asking for a person or venting: at least two
    words that are neither filler, nor a request for someone, nor a complaint about the service
    ("I was charged twice, get me a human" states one; "I want a real person now" does not)."""
    return len(_meaningful_words(_without_meta(text), _IGNORED_IN_PROBLEMS)) >= 2


def _without_meta(text: str) -> str:
    """The message less its requests for a person, complaints and "that didn't help"."""
    return _HUMAN_REQUEST.sub(" ", _NOT_HELPED.sub(" ", _FRUSTRATION.sub(" ", text)))


def _meaningful_words(text: str, ignored: frozenset[str]) -> list[str]:
    return [word for word in re.findall(r"[a-z0-9']+", text.lower()) if word not in ignored]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def escalation_reason(trigger: str, question: str, history: Sequence[Turn]) -> str:
    """The reason sent with the escalation: why, and the problem in the customer's words."""
    return f"{trigger}. Problem: {problem_summary(question, history)}"


# --- follow-ups and the search query -----------------------------------------------------
_FOLLOW_UP_OPENER = re.compile(
    r"^\s*(?:and|what about|how about|what if|also|same for|and for|for the|what else)\b", _I
)
_ANAPHORA = re.compile(r"\b(?:the other one|that one|this one|the same|it|that|those|them|they|there)\b", _I)


def _refers_back(question: str, message: str) -> bool:
    """Whether the question only makes sense after what came before ("and for Premium?")."""
    words = question.split()
    return (
        bool(_FOLLOW_UP_OPENER.search(message))
        or len(words) <= 2
        or (len(words) <= 8 and bool(_ANAPHORA.search(question)))
    )


def search_query(question: str, *, message: str = "", stated: bool = False) -> str:
    """What the search tool is asked: the customer's question itself.

    The search tool receives the earlier turns and builds the retrieval query from them (and tracks
    the entity under discussion), so "and for Premium?" is resolved there; merging the previous
    question in here would repeat that context and pull in its off-topic words. When the message also
    stated facts ("My device is an iPhone 15, does the app support it?"), "it" refers to this
    message, so the whole message is asked.
    """
    message = message or question
    return message if stated and _refers_back(question, message) else question


def question_in_context(
    question: str, history: Sequence[Turn], *, message: str = "", stated: bool = False
) -> str:
    """The question as read in the dialogue: with the previous question when it only makes sense after it.

    The answerer ranks sentences by the question itself and uses this reading only to judge whether
    the best one answers it, so a follow-up such as "it's a mesh system" is not declined.
    """
    message = message or question
    if not _refers_back(question, message):
        return question
    if stated:
        return message
    for role, text in reversed(history):
        previous = strip_attachment_markers(text)
        if role == "user" and _is_substantive(previous) and not _is_meta(previous):
            return f"{previous} {question}"
    return question


# --- the decision ----------------------------------------------------------------------------
def read_intent(user_text: str, history: Sequence[Turn], known: Mapping[str, str]) -> Intent:
    """Decide what this customer message asks for; `history` holds the earlier turns, oldest first."""
    attachments = tuple(find_attachment_ids(user_text))
    facts, question = extract_facts(strip_attachment_markers(user_text))
    texts = [question, *(text for role, text in history if role == "user")]
    if trigger := escalation_trigger(question, history):
        reason = escalation_reason(trigger, question, history)
        # a message that first states the problem is looked up as well: the reply can say what to
        # do meanwhile ("stop using it"), and the person who takes over sees the articles found
        first_statement = not any(_states_problem(text) for role, text in history if role == "user")
        lookup = question if first_statement and _states_problem(question) else ""
        priority = priority_for(texts)
        return Intent("escalate", question, question, lookup, facts, reason=reason, priority=priority)
    if _TICKET_QUESTION.search(question):
        return Intent("ticket_status", question, facts=facts)
    if attachments:
        return Intent("attachment", question, question, facts=facts, attachment_ids=attachments)
    if key := fact_question(question, {**known, **facts}):
        return Intent("fact_question", question, facts=facts, fact_key=key)
    return _plain_intent(strip_attachment_markers(user_text), question, facts, history)


def _plain_intent(text: str, question: str, facts: dict[str, str], history: Sequence[Turn]) -> Intent:
    """Small talk, an acknowledgement of facts, or a question for the knowledge base."""
    last_reply = next((body for role, body in reversed(history) if role == "assistant"), "")
    if OFFER_HUMAN_PHRASE in last_reply and _NO.search(question) and not _is_substantive(question):
        return Intent("smalltalk", question, facts=facts, smalltalk="declined_offer")
    kind = smalltalk_kind(question) if question else ("" if facts else "greeting")
    if kind:
        return Intent("smalltalk", question, facts=facts, smalltalk=kind)
    if facts and not _asks_something(question):
        return Intent("acknowledge", question, facts=facts)
    stated = bool(facts)
    query = question_in_context(question, history, message=text, stated=stated)
    search = search_query(question, message=text, stated=stated)
    return Intent("knowledge", question, query, facts=facts, search=search)


def _asks_something(text: str) -> bool:
    """Whether what is left after the facts still carries a question or a request."""
    return "?" in text or len(re.findall(r"[A-Za-z0-9']+", text)) >= 3


def plan_calls(intent: Intent, known: Mapping[str, str], available: set[str]) -> list[ToolCall]:
    """The tool calls to make before answering, limited to the tools the agent actually has."""
    calls = [ToolCall(REMEMBER_TOOL, {"key": key, "value": value}) for key, value in intent.facts.items()]
    if intent.kind == "escalate":
        if intent.search:
            calls.append(ToolCall(SEARCH_TOOL, {"query": intent.search}))
        calls.append(ToolCall(ESCALATE_TOOL, {"reason": intent.reason, "priority": intent.priority}))
    elif intent.kind == "ticket_status":
        calls.append(ToolCall(TICKET_STATUS_TOOL, {}))
    elif intent.kind == "attachment":
        calls.extend(ToolCall(READ_ATTACHMENT_TOOL, {"attachment_id": i}) for i in intent.attachment_ids)
    elif intent.kind == "fact_question" and intent.fact_key not in {**known, **intent.facts}:
        calls.append(ToolCall(RECALL_TOOL, {}))
    elif intent.kind == "knowledge" and (intent.search or intent.query):
        calls.append(ToolCall(SEARCH_TOOL, {"query": intent.search or intent.query}))
    return [call for call in calls if call.name in available]
