"""`python -m eval` end to end: the real SupportDesk (offline model), real Chroma, real MLflow (SQLite).

One workspace per module: the tiny knowledge base is embedded once, later runs reuse the cached
index, so the whole module stays well inside a minute or two on two cores.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from eval.cli import main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "eval"
TINY = FIXTURES / "tiny.jsonl"

pytestmark = pytest.mark.slow


@dataclass
class Workspace:
    root: Path
    data_dir: Path
    good: Path  # output folder of the first (good-configuration) run
    stdout: str

    def settings_args(self, *extra: str) -> list[str]:
        return ["--set", f"data_dir={self.data_dir}", f"knowledge_dir={FIXTURES / 'kb'}", *extra]


def run_eval(*args: str) -> tuple[int, str]:
    """`eval.cli.main` in this process (the embedding model stays loaded), stdout captured."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(list(args))
    return code, buffer.getvalue()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The first run goes through the real command line in a child process."""
    root = tmp_path_factory.mktemp("eval-e2e")
    data_dir = root / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORT_") and k != "MLFLOW_TRACKING_URI"}
    command = [
        sys.executable,
        "-m",
        "eval",
        "run",
        "--dataset",
        str(TINY),
        "--output",
        str(root / "good"),
        "--run-name",
        "good",
        "--no-progress",
        "--set",
        f"data_dir={data_dir}",
        f"knowledge_dir={FIXTURES / 'kb'}",
    ]
    completed = subprocess.run(
        command, cwd=root, env={**env, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=240
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("SUPPORT_")]:
            patch.delenv(name)
        yield Workspace(root, data_dir, root / "good", completed.stdout)


def test_run_writes_metrics_turns_and_report(workspace: Workspace) -> None:
    metrics = json.loads((workspace.good / "metrics.json").read_text())
    assert metrics["turns/scored"] == 6.0
    for name in (
        "retrieval/recall@5",
        "retrieval/mrr@10",
        "detection/f1",
        "escalation/f1",
        "tools/accuracy",
        "selection/f1",
        "generation/rouge_l",
        "answers/rouge_l",
        "latency/p50_ms",
        "latency/p95_ms",
        "tasks/pass^1",
    ):
        assert name in metrics, name
    assert metrics["retrieval/recall@5"] > 0.8
    assert metrics["escalation/recall"] == 1.0  # the offline agent hands "talk to a human" over

    rows = [json.loads(line) for line in (workspace.good / "turns.jsonl").read_text().splitlines()]
    assert [(r["dialogue_id"], r["turn_index"]) for r in rows][:3] == [
        ("plans-refunds", 0),
        ("delivery", 0),
        ("delivery", 1),
    ]
    first = rows[0]
    assert set(first["retrieved_doc_ids"][:2]) == {"billing/plans", "billing/refunds"}
    assert first["retrieved_chunk_ids"][0].startswith(first["retrieved_doc_ids"][0] + "#")
    assert len(first["retrieved_doc_ids"]) == len(set(first["retrieved_doc_ids"]))
    assert {c["doc_id"] for c in first["citations"]} == set(first["selected_doc_ids"])
    assert first["tool_calls"][0]["name"] == "search_knowledge_base"
    assert first["latency_ms"] > 0 and "retrieval/recall@5" in first["scores"]
    rouge = [r["scores"]["answers/rouge_l"] for r in rows if "answers/rouge_l" in r["scores"]]
    assert rouge and sum(rouge) / len(rouge) == pytest.approx(metrics["answers/rouge_l"], abs=1e-12)
    assert rows[1]["context"][:2] == [
        "I ordered a standing desk yesterday.",
        "Thanks, I can help with your order.",
    ]

    report = (workspace.good / "report.md").read_text()
    assert "| retrieval/recall@5 |" in report and "## Worst turns (of 6)" in report
    assert "## Worst answers by answers/semantic_similarity" in report
    assert "retrieval/recall@5" in workspace.stdout and "MLflow run" in workspace.stdout


def test_run_is_logged_to_mlflow_and_reads_back(workspace: Workspace) -> None:
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{workspace.data_dir / 'mlflow.db'}")
    runs = mlflow.search_runs(
        experiment_names=["support-agent-eval"], filter_string="tags.mlflow.runName = 'good'"
    )
    assert len(runs) == 1
    run = runs.iloc[0]
    metrics = json.loads((workspace.good / "metrics.json").read_text())
    assert run["metrics.retrieval/recall_at_5"] == pytest.approx(metrics["retrieval/recall@5"])
    assert run["metrics.tasks/pass_hat_1"] == pytest.approx(metrics["tasks/pass^1"])
    assert run["params.top_k"] == "5" and run["params.retrieval_mode"] == "hybrid"
    low, high = run["metrics.retrieval/recall_at_5/ci_low"], run["metrics.retrieval/recall_at_5/ci_high"]
    assert low <= metrics["retrieval/recall@5"] <= high and run["metrics.retrieval/recall_at_5/n"] > 0
    assert run["params.chat_provider"] == "offline" and run["params.eval.dataset"] == str(TINY)
    assert len(run["tags.dataset.fingerprint"]) == 16
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(run["run_id"])}
    assert {"metrics.json", "report.md", "turns.jsonl", "turns_table.json"} <= artifacts
    mlflow.set_experiment("support-agent-eval")
    table = mlflow.load_table("turns_table.json", run_ids=[run["run_id"]])
    assert len(table) == 6 and "score/retrieval/recall@5" in table.columns
    assert "score/answers/semantic_similarity" in table.columns
    traces = mlflow.search_traces(run_id=run["run_id"], return_type="list")
    assert len(traces) == 6  # one agent-framework trace per replayed turn
    names = {span.name for trace in traces for span in trace.data.spans}
    assert "execute_tool search_knowledge_base" in names


def test_gate_fails_on_a_worse_configuration_and_passes_on_the_same(workspace: Workspace) -> None:
    baseline = workspace.root / "baseline.json"
    code, out = run_eval(
        "gate",
        "--metrics",
        str(workspace.good / "metrics.json"),
        "--write-baseline",
        str(baseline),
        "--tolerance",
        "0.02",
        "--baseline",
        "unused",
    )
    assert code == 0 and baseline.is_file()

    code, out = run_eval(
        "gate",
        "--baseline",
        str(baseline),
        "--dataset",
        str(TINY),
        "--no-progress",
        "--output",
        str(workspace.root / "worse"),
        *workspace.settings_args("retrieval_mode=bm25", "top_k=1"),
    )
    assert code == 1, out
    assert "GATE FAILED" in out and "strict mode: both runs are deterministic" in out  # any drop fails
    assert "retrieval_mode: hybrid → bm25" in out
    assert "| retrieval/recall@5 | 1.0000 | 0.0200 | any drop |" in out and "**FAIL**" in out

    code, out = run_eval(
        "gate",
        "--baseline",
        str(baseline),
        "--dataset",
        str(TINY),
        "--no-progress",
        "--no-mlflow",
        "--output",
        str(workspace.root / "same"),
        *workspace.settings_args(),
    )
    assert code == 0, out
    assert "GATE PASSED" in out and "**FAIL**" not in out


def test_compare_two_runs_by_mlflow_run_id(workspace: Workspace) -> None:
    """The good run and the gate's worse run (test above) were both logged: pair them by run id."""
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{workspace.data_dir / 'mlflow.db'}")
    runs = mlflow.search_runs(experiment_names=["support-agent-eval"], order_by=["start_time ASC"])
    good = runs[runs["tags.mlflow.runName"] == "good"].iloc[0]["run_id"]
    worse = runs[runs["params.top_k"] == "1"].iloc[0]["run_id"]
    code, out = run_eval("compare", good, worse, "--set", f"data_dir={workspace.data_dir}")
    assert code == 0, out
    assert f"- **A**: `{good}`" in out and "retrieval_mode: hybrid → bm25; top_k: 5 → 1" in out
    assert "| retrieval/recall@5 | 1.0000 |" in out
    code, _ = run_eval("compare", good, "0" * 32, "--set", f"data_dir={workspace.data_dir}")
    assert code == 2  # an unknown run id is a clear error


