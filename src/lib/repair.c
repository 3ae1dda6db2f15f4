/* repair.c -- make geometries valid and keep their polygonal part. */
#include "rl_internal.h"

#include <stdlib.h>

/* Append the polygons of g (recursively) to arr; returns the new count. */
static int collect_polygons(rl_ctx *ctx, const GEOSGeometry *g,
                            GEOSGeometry ***arr, int *n, int *cap)
{
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(ctx->geos, g) == 1)
            return 1;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 8;
            GEOSGeometry **a = realloc(*arr, (size_t)*cap * sizeof *a);
            if (!a)
                return 0;
            *arr = a;
        }
        (*arr)[(*n)++] = GEOSGeom_clone_r(ctx->geos, g);
        return 1;
    }
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int k = GEOSGetNumGeometries_r(ctx->geos, g);
        for (int i = 0; i < k; i++)
            if (!collect_polygons(ctx, GEOSGetGeometryN_r(ctx->geos, g, i), arr,
                                  n, cap))
                return 0;
    }
    return 1;
}

GEOSGeometry *rl_polygonal(rl_ctx *ctx, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON)
        return GEOSGeom_clone_r(ctx->geos, g);
    GEOSGeometry **polys = NULL;
    int n = 0, cap = 0;
    if (!collect_polygons(ctx, g, &polys, &n, &cap)) {
        for (int i = 0; i < n; i++)
            GEOSGeom_destroy_r(ctx->geos, polys[i]);
        free(polys);
        return NULL;
    }
    /* Takes ownership of the polygons, not of the array. */
    GEOSGeometry *out = GEOSGeom_createCollection_r(
        ctx->geos, GEOS_MULTIPOLYGON, polys, (unsigned int)n);
    free(polys);
    return out;
}

char rl_is_valid(rl_ctx *ctx, const GEOSGeometry *g)
{
    return rl_valid_fast(ctx, g) ? 1 : GEOSisValid_r(ctx->geos, g);
}

GEOSGeometry *rl_repair(rl_ctx *ctx, GEOSGeometry *g, int *repaired,
                        rl_feat_status *st)
{
    *repaired = 0;
    *st = RL_FEAT_OK;
    char valid = rl_is_valid(ctx, g);
    if (valid == 1)
        return g;
    if (valid == 2) {
        GEOSGeom_destroy_r(ctx->geos, g);
        *st = RL_FEAT_BAD;
        return NULL;
    }
    /* Same repair as PostGIS ST_MakeValid (the "linework" method). */
    GEOSGeometry *fixed = GEOSMakeValid_r(ctx->geos, g);
    GEOSGeom_destroy_r(ctx->geos, g);
    if (!fixed) {
        *st = RL_FEAT_BAD;
        return NULL;
    }
    *repaired = 1;
    GEOSGeometry *poly = rl_polygonal(ctx, fixed);
    GEOSGeom_destroy_r(ctx->geos, fixed);
    if (!poly) {
        *st = RL_FEAT_BAD;
        return NULL;
    }
    if (GEOSisEmpty_r(ctx->geos, poly) == 1) {
        GEOSGeom_destroy_r(ctx->geos, poly);
        *st = RL_FEAT_COLLAPSED;
        return NULL;
    }
    return poly;
}

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
