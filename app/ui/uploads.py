"""Stage files uploaded to the knowledge tab in a private folder, unpacking .zip archives safely.

A browser upload is untrusted; the file pipeline (`app.files.archives`) unpacks a zip without
writing outside the folder or past the limits. This module decides where the files go and how
much one upload may add in all; knowledge ingestion then reads them (`app.knowledge.loaders`).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from app.errors import InputError
from app.files.archives import UploadLimits, extract_zip, safe_relative_path


def stage_uploads(paths: Sequence[str | Path], destination: Path, limits: UploadLimits) -> list[Path]:
    """Copy uploaded files (unpacking zips) into `destination`; return the files staged there."""
    destination.mkdir(parents=True, exist_ok=True)
    staged: list[Path] = []
    total = 0
    for raw in paths:
        source = Path(raw)
        size = source.stat().st_size
        if source.suffix.lower() == ".zip":
            remaining = UploadLimits(limits.max_file_bytes, limits.max_total_bytes - total, limits.max_files)
            unpacked = extract_zip(source, destination / _stem(source), remaining)
            total += sum(path.stat().st_size for path in unpacked)
            staged.extend(unpacked)
            continue
        if size > limits.max_file_bytes or total + size > limits.max_total_bytes:
            raise InputError(f"{source.name} is too large ({size} bytes; limit {limits.max_file_bytes}).")
        staged.append(_copy_file(source, destination))
        total += size
    if not staged:
        raise InputError("Nothing to add: the upload held no files.")
    return staged


def _stem(path: Path) -> str:
    return (safe_relative_path(path.stem) or Path("archive")).name


def _copy_file(source: Path, destination: Path) -> Path:
    """Copy one plain upload under a cleaned name, never overwriting an earlier one."""
    name = (safe_relative_path(source.name) or Path("upload")).name
    target = destination / name
    counter = 1
    while target.exists():
        target = destination / f"{Path(name).stem}-{counter}{Path(name).suffix}"
        counter += 1
    shutil.copyfile(source, target)
    return target
