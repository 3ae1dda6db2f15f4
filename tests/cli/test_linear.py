#!/usr/bin/env python3
"""CLI tests of line and point footprints, proximity and land use (docs/linear.md, issue 15).

What is compared with what:
  * redline screen over sample_shapes/linear/ (road_4490 --line-width-field YDKD, road_gk
    --line-left-field ZYDK --line-right-field YYDK, powerline --line-width 20, pipeline
    --line-width 10, towers --point-size TJBC) with --near 2000 --rings 100,500 against
    tests/reference/linear_sample.csv, which PostGIS computed without redline
    (tests/reference/make_linear_reference.sh): corridor and square areas (ST_Buffer
    'endcap=flat join=mitre' in the same metric CRS), centre-line lengths, overlaps, length
    inside each control (ST_Length on geography), entry/exit chainages (ST_LineLocatePoint
    + ST_LineSubstring), distances (ST_Distance on geography), ring areas.
  * Hand-worked straight roads in EPSG:4548 with --area planar: 1000 m x 40 m = 40000 m2,
    crossings of a 400 m square at chainage 300-700 m, the left side of an eastward line
    is north.
  * A 40 m corridor on lon/lat data at 30N and at 45N is 40 m wide at both (area / length),
    and the meridian arc's length agrees with a numerical integral of the meridian radius.
  * Bad widths, fields, lines and options: exit 2, a message naming file and feature, and
    no input file changed.
Usage: test_linear.py REDLINE SRCDIR   (standard library only)
"""
import csv
import json
import subprocess
import math
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, digest, summary  # noqa: E402
import testlib  # noqa: E402

REDLINE, SRC = sys.argv[1], sys.argv[2]
S = os.path.join(SRC, "sample_shapes")
LIN = os.path.join(S, "linear")
REF = os.path.join(SRC, "tests", "reference", "linear_sample.csv")
CONTROLS = ["--eco", os.path.join(S, "eco.shp"), "--udb", os.path.join(S, "udb.shp")]
PROX = ["--near", "2000", "--rings", "100,500"]
RUNS = {  # layer -> (options, id field)
    "road_4490": (["--line-width-field", "YDKD"], "XMBH"),
    "road_gk": (["--line-left-field", "ZYDK", "--line-right-field", "YYDK"], "XMBH"),
    "powerline": (["--line-width", "20"], "XMBH"),
    "pipeline": (["--line-width", "10"], "XMBH"),
    "towers": (["--point-size", "TJBC"], "TJBH"),
}


def run(*args):
    return testlib.run(REDLINE, *args, cwd=SRC)


def close(a, b, rel=1e-6, abs_tol=0.01):
    return a is not None and b is not None and abs(a - b) <= max(abs_tol, rel * abs(b))


def screen_json(layer, *extra):
    opts, idf = RUNS[layer]
    code, out, err = run("screen", *CONTROLS, *opts, *PROX, "--id-field", idf, *extra, "-f",
                         "json", os.path.join(LIN, layer + ".shp"))
    check(code in (0, 1), "%s: exit %d (%s)" % (layer, code, err.strip()))
    return json.loads(out) if out else {"footprints": [], "summary": {}}


