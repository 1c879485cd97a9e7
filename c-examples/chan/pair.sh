#!/bin/sh
# Runs chan_producer and chan_consumer as a pair on a pid-unique channel:
# the consumer starts once the producer has announced the channel (one line
# through the pipe between them: real synchronisation, no sleep), and the
# producer's last line is printed after everything the consumer printed.
# usage: pair.sh PRODUCER CONSUMER
set -e
producer=$1
consumer=$2
name="/rsipc-example-chan-$$"
# If anything fails, do not leave the channel behind (it is /dev/shm$name).
trap 'rm -f "/dev/shm$name"' EXIT
"$producer" "$name" 10 | {
    read -r created
    echo "$created"
    "$consumer" "$name"
    cat
}
