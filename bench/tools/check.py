#!/usr/bin/python3
"""Check a peer's per-footprint overlap figures against redline's JSON.

    check.py REDLINE.json PEER [--qgis LAYER=CONTROL,...] [--sample N] [--rel 1e-4] [--abs 0.01]

PEER is a CSV with id,control,overlap_m2 (a missing row means 0), or, with --qgis, the
GeoPackage written by native:calculatevectoroverlaps (fields <layer>_area; the footprints
keep their XMBH field).  Every footprint and control is compared; --sample N also draws N
footprints at random (seeded) and reports them apart, as the issue asked.  A figure agrees
when |peer - redline| <= rel * max(|peer|, |redline|) + abs.
Prints one line, "ok ..." or "FAIL ...", and exits 0 or 1.
"""
import argparse
import csv
import json
import random
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("redline_json")
    ap.add_argument("peer")
    ap.add_argument("--qgis", help="LAYER=CONTROL,... field prefixes of the QGIS output")
    ap.add_argument("--id-field", default="XMBH")
    ap.add_argument("--sample", type=int, default=50)
    ap.add_argument("--rel", type=float, default=1e-4)
    ap.add_argument("--abs", type=float, default=0.01)
    ap.add_argument("--why", default="", help="reason for a looser --abs, printed in the line")
    a = ap.parse_args()

    with open(a.redline_json, encoding="utf-8") as fh:
        rl = json.load(fh)
    ref = {}
    controls = [c["name"] for c in rl["controls"]]
    for f in rl["footprints"]:
        if f.get("verdict") == "error":
            continue
        for c in controls:
            ref[(f["id"], c)] = float(f["controls"][c]["overlap_m2"])

    peer = {}
    if a.qgis:
        from osgeo import ogr
        ogr.UseExceptions()
        mapping = [kv.split("=", 1) for kv in a.qgis.split(",")]
        ds = ogr.Open(a.peer)
        lyr = ds.GetLayer(0)
        for feat in lyr:
            fid = feat.GetField(a.id_field)
            for layer, c in mapping:
                v = feat.GetField(layer + "_area")
                peer[(fid, c)] = float(v) if v is not None else 0.0
    else:
        with open(a.peer, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                key = (row["id"], row["control"])
                peer[key] = peer.get(key, 0.0) + float(row["overlap_m2"] or 0)

    def compare(keys, absol=None):
        absol = a.abs if absol is None else absol
        bad, worst, worst_key = [], 0.0, None
        for k in keys:
            r, p = ref[k], peer.get(k, 0.0)
            d = abs(p - r)
            scale = max(abs(p), abs(r))
            rel = d / scale if scale > 0 else 0.0
            if d > a.rel * scale + absol:
                bad.append((k, r, p))
            if rel > worst and scale > 1.0:
                worst, worst_key = rel, k
        return bad, worst, worst_key

    keys = sorted(ref)
    extra = [k for k in peer if k not in ref and peer[k] > a.abs]
    bad, worst, wk = compare(keys)
    ids = sorted({k[0] for k in keys})
    rnd = random.Random(12345)
    sample_ids = set(rnd.sample(ids, min(a.sample, len(ids))))
    sbad, sworst, _ = compare([k for k in keys if k[0] in sample_ids])
    nonzero = sum(1 for k in keys if ref[k] > 0)
    msg = ("%d figures (%d footprints x %d controls, %d non-zero); sample of %d footprints: %d off "
           "(max rel %.1e); all: %d off, max rel diff %.1e%s; tolerance %g rel + %g m2"
           % (len(keys), len(ids), len(controls), nonzero, len(sample_ids), len(sbad), sworst,
              len(bad), worst, " (on a %.1f m2 figure)" % ref[wk] if wk else "", a.rel, a.abs))
    if a.abs != 0.01:
        strict = compare(keys, 0.01)[0]
        msg += " (%s; %d figures beyond 0.01 m2, largest difference %.3f m2)" % (
            a.why or "looser absolute term", len(strict),
            max([abs(p - r) for _, r, p in strict] or [0.0]))
    if bad or extra:
        print("FAIL " + msg + ("; %d figures the peer has and redline lacks" % len(extra) if extra else ""))
        for k, r, p in bad[:10]:
            print("  %s %s: redline %.4f peer %.4f" % (k[0], k[1], r, p), file=sys.stderr)
        sys.exit(1)
    print("ok " + msg)


if __name__ == "__main__":
    main()
