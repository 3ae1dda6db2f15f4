#!/usr/bin/env python3
"""Stress tests for `--jobs`: the same command run many times with 1, 2, 4 and
8 workers must write byte-identical JSON every time, and the figures must be
sane.  The data are generated here (seeded, so every run of the test sees the
same bytes) and are meant to provoke races: hundreds of footprints that need
repair (rings wound twice, bow-ties, zero-width spikes) in a CRS other than
the controls', inside, across and outside control polygons.

Why generated and why so many runs: a race between two worker threads shows
up only in some interleavings, so one run proves little.  Valid rectangles
(what the other --jobs tests use) never reach the repair code, so the
footprints here are mostly invalid on purpose.

Standard library plus the ogr2ogr program.
Usage: test_stress.py REDLINE SRCDIR [screen|diff|area|audit ...]
(no command names: all four).  RL_STRESS_REPEAT sets the number of runs per
--jobs value (default 20); RL_STRESS_JOBS (default "1,2,4,8") the
--jobs values, the first being the reference; RL_STRESS_KEEP=1 keeps the
generated data and prints where it is.
"""
import hashlib
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, summary  # noqa: E402
import testlib  # noqa: E402

REDLINE, SRC = sys.argv[1], sys.argv[2]
COMMANDS = sys.argv[3:] or ["screen", "diff", "area", "audit"]
REPEAT = int(os.environ.get("RL_STRESS_REPEAT", "20"))
# The --jobs values; the first is the reference.  RL_STRESS_JOBS="1,2" narrows
# the set when chasing one failure.
JOBS = tuple(int(j) for j in os.environ.get("RL_STRESS_JOBS", "1,2,4,8").split(","))
# How many differing runs are described in full per command and --jobs value;
# the rest are only counted, so a badly broken build does not bury the log.
DETAIL = 3

# CGCS2000 / 3-degree Gauss-Krüger zone 39 (EPSG:4527) has zone-prefixed
# eastings; the generated area lies around 117°E 30°N, on the zone's central
# meridian, so the same place is x ≈ 39 500 000 in EPSG:4527 and
# x ≈ 500 000 in EPSG:4549 (same projection without the zone prefix).
X0, Y0 = 39_496_000.0, 3_320_000.0
NX, NY, PITCH = 20, 20, 400.0          # one footprint per 400 m cell: 400 in all
ZONE_PREFIX = 39_000_000.0

# --------------------------------------------------------------------------
# Geometry generation (metres, EPSG:4527)
# --------------------------------------------------------------------------


def rotate(pts, cx, cy, angle):
    """pts (relative to the centre) rotated by angle, moved to (cx, cy); rounded
    to the millimetre so the GeoJSON text is short and the same on every run."""
    c, s = math.cos(angle), math.sin(angle)
    return [[round(cx + x * c - y * s, 3), round(cy + x * s + y * c, 3)] for x, y in pts]


def square_pts(h):
    return [(-h, -h), (h, -h), (h, h), (-h, h), (-h, -h)]


def shape(kind, h, spike):
    """A ring (relative to its centre) of the given kind and half-size h.

    valid   a rectangle;
    double  a square traversed twice (self-overlapping ring: MakeValid gives
            the square back);
    bowtie  a figure-eight (self-crossing: MakeValid gives two triangles);
    spike   a square with a zero-width spike out of its right edge, out and
            back along the same segment (MakeValid drops the spike)."""
    if kind == "valid":
        return [(-h, -0.6 * h), (h, -0.6 * h), (h, 0.6 * h), (-h, 0.6 * h), (-h, -0.6 * h)]
    if kind == "double":
        sq = square_pts(h)
        return sq[:-1] + sq
    if kind == "bowtie":
        return [(-h, -h), (h, h), (h, -h), (-h, h), (-h, -h)]
    if kind == "spike":
        return [(-h, -h), (h, -h), (h, 0), (h + spike, 0), (h, 0), (h, h), (-h, h), (-h, -h)]
    raise ValueError(kind)


def feature(props, rings):
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Polygon", "coordinates": rings}}


