#!/usr/bin/env bash
# Install the Debian 12 packages redline needs, if any are missing.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libgdal-dev libgeos-dev libproj-dev
      libcmocka-dev libyaml-dev libxlsxwriter-dev gdal-bin python3 python3-gdal libtsan2
      clang-14 libclang-rt-14-dev   # scripts/fuzz.sh (libFuzzer)
      chromium poppler-utils python3-pil python3-openpyxl  # the report tests (issue 16)
      slurm-wlm munge                          # tests/slurm (issue 18; run as root)
      postgresql postgresql-15-postgis-3      # the PostGIS sink and source tests (issue 18)
      jq zip unzip                             # the docs examples (tests/docs/run_docs.py)
      valgrind                                 # tests/memcheck (reads of unset memory)
      libreoffice-calc-nogui)  # the workbooks open in LibreOffice (test_report.py)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
