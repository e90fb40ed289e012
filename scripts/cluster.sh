#!/usr/bin/env bash
# The lab Redis Cluster from Debian's redis-server, no Docker: 8 nodes on consecutive ports,
# 1-3 masters, 4-6 their replicas, 7-8 empty spares for scaling out.
#
#   scripts/cluster.sh up [--unreachable]   start the nodes and create the cluster (safe to run twice);
#                                           after a down or a crash, the same cluster with its data
#   scripts/cluster.sh down [--wipe]        stop every node; its data stays for the next up, unless --wipe
#   scripts/cluster.sh status               cluster state and the role of each node
#   scripts/cluster.sh kill N | start N     SIGKILL node N / start it again with its old identity
#   scripts/cluster.sh pause N | resume N   SIGSTOP node N (it stalls, sockets open) / SIGCONT it
#   scripts/cluster.sh spare N              (re)join node N as an empty master, e.g. after del-node
#
# --unreachable makes the nodes announce the hostnames 127.0.1.1N, on which nothing listens, the way
# nodes in Docker announce their container addresses; conf/local-unreachable.json maps them back.
#
# Every node keeps an append-only file (fsync every second): a sale answered before the nodes are
# stopped, SIGKILLed or all crash at once is there when they start again (a power cut of the machine
# may lose the last second). Holds are not protected by WAIT, so a master cut off from the others by
# a network partition may acknowledge holds its promoted replica never had; see README, "When a node
# fails", for the figures and why min-replicas-to-write stays off by default.
#
# Environment: CLUSTER_PORT (first port, default 7001; bus ports are port + 10000),
# CLUSTER_DIR (default .cluster in the project), CLUSTER_NODE_TIMEOUT (ms, default 5000),
# CLUSTER_PERSISTENCE (yes or no, default yes; the tests' own cluster runs without),
# CLUSTER_MIN_REPLICAS (min-replicas-to-write, default 0) and CLUSTER_MIN_REPLICAS_MAX_LAG (s, default 1).
# These are written when a node's configuration is made (the first up, or after down --wipe).
set -euo pipefail

cd "$(dirname "$0")/.."
PORT=${CLUSTER_PORT:-7001}
DIR=${CLUSTER_DIR:-$PWD/.cluster}
NODE_TIMEOUT=${CLUSTER_NODE_TIMEOUT:-5000}
PERSISTENCE=${CLUSTER_PERSISTENCE:-yes}
MIN_REPLICAS=${CLUSTER_MIN_REPLICAS:-0}
MIN_REPLICAS_MAX_LAG=${CLUSTER_MIN_REPLICAS_MAX_LAG:-1}
NODES=8

port_of() { echo $((PORT + $1 - 1)); }
cli() { redis-cli -h 127.0.0.1 -p "$(port_of "$1")" "${@:2}"; }
alive() { cli "$1" ping >/dev/null 2>&1; }

die() { echo "cluster.sh: $*" >&2; exit 1; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || die "timed out waiting for $what"
    sleep 0.1
  done
}

write_conf() { # write_conf N UNREACHABLE
  local n=$1 p; p=$(port_of "$1")
  mkdir -p "$DIR/$n"
  {
    echo "port $p"
    echo "bind 127.0.0.1"
    echo "dir $DIR/$n"
    echo "daemonize yes"
    echo "pidfile $DIR/$n/redis.pid"
    echo "logfile $DIR/$n/redis.log"
    echo "cluster-enabled yes"
    echo "cluster-config-file nodes.conf"
    echo "cluster-node-timeout $NODE_TIMEOUT"
    # a shard without a master fails its own calls, not the whole cluster's
    echo "cluster-require-full-coverage no"
    # an emptied master stays an (empty) master instead of turning into a replica: spares stay spares
    echo "cluster-allow-replica-migration no"
    echo "repl-diskless-sync-delay 0"
    if [ "$PERSISTENCE" = yes ]; then
      echo "appendonly yes"
      echo "appendfsync everysec"
    else
      echo "appendonly no"
    fi
    echo 'save ""'
    echo "min-replicas-to-write $MIN_REPLICAS"
    echo "min-replicas-max-lag $MIN_REPLICAS_MAX_LAG"
    if [ "$2" = 1 ]; then
      echo "cluster-announce-hostname 127.0.1.1$n"
      echo "cluster-preferred-endpoint-type hostname"
    fi
  } >"$DIR/$n/redis.conf"
}

start_node() {
  alive "$1" && return 0
  [ -f "$DIR/$1/redis.conf" ] || die "node $1 has no configuration; run 'up' first"
  redis-server "$DIR/$1/redis.conf"
  wait_for 10 "node $1 to start" alive "$1"
}

node_id() { cli "$1" cluster myid; }
known_nodes() { cli "$1" cluster info | tr -d '\r' | sed -n 's/^cluster_known_nodes://p'; }
state_ok() { cli "$1" cluster info 2>/dev/null | tr -d '\r' | grep -q '^cluster_state:ok'; }
slots_assigned() { cli 1 cluster info | tr -d '\r' | sed -n 's/^cluster_slots_assigned://p'; }