def reference():
    ref = {}
    with open(REF, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            ref[(r["layer"], r["id"], r["control"], r["kind"])] = float(r["value"])
    return ref


def test_against_postgis():
    ref = reference()
    seen = 0
    for layer in RUNS:
        # linear_sample.csv is PostGIS geography of the corridors' vertices (geodesic
        # edges), so compare --area geodesic; the default reads the corridors' long
        # edges as straight in the layer's CRS and differs by up to 3e-5 on these thin
        # corridors (docs/area-method.md).
        doc = screen_json(layer, "--area", "geodesic")
        for f in doc["footprints"]:
            key = (layer, f["id"])
            kind = "point" if layer == "towers" else "line"
            check(f.get("geometry_type") == kind, "%s %s: geometry_type %s" %
                  (layer, f["id"], f.get("geometry_type")))
            want = ref[key + ("", "area_m2")]
            check(close(f["area_m2"], want), "%s %s: area %s, PostGIS %.6f" %
                  (layer, f["id"], f["area_m2"], want))
            seen += 1
            if kind == "line":
                want = ref[key + ("", "length_m")]
                check(close(f["length_m"], want, 0, 0.001), "%s %s: length %s, PostGIS %.6f" %
                      (layer, f["id"], f["length_m"], want))
            for c, fc in f["controls"].items():
                k = key + (c,)
                check(close(fc["overlap_m2"], ref[k + ("overlap_m2",)]),
                      "%s %s %s: overlap %s, PostGIS %.6f" %
                      (layer, f["id"], c, fc["overlap_m2"], ref[k + ("overlap_m2",)]))
                d = ref[k + ("distance_m",)]
                # PostGIS takes geography edges as great-circle arcs, redline as straight
                # in the layer's plane: they differ by millimetres over kilometres.
                got = fc.get("distance_m")
                check((got is None and d > 2000) or close(got, d, 0, 0.02),
                      "%s %s %s: distance %s, PostGIS %.6f" % (layer, f["id"], c, got, d))
                rings = {r["within_m"]: r["area_m2"] for r in fc.get("rings", [])}
                for w in (100, 500):
                    want = ref[k + ("within_%d_m2" % w,)]
                    check(close(rings.get(w), want, 1e-6, 0.1),
                          "%s %s %s: within %d m %s, PostGIS %.6f" %
                          (layer, f["id"], c, w, rings.get(w), want))
                if kind != "line":
                    check("crossings" not in fc, "%s %s: no crossings for a point" % key)
                    continue
                want = ref[k + ("inside_m",)]
                check(close(fc["length_m"], want, 0, 0.005), "%s %s %s: inside %s, PostGIS %.6f"
                      % (layer, f["id"], c, fc["length_m"], want))
                n = 0
                while k + ("crossing%d_from_m" % (n + 1),) in ref:
                    n += 1
                check(len(fc["crossings"]) == n, "%s %s %s: %d crossings, PostGIS %d" %
                      (layer, f["id"], c, len(fc["crossings"]), n))
                for j, x in enumerate(fc["crossings"][:n]):
                    for end in ("from_m", "to_m"):
                        want = ref[k + ("crossing%d_%s" % (j + 1, end),)]
                        check(close(x[end], want, 0, 0.002), "%s %s %s: crossing %d %s %s, "
                              "PostGIS %.6f" % (layer, f["id"], c, j + 1, end, x[end], want))
    check(seen == 13, "13 footprints compared (%d)" % seen)
    # the pipeline crosses the red line twice
    doc = screen_json("pipeline")
    check(len(doc["footprints"][0]["controls"]["eco"]["crossings"]) == 2,
          "pipeline: two crossings of eco")
    # the towers: count inside each control
    doc = screen_json("towers")
    s = doc["summary"]
    inside = sum(1 for k in ref if k[0] == "towers" and k[2] == "eco" and
                 k[3] == "overlap_m2" and ref[k] > 0)
    check(s.get("points") == 7 and s.get("points_inside", {}).get("eco") == inside == 3,
          "towers: 7 points, %d in eco (%s)" % (inside, s.get("points_inside")))


def test_use_field():
    ref = reference()
    doc = screen_json("road_4490", "--use-field", "YDLX", "--area", "geodesic")  # as PostGIS
    use = {(c, u["value"]): u for c, lst in doc["summary"]["use"].items() for u in lst}
    perm = ref[("road_4490", "L01", "eco", "overlap_m2")]
    temp = ref[("road_4490", "L02", "eco", "overlap_m2")]
    check(close(use[("eco", "永久")]["overlap_m2"], perm) and
          close(use[("eco", "临时")]["overlap_m2"], temp) and
          use[("eco", "永久")]["footprints"] == 1,
          "--use-field YDLX: eco 永久 %s (PostGIS %.4f), 临时 %s (%.4f)" %
          (use[("eco", "永久")], perm, use[("eco", "临时")], temp))
    code, out, _ = run("screen", *CONTROLS, "--line-width-field", "YDKD", "--use-field", "YDLX",
                       os.path.join(LIN, "road_4490.shp"))
    check("land use by YDLX" in out and "eco 永久" in out, "table shows the use totals")


def test_formats_and_jobs():
    opts, idf = RUNS["road_gk"]
    args = ["screen", *CONTROLS, *opts, *PROX, "--id-field", idf,
            os.path.join(LIN, "road_gk.shp")]
    outs = {}
    for fmt in ("json", "csv", "table"):
        for jobs in ("1", "2"):
            code, out, _ = run(*args, "-f", fmt, "--jobs", jobs)
            outs[(fmt, jobs)] = out
        check(outs[(fmt, "1")] == outs[(fmt, "2")], "%s output the same for --jobs 1 and 2" % fmt)
    rows = list(csv.DictReader(outs[("csv", "1")].lstrip("\ufeff").splitlines()))
    doc = json.loads(outs[("json", "1")])
    g01 = doc["footprints"][0]
    check(rows[0]["geometry_type"] == "line" and rows[0]["width_m"] == "" and
          float(rows[0]["left_m"]) == 15 and float(rows[0]["right_m"]) == 25 and
          g01["width_m"] is None, "G01: per-side widths, width null/empty")
    check(rows[1]["width_m"] == "20.0000" and doc["footprints"][1]["width_m"] == 20,
          "G02: equal sides, width 20")
    x = g01["controls"]["eco"]["crossings"][0]
    check(rows[0]["eco_crossings"] == "%.4f-%.4f" % (x["from_m"], x["to_m"]) and
          close(float(rows[0]["eco_length_m"]), g01["controls"]["eco"]["length_m"], 0, 1e-4) and
          close(float(rows[0]["eco_distance_m"]), 0, 0, 0) and
          close(float(rows[0]["eco_within_500_m2"]),
                g01["controls"]["eco"]["rings"][1]["area_m2"], 0, 1e-3),
          "CSV carries crossings, length, distance and rings as JSON does")
    t = outs[("table", "1")]
    check("eco: 1.410 km inside; 621.7-2032.0" in t and "width 15.00 m left + 25.00 m right" in t
          and "G02 eco: 324.3 m" in t, "table: crossings, widths and distances")
    # polygons only: every footprint says "polygon" (SPEC), and no linear key is added
    code, out, _ = run("screen", *CONTROLS, "-f", "json", os.path.join(S, "projects.shp"))
    doc = json.loads(out)
    check(all(f.get("geometry_type") == "polygon" for f in doc["footprints"]) and
          "length_m" not in out and "crossings" not in out,
          "polygon-only JSON: geometry_type polygon, no line keys")


def geojson(path, epsg, feats):
    """feats: [(geometry dict, properties)]"""
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::%d" % epsg}},
           "features": [{"type": "Feature", "properties": p, "geometry": g} for g, p in feats]}
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    return path


