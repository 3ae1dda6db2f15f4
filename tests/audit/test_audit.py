#!/usr/bin/env python3
"""`redline audit` on a generated messy delivery folder (make_fixture.py):
statuses and problem codes, figures equal to `redline screen`'s, crash
isolation, --jobs, --report-dir, and a byte-identical folder afterwards.
Usage: test_audit.py REDLINE SRCDIR"""
import csv
import hashlib
import io
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import zipfile

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
    check(names == ["files", "index.html", "summary.csv", "summary.json", "summary.txt"],
          "report dir: %s" % names)
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
    test_lang_zh(tmp, fx, controls)
    # Nothing under the folder changed: bytes, mtimes, no new files.
    check(digest(fx) == before, "delivery folder byte-identical afterwards")
    test_fifo_zip(tmp)
    test_fifo_sidecar(tmp)
    test_link_loops(tmp)
    test_children_die_with_parent(tmp)
    test_zip_members(tmp)
    test_long_path(tmp)
    test_bad_prj(tmp)
    test_truncated(tmp)
    test_report_dir_reuse(tmp, fx, len(EXPECT))
    test_forged_names(tmp)
    test_small_file_cost(tmp)
    shutil.rmtree(tmp, ignore_errors=True)
    return summary()


def english_words(text):
    """Runs of two or more lowercase Latin words outside “quoted” reason text
    (GDAL's, GEOS's or the system's own words, kept as given)."""
    bare = re.sub(r"“[^”]*”", "", text)
    return re.findall(r"[a-z]{2,}(?: [a-z]{2,})+", bare)


def test_lang_zh(tmp, fx, controls):
    """--lang zh (issue #16): audit's problem text (table, CSV) and an error
    footprint's message are Chinese, GDAL's reasons quoted; the JSON stays English;
    codes and figures are en's."""
    outs = {}
    for lang in ("en", "zh"):
        for fmt in ("table", "csv", "json"):
            code, out, err = run("audit", *controls, "--lang", lang, "-f", fmt, fx)
            check(code == 2, "audit --lang %s -f %s: exit 2 (%s)" % (lang, fmt, err))
            outs[lang, fmt] = out
    check(outs["zh", "json"] == outs["en", "json"], "--lang zh: the JSON is en's, byte for byte")
    # Table: the problem lines after 问题：, one per problem, as many as en's.
    en_lines = outs["en", "table"].split("\nproblems:\n")[1].split("\n\n")[0].splitlines()
    zh_lines = outs["zh", "table"].split("\n问题：\n")[1].split("\n\n")[0].splitlines()
    check(len(zh_lines) == len(en_lines) > 15, "zh table: %d problem lines, en %d"
          % (len(zh_lines), len(en_lines)))
    nums = lambda t: re.findall(r"(?<![A-Za-z\d.])-?\d+(?:\.\d+)?", t)
    for e, z in zip(en_lines, zh_lines):
        path = e.split(": ")[0]
        check(z.startswith(path + "："), "zh problem line names the file: %s" % z)
        words = english_words(z[len(path):])
        check(not words, "zh problem line has no English sentence: %s %s" % (z, words))
        check(nums(z[len(path):]) == nums(e[len(path):]),
              "zh problem line has en's figures: %s | %s" % (z, e))
    check(any("“file is not a database”" in z for z in zh_lines),
          "zh: GDAL's own reason kept, quoted")
    # The file table: the lines after its header, to the blank line.
    tab = lambda out, head: [ln.split()[1:] for ln in
                             out.split("\n" + head)[1].split("\n\n")[0].splitlines()[1:]]
    en_rows, zh_rows = tab(outs["en", "table"], "FILE "), tab(outs["zh", "table"], "文件 ")
    check(len(en_rows) == len(EXPECT) and [r[1:] for r in zh_rows] == [r[1:] for r in en_rows],
          "zh table: the counts and codes of en, file by file")
    # CSV: same codes and counts; the problems column without English sentences.
    en_csv = list(csv.reader(outs["en", "csv"].lstrip("\ufeff").splitlines()))
    zh_csv = list(csv.reader(outs["zh", "csv"].lstrip("\ufeff").splitlines()))
    check([r[:1] + r[2:8] for r in zh_csv[1:]] == [r[:1] + r[2:8] for r in en_csv[1:]],
          "zh CSV: the paths, counts and codes of en")
    bad = [(r[0], english_words(r[8].replace(r[0], ""))) for r in zh_csv[1:]]
    bad = [b for b in bad if b[1]]
    check(not bad and any(r[8] for r in zh_csv[1:]),
          "zh CSV: no English sentence in the problems column %s" % bad[:2])
    # An error footprint (null geometry): its message in Chinese in the table.
    ng = os.path.join(fx, "broken", "nullgeom.geojson")
    code, out, _ = run("screen", controls[0], controls[1], "--lang", "zh", "-f", "csv", ng)
    cells = [c for r in csv.reader(out.lstrip("\ufeff").splitlines()) for c in r
             if "要素 1：" in c]
    check(code == 2 and cells == [ng + "：要素 1：几何为空（null）"],
          "zh: an error footprint's message in Chinese: %s" % cells)
    code, out, _ = run("screen", controls[0], controls[1], "--lang", "en", "-f", "csv", ng)
    check(code == 2 and ng + ": feature 1: null geometry" in out,
          "en: the same footprint's message in English")


