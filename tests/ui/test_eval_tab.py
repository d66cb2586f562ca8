"""The evaluation tab's result table: metrics grouped, beside the baseline, changes marked."""

from __future__ import annotations

import json

from app.settings import load_settings
from app.ui.eval_tab import metric_group, metric_rows
from eval.gate import lower_is_better
from eval.service import HarnessService


def test_metrics_are_grouped_with_baseline_and_change():
    metrics = {"latency/p50_ms": 900.0, "retrieval/recall@5": 0.8, "tools/accuracy": 0.9, "x/y": 1.0}
    baseline = {"latency/p50_ms": 1000.0, "retrieval/recall@5": 0.75, "tools/accuracy": 0.9}
    rows = metric_rows(metrics, baseline, lower_is_better)
    assert [row[0] for row in rows] == ["Retrieval", "Routing", "Latency", "Other"]
    by_name = {row[1]: row for row in rows}
    assert by_name["retrieval/recall@5"][3:] == [0.75, "+0.0500 ▲ better"]
    assert by_name["latency/p50_ms"][4] == "-100.0000 ▲ better"  # lower latency is better
    assert by_name["tools/accuracy"][4] == "="
    assert by_name["x/y"][3:] == [None, ""]
    assert metric_group("generation/rouge_l") == "Answers"


def test_the_baseline_is_read_beside_the_help_centre(tmp_path):
    (tmp_path / "kb").mkdir()
    (tmp_path / "baseline.json").write_text(
        json.dumps({"metrics": {"tools/accuracy": {"value": 0.94163, "tolerance": 0.02}}})
    )
    settings = load_settings(data_dir=tmp_path / "data", knowledge_dir=tmp_path / "kb", environment="test")
    assert HarnessService().baseline(settings) == {"tools/accuracy": 0.9416}
    (tmp_path / "baseline.json").unlink()
    assert HarnessService().baseline(settings) == {}
