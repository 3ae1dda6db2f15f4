/* diff.c -- two versions of a control layer: union areas, lost, gained, net. */
#include "command/command.h"

#include <stdlib.h>
#include <string.h>

/* Diff pieces smaller than this are overlay round-off, not a moved line. */
#define RL_PIECE_MIN_M2 0.01

static void set_fig(rl_group_fig *f, const rl_tile_fig *t, double tolerance)
{
    f->old_m2 = t->old_m2;
    f->new_m2 = t->new_m2;
    f->lost_m2 = t->lost_m2;
    f->gained_m2 = t->gained_m2;
    f->net_m2 = t->new_m2 - t->old_m2;
    /* The one rule for "shrunk", in total and per group (SPEC: diff). */
    f->shrunk = f->net_m2 < -tolerance;
}

/*
 * Add the polygons of g (borrowed from d) to d->pieces, each measured; the
 * ones under RL_PIECE_MIN_M2 are left out: overlay round-off leaves slivers
 * of ~1e-5 m2 along shared edges.
 */
static rl_status add_pieces(rl_ctx *ctx, rl_diff_data *d, size_t *cap,
                            const GEOSGeometry *g, const char *change, const char *key)
{
    if (!g)
        return RL_OK;
    int n = GEOSGetNumGeometries_r(ctx->geos, g);
    for (int i = 0; i < n; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(ctx->geos, g, i);
        if (GEOSisEmpty_r(ctx->geos, p) == 1)
            continue;
        double a = 0;
        rl_status st = rl_geom_area(ctx, p, d->old->crs, d->opts->c.area, &a);
        if (st)
            return st;
        if (a < RL_PIECE_MIN_M2)
            continue;
        if (!rl_grow(&d->pieces, cap, d->npieces + 1, sizeof *d->pieces))
            return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        d->pieces[d->npieces++] = (rl_diff_piece){p, change, key, a};
    }
    return RL_OK;
}

/* The --pieces list: per group lost then gained, or the total's without --by. */
static rl_status collect_pieces(rl_ctx *ctx, rl_diff_data *d)
{
    rl_status st = RL_OK;
    size_t cap = 0;
    if (d->ngroups) {
        for (size_t g = 0; g < d->ngroups && !st; g++) {
            st = add_pieces(ctx, d, &cap, d->glost[g], "lost", d->groups[g].key);
            if (!st)
                st = add_pieces(ctx, d, &cap, d->ggained[g], "gained", d->groups[g].key);
        }
    } else {
        st = add_pieces(ctx, d, &cap, d->lost, "lost", NULL);
        if (!st)
            st = add_pieces(ctx, d, &cap, d->gained, "gained", NULL);
    }
    return st;
}

static void free_diff(rl_ctx *ctx, void *data);

static rl_status write_diff(rl_ctx *ctx, const void *data, FILE *f)
{
    return rl_write_diff(ctx, data, f);
}

static rl_status write_diff_pieces(rl_ctx *ctx, const void *data, const char *path)
{
    return rl_write_diff_pieces(ctx, data, path);
}

/* 1 when the layer shrank (SPEC: exit status of diff). */
static int diff_exit_code(const void *data)
{
    const rl_diff_data *d = data;
    return d->shrunk ? 1 : 0;
}

static const rl_strlist *diff_warnings(const void *data)
{
    return &((const rl_diff_data *)data)->warnings;
}

static const rl_report_ops diff_ops = {sizeof(rl_diff_data), free_diff, write_diff,
                                       write_diff_pieces, diff_exit_code, diff_warnings};

/*
 * Read one version and make sure it can answer: polygons (or empty, with
 * --allow-empty) and no feature that cannot be used (unless
 * --skip-bad-features).  Messages start with `which` (OLD, NEW).
 */
static rl_status read_version(rl_ctx *ctx, const char *which, const char *path,
                              const rl_input_opts *io, const rl_common_opts *c,
                              rl_layer **out)
{
    rl_status st = rl_layer_read(ctx, path, io, out);
    if (!st)
        st = rl_layer_require_polygons(ctx, *out, which, c->allow_empty);
    if (!st)
        st = rl_layer_check_untrusted(ctx, *out, c->skip_bad, "--skip-bad-features");
    if (st)
        return rl_fail(ctx, st, "%s: %s", which, rl_ctx_errmsg(ctx));
    return RL_OK;
}

