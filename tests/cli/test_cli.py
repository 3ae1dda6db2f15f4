#!/usr/bin/env python3
"""CLI tests for redline on sample_shapes/ (standard library only).

Figures are checked against tests/reference/*.csv, which were computed
independently with PostGIS (see tests/reference/README.md); the report
formats are checked against the committed files in tests/expected/, named
after the arguments that produce them.  Usage: test_cli.py REDLINE SRCDIR
"""
import csv
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, digest, summary  # noqa: E402
import testlib  # noqa: E402

REDLINE, SRC = sys.argv[1], sys.argv[2]
SAMPLES = os.path.join(SRC, "sample_shapes")
REF = os.path.join(SRC, "tests", "reference")
EXPECTED = os.path.join(SRC, "tests", "expected")


def close(a, b, rel=1e-6, abs_tol=1e-3):
    return abs(a - b) <= max(rel * abs(b), abs_tol)


def run(*args, cwd=SRC):
    return testlib.run(REDLINE, *args, cwd=cwd)


S = lambda name: os.path.join("sample_shapes", name)
CONTROLS = ["--eco", S("eco.shp"), "--farmland", S("farmland.shp"), "--udb", S("udb.shp")]
before = digest(SAMPLES)


def test_screen_against_postgis():
    code, out, err = run("screen", *CONTROLS, "--id-field", "XMBH", "-f", "json",
                         S("projects.shp"))
    check(code == 1, "screen on samples exits 1 (conflicts), got %d: %s" % (code, err))
    doc = json.loads(out)
    fps = {f["id"]: f for f in doc["footprints"]}
    check(doc["area_method"] == "ellipsoidal" and doc["command"] == "screen", "json header")
    check([c["crs"] for c in doc["controls"]] == ["EPSG:4527", "EPSG:4490", "EPSG:4548"],
          "control CRSs identified: %s" % [c["crs"] for c in doc["controls"]])
    n = 0
    with open(os.path.join(REF, "screen_sample_ellipsoidal.csv"), encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            f = fps[row["footprint"]]
            want = float(row["area_m2"])
            kind, ctl = row["kind"], row["control"]
            if kind == "footprint":
                got = f["area_m2"]
            elif kind == "total":
                got = f["controls"][ctl]["overlap_m2"]
            elif kind == "outside":
                got = f["controls"][ctl]["outside_m2"]
            else:
                hits = [h for h in f["controls"][ctl]["hits"]
                        if h["fid"] == int(row["control_fid"])]
                got = hits[0]["overlap_m2"] if hits else None
            check(got is not None and close(got, want),
                  "%s %s %s %s: redline %s, PostGIS %s" % (row["footprint"], kind, ctl,
                                                        row["control_fid"], got, want))
            n += 1
    check(n > 30, "reference has rows (%d)" % n)
    # Every hit redline reports is in the reference, and no more.
    with open(os.path.join(REF, "screen_sample_ellipsoidal.csv"), encoding="utf-8") as fh:
        ref_hits = {(r["footprint"], r["control"], int(r["control_fid"]))
                    for r in csv.DictReader(fh) if r["kind"] == "hit"}
    got_hits = {(i, c, h["fid"]) for i, f in fps.items()
                for c, v in f["controls"].items() for h in v["hits"]}
    check(ref_hits == got_hits, "hit sets differ: %s" % (ref_hits ^ got_hits))
    verdicts = {i: f["verdict"] for i, f in fps.items()}
    # Designed outcomes (sample_shapes/README.md).
    check(verdicts["P01"] == "conflict", "P01 inside the red line is a conflict")
    check(verdicts["P05"] == "pass", "P05 is clean")
    check(verdicts["P10"] == "pass", "P10's sliver is below --min-area: pass")
    check(fps["P10"]["controls"]["eco"]["hits"] and
          0 < fps["P10"]["controls"]["eco"]["overlap_m2"] < 1, "P10 sliver still reported")
    check(fps["P06"]["repaired"] is True, "bowtie P06 flagged repaired")
    check(verdicts["P04"] == "warn", "P04 partly outside UDB is warn")
    hit = fps["P01"]["controls"]["eco"]["hits"][0]["attrs"]
    check(any("\u4e00" <= ch <= "\u9fff" for v in hit.values() if v for ch in v),
          "GBK attributes decoded to Chinese UTF-8: %s" % hit)
    s = doc["summary"]
    check(s["footprints"] == 10 and s["pass"] + s["warn"] + s["conflict"] + s["error"] == 10,
          "summary counts")
    return out


def test_expected_outputs():
    # tippecanoe-style: the file name says which arguments produced it.
    cases = {
        "screen_sample_ha.txt": ["screen", *CONTROLS, "--id-field", "XMBH", "--units", "ha",
                                 S("projects.shp")],
        "screen_sample_ha_wide.txt": ["screen", *CONTROLS, "--id-field", "XMBH", "--units",
                                      "ha", "--wide", S("projects.shp")],
        "screen_sample_mu.csv": ["screen", *CONTROLS, "--id-field", "XMBH", "--units", "mu",
                                 "-f", "csv", S("projects.shp")],
        "screen_sample.json": ["screen", *CONTROLS, "--id-field", "XMBH", "-f", "json",
                               S("projects.shp")],
        "diff_sample_by_HXLX.json": ["diff", "--by", "HXLX", "-f", "json", S("eco.shp"),
                                     S("eco_v2.gpkg")],
        "area_eco_by_HXLX.txt": ["area", "--by", "HXLX", "--units", "km2", S("eco.shp")],
    }
    for name, args in cases.items():
        code, out, err = run(*args)
        path = os.path.join(EXPECTED, name)
        if not os.path.exists(path):
            check(False, "missing expected file %s" % name)
            continue
        with open(path, encoding="utf-8", newline="") as fh:
            want = fh.read()
        check(out == want, "%s: output differs from tests/expected (run: redline %s)"
              % (name, " ".join(args)))


def test_csv_and_units():
    code, out, _ = run("screen", *CONTROLS, "--id-field", "XMBH", "--units", "mu", "-f", "csv",
                       S("projects.shp"))
    check(out.startswith("\ufeff"), "CSV starts with a UTF-8 BOM for Excel")
    check("\r\n" in out, "CSV uses CRLF")
    rows = list(csv.DictReader(out.lstrip("\ufeff").splitlines()))
    _, js, _ = run("screen", *CONTROLS, "--id-field", "XMBH", "-f", "json", S("projects.shp"))
    fps = {f["id"]: f for f in json.loads(js)["footprints"]}
    for r in rows:
        check(close(float(r["area_mu"]), fps[r["id"]]["area_m2"] * 15 / 10000, 1e-6),
              "CSV area_mu of %s = m2 * 15/10000" % r["id"])


def test_jobs_and_formats_deterministic():
    _, a, _ = run("screen", *CONTROLS, "-f", "json", "--jobs", "1", S("projects.shp"))
    _, b, _ = run("screen", *CONTROLS, "-f", "json", "--jobs", "2", S("projects.shp"))
    _, c, _ = run("screen", *CONTROLS, "-f", "json", S("projects.shp"))
    check(a == b == c, "--jobs 2 and repeated runs give byte-identical JSON")


def test_exit_codes_and_rules(tmp):
    code, _, _ = run("screen", "--control", "eco:report=" + S("eco.shp"), S("projects.shp"))
    check(code == 0, "report-only control exits 0 (got %d)" % code)
    code, out, _ = run("screen", "--udb", S("udb.shp"), "-f", "json", S("projects_4490.geojson"))
    check(code == 0, "UDB-only (warn severity) exits 0, got %d" % code)
    code, out2, _ = run("screen", "--udb", S("udb.shp"), "--strict", "-f", "json",
                        S("projects_4490.geojson"))
    v = [f["verdict"] for f in json.loads(out)["footprints"]]
    v2 = [f["verdict"] for f in json.loads(out2)["footprints"]]
    check("warn" in v and "warn" not in v2 and code == 1,
          "--strict turns warn into conflict and exit 1: %s -> %s (exit %d)" % (v, v2, code))
    # The same vertices in EPSG:4490 GeoJSON give the same figures as in EPSG:4527 when
    # edges are geodesics.  By default edges are straight in the CRS the footprint is
    # given in, so the 4490 copy (edges straight in lon/lat, up to 950 m long) is a
    # slightly different polygon: within 1e-5 (P03 moves 3.5e-6; docs/area-method.md).
    for method, tol in (("geodesic", 1e-6), ("ellipsoidal", 1e-5)):
        _, js, _ = run("screen", *CONTROLS, "--id-field", "XMBH", "-f", "json", "--area", method,
                       S("projects.shp"))
        _, jg, _ = run("screen", *CONTROLS, "--id-field", "XMBH", "-f", "json", "--area", method,
                       S("projects_4490.geojson"))
        a = {f["id"]: f for f in json.loads(js)["footprints"]}
        for f in json.loads(jg)["footprints"]:
            g = a[f["id"]]
            check(close(f["area_m2"], g["area_m2"], tol),
                  "%s area same in 4490 and 4527 (%s)" % (f["id"], method))
            for k in ("eco", "farmland", "udb"):
                check(close(f["controls"][k]["overlap_m2"], g["controls"][k]["overlap_m2"], tol),
                      "%s %s overlap same in 4490 and 4527 (%s)" % (f["id"], k, method))
    # --min-area raises the bar: P02's 6.86 ha eco overlap is below 10 ha.
    _, js, _ = run("screen", "--eco", S("eco.shp"), "--id-field", "XMBH", "--min-area", "10ha",
                   "-f", "json", S("projects.shp"))
    f = {x["id"]: x for x in json.loads(js)["footprints"]}
    check(f["P02"]["verdict"] == "pass" and f["P01"]["verdict"] == "conflict",
          "--min-area 10ha: P02 pass, P01 conflict")
    # Pieces as GeoJSON: one feature per hit, fields as documented.
    pieces = os.path.join(tmp, "pieces.geojson")
    code, js, err = run("screen", *CONTROLS, "--id-field", "XMBH", "-f", "json",
                        "--pieces", pieces, S("projects.shp"))
    nhits = sum(len(v["hits"]) for f in json.loads(js)["footprints"]
                for v in f["controls"].values())
    with open(pieces, encoding="utf-8") as fh:
        feats = json.load(fh)["features"]
    check(len(feats) == nhits, "pieces: %d features for %d hits" % (len(feats), nhits))
    check(set(feats[0]["properties"]) == {"fp_id", "fp_source", "fp_fid", "control",
                                          "ctl_fid", "area_m2"}, "pieces fields")
    # -o writes the file, stdout stays empty.
    outp = os.path.join(tmp, "r.json")
    code, out, _ = run("screen", *CONTROLS, "-f", "json", "-o", outp, S("projects.shp"))
    check(out == "" and json.load(open(outp, encoding="utf-8"))["command"] == "screen",
          "-o writes the report to a file")


def write(path, text):
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


def expect_error(args, needles, what, code_want=2):
    code, out, err = run(*args)
    ok = code == code_want and all(n in err for n in needles)
    check(ok, "%s: exit %d, stderr %r (want %d with %s)" % (what, code, err.strip(),
                                                             code_want, needles))


def test_bad_input(tmp):
    missing = os.path.join(tmp, "missing.shp")
    expect_error(["screen", "--eco", S("eco.shp"), missing], [missing, "no such file"],
                 "missing footprint file")
    expect_error(["screen", "--eco", missing, S("projects.shp")], ["control eco", missing],
                 "missing control file")
    # No .prj: an error naming the file, unless --assume-srs.
    for ext in ("shp", "shx", "dbf", "cpg"):
        shutil.copy(os.path.join(SAMPLES, "projects." + ext), os.path.join(tmp, "noprj." + ext))
    noprj = os.path.join(tmp, "noprj.shp")
    expect_error(["screen", "--eco", S("eco.shp"), noprj], [noprj, "no CRS", "--assume-srs"],
                 "footprint without CRS")
    code, _, err = run("screen", "--eco", S("eco.shp"), "--assume-srs", "EPSG:4527", noprj)
    check(code == 1, "--assume-srs EPSG:4527 rescues it (exit %d, %s)" % (code, err))
    expect_error(["screen", "--eco", S("eco.shp"), "--assume-srs", "EPSG:0", noprj],
                 ["--assume-srs"], "bad --assume-srs")
    expect_error(["screen", "--eco", S("eco_v2.gpkg") + "|layername=nope", S("projects.shp")],
                 ["no layer named 'nope'"], "unknown layer")
    code, _, _ = run("screen", "--eco", S("eco_v2.gpkg") + "|layername=eco_v2", S("projects.shp"))
    check(code == 1, "named layer works")
    pts = write(os.path.join(tmp, "points.geojson"),
                '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
                '"geometry":{"type":"Point","coordinates":[117,39.8]}}]}')
    expect_error(["screen", "--eco", S("eco.shp"), pts], [pts, "Point", "polygons"],
                 "non-polygon footprint layer")
    junk = write(os.path.join(tmp, "junk.shp"), "not a shapefile")
    expect_error(["screen", "--eco", S("eco.shp"), junk], [junk, "cannot open"],
                 "unreadable file")
    empty = write(os.path.join(tmp, "zero.gpkg"), "")
    expect_error(["screen", "--eco", S("eco.shp"), empty], [empty], "zero-byte file")
    expect_error(["screen", "--eco"], ["needs a value", "--help"], "option without value")
    expect_error(["screen", "--bogus", S("projects.shp")], ["unknown option '--bogus'"],
                 "unknown option")
    expect_error(["screen", "--eco", S("eco.shp"), "--id-field", "NOPE", S("projects.shp")],
                 ["NOPE"], "unknown --id-field")
    expect_error(["frobnicate"], ["unknown command"], "unknown command")
    expect_error(["diff", S("eco.shp")], ["OLD NEW"], "diff with one operand")
    expect_error(["diff", "--by", "NOPE", S("eco.shp"), S("eco_v2.gpkg")], ["NOPE"],
                 "diff unknown --by")
    # A null and a line footprint among good ones: error verdicts, others screened.
    mixed = write(os.path.join(tmp, "mixed.geojson"), json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}},
        "features": [
            {"type": "Feature", "properties": {"n": "null"}, "geometry": None},
            {"type": "Feature", "properties": {"n": "ok"}, "geometry": {
                "type": "Polygon", "coordinates": [[[117.0, 39.7], [117.001, 39.7],
                                                    [117.001, 39.701], [117.0, 39.7]]]}},
            {"type": "Feature", "properties": {"n": "line"}, "geometry": {
                "type": "LineString", "coordinates": [[117.0, 39.7], [117.1, 39.8]]}}]}))
    code, out, err = run("screen", "--eco", S("eco.shp"), "--id-field", "n", "-f", "json", mixed)
    fps = {f["id"]: f for f in json.loads(out)["footprints"]}
    check(code == 2, "a null footprint makes exit 2 (got %d)" % code)
    check(fps["null"]["verdict"] == "error" and "feature 0: null geometry" in fps["null"]["error"]
          and mixed in fps["null"]["error"], "null footprint error names file and feature")
    check(fps["line"]["verdict"] == "error" and "not a polygon" in fps["line"]["error"],
          "line footprint in a mixed layer is an error")
    check(fps["ok"]["verdict"] in ("pass", "conflict") and fps["ok"]["area_m2"] > 0,
          "the good footprint is still screened")
    # A corrupt record (part index out of range) and a cut-off .shp: that
    # footprint is an error naming file and feature, the others are screened
    # as before; a corrupt control record stops the run, naming the FID.
    _, ref, _ = run("screen", "--eco", S("eco.shp"), "--id-field", "XMBH", "-f", "json",
                    S("projects.shp"))
    ref_fps = {x["id"]: x for x in json.loads(ref)["footprints"]}
    for name, bad_fid in (("corrupt", 0), ("cut", 9)):
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            shutil.copy(os.path.join(SAMPLES, "projects." + ext),
                        os.path.join(tmp, name + "." + ext))
        shp = os.path.join(tmp, name + ".shp")
        with open(shp, "rb") as fh:
            b = bytearray(fh.read())
        if name == "corrupt":
            # Record 0: 100-byte file header, 8-byte record header, shape type,
            # bbox (32), NumParts, NumPoints, then Parts[0] = 2^31 - 1.
            b[152:156] = b"\xff\xff\xff\x7f"
        else:
            del b[1700:]  # inside the last record
        with open(shp, "wb") as fh:
            fh.write(b)
        before_bad = digest(tmp)
        code, out, err = run("screen", "--eco", S("eco.shp"), "--id-field", "XMBH", "-f", "json",
                             shp)
        fps = json.loads(out)["footprints"]
        bad = [f for f in fps if f["verdict"] == "error"]
        check(code == 2 and len(fps) == 10 and len(bad) == 1 and bad[0]["fid"] == bad_fid and
              bad[0]["id"] == "P%02d" % (bad_fid + 1) and
              "feature %d: record unreadable (corrupt or truncated file)" % bad_fid
              in bad[0]["error"] and shp in bad[0]["error"],
              "%s .shp: footprint %d is an error, exit 2 (exit %d, %s)" % (
                  name, bad_fid, code, [f["error"] for f in bad]))
        same = all(f["verdict"] == ref_fps[f["id"]]["verdict"] and
                   f["area_m2"] == ref_fps[f["id"]]["area_m2"] and
                   f["controls"] == ref_fps[f["id"]]["controls"] for f in fps if f not in bad)
        check(same, "%s .shp: the other 9 footprints are screened as from the intact file" % name)
        expect_error(["screen", "--eco", shp, S("projects.shp")],
                     [shp, "FID %d: record unreadable" % bad_fid], "%s .shp as a control" % name)
        expect_error(["area", shp], [shp, "FID %d: record unreadable" % bad_fid],
                     "%s .shp in area" % name)
        check(digest(tmp) == before_bad, "%s .shp: nothing in its folder changed" % name)
    # A control shapefile without .cpg: its GBK attributes are guessed and
    # decoded when the hits' attributes are read.
    for ext in ("shp", "shx", "dbf", "prj"):
        shutil.copy(os.path.join(SAMPLES, "eco." + ext), os.path.join(tmp, "eco_nocpg." + ext))
    code, out, err = run("screen", "--eco", os.path.join(tmp, "eco_nocpg.shp"), "--id-field",
                         "XMBH", "-f", "json", S("projects.shp"))
    f = {x["id"]: x for x in json.loads(out)["footprints"]}
    _, ref, _ = run("screen", "--eco", S("eco.shp"), "--id-field", "XMBH", "-f", "json",
                    S("projects.shp"))
    r = {x["id"]: x for x in json.loads(ref)["footprints"]}
    check(f["P01"]["controls"]["eco"]["hits"][0]["attrs"] ==
          r["P01"]["controls"]["eco"]["hits"][0]["attrs"],
          "control without .cpg: hit attributes decoded as GBK: %s" %
          f["P01"]["controls"]["eco"]["hits"][0]["attrs"])
    # Output to an unwritable place.
    expect_error(["screen", "--eco", S("eco.shp"), "-o", "/nonexistent/dir/r.txt",
                  S("projects.shp")], ["/nonexistent/dir/r.txt"], "unwritable -o")


