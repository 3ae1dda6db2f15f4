#!/usr/bin/python3
"""Deterministic synthetic inputs for the redline benchmark.

    /usr/bin/python3 bench/gen.py county|province OUTDIR [--seed N]

Needs only python3-gdal (and numpy, which it pulls in).  Everything is drawn from a
numpy PCG64 generator seeded from --seed (default 20240611) and the size name, one
independent stream per layer, so the same command always writes the same features.

The data lie in CGCS2000 Gauss-Kruger 3-degree zone 39 (central meridian 117 E), around
30 N, in the CRSs and formats a planning bureau actually delivers:

  redline_v1.shp   eco red line (生态保护红线), EPSG:4527 (zone-prefixed eastings),
                   Shapefile, GBK .cpg.  Irregular star-shaped polygons (perturbed circles,
                   always valid), about 2,000 (county) / 3,000 (province) vertices, some with
                   a hole.  Fields HXBH, HXMC, HXLX (type), XZQDM (county code), MJ (ha).
  redline_v2.gpkg  the next revision, EPSG:4490 lon/lat, GeoPackage: v1 with some polygons
                   shrunk, some grown, some reclassified (HXLX), a few dropped, a few new.
  farmland.gpkg    permanent basic farmland parcels (永久基本农田), EPSG:4490, GeoPackage.
                   Small quadrilaterals/pentagons 50-300 m across tiling rows and columns,
                   with ditches between them and larger gaps (villages, rivers, UDB cores).
  udb.shp          urban development boundary (城镇开发边界), EPSG:4548 (CM 117 E, no zone
                   prefix), Shapefile, GBK.
  footprints.shp   project footprints (项目用地范围), EPSG:4527, Shapefile, GBK, id field
                   XMBH.  50-500 m across: rotated rectangles, irregular polygons, a few
                   two-part MultiPolygons; many straddle a red-line boundary, some sit in a
                   UDB, the rest anywhere.

A MANIFEST.txt in OUTDIR records the counts, vertex totals and CRSs.
"""
import argparse
import math
import os
import struct
import sys
import time

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()

SIZES = {
    # side of the square region (m), red-line polygons, mean vertices, parcels, UDB, footprints
    "county":   dict(side=50_000,  eco=200,   eco_vtx=2000, parcels=50_000,
                     udb=5,  udb_vtx=800,  footprints=2_000, county_codes=1),
    "province": dict(side=220_000, eco=3_000, eco_vtx=3000, parcels=1_000_000,
                     udb=50, udb_vtx=1000, footprints=20_000, county_codes=60),
}

ZONE = 39
CM_LON = 117.0
X0 = ZONE * 1_000_000 + 500_000      # zone-prefixed false easting of EPSG:4527
Y_CENTRE = 3_320_000.0               # about 30 N
HXLX = ["水源涵养", "生物多样性维护", "水土保持", "防风固沙", "水土流失", "石漠化"]
DLBM = ["0101", "0102", "0103"]      # paddy, irrigated, dry land
UDB_LX = ["集中建设区", "弹性发展区", "特别用途区"]

# fixed dates so that reruns write identical bytes where the drivers allow it
gdal.SetConfigOption("OGR_CURRENT_DATE", "2024-01-01T00:00:00.000Z")
DBF_DATE = "2024-01-01"