rl_status rl_diff(rl_ctx *ctx, const rl_diff_options *opts, rl_report **out)
{
    rl_status st = RL_OK;
    GEOSGeometry **ngeom = NULL, **ogeom = NULL;
    char **okeys = NULL, **nkeys = NULL, **keys = NULL;
    size_t *ogrp = NULL, *ngrp = NULL, nok = 0, nnk = 0;
    *out = NULL;
    rl_report *rep = rl_report_new(ctx, &diff_ops, &opts->c);
    if (!rep)
        return ctx->status;
    rl_diff_data *d = rep->data;
    d->opts = opts;
    const char *inputs[2] = {opts->old_path, opts->new_path};
    if ((st = rl_outputs_check(ctx, &opts->c, inputs, 2, NULL)))
        goto fail;
    rl_input_opts io = {.assume_srs = opts->c.assume_srs, .encoding = opts->c.encoding};
    const rl_area_method m = opts->c.area;

    if ((st = read_version(ctx, "OLD", opts->old_path, &io, &opts->c, &d->old)) ||
        (st = read_version(ctx, "NEW", opts->new_path, &io, &opts->c, &d->nw)))
        goto fail;
    rl_warnings_add_layer(&d->warnings, d->old);
    rl_warnings_add_layer(&d->warnings, d->nw);
    d->provisional = rl_layer_untrusted(d->old) + rl_layer_untrusted(d->nw) > 0;
    const rl_crs *crs = d->old->crs;
    ogeom = calloc(d->old->n + 1, sizeof *ogeom);
    ngeom = calloc(d->nw->n + 1, sizeof *ngeom);
    if (!ogeom || !ngeom) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < d->old->n; i++)
        ogeom[i] = d->old->feat[i].geom;
    /* NEW is brought into OLD's CRS: the overlay runs there. */
    PJ *pj = rl_crs_same(d->nw->crs, crs) ? NULL
                                          : rl_ctx_pj(ctx, d->nw->crs->def, crs->def);
    if (!rl_crs_same(d->nw->crs, crs) && !pj) {
        st = ctx->status;
        goto fail;
    }
    for (size_t i = 0; i < d->nw->n; i++) {
        const GEOSGeometry *g = d->nw->feat[i].geom;
        if (!g)
            continue;
        ngeom[i] = pj ? rl_geom_transform(ctx, g, pj) : GEOSGeom_clone_r(ctx->geos, g);
        if (!ngeom[i]) {
            st = rl_fail(ctx, RL_ERR_CRS, "NEW: %s: feature %lld: %s",
                         opts->new_path, (long long)d->nw->feat[i].fid,
                         rl_ctx_errmsg(ctx));
            goto fail;
        }
    }
    size_t *ogrp_m = NULL, *ngrp_m = NULL;
    if (opts->by) {
        int of = rl_layer_field_index(d->old, opts->by);
        int nf = rl_layer_field_index(d->nw, opts->by);
        if (of < 0 || nf < 0) {
            st = rl_fail(ctx, RL_ERR_USAGE, "%s: no field '%s' for --by",
                         of < 0 ? opts->old_path : opts->new_path, opts->by);
            goto fail;
        }
        nok = rl_group_keys(d->old, of, &okeys, &ogrp);
        nnk = rl_group_keys(d->nw, nf, &nkeys, &ngrp);
        if (nok == (size_t)-1 || nnk == (size_t)-1) {
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto fail;
        }
        /* Keys of both versions, merged in sorted order. */
        keys = malloc((nok + nnk + 1) * sizeof *keys);
        d->groups = calloc(nok + nnk + 1, sizeof *d->groups);
        d->glost = calloc(nok + nnk + 1, sizeof *d->glost);
        d->ggained = calloc(nok + nnk + 1, sizeof *d->ggained);
        ogrp_m = malloc((d->old->n + 1) * sizeof *ogrp_m);
        ngrp_m = malloc((d->nw->n + 1) * sizeof *ngrp_m);
        if (!keys || !d->groups || !d->glost || !d->ggained || !ogrp_m || !ngrp_m) {
            free(ogrp_m);
            free(ngrp_m);
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto fail;
        }
        size_t a = 0, b = 0;
        while (a < nok || b < nnk) {
            int c = a >= nok ? 1 : b >= nnk ? -1 : strcmp(okeys[a], nkeys[b]);
            keys[d->ngroups++] = c <= 0 ? okeys[a] : nkeys[b];
            if (c <= 0)
                a++;
            if (c >= 0)
                b++;
        }
        for (size_t g = 0; g < d->ngroups; g++)
            d->groups[g].key = rl_strdup(keys[g]);
        for (size_t i = 0; i < d->old->n; i++) {
            ogrp_m[i] = rl_key_find(keys, d->ngroups, okeys[ogrp[i]]);
            d->groups[ogrp_m[i]].old_features++;
        }
        for (size_t i = 0; i < d->nw->n; i++) {
            ngrp_m[i] = rl_key_find(keys, d->ngroups, nkeys[ngrp[i]]);
            d->groups[ngrp_m[i]].new_features++;
        }
    }
    rl_tile_in tin_old = {(const GEOSGeometry *const *)ogeom, ogrp_m, d->old->n};
    rl_tile_in tin_new = {(const GEOSGeometry *const *)ngeom, ngrp_m, d->nw->n};
    rl_tile_out tout;
    st = rl_tiled_overlay(ctx, &tin_old, &tin_new, d->ngroups, crs, m,
                          opts->c.pieces_path != NULL || opts->c.format == RL_FMT_HTML, 0,
                          opts->c.jobs, &tout);
    free(ogrp_m);
    free(ngrp_m);
    if (st) {
        rl_tile_out_free(ctx, &tout, d->ngroups);
        goto fail;
    }
    d->total.old_features = d->old->n;
    d->total.new_features = d->nw->n;
    set_fig(&d->total, &tout.total, opts->tolerance);
    d->old_self_overlap_m2 = tout.total.old_self_m2;
    d->scopes = tout.scopes;
    d->unchanged_scopes = tout.unchanged_scopes;
    d->new_self_overlap_m2 = tout.total.new_self_m2;
    for (size_t g = 0; g < d->ngroups; g++)
        set_fig(&d->groups[g], &tout.groups[g], opts->tolerance);
    if (tout.lost) {
        /* The report takes the pieces over. */
        for (size_t g = 0; g < d->ngroups; g++) {
            d->glost[g] = tout.lost[g];
            d->ggained[g] = tout.gained[g];
            tout.lost[g] = tout.gained[g] = NULL;
        }
        d->lost = tout.lost[d->ngroups];
        d->gained = tout.gained[d->ngroups];
        tout.lost[d->ngroups] = tout.gained[d->ngroups] = NULL;
    }
    rl_tile_out_free(ctx, &tout, d->ngroups);
    d->shrunk = d->total.shrunk;
    /* --pieces writes them, an HTML report draws them. */
    if ((opts->c.pieces_path || opts->c.format == RL_FMT_HTML) && (st = collect_pieces(ctx, d)))
        goto fail;
    *out = rep;
    rep = NULL;
