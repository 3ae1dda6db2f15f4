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
# layers_sample.csv: edges read as geodesics (--area geodesic, PostGIS geography);
# layers_sample_ellipsoidal.csv: the union segmentized in the layer's own SRID
# first (1e-5 degree or 1 m steps), so its edges are straight in that CRS as
# redline's default --area ellipsoidal reads them (issue 17).
for sfx in "" _ellipsoidal; do
    g=u
    [ -n "$sfx" ] && g="ST_Segmentize(u, CASE WHEN ST_SRID(u) = 4490 THEN 1e-5 ELSE 1.0 END)"
    {
        echo "layer,features,area_m2"
        for t in eco farmland udb eco_v2; do
            psql -X -A -t -F, -d "$DB" -c "SET extra_float_digits = 3;
                SELECT '$t', n, ST_Area(ST_Transform($g, 4490)::geography)
                FROM (SELECT count(*), ST_Union(ST_MakeValid(geom)) FROM $t) s(n, u)" |
                grep -v "^SET" | awk -F, '{ printf "%s,%s,%.6f\n", $1, $2, $3 }'
        done
    } > "$HERE/layers_sample$sfx.csv"
done
dropdb "$DB"
