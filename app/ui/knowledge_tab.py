"""The knowledge tab: add files or a .zip to the knowledge base, list and remove documents, and a
search playground that shows dense, BM25 and hybrid results one above the other, each score
explained (the three scales cannot be compared with each other), and the passage in full width.

Adding and removing documents is for signed-in staff only: both handlers check the shared staff
token (`StaffAuth.require`) before touching anything. The document list and the search playground
are public. Uploads are staged (zips unpacked safely) under `data_dir/uploads/<batch>/`, which
stays as the documents' source folder, then handed to `KnowledgeBase.ingest_path` without pruning.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from app.agent.services import KnowledgeCatalogue
from app.errors import InputError
from app.knowledge.documents import public_source
from app.knowledge.retrieval import MODES
from app.settings import Settings
from app.ui import render
from app.ui.file_inputs import UploadFolder, uploaded_paths
from app.ui.notify import warn
from app.ui.staff_area import staff_section
from app.ui.staff_auth import StaffAuth
from app.ui.uploads import UploadLimits, stage_uploads

logger = logging.getLogger(__name__)

DOC_HEADERS = ["Document id", "Title", "Source", "Chunks", "Updated"]
HIT_HEADERS = ["#", "Passage", "Article › section", "Score"]
MODE_LABELS = {
    "dense": "Meaning (dense embeddings): score = cosine similarity, -1 to 1, higher = closer in meaning",
    "bm25": "Words (BM25): score = BM25 term-match weight, 0 and up, only comparable within this list",
    "hybrid": "Hybrid (what the agent uses): score = rank-fusion score, 0 to 1, 1 = first in both lists",
}
UPLOAD_TYPES = [".zip", ".md", ".txt", ".html", ".htm", ".pdf", ".docx", ".pptx", ".xlsx", ".csv", ".json"]


def upload_limits(settings: Settings) -> UploadLimits:
    """One file may be as large as an attachment; one upload, ten times that."""
    return UploadLimits(
        max_file_bytes=settings.max_attachment_bytes, max_total_bytes=10 * settings.max_attachment_bytes
    )


def document_rows(documents: list[Any]) -> list[list[Any]]:
    """The public document table: sources as paths inside the knowledge folder, never server paths."""
    return [
        [d.doc_id, d.title, public_source(d.doc_id, d.source), d.chunks, str(d.updated_at)[:19]]
        for d in documents
    ]


def without_folder(message: str, folder: Path) -> str:
    """A message about staged files with the server's staging folder left out."""
    return message.replace(f"{folder.resolve()}{os.sep}", "").replace(f"{folder}{os.sep}", "")


def hit_rows(hits: list[Any]) -> list[list[Any]]:
    """One row per hit: the passage first (what a reader judges), then where it is from, then the score."""
    return [
        [
            h.rank,
            render.shorten(h.text, 400),
            f"{h.title} › {h.section}" if h.section else h.title,
            round(float(h.score), 3),
        ]
        for h in hits
    ]


def progress_reporter(progress: Callable[..., Any]) -> Callable[[int, int], None]:
    """Adapt the knowledge base's `on_progress(done, total)` to a Gradio progress bar."""

    def report(done: int, total: int) -> None:
        progress((done, max(total, 1)), desc="Indexing documents", unit="docs")

    return report


