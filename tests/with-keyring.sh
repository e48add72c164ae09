#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs "$@" in a D-Bus session of its own, with a keyring of its own:
# gnome-keyring-daemon (its secrets component), its login keyring made
# and unlocked with a throwaway password in a temporary home. The session,
# the daemon and the home go when "$@" ends.
set -eu
home=$(mktemp -d "${TMPDIR:-/tmp}/rndimg-keyring.XXXXXX")
trap 'rm -rf "$home"' EXIT INT TERM
mkdir -m 700 "$home/run"
export HOME="$home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" XDG_RUNTIME_DIR="$home/run"
dbus-run-session -- sh -c '
  printf rndimg-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"' sh "$@"
