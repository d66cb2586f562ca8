"""Simulate a Hugging Face Space build: a fresh venv from `requirements.txt` alone, then `python app.py`.

A Space clones the repository, installs `requirements.txt` (never `pyproject.toml`) and runs
`python app.py` with `SPACE_ID` set. This script does the same on this machine, so a missing
requirement or an import that only works from the development install fails here, not on the
Space. It then waits for `/healthz`, asks one question through the app's JSON API as a visitor would,
and checks the answer cites the help centre.

    python scripts/space_check.py [--venv .space-venv] [--timeout 600]

The venv is reused while `requirements.txt` is unchanged (a stamp holds its hash), so a second
run measures only the cold start. Prints one table of timings; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as `python scripts/space_check.py`: the app's helpers

from app.probe import wait_healthy  # noqa: E402

QUESTION = "How long does delivery to Ireland take?"


def requirements_hash() -> str:
    return hashlib.sha256((ROOT / "requirements.txt").read_bytes()).hexdigest()


def build_venv(path: Path) -> float:
    """Create the venv and install requirements.txt into it; 0 s when an identical one exists."""
    stamp = path / ".requirements-sha256"
    if stamp.exists() and stamp.read_text() == requirements_hash():
        return 0.0
    started = time.perf_counter()
    venv.create(path, with_pip=True, clear=True)
    pip = [str(path / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(ROOT / "requirements.txt")], check=True)
    stamp.write_text(requirements_hash())
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def space_environment(port: int, data_dir: Path) -> dict[str, str]:
    """What a Space sets, plus offline and private defaults; nothing from the development venv."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    return env | {
        "SPACE_ID": "local/support-agent-check",
        "GRADIO_SERVER_PORT": str(port),
        "SUPPORT_DATA_DIR": str(data_dir),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "DO_NOT_TRACK": "true",
        "ANONYMIZED_TELEMETRY": "False",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "RAGAS_DO_NOT_TRACK": "true",
    }


def _post(url: str, body: dict, token: str | None = None) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def ask(url: str) -> dict:
    """One question through the app's public JSON API, as a visitor: a token, a conversation, a turn."""
    token = _post(f"{url}/api/session", {})["token"]
    conversation = _post(f"{url}/api/conversations", {}, token)["conversation_id"]
    return _post(f"{url}/api/conversations/{conversation}/messages", {"text": QUESTION}, token)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=ROOT / ".space-venv")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for /healthz")
    args = parser.parse_args(argv)
    print(f"installing requirements.txt into {args.venv} …", file=sys.stderr, flush=True)
    install_s = build_venv(args.venv)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        started = time.perf_counter()
        server = subprocess.Popen(
            [str(args.venv / "bin" / "python"), "app.py"],
            cwd=ROOT,
            env=space_environment(port, Path(data_dir)),
            stdout=subprocess.DEVNULL,
            stderr=open(Path(data_dir) / "app.log", "w"),  # noqa: SIM115 - closed with the process
        )
        try:
            try:
                wait_healthy(url, server, args.timeout)
            except RuntimeError as exc:
                raise SystemExit(str(exc)) from exc
            healthy_s = time.perf_counter() - started
            answer = ask(url)
            first_answer_s = time.perf_counter() - started
        except BaseException:
            print((Path(data_dir) / "app.log").read_text()[-4000:], file=sys.stderr)
            raise
        finally:
            server.terminate()
            server.wait(timeout=30)
    print("| step | seconds |\n|---|---|")
    print(f"| install requirements.txt (0 = reused) | {install_s:.1f} |")
    print(f"| start → /healthz green | {healthy_s:.1f} |")
    print(f"| start → first answer | {first_answer_s:.1f} |")
    sources = ", ".join(citation["title"] for citation in answer.get("citations") or [])
    print(f"\nQ: {QUESTION}\nA: {answer.get('text', '')[:600]}\nSources: {sources or 'none'}")
    if not answer.get("text") or not answer.get("citations"):
        print("the answer is empty or cites no source", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
