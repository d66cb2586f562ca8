"""The harness behind the app's evaluation tab (`app.evaluation.EvaluationService`).

Exactly what `python -m eval run` and `python -m eval compare` do, in-process: a run started from
the tab is the same run as on the command line, logged to MLflow with `source=ui`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.errors import InputError
from app.evaluation import EvaluationOutcome
from app.settings import Settings
from eval.config import parse_assignments, with_overrides
from eval.datasets.loader import load_dataset
from eval.gate import lower_is_better, read_baseline
from eval.report import turn_quality
from eval.runner import evaluate
from eval.tracking import compare_runs, load_runs, log_evaluation, start_run

logger = logging.getLogger(__name__)

BASELINE_FILE = "baseline.json"  # beside the help centre: datasets/baseline.json


class HarnessService:
    """`EvaluationService` over the evaluation harness."""

    def parse_overrides(self, assignments: list[str]) -> dict[str, Any]:
        return parse_assignments(assignments)

    def run(
        self,
        settings: Settings,
        spec: str,
        overrides: dict[str, Any],
        limit: int | None,
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> EvaluationOutcome:
        """Replay the dataset through a fresh desk, score it and log it; files under the data folder."""
        run_settings = with_overrides(settings, overrides)
        dataset = load_dataset(spec, settings=run_settings, limit=limit)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        output = Path(settings.data_dir) / "eval-runs" / f"{dataset.name}-{stamp}"
        with start_run(run_settings, run_name=f"ui-{dataset.name}-{stamp}"):
            result = evaluate(
                dataset, run_settings, output, progress=on_progress is None, on_progress=on_progress
            )
            run_id = log_evaluation(result, extra_params={"source": "ui"})
        return EvaluationOutcome(
            dataset=dataset.name,
            run_id=run_id,
            output=output,
            seconds=result.seconds,
            metrics=result.metrics,
            records=result.records,
            quality=turn_quality,
            baseline=self.baseline(settings),
            lower_is_better=lower_is_better,
        )

    def baseline(self, settings: Settings) -> dict[str, float]:
        """The gate's baseline (metric -> value) beside the help centre (datasets/baseline.json), or
        nothing when there is none or it cannot be read (the tab then shows no comparison)."""
        path = Path(settings.knowledge_dir).parent / BASELINE_FILE
        try:
            return {t.name: round(t.value, 4) for t in read_baseline(path)} if path.is_file() else {}
        except InputError:
            logger.warning("baseline unreadable", extra={"path": path.name})
            return {}

    def compare(self, settings: Settings, metric: str | None) -> tuple[str, list[dict[str, Any]]]:
        return compare_runs(load_runs(settings), metric)
