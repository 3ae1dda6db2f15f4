/*
 * linear.c -- line and point footprints: corridors, squares and circles
 * built in a metric plane, and the chainage of a centre line inside a
 * control (linear.h, docs/linear.md).
 */
#include "linear/linear.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int rl_linear_wanted(const rl_screen_options *o)
{
    return o->line_width > 0 || o->line_width_field || o->line_left_field ||
           o->point_size > 0 || o->point_radius > 0;
}

rl_status rl_linear_check_fields(rl_ctx *ctx, const rl_layer *L, const rl_screen_options *o)
{
    const char *f[4] = {o->line_width_field, o->line_left_field, o->line_right_field,
                        o->point_field};
    static const char *opt[4] = {"--line-width-field", "--line-left-field",
                                 "--line-right-field", "--point-size/--point-radius"};
    int has[3] = {0, 0, 0};
    for (size_t i = 0; i < L->n; i++)
        has[L->feat[i].kind] = 1;
    for (int k = 0; k < 4; k++)
        if (f[k] && has[k < 3 ? RL_KIND_LINE : RL_KIND_POINT] &&
            rl_layer_field_index(L, f[k]) < 0) {
            char hint[RL_FIELD_HINT_MAX];
            return rl_fail(ctx, RL_ERR_USAGE, "%s: layer '%s' has no field '%s' for %s%s",
                           L->path, L->layer_name, f[k], opt[k],
                           rl_layer_field_hint(L, f[k], hint, sizeof hint));
        }
    return RL_OK;
}

void rl_linear_info_clear(rl_ctx *ctx, rl_linear_info *info)
{
    if (!info)
        return;
    GEOSGeom_destroy_r(ctx->geos, info->line);
    memset(info, 0, sizeof *info);
}

/*
 * The value of field `name` of feature i as metres into *m: RL_OK, or
 * RL_ERR_INPUT naming the file, the FID and the field when it is null, not
 * a number, negative, or (unless zero_ok) zero.
 */
static rl_status field_metres(rl_ctx *ctx, const rl_layer *L, size_t i, const char *name,
                              const char *opt, int zero_ok, double *m)
{
    const rl_feature *ft = &L->feat[i];
    int fi = rl_layer_field_index(L, name);
    const char *v = fi >= 0 && ft->attrs ? ft->attrs[fi] : NULL;
    if (!v || !*v)
        return rl_fail(ctx, RL_ERR_INPUT, "%s: FID %" PRId64 ": field '%s' (%s) is null; "
                       "every line or point needs its width", L->path, (int64_t)ft->fid,
                       name, opt);
    char *end = NULL;
    double x = strtod(v, &end);
    while (end && (*end == ' ' || *end == '\t'))
        end++;
    if (end == v || *end || !isfinite(x) || x < 0 || (!zero_ok && x == 0))
        return rl_fail(ctx, RL_ERR_INPUT, "%s: FID %" PRId64 ": field '%s' (%s) is '%s', "
                       "not a %s width in metres", L->path, (int64_t)ft->fid, name, opt, v,
                       zero_ok ? "non-negative" : "positive");
    *m = x;
    return RL_OK;
}

/* Geodesic length (m) of the line parts of g, whose coordinates are lon/lat on crs. */
static double geodesic_length(rl_ctx *ctx, const GEOSGeometry *g, const rl_crs *crs)
{
    GEOSContextHandle_t h = ctx->geos;
    int t = GEOSGeomTypeId_r(h, g);
    double s = 0;
    if (t == GEOS_LINESTRING) {
        const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, g);
        unsigned int n = 0;
        GEOSCoordSeq_getSize_r(h, cs, &n);
        double x0 = 0, y0 = 0, x1, y1, d;
        for (unsigned int k = 0; k < n; k++) {
            GEOSCoordSeq_getXY_r(h, cs, k, &x1, &y1);
            if (k) {
                geod_inverse(&crs->geod, y0, x0, y1, x1, &d, NULL, NULL);
                s += d;
            }
            x0 = x1, y0 = y1;
        }
    } else if (t == GEOS_MULTILINESTRING || t == GEOS_GEOMETRYCOLLECTION) {
        for (int k = 0; k < GEOSGetNumGeometries_r(h, g); k++)
            s += geodesic_length(ctx, GEOSGetGeometryN_r(h, g, k), crs);
    }
    return s;
}

