/*
 * cut.c -- a big polygon cut once into a quadtree of small pieces, so that
 * its intersection with each of many small polygons costs only the pieces
 * near that polygon.
 *
 * A footprint with 50,000 holes drawn around farmland parcels (避让永久基本
 * 农田) touches every parcel.  A GEOS overlay of the footprint with one
 * parcel walks all 250,000 of its vertices to clip them to the parcel's
 * envelope, so screening it against the parcels cost vertices x parcels
 * (issue 12).  Cut into pieces of a few hundred vertices, each parcel meets
 * one or a few pieces, and the whole screen is near-linear.
 *
 * The cells of the quadtree are disjoint rectangles, so the pieces' areas
 * add up and an intersection is the union of the intersections with the
 * pieces (which share only cut edges).  Each cut is GEOSClipByRect, checked
 * valid, with the overlay where it is not, as in tiles.c.
 */
#include "overlay/overlay.h"

#include <stdlib.h>

/* A piece is cut again while it has more vertices than this. */
#define CUT_LEAF_VERTICES 256
#define CUT_MAX_DEPTH 20
/*
 * Cells are split a little off their middle: data drawn on round
 * coordinates then seldom has an edge on a cut line.
 */
#define CUT_SPLIT 0.4871

typedef struct node {
    double cell[4];      /* minx, miny, maxx, maxy */
    GEOSGeometry *piece; /* leaves only; NULL when the cell holds nothing */
    long child[4];       /* indexes into nodes; -1 none */
} node;

struct rl_cut {
    node *nodes;
    size_t n, cap;
};

/*
 * g ∩ rectangle r as a new polygonal geometry; NULL with *fail on GEOS
 * failure or when out of memory.  ClipByRect promises no valid output, so
 * its result is checked and the overlay used instead.
 */
static GEOSGeometry *clip(rl_ctx *ctx, const GEOSGeometry *g, const double r[4], int *fail)
{
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry *c = GEOSClipByRect_r(h, g, r[0], r[1], r[2], r[3]);
    if (c && rl_is_valid(ctx, c) != 1) {
        GEOSGeom_destroy_r(h, c);
        c = NULL;
    }
    if (!c) {
        GEOSGeometry *box = GEOSGeom_createRectangle_r(h, r[0], r[1], r[2], r[3]);
        c = box ? GEOSIntersection_r(h, g, box) : NULL;
        GEOSGeom_destroy_r(h, box);
    }
    GEOSGeometry *p = c ? rl_polygonal(ctx, c) : NULL;
    GEOSGeom_destroy_r(h, c);
    if (!p)
        *fail = 1;
    return p;
}

/* New node for cell r holding piece (owned); -1 when out of memory. */
static long add_node(rl_cut *C, const double r[4], GEOSGeometry *piece)
{
    if (!rl_grow(&C->nodes, &C->cap, C->n + 1, sizeof *C->nodes))
        return -1;
    node *nd = &C->nodes[C->n];
    for (int i = 0; i < 4; i++) {
        nd->cell[i] = r[i];
        nd->child[i] = -1;
    }
    nd->piece = piece;
    return (long)C->n++;
}

/* Split node k while its piece is big; 0 on failure. */
static int split(rl_ctx *ctx, rl_cut *C, long k, int depth)
{
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry *piece = C->nodes[k].piece;
    if (!piece || depth >= CUT_MAX_DEPTH ||
        GEOSGetNumCoordinates_r(h, piece) <= CUT_LEAF_VERTICES)
        return 1;
    const double *r = C->nodes[k].cell;
    double mx = r[0] + (r[2] - r[0]) * CUT_SPLIT, my = r[1] + (r[3] - r[1]) * CUT_SPLIT;
    double q[4][4] = {{r[0], r[1], mx, my}, {mx, r[1], r[2], my},
                      {r[0], my, mx, r[3]}, {mx, my, r[2], r[3]}};
    for (int i = 0; i < 4; i++) {
        int fail = 0;
        GEOSGeometry *sub = clip(ctx, piece, q[i], &fail);
        if (fail)
            return 0;
        if (GEOSisEmpty_r(h, sub) == 1) {
            GEOSGeom_destroy_r(h, sub);
            continue;
        }
        long c = add_node(C, q[i], sub); /* C->nodes may move */
        if (c < 0) {
            GEOSGeom_destroy_r(h, sub);
            return 0;
        }
        C->nodes[k].child[i] = c;
    }
    /* Node k is inner now: its piece lives on in its children. */
    GEOSGeom_destroy_r(h, C->nodes[k].piece);
    C->nodes[k].piece = NULL;
    for (int i = 0; i < 4; i++)
        if (C->nodes[k].child[i] >= 0 && !split(ctx, C, C->nodes[k].child[i], depth + 1))
            return 0;
    return 1;
}

