#!/usr/bin/env python3
"""Cross-check the PostGIS reference CSVs with other engines.

  /usr/bin/python3 tests/reference/crosscheck.py        (from the repository root)

Needs python3-gdal, libsqlite3-mod-spatialite and python3-pyproj (Debian packages).
1. eco_v2.gpkg: every vertex of a retained boundary is bit-identical to OGR's
   4527 -> 4490 transform of the corresponding eco.shp vertex.
2. Overlays recomputed with SpatiaLite (GDAL's SQLite dialect, ST_Transform /
   ST_Intersection / ST_Union / ST_MakeValid), areas measured two ways:
     - SpatiaLite's own ST_Area(g, 1) (librttopo's spheroid routine);
     - GeographicLib (pyproj.Geod on the CGCS2000 = GRS80 ellipsoid) on the same geometry.
   and compared with the PostGIS figures in screen_sample.csv / area_sample.csv /
   diff_sample.csv (the diff rows: OGR/GEOS overlay, GeographicLib area).
Prints a table; exits 1 if a GeographicLib figure differs from PostGIS by more than
1e-6 relative + 0.01 m2.
"""
import csv
import os
import sys

try:
    from osgeo import ogr, osr, gdal
except ImportError:  # pragma: no cover
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise
import pyproj

gdal.UseExceptions()
HERE = os.path.dirname(os.path.abspath(__file__))
S = os.path.normpath(os.path.join(HERE, "..", "..", "sample_shapes"))
GEOD = pyproj.Geod(a=6378137.0, f=1 / 298.257222101)   # CGCS2000 ellipsoid


