#!/bin/sh
# Recompute tests/reference/area_method.csv (issue 17) with PostGIS: coarse
# footprints and their pieces, measured as PostGIS geography of the geometry
# segmentized in its own CRS (ellipsoidal_m2) and unsegmentized (geodesic_m2).
#
#   pg_ctlcluster 15 main start
#   sh tests/reference/make_area_method_reference.sh     # from the repository root
#
# Environment: REF_DB (default redline_ref_area; dropped and recreated).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
DB=${REF_DB:-redline_ref_area}
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
dropdb --if-exists "$DB"
createdb "$DB"
psql -q -d "$DB" -c "CREATE EXTENSION postgis"
sed -n '1,/^-- footprints and their pieces/p' "$HERE/area_method_reference.sql" | psql -q -X -d "$DB"
# The last statement of the SQL file is the query to export.
Q=$(sed -n '/^-- footprints and their pieces/,$p' "$HERE/area_method_reference.sql")
psql -q -X -d "$DB" -c "$(printf '%s\n' "$Q" | sed -n '1,/^SELECT ord, name, role, srid/{/^SELECT ord, name, role, srid/!p}')"
SEL=$(printf '%s\n' "$Q" | sed -n '/^SELECT ord, name, role, srid/,$p' | sed 's/;[[:space:]]*$//')
PGOPTIONS="-c extra_float_digits=3" psql -q -X -d "$DB" \
    -c "\\copy ($SEL) TO STDOUT WITH (FORMAT csv, HEADER)" | "$PY" -c '
import csv, sys
r = csv.reader(sys.stdin); w = csv.writer(sys.stdout, lineterminator="\n")
head = next(r); w.writerow(head)
num = [i for i, h in enumerate(head) if h.endswith("_m2")]
for row in r:
    w.writerow(["%.6f" % float(v) if i in num and v != "" else v for i, v in enumerate(row)])
' > "$HERE/area_method.csv"
echo "wrote $HERE/area_method.csv"
dropdb "$DB"
