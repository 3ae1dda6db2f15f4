#!/usr/bin/env python3
"""Cross-check the PostGIS land-use pieces with OGR/GEOS overlays and GeographicLib areas.

  /usr/bin/python3 tests/reference/landuse_crosscheck.py      (from the repository root)

Needs python3-gdal and python3-pyproj.  Recomputes, without PostGIS and without redline,
every row of landuse_pieces.csv (footprint n parcel, minus the parcels of lower FID) and of
landuse_fp.csv (covered, double-covered, uncovered), measures them with pyproj.Geod on the
CGCS2000 ellipsoid, and compares.  Exits 1 when a figure differs by more than
1e-7 relative + 0.01 m2, or when a piece is missing on either side.
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
GEOD = pyproj.Geod(a=6378137.0, f=1 / 298.257222101)   # CGCS2000 ellipsoid (GRS80)


def srs(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


CT = osr.CoordinateTransformation(srs(4527), srs(4490))


def polygons(g):
    if g is None or g.IsEmpty():
        return []
    t = ogr.GT_Flatten(g.GetGeometryType())
    if t == ogr.wkbPolygon:
        return [g]
    if t in (ogr.wkbMultiPolygon, ogr.wkbGeometryCollection):
        out = []
        for i in range(g.GetGeometryCount()):
            out += polygons(g.GetGeometryRef(i))
        return out
    return []


def area(g):
    """GeographicLib area (m2) of the polygonal part of g (EPSG:4527)."""
    total = 0.0
    for p in polygons(g):
        p = p.Clone()
        p.Transform(CT)
        for k in range(p.GetGeometryCount()):
            pts = p.GetGeometryRef(k).GetPoints()[:-1]
            a, _ = GEOD.polygon_area_perimeter([x for x, y in pts], [y for x, y in pts])
            total += abs(a) if k == 0 else -abs(a)
    return total


def read(name):
    with open(os.path.join(HERE, name), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def main():
    dltb = ogr.Open(os.path.join(S, "dltb.shp"))
    parcels = [(f.GetFID(), f.GetGeometryRef().Clone()) for f in dltb.GetLayer(0)]
    proj = ogr.Open(os.path.join(S, "projects.shp"))
    ref_pieces = {(r["footprint"], int(r["parcel_fid"])): float(r["piece_m2"])
                  for r in read("landuse_pieces.csv")}
    ref_fp = {r["footprint"]: r for r in read("landuse_fp.csv")}
    bad = 0
    seen = set()

    def cmp(what, mine, theirs):
        nonlocal bad
        ok = abs(mine - theirs) <= 1e-7 * abs(theirs) + 0.01
        bad += not ok
        print("%-28s %18.6f %18.6f %12.6f %s" % (what, theirs, mine, mine - theirs, "" if ok else "DIFFERS"))

    print("%-28s %18s %18s %12s" % ("figure", "PostGIS", "OGR+GeographicLib", "difference"))
    for f in proj.GetLayer(0):
        fp = f.GetField("XMBH")
        g = f.GetGeometryRef().MakeValid()
        raw = [(fid, g.Intersection(p)) for fid, p in parcels if g.Intersects(p)]
        raw = [(fid, r) for fid, r in raw if polygons(r)]
        union = None
        dbl = None
        for fid, r in raw:                 # ascending FID
            piece = r if union is None else r.Difference(union)
            if union is not None:
                o = r.Intersection(union)
                if polygons(o):
                    dbl = o if dbl is None else dbl.Union(o)
            union = r if union is None else union.Union(r)
            a = area(piece)
            if a > 0:
                seen.add((fp, fid))
                if (fp, fid) not in ref_pieces:
                    print("%s parcel %d: piece %.6f m2 not in landuse_pieces.csv" % (fp, fid, a))
                    bad += 1
                else:
                    cmp("%s piece of parcel %d" % (fp, fid), a, ref_pieces[(fp, fid)])
        r = ref_fp[fp]
        cmp(fp + " area", area(g), float(r["area_m2"]))
        cmp(fp + " covered", area(union), float(r["covered_m2"]))
        cmp(fp + " double", area(dbl), float(r["double_m2"]))
        cmp(fp + " uncovered", area(g.Difference(union)) if union else area(g), float(r["uncovered_m2"]))
    missing = set(ref_pieces) - seen
    for k in sorted(missing):
        print("%s parcel %d: in landuse_pieces.csv, not found here" % k)
    bad += len(missing)
    print("%d figures differ" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
