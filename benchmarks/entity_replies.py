"""Replies from an entity's selected snippets, re-composed from a saved DSTC run and re-scored.

    .venv/bin/python -m benchmarks.entity_replies RUN_DIR [--root ../shared/datasets/dstc11_track5]
        [--show N]
    .venv/bin/python -m benchmarks.entity_replies --fit [--root ...]   # refit entity_clauses.json

A full DSTC11 evaluation takes a quarter of an hour; the replies of the knowledge turns whose search
selected an entity's FAQs or review sentences depend only on that selection and the question. This
reads a run's `turns.jsonl`, rebuilds the selected snippets from `knowledge.json` in the order the run
selected them, composes the reply with the current `EntityAnswerer`, keeps every other turn's reply as
it was, and scores generation (ROUGE-L, BLEU, as eval/metrics/dstc.py) and selection (what the
reply cites, as in the evaluation) on:
- the fitting half (wording is chosen here) and the checking half of the dialogues: a dialogue's
  instances go to the half its opening turn's hash says (instances of one dialogue stay together);
- the whole slice.
Passage numbers do not matter: citations are removed before scoring, as in the evaluation.

`--fit` refits the clause model (app/agent/providers/offline/entity_clauses.json: which clause of
the guests' sentences a reply on reviews quotes). On the fitting half's knowledge turns about one
entity with reviews, composed from the GOLD snippets, every candidate clause is quoted in turn and
the gain in ROUGE-L over the reply that quotes none is the target of a ridge regression on the
clause's features (alpha chosen by cross-validation over the fitting half's turns, see
`choose_alpha`). The checking half is only scored: the mean ROUGE-L of those replies with the
fitted model's choice. (The DSTC11 train split, where this would better be fitted, is not among the
shared datasets; val_dev's fitting half stands in for it.)

A run made with `--limit N` is re-composed on its N instances.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from benchmarks._common import offline_environment, print_table

FITTING, CHECKING = 0, 1


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, nargs="?", help="an eval run's output folder (holds turns.jsonl)")
    parser.add_argument("--fit", action="store_true", help="refit the clause model from the gold snippets")
    parser.add_argument("--root", type=Path, default=Path("/work/shared/datasets/dstc11_track5"))
    parser.add_argument("--split", default="val_dev")
    parser.add_argument("--show", type=int, default=0, help="print this many re-composed replies")
    return parser.parse_args()


def half_of(opening: str) -> int:
    """0 (fitting) or 1 (checking): a fixed hash of the dialogue's opening turn."""
    return hashlib.sha1(opening.encode("utf-8")).digest()[0] % 2


def passages_of(knowledge_root: Path) -> dict[str, object]:
    """Every knowledge document as the search would hand it over, selected, by doc id."""
    from app.protocol import Passage
    from eval.datasets.dstc import load_knowledge

    return {
        doc.doc_id: Passage(
            number=0,
            chunk_id=doc.doc_id,
            doc_id=doc.doc_id,
            title=doc.title,
            section="",
            text=doc.text,
            score=1.0,
            kind=doc.metadata.get("doc_type", ""),
            selected=True,
        )
        for doc in load_knowledge(knowledge_root)
    }


def recompose(records: list[dict], documents: dict[str, object]) -> int:
    """Replace each entity-path reply with the current composer's; the number replaced."""
    from dataclasses import replace

    from app.agent.providers.offline.answer_entity import EntityAnswerer, entity_snippets
    from app.protocol import cited_numbers

    answerer, changed = EntityAnswerer(), 0
    for record in records:
        ids = [i for i in record.get("selected_doc_ids") or [] if i in documents]
        if not record.get("searched") or not ids:
            continue
        passages = [replace(documents[i], number=n) for n, i in enumerate(ids, start=1)]
        snippets = entity_snippets(passages)
        if snippets:
            record["response"] = answerer.reply(snippets, record["query"])
            # the evaluation's selection is what the reply cites
            record["selected_doc_ids"] = [ids[n - 1] for n in cited_numbers(record["response"])]
            changed += 1
    return changed