/* g in L's CRS -> lon/lat on L's geographic CRS (new), NULL + message. */
static GEOSGeometry *to_lonlat(rl_ctx *ctx, const GEOSGeometry *g, const rl_crs *crs)
{
    PJ *pj = rl_ctx_pj(ctx, crs->def, crs->geog_def);
    return pj ? rl_geom_transform(ctx, g, pj) : NULL;
}

/* Flat-ended, mitre-joined buffer of g by dist (plane units); side: 0 both, 1 left, -1 right. */
static GEOSGeometry *corridor_side(rl_ctx *ctx, const GEOSGeometry *g, double dist, int side)
{
    GEOSContextHandle_t h = ctx->geos;
    GEOSBufferParams *p = GEOSBufferParams_create_r(h);
    GEOSGeometry *out = NULL;
    if (p && GEOSBufferParams_setEndCapStyle_r(h, p, GEOSBUF_CAP_FLAT) &&
        GEOSBufferParams_setJoinStyle_r(h, p, GEOSBUF_JOIN_MITRE) &&
        GEOSBufferParams_setMitreLimit_r(h, p, RL_CORRIDOR_MITRE_LIMIT) &&
        GEOSBufferParams_setSingleSided_r(h, p, side != 0))
        /* A single-sided buffer is on the left for a positive distance. */
        out = GEOSBufferWithParams_r(h, g, p, side < 0 ? -dist : dist);
    GEOSBufferParams_destroy_r(h, p);
    return out;
}

static GEOSGeometry *point_shape(rl_ctx *ctx, const GEOSGeometry *pt, double size, int circle)
{
    GEOSContextHandle_t h = ctx->geos;
    if (circle)
        return GEOSBuffer_r(h, pt, size, RL_CIRCLE_QUADSEGS);
    double x, y, e = size / 2;
    if (!GEOSGeomGetX_r(h, pt, &x) || !GEOSGeomGetY_r(h, pt, &y))
        return NULL;
    /* Sides along the plane's grid lines: east-west and north-south at the tower. */
    double xy[10] = {x - e, y - e, x + e, y - e, x + e, y + e, x - e, y + e, x - e, y - e};
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(h, xy, 5, 0, 0);
    GEOSGeometry *ring = cs ? GEOSGeom_createLinearRing_r(h, cs) : NULL;
    return ring ? GEOSGeom_createPolygon_r(h, ring, NULL, 0) : NULL;
}

/* The polygon of the points of g (plane units), their union. */
static GEOSGeometry *points_polygon(rl_ctx *ctx, const GEOSGeometry *g, double size, int circle)
{
    GEOSContextHandle_t h = ctx->geos;
    int n = GEOSGetNumGeometries_r(h, g);
    if (GEOSGeomTypeId_r(h, g) == GEOS_POINT)
        return point_shape(ctx, g, size, circle);
    GEOSGeometry **parts = calloc((size_t)(n > 0 ? n : 1), sizeof *parts);
    GEOSGeometry *coll = NULL, *out = NULL;
    int k = 0;
    if (!parts)
        return NULL;
    for (; k < n; k++)
        if (!(parts[k] = point_shape(ctx, GEOSGetGeometryN_r(h, g, k), size, circle)))
            goto cleanup;
    coll = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned int)n);
    k = 0; /* the collection owns them now */
    if (coll)
        out = GEOSUnaryUnion_r(h, coll);
cleanup:
    while (k-- > 0)
        GEOSGeom_destroy_r(h, parts[k]);
    free(parts);
    GEOSGeom_destroy_r(h, coll);
    return out;
}

