#!/usr/bin/env python3
"""PostGIS as a sink and as a source (issue 18; docs/scale-out.md, "PostGIS sink").

-o PG:... and --pieces PG:... write the report into tables in one transaction per run id
and shard.  Checked here against independent figures:
  - the view redline_report gives the JSON report's numbers (screen, diff, area, audit),
  - the pieces PostGIS stores, measured by PostGIS itself (ST_Area of geography on
    CGCS2000), add up to each hit's overlap_m2 of the JSON report,
  - a re-run of one run id and shard replaces its rows; another shard adds its own,
  - a shard that fails midway (a row the database refuses) leaves no row behind, and a
    failed re-run leaves the earlier rows as they were,
  - a PostGIS table as a control gives the figures of the Shapefile it was loaded from,
  - a password in a PG: string appears in no output of any format, no table, no message.

Needs PostgreSQL with PostGIS and psql; as root it starts Debian's cluster and makes the
role root when they are missing.  Otherwise the test is skipped (exit 77) with a message.

Usage: test_pg.py REDLINE SRCDIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, digest, summary  # noqa: E402
import testlib  # noqa: E402

REDLINE, SRC = sys.argv[1], sys.argv[2]
SAMPLES = os.path.join(SRC, "sample_shapes")
S = lambda name: os.path.join(SAMPLES, name)
DB = "redline_test_pg_%d" % os.getpid()
SECRET = "s3cret-Zq9"
CONN = "PG:dbname=%s" % DB
# The server trusts local connections, so the password is sent and ignored: it
# is in every string redline is given, and must come out of none.
CONN_PW = "PG:dbname=%s password=%s" % (DB, SECRET)


def run(*args):
    return testlib.run(REDLINE, *args)


def psql(sql, db=DB):
    p = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db,
                        "-c", sql], capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError("psql: %s: %s" % (sql[:80], p.stderr))
    return p.stdout.strip()


def server_up():
    """True when psql reaches a server; as root, starts Debian's cluster first."""
    def ok():
        return subprocess.run(["psql", "-X", "-At", "-d", "postgres", "-c", "select 1"],
                              capture_output=True).returncode == 0
    if shutil.which("psql") is None:
        return False
    if ok():
        return True
    if os.geteuid() == 0 and shutil.which("pg_ctlcluster"):
        for v in os.listdir("/etc/postgresql") if os.path.isdir("/etc/postgresql") else []:
            subprocess.run(["pg_ctlcluster", v, "main", "start"], capture_output=True)
        subprocess.run(["runuser", "-u", "postgres", "--", "createuser", "-s", "root"],
                       capture_output=True)
    return ok()


def rows(table, run_id):
    return int(psql("SELECT count(*) FROM %s WHERE run_id = '%s'" % (table, run_id)))


def view(run_id):
    return json.loads(psql("SELECT report FROM redline_report WHERE run_id = '%s'" % run_id))


SCREEN = ["--eco", S("eco.shp"), "--farmland", S("farmland.shp"), "--id-field", "XMBH",
          S("projects.shp")]


