"""Waiting for a freshly started server to report healthy, from outside its process.

Used wherever a server is started as a child process and must be ready before anything talks to
it (the Space check, the browser tests): one loop, so what "ready" means cannot drift apart.
"""

from __future__ import annotations

import subprocess
import time
import urllib.request


def wait_healthy(url: str, process: subprocess.Popen, timeout_s: float, *, every_s: float = 1.0) -> None:
    """Return once `url`/healthz answers 200; RuntimeError when the process exits first or the
    time runs out (a 503 while the models load is waited through, like no answer at all)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(every_s)
    raise RuntimeError(f"/healthz was not green within {timeout_s:.0f} s")
