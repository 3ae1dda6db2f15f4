/*
 * map.c -- the geometry side of the HTML report's maps: geometries brought
 * into one metric plane, cut to the map's frame, and written as SVG path
 * data in the frame's pixel space, with the scale bar, north arrow and
 * coordinate ticks that make a map readable on paper.
 *
 * Why a metric plane: longitude and latitude drawn as x and y squash a map
 * by cos(latitude) (23% at 40°N), and a scale bar means nothing on them.
 * A projected CRS is its own plane; longitude/latitude data is drawn in the
 * 3-degree Gauss-Krüger zone (on the data's own ellipsoid) whose central
 * meridian is nearest the map's centre, the plane Chinese survey maps use.
 */
#include "report/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct rl_map {
    char *def;         /* the plane: a PROJ string or WKT2 definition */
    double unit_m;     /* metres per plane unit */
    int gk;            /* 1: a Gauss-Krüger zone made for longitude/latitude data */
    int lon0;          /* its central meridian, degrees */
    double ext[4];     /* what was added so far, in the plane */
    int has_ext;
    double frame[4];   /* the fitted frame, in the plane */
    double s;          /* pixels per plane unit */
    double x0, y0, w, h; /* the drawing area, in pixels */
};

rl_map *rl_map_new(rl_ctx *ctx, const rl_crs *crs, double lon)
{
    rl_map *m = calloc(1, sizeof *m);
    if (!m) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    char gk[512];
    if (crs->geographic) {
        rl_gk_zone_def(crs, lon, gk, sizeof gk);
        m->unit_m = 1;
        m->gk = 1;
        m->lon0 = 3 * (int)floor(lon / 3.0 + 0.5);
    } else {
        m->unit_m = crs->unit_m > 0 ? crs->unit_m : 1;
    }
    if (!(m->def = rl_strdup(crs->geographic ? gk : crs->def))) {
        free(m);
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return m;
}

void rl_map_free(rl_map *m)
{
    if (m)
        free(m->def);
    free(m);
}

int rl_map_gk_meridian(const rl_map *m)
{
    return m && m->gk ? m->lon0 : -1;
}

/* The transformation from src into m's plane; NULL when they are one. */
static PJ *to_plane(rl_ctx *ctx, const rl_map *m, const rl_crs *src)
{
    if (!m->gk && strcmp(src->def, m->def) == 0)
        return NULL;
    return rl_ctx_pj(ctx, src->def, m->def);
}

GEOSGeometry *rl_map_project(rl_ctx *ctx, rl_map *m, const GEOSGeometry *g,
                             const rl_crs *src, int clip)
{
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry *cut = NULL, *out = NULL;
    const GEOSGeometry *in = g;
    int same = !m->gk && strcmp(src->def, m->def) == 0;
    if (clip && !same) {
        /*
         * A control polygon may be a whole county: cut it to the frame in
         * its own CRS first, so that only what is drawn is transformed.
         * The frame's outline (densified, as a box does not stay a box)
         * goes back into src and its envelope, widened, is the cut.
         */
        PJ *back = rl_ctx_pj(ctx, m->def, src->def);
        if (!back)
            return NULL;
        double b[4] = {HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
        for (int i = 0; i <= 16; i++) {
            double t = i / 16.0;
            double pts[4][2] = {
                {m->frame[0] + t * (m->frame[2] - m->frame[0]), m->frame[1]},
                {m->frame[0] + t * (m->frame[2] - m->frame[0]), m->frame[3]},
                {m->frame[0], m->frame[1] + t * (m->frame[3] - m->frame[1])},
                {m->frame[2], m->frame[1] + t * (m->frame[3] - m->frame[1])}};
            for (int k = 0; k < 4; k++) {
                PJ_COORD c = proj_trans(back, PJ_FWD, proj_coord(pts[k][0], pts[k][1], 0, 0));
                if (!isfinite(c.xy.x) || !isfinite(c.xy.y))
                    continue;
                b[0] = fmin(b[0], c.xy.x), b[1] = fmin(b[1], c.xy.y);
                b[2] = fmax(b[2], c.xy.x), b[3] = fmax(b[3], c.xy.y);
            }
        }
        if (b[0] < b[2] && b[1] < b[3]) {
            double dx = (b[2] - b[0]) * 0.05, dy = (b[3] - b[1]) * 0.05;
            cut = GEOSClipByRect_r(h, g, b[0] - dx, b[1] - dy, b[2] + dx, b[3] + dy);
            if (!cut) {
                rl_fail(ctx, RL_ERR_GEOM, "cutting a feature to the map failed: %s",
                        ctx->geos_msg);
                return NULL;
            }
            in = cut;
        }
    }
    if (same) {
        out = GEOSGeom_clone_r(h, in);
        if (!out)
            rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    } else {
        PJ *pj = to_plane(ctx, m, src);
        out = pj ? rl_geom_transform(ctx, in, pj) : NULL;
    }
    if (cut)
        GEOSGeom_destroy_r(h, cut);
    if (out && clip) {
        /* Cut to the frame, widened by a pixel so that no edge shows as a line. */
        double e = 1.0 / m->s;
        GEOSGeometry *c = GEOSClipByRect_r(h, out, m->frame[0] - e, m->frame[1] - e,
                                           m->frame[2] + e, m->frame[3] + e);
        GEOSGeom_destroy_r(h, out);
        out = c;
        if (!out) {
            rl_fail(ctx, RL_ERR_GEOM, "cutting a feature to the map failed: %s",
                    ctx->geos_msg);
            return NULL;
        }
        /* Detail finer than a third of a pixel cannot be seen: leave it out. */
        if (!GEOSisEmpty_r(h, out)) {
            GEOSGeometry *sg = GEOSTopologyPreserveSimplify_r(h, out, 0.33 / m->s);
            if (sg) {
                GEOSGeom_destroy_r(h, out);
                out = sg;
            }
        }
    }
    return out;
}

void rl_map_extend(rl_map *m, const GEOSGeometry *g, rl_ctx *ctx)
{
    double e[4];
    if (!g || GEOSisEmpty_r(ctx->geos, g) ||
        !GEOSGeom_getExtent_r(ctx->geos, g, &e[0], &e[1], &e[2], &e[3]))
        return;
    if (!m->has_ext) {
        memcpy(m->ext, e, sizeof e);
        m->has_ext = 1;
        return;
    }
    m->ext[0] = fmin(m->ext[0], e[0]), m->ext[1] = fmin(m->ext[1], e[1]);
    m->ext[2] = fmax(m->ext[2], e[2]), m->ext[3] = fmax(m->ext[3], e[3]);
}

int rl_map_fit(rl_map *m, double x0, double y0, double w, double h, double margin,
               double min_m)
{
    if (!m->has_ext)
        return 0;
    double cx = (m->ext[0] + m->ext[2]) / 2, cy = (m->ext[1] + m->ext[3]) / 2;
    double fw = (m->ext[2] - m->ext[0]) * (1 + 2 * margin);
    double fh = (m->ext[3] - m->ext[1]) * (1 + 2 * margin);
    double minu = min_m / m->unit_m;
    fw = fmax(fw, minu), fh = fmax(fh, minu);
    /* The same scale both ways (a map is not stretched): widen the short side. */
    if (fw / fh < w / h)
        fw = fh * w / h;
    else
        fh = fw * h / w;
    m->frame[0] = cx - fw / 2, m->frame[2] = cx + fw / 2;
    m->frame[1] = cy - fh / 2, m->frame[3] = cy + fh / 2;
    m->s = w / fw;
    m->x0 = x0, m->y0 = y0, m->w = w, m->h = h;
    return 1;
}

static double px(const rl_map *m, double x)
{
    return m->x0 + (x - m->frame[0]) * m->s;
}

static double py(const rl_map *m, double y)
{
    return m->y0 + (m->frame[3] - y) * m->s;
}

/* One ring or line as "M x y L ..." (closed with Z when ring). */
static void seq_path(rl_ctx *ctx, const rl_map *m, const GEOSGeometry *line, int ring,
                     rl_buf *b)
{
    GEOSContextHandle_t h = ctx->geos;
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, line);
    unsigned int n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n) || n < 2)
        return;
    double lx = HUGE_VAL, ly = HUGE_VAL;
    int k = 0;
    for (unsigned int i = 0; i < n; i++) {
        double x, y;
        if (!GEOSCoordSeq_getXY_r(h, cs, i, &x, &y))
            return;
        /* Tenths of a pixel: what a printer resolves, and no more bytes. */
        double X = round(px(m, x) * 10) / 10, Y = round(py(m, y) * 10) / 10;
        if (X == lx && Y == ly && i + 1 < n)
            continue;
        rl_buf_printf(b, "%s%.1f %.1f", k ? " L" : "M", X, Y);
        lx = X, ly = Y;
        k++;
    }
    if (ring)
        rl_buf_puts(b, " Z ");
    else
        rl_buf_puts(b, " ");
}

