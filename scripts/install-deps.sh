#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs what rndimg needs from Debian's packages; a no-op when all are
# there. "--test" adds what the test run needs (curl, openssl, Xvfb, Chromium, Node,
# clang and its libFuzzer runtime, Redis, nginx); "--cluster" what
# scripts/cluster.sh needs; "--bench" what the benchmarks (bench/) need.
set -eu

PACKAGES="gcc meson ninja-build pkg-config python3 python3-yaml libglib2.0-dev libsoup-3.0-dev libjson-glib-dev libgtk-4-dev libadwaita-1-dev libcairo2-dev libhiredis-dev liburing-dev libjpeg62-turbo-dev libvips-dev libbrotli-dev zlib1g-dev libjwt-dev libsecret-1-dev gettext glib-networking"
# python3-jwt mints the JWTs the tests present (an independent library;
# python3-cryptography gives it RS256 and ES256);
# gnome-keyring holds the viewer's token in its test.
TEST_PACKAGES="curl xvfb xauth fonts-dejavu-core chromium python3 python3-jwt python3-cryptography systemd man-db appstream desktop-file-utils clang libclang-rt-14-dev openssl gnome-keyring dbus"
# The cluster (scripts/cluster.sh) and its tests.
CLUSTER_PACKAGES="libhiredis-dev redis-server redis-tools nginx-light curl"
# bench/compare-nchan.sh (nchan, wrk) and bench/compare-cluster.sh (the cluster's).
# bench/compare-variants.sh: nginx's image_filter (libgd) and libvips' tools.
BENCH_PACKAGES="nginx-light libnginx-mod-nchan wrk procps python3 libnginx-mod-http-image-filter libvips-tools"

[ "${1:-}" = "--test" ] && PACKAGES="$PACKAGES $TEST_PACKAGES $CLUSTER_PACKAGES"
[ "${1:-}" = "--cluster" ] && PACKAGES="$PACKAGES $CLUSTER_PACKAGES"
[ "${1:-}" = "--bench" ] && PACKAGES="$PACKAGES $CLUSTER_PACKAGES $BENCH_PACKAGES"
# Node.js may come from elsewhere than Debian; only install it when absent.
if [ "${1:-}" = "--test" ] && ! command -v npm >/dev/null 2>&1; then
    PACKAGES="$PACKAGES nodejs npm"
fi

missing=""
for package in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $package"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "installing:$missing" >&2
$SUDO apt-get update -q
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
