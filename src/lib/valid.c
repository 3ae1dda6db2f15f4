/*
 * valid.c -- a fast certificate of polygon validity.
 *
 * GEOSisValid is the single largest cost of screening a province: every
 * control polygon a footprint touches is checked once (so that an invalid one
 * can be repaired), and GEOS's general validity test spends ~0.4 us per
 * vertex building a noding graph.  Almost every polygon in delivered data is
 * valid, and for those a much simpler sufficient condition holds: no two
 * segments of any of its rings meet, except consecutive segments at their
 * shared vertex.  This module tests that condition with a sweep over the
 * segments' x-extents, using orientation predicates whose sign is certified by
 * a floating-point error bound (the static filter of Shewchuk's orient2d).
 *
 * rl_valid_fast() answers only "certainly valid" or "not proven".  Anything
 * it cannot certify -- a crossing, a touch, a spike, a repeated vertex, a
 * near-degenerate predicate, an empty part, a hole that might be outside its
 * shell, shells that might nest -- goes to GEOSisValid as before.  So GEOS
 * remains the judge of every invalid or borderline geometry; this only
 * shortens the common case.
 */
#include "rl_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Beyond these, the pairwise ring-nesting checks would cost more than GEOS. */
#define VALID_MAX_HOLES 64
#define VALID_MAX_POLYS 64

typedef struct {
    double x0, x1, y0, y1;
    uint32_t p;    /* index of the segment's first point in pts */
    uint32_t ring; /* index into the ring table */
    uint32_t cx, cy; /* grid cell of (x0, y0) */
} vseg;

static inline double dmin(double a, double b) { return a < b ? a : b; }
static inline double dmax(double a, double b) { return a > b ? a : b; }

typedef struct {
    uint32_t off, n; /* first point in pts, number of points (closed) */
    uint32_t shell;  /* 1 for the exterior ring of a polygon */
    double env[4];   /* minx, miny, maxx, maxy */
} vring;

typedef struct {
    double *pts; /* x,y pairs of every ring, one after another */
    size_t npts, cap_pts;
    vring *rings;
    size_t nrings, cap_rings;
    /* Work arrays of rings_disjoint, kept between calls (see rl_valid_fast). */
    vseg *segs;
    size_t cap_segs;
    uint32_t *start, *entries;
    size_t cap_start, cap_entries;
} vgeom;

#define orient rl_orient2d

/* 1 when segments pq and rs certainly share no point. */
static int seg_disjoint(const double *p, const double *q, const double *r,
                        const double *s)
{
    int o1 = orient(p, q, r), o2 = orient(p, q, s);
    if (o1 != 0 && o1 == o2)
        return 1;
    int o3 = orient(r, s, p), o4 = orient(r, s, q);
    return o3 != 0 && o3 == o4;
}

/*
 * 1 when consecutive segments ab and bc certainly meet only at b: either the
 * turn at b is certain, or c lies certainly ahead of b along ab (no spike).
 */
static int corner_ok(const double *a, const double *b, const double *c)
{
    if (orient(a, b, c) != 0)
        return 1;
    double u = (b[0] - a[0]) * (c[0] - b[0]), v = (b[1] - a[1]) * (c[1] - b[1]);
    return u + v > 4.5e-16 * (fabs(u) + fabs(v)) && u + v > 0;
}

/*
 * Winding number of ring r around point p, or INT32_MIN when a predicate is
 * uncertain.  p must not lie on the ring (the caller has certified that).
 */
static int32_t winding(const vgeom *G, const vring *r, const double *p)
{
    int32_t w = 0;
    const double *pt = G->pts + 2 * (size_t)r->off;
    for (uint32_t i = 0; i + 1 < r->n; i++) {
        const double *a = pt + 2 * i, *b = a + 2;
        if (a[1] <= p[1]) {
            if (b[1] > p[1]) {
                int o = orient(a, b, p);
                if (o == 0)
                    return INT32_MIN;
                if (o > 0)
                    w++;
            }
        } else if (b[1] <= p[1]) {
            int o = orient(a, b, p);
            if (o == 0)
                return INT32_MIN;
            if (o < 0)
                w--;
        }
    }
    return w;
}

/* 1 when p is certainly inside ring r, 0 certainly outside, -1 unknown. */
static int inside(const vgeom *G, const vring *r, const double *p)
{
    if (p[0] < r->env[0] || p[0] > r->env[2] || p[1] < r->env[1] ||
        p[1] > r->env[3])
        return 0;
    int32_t w = winding(G, r, p);
    return w == INT32_MIN ? -1 : w != 0;
}

