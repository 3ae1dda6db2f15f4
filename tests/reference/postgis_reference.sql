-- Independent reference figures for redline, computed with PostGIS 3.3 (GEOS 3.11).
-- Run by make_reference.sh after the sample layers were loaded with ogr2ogr:
--   eco       EPSG:4527  (sample_shapes/eco.shp,      fid = shapefile FID, 0-based)
--   farmland  EPSG:4490  (sample_shapes/farmland.shp, fid 0-based)
--   udb       EPSG:4548  (sample_shapes/udb.shp,      fid 0-based)
--   projects  EPSG:4527  (sample_shapes/projects.shp, fid 0-based)
--   eco_v2    EPSG:4490  (sample_shapes/eco_v2.gpkg,  fid = GeoPackage fid, 1-based)
-- Every area is the ellipsoidal (CGCS2000) area: ST_Area(ST_Transform(g, 4490)::geography),
-- with g segmentized in its own SRID first when run with -v seg=1.
-- Results go to tables ref_screen, ref_diff, ref_area (raw float8); the driver formats them.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- psql -v seg=1 (make_reference.sh's second run, issue 17): every geometry is
-- ST_Segmentize'd in its own SRID (1e-5 degree or 1 m steps) before it is
-- transformed, so edges are read as straight in the CRS the geometry is given in,
-- as redline's default --area ellipsoidal does.  seg=0 (default): edges are
-- geodesics between the vertices, as --area geodesic does.
\if :{?seg}
\else
\set seg 0
\endif
DROP TABLE IF EXISTS pg_temp.ref_opts;
CREATE TEMP TABLE ref_opts AS SELECT :seg::int AS seg;
CREATE OR REPLACE FUNCTION pg_temp.seg(g geometry) RETURNS geometry AS $$
  SELECT CASE WHEN (SELECT seg FROM pg_temp.ref_opts) = 1
              THEN ST_Segmentize(g, CASE WHEN ST_SRID(g) = 4490 THEN 1e-5 ELSE 1.0 END)
              ELSE g END
$$ LANGUAGE sql STABLE;
-- g in another SRID (segmentized first when seg=1)
CREATE OR REPLACE FUNCTION pg_temp.tr(g geometry, srid int) RETURNS geometry AS $$
  SELECT ST_Transform(pg_temp.seg(g), srid)
$$ LANGUAGE sql STABLE;

-- Ellipsoidal area in m2 of any geometry (polygonal part only), NULL/empty -> 0.
CREATE OR REPLACE FUNCTION pg_temp.ell_area(g geometry) RETURNS float8 AS $$
  SELECT COALESCE(ST_Area(pg_temp.tr(ST_CollectionExtract(g, 3), 4490)::geography), 0)
$$ LANGUAGE sql STABLE;

-- the control layers must be valid as delivered (the samples are)
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM eco WHERE NOT ST_IsValid(geom))
     OR EXISTS (SELECT 1 FROM farmland WHERE NOT ST_IsValid(geom))
     OR EXISTS (SELECT 1 FROM udb WHERE NOT ST_IsValid(geom))
     OR EXISTS (SELECT 1 FROM eco_v2 WHERE NOT ST_IsValid(geom)) THEN
    RAISE EXCEPTION 'a control layer has invalid geometry';
  END IF;
END $$;

------------------------------------------------------------------------------ screen
-- Footprints repaired like redline does: GEOS MakeValid (linework), polygonal part kept.
DROP TABLE IF EXISTS ref_fp;
CREATE TABLE ref_fp AS
SELECT fid AS fp_fid, xmbh,
       NOT ST_IsValid(geom) AS repaired,
       ST_CollectionExtract(ST_MakeValid(geom), 3) AS geom
FROM projects;

DROP TABLE IF EXISTS ref_controls;
CREATE TABLE ref_controls AS
          SELECT 'eco'::text AS control, 1 AS cord, fid, geom FROM eco
UNION ALL SELECT 'farmland',             2,        fid, geom FROM farmland
UNION ALL SELECT 'udb',                  3,        fid, geom FROM udb;

-- every (footprint, control feature) piece, overlay done in the CONTROL layer's SRID
DROP TABLE IF EXISTS ref_pieces;
CREATE TABLE ref_pieces AS
SELECT f.fp_fid, f.xmbh, c.control, c.cord, c.fid AS control_fid,
       ST_CollectionExtract(ST_Intersection(pg_temp.tr(f.geom, ST_SRID(c.geom)), c.geom), 3) AS geom
FROM ref_fp f
JOIN ref_controls c ON ST_Intersects(pg_temp.tr(f.geom, ST_SRID(c.geom)), c.geom);

DROP TABLE IF EXISTS ref_screen;
CREATE TABLE ref_screen (fp_fid int, footprint text, control text, control_fid int,
                         kind text, area_m2 float8, ord1 int, ord2 int, ord3 int);

-- footprint area (repaired geometry, in its own SRID, then 4490 geography)
INSERT INTO ref_screen
SELECT fp_fid, xmbh, NULL, NULL, 'footprint', pg_temp.ell_area(geom), 0, 0, 0 FROM ref_fp;

