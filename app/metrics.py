"""Prometheus metrics for the served app: HTTP requests, chat turns, tool calls, escalations.

Each app gets its own `CollectorRegistry`, so building the app twice (tests, reloads) never hits
prometheus_client's duplicate-registration error. `SupportDesk` owns one and reports every
finished or failed turn itself, whichever entry point (chat UI, JSON API) asked; the HTTP
middleware in `app.server` reports requests into the same registry.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

_LATENCY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class ServiceMetrics:
    """The counters and histograms `/metrics` exposes."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "support_http_requests",
            "HTTP requests served.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "support_http_request_seconds",
            "HTTP request latency.",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.turns = Counter(
            "support_chat_turns", "Chat turns answered.", ["outcome"], registry=self.registry
        )
        self.turn_seconds = Histogram(
            "support_chat_turn_seconds",
            "Time to answer a chat turn.",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.tool_calls = Counter(
            "support_tool_calls", "Tool calls made by the agent.", ["tool"], registry=self.registry
        )
        self.escalations = Counter(
            "support_escalations", "Conversations handed to a person.", registry=self.registry
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.request_seconds.labels(route).observe(seconds)

    def observe_turn(self, result: Any) -> None:
        """Count one finished `TurnResult`: its latency, its tools and whether it escalated."""
        self.turns.labels("escalated" if result.escalated else "answered").inc()
        self.turn_seconds.observe(max(result.latency_ms, 0.0) / 1000)
        for call in result.tool_calls:
            self.tool_calls.labels(call.name).inc()
        if result.escalated:
            self.escalations.inc()

    def observe_failure(self) -> None:
        self.turns.labels("failed").inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
