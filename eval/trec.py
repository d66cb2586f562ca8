"""TREC run and qrels files, so ranx, ir-measures, PyTerrier or trec_eval can re-score a run.

Run file: one line per retrieved document, `query-id Q0 doc-id rank score run-name`, best first.
The score written is derived from the rank (depth + 1 − rank): trec_eval and its descendants order
by score and break ties by document id, so the knowledge base's own scores (ties are common after
fusion) could reorder the list; rank-derived scores make every tool read exactly our order.

Qrels file: `query-id 0 doc-id relevance`. Dialogue turns are judged by their gold document ids
(relevance 1); BEIR sets keep their graded judgements. A turn's query id is
`<dialogue id>/<turn index>` (plus `/r<replay>` for replays after the first).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from app.errors import InputError
from eval.replay import TurnRecord

RUN_NAME = "support-agent"


def query_id(record: TurnRecord, *, single_turn: bool = False) -> str:
    """The record's TREC query id (the dialogue id alone for single-turn sets such as BEIR)."""
    base = record.dialogue_id if single_turn else f"{record.dialogue_id}/{record.turn_index}"
    return base if record.repeat == 0 else f"{base}/r{record.repeat}"


def _check_id(value: str, what: str) -> str:
    if not value or any(char.isspace() for char in value):
        raise InputError(f"TREC files need {what}s without whitespace, got {value!r}")
    return value


def write_run(path: str | Path, rankings: Mapping[str, Sequence[str]], *, run_name: str = RUN_NAME) -> Path:
    """Write `query id → ranked doc ids` as a TREC run file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for query, ranked in rankings.items():
            _check_id(query, "query id")
            depth = len(ranked)
            for rank, doc in enumerate(ranked, start=1):
                handle.write(
                    f"{query} Q0 {_check_id(doc, 'document id')} {rank} {depth + 1 - rank} {run_name}\n"
                )
    return path


def write_qrels(path: str | Path, qrels: Mapping[str, Mapping[str, int]]) -> Path:
    """Write `query id → {doc id: relevance}` as a TREC qrels file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for query, judged in qrels.items():
            for doc, relevance in judged.items():
                handle.write(
                    f"{_check_id(query, 'query id')} 0 {_check_id(doc, 'document id')} {int(relevance)}\n"
                )
    return path


def qrels_path(run_path: str | Path) -> Path:
    """Where the qrels go beside a run file: `run.trec` → `run.qrels`."""
    return Path(run_path).with_suffix(".qrels")


def write_records(
    run_path: str | Path,
    records: Iterable[TurnRecord],
    *,
    qrels: Mapping[str, Mapping[str, int]] | None = None,
) -> tuple[Path, Path]:
    """The records' document rankings as a run file and their judgements as a qrels file.

    With `qrels` (a BEIR set, keyed by dialogue id) those graded judgements are written;
    otherwise each judged turn's gold document ids, relevance 1. Turns without judgements are
    left out of both files, as the evaluation leaves them out of the means.
    """
    records = [record for record in records if record.error is None]
    single = qrels is not None
    rankings: dict[str, list[str]] = {}
    judged: dict[str, dict[str, int]] = {}
    for record in records:
        key = query_id(record, single_turn=single)
        judgements = qrels.get(record.dialogue_id, {}) if qrels is not None else None
        if judgements is None:
            judgements = dict.fromkeys(record.labels.gold_doc_ids, 1)
        if not any(value > 0 for value in judgements.values()):
            continue
        rankings[key] = list(record.retrieved_doc_ids)
        judged[key] = dict(judgements)
    return write_run(run_path, rankings), write_qrels(qrels_path(run_path), judged)
