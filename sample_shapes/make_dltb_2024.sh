#!/bin/sh
# Make sample_shapes/dltb_2024.geojson: the next survey year (年度变更调查) of dltb.shp, for
# `redline diff --by DLBM` transitions (转移矩阵).  Changes, by dltb.shp FID:
#   16  0201 果园      re-coded to 0103 旱地 without moving (a parcel re-coded)
#   18  0301 乔木林地  re-coded to 0103 旱地 (林地 -> 耕地)
#   22  0103 旱地      split at X = 39520370: the west part becomes 0601 工业用地 (耕地 -> 建设用地)
#   21  0404 其他草地  deleted (area only in the old year)
#   new 0601 工业用地  east of FID 26, X 39521150-39521300 (area only in the new year)
# Everything else is copied as it is (with the old year's gap and overlap).  GeoJSON, so
# that a rerun is byte-identical.  Run from the repository root:
#   sh sample_shapes/make_dltb_2024.sh
set -eu
S=$(cd "$(dirname "$0")" && pwd)
OUT="$S/dltb_2024.geojson"
rm -f "$OUT"
F="DLBM, DLMC, QSXZ, ZLDWDM, ZLDWMC, KCDLBM, KCXS, KCMJ, TBMJ, TBDLMJ"
ogr2ogr -f GeoJSON "$OUT" "$S/dltb.shp" -nln dltb_2024 -a_srs EPSG:4527 \
    -lco RFC7946=NO -lco WRITE_NAME=NO -dialect SQLite -sql "
SELECT geometry, CASE WHEN rowid IN (16, 18) THEN '0103' ELSE DLBM END AS DLBM,
       CASE WHEN rowid IN (16, 18) THEN '旱地' ELSE DLMC END AS DLMC,
       QSXZ, ZLDWDM, ZLDWMC, KCDLBM, KCXS, KCMJ, TBMJ, TBDLMJ
  FROM dltb WHERE rowid NOT IN (21, 22)
UNION ALL
SELECT ST_Intersection(geometry, BuildMbr(39520000, 4413000, 39520370, 4414000)), '0601',
       '工业用地', QSXZ, ZLDWDM, ZLDWMC, NULL, 0, 0, TBMJ, TBDLMJ FROM dltb WHERE rowid = 22
UNION ALL
SELECT ST_Intersection(geometry, BuildMbr(39520370, 4413000, 39521000, 4414000)), $F
  FROM dltb WHERE rowid = 22
UNION ALL
SELECT BuildMbr(39521150, 4418100, 39521300, 4418650), '0601', '工业用地', QSXZ, ZLDWDM,
       ZLDWMC, NULL, 0, 0, 82500, 82500 FROM dltb WHERE rowid = 26"
echo "wrote $OUT"
