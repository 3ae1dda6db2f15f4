#!/usr/bin/env bash
# scale_out.sh -- the measured table of docs/scale-out.md: screen, diff and area
# of the province data as 1, 2, 4 and 8 shards on a throwaway local Slurm
# (scripts/slurm/local-slurm.sh, as root), merged by the dependent job, each
# checked byte-identical to the one-machine run.
#
#   bench/scale_out.sh [REDLINE] [DATA]     (defaults: build/redline, bench/data/province)
#
# CMDS="screen diff area" (the default) chooses the commands.
# Prints one markdown row per run: wall time from submit to merged report,
# CPU time of all shards and the merge, the slowest shard's wall time, and the
# bytes each shard read (rchar; bench/tools/shard-stats.sh measures each run).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
redline=$(realpath "${1:-$src/build/redline}")
data=$(realpath "${2:-$src/bench/data/province}")
[ -s "$data/redline_v1.shp" ] || /usr/bin/python3 "$src/bench/gen.py" province "$data"
work=$(mktemp -d /tmp/redline-scale-out.XXXXXX)
cluster=$work/cluster
# Ports of their own, so that the tests' cluster (6817/6818) can run beside it.
export RL_SLURMCTLD_PORT=${RL_SLURMCTLD_PORT:-6827} RL_SLURMD_PORT=${RL_SLURMD_PORT:-6828}
# Stop the cluster before its folder goes: stop finds the daemons by their pid files there.
trap '"$src/scripts/slurm/local-slurm.sh" stop "$cluster" || true; cd /; rm -rf "$work"' EXIT
"$src/scripts/slurm/local-slurm.sh" start "$cluster" >/dev/null
# shellcheck disable=SC1091
. "$cluster/env.sh"
cd "$work"
export REDLINE_REAL=$redline REDLINE=$src/bench/tools/shard-stats.sh RL_STATS=$work/stats
now() { date +%s.%N; }
declare -A args
args[screen]="screen --eco $data/redline_v1.shp --farmland $data/farmland.gpkg --udb $data/udb.shp --id-field XMBH $data/footprints.shp"
args[diff]="diff --by HXLX $data/redline_v1.shp $data/redline_v2.gpkg"
args[area]="area --by HXLX $data/redline_v1.shp"
echo "| command | shards | wall s (submit → report) | CPU s (shards + merge) | slowest shard s | MB read per shard (min–max) | identical |"
echo "|---|---:|---:|---:|---:|---:|---|"
for cmd in ${CMDS:-screen diff area}; do
  # shellcheck disable=SC2086
  set -- ${args[$cmd]}
  : > "$RL_STATS"
  t0=$(now)
  "$REDLINE" "$@" --jobs 2 -f json -o "$work/$cmd.one.json" || true
  t1=$(now)
  read -r cpu mb < <(awk '{ c += $4; b += $5 } END { printf "%.1f %.0f\n", c, b / 1e6 }' "$RL_STATS")
  printf '| %s | one run, no Slurm (--jobs 2) | %.1f | %s | – | %s | – |\n' "$cmd" \
    "$(awk "BEGIN { print $t1 - $t0 }")" "$cpu" "$mb"
  for n in 1 2 4 8; do
    : > "$RL_STATS"
    c=1; [ "$n" = 1 ] && c=2
    t0=$(now)
    "$src/scripts/slurm/submit.sh" -n "$n" -c "$c" -w -o "$work/$cmd.$n.json" -- "$@" >/dev/null || true
    t1=$(now)
    same=no; cmp -s "$work/$cmd.one.json" "$work/$cmd.$n.json" && same=yes
    read -r cpu slow mbmin mbmax < <(awk '
      { c += $4 } $2 != "merge" { if ($3 > s) s = $3; m = $5 / 1e6;
                                  if (lo == "" || m < lo) lo = m; if (m > hi) hi = m }
      END { printf "%.1f %.1f %.0f %.0f\n", c, s, lo, hi }' "$RL_STATS")
    printf '| %s | %d (%d CPU each) | %.1f | %s | %s | %s–%s | %s |\n' "$cmd" "$n" "$c" \
      "$(awk "BEGIN { print $t1 - $t0 }")" "$cpu" "$slow" "$mbmin" "$mbmax" "$same"
  done
done
