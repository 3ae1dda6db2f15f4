#!/usr/bin/env python3
"""Sharded runs (--shard I/N) and redline merge (issue 18, docs/scale-out.md).

For screen, diff, area and audit, and N in 1, 2, 3, 5 with the shards run at different
--jobs, merge must write the unsharded run's JSON byte for byte, and its table and CSV too
(also with --lang zh --units ha, and HTML), on sample_shapes and on generated layers big
enough (more than 65536 vertices) that the tiled overlay cuts them into 256 root cells, so
the cells really are spread over the shards; screen also with land use, --use-field,
--classify, --near, --rings, rules, lines and points, and on 400 generated footprints spread
over the shards, whose control layers each shard reads only near its own footprints.  The expected figures are the unsharded run's own, which the other
suites check against PostGIS; what this suite checks is that sharding changes nothing.
Then the refusals, with their exact messages and exit 2, and every input untouched.

Usage: test_shard.py REDLINE SRCDIR
"""
import json
import math
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, digest, summary  # noqa: E402
import testlib  # noqa: E402

REDLINE, SRC = sys.argv[1], sys.argv[2]
SAMPLES = os.path.join(SRC, "sample_shapes")
before = digest(SAMPLES)
TMP = tempfile.mkdtemp(prefix="redline-shard-")


def run(*args):
    return testlib.run(REDLINE, *args, cwd=TMP)


def circle(cx, cy, r, n):
    ring = [[cx + r * math.cos(2 * math.pi * k / n), cy + r * math.sin(2 * math.pi * k / n)]
            for k in range(n)]
    return ring + [ring[0]]


def write_layer(path, feats):
    """GeoJSON in CGCS2000 / 3-degree GK zone 39 (EPSG:4527, zone-prefixed eastings)."""
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4527"}},
           "features": [{"type": "Feature", "properties": {"LX": lx},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}}
                        for lx, ring in feats]}
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)


