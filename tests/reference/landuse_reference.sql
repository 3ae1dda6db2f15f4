-- Independent land-use (地类) pieces for redline's `screen --landuse`, computed with
-- PostGIS 3.3 (GEOS 3.11).  Run by make_landuse_reference.sh after loading:
--   dltb      EPSG:4527  (sample_shapes/dltb.shp,     fid = shapefile FID, 0-based)
--   projects  EPSG:4527  (sample_shapes/projects.shp, fid 0-based)
-- Every area is ellipsoidal (CGCS2000): ST_Area(ST_Transform(g, 4490)::geography), and,
-- for the hand-worked check, planar in EPSG:4527: ST_Area(g).
-- Results: ref_lu_fp (one row per footprint) and ref_lu_pieces (one row per footprint x
-- parcel with an assigned piece of area > 0).  landuse_reference.py aggregates them.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE OR REPLACE FUNCTION pg_temp.ell_area(g geometry) RETURNS float8 AS $$
  SELECT COALESCE(ST_Area(ST_Transform(ST_CollectionExtract(g, 3), 4490)::geography), 0)
$$ LANGUAGE sql IMMUTABLE;
CREATE OR REPLACE FUNCTION pg_temp.pl_area(g geometry) RETURNS float8 AS $$
  SELECT COALESCE(ST_Area(ST_CollectionExtract(g, 3)), 0)
$$ LANGUAGE sql IMMUTABLE;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM dltb WHERE NOT ST_IsValid(geom)) THEN
    RAISE EXCEPTION 'dltb has invalid geometry';
  END IF;
END $$;

-- Footprints repaired as for screening (GEOS MakeValid, polygonal part).
DROP TABLE IF EXISTS ref_lu_fpg;
CREATE TABLE ref_lu_fpg AS
SELECT fid AS fp_fid, xmbh, ST_CollectionExtract(ST_MakeValid(geom), 3) AS geom FROM projects;
-- The run total (summary) is the breakdown of the union of the footprints, so land that two
-- footprints share counts once: one more footprint, ALL, through the same steps.
INSERT INTO ref_lu_fpg
SELECT -1, 'ALL', ST_CollectionExtract(ST_Union(geom), 3) FROM ref_lu_fpg;

-- Raw pieces: footprint n parcel, every parcel that meets the footprint.
DROP TABLE IF EXISTS ref_lu_raw;
CREATE TABLE ref_lu_raw AS
SELECT f.fp_fid, d.fid AS parcel_fid,
       ST_CollectionExtract(ST_Intersection(f.geom, d.geom), 3) AS geom
FROM ref_lu_fpg f JOIN dltb d ON ST_Intersects(f.geom, d.geom);

-- Assigned pieces: where parcels overlap, the area goes to the parcel with the LOWEST
-- FID only, so nothing is counted twice: piece(p) - union(raw pieces of lower FIDs).
DROP TABLE IF EXISTS ref_lu_assigned;
CREATE TABLE ref_lu_assigned AS
SELECT r.fp_fid, r.parcel_fid,
       COALESCE(ST_CollectionExtract(ST_Difference(r.geom,
                 (SELECT ST_Union(q.geom) FROM ref_lu_raw q
                   WHERE q.fp_fid = r.fp_fid AND q.parcel_fid < r.parcel_fid
                     AND ST_Intersects(q.geom, r.geom))), 3), r.geom) AS geom
FROM ref_lu_raw r;

DROP TABLE IF EXISTS ref_lu_pieces;
CREATE TABLE ref_lu_pieces AS
SELECT a.fp_fid, f.xmbh AS footprint, a.parcel_fid,
       pg_temp.ell_area(a.geom) AS piece_m2,
       pg_temp.pl_area(a.geom) AS piece_planar_m2,
       pg_temp.ell_area(d.geom) AS parcel_m2,
       pg_temp.pl_area(d.geom) AS parcel_planar_m2,
       d.dlbm, d.dlmc, d.qsxz, d.zldwdm, d.zldwmc, d.kcdlbm, d.kcxs, d.kcmj, d.tbmj, d.tbdlmj
FROM ref_lu_assigned a JOIN ref_lu_fpg f USING (fp_fid) JOIN dltb d ON d.fid = a.parcel_fid
WHERE pg_temp.ell_area(a.geom) > 0;

-- Per footprint: area, covered (= area of the union of the raw pieces), double-covered
-- (= area of the union of the pairwise intersections of raw pieces), uncovered
-- (= area(footprint - union(dltb)), an independent route to area - covered).
DROP TABLE IF EXISTS ref_lu_fp;
CREATE TABLE ref_lu_fp AS
SELECT f.fp_fid, f.xmbh AS footprint,
  pg_temp.ell_area(f.geom) AS area_m2,
  COALESCE((SELECT pg_temp.ell_area(ST_Union(r.geom)) FROM ref_lu_raw r
             WHERE r.fp_fid = f.fp_fid), 0) AS covered_m2,
  COALESCE((SELECT pg_temp.ell_area(ST_Union(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3)))
              FROM ref_lu_raw a JOIN ref_lu_raw b
                ON a.fp_fid = b.fp_fid AND a.parcel_fid < b.parcel_fid AND ST_Intersects(a.geom, b.geom)
             WHERE a.fp_fid = f.fp_fid), 0) AS double_m2,
  CASE WHEN EXISTS (SELECT 1 FROM dltb d WHERE ST_Intersects(d.geom, f.geom))
       THEN pg_temp.ell_area(ST_Difference(f.geom,
              (SELECT ST_Union(d.geom) FROM dltb d WHERE ST_Intersects(d.geom, f.geom))))
       ELSE pg_temp.ell_area(f.geom) END AS uncovered_m2,
  pg_temp.pl_area(f.geom) AS area_planar_m2
FROM ref_lu_fpg f;
