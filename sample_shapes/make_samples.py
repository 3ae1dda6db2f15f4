#!/usr/bin/env python3
"""Regenerate redline's sample control layers and footprints.

Usage:  python3 sample_shapes/make_samples.py sample_shapes/

Deterministic: running it twice gives byte-identical files (the DBF "last update"
date and the GeoPackage timestamps are pinned).  Needs only python3 + GDAL's
Python bindings (Debian: python3-gdal).  If the `python3` first on PATH lacks
`osgeo` (e.g. a pyenv interpreter) the script re-executes itself with
/usr/bin/python3.

All geometry is designed in a local metric frame (u east, v north, metres) that is
mapped onto CGCS2000 / 3-degree Gauss-Krueger zone 39 (EPSG:4527):
    X = 39 515 000 + u,   Y = 4 415 000 + v
i.e. about 117.13-117.25 E, 39.85-39.92 N (Sanhe / Dachang / Xianghe, Langfang).
Layers stored in other CRSs are derived from those EPSG:4527 coordinates:
  * EPSG:4490 (lon/lat): OGR CoordinateTransformation 4527 -> 4490 (GIS axis order);
  * EPSG:4548 (CM 117E, x0 = 500 000): X - 39 000 000, which is exactly the same
    projection with a different false easting (the script checks that OGR agrees
    to < 1e-6 m).
See README.md in this folder for what every feature is for.
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

X0 = 39515000.0
Y0 = 4415000.0
DBF_DATE = "2024-01-01"          # pinned DBF header date -> reproducible bytes
GPKG_DATE = "2024-01-01T00:00:00Z"

# ---------------------------------------------------------------- geometry design
# Everything in local (u, v) metres.  Rings are listed counter-clockwise and open
# (the closing vertex is added when building OGR geometries).

# Urban development boundary.  U1's edge A->B is shared exactly with red-line E4.
A = (3300.0, 300.0)
B = (3560.0, 2300.0)
U1 = [(0, 0), (1200, -150), (2400, -80), A, B, (3400, 2800), (2600, 3100),
      (1500, 3000), (600, 3200), (-200, 2700), (-400, 1800), (-250, 900)]
U2 = [(4800, 3400), (5500, 3250), (6000, 3600), (5900, 4200), (5300, 4400), (4850, 4000)]

# Ecological red line (E1 and E2 overlap substantially; E4 abuts U1 along A-B).
E1 = [(-3200, 900), (-2600, 550), (-1900, 600), (-1400, 1000), (-1350, 1700),
      (-1600, 2200), (-2300, 2300), (-2900, 2000), (-3300, 1500)]
E2 = [(-2500, 1200), (-1900, 1050), (-1100, 1150), (-700, 1700), (-800, 2400),
      (-1300, 2750), (-2000, 2700), (-2550, 2200)]
E3 = [(-1500, 4300), (-900, 3950), (-100, 4000), (600, 4350), (800, 5000),
      (300, 5500), (-500, 5600), (-1200, 5250), (-1600, 4800)]
E4 = [A, (3900, 100), (4600, 500), (4800, 1400), (4500, 2200), (3900, 2600), B]
E5 = [(-3500, -1800), (-3100, -2400), (-2400, -2550), (-1800, -2100), (-1700, -1400),
      (-2200, -950), (-2900, -1000), (-3400, -1300)]
# eco_v2 only: a new polygon
E6 = [(-1095, -2960), (-835, -3030), (-670, -2865), (-705, -2640), (-930, -2570),
      (-1130, -2735)]

ECO = [
    # (ring, HXMC, HXLX, XZQDM)
    (E1, "潮白河水源涵养生态保护红线", "水源涵养", "131082"),
    (E2, "潮白河湿地生物多样性维护生态保护红线", "生物多样性维护", "131082"),
    (E3, "蓟北低山丘陵水土保持生态保护红线", "水土保持", "131082"),
    (E4, "鲍丘河水源涵养生态保护红线", "水源涵养", "131028"),
    (E5, "大运河湿地生物多样性维护生态保护红线", "生物多样性维护", "131024"),
]

# Permanent basic farmland: a block of parcels on a grid rotated by 10 degrees
# (s along the rows, t across), 20 m field roads between parcels, plus two loose parcels.
import math
_TH = math.radians(10.0)
_FO = (300.0, -2800.0)


def _st(s, t):
    return (_FO[0] + s * math.cos(_TH) - t * math.sin(_TH),
            _FO[1] + s * math.sin(_TH) + t * math.cos(_TH))


def _parcel(pts):
    return [_st(s, t) for s, t in pts]


F0 = _parcel([(0, 0), (320, 0), (600, 15), (600, 500), (250, 500), (0, 470)])
F1 = _parcel([(620, 15), (1200, 0), (1200, 480), (900, 500), (620, 500)])
F2 = _parcel([(1220, 0), (1800, 0), (1800, 260), (1760, 500), (1220, 480)])
F3 = _parcel([(0, 490), (250, 520), (600, 520), (600, 1000), (0, 1000)])
F4 = _parcel([(620, 520), (900, 520), (1200, 500), (1200, 1000), (620, 1000)])
F5 = _parcel([(1220, 500), (1760, 520), (1800, 700), (1800, 1000), (1220, 1000)])
F6 = [(4300, -2700), (4850, -2750), (4950, -2400), (4600, -2250), (4250, -2350)]
F7 = [(4950, -1600), (5450, -1680), (5520, -1320), (5050, -1250), (4900, -1420)]
FARMLAND = [
    # (ring, DLBM, DLMC, XZQDM)
    (F0, "0101", "水田", "131082"),
    (F1, "0103", "旱地", "131082"),
    (F2, "0102", "水浇地", "131082"),
    (F3, "0103", "旱地", "131082"),
    (F4, "0101", "水田", "131082"),
    (F5, "0102", "水浇地", "131082"),
    (F6, "0103", "旱地", "131028"),
    (F7, "0102", "水浇地", "131028"),
]

UDB = [
    (U1, "三河市中心城区城镇开发边界"),
    (U2, "大厂回族自治县城镇开发边界"),
]

# P10: a sliver.  Its east edge is the sub-segment t in [0.5, 0.5 + 250/|AB|] of the
# shared edge A-B shifted W = 2 mm to the east (outward from U1, into E4), so
# P10 n E4 = P10 - U1 = a 250 m x 2 mm parallelogram = 0.5 m2.
W = 0.002
_L = math.hypot(B[0] - A[0], B[1] - A[1])
_d = ((B[0] - A[0]) / _L, (B[1] - A[1]) / _L)        # along A->B
_n = (_d[1], -_d[0])                                  # right of A->B = east = into E4


def _ab(t, off_n=0.0, off_d=0.0):
    return (A[0] + t * (B[0] - A[0]) + off_n * _n[0] + off_d * _d[0],
            A[1] + t * (B[1] - A[1]) + off_n * _n[1] + off_d * _d[1])


_t1 = 0.5
_t2 = 0.5 + 250.0 / _L
P10 = [_ab(_t1, W), _ab(_t2, W), _ab(_t2, -120.0, 20.0), _ab((_t1 + _t2) / 2, -180.0),
       _ab(_t1, -110.0, -15.0)]

PROJECTS = [
    # (XMBH, XMMC, list of polygons; polygon = [outer, hole, ...])
    ("P01", "潮白河畔生态旅游服务中心",
     [[[(-3000, 1200), (-2750, 1050), (-2600, 1300), (-2700, 1600), (-2950, 1550)]]]),
    ("P02", "蓟北山地风电场升压站",
     [[[(-600, 3800), (-300, 3820), (-250, 4150), (-500, 4200), (-650, 4050)]]]),
    ("P03", "燕郊物流园二期仓储区",
     [[[_st(450, 150), _st(800, 120), _st(830, 380), _st(640, 430), _st(470, 400)]]]),
    ("P04", "大厂经济开发区南环路工程",
     [[[(5600, 3200), (5900, 3150), (6100, 3450), (5850, 3600), (5650, 3500)]]]),
    ("P05", "城区第二中学改扩建工程",
     [[[(1300, 1300), (1750, 1250), (1850, 1600), (1600, 1850), (1350, 1700)]]]),
    # bowtie: edges 1 and 3 cross -> invalid; left lobe mostly inside E3
    ("P06", "山地光伏电站（自相交图形）",
     [[[(480, 4620), (1010, 4930), (1030, 4610), (470, 4910)]]]),
    ("P07", "污水处理厂及配套泵站",
     [[[_st(1000, 700), _st(1300, 650), _st(1340, 900), _st(1050, 950)]],
      [[(2200, 400), (2600, 350), (2650, 700), (2300, 750)]]]),
    ("P08", "环形物流集散中心（含内部绿地）",
     [[[(4500, -1900), (5300, -2050), (5600, -1500), (5350, -1100), (4650, -1150), (4400, -1500)],
       [(4800, -1700), (5150, -1750), (5250, -1450), (4900, -1350)]]]),
    ("P09", "潮白河引水管线泵房及施工营地",
     [[[(-2150, 1750), (-1750, 1800), (-1650, 1300), (-1700, 350), (-2050, 300), (-2200, 1000)]]]),
    ("P10", "城东变电站围墙（贴边界）", [[P10]]),
]


# ---------------------------------------------------------------- land-use parcels (DLTB)
# A small 三调 地类图斑 layer (DLTB) for `screen --landuse`, in EPSG:4527 like projects.shp.
# Three blocks, each tiled wall to wall except where noted:
#   block B  三河市 燕郊镇, two villages: the rotated farmland grid (s, t) under P03 and
#            P07's part A: cultivated parcels with 田坎 deduction (KCXS), 20 m village
#            roads (1006), ditches (1107), a 3 m 田坎 parcel (1203), a pond (1104) that
#            fills a hole of a 旱地 parcel, and 设施农用地 (1202);
#   block C  大厂回族自治县 大厂镇, one village, under P08: woodland (国有), a river
#            (国有) that OVERLAPS the woodland by a 10 m strip, 内陆滩涂 (1106, a 湿地
#            class), 其他草地 (0404), 果园, 宅基地, and a 旱地 parcel with a hole that no
#            parcel fills (the GAP);
#   block D  大厂回族自治县 夏垫镇, one village, under P04: four axis-aligned rectangles, so
#            that P04's breakdown can be worked by hand (tests/reference/landuse_hand.py).
# Town and village codes and names are made up; the county codes are the real ones.
# TBMJ is the survey's figure: the planar area times a per-parcel factor within +-0.05 %,
# as 平差 to the control area makes it in real deliveries, so that the attribute method
# gives figures visibly different from the geometric one.  KCMJ = TBMJ * KCXS and
# TBDLMJ = TBMJ - KCMJ, each to 0.01 m2.
def _rect_st(s0, s1, t0, t1):
    return _parcel([(s0, t0), (s1, t0), (s1, t1), (s0, t1)])


def _rect(u0, u1, v0, v1):
    return [(u0, v0), (u1, v0), (u1, v1), (u0, v1)]


V201 = ("131082100201", "东柳河屯村")
V202 = ("131082100202", "西柳河屯村")
V203 = ("131028100203", "祁各庄村")
V204 = ("131028101204", "夏垫村")
DLTB = [
    # (rings, DLBM, DLMC, QSXZ, (village code, name), KCXS)
    # block B (rows t 0-500 and 520-1000, a road t 500-520; columns split by roads/ditches)
    ([_rect_st(0, 600, 0, 500)], "0101", "水田", "30", V201, 0.0130),
    ([_rect_st(600, 620, 0, 500)], "1006", "农村道路", "30", V201, 0.0),
    ([_rect_st(620, 1200, 0, 240)], "0103", "旱地", "30", V202, 0.0215),
    ([_rect_st(620, 1200, 240, 243)], "1203", "田坎", "30", V202, 0.0),
    ([_rect_st(620, 1200, 243, 500)], "0103", "旱地", "31", V202, 0.0215),
    ([_rect_st(1200, 1220, 0, 500)], "1107", "沟渠", "32", V202, 0.0),
    ([_rect_st(1220, 1800, 0, 500)], "0102", "水浇地", "30", V202, 0.0),
    ([_rect_st(0, 620, 500, 520)], "1006", "农村道路", "30", V201, 0.0),
    ([_rect_st(620, 1800, 500, 520)], "1006", "农村道路", "30", V202, 0.0),
    ([_rect_st(0, 600, 520, 1000)], "1202", "设施农用地", "30", V201, 0.0),
    ([_rect_st(600, 620, 520, 1000)], "1006", "农村道路", "30", V201, 0.0),
    ([_rect_st(620, 1200, 520, 1000)], "0101", "水田", "30", V202, 0.0130),
    ([_rect_st(1200, 1220, 520, 1000)], "1107", "沟渠", "32", V202, 0.0),
    ([_rect_st(1220, 1800, 520, 1000), _rect_st(1250, 1320, 700, 800)[::-1]],
     "0103", "旱地", "40", V202, 0.0215),
    ([_rect_st(1250, 1320, 700, 800)], "1104", "坑塘水面", "30", V202, 0.0),
    # block C
    ([_rect(4350, 4700, -2100, -1500)], "0102", "水浇地", "30", V203, 0.0400),
    ([_rect(4350, 4700, -1500, -1250)], "0201", "果园", "30", V203, 0.0),
    ([_rect(4350, 4700, -1250, -1050)], "0702", "农村宅基地", "30", V203, 0.0),
    ([_rect(4700, 5000, -2100, -1050)], "0301", "乔木林地", "20", V203, 0.0),
    ([_rect(4990, 5060, -2100, -1050)], "1101", "河流水面", "10", V203, 0.0),   # overlaps the 0301 parcel by 10 m
    ([_rect(5060, 5090, -2100, -1050)], "1106", "内陆滩涂", "10", V203, 0.0),
    ([_rect(5090, 5650, -2100, -1600)], "0404", "其他草地", "30", V203, 0.0),
    ([_rect(5090, 5650, -1600, -1050), _rect(5380, 5500, -1400, -1250)[::-1]],
     "0103", "旱地", "30", V203, 0.0396),                                          # its hole is the gap
    # block D (hand-worked: P04)
    ([_rect(5550, 5800, 3100, 3650)], "0103", "旱地", "30", V204, 0.0396),
    ([_rect(5800, 5830, 3100, 3650)], "1003", "公路用地", "20", V204, 0.0),
    ([_rect(5830, 6150, 3100, 3400)], "0201K", "可调整果园", "30", V204, 0.0),
    ([_rect(5830, 6150, 3400, 3650)], "0601", "工业用地", "20", V204, 0.0),
]


def _ring_area(pts):
    a = 0.0
    for i in range(len(pts)):
        x1, y1 = pts[i]
        x2, y2 = pts[(i + 1) % len(pts)]
        a += x1 * y2 - x2 * y1
    return a / 2.0


def dltb_rows():
    """The DLTB attribute rows, in FID order: a list of (rings, dict of fields)."""
    rows = []
    for i, (rings, bm, mc, qs, (dm, dmc), kcxs) in enumerate(DLTB):
        planar = abs(_ring_area(rings[0])) - sum(abs(_ring_area(h)) for h in rings[1:])
        factor = 1.0 + (((i * 37) % 11) - 5) * 1e-4        # the survey's 平差: within +-0.05 %
        tbmj = round(planar * factor, 2)
        kcmj = round(tbmj * kcxs, 2)
        rows.append((rings, {
            "BSM": "%d" % (131000000 + i + 1), "TBBH": "%d" % (i + 1),
            "DLBM": bm, "DLMC": mc, "QSXZ": qs,
            "ZLDWDM": dm + "0000000", "ZLDWMC": dmc,
            "KCDLBM": "1203" if kcxs > 0 else "", "KCXS": kcxs, "KCMJ": kcmj,
            "TBMJ": tbmj, "TBDLMJ": round(tbmj - kcmj, 2)}))
    return rows


DLTB_FIELDS = [("BSM", ogr.OFTString, 18, 0), ("TBBH", ogr.OFTString, 8, 0),
               ("DLBM", ogr.OFTString, 5, 0), ("DLMC", ogr.OFTString, 60, 0),
               ("QSXZ", ogr.OFTString, 2, 0), ("ZLDWDM", ogr.OFTString, 19, 0),
               ("ZLDWMC", ogr.OFTString, 60, 0), ("KCDLBM", ogr.OFTString, 5, 0),
               ("KCXS", ogr.OFTReal, 6, 4), ("KCMJ", ogr.OFTReal, 15, 2),
               ("TBMJ", ogr.OFTReal, 15, 2), ("TBDLMJ", ogr.OFTReal, 15, 2)]


# ---------------------------------------------------------------- helpers
def srs(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


SRS4527, SRS4490, SRS4548 = srs(4527), srs(4490), srs(4548)
CT_4527_4490 = osr.CoordinateTransformation(SRS4527, SRS4490)
CT_4527_4548 = osr.CoordinateTransformation(SRS4527, SRS4548)


def ring_geom(pts, dx=X0, dy=Y0):
    r = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in list(pts) + [pts[0]]:
        r.AddPoint_2D(float(x) + dx, float(y) + dy)
    return r


def poly_geom(rings, dx=X0, dy=Y0):
    p = ogr.Geometry(ogr.wkbPolygon)
    for r in rings:
        p.AddGeometry(ring_geom(r, dx, dy))
    return p


def local_to_4527(parts):
    """parts: list of polygons (list of rings).  Polygon or MultiPolygon in EPSG:4527."""
    if len(parts) == 1:
        return poly_geom(parts[0])
    m = ogr.Geometry(ogr.wkbMultiPolygon)
    for p in parts:
        m.AddGeometry(poly_geom(p))
    return m


def to4490(g):
    g = g.Clone()
    g.Transform(CT_4527_4490)
    return g


def remove_dataset(path):
    base, ext = os.path.splitext(path)
    exts = [".shp", ".shx", ".dbf", ".prj", ".cpg", ".qpj", ".sbn", ".sbx"] if ext == ".shp" else [ext]
    for e in exts:
        if os.path.exists(base + e):
            os.remove(base + e)


def new_shapefile(path, name, s, fields):
    remove_dataset(path)
    ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(path)
    lyr = ds.CreateLayer(name, s, ogr.wkbPolygon,
                         options=["ENCODING=GBK", "DBF_DATE_LAST_UPDATE=" + DBF_DATE])
    for fname, width in fields:
        fd = ogr.FieldDefn(fname, ogr.OFTString)
        fd.SetWidth(width)
        lyr.CreateField(fd)
    return ds, lyr


def add(lyr, geom, values):
    f = ogr.Feature(lyr.GetLayerDefn())
    for k, v in values.items():
        f.SetField(k, v)
    f.SetGeometry(geom)
    lyr.CreateFeature(f)


def fix_cpg(path):
    # GDAL writes the ENCODING value verbatim into the .cpg; make sure it says GBK.
    with open(os.path.splitext(path)[0] + ".cpg", "w", newline="") as fh:
        fh.write("GBK")


# ---------------------------------------------------------------- writers
def write_eco(out):
    path = os.path.join(out, "eco.shp")
    ds, lyr = new_shapefile(path, "eco", SRS4527, [("HXMC", 100), ("HXLX", 40), ("XZQDM", 6)])
    for ring, mc, lx, dm in ECO:
        add(lyr, poly_geom([ring]), {"HXMC": mc, "HXLX": lx, "XZQDM": dm})
    ds = None
    fix_cpg(path)


def write_farmland(out):
    path = os.path.join(out, "farmland.shp")
    ds, lyr = new_shapefile(path, "farmland", SRS4490, [("DLBM", 4), ("DLMC", 20), ("XZQDM", 6)])
    for ring, bm, mc, dm in FARMLAND:
        add(lyr, to4490(poly_geom([ring])), {"DLBM": bm, "DLMC": mc, "XZQDM": dm})
    ds = None
    fix_cpg(path)


def write_udb(out):
    path = os.path.join(out, "udb.shp")
    ds, lyr = new_shapefile(path, "udb", SRS4548, [("MC", 60)])
    for ring, mc in UDB:
        g = poly_geom([ring], dx=X0 - 39000000.0)
        # sanity: identical (to < 1 um) to OGR's 4527 -> 4548 transformation
        h = poly_geom([ring])
        h.Transform(CT_4527_4548)
        for i in range(g.GetGeometryRef(0).GetPointCount()):
            a = g.GetGeometryRef(0).GetPoint_2D(i)
            b = h.GetGeometryRef(0).GetPoint_2D(i)
            assert abs(a[0] - b[0]) < 1e-6 and abs(a[1] - b[1]) < 1e-6, (a, b)
        add(lyr, g, {"MC": mc})
    ds = None
    fix_cpg(path)


def write_projects(out):
    path = os.path.join(out, "projects.shp")
    ds, lyr = new_shapefile(path, "projects", SRS4527, [("XMBH", 10), ("XMMC", 80)])
    for bh, mc, parts in PROJECTS:
        add(lyr, local_to_4527(parts), {"XMBH": bh, "XMMC": mc})
    ds = None
    fix_cpg(path)


def write_projects_geojson(out):
    path = os.path.join(out, "projects_4490.geojson")
    remove_dataset(path)
    ds = ogr.GetDriverByName("GeoJSON").CreateDataSource(path)
    lyr = ds.CreateLayer("projects_4490", SRS4490, ogr.wkbPolygon, options=["RFC7946=NO"])
    for fname in ("XMBH", "XMMC"):
        lyr.CreateField(ogr.FieldDefn(fname, ogr.OFTString))
    for bh, mc, parts in PROJECTS:
        if bh in ("P01", "P03", "P05"):
            add(lyr, to4490(local_to_4527(parts)), {"XMBH": bh, "XMMC": mc})
    ds = None


def write_eco_v2(out):
    """Second version of the red line, EPSG:4490, for `redline diff`.

    Changes relative to eco.shp:
      E3 shrunk: vertex (800,5000) dropped, i.e. cut along the chord between two
         existing vertices (600,4350)-(300,5500); the rest of its boundary unchanged.
      E4 reclassified: HXLX 水源涵养 -> 生物多样性维护 (geometry unchanged).
      E5 split into two features along the chord between its existing vertices
         1 and 5; outer boundary unchanged.
      E6 added (水源涵养).
      Feature order shuffled.
    Every retained vertex is the OGR 4527->4490 transform of the old vertex.
    """
    path = os.path.join(out, "eco_v2.gpkg")
    remove_dataset(path)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer("eco_v2", SRS4490, ogr.wkbPolygon, options=["FID=fid", "GEOMETRY_NAME=geom"])
    for fname, width in (("HXMC", 100), ("HXLX", 40), ("XZQDM", 6)):
        fd = ogr.FieldDefn(fname, ogr.OFTString)
        fd.SetWidth(width)
        lyr.CreateField(fd)

    def ll_ring(ring):
        g = to4490(poly_geom([ring]))       # transform the whole old polygon with OGR
        r = g.GetGeometryRef(0)
        return [r.GetPoint_2D(i) for i in range(r.GetPointCount() - 1)]

    def ll_poly(pts):
        return poly_geom([pts], dx=0.0, dy=0.0)

    e1, e2, e3, e4, e5 = (ll_ring(r) for r, *_ in ECO)
    e3_shrunk = [p for i, p in enumerate(e3) if i != 4]          # drop (800, 5000)
    e5a = [e5[i] for i in (1, 2, 3, 4, 5)]
    e5b = [e5[i] for i in (5, 6, 7, 0, 1)]
    e6 = to4490(poly_geom([E6]))

    attrs = {i: {"HXMC": mc, "HXLX": lx, "XZQDM": dm} for i, (_, mc, lx, dm) in enumerate(ECO)}
    a4 = dict(attrs[3], HXLX="生物多样性维护")
    a6 = {"HXMC": "潮白河新增水源涵养生态保护红线", "HXLX": "水源涵养", "XZQDM": "131024"}
    features = [
        (ll_poly(e4), a4),            # E4 reclassified
        (ll_poly(e5b), attrs[4]),     # E5 west part
        (ll_poly(e2), attrs[1]),      # E2 unchanged
        (e6, a6),                     # new
        (ll_poly(e1), attrs[0]),      # E1 unchanged
        (ll_poly(e5a), attrs[4]),     # E5 east part
        (ll_poly(e3_shrunk), attrs[2]),  # E3 shrunk
    ]
    for g, a in features:
        add(lyr, g, a)
    ds = None


def _dltb_layer(lyr):
    for fname, ftype, width, prec in DLTB_FIELDS:
        fd = ogr.FieldDefn(fname, ftype)
        fd.SetWidth(width)
        fd.SetPrecision(prec)
        lyr.CreateField(fd)
    for rings, values in dltb_rows():
        add(lyr, poly_geom(rings), values)


def write_dltb(out):
    """dltb.shp (GBK + .cpg), dltb.gpkg (the same features, UTF-8) and dltb.zip (the
    shapefile's five files, zipped with pinned timestamps)."""
    path = os.path.join(out, "dltb.shp")
    remove_dataset(path)
    ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(path)
    lyr = ds.CreateLayer("dltb", SRS4527, ogr.wkbPolygon,
                         options=["ENCODING=GBK", "DBF_DATE_LAST_UPDATE=" + DBF_DATE])
    _dltb_layer(lyr)
    ds = None
    fix_cpg(path)

    gpath = os.path.join(out, "dltb.gpkg")
    remove_dataset(gpath)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(gpath)
    lyr = ds.CreateLayer("dltb", SRS4527, ogr.wkbPolygon, options=["FID=fid", "GEOMETRY_NAME=geom"])
    _dltb_layer(lyr)
    ds = None

    import zipfile
    zpath = os.path.join(out, "dltb.zip")
    remove_dataset(zpath)
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            zi = zipfile.ZipInfo("dltb" + ext, date_time=(2024, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            with open(os.path.join(out, "dltb" + ext), "rb") as fh:
                z.writestr(zi, fh.read())


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    gdal.SetConfigOption("OGR_CURRENT_DATE", GPKG_DATE)   # pins gpkg_contents.last_change
    write_eco(out)
    write_farmland(out)
    write_udb(out)
    write_projects(out)
    write_projects_geojson(out)
    write_eco_v2(out)
    write_dltb(out)


if __name__ == "__main__":
    main()
