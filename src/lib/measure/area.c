/*
 * area.c -- areas of GEOS polygons by four methods:
 *   ellipsoidal  each edge straight in the CRS the geometry is given in,
 *                area on that CRS's ellipsoid (exact per-edge integral);
 *   geodesic     each edge a geodesic (geod_polygonarea, as PostGIS);
 *   survey       国土调查办发〔2008〕32号 ellipsoidal-trapezoid series;
 *   planar       plane area in a projected CRS.
 * docs/area-method.md derives the bounds quoted here.
 */
#include "measure/measure.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RAD (M_PI / 180.0)

/*
 * Projected edges longer than this (metres in the plane) are cut into
 * sub-edges of at most this length before the quadratic model below.  The
 * model's error grows as the 4th power of the length: at 2 km it is below
 * 1e-6 m2 per km of edge (measured, docs/area-method.md), so inserting a
 * vertex anywhere moves an area by < 1e-9 relative for any polygon wider
 * than a metre or so.  Shorter edges, i.e. all densely digitised data, pass
 * this cheap check and get no extra sub-edges.
 */
#define RL_EDGE_MAX_M 2000.0
/*
 * Geographic edges spanning more than this in latitude (degrees) are cut
 * too, only so that 3-point Gauss-Legendre stays exact to ~1e-13 relative.
 */
#define RL_EDGE_MAX_DLAT 0.5

/* ---- reading a ring's vertices ---- */

/* The ring's coordinates in fresh arrays x, y (n points, closed). */
static rl_status ring_coords(rl_ctx *ctx, const GEOSGeometry *ring, double **xy,
                             unsigned int *n)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx->geos, ring);
    *xy = NULL;
    *n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx->geos, seq, n))
        return rl_fail(ctx, RL_ERR_GEOM, "cannot read a ring: %s", ctx->geos_msg);
    if (*n < 4)
        return RL_OK;
    double *x = malloc(2 * (size_t)*n * sizeof *x);
    if (!x)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    if (!GEOSCoordSeq_copyToArrays_r(ctx->geos, seq, x, x + *n, NULL, NULL)) {
        free(x);
        return rl_fail(ctx, RL_ERR_GEOM, "cannot read a ring: %s", ctx->geos_msg);
    }
    *xy = x;
    return RL_OK;
}

/* Transforms n points in place; fails on any point PROJ cannot take. */
static rl_status to_geographic(rl_ctx *ctx, PJ *pj, const rl_crs *crs, double *x,
                               double *y, size_t n)
{
    proj_trans_generic(pj, PJ_FWD, x, sizeof *x, n, y, sizeof *y, n, NULL, 0, 0,
                       NULL, 0, 0);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]) || x[i] == HUGE_VAL)
            return rl_fail(ctx, RL_ERR_CRS,
                           "a vertex could not be transformed to %s's "
                           "geographic CRS",
                           crs->name);
    return RL_OK;
}

/* ---- ellipsoidal: edges straight in the given CRS ---- */

/*
 * S(phi): area between the equator and latitude phi per radian of
 * longitude, b^2/2 * q(phi) with q the authalic-latitude function.  Only
 * differences S(phi) - S(phi0) are used, and they are formed without
 * subtracting the two ~1e13 m2 values (which would cost ~1e-6 m2 per edge
 * of a 1 km2 polygon): sin phi - sin phi0 = 2 cos((phi+phi0)/2) sin(d/2),
 * then the difference identities of s/(1-e2 s^2) and atanh.
 */
typedef struct {
    double b2h, e, e2;
    double p0, s0, w0; /* reference latitude, its sine, 1 - e2 s0^2 */
} authalic;

static void authalic_init(authalic *A, const rl_crs *crs, double phi0)
{
    double b = crs->a * (1 - crs->f);
    A->b2h = b * b / 2;
    A->e2 = crs->f * (2 - crs->f);
    A->e = sqrt(A->e2);
    A->p0 = phi0;
    A->s0 = sin(phi0);
    A->w0 = 1 - A->e2 * A->s0 * A->s0;
}

/* S(p0 + d) - S(p0). */
static double strip_diff(const authalic *A, double d)
{
    double ds = 2 * cos(A->p0 + d / 2) * sin(d / 2), s = A->s0 + ds;
    if (A->e == 0)
        return 2 * A->b2h * ds;
    double t1 = ds * (1 + A->e2 * s * A->s0) / ((1 - A->e2 * s * s) * A->w0);
    double t2 = atanh(A->e * ds / (1 - A->e2 * s * A->s0)) / A->e;
    return A->b2h * (t1 + t2);
}

