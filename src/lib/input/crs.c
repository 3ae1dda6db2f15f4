/* crs.c -- coordinate reference systems: identification, ellipsoid, transforms. */
#include "input/input.h"

#include <cpl_conv.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *export_wkt2(OGRSpatialReferenceH srs)
{
    const char *const opts[] = {"FORMAT=WKT2_2019", NULL};
    char *wkt = NULL;
    if (OSRExportToWktEx(srs, &wkt, opts) != OGRERR_NONE) {
        CPLFree(wkt);
        return NULL;
    }
    char *out = rl_strdup(wkt);
    CPLFree(wkt);
    return out;
}

/*
 * The EPSG-style code of the database entry that has exactly this CRS's name
 * and is equivalent to it (axis order aside: an ESRI .prj says east, north
 * where EPSG:4527 says north, east), or NULL.  This is what
 * OSRFindMatches()/proj_identify() report with confidence 100, without their
 * search through every CRS on the same datum that follows when no entry has
 * the name: that search can only end below 100, and costs 0.2-0.4 s per
 * layer (over 10 s under ASan; found by the fuzz target) for a .prj whose
 * name PROJ does not know.
 */
static char *exact_entry(rl_ctx *ctx, const char *def)
{
    char *out = NULL;
    PJ *pj = proj_create(ctx->proj, def);
    const char *name = pj ? proj_get_name(pj) : NULL;
    PJ_TYPE type = pj ? proj_get_type(pj) : PJ_TYPE_UNKNOWN;
    PJ_OBJ_LIST *list = name && *name
                            ? proj_create_from_name(ctx->proj, NULL, name, &type, 1, 0, 8, NULL)
                            : NULL;
    int n = list ? proj_list_get_count(list) : 0;
    for (int i = 0; i < n && !out; i++) {
        PJ *cand = proj_list_get(ctx->proj, list, i);
        PJ *swapped = cand ? proj_normalize_for_visualization(ctx->proj, cand) : NULL;
        const PJ_COMPARISON_CRITERION crit = PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS;
        const char *auth = cand ? proj_get_id_auth_name(cand, 0) : NULL;
        const char *code = cand ? proj_get_id_code(cand, 0) : NULL;
        if (auth && code && strcmp(proj_get_name(cand), name) == 0 &&
            (proj_is_equivalent_to_with_ctx(ctx->proj, cand, pj, crit) ||
             (swapped && proj_is_equivalent_to_with_ctx(ctx->proj, swapped, pj, crit)))) {
            char buf[256];
            snprintf(buf, sizeof buf, "%s:%s", auth, code);
            out = rl_strdup(buf);
        }
        proj_destroy(swapped);
        proj_destroy(cand);
    }
    proj_list_destroy(list);
    proj_destroy(pj);
    return out;
}

/* "EPSG:4527" when the CRS is, or is exactly, an EPSG entry; else its name. */
static char *crs_display_name(rl_ctx *ctx, OGRSpatialReferenceH srs, const char *def)
{
    const char *auth = OSRGetAuthorityName(srs, NULL);
    const char *code = OSRGetAuthorityCode(srs, NULL);
    char buf[256];
    if (auth && code) {
        snprintf(buf, sizeof buf, "%s:%s", auth, code);
        return rl_strdup(buf);
    }
    /* ESRI .prj files carry no authority: show the code users know. */
    char *out = exact_entry(ctx, def);
    if (out)
        return out;
    const char *name = OSRGetName(srs);
    return rl_strdup(name ? name : "unnamed CRS");
}

