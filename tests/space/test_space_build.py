"""A Hugging Face Space build, simulated: `requirements.txt` alone in a fresh venv, `python app.py`.

Slow (a few minutes the first time: it installs every runtime package into `.space-venv`, reused
while requirements.txt is unchanged). It catches what only a Space would show: a package missing
from requirements.txt, an import that works only from the development install, a start that
never turns healthy, an answer without sources.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def test_a_space_built_from_requirements_txt_answers_with_sources() -> None:
    completed = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "space_check.py"), "--timeout", "600"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1700,
    )
    print(completed.stdout)  # the timing table, shown with -s and in CI logs on failure
    assert completed.returncode == 0, completed.stdout + completed.stderr[-4000:]
    assert "start → first answer" in completed.stdout and "Sources: none" not in completed.stdout
