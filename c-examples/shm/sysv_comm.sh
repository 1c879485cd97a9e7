#!/bin/sh
# Runs the notes' comm.h server and client together. PATHNAME for ftok is
# a file in a private temporary directory; two FIFOs there carry the
# hand-off tokens: the server's fd 3 -> the client's fd 3, the client's
# fd 4 -> the server's fd 4 (both open fd 3 first, so the opens pair up).
# Usage: sysv_comm.sh SERVER CLIENT
set -u
server=$1
client=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/rsipc-comm.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT INT TERM
: >"$dir/pathname"
mkfifo "$dir/to-client" "$dir/to-server" || exit 1

"$server" "$dir/pathname" 3>"$dir/to-client" 4<"$dir/to-server" &
server_pid=$!
"$client" "$dir/pathname" 3<"$dir/to-client" 4>"$dir/to-server"
client_status=$?
wait "$server_pid"
server_status=$?

if [ "$client_status" -ne 0 ] || [ "$server_status" -ne 0 ]; then
    echo "client exited with $client_status, server with $server_status" >&2
    # The key ftok(PATHNAME, 1) gives, computed from stat(1), to clean up.
    set -- $(stat -c '%i %d' "$dir/pathname")
    ipcrm -M $(( ($1 & 0xffff) | (($2 & 0xff) << 16) | (1 << 24) )) 2>/dev/null
    exit 1
fi
