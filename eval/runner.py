"""One evaluation run: dataset → knowledge base → the app's SupportDesk → replay → scores → files.

Tracking is left to the caller (`eval.tracking`), so a run can be logged as a top-level MLflow run,
as a nested run of a sweep, or not at all (benchmarks).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval import stats
from eval.config import behaviour_config, config_fingerprint, is_deterministic
from eval.datasets.loader import Dataset
from eval.kb_cache import prepare_knowledge
from eval.replay import TurnRecord, replay
from eval.report import write_outputs
from eval.samples import Samples
from eval.scoring import SCORER_VERSION, collect_samples, score_records

if TYPE_CHECKING:
    from app.agent.desk import SupportDesk
    from app.knowledge.base import KnowledgeBase
    from app.settings import Settings
    from eval.remote import Target

logger = logging.getLogger(__name__)


@dataclass
class EvaluationResult:
    """Everything a run produced, for tracking and for the command line to print."""

    dataset: Dataset
    settings: Settings
    metrics: dict[str, float]
    records: list[TurnRecord]
    paths: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0
    samples: Samples | None = None
    intervals: dict[str, stats.Interval] = field(default_factory=dict)


def run_meta(dataset: Dataset, settings: Settings, repeats: int) -> dict[str, object]:
    """What `compare` and the gate check before pairing two runs (kept in dialogues.json)."""
    return {
        "dataset": dataset.name,
        "dataset_spec": dataset.spec,
        "dataset_fingerprint": dataset.fingerprint,
        "scorer_version": SCORER_VERSION,
        "config_fingerprint": config_fingerprint(settings),
        "config": behaviour_config(settings),
        "deterministic": is_deterministic(settings),
        "repeats": repeats,
    }


REPLAY_DATABASE = "replay.db"


def replay_settings(settings: Settings, output: Path) -> Settings:
    """Give the replay its own, fresh conversation database unless one was configured explicitly.

    Replayed dialogues open tickets and store messages; they must not land in the queue staff
    work from. An earlier run's file in the same output folder is deleted first: its customers'
    memory (the dataset's customer ids recur) and its tickets would otherwise carry into this run.
    """
    if settings.database_url is not None:
        return settings
    database = (output / REPLAY_DATABASE).resolve()
    for suffix in ("", "-wal", "-shm", "-journal"):  # SQLite's companions of a crashed run too
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    return settings.model_copy(update={"database_url": f"sqlite:///{database}"})


class GoldPassages:
    """A turn's gold passages (for the ragas context metrics), read back from the knowledge base.

    Gold chunks are looked up as they are; a gold document contributes its chunks, whose ids are
    `{doc_id}#{position}` by the chunker's contract.
    """

    MAX_CHUNKS_PER_DOC = 50

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._docs: dict[str, list[str]] = {}

    def __call__(self, record: TurnRecord) -> list[str]:
        texts = [
            hit.text for chunk_id in record.labels.gold_chunk_ids if (hit := self.kb.get_chunk(chunk_id))
        ]
        for doc_id in record.labels.gold_doc_ids:
            texts.extend(self.document_texts(doc_id))
        return texts

    def cited(self, record: TurnRecord) -> list[str]:
        """The full text of the articles the reply cites: what may back the numbers it states."""
        return [text for doc_id in record.selected_doc_ids for text in self.document_texts(doc_id)]

    def document_texts(self, doc_id: str) -> list[str]:
        if doc_id not in self._docs:
            texts = []
            for position in range(self.MAX_CHUNKS_PER_DOC):
                hit = self.kb.get_chunk(f"{doc_id}#{position}")
                if hit is None:
                    break
                texts.append(hit.text)
            self._docs[doc_id] = texts
        return self._docs[doc_id]


def annotate_entities(records: list[TurnRecord], kb: KnowledgeBase) -> None:
    """Record, per turn, the entity search focused on and the one entity its gold documents name
    (read from the documents' `entity` metadata), for `tracking/accuracy`."""
    entity_of: dict[str, str | None] = {}

    def entity(doc_id: str) -> str | None:
        if doc_id not in entity_of:
            hit = kb.get_chunk(f"{doc_id}#0")
            entity_of[doc_id] = None if hit is None else str(hit.metadata.get("entity") or "")
        return entity_of[doc_id]

    for record in records:
        gold = {entity(doc_id) for doc_id in record.labels.gold_doc_ids}
        if len(gold) == 1 and None not in gold:
            record.gold_entity = gold.pop()
            record.tracked_entity = kb.tracked_entity(record.query, record.context) or ""


def write_trec(result: EvaluationResult, run_path: str | Path) -> tuple[Path, Path]:
    """The run's document rankings as a TREC run file, and its judgements beside it (FILE.qrels)."""
    from eval import trec

    return trec.write_records(run_path, result.records, qrels=result.dataset.qrels)


def build_desk(
    dataset: Dataset,
    settings: Settings,
    *,
    progress: bool = True,
    chat_client: Callable[[KnowledgeBase], Any] | None = None,
) -> SupportDesk:
    """The same desk the app builds, pointed at the dataset's (cached) knowledge base, with every
    help-centre sentence embedded before the first turn (`SupportDesk.finish_warm_up`).

    `chat_client(kb)` builds a model to use instead of the configured one (tests hand in a
    scripted stand-in for an LLM).
    """
    from app.agent.desk import SupportDesk

    kb = prepare_knowledge(dataset.knowledge, settings, progress=progress)
    desk = SupportDesk.from_settings(settings, kb=kb, chat_client=chat_client(kb) if chat_client else None)
    desk.finish_warm_up()  # replies must not depend on how far the background warm-up got
    return desk


def evaluate(
    dataset: Dataset,
    settings: Settings,
    output: Path,
    *,
    repeats: int = 1,
    progress: bool = True,
    chat_client: Callable[[KnowledgeBase], Any] | None = None,
    target: Target | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> EvaluationResult:
    """Replay `dataset` `repeats` times, score it and write metrics.json, turns.jsonl, report.md,
    dialogues.json (per-dialogue samples) and intervals.json. A retrieval-only set (BEIR) scores
    knowledge-base search instead (`eval.search_eval`). With a `target`, the dialogues go through
    that running app's API (`eval.remote`) instead of a desk built here."""
    if dataset.retrieval_only:
        from eval.search_eval import evaluate_search

        return evaluate_search(dataset, settings, output, progress=progress)
    started = time.perf_counter()
    output.mkdir(parents=True, exist_ok=True)
    run_settings = replay_settings(settings, output)
    if target is not None:
        from eval.remote import RemoteDesk

        kb = prepare_knowledge(dataset.knowledge, run_settings, progress=progress)
        desk: Any = RemoteDesk(target, kb=kb)
    else:
        desk = build_desk(dataset, run_settings, progress=progress, chat_client=chat_client)
    records = replay(desk, dataset.dialogues, repeats=repeats, progress=progress, on_progress=on_progress)
    annotate_entities(records, desk.kb)
    passages = GoldPassages(desk.kb)
    metrics = score_records(
        records,
        run_settings,
        repeats=repeats,
        embedder=desk.kb.embedder,
        reference_texts=passages,
        cited_texts=passages.cited,
    )
    meta = run_meta(dataset, settings, repeats)
    if chat_client is not None or target is not None:
        meta["deterministic"] = False  # an injected client, or a deployed app, is not the offline model
    samples = collect_samples(records, metrics, repeats=repeats, meta=meta)
    intervals = stats.intervals(samples, samples.estimators)
    seconds = time.perf_counter() - started
    details = {
        "dataset": f"{dataset.spec} ({dataset.name}, {len(dataset.dialogues)} dialogues, "
        f"{len(records)} scored turns)",
        "fingerprint": dataset.fingerprint,
        "chat provider": f"{settings.chat_provider} / {settings.chat_model}",
        "retrieval": f"{settings.retrieval_mode}, top_k={settings.top_k}, chunk_size={settings.chunk_size}, "
        f"embedding={settings.embedding_model}, query={settings.query_strategy}",
        "repeats": repeats,
        "seconds": round(seconds, 1),
    }
    if target is not None:
        details["target"] = target.url
        details["chat provider"] = "whatever the target runs (the settings above are this machine's)"
        if desk.seeded_by_sending:
            details["context"] = (
                f"{desk.seeded_by_sending} dialogues' context sent as messages (no API key to seed it)"
            )
        desk.close()
    paths = write_outputs(
        output,
        metrics,
        records,
        title=f"Evaluation: {dataset.name}",
        details=details,
        samples=samples,
        intervals=intervals,
    )
    logger.info(
        "evaluation finished",
        extra={"dataset": dataset.spec, "turns": len(records), "seconds": round(seconds, 2)},
    )
    return EvaluationResult(dataset, settings, metrics, records, paths, seconds, samples, intervals)
