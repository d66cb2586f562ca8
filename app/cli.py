"""Command line: `python -m app [serve|chat|config|migrate]`.

Settings are built once here and passed down. A `SupportError` (bad configuration, unreachable
database, ...) prints its message and exits with status 2, without a traceback; anything else is
a bug and is logged with its traceback (status 1).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from app.errors import SupportError
from app.logs import configure_logging
from app.settings import Settings, load_settings, mask_url

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_BUG, EXIT_USER_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def cmd_serve(settings: Settings) -> int:
    """Run the web app (chat UI, staff console, /healthz, /metrics)."""
    from app.server import serve

    serve(settings)
    return EXIT_OK


def cmd_chat(settings: Settings) -> int:
    """Chat with the agent in the terminal."""
    from app.agent.terminal import run_chat

    return int(run_chat(settings) or EXIT_OK)


def cmd_config(settings: Settings) -> int:
    """Print the effective settings as JSON, secrets masked."""
    print(json.dumps(settings.masked(), indent=2, sort_keys=True))
    return EXIT_OK


def cmd_migrate(settings: Settings) -> int:
    """Create or upgrade the database schema (Alembic upgrade head)."""
    from app.store.db import Database

    db = Database.from_settings(settings)
    try:
        revision = db.migrate()
    finally:
        db.dispose()
    print(f"Database {mask_url(db.url)} is at revision {revision} (head).")
    return EXIT_OK


COMMANDS: dict[str, Callable[[Settings], int]] = {
    "serve": cmd_serve,
    "chat": cmd_chat,
    "config": cmd_config,
    "migrate": cmd_migrate,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app",
        description="Customer-support agent. Configure with SUPPORT_* environment variables or a .env file.",
        epilog="Without a command, `serve` runs. `python -m app config` shows what is in effect.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, handler in COMMANDS.items():
        summary = (handler.__doc__ or "").strip()
        commands.add_parser(name, help=summary, description=summary)
    return parser


def chat_log_stream(settings: Settings, stdout: TextIO) -> TextIO:
    """Where the terminal chat logs: stderr when the conversation goes to a pipe or file, but a log
    file when it goes to a terminal, where stderr would print log lines in the middle of it.

    Progress bars and Python warnings are kept off the terminal as well.
    """
    if not stdout.isatty():
        return sys.stderr
    path = Path(settings.data_dir) / "logs" / "chat.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    for name in ("HF_HUB_DISABLE_PROGRESS_BARS", "TQDM_DISABLE", "TRANSFORMERS_NO_ADVISORY_WARNINGS"):
        os.environ.setdefault(name, "1")
    logging.captureWarnings(True)
    print(f"(logs go to {path})", file=stdout)
    return path.open("a", encoding="utf-8", buffering=1)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, build the settings once, run one command; returns the exit status."""
    args = build_parser().parse_args(argv)
    command = COMMANDS[args.command or "serve"]
    try:
        settings = load_settings()
        stream = chat_log_stream(settings, sys.stdout) if command is cmd_chat else None
        configure_logging(settings.log_level, settings.log_format, stream=stream)
        return command(settings)
    except SupportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception:
        logger.exception("command failed", extra={"command": args.command or "serve"})
        return EXIT_BUG
