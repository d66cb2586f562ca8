"""The default chat model: offline, deterministic, grounded - no LLM, no network.

`OfflineChatClient` is a real Agent Framework chat client. Each model call looks at the
conversation so far and either asks for tool calls (which the framework's own function-invocation
loop runs) or writes the final reply. What to do is decided from the customer's messages only
(`policy`); what to say comes from tool results (`answer`) and fixed wording
(`replies`). Same messages in, same reply out.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from agent_framework import (
    BaseChatClient,
    ChatMiddlewareLayer,
    ChatResponse,
    ChatResponseUpdate,
    Content,
    FunctionInvocationLayer,
    Message,
    ResponseStream,
)
from agent_framework.observability import ChatTelemetryLayer

from app import protocol as conv
from app.agent.providers.offline import replies as say
from app.agent.providers.offline.answer import (
    MAX_SENTENCES,
    Embedder,
    ExtractiveAnswerer,
    Selection,
    Unit,
    attachment_units,
    embedded_texts,
    leading,
    passage_units,
)
from app.agent.providers.offline.answer_context import ChunkLookup, TitleLookup, with_sections
from app.agent.providers.offline.answer_entity import EntityAnswerer, entity_snippets
from app.agent.providers.offline.answer_select import ELLIPSIS_WORDS, referenced_titles
from app.agent.providers.offline.answer_types import (
    PRICE,
    asks_a_question,
    asks_the_price,
    carried_types,
    needs_help_centre,
    unstated_measures,
)
from app.agent.providers.offline.intents import IntentModel
from app.agent.providers.offline.policy import (
    ENTITY_FACTS,
    Intent,
    Router,
    ToolCall,
    Turn,
    plan_calls,
    read_intent,
)
from app.knowledge.vocabulary import country_by_adjective, names_device_kind

if TYPE_CHECKING:
    from app.knowledge.base import KnowledgeBase
    from app.knowledge.warmup import AnswerUnitWarmer
    from app.protocol import Passage

logger = logging.getLogger(__name__)

MODEL_ID = "offline-extractive"
# the answers of labelled questions like a message, with how close each question is (0-1)
SimilarAnswers = Callable[[str], Sequence[tuple[str, float]]]
# whether a message is very like a labelled question the help centre does not answer
KnownUnanswered = Callable[[str], bool]
# what an attachment may tell about the customer, for the search and the answer: the store's
# country picks among the near-duplicate country articles. Not the plan: searched with "Plus",
# "return the carry case from this order" found the delivery pages instead of the returns policy
# (demo dev attachment turns, fact recall 0.3 with the plan, 0.4 without)
ATTACHED_FACTS = ("country",)
# (with the hand-over's earlier wording, which conversations stored before it changed still hold)
_NO_SUBJECT = (
    conv.DECLINE_PHRASE,
    conv.ESCALATED_PHRASE,
    *conv.OFFER_PHRASES,
    "I've passed your conversation to a member of our support team",
)


@dataclass(frozen=True)
class ToolStep:
    """A tool call made earlier in this turn, with its result."""

    name: str
    arguments: dict[str, Any]
    result: str
    failed: bool


@dataclass
class TurnView:
    """Everything one model call needs, read from the messages and options the framework passes in."""

    user_text: str
    history: list[Turn] = field(default_factory=list)
    instructions: str = ""
    steps: list[ToolStep] = field(default_factory=list)
    available: set[str] = field(default_factory=set)
    # the text of the files read for the previous message (the history keeps what was read)
    files_just_read: list[str] = field(default_factory=list)

    def results(self, name: str) -> list[ToolStep]:
        """This turn's results of one tool, in call order."""
        return [step for step in self.steps if step.name == name]

    @property
    def known_facts(self) -> dict[str, str]:
        """The facts block the memory context provider put in the instructions."""
        return conv.parse_facts(self.instructions)


