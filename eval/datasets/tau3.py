"""τ³ banking knowledge (tau2-bench): the Rho-Bank articles and the customer requests of its tasks.

Reads the public layout (`documents/*.json`, `tasks_*.json`) from wherever the dataset lives;
nothing is copied into the project.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from app.errors import InputError
from app.knowledge.documents import SourceDocument
from app.validation import split_messages
from eval.datasets.jsonfile import read_json_list
from eval.datasets.schema import Dialogue, Turn, TurnLabels

DATASET = "tau3"

# The simulated customer's brief mixes what the customer wants with how to role-play it. These
# generic role-play lines say nothing about the request, so they are left out of the query.
_ROLE_PLAY = re.compile(
    r"(you are playing the role|never respond as|you are currently on the line|don't dump all|"
    r"do not dump all|you are the customer|end the conversation|###stop###)",
    re.IGNORECASE,
)
_INSTRUCTION_PARTS = ("reason_for_call", "known_info", "task_instructions")


def load_documents(root: str | Path) -> list[SourceDocument]:
    """Every article under `root/documents` as a document with its own id (e.g. doc_..._001)."""
    folder = Path(root) / "documents"
    if not folder.is_dir():
        raise InputError(f"{folder} not found: point at the tau3_banking_knowledge folder")
    return [_article(path) for path in sorted(folder.glob("*.json"))]


def _article(path: Path) -> SourceDocument:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SourceDocument(
            doc_id=str(data["id"]),
            title=str(data.get("title") or data["id"]),
            text=str(data["content"]),
            source=str(path),
            metadata={"dataset": DATASET},
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a τ³ article ({exc})") from None


def task_request(task: dict[str, Any]) -> str:
    """What the customer asks for, built deterministically from `user_scenario.instructions`.

    Structured instructions (tau2 style) give reason for call, known info and task
    instructions; free-text ones are used whole, minus markdown and role-play boilerplate.
    """
    instructions = (task.get("user_scenario") or {}).get("instructions")
    if isinstance(instructions, dict):
        parts = [str(instructions[key]).strip() for key in _INSTRUCTION_PARTS if instructions.get(key)]
        return _plain("\n".join(parts))
    if isinstance(instructions, str) and instructions.strip():
        return _plain(instructions)
    raise InputError(f"task {task.get('id', '?')}: no user_scenario.instructions")


def _plain(text: str) -> str:
    """Markdown emphasis and headings removed, role-play sentences dropped, whitespace collapsed."""
    text = re.sub(r"[*_#`>]+", " ", text)
    sentences = re.split(r"(?<=[.!?])\s+|\n+", text)
    kept = [s.strip() for s in sentences if s.strip() and not _ROLE_PLAY.search(s)]
    return re.sub(r"\s+", " ", " ".join(kept)).strip()


# --- tasks as dialogues (evaluation harness) ----------------------------------------------------

ESCALATION_ACTIONS = frozenset({"transfer_to_human_agents", "request_human_agent_transfer"})


def tasks_file(path: str | Path, split: str | None = None) -> Path:
    """The tasks JSON: `path` itself, or `path/tasks_<split>.json`, or the folder's only tasks file."""
    path = Path(path)
    if path.is_file():
        return path
    found = sorted(path.glob("tasks_*.json"))
    if split is not None:
        chosen = path / f"tasks_{split}.json"
        if not chosen.is_file():
            names = ", ".join(p.stem.removeprefix("tasks_") for p in found) or "none"
            raise InputError(f"{chosen} not found (splits available: {names})")
        return chosen
    if len(found) != 1:
        names = ", ".join(p.stem.removeprefix("tasks_") for p in found) or "none"
        raise InputError(f"{path}: choose a split with --split (tasks files found: {names})")
    return found[0]


def load_dialogues(path: str | Path, *, max_chars: int | None = None) -> list[Dialogue]:
    """One single-turn dialogue per task: the customer's request, labelled from the task's gold data.

    gold_doc_ids = required_documents; needs_knowledge = any are required; expect_escalation =
    the gold actions include a transfer to a human. Some briefs are longer than a chat message may
    be (`max_message_chars`); with `max_chars` they are sent as a customer would send a long story
    the chat refuses whole: as consecutive messages, each cut after a whole sentence, nothing
    dropped (see `story_turns` for how the labels are spread over them), tagged `split`.
    """
    path = Path(path)
    tasks = read_json_list(path, "tasks")
    return [_task_dialogue(task, index, path, max_chars) for index, task in enumerate(tasks)]


def _task_dialogue(task: Any, index: int, path: Path, max_chars: int | None) -> Dialogue:
    if not isinstance(task, dict):
        raise InputError(f"{path}: task #{index} is not an object")
    actions = (task.get("evaluation_criteria") or {}).get("actions") or []
    required = [str(doc) for doc in task.get("required_documents") or []]
    labels = TurnLabels(
        needs_knowledge=bool(required),
        gold_doc_ids=required,
        expect_escalation=any(action.get("name") in ESCALATION_ACTIONS for action in actions),
    )
    text = task_request(task)
    messages = split_messages(text, max_chars) if max_chars is not None else [text]
    tags = [DATASET, path.stem, *(["split"] if len(messages) > 1 else [])]
    dialogue_id = str(task.get("id") or f"task-{index}")
    return Dialogue(id=dialogue_id, tags=tags, turns=story_turns(messages, labels))


def story_turns(messages: list[str], labels: TurnLabels) -> list[Turn]:
    """One turn per message of a story sent in parts. The first part carries the opening request,
    so it is scored for knowledge and retrieval. A hand-over is a conversation's outcome: where the
    task ends with a person, only the last part must have been handed over (the story is whole by
    then); where it does not, no part may be (each hand-over counts as a false alarm)."""
    if len(messages) == 1:
        return [Turn(text=messages[0], labels=labels)]
    first = labels.model_copy(update={"expect_escalation": None if labels.expect_escalation else False})
    middle = TurnLabels(expect_escalation=None if labels.expect_escalation else False)
    last = TurnLabels(expect_escalation=labels.expect_escalation)
    return [
        Turn(text=text, labels=first if index == 0 else last if index == len(messages) - 1 else middle)
        for index, text in enumerate(messages)
    ]