rl_crs *rl_crs_new(rl_ctx *ctx, OGRSpatialReferenceH in)
{
    rl_crs *crs = calloc(1, sizeof *crs);
    OGRSpatialReferenceH geog = NULL;
    if (!crs) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    crs->srs = OSRClone(in);
    if (!crs->srs)
        goto fail;
    OSRSetAxisMappingStrategy(crs->srs, OAMS_TRADITIONAL_GIS_ORDER);
    if (OSRIsCompound(crs->srs)) {
        /* Keep the horizontal part: areas are 2D. */
        OGRSpatialReferenceH h = OSRClone(crs->srs);
        if (h && OSRStripVertical(h) == OGRERR_NONE) {
            OSRDestroySpatialReference(crs->srs);
            crs->srs = h;
            OSRSetAxisMappingStrategy(crs->srs, OAMS_TRADITIONAL_GIS_ORDER);
        } else {
            OSRDestroySpatialReference(h);
        }
    }
    crs->geographic = OSRIsGeographic(crs->srs) ? 1 : 0;
    if (!crs->geographic && !OSRIsProjected(crs->srs)) {
        rl_fail(ctx, RL_ERR_CRS,
                "unsupported CRS (neither geographic nor projected)");
        goto fail;
    }
    crs->def = export_wkt2(crs->srs);
    geog = OSRCloneGeogCS(crs->srs);
    if (!crs->def || !geog)
        goto fail;
    crs->geog_def = export_wkt2(geog);
    if (!crs->geog_def)
        goto fail;
    OGRErr err = OGRERR_NONE;
    crs->a = OSRGetSemiMajor(crs->srs, &err);
    double invf = OSRGetInvFlattening(crs->srs, &err);
    if (err != OGRERR_NONE || !(crs->a > 0))
        goto fail;
    crs->f = invf > 0 ? 1.0 / invf : 0.0;
    crs->unit_m = crs->geographic ? 1.0 : OSRGetLinearUnits(crs->srs, NULL);
    geod_init(&crs->geod, crs->a, crs->f);
    crs->name = crs_display_name(ctx, crs->srs, crs->def);
    OSRDestroySpatialReference(geog);
    return crs;
fail:
    if (ctx->status == RL_OK || ctx->msg[0] == '\0')
        rl_fail(ctx, RL_ERR_CRS, "cannot interpret the CRS");
    OSRDestroySpatialReference(geog);
    rl_crs_free(crs);
    return NULL;
}

rl_crs *rl_crs_from_user(rl_ctx *ctx, const char *text)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    rl_crs *crs = NULL;
    if (OSRSetFromUserInput(srs, text) != OGRERR_NONE) {
        rl_fail(ctx, RL_ERR_CRS, "cannot understand the CRS '%s'", text);
        goto done;
    }
    crs = rl_crs_new(ctx, srs);
done:
    OSRDestroySpatialReference(srs);
    return crs;
}

void rl_crs_free(rl_crs *crs)
{
    if (!crs)
        return;
    if (crs->srs)
        OSRDestroySpatialReference(crs->srs);
    free(crs->def);
    free(crs->geog_def);
    free(crs->name);
    free(crs);
}

int rl_crs_same(const rl_crs *a, const rl_crs *b)
{
    if (a == b)
        return 1;
    return strcmp(a->def, b->def) == 0;
}

static int transform_xy(double *x, double *y, void *userdata)
{
    PJ_COORD c = proj_coord(*x, *y, 0, 0);
    c = proj_trans((PJ *)userdata, PJ_FWD, c);
    if (c.xy.x == HUGE_VAL || !isfinite(c.xy.x) || !isfinite(c.xy.y))
        return 0;
    *x = c.xy.x;
    *y = c.xy.y;
    return 1;
}

GEOSGeometry *rl_geom_transform(rl_ctx *ctx, const GEOSGeometry *g, PJ *pj)
{
    GEOSGeometry *out = GEOSGeom_transformXY_r(ctx->geos, g, transform_xy, pj);
    if (!out)
        rl_fail(ctx, RL_ERR_CRS,
                "coordinates could not be transformed (outside the CRS's "
                "domain?)");
    return out;
}

/* ---- transforms that keep edges straight in the source CRS ---- */

/* Distance in metres between two points of crs (approximate for lon/lat). */
static double dist_m(const rl_crs *crs, double x0, double y0, double x1, double y1)
{
    if (!crs->geographic)
        return hypot(x1 - x0, y1 - y0) * crs->unit_m;
    double k = crs->a * M_PI / 180;
    return k * hypot((x1 - x0) * cos((y0 + y1) * M_PI / 360), y1 - y0);
}

