#!/bin/sh
# Runs write.c then read.c of the notes on a key unique to this run
# (0x53 in the top byte, the driver's pid below). Usage: sysv_write_read.sh WRITE READ
set -u
write=$1
read=$2
key=$(printf '%#x' $(( 0x53000000 | ($$ & 0xffffff) )))

"$write" "$key" || { ipcrm -M "$key" 2>/dev/null; exit 1; }
"$read" "$key" || { ipcrm -M "$key" 2>/dev/null; exit 1; }