def srs(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def geodesic_area(wkt, src_epsg):
    """GeographicLib area of a (multi)polygon given as hex WKB in src_epsg."""
    if wkt is None:
        return 0.0
    g = ogr.CreateGeometryFromWkb(bytes.fromhex(wkt))
    if src_epsg != 4490:
        g.Transform(osr.CoordinateTransformation(srs(src_epsg), srs(4490)))
    total = 0.0
    polys = [g] if g.GetGeometryType() in (ogr.wkbPolygon, ogr.wkbPolygon25D) else \
        [g.GetGeometryRef(i) for i in range(g.GetGeometryCount())]
    for p in polys:
        if p.GetGeometryType() not in (ogr.wkbPolygon, ogr.wkbPolygon25D):
            continue
        for k in range(p.GetGeometryCount()):
            r = p.GetGeometryRef(k)
            pts = r.GetPoints()[:-1]
            a, _ = GEOD.polygon_area_perimeter([x for x, y in pts], [y for x, y in pts])
            total += abs(a) if k == 0 else -abs(a)
    return total


def check_vertices():
    ct = osr.CoordinateTransformation(srs(4527), srs(4490))
    old = set()
    ds = ogr.Open(os.path.join(S, "eco.shp"))
    for f in ds.GetLayer(0):
        g = f.GetGeometryRef().Clone()
        g.Transform(ct)
        old.update(g.GetGeometryRef(0).GetPoints())
    ds = ogr.Open(os.path.join(S, "eco_v2.gpkg"))
    ok = True
    for f in ds.GetLayer("eco_v2"):
        pts = f.GetGeometryRef().GetGeometryRef(0).GetPoints()
        hit = sum(p in old for p in pts)
        new = f.GetField("HXMC").startswith("潮白河新增")
        print("  eco_v2 fid %d: %2d/%2d vertices bit-identical to reprojected eco.shp%s"
              % (f.GetFID(), hit, len(pts), " (new polygon)" if new else ""))
        ok &= new or hit == len(pts)
    return ok


def sqlite_rows(sql):
    ds = gdal.OpenEx(S, gdal.OF_VECTOR)     # the folder: every shapefile is a layer
    lyr = ds.ExecuteSQL(sql, dialect="SQLite")
    rows = [[f.GetField(i) for i in range(f.GetFieldCount())] for f in lyr]
    ds.ReleaseResultSet(lyr)
    return rows


def main():
    screen = {(r["footprint"], r["control"], r["control_fid"], r["kind"]): float(r["area_m2"])
              for r in csv.DictReader(open(os.path.join(HERE, "screen_sample.csv"), encoding="utf-8"))}
    area = {r["group"]: r for r in csv.DictReader(open(os.path.join(HERE, "area_sample.csv"), encoding="utf-8"))}

    print("1. eco_v2 vertex identity")
    ok = check_vertices()

    print("2. SpatiaLite overlays vs PostGIS (m2)")
    print("  %-34s %18s %18s %12s %18s %12s" % ("figure", "PostGIS", "GeographicLib", "diff", "SpatiaLite(,1)", "diff"))
    checks = []
    # footprint areas (repaired), in their own SRID 4527
    for xmbh, wkt, sl in sqlite_rows(
            "SELECT XMBH, Hex(ST_AsBinary(ST_Transform(CastToMultiPolygon(ST_MakeValid(GEOMETRY)), 4490))), "
            "ST_Area(ST_Transform(ST_MakeValid(GEOMETRY), 4490), 1) FROM projects"):
        checks.append(("%s footprint" % xmbh, screen[(xmbh, "", "", "footprint")], geodesic_area(wkt, 4490), sl))
    # farmland hits: footprint transformed into farmland's SRID 4490, intersected there
    for xmbh, fid, wkt, sl in sqlite_rows(
            "SELECT p.XMBH, f.ROWID, Hex(ST_AsBinary(i)), ST_Area(i, 1) FROM ("
            " SELECT p.XMBH AS XMBH, f.ROWID AS fr, ST_Intersection(ST_Transform(ST_MakeValid(p.GEOMETRY), 4490), f.GEOMETRY) AS i"
            " FROM projects p, farmland f WHERE ST_Intersects(ST_Transform(ST_MakeValid(p.GEOMETRY), 4490), f.GEOMETRY)) q"
            " JOIN projects p ON p.XMBH = q.XMBH JOIN farmland f ON f.ROWID = q.fr WHERE ST_Area(i) > 0"):
        pg = screen.get((xmbh, "farmland", str(fid), "hit"))
        if pg is not None:
            checks.append(("%s farmland fid %d" % (xmbh, fid), pg, geodesic_area(wkt, 4490), sl))
    # eco hits in 4527 (P10 is the 0.5 m2 sliver, P09 the double-counted pair)
    for xmbh, fid, wkt, sl in sqlite_rows(
            "SELECT p.XMBH, e.ROWID, Hex(ST_AsBinary(ST_Intersection(ST_MakeValid(p.GEOMETRY), e.GEOMETRY))), "
            "ST_Area(ST_Transform(ST_Intersection(ST_MakeValid(p.GEOMETRY), e.GEOMETRY), 4490), 1) "
            "FROM projects p, eco e WHERE ST_Intersects(ST_MakeValid(p.GEOMETRY), e.GEOMETRY)"):
        pg = screen.get((xmbh, "eco", str(fid), "hit"))
        if pg is not None:
            checks.append(("%s eco fid %d" % (xmbh, fid), pg, geodesic_area(wkt, 4527), sl))
    # udb totals in 4548
    for xmbh, wkt, sl in sqlite_rows(
            "SELECT p.XMBH, Hex(ST_AsBinary(ST_Intersection(ST_Transform(ST_MakeValid(p.GEOMETRY), 4548), u.g))), "
            "ST_Area(ST_Transform(ST_Intersection(ST_Transform(ST_MakeValid(p.GEOMETRY), 4548), u.g), 4490), 1) "
            "FROM projects p, (SELECT ST_Union(GEOMETRY) AS g FROM udb) u"):
        if wkt:
            checks.append(("%s udb total" % xmbh, screen[(xmbh, "udb", "", "total")], geodesic_area(wkt, 4548), sl))
    # eco union / self overlap
    (wkt, sl), = sqlite_rows("SELECT Hex(ST_AsBinary(ST_Union(GEOMETRY))), ST_Area(ST_Transform(ST_Union(GEOMETRY), 4490), 1) FROM eco")
    checks.append(("eco union (area)", float(area[""]["area_m2"]), geodesic_area(wkt, 4527), sl))
    (wkt, sl), = sqlite_rows("SELECT Hex(ST_AsBinary(ST_Intersection(a.GEOMETRY, b.GEOMETRY))), "
                             "ST_Area(ST_Transform(ST_Intersection(a.GEOMETRY, b.GEOMETRY), 4490), 1) "
                             "FROM eco a, eco b WHERE a.ROWID = 0 AND b.ROWID = 1")
    checks.append(("eco self-overlap (E1nE2)", float(area[""]["self_overlap_m2"]), geodesic_area(wkt, 4527), sl))

    # diff (overall): OGR/GEOS overlay in 4527 (new transformed into it), GeographicLib areas
    diff = {r["group"]: r for r in csv.DictReader(open(os.path.join(HERE, "diff_sample.csv"), encoding="utf-8"))}
    ct = osr.CoordinateTransformation(srs(4490), srs(4527))

    def union_of(path, layer, transform):
        ds = ogr.Open(path)
        u = None
        for f in ds.GetLayer(layer):
            g = f.GetGeometryRef().Clone()
            if transform:
                g.Transform(ct)
            u = g if u is None else u.Union(g)
        return u
    old_u = union_of(os.path.join(S, "eco.shp"), 0, False)
    new_u = union_of(os.path.join(S, "eco_v2.gpkg"), "eco_v2", True)
    for name, geom, col in (("diff lost (overall)", old_u.Difference(new_u), "lost_m2"),
                            ("diff gained (overall)", new_u.Difference(old_u), "gained_m2")):
        checks.append((name, float(diff[""][col]), geodesic_area(geom.ExportToWkb().hex(), 4527), None))

    worst_gl = worst_sl = 0.0
    for name, pg, gl, sl in checks:
        d1 = gl - pg
        worst_gl = max(worst_gl, abs(d1) / max(pg, 1.0))
        bad = abs(d1) > 1e-6 * pg + 0.01
        ok &= not bad
        if sl is None:
            slt = "%18s %12s" % ("-", "-")
        else:
            sl = float(sl)
            worst_sl = max(worst_sl, abs(sl - pg) / max(pg, 1.0))
            slt = "%18.6f %12.6f" % (sl, sl - pg)
        print("  %-34s %18.6f %18.6f %12.6f %s%s" % (name, pg, gl, d1, slt, "  <-- MISMATCH" if bad else ""))
    print("  worst relative difference: GeographicLib %.2e, SpatiaLite ST_Area(,1) %.2e" % (worst_gl, worst_sl))
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