def line(*pts):
    return {"type": "LineString", "coordinates": [list(p) for p in pts]}


def square(x0, y0, x1, y1):
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def meridian_arc(lat0, lat1, a=6378137.0, f=1 / 298.257222101, n=2000):
    """Length of the meridian between two latitudes: Simpson's rule on M(phi)."""
    e2 = f * (2 - f)
    h = (math.radians(lat1) - math.radians(lat0)) / n
    s = 0.0
    for i in range(n + 1):
        p = math.radians(lat0) + i * h
        m = a * (1 - e2) / (1 - e2 * math.sin(p) ** 2) ** 1.5
        s += m * (1 if i in (0, n) else 4 if i % 2 else 2)
    return s * h / 3


def test_hand_worked(tmp):
    # EPSG:4548: CM 117E, x0 = 500 000: the line lies on the central meridian's side, k ~ 1
    ctl = geojson(os.path.join(tmp, "ctl.geojson"), 4548,
                  [(square(500300, 4419900, 500700, 4420100), {"n": "S"})])
    north = geojson(os.path.join(tmp, "north.geojson"), 4548,
                    [(square(500300, 4420000, 500700, 4420100), {"n": "N"})])
    road = geojson(os.path.join(tmp, "road.geojson"), 4548,
                   [(line((500000, 4420000), (501000, 4420000)),
                     {"ID": "R1", "ZY": 10.0, "YY": 30.0})])
    code, out, err = run("screen", "--control", "c:forbid=" + ctl, "--area", "planar",
                         "--line-width", "40", "-f", "json", road)
    f = json.loads(out)["footprints"][0]
    fc = f["controls"]["c"]
    check(close(f["area_m2"], 40000, 0, 1e-6) and close(fc["overlap_m2"], 16000, 0, 1e-6),
          "straight road 1000 m x 40 m: %s m2, 400 m x 40 m inside: %s" %
          (f["area_m2"], fc["overlap_m2"]))
    # geodesic figures: k - 1 < 2e-8 within 1 km of the central meridian
    check(close(f["length_m"], 1000, 0, 0.002) and close(fc["length_m"], 400, 0, 0.002) and
          len(fc["crossings"]) == 1 and close(fc["crossings"][0]["from_m"], 300, 0, 0.002) and
          close(fc["crossings"][0]["to_m"], 700, 0, 0.002),
          "straight road: length 1000, inside 400, chainage 300-700 (%s)" % fc)
    # left 10 m, right 30 m: an eastward line has its left side to the north
    code, out, err = run("screen", "--control", "c:forbid=" + north, "--area", "planar",
                         "--line-left-field", "ZY", "--line-right-field", "YY", "-f", "json",
                         road)
    f = json.loads(out)["footprints"][0]
    check(close(f["area_m2"], 40000, 0, 1e-6) and
          close(f["controls"]["c"]["overlap_m2"], 4000, 0, 1e-6) and f["width_m"] is None,
          "left 10 m is north: overlap %s (want 400 x 10)" % f["controls"]["c"]["overlap_m2"])


