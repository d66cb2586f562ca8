"""Calling a running app's Gradio endpoints the way an attacker does: raw HTTP, no browser, no UI.

`call` posts to `/gradio_api/call/<api_name>` and reads the event stream; `upload` posts files to
`/gradio_api/upload`; `arguments` builds an endpoint's data list from `view_api`, so the tests
follow the endpoints' current parameters instead of hard-coding their order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

FILE_META = {"_type": "gradio.FileData"}


def file_ref(path: str) -> dict[str, Any]:
    """A `FileData` reference as Gradio's own client sends it."""
    return {"path": path, "meta": dict(FILE_META)}


@dataclass(frozen=True)
class CallResult:
    """What one call returned: the HTTP status of the POST and the raw event stream (or error body)."""

    status: int
    text: str

    @property
    def completed(self) -> bool:
        return self.status == 200 and "event: complete" in self.text

    def outputs(self) -> list[Any]:
        """The data of the `complete` event (empty when the call failed)."""
        for block in self.text.split("\n\n"):
            if block.startswith("event: complete"):
                return json.loads(block.split("data:", 1)[1])
        return []


def call(
    base_url: str, api_name: str, data: Any, *, timeout: float = 60, body: bytes | None = None
) -> CallResult:
    """POST `{"data": data}` (or `body` as it is), then read the result's event stream.

    JSON is written with ASCII escapes, so lone surrogates and NaN travel as an attacker would send
    them. Any refusal is returned, not raised.
    """
    name = api_name.lstrip("/")
    content = body if body is not None else json.dumps({"data": data}).encode("ascii")
    posted = httpx.post(
        f"{base_url}/gradio_api/call/{name}",
        content=content,
        headers={"content-type": "application/json"},
        timeout=timeout,
    )
    if posted.status_code != 200:
        return CallResult(posted.status_code, posted.text)
    event_id = posted.json()["event_id"]
    result = httpx.get(f"{base_url}/gradio_api/call/{name}/{event_id}", timeout=timeout)
    return CallResult(result.status_code, result.text)


def upload(
    base_url: str, files: dict[str, bytes], *, client_ip: str | None = None
) -> tuple[int, list[str] | str]:
    """POST files to the upload route; (status, server paths) or (status, error text)."""
    headers = {"x-forwarded-for": client_ip} if client_ip else None
    parts = [("files", (name, data)) for name, data in files.items()]
    response = httpx.post(f"{base_url}/gradio_api/upload", files=parts, headers=headers, timeout=60)
    if response.status_code == 200:
        return 200, response.json()
    return response.status_code, response.text


def endpoints(base_url: str) -> dict[str, dict[str, Any]]:
    """Every endpoint `view_api(all_endpoints=True)` lists, named and unnamed, by api name."""
    from gradio_client import Client

    client = Client(base_url + "/", verbose=False)
    try:
        api = client.view_api(all_endpoints=True, return_format="dict", print_info=False)
    finally:
        client.close()  # its heartbeat stream would hold the server's shutdown
    return {**api.get("named_endpoints", {}), **api.get("unnamed_endpoints", {})}


def arguments(endpoint: dict[str, Any], overrides: dict[str, Any]) -> list[Any]:
    """The endpoint's data list: `overrides` by component name (lower case), else defaults/examples."""
    data = []
    for parameter in endpoint["parameters"]:
        component = parameter["component"].lower()
        if component in overrides:
            data.append(overrides[component])
        elif parameter.get("parameter_has_default"):
            data.append(parameter.get("parameter_default"))
        else:
            data.append(parameter.get("example_input"))
    return data
