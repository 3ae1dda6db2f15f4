/* index.c -- STRtree over rectangles, queried by a geometry's envelope. */
#include "index/index.h"

#include <stdint.h>
#include <stdlib.h>

struct rl_index {
    GEOSSTRtree *tree;
};

static void on_nothing(void *item, void *userdata)
{
    (void)item;
    (void)userdata;
}

rl_index *rl_index_new(rl_ctx *ctx, const double (*env)[4], const size_t *items, size_t n)
{
    rl_index *idx = calloc(1, sizeof *idx);
    GEOSGeometry *probe = NULL;
    if (!idx || !(idx->tree = GEOSSTRtree_create_r(ctx->geos, 10)))
        goto fail;
    for (size_t j = 0; j < n; j++) {
        /* The tree keeps a copy of the rectangle's envelope only. */
        GEOSGeometry *r = GEOSGeom_createRectangle_r(ctx->geos, env[j][0], env[j][1],
                                                     env[j][2], env[j][3]);
        if (!r)
            goto fail;
        /* Item + 1: a null item pointer would be item 0. */
        GEOSSTRtree_insert_r(ctx->geos, idx->tree, r, (void *)(uintptr_t)(items[j] + 1));
        GEOSGeom_destroy_r(ctx->geos, r);
    }
    /*
     * GEOS builds the tree on its first query, and that build is not safe
     * from several threads (GEOS pull request #458); a built tree is only
     * read by queries.  So the first query happens here, on this thread.
     */
    if (!(probe = GEOSGeom_createRectangle_r(ctx->geos, 0, 0, 1, 1)))
        goto fail;
    GEOSSTRtree_query_r(ctx->geos, idx->tree, probe, on_nothing, NULL);
    GEOSGeom_destroy_r(ctx->geos, probe);
    return idx;
fail:
    rl_index_free(ctx, idx);
    return NULL;
}

void rl_index_free(rl_ctx *ctx, rl_index *idx)
{
    if (!idx)
        return;
    if (idx->tree)
        GEOSSTRtree_destroy_r(ctx->geos, idx->tree);
    free(idx);
}

typedef struct {
    size_t *v;
    size_t n, cap;
    int oom;
} hits_acc;

static void on_item(void *item, void *userdata)
{
    hits_acc *a = userdata;
    if (a->oom)
        return;
    if (!rl_grow(&a->v, &a->cap, a->n + 1, sizeof *a->v)) {
        a->oom = 1;
        return;
    }
    a->v[a->n++] = (size_t)(uintptr_t)item - 1;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

size_t rl_index_query(const rl_index *idx, GEOSContextHandle_t h,
                      const GEOSGeometry *g, size_t **out)
{
    hits_acc a = {NULL, 0, 0, 0};
    GEOSSTRtree_query_r(h, idx->tree, g, on_item, &a);
    if (a.oom) {
        free(a.v);
        *out = NULL;
        return (size_t)-1;
    }
    /* Ascending feature order keeps output deterministic. */
    if (a.n > 1)
        qsort(a.v, a.n, sizeof *a.v, cmp_size);
    *out = a.v;
    return a.n;
}