def read_turn(messages: Sequence[Message], options: Mapping[str, Any]) -> TurnView:
    """Split the conversation into earlier turns, the customer's latest message and this turn's tool steps."""
    last_user = max((i for i, m in enumerate(messages) if m.role == "user" and m.text.strip()), default=-1)
    system = [m.text for m in messages if m.role == "system" and m.text]
    instructions = "\n".join([_text_of(options.get("instructions")), *system])
    history = [
        (m.role, m.text) for m in messages[: max(last_user, 0)] if m.role in ("user", "assistant") and m.text
    ]
    tools = options.get("tools") or []
    available = set() if options.get("tool_choice") == "none" else {getattr(t, "name", "") for t in tools}
    return TurnView(
        user_text=messages[last_user].text if last_user >= 0 else "",
        history=history,
        instructions=instructions,
        steps=_tool_steps(messages[last_user + 1 :]),
        available=available,
        files_just_read=_files_read_before(messages[: max(last_user, 0)]),
    )


def _files_read_before(earlier: Sequence[Message]) -> list[str]:
    """The files read after the last of the `earlier` user messages (for the previous message)."""
    previous = max((i for i, m in enumerate(earlier) if m.role == "user" and m.text.strip()), default=-1)
    steps = _tool_steps(earlier[previous + 1 :]) if previous >= 0 else []
    return [step.result for step in steps if step.name == conv.READ_ATTACHMENT_TOOL and not step.failed]


def _text_of(instructions: Any) -> str:
    """Instructions may arrive as a string or a list of strings."""
    if instructions is None:
        return ""
    if isinstance(instructions, str):
        return instructions
    if isinstance(instructions, Sequence):
        return "\n".join(str(part) for part in instructions)
    return str(instructions)


def _tool_steps(messages: Sequence[Message]) -> list[ToolStep]:
    """Pair this turn's function calls with their results, in call order."""
    calls: dict[str, Content] = {}
    results: dict[str, Content] = {}
    for message in messages:
        for content in message.contents:
            if content.type == "function_call" and content.call_id:
                calls[content.call_id] = content
            elif content.type == "function_result" and content.call_id:
                results[content.call_id] = content
    steps = []
    for call_id, call in calls.items():
        result = results.get(call_id)
        steps.append(
            ToolStep(
                name=call.name or "",
                arguments=_arguments(call.arguments),
                result="" if result is None else str(result.result or ""),
                failed=result is None or bool(result.exception),
            )
        )
    return steps


def _arguments(raw: Any) -> dict[str, Any]:
    """Function-call arguments as a dict, whether they were given as JSON text or a mapping."""
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        parsed = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


@dataclass(frozen=True)
class Step:
    """One model call's output: tool calls to run, or the reply text."""

    calls: tuple[ToolCall, ...] = ()
    text: str = ""


class Chosen(NamedTuple):
    """What the answerer chose from a turn's passages, with what it chose from."""

    selection: Selection
    units: list[Unit]
    passages: list[Passage]


