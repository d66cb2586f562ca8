"""MLflow: log an evaluation run, run a sweep of configurations as nested runs, compare runs.

Every run records the whole effective configuration as params, so two runs can always be told
apart by what was configured rather than by what someone remembers. Metric names keep their
readable form in metrics.json; MLflow forbids `@`, so `retrieval/recall@5` is logged as
`retrieval/recall_at_5` (`mlflow_metric_name`), the same way everywhere.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import re
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from app.errors import InputError
from eval import stats
from eval.config import check_keys, with_overrides
from eval.gate import lower_is_better
from eval.metrics import mlflow_safe_name
from eval.samples import align

if TYPE_CHECKING:
    import mlflow as mlflow_module
    import pandas as pd

    from app.settings import Settings
    from eval.runner import EvaluationResult

logger = logging.getLogger(__name__)

TABLE_FILE = "turns_table.json"
PREFERRED_METRICS = ("selection/f1", "retrieval/recall@5", "retrieval/mrr@10", "detection/f1", "tasks/pass^1")


def mlflow_metric_name(name: str) -> str:
    """`retrieval/recall@5` → `retrieval/recall_at_5`, `tasks/pass^2` → `tasks/pass_hat_2`.

    Uses the metrics package's own spelling (`mlflow_safe_name`); any other character MLflow
    rejects becomes `_`.
    """
    return re.sub(r"[^/\w.\- :]", "_", mlflow_safe_name(name))


def configure_mlflow(settings: Settings) -> mlflow_module:
    """Point MLflow at the configured store and experiment, telemetry off, agent spans recorded."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    os.environ["MLFLOW_USE_DEFAULT_TRACER_PROVIDER"] = "false"
    import mlflow

    mlflow.set_tracking_uri(settings.resolved_mlflow_uri)
    if mlflow.get_experiment_by_name(settings.mlflow_experiment) is None:
        artifacts = (Path(settings.data_dir) / "mlartifacts").resolve()
        mlflow.create_experiment(settings.mlflow_experiment, artifact_location=artifacts.as_uri())
    mlflow.set_experiment(settings.mlflow_experiment)
    mlflow.tracing.enable()  # MLflow's span processors on the global provider: agent spans become traces
    return mlflow


def git_commit(cwd: Path | None = None) -> str | None:
    """The commit of the working tree being evaluated, when it is a git checkout."""
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=cwd or Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout.strip() or None


@contextlib.contextmanager
def start_run(settings: Settings, *, run_name: str | None = None, nested: bool = False) -> Iterator[Any]:
    """An MLflow run in the configured experiment (nested under the active one when asked)."""
    mlflow = configure_mlflow(settings)
    with mlflow.start_run(run_name=run_name, nested=nested) as run:
        yield run


def log_evaluation(result: EvaluationResult, *, extra_params: Mapping[str, Any] | None = None) -> str:
    """Log params, metrics, the turn table, tags and the output files into the active run."""
    import mlflow

    run = mlflow.active_run()
    if run is None:  # pragma: no cover - a programming error
        raise RuntimeError("log_evaluation needs an active MLflow run")
    params = {key: _param_value(value) for key, value in result.settings.masked().items()}
    params.update({f"eval.{key}": _param_value(value) for key, value in (extra_params or {}).items()})
    mlflow.log_params(params)
    mlflow.log_metrics({mlflow_metric_name(name): value for name, value in result.metrics.items()})
    mlflow.log_metrics(interval_metrics(result.intervals))
    mlflow.set_tags(_tags(result))
    mlflow.log_table(data=turn_table(result), artifact_file=TABLE_FILE)
    for path in result.paths.values():
        mlflow.log_artifact(str(path))
    return run.info.run_id


def interval_metrics(intervals: Mapping[str, Any]) -> dict[str, float]:
    """`retrieval/recall_at_5/ci_low`, `…/ci_high` and `…/n` for each metric with an interval."""
    logged: dict[str, float] = {}
    for name, interval in intervals.items():
        if interval.method == "none":
            continue
        base = mlflow_metric_name(name)
        logged.update(
            {f"{base}/ci_low": interval.low, f"{base}/ci_high": interval.high, f"{base}/n": interval.n}
        )
    return logged


def _param_value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text[:6000]


