#!/usr/bin/env bash
# What each change gave: builds every commit given (oldest first) apart from the work tree, runs
# bench/run.sh on each jar in turn, and prints one line of medians and ratios per commit.
#
#   bench/per-change.sh [-r ROUNDS] COMMIT...        e.g. bench/per-change.sh -r 2 c8d2865 a299622 HEAD
#
# Each commit's run is a whole bench/run.sh (its own cluster, warm-up, ceilings measured in the same
# run), so the ratios to /health/live compare across commits even when the machine's speed drifts.
# By default each run measures holds and the flash sale against the thin reference, the ceilings aside
# (BENCH_SKIP, the scenarios left out, defaults to everything else); any other BENCH_* setting of
# bench/run.sh applies to every run. Give each commit once. Logs: a new /tmp folder.
set -euo pipefail

cd "$(dirname "$0")/.."
ROUNDS=2
if [ "${1:-}" = -r ]; then ROUNDS=$2; shift 2; fi
[ $# -ge 1 ] || { sed -n '2,11p' "$0"; exit 2; }
OUT=$(mktemp -d /tmp/boxoffice-per-change.XXXXXX)
export BENCH_SKIP=${BENCH_SKIP:-health-plain,holds-qty,seatmap,seatmap-live,redis,redis-p16,holds-cluster,holds-auth,holds-limits,holds-2x}

for commit in "$@"; do
  sha=$(git rev-parse --short "$commit")
  mkdir -p "$OUT/$sha/src"
  git archive "$sha" | tar -x -C "$OUT/$sha/src"
  echo "building $sha ($(git log -1 --format=%s "$sha"))"
  (cd "$OUT/$sha/src" && mvn -q -B package -DskipTests >"$OUT/$sha/build.log" 2>&1) || { echo "build of $sha failed: $OUT/$sha/build.log"; exit 1; }
  BENCH_JAR=$OUT/$sha/src/target/boxoffice.jar BENCH_OUT=$OUT/$sha/bench bench/run.sh "$ROUNDS" >"$OUT/$sha/run.txt" 2>&1 \
    || { tail -20 "$OUT/$sha/run.txt"; echo "bench of $sha failed"; exit 1; }
done

# medians of results.tsv per commit: req/s, p99, the ratio to the thin reference of the same run, and
# per hold Redis' own time and the service's CPU
echo
printf '%-8s %9s %9s %9s %7s %7s %9s %9s %7s %8s %8s %s\n' commit health holds thin ratio p99 flash thin-fl ratio redis-us svc-us checks
for commit in "$@"; do
  sha=$(git rev-parse --short "$commit")
  awk -F'\t' -v sha="$sha" '
    NR > 1 && $1 >= 1 { n[$2]++; rps[$2, n[$2]] = $3; p99[$2, n[$2]] = $6; if ($16 != "-" && $16 !~ /^ok/) bad++ }
    function med(s, a,   k, i, j, x, v) { k = n[s]; if (!k) return "-"; for (i = 1; i <= k; i++) v[i] = a[s, i] + 0
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
      return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2 }
    function ratio(a, b) { return (a == "-" || b == "-" || b == 0) ? "-" : sprintf("%.3f", a / b) }
    NR > 1 && $1 >= 1 && $2 == "holds-seats" { split($14, u, ":"); us[++nu] = u[2] + 0; if ($3 > 0) svc[++ns] = $8 * 1e6 / $3 }
    function mid(a, k,   i, j, x) { if (!k) return "-"; for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
      return a[int((k + 1) / 2)] }
    END { h = med("health", rps); q = med("holds-seats", rps); t = med("thin-holds", rps); f = med("flash", rps); tf = med("thin-flash", rps)
      printf "%-8s %9s %9s %9s %7s %7s %9s %9s %7s %8s %8.0f %s\n", sha, h, q, t, ratio(q, t), med("holds-seats", p99),
        f, tf, ratio(f, tf), mid(us, nu), mid(svc, ns), bad ? bad " FAILED" : "ok" }
  ' "$OUT/$sha/bench/results.tsv"
done
echo "(req/s and p99 ms: medians over $ROUNDS rounds; holds: holds-seats; ratio: to the thin reference of the same run;"
echo " redis-us: Redis' own time a hold, svc-us: the service's CPU a hold; logs in $OUT)"