def test_screen_sink(tmp):
    code_j, out, err = run("screen", "-f", "json", *SCREEN)
    ref = json.loads(out)
    code, out, err = run("screen", "--run-id", "s1", "-o", CONN_PW, "--pieces", CONN_PW, *SCREEN)
    check(code == code_j == 1 and out == "" and SECRET not in err,
          "screen -o PG: --pieces PG:: exit %d as the JSON run's %d: %s" % (code, code_j, err))
    r = psql("SELECT shard, shard_count, command, tool_version FROM redline_runs "
             "WHERE run_id = 's1'")
    check(r == "0|0|screen|0.1.0", "redline_runs row of s1: %r" % r)
    v = view("s1")
    check(v["summary"] == ref["summary"], "view summary %s == JSON %s" % (v["summary"],
                                                                        ref["summary"]))
    same = all(a["id"] == b["id"] and a["area_m2"] == b["area_m2"] and
               all(a["controls"][k]["overlap_m2"] == b["controls"][k]["overlap_m2"]
                   for k in b["controls"])
               for a, b in zip(v["footprints"], ref["footprints"]))
    check(len(v["footprints"]) == len(ref["footprints"]) and same,
          "view footprints: ids, areas and overlaps equal the JSON's")
    nhits = sum(len(c["hits"]) for f in ref["footprints"] for c in f["controls"].values())
    check(rows("redline_footprints", "s1") == len(ref["footprints"]) and
          rows("redline_hits", "s1") == nhits,
          "one row per footprint (%d) and per hit (%d)" % (len(ref["footprints"]), nhits))
    # Hits as rows, summed per footprint and control, against the JSON (row tables only).
    hs = psql("SELECT footprint_id || ':' || control || ':' || sum(overlap_m2) FROM redline_hits"
              " WHERE run_id = 's1' GROUP BY footprint_id, control ORDER BY 1")
    want = sorted("%s:%s:%s" % (f["id"], k, sum(h["overlap_m2"] for h in c["hits"]))
                  for f in ref["footprints"] for k, c in f["controls"].items() if c["hits"])
    got = sorted(hs.splitlines())
    check(len(got) == len(want) and all(
        g.rsplit(":", 1)[0] == w.rsplit(":", 1)[0] and
        abs(float(g.rsplit(":", 1)[1]) - float(w.rsplit(":", 1)[1])) < 1e-6
        for g, w in zip(got, want)), "hits summed in SQL equal the JSON's")
    # Pieces, measured by PostGIS (geography on CGCS2000), against each hit's
    # overlap.  A piece is cut in its control's CRS (eco EPSG:4527, farmland
    # 4490, udb 4548) and stored in the footprints' (4527); redline's default
    # --area ellipsoidal reads its edges straight in the control's CRS, so it is
    # taken back there and segmentized (1 m, or 1e-5 degree) before measuring.
    seg = ("CASE control WHEN 'farmland' THEN ST_Segmentize(ST_Transform(geom, 4490), 1e-5) "
           "WHEN 'udb' THEN ST_Transform(ST_Segmentize(ST_Transform(geom, 4548), 1.0), 4490) "
           "ELSE ST_Transform(ST_Segmentize(geom, 1.0), 4490) END")
    pa = psql("SELECT fp_id || ':' || control || ':' || ctl_fid || ':' || "
              "sum(ST_Area((" + seg + ")::geography)) FROM redline_pieces "
              "WHERE run_id = 's1' GROUP BY fp_id, control, ctl_fid").splitlines()
    hits = {"%s:%s:%d" % (f["id"], k, h["fid"]): h["overlap_m2"] for f in ref["footprints"]
            for k, c in f["controls"].items() for h in c["hits"]}
    # The JSON holds 4 decimals (5e-5 m2 of rounding); 1e-5 degree segments and
    # the round trip through EPSG:4527 leave up to ~2e-4 m2 (measured).
    worst = max((abs(float(line.rsplit(":", 1)[1]) - hits.get(line.rsplit(":", 1)[0], -1e9)) -
                 1e-9 * hits.get(line.rsplit(":", 1)[0], 0) for line in pa), default=1)
    check(len(pa) == len(hits) and worst < 1e-3,
          "PostGIS area of the stored pieces = each hit's overlap_m2 (%d pieces groups, "
          "%d hits, worst %.1e m2 beyond 1e-9 relative)" % (len(pa), len(hits), worst))
    srid = psql("SELECT DISTINCT ST_SRID(geom) FROM redline_pieces WHERE run_id = 's1'")
    check(srid == "4527", "pieces keep the footprints' CRS (SRID %s)" % srid)
    stored = psql("SELECT options || report::text FROM redline_runs WHERE run_id = 's1'")
    check(SECRET not in stored and "password=***" in stored,
          "redline_runs.options holds the command line with the password masked")
    return ref


