#!/usr/bin/env python3
"""CLI tests of the reports a reviewer files (issue 16): `screen -f html`, `--lang zh|en`.

What is compared with what:
  * The statement sentences of every footprint (zh and en, ha and mu) against sentences
    this script writes itself from the JSON figures of the same run, in the fixed wording
    of issue 16 ("项目用地总面积 …，涉及生态保护红线 …（占 …%），不涉及永久基本农田，
    位于城镇开发边界外 … 公顷。"); the JSON figures are themselves checked against PostGIS
    by test_cli.py.  One sentence is also spelled out by hand (P01).
  * The page as parsed by Python's html.parser and as Chromium builds it (--dump-dom):
    one <section class="footprint" data-id> per footprint in input order, one <svg
    class="map"> in each, one <path class="piece" data-control=NAME> per hit of the JSON,
    the summary table's rows and verdict words.
  * Chromium logs no console message (a page with a blocked script does: the check can
    fail); nothing is fetched (no src/href, a CSP that forbids everything).
  * print to PDF (A4): one page for the header and summary, one for the overview, one
    per footprint, and each footprint's heading, north arrow and legend (top and bottom
    of its map) on one page: no map is cut.
  * A screenshot of the maps alone: each map area has drawn pixels, and the colour of
    the control it overlaps.
  * Hostile attribute and id text (</script><script>, <img onerror>, quotes, GBK text
    from a GBK shapefile) comes out as text, never as markup.
  * --lang defaults from LC_ALL / LC_MESSAGES / LANG; Chinese control names are accepted.
Usage: test_report.py REDLINE SRCDIR   (needs chromium, pdfinfo/pdftotext, python3-pil)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

try:
    from PIL import Image
    import openpyxl  # noqa: F401
except ImportError:  # a pyenv interpreter without Debian's modules
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, digest, summary  # noqa: E402

REDLINE = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
SAMPLES = os.path.join(SRC, "sample_shapes")
CONTROLS = ["--eco", "sample_shapes/eco.shp", "--farmland", "sample_shapes/farmland.shp",
            "--udb", "sample_shapes/udb.shp"]
FPS = ["--id-field", "XMBH", "sample_shapes/projects.shp"]
ZH = {"eco": "生态保护红线", "farmland": "永久基本农田", "udb": "城镇开发边界"}
EN = {"eco": "ecological protection red line", "farmland": "permanent basic farmland",
      "udb": "urban development boundary"}
UNITS = {"ha": (10000.0, 4, "公顷", "ha"), "mu": (10000.0 / 15, 3, "亩", "mu"),
         "m2": (1.0, 2, "平方米", "m2")}
COLOURS = {"eco": (0x2e, 0x7d, 0x32), "farmland": (0xf9, 0xa8, 0x25), "udb": (0x15, 0x65, 0xc0)}


def run(*args, env=None):
    e = dict(os.environ)
    e.pop("LC_ALL", None)
    e.pop("LC_MESSAGES", None)
    e["LANG"] = "C.UTF-8"
    e.update(env or {})
    p = subprocess.run([REDLINE] + list(args), cwd=SRC, capture_output=True, env=e)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace")


class Page(HTMLParser):
    """The elements of a page: tag, attributes, text inside, nesting."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elems = []   # dicts: tag, attrs, text, parents (indices)
        self.stack = []

    def handle_starttag(self, tag, attrs):
        e = {"tag": tag, "attrs": dict(attrs), "text": "", "parents": list(self.stack)}
        self.elems.append(e)
        if tag not in ("meta", "br", "img", "input", "link", "hr", "path", "rect", "line"):
            self.stack.append(len(self.elems) - 1)

    def handle_startendtag(self, tag, attrs):
        self.elems.append({"tag": tag, "attrs": dict(attrs), "text": "",
                           "parents": list(self.stack)})

    def handle_endtag(self, tag):
        for k in range(len(self.stack) - 1, -1, -1):
            if self.elems[self.stack[k]]["tag"] == tag:
                del self.stack[k:]
                break

    def handle_data(self, data):
        for i in self.stack:
            self.elems[i]["text"] += data

    def find(self, tag, cls=None, inside=None):
        out = []
        for i, e in enumerate(self.elems):
            if e["tag"] != tag:
                continue
            if cls and cls not in e["attrs"].get("class", "").split():
                continue
            if inside is not None and inside not in e["parents"]:
                continue
            out.append(i)
        return out


def parse(text):
    p = Page()
    p.feed(text)
    p.close()
    return p


def fmt(m2, unit):
    fac, dec, _, _ = UNITS[unit]
    v = m2 / fac
    least = 10.0 ** -dec
    return None if 0 < v < least / 2 else "%.*f" % (dec, v)


def sentence(fp, controls, unit, zh, min_area=1.0):
    """The figures sentence of issue 16, written here from the JSON."""
    _, dec, uzh, uen = UNITS[unit]
    u = uzh if zh else uen
    least = "%.*f" % (dec, 10.0 ** -dec)

    def said(m2):
        f = fmt(m2, unit)
        return f if f is not None else ("不足 " if zh else "less than ") + least

    def sliver(m2):
        if 0 < m2 < min_area:
            return ("（小于最小计入面积，不影响结论）" if zh else
                    " (a sliver below the smallest finding, no effect on the verdict)")
        return ""
    s = ("项目用地总面积 %s %s" if zh else "The project land covers %s %s") % (
        fmt(fp["area_m2"], unit), u)
    for k, c in enumerate(controls):
        name = (ZH if zh else EN).get(c["name"], c["name"])
        fc = fp["controls"][c["name"]]
        last = k == len(controls) - 1 and k > 0
        s += "，" if zh else ("; and it " if last else "; it ")
        if c["rule"] == "require":
            if fc["outside_m2"] > 0:
                s += ("位于%s外 %s %s" % (name, said(fc["outside_m2"]), u) if zh else
                      "lies %s %s outside the %s" % (said(fc["outside_m2"]), u, name))
                s += sliver(fc["outside_m2"])
            else:
                s += "全部位于%s内" % name if zh else "lies wholly inside the " + name
        elif fc["overlap_m2"] > 0:
            pct = 100.0 * fc["overlap_m2"] / fp["area_m2"]
            s += ("涉及%s %s %s（占 %.1f%%）" % (name, said(fc["overlap_m2"]), u, pct) if zh
                  else "overlaps the %s by %s %s (%.1f%%)" % (name, said(fc["overlap_m2"]),
                                                              u, pct))
            s += sliver(fc["overlap_m2"])
        else:
            s += "不涉及" + name if zh else "does not touch the " + name
    return s + ("。" if zh else ".")


def sections(page):
    return page.find("section", "footprint")


def check_page(page, js, unit, zh, what):
    """Sentences, maps and pieces of a parsed page against the run's JSON."""
    secs = sections(page)
    ids = [page.elems[i]["attrs"].get("data-id") for i in secs]
    want_ids = [f["id"] for f in js["footprints"]]
    check(ids == want_ids, "%s: one section per footprint in input order (%s)" % (what, ids))
    for i, fp in zip(secs, js["footprints"]):
        st = [page.elems[j]["text"] for j in page.find("p", "statement", inside=i)]
        want = sentence(fp, js["controls"], unit, zh)
        check(st and st[0] == want, "%s %s: statement\n   got  %s\n   want %s"
              % (what, fp["id"], st[0] if st else None, want))
        verdict = {"pass": "通过", "warn": "提示", "conflict": "冲突", "error": "错误"}[
            fp["verdict"]] if zh else fp["verdict"]
        check(len(st) > 1 and (("审查结论：" if zh else "Verdict: ") + verdict) in st[1],
              "%s %s: verdict sentence says %s (%s)" % (what, fp["id"], verdict,
                                                        st[1] if len(st) > 1 else None))
        maps = page.find("svg", "map", inside=i)
        check(len(maps) == 1, "%s %s: one svg.map (%d)" % (what, fp["id"], len(maps)))
        if not maps:
            continue
        pieces = [page.elems[j]["attrs"].get("data-control")
                  for j in page.find("path", "piece", inside=maps[0])]
        want = sorted(c for c, fc in fp["controls"].items() for _ in fc["hits"])
        check(sorted(pieces) == want, "%s %s: pieces per control %s, JSON hits %s"
              % (what, fp["id"], sorted(pieces), want))
        for j in page.find("path", "piece", inside=maps[0]):
            d = page.elems[j]["attrs"].get("d", "")
            check(re.match(r"^M-?\d", d) and " Z" in d,
                  "%s %s: piece path is drawn (%s...)" % (what, fp["id"], d[:30]))
        texts = " ".join(page.elems[j]["text"] for j in page.find("text", inside=maps[0]))
        check(("北" if zh else "N") in texts and ("项目用地" if zh else "project land") in texts,
              "%s %s: north arrow and legend in the map" % (what, fp["id"]))
        check(len(page.find("g", "scalebar", inside=maps[0])) == 1 and
              len(page.find("g", "ticks", inside=maps[0])) == 1,
              "%s %s: scale bar and coordinate ticks" % (what, fp["id"]))
    rows = page.find("tr", None)
    rows = [r for r in rows if "data-id" in page.elems[r]["attrs"]]
    check(len(rows) == len(js["footprints"]), "%s: summary table has a row per footprint"
          % what)
    check(len(page.find("svg", "overview-map")) == 1, "%s: one overview map" % what)
    for tag in ("script", "img", "iframe", "object", "embed", "link"):
        check(not page.find(tag), "%s: no <%s>" % (what, tag))
    for e in page.elems:
        for a in e["attrs"]:
            check(not a.startswith("on") and a not in ("src", "href"),
                  "%s: no %s= attribute on <%s>" % (what, a, e["tag"]))


