"""`--dataset beir:PATH`: knowledge-base search scored without the agent, and TREC files that
ir-measures re-scores to the same numbers (real Chroma, real embedder, real BM25)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import ir_measures
import pytest
from ir_measures import AP, RR, P, R, nDCG

from app.errors import InputError
from eval.cli import main
from eval.datasets import beir

pytestmark = pytest.mark.slow

TOPICS = {
    "plans": "Kestrel Club Plus costs 4.99 a month and includes free standard delivery on every order.",
    "premium": "Kestrel Club Premium costs 9.99 a month; it adds next-day delivery and phone support.",
    "returns": "You can return most items within 30 days of delivery for a full refund to the original card.",
    "xmas": "Items bought between 1 November and 24 December can be returned until 31 January.",
    "wifi": "The Beacon Mini speaker only joins 2.4 GHz Wi-Fi networks; 5 GHz networks are not listed.",
    "wifi-max": "The Beacon Max speaker joins both 2.4 GHz and 5 GHz Wi-Fi networks during setup.",
    "reset": "To reset Aura 2 headphones hold the power and volume-down buttons for ten seconds.",
    "battery": "A swollen or bulging battery is a fire risk: stop using the device and contact us at once.",
    "password": "Reset links are valid for 60 minutes and only the most recent link works.",
    "delivery-de": "Deliveries to Germany take three to five working days with DHL.",
    "delivery-fr": "Deliveries to France take four to six working days with Colissimo.",
    "warranty": "Kestrel devices carry a two-year warranty; Premium members get a third year.",
}
QUERIES = {
    "q1": ("how much is the plus membership each month", {"plans": 2, "premium": 1}),
    "q2": ("my speaker can't see my 5ghz wifi", {"wifi": 2, "wifi-max": 1}),
    "q3": ("can I still return a christmas present in january", {"xmas": 2, "returns": 1}),
    "q4": ("battery is puffy and swollen what do I do", {"battery": 1}),
    "q5": ("reset link in email says expired", {"password": 1, "reset": 0}),
    "q6": ("how long does shipping to germany take", {"delivery-de": 2, "delivery-fr": 0}),
    "q7": ("is there a warranty on the headphones", {"warranty": 1}),
    "q8": ("which one works on the faster band", {"wifi-max": 1, "wifi": 0}),
    "q9": ("top tier subscription price and extras", {"premium": 2, "plans": 1, "warranty": 1}),
    "q10": ("an unjudged query is ignored", {}),
}


def write_beir(root: Path) -> Path:
    (root / "qrels").mkdir(parents=True)
    with (root / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for doc_id, text in TOPICS.items():
            handle.write(json.dumps({"_id": doc_id, "title": doc_id.replace("-", " "), "text": text}) + "\n")
    with (root / "queries.jsonl").open("w", encoding="utf-8") as handle:
        for query_id, (text, _) in QUERIES.items():
            handle.write(json.dumps({"_id": query_id, "text": text}) + "\n")
    lines = ["query-id\tcorpus-id\tscore"]
    lines += [f"{q}\t{d}\t{s}" for q, (_, judged) in QUERIES.items() for d, s in judged.items()]
    (root / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def run_cli(*args: str) -> tuple[int, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(list(args))
    return code, buffer.getvalue()


MEASURES = {
    **{f"{name}@{k}": measure @ k for k in (1, 5, 10, 100) for name, measure in
       (("recall", R), ("precision", P), ("ndcg", nDCG), ("mrr", RR))},
    "map": AP,
}  # fmt: skip


def cross_check(metrics: dict[str, float], run_file: Path) -> list[str]:
    """Score the TREC files with ir-measures; every project metric must equal its measure."""
    qrels = list(ir_measures.read_trec_qrels(str(run_file.with_suffix(".qrels"))))
    run = list(ir_measures.read_trec_run(str(run_file)))
    assert {q.query_id for q in qrels} == {f"q{i}" for i in range(1, 10)}
    theirs = ir_measures.calc_aggregate(list(MEASURES.values()), qrels, run)
    rows = []
    for name, measure in MEASURES.items():
        ours = metrics[f"retrieval/{name}"]
        rows.append(f"{name:14s} project {ours:.6f}  ir-measures {theirs[measure]:.6f}")
        assert ours == pytest.approx(theirs[measure], abs=1e-9), name
    return rows


def test_beir_runs_are_scored_like_ir_measures_scores_their_trec_files(tmp_path: Path) -> None:
    folder = write_beir(tmp_path / "tiny-beir")
    data = f"data_dir={tmp_path / 'data'}"
    built = None
    for mode in ("hybrid", "bm25", "dense"):
        out = tmp_path / mode
        code, stdout = run_cli(
            "run", "--dataset", f"beir:{folder}", "--output", str(out), "--no-mlflow", "--no-progress",
            "--trec-run", str(out / "run.trec"), "--set", data, f"retrieval_mode={mode}",
        )  # fmt: skip
        assert code == 0, stdout
        metrics = json.loads((out / "metrics.json").read_text())
        assert metrics["turns/scored"] == 9.0  # q10 has no judgement
        print(f"--- {mode}\n" + "\n".join(cross_check(metrics, out / "run.trec")))
        intervals = json.loads((out / "intervals.json").read_text())["metrics"]
        assert intervals["retrieval/recall@5"]["n"] == 9
        assert "| retrieval/map |" in (out / "report.md").read_text()
        markers = list((tmp_path / "data" / "eval-cache").glob("eval-beir-*.json"))
        assert len(markers) == 1  # one cached index serves every mode (like the other importers')
        built = built or markers[0].stat().st_mtime
        assert markers[0].stat().st_mtime == built
    assert metrics["retrieval/ndcg@1"] < 1  # graded gains make the check non-trivial


def test_bad_beir_folders_are_explained(tmp_path: Path) -> None:
    folder = write_beir(tmp_path / "b")
    with pytest.raises(InputError, match=r"qrels/dev.tsv not found \(splits: test\)"):
        beir.load_dialogues(folder, "dev")
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\tplans\thigh\n")
    with pytest.raises(InputError, match="score 'high' is not an integer"):
        beir.load_dialogues(folder, None)
    (folder / "qrels" / "test.tsv").write_text("q404\tplans\t1\n")
    with pytest.raises(InputError, match=r"missing from queries\.jsonl: q404"):
        beir.load_dialogues(folder, None)
