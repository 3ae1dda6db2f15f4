/*
 * clip.c -- the intersection of two polygons when one is small and convex.
 *
 * Screening a province meets tens of thousands of footprint x parcel pairs,
 * each a polygon of a handful of vertices.  GEOS's overlay spends ~35 us on
 * each, almost all of it fixed set-up: building an edge graph and validating
 * its noding.  When one of the two is convex the intersection is what
 * Sutherland-Hodgman clipping gives: the other polygon cut by each edge line
 * of the convex one in turn, a few dozen multiply-adds.  The same clip takes
 * a big control polygon seen from a convex footprint: the one ring near it,
 * its far runs cut to chords by the ring index (rl_clip_ring).
 *
 * Clipping by a convex polygon gives the exact intersection when that is one
 * piece; when it falls apart (a concave footprint reaching across a parcel
 * twice), the pieces come out joined by zero-width bridges along the clip
 * edges.  Such output, like anything else not certified valid by
 * rl_valid_fast(), is refused, and the caller overlays with GEOS as before.
 * So the result is always a valid polygon whose vertices are the inputs'
 * vertices and their edges' intersection points, as GEOS's would be.
 */
#include "overlay/overlay.h"

#include <stddef.h>
#include <string.h>

#define CLIP_MAX_CONVEX 64    /* vertices of the convex polygon */
#define CLIP_MAX_SUBJECT 4096 /* vertices of the other */

/*
 * Number of points of the (closed) ring of a hole-free polygon of at most
 * CLIP_MAX_SUBJECT vertices; 0 for anything else.
 */
static unsigned int ring_size(rl_ctx *ctx, const GEOSGeometry *g,
                              const GEOSCoordSequence **cs)
{
    GEOSContextHandle_t h = ctx->geos;
    if (GEOSGeomTypeId_r(h, g) != GEOS_POLYGON || GEOSGetNumInteriorRings_r(h, g) != 0)
        return 0;
    const GEOSGeometry *ring = GEOSGetExteriorRing_r(h, g);
    *cs = ring ? GEOSGeom_getCoordSeq_r(h, ring) : NULL;
    unsigned int m = 0;
    if (!*cs || !GEOSCoordSeq_getSize_r(h, *cs, &m) || m < 4 || m > CLIP_MAX_SUBJECT + 1)
        return 0;
    return m;
}

/*
 * +1 or -1 when the ring of a valid polygon turns only left (right) where
 * the turn is certain; then it is convex.  0 otherwise.
 */
static int convex_sign(const double *xy, size_t n)
{
    int sign = 0;
    for (size_t i = 0; i < n; i++) {
        const double *a = xy + 2 * ((i + n - 1) % n), *b = xy + 2 * i,
                     *c = xy + 2 * ((i + 1) % n);
        int o = rl_orient2d(a, b, c);
        if (o == 0)
            continue;
        if (sign == 0)
            sign = o;
        else if (o != sign)
            return 0;
    }
    return sign;
}

/*
 * Keep the part of subject ring s (ns points) left of the directed line
 * k0->k1 into out (cap points); returns the count, or -1 past cap.
 */
static long clip_line(const double *s, size_t ns, const double *k0,
                      const double *k1, double *out, size_t cap)
{
    double ux = k1[0] - k0[0], uy = k1[1] - k0[1];
    size_t m = 0;
    const double *p = s + 2 * (ns - 1);
    double dp = ux * (p[1] - k0[1]) - uy * (p[0] - k0[0]);
    for (size_t i = 0; i < ns; i++) {
        const double *q = s + 2 * i;
        double dq = ux * (q[1] - k0[1]) - uy * (q[0] - k0[0]);
        if ((dp >= 0) != (dq >= 0)) {
            if (m >= cap)
                return -1;
            double t = dp / (dp - dq);
            out[2 * m] = p[0] + t * (q[0] - p[0]);
            out[2 * m + 1] = p[1] + t * (q[1] - p[1]);
            m++;
        }
        if (dq >= 0) {
            if (m >= cap)
                return -1;
            out[2 * m] = q[0];
            out[2 * m + 1] = q[1];
            m++;
        }
        p = q;
        dp = dq;
    }
    return (long)m;
}

/*
 * Subject ring s (ns points, open) clipped by the convex ring k (nk points,
 * open, turning sign), in two work buffers of cap + 1 points each; k is
 * translated in place.  See rl_clip_small for what is returned.
 */
