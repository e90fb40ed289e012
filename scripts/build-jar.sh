#!/usr/bin/env bash
# Builds target/boxoffice.jar when it is missing or older than anything it is built from. The tests are
# neither compiled nor run here (scripts/test.sh does that), so a test that does not compile stops
# neither the service nor a benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f target/boxoffice.jar ] || [ -n "$(find pom.xml src/main lua -newer target/boxoffice.jar -print -quit)" ]; then
  mvn -q -B package -Dmaven.test.skip=true
fi
