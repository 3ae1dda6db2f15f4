#!/usr/bin/env bash
# test_local_slurm.sh -- the Slurm plumbing of scripts/slurm/ on a throwaway
# local cluster (scripts/slurm/local-slurm.sh): a 4-task job array and its
# dependent merge job, through submit.sh, with a stand-in for redline that
# records how it was called.  Checks that every task ran once with its own
# --shard I/4 and the user's arguments (spaces kept), that exit status 1 (a
# finding) still lets the merge run and comes back as the merge's status,
# and that a task that fails (status 2) cancels the merge.  Prints how long
# start, the jobs and stop take.
#
# Needs root and Debian's slurm-wlm and munge; otherwise it is skipped
# (exit 77) with a message.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: the local Slurm test runs as root (slurmd starts jobs as their user)"; exit 77
fi
for b in slurmctld slurmd munged sbatch; do
  command -v "$b" >/dev/null || { echo "SKIP: $b not installed (apt-get install -y slurm-wlm munge)"; exit 77; }
done

work=$(mktemp -d /tmp/redline-slurm-test.XXXXXX)
cluster=$work/cluster
fail=0
cleanup() {
  "$src/scripts/slurm/local-slurm.sh" stop "$cluster" || true
  [ "$fail" -eq 0 ] && rm -rf "$work" || echo "kept $work for inspection"
}
trap cleanup EXIT
check() { # check CONDITION-STATUS MESSAGE
  if [ "$1" -eq 0 ]; then echo "ok: $2"; else echo "FAIL: $2"; fail=1; fi
}
now() { date +%s.%N; }

# The stand-in: a shard writes its arguments as its part; merge joins the
# parts in order.  RL_STUB_STATUS_<I> is shard I's exit status.
cat > "$work/redline" <<'STUB'
#!/usr/bin/env bash
set -euo pipefail
cmd=$1; shift
if [ "$cmd" = merge ]; then
  [ "$1" = -f ] && [ "$3" = -o ] || exit 3
  out=$4; shift 4
  cat "$@" > "$out.tmp" && mv "$out.tmp" "$out"
  grep -q '^status 1$' "$out" && exit 1
  exit 0
fi
[ "$1" = --shard ] || exit 3
shard=$2 i=${2%/*}
[ "$3" = --jobs ] && [ "$5" = -f ] && [ "$6" = json ] && [ "$7" = -o ] || exit 3
part=$8; shift 8
st_var=RL_STUB_STATUS_$i
st=${!st_var:-0}
{ echo "$cmd $shard"; printf '[%s]\n' "$@"; echo "status $st"; } > "$part"
exit "$st"
STUB
chmod +x "$work/redline"
export REDLINE=$work/redline

t0=$(now)
"$src/scripts/slurm/local-slurm.sh" start "$cluster"
t1=$(now)
# shellcheck disable=SC1091
. "$cluster/env.sh"
cd "$work"

# 1. Four shards, one of them with a finding (status 1).
export RL_STUB_STATUS_2=1
st=0
"$src/scripts/slurm/submit.sh" -n 4 -w -o "$work/out.txt" -- screen --eco "a b.shp" fp.shp || st=$?
t2=$(now)
check "$([ "$st" -eq 1 ]; echo $?)" "the merge ran after the array and returned the finding's status 1 (got $st)"
expected=$(for i in 0 1 2 3; do
  echo "screen $i/4"; echo "[--eco]"; echo "[a b.shp]"; echo "[fp.shp]"
  [ "$i" -eq 2 ] && echo "status 1" || echo "status 0"
done)
check "$([ "$(cat "$work/out.txt" 2>/dev/null)" = "$expected" ]; echo $?)" \
  "every shard ran once, with --shard I/4 and the arguments as given, merged in shard order"

# 2. A shard that fails (status 2): the merge never runs.
export RL_STUB_STATUS_1=2
st=0
"$src/scripts/slurm/submit.sh" -n 4 -w -o "$work/out2.txt" -- diff old.gpkg new.gpkg || st=$?
t3=$(now)
check "$([ "$st" -ne 0 ] && [ ! -e "$work/out2.txt" ]; echo $?)" \
  "a failed shard cancels the merge: no output (submit.sh status $st)"
check "$([ ! -e "$work/out2.txt.parts/part-1.json" ] || grep -q 'status 2' "$work/out2.txt.parts/part-1.json"; echo $?)" \
  "the failed shard's part is its own"

# This cluster's own daemons (another Slurm may run on the machine).
pids=$(cat "$cluster"/run/*.pid 2>/dev/null || true)
"$src/scripts/slurm/local-slurm.sh" stop "$cluster"
t4=$(now)
running=0
for p in $pids; do
  # A zombie has ended; only a live daemon counts.
  st=$(ps -o stat= -p "$p" 2>/dev/null || true)
  [ -n "$st" ] && [ "${st#Z}" = "$st" ] && running=1
done
check "$([ -n "$pids" ] && [ "$running" -eq 0 ]; echo $?)" \
  "stop leaves none of this cluster's slurmctld, slurmd and munged running"
printf 'timing: start %.1f s, array+merge %.1f s, failing array %.1f s, stop %.1f s, total %.1f s\n' \
  "$(awk "BEGIN { print $t1 - $t0 }")" "$(awk "BEGIN { print $t2 - $t1 }")" "$(awk "BEGIN { print $t3 - $t2 }")" \
  "$(awk "BEGIN { print $t4 - $t3 }")" "$(awk "BEGIN { print $t4 - $t0 }")"
exit "$fail"
