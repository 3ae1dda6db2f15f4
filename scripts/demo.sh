#!/usr/bin/env bash
# Set up, build, and screen the sample projects in sample_shapes/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
set +e
build/redline screen --eco sample_shapes/eco.shp \
  --farmland sample_shapes/farmland.shp --udb sample_shapes/udb.shp \
  --id-field XMBH --units ha sample_shapes/projects.shp
status=$?
set -e
echo
echo "exit status $status (0 all clear, 1 conflicts found, 2 errors)"
echo
build/redline diff --by HXLX --units ha sample_shapes/eco.shp sample_shapes/eco_v2.gpkg || true
