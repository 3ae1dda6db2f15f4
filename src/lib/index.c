/* index.c -- STRtree over a layer's features, queried by envelope. */
#include "rl_internal.h"

#include <stdlib.h>

struct rl_index {
    GEOSSTRtree *tree;
    const rl_layer *layer;
};

static void on_nothing(void *item, void *userdata)
{
    (void)item;
    (void)userdata;
}

rl_index *rl_index_new(rl_ctx *ctx, const rl_layer *layer)
{
    rl_index *idx = calloc(1, sizeof *idx);
    if (!idx)
        return NULL;
    idx->layer = layer;
    idx->tree = GEOSSTRtree_create_r(ctx->geos, 10);
    if (!idx->tree) {
        rl_index_free(ctx, idx);
        return NULL;
    }
    for (size_t i = 0; i < layer->n; i++) {
        const rl_feature *f = &layer->feat[i];
        if (f->geom) {
            GEOSSTRtree_insert_r(ctx->geos, idx->tree, f->geom, (void *)f);
        } else if (f->wkb) {
            /* Not converted yet: the tree keeps a copy of the envelope only. */
            GEOSGeometry *r = GEOSGeom_createRectangle_r(ctx->geos, f->env[0], f->env[1],
                                                         f->env[2], f->env[3]);
            if (!r) {
                rl_index_free(ctx, idx);
                return NULL;
            }
            GEOSSTRtree_insert_r(ctx->geos, idx->tree, r, (void *)f);
            GEOSGeom_destroy_r(ctx->geos, r);
        }
    }
    /*
     * GEOS builds the tree on its first query, and that build is not safe
     * from several threads (GEOS pull request #458); a built tree is only
     * read by queries.  So the first query happens here, on this thread.
     */
    GEOSGeometry *probe = GEOSGeom_createRectangle_r(ctx->geos, 0, 0, 1, 1);
    if (!probe) {
        rl_index_free(ctx, idx);
        return NULL;
    }
    GEOSSTRtree_query_r(ctx->geos, idx->tree, probe, on_nothing, NULL);
    GEOSGeom_destroy_r(ctx->geos, probe);
    return idx;
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
    const rl_layer *layer;
    size_t *v;
    size_t n, cap;
    int oom;
} hits_acc;

static void on_item(void *item, void *userdata)
{
    hits_acc *a = userdata;
    if (a->oom)
        return;
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        size_t *v = realloc(a->v, a->cap * sizeof *v);
        if (!v) {
            a->oom = 1;
            return;
        }
        a->v = v;
    }
    a->v[a->n++] = (size_t)((const rl_feature *)item - a->layer->feat);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

size_t rl_index_query(const rl_index *idx, GEOSContextHandle_t h,
                      const GEOSGeometry *g, size_t **out)
{
    hits_acc a = {idx->layer, NULL, 0, 0, 0};
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
