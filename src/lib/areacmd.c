/* areacmd.c -- union area, feature count and self-overlap of one layer. */
#include "rl_internal.h"

#include <stdlib.h>
#include <string.h>

/* Union area and self-overlap of the features of group g (all if !group). */
static rl_status measure(rl_ctx *ctx, const rl_layer *L, const size_t *group,
                         size_t g, rl_area_method m, rl_group_fig *f)
{
    const GEOSGeometry **sel = malloc((L->n ? L->n : 1) * sizeof *sel);
    if (!sel)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    size_t k = 0;
    f->features = 0;
    for (size_t i = 0; i < L->n; i++) {
        if (group && group[i] != g)
            continue;
        f->features++;
        if (L->feat[i].geom)
            sel[k++] = L->feat[i].geom;
    }
    rl_status st = RL_OK;
    GEOSGeometry *u = rl_union_all(ctx, sel, k);
    if (!u)
        st = rl_fail(ctx, RL_ERR_GEOM, "union failed: %s", ctx->geos_msg);
    else if (!(st = rl_geom_area(ctx, u, L->crs, m, &f->area_m2)))
        st = rl_self_overlap(ctx, sel, k, L->crs, m, &f->self_overlap_m2);
    GEOSGeom_destroy_r(ctx->geos, u);
    free(sel);
    return st;
}

rl_status rl_area(rl_ctx *ctx, const rl_area_options *opts, rl_report **out)
{
    rl_status st = RL_OK;
    rl_report *rep = calloc(1, sizeof *rep);
    char **keys = NULL;
    size_t *grp = NULL, nk = 0;
    *out = NULL;
    if (!rep)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    rl_ctx_clear(ctx);
    rep->cmd = RL_CMD_AREA;
    rep->ctx = ctx;
    rl_area_data *d = &rep->u.area;
    d->opts = opts;
    rl_input_opts io = {.assume_srs = opts->c.assume_srs, .encoding = opts->c.encoding};
    if ((st = rl_layer_read(ctx, opts->path, &io, &d->layer)))
        goto fail;
    if ((st = measure(ctx, d->layer, NULL, 0, opts->c.area, &d->total)))
        goto fail;
    if (opts->by) {
        int fi = rl_layer_field_index(d->layer, opts->by);
        if (fi < 0) {
            st = rl_fail(ctx, RL_ERR_USAGE, "%s: no field '%s' for --by",
                         opts->path, opts->by);
            goto fail;
        }
        nk = rl_group_keys(d->layer, fi, &keys, &grp);
        d->groups = nk == (size_t)-1 ? NULL : calloc(nk + 1, sizeof *d->groups);
        if (!d->groups) {
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto fail;
        }
        for (size_t g = 0; g < nk; g++) {
            d->groups[g].key = keys[g];
            keys[g] = NULL;
            d->ngroups = g + 1;
            if ((st = measure(ctx, d->layer, grp, g, opts->c.area, &d->groups[g])))
                goto fail;
        }
    }
    d->below = opts->expect_min >= 0 && d->total.area_m2 < opts->expect_min;
    *out = rep;
    rep = NULL;
fail:
    if (keys && nk != (size_t)-1)
        for (size_t g = 0; g < nk; g++)
            free(keys[g]);
    free(keys);
    free(grp);
    rl_report_free(rep);
    return st;
}

void rl_area_data_free(rl_ctx *ctx, rl_area_data *d)
{
    for (size_t g = 0; g < d->ngroups; g++)
        free(d->groups[g].key);
    free(d->groups);
    rl_layer_free(ctx, d->layer);
}
