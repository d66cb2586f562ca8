"""Knowledge selection on the DSTC dev slices: the calibrated set against the search's top-k.

    .venv/bin/python -m benchmarks.knowledge_selection [--root ../shared/datasets] [--fit]

Each slice's knowledge-seeking turns are split in two by position: the first FIT_SHARE are the
fitting part, the rest the validation part (instances next to each other often come from one
dialogue, so a contiguous cut keeps a dialogue on one side). `--fit` fits the selection model's
logistic coefficients and its probability threshold on the fitting parts of both slices together
(the threshold maximises the fitting part's micro F1) and writes app/knowledge/selection_model.json;
without it the packaged model is scored. The validation figures are the ones to quote.

Selection P/R/F1 are the official micro-averaged scores over the turns (eval/metrics/dstc.py).
"Top-k" is what the knowledge base returned before selection existed: its k best hits.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from benchmarks._common import REPO, offline_environment, print_table

SLICES = (("DSTC11", "dstc11_track5"), ("DSTC10", "dstc10_track2"))
SPLIT = "val_dev"
FIT_SHARE = 0.6
THRESHOLDS = np.round(np.arange(0.05, 0.80, 0.025), 3)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO.parent / "shared" / "datasets")
    parser.add_argument("--fit", action="store_true", help="refit the model and write it to the package")
    parser.add_argument("--k", type=int, default=5, help="k of the top-k comparison")
    parser.add_argument(
        "--per-kind", action="store_true", help="with --fit: FAQs get their own threshold (grid over both)"
    )
    parser.add_argument(
        "--runner-up",
        action="store_true",
        help="choose the packaged model's faq_runner_up on the fitting parts (grid; the rest unchanged)",
    )
    return parser.parse_args()


def turns(root: Path, settings) -> tuple[object, list[tuple[str, list[str], set[str]]]]:
    """The slice's knowledge base and its knowledge turns as (question, earlier turns, gold ids)."""
    from eval.datasets.loader import load_dataset
    from eval.kb_cache import prepare_knowledge

    dataset = load_dataset(f"dstc:{root}", settings=settings, split=SPLIT)
    kb = prepare_knowledge(dataset.knowledge, settings, progress=False)
    found = []
    for dialogue in dataset.dialogues:
        turn = dialogue.turns[0]
        if turn.labels.needs_knowledge:
            found.append((turn.text, [t.text for t in dialogue.context], set(turn.labels.gold_doc_ids)))
    return kb, found


def micro(selections: list[tuple[set[str], set[str]]]) -> tuple[float, float, float]:
    """Official selection precision, recall and F1 over (selected, gold) pairs."""
    tp = sum(len(chosen & gold) for chosen, gold in selections)
    fp = sum(len(chosen - gold) for chosen, gold in selections)
    fn = sum(len(gold - chosen) for chosen, gold in selections)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def fit(parts: list[tuple[list, np.ndarray, set[str]]], *, per_kind: bool = False):
    """Logistic coefficients on every candidate of the fitting turns, then the best threshold."""
    from sklearn.linear_model import LogisticRegression

    from app.knowledge.selection import FEATURES, SelectionModel, select

    rows = [features for _, features, _ in parts if len(features)]
    labels = [chunk.doc_id in gold for chunks, features, gold in parts if len(features) for chunk in chunks]
    model = LogisticRegression(C=1.0, max_iter=2000).fit(np.vstack(rows), np.asarray(labels))
    coefficients = tuple(float(c) for c in model.coef_[0])
    assert len(coefficients) == len(FEATURES)

    def f1_at(threshold: float, faq_threshold: float | None) -> float:
        candidate = SelectionModel(
            coefficients, float(model.intercept_[0]), float(threshold), faq_threshold=faq_threshold
        )
        return micro(
            [(_chosen(chunks, features, candidate, select), gold) for chunks, features, gold in parts]
        )[2]

    best = max(THRESHOLDS, key=lambda t: (f1_at(t, None), -t))
    if not per_kind:
        return SelectionModel(coefficients, float(model.intercept_[0]), float(best))
    pairs = [(float(t), float(f)) for t in THRESHOLDS for f in THRESHOLDS]
    review, faq = max(pairs, key=lambda pair: (f1_at(*pair), -abs(pair[0] - pair[1]), -pair[0]))
    return SelectionModel(coefficients, float(model.intercept_[0]), review, faq_threshold=faq)


