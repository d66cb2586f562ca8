"""Command line for the knowledge base.

    python -m app.knowledge ingest PATH [--collection NAME] [--no-prune]
    python -m app.knowledge search "TEXT" [--k N] [--mode dense|bm25|hybrid] [--json]
    python -m app.knowledge stats
    python -m app.knowledge remove DOC_ID

Settings come from the environment (SUPPORT_*) and .env, as for the app. Problems a user can
fix are printed on stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict

from app.errors import SupportError
from app.knowledge.base import KnowledgeBase
from app.knowledge.documents import Hit
from app.knowledge.retrieval import MODES
from app.logs import configure_logging
from app.settings import Settings, load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app.knowledge", description="Manage the knowledge base.")
    parser.add_argument("--collection", help="collection name (default: settings.collection)")
    commands = parser.add_subparsers(dest="command", required=True)
    ingest = commands.add_parser("ingest", help="ingest a file or folder (incremental)")
    ingest.add_argument("path")
    ingest.add_argument(
        "--no-prune", action="store_true", help="keep documents that vanished from the folder"
    )
    search = commands.add_parser("search", help="search the knowledge base")
    search.add_argument("text")
    search.add_argument("--k", type=int, default=None, help="number of hits (default: settings.top_k)")
    search.add_argument("--mode", choices=MODES, default=None)
    search.add_argument("--json", action="store_true", help="one JSON object per hit per line")
    commands.add_parser("stats", help="documents, chunks and where they are stored")
    remove = commands.add_parser("remove", help="remove one document by id")
    remove.add_argument("doc_id")
    for sub in (ingest, search, remove):
        sub.add_argument("--collection", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def run(args: argparse.Namespace, settings: Settings) -> int:
    kb = KnowledgeBase.from_settings(settings, collection=args.collection)
    if args.command == "ingest":
        summary = kb.ingest_path(args.path, prune=not args.no_prune, progress=sys.stderr.isatty())
        for error in summary.errors:
            print(f"error: {error}", file=sys.stderr)
        print(summary.line())
    elif args.command == "search":
        for hit in kb.search(args.text, k=args.k, mode=args.mode):
            print(json.dumps(asdict(hit), ensure_ascii=False) if args.json else _describe(hit))
    elif args.command == "stats":
        print(json.dumps(kb.stats(), indent=2))
    elif args.command == "remove":
        if not kb.remove(args.doc_id):
            print(f"no document with id {args.doc_id!r}", file=sys.stderr)
            return 1
        print(f"removed {args.doc_id}")
    return 0


def _describe(hit: Hit) -> str:
    section = f" > {hit.section}" if hit.section else ""
    snippet = " ".join(hit.text.split())[:160]
    return f"{hit.rank:>2}. [{hit.score:.3f}] {hit.title}{section} ({hit.doc_id})\n    {snippet}"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(
            settings.log_level if settings.log_level != "INFO" else "WARNING", settings.log_format
        )
        return run(args, settings)
    except SupportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