def test_sweep_runs_each_combination_as_a_nested_run(workspace: Workspace) -> None:
    import mlflow

    grid = workspace.root / "grid.yaml"
    grid.write_text(
        f"dataset: {TINY}\nlimit: 2\nmetric: retrieval/recall@5\n"
        f"base: {{knowledge_dir: {FIXTURES / 'kb'}}}\ngrid:\n  top_k: [1, 3]\n",
        encoding="utf-8",
    )
    code, out = run_eval(
        "sweep",
        "--grid",
        str(grid),
        "--output",
        str(workspace.root / "sweep"),
        "--no-progress",
        "--set",
        f"data_dir={workspace.data_dir}",
    )
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith(("| 1 ", "| 2 ", "| 3 "))]
    assert len(lines) == 3 and "top_k=1" in lines[2]  # ranked: more context finds both documents
    assert "| 5 |" in out and "(default)" in out  # the default top_k (5) was run as the reference
    assert "Δ vs default" in out

    mlflow.set_tracking_uri(f"sqlite:///{workspace.data_dir / 'mlflow.db'}")
    [parent] = mlflow.search_runs(
        experiment_names=["support-agent-eval"], filter_string="tags.sweep = 'parent'", output_format="list"
    )
    children = mlflow.search_runs(
        experiment_names=["support-agent-eval"],
        filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
    )
    assert sorted(children["params.top_k"]) == ["1", "3", "5"]
    assert (workspace.root / "sweep" / "sweep.md").is_file()