def test_help_and_version():
    code, out, _ = run("screen", "--help")
    for opt in ("--eco", "--farmland", "--udb", "--control", "--id-field", "--min-area", "--area",
                "--units", "--format", "-o", "--pieces", "--assume-srs", "--encoding", "--jobs",
                "--strict", "--quiet", "--help", "--version"):
        check(opt in out, "screen --help mentions %s" % opt)
    check(code == 0, "--help exits 0")
    code, out, _ = run("--version")
    check(code == 0 and out.strip() == "redline 0.1.0", "--version")
    for cmd, opts in (("diff", ("--by", "--tolerance", "--pieces", "--jobs")),
                      ("area", ("--by", "--expect-min", "--jobs"))):
        code, out, _ = run(cmd, "--help")
        check(code == 0 and all(o in out for o in opts), "%s --help" % cmd)


def help_default(text, option):
    """The default --help states for OPTION: "(default X" after its entry."""
    m = re.search(r"^\s+(?:-\w, )?%s\b.*?\(default (\S+?)[);\s]" % re.escape(option), text,
                  re.M | re.S)
    check(m is not None, "--help states a default for %s" % option)
    return m.group(1) if m else None


def test_help_shows_the_defaults():
    """What --help calls the default is what a run without the option does."""
    helps = {}
    for cmd in ("screen", "diff", "area", "audit"):
        code, helps[cmd], _ = run(cmd, "--help")
        check(code == 0 and "{" not in helps[cmd], "%s --help: every default filled in" % cmd)
        check(help_default(helps[cmd], "--jobs") == "ALL_CPUS",
              "%s --help: --jobs defaults to every online processor" % cmd)
    h = helps["screen"]
    args = [*CONTROLS, "--id-field", "XMBH", S("projects.shp")]
    _, js, _ = run("screen", "-f", "json", *args)
    doc = json.loads(js)
    check(doc["min_area_m2"] == float(help_default(h, "--min-area")),
          "screen: min_area_m2 %s is --help's --min-area default" % doc["min_area_m2"])
    check(doc["area_method"] == help_default(h, "--area"),
          "screen: area_method %s is --help's --area default" % doc["area_method"])
    check(help_default(helps["audit"], "--min-area") == help_default(h, "--min-area"),
          "audit and screen state the same --min-area default")
    # The default format and units give what naming them gives.
    _, plain, _ = run("screen", *args)
    _, named, _ = run("screen", "-f", help_default(h, "--format"),
                      "--units", help_default(h, "--units"), *args)
    check(plain == named and not plain.lstrip().startswith("{"),
          "screen without -f/--units = with --help's defaults")
    _, jobs, _ = run("screen", "-f", "json", "--jobs", help_default(h, "--jobs"), *args)
    check(jobs == js, "screen without --jobs = with --help's --jobs default")
    _, dj, _ = run("diff", "-f", "json", S("eco.shp"), S("eco_v2.gpkg"))
    d = json.loads(dj)
    check(d["tolerance_m2"] == float(help_default(helps["diff"], "--tolerance")),
          "diff: tolerance_m2 %s is --help's --tolerance default" % d["tolerance_m2"])
    check(d["area_method"] == help_default(helps["diff"], "--area"), "diff: --area default")
    # --help / -h anywhere before "--" (even where a value belongs); not after it.
    code, out, _ = run("screen", "--eco", "-h")
    check(code == 0 and out == h, "screen --eco -h prints screen's help")
    code, out, _ = run("diff", "a", "--bogus", "--help")
    check(code == 0 and out == helps["diff"], "diff with a bad option and --help: help, exit 0")
    code, _, err = run("screen", "--eco", S("eco.shp"), "--", "--help")
    check(code == 2 and "--help" in err, "--help after -- is a footprint")
    code, out, _ = run("audit", "--version")
    check(code == 0 and out.strip() == "redline 0.1.0", "audit --version")
    code, out, _ = run("help")
    check(code == 0 and all(c in out for c in helps), "redline help lists every command")


