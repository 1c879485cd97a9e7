#!/bin/sh
# ctest install_subproject: rsipc used through add_subdirectory() by another
# project (tests/install/subproject/CMakeLists.txt checks the targets and the
# build type while configuring).
#  1. by default: only rsipc's library targets, no tests added to the outer
#     project's ctest, CMAKE_BUILD_TYPE untouched; a program linked with
#     rsipc::rsipc builds and runs (LD_LIBRARY_PATH unset);
#  2. with -DRSIPC_BUILD_TESTS=ON -DRSIPC_BUILD_EXAMPLES=ON: they are there.
# The cargo build is shared with the calling build tree (no second compile).
#
# Usage: subproject.sh RSIPC_SOURCE_DIR CARGO_TARGET_DIR C_COMPILER GENERATOR
set -eu
src=$1
cargo_dir=$2
cc=$3
generator=$4
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/rsipc-subproject.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
unset LD_LIBRARY_PATH CMAKE_BUILD_TYPE
fail() { echo "FAIL: $*"; exit 1; }

# 1. Nothing asked for.
cmake -S "$here/subproject" -B "$work/default" -G "$generator" -DCMAKE_C_COMPILER="$cc" \
    -DRSIPC_SOURCE_DIR="$src" -DRSIPC_CARGO_TARGET_DIR="$cargo_dir" >"$work/default.log" 2>&1 \
    || { cat "$work/default.log"; fail "configuring the outer project failed"; }
grep "rsipc's targets" "$work/default.log"
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$work/default/CMakeCache.txt")
test -z "$build_type" || fail "CMAKE_BUILD_TYPE is '$build_type' in the outer project's cache"
for var in RSIPC_BUILD_TESTS RSIPC_BUILD_EXAMPLES RSIPC_BUILD_BENCHES RSIPC_INSTALL; do
    grep -q "^$var:BOOL=OFF$" "$work/default/CMakeCache.txt" || fail "$var is not OFF by default in a subproject"
done
ntests=$(ctest --test-dir "$work/default" -N | sed -n 's/^Total Tests: //p')
test "$ntests" = 0 || fail "rsipc added $ntests tests to the outer project"
test ! -e "$work/default/rsipc/CPackConfig.cmake" -a ! -e "$work/default/CPackConfig.cmake" || fail "rsipc set up CPack in the outer project"
cmake --build "$work/default" >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "building the outer project failed"; }
out=$("$work/default/outer_consumer")
echo "outer project's program linked with rsipc::rsipc: $out"
case "$out" in "consumer ok: rsipc "*) ;; *) exit 1 ;; esac

# 2. Tests and examples asked for (configure only: their build is the main
# build's business).
cmake -S "$here/subproject" -B "$work/asked" -G "$generator" -DCMAKE_C_COMPILER="$cc" \
    -DRSIPC_SOURCE_DIR="$src" -DRSIPC_CARGO_TARGET_DIR="$cargo_dir" -DEXPECT_EXTRAS=ON \
    -DRSIPC_BUILD_TESTS=ON -DRSIPC_BUILD_EXAMPLES=ON -DRSIPC_VALGRIND=OFF >"$work/asked.log" 2>&1 \
    || { cat "$work/asked.log"; fail "configuring with RSIPC_BUILD_TESTS and RSIPC_BUILD_EXAMPLES failed"; }
ntests=$(ctest --test-dir "$work/asked" -N | sed -n 's/^Total Tests: //p')
test "$ntests" -gt 0 || fail "RSIPC_BUILD_TESTS=ON registered no test"
echo "asked for: $ntests tests registered"
echo "install_subproject passed"