/* Replace feature ft's WKB and envelope by g's (borrowed). */
static rl_status set_wkb(rl_ctx *ctx, rl_feature *ft, const GEOSGeometry *g)
{
    GEOSContextHandle_t h = ctx->geos;
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    size_t len = 0;
    unsigned char *wkb = w ? GEOSWKBWriter_write_r(h, w, g, &len) : NULL;
    unsigned char *copy = wkb ? malloc(len) : NULL;
    if (copy)
        memcpy(copy, wkb, len);
    GEOSFree_r(h, wkb);
    GEOSWKBWriter_destroy_r(h, w);
    if (!copy)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    free(ft->wkb);
    ft->wkb = copy;
    ft->wkb_len = len;
    GEOSGeom_getXMin_r(h, g, &ft->env[0]);
    GEOSGeom_getYMin_r(h, g, &ft->env[1]);
    GEOSGeom_getXMax_r(h, g, &ft->env[2]);
    GEOSGeom_getYMax_r(h, g, &ft->env[3]);
    return RL_OK;
}

/* The half widths (m) of line feature i: from the options or its fields. */
static rl_status line_widths(rl_ctx *ctx, const rl_layer *L, size_t i,
                             const rl_screen_options *o, double *left, double *right)
{
    rl_status st = RL_OK;
    double w = o->line_width;
    const rl_feature *ft = &L->feat[i];
    if (o->line_left_field) {
        if ((st = field_metres(ctx, L, i, o->line_left_field, "--line-left-field", 1, left)) ||
            (st = field_metres(ctx, L, i, o->line_right_field, "--line-right-field", 1, right)))
            return st;
        if (!(*left + *right > 0))
            return rl_fail(ctx, RL_ERR_INPUT, "%s: FID %" PRId64 ": fields '%s' and '%s' "
                           "are both 0: the corridor has no width", L->path,
                           (int64_t)ft->fid, o->line_left_field, o->line_right_field);
        return RL_OK;
    }
    if (o->line_width_field &&
        (st = field_metres(ctx, L, i, o->line_width_field, "--line-width-field", 0, &w)))
        return st;
    if (!(w > 0))
        return rl_fail(ctx, RL_ERR_INPUT, "%s: FID %" PRId64 ": a line footprint needs a "
                       "corridor width: give --line-width M, --line-width-field F or "
                       "--line-left-field F --line-right-field F", L->path,
                       (int64_t)ft->fid);
    *left = *right = w / 2;
    return RL_OK;
}

