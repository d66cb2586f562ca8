#!/usr/bin/env bash
# Make Debian's Chromium available for the Playwright browser tests.
# Playwright's own browser download does not work offline, so the tests drive /usr/bin/chromium.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests (apt-get)..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo 'installed')"
else
  echo "NOTICE: /usr/bin/chromium not found and cannot apt-get install it here;"
  echo "        the browser tests will be skipped. Install it with: sudo apt-get install chromium"
fi
