#!/usr/bin/env bash
# Runs every test: each run starts its own Redis Cluster from redis-server on free ports (not the lab's).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/require-redis.sh
mvn -B verify "$@"