-- per-feature hits (area > 0)
INSERT INTO ref_screen
SELECT fp_fid, xmbh, control, control_fid, 'hit', a, cord, 1, control_fid
FROM (SELECT *, pg_temp.ell_area(geom) AS a FROM ref_pieces) p
WHERE a > 0;

-- total = area(fp n union(control)) = area of the union of the pieces; 0 when none
INSERT INTO ref_screen
SELECT f.fp_fid, f.xmbh, c.control, NULL, 'total',
       COALESCE((SELECT pg_temp.ell_area(ST_Union(p.geom)) FROM ref_pieces p
                 WHERE p.fp_fid = f.fp_fid AND p.control = c.control), 0),
       c.cord, 2, 0
FROM ref_fp f CROSS JOIN (SELECT DISTINCT control, cord FROM ref_controls) c;

-- outside (require control udb) = footprint area - total overlap with udb
INSERT INTO ref_screen
SELECT t.fp_fid, t.footprint, 'udb', NULL, 'outside', fa.area_m2 - t.area_m2, 3, 3, 0
FROM ref_screen t
JOIN ref_screen fa ON fa.fp_fid = t.fp_fid AND fa.kind = 'footprint'
WHERE t.kind = 'total' AND t.control = 'udb';

-- cross-check only (not exported to the CSV): area of ST_Difference(fp, union(udb))
DROP TABLE IF EXISTS ref_outside_check;
CREATE TABLE ref_outside_check AS
SELECT f.xmbh,
       pg_temp.ell_area(ST_Difference(pg_temp.tr(f.geom, 4548),
                                      (SELECT ST_Union(geom) FROM udb))) AS outside_by_difference
FROM ref_fp f;

------------------------------------------------------------------------------ diff
-- old = eco (4527), new = eco_v2 (4490); the overlay is done in the OLD layer's SRID.
DROP TABLE IF EXISTS ref_diff;
CREATE TABLE ref_diff AS
WITH keys AS (
  SELECT NULL::text AS grp, 0 AS ord
  UNION ALL
  SELECT k, 1 FROM (SELECT hxlx AS k FROM eco UNION SELECT hxlx FROM eco_v2) s
),
u AS (
  SELECT k.grp, k.ord,
    (SELECT ST_Union(geom) FROM eco o
      WHERE k.grp IS NULL OR o.hxlx = k.grp)                         AS old_u,     -- 4527
    (SELECT ST_Union(geom) FROM eco_v2 n
      WHERE k.grp IS NULL OR n.hxlx = k.grp)                         AS new_u,     -- 4490
    (SELECT ST_Union(ST_Transform(geom, 4527)) FROM eco_v2 n
      WHERE k.grp IS NULL OR n.hxlx = k.grp)                         AS new_u_old  -- 4527
  FROM keys k
)
SELECT grp, ord,
  pg_temp.ell_area(old_u)                                                     AS old_m2,
  -- seg=1: redline reads NEW's edges as straight in the overlay (OLD's) CRS
  pg_temp.ell_area(CASE WHEN (SELECT seg FROM pg_temp.ref_opts) = 1
                        THEN new_u_old ELSE new_u END)                        AS new_m2,
  CASE WHEN old_u IS NULL THEN 0
       WHEN new_u_old IS NULL THEN pg_temp.ell_area(old_u)
       ELSE pg_temp.ell_area(ST_Difference(old_u, new_u_old)) END             AS lost_m2,
  CASE WHEN new_u_old IS NULL THEN 0
       WHEN old_u IS NULL THEN pg_temp.ell_area(new_u_old)
       ELSE pg_temp.ell_area(ST_Difference(new_u_old, old_u)) END             AS gained_m2,
  pg_temp.ell_area(CASE WHEN (SELECT seg FROM pg_temp.ref_opts) = 1
                        THEN new_u_old ELSE new_u END) - pg_temp.ell_area(old_u) AS net_m2,
  -- cross-check only: new union built in 4527 instead of 4490
  pg_temp.ell_area(new_u_old)                                                 AS new_m2_union_in_4527
FROM u;

------------------------------------------------------------------------------ area
-- eco.shp: union area, feature count, self-overlap (= area of the union of the
-- pairwise intersections), overall and per HXLX.  Overlay in 4527.
DROP TABLE IF EXISTS ref_area;
CREATE TABLE ref_area AS
WITH keys AS (
  SELECT NULL::text AS grp, 0 AS ord
  UNION ALL SELECT DISTINCT hxlx, 1 FROM eco
)
SELECT k.grp, k.ord,
  (SELECT count(*) FROM eco e WHERE k.grp IS NULL OR e.hxlx = k.grp)::int            AS features,
  (SELECT pg_temp.ell_area(ST_Union(geom)) FROM eco e
    WHERE k.grp IS NULL OR e.hxlx = k.grp)                                           AS area_m2,
  COALESCE((SELECT pg_temp.ell_area(ST_Union(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3)))
    FROM eco a JOIN eco b ON a.fid < b.fid AND ST_Intersects(a.geom, b.geom)
    WHERE k.grp IS NULL OR (a.hxlx = k.grp AND b.hxlx = k.grp)), 0)                  AS self_overlap_m2,
  (SELECT sum(pg_temp.ell_area(geom)) FROM eco e
    WHERE k.grp IS NULL OR e.hxlx = k.grp)                                           AS sum_m2
FROM keys k;