void rl_map_path(rl_ctx *ctx, const rl_map *m, const GEOSGeometry *g, rl_buf *b)
{
    GEOSContextHandle_t h = ctx->geos;
    if (!g || GEOSisEmpty_r(h, g))
        return;
    int t = GEOSGeomTypeId_r(h, g);
    switch (t) {
    case GEOS_POLYGON: {
        seq_path(ctx, m, GEOSGetExteriorRing_r(h, g), 1, b);
        int nh = GEOSGetNumInteriorRings_r(h, g);
        for (int i = 0; i < nh; i++)
            seq_path(ctx, m, GEOSGetInteriorRingN_r(h, g, i), 1, b);
        break;
    }
    case GEOS_LINESTRING:
    case GEOS_LINEARRING: seq_path(ctx, m, g, 0, b); break;
    case GEOS_MULTIPOLYGON:
    case GEOS_MULTILINESTRING:
    case GEOS_GEOMETRYCOLLECTION: {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++)
            rl_map_path(ctx, m, GEOSGetGeometryN_r(h, g, i), b);
        break;
    }
    default: break; /* points carry no area to draw */
    }
}

int rl_map_label_point(rl_ctx *ctx, const rl_map *m, const GEOSGeometry *g, double *x,
                       double *y)
{
    GEOSContextHandle_t h = ctx->geos;
    if (!g || GEOSisEmpty_r(h, g))
        return 0;
    GEOSGeometry *p = GEOSPointOnSurface_r(h, g);
    double gx, gy;
    int ok = p && !GEOSisEmpty_r(h, p) && GEOSGeomGetX_r(h, p, &gx) && GEOSGeomGetY_r(h, p, &gy);
    if (p)
        GEOSGeom_destroy_r(h, p);
    if (!ok)
        return 0;
    *x = px(m, gx), *y = py(m, gy);
    return 1;
}

