"""Knowledge-turn detection of the offline router alone, in seconds rather than a full evaluation.

For each scored turn it runs only `read_intent` and `plan_calls` (no search, no answer) and counts
a detection when the plan calls the search tool, which is what the evaluation's `detection/*`
measures. DSTC `val_dev` slices are read with their own context; the demo dev dialogues with the
reference replies standing in for the agent's own (the evaluation feeds back what the agent said,
so its figure may differ by a turn or two). The vocabulary comes from each corpus's titles.

    .venv/bin/python -m benchmarks.knowledge_detection [--dstc11 PATH] [--dstc10 PATH] [--errors FILE]

The shipped model fits DSTC10 whole; its held-out DSTC10 figure comes from a model trained with
that slice split in halves:

    .venv/bin/python -m app.agent.providers.offline.train --split dstc10_track2=2 \
        --output /tmp/split.npz --scores /tmp/split.json
    .venv/bin/python -m benchmarks.knowledge_detection --model /tmp/split.npz --split dstc10_track2=2

The DSTC dialogues the router was fitted on are scored apart from the held-out half (the split of
`offline_train.dialogue_split`): only the held-out figures say how it does on dialogues it never saw.
Each slice is scored twice: by the classifier alone, and with the match against the questions its
knowledge base answers (`offline_questions`: the FAQ titles of a DSTC knowledge base, the question
headings of the demo help centre), as the offline provider reads them.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks._common import REPO, offline_environment

SHARED = REPO.parent / "shared" / "datasets"
SHARED = SHARED if SHARED.is_dir() else REPO.parent.parent / "shared" / "datasets"

if TYPE_CHECKING:
    from app.agent.providers.offline.policy import Router
    from app.knowledge.vocabulary import Vocabulary

Case = tuple[str, list[tuple[str, str]], str, bool]  # (group, history, text, needs knowledge)
Corpus = tuple[list[Case], "Vocabulary", list[str]]  # cases, vocabulary, the questions it answers


def dstc_cases(root: Path, splits: dict[str, int]) -> list[Case]:
    """The scored turn of each `val_dev` instance, grouped by the router's fitting split."""
    from app.agent.providers.offline.train import dialogue_split
    from eval.datasets import dstc

    every = splits.get(root.name, 0)
    cases = []
    for dialogue in dstc.load_dialogues(root, "val_dev"):
        history = [(turn.role, turn.text) for turn in dialogue.context]
        opening = dialogue.context[0].text if dialogue.context else dialogue.turns[0].text
        group = f"{root.name} {'held out' if dialogue_split(opening, every) == 'validation' else 'fitted'}"
        turn = dialogue.turns[0]
        cases.append((group, history, turn.text, bool(turn.labels.needs_knowledge)))
    return cases


def demo_cases(path: Path) -> list[Case]:
    """Every turn of the demo dev dialogues, after the reference replies to the turns before it."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        dialogue = json.loads(line)
        history = [(turn["role"], turn["text"]) for turn in dialogue.get("context", [])]
        for turn in dialogue["turns"]:
            labels = turn["labels"]
            cases.append(("demo dev", list(history), turn["text"], bool(labels["needs_knowledge"])))
            history += [("user", turn["text"]), ("assistant", labels.get("reference") or "")]
    return cases


def vocabulary_of(headings: Iterable[str], text: str) -> Vocabulary:
    from app.knowledge.vocabulary import Vocabulary

    return Vocabulary.from_headings(sorted(set(headings)), text)


def demo_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((REPO / "datasets/knowledge_base").rglob("*.md"))]


def demo_headings(texts: Iterable[str]) -> list[str]:
    return [line.lstrip("#").strip() for t in texts for line in t.splitlines() if line.startswith("#")]


def demo_vocabulary() -> Vocabulary:
    """From the demo help centre's Markdown titles and headings, as its knowledge base builds it."""
    texts = demo_texts()
    return vocabulary_of(demo_headings(texts), "\n".join(texts))


def demo_questions() -> list[str]:
    """The demo help centre's headings and paragraph openings that are questions (its chunks' first
    lines and section headings, as the provider indexes them)."""
    from app.agent.providers.offline.questions import asked_in

    texts = demo_texts()
    openings = [part.strip() for text in texts for part in text.split("\n\n") if part.strip()]
    return [q for opening in openings for q in asked_in(opening.lstrip("#").strip())]


