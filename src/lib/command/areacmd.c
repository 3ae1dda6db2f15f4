/* areacmd.c -- union area, feature count and self-overlap of one layer. */
#include "command/command.h"

#include <stdlib.h>
#include <string.h>

static void free_area(rl_ctx *ctx, void *data)
{
    rl_area_data *d = data;
    if (!d)
        return;
    for (size_t g = 0; g < d->ngroups; g++)
        free(d->groups[g].key);
    free(d->groups);
    rl_layer_free(ctx, d->layer);
    rl_strlist_free(&d->warnings);
    rl_buf_free(&d->part);
}

static const rl_strlist *area_warnings(const void *data)
{
    return &((const rl_area_data *)data)->warnings;
}

static rl_status write_area(rl_ctx *ctx, const void *data, FILE *f)
{
    const rl_area_data *d = data;
    if (d->opts->c.shard_count) /* a shard writes its part, built by rl_area */
        return rl_part_write(ctx, (rl_buf *)&d->part, f);
    return rl_write_area(ctx, data, f);
}

/* 1 when the total is below --expect-min. */
static int area_exit_code(const void *data)
{
    const rl_area_data *d = data;
    return d->below && !d->opts->c.shard_count ? 1 : 0; /* a shard cannot know */
}

/* area has no pieces: its options refuse --pieces. */
static const rl_report_ops area_ops = {sizeof(rl_area_data), free_area, write_area, NULL,
                                       area_exit_code, area_warnings};

rl_status rl_area(rl_ctx *ctx, const rl_area_options *opts, rl_report **out)
{
    rl_status st = RL_OK;
    char **keys = NULL;
    size_t *grp = NULL, nk = 0;
    *out = NULL;
    rl_report *rep = rl_report_new(ctx, &area_ops, &opts->c);
    if (!rep)
        return ctx->status;
    rl_area_data *d = rep->data;
    d->opts = opts;
    if ((st = rl_outputs_check(ctx, &opts->c, (const char *const *)&opts->path, 1, NULL)))
        goto fail;
    rl_input_opts io = {.assume_srs = opts->c.assume_srs, .encoding = opts->c.encoding};
    if ((st = rl_layer_read(ctx, opts->path, &io, &d->layer)) ||
        (st = rl_layer_require_polygons(ctx, d->layer, "the layer to measure",
                                        opts->c.allow_empty)) ||
        (st = rl_layer_check_untrusted(ctx, d->layer, opts->c.skip_bad,
                                       "--skip-bad-features")))
        goto fail;
    d->provisional = rl_layer_untrusted(d->layer) > 0;
    const rl_layer *L = d->layer;
    rl_warnings_add_layer(&d->warnings, L);
    const GEOSGeometry **geoms = calloc(L->n + 1, sizeof *geoms);
    if (!geoms) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < L->n; i++)
        geoms[i] = L->feat[i].geom;
    if (opts->by) {
        int fi = rl_layer_field_index(L, opts->by);
        if (fi < 0) {
            free(geoms);
            char hint[RL_FIELD_HINT_MAX];
            st = rl_fail(ctx, RL_ERR_USAGE, "%s: no field '%s' for --by%s",
                         opts->path, opts->by,
                         rl_layer_field_hint(L, opts->by, hint, sizeof hint));
            goto fail;
        }
        nk = rl_group_keys(L, fi, &keys, &grp);
        d->groups = nk == (size_t)-1 ? NULL : calloc(nk + 1, sizeof *d->groups);
        if (!d->groups) {
            free(geoms);
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto fail;
        }
        for (size_t g = 0; g < nk; g++) {
            d->groups[g].key = keys[g];
            keys[g] = NULL;
        }
        d->ngroups = nk;
        for (size_t i = 0; i < L->n; i++)
            d->groups[grp[i]].features++;
    }
    rl_tile_in tin = {geoms, grp, L->n};
    rl_tile_in none = {NULL, NULL, 0};
    rl_tile_out tout;
    /* --shard: this shard's cells into its part; merge: every cell from the parts. */
    rl_tile_shard sh = {opts->c.shard_index, opts->c.shard_count, &d->part, opts->c.parts,
                        opts->c.nparts};
    if (opts->c.shard_count)
        rl_part_head(&d->part, "area", &opts->c);
    st = rl_tiled_overlay_shard(ctx, &tin, &none, d->ngroups, L->crs, opts->c.area, 0, 1,
                                RL_TRANS_NONE, opts->c.jobs, opts->c.progress,
                                opts->c.progress_data,
                                opts->c.shard_count || opts->c.parts ? &sh : NULL, &tout);
    free(geoms);
    if (!st) {
        d->total.features = L->n;
        d->total.area_m2 = tout.total.old_m2;
        d->total.self_overlap_m2 = tout.total.old_self_m2;
        for (size_t g = 0; g < d->ngroups; g++) {
            d->groups[g].area_m2 = tout.groups[g].old_m2;
            d->groups[g].self_overlap_m2 = tout.groups[g].old_self_m2;
        }
    }
    rl_tile_out_free(ctx, &tout, d->ngroups);
    if (st)
        goto fail;
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