def test_audit_progress_and_quiet():
    """audit's progress goes to a terminal stderr, and -q (parsed) turns it off."""
    try:
        import pty
    except ImportError:
        return
    for quiet in (False, True):
        master, slave = pty.openpty()
        args = [REDLINE, "audit", "-f", "json"] + (["-q"] if quiet else []) + [SAMPLES]
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        err = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
        p.communicate()
        os.close(master)
        shown = b" elapsed" in err
        check(shown != quiet, "audit %s: progress %s on a terminal" %
              ("-q" if quiet else "without -q", "hidden" if quiet else "shown"))


def test_diff_and_area_against_postgis(tmp):
    code, out, err = run("diff", "--by", "HXLX", "-f", "json", S("eco.shp"), S("eco_v2.gpkg"))
    doc = json.loads(out)
    groups = {g["key"]: g for g in doc["groups"]}
    n = 0
    with open(os.path.join(REF, "diff_sample_ellipsoidal.csv"), encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            src = doc if row["group"] == "" else groups.get(row["group"])
            check(src is not None, "diff group %r present" % row["group"])
            if src is None:
                continue
            for k in ("old_m2", "new_m2", "lost_m2", "gained_m2", "net_m2"):
                check(close(src[k], float(row[k]), 1e-6),
                      "diff %r %s: redline %s, PostGIS %s" % (row["group"], k, src[k], row[k]))
            n += 1
    check(n >= 2, "diff reference rows")
    want_code = 1 if doc["net_m2"] < -1 else 0
    check(code == want_code and doc["verdict"] == ("shrunk" if want_code else "not_shrunk"),
          "diff verdict and exit status (%d)" % code)
    # Reversed: whatever was gained is now lost.  Exactly so when edges are geodesics
    # (vertex-based).  By default each run reads the other layer's edges as straight in
    # its own overlay CRS (4527 one way, 4490 the other; edges up to 2 km), which moves
    # lost/gained by 3.2e-5 here (docs/area-method.md, "diff").
    for method, tol in (("geodesic", 1e-6), ("ellipsoidal", 5e-5)):
        _, out_f, _ = run("diff", "-f", "json", "--area", method, S("eco.shp"), S("eco_v2.gpkg"))
        code_r, out_r, _ = run("diff", "-f", "json", "--area", method, S("eco_v2.gpkg"),
                               S("eco.shp"))
        f, r = json.loads(out_f), json.loads(out_r)
        check(close(r["lost_m2"], f["gained_m2"], tol) and close(r["gained_m2"], f["lost_m2"], tol),
              "reversed diff swaps lost and gained (%s)" % method)
    # A version against itself in another CRS and format: no change above tolerance.
    code_s, out_s, _ = run("diff", "-f", "json", S("eco.shp"), S("eco.shp"))
    s = json.loads(out_s)
    check(code_s == 0 and s["lost_m2"] == 0 and s["gained_m2"] == 0, "self diff is no change")
    moved = os.path.join(tmp, "eco4490.gpkg")
    subprocess.run(["ogr2ogr", "-t_srs", "EPSG:4490", moved, os.path.join(SAMPLES, "eco.shp")],
                   check=True)
    code_s, out_s, _ = run("diff", "-f", "json", S("eco.shp"), moved)
    s = json.loads(out_s)
    check(code_s == 0 and s["lost_m2"] < 1e-3 and s["gained_m2"] < 1e-3
          and close(s["new_m2"], s["old_m2"], 1e-9),
          "reprojected copy (GeoPackage, EPSG:4490) shows no change: %s" % s)
    pieces = os.path.join(tmp, "diff.gpkg")
    code_p, _, err = run("diff", "--by", "HXLX", "--pieces", pieces, S("eco.shp"), S("eco_v2.gpkg"))
    check(os.path.getsize(pieces) > 0, "diff --pieces writes a GeoPackage")
    code, out, _ = run("area", "--by", "HXLX", "-f", "json", S("eco.shp"))
    a = json.loads(out)
    ag = {g["key"]: g for g in a["groups"]}
    with open(os.path.join(REF, "area_sample_ellipsoidal.csv"), encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            src = a if row["group"] == "" else ag.get(row["group"])
            check(src is not None and close(src["area_m2"], float(row["area_m2"]), 1e-6)
                  and close(src["self_overlap_m2"], float(row["self_overlap_m2"]), 1e-6)
                  and src["features"] == int(row["features"]),
                  "area %r: %s vs PostGIS %s" % (row["group"], src, row))
    total = a["area_m2"]
    code, _, _ = run("area", "--expect-min", "%.3fha" % (total / 1e4 - 0.001), S("eco.shp"))
    check(code == 0, "area --expect-min just below total exits 0")
    code, out, _ = run("area", "--expect-min", "%.3fha" % (total / 1e4 + 0.001), "-f", "json",
                       S("eco.shp"))
    check(code == 1 and json.loads(out)["verdict"] == "below_minimum",
          "area --expect-min just above total exits 1")


def test_outputs_never_land_on_inputs(tmp):
    """Every way of aiming -o or --pieces at an input is refused before any
    work, with exit 2 and a message naming both; the input is untouched."""
    d = os.path.join(tmp, "aim")
    os.makedirs(os.path.join(d, "sub"))
    for name in ("eco", "projects"):
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            shutil.copy(os.path.join(SAMPLES, "%s.%s" % (name, ext)), d)
    shutil.copy(os.path.join(SAMPLES, "eco_v2.gpkg"), d)
    os.symlink("projects.shp", os.path.join(d, "link.shp"))
    os.link(os.path.join(d, "eco_v2.gpkg"), os.path.join(d, "hard.gpkg"))
    scr = ["screen", "--eco", "eco.shp"]
    cases = [
        (scr + ["-o", "projects.shp", "projects.shp"], "-o projects.shp", "projects.shp"),
        (scr + ["-o", "./projects.shp", "projects.shp"], "-o ./projects.shp", "projects.shp"),
        (scr + ["-o", "../aim/projects.shp", "sub/../projects.shp"], "-o ../aim/projects.shp",
         "projects.shp"),
        (scr + ["-o", "link.shp", "projects.shp"], "-o link.shp", "projects.shp"),
        (scr + ["-o", "eco.shp", "projects.shp"], "-o eco.shp", "eco.shp"),
        (scr + ["-o", "projects.dbf", "projects.shp"], "-o projects.dbf", "projects.shp"),
        (scr + ["--pieces", "projects.shp", "projects.shp"], "--pieces projects.shp",
         "projects.shp"),
        (scr + ["--pieces", "eco.shp", "projects.shp"], "--pieces eco.shp", "eco.shp"),
        (["diff", "-o", "eco.shp", "eco.shp", "eco_v2.gpkg"], "-o eco.shp", "eco.shp"),
        (["diff", "-o", "hard.gpkg", "eco.shp", "eco_v2.gpkg"], "-o hard.gpkg", "eco_v2.gpkg"),
        (["diff", "--pieces", "eco_v2.gpkg", "eco.shp", "eco_v2.gpkg"],
         "--pieces eco_v2.gpkg", "eco_v2.gpkg"),
        (["area", "-o", "eco.shp", "eco.shp"], "-o eco.shp", "eco.shp"),
        (["area", "-o", "eco.shp", "eco.shp|layername=eco"], "-o eco.shp", "eco.shp"),
        (["audit", "--eco", "eco.shp", "-o", "eco.dbf", "sub"], "-o eco.dbf", "eco.shp"),
    ]
    for args, out_part, in_part in cases:
        before_aim = digest(d)
        code, out, err = run(*args, cwd=d)
        check(code == 2 and out_part in err and in_part in err and "never" in err,
              "%s: refused naming both (exit %d): %s" % (" ".join(args), code, err.strip()))
        check(digest(d) == before_aim, "%s: no input changed" % " ".join(args))
    code, _, err = run(*(scr + ["-o", "r.gpkg", "--pieces", "./r.gpkg", "projects.shp"]), cwd=d)
    check(code == 2 and "same file" in err, "-o and --pieces on one file refused: %s" % err)
    # An output beside the inputs, under another name, is still fine.
    code, _, err = run(*(scr + ["-o", "report.json", "-f", "json", "projects.shp"]), cwd=d)
    check(code == 1 and os.path.getsize(os.path.join(d, "report.json")) > 0,
          "an output under a new name is written (exit %d): %s" % (code, err))


def test_outputs_are_written_whole(tmp):
    """An output appears whole or not at all: a run that cannot finish
    writing (here: a file-size limit, with SIGXFSZ ignored so that the
    write fails with EFBIG) exits 2 and leaves the previous file intact and
    no temporary file behind."""
    import resource
    d = os.path.join(tmp, "whole")
    os.makedirs(d)
    base = ["screen"] + CONTROLS + ["-f", "json", S("projects.shp")]
    out, pieces = os.path.join(d, "out.json"), os.path.join(d, "pieces.gpkg")
    code, _, err = run(*(base + ["-o", out, "--pieces", pieces]))
    check(code == 1 and os.path.getsize(out) > 5000 and os.path.getsize(pieces) > 10000,
          "good report and pieces written (exit %d): %s" % (code, err))
    shp = os.path.join(d, "pieces.shp")
    code, _, err = run(*(base + ["-o", os.devnull, "--pieces", shp]))
    check(code == 1 and all(os.path.exists(os.path.join(d, "pieces." + e))
                            for e in ("shp", "shx", "dbf", "prj")),
          "shapefile pieces renamed into place with their sidecars: %s" % err)
    good = digest(d)

    def limited(*args):
        def lim():
            resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        p = subprocess.run([REDLINE] + list(args), cwd=SRC, capture_output=True,
                           preexec_fn=lim, restore_signals=False)
        return p.returncode, p.stderr.decode("utf-8", "replace")

    code, err = limited(*(base + ["-o", out]))
    check(code == 2 and "out.json" in err and "cannot write" in err
          and "File too large" in err,
          "-o under a size limit exits 2 naming the file and the reason (exit %d): %s"
          % (code, err.strip()))
    code, err = limited(*(base + ["-o", os.devnull, "--pieces", pieces]))
    check(code == 2 and "pieces.gpkg" in err,
          "--pieces under a size limit exits 2 naming the file (exit %d): %s" % (code, err.strip()))
    now = digest(d)
    check(now == good, "the previous report and pieces survive intact, no temporary file "
          "is left: %s" % sorted(set(now) ^ set(good)))


def squares_geojson(path, squares, epsg=4527):
    """A GeoJSON polygon layer: squares are (id, x0, y0, side) in EPSG units."""
    feats = []
    for fid, x0, y0, side in squares:
        ring = [[x0, y0], [x0 + side, y0], [x0 + side, y0 + side], [x0, y0 + side], [x0, y0]]
        feats.append({"type": "Feature", "properties": {"ID": fid},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"type": "FeatureCollection",
                   "crs": {"type": "name",
                           "properties": {"name": "urn:ogc:def:crs:EPSG::%d" % epsg}},
                   "features": feats}, fh)


def test_signals_leave_no_temporary_file(tmp):
    """A run ended by a signal while an output is being written removes the
    temporary file and dies by that signal; the previous output survives.
    SIGXFSZ (file-size limit, default action) is deterministic; SIGTERM and
    SIGINT are sent while the process is stopped with its temporary
    --pieces file present, so the test knows the write was under way."""
    import resource
    import signal
    import time
    d = os.path.join(tmp, "signals")
    os.makedirs(d)
    base = ["screen"] + CONTROLS + ["-f", "json", S("projects.shp")]
    out, gpkg, shp = (os.path.join(d, n) for n in ("out.json", "p.gpkg", "p.shp"))
    code, _, err = run(*(base + ["-o", out, "--pieces", gpkg]))
    code2, _, err2 = run(*(base + ["-o", os.devnull, "--pieces", shp]))
    check(code == 1 and code2 == 1, "previous outputs written: %s %s" % (err, err2))
    good = digest(d)

    def limited(*args):
        def lim():
            resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        # restore_signals (the default) gives the child SIGXFSZ's default
        # action, which Python itself ignores.
        p = subprocess.run([REDLINE] + list(args), cwd=SRC, capture_output=True,
                           preexec_fn=lim)
        return p.returncode, p.stderr.decode("utf-8", "replace").strip()[-500:]
    for extra in (["-o", out], ["-o", os.devnull, "--pieces", gpkg],
                  ["-o", os.devnull, "--pieces", shp]):
        code, err = limited(*(base + extra))
        now = digest(d)
        check(code == -signal.SIGXFSZ and now == good,
              "%s under a size limit: killed by SIGXFSZ (status %d), previous output "
              "intact, no temporary file: %s %s" % (extra[-1], code,
                                                    sorted(set(now) ^ set(good)), err))

    # Many footprints, so that writing the pieces takes a while.
    d = os.path.join(tmp, "signals2")
    os.makedirs(d)
    n = 20000
    ctl, fps = os.path.join(d, "ctl.geojson"), os.path.join(d, "fps.geojson")
    squares_geojson(ctl, [("C", 39500000.0, 3500000.0, 20000.0)])
    squares_geojson(fps, [("F%d" % i, 39500010.0 + (i % 140) * 100, 3500010.0 + (i // 140) * 100,
                           50.0) for i in range(n)])
    big = os.path.join(d, "big.gpkg")
    code, _, err = run("screen", "--eco", ctl, fps, "-o", os.devnull, "--pieces", big)
    check(code == 1, "pieces of %d footprints written (exit %d): %s" % (n, code, err))
    good = digest(d)
    for sig in (signal.SIGTERM, signal.SIGINT):
        caught = False
        for attempt in range(5):
            # A shell's background job inherits SIGINT ignored, and redline
            # keeps an ignored signal ignored: give the child the default.
            p = subprocess.Popen([REDLINE, "screen", "--eco", ctl, fps, "-o", os.devnull,
                                  "--pieces", big], cwd=SRC, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE,
                                 preexec_fn=lambda: [signal.signal(s, signal.SIG_DFL)
                                                     for s in (signal.SIGINT, signal.SIGTERM)])
            while p.poll() is None:
                if any(f.startswith(".big.gpkg.redline-") for f in os.listdir(d)):
                    p.send_signal(signal.SIGSTOP)
                    caught = any(f.startswith(".big.gpkg.redline-") for f in os.listdir(d))
                    p.send_signal(sig)
                    p.send_signal(signal.SIGCONT)
                    break
                time.sleep(0.001)
            err = p.communicate()[1].decode("utf-8", "replace")
            code = p.returncode
            if caught:
                break
        now = digest(d)
        check(caught and code == -sig and now == good,
              "%s during the --pieces write: ends by the signal (status %s, caught %s), "
              "previous pieces intact, no temporary file: %s %s"
              % (signal.Signals(sig).name, code, caught, sorted(set(now) ^ set(good)),
                 err.strip()[-500:]))


def test_small_items(tmp):
    """--help and --version report a stdout that cannot take the text; area
    options take plain decimal numbers only."""
    if os.path.exists("/dev/full"):
        for args in (["--help"], ["--version"], ["screen", "--help"], ["help"]):
            with open("/dev/full", "w") as full:
                p = subprocess.run([REDLINE] + args, stdout=full, stderr=subprocess.PIPE)
            err = p.stderr.decode("utf-8", "replace")
            check(p.returncode == 2 and "cannot write to standard output" in err,
                  "redline %s > /dev/full exits 2 with a message (exit %d): %s"
                  % (" ".join(args), p.returncode, err.strip()))
    for bad in ("0x10", "inf", "nan", " 1", "+1", "1e999", "1e", "1,5"):
        code, out, err = run("screen", "--eco", S("eco.shp"), "--min-area", bad,
                             S("projects.shp"))
        check(code == 2 and "--min-area needs a non-negative area" in err and not out,
              "--min-area %r refused with exit 2 (exit %d): %s" % (bad, code, err.strip()))
    code, out, err = run("screen", "--eco", S("eco.shp"), "--min-area", "1.6e1",
                         "-f", "json", S("projects.shp"))
    check(code == 1 and json.loads(out)["min_area_m2"] == 16,
          "--min-area 1.6e1 is 16 m2 (exit %d): %s" % (code, err.strip()))
def run_raw(*args, cwd=SRC):
    """(exit status, stdout bytes, stderr bytes): for output that may not be UTF-8."""
    p = subprocess.run([REDLINE, *args], cwd=cwd, capture_output=True)
    return p.returncode, p.stdout, p.stderr


def utf8(b):
    """b decoded as UTF-8, or None when it is not valid UTF-8."""
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return None


def footprints_geojson(path, names, key="n", extra=None):
    """A GeoJSON footprint layer (EPSG:4490), one small square per name."""
    feats = []
    for i, n in enumerate(names):
        x, y = 117.0 + i * 0.002, 39.7
        props = {key: n}
        props.update(extra[i] if extra else {})
        feats.append({"type": "Feature", "properties": props, "geometry": {
            "type": "Polygon", "coordinates": [[[x, y], [x + 0.001, y], [x + 0.001, y + 0.001],
                                                [x, y + 0.001], [x, y]]]}})
    return write(path, json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}},
        "features": feats}))


