/*
 * linear.h -- line and point footprints (linear.c): a centre line becomes
 * a corridor and a tower point a square or a circle, built in a metric
 * plane; and how much of a centre line lies inside a control, where it
 * enters and where it leaves (docs/linear.md).
 */
#ifndef RL_LINEAR_H
#define RL_LINEAR_H

#include "options/options.h"

/* Mitre limit of the corridor's joins, as PostGIS ST_Buffer's default. */
#define RL_CORRIDOR_MITRE_LIMIT 5.0
/* Segments per quarter circle of --point-radius (a 256-gon). */
#define RL_CIRCLE_QUADSEGS 64
/* Crossings closer than this along the line (m) are one crossing. */
#define RL_CROSSING_JOIN_M 0.01

/* What a line or point footprint was built from. */
typedef struct rl_linear_info {
    int kind;           /* RL_KIND_POLYGON, _LINE or _POINT */
    GEOSGeometry *line; /* the centre line in the layer's CRS (lines only) */
    double length_m;    /* geodesic length of the centre line */
    double width_m;     /* full width; NAN when left and right differ */
    double left_m, right_m; /* half widths left and right of the line */
    double size_m;      /* points: side of the square or radius of the circle */
} rl_linear_info;

/* An interval of the centre line inside a control: chainage in metres. */
typedef struct rl_crossing {
    double from_m, to_m;
} rl_crossing;

/* 1 when o asks for line or point footprints (rl_input_opts.keep_lines). */
int rl_linear_wanted(const rl_screen_options *o);

/*
 * RL_OK when the fields o names for lines exist in L when it holds a line,
 * and those for points when it holds a point (a footprint layer); else
 * RL_ERR_USAGE naming L's path and the field.
 */
rl_status rl_linear_check_fields(rl_ctx *ctx, const rl_layer *L, const rl_screen_options *o);

/*
 * Feature i of L, a line or point kept as WKB (keep_lines), made into its
 * polygon: the corridor of the line (flat ends, mitred joins) or the
 * square / circle of each point, built in the layer's plane, or for a
 * lon/lat layer in the Gauss-Krüger 3-degree zone of the feature on the
 * layer's ellipsoid, then brought back into the layer's CRS.  The
 * feature's WKB and envelope are replaced by the polygon's, so that
 * rl_feature_prepare() goes on as for any polygon; *info gets what it was
 * built from (info->line owned by the caller: rl_linear_info_clear).  A
 * no-op for a polygon feature.  Writes feature i only.  RL_ERR_INPUT
 * naming L's path and the FID when the width is missing, null, not a
 * positive number, the line has no length, or no option covers its kind.
 */
rl_status rl_linear_footprint(rl_ctx *ctx, rl_layer *L, size_t i,
                              const rl_screen_options *o, rl_linear_info *info);
void rl_linear_info_clear(rl_ctx *ctx, rl_linear_info *info);

/*
 * The parts of `line` (in fcrs) inside the union of the n polygons
 * polys[] (in ccrs; borrowed): *out gets the intervals in chainage order
 * (geodesic metres from the line's first vertex, the parts of a multi-line
 * one after another), intervals closer than RL_CROSSING_JOIN_M joined, and
 * *len_m their total length.  *out is NULL when none (free() it).
 * RL_OK or a failure with a message.
 */
rl_status rl_line_crossings(rl_ctx *ctx, const GEOSGeometry *line, const rl_crs *fcrs,
                            const GEOSGeometry *const *polys, size_t n, const rl_crs *ccrs,
                            rl_crossing **out, size_t *nout, double *len_m);

/* ---- proximity: --near and --rings ---- */

/*
 * env (minx, miny, maxx, maxy in crs's units) grown by at least reach_m
 * metres on every side, into out: in degrees for a lon/lat crs (the
 * longitude margin widened for the latitude), else in crs's units, with 10%
 * to spare for any plane's scale and for a rectangle not quite staying a
 * rectangle when it changes CRS.
 */
void rl_reach_pad(const rl_crs *crs, const double env[4], double reach_m, double out[4]);

/*
 * Geodesic distance (m) from polygon fp to the nearest of the n geometries
 * c[] (all in crs; borrowed), looking no further than reach_m: 0 when one
 * meets fp, NAN when none is within reach_m.  The nearest points are found
 * in the Gauss-Krüger 3-degree zone of fp on crs's ellipsoid (each control
 * geometry clipped to fp's envelope grown by reach_m first), and the
 * distance between them is the geodesic one (PROJ geod_inverse).
 */
rl_status rl_near_distance(rl_ctx *ctx, const GEOSGeometry *fp,
                           const GEOSGeometry *const *c, size_t n, const rl_crs *crs,
                           double reach_m, double *dist);

/*
 * For each of the nrings distances d[j] (m): the area (m2, by method m in
 * crs) of the union of the n polygons c[] (in crs; borrowed) within d[j] of
 * polygon fp, i.e. inside fp buffered by d[j] (round joins, 8 segments a
 * quarter circle) in the Gauss-Krüger 3-degree zone of fp; the footprint's
 * own overlap is part of every ring.  areas[] gets nrings values.
 */
rl_status rl_ring_areas(rl_ctx *ctx, const GEOSGeometry *fp, const GEOSGeometry *const *c,
                        size_t n, const rl_crs *crs, int m, const double *d, int nrings,
                        double *areas);

#endif
