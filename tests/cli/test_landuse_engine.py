#!/usr/bin/env python3
"""CLI tests of screen --landuse on hand geometry (standard library and ogr2ogr).

A 100 m x 100 m footprint F1 in EPSG:4527 over four parcels (coordinates
relative to 39 500 000, 3 500 000):
  fid 0  [0,50]x[0,50]     0101 水田, KCXS 0.1 (田坎 1203), QSXZ 30 集体, 440106101001 甲村
  fid 1  [50,100]x[0,60]   0201K,  QSXZ 10 国有, 440106101002 乙村
  fid 2  [0,20]x[50,100]   1003,   QSXZ 20 国有, 440106102001 丙村
  fid 3  [30,100]x[40,120] 0404,   QSXZ blank,   440107201003 丁村
fid 3 overlaps fid 0 on [30,50]x[40,50] (200 m2) and fid 1 on [50,100]x[40,60]
(1 000 m2): 1 200 m2 double cover, kept by the lower FID; [20,30]x[50,100]
(500 m2) lies in no parcel.  With --area planar the figures are exact by hand:
  0101 2 250, 1203 250 (collective); 0201K 3 000, 1003 1 000 (state);
  0404 4 200 - 1 200 = 3 000; covered 9 500, uncovered 500.
F2 lies in no parcel.  Usage: test_landuse_engine.py REDLINE SRCDIR
"""
import csv
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, digest, summary  # noqa: E402
import testlib  # noqa: E402

REDLINE, SRC = sys.argv[1], sys.argv[2]
X, Y = 39500000.0, 3500000.0
MU = 10000.0 / 15


def run(*args, cwd):
    return testlib.run(REDLINE, *args, cwd=cwd)


def close(a, b, rel=1e-9, abs_tol=1e-6):
    return a is not None and abs(a - b) <= max(rel * abs(b), abs_tol)


def rect(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[X + x0, Y + y0], [X + x1, Y + y0],
                                                [X + x1, Y + y1], [X + x0, Y + y1],
                                                [X + x0, Y + y0]]]}


def layer(path, feats):
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"type": "FeatureCollection",
                   "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4527"}},
                   "features": [{"type": "Feature", "properties": p, "geometry": g}
                                for g, p in feats]}, fh, ensure_ascii=False)
    return path


def parcel(dlbm, dlmc, qsxz, zl, zlmc, kcxs=0.0, kcmj=0.0, tbmj=0.0, tbdlmj=0.0, kcdlbm=""):
    return dict(DLBM=dlbm, DLMC=dlmc, QSXZ=qsxz, ZLDWDM=zl, ZLDWMC=zlmc, KCDLBM=kcdlbm,
                KCXS=kcxs, KCMJ=kcmj, TBMJ=tbmj, TBDLMJ=tbdlmj)


PARCELS = [
    (rect(0, 0, 50, 50), parcel("0101", "水田", "30", "440106101001", "甲村", 0.1, 260.0,
                                2600.0, 2340.0, "1203")),
    (rect(50, 0, 100, 60), parcel("0201K", "可调整果园", "10", "440106101002", "乙村",
                                  tbmj=3100.0, tbdlmj=3100.0)),
    (rect(0, 50, 20, 100), parcel("1003", "公路用地", "20", "440106102001", "丙村",
                                  tbmj=990.0, tbdlmj=990.0)),
    (rect(30, 40, 100, 120), parcel("0404", "其他草地", "", "440107201003", "丁村",
                                    tbmj=5000.0, tbdlmj=5000.0)),
]
FOOTPRINTS = [(rect(0, 0, 100, 100), {"ID": "F1"}), (rect(200, 200, 300, 300), {"ID": "F2"})]
GEOMETRIC = {"0101": (2250, 0, 2250), "1203": (250, 0, 250), "0201K": (3000, 3000, 0),
             "1003": (1000, 1000, 0), "0404": (3000, 0, 0)}


def classes(lu):
    return {c["code"]: (c["area_m2"], c["state_m2"], c["collective_m2"]) for c in lu["classes"]}


