#!/usr/bin/python3
"""Write the fuzz seed corpus, tests/fuzz/corpus/ (run from anywhere).

    /usr/bin/python3 tests/fuzz/make_corpus.py   (the python with python3-gdal)

Each seed is a fuzz input as tests/fuzz/fuzz_redline.c reads it: two option
bytes, then the file (or, for a shapefile, length-prefixed parts).  The seeds
are the sample footprints and a few tiny hand-made layers placed on, in the
hole of, and beside the fuzz target's control polygons.  Needs python3-gdal.
"""
import os
import shutil
import sqlite3
import struct
import sys
import tempfile
import zipfile

from osgeo import ogr, osr

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SAMPLES = os.path.join(ROOT, "sample_shapes")
OUT = os.path.join(HERE, "corpus")

GEOJSON, GPKG, SHP, ZIP = 0, 1, 2, 3
TABLE, CSV, JSON = 0x00, 0x10, 0x20
ASSUME_SRS, PLANAR = 0x04, 0x08
PIECES_GEOJSON, PIECES_GPKG, PIECES_SHP = 0x40, 0x80, 0xC0
ID_FIELD, STRICT, ENC_GBK, MIN_AREA_0, BY, MU, AS_CONTROL = 1, 2, 4, 8, 16, 32, 64
ABSENT = 0x80000000

# On control A's edge, in its hole, and a bow-tie beside control B (EPSG:4527).
RINGS = [
    "POLYGON ((39511500 4412500,39512500 4412500,39512500 4413500,39511500 4413500,39511500 4412500))",
    "POLYGON ((39513200 4414200,39513800 4414200,39513800 4414800,39513200 4414800,39513200 4414200))",
    "POLYGON ((39516500 4415500,39517500 4416500,39517500 4415500,39516500 4416500,39516500 4415500))",
]


def seed(name, b0, b1, body):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(bytes([b0, b1]) + body)


def container(parts):
    """Shapefile parts (bytes, or None for a missing part) as the target reads them."""
    out = b""
    for p in parts:
        out += struct.pack("<I", ABSENT) if p is None else struct.pack("<I", len(p)) + p
    return out


def read(path):
    with open(path, "rb") as f:
        return f.read()


def make_layer(driver, path, wkts, encoding=None, srs=True):
    ds = ogr.GetDriverByName(driver).CreateDataSource(path)
    sr = None
    if srs:
        sr = osr.SpatialReference()
        sr.ImportFromEPSG(4527)
    opts = ["ENCODING=" + encoding] if encoding else []
    lyr = ds.CreateLayer("fp", sr, ogr.wkbPolygon, opts)
    lyr.CreateField(ogr.FieldDefn("XMBH", ogr.OFTString))
    for i, wkt in enumerate(wkts):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("XMBH", "P%02d" % i)
        f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    ds = None


def main():
    ogr.UseExceptions()
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    tmp = tempfile.mkdtemp()
    try:
        seed("geojson-projects-4490", GEOJSON | JSON, 0,
             read(os.path.join(SAMPLES, "projects_4490.geojson")))
        make_layer("GeoJSON", os.path.join(tmp, "hand.geojson"), RINGS)
        seed("geojson-hand", GEOJSON | TABLE, ID_FIELD | BY,
             read(os.path.join(tmp, "hand.geojson")))
        seed("geojson-hand-as-control", GEOJSON | CSV | PIECES_GPKG, AS_CONTROL,
             read(os.path.join(tmp, "hand.geojson")))

        make_layer("GPKG", os.path.join(tmp, "one.gpkg"), RINGS[:1])
        # Smallest pages: the seed stays a few kB and mutations hit content.
        db = sqlite3.connect(os.path.join(tmp, "one.gpkg"))
        db.execute("PRAGMA page_size=512")
        db.execute("VACUUM")
        db.close()
        seed("gpkg-one", GPKG | JSON | PIECES_GEOJSON, STRICT,
             read(os.path.join(tmp, "one.gpkg")))
        seed("gpkg-one-as-control", GPKG | TABLE, AS_CONTROL,
             read(os.path.join(tmp, "one.gpkg")))

        proj = [read(os.path.join(SAMPLES, "projects." + e))
                for e in ("shp", "shx", "dbf", "prj", "cpg")]
        seed("shp-projects", SHP | CSV, ID_FIELD, container(proj))
        seed("shp-projects-as-control", SHP | JSON, AS_CONTROL | STRICT, container(proj))
        seed("shp-projects-noshx", SHP | TABLE | PIECES_SHP, MIN_AREA_0,
             container([proj[0], None, proj[2], proj[3], None]))

        # One polygon, GBK text, no .cpg: the encoding guess.
        make_layer("ESRI Shapefile", os.path.join(tmp, "one.shp"), RINGS[:1],
                   encoding="GBK")
        base = os.path.join(tmp, "one.")
        one = [read(base + e) for e in ("shp", "shx", "dbf", "prj")]
        seed("shp-one", SHP | JSON | PIECES_GPKG, BY | MU, container(one + [None]))
        seed("shp-one-nocrs", SHP | TABLE | ASSUME_SRS | PLANAR, ENC_GBK,
             container(one[:3] + [None, None]))

        zpath = os.path.join(tmp, "one.zip")
        with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
            for e in ("shp", "shx", "dbf", "prj"):
                z.write(base + e, "data/one." + e)
        seed("zip-one", ZIP | JSON, 0, read(zpath))
    finally:
        shutil.rmtree(tmp)
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print("%d seeds, %d bytes in %s" % (len(os.listdir(OUT)), total, OUT))


if __name__ == "__main__":
    sys.exit(main())