def test_text_is_utf8(tmp):
    """Issue 12 item 5: an unknown encoding is refused, bytes that do not
    decode become U+FFFD with a warning naming file, FID and field, and
    messages are never cut inside a character."""
    d = os.path.join(tmp, "enc")
    os.makedirs(d)
    for ext in ("shp", "shx", "dbf", "prj"):
        shutil.copy(os.path.join(SAMPLES, "projects." + ext), d)
    shp = os.path.join(d, "projects.shp")
    cpg = os.path.join(d, "projects.cpg")
    write(cpg, "KLINGON-9999\n")
    before_d = digest(d)
    expect_error(["screen", "--eco", S("eco.shp"), shp],
                 [shp + ": its .cpg names the encoding 'KLINGON-9999', which is unknown"],
                 "unknown .cpg encoding")
    expect_error(["area", shp], [shp, "'KLINGON-9999'", ".cpg"], "unknown .cpg in area")
    expect_error(["diff", shp, S("eco.shp")], ["OLD: " + shp, "'KLINGON-9999'"],
                 "unknown .cpg in diff")
    expect_error(["screen", "--eco", S("eco.shp"), "--encoding", "GBKK", S("projects.shp")],
                 ["--encoding: unknown encoding 'GBKK'"], "unknown --encoding")
    check(digest(d) == before_d, "unknown encodings: no input changed")
    # The names GDAL accepts for the samples' GBK text decode it as GBK does.
    _, ref, _ = run("screen", "--eco", S("eco.shp"), "--id-field", "XMMC", "-f", "json",
                    S("projects.shp"))
    ref_ids = [f["id"] for f in json.loads(ref)["footprints"]]
    check("潮白河畔生态旅游服务中心" in ref_ids, "reference ids are GBK decoded: %s" % ref_ids[:2])
    for name in ("GBK", "gbk", "GB2312", "GB18030", "CP936", "936", "LDID/77", " GBK\r\n",
                 "\ufeffGBK"):
        write(cpg, name)
        code, out, err = run_raw("screen", "--eco", S("eco.shp"), "--id-field", "XMMC",
                                 "-f", "json", shp)
        ids = [f["id"] for f in json.loads(utf8(out))["footprints"]] if utf8(out) else None
        check(code == 1 and ids == ref_ids and not err,
              ".cpg %r decodes like the sample's GBK (exit %d, %s)" % (name, code, err))
    # A .cpg saying UTF-8 over GBK bytes: valid JSON with U+FFFD, warnings.
    write(cpg, "UTF-8")
    before_d = digest(d)
    code, out, err = run_raw("screen", "--eco", S("eco.shp"), "--id-field", "XMMC", "-f",
                             "json", shp)
    text = utf8(out)
    check(code == 1 and text is not None, "UTF-8 .cpg over GBK: stdout is UTF-8 (exit %d)" % code)
    doc = json.loads(text) if text else {"footprints": [], "warnings": []}
    ids = [f["id"] for f in doc["footprints"]]
    check(len(ids) == 10 and all("\ufffd" in i for i in ids),
          "UTF-8 .cpg over GBK: every id holds U+FFFD: %s" % ids[:2])
    w = doc.get("warnings", [])
    check(len(w) == 10 and w[0] == "%s: FID 0, field 'XMMC': 18 bytes that do not decode "
          "as UTF-8, replaced with U+FFFD" % shp,
          "UTF-8 .cpg over GBK: a warning per value, naming file, FID, field: %s" % w[:1])
    e = utf8(err) or ""
    check(("redline screen: warning: %s: FID 9, field 'XMMC'" % shp) in e and
          e.count("warning:") == 10, "UTF-8 .cpg over GBK: warnings on stderr: %r" % e[:200])
    code, _, err = run_raw("screen", "-q", "--eco", S("eco.shp"), "--id-field", "XMMC",
                           "-f", "json", shp)
    check(code == 1 and err == b"", "-q keeps warnings off stderr: %r" % err[:100])
    for fmt in ("table", "csv"):
        code, out, _ = run_raw("screen", "--eco", S("eco.shp"), "--id-field", "XMMC", "-f", fmt,
                               shp)
        check(code == 1 and utf8(out) is not None and "\ufffd" in utf8(out),
              "UTF-8 .cpg over GBK: %s output is UTF-8 with U+FFFD" % fmt)
    code, out, err = run_raw("area", "--by", "XMMC", "-f", "json", shp)
    text = utf8(out)
    check(code == 0 and text is not None and len(json.loads(text)["warnings"]) == 10 and
          all("\ufffd" in g["key"] for g in json.loads(text)["groups"]),
          "area --by on it: UTF-8 JSON, U+FFFD keys, 10 warnings (exit %d)" % code)
    code, out, _ = run("audit", "-f", "json", d)
    probs = json.loads(out)["files"][0]["problems"] if code in (0, 1) else []
    check(any(p["code"] == "text_not_decodable" and "10 value(s)" in p["message"] and
              "FID 0, field 'XMMC'" in p["message"] for p in probs),
          "audit reports text_not_decodable (exit %d): %s" % (code, probs))
    check(digest(d) == before_d, "UTF-8 .cpg over GBK: no input changed")
    # A message longer than the 1024-byte buffer is cut between characters.
    # The message is PATH + ": no such file...": pad so that byte 1023 falls
    # on the second byte of a 3-byte character.
    pad = "a" * ((1023 - 1 - len(tmp.encode()) - 1) % 3)
    long = os.path.join(tmp, pad + "红" * 400 + ".shp")
    code, _, err = run_raw("screen", "--eco", S("eco.shp"), long)
    check(code == 2 and utf8(err) is not None and "红红红" in utf8(err),
          "a message cut at 1023 bytes is still UTF-8 (exit %d, %r)" % (code, err[-20:]))


