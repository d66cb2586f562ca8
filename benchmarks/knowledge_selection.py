"""Knowledge selection on the DSTC dev slices: the calibrated set against the search's top-k.

    .venv/bin/python -m benchmarks.knowledge_selection [--root ../shared/datasets] [--fit]

Each slice's knowledge-seeking turns are split in two by position: the first FIT_SHARE are the
fitting part, the rest the validation part (instances next to each other often come from one
dialogue, so a contiguous cut keeps a dialogue on one side). `--fit` fits the selection model on the
fitting parts of both slices together and writes app/knowledge/selection_model.json: its
regularisation (`choose_setting`, cross-validated within the fitting parts), then its logistic
weights (the six features and one meaning weight per embedding dimension and kind, for the
configured embedder), then its probability threshold (the one that maximises the fitting parts'
micro F1), then whether it selects at most one FAQ (`max_faqs`, on the same turns). Without `--fit`
the packaged model is scored. The validation figures are the ones to quote.

Selection P/R/F1 are the official micro-averaged scores over the turns (eval/metrics/dstc.py).
"Top-k" is what the knowledge base returned before selection existed: its k best hits.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
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


Part = tuple[list, np.ndarray, np.ndarray, set[str]]  # a turn's candidates, features, products, gold ids
Weights = tuple[tuple[float, ...], float, tuple[float, ...], tuple[float, ...]]


def fit(parts: list[Part], slices: list[str], embedder: str, *, per_kind: bool = False):
    """The selection model fitted on the fitting turns (`slices`: each one's slice): logistic weights
    on the six features alone (for any embedder), and, in its `with_meaning`, the model with meaning
    weights for `embedder`'s vectors, its regularisation chosen by cross-validation
    (`choose_setting`). Each gets the threshold that maximises the fitting turns' micro F1 (with
    `per_kind`, the features-only model one for FAQs and one for reviews)."""
    from sklearn.linear_model import LogisticRegression

    from app.knowledge.selection import SelectionModel

    rows = [features for chunks, features, _, _ in parts if chunks]
    labels = [chunk.doc_id in gold for chunks, _, _, gold in parts for chunk in chunks]
    plain = LogisticRegression(C=1.0, max_iter=2000).fit(np.vstack(rows), np.asarray(labels))
    model = SelectionModel(tuple(float(c) for c in plain.coef_[0]), float(plain.intercept_[0]), 0.5)
    meaning = _with_best_threshold(_model(_logistic(parts, choose_setting(parts, slices)), embedder), parts)
    meaning = _with_faq_cap(meaning, parts, slices)
    model = _with_kind_thresholds(model, parts) if per_kind else _with_best_threshold(model, parts)
    return _with_faq_cap(replace(model, with_meaning=meaning), parts, slices)


def _with_kind_thresholds(model, parts: list[Part]):
    """The model with the (review, FAQ) thresholds that maximise the turns' micro F1 (on a tie, the
    closer pair, then the lower review threshold)."""

    def f1_at(threshold: float, faq_threshold: float) -> float:
        candidate = replace(model, threshold=threshold, faq_threshold=faq_threshold)
        return micro([(_chosen(part, candidate), part[-1]) for part in parts])[2]

    pairs = [(float(t), float(f)) for t in THRESHOLDS for f in THRESHOLDS]
    review, faq = max(pairs, key=lambda pair: (f1_at(*pair), -abs(pair[0] - pair[1]), -pair[0]))
    return replace(model, threshold=review, faq_threshold=faq)


# The meaning weights are 2 x 384 numbers fitted on a few thousand candidates, so they are
# regularised hard (inverse strength C), and the six features of every model less: their
# standardised columns are scaled up by BASE_WEIGHT (their penalty shrinks by its square), so the
# shrinkage the meaning weights need does not flatten what similarity and rank already say. Both
# are chosen by cross-validation over the fitting turns: the setting with the strongest penalty
# on the meaning weights within CV_TOLERANCE of the best (a near tie goes to the simpler model).
# The score is the mean of the slices' F1: DSTC10's 19 fitting turns would count for little in a
# pooled F1, and a strength that suits DSTC11's reviews can overfit DSTC10's FAQs.
STRENGTHS = (0.001, 0.003, 0.01, 0.03)
BASE_WEIGHTS = (1.0, 3.0, 10.0)
FOLDS = 5
CV_TOLERANCE = 0.005
MIN_SPREAD = 1e-6  # columns with a smaller standard deviation carry no weight
Setting = tuple[float, float]  # (C, BASE_WEIGHT)


def choose_setting(parts: list[Part], slices: list[str]) -> Setting:
    """(C, BASE_WEIGHT) by FOLDS-fold cross-validation over contiguous blocks of the fitting turns
    (turns of one dialogue sit together; `_folds`): each fold is selected by a model, threshold
    included, fitted on the others; then each slice's micro F1 over its held-out selections, and
    their mean."""
    blocks = _folds(slices)
    scores = {}
    for setting in [(strength, weight) for strength in STRENGTHS for weight in BASE_WEIGHTS]:
        chosen: dict[int, set[str]] = {}
        for held in blocks:
            rest = [part for i, part in enumerate(parts) if i not in held]
            model = _with_best_threshold(_model(_logistic(rest, setting), "cross-validation"), rest)
            chosen.update((i, _chosen(parts[i], model)) for i in held)
        per_slice, scores[setting] = _per_slice_f1(chosen, parts, slices)
        shown = ", ".join(f"{name} {value:.4f}" for name, value in per_slice.items())
        strength, weight = setting
        print(f"C {strength}, base weight {weight}: cross-validated F1 {shown}; mean {scores[setting]:.4f}")
    return strongest_within_tolerance(scores)


def strongest_within_tolerance(scores: dict[Setting, float]) -> Setting:
    """Of the settings scoring within CV_TOLERANCE of the best, the one with the strongest penalty on
    the meaning weights (smallest C), then the smallest base weight."""
    best = max(scores.values())
    return min(setting for setting, score in scores.items() if score >= best - CV_TOLERANCE)


def _folds(slices: list[str]) -> list[set[int]]:
    """FOLDS folds of turn indices: each slice's turns cut into FOLDS contiguous blocks, fold k
    holding every slice's k-th block (so every fold has turns of every slice to be scored on, and
    every model is fitted on turns of each slice)."""
    folds: list[set[int]] = [set() for _ in range(FOLDS)]
    for name in dict.fromkeys(slices):
        indices = [i for i, slice_name in enumerate(slices) if slice_name == name]
        for fold, block in zip(folds, np.array_split(np.asarray(indices), FOLDS), strict=True):
            fold.update(int(i) for i in block)
    return folds


def _model(weights: Weights, embedder: str):
    from app.knowledge.selection import SelectionModel

    coefficients, intercept, review, faq = weights
    return SelectionModel(
        coefficients, intercept, 0.5, embedder=embedder, review_meaning=review, faq_meaning=faq
    )


def _per_slice_f1(
    chosen: dict[int, set[str]], parts: list[Part], slices: list[str]
) -> tuple[dict[str, float], float]:
    """Each slice's micro F1 of the selections `chosen` (by turn index), and their mean."""
    per_slice = {
        name: micro([(chosen[i], parts[i][-1]) for i in chosen if slices[i] == name])[2]
        for name in dict.fromkeys(slices)
    }
    return per_slice, float(np.mean(list(per_slice.values())))


