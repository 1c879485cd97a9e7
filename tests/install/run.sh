#!/bin/sh
# Installs the built rsipc into a temporary prefix, then builds and runs a tiny
# consumer twice: once with `pkg-config --cflags --libs rsipc`, once with
# CMake's find_package(rsipc CONFIG) -- with LD_LIBRARY_PATH unset: a prefix
# outside the dynamic linker's directories needs an rpath, which the install
# step says, and which the find_package consumer gets from CMake. Also: the
# installed library carries no debug information, and the "debuginfo"
# component installs it separately. Last, the installed rsipc-run runs an
# unmodified program on rsipc (tests/preload/routing.c). Usage: run.sh BUILD_DIR C_COMPILER
set -eu
build_dir=$1
cc=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/rsipc-install.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
prefix="$work/prefix"
unset LD_LIBRARY_PATH

cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log"
grep -q "is not searched by the dynamic linker: link programs with -Wl,-rpath," "$work/install.log" || {
    cat "$work/install.log"; echo "the install step did not say how programs find the library"; exit 1; }
libdir=$(find "$prefix" -name 'librsipc.so.0' -printf '%h\n' | head -n 1)
test -n "$libdir" || { echo "librsipc.so.0 was not installed"; exit 1; }
test -L "$libdir/librsipc.so" || { echo "librsipc.so symlink missing"; exit 1; }
test -f "$prefix/include/rsipc.h" -a -f "$prefix/include/rsipc_compat.h" || { echo "headers missing"; exit 1; }

# 1. pkg-config
PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --exists rsipc
flags=$(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs rsipc)
# shellcheck disable=SC2086
"$cc" -Wall -Wextra -Werror -o "$work/consumer_pc" "$here/consumer/consumer.c" $flags \
    -Wl,-rpath,"$(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --variable=libdir rsipc)"
# Without the rpath it cannot start (what the install step's note is about).
# shellcheck disable=SC2086
"$cc" -o "$work/consumer_norpath" "$here/consumer/consumer.c" $flags
if "$work/consumer_norpath" >/dev/null 2>"$work/norpath.err"; then
    echo "a consumer without rpath started: is librsipc.so.0 in a system directory?"; exit 1
fi
grep -q "librsipc.so.0" "$work/norpath.err" || { cat "$work/norpath.err"; exit 1; }
out=$("$work/consumer_pc")
echo "pkg-config consumer: $out"
test "$out" = "consumer ok: rsipc $(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --modversion rsipc)"

# 2. find_package(rsipc)
cmake -S "$here/consumer" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
out=$("$work/cmake-build/consumer")
echo "find_package consumer: $out"
case "$out" in "consumer ok: rsipc "*) ;; *) exit 1 ;; esac

# Debug information: not in the installed library; the "debuginfo"
# component installs it where gdb looks for the library's .gnu_debuglink.
real=$(find "$libdir" -maxdepth 1 -name 'librsipc.so.*.*.*' -type f)
if readelf -S -W "$real" | grep -q '\.debug_info'; then
    echo "the installed $(basename "$real") carries debug information"; exit 1
fi
if readelf -S -W "$libdir/librsipc.a" | grep -q '\.debug_info'; then
    echo "the installed librsipc.a carries debug information"; exit 1
fi
link=$(readelf -W --string-dump=.gnu_debuglink "$real" 2>/dev/null | sed -n 's/^ *\[ *0\] *//p')
if [ -n "$link" ]; then
    test ! -e "$libdir/.debug/$link" || { echo "$link installed without being asked for"; exit 1; }
    cmake --install "$build_dir" --prefix "$prefix" --component debuginfo >/dev/null
    test -f "$libdir/.debug/$link" || { echo "--component debuginfo did not install .debug/$link"; exit 1; }
    readelf -S -W "$libdir/.debug/$link" | grep -q '\.debug_info' || { echo "$link has no debug information"; exit 1; }
    echo "debug information: $libdir/.debug/$link ($(du -k "$libdir/.debug/$link" | cut -f1) KiB)"
else
    echo "no .gnu_debuglink (a Debug build keeps its debug information in place)"
fi
# The preload library and its launcher: installed next to librsipc.so and
# in bin/, the launcher finding the library relative to itself, and the
# library finding librsipc.so.0 (RUNPATH $ORIGIN) with LD_LIBRARY_PATH unset.
test -f "$libdir/librsipc_preload.so" || { echo "librsipc_preload.so was not installed next to librsipc.so"; exit 1; }
test -x "$prefix/bin/rsipc-run" || { echo "rsipc-run was not installed"; exit 1; }
preload=$("$prefix/bin/rsipc-run" --library)
test "$(realpath "$preload")" = "$(realpath "$libdir/librsipc_preload.so")" || {
    echo "the installed rsipc-run preloads $preload"; exit 1; }
"$cc" -O2 -Wall -Wextra -Werror -o "$work/routing" "$here/../preload/routing.c"
out=$("$prefix/bin/rsipc-run" "$work/routing" routed)
echo "rsipc-run: $out"
echo "install test passed"
