"""Import rated answers from the app's own database (`python -m eval import feedback:PATH_OR_URL`).

Every answer a visitor rated 👍 or 👎 becomes one dialogue in the own schema: the conversation up
to the customer's message as context, that message as the scored turn, and the labels as far as
the database knows them. A 👍 answer is its own reference, with the documents it cited, the tools
it called and whether it handed over; a 👎 answer's reference is what a person at the console
replied instead, if anyone did, and nothing else is claimed about it. The rating, the rated
message and its conversation are kept as tags, so a demo failure becomes a regression case that
can be traced back and labelled further by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.errors import InputError
from app.protocol import strip_attachment_markers
from app.store import Store
from app.store.db import Database
from app.store.records import FeedbackRecord, MessageRecord
from eval.datasets.schema import ContextTurn, Dialogue, ToolExpectation, Turn, TurnLabels

DATABASE_FILE = "support.db"
ESCALATION_TOOL = "escalate_to_human"
SEARCH_TOOL = "search_knowledge_base"


def database_url(location: str) -> str:
    """A SQLAlchemy URL for `location`: a URL as is, a SQLite file, or a data folder holding one."""
    if "://" in location:
        return location
    path = Path(location).expanduser()
    if path.is_dir():
        path = path / DATABASE_FILE
    if not path.is_file():
        raise InputError(
            f"feedback:{location}: no database at {path} (give a data folder, a .db file or a URL)"
        )
    return f"sqlite:///{path.resolve()}"


def load_dialogues(location: str) -> list[Dialogue]:
    """One dialogue per rated answer in the database at `location`, oldest rating first."""
    store = Store(Database(database_url(location)))
    try:
        return [d for d in (_dialogue(store, rating) for rating in store.feedback.latest()) if d]
    finally:
        store.close()


def _dialogue(store: Store, rating: FeedbackRecord) -> Dialogue | None:
    """The rated answer's conversation as a dialogue; None when no customer message precedes it."""
    answer = store.messages.get(rating.message_id)
    messages = store.messages.list(answer.conversation_id)
    position = next(i for i, m in enumerate(messages) if m.id == answer.id)
    asked = next((i for i in range(position - 1, -1, -1) if messages[i].role == "user"), None)
    if asked is None:
        return None
    question = messages[asked]
    text = strip_attachment_markers(question.content) or "Please look at the attached file."
    labels = _labels(answer, messages[position + 1 :], helpful=rating.rating > 0)
    tags = [
        "feedback",
        "thumbs-up" if rating.rating > 0 else "thumbs-down",
        f"message:{answer.id}",
        f"conversation:{answer.conversation_id}",
    ]
    if question.attachment_ids:
        tags.append("had-attachment")  # the file itself stays in the app's store
    return Dialogue(
        id=f"feedback-{answer.id}",
        tags=tags,
        context=[_context_turn(m) for m in messages[:asked] if _context_turn(m).text],
        turns=[Turn(text=text, labels=labels)],
    )


def _context_turn(message: MessageRecord) -> ContextTurn:
    return ContextTurn(role=message.role, text=strip_attachment_markers(message.content))


def _labels(answer: MessageRecord, later: Sequence[MessageRecord], *, helpful: bool) -> TurnLabels:
    """What the rating tells about the turn; `None` wherever it tells nothing."""
    if not helpful:
        return TurnLabels(reference=_human_correction(later))
    tools = [str(call.get("name", "")) for call in answer.tool_calls or [] if call.get("name")]
    doc_ids = list(dict.fromkeys(str(c["doc_id"]) for c in answer.citations or [] if c.get("doc_id")))
    return TurnLabels(
        needs_knowledge=SEARCH_TOOL in tools,
        gold_doc_ids=doc_ids,
        reference=answer.content,
        expected_tools=[ToolExpectation(name=name) for name in dict.fromkeys(tools)],
        expect_escalation=ESCALATION_TOOL in tools,
    )


def _human_correction(later: Sequence[MessageRecord]) -> str | None:
    """The first reply a person at the console wrote after the 👎 answer, before the customer spoke again."""
    for message in later:
        if message.role == "user":
            return None
        if message.role == "human_agent":
            return message.content
    return None
