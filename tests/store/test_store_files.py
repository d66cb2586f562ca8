"""Attachment bytes by content hash; user-given names never become paths."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.errors import InputError, NotFoundError
from app.store import ConversationRecord, FileStore, Store

HOSTILE_NAMES = [
    "../../etc/passwd",
    "/etc/shadow",
    "..\\..\\boot.ini",
    "a/../../b.txt",
    "CON",
    "<script>.pdf",
    "`rm -rf`.txt",
]


def test_put_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    files = FileStore(tmp_path / "attachments")
    data = b"%PDF-1.4 invoice"
    stored = files.put(data)
    digest = hashlib.sha256(data).hexdigest()
    assert stored.sha256 == digest and stored.size == len(data)
    assert stored.path == tmp_path / "attachments" / digest[:2] / digest
    assert files.read(digest) == data
    modified = stored.path.stat().st_mtime_ns
    assert files.put(data) == stored
    assert stored.path.stat().st_mtime_ns == modified  # not rewritten
    with files.open(digest) as handle:
        assert handle.read() == data
    assert [p.name for p in stored.path.parent.iterdir()] == [digest]  # no temp files left


def test_lookups_reject_anything_but_a_digest(tmp_path: Path) -> None:
    files = FileStore(tmp_path)
    for bad in ("../../etc/passwd", "A" * 64, "abc", ""):
        with pytest.raises(InputError, match="SHA-256"):
            files.path_for(bad)
    with pytest.raises(NotFoundError):
        files.read("0" * 64)
    assert files.exists("0" * 64) is False


def test_attachments_are_stored_by_hash_whatever_their_name(
    tmp_path: Path, store: Store, conversation: ConversationRecord
) -> None:
    root = tmp_path / "attachments"
    files = FileStore(root)
    for index, name in enumerate(HOSTILE_NAMES):
        stored = files.put(f"file {index}".encode())
        record = store.attachments.add(
            conversation_id=conversation.id,
            original_name=name,
            media_type="text/plain",
            size_bytes=stored.size,
            sha256=stored.sha256,
            stored_path=str(stored.path),
            extracted_text=f"file {index}",
        )
        assert record.original_name == name
        assert Path(record.stored_path).resolve().is_relative_to(root.resolve())
        assert Path(record.stored_path).name == stored.sha256
    on_disk = {p.name for p in root.rglob("*") if p.is_file()}
    assert len(on_disk) == len(HOSTILE_NAMES)
    assert all(len(name) == 64 for name in on_disk)
    assert not (tmp_path / "etc").exists()

    listed = store.attachments.list_for_conversation(conversation.id)
    assert [a.original_name for a in listed] == HOSTILE_NAMES
    assert files.read(listed[0].sha256) == b"file 0"
    assert store.attachments.get(listed[1].id) == listed[1]


def test_failed_extraction_is_recorded_and_bad_metadata_refused(
    store: Store, conversation: ConversationRecord
) -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    common = {"conversation_id": conversation.id, "media_type": "application/pdf", "stored_path": "p"}
    failed = store.attachments.add(
        **common,
        original_name="scan.pdf",
        size_bytes=1,
        sha256=digest,
        extracted_text="",
        error="no text layer",
    )
    assert (failed.error, failed.extracted_text) == ("no text layer", "")
    with pytest.raises(InputError, match="sha256"):
        store.attachments.add(**common, original_name="a", size_bytes=1, sha256="../x", extracted_text="")
    with pytest.raises(InputError, match="size_bytes"):
        store.attachments.add(**common, original_name="a", size_bytes=-1, sha256=digest, extracted_text="")
    with pytest.raises(InputError, match="NUL"):
        store.attachments.add(
            **common, original_name="\x00evil.pdf", size_bytes=1, sha256=digest, extracted_text=""
        )
    with pytest.raises(NotFoundError):
        store.attachments.get(987654)
