#!/bin/bash
# The many-holes case of issue 12: one footprint with N square holes screened against an
# identical control, the same shifted 1 m, and the parcels it was drawn around; diff and area
# on the same layers.  Each figure is checked against hand geometry (bench/gen_holes.py).
#
#   bench/holes.sh [N ...]          default: 2500 10000 20000 50000
#
# Generates bench/data/holes-N/ when missing (python3-gdal), builds redline (Release) into
# bench/build/ unless REDLINE=/path/to/redline is given, and writes the table to
# bench/results/holes-<date>.md (and prints it).  Exits 1 when a figure is wrong.
#
# Environment:
#   REDLINE=path   redline binary to measure (default: build bench/build/redline-build)
#   TIMEOUT=s      limit for each run (default 600); past it the row says "timeout"
#   OUT=file       the table (default bench/results/holes-<date>.md)
#   RUNS="..."     which runs (default: all of screen_same screen_shift screen_touch
#                  screen_parcels diff_same diff_shift area)
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
TIMEOUT=${TIMEOUT:-600}
RUNS=${RUNS:-screen_same screen_shift screen_touch screen_parcels diff_same diff_shift area}
NS=${*:-2500 10000 20000 50000}
RESULTS="$HERE/results"
OUT=${OUT:-$RESULTS/holes-$(date +%Y-%m-%d).md}
mkdir -p "$RESULTS" "$HERE/build"
log() { printf '[holes %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [ -z "${REDLINE:-}" ]; then
    log "building redline (Release) in bench/build/redline-build"
    { cmake -S "$ROOT" -B "$HERE/build/redline-build" -DCMAKE_BUILD_TYPE=Release &&
      cmake --build "$HERE/build/redline-build" -j2 --target redline; } \
        > "$HERE/build/holes-build.log" 2>&1 || { tail -30 "$HERE/build/holes-build.log" >&2; exit 2; }
    REDLINE="$HERE/build/redline-build/redline"
fi
[ -x "$REDLINE" ] || { echo "no redline binary at $REDLINE" >&2; exit 2; }

# check FILE KIND EXPECTED: the figure a run reports, and whether it is the hand figure
# (ellipsoidal areas on the central meridian of the zone: within 1e-6 of the planar ones)
check() {
    "$PY" - "$@" <<'EOF'
import json, sys
path, kind, want = sys.argv[1], sys.argv[2], float(sys.argv[3])
try:
    d = json.load(open(path, encoding="utf-8"))
except Exception as e:
    print("no figure (%s) | FAIL" % type(e).__name__)
    sys.exit()
if kind == "screen":
    c = list(d["footprints"][0]["controls"].values())[0]
    got, extra = c["overlap_m2"], ", %d hits" % len(c["hits"])
elif kind == "diff":
    got, extra = d["lost_m2"], ", gained %.1f" % d["gained_m2"]
else:
    got, extra = d["area_m2"], ""
ok = abs(got - want) <= 1e-6 * max(abs(want), 1.0) + 1e-3
print("%.4f%s | %.0f | %s" % (got, extra, want, "ok" if ok else "FAIL"))
EOF
}

{
    echo "# redline: a footprint with N holes (issue 12), $(date +%Y-%m-%d)"
    echo
    echo "| N | run | wall s | CPU s | peak RSS MB | figure m² | by hand m² | check |"
    echo "|---|---|---|---|---|---|---|---|"
} > "$OUT.tmp"
for n in $NS; do
    D="$HERE/data/holes-$n"
    if [ ! -s "$D/expected.json" ]; then
        log "generating N = $n into $D"
        mkdir -p "$D" && "$PY" "$HERE/gen_holes.py" "$n" "$D" > "$D/expected.tmp" &&
            mv "$D/expected.tmp" "$D/expected.json" || exit 2
    fi
    read -r area shift_ov parcels_ov <<< "$("$PY" -c '
import json, sys
e = json.load(open(sys.argv[1]))
print(e["planar_area_m2"], e["planar_shift_overlap_m2"], e["planar_parcels_shift_overlap_m2"])
' "$D/expected.json")"
    WD="$D/$(basename "$OUT" .md)" # this table's outputs: runs of two binaries do not mix
    mkdir -p "$WD"
    for run in $RUNS; do
        case $run in
            screen_same)    kind=screen; want=$area;  args=(screen --eco "$D/control.shp" "$D/footprint.shp") ;;
            screen_shift)   kind=screen; want=$shift_ov; args=(screen --eco "$D/control_shift.shp" "$D/footprint.shp") ;;
            screen_touch)   kind=screen; want=0;      args=(screen --farmland "$D/parcels.shp" "$D/footprint.shp") ;;
            screen_parcels) kind=screen; want=$parcels_ov; args=(screen --farmland "$D/parcels_shift.shp" "$D/footprint.shp") ;;
            diff_same)      kind=diff;   want=0;      args=(diff "$D/control.shp" "$D/footprint.shp") ;;
            diff_shift)     kind=diff;   want=$((area - shift_ov)); args=(diff "$D/control.shp" "$D/control_shift.shp") ;;
            area)           kind=area;   want=$area;  args=(area "$D/footprint.shp") ;;
            *) echo "unknown run $run" >&2; exit 2 ;;
        esac
        log "N = $n: $run"
        /usr/bin/time -f '%e %M %U %S' -o "$WD/$run.time" timeout "$TIMEOUT" "$REDLINE" "${args[@]}" -f json \
            > "$WD/$run.json" 2> "$WD/$run.err"
        rc=$?
        read -r wall rss usr sys < <(tail -1 "$WD/$run.time")
        rss=$(awk -v k="$rss" 'BEGIN {printf "%.0f", k / 1024}')
        cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
        if [ $rc -eq 124 ]; then
            echo "| $n | $run | > $TIMEOUT (timeout) | $cpu | $rss | | $want | timeout |"
        elif [ $rc -gt 1 ]; then
            echo "| $n | $run | $wall | $cpu | $rss | exit $rc: $(head -c 200 "$WD/$run.err") | $want | FAIL |"
        else
            echo "| $n | $run | $wall | $cpu | $rss | $(check "$WD/$run.json" $kind "$want") |"
        fi
    done >> "$OUT.tmp"
done
{
    echo
    echo "One run each, default options (ellipsoidal areas, \`--jobs\` = every processor), bounded"
    echo "by \`timeout $TIMEOUT\`; wall time, peak RSS and CPU time (user + system) from"
    echo "\`/usr/bin/time -f '%e %M %U %S'\`: on a shared machine, CPU time is the steadier figure."
    echo "Runs: screen_same = \`screen --eco control.shp footprint.shp\` (an identical control);"
    echo "screen_shift = the control 1 m east; screen_touch = \`--farmland parcels.shp\` (N parcels"
    echo "exactly filling the holes: they touch the site and overlap nothing); screen_parcels = those"
    echo "parcels 1 m east (4 m² each on the site); diff_same = \`diff control.shp footprint.shp\`"
    echo "(lost); diff_shift = \`diff control.shp control_shift.shp\` (lost); area = \`area footprint.shp\`."
    echo "The figures by hand are planar (bench/gen_holes.py); the square lies on the zone's central"
    echo "meridian, where ellipsoidal areas agree with them within 1e-6."
    echo
    echo "- CPU: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), nproc $(nproc); load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- $("$REDLINE" --version 2>/dev/null | head -1), binary $REDLINE, tree at $(cd "$ROOT" && git rev-parse --short HEAD)"
} >> "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
log "wrote $OUT"
grep -q "| FAIL |" "$OUT" && exit 1
exit 0
