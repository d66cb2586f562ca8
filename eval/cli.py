"""Command line: `python -m eval run|sweep|compare|gate|import`.

Exit status: 0 success, 1 the gate found a regression (or a bug, with a traceback), 2 bad input
or configuration (a `SupportError`, printed without a traceback), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import InputError, SupportError
from app.logs import configure_logging
from app.settings import Settings

if TYPE_CHECKING:
    from eval.runner import EvaluationResult

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USER_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
QUIET_ENVIRONMENT = {
    "RAGAS_DO_NOT_TRACK": "true",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def _settings(args: argparse.Namespace) -> Settings:
    from eval.config import build_settings

    return build_settings(config_file=args.config, assignments=args.set or ())


def _print_metrics(metrics: dict[str, float], intervals: Mapping[str, Any] | None = None) -> None:
    """One line per metric: value, 95 % interval over dialogues and n (dialogues contributing)."""
    from eval.report import format_interval

    intervals = intervals or {}
    width = max((len(name) for name in metrics), default=10)
    for name, value in sorted(metrics.items()):
        interval = intervals.get(name)
        extra = f"  95% CI {format_interval(interval):<22} n={interval.n}" if interval is not None else ""
        print(f"  {name:<{width}}  {value:.4f}{extra}")


def _evaluate(args: argparse.Namespace, settings: Settings, output: Path) -> EvaluationResult:
    """Load the dataset, run it, log it to MLflow (unless --no-mlflow) and return the result."""
    from eval.datasets.loader import load_dataset
    from eval.runner import evaluate

    dataset = load_dataset(args.dataset, settings=settings, split=args.split, limit=args.limit)
    progress = not args.no_progress
    target = _target(args)
    if args.no_mlflow:
        result = evaluate(dataset, settings, output, repeats=args.repeat, progress=progress, target=target)
    else:
        from eval import tracking

        with tracking.start_run(settings, run_name=args.run_name) as run:
            result = evaluate(
                dataset, settings, output, repeats=args.repeat, progress=progress, target=target
            )
            tracking.log_evaluation(
                result,
                extra_params={
                    "dataset": args.dataset,
                    "split": dataset.split,
                    "limit": args.limit,
                    "repeats": args.repeat,
                },
            )
        print(
            f"MLflow run {run.info.run_id} in experiment {settings.mlflow_experiment!r} "
            f"({settings.resolved_mlflow_uri})"
        )
    print(f"{dataset.name}: {len(result.records)} turns in {result.seconds:.1f}s → {output}")
    if args.trec_run:
        from eval.runner import write_trec

        run_file, qrels_file = write_trec(result, args.trec_run)
        print(f"TREC run: {run_file}  qrels: {qrels_file}")
    _print_metrics(result.metrics, result.intervals)
    _print_flaky(result.records)
    return result


def _target(args: argparse.Namespace) -> Any:
    """The running app to replay through (`--target URL`), or None to build the agent here."""
    url = getattr(args, "target", None)
    if not url:
        return None
    from eval.remote import Target

    return Target(url, api_key=os.environ.get("SUPPORT_TARGET_API_KEY") or None)


def _print_flaky(records: Sequence[Any]) -> None:
    from eval.report import flaky_dialogues

    flaky = flaky_dialogues(records)
    if flaky:
        listing = ", ".join(f"{d} ({passed}/{replays})" for d, (passed, replays) in flaky.items())
        print(f"flaky dialogues (passed only sometimes): {listing}")


def cmd_run(args: argparse.Namespace) -> int:
    """Replay a labelled dataset through the agent, score it, write metrics/turns/report, log to MLflow."""
    _evaluate(args, _settings(args), Path(args.output))
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run every combination of a grid of settings as nested MLflow runs and print them ranked."""
    from eval import tracking

    settings = _settings(args)
    spec = tracking.read_sweep_spec(args.grid)
    output = Path(args.output or Path(settings.data_dir) / "sweeps" / time.strftime("%Y%m%d-%H%M%S"))
    rows = tracking.run_sweep(spec, settings, output, repeats=args.repeat, progress=not args.no_progress)
    print((output / "sweep.md").read_text(encoding="utf-8"))
    return EXIT_OK if rows else EXIT_FAILED


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare two runs (folders or MLflow run ids) paired over dialogues; without runs, rank MLflow runs."""
    if args.runs:
        return _compare_two(args)
    from eval import tracking

    settings = _settings(args)
    runs = tracking.load_runs(settings, args.experiment)
    metric, rows = tracking.compare_runs(runs, args.metric, limit=args.limit)
    print(tracking.format_table(rows, [*tracking.COMPARE_COLUMNS, metric]))
    if args.output:
        path = tracking.write_chart(rows, metric, Path(args.output))
        print(f"chart: {path}")
    return EXIT_OK


def _compare_two(args: argparse.Namespace) -> int:
    from eval import compare

    if len(args.runs) != 2:
        raise InputError(f"compare takes two runs (A B), got {len(args.runs)}")
    needs_mlflow = any(not Path(run).exists() for run in args.runs)
    settings = _settings(args) if needs_mlflow else None
    a, b = (compare.load_run(run, settings) for run in args.runs)
    result = compare.compare(a, b, force=args.force, metrics=[args.metric] if args.metric else None)
    for warning in result.warnings:
        print(f"WARNING: {warning.upper()} (compared anyway because of --force)", file=sys.stderr)
    markdown = compare.to_markdown(result)
    print(markdown)
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(markdown, encoding="utf-8")
        Path(args.markdown).with_suffix(".json").write_text(
            json.dumps(compare.summary(result), indent=2) + "\n", encoding="utf-8"
        )
    if args.output:
        print(f"chart: {compare.write_chart(result, Path(args.output))}")
    return EXIT_OK


def cmd_gate(args: argparse.Namespace) -> int:
    """Compare a run with a baseline (paired over dialogues); exit 1 and print the diff on a regression."""
    from eval import gate
    from eval.report import read_metrics
    from eval.samples import SAMPLES_FILE, read_samples

    if bool(args.metrics) == bool(args.dataset):
        raise InputError("gate needs exactly one of --metrics FILE or --dataset SPEC")
    if args.metrics:
        metrics = read_metrics(args.metrics)
        samples_file = Path(args.metrics).parent / SAMPLES_FILE
        samples = read_samples(samples_file) if samples_file.is_file() else None
    else:
        settings = _settings(args)
        output = Path(args.output or Path(settings.data_dir) / "gate" / time.strftime("%Y%m%d-%H%M%S"))
        result = _evaluate(args, settings, output)
        metrics, samples = result.metrics, result.samples
    if args.write_baseline:
        path = gate.write_baseline(metrics, args.write_baseline, tolerance=args.tolerance, samples=samples)
        print(f"baseline written: {path}")
        return EXIT_OK
    result = gate.run_gate(args.baseline, metrics, samples=samples)
    print(result.report)
    _write_gate_reports(args, result)
    return EXIT_OK if result.passed else EXIT_FAILED


def _write_gate_reports(args: argparse.Namespace, result: Any) -> None:
    """JUnit XML (--junit) and the Markdown summary (--summary, else $GITHUB_STEP_SUMMARY, appended)."""
    from eval import gate

    if args.junit:
        Path(args.junit).parent.mkdir(parents=True, exist_ok=True)
        Path(args.junit).write_text(gate.junit_xml(result), encoding="utf-8")
    summary = args.summary or os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(gate.markdown_summary(result))


def cmd_import(args: argparse.Namespace) -> int:
    """Convert dstc:PATH, tau3:PATH or the app's rated answers (feedback:DB) into the own JSONL schema."""
    from eval.datasets.loader import parse_spec
    from eval.datasets.schema import write_jsonl

    if args.spec.startswith("feedback:"):
        dialogues = _feedback_dialogues(args.spec.removeprefix("feedback:"), _settings(args))
        count = write_jsonl(dialogues[: args.limit] if args.limit else dialogues, args.output)
        print(f"wrote {count} rated answers as dialogues to {args.output}")
        return EXIT_OK
    kind, path = parse_spec(args.spec)
    if kind == "jsonl":
        raise InputError(
            f"import expects dstc:PATH or tau3:PATH (or feedback:PATH_OR_URL), got {args.spec!r}"
        )
    if kind == "beir":
        raise InputError(
            "BEIR sets are scored as they are: python -m eval run --dataset beir:PATH --output DIR"
        )
    dialogues = _imported_dialogues(kind, path, args.split)
    count = write_jsonl(dialogues[: args.limit] if args.limit else dialogues, args.output)
    print(f"wrote {count} dialogues to {args.output}")
    return EXIT_OK