class OfflineResponder:
    """The turn logic: plan tool calls from the customer's message, then answer from their results."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        confidence: float,
        router: Router | None = None,
        max_sentences: int = MAX_SENTENCES,
        max_units: int = 400,
        chunks: ChunkLookup | None = None,
        similar_answers: SimilarAnswers | None = None,
        known_unanswered: KnownUnanswered | None = None,
        titled: TitleLookup | None = None,
    ):
        self.confidence = confidence
        # by default the shipped intent classifier over this embedder, and only the gazetteer as
        # vocabulary (the provider passes one built from the knowledge base)
        self.router = router or Router(IntentModel.load(), embedder)
        self.answerer = ExtractiveAnswerer(embedder, max_sentences=max_sentences, max_units=max_units)
        self.entity_answerer = EntityAnswerer()  # replies from an entity's selected snippets
        self.chunks = chunks  # reads the other sections of retrieved articles (None: passages only)
        self.similar_answers = similar_answers  # answers of labelled questions like the message (hints)
        self.known_unanswered = known_unanswered  # labelled evidence that the help centre has no answer
        self.titled = titled  # the articles that passages refer to by title ("see *Faulty items*")

    def step(self, view: TurnView) -> Step:
        """Tool calls on the first model call of a turn, the reply once their results are in."""
        known = view.known_facts
        intent = read_intent(view.user_text, view.history, known, self.router)
        if not view.steps:
            calls = plan_calls(intent, known, view.available)
            if calls:
                return Step(calls=tuple(calls))
        return self._reply(intent, view)

    def _reply(self, intent: Intent, view: TurnView) -> Step:
        """Compose the reply, or ask for an escalation when this is the second time we cannot answer.

        A fact told beside a question is remembered but not announced: the answer uses it (the
        German page for a customer in Germany), as a person's would, and "Thanks, I've noted your
        country (Germany)." before it only lengthened the reply (full replays, without it: generation
        ROUGE-L dev 0.3503 -> 0.3509, validation 0.3162 -> 0.3195, train 0.3618 -> 0.3661; semantic
        similarity up on all three). A message that only tells us something is still acknowledged,
        unless it makes us answer the question before it again (`intent.revisit`)."""
        remembered = _remembered_now(view)
        body = self._body(intent, view, remembered)
        if isinstance(body, Step):
            return body
        if intent.kind == "knowledge" and intent.smalltalk == "injection":
            body = f"{say.refused()} {body}"
        if intent.offer and conv.OFFER_HUMAN_PHRASE not in body:
            body = f"{body} {conv.OFFER_HUMAN_PHRASE}"
        return Step(text=body)

    def _body(self, intent: Intent, view: TurnView, remembered: dict[str, str]) -> str | Step:
        """The part of the reply that answers the message itself."""
        known = {**view.known_facts, **remembered}
        if intent.kind == "smalltalk":
            return say.smalltalk(intent.smalltalk, known.get("name"))
        if intent.kind == "acknowledge":
            if remembered:
                return say.noted_only(remembered)
            return say.smalltalk("acknowledge", known.get("name"))
        if intent.kind == "escalate":
            return self._escalated(view, intent, meanwhile=self._answer(intent, view))
        if intent.kind == "ticket_status":
            results = [s.result for s in view.results(conv.TICKET_STATUS_TOOL) if not s.failed]
            return say.ticket_status(results[-1] if results else None)
        if intent.kind == "fact_question":
            for step in view.results(conv.RECALL_TOOL):
                known = {**conv.parse_facts(step.result), **known}
            if not intent.fact_key:
                return say.all_facts(known)
            return say.fact_answer(intent.fact_key, known.get(intent.fact_key))
        if intent.kind == "attachment":
            return self._from_attachments(intent, view)
        if intent.revisit:  # answered again for who they said they are, unless nothing new holds
            answer = self._answer(intent, view)
            new = answer and not _same_answer(answer, _previous_reply(view))
            return answer if new else Step(text=say.noted(remembered or intent.facts))
        return self._from_knowledge(intent, view)

    def _escalated(
        self, view: TurnView, intent: Intent, *, after_decline: bool = False, meanwhile: str = ""
    ) -> str:
        """Tell the customer what happens next, with the ticket number the tool reported, and what
        the help centre says about the problem meanwhile (when the search found an answer)."""
        steps = [s for s in view.results(conv.ESCALATE_TOOL) if not s.failed]
        number = conv.find_ticket_number(steps[-1].result) if steps else None
        # the ticket's priority, not the one asked for: an open ticket keeps the one it was opened with
        priority = (conv.find_ticket_priority(steps[-1].result) if steps else None) or intent.priority
        handed_over = say.escalated(number, priority, reason=intent.handover, after_decline=after_decline)
        return f"{handed_over} {say.meanwhile(meanwhile)}" if meanwhile else handed_over

    def _from_knowledge(self, intent: Intent, view: TurnView) -> str | Step:
        """Extractive answer from the passages the search returned; decline below the threshold."""
        if view.results(conv.ESCALATE_TOOL):
            return self._escalated(view, intent, after_decline=True)
        # Not knowing twice is not, by itself, a reason to hand over: the decline offers a person and
        # the customer decides (accepting, asking, or saying it is not helping escalates).
        chosen = self._chosen(intent, view)
        about_a_file = view.files_just_read and asks_a_question(intent.question)
        if about_a_file and (answer := self._from_file_just_read(intent, view, chosen)):
            return answer
        if isinstance(chosen, str):
            return chosen or say.decline()
        query = self._unread_reference(chosen, view) or self._price_unfound(intent, chosen, view)
        if query:
            return Step(calls=(ToolCall(conv.SEARCH_TOOL, {"query": query}),))
        return self._said(intent, view, chosen) or say.decline()

    def _from_file_just_read(self, intent: Intent, view: TurnView, chosen: str | Chosen) -> str:
        """The answer from the file the previous message sent, when its best line answers the
        question and is closer to it than the help centre's best sentence: "what is the total?" after
        an invoice is "Total including VAT: £258.70", but "can I get this invoice in my company's
        name?" is the help centre's; "" otherwise."""
        units = _file_units(view.files_just_read)
        if not units:
            return ""
        selection = self.answerer.select(intent.question, units)
        if not selection.confident(self.confidence) or needs_help_centre(intent.question, selection):
            return ""
        if isinstance(chosen, Chosen) and chosen.selection.best > selection.best:
            return ""
        return say.extracted(selection, from_attachment=True)

    def _answer(self, intent: Intent, view: TurnView, attached: Mapping[str, str] | None = None) -> str:
        """The extractive answer from this turn's search results, or "" below the threshold;
        `attached` holds what the customer's attachments say about them (see `_attached_facts`)."""
        chosen = self._chosen(intent, view, attached)
        return chosen if isinstance(chosen, str) else self._said(intent, view, chosen)

    def _chosen(
        self, intent: Intent, view: TurnView, attached: Mapping[str, str] | None = None
    ) -> str | Chosen:
        """The sentences chosen from this turn's passages, or the reply when there is no choice to
        make ("" for nothing found or no passage stating the measurement asked for; an entity's
        selected snippets, quoted whole)."""
        if self._searched_for_price(intent, view):
            # the search for the price was made because the first search found none: what it found
            # answers alone when it states a price ("what does the Beacon Mini cost": the price list's
            # rows, not the set-up sentences that sound closer to the bare product name)
            found = self._found_passages(view, steps=view.results(conv.SEARCH_TOOL)[-1:])
            priced = self._chosen_from(found, intent, view, attached)
            if isinstance(priced, Chosen) and _states_price(intent, priced):
                return priced
        return self._chosen_from(self._found_passages(view), intent, view, attached)

    def _chosen_from(
        self,
        passages: list[Passage],
        intent: Intent,
        view: TurnView,
        attached: Mapping[str, str] | None,
    ) -> str | Chosen:
        """`_chosen` over the given passages."""
        if not passages:
            return ""
        snippets = entity_snippets(passages)
        if snippets:  # the knowledge base selected an entity's answer set: cite all of it
            return self.entity_answerer.reply(snippets, intent.question)
        question = intent.query or intent.question
        units = passage_units(passages)
        if unstated_measures(intent.question, (unit.text for unit in units)):
            logger.info("declined: no passage states the measurement asked for")
            return ""
        remembered = self._remembered_entities(question, view, attached)
        replaced = (*intent.replaced, *self._other_families(question, view))
        hints = self.similar_answers(intent.question) if self.similar_answers else []
        selection = self.answerer.select(
            question, units, focus=intent.question, remembered=remembered, replaced=replaced, hints=hints
        )
        return Chosen(selection, units, passages)

    @staticmethod
    def _searched_for_price(intent: Intent, view: TurnView) -> bool:
        """Whether this turn's last search was `_price_unfound`'s, after a first one."""
        searches = view.results(conv.SEARCH_TOOL)
        query = price_query(intent.question)
        return len(searches) == 2 and bool(query) and searches[-1].arguments.get("query") == query

    def _said(self, intent: Intent, view: TurnView, chosen: Chosen) -> str:
        """The chosen sentences as the reply, or "" when labelled evidence says the help centre does
        not answer the question or the choice is not confident enough."""
        if self._labelled_unanswered(intent.question, chosen.selection):
            logger.info("declined: like a question the help centre does not answer")
            return ""
        continues = chosen.selection.continues(chosen.units, _previous_reply(view))
        logger.debug(
            "offline answer",
            extra={"best": round(chosen.selection.best, 4), "passages": len(chosen.passages)},
        )
        confident = chosen.selection.confident(self.confidence, continues=continues)
        return say.extracted(chosen.selection) if confident else ""

    def _found_passages(self, view: TurnView, steps: Sequence[ToolStep] | None = None) -> list[Passage]:
        """The passages of this turn's searches (or of those `steps`), with the other sections of the
        first search's leading articles and of the article a follow-up search looked up
        (`_unread_reference`, `_price_unfound`)."""
        steps = view.results(conv.SEARCH_TOOL) if steps is None else steps
        searches = [conv.parse_passages(s.result) for s in steps if not s.failed]
        if self.chunks is None:
            return [passage for found in searches for passage in found]
        passages = with_sections(searches[0], self.chunks) if searches else []
        for found in searches[1:]:
            seen = {passage.chunk_id for passage in passages}
            passages.extend(
                p for p in with_sections(found, self.chunks, documents=1) if p.chunk_id not in seen
            )
        return passages

    def _unread_reference(self, chosen: Chosen, view: TurnView) -> str:
        """The title of the article a chosen sentence refers the customer to ("If it still has not
        turned up, see *My parcel is late or missing*") when the search did not return it: it is
        looked up with a second search, so the answer can quote what the pointer points to (which
        `refers_away` then counts against) and cite it. One follow-up per turn; "" for none."""
        if self.titled is None or len(view.results(conv.SEARCH_TOOL)) != 1:
            return ""
        found = {passage.doc_id for passage in chosen.passages}
        for title in referenced_titles(chosen.selection.units):
            doc_id = self.titled(title)
            if doc_id is not None and doc_id not in found:
                return title
        return ""

    def _price_unfound(self, intent: Intent, chosen: Chosen, view: TurnView) -> str:
        """The question again with "price" (`price_query`) when it asks the price and no chosen
        sentence states one: "what does the Beacon Mini cost" names the speaker, whose set-up articles
        the first search found, while the price list says "price". One follow-up search per turn;
        "" for none."""
        if len(view.results(conv.SEARCH_TOOL)) != 1 or _states_price(intent, chosen):
            return ""
        return price_query(intent.question)

    def _labelled_unanswered(self, question: str, selection: Selection) -> bool:
        """Whether labelled evidence says the help centre does not answer this: the question memory's
        closest question is one it does not answer (a product's weight, a release date), and no
        sentence matches so strongly that it answers on similarity alone. The nearest-sounding
        sentence ("Aura 2 Pro supports multipoint" for a codec question) would be a guess. A short
        follow-up is not asked: alone it resembles other dialogues' follow-ups ("and the mini?")."""
        if self.known_unanswered is None or len(question.split()) <= ELLIPSIS_WORDS:
            return False
        return not selection.strong(self.confidence) and self.known_unanswered(question)

    def _remembered_entities(
        self, question: str, view: TurnView, attached: Mapping[str, str] | None = None
    ) -> list[str]:
        """The country, plan and device the customer told us (earlier or in this message) whose kind
        the question does not name itself: "how much is Premium for me?" from someone in the
        Netherlands is answered from the Netherlands row, "and returns?" from Germany's article.
        A kind the question names is the question's own value, by the help centre's name for it:
        "I'm in the UK" is about the page titled "... in the United Kingdom" (the selection drops
        the words the question says itself, so "Premium" for "premium" adds nothing); a country
        may be named by its adjective ("german speaking support" is the Germany row). What the
        customer told us outranks what an attachment says (an invoice of an order from before
        they moved)."""
        known = {**(attached or {}), **_told(view)}
        named = self.router.vocabulary.find(question)
        if "country" not in named and (country := country_by_adjective(question)):
            named["country"] = country
        return [named.get(kind) or known[kind] for kind in ENTITY_FACTS if named.get(kind) or known.get(kind)]

    def _other_families(self, question: str, view: TurnView) -> list[str]:
        """The help centre's devices of another product family than the customer's (named in the
        question, else told us earlier): a section or article about one of them answers a question
        about another device only when nothing else does. Someone with Aura 2 Pro headphones who
        wants to reset them must not get the Beacon Max speaker's reset steps, which sound as much
        like their question. Families are told apart by the first word of the
        name ("Beacon Mini" and "Beacon Max" are one family; which of them is meant is the
        variant rules' call). A remembered device speaks for "it" and "them", not for a question
        that names a kind of device ("my headphones"): a customer may own more than one."""
        vocabulary = self.router.vocabulary
        device = vocabulary.find(question).get("device")
        if not device and not names_device_kind(question):
            device = _told(view).get("device")
        if not device:
            return []
        family = device.split()[0].lower()
        return [
            name for name in vocabulary.names.get("device", {}).values() if name.split()[0].lower() != family
        ]

    def _from_attachments(self, intent: Intent, view: TurnView) -> str | Step:
        """Answer the question from the attachment text, or show how the file begins when there is none;
        a question the attachment's fields do not settle is also looked up in the help centre, after
        the file is read: what it says about the customer (an invoice's store) is asked with the
        question and decides which article applies ("send one of these back" from an
        invoice of the German store is answered from the German drop-off article)."""
        units = _file_units(s.result for s in view.results(conv.READ_ATTACHMENT_TOOL) if not s.failed)
        attached = self._attached_facts(units, view)
        if intent.search and self._may_search(view):
            return self._search(intent.search, intent.question, attached)
        if not units:
            return self._answer(intent, view, attached) or say.attachment_unreadable()
        if not asks_a_question(intent.question):
            return self._unasked(intent, view, units, attached)
        selection = self.answerer.select(intent.question, units)
        confident = selection.confident(self.confidence)
        if needs_help_centre(intent.question, selection if confident else None):
            if self._may_search(view):
                return self._search(intent.question, intent.question, attached)
            found = self._answer(intent, view, attached)
            if found:
                quoted = say.extracted(leading(selection.units, 1), from_attachment=True) if confident else ""
                return f"{quoted} {found}".strip()
        if confident:
            return say.extracted(selection, from_attachment=True)
        return self._answer(intent, view, attached) or say.attachment_no_answer()

    def _unasked(
        self, intent: Intent, view: TurnView, units: list[Unit], attached: Mapping[str, str]
    ) -> str | Step:
        """A file sent with a statement, not a question ("got this when adding my speaker", "the
        headphones arrived broken"): the answer is chosen for the message together with the file's
        line that matches it best (an error code, an item), and follows that line; a bare file, or
        one the help centre has nothing on, is shown by how it begins. A statement too slight to be
        searched alone ("see this") is searched with that line too; one searched already was
        searched as written (with the line, the best one for "got this when adding my speaker" was a
        screenshot's status bar, "09:41, battery 62%")."""
        if not intent.question.strip() or conv.SEARCH_TOOL not in view.available:
            return say.attachment_overview(leading(units))
        selection = self.answerer.select(intent.question, units)
        line = selection.units[0].text if selection.units else ""
        query = f"{intent.question} {line}".strip()
        if not view.results(conv.SEARCH_TOOL):
            return self._search(query, intent.question, attached)
        found = self._answer(replace(intent, query=query), view, attached)
        if not found:
            return say.attachment_overview(leading(units))
        confident = selection.confident(self.confidence)
        quoted = say.extracted(leading(selection.units, 1), from_attachment=True) if confident else ""
        return f"{quoted} {found}".strip()

    def _attached_facts(self, units: list[Unit], view: TurnView) -> dict[str, str]:
        """What the attachments say about the customer (`ATTACHED_FACTS`, each the name of its kind
        the text gives more often than any other, see `Vocabulary.prevailing`), for the kinds the
        customer has not told us. Not a device: an invoice lists what it sold, not what the question
        is about (searched with "Beacon Mini", "send one of these speakers back" found the
        speaker's set-up articles)."""
        told = _told(view)
        prevailing = self.router.vocabulary.prevailing(unit.text for unit in units)
        return {
            kind: name for kind, name in prevailing.items() if kind in ATTACHED_FACTS and kind not in told
        }

    @staticmethod
    def _may_search(view: TurnView) -> bool:
        """Whether this turn can still search (the tool is there and has not been asked yet)."""
        return conv.SEARCH_TOOL in view.available and not view.results(conv.SEARCH_TOOL)

    def _search(self, query: str, question: str, attached: Mapping[str, str]) -> Step:
        """Search for `query`, with the names of the attachment's facts whose kind `question` does
        not name itself ("send one of these back" + "Germany"; not "Germany" for "and in France?")."""
        named = self.router.vocabulary.find(question)
        names = [name for kind, name in attached.items() if kind not in named]
        return Step(calls=(ToolCall(conv.SEARCH_TOOL, {"query": " ".join([query, *names])}),))


