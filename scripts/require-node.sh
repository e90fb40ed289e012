#!/usr/bin/env bash
# Installs Debian's nodejs when node is missing: the k6 scenarios are checked without k6, by
# k6/check-syntax.sh and by the test that runs each through k6/tools/dry-run.mjs (src/test/java/boxoffice/k6).
set -euo pipefail
if command -v node >/dev/null && command -v curl >/dev/null; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing nodejs and curl from the distribution's packages"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs curl >/dev/null
