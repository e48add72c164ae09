#!/bin/sh
# SPDX-License-Identifier: MIT
# The viewer's Persian translation is complete: every translatable string
# of the sources in po/POTFILES.in (C, .ui, desktop file, metainfo,
# settings schema), extracted afresh, has a translation in po/fa.po that
# is not fuzzy, and the catalog compiles with msgfmt --check.
SOURCE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
. "$SOURCE/tests/tap.sh"

extract() {
    (cd "$SOURCE" && xgettext --from-code=UTF-8 --add-comments --package-name=rndimg-viewer \
        --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 \
        --files-from=po/POTFILES.in --output="$WORK/viewer.pot")
}

# Entries of @1 (a .po) that msgattrib @2 selects, the header's aside.
entries() {
    msgattrib "$2" --no-obsolete "$1" | grep '^msgid ' | grep -v '^msgid ""$'
}

complete() {
    extract || return 1
    msgmerge --quiet --no-fuzzy-matching "$SOURCE/po/fa.po" "$WORK/viewer.pot" --output-file="$WORK/fa.po" || return 1
    missing=$(entries "$WORK/fa.po" --untranslated; entries "$WORK/fa.po" --only-fuzzy)
    if [ -n "$missing" ]; then
        echo "not translated, or fuzzy:" >&2
        echo "$missing" >&2
        return 1
    fi
    [ "$(grep -c '^msgid ' "$WORK/viewer.pot")" -gt 100 ]   # the extraction found the strings
}

compiles() {
    msgfmt --check --output-file=/dev/null "$SOURCE/po/fa.po"
}

check "every translatable string of the viewer has a Persian translation" complete
check "po/fa.po compiles with msgfmt --check" compiles
tap_finish