def test_never_in_degrees(tmp):
    ctl = geojson(os.path.join(tmp, "far.geojson"), 4490,
                  [(square(100.0, 20.0, 100.01, 20.01), {"n": "far"})])
    for lat in (30.0, 45.0):
        path = geojson(os.path.join(tmp, "l%d.geojson" % lat), 4490,
                       [(line((117.0, lat), (117.0, lat + 0.01)), {"ID": "NS"}),
                        (line((116.995, lat), (117.005, lat)), {"ID": "EW"})])
        code, out, err = run("screen", "--control", "c:forbid=" + ctl, "--line-width", "40",
                             "-f", "json", path)
        fps = json.loads(out)["footprints"] if out else []
        check(len(fps) == 2, "%gN: two corridors (%s)" % (lat, err.strip()))
        for f in fps:
            w = f["area_m2"] / f["length_m"]
            check(abs(w - 40) < 0.001, "%gN %s: corridor %.6f m wide (area / length)" %
                  (lat, f["id"], w))
        want = meridian_arc(lat, lat + 0.01)
        check(fps and close(fps[0]["length_m"], want, 0, 0.001),
              "%gN: meridian arc %s m, integral %.4f" % (lat, fps and fps[0]["length_m"], want))


def test_bad_input(tmp):
    before = digest(S)
    null = geojson(os.path.join(tmp, "null.geojson"), 4527,
                   [(line((39515000, 4415000), (39516000, 4415000)), {"W": 20}),
                    (line((39515000, 4415100), (39516000, 4415100)), {"W": None})])
    zero = geojson(os.path.join(tmp, "zero.geojson"), 4527,
                   [(line((39515000, 4415000), (39515000, 4415000)), {"W": 20})])
    neg = geojson(os.path.join(tmp, "neg.geojson"), 4527,
                  [(line((39515000, 4415000), (39516000, 4415000)), {"W": -3})])
    mixed = geojson(os.path.join(tmp, "mixed.geojson"), 4527,
                    [(line((39515000, 4415000), (39516000, 4415000)), {"W": 20}),
                     (square(39515000, 4415000, 39515100, 4415100), {"W": None})])
    tmp_before = digest(tmp)
    eco = ["--eco", os.path.join(S, "eco.shp")]
    road = os.path.join(LIN, "road_4490.shp")
    towers = os.path.join(LIN, "towers.shp")
    cases = [
        (["--line-width", "-5", road], ["--line-width needs a positive width"]),
        (["--line-width", "0", road], ["--line-width needs a positive width"]),
        (["--line-width-field", "W", null], ["null.geojson", "FID 1", "'W'", "null"]),
        (["--line-width-field", "W", neg], ["neg.geojson", "FID 0", "'-3'", "positive"]),
        (["--line-width", "20", zero], ["zero.geojson", "FID 0", "no length"]),
        (["--line-width-field", "NOPE", road], ["road_4490.shp", "no field 'NOPE'"]),
        ([road], ["road_4490.shp", "Line String", "--line-width"]),
        (["--line-width", "20", towers], ["towers.shp", "FID 0", "--point-size"]),
        (["--line-left-field", "ZYDK", road], ["--line-right-field"]),
        (["--line-width", "20", "--line-width-field", "YDKD", road], ["give one of"]),
        (["--line-width", "20", "--rings", "100,abc", road], ["--rings needs positive"]),
        (["--line-width", "20", "--near", "-1", road], ["--near needs a positive"]),
        (["--line-width", "20", "--use-field", "NOPE", road], ["no field 'NOPE' for --use-field"]),
        (["--point-radius", "NOPE", towers], ["no field 'NOPE'"]),
    ]
    for args, needles in cases:
        code, out, err = run("screen", *eco, *args)
        check(code == 2 and all(n in err for n in needles),
              "bad input %s: exit %d, %r (want 2 with %s)" % (args, code, err.strip(), needles))
    # mixed lines and polygons: each handled by its kind, and the report says so
    code, out, err = run("screen", *eco, "--line-width-field", "W", "-f", "json", mixed)
    doc = json.loads(out) if out else {"footprints": [], "warnings": []}
    kinds = [f.get("geometry_type") for f in doc["footprints"]]
    check(code in (0, 1) and kinds == ["line", "polygon"] and
          any("mixes kinds of geometry" in w for w in doc.get("warnings", [])),
          "mixed layer: %s, warnings %s (%s)" % (kinds, doc.get("warnings"), err.strip()))
    check(digest(S) == before and digest(tmp) == tmp_before, "no input file changed")


