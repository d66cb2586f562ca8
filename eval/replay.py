"""Replay labelled dialogues through the same `SupportDesk` the app serves, and record what happened.

Nothing here is evaluation-specific agent code: each dialogue gets a fresh conversation, its
`context` is seeded as history, and every labelled user turn goes through `desk.reply` exactly as
a message typed in the UI would. The records keep what the metrics need (retrieved ids, citations,
tool calls, the answer) and nothing that ties them to Agent Framework types.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from app.asyncutil import run_sync
from app.errors import SupportError
from app.protocol import SEARCH_TOOL
from eval.datasets.schema import Dialogue, Turn, TurnLabels

if TYPE_CHECKING:
    from app.agent.desk import SupportDesk
    from app.events import TurnResult

logger = logging.getLogger(__name__)

DEFAULT_CUSTOMER = "eval-customer"
Progress = Callable[[int, int], None]  # (dialogues replayed, of how many)


@dataclass
class TurnRecord:
    """One scored turn: the question, what the agent did, and (after scoring) per-turn scores."""

    dialogue_id: str
    turn_index: int
    query: str
    context: list[str]
    labels: TurnLabels
    response: str = ""
    retrieved_doc_ids: list[str] = field(default_factory=list)
    retrieved_chunk_ids: list[str] = field(default_factory=list)
    retrieved_texts: list[str] = field(default_factory=list)
    cited_texts: list[str] = field(default_factory=list)  # the retrieved passages the reply cites
    # what the agent was told besides the help centre: the customer's messages so far and what its
    # other tools returned (an attachment's text, the ticket it opened). A number from these is no
    # made-up fact (a ticket number, an order number the customer gave).
    told_texts: list[str] = field(default_factory=list)
    selected_doc_ids: list[str] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    searched: bool = False
    escalated: bool = False
    latency_ms: float = 0.0
    repeat: int = 0
    error: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    # entity tracking (knowledge bases whose documents name entities): the entity search focused on
    # ("" none), and the one entity the gold documents belong to ("" domain-wide; None: not one)
    tracked_entity: str = ""
    gold_entity: str | None = None

    def to_row(self) -> dict[str, Any]:
        """A JSON-ready row for turns.jsonl and the MLflow table."""
        row = asdict(self)
        row["labels"] = self.labels.model_dump()
        row.pop("retrieved_texts")
        row.pop("cited_texts")
        row.pop("told_texts")
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> TurnRecord:
        """Read back a turns.jsonl row (without the retrieved passages' texts, which are not kept)."""
        fields = {name: value for name, value in row.items() if name in cls.__dataclass_fields__}
        fields["labels"] = TurnLabels.model_validate(row.get("labels") or {})
        return cls(**fields)


def unique_in_order(values: Sequence[str]) -> list[str]:
    """Deduplicate keeping the first (best-ranked) occurrence."""
    return list(dict.fromkeys(values))


def record_turn(
    dialogue: Dialogue, index: int, context: list[str], result: TurnResult, repeat: int
) -> TurnRecord:
    """Flatten a `TurnResult` into the fields the metrics score.

    Retrieved ids are deduplicated at doc level (several chunks of one document count once, at the
    rank of the best one) and kept as is at chunk level; the selection is the documents cited.
    """
    hits = sorted(result.retrieved, key=lambda hit: hit.rank)
    cited_chunks = {citation.chunk_id for citation in result.citations}
    turn = dialogue.turns[index]
    return TurnRecord(
        dialogue_id=dialogue.id,
        turn_index=index,
        query=turn.text,
        context=list(context),
        labels=turn.labels,
        response=result.text,
        retrieved_doc_ids=unique_in_order([hit.doc_id for hit in hits]),
        retrieved_chunk_ids=unique_in_order([hit.chunk_id for hit in hits]),
        retrieved_texts=[hit.text for hit in hits],
        cited_texts=unique_in_order([hit.text for hit in hits if hit.chunk_id in cited_chunks]),
        told_texts=told_texts(dialogue, index, result),
        selected_doc_ids=unique_in_order([citation.doc_id for citation in result.citations]),
        citations=[citation.to_dict() for citation in result.citations],
        tool_calls=[{"name": call.name, "arguments": call.arguments} for call in result.tool_calls],
        searched=result.searched,
        escalated=result.escalated,
        latency_ms=result.latency_ms,
        repeat=repeat,
    )


def told_texts(dialogue: Dialogue, index: int, result: TurnResult) -> list[str]:
    """The customer's messages up to this turn and the results of the turn's tools other than the
    search (whose passages count only when the reply cites them)."""
    said = [turn.text for turn in dialogue.context if turn.role == "user"]
    said += [turn.text for turn in dialogue.turns[: index + 1]]
    return said + [call.result for call in result.tool_calls if call.name != SEARCH_TOOL and call.result]


async def replay_dialogue(desk: SupportDesk, dialogue: Dialogue, *, repeat: int = 0) -> list[TurnRecord]:
    """Send each turn of `dialogue` in a fresh conversation; a rejected turn is recorded, not fatal."""
    conversation = desk.start_conversation(dialogue.customer or DEFAULT_CUSTOMER)
    desk.seed_history(conversation, [(turn.role, turn.text) for turn in dialogue.context])
    context = [turn.text for turn in dialogue.context if turn.role in ("user", "assistant")]
    records = []
    for index, turn in enumerate(dialogue.turns):
        try:
            attachment_ids = attach(desk, conversation, dialogue, turn)
            result = await desk.reply(conversation, turn.text, attachment_ids=attachment_ids)
        except SupportError as exc:
            logger.warning("turn rejected", extra={"dialogue": dialogue.id, "turn": index, "error": str(exc)})
            records.append(
                TurnRecord(
                    dialogue.id, index, turn.text, list(context), turn.labels, repeat=repeat, error=str(exc)
                )
            )
            context.append(turn.text)
            continue
        records.append(record_turn(dialogue, index, context, result, repeat))
        context.extend([turn.text, result.text])
    return records


def attach(desk: SupportDesk, conversation: str, dialogue: Dialogue, turn: Turn) -> tuple[int, ...]:
    """Upload the turn's attachment, if it has one, to the conversation; its id for `desk.reply`."""
    path = dialogue.attachment_path(turn)
    if path is None:
        return ()
    if not path.is_file():
        raise SupportError(f"attachment {path} not found")
    record = desk.add_attachment(conversation, path.name, path.read_bytes())
    return (record.id,)


async def replay_all(
    desk: SupportDesk,
    dialogues: Sequence[Dialogue],
    *,
    repeats: int = 1,
    progress: bool = True,
    on_progress: Progress | None = None,
) -> list[TurnRecord]:
    """Replay every dialogue `repeats` times, one after another, with a progress bar over dialogues
    (and `on_progress(done, total)` after each, for a UI's progress bar)."""
    records: list[TurnRecord] = []
    total = len(dialogues) * repeats
    with tqdm(total=total, desc="replay", unit="dialogue", disable=not progress, leave=False) as bar:
        for repeat in range(repeats):
            for dialogue in dialogues:
                records.extend(await replay_dialogue(desk, dialogue, repeat=repeat))
                bar.update(1)
                if on_progress is not None:
                    on_progress(bar.n, total)
    return records


def replay(
    desk: SupportDesk,
    dialogues: Sequence[Dialogue],
    *,
    repeats: int = 1,
    progress: bool = True,
    on_progress: Progress | None = None,
) -> list[TurnRecord]:
    """Synchronous entry point for the CLI and benchmarks."""
    return run_sync(replay_all(desk, dialogues, repeats=repeats, progress=progress, on_progress=on_progress))
