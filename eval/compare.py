"""`python -m eval compare A B`: is run B better or worse than run A, metric by metric, beyond noise?

A and B are output folders of `eval run` or MLflow run ids. For every metric both runs have, the
comparison is paired over the dialogues both runs scored: the delta B − A with a paired bootstrap
interval, a paired randomization p-value, and Holm's correction across the metrics (so that among
~40 metrics one does not look "significant" by chance). The dialogues and turns that flipped
between pass and fail are listed with their queries, for reading what changed rather than
trusting a number.

Two runs are only comparable when they scored the same dialogues with the same labels and the
same metric definitions: different dataset fingerprints, scorer versions or dialogue ids are
refused unless `force=True`, and then every output carries a loud warning.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import InputError
from eval import stats
from eval.gate import lower_is_better
from eval.replay import TurnRecord
from eval.report import read_metrics
from eval.samples import SAMPLES_FILE, Samples, align, read_samples
from eval.scoring import turn_passed

if TYPE_CHECKING:
    from app.settings import Settings

logger = logging.getLogger(__name__)

ALPHA = 0.05
RUN_ID = re.compile(r"^[0-9a-f]{32}$")
QUERY_CHARS = 80


@dataclass
class RunFiles:
    """What `compare` reads of one run."""

    label: str
    metrics: dict[str, float]
    samples: Samples
    turns: list[TurnRecord] = field(default_factory=list)


def load_run(reference: str, settings: Settings | None = None) -> RunFiles:
    """An output folder (or its metrics.json), else an MLflow run id (artifacts downloaded)."""
    path = Path(reference)
    if path.is_file() and path.name == "metrics.json":
        path = path.parent
    if path.is_dir():
        return _read_folder(path, label=str(reference))
    if RUN_ID.match(reference) and settings is not None:
        return _read_folder(_download(reference, settings), label=reference)
    raise InputError(f"{reference!r} is neither an output folder of `eval run` nor an MLflow run id")


def _read_folder(folder: Path, *, label: str) -> RunFiles:
    turns_file = folder / "turns.jsonl"
    turns = []
    if turns_file.is_file():
        with turns_file.open(encoding="utf-8") as handle:
            turns = [TurnRecord.from_row(json.loads(line)) for line in handle if line.strip()]
    return RunFiles(label, read_metrics(folder / "metrics.json"), read_samples(folder / SAMPLES_FILE), turns)


def _download(run_id: str, settings: Settings) -> Path:
    from eval.tracking import configure_mlflow

    mlflow = configure_mlflow(settings)
    target = Path(tempfile.mkdtemp(prefix=f"eval-compare-{run_id[:8]}-"))
    try:
        for name in ("metrics.json", SAMPLES_FILE, "turns.jsonl"):
            mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=name, dst_path=str(target))
    except Exception as exc:  # MLflow raises several types for "no such run / artifact"
        raise InputError(f"MLflow run {run_id}: cannot read its artifacts ({exc})") from None
    return target


# --- checks ---------------------------------------------------------------------------------------


def mismatches(a: Samples, b: Samples) -> list[str]:
    """Why two runs are not comparable as they are (empty when they are)."""
    problems = []
    for key, what in (("dataset_fingerprint", "dataset fingerprints"), ("scorer_version", "scorer versions")):
        left, right = a.meta.get(key), b.meta.get(key)
        if left != right:
            problems.append(f"different {what}: {left} vs {right}")
    only_a = sorted(set(a.units) - set(b.units))
    only_b = sorted(set(b.units) - set(a.units))
    if only_a or only_b:
        problems.append(
            f"different dialogue ids: {len(only_a)} only in A ({', '.join(only_a[:3])}), "
            f"{len(only_b)} only in B ({', '.join(only_b[:3])})"
        )
    return problems


def config_changes(a: Samples, b: Samples) -> list[str]:
    """`name: A → B` for every behaviour setting that differs."""
    left, right = a.meta.get("config") or {}, b.meta.get("config") or {}
    return [
        f"{name}: {left.get(name)} → {right.get(name)}"
        for name in sorted(set(left) | set(right))
        if left.get(name) != right.get(name)
    ]


# --- the comparison -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricRow:
    name: str
    result: stats.PairedResult
    holm_p: float

    @property
    def significant(self) -> bool:
        return self.holm_p == self.holm_p and self.holm_p < ALPHA

    @property
    def verdict(self) -> str:
        """`better` / `worse` (after Holm) in the metric's own direction, else ``."""
        if not self.significant or self.result.delta == 0:
            return ""
        improved = (self.result.delta < 0) if lower_is_better(self.name) else (self.result.delta > 0)
        return "better" if improved else "worse"


@dataclass(frozen=True)
class Flip:
    dialogue_id: str
    turn_index: int | None
    before: bool
    query: str
    failed: str