def srs(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def wkb_polygon(rings):
    """rings: list of (n,2) float arrays, closed (first == last)."""
    parts = [struct.pack("<BII", 1, 3, len(rings))]
    for r in rings:
        parts.append(struct.pack("<I", len(r)))
        parts.append(np.ascontiguousarray(r, dtype="<f8").tobytes())
    return b"".join(parts)


def wkb_multipolygon(polys):
    return struct.pack("<BII", 1, 6, len(polys)) + b"".join(wkb_polygon(p) for p in polys)


def close(xy):
    return np.vstack([xy, xy[:1]])


def ring_area(xy):
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def orient(xy, ccw=True):
    return xy if (ring_area(xy) > 0) == ccw else xy[::-1].copy()


class Star:
    """A star-shaped polygon r(t) > 0 around (cx, cy): always simple and valid."""

    def __init__(self, rng, cx, cy, radius, nvtx, kmax=24, rough=0.004, lobes=0.22):
        self.cx, self.cy, self.radius, self.nvtx = cx, cy, radius, nvtx
        k = np.arange(2, kmax + 1)
        self.amp = rng.uniform(0.3, 1.0, k.size) * lobes / k ** 1.1
        self.k = k
        self.phase = rng.uniform(0, 2 * math.pi, k.size)
        self.t0 = rng.uniform(0, 2 * math.pi)
        self.noise = rng.normal(0.0, rough, nvtx)

    def radial(self):
        t = self.t0 + np.linspace(0, 2 * math.pi, self.nvtx, endpoint=False)
        r = 1.0 + (self.amp[None, :] * np.cos(self.k[None, :] * t[:, None] + self.phase[None, :])).sum(1)
        r = np.maximum(r, 0.25) + self.noise
        return t, r

    def ring(self, scale=1.0):
        t, r = self.radial()
        rr = self.radius * scale * r
        return close(np.column_stack([self.cx + rr * np.cos(t), self.cy + rr * np.sin(t)]))

    def rmin(self, scale=1.0):
        return self.radius * scale * float(self.radial()[1].min())


def write_layer(path, driver, name, epsg, gtype, fields, rows, lco=()):
    """rows: iterable of (wkb, [values]).  Returns the feature count."""
    drv = ogr.GetDriverByName(driver)
    if os.path.exists(path):
        drv.DeleteDataSource(path)
    ds = drv.CreateDataSource(path)
    opts = list(lco)
    if driver == "ESRI Shapefile":
        opts += ["ENCODING=GBK", "DBF_DATE_LAST_UPDATE=" + DBF_DATE]
    lyr = ds.CreateLayer(name, srs(epsg), gtype, options=opts)
    for fname, ftype, width in fields:
        fd = ogr.FieldDefn(fname, ftype)
        if width:
            fd.SetWidth(width)
        if ftype == ogr.OFTReal:
            fd.SetWidth(16)
            fd.SetPrecision(4)
        lyr.CreateField(fd)
    defn = lyr.GetLayerDefn()
    n = 0
    lyr.StartTransaction()
    for wkb, values in rows:
        f = ogr.Feature(defn)
        for i, v in enumerate(values):
            f.SetField(i, v)
        f.SetGeometryDirectly(ogr.CreateGeometryFromWkb(wkb))
        lyr.CreateFeature(f)
        n += 1
        if n % 100_000 == 0:
            lyr.CommitTransaction()
            lyr.StartTransaction()
    lyr.CommitTransaction()
    ds = None
    if driver == "ESRI Shapefile":   # GDAL writes the ENCODING value into the .cpg verbatim
        with open(os.path.splitext(path)[0] + ".cpg", "w") as fh:
            fh.write("GBK")
    return n


class Transformer:
    def __init__(self, src, dst):
        self.ct = osr.CoordinateTransformation(srs(src), srs(dst))

    def __call__(self, xy):
        out = self.ct.TransformPoints(np.asarray(xy, dtype=float))
        return np.asarray(out, dtype=float)[:, :2]


def county_code(cfg, x, y):
    """A 6-digit code from a grid of 'counties' over the region."""
    n = int(round(math.sqrt(cfg["county_codes"])))
    if n <= 1:
        return "341122"
    side = cfg["side"]
    i = min(n - 1, max(0, int((x - (X0 - side / 2)) / side * n)))
    j = min(n - 1, max(0, int((y - (Y_CENTRE - side / 2)) / side * n)))
    return "34%02d%02d" % (j + 1, i + 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("size", choices=sorted(SIZES))
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=20240611)
    a = ap.parse_args()
    cfg = SIZES[a.size]
    os.makedirs(a.outdir, exist_ok=True)
    ss = np.random.SeedSequence([a.seed, list(SIZES).index(a.size)])
    r_eco, r_v2, r_udb, r_parcel, r_fp = [np.random.Generator(np.random.PCG64(s)) for s in ss.spawn(5)]
    side = cfg["side"]
    xmin, ymin = X0 - side / 2, Y_CENTRE - side / 2
    xmax, ymax = xmin + side, ymin + side
    manifest = ["size: %s  seed: %d  region: %.0f km x %.0f km around 117E 30N (GK zone 39)"
                % (a.size, a.seed, side / 1000, side / 1000)]
    t_start = time.time()

    def log(msg):
        print("[gen %6.1fs] %s" % (time.time() - t_start, msg), file=sys.stderr, flush=True)

    # ------------------------------------------------------------------ UDB (EPSG:4548)
    udbs = []
    for i in range(cfg["udb"]):
        R = r_udb.uniform(1500, 4000) if a.size == "county" else r_udb.uniform(1500, 5000)
        cx = r_udb.uniform(xmin + R * 1.3, xmax - R * 1.3)
        cy = r_udb.uniform(ymin + R * 1.3, ymax - R * 1.3)
        nv = int(cfg["udb_vtx"] * r_udb.uniform(0.8, 1.2))
        udbs.append(Star(r_udb, cx, cy, R, nv, kmax=12, rough=0.003, lobes=0.3))
    shift = np.array([X0 - 500_000, 0.0])        # 4527 -> 4548 is a pure false-easting shift

    def udb_rows():
        for i, s in enumerate(udbs):
            ring = orient(s.ring() - shift, ccw=False)
            yield wkb_polygon([ring]), ["城镇开发边界%03d" % (i + 1), UDB_LX[i % 3],
                                        county_code(cfg, s.cx, s.cy)]
    n = write_layer(os.path.join(a.outdir, "udb.shp"), "ESRI Shapefile", "udb", 4548,
                    ogr.wkbPolygon, [("MC", ogr.OFTString, 40), ("LX", ogr.OFTString, 20),
                                     ("XZQDM", ogr.OFTString, 6)], udb_rows())
    manifest.append("udb.shp          EPSG:4548 Shapefile GBK  %8d polygons  %10d vertices"
                    % (n, sum(s.nvtx + 1 for s in udbs)))
    log("udb: %d" % n)

    # ------------------------------------------------------------------ red line v1 (EPSG:4527)
    ecos = []
    for i in range(cfg["eco"]):
        R = float(np.clip(r_eco.lognormal(math.log(900), 0.4), 350, 3000))
        cx = r_eco.uniform(xmin + R, xmax - R)
        cy = r_eco.uniform(ymin + R, ymax - R)
        nv = int(cfg["eco_vtx"] * r_eco.uniform(0.75, 1.25))
        s = Star(r_eco, cx, cy, R, nv)
        s.hole = None
        if r_eco.random() < 0.1:
            s.hole = Star(r_eco, cx, cy, 0.25 * s.rmin(), max(16, nv // 20), kmax=6, rough=0.01)
        s.hxlx = HXLX[int(r_eco.integers(len(HXLX)))]
        ecos.append(s)

    def eco_rings(s, scale=1.0):
        rings = [orient(s.ring(scale), ccw=False)]         # shapefile: outer clockwise
        if s.hole is not None:
            rings.append(orient(s.hole.ring(scale), ccw=True))
        return rings

    def eco_attrs(i, s, rings, hxlx):
        mj = (abs(ring_area(rings[0])) - sum(abs(ring_area(r)) for r in rings[1:])) / 10_000
        return ["HX%05d" % (i + 1), "%s生态保护红线%05d" % (hxlx, i + 1), hxlx,
                county_code(cfg, s.cx, s.cy), round(mj, 4)]

    eco_fields = [("HXBH", ogr.OFTString, 8), ("HXMC", ogr.OFTString, 60),
                  ("HXLX", ogr.OFTString, 20), ("XZQDM", ogr.OFTString, 6), ("MJ", ogr.OFTReal, 0)]

    def v1_rows():
        for i, s in enumerate(ecos):
            rings = eco_rings(s)
            yield wkb_polygon(rings), eco_attrs(i, s, rings, s.hxlx)
    n = write_layer(os.path.join(a.outdir, "redline_v1.shp"), "ESRI Shapefile", "redline_v1", 4527,
                    ogr.wkbPolygon, eco_fields, v1_rows())
    nv_eco = sum(s.nvtx + 1 + (s.hole.nvtx + 1 if s.hole is not None else 0) for s in ecos)
    manifest.append("redline_v1.shp   EPSG:4527 Shapefile GBK  %8d polygons  %10d vertices"
                    % (n, nv_eco))
    log("redline v1: %d polygons, %d vertices" % (n, nv_eco))

    # ------------------------------------------------------------------ red line v2 (EPSG:4490)
    to4490 = Transformer(4527, 4490)
    change = r_v2.choice(["same", "shrunk", "grown", "reclassified", "dropped"],
                         size=len(ecos), p=[0.84, 0.05, 0.05, 0.05, 0.01])
    counts = {k: int((change == k).sum()) for k in ["shrunk", "grown", "reclassified", "dropped"]}
    n_new = max(1, len(ecos) // 100)
    new_ecos = []
    for j in range(n_new):
        R = float(np.clip(r_v2.lognormal(math.log(700), 0.3), 300, 2000))
        cx, cy = r_v2.uniform(xmin + R, xmax - R), r_v2.uniform(ymin + R, ymax - R)
        s = Star(r_v2, cx, cy, R, int(cfg["eco_vtx"] * r_v2.uniform(0.75, 1.25)))
        s.hole, s.hxlx = None, HXLX[j % len(HXLX)]
        new_ecos.append(s)
    newtype = r_v2.integers(1, len(HXLX), len(ecos))

    def v2_rows():
        for i, s in enumerate(ecos):
            c = change[i]
            if c == "dropped":
                continue
            scale = {"shrunk": 0.97, "grown": 1.04}.get(c, 1.0)
            hxlx = HXLX[(HXLX.index(s.hxlx) + newtype[i]) % len(HXLX)] if c == "reclassified" else s.hxlx
            rings = eco_rings(s, scale)
            attrs = eco_attrs(i, s, rings, hxlx)
            yield wkb_polygon([orient(to4490(r), ccw=True) for r in rings]), attrs
        for j, s in enumerate(new_ecos):
            rings = eco_rings(s)
            attrs = eco_attrs(len(ecos) + j, s, rings, s.hxlx)
            yield wkb_polygon([orient(to4490(r), ccw=True) for r in rings]), attrs
    n = write_layer(os.path.join(a.outdir, "redline_v2.gpkg"), "GPKG", "redline_v2", 4490,
                    ogr.wkbPolygon, eco_fields, v2_rows(), lco=["FID=fid", "GEOMETRY_NAME=geom"])
    manifest.append("redline_v2.gpkg  EPSG:4490 GeoPackage     %8d polygons  (v1 with %s; %d new)"
                    % (n, ", ".join("%d %s" % (v, k) for k, v in counts.items()), n_new))
    log("redline v2: %d polygons" % n)

    # ------------------------------------------------------------------ farmland (EPSG:4490)
    # rows of random height, cut into cells of random width: a tiling of the region
    hs = r_parcel.uniform(60, 280, int(side / 60) + 2)
    ys = ymin + np.concatenate([[0], np.cumsum(hs)])
    ys = ys[ys <= ymax]
    cells = []
    for j in range(len(ys) - 1):
        ws = r_parcel.uniform(50, 300, int(side / 50) + 2)
        xs = xmin + np.concatenate([[0], np.cumsum(ws)])
        xs = xs[xs <= xmax]
        c = np.empty((len(xs) - 1, 4))
        c[:, 0], c[:, 2] = xs[:-1], xs[1:]
        c[:, 1], c[:, 3] = ys[j], ys[j + 1]
        cells.append(c)
    cells = np.concatenate(cells)
    cx, cy = (cells[:, 0] + cells[:, 2]) / 2, (cells[:, 1] + cells[:, 3]) / 2
    # smooth "farmland suitability": a few long waves plus noise; no farmland in UDB cores
    score = r_parcel.normal(0, 0.6, len(cells))
    for _ in range(8):
        kx, ky = r_parcel.normal(0, 2 * math.pi / 8000, 2)
        score += np.sin(kx * (cx - xmin) + ky * (cy - ymin) + r_parcel.uniform(0, 2 * math.pi))
    for s in udbs:
        score[np.hypot(cx - s.cx, cy - s.cy) < 0.6 * s.radius] -= 100
    keep = np.sort(np.argsort(-score, kind="stable")[:cfg["parcels"]])
    cells, cx, cy = cells[keep], cx[keep], cy[keep]
    n_parcels = len(cells)
    # inset by a ditch (2-6 m), jitter the corners within it (a tiling stays a tiling: parcels
    # of a checked delivery do not overlap), sometimes a fifth vertex on one edge; 1 % of the
    # parcels bulge across the ditch into their east neighbour, as digitising errors do.
    gap = r_parcel.uniform(2, 6, n_parcels)
    w = cells[:, 2] - cells[:, 0] - 2 * gap
    h = cells[:, 3] - cells[:, 1] - 2 * gap
    jit = gap[:, None] * r_parcel.uniform(-0.9, 0.9, (n_parcels, 8))
    x0, y0 = cells[:, 0] + gap, cells[:, 1] + gap
    corners = np.stack([
        np.column_stack([x0 + jit[:, 0], y0 + jit[:, 1]]),
        np.column_stack([x0 + w + jit[:, 2], y0 + jit[:, 3]]),
        np.column_stack([x0 + w + jit[:, 4], y0 + h + jit[:, 5]]),
        np.column_stack([x0 + jit[:, 6], y0 + h + jit[:, 7]]),
    ], axis=1)                                            # (n, 4, 2), counter-clockwise
    fifth = r_parcel.random(n_parcels) < 0.3
    bulge = r_parcel.uniform(0.0, 0.9, n_parcels) * gap  # outwards on the east edge: stays convex
    spill = r_parcel.random(n_parcels) < 0.01
    fifth |= spill
    bulge[spill] = 2 * gap[spill] + r_parcel.uniform(1, 10, int(spill.sum()))
    dlbm = r_parcel.integers(0, 3, n_parcels)
    ncc = int(round(math.sqrt(cfg["county_codes"])))
    ci = np.clip(((cx - xmin) / side * ncc).astype(int), 0, max(ncc - 1, 0))
    cj = np.clip(((cy - ymin) / side * ncc).astype(int), 0, max(ncc - 1, 0))
    nv_farm = 0
    CH = 100_000

    def farm_rows():
        nonlocal nv_farm
        for c0 in range(0, n_parcels, CH):
            c1 = min(n_parcels, c0 + CH)
            pts = []
            for i in range(c0, c1):
                q = corners[i]
                if fifth[i]:
                    e = np.array([[(q[1, 0] + q[2, 0]) / 2 + bulge[i], (q[1, 1] + q[2, 1]) / 2]])
                    q = np.vstack([q[:2], e, q[2:]])
                pts.append(q)
            lens = [len(p) for p in pts]
            ll = to4490(np.concatenate(pts))
            off = 0
            for k, i in enumerate(range(c0, c1)):
                ring = close(ll[off:off + lens[k]])
                off += lens[k]
                nv_farm += len(ring)
                code = "341122" if ncc <= 1 else "34%02d%02d" % (cj[i] + 1, ci[i] + 1)
                yield wkb_polygon([ring]), [DLBM[dlbm[i]], "%07d" % (i + 1), code]
            log("farmland: %d / %d" % (c1, n_parcels))
    n = write_layer(os.path.join(a.outdir, "farmland.gpkg"), "GPKG", "farmland", 4490,
                    ogr.wkbPolygon, [("DLBM", ogr.OFTString, 4), ("TBBH", ogr.OFTString, 8),
                                     ("XZQDM", ogr.OFTString, 6)], farm_rows(),
                    lco=["FID=fid", "GEOMETRY_NAME=geom", "SPATIAL_INDEX=YES"])
    manifest.append("farmland.gpkg    EPSG:4490 GeoPackage     %8d polygons  %10d vertices"
                    % (n, nv_farm))

    # ------------------------------------------------------------------ footprints (EPSG:4527)
    nfp = cfg["footprints"]
    kind = r_fp.choice(["redline_edge", "udb", "anywhere"], size=nfp, p=[0.4, 0.25, 0.35])
    n_multi = 0

    def fp_shape(cx, cy):
        d = float(np.exp(r_fp.uniform(math.log(50), math.log(500))))    # across, m
        if r_fp.random() < 0.5:     # rotated rectangle
            w, h = d, d * r_fp.uniform(0.4, 1.0)
            a = r_fp.uniform(0, math.pi)
            pts = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2
        else:                       # irregular polygon, 5-12 vertices
            n = int(r_fp.integers(5, 13))
            t = (np.arange(n) + r_fp.uniform(-0.35, 0.35, n)) * (2 * math.pi / n)  # gaps < pi: simple
            r = d / 2 * r_fp.uniform(0.55, 1.0, n)
            pts = np.column_stack([r * np.cos(t), r * np.sin(t)])
            a = 0.0
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        return orient(close(pts @ rot.T + [cx, cy]), ccw=False), d

    def fp_rows():
        nonlocal n_multi
        for i in range(nfp):
            k = kind[i]
            if k == "redline_edge":
                s = ecos[int(r_fp.integers(len(ecos)))]
                t = r_fp.uniform(0, 2 * math.pi)
                tt, rr = s.radial()
                rb = s.radius * float(np.interp(t - s.t0, tt - s.t0, rr, period=2 * math.pi))
                dist = rb + r_fp.normal(0, 150)
                cx, cy = s.cx + dist * math.cos(t), s.cy + dist * math.sin(t)
            elif k == "udb":
                s = udbs[int(r_fp.integers(len(udbs)))]
                t = r_fp.uniform(0, 2 * math.pi)
                dist = s.radius * math.sqrt(r_fp.uniform(0, 1))
                cx, cy = s.cx + dist * math.cos(t), s.cy + dist * math.sin(t)
            else:
                cx, cy = r_fp.uniform(xmin + 500, xmax - 500), r_fp.uniform(ymin + 500, ymax - 500)
            ring, d = fp_shape(cx, cy)
            if r_fp.random() < 0.02:   # a two-part project (e.g. a road and its borrow pit)
                n_multi += 1
                a = r_fp.uniform(0, 2 * math.pi)
                ring2, _ = fp_shape(cx + 1.5 * d * math.cos(a) + 600 * math.cos(a),
                                    cy + 1.5 * d * math.sin(a) + 600 * math.sin(a))
                wkb = wkb_multipolygon([[ring], [ring2]])
            else:
                wkb = wkb_polygon([ring])
            yield wkb, ["XM%06d" % (i + 1), "建设项目%06d" % (i + 1), county_code(cfg, cx, cy)]
    n = write_layer(os.path.join(a.outdir, "footprints.shp"), "ESRI Shapefile", "footprints", 4527,
                    ogr.wkbPolygon, [("XMBH", ogr.OFTString, 8), ("XMMC", ogr.OFTString, 40),
                                     ("XZQDM", ogr.OFTString, 6)], fp_rows())
    manifest.append("footprints.shp   EPSG:4527 Shapefile GBK  %8d polygons  (%d two-part MultiPolygons; "
                    "%d at a red-line edge, %d in a UDB, %d anywhere)"
                    % (n, n_multi, (kind == "redline_edge").sum(), (kind == "udb").sum(),
                       (kind == "anywhere").sum()))
    log("footprints: %d" % n)

    with open(os.path.join(a.outdir, "MANIFEST.txt"), "w") as fh:
        fh.write("\n".join(manifest) + "\n")
    print("\n".join(manifest))
    log("done")


if __name__ == "__main__":
    main()