/* Pieces for an edge of L metres cut into steps of at most `step` metres. */
static size_t dense_parts(const rl_crs *from, double step, double x0, double y0, double x1,
                          double y1)
{
    double n = ceil(dist_m(from, x0, y0, x1, y1) / step);
    return n <= 1 ? 1 : n < 1e6 ? (size_t)n : 1000000;
}

/* Transforms n points in place; 0 if one falls outside the CRS's domain. */
static int trans_pts(PJ *pj, double *x, double *y, size_t n)
{
    if (n == 0)
        return 1;
    proj_trans_generic(pj, PJ_FWD, x, sizeof *x, n, y, sizeof *y, n, NULL, 0, 0, NULL, 0, 0);
    for (size_t i = 0; i < n; i++)
        if (x[i] == HUGE_VAL || !isfinite(x[i]) || !isfinite(y[i]))
            return 0;
    return 1;
}

/* At u, the quadratic through g0, g1, g2 at u = 0, 1/2, 1 (offsets: less rounding). */
static double quad(double g0, double g1, double g2, double u)
{
    return g0 + 4 * u * (1 - u) * (g1 - g0) + u * (2 * u - 1) * (g2 - g0);
}

/*
 * How far, in metres, the point at u = 1/4 of the quadratic through the
 * images gx, gy (u = 0, 1/2, 1) lies from the exact image (x, y), across
 * the chord gx[0] -> gx[2]: a shift along the image moves no line.
 */
static double quad_miss(const rl_crs *to, const double *gx, const double *gy, double x, double y)
{
    double kx = 1, ky = 1;
    if (to->geographic) {
        ky = to->a * M_PI / 180;
        kx = ky * cos(y * M_PI / 180);
    } else {
        kx = ky = to->unit_m;
    }
    double cx = (gx[2] - gx[0]) * kx, cy = (gy[2] - gy[0]) * ky;
    double dx = (x - quad(gx[0], gx[1], gx[2], 0.25)) * kx;
    double dy = (y - quad(gy[0], gy[1], gy[2], 0.25)) * ky;
    double c = hypot(cx, cy);
    return c > 0 ? fabs(dx * cy - dy * cx) / c : hypot(dx, dy);
}

/*
 * How far an interpolated point of an edge's image may be from the exact
 * one: a tenth of the densifying tolerance (2e-8 m for 2e-7 m), well above
 * the rounding of the coordinates (1.6e-9 m per unit in the last place of
 * a longitude at 117E, 7.5e-9 m of a 39.5e6 m easting), so that the checks
 * below are not decided by rounding.
 */
#define DENSE_INTERP_FRAC 10

/*
 * The images of the points t = q / k (q = 1 .. k-1) of the edge from
 * (sx[0], sy[0]) to (sx[1], sy[1]) into ox[q - 1], oy[q - 1], given the
 * exact images ex, ey of t = 0, 1/2, 1.  PROJ is called for a few points
 * only; the others are placed on quadratics through exact images, in
 * panels of the edge short enough that no placed point is more than eps
 * metres (in `to`) off the exact image of the edge (misses are measured
 * across the chord):
 *  - the quadratic through three points at u = 0, 1/2, 1 of a panel misses
 *    the image by e(u) = c u (u - 1/2) (u - 1), c a sixth of the image's
 *    third derivative (to first order), which is largest (1.03 e(1/4)) at
 *    u = 1/2 -+ sqrt(3)/6: each panel's quadratic is checked against an
 *    exact image at u = 1/4, and a panel that misses by more than eps / 2
 *    there is transformed point by point instead;
 *  - e scales with the panel's length cubed, so the whole edge's miss at
 *    t = 1/4 sets the number of panels, for a miss of about eps / 4 each.
 * Over a panel e(u) integrates to zero (Simpson's rule is exact for
 * cubics), so the area between placed and exact points cancels to the
 * next order too.  Edges for which panels would save little are
 * transformed point by point.  w: scratch of 4 * k doubles.  Returns 0 if
 * a transform failed.
 */