def _feedback_dialogues(location: str, settings: Settings) -> list:
    """Rated answers from a database: a data folder, a .db file, a URL, or (empty) the app's own."""
    from eval.datasets import feedback

    return feedback.load_dialogues(location or settings.resolved_database_url)


def _imported_dialogues(kind: str, path: Path, split: str | None) -> list:
    if not path.exists():
        raise InputError(f"{path} does not exist")
    if kind == "dstc":
        from eval.datasets import dstc

        return dstc.load_dialogues(path, split or dstc.default_split(path))
    from eval.datasets import tau3

    return tau3.load_dialogues(tau3.tasks_file(path, split))


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": cmd_run,
    "sweep": cmd_sweep,
    "compare": cmd_compare,
    "gate": cmd_gate,
    "import": cmd_import,
}


def _add_settings_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="YAML/JSON file of Settings overrides")
    parser.add_argument(
        "--set",
        metavar="KEY=VALUE",
        nargs="+",
        action="extend",
        help="override a setting, e.g. --set retrieval_mode=bm25 top_k=3",
    )


def _add_run_options(parser: argparse.ArgumentParser, *, dataset_required: bool) -> None:
    parser.add_argument(
        "--dataset",
        required=dataset_required,
        metavar="SPEC",
        help="FILE.jsonl (scored against knowledge_dir), dstc:PATH, tau3:PATH, or beir:PATH (retrieval only)",
    )
    parser.add_argument(
        "--split", help="DSTC split folder (e.g. val_dev), τ³ tasks_<split>.json, BEIR qrels/<split>.tsv"
    )
    parser.add_argument(
        "--trec-run",
        metavar="FILE",
        help="also write the ranked lists as a TREC run file (and the judgements beside it as FILE.qrels)",
    )
    parser.add_argument("--limit", type=int, help="only the first N dialogues")
    parser.add_argument("--repeat", type=int, default=1, metavar="K", help="replay K times, report pass^k")
    parser.add_argument("--run-name", help="MLflow run name")
    parser.add_argument("--no-mlflow", action="store_true", help="do not log to MLflow")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    _add_settings_options(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval", description="Evaluate the support agent.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log INFO events to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str) -> argparse.ArgumentParser:
        summary = (COMMANDS[name].__doc__ or "").strip()
        return commands.add_parser(name, help=summary, description=summary)

    run = add("run")
    _add_run_options(run, dataset_required=True)
    run.add_argument(
        "--output", required=True, metavar="DIR", help="folder for metrics.json, turns.jsonl, report.md"
    )
    run.add_argument(
        "--target",
        metavar="URL",
        help="replay through a running app's JSON API (a Space, a server with a real LLM) instead of "
        "building the agent here; its API key, if any, from $SUPPORT_TARGET_API_KEY (seeds context)",
    )

    sweep = add("sweep")
    sweep.add_argument(
        "--grid",
        required=True,
        metavar="FILE",
        help="YAML: dataset, split, limit, metric, base: {...}, grid: {setting: [values]}",
    )
    sweep.add_argument("--output", metavar="DIR", help="folder for each combination's files")
    sweep.add_argument("--repeat", type=int, default=1, metavar="K")
    sweep.add_argument("--no-progress", action="store_true")
    _add_settings_options(sweep)

    compare = add("compare")
    compare.add_argument(
        "runs", nargs="*", metavar="RUN", help="A B: two output folders or MLflow run ids (none: rank runs)"
    )
    compare.add_argument("--force", action="store_true", help="compare runs that are not comparable (warns)")
    compare.add_argument(
        "--markdown", metavar="FILE.md", help="with A B: also write the table here (and .json)"
    )
    compare.add_argument("--experiment", help="MLflow experiment (default: settings.mlflow_experiment)")
    compare.add_argument("--metric", help="metric to rank on (or, with A B, the only one to compare)")
    compare.add_argument("--output", metavar="CHART.png", help="write a chart here")
    compare.add_argument("--limit", type=int, default=20, help="show the best N runs")
    _add_settings_options(compare)

    gate = add("gate")
    gate.add_argument("--baseline", metavar="FILE", help="baseline JSON/YAML (see eval/gate.py)")
    gate.add_argument("--metrics", metavar="FILE", help="metrics.json of a finished run")
    gate.add_argument("--output", metavar="DIR", help="with --dataset: folder for the run's files")
    gate.add_argument("--write-baseline", metavar="FILE", help="write a baseline from the metrics instead")
    gate.add_argument("--tolerance", type=float, default=0.02, help="tolerance for --write-baseline")
    gate.add_argument("--junit", metavar="FILE.xml", help="write JUnit XML, one test case per gated metric")
    gate.add_argument(
        "--summary",
        metavar="FILE.md",
        help="append a Markdown summary (default: $GITHUB_STEP_SUMMARY if set)",
    )
    _add_run_options(gate, dataset_required=False)

    importer = add("import")
    importer.add_argument(
        "spec",
        metavar="SPEC",
        help="dstc:PATH, tau3:PATH, or feedback:PATH_OR_URL (the app's data folder, database file or URL; "
        "empty: the configured database)",
    )
    importer.add_argument("--split", help="DSTC split folder or τ³ tasks_<split>.json")
    importer.add_argument("--limit", type=int, help="only the first N dialogues")
    importer.add_argument("--output", required=True, metavar="FILE.jsonl")
    _add_settings_options(importer)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    args = build_parser().parse_args(argv)
    configure_logging("INFO" if args.verbose else "WARNING", fmt="text")
    if args.command == "gate" and not args.baseline and not args.write_baseline:
        print("error: gate needs --baseline FILE (or --write-baseline FILE)", file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        return COMMANDS[args.command](args)
    except SupportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
