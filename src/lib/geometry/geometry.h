/*
 * geometry.h -- one feature's geometry made usable: repair to valid
 * polygons (repair.c) and the fast certificate of validity (valid.c), on
 * exact-sign predicates.
 */
#ifndef RL_GEOMETRY_H
#define RL_GEOMETRY_H

#include "base/base.h"

/* What became of a feature's geometry when it was read and repaired. */
typedef enum {
    RL_FEAT_OK = 0,
    RL_FEAT_NULL,        /* no geometry */
    RL_FEAT_EMPTY,       /* empty geometry */
    RL_FEAT_NOT_POLYGON, /* point or line */
    RL_FEAT_COLLAPSED,   /* repair left no area */
    RL_FEAT_BAD,         /* GEOS could not read or repair it */
    RL_FEAT_UNREADABLE,  /* GDAL could not decode its record: a corrupt file */
    /*
     * The two below are features that cannot be used because no answer
     * built on them can be trusted: a control, OLD, NEW or area feature in
     * either state stops the run (unless skipped on request), a footprint
     * is an error.
     */
    RL_FEAT_NONFINITE,   /* a coordinate is NaN or infinite */
    RL_FEAT_OUTSIDE_CRS  /* far outside its CRS's area of use (input.h: rl_crs_domain) */
} rl_feat_status;

/* 1 for the states of a feature that cannot be used (see above). */
static inline int rl_feat_untrusted(rl_feat_status st)
{
    return st == RL_FEAT_NONFINITE || st == RL_FEAT_OUTSIDE_CRS;
}

/* ---- repair (repair.c) ---- */

/*
 * Make g valid and polygonal.  Takes ownership of g.  Returns the result (may
 * be g itself) and sets *repaired when MakeValid ran; returns NULL with
 * *st = RL_FEAT_COLLAPSED when no area is left, RL_FEAT_BAD when GEOS failed.
 * why (may be NULL): set to a new string, GEOS's reason g was invalid
 * ("Self-intersection[x y]"), when it was and GEOS says; else left alone.
 */
GEOSGeometry *rl_repair(rl_ctx *ctx, GEOSGeometry *g, int *repaired,
                        rl_feat_status *st, char **why);
/* Polygonal part of g as a new geometry (empty MultiPolygon if none). */
GEOSGeometry *rl_polygonal(rl_ctx *ctx, const GEOSGeometry *g);

/*
 * Fill in what GEOS computes on first use and then caches inside g: the
 * envelopes of g, of its parts and of their rings.  GEOS 3.11 fills them
 * lazily and without a lock, so two threads reading one geometry for the
 * first time both write them.  A geometry that phases of a worker pool
 * share is frozen by its owner before the phase that shares it.  NULL g is
 * a no-op.
 */
void rl_geom_freeze(rl_ctx *ctx, const GEOSGeometry *g);

/* ---- validity (valid.c) ---- */

/*
 * 1 when polygonal g is certainly valid by a cheap sufficient test (no two
 * ring segments meet except neighbours at their vertex, holes inside their
 * shell, no nesting), 0 when not proven: then ask GEOSisValid_r.  Never
 * returns 1 for a geometry GEOS finds invalid (valid.c).
 */
int rl_valid_fast(rl_ctx *ctx, const GEOSGeometry *g);
/* 1 valid, 0 invalid, 2 GEOS error: rl_valid_fast, then GEOSisValid_r. */
char rl_is_valid(rl_ctx *ctx, const GEOSGeometry *g);

/*
 * Sign of the orientation of (a, b, c): +1 left turn, -1 right turn, 0 when
 * the floating-point determinant is within its error bound of zero (collinear
 * or too close to tell).  Shewchuk's ccwerrboundA = (3 + 16 eps) eps, so a
 * nonzero answer is always the exact sign.
 */
static inline int rl_orient2d(const double *a, const double *b, const double *c)
{
    const double errbound = 3.3306690738754716e-16;
    double l = (a[0] - c[0]) * (b[1] - c[1]);
    double r = (a[1] - c[1]) * (b[0] - c[0]);
    double det = l - r;
    double bound = errbound * ((l < 0 ? -l : l) + (r < 0 ? -r : r));
    if (det > bound)
        return 1;
    if (-det > bound)
        return -1;
    return 0;
}

#endif
