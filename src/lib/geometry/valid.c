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
#include "geometry/rings.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * 1 when consecutive segments ab and bc certainly meet only at b: either the
 * turn at b is certain, or c lies certainly ahead of b along ab (no spike).
 */
static int corner_ok(const double *a, const double *b, const double *c)
{
    if (rl_orient2d(a, b, c) != 0)
        return 1;
    double u = (b[0] - a[0]) * (c[0] - b[0]), v = (b[1] - a[1]) * (c[1] - b[1]);
    return u + v > 4.5e-16 * (fabs(u) + fabs(v)) && u + v > 0;
}

static int env_within(const double *a, const double *b)
{
    return a[0] >= b[0] && a[1] >= b[1] && a[2] <= b[2] && a[3] <= b[3];
}

/* Test one pair of segments: 1 when they are neighbours or certainly apart. */
static int pair_ok(const rl_rings *G, const rl_ring_seg *s, const rl_ring_seg *t)
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
    return rl_seg_disjoint(p, p + 2, q, q + 2);
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
static int rings_disjoint(rl_rings *G)
{
    size_t nseg = G->npts - G->nrings;
    int ok = 0;
    if (!rl_grow(&G->segs, &G->cap_segs, nseg, sizeof *G->segs))
        goto cleanup;
    rl_ring_seg *segs = G->segs;
    uint32_t *start = NULL, *entries = NULL;
    size_t k = 0;
    double env[4] = {G->rings[0].env[0], G->rings[0].env[1],
                     G->rings[0].env[2], G->rings[0].env[3]};
    double span = 0;
    for (size_t r = 0; r < G->nrings; r++) {
        const rl_ring *R = &G->rings[r];
        const double *pt = G->pts + 2 * (size_t)R->off;
        uint32_t m = R->n - 1; /* segments of this ring */
        env[0] = rl_dmin(env[0], R->env[0]);
        env[1] = rl_dmin(env[1], R->env[1]);
        env[2] = rl_dmax(env[2], R->env[2]);
        env[3] = rl_dmax(env[3], R->env[3]);
        for (uint32_t i = 0; i < m; i++) {
            const double *a = pt + 2 * i, *b = a + 2;
            const double *c = i + 1 < m ? b + 2 : pt + 2; /* wraps at closure */
            if (!corner_ok(a, b, c))
                goto cleanup;
            rl_ring_seg *s = &segs[k++];
            s->x0 = rl_dmin(a[0], b[0]);
            s->x1 = rl_dmax(a[0], b[0]);
            s->y0 = rl_dmin(a[1], b[1]);
            s->y1 = rl_dmax(a[1], b[1]);
            s->p = R->off + i;
            s->ring = (uint32_t)r;
            span += rl_dmax(s->x1 - s->x0, s->y1 - s->y0);
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
    double cell = rl_dmax(2.0 * span / (double)nseg, sqrt(w * h / (4.0 * (double)nseg)));
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
        rl_ring_seg *s = &segs[i];
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
        const rl_ring_seg *s = &segs[i];
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
            const rl_ring_seg *s = &segs[entries[i]];
            for (size_t j = i + 1; j < e; j++) {
                const rl_ring_seg *t = &segs[entries[j]];
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

/*
 * With all rings pairwise disjoint, a polygon is valid when every hole lies
 * inside its shell and no hole lies inside another; its interior is then
 * connected.  A multipolygon is valid when, in addition, no shell lies
 * inside another polygon (a shell inside another's hole is valid, but rare
 * enough to leave to GEOS).
 */
static int nesting_ok(const rl_rings *G, const size_t *shells, const int *nholes,
                      int npolys)
{
    for (int k = 0; k < npolys; k++) {
        const rl_ring *S = &G->rings[shells[k]];
        for (int i = 1; i <= nholes[k]; i++) {
            const rl_ring *H = S + i;
            if (!env_within(H->env, S->env) ||
                rl_ring_inside(G, S, G->pts + 2 * (size_t)H->off) != 1)
                return 0;
            for (int j = 1; j <= nholes[k]; j++) {
                const rl_ring *O = S + j;
                if (j != i && env_within(H->env, O->env) &&
                    rl_ring_inside(G, O, G->pts + 2 * (size_t)H->off) != 0)
                    return 0;
            }
        }
        for (int m = 0; m < npolys; m++) {
            const rl_ring *O = &G->rings[shells[m]];
            if (m != k && env_within(S->env, O->env) &&
                rl_ring_inside(G, O, G->pts + 2 * (size_t)S->off) != 0)
                return 0;
        }
    }
    return 1;
}

int rl_valid_fast(rl_ctx *ctx, const GEOSGeometry *g)
{
    rl_rings *G = rl_rings_reset(ctx);
    size_t shells[RL_RINGS_MAX_POLYS];
    int nholes[RL_RINGS_MAX_POLYS];
    int np = 0;
    return G && rl_rings_add(ctx, G, g, shells, nholes, &np) &&
           rings_disjoint(G) && nesting_ok(G, shells, nholes, np);
}

/* 1 valid, 0 invalid, 2 GEOS error: the certificate first, then GEOS. */
char rl_is_valid(rl_ctx *ctx, const GEOSGeometry *g)
{
    return rl_valid_fast(ctx, g) ? 1 : GEOSisValid_r(ctx->geos, g);
}