rl_cut *rl_cut_new(rl_ctx *ctx, const GEOSGeometry *g)
{
    GEOSContextHandle_t h = ctx->geos;
    rl_cut *C = calloc(1, sizeof *C);
    double r[4];
    GEOSGeometry *root = NULL;
    if (!C || !GEOSGeom_getExtent_r(h, g, &r[0], &r[1], &r[2], &r[3]))
        goto fail;
    /* A margin keeps the first cuts off g's outermost edges. */
    double m = ((r[2] - r[0]) + (r[3] - r[1])) * 0.01 + 1e-6;
    r[0] -= m, r[1] -= m, r[2] += m, r[3] += m;
    if (!(root = GEOSGeom_clone_r(h, g)))
        goto fail;
    if (add_node(C, r, root) < 0)
        goto fail;
    root = NULL; /* owned by node 0 */
    if (!split(ctx, C, 0, 0))
        goto fail;
    return C;
fail:
    GEOSGeom_destroy_r(h, root);
    rl_cut_free(ctx, C);
    return NULL;
}

void rl_cut_free(rl_ctx *ctx, rl_cut *C)
{
    if (!C)
        return;
    for (size_t i = 0; i < C->n; i++)
        GEOSGeom_destroy_r(ctx->geos, C->nodes[i].piece);
    free(C->nodes);
    free(C);
}

/* Append the pieces of the leaves under node k whose cell meets env e. */
static int collect(const rl_cut *C, long k, const double e[4], const GEOSGeometry ***v,
                   size_t *n, size_t *cap)
{
    const node *nd = &C->nodes[k];
    if (!rl_env_meet(nd->cell, e))
        return 1;
    if (nd->piece) {
        if (!rl_grow(v, cap, *n + 1, sizeof **v))
            return 0;
        (*v)[(*n)++] = nd->piece;
    }
    for (int i = 0; i < 4; i++)
        if (nd->child[i] >= 0 && !collect(C, nd->child[i], e, v, n, cap))
            return 0;
    return 1;
}

GEOSGeometry *rl_cut_overlay(rl_ctx *ctx, const rl_cut *C, const GEOSGeometry *b)
{
    GEOSContextHandle_t h = ctx->geos;
    const GEOSGeometry **near = NULL;
    GEOSGeometry **parts = NULL, *out = NULL;
    size_t nnear = 0, cap = 0, nparts = 0;
    double e[4];
    if (!GEOSGeom_getExtent_r(h, b, &e[0], &e[1], &e[2], &e[3]))
        goto cleanup;
    if (!collect(C, 0, e, &near, &nnear, &cap))
        goto cleanup;
    parts = calloc(nnear ? nnear : 1, sizeof *parts);
    if (!parts)
        goto cleanup;
    for (size_t i = 0; i < nnear; i++) {
        /* Small pieces: the convex clipper where it applies, else GEOS. */
        GEOSGeometry *p = rl_clip_small(ctx, near[i], b);
        if (!p && !(p = rl_overlay2(ctx, near[i], b, 0, 0)))
            goto cleanup;
        if (GEOSisEmpty_r(h, p) == 1)
            GEOSGeom_destroy_r(h, p);
        else
            parts[nparts++] = p;
    }
    if (nparts == 0)
        out = GEOSGeom_createEmptyPolygon_r(h);
    else if (nparts == 1)
        out = parts[0], parts[0] = NULL;
    else /* pieces of neighbouring cells share their cut edges: merge them */
        out = rl_union_all(ctx, (const GEOSGeometry *const *)parts, nparts, 0);
cleanup:
    for (size_t i = 0; i < nparts; i++)
        GEOSGeom_destroy_r(h, parts[i]);
    free(parts);
    free(near);
    return out;
}