def _tags(result: EvaluationResult) -> dict[str, str]:
    tags = {
        "dataset.spec": result.dataset.spec,
        "dataset.name": result.dataset.name,
        "dataset.fingerprint": result.dataset.fingerprint,
        "dataset.dialogues": str(len(result.dataset.dialogues)),
    }
    if result.samples is not None:
        for key in ("scorer_version", "config_fingerprint", "deterministic"):
            tags[f"eval.{key}"] = str(result.samples.meta.get(key))
    if (commit := git_commit()) is not None:
        tags["mlflow.source.git.commit"] = commit
        tags["git_commit"] = commit
    return tags


def turn_table(result: EvaluationResult) -> dict[str, list[Any]]:
    """Columns for `mlflow.log_table`: flat values only (lists and dicts as JSON text)."""
    rows = [record.to_row() for record in result.records]
    score_names = sorted({name for record in result.records for name in record.scores})
    table: dict[str, list[Any]] = {}
    for column in (
        "dialogue_id",
        "turn_index",
        "repeat",
        "query",
        "response",
        "retrieved_doc_ids",
        "selected_doc_ids",
        "tool_calls",
        "citations",
        "searched",
        "escalated",
        "latency_ms",
        "error",
    ):
        table[column] = [_flat(row[column]) for row in rows]
    table["gold_doc_ids"] = [json.dumps(record.labels.gold_doc_ids) for record in result.records]
    for name in score_names:
        table[f"score/{name}"] = [record.scores.get(name) for record in result.records]
    return table


def _flat(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, list | dict) else value


# --- sweep ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepSpec:
    """A grid file: which dataset, fixed overrides, and the lists of values to combine."""

    dataset: str
    split: str | None
    limit: int | None
    grid: dict[str, list[Any]]
    base: dict[str, Any]
    metric: str | None

    def combinations(self) -> list[dict[str, Any]]:
        names = list(self.grid)
        return [dict(zip(names, values, strict=True)) for values in itertools.product(*self.grid.values())]