def generate():
    """120 circles of 280 vertices (33600) in a 12 x 10 grid, overlapping their neighbours;
    v2: every 7th moved, every 11th shrunk, every 5th of another type, one dropped, one new.
    Together (diff; both.geojson for area) more than 65536 vertices: 256 root cells."""
    old, new = [], []
    types = ["水源涵养", "生物多样性", "水土保持"]
    for i in range(120):
        cx, cy = 39500000 + (i % 12) * 900.0, 3300000 + (i // 12) * 900.0
        lx = types[i % 3]
        old.append((lx, circle(cx, cy, 520, 280)))
        if i == 17:
            continue
        dx = 130.0 if i % 7 == 0 else 0.0
        r = 430 if i % 11 == 0 else 520
        new.append((types[(i + 1) % 3] if i % 5 == 0 else lx, circle(cx + dx, cy, r, 280)))
    new.append((types[0], circle(39500000 + 13 * 900.0, 3300000, 400, 280)))
    write_layer(os.path.join(TMP, "old.geojson"), old)
    write_layer(os.path.join(TMP, "new.geojson"), new)
    write_layer(os.path.join(TMP, "both.geojson"), old + new)


def shard_merge(cmd, args, n, fmt_args, tag, jobs=(1, 2, 3)):
    """Run the n shards of `redline cmd args` and merge their parts with fmt_args."""
    parts = []
    for i in range(n):
        part = os.path.join(TMP, "%s-%d-of-%d.json" % (tag, i, n))
        code, _, err = run(cmd, *args, "--shard", "%d/%d" % (i, n), "-f", "json", "-o", part,
                           "--jobs", str(jobs[i % len(jobs)]))
        check(code == 0, "%s shard %d/%d exits 0, got %d: %s" % (tag, i, n, code, err))
        parts.append(part)
    return parts, run("merge", *fmt_args, *parts[::-1])  # any order


def same_as_unsharded(cmd, args, tag, ns=(1, 2, 3, 5), spread=False, more=()):
    want = {}
    formats = {"json": ["-f", "json"], "table": ["-f", "table"], "csv": ["-f", "csv"]}
    for name in more:
        formats[name] = {"zh": ["-f", "table", "--lang", "zh", "--units", "ha"],
                         "html": ["-f", "html"]}[name]
    for name, fa in formats.items():
        want[name] = run(cmd, *args, *fa, "--jobs", "2")
    check(want["json"][0] in (0, 1, 2) and want["json"][1].startswith("{"),
          "%s: the unsharded run writes JSON: %s" % (tag, want["json"][2]))
    for n in ns:
        parts, got = shard_merge(cmd, args, n, formats["json"], tag)
        check(got == want["json"], "%s: %d shards merged give the unsharded JSON byte for byte"
              " and exit status (%d vs %d) %s" % (tag, n, got[0], want["json"][0], got[2]))
        for name in list(formats)[1:]:
            got = run("merge", *formats[name], *parts)
            check(got == want[name], "%s: %d shards merged give the unsharded %s" % (tag, n, name))
        if spread and n > 1:
            docs = [json.load(open(p, encoding="utf-8")) for p in parts]
            with_cells = sum(1 for d in docs if d["cells"])
            check(all(d["ncells"] == 256 for d in docs) and with_cells == n,
                  "%s: all 256 cells spread over the %d shards (%d hold some)"
                  % (tag, n, with_cells))
            check(sorted(c["c"] for d in docs for c in d["cells"]) == list(range(256)),
                  "%s: every cell in exactly one of %d parts" % (tag, n))
    return want


def main():
    generate()
    gen = digest(TMP)
    # diff and area on the generated layers: 256 cells.
    same_as_unsharded("diff", ["old.geojson", "new.geojson"], "gen-diff", ns=(3,), spread=True,
                      more=("html",))
    same_as_unsharded("diff", ["--by", "LX", "old.geojson", "new.geojson"], "gen-diff-by",
                      spread=True, more=("zh",))
    same_as_unsharded("area", ["--by", "LX", "both.geojson"], "gen-area", spread=True)
    # --pieces written by merge: the unsharded run's pieces.
    for by in ([], ["--by", "LX"]):
        code, _, err = run("diff", *by, "old.geojson", "new.geojson", "--pieces", "want.geojson",
                           "-f", "json", "-o", "want.json")
        _, (code2, _, err2) = shard_merge("diff", by + ["old.geojson", "new.geojson", "--pieces",
                                                        "got.geojson"], 3, ["-f", "json", "-o",
                                                                            "got.json"], "pc")
        same = (open(os.path.join(TMP, "want.geojson"), "rb").read() ==
                open(os.path.join(TMP, "got.geojson"), "rb").read())
        check(code == code2 and same and open(os.path.join(TMP, "want.json")).read() ==
              open(os.path.join(TMP, "got.json")).read(),
              "diff %s--pieces: merge writes the unsharded pieces and report %s %s"
              % (" ".join(by) + " " if by else "", err, err2))
    # sample_shapes: small (one cell), and the audit of the folder.
    S = lambda name: os.path.join(SAMPLES, name)
    same_as_unsharded("diff", ["--by", "HXLX", S("eco.shp"), S("eco_v2.gpkg")], "eco-diff",
                      more=("zh", "html"))
    same_as_unsharded("area", [S("farmland.shp")], "farmland-area", ns=(1, 3))
    same_as_unsharded("audit", ["--eco", S("eco.shp"), "--udb", S("udb.shp"), SAMPLES],
                      "audit", more=("zh", "html"))
    # audit --report-dir: the shards leave it to merge, which writes the unsharded set.
    audit = ["audit", "--eco", S("eco.shp"), SAMPLES, "-f", "json"]
    run(*audit, "--report-dir", "rd_want", "-o", "rd_want.json")
    parts = []
    for i in range(2):
        parts.append(os.path.join(TMP, "rd%d.json" % i))
        run(*audit, "--report-dir", "rd_got", "--shard", "%d/2" % i, "-o", parts[-1])
    check(not os.path.exists(os.path.join(TMP, "rd_got")), "audit shards write no --report-dir")
    run("merge", "-f", "json", "-o", "rd_got.json", *parts)
    want, got = digest(os.path.join(TMP, "rd_want")), digest(os.path.join(TMP, "rd_got"))
    check(sorted(want) == sorted(got) and len(want) > 3 and
          all(want[k] is None or want[k][0] == got[k][0] for k in want),
          "audit --report-dir: merge writes the unsharded report set (%d files)" % len(want))
    screen_cases()
    refusals()
    check(digest(SAMPLES) == before, "sample_shapes untouched")
    after = digest(TMP)
    check(all(after.get(k) == v for k, v in gen.items()), "generated inputs untouched")
    shutil.rmtree(TMP)
    return summary()


def generate_footprints(path, n=400):
    """n rotated rectangles, 60-300 m, over the generated circles (EPSG:4527), half of them
    across a circle's edge; id field XM."""
    feats = []
    for i in range(n):
        cx = 39500000 - 300 + (i * 7919 % 1000) / 1000.0 * 12 * 900
        cy = 3300000 - 300 + (i * 104729 % 1000) / 1000.0 * 10 * 900
        w, h, a = 60 + (i * 37 % 240), 40 + (i * 53 % 160), (i % 12) * math.pi / 12
        ring = []
        for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)):
            x, y = sx * w / 2, sy * h / 2
            ring.append([cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a)])
        feats.append({"type": "Feature", "properties": {"XM": "XM%03d" % i},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4527"}},
           "features": feats}
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)


