#!/bin/sh
# Recompute the independent land-use (地类) reference for sample_shapes/dltb.shp with PostGIS.
#
#   (PostgreSQL 15 + PostGIS 3 as for make_reference.sh; see README.md here)
#   sh tests/reference/make_landuse_reference.sh     # from the repository root
#
# PostGIS does the geometry (footprint x parcel pieces, overlaps, gaps, ellipsoidal and
# planar areas) into landuse_pieces.csv and landuse_fp.csv; landuse_reference.py turns
# them into the breakdown (landuse_sample.csv), with its own class table, and works P04
# out by hand with exact fractions.  Environment: REF_LU_DB (default redline_landuse_ref;
# dropped and recreated), plus the usual libpq variables.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
S="$ROOT/sample_shapes"
DB=${REF_LU_DB:-redline_landuse_ref}
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

dropdb --if-exists "$DB"
createdb "$DB"
psql -q -d "$DB" -c "CREATE EXTENSION postgis"
for l in dltb projects; do
    ogr2ogr -f PostgreSQL "PG:dbname=$DB" "$S/$l.shp" -nln $l -preserve_fid \
        -lco FID=fid -lco GEOMETRY_NAME=geom -nlt PROMOTE_TO_MULTI
done
psql -q -X -d "$DB" -f "$HERE/landuse_reference.sql"

# full float8 precision (extra_float_digits=3), formatted with %.6f by the python step
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
export_csv "SELECT footprint, area_m2, covered_m2, double_m2, uncovered_m2, area_planar_m2
        FROM ref_lu_fp ORDER BY fp_fid" "$HERE/landuse_fp.csv"
export_csv "SELECT footprint, parcel_fid, piece_m2, parcel_m2, piece_planar_m2, parcel_planar_m2,
               dlbm, dlmc, qsxz, zldwdm, zldwmc, kcdlbm, kcxs, kcmj, tbmj, tbdlmj
        FROM ref_lu_pieces ORDER BY fp_fid, parcel_fid" "$HERE/landuse_pieces.csv"
"$PY" "$HERE/landuse_reference.py"
