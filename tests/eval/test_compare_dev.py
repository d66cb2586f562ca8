"""`eval compare` and the gate on the dev dialogues, end to end: real agent, real Chroma, real MLflow.

The module ingests the demo knowledge base once (into its own data folder) and replays dev three
times with the offline model: the default configuration, bm25-only with top_k 1 (deliberately
worse) and an identical rerun. The gate's noise handling is checked with a scripted noisy chat
client on the first 30 dev dialogues. (Comparing by MLflow run id is tested on the tiny dataset in
test_cli_end_to_end.py, where the runs are logged anyway.)
"""

from __future__ import annotations

import contextlib
import io
import json
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from app.agent.providers.offline.client import OfflineChatClient, Step
from eval.cli import main
from eval.gate import run_gate, write_baseline

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "datasets" / "dialogues" / "dev.jsonl"
KB = REPO / "datasets" / "knowledge_base"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def run_cli(*args: str) -> tuple[int, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(list(args))
    return code, buffer.getvalue()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dev-compare")


def _settings(root: Path, *extra: str) -> list[str]:
    return ["--set", f"data_dir={root / 'data'}", f"knowledge_dir={KB}", *extra]


def _dev_run(root: Path, name: str, *extra: str) -> Path:
    output = root / name
    args = ["run", "--dataset", str(DEV), "--output", str(output), "--no-progress", "--no-mlflow"]
    code, out = run_cli(*args, *_settings(root, *extra))
    assert code == 0, out
    return output


@pytest.fixture(scope="module")
def default_run(workspace: Path) -> Path:
    return _dev_run(workspace, "default")


@pytest.fixture(scope="module")
def worse_run(workspace: Path, default_run: Path) -> Path:
    return _dev_run(workspace, "bm25-top1", "retrieval_mode=bm25", "top_k=1")


def _rows(markdown: str) -> dict[str, list[str]]:
    rows = {}
    for line in markdown.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 8 and "/" in cells[0]:
            rows[cells[0]] = cells
    return rows


def test_compare_flags_bm25_top1_as_significantly_worse(
    workspace: Path, default_run: Path, worse_run: Path
) -> None:
    chart, markdown_file = workspace / "delta.png", workspace / "compare.md"
    code, out = run_cli(
        "compare", str(default_run), str(worse_run), "--output", str(chart), "--markdown", str(markdown_file)
    )
    assert code == 0, out
    rows = _rows(out)
    assert len(rows) >= 30
    recall = rows["retrieval/recall@5"]
    assert recall[7] == "▼ worse" and float(recall[3]) < -0.2
    low, high = (float(v) for v in recall[4].strip("[]").split(","))
    assert low <= float(recall[3]) <= high < 0
    assert "retrieval_mode: hybrid → bm25; top_k: 5 → 1" in out
    assert "significantly worse" in out and "### Flipped turns" in out
    assert (
        chart.stat().st_size > 5000
        and markdown_file.read_text() == out.rsplit("chart:", 1)[0].rstrip() + "\n"
    )
    summary = json.loads(markdown_file.with_suffix(".json").read_text())
    assert summary["metrics"]["retrieval/recall@5"]["verdict"] == "worse"


def test_an_identical_rerun_is_not_significantly_different(workspace: Path, default_run: Path) -> None:
    rerun = _dev_run(workspace, "rerun")
    code, out = run_cli("compare", str(default_run), str(rerun))
    assert code == 0, out
    rows = _rows(out)
    marked = {name: cells[7] for name, cells in rows.items() if cells[7]}
    assert set(marked) <= {"latency/p50_ms", "latency/p95_ms"}, marked  # only timing may move
    assert rows["retrieval/recall@5"][3] == "+0.0000"
    assert "Flipped dialogues: 0 pass → fail, 0 fail → pass" in out


def test_compare_refuses_other_dialogues_unless_forced(
    workspace: Path, default_run: tuple[Path, str]
) -> None:
    limited = workspace / "limited"
    code, out = run_cli(
        "run", "--dataset", str(DEV), "--limit", "5", "--output", str(limited), "--no-mlflow",
        "--no-progress", *_settings(workspace),
    )  # fmt: skip
    assert code == 0, out
    assert run_cli("compare", str(default_run), str(limited))[0] == 2
    code, out = run_cli("compare", str(default_run), str(limited), "--force")
    assert code == 0 and "⚠️ **WARNING: different" in out and "5 dialogues in both runs" in out


class NoisyChatClient(OfflineChatClient):
    """A scripted stand-in for an LLM, since none can run here: the offline model, except that on a
    seeded random share (`slip`) of the turns where it would call a tool it answers without one."""

    def __init__(self, *, slip: float, seed: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._slip, self._rng = slip, random.Random(seed)

    async def _decide(self, messages: Sequence[Any], options: Mapping[str, Any]) -> Step:
        step = await super()._decide(messages, options)
        if step.calls and self._rng.random() < self._slip:
            return Step(text="Sorry, I can't help with that right now.")
        return step


def _noisy_run(root: Path, name: str, *, slip: float, seed: int) -> Any:
    from eval.config import build_settings
    from eval.datasets.loader import load_dataset
    from eval.runner import evaluate

    settings = build_settings(data_dir=root / "data", knowledge_dir=KB)
    dataset = load_dataset(str(DEV), settings=settings, limit=30)

    def client(kb: Any) -> NoisyChatClient:
        return NoisyChatClient(slip=slip, seed=seed, embedder=kb.cached_embedder, confidence=0.35)

    return evaluate(dataset, settings, root / name, progress=False, chat_client=client)


def test_gate_is_quiet_on_equally_noisy_runs_and_fires_on_a_worse_one(workspace: Path) -> None:
    base = _noisy_run(workspace, "noisy-a", slip=0.2, seed=1)
    again = _noisy_run(workspace, "noisy-b", slip=0.2, seed=2)
    worse = _noisy_run(workspace, "noisy-worse", slip=0.8, seed=3)
    assert base.samples.meta["deterministic"] is False
    assert base.metrics != again.metrics  # the noise is real: the two runs differ
    baseline = write_baseline(
        base.metrics, workspace / "noisy-baseline.json", tolerance=0.02, samples=base.samples
    )
    quiet = run_gate(baseline, again.metrics, samples=again.samples)
    assert quiet.passed, quiet.report
    assert {row.mode for row in quiet.rows} == {"paired"}
    fired = run_gate(baseline, worse.metrics, samples=worse.samples)
    assert not fired.passed
    failed = {row.threshold.name for row in fired.rows if not row.passed}
    assert "detection/recall" in failed, fired.report
