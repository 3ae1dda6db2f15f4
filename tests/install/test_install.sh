#!/bin/sh
# `cmake --install` into a temporary prefix, then an outside project finds the
# library with find_package(redline), builds against it and runs (the build
# RPATH CMake gives it reaches the installed libredline.so); the man page and
# the pkg-config file are installed too.
# Usage: test_install.sh BUILD_DIR
set -eu
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -f "$tmp/prefix/share/man/man1/redline.1" || { echo "FAIL: no man page"; exit 1; }
test -f "$tmp/prefix/lib/pkgconfig/redline.pc" || { echo "FAIL: no redline.pc"; exit 1; }
cmake -S "$here/consumer" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
out=$("$tmp/consumer/consumer")
want=$("$tmp/prefix/bin/redline" --version | sed 's/^redline //')
if [ "$out" != "$want" ]; then
    echo "FAIL: consumer printed '$out', redline --version says '$want'"
    exit 1
fi
echo "ok: find_package(redline) found $out in $tmp/prefix; man page and .pc installed"