rl_status rl_linear_footprint(rl_ctx *ctx, rl_layer *L, size_t i,
                              const rl_screen_options *o, rl_linear_info *info)
{
    GEOSContextHandle_t h = ctx->geos;
    rl_feature *ft = &L->feat[i];
    rl_status st = RL_OK;
    GEOSGeometry *g = NULL, *ll = NULL, *plane = NULL, *poly = NULL, *back = NULL;
    GEOSGeometry *left = NULL, *right = NULL;
    char def[512];
    const char *pdef = NULL; /* the metric plane; NULL: the layer's own */
    double unit = L->crs->unit_m > 0 ? L->crs->unit_m : 1;

    memset(info, 0, sizeof *info);
    info->width_m = NAN;
    info->kind = ft->kind;
    if (ft->kind == RL_KIND_POLYGON || !ft->wkb || ft->status != RL_FEAT_OK)
        return RL_OK;
    if (!ctx->wkb_reader)
        ctx->wkb_reader = GEOSWKBReader_create_r(h);
    g = ctx->wkb_reader ? GEOSWKBReader_read_r(h, ctx->wkb_reader, ft->wkb, ft->wkb_len)
                        : NULL;
    if (!g) {
        st = rl_fail(ctx, RL_ERR_INPUT, "%s: FID %" PRId64 ": GEOS cannot read the %s",
                     L->path, (int64_t)ft->fid, ft->kind == RL_KIND_LINE ? "line" : "point");
        goto cleanup;
    }
    if (L->crs->geographic) {
        /* Never buffer in degrees: the GK 3-degree zone of the feature. */
        pdef = rl_gk_zone_def(L->crs, (ft->env[0] + ft->env[2]) / 2, def, sizeof def);
        unit = 1;
        PJ *pj = rl_ctx_pj(ctx, L->crs->def, pdef);
        if (!pj || !(plane = rl_geom_transform(ctx, g, pj))) {
            st = ctx->status;
            goto cleanup;
        }
    } else if (!(plane = GEOSGeom_clone_r(h, g))) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (ft->kind == RL_KIND_LINE) {
        double wl = 0, wr = 0;
        if ((st = line_widths(ctx, L, i, o, &wl, &wr)))
            goto cleanup;
        if (!(ll = to_lonlat(ctx, g, L->crs))) {
            st = ctx->status;
            goto cleanup;
        }
        info->length_m = geodesic_length(ctx, ll, L->crs);
        if (!(info->length_m > 0)) {
            st = rl_fail(ctx, RL_ERR_INPUT, "%s: FID %" PRId64 ": the line has no length "
                         "(all its vertices are one point)", L->path, (int64_t)ft->fid);
            goto cleanup;
        }
        info->left_m = wl, info->right_m = wr;
        info->width_m = wl == wr ? wl + wr : NAN;
        if (wl == wr) {
            poly = corridor_side(ctx, plane, wl / unit, 0);
        } else {
            left = wl > 0 ? corridor_side(ctx, plane, wl / unit, 1) : NULL;
            right = wr > 0 ? corridor_side(ctx, plane, wr / unit, -1) : NULL;
            if ((wl > 0 && !left) || (wr > 0 && !right))
                poly = NULL;
            else if (left && right)
                poly = GEOSUnion_r(h, left, right);
            else
                poly = GEOSGeom_clone_r(h, left ? left : right);
        }
        info->line = g;
        g = NULL;
    } else {
        double size = o->point_size > 0 ? o->point_size : o->point_radius;
        int circle = o->point_radius > 0;
        if (!(size > 0)) {
            st = rl_fail(ctx, RL_ERR_INPUT, "%s: FID %" PRId64 ": a point footprint (塔基) "
                         "needs a size: give --point-size M (square) or --point-radius M "
                         "(circle)", L->path, (int64_t)ft->fid);
            goto cleanup;
        }
        if (o->point_field &&
            (st = field_metres(ctx, L, i, o->point_field,
                               circle ? "--point-radius" : "--point-size", 0, &size)))
            goto cleanup;
        info->size_m = size;
        poly = points_polygon(ctx, plane, size / unit, circle);
    }
    if (!poly) {
        st = rl_fail(ctx, RL_ERR_GEOM, "%s: FID %" PRId64 ": building the %s failed: %s",
                     L->path, (int64_t)ft->fid,
                     ft->kind == RL_KIND_LINE ? "corridor" : "tower polygon", ctx->geos_msg);
        goto cleanup;
    }
    if (pdef) {
        PJ *pj = rl_ctx_pj(ctx, pdef, L->crs->def);
        if (!pj || !(back = rl_geom_transform(ctx, poly, pj))) {
            st = ctx->status;
            goto cleanup;
        }
    }
    st = set_wkb(ctx, ft, back ? back : poly);
cleanup:
    GEOSGeom_destroy_r(h, g);
    GEOSGeom_destroy_r(h, ll);
    GEOSGeom_destroy_r(h, plane);
    GEOSGeom_destroy_r(h, poly);
    GEOSGeom_destroy_r(h, back);
    GEOSGeom_destroy_r(h, left);
    GEOSGeom_destroy_r(h, right);
    if (st)
        rl_linear_info_clear(ctx, info);
    return st;
}

/* ---- crossings ---- */

/* The centre line in lon/lat: its vertices, parts one after another. */
typedef struct chain {
    double *lon, *lat, *s; /* s: chainage at the vertex, m */
    int *part;             /* part of each vertex */
    size_t n, cap;
} chain;

