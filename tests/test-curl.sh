#!/bin/sh
# SPDX-License-Identifier: MIT
# curl is one of our users: drive a real rndimg-server with it, as the README
# does, and report TAP. Needs RNDIMG_SERVER (set by meson test). The answers
# status_of() gets are checked against docs/openapi.yaml at the end (the
# RNDIMG_ANSWER* and RNDIMG_OPENAPI_JSON variables, set by meson test too).
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

start_server() {
    "$RNDIMG_SERVER" --port 0 "$@" >"$WORK/server.out" 2>"$WORK/server.err" &
    SERVER_PID=$!
    for _ in $(seq 100); do
        [ -s "$WORK/server.out" ] && break
        sleep 0.05
    done
    URL=$(head -n 1 "$WORK/server.out" | sed 's,/$,,')
}

status_of() { # status_of CURL_ARGS...: prints the HTTP status code, records the answer
    rm -f "$WORK/body"   # curl leaves it alone when no body comes (a 304)
    curl -s -o "$WORK/body" -w '%{http_code}\n%{method}\n%{url_effective}\n%{content_type}\n' "$@" >"$WORK/answer"
    record_answer
    head -n 1 "$WORK/answer"
}

# Keeps the last answer (status, method, URL, content type; body) in
# $WORK/answers/, for answers_described().
record_answer() {
    mkdir -p "$WORK/answers"
    # Counted from the files: status_of() runs in a $(...) subshell.
    n=$(($(find "$WORK/answers" -name '*.meta' | wc -l) + 1))
    cp "$WORK/answer" "$WORK/answers/$n.meta"
    [ -f "$WORK/body" ] && cp "$WORK/body" "$WORK/answers/$n.body"
    return 0
}

# Every kept answer as a JSON line in $RNDIMG_ANSWERS, then checked by
# tests/openapi/check-answers.mjs.
answers_described() {
    python3 - "$WORK/answers" "$RNDIMG_ANSWERS" <<'PYTHON' &&
import json, pathlib, sys, urllib.parse
folder = pathlib.Path(sys.argv[1])
with open(sys.argv[2], "w") as log:
    for meta in sorted(folder.glob("*.meta"), key=lambda p: int(p.stem)):
        status, method, url, content_type = meta.read_text().split("\n")[:4]
        body_file = meta.with_suffix(".body")
        body = body_file.read_bytes() if body_file.exists() else b""
        answer = {"test": "curl", "method": method, "path": urllib.parse.urlsplit(url).path,
                  "status": int(status), "content_type": content_type or None, "body_bytes": len(body)}
        if content_type.split(";")[0].strip() == "application/json":
            answer["body"] = body.decode("utf-8", "replace")
        log.write(json.dumps(answer) + "\n")
PYTHON
    "$RNDIMG_NODE" "$RNDIMG_ANSWER_CHECKER" "$RNDIMG_OPENAPI_JSON" "$RNDIMG_ANSWERS"
}

json_message() { sed -n 's/.*"message":"\([^"]*\)".*/\1/p' "$WORK/body"; }

random_image_json() {
    [ "$(status_of "$URL$API/rndimg")" = 200 ] &&
    grep -Eq '^\{"status":"success","message":"http://127\.0\.0\.1:[0-9]+/static/img/([a-z/-]+/)?[a-z0-9-]+\.(png|jpg)","image":\{"name":.*\}\}$' "$WORK/body"
}

url_downloads_png() {
    status_of "$URL$API/rndimg" >/dev/null &&
    image=$(json_message) &&
    curl -sf -o "$WORK/image.png" "$image" &&
    case "$(head -c 3 "$WORK/image.png" | od -An -tx1 | tr -d ' \n')" in 89504e|ffd8ff) true ;; *) false ;; esac &&
    cmp -s "$WORK/image.png" "$RNDIMG_IMAGES/${image#*/static/img/}"
}

seed_post_root() {
    [ "$(status_of -X POST "$URL/")" = 200 ] && grep -q '"status":"success"' "$WORK/body"
}

json_error() { # json_error STATUS CURL_ARGS...
    expected=$1; shift
    [ "$(status_of "$@")" = "$expected" ] && grep -q '^{"status":"error","message":"' "$WORK/body"
}

