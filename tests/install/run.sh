#!/bin/sh
# Installs the built rsipc into a temporary prefix, then builds and runs a tiny
# consumer twice: once with `pkg-config --cflags --libs rsipc`, once with
# CMake's find_package(rsipc CONFIG). Usage: run.sh BUILD_DIR C_COMPILER
set -eu
build_dir=$1
cc=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/rsipc-install.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
prefix="$work/prefix"

cmake --install "$build_dir" --prefix "$prefix" >/dev/null
libdir=$(find "$prefix" -name 'librsipc.so.0' -printf '%h\n' | head -n 1)
test -n "$libdir" || { echo "librsipc.so.0 was not installed"; exit 1; }
test -L "$libdir/librsipc.so" || { echo "librsipc.so symlink missing"; exit 1; }
test -f "$prefix/include/rsipc.h" -a -f "$prefix/include/rsipc_compat.h" || { echo "headers missing"; exit 1; }

# 1. pkg-config
PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --exists rsipc
flags=$(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs rsipc)
# shellcheck disable=SC2086
"$cc" -Wall -Wextra -Werror -o "$work/consumer_pc" "$here/consumer/consumer.c" $flags -Wl,-rpath,"$libdir"
out=$("$work/consumer_pc")
echo "pkg-config consumer: $out"
test "$out" = "consumer ok: rsipc $(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --modversion rsipc)"

# 2. find_package(rsipc)
cmake -S "$here/consumer" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
out=$("$work/cmake-build/consumer")
echo "find_package consumer: $out"
case "$out" in "consumer ok: rsipc "*) ;; *) exit 1 ;; esac
echo "install test passed"