def screen(tmp, *args):
    code, out, err = run("screen", "--landuse", "dltb.geojson", "--area", "planar",
                         "--id-field", "ID", *args, "fp.geojson", cwd=tmp)
    return code, out, err


def test_geometric(tmp):
    code, out, err = screen(tmp, "--units", "mu", "-f", "json")
    check(code == 0, "landuse alone runs, exit 0 (exit %d): %s" % (code, err))
    doc = json.loads(out)
    check(doc["controls"] == [], "the DLTB is not listed as a control: %s" % doc["controls"])
    check(doc["landuse"] == {"path": "dltb.geojson", "layer": "dltb", "features": 4,
                             "crs": "EPSG:4527", "repaired": 0, "unusable": 0,
                             "method": "geometric", "by": "village", "decimals": 2},
          "the DLTB described at the top: %s" % doc.get("landuse"))
    f1, f2 = doc["footprints"]
    lu = f1["landuse"]
    check(lu["method"] == "geometric" and lu["path"] == "dltb.geojson", "method and path")
    for key, want in [("area_m2", 10000), ("covered_m2", 9500), ("uncovered_m2", 500),
                      ("double_m2", 1200)]:
        check(close(lu[key], want), "F1 %s: %s, by hand %s" % (key, lu[key], want))
    got = classes(lu)
    check(set(got) == set(GEOMETRIC), "F1 classes %s" % sorted(got))
    for code_, want in GEOMETRIC.items():
        check(code_ in got and all(close(a, b) for a, b in zip(got[code_], want)),
              "F1 %s (area, state, collective): %s, by hand %s" % (code_, got.get(code_), want))
    names = {c["code"]: c["name"] for c in lu["classes"]}
    check(names["1203"] == "田坎" and names["0201K"] == "可调整果园", "class names %s" % names)
    l1 = {c["code"]: c["area_m2"] for c in lu["level1"]}
    want_l1 = {"01": 2250, "02": 3000, "04": 3000, "10": 1000, "12": 250}
    check(l1.keys() == want_l1.keys() and all(close(l1[k], v) for k, v in want_l1.items()),
          "F1 level1 %s" % l1)
    top = lu["top"]
    check(close(top["agricultural_m2"], 5500) and close(top["construction_m2"], 1000)
          and close(top["unused_m2"], 3000), "F1 top classes %s" % top)
    units = {u["code"]: (u["name"], u["level"], u["area_m2"]) for u in lu["units"]}
    want_u = {"440106101001": ("甲村", 2500), "440106101002": ("乙村", 3000),
              "440106102001": ("丙村", 1000), "440107201003": ("丁村", 3000)}
    check(units.keys() == want_u.keys() and all(
        units[k][0] == n and units[k][1] == "village" and close(units[k][2], a)
        for k, (n, a) in want_u.items()), "F1 villages %s" % units)
    check(lu["touched"] == {"county": 2, "town": 3, "village": 4}, "touched %s" % lu["touched"])
    # 平差 in mu at 2 decimals: 3.375 + 4.5 + 0.375 = 8.25 mu of 农用地; rounding each
    # row alone would give 3.38 + 0.38, 0.01 too many.
    r = lu["rounded"]
    check(r["unit"] == "mu" and r["decimals"] == 2, "rounded unit %s %s" % (r["unit"], r["decimals"]))
    rc = {c["code"]: c["area_m2"] for c in r["classes"]}
    check(rc == {"0101": 3.38, "1203": 0.37, "0201K": 4.5, "1003": 1.5, "0404": 4.5},
          "rounded classes %s" % rc)
    check(r["area_m2"] == 15.0 and r["covered_m2"] == 14.25 and r["uncovered_m2"] == 0.75
          and r["total_m2"] == 14.25 and r["double_m2"] == 1.8, "rounded totals %s" % r)
    check(r["top"] == {"agricultural_m2": 8.25, "construction_m2": 1.5, "unused_m2": 4.5,
                       "unclassified_m2": 0.0}, "rounded top %s" % r["top"])
    check('"0101", "name": "水田", "area_m2": 3.38, "state_m2": 0.00, "collective_m2": 3.38' in out,
          "rounded figures are written with exactly 2 decimals")
    lu2 = f2["landuse"]
    check(close(lu2["uncovered_m2"], 10000) and lu2["classes"] == [] and lu2["covered_m2"] == 0,
          "F2 in no parcel: all uncovered")
    s = doc["summary"]["landuse"]
    check(close(s["area_m2"], 20000) and close(s["uncovered_m2"], 10500)
          and close(s["covered_m2"], 9500) and classes(s) == got, "summary totals %s" % {
              k: s[k] for k in ("area_m2", "covered_m2", "uncovered_m2")})


