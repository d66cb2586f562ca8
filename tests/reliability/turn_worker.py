"""Run by test_rel_faults in a child process: start one turn against a chat server that hangs.

argv: data dir, chat base URL. Prints the conversation id, then blocks inside `desk.reply` until
the parent kills it. The parent checks what the database holds afterwards.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path


async def main(data_dir: str, base_url: str) -> None:
    from app.agent.desk import SupportDesk
    from app.settings import load_settings

    settings = load_settings(
        data_dir=Path(data_dir),
        environment="test",
        chat_provider="openai",
        openai_base_url=base_url,
        chat_timeout_s=600,
    )
    desk = SupportDesk.from_settings(settings)
    conversation = desk.start_conversation("c-killed")
    print(conversation, flush=True)
    await desk.reply(conversation, "Where is my order KX-4471? " + "details " * 200)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
