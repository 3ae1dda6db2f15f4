#!/usr/bin/env python3
"""CLI tests of --area ellipsoidal|geodesic|survey|planar (docs/area-method.md, issue 17).

What is compared with what:
  * Coarse footprints (a 1 deg x 0.9 deg and a 0.5 deg x 0.45 deg rectangle at 30N in
    EPSG:4490, a 60 km x 50 km rectangle in EPSG:4527) and their pieces cut by two
    adjacent controls that cover them: redline's default (ellipsoidal) area against
    PostGIS geography of the geometry ST_Segmentize'd in its own CRS, and --area
    geodesic against plain PostGIS geography (tests/reference/area_method.csv, from
    make_area_method_reference.sh), to 1e-9 relative.
  * screen of each footprint against those controls: overlap = footprint area and
    the hits add up to it, to 1e-9 relative, in lon/lat, in Gauss-Krueger and with
    the GK footprint against the lon/lat controls (footprint CRS != control CRS).
    With --area geodesic the hits are off by more than 1e-6 (the old reading).
  * diff between the coarse controls and a copy densified with ogr2ogr -segmentize:
    lost = gained = 0 and new = old to 1e-9 relative (ellipsoidal); with --area
    geodesic they are not.
  * --area survey of a meridian/parallel quadrangle: the closed-form ellipsoidal
    quadrangle area (the series is exact there up to e^10 ~ 1e-11).
  * audit accepts every method; a bad --area value: exit 2 and the exact message,
    inputs byte-identical.
Usage: test_area_method.py REDLINE SRCDIR   (standard library and ogr2ogr only)
"""
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, digest, summary  # noqa: E402
import testlib  # noqa: E402

REDLINE, SRC = sys.argv[1], sys.argv[2]
REF = os.path.join(SRC, "tests", "reference", "area_method.csv")
TMP = tempfile.mkdtemp(prefix="rl_area_method_")


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


def layer(name, srid, wkts, segmentize=None):
    """A GeoPackage of the polygons wkts in EPSG:srid (optionally densified)."""
    src = os.path.join(TMP, name + ".csv")
    with open(src, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "wkt"])
        for i, t in enumerate(wkts):
            w.writerow([i, t])
    out = os.path.join(TMP, name + ".gpkg")
    cmd = ["ogr2ogr", "-q", "-f", "GPKG", out, src, "-a_srs", "EPSG:%d" % srid,
           "-oo", "GEOM_POSSIBLE_NAMES=wkt", "-oo", "KEEP_GEOM_COLUMNS=NO",
           "-nlt", "POLYGON", "-nln", name]
    if segmentize:
        cmd += ["-segmentize", str(segmentize)]
    subprocess.run(cmd, check=True)
    return out


def rl_json(*args):
    st, out, err = testlib.run(REDLINE, *args)
    check(st in (0, 1), "redline %s: exit %d %s" % (" ".join(args), st, err.strip()))
    return json.loads(out) if out else {}


rows = list(csv.DictReader(open(REF, encoding="utf-8")))
cases = {}
for r in rows:
    cases.setdefault(r["ord"], {})[(r["name"], r["role"])] = r

files = {}
for ordn, c in cases.items():
    ctl = [v for (n, role), v in c.items() if role.startswith("control")]
    ctl.sort(key=lambda v: v["role"])
    if not ctl:
        continue  # rect05 shares rect1's controls
    srid = int(ctl[0]["srid"])
    files[ordn] = layer("ctl%s" % ordn, srid, [v["wkt"] for v in ctl])
inputs = digest(TMP)

# ---- areas of footprints and pieces against PostGIS ----
for r in rows:
    path = layer("%s_%s" % (r["name"], r["role"]), int(r["srid"]), [r["wkt"]])
    for method, col in (("ellipsoidal", "ellipsoidal_m2"), ("geodesic", "geodesic_m2")):
        a = rl_json("area", "--area", method, "-f", "json", path).get("area_m2", -1)
        # 2e-9: `area` rounds vertices to its 1e-10 degree overlay grid, which
        # moves the thin rect05 piece_b (a 3 km x 22 km triangle) by 1.1e-9.
        check(rel(a, float(r[col])) < 2e-9,
              "area --area %s %s %s: redline %.4f, PostGIS %s (rel %.2e)"
              % (method, r["name"], r["role"], a, r[col], rel(a, float(r[col]))))

# ---- screen: the pieces of a covered footprint add up to it ----
def screen(fp, ctl, method="ellipsoidal"):
    j = rl_json("screen", "--eco", ctl, "--area", method, "-f", "json", fp)
    f = j["footprints"][0]
    eco = f["controls"]["eco"]
    return f["area_m2"], eco["overlap_m2"], [h["overlap_m2"] for h in eco["hits"]]


