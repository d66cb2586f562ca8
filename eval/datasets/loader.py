"""Turn a dataset SPEC (`file.jsonl`, `dstc:PATH`, `tau3:PATH`, `beir:PATH`) into dialogues plus their
knowledge source.

A dataset and the documents its labels point at belong together: gold ids in DSTC labels only
mean something against the DSTC knowledge file, so an imported dataset always brings its own
knowledge source. An own-schema JSONL is scored against the app's knowledge folder.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from app.errors import InputError
from eval.datasets.schema import Dialogue, load_jsonl

if TYPE_CHECKING:
    from app.knowledge.documents import SourceDocument
    from app.settings import Settings

DatasetKind = Literal["jsonl", "dstc", "tau3", "beir"]


@dataclass(frozen=True)
class KnowledgeSource:
    """Where a dataset's knowledge base comes from: a folder of files, or importer-made documents."""

    label: str
    fingerprint: str
    directory: Path | None = None
    documents: Callable[[], Iterable[SourceDocument]] | None = None


@dataclass(frozen=True)
class Dataset:
    """Dialogues ready to replay, and the knowledge they are labelled against."""

    spec: str
    kind: DatasetKind
    name: str
    split: str | None
    dialogues: list[Dialogue]
    knowledge: KnowledgeSource
    qrels: dict[str, dict[str, int]] | None = None
    """Graded judgements (BEIR): query id → {doc id: relevance}; None for dialogue datasets."""

    @property
    def retrieval_only(self) -> bool:
        """Whether the set scores knowledge-base search alone (no agent, no replies)."""
        return self.kind == "beir"

    @property
    def fingerprint(self) -> str:
        """Identifies exactly which dialogues and labels were scored (logged as an MLflow tag)."""
        digest = hashlib.sha256()
        for dialogue in self.dialogues:
            digest.update(dialogue.model_dump_json().encode())
        digest.update(self.knowledge.fingerprint.encode())
        if self.qrels is not None:
            digest.update(json.dumps(self.qrels, sort_keys=True).encode())
        return digest.hexdigest()[:16]


def parse_spec(spec: str) -> tuple[DatasetKind, Path]:
    """`dstc:/data/dstc11` → ("dstc", Path); anything without a known prefix is a JSONL path."""
    prefix, sep, rest = spec.partition(":")
    if sep and prefix in ("dstc", "tau3", "beir"):
        if not rest:
            raise InputError(f"dataset {spec!r}: missing path after '{prefix}:'")
        return prefix, Path(rest).expanduser()  # type: ignore[return-value]
    return "jsonl", Path(spec).expanduser()


def load_dataset(
    spec: str, *, settings: Settings, split: str | None = None, limit: int | None = None
) -> Dataset:
    """Read the dialogues (first `limit` of them) and describe where their knowledge comes from."""
    kind, path = parse_spec(spec)
    if not path.exists():
        raise InputError(f"dataset {spec!r}: {path} does not exist")
    if kind == "dstc":
        dataset = _load_dstc(spec, path, split)
    elif kind == "tau3":
        dataset = _load_tau3(spec, path, split, settings)
    elif kind == "beir":
        dataset = _load_beir(spec, path, split)
    else:
        dataset = _load_own(spec, path, settings)
    if limit is not None:
        if limit < 1:
            raise InputError(f"--limit must be at least 1, got {limit}")
        dataset = Dataset(**{**dataset.__dict__, "dialogues": dataset.dialogues[:limit]})
    return dataset


def _load_own(spec: str, path: Path, settings: Settings) -> Dataset:
    directory = Path(settings.knowledge_dir)
    if not directory.is_dir():
        raise InputError(f"knowledge folder {directory} does not exist (set knowledge_dir)")
    knowledge = KnowledgeSource(label="kb", fingerprint=fingerprint_paths([directory]), directory=directory)
    return Dataset(spec, "jsonl", path.stem, None, load_jsonl(path), knowledge)


def _load_dstc(spec: str, path: Path, split: str | None) -> Dataset:
    from eval.datasets import dstc

    split = split or dstc.default_split(path)
    dialogues = dstc.load_dialogues(path, split)
    knowledge_file = path / "knowledge.json"
    knowledge = KnowledgeSource(
        label="dstc",
        fingerprint=fingerprint_paths([knowledge_file]),
        documents=lambda: dstc.load_knowledge(path),
    )
    return Dataset(spec, "dstc", f"{path.name}/{split}", split, dialogues, knowledge)


def _load_tau3(spec: str, path: Path, split: str | None, settings: Settings) -> Dataset:
    from eval.datasets import tau3

    tasks_file = tau3.tasks_file(path, split)
    root = path if path.is_dir() else path.parent
    documents_dir = root / "documents"
    dialogues = tau3.load_dialogues(tasks_file, max_chars=settings.max_message_chars)
    knowledge = KnowledgeSource(
        label="tau3",
        fingerprint=fingerprint_paths([documents_dir]),
        documents=lambda: tau3.load_documents(root),
    )
    name = f"{root.name}/{tasks_file.stem.removeprefix('tasks_')}"
    return Dataset(spec, "tau3", name, split, dialogues, knowledge)


def _load_beir(spec: str, path: Path, split: str | None) -> Dataset:
    from eval.datasets import beir

    dialogues, qrels = beir.load_dialogues(path, split)
    knowledge = KnowledgeSource(
        label="beir",
        fingerprint=fingerprint_paths([path / "corpus.jsonl"]),
        documents=lambda: beir.load_corpus(path),
    )
    split = split or beir.DEFAULT_SPLIT
    return Dataset(spec, "beir", f"{path.name}/{split}", split, dialogues, knowledge, qrels)


def fingerprint_paths(paths: Iterable[Path]) -> str:
    """A content hash of files and folders (relative names + bytes), stable across machines."""
    digest = hashlib.sha256()
    for root in paths:
        if not root.exists():
            raise InputError(f"{root} does not exist")
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for file in files:
            name = file.relative_to(root).as_posix() if root.is_dir() else file.name
            digest.update(name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