static int chain_add(rl_ctx *ctx, chain *c, const GEOSGeometry *g, int *part)
{
    GEOSContextHandle_t h = ctx->geos;
    int t = GEOSGeomTypeId_r(h, g);
    if (t == GEOS_MULTILINESTRING || t == GEOS_GEOMETRYCOLLECTION) {
        for (int k = 0; k < GEOSGetNumGeometries_r(h, g); k++)
            if (!chain_add(ctx, c, GEOSGetGeometryN_r(h, g, k), part))
                return 0;
        return 1;
    }
    if (t != GEOS_LINESTRING)
        return 1;
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, g);
    unsigned int n = 0;
    GEOSCoordSeq_getSize_r(h, cs, &n);
    if (c->n + n > c->cap) {
        size_t cap = (c->n + n) * 2;
        double *a = realloc(c->lon, cap * sizeof *a);
        if (a) c->lon = a;
        double *b = realloc(c->lat, cap * sizeof *b);
        if (b) c->lat = b;
        double *s = realloc(c->s, cap * sizeof *s);
        if (s) c->s = s;
        int *p = realloc(c->part, cap * sizeof *p);
        if (p) c->part = p;
        if (!a || !b || !s || !p)
            return 0;
        c->cap = cap;
    }
    for (unsigned int k = 0; k < n; k++) {
        size_t j = c->n++;
        GEOSCoordSeq_getXY_r(h, cs, k, &c->lon[j], &c->lat[j]);
        c->part[j] = *part;
        c->s[j] = 0; /* chain_measure */
    }
    (*part)++;
    return 1;
}

/* Chainage at each vertex; a part starts where the one before it ended. */
static void chain_measure(chain *c, const struct geod_geodesic *geod)
{
    for (size_t j = 1; j < c->n; j++) {
        double d = 0;
        if (c->part[j] == c->part[j - 1])
            geod_inverse(geod, c->lat[j - 1], c->lon[j - 1], c->lat[j], c->lon[j], &d, NULL,
                         NULL);
        c->s[j] = c->s[j - 1] + d;
    }
}

/*
 * Chainage (m) of the point of the line nearest (lon, lat): the nearest
 * segment in a local plane (longitude scaled by the cosine of latitude),
 * then the geodesic distance from its first vertex.
 */
static double chain_locate(const chain *c, const struct geod_geodesic *geod, double lon,
                           double lat)
{
    double best = HUGE_VAL, bs = 0;
    if (c->n == 1)
        return 0;
    for (size_t j = 1; j < c->n; j++) {
        if (c->part[j] != c->part[j - 1])
            continue;
        double k = cos(lat * M_PI / 180);
        double x1 = c->lon[j - 1] * k, y1 = c->lat[j - 1];
        double dx = c->lon[j] * k - x1, dy = c->lat[j] - y1;
        double px = lon * k - x1, py = lat - y1;
        double l2 = dx * dx + dy * dy;
        double t = l2 > 0 ? (px * dx + py * dy) / l2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        double ex = px - t * dx, ey = py - t * dy, d2 = ex * ex + ey * ey;
        if (d2 < best) {
            best = d2;
            double qlon = c->lon[j - 1] + t * (c->lon[j] - c->lon[j - 1]);
            double qlat = c->lat[j - 1] + t * (c->lat[j] - c->lat[j - 1]);
            double d = 0;
            geod_inverse(geod, c->lat[j - 1], c->lon[j - 1], qlat, qlon, &d, NULL, NULL);
            bs = c->s[j - 1] + d;
        }
    }
    return bs;
}

typedef struct ivals {
    rl_crossing *v;
    size_t n, cap;
} ivals;