not_modified_with_etag() {
    etag=$(curl -sI "$URL/static/img/01.png" | tr -d '\r' | sed -n 's/^ETag: //Ip') &&
    [ -n "$etag" ] &&
    [ "$(status_of -H "If-None-Match: $etag" "$URL/static/img/01.png")" = 304 ]
}

head_has_length() {
    size=$(wc -c <"$RNDIMG_IMAGES/023.png")
    curl -sI "$URL/static/img/023.png" | tr -d '\r' | grep -qix "content-length: $size"
}

method_not_allowed() {
    json_error 405 -X DELETE "$URL$API/rndimg" &&
    curl -s -X DELETE -D - -o /dev/null "$URL$API/rndimg" | tr -d '\r' | grep -qi '^allow: GET, HEAD'
}

cors_preflight() {
    curl -s -X OPTIONS -D - -o /dev/null -H 'Origin: http://elsewhere.example' \
        -H 'Access-Control-Request-Method: GET' "$URL$API/rndimg" | tr -d '\r' >"$WORK/headers" &&
    grep -q '^HTTP/1.1 204' "$WORK/headers" &&
    grep -qi '^access-control-allow-origin: \*' "$WORK/headers"
}

sse_shows_published_event() {
    curl -sN -m 5 "$URL$API/events" >"$WORK/events" &
    reader=$!
    sleep 0.3
    [ "$(status_of -X POST -d '{"name":"023.png"}' "$URL$API/publish")" = 201 ] || return 1
    for _ in $(seq 50); do
        grep -q '^data: .*"name":"023.png"' "$WORK/events" && break
        sleep 0.1
    done
    kill "$reader" 2>/dev/null
    wait "$reader" 2>/dev/null
    head -n 1 "$WORK/events" | grep -qx 'retry: 3000' &&
    grep -q '^event: image$' "$WORK/events" &&
    grep -q '^data: .*"name":"023.png"' "$WORK/events"
}

# The README's handshake by hand: the 101, then a frame holding the event.
websocket_handshake_shows_event() {
    curl -sN -m 3 -D "$WORK/ws-headers" -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
         -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \
         --output "$WORK/ws" "$URL$API/ws?since=0"
    head -n 1 "$WORK/ws-headers" | grep -q '^HTTP/1.1 101' &&
    grep -qi '^sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=' "$WORK/ws-headers" &&
    grep -aq '"id":1,' "$WORK/ws"
}

long_poll_times_out() {
    [ "$(status_of "$URL$API/rndimg/poll?timeout=1")" = 204 ]
}

long_poll_replays() {
    [ "$(status_of "$URL$API/rndimg/poll?since=0")" = 200 ] && grep -q '"id":1,' "$WORK/body"
}

start_server --interval 0
check "GET rndimg answers the success JSON" random_image_json
check "the message URL downloads the shipped picture" url_downloads_png
check "POST / answers like rndimg (the tutorial's page)" seed_post_root
check "unknown endpoint is a 404 JSON error" json_error 404 "$URL$API/nope"
check "raw ../ traversal is a 404" json_error 404 --path-as-is "$URL/static/img/../../../etc/passwd"
check "escaped ../ traversal is a 404" json_error 404 --path-as-is "$URL/static/img/..%2f..%2f..%2fetc%2fpasswd"
check "dotted-escape traversal is a 404" json_error 404 --path-as-is "$URL/static/img/%2e%2e/%2e%2e/meson.build"
check "HEAD gives the file's Content-Length" head_has_length
check "If-None-Match with the ETag is a 304" not_modified_with_etag
check "DELETE is a 405 with Allow" method_not_allowed
check "OPTIONS preflight allows any origin" cors_preflight
check "bad exclude is a 400 JSON error" json_error 400 "$URL$API/rndimg?exclude=a/b"
check "curl -N events shows an event after a curl publish" sse_shows_published_event
check "long-poll with nothing new times out with 204" long_poll_times_out
check "long-poll since=0 replays the first event" long_poll_replays
check "bad since is a 400 JSON error" json_error 400 "$URL$API/rndimg/poll?since=-4"
check "ws without a handshake is a 400 JSON error" json_error 400 "$URL$API/ws"
check "the ws handshake by curl gets the event in a frame" websocket_handshake_shows_event
check "every answer above is described by docs/openapi.yaml" answers_described

tap_finish