def rect(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def write_geojson(path, features):
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"type": "FeatureCollection", "features": features}, fh, ensure_ascii=False)


def ogr2ogr(dst, src, *args):
    """Convert with ogr2ogr; -a_srs / -s_srs / -t_srs come in args.  The GPKG
    and Shapefile drivers write invalid polygons as given (no repair), which
    is what these tests need."""
    subprocess.run(["ogr2ogr", *args, dst, src], check=True, capture_output=True)


def make_screen_data(tmp, rnd):
    """Footprints, eco squares, farmland parcels and UDB polygons.

    Returns (paths, truth): truth maps footprint id to (kind, place), where
    place is 'inside' (wholly inside its cell's eco square), 'across' (over
    the square's right edge) or 'outside' (a cell without an eco square)."""
    eco, fps, truth = [], [], {}
    kinds = ["double", "bowtie", "spike", "valid"]
    for j in range(NY):
        for i in range(NX):
            n = j * NX + i
            ox, oy = X0 + i * PITCH, Y0 + j * PITCH
            r = rnd.random()
            place = "inside" if r < 0.45 else "across" if r < 0.7 else "outside"
            # Mostly invalid footprints: the repair path is what is under test.
            kind = kinds[n % 4] if n % 8 else "valid"
            if place != "outside":
                # The cell's eco square: 240 m, x in [ox+40, ox+280].
                eco.append(feature({"HXBH": "E%03d" % len(eco), "HXMC": "生态红线%d号" % len(eco)},
                                   [rect(ox + 40, oy + 80, ox + 280, oy + 320)]))
            spike = rnd.uniform(10, 30)
            if place == "inside":
                # Keep the whole figure (spike included) 5 m inside the square.
                h = rnd.uniform(20, 55)
                reach = h * math.sqrt(2) + (spike if kind == "spike" else 0)
                room = 120 - reach - 5
                cx = ox + 160 + rnd.uniform(-room, room)
                cy = oy + 200 + rnd.uniform(-room, room)
            elif place == "across":
                # Centred on the right edge; the neighbour's square starts
                # 160 m further right, out of reach.
                h = rnd.uniform(25, 50)
                cx, cy = ox + 280, oy + 200 + rnd.uniform(-60, 60)
            else:
                h = rnd.uniform(20, 60)
                cx, cy = ox + 200 + rnd.uniform(-40, 40), oy + 200 + rnd.uniform(-40, 40)
            fid = "F%03d" % n
            truth[fid] = (kind, place)
            ring = rotate(shape(kind, h, spike), cx, cy, rnd.uniform(0, math.pi))
            fps.append(feature({"ID": fid, "KIND": kind, "PLACE": place}, [ring]))
    # Farmland: a 32 × 32 grid of 30 m parcels (40 m pitch) over part of the
    # area, in EPSG:4548 (zone 39's CM 117°E without the zone prefix); every
    # 37th parcel is a bow-tie.
    farm = []
    fx0, fy0 = X0 + 2000 - ZONE_PREFIX, Y0 + 3000
    for j in range(32):
        for i in range(32):
            x, y = fx0 + i * 40, fy0 + j * 40
            n = j * 32 + i
            ring = rect(x, y, x + 30, y + 30)
            if n % 37 == 0:
                ring = [ring[0], ring[2], ring[1], ring[3], ring[0]]
            farm.append(feature({"DLBM": "0101" if n % 3 else "0103", "N": n}, [ring]))
    # UDB: three bigger polygons, one with a hole; reprojected to EPSG:4490.
    udb = [
        feature({"NAME": "west"}, [rect(X0, Y0, X0 + 3000, Y0 + 8000),
                                   rect(X0 + 1000, Y0 + 1000, X0 + 2000, Y0 + 2000)]),
        feature({"NAME": "north"}, [rect(X0 + 2500, Y0 + 5000, X0 + 8000, Y0 + 8000)]),
        feature({"NAME": "east"}, [[[X0 + 6000, Y0], [X0 + 8000, Y0], [X0 + 8000, Y0 + 4000],
                                    [X0 + 5000, Y0 + 3000], [X0 + 6000, Y0]]]),
    ]
    src = os.path.join(tmp, "src")
    os.makedirs(src, exist_ok=True)
    paths = {}
    # Two footprint files: rows 0-13 reprojected to EPSG:4490 lon/lat (GPKG),
    # rows 14-19 left in the controls' EPSG:4527 (Shapefile), so both the
    # reprojecting and the same-CRS paths are exercised.
    split = 14 * NX
    write_geojson(os.path.join(src, "fp_a.geojson"), fps[:split])
    write_geojson(os.path.join(src, "fp_b.geojson"), fps[split:])
    paths["fp"] = [os.path.join(tmp, "fp_4490.gpkg"), os.path.join(tmp, "fp_4527.shp")]
    ogr2ogr(paths["fp"][0], os.path.join(src, "fp_a.geojson"), "-s_srs", "EPSG:4527",
            "-t_srs", "EPSG:4490", "-nln", "footprints")
    ogr2ogr(paths["fp"][1], os.path.join(src, "fp_b.geojson"), "-a_srs", "EPSG:4527",
            "-lco", "ENCODING=UTF-8")
    write_geojson(os.path.join(src, "eco.geojson"), eco)
    paths["eco"] = os.path.join(tmp, "eco_4527.shp")
    ogr2ogr(paths["eco"], os.path.join(src, "eco.geojson"), "-a_srs", "EPSG:4527",
            "-lco", "ENCODING=UTF-8")
    write_geojson(os.path.join(src, "farm.geojson"), farm)
    paths["farmland"] = os.path.join(tmp, "farmland_4548.shp")
    ogr2ogr(paths["farmland"], os.path.join(src, "farm.geojson"), "-a_srs", "EPSG:4548")
    write_geojson(os.path.join(src, "udb.geojson"), udb)
    paths["udb"] = os.path.join(tmp, "udb_4490.gpkg")
    ogr2ogr(paths["udb"], os.path.join(src, "udb.geojson"), "-s_srs", "EPSG:4527",
            "-t_srs", "EPSG:4490", "-nln", "udb")
    return paths, truth, fps


