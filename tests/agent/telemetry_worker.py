"""Run in a separate process by test_agent_telemetry (OpenTelemetry providers are process-global).

argv: data dir, knowledge data dir, Chat Completions base URL. Runs one turn with telemetry on,
collecting spans in memory, and prints their names as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path


async def main(data_dir: str, kb_data_dir: str, base_url: str) -> list[str]:
    from opentelemetry import trace
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from app.agent.desk import SupportDesk
    from app.agent.telemetry import configure_telemetry
    from app.knowledge.base import KnowledgeBase
    from app.settings import load_settings

    settings = load_settings(
        data_dir=Path(data_dir),
        environment="test",
        chat_provider="openai",
        openai_base_url=base_url,
        otlp_endpoint="http://127.0.0.1:9",
        retrieval_mode="bm25",
    )
    exporter = InMemorySpanExporter()
    assert configure_telemetry(settings, exporters=[exporter])
    kb = KnowledgeBase.from_settings(settings.model_copy(update={"data_dir": Path(kb_data_dir)}))
    desk = SupportDesk.from_settings(settings, kb=kb)
    conversation = desk.start_conversation("c-otel")
    await desk.reply(conversation, "How much is the Plus plan?")
    trace.get_tracer_provider().force_flush()
    return [span.name for span in exporter.get_finished_spans()]


if __name__ == "__main__":
    names = asyncio.run(main(*sys.argv[1:4]))
    print(json.dumps(names), flush=True)
    os._exit(0)  # skip the OTLP exporter's shutdown flush to the (closed) test endpoint
