#!/usr/bin/env bash
# Set up, build with -Werror, run every test; then again under ASan+UBSan,
# then under ThreadSanitizer; then one minute of fuzzing (scripts/fuzz.sh).
# Each stage's wall time is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)
times=()
stage() {  # stage NAME COMMAND...: run COMMAND, remember its wall time
  local name=$1 t0=$SECONDS
  shift
  "$@"
  times+=("$(printf '%-22s %4d s' "$name" $((SECONDS - t0)))")
}

stage "configure" cmake -S . -B build-ci -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREDLINE_WERROR=ON
stage "build" cmake --build build-ci -j"$jobs"
stage "tests" sh -c "cd build-ci && ctest --output-on-failure -j$jobs"
# The .deb built by cpack, installed with apt-get, run from /usr/bin and
# removed (skips with a message when not root or without dpkg/apt-get).
stage "deb install" scripts/test_deb.sh build-ci

# The stress tests run each command 20 times per --jobs value by default;
# under a sanitizer a run costs 5-20 times more, and the sanitizers see a
# race or a bad access in one run, so three runs are enough there.
export RL_STRESS_REPEAT=3

stage "asan configure" cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DREDLINE_WERROR=ON \
  -DREDLINE_SANITIZE=ON
stage "asan build" cmake --build build-asan -j"$jobs"
# GDAL and PROJ keep caches until exit; leaks there are not ours.
stage "asan tests" env ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  sh -c "cd build-asan && ctest --output-on-failure -j$jobs"

stage "tsan configure" cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DREDLINE_WERROR=ON -DREDLINE_TSAN=ON
stage "tsan build" cmake --build build-tsan -j"$jobs"
# halt_on_error: the first report fails the test that hit it, with both
# stacks in the log.  abort_on_error: end by SIGABRT (as under ASan), so the
# audit test's deliberate crash of a worker still reads as a crash and not
# as TSan's exit status 66.  tests/tsan.supp silences reports from inside
# GDAL/PROJ/GEOS only, each with its reason; never redline code.
tsan_opts=halt_on_error=1:abort_on_error=1:second_deadlock_stack=1
tsan_env=(env "TSAN_OPTIONS=$tsan_opts:suppressions=$PWD/tests/tsan.supp")
# gcc 12's TSan cannot map its shadow memory when the kernel randomises
# mmap addresses with more entropy than it knows (vm.mmap_rnd_bits > 28 on
# newer kernels): every program dies with "FATAL: ThreadSanitizer:
# unexpected memory mapping".  There the tests run with ASLR turned off
# (setarch -R), which changes nothing else.  Not by default: some container
# sandboxes forbid the personality(2) call that setarch makes.
if ! build-tsan/redline --version >/dev/null 2>&1; then
  echo "TSan cannot start with ASLR on; running the TSan tests under setarch -R" >&2
  tsan_env=(setarch "$(uname -m)" -R "${tsan_env[@]}")
fi
stage "tsan tests" "${tsan_env[@]}" sh -c "cd build-tsan && ctest --output-on-failure -j$jobs"

# A smoke: the fuzz build still builds, and one minute of fuzzing from the
# seed corpus finds nothing.  Longer runs: scripts/fuzz.sh MINUTES.
stage "fuzz smoke (1 min)" scripts/fuzz.sh 1

printf '%s\n' "wall time per stage:" "${times[@]}"
