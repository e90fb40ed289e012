#!/usr/bin/env bash
# Proves the Docker lab end to end (issue 5): the 8-node Redis Cluster of docker-compose.yml, and the
# service on the host reaching it through the address override of conf/docker.json.
#
#   scripts/docker-lab-check.sh
#
# 1. Docker: uses the running engine; otherwise installs Debian's docker.io and docker-compose
#    (when missing) and starts dockerd in the background (left running for the Testcontainers tests).
# 2. The Redis image: REDIS_IMAGE when it names another image (redis:7.4, say: Compose pulls it);
#    unset, or boxoffice-redis:local, builds that local stand-in from Debian's redis binaries
#    (docker/build-local-redis-image.sh), for machines that reach no image registry.
# 3. `compose up -d`, then waits for the one-shot cluster-init and for cluster_state:ok.
# 4. Builds the service and starts it on the host with conf/docker.json on a free port.
# 5. A short scenario through the HTTP API: an event on each of the three masters, holds, a
#    conflict, a confirm, a cancel, checking every answer and the counts.
# 6. The override: /health/ready's addressMap counters (remapped > 0), the service's sockets (all to
#    127.0.0.1, none to an announced 172.30.0.x address), then a second start with the announced
#    addresses as seeds, where every connection must have been remapped (connections == remapped).
# 7. The `app` profile: two instances on one clustered event bus and the event tail, in containers
#    (JRE_IMAGE; unset or boxoffice-jre:local, built from this machine's Java by
#    docker/build-local-jre-image.sh): an event created through one instance and a hold made through
#    the other both reach the tail; each instance counts three cluster members.
# 8. Tears everything down (`compose down -v`), on failure too, and checks that no container,
#    network or volume of the project is left. Exits non-zero on any failure.
#
# Environment: REDIS_IMAGE (see 2), JRE_IMAGE (see 7), BOXOFFICE_LAB_PROJECT (Compose project name,
# default boxoffice-lab), BOXOFFICE_SKIP_BUILD=1 (use target/boxoffice.jar as it is).
# Traffic goes only to 127.0.0.1 and to the project's own containers (docker exec).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PROJECT=${BOXOFFICE_LAB_PROJECT:-boxoffice-lab}
LOCAL_IMAGE=boxoffice-redis:local
IMAGE=${REDIS_IMAGE:-$LOCAL_IMAGE}
WORK=$(mktemp -d)
SERVICE_PID=
SERVICE_LOG=
STARTED=$SECONDS
STEP_STARTED=$SECONDS

say() { printf '[docker-lab %3ds] %s\n' "$((SECONDS - STARTED))" "$*"; }
STEP=
TIMES=()
step() { # step NAME: ends the step before (its time goes to the summary) and starts this one
  [ -z "$STEP" ] || TIMES+=("$(printf '%4ds  %s' "$((SECONDS - STEP_STARTED))" "$STEP")")
  STEP=$*
  STEP_STARTED=$SECONDS
  [ -z "$STEP" ] || printf '[docker-lab %3ds] == %s\n' "$((SECONDS - STARTED))" "$*"
}
fail() { printf '[docker-lab %3ds] FAILED: %s\n' "$((SECONDS - STARTED))" "$*" >&2; exit 1; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out after $((SECONDS - deadline + $1))s waiting for $what"
    sleep 0.5
  done
}

# --- cleanup, also on failure -------------------------------------------------------------------

COMPOSE=()
compose() { "${COMPOSE[@]}" -p "$PROJECT" -f "$ROOT/docker-compose.yml" "$@"; }

stop_service() { # SIGTERM, as on Ctrl-C or docker stop; SIGKILL after 15 s
  local since=$SECONDS
  if [ -n "$SERVICE_PID" ] && kill -0 "$SERVICE_PID" 2>/dev/null; then
    kill "$SERVICE_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$SERVICE_PID" 2>/dev/null; then
      say "note: the service did not stop within 15 s of SIGTERM; killed"
      kill -9 "$SERVICE_PID" 2>/dev/null || true
    elif [ $((SECONDS - since)) -ge 5 ]; then
      say "note: the service took $((SECONDS - since)) s to stop after SIGTERM"
    fi
    wait "$SERVICE_PID" 2>/dev/null || true
  fi
  SERVICE_PID=
}