def test_attribute(tmp):
    code, out, err = screen(tmp, "--landuse-method", "attribute", "-f", "json")
    check(code == 0, "attribute method exit 0 (exit %d): %s" % (code, err))
    lu = json.loads(out)["footprints"][0]["landuse"]
    check(lu["method"] == "attribute", "method attribute")
    got = {c["code"]: c["area_m2"] for c in lu["classes"]}
    # TBDLMJ and KCMJ times the share of the parcel in the footprint (after double
    # cover: fid 3 keeps 3 000 of its 5 600 m2).
    want = {"0101": 2340, "1203": 260, "0201K": 3100, "1003": 990, "0404": 5000 * 3000 / 5600}
    check(got.keys() == want.keys() and all(close(got[k], v) for k, v in want.items()),
          "attribute classes %s, by hand %s" % (got, want))
    check(close(lu["covered_m2"], 9500) and close(lu["double_m2"], 1200),
          "attribute method keeps the geometric covered and double areas")
    r = lu["rounded"]
    check(round(sum(c["area_m2"] for c in r["classes"]), 6) == r["total_m2"],
          "attribute rounded classes add up to their total %s" % r["total_m2"])


def test_units_by(tmp):
    code, out, err = screen(tmp, "--units", "ha", "--landuse-decimals", "1", "-f", "json")
    r = json.loads(out)["footprints"][0]["landuse"]["rounded"] if code == 0 else {}
    # By hand, in tenths of a hectare: 1.0 = covered 9.5 + uncovered 0.5, the tie to the
    # first: 10 + 0.  10 = 农用地 5.5 + 建设 1 + 未利用 3 -> 6 + 1 + 3.  农用地 6 = (01) 2.25 +
    # (02) 3 + (12) 0.25 -> 3 + 3 + 0: 0101 0.3, 0201K 0.3, 1203 0.0 (0.2 + 0.3 + 0.0 would
    # lose 0.1).
    rc = {c["code"]: c["area_m2"] for c in r.get("classes", [])}
    check(code == 0 and r["decimals"] == 1 and r["total_m2"] == 1.0 and r["area_m2"] == 1.0
          and r["covered_m2"] == 1.0 and r["uncovered_m2"] == 0.0 and r["top"]["agricultural_m2"] == 0.6
          and rc == {"0101": 0.3, "0201K": 0.3, "0404": 0.3, "1003": 0.1, "1203": 0.0}
          and '"area_m2": 0.3, "state_m2": 0.0, "collective_m2": 0.3' in out,
          "--landuse-decimals 1 in ha: rows add up (exit %d): %s %s" % (code, rc, r.get("top")))
    for by, want in [("town", {"440106101": 5500, "440106102": 1000, "440107201": 3000}),
                     ("county", {"440106": 6500, "440107": 3000})]:
        code, out, err = screen(tmp, "--landuse-by", by, "-f", "json")
        lu = json.loads(out)["footprints"][0]["landuse"] if code == 0 else {"units": []}
        got = {u["code"]: u["area_m2"] for u in lu["units"] if u["level"] == by}
        check(code == 0 and got.keys() == want.keys()
              and all(close(got[k], v) for k, v in want.items()),
              "--landuse-by %s: %s (exit %d %s)" % (by, got, code, err))