fail:
    if (ngeom)
        for (size_t i = 0; i < d->nw->n; i++)
            GEOSGeom_destroy_r(ctx->geos, ngeom[i]);
    free(ngeom);
    free(ogeom);
    for (size_t i = 0; i < nok; i++)
        free(okeys[i]);
    for (size_t i = 0; i < nnk; i++)
        free(nkeys[i]);
    free(okeys);
    free(nkeys);
    free(ogrp);
    free(ngrp);
    free(keys);
    rl_report_free(rep);
    return st;
}

static void free_diff(rl_ctx *ctx, void *data)
{
    rl_diff_data *d = data;
    if (!d)
        return;
    rl_strlist_free(&d->warnings);
    free(d->pieces);
    for (size_t g = 0; g < d->ngroups; g++) {
        free(d->groups[g].key);
        if (d->glost[g])
            GEOSGeom_destroy_r(ctx->geos, d->glost[g]);
        if (d->ggained[g])
            GEOSGeom_destroy_r(ctx->geos, d->ggained[g]);
    }
    free(d->groups);
    free(d->glost);
    free(d->ggained);
    if (d->lost)
        GEOSGeom_destroy_r(ctx->geos, d->lost);
    if (d->gained)
        GEOSGeom_destroy_r(ctx->geos, d->gained);
    rl_layer_free(ctx, d->old);
    rl_layer_free(ctx, d->nw);
}
