"""Replay labelled dialogues through the app's own desk and record what the offline answerer saw.

Why one module: the answer scorer's training (`train_answer_scorer.py`) and the selection
constants' fit (`tune_answer_constants.py`) both learn from the same thing, the units each
knowledge turn chose from, and must read them exactly as the app does (same retrieval, same
follow-up reading, same remembered facts), so both replay through `SupportDesk`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Call:
    """One `select` call: its arguments, so it can be replayed with other constants."""

    question: str
    units: list[Any]
    options: dict[str, Any]

    @property
    def focus(self) -> str:
        return self.options.get("focus") or self.question


@dataclass
class Recorder:
    """Stands in for the responder's answerer: records what each `select` saw, then delegates."""

    inner: Any
    calls: list[Call] = field(default_factory=list)

    def select(self, question: str, units: Any, **options: Any) -> Any:
        self.calls.append(Call(question, list(units), dict(options)))
        return self.inner.select(question, units, **options)


@dataclass(frozen=True)
class RecordedTurn:
    """A labelled knowledge turn with a reference and the calls its reply made."""

    dialogue: int  # the dialogue's position in its file: turns of one dialogue share it
    text: str
    reference: str
    gold_doc_ids: tuple[str, ...]  # empty: the help centre does not answer it
    calls: tuple[Call, ...]


def replay(dataset_path: Path, answerer: Any = None) -> Iterator[RecordedTurn]:
    """Replay every dialogue of `dataset_path` with the default offline settings; yield each turn
    that needs knowledge and has a reference, with the `select` calls made while answering it.
    `answerer` replaces the responder's (None: the configured one)."""
    from app.agent.desk import SupportDesk
    from app.agent.providers import build_chat_client
    from app.asyncutil import run_sync
    from eval.config import build_settings
    from eval.datasets.loader import load_dataset
    from eval.kb_cache import prepare_knowledge
    from eval.replay import attach
    from eval.runner import replay_settings

    settings = build_settings()
    dataset = load_dataset(str(dataset_path), settings=settings)
    with tempfile.TemporaryDirectory() as tmp:
        run_settings = replay_settings(settings, Path(tmp))
        kb = prepare_knowledge(dataset.knowledge, run_settings, progress=False)
        client = build_chat_client(run_settings, kb=kb)
        recorder = Recorder(answerer or client.responder.answerer)  # type: ignore[attr-defined]
        client.responder.answerer = recorder  # type: ignore[attr-defined]
        desk = SupportDesk.from_settings(run_settings, kb=kb, chat_client=client)
        desk.finish_warm_up()  # as eval's replays: turns read the warm-up's vectors, run after run
        for number, dialogue in enumerate(dataset.dialogues):
            conversation = desk.start_conversation(dialogue.customer or "replay")
            desk.seed_history(conversation, [(turn.role, turn.text) for turn in dialogue.context])
            for turn in dialogue.turns:
                recorder.calls.clear()
                attachments = attach(desk, conversation, dialogue, turn)
                run_sync(desk.reply(conversation, turn.text, attachment_ids=attachments))
                if turn.labels.reference and turn.labels.needs_knowledge:
                    labels = turn.labels
                    calls = tuple(recorder.calls)
                    yield RecordedTurn(number, turn.text, labels.reference, tuple(labels.gold_doc_ids), calls)