def scores(records: list[dict]) -> dict[str, float]:
    from app.protocol import without_citations
    from eval.metrics import dstc

    labelled = [r for r in records if r["labels"]["needs_knowledge"] is not None]
    references = [
        {
            "target": bool(r["labels"]["needs_knowledge"]),
            "knowledge": r["labels"]["gold_doc_ids"],
            "response": r["labels"]["reference"] or "",
        }
        for r in labelled
    ]
    predictions = [
        {
            "target": r["searched"],
            "knowledge": r["selected_doc_ids"],
            "response": without_citations(r["response"]),
        }
        for r in labelled
    ]
    found = dstc.score_dstc(references, predictions, prefix="")
    words = sorted(
        len(without_citations(r["response"]).split()) for r in labelled if r["labels"]["needs_knowledge"]
    )
    found["median words"] = float(words[len(words) // 2]) if words else 0.0
    return found


def gold_turns(root: Path, split: str) -> list[tuple[int, str, str, list]]:
    """(half, question, reference, snippets from the gold knowledge) of each knowledge turn about one
    entity whose gold knowledge holds review sentences."""
    from dataclasses import replace

    from app.agent.providers.offline.answer_entity import REVIEW, entity_snippets
    from eval.datasets.dstc import snippet_doc_id

    logs = json.loads((root / split / "logs.json").read_text(encoding="utf-8"))
    labels = json.loads((root / split / "labels.json").read_text(encoding="utf-8"))
    documents = passages_of(root)
    turns = []
    for log, label in zip(logs, labels, strict=True):
        if not label.get("target"):
            continue
        ids = [snippet_doc_id(k) for k in label["knowledge"]]
        snippets = entity_snippets([replace(documents[i], number=n) for n, i in enumerate(ids, start=1)])
        if len({s.entity for s in snippets}) == 1 and any(s.kind == REVIEW for s in snippets):
            turns.append((half_of(log[0]["text"]), log[-1]["text"], label["response"], snippets))
    return turns


def clause_gains(turns: list[tuple[int, str, str, list]]) -> list[tuple[int, list, list[float], float]]:
    """Per turn: its half, its candidate clauses, the ROUGE-L gain of quoting each, and the ROUGE-L of
    the reply that quotes none."""
    from app.agent.providers.offline.answer_entity import REVIEW, Clause, EntityAnswerer
    from app.protocol import without_citations
    from eval.metrics.dstc import rouge_pairs

    class Quoting(EntityAnswerer):
        """Quotes the clause it is told to (the candidate being measured)."""

        quote = ""

        def choose_clause(self, candidates: list[Clause]) -> str:
            return self.quote

    answerer, found = Quoting(), []
    for half, question, reference, snippets in turns:
        reviews = [s for s in snippets if s.kind == REVIEW]
        tally = answerer.tally(reviews)
        candidates = answerer.clause_candidates(reviews, question, tally.side, strict=tally.few > 0)
        replies = []
        for quote in ["", *(c.text for c in candidates)]:
            answerer.quote = quote
            replies.append(without_citations(answerer.reply(snippets, question)))
        scores = [pair["rougeL"] for pair in rouge_pairs(replies, [reference] * len(replies))]
        found.append((half, candidates, [score - scores[0] for score in scores[1:]], scores[0]))
    return found


ALPHAS = (0.1, 1.0, 10.0, 100.0, 1000.0)


def ridge_model(turns: list) -> object:
    """A ridge regression of each candidate clause's gain on its features, over these turns."""
    from sklearn.linear_model import Ridge

    rows = [(c.features, g) for _, cands, gains, _ in turns for c, g in zip(cands, gains, strict=True)]
    return lambda alpha: Ridge(alpha=alpha).fit([f for f, _ in rows], [g for _, g in rows])


def as_clause_model(ridge: object) -> object:
    from app.agent.providers.offline.answer_entity import ClauseModel

    return ClauseModel(tuple(float(w) for w in ridge.coef_), float(ridge.intercept_))


def quoted_rouge(model: object, turns: list) -> float:
    """Mean ROUGE-L of the replies quoting the model's choice (none when no gain is expected)."""
    import numpy as np

    chosen = []
    for _, candidates, gains, base in turns:
        predicted = model.gains([c.features for c in candidates]) if candidates else np.array([])
        best = int(np.argmax(predicted)) if len(predicted) else -1
        chosen.append(base + (gains[best] if best >= 0 and predicted[best] > 0 else 0.0))
    return float(np.mean(chosen)) if chosen else 0.0


def choose_alpha(turns: list, folds: int = 5) -> float:
    """The ridge penalty whose models, fitted on the other folds of the fitting half's turns (a turn's
    clauses stay in one fold), quote best on the held-out fold: the objective itself, not the
    squared error of the gains (one turn's clauses share its reference, so a row-wise criterion
    overrates small penalties)."""
    import numpy as np

    def score(alpha: float) -> float:
        held = []
        for k in range(folds):
            train = [t for i, t in enumerate(turns) if i % folds != k]
            test = [t for i, t in enumerate(turns) if i % folds == k]
            held.append(quoted_rouge(as_clause_model(ridge_model(train)(alpha)), test))
        return float(np.mean(held))

    return max(ALPHAS, key=score)


def fit(root: Path, split: str) -> None:
    """Refit the clause model and write its artifact (see the module docstring)."""
    import numpy as np

    from app.agent.providers.offline.answer_entity import CLAUSE_FEATURES, CLAUSE_MODEL_PATH

    measured = clause_gains(gold_turns(root, split))
    fitting = [m for m in measured if m[0] == FITTING]
    alpha = choose_alpha(fitting)
    model = as_clause_model(ridge_model(fitting)(alpha))
    table = []
    for half, name in ((FITTING, "fitting"), (CHECKING, "checking")):
        part = [m for m in measured if m[0] == half]
        none = float(np.mean([base for *_, base in part]))
        table.append([name, str(len(part)), f"{none:.4f}", f"{quoted_rouge(model, part):.4f}"])
    print_table(
        f"clause model (gold snippets, alpha {alpha:g})",
        ["part", "turns", "ROUGE-L no quote", "ROUGE-L model"],
        table,
    )
    artifact = {
        "features": list(CLAUSE_FEATURES),
        "weights": list(model.weights),
        "intercept": model.intercept,
        "alpha": alpha,
        "fitted_on": f"{root.name}/{split}, fitting half, gold snippets, {len(fitting)} turns",
        "rouge_l": {row[0]: {"no quote": float(row[2]), "model": float(row[3])} for row in table},
    }
    CLAUSE_MODEL_PATH.write_text(json.dumps(artifact, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {CLAUSE_MODEL_PATH}")


def main() -> None:
    args = parse_args()
    offline_environment()
    if args.fit:
        fit(args.root, args.split)
        return
    if args.run is None:
        raise SystemExit("give a run folder, or --fit")
    records = [
        json.loads(line) for line in (args.run / "turns.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    logs = json.loads((args.root / args.split / "logs.json").read_text(encoding="utf-8"))
    if len(records) > len(logs):
        raise SystemExit(f"{len(records)} turns in the run but {len(logs)} instances in {args.split}")
    logs = logs[: len(records)]  # a run with --limit N replays the first N instances
    before = {id(r): r["response"] for r in records}
    changed = recompose(records, passages_of(args.root))
    halves = [half_of(log[0]["text"]) for log in logs]
    rows = []
    for name, part in (
        ("fitting", [r for r, h in zip(records, halves, strict=True) if h == 0]),
        ("checking", [r for r, h in zip(records, halves, strict=True) if h == 1]),
        ("whole", records),
    ):
        found = scores(part)
        rows.append(
            [
                name,
                str(sum(bool(r["labels"]["needs_knowledge"]) for r in part)),
                *(
                    f"{found[k]:.4f}"
                    for k in ("generation/rouge_l", "generation/bleu", "generation/rouge_1", "selection/f1")
                ),
                f"{found['median words']:.0f}",
            ]
        )
    print(f"{changed} replies re-composed")
    print_table(
        "entity replies re-composed",
        ["part", "knowledge turns", "ROUGE-L", "BLEU", "ROUGE-1", "selection F1", "median words"],
        rows,
    )
    shown = [r for r in records if r["labels"]["needs_knowledge"] and r["response"] != before[id(r)]]
    for record in shown[: args.show]:
        print(f"\nQ: {record['query']}\nREF: {record['labels']['reference']}\nWAS: {before[id(record)]}")
        print(f"NOW: {record['response']}")


if __name__ == "__main__":
    main()
