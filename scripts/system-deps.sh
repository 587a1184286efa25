#!/usr/bin/env bash
# Installs the system packages the Python requirements build against (mysqlclient needs the MariaDB
# client headers and pkg-config). Does nothing when they are already present.
set -euo pipefail
if pkg-config --exists mysqlclient 2>/dev/null || pkg-config --exists libmariadb 2>/dev/null \
   || pkg-config --exists mariadb 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "mysqlclient needs the MariaDB client headers: sudo apt-get install -y libmariadb-dev pkg-config" >&2
  exit 1
fi
echo "Installing libmariadb-dev and pkg-config (needed to build mysqlclient)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq libmariadb-dev pkg-config >/dev/null