def test_html_sentences_and_maps(tmp):
    rc, js_text, _ = run("screen", *CONTROLS, "-f", "json", *FPS)
    js = json.loads(js_text)
    for unit in ("ha", "mu"):
        for lang in ("zh", "en"):
            out = os.path.join(tmp, "r_%s_%s.html" % (unit, lang))
            rc2, _, err = run("screen", *CONTROLS, "--units", unit, "--lang", lang,
                              "-f", "html", "-o", out, *FPS)
            check(rc2 == rc == 1, "html %s %s: exit %d as json %d (%s)" % (unit, lang, rc2,
                                                                          rc, err))
            with open(out, encoding="utf-8") as f:
                check_page(parse(f.read()), js, unit, lang == "zh", "html %s %s"
                           % (unit, lang))
    # One sentence by hand, from the reference figures of P01 (tests/reference).
    with open(os.path.join(tmp, "r_ha_zh.html"), encoding="utf-8") as f:
        text = f.read()
    check("项目用地总面积 14.9999 公顷，涉及生态保护红线 14.9999 公顷（占 100.0%），"
          "不涉及永久基本农田，位于城镇开发边界外 14.9999 公顷。" in text,
          "P01's sentence, spelled out")
    check("审查结论：冲突。原因：压占生态保护红线 14.9999 公顷（冲突）；超出城镇开发边界 "
          "14.9999 公顷（提示）。" in text, "P01's verdict sentence, spelled out")
    # Deterministic whatever --jobs.
    a = run("screen", *CONTROLS, "-f", "html", "--jobs", "1", *FPS)[1]
    b = run("screen", *CONTROLS, "-f", "html", "--jobs", "3", *FPS)[1]
    check(a == b and a.startswith("<!DOCTYPE html>"), "html: same bytes for --jobs 1 and 3")
    check(len(re.findall(r"https?://", a)) == len(re.findall(
        r'xmlns="http://www\.w3\.org/2000/svg"', a)),
        "html: no URL but the SVG namespace")


def test_html_landuse_sentence(tmp):
    """With --landuse, a 地类 sentence per footprint from the JSON's rounded 一级类 rows."""
    args = ["screen", *CONTROLS, "--landuse", "sample_shapes/dltb.shp", "--units", "ha", *FPS]
    _, js, _ = run(*args, "-f", "json")
    _, html, _ = run(*args, "-f", "html", "--lang", "zh")
    page = parse(html)
    n = 0
    for i, fp in zip(sections(page), json.loads(js)["footprints"]):
        got = [page.elems[j]["text"] for j in page.find("p", "landuse", inside=i)]
        r = fp["landuse"]["rounded"]
        parts = ["%s %.4f 公顷" % (x["name"], x["area_m2"]) for x in r["level1"]
                 if x["area_m2"] != 0]
        want = "地类构成（一级类）：" + ("、".join(parts) if parts else "无")
        if r["uncovered_m2"]:
            want += "；未被图斑覆盖 %.4f 公顷" % r["uncovered_m2"]
        want += "。"
        n += bool(parts)
        check(got == [want], "%s: 地类 sentence\n   got  %s\n   want %s" % (fp["id"], got, want))
    check(n >= 3, "the sample has footprints on DLTB parcels (%d)" % n)


def test_html_rules(tmp):
    """--rules: the verdict sentence says the JSON's verdict, and the rules sentence each
    rule reason the JSON gives (sample_shapes/rules/redline.yaml, docs/rules.md)."""
    args = ["screen", "--rules", "sample_shapes/rules/redline.yaml", "--id-field", "XMBH",
            "sample_shapes/rules/xm.shp"]
    _, js, _ = run(*args, "-f", "json")
    _, html, _ = run(*args, "-f", "html", "--lang", "zh")
    page = parse(html)
    seen = 0
    for i, fp in zip(sections(page), json.loads(js)["footprints"]):
        st = [page.elems[j]["text"] for j in page.find("p", "statement", inside=i)]
        words = {"pass": "通过", "warn": "提示", "conflict": "冲突", "error": "错误"}
        check(len(st) > 1 and st[1].startswith("审查结论：" + words[fp["verdict"]]),
              "rules %s: verdict %s (%s)" % (fp["id"], fp["verdict"], st[1:2]))
        rules = [page.elems[j]["text"] for j in page.find("p", "rules", inside=i)]
        for reason in fp["reasons"]:
            text = reason.split(": ", 2)[-1]
            seen += 1
            check(rules and text in rules[0], "rules %s: the sentence gives %r (%s)"
                  % (fp["id"], text, rules))
    check(seen >= 4, "the rules sample has rule reasons (%d)" % seen)


def test_lang_default_and_chinese_names(tmp):
    base = ["screen", "--eco", "sample_shapes/eco.shp", "-f", "html", *FPS]
    for env, zh in (({"LANG": "zh_CN.UTF-8"}, True), ({"LANG": "en_US.UTF-8"}, False),
                    ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, True),
                    ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "C"}, False)):
        _, out, _ = run(*base, env=env)
        check(('lang="zh-CN"' in out) == zh and ("审查结论" in out) == zh,
              "--lang default from %s is %s" % (env, "zh" if zh else "en"))
    _, out, _ = run(*base, "--lang", "en", env={"LANG": "zh_CN.UTF-8"})
    check('lang="en"' in out, "--lang en wins over the locale")
    rc, _, err = run(*base, "--lang", "fr")
    check(rc == 2 and "--lang must be zh, en or auto" in err, "--lang fr refused (%d %s)"
          % (rc, err.strip()))
    rc, out, err = run("screen", "--control", "自然保护地:forbid=sample_shapes/eco.shp",
                       "-f", "json", *FPS)
    names = [c["name"] for c in json.loads(out)["controls"]] if rc in (0, 1) else []
    check(names == ["自然保护地"], "a Chinese control name is accepted (%d %s %s)"
          % (rc, names, err.strip()))
    rc, _, err = run("screen", "--control", "a b:forbid=sample_shapes/eco.shp", *FPS)
    check(rc == 2 and "may hold only letters" in err, "a name with a space is still refused")
    rc, _, err = run("area", "sample_shapes/eco.shp", "-f", "html")
    check(rc == 2 and "available for screen, diff and audit only" in err,
          "area -f html is refused, not ignored (%d %s)" % (rc, err.strip()))


def test_lang_table_csv_json(tmp):
    """--lang zh: table and CSV against expected files; the same figures as en; JSON labels."""
    cases = {
        "screen_sample_ha_lang_zh.txt": ["screen", *CONTROLS, "--units", "ha", "--lang", "zh",
                                         *FPS],
        "screen_sample_mu_lang_zh.csv": ["screen", *CONTROLS, "--units", "mu", "--lang", "zh",
                                         "-f", "csv", *FPS],
    }
    for name, args in cases.items():
        _, out, _ = run(*args)
        with open(os.path.join(SRC, "tests", "expected", name), encoding="utf-8",
                  newline="") as f:
            check(out == f.read(), "%s: output differs from tests/expected (run: redline %s)"
                  % (name, " ".join(args)))
    import csv
    _, zh, _ = run("screen", *CONTROLS, "--units", "mu", "--lang", "zh", "-f", "csv", *FPS)
    _, en, _ = run("screen", *CONTROLS, "--units", "mu", "--lang", "en", "-f", "csv", *FPS)
    zr = list(csv.reader(zh.lstrip("\ufeff").splitlines()))
    er = list(csv.reader(en.lstrip("\ufeff").splitlines()))
    check(zr[0][:6] == ["编号", "来源", "FID", "面积_亩", "结论", "已修复"] and
          "生态保护红线_压占_亩" in zr[0] and "城镇开发边界_外_亩" in zr[0],
          "CSV zh headers (%s)" % zr[0][:8])
    words = {"pass": "通过", "warn": "提示", "conflict": "冲突", "error": "错误",
             "yes": "是", "no": "否"}
    rcol = er[0].index("reasons")
    same = len(zr) == len(er) and all(
        len(a) == len(b) and all(x == words.get(y, y) for i, (x, y) in enumerate(zip(a, b))
                                 if i != rcol)
        for a, b in zip(zr[1:], er[1:]))
    check(same, "CSV zh rows = en rows with the verdict and yes/no words translated")
    # The reasons are translated (zh-only words, no English left) with the same figures.
    check(all(numbers(a[rcol]) == numbers(b[rcol]) and not re.search(r"[a-z]{3}", a[rcol])
              for a, b in zip(zr[1:], er[1:])) and any("压占生态保护红线" in a[rcol] for a in zr),
          "CSV zh reasons: Chinese, with the figures of the English reasons")
    _, js, _ = run("screen", *CONTROLS, "--lang", "zh", "-f", "json", *FPS)
    _, js_en, _ = run("screen", *CONTROLS, "--lang", "en", "-f", "json", *FPS)
    d = json.loads(js)
    check(js == js_en, "JSON is the same whatever --lang (keys and values are an API)")
    check(d.get("labels") == {
        "verdict": {"pass": "通过", "warn": "提示", "conflict": "冲突", "error": "错误"},
        "units": {"m2": "平方米", "ha": "公顷", "mu": "亩", "km2": "平方千米"},
        "controls": {"eco": "生态保护红线", "farmland": "永久基本农田", "udb": "城镇开发边界"}},
        "JSON labels: %s" % d.get("labels"))
    _, t, _ = run("screen", *CONTROLS, "--units", "ha", *FPS, env={"LANG": "zh_CN.UTF-8"})
    check(t.startswith("redline screen：") and "冲突" in t, "table in zh under LANG=zh_CN")


