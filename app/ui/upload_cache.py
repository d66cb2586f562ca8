"""Bounding Gradio's upload cache: a per-client hourly quota, and a sweep of old files.

Anyone may POST files to `/gradio_api/upload`, and Gradio keeps them until it shuts down; files of
an earlier run it never deletes. Six anonymous 50 MB uploads were accepted and survived restarts.

* Gradio refuses any single file over `max_file_size`, which the server sets to the attachment limit.
* `UploadQuota` (ASGI middleware on the upload route) lets each client (IP address, as the server
  sees it) upload at most `upload_quota_bytes_per_hour`. The declared Content-Length is charged
  before a byte is read (the HTTP server never reads past it), so a refused upload costs nothing.
* Handlers delete the files they have stored or refused at once (`UploadFolder.discard`);
  `sweep_uploads` deletes whatever is older than `upload_cache_max_age_s`, at start (what an earlier
  run left) and then every `upload_cache_sweep_s`.

The quota lives in one process's memory: behind a load balancer each worker counts its own share.
"""

from __future__ import annotations

import asyncio
import logging
import os
import string
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from app.ui.file_inputs import UPLOAD_ROUTE, ASGIApp, Receive, Scope, Send, json_reply

logger = logging.getLogger(__name__)

WINDOW_S = 3600.0
MAX_CLIENTS = 100_000  # tracked at once; the oldest are forgotten first (bounded memory)
_HEX = frozenset(string.hexdigits)


class UploadQuota:
    """ASGI middleware: at most `bytes_per_window` uploaded per client in any `window_s` seconds."""

    def __init__(
        self,
        app: ASGIApp,
        bytes_per_window: int,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.limit = bytes_per_window
        self.window_s = window_s
        self.clock = clock
        self._spent: dict[str, deque[tuple[float, int]]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_upload(scope):
            await self.app(scope, receive, send)
            return
        size = _content_length(scope)
        if size is None:
            await json_reply(send, 411, "Uploads must declare their size (Content-Length).")
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        wait_s = self.charge(client, size)
        if wait_s is not None:
            logger.warning("upload quota reached", extra={"client": client, "bytes": size})
            minutes = max(1, round(wait_s / 60))
            await json_reply(
                send,
                429,
                f"Upload limit reached ({self.limit // (1024 * 1024)} MB an hour); try again in about "
                f"{minutes} minute{'s' if minutes != 1 else ''}.",
                headers={"Retry-After": str(max(1, round(wait_s)))},
            )
            return
        await self.app(scope, receive, send)

    def charge(self, client: str, size: int) -> float | None:
        """Record `size` bytes for `client`; or, over the quota, the seconds until it would fit."""
        now = self.clock()
        spent = self._spent.pop(client, deque())  # re-inserted last: the dict stays oldest-first
        while spent and spent[0][0] <= now - self.window_s:
            spent.popleft()
        used = sum(size for _, size in spent)
        if used + size > self.limit:
            self._remember(client, spent)
            return self._wait(spent, used + size - self.limit, now)
        spent.append((now, size))
        self._remember(client, spent)
        return None

    def _remember(self, client: str, spent: deque[tuple[float, int]]) -> None:
        if spent:
            self._spent[client] = spent
        while len(self._spent) > MAX_CLIENTS:
            self._spent.pop(next(iter(self._spent)))

    def _wait(self, spent: deque[tuple[float, int]], excess: int, now: float) -> float:
        """Seconds until enough of the client's recorded uploads leave the window."""
        freed = 0
        for when, size in spent:
            freed += size
            if freed >= excess:
                return when + self.window_s - now
        return self.window_s  # one upload larger than the whole quota


def _is_upload(scope: Scope) -> bool:
    return (
        scope.get("type") == "http"
        and scope.get("method") == "POST"
        and str(scope.get("path", "")).startswith(UPLOAD_ROUTE)
    )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


def sweep_uploads(folder: Path, max_age_s: float, *, now: float | None = None) -> int:
    """Delete files in the upload folder not modified for `max_age_s`; return how many.

    Gradio keeps each upload in a folder named by a hex hash; such folders are removed once empty
    and old. Anything else Gradio keeps there (its own named folders) is left alone.
    """
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - max_age_s
    removed = 0
    for directory, _folders, files in os.walk(folder, topdown=False):
        here = Path(directory)
        emptied = sum(_remove_if_old(here / name, cutoff) for name in files)
        removed += emptied
        if here != folder and set(here.name) <= _HEX:
            _remove_dir_if_empty(here, cutoff, emptied=emptied > 0)
    return removed


def _remove_if_old(path: Path, cutoff: float) -> int:
    try:
        if path.lstat().st_mtime < cutoff:
            path.unlink()
            return 1
    except OSError:
        pass  # gone already, or not ours to delete
    return 0


def _remove_dir_if_empty(path: Path, cutoff: float, *, emptied: bool) -> None:
    """Remove an upload's folder once empty: emptied just now, or old (never one being filled)."""
    try:
        if emptied or path.stat().st_mtime < cutoff:
            path.rmdir()  # fails, harmlessly, unless empty
    except OSError:
        pass


async def sweep_periodically(folder: Path, *, max_age_s: float, every_s: float) -> None:
    """Sweep now and then every `every_s` seconds, until cancelled (the server's lifespan)."""
    while True:
        try:
            removed = await asyncio.to_thread(sweep_uploads, folder, max_age_s)
            if removed:
                logger.info("old uploads deleted", extra={"files": removed})
        except Exception:
            logger.exception("upload sweep failed")
        await asyncio.sleep(every_s)
