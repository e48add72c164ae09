#!/bin/sh
# SPDX-License-Identifier: MIT
# HTTPS from the server itself (--tls-certificate, --tls-key), driven with
# curl and a certificate authority made here with openssl: plain answers,
# each push kind (long-poll held and answered by the fan-out, keep-alive
# after it, SSE, WebSocket), a reload on SIGHUP while a stream stays open,
# socket activation, and the start-up refusals (exit 2). TAP output. Needs
# RNDIMG_SERVER and RNDIMG_IMAGES (set by meson test); the server (not
# curl or openssl) runs with RNDIMG_SERVER_PRELOAD preloaded, if set (see
# tests/meson.build: LeakSanitizer and GLib's TLS module).
set -u

API=/polling/api/v1.0
WORK=$(mktemp -d)
export RNDIMG_STATE_FILE="$WORK/history.json"  # ids from 1, whatever ran before

cleanup() {
    [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT

. "$(dirname "$0")/tap.sh"

# A CA, and two server certificates it signed (the second one for the
# reload, told apart by its organisation), and a key of neither.
make_certificates() {
    cd "$WORK" || return 1
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj "/CN=rndimg test CA" -keyout ca.key -out ca.crt 2>/dev/null || return 1
    for name in first second; do
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -subj "/O=$name/CN=localhost" -keyout "$name.key" -out "$name.csr" 2>/dev/null &&
        openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
            -extfile server.ext -out "$name.crt" 2>/dev/null || return 1
    done
    openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:prime256v1 -out wrong.key 2>/dev/null || return 1
    cp first.crt server.crt && cp first.key server.key
    cd - >/dev/null
}

start_server() {
    rm -f "$WORK/server.out"
    LD_PRELOAD="${RNDIMG_SERVER_PRELOAD:-}" "$RNDIMG_SERVER" --port 0 --interval 0 "$@" \
        >"$WORK/server.out" 2>"$WORK/server.err" &
    SERVER_PID=$!
    for _ in $(seq 100); do
        [ -s "$WORK/server.out" ] && break
        sleep 0.05
    done
    URL=$(head -n 1 "$WORK/server.out" | sed 's,/$,,')
}

stop_server() {
    kill "$SERVER_PID" && wait "$SERVER_PID"
    status=$?
    SERVER_PID=
    [ "$status" -eq 0 ] || { echo "the server exited with $status"; return 1; }
}

tls_server() {
    start_server --tls-certificate "$WORK/server.crt" --tls-key "$WORK/server.key" "$@"
}

scurl() { curl --cacert "$WORK/ca.crt" "$@"; }

status_of() { scurl -s -o "$WORK/body" -w '%{http_code}' "$@"; }

refused_at_start() { # refused_at_start MESSAGE SERVER_ARGS...
    message=$1; shift
    LD_PRELOAD="${RNDIMG_SERVER_PRELOAD:-}" "$RNDIMG_SERVER" --port 0 --interval 0 "$@" \
        >"$WORK/refused.out" 2>"$WORK/refused.err"
    status=$?
    cat "$WORK/refused.err"
    [ "$status" -eq 2 ] && grep -q -- "$message" "$WORK/refused.err" && [ ! -s "$WORK/refused.out" ]
}

publish() { # publish NAME: over TLS, as a writer on loopback
    [ "$(status_of -X POST -d "{\"name\":\"$1\"}" "$URL$API/publish")" = 201 ]
}

wait_for() { # wait_for PATTERN FILE: up to 5 s
    for _ in $(seq 50); do
        grep -aq -- "$1" "$2" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "no $1 in $2:"; cat "$2"
    return 1
}

listens_on_https() {
    echo "$URL" | grep -Eq '^https://127\.0\.0\.1:[0-9]+$'
}

answers_https_urls() {
    [ "$(status_of "$URL$API/rndimg")" = 200 ] &&
    grep -Eq "^\{\"status\":\"success\",\"message\":\"https://127\.0\.0\.1:[0-9]+/static/img/[^\"]+\"[,}]" "$WORK/body" &&
    image=$(sed -n 's/.*"message":"\([^"]*\)".*/\1/p' "$WORK/body") &&
    scurl -sf -o "$WORK/image.png" "$image" &&
    cmp -s "$WORK/image.png" "$RNDIMG_IMAGES/${image#*/static/img/}" &&
    # A Host without a port: https's default, not http's.
    [ "$(status_of -H 'Host: localhost' "$URL$API/rndimg")" = 200 ] &&
    grep -q '"message":"https://localhost/static/img/' "$WORK/body"
}

# The server's own origin is https://: its page may write, an http://
# page of the same host and port may not.
own_https_origin_writes() {
    [ "$(status_of -X POST -H "Origin: $URL" -d '{"name":"021.png"}' "$URL$API/publish")" = 201 ] &&
    [ "$(status_of -X POST -H "Origin: http://${URL#https://}" -d '{"name":"021.png"}' "$URL$API/publish")" = 403 ]
}

# The gate, which reads each head before libsoup, answers over TLS too.
gate_refuses_over_tls() {
    [ "$(status_of -H 'Content-Length: 1' -H 'Content-Length: 2' "$URL/healthz")" = 400 ] &&
    grep -q '^{"status":"error","message":"' "$WORK/body"
}

plain_http_gets_nothing() {
    ! curl -s -m 3 -o /dev/null "http://127.0.0.1:${URL##*:}/healthz"
}

# A held poll is answered by the fan-out on the taken connection (through
# TLS), and the connection then goes back to libsoup for the next request.
held_poll_answered_then_kept_alive() {
    scurl -sv "$URL$API/rndimg/poll?timeout=10" "$URL/healthz" >"$WORK/poll" 2>"$WORK/poll.err" &
    reader=$!
    sleep 0.5
    publish 023.png || return 1
    wait "$reader" || return 1
    grep -q '"name":"023.png"' "$WORK/poll" &&
    grep -q '"message":"https://' "$WORK/poll" &&
    grep -q '"alive"' "$WORK/poll" &&
    grep -qi 're-using existing connection' "$WORK/poll.err"
}

poll_times_out_with_204() {
    [ "$(status_of "$URL$API/rndimg/poll?timeout=1")" = 204 ]
}

sse_shows_published_event() {
    scurl -sN -m 5 "$URL$API/events" >"$WORK/events" &
    reader=$!
    sleep 0.3
    publish 024.png || return 1
    wait_for '^data: .*"name":"024.png"' "$WORK/events"
    ok=$?
    kill "$reader" 2>/dev/null
    wait "$reader" 2>/dev/null
    [ "$ok" = 0 ] && head -n 1 "$WORK/events" | grep -qx 'retry: 3000'
}

websocket_shows_events() {
    scurl -sN -m 3 -D "$WORK/ws-headers" -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
         -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \
         --output "$WORK/ws" "$URL$API/ws?since=0"
    head -n 1 "$WORK/ws-headers" | grep -q '^HTTP/1.1 101' &&
    grep -aq '"id":1,' "$WORK/ws" && grep -aq '"message":"https://' "$WORK/ws"
}

organisation_served() { # organisation_served NAME: of the certificate a new connection gets
    scurl -sv -o /dev/null "$URL/healthz" 2>&1 | grep -i 'subject:' | grep -q "O *= *$1"
}

# A renewed certificate: new connections get it, the open stream goes on.
reload_keeps_open_stream() {
    organisation_served first || { echo "not the first certificate at start"; return 1; }
    scurl -sN -m 15 "$URL$API/events" >"$WORK/kept" &
    reader=$!
    sleep 0.3
    cp "$WORK/second.crt" "$WORK/server.crt" && cp "$WORK/second.key" "$WORK/server.key" &&
    kill -HUP "$SERVER_PID" &&
    wait_for 'reload: TLS certificate' "$WORK/server.err" &&
    organisation_served second &&
    publish 025.png &&
    wait_for '"name":"025.png"' "$WORK/kept"
    ok=$?
    alive=0
    kill -0 "$reader" 2>/dev/null && alive=1
    kill "$reader" 2>/dev/null
    wait "$reader" 2>/dev/null
    [ "$ok" = 0 ] && [ "$alive" = 1 ]
}

reload_with_wrong_key_keeps_old() {
    cp "$WORK/wrong.key" "$WORK/server.key" &&
    kill -HUP "$SERVER_PID" &&
    wait_for 'keeping the old TLS certificate' "$WORK/server.err" &&
    organisation_served second &&
    cp "$WORK/second.key" "$WORK/server.key"
}

from_environment_and_config_file() {
    RNDIMG_TLS_CERTIFICATE="$WORK/server.crt" RNDIMG_TLS_KEY="$WORK/server.key" start_server &&
    listens_on_https && [ "$(status_of "$URL/healthz")" = 200 ] && stop_server &&
    printf '[server]\ntls-certificate=%s\ntls-key=%s\n' "$WORK/server.crt" "$WORK/server.key" >"$WORK/tls.conf" &&
    start_server --config "$WORK/tls.conf" &&
    listens_on_https && [ "$(status_of "$URL/healthz")" = 200 ] && stop_server
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

socket_activated() {
    command -v systemd-socket-activate >/dev/null || { echo "systemd-socket-activate is missing"; return 1; }
    port=$(free_port)
    rm -f "$WORK/server.out"
    systemd-socket-activate -l "127.0.0.1:$port" -E LD_PRELOAD="${RNDIMG_SERVER_PRELOAD:-}" \
        "$RNDIMG_SERVER" --interval 0 \
        --tls-certificate "$WORK/server.crt" --tls-key "$WORK/server.key" \
        >"$WORK/server.out" 2>"$WORK/server.err" &
    SERVER_PID=$!
    sleep 0.2
    [ "$(status_of "https://127.0.0.1:$port$API/rndimg")" = 200 ] &&
    grep -q "\"message\":\"https://127.0.0.1:$port/" "$WORK/body" &&
    [ "$(head -n 1 "$WORK/server.out")" = "https://127.0.0.1:$port/" ] &&
    stop_server
}

# Over --max-connections-per-address on a TLS port the connection is only
# closed: a 503 in plain text would reach a client waiting for a handshake.
over_limit_closed_without_plain_text() {
    tls_server --max-connections-per-address 1
    scurl -sN -m 10 "$URL$API/events" >/dev/null &
    holder=$!
    sleep 0.5
    got=$(python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
print(repr(s.recv(64)))' "${URL##*:}")
    kill "$holder" 2>/dev/null
    wait "$holder" 2>/dev/null
    [ "$got" = "b''" ] || { echo "the refused connection read $got"; stop_server; return 1; }
    stop_server
}

if ! make_certificates; then
    echo "Bail out! openssl could not make the test certificates"
    exit 1
fi
check "a key that does not match the certificate: exit 2" \
    refused_at_start "does not match" --tls-certificate "$WORK/first.crt" --tls-key "$WORK/wrong.key"
check "an unreadable certificate: exit 2" \
    refused_at_start "tls-certificate $WORK/missing.crt" --tls-certificate "$WORK/missing.crt" --tls-key "$WORK/first.key"
check "a file that is no certificate: exit 2" \
    refused_at_start "tls-certificate" --tls-certificate "$WORK/first.key" --tls-key "$WORK/first.key"
check "a key without a certificate: exit 2" refused_at_start "go together" --tls-key "$WORK/first.key"
tls_server
check "the first line is the https:// URL" listens_on_https
check "answers carry https:// URLs, and the picture downloads" answers_https_urls
check "plain HTTP on the TLS port gets no answer" plain_http_gets_nothing
check "a head the gate refuses is answered over TLS" gate_refuses_over_tls
check "writes from the https:// page are the server's own" own_https_origin_writes
check "a held long-poll is answered over TLS, then the connection is reused" held_poll_answered_then_kept_alive
check "a long-poll times out with 204" poll_times_out_with_204
check "an event stream shows a published event" sse_shows_published_event
check "a WebSocket gets its events" websocket_shows_events
check "SIGHUP loads a renewed certificate while a stream stays open" reload_keeps_open_stream
check "SIGHUP with a key that does not match keeps the old certificate" reload_with_wrong_key_keeps_old
check "the stop is clean" stop_server
check "the certificate from the environment and from the config file" from_environment_and_config_file
check "socket activation with TLS" socket_activated
check "over the per-address limit a TLS connection is closed, no plain-text 503" over_limit_closed_without_plain_text
tap_finish
