"""The files an evaluation run leaves behind: metrics.json, turns.jsonl and a readable report.md.

metrics.json is flat (metric name → number) so CI, the gate and MLflow all read the same thing;
turns.jsonl holds one row per scored turn for digging into failures; report.md is what a person
reads first: the numbers, the turns that went worst, then the worst answers.

Two rankings, because the scores are of two kinds: right/wrong decisions (retrieval, routing,
selection: "worst turns") and graded resemblance to a reference answer (`answers/*`, `judge/*`:
"worst answers", by one chosen metric). Averaging the two kinds into one number would let a fluent
answer hide a wrong escalation, and a missed search hide behind a long reference.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.metrics.answers import ANSWERS, JUDGE
from eval.replay import TurnRecord
from eval.samples import SAMPLES_FILE, Samples, write_samples
from eval.stats import LEVEL, RESAMPLES, Interval

INTERVALS_FILE = "intervals.json"

WORST_TURNS = 10
SNIPPET_CHARS = 90
ANSWER_FAMILIES = (ANSWERS, JUDGE)
# The worst answers are ranked on the first of these any turn has (semantic similarity needs an embedder).
ANSWER_RANKING = ("answers/semantic_similarity", "answers/rouge_l")


def write_metrics(path: Path, metrics: Mapping[str, float]) -> None:
    path.write_text(json.dumps(dict(sorted(metrics.items())), indent=2) + "\n", encoding="utf-8")


def read_metrics(path: str | Path) -> dict[str, float]:
    """Load a metrics.json; a missing or malformed file is the caller's input error."""
    from app.errors import InputError

    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: metrics file not found") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict) or not all(isinstance(v, int | float) for v in data.values()):
        raise InputError(f"{path}: expected a flat JSON object of metric name → number")
    return {str(name): float(value) for name, value in data.items()}


def write_intervals(path: Path, intervals: Mapping[str, Interval]) -> None:
    body = {
        "level": LEVEL,
        "resamples": RESAMPLES,
        "unit": "dialogue",
        "metrics": {name: interval.to_json() for name, interval in sorted(intervals.items())},
    }
    path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")


def read_intervals(path: str | Path) -> dict[str, Interval]:
    """intervals.json of a run; {} when the run has none (older runs)."""
    path = Path(path)
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {name: Interval(**values) for name, values in data.get("metrics", {}).items()}


def format_interval(interval: Interval | None) -> str:
    """`[low, high]` as the reports print it; `n/a` for a metric without an interval."""
    if interval is None or interval.method == "none":
        return "n/a"
    return f"[{_format(interval.low)}, {_format(interval.high)}]"


def write_turns(path: Path, records: Sequence[TurnRecord]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record.to_row(), ensure_ascii=False, default=str) + "\n")


def is_answer_score(name: str) -> bool:
    """Whether a per-turn score grades the answer text (ragas) rather than a decision."""
    return name.startswith(ANSWER_FAMILIES)


def decision_scores(record: TurnRecord) -> dict[str, float]:
    """A turn's retrieval, routing and selection scores: everything but the answer scores."""
    return {name: value for name, value in record.scores.items() if not is_answer_score(name)}


def turn_quality(record: TurnRecord) -> float:
    """Mean of a turn's 0..1 decision scores: what the "worst turns" list sorts on (errors rank last)."""
    if record.error:
        return -1.0
    values = [v for v in decision_scores(record).values() if 0.0 <= v <= 1.0 and not math.isnan(v)]
    return sum(values) / len(values) if values else 1.0


def choose_answer_metric(records: Sequence[TurnRecord], requested: str | None = None) -> str | None:
    """The metric the worst answers are ranked on: `requested`, else the first of ANSWER_RANKING present."""
    if requested is not None:
        return requested
    present = {name for record in records for name in record.scores}
    return next((name for name in ANSWER_RANKING if name in present), None)


