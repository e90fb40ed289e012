#!/usr/bin/env bash
# The benchmark harness: one command, against a real Redis Cluster on this machine.
#
#   bench/run.sh [ROUNDS]          (default 3 rounds; about 6 minutes)
#
# It builds target/boxoffice.jar if missing or older than its sources, starts its own 8-node cluster
# (scripts/cluster.sh, without persistence) on free ports away from the lab's 7001-7008, starts the
# service on a free port (and the variants and the thin reference), warms each up, and then,
# round after round, runs each scenario once, in the same order (so the ceilings are measured between
# the product's runs, never long before or after them):
#
#   health        wrk GET /health/live                     the HTTP ceiling (no Redis)
#   health-plain  the same with wrk's built-in request and no Lua response() (wrk's own ceiling)
#   holds-seats   holds naming 2 adjacent seats at random on 100,000-seat events, no two requests
#                 asking for the same seat (all 201)
#   holds-qty     holds of {"quantity": 2} (best available) on 100,000-seat events (all 201)
#   flash         a 100-seat event, each request naming 1 random seat (100 x 201, the rest 409)
#   seatmap       GET /events/ID/seats of a 10,000-seat event with 500 seats held
#   seatmap-live  the same reads of a fresh 10,000-seat event while 2 more connections hold its seats
#                 one by one ({"quantity": 1}, each connection pausing 4 ms between two holds, so that
#                 the seats last the run), so that the map changes all the time
#   redis         redis-benchmark: the hold function of the library the service loaded (lua/lib.lua +
#                 lua/hold.lua), by FCALL with quantity 2 on the master that owns the events, unpipelined
#   redis-p16     the same, 16 commands pipelined a connection
#
# Each run prints req/s, p50/p90/p99 (redis-benchmark gives p95 instead of p90), status counts, the CPU
# of the service, of the events' Redis master and its replica and of the load generator (in cores),
# how busy the whole machine was, Redis' own time per call (INFO commandstats), and the invariant check
# of every event it used. At the end: medians over the rounds, the ratios, the targets of issue 6, and
# the memory of a 100,000-seat event.
#
# Environment (all optional):
#   BENCH_DURATION=10      seconds per wrk run          BENCH_CONNECTIONS=64   wrk -c, redis-benchmark -c
#   BENCH_THREADS=2        wrk -t                       BENCH_WARMUP=5         seconds per warm-up run
#   BENCH_LAB=1            use the lab cluster already running on 127.0.0.1:7001-7008 (never stopped)
#   BENCH_CLUSTER_PORT     first port to try for the bench's own cluster (default 7401)
#   BENCH_HTTP_PORT        first port to try for the service (default 18080)
#   BENCH_JAR              the jar to measure (default target/boxoffice.jar, built when missing or stale)
#   BENCH_PERSISTENCE=no   the bench's own cluster without persistence; yes: AOF, as scripts/cluster.sh runs it
#   BENCH_JAVA_OPTS        JVM options for the service  BENCH_OUT   folder for logs (default: a new /tmp dir)
#   BENCH_REDIS_EVENTS=3   events (40,000 holds each) per redis-benchmark run
#   BENCH_MAP_ROWS=100, BENCH_MAP_PER_ROW=100   the grid of the seatmap scenarios' events
#   BENCH_SKIP=...         comma-separated scenarios to leave out (e.g. health-plain)
#   BENCH_QUIET_WAIT=60    seconds the whole run may spend waiting for an idle machine before a measurement
set -eEuo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${1:-${BENCH_ROUNDS:-3}}
DURATION=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
WARMUP=${BENCH_WARMUP:-5}
LAB=${BENCH_LAB:-0}
REDIS_EVENTS=${BENCH_REDIS_EVENTS:-3}
REDIS_N=40000 # holds of 2 seats per 100,000-seat event: 80 % of it
SKIP=",${BENCH_SKIP:-},"
OUT=${BENCH_OUT:-$(mktemp -d /tmp/boxoffice-bench.XXXXXX)}
mkdir -p "$OUT"
RESULTS=$OUT/results.tsv
LOG=$OUT/run.log
HZ=$(getconf CLK_TCK)

BIG_ROWS=250 BIG_PER_ROW=400    # 100,000 seats
MAP_ROWS=${BENCH_MAP_ROWS:-100} MAP_PER_ROW=${BENCH_MAP_PER_ROW:-100}    # 10,000 seats
FLASH_ROWS=10 FLASH_PER_ROW=10  # 100 seats
QTY=2

say() { echo "$*" | tee -a "$LOG"; }
die() { say "bench: $*"; exit 1; }
skipped() { [[ $SKIP == *",$1,"* ]]; }

for tool in wrk redis-cli redis-benchmark redis-server java curl awk ss unzip; do
  command -v "$tool" >/dev/null || die "$tool is not installed (wrk and redis-tools/redis-server come from Debian: apt-get install wrk redis-server)"
done

# --- everything started here is stopped on exit ----------------------------------------------------