def test_audit_and_pieces(tmp):
    d = os.path.join(tmp, "delivery")
    os.makedirs(d)
    for name in ("road_4490", "towers"):
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            shutil.copy(os.path.join(LIN, name + "." + ext), d)
    before = digest(d)
    eco = ["--eco", os.path.join(S, "eco.shp")]
    code, out, err = run("audit", *eco, "-f", "json", d)
    files = {os.path.basename(f["path"]): f for f in json.loads(out)["files"]} if out else {}
    check(all("not_polygon" in [p["code"] for p in f["problems"]] for f in files.values()) and
          len(files) == 2, "audit without widths: lines and points are not_polygon")
    code, out, err = run("audit", *eco, "--line-width-field", "YDKD", "--point-size", "TJBC",
                         "--area", "geodesic", "-f", "json", d)  # as linear_sample.csv
    files = {os.path.basename(f["path"]): f for f in json.loads(out)["files"]} if out else {}
    ref = reference()
    road = files.get("road_4490.shp", {"problems": [], "footprints": []})
    tw = files.get("towers.shp", {"problems": [], "footprints": []})
    l01 = [f for f in road["footprints"] if f["fid"] == 0]
    check(not road["problems"] and not tw["problems"] and len(tw["footprints"]) == 7 and
          l01 and l01[0]["geometry_type"] == "line" and
          close(l01[0]["controls"]["eco"]["overlap_m2"], ref[("road_4490", "L01", "eco",
                                                              "overlap_m2")]),
          "audit with widths screens lines and points as screen does (%s)" % err.strip())
    code, out, err = run("audit", *eco, "--line-width-field", "NOPE", "-f", "json", d)
    files = {os.path.basename(f["path"]): f for f in json.loads(out)["files"]} if out else {}
    codes = [p["code"] for p in files.get("road_4490.shp", {"problems": []})["problems"]]
    check("bad_width" in codes, "audit: a missing width field is bad_width (%s)" % codes)
    check(digest(d) == before, "audit changed nothing in the delivery folder")
    # --pieces: the corridor and the overlap pieces
    gj = os.path.join(tmp, "pieces.geojson")
    code, out, err = run("screen", *eco, "--line-width", "10", "--pieces", gj, "--area",
                         "geodesic", os.path.join(LIN, "pipeline.shp"))
    with open(gj, encoding="utf-8") as fh:
        feats = json.load(fh)["features"]
    kinds = sorted(f["properties"]["control"] for f in feats)
    corr = [f["properties"]["area_m2"] for f in feats if f["properties"]["control"] == "corridor"]
    check(kinds == ["corridor", "eco"] and close(corr[0], ref[("pipeline", "GX01", "",
                                                               "area_m2")]),
          "--pieces writes the corridor and its piece (%s)" % kinds)