def worst_answers(records: Sequence[TurnRecord], metric: str) -> list[TurnRecord]:
    """Knowledge turns (and unlabelled ones) that have `metric`, lowest first.

    Turns labelled as not needing knowledge are left out: their references are hand-over or
    small-talk wording, and a poor resemblance there says little about answer quality.
    """
    candidates = [
        record
        for record in records
        if record.error is None and metric in record.scores and record.labels.needs_knowledge is not False
    ]
    return sorted(candidates, key=lambda record: record.scores[metric])


def render_report(
    metrics: Mapping[str, float],
    records: Sequence[TurnRecord],
    *,
    title: str,
    details: Mapping[str, Any] | None = None,
    worst: int = WORST_TURNS,
    answer_metric: str | None = None,
    intervals: Mapping[str, Interval] | None = None,
) -> str:
    """Markdown: run details, the metrics with their intervals, consistency over replays, the
    lowest-scoring turns, then the lowest-scoring answers.

    `answer_metric` picks the per-turn answer score the answers are ranked on (default: see
    `choose_answer_metric`); the section is left out when no turn has an answer score.
    """
    intervals = intervals or {}
    lines = [f"# {title}", ""]
    for key, value in (details or {}).items():
        lines.append(f"- **{key}**: {value}")
    lines += [
        "",
        "## Metrics",
        "",
        f"{LEVEL:.0%} intervals: bootstrap over dialogues (BCa, {RESAMPLES} resamples); "
        "n: dialogues that contribute to the metric.",
        "",
        f"| metric | value | {LEVEL:.0%} CI | n |",
        "|---|---|---|---|",
    ]
    for name, value in sorted(metrics.items()):
        interval = intervals.get(name)
        n = str(interval.n) if interval is not None else ""
        lines.append(f"| {name} | {_format(value)} | {format_interval(interval)} | {n} |")
    lines += tracking_section(records)
    lines += consistency_section(records)
    lines += ["", f"## Worst turns (of {len(records)})", ""]
    lines += _worst_table(records, worst)
    if (metric := choose_answer_metric(records, answer_metric)) is not None:
        lines += _answers_section(records, metric, worst)
    return "\n".join(lines) + "\n"


def tracking_section(records: Sequence[TurnRecord]) -> list[str]:
    """How often search focused on the entity the gold documents name (knowledge bases with entities)."""
    judged = [r for r in records if "tracking/accuracy" in r.scores]
    if not judged:
        return []
    right = sum(1 for r in judged if r.scores["tracking/accuracy"] == 1.0)
    missed = sum(1 for r in judged if r.tracked_entity != r.gold_entity and not r.tracked_entity)
    return [
        "",
        "## Entity tracking",
        "",
        f"The right entity on {right} of {len(judged)} knowledge turns ({right / len(judged):.3f}); "
        f"none tracked on {missed}, another entity on {len(judged) - right - missed}.",
    ]


def pass_counts(records: Sequence[TurnRecord]) -> dict[str, tuple[int, int]]:
    """Dialogue id → (replays it passed, replays): a dialogue passes when every turn passes."""
    from eval.scoring import task_outcomes

    repeats = max((record.repeat for record in records), default=0) + 1
    return {d: (sum(runs), len(runs)) for d, runs in task_outcomes(records, repeats).items()}


def flaky_dialogues(records: Sequence[TurnRecord]) -> dict[str, tuple[int, int]]:
    """The dialogues that passed only sometimes, least reliable first."""
    flaky = {d: c for d, c in pass_counts(records).items() if 0 < c[0] < c[1]}
    return dict(sorted(flaky.items(), key=lambda item: item[1][0] / item[1][1]))


