"""Only files uploaded to this server reach a handler: the guard against reading server files.

A Gradio client names its files by server path (`{"path": ..., "meta": {"_type": "gradio.FileData"}}`).
Gradio's own check of that path (`processing_utils._check_allowed`) is skipped while
`blocks.has_launched` is false, which it always is when the app is mounted with
`gr.mount_gradio_app`; and before any handler runs, Gradio *copies* the named file into its cache.
So a handler cannot tell a copied `/etc/hostname` from an upload, and the check sits in two places:

* `FilePathGuard`, ASGI middleware in front of every `/gradio_api/` call: a request that names a
  file outside the upload folder is refused (400) before Gradio reads or copies anything;
* `UploadFolder.check`, called by every handler that reads a file: the resolved path (symlinks
  followed) must be a regular file inside the upload folder, or the person gets an `InputError`.

The upload folder is found the way Gradio finds it (`Blocks.GRADIO_CACHE`, which is
`gradio.utils.get_upload_folder()`: `GRADIO_TEMP_DIR` or `<system temp>/gradio`).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from app.errors import InputError

logger = logging.getLogger(__name__)

API_PREFIX = "/gradio_api/"
UPLOAD_ROUTE = "/gradio_api/upload"
MAX_CALL_BODY_BYTES = 16 * 1024 * 1024  # a Gradio call is JSON: text, chat history, file references

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class UploadFolder:
    """Gradio's upload cache folder (resolved) and the checks on paths claimed to be inside it."""

    root: Path

    @classmethod
    def of(cls, blocks: Any | None = None) -> UploadFolder:
        """The folder `blocks` stores uploads in; without blocks, where Gradio would put them."""
        from gradio.utils import get_upload_folder

        folder = getattr(blocks, "GRADIO_CACHE", None) or get_upload_folder()
        return cls(Path(folder).resolve())

    def resolve(self, path: object) -> Path | None:
        """The real location of `path` when it lies strictly inside the folder, else None."""
        if not isinstance(path, str | os.PathLike) or not str(path).strip():
            return None
        try:
            resolved = Path(path).resolve()
        except (OSError, ValueError, RuntimeError):  # a NUL byte, a symlink loop
            return None
        if resolved == self.root or not resolved.is_relative_to(self.root):
            return None
        return resolved

    def check(self, path: object) -> Path:
        """The resolved path of a file uploaded to this server; InputError for any other path."""
        resolved = self.resolve(path)
        if resolved is None or not resolved.is_file():
            raise InputError(
                f"'{display_name(path)}' was not uploaded through this page; please attach the file again."
            )
        return resolved

    def discard(self, paths: Iterable[object]) -> None:
        """Delete uploaded files the app has stored or refused; paths outside the folder are ignored."""
        for path in paths:
            resolved = self.resolve(path)
            if resolved is None:
                continue
            try:
                resolved.unlink(missing_ok=True)
                if resolved.parent != self.root:
                    resolved.parent.rmdir()  # Gradio keeps each upload in a folder of its own
            except OSError:
                pass  # the folder is not empty, or already gone: the scheduled sweep will get it


def display_name(path: object) -> str:
    """The file's name (never its folder) for a message, cut to a readable length."""
    return PurePath(str(path)).name[-80:] if path else "(no name)"


def uploaded_paths(files: Iterable[Any] | None) -> list[object]:
    """The paths a file input handed to a handler: strings, `FileData`-like dicts or objects."""
    paths = []
    for item in files or []:
        if isinstance(item, dict):
            paths.append(item.get("path"))
        else:
            paths.append(getattr(item, "path", None) or getattr(item, "name", None) or item)
    return paths


def file_references(payload: Any) -> Iterator[object]:
    """The `path` of every file object anywhere in a JSON payload, as Gradio would find them.

    Gradio treats any object with a string `path` as a file (`gradio_client.utils.is_file_obj`);
    this looks at every such object, whatever its `meta` says.
    """
    stack = [payload]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "path" in item and isinstance(item["path"], str):
                yield item["path"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class FilePathGuard:
    """ASGI middleware: refuse any Gradio API call whose payload names a file outside the upload folder.

    It reads the JSON body (at most `max_body_bytes`), checks every file reference with
    `UploadFolder.resolve`, and passes the very same bytes on; uploads themselves
    (`/gradio_api/upload`, multipart) go straight through.
    """

    def __init__(self, app: ASGIApp, folder: UploadFolder, max_body_bytes: int = MAX_CALL_BODY_BYTES) -> None:
        self.app = app
        self.folder = folder
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_gradio_call(scope):
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive, self.max_body_bytes)
        if not complete:
            await json_reply(send, 413, "The request is too large.")
            return
        foreign = self.foreign_paths(body)
        if foreign:
            logger.warning(
                "refused a call naming files outside the upload folder",
                extra={"route": scope.get("path"), "files": [display_name(p) for p in foreign][:5]},
            )
            await json_reply(
                send,
                400,
                "Files must be uploaded to this server first (POST /gradio_api/upload); "
                f"'{display_name(foreign[0])}' was not, and was refused.",
            )
            return
        await self.app(scope, _replay(body, receive), send)

    def foreign_paths(self, body: bytes) -> list[object]:
        """File references in the body that do not lie inside the upload folder."""
        try:
            payload = json.loads(body) if body else None
        except (ValueError, RecursionError):
            return []  # not JSON: Gradio refuses it with its own error, having read no file
        return [path for path in file_references(payload) if self.folder.resolve(path) is None]


def _is_gradio_call(scope: Scope) -> bool:
    if scope.get("type") != "http" or scope.get("method") not in ("POST", "PUT", "PATCH"):
        return False
    path = str(scope.get("path", ""))
    return path.startswith(API_PREFIX) and not path.startswith(UPLOAD_ROUTE)


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The whole request body, or (what was read, False) once it passes `limit` bytes."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), True  # the client went away; the app will see an empty body
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", False
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the body already read, then defers to the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def json_reply(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    """Answer a request directly from middleware with `{"detail": ...}`, as FastAPI does."""
    body = json.dumps({"detail": detail}).encode("utf-8")
    extra = [
        (key.lower().encode("latin-1"), value.encode("latin-1")) for key, value in (headers or {}).items()
    ]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("latin-1")),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