static int env_within(const double *a, const double *b)
{
    return a[0] >= b[0] && a[1] >= b[1] && a[2] <= b[2] && a[3] <= b[3];
}

/* Append one ring; 0 when it is not a plain closed ring of finite points. */
static int add_ring(rl_ctx *ctx, vgeom *G, const GEOSGeometry *ring)
{
    GEOSContextHandle_t h = ctx->geos;
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n) || n < 4 || n > UINT32_MAX / 2)
        return 0;
    /* pts holds x,y pairs: capacity counted in points. */
    if (!rl_grow(&G->pts, &G->cap_pts, G->npts + n, 2 * sizeof *G->pts) ||
        !rl_grow(&G->rings, &G->cap_rings, G->nrings + 1, sizeof *G->rings))
        return 0;
    double *pt = G->pts + 2 * G->npts;
    if (!GEOSCoordSeq_copyToBuffer_r(h, cs, pt, 0, 0))
        return 0;
    vring *r = &G->rings[G->nrings];
    r->off = (uint32_t)G->npts;
    r->n = n;
    r->shell = 0;
    r->env[0] = r->env[2] = pt[0];
    r->env[1] = r->env[3] = pt[1];
    for (unsigned int i = 0; i < n; i++) {
        double x = pt[2 * i], y = pt[2 * i + 1];
        if (!isfinite(x) || !isfinite(y))
            return 0;
        if (i > 0 && x == pt[2 * i - 2] && y == pt[2 * i - 1])
            return 0; /* repeated vertex: valid or not, GEOS decides */
        if (x < r->env[0]) r->env[0] = x;
        if (x > r->env[2]) r->env[2] = x;
        if (y < r->env[1]) r->env[1] = y;
        if (y > r->env[3]) r->env[3] = y;
    }
    if (pt[0] != pt[2 * (n - 1)] || pt[1] != pt[2 * (n - 1) + 1])
        return 0;
    G->npts += n;
    G->nrings++;
    return 1;
}

/* Test one pair of segments: 1 when they are neighbours or certainly apart. */
static int pair_ok(const vgeom *G, const vseg *s, const vseg *t)
{
    if (t->y1 < s->y0 || s->y1 < t->y0 || t->x1 < s->x0 || s->x1 < t->x0)
        return 1;
    if (s->ring == t->ring) {
        uint32_t d = s->p > t->p ? s->p - t->p : t->p - s->p;
        if (d == 1 || d == G->rings[s->ring].n - 2)
            return 1; /* neighbours: checked by corner_ok */
    }
    const double *p = G->pts + 2 * (size_t)s->p;
    const double *q = G->pts + 2 * (size_t)t->p;
    return seg_disjoint(p, p + 2, q, q + 2);
}

/*
 * 1 when no two segments of any ring meet, except neighbours at their vertex.
 * Candidate pairs come from a uniform grid sized to the segments: a sweep
 * over x degrades on the jagged, nearly vertical runs of digitised
 * boundaries, where hundreds of segments share one x-range.  A pair is tested
 * only in the cell holding the low corner of the overlap of its two
 * envelopes, so once.  Beyond a fixed budget of cell entries or pair tests the
 * answer is "not proven" and GEOS decides, which bounds the cost of this
 * shortcut to a small multiple of a linear pass.
 */
