#!/usr/bin/env python3
"""CLI tests of the land-use breakdown (地类面积表, `screen --landuse`, issue 13).

What is compared with what:
  * redline screen --landuse sample_shapes/dltb.{shp,gpkg,zip} ... sample_shapes/projects.shp
    against tests/reference/landuse_sample.csv, which PostGIS computed without redline
    (tests/reference/make_landuse_reference.sh; method in tests/reference/README.md):
    every footprint P01-P10 and the run total (`summary`), both methods (geometric,
    attribute), every level of the table (classes with 国有/集体, level1, top, units by
    county/town/village), covered / uncovered / double-covered area.  Tolerance: 1e-6
    relative, or 0.01 m2, or 1e-7 x the footprint's area (see compare()).
  * P04 with --area planar against the hand-worked figures (exact fractions; rows
    `hand_planar` of the same CSV): the four rectangles of block D.
  * The 平差 rounding (`rounded`, in m2, ha and mu) adds up exactly at every level:
    二级类 -> 一级类 and 二级类 -> 三大类 (both by the reference's own class table),
    units -> total, every figure at the unit's precision and within one unit of its exact
    value; on the sample and on 40 random footprints drawn over the DLTB (seeded), where
    the geometric rows must also partition the covered part of each footprint.
  * Field aliases (--field DLBM=地类编码) and case-insensitive default field names give
    the same figures; bad land-use options and layers are refused with exit 2 and a
    message; no input file changes.
The figures assume what tests/reference/README.md states: an area covered by two parcels
goes to the parcel with the lowest FID, and covered/uncovered/double are geometric in
both methods.  Usage: test_landuse.py REDLINE SRCDIR   (standard library + ogr2ogr)
"""
import csv
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, digest, summary  # noqa: E402
import testlib  # noqa: E402

REDLINE, SRC = sys.argv[1], sys.argv[2]
SAMPLES = os.path.join(SRC, "sample_shapes")
REF = os.path.join(SRC, "tests", "reference")
sys.path.insert(0, REF)
import landuse_reference as table  # noqa: E402  (the independent class table: level1(), top())

S = lambda name: os.path.join("sample_shapes", name)
CONTROLS = ["--eco", S("eco.shp"), "--farmland", S("farmland.shp"), "--udb", S("udb.shp")]
SOURCES = {"shp": S("dltb.shp"), "gpkg": S("dltb.gpkg"), "zip": S("dltb.zip")}
UNITS = {"m2": (Decimal(1), 2), "ha": (Decimal(10000), 4), "mu": (Decimal(10000) / 15, 2)}
before = digest(SAMPLES)


def run(*args, cwd=SRC):
    return testlib.run(REDLINE, *args, cwd=cwd)


def close(a, b, rel=1e-6, abs_tol=0.01):
    return a is not None and abs(float(a) - b) <= max(rel * abs(b), abs_tol)