leftovers() { # containers, networks and volumes that carry the project's Compose label
  local label="label=com.docker.compose.project=$PROJECT"
  {
    docker ps -aq --filter "$label" | sed 's/^/container /'
    docker network ls -q --filter "$label" | sed 's/^/network /'
    docker volume ls -q --filter "$label" | sed 's/^/volume /'
  } 2>/dev/null
}

teardown() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ "$rc" != 0 ]; then
    if [ -n "$SERVICE_LOG" ] && [ -s "$SERVICE_LOG" ]; then
      echo "--- last lines of the service's log ---" >&2
      tail -n 30 "$SERVICE_LOG" >&2
    fi
    if [ ${#COMPOSE[@]} -gt 0 ] && docker info >/dev/null 2>&1; then
      echo "--- the lab's containers, and cluster-init's log ---" >&2
      compose ps >&2 2>/dev/null
      compose logs --no-color --tail 20 cluster-init >&2 2>/dev/null
    fi
  fi
  stop_service
  if [ ${#COMPOSE[@]} -gt 0 ] && docker info >/dev/null 2>&1; then
    say "tearing the lab down (compose down -v)"
    compose --profile app down -v --remove-orphans >"$WORK/down.log" 2>&1 \
      || compose down -v --remove-orphans >"$WORK/down.log" 2>&1 || cat "$WORK/down.log" >&2
    local left; left=$(leftovers)
    if [ -n "$left" ]; then
      echo "$left" >&2
      say "FAILED: the project left the above behind" >&2
      [ "$rc" = 0 ] && rc=1
    else
      say "nothing of project $PROJECT is left (containers, networks, volumes)"
    fi
  fi
  rm -rf "$WORK"
  step ""
  if [ ${#TIMES[@]} -gt 0 ]; then
    say "time per step:"
    printf '                  %s\n' "${TIMES[@]}"
  fi
  if [ "$rc" = 0 ]; then
    say "PASSED in $((SECONDS - STARTED))s"
  else
    say "FAILED (exit $rc) after $((SECONDS - STARTED))s" >&2
  fi
  exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. Docker ----------------------------------------------------------------------------------

step "1. Docker engine and Compose"
apt_updated=0
apt_install() {
  [ "$(id -u)" = 0 ] || fail "need root to install $* (or install them yourself)"
  if [ "$apt_updated" = 0 ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log" >&2; fail "apt-get update"; }
    apt_updated=1
  fi
  say "apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$WORK/apt.log" 2>&1 \
    || { tail -n 20 "$WORK/apt.log" >&2; fail "apt-get install $*"; }
}

for tool in java mvn; do
  command -v "$tool" >/dev/null || fail "$tool is missing: the service is built with Maven and runs on Java 17"
done
missing=()
command -v curl >/dev/null || missing+=(curl)
command -v jq >/dev/null || missing+=(jq)
command -v ss >/dev/null || missing+=(iproute2)
if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null || missing+=(docker.io)
fi
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then
  missing+=(docker-compose)
fi
if [ "$IMAGE" = "$LOCAL_IMAGE" ]; then
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-cli >/dev/null || missing+=(redis-tools)
  { [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; } || missing+=(busybox-static)
fi
[ ${#missing[@]} = 0 ] || apt_install "${missing[@]}"

if docker info >/dev/null 2>&1; then
  say "Docker engine is running"
else
  say "starting dockerd in the background (log: /var/log/boxoffice-dockerd.log)"
  [ "$(id -u)" = 0 ] || fail "no Docker engine answers, and only root can start dockerd here"
  setsid nohup dockerd >/var/log/boxoffice-dockerd.log 2>&1 </dev/null &
  wait_for 60 "dockerd to answer 'docker info'" bash -c 'docker info >/dev/null 2>&1'
  say "dockerd is up"
fi
if docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
else
  COMPOSE=(docker-compose)
fi
say "engine $(docker version -f '{{.Server.Version}}' 2>/dev/null), compose: ${COMPOSE[*]} ($("${COMPOSE[@]}" version --short 2>/dev/null || echo '?'))"

# a lab left by an earlier, interrupted run of this script
if [ -n "$(leftovers)" ]; then
  say "removing what an earlier run of project $PROJECT left"
  compose --profile app down -v --remove-orphans >/dev/null 2>&1 || compose down -v --remove-orphans >/dev/null 2>&1 || true
fi
busy=$(ss -ltnH 2>/dev/null | awk '{ print $4 }' | grep -E '^(127\.0\.0\.1|0\.0\.0\.0|\*|\[::\]|\[::1\]):1?700[1-8]$' || true)
[ -z "$busy" ] || fail "ports the lab publishes are taken: $(echo "$busy" | tr '\n' ' ')(another lab, e.g. scripts/cluster.sh up?)"

# --- 2. The image -------------------------------------------------------------------------------

step "2. Redis image"
if [ "$IMAGE" = "$LOCAL_IMAGE" ]; then
  say "no registry needed: building $LOCAL_IMAGE from Debian's redis binaries"
  bash docker/build-local-redis-image.sh "$LOCAL_IMAGE" | sed "s/^/[docker-lab $(printf '%3d' $((SECONDS - STARTED)))s]   /"
else
  say "using REDIS_IMAGE=$IMAGE"
fi
export REDIS_IMAGE=$IMAGE

# --- 3. The lab ---------------------------------------------------------------------------------

step "3. The lab: 8 nodes and cluster-init"
compose up -d >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; fail "compose up"; }
say "containers up; waiting for cluster-init to finish"
init_id=$(compose ps -q cluster-init)
[ -n "$init_id" ] || fail "no cluster-init container"
init_done() { [ "$(docker inspect -f '{{.State.Status}}' "$init_id")" = exited ]; }
wait_for 180 "cluster-init to finish" init_done
init_rc=$(docker inspect -f '{{.State.ExitCode}}' "$init_id")
docker logs "$init_id" 2>&1 | sed 's/^/    /'
[ "$init_rc" = 0 ] || fail "cluster-init exited with $init_rc"

declare -A NODE_ID
for n in 1 2 3 4 5 6 7 8; do
  NODE_ID[$n]=$(compose ps -q "redis-$n")
  [ -n "${NODE_ID[$n]}" ] || fail "no container for redis-$n"
done
# redis-cli inside the node's own container: nothing but the project's containers is addressed
node_cli() { local n=$1; shift; docker exec "${NODE_ID[$n]}" redis-cli -p "700$n" "$@" | tr -d '\r'; }
for n in 1 2 3 4 5 6; do
  state=$(node_cli "$n" cluster info | sed -n 's/^cluster_state://p')
  [ "$state" = ok ] || fail "redis-$n reports cluster_state:$state"
done
for n in 4 5 6; do
  master=$(node_cli "$n" info replication | sed -n 's/^master_host://p')
  [ "$master" = "172.30.0.1$((n - 3))" ] || fail "redis-$n replicates '$master', not redis-$((n - 3))"
done
for n in 7 8; do
  known=$(node_cli "$n" cluster info | sed -n 's/^cluster_known_nodes://p')
  [ "$known" = 1 ] || fail "spare redis-$n knows $known nodes; it should stay outside the cluster"
done
say "cluster_state:ok on redis-1..6; replicas 4->1, 5->2, 6->3; redis-7 and redis-8 spare"

say "running cluster-init again (it must change nothing)"
compose up -d >"$WORK/up2.log" 2>&1 || { cat "$WORK/up2.log" >&2; fail "second compose up"; }
# the first run's log never says 'nothing to do': waiting for it waits for the second run
saw_existing() { docker logs "$init_id" 2>&1 | grep -q 'nothing to do'; }
wait_for 60 "cluster-init to see the existing cluster" saw_existing
wait_for 60 "cluster-init to finish again" init_done
[ "$(docker inspect -f '{{.State.ExitCode}}' "$init_id")" = 0 ] || fail "cluster-init failed on re-run"
say "cluster-init on the existing cluster: nothing to do, exit 0"

# --- 4. The service on the host -----------------------------------------------------------------

step "4. The service on the host with conf/docker.json"
if [ "${BOXOFFICE_SKIP_BUILD:-}" = 1 ] && [ -f target/boxoffice.jar ]; then
  say "using target/boxoffice.jar as it is"
else
  say "mvn -q -B package -DskipTests"
  mvn -q -B package -DskipTests >"$WORK/build.log" 2>&1 || { tail -n 40 "$WORK/build.log" >&2; fail "the build"; }
fi
[ -f target/boxoffice.jar ] || fail "target/boxoffice.jar was not built"

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 10000))
    ss -ltnH | awk '{ print $4 }' | grep -qE "[:.]$port\$" || { echo "$port"; return; }
  done
}
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"

start_service() { # start_service LOG [ENV=VALUE...]
  local log=$1; shift
  SERVICE_LOG=$log
  env BOXOFFICE_HTTP_PORT="$PORT" "$@" java -jar target/boxoffice.jar -conf conf/docker.json >"$log" 2>&1 &
  SERVICE_PID=$!
  ready() {
    kill -0 "$SERVICE_PID" 2>/dev/null || fail "the service exited: $(tail -n 5 "$log")"
    [ "$(curl -s --noproxy '*' --max-time 5 -o /dev/null -w '%{http_code}' "$BASE/health/ready")" = 200 ]
  }
  wait_for 90 "the service to be ready on port $PORT" ready
}
start_service "$WORK/service.log"
say "service ready on 127.0.0.1:$PORT (pid $SERVICE_PID)"

# --- 5. Scenario --------------------------------------------------------------------------------

step "5. Scenario through the HTTP API"
BODY=$WORK/body.json
call() { # call METHOD PATH [JSON] -> prints the status; the body is in $BODY
  local args=(-s --noproxy '*' --max-time 15 -o "$BODY" -w '%{http_code}' -X "$1" "$BASE$2")
  [ $# -lt 3 ] || args+=(-H 'Content-Type: application/json' --data-binary "$3")
  curl "${args[@]}"
}
expect() { # expect STATUS METHOD PATH [JSON]
  local want=$1; shift
  local got; got=$(call "$@")
  [ "$got" = "$want" ] || fail "$1 $2 answered $got, expected $want: $(head -c 400 "$BODY")"
}
field() { jq -r "$1" "$BODY"; }
check() { # check JQ-EXPR EXPECTED WHAT
  local got; got=$(field "$1")
  [ "$got" = "$2" ] || fail "$3: $1 is '$got', expected '$2' in $(head -c 400 "$BODY")"
}

# an event id on each master, by the CRC16 slot of its hash tag, as the cluster computes it
run=r$(date +%s)$RANDOM
declare -A EVENT
for i in $(seq 0 200); do
  slot=$(node_cli 1 cluster keyslot "{event:$run-$i}")
  master=$((slot <= 5460 ? 1 : slot <= 10922 ? 2 : 3))
  [ -n "${EVENT[$master]:-}" ] || EVENT[$master]=$run-$i
  [ ${#EVENT[@]} -lt 3 ] || break
done
[ ${#EVENT[@]} = 3 ] || fail "could not pick an event id for each master"

for m in 1 2 3; do
  id=${EVENT[$m]}
  expect 201 POST /events "{\"id\":\"$id\",\"name\":\"Lab night $m\",\"venue\":\"Docker hall\",\"price\":25,\"rows\":2,\"seatsPerRow\":5}"
  check .available 10 "new event $id"
  [ "$(node_cli "$m" exists "{event:$id}")" = 1 ] || fail "event $id is not on redis-$m"
  say "event $id created: 10 seats, stored on master redis-$m (slot $(node_cli 1 cluster keyslot "{event:$id}"))"
done
E1=${EVENT[1]} E2=${EVENT[2]} E3=${EVENT[3]}

expect 201 POST "/events/$E1/reservations" '{"userId":"alice","seats":["A1","A2"]}'
check .status pending "alice's hold"; check '.seats | join(",")' A1,A2 "alice's hold"
R1=$(field .reservationId)
expect 409 POST "/events/$E1/reservations" '{"userId":"bob","seats":["A2","A3"]}'
say "redis-1: alice holds A1,A2; bob's hold on A2,A3 is refused with 409"
expect 403 POST "/events/$E1/reservations/$R1/confirm" '{"userId":"bob"}'
expect 200 POST "/events/$E1/reservations/$R1/confirm" '{"userId":"alice"}'
check .status confirmed "alice's confirm"
say "redis-1: bob cannot confirm alice's hold (403); alice confirms (200, confirmed)"

expect 201 POST "/events/$E2/reservations" '{"userId":"carol","quantity":3}'
check .status pending "carol's hold"; check '.seats | length' 3 "carol's hold"
R2=$(field .reservationId)
expect 200 POST "/events/$E2/reservations/$R2/cancel" '{"userId":"carol"}'
check .status cancelled "carol's cancel"
expect 409 POST "/events/$E2/reservations/$R2/confirm" '{"userId":"carol"}'
say "redis-2: carol holds 3 best seats, cancels (200), cannot confirm afterwards (409)"

expect 201 POST "/events/$E3/reservations" '{"userId":"dave","seats":["B5"]}'
check .status pending "dave's hold"
expect 201 POST "/events/$E3/reservations" '{"userId":"erin","quantity":2}'
say "redis-3: dave holds B5, erin holds 2 more"

counts() { expect 200 GET "/events/$1"; echo "$(field .available)/$(field .held)/$(field .sold)"; }
[ "$(counts "$E1")" = 8/0/2 ] || fail "$E1 counts available/held/sold are $(counts "$E1"), expected 8/0/2"
[ "$(counts "$E2")" = 10/0/0 ] || fail "$E2 counts are $(counts "$E2"), expected 10/0/0"
[ "$(counts "$E3")" = 7/3/0 ] || fail "$E3 counts are $(counts "$E3"), expected 7/3/0"
say "counts available/held/sold: $E1 8/0/2, $E2 10/0/0, $E3 7/3/0 (as expected)"

# --- 6. The address override --------------------------------------------------------------------

step "6. Every node connection went through the address override"
expect 200 GET /health/ready
check .ready true "readiness"
connections=$(field .addressMap.connections)
remapped=$(field .addressMap.remapped)
say "/health/ready addressMap: connections=$connections remapped=$remapped (unmapped: $((connections - remapped)), the seeds 127.0.0.1:700N of conf/docker.json, which need no mapping)"
[ "$remapped" -gt 0 ] || fail "no connection was remapped"

# the service's own sockets, as the kernel sees them
ss -tnpH state established 2>/dev/null | grep -F "pid=$SERVICE_PID," | awk '{ print $4 }' \
  | sed -e 's/^\[::ffff:\(.*\)\]:/\1:/' | sort >"$WORK/peers"
[ -s "$WORK/peers" ] || fail "ss shows no connection of the service (pid $SERVICE_PID)"
grep -q '^172\.30\.0\.' "$WORK/peers" && fail "the service has sockets to announced addresses: $(grep '^172\.30\.0\.' "$WORK/peers" | tr '\n' ' ')"
others=$(grep -vE '^127\.0\.0\.1:700[1-8]$' "$WORK/peers" || true)
[ -z "$others" ] || fail "the service has sockets to unexpected peers: $others"
for n in 1 2 3 4 5 6; do
  grep -qx "127.0.0.1:700$n" "$WORK/peers" || fail "the service has no socket to redis-$n (127.0.0.1:700$n)"
done
say "the service's $(wc -l <"$WORK/peers") Redis sockets: $(uniq -c "$WORK/peers" | awk '{ printf "%s x%s  ", $2, $1 }')"
say "none to 172.30.0.0/24: the nodes' announced addresses were all rewritten to 127.0.0.1:700N"

stop_service
announced=$(printf 'redis://172.30.0.1%d:700%d,' 1 1 2 2 3 3 4 4 5 5 6 6 7 7 8 8); announced=${announced%,}
say "restarting the service with the announced addresses as seeds (BOXOFFICE_REDIS_NODES=redis://172.30.0.11:7001,...)"
start_service "$WORK/service2.log" BOXOFFICE_REDIS_NODES="$announced"
counts "$E1" >/dev/null
expect 201 POST "/events/$E3/reservations" '{"userId":"frank","quantity":1}'
[ "$(counts "$E3")" = 6/4/0 ] || fail "$E3 counts are $(counts "$E3"), expected 6/4/0"
expect 200 GET /health/ready
connections2=$(field .addressMap.connections)
remapped2=$(field .addressMap.remapped)
say "/health/ready addressMap: connections=$connections2 remapped=$remapped2"
[ "$remapped2" -gt 0 ] && [ "$connections2" = "$remapped2" ] || fail "not every connection was remapped"
say "every connection, seeds included, went through the override; data written before is read back"
stop_service

# --- 7. The app profile --------------------------------------------------------------------------

step "7. Two instances on one clustered event bus, and the event tail, in containers"
LOCAL_JRE=boxoffice-jre:local
export JRE_IMAGE=${JRE_IMAGE:-$LOCAL_JRE}
if [ "$JRE_IMAGE" = "$LOCAL_JRE" ]; then
  say "no registry needed: building $LOCAL_JRE from this machine's Java"
  bash docker/build-local-jre-image.sh "$LOCAL_JRE" | sed "s/^/[docker-lab $(printf '%3d' $((SECONDS - STARTED)))s]   /"
fi
APP1=$(free_port)
APP2=$(free_port)
BOXOFFICE_PORT=$APP1 BOXOFFICE_PORT_2=$APP2 compose --profile app up -d --build >"$WORK/app.log" 2>&1 \
  || { tail -n 30 "$WORK/app.log" >&2; fail "compose --profile app up"; }
members() { # the cluster members an instance counts (the lab sets no admin key: details are public)
  curl -s --noproxy '*' --max-time 5 "http://127.0.0.1:$1/health/ready" | jq -r '.clusterMembers // 0' 2>/dev/null
}
three_members() { [ "$(members "$APP1")" = 3 ] && [ "$(members "$APP2")" = 3 ]; }
wait_for 180 "both instances ready, each counting 3 cluster members (2 instances and the tail)" three_members
say "instances on 127.0.0.1:$APP1 and 127.0.0.1:$APP2, one cluster of 3 members with the tail"
BASE="http://127.0.0.1:$APP1"
expect 201 POST /events "{\"id\":\"$run-app\",\"name\":\"Clustered\",\"venue\":\"Docker hall\",\"price\":5,\"rows\":1,\"seatsPerRow\":4}"
BASE="http://127.0.0.1:$APP2"
expect 201 POST "/events/$run-app/reservations" '{"userId":"gina","quantity":2}'
R3=$(field .reservationId)
tail_id=$(compose ps -q event-tail)
tail_has() { docker logs "$tail_id" 2>/dev/null | grep -F "\"reservationId\":\"$R3\"" | grep -q reservation.created; }
wait_for 30 "the tail to print the hold made through the second instance" tail_has
docker logs "$tail_id" 2>/dev/null | grep -F "\"eventId\":\"$run-app\"" | grep -q event.created \
  || fail "the tail did not print the event created through the first instance"
say "the tail printed event.created (made through :$APP1) and reservation.created $R3 (made through :$APP2)"

# --- 8. Teardown (by the EXIT trap) -------------------------------------------------------------

step "8. Teardown"