static int rings_disjoint(vgeom *G)
{
    size_t nseg = G->npts - G->nrings;
    int ok = 0;
    if (!rl_grow(&G->segs, &G->cap_segs, nseg, sizeof *G->segs))
        goto cleanup;
    vseg *segs = G->segs;
    uint32_t *start = NULL, *entries = NULL;
    size_t k = 0;
    double env[4] = {G->rings[0].env[0], G->rings[0].env[1],
                     G->rings[0].env[2], G->rings[0].env[3]};
    double span = 0;
    for (size_t r = 0; r < G->nrings; r++) {
        const vring *R = &G->rings[r];
        const double *pt = G->pts + 2 * (size_t)R->off;
        uint32_t m = R->n - 1; /* segments of this ring */
        env[0] = dmin(env[0], R->env[0]);
        env[1] = dmin(env[1], R->env[1]);
        env[2] = dmax(env[2], R->env[2]);
        env[3] = dmax(env[3], R->env[3]);
        for (uint32_t i = 0; i < m; i++) {
            const double *a = pt + 2 * i, *b = a + 2;
            const double *c = i + 1 < m ? b + 2 : pt + 2; /* wraps at closure */
            if (!corner_ok(a, b, c))
                goto cleanup;
            vseg *s = &segs[k++];
            s->x0 = dmin(a[0], b[0]);
            s->x1 = dmax(a[0], b[0]);
            s->y0 = dmin(a[1], b[1]);
            s->y1 = dmax(a[1], b[1]);
            s->p = R->off + i;
            s->ring = (uint32_t)r;
            span += dmax(s->x1 - s->x0, s->y1 - s->y0);
        }
    }
    if (nseg <= 24) {
        for (size_t i = 0; i < nseg; i++)
            for (size_t j = i + 1; j < nseg; j++)
                if (!pair_ok(G, &segs[i], &segs[j]))
                    goto cleanup;
        ok = 1;
        goto cleanup;
    }
    double w = env[2] - env[0], h = env[3] - env[1];
    if (!(w > 0 && h > 0))
        goto cleanup;
    double cell = dmax(2.0 * span / (double)nseg, sqrt(w * h / (4.0 * (double)nseg)));
    double inv = 1.0 / cell;
    size_t gx = (size_t)(w / cell) + 1, gy = (size_t)(h / cell) + 1;
    size_t ncell = gx * gy, budget = 8 * nseg + 64, nent = 0;
    if (!rl_grow(&G->start, &G->cap_start, ncell + 1, sizeof *G->start))
        goto cleanup;
    start = G->start;
    memset(start, 0, (ncell + 1) * sizeof *start);
#define CX(x) ((size_t)(((x) - env[0]) * inv) < gx ? (size_t)(((x) - env[0]) * inv) : gx - 1)
#define CY(y) ((size_t)(((y) - env[1]) * inv) < gy ? (size_t)(((y) - env[1]) * inv) : gy - 1)
    for (size_t i = 0; i < nseg; i++) {
        vseg *s = &segs[i];
        size_t cx0 = CX(s->x0), cx1 = CX(s->x1), cy0 = CY(s->y0), cy1 = CY(s->y1);
        s->cx = (uint32_t)cx0;
        s->cy = (uint32_t)cy0;
        nent += (cx1 - cx0 + 1) * (cy1 - cy0 + 1);
        if (nent > budget)
            goto cleanup;
        for (size_t y = cy0; y <= cy1; y++)
            for (size_t x = cx0; x <= cx1; x++)
                start[y * gx + x + 1]++;
    }
    for (size_t c = 0; c < ncell; c++)
        start[c + 1] += start[c];
    if (!rl_grow(&G->entries, &G->cap_entries, nent + 1, sizeof *G->entries))
        goto cleanup;
    entries = G->entries;
    /* Fill from the back so start[c] ends at the cell's first entry. */
    for (size_t i = nseg; i-- > 0;) {
        const vseg *s = &segs[i];
        size_t cx0 = s->cx, cx1 = CX(s->x1), cy0 = s->cy, cy1 = CY(s->y1);
        for (size_t y = cy0; y <= cy1; y++)
            for (size_t x = cx0; x <= cx1; x++)
                entries[--start[y * gx + x + 1]] = (uint32_t)i;
    }
    size_t tests = 0;
    for (size_t c = 0; c < ncell; c++) {
        /* start[c + 1] now holds cell c's first entry; cell c + 1's is next. */
        size_t b = start[c + 1], e = c + 1 < ncell ? start[c + 2] : nent;
        if (e - b < 2)
            continue;
        uint32_t cx = (uint32_t)(c % gx), cy = (uint32_t)(c / gx);
        for (size_t i = b; i < e; i++) {
            const vseg *s = &segs[entries[i]];
            for (size_t j = i + 1; j < e; j++) {
                const vseg *t = &segs[entries[j]];
                if (++tests > 2 * budget)
                    goto cleanup;
                /* The grid is monotone: the cell of the max is the max cell. */
                if ((s->cx > t->cx ? s->cx : t->cx) != cx ||
                    (s->cy > t->cy ? s->cy : t->cy) != cy)
                    continue; /* the pair is tested in another cell */
                if (!pair_ok(G, s, t))
                    goto cleanup;
            }
        }
    }
#undef CX
#undef CY
    ok = 1;
cleanup:
    return ok;
}

