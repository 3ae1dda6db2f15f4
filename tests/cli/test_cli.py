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
    with open(os.path.join(REF, "screen_sample.csv"), encoding="utf-8") as fh:
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
    with open(os.path.join(REF, "screen_sample.csv"), encoding="utf-8") as fh:
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
    # The same footprints in EPSG:4490 GeoJSON give the same figures as in EPSG:4527.
    _, js, _ = run("screen", *CONTROLS, "--id-field", "XMBH", "-f", "json", S("projects.shp"))
    _, jg, _ = run("screen", *CONTROLS, "--id-field", "XMBH", "-f", "json",
                   S("projects_4490.geojson"))
    a = {f["id"]: f for f in json.loads(js)["footprints"]}
    for f in json.loads(jg)["footprints"]:
        g = a[f["id"]]
        check(close(f["area_m2"], g["area_m2"], 1e-6), "%s area same in 4490 and 4527" % f["id"])
        for k in ("eco", "farmland", "udb"):
            check(close(f["controls"][k]["overlap_m2"], g["controls"][k]["overlap_m2"], 1e-6),
                  "%s %s overlap same in 4490 and 4527" % (f["id"], k))
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
    with open(os.path.join(REF, "diff_sample.csv"), encoding="utf-8") as fh:
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
    # Reversed: whatever was gained is now lost.
    code_r, out_r, _ = run("diff", "-f", "json", S("eco_v2.gpkg"), S("eco.shp"))
    r = json.loads(out_r)
    check(close(r["lost_m2"], doc["gained_m2"], 1e-6) and close(r["gained_m2"], doc["lost_m2"], 1e-6),
          "reversed diff swaps lost and gained")
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
    with open(os.path.join(REF, "area_sample.csv"), encoding="utf-8") as fh:
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
    check(code == 2 and "out.json" in err and "cannot write" in err,
          "-o under a size limit exits 2 naming the file (exit %d): %s" % (code, err.strip()))
    code, err = limited(*(base + ["-o", os.devnull, "--pieces", pieces]))
    check(code == 2 and "pieces.gpkg" in err,
          "--pieces under a size limit exits 2 naming the file (exit %d): %s" % (code, err.strip()))
    now = digest(d)
    check(now == good, "the previous report and pieces survive intact, no temporary file "
          "is left: %s" % sorted(set(now) ^ set(good)))


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
        test_many_holes(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    check(digest(SAMPLES) == before, "sample_shapes/ is byte-identical after all runs")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