def price_query(question: str) -> str:
    """The question with "price", the word a help centre's price list uses where customers ask "how
    much" or "what does it cost", when it asks the price (`asks_the_price`); "" otherwise."""
    return f"{question} price" if asks_the_price(question) else ""


def _states_price(intent: Intent, chosen: Chosen) -> bool:
    """Whether a chosen sentence states a price, or the question asks for none."""
    return not asks_the_price(intent.question) or any(
        PRICE in carried_types(unit.text) for unit in chosen.selection.units
    )


def _previous_reply(view: TurnView) -> str:
    """The assistant's last reply before this message ("" at the start of a conversation)."""
    return next((text for role, text in reversed(view.history) if role == "assistant"), "")


def _same_answer(answer: str, previous: str) -> bool:
    """Whether the previous reply already said this answer (its citations aside)."""
    return conv.without_citations(answer).strip() in conv.without_citations(previous)


def _told(view: TurnView) -> dict[str, str]:
    """What the customer has told us about themselves: the facts on file and those stored this turn."""
    return {**view.known_facts, **_remembered_now(view)}


def _remembered_now(view: TurnView) -> dict[str, str]:
    """The facts this turn's memory calls stored (the instructions hold only earlier ones)."""
    return {
        str(s.arguments.get("key")): str(s.arguments.get("value"))
        for s in view.results(conv.REMEMBER_TOOL)
        if not s.failed
    }


