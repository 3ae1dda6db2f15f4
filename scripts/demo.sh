#!/usr/bin/env bash
# Set up, build, and screen the sample projects in sample_shapes/; then compare
# the two sample versions of the red line.  Each step says what it does, and
# the build shows cmake's progress, so a first run (about a minute of
# compiling on 2 cores, more when packages must be installed) is never silent.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }

step "1/4 Checking the Debian packages redline needs (scripts/deps.sh installs any that are missing)"
scripts/deps.sh
step "2/4 Configuring the build in build/ (cmake, RelWithDebInfo)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo --log-level=WARNING
step "3/4 Compiling redline (only the program and its library; the tests are built by scripts/test.sh)"
cmake --build build -j"$(nproc)" --target redline
step "4/4 Running the samples"
echo
cmd=(build/redline screen --eco sample_shapes/eco.shp
     --farmland sample_shapes/farmland.shp --udb sample_shapes/udb.shp
     --id-field XMBH --units ha sample_shapes/projects.shp)
echo "\$ ${cmd[*]}"
set +e
"${cmd[@]}"
status=$?
set -e
echo
echo "exit status $status (0 all clear, 1 conflicts found, 2 errors)"
echo
cmd=(build/redline diff --by HXLX --units ha sample_shapes/eco.shp sample_shapes/eco_v2.gpkg)
echo "\$ ${cmd[*]}"
"${cmd[@]}" || true
