#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Counts single test cases in a meson test log and prints 'N passed, N failed'.

Every test speaks TAP, so each "ok"/"not ok" line is one case. A test program
that died before reporting a failure (crash, sanitizer, timeout) counts as one
failed case more, so a broken run can never read as all green.
"""
import json
import re
import sys

passed = failed = skipped = 0
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        test = json.loads(line)
        results = re.findall(r"^(ok|not ok)\b(.*)$", test["stdout"] or "", re.M)
        skip = sum(1 for verdict, rest in results if verdict == "ok" and "# SKIP" in rest.upper())
        ok = sum(1 for verdict, _ in results if verdict == "ok") - skip
        not_ok = sum(1 for verdict, _ in results if verdict == "not ok")
        if test["result"] not in ("OK", "SKIP", "EXPECTEDFAIL") and not_ok == 0:
            not_ok = 1
            print(f"{test['name']}: {test['result']}", file=sys.stderr)
        passed += ok
        failed += not_ok
        skipped += skip

print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed or passed == 0 else 0)
