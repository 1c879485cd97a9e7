#!/bin/sh
# Creates the server's well-known FIFO (unique to this run) with the mkfifo
# program, starts the FIFO server, runs one client against it, and prints
# what the client and then the server printed.
# usage: run_server_client.sh MKFIFO SERVER CLIENT
set -u
make_fifo=$1 server=$2 client=$3
dir=$(mktemp -d "${TMPDIR:-/tmp}/rsipc-fifo-server-$$-XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
fifo=$dir/server.fifo
"$make_fifo" "$fifo" >/dev/null || exit 1

"$server" "$fifo" >"$dir/server.out" &
server_pid=$!
"$client" "$fifo" 5 >"$dir/client.out" || { kill "$server_pid" 2>/dev/null; exit 1; }
wait "$server_pid" || exit 1
cat "$dir/client.out" "$dir/server.out"
test ! -e "$fifo" || { echo "the FIFO was left behind" >&2; exit 1; }