def test_secrets_redacted(tmp):
    """Issue 12 item 6: a password in a connection string never reaches a
    message, a report field or the pieces."""
    pg = "PG:dbname=nope host=/nonexistent user=u password=s3cret"
    for args, what in ((["area", "-f", "json", pg], "area"),
                       (["screen", "--eco", pg, S("projects.shp")], "screen control"),
                       (["diff", S("eco.shp"), pg], "diff NEW")):
        code, out, err = run(*args)
        check(code == 2 and "s3cret" not in err + out and "password=***" in err,
              "%s on a PG string: the message masks the password (exit %d): %s"
              % (what, code, err.strip()))
    code, _, err = run("area", "PG:dbname=nope host=/nonexistent password='s3 cret'")
    check(code == 2 and "s3" not in err and "password='***'" in err,
          "quoted password masked: %s" % err.strip())
    # A dataset name that GDAL opens and that looks like a connection string.
    d = os.path.join(tmp, "dbname=gis password=s3cret")
    os.makedirs(d)
    fp = footprints_geojson(os.path.join(d, "fp.geojson"), ["A", "B"])
    masked = os.path.join(tmp, "dbname=gis password=***")
    before_d = digest(d)
    code, out, err = run("area", "-f", "json", fp)
    check(code == 0 and json.loads(out)["path"] == masked and "s3cret" not in out + err,
          "area JSON path masked: %s" % json.loads(out)["path"] if code == 0 else err)
    code, out, _ = run("area", fp)
    check(code == 0 and masked in out and "s3cret" not in out, "area table path masked")
    code, out, _ = run("screen", "--control", "c:report=" + fp, "-f", "json", fp)
    doc = json.loads(out)
    check(code == 0 and doc["controls"][0]["path"] == masked and
          doc["footprints"][0]["source"] == masked and "s3cret" not in out,
          "screen JSON control path and footprint source masked")
    pieces = os.path.join(tmp, "pieces_secret.gpkg")
    code, out, _ = run("screen", "--control", "c:report=" + fp, "-f", "csv", "--pieces",
                       pieces, fp)
    rows = list(csv.DictReader(out.lstrip("\ufeff").splitlines()))
    check(code == 0 and rows and all(r["source"] == masked for r in rows) and
          "s3cret" not in out, "screen CSV source column masked")
    import sqlite3
    con = sqlite3.connect(pieces)
    srcs = [r[0] for r in con.execute("SELECT fp_source FROM pieces")]
    con.close()
    check(len(srcs) == 2 and all(s == masked for s in srcs),
          "pieces fp_source masked: %s" % srcs)
    code, out, _ = run("diff", "-f", "json", fp, fp)
    doc = json.loads(out)
    check(code == 0 and doc["old"]["path"] == masked and doc["new"]["path"] == masked and
          "s3cret" not in out, "diff JSON old/new paths masked")
    check(digest(d) == before_d, "redaction runs: no input changed")


