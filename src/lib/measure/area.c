/* area.c -- ellipsoidal (geodesic) and planar areas of GEOS polygons. */
#include "measure/measure.h"

#include <math.h>
#include <stdlib.h>

/* Geodesic area of one ring; x/y are scratch arrays of the ring's size. */
static rl_status ring_area(rl_ctx *ctx, const GEOSGeometry *ring,
                           const rl_crs *crs, PJ *pj, double *area)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx->geos, ring);
    unsigned int n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx->geos, seq, &n))
        return rl_fail(ctx, RL_ERR_GEOM, "cannot read a ring: %s", ctx->geos_msg);
    *area = 0;
    if (n < 4)
        return RL_OK;
    double *x = malloc(2 * (size_t)n * sizeof *x);
    if (!x)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    double *y = x + n;
    rl_status st = RL_OK;
    if (!GEOSCoordSeq_copyToArrays_r(ctx->geos, seq, x, y, NULL, NULL)) {
        st = rl_fail(ctx, RL_ERR_GEOM, "cannot read a ring: %s", ctx->geos_msg);
        goto done;
    }
    if (pj) {
        proj_trans_generic(pj, PJ_FWD, x, sizeof *x, n, y, sizeof *y, n, NULL,
                           0, 0, NULL, 0, 0);
        for (unsigned int i = 0; i < n; i++) {
            if (!isfinite(x[i]) || !isfinite(y[i]) || x[i] == HUGE_VAL) {
                st = rl_fail(ctx, RL_ERR_CRS,
                             "a vertex could not be transformed to %s's "
                             "geographic CRS",
                             crs->name);
                goto done;
            }
        }
    }
    double a = 0;
    /* The ring is closed; geod_polygonarea closes it implicitly. */
    geod_polygonarea(&crs->geod, y, x, (int)(n - 1), &a, NULL);
    *area = fabs(a);
done:
    free(x);
    return st;
}

static rl_status polygon_area_ell(rl_ctx *ctx, const GEOSGeometry *poly,
                                  const rl_crs *crs, PJ *pj, double *area)
{
    double a = 0, total = 0;
    rl_status st = ring_area(ctx, GEOSGetExteriorRing_r(ctx->geos, poly), crs,
                             pj, &a);
    if (st)
        return st;
    total = a;
    int nh = GEOSGetNumInteriorRings_r(ctx->geos, poly);
    for (int i = 0; i < nh; i++) {
        st = ring_area(ctx, GEOSGetInteriorRingN_r(ctx->geos, poly, i), crs, pj,
                       &a);
        if (st)
            return st;
        total -= a;
    }
    *area = total;
    return RL_OK;
}

static rl_status area_ellipsoidal(rl_ctx *ctx, const GEOSGeometry *g,
                                  const rl_crs *crs, double *area)
{
    PJ *pj = NULL;
    if (!crs->geographic) {
        pj = rl_ctx_pj(ctx, crs->def, crs->geog_def);
        if (!pj)
            return ctx->status;
    }
    double total = 0;
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_POLYGON) {
        rl_status st = polygon_area_ell(ctx, g, crs, pj, &total);
        if (st)
            return st;
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(ctx->geos, g);
        for (int i = 0; i < n; i++) {
            double a = 0;
            rl_status st = area_ellipsoidal(ctx, GEOSGetGeometryN_r(ctx->geos, g, i),
                                            crs, &a);
            if (st)
                return st;
            total += a;
        }
    }
    *area = total;
    return RL_OK;
}

static rl_status area_planar(rl_ctx *ctx, const GEOSGeometry *g,
                             const rl_crs *crs, double *area)
{
    double a = 0;
    if (!crs->geographic) {
        if (!GEOSArea_r(ctx->geos, g, &a))
            return rl_fail(ctx, RL_ERR_GEOM, "area failed: %s", ctx->geos_msg);
        *area = a * crs->unit_m * crs->unit_m;
        return RL_OK;
    }
    if (GEOSisEmpty_r(ctx->geos, g) == 1) {
        *area = 0;
        return RL_OK;
    }
    /* Longitude/latitude: measure in the GK 3-degree zone of the centroid. */
    GEOSGeometry *c = GEOSGetCentroid_r(ctx->geos, g);
    double lon = 0;
    if (!c || !GEOSGeomGetX_r(ctx->geos, c, &lon)) {
        GEOSGeom_destroy_r(ctx->geos, c);
        return rl_fail(ctx, RL_ERR_GEOM, "centroid failed: %s", ctx->geos_msg);
    }
    GEOSGeom_destroy_r(ctx->geos, c);
    char def[512];
    PJ *pj = rl_ctx_pj(ctx, crs->def, rl_gk_zone_def(crs, lon, def, sizeof def));
    if (!pj)
        return ctx->status;
    GEOSGeometry *t = rl_geom_transform(ctx, g, pj);
    if (!t)
        return ctx->status;
    int ok = GEOSArea_r(ctx->geos, t, &a);
    GEOSGeom_destroy_r(ctx->geos, t);
    if (!ok)
        return rl_fail(ctx, RL_ERR_GEOM, "area failed: %s", ctx->geos_msg);
    *area = a;
    return RL_OK;
}

rl_status rl_geom_area(rl_ctx *ctx, const GEOSGeometry *g, const rl_crs *crs,
                       rl_area_method m, double *area)
{
    *area = 0;
    if (!g)
        return RL_OK;
    return m == RL_AREA_PLANAR ? area_planar(ctx, g, crs, area)
                               : area_ellipsoidal(ctx, g, crs, area);
}

const char *rl_area_method_name(rl_area_method m)
{
    return m == RL_AREA_PLANAR ? "planar" : "ellipsoidal";
}
