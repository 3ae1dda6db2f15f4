#!/usr/bin/env python3
"""CLI tests of --rules (docs/rules.md) on sample_shapes/rules/.

Every shape there is an axis-parallel rectangle (make_rules_samples.py), so
each expected planar area below is a product of two side lengths, worked by
hand; the same figures are checked once more against GDAL's SQLite dialect
(SpatiaLite ST_Area of ST_Intersection).  Each expected verdict is worked by
hand from the rule text of the sample rules files.  Usage:
test_rules.py REDLINE SRCDIR
"""
import csv
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
RULES = os.path.join(SRC, "sample_shapes", "rules")
R = lambda name: os.path.join("sample_shapes", "rules", name)
XM = R("xm.shp")
IDS = ["P%02d" % i for i in range(1, 11)]
before = digest(RULES)


def run(*args, cwd=SRC):
    return testlib.run(REDLINE, *args, cwd=cwd)


def screen_json(*args):
    code, out, err = run("screen", *args, "--area", "planar", "--id-field", "XMBH", "-f", "json",
                         XM)
    try:
        doc = json.loads(out)
    except ValueError:
        check(False, "screen %s: JSON (exit %d, %s)" % (" ".join(args), code, err.strip()))
        return code, None, {}
    return code, doc, {f["id"]: f for f in doc["footprints"]}


def hits(fp, ctl):
    return fp["controls"][ctl]["hits"]


# Hand geometry (metres, planar): the footprints (u0, v0, u1, v1) of make_rules_samples.py.
FP = {"P01": (200, 200, 400, 400), "P02": (1200, 200, 1400, 400), "P03": (900, 400, 1100, 500),
      "P04": (500, -200, 520, 1200), "P05": (3200, 200, 3400, 400),
      "P06": (1800, 2200, 2200, 2400), "P07": (3800, 2400, 4200, 2600),
      "P08": (400, 3800, 420, 5200), "P09": (600, 4200, 800, 4400),
      "P10": (-100, 600, 2100, 620)}
ZONES = {  # control: [(fid, box)]
    "eco": [(0, (0, 0, 1000, 1000)), (1, (1000, 0, 2000, 1000)), (2, (3000, 0, 4000, 1000))],
    "farmland": [(0, (0, 4000, 1000, 5000))],
    "udb": [(0, (0, 2000, 2000, 3000)), (1, (2000, 2000, 3000, 3000)),
            (2, (3000, 2000, 4000, 3000))],
    "sxyd": [(0, (-500, -500, 1500, 5500)), (1, (1500, -500, 2500, 5500)),
             (2, (2500, -500, 4500, 5500))],
}


def inter(a, b):
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def hand_hits(fp, ctl):
    """{fid: area} of the rectangles, by hand."""
    return {fid: inter(FP[fp], box) for fid, box in ZONES[ctl] if inter(FP[fp], box) > 0}


def test_hand_geometry_against_sqlite():
    """The hand figures themselves, against SpatiaLite (independent of redline)."""
    layers = {"eco": "stbhhx", "farmland": "yjjbnt", "udb": "czkfbj", "sxyd": "sxyd"}
    for ctl, layer in layers.items():
        p = subprocess.run(["ogrinfo", "-ro", "-q", RULES, "-dialect", "SQLite", "-sql",
                            "SELECT a.XMBH AS xmbh, b.ROWID AS fid, "
                            "ST_Area(ST_Intersection(a.GEOMETRY, b.GEOMETRY)) AS m2 FROM xm a, "
                            "%s b WHERE ST_Intersects(a.GEOMETRY, b.GEOMETRY)" % layer],
                           capture_output=True)
        text = p.stdout.decode("utf-8")
        got = {}
        cur = {}
        for line in text.splitlines():
            line = line.strip()
            for key in ("xmbh", "fid", "m2"):
                if line.startswith(key + " ("):
                    cur[key] = line.split("= ", 1)[1]
            if "m2" in cur:
                if float(cur["m2"]) > 0:
                    got[(cur["xmbh"], int(cur["fid"]))] = float(cur["m2"])
                cur = {}
        want = {(fp, fid): a for fp in FP for fid, a in hand_hits(fp, ctl).items()}
        check(p.returncode == 0 and got == want,
              "%s: hand areas = SpatiaLite areas (%s vs %s)" % (ctl, want, got))