def make_diff_data(tmp, rnd):
    """Two versions of a red-line layer, OLD in EPSG:4527 (Shapefile) and NEW
    in EPSG:4490 (GPKG), both full of polygons that need repair.  NEW drops
    some polygons, grows some, moves some, splits some into halves (no
    change) and lists the rest in another order (no change)."""
    types = ["水源涵养", "水土保持", "生物多样性维护"]
    kinds = ["double", "bowtie", "spike", "valid"]
    old, new = [], []
    for n in range(160):
        i, j = n % 16, n // 16
        # 400 m apart and up to 226 m reach: many neighbours overlap (the
        # self-overlap area and unions across features get exercised).
        cx, cy = X0 + 200 + i * 400, Y0 + 200 + j * 400 + (n % 3) * 20
        h = rnd.uniform(80, 160)
        kind = kinds[n % 4]
        ang = rnd.uniform(0, math.pi)
        spike = rnd.uniform(10, 40)
        props = {"HXBH": "H%03d" % n, "HXLX": types[n % 3]}
        old.append(feature(props, [rotate(shape(kind, h, spike), cx, cy, ang)]))
        fate = rnd.random()
        if fate < 0.1:
            continue                                   # lost
        if fate < 0.2:                                 # grown: gained area
            new.append(feature(props, [rotate(shape(kind, h * 1.15, spike), cx, cy, ang)]))
        elif fate < 0.3:                               # moved 30 m: lost and gained
            new.append(feature(props, [rotate(shape(kind, h, spike), cx + 30, cy, ang)]))
        elif fate < 0.4 and kind == "valid":
            # Split along x = 0 into two halves: no change in the union.
            left = [(-h, -0.6 * h), (0, -0.6 * h), (0, 0.6 * h), (-h, 0.6 * h), (-h, -0.6 * h)]
            right = [(0, -0.6 * h), (h, -0.6 * h), (h, 0.6 * h), (0, 0.6 * h), (0, -0.6 * h)]
            new.append(feature(props, [rotate(left, cx, cy, ang)]))
            new.append(feature(props, [rotate(right, cx, cy, ang)]))
        else:
            new.append(feature(props, [rotate(shape(kind, h, spike), cx, cy, ang)]))
    rnd.shuffle(new)
    src = os.path.join(tmp, "src")
    os.makedirs(src, exist_ok=True)
    write_geojson(os.path.join(src, "old.geojson"), old)
    write_geojson(os.path.join(src, "new.geojson"), new)
    o, nw = os.path.join(tmp, "eco_old_4527.shp"), os.path.join(tmp, "eco_new_4490.gpkg")
    ogr2ogr(o, os.path.join(src, "old.geojson"), "-a_srs", "EPSG:4527", "-lco", "ENCODING=UTF-8")
    ogr2ogr(nw, os.path.join(src, "new.geojson"), "-s_srs", "EPSG:4527", "-t_srs", "EPSG:4490",
            "-nln", "eco")
    return o, nw