def test_lang_diff_area(tmp):
    """--lang zh for diff and area: table and CSV against expected files; every figure the
    same as in the en output of the same run; CSV rows = en rows with the words
    translated; JSON the same for zh and en, with a labels object; default from LANG."""
    import csv
    old, new = "sample_shapes/eco.shp", "sample_shapes/eco_v2.gpkg"
    cases = {
        "diff_sample_by_HXLX_ha_lang_zh.txt": ["diff", "--by", "HXLX", "--units", "ha", old, new],
        "diff_sample_by_HXLX_ha_lang_zh.csv": ["diff", "--by", "HXLX", "-f", "csv", "--units",
                                               "ha", old, new],
        "area_eco_by_HXLX_mu_lang_zh.txt": ["area", "--by", "HXLX", "--units", "mu",
                                            "--expect-min", "100000mu", old],
        "area_eco_by_HXLX_mu_lang_zh.csv": ["area", "--by", "HXLX", "-f", "csv", "--units",
                                            "mu", old],
    }
    num = re.compile(r"-?\d+\.\d+")
    words = {"shrunk": "减少", "not_shrunk": "未减少", "changed": "性质改变", "kept": "未变",
             "gained": "新增", "lost": "减少", "ok": "通过", "below_minimum": "低于下限",
             "total": "合计", "group": "分组", "transition": "转移"}
    for name, args in cases.items():
        rc, zh, _ = run(*args, "--lang", "zh")
        rc_en, en, _ = run(*args, "--lang", "en")
        with open(os.path.join(SRC, "tests", "expected", name), encoding="utf-8",
                  newline="") as f:
            check(zh == f.read(), "%s: output differs from tests/expected (run: redline %s "
                  "--lang zh)" % (name, " ".join(args)))
        check(rc == rc_en and num.findall(zh) == num.findall(en) and num.findall(zh),
              "%s: exit status and every figure as in --lang en" % name)
        _, dflt, _ = run(*args, env={"LANG": "zh_CN.UTF-8"})
        check(dflt == zh, "%s: LANG=zh_CN gives --lang zh" % name)
        if name.endswith(".csv"):
            zr = list(csv.reader(zh.lstrip("\ufeff").splitlines()))
            er = list(csv.reader(en.lstrip("\ufeff").splitlines()))
            same = len(zr) == len(er) > 1 and all(
                len(a) == len(b) and
                all(x == words.get(y, y.replace("(none)", "(无)")) for x, y in zip(a, b))
                for a, b in zip(zr[1:], er[1:]))
            check(same, "%s: zh rows = en rows with the words translated" % name)
            want = (["范围", "分组", "原版要素数", "新版要素数", "原版面积_公顷", "新版面积_公顷",
                     "减少面积_公顷", "新增面积_公顷", "净变化_公顷", "结论"]
                    if args[0] == "diff" else ["范围", "分组", "要素数", "面积_亩", "自重叠_亩", "结论"])
            check(zr[0] == want, "%s: zh headers (%s)" % (name, zr[0]))
        else:
            check(("结论：面积减少" in zh) if args[0] == "diff" else ("：低于下限" in zh),
                  "%s: the verdict line in zh" % name)
    units = {"m2": "平方米", "ha": "公顷", "mu": "亩", "km2": "平方千米"}
    for args, verdicts in (
            (["diff", "--by", "HXLX", old, new],
             {"shrunk": "减少", "not_shrunk": "未减少", "changed": "性质改变", "kept": "未变",
              "gained": "新增", "lost": "减少"}),
            (["area", old], {"ok": "通过", "below_minimum": "低于下限"})):
        _, js, _ = run(*args, "-f", "json", "--lang", "zh")
        _, js_en, _ = run(*args, "-f", "json", "--lang", "en")
        d = json.loads(js)
        check(js == js_en, "%s JSON is the same whatever --lang" % args[0])
        check(d.get("labels") == {"verdict": verdicts, "units": units},
              "%s JSON labels: %s" % (args[0], d.get("labels")))
        check(d["verdict"] in verdicts, "%s JSON verdict %s has a label" % (args[0], d["verdict"]))


def test_lang_audit(tmp):
    """--lang zh for audit: CSV against an expected file (a folder of projects.* and
    dltb.zip); rows = en rows with the status words translated, so every count is as in
    en; table headers and summary line in zh; JSON the same for zh and en, with labels."""
    import csv
    folder = os.path.join(tmp, "lang_audit")
    os.mkdir(folder)
    for name in os.listdir(SAMPLES):
        if name.startswith("projects.") or name == "dltb.zip":
            shutil.copy(os.path.join(SAMPLES, name), folder)
    args = ["audit", *CONTROLS, "--id-field", "XMBH", folder]
    rc, zh, _ = run(*args, "-f", "csv", "--lang", "zh")
    rc_en, en, _ = run(*args, "-f", "csv", "--lang", "en")
    with open(os.path.join(SRC, "tests", "expected", "audit_sample_lang_zh.csv"),
              encoding="utf-8", newline="") as f:
        check(zh == f.read(), "audit_sample_lang_zh.csv: output differs from tests/expected")
    zr = list(csv.reader(zh.lstrip("\ufeff").splitlines()))
    er = list(csv.reader(en.lstrip("\ufeff").splitlines()))
    words = {"ok": "通过", "warn": "提示", "error": "错误"}
    # The problems column is Chinese too (issue #16): compared with en's up to it.
    check(rc == rc_en and len(zr) == len(er) == 3 and all(
        [words.get(x, x) for x in b[:-1]] == a[:-1] for a, b in zip(zr[1:], er[1:])),
        "audit CSV: zh rows = en rows with the status words translated")
    check(all(a[-1] != b[-1] and a[-1].startswith(b[-1].split(": ")[0] + "：")
              and re.findall(r"\d+", a[-1]) == re.findall(r"\d+", b[-1])
              for a, b in zip(zr[1:], er[1:])),
          "audit CSV: the problems in Chinese, with en's figures")
    check(zr[0] == ["文件", "状态", "要素数", "通过", "提示", "冲突", "错误", "问题代码", "问题"],
          "audit CSV zh headers (%s)" % zr[0])
    _, t, _ = run(*args, env={"LANG": "zh_CN.UTF-8"})
    check(re.search(r"文件 +状态 +要素数 +通过 +提示 +冲突 +错误 +问题", t) is not None
          and "\n汇总：文件 0 个通过，2 个提示，0 个错误；项目 37 个：" in t,
          "audit table in zh under LANG=zh_CN (%r)" % t[-120:])
    _, js, _ = run(*args, "-f", "json", "--lang", "zh")
    _, js_en, _ = run(*args, "-f", "json", "--lang", "en")
    check(js == js_en and json.loads(js).get("labels") == {
        "verdict": {"ok": "通过", "pass": "通过", "warn": "提示", "conflict": "冲突",
                    "error": "错误"},
        "units": {"m2": "平方米", "ha": "公顷", "mu": "亩", "km2": "平方千米"}},
        "audit JSON: the same whatever --lang, with labels")


def test_lonlat_map_not_squashed(tmp):
    """A lon/lat footprint is drawn in a Gauss-Krüger plane: the same shape as in EPSG:4527."""
    shapes = {}
    for path in ("sample_shapes/projects.shp", "sample_shapes/projects_4490.geojson"):
        _, out, _ = run("screen", "--eco", "sample_shapes/eco.shp", "-f", "html", "--lang",
                        "en", "--id-field", "XMBH", path)
        page = parse(out)
        for i in sections(page):
            fid = page.elems[i]["attrs"]["data-id"]
            fp = page.find("path", "footprint", inside=i)
            xy = [float(v) for v in re.findall(r"-?\d+\.\d", page.elems[fp[0]]["attrs"]["d"])]
            xs, ys = xy[0::2], xy[1::2]
            shapes.setdefault(fid, []).append((max(xs) - min(xs)) / (max(ys) - min(ys)))
        if "4490" in path:
            check("central meridian 117°E" in out, "lon/lat map: GK zone CM 117°E named")
    for fid in ("P01", "P03", "P05"):
        a, b = shapes[fid]
        check(abs(a / b - 1) < 0.01, "%s: width/height %.4f in EPSG:4527, %.4f from lon/lat"
              % (fid, a, b))