# ---- issue 12: audit never hangs, leaves nothing out, cannot be forged ----

def run_t(*args, timeout=60, env=None):
    """(exit status, stdout, stderr) of redline ARGS, or (None, '', 'timeout')
    when it runs over `timeout`: the whole process group is then killed, so a
    hung run fails its test instead of the suite."""
    p = subprocess.Popen([REDLINE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        return None, "", "timeout after %d s" % timeout
    return p.returncode, out.decode("utf-8"), err.decode("utf-8")


def safe_digest(root):
    """sha256 of every regular file under root and the kind of everything
    else, found through directory descriptors (paths may be longer than
    PATH_MAX) without following links or opening FIFOs."""
    out = {}
    for d, dirs, files, dfd in os.fwalk(root, follow_symlinks=False):
        for name in files + dirs:
            st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
            rel = os.path.join(os.path.relpath(d, root), name)
            if stat.S_ISREG(st.st_mode):
                fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dfd)
                with os.fdopen(fd, "rb") as fh:
                    out[rel] = (hashlib.sha256(fh.read()).hexdigest(), st.st_mtime_ns)
            elif stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(name, dir_fd=dfd))
            else:
                out[rel] = (stat.S_IFMT(st.st_mode), st.st_mtime_ns)
    return out


def copy_sample(name, dest, parts=("shp", "shx", "dbf", "prj", "cpg")):
    for ext in parts:
        shutil.copy(os.path.join(SAMPLES, name + "." + ext), dest + "." + ext)


def by_path(out):
    return {f["path"]: f for f in json.loads(out)["files"]}


def codes(f):
    return [p["code"] for p in f.get("problems", [])]


def test_fifo_zip(tmp):
    """A FIFO named evil.zip blocked the parent for good."""
    d = os.path.join(tmp, "fifozip")
    os.makedirs(d)
    shutil.copy(os.path.join(SAMPLES, "projects_4490.geojson"), os.path.join(d, "good.geojson"))
    os.mkfifo(os.path.join(d, "evil.zip"))
    os.mkfifo(os.path.join(d, "x.geojson"))
    os.mkfifo(os.path.join(d, "notes.txt"))
    before = safe_digest(d)
    code, out, err = run_t("audit", "-f", "json", d, timeout=30)
    check(code == 2, "FIFO evil.zip: exit 2, no hang (got %s: %s)" % (code, err))
    if code is None:
        return
    f = by_path(out)
    check(sorted(f) == ["evil.zip", "good.geojson", "notes.txt", "x.geojson"],
          "FIFOs listed: %s" % sorted(f))
    for name, status in (("evil.zip", "error"), ("x.geojson", "error"), ("notes.txt", "warn")):
        g = f.get(name, {"problems": [], "status": None})
        check(codes(g) == ["not_regular_file"] and g["status"] == status and
              g["problems"][0]["message"] == name + ": is a FIFO (named pipe), not a "
              "regular file: not opened",
              "%s: not_regular_file %s: %s" % (name, status, g["problems"]))
    check(f.get("good.geojson", {}).get("status") == "ok" and
          f["good.geojson"]["features"] == 3, "the good file beside them is audited")
    check(safe_digest(d) == before, "FIFO folder unchanged")