/* 3-point Gauss-Legendre on [0, 1]. */
static const double GL_T[3] = {0.11270166537925831, 0.5, 0.88729833462074169};
static const double GL_W[3] = {5.0 / 18, 8.0 / 18, 5.0 / 18};

/*
 * Integral of (S(phi) - S(A->p0)) dlambda along the curve through (l0,p0),
 * (lm,pm), (l1,p1) at t = 0, 1/2, 1, modelled as quadratics in t; radians,
 * latitudes relative to A->p0.
 * Green's theorem makes the ring's area the sum of these over its edges
 * (the S(p0) terms cancel round a ring that does not enclose a pole).
 */
static double edge_integral(const authalic *A, double l0, double p0, double lm,
                            double pm, double l1, double p1)
{
    /* x(t) = x0 + bt + ct^2 through the three points. */
    double bl = 4 * lm - 3 * l0 - l1, cl = 2 * (l0 + l1) - 4 * lm;
    double bp = 4 * pm - 3 * p0 - p1, cp = 2 * (p0 + p1) - 4 * pm;
    double sum = 0;
    for (int k = 0; k < 3; k++) {
        double t = GL_T[k];
        sum += GL_W[k] * strip_diff(A, p0 + t * (bp + t * cp)) * (bl + 2 * cl * t);
    }
    return sum;
}

/* Number of sub-edges for the edge (x0,y0)-(x1,y1) in crs. */
static int edge_parts(const rl_crs *crs, double x0, double y0, double x1, double y1)
{
    double d;
    if (crs->geographic)
        d = fabs(y1 - y0) / RL_EDGE_MAX_DLAT;
    else
        d = hypot(x1 - x0, y1 - y0) * crs->unit_m / RL_EDGE_MAX_M;
    return d <= 1 ? 1 : d < 1e6 ? (int)ceil(d) : 1000000;
}

static rl_status ring_area_straight(rl_ctx *ctx, const GEOSGeometry *ring,
                                    const rl_crs *crs, PJ *pj, double *area)
{
    double *xy = NULL, *g = NULL;
    unsigned int n = 0;
    *area = 0;
    rl_status st = ring_coords(ctx, ring, &xy, &n);
    if (st || n < 4)
        return st;
    double *x = xy, *y = xy + n;
    /*
     * Points at t = 0, 1/(2k), 2/(2k), ... of every edge cut into k parts,
     * then the ring's last vertex: each sub-edge is (even, odd, even).
     */
    size_t m = 1;
    for (unsigned int i = 0; i + 1 < n; i++)
        m += 2 * (size_t)edge_parts(crs, x[i], y[i], x[i + 1], y[i + 1]);
    g = malloc(2 * m * sizeof *g);
    if (!g) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto done;
    }
    double *gl = g, *gp = g + m;
    size_t j = 0;
    for (unsigned int i = 0; i + 1 < n; i++) {
        int k = edge_parts(crs, x[i], y[i], x[i + 1], y[i + 1]);
        for (int s = 0; s < 2 * k; s++) {
            double t = (double)s / (2 * k);
            /* t = 0 exactly at the vertex itself, so no round-off there. */
            gl[j] = s ? x[i] + t * (x[i + 1] - x[i]) : x[i];
            gp[j] = s ? y[i] + t * (y[i + 1] - y[i]) : y[i];
            j++;
        }
    }
    gl[j] = x[n - 1];
    gp[j] = y[n - 1];
    if (pj && (st = to_geographic(ctx, pj, crs, gl, gp, m)))
        goto done;
    /*
     * Radians from the first point: small numbers keep the quadratics'
     * coefficients exact to ~1e-16 of the edge, not of the longitude.  A
     * projected ring may cross the antimeridian.
     */
    double l0 = gl[0], p0 = gp[0];
    for (size_t i = 1; i < m; i++)
        if (pj)
            gl[i] += 360.0 * round((gl[i - 1] - gl[i]) / 360.0);
    for (size_t i = 0; i < m; i++) {
        gl[i] = (gl[i] - l0) * RAD;
        gp[i] = (gp[i] - p0) * RAD;
    }
    authalic A;
    authalic_init(&A, crs, p0 * RAD);
    double sum = 0;
    for (size_t i = 0; i + 2 < m; i += 2)
        sum += edge_integral(&A, gl[i], gp[i], gl[i + 1], gp[i + 1], gl[i + 2], gp[i + 2]);
    *area = fabs(sum);
