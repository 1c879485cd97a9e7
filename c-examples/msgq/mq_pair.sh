#!/bin/sh
# Runs mq_send, then mq_recv, on a queue name unique to this run; both print
# to standard output. The receiver removes the queue (and each program
# removes it on its own failure paths). Usage: mq_pair.sh SEND RECV
set -u
send=$1
recv=$2
name="/rsipc-example-mq-$$"

"$send" "$name" || exit 1
"$recv" "$name"
