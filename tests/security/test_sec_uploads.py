"""Finding 4 (medium): the disk filled anonymously through `/gradio_api/upload`.

Six 50 MB files were accepted, stayed in Gradio's cache after the app refused them, and survived
restarts. Reproduced against the real server (1 MiB per file, 4 MiB per client an hour): an
oversized file is refused without a trace, a client past its quota gets 429 while another client
does not, a file the app refuses is deleted, and old files go at start and on a schedule.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import httpx
from gradio_http import arguments, call, file_ref, upload
from sec_limits import MAX_FILE_BYTES, STALE_NAME, UPLOAD_QUOTA_BYTES

from app.ui.upload_cache import UploadQuota, sweep_uploads


def _payload(size: int) -> tuple[bytes, bytes]:
    """`size` bytes of text with a unique marker, and the marker."""
    marker = f"UPLOAD-{uuid.uuid4().hex}".encode()
    return (marker + b"\n" + b"x" * size)[:size], marker


def test_a_file_over_the_attachment_limit_is_refused_and_not_kept(secure_server):
    data, marker = _payload(MAX_FILE_BYTES + 512 * 1024)
    status, detail = upload(secure_server.url, {"big.txt": data}, client_ip="198.51.100.1")
    assert status == 413 and "maximum allowed size" in str(detail)
    assert secure_server.files_containing(marker) == []


def test_each_client_has_an_hourly_upload_quota(secure_server):
    chunk = int(0.9 * 1024 * 1024)
    accepted = []
    for _ in range(UPLOAD_QUOTA_BYTES // chunk):
        data, _ = _payload(chunk)
        status, paths = upload(secure_server.url, {"part.txt": data}, client_ip="198.51.100.2")
        assert status == 200
        accepted += paths
    data, marker = _payload(chunk)
    refused = httpx.post(
        f"{secure_server.url}/gradio_api/upload",
        files=[("files", ("part.txt", data))],
        headers={"x-forwarded-for": "198.51.100.2"},
        timeout=30,
    )
    assert refused.status_code == 429 and "Upload limit reached" in refused.json()["detail"]
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert secure_server.files_containing(marker) == []
    status, _ = upload(secure_server.url, {"other.txt": b"another client"}, client_ip="198.51.100.3")
    assert status == 200


def test_an_upload_must_declare_its_size(secure_server):
    def body():
        yield b"--x\r\n"

    response = httpx.post(
        f"{secure_server.url}/gradio_api/upload",
        content=body(),
        headers={"content-type": "multipart/form-data; boundary=x"},
        timeout=30,
    )
    assert response.status_code == 411


def test_a_file_the_app_refuses_is_deleted_from_the_cache(secure_server, api):
    status, paths = upload(secure_server.url, {"invoice.pdf": b"plain text pretending to be a PDF"})
    assert status == 200 and Path(paths[0]).exists()
    submit = api["/submit"]
    box = {"text": "Here is my invoice.", "files": [file_ref(paths[0])]}

    result = call(secure_server.url, "/submit", arguments(submit, {"multimodaltextbox": box}))

    assert result.completed and result.outputs()[-1] is None  # refused: no turn pending
    assert any("not a valid PDF" in error for error in secure_server.user_errors())
    assert not Path(paths[0]).exists()


def test_old_uploads_are_swept_at_start_and_on_a_schedule(secure_server):
    assert not any(p.name == STALE_NAME for p in secure_server.upload_files())  # left by "an earlier run"
    old = secure_server.upload_dir / ("ab" * 32) / "old.txt"
    fresh = secure_server.upload_dir / ("cd" * 32) / "fresh.txt"
    for path in (old, fresh):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("cached")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    deadline = time.monotonic() + 15
    while old.exists() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not old.exists() and not old.parent.exists()
    assert fresh.exists()


# --- the quota's arithmetic, with a clock the test controls -------------------------------------
def test_quota_window_slides_and_clients_are_apart():
    now = [1000.0]
    quota = UploadQuota(None, bytes_per_window=100, window_s=60, clock=lambda: now[0])
    assert quota.charge("a", 60) is None
    assert quota.charge("b", 100) is None
    now[0] += 30
    assert quota.charge("a", 40) is None
    wait = quota.charge("a", 10)
    assert wait is not None and abs(wait - 30) < 1e-6  # the first 60 bytes leave the window at t=1060
    now[0] += 30.5
    assert quota.charge("a", 10) is None
    assert quota.charge("c", 101) == 60  # larger than the whole quota: never, within one window


def test_sweep_leaves_recent_files_and_gradio_folders(tmp_path):
    root = tmp_path / "uploads"
    keep = root / "vibe_edit_history"
    keep.mkdir(parents=True)
    old = root / ("0f" * 32) / "a.txt"
    old.parent.mkdir()
    old.write_text("a")
    os.utime(old, (1, 1))
    recent = root / ("1e" * 32) / "b.txt"
    recent.parent.mkdir()
    recent.write_text("b")
    assert sweep_uploads(root, max_age_s=60) == 1
    assert not old.parent.exists() and recent.exists() and keep.exists()