def test_compare_ranks_runs_and_draws_a_chart(workspace: Workspace) -> None:
    chart = workspace.root / "chart.png"
    code, out = run_eval(
        "compare",
        "--metric",
        "retrieval/recall@5",
        "--output",
        str(chart),
        "--set",
        f"data_dir={workspace.data_dir}",
    )
    assert code == 0
    assert out.splitlines()[0].startswith("| rank | run |") and "retrieval/recall@5" in out.splitlines()[0]
    assert chart.stat().st_size > 1000
    code, _ = run_eval("compare", "--metric", "no/such", "--set", f"data_dir={workspace.data_dir}")
    assert code == 2


def test_imported_datasets_build_and_reuse_their_own_knowledge_base(workspace: Workspace) -> None:
    out_dir = workspace.root / "dstc"
    args = [
        "run",
        "--dataset",
        f"dstc:{FIXTURES / 'dstc_tiny'}",
        "--split",
        "eval_mini",
        "--no-mlflow",
        "--no-progress",
        "--output",
        str(out_dir),
        "--set",
        f"data_dir={workspace.data_dir}",
    ]
    code, _ = run_eval(*args)
    assert code == 0
    metrics = json.loads((out_dir / "metrics.json").read_text())
    assert {"detection/f1", "selection/f1", "generation/bleu", "retrieval/recall@5"} <= set(metrics)
    assert metrics["tracking/accuracy"] == 1.0  # both knowledge turns name their hotel
    assert "The right entity on 2 of 2 knowledge turns" in (out_dir / "report.md").read_text()
    markers = sorted((workspace.data_dir / "eval-cache").glob("eval-dstc-*.json"))
    assert len(markers) == 1
    built = markers[0].stat().st_mtime
    assert run_eval(*args)[0] == 0
    assert markers[0].stat().st_mtime == built  # cached: not ingested again

    code, _ = run_eval(
        "run",
        "--dataset",
        f"tau3:{FIXTURES / 'tau3_tiny'}",
        "--no-mlflow",
        "--no-progress",
        "--repeat",
        "2",
        "--output",
        str(workspace.root / "tau3"),
        "--set",
        f"data_dir={workspace.data_dir}",
    )
    assert code == 0
    metrics = json.loads((workspace.root / "tau3" / "metrics.json").read_text())
    assert {"escalation/recall", "tasks/pass^1", "tasks/pass^2"} <= set(metrics)
    assert metrics["turns/scored"] == 6.0  # 3 tasks x 2 replays


def test_bad_input_is_a_clear_error_with_status_2(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--dataset", str(TINY), "--output", "x", "--set", "top_k=zero"]) == 2
    assert "top_k" in capsys.readouterr().err
    assert main(["run", "--dataset", "missing.jsonl", "--output", "x", "--no-mlflow"]) == 2
    assert "does not exist" in capsys.readouterr().err