SVC_PID=
CLUSTER_DIR=
declare -A SVC_URLS=() SVC_PIDS=()
stop_service() { # stop_service NAME: SIGTERM, SIGKILL after 20 s
  local pid=${SVC_PIDS[$1]:-} t0=$SECONDS
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "bench: $1 did not stop within 20 s of SIGTERM: killed" | tee -a "$LOG"
    kill -KILL "$pid" 2>/dev/null || true
  else
    echo "bench: $1 stopped $((SECONDS - t0)) s after SIGTERM" | tee -a "$LOG"
  fi
  wait "$pid" 2>/dev/null || true
  unset "SVC_PIDS[$1]"
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM ERR
  set +e
  local name
  for name in "${!SVC_PIDS[@]}"; do stop_service "$name"; done
  if [ -n "$CLUSTER_DIR" ] && [ -d "$CLUSTER_DIR" ]; then
    # only the nodes this run started: the pids in its own data folder
    local pidfile pid
    local pids=()
    for pidfile in "$CLUSTER_DIR"/*/redis.pid; do
      pid=$(cat "$pidfile" 2>/dev/null) || continue
      if grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
      fi
    done
    for pid in "${pids[@]}"; do
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    rm -rf "$CLUSTER_DIR"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" | tee -a "$LOG"' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the service's jar, the cluster, the service ------------------------------------------------------

JAR=${BENCH_JAR:-target/boxoffice.jar}
if [ -n "${BENCH_JAR:-}" ]; then
  [ -f "$JAR" ] || die "BENCH_JAR=$JAR does not exist"
else
  # the work tree's jar, built again when older than its sources: a stale jar would measure old code
  scripts/build-jar.sh >"$OUT/build.log" 2>&1 || die "the build failed, see $OUT/build.log"
fi
# a copy: a build running beside the bench may replace target/ under it
cp "$JAR" "$OUT/boxoffice.jar"

port_busy() { ss -Htln "( sport = :$1 )" | grep -q .; }
cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}"; }

if [ "$LAB" = 1 ]; then
  BASE=7001
  cli "$BASE" ping >/dev/null 2>&1 || die "BENCH_LAB=1 but no lab node answers on 127.0.0.1:7001 (scripts/cluster.sh up)"
  say "cluster: the lab on 127.0.0.1:7001-7008 (left running)"
else
  BASE=
  candidate=${BENCH_CLUSTER_PORT:-7401}
  for _ in $(seq 1 30); do
    ok=1
    for p in $(seq "$candidate" $((candidate + 7))); do
      if [ "$p" -ge 7001 ] && [ "$p" -le 7008 ] || port_busy "$p" || port_busy $((p + 10000)); then ok=0; break; fi
    done
    if [ "$ok" = 1 ]; then BASE=$candidate; break; fi
    candidate=$((candidate + 100))
  done
  [ -n "$BASE" ] || die "no 8 free ports (and bus ports) found from ${BENCH_CLUSTER_PORT:-7401}"
  CLUSTER_DIR=$OUT/cluster
  say "cluster: starting 8 nodes on 127.0.0.1:$BASE-$((BASE + 7)) (data in $CLUSTER_DIR)"
  # without persistence unless BENCH_PERSISTENCE=yes: the rewrites of the append-only file that the
  # fresh 100,000-seat events set off land in random runs and move them by up to 3x
  CLUSTER_PORT=$BASE CLUSTER_DIR=$CLUSTER_DIR CLUSTER_PERSISTENCE=${BENCH_PERSISTENCE:-no} scripts/cluster.sh up >>"$LOG" 2>&1 \
    || die "the cluster did not start, see $LOG"
fi

NEXT_PORT=${BENCH_HTTP_PORT:-18080}
# free_port -> PORT: a port nothing listens on, never the same twice in a run
free_port() { while port_busy "$NEXT_PORT"; do NEXT_PORT=$((NEXT_PORT + 1)); done; PORT=$NEXT_PORT; NEXT_PORT=$((NEXT_PORT + 1)); }
NODES=$(seq -s, -f "redis://127.0.0.1:%g" "$BASE" $((BASE + 7)))
ADMIN_KEY=bench-admin-$RANDOM
# await_ready NAME PATH: until the service answers PATH with 200 (60 s at most)
await_ready() {
  local i
  for i in $(seq 1 600); do
    kill -0 "${SVC_PIDS[$1]}" 2>/dev/null || { tail -20 "$OUT/$1.log"; die "$1 exited at start"; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' "${SVC_URLS[$1]}$2")" = 200 ] && return 0
    sleep 0.1
  done
  die "$1 was not ready after 60 s, see $OUT/$1.log"
}
# start_box NAME [ENV=VALUE...]: a Boxoffice, the jar under test with conf/local.json and the given
# environment, on a free port. From its own folder: Vert.x reads lua/*.lua from the working directory
# before the classpath, so a service started in the project would run the work tree's scripts.
start_box() {
  local name=$1 port; shift
  free_port; port=$PORT
  mkdir -p "$OUT/$name"
  # shellcheck disable=SC2086
  (cd "$OUT/$name" && exec env BOXOFFICE_HTTP_PORT="$port" BOXOFFICE_REDIS_NODES="$NODES" \
    BOXOFFICE_ADMIN_API_KEY="$ADMIN_KEY" "$@" java ${BENCH_JAVA_OPTS:-} -jar "$OUT/boxoffice.jar" \
    -conf "$ROOT/conf/local.json" >"$OUT/$name.log" 2>&1) &
  SVC_PIDS[$name]=$!
  SVC_URLS[$name]=http://127.0.0.1:$port
  await_ready "$name" /health/ready
  say "$name: ${SVC_URLS[$name]} (pid ${SVC_PIDS[$name]}${*:+; $*})"
}
# use NAME: the service the next measurements are of (URL, SVC_PID)
use() { URL=${SVC_URLS[$1]}; SVC_PID=${SVC_PIDS[$1]}; }
say "service: java ${BENCH_JAVA_OPTS:-} -jar $JAR -conf conf/local.json (a copy of the jar, each variant in its own folder)"
start_box box
use box

# The variants, measured in the same rounds: a member of a cluster (of one: the clustered event bus's
# own cost), with bearer tokens (auth.jwt), and with tokens and rate limits too high to refuse anything
# (limits' bookkeeping). Tokens: RS256, one per user, made here with openssl.
if ! skipped holds-cluster; then
  free_port; member=$PORT
  start_box box-cluster BOXOFFICE_CLUSTER_ENABLED=true BOXOFFICE_CLUSTER_MEMBER_PORT="$member" \
    BOXOFFICE_CLUSTER_MEMBERS="127.0.0.1:$member"
fi
TOKENS=$OUT/tokens.txt
if ! skipped holds-auth || ! skipped holds-limits; then
  command -v openssl >/dev/null || die "openssl is not installed (apt-get install openssl)"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OUT/jwt-key.pem" 2>/dev/null
  openssl pkey -in "$OUT/jwt-key.pem" -pubout -out "$OUT/jwt-public.pem"
  b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
  jwt_header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
  jwt_exp=$(( $(date +%s) + 86400 ))
  : >"$TOKENS"
  for u in $(seq 1 200); do
    payload=$(printf '{"sub":"bench%d","exp":%d}' "$u" "$jwt_exp" | b64url)
    signature=$(printf '%s.%s' "$jwt_header" "$payload" | openssl dgst -sha256 -sign "$OUT/jwt-key.pem" -binary | b64url)
    echo "$jwt_header.$payload.$signature" >>"$TOKENS"
  done
  skipped holds-auth || start_box box-auth BOXOFFICE_AUTH_JWT_PUBLIC_KEY_FILE="$OUT/jwt-public.pem"
  skipped holds-limits || start_box box-limits BOXOFFICE_AUTH_JWT_PUBLIC_KEY_FILE="$OUT/jwt-public.pem" \
    BOXOFFICE_LIMITS_HOLDS_PER_SECOND=1000000 BOXOFFICE_LIMITS_BURST=1000000
fi

# The thin reference (../shared/thin-reference, or BENCH_THIN): the thinnest honest hold service, one
# EVALSHA a request, same Vert.x; built here from a copy of its sources, started on the same cluster.
THIN_SRC=${BENCH_THIN:-$ROOT/../shared/thin-reference}
if ! skipped thin-holds || ! skipped thin-flash; then
  [ -f "$THIN_SRC/pom.xml" ] || die "no thin reference at $THIN_SRC (BENCH_THIN), or leave it out: BENCH_SKIP=thin-holds,thin-flash"
  rm -rf "$OUT/thin-src"; cp -r "$THIN_SRC" "$OUT/thin-src"; chmod -R u+w "$OUT/thin-src"
  say "thin reference: building $THIN_SRC"
  (cd "$OUT/thin-src" && mvn -q -B package -DskipTests >"$OUT/thin-build.log" 2>&1) || die "the thin reference did not build, see $OUT/thin-build.log"
  free_port; thin_port=$PORT
  thin_nodes=$(seq -s, -f "127.0.0.1:%g" "$BASE" $((BASE + 7)))
  # shellcheck disable=SC2086
  (cd "$OUT/thin-src" && exec env PORT="$thin_port" MODE=shared INSTANCES="$(nproc)" REDIS_NODES="$thin_nodes" \
    java ${BENCH_JAVA_OPTS:-} -jar target/thin-hold-0.1.0-fat.jar >"$OUT/thin.log" 2>&1) &
  SVC_PIDS[thin]=$!
  SVC_URLS[thin]=http://127.0.0.1:$thin_port
  await_ready thin /ping
  say "thin: ${SVC_URLS[thin]} (pid ${SVC_PIDS[thin]}, MODE=shared INSTANCES=$(nproc))"
fi

# --- the master that owns every event of the bench ---------------------------------------------------

# masters with slots: "port id ranges..." (the lowest port first); every event goes to the first one
MASTER_LINE=$(cli "$BASE" cluster nodes | tr -d '\r' | awk '$3 ~ /master/ && $3 !~ /fail/ && NF >= 9 {
  split($2, a, "[:@,]"); printf "%s %s", a[2], $1; for (i = 9; i <= NF; i++) printf " %s", $i; print "" }' | sort -n | head -1)
[ -n "$MASTER_LINE" ] || die "no master with slots in the cluster"
read -r TARGET TARGET_ID TARGET_RANGES <<<"$MASTER_LINE"
# (a node learns that the others became replicas by gossip, a moment after cluster.sh up returns)
REPLICA=
for _ in $(seq 1 100); do
  REPLICA=$(cli "$BASE" cluster nodes | tr -d '\r' | awk -v m="$TARGET_ID" '$3 ~ /slave/ && $4 == m { split($2, a, "[:@,]"); print a[2]; exit }')
  [ -z "$REPLICA" ] || break
  sleep 0.1
done
pid_of_node() { # the node's pid, if it runs on this machine (a Docker lab's pids are not ours to read)
  local pid
  pid=$(cli "$1" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p')
  if [ -n "$pid" ] && grep -q "redis-server" "/proc/$pid/cmdline" 2>/dev/null \
    && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q ":$1"; then echo "$pid"; fi
}
REDIS_PID=$(pid_of_node "$TARGET")
REPLICA_PID=
[ -n "$REPLICA" ] && REPLICA_PID=$(pid_of_node "$REPLICA")
say "events: all on the master 127.0.0.1:$TARGET (slots $TARGET_RANGES), replica ${REPLICA:-none}"

in_target() {
  local r lo hi
  for r in $TARGET_RANGES; do
    [[ $r == \[* ]] && continue
    lo=${r%-*}; hi=${r#*-}
    [ "$1" -ge "$lo" ] && [ "$1" -le "$hi" ] && return 0
  done
  return 1
}

RUN_TAG=$(printf '%x' $(( $(date +%s) % 1048576 )))
SEQ=0
EVENT_ID=
next_event_id() { # next_event_id PREFIX -> EVENT_ID: an id not used in this run, in the target master's slots
  local slot
  while :; do
    SEQ=$((SEQ + 1))
    EVENT_ID="bx${RUN_TAG}${1}${SEQ}"
    slot=$(cli "$BASE" cluster keyslot "{event:$EVENT_ID}")
    in_target "$slot" && break
  done
}
new_event() { # new_event PREFIX ROWS PER_ROW -> EVENT_ID: a new event that the target master owns
  local body code
  next_event_id "$1"
  body="{\"id\":\"$EVENT_ID\",\"name\":\"Bench $1\",\"venue\":\"Loopback Arena\",\"price\":25,\"rows\":$2,\"seatsPerRow\":$3}"
  code=$(curl -s -o "$OUT/create.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "X-Admin-Key: $ADMIN_KEY" --data-raw "$body" "${SVC_URLS[box]}/events")
  [ "$code" = 201 ] || die "POST /events answered $code: $(cat "$OUT/create.json")"
}
# new_thin_events PREFIX COUNT SEATS -> EVENTS: seat maps as the thin reference holds them (S000000000000..),
# made by its own init-seats.lua, on the target master
new_thin_events() {
  local i ids=()
  for i in $(seq 1 "$2"); do
    next_event_id "$1"
    cli "$TARGET" eval "$(cat "$OUT/thin-src/init-seats.lua")" 3 "{event:$EVENT_ID}:seats" "{event:$EVENT_ID}:stats" \
      "{event:$EVENT_ID}" "$3" >/dev/null
    ids+=("$EVENT_ID")
  done
  EVENTS=$(IFS=,; echo "${ids[*]}")
}
# check_thin IDS: the thin reference's own recount (count-seats.lua) of every event -> CHECK, HELD
check_thin() {
  local id out problems=() n=0
  HELD=0
  for id in ${1//,/ }; do
    out=$(cli "$TARGET" eval "$(cat "$OUT/thin-src/count-seats.lua")" 2 "{event:$id}:seats" "{event:$id}:stats" | tr '\n' ' ')
    read -r hlen avail pend sold other s_avail s_pend s_sold _ <<<"$out"
    n=$((n + 1)); HELD=$((HELD + pend))
    [ "$avail $pend $sold $other" = "$s_avail $s_pend $s_sold 0" ] || problems+=("$id: map $avail/$pend/$sold/$other != stats $s_avail/$s_pend/$s_sold")
  done
  if [ ${#problems[@]} = 0 ]; then CHECK="ok($n)"; else CHECK="FAIL"; printf '    INVARIANT %s\n' "${problems[@]}" | tee -a "$LOG"; fi
}
new_events() { # new_events PREFIX COUNT ROWS PER_ROW -> EVENTS (comma-separated)
  local i ids=()
  for i in $(seq 1 "$2"); do new_event "$1" "$3" "$4"; ids+=("$EVENT_ID"); done
  EVENTS=$(IFS=,; echo "${ids[*]}")
}
# The KEYS every event script gets, as the header of the jar's lua/lib.lua lists them
# ("--   KEYS[1] {event:ID}   ...", "--   KEYS[2] {event:ID}:seats ..."): the bench follows the service.
KEY_TEMPLATES=$(unzip -p "$OUT/boxoffice.jar" lua/lib.lua | sed -n 's/^--[[:space:]]*KEYS\[[0-9]*\][[:space:]]*\({event:ID}[^[:space:]]*\).*/\1/p')
NKEYS=$(wc -w <<<"$KEY_TEMPLATES")
[ "$NKEYS" -ge 4 ] || die "could not read the event scripts' KEYS from lua/lib.lua in the jar"
event_keys() { local k; for k in $KEY_TEMPLATES; do printf '%s ' "${k/ID/$1}"; done; }

# --- measuring ---------------------------------------------------------------------------------------

ticks() { if [ -n "${1:-}" ] && [ -r "/proc/$1/stat" ]; then awk '{ print $14 + $15 }' "/proc/$1/stat"; else echo 0; fi; }
machine() { awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }
children_ticks() { # CHILD_TICKS: CPU of this shell's finished children (the load generators), in ticks
  times >"$OUT/times" # in this shell, not in a $(...) subshell, which has children of its own
  CHILD_TICKS=$(awk -v hz="$HZ" 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] } printf "%.0f", s * hz }' "$OUT/times")
}
# The machine may be shared (builds, tests): before each measurement wait for half a second in which
# it is idle (under 10 % busy), spending at most BENCH_QUIET_WAIT seconds (default 60) on waiting in
# the whole run. Whatever still runs beside the bench shows in the "other" cpu column.
QUIET_LEFT=$(( ${BENCH_QUIET_WAIT:-60} * 2 ))
wait_quiet() {
  local a b waited=0
  while [ "$QUIET_LEFT" -gt 0 ]; do
    read -r a b < <(machine); sleep 0.5
    if awk -v a="$a" -v b="$b" -v c="$(machine)" 'BEGIN { split(c, x, " "); d = x[1] - a; exit !(d > 0 && (d - (x[2] - b)) / d < 0.10) }'; then
      break
    fi
    QUIET_LEFT=$((QUIET_LEFT - 1)); waited=$((waited + 1))
  done
  if [ "$waited" -gt 0 ]; then
    say "    (waited $(awk -v w="$waited" 'BEGIN { printf "%.1f", w / 2 }') s for an idle machine$([ "$QUIET_LEFT" -gt 0 ] || echo "; no more waiting in this run"))"
  fi
  return 0
}
begin_measure() {
  wait_quiet
  M_SVC=$(ticks "$SVC_PID"); M_REDIS=$(ticks "$REDIS_PID"); M_REPLICA=$(ticks "$REPLICA_PID")
  children_ticks; M_GEN=$CHILD_TICKS; read -r M_ALL M_IDLE < <(machine)
  M_T0=$(date +%s.%N)
  cli "$TARGET" config resetstat >/dev/null
}
end_measure() { # sets CPU_* (cores), BUSY (% of the machine) and US_CALL (Redis' own time per call)
  local t1 all idle secs
  t1=$(date +%s.%N); read -r all idle < <(machine)
  secs=$(awk -v x="$M_T0" -v y="$t1" 'BEGIN { print y - x }')
  cores() { awk -v a="$1" -v b="$2" -v t="$secs" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz / t }'; }
  CPU_SVC=$(cores "$M_SVC" "$(ticks "$SVC_PID")")
  CPU_REDIS=$(cores "$M_REDIS" "$(ticks "$REDIS_PID")")
  CPU_REPLICA=$(cores "$M_REPLICA" "$(ticks "$REPLICA_PID")")
  children_ticks; CPU_GEN=$(cores "$M_GEN" "$CHILD_TICKS")
  [ -n "$REDIS_PID" ] || CPU_REDIS=-
  [ -n "$REPLICA_PID" ] || CPU_REPLICA=-
  BUSY=$(awk -v a="$M_ALL" -v i="$M_IDLE" -v b="$all" -v j="$idle" 'BEGIN { d = b - a; printf "%.0f", (d > 0 ? 100 * (d - (j - i)) / d : 0) }')
  # whatever else ran on the machine meanwhile (other processes, the kernel's own work), in cores
  CPU_OTHER=$(awk -v busy="$BUSY" -v n="$(nproc)" -v s="$CPU_SVC" -v r="$CPU_REDIS" -v p="$CPU_REPLICA" -v g="$CPU_GEN" \
    'BEGIN { o = busy / 100 * n - s - (r == "-" ? 0 : r) - (p == "-" ? 0 : p) - g; printf "%.2f", (o < 0 ? 0 : o) }')
  # EVALSHA or FCALL (holds) or HGETALL (seat map): the time Redis spent in one call, a script's inner
  # commands included
  US_CALL=$(cli "$TARGET" info commandstats | tr -d '\r' | awk -F'[:,=]' '
    ($1 == "cmdstat_evalsha" || $1 == "cmdstat_fcall") && $3 > 0 { e = substr($1, 9) " " $7 }
    $1 == "cmdstat_hgetall" && $3 > 0 { h = "hgetall " $7 }
    END { print e ? e : h ? h : "- -" }')
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$RESULT"; }

# run_wrk LABEL SCRIPT URL [VAR=VALUE...]: one wrk run of DURATION (or WRK_SECONDS) seconds -> RESULT
run_wrk() {
  local label=$1 script=$2 url=$3; shift 3
  begin_measure
  env BENCH_LUA_DIR="$ROOT/bench/lua" BENCH_THREADS="$THREADS" "$@" \
    wrk -t"$THREADS" -c"$CONNS" -d"${WRK_SECONDS:-$DURATION}s" --timeout 5s -s "$ROOT/bench/lua/$script" "$url" \
    >"$OUT/$label.txt" 2>&1 || true
  end_measure
  RESULT=$(grep '^RESULT' "$OUT/$label.txt" || true)
  [ -n "$RESULT" ] || { cat "$OUT/$label.txt"; die "wrk printed no result for $label"; }
}
run_wrk_plain() { # wrk's built-in request, no Lua at all
  local label=$1 url=$2
  begin_measure
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency "$url" >"$OUT/$label.txt" 2>&1 || true
  end_measure
  local rps p50 p90 p99 max non2xx requests
  rps=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$OUT/$label.txt")
  requests=$(awk '/requests in/ { print $1 }' "$OUT/$label.txt")
  non2xx=$(awk '/Non-2xx/ { print $NF }' "$OUT/$label.txt"); non2xx=${non2xx:-0}
  ms() { awk -v p="$1" '$1 == p { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } print v }' "$OUT/$label.txt"; }
  p50=$(ms 50%); p90=$(ms 90%); p99=$(ms 99%)
  max=$(awk '/^    Latency/ { v = $4; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } print v }' "$OUT/$label.txt")
  RESULT="RESULT requests=$requests rps=$rps p50_ms=$p50 p90_ms=$p90 p99_ms=$p99 max_ms=$max non2xx=$non2xx codes=2xx:$((requests - non2xx))${non2xx:+,non2xx:$non2xx}"
}

CHECK_SCRIPT=$(cat bench/redis/check_event.lua)
MEMORY_SCRIPT=$(cat bench/redis/memory_event.lua)
# check_events IDS: the invariants of every event -> CHECK ("ok" or what is wrong), HELD, SOLD (seats)
check_events() {
  local id e out problems=() n=0
  HELD=0 SOLD=0
  for id in ${1//,/ }; do
    e="{event:$id}"
    out=$(redis-cli -c -h 127.0.0.1 -p "$BASE" eval "$CHECK_SCRIPT" 5 "$e" "$e:seats" "$e:stats" "$e:free" "$e:expiry" | tr '\n' ' ')
    # total map available held sold other st_available st_pending st_sold bits live claimed unbacked bad_status
    read -r total map avail held sold other s_avail s_pend s_sold bits live claimed unbacked bad <<<"$out"
    n=$((n + 1)); HELD=$((HELD + held)); SOLD=$((SOLD + sold))
    local why=()
    [ "$map" = "$total" ] || why+=("map has $map seats, total_seats $total")
    [ "$other" = 0 ] || why+=("$other seats in an unknown state")
    [ "$avail $held $sold" = "$s_avail $s_pend $s_sold" ] || why+=("map $avail/$held/$sold != stats $s_avail/$s_pend/$s_sold (available/held/sold)")
    [ "$bits" = "$avail" ] || why+=("free bitmap has $bits bits, map $avail available")
    [ $((held + sold)) -le "$total" ] || why+=("OVERSOLD: held+sold $((held + sold)) > $total")
    [ "$claimed" = $((held + sold)) ] || why+=("live reservations claim $claimed seats, map has $((held + sold)) taken")
    [ "$unbacked" = 0 ] || why+=("OVERSOLD: $unbacked seats claimed by a reservation but owned by another")
    [ "$bad" = 0 ] || why+=("$bad ended reservations still listed as live")
    [ ${#why[@]} = 0 ] || problems+=("$id: $(IFS=';'; echo "${why[*]}")")
  done
  if [ ${#problems[@]} = 0 ]; then CHECK="ok($n)"; else CHECK="FAIL"; printf '    INVARIANT %s\n' "${problems[@]}" | tee -a "$LOG"; fi
}

record() { # record ROUND SCENARIO: one line of results.tsv from RESULT and the measures
  local codes; codes=$(field codes)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$(field rps)" "$(field p50_ms)" \
    "$(field p90_ms)" "$(field p99_ms)" "$(field max_ms)" "$CPU_SVC" "$CPU_REDIS" "$CPU_REPLICA" "$CPU_GEN" "$CPU_OTHER" \
    "$BUSY" "${US_CALL// /:}" "$codes" "$CHECK" >>"$RESULTS"
  printf '  %-12s %7s req/s  p50 %7s  p90 %7s  p99 %7s  max %7s ms | cpu svc %s redis %s replica %s loadgen %s other %s (machine %s%%) | redis %s us/call | %s | check %s\n' \
    "$2" "$(field rps)" "$(field p50_ms)" "$(field p90_ms)" "$(field p99_ms)" "$(field max_ms)" \
    "$CPU_SVC" "$CPU_REDIS" "$CPU_REPLICA" "$CPU_GEN" "$CPU_OTHER" "$BUSY" "$US_CALL" "$codes" "$CHECK" | tee -a "$LOG"
}

# --- scenarios ---------------------------------------------------------------------------------------

HOLD_POOL=4
scenario_health() { run_wrk "r$1-health" get.lua "$URL/health/live"; CHECK=-; record "$1" health; }
scenario_health_plain() { run_wrk_plain "r$1-health-plain" "$URL/health/live"; CHECK=-; record "$1" health-plain; }
scenario_holds() { # ROUND NAME MODE
  new_events "h" "$HOLD_POOL" "$BIG_ROWS" "$BIG_PER_ROW"
  local pool=$EVENTS first=${EVENTS%%,*}
  run_wrk "r$1-$2" holds.lua "$URL/" BENCH_EVENTS="$pool" BENCH_ROWS="$BIG_ROWS" \
    BENCH_PER_ROW="$BIG_PER_ROW" BENCH_MODE="$3" BENCH_QTY="$QTY"
  check_events "$pool"
  local won; won=$(tr ',' '\n' <<<"$(field codes)" | awk -F: '$1 == 201 { print $2 }')
  if [ "$(( ${won:-0} * QTY ))" -gt "$HELD" ]; then
    say "    OVERSOLD: ${won} x $QTY seats won (201), only $HELD held"; CHECK=FAIL
  fi
  record "$1" "$2"
  # the pool's first event: every seat held once the run got past it
  local mem own records count
  # shellcheck disable=SC2046
  mem=$(redis-cli -c -h 127.0.0.1 -p "$BASE" eval "$MEMORY_SCRIPT" "$NKEYS" $(event_keys "$first") | tr '\n' ' ')
  read -r own records count <<<"$mem"
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$own" "$records" "$count" >>"$OUT/memory-used.tsv"
}
# scenario_variant ROUND NAME SERVICE [VAR=VALUE...]: holds-seats, as on box, on one of the variants
scenario_variant() {
  local round=$1 name=$2 service=$3; shift 3
  new_events "v" "$HOLD_POOL" "$BIG_ROWS" "$BIG_PER_ROW"
  use "$service"
  run_wrk "r$round-$name" holds.lua "$URL/" BENCH_EVENTS="$EVENTS" BENCH_ROWS="$BIG_ROWS" \
    BENCH_PER_ROW="$BIG_PER_ROW" BENCH_MODE=seats BENCH_QTY="$QTY" "$@"
  use box
  check_events "$EVENTS"
  record "$round" "$name"
}
# the thin reference: the same holds (2 adjacent seats at random, without replacement) on as many fresh
# 100,000-seat maps, and the same flash sale on a 100-seat map
scenario_thin_holds() {
  new_thin_events "t" "$HOLD_POOL" $((BIG_ROWS * BIG_PER_ROW))
  use thin
  run_wrk "r$1-thin-holds" holds.lua "$URL/" BENCH_EVENTS="$EVENTS" BENCH_ROWS="$BIG_ROWS" \
    BENCH_PER_ROW="$BIG_PER_ROW" BENCH_MODE=seats BENCH_QTY="$QTY" BENCH_NAMING=thin
  use box
  check_thin "$EVENTS"
  record "$1" thin-holds
}
scenario_thin_flash() {
  new_thin_events "tf" 1 $((FLASH_ROWS * FLASH_PER_ROW))
  use thin
  run_wrk "r$1-thin-flash" holds.lua "$URL/" BENCH_EVENTS="$EVENTS" BENCH_ROWS="$FLASH_ROWS" \
    BENCH_PER_ROW="$FLASH_PER_ROW" BENCH_MODE=random BENCH_QTY=1 BENCH_NAMING=thin
  use box
  check_thin "$EVENTS"
  record "$1" thin-flash
}
# two clustered instances at once (box-cluster and box-cluster-2, one cluster), each with half the
# connections: their req/s summed, the worse of their latencies, both services' CPU
scenario_two_instances() {
  # a pool of fresh events each: two wrk processes drawing the same seats would refuse each other
  new_events "d" $((2 * HOLD_POOL)) "$BIG_ROWS" "$BIG_PER_ROW"
  local -a pool=(${EVENTS//,/ }) loads=()
  local -A events_of=([box-cluster]=$(IFS=,; echo "${pool[*]:0:HOLD_POOL}") [box-cluster-2]=$(IFS=,; echo "${pool[*]:HOLD_POOL}"))
  use box-cluster
  local half=$((CONNS / 2)) second_pid=${SVC_PIDS[box-cluster-2]} m2 name
  begin_measure
  m2=$(ticks "$second_pid")
  for name in box-cluster box-cluster-2; do
    env BENCH_LUA_DIR="$ROOT/bench/lua" BENCH_THREADS=1 BENCH_EVENTS="${events_of[$name]}" BENCH_ROWS="$BIG_ROWS" \
      BENCH_PER_ROW="$BIG_PER_ROW" BENCH_MODE=seats BENCH_QTY="$QTY" \
      wrk -t1 -c"$half" -d"${WRK_SECONDS:-$DURATION}s" --timeout 5s -s "$ROOT/bench/lua/holds.lua" "${SVC_URLS[$name]}/" \
      >"$OUT/r$1-holds-2x-$name.txt" 2>&1 &
    loads+=($!)
  done
  # the two loads only: the services are children of this shell too
  wait "${loads[@]}"
  end_measure
  CPU_SVC=$(awk -v c="$CPU_SVC" -v a="$m2" -v b="$(ticks "$second_pid")" -v t="${WRK_SECONDS:-$DURATION}" -v hz="$HZ" \
    'BEGIN { printf "%.2f", c + (b - a) / hz / t }')
  RESULT=$(cat "$OUT/r$1-holds-2x-box-cluster.txt" "$OUT/r$1-holds-2x-box-cluster-2.txt" | grep '^RESULT' | awk '
    { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = v[kv[1]] (v[kv[1]] == "" ? "" : " ") kv[2] } }
    END { split(v["rps"], r, " "); split(v["requests"], q, " "); split(v["p50_ms"], a, " "); split(v["p90_ms"], b, " ")
          split(v["p99_ms"], c, " "); split(v["max_ms"], m, " ")
          printf "RESULT requests=%d rps=%d p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s codes=%s\n", q[1] + q[2], r[1] + r[2],
            (a[1] > a[2] ? a[1] : a[2]), (b[1] > b[2] ? b[1] : b[2]), (c[1] > c[2] ? c[1] : c[2]), (m[1] > m[2] ? m[1] : m[2]),
            v["codes"] }')
  use box
  check_events "$EVENTS"
  record "$1" holds-2x
}
scenario_flash() {
  new_event "f" "$FLASH_ROWS" "$FLASH_PER_ROW"
  local id=$EVENT_ID
  run_wrk "r$1-flash" holds.lua "$URL/" BENCH_EVENTS="$id" BENCH_ROWS="$FLASH_ROWS" \
    BENCH_PER_ROW="$FLASH_PER_ROW" BENCH_MODE=random BENCH_QTY=1
  check_events "$id"
  local won; won=$(tr ',' '\n' <<<"$(field codes)" | awk -F: '$1 == 201 { print $2 }')
  [ "${won:-0}" -le "$HELD" ] || { say "    OVERSOLD: more holds won than seats held"; CHECK=FAIL; }
  record "$1" flash
  say "    flash: ${won:-0} holds won (201) in the run, $HELD seats held, $((FLASH_ROWS * FLASH_PER_ROW)) in the event"
}
scenario_seatmap() {
  new_event "m" "$MAP_ROWS" "$MAP_PER_ROW"
  local id=$EVENT_ID i
  : >"$OUT/holds.curl"
  for i in $(seq 1 100); do
    [ "$i" = 1 ] || echo next >>"$OUT/holds.curl"
    printf 'url = "%s/events/%s/reservations"\nheader = "Content-Type: application/json"\ndata-raw = "{\\"userId\\":\\"m%s\\",\\"quantity\\":5}"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
      "$URL" "$id" "$i" >>"$OUT/holds.curl"
  done
  local made; made=$(curl -s -K "$OUT/holds.curl" | grep -c '^201' || true)
  [ "$made" = 100 ] || say "    seatmap: only $made of 100 preparatory holds got 201"
  run_wrk "r$1-seatmap" get.lua "$URL/events/$id/seats" BENCH_COUNT_STATUSES=0
  check_events "$id"
  record "$1" seatmap
}
HOLD_FN=
load_hold_script() {
  # the hold function of the scripts' library that the service under test loaded on the master (its
  # name carries the library's hash; the bench's cluster is new, so it has this jar's library only)
  HOLD_FN=$(cli "$TARGET" function list libraryname 'boxoffice_*' | tr -d '\r' | grep -m1 '^hold_' || true)
  [ -n "$HOLD_FN" ] || die "the service loaded no hold function on 127.0.0.1:$TARGET (FUNCTION LIST)"
  say "redis ceiling: FCALL $HOLD_FN, the service's own hold function on that master"
}
scenario_seatmap_live() {
  new_event "l" "$MAP_ROWS" "$MAP_PER_ROW"
  local id=$EVENT_ID writer
  env BENCH_LUA_DIR="$ROOT/bench/lua" BENCH_THREADS=1 BENCH_EVENTS="$id" BENCH_ROWS="$MAP_ROWS" \
    BENCH_PER_ROW="$MAP_PER_ROW" BENCH_MODE=quantity BENCH_QTY=1 BENCH_DELAY_MS=4 \
    wrk -t1 -c2 -d"$((DURATION + 2))s" --timeout 5s -s "$ROOT/bench/lua/holds.lua" "$URL/" \
    >"$OUT/r$1-seatmap-live-holds.txt" 2>&1 &
  writer=$!
  sleep 1
  run_wrk "r$1-seatmap-live" get.lua "$URL/events/$id/seats" BENCH_COUNT_STATUSES=0
  wait "$writer" || true
  check_events "$id"
  record "$1" seatmap-live
  say "    seatmap-live: the map changed $(sed -n 's/^RESULT.* rps=\([^ ]*\).*/\1/p' "$OUT/r$1-seatmap-live-holds.txt") times/s (holds beside the reads)"
}

scenario_redis() { # ROUND NAME PIPELINE
  new_events "r" "$REDIS_EVENTS" "$BIG_ROWS" "$BIG_PER_ROW"
  local pool=$EVENTS id rows=() line
  begin_measure
  for id in ${pool//,/ }; do
    # shellcheck disable=SC2046
    line=$(redis-benchmark -h 127.0.0.1 -p "$TARGET" -c "$CONNS" -n "$REDIS_N" -P "$3" -r 1000000000 --csv \
      FCALL "$HOLD_FN" "$NKEYS" $(event_keys "$id") rb__rand_int____rand_int____rand_int__ "benchuser" "" "fp" "$QTY" 0 | tail -1)
    rows+=("$line")
  done
  end_measure
  check_events "$pool"
  # redis-benchmark counts a script's {"fail": ...} reply as a success: the seats held tell
  if [ "$HELD" != $((REDIS_N * QTY * REDIS_EVENTS)) ]; then
    say "    redis: $HELD seats held after $((REDIS_N * REDIS_EVENTS)) holds of $QTY: some calls did not hold"
    CHECK="FAIL"
  fi
  # "test","rps","avg","min","p50","p95","p99","max": req/s over all runs, the median run's latencies
  local agg
  agg=$(printf '%s\n' "${rows[@]}" | tr -d '"' | awk -F, -v n="$REDIS_N" '
    { t += n / $(NF-6); c += n; p50[NR] = $(NF-3); p95[NR] = $(NF-2); p99[NR] = $(NF-1); if ($NF > mx) mx = $NF }
    function med(a, k,  i, j, x) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x } return a[int((k + 1) / 2)] }
    END { printf "%.0f %s %s %s %s", c / t, med(p50, NR), med(p95, NR), med(p99, NR), mx }')
  local rps p50 p95 p99 mx; read -r rps p50 p95 p99 mx <<<"$agg"
  RESULT="RESULT rps=$rps p50_ms=$p50 p90_ms=p95:$p95 p99_ms=$p99 max_ms=$mx codes=holds:$((REDIS_N * REDIS_EVENTS))"
  record "$1" "$2"
}

# --- the run -----------------------------------------------------------------------------------------

printf 'round\tscenario\trps\tp50_ms\tp90_ms\tp99_ms\tmax_ms\tcpu_svc\tcpu_redis\tcpu_replica\tcpu_loadgen\tcpu_other\tmachine_busy_pct\tredis_cmd:us_per_call\tcodes\tcheck\n' >"$RESULTS"
say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(java -version 2>&1 | head -1)"
say "runs: $ROUNDS rounds, ${DURATION}s a wrk run, $THREADS threads, $CONNS connections; logs in $OUT"
T_START=$SECONDS

say "warm-up (${WARMUP}s a scenario, not counted)"
WRK_SECONDS=$WARMUP run_wrk warmup-health get.lua "$URL/health/live"; CHECK=-; record 0 health
new_events "w" 3 "$BIG_ROWS" "$BIG_PER_ROW"
WRK_SECONDS=$WARMUP run_wrk warmup-holds holds.lua "$URL/" BENCH_EVENTS="$EVENTS" BENCH_ROWS="$BIG_ROWS" \
  BENCH_PER_ROW="$BIG_PER_ROW" BENCH_MODE=seats BENCH_QTY="$QTY"
check_events "$EVENTS"; record 0 holds-seats
new_event "w" "$FLASH_ROWS" "$FLASH_PER_ROW"
WRK_SECONDS=$WARMUP run_wrk warmup-flash holds.lua "$URL/" BENCH_EVENTS="$EVENT_ID" BENCH_ROWS="$FLASH_ROWS" \
  BENCH_PER_ROW="$FLASH_PER_ROW" BENCH_MODE=random BENCH_QTY=1
check_events "$EVENT_ID"; record 0 flash
# enough 100,000-seat events a holds run: 1.5 x what the warm-up rate would hold, plus one
HOLD_POOL=$(awk -v r="$(awk -F'\t' '$1 == 0 && $2 == "holds-seats" { print $3 }' "$RESULTS")" -v d="$DURATION" -v q="$QTY" \
  'BEGIN { n = int(r * 1.5 * d * q / 100000) + 2; if (n < 2) n = 2; if (n > 16) n = 16; print n }')
say "holds runs get $HOLD_POOL fresh 100,000-seat events each"
# only the Redis ceiling calls the function itself (a jar from before the library has none)
if ! skipped redis || ! skipped redis-p16; then load_hold_script; fi
# the other services are JVMs of their own: warmed up the same way, or their first round would
# measure their JIT compiler (they made about half the holds of round 2 in round 1)
skipped thin-holds || WRK_SECONDS=$WARMUP scenario_thin_holds 0
skipped holds-cluster || WRK_SECONDS=$WARMUP scenario_variant 0 holds-cluster box-cluster
skipped holds-auth || WRK_SECONDS=$WARMUP scenario_variant 0 holds-auth box-auth BENCH_TOKENS="$TOKENS"
skipped holds-limits || WRK_SECONDS=$WARMUP scenario_variant 0 holds-limits box-limits BENCH_TOKENS="$TOKENS"

# a fresh 100,000-seat event: what it costs before any hold
new_event "e" "$BIG_ROWS" "$BIG_PER_ROW"
# shellcheck disable=SC2046
FRESH=$(redis-cli -c -h 127.0.0.1 -p "$BASE" eval "$MEMORY_SCRIPT" "$NKEYS" $(event_keys "$EVENT_ID") | tr '\n' ' ')
read -r FRESH_OWN _ <<<"$FRESH"

for round in $(seq 1 "$ROUNDS"); do
  say "round $round of $ROUNDS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  skipped health || scenario_health "$round"
  skipped holds-seats || scenario_holds "$round" holds-seats seats
  skipped thin-holds || scenario_thin_holds "$round"
  skipped holds-cluster || scenario_variant "$round" holds-cluster box-cluster
  skipped holds-auth || scenario_variant "$round" holds-auth box-auth BENCH_TOKENS="$TOKENS"
  skipped holds-limits || scenario_variant "$round" holds-limits box-limits BENCH_TOKENS="$TOKENS"
  skipped health-plain || scenario_health_plain "$round"
  skipped holds-qty || scenario_holds "$round" holds-qty quantity
  skipped flash || scenario_flash "$round"
  skipped thin-flash || scenario_thin_flash "$round"
  skipped seatmap || scenario_seatmap "$round"
  skipped seatmap-live || scenario_seatmap_live "$round"
  skipped redis || scenario_redis "$round" redis 1
  skipped redis-p16 || scenario_redis "$round" redis-p16 16
done

# two clustered instances, once, after the rounds: a second member joins box-cluster's cluster
if ! skipped holds-2x && ! skipped holds-cluster; then
  say "two clustered instances (a second member joins box-cluster)"
  # a member port of its own, taken before its HTTP port, so that neither is the other
  free_port; member2=$PORT
  start_box box-cluster-2 BOXOFFICE_CLUSTER_ENABLED=true BOXOFFICE_CLUSTER_MEMBER_PORT="$member2" \
    BOXOFFICE_CLUSTER_MEMBERS="127.0.0.1:$member,127.0.0.1:$member2"
  WRK_SECONDS=$WARMUP scenario_two_instances 0
  for round in $(seq 1 "$ROUNDS"); do
    scenario_two_instances "$round"
  done
fi

# --- summary -----------------------------------------------------------------------------------------

median() { # median SCENARIO COLUMN (of results.tsv, rounds >= 1)
  awk -F'\t' -v s="$1" -v c="$2" 'NR > 1 && $1 >= 1 && $2 == s { v = $c; sub(/^p95:/, "", v); a[++n] = v + 0 }
    END { if (!n) { print "-"; exit } for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
          m = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2; print m }' "$RESULTS"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.3f", a / b }'; }

{
  echo
  echo "Medians over $ROUNDS rounds (${DURATION}s wrk runs, $CONNS connections, $THREADS wrk threads; cpu in cores of $(nproc)):"
  printf '%-12s %8s %7s %8s %7s | %5s %5s %5s %5s %5s %5s | %8s  %s\n' scenario "req/s" "p50 ms" "p90 ms" "p99 ms" svc redis repl load other busy% "us/call" checks
  for s in health health-plain holds-seats thin-holds holds-cluster holds-auth holds-limits holds-qty flash thin-flash \
    seatmap seatmap-live redis redis-p16 holds-2x; do
    grep -q "	$s	" "$RESULTS" || continue
    checks=$(awk -F'\t' -v s="$s" 'NR > 1 && $1 >= 1 && $2 == s { print $16 }' "$RESULTS" | sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = " " }')
    us=$(awk -F'\t' -v s="$s" 'NR > 1 && $1 >= 1 && $2 == s { split($14, a, ":"); print a[2] }' "$RESULTS" | sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }')
    p90=$(median "$s" 5); [ "${s#redis}" != "$s" ] && p90="p95:$p90"
    printf '%-12s %8s %7s %8s %7s | %5s %5s %5s %5s %5s %5s | %8s  %s\n' "$s" "$(median "$s" 3)" "$(median "$s" 4)" "$p90" \
      "$(median "$s" 6)" "$(median "$s" 8)" "$(median "$s" 9)" "$(median "$s" 10)" "$(median "$s" 11)" "$(median "$s" 12)" \
      "$(median "$s" 13)" "$us" "$checks"
  done
  echo "(cpu: cores used by the service, the events' Redis master, its replica, the load generator, everything else;"
  echo " busy%: of the whole machine; us/call: Redis' own time per EVALSHA or FCALL / HGETALL, INFO commandstats;"
  echo " thin-*: ../shared/thin-reference; holds-cluster, -auth, -limits: holds-seats on the variants; holds-2x: two"
  echo " clustered instances, each with half the connections, their req/s summed)"
  H=$(median health 3); HP=$(median health-plain 3); HS=$(median holds-seats 3); HQ=$(median holds-qty 3)
  F=$(median flash 3); M=$(median seatmap 3); R1=$(median redis 3); R16=$(median redis-p16 3)
  echo
  echo "Ratios (of medians):"
  echo "  holds-seats / health      $(ratio "$HS" "$H")    (/ health-plain $(ratio "$HS" "$HP"))"
  echo "  holds-qty   / health      $(ratio "$HQ" "$H")    (/ health-plain $(ratio "$HQ" "$HP"))"
  echo "  flash       / health      $(ratio "$F" "$H")    (/ health-plain $(ratio "$F" "$HP"))"
  echo "  holds-qty   / redis       $(ratio "$HQ" "$R1")    (/ redis-p16 $(ratio "$HQ" "$R16"))"
  echo "  holds-seats / redis       $(ratio "$HS" "$R1")    (/ redis-p16 $(ratio "$HS" "$R16"))"
  TH=$(median thin-holds 3); TF=$(median thin-flash 3)
  echo "  holds-seats / thin-holds  $(ratio "$HS" "$TH")    flash / thin-flash $(ratio "$F" "$TF")"
  echo "  holds-cluster / holds-seats $(ratio "$(median holds-cluster 3)" "$HS")    holds-2x / holds-seats $(ratio "$(median holds-2x 3)" "$HS")"
  echo "  holds-auth / holds-seats  $(ratio "$(median holds-auth 3)" "$HS")    holds-limits / holds-auth $(ratio "$(median holds-limits 3)" "$(median holds-auth 3)")"
  echo
  # per hold: Redis' own time a call, and the service's CPU (its cores over its requests a second)
  per_hold() { # SCENARIO -> "redis_us service_us"
    local us cpu rps
    us=$(awk -F'\t' -v s="$1" 'NR > 1 && $1 >= 1 && $2 == s { split($14, a, ":"); print a[2] }' "$RESULTS" | sort -n | awk '{ a[NR] = $0 } END { print (NR ? a[int((NR + 1) / 2)] : "-") }')
    cpu=$(awk -F'\t' -v s="$1" 'NR > 1 && $1 >= 1 && $2 == s && $3 > 0 { print $8 * 1e6 / $3 }' "$RESULTS" | sort -n | awk '{ a[NR] = $0 } END { print (NR ? a[int((NR + 1) / 2)] : "-") }')
    printf '%s %s' "$us" "$cpu"
  }
  read -r BOX_REDIS BOX_SVC <<<"$(per_hold holds-seats)"
  read -r THIN_REDIS THIN_SVC <<<"$(per_hold thin-holds)"
  printf 'Per hold (medians of the rounds): Redis %s us (thin %s), service CPU %.0f us (thin %.0f)\n' \
    "$BOX_REDIS" "$THIN_REDIS" "${BOX_SVC/-/0}" "${THIN_SVC/-/0}"
  echo
  mb() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1048576 }'; } # MiB
  USED=$(awk -F'\t' '$2 == "holds-seats" && $1 >= 1 { print; exit }' "$OUT/memory-used.tsv" 2>/dev/null || true)
  echo "Memory of a 100,000-seat event (MEMORY USAGE ... SAMPLES 0 over its keys):"
  echo "  fresh, no hold:               $(mb "$FRESH_OWN") MiB"
  if [ -n "$USED" ]; then
    read -r _ _ own records count <<<"$USED"
    echo "  after a holds-seats run:      $(mb "$own") MiB event keys + $(mb "$records") MiB for $count reservation records = $(mb $((own + records))) MiB"
  fi
  echo
  echo "Targets (issue 6):"
  # verdict A OP B [C OP D]: met / NOT met, or "-" when a scenario was left out
  verdict() {
    case " $* " in *" - "*) echo "-"; return ;; esac
    if awk "BEGIN { exit !($1 $2 $3 ${4:+&& $4 $5 $6}) }"; then echo "met"; else echo "NOT met"; fi
  }
  echo "  holds-seats >= 0.25 x health, p99 < 10 ms: $(ratio "$HS" "$H") x, p99 $(median holds-seats 6) ms -> $(verdict "$(ratio "$HS" "$H")" ">=" 0.25 "$(median holds-seats 6)" "<" 10)"
  echo "  holds-qty   >= 0.25 x health, p99 < 10 ms: $(ratio "$HQ" "$H") x, p99 $(median holds-qty 6) ms -> $(verdict "$(ratio "$HQ" "$H")" ">=" 0.25 "$(median holds-qty 6)" "<" 10)"
  echo "  flash       >= 0.32 x health, p99 < 5 ms:  $(ratio "$F" "$H") x, p99 $(median flash 6) ms -> $(verdict "$(ratio "$F" "$H")" ">=" 0.32 "$(median flash 6)" "<" 5)"
  echo "  seat map    >= 10,000 req/s:               $M req/s -> $(verdict "$M" ">=" 10000)"
  echo "  memory      < 12 MB a 100,000-seat event:  fresh $(mb "$FRESH_OWN") MiB -> $(verdict "$FRESH_OWN" "<" 12000000)"
  echo "  oversell 0, stats == seat maps:            $(awk -F'\t' 'NR > 1 && $16 != "-" && $16 !~ /^ok/ { bad++ } END { print bad ? bad " runs FAILED" : "every check ok" }' "$RESULTS")"
  echo
  echo "Targets (issue 16):"
  echo "  holds-seats >= 0.8 x thin-holds, p99 < 10 ms: $(ratio "$HS" "$TH") x, p99 $(median holds-seats 6) ms -> $(verdict "$(ratio "$HS" "$TH")" ">=" 0.8 "$(median holds-seats 6)" "<" 10)"
  echo "  flash >= 1.2 x thin-flash:                    $(ratio "$F" "$TF") x -> $(verdict "$(ratio "$F" "$TF")" ">=" 1.2)"
  echo "  Redis <= 30 us a hold:                        $BOX_REDIS us -> $(verdict "$BOX_REDIS" "<=" 30)"
  echo "  service <= 35 us of CPU a hold:               ${BOX_SVC%.*} us -> $(verdict "$BOX_SVC" "<=" 35)"
  echo
  for log in "$OUT"/box*.log; do
    errors=$(grep -cE ' (ERROR|WARN) ' "$log" || true)
    echo "$(basename "$log"): $errors ERROR/WARN lines"
    grep -E ' (ERROR|WARN) ' "$log" | sed 's/^/  /' | head -3 || true
  done
  echo "total time: $((SECONDS - T_START)) s (plus start-up); raw results: $RESULTS"
} | tee -a "$LOG"
