"""Replay dialogues through a running app's JSON API (`python -m eval run --target URL`).

This evaluates what is actually deployed (a Space, a server with a real LLM) rather than the code
on this machine. `RemoteDesk` offers the part of `SupportDesk` the replay uses: a conversation per
dialogue (`POST /api/conversations`), its context seeded (`POST …/history`, which needs the app's
API key; without one the context's customer messages are sent as messages, and the app answers
them, an approximation said in the report), and each scored turn sent (`POST …/messages`). The
answer, its tool calls, the passages the agent was shown and the ones it cited come back in the
response; passage texts are read from the local copy of the same knowledge base, which also scores.

A visitor token comes from `POST /api/session`. A 429 is waited out (its Retry-After) a few times.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import httpx

from app.errors import InputError, SupportError
from app.events import Citation, ToolCallRecord, TurnResult
from app.knowledge.documents import Hit

if TYPE_CHECKING:
    from app.knowledge.base import KnowledgeBase

logger = logging.getLogger(__name__)

MAX_WAITS = 3
MAX_WAIT_S = 60.0


@dataclass(frozen=True)
class Target:
    """A running app: its base URL and, optionally, the integration API key (X-API-Key)."""

    url: str
    api_key: str | None = None
    timeout_s: float = 120.0

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise InputError(f"--target must be an http(s) URL, got {self.url!r}")


class RemoteDesk:
    """The replay's view of a `SupportDesk` that runs elsewhere, reached over HTTP."""

    def __init__(self, target: Target, *, kb: KnowledgeBase, client: httpx.Client | None = None) -> None:
        self.target = target
        self.kb = kb  # the local copy: the scorer's embedder and passage texts
        self.client = client or httpx.Client(base_url=target.url.rstrip("/"), timeout=target.timeout_s)
        self.seeded_by_sending = 0  # dialogues whose context had to be sent as messages
        self._customers: dict[str, str] = {}  # conversation id -> customer (an integration names it)
        self._headers = self._credentials()

    def _credentials(self) -> dict[str, str]:
        if self.target.api_key:
            return {"X-API-Key": self.target.api_key}
        token = self._call("POST", "/api/session", headers={})["token"]
        return {"Authorization": f"Bearer {token}"}

    def _call(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        customer: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """One API call; waits out a 429; any other failure is a SupportError with the app's words.

        An integration (API key) names the customer it acts for on every call."""
        headers = dict(self._headers if headers is None else headers)
        if customer and self.target.api_key:
            headers["X-Customer-Id"] = customer
        for attempt in range(MAX_WAITS + 1):
            try:
                response = self.client.request(method, path, headers=headers, **kwargs)
            except httpx.HTTPError as exc:
                raise SupportError(f"{self.target.url}: {exc}") from exc
            if response.status_code == 429 and attempt < MAX_WAITS:
                wait = min(float(response.headers.get("Retry-After", "5")), MAX_WAIT_S)
                logger.warning("target rate limited; waiting", extra={"seconds": wait})
                time.sleep(wait)
                continue
            if response.status_code >= 400:
                raise SupportError(f"{method} {path}: {response.status_code} {_detail(response)}")
            return response.json()
        raise SupportError(f"{method} {path}: still rate limited after {MAX_WAITS} waits")

    # --- what the replay calls --------------------------------------------------------------
    def start_conversation(self, customer: str) -> str:
        conversation_id = str(
            self._call("POST", "/api/conversations", json={}, customer=customer)["conversation_id"]
        )
        self._customers[conversation_id] = customer
        return conversation_id

    def seed_history(self, conversation_id: str, turns: Sequence[tuple[str, str]]) -> None:
        if not turns:
            return
        if self.target.api_key:
            history = {"turns": [{"role": role, "text": text} for role, text in turns]}
            path = f"/api/conversations/{conversation_id}/history"
            self._call("POST", path, json=history, customer=self._customers.get(conversation_id))
            return
        self.seeded_by_sending += 1
        for role, text in turns:
            if role == "user" and text.strip():
                path = f"/api/conversations/{conversation_id}/messages"
                self._call("POST", path, json={"text": text}, customer=self._customers.get(conversation_id))

    def add_attachment(self, conversation_id: str, filename: str, data: bytes, **_: Any) -> Any:
        raise SupportError(f"{filename}: the JSON API takes no attachments; this turn is not replayed")

    async def reply(
        self, conversation_id: str, text: str, *, attachment_ids: Sequence[int] = ()
    ) -> TurnResult:
        path = f"/api/conversations/{conversation_id}/messages"
        customer = self._customers.get(conversation_id)
        answer = await asyncio.to_thread(
            partial(self._call, "POST", path, json={"text": text}, customer=customer)
        )
        return self.turn_result(answer)

    def turn_result(self, answer: dict[str, Any]) -> TurnResult:
        """The API's answer as the `TurnResult` the replay records (passage texts from the local KB)."""
        return TurnResult(
            conversation_id=str(answer["conversation_id"]),
            message_id=int(answer["message_id"]),
            text=str(answer.get("text", "")),
            tool_calls=[
                ToolCallRecord(str(call.get("name", "")), dict(call.get("arguments") or {}), "", 0.0)
                for call in answer.get("tool_calls") or [{"name": name} for name in answer.get("tools", [])]
            ],
            citations=[Citation(**_citation(c)) for c in answer.get("citations", [])],
            retrieved=[self._hit(h) for h in answer.get("retrieved", [])],
            searched=bool(answer.get("searched", False)),
            escalated=bool(answer.get("escalated", False)),
            latency_ms=float(answer.get("latency_ms", 0.0)),
        )

    def _hit(self, entry: dict[str, Any]) -> Hit:
        local = self.kb.get_chunk(str(entry.get("chunk_id", "")))
        return Hit(
            chunk_id=str(entry.get("chunk_id", "")),
            doc_id=str(entry.get("doc_id", "")),
            title=str(entry.get("title", "")),
            section=local.section if local else "",
            text=local.text if local else "",
            source="",
            score=0.0,
            rank=int(entry.get("rank", 0)),
        )

    def close(self) -> None:
        self.client.close()


def _citation(entry: dict[str, Any]) -> dict[str, Any]:
    fields = ("number", "chunk_id", "doc_id", "title", "source")
    return {name: entry.get(name, 0 if name == "number" else "") for name in fields}


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", response.text))[:300]
    except ValueError:
        return response.text[:300]
