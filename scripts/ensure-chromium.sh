#!/usr/bin/env bash
# Make sure a Chromium exists for Playwright: the system's where there is one (or apt can install
# it), else Playwright's own download. Prints which one it settled on.
set -euo pipefail
venv="${1:-.venv}"
found() { command -v "$1" >/dev/null 2>&1; }

if [ -n "${ZYNTRO_ENRICH_CHROMIUM:-}" ] && [ -x "$ZYNTRO_ENRICH_CHROMIUM" ]; then
  echo "chromium: $ZYNTRO_ENRICH_CHROMIUM (ZYNTRO_ENRICH_CHROMIUM)"; exit 0
fi
for name in chromium chromium-browser google-chrome; do
  if found "$name"; then echo "chromium: $(command -v "$name") (system)"; exit 0; fi
done
if found apt-get && [ "$(id -u)" = "0" ]; then
  echo "chromium: installing Debian's chromium with apt-get"
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
    echo "chromium: $(command -v chromium) (system, just installed)"; exit 0
  fi
  echo "chromium: apt-get could not install it; trying Playwright's download" >&2
fi
"$venv/bin/python" -m playwright install chromium
echo "chromium: Playwright's own build"
