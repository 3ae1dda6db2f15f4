/*
 * overlay.c -- GEOS overlays with one fallback rule: the floating overlay
 * first, snap-rounding to a grid where it fails; and a covers test whose
 * cost stays linear however many rings its inputs have.
 */
#include "overlay/overlay.h"

#include <stdlib.h>

GEOSGeometry *rl_multipolygon_of(rl_ctx *ctx, const GEOSGeometry *const *gs, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        if (gs[i])
            total += (size_t)GEOSGetNumGeometries_r(ctx->geos, gs[i]);
    GEOSGeometry **polys = malloc((total ? total : 1) * sizeof *polys);
    if (!polys)
        return NULL;
    /* Flatten to polygons so the collection is a valid MultiPolygon type. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!gs[i])
            continue;
        int m = GEOSGetNumGeometries_r(ctx->geos, gs[i]);
        for (int j = 0; j < m; j++) {
            const GEOSGeometry *p = GEOSGetGeometryN_r(ctx->geos, gs[i], j);
            if (GEOSGeomTypeId_r(ctx->geos, p) == GEOS_POLYGON)
                polys[k++] = GEOSGeom_clone_r(ctx->geos, p);
        }
    }
    GEOSGeometry *coll = GEOSGeom_createCollection_r(
        ctx->geos, GEOS_MULTIPOLYGON, polys, (unsigned int)k);
    free(polys);
    return coll;
}

GEOSGeometry *rl_overlay2(rl_ctx *ctx, const GEOSGeometry *a, const GEOSGeometry *b,
                          double grid, int difference)
{
    GEOSContextHandle_t h = ctx->geos;
    int na = GEOSGetNumCoordinates_r(h, a), nb = GEOSGetNumCoordinates_r(h, b);
    ctx->overlay_work += (unsigned long long)(na > 0 ? na : 0) + (unsigned long long)(nb > 0 ? nb : 0);
    GEOSGeometry *x = difference ? GEOSDifference_r(h, a, b) : GEOSIntersection_r(h, a, b);
    if (!x && grid > 0)
        x = difference ? GEOSDifferencePrec_r(h, a, b, grid)
                       : GEOSIntersectionPrec_r(h, a, b, grid);
    GEOSGeometry *p = x ? rl_polygonal(ctx, x) : NULL;
    GEOSGeom_destroy_r(h, x);
    return p;
}

GEOSGeometry *rl_union_all(rl_ctx *ctx, const GEOSGeometry *const *gs, size_t n,
                           double grid)
{
    GEOSGeometry *coll = rl_multipolygon_of(ctx, gs, n);
    if (!coll)
        return NULL;
    int nc = GEOSGetNumCoordinates_r(ctx->geos, coll);
    ctx->overlay_work += (unsigned long long)(nc > 0 ? nc : 0);
    GEOSGeometry *u = GEOSUnaryUnion_r(ctx->geos, coll);
    if (!u && grid > 0)
        u = GEOSUnaryUnionPrec_r(ctx->geos, coll, grid);
    GEOSGeom_destroy_r(ctx->geos, coll);
    if (!u)
        return NULL;
    GEOSGeometry *p = rl_polygonal(ctx, u);
    GEOSGeom_destroy_r(ctx->geos, u);
    return p;
}

/* Rings of polygonal g (shells and holes), counted up to a little past limit. */
static size_t rings_upto(GEOSContextHandle_t h, const GEOSGeometry *g, size_t limit)
{
    int n = GEOSGetNumGeometries_r(h, g);
    size_t r = 0;
    for (int i = 0; i < n && r <= limit; i++) {
        int holes = GEOSGetNumInteriorRings_r(h, GEOSGetGeometryN_r(h, g, i));
        r += 1 + (holes > 0 ? (size_t)holes : 0);
    }
    return r;
}

int rl_covers_fast(rl_ctx *ctx, const GEOSPreparedGeometry *pa, const GEOSGeometry *a,
                   const GEOSGeometry *b)
{
    GEOSContextHandle_t h = ctx->geos;
    size_t ra = rings_upto(h, a, RL_RELATE_MAX_RINGS);
    size_t rings = ra + rings_upto(h, b, RL_RELATE_MAX_RINGS);
    if (rings <= RL_RELATE_MAX_RINGS) {
        int na = GEOSGetNumCoordinates_r(h, a), nb = GEOSGetNumCoordinates_r(h, b);
        ctx->relate_work += (unsigned long long)rings *
                            (unsigned long long)((na > 0 ? na : 0) + (nb > 0 ? nb : 0));
        return GEOSPreparedCovers_r(h, pa, b) == 1;
    }
    /*
     * Too many rings for a full relate.  b inside a's interior is decided
     * from pa's segment and point indexes (no boundary meets, so nothing
     * falls back), then a point of each of a's rings is located in b
     * without an index: asked only when a has few rings, as that would
     * otherwise cost a's rings times b's for each b.  A copy of a, read
     * from another file or the same one, is a walk over both.  Anything
     * else is overlaid.
     */
    if (ra <= RL_RELATE_MAX_RINGS && GEOSPreparedContainsProperly_r(h, pa, b) == 1)
        return 1;
    return GEOSEqualsExact_r(h, a, b, 0) == 1;
}