/* Append the rings of polygon poly; records the shell's ring index. */
static int add_polygon(rl_ctx *ctx, vgeom *G, const GEOSGeometry *poly,
                       size_t *shell, int *nholes)
{
    GEOSContextHandle_t h = ctx->geos;
    if (GEOSisEmpty_r(h, poly) != 0)
        return 0;
    int nh = GEOSGetNumInteriorRings_r(h, poly);
    if (nh < 0 || nh > VALID_MAX_HOLES)
        return 0;
    *shell = G->nrings;
    *nholes = nh;
    if (!add_ring(ctx, G, GEOSGetExteriorRing_r(h, poly)))
        return 0;
    G->rings[*shell].shell = 1;
    for (int i = 0; i < nh; i++)
        if (!add_ring(ctx, G, GEOSGetInteriorRingN_r(h, poly, i)))
            return 0;
    return 1;
}

/*
 * With all rings pairwise disjoint, a polygon is valid when every hole lies
 * inside its shell and no hole lies inside another; its interior is then
 * connected.  A multipolygon is valid when, in addition, no shell lies
 * inside another polygon (a shell inside another's hole is valid, but rare
 * enough to leave to GEOS).
 */
static int nesting_ok(const vgeom *G, const size_t *shells, const int *nholes,
                      int npolys)
{
    for (int k = 0; k < npolys; k++) {
        const vring *S = &G->rings[shells[k]];
        for (int i = 1; i <= nholes[k]; i++) {
            const vring *H = S + i;
            if (!env_within(H->env, S->env) ||
                inside(G, S, G->pts + 2 * (size_t)H->off) != 1)
                return 0;
            for (int j = 1; j <= nholes[k]; j++) {
                const vring *O = S + j;
                if (j != i && env_within(H->env, O->env) &&
                    inside(G, O, G->pts + 2 * (size_t)H->off) != 0)
                    return 0;
            }
        }
        for (int m = 0; m < npolys; m++) {
            const vring *O = &G->rings[shells[m]];
            if (m != k && env_within(S->env, O->env) &&
                inside(G, O, G->pts + 2 * (size_t)S->off) != 0)
                return 0;
        }
    }
    return 1;
}

void rl_valid_scratch_free(void *scratch)
{
    vgeom *G = scratch;
    if (!G)
        return;
    free(G->pts);
    free(G->rings);
    free(G->segs);
    free(G->start);
    free(G->entries);
    free(G);
}

/*
 * Append the rings of polygonal g; shells[] and nholes[] get one entry per
 * polygon, *np their number.  0 when g is not a plain (multi)polygon within
 * the limits above.
 */
static int add_geometry(rl_ctx *ctx, vgeom *G, const GEOSGeometry *g,
                        size_t *shells, int *nholes, int *np)
{
    GEOSContextHandle_t h = ctx->geos;
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        *np = 1;
        return add_polygon(ctx, G, g, &shells[0], &nholes[0]);
    }
    if (type != GEOS_MULTIPOLYGON)
        return 0;
    *np = GEOSGetNumGeometries_r(h, g);
    if (*np < 1 || *np > VALID_MAX_POLYS)
        return 0;
    for (int i = 0; i < *np; i++)
        if (!add_polygon(ctx, G, GEOSGetGeometryN_r(h, g, i), &shells[i],
                         &nholes[i]))
            return 0;
    return 1;
}

/*
 * The work arrays live in the context: big fresh allocations are mapped and
 * faulted in anew each call, which cost more than the test itself.
 */
static vgeom *scratch_reset(rl_ctx *ctx)
{
    if (!ctx->valid_scratch)
        ctx->valid_scratch = calloc(1, sizeof(vgeom));
    vgeom *G = ctx->valid_scratch;
    if (G)
        G->npts = G->nrings = 0;
    return G;
}

int rl_valid_fast(rl_ctx *ctx, const GEOSGeometry *g)
{
    vgeom *G = scratch_reset(ctx);
    size_t shells[VALID_MAX_POLYS];
    int nholes[VALID_MAX_POLYS];
    int np = 0;
    return G && add_geometry(ctx, G, g, shells, nholes, &np) &&
           rings_disjoint(G) && nesting_ok(G, shells, nholes, np);
}

/* Beyond these, a union is cheaper than the pairwise tests. */
#define DISJOINT_MAX_GEOMS 64
#define DISJOINT_MAX_TESTS (1u << 16)

