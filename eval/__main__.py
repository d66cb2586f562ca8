"""`python -m eval`: see `eval.cli`."""

from eval.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
