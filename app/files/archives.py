"""Unpacking a .zip a person uploads, safely: nothing lands outside the folder, nothing grows unbounded.

A browser upload is untrusted: a zip may hold `../../etc/passwd`, absolute paths, symlinks or a
few kilobytes that inflate to gigabytes. Nothing is written outside the destination, every name is
reduced to safe parts, and sizes are checked against the declared *and* the real number of bytes
read (`app.files.limits.inflated_chunks`), so a lying header cannot exhaust the disk.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from app.errors import InputError
from app.files.limits import inflated_chunks

_SAFE_PART = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass(frozen=True)
class UploadLimits:
    """How much one upload may unpack to."""

    max_file_bytes: int
    max_total_bytes: int
    max_files: int = 500


def safe_relative_path(name: str) -> Path | None:
    """A harmless relative path for an archive member, or None when nothing safe is left."""
    parts = []
    for part in PurePosixPath(name.replace("\\", "/")).parts:
        if part in ("", ".", "..", "/") or part.endswith(":"):
            continue
        cleaned = _SAFE_PART.sub("_", part).strip(" .")
        if cleaned:
            parts.append(cleaned[:120])
    return Path(*parts) if parts else None


def extract_zip(archive: Path, destination: Path, limits: UploadLimits) -> list[Path]:
    """Unpack the regular files of `archive` under `destination`; raise InputError on anything unsafe."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [info for info in bundle.infolist() if _is_regular_file(info)]
            if len(members) > limits.max_files:
                count = len(members)
                raise InputError(f"{archive.name} holds {count} files; the limit is {limits.max_files}.")
            budget = limits.max_total_bytes
            written = []
            for info in members:
                target = _member_target(info, destination)
                if target is None:
                    continue
                budget -= _copy_member(bundle, info, target, limits.max_file_bytes, budget)
                written.append(target)
            return written
    except zipfile.BadZipFile as exc:
        raise InputError(f"{archive.name} is not a valid zip archive: {exc}") from None


def _is_regular_file(info: zipfile.ZipInfo) -> bool:
    """Skip folders and symlinks (a symlink could point anywhere on the server)."""
    mode = info.external_attr >> 16
    return not info.is_dir() and not stat.S_ISLNK(mode)


def _member_target(info: zipfile.ZipInfo, destination: Path) -> Path | None:
    """Where a member may be written: always strictly inside `destination`."""
    relative = safe_relative_path(info.filename)
    if relative is None:
        return None
    target = (destination / relative).resolve()
    if not target.is_relative_to(destination.resolve()):
        raise InputError(f"Refusing archive member outside the upload folder: {info.filename!r}")
    return target


def _copy_member(
    bundle: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, max_file: int, budget: int
) -> int:
    """Copy one member, counting the bytes really inflated; return how many were written."""
    limit = min(max_file, budget)
    if info.file_size > limit:
        raise InputError(f"{info.filename!r} is too large ({info.file_size} bytes; limit {limit}).")
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    refusal = f"{info.filename!r} inflates beyond the limit of {limit} bytes."
    with target.open("wb") as sink:
        for chunk in inflated_chunks(bundle, info, limit, refusal):
            written += len(chunk)
            sink.write(chunk)
    return written