def test_csv_cells_are_not_formulas(tmp):
    """Issue 12 item 7: text cells that a spreadsheet would run get a
    leading '; numeric columns (negative ones too) stay numbers."""
    ids = ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1:A9)",
           "\t=1+1", "P-ok"]
    fp = footprints_geojson(os.path.join(tmp, "formula.geojson"), ids,
                            extra=[{"g": "=1+2"}, {"g": "-3"}, {"g": "ok"}, {"g": "ok"},
                                   {"g": "ok"}, {"g": "ok"}])
    before_fp = digest(tmp)
    code, out, _ = run("screen", "--eco", S("eco.shp"), "--id-field", "n", "-f", "csv", fp)
    rows = list(csv.DictReader(out.lstrip("\ufeff").splitlines()))
    got = [r["id"] for r in rows]
    want = ["'" + i for i in ids[:5]] + ["P-ok"]
    check(code == 0 and got == want, "screen CSV ids guarded: %s" % got)
    check(all(float(r["area_m2"]) > 0 for r in rows), "screen CSV areas stay numbers")
    code, out, _ = run("area", "--by", "g", "-f", "csv", fp)
    rows = list(csv.DictReader(out.lstrip("\ufeff").splitlines()))
    keys = sorted(r["key"] for r in rows if r["scope"] == "group")
    check(code == 0 and keys == ["'-3", "'=1+2", "ok"], "area --by CSV keys guarded: %s" % keys)
    code, out, _ = run("diff", "--by", "HXLX", "-f", "csv", S("eco.shp"), S("eco_v2.gpkg"))
    rows = list(csv.DictReader(out.lstrip("\ufeff").splitlines()))
    nets = [r["net_m2"] for r in rows]
    # -60761.975374 in tests/reference/diff_sample_ellipsoidal.csv (PostGIS)
    check(code == 1 and "-60761.975387" in nets and all(not n.startswith("'") for n in nets),
          "diff CSV: negative net_m2 stays a number: %s" % nets)
    check(digest(tmp) == before_fp, "CSV runs: no input changed")
    # audit paths: a file named like a formula.
    d = os.path.join(tmp, "formula_audit")
    os.makedirs(d)
    footprints_geojson(os.path.join(d, '=HYPERLINK("http:evil","x").geojson'), ["A"])
    code, out, _ = run("audit", "-f", "csv", d)
    rows = list(csv.DictReader(out.lstrip("\ufeff").splitlines()))
    check(code == 0 and [r["path"] for r in rows] == ['\'=HYPERLINK("http:evil","x").geojson'],
          "audit CSV path guarded: %s" % [r["path"] for r in rows])


def test_control_characters_escaped(tmp):
    """Issue 12 item 7: ESC, BEL, CR, LF and other controls from data are
    written out in tables, messages and progress lines."""
    ids = ["\x1b[31mRED\x07", "x\nsummary: 99 pass, 0 warn, 0 conflict, 0 error", "cr\rX",
           "c1\u009b2J"]
    fp = footprints_geojson(os.path.join(tmp, "ctl.geojson"), ids,
                            extra=[{"g": "\x1b]0;title\x07"}, {"g": "a\nb"}, {"g": "ok"},
                                   {"g": "ok"}])
    code, out, _ = run_raw("screen", "--eco", S("eco.shp"), "--id-field", "n", fp)
    text = utf8(out) or ""
    raw = [c for c in "\x1b\x07\r\u009b" if c in text]
    lines = [ln for ln in text.split("\n") if ln.startswith("summary:")]
    check(code == 0 and not raw and len(lines) == 1 and "\\x1b[31mRED\\x07" in text and
          "x\\nsummary: 99 pass" in text and "cr\\rX" in text and "c1\\u009b2J" in text,
          "screen table: control characters written out, one summary row (raw %r, %d)"
          % (raw, len(lines)))
    code, out, _ = run_raw("area", "--by", "g", fp)
    text = utf8(out) or ""
    check(code == 0 and "\x1b" not in text and "\\x1b]0;title\\x07" in text and "a\\nb" in text,
          "area table: group keys escaped")
    # The 地类 heading names the --landuse file: escaped too, in both layouts.
    lu = os.path.join(tmp, "lu\x1b[2J\nsummary: 9 pass.gpkg")
    shutil.copyfile(os.path.join(SAMPLES, "dltb.gpkg"), lu)
    for extra in ([], ["--wide"]):
        code, out, _ = run_raw("screen", "--eco", S("eco.shp"), "--landuse", lu, *extra,
                               S("projects.shp"))
        text = utf8(out) or ""
        check(code == 1 and "\x1b" not in text and "lu\\x1b[2J" in text and
              len([ln for ln in text.split("\n") if ln.startswith("summary:")]) == 1,
              "landuse heading escapes the file name %s" % extra)
    # JSON keeps the data exactly (its own escapes).
    code, out, _ = run("screen", "--eco", S("eco.shp"), "--id-field", "n", "-f", "json", fp)
    check([f["id"] for f in json.loads(out)["footprints"]] == ids, "JSON ids are the data")
    # Messages: a file name with ESC and LF.
    bad = os.path.join(tmp, "evil\x1b[2J\nsummary: fake.shp")
    code, _, err = run_raw("screen", "--eco", S("eco.shp"), bad)
    e = utf8(err) or ""
    check(code == 2 and "\x1b" not in e and e.count("\n") == 1 and "\\x1b[2J\\nsummary" in e,
          "message naming a hostile file name is one escaped line: %r" % e)
    # audit: table and progress on a terminal.
    d = os.path.join(tmp, "ctl_audit")
    os.makedirs(d)
    footprints_geojson(os.path.join(d, "fake\nsummary: files 9 ok\x1b[31m.geojson"), ["A"])
    code, out, _ = run_raw("audit", d)
    text = utf8(out) or ""
    check(code == 0 and "\x1b" not in text and
          len([ln for ln in text.split("\n") if ln.startswith("summary:")]) == 1 and
          "fake\\nsummary: files 9 ok\\x1b[31m.geojson" in text,
          "audit table: file name escaped, one summary row")
    try:
        import pty
    except ImportError:
        return
    master, slave = pty.openpty()
    p = subprocess.Popen([REDLINE, "audit", "-f", "json", d], stdout=subprocess.PIPE,
                         stderr=slave)
    os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    p.communicate()
    os.close(master)
    check(b" elapsed" in err and b"\x1b[31m" not in err and b"\\x1b[31m" in err and
          b"fake\nsummary" not in err, "audit progress line escapes the file name: %r" % err)


def test_shp_pieces_text_cut(tmp):
    """Pieces to a shapefile: a footprint id longer than a DBF text field
    holds (254 bytes) is cut at a character boundary, with a warning."""
    d = os.path.join(tmp, "shpcut")
    os.makedirs(d)
    ctl, fps = os.path.join(d, "ctl.geojson"), os.path.join(d, "fps.geojson")
    squares_geojson(ctl, [("C", 39500000.0, 3500000.0, 1000.0)])
    long_id = "项" * 100   # 300 bytes in UTF-8
    squares_geojson(fps, [(long_id, 39500100.0, 3500100.0, 10.0), ("short", 39500200.0, 3500100.0, 10.0)])
    shp = os.path.join(d, "p.shp")
    code, out, err = run("screen", "--eco", ctl, "--id-field", "ID", "-o", os.devnull,
                         "--pieces", shp, fps)
    check(code == 1 and "1 value of field fp_id is longer than 254 bytes" in err,
          "--pieces .shp warns that an fp_id is cut (exit %d): %s" % (code, err.strip()))
    p = subprocess.run(["ogrinfo", "-q", "-al", shp], capture_output=True)
    text = p.stdout.decode("utf-8")   # strict: raises if cut inside a character
    check(("fp_id (String) = " + "项" * 84 + "\n") in text,
          "the id is cut to 84 characters (252 bytes), not inside one")
    gp = os.path.join(d, "p.gpkg")
    code, out, err = run("screen", "--eco", ctl, "--id-field", "ID", "-o", os.devnull,
                         "--pieces", gp, fps)
    check(code == 1 and "fp_id" not in err, "no warning for .gpkg pieces: %s" % err.strip())
def geojson(path, geoms, epsg=4527, props=None):
    """A GeoJSON FeatureCollection in EPSG:epsg; geoms are GeoJSON geometry
    dicts (None for a null geometry).  Coordinates go out as Python writes
    them, so NaN stays NaN; 1e400 is written for infinity."""
    feats = [{"type": "Feature", "properties": (props[i] if props else {"n": "f%d" % i}),
              "geometry": g} for i, g in enumerate(geoms)]
    text = json.dumps({"type": "FeatureCollection",
                       "crs": {"type": "name",
                               "properties": {"name": "urn:ogc:def:crs:EPSG::%d" % epsg}},
                       "features": feats})
    return write(path, text.replace("Infinity", "1e400"))


def square(cx, cy, h):
    return {"type": "Polygon", "coordinates": [[[cx - h, cy - h], [cx + h, cy - h],
                                                [cx + h, cy + h], [cx - h, cy + h],
                                                [cx - h, cy - h]]]}


def jload(text):
    """The JSON document in text, or {} when there is none (a run that
    failed): the checks that follow then fail instead of the script."""
    try:
        return json.loads(text)
    except ValueError:
        return {}


def dig(doc, *keys):
    """doc[k0][k1]..., or None when a step is missing."""
    for k in keys:
        try:
            doc = doc[k]
        except (KeyError, IndexError, TypeError):
            return None
    return doc


