-- Independent reference figures for line and point footprints (docs/linear.md), PostGIS 3.3.
-- Loaded by make_linear_reference.sh: eco (EPSG:4527), udb (EPSG:4548) and the layers of
-- sample_shapes/linear/: road_4490 and pipeline (EPSG:4490), road_gk, powerline, towers
-- (EPSG:4527).  fid = shapefile FID (0-based).
-- Lon/lat lines are buffered in EPSG:4548 (CGCS2000 3-degree GK, CM 117E, x0 500 km: the
-- zone of these lines, on the same ellipsoid); EPSG:4527 lines in EPSG:4527 itself.
-- Every area is ST_Area(ST_Transform(g, 4490)::geography), every length
-- ST_Length(ST_Transform(g, 4490)::geography).
-- Options mirrored: road_4490 --line-width-field YDKD; road_gk --line-left-field ZYDK
-- --line-right-field YYDK; powerline --line-width 20; pipeline --line-width 10; towers
-- --point-size TJBC.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE OR REPLACE FUNCTION pg_temp.ell_area(g geometry) RETURNS float8 AS $$
  SELECT COALESCE(ST_Area(ST_Transform(ST_CollectionExtract(g, 3), 4490)::geography), 0)
$$ LANGUAGE sql IMMUTABLE;
CREATE OR REPLACE FUNCTION pg_temp.ell_len(g geometry) RETURNS float8 AS $$
  SELECT COALESCE(ST_Length(ST_Transform(ST_CollectionExtract(g, 2), 4490)::geography), 0)
$$ LANGUAGE sql IMMUTABLE;

DROP TABLE IF EXISTS fp;
CREATE TABLE fp AS
SELECT 'road_4490'::text AS layer, xmbh AS id, geom AS line,
       ST_Transform(ST_Buffer(ST_Transform(geom, 4548), ydkd / 2,
                              'endcap=flat join=mitre mitre_limit=5'), 4490) AS corr
FROM road_4490
UNION ALL
SELECT 'road_gk', xmbh, geom,
       CASE WHEN zydk = yydk
            THEN ST_Buffer(geom, zydk, 'endcap=flat join=mitre mitre_limit=5')
            ELSE ST_Union(ST_Buffer(geom, zydk, 'side=left endcap=flat join=mitre mitre_limit=5'),
                          ST_Buffer(geom, yydk, 'side=right endcap=flat join=mitre mitre_limit=5'))
       END
FROM road_gk
UNION ALL
SELECT 'powerline', xmbh, geom, ST_Buffer(geom, 10, 'endcap=flat join=mitre mitre_limit=5')
FROM powerline
UNION ALL
SELECT 'pipeline', xmbh, geom,
       ST_Transform(ST_Buffer(ST_Transform(geom, 4548), 5,
                              'endcap=flat join=mitre mitre_limit=5'), 4490)
FROM pipeline
UNION ALL
SELECT 'towers', tjbh, NULL::geometry, ST_Expand(geom, tjbc / 2)
FROM towers;

DROP TABLE IF EXISTS ctl;
CREATE TABLE ctl AS
SELECT 'eco'::text AS control, ST_Union(geom) AS geom FROM eco
UNION ALL SELECT 'udb', ST_Union(geom) FROM udb;

DROP TABLE IF EXISTS ref_linear;
CREATE TABLE ref_linear (ord int, layer text, id text, control text, kind text, value float8);

-- the footprint: corridor (or square) area, centre-line length
INSERT INTO ref_linear
SELECT 1, layer, id, '', 'area_m2', pg_temp.ell_area(corr) FROM fp
UNION ALL
SELECT 1, layer, id, '', 'length_m', pg_temp.ell_len(line) FROM fp WHERE line IS NOT NULL;

-- per control (the union of its features): overlap, centre line inside, distance
INSERT INTO ref_linear
SELECT 2, f.layer, f.id, c.control, 'overlap_m2',
       pg_temp.ell_area(ST_Intersection(ST_Transform(f.corr, ST_SRID(c.geom)), c.geom))
FROM fp f, ctl c
UNION ALL
SELECT 2, f.layer, f.id, c.control, 'inside_m',
       pg_temp.ell_len(ST_Intersection(ST_Transform(f.line, ST_SRID(c.geom)), c.geom))
FROM fp f, ctl c WHERE f.line IS NOT NULL
UNION ALL
SELECT 2, f.layer, f.id, c.control, 'distance_m',
       ST_Distance(ST_Transform(f.corr, 4490)::geography, ST_Transform(c.geom, 4490)::geography)
FROM fp f, ctl c;

-- --rings 100,500: control area within that distance of the footprint, the footprint
-- buffered (round, quad_segs=8) in EPSG:4548, the GK zone of every sample footprint
INSERT INTO ref_linear
SELECT 2, f.layer, f.id, c.control, 'within_' || d || '_m2',
       pg_temp.ell_area(ST_Intersection(
           ST_Transform(ST_Buffer(ST_Transform(f.corr, 4548), d, 'quad_segs=8'), ST_SRID(c.geom)),
           c.geom))
FROM fp f, ctl c, (VALUES (100), (500)) AS r(d);

-- crossings: each piece of the centre line inside a control, its chainage from the line's
-- first vertex: the geodesic length of the line up to the piece's end, the line cut with
-- ST_LineLocatePoint + ST_LineSubstring in the control's metric CRS (where the piece lies
-- exactly on it), that sub-line measured on geography
INSERT INTO ref_linear
WITH pieces AS (
  SELECT f.layer, f.id, c.control, ST_Transform(f.line, ST_SRID(c.geom)) AS lc,
         (ST_Dump(ST_LineMerge(ST_CollectionExtract(
             ST_Intersection(ST_Transform(f.line, ST_SRID(c.geom)), c.geom), 2)))).geom AS p
  FROM fp f, ctl c WHERE f.line IS NOT NULL
), ch AS (
  SELECT layer, id, control,
         pg_temp.ell_len(ST_LineSubstring(lc, 0, ST_LineLocatePoint(lc, ST_StartPoint(p)))) AS a,
         pg_temp.ell_len(ST_LineSubstring(lc, 0, ST_LineLocatePoint(lc, ST_EndPoint(p)))) AS b
  FROM pieces
), n AS (
  SELECT layer, id, control, least(a, b) AS from_m, greatest(a, b) AS to_m,
         row_number() OVER (PARTITION BY layer, id, control ORDER BY least(a, b)) AS k
  FROM ch
)
SELECT 3, layer, id, control, 'crossing' || k || '_from_m', from_m FROM n
UNION ALL
SELECT 3, layer, id, control, 'crossing' || k || '_to_m', to_m FROM n;
