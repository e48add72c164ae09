#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the dependencies, builds, and runs rndimg-server on its defaults
# (http://127.0.0.1:5000). Extra arguments go to the server: --help lists them.
set -eu
cd "$(dirname "$0")/.."

scripts/install-deps.sh
[ -d build ] || meson setup build
meson compile -C build
exec build/server/rndimg-server "$@"
