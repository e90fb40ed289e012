#!/usr/bin/env bash
# What one 100,000-seat event costs Redis over its life (bench/java/EventMemoryBench.java), one command:
#
#   bench/event-memory.sh [END_IN_SECONDS]     (default 60: the event ends, and is retired, then)
#
# Starts its own 8-node cluster (scripts/cluster.sh) on free ports away from the lab's 7001-7008 and
# the service on a free port (hold.maxSeatsPerHold 10), runs the benchmark, and stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
END_IN=${1:-60}
WORK=$(mktemp -d /tmp/boxoffice-membench.XXXXXX)
listening() { ss -Htln "sport = :$1" | grep -q .; }
free_range() { # a first port P with P..P+7 and their bus ports P+10000.. all free
  local p i
  for p in $(shuf -i 20000-29990 -n 200); do
    for i in $(seq 0 7); do listening $((p + i)) || listening $((p + i + 10000)) && continue 2; done
    echo "$p"; return
  done
  echo "no free ports for the cluster" >&2; exit 1
}
export CLUSTER_PORT=${BENCH_CLUSTER_PORT:-$(free_range)} CLUSTER_DIR=$WORK/cluster
HTTP_PORT=${BENCH_HTTP_PORT:-$(free_range)}
SERVICE=

stop() {
  [ -z "$SERVICE" ] || kill "$SERVICE" 2>/dev/null || true
  scripts/cluster.sh down >/dev/null 2>&1 || true
}
trap stop EXIT

scripts/require-redis.sh
mvn -q -B package -DskipTests
mvn -q -B dependency:build-classpath -Dmdep.outputFile="$WORK/classpath" >/dev/null
scripts/cluster.sh up >/dev/null
NODES=$(seq "$CLUSTER_PORT" $((CLUSTER_PORT + 7)) | sed 's|^|redis://127.0.0.1:|' | paste -sd,)
BOXOFFICE_HTTP_PORT=$HTTP_PORT BOXOFFICE_REDIS_NODES=$NODES java -jar target/boxoffice.jar -conf conf/local.json \
  >"$WORK/service.log" 2>&1 &
SERVICE=$!
for _ in $(seq 1 100); do
  curl -sf "localhost:$HTTP_PORT/health/ready" >/dev/null && break
  sleep 0.2
done
echo "command: bench/event-memory.sh $END_IN ($(redis-server --version | cut -d' ' -f3))"
java -cp "target/classes:$(cat "$WORK/classpath")" bench/java/EventMemoryBench.java "$HTTP_PORT" "$CLUSTER_PORT" "$END_IN"
