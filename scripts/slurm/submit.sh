#!/usr/bin/env bash
# submit.sh -- run redline as N shards on Slurm and merge them.
#
#   submit.sh [-n N] [-p PARTS] [-f FORMAT] [-c CPUS] [-w] -o OUT -- CMD ARGS...
#
# Submits a job array of N tasks (redline-array.sbatch: task I runs
# `redline CMD --shard I/N -f json -o PARTS/part-I.json ARGS...`) and a merge
# job (redline-merge.sbatch) that starts when every task has ended well
# (--dependency=afterok) and writes OUT in FORMAT.  Prints the two job ids.
#   -n N        shards (default 4)
#   -p PARTS    folder of the parts (default OUT.parts); made if missing
#   -f FORMAT   of OUT: json (default), table, csv, html, xlsx
#   -c CPUS     CPUs per task (--cpus-per-task; redline --jobs follows)
#   -w          wait until the merge has ended; exit with its status
# $SBATCH_ARGS adds options to both sbatch calls (e.g. "--partition=long
# --time=02:00:00"); $REDLINE names the program (default: redline on PATH),
# and is passed to the jobs.  Paths in ARGS are read by the jobs, which
# start in the current folder: give absolute paths or stay where you are.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=4 parts='' fmt=json cpus=1 wait=0 out=''
usage() { sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while getopts "n:p:f:c:o:wh" opt; do
  case $opt in
    n) n=$OPTARG ;;
    p) parts=$OPTARG ;;
    f) fmt=$OPTARG ;;
    c) cpus=$OPTARG ;;
    o) out=$OPTARG ;;
    w) wait=1 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ -n "$out" ] && [ $# -ge 1 ] || usage
case $n in ''|*[!0-9]*) echo "submit.sh: -n must be a whole number, not '$n'" >&2; exit 2 ;; esac
[ "$n" -ge 1 ] || { echo "submit.sh: -n must be at least 1" >&2; exit 2; }
parts=${parts:-$out.parts}
mkdir -p "$parts"
# Parts of an earlier run must not stand in for shards that fail now.
rm -f "$parts"/part-*.json
export REDLINE=${REDLINE:-redline}
# shellcheck disable=SC2086  # SBATCH_ARGS is a list of options
array=$(sbatch --parsable ${SBATCH_ARGS:-} --export=ALL --array="0-$((n - 1))" \
          --cpus-per-task="$cpus" --output="$parts/slurm-%A_%a.out" \
          "$here/redline-array.sbatch" "$n" "$parts" "$@")
array=${array%%;*}
waitopt=()
[ "$wait" -eq 1 ] && waitopt=(--wait)
echo "array job $array: $n shards of redline $1, parts in $parts"
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_ARGS:-} --export=ALL "${waitopt[@]}" \
          --dependency="afterok:$array" --kill-on-invalid-dep=yes \
          --output="$parts/slurm-merge-%j.out" \
          "$here/redline-merge.sbatch" "$n" "$parts" "$fmt" "$out") && rc=0 || rc=$?
merge=${merge%%;*}
echo "merge job ${merge:-?}: writes $out when every shard has ended well"
if [ "$wait" -eq 1 ] && [ -n "$merge" ]; then
  # sbatch --wait says 0 for a merge that was cancelled because a shard failed.
  state=$(scontrol show job -o "$merge" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
  if [ "$state" != COMPLETED ] && [ "$state" != FAILED ]; then
    echo "submit.sh: the merge job $merge did not run (${state:-gone}): a shard failed; see" \
         "$parts/slurm-${array}_*.out" >&2
    exit 2
  fi
fi
exit "$rc"