def test_fifo_sidecar(tmp):
    """A FIFO named projects.cpg blocked the worker until its 15-minute alarm."""
    d = os.path.join(tmp, "fifocpg")
    os.makedirs(d)
    copy_sample("projects", os.path.join(d, "projects"), ("shp", "shx", "dbf", "prj"))
    os.mkfifo(os.path.join(d, "projects.cpg"))
    copy_sample("projects", os.path.join(d, "other"))
    before = safe_digest(d)
    code, out, err = run_t("audit", "-f", "json", d, timeout=30)
    check(code == 2, "FIFO sidecar: exit 2, no hang (got %s: %s)" % (code, err))
    if code is None:
        return
    f = by_path(out)
    g = f.get("projects.shp", {"problems": [], "status": None})
    check(g["status"] == "error" and codes(g) == ["not_regular_file"] and
          g["problems"][0]["message"] == "projects.shp: its part projects.cpg is not a "
          "regular file (a FIFO, socket or device): not opened",
          "FIFO .cpg is a problem of its shapefile: %s" % g["problems"])
    check(f.get("other.shp", {}).get("features") == 10, "the other shapefile is audited")
    check(safe_digest(d) == before, "FIFO sidecar folder unchanged")


def test_link_loops(tmp):
    """Links a -> . and b -> . made the walk exponential."""
    d = os.path.join(tmp, "loops")
    os.makedirs(os.path.join(d, "sub", "deep"))
    copy_sample("projects", os.path.join(d, "sub", "deep", "projects"))
    os.symlink(".", os.path.join(d, "a"))
    os.symlink(".", os.path.join(d, "b"))
    os.symlink("..", os.path.join(d, "sub", "deep", "up"))
    os.symlink("sub/deep", os.path.join(d, "z_link"))
    shutil.copy(os.path.join(SAMPLES, "projects_4490.geojson"), os.path.join(d, "sub", "p.geojson"))
    os.link(os.path.join(d, "sub", "p.geojson"), os.path.join(d, "hard.geojson"))
    before = safe_digest(d)
    code, out, err = run_t("audit", "-f", "json", d, timeout=30)
    check(code == 0, "link loops: exit 0, no blow-up (got %s: %s)" % (code, err))
    if code is None:
        return
    f = by_path(out)
    want = {"a": "link_loop", "b": "link_loop", "sub/deep/up": "link_loop",
            "z_link": "duplicate_path", "sub/p.geojson": "duplicate_path"}
    check(sorted(f) == sorted(list(want) + ["hard.geojson", "sub/deep/projects.shp"]),
          "each path once: %s" % sorted(f))
    for path, code_ in want.items():
        g = f.get(path, {"problems": [], "status": None})
        check(codes(g) == [code_] and g["status"] == "warn", "%s: %s: %s" % (path, code_, g))
    check(f.get("a", {"problems": [{}]})["problems"][0].get("message") ==
          "a: leads back to the audited folder: not followed", "loop message")
    check(f.get("sub/deep/up", {"problems": [{}]})["problems"][0].get("message") ==
          "sub/deep/up: leads back to sub, which encloses it: not followed",
          "inner loop message: %s" % f.get("sub/deep/up"))
    check(f.get("sub/p.geojson", {"problems": [{}]})["problems"][0].get("message") ==
          "sub/p.geojson: same file as hard.geojson, audited there", "hard link message")
    check(f.get("z_link", {"problems": [{}]})["problems"][0].get("message") ==
          "z_link: same folder as sub/deep, audited there", "second link message")
    check(f.get("sub/deep/projects.shp", {}).get("features") == 10 and
          f.get("hard.geojson", {}).get("features") == 3, "the files are audited once")
    check(safe_digest(d) == before, "loop folder unchanged")