def check_areas(fps, ctl, what):
    for fp in IDS:
        got = {h["fid"]: h["overlap_m2"] for h in hits(fps[fp], ctl)}
        want = hand_hits(fp, ctl)
        check(got.keys() == want.keys() and all(abs(got[k] - want[k]) < 1e-6 for k in want),
              "%s: %s hits of %s: %s, by hand %s" % (what, ctl, fp, got, want))


def rule(fp, ctl, fid):
    for h in hits(fp, ctl):
        if h["fid"] == fid:
            return h["rule"]
    return None


CORE = "位于潮白河湿地省级自然保护区核心保护区，原则上禁止人为活动 (core protection zone: human activity forbidden in principle)"
GENERAL = "位于潮白河湿地省级自然保护区一般控制区，仅允许有限人为活动 (general control zone: only the listed limited human activities)"
EXEMPT = ("线性基础设施确实无法避让的，须开展不可避让论证并取得省级人民政府认定意见 (linear "
          "infrastructure that cannot avoid it: needs 不可避让论证 and 省级人民政府认定意见)")
DEFAULT = "位于生态保护红线内，仅允许有限人为活动 (inside the ecological red line: only the listed limited human activities)"


def check_redline(code, doc, fps, what):
    """The verdicts of redline.yaml, worked by hand from its text:
    P01 core only -> conflict (核心保护区 conflict); P02 general only -> warn;
    P03 10000 m2 core + 10000 m2 general -> the worst, conflict; P04 a 线性基础设施
    in the core zone -> exempt, conflict lowered to warn; P05 red line without
    reserve (ZRBHDFQ null) -> the control's default, conflict; P06-P09 no red line
    -> pass; P10 线性基础设施 across core (exempt: warn) and general (warn) -> warn."""
    if doc is None:
        return
    want = {"P01": "conflict", "P02": "warn", "P03": "conflict", "P04": "warn",
            "P05": "conflict", "P06": "pass", "P07": "pass", "P08": "pass", "P09": "pass",
            "P10": "warn"}
    got = {k: fps[k]["verdict"] for k in IDS}
    check(got == want, "%s: verdicts %s, by hand %s" % (what, got, want))
    check(code == 1, "%s: exit 1 on conflicts, got %d" % (what, code))
    check_areas(fps, "eco", what)
    core = {"layer": "eco", "field": "ZRBHDFQ", "value": "核心保护区", "severity": "conflict",
            "reason": CORE}
    general = {"layer": "eco", "field": "ZRBHDFQ", "value": "一般控制区", "severity": "warn",
               "reason": GENERAL}
    exempt = {"layer": "eco", "field": "ZRBHDFQ", "value": "核心保护区", "severity": "warn",
              "reason": EXEMPT, "exempt": {"field": "XMLX", "value": "线性基础设施"}}
    check(rule(fps["P01"], "eco", 0) == core, "%s: P01 core rule %s" % (what, rule(fps["P01"], "eco", 0)))
    check(rule(fps["P02"], "eco", 1) == general, "%s: P02 general rule" % what)
    check(rule(fps["P03"], "eco", 0) == core and rule(fps["P03"], "eco", 1) == general,
          "%s: P03 across two zones: each hit its zone's rule" % what)
    check(rule(fps["P04"], "eco", 0) == exempt, "%s: P04 exempt %s" % (what, rule(fps["P04"], "eco", 0)))
    check(rule(fps["P10"], "eco", 0) == exempt and rule(fps["P10"], "eco", 1) == general,
          "%s: P10 exempt in the core, general rule in the general zone" % what)
    check(rule(fps["P05"], "eco", 2) == {"layer": "eco", "field": None, "value": None,
                                         "severity": "conflict", "reason": DEFAULT},
          "%s: P05 default rule %s" % (what, rule(fps["P05"], "eco", 2)))
    check(any(CORE in x for x in fps["P03"]["reasons"]) and
          any(GENERAL in x for x in fps["P03"]["reasons"]), "%s: P03 reasons name both zones" % what)
    check(not any(CORE in x for x in fps["P02"]["reasons"]),
          "%s: P02 (general zone only) never gets the core zone's reason" % what)
    s = doc["summary"]
    check((s["pass"], s["warn"], s["conflict"], s["error"]) == (4, 3, 3, 0),
          "%s: summary %s" % (what, s))
    check(doc["controls"][0].get("rules") == R("redline.yaml") or doc["controls"][0].get("rules"),
          "%s: controls[0] names the rules file" % what)


