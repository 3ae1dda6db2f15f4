#!/usr/bin/python3
"""The next survey year of bench/gen_dltb.py's county DLTB, for benchmarking the transition
matrix (转移矩阵) of `redline diff --by DLBM`.

    /usr/bin/python3 bench/gen_dltb_year2.py OUTDIR [--seed N]

Reads OUTDIR/dltb.shp and writes OUTDIR/dltb_2024.shp (same CRS, fields and encoding): every
parcel copied in the same order, except that 2 % are re-coded without moving (a random other
class), 0.5 % are split in two along their cell's vertical mid-line with the west half re-coded
0601 工业用地 (耕地 -> 建设用地 and the like), and 0.1 % are deleted.  Most parcels are unchanged, as
from one 年度变更调查 to the next.  Deterministic: numpy PCG64 seeded from --seed.  A line is
appended to OUTDIR/MANIFEST.txt.
"""
import argparse
import os

import numpy as np
from osgeo import ogr, osr  # noqa: F401

ogr.UseExceptions()

CODES = [("0101", "水田"), ("0102", "水浇地"), ("0103", "旱地"), ("0201", "果园"),
         ("0301", "乔木林地"), ("0404", "其他草地"), ("0601", "工业用地"), ("0702", "农村宅基地"),
         ("1003", "公路用地"), ("1104", "坑塘水面")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=20241130)
    a = ap.parse_args()
    rng = np.random.Generator(np.random.PCG64(a.seed))
    src = ogr.Open(os.path.join(a.outdir, "dltb.shp"))
    L = src.GetLayer(0)
    out_path = os.path.join(a.outdir, "dltb_2024.shp")
    drv = ogr.GetDriverByName("ESRI Shapefile")
    if os.path.exists(out_path):
        drv.DeleteDataSource(out_path)
    ds = drv.CreateDataSource(out_path)
    O = ds.CreateLayer("dltb_2024", L.GetSpatialRef(), ogr.wkbPolygon, ["ENCODING=GBK"])
    defn = L.GetLayerDefn()
    for i in range(defn.GetFieldCount()):
        O.CreateField(defn.GetFieldDefn(i))
    n = L.GetFeatureCount()
    u = rng.random(n)
    recode = rng.integers(0, len(CODES), n)
    counts = {"copied": 0, "recoded": 0, "split": 0, "deleted": 0}
    for i, f in enumerate(L):
        if u[i] < 0.001:
            counts["deleted"] += 1
            continue
        g = f.GetGeometryRef().Clone()
        if u[i] < 0.006:
            x0, x1, y0, y1 = g.GetEnvelope()
            mid = (x0 + x1) / 2
            for k, (lo, hi) in enumerate(((x0 - 1, mid), (mid, x1 + 1))):
                box = ogr.CreateGeometryFromWkt("POLYGON((%r %r,%r %r,%r %r,%r %r,%r %r))" % (
                    lo, y0 - 1, hi, y0 - 1, hi, y1 + 1, lo, y1 + 1, lo, y0 - 1))
                part = g.Intersection(box)
                nf = ogr.Feature(O.GetLayerDefn())
                nf.SetFrom(f)
                if k == 0:
                    nf.SetField("DLBM", "0601")
                    nf.SetField("DLMC", "工业用地")
                    nf.SetField("KCXS", 0.0)
                nf.SetGeometry(part)
                O.CreateFeature(nf)
            counts["split"] += 1
            continue
        nf = ogr.Feature(O.GetLayerDefn())
        nf.SetFrom(f)
        if u[i] < 0.026:
            code, name = CODES[recode[i]]
            if code == f.GetField("DLBM"):
                code, name = CODES[(recode[i] + 1) % len(CODES)]
            nf.SetField("DLBM", code)
            nf.SetField("DLMC", name)
            counts["recoded"] += 1
        else:
            counts["copied"] += 1
        nf.SetGeometry(g)
        O.CreateFeature(nf)
    ds = None
    with open(os.path.join(a.outdir, "MANIFEST.txt"), "a") as fh:
        fh.write("dltb_2024.shp    EPSG:4527 Shapefile GBK  %7d polygons  (next year of dltb.shp: "
                 "%d re-coded, %d split with the west half 0601, %d deleted, %d unchanged)\n"
                 % (counts["copied"] + counts["recoded"] + 2 * counts["split"], counts["recoded"],
                    counts["split"], counts["deleted"], counts["copied"]))
    print(counts)


if __name__ == "__main__":
    main()
