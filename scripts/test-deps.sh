#!/usr/bin/env bash
# Installs the Debian programs the test suite drives as real parts: Chromium (browser tests, through
# playwright with executable_path=/usr/bin/chromium; never `playwright install`) and nginx (the front proxy).
# Does nothing when they are already present.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "The browser and proxy tests need: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} (the tests drive them as real parts)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
