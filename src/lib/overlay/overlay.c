/*
 * overlay.c -- GEOS overlays with one fallback rule: the floating overlay
 * first, snap-rounding to a grid where it fails.
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