def test_redline_rules():
    code, doc, fps = screen_json("--rules", R("redline.yaml"))
    check_redline(code, doc, fps, "redline.yaml")
    # JSON attrs: the reported attributes stay under attrs.
    if doc:
        a = hits(fps["P01"], "eco")[0]["attrs"]
        check(a["ZRBHDMC"] == "潮白河湿地省级自然保护区" and a["ZRBHDFQ"] == "核心保护区",
              "P01 attrs carry ZRBHDMC and ZRBHDFQ")


def test_rules_add_to_a_flag(tmp):
    """A rules entry without path adds its rules to the --eco layer; same verdicts."""
    src = open(os.path.join(RULES, "redline.yaml"), encoding="utf-8").read()
    body = src.replace("    path: stbhhx.shp\n", "").replace("    rule: forbid\n", "") \
              .replace("    severity: conflict\n", "")
    path = os.path.join(tmp, "addon.yaml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(body)
    code, doc, fps = screen_json("--eco", R("stbhhx.shp"), "--rules", path)
    check_redline(code, doc, fps, "--eco + rules without path")


def test_flags_unchanged():
    """--eco alone: the old rule for every hit (conflict), the new "rule" key in JSON."""
    code, doc, fps = screen_json("--eco", R("stbhhx.shp"))
    want = {k: "conflict" for k in ("P01", "P02", "P03", "P04", "P05", "P10")}
    want.update({k: "pass" for k in ("P06", "P07", "P08", "P09")})
    check({k: fps[k]["verdict"] for k in IDS} == want, "--eco alone: every red-line hit conflicts")
    check(rule(fps["P02"], "eco", 1) == {"layer": "eco", "field": None, "value": None,
                                         "severity": "conflict",
                                         "reason": "overlaps eco (forbid)"},
          "--eco alone: hit rule %s" % rule(fps["P02"], "eco", 1))
    check(fps["P02"]["reasons"] == ["overlaps eco: 40000.0 m2 (100.0%)"],
          "--eco alone: reasons as before %s" % fps["P02"]["reasons"])
    check("rules" not in doc["controls"][0], "--eco alone: no rules file named")


def test_min_area_and_strict():
    """--min-area 15000: P03's core part (10000) alone is below it, core + general
    (20000) reach it -> warn.  25000: P03 (20000) and P04 (20000) pass; P10's two warn
    hits (20000 + 20000) reach it -> warn.  --strict: warns count as conflicts."""
    _, _, fps = screen_json("--rules", R("redline.yaml"), "--min-area", "15000")
    check([fps[k]["verdict"] for k in ("P01", "P02", "P03", "P04", "P10")] ==
          ["conflict", "warn", "warn", "warn", "warn"], "--min-area 15000 verdicts")
    _, _, fps = screen_json("--rules", R("redline.yaml"), "--min-area", "25000")
    check([fps[k]["verdict"] for k in ("P01", "P02", "P03", "P04", "P10")] ==
          ["conflict", "warn", "pass", "pass", "warn"], "--min-area 25000 verdicts")
    check(fps["P03"]["reasons"] == [], "--min-area 25000: P03 below it says nothing")
    code, _, fps = screen_json("--rules", R("redline.yaml"), "--strict")
    check([fps[k]["verdict"] for k in ("P02", "P04", "P10", "P06")] ==
          ["conflict", "conflict", "conflict", "pass"], "--strict: warns become conflicts")


def test_farmland_udb_sxyd():
    # farmland.yaml: P08 输变电工程 exempt (conflict -> warn), P09 工业 conflict.
    code, _, fps = screen_json("--rules", R("farmland.yaml"))
    check_areas(fps, "farmland", "farmland.yaml")
    want = {k: "pass" for k in IDS}
    want.update({"P08": "warn", "P09": "conflict"})
    check({k: fps[k]["verdict"] for k in IDS} == want, "farmland.yaml verdicts")
    check(rule(fps["P08"], "farmland", 0)["exempt"] == {"field": "XMLX", "value": "输变电工程"},
          "P08 exempt by XMLX")
    # udb.yaml (require, warn): P06 inside 集中 + 弹性 (both report) -> pass; P07 in
    # 特别用途区 (warn) and half outside -> warn; everything else outside -> warn.
    code, _, fps = screen_json("--rules", R("udb.yaml"))
    check_areas(fps, "udb", "udb.yaml")
    want = {k: "warn" for k in IDS}
    want["P06"] = "pass"
    check({k: fps[k]["verdict"] for k in IDS} == want, "udb.yaml verdicts %s" %
          {k: fps[k]["verdict"] for k in IDS})
    check(code == 0, "udb.yaml: warnings only, exit 0")
    check(fps["P07"]["controls"]["udb"]["outside_m2"] == 40000.0, "P07 outside UDB 40000 m2")
    check([rule(fps["P06"], "udb", f)["severity"] for f in (0, 1)] == ["report", "report"] and
          rule(fps["P07"], "udb", 2)["severity"] == "warn", "udb zone severities")
    # sxyd.yaml (report): 优先保护单元 warn, the others report.
    code, _, fps = screen_json("--rules", R("sxyd.yaml"))
    check_areas(fps, "sxyd", "sxyd.yaml")
    want = {k: "warn" for k in IDS}
    for k in ("P05", "P06", "P07"):
        want[k] = "pass"
    check({k: fps[k]["verdict"] for k in IDS} == want, "sxyd.yaml verdicts")
    check(rule(fps["P06"], "sxyd", 1)["reason"] ==
          "位于重点管控单元 ZH13108220002 (三河市城区重点管控单元)", "sxyd reason template")
    check("sxyd HJGKDYLX=重点管控单元: report: 位于重点管控单元 ZH13108220002 "
          "(三河市城区重点管控单元)" in fps["P06"]["reasons"], "a report hit's sentence in reasons")


def test_all_in_each_format(tmp):
    """all.yaml: each footprint's verdict is the worst of the four files' verdicts."""
    code, doc, fps = screen_json("--rules", R("all.yaml"))
    want = {"P01": "conflict", "P02": "warn", "P03": "conflict", "P04": "warn",
            "P05": "conflict", "P06": "pass", "P07": "warn", "P08": "warn", "P09": "conflict",
            "P10": "warn"}
    check({k: fps[k]["verdict"] for k in IDS} == want, "all.yaml verdicts")
    check(code == 1, "all.yaml exit 1")
    # CSV: one column per reported attribute; distinct values of the hits, in hit order.
    code, out, err = run("screen", "--rules", R("all.yaml"), "--area", "planar", "--id-field",
                         "XMBH", "-f", "csv", XM)
    rows = {r["id"]: r for r in csv.DictReader(out.lstrip("\ufeff").splitlines())}
    check(rows["P10"].get("sxyd_HJGKDYBM") == "ZH13108210001; ZH13108220002",
          "CSV sxyd_HJGKDYBM of P10: %r" % rows["P10"].get("sxyd_HJGKDYBM"))
    check(rows["P03"].get("eco_ZRBHDFQ") == "核心保护区; 一般控制区", "CSV eco_ZRBHDFQ of P03")
    check(rows["P06"].get("udb_GHFQMC") == "城镇集中建设区; 城镇弹性发展区", "CSV udb_GHFQMC")
    check(rows["P05"].get("eco_ZRBHDFQ") == "" and rows["P05"].get("eco_HXMC") ==
          "蓟北水源涵养生态保护红线", "CSV: null attribute left out")
    # table
    code, out, err = run("screen", "--rules", R("all.yaml"), "--area", "planar", "--id-field",
                         "XMBH", XM)
    check("sxyd HJGKDYMC" in out and "三河市城区重点管控单元" in out and
          "udb GHFQMC" in out and "rules " + R("all.yaml") in out, "table columns")
    # --pieces: severity, reason and the reported attributes of each piece
    pieces = os.path.join(tmp, "pieces.gpkg")
    code, out, err = run("screen", "--rules", R("all.yaml"), "--area", "planar", "--id-field",
                         "XMBH", "--pieces", pieces, XM)
    p = subprocess.run(["ogrinfo", "-ro", "-q", pieces, "-dialect", "SQLite", "-sql",
                        "SELECT fp_id, control, ctl_fid, area_m2, severity, HJGKDYBM, "
                        "ZRBHDFQ, GHFQMC FROM pieces ORDER BY fp_id, control, ctl_fid"],
                       capture_output=True)
    text = p.stdout.decode("utf-8")
    check(p.returncode == 0 and "HJGKDYBM (String) = ZH13108220002" in text and
          "ZRBHDFQ (String) = 一般控制区" in text and "GHFQMC (String) = 特别用途区" in text,
          "pieces carry the reported attributes: %s" % p.stderr.decode("utf-8", "replace"))
    layer = subprocess.run(["ogrinfo", "-ro", "-q", "-so", pieces], capture_output=True)
    check(b"pieces" in layer.stdout or p.returncode == 0, "pieces layer")
    # the same run twice and with --jobs 1: byte-identical JSON
    a = run("screen", "--rules", R("all.yaml"), "-f", "json", "--jobs", "1", XM)[1]
    b = run("screen", "--rules", R("all.yaml"), "-f", "json", "--jobs", "2", XM)[1]
    check(a == b, "--rules: --jobs 1 and 2 give byte-identical JSON")


def test_aliases(tmp):
    """by.field and report name a field the layer calls otherwise; aliases map it."""
    src = open(os.path.join(RULES, "redline.yaml"), encoding="utf-8").read()
    body = (src.replace("path: stbhhx.shp", "path: %s" % os.path.join(RULES, "stbhhx.shp"))
            .replace("ZRBHDFQ: [GNFQ, 功能分区]", "功能分区: [GNFQ, ZRBHDFQ]")
            .replace("field: ZRBHDFQ", "field: 功能分区")
            .replace("report: [HXMC, ZRBHDMC, ZRBHDFQ]", "report: [HXMC, ZRBHDMC, 功能分区]"))
    path = os.path.join(tmp, "alias.yaml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(body)
    code, doc, fps = screen_json("--rules", path)
    if doc:
        want = {"P01": "conflict", "P02": "warn", "P03": "conflict", "P04": "warn",
                "P05": "conflict", "P10": "warn"}
        check({k: fps[k]["verdict"] for k in want} == want, "aliases: verdicts")
        check(rule(fps["P02"], "eco", 1)["field"] == "功能分区", "aliases: field as the rules say")
    code, out, err = run("screen", "--rules", path, "-f", "csv", "--id-field", "XMBH", XM)
    rows = {r["id"]: r for r in csv.DictReader(out.lstrip("\ufeff").splitlines())}
    check(rows["P03"].get("eco_功能分区") == "核心保护区; 一般控制区", "aliases: reported column")


def test_exempt_field_missing(tmp):
    """Footprints without XMLX: no exemption (never a lower severity), and a warning."""
    fp = os.path.join(tmp, "noxmlx.shp")
    p = subprocess.run(["ogr2ogr", fp, os.path.join(RULES, "xm.shp"), "-select", "XMBH"],
                       capture_output=True)
    check(p.returncode == 0, "ogr2ogr without XMLX")
    code, out, err = run("screen", "--rules", R("redline.yaml"), "--id-field", "XMBH", "-f",
                         "json", fp)
    fps = {f["id"]: f for f in json.loads(out)["footprints"]} if out else {}
    check(fps and fps["P04"]["verdict"] == "conflict" and fps["P10"]["verdict"] == "conflict",
          "no XMLX: P04 and P10 are not exempt")
    check("no field 'XMLX'" in err, "no XMLX: a warning says so: %r" % err)


def test_audit_rules(tmp):
    d = os.path.join(tmp, "delivery")
    os.makedirs(d)
    for ext in ("shp", "shx", "dbf", "prj", "cpg"):
        shutil.copy(os.path.join(RULES, "xm." + ext), d)
    snap = digest(d)
    code, out, err = run("audit", "--rules", R("all.yaml"), "--area", "planar", "--id-field",
                         "XMBH", "-f", "json", d)
    doc = json.loads(out) if out.startswith("{") else None
    check(doc is not None and code == 1, "audit --rules: exit 1, got %d %s" % (code, err))
    if doc:
        fps = {f["id"]: f for f in doc["files"][0]["footprints"]}
        want = {"P01": "conflict", "P02": "warn", "P03": "conflict", "P04": "warn",
                "P05": "conflict", "P06": "pass", "P07": "warn", "P08": "warn",
                "P09": "conflict", "P10": "warn"}
        check({k: fps[k]["verdict"] for k in IDS} == want, "audit --rules verdicts")
        check(rule(fps["P04"], "eco", 0)["exempt"]["value"] == "线性基础设施", "audit: exempt")
    code, out, err = run("audit", "--rules", R("redline.yaml"), "--area", "planar", d)
    check("4 pass, 3 warn, 3 conflict" in out, "audit table with redline.yaml: %s" % out)
    check(digest(d) == snap, "audit leaves DIR byte-identical")


BAD = [
    ("syntax", "controls:\n  - name: eco\n    path: [a\n",
     ["rules file", "bad.yaml:4:1: YAML syntax error", "flow sequence"]),
    ("unknown key", "controls:\n  - name: eco\n    path: {S}\n    exmept: {{field: XMLX}}\n",
     ["bad.yaml:4:5: unknown key 'exmept' in a control"]),
    ("unknown top key", "control:\n  - name: eco\n", ["bad.yaml:1:1: unknown key 'control'"]),
    ("field the layer lacks",
     "controls:\n  - name: eco\n    path: {S}\n    by:\n      field: GNFQ\n      values:\n"
     "        a: {{severity: warn}}\n",
     ["bad.yaml:5:7: control eco: by field 'GNFQ' is not in", "ZRBHDFQ"]),
    ("report field the layer lacks",
     "controls:\n  - name: eco\n    path: {S}\n    report: [HXMC, NOPE]\n",
     ["control eco: report field 'NOPE' is not in"]),
    ("reason field the layer lacks",
     "controls:\n  - name: eco\n    path: {S}\n    reason: 'in {{NOPE}}'\n",
     ["control eco: reason field 'NOPE' is not in"]),
    ("value not covered",
     "controls:\n  - name: eco\n    path: {S}\n    by:\n      field: ZRBHDFQ\n      complete: true\n"
     "      values:\n        核心保护区: {{severity: conflict}}\n",
     ["bad.yaml:5:7: control eco: 'by' is complete, but no entry of by.values covers "
      "'一般控制区'"]),
    ("null not covered",
     "controls:\n  - name: eco\n    path: {S}\n    by:\n      field: ZRBHDFQ\n      complete: true\n"
     "      values:\n        核心保护区: {{severity: conflict}}\n        一般控制区: {{severity: warn}}\n",
     ["covers a null value"]),
    ("unknown layer",
     "controls:\n  - name: zrbhd\n    report: [HXMC]\n",
     ["bad.yaml:2:5: control 'zrbhd' has no path and names no layer given by a flag"]),
    ("bad severity", "controls:\n  - name: eco\n    path: {S}\n    severity: fatal\n",
     ["bad.yaml:4:15: severity must be conflict or warn, not 'fatal'"]),
    ("bad rule", "controls:\n  - name: eco\n    path: {S}\n    rule: allow\n",
     ["bad.yaml:4:11: rule must be forbid, require or report"]),
    ("value without severity",
     "controls:\n  - name: eco\n    path: {S}\n    by:\n      field: ZRBHDFQ\n      values:\n"
     "        核心保护区: {{reason: x}}\n",
     ["needs a severity"]),
    ("declared twice", "controls:\n  - name: eco\n    path: {S}\n  - name: eco\n    path: {S}\n",
     ["bad.yaml:4:5: control 'eco' is declared twice"]),
    ("empty", "", ["empty (it needs 'controls:')"]),
    ("two documents", "controls:\n  - name: eco\n    path: {S}\n---\ncontrols: []\n",
     ["bad.yaml:5:1: a second YAML document"]),
    ("not a mapping", "- a\n", ["must be a mapping"]),
    ("bad name", "controls:\n  - name: 'a b'\n    path: {S}\n", ["may hold only letters"]),
    ("exempt without values",
     "controls:\n  - name: eco\n    path: {S}\n    exempt: {{field: XMLX}}\n",
     ["'exempt' needs a field and values"]),
]


def test_bad_rules_files(tmp):
    shp = os.path.join(RULES, "stbhhx.shp")
    path = os.path.join(tmp, "bad.yaml")
    for what, text, needles in BAD:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text.format(S=shp))
        snap = digest(tmp)
        code, out, err = run("screen", "--rules", path, XM)
        check(code == 2 and all(n in err for n in needles) and out == "",
              "bad rules (%s): exit %d, stderr %r, want 2 and %s" % (what, code, err.strip(),
                                                                    needles))
        check(digest(tmp) == snap, "bad rules (%s): inputs byte-identical" % what)
    code, out, err = run("screen", "--rules", os.path.join(tmp, "none.yaml"), XM)
    check(code == 2 and "cannot open" in err, "missing rules file: %r" % err)
    code, out, err = run("screen", "--rules", R("redline.yaml"), "--eco", R("stbhhx.shp"), XM)
    check(code == 2 and "control 'eco' has a path, and a flag gives a control of that name"
          in err, "rules and flag name one control twice: %r" % err)
    code, out, err = run("screen", "--rules", R("redline.yaml"), "--rules", R("udb.yaml"), XM)
    check(code == 2 and "--rules is given twice" in err, "--rules twice")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("controls:\n  - name: eco\n    rule: report\n    reason: x\n")
    code, out, err = run("screen", "--eco", R("stbhhx.shp"), "--rules", path, XM)
    check(code == 2 and "leave out 'rule' and 'severity'" in err, "flag's rule not overridden")
    # -o onto the rules file: refused, the file unchanged
    own = os.path.join(tmp, "own.yaml")
    shutil.copy(os.path.join(RULES, "udb.yaml"), own)
    snap = digest(tmp)
    code, out, err = run("screen", "--rules", own, "-o", own, XM)
    check(code == 2 and "would write over the input" in err and digest(tmp) == snap,
          "-o onto the rules file refused: %r" % err)
    code, out, err = run("audit", "--rules", own, "-o", own, os.path.join(RULES))
    check(code == 2 and "would write over the input" in err and digest(tmp) == snap,
          "audit -o onto the rules file refused: %r" % err)
    code, out, err = run("audit", "--rules", os.path.join(tmp, "none.yaml"), tmp)
    check(code == 2 and "cannot open" in err, "audit: bad rules file exits 2")


def test_shp_pieces_reason_cut(tmp):
    """A reason longer than a shapefile's 254 bytes: cut, with a warning."""
    path = os.path.join(tmp, "long.yaml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("controls:\n  - name: eco\n    path: %s\n    reason: %s\n"
                 % (os.path.join(RULES, "stbhhx.shp"), "红" * 100))
    shp = os.path.join(tmp, "pieces.shp")
    code, out, err = run("screen", "--rules", path, "--pieces", shp, XM)
    check(code == 1 and "--pieces %s: 8 values of field reason are longer than 254 bytes" % shp
          in err, "shapefile pieces: long reasons cut with a warning: %r" % err)
    gp = os.path.join(tmp, "pieces2.gpkg")
    code, out, err = run("screen", "--rules", path, "--pieces", gp, XM)
    check("reason" not in err, "gpkg pieces: no warning")


def test_help():
    code, out, _ = run("screen", "--help")
    check(code == 0 and "--rules FILE" in out and "docs/rules.md" in out, "screen --help")
    code, out, _ = run("audit", "--help")
    check(code == 0 and "--rules" in out, "audit --help")


def main():
    tmp = tempfile.mkdtemp(prefix="redline_rules_")
    try:
        test_hand_geometry_against_sqlite()
        test_redline_rules()
        test_rules_add_to_a_flag(tmp)
        test_flags_unchanged()
        test_min_area_and_strict()
        test_farmland_udb_sxyd()
        test_all_in_each_format(tmp)
        test_aliases(tmp)
        test_exempt_field_missing(tmp)
        test_audit_rules(tmp)
        test_bad_rules_files(tmp)
        test_shp_pieces_reason_cut(tmp)
        test_help()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    check(digest(RULES) == before, "sample_shapes/rules/ is byte-identical after all runs")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
