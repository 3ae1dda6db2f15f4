#!/usr/bin/env python3
"""Check the figures the docs quote against the independent references.

Usage: check_figures.py SRCDIR

run_docs.py proves that each transcript shows what redline prints; this script
proves that what the docs print is right: every figure below, as it stands in the
doc, must agree with the PostGIS reference (tests/reference/*.csv) to within the
rounding of the figure as shown plus a stated tolerance in m2:
  - 0.001 m2 for one layer measured in its own CRS (redline and PostGIS agree to
    about 1e-4 m2 there: same vertices, same GeographicLib area);
  - 0.02 m2 for diff figures, whose NEW layer (EPSG:4490) is reprojected into the
    overlay CRS (EPSG:4527) first (they agree to about 0.01 m2 there).
A figure that cannot be found (the doc's example changed shape) is a failure too:
update the pattern here with the doc.  Exit status 0 all agree, 1 otherwise.
"""
import csv
import os
import re
import sys

FAIL = []
N = [0]


def ref_csv(src, name, key):
    with open(os.path.join(src, "tests", "reference", name), encoding="utf-8") as f:
        return {tuple(r[k] for k in key): r for r in csv.DictReader(f)}


def decimals(s):
    return len(s.split(".")[1]) if "." in s else 0


def agree(where, shown, ref_m2, unit_m2, tol_m2):
    """shown (text, in units of unit_m2 m2) against ref_m2 (m2)."""
    N[0] += 1
    v = float(shown)
    allowed = 0.5 * 10 ** -decimals(shown) + tol_m2 / unit_m2
    if abs(v - ref_m2 / unit_m2) > allowed * (1 + 1e-12):
        FAIL.append(f"{where}: shows {shown}, the reference gives {ref_m2 / unit_m2:.6f} "
                    f"(allowed difference {allowed:.6g})")


def find(where, text, pattern, count=1):
    """The matches of pattern (re.M) in text; a failure when fewer than count."""
    m = list(re.finditer(pattern, text, re.M))
    if len(m) < count:
        FAIL.append(f"{where}: pattern not found ({len(m)} of {count}): {pattern}")
    return m


def main():
    src = os.path.abspath(sys.argv[1])
    doc = {}
    for f in ("area-method.md", "crs.md", "diff.md", "screen.md"):
        with open(os.path.join(src, "docs", f), encoding="utf-8") as fh:
            doc[f] = fh.read()
    area = ref_csv(src, "area_sample_ellipsoidal.csv", ["group"])
    diff = ref_csv(src, "diff_sample_ellipsoidal.csv", ["group"])
    layers = ref_csv(src, "layers_sample_ellipsoidal.csv", ["layer"])
    screen = ref_csv(src, "screen_sample_ellipsoidal.csv", ["footprint", "control", "kind"])
    eco_area = float(area[("",)]["area_m2"])
    eco_self = float(area[("",)]["self_overlap_m2"])
    ONE, DIFF = 0.001, 0.02

    # redline area sample_shapes/eco.shp: union area and self-overlap (m2, ha, km2)
    for f in ("area-method.md", "diff.md"):
        # area-method.md: the first line is ellipsoidal, the second planar (no reference)
        for m in find(f, doc[f], r"^TOTAL\s+5\s+(\d+\.\d\d)\s+(\d+\.\d\d)$")[:1]:
            agree(f"{f} eco TOTAL area", m.group(1), eco_area, 1, ONE)
            agree(f"{f} eco TOTAL self-overlap", m.group(2), eco_self, 1, ONE)
    for m in find("diff.md", doc["diff.md"], r'"(?:old_)?self_overlap_m2": ([\d.]+)', 2):
        agree("diff.md JSON self_overlap_m2 of eco.shp", m.group(1), eco_self, 1, ONE)
    for m in find("diff.md", doc["diff.md"], r"^TOTAL\s+5\s+1159\.\d{4}\s+([\d.]+)$"):
        agree("diff.md area --by HXLX --units ha: self-overlap", m.group(1), eco_self, 1e4, ONE)
    for m in find("diff.md", doc["diff.md"], r"^(\S+)\s+(\d+)\s+([\d.]+)\s+0\.0000$", 3):
        agree(f"diff.md area --by HXLX {m.group(1)}", m.group(3),
              float(area[(m.group(1),)]["area_m2"]), 1e4, ONE)
    for m in find("diff.md", doc["diff.md"], r"self-overlap \(data quality\): old ([\d.]+) m2"):
        agree("diff.md table self-overlap", m.group(1), eco_self, 1, ONE)

    # crs.md: farmland, udb and the two versions in one GeoPackage
    for layer, n in (("farmland", 8), ("udb", 2)):
        for m in find("crs.md", doc["crs.md"], rf"^TOTAL\s+{n}\s+([\d.]+)\s+0\.00$"):
            agree(f"crs.md {layer} area", m.group(1), float(layers[(layer,)]["area_m2"]), 1, ONE)
    for m in find("crs.md", doc["crs.md"], r"^TOTAL\s+7\s+([\d.]+)\s+[\d.]+$"):
        agree("crs.md eco_2024 area (km2)", m.group(1), float(layers[("eco_v2",)]["area_m2"]),
              1e6, ONE)

    # diff.md: the diff of eco.shp and eco_v2.gpkg, total and per HXLX group
    t = diff[("",)]
    cols = ("old_m2", "new_m2", "lost_m2", "gained_m2", "net_m2")
    for m in find("diff.md", doc["diff.md"], r"^TOTAL\s+" + r"\s+".join([r"(-?[\d.]+)"] * 5)
                  + r"\s+shrunk$"):
        unit = 1e4 if "." in m.group(1) and decimals(m.group(1)) == 4 else 1
        for k, c in enumerate(cols):
            agree(f"diff.md TOTAL {c}", m.group(k + 1), float(t[c]), unit, DIFF)
    for m in find("diff.md", doc["diff.md"], r'^ "old_m2": .*$'):
        for c in cols:
            v = re.search(rf'"{c}": (-?[\d.]+)', m.group(0))
            agree(f"diff.md JSON {c}", v.group(1) if v else "nan", float(t[c]), 1, DIFF)
    for g in ("水土保持", "水源涵养", "生物多样性维护"):
        pat = rf"^{g}\s+" + r"\s+".join([r"(-?[\d.]+)"] * 5) + r"\s+(?:not )?shrunk$"
        for m in find("diff.md", doc["diff.md"], pat):
            for k, c in enumerate(cols):
                agree(f"diff.md {g} {c} (ha)", m.group(k + 1), float(diff[(g,)][c]), 1e4, DIFF)

    # screen.md: the ha table of the three controls
    rows = find("screen.md", doc["screen.md"], r"^(P\d\d)\*?\s+projects\.shp:\d\s+([\d.]+)\s+\w+\n"
                r"\s+eco overlap\s+([\d.]+)\n\s+farmland overlap\s+([\d.]+)\n"
                r"\s+udb outside\s+([\d.]+)$", 10)
    for m in rows:
        fp = m.group(1)
        for k, key in enumerate([(fp, "", "footprint"), (fp, "eco", "total"),
                                 (fp, "farmland", "total"), (fp, "udb", "outside")]):
            agree(f"screen.md {fp} {'/'.join(key[1:])}", m.group(k + 2),
                  float(screen[key]["area_m2"]), 1e4, ONE)

    for f in FAIL:
        print("FAIL:", f)
    print(f"docs figures: {N[0]} checked against tests/reference/, {len(FAIL)} failed")
    return 1 if FAIL else 0


if __name__ == "__main__":
    sys.exit(main())
