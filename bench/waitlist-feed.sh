#!/usr/bin/env bash
# Waitlist promotion latency and live-feed fan-out (bench/java/WaitlistFeedBench.java), one command:
#
#   bench/waitlist-feed.sh [ROUNDS] [SUBSCRIBERS]     (default 3 rounds, 200 subscribers)
#
# Starts its own 8-node cluster (scripts/cluster.sh) on free ports away from the lab's 7001-7008 and
# the service on a free port, runs the benchmark, and stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SUBSCRIBERS=${2:-200}
WORK=$(mktemp -d /tmp/boxoffice-wfbench.XXXXXX)
export CLUSTER_PORT=${BENCH_CLUSTER_PORT:-7501} CLUSTER_DIR=$WORK/cluster
HTTP_PORT=${BENCH_HTTP_PORT:-18180}
SERVICE=

stop() {
  [ -z "$SERVICE" ] || kill "$SERVICE" 2>/dev/null || true
  scripts/cluster.sh down >/dev/null 2>&1 || true
}
trap stop EXIT

scripts/require-redis.sh
[ -f target/boxoffice.jar ] || mvn -q -B package -DskipTests
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
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "command: bench/waitlist-feed.sh $ROUNDS $SUBSCRIBERS"
java -cp "target/classes:$(cat "$WORK/classpath")" bench/java/WaitlistFeedBench.java "$HTTP_PORT" "$ROUNDS" "$SUBSCRIBERS"
