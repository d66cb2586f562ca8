"""Content-addressed file storage for attachments.

A file is stored under its SHA-256 (`root/ab/abcdef...`), never under the name the user gave it,
so a hostile name such as `../../etc/passwd` cannot choose where bytes land, and the same upload
twice is stored once. Writes go to a temporary file in the target folder and are moved into place
with `os.replace`, so a reader never sees half a file, even if the process dies mid-write.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.errors import InputError, NotFoundError
from app.settings import Settings

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    path: Path
    size: int


class FileStore:
    """Bytes by hash under one root folder."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    @classmethod
    def from_settings(cls, settings: Settings) -> FileStore:
        return cls(settings.attachments_dir)

    def put(self, data: bytes) -> StoredFile:
        """Store the bytes (idempotent: the same bytes always give the same path, written once)."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise InputError(f"file content must be bytes, got {type(data).__name__}.")
        data = bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_for(digest)
        if not (path.exists() and path.stat().st_size == len(data)):
            _write_atomically(path, data)
        return StoredFile(sha256=digest, path=path, size=len(data))

    def path_for(self, sha256: str) -> Path:
        """Where a hash lives; rejects anything that is not a hex digest, so no path can escape."""
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            raise InputError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        """A binary file object for reading; the caller closes it."""
        try:
            return self.path_for(sha256).open("rb")
        except FileNotFoundError:
            raise NotFoundError(f"No stored file with hash {sha256}.") from None

    def read(self, sha256: str) -> bytes:
        with self.open(sha256) as handle:
            return handle.read()


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
