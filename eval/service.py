"""The harness behind the app's evaluation tab (`app.evaluation.EvaluationService`).

Exactly what `python -m eval run` and `python -m eval compare` do, in-process: a run started from
the tab is the same run as on the command line, logged to MLflow with `source=ui`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from app.evaluation import EvaluationOutcome
from app.settings import Settings
from eval.config import parse_assignments, with_overrides
from eval.datasets.loader import load_dataset
from eval.report import turn_quality
from eval.runner import evaluate
from eval.tracking import compare_runs, load_runs, log_evaluation, start_run


class HarnessService:
    """`EvaluationService` over the evaluation harness."""

    def parse_overrides(self, assignments: list[str]) -> dict[str, Any]:
        return parse_assignments(assignments)

    def run(
        self, settings: Settings, spec: str, overrides: dict[str, Any], limit: int | None
    ) -> EvaluationOutcome:
        """Replay the dataset through a fresh desk, score it and log it; files under the data folder."""
        run_settings = with_overrides(settings, overrides)
        dataset = load_dataset(spec, settings=run_settings, limit=limit)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        output = Path(settings.data_dir) / "eval-runs" / f"{dataset.name}-{stamp}"
        with start_run(run_settings, run_name=f"ui-{dataset.name}-{stamp}"):
            result = evaluate(dataset, run_settings, output, progress=True)
            run_id = log_evaluation(result, extra_params={"source": "ui"})
        return EvaluationOutcome(
            dataset=dataset.name,
            run_id=run_id,
            output=output,
            seconds=result.seconds,
            metrics=result.metrics,
            records=result.records,
            quality=turn_quality,
        )

    def compare(self, settings: Settings, metric: str | None) -> tuple[str, list[dict[str, Any]]]:
        return compare_runs(load_runs(settings), metric)
