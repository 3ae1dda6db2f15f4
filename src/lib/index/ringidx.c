/*
 * ringidx.c -- where a rectangle lies against a big polygon, cheaply.
 *
 * Screening clips a big control polygon to each footprint's envelope and
 * overlays the rest.  GEOSClipByRect walks every vertex (~30 us for a
 * 3 000-vertex red-line polygon), and more than half of the footprints near
 * such a polygon lie clear inside or clear outside it.  Runs of 32 segments
 * with their envelopes answer that in a few dozen comparisons: when no
 * segment's envelope meets the rectangle, the rectangle is all interior or
 * all exterior, and one point-in-polygon test (a ray cast over the runs the
 * ray can meet, with certified orientation signs) says which.
 */
#include "index/index.h"

#include <stdint.h>
#include <stdlib.h>

#define RUN 32 /* segments per run */

typedef struct {
    double env[4];                /* minx, miny, maxx, maxy */
    const GEOSCoordSequence *seq; /* the ring's, borrowed from g */
    uint32_t first, n;            /* segments first .. first + n - 1 */
} run_t;

struct rl_ringidx {
    run_t *runs;
    size_t n, cap;
};

static int add_ring(rl_ctx *ctx, rl_ringidx *ri, const GEOSGeometry *ring,
                    double **buf, size_t *bufcap)
{
    GEOSContextHandle_t h = ctx->geos;
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int np = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &np))
        return 0;
    if (np < 2)
        return 1;
    if (!rl_grow(buf, bufcap, np, 2 * sizeof **buf))
        return 0;
    double *pt = *buf;
    if (!GEOSCoordSeq_copyToBuffer_r(h, cs, pt, 0, 0))
        return 0;
    for (uint32_t s = 0; s + 1 < np; s += RUN) {
        if (!rl_grow(&ri->runs, &ri->cap, ri->n + 1, sizeof *ri->runs))
            return 0;
        run_t *r = &ri->runs[ri->n++];
        r->seq = cs;
        r->first = s;
        r->n = np - 1 - s < RUN ? np - 1 - s : RUN;
        r->env[0] = r->env[2] = pt[2 * s];
        r->env[1] = r->env[3] = pt[2 * s + 1];
        for (uint32_t i = s + 1; i <= s + r->n; i++) {
            double x = pt[2 * i], y = pt[2 * i + 1];
            if (x < r->env[0]) r->env[0] = x;
            if (x > r->env[2]) r->env[2] = x;
            if (y < r->env[1]) r->env[1] = y;
            if (y > r->env[3]) r->env[3] = y;
        }
    }
    return 1;
}

rl_ringidx *rl_ringidx_new(rl_ctx *ctx, const GEOSGeometry *g)
{
    GEOSContextHandle_t h = ctx->geos;
    rl_ringidx *ri = calloc(1, sizeof *ri);
    /* A buffer kept by the context: fresh ones were faulted in per ring. */
    double **buf = &ctx->coord_buf;
    size_t *bufcap = &ctx->coord_cap;
    int ncoords = GEOSGetNumCoordinates_r(h, g);
    int ok = ri != NULL && ncoords >= 0 &&
             rl_grow(&ri->runs, &ri->cap, (size_t)ncoords / RUN + 16, sizeof *ri->runs);
    int type = GEOSGeomTypeId_r(h, g);
    int np = type == GEOS_POLYGON ? 1 : type == GEOS_MULTIPOLYGON ? GEOSGetNumGeometries_r(h, g) : -1;
    if (np < 0)
        ok = 0;
    for (int i = 0; ok && i < np; i++) {
        const GEOSGeometry *p = type == GEOS_POLYGON ? g : GEOSGetGeometryN_r(h, g, i);
        int nh = GEOSGetNumInteriorRings_r(h, p);
        ok = nh >= 0 && add_ring(ctx, ri, GEOSGetExteriorRing_r(h, p), buf, bufcap);
        for (int j = 0; ok && j < nh; j++)
            ok = add_ring(ctx, ri, GEOSGetInteriorRingN_r(h, p, j), buf, bufcap);
    }
    if (!ok) {
        rl_ringidx_free(ri);
        return NULL;
    }
    return ri;
}

