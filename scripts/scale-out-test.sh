#!/usr/bin/env bash
# Run the scale-out tests: real PostgreSQL, `chroma run`, `mlflow server` and app workers on
# loopback, sharing state: two workers on one data folder, then two "hosts" with separate data
# folders sharing only PostgreSQL and Chroma (see docs/scale-out.md). Takes a few minutes.
#
#   scripts/scale-out-test.sh            # pytest -m scaleout (both scale-out test files)
#   scripts/scale-out-test.sh -k gift    # extra arguments go to pytest
set -euo pipefail

cd "$(dirname "$0")/.."
PYTEST=${PYTEST:-.venv/bin/pytest}
[ -x "$PYTEST" ] || PYTEST=pytest

SUPPORT_TEST_SCALEOUT=1 "$PYTEST" -m scaleout tests/reliability/test_rel_scaleout.py \
    tests/reliability/test_rel_scaleout_hosts.py -q -p no:cacheprovider "$@"
