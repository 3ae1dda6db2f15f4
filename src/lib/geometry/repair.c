/* repair.c -- make geometries valid and keep their polygonal part. */
#include "geometry/geometry.h"

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

GEOSGeometry *rl_repair(rl_ctx *ctx, GEOSGeometry *g, int *repaired,
                        rl_feat_status *st, char **why)
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
    /* What was wrong, for the reports' footnote (only invalid input pays for it). */
    if (why && !*why) {
        char *r = GEOSisValidReason_r(ctx->geos, g);
        if (r) {
            *why = rl_strdup(r);
            GEOSFree_r(ctx->geos, r);
        }
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

void rl_geom_freeze(rl_ctx *ctx, const GEOSGeometry *g)
{
    GEOSContextHandle_t h = ctx->geos;
    double v;
    if (!g || GEOSisEmpty_r(h, g) != 0)
        return;
    GEOSGeom_getXMin_r(h, g, &v);
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        GEOSGeom_getXMin_r(h, GEOSGetExteriorRing_r(h, g), &v);
        int nh = GEOSGetNumInteriorRings_r(h, g);
        for (int i = 0; i < nh; i++)
            GEOSGeom_getXMin_r(h, GEOSGetInteriorRingN_r(h, g, i), &v);
    } else if (type >= GEOS_MULTIPOINT) {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++)
            rl_geom_freeze(ctx, GEOSGetGeometryN_r(h, g, i));
    }
}
