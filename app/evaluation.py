"""The evaluation harness as the app sees it: a small service interface, found by name on first use.

`eval` imports the app (it replays dialogues through the same desk), so the app never imports
`eval`: the dependency points one way. The evaluation tab still runs the harness in-process; it
asks for it through `EvaluationService`, whose implementation (`eval.service.HarnessService`) is
imported by path when a button is pressed, the way the provider registry finds a chat client. A
test, or an installation without the harness, can hand the tab its own service instead.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from app.settings import Settings

HARNESS = "eval.service:HarnessService"


@dataclass(frozen=True)
class EvaluationOutcome:
    """One finished run, as the tab shows it."""

    dataset: str
    run_id: str
    output: Path  # the run's files
    seconds: float
    metrics: dict[str, float]
    records: Sequence[Any]  # the scored turns (`eval.replay.TurnRecord`)
    quality: Callable[[Any], float]  # a turn's score in [0, 1], to rank the failing ones
    baseline: Mapping[
        str, float
    ]  # the gate's baseline beside the help centre (metric -> value); may be empty
    lower_is_better: Callable[[str], bool]  # which way a metric improves (latencies, reply lengths: down)


class EvaluationService(Protocol):
    """What the evaluation tab needs from the harness."""

    def parse_overrides(self, assignments: list[str]) -> dict[str, Any]:
        """`key=value` assignments → validated settings overrides (InputError/ConfigError if bad)."""
        ...

    def run(
        self,
        settings: Settings,
        spec: str,
        overrides: dict[str, Any],
        limit: int | None,
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> EvaluationOutcome:
        """Replay and score the dataset `spec` with `settings` plus `overrides`; log it to MLflow.
        `on_progress(done, total)` is called after each dialogue."""
        ...

    def compare(self, settings: Settings, metric: str | None) -> tuple[str, list[dict[str, Any]]]:
        """The metric chosen (`metric`, or the headline one) and the logged runs ranked on it."""
        ...


def load_service(path: str = HARNESS) -> EvaluationService:
    """The service at `module:ClassName`, imported now (the harness pulls in ragas and MLflow)."""
    module_name, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module_name), attribute)()
