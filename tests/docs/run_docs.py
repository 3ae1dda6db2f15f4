#!/usr/bin/env python3
"""Run the shell transcripts of README.md and docs/*.md and compare their output.

Usage: run_docs.py REDLINE SRCDIR [--update] [--keep] [FILE.md ...]

A transcript is a fenced block with no language tag whose first line starts with
"$ ": each "$ " line is a command (a line ending in a backslash continues on the
next line, and so do lines that start with "> ", the shell's second prompt, as in
a here-document), the lines after it up to the next "$ " line are its expected output
(stdout and stderr together, in the order written).  Masks in expected output:
  - a line that is exactly "..." matches any number of lines, none included;
  - "..." inside a line matches any run of characters on that line.
Every other character is compared exactly.  The blocks of one file run in order in
one bash shell, in a scratch folder of their own where `redline` is REDLINE,
sample_shapes/, tests/ and scripts/ are links to SRCDIR's, and LC_ALL=C.UTF-8; so a
later block sees the files and the current folder an earlier one left behind.

A fenced block with no language tag that is not a transcript is an error: mark
syntax and shapes that are not run with a tag (```text, ```sh, ```json ...).

--update rewrites the expected output of every command that differs, in place:
lines that still match (masks included) and "..." lines are kept, the rest is
replaced by the actual output, so `git diff` shows just what changed.  A masked
line that no longer matches is replaced whole; the runner names it (put the mask
back by hand).  Figures claimed from an independent source are checked by
check_figures.py, not by --update.

Exit status: 0 all transcripts match; 1 a mismatch or lint error; 2 bad usage.
"""
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid

FENCE = re.compile(r"^(\s*)```(.*)$")
TIMEOUT = 600  # seconds per file; the whole suite takes about a minute
TOOLS = ("bash", "jq", "zip", "unzip", "ogr2ogr", "ogrinfo", "python3")


class Block:
    def __init__(self, path, start, end, lang, lines, indent):
        self.path, self.start, self.end, self.lang = path, start, end, lang
        self.indent = indent  # a block inside a list item: its lines without the indent
        self.lines = [ln[len(indent):] if ln.startswith(indent) else ln.lstrip()
                      for ln in lines]


def blocks_of(path, text):
    """Fenced blocks of a markdown file: start/end are the fence lines (0-based)."""
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not FENCE.match(lines[j]):
            j += 1
        out.append(Block(path, i, j, m.group(2).strip(), lines[i + 1:j], m.group(1)))
        i = j + 1
    return out


def commands_of(block):
    """[(command text, [expected lines], first line index in block)]."""
    cmds, i, ls = [], 0, block.lines
    while i < len(ls):
        if not ls[i].startswith("$ "):
            raise ValueError(f"line {block.start + 2 + i}: expected a '$ ' command")
        first = i
        cmd = [ls[i][2:]]
        while i + 1 < len(ls) and (cmd[-1].endswith("\\") or ls[i + 1].startswith("> ")
                                   or ls[i + 1] == ">"):
            i += 1
            # "> " is the shell's prompt for the rest of a command (a here-document)
            cmd.append(ls[i][2:] if ls[i].startswith(">") and not cmd[-1].endswith("\\")
                       else ls[i])
        i += 1
        exp = []
        while i < len(ls) and not ls[i].startswith("$ "):
            exp.append(ls[i])
            i += 1
        cmds.append(("\n".join(cmd), exp, first))
    return cmds


def is_transcript(block):
    return block.lang == "" and block.lines and block.lines[0].startswith("$ ")


def line_re(pattern):
    return re.compile("^" + ".*".join(re.escape(p) for p in pattern.split("...")) + "$")


def align(expected, actual):
    """Cheapest alignment of expected (with masks) to actual lines.

    Returns (cost, ops): ops is a list of ("keep", e) / ("star",) / ("sub", e, a) /
    ("del", e) / ("ins", a); cost 0 means the output matches.  A changed line is
    a substitution (cheaper than a deleted line plus a star swallowing its new
    text), so that --update rewrites it in place."""
    n, m = len(expected), len(actual)
    regs = [None if e == "..." else line_re(e) for e in expected]
    INF = 1 << 30
    # cost[i][j]: cheapest way to align expected[i:] with actual[j:]
    cost = [[INF] * (m + 1) for _ in range(n + 1)]
    cost[n][m] = 0
    for j in range(m - 1, -1, -1):
        cost[n][j] = cost[n][j + 1] + 2
    for i in range(n - 1, -1, -1):
        for j in range(m, -1, -1):
            if regs[i] is None:
                best = cost[i + 1][j]                      # the star matches nothing more
                if j < m:
                    best = min(best, cost[i][j + 1])       # the star eats actual[j]
            else:
                best = cost[i + 1][j] + 3                  # expected line missing
                if j < m:
                    best = min(best, cost[i][j + 1] + 2,   # actual line not expected
                               cost[i + 1][j + 1] + 2)     # the line changed
                    if regs[i].match(actual[j]):
                        best = min(best, cost[i + 1][j + 1])
            cost[i][j] = best
    ops, i, j = [], 0, 0
    while i < n or j < m:
        c = cost[i][j]
        if i < n and regs[i] is None:
            if j < m and cost[i][j + 1] == c:
                j += 1
                continue
            ops.append(("star",))
            i += 1
        elif i < n and j < m and regs[i].match(actual[j]) and cost[i + 1][j + 1] == c:
            ops.append(("keep", expected[i]))
            i, j = i + 1, j + 1
        elif i < n and j < m and cost[i + 1][j + 1] + 2 == c:
            ops.append(("sub", expected[i], actual[j]))
            i, j = i + 1, j + 1
        elif i < n and cost[i + 1][j] + 3 == c:
            ops.append(("del", expected[i]))
            i += 1
        else:
            ops.append(("ins", actual[j]))
            j += 1
    return cost[0][0], ops


