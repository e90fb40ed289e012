#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver when either is missing: the browser tests
# (src/test/java/boxoffice/ui) drive /usr/bin/chromium through /usr/bin/chromedriver.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing chromium and chromium-driver from the distribution's packages"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