all_know_all() {
  local n
  for n in $(seq 1 $NODES); do [ "$(known_nodes "$n")" = "$NODES" ] || return 1; done
}

all_ok() {
  local n
  for n in $(seq 1 6); do state_ok "$n" || return 1; done
}

replicas_synced() {
  local n
  for n in 4 5 6; do
    cli "$n" info replication | tr -d '\r' | grep -q '^master_link_status:up' || return 1
  done
}

create_cluster() {
  local n
  cli 1 cluster addslotsrange 0 5460 >/dev/null
  cli 2 cluster addslotsrange 5461 10922 >/dev/null
  cli 3 cluster addslotsrange 10923 16383 >/dev/null
  for n in $(seq 2 $NODES); do cli "$n" cluster meet 127.0.0.1 "$(port_of 1)" >/dev/null; done
  wait_for 30 "all nodes to meet" all_know_all
  for n in 4 5 6; do cli "$n" cluster replicate "$(node_id $((n - 3)))" >/dev/null; done
}

up() {
  local unreachable=0 n
  [ "${1:-}" = "--unreachable" ] && unreachable=1
  command -v redis-server >/dev/null || die "redis-server is not installed (apt-get install redis-server)"
  for n in $(seq 1 $NODES); do
    if ! alive "$n"; then
      [ -f "$DIR/$n/nodes.conf" ] || write_conf "$n" "$unreachable"
      start_node "$n"
    fi
  done
  [ "$(slots_assigned)" = 0 ] && create_cluster
  wait_for 60 "cluster_state:ok" all_ok
  wait_for 60 "replicas to sync" replicas_synced
  echo "cluster up on 127.0.0.1:$(port_of 1)-$(port_of $NODES)"
}

down() {
  local wipe=0 n
  case "${1:-}" in
    "") ;;
    --wipe) wipe=1 ;;
    *) die "unknown option for down: $1 (--wipe deletes the data)" ;;
  esac
  for n in $(seq 1 $NODES); do
    # a plain SHUTDOWN flushes and fsyncs the append-only file
    alive "$n" && cli "$n" shutdown >/dev/null 2>&1 || true
  done
  for n in $(seq 1 $NODES); do
    wait_for 10 "node $n to stop" bash -c "! redis-cli -p $(port_of "$n") ping >/dev/null 2>&1"
  done
  if [ "$wipe" = 1 ]; then
    rm -rf "$DIR"
    echo "cluster down, its data deleted"
  else
    echo "cluster down, its data kept in $DIR (scripts/cluster.sh up brings it back; down --wipe deletes it)"
  fi
}

status() {
  alive 1 || alive 2 || alive 3 || die "no node answers on 127.0.0.1:$(port_of 1)-$(port_of 3)"
  local n
  for n in $(seq 1 $NODES); do
    if alive "$n"; then
      echo "node $n 127.0.0.1:$(port_of "$n") $(cli "$n" role | head -1) $(cli "$n" cluster info | tr -d '\r' | grep '^cluster_state')"
    else
      echo "node $n 127.0.0.1:$(port_of "$n") down"
    fi
  done
}

kill_node() {
  [ -f "$DIR/$1/redis.pid" ] || die "node $1 is not running"
  kill -9 "$(cat "$DIR/$1/redis.pid")"
  rm -f "$DIR/$1/redis.pid"
  wait_for 10 "node $1 to die" bash -c "! redis-cli -p $(port_of "$1") ping >/dev/null 2>&1"
}

signal_node() { # signal_node N SIGNAL
  [ -f "$DIR/$1/redis.pid" ] || die "node $1 is not running"
  kill "-$2" "$(cat "$DIR/$1/redis.pid")"
}

spare() {
  local n=$1
  if alive "$n"; then cli "$n" shutdown nosave >/dev/null 2>&1 || true; fi
  wait_for 10 "node $n to stop" bash -c "! redis-cli -p $(port_of "$n") ping >/dev/null 2>&1"
  # an empty master: no identity, no data
  rm -rf "$DIR/$n/nodes.conf" "$DIR/$n/appendonlydir" "$DIR/$n/dump.rdb"
  start_node "$n"
  redis-cli --cluster add-node "127.0.0.1:$(port_of "$n")" "127.0.0.1:$(port_of 1)" >/dev/null 2>&1 ||
    redis-cli --cluster add-node "127.0.0.1:$(port_of "$n")" "127.0.0.1:$(port_of 2)" >/dev/null
  wait_for 30 "node $n to join" state_ok "$n"
}

case "${1:-}" in
  up) up "${2:-}" ;;
  down) down "${2:-}" ;;
  status) status ;;
  kill) kill_node "${2:?node number}" ;;
  start) start_node "${2:?node number}" ;;
  spare) spare "${2:?node number}" ;;
  pause) signal_node "${2:?node number}" STOP ;;
  resume) signal_node "${2:?node number}" CONT ;;
  *) echo "usage: $0 up [--unreachable] | down [--wipe] | status | kill N | start N | pause N | resume N | spare N" >&2; exit 2 ;;
esac
