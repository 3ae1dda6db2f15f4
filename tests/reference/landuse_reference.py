#!/usr/bin/env python3
"""Turn PostGIS's land-use pieces into the reference breakdown (地类面积表) for redline.

Reads  tests/reference/landuse_pieces.csv  (one row per footprint x parcel piece, with the
       parcel's attributes; made by landuse_reference.sql, overlaps already given to the
       parcel with the lowest FID) and  landuse_fp.csv  (footprint, covered, double-covered
       and uncovered areas).
Writes tests/reference/landuse_sample.csv:
       method,footprint,kind,code,name,area_m2,state_m2,collective_m2
  method     geometric | attribute | hand_planar (P04 only, worked by hand, see below)
  footprint  XMBH of projects.shp, or ALL for the run total: PostGIS's breakdown of
             ST_Union of the footprints, so shared land counts once
  kind       footprint | covered | uncovered | double | class | level1 | top |
             county | town | village
Standard library only: this file does not use redline, GDAL or PostGIS, so it can be
re-run from the committed CSVs.  The class table below is written from the 三调 工作分类
and its 三大类 correspondence (docs/landuse.md gives the sources), independently of
redline's table in src/lib/landuse/.

The methods (SPEC.md "Land use", issue 13):
  geometric  a piece of a parcel with deduction coefficient KCXS gives
             piece * (1 - KCXS) to its DLBM and piece * KCXS to KCDLBM (1203 田坎);
  attribute  TBDLMJ * piece / parcel to DLBM and KCMJ * piece / parcel to KCDLBM, where
             piece and parcel are ellipsoidal areas (the parcel's whole geometry).
covered / uncovered / double are geometric in both methods.  QSXZ 10, 20 = 国有 (state);
30-34, 40 = 集体 (collective).

hand_planar: P04 lies on four axis-aligned rectangles of block D, so its planar pieces
(EPSG:4527 plane) are clipped here with exact fractions, checked against PostGIS's planar
pieces, and written as the planar geometric breakdown (what `--area planar` must give).
"""
import csv
import os
import sys
from collections import defaultdict
from fractions import Fraction as Fr

HERE = os.path.dirname(os.path.abspath(__file__))

# 一级类 of the 三调 工作分类.  湿地 (00) holds 二级类 whose codes start with 03, 04, 06, 11.
LEVEL1 = {"00": "湿地", "01": "耕地", "02": "种植园用地", "03": "林地", "04": "草地",
          "05": "商业服务业用地", "06": "工矿用地", "07": "住宅用地",
          "08": "公共管理与公共服务用地", "09": "特殊用地", "10": "交通运输用地",
          "11": "水域及水利设施用地", "12": "其他土地"}
WETLAND = {"0303", "0304", "0306", "0402", "0603", "1105", "1106", "1108"}
# 三大类 (《土地管理法》): the 二级类 that are not 农用地 (agricultural).
CONSTRUCTION = {"05H1", "0508", "0601", "0602", "0603", "0701", "0702", "08H1", "08H2",
                "0809", "0810", "09", "1001", "1002", "1003", "1004", "1005", "1007",
                "1008", "1009", "1103", "1109", "1201"}
UNUSED = {"0404", "1101", "1102", "1105", "1106", "1108", "1110", "1204", "1205", "1206",
          "1207"}
AGRICULTURAL = {"0101", "0102", "0103", "0201", "0202", "0203", "0204", "0301", "0302",
                "0303", "0304", "0305", "0306", "0307", "0401", "0402", "0403", "1006",
                "1104", "1107", "1202", "1203"}
NAMES = {"1203": "田坎"}
COUNTY = {"131082": "三河市", "131028": "大厂回族自治县"}
TOWN = {"131082100": "燕郊镇", "131028100": "大厂镇", "131028101": "夏垫镇"}
STATE = {"10", "20"}
COLLECTIVE = {"30", "31", "32", "33", "34", "40"}


def base(code):
    """0201K -> 0201, 1104A -> 1104: a suffixed class follows its base class."""
    return code[:4] if len(code) > 4 and code[:4].isdigit() else code


def level1(code):
    b = base(code)
    return "00" if b in WETLAND else b[:2]


def top(code):
    b = base(code)
    if b in CONSTRUCTION:
        return "construction"
    if b in UNUSED:
        return "unused"
    if b in AGRICULTURAL:
        return "agricultural"
    raise SystemExit("class %s is not in the 三大类 table" % code)


