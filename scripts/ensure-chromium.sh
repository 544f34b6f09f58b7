#!/usr/bin/env bash
# Make sure a Chromium exists for Playwright. Preference: $ZYNTRO_ENRICH_CHROMIUM; Debian's
# chromium-headless-shell (lighter and faster for headless work) and chromium, installed with apt-get
# when running as root; a system chromium/google-chrome already on PATH; else Playwright's own download.
set -euo pipefail
venv="${1:-.venv}"
found() { command -v "$1" >/dev/null 2>&1; }

if [ -n "${ZYNTRO_ENRICH_CHROMIUM:-}" ] && [ -x "$ZYNTRO_ENRICH_CHROMIUM" ]; then
  echo "chromium: $ZYNTRO_ENRICH_CHROMIUM (ZYNTRO_ENRICH_CHROMIUM)"; exit 0
fi
if found chromium-headless-shell; then
  echo "chromium: $(command -v chromium-headless-shell) (system)"; exit 0
fi
if found apt-get && [ "$(id -u)" = "0" ]; then
  echo "chromium: installing Debian's chromium-headless-shell and chromium with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq >/dev/null && { apt-get install -y -qq chromium-headless-shell chromium >/dev/null \
       || apt-get install -y -qq chromium >/dev/null; }; then
    echo "chromium: $(command -v chromium-headless-shell || command -v chromium) (system, just installed)"; exit 0
  fi
  echo "chromium: apt-get could not install it" >&2
fi
for name in chromium chromium-browser google-chrome google-chrome-stable; do
  if found "$name"; then echo "chromium: $(command -v "$name") (system)"; exit 0; fi
done
echo "chromium: no system browser; downloading Playwright's own build"
"$venv/bin/python" -m playwright install chromium