def load_reference():
    """ref[(method, footprint)][kind] = list of rows (dicts with float areas)."""
    ref = defaultdict(lambda: defaultdict(list))
    with open(os.path.join(REF, "landuse_sample.csv"), encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            for k in ("area_m2", "state_m2", "collective_m2"):
                r[k] = float(r[k]) if r[k] != "" else None
            ref[(r["method"], r["footprint"])][r["kind"]].append(r)
    return ref


REFERENCE = load_reference()


def screen(*args):
    """(exit status, parsed JSON or None, stderr); numbers parsed as Decimal."""
    code, out, err = run("screen", *args)
    try:
        return code, json.loads(out, parse_float=Decimal), err
    except ValueError:
        return code, None, err


def landuse_of(doc, what):
    """{id: landuse object} for every footprint plus "ALL" for summary; failures counted."""
    out = {}
    if doc is None:
        check(False, "%s: no JSON on stdout" % what)
        return out
    for f in doc.get("footprints", []):
        lu = f.get("landuse")
        check(isinstance(lu, dict), "%s: footprint %s has a landuse object" % (what, f.get("id")))
        if isinstance(lu, dict):
            out[f["id"]] = lu
    lu = doc.get("summary", {}).get("landuse")
    check(isinstance(lu, dict), "%s: summary has a landuse object" % what)
    if isinstance(lu, dict):
        out["ALL"] = lu
    return out


def compare(lu, ref, what, method, level, rel=1e-6, abs_tol=0.01, noise=1e-7):
    """One landuse object against the reference rows of one footprint.  A figure may be
    off by rel of itself, or by abs_tol, or by noise x the footprint's area: measuring the
    same piece with extra vertices along a straight Gauss-Krueger edge changes its geodesic
    area by up to ~0.03 m2 per km of edge here, and a small figure derived from a large
    footprint (uncovered = area - covered) inherits the footprint's noise."""
    abs_tol = max(abs_tol, noise * ref["footprint"][0]["area_m2"])
    check(lu.get("method") == method, "%s: method %r" % (what, lu.get("method")))
    check("dltb" in str(lu.get("path", "")), "%s: path %r names the DLTB" % (what, lu.get("path")))
    for k in ("covered", "uncovered", "double"):
        want = ref[k][0]["area_m2"]
        got = lu.get(k + "_m2")
        check(close(got, want, rel, abs_tol), "%s: %s_m2 redline %s, reference %.6f"
              % (what, k, got, want))
    # classes: one entry per DLBM (0201K its own), area with 国有/集体 split
    got = {c.get("code"): c for c in lu.get("classes", [])}
    want = {r["code"]: r for r in ref["class"]}
    check(sorted(got) == sorted(want), "%s: class codes redline %s, reference %s"
          % (what, sorted(got), sorted(want)))
    for code, r in want.items():
        c = got.get(code, {})
        for k in ("area_m2", "state_m2", "collective_m2"):
            check(close(c.get(k), r[k], rel, abs_tol), "%s: class %s %s redline %s, reference %.6f"
                  % (what, code, k, c.get(k), r[k]))
        if code.isdigit():   # names of suffixed classes (0201K) are left to the implementation
            check(c.get("name") == r["name"], "%s: class %s name %r, want %r"
                  % (what, code, c.get("name"), r["name"]))
    got = {c.get("code"): c for c in lu.get("level1", [])}
    want = {r["code"]: r for r in ref["level1"]}
    check(sorted(got) == sorted(want), "%s: level1 codes redline %s, reference %s"
          % (what, sorted(got), sorted(want)))
    for code, r in want.items():
        c = got.get(code, {})
        check(close(c.get("area_m2"), r["area_m2"], rel, abs_tol),
              "%s: level1 %s redline %s, reference %.6f" % (what, code, c.get("area_m2"), r["area_m2"]))
        check(isinstance(c.get("name"), str) and c.get("name"), "%s: level1 %s has a name" % (what, code))
    t = lu.get("top", {})
    for r in ref["top"]:
        got_t = t.get(r["code"] + "_m2")
        check(close(got_t, r["area_m2"], rel, abs_tol), "%s: top %s redline %s, reference %.6f"
              % (what, r["code"], got_t, r["area_m2"]))
    if level:
        got = {u.get("code"): u for u in lu.get("units", [])}
        want = {r["code"]: r for r in ref[level]}
        check(sorted(got) == sorted(want), "%s: %s codes redline %s, reference %s"
              % (what, level, sorted(got), sorted(want)))
        for code, r in want.items():
            u = got.get(code, {})
            check(u.get("level") == level, "%s: unit %s level %r" % (what, code, u.get("level")))
            check(close(u.get("area_m2"), r["area_m2"], rel, abs_tol),
                  "%s: unit %s redline %s, reference %.6f" % (what, code, u.get("area_m2"), r["area_m2"]))


def test_against_reference():
    """All footprints and the run total, both methods, the three deliveries, all levels."""
    for src_name, src in SOURCES.items():
        for method in ("geometric", "attribute"):
            levels = ("county", "town", "village") if src_name == "shp" else ("village",)
            for level in levels:
                what = "%s %s by %s" % (src_name, method, level)
                args = CONTROLS + ["--landuse", src, "--landuse-by", level, "--id-field", "XMBH",
                                   "-f", "json", S("projects.shp")]
                if method != "geometric" or level == "town":
                    args[len(CONTROLS) + 2:len(CONTROLS) + 2] = ["--landuse-method", method]
                code, doc, err = screen(*args)
                check(code == 1, "%s: exit %d (eco/farmland conflicts), %s" % (what, code, err.strip()))
                lus = landuse_of(doc, what)
                check(sorted(lus) == sorted(["P%02d" % i for i in range(1, 11)] + ["ALL"]),
                      "%s: a landuse object for P01-P10 and the summary: %s" % (what, sorted(lus)))
                for fp, lu in lus.items():
                    compare(lu, REFERENCE[(method, fp)], "%s %s" % (what, fp), method, level)


def test_landuse_alone_and_jobs():
    """No control at all: nothing can conflict, exit 0; --jobs does not change a byte."""
    outs = []
    for jobs in ("1", "4"):
        code, out, err = run("screen", "--landuse", S("dltb.shp"), "--id-field", "XMBH",
                             "--jobs", jobs, "-f", "json", S("projects.shp"))
        check(code == 0, "--landuse without controls exits 0 (got %d): %s" % (code, err.strip()))
        outs.append(out)
    check(outs[0] == outs[1] and outs[0], "--jobs 1 and --jobs 4 give identical JSON")
    try:
        lus = landuse_of(json.loads(outs[0], parse_float=Decimal), "no controls")
    except ValueError:
        lus = {}
        check(False, "no controls: JSON")
    for fp in ("P03", "P08", "ALL"):
        check(fp in lus, "no controls: %s has a landuse object" % fp)
        if fp in lus:
            compare(lus[fp], REFERENCE[("geometric", fp)], "no controls " + fp, "geometric", None)


def test_hand_worked_p04():
    """P04 over the four rectangles of block D, planar: exact figures worked by hand."""
    code, doc, err = screen("--landuse", S("dltb.shp"), "--landuse-by", "village", "--area", "planar",
                            "--id-field", "XMBH", "-f", "json", S("projects.shp"))
    check(code == 0, "planar land-use run exits 0 (got %d): %s" % (code, err.strip()))
    lu = landuse_of(doc, "planar").get("P04")
    if lu is not None:
        compare(lu, REFERENCE[("hand_planar", "P04")], "hand-worked P04 (planar)", "geometric",
                "village", rel=1e-9, abs_tol=1e-6, noise=0)


def dec(x):
    return x if isinstance(x, Decimal) else Decimal(repr(x))


def rounded_area(row, key="area"):
    """A rounded figure: the SPEC's "same shape" may keep the _m2 names or drop the
    suffix (the figures are in the chosen unit); one of the two must be there."""
    v = row.get(key + "_m2", row.get(key))
    return Decimal("NaN") if v is None else dec(v)


def check_rounding(lu, unit, what):
    """`rounded`: every figure at the unit's precision, within one unit of the exact
    value, and each level the exact sum of the rows below it (by the independent table)."""
    factor, places = UNITS[unit]
    q = Decimal(1).scaleb(-places)
    r = lu.get("rounded")
    check(isinstance(r, dict), "%s: has rounded" % what)
    if not isinstance(r, dict):
        return
    exact = {c["code"]: Decimal(str(c["area_m2"])) / factor for c in lu.get("classes", [])}
    rc = {c.get("code"): rounded_area(c) for c in r.get("classes", [])}
    check(sorted(rc) == sorted(exact), "%s: rounded class codes %s" % (what, sorted(rc)))
    for code, v in rc.items():
        check(v.is_finite() and v == v.quantize(q), "%s: rounded %s = %s has %d decimals"
              % (what, code, v, places))
        if code in exact and v.is_finite():
            check(abs(v - exact[code]) < q, "%s: rounded %s = %s, exact %s: off by a unit or more"
                  % (what, code, v, exact[code]))
    if not all(v.is_finite() for v in rc.values()):
        return
    total = sum(rc.values(), Decimal(0))
    check(abs(total - sum(exact.values(), Decimal(0))) <= q,
          "%s: rounded classes add up to %s, exact total %s" % (what, total, sum(exact.values(), Decimal(0))))
    l1 = defaultdict(Decimal)
    tops = defaultdict(Decimal)
    for code, v in rc.items():
        l1[table.level1(code)] += v
        tops[table.top(code)] += v
    rl1 = {c.get("code"): rounded_area(c) for c in r.get("level1", [])}
    check(rl1 == dict(l1), "%s: rounded level1 %s are not the sums of rounded classes %s"
          % (what, rl1, dict(l1)))
    rt = r.get("top", {})
    for t in ("agricultural", "construction", "unused"):
        got = rounded_area(rt, t)
        check(got == tops[t], "%s: rounded top %s = %s, sum of its rounded classes %s"
              % (what, t, got, tops[t]))
    units = [rounded_area(u) for u in r.get("units", [])]
    if lu.get("units"):
        check(sum(units, Decimal(0)) == total, "%s: rounded units add up to %s, classes to %s"
              % (what, sum(units, Decimal(0)), total))


def test_rounding_on_the_sample():
    for src_name, src in SOURCES.items():
        for unit in UNITS:
            for method in ("geometric", "attribute"):
                what = "rounding %s %s %s" % (src_name, unit, method)
                code, doc, err = screen("--landuse", src, "--landuse-method", method,
                                        "--landuse-by", "village", "--units", unit,
                                        "--id-field", "XMBH", "-f", "json", S("projects.shp"))
                check(code == 0, "%s: exit %d, %s" % (what, code, err.strip()))
                lus = landuse_of(doc, what)
                for fp, lu in lus.items():
                    check_rounding(lu, unit, "%s %s" % (what, fp))


def random_footprints(path, n=40, seed=13):
    """n random convex-ish polygons over the three DLTB blocks (some reach past them, so
    some area is uncovered), written as GeoJSON in EPSG:4527 (X = 39515000 + u)."""
    rnd = random.Random(seed)
    # local (u, v) boxes around blocks B, C and D of make_samples.py, slightly enlarged
    boxes = [(150, 2100, -2900, -1500), (4300, 5700, -2150, -1000), (5500, 6200, 3050, 3700)]
    feats = []
    for i in range(n):
        u0, u1, v0, v1 = boxes[i % 3]
        cu, cv = rnd.uniform(u0, u1), rnd.uniform(v0, v1)
        rad = rnd.uniform(20, 400)
        k = rnd.randint(3, 7)
        angles = sorted(rnd.uniform(0, 6.283185307) for _ in range(k))
        ring = [[39515000 + cu + rad * rnd.uniform(0.5, 1) * math.cos(a),
                 4415000 + cv + rad * rnd.uniform(0.5, 1) * math.sin(a)] for a in angles]
        ring.append(ring[0])
        feats.append({"type": "Feature", "properties": {"ID": "R%02d" % i},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"type": "FeatureCollection",
                   "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4527"}},
                   "features": feats}, fh)


