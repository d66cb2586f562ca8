"""Fuzzing the entry points: random bytes and names, random text.

Whatever arrives, the only exception allowed out is `InputError`, and a rejected upload or
message leaves no row and no file behind.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from app.errors import InputError
from app.files.names import check_filename
from app.validation import check_message_text

EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "txt", "md", "html", "csv", "json", "zip", "exe", ""]
FUZZ = hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


names = st.builds(
    lambda stem, ext: f"{stem}.{ext}" if ext else stem,
    st.text(min_size=0, max_size=40),
    st.sampled_from(EXTENSIONS),
)
payloads = st.one_of(
    st.binary(max_size=4096),
    st.sampled_from([b"%PDF-1.7\n", b"PK\x03\x04", b"\xef\xbb\xbf"]).flatmap(
        lambda head: st.binary(max_size=2048).map(lambda tail: head + tail)
    ),
    st.dictionaries(
        st.sampled_from(
            [
                "[Content_Types].xml",
                "word/document.xml",
                "xl/workbook.xml",
                "ppt/presentation.xml",
                "../evil.xml",
            ]
        ),
        st.binary(max_size=512),
        max_size=4,
    ).map(_zip_of),
    st.text(max_size=2000).map(lambda text: text.encode("utf-8", "surrogatepass")),
)


@FUZZ
@given(name=names, data=payloads)
def test_any_upload_is_stored_whole_or_refused_with_input_error(desk, name: str, data: bytes) -> None:
    conversation = desk.start_conversation("c-fuzz")
    files_before = _files(desk)
    try:
        record = desk.add_attachment(conversation, name, data)
    except InputError as exc:
        assert str(exc)
        assert desk.store.attachments.list_for_conversation(conversation) == []
        assert _files(desk) == files_before
        return
    assert record.size_bytes == len(data) and record.extracted_text
    assert desk.files.open(record.sha256).read() == data


def _files(desk) -> set:
    root = desk.files.root
    return set(root.rglob("*")) if root.exists() else set()


@FUZZ
@given(text=st.text(max_size=5000))
def test_any_text_is_accepted_unchanged_or_refused_with_input_error(text: str) -> None:
    try:
        assert check_message_text(text) == text
    except InputError as exc:
        assert str(exc)


@FUZZ
@given(name=st.text(max_size=300))
def test_any_file_name_is_plain_or_refused(name: str) -> None:
    try:
        clean = check_filename(name)
    except InputError:
        return
    assert "/" not in clean and "\\" not in clean and clean not in (".", "..") and clean == clean.strip()


@pytest.mark.anyio
@FUZZ
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.text(max_size=300))
async def test_any_message_is_answered_or_refused_and_history_stays_consistent(desk, text: str) -> None:
    conversation = desk.start_conversation("c-fuzz-text")
    desk.settings = desk.settings.model_copy(update={"max_message_chars": 200})
    desk.rate_limiter.per_minute = 10_000
    before = desk.history(conversation)
    try:
        result = await desk.reply(conversation, text)
    except InputError:
        assert desk.history(conversation) == before
        return
    after = desk.history(conversation)
    assert [m.role for m in after[len(before) :]] == ["user", "assistant"]
    assert after[-1].id == result.message_id