def test_xlsx(tmp):
    """-f xlsx read back with openpyxl: every cell against the JSON of the same run."""
    import openpyxl
    for lang, unit, lu in (("zh", "ha", True), ("en", "mu", False)):
        extra = ["--landuse", "sample_shapes/dltb.shp"] if lu else []
        out = os.path.join(tmp, "r_%s.xlsx" % lang)
        rc, _, err = run("screen", *CONTROLS, *extra, "--units", unit, "--lang", lang,
                         "-f", "xlsx", "-o", out, *FPS)
        rcj, js, _ = run("screen", *CONTROLS, *extra, "--units", unit, "-f", "json", *FPS)
        check(rc == rcj == 1, "xlsx %s: exit %d as json %d (%s)" % (lang, rc, rcj, err))
        d = json.loads(js)
        fac = UNITS[unit][0]
        wb = openpyxl.load_workbook(out)
        want_sheets = ["汇总", "压占明细"] + (["地类"] if lu else [])
        check(wb.sheetnames == want_sheets, "xlsx %s: sheets %s" % (lang, wb.sheetnames))

        def near(cell, m2, what):
            ok = isinstance(cell, (int, float)) and abs(cell - m2 / fac) <= 1e-4 / fac + 1e-9
            check(ok, "xlsx %s: %s = %r, JSON %r m2" % (lang, what, cell, m2))
        ws = wb["汇总"]
        rows = list(ws.iter_rows(values_only=True))
        head = rows[0]
        check(ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:%s%d" % (
            openpyxl.utils.get_column_letter(len(head)), len(rows)),
            "xlsx %s 汇总: frozen header, autofilter (%s %s)" % (lang, ws.freeze_panes,
                                                                  ws.auto_filter.ref))
        area_col = head.index(("面积(%s)" % UNITS[unit][2]) if lang == "zh"
                              else "area (%s)" % unit)
        check(ws.cell(row=2, column=area_col + 1).number_format == "0." + "0" * UNITS[unit][1],
              "xlsx %s: area cells formatted to the unit's decimals (%s)"
              % (lang, ws.cell(row=2, column=area_col + 1).number_format))
        check((ws.column_dimensions["A"].width or 0) >= 4 and
              (ws.column_dimensions[openpyxl.utils.get_column_letter(area_col + 1)].width or 0)
              >= len(head[area_col]), "xlsx %s: column widths fit the headers" % lang)
        check(len(rows) - 1 == len(d["footprints"]), "xlsx %s: a row per footprint" % lang)
        for row, fp in zip(rows[1:], d["footprints"]):
            check(row[0] == fp["id"], "xlsx %s: id %s" % (lang, row[0]))
            near(row[area_col], fp["area_m2"], "%s area" % fp["id"])
            verdict = row[area_col + 1]
            check(verdict == (fp["verdict"] if lang == "en" else
                              {"pass": "通过", "warn": "提示", "conflict": "冲突"}[fp["verdict"]]),
                  "xlsx %s: %s verdict %s" % (lang, fp["id"], verdict))
            col = area_col + 2
            for c in d["controls"]:
                fc = fp["controls"][c["name"]]
                near(row[col], fc["overlap_m2"], "%s %s overlap" % (fp["id"], c["name"]))
                check(abs(row[col + 1] - fc["overlap_pct"]) < 1e-4, "xlsx: %s %s pct"
                      % (fp["id"], c["name"]))
                req = c["rule"] == "require"
                if req:
                    near(row[col + 2], fc["outside_m2"], "%s %s outside" % (fp["id"], c["name"]))
                check(row[col + 2 + req] == len(fc["hits"]), "xlsx: %s %s hits"
                      % (fp["id"], c["name"]))
                col += 3 + req
        ws = wb["压占明细"]
        rows = list(ws.iter_rows(values_only=True))
        head = rows[0]
        want = [(fp["id"], c, h) for fp in d["footprints"] for c, fc in fp["controls"].items()
                for h in fc["hits"]]
        check(len(rows) - 1 == len(want), "xlsx %s 压占明细: one row per footprint x hit "
              "(%d, JSON %d)" % (lang, len(rows) - 1, len(want)))
        for row, (fid, c, h) in zip(rows[1:], want):
            check(row[0] == fid and row[1] == c and row[3] == h["fid"],
                  "xlsx %s: hit row %s" % (lang, row[:4]))
            near(row[4], h["overlap_m2"], "%s %s #%d" % (fid, c, h["fid"]))
            attrs = {head[k]: row[k] for k in range(6, len(head)) if row[k] is not None}
            check(attrs == {k: v for k, v in h["attrs"].items() if v is not None},
                  "xlsx %s: %s %s #%d attributes" % (lang, fid, c, h["fid"]))
        if lu:
            rows = list(wb["地类"].iter_rows(values_only=True))
            want = [(fp["id"], r) for fp in d["footprints"] if "landuse" in fp
                    for r in fp["landuse"]["rounded"]["classes"]]
            want += [("合计", r) for r in d["summary"]["landuse"]["rounded"]["classes"]]
            check(len(rows) - 1 == len(want), "xlsx 地类: one row per footprint x class "
                  "(%d, JSON %d)" % (len(rows) - 1, len(want)))
            for row, (fid, r) in zip(rows[1:], want):
                check(row[0] == fid and row[1] == r["code"] and
                      all(isinstance(v, (int, float)) for v in row[3:6]) and
                      abs(row[3] - r["area_m2"]) < 1e-9 and abs(row[4] - r["state_m2"]) < 1e-9
                      and abs(row[5] - r["collective_m2"]) < 1e-9,
                      "xlsx 地类: %s %s = JSON rounded (%s)" % (fid, r["code"], row))
    rc, _, err = run("screen", *CONTROLS, "-f", "xlsx", *FPS)
    check(rc == 2 and "needs -o FILE.xlsx" in err, "xlsx without -o is refused (%s)" % err)
    rc, _, err = run("area", "sample_shapes/eco.shp", "-f", "xlsx",
                     "-o", os.path.join(tmp, "a.xlsx"))
    check(rc == 2 and "available for screen, diff and audit only" in err
          and not os.path.exists(os.path.join(tmp, "a.xlsx")), "area -f xlsx refused (%s)" % err)


def test_diff_xlsx(tmp):
    """diff -f xlsx: 汇总 (total, groups), 转移矩阵 (square, totals) and 转移明细 (long form)
    read back with openpyxl against the JSON of the same run, in ha, zh and en; numeric
    cells; needs -o; without --by only 汇总."""
    import openpyxl
    old, new = "sample_shapes/eco.shp", "sample_shapes/eco_v2.gpkg"
    rc, js, _ = run("diff", "--by", "HXLX", "-f", "json", old, new)
    d = json.loads(js)
    fac = 10000.0

    def near(a, b_m2, what):
        check(isinstance(a, (int, float)) and abs(a - b_m2 / fac) <= 1e-9 * max(1, abs(a)),
              "diff xlsx %s: %r vs JSON %r m2" % (what, a, b_m2))
    for lang in ("zh", "en"):
        path = os.path.join(tmp, "diff_%s.xlsx" % lang)
        rcx, out, err = run("diff", "--by", "HXLX", "--units", "ha", "--lang", lang, "-f",
                            "xlsx", "-o", path, old, new)
        check(rcx == rc == 1 and out == "", "diff xlsx %s: exit 1 as the JSON (%s)" % (lang, err))
        wb = openpyxl.load_workbook(path)
        check(wb.sheetnames == ["汇总", "转移矩阵", "转移明细"], "diff xlsx sheets %s"
              % wb.sheetnames)
        rows = list(wb["汇总"].iter_rows(values_only=True))
        check(len(rows) == 2 + len(d["groups"]), "diff xlsx 汇总: header, total, groups")
        word = {"shrunk": "减少", "not_shrunk": "未减少"} if lang == "zh" else {}
        scopes = ["合计", "分组"] if lang == "zh" else ["total", "group"]
        want = [(scopes[0], None, d["old"]["features"], d["new"]["features"], d, d["verdict"])]
        want += [(scopes[1], g["key"], g["old_features"], g["new_features"], g,
                  "shrunk" if g["shrunk"] else "not_shrunk") for g in d["groups"]]
        for row, (sc, key, of, nf, fig, v) in zip(rows[1:], want):
            check(row[0] == sc and row[1] == key and row[2] == of and row[3] == nf
                  and row[9] == word.get(v, v), "diff xlsx 汇总 row %s" % (row,))
            for k, name in enumerate(["old_m2", "new_m2", "lost_m2", "gained_m2", "net_m2"]):
                near(row[4 + k], fig[name], "%s %s" % (key, name))
        check(rows[0][4] == ("原版面积(公顷)" if lang == "zh" else "old(ha)"),
              "diff xlsx header in %s (%s)" % (lang, rows[0][4]))
        m = list(wb["转移矩阵"].iter_rows(values_only=True))
        cells = {(t["from"], t["to"]): t["area_m2"] for t in d["transitions"]}
        none = "(无)" if lang == "zh" else "(none)"
        names = [None if c == none else c for c in m[0][1:-1]]
        check(len(m) == len(names) + 2 and m[-1][0] == ("合计" if lang == "zh" else "TOTAL"),
              "diff xlsx 转移矩阵: a row per OLD value and a total row")
        for row in m[1:-1]:
            f = None if row[0] == none else row[0]
            for j, t in enumerate(names):
                near(row[1 + j], cells.get((f, t), 0.0), "matrix %s -> %s" % (f, t))
            near(row[-1], sum(v for (a, _), v in cells.items() if a == f), "row total %s" % f)
        near(m[-1][-1], sum(cells.values()), "matrix total")
        long = list(wb["转移明细"].iter_rows(values_only=True))[1:]
        check(len(long) == len(d["transitions"]), "diff xlsx 转移明细: one row per transition")
        for row, t in zip(long, d["transitions"]):
            check((row[0], row[1]) == (t["from"] or none, t["to"] or none),
                  "diff xlsx 转移明细 %s" % (row,))
            near(row[2], t["area_m2"], "long %s -> %s" % (t["from"], t["to"]))
    path = os.path.join(tmp, "diff_plain.xlsx")
    run("diff", "-f", "xlsx", "-o", path, old, new)
    check(openpyxl.load_workbook(path).sheetnames == ["汇总"], "diff xlsx without --by: 汇总")
    rc, _, err = run("diff", "-f", "xlsx", old, new)
    check(rc == 2 and "needs -o FILE.xlsx" in err, "diff xlsx without -o refused (%s)" % err)


