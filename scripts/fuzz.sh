#!/usr/bin/env bash
# scripts/fuzz.sh MINUTES: build the libFuzzer target (tests/fuzz/fuzz_redline.c)
# with clang-14, ASan and UBSan in build-fuzz, and fuzz for MINUTES minutes.
#
# The seed corpus (tests/fuzz/corpus) and past findings (tests/fuzz/regressions)
# are copied into build-fuzz/corpus, which the fuzzer grows and which is kept
# for the next run; the repository is never written.  Exit status 0 when the
# time ran out with no finding; 1 on a crash, sanitizer report, leak, timeout
# (-timeout=10 s per input) or out-of-memory (-rss_limit_mb), with the
# reproducer's path printed (build-fuzz/artifacts/); 2 on bad usage.
# CI runs `scripts/fuzz.sh 1` as a smoke.  Environment: CC (default clang-14),
# FUZZ_JOBS (build jobs, default nproc), FUZZ_ARGS (more libFuzzer options).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 1 ] || ! [[ $1 =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh MINUTES (a whole number, at least 1)" >&2
  exit 2
fi
minutes=$1
cc=${CC:-clang-14}
if ! command -v "$cc" >/dev/null; then
  echo "fuzz.sh: $cc not found; on Debian 12: apt-get install clang-14 libclang-rt-14-dev" >&2
  exit 2
fi
build=build-fuzz
CC=$cc cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREDLINE_WERROR=ON \
  -DREDLINE_FUZZ=ON -DREDLINE_TESTS=OFF >/dev/null
cmake --build "$build" -j"${FUZZ_JOBS:-$(nproc)}" --target fuzz_redline

corpus=$build/corpus
artifacts=$build/artifacts
mkdir -p "$corpus" "$artifacts"
cp tests/fuzz/corpus/* "$corpus"/
if compgen -G "tests/fuzz/regressions/*" >/dev/null; then
  cp tests/fuzz/regressions/* "$corpus"/
fi
rm -f "$artifacts"/*

# detect_leaks stays on: a leak in redline is a finding.  tests/fuzz/lsan.supp
# names the GDAL/PROJ caches that live until exit, each with its reason.
export ASAN_OPTIONS=detect_leaks=1
export LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
log=$build/fuzz.log
set +e
# One fuzzing process (the machines are small); -max_len covers the largest
# seed (a 26 kB GeoPackage) with room to grow.
"$build/tests/fuzz/fuzz_redline" "$corpus" \
  -dict=tests/fuzz/redline.dict -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -max_total_time=$((minutes * 60)) -artifact_prefix="$artifacts/" \
  -print_final_stats=1 ${FUZZ_ARGS:-} 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
found=$(find "$artifacts" -type f | sort)
if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
  echo "fuzz.sh: FINDING (fuzzer exit status $rc); log: $log" >&2
  for f in $found; do
    echo "  reproducer: $f" >&2
    echo "  replay: $build/tests/fuzz/fuzz_redline $f" >&2
  done
  exit 1
fi
echo "fuzz.sh: no finding in $minutes min; corpus $(ls "$corpus" | wc -l) files in $corpus" >&2