static int dense_edge(PJ *pj, const rl_crs *to, const double sx[2], const double sy[2],
                      const double ex[3], const double ey[3], size_t k, double eps, double *ox,
                      double *oy, double *w)
{
    if (k < 2)
        return 1;
    double qx = sx[0] + 0.25 * (sx[1] - sx[0]), qy = sy[0] + 0.25 * (sy[1] - sy[0]);
    if (!trans_pts(pj, &qx, &qy, 1))
        return 0;
    /* A check passed: no point of the panel is more than 1.03 ok + rounding off. */
    const double ok = eps / 2;
    double miss = quad_miss(to, ex, ey, qx, qy);
    double npd = miss <= ok / 2 ? 1 : ceil(cbrt(2 * miss / ok));
    int exact = 0;
    if (!(npd <= (double)k / 4)) {
        /* Panels cost three transforms each: worth it for 4 points a panel (NaN: never). */
        exact = !(miss <= ok);
        npd = 1;
    }
    size_t np = (size_t)npd;
    /* nx, ny: images at t = j / (2 np), j = 0 .. 2 np; cx, cy: panels' u = 1/4. */
    double *nx = w, *ny = w + 2 * np + 1, *cx = ny + 2 * np + 1, *cy = cx + np;
    if (!exact && np > 1) {
        for (size_t j = 1; j < 2 * np; j++) {
            double t = (double)j / (double)(2 * np);
            nx[j] = sx[0] + t * (sx[1] - sx[0]);
            ny[j] = sy[0] + t * (sy[1] - sy[0]);
        }
        for (size_t p = 0; p < np; p++) {
            double t = (double)(4 * p + 1) / (double)(4 * np);
            cx[p] = sx[0] + t * (sx[1] - sx[0]);
            cy[p] = sy[0] + t * (sy[1] - sy[0]);
        }
        if (!trans_pts(pj, nx + 1, ny + 1, 2 * np - 1) || !trans_pts(pj, cx, cy, np))
            return 0;
        nx[0] = ex[0], ny[0] = ey[0];
        nx[2 * np] = ex[2], ny[2 * np] = ey[2];
        /* A panel whose quadratic misses its check: NaN in cx marks it. */
        for (size_t p = 0; p < np; p++) {
            if (!(quad_miss(to, nx + 2 * p, ny + 2 * p, cx[p], cy[p]) <= ok))
                cx[p] = NAN;
        }
    } else if (!exact) {
        nx[0] = ex[0], nx[1] = ex[1], nx[2] = ex[2];
        ny[0] = ey[0], ny[1] = ey[1], ny[2] = ey[2];
        cx[0] = miss <= ok ? 0 : NAN;
    }
    size_t lo = 0; /* first of a run of points to transform one by one */
    for (size_t q = 1; q <= k; q++) {
        size_t p = 0;
        double t = (double)q / (double)k, u = 0;
        if (q < k && !exact) {
            p = (size_t)(t * (double)np);
            p = p < np ? p : np - 1;
            u = t * (double)np - (double)p;
        }
        if (q < k && (exact || isnan(cx[p]))) {
            /* The same source point as a point-by-point densification. */
            ox[q - 1] = sx[0] + t * (sx[1] - sx[0]);
            oy[q - 1] = sy[0] + t * (sy[1] - sy[0]);
            if (!lo)
                lo = q;
            continue;
        }
        if (lo && !trans_pts(pj, ox + lo - 1, oy + lo - 1, q - lo))
            return 0;
        lo = 0;
        if (q < k) {
            ox[q - 1] = quad(nx[2 * p], nx[2 * p + 1], nx[2 * p + 2], u);
            oy[q - 1] = quad(ny[2 * p], ny[2 * p + 1], ny[2 * p + 2], u);
        }
    }
    return 1;
}

