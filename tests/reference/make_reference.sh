#!/bin/sh
# Recompute redline's independent reference figures with PostGIS.
#
#   apt-get install -y postgresql-15-postgis-3 python3-gdal gdal-bin
#   pg_ctlcluster 15 main start
#   # a role for the current user, once:  su postgres -c "createuser -s $(id -un)"
#   sh tests/reference/make_reference.sh            # from the repository root
#
# Environment: REF_DB (default redline_ref; dropped and recreated), plus the usual
# libpq variables (PGHOST, PGPORT, PGUSER...).  Writes tests/reference/*.csv.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
S="$ROOT/sample_shapes"
DB=${REF_DB:-redline_ref}
# python with the osgeo bindings (a pyenv python3 first on PATH may lack them)
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

dropdb --if-exists "$DB"
createdb "$DB"
psql -q -d "$DB" -c "CREATE EXTENSION postgis"

load() { # file layer-name
    # -preserve_fid keeps OGR's FIDs (0-based for shapefiles, GeoPackage fid as is);
    # each layer keeps its own SRID; PROMOTE_TO_MULTI because projects has a MultiPolygon.
    ogr2ogr -f PostgreSQL "PG:dbname=$DB" "$1" -nln "$2" -preserve_fid \
        -lco FID=fid -lco GEOMETRY_NAME=geom -nlt PROMOTE_TO_MULTI
}
load "$S/eco.shp" eco
load "$S/farmland.shp" farmland
load "$S/udb.shp" udb
load "$S/projects.shp" projects
load "$S/eco_v2.gpkg" eco_v2


# Export with full float8 precision (extra_float_digits=3 = shortest exact text),
# then format every area with C's %.6f in one place.
export_csv() { # query outfile
    PGOPTIONS="-c extra_float_digits=3" psql -q -X -d "$DB" \
        -c "\\copy ($1) TO STDOUT WITH (FORMAT csv, HEADER)" | "$PY" -c '
import csv, sys
r = csv.reader(sys.stdin); w = csv.writer(sys.stdout, lineterminator="\n")
head = next(r); w.writerow(head)
num = [i for i, h in enumerate(head) if h.endswith("_m2")]
for row in r:
    w.writerow(["%.6f" % float(v) if i in num and v != "" else v for i, v in enumerate(row)])
' > "$2"
    echo "wrote $2"
}

# seg=0: edges read as geodesics (redline --area geodesic) -> *_sample.csv;
# seg=1: geometries segmentized in their own SRID first, edges straight in it
# (redline's default --area ellipsoidal, issue 17) -> *_sample_ellipsoidal.csv.
for seg in 0 1; do
    sfx=; [ $seg = 1 ] && sfx=_ellipsoidal
    psql -q -X -d "$DB" -v seg=$seg -f "$HERE/postgis_reference.sql"
    export_csv "SELECT footprint, control, control_fid, kind, area_m2 FROM ref_screen
                ORDER BY fp_fid, ord1, ord2, ord3" "$HERE/screen_sample$sfx.csv"
    export_csv "SELECT grp AS \"group\", old_m2, new_m2, lost_m2, gained_m2, net_m2 FROM ref_diff
                ORDER BY ord, grp" "$HERE/diff_sample$sfx.csv"
    export_csv "SELECT grp AS \"group\", features, area_m2, self_overlap_m2, sum_m2 FROM ref_area
                ORDER BY ord, grp" "$HERE/area_sample$sfx.csv"
done
