#!/bin/sh
# Runs the test command (configure, build, ctest) as an unprivileged user, on
# a copy of this source tree that the user owns: the check that the suite
# passes for anyone, not only for root (the root-only parts then show as
# skipped). Run it as root:
#
#   tests/as_user.sh [USER] [-- CTEST_ARGS...]
#
# USER (default rsipc-tester) is created when missing (useradd -m). The copy
# is the tracked and untracked, not ignored, files of this tree (git
# ls-files), in USER's home under rsipc-as-user/, reused and refreshed on the
# next run (its build/ is kept, so a second run is incremental). The Rust
# toolchain in use is made reachable without opening root's home: its
# directory is linked (hard links: no copy) into USER's home, and cargo's
# registry is copied there. The exit status is ctest's.
set -eu
[ "$(id -u)" -eq 0 ] || { echo "as_user.sh: run it as root (it creates the user and runs as them)" >&2; exit 2; }
user=rsipc-tester
if [ $# -gt 0 ] && [ "$1" != "--" ]; then user=$1; shift; fi
[ "${1:-}" = "--" ] && shift
src=$(cd "$(dirname "$0")/.." && pwd)
id "$user" >/dev/null 2>&1 || useradd -m "$user"
home=$(getent passwd "$user" | cut -d: -f6)
group=$(id -gn "$user")

# The toolchain: the directory holding the cargo and rustc rustup runs.
cargo_bin=$(dirname "$(rustup which cargo 2>/dev/null || command -v cargo)")
toolchain=$(dirname "$cargo_bin")
if [ ! -x "$home/rust/bin/cargo" ] || [ "$(cat "$home/rust/.source" 2>/dev/null)" != "$toolchain" ]; then
  rm -rf "$home/rust"
  cp -al "$toolchain" "$home/rust" 2>/dev/null || cp -a "$toolchain" "$home/rust"
  echo "$toolchain" > "$home/rust/.source"
fi
mkdir -p "$home/.cargo"
if [ -d "${CARGO_HOME:-$HOME/.cargo}/registry" ]; then
  cp -a "${CARGO_HOME:-$HOME/.cargo}/registry" "$home/.cargo/"
fi
chown -R "$user:$group" "$home/.cargo"

# The copy of the tree (its build/ kept).
tree="$home/rsipc-as-user"
mkdir -p "$tree"
find "$tree" -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} +
(cd "$src" && git ls-files -co --exclude-standard | while IFS= read -r f; do
  if [ -e "$f" ]; then printf '%s\n' "$f"; fi
done | tar -cf - -T -) | tar -xf - -C "$tree"
chown -R "$user:$group" "$tree"

echo "as_user.sh: testing $tree as $user ($(id "$user"))"
exec setpriv --reuid="$user" --regid="$group" --init-groups \
  env -i HOME="$home" USER="$user" LOGNAME="$user" LANG=C.UTF-8 \
  PATH="$home/rust/bin:/usr/local/bin:/usr/bin:/bin" CARGO_HOME="$home/.cargo" \
  sh -c 'cd "$1" && shift && cmake -S . -B build && cmake --build build -j2 && ctest --test-dir build --output-on-failure -j2 "$@"' \
  sh "$tree" "$@"