def test_rerun_and_shards(ref):
    before = psql("SELECT created FROM redline_runs WHERE run_id = 's1'")
    code, _, err = run("screen", "--run-id", "s1", "-o", CONN, "--pieces", CONN, *SCREEN)
    after = psql("SELECT created FROM redline_runs WHERE run_id = 's1'")
    n = len(ref["footprints"])
    check(code == 1 and rows("redline_runs", "s1") == 1 and rows("redline_footprints", "s1") == n
          and before != after, "a re-run of s1 replaces its rows (exit %d, %d footprint rows)"
          % (code, rows("redline_footprints", "s1")))
    check(rows("redline_footprints", "s1") == n, "the re-run left s1 whole")
    # Shards write parts to files; merge writes the report into the sink, in one
    # transaction, with the figures of the unsharded run.
    old, new = S("eco.shp"), S("eco_v2.gpkg")
    tmp = tempfile.mkdtemp(prefix="rl-pg-shard-")
    try:
        code, _, err = run("diff", old, new, "--shard", "0/2", "-f", "json", "-o", CONN)
        check(code == 2 and "--shard writes the shard's part to a file" in err,
              "--shard with -o PG: is refused: %d %s" % (code, err.strip()))
        parts = []
        for i in (0, 1):
            parts.append(os.path.join(tmp, "part-%d.json" % i))
            code, _, err = run("diff", "--by", "HXLX", old, new, "--shard", "%d/2" % i,
                               "-f", "json", "-o", parts[-1])
            check(code == 0, "diff --shard %d/2: exit %d %s" % (i, code, err.strip()))
        code, _, err = run("merge", "--run-id", "s2", "-o", CONN_PW, *parts)
        check(code == 1, "merge into the sink: exit %d (shrunk) %s" % (code, err.strip()))
        _, whole, _ = run("diff", "--by", "HXLX", "-f", "json", old, new)
        want = json.loads(whole)
        got = view("s2")
        check(psql("SELECT shard || '/' || shard_count FROM redline_runs WHERE run_id = 's2'")
              in ("0/0", "0/1") and got is not None and
              all(abs(got[k] - want[k]) < 1e-6 for k in ("old_m2", "new_m2", "lost_m2",
                                                           "gained_m2")),
              "merge's report in the sink has the unsharded run's figures: %r" %
              ({k: got.get(k) for k in ("old_m2", "lost_m2")} if got else got))
        check(rows("redline_footprints", "s1") == n, "s2 leaves s1 alone")
    finally:
        shutil.rmtree(tmp)
    # Without --run-id: a fingerprint of the command and its inputs.
    for _ in range(2):
        run("screen", "-o", CONN, *SCREEN)
    ids = psql("SELECT DISTINCT run_id FROM redline_runs WHERE run_id LIKE 'fp-%'").split()
    check(len(ids) == 1, "the default run id is one fingerprint for one command line: %s" % ids)
    code, _, err = run("screen", "--run-id", "a'b", "-o", CONN, *SCREEN)
    check(code == 2 and "--run-id must be" in err, "--run-id refuses quotes: %s" % err.strip())
    code, _, err = run("diff", S("eco.shp"), S("eco_v2.gpkg"), "--shard", "2/2", "-o", CONN)
    check(code == 2 and "--shard must be I/N with 0 <= I < N (e.g. 0/4), not '2/2'" in err,
          "--shard 2/2 refused: %s" % err.strip())
    code, _, err = run("screen", "-f", "csv", "-o", CONN, *SCREEN)
    check(code == 2 and "--format must be json there" in err, "-o PG: with -f csv: %s"
          % err.strip())


def test_fingerprint(tmp):
    """The default run id changes with an input file, not with -o, --jobs or --quiet."""
    d = os.path.join(tmp, "fpcopy")
    os.makedirs(d)
    for ext in ("shp", "shx", "dbf", "prj", "cpg"):
        shutil.copy(S("projects." + ext), os.path.join(d, "projects." + ext))
    fp = os.path.join(d, "projects.shp")

    def run_id(*extra):
        psql("DELETE FROM redline_runs WHERE run_id LIKE 'fp-%'")
        code, _, err = run("screen", *extra, "-o", CONN, "--eco", S("eco.shp"), fp)
        return psql("SELECT run_id FROM redline_runs WHERE run_id LIKE 'fp-%'") if code == 1 \
            else err
    a = run_id("--jobs", "1")
    b = run_id("--jobs", "2", "-q")
    st = os.stat(fp)
    os.utime(fp, ns=(st.st_atime_ns, st.st_mtime_ns + 1000000000))
    c = run_id()
    e = run_id("--min-area", "2")
    check(a.startswith("fp-") and len(a) == 19 and a == b and c != a and e not in (a, c),
          "run id: one per command line and inputs (%s %s), another when an input's time or "
          "an option changes (%s %s)" % (a, b, c, e))