@dataclass
class Comparison:
    a: RunFiles
    b: RunFiles
    rows: list[MetricRow]
    shared: int
    warnings: list[str]
    changes: list[str]
    dialogue_flips: list[Flip]
    turn_flips: list[Flip]
    only_in_one: list[str]


def compare(
    a: RunFiles,
    b: RunFiles,
    *,
    force: bool = False,
    metrics: Sequence[str] | None = None,
    resamples: int = stats.RESAMPLES,
    permutations: int = stats.PERMUTATIONS,
) -> Comparison:
    """Paired comparison of B against A; refuses incomparable runs unless `force`."""
    problems = mismatches(a.samples, b.samples)
    if problems and not force:
        raise InputError(
            "the runs are not comparable: " + "; ".join(problems) + " (use --force to compare anyway)"
        )
    for problem in problems:
        logger.warning("comparing runs that differ", extra={"problem": problem})
    left, right, _, _ = align(a.samples, b.samples)
    if not left.units:
        raise InputError("the runs share no dialogue")
    names = [
        n for n in (metrics or sorted(left.estimators)) if n in left.estimators and n in right.estimators
    ]
    estimators = {name: left.estimators[name] for name in names}
    results = stats.paired(left, right, estimators, resamples=resamples, permutations=permutations)
    adjusted = stats.holm({name: result.p_value for name, result in results.items()})
    rows = [MetricRow(name, results[name], adjusted[name]) for name in names]
    only = sorted(set(a.samples.estimators) ^ set(b.samples.estimators))
    dialogue_flips, turn_flips = flips(a.turns, b.turns, set(left.units))
    return Comparison(
        a,
        b,
        rows,
        len(left.units),
        problems,
        config_changes(a.samples, b.samples),
        dialogue_flips,
        turn_flips,
        only,
    )


def flips(
    before: Sequence[TurnRecord], after: Sequence[TurnRecord], shared: set[str]
) -> tuple[list[Flip], list[Flip]]:
    """Dialogues and turns whose pass/fail changed from A to B (a dialogue passes when all its turns do)."""
    turns_a = {(r.dialogue_id, r.turn_index, r.repeat): r for r in before if r.dialogue_id in shared}
    turns_b = {(r.dialogue_id, r.turn_index, r.repeat): r for r in after if r.dialogue_id in shared}
    turn_flips: list[Flip] = []
    passed_a: dict[str, bool] = {}
    passed_b: dict[str, bool] = {}
    first_failure: dict[str, TurnRecord] = {}
    for key in sorted(turns_a.keys() & turns_b.keys()):
        old, new = turns_a[key], turns_b[key]
        ok_a, ok_b = turn_passed(old), turn_passed(new)
        passed_a[key[0]] = passed_a.get(key[0], True) and ok_a
        passed_b[key[0]] = passed_b.get(key[0], True) and ok_b
        if ok_a != ok_b:
            turn_flips.append(Flip(key[0], key[1], ok_a, new.query, _failures(old if ok_b else new)))
            first_failure.setdefault(key[0], old if ok_b else new)
    dialogue_flips = [
        Flip(
            d,
            None,
            passed_a[d],
            first_failure[d].query if d in first_failure else "",
            _failures_of(d, turn_flips),
        )
        for d in passed_a
        if passed_a[d] != passed_b.get(d, passed_a[d])
    ]
    return dialogue_flips, turn_flips


def _failures(record: TurnRecord) -> str:
    """Which labelled decisions a turn got wrong (or its error)."""
    if record.error:
        return f"error: {record.error}"
    wrong = [
        name.split("/")[0]
        for name in ("detection/correct", "escalation/correct", "tools/correct")
        if record.scores.get(name, 1.0) != 1.0
    ]
    return ", ".join(wrong)


def _failures_of(dialogue_id: str, turn_flips: Sequence[Flip]) -> str:
    turns = [f"turn {flip.turn_index}" for flip in turn_flips if flip.dialogue_id == dialogue_id]
    return ", ".join(turns)


# --- output ---------------------------------------------------------------------------------------


def _number(value: float) -> str:
    if value != value:
        return "n/a"
    if abs(value) >= 100:
        return f"{value:.1f}"
    return f"{value:.4f}"


def _signed(value: float) -> str:
    if value != value:
        return "n/a"
    return f"{value:+.1f}" if abs(value) >= 100 else f"{value:+.4f}"


def _p(value: float) -> str:
    if value != value:
        return "n/a"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


MARKERS = {"better": "▲ better", "worse": "▼ worse", "": ""}


