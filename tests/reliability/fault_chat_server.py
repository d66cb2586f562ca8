"""A misbehaving Chat Completions server on 127.0.0.1: it hangs, answers garbage, or answers well.

`mode` can be changed while it runs, so one test sees the failure and then the recovery. Every
request is counted, and `requested` is set once the first one arrives (a turn is under way).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ANSWER = "Everything is working again."


class FaultyChatServer:
    """Modes: "hang" (sleeps `hang_s` before answering), "garbage" (invalid JSON), "ok"."""

    def __init__(self, mode: str = "ok", *, hang_s: float = 30.0) -> None:
        self.mode = mode
        self.hang_s = hang_s
        self.count = 0
        self.requested = threading.Event()
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> FaultyChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def wait_while_hanging(self) -> None:
        self._stop.wait(self.hang_s)


def completion(text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fault",
        "object": "chat.completion",
        "created": 0,
        "model": "fault-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _handler_for(server: FaultyChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            server.count += 1
            server.requested.set()
            if server.mode == "hang":
                server.wait_while_hanging()
                time.sleep(0.01)
            body = (
                b'{"id": "chatcmpl-x", "choices": [{"mess'
                if server.mode == "garbage"
                else json.dumps(completion(ANSWER)).encode()
            )
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (timeout) or was killed
                pass

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
