#!/usr/bin/env bash
# shard-stats.sh -- run redline ($REDLINE_REAL) with the given arguments, then
# append one line to $RL_STATS: the shard (I/N from --shard, or "merge" / "one"),
# wall seconds, CPU seconds (user + system of redline) and bytes read (rchar of
# /proc/self/io: every byte redline's read() calls returned, from disk or the
# page cache).  bench/scale_out.sh names it as $REDLINE for the Slurm scripts.
set -u
real=${REDLINE_REAL:?set REDLINE_REAL to the redline binary}
stats=${RL_STATS:?set RL_STATS to the file to append to}
shard=one
prev=
for a in "$@"; do
  [ "$prev" = --shard ] && shard=$a
  [ "$a" = merge ] && [ "$shard" = one ] && shard=merge
  prev=$a
done
t0=$(date +%s.%N)
"$real" "$@"
rc=$?
t1=$(date +%s.%N)
# A child's I/O counts and CPU times are added to this shell's when it is reaped.
rchar=$(awk '/^rchar/ { print $2 }' "/proc/$$/io")
# times runs in this shell only when not in a pipe or $(...), which fork.
tf=$(mktemp)
times > "$tf"
cpu=$(awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/);
                     print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$tf")
rm -f "$tf"
printf '%s %s %.2f %.2f %s\n' "${SLURM_ARRAY_JOB_ID:-local}" "$shard" \
  "$(awk "BEGIN { print $t1 - $t0 }")" "$cpu" "$rchar" >> "$stats"
exit "$rc"