def make_audit_data(tmp, fps):
    """A delivery folder: the first 160 screen footprints (every kind and
    place), split into four files in three formats and two CRSs, two inside a
    sub-folder.  Not all 400 in more files: audit forks a child per file and
    each child reads the controls again, so a run costs several screen runs
    and the test would take minutes longer."""
    root = os.path.join(tmp, "delivery")
    src = os.path.join(tmp, "src", "audit")
    os.makedirs(os.path.join(root, "sub"), exist_ok=True)
    os.makedirs(src, exist_ok=True)
    layout = [("a.gpkg", "4490"), ("b.shp", "4527"), ("sub/c.geojson", "4490"),
              ("sub/d.gpkg", "4527")]
    fps = fps[:160]
    per = len(fps) // len(layout)
    for k, (name, epsg) in enumerate(layout):
        part = os.path.join(src, "part%d.geojson" % k)
        write_geojson(part, fps[k * per:(k + 1) * per])
        srs = (["-s_srs", "EPSG:4527", "-t_srs", "EPSG:4490"] if epsg == "4490"
               else ["-a_srs", "EPSG:4527"])
        ogr2ogr(os.path.join(root, name), part, *srs)
    return root

# --------------------------------------------------------------------------
# Running and comparing
# --------------------------------------------------------------------------


def first_difference(cmd, a, b):
    """A short description of the first place where two JSON outputs differ:
    for screen the first footprint, for audit the first file and footprint,
    for diff/area the first top-level field or group."""
    try:
        da, db = json.loads(a), json.loads(b)
    except ValueError as e:
        return "output is not JSON (%s)" % e

    def fp_brief(f):
        return {"verdict": f.get("verdict"), "area_m2": f.get("area_m2"),
                "repaired": f.get("repaired"),
                "overlap_m2": {k: v.get("overlap_m2") for k, v in f.get("controls", {}).items()}}

    def fps_diff(fa, fb, where):
        for x, y in zip(fa, fb):
            if x != y:
                return "%sfootprint %s (source %s fid %s): reference %s; this run %s" % (
                    where, x.get("id"), os.path.basename(str(x.get("source"))), x.get("fid"),
                    fp_brief(x), fp_brief(y))
        if len(fa) != len(fb):
            return "%s%d footprints vs %d" % (where, len(fa), len(fb))
        return None

    if cmd == "screen":
        d = fps_diff(da.get("footprints", []), db.get("footprints", []), "")
        if d:
            return d
    if cmd == "audit":
        for x, y in zip(da.get("files", []), db.get("files", [])):
            if x != y:
                d = fps_diff(x.get("footprints", []), y.get("footprints", []),
                             "file %s: " % x.get("path"))
                return d or "file %s: %s vs %s" % (x.get("path"), x, y)
    if "groups" in da:
        for x, y in zip(da["groups"], db.get("groups", [])):
            if x != y:
                return "group %s: reference %s; this run %s" % (x.get("key"), x, y)
    for k in da:
        if da.get(k) != db.get(k):
            return "field %r: reference %r; this run %r" % (k, da.get(k), db.get(k))
    return "same JSON value, different bytes (formatting or key order)"


