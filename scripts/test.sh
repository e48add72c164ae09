#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the dependencies, builds with AddressSanitizer and UBSan (warnings
# are errors), and runs every test. Ends with "N passed, N failed".
set -eu
cd "$(dirname "$0")/.."

BUILD=build-test
scripts/install-deps.sh --test
for folder in tests/browser tests/openapi; do
    (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error)
done
[ -d "$BUILD" ] || meson setup "$BUILD" -Dwerror=true -Db_sanitize=address,undefined -Dgtk_client=enabled
meson compile -C "$BUILD"

status=0
meson test -C "$BUILD" --print-errorlogs --num-processes 2 "$@" || status=$?
python3 scripts/test-summary.py "$BUILD/meson-logs/testlog.json" || status=1
exit "$status"