ll_ctl, gk_ctl = files["1"], files["3"]
for ordn, name in (("1", "rect1"), ("2", "rect05"), ("3", "gk")):
    r = cases[ordn][(name, "footprint")]
    fp = layer("fp_" + name, int(r["srid"]), [r["wkt"]])
    ctl = gk_ctl if name == "gk" else ll_ctl
    area, over, hits = screen(fp, ctl)
    check(rel(over, area) < 1e-9, "screen %s: overlap %.4f != area %.4f" % (name, over, area))
    check(rel(sum(hits), area) < 1e-9, "screen %s: hits %r do not add up to %.4f" % (name, hits, area))
    pieces = sorted(float(v["ellipsoidal_m2"]) for (n, role), v in cases[ordn].items()
                    if n == name and role.startswith("piece"))
    check(all(rel(a, b) < 1e-9 for a, b in zip(sorted(hits), pieces)),
          "screen %s: hits %r, PostGIS pieces %r" % (name, sorted(hits), pieces))
    ga, go, gh = screen(fp, ctl, "geodesic")
    if name != "gk":
        # The old reading: the footprint and its pieces do not add up (the overlap
        # itself is capped at the footprint area under geodesic).
        check(rel(sum(gh), ga) > 1e-6 and go <= ga,
              "screen --area geodesic %s: hits %.4f vs %.4f, overlap %.4f"
              % (name, sum(gh), ga, go))
    if name == "gk":
        # Footprint CRS != control CRS: the GK footprint against lon/lat controls
        # that cover it (117.2-117.9E, 39.7-40.2N).
        ll2 = layer("ctl_ll2", 4490, [
            "POLYGON((116.5 39,117.5 39,117.6 41,116.5 41,116.5 39))",
            "POLYGON((117.5 39,118.5 39,118.5 41,117.6 41,117.5 39))"])
        area2, over2, hits2 = screen(fp, ll2)
        check(rel(area2, area) < 1e-15, "gk footprint area moved with the control CRS")
        check(rel(over2, area2) < 1e-9 and rel(sum(hits2), area2) < 1e-9,
              "screen gk vs lon/lat controls: overlap %.4f hits %r area %.4f"
              % (over2, hits2, area2))
        ga2, go2, gh2 = screen(fp, ll2, "geodesic")
        check(rel(sum(gh2), ga2) > 1e-7, "screen --area geodesic gk vs lon/lat: %.4f %.4f"
              % (sum(gh2), ga2))

# ---- diff: a coarse layer against a densified copy ----
for ordn, step in (("1", 0.001), ("3", 100)):
    r = [v for (n, role), v in cases[ordn].items() if role.startswith("control")]
    r.sort(key=lambda v: v["role"])
    dense = layer("dense%s" % ordn, int(r[0]["srid"]), [v["wkt"] for v in r], step)
    for method in ("ellipsoidal", "geodesic"):
        j = rl_json("diff", "--area", method, "-f", "json", files[ordn], dense)
        old = j["old_m2"]
        ok = (rel(j["new_m2"], old) < 1e-9 and j["lost_m2"] / old < 1e-9
              and j["gained_m2"] / old < 1e-9)
        if method == "ellipsoidal":
            check(ok, "diff coarse vs densified (%s): old %.4f new %.4f lost %.4f gained %.4f"
                  % (ordn, old, j["new_m2"], j["lost_m2"], j["gained_m2"]))
        else:
            check(not ok, "diff --area geodesic coarse vs densified (%s) adds up" % ordn)

# ---- survey: the closed-form quadrangle ----
def quadrangle(lon1, lon2, lat1, lat2, a=6378137.0, rf=298.257222101):
    f = 1 / rf
    b, e2 = a * (1 - f), f * (2 - f)
    e = math.sqrt(e2)
    q = []
    for lat in (lat1, lat2):
        s = math.sin(math.radians(lat))
        q.append(s / (1 - e2 * s * s) + math.log((1 + e * s) / (1 - e * s)) / (2 * e))
    return b * b / 2 * math.radians(lon2 - lon1) * (q[1] - q[0])


quad = layer("quad", 4490, ["POLYGON((116 39,117 39,117 40,116 40,116 39))"])
for method in ("survey", "ellipsoidal"):
    a = rl_json("area", "--area", method, "-f", "json", quad)["area_m2"]
    check(rel(a, quadrangle(116, 117, 39, 40)) < 1e-10,
          "area --area %s of the 116-117E 39-40N quadrangle: %.4f, closed form %.4f"
          % (method, a, quadrangle(116, 117, 39, 40)))
j = rl_json("area", "--area", "survey", "-f", "json", quad)
check(j.get("area_method") == "survey", "area JSON names the survey method")

# ---- audit takes every method; a bad value is refused ----
for method in ("ellipsoidal", "geodesic", "survey", "planar"):
    st, out, err = testlib.run(REDLINE, "audit", "--area", method, "-f", "json", TMP)
    check(st in (0, 1) and ('"area_method": "%s"' % method) in out,
          "audit --area %s: exit %d %s" % (method, st, err.strip()))
st, out, err = testlib.run(REDLINE, "area", "--area", "sphere", files["1"])
check(st == 2 and err == "redline area: --area must be 'ellipsoidal', 'geodesic', "
      "'survey' or 'planar', not 'sphere'\nTry 'redline area --help'.\n", "bad --area: exit %d, %r" % (st, err))
after = digest(TMP)
check(all(after.get(k) == v for k, v in inputs.items()), "an input file changed")

shutil.rmtree(TMP)
sys.exit(summary())