/* 1, 2 or 5 times a power of ten, the largest not above v. */
static double nice_below(double v)
{
    double p = pow(10, floor(log10(v)));
    double f = v / p;
    return (f >= 5 ? 5 : f >= 2 ? 2 : 1) * p;
}

void rl_map_decor(const rl_map *m, rl_buf *b, int zh)
{
    /* Frame. */
    rl_buf_printf(b, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                  "height=\"%.1f\"/>\n", m->x0, m->y0, m->w, m->h);
    /* Coordinate ticks along the bottom (x) and left (y) edges, in plane units. */
    double step = nice_below((m->frame[2] - m->frame[0]) / 3);
    rl_buf_puts(b, "<g class=\"ticks\">");
    for (double v = ceil(m->frame[0] / step) * step; v <= m->frame[2]; v += step) {
        double X = px(m, v), Y = m->y0 + m->h;
        if (X > m->x0 + m->w - 24)
            break; /* its label would run off the picture */
        rl_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>",
                      X, Y, X, Y + 5, X, Y + 15, v);
    }
    for (double v = ceil(m->frame[1] / step) * step; v <= m->frame[3]; v += step) {
        double Y = py(m, v), X = m->x0;
        rl_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                      "transform=\"rotate(-90 %.1f %.1f)\">%.0f</text>",
                      X - 5, Y, X, Y, X - 8, Y, X - 8, Y, v);
    }
    rl_buf_puts(b, "</g>\n");
    /* Scale bar, bottom left: about a fifth of the width, a round length. */
    double len_m = nice_below((m->frame[2] - m->frame[0]) * m->unit_m / 5);
    double len_px = len_m / m->unit_m * m->s;
    double sx = m->x0 + 12, sy = m->y0 + m->h - 14;
    rl_buf_printf(b, "<g class=\"scalebar\"><rect class=\"bg\" x=\"%.1f\" y=\"%.1f\" "
                  "width=\"%.1f\" height=\"22\"/>"
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"4\" class=\"dark\"/>"
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"4\" class=\"light\"/>",
                  sx - 4, sy - 14, len_px + 50, sx, sy, len_px / 2, sx + len_px / 2, sy,
                  len_px / 2);
    if (len_m >= 1000)
        rl_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">0</text><text x=\"%.1f\" y=\"%.1f\">"
                      "%g %s</text></g>\n", sx - 2, sy - 3, sx + len_px - 4, sy - 3,
                      len_m / 1000, zh ? "千米" : "km");
    else
        rl_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">0</text><text x=\"%.1f\" y=\"%.1f\">"
                      "%g %s</text></g>\n", sx - 2, sy - 3, sx + len_px - 4, sy - 3,
                      len_m, zh ? "米" : "m");
    /* North arrow, top right (grid north of the plane). */
    double nx = m->x0 + m->w - 22, ny = m->y0 + 12;
    rl_buf_printf(b, "<g class=\"north\"><path d=\"M%.1f %.1f L%.1f %.1f L%.1f %.1f L%.1f "
                  "%.1f Z\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>"
                  "</g>\n", nx, ny + 8, nx + 7, ny + 30, nx, ny + 24, nx - 7, ny + 30, nx,
                  ny + 6, zh ? "北" : "N");
}