def stress(cmd, args, sane, label=""):
    """Run `redline CMD ARGS -f json --jobs N` REPEAT times for every N in
    JOBS; every run must equal the first run (of JOBS[0]) byte for byte (exit
    status too), and every distinct output must pass sane(out, what), which
    returns a list of problems.  label tells two cases of one command apart
    in the messages."""
    t0 = time.monotonic()
    name = cmd + (" (%s)" % label if label else "")
    ref = None
    seen = set()         # sha256 of the outputs already checked by sane()
    for jobs in JOBS:
        bad = 0
        for k in range(REPEAT):
            full = [cmd, *args, "-f", "json", "--jobs", str(jobs)]
            code, out, err = testlib.run(REDLINE, *full)
            what = "redline %s --jobs %d, run %d/%d" % (name, jobs, k + 1, REPEAT)
            if ref is None:
                ref = (code, out)
                print("reference: %s -> exit %d, %d bytes" % (what, code, len(out)))
                if not out:
                    check(False, "%s wrote nothing (exit %d): %s" % (what, code, err.strip()))
                    return
            problems = []
            h = hashlib.sha256(out.encode("utf-8")).hexdigest()
            if h not in seen:
                # Wrong verdicts are checked once per distinct output: a
                # repeated output has nothing new to say.
                seen.add(h)
                problems = sane(out, what)
                if len(problems) > DETAIL:
                    problems[DETAIL:] = ["%s: and %d more problems"
                                         % (what, len(problems) - DETAIL)]
            if (code, out) != ref:
                bad += 1
                if bad <= DETAIL:
                    problems.append("%s: output differs from --jobs %d (exit %d vs %d): %s"
                                    % (what, JOBS[0], code, ref[0],
                                       first_difference(cmd, ref[1], out)))
            if problems:
                print("  command line: %s %s" % (REDLINE, " ".join(full)))
            for p in problems:
                check(False, p)
        check(bad == 0, "redline %s --jobs %d: %d of %d runs differ from --jobs %d"
              % (name, jobs, bad, REPEAT, JOBS[0]))
    print("%s: %d runs, %d distinct outputs, %.1f s" % (name, REPEAT * len(JOBS), len(seen),
                                                       time.monotonic() - t0))


def close(a, b, tol):
    return abs(a - b) <= tol


def screen_problems(footprints, truth, where):
    """What is wrong with a list of screened footprints, given the generated
    truth: a footprint wholly inside an eco square must be a conflict with
    (nearly) all its area in eco and, if it was invalid, "repaired": true; one
    across the edge overlaps eco partly; one in a cell without a square not
    at all."""
    out = []
    for f in footprints:
        fid = f.get("id")
        if fid not in truth:
            out.append("%s: unknown footprint id %r" % (where, fid))
            continue
        kind, place = truth[fid]
        eco = f.get("controls", {}).get("eco", {})
        ov, area = eco.get("overlap_m2", -1), f.get("area_m2", -1)
        tag = "%s: footprint %s (%s, %s eco)" % (where, fid, kind, place)
        if f.get("verdict") == "error" or area <= 0:
            out.append("%s: verdict %s, area %s m2" % (tag, f.get("verdict"), area))
            continue
        if f.get("repaired") != (kind != "valid"):
            out.append("%s: repaired is %s" % (tag, f.get("repaired")))
        if place == "inside":
            if f.get("verdict") != "conflict" or not close(ov, area, 1e-6 * area + 0.01):
                out.append("%s: verdict %s, eco overlap %s of %s m2; want conflict, all of it"
                           % (tag, f.get("verdict"), ov, area))
        elif place == "across":
            if not (0 < ov < area) or f.get("verdict") != "conflict":
                out.append("%s: verdict %s, eco overlap %s of %s m2; want conflict, part of it"
                           % (tag, f.get("verdict"), ov, area))
        elif ov != 0 or eco.get("hits"):
            out.append("%s: eco overlap %s m2, hits %s; want none"
                       % (tag, ov, eco.get("hits")))
    return out


