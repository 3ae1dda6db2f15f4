#!/usr/bin/env python3
"""Generate the line and point sample layers in sample_shapes/linear/ (docs/linear.md).

    python3 sample_shapes/make_linear.py sample_shapes/linear/

Drawn in the local metric frame of make_samples.py (u, v metres; EPSG:4527 X = 39 515 000 + u,
Y = 4 415 000 + v) around the red-line polygons E1..E5 of eco.shp.  Output is byte-identical
run to run (DBF date pinned), and make_samples.py's own files are not touched.
See README.md in this folder, section "Line and point samples".
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_samples as ms  # noqa: E402  (re-execs /usr/bin/python3 without osgeo)
from make_samples import ogr  # noqa: E402

# road_4490.shp: centre lines in lon/lat, full width YDKD (用地宽度, m), use YDLX (用地类型)
ROADS_4490 = [
    ("L01", "省道S222改线工程", 40.0, "永久", [(-4000, 1600), (-2200, 1600), (-600, 3200)]),
    ("L02", "施工便道", 24.0, "临时", [(-500, -500), (1500, -500)]),   # clear of the red line
]
# road_gk.shp: centre lines in EPSG:4527, left / right widths ZYDK / YYDK (左/右用地宽度, m)
ROADS_GK = [
    ("G01", "东环路东延段", 15.0, 25.0, [(2800, 1000), (4200, 1300), (5200, 1800)]),  # U1 -> E4
    ("G02", "北环路", 10.0, 10.0, [(3000, 2600), (4000, 3000)]),
]
# powerline.shp (EPSG:4527) and its towers (塔基) every 500 m along it
POWERLINE = ("D01", "110kV蓟北输电线路", [(-1000, 3600), (200, 4600), (1400, 5400)])
# pipeline.shp (EPSG:4490): enters red line E5, leaves it southward, and crosses it again
PIPELINE = ("GX01", "大运河引水管线", [(-4000, -2000), (-2500, -2000), (-2500, -3000),
                                       (-2000, -3000), (-2000, -500)])


def line_geom(pts):
    g = ogr.Geometry(ogr.wkbLineString)
    for u, v in pts:
        g.AddPoint_2D(ms.X0 + u, ms.Y0 + v)
    return g


def new_layer(path, name, srs, gtype, fields):
    ms.remove_dataset(path)
    ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(path)
    lyr = ds.CreateLayer(name, srs, gtype,
                         options=["ENCODING=GBK", "DBF_DATE_LAST_UPDATE=" + ms.DBF_DATE])
    for fname, ftype, width in fields:
        fd = ogr.FieldDefn(fname, ftype)
        fd.SetWidth(width)
        if ftype == ogr.OFTReal:
            fd.SetPrecision(3)
        lyr.CreateField(fd)
    return ds, lyr


def towers():
    """Points every 500 m along the power line, from its first vertex."""
    pts, (s, seg) = [], (0.0, 0)
    p = POWERLINE[2]
    lens = [((p[i + 1][0] - p[i][0]) ** 2 + (p[i + 1][1] - p[i][1]) ** 2) ** 0.5
            for i in range(len(p) - 1)]
    at, k = 0.0, 0
    while True:
        while seg < len(lens) and at > s + lens[seg]:
            s += lens[seg]
            seg += 1
        if seg == len(lens):
            break
        t = (at - s) / lens[seg]
        pts.append((p[seg][0] + t * (p[seg + 1][0] - p[seg][0]),
                    p[seg][1] + t * (p[seg + 1][1] - p[seg][1])))
        k += 1
        at = 500.0 * k
    return pts


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "linear")
    os.makedirs(out, exist_ok=True)
    S = ogr.OFTString
    R = ogr.OFTReal

    path = os.path.join(out, "road_4490.shp")
    ds, lyr = new_layer(path, "road_4490", ms.SRS4490, ogr.wkbLineString,
                        [("XMBH", S, 10), ("XMMC", S, 60), ("YDKD", R, 10), ("YDLX", S, 10)])
    for bh, mc, w, lx, pts in ROADS_4490:
        ms.add(lyr, ms.to4490(line_geom(pts)), {"XMBH": bh, "XMMC": mc, "YDKD": w, "YDLX": lx})
    ds = None
    ms.fix_cpg(path)

    path = os.path.join(out, "road_gk.shp")
    ds, lyr = new_layer(path, "road_gk", ms.SRS4527, ogr.wkbLineString,
                        [("XMBH", S, 10), ("XMMC", S, 60), ("ZYDK", R, 10), ("YYDK", R, 10)])
    for bh, mc, zl, yl, pts in ROADS_GK:
        ms.add(lyr, line_geom(pts), {"XMBH": bh, "XMMC": mc, "ZYDK": zl, "YYDK": yl})
    ds = None
    ms.fix_cpg(path)

    path = os.path.join(out, "powerline.shp")
    ds, lyr = new_layer(path, "powerline", ms.SRS4527, ogr.wkbLineString,
                        [("XMBH", S, 10), ("XMMC", S, 60)])
    ms.add(lyr, line_geom(POWERLINE[2]), {"XMBH": POWERLINE[0], "XMMC": POWERLINE[1]})
    ds = None
    ms.fix_cpg(path)

    path = os.path.join(out, "towers.shp")
    ds, lyr = new_layer(path, "towers", ms.SRS4527, ogr.wkbPoint,
                        [("TJBH", S, 10), ("YDLX", S, 10), ("TJBC", R, 10)])
    for k, (u, v) in enumerate(towers()):
        g = ogr.Geometry(ogr.wkbPoint)
        g.AddPoint_2D(ms.X0 + u, ms.Y0 + v)
        # 塔基: permanent land (永久); the corner towers (first, last) are bigger
        side = 20.0 if k in (0, 6) else 15.0
        ms.add(lyr, g, {"TJBH": "T%02d" % (k + 1), "YDLX": "永久", "TJBC": side})
    ds = None
    ms.fix_cpg(path)

    path = os.path.join(out, "pipeline.shp")
    ds, lyr = new_layer(path, "pipeline", ms.SRS4490, ogr.wkbLineString,
                        [("XMBH", S, 10), ("XMMC", S, 60)])
    ms.add(lyr, ms.to4490(line_geom(PIPELINE[2])), {"XMBH": PIPELINE[0], "XMMC": PIPELINE[1]})
    ds = None
    ms.fix_cpg(path)


if __name__ == "__main__":
    main()
