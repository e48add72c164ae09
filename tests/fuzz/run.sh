#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets of tests/fuzz/ with clang
# (-fsanitize=fuzzer,address,undefined) and runs each for SECONDS.
#   tests/fuzz/run.sh [--tap] SECONDS [TARGET...]
# Builds in $FUZZ_BUILD (default build-fuzz/); each target keeps its
# corpus there (corpus-TARGET/), so runs build on each other. A crash,
# leak or failed assertion leaves its input in that folder and fails.
set -u
cd "$(dirname "$0")/../.."

TAP=0
[ "${1:-}" = "--tap" ] && { TAP=1; shift; }
SECONDS_EACH=${1:?usage: run.sh [--tap] SECONDS [TARGET...]}
shift
TARGETS=${*:-"sse-parser query image-type if-none-match multipart head chunked sidecar variant blurhash picture-header credential"}
BUILD=${FUZZ_BUILD:-build-fuzz}
mkdir -p "$BUILD/objects"

CC=${CC_FUZZ:-clang}
PKGS="glib-2.0 gio-2.0 gio-unix-2.0 libsoup-3.0 json-glib-1.0 hiredis liburing vips libbrotlienc zlib libjwt"
CFLAGS="-std=c11 -g -O1 -D_GNU_SOURCE -fno-omit-frame-pointer $(pkg-config --cflags $PKGS)
  -Icommon -Iserver -Iserver/access -Iserver/api -Iserver/http -Iserver/pictures -Iserver/render -Iserver/brokers -Iserver/brokers/redis -I$BUILD/generated -Iserver/push -Iclient
  -DG_LOG_DOMAIN=\"rndimg\" -DPACKAGE_VERSION=\"fuzz\" -DGETTEXT_PACKAGE=\"rndimg-viewer\"
  -DRNDIMG_SOURCE_IMAGES_DIR=\"data/img\" -DRNDIMG_SOURCE_WEB_DIR=\"web\"
  -DRNDIMG_INSTALLED_IMAGES_DIR=\"data/img\" -DRNDIMG_INSTALLED_WEB_DIR=\"web\"
  -DRNDIMG_VIPS_MODULE_DIR=\"$(pkg-config --variable=libdir vips)/vips-modules-$(pkg-config --modversion vips | cut -d. -f1,2)\"
  -DRNDIMG_BUILD_SERVER_DIR=\"/nonexistent\" -DRNDIMG_BUILD_RENDER_MODULE=\"/nonexistent\" -DRNDIMG_INSTALLED_RENDER_MODULE=\"/nonexistent\""
LIBS="$(pkg-config --libs $PKGS)"
SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=undefined"

say() { [ "$TAP" = 1 ] && echo "# $*" || echo "$*"; }

# What meson generates for the server, made here the same way: the Redis
# broker's Lua scripts as a header, the OpenAPI description as a GResource.
generate() {
    generated="$BUILD/generated"
    mkdir -p "$generated"
    scripts="$generated/rndimg-redis-scripts.h"
    for lua in server/brokers/redis/*.lua; do
        if [ ! -f "$scripts" ] || [ "$lua" -nt "$scripts" ]; then
            python3 server/brokers/redis/embed-lua.py "$scripts" server/brokers/redis/publish.lua \
                server/brokers/redis/floor.lua || return 1
        fi
    done
    if [ ! -f "$generated/rndimg-openapi-resources.c" ] || [ docs/openapi.yaml -nt "$generated/openapi.json" ]; then
        python3 tools/yaml-to-json.py docs/openapi.yaml "$generated/openapi.json" || return 1
        for kind in h c; do
            [ "$kind" = h ] && what=header || what=source
            glib-compile-resources --sourcedir="$generated" --c-name=rndimg_openapi --generate-$what \
                --target="$generated/rndimg-openapi-resources.$kind" docs/openapi.gresource.xml || return 1
        done
    fi
}

# The server's code (not main.c), what meson generates for it, and the
# viewer's SSE parser, built once.
build_objects() {
    generate || return 1
    OBJECTS=""
    for source in server/*.c server/access/*.c server/api/*.c server/http/*.c server/pictures/*.c server/render/*.c server/brokers/*.c server/brokers/redis/*.c server/push/*.c "$BUILD/generated/rndimg-openapi-resources.c" client/rndimg-sse-parser.c client/rndimg-blurhash-decode.c; do
        [ "$source" = server/main.c ] && continue
        object="$BUILD/objects/$(echo "$source" | tr / _).o"
        OBJECTS="$OBJECTS $object"
        if [ ! -f "$object" ] || [ "$source" -nt "$object" ] || [ "$scripts" -nt "$object" ] ||
           [ "$generated/rndimg-openapi-resources.h" -nt "$object" ]; then
            # shellcheck disable=SC2086
            $CC $CFLAGS $SANITIZE -fsanitize=fuzzer-no-link -c "$source" -o "$object" || return 1
        fi
    done
}

# A target that includes a server file (to reach its private functions)
# links every object but that file's. Only the objects of today's sources:
# one left in the folder by a file since moved or removed would clash.
link_target() { # link_target NAME
    source="tests/fuzz/fuzz-$1.c"
    included=$(sed -n 's|^#include "\.\./\.\./\(server/.*\.c\)"|\1|p' "$source")
    objects=""
    for object in $OBJECTS; do
        [ -n "$included" ] && [ "$object" = "$BUILD/objects/$(echo "$included" | tr / _).o" ] && continue
        objects="$objects $object"
    done
    # shellcheck disable=SC2086
    $CC $CFLAGS $SANITIZE -fsanitize=fuzzer "$source" $objects $LIBS -lm -o "$BUILD/fuzz-$1"
}

max_len_of() {
    case "$1" in
        sse-parser) echo 300000 ;;   # beyond the 64 KiB line and 256 KiB event bounds
        multipart) echo 65536 ;;
        *) echo 4096 ;;
    esac
}

if ! build_objects; then
    [ "$TAP" = 1 ] && echo "1..1" && echo "not ok 1 - building the fuzz targets"
    exit 1
fi
count=0; failed=0
for target in $TARGETS; do count=$((count + 1)); done
[ "$TAP" = 1 ] && echo "1..$count"
number=0
for target in $TARGETS; do
    number=$((number + 1))
    corpus="$BUILD/corpus-$target"
    mkdir -p "$corpus"
    # A target's seeds (tests/fuzz/seeds/TARGET/), read, never written to.
    seeds=""
    [ -d "tests/fuzz/seeds/$target" ] && seeds="$PWD/tests/fuzz/seeds/$target"
    # shellcheck disable=SC2086
    if link_target "$target" &&
       (cd "$BUILD" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 ./"fuzz-$target" -max_total_time="$SECONDS_EACH" \
            -max_len="$(max_len_of "$target")" -rss_limit_mb=2048 -print_final_stats=1 \
            "corpus-$target" $seeds >"fuzz-$target.log" 2>&1); then
        say "fuzz-$target: $(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$BUILD/fuzz-$target.log" | grep -Eo '[0-9]+$') runs in ${SECONDS_EACH}s, no failure"
        [ "$TAP" = 1 ] && echo "ok $number - fuzz-$target"
    else
        failed=$((failed + 1))
        say "fuzz-$target failed; its log: $BUILD/fuzz-$target.log"
        [ -f "$BUILD/fuzz-$target.log" ] && tail -40 "$BUILD/fuzz-$target.log" | sed 's/^/# /'
        [ "$TAP" = 1 ] && echo "not ok $number - fuzz-$target"
    fi
done
[ "$failed" = 0 ]