/* Intervals of the line pieces of x (in ccrs), located on the chain. */
static int add_pieces(rl_ctx *ctx, const GEOSGeometry *x, PJ *pj, const chain *c,
                      const struct geod_geodesic *geod, ivals *iv)
{
    GEOSContextHandle_t h = ctx->geos;
    int t = GEOSGeomTypeId_r(h, x);
    if (t == GEOS_MULTILINESTRING || t == GEOS_GEOMETRYCOLLECTION) {
        for (int k = 0; k < GEOSGetNumGeometries_r(h, x); k++)
            if (!add_pieces(ctx, GEOSGetGeometryN_r(h, x, k), pj, c, geod, iv))
                return 0;
        return 1;
    }
    if (t != GEOS_LINESTRING || GEOSisEmpty_r(h, x))
        return 1; /* a point where the line touches a control: no length */
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, x);
    unsigned int n = 0;
    GEOSCoordSeq_getSize_r(h, cs, &n);
    if (n < 2)
        return 1;
    double xs[2], ys[2];
    GEOSCoordSeq_getXY_r(h, cs, 0, &xs[0], &ys[0]);
    GEOSCoordSeq_getXY_r(h, cs, n - 1, &xs[1], &ys[1]);
    if (pj)
        proj_trans_generic(pj, PJ_FWD, xs, sizeof *xs, 2, ys, sizeof *ys, 2, NULL, 0, 0,
                           NULL, 0, 0);
    double a = chain_locate(c, geod, xs[0], ys[0]), b = chain_locate(c, geod, xs[1], ys[1]);
    if (iv->n == iv->cap) {
        size_t cap = iv->cap ? 2 * iv->cap : 8;
        rl_crossing *v = realloc(iv->v, cap * sizeof *v);
        if (!v)
            return 0;
        iv->v = v, iv->cap = cap;
    }
    iv->v[iv->n].from_m = fmin(a, b);
    iv->v[iv->n].to_m = fmax(a, b);
    iv->n++;
    return 1;
}

static int cmp_crossing(const void *a, const void *b)
{
    const rl_crossing *x = a, *y = b;
    return x->from_m < y->from_m ? -1 : x->from_m > y->from_m ? 1
         : x->to_m < y->to_m     ? -1 : x->to_m > y->to_m;
}

rl_status rl_line_crossings(rl_ctx *ctx, const GEOSGeometry *line, const rl_crs *fcrs,
                            const GEOSGeometry *const *polys, size_t n, const rl_crs *ccrs,
                            rl_crossing **out, size_t *nout, double *len_m)
{
    GEOSContextHandle_t h = ctx->geos;
    rl_status st = RL_OK;
    chain c = {0};
    ivals iv = {0};
    GEOSGeometry *ll = NULL, *lc = NULL;
    int part = 0;
    *out = NULL, *nout = 0, *len_m = 0;
    if (!n)
        return RL_OK;
    PJ *back = rl_ctx_pj(ctx, ccrs->def, fcrs->geog_def);
    if (!back || !(ll = to_lonlat(ctx, line, fcrs))) {
        st = ctx->status;
        goto cleanup;
    }
    if (rl_crs_same(fcrs, ccrs))
        lc = GEOSGeom_clone_r(h, line);
    else {
        PJ *pj = rl_ctx_pj(ctx, fcrs->def, ccrs->def);
        lc = pj ? rl_geom_transform(ctx, line, pj) : NULL;
    }
    if (!lc || !chain_add(ctx, &c, ll, &part)) {
        st = lc ? rl_fail(ctx, RL_ERR_NOMEM, "out of memory") : ctx->status;
        goto cleanup;
    }
    chain_measure(&c, &fcrs->geod);
    for (size_t k = 0; k < n; k++) {
        GEOSGeometry *x = GEOSIntersection_r(h, lc, polys[k]);
        if (!x) {
            st = rl_fail(ctx, RL_ERR_GEOM, "centre line ∩ control failed: %s", ctx->geos_msg);
            goto cleanup;
        }
        int ok = add_pieces(ctx, x, back, &c, &fcrs->geod, &iv);
        GEOSGeom_destroy_r(h, x);
        if (!ok) {
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto cleanup;
        }
    }
    if (iv.n) {
        qsort(iv.v, iv.n, sizeof *iv.v, cmp_crossing);
        size_t m = 0;
        for (size_t k = 0; k < iv.n; k++) {
            if (m && iv.v[k].from_m <= iv.v[m - 1].to_m + RL_CROSSING_JOIN_M)
                iv.v[m - 1].to_m = fmax(iv.v[m - 1].to_m, iv.v[k].to_m);
            else
                iv.v[m++] = iv.v[k];
        }
        for (size_t k = 0; k < m; k++)
            *len_m += iv.v[k].to_m - iv.v[k].from_m;
        /* A piece of no length (the line along a boundary's vertex) is no crossing. */
        size_t q = 0;
        for (size_t k = 0; k < m; k++)
            if (iv.v[k].to_m > iv.v[k].from_m)
                iv.v[q++] = iv.v[k];
        *out = q ? iv.v : NULL;
        *nout = q;
        if (q)
            iv.v = NULL;
    }
cleanup:
    free(iv.v);
    free(c.lon);
    free(c.lat);
    free(c.s);
    free(c.part);
    GEOSGeom_destroy_r(h, ll);
    GEOSGeom_destroy_r(h, lc);
    return st;
}

