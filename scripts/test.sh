#!/usr/bin/env bash
# Runs every test: each run starts its own Redis Cluster from redis-server on free ports (not the lab's),
# and the pages' tests drive Debian's chromium through chromium-driver.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/require-redis.sh
scripts/require-chromium.sh
mvn -B verify "$@"
