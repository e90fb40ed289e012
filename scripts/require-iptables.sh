#!/usr/bin/env bash
# Installs Debian's iptables when it is missing: the partition tests (src/test/java/boxoffice/resilience,
# LoopbackCluster) cut one Redis node off from the others with INPUT rules on 127.0.2.0/24, never
# anything outside the loopback range. Both of Debian's variants (nft and legacy) filter loopback
# traffic; the tests use `iptables` as the system's alternatives point it, or iptables-legacy when
# that one cannot list the rules.
set -euo pipefail
if ! command -v iptables >/dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing iptables from the distribution's packages"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq iptables >/dev/null
fi
if ! iptables -S INPUT >/dev/null 2>&1 && ! iptables-legacy -S INPUT >/dev/null 2>&1; then
  echo "require-iptables: neither iptables nor iptables-legacy can list the INPUT chain (the partition tests need root)" >&2
  exit 1
fi