def test_answers_that_cannot_be_trusted(tmp):
    """Issue 12, item 4: a layer or feature that cannot answer never gives an
    all-clear.  Empty and polygon-less layers, and control, OLD, NEW or area
    features with NaN/infinite coordinates or coordinates far outside the
    CRS's area of use, stop the run with exit 2 naming file (and FID);
    --allow-empty and --skip-bad-controls / --skip-bad-features go on and
    the report says so.  Every input file is byte-identical afterwards."""
    d = os.path.join(tmp, "trust")
    os.makedirs(d)
    P = lambda name: os.path.join(d, name)
    fps = S("projects.shp")
    cx, cy = 39516500.0, 4416000.0  # the middle of the sample footprints
    # A 1e20 m half-width square around the footprints (GEOS: all inside).
    geojson(P("huge.geojson"), [square(cx, cy, 1e20)])
    # A control square of 20 km around the footprints with one NaN vertex,
    # and one with an infinite one.
    nan_sq = square(cx, cy, 20000)
    nan_sq["coordinates"][0][2][0] = float("nan")
    geojson(P("nan.geojson"), [nan_sq])
    inf_sq = square(cx, cy, 20000)
    inf_sq["coordinates"][0][1][1] = float("inf")
    geojson(P("inf.geojson"), [inf_sq])
    geojson(P("empty.geojson"), [])
    geojson(P("nullonly.geojson"), [None, None])
    # Lines and points, no polygon: GDAL calls the layer's type Unknown, so
    # only its features can tell.
    geojson(P("line.geojson"), [{"type": "LineString",
                                 "coordinates": [[cx - 5000, cy], [cx + 5000, cy]]},
                                {"type": "Point", "coordinates": [cx, cy]}])
    # An empty shapefile with a polygon type, as a GIS exports it.
    subprocess.run(["ogr2ogr", P("empty_eco.shp"), os.path.join(SAMPLES, "eco.shp"),
                    "-where", "1 = 0"], check=True, capture_output=True)
    # eco.shp with a NaN vertex in FID 0 (its second point), and a NEW
    # version that deletes FID 0.
    for ext in ("shp", "shx", "dbf", "prj", "cpg"):
        shutil.copy(os.path.join(SAMPLES, "eco." + ext), P("eco_nan." + ext))
    with open(P("eco_nan.shp"), "rb") as fh:
        b = bytearray(fh.read())
    nparts = int.from_bytes(b[144:148], "little")
    off = 152 + 4 * nparts + 16  # record 0: header, type, box, counts, parts
    b[off:off + 8] = struct.pack("<d", float("nan"))
    with open(P("eco_nan.shp"), "wb") as fh:
        fh.write(b)
    subprocess.run(["ogr2ogr", P("eco_del0.shp"), os.path.join(SAMPLES, "eco.shp"),
                    "-where", "FID <> 0"], check=True, capture_output=True)
    # Footprints: a good one, one with a NaN vertex, one far outside.
    geojson(P("fp_mixed.geojson"), [square(cx, cy, 100), nan_sq, square(cx, cy, 1e20)],
            props=[{"n": "good"}, {"n": "nan"}, {"n": "huge"}])
    # A layer with a null geometry and a line beside a polygon (for area).
    geojson(P("with_null.geojson"), [None, square(cx, cy, 50),
                                     {"type": "LineString", "coordinates": [[cx, cy],
                                                                            [cx + 1, cy]]}])
    # A polygon with no area (three collinear points) and a null geometry.
    geojson(P("flat.geojson"), [{"type": "Polygon", "coordinates": [[[cx, cy], [cx + 100, cy],
                                                                     [cx + 200, cy], [cx, cy]]]},
                                None])
    before_trust = digest(d)

    # --- screen: controls ---
    for name, needles in (
            ("empty.geojson", ["control eco", "empty.geojson", "is empty (no features)",
                               "a control layer must hold polygons", "--allow-empty"]),
            ("empty_eco.shp", ["control eco", "empty_eco.shp", "is empty", "--allow-empty"]),
            ("nullonly.geojson", ["control eco", "nullonly.geojson", "2 features but no "
                                  "geometry", "--allow-empty"]),
            ("line.geojson", ["control eco", "line.geojson", "holds no polygons",
                              "2 point or line features", "a control layer must be polygons"]),
            ("nan.geojson", ["control eco", "nan.geojson", "FID 0", "not a finite number",
                             "--skip-bad-controls"]),
            ("inf.geojson", ["control eco", "inf.geojson", "FID 0", "not a finite number"]),
            ("huge.geojson", ["control eco", "huge.geojson", "FID 0",
                              "far outside the area of use", "EPSG:4527",
                              "--skip-bad-controls"]),
            ("eco_nan.shp", ["control eco", "eco_nan.shp", "FID 0", "not a finite number"])):
        expect_error(["screen", "--eco", P(name), fps], needles, "control %s" % name)
    # The same through --control, and as the second of two controls.
    expect_error(["screen", "--eco", S("eco.shp"), "--control",
                  "nature:forbid=" + P("huge.geojson"), fps],
                 ["control nature", "huge.geojson", "FID 0", "far outside"],
                 "huge square as a second control")
    # --allow-empty: accepted, said in the table and in JSON.
    code, out, err = run("screen", "--eco", P("empty.geojson"), "--allow-empty", fps)
    # (the default table wraps its lines at 80 columns: compare the words)
    check(code == 0 and "is empty, accepted with --allow-empty" in " ".join(out.split()) and
          "empty.geojson" in out,
          "--allow-empty: empty control accepted and said (exit %d): %s" % (code, out[:400]))
    code, out, err = run("screen", "--eco", P("empty.geojson"), "--allow-empty", "-f", "json",
                         fps)
    doc = jload(out)
    check(code == 0 and dig(doc, "allow_empty") is True and
          dig(doc, "empty_layers") == [{"role": "control eco", "path": P("empty.geojson"),
                                   "layer": "empty"}] and dig(doc, "controls", 0, "empty") is True,
          "--allow-empty: JSON names the empty layer: %s" % out[:400])
    # --allow-empty does not make a line layer a polygon layer.
    expect_error(["screen", "--eco", P("line.geojson"), "--allow-empty", fps],
                 ["line.geojson", "holds no polygons"], "--allow-empty keeps a line control an error")
    # --skip-bad-controls: the NaN square is left out, listed, provisional.
    code, out, err = run("screen", "--eco", P("nan.geojson"), "--skip-bad-controls", "-f",
                         "json", fps)
    doc = jload(out)
    sk = dig(doc, "controls", 0, "skipped")
    check(code == 0 and doc.get("provisional") is True and sk and len(sk) == 1 and
          sk[0]["fid"] == 0 and sk[0]["path"] == P("nan.geojson") and
          sk[0]["layer"] == "nan" and "not a finite number" in sk[0]["reason"] and
          all(f.get("provisional") is True for f in dig(doc, "footprints")) and
          len(dig(doc, "footprints")) == 10,
          "--skip-bad-controls: JSON lists the skipped feature, every verdict provisional "
          "(exit %d): %s" % (code, out[:600]))
    code, out, err = run("screen", "--eco", P("huge.geojson"), "--skip-bad-controls", fps)
    check(code == 0 and "PROVISIONAL: control eco" in out and "skipped FID 0" in out and
          "far outside the area of use" in out and "(PROVISIONAL" in out,
          "--skip-bad-controls: table says PROVISIONAL and names FID 0 (exit %d): %s"
          % (code, out[:600]))
    code, out, err = run("screen", "--eco", P("eco_nan.shp"), "--skip-bad-controls", "-f",
                         "csv", fps)
    rows = list(csv.DictReader(out.lstrip("\ufeff").splitlines()))
    check(code == 1 and len(rows) == 10 and
          all("PROVISIONAL" in r["reasons"] for r in rows),
          "--skip-bad-controls: every CSV row says PROVISIONAL (exit %d)" % code)
    # --- screen: footprints ---
    expect_error(["screen", "--eco", S("eco.shp"), P("empty.geojson")],
                 ["empty.geojson", "is empty", "footprints must hold polygons",
                  "--allow-empty"], "empty footprint file")
    expect_error(["screen", "--eco", S("eco.shp"), fps, P("empty_eco.shp")],
                 ["empty_eco.shp", "is empty", "footprints"],
                 "an empty footprint file among good ones")
    expect_error(["screen", "--eco", S("eco.shp"), P("nullonly.geojson")],
                 ["nullonly.geojson", "no geometry"], "footprints without geometry")
    expect_error(["screen", "--eco", S("eco.shp"), P("line.geojson")],
                 ["line.geojson", "holds no polygons", "footprints must be polygons"],
                 "line footprint layer")
    code, out, err = run("screen", "--eco", S("eco.shp"), "--allow-empty", "-f", "json",
                         P("empty.geojson"))
    doc = jload(out)
    check(code == 0 and dig(doc, "summary", "footprints") == 0 and
          dig(doc, "empty_layers") == [{"role": "footprints", "path": P("empty.geojson"),
                                   "layer": "empty"}],
          "--allow-empty: an empty footprint file is accepted and named (exit %d)" % code)
    # A footprint with a NaN vertex, one far outside, beside a good one:
    # per-footprint errors (exit 2), the good one screened.
    code, out, err = run("screen", "--eco", S("eco.shp"), "--id-field", "n", "-f", "json",
                         P("fp_mixed.geojson"))
    f = {x["id"]: x for x in jload(out).get("footprints", [])}
    check(code == 2 and dig(f, "good", "verdict") in ("pass", "conflict") and
          dig(f, "nan", "verdict") == "error" and "not a finite number" in (dig(f, "nan", "error") or "") and
          dig(f, "huge", "verdict") == "error" and "far outside the area of use" in
          (dig(f, "huge", "error") or "") and "feature 2" in (dig(f, "huge", "error") or ""),
          "NaN and far-out footprints are errors, the good one screened (exit %d): %s"
          % (code, [(x["id"], x["verdict"], x.get("error")) for x in f.values()]))
    # --- diff ---
    expect_error(["diff", P("eco_nan.shp"), P("eco_del0.shp")],
                 ["OLD", "eco_nan.shp", "FID 0", "not a finite number",
                  "--skip-bad-features"], "diff: NaN vertex in an OLD feature NEW deletes")
    expect_error(["diff", S("eco.shp"), P("eco_nan.shp")],
                 ["NEW", "eco_nan.shp", "FID 0", "not a finite number"],
                 "diff: NaN vertex in NEW")
    expect_error(["diff", P("huge.geojson"), S("eco.shp")],
                 ["OLD", "huge.geojson", "FID 0", "far outside"], "diff: far-out OLD")
    expect_error(["diff", P("line.geojson"), S("eco.shp")],
                 ["OLD", "line.geojson", "holds no polygons", "2 point or line features",
                  "OLD must be polygons"], "diff: a line layer as OLD")
    expect_error(["diff", P("empty.geojson"), S("eco.shp")],
                 ["OLD", "empty.geojson", "is empty", "--allow-empty"], "diff: empty OLD")
    expect_error(["diff", S("eco.shp"), P("empty_eco.shp")],
                 ["NEW", "empty_eco.shp", "is empty"], "diff: empty NEW")
    code, out, err = run("diff", "--allow-empty", "-f", "json", S("eco.shp"),
                         P("empty_eco.shp"))
    doc = jload(out)
    check(code == 1 and dig(doc, "verdict") == "shrunk" and dig(doc, "new_m2") == 0 and
          dig(doc, "new", "empty") is True and dig(doc, "empty_layers", 0, "role") == "new",
          "diff --allow-empty: an empty NEW is a shrunk layer, said so (exit %d)" % code)
    code, out, err = run("diff", "--skip-bad-features", "-f", "json", P("eco_nan.shp"),
                         P("eco_del0.shp"))
    doc = jload(out)
    check(code == 0 and dig(doc, "provisional") is True and
          [s_["fid"] for s_ in dig(doc, "old", "skipped")] == [0] and "skipped" not in dig(doc, "new"),
          "diff --skip-bad-features: OLD's FID 0 listed, provisional (exit %d): %s"
          % (code, out[:500]))
    code, out, err = run("diff", "--skip-bad-features", P("eco_nan.shp"), P("eco_del0.shp"))
    check("PROVISIONAL: old" in out and "skipped FID 0" in out and
          "not shrunk (PROVISIONAL" in out, "diff table: PROVISIONAL lines: %s" % out)
    code, out, err = run("diff", "--skip-bad-features", "-f", "csv", P("eco_nan.shp"),
                         P("eco_del0.shp"))
    rows = list(csv.reader(out.lstrip("\ufeff").splitlines()))
    check(any(r[0] == "skipped" and "FID 0" in r[1] and r[-1] == "provisional" and
              len(r) == len(rows[0]) for r in rows),
          "diff CSV: a 'skipped' row with as many cells as the header: %s" % rows)
    # --- area ---
    expect_error(["area", P("empty.geojson")], ["empty.geojson", "is empty", "--allow-empty"],
                 "area on an empty layer")
    expect_error(["area", P("line.geojson")], ["line.geojson", "holds no polygons"],
                 "area on a line layer")
    expect_error(["area", P("eco_nan.shp")], ["eco_nan.shp", "FID 0", "not a finite number",
                                              "--skip-bad-features"], "area with a NaN vertex")
    expect_error(["area", P("huge.geojson")], ["huge.geojson", "FID 0", "far outside"],
                 "area on a far-out square")
    expect_error(["area", "--area", "planar", P("huge.geojson")],
                 ["huge.geojson", "FID 0", "far outside"], "planar area on a far-out square")
    expect_error(["area", P("flat.geojson")], ["flat.geojson", "holds no usable polygon",
                                               "1 polygon with no area after repair"],
                 "area on a layer whose only polygon has no area")
    expect_error(["diff", S("eco.shp"), P("flat.geojson")],
                 ["NEW", "flat.geojson", "holds no usable polygon"],
                 "diff: NEW whose only polygon has no area")
    code, out, err = run("area", "--allow-empty", "-f", "json", P("empty.geojson"))
    doc = jload(out)
    check(code == 0 and dig(doc, "area_m2") == 0 and dig(doc, "allow_empty") is True and
          dig(doc, "empty_layers", 0, "path") == P("empty.geojson"),
          "area --allow-empty: 0 m2, said so (exit %d)" % code)
    code, out, err = run("area", "--allow-empty", P("empty.geojson"))
    check(code == 0 and "is empty, accepted with --allow-empty" in out,
          "area table: --allow-empty note: %s" % out)
    code, out, err = run("area", "--skip-bad-features", "-f", "json", P("eco_nan.shp"))
    doc = jload(out)
    _, ref, _ = run("area", "-f", "json", P("eco_del0.shp"))
    check(code == 0 and dig(doc, "provisional") is True and dig(doc, "skipped", 0, "fid") == 0 and
          dig(doc, "area_m2") == jload(ref).get("area_m2"),
          "area --skip-bad-features: measures the other features, provisional (exit %d)" % code)
    # The area table names features it could not measure.
    code, out, err = run("area", P("with_null.geojson"))
    check(code == 0 and "2 features not measured" in out and "FID 0: null geometry" in out
          and "FID 2: not a polygon" in out,
          "area table names unusable features (exit %d): %s" % (code, out))
    check(digest(d) == before_trust, "untrusted layers: every input byte-identical "
          "afterwards, nothing added")