void rl_ringidx_free(rl_ringidx *ri)
{
    if (!ri)
        return;
    free(ri->runs);
    free(ri);
}

/*
 * Add to *crossings the segments of run R that a ray from p towards +x
 * crosses; 0 when a coordinate cannot be read or a crossing is too close to
 * call.  With near, also 0 when a segment's envelope meets rectangle r.
 */
static int run_crossings(GEOSContextHandle_t h, const run_t *R, const double p[2],
                         int near, const double r[4], unsigned long *crossings)
{
    int ray = R->env[2] >= p[0] && R->env[1] <= p[1] && p[1] <= R->env[3];
    if (!near && !ray)
        return 1;
    double a[2], b[2];
    if (!GEOSCoordSeq_getXY_r(h, R->seq, R->first, &a[0], &a[1]))
        return 0;
    for (uint32_t i = 1; i <= R->n; i++, a[0] = b[0], a[1] = b[1]) {
        if (!GEOSCoordSeq_getXY_r(h, R->seq, R->first + i, &b[0], &b[1]))
            return 0;
        if (near) {
            double e[4] = {a[0] < b[0] ? a[0] : b[0], a[1] < b[1] ? a[1] : b[1],
                           a[0] > b[0] ? a[0] : b[0], a[1] > b[1] ? a[1] : b[1]};
            if (rl_env_meet(e, r))
                return 0;
        }
        if (ray && (a[1] > p[1]) != (b[1] > p[1])) {
            int o = rl_orient2d(a, b, p);
            if (o == 0)
                return 0;
            if (b[1] > a[1] ? o > 0 : o < 0)
                (*crossings)++;
        }
    }
    return 1;
}

rl_loc rl_ringidx_locate(rl_ctx *ctx, const rl_ringidx *ri, const double r[4])
{
    double p[2] = {(r[0] + r[2]) / 2, (r[1] + r[3]) / 2};
    unsigned long crossings = 0;
    for (size_t k = 0; k < ri->n; k++)
        if (!run_crossings(ctx->geos, &ri->runs[k], p, rl_env_meet(ri->runs[k].env, r), r,
                           &crossings))
            return RL_LOC_CROSSES;
    /* No boundary meets r: it is all interior or all exterior (even-odd). */
    return crossings % 2 ? RL_LOC_INSIDE : RL_LOC_OUTSIDE;
}

size_t rl_ringidx_near(rl_ctx *ctx, const rl_ringidx *ri, const double r[4],
                       double **buf, size_t *cap)
{
    GEOSContextHandle_t h = ctx->geos;
    double p[2] = {(r[0] + r[2]) / 2, (r[1] + r[3]) / 2};
    size_t first = 0, end = 0, n = 0;
    int found = 0;
    unsigned long crossings = 0; /* of the other rings, by a ray from p */
    for (size_t k = 0; k < ri->n;) {
        size_t e = k + 1; /* runs k .. e - 1 are one ring */
        while (e < ri->n && ri->runs[e].seq == ri->runs[k].seq)
            e++;
        int near = 0;
        for (size_t q = k; q < e && !near; q++)
            near = rl_env_meet(ri->runs[q].env, r);
        if (near) {
            if (found)
                return 0;
            found = 1;
            first = k;
            end = e;
        }
        for (size_t q = k; q < e && !near; q++)
            if (!run_crossings(h, &ri->runs[q], p, 0, r, &crossings))
                return 0;
        k = e;
    }
    /* r inside another ring (the shell around a near hole, say): not that ring's region. */
    if (!found || crossings % 2)
        return 0;
    for (size_t q = first; q < end; q++) {
        const run_t *R = &ri->runs[q];
        uint32_t take = rl_env_meet(R->env, r) ? R->n : 1;
        if (!rl_grow(buf, cap, n + take + 1, 2 * sizeof **buf))
            return 0;
        for (uint32_t i = 0; i < take; i++, n++)
            if (!GEOSCoordSeq_getXY_r(h, R->seq, R->first + i, &(*buf)[2 * n],
                                      &(*buf)[2 * n + 1]))
                return 0;
    }
    return n;
}
