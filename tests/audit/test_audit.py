#!/usr/bin/env python3
"""`redline audit` on a generated messy delivery folder (make_fixture.py):
statuses and problem codes, figures equal to `redline screen`'s, crash
isolation, --jobs, --report-dir, and a byte-identical folder afterwards.
Usage: test_audit.py REDLINE SRCDIR"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, digest, summary  # noqa: E402
import testlib  # noqa: E402

REDLINE, SRC = sys.argv[1], sys.argv[2]
SAMPLES = os.path.join(SRC, "sample_shapes")


def run(*args, env=None):
    return testlib.run(REDLINE, *args, env=env)


EXPECT = {  # path: (status, problem codes)
    "broken/dup_ids.geojson": ("warn", ["duplicate_id"]),
    "broken/empty.geojson": ("error", ["empty_layer"]),
    "broken/garbage.gpkg": ("error", ["unreadable"]),
    "broken/gk_as_lonlat.geojson": ("error", ["coords_outside_crs"]),
    "broken/lines.geojson": ("error", ["not_polygon"]),
    "broken/mixed_lines.geojson": ("error", ["not_polygon"]),
    "broken/no_cpg.shp": ("warn", ["invalid_geometry", "encoding_unknown"]),
    "broken/no_dbf.shp": ("warn", ["missing_dbf", "invalid_geometry", "missing_id_field"]),
    "broken/no_prj.shp": ("error", ["missing_prj", "invalid_geometry"]),
    "broken/no_shx.shp": ("warn", ["missing_shx", "invalid_geometry"]),
    "broken/nullgeom.geojson": ("warn", ["null_geometry"]),
    "broken/truncated.shp": ("error", ["unreadable"]),
    "broken/zero.shp": ("error", ["unreadable"]),
    "delivery.zip/inner/项目红线.shp": ("warn", ["invalid_geometry"]),
    "good/a.geojson": ("ok", []),
    "good/b.gpkg": ("ok", []),
    "good/c.shp": ("ok", []),
    "repaired/projects.shp": ("warn", ["invalid_geometry"]),
    "utf8.zip/甲/项目.geojson": ("ok", []),
    "utf8.zip/乙/项目.geojson": ("ok", []),
}


def main():
    tmp = tempfile.mkdtemp(prefix="rlaudit.")
    fx = os.path.join(tmp, "delivery")
    subprocess.run([sys.executable, os.path.join(SRC, "tests", "audit", "make_fixture.py"),
                    SAMPLES, fx], check=True)
    before = digest(fx)
    controls = ["--eco", os.path.join(SAMPLES, "eco.shp"),
                "--farmland", os.path.join(SAMPLES, "farmland.shp"),
                "--udb", os.path.join(SAMPLES, "udb.shp"), "--id-field", "XMBH"]
    code, out, err = run("audit", *controls, "-f", "json", fx)
    check(code == 2, "audit of a messy folder exits 2 (got %d): %s" % (code, err))
    doc = json.loads(out)
    files = {f["path"]: f for f in doc["files"]}
    check(set(files) == set(EXPECT), "files found: %s" % sorted(set(files) ^ set(EXPECT)))
    for path, (status, codes) in EXPECT.items():
        f = files.get(path)
        if not f:
            continue
        got = [p["code"] for p in f["problems"]]
        check(f["status"] == status and got == codes,
              "%s: %s %s, want %s %s" % (path, f["status"], got, status, codes))
        for p in f["problems"]:
            check(path in p["message"], "%s: message names the file: %s" % (path, p["message"]))
    check(doc["summary"]["skipped"] == 2, "two non-vector files skipped")
    check(doc["summary"]["files"] == len(EXPECT), "summary file count")
    # Null geometry: that footprint is an error, the other is screened.
    ng = files["broken/nullgeom.geojson"]["footprints"]
    check([f["verdict"] == "error" for f in ng] == [False, True], "null footprint is an error")
    # Good files are screened with the same figures as `redline screen`.
    for path in ("good/a.geojson", "good/b.gpkg", "good/c.shp", "repaired/projects.shp",
                 "broken/no_shx.shp"):
        _, sout, _ = run("screen", *controls, "-f", "json", os.path.join(fx, path))
        want = [(f["id"], f["area_m2"], f["verdict"],
                 {k: v["overlap_m2"] for k, v in f["controls"].items()})
                for f in json.loads(sout)["footprints"]]
        got = [(f["id"], f["area_m2"], f["verdict"],
                {k: v["overlap_m2"] for k, v in f["controls"].items()})
               for f in files[path]["footprints"]]
        check(want == got, "%s: audit figures equal screen's" % path)
    # The zip member's GBK name is shown decoded.
    check("delivery.zip/inner/项目红线.shp" in files, "GBK zip member name decoded")
    check(err == "", "audit prints nothing but progress and errors: %r" % err)
    # One worker gives the same bytes as the default (every processor).
    _, out2, _ = run("audit", *controls, "-f", "json", "--jobs", "1", fx)
    check(out2 == out, "--jobs 1 output identical to the default --jobs")
    # A file that crashes its worker is reported; the others go on.
    env = dict(os.environ, REDLINE_TEST_CRASH_ON="good/b.gpkg")
    code, out3, _ = run("audit", *controls, "-f", "json", fx, env=env)
    f3 = {f["path"]: f for f in json.loads(out3)["files"]}
    check(f3["good/b.gpkg"]["status"] == "error" and
          "crashed (signal" in f3["good/b.gpkg"]["problems"][0]["message"],
          "crashed file reported unreadable")
    check(f3["good/c.shp"]["status"] == "ok" and len(f3) == len(EXPECT),
          "the audit goes on after a crash")
    # --report-dir: the summary set; refused inside DIR.
    rd = os.path.join(tmp, "report")
    code, _, err = run("audit", *controls, "--report-dir", rd, "-q", fx)
    names = sorted(os.listdir(rd))
    check(names == ["files", "summary.csv", "summary.json", "summary.txt"], "report dir: %s" % names)
    check(len(os.listdir(os.path.join(rd, "files"))) == len(EXPECT), "one detail file per file")
    with open(os.path.join(rd, "summary.csv"), encoding="utf-8") as fh:
        check(fh.read().startswith("\ufeffpath,status"), "summary.csv has BOM and header")
    code, _, err = run("audit", "--report-dir", os.path.join(fx, "rep"), fx)
    check(code == 2 and "inside" in err and not os.path.exists(os.path.join(fx, "rep")),
          "--report-dir inside DIR refused: %s" % err.strip())
    code, _, err = run("audit", "-o", os.path.join(fx, "x.txt"), fx)
    check(code == 2 and "inside" in err, "-o inside DIR refused")
    # Without controls the files are only checked.
    code, out4, _ = run("audit", "-f", "csv", fx)
    check(code == 2 and out4.count("\r\n") == len(EXPECT) + 1, "audit without controls, CSV")
    code, _, err = run("audit", os.path.join(tmp, "nope"))
    check(code == 2 and "not a directory" in err, "missing DIR")
    # Nothing under the folder changed: bytes, mtimes, no new files.
    check(digest(fx) == before, "delivery folder byte-identical afterwards")
    shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
