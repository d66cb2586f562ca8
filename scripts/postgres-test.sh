#!/usr/bin/env bash
# Run the PostgreSQL variants of the store tests against a throwaway local server.
#
#   scripts/postgres-test.sh                 # pytest -m postgres tests/store
#   scripts/postgres-test.sh -k tickets -x   # extra arguments go to pytest
#
# Uses the local PostgreSQL binaries (initdb/pg_ctl on PATH, else /usr/lib/postgresql/*/bin).
# initdb refuses to run as root, so as root the server runs as the 'postgres' user (or 'nobody')
# through runuser, in a folder under /tmp that user owns. Trust auth, 127.0.0.1 only, a free port;
# the server and its folder are removed on exit, whatever happens.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTEST=${PYTEST:-.venv/bin/pytest}
[ -x "$PYTEST" ] || PYTEST=pytest

bin_dir=""
if command -v initdb >/dev/null 2>&1; then
    bin_dir=$(dirname "$(readlink -f "$(command -v initdb)")")
else
    bin_dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
fi
if [ -z "$bin_dir" ] || [ ! -x "$bin_dir/initdb" ]; then
    echo "postgres-test: no PostgreSQL binaries found (install postgresql)" >&2
    exit 1
fi

as_user=()
base=$(mktemp -d /tmp/support-pg-XXXXXX)
if [ "$(id -u)" = 0 ]; then
    user=postgres
    id "$user" >/dev/null 2>&1 || user=nobody
    chown "$user" "$base"
    as_user=(runuser -u "$user" --)
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop_server() {
    "${as_user[@]}" "$bin_dir/pg_ctl" -D "$base/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$base"
}
trap stop_server EXIT

"${as_user[@]}" "$bin_dir/initdb" -D "$base/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
"${as_user[@]}" "$bin_dir/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 \
    -o "-p $port -k $base -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
echo "postgres-test: server on 127.0.0.1:$port ($("$bin_dir/postgres" --version))"

SUPPORT_TEST_POSTGRES=1 \
SUPPORT_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres" \
    "$PYTEST" -m postgres tests/store -q "$@"
