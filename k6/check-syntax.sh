#!/usr/bin/env bash
# Checks the k6 scripts without k6 (it cannot be installed here), with node:
#   1. every script, lib/*.js and tools/*.mjs parses as an ES module (node --check: nothing runs,
#      imports such as 'k6/http' are not resolved);
#   2. every scenario script links and runs its init code against stand-ins for k6's modules
#      (tools/dry-run.mjs --load-only): names imported from lib/ exist, options build, each
#      scenario's exec function is exported. No request is sent.
# Exit status 0 when all pass; the last line reads 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null || { echo "k6/check-syntax.sh: node is not installed" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
for file in *.js lib/*.js tools/*.mjs; do
  [ -f "$file" ] || continue
  copy="$tmp/${file//\//_}.mjs" # .mjs: node parses it as a module whatever package.json says
  cp "$file" "$copy"
  if out=$(node --check "$copy" 2>&1); then
    echo "ok   parse k6/$file"
    passed=$((passed + 1))
  else
    echo "FAIL parse k6/$file"
    echo "$out" | sed "s|$copy|k6/$file|g; s/^/     /"
    failed=$((failed + 1))
  fi
done
for file in *.js; do
  [ -f "$file" ] || continue
  if out=$(env -u BASE_URL node tools/dry-run.mjs --load-only "$file" 2>&1); then
    echo "ok   load  k6/$file"
    passed=$((passed + 1))
  else
    echo "FAIL load  k6/$file"
    echo "$out" | sed 's/^/     /'
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
