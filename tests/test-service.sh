#!/bin/sh
# SPDX-License-Identifier: MIT
# rndimg-server as a service: socket activation the way systemd does it
# (systemd-socket-activate passes a listening socket with LISTEN_FDS),
# readiness notification (Type=notify) on SIGHUP and SIGTERM, the access
# log, the units checked by systemd-analyze verify, and what meson install
# puts where. TAP output. Needs RNDIMG_SERVER, RNDIMG_IMAGES,
# RNDIMG_SOURCE_ROOT and RNDIMG_BUILD_ROOT (set by meson test).
set -u

API=/polling/api/v1.0
WORK=$(mktemp -d)
export RNDIMG_STATE_FILE="$WORK/history.json"  # ids from 1, whatever ran before

cleanup() {
    [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID"
    [ -n "${LISTENER_PID:-}" ] && kill "$LISTENER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

. "$(dirname "$0")/tap.sh"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_file() { # wait_for_file FILE: until it is not empty, 5 s at most
    for _ in $(seq 100); do
        [ -s "$1" ] && return 0
        sleep 0.05
    done
    return 1
}

stop_server() { # SIGTERM, and the exit status must be 0
    kill -TERM "$SERVER_PID" && wait "$SERVER_PID"
    status=$?
    SERVER_PID=
    [ "$status" -eq 0 ] || { echo "the server exited with $status"; return 1; }
}

status_of() { curl -s -o "$WORK/body" -w '%{http_code}' "$@"; }

# ---- socket activation ----

# systemd-socket-activate binds ADDRESS:PORT, and on the first connection
# execs the server with the socket as fd 3, LISTEN_FDS=1 and LISTEN_PID.
activated_on() { # activated_on ADDRESS PORT SERVER_ARGS...
    address=$1 port=$2; shift 2
    rm -f "$WORK/server.out"
    systemd-socket-activate -l "$address:$port" \
        "$RNDIMG_SERVER" --interval 0 --images "$WORK/images" "$@" \
        >"$WORK/server.out" 2>"$WORK/server.err" &
    SERVER_PID=$!
    sleep 0.2
}

serves_on_passed_socket() {
    port=$(free_port)
    # --port says 1: a server that bound by itself would fail or answer elsewhere.
    activated_on 127.0.0.1 "$port" --port 1 &&
    [ "$(status_of "http://127.0.0.1:$port/healthz")" = 200 ] &&
    grep -q '"alive"' "$WORK/body" &&
    [ "$(head -n 1 "$WORK/server.out")" = "http://127.0.0.1:$port/" ] &&
    [ "$(status_of -X POST "http://127.0.0.1:$port$API/publish")" = 201 ] &&
    stop_server
}

# Who may write follows the socket's address, not the --address default:
# a socket on every address with no token must refuse writes.
passed_socket_decides_writes() {
    port=$(free_port)
    activated_on 0.0.0.0 "$port" &&
    [ "$(status_of "http://127.0.0.1:$port$API/rndimg")" = 200 ] &&
    [ "$(status_of -X POST "http://127.0.0.1:$port$API/publish")" = 403 ] &&
    stop_server
}

# ---- readiness notification ----

# A datagram socket standing in for systemd's NOTIFY_SOCKET.
start_notify_listener() {
    python3 - "$WORK/notify.sock" >"$WORK/notify.log" <<'PY' &
import socket, sys
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sys.argv[1])
while True:
    print(sock.recv(4096).decode(), flush=True)
PY
    LISTENER_PID=$!
    for _ in $(seq 100); do [ -S "$WORK/notify.sock" ] && return 0; sleep 0.05; done
    return 1
}

notify_states_are() { # notify_states_are EXPECTED...: the messages so far
    expected=$(printf '%s\n' "$@")
    for _ in $(seq 100); do
        [ "$(cat "$WORK/notify.log")" = "$expected" ] && return 0
        sleep 0.05
    done
    echo "expected:"; echo "$expected"; echo "got:"; cat "$WORK/notify.log"
    return 1
}

notifies_systemd() {
    start_notify_listener &&
    NOTIFY_SOCKET="$WORK/notify.sock" "$RNDIMG_SERVER" --port 0 --interval 0 --images "$WORK/images" \
        >"$WORK/server.out" 2>"$WORK/server.err" &
    SERVER_PID=$!
    wait_for_file "$WORK/server.out" &&
    notify_states_are READY=1 &&
    kill -HUP "$SERVER_PID" &&
    notify_states_are READY=1 RELOADING=1 READY=1 &&
    grep -q "reload: 3 images" "$WORK/server.err" &&
    stop_server &&
    notify_states_are READY=1 RELOADING=1 READY=1 STOPPING=1
}

# ---- access log ----

start_plain() { # start_plain SERVER_ARGS...
    rm -f "$WORK/server.out"
    "$RNDIMG_SERVER" --port 0 --interval 0 --images "$WORK/images" "$@" \
        >"$WORK/server.out" 2>"$WORK/server.err" &
    SERVER_PID=$!
    wait_for_file "$WORK/server.out" && URL=$(head -n 1 "$WORK/server.out" | sed 's,/$,,')
}

# 127.0.0.1 - - [24/Nov/2026:19:16:09 +0000] "GET /static/img/01.png?x=1 HTTP/1.1" 200 29027 "-" "probe/1.0" 0.001234
access_line_pattern='^127\.0\.0\.1 - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8} [+-][0-9]{4}\] "GET /static/img/01\.png\?x=1 HTTP/1\.1" 200 29027 "-" "probe/1\.0" [0-9]+\.[0-9]{6}$'

logs_each_request() {
    start_plain --access-log &&
    curl -s -o /dev/null -A probe/1.0 "$URL/static/img/01.png?x=1" &&
    curl -s -o /dev/null -A probe/1.0 "$URL/nope/../missing" &&
    stop_server &&
    grep -Eq "$access_line_pattern" "$WORK/server.err" &&
    grep -Eq '"GET /missing HTTP/1\.1" 404 [0-9]+ ' "$WORK/server.err"
}

no_access_log_by_default() {
    start_plain &&
    curl -s -o /dev/null -A probe/1.0 "$URL/static/img/01.png?x=1" &&
    stop_server &&
    ! grep -q 'probe/1.0' "$WORK/server.err"
}

# Under systemd standard error is a stream to journald: then each request
# is a journal record with one field per value. A private mount namespace
# with a tmpfs on /run lets tests/fake-journal.py listen where journald does.
can_fake_journal() {
    unshare --mount sh -c 'mount -t tmpfs tmpfs /run' >/dev/null 2>&1
}

logs_to_journal_with_fields() {
    unshare --mount sh -c 'mount -t tmpfs tmpfs /run && exec python3 "$@"' sh \
        "$RNDIMG_SOURCE_ROOT/tests/fake-journal.py" \
        "$RNDIMG_SERVER" --port 0 --interval 0 --images "$WORK/images" --access-log >"$WORK/journal.txt" &&
    cat "$WORK/journal.txt" &&
    for field in GLIB_DOMAIN=rndimg-access PRIORITY=6 REMOTE_ADDR=127.0.0.1 REQUEST_METHOD=GET \
        REQUEST_PATH=/healthz HTTP_STATUS=200 RESPONSE_BYTES=38 USER_AGENT=journal-probe/1.0 EXIT=0; do
        grep -qx "$field" "$WORK/journal.txt" || { echo "no $field in the journal"; return 1; }
    done &&
    grep -Eqx 'DURATION_SECONDS=[0-9]+\.[0-9]{6}' "$WORK/journal.txt" &&
    grep -q '^MESSAGE=127.0.0.1 - - .*"GET /healthz HTTP/1.1" 200 38 "-" "journal-probe/1.0"' "$WORK/journal.txt"
}

# ---- the units ----

# The units as installed, with ExecStart pointing at the built server so
# that verify can check it exists and is executable; verify also opens the
# Documentation= man page, found through MANPATH as if installed.
units_verify() {
    mkdir -p "$WORK/units" "$WORK/man/man1" &&
    cp "$RNDIMG_MAN_DIR/rndimg-server.1" "$WORK/man/man1/" &&
    sed "s,@bindir@/rndimg-server,$RNDIMG_SERVER," \
        "$RNDIMG_SOURCE_ROOT/data/systemd/rndimg-server.service.in" >"$WORK/units/rndimg-server.service" &&
    cp "$RNDIMG_SOURCE_ROOT/data/systemd/rndimg-server.socket" "$WORK/units/" &&
    MANPATH="$WORK/man:" systemd-analyze verify "$WORK/units/rndimg-server.socket" "$WORK/units/rndimg-server.service" \
        >"$WORK/verify.log" 2>&1 &&
    # verify exits 0 on some complaints: any line naming our units is one.
    ! grep 'rndimg-server\.' "$WORK/verify.log" || { cat "$WORK/verify.log"; return 1; }
}

unit_is_hardened() {
    for setting in Type=notify DynamicUser=yes StateDirectory=rndimg ProtectSystem=strict \
        NoNewPrivileges=yes ProtectHome=yes PrivateTmp=yes 'ExecReload=/bin/kill -HUP $MAINPID'; do
        grep -qx "$setting" "$RNDIMG_SOURCE_ROOT/data/systemd/rndimg-server.service.in" ||
            { echo "the unit lacks $setting"; return 1; }
    done
}

# ---- meson install ----

installs_what_is_shipped() {
    meson install -C "$RNDIMG_BUILD_ROOT" --no-rebuild --destdir "$WORK/root" >"$WORK/install.log" 2>&1 ||
        { cat "$WORK/install.log"; return 1; }
    prefix=$(meson introspect "$RNDIMG_BUILD_ROOT" --buildoptions |
             python3 -c 'import json, sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
    root="$WORK/root$prefix"
    ls "$root/share/rndimg/img" >"$WORK/installed.txt"
    { for number in $(seq 1 51); do echo "0$number.png"; done; echo landscapes; echo portraits; echo squares; } |
        sort >"$WORK/shipped.txt"
    sort "$WORK/installed.txt" | diff "$WORK/shipped.txt" - &&
    [ -f "$root/share/rndimg/img/squares/small/info.json" ] &&
    [ -f "$root/share/rndimg/img/landscapes/landscapes-2.jpg" ] &&
    [ -x "$root/bin/rndimg-server" ] &&
    [ -f "$root/lib/systemd/system/rndimg-server.socket" ] &&
    grep -qx "ExecStart=$prefix/bin/rndimg-server" "$root/lib/systemd/system/rndimg-server.service" &&
    [ -f "$root/share/man/man1/rndimg-server.1" ] &&
    installed_server_renders "$root"
}

# The installed server, outside its build tree, with the installed render
# module (at its installed path less the destdir): renders a variant.
installed_server_renders() {
    libdir=$(meson introspect "$RNDIMG_BUILD_ROOT" --buildoptions |
             python3 -c 'import json, sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "libdir"][0])')
    module="$1/$libdir/rndimg/rndimg-render.so"
    [ -f "$module" ] || { echo "no $module"; return 1; }
    RNDIMG_RENDER_MODULE=$module "$1/bin/rndimg-server" --port 0 --address 127.0.0.1 --images "$WORK/images" \
        --state-file "$WORK/installed-state/history.json" >"$WORK/installed.url" 2>"$WORK/installed.log" &
    installed_pid=$!
    for _ in $(seq 100); do [ -s "$WORK/installed.url" ] && break; sleep 0.1; done
    url=$(head -n 1 "$WORK/installed.url")
    status=$(curl -s -L -o /dev/null -w '%{http_code} %{content_type}' "${url}img/01.png/40x30.jpg")
    kill "$installed_pid"; wait "$installed_pid" 2>/dev/null
    [ "$status" = "200 image/jpeg" ] || { echo "installed server: $status"; cat "$WORK/installed.log"; return 1; }
}

mkdir -p "$WORK/images"
cp "$RNDIMG_IMAGES/01.png" "$RNDIMG_IMAGES/02.png" "$RNDIMG_IMAGES/03.png" "$WORK/images/"

check "serves on a socket passed with LISTEN_FDS (systemd-socket-activate)" serves_on_passed_socket
check "a passed socket on every address refuses writes without a token" passed_socket_decides_writes
check "tells NOTIFY_SOCKET READY, RELOADING on SIGHUP, STOPPING" notifies_systemd
check "--access-log writes one combined-format line per request" logs_each_request
check "no access log without --access-log" no_access_log_by_default
if can_fake_journal; then
    check "under systemd the access log is a journal record with fields" logs_to_journal_with_fields
else
    skip "under systemd the access log is a journal record with fields" "no private mount namespace here"
fi
check "systemd-analyze verify accepts the units" units_verify
check "the service unit is hardened and reloads with SIGHUP" unit_is_hardened
check "meson install installs the 51 shipped pictures, the albums, units, man page and render module" installs_what_is_shipped

tap_finish
