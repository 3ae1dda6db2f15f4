#!/usr/bin/python3
"""A county-sized 三调 land-use parcel layer (DLTB, 地类图斑) for benchmarking `screen --landuse`.

    /usr/bin/python3 bench/gen.py county OUTDIR          # the footprints (and control layers)
    /usr/bin/python3 bench/gen_dltb.py county OUTDIR [--seed N] [--parcels N]

Writes OUTDIR/dltb.shp (EPSG:4527, Shapefile, GBK .cpg) over the same square as gen.py's
layers of that size, so that gen.py's 2,000 footprints (county) can be screened against the
farmland layer and broken down by land use in the same run or in two comparable runs:

    redline screen --farmland OUTDIR/farmland.gpkg OUTDIR/footprints.shp
    redline screen --landuse OUTDIR/dltb.shp OUTDIR/footprints.shp

The parcels tile the square wall to wall, as a county's DLTB does: a jittered lattice of
about --parcels cells (default 300,000 for county), each cell a parcel whose four edges carry
4 jittered intermediate vertices shared exactly with the neighbour (20 vertices a ring, every
ring valid: the generator checks each one with GEOS).  0.1 % of the cells are left out (gaps)
and 0.02 % are written twice with another class (overlaps), the digitising errors a real
delivery has.  Fields: BSM TBBH DLBM DLMC QSXZ ZLDWDM ZLDWMC KCDLBM KCXS KCMJ TBMJ TBDLMJ,
with a realistic class mix, 田坎 coefficients on cultivated land, 国有 roads, rivers and
industry, 25 townships of 10 km x 10 km and 625 villages of 2 km x 2 km under one county code.
Deterministic: numpy PCG64 seeded from --seed; same command, same features.
A line is appended to OUTDIR/MANIFEST.txt.
"""
import argparse
import math
import os
import struct
import sys
import time

import numpy as np
from osgeo import gdal, ogr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402  (region, write_layer; importing runs nothing)

gdal.UseExceptions()
ogr.UseExceptions()

