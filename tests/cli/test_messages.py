#!/usr/bin/env python3
"""Everyday mistakes and the messages they get (issue #20).

Usage: test_messages.py REDLINE SRCDIR

Each case checks the exact message, the exit status, and that every input file
is byte-identical afterwards (sha256 and mtime of sample_shapes/ and the scratch
inputs).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, digest, run, summary  # noqa: E402

PROJ_FIELDS = "XMBH, XMMC"


def expect(redline, args, code, err, cwd, what, out=None):
    """Run redline ARGS in cwd: exit status `code`, stderr exactly `err`."""
    rc, o, e = run(redline, *args, cwd=cwd)
    check(rc == code, f"{what}: exit {rc}, expected {code} (stderr: {e!r})")
    check(e == err, f"{what}: stderr\n  {e!r}\nexpected\n  {err!r}")
    if out is not None:
        check(o == out, f"{what}: stdout {o[:200]!r}")
    return rc, o, e


def usage(cmd, msg):
    return f"redline {cmd}: {msg}\nTry 'redline {cmd} --help'.\n"


def main():
    redline, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    tmp = tempfile.mkdtemp(prefix="rl-msg-")
    try:
        os.symlink(os.path.join(src, "sample_shapes"), os.path.join(tmp, "s"))
        before = digest(os.path.join(src, "sample_shapes"))
        cases(redline, tmp)
        check(digest(os.path.join(src, "sample_shapes")) == before,
              "sample_shapes/ is byte-identical after the runs")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


def cases(redline, d):
    eco, prj = "s/eco.shp", "s/projects.shp"

    # -- did you mean: every option that names a field --------------------------
    expect(redline, ["screen", "--eco", eco, "--id-field", "XMBM", prj], 2,
           usage("screen", f"{prj}: no field 'XMBM' for --id-field; did you mean 'XMBH'? "
                 f"(fields: {PROJ_FIELDS})"), d, "--id-field typo")
    # A case-only difference is no mistake: the field is found.
    rc, o, e = run(redline, "screen", "--eco", eco, "--id-field", "xmbh", "-f", "json", prj,
                   cwd=d)
    check(rc == 1 and '"id": "P01"' in o, f"--id-field xmbh finds XMBH: {rc} {e!r}")
    # Nothing near: the list alone, no wild guess.
    expect(redline, ["screen", "--eco", eco, "--id-field", "NAME", prj], 2,
           usage("screen", f"{prj}: no field 'NAME' for --id-field (fields: {PROJ_FIELDS})"),
           d, "--id-field far from every field")
    eco_fields = "HXMC, HXLX, XZQDM"  # ogrinfo -so sample_shapes/eco.shp
    expect(redline, ["area", "--by", "HXLB", eco], 2,
           usage("area", f"{eco}: no field 'HXLB' for --by; did you mean 'HXLX'? "
                 f"(fields: {eco_fields})"), d, "area --by typo")
    expect(redline, ["diff", "--by", "HXLB", eco, "s/eco_v2.gpkg"], 2,
           usage("diff", f"{eco}: no field 'HXLB' for --by; did you mean 'HXLX'? "
                 f"(fields: {eco_fields})"), d, "diff --by typo")
    expect(redline, ["diff", "--by-old", "HXLX", "--by-new", "HXLXX", eco, "s/eco_v2.gpkg"], 2,
           usage("diff", f"s/eco_v2.gpkg: no field 'HXLXX' for --by-new; did you mean "
                 f"'HXLX'? (fields: {eco_fields})"), d, "diff --by-new typo")
    expect(redline, ["diff", "--by-old", "HLX", "--by-new", "HXLX", eco, "s/eco_v2.gpkg"], 2,
           usage("diff", f"{eco}: no field 'HLX' for --by-old; did you mean 'HXLX'? "
                 f"(fields: {eco_fields})"), d, "diff --by-old typo")
    rc, o, e = run(redline, "screen", "--landuse", "s/dltb.shp", "--field", "DLBM=DLBN",
                   "--id-field", "XMBH", prj, cwd=d)
    check(rc == 2 and e.startswith(
        usage("screen", "--landuse s/dltb.shp: no field 'DLBN' (given by --field DLBM=DLBN); "
              "did you mean 'DLBM'? (fields: ").split("\nTry")[0])
          and "DLBM, DLMC" in e, f"--field DLBM=DLBN typo: {rc} {e!r}")
    rc, o, e = run(redline, "screen", "--eco", eco, "--id-field", "XMBH", "--use-field",
                   "XMMX", prj, cwd=d)
    check(rc == 2 and e == usage("screen", f"{prj}: no field 'XMMX' for --use-field; did you "
                                 f"mean 'XMMC'? (fields: {PROJ_FIELDS})"),
          f"--use-field typo: {rc} {e!r}")
    expect(redline, ["screen", "--eco", eco, "--classify", "eco=HXLB", "--id-field", "XMBH",
                     prj], 2,
           usage("screen", f"--classify eco=HXLB: {eco} has no field 'HXLB'; did you mean "
                 f"'HXLX'? (fields: {eco_fields})"), d, "--classify typo")

    # A rules file naming a field the control lacks: the nearest name too.
    rules = os.path.join(d, "rules")
    os.mkdir(rules)
    for ext in ("shp", "shx", "dbf", "prj", "cpg"):
        shutil.copy(os.path.join(d, f"s/rules/stbhhx.{ext}"), os.path.join(rules, f"stbhhx.{ext}"))
    with open(os.path.join(rules, "r.yaml"), "w", encoding="utf-8") as f:
        f.write("controls:\n  - name: eco\n    path: stbhhx.shp\n    by:\n"
                "      field: ZRBHDFX\n      values:\n        核心保护区: {severity: conflict}\n")
    rc, o, e = run(redline, "screen", "--rules", "rules/r.yaml", "s/rules/xm.shp", cwd=d)
    check(rc == 2 and e.startswith("redline screen: rules file rules/r.yaml:5:7: control eco: "
                                   "by field 'ZRBHDFX' is not in rules/stbhhx.shp (did you mean "
                                   "'ZRBHDFQ'? its fields: ") and
          "its fields: HXMC, HXLX, ZRBHDMC, ZRBHDJB, ZRBHDFQ; an 'aliases' entry may name it "
          "otherwise)\nTry 'redline screen --help'.\n" in e,
          f"rules by-field typo: {rc} {e!r}")

    # -- a unit after a space -----------------------------------------------------
    expect(redline, ["screen", "--eco", eco, "--min-area", "1", "mu", prj], 2,
           usage("screen", "--min-area 1 mu: the unit must follow the number without a "
                 "space: 1mu"), d, "--min-area 1 mu")
    expect(redline, ["area", "--expect-min", "12.5", "km2", eco], 2,
           usage("area", "--expect-min 12.5 km2: the unit must follow the number without a "
                 "space: 12.5km2"), d, "--expect-min 12.5 km2")
    expect(redline, ["diff", "--tolerance=10", "ha", eco, eco], 2,
           usage("diff", "--tolerance 10 ha: the unit must follow the number without a "
                 "space: 10ha"), d, "--tolerance=10 ha")
    expect(redline, ["area", "--expect-min", "12.5", "亩", eco], 2,
           usage("area", "--expect-min 12.5 亩: the unit must follow the number without a "
                 "space: 12.5亩"), d, "--expect-min 12.5 亩")
    # A file that happens to be called like a unit is still an operand elsewhere.
    rc, o, e = run(redline, "area", "mu", cwd=d)
    check(rc == 2 and e == "redline area: mu: no such file or directory\n",
          f"area mu (a missing file): {rc} {e!r}")

    # -- case-insensitive values ----------------------------------------------------
    rc, o, e = run(redline, "area", "-f", "CSV", "--area", "Planar", "--units", "HA", eco, cwd=d)
    check(rc == 0 and o.startswith("\ufeffscope,key,features,area_ha,"),
          f"-f CSV --area Planar --units HA: {rc} {o[:60]!r} {e!r}")
    rc, o2, e = run(redline, "area", "-f", "csv", "--area", "planar", "--units", "ha", eco, cwd=d)
    check(o == o2, "-f CSV gives the bytes of -f csv")
    rc, o, e = run(redline, "area", "--format=JSON", eco, cwd=d)
    check(rc == 0 and o.startswith('{"tool": "redline"'), f"--format=JSON: {rc} {e!r}")
    expect(redline, ["area", "-f", "cvs", eco], 2,
           usage("area", "--format must be table, csv, json, html or xlsx, not 'cvs'"), d,
           "-f cvs")

    # -- diff A A ---------------------------------------------------------------
    os.symlink(os.path.join(d, "s"), os.path.join(d, "link"))
    same = ("redline diff: warning: OLD and NEW are the same dataset ({a} and {b}): "
            "nothing can have changed\n")
    for a, b in [(eco, eco), (eco, "./s/./eco.shp"), (eco, "link/eco.shp"),
                 (eco, os.path.join(d, "s/eco.shp") + "|layername=eco")]:
        rc, o, e = run(redline, "diff", a, b, cwd=d)
        check(rc == 0 and e == same.format(a=a, b=b) and "not_shrunk" not in e,
              f"diff {a} {b}: {rc} {e!r}")
    rc, o, e = run(redline, "diff", "-q", eco, eco, cwd=d)
    check(rc == 0 and e == "", f"diff -q A A is quiet: {e!r}")
    rc, o, e = run(redline, "diff", "-f", "json", eco, eco, cwd=d)
    check('"OLD and NEW are the same dataset (s/eco.shp and s/eco.shp): nothing can have '
          'changed"' in o, "diff A A: the warning is in the JSON too")
    rc, o, e = run(redline, "diff", eco, "s/eco_v2.gpkg", cwd=d)
    check(rc == 1 and "same dataset" not in e, f"diff A B: no warning ({e!r})")
    # The same file twice but two layers of it: not the same dataset.
    gpkg = os.path.join(d, "two.gpkg")
    subprocess.run(["ogr2ogr", "-f", "GPKG", gpkg, os.path.join(d, eco), "-nln", "a"], check=True)
    subprocess.run(["ogr2ogr", "-update", gpkg, os.path.join(d, eco), "-nln", "b"], check=True)
    rc, o, e = run(redline, "diff", "two.gpkg|layername=a", "two.gpkg|layername=b", cwd=d)
    check(rc == 0 and "same dataset" not in e, f"two layers of one file: {rc} {e!r}")

    # -- a folder as a footprint, control or layer --------------------------------
    fold = os.path.join(d, "delivery")
    os.mkdir(fold)
    for ext in ("shp", "shx", "dbf", "prj", "cpg"):
        shutil.copy(os.path.join(d, f"s/projects.{ext}"), os.path.join(fold, f"projects.{ext}"))
    folder_msg = ("{p}: this is a folder, not a dataset (such as a FileGDB .gdb): name a file "
                  "in it, or use 'redline audit {p}' to check every file under it")
    expect(redline, ["screen", "--eco", eco, "delivery"], 2,
           f"redline screen: {folder_msg.format(p='delivery')}\n", d, "folder as footprint")
    expect(redline, ["screen", "--eco", "delivery", prj], 2,
           f"redline screen: control eco: {folder_msg.format(p='delivery')}\n", d,
           "folder as control")
    expect(redline, ["area", "delivery"], 2,
           f"redline area: {folder_msg.format(p='delivery')}\n", d, "folder as area LAYER")
    os.mkdir(os.path.join(d, "empty"))
    expect(redline, ["area", "empty"], 2,
           f"redline area: {folder_msg.format(p='empty')}\n", d, "empty folder as area LAYER")
    # A FileGDB is a folder that is one dataset: accepted.
    gdb = os.path.join(d, "eco.gdb")
    r = subprocess.run(["ogr2ogr", "-f", "OpenFileGDB", gdb, os.path.join(d, eco)],
                       capture_output=True)
    if r.returncode == 0:
        rc, o, e = run(redline, "area", "-f", "json", "eco.gdb", cwd=d)
        rc2, o2, e2 = run(redline, "area", "-f", "json", eco, cwd=d)
        area = lambda out: re.search(r'"area_m2": ([\d.]+)', out)
        check(rc == 0 and rc2 == 0 and area(o) and area(o2)
              and area(o).group(1) == area(o2).group(1),
              f"a .gdb folder is read, with the shapefile's area: {rc} {e!r}")
    else:
        print("note: this GDAL cannot write FileGDB; the .gdb case is not run")
    # A zip holding a shapefile in a sub-folder is one dataset (GDAL sees a folder inside).
    subprocess.run(["zip", "-q", "-r", "delivery.zip", "delivery"], cwd=d, check=True)
    rc, o, e = run(redline, "screen", "--eco", eco, "--id-field", "XMBH", "-f", "json",
                   "delivery.zip", cwd=d)
    check(rc == 1 and '"id": "P10"' in o and e == "", f"a zipped shapefile folder is read: {e!r}")
    audit = subprocess.run([redline, "audit", "-q", "delivery"], cwd=d, capture_output=True)
    check(audit.returncode == 0, f"redline audit delivery still works: {audit.returncode}")

    # -- --help and --version to a full disk ----------------------------------------
    for args in (["--help"], ["--version"], ["screen", "--help"], ["area", "-h"]):
        with open("/dev/full", "w") as full:
            p = subprocess.run([redline, *args], stdout=full, stderr=subprocess.PIPE)
        err = p.stderr.decode()
        check(p.returncode == 2 and
              err == "redline: cannot write to standard output: No space left on device\n",
              f"redline {' '.join(args)} >/dev/full: {p.returncode} {err!r}")
    # ... and to a closed stdout
    p = subprocess.run(f"'{redline}' --version >&-", shell=True, stderr=subprocess.PIPE)
    check(p.returncode == 2 and p.stderr.decode().startswith(
        "redline: cannot write to standard output: "), f"--version >&-: {p.returncode}")

    # -- decimal numbers only -------------------------------------------------------
    area_msg = ("{o} needs a non-negative area in decimal digits, such as 1, 0.5ha or 2mu, "
                "not '{v}'")
    for v in ("0x10", "inf", "nan", "1e400", " 5", "+5", "1,5", "0x1p4", "infinity"):
        expect(redline, ["screen", "--eco", eco, "--min-area", v, prj], 2,
               usage("screen", area_msg.format(o="--min-area", v=v)), d, f"--min-area {v!r}")
    expect(redline, ["area", "--expect-min", "0x10km2", eco], 2,
           usage("area", area_msg.format(o="--expect-min", v="0x10km2")), d,
           "--expect-min 0x10km2")
    expect(redline, ["diff", "--tolerance", "NaN", eco, eco], 2,
           usage("diff", area_msg.format(o="--tolerance", v="NaN")), d, "--tolerance NaN")
    for v in ("0x10", "inf", "1e400"):
        expect(redline, ["screen", "--eco", eco, "--near", v, prj], 2,
               usage("screen", f"--near needs a positive distance in metres, in decimal "
                     f"digits, not '{v}'"), d, f"--near {v}")
        expect(redline, ["screen", "--eco", eco, "--rings", f"100,{v}", prj], 2,
               usage("screen", f"--rings needs positive distances in metres separated by "
                     f"commas (e.g. 100,500,1000), not '100,{v}'"), d, f"--rings 100,{v}")
        expect(redline, ["screen", "--eco", eco, "--line-width", v, prj], 2,
               usage("screen", f"--line-width needs a positive width in metres, not '{v}'"),
               d, f"--line-width {v}")
    # --jobs: digits only (strtol alone takes " 5" and "+5").
    for v in (" 5", "+5", "-1", "0", "257", "2x", "0x10", ""):
        expect(redline, ["area", "--jobs", v, eco], 2,
               usage("area", "--jobs must be a whole number from 1 to 256 or ALL_CPUS, "
                     f"not '{v}'"), d, f"--jobs {v!r}")
    # 1e3 is decimal notation (what printf %g writes): taken, = 1000 m2.
    rc, o, e = run(redline, "screen", "--eco", eco, "--min-area", "1e3", "-f", "json", prj, cwd=d)
    check(rc == 1 and '"min_area_m2": 1000,' in o, f"--min-area 1e3: {rc} {o[:120]!r}")
    rc, o, e = run(redline, "screen", "--eco", eco, "--min-area", "1.5e-1ha", "-f", "json", prj,
                   cwd=d)
    check(rc == 1 and '"min_area_m2": 1500,' in o, f"--min-area 1.5e-1ha: {rc} {o[:120]!r}")


if __name__ == "__main__":
    sys.exit(main())
