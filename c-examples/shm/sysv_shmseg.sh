#!/bin/sh
# Runs the notes' shm_write/shm_read pair on a key unique to this run (0x54
# in the top byte, the driver's pid below). The two hand-off channels are
# FIFOs in a private temporary directory: the writer's fd 3 -> the reader's
# fd 3 ("filled"), the reader's fd 4 -> the writer's fd 4 ("read").
# Both programs open "filled" first and "read" second, so the opens pair up.
# Usage: sysv_shmseg.sh WRITER READER
set -u
writer=$1
reader=$2
key=$(printf '%#x' $(( 0x54000000 | ($$ & 0xffffff) )))
dir=$(mktemp -d "${TMPDIR:-/tmp}/rsipc-shmseg.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT INT TERM
mkfifo "$dir/filled" "$dir/read" || exit 1

"$writer" "$key" 3>"$dir/filled" 4<"$dir/read" &
writer_pid=$!
"$reader" "$key" 3<"$dir/filled" 4>"$dir/read"
reader_status=$?
wait "$writer_pid"
writer_status=$?

if [ "$reader_status" -ne 0 ] || [ "$writer_status" -ne 0 ]; then
    echo "reader exited with $reader_status, writer with $writer_status" >&2
    ipcrm -M "$key" 2>/dev/null
    exit 1
fi
