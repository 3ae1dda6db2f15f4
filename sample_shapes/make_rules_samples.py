#!/usr/bin/env python3
"""Regenerate the sample data of the --rules examples (sample_shapes/rules/).

Usage:  python3 sample_shapes/make_rules_samples.py sample_shapes/rules/

A separate generator, so that the files of make_samples.py stay untouched.
Deterministic as make_samples.py is (pinned DBF date).  Every shape is an
axis-parallel rectangle in a local metric frame (u east, v north, metres),
placed in CGCS2000 / 3-degree GK zone 39 (EPSG:4527) as
    X = 39 520 000 + u,   Y = 4 425 000 + v
so that every planar area is a product of two side lengths: the tests take
their expected figures from these rectangles by hand.  The rules files
(*.yaml) beside the data are written by hand, not by this script.
"""
import os
import sys

try:
    from osgeo import ogr, osr, gdal
except ImportError:  # pragma: no cover - environment fallback
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

X0 = 39520000.0
Y0 = 4425000.0
DBF_DATE = "2024-01-01"

RESERVE = "潮白河湿地省级自然保护区"

# (u0, v0, u1, v1), attributes
STBHHX = [  # 生态保护红线 with the reserve's 功能分区
    ((0, 0, 1000, 1000), {"HXMC": "潮白河湿地生物多样性维护生态保护红线", "HXLX": "生物多样性维护",
                          "ZRBHDMC": RESERVE, "ZRBHDJB": "省级", "ZRBHDFQ": "核心保护区"}),
    ((1000, 0, 2000, 1000), {"HXMC": "潮白河湿地生物多样性维护生态保护红线", "HXLX": "生物多样性维护",
                             "ZRBHDMC": RESERVE, "ZRBHDJB": "省级", "ZRBHDFQ": "一般控制区"}),
    ((3000, 0, 4000, 1000), {"HXMC": "蓟北水源涵养生态保护红线", "HXLX": "水源涵养"}),
]
CZKFBJ = [  # 城镇开发边界 with its 规划分区
    ((0, 2000, 2000, 3000), {"GHFQMC": "城镇集中建设区", "MC": "三河市城镇开发边界"}),
    ((2000, 2000, 3000, 3000), {"GHFQMC": "城镇弹性发展区", "MC": "三河市城镇开发边界"}),
    ((3000, 2000, 4000, 3000), {"GHFQMC": "特别用途区", "MC": "三河市城镇开发边界"}),
]
YJJBNT = [  # 永久基本农田
    ((0, 4000, 1000, 5000), {"DLBM": "0101", "DLMC": "水田"}),
]
SXYD = [  # 三线一单 环境管控单元
    ((-500, -500, 1500, 5500), {"HJGKDYBM": "ZH13108210001", "HJGKDYMC": "三河市潮白河优先保护单元",
                                "HJGKDYLX": "优先保护单元"}),
    ((1500, -500, 2500, 5500), {"HJGKDYBM": "ZH13108220002", "HJGKDYMC": "三河市城区重点管控单元",
                                "HJGKDYLX": "重点管控单元"}),
    ((2500, -500, 4500, 5500), {"HJGKDYBM": "ZH13108230003", "HJGKDYMC": "三河市一般管控单元",
                                "HJGKDYLX": "一般管控单元"}),
]
XM = [  # footprints: 项目编号, 项目名称, 项目类型
    ((200, 200, 400, 400), ("P01", "住宅小区", "房地产开发")),          # core zone only
    ((1200, 200, 1400, 400), ("P02", "生态旅游服务站", "旅游设施")),     # general zone only
    ((900, 400, 1100, 500), ("P03", "物流园", "仓储物流")),             # across core and general
    ((500, -200, 520, 1200), ("P04", "跨河输水管线", "线性基础设施")),   # exempt, core zone
    ((3200, 200, 3400, 400), ("P05", "采砂场", "采矿")),                # red line without reserve
    ((1800, 2200, 2200, 2400), ("P06", "城区安置房", "房地产开发")),    # UDB 集中 + 弹性
    ((3800, 2400, 4200, 2600), ("P07", "产业园扩区", "工业")),          # 特别用途区 + outside
    ((400, 3800, 420, 5200), ("P08", "500千伏输变电线路", "输变电工程")), # farmland, exempt
    ((600, 4200, 800, 4400), ("P09", "农产品加工厂", "工业")),          # farmland, not exempt
    ((-100, 600, 2100, 620), ("P10", "乡村道路", "线性基础设施")),      # exempt, core + general
]


def srs4527():
    s = osr.SpatialReference()
    s.ImportFromEPSG(4527)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def rect(u0, v0, u1, v1):
    r = ogr.Geometry(ogr.wkbLinearRing)
    for u, v in ((u0, v0), (u0, v1), (u1, v1), (u1, v0), (u0, v0)):  # clockwise, as shapefiles hold
        r.AddPoint_2D(X0 + u, Y0 + v)
    p = ogr.Geometry(ogr.wkbPolygon)
    p.AddGeometry(r)
    return p


def write(out, name, fields, rows):
    path = os.path.join(out, name + ".shp")
    base = os.path.splitext(path)[0]
    for e in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        if os.path.exists(base + e):
            os.remove(base + e)
    ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(path)
    lyr = ds.CreateLayer(name, srs4527(), ogr.wkbPolygon,
                         options=["ENCODING=GBK", "DBF_DATE_LAST_UPDATE=" + DBF_DATE])
    for fname, width in fields:
        fd = ogr.FieldDefn(fname, ogr.OFTString)
        fd.SetWidth(width)
        lyr.CreateField(fd)
    for box, values in rows:
        f = ogr.Feature(lyr.GetLayerDefn())
        for k, v in values.items():
            f.SetField(k, v)
        f.SetGeometry(rect(*box))
        lyr.CreateFeature(f)
    ds = None
    with open(base + ".cpg", "w", newline="") as fh:
        fh.write("GBK")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "rules")
    os.makedirs(out, exist_ok=True)
    write(out, "stbhhx", [("HXMC", 100), ("HXLX", 40), ("ZRBHDMC", 100), ("ZRBHDJB", 20),
                          ("ZRBHDFQ", 20)], STBHHX)
    write(out, "czkfbj", [("GHFQMC", 40), ("MC", 100)], CZKFBJ)
    write(out, "yjjbnt", [("DLBM", 5), ("DLMC", 60)], YJJBNT)
    write(out, "sxyd", [("HJGKDYBM", 20), ("HJGKDYMC", 100), ("HJGKDYLX", 20)], SXYD)
    write(out, "xm", [("XMBH", 20), ("XMMC", 100), ("XMLX", 40)],
          [(box, {"XMBH": a, "XMMC": b, "XMLX": c}) for box, (a, b, c) in XM])


if __name__ == "__main__":
    main()
