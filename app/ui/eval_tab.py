"""The evaluation tab: run the evaluation harness on a dataset and compare MLflow runs.

It calls the harness in-process through `app.evaluation.EvaluationService` (the app never imports
`eval`), exactly what `python -m eval run` does, so a run started here is the same run as on the
command line.
The harness's tqdm bars feed the Gradio progress bar (`track_tqdm`). Heavy imports happen only
when a button is pressed. Starting a run is for signed-in staff only (`StaffAuth.require` on the
shared staff token, checked before any work); comparing past runs is public.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import gradio as gr
import pandas as pd

from app.errors import InputError
from app.evaluation import EvaluationService, load_service
from app.settings import Settings
from app.ui import render
from app.ui.notify import warn
from app.ui.staff_area import staff_section
from app.ui.staff_auth import StaffAuth

logger = logging.getLogger(__name__)

# dev first (the default); then the sets written apart (validation chooses designs, train fits
# models: see datasets/README.md) and the test split, reported once
DATASETS = [
    "datasets/dialogues/dev.jsonl",
    "datasets/dialogues/validation.jsonl",
    "datasets/dialogues/train.jsonl",
    "datasets/dialogues/test.jsonl",
]
METRIC_HEADERS = ["Group", "Metric", "Value", "Baseline (dev)", "Change"]
METRIC_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Retrieval", ("retrieval/", "selection/")),
    ("Routing", ("detection/", "tools/", "escalation/", "tasks/")),
    ("Answers", ("answers/", "generation/", "replies/")),
    ("Latency", ("latency/",)),
)
FAILING_HEADERS = ["Dialogue", "Turn", "Score", "Failed", "Query", "Response"]
COMPARE_COLUMNS = ("run", "dataset", "retrieval_mode", "top_k", "chunk_size", "query_strategy")
MAX_FAILING = 50


def metric_group(name: str) -> str:
    """Which of retrieval, routing, answers, latency (or other) a metric measures."""
    return next((group for group, prefixes in METRIC_GROUPS if name.startswith(prefixes)), "Other")


def metric_rows(
    metrics: dict[str, float], baseline: Mapping[str, float], lower_is_better: Callable[[str], bool]
) -> list[list[Any]]:
    """Metrics grouped, each beside the baseline and the change, marked better or worse.

    Which way is better comes from the harness (`EvaluationOutcome.lower_is_better`): latencies and
    reply lengths improve downwards, every quality metric upwards."""
    order = [group for group, _ in METRIC_GROUPS] + ["Other"]
    rows = []
    for name, value in sorted(
        metrics.items(), key=lambda item: (order.index(metric_group(item[0])), item[0])
    ):
        before = baseline.get(name)
        change = "" if before is None else _change(float(value) - before, lower_is_better(name))
        rows.append([metric_group(name), name, round(float(value), 4), before, change])
    return rows


def _change(delta: float, lower_better: bool) -> str:
    if abs(delta) < 1e-4:
        return "="
    better = (delta < 0) if lower_better else (delta > 0)
    return f"{delta:+.4f} {'▲ better' if better else '▼ worse'}"


def failing_rows(records: list[Any], quality: Any) -> list[list[Any]]:
    """Turns that scored below 1 on some metric (or errored), worst first."""
    failing = sorted((r for r in records if r.error or quality(r) < 1.0), key=quality)[:MAX_FAILING]
    rows = []
    for record in failing:
        missed = record.error or ", ".join(
            f"{name}={value:.2f}" for name, value in sorted(record.scores.items()) if value < 1.0
        )
        rows.append(
            [
                record.dialogue_id,
                record.turn_index,
                round(quality(record), 3),
                missed,
                render.shorten(record.query, 160),
                render.shorten(record.response, 200),
            ]
        )
    return rows


def parse_overrides(text: str, service: EvaluationService) -> dict[str, Any]:
    """`key=value` lines (blank lines and # comments ignored) → validated settings overrides."""
    lines = [line.strip() for line in (text or "").splitlines()]
    return service.parse_overrides([line for line in lines if line and not line.startswith("#")])


def comparison(rows: list[dict[str, Any]], metric: str) -> tuple[list[list[Any]], pd.DataFrame]:
    """The comparison table and the bar chart's data for one metric."""
    table = [[row.get(column) for column in COMPARE_COLUMNS] + [row.get(metric)] for row in rows]
    chart = pd.DataFrame(
        {
            "run": [f"{row['run']} ({str(row.get('run_id', ''))[:6]})" for row in rows],
            "value": [float(row[metric]) if row.get(metric) is not None else 0.0 for row in rows],
        }
    )
    return table, chart


class EvalTab:
    """Handlers that run (staff only) and compare evaluations with the app's settings as the base."""

    def __init__(self, settings: Settings, auth: StaffAuth, service: EvaluationService | None = None) -> None:
        self.settings = settings
        self.auth = auth
        self._service = service

    @property
    def service(self) -> EvaluationService:
        """The harness, imported when first needed (it pulls in ragas and MLflow)."""
        if self._service is None:
            self._service = load_service()
        return self._service

    def run(
        self,
        token: str | None,
        spec: str,
        overrides: str,
        limit: float | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's injection idiom)
    ):
        """Replay the dataset through a fresh desk, score it, log it to MLflow and show the results."""
        try:
            staff = self.auth.require(token)
            return self._run(spec, overrides, limit, progress, staff)
        except Exception as exc:
            message = warn(exc, action="eval.run")
            return f"⚠️ {render.inert(message)}", [], []

    def _run(self, spec: str, overrides: str, limit: float | None, progress: gr.Progress, staff: str):
        if not (spec or "").strip():
            raise InputError("Pick a dataset or type the path of one.")
        overrides_given = parse_overrides(overrides, self.service)
        progress(0, desc="Loading dataset")
        outcome = self.service.run(
            self.settings,
            spec.strip(),
            overrides_given,
            int(limit) if limit else None,
            on_progress=lambda done, total: progress(
                (done, total), desc="Replaying dialogues", unit="dialogues"
            ),
        )
        logger.info(
            "evaluation run from the UI", extra={"dataset": spec, "run_id": outcome.run_id, "staff": staff}
        )
        summary = (
            f"✅ **{render.inert(outcome.dataset)}**: {len(outcome.records)} turns scored in "
            f"{outcome.seconds:.1f}s · MLflow run `{outcome.run_id}` · files in the data folder's "
            f"`{render.inert(outcome.output.relative_to(self.settings.data_dir).as_posix())}`"
        )
        rows = metric_rows(outcome.metrics, outcome.baseline, outcome.lower_is_better)
        return summary, rows, failing_rows(outcome.records, outcome.quality)

    def compare(self, metric: str | None):
        """Rank the experiment's runs on a metric: a table and a bar chart."""
        try:
            chosen, rows = self.service.compare(self.settings, (metric or "").strip() or None)
        except Exception as exc:
            warn(exc, action="eval.compare")
            return gr.skip(), gr.skip(), gr.skip()
        table, chart = comparison(rows, chosen)
        known = sorted({key for row in rows for key in row if "/" in key} | {chosen})
        headers = [*COMPARE_COLUMNS, chosen]
        return (
            gr.update(value=table, headers=headers),
            # from 0: runs that tie still show bars (an axis fitted to equal values has no height)
            gr.update(value=chart, y_title=chosen, y_lim=[0, max([*chart["value"], 0.0]) * 1.1 or 1.0]),
            gr.update(choices=known, value=chosen),
        )


def build_eval_tab(settings: Settings, auth: StaffAuth, token: gr.State) -> None:
    """Lay out the evaluation tab in the current Blocks context and wire its events.

    `token` is the page's staff session (see `app.ui.console`); starting a run needs it.
    """
    handlers = EvalTab(settings, auth)
    gr.Markdown(
        "### Run an evaluation\nReplays the dialogues through the same agent the chat uses, "
        "scores every turn and logs the run to MLflow."
    )
    with staff_section(auth, token, what="run evaluations", elem_id="eval-admin"):
        with gr.Row():
            dataset = gr.Dropdown(
                DATASETS,
                value=DATASETS[0],
                allow_custom_value=True,
                scale=3,
                label="Dataset (JSONL path, dstc:PATH or tau3:PATH)",
                elem_id="eval-dataset",
            )
            limit = gr.Number(
                value=None, precision=0, minimum=1, label="First N dialogues (optional)", scale=1
            )
        overrides = gr.Textbox(
            label="Config overrides, one key=value per line",
            lines=3,
            placeholder="retrieval_mode=bm25\ntop_k=3",
            elem_id="eval-overrides",
        )
        run = gr.Button("Run evaluation", variant="primary", elem_id="eval-run")
        summary = gr.Markdown(elem_id="eval-summary")
        metrics = gr.Dataframe(
            headers=METRIC_HEADERS,
            value=None,
            interactive=False,
            label="Metrics by group, against the dev baseline the quality gate uses",
            elem_id="eval-metrics",
            max_height=520,
        )
        failing = gr.Dataframe(
            headers=FAILING_HEADERS,
            value=None,
            interactive=False,
            wrap=True,
            label="Failing turns (worst first)",
        )
    run.click(handlers.run, [token, dataset, overrides, limit], [summary, metrics, failing])
    gr.Markdown("### Compare runs")
    with gr.Row():
        metric = gr.Dropdown(
            [], value=None, allow_custom_value=True, scale=3, label="Metric (empty: the headline one)"
        )
        compare = gr.Button("Load runs from MLflow", scale=1, elem_id="eval-compare")
    table = gr.Dataframe(headers=[*COMPARE_COLUMNS, "metric"], value=None, interactive=False, label="Runs")
    chart = gr.BarPlot(x="run", y="value", title="Runs by metric", elem_id="eval-chart")
    compare.click(handlers.compare, metric, [table, chart, metric])
