#!/bin/sh
# Creates the lab's Redis Cluster; run by the one-shot `cluster-init` service of docker-compose.yml
# once all eight nodes are healthy. POSIX sh and redis-cli only (the official Redis image, or the
# busybox-based local stand-in of docker/build-local-redis-image.sh).
#
#   redis-1..3  masters: slots 0-5460, 5461-10922, 10923-16383
#   redis-4..6  replicas of redis-1, redis-2, redis-3
#   redis-7, 8  spares: running, cluster-enabled, but outside the cluster (add them with
#               redis-cli --cluster add-node, then --cluster rebalance; see README)
#
# Idempotent: every step checks first, so on a lab that is already a cluster (a re-run, or containers
# restarted with their volumes) it changes nothing and exits 0. A node that already has slots or a
# master (after a failover, say) is left as it is.
set -eu

TIMEOUT=${CLUSTER_INIT_TIMEOUT:-120}

host() { echo "172.30.0.1$1"; }
port() { echo "700$1"; }
cli() { n=$1; shift; redis-cli -h "$(host "$n")" -p "$(port "$n")" "$@"; }
say() { echo "cluster-init: $*"; }
die() { say "FAILED: $*" >&2; exit 1; }

info_field() { # info_field NODE FIELD: one field of CLUSTER INFO
  cli "$1" cluster info | tr -d '\r' | sed -n "s/^$2://p"
}
myself() { cli "$1" cluster nodes | tr -d '\r' | grep myself; }
myid() { cli "$1" cluster myid | tr -d '\r'; }

wait_until() { # wait_until DESCRIPTION COMMAND...
  what=$1; shift
  waited=0
  until "$@"; do
    [ "$waited" -lt "$((TIMEOUT * 2))" ] || die "timed out after ${TIMEOUT}s waiting for $what"
    sleep 0.5
    waited=$((waited + 1))
  done
}

answers() { cli "$1" ping 2>/dev/null | grep -q PONG; }
all_answer() { for n in 1 2 3 4 5 6 7 8; do answers "$n" || return 1; done; }

# slot range owned by anyone in node N's view (an exact range token on any line of CLUSTER NODES)
range_owned() { cli "$1" cluster nodes | tr -d '\r' | grep -qE "(^| )$2( |$)"; }
knows_all() { for n in 1 2 3 4 5 6; do [ "$(info_field "$n" cluster_known_nodes)" -ge 6 ] || return 1; done; }
state_ok() { for n in 1 2 3 4 5 6; do [ "$(info_field "$n" cluster_state)" = ok ] || return 1; done; }
replicas_linked() { # every node that is a replica now (4-6 at first; others after a failover)
  for n in 1 2 3 4 5 6 7 8; do
    info=$(cli "$n" info replication | tr -d '\r')
    case "$info" in *role:slave*) echo "$info" | grep -q '^master_link_status:up' || return 1 ;; esac
  done
}

say "waiting for redis-1..8 to answer"
wait_until "every node to answer PING" all_answer

if state_ok 2>/dev/null && [ "$(info_field 1 cluster_slots_assigned)" = 16384 ]; then
  say "the cluster already exists: nothing to do"
else
  say "assigning slots to the masters"
  for spec in "1 0 5460" "2 5461 10922" "3 10923 16383"; do
    set -- $spec
    if range_owned "$1" "$2-$3"; then
      say "  redis-$1: slots $2-$3 already assigned"
    else
      cli "$1" cluster addslotsrange "$2" "$3" >/dev/null
      say "  redis-$1: slots $2-$3"
    fi
  done

  say "joining redis-2..6 to redis-1 (redis-7 and redis-8 stay spare)"
  for n in 2 3 4 5 6; do
    cli "$n" cluster meet "$(host 1)" "$(port 1)" >/dev/null
  done
  wait_until "redis-1..6 to know each other" knows_all

  say "attaching the replicas"
  for pair in "4 1" "5 2" "6 3"; do
    set -- $pair
    line=$(myself "$1")
    master_id=$(myid "$2")
    case "$line" in
      *slave*"$master_id"*) say "  redis-$1 already replicates redis-$2" ;;
      *slave*) say "  redis-$1 already replicates another master: left as it is" ;;
      *)
        # an empty master (no slot field after the 8 fixed ones) can become a replica
        if [ "$(echo "$line" | awk '{ print NF }')" -gt 8 ]; then
          say "  redis-$1 is a master with slots (after a failover?): left as it is"
        else
          # the new master may not have reached this node yet: retry until it has
          wait_until "redis-$1 to accept redis-$2 as its master" \
            sh -c "redis-cli -h $(host "$1") -p $(port "$1") cluster replicate $master_id | grep -q OK"
          say "  redis-$1 -> replica of redis-$2"
        fi
        ;;
    esac
  done
fi

say "waiting for cluster_state:ok on redis-1..6"
wait_until "cluster_state:ok" state_ok
say "waiting for the replicas to sync"
wait_until "the replicas to sync" replicas_linked

masters=0 replicas=0 spares=0
for n in 1 2 3 4 5 6 7 8; do
  line=$(myself "$n")
  case "$line" in
    *slave*)
      master=$(echo "$line" | awk '{ print $4 }')
      replicas=$((replicas + 1))
      what="replica of $(cli "$n" cluster nodes | tr -d '\r' | awk -v id="$master" '$1 == id { sub(/@.*/, "", $2); print $2 }')"
      ;;
    *)
      what="master $(echo "$line" | awk '{ s = ""; for (i = 9; i <= NF; i++) s = s $i " "; print s }')"
      if [ "$(info_field "$n" cluster_known_nodes)" = 1 ]; then
        what="spare, outside the cluster"
        spares=$((spares + 1))
      else
        masters=$((masters + 1))
      fi
      ;;
  esac
  say "  redis-$n $(host "$n"):$(port "$n") $what"
done
say "cluster ready: cluster_state:ok, 16384 slots on $masters masters, $replicas replicas, $spares spares"
