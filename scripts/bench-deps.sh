#!/usr/bin/env bash
# Installs the load generator `make bench` drives (wrk, from the Debian/Ubuntu package).
# Does nothing when wrk is already on the PATH.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "make bench needs wrk: sudo apt-get install -y wrk" >&2
  exit 1
fi
echo "Installing wrk (the HTTP load generator the benchmark drives)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq wrk >/dev/null
