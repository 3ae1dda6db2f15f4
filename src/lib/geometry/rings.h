/*
 * rings.h -- the rings of polygonal geometries as flat coordinate arrays,
 * with certified predicates on them: the ground of valid.c's certificate of
 * validity and of disjoint.c's certificate that pieces share no point.
 *
 * Every predicate uses rl_orient2d, whose nonzero sign is exact; where a
 * sign is too close to call the answer is "unknown" and the caller falls
 * back to GEOS.
 */
#ifndef RL_RINGS_H
#define RL_RINGS_H

#include "geometry/geometry.h"

#include <stdint.h>

/* Beyond these, the pairwise ring-nesting checks would cost more than GEOS. */
#define RL_RINGS_MAX_HOLES 64
#define RL_RINGS_MAX_POLYS 64

static inline double rl_dmin(double a, double b) { return a < b ? a : b; }
static inline double rl_dmax(double a, double b) { return a > b ? a : b; }

typedef struct {
    uint32_t off, n; /* first point in pts, number of points (closed) */
    uint32_t shell;  /* 1 for the exterior ring of a polygon */
    double env[4];   /* minx, miny, maxx, maxy */
} rl_ring;

/* A segment of the sweep of valid.c. */
typedef struct {
    double x0, x1, y0, y1;
    uint32_t p;    /* index of the segment's first point in pts */
    uint32_t ring; /* index into the ring table */
    uint32_t cx, cy; /* grid cell of (x0, y0) */
} rl_ring_seg;

typedef struct rl_rings {
    double *pts; /* x,y pairs of every ring, one after another */
    size_t npts, cap_pts;
    rl_ring *rings;
    size_t nrings, cap_rings;
    /* Work arrays of valid.c's sweep, kept between calls. */
    rl_ring_seg *segs;
    size_t cap_segs;
    uint32_t *start, *entries;
    size_t cap_start, cap_entries;
} rl_rings;

/*
 * The context's ring set, emptied (its arrays kept: big fresh allocations
 * are mapped and faulted in anew each call, which cost more than the tests).
 * NULL when out of memory.
 */
rl_rings *rl_rings_reset(rl_ctx *ctx);
/* Free a ring set (the context's scratch).  NULL is a no-op. */
void rl_rings_free(void *rings);
/*
 * Append the rings of polygonal g; shells[] and nholes[] get one entry per
 * polygon (RL_RINGS_MAX_POLYS at most), *np their number.  0 when g is not
 * a plain (multi)polygon of closed rings of finite, distinct consecutive
 * points within the limits above.
 */
int rl_rings_add(rl_ctx *ctx, rl_rings *G, const GEOSGeometry *g, size_t *shells,
                 int *nholes, int *np);

/* 1 when segments pq and rs certainly share no point. */
static inline int rl_seg_disjoint(const double *p, const double *q, const double *r,
                        const double *s)
{
    int o1 = rl_orient2d(p, q, r), o2 = rl_orient2d(p, q, s);
    if (o1 != 0 && o1 == o2)
        return 1;
    int o3 = rl_orient2d(r, s, p), o4 = rl_orient2d(r, s, q);
    return o3 != 0 && o3 == o4;
}

/*
 * Winding number of ring r around point p, or INT32_MIN when a predicate is
 * uncertain.  p must not lie on the ring (the caller has certified that).
 */
static inline int32_t rl_ring_winding(const rl_rings *G, const rl_ring *r, const double *p)
{
    int32_t w = 0;
    const double *pt = G->pts + 2 * (size_t)r->off;
    for (uint32_t i = 0; i + 1 < r->n; i++) {
        const double *a = pt + 2 * i, *b = a + 2;
        if (a[1] <= p[1]) {
            if (b[1] > p[1]) {
                int o = rl_orient2d(a, b, p);
                if (o == 0)
                    return INT32_MIN;
                if (o > 0)
                    w++;
            }
        } else if (b[1] <= p[1]) {
            int o = rl_orient2d(a, b, p);
            if (o == 0)
                return INT32_MIN;
            if (o < 0)
                w--;
        }
    }
    return w;
}

/* 1 when p is certainly inside ring r, 0 certainly outside, -1 unknown. */
static inline int rl_ring_inside(const rl_rings *G, const rl_ring *r, const double *p)
{
    if (p[0] < r->env[0] || p[0] > r->env[2] || p[1] < r->env[1] ||
        p[1] > r->env[3])
        return 0;
    int32_t w = rl_ring_winding(G, r, p);
    return w == INT32_MIN ? -1 : w != 0;
}

#endif
