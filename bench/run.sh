#!/bin/bash
# redline benchmark: screen (--jobs 1 and 2), diff, and the same screening job in PostGIS,
# QGIS and geopandas, against the "read floor" (OGR read of every input geometry).
#
#   bench/run.sh county|province
#
# Generates the data with bench/gen.py when bench/data/<size>/ is missing, builds redline
# (Release) into bench/build/ unless REDLINE=/path/to/redline is given, runs every peer that
# is installed, checks each peer's figures against redline's, and writes the table with the
# machine and library versions to bench/results/<size>-<date>.md (and prints it).
#
# Environment:
#   REDLINE=path     redline binary to measure (default: build bench/build/redline, Release)
#   TIMEOUT=s        limit for each peer and each redline run (default 1800)
#   REPEAT=n         runs of the read floor and of each redline screen; the median is kept
#                    (default 3)
#   DIFF_REPEAT=n    runs of each redline diff (default: REPEAT for county, 1 for province)
#   PEER_REPEAT=n    runs of each peer, median kept (default 1)
#   PEERS="postgis qgis geopandas"   which peers to run (default: all that are installed)
#   BENCH_DB=name    PostgreSQL database to (re)create (default redline_bench_<size>)
#   PGHOST, PGPORT, PGUSER...        the usual libpq variables
set -u

