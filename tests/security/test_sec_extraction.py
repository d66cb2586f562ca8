"""Finding 3 (high): one DOCX that inflates ~10:1 took 5 GB of memory and 14 CPU minutes to read.

Reproduced against the real server: a DOCX under the attachment limit whose document.xml inflates
to 22 MB (27:1, so it passes the header checks of `app.files.limits`) is uploaded and sent in the
chat; it is refused within seconds, nothing is stored, and `/healthz` keeps answering meanwhile.
The sandbox's own limits (time, memory, output, the inflated size counted while reading, not taken
from headers) are tested directly on `app.files.sandbox`.
"""

from __future__ import annotations

import io
import random
import struct
import threading
import time
import zipfile

import pytest
from gradio_http import arguments, call, file_ref, upload
from sec_limits import MAX_FILE_BYTES

from app.errors import InputError
from app.files.limits import check_office_archive
from app.files.sandbox import MB, ExtractionLimits, check_inflated_size, extract_markdown


def inflating_docx(inflated_mb: float, *, seed: int = 7) -> bytes:
    """A valid DOCX whose body is `inflated_mb` MB of varied paragraphs (about 27:1 compressed)."""
    from docx import Document

    document = Document()
    document.add_paragraph("Delivery note")
    buffer = io.BytesIO()
    document.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    rng = random.Random(seed)
    paragraphs = [f"<w:p><w:r><w:t>Item {n:02d} shipped</w:t></w:r></w:p>" for n in range(100)]
    count = int(inflated_mb * MB) // len(paragraphs[0])
    body = "".join(rng.choices(paragraphs, k=count))
    xml = source.read("word/document.xml").decode().replace("<w:body>", "<w:body>" + body, 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as target:
        for info in source.infolist():
            data = xml if info.filename == "word/document.xml" else source.read(info.filename)
            target.writestr(info.filename, data)
    return out.getvalue()


def small_docx(text: str = "Order KX-4471 shipped on 3 March.") -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = inflating_docx(22)
    check_office_archive("bomb.docx", data)  # the header checks alone let it through
    return data


def test_an_inflating_docx_is_refused_quickly_and_the_server_stays_healthy(secure_server, api, bomb):
    assert len(bomb) < MAX_FILE_BYTES
    before = {p for p in (secure_server.data_dir / "attachments").rglob("*") if p.is_file()}
    status, paths = upload(secure_server.url, {"bomb.docx": bomb})
    assert status == 200
    submit = api["/submit"]
    box = {"text": "Please read the delivery note.", "files": [file_ref(paths[0])]}
    health: list[float] = []
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            started = time.monotonic()
            assert secure_server.healthy()
            health.append(time.monotonic() - started)
            time.sleep(0.2)

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    started = time.monotonic()
    result = call(secure_server.url, "/submit", arguments(submit, {"multimodaltextbox": box}))
    elapsed = time.monotonic() - started
    done.set()
    prober.join(timeout=20)

    assert result.completed and result.outputs()[-1] is None  # nothing pending: no turn starts
    assert any("expands to more than 20 MB" in error for error in secure_server.user_errors())
    assert elapsed < 20
    assert health and max(health) < 5.0
    after = {p for p in (secure_server.data_dir / "attachments").rglob("*") if p.is_file()}
    assert after == before
    assert not secure_server.upload_files() & {paths[0]}


def test_the_inflated_size_is_counted_while_reading(bomb):
    with pytest.raises(InputError, match="expands to more than 20 MB"):
        check_inflated_size("bomb.docx", bomb)
    ordinary = small_docx()
    counted = check_inflated_size("note.docx", ordinary)
    assert counted == sum(len(zipfile.ZipFile(io.BytesIO(ordinary)).read(n)) for n in _names(ordinary))


def test_a_header_that_understates_the_inflated_size_does_not_help(bomb):
    """Declare 1 KB for the 22 MB document.xml: reading stops at the lie and the file is refused."""
    lying = _understate(bomb, "word/document.xml", 1024)
    with pytest.raises(InputError):
        check_inflated_size("lying.docx", lying)
    with pytest.raises(InputError):
        extract_markdown(lying, kind="docx", name="lying.docx")


def test_extraction_past_the_time_limit_is_stopped():
    started = time.monotonic()
    with pytest.raises(InputError, match="took longer than"):
        extract_markdown(small_docx(), kind="docx", name="slow.docx", limits=ExtractionLimits(timeout_s=0.01))
    assert time.monotonic() - started < 10


def test_extraction_past_the_memory_limit_is_refused():
    """400,000 HTML elements need far more than the 512 MB address space allowed (markitdown alone
    takes ~480 MB of it). The starved child fails at once, or stalls and is killed by the clock;
    either way the file is refused quickly (unlimited, the same file takes ~40 s and over 1 GB)."""
    html = ("<html><body>" + "<p>word</p>" * 400_000 + "</body></html>").encode()
    limits = ExtractionLimits(memory_bytes=512 * MB, timeout_s=10)
    started = time.monotonic()
    with pytest.raises(InputError, match=r"too much memory|took longer than 10 s"):
        extract_markdown(html, kind="html", name="big.html", limits=limits)
    assert time.monotonic() - started < 20


def test_extracted_text_is_cut_to_the_output_limit():
    html = ("<p>" + "word " * 2000 + "</p>").encode()
    text = extract_markdown(
        html, kind="html", name="long.html", limits=ExtractionLimits(max_output_chars=1000)
    )
    assert 900 <= len(text) <= 1000
    assert "Order KX-4471" in extract_markdown(small_docx(), kind="docx", name="ok.docx")


def _names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def _understate(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size of `member` in its local header and its central directory entry."""
    patched = bytearray(data)
    local = zipfile.ZipFile(io.BytesIO(data)).getinfo(member).header_offset
    struct.pack_into("<I", patched, local + 22, size)
    offset = data.find(b"PK\x01\x02")
    while offset != -1:
        name_length = struct.unpack_from("<H", data, offset + 28)[0]
        if data[offset + 46 : offset + 46 + name_length].decode() == member:
            struct.pack_into("<I", patched, offset + 24, size)
            return bytes(patched)
        offset = data.find(b"PK\x01\x02", offset + 46)
    raise AssertionError(f"{member} not in the central directory")


def test_a_child_at_its_memory_ceiling_counts_as_out_of_memory():
    """Parsers that fail an allocation in C raise all sorts of errors; the peak address space
    tells a starved child from a damaged file (this process stands in for the child)."""
    from app.files.sandbox import _near_memory_limit

    assert _near_memory_limit(ExtractionLimits(memory_bytes=64 * MB))  # far below this process's peak
    assert not _near_memory_limit(ExtractionLimits(memory_bytes=1024 * 1024 * MB))
