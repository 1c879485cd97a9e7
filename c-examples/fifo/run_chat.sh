#!/bin/sh
# Runs both chat users on one FIFO unique to this run, each reading its lines
# from a script, and prints User1's transcript, then User2's.
# usage: run_chat.sh CHAT SCRIPT1 SCRIPT2
set -u
chat=$1 script1=$2 script2=$3
dir=$(mktemp -d "${TMPDIR:-/tmp}/rsipc-fifo-chat-$$-XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
fifo=$dir/chat

"$chat" "$fifo" 2 <"$script2" >"$dir/user2.out" &
user2=$!
"$chat" "$fifo" 1 <"$script1" >"$dir/user1.out" || { kill "$user2" 2>/dev/null; exit 1; }
wait "$user2" || exit 1
echo "--- User1's screen"
cat "$dir/user1.out"
echo "--- User2's screen"
cat "$dir/user2.out"
test ! -e "$fifo" || { echo "the FIFO was left behind" >&2; exit 1; }