def read_sweep_spec(path: str | Path) -> SweepSpec:
    """Parse and check a grid file (YAML) before any run starts, so a typo fails in a second."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: grid file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or "dataset" not in data or not isinstance(data.get("grid"), dict):
        raise InputError(
            f"{path}: expected keys 'dataset' and 'grid' (a mapping of setting → list of values)"
        )
    unknown = set(data) - {"dataset", "split", "limit", "grid", "base", "metric"}
    if unknown:
        raise InputError(
            f"{path}: unknown key(s) {sorted(unknown)}; allowed: dataset, split, limit, grid, base, metric"
        )
    grid = {key: value if isinstance(value, list) else [value] for key, value in data["grid"].items()}
    if not grid or any(not values for values in grid.values()):
        raise InputError(f"{path}: every grid entry needs at least one value")
    check_keys(grid, origin=f"{path} grid")
    base = check_keys(data.get("base") or {}, origin=f"{path} base")
    return SweepSpec(
        str(data["dataset"]), data.get("split"), data.get("limit"), grid, base, data.get("metric")
    )


def run_sweep(
    spec: SweepSpec, settings: Settings, output: Path, *, repeats: int = 1, progress: bool = True
) -> list[dict[str, Any]]:
    """Evaluate every combination as a nested run under one parent; returns rows ranked best first.

    Each row also holds its interval on the ranking metric and its paired difference from the
    default configuration (the settings plus `base`, without grid overrides; evaluated as an extra
    run when no combination equals it), marked significantly better or worse after Holm's
    correction across the combinations.
    """
    combos = spec.combinations()
    default = _default_index(spec, settings, combos)
    if default is None:
        combos, default = [{}, *combos], 0
    rows: list[dict[str, Any]] = []
    results: list[Any] = []
    with start_run(settings, run_name=f"sweep-{output.name}") as parent:
        import mlflow

        mlflow.set_tags({"sweep": "parent", "dataset.spec": spec.dataset})
        mlflow.log_params(
            {
                "sweep.grid": json.dumps(spec.grid),
                "sweep.base": json.dumps(spec.base),
                "sweep.combinations": len(combos),
            }
        )
        for index, combo in enumerate(combos, start=1):
            name = f"{index:02d}-" + ("-".join(f"{key}={value}" for key, value in combo.items()) or "default")
            result, run_id = _sweep_run(spec, settings, combo, name, output, repeats, progress)
            mlflow.set_tag("sweep.parent", parent.info.run_id)
            effective = {key: getattr(result.settings, key) for key in spec.grid}
            rows.append({"run": name, "run_id": run_id, **effective, **result.metrics})
            results.append(result)
        metric = choose_metric(spec.metric, rows)
        significance_columns(rows, results, metric, default)
        ranked = rank_rows(rows, metric)
        columns = [*spec.grid, metric, *SIGNIFICANCE_COLUMNS, *_headline(rows, exclude=metric)]
        note = (
            f"Δ: paired difference from the default configuration ({rows[default]['run']}) over the "
            f"dialogues, {stats.LEVEL:.0%} bootstrap interval; ▲/▼: significantly better/worse after Holm's "
            "correction across the configurations (α = 0.05)."
        )
        (output / "sweep.md").write_text(
            f"# Sweep ranked by {metric}\n\n{format_table(ranked, columns)}\n\n{note}\n", encoding="utf-8"
        )
        mlflow.log_artifact(str(output / "sweep.md"))
        if ranked and isinstance(ranked[0].get(metric), int | float):
            mlflow.log_metric(mlflow_metric_name(f"best/{metric}"), ranked[0][metric])
    return ranked


def _sweep_run(
    spec: SweepSpec,
    settings: Settings,
    combo: Mapping[str, Any],
    name: str,
    output: Path,
    repeats: int,
    progress: bool,
) -> tuple[Any, str]:
    """One combination as a nested MLflow run: (evaluation result, run id)."""
    from eval.datasets.loader import load_dataset
    from eval.runner import evaluate

    run_settings = with_overrides(settings, {**spec.base, **combo})
    dataset = load_dataset(spec.dataset, settings=run_settings, split=spec.split, limit=spec.limit)
    with start_run(run_settings, run_name=name, nested=True):
        result = evaluate(dataset, run_settings, output / _slug(name), repeats=repeats, progress=progress)
        run_id = log_evaluation(
            result,
            extra_params={
                "dataset": spec.dataset,
                "split": spec.split,
                "limit": spec.limit,
                "repeats": repeats,
            },
        )
    return result, run_id


def _default_index(spec: SweepSpec, settings: Settings, combos: Sequence[Mapping[str, Any]]) -> int | None:
    """The combination that leaves every grid setting at its default (settings plus base), if any."""
    defaults = with_overrides(settings, spec.base)
    for index, combo in enumerate(combos):
        if all(
            getattr(with_overrides(settings, {**spec.base, **combo}), k) == getattr(defaults, k)
            for k in combo
        ):
            return index
    return None


SIGNIFICANCE_COLUMNS = ("95% CI", "Δ vs default", "Δ 95% CI", "Holm p", "vs default")


def significance_columns(
    rows: list[dict[str, Any]], results: Sequence[Any], metric: str, default: int
) -> None:
    """Fill each row's interval and its paired comparison with the default row (Holm across rows)."""
    reference = results[default].samples
    found: dict[int, stats.PairedResult] = {}
    for index, result in enumerate(results):
        interval = result.intervals.get(metric)
        rows[index]["95% CI"] = _interval_text(interval.low, interval.high) if interval else "n/a"
        estimator = reference.estimators.get(metric) if reference is not None else None
        if index == default or estimator is None or result.samples is None:
            continue
        left, right, _, _ = align(reference, result.samples)
        if left.units:
            found[index] = stats.paired(left, right, {metric: estimator})[metric]
    adjusted = stats.holm({str(index): paired.p_value for index, paired in found.items()})
    rows[default]["vs default"] = "(default)"
    for index, paired in found.items():
        p = adjusted[str(index)]
        improved = paired.delta < 0 if lower_is_better(metric) else paired.delta > 0
        mark = ("▲ better" if improved else "▼ worse") if p < 0.05 and paired.delta != 0 else ""
        rows[index].update(
            {
                "Δ vs default": f"{paired.delta:+.4f}",
                "Δ 95% CI": _interval_text(paired.low, paired.high),
                "Holm p": f"{p:.3f}",
                "vs default": mark,
            }
        )


def _interval_text(low: float, high: float) -> str:
    return f"[{low:.4f}, {high:.4f}]"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", text)[:120]


def _headline(rows: Sequence[Mapping[str, Any]], *, exclude: str, count: int = 3) -> list[str]:
    names = [name for name in PREFERRED_METRICS if name != exclude and any(name in row for row in rows)]
    return [*names, "latency/p95_ms"][:count]


