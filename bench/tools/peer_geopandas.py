#!/usr/bin/python3
"""geopandas peer of `redline screen`: per footprint and control, the geodesic area of
footprint ∩ union(control features).

    peer_geopandas.py OUT.csv FOOTPRINTS ID_FIELD NAME=PATH...

Each footprint layer is reprojected into the control's CRS (redline overlays in the
control's CRS too), overlaid with geopandas.overlay(how="intersection"), the pieces of one
footprint are dissolved (unary union: overlapping control features count once), and the
result is reprojected to EPSG:4490 and measured with pyproj.Geod.geometry_area_perimeter on
the CGCS2000 ellipsoid (geodesic edges, like PostGIS geography and redline).
Writes id,control,overlap_m2 (footprints without overlap are left out).
"""
import csv
import sys
import time

import geopandas as gpd
import pyproj
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient


def geod_area(geod, g):
    if g is None or g.is_empty:
        return 0.0
    if isinstance(g, Polygon):
        return abs(geod.geometry_area_perimeter(orient(g, 1.0))[0])
    if isinstance(g, MultiPolygon):
        return sum(geod_area(geod, p) for p in g.geoms)
    if hasattr(g, "geoms"):
        return sum(geod_area(geod, p) for p in g.geoms)
    return 0.0


def main():
    out, fp_path, id_field = sys.argv[1:4]
    controls = [a.split("=", 1) for a in sys.argv[4:]]
    t0 = time.time()
    fp = gpd.read_file(fp_path)[[id_field, "geometry"]].rename(columns={id_field: "fp_id"})
    geod = pyproj.CRS.from_epsg(4490).get_geod()
    rows = []
    for name, path in controls:
        c = gpd.read_file(path)[["geometry"]]
        f = fp.to_crs(c.crs)
        pieces = gpd.overlay(f, c, how="intersection", keep_geom_type=True)
        if len(pieces):
            u = pieces.dissolve(by="fp_id").to_crs(epsg=4490)
            for fid, g in zip(u.index, u.geometry):
                rows.append((fid, name, geod_area(geod, g)))
        print("geopandas: %s done at %.1f s (%d pieces)" % (name, time.time() - t0, len(pieces)),
              file=sys.stderr, flush=True)
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "control", "overlap_m2"])
        for r in rows:
            w.writerow([r[0], r[1], "%.6f" % r[2]])


if __name__ == "__main__":
    main()
