"""DSTC11 Track 5: hotel and restaurant knowledge (FAQs and review sentences) as documents.

One document per FAQ and per review sentence, with ids that mirror the dataset's own keys
(`hotel:20:faq:3`, `hotel:20:review:9:4`) so gold labels map onto retrieved ids directly. Every
document carries `entity` (the hotel or restaurant name) for entity tracking.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.errors import InputError
from app.knowledge.documents import SourceDocument
from eval.datasets.schema import ContextTurn, Dialogue, Turn, TurnLabels


def knowledge_doc_id(
    domain: str, entity_id: str | int, doc_type: str, doc_id: str | int, sent_id=None
) -> str:
    """The document id of one gold snippet, as `load_knowledge` names it."""
    base = f"{domain}:{entity_id}:{doc_type}:{doc_id}"
    return base if sent_id is None else f"{base}:{sent_id}"


def load_knowledge(root: str | Path) -> list[SourceDocument]:
    """Every FAQ and review sentence in `root/knowledge.json`."""
    path = Path(root) / "knowledge.json"
    try:
        knowledge = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read DSTC knowledge ({exc})") from None
    return [
        doc
        for domain, entities in knowledge.items()
        for entity_id, entity in entities.items()
        for doc in _entity_documents(domain, entity_id, entity, str(path))
    ]


def _entity_documents(
    domain: str, entity_id: str, entity: dict[str, Any], source: str
) -> Iterator[SourceDocument]:
    name = str(entity.get("name") or f"{domain} {entity_id}")

    def document(doc_type: str, doc_id: str, text: str, sent_id: str | None = None) -> SourceDocument:
        return SourceDocument(
            doc_id=knowledge_doc_id(domain, entity_id, doc_type, doc_id, sent_id),
            title=name,
            text=text,
            source=source,
            metadata={"domain": domain, "entity_id": str(entity_id), "entity": name, "doc_type": doc_type},
        )

    for faq_id, faq in (entity.get("faqs") or {}).items():
        yield document("faq", faq_id, f"{faq['question'].strip()}\n\n{faq['answer'].strip()}")
    for review_id, review in (entity.get("reviews") or {}).items():
        for sent_id, sentence in (review.get("sentences") or {}).items():
            yield document("review", review_id, sentence.strip(), sent_id)


# --- dialogues (evaluation harness) -------------------------------------------------------------

_ROLES = {"U": "user", "S": "assistant"}


def default_split(root: str | Path) -> str:
    """The only split folder (one with logs.json and labels.json) under `root`; else ask for one."""
    root = Path(root)
    splits = sorted(
        p.name for p in root.iterdir() if (p / "logs.json").is_file() and (p / "labels.json").is_file()
    )
    if len(splits) != 1:
        found = ", ".join(splits) or "none"
        raise InputError(f"{root}: choose a split with --split (split folders found: {found})")
    return splits[0]


def load_dialogues(root: str | Path, split: str) -> list[Dialogue]:
    """Each instance of `root/split` as a dialogue: all but the last turn as context, the last scored.

    Labels: needs_knowledge = target, gold_doc_ids = the gold snippets' document ids (as
    `load_knowledge` names them), reference = the human response.
    """
    folder = Path(root) / split
    logs, labels = _read_list(folder / "logs.json"), _read_list(folder / "labels.json")
    if len(logs) != len(labels):
        raise InputError(f"{folder}: {len(logs)} dialogues in logs.json but {len(labels)} in labels.json")
    return [
        _instance(f"{split}-{index:05d}", log, label, split, folder)
        for index, (log, label) in enumerate(zip(logs, labels, strict=True))
    ]


def _read_list(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a JSON list")
    return data


def _instance(
    dialogue_id: str, log: list[dict[str, Any]], label: dict[str, Any], split: str, folder: Path
) -> Dialogue:
    where = f"{folder}: instance {dialogue_id}"
    try:
        if not log or log[-1]["speaker"] != "U":
            raise InputError(f"{where}: the last turn must be the user's (speaker 'U')")
        context = [ContextTurn(role=_ROLES[turn["speaker"]], text=turn["text"]) for turn in log[:-1]]
        gold = [
            knowledge_doc_id(
                k["domain"],
                k["entity_id"],
                k["doc_type"],
                k["doc_id"],
                k.get("sent_id") if k["doc_type"] == "review" else None,
            )
            for k in label.get("knowledge") or []
        ]
        labels = TurnLabels(
            needs_knowledge=bool(label["target"]), gold_doc_ids=gold, reference=label.get("response")
        )
    except (KeyError, TypeError) as exc:
        raise InputError(f"{where}: missing or malformed field {exc}") from None
    return Dialogue(
        id=dialogue_id,
        tags=["dstc", split],
        context=context,
        turns=[Turn(text=log[-1]["text"], labels=labels)],
    )