def test_audit_xlsx(tmp):
    """audit -f xlsx: the 汇总 sheet, one row per file (path, status, features, verdict
    counts, codes) read back with openpyxl against the JSON of the same run; needs -o."""
    import openpyxl
    folder = os.path.join(tmp, "xlsx_audit")
    os.mkdir(folder)
    for name in os.listdir(SAMPLES):
        if name.startswith("projects.") or name == "dltb.zip":
            shutil.copy(os.path.join(SAMPLES, name), folder)
    args = ["audit", *CONTROLS, "--id-field", "XMBH", folder]
    rc, js, _ = run(*args, "-f", "json")
    d = json.loads(js)
    for lang, words in (("zh", {"ok": "通过", "warn": "提示", "error": "错误"}), ("en", {})):
        path = os.path.join(tmp, "audit_%s.xlsx" % lang)
        rcx, out, err = run(*args, "--lang", lang, "-f", "xlsx", "-o", path)
        check(rcx == rc and out == "", "audit xlsx %s: the exit status of the JSON (%s)"
              % (lang, err))
        wb = openpyxl.load_workbook(path)
        rows = list(wb["汇总"].iter_rows(values_only=True))
        check(wb.sheetnames == ["汇总", "压占明细"] and len(rows) == 1 + len(d["files"]),
              "audit xlsx %s: 汇总 and 压占明细, one row per file (%s)" % (lang, wb.sheetnames))
        for row, f in zip(rows[1:], d["files"]):
            counts = [sum(1 for fp in f.get("footprints", []) if fp["verdict"] == v)
                      for v in ("pass", "warn", "conflict", "error")]
            codes = ";".join(sorted({p["code"] for p in f["problems"]}))
            check(row[0] == f["path"] and row[1] == words.get(f["status"], f["status"])
                  and row[2] == f["features"] and list(row[3:7]) == counts
                  and (row[7] or "") == codes,
                  "audit xlsx %s row %s = JSON (%s, %s, %s)" % (lang, row[:8], f["status"],
                                                                counts, codes))
        # 压占明细: one row per file x footprint x hit, in the JSON's order.
        ws = wb["压占明细"]
        hrows = list(ws.iter_rows(values_only=True))
        head = hrows[0]
        want = [(f["path"], fp["id"], c, h) for f in d["files"] for fp in f.get("footprints", [])
                for c, fc in fp["controls"].items() for h in fc["hits"]]
        check(len(want) >= 10 and len(hrows) - 1 == len(want),
              "audit xlsx %s 压占明细: one row per file x footprint x hit (%d, JSON %d)"
              % (lang, len(hrows) - 1, len(want)))
        check(head[:5] == (("文件", "编号", "管控图层", "管控图层名称", "要素FID") if lang == "zh"
                           else ("file", "id", "control", "control name", "feature FID"))
              and ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:%s%d" % (
                  openpyxl.utils.get_column_letter(len(head)), len(hrows))
              and ws.cell(row=2, column=6).number_format == "0.00"
              and (ws.column_dimensions["A"].width or 0) >= len("projects.shp"),
              "audit xlsx %s 压占明细: header, frozen, autofilter, format, widths (%s %s %s)"
              % (lang, head[:5], ws.freeze_panes, ws.auto_filter.ref))
        for row, (path, fid, c, h) in zip(hrows[1:], want):
            fp = next(x for f in d["files"] for x in f.get("footprints", [])
                      if f["path"] == path and x["id"] == fid)
            check(row[:5] == (path, fid, c, ZH.get(c, c) if lang == "zh" else
                              {"eco": "ecological protection red line",
                               "farmland": "permanent basic farmland",
                               "udb": "urban development boundary"}[c], h["fid"])
                  and isinstance(row[5], float) and abs(row[5] - h["overlap_m2"]) <= 1e-4
                  and abs(row[6] - 100 * h["overlap_m2"] / fp["area_m2"]) < 1e-3,
                  "audit xlsx %s hit row %s = JSON (%s %s %s #%d %.4f)"
                  % (lang, row[:7], path, fid, c, h["fid"], h["overlap_m2"]))
            attrs = {head[k]: row[k] for k in range(7, len(head)) if row[k] is not None}
            check(attrs == {k: v for k, v in h["attrs"].items() if v is not None},
                  "audit xlsx %s: %s %s %s #%d attributes" % (lang, path, fid, c, h["fid"]))
    rc, _, err = run(*args, "-f", "xlsx")
    check(rc == 2 and "needs -o FILE.xlsx" in err, "audit xlsx without -o refused (%s)" % err)


def numbers(text):
    """The figures of a report, in order: numbers not glued to a letter (m2, P06, EPSG:4527
    keeps 4527)."""
    return re.findall(r"(?<![A-Za-z\d.])-?\d+(?:\.\d+)?", text)


