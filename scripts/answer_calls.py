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
    from app.agent.providers import build_chat_client
    from app.asyncutil import run_sync
    from eval.config import build_settings
    from eval.datasets.loader import load_dataset
    from eval.replay import attach
    from eval.runner import build_desk, replay_settings

    settings = build_settings()
    dataset = load_dataset(str(dataset_path), settings=settings)
    with tempfile.TemporaryDirectory() as tmp:
        run_settings = replay_settings(settings, Path(tmp))
        recorders: list[Recorder] = []

        def recording_client(kb: Any) -> Any:
            """The configured chat model, its answerer wrapped in a `Recorder`."""
            client = build_chat_client(run_settings, kb=kb)
            recorders.append(Recorder(answerer or client.responder.answerer))  # type: ignore[attr-defined]
            client.responder.answerer = recorders[-1]  # type: ignore[attr-defined]
            return client

        # eval's own desk (same knowledge cache, same warm-up), so the calls are those of a replay
        desk = build_desk(dataset, run_settings, progress=False, chat_client=recording_client)
        recorder = recorders[-1]
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
