"""The project's own evaluation dataset format: JSONL, one labelled dialogue per line.

Importers for public datasets (DSTC, τ³) produce the same `Dialogue` objects, so the replay and the
metrics only ever see one shape. Unknown fields are rejected: a typo in a label would otherwise
silently turn a scored turn into an unscored one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.errors import InputError

MAX_REPORTED_ERRORS = 20


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContextTurn(_Strict):
    """An earlier message, seeded as history rather than replayed."""

    role: Literal["user", "assistant", "human_agent", "system"]
    text: str
    nbest: list[str] = Field(default_factory=list)  # ASR hypotheses of a spoken turn; `text` is the best


class ToolExpectation(_Strict):
    """A tool the agent should call; `arguments` lists only the ones that must match."""

    name: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)


class TurnLabels(_Strict):
    """What a correct agent does on this turn; `None` means "not labelled", not "false"."""

    needs_knowledge: bool | None = None
    gold_doc_ids: list[str] = Field(default_factory=list)
    gold_chunk_ids: list[str] = Field(default_factory=list)
    reference: str | None = None
    expected_tools: list[ToolExpectation] = Field(default_factory=list)
    expect_escalation: bool | None = None


class Turn(_Strict):
    """A user message sent to the agent and scored."""

    text: str = Field(min_length=1)
    attachment: str | None = None
    nbest: list[str] = Field(default_factory=list)  # ASR hypotheses of a spoken turn; `text` is the best
    labels: TurnLabels = Field(default_factory=TurnLabels)


class Dialogue(_Strict):
    """One conversation: seeded context, then the scored user turns in order."""

    id: str = Field(min_length=1)
    customer: str | None = None
    tags: list[str] = Field(default_factory=list)
    context: list[ContextTurn] = Field(default_factory=list)
    turns: list[Turn] = Field(min_length=1)
    base_dir: Path | None = Field(default=None, exclude=True)
    """Folder that relative attachment paths are resolved against (the JSONL's folder)."""

    def attachment_path(self, turn: Turn) -> Path | None:
        """The attachment file of `turn`, resolved against the dataset's folder."""
        if turn.attachment is None:
            return None
        path = Path(turn.attachment)
        return path if path.is_absolute() or self.base_dir is None else self.base_dir / path


def load_jsonl(path: str | Path) -> list[Dialogue]:
    """Read and validate every line; report all bad lines at once as `file:line: field: problem`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: dataset file not found")
    dialogues: list[Dialogue] = []
    problems: list[str] = []
    first_line_of: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            dialogue, errors = _parse_line(line, base_dir=path.parent)
            problems.extend(f"{path}:{number}: {error}" for error in errors)
            if dialogue is None:
                continue
            if dialogue.id in first_line_of:
                problems.append(f"{path}:{number}: id: duplicate of line {first_line_of[dialogue.id]}")
                continue
            first_line_of[dialogue.id] = number
            dialogues.append(dialogue)
    if problems:
        raise InputError(_summarise(path, problems))
    if not dialogues:
        raise InputError(f"{path}: no dialogues in file")
    return dialogues


def _parse_line(line: str, *, base_dir: Path) -> tuple[Dialogue | None, list[str]]:
    """One line → a dialogue, or the list of `field: problem` messages explaining why not."""
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, [f"invalid JSON: {exc.msg} (column {exc.colno})"]
    if not isinstance(raw, dict):
        return None, [f"expected a JSON object, got {type(raw).__name__}"]
    raw.pop("base_dir", None)
    try:
        return Dialogue.model_validate({**raw, "base_dir": base_dir}), []
    except ValidationError as exc:
        return None, [f"{_location(error['loc'])}: {error['msg']}" for error in exc.errors()]


def _location(loc: tuple[int | str, ...]) -> str:
    """`('turns', 0, 'labels', 'reference')` → `turns[0].labels.reference`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "dialogue"


def _summarise(path: Path, problems: list[str]) -> str:
    shown = problems[:MAX_REPORTED_ERRORS]
    more = len(problems) - len(shown)
    tail = [f"... and {more} more problem(s)"] if more else []
    return "\n".join([f"{path}: {len(problems)} invalid line(s) or field(s):", *shown, *tail])


def write_jsonl(dialogues: Iterable[Dialogue], path: str | Path) -> int:
    """Write dialogues in the own schema (used by `python -m eval import`); returns how many."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for dialogue in dialogues:
            handle.write(dialogue.model_dump_json(exclude_none=False) + "\n")
            count += 1
    return count
