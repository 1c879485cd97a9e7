#!/bin/sh
# ctest install_package: `cpack` makes a .deb and a .tar.gz holding exactly
# what `cmake --install` installs (library, headers, pkg-config file, CMake
# package, man pages when the build installs them), stripped; the .deb runs
# ldconfig; a consumer builds against the .deb's contents unpacked into a
# temporary root (pkg-config and find_package) and runs without
# LD_LIBRARY_PATH. Skips (77) when dpkg-deb is missing.
#
# Usage: package.sh BUILD_DIR C_COMPILER
set -eu
build_dir=$(cd "$1" && pwd)
cc=$2
here=$(cd "$(dirname "$0")" && pwd)
for tool in cpack dpkg-deb readelf file; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "skipped: $tool not found (apt-get install -y dpkg binutils file)"
        exit 77
    fi
done
work=$(mktemp -d "${TMPDIR:-/tmp}/rsipc-package.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
unset LD_LIBRARY_PATH PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
fail() { echo "FAIL: $*"; exit 1; }

if ! cpack --config "$build_dir/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log"
    fail "cpack failed"
fi
deb=$(find "$work/out" -maxdepth 1 -name 'rsipc_*.deb')
tgz=$(find "$work/out" -maxdepth 1 -name 'rsipc-*.tar.gz')
test -n "$deb" && test -f "$deb" || { cat "$work/cpack.log"; fail "no .deb in $(ls "$work/out")"; }
test -n "$tgz" && test -f "$tgz" || { cat "$work/cpack.log"; fail "no .tar.gz in $(ls "$work/out")"; }
echo "packages: $(basename "$deb") $(basename "$tgz")"

# What the packages must hold: the default install, relative to its prefix.
DESTDIR="$work/ref" cmake --install "$build_dir" --prefix /usr >/dev/null
(cd "$work/ref/usr" && find . \( -type f -o -type l \) | sort) >"$work/want"
for f in ./include/rsipc.h ./include/rsipc_compat.h; do
    grep -qx "$f" "$work/want" || fail "cmake --install does not install $f"
done
for pat in 'librsipc\.so\.[0-9]+\.[0-9]+\.[0-9]+' 'librsipc\.so\.[0-9]+' 'librsipc\.so' 'librsipc\.a' 'pkgconfig/rsipc\.pc' \
           'cmake/rsipc/rsipcConfig\.cmake' 'cmake/rsipc/rsipcConfigVersion\.cmake'; do
    grep -Eqx "\./lib[^ ]*/$pat" "$work/want" || fail "cmake --install installs nothing matching lib*/$pat"
done
echo "man pages installed: $(grep -c '/man/man[0-9]/' "$work/want" || true)"

# The .deb: same files under /usr, control data, ldconfig.
dpkg-deb -x "$deb" "$work/root"
(cd "$work/root/usr" && find . \( -type f -o -type l \) | sort) >"$work/deb-files"
if ! diff -u "$work/want" "$work/deb-files"; then
    fail "the .deb's files (+) differ from what cmake --install installs (-)"
fi
dpkg-deb -e "$deb" "$work/control"
grep -q '^Package: rsipc$' "$work/control/control" || fail "control: $(cat "$work/control/control")"
grep -q '^librsipc 0 rsipc' "$work/control/shlibs" || fail "no shlibs entry for librsipc.so.0"
grep -q ldconfig "$work/control/postinst" || fail "the .deb's postinst does not run ldconfig"

# The .tar.gz: same files under its top directory.
mkdir "$work/tgz"
tar -xzf "$tgz" -C "$work/tgz"
top=$(find "$work/tgz" -mindepth 1 -maxdepth 1 -type d)
(cd "$top" && find . \( -type f -o -type l \) | sort) >"$work/tgz-files"
if ! diff -u "$work/want" "$work/tgz-files"; then
    fail "the .tar.gz's files (+) differ from what cmake --install installs (-)"
fi

# Shipped stripped: no debug information, no symbol table beyond the
# dynamic one in the shared library; no debug information in the archive.
libdir=$(dirname "$(find "$work/root/usr" -name 'librsipc.so.*.*.*' -type f)")
so=$(find "$libdir" -name 'librsipc.so.*.*.*' -type f)
if readelf -S -W "$so" | grep -Eq '\.debug_|\.symtab'; then
    fail "$(basename "$so") in the .deb is not stripped: $(readelf -S -W "$so" | grep -Eo '\.(debug_[a-z]+|symtab)' | tr '\n' ' ')"
fi
if readelf -S -W "$libdir/librsipc.a" | grep -q '\.debug_'; then
    fail "librsipc.a in the .deb carries debug information"
fi
echo "sizes: $(du -k "$so" | cut -f1) KiB $(basename "$so"), $(du -k "$libdir/librsipc.a" | cut -f1) KiB librsipc.a"
python3=$(command -v python3 || true)
if [ -n "$python3" ]; then
    "$python3" "$here/check_symbols.py" "$so" "$work/root/usr/include/rsipc.h"
fi

# A consumer against the unpacked .deb. The .pc file is relocatable (its
# prefix is relative to where it lies), so PKG_CONFIG_PATH alone finds the
# right directories; the library is not in a system directory, hence the rpath.
export PKG_CONFIG_PATH="$libdir/pkgconfig"
test "$(pkg-config --variable=libdir rsipc)" -ef "$libdir" || fail "pkg-config libdir is $(pkg-config --variable=libdir rsipc)"
# shellcheck disable=SC2046
"$cc" -Wall -Wextra -Werror -o "$work/consumer_pc" "$here/consumer/consumer.c" $(pkg-config --cflags --libs rsipc) \
    -Wl,-rpath,"$(pkg-config --variable=libdir rsipc)"
out=$("$work/consumer_pc")
echo "pkg-config consumer against the .deb: $out"
test "$out" = "consumer ok: rsipc $(pkg-config --modversion rsipc)" || exit 1
loaded=$(ldd "$work/consumer_pc" | sed -n 's/^[[:space:]]*librsipc\.so\.0 => \(.*\) (0x[0-9a-f]*)$/\1/p')
test -n "$loaded" && test "$loaded" -ef "$libdir/librsipc.so.0" || fail "the consumer loads librsipc.so.0 from '$loaded'"

cmake -S "$here/consumer" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$work/root/usr" -DCMAKE_C_COMPILER="$cc" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
out=$("$work/cmake-build/consumer")
echo "find_package consumer against the .deb: $out"
case "$out" in "consumer ok: rsipc "*) ;; *) exit 1 ;; esac
echo "install_package passed"
