#!/bin/sh
# Make sample_shapes/eco_v3.geojson: a third red-line version, from eco_v2.gpkg, for
# `redline diff --by HXLX` transitions (转移矩阵).  E3, 蓟北低山丘陵水土保持生态保护红线
# (水土保持), changes type and shape together: it becomes 水源涵养 and loses everything east
# of 117.175 E.  Every other polygon is copied as it is (the 水源涵养 / 生物多样性维护 overlap
# of E1 and E2 included).  GeoJSON, EPSG:4490, byte-identical on a rerun:
#   sh sample_shapes/make_eco_v3.sh
set -eu
S=$(cd "$(dirname "$0")" && pwd)
OUT="$S/eco_v3.geojson"
rm -f "$OUT"
ogr2ogr -f GeoJSON "$OUT" "$S/eco_v2.gpkg" -nln eco_v3 -a_srs EPSG:4490 \
    -lco RFC7946=NO -lco WRITE_NAME=NO -dialect SQLite -sql "
SELECT geom, HXMC, HXLX, XZQDM FROM eco_v2 WHERE HXLX <> '水土保持'
UNION ALL
SELECT ST_Intersection(geom, BuildMbr(117.15, 39.90, 117.175, 39.93)), HXMC, '水源涵养', XZQDM
  FROM eco_v2 WHERE HXLX = '水土保持'"
echo "wrote $OUT"
