#!/bin/sh
# Runs the notes' create, attach, write, read and delete programs in turn on
# the key of a file unique to this run, and checks that the key they print
# is the one stat(1) gives for glibc's ftok formula.
# Usage: sysv_lifecycle.sh CREATE ATTACH WRITE READ DELETE
set -u
create=$1 attach=$2 write=$3 read=$4 delete=$5
dir=$(mktemp -d "${TMPDIR:-/tmp}/rsipc-lifecycle.XXXXXX") || exit 1
file="$dir/shmfile"
: >"$file"
trap 'rm -rf "$dir"' EXIT INT TERM

set -- $(stat -c '%i %d' "$file")
expected=$(printf 'key = %#x' $(( ($1 & 0xffff) | (($2 & 0xff) << 16) | (0x53 << 24) )))

run() {
    out=$("$@") || { printf '%s\n' "$out"; "$delete" "$file" >/dev/null 2>&1; exit 1; }
    printf '%s\n' "$out"
    first=$(printf '%s\n' "$out" | head -n 1)
    [ "$first" = "$expected" ] || { echo "printed '$first', expected '$expected'" >&2; "$delete" "$file" >/dev/null 2>&1; exit 1; }
}

run "$create" "$file"
run "$attach" "$file"
run "$write" "$file" "hello, System V shared memory"
run "$read" "$file"
run "$delete" "$file"
