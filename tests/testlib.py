"""Helpers shared by the Python CLI tests (test_cli.py, test_audit.py)."""
import hashlib
import os
import subprocess

failures = []
passed = 0


def check(cond, what):
    """Count a check; print and remember it when it fails."""
    global passed
    if cond:
        passed += 1
    else:
        failures.append(what)
        print("FAIL:", what)


def summary():
    """Print the tally; the script's exit status (1 if anything failed)."""
    print("%d passed, %d failed" % (passed, len(failures)))
    return 1 if failures else 0


def run(redline, *args, cwd=None, env=None):
    """(exit status, stdout, stderr) of redline ARGS, text decoded as UTF-8."""
    p = subprocess.run([redline, *args], cwd=cwd, env=env, capture_output=True)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def digest(root):
    """sha256 and mtime of every file under root, and every directory: a
    tree that compares equal was not modified, touched or added to."""
    out = {}
    for d, dirs, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            st = os.stat(p)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = (hashlib.sha256(fh.read()).hexdigest(),
                                                 st.st_mtime_ns)
        for x in dirs:
            out[os.path.relpath(os.path.join(d, x), root) + "/"] = None
    return out
