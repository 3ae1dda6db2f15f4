-- Independent transition matrices (转移矩阵) for `redline diff --by`, computed with PostGIS 3.3.
-- Run by make_transitions_reference.sh after loading:
--   eco       EPSG:4527  sample_shapes/eco.shp          (OLD)     field hxlx
--   eco_v2    EPSG:4490  sample_shapes/eco_v2.gpkg      (NEW)     field hxlx
--   dltb      EPSG:4527  sample_shapes/dltb.shp         (OLD)     field dlbm
--   dltb_2024 EPSG:4527  sample_shapes/dltb_2024.geojson (NEW)    field dlbm
--   eco_v3    EPSG:4490  sample_shapes/eco_v3.geojson   (NEW of eco_v2, case eco3: E3 changes
--                                                         type and shape together)
-- Cases: eco (--by HXLX), dltb (--by DLBM), dltb1 (--by DLBM --by-level 1: first two
-- characters), eco3 (eco_v2 -> eco_v3 by HXLX, overlay in EPSG:4490 lon/lat).  The overlay
-- runs in OLD's SRID (NEW transformed); areas are ellipsoidal
-- (CGCS2000): ST_Area(ST_Transform(g, 4490)::geography).
-- Definition (docs/diff.md "Transitions"): per version and value v, U(v) = union of the
-- features with value v; the partition P(v) = U(v) - union of U(w) for every w before v in
-- byte order (COLLATE "C"), so an area that features of several values cover counts once,
-- for the value first in byte order.  Cell (a, b) = area(Pold(a) ∩ Pnew(b)); (a, none) =
-- area(Pold(a) - union(NEW)); (none, b) = area(Pnew(b) - union(OLD)).
\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- psql -v seg=1 (issue 17): segmentize in the geometry's own SRID (1e-5 degree or
-- 1 m steps) before the transform, so edges are straight in that CRS, as redline's
-- default --area ellipsoidal reads them; seg=0: geodesic edges (--area geodesic).
\if :{?seg}
\else
\set seg 0
\endif
DROP TABLE IF EXISTS pg_temp.ref_opts;
CREATE TEMP TABLE ref_opts AS SELECT :seg::int AS seg;
CREATE OR REPLACE FUNCTION pg_temp.ell(g geometry) RETURNS float8 AS $$
  SELECT COALESCE(ST_Area(ST_Transform(
           CASE WHEN (SELECT seg FROM pg_temp.ref_opts) = 1
                THEN ST_Segmentize(ST_CollectionExtract(g, 3),
                                   CASE WHEN ST_SRID(g) = 4490 THEN 1e-5 ELSE 1.0 END)
                ELSE ST_CollectionExtract(g, 3) END, 4490)::geography), 0)
$$ LANGUAGE sql STABLE;

DROP TABLE IF EXISTS t_old, t_new, u_old, u_new, p_old, p_new, a_old, a_new, ref_trans;
CREATE TABLE t_old AS
  SELECT 'eco'::text AS c, COALESCE(hxlx, '') AS v, geom FROM eco
  UNION ALL SELECT 'dltb', COALESCE(dlbm, ''), geom FROM dltb
  UNION ALL SELECT 'dltb1', left(COALESCE(dlbm, ''), 2), geom FROM dltb
  UNION ALL SELECT 'eco3', COALESCE(hxlx, ''), geom FROM eco_v2;
CREATE TABLE t_new AS
  SELECT 'eco'::text AS c, COALESCE(hxlx, '') AS v, ST_Transform(geom, 4527) AS geom FROM eco_v2
  UNION ALL SELECT 'dltb', COALESCE(dlbm, ''), geom FROM dltb_2024
  UNION ALL SELECT 'dltb1', left(COALESCE(dlbm, ''), 2), geom FROM dltb_2024
  UNION ALL SELECT 'eco3', COALESCE(hxlx, ''), geom FROM eco_v3;
CREATE TABLE u_old AS SELECT c, v, ST_Union(geom) AS g FROM t_old GROUP BY c, v;
CREATE TABLE u_new AS SELECT c, v, ST_Union(geom) AS g FROM t_new GROUP BY c, v;
CREATE TABLE p_old AS
  SELECT a.c, a.v, COALESCE(ST_Difference(a.g, (SELECT ST_Union(b.g) FROM u_old b
           WHERE b.c = a.c AND b.v COLLATE "C" < a.v COLLATE "C")), a.g) AS g FROM u_old a;
CREATE TABLE p_new AS
  SELECT a.c, a.v, COALESCE(ST_Difference(a.g, (SELECT ST_Union(b.g) FROM u_new b
           WHERE b.c = a.c AND b.v COLLATE "C" < a.v COLLATE "C")), a.g) AS g FROM u_new a;
CREATE TABLE a_old AS SELECT c, ST_Union(geom) AS g FROM t_old GROUP BY c;
CREATE TABLE a_new AS SELECT c, ST_Union(geom) AS g FROM t_new GROUP BY c;

CREATE TABLE ref_trans AS
SELECT * FROM (
  SELECT o.c, o.v AS from_v, n.v AS to_v, pg_temp.ell(ST_Intersection(o.g, n.g)) AS area_m2
    FROM p_old o JOIN p_new n ON o.c = n.c AND ST_Intersects(o.g, n.g)
  UNION ALL
  SELECT o.c, o.v, '(none)', pg_temp.ell(ST_Difference(o.g, a.g))
    FROM p_old o JOIN a_new a USING (c)
  UNION ALL
  SELECT n.c, '(none)', n.v, pg_temp.ell(ST_Difference(n.g, a.g))
    FROM p_new n JOIN a_old a USING (c)
) s WHERE area_m2 > 1e-4;
