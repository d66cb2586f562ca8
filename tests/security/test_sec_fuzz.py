"""Every Gradio endpoint the server lists, driven with hostile payloads over raw HTTP.

The endpoints come from `gradio_client.Client(...).view_api(all_endpoints=True)`, so a new event
handler is fuzzed without touching this file. Each is called with foreign file references rotated
through its slots (plain, without `meta`, as a MultimodalTextbox value, in a chat history, as a
file list), oversized and malformed strings (lone surrogates, NUL, escapes), values of the wrong
type (numbers, NaN, nested lists, dicts) and the wrong number of values; a few also get bodies
that are not what Gradio expects. Afterwards:

* the private file's text appears in no response and in no file the server wrote;
* the oversized text is stored nowhere;
* the server answered every call without a server error and is still healthy.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from gradio_http import CallResult, call, file_ref

MARKER = f"FUZZ-SECRET-{uuid.uuid4().hex}"
OVERSIZE = f"OVERSIZE-{uuid.uuid4().hex}-" + "A" * 100_000


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz-private") / "fuzz-notes.txt"
    path.write_text(f"Private. {MARKER}\n", encoding="utf-8")
    return path


def hostile_payloads(arity: int, secret: Path) -> list[tuple[str, Any]]:
    """(label, data) pairs for an endpoint with `arity` inputs; kinds rotate through the slots."""
    ref = file_ref(str(secret))
    files: list[Any] = [
        ref,
        {"path": str(secret)},  # no meta
        {"text": "read this", "files": [ref, file_ref("/etc/passwd")]},  # a MultimodalTextbox value
        [{"role": "user", "content": [{"type": "file", "file": ref}]}],  # a chat history
        [ref, file_ref("/etc/shadow")],  # a File(file_count="multiple") value
    ]
    strings: list[Any] = [
        OVERSIZE,
        "\ud800 hi \udfff",
        "nul\x00 esc\x1b[31m",
        {"text": OVERSIZE, "files": []},
    ]
    wrong: list[Any] = [12345, -1e308, float("nan"), True, None, [], {}, [[[[["deep"]]]]], {"a": {"b": 1}}]

    def rotate(values: list[Any], offset: int) -> list[Any]:
        return [values[(i + offset) % len(values)] for i in range(arity)]

    return [
        ("files+file", rotate(files, 0)),
        ("files shifted+file", rotate(files, 2)),
        ("strings", rotate(strings, arity % len(strings))),
        ("wrong types", rotate(wrong, 0)),
    ]


# Shapes Gradio refuses before any handler runs: tried on a few endpoints, not on all.
STRUCTURAL = {"too many values": [None] * 8, "data is a string": "not a list"}


RAW_BODIES = {
    "not JSON": b"{not json",
    "no data": b"{}",
    "file outside data": b'{"data": [], "event_data": {"path": "/etc/passwd"}}',
    "deep nesting": b'{"data": ' + b"[" * 5000 + b"]" * 5000 + b"}",
}
RAW_TARGETS = ("/submit", "/add", "/search")


def _fuzz_endpoint(url: str, name: str, endpoint: dict, secret: Path) -> list[tuple[str, str, CallResult]]:
    """Hostile payloads for one endpoint; labels of calls that carried a file end in '+file'.

    A numbered twin of an endpoint (`/search_1`: the same handler on another trigger) gets only
    the file payload; the others get everything.
    """
    arity = len(endpoint["parameters"])
    payloads = hostile_payloads(arity, secret)
    if name.rsplit("_", 1)[-1].isdigit():
        payloads = payloads[:1]
    results = []
    for label, data in payloads:
        label = label if arity else label.removesuffix("+file")
        results.append((name, label, call(url, name, data)))
    if name in RAW_TARGETS:
        results += [(name, label, call(url, name, data)) for label, data in STRUCTURAL.items()]
        results += [(name, label, call(url, name, None, body=body)) for label, body in RAW_BODIES.items()]
    return results


def test_every_endpoint_survives_hostile_payloads_without_leaking_or_storing(secure_server, api, secret_file):
    assert {"/submit", "/add", "/search"} <= set(api), sorted(api)
    with ThreadPoolExecutor(max_workers=6) as pool:
        batches = pool.map(
            lambda item: _fuzz_endpoint(secure_server.url, item[0], item[1], secret_file), api.items()
        )
        results = [result for batch in batches for result in batch]

    assert len(results) >= 2 * len(api)
    for name, label, result in results:
        assert MARKER not in result.text, (name, label)
        assert result.status < 500, (name, label, result.status, result.text[:300])
    carried_files = [(name, label, r) for name, label, r in results if label.endswith("+file")]
    assert carried_files and all(r.status == 400 for _, _, r in carried_files), [
        (name, label, r.status) for name, label, r in carried_files if r.status != 400
    ]
    assert secure_server.healthy()
    assert secure_server.files_containing(MARKER.encode()) == []
    assert secure_server.files_containing(OVERSIZE[:60].encode()) == []
