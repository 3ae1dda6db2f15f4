#!/usr/bin/env python3
"""Every documented command, and a few paths the docs do not show, under
Valgrind's memcheck: no read of an unset value, no invalid read or write.

ASan (the sanitizer stage) finds invalid accesses but not reads of memory that
was never written; one such read once gave the land-use units table garbage
codes that changed from run to run.  memcheck finds both, so this test runs the
docs' transcripts (tests/docs/run_docs.py, which also checks their output) with
`redline` wrapped in valgrind, then some extra commands, and fails on any
memcheck report.  Leaks are not checked here (the ASan stage does).

Usage: test_memcheck.py REDLINE SRCDIR     (exit 77 without valgrind)
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, digest, summary  # noqa: E402

REDLINE, SRC = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLES = os.path.join(SRC, "sample_shapes")


def S(name):
    return os.path.join(SAMPLES, name)


def extra_commands(tmp):
    """Paths the docs' transcripts do not take."""
    only = os.path.join(tmp, "only_dlbm.gpkg")
    subprocess.run(["ogr2ogr", "-f", "GPKG", only, S("dltb.shp"), "-nln", "dltb", "-sql",
                    "SELECT DLBM FROM dltb"], check=True, capture_output=True)
    ctl = ["--eco", S("eco.shp"), "--farmland", S("farmland.shp"), "--udb", S("udb.shp"),
           "--id-field", "XMBH"]
    out = lambda name: os.path.join(tmp, name)  # noqa: E731
    return [
        ["screen", "--landuse", only, "--landuse-by", "town", "-f", "json", S("projects.shp")],
        ["screen", *ctl, "--landuse", S("dltb.gpkg"), "--use-field", "XMMC", "--jobs", "2",
         "--lang", "zh", "--units", "mu", S("projects.shp"), S("projects_4490.geojson")],
        ["screen", *ctl, "--landuse", S("dltb.shp"), "-f", "html", "-o", out("s.html"),
         S("projects.shp")],
        ["screen", *ctl, "--landuse", S("dltb.shp"), "-f", "xlsx", "-o", out("s.xlsx"),
         "--pieces", out("p.gpkg"), S("projects.shp")],
        ["screen", "--rules", S("rules/all.yaml"), "-f", "csv", S("rules/xm.shp")],
        ["screen", *ctl, "--line-width", "12", "-f", "json", S("linear/road_gk.shp"),
         S("linear/road_4490.shp"), S("linear/pipeline.shp")],
        ["diff", "--by", "HXLX", "-f", "xlsx", "-o", out("d.xlsx"), S("eco.shp"),
         S("eco_v2.gpkg")],
        ["diff", "--by", "DLBM", "--matrix-csv", out("m.csv"), "-f", "html", "-o",
         out("d.html"), S("dltb.shp"), S("dltb_2024.geojson")],
        ["area", "--by", "HXLX", "--area", "survey", "-f", "csv", S("eco.shp")],
        ["area", "--area", "geodesic", "-f", "json", S("eco_v2.gpkg")],
        ["audit", "--eco", S("eco.shp"), "--farmland", S("farmland.shp"), "-f", "xlsx",
         "-o", out("a.xlsx"), SAMPLES],
    ] + [
        # A sharded screen and its merge (docs/scale-out.md).
        ["screen", *ctl, "--landuse", S("dltb.gpkg"), "--use-field", "XMMC", "--shard",
         "%d/2" % i, "-f", "json", "-o", out("part%d.json" % i), S("projects.shp")]
        for i in range(2)
    ] + [["merge", "-f", "html", "-o", out("m.html"), out("part0.json"), out("part1.json")]]


def main():
    if not shutil.which("valgrind"):
        print("valgrind is not installed (scripts/deps.sh installs it): skipped")
        return 77
    before = digest(SAMPLES)
    tmp = tempfile.mkdtemp(prefix="rlmemcheck.")
    try:
        logs = os.path.join(tmp, "logs")
        os.mkdir(logs)
        bindir = os.path.join(tmp, "bin")
        os.mkdir(bindir)
        wrapper = os.path.join(bindir, "redline")
        with open(wrapper, "w") as f:
            # --error-exitcode would change the exit statuses the transcripts
            # show; the reports go to one log per process instead.
            f.write("#!/bin/sh\nexec valgrind -q --leak-check=no --track-origins=yes "
                    f"--log-file='{logs}/vg.%p.log' '{REDLINE}' \"$@\"\n")
        os.chmod(wrapper, 0o755)
        p = subprocess.run([sys.executable, os.path.join(SRC, "tests", "docs", "run_docs.py"),
                            wrapper, SRC], capture_output=True, text=True)
        tail = p.stdout.strip().splitlines()[-1:] or [""]
        print(tail[0])
        check(p.returncode == 0, "the docs' transcripts under valgrind: exit %d\n%s"
              % (p.returncode, p.stdout[-3000:]))
        for args in extra_commands(tmp):
            r = subprocess.run([wrapper, *args], capture_output=True, text=True, cwd=tmp)
            # audit exits 2 for the folder's broken files, with no message: that is
            # its verdict; a failed run says "redline CMD: why".
            check(r.returncode in (0, 1, 2) and "redline %s: " % args[0] not in r.stderr,
                  "redline %s: exit %d, %s" % (" ".join(args), r.returncode,
                                               r.stderr.strip()[-500:]))
        nlogs, bad = 0, []
        for log in sorted(glob.glob(os.path.join(logs, "vg.*.log"))):
            nlogs += 1
            text = open(log, errors="replace").read()
            if text.strip():
                bad.append(text)
        print("%d redline processes under memcheck" % nlogs)
        check(nlogs > 50, "memcheck ran (%d processes)" % nlogs)
        for text in bad[:3]:
            print(text[:4000])
        check(not bad, "%d processes with memcheck reports" % len(bad))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    check(digest(SAMPLES) == before, "sample_shapes/ is byte-identical afterwards")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
