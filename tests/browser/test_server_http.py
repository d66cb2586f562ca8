"""The live server's operational endpoints over real HTTP (no browser needed)."""

from __future__ import annotations

import json
import urllib.request

import pytest

pytestmark = pytest.mark.browser


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode()


def test_healthz_reports_every_component(live_server):
    status, body = _get(f"{live_server.url}/healthz")
    report = json.loads(body)
    assert status == 200 and report["status"] == "ok"
    assert set(report["components"]) == {"database", "vector_store", "model"}
    assert report["components"]["vector_store"]["documents"] >= 3


def test_metrics_count_requests(live_server):
    _get(f"{live_server.url}/healthz")
    status, body = _get(f"{live_server.url}/metrics")
    assert status == 200
    assert 'support_http_requests_total{method="GET",route="/healthz",status="200"}' in body
    for family in ("support_chat_turn_seconds", "support_escalations_total", "support_http_request_seconds"):
        assert f"# TYPE {family.removesuffix('_total')}" in body


def test_page_serves_the_app(live_server):
    status, body = _get(f"{live_server.url}/")
    assert status == 200 and "Kestrel help desk" in body