def test_rounding_on_random_footprints(tmp):
    fp = os.path.join(tmp, "random.geojson")
    random_footprints(fp)
    for unit in UNITS:
        for method in ("geometric", "attribute"):
            for level in ("county", "village"):
                what = "random %s %s by %s" % (unit, method, level)
                code, doc, err = screen("--landuse", S("dltb.shp"), "--landuse-method", method,
                                        "--landuse-by", level, "--units", unit,
                                        "--id-field", "ID", "-f", "json", fp)
                check(code == 0, "%s: exit %d, %s" % (what, code, err.strip()))
                lus = landuse_of(doc, what)
                check(len(lus) == 41, "%s: 40 footprints and the summary" % what)
                for fid, lu in lus.items():
                    check_rounding(lu, unit, "%s %s" % (what, fid))
                    if method != "geometric":
                        continue
                    # the geometric rows partition the covered part of the footprint, and
                    # of the union of the footprints for the total (they overlap here)
                    area = (float(lu.get("area_m2", -1)) if fid == "ALL" else
                            next(float(f["area_m2"]) for f in doc["footprints"] if f["id"] == fid))
                    cov, unc = float(lu.get("covered_m2", -1)), float(lu.get("uncovered_m2", -1))
                    dbl = float(lu.get("double_m2", -1))
                    rows = sum(float(c["area_m2"]) for c in lu.get("classes", []))
                    check(close(cov + unc, area, 1e-7), "%s %s: covered %s + uncovered %s != area %s"
                          % (what, fid, cov, unc, area))
                    check(close(rows, cov, 1e-7), "%s %s: classes add up to %s, covered %s"
                          % (what, fid, rows, cov))
                    check(0 <= dbl <= cov + 0.01, "%s %s: double %s within covered %s" % (what, fid, dbl, cov))
                    check(cov <= area + 0.01 and unc >= -0.01, "%s %s: covered %s, uncovered %s, area %s"
                          % (what, fid, cov, unc, area))
                    for c in lu.get("classes", []):
                        check(close(float(c["state_m2"]) + float(c["collective_m2"]), float(c["area_m2"]), 1e-9),
                              "%s %s: class %s 国有 + 集体 = area (every sample QSXZ is 10-40)"
                              % (what, fid, c.get("code")))


