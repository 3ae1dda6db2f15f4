#!/usr/bin/env bash
# Set up, build with -Werror, run every test; then again under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)
cmake -S . -B build-ci -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREDLINE_WERROR=ON >/dev/null
cmake --build build-ci -j"$jobs"
(cd build-ci && ctest --output-on-failure -j"$jobs")
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DREDLINE_WERROR=ON -DREDLINE_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
# GDAL and PROJ keep caches until exit; leaks there are not ours.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j"$jobs")