/*
 * The ring transformed so that it follows its edges, straight in `from`, to
 * within tol metres in `to`.  First the vertices and every edge's midpoint
 * are transformed: the midpoint's offset from the chord (the sag s of an
 * edge of length L) gives the curvature 8 s / L^2 of the edge's image.  If
 * no edge sags more than tol, that is all (e.g. between two Gauss-Krüger
 * CRSs that differ by a false easting).  Otherwise every edge is cut in
 * equal steps sized for the ring's largest curvature, so that no chord
 * sags more than tol; equal steps along the whole ring also make the
 * chords' small areas cancel (their sum follows the ring's net east-west
 * extent, which is zero).  The cut points' images are placed by
 * dense_edge, within tol / DENSE_INTERP_FRAC of their exact images: PROJ
 * on every cut point took most of a cross-CRS screen's extra time.
 */
static GEOSGeometry *dense_ring(rl_ctx *ctx, const GEOSGeometry *ring, PJ *pj,
                                const rl_crs *from, const rl_crs *to, double tol, int *bad)
{
    GEOSContextHandle_t h = ctx->geos;
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    double *s = NULL, *d = NULL, *w = NULL;
    GEOSGeometry *out = NULL;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n) || n < 2)
        goto done;
    /* sx, sy: the ring; px, py: vertices and midpoints, transformed. */
    size_t np = 2 * (size_t)n - 1;
    if (!(s = malloc((2 * (size_t)n + 2 * np) * sizeof *s)))
        goto done;
    double *sx = s, *sy = s + n, *px = s + 2 * (size_t)n, *py = px + np;
    if (!GEOSCoordSeq_copyToArrays_r(h, seq, sx, sy, NULL, NULL))
        goto done;
    for (unsigned int i = 0; i < n; i++) {
        px[2 * i] = sx[i], py[2 * i] = sy[i];
        if (i + 1 < n)
            px[2 * i + 1] = (sx[i] + sx[i + 1]) / 2, py[2 * i + 1] = (sy[i] + sy[i + 1]) / 2;
    }
    if (!trans_pts(pj, px, py, np)) {
        *bad = 1;
        goto done;
    }
    double kmax = 0, smax = 0;
    for (unsigned int i = 0; i + 1 < n; i++) {
        double L = dist_m(from, sx[i], sy[i], sx[i + 1], sy[i + 1]);
        double sag = dist_m(to, px[2 * i + 1], py[2 * i + 1], (px[2 * i] + px[2 * i + 2]) / 2,
                            (py[2 * i] + py[2 * i + 2]) / 2);
        if (L > 0 && 8 * sag / (L * L) > kmax)
            kmax = 8 * sag / (L * L);
        if (sag > smax)
            smax = sag;
    }
    double *dx = px, *dy = py;
    size_t m = 0;
    if (smax <= tol) {
        /* Straight enough as it is: keep the transformed vertices. */
        for (unsigned int i = 0; i < n; i++)
            px[i] = px[2 * i], py[i] = py[2 * i];
        m = n;
    } else {
        double step = sqrt(8 * tol / kmax);
        size_t kbig = 1;
        m = 1;
        for (unsigned int i = 0; i + 1 < n; i++) {
            size_t k = dense_parts(from, step, sx[i], sy[i], sx[i + 1], sy[i + 1]);
            m += k;
            kbig = k > kbig ? k : kbig;
        }
        if (m > UINT_MAX || !(d = malloc(2 * m * sizeof *d)) ||
            !(w = malloc((4 * kbig + 8) * sizeof *w)))
            goto done;
        dx = d, dy = d + m;
        size_t j = 0;
        for (unsigned int i = 0; i + 1 < n; i++) {
            size_t k = dense_parts(from, step, sx[i], sy[i], sx[i + 1], sy[i + 1]);
            double ex[3] = {px[2 * i], px[2 * i + 1], px[2 * i + 2]};
            double ey[3] = {py[2 * i], py[2 * i + 1], py[2 * i + 2]};
            dx[j] = ex[0], dy[j] = ey[0];
            if (!dense_edge(pj, to, sx + i, sy + i, ex, ey, k, tol / DENSE_INTERP_FRAC,
                            dx + j + 1, dy + j + 1, w)) {
                *bad = 1;
                goto done;
            }
            j += k;
        }
        dx[j] = px[2 * ((size_t)n - 1)];
        dy[j] = py[2 * ((size_t)n - 1)];
    }
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromArrays_r(h, dx, dy, NULL, NULL,
                                                          (unsigned int)m);
    if (cs)
        out = GEOSGeom_createLinearRing_r(h, cs); /* takes cs */