def flat(lu):
    """{(kind, code): area} of every figure of a landuse object (units by level)."""
    out = {("area", ""): lu.get("area_m2")}
    for k in ("covered", "uncovered", "double"):
        out[(k, "")] = lu.get(k + "_m2")
    for c in lu.get("classes", []):
        for k in ("area_m2", "state_m2", "collective_m2"):
            out[("class " + k, c.get("code"))] = c.get(k)
    for c in lu.get("level1", []):
        out[("level1", c.get("code"))] = c.get("area_m2")
    for k, v in lu.get("top", {}).items():
        out[("top", k)] = v
    for u in lu.get("units", []):
        out[(u.get("level"), u.get("code"))] = u.get("area_m2")
    return out


def test_overlapping_footprints(tmp):
    """The run total is the breakdown of the union of the footprints: land that two
    footprints share counts once (issue 13, item 7).  (1) P01 and P02 each twice: the
    total is PostGIS's P01 + P02 (the sample footprints are apart).  (2) 40 random
    footprints that overlap: the total equals the breakdown of their union, taken by
    SpatiaLite (GDAL's SQLite dialect) and screened as one footprint."""
    twice = os.path.join(tmp, "twice.gpkg")
    ogr2ogr("-f", "GPKG", twice, os.path.join(SAMPLES, "projects.shp"), "-nln", "twice",
            "-dialect", "SQLite", "-sql",
            "SELECT geometry, XMBH FROM projects WHERE XMBH IN ('P01', 'P02') UNION ALL "
            "SELECT geometry, XMBH || 'b' AS XMBH FROM projects WHERE XMBH IN ('P01', 'P02')")
    for method in ("geometric", "attribute"):
        what = "P01, P02 twice, %s" % method
        code, doc, err = screen("--landuse", S("dltb.shp"), "--landuse-method", method,
                                "--landuse-by", "village", "--id-field", "XMBH", "-f", "json", twice)
        check(code == 0, "%s: exit %d, %s" % (what, code, err.strip()))
        lus = landuse_of(doc, what)
        check(sorted(lus) == ["ALL", "P01", "P01b", "P02", "P02b"], "%s: ids %s" % (what, sorted(lus)))
        if "ALL" not in lus:
            continue
        got = flat(lus["ALL"])
        want = defaultdict(float)
        for fp in ("P01", "P02"):
            ref = REFERENCE[(method, fp)]
            want[("area", "")] += ref["footprint"][0]["area_m2"]
            for k in ("covered", "uncovered", "double"):
                want[(k, "")] += ref[k][0]["area_m2"]
            for r in ref["class"]:
                for k in ("area_m2", "state_m2", "collective_m2"):
                    want[("class " + k, r["code"])] += r[k]
            for r in ref["level1"]:
                want[("level1", r["code"])] += r["area_m2"]
            for r in ref["top"]:
                want[("top", r["code"] + "_m2")] += r["area_m2"]
            for r in ref["village"]:
                want[("village", r["code"])] += r["area_m2"]
        for key in ("county", "town"):
            got = {k: v for k, v in got.items() if k[0] != key}
        got = {k: v for k, v in got.items() if not (k[0] == "top" and float(v) == 0 and k not in want)}
        check(sorted(got) == sorted(want), "%s: figures redline %s, PostGIS %s"
              % (what, sorted(set(got) ^ set(want)), ""))
        for k, v in want.items():
            check(close(got.get(k), v, 1e-7), "%s: total %s %s redline %s, PostGIS P01 + P02 %.6f"
                  % (what, k[0], k[1], got.get(k), v))
    # the valid ones only: the union must not depend on a repair
    rnd = os.path.join(tmp, "random.geojson")
    random_footprints(rnd)
    fp, union = os.path.join(tmp, "valid.gpkg"), os.path.join(tmp, "union.gpkg")
    ogr2ogr("-f", "GPKG", fp, rnd, "-nln", "v", "-dialect", "SQLite", "-sql",
            "SELECT * FROM random WHERE ST_IsValid(geometry)")
    ogr2ogr("-f", "GPKG", union, fp, "-nln", "u", "-a_srs", "EPSG:4527", "-nlt", "MULTIPOLYGON",
            "-dialect", "SQLite", "-sql",
            "SELECT CastToMultiPolygon(ST_Union(geometry)) AS geometry, 'U' AS ID FROM v")
    for method in ("geometric", "attribute"):
        what = "random footprints, %s" % method
        code, doc, err = screen("--landuse", S("dltb.shp"), "--landuse-method", method,
                                "--id-field", "ID", "-f", "json", fp)
        code2, doc2, err2 = screen("--landuse", S("dltb.shp"), "--landuse-method", method,
                                   "--id-field", "ID", "-f", "json", union)
        check(code == 0 and code2 == 0, "%s: exit %d, %d: %s %s" % (what, code, code2, err, err2))
        a = flat(landuse_of(doc, what).get("ALL", {}))
        one = landuse_of(doc2, what + " (union)")
        b = flat(one.get("U", {}))
        b[("area", "")] = doc2["footprints"][0]["area_m2"] if doc2 else None
        check(sorted(a) == sorted(b), "%s: figures of the total %s, of the union %s"
              % (what, sorted(set(a) - set(b)), sorted(set(b) - set(a))))
        sum_fp = sum(float(f["area_m2"]) for f in doc["footprints"]) if doc else 0
        check(b[("area", "")] is not None and float(b[("area", "")]) < sum_fp - 1000,
              "%s: the footprints overlap (union %s, sum %s)" % (what, b[("area", "")], sum_fp))
        for k, v in b.items():
            check(v is not None and close(a.get(k), float(v), 1e-7),
                  "%s: total %s %s redline %s, union footprint %s" % (what, k[0], k[1], a.get(k), v))


