#!/bin/sh
# ctest install_ldconfig: the README's steps, as written, give a program that
# starts --
#     cmake --install build --prefix /usr/local
#     gcc prog.c $(pkg-config --cflags --libs rsipc) -o prog && ./prog
# with LD_LIBRARY_PATH unset and no rpath: the install step must have run
# ldconfig, or the dynamic linker does not find librsipc.so.0.
#
# The machine is left alone: everything happens in a private mount
# namespace where /usr/local is an empty tmpfs and /etc an overlay whose
# changes (the rebuilt /etc/ld.so.cache) vanish with the namespace. Needs
# root (mounts, ldconfig); skips (77) without.
#
# Usage: ldconfig.sh BUILD_DIR C_COMPILER
set -eu
build_dir=$1
cc=$2
here=$(cd "$(dirname "$0")" && pwd)

if [ -z "${RSIPC_LDCONFIG_NS:-}" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "skipped: needs root (installs into /usr/local and runs ldconfig, inside a private mount namespace)"
        exit 77
    fi
    if ! unshare --mount --propagation private true 2>/dev/null; then
        echo "skipped: cannot create a mount namespace (unshare --mount)"
        exit 77
    fi
    RSIPC_LDCONFIG_NS=1 exec unshare --mount --propagation private sh "$0" "$@"
fi

# In the namespace from here on.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/rsipc-ldconfig.XXXXXX")
cleanup() {
    umount /usr/local 2>/dev/null || true
    umount /etc 2>/dev/null || true
    umount "$scratch" 2>/dev/null || true
    rmdir "$scratch"
}
trap cleanup EXIT INT TERM
mount -t tmpfs rsipc-test "$scratch"
mkdir "$scratch/etc-upper" "$scratch/etc-work" "$scratch/work"
if ! mount -t overlay overlay -o "lowerdir=/etc,upperdir=$scratch/etc-upper,workdir=$scratch/etc-work" /etc; then
    echo "skipped: cannot mount an overlay on /etc in the namespace"
    exit 77
fi
mount -t tmpfs rsipc-usr-local /usr/local
mkdir -p /usr/local/lib /usr/local/include

# Start from a cache that knows no rsipc (as on a machine that never had it).
ldconfig
if ldconfig -p | grep -q 'librsipc\.so'; then
    echo "FAIL: the dynamic linker's cache lists librsipc before the install"
    exit 1
fi

unset LD_LIBRARY_PATH PKG_CONFIG_PATH
cmake --install "$build_dir" --prefix /usr/local >"$scratch/install.log"
grep -i ldconfig "$scratch/install.log" || true
if ! ldconfig -p | grep -Eq 'librsipc\.so\.0 .*=> /usr/local/lib/(.*/)?librsipc\.so\.0$'; then
    echo "FAIL: after cmake --install --prefix /usr/local the dynamic linker's cache does not list /usr/local/lib/librsipc.so.0"
    ldconfig -p | grep rsipc || true
    exit 1
fi

# The README's line, verbatim but for the names.
# shellcheck disable=SC2046
"$cc" "$here/consumer/consumer.c" $(pkg-config --cflags --libs rsipc) -o "$scratch/work/prog"
if readelf -d "$scratch/work/prog" | grep -Eq 'RPATH|RUNPATH'; then
    echo "FAIL: the program has an rpath; this test is about starting without one"
    exit 1
fi
out=$("$scratch/work/prog")
echo "program linked with pkg-config, no rpath, no LD_LIBRARY_PATH: $out"
case "$out" in "consumer ok: rsipc "*) ;; *) exit 1 ;; esac
echo "install_ldconfig passed"
