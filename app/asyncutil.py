"""Run a coroutine to completion from synchronous code, wherever that code is called from.

`asyncio.run` refuses to start inside a thread whose event loop is already running (a Jupyter
kernel, a Gradio handler, a test that left a loop running). There the coroutine runs on a fresh
loop in a worker thread instead, and the caller still just gets the result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """The coroutine's result, whether or not this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="run-sync") as pool:
        return pool.submit(asyncio.run, coroutine).result()
