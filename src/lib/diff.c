/* diff.c -- two versions of a control layer: union areas, lost, gained, net. */
#include "rl_internal.h"

#include <stdlib.h>
#include <string.h>

/* Union of the usable geometries of L, optionally only group g. */
static GEOSGeometry *layer_union(rl_ctx *ctx, GEOSGeometry *const *gs, size_t n,
                                 const size_t *group, size_t g)
{
    const GEOSGeometry **sel = malloc((n ? n : 1) * sizeof *sel);
    if (!sel)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (gs[i] && (!group || group[i] == g))
            sel[k++] = gs[i];
    GEOSGeometry *u = rl_union_all(ctx, sel, k);
    free(sel);
    return u;
}

static GEOSGeometry *difference(rl_ctx *ctx, const GEOSGeometry *a,
                                const GEOSGeometry *b)
{
    GEOSGeometry *x = GEOSDifference_r(ctx->geos, a, b);
    GEOSGeometry *p = x ? rl_polygonal(ctx, x) : NULL;
    GEOSGeom_destroy_r(ctx->geos, x);
    return p;
}

/*
 * Old/new/lost/gained figures for one scope.  og/ng are the unions; the lost
 * and gained geometries are handed back when keep is non-NULL.
 */
static rl_status figures(rl_ctx *ctx, const GEOSGeometry *og,
                         const GEOSGeometry *ng, const rl_crs *crs,
                         rl_area_method m, rl_group_fig *f,
                         GEOSGeometry **keep_lost, GEOSGeometry **keep_gained)
{
    rl_status st;
    GEOSGeometry *lost = difference(ctx, og, ng);
    GEOSGeometry *gained = difference(ctx, ng, og);
    if (!lost || !gained) {
        st = rl_fail(ctx, RL_ERR_GEOM, "difference failed: %s", ctx->geos_msg);
        goto done;
    }
    if ((st = rl_geom_area(ctx, og, crs, m, &f->old_m2)) ||
        (st = rl_geom_area(ctx, ng, crs, m, &f->new_m2)) ||
        (st = rl_geom_area(ctx, lost, crs, m, &f->lost_m2)) ||
        (st = rl_geom_area(ctx, gained, crs, m, &f->gained_m2)))
        goto done;
    f->net_m2 = f->new_m2 - f->old_m2;
    if (keep_lost) {
        *keep_lost = lost;
        lost = NULL;
    }
    if (keep_gained) {
        *keep_gained = gained;
        gained = NULL;
    }
done:
    if (lost)
        GEOSGeom_destroy_r(ctx->geos, lost);
    if (gained)
        GEOSGeom_destroy_r(ctx->geos, gained);
    return st;
}

static rl_status read_version(rl_ctx *ctx, const char *which, const char *path,
                              const rl_input_opts *io, rl_layer **out)
{
    rl_status st = rl_layer_read(ctx, path, io, out);
    if (st)
        return rl_fail(ctx, st, "%s: %s", which, rl_ctx_errmsg(ctx));
    return RL_OK;
}

rl_status rl_diff(rl_ctx *ctx, const rl_diff_options *opts, rl_report **out)
{
    rl_status st = RL_OK;
    rl_report *rep = calloc(1, sizeof *rep);
    GEOSGeometry **ngeom = NULL, **ogeom = NULL;
    GEOSGeometry *ou = NULL, *nu = NULL;
    char **okeys = NULL, **nkeys = NULL, **keys = NULL;
    size_t *ogrp = NULL, *ngrp = NULL, nok = 0, nnk = 0;
    *out = NULL;
    if (!rep)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    rl_ctx_clear(ctx);
    rep->cmd = RL_CMD_DIFF;
    rep->ctx = ctx;
    rl_diff_data *d = &rep->u.diff;
    d->opts = opts;
    rl_input_opts io = {.assume_srs = opts->c.assume_srs, .encoding = opts->c.encoding};
    const rl_area_method m = opts->c.area;

    if ((st = read_version(ctx, "OLD", opts->old_path, &io, &d->old)) ||
        (st = read_version(ctx, "NEW", opts->new_path, &io, &d->nw)))
        goto fail;
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
        if (!keys || !d->groups || !d->glost || !d->ggained) {
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
        for (size_t g = 0; g < d->ngroups; g++) {
            rl_group_fig *f = &d->groups[g];
            f->key = rl_strdup(keys[g]);
            size_t oi = rl_key_find(okeys, nok, keys[g]);
            size_t ni = rl_key_find(nkeys, nnk, keys[g]);
            for (size_t i = 0; i < d->old->n; i++)
                f->old_features += ogrp[i] == oi;
            for (size_t i = 0; i < d->nw->n; i++)
                f->new_features += ngrp[i] == ni;
            GEOSGeometry *go = layer_union(ctx, ogeom, d->old->n, ogrp, oi);
            GEOSGeometry *gn = layer_union(ctx, ngeom, d->nw->n, ngrp, ni);
            if (go && gn)
                st = figures(ctx, go, gn, crs, m, f, &d->glost[g], &d->ggained[g]);
            else
                st = rl_fail(ctx, RL_ERR_GEOM, "union failed: %s", ctx->geos_msg);
            GEOSGeom_destroy_r(ctx->geos, go);
            GEOSGeom_destroy_r(ctx->geos, gn);
            if (st)
                goto fail;
        }
    }
    ou = layer_union(ctx, ogeom, d->old->n, NULL, 0);
    nu = layer_union(ctx, ngeom, d->nw->n, NULL, 0);
    if (!ou || !nu) {
        st = rl_fail(ctx, RL_ERR_GEOM, "union failed: %s", ctx->geos_msg);
        goto fail;
    }
    d->total.old_features = d->old->n;
    d->total.new_features = d->nw->n;
    if ((st = figures(ctx, ou, nu, crs, m, &d->total, &d->lost, &d->gained)) ||
        (st = rl_self_overlap(ctx, (const GEOSGeometry *const *)ogeom, d->old->n,
                              crs, m, &d->old_self_overlap_m2)) ||
        (st = rl_self_overlap(ctx, (const GEOSGeometry *const *)ngeom, d->nw->n,
                              crs, m, &d->new_self_overlap_m2)))
        goto fail;
    d->shrunk = d->total.net_m2 < -opts->tolerance;
    *out = rep;
    rep = NULL;
fail:
    GEOSGeom_destroy_r(ctx->geos, ou);
    GEOSGeom_destroy_r(ctx->geos, nu);
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

void rl_diff_data_free(rl_ctx *ctx, rl_diff_data *d)
{
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