def display_width(line):
    """Columns a terminal gives the line: 2 for a wide (CJK) character."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_table_fits_80(tmp):
    """The default screen table fits an 80-column terminal with three controls, in en and
    zh and every unit, with the figures of --wide (the one-line-per-footprint layout,
    tests/expected/screen_sample_ha_wide.txt); zh has the figures of en; a repaired
    footprint is marked * with a footnote in both layouts."""
    for unit in ("m2", "ha", "mu", "km2"):
        outs = {}
        for lang in ("en", "zh"):
            for wide in ((), ("--wide",)):
                rc, out, err = run("screen", *CONTROLS, "--units", unit, "--lang", lang,
                                   *wide, *FPS)
                check(rc == 1, "table %s %s %s: exit 1 (%s)" % (unit, lang, wide, err))
                outs[lang, bool(wide)] = out
            long = [ln for ln in outs[lang, False].splitlines() if display_width(ln) > 80]
            check(not long, "table %s %s: every line of the default table <= 80 columns %s"
                  % (unit, lang, long[:2]))
            check(max(display_width(ln) for ln in outs[lang, True].splitlines()) > 100,
                  "table %s %s --wide: one long line per footprint" % (unit, lang))
            check(numbers(outs[lang, False]) == numbers(outs[lang, True]),
                  "table %s %s: the default table has the figures of --wide, in order"
                  % (unit, lang))
            for wide in (False, True):
                lines = outs[lang, wide].splitlines()
                check(any(ln.startswith("P06*") for ln in lines) and
                      sum("*" in ln.split()[0] for ln in lines if ln.startswith("P")) == 1 and
                      any(ln.startswith("* ") and ("已修复" if lang == "zh" else "repaired")
                          in ln for ln in lines),
                      "table %s %s wide=%s: P06 (repaired) marked * with a footnote"
                      % (unit, lang, wide))
        check(numbers(outs["zh", False]) == numbers(outs["en", False]) and
              numbers(outs["zh", True]) == numbers(outs["en", True]),
              "table %s: zh has the figures of en" % unit)
        zh_default = outs["zh", False]
        check("overlaps" not in zh_default and "control " not in zh_default
              and "压占生态保护红线" in zh_default and "管控图层 eco（生态保护红线；禁止压占，冲突）"
              in zh_default, "table %s zh: reasons and control lines in Chinese" % unit)
    # The 地类 section of --landuse (issue #16): 110 columns in its long form (--wide);
    # the default fits 80 with the same figures, for each --landuse-by level.
    for by in ("village", "town", "county"):
        for lang in ("en", "zh"):
            outs = {}
            for wide in ((), ("--wide",)):
                rc, out, err = run("screen", *CONTROLS, "--landuse", "sample_shapes/dltb.shp",
                                   "--landuse-by", by, "--lang", lang, *wide, *FPS)
                check(rc == 1, "landuse table %s %s %s: exit 1 (%s)" % (by, lang, wide, err))
                outs[bool(wide)] = out
            sect = {w: o[o.index("地类面积表"):] for w, o in outs.items()}
            long = [ln for ln in outs[False].splitlines() if display_width(ln) > 80]
            check(not long, "landuse table %s %s: every line of the default table <= 80 "
                  "columns %s" % (by, lang, long[:2]))
            check(max(display_width(ln) for ln in sect[True].splitlines()) > 80,
                  "landuse table %s %s --wide: the long form" % (by, lang))
            check(len(numbers(sect[False])) > 100 and
                  numbers(sect[False]) == numbers(sect[True]),
                  "landuse table %s %s: the default 地类 section has the figures of --wide, "
                  "in order" % (by, lang))


def test_repaired_marked(tmp):
    """A footprint whose geometry was repaired (the JSON's "repaired": true, P06 of the
    sample) is marked in every format: CSV column, HTML * with its footnote and a note in
    its section, xlsx column; no other footprint is."""
    import csv
    import openpyxl
    _, js, _ = run("screen", *CONTROLS, "-f", "json", *FPS)
    rep = [fp["id"] for fp in json.loads(js)["footprints"] if fp["repaired"]]
    check(rep == ["P06"], "repaired: the sample's P06 is repaired (%s)" % rep)
    for lang, yes, note in (("en", "yes", "* repaired:"), ("zh", "是", "* 已修复：")):
        _, out, _ = run("screen", *CONTROLS, "--lang", lang, "-f", "csv", *FPS)
        rows = list(csv.reader(out.lstrip("\ufeff").splitlines()))
        check([r[0] for r in rows[1:] if r[5] == yes] == rep,
              "repaired %s: CSV column 6 (%s)" % (lang, rows[0][5]))
        html = os.path.join(tmp, "rep_%s.html" % lang)
        run("screen", *CONTROLS, "--lang", lang, "-f", "html", "-o", html, *FPS)
        with open(html, encoding="utf-8") as f:
            raw = f.read()
        marked = re.findall(r'<tr data-id="([^"]*)"><td>[^<]*<sup class="repaired">\*</sup>', raw)
        check(marked == rep and ('<p class="note repaired">%s' % note) in raw and
              raw.count('<span class="repaired">') == len(rep),
              "repaired %s: HTML * on %s, footnote, a note in the section" % (lang, marked))
        # The footnote gives the reason: P06 is a bowtie (sample_shapes/README.md), which
        # GEOS (as PostGIS ST_IsValidReason) calls a self-intersection, with its point.
        why = re.compile(r"P06 ?[(（]Self-intersection\[\d+\.\d+ \d+\.\d+\][)）]")
        _, table, _ = run("screen", *CONTROLS, "--lang", lang, *FPS)
        check(why.search(" ".join(table.split()).replace("P06 （", "P06（")) is not None
              and why.search(raw) is not None,
              "repaired %s: table and HTML footnotes give GEOS's reason for P06" % lang)
        book = os.path.join(tmp, "rep_%s.xlsx" % lang)
        run("screen", *CONTROLS, "--lang", lang, "-f", "xlsx", "-o", book, *FPS)
        srows = list(openpyxl.load_workbook(book)["汇总"].iter_rows(values_only=True))
        check(srows[0][-1] == ("已修复" if lang == "zh" else "repaired") and
              [r[0] for r in srows[1:] if r[-1] == yes] == rep,
              "repaired %s: xlsx 汇总 last column (%s)" % (lang, srows[0][-1]))


def test_lang_zh_everywhere(tmp):
    """--lang zh reaches the rest of the human-facing text: diff's header lines, self-overlap,
    transitions and largest changes, --matrix-csv (against tests/expected), audit's header
    lines, the land-use and proximity columns of the CSV and the proximity section of the
    table; every figure as in --lang en."""
    old, new = "sample_shapes/eco.shp", "sample_shapes/eco_v2.gpkg"
    outs = {}
    for lang in ("zh", "en"):
        mpath = os.path.join(tmp, "matrix_%s.csv" % lang)
        rc, out, err = run("diff", "--by", "HXLX", "--units", "ha", "--lang", lang,
                           "--matrix-csv", mpath, old, new)
        with open(mpath, encoding="utf-8", newline="") as f:
            outs[lang] = (out, f.read())
    with open(os.path.join(SRC, "tests", "expected", "diff_matrix_by_HXLX_ha_lang_zh.csv"),
              encoding="utf-8", newline="") as f:
        check(outs["zh"][1] == f.read(), "diff_matrix_by_HXLX_ha_lang_zh.csv: --matrix-csv "
              "differs from tests/expected")
    check(numbers(outs["zh"][1]) == numbers(outs["en"][1]) and numbers(outs["zh"][1]) and
          outs["zh"][1].startswith("\ufeffHXLX (公顷) 原版 \\ 新版,") and "\n合计," in outs["zh"][1],
          "--matrix-csv zh: corner and total in Chinese, the figures of en")
    zt = outs["zh"][0]
    check(numbers(zt) == numbers(outs["en"][0]),
          "diff table zh: the figures of en, in order")
    for en_word in ("self-overlap", "transitions", "largest changes", "changed (", "old:",
                    "new:", "features", "tolerance", " at "):
        check(en_word not in zt, "diff table zh: no %r" % en_word)
    for zh_word in ("自重叠（数据质量）：原版", "转移矩阵（公顷）：行为原版，列为新版", "最大的变化（质心坐标，EPSG:4527）",
                    "性质改变（新旧值均已知）", "  原版：sample_shapes/eco.shp（5 个要素，EPSG:4527）"):
        check(zh_word in zt, "diff table zh: %s" % zh_word)
    # audit: the header lines of the table
    folder = os.path.join(tmp, "zh_audit")
    os.mkdir(folder)
    for name in os.listdir(SAMPLES):
        if name.startswith("projects."):
            shutil.copy(os.path.join(SAMPLES, name), folder)
    _, at, _ = run("audit", *CONTROLS, "--id-field", "XMBH", "--lang", "zh", folder)
    _, at_en, _ = run("audit", *CONTROLS, "--id-field", "XMBH", "--lang", "en", folder)
    check("：1 个矢量文件，跳过其他文件 0 个" in at and
          "  管控图层 udb（城镇开发边界；须位于其内，提示）：sample_shapes/udb.shp" in at and
          "\n问题：\n" in at and "control " not in at and "problems:" not in at,
          "audit table zh: header lines and the problems' title in Chinese")
    check(numbers(at) == numbers(at_en), "audit table zh: the figures of en")
    # screen CSV: land use and proximity columns; the table's proximity section
    for extra, heads in ((["--landuse", "sample_shapes/dltb.shp", "--units", "mu"],
                          ["地类_已覆盖_亩", "地类_农用地_亩", "地类_涉及村"]),
                         (["--near", "200", "--rings", "100,500"],
                          ["eco_距离_米", "eco_100米内_平方米"])):
        _, zc, _ = run("screen", "--eco", "sample_shapes/eco.shp", *extra, "--lang", "zh",
                       "-f", "csv", *FPS)
        _, ec, _ = run("screen", "--eco", "sample_shapes/eco.shp", *extra, "--lang", "en",
                       "-f", "csv", *FPS)
        head = zc.lstrip("\ufeff").split("\r\n")[0]
        check(all(h in head.split(",") for h in heads) and "landuse_" not in head and
              "distance" not in head, "screen CSV zh %s: headers %s" % (extra[0], heads))
        check(numbers(zc.split("\r\n", 1)[1]) == numbers(ec.split("\r\n", 1)[1]),
              "screen CSV zh %s: the figures of en" % extra[0])
    _, zt, _ = run("screen", "--eco", "sample_shapes/eco.shp", "--near", "200", "--rings",
                   "100,500", "--lang", "zh", *FPS)
    _, et, _ = run("screen", "--eco", "sample_shapes/eco.shp", "--near", "200", "--rings",
                   "100,500", "--lang", "en", *FPS)
    check("邻近（到最近管控要素的大地线距离，200 米以内；各缓冲环内的管控面积）：" in zt and
          "P06 eco：0.0 米；100 米内 " in zt and "within" not in zt and
          numbers(zt) == numbers(et), "screen table zh: the proximity section, figures of en")


def test_xlsx_libreoffice(tmp):
    """The workbooks of screen (with 地类), diff (--by) and audit open in LibreOffice: each
    sheet converted to CSV by `soffice --headless` (a private profile, a time limit) has the
    cells openpyxl reads, text as text (0101 keeps its zero), numbers to 15 digits."""
    import csv
    import openpyxl
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        check(False, "LibreOffice (soffice) is not installed: run scripts/deps.sh "
              "(it installs libreoffice-calc-nogui)")
        return
    lo = os.path.join(tmp, "lo")
    os.mkdir(lo)
    folder = os.path.join(lo, "delivery")
    os.mkdir(folder)
    for name in os.listdir(SAMPLES):
        if name.startswith("projects."):
            shutil.copy(os.path.join(SAMPLES, name), folder)
    books = {
        "screen": ["screen", *CONTROLS, "--landuse", "sample_shapes/dltb.shp", "--units", "ha",
                   *FPS],
        "diff": ["diff", "--by", "HXLX", "sample_shapes/eco.shp", "sample_shapes/eco_v2.gpkg"],
        "audit": ["audit", *CONTROLS, "--id-field", "XMBH", folder],
    }
    paths = []
    for name, args in books.items():
        path = os.path.join(lo, name + ".xlsx")
        rc, _, err = run(*args, "--lang", "zh", "-f", "xlsx", "-o", path)
        check(rc in (0, 1) and os.path.exists(path), "lo: %s workbook written (%s)" % (name, err))
        paths.append(path)
    out = os.path.join(lo, "csv")
    # Filter options: comma, double quote, UTF-8, ..., the last one -1: every sheet to
    # its own NAME-SHEET.csv.
    cmd = [soffice, "-env:UserInstallation=file://" + os.path.join(lo, "profile"),
           "--headless", "--norestore", "--convert-to",
           "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
           "--outdir", out] + paths
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        check(False, "lo: soffice --convert-to finished within 300 s")
        return
    check(p.returncode == 0, "lo: soffice exit %d (%s)" % (p.returncode, p.stderr[-300:]))
    for path in paths:
        base = os.path.splitext(os.path.basename(path))[0]
        wb = openpyxl.load_workbook(path)
        check(len(wb.sheetnames) >= 2, "lo: %s has its sheets (%s)" % (base, wb.sheetnames))
        for sheet in wb.sheetnames:
            conv = os.path.join(out, "%s-%s.csv" % (base, sheet))
            if not os.path.exists(conv):
                check(False, "lo: LibreOffice wrote no CSV of %s sheet %s" % (base, sheet))
                continue
            with open(conv, encoding="utf-8", newline="") as f:
                got = list(csv.reader(f))
            want = list(wb[sheet].iter_rows(values_only=True))
            bad = []
            if len(got) != len(want):
                bad.append("%d rows, openpyxl %d" % (len(got), len(want)))
            for r, (g, w) in enumerate(zip(got, want)):
                g = g + [""] * (len(w) - len(g))
                for c, (gv, wv) in enumerate(zip(g, w)):
                    if isinstance(wv, (int, float)):
                        try:
                            ok = abs(float(gv) - wv) <= 1e-12 * max(1.0, abs(wv))
                        except ValueError:
                            ok = False
                    else:
                        ok = gv == ("" if wv is None else wv)
                    if not ok:
                        bad.append("row %d col %d: %r, openpyxl %r" % (r + 1, c + 1, gv, wv))
            check(not bad and len(want) > 1, "lo: %s %s: %d rows, every cell as openpyxl reads "
                  "it %s" % (base, sheet, len(want), bad[:3]))


def test_diff_html(tmp):
    """diff -f html: the sentences and group table against the JSON, one path per piece of
    --pieces in each group's map (with --by: the transitions' pieces from or to the
    group's value) and all of them in the overview, in Chromium too."""
    args = ["diff", "--by", "HXLX", "sample_shapes/eco.shp", "sample_shapes/eco_v2.gpkg"]
    rcj, js, _ = run(*args, "-f", "json", "--pieces", os.path.join(tmp, "dp.geojson"))
    d = json.loads(js)
    with open(os.path.join(tmp, "dp.geojson"), encoding="utf-8") as f:
        pieces = [ft["properties"] for ft in json.load(f)["features"]]
    for lang in ("zh", "en"):
        out = os.path.join(tmp, "d_%s.html" % lang)
        rc, _, err = run(*args, "--units", "ha", "--lang", lang, "-f", "html", "-o", out)
        check(rc == rcj == 1, "diff html %s: exit %d as json %d (%s)" % (lang, rc, rcj, err))
        with open(out, encoding="utf-8") as f:
            raw = f.read()
        zh = lang == "zh"

        def said(g):
            f4 = lambda m2: "%.4f" % (m2 / 10000.0)  # noqa: E731
            if zh:
                return ("原版面积 %s 公顷，新版面积 %s 公顷；减少 %s 公顷，新增 %s 公顷，净变化 %s 公顷，%s"
                        % (f4(g["old_m2"]), f4(g["new_m2"]), f4(g["lost_m2"]),
                           f4(g["gained_m2"]), f4(g["net_m2"]),
                           "面积减少。" if g.get("shrunk", d["verdict"] == "shrunk")
                           else "面积未减少。"))
            return ("The old version covers %s ha and the new version %s ha; the new version "
                    "lost %s ha and gained %s ha, a net change of %s ha: the area has %s."
                    % (f4(g["old_m2"]), f4(g["new_m2"]), f4(g["lost_m2"]), f4(g["gained_m2"]),
                       f4(g["net_m2"]), "shrunk" if g.get("shrunk", d["verdict"] == "shrunk")
                       else "not shrunk"))
        for where, text in (("raw", raw), ("chromium", None)):
            if text is None:
                p = chromium("--dump-dom", "file://" + out)
                if p is None:
                    check(False, "chromium is installed")
                    continue
                text = p.stdout.decode("utf-8")
                check(not console_lines(p), "diff html: no console message")
            page = parse(text)
            st = [page.elems[i]["text"] for i in page.find("p", "statement")]
            check(st and st[0] == said(d), "diff html %s %s: total sentence\n   got  %s\n"
                  "   want %s" % (lang, where, st[0] if st else None, said(d)))
            secs = page.find("section", "group")
            keys = [page.elems[i]["attrs"]["data-key"] for i in secs]
            check(keys == [g["key"] for g in d["groups"]], "diff html: a section per group")
            for i, g in zip(secs, d["groups"]):
                gst = [page.elems[j]["text"] for j in page.find("p", "statement", inside=i)]
                check(gst == [said(g)], "diff html %s: %s sentence %s" % (lang, g["key"], gst))
                got = sorted(page.elems[j]["attrs"]["data-change"]
                             for j in page.find("path", "piece", inside=i))
                # With --by the pieces are the transitions': from one value to another.
                want = sorted(p["change"] for p in pieces
                              if g["key"] in (p.get("grp"), p.get("from"), p.get("to")))
                check(got == want, "diff html %s: %s pieces %s, --pieces %s"
                      % (lang, g["key"], got, want))
            summ = page.find("section", "summary")
            allp = page.find("path", "piece", inside=summ[0]) if summ else []
            check(len(allp) == len(pieces), "diff html: the overview has every piece (%d, %d)"
                  % (len(allp), len(pieces)))
            rows = [r for r in page.find("tr") if "data-key" in page.elems[r]["attrs"]]
            check(len(rows) == len(d["groups"]) + 1, "diff html: group table rows + total")
    rc, _, err = run("area", "sample_shapes/eco.shp", "-f", "html")
    check(rc == 2 and "available for screen, diff and audit only" in err, "area -f html refused")


