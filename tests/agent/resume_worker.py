"""Run in a separate process by test_agent_persistence: a brand-new SupportDesk over existing data.

argv: store data dir, knowledge data dir, conversation id, customer id. Prints one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path


async def main(data_dir: str, kb_data_dir: str, conversation: str, customer: str) -> dict:
    from app.agent.desk import SupportDesk
    from app.knowledge.base import KnowledgeBase
    from app.settings import load_settings

    settings = load_settings(data_dir=Path(data_dir), environment="test")
    kb = KnowledgeBase.from_settings(settings.model_copy(update={"data_dir": Path(kb_data_dir)}))
    desk = SupportDesk.from_settings(settings, kb=kb)
    try:
        fresh = desk.start_conversation(customer)
        answer = await desk.reply(fresh, "Which plan am I on?")
        ticket = desk.store.tickets.for_conversation(conversation)
        return {
            "answer": answer.text,
            "tools": [call.name for call in answer.tool_calls],
            "old_history": [[m.role, m.content] for m in desk.history(conversation)],
            "ticket": ticket.number if ticket else None,
        }
    finally:
        desk.close()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(*sys.argv[1:5]))))