done:
    free(s);
    free(d);
    free(w);
    return out;
}

static GEOSGeometry *dense_polygon(rl_ctx *ctx, const GEOSGeometry *poly, PJ *pj,
                                   const rl_crs *from, const rl_crs *to, double tol, int *bad)
{
    GEOSContextHandle_t h = ctx->geos;
    int nh = GEOSGetNumInteriorRings_r(h, poly);
    GEOSGeometry *shell = NULL, **holes = NULL, *out = NULL;
    int made = 0;
    if (nh < 0 || !(holes = calloc((size_t)nh + 1, sizeof *holes)))
        goto cleanup;
    if (!(shell = dense_ring(ctx, GEOSGetExteriorRing_r(h, poly), pj, from, to, tol, bad)))
        goto cleanup;
    for (; made < nh; made++)
        if (!(holes[made] = dense_ring(ctx, GEOSGetInteriorRingN_r(h, poly, made), pj, from,
                                       to, tol, bad)))
            goto cleanup;
    out = GEOSGeom_createPolygon_r(h, shell, holes, (unsigned int)nh);
    if (out)
        shell = NULL, made = 0; /* taken */
cleanup:
    GEOSGeom_destroy_r(h, shell);
    for (int i = 0; i < made; i++)
        GEOSGeom_destroy_r(h, holes[i]);
    free(holes);
    return out;
}

GEOSGeometry *rl_geom_transform_dense(rl_ctx *ctx, const GEOSGeometry *g, PJ *pj,
                                      const rl_crs *from, const rl_crs *to, double tol_m)
{
    GEOSContextHandle_t h = ctx->geos;
    int type = GEOSGeomTypeId_r(h, g);
    if ((type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) || GEOSisEmpty_r(h, g) == 1)
        return rl_geom_transform(ctx, g, pj);
    GEOSGeometry *out = NULL, **parts = NULL;
    int np = type == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(h, g), made = 0, bad = 0;
    if (type == GEOS_POLYGON) {
        out = dense_polygon(ctx, g, pj, from, to, tol_m, &bad);
        goto done;
    }
    if (np < 0 || !(parts = calloc((size_t)np + 1, sizeof *parts)))
        goto done;
    for (; made < np; made++)
        if (!(parts[made] = dense_polygon(ctx, GEOSGetGeometryN_r(h, g, made), pj, from, to,
                                          tol_m, &bad)))
            goto done;
    out = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned int)np);
    if (out)
        made = 0; /* taken */
done:
    for (int i = 0; i < made; i++)
        GEOSGeom_destroy_r(h, parts[i]);
    free(parts);
    if (!out && bad)
        rl_fail(ctx, RL_ERR_CRS,
                "coordinates could not be transformed (outside the CRS's domain?)");
    else if (!out)
        rl_fail(ctx, RL_ERR_GEOM, "cannot densify a geometry: %s", ctx->geos_msg);
    return out;
}

char *rl_gk_zone_def(const rl_crs *crs, double lon, char *buf, size_t n)
{
    int zone = (int)floor(lon / 3.0 + 0.5);
    if (crs->f > 0)
        snprintf(buf, n,
                 "+proj=tmerc +lat_0=0 +lon_0=%d +k=1 +x_0=500000 +y_0=0 "
                 "+a=%.17g +rf=%.17g +units=m +no_defs +type=crs",
                 zone * 3, crs->a, 1.0 / crs->f);
    else
        snprintf(buf, n,
                 "+proj=tmerc +lat_0=0 +lon_0=%d +k=1 +x_0=500000 +y_0=0 "
                 "+R=%.17g +units=m +no_defs +type=crs",
                 zone * 3, crs->a);
    return buf;
}

