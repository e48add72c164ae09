# SPDX-License-Identifier: MIT
# Shared by the shell tests: one TAP line per check, and the end.
# Sourced after WORK (a scratch folder) is set.
COUNT=0
FAILED=0

check() { # check DESCRIPTION COMMAND...: runs COMMAND, prints ok / not ok
    description=$1; shift
    COUNT=$((COUNT + 1))
    if "$@" >"$WORK/check.log" 2>&1; then
        echo "ok $COUNT - $description"
    else
        FAILED=$((FAILED + 1))
        echo "not ok $COUNT - $description"
        sed 's/^/# /' "$WORK/check.log"
    fi
}

tap_finish() { # prints the plan; fails when a check did
    echo "1..$COUNT"
    [ "$FAILED" -eq 0 ]
}

skip() { # skip DESCRIPTION REASON
    COUNT=$((COUNT + 1))
    echo "ok $COUNT - $1 # SKIP $2"
}