done:
    free(g);
    free(xy);
    return st;
}

/* ---- geodesic: edges are geodesics ---- */

static rl_status ring_area_geodesic(rl_ctx *ctx, const GEOSGeometry *ring,
                                    const rl_crs *crs, PJ *pj, double *area)
{
    double *xy = NULL;
    unsigned int n = 0;
    *area = 0;
    rl_status st = ring_coords(ctx, ring, &xy, &n);
    if (st || n < 4)
        return st;
    double *x = xy, *y = xy + n, a = 0;
    if (!pj || !(st = to_geographic(ctx, pj, crs, x, y, n))) {
        /* The ring is closed; geod_polygonarea closes it implicitly. */
        geod_polygonarea(&crs->geod, y, x, (int)(n - 1), &a, NULL);
        *area = fabs(a);
    }
    free(xy);
    return st;
}

/* ---- survey: 国土调查办发〔2008〕32号 ---- */

/*
 * The rule's coefficients A..E of e^2 (its formula 2).  The series is the
 * integral of M N cos B dB expanded to e^8; with b^2 it gives the area of
 * an ellipsoidal trapezoid between two meridians dL apart and two parallels.
 */
typedef struct {
    double b2, c[5];
} survey_k;

static void survey_init(survey_k *K, const rl_crs *crs)
{
    double e2 = crs->f * (2 - crs->f), e4 = e2 * e2, e6 = e4 * e2, e8 = e4 * e4;
    double b = crs->a * (1 - crs->f);
    K->b2 = b * b;
    K->c[0] = 1 + 3.0 / 6 * e2 + 30.0 / 80 * e4 + 35.0 / 112 * e6 + 630.0 / 2304 * e8;
    K->c[1] = 1.0 / 6 * e2 + 15.0 / 80 * e4 + 21.0 / 112 * e6 + 420.0 / 2304 * e8;
    K->c[2] = 3.0 / 80 * e4 + 7.0 / 112 * e6 + 180.0 / 2304 * e8;
    K->c[3] = 1.0 / 112 * e6 + 45.0 / 2304 * e8;
    K->c[4] = 5.0 / 2304 * e8;
}

/* The rule's trapezoid: meridians dL apart (radians), parallels b1, b2. */
static double survey_trapezoid(const survey_k *K, double dl, double b1, double b2)
{
    double db = b2 - b1, bm = (b1 + b2) / 2, s = 0;
    for (int k = 0; k < 5; k++) {
        int j = 2 * k + 1;
        double t = K->c[k] * sin(j * db / 2) * cos(j * bm);
        s += (k % 2) ? -t : t;
    }
    return 2 * K->b2 * dl * s;
}

/*
 * The zone-prefixed Gauss-Krüger plane of an 8-digit easting, as the rule's
 * inverse (its part 三): zone = easting / 1e6, 6-degree zones up to 23
 * (CM = 6 zone - 3), 3-degree zones from 24 (CM = 3 zone).  0 when x is not
 * an 8-digit easting.
 */
static int prefixed_zone_def(const rl_crs *crs, double x, char *buf, size_t n)
{
    if (crs->geographic || !(x >= 1e7 && x < 1e8) || crs->unit_m != 1.0)
        return 0;
    int zone = (int)(x / 1e6);
    int cm = zone <= 23 ? 6 * zone - 3 : 3 * zone;
    snprintf(buf, n,
             "+proj=tmerc +lat_0=0 +lon_0=%d +k=1 +x_0=%d500000 +y_0=0 "
             "+a=%.17g +rf=%.17g +units=m +no_defs +type=crs",
             cm, zone, crs->a, 1.0 / crs->f);
    return 1;
}

