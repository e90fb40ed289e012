#!/usr/bin/env bash
# Builds a stand-in for the official Redis image from this machine's Debian packages, for machines
# that can reach no image registry (this project's CI). Users with Docker pull the official image
# (docker-compose.yml defaults to it) and never need this.
#
#   docker/build-local-redis-image.sh [TAG]     (default boxoffice-redis:local)
#
# The image is made FROM nothing: redis-server and redis-cli from Debian's redis-server / redis-tools,
# every shared library ldd names for them, and busybox-static for /bin/sh and the few tools the
# healthchecks and docker/cluster-init.sh use (grep, sed, tr, sleep, ...). It is imported with
# `docker import` (no base image, no builder). Like the official image, it runs redis-server by
# default, keeps its data in /data and has redis-server and redis-cli on the PATH.
set -euo pipefail

TAG=${1:-boxoffice-redis:local}

die() { echo "build-local-redis-image: $*" >&2; exit 1; }

for tool in redis-server redis-cli busybox ldd docker; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y redis-server redis-tools busybox-static docker.io)"
done
busybox_bin=$(command -v busybox)
# a dynamically linked busybox would need its libraries too; Debian's busybox-static is static
if ldd "$busybox_bin" >/dev/null 2>&1; then
  die "$busybox_bin is dynamically linked: install busybox-static"
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,usr/local/bin,data,tmp,etc,lib64}
chmod 1777 "$root/tmp"

# Debian's /usr/bin/redis-server is a symlink to redis-check-rdb (one binary, mode chosen by its name)
cp -L "$(command -v redis-server)" "$root/usr/local/bin/redis-server"
cp -L "$(command -v redis-cli)" "$root/usr/local/bin/redis-cli"

# every shared library the two binaries load, at the same path, plus the dynamic loader
libs=$(ldd "$root/usr/local/bin/redis-server" "$root/usr/local/bin/redis-cli" \
  | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && NF == 2 { print $1 }' | sort -u)
for lib in $libs; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

cp "$busybox_bin" "$root/bin/busybox"
for applet in sh ash cat echo grep sed tr awk sleep seq ls mkdir rm cut head tail wc date env id hostname ps; do
  ln -s busybox "$root/bin/$applet"
done
mkdir -p "$root/usr/bin"
ln -s ../../bin/env "$root/usr/bin/env"

echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"

previous=$(docker image inspect -f '{{.Id}}' "$TAG" 2>/dev/null || true)
version=$("$root/usr/local/bin/redis-server" --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'WORKDIR /data' \
  --change 'EXPOSE 6379' \
  --change 'CMD ["redis-server"]' \
  --change "LABEL org.opencontainers.image.description=\"Redis $version from Debian packages, a local stand-in for the official image\"" \
  - "$TAG" >/dev/null
# the image this one replaces, unless a container still uses it
if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect -f '{{.Id}}' "$TAG")" ]; then
  docker image rm "$previous" >/dev/null 2>&1 || true
fi
echo "built $TAG (Redis $version from this machine's Debian packages, $(docker image inspect -f '{{.Size}}' "$TAG" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
