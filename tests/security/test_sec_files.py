"""Finding 1 (critical): a client named any server file in a `FileData` payload and the app read it.

Reproduced as the attacker did it, with raw HTTP to `/gradio_api/call/<api>` on a real server:
the chat's `submit`, its chat history, and the knowledge tab's `add` are sent paths outside the
upload folder (plain, without `meta`, through `..`, through a symlink planted in the upload folder,
`/etc/hostname`). None may be read, stored or echoed. The handlers' own check is tested directly too,
since it must hold even where the middleware is not in front.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from gradio_http import arguments, call, file_ref, upload

from app.ui.file_inputs import UploadFolder

MARKER = f"SERVER-SECRET-{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private server file outside the upload folder, with an allowed extension."""
    path = tmp_path_factory.mktemp("private") / "private-notes.txt"
    path.write_text(f"Internal only. {MARKER}\n", encoding="utf-8")
    return path


def _foreign_references(secret: Path, upload_dir: Path) -> dict[str, dict]:
    """The ways to name `secret` that an attacker tried (and a symlink planted in the upload folder)."""
    upload_dir.mkdir(parents=True, exist_ok=True)
    link = upload_dir / f"link-{uuid.uuid4().hex[:8]}.txt"
    link.symlink_to(secret)
    climb = "/".join([".."] * len(upload_dir.parts))
    return {
        "plain": file_ref(str(secret)),
        "no-meta": {"path": str(secret)},
        "dot-dot": file_ref(f"{upload_dir}/{climb}{secret}"),
        "symlink": file_ref(str(link)),
        "relative": file_ref(f"../../../../../../../../..{secret}"),
        "etc-hostname": file_ref("/etc/hostname"),
    }


def _assert_not_leaked(server, result) -> None:
    assert MARKER not in result.text
    assert server.files_containing(MARKER.encode()) == []


@pytest.mark.parametrize("variant", ["plain", "no-meta", "dot-dot", "symlink", "relative", "etc-hostname"])
def test_chat_submit_refuses_files_outside_the_upload_folder(secure_server, api, secret_file, variant):
    reference = _foreign_references(secret_file, secure_server.upload_dir)[variant]
    box = {"text": "Please read my attached file.", "files": [reference]}
    data = arguments(api["/submit"], {"multimodaltextbox": box, "chatbot": []})

    result = call(secure_server.url, "/submit", data)

    assert result.status == 400 and "uploaded to this server" in result.text
    _assert_not_leaked(secure_server, result)


def test_chat_history_cannot_carry_a_server_file_into_the_cache(secure_server, api, secret_file):
    """Gradio copies every file in an input (the Chatbot's history too) into its cache and serves it."""
    history = [{"role": "user", "content": [{"type": "file", "file": file_ref(str(secret_file))}]}]
    for endpoint in ("/submit", "/stream"):
        box = {"text": "hello", "files": []}
        data = arguments(api[endpoint], {"multimodaltextbox": box, "chatbot": history})
        result = call(secure_server.url, endpoint, data)
        assert result.status == 400
        _assert_not_leaked(secure_server, result)


def test_knowledge_upload_refuses_server_files(secure_server, api, secret_file):
    data = arguments(api["/add"], {"file": [file_ref(str(secret_file)), file_ref("/etc/passwd")]})
    result = call(secure_server.url, "/add", data)
    assert result.status == 400
    _assert_not_leaked(secure_server, result)


def test_file_route_serves_no_server_file(secure_server, secret_file):
    for path in (str(secret_file), "/etc/hostname", "/etc/passwd"):
        status, _, body = secure_server.get(f"/gradio_api/file={path}")
        assert status in (403, 404) and MARKER.encode() not in body and b"root:" not in body


def test_an_uploaded_file_is_attached_and_its_cached_copy_removed(secure_server, api):
    """The legitimate path still works: upload first, then send the reference the server returned."""
    fact = f"Order {uuid.uuid4().hex[:8].upper()} left our warehouse on 3 March."
    status, paths = upload(secure_server.url, {"delivery-note.txt": fact.encode()})
    assert status == 200 and Path(paths[0]).exists()
    box = {"text": "What does my delivery note say?", "files": [file_ref(paths[0])]}

    result = call(secure_server.url, "/submit", arguments(api["/submit"], {"multimodaltextbox": box}))

    assert result.completed, result.text
    assert "delivery-note.txt" in str(result.outputs())
    assert secure_server.files_containing(fact.encode()), "the attachment was not stored"
    assert not Path(paths[0]).exists(), "the upload stayed in Gradio's cache"


# --- the handlers' own check, without the middleware in front -------------------------------------
def test_upload_folder_accepts_only_regular_files_strictly_inside_it(tmp_path: Path):
    root = (tmp_path / "uploads").resolve()
    (root / "abc").mkdir(parents=True)
    inside = root / "abc" / "note.txt"
    inside.write_text("ok")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (root / "abc" / "link.txt").symlink_to(outside)
    folder = UploadFolder(root)

    assert folder.check(str(inside)) == inside
    for bad in (
        str(outside),
        str(root / "abc" / "link.txt"),
        f"{root}/abc/../../secret.txt",
        str(root),
        str(root / "abc"),
        "",
        "bad\x00name",
        None,
        42,
        {"path": str(inside)},
    ):
        assert folder.resolve(bad) is None or not Path(folder.resolve(bad)).is_file()
        with pytest.raises(Exception, match="not uploaded through this page"):
            folder.check(bad)


def test_chat_handler_refuses_a_foreign_path_and_stores_nothing(settings, tmp_path: Path):
    """The handler's own check, on a desk with the real database and file store (no model needed:
    a refused message never reaches the agent)."""
    from app.agent.desk import SupportDesk
    from app.identity import Caller, VisitorTokens
    from app.store import FileStore, Store
    from app.ui.chat_tab import ChatTab

    uploads = (tmp_path / "uploads").resolve()
    uploads.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text(MARKER)
    store = Store.from_settings(settings)
    desk = SupportDesk(settings, kb=None, store=store, files=FileStore.from_settings(settings), agent=None)
    tokens = VisitorTokens.from_settings(settings)
    tab = ChatTab(desk, settings, tokens, uploads=UploadFolder(uploads))
    attacker, customer = (Caller(tokens.customer(tokens.issue())) for _ in range(2))
    try:
        for path in (str(secret), {"path": str(secret)}, f"{uploads}/../secret.txt"):
            _box, shown, conversation, _dropdown, pending, _visitor = tab.submit(
                None, {"text": "read this", "files": [path]}, [], attacker, None
            )
            assert pending is None and conversation is not None and shown is not None  # gr.skip()s
        row = desk.store.customers.get_or_create(attacker.customer)
        assert desk.store.conversations.list_for_customer(row.id) == []
        assert not settings.attachments_dir.exists() or not any(settings.attachments_dir.rglob("*.*"))
        assert secret.read_text() == MARKER  # and the file itself is untouched
        uploaded = uploads / "0123abcd" / "note.txt"
        uploaded.parent.mkdir()
        uploaded.write_text("My order number is KX-4471.")
        *_, pending, _visitor = tab.submit(
            None, {"text": "see file", "files": [str(uploaded)]}, [], customer, None
        )
        assert len(pending.attachment_ids) == 1 and not uploaded.exists()
    finally:
        desk.close()