RUNNER_UP = (None, 0.5, 0.6, 0.7, 0.8, 0.9)


def runner_up(model, parts: list[tuple[list, np.ndarray, set[str]]]):
    """The model with the faq_runner_up share that maximises the fitting parts' micro F1 (None wins ties)."""
    from dataclasses import replace

    from app.knowledge.selection import select

    def f1(share: float | None) -> float:
        candidate = replace(model, faq_runner_up=share)
        pairs = [(_chosen(chunks, features, candidate, select), gold) for chunks, features, gold in parts]
        return micro(pairs)[2]

    scores = {share: f1(share) for share in RUNNER_UP}
    for share, score in scores.items():
        print(f"faq_runner_up {share}: fitting-part F1 {score:.4f}")
    best = max(RUNNER_UP, key=lambda share: (scores[share], share is None))
    return replace(model, faq_runner_up=best)


def _chosen(chunks, features, model, select) -> set[str]:
    """The fitting view: the tracked entity's candidates only (a question about several entities
    is fitted on its main one; it is scored on all of them)."""
    return {chunks[index].doc_id for index, _ in select(features, model)}


def _faq_recall(chosen: list[set[str]], golds: list[set[str]]) -> float:
    """Share of the gold FAQs selected (DSTC11 ids name `faq`; every DSTC10 snippet is an FAQ)."""
    faqs = [
        (pick, {g for g in gold if ":review:" not in g}) for pick, gold in zip(chosen, golds, strict=True)
    ]
    total = sum(len(gold) for _, gold in faqs)
    return sum(len(pick & gold) for pick, gold in faqs) / total if total else 0.0


def _rows(name: str, label: str, kb, model, found, cut: int, before) -> list[list]:
    """The fitting and validation rows of one slice under one model."""
    kb._selection = model  # scored as the search selects: each entity the question is about
    selected = [{hit.doc_id for hit in kb.select_snippets(q, ctx)} for q, ctx, _ in found]
    rows = []
    for part, span in (("fit", slice(0, cut)), ("validation", slice(cut, None))):
        golds = [gold for _, _, gold in found[span]]
        chosen = selected[span]
        top = micro(list(zip(before[span], golds, strict=True)))
        ours = micro(list(zip(chosen, golds, strict=True)))
        size = sum(map(len, chosen)) / max(len(chosen), 1)
        rows.append([name, label, part, len(golds), *top, *ours, size, _faq_recall(chosen, golds)])
    return rows


def main() -> None:
    args = parse_args()
    offline_environment()
    from app.knowledge.selection import MODEL_FILE, SelectionModel
    from app.settings import load_settings

    settings = load_settings()
    slices = []
    for label, folder in SLICES:
        root = args.root / folder
        if not root.is_dir():
            continue
        kb, found = turns(root, settings)
        cut = int(len(found) * FIT_SHARE)
        candidates = [(*kb.selection_candidates(q, ctx), gold) for q, ctx, gold in found]
        kb.settings = settings.model_copy(update={"knowledge_selection": False})  # the search as it was
        before = [{hit.doc_id for hit in kb.search(q, k=args.k, context=ctx)} for q, ctx, _ in found]
        kb.settings = settings
        slices.append((label, kb, found, cut, candidates, before))
    if args.fit:
        model = fit(
            [part for *_, cut, candidates, _ in slices for part in candidates[:cut]], per_kind=args.per_kind
        )
        path = REPO / "app" / "knowledge" / MODEL_FILE
        path.write_text(json.dumps(model.to_dict(), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}: threshold {model.threshold}, FAQ threshold {model.faq_threshold}")
    model = SelectionModel.packaged() if not args.fit else model
    models = [("packaged" if not args.fit else "fitted", model)]
    if args.runner_up:
        chosen = runner_up(model, [part for *_, cut, candidates, _ in slices for part in candidates[:cut]])
        models.append((f"runner-up {chosen.faq_runner_up}", chosen))
    rows = []
    for name, candidate in models:
        for label, kb, found, cut, _candidates, before in slices:
            rows.extend(_rows(name, label, kb, candidate, found, cut, before))
    print_table(
        f"Knowledge selection on {SPLIT} knowledge turns: search top-{args.k} vs calibrated selection",
        [
            "model",
            "slice",
            "part",
            "turns",
            "top-k P",
            "top-k R",
            "top-k F1",
            "sel P",
            "sel R",
            "sel F1",
            "sel size",
            "FAQ R",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
