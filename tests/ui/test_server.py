"""Server pieces that need no running server: metric labels, health probes, the metrics registry."""

from __future__ import annotations

import asyncio
import time

from app import server
from app.events import ToolCallRecord, TurnResult
from app.metrics import ServiceMetrics


def test_route_labels_stay_bounded():
    assert server.route_label("/healthz") == "/healthz"
    assert server.route_label("/gradio_api/queue/join") == "/gradio_api/queue"
    assert server.route_label("/gradio_api/../../etc") == "/gradio_api/other"
    assert server.route_label("/assets/index-abc123.js") == "/static"
    assert server.route_label("/random/path/12345") == "/other"


def test_health_reports_each_component_and_fails_on_errors_and_timeouts(monkeypatch):
    monkeypatch.setattr(server, "HEALTH_TIMEOUT_S", 0.2)

    def broken() -> dict:
        raise ConnectionError("database is locked")

    def slow() -> dict:
        time.sleep(1)
        return {"ok": True}

    ok, components = asyncio.run(server.run_checks({"database": lambda: {"ok": True}}))
    assert ok and components == {"database": {"ok": True}}
    ok, components = asyncio.run(
        server.run_checks({"database": broken, "vector_store": slow, "model": lambda: {"ok": True}})
    )
    assert not ok
    assert components["database"] == {"ok": False, "error": "ConnectionError: database is locked"}
    assert components["vector_store"]["ok"] is False and "no answer" in components["vector_store"]["error"]
    assert components["model"] == {"ok": True}


def test_metrics_count_turns_tools_and_escalations_per_app():
    first, second = ServiceMetrics(), ServiceMetrics()  # separate registries: no duplicate error
    call = ToolCallRecord("escalate_to_human", {}, "T-000001", 3.0)
    first.observe_turn(TurnResult("c1", 1, "passed on", tool_calls=[call], escalated=True, latency_ms=120))
    first.observe_request("GET", "/healthz", 200, 0.01)
    text = first.render().decode()
    assert 'support_tool_calls_total{tool="escalate_to_human"} 1.0' in text
    assert "support_escalations_total 1.0" in text
    assert 'support_chat_turns_total{outcome="escalated"} 1.0' in text
    assert 'support_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in text
    assert "support_escalations_total 0.0" in second.render().decode()