def test_failure_leaves_no_rows():
    n_s1 = rows("redline_footprints", "s1")
    p_s1 = rows("redline_pieces", "s1")
    created = psql("SELECT created FROM redline_runs WHERE run_id = 's1'")
    # The database refuses one piece, after the report's rows and some pieces went in.
    last = psql("SELECT fp_id FROM redline_pieces WHERE run_id = 's1' ORDER BY gid DESC LIMIT 1")
    psql("ALTER TABLE redline_pieces ADD CONSTRAINT rl_test_refuse CHECK (fp_id <> '%s') NOT VALID" % last)
    try:
        code, out, err = run("screen", "--run-id", "f1", "-o", CONN_PW, "--pieces", CONN_PW,
                             *SCREEN)
        check(code == 2 and "rl_test_refuse" in err and "password=***" in err and
              SECRET not in err, "a refused row fails the run (exit %d): %s" % (code, err.strip()))
        left = [t for t in ("redline_runs", "redline_footprints", "redline_hits",
                            "redline_pieces") if rows(t, "f1")]
        check(not left, "the failed shard left no rows behind (rows in %s)" % left)
        code, _, err = run("screen", "--run-id", "s1", "-o", CONN, "--pieces", CONN, *SCREEN)
        check(code == 2 and rows("redline_footprints", "s1") == n_s1 and
              rows("redline_pieces", "s1") == p_s1 and
              psql("SELECT created FROM redline_runs WHERE run_id = 's1'") == created,
              "a failed re-run of s1 leaves its earlier rows as they were (exit %d)" % code)
    finally:
        psql("ALTER TABLE redline_pieces DROP CONSTRAINT rl_test_refuse")
    # Pieces to PG:, report to stdout: the pieces alone, in their own transaction.
    code, out, err = run("screen", "--run-id", "p1", "-f", "json", "--pieces", CONN, *SCREEN)
    check(code == 1 and json.loads(out)["summary"] and rows("redline_pieces", "p1") == p_s1 and
          rows("redline_runs", "p1") == 0, "--pieces PG: beside a JSON report on stdout")


def test_diff_area_audit(tmp):
    diff = ["--by", "HXLX", S("eco.shp"), S("eco_v2.gpkg")]
    code_j, out, _ = run("diff", "-f", "json", *diff)
    ref = json.loads(out)
    code, _, err = run("diff", "--run-id", "d1", "-o", CONN, "--pieces", CONN, *diff)
    v = view("d1")
    keys = ("old_m2", "new_m2", "lost_m2", "gained_m2", "net_m2", "verdict")
    check(code == code_j and all(v[k] == ref[k] for k in keys),
          "diff: the view's totals equal the JSON's (exit %d): %s" % (code, err.strip()))
    gk = ("key", "old_m2", "new_m2", "lost_m2", "gained_m2", "net_m2")
    check([[g[k] for k in gk] for g in v["groups"]] == [[g[k] for k in gk] for g in ref["groups"]],
          "diff: the view's groups equal the JSON's")
    check([(t["from"], t["to"], t["area_m2"]) for t in v["transitions"]] ==
          [(t["from"], t["to"], t["area_m2"]) for t in ref["transitions"]],
          "diff: the view's transitions equal the JSON's (%d)" % len(ref["transitions"]))
    check(rows("redline_pieces", "d1") > 0, "diff --pieces PG: writes its pieces")

    code_j, out, _ = run("area", "-f", "json", "--by", "HXLX", S("eco_v2.gpkg"))
    ref = json.loads(out)
    code, _, err = run("area", "--run-id", "a1", "-o", CONN, "--by", "HXLX", S("eco_v2.gpkg"))
    v = view("a1")
    check(code == code_j == 0 and [v[k] for k in ("features", "area_m2", "self_overlap_m2")] ==
          [ref[k] for k in ("features", "area_m2", "self_overlap_m2")] and
          [[g[k] for k in ("key", "features", "area_m2")] for g in v["groups"]] ==
          [[g[k] for k in ("key", "features", "area_m2")] for g in ref["groups"]],
          "area: the view's figures equal the JSON's: %s" % err.strip())

    d = os.path.join(tmp, "delivered")
    os.makedirs(d)
    for ext in ("shp", "shx", "dbf", "prj", "cpg"):
        shutil.copy(S("projects." + ext), os.path.join(d, "a." + ext))
        if ext != "shx":
            shutil.copy(S("projects." + ext), os.path.join(d, "b." + ext))
    audit = ["--eco", S("eco.shp"), "--id-field", "XMBH", d]
    code_j, out, _ = run("audit", "-f", "json", *audit)
    ref = json.loads(out)
    code, _, err = run("audit", "--run-id", "u1", "-o", CONN, *audit)
    v = view("u1")
    check(code == code_j and v["summary"] == {k: ref["summary"][k] for k in v["summary"]} and
          len(v["summary"]) == 10 and
          [(f["path"], f["status"]) for f in v["files"]] ==
          [(f["path"], f["status"]) for f in ref["files"]],
          "audit: the view's files and summary equal the JSON's (exit %d): %s %s"
          % (code, v["summary"], ref["summary"]))


