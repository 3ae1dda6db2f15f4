#!/usr/bin/python3
"""The many-holes case of issue 12: one footprint with N square holes and a control like it.

    /usr/bin/python3 bench/gen_holes.py N OUTDIR [--crs 4527|4490]

Writes into OUTDIR:

  footprint.shp      one square footprint (项目用地范围), id field XMBH = "H<N>", with N
                     square holes on a grid (row by row from the south-west corner)
  control.shp        a control layer (eco red line) whose one feature is the same polygon
  control_shift.shp  the same polygon shifted 1 m east
  parcels.shp        N square parcels, each exactly one hole: a footprint drawn to avoid
                     farmland (避让永久基本农田) touches every parcel and overlaps none
  parcels_shift.shp  those parcels shifted 1 m east: each overlaps the footprint by 1 x 4 m

Geometry, in metres of CGCS2000 / 3-degree Gauss-Kruger zone 39 (EPSG:4527):
the grid has k = ceil(sqrt(N)) cells of 10 m a side; the square is k * 10 + 10 m a side,
its south-west corner at (39 500 000, 3 300 000); the hole in cell (i, j) is the 4 m square
whose south-west corner is 3 m + 10 m * (i, j) from the square's corner.  Every coordinate is
an integer, so the planar area is exactly side^2 - 16 N m2.  Printed too: the planar area
of footprint ∩ control_shift, (side - 1) * side - 20 N m2 (the squares overlap over all but
a 1 m strip; in each cell a hole and its copy 1 m east overlap over 3 m x 4 m, so their
union is 16 + 16 - 12 m2, and stays inside the cell); with the parcels, 0; with the
shifted parcels, 4 N m2 (the 1 m strip of each that left its hole).  With --crs 4490 the same points are written
in CGCS2000 longitude/latitude (transformed by OGR), and the planar figures do not apply.

Needs only python3-gdal.  The last line printed is JSON: n, side, planar areas.
"""
import argparse
import json
import math
import os

from osgeo import ogr, osr

ogr.UseExceptions()

X0, Y0, CELL, HOLE, OFF = 39_500_000, 3_300_000, 10, 4, 3


def square(x, y, s, ccw):
    pts = [(x, y), (x + s, y), (x + s, y + s), (x, y + s)]
    if not ccw:
        pts.reverse()
    r = ogr.Geometry(ogr.wkbLinearRing)
    for p in pts + pts[:1]:
        r.AddPoint_2D(float(p[0]), float(p[1]))
    return r


def polygon(n, dx):
    k = max(1, math.ceil(math.sqrt(n)))
    side = k * CELL + CELL
    g = ogr.Geometry(ogr.wkbPolygon)
    g.AddGeometry(square(X0 + dx, Y0, side, True))
    for h in range(n):
        i, j = h % k, h // k
        g.AddGeometry(square(X0 + dx + OFF + CELL * i, Y0 + OFF + CELL * j, HOLE, False))
    return g, side


def parcels(n, dx):
    k = max(1, math.ceil(math.sqrt(n)))
    out = []
    for h in range(n):
        i, j = h % k, h // k
        g = ogr.Geometry(ogr.wkbPolygon)
        g.AddGeometry(square(X0 + dx + OFF + CELL * i, Y0 + OFF + CELL * j, HOLE, True))
        out.append(g)
    return out


def write(path, srs, gs, names, fid_name, transform):
    drv = ogr.GetDriverByName("ESRI Shapefile")
    if os.path.exists(path):
        drv.DeleteDataSource(path)
    ds = drv.CreateDataSource(path)
    lyr = ds.CreateLayer(os.path.splitext(os.path.basename(path))[0], srs, ogr.wkbPolygon,
                         ["ENCODING=UTF-8"])
    lyr.CreateField(ogr.FieldDefn(fid_name, ogr.OFTString))
    lyr.StartTransaction()
    for g, name in zip(gs, names):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField(fid_name, name)
        g = g.Clone()
        if transform:
            g.Transform(transform)
        f.SetGeometry(g)
        lyr.CreateFeature(f)
    lyr.CommitTransaction()
    ds = None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="number of holes")
    ap.add_argument("outdir")
    ap.add_argument("--crs", type=int, default=4527, choices=(4527, 4490))
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    src = osr.SpatialReference()
    src.ImportFromEPSG(4527)
    dst = osr.SpatialReference()
    dst.ImportFromEPSG(a.crs)
    for s in (src, dst):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    tr = None if a.crs == 4527 else osr.CoordinateTransformation(src, dst)
    g, side = polygon(a.n, 0)
    gs, _ = polygon(a.n, 1)
    write(os.path.join(a.outdir, "footprint.shp"), dst, [g], ["H%d" % a.n], "XMBH", tr)
    write(os.path.join(a.outdir, "control.shp"), dst, [g], ["C%d" % a.n], "HXBH", tr)
    write(os.path.join(a.outdir, "control_shift.shp"), dst, [gs], ["S%d" % a.n], "HXBH", tr)
    names = ["P%d" % i for i in range(a.n)]
    write(os.path.join(a.outdir, "parcels.shp"), dst, parcels(a.n, 0), names, "DLBM", tr)
    write(os.path.join(a.outdir, "parcels_shift.shp"), dst, parcels(a.n, 1), names, "DLBM", tr)
    holes = HOLE * HOLE * a.n
    print(json.dumps({"n": a.n, "side_m": side, "crs": "EPSG:%d" % a.crs,
                      "planar_area_m2": side * side - holes,
                      "planar_shift_overlap_m2": (side - 1) * side - 20 * a.n,
                      "planar_parcels_overlap_m2": 0, "planar_parcels_shift_overlap_m2": 4 * a.n}))


if __name__ == "__main__":
    main()