SIZE=${1:-}
case "$SIZE" in county|province) ;; *) echo "usage: $0 county|province" >&2; exit 2 ;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3      # needs the Debian python3-gdal bindings
DATA="$HERE/data/$SIZE"
W="$HERE/data/$SIZE-work"            # outputs and timings of this run (git-ignored)
TIMEOUT=${TIMEOUT:-1800}
REPEAT=${REPEAT:-3}
if [ "$SIZE" = county ]; then DIFF_REPEAT=${DIFF_REPEAT:-$REPEAT}; else DIFF_REPEAT=${DIFF_REPEAT:-1}; fi
PEER_REPEAT=${PEER_REPEAT:-1}
PEERS=${PEERS:-postgis qgis geopandas}
DB=${BENCH_DB:-redline_bench_$SIZE}
STAMP=$(date +%Y-%m-%d)
RESULTS="$HERE/results"
OUT="$RESULTS/$SIZE-$STAMP.md"
mkdir -p "$W" "$RESULTS" "$HERE/build"
rm -f "$W"/*.time "$W"/*.rows

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ------------------------------------------------------------------------------ data
if [ ! -s "$DATA/MANIFEST.txt" ]; then
    log "generating $SIZE data into $DATA"
    /usr/bin/time -f '%e' -o "$W/gen.time" "$PY" "$HERE/gen.py" "$SIZE" "$DATA" >/dev/null || exit 2
    log "generated in $(cat "$W/gen.time") s"
fi
FP="$DATA/footprints.shp"; ECO="$DATA/redline_v1.shp"; ECO2="$DATA/redline_v2.gpkg"
FARM="$DATA/farmland.gpkg"; UDB="$DATA/udb.shp"
for f in "$FP" "$ECO" "$ECO2" "$FARM" "$UDB"; do [ -s "$f" ] || { echo "missing $f" >&2; exit 2; }; done

# ------------------------------------------------------------------------------ build
if [ -z "${REDLINE:-}" ]; then
    log "building redline (Release) in bench/build/redline-build"
    { cmake -S "$ROOT" -B "$HERE/build/redline-build" -DCMAKE_BUILD_TYPE=Release &&
      cmake --build "$HERE/build/redline-build" -j"$(nproc)" --target redline; } \
        > "$W/build.log" 2>&1 || { tail -30 "$W/build.log" >&2; exit 2; }
    REDLINE="$HERE/build/redline-build/redline"
fi
[ -x "$REDLINE" ] || { echo "no redline binary at $REDLINE" >&2; exit 2; }
READFLOOR="$HERE/build/readfloor"
if [ ! -x "$READFLOOR" ] || [ "$HERE/tools/readfloor.c" -nt "$READFLOOR" ]; then
    # shellcheck disable=SC2046
    cc -O2 -o "$READFLOOR" "$HERE/tools/readfloor.c" $(gdal-config --cflags) $(gdal-config --libs) || exit 2
fi

# ------------------------------------------------------------------------------ measuring
# measure NAME CMD...: one run under /usr/bin/time (wall s, peak RSS kB of the command and
# every child it waited for) and timeout.  Appends "wall rss status" to $W/NAME.rows,
# status = ok | timeout | error(rc).  Exit status 1 of redline (a conflict) is a normal result.
measure() {
    local name=$1; shift
    local rc
    /usr/bin/time -f '%e %M' -o "$W/$name.time" timeout "$TIMEOUT" "$@" > "$W/$name.out" 2> "$W/$name.err"
    rc=$?
    local t; t=$(tail -1 "$W/$name.time")
    case $rc in
        0|1) echo "$t ok" >> "$W/$name.rows" ;;
        124) echo "$TIMEOUT 0 timeout" >> "$W/$name.rows"
             # timeout kills psql, not the server backend: stop it before it
             # steals a core from the runs that follow.
             if [ "$1" = psql ]; then
                 psql -X -q -d postgres -tAc "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = '$DB' AND pid <> pg_backend_pid()" > /dev/null 2>&1
                 sleep 5
                 psql -X -q -d postgres -tAc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$DB' AND pid <> pg_backend_pid()" > /dev/null 2>&1
             fi ;;
        *)   echo "$t error($rc)" >> "$W/$name.rows"; log "$name failed ($rc): $(tail -3 "$W/$name.err" | tr '\n' ' ')" ;;
    esac
    return $rc
}
# median NAME: "wall rss status" of the median run (by wall time)
median() {
    [ -s "$W/$1.rows" ] || { echo "- - skipped"; return; }
    local n; n=$(wc -l < "$W/$1.rows")
    sort -n "$W/$1.rows" | sed -n "$(( (n + 1) / 2 ))p"
}
repeat() { local name=$1; shift; for _ in $(seq "$REPEAT"); do measure "$name" "$@"; done; }
repeat_diff() { local name=$1; shift; for _ in $(seq "$DIFF_REPEAT"); do measure "$name" "$@"; done; }
# peer NAME CMD...: PEER_REPEAT runs; stops at the first failure; status of the last run
peer() {
    local name=$1 rc=0; shift
    for _ in $(seq "$PEER_REPEAT"); do measure "$name" "$@" || { rc=$?; [ $rc -eq 1 ] || return $rc; }; done
    return $rc
}
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)

# the figures of each row: its check line (or a note)
declare -A CHECK NOTE
note() { NOTE[$1]="${NOTE[$1]:-}${NOTE[$1]:+; }$2"; }

log "warming the page cache"
cat "$DATA"/* > /dev/null

log "read floor ($REPEAT x)"
repeat readfloor "$READFLOOR" "$FP" "$ECO" "$FARM" "$UDB"
repeat readfloor_diff "$READFLOOR" "$ECO" "$ECO2"
CHECK[readfloor]="$(awk '/^total/ {print $2 " features read"}' "$W/readfloor.out")"
CHECK[readfloor_diff]="$(awk '/^total/ {print $2 " features read"}' "$W/readfloor_diff.out")"

SCREEN_ARGS=(screen --eco "$ECO" --farmland "$FARM" --udb "$UDB" --id-field XMBH -f json)
for j in 1 2; do
    log "redline screen --jobs $j ($REPEAT x)"
    for _ in $(seq "$REPEAT"); do
        measure "screen_j$j" "$REDLINE" "${SCREEN_ARGS[@]}" -o "$W/screen_j$j.json" --jobs "$j" "$FP"
    done
done
if [ -s "$W/screen_j1.json" ]; then
    CHECK[screen_j1]=$("$PY" - "$W/screen_j1.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1], encoding="utf-8"))["summary"]
print("the reference; %(footprints)d footprints: %(conflict)d conflict, %(warn)d warn, %(pass)d pass, %(error)d error" % s)
EOF
)
    # redline's own figures against exact arithmetic, on a sample (GEOS computes none of it)
    exact=$("$PY" "$HERE/tools/exact_pieces.py" "$DATA" "$W/screen_j1.json" --sample 100 2>&1 | tail -n 1)
    CHECK[screen_j1]+="; 100 hits per control recomputed exactly (tools/exact_pieces.py): $exact"
    if cmp -s "$W/screen_j1.json" "$W/screen_j2.json"; then CHECK[screen_j2]="JSON byte-identical to --jobs 1"
    else CHECK[screen_j2]="FAIL: JSON differs from --jobs 1"; fi
fi

log "redline diff ($DIFF_REPEAT x)"
repeat_diff diff "$REDLINE" diff -f json -o "$W/diff.json" "$ECO" "$ECO2"
repeat_diff diff_by "$REDLINE" diff --by HXLX -f json -o "$W/diff_by.json" "$ECO" "$ECO2"
for k in diff diff_by; do
    [ -s "$W/$k.json" ] || continue
    CHECK[$k]=$("$PY" - "$W/$k.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
g = len(d.get("groups", []))
print("the reference; %s: lost %.0f m2, gained %.0f m2, net %+.0f m2%s"
      % (d["verdict"], d["lost_m2"], d["gained_m2"], d["net_m2"], "; %d groups" % g if g else ""))
EOF
)
done
REF_JSON="$W/screen_j1.json"

check_peer() { # row peer-output [check.py options]
    local row=$1 file=$2; shift 2
    if [ ! -s "$file" ]; then CHECK[$row]="no output"; return; fi
    CHECK[$row]=$("$PY" "$HERE/tools/check.py" "$REF_JSON" "$file" "$@" 2>>"$W/$row.check.err")
}

have_peer() { case " $PEERS " in *" $1 "*) return 0 ;; esac; return 1; }

# ------------------------------------------------------------------------------ PostGIS
PG_STATUS=""
if have_peer postgis; then
    if ! command -v psql > /dev/null || ! command -v ogr2ogr > /dev/null; then
        PG_STATUS="not installed (apt-get install postgresql-15-postgis-3 gdal-bin)"
    elif ! psql -X -q -d postgres -c "SELECT 1" > /dev/null 2>&1; then
        PG_STATUS="server not reachable (pg_ctlcluster 15 main start; a role for $(id -un))"
    elif ! psql -X -q -d postgres -tAc "SELECT 1 FROM pg_available_extensions WHERE name='postgis'" | grep -q 1; then
        PG_STATUS="PostGIS extension not installed"
    fi
    if [ -z "$PG_STATUS" ]; then
        log "PostGIS: load into $DB"
        dropdb --if-exists "$DB" > /dev/null 2>&1
        createdb "$DB" && psql -X -q -d "$DB" -c "CREATE EXTENSION postgis" || exit 2
        cat > "$W/pg_load.sh" <<EOF
set -e
for L in fp:$FP eco:$ECO farmland:$FARM udb:$UDB eco_v2:$ECO2; do
    # GiST index on geom is ogr2ogr's default (SPATIAL_INDEX=GIST); COPY is used
    ogr2ogr -f PostgreSQL "PG:dbname=$DB" "\${L#*:}" -nln "\${L%%:*}" -overwrite \
        -lco GEOMETRY_NAME=geom -lco FID=fid -nlt PROMOTE_TO_MULTI
done
psql -X -q -d "$DB" -c "ANALYZE"
EOF
        measure pg_load sh "$W/pg_load.sh"
        CHECK[pg_load]="ogr2ogr of the 5 layers (COPY, GiST index) + ANALYZE; not in the query times"
        log "PostGIS: screening query"
        if peer pg_query psql -X -q -d "$DB" -f "$HERE/tools/postgis_screen.sql"; then
            # psql's own RSS is meaningless: use the server backend's peak (VmHWM)
            hwm=$(awk '/VmHWM/ {print $2}' "$W/pg_query.out")
            if [ -n "$hwm" ]; then
                awk -v h="$hwm" '{ $2 = h; print }' "$W/pg_query.rows" > "$W/pg_query.rows.tmp" &&
                    mv "$W/pg_query.rows.tmp" "$W/pg_query.rows"
            fi
            psql -X -q -d "$DB" -c "\\copy bench_result TO '$W/postgis.csv' WITH (FORMAT csv, HEADER)"
            check_peer pg_query "$W/postgis.csv"
            note pg_query "RSS = server backend VmHWM (shared buffers it touched included; parallel workers not counted)"
        else
            CHECK[pg_query]="$(tail -1 "$W/pg_query.rows" | awk '{print $3}')"
        fi
        log "PostGIS: diff query"
        if peer pg_diff psql -X -q -d "$DB" -f "$HERE/tools/postgis_diff.sql"; then
            hwm=$(awk '/VmHWM/ {print $2}' "$W/pg_diff.out")
            [ -n "$hwm" ] && awk -v h="$hwm" '{ $2 = h; print }' "$W/pg_diff.rows" > "$W/pg_diff.rows.tmp" &&
                mv "$W/pg_diff.rows.tmp" "$W/pg_diff.rows"
            PGOPTIONS="-c extra_float_digits=3" psql -X -q -d "$DB" -tA -F, \
                -c "SELECT old_m2, new_m2, lost_m2, gained_m2 FROM bench_diff" > "$W/postgis_diff.csv"
            CHECK[pg_diff]=$("$PY" - "$W/diff.json" "$W/postgis_diff.csv" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
p = [float(v) for v in open(sys.argv[2]).read().strip().split(",")]
names = ["old_m2", "new_m2", "lost_m2", "gained_m2"]
rel = [abs(p[i] - d[n]) / max(abs(d[n]), 1e-9) for i, n in enumerate(names)]
bad = [n for i, n in enumerate(names) if abs(p[i] - d[n]) > 1e-6 * max(abs(p[i]), abs(d[n])) + 0.01]
print(("FAIL " + ", ".join(bad) if bad else "ok") +
      " old/new/lost/gained vs redline diff: max rel diff %.1e; tolerance 1e-6 rel + 0.01 m2" % max(rel))
EOF
)
        else
            CHECK[pg_diff]="$(tail -1 "$W/pg_diff.rows" | awk '{print $3}')"
        fi
        note pg_diff "totals only (no --by); RSS = server backend VmHWM"
    fi
fi

# ------------------------------------------------------------------------------ QGIS
QGIS_STATUS=""
if have_peer qgis; then
    # Debian's /usr/bin/qgis_process wrapper passes --noversioncheck (from /etc/default/qgis),
    # which qgis_process 3.22 rejects: call the real binary with the wrapper's library path.
    QGIS_BIN=""
    if [ -x /usr/bin/qgis_process.bin ]; then QGIS_BIN=/usr/bin/qgis_process.bin
    elif command -v qgis_process > /dev/null; then QGIS_BIN=$(command -v qgis_process); fi
    if [ -z "$QGIS_BIN" ]; then
        QGIS_STATUS="not installed (apt-get install qgis)"
    else
        export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/runtime-$(id -un)}
        mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
        [ -d /usr/lib/grass82/lib ] && export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/lib/grass82/lib
        log "QGIS: start-up alone"
        measure qgis_startup "$QGIS_BIN" help native:calculatevectoroverlaps
        log "QGIS: native:calculatevectoroverlaps"
        rm -f "$W/qgis.gpkg"
        # --ellipsoid: without it qgis_process measures planar areas. EPSG:7019 is GRS80, whose
        # flattening differs from CGCS2000's by 1e-10 (relative area effect ~1e-10).
        peer qgis "$QGIS_BIN" run native:calculatevectoroverlaps --ellipsoid=EPSG:7019 \
            --INPUT="$FP" --LAYERS="$ECO" --LAYERS="$FARM" --LAYERS="$UDB" --OUTPUT="$W/qgis.gpkg" &&
            check_peer qgis "$W/qgis.gpkg" --qgis redline_v1=eco,farmland=farmland,udb=udb --abs 0.5 \
                --why "QGIS overlays in the footprints' CRS, so a farmland edge straight in lon/lat becomes straight in GK zone 39: a 300 m east-west edge moves by ~1 mm, up to ~0.2 m2"
        [ -n "${CHECK[qgis]:-}" ] || CHECK[qgis]="$(tail -1 "$W/qgis.rows" | awk '{print $3}')"
        note qgis "includes QGIS start-up, $(median qgis_startup | awk '{print $1}') s alone"
    fi
fi

# ------------------------------------------------------------------------------ geopandas
GPD_STATUS=""
if have_peer geopandas; then
    if ! "$PY" -c "import geopandas, pyproj" > /dev/null 2>&1; then
        GPD_STATUS="not installed (apt-get install python3-geopandas)"
    else
        measure gpd_import "$PY" -c "import geopandas, pyproj"
        log "geopandas: overlay + dissolve + geodesic area"
        peer geopandas "$PY" "$HERE/tools/peer_geopandas.py" "$W/geopandas.csv" "$FP" XMBH \
            eco="$ECO" farmland="$FARM" udb="$UDB" &&
            check_peer geopandas "$W/geopandas.csv"
        [ -n "${CHECK[geopandas]:-}" ] || CHECK[geopandas]="$(tail -1 "$W/geopandas.rows" | awk '{print $3}')"
        note geopandas "includes Python start-up and imports, $(median gpd_import | awk '{print $1}') s alone"
    fi
fi

# ------------------------------------------------------------------------------ table
row() { # key label
    local key=$1 label=$2 m wall rss st ratio fig
    m=$(median "$key"); read -r wall rss st <<< "$m"
    if [ "$st" = skipped ]; then return; fi
    if [ "$st" = ok ]; then
        if [ "$rss" -gt 0 ] 2>/dev/null; then rss=$(awk -v k="$rss" 'BEGIN {printf "%.0f", k / 1024}'); else rss="-"; fi
        local base=${RATIO[$key]:-screen_j1} b
        b=$(median "$base" | awk '$3 == "ok" {print $1}')
        if [ "$base" != none ] && [ -n "$b" ]; then
            ratio=$(awk -v a="$wall" -v b="$b" 'BEGIN {printf "%.2f", a / b}')
        else ratio="—"; fi
        wall=$(awk -v a="$wall" 'BEGIN {printf "%.2f", a}')
    else
        wall=$st; rss="-"; ratio="—"
    fi
    fig=${CHECK[$key]:-}
    [ -n "${NOTE[$key]:-}" ] && fig="$fig${fig:+ · }${NOTE[$key]}"
    printf '| %s | %s | %s | %s | %s |\n' "$label" "$wall" "$rss" "$ratio" "$fig"
}
# the ratio column: screening rows against redline screen --jobs 1, diff rows against redline diff
declare -A RATIO=([diff]=diff [diff_by]=diff [pg_diff]=diff [readfloor_diff]=diff [pg_load]=none)

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
ram=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
ver() { "$@" 2>/dev/null | head -1; }
proj_v=$(pkg-config --modversion proj 2>/dev/null || dpkg-query -W -f '${Version}' libproj25 2>/dev/null)
pg_v=$(psql -X -q -d postgres -tAc "SHOW server_version" 2>/dev/null)
postgis_v=$(psql -X -q -d "$DB" -tAc "SELECT postgis_lib_version() || ' (GEOS ' || postgis_geos_version() || ', PROJ ' || postgis_proj_version() || ')'" 2>/dev/null)
qgis_v=$(dpkg-query -W -f '${Version}' qgis 2>/dev/null)
gpd_v=$("$PY" -c "import geopandas, shapely, pyproj; print('geopandas', geopandas.__version__, '/ shapely', shapely.__version__, '/ pyproj', pyproj.__version__)" 2>/dev/null)
git_v=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null)$(cd "$ROOT" && git diff --quiet HEAD 2>/dev/null || echo "+uncommitted changes")

{
    echo "# redline benchmark: $SIZE, $STAMP"
    echo
    echo "| run | wall s | peak RSS MB | × redline | figures |"
    echo "|---|---|---|---|---|"
    echo "| *screen: footprints × eco, farmland, udb* | | | *× screen --jobs 1* | |"
    row readfloor "read floor: OGR read of every screen input geometry (C: GetGeometryRef + ExportToWkb)"
    row screen_j1 "**redline screen --jobs 1**"
    row screen_j2 "redline screen --jobs 2"
    row pg_query "PostGIS: screening query on preloaded GiST-indexed tables"
    row qgis "QGIS: qgis_process native:calculatevectoroverlaps"
    row geopandas "geopandas: overlay + dissolve + pyproj.Geod area"
    echo "| *diff: red line v1 (Shapefile, EPSG:4527) vs v2 (GeoPackage, EPSG:4490)* | | | *× redline diff* | |"
    row readfloor_diff "read floor of the diff inputs"
    row diff "**redline diff**"
    row diff_by "redline diff --by HXLX"
    row pg_diff "PostGIS: union, difference and areas on preloaded tables"
    echo "| *other* | | | | |"
    row pg_load "PostGIS: loading the tables (not counted above)"
    for s in "postgis:$PG_STATUS" "qgis:$QGIS_STATUS" "geopandas:$GPD_STATUS"; do
        [ -n "${s#*:}" ] && echo "| ${s%%:*} | skipped: ${s#*:} | | | |"
    done
    echo
    echo "Median of $REPEAT run(s) for the read floors and redline screen, $DIFF_REPEAT for redline diff, of $PEER_REPEAT for each peer; every run"
    echo "bounded by \`timeout $TIMEOUT\`. Wall time and peak RSS from \`/usr/bin/time -f '%e %M'\`."
    echo "Every area is geodesic on the CGCS2000/GRS80 ellipsoid; a peer's figures count only when"
    echo "they agree with redline's (per footprint and control: area of footprint ∩ union of the"
    echo "control's features), see bench/README.md."
    echo
    echo "## Data"
    echo
    echo '```'
    cat "$DATA/MANIFEST.txt"
    echo '```'
    echo
    echo "## Machine and versions"
    echo
    echo "- CPU: $cpu, nproc $(nproc); RAM $ram; $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r); load average at start $LOADAVG"
    echo "- $("$REDLINE" --version 2>/dev/null | head -1) at commit $git_v, binary $REDLINE"
    echo "- GDAL $(gdal-config --version), GEOS $(geos-config --version), PROJ $proj_v"
    [ -n "$pg_v" ] && echo "- PostgreSQL $pg_v, PostGIS $postgis_v"
    [ -n "$qgis_v" ] && echo "- QGIS $qgis_v"
    [ -n "$gpd_v" ] && echo "- $gpd_v, Python $("$PY" -c 'import platform; print(platform.python_version())')"
} > "$OUT"
cat "$OUT"
log "wrote $OUT"
grep -q FAIL "$OUT" && exit 1
exit 0
