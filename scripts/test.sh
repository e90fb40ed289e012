#!/usr/bin/env bash
# Runs every test: each run starts its own Redis Cluster from redis-server on free ports (not the lab's),
# the pages' tests drive Debian's chromium through chromium-driver, the partition tests cut nodes of a
# cluster of their own on 127.0.2.x off from each other with iptables, and the k6 scenarios run once in
# node (k6/tools/dry-run.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/require-redis.sh
scripts/require-chromium.sh
scripts/require-iptables.sh
scripts/require-node.sh
mvn -B verify "$@"
