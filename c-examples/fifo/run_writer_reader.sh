#!/bin/sh
# Runs the named-pipe reader and writer together on a FIFO unique to this run
# and prints what each printed (writer first, then reader).
# usage: run_writer_reader.sh WRITER READER
set -u
writer=$1 reader=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/rsipc-fifo-example-$$-XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
fifo=$dir/myfifo

"$reader" "$fifo" >"$dir/reader.out" &
reader_pid=$!
"$writer" "hello through the named pipe" "$fifo" >"$dir/writer.out" || { kill "$reader_pid" 2>/dev/null; exit 1; }
wait "$reader_pid" || exit 1
cat "$dir/writer.out" "$dir/reader.out"
test ! -e "$fifo" || { echo "the FIFO was left behind" >&2; exit 1; }