def test_use_field_counts_shared_land_once(tmp):
    """Two 临时 yards that overlap each other inside eco feature 3 count their common
    land once (hand geometry: 100 m squares shifted by 50 m: union 150 x 100 m), and a
    永久 square apart counts alone; checked against GDAL's SQLite dialect too."""
    x, y = 39519000, 4415900
    fp = geojson(os.path.join(tmp, "yards.geojson"), 4527, [
        (square(x, y, x + 100, y + 100), {"ID": "Y1", "YDLX": "临时"}),
        (square(x + 50, y, x + 150, y + 100), {"ID": "Y2", "YDLX": "临时"}),
        (square(x, y - 200, x + 100, y - 100), {"ID": "T1", "YDLX": "永久"})])
    code, out, err = run("screen", "--eco", os.path.join(S, "eco.shp"), "--area", "planar",
                         "--use-field", "YDLX", "--id-field", "ID", "-f", "json", fp)
    doc = json.loads(out) if out else {"summary": {}}
    use = {u["value"]: u for u in doc["summary"].get("use", {}).get("eco", [])}
    p = subprocess.run(["ogr2ogr", "-f", "CSV", "/vsistdout/", fp, "-dialect", "SQLite", "-sql",
                        "SELECT YDLX, ST_Area(ST_Intersection(ST_Union(geometry), "
                        "(SELECT ST_Union(geometry) FROM 'eco.shp'.eco))) a FROM yards GROUP BY YDLX"],
                       capture_output=True, text=True, cwd=S)
    sql = {r["YDLX"]: float(r["a"]) for r in csv.DictReader(p.stdout.splitlines())} if p.stdout else {}
    check(code == 1 and close(use.get("临时", {}).get("overlap_m2"), 15000, 1e-9) and
          use["临时"]["footprints"] == 2 and close(use.get("永久", {}).get("overlap_m2"), 10000, 1e-9),
          "--use-field: 临时 15000 m2 (not 20000), 永久 10000: %s (%s)" % (use, err.strip()))
    check(close(sql.get("临时"), 15000, 1e-9) and close(sql.get("永久"), 10000, 1e-9),
          "SQLite agrees: %s %s" % (sql, p.stderr[-300:]))
    code, out, _ = run("screen", "--eco", os.path.join(S, "eco.shp"), "--area", "planar",
                       "--use-field", "YDLX", "--id-field", "ID", fp)
    check("eco 临时: 15000.00 m2 (2 footprints)" in out, "table: the union per use:\n%s" % out[-400:])


def main():
    tmp = tempfile.mkdtemp(prefix="rl_linear_")
    try:
        test_against_postgis()
        test_use_field()
        test_use_field_counts_shared_land_once(tmp)
        test_formats_and_jobs()
        test_hand_worked(tmp)
        test_never_in_degrees(tmp)
        test_bad_input(tmp)
        test_audit_and_pieces(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