/* ---- proximity ---- */

void rl_reach_pad(const rl_crs *crs, const double env[4], double reach_m, double out[4])
{
    double dx, dy;
    if (crs->geographic) {
        /* 110.5 km per degree of latitude at the least; longitude shrinks with cos. */
        dy = reach_m * 1.1 / 110500.0;
        double lat = fmax(fabs(env[1]), fabs(env[3])) + dy;
        dx = lat < 89 ? dy / cos(lat * M_PI / 180) : 360;
    } else {
        dx = dy = reach_m * 1.1 / (crs->unit_m > 0 ? crs->unit_m : 1);
    }
    out[0] = env[0] - dx, out[1] = env[1] - dy;
    out[2] = env[2] + dx, out[3] = env[3] + dy;
}

/* The GK zone of g's centre on crs's ellipsoid into def; 0 + message on failure. */
static int gk_of(rl_ctx *ctx, const GEOSGeometry *g, const rl_crs *crs, char *def, size_t n)
{
    double e[4];
    if (!GEOSGeom_getExtent_r(ctx->geos, g, &e[0], &e[1], &e[2], &e[3])) {
        rl_fail(ctx, RL_ERR_GEOM, "empty footprint");
        return 0;
    }
    double x = (e[0] + e[2]) / 2, y = (e[1] + e[3]) / 2;
    PJ *pj = rl_ctx_pj(ctx, crs->def, crs->geog_def);
    if (!pj)
        return 0;
    proj_trans_generic(pj, PJ_FWD, &x, sizeof x, 1, &y, sizeof y, 1, NULL, 0, 0, NULL, 0, 0);
    if (!isfinite(x)) {
        rl_fail(ctx, RL_ERR_CRS, "the footprint's centre has no longitude");
        return 0;
    }
    rl_gk_zone_def(crs, x, def, n);
    return 1;
}

rl_status rl_near_distance(rl_ctx *ctx, const GEOSGeometry *fp,
                           const GEOSGeometry *const *c, size_t n, const rl_crs *crs,
                           double reach_m, double *dist)
{
    GEOSContextHandle_t h = ctx->geos;
    rl_status st = RL_OK;
    GEOSGeometry *fg = NULL;
    char def[512];
    double e[4], pe[4];
    *dist = NAN;
    if (!n)
        return RL_OK;
    for (size_t k = 0; k < n; k++)
        if (GEOSIntersects_r(h, fp, c[k]) == 1) {
            *dist = 0;
            return RL_OK;
        }
    if (!GEOSGeom_getExtent_r(h, fp, &e[0], &e[1], &e[2], &e[3]) ||
        !gk_of(ctx, fp, crs, def, sizeof def))
        return ctx->status ? ctx->status : rl_fail(ctx, RL_ERR_GEOM, "empty footprint");
    rl_reach_pad(crs, e, reach_m, pe);
    PJ *to = rl_ctx_pj(ctx, crs->def, def), *ll = rl_ctx_pj(ctx, def, crs->geog_def);
    if (!to || !ll || !(fg = rl_geom_transform(ctx, fp, to))) {
        st = ctx->status;
        goto cleanup;
    }
    for (size_t k = 0; k < n; k++) {
        GEOSGeometry *clip = GEOSClipByRect_r(h, c[k], pe[0], pe[1], pe[2], pe[3]);
        GEOSGeometry *cg = clip && !GEOSisEmpty_r(h, clip) ? rl_geom_transform(ctx, clip, to)
                                                            : NULL;
        GEOSCoordSequence *np = cg ? GEOSNearestPoints_r(h, fg, cg) : NULL;
        GEOSGeom_destroy_r(h, clip);
        GEOSGeom_destroy_r(h, cg);
        if (!np)
            continue; /* nothing of it within the padded envelope */
        double x[2], y[2], d = 0;
        GEOSCoordSeq_getXY_r(h, np, 0, &x[0], &y[0]);
        GEOSCoordSeq_getXY_r(h, np, 1, &x[1], &y[1]);
        GEOSCoordSeq_destroy_r(h, np);
        proj_trans_generic(ll, PJ_FWD, x, sizeof *x, 2, y, sizeof *y, 2, NULL, 0, 0, NULL, 0, 0);
        geod_inverse(&crs->geod, y[0], x[0], y[1], x[1], &d, NULL, NULL);
        if (d <= reach_m && !(d >= *dist))
            *dist = d;
    }
cleanup:
    GEOSGeom_destroy_r(h, fg);
    return st;
}

