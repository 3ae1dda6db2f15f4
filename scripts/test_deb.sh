#!/usr/bin/env bash
# The Debian package, installed for real: build it with cpack from a build
# tree, install it with apt-get (which pulls the dependencies dpkg-shlibdeps
# wrote), run /usr/bin/redline --version and a screen of sample_shapes
# against the installed program and library, then remove the package.
# Needs root and apt-get/dpkg (CI: .ci/run on Debian 12); elsewhere it says
# why it skips and exits 0.  Usage: scripts/test_deb.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-ci}
if [ "$(id -u)" != 0 ]; then
  echo "test_deb: skipped: installing a package needs root (CI runs it as root)"
  exit 0
fi
if ! command -v dpkg >/dev/null || ! command -v apt-get >/dev/null || ! command -v cpack >/dev/null; then
  echo "test_deb: skipped: dpkg, apt-get or cpack not available"
  exit 0
fi
installed() { dpkg-query -W -f='${Status}' redline 2>/dev/null | grep -q "ok installed"; }
if installed; then
  echo "test_deb: a redline package is installed already; not touching it" >&2
  exit 1
fi
work=$(mktemp -d)
cleanup() {
  # purge: no package state left behind (remove would keep "config-files")
  if dpkg-query -W redline >/dev/null 2>&1; then apt-get purge -y redline >/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
(cd "$build" && cpack -G DEB -B "$work" >/dev/null 2>&1) || {
  echo "test_deb: cpack failed in $build" >&2; exit 1; }
deb=$(ls "$work"/redline_*.deb)
export DEBIAN_FRONTEND=noninteractive
apt-get install -y "$deb" >/dev/null 2>&1 || {
  echo "test_deb: apt-get install $deb failed" >&2; exit 1; }
want=$(sed -n 's/^project(redline VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
got=$(/usr/bin/redline --version)
case "$got" in
  *"$want"*) ;;
  *) echo "test_deb: /usr/bin/redline --version says '$got', CMakeLists.txt $want" >&2; exit 1 ;;
esac
# If the program links the shared library, it must be the installed one.
if ldd /usr/bin/redline | grep -q libredline &&
   ! ldd /usr/bin/redline | grep -Eq "libredline[^ ]* => /usr/lib"; then
  echo "test_deb: /usr/bin/redline does not use the installed libredline" >&2
  exit 1
fi
set +e
out=$(cd "$work" && /usr/bin/redline screen --eco "$OLDPWD/sample_shapes/eco.shp" \
  --farmland "$OLDPWD/sample_shapes/farmland.shp" --udb "$OLDPWD/sample_shapes/udb.shp" \
  --id-field XMBH -f json "$OLDPWD/sample_shapes/projects.shp")
rc=$?
set -e
# The sample has conflicts: exit 1, and 10 footprints in the JSON.
n=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["footprints"])')
if [ "$rc" != 1 ] || [ "$n" != 10 ]; then
  echo "test_deb: installed screen: exit $rc (want 1), $n footprints (want 10)" >&2
  exit 1
fi
man -w redline >/dev/null 2>&1 || [ -f /usr/share/man/man1/redline.1.gz ] || [ -f /usr/share/man/man1/redline.1 ] || {
  echo "test_deb: the man page is not installed" >&2; exit 1; }
echo "test_deb: $(basename "$deb") installed, '$got', screen exit 1 with $n footprints; purging"
