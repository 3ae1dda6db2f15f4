#!/usr/bin/env bash
# test_slurm_shards.sh -- issue 18's "done when": screen, diff, area and audit on the
# county benchmark data, each as a 4-shard job array on a throwaway local
# Slurm (scripts/slurm/local-slurm.sh) merged by a dependent job
# (scripts/slurm/submit.sh), must give JSON byte-identical to the same
# command run once on one machine, with the same exit status.
#
#   test_slurm_shards.sh REDLINE SRCDIR [DATA]
#
# DATA: the county data of bench/gen.py (default SRCDIR/bench/data/county;
# generated there, about 20 s, when missing).  Audit reads a folder made
# here of 8 files cut from the footprints.  Needs root, slurm-wlm and
# munge, and a redline with --shard and merge; otherwise it is skipped
# (exit 77) with a message.  Prints each command's times.
set -euo pipefail
redline=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
data=${3:-$src/bench/data/county}
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "the Slurm tests run as root"
for b in slurmctld slurmd munged sbatch; do
  command -v "$b" >/dev/null || skip "$b not installed (apt-get install -y slurm-wlm munge)"
done
"$redline" merge --help >/dev/null 2>&1 || skip "this redline has no 'merge' (issue 18, --shard)"
if [ ! -s "$data/footprints.shp" ]; then
  echo "generating the county data in $data"
  /usr/bin/python3 "$src/bench/gen.py" county "$data" >/dev/null
fi

work=$(mktemp -d /tmp/redline-slurm-shards.XXXXXX)
cluster=$work/cluster
fail=0
cleanup() {
  "$src/scripts/slurm/local-slurm.sh" stop "$cluster" || true
  [ "$fail" -eq 0 ] && rm -rf "$work" || echo "kept $work for inspection"
}
trap cleanup EXIT
now() { date +%s.%N; }

# Audit's folder: the footprints cut into 8 files by FID.
mkdir -p "$work/delivered"
for k in 0 1 2 3 4 5 6 7; do
  ogr2ogr -q -lco ENCODING=UTF-8 -where "FID % 8 = $k" -dialect SQLite \
    "$work/delivered/batch$k.shp" "$data/footprints.shp"
done

controls=(--eco "$data/redline_v1.shp" --farmland "$data/farmland.gpkg" --udb "$data/udb.shp")
declare -A args
args[screen]="screen ${controls[*]} --id-field XMBH $data/footprints.shp"
args[area]="area --by HXLX $data/redline_v1.shp"
args[diff]="diff --by HXLX $data/redline_v1.shp $data/redline_v2.gpkg"
args[audit]="audit ${controls[*]} --id-field XMBH $work/delivered"

"$src/scripts/slurm/local-slurm.sh" start "$cluster"
# shellcheck disable=SC1091
. "$cluster/env.sh"
cd "$work"
export REDLINE=$redline
for cmd in screen diff area audit; do
  # shellcheck disable=SC2086  # the paths above hold no spaces
  set -- ${args[$cmd]}
  t0=$(now)
  one=0; "$redline" "$@" --jobs 2 -f json -o "$work/$cmd.one.json" || one=$?
  t1=$(now)
  sharded=0
  "$src/scripts/slurm/submit.sh" -n 4 -w -o "$work/$cmd.merged.json" -- "$@" >/dev/null || sharded=$?
  t2=$(now)
  if cmp -s "$work/$cmd.one.json" "$work/$cmd.merged.json" && [ "$one" -eq "$sharded" ]; then
    echo "ok: $cmd: 4 shards on Slurm, merged, byte-identical to one run (exit $one)"
  else
    echo "FAIL: $cmd: merged report differs from one run, or exit $sharded != $one"
    fail=1
  fi
  printf 'timing: %s one machine %.1f s, 4 shards on Slurm (submit to merged) %.1f s\n' \
    "$cmd" "$(awk "BEGIN { print $t1 - $t0 }")" "$(awk "BEGIN { print $t2 - $t1 }")"
done
exit "$fail"
