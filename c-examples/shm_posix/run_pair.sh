#!/bin/sh
# The POSIX shared memory writer, then the reader, on one object whose name
# is unique to this run.
# usage: run_pair.sh WRITER READER
set -u
writer=$1 reader=$2
name=/rsipc-example-shm-posix-$$
trap 'rm -f "/dev/shm$name"' EXIT

"$writer" "$name" "hello from the POSIX shared memory writer" || exit 1
"$reader" "$name" || exit 1
test ! -e "/dev/shm$name" || { echo "the object was left behind" >&2; exit 1; }