def test_audit_html(tmp):
    """audit -f html: one row per file with its status and problems, as in the JSON; the
    --report-dir index links each file's detail report, which exists."""
    fx = os.path.join(tmp, "delivery")
    os.makedirs(os.path.join(fx, "sub"))
    for ext in ("shp", "shx", "dbf", "prj", "cpg"):
        shutil.copy(os.path.join(SAMPLES, "projects." + ext), os.path.join(fx, "a." + ext))
        if ext != "prj":  # missing_prj
            shutil.copy(os.path.join(SAMPLES, "projects." + ext),
                        os.path.join(fx, "sub", "<b>x\"'." + ext))
    with open(os.path.join(fx, "broken.geojson"), "w") as f:
        f.write("{not json")
    before = digest(fx)
    rd = os.path.join(tmp, "audit_report")
    ctl = ["--eco", os.path.join(SAMPLES, "eco.shp")]
    rcj, js, _ = run("audit", *ctl, "-f", "json", "-q", fx)
    files = json.loads(js)["files"]
    out = os.path.join(tmp, "audit.html")
    rc, _, err = run("audit", *ctl, "-f", "html", "--lang", "zh", "-q", "--report-dir", rd,
                     "-o", out, fx)
    check(rc == rcj and rc == 2, "audit html: exit %d as json %d (%s)" % (rc, rcj, err))
    check(digest(fx) == before, "audit html: the delivery is unchanged")
    for path in (out, os.path.join(rd, "index.html")):
        with open(path, encoding="utf-8") as f:
            page = parse(f.read())
        rows = page.find("tr", "file")
        got = [(page.elems[r]["text"], page.elems[r]["attrs"]["data-status"]) for r in rows]
        check(len(rows) == len(files) and all(
            t.startswith(f["path"]) and s == f["status"] for (t, s), f in zip(got, files)),
            "audit html: a row per file, status as JSON (%s)" % got)
        for r, f in zip(rows, files):
            for p in f["problems"]:
                check(p["code"] in page.elems[r]["text"], "audit html: %s lists %s"
                      % (f["path"], p["code"]))
        links = [page.elems[a]["attrs"]["href"] for a in page.find("a")]
        base = os.path.dirname(path)
        check(len(links) == len(files) and all(
            os.path.exists(os.path.join(base, h)) for h in links),
            "audit html %s: each file links its report (%s)" % (os.path.basename(path),
                                                                links[:2]))
        check(not page.find("b") and not page.find("script"), "audit html: names are text")
    p = chromium("--dump-dom", "file://" + out)
    check(p is not None and not console_lines(p), "audit html: no console message")


def run_pty(*args):
    """redline with stderr on a terminal (a pty): exit status, stdout, stderr bytes."""
    import pty
    import select
    m, sl = pty.openpty()
    p = subprocess.Popen([REDLINE] + list(args), stdout=subprocess.PIPE, stderr=sl, cwd=SRC)
    os.close(sl)
    err = b""
    while True:
        r, _, _ = select.select([m], [], [], 0.5)
        if r:
            try:
                chunk = os.read(m, 4096)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
        elif p.poll() is not None:
            break
    out = p.stdout.read()
    p.wait()
    os.close(m)
    return p.returncode, out.decode("utf-8"), err


def test_screen_progress(tmp):
    """screen shows progress on a terminal (overlays done of footprints x controls, then
    the line is cleared); not with --quiet, not when stderr is not a terminal."""
    args = ["screen", *CONTROLS, "-f", "json", *FPS]
    rc, out, err = run_pty(*args)
    rc2, out2, err2 = run(*args)
    total = 3 * 10
    check(rc == rc2 and out == out2, "progress: the report is the same on a terminal")
    check(re.search(rb"\[\d+/%d\] \d\d:\d\d elapsed" % total, err) is not None,
          "progress: [done/%d] with the time on a terminal (%r)" % (total, err[:80]))
    check(err.endswith(b"\r\x1b[K"), "progress: the line is cleared at the end (%r)"
          % err[-20:])
    check(err2 == "", "progress: nothing when stderr is not a terminal (%r)" % err2[:80])
    rc, _, err = run_pty(*args[:-3], "-q", *FPS)
    check(err == b"", "progress: nothing with --quiet (%r)" % err[:80])


def test_diff_area_progress(tmp):
    """diff and area show progress on a terminal (cells of the tiled overlay done, then
    the line is cleared), with the same stdout byte for byte; nothing with --quiet or
    when stderr is not a terminal.  Small layers are one cell: [1/1]."""
    for args in (["diff", "--by", "HXLX", "-f", "json", "sample_shapes/eco.shp",
                  "sample_shapes/eco_v2.gpkg"],
                 ["area", "--by", "HXLX", "-f", "json", "sample_shapes/eco.shp"]):
        rc, out, err = run_pty(*args)
        rc2, out2, err2 = run(*args)
        what = "progress (%s)" % args[0]
        # diff exits 1: eco_v2 has shrunk
        check(rc == rc2 == (1 if args[0] == "diff" else 0) and out == out2
              and out.startswith("{"), what + ": the same exit and report on a terminal")
        check(re.search(rb"\[1/1\] \d\d:\d\d elapsed, ~\d\d:\d\d left  cells", err)
              is not None, what + ": [1/1] with the time on a terminal (%r)" % err[:80])
        check(err.endswith(b"\r\x1b[K"), what + ": the line is cleared at the end (%r)"
              % err[-20:])
        check(err2 == "", what + ": nothing when stderr is not a terminal (%r)" % err2[:80])
        rc, out3, err = run_pty(*args[:1], "-q", *args[1:])
        check(err == b"" and out3 == out, what + ": nothing with --quiet (%r)" % err[:80])