class KnowledgeTab:
    """Handlers of the knowledge tab over one knowledge base; changes need a staff token."""

    def __init__(
        self,
        kb: KnowledgeCatalogue,
        settings: Settings,
        auth: StaffAuth,
        uploads: UploadFolder | None = None,
    ) -> None:
        self.kb = kb
        self.settings = settings
        self.auth = auth
        self.uploads = uploads or UploadFolder.of()

    def documents(self):
        """The document table and the choices of the remove dropdown."""
        documents = self.kb.list_documents()
        stats = f"**{len(documents)} documents, {sum(d.chunks for d in documents)} chunks**"
        return document_rows(documents), gr.update(choices=[d.doc_id for d in documents], value=None), stats

    def add(self, token: str | None, files: list[Any] | None, progress: gr.Progress = gr.Progress()):  # noqa: B008
        """Stage the uploaded files and ingest them, reporting progress per document (staff only).

        Only files uploaded to this server are read (`UploadFolder.check`). Their copies in Gradio's
        cache are deleted afterwards, whether they were staged or refused.
        """
        raw = files if isinstance(files, list) else []
        try:
            staff = self.auth.require(token)
            paths = [self.uploads.check(path) for path in uploaded_paths(raw)]
            if not paths:
                raise InputError("Choose one or more files (or a .zip) to add.")
            batch = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
            staged_root = Path(self.settings.data_dir) / "uploads" / batch
            progress(0, desc="Unpacking upload")
            stage_uploads(paths, staged_root, upload_limits(self.settings))
            summary = self.kb.ingest_path(staged_root, prune=False, on_progress=progress_reporter(progress))
        except Exception as exc:
            message = without_folder(
                warn(exc, action="knowledge.add"), Path(self.settings.data_dir) / "uploads"
            )
            return (f"⚠️ {render.inert(message)}", *self.documents(), None)
        finally:
            self.uploads.discard(uploaded_paths(raw))
        logger.info(
            "knowledge upload ingested", extra={"batch": batch, "summary": summary.line(), "staff": staff}
        )
        report = f"✅ {summary.line()}"
        if summary.errors:
            errors = (without_folder(error, staged_root) for error in summary.errors)
            report += "\n\n" + "\n".join(f"- ⚠️ {render.inert(error)}" for error in errors)
        return (report, *self.documents(), None)

    def remove(self, token: str | None, doc_id: str | None):
        """Remove one document from the knowledge base (staff only)."""
        try:
            staff = self.auth.require(token)
            if not doc_id:
                raise InputError("Pick a document to remove.")
            removed = self.kb.remove(doc_id)
        except Exception as exc:
            warn(exc, action="knowledge.remove")
            return self.documents()
        logger.info(
            "knowledge document removed", extra={"doc_id": doc_id, "removed": removed, "staff": staff}
        )
        gr.Info(f"Removed {doc_id}." if removed else f"{doc_id} was not in the knowledge base.")
        return self.documents()

    def search(self, query: str, k: float):
        """Run the query in every retrieval mode, for side-by-side comparison."""
        try:
            if not (query or "").strip():
                raise InputError("Type a query to search for.")
            return tuple(hit_rows(self.kb.search(query, k=int(k), mode=mode)) for mode in MODES)
        except Exception as exc:
            warn(exc, action="knowledge.search")
            return (gr.skip(),) * len(MODES)


def build_knowledge_tab(
    demo: gr.Blocks, kb: KnowledgeCatalogue, settings: Settings, auth: StaffAuth, token: gr.State
) -> None:
    """Lay out the knowledge tab in the current Blocks context and wire its events.

    `token` is the page's staff session (see `app.ui.console`); adding and removing need it.
    """
    handlers = KnowledgeTab(kb, settings, auth, UploadFolder.of(demo))
    with gr.Row():
        with gr.Column(scale=1):
            gr.Markdown("### Manage documents")
            with staff_section(auth, token, what="add or remove documents", elem_id="kb-admin"):
                gr.Markdown("Add Markdown, text, HTML, PDF, Office files, or a .zip of them.")
                files = gr.File(
                    file_count="multiple", file_types=UPLOAD_TYPES, label="Files or .zip", elem_id="kb-files"
                )
                add = gr.Button("Add to knowledge base", variant="primary", elem_id="kb-add")
                report = gr.Markdown(elem_id="kb-report")
                picker = gr.Dropdown(choices=[], value=None, label="Document to remove", elem_id="kb-picker")
                remove = gr.Button("Remove", variant="stop", elem_id="kb-remove")
        with gr.Column(scale=2):
            with gr.Row():
                stats = gr.Markdown(elem_id="kb-stats")
                refresh = gr.Button("Refresh", scale=0, elem_id="kb-refresh")
            table = gr.Dataframe(
                headers=DOC_HEADERS,
                value=None,
                interactive=False,
                label="Documents",
                elem_id="kb-documents",
                max_height=360,
            )
    gr.Markdown("### Search playground")
    with gr.Row():
        query = gr.Textbox(label="Query", scale=4, elem_id="kb-query")
        k = gr.Slider(1, 20, value=settings.top_k, step=1, label="Results per mode", scale=1)
        search = gr.Button("Search", scale=1, elem_id="kb-search")
    results = [
        gr.Dataframe(
            headers=HIT_HEADERS,
            value=None,
            interactive=False,
            wrap=True,
            label=MODE_LABELS[mode],
            elem_id=f"kb-results-{mode}",
            column_widths=["5%", "65%", "22%", "8%"],
        )
        for mode in MODES
    ]
    listing = [table, picker, stats]
    add.click(handlers.add, [token, files], [report, *listing, files])
    remove.click(handlers.remove, [token, picker], listing)
    refresh.click(handlers.documents, None, listing)
    for trigger in (search.click, query.submit):
        trigger(handlers.search, [query, k], results)
    demo.load(handlers.documents, None, listing)
