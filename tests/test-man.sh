#!/bin/sh
# SPDX-License-Identifier: MIT
# The man pages are written by hand: every flag that --help shows must be
# in the page, and the pages must render without a warning. TAP output.
# Needs RNDIMG_SERVER, RNDIMG_MAN_DIR and, when the viewer is built,
# RNDIMG_VIEWER (set by meson test).
set -u

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

. "$(dirname "$0")/tap.sh"

# The flags a program's --help lists, one per line: --port, -p, ...
flags_of() {
    ASAN_OPTIONS=detect_leaks=0 "$1" --help-all 2>/dev/null |
        grep -Eo '(^|[ ,])--?[a-zA-Z][a-zA-Z0-9-]*' | sed 's/^[ ,]*//' | sort -u
}

# In man source a hyphen is written \-: --max-upload is \-\-max\-upload.
page_has_every_flag() { # page_has_every_flag PROGRAM PAGE
    flags=$(flags_of "$1")
    [ -n "$flags" ] || { echo "no flags found in $1 --help-all"; return 1; }
    missing=0
    for flag in $flags; do
        escaped=$(printf '%s' "$flag" | sed 's/-/\\\\-/g')
        if ! grep -q -- "$escaped\\b" "$2"; then
            echo "$flag is in $(basename "$1") --help but not in $(basename "$2")"
            missing=1
        fi
    done
    return "$missing"
}

renders_cleanly() { # renders_cleanly PAGE: no warning from groff
    MANWIDTH=80 man --warnings -l "$1" >"$WORK/page.txt" 2>"$WORK/warnings.txt" &&
    [ ! -s "$WORK/warnings.txt" ] && grep -q "NAME" "$WORK/page.txt" ||
    { cat "$WORK/warnings.txt"; return 1; }
}

# The test of the test: a flag missing from a page is noticed.
notices_missing_flag() {
    grep -v -- 'no\\-metrics' "$RNDIMG_MAN_DIR/rndimg-server.1" >"$WORK/cut.1"
    ! page_has_every_flag "$RNDIMG_SERVER" "$WORK/cut.1"
}

check "rndimg-server.1 has every flag of rndimg-server --help" \
    page_has_every_flag "$RNDIMG_SERVER" "$RNDIMG_MAN_DIR/rndimg-server.1"
check "a flag missing from the page is noticed" notices_missing_flag
check "rndimg-server.1 renders without warnings" renders_cleanly "$RNDIMG_MAN_DIR/rndimg-server.1"
if [ -n "${RNDIMG_VIEWER:-}" ]; then
    check "rndimg-viewer.1 has every flag of rndimg-viewer --help" \
        page_has_every_flag "$RNDIMG_VIEWER" "$RNDIMG_MAN_DIR/rndimg-viewer.1"
    check "rndimg-viewer.1 renders without warnings" renders_cleanly "$RNDIMG_MAN_DIR/rndimg-viewer.1"
fi

tap_finish
