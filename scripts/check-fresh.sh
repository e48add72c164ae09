#!/bin/sh
# SPDX-License-Identifier: MIT
# Proves the README's two commands on a fresh Debian 12: builds a minimal
# bookworm root with debootstrap in a temporary folder, copies a clean clone
# of this repository into it, and inside it (chroot with /proc, /sys, /dev,
# /dev/pts and /dev/shm) runs
#   1. ./scripts/run.sh in the background, answered with curl on its URL, then stopped;
#   2. ./scripts/test.sh to its last line.
# Prints the test command's last line; exits non-zero if either failed.
# By hand only (it downloads several hundred MB and takes minutes), as root.
#
#   scripts/check-fresh.sh [--keep] [--commit REF]
#
# The root gets this machine's way to reach the registries (apt sources and
# settings, DNS, TLS trust anchors) and nothing else of it.
set -eu

keep=0
ref=HEAD
while [ $# -gt 0 ]; do
    case "$1" in
        --keep) keep=1 ;;
        --commit) ref="$2"; shift ;;
        *) echo "usage: $0 [--keep] [--commit REF]" >&2; exit 2 ;;
    esac
    shift
done

[ "$(id -u)" -eq 0 ] || { echo "check-fresh: run as root (debootstrap and chroot need it)" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)

say() { printf 'check-fresh: %s\n' "$*" >&2; }

install_host_tools() {
    command -v debootstrap >/dev/null 2>&1 && command -v curl >/dev/null 2>&1 && return 0
    say "installing debootstrap and curl on this machine"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap curl >/dev/null
}

# The first Debian mirror this machine's apt uses (deb822 or one-line format).
host_mirror() {
    {
        cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ { print $2 }'
        cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
            awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }'
    } | grep -v -- '-security' | head -n 1
}

work=$(mktemp -d /var/tmp/rndimg-fresh.XXXXXX)
root="$work/root"
server_pid=""

# Every process whose root is the fresh root, so nothing keeps a mount busy.
kill_root_processes() {
    for proc in /proc/[0-9]*; do
        [ "$(readlink "$proc/root" 2>/dev/null)" = "$root" ] && kill -9 "${proc#/proc/}" 2>/dev/null
    done
    return 0
}

unmount_all() {
    for target in dev/shm dev/pts dev sys proc; do
        mountpoint -q "$root/$target" 2>/dev/null && umount "$root/$target" 2>/dev/null
    done
    for target in dev/shm dev/pts dev sys proc; do
        mountpoint -q "$root/$target" 2>/dev/null && umount -l "$root/$target"
    done
    return 0
}

cleanup() {
    # Whatever fails here, every step must still run: the mounts above all
    # (a root deleted with /dev still bound into it deletes the host's /dev).
    set +e
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    kill_root_processes
    sleep 1
    unmount_all
    if [ "$keep" -eq 1 ]; then
        say "kept $work"
    elif grep -q " $root/" /proc/mounts; then
        say "something is still mounted under $root: not deleting $work"
    else
        rm -rf --one-file-system "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

make_root() {
    mirror=$(host_mirror)
    [ -n "$mirror" ] || { say "no Debian mirror found in /etc/apt"; exit 1; }
    say "debootstrap bookworm (minbase) into $root"
    debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
        { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
    # Reach packages the way this machine does: its sources and apt settings.
    rm -f "$root/etc/apt/sources.list"
    cp /etc/apt/sources.list "$root/etc/apt/" 2>/dev/null || true
    cp /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list "$root/etc/apt/sources.list.d/" 2>/dev/null || true
    cp /etc/apt/apt.conf.d/* "$root/etc/apt/apt.conf.d/" 2>/dev/null || true
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    # This machine's TLS trust (a proxy's CA, if any), for npm's registry.
    mkdir -p "$root/usr/local/share/ca-certificates" "$root/etc/ssl/certs"
    cp /usr/local/share/ca-certificates/* "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/" 2>/dev/null || true
    # Only sources whose keys a fresh Debian has.
    for source in "$root"/etc/apt/sources.list.d/*; do
        [ -e "$source" ] || continue
        grep -q 'debian-archive-keyring\|deb.debian\|debian' "$source" || rm -f "$source"
    done
}

mount_all() {
    mount -t proc proc "$root/proc"
    mount -t sysfs sysfs "$root/sys"
    mount --bind /dev "$root/dev"
    mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
    mount -t tmpfs -o mode=1777 shm "$root/dev/shm"
}

copy_clone() {
    say "cloning $ref of $repo"
    git clone -q --no-hardlinks "$repo" "$root/root/rndimg"
    git -C "$root/root/rndimg" checkout -q "$(git -C "$repo" rev-parse "$ref")"
}

# Runs a command in the fresh root with a clean environment: nothing of this
# session's variables (PATH, caches, display) leaks in.
in_root() {
    chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
        NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        /bin/sh -c "cd /root/rndimg && $1"
}

check_run_command() {
    say "run command: ./scripts/run.sh (background)"
    setsid sh -c "$(printf 'exec chroot %s /usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/sh -c "cd /root/rndimg && exec ./scripts/run.sh"' "$root")" \
        >"$work/run.out" 2>"$work/run.err" &
    server_pid=$!
    url=""
    waited=0
    while [ -z "$url" ] && [ "$waited" -lt 1800 ]; do
        kill -0 "$server_pid" 2>/dev/null || break
        url=$(grep -m1 '^http://' "$work/run.out" 2>/dev/null || true)
        [ -n "$url" ] || { sleep 2; waited=$((waited + 2)); }
    done
    if [ -z "$url" ]; then
        kill "$server_pid" 2>/dev/null
        server_pid=""
        say "run command printed no URL; its last lines:"
        tail -n 20 "$work/run.err" >&2
        return 1
    fi
    answer=$(curl -sf --max-time 10 "${url}polling/api/v1.0/rndimg" || true)
    say "run command answered: $answer"
    picture=$(printf '%s' "$answer" | sed -n 's/.*"message":"\([^"]*\)".*/\1/p')
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$picture" || true)
    kill "$server_pid" 2>/dev/null
    pkill -TERM -s "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    kill_root_processes
    case "$answer" in
        *'"status":"success"'*) [ "$code" = 200 ] && return 0 ;;
    esac
    say "run command: bad answer (picture $picture gave $code)"
    return 1
}

check_test_command() {
    say "test command: ./scripts/test.sh (log: $work/test.log)"
    status=0
    in_root ./scripts/test.sh >"$work/test.log" 2>&1 || status=$?
    last=$(tail -n 1 "$work/test.log")
    [ "$status" -ne 0 ] && grep -E '^not ok|FAIL|ERROR' "$work/test.log" | head -n 30 >&2
    echo "$last"
    return "$status"
}

install_host_tools
make_root
mount_all
copy_clone

run_status=0
check_run_command || run_status=$?
test_status=0
check_test_command || test_status=$?

if [ "$run_status" -ne 0 ] || [ "$test_status" -ne 0 ]; then
    say "FAILED (run command: $run_status, test command: $test_status)"
    keep=1
    exit 1
fi
say "both commands passed on a fresh Debian 12 root"
