"""`python -m app.knowledge` as a user runs it: a real subprocess, settings from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(tmp_path: Path):
    env = {**os.environ, "SUPPORT_DATA_DIR": str(tmp_path / "data"), "SUPPORT_ENVIRONMENT": "test"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "app.knowledge", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )

    return run


@pytest.mark.slow
def test_ingest_search_stats_remove(cli, corpus_dir: Path) -> None:
    (corpus_dir / "broken.pdf").write_bytes(b"not a pdf")
    ingest = cli("ingest", str(corpus_dir), "--collection", "cli")
    assert ingest.returncode == 0, ingest.stderr
    assert "added 5, updated 0, removed 0, skipped 0" in ingest.stdout
    assert "broken.pdf: could not be read as pdf" in ingest.stderr

    search = cli("--collection", "cli", "search", "reset my password", "--k", "2", "--json")
    assert search.returncode == 0, search.stderr
    hits = [json.loads(line) for line in search.stdout.splitlines()]
    assert len(hits) == 2 and hits[0]["doc_id"] == "account/password" and hits[0]["rank"] == 1

    stats = cli("--collection", "cli", "stats")
    assert json.loads(stats.stdout)["documents"] == 5

    removed = cli("--collection", "cli", "remove", "account/password")
    assert removed.returncode == 0 and "removed account/password" in removed.stdout
    assert cli("--collection", "cli", "remove", "account/password").returncode == 1


def test_user_errors_exit_2_with_a_message(cli, tmp_path: Path) -> None:
    missing = cli("ingest", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: Nothing to ingest") and "Traceback" not in missing.stderr