def summary_problems(s, footprints, where):
    counts = {v: sum(f.get("verdict") == v for f in footprints)
              for v in ("pass", "warn", "conflict", "error")}
    want = dict(counts, footprints=len(footprints))
    got = {k: s.get(k) for k in want}
    return [] if got == want else ["%s: summary %s, footprints say %s" % (where, got, want)]


def test_screen(paths, truth):
    def sane(out, what):
        try:
            doc = json.loads(out)
        except ValueError as e:
            return ["%s: output is not JSON: %s" % (what, e)]
        fps = doc.get("footprints", [])
        p = screen_problems(fps, truth, what)
        if [f.get("id") for f in fps] != sorted(truth):
            p.append("%s: footprints not all there or not in input order" % what)
        p += summary_problems(doc.get("summary", {}), fps, what)
        if doc.get("summary", {}).get("error") != 0:
            p.append("%s: errors in summary" % what)
        return p

    # One control, as in the incident that prompted these tests: with fewer
    # controls than workers, some workers repair footprints while another
    # is still loading a control, which is when the loader and the repair
    # meet.  With three controls and --jobs 2 both workers load first.
    stress("screen", ["--eco", paths["eco"], "--id-field", "ID", *paths["fp"]], sane,
           "eco only")
    stress("screen", ["--eco", paths["eco"], "--farmland", paths["farmland"],
                      "--udb", paths["udb"], "--id-field", "ID", *paths["fp"]], sane,
           "eco, farmland, udb")

    # The figures summed over the union of footprints (--landuse's run total,
    # --use-field's per-value totals) on footprints that share land: the
    # lon/lat file is named twice, so every one of its footprints has a twin
    # whose land must count once.  The totals must equal a run without the
    # twins (an independent reading of "counted once") and the farmland
    # parcels (in another CRS) must be met.
    ctl = ["--eco", paths["eco"], "--farmland", paths["farmland"], "--udb", paths["udb"],
           "--landuse", paths["farmland"], "--use-field", "KIND", "--id-field", "ID"]
    code, once, err = testlib.run(REDLINE, "screen", *ctl, *paths["fp"], "-f", "json")
    base = json.loads(once)["summary"] if once else {}
    check(base.get("landuse", {}).get("covered_m2", 0) > 0 and
          any(u["overlap_m2"] > 0 for u in base.get("use", {}).get("farmland", [])),
          "stress data: footprints meet the farmland parcels (%s)" % err.strip())

    # Round-off must never show as a negative zero ("udb outside -0.00").
    code, table, _ = testlib.run(REDLINE, "screen", *ctl, *paths["fp"], paths["fp"][0])
    neg = re.findall(r"-0\.0+\b", table)
    check(code == 1 and not neg, "screen table: no negative zero (%d found)" % len(neg))

    def sane_twins(out, what):
        try:
            doc = json.loads(out)
        except ValueError as e:
            return ["%s: output is not JSON: %s" % (what, e)]
        fps = doc.get("footprints", [])
        s = doc.get("summary", {})
        p = summary_problems(s, fps, what)
        if len(fps) != len(truth) + 14 * NX:
            p.append("%s: %d footprints, want %d" % (what, len(fps), len(truth) + 14 * NX))
        lu, lu0 = s.get("landuse", {}), base.get("landuse", {})
        for k in ("area_m2", "covered_m2"):
            if not close(lu.get(k, -1), lu0.get(k, 0), 1e-9 * lu0.get(k, 0) + 1e-6):
                p.append("%s: landuse %s %s with twins, %s without" % (what, k, lu.get(k),
                                                                       lu0.get(k)))
        for c, rows in base.get("use", {}).items():
            got = {u["value"]: u["overlap_m2"] for u in s.get("use", {}).get(c, [])}
            for u in rows:
                if not close(got.get(u["value"], -1), u["overlap_m2"],
                             1e-9 * u["overlap_m2"] + 1e-4):
                    p.append("%s: use %s %s: %s m2 with twins, %s without"
                             % (what, c, u["value"], got.get(u["value"]), u["overlap_m2"]))
        return p

    stress("screen", [*ctl, paths["fp"][0], paths["fp"][1], paths["fp"][0]], sane_twins,
           "landuse and use-field over footprints with twins")