def test_trust_options_in_help():
    """--allow-empty and the skip options are in --help where they work."""
    for cmd, opts in (("screen", ("--allow-empty", "--skip-bad-controls")),
                      ("diff", ("--allow-empty", "--skip-bad-features")),
                      ("area", ("--allow-empty", "--skip-bad-features")),
                      ("audit", ("--skip-bad-controls",))):
        code, out, _ = run(cmd, "--help")
        check(code == 0 and all(o in out for o in opts),
              "%s --help mentions %s" % (cmd, ", ".join(opts)))
    expect_error(["diff", "--skip-bad-controls", S("eco.shp"), S("eco_v2.gpkg")],
                 ["unknown option '--skip-bad-controls'"], "diff names it --skip-bad-features")
    expect_error(["screen", "--allow-empty=yes", "--eco", S("eco.shp"), S("projects.shp")],
                 ["--allow-empty takes no value"], "--allow-empty is a flag")
def holes_geojson(path, n, dx, parcels):
    """A square site with n 4 m square holes on a 10 m grid (EPSG:4527), at x offset dx;
    with parcels, the holes alone as one feature each.  Returns the square's side."""
    k = 1
    while k * k < n:
        k += 1
    side = 10 * k + 10
    x0, y0 = 39500000 + dx, 3300000

    def sq(x, y, s, ccw=True):
        pts = [[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]
        return pts if ccw else pts[::-1]
    holes = [sq(x0 + 3 + 10 * (i % k), y0 + 3 + 10 * (i // k), 4, parcels) for i in range(n)]
    if parcels:
        feats = [{"type": "Feature", "properties": {"ID": "P%d" % i},
                  "geometry": {"type": "Polygon", "coordinates": [h]}} for i, h in enumerate(holes)]
    else:
        feats = [{"type": "Feature", "properties": {"ID": "H"},
                  "geometry": {"type": "Polygon", "coordinates": [sq(x0, y0, side)] + holes}}]
    write(path, json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {
        "name": "urn:ogc:def:crs:EPSG::4527"}}, "features": feats}))
    return side


def test_many_holes(tmp):
    """Issue 12: a site with thousands of holes against an identical control, the same
    shifted 1 m, and parcels around which it was drawn.  Every figure is hand geometry:
    integer coordinates, planar areas exact."""
    n = 3000
    fp, same, shift = (os.path.join(tmp, x) for x in ("h_fp.geojson", "h_same.geojson",
                                                       "h_shift.geojson"))
    touch, parcels = os.path.join(tmp, "h_touch.geojson"), os.path.join(tmp, "h_parcels.geojson")
    side = holes_geojson(fp, n, 0, False)
    holes_geojson(same, n, 0, False)
    holes_geojson(shift, n, 1, False)
    holes_geojson(touch, n, 0, True)
    holes_geojson(parcels, n, 1, True)
    area = side * side - 16 * n
    # shifted: all but a 1 m strip, less each hole and its copy 1 m east (16 + 16 - 12 m2)
    shifted = (side - 1) * side - 20 * n
    code, out, err = run("screen", "--area", "planar", "--eco", same, "--udb", shift,
                         "--farmland", parcels, "--id-field", "ID", "-f", "json", fp)
    check(code == 1, "many holes: screen exits 1 (conflicts), got %d: %s" % (code, err))
    f = json.loads(out)["footprints"][0]
    c = f["controls"]
    check(close(f["area_m2"], area, 1e-9), "many holes: area %s, by hand %s" % (f["area_m2"], area))
    check(close(c["eco"]["overlap_m2"], area, 1e-9) and c["eco"]["overlap_pct"] == 100,
          "many holes: identical control covers it: %s" % c["eco"])
    check(close(c["udb"]["overlap_m2"], shifted, 1e-9)
          and close(c["udb"]["outside_m2"], area - shifted, 1e-6, 1e-3),
          "many holes: shifted control %s, by hand %s" % (c["udb"], shifted))
    check(close(c["farmland"]["overlap_m2"], 4 * n, 1e-9) and len(c["farmland"]["hits"]) == n,
          "many holes: each parcel 1 m out of its hole overlaps 4 m2: %s m2, %d hits"
          % (c["farmland"]["overlap_m2"], len(c["farmland"]["hits"])))
    code, out, err = run("screen", "--area", "planar", "--farmland", touch, "-f", "json", fp)
    f = json.loads(out)["footprints"][0]
    check(code == 0 and f["verdict"] == "pass" and f["controls"]["farmland"]["hits"] == [],
          "many holes: parcels filling the holes touch the site and overlap nothing (%d)" % code)
    code, out, err = run("area", "--area", "planar", "-f", "json", fp)
    check(code == 0 and close(json.loads(out)["area_m2"], area, 1e-9),
          "many holes: area %s, by hand %s" % (out[:300], area))
    code, out, err = run("diff", "--area", "planar", "-f", "json", same, shift)
    d = json.loads(out)
    # old - new and new - old: each side's area less the overlap
    check(close(d["lost_m2"], area - shifted, 1e-9) and close(d["gained_m2"], area - shifted, 1e-9)
          and close(d["old_m2"], area, 1e-9) and close(d["new_m2"], area, 1e-9),
          "many holes: diff lost/gained %s/%s, by hand %s" % (d["lost_m2"], d["gained_m2"],
                                                               area - shifted))


def main():
    tmp = tempfile.mkdtemp(prefix="rlcli.")
    try:
        test_screen_against_postgis()
        test_expected_outputs()
        test_csv_and_units()
        test_jobs_and_formats_deterministic()
        test_exit_codes_and_rules(tmp)
        test_bad_input(tmp)
        test_help_and_version()
        test_help_shows_the_defaults()
        test_audit_progress_and_quiet()
        test_diff_and_area_against_postgis(tmp)
        test_outputs_never_land_on_inputs(tmp)
        test_outputs_are_written_whole(tmp)
        test_signals_leave_no_temporary_file(tmp)
        test_small_items(tmp)
        test_shp_pieces_text_cut(tmp)
        test_text_is_utf8(tmp)
        test_secrets_redacted(tmp)
        test_csv_cells_are_not_formulas(tmp)
        test_control_characters_escaped(tmp)
        test_answers_that_cannot_be_trusted(tmp)
        test_trust_options_in_help()
        test_many_holes(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    check(digest(SAMPLES) == before, "sample_shapes/ is byte-identical after all runs")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