def test_pg_source_and_secrets(tmp):
    # The red line loaded into PostGIS is a control like the Shapefile.
    p = subprocess.run(["ogr2ogr", "-f", "PostgreSQL", CONN, S("eco.shp"), "-nln", "eco_src",
                        "-lco", "GEOMETRY_NAME=geom"], capture_output=True, text=True)
    check(p.returncode == 0, "ogr2ogr loads eco.shp into PostGIS: %s" % p.stderr)
    src = CONN_PW + "|layername=eco_src"
    _, out, _ = run("screen", "-f", "json", "--eco", S("eco.shp"), "--id-field", "XMBH",
                    S("projects.shp"))
    ref = json.loads(out)
    code, out, err = run("screen", "-f", "json", "--eco", src, "--id-field", "XMBH",
                         S("projects.shp"))
    got = json.loads(out) if out else {"footprints": [], "controls": [{}]}
    worst = max((abs(a["controls"]["eco"]["overlap_m2"] - b["controls"]["eco"]["overlap_m2"])
                 for a, b in zip(got["footprints"], ref["footprints"])), default=1)
    check(code == 1 and len(got["footprints"]) == len(ref["footprints"]) and worst < 1e-6 and
          [f["verdict"] for f in got["footprints"]] == [f["verdict"] for f in ref["footprints"]],
          "a PostGIS control gives the Shapefile's overlaps (worst %.1e m2): %s" % (worst, err))
    # Sharded, each shard reads the table through GDAL's spatial filter (a PostGIS query
    # with a bounding box); merge gives the unsharded report byte for byte.
    parts = [os.path.join(tmp, "pgpart%d.json" % i) for i in range(3)]
    for i, part in enumerate(parts):
        c, _, e = run("screen", "--eco", src, "--id-field", "XMBH", S("projects.shp"),
                      "--shard", "%d/3" % i, "-f", "json", "-o", part)
        check(c == 0, "screen shard %d/3 with a PostGIS control: %s" % (i, e))
    merged = run("merge", "-f", "json", *parts)
    check(merged[0] == code and merged[1] == out,
          "screen with a PostGIS control: 3 shards merged give the unsharded JSON: %s"
          % merged[2])
    check(got["controls"][0].get("path") == "PG:dbname=%s password=***|layername=eco_src" % DB and
          got["controls"][0].get("layer") == "eco_src",
          "the control's path is shown masked, its table as its layer: %r %r"
          % (got["controls"][0].get("path"), got["controls"][0].get("layer")))
    # Every format, every output file, the sink and the error paths: no password.
    outs = []
    base = ["--eco", src, "--id-field", "XMBH", S("projects.shp")]
    for fmt in ("table", "csv", "json", "html"):
        code, out, err = run("screen", "-f", fmt, "--lang", "en", *base)
        outs.append(("screen -f %s" % fmt, code, out + err))
    for fmt, ext in (("html", "html"), ("xlsx", "xlsx"), ("json", "json")):
        f = os.path.join(tmp, "r." + ext)
        pcs = os.path.join(tmp, "p%s.gpkg" % ext)
        code, out, err = run("screen", "-f", fmt, "-o", f, "--pieces", pcs, *base)
        data = open(f, "rb").read() if os.path.exists(f) else b""
        if ext == "xlsx" and data:
            with zipfile.ZipFile(f) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        data += open(pcs, "rb").read() if os.path.exists(pcs) else b""
        outs.append(("screen -f %s -o, --pieces gpkg" % fmt, code,
                     out + err + data.decode("utf-8", "replace")))
    code, out, err = run("screen", "--run-id", "x1", "-o", CONN_PW, "--pieces", CONN_PW, *base)
    stored = psql("SELECT options || report::text FROM redline_runs WHERE run_id = 'x1'") + \
        psql("SELECT string_agg(fp_source, ' ') FROM redline_pieces WHERE run_id = 'x1'")
    outs.append(("screen into the sink (and what it stored)", code, out + err + stored))
    code, out, err = run("audit", "--eco", src, "-f", "csv", os.path.join(tmp, "delivered"))
    outs.append(("audit -f csv", code, out + err))
    code, out, err = run("diff", "-f", "table", src, S("eco_v2.gpkg"))
    outs.append(("diff with a PG: OLD", code, out + err))
    # Progress is drawn only on a terminal: run under script(1) to get one.
    if shutil.which("script"):
        import shlex
        cmdline = " ".join(shlex.quote(a) for a in [REDLINE, "screen", "-f", "json", *base])
        p = subprocess.run(["script", "-qec", cmdline, "/dev/null"], capture_output=True)
        text = (p.stdout + p.stderr).decode("utf-8", "replace")
        outs.append(("screen with progress on a terminal", p.returncode, text))
        check(p.returncode == 1 and "\x1b[K[" in text, "progress ran on a terminal (exit %d)"
              % p.returncode)
    for what, args in (
            ("a missing table", ["screen", "--eco", CONN_PW + "|layername=nope", S("projects.shp")]),
            ("a missing database", ["screen", "--eco", "PG:dbname=nope_%s password=%s" % (DB, SECRET),
                                    S("projects.shp")]),
            ("a sink that cannot be reached",
             ["screen", "-o", "PG:dbname=nope_%s password=%s" % (DB, SECRET), "--eco",
              S("eco.shp"), S("projects.shp")]),
            ("a URI sink", ["screen", "-o", "PG:postgresql://root:%s@/nope_%s" % (SECRET, DB),
                            "--eco", S("eco.shp"), S("projects.shp")])):
        code, out, err = run(*args)
        outs.append((what, code, out + err))
        check(code == 2 and err.startswith("redline screen: ") and "***" in err,
              "%s: exit 2 with the password masked: %s" % (what, err.strip()))
    for what, code, text in outs:
        check(SECRET not in text, "%s (exit %d): the password appears nowhere" % (what, code))
    check(all(c in (0, 1) for w, c, _ in outs[:8]), "every format ran: %s"
          % [(w, c) for w, c, _ in outs[:8]])


def main():
    if not server_up():
        print("SKIP: no PostgreSQL server reachable with psql (install postgresql and "
              "postgresql-15-postgis-3; as root the test starts the cluster)")
        return 77
    subprocess.run(["createdb", DB], check=True)
    try:
        psql("CREATE EXTENSION postgis")
    except RuntimeError as e:
        subprocess.run(["dropdb", DB])
        print("SKIP: PostGIS is not installed: %s" % e)
        return 77
    before = digest(SAMPLES)
    tmp = tempfile.mkdtemp(prefix="rlpg.")
    try:
        ref = test_screen_sink(tmp)
        test_rerun_and_shards(ref)
        test_fingerprint(tmp)
        test_failure_leaves_no_rows()
        test_diff_area_audit(tmp)
        test_pg_source_and_secrets(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run(["dropdb", DB])
    check(digest(SAMPLES) == before, "sample_shapes/ is byte-identical after all runs")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
