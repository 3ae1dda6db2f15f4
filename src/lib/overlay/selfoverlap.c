/* selfoverlap.c -- area covered twice or more by a set of polygons. */
#include "overlay/overlay.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const GEOSGeometry *const *gs;
    size_t self;
    size_t *v;
    size_t n, cap;
    int oom;
} pair_acc;

static void on_pair(void *item, void *userdata)
{
    pair_acc *a = userdata;
    size_t j = (size_t)((const GEOSGeometry *const *)item - a->gs);
    if (j <= a->self || a->oom)
        return;
    if (!rl_grow(&a->v, &a->cap, a->n + 1, sizeof *a->v)) {
        a->oom = 1;
        return;
    }
    a->v[a->n++] = j;
}

rl_status rl_self_overlap(rl_ctx *ctx, const GEOSGeometry *const *gs, size_t n,
                          const rl_crs *crs, rl_area_method m, double grid,
                          double *area)
{
    GEOSContextHandle_t h = ctx->geos;
    rl_status st = RL_OK;
    GEOSSTRtree *tree = GEOSSTRtree_create_r(h, 10);
    GEOSGeometry **pieces = NULL;
    size_t np = 0, cap = 0;
    pair_acc acc = {gs, 0, NULL, 0, 0, 0};
    *area = 0;
    if (!tree)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (gs[i])
            GEOSSTRtree_insert_r(h, tree, gs[i], (void *)&gs[i]);
    for (size_t i = 0; i < n; i++) {
        if (!gs[i])
            continue;
        acc.self = i;
        acc.n = 0;
        GEOSSTRtree_query_r(h, tree, gs[i], on_pair, &acc);
        if (acc.oom) {
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        for (size_t k = 0; k < acc.n; k++) {
            const GEOSGeometry *o = gs[acc.v[k]];
            if (GEOSIntersects_r(h, gs[i], o) != 1)
                continue;
            GEOSGeometry *p = rl_overlay2(ctx, gs[i], o, grid, 0);
            if (!p) {
                st = rl_fail(ctx, RL_ERR_GEOM, "intersection failed: %s",
                             ctx->geos_msg);
                goto cleanup;
            }
            if (GEOSisEmpty_r(h, p) == 1) {
                GEOSGeom_destroy_r(h, p);
                continue;
            }
            if (np == cap) {
                cap = cap ? cap * 2 : 16;
                GEOSGeometry **a = realloc(pieces, cap * sizeof *a);
                if (!a) {
                    GEOSGeom_destroy_r(h, p);
                    st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
                    goto cleanup;
                }
                pieces = a;
            }
            pieces[np++] = p;
        }
    }
    if (np == 1) {
        st = rl_geom_area(ctx, pieces[0], crs, m, area);
    } else if (np) {
        /* Triple overlaps appear in several pairs: union before measuring. */
        GEOSGeometry *u = rl_union_all(ctx, (const GEOSGeometry *const *)pieces, np, grid);
        if (!u) {
            st = rl_fail(ctx, RL_ERR_GEOM, "union failed: %s", ctx->geos_msg);
            goto cleanup;
        }
        st = rl_geom_area(ctx, u, crs, m, area);
        GEOSGeom_destroy_r(h, u);
    }
cleanup:
    for (size_t i = 0; i < np; i++)
        GEOSGeom_destroy_r(h, pieces[i]);
    free(pieces);
    free(acc.v);
    GEOSSTRtree_destroy_r(h, tree);
    return st;
}