static GEOSGeometry *clip_by_convex(rl_ctx *ctx, double *k, size_t nk, int sign,
                                    const double *s, size_t ns, double *work,
                                    size_t cap)
{
    GEOSContextHandle_t h = ctx->geos;
    double *buf[2] = {work, work + 2 * (cap + 1)};
    if (ns > cap)
        return NULL;
    /*
     * Work relative to a vertex of the clip: intersection points are then
     * found to ~1e-14 of the polygons' size, not to the ~1e-8 m spacing of
     * doubles at Gauss-Kruger magnitudes, and rounded to that spacing once,
     * at the end.  Thin slivers depend on it.
     */
    double ox = k[0], oy = k[1];
    for (size_t i = 0; i < nk; i++) {
        k[2 * i] -= ox;
        k[2 * i + 1] -= oy;
    }
    for (size_t i = 0; i < ns; i++) {
        buf[0][2 * i] = s[2 * i] - ox;
        buf[0][2 * i + 1] = s[2 * i + 1] - oy;
    }
    size_t n = ns;
    int cur = 0;
    for (size_t i = 0; i < nk && n > 0; i++) {
        /* Left of each edge is inside a counter-clockwise ring. */
        const double *k0 = k + 2 * i, *k1 = k + 2 * ((i + 1) % nk);
        long m = sign > 0 ? clip_line(buf[cur], n, k0, k1, buf[!cur], cap)
                          : clip_line(buf[cur], n, k1, k0, buf[!cur], cap);
        if (m < 0)
            return NULL;
        n = (size_t)m;
        cur = !cur;
    }
    /* Points where the subject touched a clip line come out twice. */
    double *o = buf[cur];
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        double x = o[2 * i] + ox, y = o[2 * i + 1] + oy;
        if (u == 0 || x != o[2 * (u - 1)] || y != o[2 * (u - 1) + 1]) {
            o[2 * u] = x;
            o[2 * u + 1] = y;
            u++;
        }
    }
    while (u > 1 && o[0] == o[2 * (u - 1)] && o[1] == o[2 * (u - 1) + 1])
        u--;
    if (u < 3)
        return GEOSGeom_createEmptyPolygon_r(h);
    o[2 * u] = o[0];
    o[2 * u + 1] = o[1];
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(h, o, u + 1, 0, 0);
    GEOSGeometry *ring = cs ? GEOSGeom_createLinearRing_r(h, cs) : NULL;
    GEOSGeometry *poly = ring ? GEOSGeom_createPolygon_r(h, ring, NULL, 0) : NULL;
    if (!poly)
        return NULL; /* out of memory: GEOS gets its turn */
    /* A sliver of zero width, a bridge or a spike: let GEOS decide. */
    if (rl_valid_fast(ctx, poly) != 1) {
        GEOSGeom_destroy_r(h, poly);
        return NULL;
    }
    return poly;
}

GEOSGeometry *rl_clip_small(rl_ctx *ctx, const GEOSGeometry *a, const GEOSGeometry *b)
{
    GEOSContextHandle_t h = ctx->geos;
    const GEOSCoordSequence *csa = NULL, *csb = NULL;
    unsigned int ma = ring_size(ctx, a, &csa), mb = ring_size(ctx, b, &csb);
    if (!ma || !mb || (ma > CLIP_MAX_CONVEX + 1 && mb > CLIP_MAX_CONVEX + 1))
        return NULL;
    /* Both rings (closed), then two output buffers of cap + 1 points each. */
    size_t na = ma - 1, nb = mb - 1, cap = 4 * (na + nb) + 16;
    if (!rl_grow(&ctx->clip_buf, &ctx->clip_cap, 2 * (ma + mb + 2 * (cap + 1)),
                 sizeof *ctx->clip_buf))
        return NULL;
    double *ra = ctx->clip_buf, *rb = ra + 2 * ma;
    if (!GEOSCoordSeq_copyToBuffer_r(h, csa, ra, 0, 0) ||
        !GEOSCoordSeq_copyToBuffer_r(h, csb, rb, 0, 0))
        return NULL;
    int sign = na <= CLIP_MAX_CONVEX ? convex_sign(ra, na) : 0;
    if (sign)
        return clip_by_convex(ctx, ra, na, sign, rb, nb, rb + 2 * mb, cap);
    sign = nb <= CLIP_MAX_CONVEX ? convex_sign(rb, nb) : 0;
    return sign ? clip_by_convex(ctx, rb, nb, sign, ra, na, rb + 2 * mb, cap) : NULL;
}

GEOSGeometry *rl_clip_ring(rl_ctx *ctx, const GEOSGeometry *convex, const double *s,
                           size_t ns)
{
    GEOSContextHandle_t h = ctx->geos;
    const GEOSCoordSequence *cs = NULL;
    unsigned int m = ring_size(ctx, convex, &cs);
    if (!m || m > CLIP_MAX_CONVEX + 1 || ns < 3)
        return NULL;
    size_t nk = m - 1, cap = 4 * (nk + ns) + 16;
    if (!rl_grow(&ctx->clip_buf, &ctx->clip_cap, 2 * (m + 2 * (cap + 1)),
                 sizeof *ctx->clip_buf))
        return NULL;
    double *k = ctx->clip_buf;
    if (!GEOSCoordSeq_copyToBuffer_r(h, cs, k, 0, 0))
        return NULL;
    int sign = convex_sign(k, nk);
    return sign ? clip_by_convex(ctx, k, nk, sign, s, ns, k + 2 * m, cap) : NULL;
}
