#!/usr/bin/env python3
"""redline diff --by: transition matrices (转移矩阵), --keep-nature, --by-old/--by-new,
--map and --by-level (issue 19).

Every cell is checked against tests/reference/transitions_sample.csv, which PostGIS computed
(make_transitions_reference.sh: ST_Intersection of the per-value partitions, geography
areas), for the red line (eco.shp -> eco_v2.gpkg by HXLX: a type change, a split, an overlap of
two types; eco_v2.gpkg -> eco_v3.geojson, in lon/lat: a polygon that changes type and shape
together) and the land survey (dltb.shp ->
dltb_2024.geojson by DLBM, and by 一级类: 林地 -> 耕地, 耕地 -> 建设用地 by a split, a
parcel re-coded without moving, a parcel deleted, a parcel added).

Usage: test_transitions.py REDLINE SRCDIR
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, digest, summary  # noqa: E402
import testlib  # noqa: E402

REDLINE, SRC = sys.argv[1], sys.argv[2]
SAMPLES = os.path.join(SRC, "sample_shapes")
REF = os.path.join(SRC, "tests", "reference", "transitions_sample_ellipsoidal.csv")
S = lambda name: os.path.join("sample_shapes", name)
CASES = {"eco": ["--by", "HXLX", S("eco.shp"), S("eco_v2.gpkg")],
         "dltb": ["--by", "DLBM", S("dltb.shp"), S("dltb_2024.geojson")],
         "dltb1": ["--by", "DLBM", "--by-level", "1", S("dltb.shp"), S("dltb_2024.geojson")],
         "eco3": ["--by", "HXLX", S("eco_v2.gpkg"), S("eco_v3.geojson")]}
NONE = "(none)"
before = digest(SAMPLES)


def run(*args):
    return testlib.run(REDLINE, *args, cwd=SRC)


def diff_json(*args):
    code, out, err = run("diff", "-f", "json", *args)
    try:
        return code, json.loads(out), err
    except ValueError:
        return code, None, err


def close(a, b, rel=1e-6, abs_tol=0.01):
    return a is not None and abs(float(a) - b) <= max(rel * abs(b), abs_tol)


def reference():
    ref = defaultdict(dict)
    with open(REF, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            ref[r["case"]][(r["from"], r["to"])] = float(r["area_m2"])
    return ref


REFERENCE = reference()


def cells(doc):
    out = {}
    for t in (doc or {}).get("transitions", []):
        key = (t["from"] if t["from"] is not None else NONE, t["to"] if t["to"] is not None else NONE)
        check(key not in out, "one entry per pair: %s" % (key,))
        out[key] = t["area_m2"]
    return out


def compare_cells(got, want, what):
    for k, v in want.items():
        if v < 0.01:
            continue   # PostGIS keeps slivers of 1e-4 m2 from the GeoJSON round trip
        check(close(got.get(k), v), "%s: cell %s -> %s redline %s, PostGIS %.6f"
              % (what, k[0], k[1], got.get(k), v))
    for k, v in got.items():
        check(k in want or v < 0.01, "%s: cell %s -> %s (%s m2) not in PostGIS" % (what, k[0], k[1], v))
        check(v > 0, "%s: cell %s -> %s has area > 0" % (what, k[0], k[1]))


def test_cells_and_sums():
    for case, args in CASES.items():
        code, doc, err = diff_json(*args)
        check(doc is not None and code in (0, 1), "%s: exit %d %s" % (case, code, err))
        if doc is None:
            continue
        got = cells(doc)
        compare_cells(got, REFERENCE[case], case)
        # rows of one old value add up to its partition: its group's old_m2 less what an
        # earlier value (byte order) takes where features of two values overlap
        groups = {g["key"]: g for g in doc["groups"]}
        row, col = defaultdict(float), defaultdict(float)
        for (f, t), a in got.items():
            row[f] += a
            col[t] += a
        for key, g in groups.items():
            # (1e-6: a piece measured alone or inside a union differs by ~1e-7)
            check(row[key] <= g["old_m2"] * (1 + 1e-6) + 0.01, "%s: row %s %.4f <= old_m2 %.4f"
                  % (case, key, row[key], g["old_m2"]))
            check(col[key] <= g["new_m2"] * (1 + 1e-6) + 0.01, "%s: column %s %.4f <= new_m2 %.4f"
                  % (case, key, col[key], g["new_m2"]))
        # The cells are measured piece by piece: a cut puts a vertex on an edge, which moves a
        # geodesic area by ~1e-7 of it in lon/lat (eco3), so the sums hold to 1e-6.
        mv = doc.get("multi_value_overlap", {})
        so = sum(g["old_m2"] for g in groups.values())
        sn = sum(g["new_m2"] for g in groups.values())
        check(close(so - sum(a for (f, t), a in got.items() if f != NONE), mv.get("old_m2", -1), 1e-6, 1e-6 * so),
              "%s: the rows add up to the groups' old_m2 less the multi-value overlap %s" % (case, mv))
        check(close(sn - sum(a for (f, t), a in got.items() if t != NONE), mv.get("new_m2", -1), 1e-6, 1e-6 * sn),
              "%s: the columns add up to the groups' new_m2 less the multi-value overlap %s" % (case, mv))
        check(close(sum(a for (f, t), a in got.items() if f != NONE), doc["old_m2"], 1e-6),
              "%s: the rows add up to old_m2 (the union) %s" % (case, doc["old_m2"]))
        check(close(sum(a for (f, t), a in got.items() if t != NONE), doc["new_m2"], 1e-6),
              "%s: the columns add up to new_m2 (the union) %s" % (case, doc["new_m2"]))
        changed = sum(v for (f, t), v in REFERENCE[case].items() if NONE not in (f, t) and f != t)
        check(close(doc.get("changed_m2"), changed), "%s: changed_m2 %s, PostGIS %.6f"
              % (case, doc.get("changed_m2"), changed))
        for c in doc.get("largest_changes", []):
            check(c["from"] != c["to"] and c["from"] is not None and c["to"] is not None
                  and len(c["centroid"]) == 2, "%s: a largest change %s" % (case, c))
    # the sample's overlaps: eco's two types overlap, and so do two DLTB parcels
    code, doc, _ = diff_json(*CASES["eco"])
    check(doc and doc["multi_value_overlap"]["old_m2"] > 1e6, "eco: the overlap of two types is reported")
    big = (doc or {}).get("largest_changes", [{}])[0]
    check(big.get("from") == "水源涵养" and big.get("to") == "生物多样性维护"
          and close(big.get("area_m2"), REFERENCE["eco"][("水源涵养", "生物多样性维护")]),
          "eco: the largest change is 水源涵养 -> 生物多样性维护: %s" % big)


def test_keep_nature():
    dl = [S("dltb.shp"), S("dltb_2024.geojson")]
    runs = [  # args, exit, verdict
        (["--by", "DLBM"], 1, "shrunk"),                                   # 0404 deleted
        (["--by", "DLBM", "--keep-nature"], 1, "shrunk"),                  # shrunk wins
        (["--by", "DLBM", "--tolerance", "20ha"], 0, "not_shrunk"),        # net -19.75 ha
        (["--by", "DLBM", "--tolerance", "20ha", "--keep-nature"], 1, "changed"),  # 55.6 ha
        (["--by", "DLBM", "--tolerance", "60ha", "--keep-nature"], 0, "not_shrunk"),
        (["--by", "DLBM", "--keep-nature", S("dltb.shp"), S("dltb.shp")], 0, "not_shrunk"),
    ]
    for args, want_code, verdict in runs:
        files = [] if args[-1].endswith(".shp") and len(args) > 3 else dl
        code, doc, err = diff_json(*(args + files))
        check(code == want_code and doc and doc["verdict"] == verdict,
              "diff %s: exit %d verdict %s, want %d %s (%s)"
              % (" ".join(args), code, doc and doc.get("verdict"), want_code, verdict, err.strip()))
    code, out, _ = run("diff", "--by", "DLBM", "--tolerance", "20ha", "--keep-nature", *dl)
    check(code == 1 and "CHANGED" in out and "0301 -> 0103" in out,
          "table: the verdict CHANGED and the largest change 0301 -> 0103:\n%s" % out[-600:])


def test_formats(tmp):
    dl = ["--by", "DLBM", S("dltb.shp"), S("dltb_2024.geojson")]
    code, out, _ = run("diff", *dl)
    lines = out.splitlines()
    head = next((l for l in lines if l.startswith("OLD \\ NEW")), "")
    check(head.split()[-2:] == ["(none)", "TOTAL"], "table: matrix header %r" % head)
    row = next((l for l in lines if l.split()[:1] == ["0301"] and len(l.split()) > 8), "")
    cols = head.split()[3:]
    vals = row.split()[1:]
    check(len(vals) == len(cols), "table: 0301 row has one figure per column: %r" % row)
    if len(vals) == len(cols):
        check(close(float(vals[cols.index("0103")]), REFERENCE["dltb"][("0301", "0103")]),
              "table: 0301 -> 0103 %s" % vals[cols.index("0103")])
    # CSV long form, in mu
    code, out, _ = run("diff", "-f", "csv", "--units", "mu", *dl)
    rows = [r for r in csv.reader(out.lstrip("\ufeff").splitlines()) if r and r[0] == "transition"]
    got = {r[1]: (float(r[4]), r[9]) for r in rows}
    want = REFERENCE["dltb"][("0201", "0103")] / (10000 / 15)
    check("0201 -> 0103" in got and close(got["0201 -> 0103"][0], want, 1e-6, 1e-4)
          and got["0201 -> 0103"][1] == "changed", "CSV: 0201 -> 0103 in mu %s, want %.6f"
          % (got.get("0201 -> 0103"), want))
    check(got.get("0404 -> (none)", (0, ""))[1] == "lost" and got.get("(none) -> 0601", (0, ""))[1]
          == "gained" and got.get("0101 -> 0101", (0, ""))[1] == "kept", "CSV: kinds %s" % got)
    # --pieces: what changed into what, one feature per polygon, areas add up to the cells
    pieces = os.path.join(tmp, "changes.gpkg")
    code, _, err = run("diff", "--pieces", pieces, *dl)
    check(code == 1 and os.path.exists(pieces), "diff --pieces with --by: %s" % err)
    p = subprocess.run(["ogr2ogr", "-f", "CSV", "/vsistdout/", pieces, "-dialect", "SQLite", "-sql",
                        "SELECT change, \"from\", \"to\", sum(area_m2) a FROM pieces GROUP BY 1, 2, 3"],
                       capture_output=True, text=True)
    got = {(r["from"] or NONE, r["to"] or NONE): (r["change"], float(r["a"]))
           for r in csv.DictReader(p.stdout.splitlines())}
    for k in (("0301", "0103"), ("0103", "0601"), ("0201", "0103"), ("0404", NONE), (NONE, "0601")):
        check(k in got and close(got[k][1], REFERENCE["dltb"][k]), "pieces %s: %s, PostGIS %.4f"
              % (k, got.get(k), REFERENCE["dltb"][k]))
    check(got.get(("0404", NONE), ("",))[0] == "lost" and got.get((NONE, "0601"), ("",))[0] == "gained"
          and got.get(("0301", "0103"), ("",))[0] == "changed", "pieces: change kinds %s" % got)
    check(not any(f == t for f, t in got), "pieces: no unchanged area")
    # --matrix-csv: the square matrix, 一级类, in mu; rows and columns add up
    mx = os.path.join(tmp, "m.csv")
    code, _, err = run("diff", "--by", "DLBM", "--by-level", "1", "--units", "mu", "--matrix-csv", mx,
                       S("dltb.shp"), S("dltb_2024.geojson"))
    with open(mx, encoding="utf-8-sig") as fh:
        m = list(csv.reader(fh))
    heads = m[0][1:]
    check(m[0][0] == "DLBM (mu) OLD \\ NEW" and heads[-2:] == [NONE, "TOTAL"], "matrix head %s" % m[0])
    mu = 10000 / 15
    for r in m[1:-1]:
        vals = [float(v) for v in r[1:]]
        check(close(sum(vals[:-1]), vals[-1], 1e-9, 1e-5), "matrix row %s adds up" % r[0])
        for h, v in zip(heads[:-1], vals[:-1]):
            want = REFERENCE["dltb1"].get((r[0], h), 0) / mu
            check(close(v, want, 1e-6, 1e-4), "matrix %s -> %s: %s mu, PostGIS %.6f" % (r[0], h, v, want))
    tot = [float(v) for v in m[-1][1:]]
    check(m[-1][0] == "TOTAL" and close(sum(tot[:-1]), tot[-1], 1e-9, 1e-5), "matrix TOTAL row %s" % m[-1])
    code, out, err = run("diff", "--by", "DLBM", "--matrix-csv", S("dltb.shp"), S("dltb.shp"),
                         S("dltb_2024.geojson"))
    check(code == 2 and "would write over the input" in err, "--matrix-csv on an input: %s" % err.strip())
    # --jobs: the same bytes
    outs = {j: run("diff", "-f", "json", "--jobs", j, *dl)[1] for j in ("1", "3")}
    check(outs["1"] == outs["3"] and outs["1"], "JSON identical for --jobs 1 and 3")


def test_by_old_new_map_level(tmp):
    renamed = os.path.join(tmp, "renamed.gpkg")
    subprocess.run(["ogr2ogr", "-f", "GPKG", renamed, os.path.join(SAMPLES, "dltb_2024.geojson"),
                    "-nln", "r", "-sql", "SELECT DLBM AS DLBM24 FROM dltb_2024"], check=True)
    code, doc, err = diff_json("--by-old", "DLBM", "--by-new", "DLBM24", S("dltb.shp"), renamed)
    check(doc is not None, "--by-old/--by-new: %s" % err)
    compare_cells(cells(doc), REFERENCE["dltb"], "--by-old DLBM --by-new DLBM24")
    check(doc and doc.get("by_old") == "DLBM" and doc.get("by_new") == "DLBM24", "JSON names both fields")
    # --by-level 1
    code, doc, _ = diff_json(*CASES["dltb1"])
    check(doc and {g["key"] for g in doc["groups"]} >= {"01", "03", "06"}, "level 1 groups")
    # --map: 0201 果园 read as 0103, every other code as itself (header, a comment, quotes)
    codes = sorted({k[0] for k in REFERENCE["dltb"] if k[0] != NONE})
    mp = os.path.join(tmp, "map.csv")
    with open(mp, "w", encoding="utf-8") as fh:
        fh.write("\ufeffold,new\n# 果园 merged into 旱地\n")
        for c in codes:
            fh.write('"%s",%s\n' % (c, "0103" if c == "0201" else c))
    code, doc, err = diff_json("--by", "DLBM", "--map", mp, S("dltb.shp"), S("dltb_2024.geojson"))
    got = cells(doc)
    want = defaultdict(float)
    for (f, t), v in REFERENCE["dltb"].items():
        want[("0103" if f == "0201" else f, t)] += v
    compare_cells(got, dict(want), "--map")
    check(("0201", "0103") not in got, "--map: 0201 is read as 0103")
    # bad maps: exit 2, a message naming the file and the line or value; nothing written
    bad = {"missing": ("old,new\n0101,0101\n", "no row for the OLD values '1006' (FID 1), '0103' (FID 2)"),
           "twice": ("0101,0101\n0101,0102\n", "line 1) and to '0102' (line 2)"),
           "columns": ("0101,0101,x\n", "line 1: expected two columns"),
           "gbk": (None, "not UTF-8")}
    for name, (text, msg) in bad.items():
        p = os.path.join(tmp, name + ".csv")
        with open(p, "wb") as fh:
            fh.write(text.encode() if text else "0201,园地\n".encode("gbk"))
        code, out, err = run("diff", "--by", "DLBM", "--map", p, S("dltb.shp"), S("dltb_2024.geojson"))
        check(code == 2 and msg in err and p in err and out == "",
              "--map %s: exit %d, %r" % (name, code, err.strip()))
    for args, msg in ((["--map", mp], "--map needs --by"),
                      (["--by", "DLBM", "--by-old", "DLBM"], "either --by, or --by-old and --by-new"),
                      (["--by-old", "DLBM"], "--by-old and --by-new go together"),
                      (["--by", "DLBM", "--by-level", "3"], "--by-level must be 1"),
                      (["--by-old", "DLBM", "--by-new", "NOPE"], "no field 'NOPE' for --by-new")):
        code, out, err = run("diff", *args, S("dltb.shp"), S("dltb_2024.geojson"))
        check(code == 2 and msg in err, "diff %s: exit %d, %r" % (args, code, err.strip()))


def main():
    tmp = tempfile.mkdtemp(prefix="rltrans.")
    try:
        test_cells_and_sums()
        test_keep_nature()
        test_formats(tmp)
        test_by_old_new_map_level(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    check(digest(SAMPLES) == before, "sample_shapes/ is byte-identical after all runs")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