def updated(ops):
    """Expected lines after --update, and the masked lines that were replaced."""
    out, lost = [], []
    for op in ops:
        if op[0] == "keep":
            out.append(op[1])
        elif op[0] == "star":
            out.append("...")
        elif op[0] == "ins":
            out.append(op[1])
        elif op[0] == "sub":
            out.append(op[2])
            if "..." in op[1]:
                lost.append(op[1])
        elif "..." in op[1]:
            lost.append(op[1])
    return out, lost


def run_file(path, blocks, redline, srcdir, keep):
    """Run every transcript of one file in one shell; returns outputs per command."""
    scratch = tempfile.mkdtemp(prefix="rl-docs-")
    bindir = os.path.join(scratch, ".bin")
    os.mkdir(bindir)
    os.symlink(os.path.abspath(redline), os.path.join(bindir, "redline"))
    for d in ("sample_shapes", "tests", "scripts"):
        os.symlink(os.path.join(srcdir, d), os.path.join(scratch, d))
    marker = "@@rl-docs-" + uuid.uuid4().hex + "@@"
    script = ["exec 2>&1", f"cd {scratch}"]
    cmds = []
    for b in blocks:
        for cmd, exp, first in commands_of(b):
            cmds.append((b, cmd, exp, first))
            # the marker keeps $? for the next command ("$ echo $?")
            script.append(f"__rl_st=$?; printf '%s\\n' '{marker}'; (exit $__rl_st)")
            script.append(cmd)
    script.append(f"printf '%s\\n' '{marker}'")
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
               LC_ALL="C.UTF-8", LANG="C.UTF-8", LANGUAGE="", TZ="UTC")
    env.pop("REDLINE_LANG", None)
    try:
        with open(os.path.join(bindir, "transcript.sh"), "w", encoding="utf-8") as f:
            f.write("\n".join(script) + "\n")
        res = subprocess.run(["bash", "--norc", "--noprofile", f.name], stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, env=env, timeout=TIMEOUT,
                             errors="replace")
        raw = res.stdout
    except subprocess.TimeoutExpired as e:
        raw = (e.stdout or b"").decode("utf-8", "replace") if isinstance(e.stdout, bytes) \
            else (e.stdout or "")
        raw += f"\n(timed out after {TIMEOUT} s)\n"
    finally:
        if keep:
            print(f"{path}: scratch folder kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    parts = raw.split(marker + "\n")
    outs = []
    for k in range(len(cmds)):
        chunk = parts[k + 1] if k + 1 < len(parts) else "(no output: the shell stopped)\n"
        lines = chunk.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        # paths of the scratch folder never appear in a doc
        outs.append([ln.replace(scratch + "/", "").replace(scratch, ".") for ln in lines])
    return cmds, outs


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    flags = {a for a in argv[1:] if a.startswith("--")}
    if len(args) < 2 or flags - {"--update", "--keep"}:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    redline, srcdir = os.path.abspath(args[0]), os.path.abspath(args[1])
    files = args[2:] or (["README.md"] + sorted(
        os.path.join("docs", f) for f in os.listdir(os.path.join(srcdir, "docs"))
        if f.endswith(".md")))
    update = "--update" in flags
    # The examples use these as a user would; without them every diff would be noise.
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        print(f"docs: the examples need {', '.join(missing)} (scripts/deps.sh installs them)")
        return 1
    failures, ncmd = 0, 0
    for rel in files:
        path = rel if os.path.isabs(rel) else os.path.join(srcdir, rel)
        text = open(path, encoding="utf-8").read()
        blocks = blocks_of(rel, text)
        lint = [b for b in blocks if b.lang == "" and not is_transcript(b)]
        for b in lint:
            print(f"{rel}:{b.start + 1}: a fenced block without a language tag must be a "
                  f"transcript ('$ ' first); tag it (```text, ```sh ...) if it is not run")
            failures += 1
        trans = [b for b in blocks if is_transcript(b)]
        if not trans:
            continue
        try:
            cmds, outs = run_file(rel, trans, redline, srcdir, "--keep" in flags)
        except ValueError as e:
            print(f"{rel}: {e}")
            failures += 1
            continue
        lines = text.split("\n")
        edits = []  # (first, last) line range in file to replace with new lines
        for (b, cmd, exp, first), act in zip(cmds, outs):
            ncmd += 1
            cost, ops = align(exp, act)
            if cost == 0:
                continue
            new, lost = updated(ops)
            ncl = cmd.count("\n") + 1
            lo = b.start + 1 + first + ncl
            if update:
                edits.append((lo, lo + len(exp), [b.indent + ln if ln else ln for ln in new]))
                for ln in lost:
                    print(f"{rel}:{lo + 1}: masked line replaced, put the mask back: {ln}")
            else:
                failures += 1
                print(f"{rel}:{b.start + 2 + first}: output differs for: $ {cmd}")
                sys.stdout.writelines(difflib.unified_diff(
                    [e + "\n" for e in exp], [e + "\n" for e in new],
                    "expected", "actual", n=2))
        if update and edits:
            for lo, hi, new in sorted(edits, reverse=True):
                lines[lo:hi] = new
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
            os.replace(path + ".tmp", path)
            print(f"{rel}: {len(edits)} output(s) updated")
    print(f"docs: {ncmd} commands in {len(files)} files, "
          f"{failures} failure(s){' (after --update)' if update else ''}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
