"""Hugging Face Spaces entry point (`sdk: gradio` runs `python app.py`); locally use `python -m app serve`.

The `app/` package shadows this file for `import app`, so nothing else can import it by accident;
it only builds the settings and starts the same server as the command line.
"""

from __future__ import annotations

import os


def main() -> None:
    """Serve on 0.0.0.0 inside a Space (its proxy must reach us); elsewhere honour the settings."""
    from app.logs import configure_logging
    from app.server import serve
    from app.settings import load_settings

    settings = load_settings()
    if os.environ.get("SPACE_ID") and settings.host == "127.0.0.1":
        settings = settings.model_copy(update={"host": "0.0.0.0"})
    configure_logging(settings.log_level, settings.log_format)
    serve(settings)


if __name__ == "__main__":
    from app.errors import SupportError

    try:
        main()
    except SupportError as exc:
        raise SystemExit(f"error: {exc}") from None