def ogr2ogr(*args):
    p = subprocess.run(["ogr2ogr", *args], capture_output=True)
    check(p.returncode == 0, "ogr2ogr %s: %s" % (args, p.stderr.decode(errors="replace")))


def test_field_names(tmp):
    """Another delivery's field names: aliases with --field, default names in any case."""
    renamed = os.path.join(tmp, "renamed.gpkg")
    ogr2ogr("-f", "GPKG", renamed, os.path.join(SAMPLES, "dltb.shp"), "-nln", "dltb", "-sql",
            'SELECT DLBM AS "地类编码", DLMC AS "地类名称", QSXZ AS "权属性质", ZLDWDM AS "坐落单位代码", '
            'ZLDWMC AS "坐落单位名称", KCDLBM, KCXS, KCMJ, TBMJ, TBDLMJ FROM dltb')
    lower = os.path.join(tmp, "lower.gpkg")
    ogr2ogr("-f", "GPKG", lower, os.path.join(SAMPLES, "dltb.shp"), "-nln", "dltb", "-sql",
            "SELECT dlbm, dlmc, qsxz, zldwdm, zldwmc, kcdlbm, kcxs, kcmj, tbmj, tbdlmj FROM dltb")
    alias = ["--field", "DLBM=地类编码", "--field", "DLMC=地类名称", "--field", "QSXZ=权属性质",
             "--field", "ZLDWDM=坐落单位代码", "--field", "ZLDWMC=坐落单位名称"]
    for what, src, extra in (("aliases", renamed, alias), ("lower-case names", lower, [])):
        for method in ("geometric", "attribute"):
            code, doc, err = screen("--landuse", src, "--landuse-method", method, *extra,
                                    "--landuse-by", "town", "--id-field", "XMBH", "-f", "json",
                                    S("projects.shp"))
            check(code == 0, "%s %s: exit %d, %s" % (what, method, code, err.strip()))
            for fp, lu in landuse_of(doc, what).items():
                lu["path"] = "dltb"     # a temporary copy
                compare(lu, REFERENCE[(method, fp)], "%s %s %s" % (what, method, fp), method, "town")
    # without the aliases the renamed layer has no DLBM: refused, naming the field
    expect_error(["--landuse", renamed, S("projects.shp")], ["DLBM", renamed],
                 "a DLTB without DLBM and no --field alias")


