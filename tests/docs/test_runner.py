#!/usr/bin/env python3
"""The docs runner can fail: run_docs.py on small docs written here.

Usage: test_runner.py REDLINE SRCDIR

A wrong figure fails (exit 1, the diff names it); the right one passes, masks
included; --update rewrites only the output that changed and keeps the masks;
an untagged block that is not a transcript fails; so does a wrong exit status.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, summary  # noqa: E402

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_docs.py")

# The page reads edges as geodesics (--area geodesic): the figures PostGIS
# geography gives, as the docs quoted them before issue #17.
GOOD = """# A page

```
$ redline area --area geodesic sample_shapes/eco.shp
redline area: sample_shapes/eco.shp (EPSG:4527), geodesic area, units m2
...
TOTAL         5  11590127.39        1253303.91
$ redline area --area geodesic -f json sample_shapes/eco.shp | head -3
{"tool": "redline", ...
 "path": "sample_shapes/eco.shp", "layer": "eco", "crs": "EPSG:4527", "features": 5, ...
 "area_m2": 11590127.3946, "self_overlap_m2": 1253303.9061, ...
$ redline area --area geodesic --expect-min 1200ha sample_shapes/eco.shp > /dev/null; echo $?
1
```

```sh
redline screen --eco eco.shp projects.shp   # not run
```
"""


def runner(redline, src, path, *flags):
    p = subprocess.run([sys.executable, RUNNER, redline, src, path, *flags],
                       capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def main():
    redline, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    d = tempfile.mkdtemp(prefix="rl-docs-test-")
    try:
        page = os.path.join(d, "page.md")

        def write(text):
            with open(page, "w", encoding="utf-8") as f:
                f.write(text)

        write(GOOD)
        code, out = runner(redline, src, page)
        check(code == 0 and "3 commands in 1 files, 0 failure(s)" in out,
              f"a right page passes, masks included: {code} {out}")

        # The self-overlap as diff.md had it before issue #20 (1253303.9092).
        bad = GOOD.replace('"self_overlap_m2": 1253303.9061', '"self_overlap_m2": 1253303.9092')
        write(bad)
        code, out = runner(redline, src, page)
        check(code == 1 and "output differs for: $ redline area --area geodesic -f json" in out and
              '- "area_m2": 11590127.3946, "self_overlap_m2": 1253303.9092, ...' in out and
              '+ "area_m2": 11590127.3946, "self_overlap_m2": 1253303.9061,' in out,
              f"a wrong figure fails and the diff shows it: {code} {out}")

        # --update: only that line changes; the masked line it replaces is named.
        code, out = runner(redline, src, page, "--update")
        text = open(page, encoding="utf-8").read()
        old, new = bad.split("\n"), text.split("\n")
        changed = [(a, b) for a, b in zip(old, new) if a != b]
        check(code == 0 and len(old) == len(new) and len(changed) == 1 and
              changed[0][1].startswith(' "area_m2": 11590127.3946, "self_overlap_m2": '
                                       '1253303.9061, "expect_min_m2"') and
              "masked line replaced, put the mask back" in out,
              f"--update rewrites just the changed line: {code} {out} {changed}")
        check("\n...\n" in text and '{"tool": "redline", ...' in text,
              "--update keeps the other masks")
        code, out = runner(redline, src, page)
        check(code == 0, f"after --update the page passes: {out}")

        # A wrong table figure and a wrong exit status.
        write(GOOD.replace("11590127.39 ", "11590127.40 ").replace("; echo $?\n1\n",
                                                                     "; echo $?\n0\n"))
        code, out = runner(redline, src, page)
        check(code == 1 and "2 failure(s)" in out and "-TOTAL         5  11590127.40" in out,
              f"a wrong table figure and exit status fail: {code} {out}")

        # Output the page does not show, without a mask, fails.
        write(GOOD.replace("...\nTOTAL", "TOTAL"))
        code, out = runner(redline, src, page)
        check(code == 1 and "+SCOPE  FEATURES" in out, f"unshown lines fail: {code} {out}")

        # An untagged block that is not a transcript.
        write(GOOD + "\n```\nredline area x.shp\n```\n")
        code, out = runner(redline, src, page)
        check(code == 1 and "a fenced block without a language tag must be a transcript" in out,
              f"an untagged non-transcript block fails: {code} {out}")

        # A here-document in a transcript, indented inside a list item.
        write("- item\n\n  ```\n  $ cat <<'EOF' | wc -l\n  > a\n  > b\n  > EOF\n  2\n  ```\n")
        code, out = runner(redline, src, page)
        check(code == 0, f"here-document in an indented block: {code} {out}")
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
