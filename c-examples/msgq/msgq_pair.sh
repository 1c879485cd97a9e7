#!/bin/sh
# Runs msgq_send (reading this script's standard input) and msgq_recv at the
# same time on a key file unique to this run, then prints what the sender
# and then the receiver printed. Usage: msgq_pair.sh SEND RECV < lines
set -u
send=$1
recv=$2
key_file="msgq-$$.txt"
out_send="msgq-$$.send.out"
out_recv="msgq-$$.recv.out"
trap 'rm -f "$key_file" "$out_send" "$out_recv"' EXIT

: > "$key_file" || exit 1   # the notes' system("touch msgq.txt")
"$recv" "$key_file" > "$out_recv" &
recv_pid=$!
"$send" "$key_file" > "$out_send"
send_status=$?
wait "$recv_pid"
recv_status=$?

cat "$out_send" "$out_recv"
[ "$send_status" -eq 0 ] && [ "$recv_status" -eq 0 ]