rl_status rl_ring_areas(rl_ctx *ctx, const GEOSGeometry *fp, const GEOSGeometry *const *c,
                        size_t n, const rl_crs *crs, int m, const double *d, int nrings,
                        double *areas)
{
    GEOSContextHandle_t h = ctx->geos;
    rl_status st = RL_OK;
    GEOSGeometry *fg = NULL, *buf = NULL, *back = NULL, *u = NULL;
    GEOSGeometry **pieces = NULL;
    size_t np = 0;
    char def[512];
    for (int j = 0; j < nrings; j++)
        areas[j] = 0;
    if (!n)
        return RL_OK;
    if (!gk_of(ctx, fp, crs, def, sizeof def))
        return ctx->status;
    PJ *to = rl_ctx_pj(ctx, crs->def, def), *fro = rl_ctx_pj(ctx, def, crs->def);
    if (!to || !fro || !(fg = rl_geom_transform(ctx, fp, to)))
        return ctx->status;
    if (!(pieces = calloc(n, sizeof *pieces))) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (int j = 0; j < nrings; j++) {
        double e[4];
        if (!(buf = GEOSBuffer_r(h, fg, d[j], 8)) || !(back = rl_geom_transform(ctx, buf, fro)) ||
            !GEOSGeom_getExtent_r(h, back, &e[0], &e[1], &e[2], &e[3])) {
            st = ctx->status ? ctx->status
                             : rl_fail(ctx, RL_ERR_GEOM, "ring buffer failed: %s", ctx->geos_msg);
            goto cleanup;
        }
        np = 0;
        for (size_t k = 0; k < n; k++) {
            /* The control cut to the ring's box first: provinces are big. */
            GEOSGeometry *clip = GEOSClipByRect_r(h, c[k], e[0], e[1], e[2], e[3]);
            GEOSGeometry *x = clip && !GEOSisEmpty_r(h, clip) ? GEOSIntersection_r(h, back, clip)
                                                               : NULL;
            if (clip && !x && !GEOSisEmpty_r(h, clip))
                x = GEOSIntersection_r(h, back, c[k]); /* the clip may be invalid */
            GEOSGeom_destroy_r(h, clip);
            if (x && !GEOSisEmpty_r(h, x))
                pieces[np++] = x;
            else
                GEOSGeom_destroy_r(h, x);
        }
        if (np) {
            GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, pieces,
                                                             (unsigned int)np);
            if (coll)
                np = 0; /* owned by coll */
            u = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
            GEOSGeom_destroy_r(h, coll);
            if (!u || rl_geom_area(ctx, u, crs, (rl_area_method)m, &areas[j])) {
                st = u ? ctx->status : rl_fail(ctx, RL_ERR_GEOM, "ring union failed: %s",
                                               ctx->geos_msg);
                goto cleanup;
            }
        }
        GEOSGeom_destroy_r(h, u);
        GEOSGeom_destroy_r(h, buf);
        GEOSGeom_destroy_r(h, back);
        u = buf = back = NULL;
    }
cleanup:
    for (size_t k = 0; k < np; k++)
        GEOSGeom_destroy_r(h, pieces[k]);
    free(pieces);
    GEOSGeom_destroy_r(h, u);
    GEOSGeom_destroy_r(h, buf);
    GEOSGeom_destroy_r(h, back);
    GEOSGeom_destroy_r(h, fg);
    return st;
}