def read(name):
    with open(os.path.join(HERE, name), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def breakdown(pieces, method):
    """(classes, units) for one footprint's pieces: classes[code] = [name, area, state,
    collective]; units[(level, code)] = [name, area]."""
    classes = {}
    units = {}

    def give(code, name, a, qsxz, p):
        c = classes.setdefault(code, [name, 0.0, 0.0, 0.0])
        c[1] += a
        if qsxz in STATE:
            c[2] += a
        elif qsxz in COLLECTIVE:
            c[3] += a
        dm = p["zldwdm"]
        for level, n, nm in (("county", 6, COUNTY.get(dm[:6], "")),
                             ("town", 9, TOWN.get(dm[:9], "")),
                             ("village", 12, p["zldwmc"])):
            u = units.setdefault((level, dm[:n]), [nm, 0.0])
            u[1] += a

    for p in pieces:
        a, kcxs = float(p["piece_m2"]), float(p["kcxs"] or 0)
        if method == "geometric":
            own, ded = a * (1.0 - kcxs), a * kcxs
        else:
            share = a / float(p["parcel_m2"])
            own, ded = float(p["tbdlmj"]) * share, float(p["kcmj"]) * share
        give(p["dlbm"], p["dlmc"], own, p["qsxz"], p)
        if ded > 0:
            give(p["kcdlbm"], NAMES[p["kcdlbm"]], ded, p["qsxz"], p)
    return classes, units


def rows_for(method, fp, area, covered, uncovered, double, classes, units):
    out = [(method, fp, "footprint", "", "", area, "", ""),
           (method, fp, "covered", "", "", covered, "", ""),
           (method, fp, "uncovered", "", "", uncovered, "", ""),
           (method, fp, "double", "", "", double, "", "")]
    l1 = defaultdict(float)
    tops = {"agricultural": 0.0, "construction": 0.0, "unused": 0.0}
    for code in sorted(classes):
        name, a, s, c = classes[code]
        out.append((method, fp, "class", code, name, a, s, c))
        l1[level1(code)] += a
        tops[top(code)] += a
    for code in sorted(l1):
        out.append((method, fp, "level1", code, LEVEL1[code], l1[code], "", ""))
    for t in ("agricultural", "construction", "unused"):
        out.append((method, fp, "top", t, "", tops[t], "", ""))
    for level in ("county", "town", "village"):
        for (lv, code), (name, a) in sorted(units.items()):
            if lv == level:
                out.append((method, fp, level, code, name, a, "", ""))
    return out


def clip(poly, axis, value, keep_below):
    """Sutherland-Hodgman clip of a polygon (list of Fraction pairs) by x[axis] <= value
    (keep_below) or >= value, exactly."""
    inside = (lambda p: p[axis] <= value) if keep_below else (lambda p: p[axis] >= value)
    out = []
    for i, cur in enumerate(poly):
        prev = poly[i - 1]
        if inside(cur):
            if not inside(prev):
                out.append(cross(prev, cur, axis, value))
            out.append(cur)
        elif inside(prev):
            out.append(cross(prev, cur, axis, value))
    return out


def cross(p, q, axis, value):
    t = (value - p[axis]) / (q[axis] - p[axis])
    return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))


def shoelace(poly):
    return abs(sum(poly[i - 1][0] * poly[i][1] - poly[i][0] * poly[i - 1][1]
                   for i in range(len(poly)))) / 2


def hand_p04():
    """P04's planar pieces on block D, exactly: {parcel fid: area}.  Local frame (u, v)
    of make_samples.py; the X0/Y0 offset of EPSG:4527 changes no area."""
    p04 = [(Fr(5600), Fr(3200)), (Fr(5900), Fr(3150)), (Fr(6100), Fr(3450)),
           (Fr(5850), Fr(3600)), (Fr(5650), Fr(3500))]
    rects = {23: (5550, 5800, 3100, 3650), 24: (5800, 5830, 3100, 3650),
             25: (5830, 6150, 3100, 3400), 26: (5830, 6150, 3400, 3650)}
    out = {}
    for fid, (u0, u1, v0, v1) in rects.items():
        g = p04
        for axis, value, below in ((0, u0, False), (0, u1, True), (1, v0, False), (1, v1, True)):
            g = clip(g, axis, Fr(value), below)
        out[fid] = shoelace(g)
    assert sum(out.values()) == shoelace(p04) == 146250, "block D must tile P04"
    return out


def main():
    fps = read("landuse_fp.csv")
    pieces = read("landuse_pieces.csv")
    rows = []
    for method in ("geometric", "attribute"):
        for f in fps:  # ALL (the union of the footprints) is one of them
            mine = [p for p in pieces if p["footprint"] == f["footprint"]]
            classes, units = breakdown(mine, method)
            rows += rows_for(method, f["footprint"], float(f["area_m2"]), float(f["covered_m2"]),
                             float(f["uncovered_m2"]), float(f["double_m2"]), classes, units)

    # hand-worked P04, planar
    hand = hand_p04()
    mine = [p for p in pieces if p["footprint"] == "P04"]
    for p in mine:
        fid = int(p["parcel_fid"])
        d = abs(float(p["piece_planar_m2"]) - float(hand[fid]))
        if d > 1e-5:
            raise SystemExit("P04 parcel %d: PostGIS planar %s, by hand %s" % (fid, p["piece_planar_m2"], float(hand[fid])))
    assert sorted(int(p["parcel_fid"]) for p in mine) == sorted(hand)
    exact = []
    for p in mine:
        q = dict(p, piece_m2=str(hand[int(p["parcel_fid"])]))
        q["piece_m2"] = hand[int(p["parcel_fid"])]
        exact.append(q)
    classes, units = {}, {}
    for p in exact:   # the geometric rule, in exact arithmetic
        kcxs = Fr(p["kcxs"])
        for code, name, a in ((p["dlbm"], p["dlmc"], p["piece_m2"] * (1 - kcxs)),
                              (p["kcdlbm"], "田坎", p["piece_m2"] * kcxs)):
            if a > 0:
                c = classes.setdefault(code, [name, Fr(0), Fr(0), Fr(0)])
                c[1] += a
                c[2 if p["qsxz"] in STATE else 3] += a
        dm = p["zldwdm"]
        for level, n, nm in (("county", 6, COUNTY[dm[:6]]), ("town", 9, TOWN[dm[:9]]),
                             ("village", 12, p["zldwmc"])):
            u = units.setdefault((level, dm[:n]), [nm, Fr(0)])
            u[1] += p["piece_m2"]
    rows += rows_for("hand_planar", "P04", Fr(146250), Fr(146250), Fr(0), Fr(0), classes, units)

    path = os.path.join(HERE, "landuse_sample.csv")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["method", "footprint", "kind", "code", "name", "area_m2", "state_m2",
                    "collective_m2"])
        for r in rows:
            w.writerow(list(r[:5]) + ["" if v == "" else "%.6f" % float(v) for v in r[5:]])
    print("wrote", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