def test_missing_unit_fields(tmp):
    """A DLTB with only DLBM, and one whose ZLDWDM is null everywhere: the units
    table has one row of unknown unit ("" code) holding all the covered land, every
    run alike (the code was once read from an unset buffer)."""
    only = os.path.join(tmp, "only_dlbm.gpkg")
    ogr2ogr("-f", "GPKG", only, os.path.join(SAMPLES, "dltb.shp"), "-nln", "dltb", "-sql",
            "SELECT DLBM FROM dltb")
    nullz = os.path.join(tmp, "null_zldwdm.gpkg")
    ogr2ogr("-f", "GPKG", nullz, os.path.join(SAMPLES, "dltb.shp"), "-nln", "dltb", "-sql",
            "SELECT DLBM, DLMC, QSXZ, CAST(NULL AS character(19)) AS ZLDWDM, KCDLBM, KCXS "
            "FROM dltb")
    for src in (only, nullz):
        outs = set()
        for by in ("county", "town", "village"):
            for jobs in ("1", "2", "1"):
                code, out, err = run("screen", "--landuse", src, "--landuse-by", by,
                                     "--id-field", "XMBH", "--jobs", jobs, "-f", "json",
                                     S("projects.shp"))
                outs.add((by, out))
                doc = json.loads(out) if code == 0 else {}
                lus = [f["landuse"] for f in doc.get("footprints", []) if f.get("landuse")]
                lus.append(doc.get("summary", {}).get("landuse", {}))
                for lu in lus:
                    want = [{"code": "", "name": None, "level": by,
                             "area_m2": lu.get("covered_m2")}] if lu.get("covered_m2") else []
                    check(lu.get("units") == want, "%s --landuse-by %s: units %r, want %r"
                          % (os.path.basename(src), by, lu.get("units"), want))
        check(len(outs) == 3, "%s: --jobs 1, 2, 1 give the same bytes (%d distinct for 3 levels)"
              % (os.path.basename(src), len(outs)))


