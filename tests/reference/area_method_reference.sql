-- Independent figures for --area ellipsoidal (issue 17): coarse footprints cut by
-- two adjacent controls that cover them, measured by PostGIS geography of the
-- geometry segmentized in its own CRS (edges straight in that CRS: 1e-4 degree
-- steps in lon/lat, 1 m steps in Gauss-Krueger), and by plain geography (edges
-- read as geodesics, --area geodesic).  Run by make_area_method_reference.sh.
DROP TABLE IF EXISTS am_shape;
CREATE TABLE am_shape (ord int, name text, role text, srid int, geom geometry);
INSERT INTO am_shape VALUES
 -- a 1 deg x 0.9 deg and a 0.5 deg x 0.45 deg rectangle at 30N in EPSG:4490
 (1, 'rect1', 'footprint', 4490, 'SRID=4490;POLYGON((116 30,117 30,117 30.9,116 30.9,116 30))'),
 (2, 'rect05', 'footprint', 4490, 'SRID=4490;POLYGON((116 30,116.5 30,116.5 30.45,116 30.45,116 30))'),
 -- a 60 km x 50 km rectangle in the 117E zone-prefixed Gauss-Krueger plane
 (3, 'gk', 'footprint', 4527,
  'SRID=4527;POLYGON((39520000 4400000,39580000 4400000,39580000 4450000,39520000 4450000,39520000 4400000))');
INSERT INTO am_shape VALUES
 (1, 'll', 'control_a', 4490, 'SRID=4490;POLYGON((115 29,116.3 29,116.8 32,115 32,115 29))'),
 (1, 'll', 'control_b', 4490, 'SRID=4490;POLYGON((116.3 29,118 29,118 32,116.8 32,116.3 29))'),
 (3, 'gk', 'control_a', 4527,
  'SRID=4527;POLYGON((39500000 4390000,39540000 4390000,39560000 4460000,39500000 4460000,39500000 4390000))'),
 (3, 'gk', 'control_b', 4527,
  'SRID=4527;POLYGON((39540000 4390000,39600000 4390000,39600000 4460000,39560000 4460000,39540000 4390000))');

-- footprints and their pieces (cut in the footprint's own CRS)
DROP TABLE IF EXISTS am_meas;
CREATE TABLE am_meas AS
SELECT f.ord, f.name, 'footprint'::text AS role, f.srid, f.geom FROM am_shape f WHERE f.role = 'footprint'
UNION ALL
SELECT f.ord, f.name, 'piece_' || substr(c.role, 9), f.srid, ST_Intersection(f.geom, c.geom)
FROM am_shape f JOIN am_shape c ON c.role LIKE 'control_%' AND c.srid = f.srid
WHERE f.role = 'footprint';

SELECT ord, name, role, srid, ST_AsText(geom) AS wkt,
       ST_Area(ST_Transform(ST_Segmentize(geom, CASE WHEN srid = 4490 THEN 1e-4 ELSE 1.0 END),
                            4490)::geography) AS ellipsoidal_m2,
       ST_Area(ST_Transform(geom, 4490)::geography) AS geodesic_m2
FROM (SELECT * FROM am_meas UNION ALL SELECT * FROM am_shape WHERE role LIKE 'control_%') t
ORDER BY ord, name, role;