def chromium(*args, timeout=120):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        return None
    p = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu",
                        "--no-first-run", "--enable-logging=stderr", "--v=0"] + list(args),
                       capture_output=True, timeout=timeout)
    return p


def console_lines(p):
    return [ln for ln in p.stderr.decode("utf-8", "replace").splitlines() if ":CONSOLE" in ln]


def test_in_chromium(tmp):
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        check(False, "chromium is installed (apt-get install chromium; .ci/run does)")
        return
    _, js_text, _ = run("screen", *CONTROLS, "-f", "json", *FPS)
    js = json.loads(js_text)
    out = os.path.join(tmp, "c_en.html")
    run("screen", *CONTROLS, "--units", "ha", "--lang", "en", "-f", "html", "-o", out, *FPS)
    url = "file://" + out
    p = chromium("--dump-dom", url)
    dom = p.stdout.decode("utf-8")
    check_page(parse(dom), js, "ha", False, "chromium DOM")
    check(not console_lines(p), "chromium: no console message (%s)" % console_lines(p)[:2])
    # The console check can fail: a page whose script the CSP blocks logs one.
    bad = os.path.join(tmp, "bad.html")
    with open(bad, "w") as f:
        f.write("<!DOCTYPE html><meta http-equiv=\"Content-Security-Policy\" "
                "content=\"default-src 'none'\"><p>x</p><script>console.log(1)</script>")
    check(console_lines(chromium("--dump-dom", "file://" + bad)),
          "chromium: a blocked script does log a console message")

    # Print to PDF (A4 from the page's @page rule).
    pdf = os.path.join(tmp, "c_en.pdf")
    chromium("--print-to-pdf=" + pdf, "--no-pdf-header-footer", url)
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1)) if "Pages:" in info else -1
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
    check(size and abs(float(size.group(1)) - 595.3) < 2 and abs(float(size.group(2)) -
                                                                  841.9) < 2,
          "PDF pages are A4 portrait (%s)" % (size.group(0) if size else info))
    n = len(js["footprints"])
    check(pages == n + 2, "PDF: header+summary, overview, one page per footprint: %d pages "
          "for %d footprints" % (pages, n))
    texts = []
    for k in range(1, max(pages, 0) + 1):
        texts.append(subprocess.run(["pdftotext", "-layout", "-f", str(k), "-l", str(k), pdf,
                                     "-"], capture_output=True, text=True).stdout)
    for fp in js["footprints"]:
        head = re.compile(r"^\s*%s\s+%s\s*$" % (re.escape(fp["id"]), fp["verdict"]), re.M)
        where = [k for k, t in enumerate(texts) if head.search(t)]
        ok = len(where) == 1
        if ok:
            t = texts[where[0]]
            ok = "project land" in t and "Plane:" in t and re.search(r"^\s*N\s*$", t, re.M)
        check(ok, "PDF: %s's heading, north arrow, legend and caption on one page (pages %s)"
              % (fp["id"], [w + 1 for w in where]))

    # Screenshot of the maps alone, laid out in a known grid: none is blank.
    grid = os.path.join(tmp, "grid.html")
    with open(out, encoding="utf-8") as f:
        page = f.read()
    style = ("<style>body{margin:0;padding:0;max-width:none}body>*{display:none}"
             "body>section.footprint{display:block;float:left;width:320px;height:235px;"
             "margin:0;padding:0;overflow:hidden}section.footprint>*{display:none}"
             "section.footprint>figure{display:block;margin:0}"
             "figure>figcaption{display:none}svg.map{width:320px;height:235px}</style>")
    with open(grid, "w", encoding="utf-8") as f:
        f.write(page.replace("</head>", style + "</head>"))
    png = os.path.join(tmp, "grid.png")
    rows = (n + 1) // 2
    chromium("--screenshot=" + png, "--window-size=640,%d" % (rows * 235),
             "--hide-scrollbars", "file://" + grid)
    img = Image.open(png).convert("RGB")
    for i, fp in enumerate(js["footprints"]):
        x0, y0 = (i % 2) * 320, (i // 2) * 235
        box = img.crop((x0 + 20, y0 + 6, x0 + 310, y0 + 200))
        px = list(box.getdata())
        drawn = sum(1 for c in px if min(c) < 235)
        check(drawn > 0.02 * len(px), "screenshot: %s's map is drawn (%d of %d pixels)"
              % (fp["id"], drawn, len(px)))
        for name, fc in fp["controls"].items():
            if not fc["hits"] or name not in COLOURS:
                continue
            r, g, b = COLOURS[name]
            # The piece colour at 60% over white (fill-opacity .6), give or take.
            want = tuple(round(0.6 * v + 0.4 * 255) for v in (r, g, b))
            near = sum(1 for c in px if all(abs(c[j] - want[j]) < 40 for j in range(3)))
            check(near > 0, "screenshot: %s's map shows the %s pieces" % (fp["id"], name))


def test_hostile_text(tmp):
    evil = ['</script><script>alert(1)</script>', '<img src=x onerror=alert(2)>',
            '"quoted" \'single\' & <b>bold</b>', '生态红线 </svg><svg onload=alert(3)>']
    ctl = os.path.join(tmp, "evil.geojson")
    feats = []
    for k, t in enumerate(evil):
        x = 39515000 + 300 * k
        feats.append({"type": "Feature", "properties": {"HXMC": t, "NOTE": t},
                      "geometry": {"type": "Polygon", "coordinates": [[
                          [x, 4415000], [x + 250, 4415000], [x + 250, 4415250],
                          [x, 4415250], [x, 4415000]]]}})
    with open(ctl, "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "crs": {"type": "name", "properties": {
            "name": "urn:ogc:def:crs:EPSG::4527"}}, "features": feats}, f, ensure_ascii=False)
    fp = os.path.join(tmp, "evil_fp.geojson")
    with open(fp, "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "crs": {"type": "name", "properties": {
            "name": "urn:ogc:def:crs:EPSG::4527"}}, "features": [{
                "type": "Feature", "properties": {"XMBH": '"><script>alert(4)</script>'},
                "geometry": {"type": "Polygon", "coordinates": [[
                    [39514900, 4415100], [39516200, 4415100], [39516200, 4415150],
                    [39514900, 4415150], [39514900, 4415100]]]}}]}, f, ensure_ascii=False)
    # The same control as a GBK shapefile (.cpg GBK): the text decodes, then is escaped.
    shp = os.path.join(tmp, "evil_gbk.shp")
    subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", "-lco", "ENCODING=GBK", shp, ctl],
                   check=True, capture_output=True)
    before = digest(tmp)
    out = os.path.join(tmp, "..", os.path.basename(tmp) + "_evil.html")
    rc, _, err = run("screen", "--control", "evil:forbid=" + ctl,
                     "--control", "gbk:report=" + shp, "--id-field", "XMBH",
                     "-f", "html", "--lang", "zh", "-o", out, fp)
    check(rc == 1, "hostile text: screened (exit %d, %s)" % (rc, err))
    with open(out, encoding="utf-8") as f:
        raw = f.read()
    os.remove(out)
    check(digest(tmp) == before, "hostile text: inputs unchanged")
    for where, text in (("raw", raw), ("chromium", None)):
        if text is None:
            with open(os.path.join(tmp, "evil_copy.html"), "w", encoding="utf-8") as f:
                f.write(raw)
            p = chromium("--dump-dom", "file://" + os.path.join(tmp, "evil_copy.html"))
            if p is None:
                check(False, "chromium is installed")
                continue
            text = p.stdout.decode("utf-8")
            check(not console_lines(p), "hostile text: no console message (%s)"
                  % console_lines(p)[:1])
        page = parse(text)
        for tag in ("script", "img", "b"):
            check(not page.find(tag), "hostile text (%s): no live <%s>" % (where, tag))
        check(len(page.find("svg")) == 2, "hostile text (%s): only the two maps are svg"
              % where)
        for e in page.elems:
            for a in e["attrs"]:
                check(not a.startswith("on"), "hostile text (%s): no %s= on <%s>"
                      % (where, a, e["tag"]))
        secs = sections(page)
        check(len(secs) == 1 and page.elems[secs[0]]["attrs"].get("data-id") ==
              '"><script>alert(4)</script>', "hostile text (%s): the id is kept as text"
              % where)
        hits = page.find("table", "hits")
        body = page.elems[hits[0]]["text"] if hits else ""
        for t in evil:
            check(body.count("HXMC=" + t) == 2,
                  "hostile text (%s): %r shown as text for both controls" % (where, t))


def main():
    tmp = tempfile.mkdtemp(prefix="rlreport.")
    before = digest(SAMPLES)
    try:
        test_html_sentences_and_maps(tmp)
        test_html_landuse_sentence(tmp)
        test_html_rules(tmp)
        test_lang_default_and_chinese_names(tmp)
        test_lang_table_csv_json(tmp)
        test_table_fits_80(tmp)
        test_repaired_marked(tmp)
        test_lang_zh_everywhere(tmp)
        test_lang_diff_area(tmp)
        test_lang_audit(tmp)
        test_lonlat_map_not_squashed(tmp)
        test_xlsx(tmp)
        test_diff_xlsx(tmp)
        test_audit_xlsx(tmp)
        test_xlsx_libreoffice(tmp)
        test_diff_html(tmp)
        test_audit_html(tmp)
        test_screen_progress(tmp)
        test_diff_area_progress(tmp)
        test_in_chromium(tmp)
        hostile = os.path.join(tmp, "hostile")
        os.mkdir(hostile)
        test_hostile_text(hostile)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    check(digest(SAMPLES) == before, "sample_shapes/ is byte-identical after all runs")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