def dstc_vocabulary(root: Path) -> Vocabulary:
    """From the entity names (the DSTC documents' titles)."""
    from eval.datasets import dstc

    documents = dstc.load_knowledge(root)
    return vocabulary_of((d.title for d in documents), "\n".join(d.text for d in documents))


def dstc_corpus(root: Path, splits: dict[str, int]) -> Corpus:
    from app.agent.providers.offline.train import knowledge_questions

    return dstc_cases(root, splits), dstc_vocabulary(root), knowledge_questions(root)


def score(cases: Sequence[Case], router: Router) -> tuple[dict[str, list[int]], list[dict]]:
    """(tp, fp, fn) per group, and the wrong decisions."""
    from app.agent.providers.offline.policy import plan_calls, read_intent
    from app.protocol import SEARCH_TOOL, TOOL_NAMES

    counts: dict[str, list[int]] = {}
    errors = []
    for group, history, text, gold in cases:
        intent = read_intent(text, history, {}, router)
        searched = any(call.name == SEARCH_TOOL for call in plan_calls(intent, {}, set(TOOL_NAMES)))
        row = counts.setdefault(group, [0, 0, 0])
        row[0] += searched and gold
        row[1] += searched and not gold
        row[2] += gold and not searched
        if searched != gold:
            last = history[-1][1] if history else ""
            errors.append({"group": group, "searched": searched, "before": last[:120], "text": text})
    return counts, errors


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dstc11", type=Path, default=SHARED / "dstc11_track5")
    parser.add_argument("--dstc10", type=Path, default=SHARED / "dstc10_track2")
    parser.add_argument("--demo", type=Path, default=REPO / "datasets/dialogues/dev.jsonl")
    parser.add_argument(
        "--model", type=Path, default=None, help="an intent model .npz (default: the shipped one)"
    )
    parser.add_argument(
        "--errors", type=Path, default=None, help="write the wrong decisions here (JSON lines)"
    )
    parser.add_argument(
        "--split",
        action="append",
        default=[],
        metavar="NAME=N",
        help="the split the --model was trained with (offline_train --split), e.g. dstc10_track2=2",
    )
    args = parser.parse_args()
    offline_environment()
    from app.agent.providers.offline.intents import IntentModel
    from app.agent.providers.offline.policy import Router
    from app.agent.providers.offline.questions import QuestionIndex
    from app.agent.providers.offline.train import public_splits
    from app.knowledge.embedders import CachedEmbedder, load_embedder

    model = IntentModel.load(args.model)
    embedder = CachedEmbedder(load_embedder(model.embedder), max_entries=40_000)
    corpora: list[Corpus] = []
    if args.demo.is_file():
        corpora.append((demo_cases(args.demo), demo_vocabulary(), demo_questions()))
    splits = public_splits(args.split)
    corpora += [dstc_corpus(root, splits) for root in (args.dstc11, args.dstc10) if root.is_dir()]
    errors: list[dict] = []
    for matched in (False, True):
        totals: dict[str, list[int]] = {}
        for cases, vocabulary, asked in corpora:
            index = QuestionIndex.build(asked, embedder.embed_documents) if matched else None
            router = Router(
                model, embedder, lambda vocabulary=vocabulary: vocabulary, lambda index=index: index
            )
            counts, wrong = score(cases, router)
            totals.update(counts)
            errors += [{**row, "question_match": matched} for row in wrong]
            name = cases[0][0].split()[0]
            if len(counts) > 1:
                totals[f"{name} all"] = [sum(values) for values in zip(*counts.values(), strict=True)]
        print("with the question match" if matched else "the classifier alone")
        print_table(totals)
    if args.errors:
        args.errors.write_text("".join(json.dumps(row) + "\n" for row in errors), encoding="utf-8")


def print_table(totals: dict[str, list[int]]) -> None:
    print(f"{'slice':<26}{'tp':>5}{'fp':>5}{'fn':>5}{'P':>8}{'R':>8}{'F1':>8}")
    for group, (tp, fp, fn) in sorted(totals.items()):
        precision, recall, f1 = prf(tp, fp, fn)
        print(f"{group:<26}{tp:>5}{fp:>5}{fn:>5}{precision:>8.3f}{recall:>8.3f}{f1:>8.3f}")


if __name__ == "__main__":
    main()