/*
 * 1 when p is certainly inside the polygonal geometry made of rings
 * [r0, r1) (inside an odd number of them), 0 certainly outside, -1 unknown.
 * p must not lie on any of the rings.
 */
static int inside_rings(const vgeom *G, size_t r0, size_t r1, const double *p)
{
    int odd = 0;
    for (size_t r = r0; r < r1; r++) {
        int in = inside(G, &G->rings[r], p);
        if (in < 0)
            return -1;
        odd ^= in;
    }
    return odd;
}

/* 1 when no segment of ring a certainly meets any segment of ring b. */
static int rings_apart(const vgeom *G, const vring *a, const vring *b,
                       size_t *tests)
{
    if (!rl_env_meet(a->env, b->env))
        return 1;
    *tests += (size_t)(a->n - 1) * (b->n - 1);
    if (*tests > DISJOINT_MAX_TESTS)
        return 0;
    const double *pa = G->pts + 2 * (size_t)a->off;
    const double *pb = G->pts + 2 * (size_t)b->off;
    for (uint32_t i = 0; i + 1 < a->n; i++) {
        const double *p = pa + 2 * i, *q = p + 2;
        double e[4] = {dmin(p[0], q[0]), dmin(p[1], q[1]), dmax(p[0], q[0]),
                       dmax(p[1], q[1])};
        if (!rl_env_meet(e, b->env))
            continue;
        for (uint32_t j = 0; j + 1 < b->n; j++) {
            const double *r = pb + 2 * j, *s = r + 2;
            double f[4] = {dmin(r[0], s[0]), dmin(r[1], s[1]), dmax(r[0], s[0]),
                           dmax(r[1], s[1])};
            if (rl_env_meet(e, f) && !seg_disjoint(p, q, r, s))
                return 0;
        }
    }
    return 1;
}

/* 1 when a vertex of every shell among rings [a0, a1) is certainly outside [b0, b1). */
static int shells_outside(const vgeom *G, size_t a0, size_t a1, size_t b0, size_t b1)
{
    for (size_t a = a0; a < a1; a++)
        if (G->rings[a].shell &&
            inside_rings(G, b0, b1, G->pts + 2 * (size_t)G->rings[a].off) != 0)
            return 0;
    return 1;
}

/*
 * Two valid polygonal geometries A and B whose rings share no point have
 * disjoint interiors when a vertex of every shell of each lies outside the
 * other.  Proof sketch: if parts a of A and b of B shared an interior point,
 * their shells, which do not meet, would be nested, say a's inside b's.  a's
 * shell vertex is outside B, so in one of b's holes; a's shell does not meet
 * that hole's ring, so all of a lies in the hole: a contradiction.
 */
int rl_disjoint_fast(rl_ctx *ctx, const GEOSGeometry *const *g, size_t n)
{
    vgeom *G = scratch_reset(ctx);
    size_t first[DISJOINT_MAX_GEOMS + 1];
    double env[DISJOINT_MAX_GEOMS][4];
    size_t shells[VALID_MAX_POLYS];
    int nholes[VALID_MAX_POLYS];
    int np;
    size_t tests = 0;
    if (!G || n > DISJOINT_MAX_GEOMS)
        return 0;
    for (size_t i = 0; i < n; i++) {
        first[i] = G->nrings;
        if (!add_geometry(ctx, G, g[i], shells, nholes, &np))
            return 0;
        memcpy(env[i], G->rings[first[i]].env, sizeof env[i]);
        for (size_t r = first[i] + 1; r < G->nrings; r++) {
            const double *e = G->rings[r].env;
            env[i][0] = dmin(env[i][0], e[0]);
            env[i][1] = dmin(env[i][1], e[1]);
            env[i][2] = dmax(env[i][2], e[2]);
            env[i][3] = dmax(env[i][3], e[3]);
        }
    }
    first[n] = G->nrings;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            if (!rl_env_meet(env[i], env[j]))
                continue;
            for (size_t a = first[i]; a < first[i + 1]; a++)
                for (size_t b = first[j]; b < first[j + 1]; b++)
                    if (!rings_apart(G, &G->rings[a], &G->rings[b], &tests))
                        return 0;
            if (!shells_outside(G, first[i], first[i + 1], first[j], first[j + 1]) ||
                !shells_outside(G, first[j], first[j + 1], first[i], first[i + 1]))
                return 0;
        }
    }
    return 1;
}
