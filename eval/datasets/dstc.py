"""DSTC knowledge-grounded dialogues in both public formats, told apart by the data itself.

- DSTC11 Track 5: entities hold `faqs` and `reviews`; one document per FAQ and per review
  sentence (`hotel:20:faq:3`, `hotel:20:review:9:4`); gold snippets name `doc_type` (and `sent_id`).
- DSTC9/DSTC10 Track 2: entities hold `docs` with `title` and `body`; one document per doc
  (`hotel:110053:14`); gold snippets name only domain, entity and doc. Domain-wide knowledge
  (taxi, train) sits under entity `"*"` with no name. Log turns carry ASR `nbest` lists, kept on
  the turns; `text` is the top hypothesis.

Ids mirror the dataset's own keys so gold labels map onto retrieved ids directly. Every document
carries `entity` (the hotel or restaurant name; empty for domain-wide knowledge) for entity tracking.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.errors import InputError
from app.knowledge.documents import SourceDocument
from eval.datasets.jsonfile import read_json_list
from eval.datasets.schema import ContextTurn, Dialogue, Turn, TurnLabels


def knowledge_doc_id(
    domain: str, entity_id: str | int, doc_type: str | None, doc_id: str | int, sent_id=None
) -> str:
    """The document id of one gold snippet, as `load_knowledge` names it (no doc_type: DSTC9/10)."""
    base = (
        f"{domain}:{entity_id}:{doc_id}" if doc_type is None else f"{domain}:{entity_id}:{doc_type}:{doc_id}"
    )
    return base if sent_id is None else f"{base}:{sent_id}"


def snippet_doc_id(snippet: dict[str, Any]) -> str:
    """A gold snippet of either format as a document id."""
    doc_type = snippet.get("doc_type")
    return knowledge_doc_id(
        snippet["domain"],
        snippet["entity_id"],
        doc_type,
        snippet["doc_id"],
        snippet.get("sent_id") if doc_type == "review" else None,
    )


def load_knowledge(root: str | Path) -> list[SourceDocument]:
    """Every FAQ and review sentence in `root/knowledge.json`."""
    path = Path(root) / "knowledge.json"
    try:
        knowledge = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read DSTC knowledge ({exc})") from None
    documents = []
    for domain, entities in knowledge.items():
        for entity_id, entity in entities.items():
            try:
                documents.extend(_entity_documents(domain, entity_id, entity, str(path)))
            except (KeyError, TypeError, AttributeError) as exc:
                raise InputError(
                    f"{path}: {domain} entity {entity_id}: missing or malformed field {exc}"
                ) from None
    return documents


def _entity_documents(
    domain: str, entity_id: str, entity: dict[str, Any], source: str
) -> Iterator[SourceDocument]:
    domain_wide = str(entity_id) == "*"
    name = "" if domain_wide else str(entity.get("name") or f"{domain} {entity_id}")

    def document(
        doc_type: str, doc_id: str, text: str, sent_id: str | None = None, *, typed_id: bool = True
    ) -> SourceDocument:
        return SourceDocument(
            doc_id=knowledge_doc_id(domain, entity_id, doc_type if typed_id else None, doc_id, sent_id),
            title=name or f"{domain} (general)",
            text=text,
            source=source,
            metadata={"domain": domain, "entity_id": str(entity_id), "entity": name, "doc_type": doc_type},
        )

    for doc_id, doc in (entity.get("docs") or {}).items():
        yield document("faq", doc_id, f"{doc['title'].strip()}\n\n{doc['body'].strip()}", typed_id=False)
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
    logs, labels = read_json_list(folder / "logs.json"), read_json_list(folder / "labels.json")
    if len(logs) != len(labels):
        raise InputError(f"{folder}: {len(logs)} dialogues in logs.json but {len(labels)} in labels.json")
    return [
        _instance(f"{split}-{index:05d}", log, label, split, folder)
        for index, (log, label) in enumerate(zip(logs, labels, strict=True))
    ]


def _instance(
    dialogue_id: str, log: list[dict[str, Any]], label: dict[str, Any], split: str, folder: Path
) -> Dialogue:
    where = f"{folder}: instance {dialogue_id}"
    try:
        if not log or log[-1]["speaker"] != "U":
            raise InputError(f"{where}: the last turn must be the user's (speaker 'U')")
        context = [
            ContextTurn(role=_ROLES[turn["speaker"]], text=turn["text"], nbest=_hypotheses(turn))
            for turn in log[:-1]
        ]
        gold = [snippet_doc_id(k) for k in label.get("knowledge") or []]
        labels = TurnLabels(
            needs_knowledge=bool(label["target"]), gold_doc_ids=gold, reference=label.get("response")
        )
    except (KeyError, TypeError) as exc:
        raise InputError(f"{where}: missing or malformed field {exc}") from None
    return Dialogue(
        id=dialogue_id,
        tags=["dstc", split],
        context=context,
        turns=[Turn(text=log[-1]["text"], nbest=_hypotheses(log[-1]), labels=labels)],
    )


def _hypotheses(turn: dict[str, Any]) -> list[str]:
    """A spoken turn's ASR n-best hypotheses, best first (empty for written dialogues)."""
    return [str(item["hyp"]) for item in turn.get("nbest") or [] if isinstance(item, dict) and "hyp" in item]
