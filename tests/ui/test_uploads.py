"""Staging knowledge uploads: zips unpack inside the staging folder and within the size limits."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from app.errors import InputError
from app.ui.uploads import UploadLimits, safe_relative_path, stage_uploads

LIMITS = UploadLimits(max_file_bytes=10_000, max_total_bytes=20_000, max_files=10)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return path


def test_zip_members_stay_inside_the_staging_folder(tmp_path: Path):
    archive = _zip(tmp_path / "kb.zip", {"../../evil.md": b"x", "/abs/root.md": b"y", "docs/ok.md": b"# ok"})
    staged = stage_uploads([archive], tmp_path / "stage", LIMITS)
    stage = (tmp_path / "stage").resolve()
    assert all(path.resolve().is_relative_to(stage) for path in staged)
    assert sorted(path.name for path in staged) == ["evil.md", "ok.md", "root.md"]
    assert not (tmp_path / "evil.md").exists()


def test_zip_bomb_is_stopped_by_the_real_inflated_size(tmp_path: Path):
    archive = _zip(tmp_path / "bomb.zip", {"big.txt": b"0" * 50_000})
    with pytest.raises(InputError, match="too large"):
        stage_uploads([archive], tmp_path / "stage", LIMITS)


def test_symlinks_in_a_zip_are_skipped(tmp_path: Path):
    archive = tmp_path / "links.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        link = zipfile.ZipInfo("link.md")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        bundle.writestr(link, "/etc/passwd")
        bundle.writestr("real.md", "# real")
    staged = stage_uploads([archive], tmp_path / "stage", LIMITS)
    assert [path.name for path in staged] == ["real.md"]


def test_plain_files_are_copied_under_clean_unique_names(tmp_path: Path):
    first = tmp_path / "a" / "FAQ <1>.md"
    second = tmp_path / "b" / "FAQ <1>.md"
    for path in (first, second):
        path.parent.mkdir()
        path.write_text("# faq")
    staged = stage_uploads([first, second], tmp_path / "stage", LIMITS)
    assert [path.name for path in staged] == ["FAQ _1_.md", "FAQ _1_-1.md"]


def test_bad_zip_and_oversized_file_raise_clear_errors(tmp_path: Path):
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a valid zip"):
        stage_uploads([fake], tmp_path / "stage", LIMITS)
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * 10_001)
    with pytest.raises(InputError, match="too large"):
        stage_uploads([big], tmp_path / "stage", LIMITS)


def test_safe_relative_path_drops_traversal_and_drive_parts():
    assert safe_relative_path("..\\..\\C:\\win.ini") == Path("win.ini")
    assert safe_relative_path("../..") is None
