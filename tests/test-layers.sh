#!/bin/sh
# SPDX-License-Identifier: MIT
# The one-way rule of HACKING.md ("Where things are"), checked: which
# server folder may include which, and which libraries each may use. A
# folder's headers are the rndimg-*.h files in it. TAP output.
# Needs RNDIMG_SOURCE_DIR (set by meson test).
set -u

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
. "$(dirname "$0")/tap.sh"
SERVER=${RNDIMG_SOURCE_DIR:?}/server

headers_of() { # headers_of FOLDER: its header names, one per line
    (cd "$SERVER/$1" && ls rndimg-*.h 2>/dev/null)
}

# includes_none FOLDER OTHER...: no file of FOLDER includes a header of an OTHER
includes_none() {
    folder=$1; shift
    status=0
    for other in "$@"; do
        for header in $(headers_of "$other"); do
            if grep -l "#include \"$header\"" "$SERVER/$folder"/*.[ch] 2>/dev/null; then
                echo "$folder/ includes $other/$header"
                status=1
            fi
        done
    done
    return $status
}

# mentions_none FOLDER WORD...: no file of FOLDER names a WORD (a library)
mentions_none() {
    folder=$1; shift
    status=0
    for word in "$@"; do
        if grep -n -i -- "$word" "$SERVER/$folder"/*.[ch]; then
            echo "$folder/ mentions $word"
            status=1
        fi
    done
    return $status
}

check "pictures/ (the catalogue) uses neither libvips nor libsoup" mentions_none pictures vips_ 'vips/' soup
check "render/ (libvips, in workers) uses no libsoup" mentions_none render soup
check "brokers/ use no libsoup and no libvips" mentions_none brokers soup vips_
check "http/ includes nothing above it but the configuration" \
    includes_none http api push pictures render brokers brokers/redis
check "pictures/ includes nothing of render/, api/, push/ or http/" \
    includes_none pictures render api push http
check "render/ includes nothing of api/, push/, brokers/ or http/" \
    includes_none render api push brokers brokers/redis http
check "brokers/ reach pictures only through the describer" \
    includes_none brokers pictures render api push
check "push/ includes no endpoint (api/) and nothing of render/" \
    includes_none push api render
tap_finish