FAQ_CAPS = (None, 1)


def _with_faq_cap(model, parts: list[Part], slices: list[str]):
    """The model with the `max_faqs` of FAQ_CAPS that maximises the mean of the slices' micro F1 over
    the fitting turns (no cap on a tie)."""

    def mean_f1(cap: int | None) -> float:
        capped = replace(model, max_faqs=cap)
        return _per_slice_f1({i: _chosen(part, capped) for i, part in enumerate(parts)}, parts, slices)[1]

    scores = {cap: mean_f1(cap) for cap in FAQ_CAPS}
    print("max_faqs: " + ", ".join(f"{cap}: mean F1 {score:.4f}" for cap, score in scores.items()))
    return replace(model, max_faqs=max(FAQ_CAPS, key=lambda cap: (scores[cap], cap is None)))


def _with_best_threshold(model, parts: list[Part]):
    """The model with the threshold that maximises the turns' micro F1 (the lower one on a tie)."""

    def f1_at(threshold: float) -> float:
        return micro([(_chosen(part, replace(model, threshold=threshold)), part[-1]) for part in parts])[2]

    return replace(model, threshold=float(max(THRESHOLDS, key=lambda t: (f1_at(float(t)), -t))))


def _logistic(parts: list[Part], setting: Setting) -> Weights:
    """Standardised L2 logistic regression over [features, review products, FAQ products] (see
    BASE_WEIGHTS), folded back to weights on the raw columns: (coefficients, intercept, review
    weights, FAQ weights)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from app.knowledge.selection import FEATURES

    rows = [_design(features, products) for chunks, features, products, _ in parts if chunks]
    labels = [chunk.doc_id in gold for chunks, _, _, gold in parts for chunk in chunks]
    strength, base_weight = setting
    matrix = np.vstack(rows)
    base = len(FEATURES)
    scaler = StandardScaler().fit(matrix)
    # a column that hardly varies (MiniLM has dimensions near 1e-32 in every vector) would be
    # scaled up to unit variance and get a weight of 1e60 on noise: it is left out (weight 0)
    live = matrix.std(axis=0) > MIN_SPREAD
    boost = np.where(live, 1.0, 0.0)
    boost[:base] *= base_weight
    model = LogisticRegression(C=strength, max_iter=5000)
    model.fit(scaler.transform(matrix) * boost, np.asarray(labels))
    weights = model.coef_[0] * boost / scaler.scale_  # per raw column
    intercept = float(model.intercept_[0] - np.sum(weights * scaler.mean_))
    dimension = (len(weights) - base) // 2
    return (
        tuple(float(w) for w in weights[:base]),
        intercept,
        tuple(float(w) for w in weights[base : base + dimension]),
        tuple(float(w) for w in weights[base + dimension :]),
    )


def _design(features: np.ndarray, products: np.ndarray) -> np.ndarray:
    from app.knowledge.selection import FEATURES, REVIEW

    review = features[:, FEATURES.index(REVIEW) : FEATURES.index(REVIEW) + 1]
    return np.column_stack([features, products * review, products * (1 - review)])


RUNNER_UP = (None, 0.5, 0.6, 0.7, 0.8, 0.9)


def runner_up(model, parts: list[Part]):
    """The model with the faq_runner_up share that maximises the fitting parts' micro F1 (None wins ties)."""

    def f1(share: float | None) -> float:
        candidate = replace(model, faq_runner_up=share)
        return micro([(_chosen(part, candidate), part[-1]) for part in parts])[2]

    scores = {share: f1(share) for share in RUNNER_UP}
    for share, score in scores.items():
        print(f"faq_runner_up {share}: fitting-part F1 {score:.4f}")
    best = max(RUNNER_UP, key=lambda share: (scores[share], share is None))
    return replace(model, faq_runner_up=best)


