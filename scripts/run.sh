#!/usr/bin/env bash
# Starts the local lab cluster (127.0.0.1:7001-7008) and the service on http://localhost:8080.
# Extra arguments go to `scripts/cluster.sh up` (e.g. --unreachable, then use
# BOXOFFICE_CONF=conf/local-unreachable.json). Stop with Ctrl-C; `scripts/cluster.sh down` stops the lab.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/require-redis.sh
scripts/cluster.sh up "$@"
scripts/build-jar.sh
exec java -jar target/boxoffice.jar -conf "${BOXOFFICE_CONF:-conf/local.json}"