def consistency_section(records: Sequence[TurnRecord]) -> list[str]:
    """With `--repeat k`: how many dialogues always / never / sometimes passed; the flaky ones listed."""
    counts = pass_counts(records)
    repeats = max((replays for _, replays in counts.values()), default=1)
    if repeats < 2:
        return []
    flaky = flaky_dialogues(records)
    always = sum(1 for passed, replays in counts.values() if passed == replays)
    never = sum(1 for passed, _ in counts.values() if passed == 0)
    lines = [
        "",
        f"## Consistency over {repeats} replays",
        "",
        f"{always} dialogue(s) always passed, {never} never, {len(flaky)} flaky (passed sometimes).",
    ]
    if flaky:
        lines += ["", "Flaky dialogues:", "", "| dialogue | passed | pass rate |", "|---|---|---|"]
        lines += [f"| {d} | {p}/{r} | {p / r:.2f} |" for d, (p, r) in flaky.items()]
    lines += ["", "<details><summary>Pass rate of every dialogue</summary>", ""]
    lines += ["| dialogue | passed | pass rate |", "|---|---|---|"]
    lines += [f"| {d} | {p}/{r} | {p / r:.2f} |" for d, (p, r) in sorted(counts.items())]
    return [*lines, "", "</details>"]


def _worst_table(records: Sequence[TurnRecord], worst: int) -> list[str]:
    ranked = sorted(records, key=turn_quality)[:worst]
    if not ranked:
        return ["No turns were scored."]
    lines = ["| dialogue | turn | score | failed | query | response |", "|---|---|---|---|---|---|"]
    for record in ranked:
        failed = record.error or _listing(decision_scores(record), below=1.0)
        cells = [
            record.dialogue_id,
            str(record.turn_index),
            _format(turn_quality(record)),
            _cell(failed),
            _cell(record.query),
            _cell(record.response),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _answers_section(records: Sequence[TurnRecord], metric: str, worst: int) -> list[str]:
    ranked = worst_answers(records, metric)
    lines = ["", f"## Worst answers by {metric} (of {len(ranked)} knowledge turns)", ""]
    if not ranked:
        return [*lines, f"No knowledge turn has {metric}."]
    lines += [
        f"| dialogue | turn | {metric} | other answer scores | query | response | reference |",
        "|---|---|---|---|---|---|---|",
    ]
    for record in ranked[:worst]:
        others = {n: v for n, v in record.scores.items() if is_answer_score(n) and n != metric}
        cells = [
            record.dialogue_id,
            str(record.turn_index),
            _format(record.scores[metric]),
            _cell(_listing(others)),
            _cell(record.query),
            _cell(record.response),
            _cell(record.labels.reference or ""),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _listing(scores: Mapping[str, float], *, below: float = math.inf) -> str:
    """`name=value, …` for the scores under `below`, sorted by name."""
    return ", ".join(f"{n}={_format(v)}" for n, v in sorted(scores.items()) if v < below)


def _cell(text: str) -> str:
    """One table cell: single line, pipes escaped, shortened."""
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1] + "…"


def _format(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1000:
        return f"{value:.0f}"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def write_outputs(
    output: Path,
    metrics: Mapping[str, float],
    records: Sequence[TurnRecord],
    *,
    title: str,
    details: Mapping[str, Any],
    answer_metric: str | None = None,
    samples: Samples | None = None,
    intervals: Mapping[str, Interval] | None = None,
) -> dict[str, Path]:
    """Write the run's files into `output` and return their paths (for logging as artifacts):
    metrics.json, turns.jsonl, report.md, and with samples dialogues.json and intervals.json."""
    output.mkdir(parents=True, exist_ok=True)
    paths = {
        "metrics": output / "metrics.json",
        "turns": output / "turns.jsonl",
        "report": output / "report.md",
    }
    write_metrics(paths["metrics"], metrics)
    write_turns(paths["turns"], records)
    if samples is not None:
        paths["samples"] = output / SAMPLES_FILE
        write_samples(paths["samples"], samples)
    if intervals is not None:
        paths["intervals"] = output / INTERVALS_FILE
        write_intervals(paths["intervals"], intervals)
    paths["report"].write_text(
        render_report(
            metrics, records, title=title, details=details, answer_metric=answer_metric, intervals=intervals
        ),
        encoding="utf-8",
    )
    return paths