def screen_cases():
    S = lambda name: os.path.join(SAMPLES, name)
    ctl = ["--eco", S("eco.shp"), "--farmland", S("farmland.shp"), "--udb", S("udb.shp")]
    same_as_unsharded("screen", ctl + ["--id-field", "XMBH", S("projects.shp"),
                                       S("projects_4490.geojson")], "screen",
                      more=("zh", "html"))
    same_as_unsharded("screen", ctl + ["--landuse", S("dltb.gpkg"), "--use-field", "XMMC",
                                       S("projects.shp"), S("projects_4490.geojson")],
                      "screen-landuse", ns=(2, 4), more=("zh",))
    same_as_unsharded("screen", ctl + ["--classify", "eco=HXLX", "--near", "500", "--rings",
                                       "100,1000", S("projects.shp")], "screen-proximity",
                      ns=(3,))
    same_as_unsharded("screen", ["--rules", S("rules/all.yaml"), S("rules/xm.shp")],
                      "screen-rules", ns=(2, 3))
    same_as_unsharded("screen", ctl + ["--line-width", "12", S("linear/road_gk.shp"),
                                       S("linear/road_4490.shp"), S("linear/pipeline.shp")],
                      "screen-lines", ns=(3,))
    same_as_unsharded("screen", ctl + ["--id-field", "TJBH", "--point-size", "20",
                                       S("linear/towers.shp")], "screen-points", ns=(2,))
    # 400 footprints over the generated circles: a GeoPackage control in GK and one in
    # lon/lat (the footprints are densified into it), every footprint in one part.
    p = lambda name: os.path.join(TMP, name)
    generate_footprints(p("fp.geojson"))
    for name, srs in (("ctl_gk.gpkg", "EPSG:4527"), ("ctl_ll.gpkg", "EPSG:4490")):
        testlib.subprocess.run(["ogr2ogr", "-f", "GPKG", "-t_srs", srs, p(name),
                                p("old.geojson")], check=True, capture_output=True)
    args = ["--eco", "ctl_gk.gpkg", "--farmland", "ctl_ll.gpkg", "--udb", "new.geojson",
            "--id-field", "XM", "fp.geojson"]
    same_as_unsharded("screen", args, "gen-screen", ns=(3, 5))
    for n in (3, 5):
        parts = [p("gen-screen-%d-of-%d.json" % (i, n)) for i in range(n)]
        docs = [json.load(open(x, encoding="utf-8")) for x in parts]
        rs = sorted(f["r"] for d in docs for f in d["footprints"])
        check(rs == list(range(400)) and all(len(d["footprints"]) > 400 / n / 2 for d in docs),
              "gen-screen: %d shards share the 400 footprints, each about 1/%d: %s"
              % (n, n, [len(d["footprints"]) for d in docs]))
        read = [d["read"][0] for d in docs]
        check(sum(read) < 120 * n * 0.8,
              "gen-screen: %d shards read %s of the 120 GK control features (spatial filter)"
              % (n, read))
    # Control features are taken in FID order, whatever order the driver returns them in
    # (here a GeoJSON file whose ids run 30, 10, 20): the hits, and every sum over them.
    sq = lambda x0: [[x0, 3300000], [x0 + 100, 3300000], [x0 + 100, 3300100], [x0, 3300100],
                     [x0, 3300000]]
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4527"}}
    with open(p("ids.geojson"), "w", encoding="utf-8") as fh:
        json.dump({"type": "FeatureCollection", "crs": crs, "features": [
            {"type": "Feature", "id": fid, "properties": {"N": fid},
             "geometry": {"type": "Polygon", "coordinates": [sq(39500000 + 100 * k)]}}
            for k, fid in enumerate((30, 10, 20))]}, fh)
    with open(p("one_fp.geojson"), "w", encoding="utf-8") as fh:
        json.dump({"type": "FeatureCollection", "crs": crs, "features": [
            {"type": "Feature", "properties": {"XM": "a"}, "geometry": {
                "type": "Polygon", "coordinates": [[[39500050, 3300020], [39500250, 3300020],
                                                    [39500250, 3300080], [39500050, 3300080],
                                                    [39500050, 3300020]]]}}]}, fh)
    want = same_as_unsharded("screen", ["--eco", "ids.geojson", "one_fp.geojson"], "fid-order",
                             ns=(2,))
    hits = json.loads(want["json"][1])["footprints"][0]["controls"]["eco"]["hits"]
    check([h["fid"] for h in hits] == [10, 20, 30],
          "hits in FID order, not the file's: %s" % [h["fid"] for h in hits])
    # --pieces and --landuse-csv written by merge, as the unsharded run writes them.
    for ext in ("gpkg", "geojson"):
        one = ["--pieces", "want." + ext, "--landuse-csv", "want.csv", "-f", "json", "-o",
               "want.json"]
        run("screen", *ctl, "--landuse", S("dltb.shp"), S("projects.shp"), *one)
        _, got = shard_merge("screen", ctl + ["--landuse", S("dltb.shp"), S("projects.shp"),
                                              "--pieces", "got." + ext, "--landuse-csv",
                                              "got.csv"], 3,
                             ["-f", "json", "-o", "got.json"], "screen-pc")
        # A GeoPackage records when it was written: compared as GeoJSON is, it would differ.
        same = all(open(p("want." + x), "rb").read() == open(p("got." + x), "rb").read()
                   for x in ("csv", "json") + ((ext,) if ext == "geojson" else ()))
        check(got[0] == 1 and same and os.path.exists(p("got." + ext)),
              "screen --pieces %s and --landuse-csv: merge writes them as one run %s"
              % (ext, got[2]))
    # The workbook too: byte-identical to the one run's, and to itself a second later (its
    # "created" property is fixed, not the clock's).
    xl = ctl + ["--landuse", S("dltb.gpkg"), S("projects.shp")]
    run("screen", *xl, "-f", "xlsx", "-o", "one.xlsx")
    time.sleep(1.1)
    run("screen", *xl, "-f", "xlsx", "-o", "again.xlsx")
    shard_merge("screen", xl, 3, ["-f", "xlsx", "-o", "merged.xlsx"], "screen-xlsx")
    books = [open(p(x), "rb").read() for x in ("one.xlsx", "again.xlsx", "merged.xlsx")]
    check(len(books[0]) > 5000 and books[0] == books[1] == books[2],
          "screen -f xlsx: the same bytes a second later and from 3 shards merged")
    # A part that does not fit the inputs.
    usage = "redline merge: %s\nTry 'redline merge --help'.\n"
    parts = [p("screen-2-of-2.json".replace("2-of", "%d-of" % i)) for i in range(2)]
    for i in range(2):
        run("screen", *ctl, S("projects.shp"), "--shard", "%d/2" % i, "-f", "json", "-o",
            parts[i])
    doc = json.load(open(parts[0], encoding="utf-8"))
    doc["nres"] = 11
    with open(p("bad-nres.json"), "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    refused(["merge", p("bad-nres.json"), parts[1]],
            usage % ("%s: a shard of 11 footprints, but the footprints given hold 10: the "
                     "inputs changed since the shards ran" % p("bad-nres.json")),
            "screen merge: footprint count differs")
    doc = json.load(open(parts[0], encoding="utf-8"))
    hit = next(c for f in doc["footprints"] for c in f["c"] if c and c["h"])
    hit["h"][0][0] = 987654
    with open(p("bad-fid.json"), "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    code, out, err = run("merge", p("bad-fid.json"), parts[1])
    check(code == 2 and out == "" and "has no feature with FID 987654 that a part names" in err,
          "screen merge: a FID the control lacks, exit 2: %d %r" % (code, err))
    doc = json.load(open(parts[0], encoding="utf-8"))
    doc["footprints"] = doc["footprints"][1:]
    with open(p("bad-miss.json"), "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    code, out, err = run("merge", p("bad-miss.json"), parts[1])
    check(code == 2 and out == "" and "no part holds " in err,
          "screen merge: a footprint in no part, exit 2: %d %r" % (code, err))


def refused(args, message, what):
    code, out, err = run(*args)
    check(code == 2 and err == message and out == "",
          "%s: exit 2 and %r, got %d and %r" % (what, message, code, err))


def refusals():
    S = lambda name: os.path.join(SAMPLES, name)
    area = ["area", S("eco.shp")]
    usage = "redline %s: %s\nTry 'redline %s --help'.\n"
    for spec, what in (("3/3", "I = N"), ("1/0", "N = 0"), ("-1/2", "negative I"),
                       ("1", "no N"), ("1/2x", "trailing text")):
        refused(area + ["--shard", spec, "-f", "json", "-o", "x.json"],
                usage % ("area", "--shard must be I/N with 0 <= I < N (e.g. 0/4), not '%s'"
                         % spec, "area"), "--shard %s" % spec)
    need = ("--shard writes the shard's part: give -f json -o PART (and the report's format "
            "to redline merge)")
    refused(area + ["--shard", "0/2", "-o", "x.json"], usage % ("area", need, "area"),
            "--shard with the table format")
    refused(area + ["--shard", "0/2", "-f", "csv", "-o", "x.csv"], usage % ("area", need, "area"),
            "--shard with -f csv")
    refused(area + ["--shard", "0/2", "-f", "json"], usage % ("area", need, "area"),
            "--shard without -o")
    refused(["screen", "--eco", S("eco.shp"), S("projects.shp"), "--shard", "0/2", "-f", "csv",
             "-o", "x.json"], usage % ("screen", need, "screen"), "screen --shard with -f csv")
    check(not os.path.exists(os.path.join(TMP, "x.json")), "no part written by a refused shard")
    # Parts of two runs.
    p = lambda name: os.path.join(TMP, name)
    for i in range(3):
        run(*area, "--shard", "%d/3" % i, "-f", "json", "-o", p("a%d.json" % i))
        run(*area, "--by", "HXLX", "--shard", "%d/3" % i, "-f", "json", "-o", p("b%d.json" % i))
        run("area", S("udb.shp"), "--shard", "%d/2" % (i % 2), "-f", "json", "-o",
            p("c%d.json" % i))
    fa, fb = (json.load(open(p(x), encoding="utf-8"))["part"]["fingerprint"]
              for x in ("a0.json", "b0.json"))
    refused(["merge", p("a0.json"), p("b1.json"), p("a2.json")],
            usage % ("merge", "%s and %s come from different inputs or options (fingerprints "
                     "%s and %s)" % (p("a0.json"), p("b1.json"), fa, fb), "merge"),
            "merge of parts with different options")
    refused(["merge", p("a0.json"), p("a2.json")],
            usage % ("merge", "shard 1/3 is missing (parts given: 2 of 3)", "merge"),
            "merge with a shard missing")
    refused(["merge", p("a0.json"), p("a1.json"), p("a1.json"), p("a2.json")],
            usage % ("merge", "%s and %s are both shard 1/3" % (p("a1.json"), p("a1.json")),
                     "merge"), "merge with a shard twice")
    refused(["merge", p("a0.json"), p("c1.json"), p("a2.json")],
            usage % ("merge", "%s is a shard of 2 but %s is a shard of 3"
                     % (p("c1.json"), p("a0.json")), "merge"), "merge with N mismatched")
    refused(["merge", p("a0.json"), p("a1.json"), S("eco.shp")],
            usage % ("merge", "%s: not a part of a sharded run (not JSON)" % S("eco.shp"),
                     "merge"), "merge of a file that is not a part")
    refused(["merge"], usage % ("merge", "no PART given", "merge"), "merge without parts")
    doc = json.load(open(p("a0.json"), encoding="utf-8"))
    doc["command"], doc["part"]["shard"], doc["part"]["of"] = "tile", 0, 1
    with open(p("s0.json"), "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    refused(["merge", p("s0.json")],
            usage % ("merge", "%s: a part of 'tile', which merge does not take (screen, diff, "
                     "area and audit have parts)" % p("s0.json"), "merge"),
            "merge of a part that names another command")
    refused(["merge", "--by", "X", p("a0.json")],
            usage % ("merge", "unknown option '--by' (merge takes -f, -o, --lang, --units, "
                     "--jobs, --run-id and --quiet; the command's other options are the "
                     "shards')",
                     "merge"), "merge with a command option")
    # Names with characters YAML would fold (U+2028, U+0085) come back from the part unchanged.
    odd = "u\u2028\u0085x"
    for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        shutil.copy(S("udb" + ext), p(odd + ext))
    want = run("area", odd + ".shp", "-f", "json")
    for i in range(2):
        run("area", odd + ".shp", "--shard", "%d/2" % i, "-f", "json", "-o", p("n%d.json" % i))
    got = run("merge", "-f", "json", p("n0.json"), p("n1.json"))
    check(got == want and want[0] == 0, "a path with U+2028 and U+0085: merged as unsharded %r"
          % (got[2],))
    # An input changed after the shards ran.
    shutil.copy(S("udb.shp"), p("u.shp"))
    for ext in (".shx", ".dbf", ".prj", ".cpg"):
        shutil.copy(S("udb" + ext), p("u" + ext))
    for i in range(2):
        run("area", "u.shp", "--shard", "%d/2" % i, "-f", "json", "-o", p("u%d.json" % i))
    code, _, _ = run("merge", p("u0.json"), p("u1.json"))
    check(code == 0, "merge of an unchanged input: exit 0")
    fp = json.load(open(p("u0.json"), encoding="utf-8"))["part"]["fingerprint"]
    os.utime(p("u.dbf"), ns=(0, 0))
    code, out, err = run("merge", p("u0.json"), p("u1.json"))
    check(code == 2 and err.startswith("redline merge: the inputs of %s changed since the "
                                       "shards ran (fingerprint %s, now " % (p("u0.json"), fp)),
          "merge after an input changed: exit 2, message names the part: %d %r" % (code, err))


if __name__ == "__main__":
    sys.exit(main())
