#!/bin/sh
# Two unrelated processes exchange data through one mapped file (unique to
# this run): the writer maps it and writes, then the reader maps it, reads
# and replies.
# usage: run_file_pair.sh WRITER READER
set -u
writer=$1 reader=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/rsipc-mmap-file-$$-XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
file=$dir/shared.dat

"$writer" "$file" "hello from process A, through a mapped file" || exit 1
"$reader" "$file" || exit 1
test ! -e "$file" || { echo "the file was left behind" >&2; exit 1; }