def test_aliases_and_shapefile(tmp):
    # Other field names: DLBM as 地类编码 (an alias), the rest in lower case.
    ren = []
    for g, p in PARCELS:
        q = {("地类编码" if k == "DLBM" else k.lower()): v for k, v in p.items()}
        ren.append((g, q))
    layer(os.path.join(tmp, "renamed.geojson"), ren)
    base = ["screen", "--area", "planar", "--id-field", "ID", "-f", "json", "fp.geojson"]
    code, out, err = run(*base, "--landuse", "renamed.geojson", "--field", "DLBM=地类编码",
                         cwd=tmp)
    ok = code == 0 and classes(json.loads(out)["footprints"][0]["landuse"])
    check(ok and all(close(a, b) for c, w in GEOMETRIC.items() for a, b in zip(ok[c], w)),
          "--field DLBM=地类编码 and lower-case field names give the same figures (exit %d): %s"
          % (code, err))
    code, out, err = run(*base, "--landuse", "renamed.geojson", cwd=tmp)
    check(code == 2 and "no field DLBM" in err and "--field DLBM=" in err and not out,
          "a DLTB without DLBM is refused with exit 2 (exit %d): %s" % (code, err.strip()))
    code, out, err = run(*base, "--landuse", "renamed.geojson", "--field", "DLBM=NOPE", cwd=tmp)
    check(code == 2 and "no field 'NOPE'" in err, "an alias naming no field: exit 2 (%d) %s"
          % (code, err.strip()))
    # A GBK shapefile, as surveys deliver them.
    shp = os.path.join(tmp, "dltb_gbk.shp")
    p = subprocess.run(["ogr2ogr", "-lco", "ENCODING=GBK", shp,
                        os.path.join(tmp, "dltb.geojson")], capture_output=True)
    check(p.returncode == 0, "ogr2ogr makes the GBK shapefile: %s" % p.stderr)
    code, out, err = run(*base, "--landuse", "dltb_gbk.shp", "--units", "ha", cwd=tmp)
    lu = json.loads(out)["footprints"][0]["landuse"] if code == 0 else None
    check(lu is not None and {u["name"] for u in lu["units"]} == {"甲村", "乙村", "丙村", "丁村"}
          and all(close(a, b) for c, w in GEOMETRIC.items() for a, b in zip(classes(lu)[c], w))
          and lu["rounded"]["decimals"] == 4 and lu["rounded"]["total_m2"] == 0.95,
          "GBK shapefile DLTB, ha at 4 decimals (exit %d): %s" % (code, err))


