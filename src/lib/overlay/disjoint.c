/*
 * disjoint.c -- a certificate that polygonal pieces share no point, so the
 * area of their union is the sum of their areas and no union is needed.
 */
#include "overlay/overlay.h"
#include "geometry/rings.h"

#include <string.h>

/* Beyond these, a union is cheaper than the pairwise tests. */
#define DISJOINT_MAX_GEOMS 64
#define DISJOINT_MAX_TESTS (1u << 16)

/*
 * 1 when p is certainly inside the polygonal geometry made of rings
 * [r0, r1) (inside an odd number of them), 0 certainly outside, -1 unknown.
 * p must not lie on any of the rings.
 */
static int inside_rings(const rl_rings *G, size_t r0, size_t r1, const double *p)
{
    int odd = 0;
    for (size_t r = r0; r < r1; r++) {
        int in = rl_ring_inside(G, &G->rings[r], p);
        if (in < 0)
            return -1;
        odd ^= in;
    }
    return odd;
}

/* 1 when no segment of ring a certainly meets any segment of ring b. */
static int rings_apart(const rl_rings *G, const rl_ring *a, const rl_ring *b,
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
        double e[4] = {rl_dmin(p[0], q[0]), rl_dmin(p[1], q[1]), rl_dmax(p[0], q[0]),
                       rl_dmax(p[1], q[1])};
        if (!rl_env_meet(e, b->env))
            continue;
        for (uint32_t j = 0; j + 1 < b->n; j++) {
            const double *r = pb + 2 * j, *s = r + 2;
            double f[4] = {rl_dmin(r[0], s[0]), rl_dmin(r[1], s[1]), rl_dmax(r[0], s[0]),
                           rl_dmax(r[1], s[1])};
            if (rl_env_meet(e, f) && !rl_seg_disjoint(p, q, r, s))
                return 0;
        }
    }
    return 1;
}

/* 1 when a vertex of every shell among rings [a0, a1) is certainly outside [b0, b1). */
static int shells_outside(const rl_rings *G, size_t a0, size_t a1, size_t b0, size_t b1)
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
    rl_rings *G = rl_rings_reset(ctx);
    size_t first[DISJOINT_MAX_GEOMS + 1];
    double env[DISJOINT_MAX_GEOMS][4];
    size_t shells[RL_RINGS_MAX_POLYS];
    int nholes[RL_RINGS_MAX_POLYS];
    int np;
    size_t tests = 0;
    if (!G || n > DISJOINT_MAX_GEOMS)
        return 0;
    for (size_t i = 0; i < n; i++) {
        first[i] = G->nrings;
        if (!rl_rings_add(ctx, G, g[i], shells, nholes, &np))
            return 0;
        memcpy(env[i], G->rings[first[i]].env, sizeof env[i]);
        for (size_t r = first[i] + 1; r < G->nrings; r++) {
            const double *e = G->rings[r].env;
            env[i][0] = rl_dmin(env[i][0], e[0]);
            env[i][1] = rl_dmin(env[i][1], e[1]);
            env[i][2] = rl_dmax(env[i][2], e[2]);
            env[i][3] = rl_dmax(env[i][3], e[3]);
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
