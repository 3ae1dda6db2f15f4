#!/bin/sh
# Recompute the independent transition matrices (转移矩阵) of `redline diff --by` with PostGIS.
#   sh tests/reference/make_transitions_reference.sh     # from the repository root
# (PostgreSQL 15 + PostGIS 3 as for make_reference.sh.)  Writes transitions_sample.csv:
#   case,from,to,area_m2   ("(none)": area only in the other version)
# Environment: REF_TR_DB (default redline_transitions_ref; dropped and recreated).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
S="$ROOT/sample_shapes"
DB=${REF_TR_DB:-redline_transitions_ref}
dropdb --if-exists "$DB"
createdb "$DB"
psql -q -d "$DB" -c "CREATE EXTENSION postgis"
load() { # file layer-name
    ogr2ogr -f PostgreSQL "PG:dbname=$DB" "$1" -nln "$2" -preserve_fid \
        -lco FID=fid -lco GEOMETRY_NAME=geom -nlt PROMOTE_TO_MULTI
}
load "$S/eco.shp" eco
load "$S/eco_v2.gpkg" eco_v2
load "$S/dltb.shp" dltb
load "$S/dltb_2024.geojson" dltb_2024
load "$S/eco_v3.geojson" eco_v3
# seg=0: geodesic edges (--area geodesic) -> transitions_sample.csv; seg=1: edges
# straight in each geometry's CRS (default --area ellipsoidal) -> *_ellipsoidal.csv.
for seg in 0 1; do
sfx=; [ $seg = 1 ] && sfx=_ellipsoidal
psql -q -X -d "$DB" -v seg=$seg -f "$HERE/transitions_reference.sql"
PGOPTIONS="-c extra_float_digits=3" psql -q -X -d "$DB" -c "\\copy (SELECT c AS case, from_v AS from, to_v AS to, area_m2 FROM ref_trans ORDER BY c, from_v COLLATE \"C\", to_v COLLATE \"C\") TO STDOUT WITH (FORMAT csv, HEADER)" \
  | python3 -c '
import csv, sys
r = csv.reader(sys.stdin); w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(next(r))
for row in r:
    w.writerow(row[:3] + ["%.6f" % float(row[3])])
' > "$HERE/transitions_sample$sfx.csv"
echo "wrote $HERE/transitions_sample$sfx.csv"
done
