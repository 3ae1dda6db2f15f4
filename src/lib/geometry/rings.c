/* rings.c -- building the flat ring arrays of rings.h. */
#include "geometry/rings.h"

#include <math.h>
#include <stdlib.h>

/* Append one ring; 0 when it is not a plain closed ring of finite points. */
static int add_ring(rl_ctx *ctx, rl_rings *G, const GEOSGeometry *ring)
{
    GEOSContextHandle_t h = ctx->geos;
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n) || n < 4 || n > UINT32_MAX / 2)
        return 0;
    /* pts holds x,y pairs: capacity counted in points. */
    if (!rl_grow(&G->pts, &G->cap_pts, G->npts + n, 2 * sizeof *G->pts) ||
        !rl_grow(&G->rings, &G->cap_rings, G->nrings + 1, sizeof *G->rings))
        return 0;
    double *pt = G->pts + 2 * G->npts;
    if (!GEOSCoordSeq_copyToBuffer_r(h, cs, pt, 0, 0))
        return 0;
    rl_ring *r = &G->rings[G->nrings];
    r->off = (uint32_t)G->npts;
    r->n = n;
    r->shell = 0;
    r->env[0] = r->env[2] = pt[0];
    r->env[1] = r->env[3] = pt[1];
    for (unsigned int i = 0; i < n; i++) {
        double x = pt[2 * i], y = pt[2 * i + 1];
        if (!isfinite(x) || !isfinite(y))
            return 0;
        if (i > 0 && x == pt[2 * i - 2] && y == pt[2 * i - 1])
            return 0; /* repeated vertex: valid or not, GEOS decides */
        if (x < r->env[0]) r->env[0] = x;
        if (x > r->env[2]) r->env[2] = x;
        if (y < r->env[1]) r->env[1] = y;
        if (y > r->env[3]) r->env[3] = y;
    }
    if (pt[0] != pt[2 * (n - 1)] || pt[1] != pt[2 * (n - 1) + 1])
        return 0;
    G->npts += n;
    G->nrings++;
    return 1;
}

/* Append the rings of polygon poly; records the shell's ring index. */
static int add_polygon(rl_ctx *ctx, rl_rings *G, const GEOSGeometry *poly,
                       size_t *shell, int *nholes)
{
    GEOSContextHandle_t h = ctx->geos;
    if (GEOSisEmpty_r(h, poly) != 0)
        return 0;
    int nh = GEOSGetNumInteriorRings_r(h, poly);
    if (nh < 0 || nh > RL_RINGS_MAX_HOLES)
        return 0;
    *shell = G->nrings;
    *nholes = nh;
    if (!add_ring(ctx, G, GEOSGetExteriorRing_r(h, poly)))
        return 0;
    G->rings[*shell].shell = 1;
    for (int i = 0; i < nh; i++)
        if (!add_ring(ctx, G, GEOSGetInteriorRingN_r(h, poly, i)))
            return 0;
    return 1;
}

void rl_rings_free(void *scratch)
{
    rl_rings *G = scratch;
    if (!G)
        return;
    free(G->pts);
    free(G->rings);
    free(G->segs);
    free(G->start);
    free(G->entries);
    free(G);
}

/*
 * Append the rings of polygonal g; shells[] and nholes[] get one entry per
 * polygon, *np their number.  0 when g is not a plain (multi)polygon within
 * the limits above.
 */
int rl_rings_add(rl_ctx *ctx, rl_rings *G, const GEOSGeometry *g,
                        size_t *shells, int *nholes, int *np)
{
    GEOSContextHandle_t h = ctx->geos;
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        *np = 1;
        return add_polygon(ctx, G, g, &shells[0], &nholes[0]);
    }
    if (type != GEOS_MULTIPOLYGON)
        return 0;
    *np = GEOSGetNumGeometries_r(h, g);
    if (*np < 1 || *np > RL_RINGS_MAX_POLYS)
        return 0;
    for (int i = 0; i < *np; i++)
        if (!add_polygon(ctx, G, GEOSGetGeometryN_r(h, g, i), &shells[i],
                         &nholes[i]))
            return 0;
    return 1;
}

/*
 * The work arrays live in the context: big fresh allocations are mapped and
 * faulted in anew each call, which cost more than the test itself.
 */
rl_rings *rl_rings_reset(rl_ctx *ctx)
{
    if (!ctx->rings.p) {
        ctx->rings.p = calloc(1, sizeof(rl_rings));
        ctx->rings.free = rl_rings_free;
    }
    rl_rings *G = ctx->rings.p;
    if (G)
        G->npts = G->nrings = 0;
    return G;
}
