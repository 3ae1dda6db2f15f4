#!/usr/bin/env python3
"""Build a messy delivery folder for `redline audit` tests: one file of each
broken kind, plus good files in three formats and a zipped delivery whose
member names are GBK without the UTF-8 flag (as Chinese Windows writes them).

Standard library plus the ogr2ogr program.  Usage: make_fixture.py SAMPLES OUT
"""
import json
import os
import shutil
import subprocess
import sys
import zipfile

SAMPLES, OUT = sys.argv[1], sys.argv[2]
PARTS = ("shp", "shx", "dbf", "prj", "cpg")


def copy_shp(name, dest, skip=()):
    os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
    for ext in PARTS:
        if ext not in skip:
            shutil.copy(os.path.join(SAMPLES, name + "." + ext), dest + "." + ext)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def geojson(features, epsg=4490):
    return json.dumps({"type": "FeatureCollection",
                       "crs": {"type": "name",
                               "properties": {"name": "urn:ogc:def:crs:EPSG::%d" % epsg}},
                       "features": features}, ensure_ascii=False)


def poly(props, x0, y0, d=0.002):
    return {"type": "Feature", "properties": props, "geometry": {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x0 + d, y0], [x0 + d, y0 + d], [x0, y0 + d], [x0, y0]]]}}


os.makedirs(OUT, exist_ok=True)
# Good files in three formats.
os.makedirs(os.path.join(OUT, "good"), exist_ok=True)
shutil.copy(os.path.join(SAMPLES, "projects_4490.geojson"), os.path.join(OUT, "good", "a.geojson"))
subprocess.run(["ogr2ogr", "-f", "GPKG", os.path.join(OUT, "good", "b.gpkg"),
                os.path.join(SAMPLES, "projects_4490.geojson"), "-nln", "projects"], check=True)
subprocess.run(["ogr2ogr", "-lco", "ENCODING=GBK", os.path.join(OUT, "good", "c.shp"),
                os.path.join(SAMPLES, "projects_4490.geojson")], check=True)
# The sample projects (one bowtie: invalid_geometry, repaired).
copy_shp("projects", os.path.join(OUT, "repaired", "projects"))
# Broken shapefiles.
copy_shp("projects", os.path.join(OUT, "broken", "no_shx"), skip=("shx",))
copy_shp("projects", os.path.join(OUT, "broken", "no_dbf"), skip=("dbf", "cpg"))
copy_shp("projects", os.path.join(OUT, "broken", "no_prj"), skip=("prj",))
copy_shp("projects", os.path.join(OUT, "broken", "no_cpg"), skip=("cpg",))
copy_shp("projects", os.path.join(OUT, "broken", "truncated"))
p = os.path.join(OUT, "broken", "truncated.shp")
with open(p, "rb") as fh:
    data = fh.read()
with open(p, "wb") as fh:
    fh.write(data[: len(data) // 2])
open(os.path.join(OUT, "broken", "zero.shp"), "wb").close()
with open(os.path.join(OUT, "broken", "garbage.gpkg"), "wb") as fh:
    fh.write(b"SQLite format 3\x00" + b"\xff" * 2000)
# Gauss-Krueger metres under a longitude/latitude .prj.
write(os.path.join(OUT, "broken", "gk_as_lonlat.geojson"), geojson(
    [poly({"XMBH": "G1"}, 39500000.0, 4420000.0, 500.0)], 4490))
write(os.path.join(OUT, "broken", "lines.geojson"), json.dumps({
    "type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
    "geometry": {"type": "LineString", "coordinates": [[117.1, 39.8], [117.2, 39.9]]}}]}))
# Lines of two types: GDAL calls the layer "unknown", but nothing is a polygon.
write(os.path.join(OUT, "broken", "mixed_lines.geojson"), json.dumps({
    "type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {
            "type": "LineString", "coordinates": [[117.1, 39.8], [117.2, 39.9]]}},
        {"type": "Feature", "properties": {}, "geometry": {
            "type": "MultiLineString", "coordinates": [[[117.1, 39.8], [117.2, 39.9]]]}}]}))
write(os.path.join(OUT, "broken", "empty.geojson"), geojson([]))
write(os.path.join(OUT, "broken", "nullgeom.geojson"), geojson([
    poly({"XMBH": "N1"}, 117.20, 39.88), {"type": "Feature", "properties": {"XMBH": "N2"},
                                          "geometry": None}]))
write(os.path.join(OUT, "broken", "dup_ids.geojson"), geojson([
    poly({"XMBH": "D1"}, 117.20, 39.88), poly({"XMBH": "D1"}, 117.21, 39.88),
    poly({"XMBH": "D2"}, 117.22, 39.88)]))
# Not vector data: skipped.
write(os.path.join(OUT, "docs", "说明.txt"), "交付说明\n")
with open(os.path.join(OUT, "docs", "scan.pdf"), "wb") as fh:
    fh.write(b"%PDF-1.4\n%%EOF\n")
# A zipped delivery: GBK member names without the UTF-8 flag.
zpath = os.path.join(OUT, "delivery.zip")
stage = os.path.join(OUT + ".stage")
copy_shp("projects", os.path.join(stage, "projects"))
gbk = "项目红线".encode("gbk")            # 8 bytes
placeholder = b"QZXWQZXW"                 # same length, ASCII
with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
    for ext in PARTS:
        info = zipfile.ZipInfo("inner/" + placeholder.decode() + "." + ext,
                               date_time=(2024, 1, 1, 0, 0, 0))
        with open(os.path.join(stage, "projects." + ext), "rb") as fh:
            z.writestr(info, fh.read(), zipfile.ZIP_DEFLATED)
shutil.rmtree(stage)
with open(zpath, "rb") as fh:
    raw = fh.read()
with open(zpath, "wb") as fh:
    fh.write(raw.replace(placeholder, gbk))
# A zip with UTF-8 flagged Chinese names (Python, 7-Zip, macOS write these).
with open(os.path.join(SAMPLES, "projects_4490.geojson"), "rb") as fh:
    gj = fh.read()
with zipfile.ZipFile(os.path.join(OUT, "utf8.zip"), "w") as z:
    for name in ("甲/项目.geojson", "乙/项目.geojson"):
        z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), gj)