COUNTY = "341702"          # a county code of the region's latitude; names are synthetic
# (DLBM, DLMC, weight, QSXZ, KCXS range) -- a plain-and-hills county mix
CLASSES = [
    ("0101", "水田", 8, "30", (0.02, 0.10)),
    ("0102", "水浇地", 6, "30", (0.01, 0.06)),
    ("0103", "旱地", 20, "30", (0.03, 0.15)),
    ("0201", "果园", 4, "30", None),
    ("0201K", "可调整果园", 1, "30", None),
    ("0202", "茶园", 2, "30", None),
    ("0301", "乔木林地", 14, "20", None),
    ("0305", "灌木林地", 3, "30", None),
    ("0307", "其他林地", 3, "30", None),
    ("0404", "其他草地", 3, "30", None),
    ("0601", "工业用地", 2, "20", None),
    ("0701", "城镇住宅用地", 2, "20", None),
    ("0702", "农村宅基地", 8, "30", None),
    ("0810", "公园与绿地", 1, "20", None),
    ("1003", "公路用地", 2, "20", None),
    ("1004", "城镇村道路用地", 1, "20", None),
    ("1006", "农村道路", 4, "30", None),
    ("1101", "河流水面", 2, "10", None),
    ("1103", "水库水面", 1, "10", None),
    ("1104", "坑塘水面", 4, "30", None),
    ("1106", "内陆滩涂", 1, "10", None),
    ("1107", "沟渠", 3, "30", None),
    ("1202", "设施农用地", 1, "30", None),
    ("1203", "田坎", 1, "30", None),
]
K = 4                      # intermediate vertices per edge


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("size", choices=sorted(gen.SIZES))
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--parcels", type=int, default=None,
                    help="about this many parcels (default 300,000 county, 3,000,000 province)")
    a = ap.parse_args()
    t0 = time.time()
    cfg = gen.SIZES[a.size]
    side = cfg["side"]
    target = a.parcels or {"county": 300_000, "province": 3_000_000}[a.size]
    n = int(round(math.sqrt(target))) + 1                 # lattice points a side
    s = side / (n - 1)                                    # cell size, m
    xmin, ymin = gen.X0 - side / 2, gen.Y_CENTRE - side / 2
    rng = np.random.Generator(np.random.PCG64([a.seed, 7, len(a.size)]))
    os.makedirs(a.outdir, exist_ok=True)

    # lattice corners, jittered by up to 0.2 cells (the border stays straight)
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    P = np.stack([xmin + ii * s, ymin + jj * s], axis=-1)
    jit = rng.uniform(-0.2, 0.2, P.shape) * s
    jit[0, :, 0] = jit[-1, :, 0] = 0
    jit[:, 0, 1] = jit[:, -1, 1] = 0
    P = P + jit

    def edge_points(A, B):
        """K points on each edge A->B (arrays ..., 2): at evenly spread fractions
        (+-0.05) and up to 0.03 cells off the line, the same for both neighbours."""
        shape = A.shape[:-1]
        t = (np.arange(1, K + 1) / (K + 1) + rng.uniform(-0.05, 0.05, shape + (K,)))[..., None]
        d = B - A
        nrm = np.stack([-d[..., 1], d[..., 0]], axis=-1) / np.linalg.norm(d, axis=-1, keepdims=True)
        off = rng.uniform(-0.03, 0.03, shape + (K, 1)) * s
        return A[..., None, :] + t * d[..., None, :] + off * nrm[..., None, :]

    H = edge_points(P[:-1, :], P[1:, :])     # (n-1, n, K, 2): P[i,j] -> P[i+1,j]
    V = edge_points(P[:, :-1], P[:, 1:])     # (n, n-1, K, 2): P[i,j] -> P[i,j+1]
    m = n - 1
    rings = np.concatenate([
        P[:-1, :-1, None], H[:, :-1],                 # bottom, west to east
        P[1:, :-1, None], V[1:, :],                   # east, south to north
        P[1:, 1:, None], H[:, 1:, ::-1],              # top, east to west
        P[:-1, 1:, None], V[:-1, :, ::-1],            # west, north to south
        P[:-1, :-1, None]], axis=2).reshape(m * m, 4 * (K + 1) + 1, 2)
    x2 = rings[:, :-1, 0]
    y2 = rings[:, :-1, 1]
    area = 0.5 * np.abs((x2 * np.roll(y2, -1, 1) - np.roll(x2, -1, 1) * y2).sum(1))
    cx, cy = x2.mean(1), y2.mean(1)

    w = np.array([c[2] for c in CLASSES], dtype=float)
    cls = rng.choice(len(CLASSES), size=m * m, p=w / w.sum())
    cls2 = rng.choice(len(CLASSES), size=m * m, p=w / w.sum())
    lo = np.array([c[4][0] if c[4] else 0.0 for c in CLASSES])
    hi = np.array([c[4][1] if c[4] else 0.0 for c in CLASSES])
    kcxs = np.round(lo[cls] + (hi[cls] - lo[cls]) * rng.random(m * m), 4)
    factor = 1 + rng.uniform(-5e-4, 5e-4, m * m)     # TBMJ: the survey's 平差 to control area
    keep = rng.random(m * m) >= 0.001                 # 0.1 % gaps
    twice = keep & (rng.random(m * m) < 0.0002)       # 0.02 % overlaps
    town = (np.clip(((cx - xmin) / 10_000).astype(int), 0, 4) * 5
            + np.clip(((cy - ymin) / 10_000).astype(int), 0, 4))
    vil = (np.clip(((cx - xmin) % 10_000 / 2_000).astype(int), 0, 4) * 5
           + np.clip(((cy - ymin) % 10_000 / 2_000).astype(int), 0, 4))

    bad = 0

    def rows():
        nonlocal bad
        bsm = 0
        for c in range(m * m):
            if not keep[c]:
                continue
            wkb = struct.pack("<BIII", 1, 3, 1, rings.shape[1]) + \
                np.ascontiguousarray(rings[c], dtype="<f8").tobytes()
            if not ogr.CreateGeometryFromWkb(wkb).IsValid():
                bad += 1
            zl = "%s%03d%03d" % (COUNTY, 100 + town[c], 200 + town[c] * 25 + vil[c])
            for k in ([cls[c], cls2[c]] if twice[c] else [cls[c]]):
                code, name, _, qsxz, kc = CLASSES[k]
                x = float(kcxs[c]) if kc else 0.0
                tbmj = round(float(area[c] * factor[c]), 2)
                kcmj = round(tbmj * x, 2)
                bsm += 1
                yield wkb, ["%s%012d" % (COUNTY, bsm), str(bsm), code, name, qsxz,
                            zl + "0000000", "第%03d村" % (200 + town[c] * 25 + vil[c]),
                            "1203" if x > 0 else "", x, kcmj, tbmj, round(tbmj - kcmj, 2)]

    fields = [("BSM", ogr.OFTString, 18), ("TBBH", ogr.OFTString, 8), ("DLBM", ogr.OFTString, 5),
              ("DLMC", ogr.OFTString, 60), ("QSXZ", ogr.OFTString, 2), ("ZLDWDM", ogr.OFTString, 19),
              ("ZLDWMC", ogr.OFTString, 60), ("KCDLBM", ogr.OFTString, 5), ("KCXS", ogr.OFTReal, 0),
              ("KCMJ", ogr.OFTReal, 0), ("TBMJ", ogr.OFTReal, 0), ("TBDLMJ", ogr.OFTReal, 0)]
    nf = gen.write_layer(os.path.join(a.outdir, "dltb.shp"), "ESRI Shapefile", "dltb", 4527,
                         ogr.wkbPolygon, fields, rows())
    if bad:
        print("gen_dltb: %d invalid parcels (a bug in the generator)" % bad, file=sys.stderr)
        return 1
    line = ("dltb.shp         EPSG:4527 Shapefile GBK  %8d polygons  (%d x %d lattice of %.1f m cells, "
            "%d vertices a ring; %d gaps, %d parcels written twice; 25 towns, 625 villages)"
            % (nf, m, m, s, rings.shape[1] - 1, int((~keep).sum()), int(twice.sum())))
    with open(os.path.join(a.outdir, "MANIFEST.txt"), "a") as fh:
        fh.write(line + "\n")
    print(line)
    print("gen_dltb: %.1f s" % (time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
