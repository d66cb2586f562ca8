"""Attachments: checked by content, stored by hash, read by the agent only in their own conversation."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.attachments import check_upload
from app.errors import InputError
from app.files.kinds import content_matches
from app.protocol import READ_ATTACHMENT_TOOL, attachment_marker

pytestmark = pytest.mark.anyio

FACT = "Order KX-4471 was shipped on 3 March to Dublin by express courier."


def make_pdf(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 10, text)
    return bytes(pdf.output())


def make_docx(text: str) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading("Delivery note", level=1)
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def stored_files(settings) -> list:
    root = settings.attachments_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(("filename", "make"), [("delivery.pdf", make_pdf), ("delivery.docx", make_docx)])
async def test_attachment_is_read_and_used_in_the_answer(desk, settings, filename: str, make) -> None:
    conversation = desk.start_conversation("c-att")
    record = desk.add_attachment(conversation, filename, make(FACT))

    result = await desk.reply(conversation, "When was my order shipped?", attachment_ids=[record.id])

    assert "KX-4471" in record.extracted_text
    assert READ_ATTACHMENT_TOOL in [call.name for call in result.tool_calls]
    assert "3 March" in result.text
    user_message = desk.history(conversation)[-2]
    assert attachment_marker(record.id, filename) in user_message.content
    assert user_message.attachment_ids == [record.id]
    assert len(stored_files(settings)) == 1


async def test_attachment_of_another_conversation_cannot_be_used(desk) -> None:
    mine = desk.start_conversation("c-a")
    theirs = desk.start_conversation("c-b")
    record = desk.add_attachment(theirs, "note.txt", FACT.encode())

    with pytest.raises(InputError):
        await desk.reply(mine, "What does my file say?", attachment_ids=[record.id])

    assert desk.history(mine) == []


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("big.txt", b"a" * 2048, "limit"),
        ("tool.exe", b"MZ\x90\x00binary", "not accepted"),
        ("renamed.pdf", b"just some text, not a PDF", "not a valid PDF"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "not a valid DOCX"),
        ("binary.txt", b"\x00\x01\x02\xff", "not a valid TXT"),
        ("empty.md", b"", "empty"),
    ],
)
def test_bad_upload_is_rejected_and_nothing_is_stored(desk, settings, filename, data, message) -> None:
    desk.settings = settings.model_copy(update={"max_attachment_bytes": 1024})
    conversation = desk.start_conversation("c-bad")

    with pytest.raises(InputError, match=message):
        desk.add_attachment(conversation, filename, data)

    assert desk.store.attachments.list_for_conversation(conversation) == []
    assert stored_files(settings) == []


def test_zip_without_the_office_part_is_not_a_docx() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    data = buffer.getvalue()

    assert content_matches("xlsx", data)
    assert not content_matches("docx", data)


def test_type_outside_the_allow_list_is_rejected_even_when_valid() -> None:
    with pytest.raises(InputError, match="not accepted"):
        check_upload("notes.md", b"# Notes", max_bytes=1000, allowed=["pdf"])


def test_json_must_parse_and_text_keeps_its_content() -> None:
    assert check_upload("data.json", b'{"order": 1}', max_bytes=100, allowed=["json"]).text == '{"order": 1}'
    with pytest.raises(InputError):
        check_upload("data.json", b"{not json", max_bytes=100, allowed=["json"])


async def test_a_question_after_the_file_is_answered_from_what_was_read(desk) -> None:
    """The history keeps the file as it was read for the message that sent it, so "when was it
    shipped?" in the next message is answered from it, without reading it again."""
    conversation = desk.start_conversation("c-att-later")
    record = desk.add_attachment(conversation, "delivery.pdf", make_pdf(FACT))
    await desk.reply(conversation, "here is my delivery note", attachment_ids=[record.id])

    result = await desk.reply(conversation, "when was it shipped?")

    assert "3 March" in result.text
    assert READ_ATTACHMENT_TOOL not in [call.name for call in result.tool_calls]


def test_the_history_replays_the_files_read_but_not_the_searches() -> None:
    """An assistant message's file reads come back as the call and its result, before its text (as
    an OpenAI-compatible model expects them); its searches do not (their passages answered that turn)."""
    from app.agent.context import history_messages
    from app.store.records import MessageRecord

    read = {
        "name": READ_ATTACHMENT_TOOL,
        "arguments": {"attachment_id": 3},
        "result": "File: a.pdf\n\nTotal: £10",
    }
    search = {"name": "search_knowledge_base", "arguments": {"query": "total"}, "result": "[1] passages"}
    records = [
        MessageRecord(1, "c", "user", "here it is [Attachment 3: a.pdf]"),
        MessageRecord(2, "c", "assistant", "Total: £10 (from your attachment).", tool_calls=[read, search]),
        MessageRecord(3, "c", "user", "and the VAT?"),
    ]

    messages = history_messages(records, before_id=3, limit=40)

    assert [(m.role, [c.type for c in m.contents]) for m in messages] == [
        ("user", ["text"]),
        ("assistant", ["function_call"]),
        ("tool", ["function_result"]),
        ("assistant", ["text"]),
    ]
    call, result = messages[1].contents[0], messages[2].contents[0]
    assert (call.name, call.call_id) == (READ_ATTACHMENT_TOOL, result.call_id)
    assert result.result == read["result"]