/* The area of use of srs, or of the EPSG entry it names; 1 when found. */
static int area_of_use(OGRSpatialReferenceH srs, double aou[4], char *name, size_t n)
{
    const char *nm = NULL;
    int ok = OSRGetAreaOfUse(srs, &aou[0], &aou[1], &aou[2], &aou[3], &nm);
    if (ok) {
        snprintf(name, n, "%s", nm ? nm : "?");
        return 1;
    }
    /* A CRS from a GeoJSON URN carries its code but not its extent. */
    const char *auth = OSRGetAuthorityName(srs, NULL);
    const char *code = OSRGetAuthorityCode(srs, NULL);
    if (!auth || !code || strcasecmp(auth, "EPSG") != 0)
        return 0;
    OGRSpatialReferenceH e = OSRNewSpatialReference(NULL);
    if (e && OSRImportFromEPSG(e, atoi(code)) == OGRERR_NONE &&
        OSRGetAreaOfUse(e, &aou[0], &aou[1], &aou[2], &aou[3], &nm)) {
        snprintf(name, n, "%s", nm ? nm : "?");
        ok = 1;
    }
    OSRDestroySpatialReference(e);
    return ok;
}

void rl_crs_domain(rl_ctx *ctx, const rl_crs *crs, double box[4], char *desc, size_t n)
{
    const double m = RL_DOMAIN_MARGIN_DEG;
    double a[4]; /* west, south, east, north */
    char name[256];
    int have = area_of_use(crs->srs, a, name, sizeof name);
    if (!have && !crs->geographic)
        goto fallback;
    if (!have) {
        a[0] = -180, a[1] = -90, a[2] = 180, a[3] = 90;
        snprintf(name, sizeof name, "the whole globe: %s states no area of use", crs->name);
    }
    /* An area across the antimeridian (west > east) gets every longitude. */
    if (a[0] > a[2] || a[2] - a[0] + 2 * m >= 360)
        a[0] = -180 + m, a[2] = 180 - m;
    double w = a[0] - m, s = a[1] - m, e = a[2] + m, nn = a[3] + m;
    s = s < -90 ? -90 : s;
    nn = nn > 90 ? 90 : nn;
    if (crs->geographic) {
        box[0] = w, box[1] = s, box[2] = e, box[3] = nn;
    } else {
        rl_status before = ctx->status;
        PJ *pj = rl_ctx_pj(ctx, crs->def, crs->geog_def);
        int ok = pj && proj_trans_bounds(ctx->proj, pj, PJ_INV, w, s, e, nn, &box[0],
                                         &box[1], &box[2], &box[3], 21);
        if (before == RL_OK)
            rl_ctx_clear(ctx); /* a fallback, not a failure */
        if (!ok || !isfinite(box[0]) || !isfinite(box[1]) || !isfinite(box[2]) ||
            !isfinite(box[3]))
            goto fallback;
    }
    snprintf(desc, n,
             "the area of use of %s (%s: %.1f..%.1f E, %.1f..%.1f N) widened by %g "
             "degrees, i.e. %.10g,%.10g - %.10g,%.10g",
             crs->name, name, a[0], a[2], a[1], a[3], m, box[0], box[1], box[2], box[3]);
    return;
fallback:;
    double r = RL_DOMAIN_MAX_M / (crs->unit_m > 0 ? crs->unit_m : 1);
    box[0] = box[1] = -r;
    box[2] = box[3] = r;
    snprintf(desc, n, "%s states no usable area of use; coordinates beyond %g m from its "
             "origin cannot be on the Earth", crs->name, RL_DOMAIN_MAX_M);
}