def to_markdown(comparison: Comparison, *, flip_limit: int = 15) -> str:
    """The PR-comment body: header, warnings, the metric table, the flips."""
    c = comparison
    lines = ["## Evaluation: B compared with A", ""]
    for warning in c.warnings:
        lines.append(f"> ⚠️ **WARNING: {warning}.** The comparison was forced; read it with care.")
    if c.warnings:
        lines.append("")
    meta = c.b.samples.meta
    lines += [
        f"- **A**: `{c.a.label}`",
        f"- **B**: `{c.b.label}`",
        f"- **dataset**: {meta.get('dataset', '?')} (fingerprint `{meta.get('dataset_fingerprint', '?')}`), "
        f"{c.shared} dialogues in both runs, scorer version {meta.get('scorer_version', '?')}",
        f"- **configuration changes**: {'; '.join(c.changes) if c.changes else 'none'}",
        "",
        f"| metric | A | B | Δ (B − A) | {stats.LEVEL:.0%} CI | p | Holm p | |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in c.rows:
        r = row.result
        lines.append(
            f"| {row.name} | {_number(r.a)} | {_number(r.b)} | {_signed(r.delta)} | "
            f"[{_signed(r.low)}, {_signed(r.high)}] | {_p(r.p_value)} | {_p(row.holm_p)} | "
            f"{MARKERS[row.verdict]} |"
        )
    better = sum(1 for row in c.rows if row.verdict == "better")
    worse = sum(1 for row in c.rows if row.verdict == "worse")
    lines += [
        "",
        f"**{worse} metric(s) significantly worse, {better} significantly better** (Holm-corrected across "
        f"{len(c.rows)} metrics, α = {ALPHA}). Intervals: paired bootstrap over the shared dialogues; "
        "p: paired randomization test (two-sided).",
    ]
    if c.only_in_one:
        lines += ["", f"Metrics in only one run (not compared): {', '.join(c.only_in_one)}"]
    lines += _flip_section("dialogues", c.dialogue_flips, flip_limit)
    lines += _flip_section("turns", c.turn_flips, flip_limit)
    return "\n".join(lines) + "\n"


def _flip_section(what: str, flipped: Sequence[Flip], limit: int) -> list[str]:
    broke = [flip for flip in flipped if flip.before]
    fixed = [flip for flip in flipped if not flip.before]
    lines = ["", f"### Flipped {what}: {len(broke)} pass → fail, {len(fixed)} fail → pass", ""]
    if not flipped:
        return [*lines, "None."]
    turn_column = "turn" if what == "turns" else "flipped turns"
    lines += [f"| change | dialogue | {turn_column} | query | wrong |", "|---|---|---|---|---|"]
    for flip in [*broke, *fixed][:limit]:
        change = "pass → fail" if flip.before else "fail → pass"
        where = str(flip.turn_index) if flip.turn_index is not None else flip.failed
        wrong = flip.failed if flip.turn_index is not None else ""
        lines.append(f"| {change} | {flip.dialogue_id} | {where} | {_query(flip.query)} | {wrong} |")
    if len(flipped) > limit:
        lines.append(f"| … | {len(flipped) - limit} more | | | |")
    return lines


def _query(text: str) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= QUERY_CHARS else flat[: QUERY_CHARS - 1] + "…"


def write_chart(comparison: Comparison, path: Path) -> Path:
    """Deltas with their intervals, one row per metric on a 0-1 scale (latencies and counts are in
    the table only: their units would flatten every other bar)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [row for row in comparison.rows if _unit_scale(row)][::-1]
    figure, axis = plt.subplots(figsize=(8, max(2.5, 0.28 * len(rows) + 1.2)))
    colours = {"better": "#2a9d55", "worse": "#c0392b", "": "#7f8c8d"}
    for position, row in enumerate(rows):
        r = row.result
        axis.errorbar(
            r.delta,
            position,
            xerr=[[max(r.delta - r.low, 0)], [max(r.high - r.delta, 0)]],
            fmt="o",
            color=colours[row.verdict],
            capsize=3,
        )
    axis.axvline(0, color="black", linewidth=0.8)
    axis.set_yticks(range(len(rows)), [row.name for row in rows], fontsize=7)
    axis.set_xlabel(f"B − A with {stats.LEVEL:.0%} paired bootstrap interval (green/red: significant, Holm)")
    axis.set_title("Metric deltas")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def _unit_scale(row: MetricRow) -> bool:
    return not lower_is_better(row.name) and not row.name.startswith("turns/") and 0 <= row.result.a <= 1


def summary(comparison: Comparison) -> dict[str, Any]:
    """Machine-readable results (written as compare.json beside the Markdown)."""
    return {
        "a": comparison.a.label,
        "b": comparison.b.label,
        "shared_dialogues": comparison.shared,
        "warnings": comparison.warnings,
        "metrics": {
            row.name: {
                "a": row.result.a,
                "b": row.result.b,
                "delta": row.result.delta,
                "low": row.result.low,
                "high": row.result.high,
                "p": row.result.p_value,
                "holm_p": row.holm_p,
                "verdict": row.verdict,
            }
            for row in comparison.rows
        },
    }


def verdicts(comparison: Comparison) -> Mapping[str, str]:
    return {row.name: row.verdict for row in comparison.rows}
