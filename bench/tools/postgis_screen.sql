-- PostGIS peer of `redline screen`, run by bench/run.sh on tables that ogr2ogr loaded
-- (GiST index on every geom, ANALYZEd): fp (footprints, id field xmbh), eco, farmland, udb,
-- each in its own SRID.  Per footprint and control: the geodesic area of
-- footprint ∩ union(control features), overlay done in the control's SRID (as redline does),
-- area = ST_Area(ST_Transform(g, 4490)::geography).  ST_Union(ST_Intersection(f, c)) is
-- the faster of the two usual spellings (NOTES.md: 24 s against 36 s for
-- ST_Intersection(f, ST_Union(c)) at ten times county size).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT pg_backend_pid() AS backend_pid \gset
\setenv BENCH_BACKEND_PID :backend_pid
DROP TABLE IF EXISTS bench_result;
CREATE UNLOGGED TABLE bench_result AS
WITH f AS (SELECT fid, xmbh, geom FROM fp)
SELECT f.xmbh AS id, 'eco'::text AS control,
       ST_Area(ST_Transform(ST_Union(ST_Intersection(ST_Transform(f.geom, 4527), c.geom)), 4490)::geography) AS overlap_m2
  FROM f JOIN eco c ON ST_Intersects(ST_Transform(f.geom, 4527), c.geom)
 GROUP BY f.fid, f.xmbh
UNION ALL
SELECT f.xmbh, 'farmland',
       ST_Area(ST_Transform(ST_Union(ST_Intersection(ST_Transform(f.geom, 4490), c.geom)), 4490)::geography)
  FROM f JOIN farmland c ON ST_Intersects(ST_Transform(f.geom, 4490), c.geom)
 GROUP BY f.fid, f.xmbh
UNION ALL
SELECT f.xmbh, 'udb',
       ST_Area(ST_Transform(ST_Union(ST_Intersection(ST_Transform(f.geom, 4548), c.geom)), 4490)::geography)
  FROM f JOIN udb c ON ST_Intersects(ST_Transform(f.geom, 4548), c.geom)
 GROUP BY f.fid, f.xmbh;
-- peak resident memory of this backend (parallel workers, if any, are not counted)
\! grep VmHWM /proc/$BENCH_BACKEND_PID/status
