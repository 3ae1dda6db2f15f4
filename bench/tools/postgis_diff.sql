-- PostGIS peer of `redline diff` (totals, no --by): old = eco (EPSG:4527), new = eco_v2
-- (EPSG:4490) as ogr2ogr loaded them; overlay in the OLD layer's SRID (as redline does);
-- areas ST_Area(ST_Transform(g, 4490)::geography).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT pg_backend_pid() AS backend_pid \gset
\setenv BENCH_BACKEND_PID :backend_pid
DROP TABLE IF EXISTS bench_diff;
CREATE UNLOGGED TABLE bench_diff AS
WITH u AS (SELECT (SELECT ST_Union(geom) FROM eco) AS o,
                  (SELECT ST_Transform(ST_Union(geom), 4527) FROM eco_v2) AS n)
SELECT ST_Area(ST_Transform(o, 4490)::geography) AS old_m2,
       ST_Area(ST_Transform(n, 4490)::geography) AS new_m2,
       ST_Area(ST_Transform(ST_Difference(o, n), 4490)::geography) AS lost_m2,
       ST_Area(ST_Transform(ST_Difference(n, o), 4490)::geography) AS gained_m2
FROM u;
\! grep VmHWM /proc/$BENCH_BACKEND_PID/status