def test_outputs(tmp):
    code, out, err = screen(tmp, "--units", "mu")
    check(code == 0 and "涉及 2 个县的 3 个乡镇 4 个村" in out and "田坎" in out
          and "平差" in out, "table has the land-use section (exit %d): %s" % (code, out[-600:]))
    code, out, err = screen(tmp, "--units", "mu", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    check(code == 0 and rows[0]["landuse_0101_mu"] == "3.38" and rows[0]["landuse_1203_mu"] == "0.37"
          and rows[0]["landuse_agricultural_mu"] == "8.25" and rows[1]["landuse_0101_mu"] == "0.00"
          and rows[0]["landuse_villages"] == "4", "CSV land-use columns: %s" % (rows[:1],))
    longcsv = os.path.join(tmp, "long.csv")
    code, out, err = screen(tmp, "--units", "mu", "--landuse-csv", longcsv, "-f", "json")
    with open(longcsv, encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    f1 = [r for r in rows if r["id"] == "F1"]
    check(code == 0 and len(rows) == 5 and len(f1) == 5
          and round(sum(float(r["area_mu"]) for r in f1), 6) == 14.25
          and {r["code"]: r["top"] for r in f1}["1203"] == "农用地"
          and {r["code"]: r["level1_code"] for r in f1}["0201K"] == "02",
          "long CSV: one row per footprint x class, adding up (exit %d): %s" % (code, rows))
    pieces = os.path.join(tmp, "pieces.gpkg")
    code, out, err = screen(tmp, "--pieces", pieces, "-f", "json")
    p = subprocess.run(["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", pieces], capture_output=True)
    feats = json.loads(p.stdout.decode("utf-8"))["features"] if p.returncode == 0 else []
    got = sorted((f["properties"]["ctl_fid"], f["properties"]["DLBM"], f["properties"]["QSXZ"],
                  f["properties"]["ZLDWDM"], round(f["properties"]["area_m2"], 6))
                 for f in feats if f["properties"]["control"] == "landuse")
    check(code == 0 and got == [(0, "0101", "30", "440106101001", 2500),
                                (1, "0201K", "10", "440106101002", 3000),
                                (2, "1003", "20", "440106102001", 1000),
                                (3, "0404", "", "440107201003", 3000)],
          "--pieces: the DLTB's pieces as counted, with DLBM QSXZ ZLDWDM: %s" % got)


def test_with_controls_and_jobs(tmp):
    layer(os.path.join(tmp, "eco.geojson"), [(rect(0, 0, 10, 10), {"NAME": "e"})])
    args = ["screen", "--eco", "eco.geojson", "--landuse", "dltb.geojson", "--id-field", "ID",
            "-f", "json", "fp.geojson"]
    outs = [run(*args, "--jobs", j, cwd=tmp) for j in ("1", "2", "4")]
    check(all(o[0] == 1 for o in outs), "the eco overlap still decides the verdict (exit 1)")
    check(outs[0][1] == outs[1][1] == outs[2][1], "--jobs 1, 2 and 4 give the same JSON")
    doc = json.loads(outs[0][1])
    lu = doc["footprints"][0]["landuse"]
    check([c["name"] for c in doc["controls"]] == ["eco"], "controls lists eco only")
    # Ellipsoidal: rows add up to the covered area, which is the footprint less the gap.
    check(close(sum(c["area_m2"] for c in lu["classes"]), lu["covered_m2"], 1e-9)
          and close(lu["covered_m2"] + lu["uncovered_m2"], lu["area_m2"], 1e-9, 2e-6)
          and close(lu["area_m2"], doc["footprints"][0]["area_m2"], 1e-6)
          and close(lu["double_m2"], 1200, 1e-4), "ellipsoidal figures consistent: %s" % {
              k: lu[k] for k in ("area_m2", "covered_m2", "uncovered_m2", "double_m2")})


def test_footprints_in_another_crs(tmp):
    """Footprints in EPSG:4490 (longitude/latitude) over the EPSG:4527 DLTB: the same
    geodesic figures as footprints in the DLTB's own CRS, ellipsoidal ones within 1e-5."""
    geo = os.path.join(tmp, "fp_4490.geojson")
    p = subprocess.run(["ogr2ogr", "-t_srs", "EPSG:4490", geo, os.path.join(tmp, "fp.geojson")],
                       capture_output=True)
    check(p.returncode == 0, "ogr2ogr reprojects the footprints: %s" % p.stderr)
    # Same vertices: the same figures when edges are geodesics (1e-6).  By default edges
    # are straight in the CRS the footprint is given in, so the lon/lat copy is a slightly
    # different polygon (docs/area-method.md): within 1e-5.
    for method, tol in (("geodesic", 1e-6), ("ellipsoidal", 1e-5)):
        outs = []
        for fp in ("fp.geojson", "fp_4490.geojson"):
            code, out, err = run("screen", "--landuse", "dltb.geojson", "--id-field", "ID",
                                 "--area", method, "-f", "json", fp, cwd=tmp)
            outs.append(json.loads(out)["footprints"][0]["landuse"] if code == 0 else None)
        a, b = outs
        ok = a is not None and b is not None
        for key in ("area_m2", "covered_m2", "double_m2"):
            ok = ok and close(a[key], b[key], tol)
        ok = ok and classes(a).keys() == classes(b).keys() and all(
            close(x, y, tol) for c in classes(a) for x, y in zip(classes(a)[c], classes(b)[c]))
        check(ok, "EPSG:4490 footprints: the same breakdown as EPSG:4527 ones (%s, %g)"
              % (method, tol))


def test_rounding_adds_up(tmp):
    """Random parcels and footprints: the rounded rows add up at every level."""
    rnd = random.Random(13)
    codes = ["0101", "0102", "0103", "0201", "0201K", "0301", "0404", "0601", "0702", "1003",
             "1006", "1101", "1104", "1107", "1202", "1203", "9999"]
    feats = []
    for i in range(12):
        for j in range(12):
            k = rnd.choice([0, 0, 0.0567, 0.123, 0.25])
            feats.append((rect(i * 37.3, j * 41.9, i * 37.3 + 37.3, j * 41.9 + 41.9),
                          parcel(rnd.choice(codes), "", rnd.choice(["10", "20", "30", "40", ""]),
                                 "4401%02d%03d%03d" % (rnd.randint(6, 7), rnd.randint(1, 3),
                                                       rnd.randint(1, 4)), "", k,
                                 kcdlbm="1203" if k else "")))
    layer(os.path.join(tmp, "rand_dltb.geojson"), feats)
    fps = []
    for n in range(25):
        x, y = rnd.uniform(0, 380), rnd.uniform(0, 420)
        fps.append((rect(x, y, x + rnd.uniform(3, 120), y + rnd.uniform(3, 90)), {"ID": "R%d" % n}))
    layer(os.path.join(tmp, "rand_fp.geojson"), fps)
    for units, dec in (("m2", 2), ("ha", 4), ("mu", 2)):
        code, out, err = run("screen", "--landuse", "rand_dltb.geojson", "--units", units,
                             "--id-field", "ID", "-f", "json", "rand_fp.geojson", cwd=tmp)
        doc = json.loads(out) if code == 0 else {"footprints": [], "summary": {}}
        objs = [f["landuse"] for f in doc["footprints"]] + [doc["summary"].get("landuse")]
        bad = []
        q = 10 ** dec
        for lu in objs:
            r = lu["rounded"]
            total = round(r["total_m2"] * q)
            sums = {"classes": sum(round(c["area_m2"] * q) for c in r["classes"]),
                    "level1": sum(round(c["area_m2"] * q) for c in r["level1"]),
                    "top": sum(round(v * q) for v in r["top"].values()),
                    "units": sum(round(u["area_m2"] * q) for u in r["units"])}
            bad += [(k, v, total) for k, v in sums.items() if v != total]
            if round(r["covered_m2"] * q) + round(r["uncovered_m2"] * q) != round(r["area_m2"] * q):
                bad.append(("covered+uncovered", r["covered_m2"], r["uncovered_m2"], r["area_m2"]))
            fac = {"m2": 1, "ha": 1e4, "mu": MU}[units]
            for c in lu["classes"]:
                rc = [x for x in r["classes"] if x["code"] == c["code"]][0]
                if abs(rc["area_m2"] - c["area_m2"] / fac) > 1.0 / q + 1e-9:
                    bad.append(("off by more than a unit", c["code"], rc["area_m2"], c["area_m2"]))
        check(code == 0 and len(objs) == 26 and not bad,
              "rounded rows add up at every level in %s (exit %d): %s" % (units, code, bad[:5]))


def test_bad_input(tmp):
    before = digest(tmp)
    feats = [(g, dict(p)) for g, p in PARCELS]
    feats[0][1]["KCXS"] = 1.5
    layer(os.path.join(tmp, "bad_kcxs.geojson"), feats)
    before = digest(tmp)
    code, out, err = run("screen", "--landuse", "bad_kcxs.geojson", "--id-field", "ID",
                         "-f", "json", "fp.geojson", cwd=tmp)
    doc = json.loads(out) if out else {"footprints": [{}]}
    f1 = doc["footprints"][0]
    check(code == 2 and f1.get("verdict") == "error" and "KCXS" in f1.get("error", "")
          and "feature 0" in f1.get("error", ""),
          "KCXS 1.5 makes F1 an error naming the parcel, exit 2 (exit %d): %s" % (code, f1))
    for args, needle in [
            (["--landuse-method", "area"], "--landuse-method must be geometric or attribute"),
            (["--landuse-by", "province"], "--landuse-by must be county, town or village"),
            (["--landuse-decimals", "7"], "--landuse-decimals must be a whole number from 0 to 6"),
            (["--field", "DLBM"], "--field needs KEY=NAME"),
            (["--field", "FOO=BAR"], "--field FOO=BAR: the land-use fields are"),
            (["--landuse-csv", "dltb.geojson"], "dltb.geojson")]:
        code, out, err = run("screen", "--landuse", "dltb.geojson", *args, "fp.geojson", cwd=tmp)
        check(code == 2 and needle in err and not out,
              "%s refused with exit 2 (exit %d): %s" % (args, code, err.strip()))
    code, out, err = run("screen", "--eco", "dltb.geojson", "--landuse-by", "town", "fp.geojson",
                         cwd=tmp)
    check(code == 2 and "need --landuse" in err, "--landuse-by without --landuse: exit 2 (%d) %s"
          % (code, err.strip()))
    code, out, err = run("audit", "--eco", "dltb.geojson", "--landuse", "dltb.geojson", ".",
                         cwd=tmp)
    check(code == 2 and "--landuse is not available for audit" in err,
          "audit refuses --landuse (exit %d): %s" % (code, err.strip()))
    after = digest(tmp)
    check(after == before, "every input is byte-identical afterwards: %s"
          % sorted(set(after) ^ set(before)))


def test_classify(tmp):
    # Two 水源涵养 features overlapping on [20,40]x[0,100]: counted once per value.
    layer(os.path.join(tmp, "eco_cls.geojson"), [
        (rect(0, 0, 40, 100), {"HXLX": "水源涵养"}), (rect(20, 0, 60, 100), {"HXLX": "水源涵养"}),
        (rect(60, 0, 80, 50), {"HXLX": "生物多样性"}), (rect(90, 0, 200, 50), {"HXLX": None})])
    code, out, err = run("screen", "--eco", "eco_cls.geojson", "--classify", "eco=HXLX",
                         "--area", "planar", "--id-field", "ID", "-f", "json", "fp.geojson",
                         cwd=tmp)
    doc = json.loads(out) if out else {"footprints": [{"controls": {"eco": {}}}] * 2}
    eco1, eco2 = (f["controls"]["eco"] for f in doc["footprints"])
    got = [(c["value"], c["area_m2"]) for c in eco1.get("classes", [])]
    check(code == 1 and got == [(None, 500), ("水源涵养", 6000), ("生物多样性", 1000)]
          and close(eco1["overlap_m2"], 7500) and eco2.get("classes") == [],
          "--classify eco=HXLX: per value, overlaps counted once (exit %d): %s" % (code, got))
    for arg, needle in [("udb=HXLX", "no control named 'udb'"),
                        ("eco=NOPE", "has no field 'NOPE'"), ("eco", "needs NAME=FIELD")]:
        code, out, err = run("screen", "--eco", "eco_cls.geojson", "--classify", arg,
                             "fp.geojson", cwd=tmp)
        check(code == 2 and needle in err and not out,
              "--classify %s refused with exit 2 (exit %d): %s" % (arg, code, err.strip()))


def main():
    tmp = tempfile.mkdtemp(prefix="rllu.")
    try:
        layer(os.path.join(tmp, "dltb.geojson"), PARCELS)
        layer(os.path.join(tmp, "fp.geojson"), FOOTPRINTS)
        test_geometric(tmp)
        test_attribute(tmp)
        test_units_by(tmp)
        test_aliases_and_shapefile(tmp)
        test_outputs(tmp)
        test_with_controls_and_jobs(tmp)
        test_footprints_in_another_crs(tmp)
        test_rounding_adds_up(tmp)
        test_classify(tmp)
        test_bad_input(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
