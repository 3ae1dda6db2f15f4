#!/bin/sh
# Recompute the independent reference for line and point footprints (sample_shapes/linear/,
# docs/linear.md) with PostGIS.
#
#   (PostgreSQL 15 + PostGIS 3 as for make_reference.sh; see README.md here)
#   sh tests/reference/make_linear_reference.sh      # from the repository root
#
# PostGIS builds the corridors itself (ST_Buffer in the same metric CRS, 'endcap=flat
# join=mitre mitre_limit=5', one side at a time with 'side=left' / 'side=right' for the
# left / right widths), the tower squares (ST_Expand in EPSG:4527), intersects them with the
# controls, and measures: ST_Area and ST_Length on geography (CGCS2000, EPSG:4490), chainages
# with ST_LineLocatePoint + ST_LineSubstring (cut in the control's CRS, measured on geography), distances with
# ST_Distance on geography.  Writes tests/reference/linear_sample.csv; the CI machine only
# reads that file.  Environment: REF_LINEAR_DB (default redline_linear_ref; dropped and
# recreated), plus the usual libpq variables.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
S="$ROOT/sample_shapes"
DB=${REF_LINEAR_DB:-redline_linear_ref}
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

dropdb --if-exists "$DB"
createdb "$DB"
psql -q -d "$DB" -c "CREATE EXTENSION postgis"
for l in eco udb; do
    ogr2ogr -f PostgreSQL "PG:dbname=$DB" "$S/$l.shp" -nln $l -preserve_fid \
        -lco FID=fid -lco GEOMETRY_NAME=geom -nlt PROMOTE_TO_MULTI
done
for l in road_4490 road_gk powerline towers pipeline; do
    ogr2ogr -f PostgreSQL "PG:dbname=$DB" "$S/linear/$l.shp" -nln $l -preserve_fid \
        -lco FID=fid -lco GEOMETRY_NAME=geom
done
psql -q -X -d "$DB" -f "$HERE/linear_reference.sql"

# full float8 precision (extra_float_digits=3), the value formatted with %.6f
PGOPTIONS="-c extra_float_digits=3" psql -q -X -d "$DB" \
    -c "\\copy (SELECT layer, id, control, kind, value FROM ref_linear ORDER BY ord, layer, id, control, kind) TO STDOUT WITH (FORMAT csv, HEADER)" |
"$PY" -c '
import csv, sys
r = csv.reader(sys.stdin); w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(next(r))
for row in r:
    w.writerow(row[:4] + ["%.6f" % float(row[4])])
' > "$HERE/linear_sample.csv"
echo "wrote $HERE/linear_sample.csv"
