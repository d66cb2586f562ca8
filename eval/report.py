"""The files an evaluation run leaves behind: metrics.json, turns.jsonl and a readable report.md.

metrics.json is flat (metric name → number) so CI, the gate and MLflow all read the same thing;
turns.jsonl holds one row per scored turn for digging into failures; report.md is what a person
reads first: the numbers, then the turns that went worst.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.replay import TurnRecord

WORST_TURNS = 10
SNIPPET_CHARS = 90


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


def write_turns(path: Path, records: Sequence[TurnRecord]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record.to_row(), ensure_ascii=False, default=str) + "\n")


def turn_quality(record: TurnRecord) -> float:
    """Mean of a turn's 0..1 scores: the number the "worst turns" list sorts on (errors rank last)."""
    if record.error:
        return -1.0
    values = [value for value in record.scores.values() if 0.0 <= value <= 1.0 and not math.isnan(value)]
    return sum(values) / len(values) if values else 1.0


def render_report(
    metrics: Mapping[str, float],
    records: Sequence[TurnRecord],
    *,
    title: str,
    details: Mapping[str, Any] | None = None,
    worst: int = WORST_TURNS,
) -> str:
    """Markdown: run details, one table per metric family, then the lowest-scoring turns."""
    lines = [f"# {title}", ""]
    for key, value in (details or {}).items():
        lines.append(f"- **{key}**: {value}")
    lines += ["", "## Metrics", "", "| metric | value |", "|---|---|"]
    lines += [f"| {name} | {_format(value)} |" for name, value in sorted(metrics.items())]
    lines += ["", f"## Worst turns (of {len(records)})", ""]
    lines += _worst_table(records, worst)
    return "\n".join(lines) + "\n"


def _worst_table(records: Sequence[TurnRecord], worst: int) -> list[str]:
    ranked = sorted(records, key=turn_quality)[:worst]
    if not ranked:
        return ["No turns were scored."]
    lines = ["| dialogue | turn | score | failed | query | response |", "|---|---|---|---|---|---|"]
    for record in ranked:
        failed = record.error or ", ".join(
            f"{name}={_format(value)}" for name, value in sorted(record.scores.items()) if value < 1.0
        )
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
) -> dict[str, Path]:
    """Write all three files into `output` and return their paths (for logging as artifacts)."""
    output.mkdir(parents=True, exist_ok=True)
    paths = {
        "metrics": output / "metrics.json",
        "turns": output / "turns.jsonl",
        "report": output / "report.md",
    }
    write_metrics(paths["metrics"], metrics)
    write_turns(paths["turns"], records)
    paths["report"].write_text(
        render_report(metrics, records, title=title, details=details), encoding="utf-8"
    )
    return paths
