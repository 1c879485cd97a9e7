#!/bin/sh
# Fuzzes rsipc's argument validation through the C ABI with libFuzzer.
#
#   fuzz/run.sh [-t SECONDS] [-b BUILD_DIR] [HARNESS...]
#
# Each fuzz/<harness>.c is one harness (all of them when none is named),
# built with clang -fsanitize=fuzzer,address,undefined against librsipc.so
# (cargo release build in BUILD_DIR/cargo, the one the README's commands
# make; built here if missing) and run for SECONDS (default 20) from its
# committed seed corpus fuzz/corpus/<harness>/. New inputs go to
# BUILD_DIR/fuzz/corpus/<harness>/, never into the committed corpus. Any
# crash, sanitizer report, violated expectation (abort), leaked descriptor,
# leak or timeout fails the script; the reproducer is saved as
# fuzz/artifacts/<harness>-crash-... (replay: BUILD_DIR/fuzz/<harness> FILE).
#
# Adding a harness: write fuzz/<name>.c (include "fuzz.h", define
# `static void fuzz_one(struct fuzz_in *in)`; see fuzz.h) and commit a few
# small seed inputs under fuzz/corpus/<name>/.
#
# Needs clang with libFuzzer (Debian: apt-get install -y clang).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
seconds=20
build="$root/build"
while getopts t:b: opt; do
    case $opt in
    t) seconds=$OPTARG ;;
    b) build=$OPTARG ;;
    *) echo "usage: $0 [-t SECONDS] [-b BUILD_DIR] [HARNESS...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))

CC=${CC:-clang}
if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz: $CC not found (apt-get install -y clang)" >&2
    exit 1
fi

libdir="$build/cargo/release"
if [ ! -e "$libdir/librsipc.so" ]; then
    echo "fuzz: building librsipc.so in $build/cargo"
    (cd "$root" && CARGO_TARGET_DIR="$build/cargo" cargo build --lib --release)
fi
# The harnesses record the library's SONAME (librsipc.so.MAJOR): give them a
# file of that name, as the CMake build does (a cargo build alone does not).
soname=$(readelf -d "$libdir/librsipc.so" 2>/dev/null | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
if [ -n "$soname" ] && [ ! -e "$libdir/$soname" ]; then
    ln -s librsipc.so "$libdir/$soname"
fi

if [ $# -eq 0 ]; then
    for src in "$here"/*.c; do
        set -- "$@" "$(basename "$src" .c)"
    done
fi

out="$build/fuzz"
mkdir -p "$out" "$here/artifacts"
failed=""
for harness in "$@"; do
    src="$here/$harness.c"
    seeds="$here/corpus/$harness"
    if [ ! -f "$src" ] || [ ! -d "$seeds" ]; then
        echo "fuzz: $harness needs $src and a seed corpus in $seeds" >&2
        failed="$failed $harness"
        continue
    fi
    "$CC" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -D_GNU_SOURCE -Wall -Wextra -Werror -I"$root/include" -I"$here" \
        "$src" -o "$out/$harness" -L"$libdir" -lrsipc -Wl,-rpath,"$libdir" -lpthread
    mkdir -p "$out/corpus/$harness"
    echo "fuzz: $harness for ${seconds}s"
    # -timeout: one input taking 10 s means a call blocked. -rss_limit_mb:
    # a runaway allocation is a finding, not an out-of-memory machine.
    if ! "$out/$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$here/artifacts/$harness-" \
        "$out/corpus/$harness" "$seeds" >"$out/$harness.log" 2>&1; then
        tail -n 60 "$out/$harness.log" >&2
        failed="$failed $harness"
    else
        grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$out/$harness.log" | tr '\n' ' '
        echo
    fi
done

if [ -n "$failed" ]; then
    echo "fuzz: FAILED:$failed (reproducers in $here/artifacts/)" >&2
    exit 1
fi
echo "fuzz: $# harnesses, no crash"
