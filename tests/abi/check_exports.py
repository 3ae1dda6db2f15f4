#!/usr/bin/env python3
"""The shared library exports exactly the functions that redline.h declares.

usage: check_exports.py NM LIBREDLINE.so redline.h

Both directions: every public function is exported (so it was marked RL_API),
and nothing else is (so no internal rl_* helper or stray symbol leaks out of
the hidden-visibility build).
"""
import re
import subprocess
import sys

# Symbols the linker itself defines in every shared object, not ours.
LINKER = {"__bss_start", "_edata", "_end", "_init", "_fini"}


def declared(header):
    text = open(header, encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)  # comments name functions too
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)    # macros: RL_API itself
    # A declaration is "name(" at the top level; the typedef of a function
    # pointer reads "(*name)(" and is not one.
    return set(re.findall(r"\b(rl_\w+)\s*\(", text))


def exported(nm, lib):
    out = subprocess.run([nm, "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            names.add(parts[2].split("@")[0])  # drop any symbol version
    return names - LINKER


def main():
    nm, lib, header = sys.argv[1:4]
    want, got = declared(header), exported(nm, lib)
    if not want:
        print("no rl_ function found in %s" % header)
        return 1
    missing, extra = sorted(want - got), sorted(got - want)
    for name in missing:
        print("declared in redline.h but not exported: %s" % name)
    for name in extra:
        print("exported but not declared in redline.h: %s" % name)
    print("%d public functions, %d exported symbols" % (len(want), len(got)))
    return 1 if missing or extra else 0


if __name__ == "__main__":
    sys.exit(main())
