"""OpenTelemetry for the agent: spans for agent runs, model calls and tool calls, sent over OTLP.

Off unless `settings.otlp_endpoint` is set. Agent Framework instruments itself; this only builds the
exporters once per process (its `configure_otel_providers` must not be called twice). Message
contents are not exported (`enable_sensitive_data=False`): spans carry names, timings and sizes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from app.settings import mask_url

if TYPE_CHECKING:
    from app.settings import Settings

logger = logging.getLogger(__name__)

SERVICE_NAME = "support-agent"
_lock = threading.Lock()
_configured_endpoint: str | None = None


def configure_telemetry(settings: Settings, *, exporters: Sequence[Any] = ()) -> bool:
    """Export traces and metrics to `settings.otlp_endpoint`; returns whether telemetry is on.

    `exporters` adds span/metric/log exporters of the caller's own (a test's in-memory exporter).
    """
    global _configured_endpoint
    if not settings.otlp_endpoint:
        return False
    with _lock:
        if _configured_endpoint is not None:
            if _configured_endpoint != settings.otlp_endpoint:
                logger.warning("telemetry already configured; endpoint change ignored until restart")
            return True
        from agent_framework.observability import configure_otel_providers

        configure_otel_providers(
            service_name=SERVICE_NAME,
            otlp_endpoint=settings.otlp_endpoint,
            enable_sensitive_data=False,
            resource_attributes={"deployment.environment": settings.environment},
            exporters=list(exporters) or None,
        )
        _configured_endpoint = settings.otlp_endpoint
    logger.info("telemetry on", extra={"otlp_endpoint": mask_url(settings.otlp_endpoint)})
    return True