def expect_error(args, needles, what):
    code, out, err = run("screen", *args)
    check(code == 2 and all(n in err for n in needles),
          "%s: exit %d, stderr %r (want 2 with %s)" % (what, code, err.strip(), needles))


def test_bad_input(tmp):
    missing = os.path.join(tmp, "missing_dltb.shp")
    expect_error(["--landuse", missing, S("projects.shp")], [missing], "missing DLTB")
    expect_error(["--landuse", S("dltb.shp"), "--landuse-method", "bogus", S("projects.shp")],
                 ["--landuse-method", "bogus"], "unknown --landuse-method")
    expect_error(["--landuse", S("dltb.shp"), "--landuse-by", "province", S("projects.shp")],
                 ["--landuse-by", "province"], "unknown --landuse-by")
    expect_error(["--landuse", S("eco.shp"), S("projects.shp")], ["DLBM", "eco.shp"],
                 "a layer without DLBM given as DLTB")
    expect_error(["--landuse"], ["--landuse"], "--landuse without a value")


def test_pieces_carry_the_parcel(tmp):
    """--pieces carries DLBM, DLMC, QSXZ and ZLDWDM (issue 13, Outputs)."""
    out = os.path.join(tmp, "pieces.gpkg")
    code, _, err = run("screen", *CONTROLS, "--landuse", S("dltb.shp"), "--id-field", "XMBH",
                       "--pieces", out, "-f", "json", S("projects.shp"))
    check(code == 1, "--pieces with --landuse: exit %d, %s" % (code, err.strip()))
    p = subprocess.run(["ogrinfo", "-ro", "-al", "-so", out], capture_output=True)
    info = p.stdout.decode(errors="replace")
    for f in ("DLBM", "DLMC", "QSXZ", "ZLDWDM"):
        check(f + ":" in info, "--pieces output has field %s" % f)


def main():
    tmp = tempfile.mkdtemp(prefix="rllanduse.")
    try:
        test_against_reference()
        test_landuse_alone_and_jobs()
        test_hand_worked_p04()
        test_rounding_on_the_sample()
        test_rounding_on_random_footprints(tmp)
        test_overlapping_footprints(tmp)
        test_field_names(tmp)
        test_missing_unit_fields(tmp)
        test_bad_input(tmp)
        test_pieces_carry_the_parcel(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    check(digest(SAMPLES) == before, "sample_shapes/ is byte-identical after all runs")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
