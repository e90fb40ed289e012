#!/usr/bin/env bash
# Builds a stand-in for a Java 17 runtime image (eclipse-temurin:17-jre) from this machine's own
# Java 17, for machines that can reach no image registry (this project's CI), so that the `app`
# profile of docker-compose.yml can be built and run there. Users with Docker pull the official
# image (the compose file defaults to it) and never need this.
#
#   docker/build-local-jre-image.sh [TAG]     (default boxoffice-jre:local)
#
# The image is made FROM nothing, like docker/build-local-redis-image.sh: the runtime of the JDK
# that `java` runs here (bin, conf, lib; its symlinks resolved), every shared library ldd names for
# it, and busybox-static for /bin/sh. It is imported with `docker import`; java is on the PATH.
set -euo pipefail

TAG=${1:-boxoffice-jre:local}

die() { echo "build-local-jre-image: $*" >&2; exit 1; }

for tool in java busybox ldd docker; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y openjdk-17-jre-headless busybox-static docker.io)"
done
home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
version=$("$home/bin/java" -version 2>&1 | head -1)
case "$version" in *'"17.'*) ;; *) die "the java on the PATH is not Java 17: $version" ;; esac
busybox_bin=$(command -v busybox)
if ldd "$busybox_bin" >/dev/null 2>&1; then
  die "$busybox_bin is dynamically linked: install busybox-static"
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,tmp,etc,opt/java}
chmod 1777 "$root/tmp"

# the runtime only: no jmods, headers, man pages or docs; each symlink replaced by what it points
# to (Debian links conf and some libraries into /etc and /usr/share), a dangling one (src.zip) dropped
for part in bin conf lib release; do
  cp -a "$home/$part" "$root/opt/java/"
done
find "$root/opt/java" -type l | while read -r link; do
  target=$home${link#"$root/opt/java"}
  if [ -e "$target" ]; then
    rm "$link"
    cp -rL "$target" "$link"
  else
    rm "$link"
  fi
done

# every shared library the runtime loads, at the same path, plus the dynamic loader
libs=$(find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} \; 2>/dev/null \
  | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && NF == 2 { print $1 }' | sort -u)
for lib in $libs; do
  case "$lib" in "$root"*) continue ;; esac
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

cp "$busybox_bin" "$root/bin/busybox"
for applet in sh cat echo grep sed sleep ls env id hostname ps; do
  ln -s busybox "$root/bin/$applet"
done
mkdir -p "$root/usr/bin"
ln -s ../../bin/env "$root/usr/bin/env"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"

previous=$(docker image inspect -f '{{.Id}}' "$TAG" 2>/dev/null || true)
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/opt/java/bin:/usr/bin:/bin' \
  --change 'ENV JAVA_HOME=/opt/java' \
  --change "LABEL org.opencontainers.image.description=\"$version from this machine, a local stand-in for a JRE image\"" \
  - "$TAG" >/dev/null
if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect -f '{{.Id}}' "$TAG")" ]; then
  docker image rm "$previous" >/dev/null 2>&1 || true
fi
echo "built $TAG ($version, $(docker image inspect -f '{{.Size}}' "$TAG" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