def without_fixed_replies(dialogue: list[str]) -> list[str]:
    """The dialogue without the offline model's fixed declines and hand-overs: they name no subject,
    and as search context they only pull in the contact-support articles."""
    return [text for text in dialogue if not any(phrase in text for phrase in _NO_SUBJECT)]


def _file_units(results: Iterable[str]) -> list[Unit]:
    """The units of the files `read_attachment` returned (its header line left out; blank files none)."""
    texts = [_without_marker(text) for text in results]
    return attachment_units([text for text in texts if text.strip()])


def _without_marker(text: str) -> str:
    """Drop a leading "[Attachment 3: file.pdf]" header line that the attachment tool may add."""
    first, _, rest = text.partition("\n")
    return (
        rest
        if conv.find_attachment_ids(first) and not conv.strip_attachment_markers(first).strip(" :")
        else text
    )


class OfflineRawClient(BaseChatClient):
    """The offline model without middleware, telemetry or the tool loop (see `OfflineChatClient`)."""

    OTEL_PROVIDER_NAME: ClassVar[str] = "offline"

    def __init__(
        self,
        *,
        embedder: Embedder,
        confidence: float,
        router: Router | None = None,
        max_sentences: int = MAX_SENTENCES,
        max_units: int = 400,
        stream_words: int = 3,
        chunks: ChunkLookup | None = None,
        similar_answers: SimilarAnswers | None = None,
        known_unanswered: KnownUnanswered | None = None,
        titled: TitleLookup | None = None,
        **kwargs: Any,
    ) -> None:
        self.responder = OfflineResponder(
            embedder,
            router=router,
            confidence=confidence,
            max_sentences=max_sentences,
            max_units=max_units,
            chunks=chunks,
            similar_answers=similar_answers,
            known_unanswered=known_unanswered,
            titled=titled,
        )
        self.model = MODEL_ID
        self.stream_words = max(1, stream_words)
        super().__init__(**kwargs)

    def prepare(self, kb: KnowledgeBase) -> AnswerUnitWarmer:
        """Before the first turn: read the help centre's vocabulary now, and start indexing the
        knowledge base's own questions and embedding its answer sentences in the background
        (returns at once)."""
        from app.knowledge.warmup import warm_answer_units

        _ = self.responder.router.vocabulary
        self.responder.router.start_questions()
        return warm_answer_units(kb, embedded_texts)

    def retrieval_context(self, dialogue: list[str]) -> list[str]:
        """The search tool's context without this model's own subject-less replies."""
        return without_fixed_replies(dialogue)

    def _inner_get_response(
        self, *, messages: Sequence[Message], stream: bool, options: Mapping[str, Any], **kwargs: Any
    ) -> Awaitable[ChatResponse] | ResponseStream[ChatResponseUpdate, ChatResponse]:
        if stream:
            return self._build_response_stream(self._stream(messages, options))
        return self._respond(messages, options)

    async def _decide(self, messages: Sequence[Message], options: Mapping[str, Any]) -> Step:
        """Run the (CPU-bound, embedding) decision off the event loop."""
        view = read_turn(messages, options)
        return await asyncio.to_thread(self.responder.step, view)

    async def _respond(self, messages: Sequence[Message], options: Mapping[str, Any]) -> ChatResponse:
        step = await self._decide(messages, options)
        contents = _call_contents(step.calls, len(messages)) if step.calls else [Content.from_text(step.text)]
        return ChatResponse(
            messages=[Message("assistant", contents)],
            model=MODEL_ID,
            finish_reason="tool_calls" if step.calls else "stop",
        )

    async def _stream(
        self, messages: Sequence[Message], options: Mapping[str, Any]
    ) -> AsyncIterable[ChatResponseUpdate]:
        step = await self._decide(messages, options)
        if step.calls:
            contents = _call_contents(step.calls, len(messages))
            yield ChatResponseUpdate(
                contents=contents, role="assistant", model=MODEL_ID, finish_reason="tool_calls"
            )
            return
        chunks = text_chunks(step.text, self.stream_words)
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            yield ChatResponseUpdate(
                contents=[Content.from_text(chunk)],
                role="assistant",
                model=MODEL_ID,
                finish_reason="stop" if last else None,
            )


class OfflineChatClient(FunctionInvocationLayer, ChatMiddlewareLayer, ChatTelemetryLayer, OfflineRawClient):
    """The offline model with the framework's tool loop, chat middleware and telemetry, in that order."""

    OTEL_PROVIDER_NAME: ClassVar[str] = "offline"


def _call_contents(calls: Sequence[ToolCall], position: int) -> list[Content]:
    """Function-call contents with ids that are unique in the conversation and the same on every run."""
    return [
        Content.from_function_call(f"offline_{position}_{index}", call.name, arguments=dict(call.arguments))
        for index, call in enumerate(calls)
    ]


def text_chunks(text: str, words_per_chunk: int) -> list[str]:
    """Split a reply into streaming pieces that concatenate back to exactly the same text."""
    tokens = re.findall(r"\s*\S+\s*", text) or [text]
    return ["".join(tokens[i : i + words_per_chunk]) for i in range(0, len(tokens), words_per_chunk)]