def _chosen(part: Part, model) -> set[str]:
    """The fitting view: the tracked entity's candidates only (a question about several entities
    is fitted on its main one; it is scored on all of them)."""
    from app.knowledge.selection import select

    chunks, features, products, _ = part
    return {chunks[index].doc_id for index, _ in select(features, model, products if len(chunks) else None)}


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
        fitting = [(label, part) for label, *_, cut, candidates, _ in slices for part in candidates[:cut]]
        model = fit(
            [part for _, part in fitting],
            [label for label, _ in fitting],
            settings.embedding_model,
            per_kind=args.per_kind,
        )
        path = REPO / "app" / "knowledge" / MODEL_FILE
        path.write_text(json.dumps(model.to_dict(), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}: threshold {model.threshold}, FAQ threshold {model.faq_threshold}")
    model = SelectionModel.packaged() if not args.fit else model
    name = "packaged" if not args.fit else "fitted"
    models = [(name, model), (f"{name}, features only", replace(model, with_meaning=None))]
    if args.runner_up:  # on the model that selects for the configured embedder's vectors
        fitting = [part for *_, cut, candidates, _ in slices for part in candidates[:cut]]
        used = model.with_meaning or model
        tuned = runner_up(used, fitting)
        chosen = replace(model, with_meaning=tuned) if model.with_meaning else tuned
        models.append((f"runner-up {tuned.faq_runner_up}", chosen))
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
