"""The fit of the offline answer's selection constants (scripts/tune_answer_constants.py).

The fit itself replays the dialogues (minutes, not a test); what is checked here is what makes its
result trustworthy to commit: the search keeps only what raises the objective, and the rewrite of
the module changes exactly the constants fitted, in their own kind of literal.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import tune_answer_constants as tune  # noqa: E402

from app.agent.providers.offline import answer_select  # noqa: E402

SOURCE = """RULE_WEIGHTS = {
    "word_overlap": 0.05,
    "entity_conflict": -0.08,
}
RULE_MAX_WORDS = 70
SUPPORT_MARGIN = 0.25  # why it is this
OTHER_SUPPORT_MARGIN = 0.25
"""


def test_rewrite_replaces_each_fitted_constant_in_its_own_literal_kind() -> None:
    changed = tune.rewrite(SOURCE, {"w:word_overlap": 0.075, "RULE_MAX_WORDS": 105.0, "SUPPORT_MARGIN": 0.5})
    assert '"word_overlap": 0.075,' in changed
    assert "RULE_MAX_WORDS = 105\n" in changed
    assert "SUPPORT_MARGIN = 0.5  # why it is this" in changed
    assert "OTHER_SUPPORT_MARGIN = 0.25" in changed  # a longer name that ends the same is not touched
    assert '"entity_conflict": -0.08,' in changed


def test_rewrite_refuses_a_constant_it_cannot_find() -> None:
    with pytest.raises(ValueError, match="NO_SUCH_MARGIN"):
        tune.rewrite(SOURCE, {"NO_SUCH_MARGIN": 1.0})


def test_every_searched_constant_is_written_back_unchanged_at_its_committed_value() -> None:
    source = tune.SELECTION_MODULE.read_text(encoding="utf-8")
    assert tune.rewrite(source, tune.committed(answer_select)) == source


def test_search_keeps_only_changes_that_raise_the_objective() -> None:
    # the objective peaks at a = 2 (2x its start) and does not depend on b
    def objective(config: dict[str, float]) -> float:
        return -((config["a"] - 2.0) ** 2) + 0.0 * config["b"]

    fitted = tune.search({"a": 1.0, "b": 3.0}, objective, log=lambda _: None)
    assert fitted == {"a": 2.0, "b": 3.0}