def choose_metric(requested: str | None, rows: Sequence[Mapping[str, Any]]) -> str:
    """The metric to rank on: the one asked for, else the first preferred one the runs have."""
    if requested:
        return requested
    for name in PREFERRED_METRICS:
        if any(
            isinstance(row.get(key), int | float) for row in rows for key in (name, mlflow_metric_name(name))
        ):
            return name
    metric_names = sorted({key for row in rows for key in row if "/" in key})
    if not metric_names:
        raise InputError("no metrics to rank on")
    return metric_names[0]


def rank_rows(rows: Sequence[Mapping[str, Any]], metric: str) -> list[dict[str, Any]]:
    """Best first; rows without the metric go last. Latency-like metrics rank low-to-high."""
    reverse = not lower_is_better(metric)

    def key(row: Mapping[str, Any]) -> tuple[int, float]:
        value = row.get(metric)
        if not isinstance(value, int | float) or value != value:
            return (1, 0.0)
        return (0, -value if reverse else value)

    return [dict(row) for row in sorted(rows, key=key)]


def format_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """A markdown table (readable in a terminal and in MLflow's artifact viewer)."""
    columns = ["rank", "run", *dict.fromkeys(column for column in columns if column not in ("rank", "run"))]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for rank, row in enumerate(rows, start=1):
        cells = [str(rank)] + [_cell(row.get(column)) for column in columns[1:]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    return f"{value:.4f}" if isinstance(value, float) else str(value)


# --- compare ----------------------------------------------------------------------------------


def load_runs(settings: Settings, experiment: str | None = None) -> pd.DataFrame:
    """All finished evaluation runs of the experiment (sweep parents left out), newest first."""
    mlflow = configure_mlflow(settings)
    name = experiment or settings.mlflow_experiment
    if mlflow.get_experiment_by_name(name) is None:
        raise InputError(f"MLflow experiment {name!r} not found at {settings.resolved_mlflow_uri}")
    runs = mlflow.search_runs(experiment_names=[name], order_by=["start_time DESC"])
    if "tags.sweep" in runs.columns:
        runs = runs[runs["tags.sweep"] != "parent"]
    return runs


def compare_runs(
    runs: pd.DataFrame, metric: str | None, *, limit: int = 20
) -> tuple[str, list[dict[str, Any]]]:
    """Rank runs on `metric` (original or MLflow spelling); returns the metric's name and the rows."""
    rows = [_run_row(run) for _, run in runs.iterrows()]
    if not rows:
        raise InputError("no runs to compare yet: run `python -m eval run ...` first")
    metric = choose_metric(metric, rows) if metric is None else metric
    wanted = mlflow_metric_name(metric)
    for row in rows:
        row[metric] = row.get(wanted)
    if all(row[metric] is None for row in rows):
        known = sorted({key for row in rows for key in row if "/" in key})
        raise InputError(f"no run has metric {metric!r}; known: {', '.join(known[:30])}")
    return metric, rank_rows(rows, metric)[:limit]


def _run_row(run: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "run": run.get("tags.mlflow.runName") or run["run_id"][:8],
        "run_id": run["run_id"],
        "dataset": run.get("tags.dataset.name"),
        "retrieval_mode": run.get("params.retrieval_mode"),
        "top_k": run.get("params.top_k"),
        "chunk_size": run.get("params.chunk_size"),
        "embedding_model": run.get("params.embedding_model"),
        "query_strategy": run.get("params.query_strategy"),
    }
    for column, value in run.items():
        if str(column).startswith("metrics.") and value == value:
            row[str(column).removeprefix("metrics.")] = float(value)
    return row


COMPARE_COLUMNS = ("dataset", "retrieval_mode", "top_k", "chunk_size", "embedding_model", "query_strategy")


def write_chart(rows: Sequence[Mapping[str, Any]], metric: str, path: Path) -> Path:
    """A horizontal bar chart of `metric` per run, best on top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [row for row in rows if isinstance(row.get(metric), int | float)]
    labels = [str(row["run"])[:40] for row in shown][::-1]
    values = [float(row[metric]) for row in shown][::-1]
    figure, axis = plt.subplots(figsize=(8, max(2.0, 0.4 * len(shown) + 1)))
    axis.barh(labels, values, color="#4C72B0")
    axis.set_xlabel(metric)
    axis.set_title(f"Runs ranked by {metric}")
    for position, value in enumerate(values):
        axis.text(value, position, f" {value:.3f}", va="center", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path