def child_pids(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def alive(pid):
    """Running (not gone, not a zombie)."""
    try:
        with open("/proc/%d/stat" % pid) as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_children_die_with_parent(tmp):
    d = os.path.join(tmp, "hang")
    os.makedirs(d)
    shutil.copy(os.path.join(SAMPLES, "projects_4490.geojson"), os.path.join(d, "a.geojson"))
    env = dict(os.environ, REDLINE_TEST_HANG_ON="a.geojson")
    p = subprocess.Popen([REDLINE, "audit", "-j", "1", d], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    kids = []
    for _ in range(200):
        kids = child_pids(p.pid)
        if kids:
            break
        time.sleep(0.05)
    check(kids != [], "audit started a worker")
    time.sleep(0.5)
    check(kids != [] and all(alive(k) for k in kids), "the worker hangs on its file")
    p.kill()
    p.wait()
    gone = False
    for _ in range(100):
        if not any(alive(k) for k in kids):
            gone = True
            break
        time.sleep(0.05)
    check(gone, "workers die with the parent (SIGKILL): %s" % kids)
    if not gone:
        for k in kids:
            try:
                os.kill(k, signal.SIGKILL)
            except OSError:
                pass


def test_zip_members(tmp):
    """Unsafe member names were dropped silently; a zip in a zip was skipped."""
    d = os.path.join(tmp, "zips")
    os.makedirs(d)
    inner = os.path.join(tmp, "inner.zip")
    with zipfile.ZipFile(inner, "w") as z:
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            data = open(os.path.join(SAMPLES, "projects." + ext), "rb").read()
            z.writestr("ok/z." + ext, data)
            z.writestr(zipfile.ZipInfo("../../evil/x." + ext), data)
            z.writestr(zipfile.ZipInfo("/abs/y." + ext), data)
    shutil.copy(inner, os.path.join(d, "evil.zip"))
    with zipfile.ZipFile(os.path.join(d, "outer.zip"), "w") as z:
        z.write(inner, "sub/inner.zip")
    before = safe_digest(d)
    code, out, err = run_t("audit", "-f", "json", d)
    check(code == 2, "zips: exit 2 (got %s: %s)" % (code, err))
    if code is None:
        return
    f = by_path(out)
    for zp in ("evil.zip", "outer.zip/sub/inner.zip"):
        for m in ("../../evil/x.shp", "/abs/y.shp"):
            g = f.get(zp + "/" + m, {"problems": [], "status": None})
            check(codes(g) == ["unsafe_path"] and g["status"] == "error" and
                  g["problems"][0]["message"] == zp + "/" + m + ": member name is absolute "
                  "or climbs out with '..': not audited, and unzipping this archive would "
                  "write outside its folder", "%s/%s: unsafe_path: %s" % (zp, m, g))
        g = f.get(zp + "/ok/z.shp", {})
        check(codes(g) == ["invalid_geometry"] and g.get("features") == 10,
              "%s/ok/z.shp audited: %s" % (zp, g.get("status")))
    check(len(f) == 6, "six entries: %s" % sorted(f))
    check(safe_digest(d) == before, "zip folder unchanged")


def test_long_path(tmp):
    """A file at a path longer than PATH_MAX (4,096) was not audited."""
    d = os.path.join(tmp, "long")
    os.makedirs(d)
    data = open(os.path.join(SAMPLES, "projects_4490.geojson"), "rb").read()
    parts = ["d%02d" % i + "x" * 226 for i in range(21)]  # 21 x 230 characters
    fd = os.open(d, os.O_RDONLY)
    for part in parts:
        os.mkdir(part, dir_fd=fd)
        sub = os.open(part, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = sub
    wfd = os.open("far.geojson", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
    os.write(wfd, data)
    os.close(wfd)
    # A zip there too, holding a zip: both read from inside the folder.
    inner, outer = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("q.geojson", data)
    with zipfile.ZipFile(outer, "w") as z:
        z.writestr("in/p.geojson", data)
        z.writestr("nest.zip", inner.getvalue())
    wfd = os.open("far.zip", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
    os.write(wfd, outer.getvalue())
    os.close(wfd)
    os.close(fd)
    rel = "/".join(parts + ["far.geojson"])
    check(len(os.path.join(d, rel)) > 4636, "the path is longer than PATH_MAX")
    before = safe_digest(d)
    code, out, err = run_t("audit", "--eco", os.path.join(SAMPLES, "eco.shp"), "-f", "json", d)
    check(code is not None and code != 2, "long path: audited (got %s: %s)" % (code, err))
    if code is None:
        return
    f = by_path(out)
    g = f.get(rel, {})
    check(g.get("status") == "ok" and g.get("features") == 3 and
          len(g.get("footprints", [])) == 3, "far file audited and screened: %s" % g.get("status"))
    zdir = "/".join(parts) + "/far.zip/"
    for m in ("in/p.geojson", "nest.zip/q.geojson"):
        g = f.get(zdir + m, {})
        check(g.get("status") == "ok" and g.get("features") == 3,
              "far zip member %s audited: %s" % (m, g.get("problems")))
    check(len(f) == 3, "three far files: %d" % len(f))
    check(safe_digest(d) == before, "long folder unchanged")


def test_bad_prj(tmp):
    d = os.path.join(tmp, "badprj")
    os.makedirs(d)
    copy_sample("projects", os.path.join(d, "projects"))
    with open(os.path.join(d, "projects.prj"), "w") as fh:
        fh.write('GEOGCS["garbage')
    shp = os.path.join(d, "projects.shp")
    before = safe_digest(d)
    code, out, err = run_t("audit", "-f", "json", d)
    g = by_path(out).get("projects.shp", {"problems": []}) if code is not None else {}
    check(code == 2 and g.get("status") == "error" and
          codes(g) == ["invalid_geometry", "prj_unreadable"] and
          g["problems"][1]["message"] == "projects.shp: the .prj is present but GDAL cannot "
          "read a CRS from it; fix it or give --assume-srs",
          "unreadable .prj is an error in audit: %s %s" % (code, g))
    code, out, err = run_t("audit", "--assume-srs", "EPSG:4527", "-f", "json", d)
    g = by_path(out).get("projects.shp", {"problems": []}) if code is not None else {}
    check(g.get("status") == "warn" and codes(g) == ["invalid_geometry", "prj_unreadable"] and
          g["problems"][1]["severity"] == "warn",
          "with --assume-srs it is a warning: %s" % g)
    code, out, err = run_t("screen", "--eco", os.path.join(SAMPLES, "eco.shp"), shp)
    check(code == 2 and err == "redline screen: %s: layer 'projects' has no CRS (its .prj is "
          "present but GDAL cannot read a CRS from it); give one with --assume-srs, e.g. "
          "--assume-srs EPSG:4527\n" % shp, "screen names the unreadable .prj: %r" % err)
    check(safe_digest(d) == before, "bad .prj folder unchanged")


def test_truncated(tmp):
    """audit said '0 features' where screen screened the readable ones."""
    d = os.path.join(tmp, "trunc")
    os.makedirs(d)
    copy_sample("projects", os.path.join(d, "cut"))
    shp = os.path.join(d, "cut.shp")
    with open(shp, "r+b") as fh:
        fh.truncate(os.path.getsize(shp) - 700)
    before = safe_digest(d)
    controls = ["--eco", os.path.join(SAMPLES, "eco.shp"),
                "--farmland", os.path.join(SAMPLES, "farmland.shp")]
    code, sout, err = run_t("screen", *controls, "-f", "json", shp)
    check(code == 2, "screen of a truncated file exits 2: %s" % err)
    want = [(f["id"], f["verdict"], f.get("area_m2")) for f in json.loads(sout)["footprints"]]
    bad = [f for f in json.loads(sout)["footprints"] if f["verdict"] == "error"]
    code, out, err = run_t("audit", *controls, "-f", "json", d)
    g = by_path(out).get("cut.shp", {"problems": [], "footprints": []})
    got = [(f["id"], f["verdict"], f.get("area_m2")) for f in g["footprints"]]
    check(code == 2 and g.get("status") == "error" and codes(g)[:1] == ["unreadable"] and
          g["features"] == 10, "truncated: error, 10 features: %s %s %s"
          % (code, g.get("features"), codes(g)))
    check(bad and g["problems"][0]["message"].startswith(
        "cut.shp: %d of 10 records unreadable (corrupt or truncated file), first FID %s: "
        % (len(bad), bad[0]["id"])), "message names count and FID: %s" % g["problems"])
    check(want == got and len(bad) < 10, "audit figures equal screen's: %s / %s" % (got, want))
    check(safe_digest(d) == before, "truncated folder unchanged")


def test_report_dir_reuse(tmp, fx, nfiles):
    rd = os.path.join(tmp, "reused")
    code, _, err = run_t("audit", "--report-dir", rd, "-q", fx)
    check(len(os.listdir(os.path.join(rd, "files"))) == nfiles, "first delivery: %d files" % nfiles)
    with open(os.path.join(rd, "notes.txt"), "w") as fh:
        fh.write("mine")
    with open(os.path.join(rd, "files", "keep.json"), "w") as fh:
        fh.write("mine")
    # A hard link to summary.json: written in place, it would change too.
    os.link(os.path.join(rd, "summary.json"), os.path.join(tmp, "old_summary.json"))
    old = open(os.path.join(tmp, "old_summary.json"), "rb").read()
    small = os.path.join(tmp, "small")
    os.makedirs(small)
    for n in ("a", "b"):
        shutil.copy(os.path.join(SAMPLES, "projects_4490.geojson"), os.path.join(small, n + ".geojson"))
    code, _, err = run_t("audit", "--report-dir", rd, "-q", small)
    check(code == 0, "second delivery audited: %s" % err)
    names = sorted(os.listdir(os.path.join(rd, "files")))
    check(names == ["0001.json", "0002.json", "keep.json"],
          "stale detail files removed, others kept: %s" % names[:5])
    check(sorted(os.listdir(rd)) == ["files", "index.html", "notes.txt", "summary.csv",
                                     "summary.json", "summary.txt"],
          "no temporary files left: %s" % os.listdir(rd))
    check(json.load(open(os.path.join(rd, "summary.json")))["summary"]["files"] == 2,
          "summary is the second delivery's")
    check(open(os.path.join(tmp, "old_summary.json"), "rb").read() == old,
          "report-dir files replaced by rename, not written in place")
    # The report dir may not hold the audited folder either.
    r2 = os.path.join(tmp, "r2")
    os.makedirs(os.path.join(r2, "files"))
    shutil.copy(os.path.join(SAMPLES, "projects_4490.geojson"), os.path.join(r2, "files", "x.geojson"))
    before = safe_digest(r2)
    code, _, err = run_t("audit", "--report-dir", r2, os.path.join(r2, "files"))
    check(code == 2 and err == "redline audit: %s is inside --report-dir %s, which audit "
          "writes to; give a --report-dir outside the audited folder\n"
          "Try 'redline audit --help'.\n" % (os.path.join(r2, "files"), r2), "--report-dir holding DIR refused: %r" % err)
    check(safe_digest(r2) == before, "nothing written into r2")


def test_forged_names(tmp):
    """A file name with a newline printed a fake summary row; one with the
    record separator split a message."""
    d = os.path.join(tmp, "forge")
    os.makedirs(d)
    fake = "fake\nsummary: files 9 ok, 0 warn, 0 error; footprints 0: 0 pass, 0 warn, " \
           "0 conflict, 0 error\n.geojson"
    names = [fake, "sep\x1fx\tz\x1bq.geojson", "0\t0\t0.geojson"]
    for n in names:
        with open(os.path.join(d, n), "w") as fh:
            fh.write("{}")
    before = safe_digest(d)
    code, out, err = run_t("audit", d)
    check(code == 2, "forged names: exit 2: %s" % err)
    lines = out.split("\n")
    check([ln for ln in lines if ln.startswith("summary:")] ==
          ["summary: files 0 ok, 0 warn, 3 error; footprints 0: 0 pass, 0 warn, 0 conflict, "
           "0 error"], "one true summary line: %r" % out)
    probs = lines[lines.index("problems:") + 1:] if "problems:" in lines else []
    probs = [p for p in probs if p.startswith("  ")]
    check(len(probs) == 3, "one problem line per file: %r" % probs)
    check(all("\x1b" not in ln and "\x1f" not in ln for ln in lines), "no raw ESC or US")
    code, out, err = run_t("audit", "-f", "json", d)
    f = by_path(out) if code is not None else {}
    check(sorted(f) == sorted(names) and all(g["status"] == "error" for g in f.values()),
          "JSON paths exact: %r" % sorted(f))
    code, out, err = run_t("audit", "-f", "csv", d)
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"), newline="")))
    check(sorted(r[0] for r in rows[1:]) == sorted(names) and len(rows) == 4,
          "CSV paths exact: %r" % rows)
    check(safe_digest(d) == before, "forged-name folder unchanged")


def test_small_file_cost(tmp):
    """5,000 small files took 322 s (64 ms each, every worker reading
    PROJ's database again).  300 here, one worker: well under 30 s now,
    over 60 s before."""
    d = os.path.join(tmp, "many")
    os.makedirs(d)
    src = json.load(open(os.path.join(SAMPLES, "projects_4490.geojson")))
    for i in range(300):
        one = dict(src, features=[src["features"][i % 3]])
        with open(os.path.join(d, "f%04d.geojson" % i), "w") as fh:
            json.dump(one, fh)
    t0 = time.time()
    code, out, err = run_t("audit", "--eco", os.path.join(SAMPLES, "eco.shp"), "--farmland",
                           os.path.join(SAMPLES, "farmland.shp"), "-j", "1", "-f", "json", d,
                           timeout=90)
    took = time.time() - t0
    check(code == 1 and len(json.loads(out)["files"]) == 300 if code is not None else False,
          "300 small files audited: %s %s" % (code, err))
    check(took < 30, "300 small files in %.1f s (< 30 s)" % took)


if __name__ == "__main__":
    sys.exit(main())