def test_diff(old, new):
    def sane(out, what):
        try:
            d = json.loads(out)
        except ValueError as e:
            return ["%s: output is not JSON: %s" % (what, e)]
        p = []
        # net = new - old = gained - lost, up to round-off of the overlays.
        tol = 1e-6 * d["old_m2"] + 1.0
        if not close(d["net_m2"], d["new_m2"] - d["old_m2"], tol) or \
           not close(d["net_m2"], d["gained_m2"] - d["lost_m2"], tol):
            p.append("%s: old %s new %s lost %s gained %s net %s do not add up" % (
                what, d["old_m2"], d["new_m2"], d["lost_m2"], d["gained_m2"], d["net_m2"]))
        if d["lost_m2"] <= 0 or d["gained_m2"] <= 0:
            p.append("%s: the generated change has both lost and gained area" % what)
        want = "shrunk" if d["net_m2"] < -d["tolerance_m2"] else "not_shrunk"
        if d["verdict"] != want:
            p.append("%s: verdict %s, net %s" % (what, d["verdict"], d["net_m2"]))
        if sorted(g["key"] for g in d.get("groups", [])) != sorted(
                ["水源涵养", "水土保持", "生物多样性维护"]):
            p.append("%s: groups %s" % (what, [g["key"] for g in d.get("groups", [])]))
        return p

    stress("diff", ["--by", "HXLX", old, new], sane)


def test_area(layer, nfeatures):
    def sane(out, what):
        try:
            d = json.loads(out)
        except ValueError as e:
            return ["%s: output is not JSON: %s" % (what, e)]
        p = []
        gsum = sum(g["features"] for g in d.get("groups", []))
        if d["features"] != nfeatures or gsum != nfeatures:
            p.append("%s: features %s, groups hold %s; want %d" % (what, d["features"], gsum,
                                                                   nfeatures))
        if not d["area_m2"] > 0 or d["self_overlap_m2"] <= 0:
            # The generated polygons overlap their neighbours on purpose.
            p.append("%s: area %s, self-overlap %s" % (what, d["area_m2"], d["self_overlap_m2"]))
        return p

    stress("area", ["--by", "HXLX", layer], sane)


def test_audit(root, paths, truth):
    args = ["--eco", paths["eco"], "--farmland", paths["farmland"], "--udb", paths["udb"],
            "--id-field", "ID", root]

    def sane(out, what):
        try:
            doc = json.loads(out)
        except ValueError as e:
            return ["%s: output is not JSON: %s" % (what, e)]
        p = []
        files = doc.get("files", [])
        if len(files) != 4:
            p.append("%s: %d files, want 4" % (what, len(files)))
        for f in files:
            if f.get("status") != "warn" or [x["code"] for x in f["problems"]] != \
                    ["invalid_geometry"]:
                p.append("%s: %s: status %s problems %s; want warn [invalid_geometry]"
                         % (what, f.get("path"), f.get("status"), f.get("problems")))
            p += screen_problems(f.get("footprints", []), truth, "%s: %s" % (what, f.get("path")))
        return p

    stress("audit", args, sane)


def main():
    tmp = tempfile.mkdtemp(prefix="rlstress.")
    # One seeded generator per data set, so each set is the same whichever
    # commands this run tests.
    if {"screen", "audit"} & set(COMMANDS):
        paths, truth, fps = make_screen_data(tmp, random.Random(20261201))
    if {"diff", "area"} & set(COMMANDS):
        old, new = make_diff_data(tmp, random.Random(20261202))
    print("data in %s; %d runs per --jobs value" % (tmp, REPEAT))
    for cmd in COMMANDS:
        if cmd == "screen":
            test_screen(paths, truth)
        elif cmd == "diff":
            test_diff(old, new)
        elif cmd == "area":
            test_area(old, 160)
        elif cmd == "audit":
            test_audit(make_audit_data(tmp, fps), paths, truth)
        else:
            check(False, "unknown command %r" % cmd)
    if os.environ.get("RL_STRESS_KEEP"):
        print("kept", tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