static rl_status ring_area_survey(rl_ctx *ctx, const GEOSGeometry *ring,
                                  const rl_crs *crs, PJ *pj, double *area)
{
    double *xy = NULL;
    unsigned int n = 0;
    *area = 0;
    rl_status st = ring_coords(ctx, ring, &xy, &n);
    if (st || n < 4)
        return st;
    double *x = xy, *y = xy + n;
    char def[512], geog[256];
    if (prefixed_zone_def(crs, x[0], def, sizeof def)) {
        snprintf(geog, sizeof geog, "+proj=longlat +a=%.17g +rf=%.17g +no_defs +type=crs",
                 crs->a, 1.0 / crs->f);
        pj = rl_ctx_pj(ctx, def, geog);
        if (!pj) {
            st = ctx->status;
            goto done;
        }
    }
    if (pj && (st = to_geographic(ctx, pj, crs, x, y, n)))
        goto done;
    survey_k K;
    survey_init(&K, crs);
    /* Horizontal strips west of each edge, from the meridian of vertex 0. */
    double sum = 0;
    for (unsigned int i = 0; i + 1 < n; i++) {
        double dl = ((x[i] + x[i + 1]) / 2 - x[0]) * RAD;
        sum += survey_trapezoid(&K, dl, y[i] * RAD, y[i + 1] * RAD);
    }
    *area = fabs(sum);
done:
    free(xy);
    return st;
}

/* ---- polygons ---- */

typedef rl_status (*ring_fn)(rl_ctx *, const GEOSGeometry *, const rl_crs *, PJ *,
                             double *);

static rl_status polygon_area(rl_ctx *ctx, ring_fn ring, const GEOSGeometry *poly,
                              const rl_crs *crs, PJ *pj, double *area)
{
    double a = 0, total = 0;
    rl_status st = ring(ctx, GEOSGetExteriorRing_r(ctx->geos, poly), crs, pj, &a);
    if (st)
        return st;
    total = a;
    int nh = GEOSGetNumInteriorRings_r(ctx->geos, poly);
    for (int i = 0; i < nh; i++) {
        st = ring(ctx, GEOSGetInteriorRingN_r(ctx->geos, poly, i), crs, pj, &a);
        if (st)
            return st;
        total -= a;
    }
    *area = total;
    return RL_OK;
}

static rl_status area_on_ellipsoid(rl_ctx *ctx, ring_fn ring, const GEOSGeometry *g,
                                   const rl_crs *crs, PJ *pj, double *area)
{
    double total = 0;
    int type = GEOSGeomTypeId_r(ctx->geos, g);
    if (type == GEOS_POLYGON) {
        rl_status st = polygon_area(ctx, ring, g, crs, pj, &total);
        if (st)
            return st;
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(ctx->geos, g);
        for (int i = 0; i < n; i++) {
            double a = 0;
            rl_status st = area_on_ellipsoid(ctx, ring, GEOSGetGeometryN_r(ctx->geos, g, i),
                                             crs, pj, &a);
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
    if (m == RL_AREA_PLANAR)
        return area_planar(ctx, g, crs, area);
    PJ *pj = NULL;
    if (!crs->geographic) {
        pj = rl_ctx_pj(ctx, crs->def, crs->geog_def);
        if (!pj)
            return ctx->status;
    }
    ring_fn ring = m == RL_AREA_GEODESIC ? ring_area_geodesic
                   : m == RL_AREA_SURVEY ? ring_area_survey
                                         : ring_area_straight;
    return area_on_ellipsoid(ctx, ring, g, crs, pj, area);
}

const char *rl_area_method_name(rl_area_method m)
{
    switch (m) {
    case RL_AREA_PLANAR:
        return "planar";
    case RL_AREA_GEODESIC:
        return "geodesic";
    case RL_AREA_SURVEY:
        return "survey";
    default:
        return "ellipsoidal";
    }
}

int rl_area_method_parse(const char *s, rl_area_method *m)
{
    static const rl_area_method all[] = {RL_AREA_ELLIPSOIDAL, RL_AREA_GEODESIC,
                                         RL_AREA_SURVEY, RL_AREA_PLANAR};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (strcasecmp(s, rl_area_method_name(all[i])) == 0) {
            *m = all[i];
            return 1;
        }
    return 0;
}

const char *rl_area_method_zh(rl_area_method m)
{
    switch (m) {
    case RL_AREA_PLANAR:
        return "平面面积";
    case RL_AREA_GEODESIC:
        return "椭球面积（测地线边）";
    case RL_AREA_SURVEY:
        return "椭球面积（国土调查公式）";
    default:
        return "椭球面积";
    }
}
