#!/bin/sh
# Union area of each sample control layer with PostGIS, for the figures the docs
# quote (tests/docs/check_figures.py): writes tests/reference/layers_sample.csv.
#
#   pg_ctlcluster 15 main start
#   sh tests/reference/make_layers_reference.sh       # from the repository root
#
# Environment: REF_DB (default redline_layers_ref; dropped and recreated), plus the
# usual libpq variables.  Areas as in make_reference.sh: repaired (ST_MakeValid),
# unioned in the layer's own CRS, ST_Area(ST_Transform(g, 4490)::geography).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
S=$(cd "$HERE/../../sample_shapes" && pwd)
DB=${REF_DB:-redline_layers_ref}

dropdb --if-exists "$DB"
createdb "$DB"
psql -q -d "$DB" -c "CREATE EXTENSION postgis"
for f in eco.shp farmland.shp udb.shp eco_v2.gpkg; do
    ogr2ogr -f PostgreSQL "PG:dbname=$DB" "$S/$f" -nln "${f%%.*}" \
        -lco GEOMETRY_NAME=geom -nlt PROMOTE_TO_MULTI
done
{
    echo "layer,features,area_m2"
    for t in eco farmland udb eco_v2; do
        psql -X -A -t -F, -d "$DB" -c "SET extra_float_digits = 3;
            SELECT '$t', count(*),
                   ST_Area(ST_Transform(ST_Union(ST_MakeValid(geom)), 4490)::geography)
            FROM $t"  | grep -v "^SET" | awk -F, '{ printf "%s,%s,%.6f\n", $1, $2, $3 }'
    done
} > "$HERE/layers_sample.csv"
dropdb "$DB"
