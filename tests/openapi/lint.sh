#!/bin/sh
# SPDX-License-Identifier: MIT
# Lints the OpenAPI document with Redocly's CLI (pinned in package.json,
# installed by `npm ci` here; scripts/test.sh does it), as TAP. Any
# problem, error or warning, fails.
#
#   tests/openapi/lint.sh docs/openapi.yaml
set -u
# Only loopback traffic in tests: no usage report, no look for a newer version.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
here=$(cd "$(dirname "$0")" && pwd)
document=$1
redocly="$here/node_modules/.bin/redocly"

echo "1..1"
if [ ! -x "$redocly" ]; then
    echo "not ok 1 - lint $document: $redocly is missing (run npm ci in tests/openapi)"
    exit 1
fi
if output=$("$redocly" lint --config "$here/redocly.yaml" --max-problems 1000 "$document" 2>&1) &&
   ! printf '%s\n' "$output" | grep -q 'Warning was generated'; then
    echo "ok 1 - lint $document"
    exit 0
fi
printf '%s\n' "$output" | sed 's/^/# /'
echo "not ok 1 - lint $document"
exit 1
