/* diff.c -- two versions of a control layer: union areas, lost, gained, net. */
#include "command/command.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Diff pieces smaller than this are overlay round-off, not a moved line. */
#define RL_PIECE_MIN_M2 0.01
/* Transition cells below this are round-off of the overlays (~1e-9 relative). */
#define RL_TRANS_MIN_M2 1e-4
/* How many of the largest changed pieces the report lists. */
#define RL_LARGEST_N 20

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
        d->pieces[d->npieces++] = (rl_diff_piece){p, change, key, NULL, NULL, a, 0, 0};
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
    const rl_diff_data *d = data;
    if (d->opts->c.shard_count) /* a shard writes its part, built by rl_diff */
        return rl_part_write(ctx, (rl_buf *)&d->part, f);
    return rl_write_diff(ctx, data, f);
}

static rl_status write_diff_pieces(rl_ctx *ctx, const void *data, const char *path)
{
    return rl_write_diff_pieces(ctx, data, path);
}

/* 1 when the layer shrank, or changed its nature with --keep-nature (SPEC). */
static int diff_exit_code(const void *data)
{
    const rl_diff_data *d = data;
    return (d->shrunk || d->changed) && !d->opts->c.shard_count ? 1 : 0;
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

/*
 * 1 when OLD and NEW name the same layer of the same dataset, however the
 * paths are spelt (./eco.shp, a symbolic link, another relative path): the
 * file's device and inode decide when both paths (without "|layername=...")
 * are files on disk, the whole string otherwise (PG:, members of a zip).
 */
static int same_dataset(const char *a, const char *b, const rl_layer *la, const rl_layer *lb)
{
    if (strcmp(la->layer_name ? la->layer_name : "", lb->layer_name ? lb->layer_name : ""))
        return 0;
    char fa[4096], fb[4096];
    snprintf(fa, sizeof fa, "%.*s", (int)strcspn(a, "|"), a);
    snprintf(fb, sizeof fb, "%.*s", (int)strcspn(b, "|"), b);
    struct stat sa, sb;
    if (stat(fa, &sa) == 0 && stat(fb, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    return strcmp(a, b) == 0;
}

/* ---- values compared (--by, --by-old/--by-new, --map, --by-level) ---- */

typedef struct map_pair {
    char *from, *to;
    size_t line;
} map_pair;

static int cmp_pair(const void *a, const void *b)
{
    int c = strcmp(((const map_pair *)a)->from, ((const map_pair *)b)->from);
    if (c)
        return c;
    size_t x = ((const map_pair *)a)->line, y = ((const map_pair *)b)->line;
    return (x > y) - (x < y);
}

/* One CSV field of line p (quotes "" allowed); advances p; NULL: bad quoting. */
static char *csv_field(const char **p)
{
    const char *s = *p;
    rl_buf b = {0};
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '"') {
        for (s++;; s++) {
            if (!*s) {
                rl_buf_free(&b);
                return NULL;
            }
            if (*s == '"' && s[1] == '"')
                rl_buf_puts(&b, "\""), s++;
            else if (*s == '"')
                break;
            else
                rl_buf_printf(&b, "%c", *s);
        }
        s++;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s && *s != ',') {
            rl_buf_free(&b);
            return NULL;
        }
    } else {
        const char *e = s + strcspn(s, ",");
        const char *t = e;
        while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        rl_buf_printf(&b, "%.*s", (int)(t - s), s);
        s = e;
    }
    if (*s == ',')
        s++;
    *p = s;
    char *r = rl_strdup(b.s ? b.s : "");
    rl_buf_free(&b);
    return r;
}

/*
 * --map FILE: UTF-8 CSV, one "old,new" pair a line; blank lines and lines
 * starting with # are skipped, and a first line "old,new" or "from,to" is a
 * header.  Sorted by old value; an old value given twice with two new ones
 * fails, naming both lines.
 */
static rl_status read_map(rl_ctx *ctx, const char *path, map_pair **out, size_t *nout)
{
    rl_status st = RL_OK;
    map_pair *m = NULL;
    size_t n = 0, cap = 0, lineno = 0, got = 0;
    char *text = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return rl_fail(ctx, RL_ERR_INPUT, "--map %s: %s", path, strerror(errno));
    size_t len = 0, tcap = 0;
    for (;;) {
        if (len + 4096 + 1 > tcap) {
            tcap = (len + 4096 + 1) * 2;
            char *t = realloc(text, tcap);
            if (!t) {
                st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
                goto done;
            }
            text = t;
        }
        size_t r = fread(text + len, 1, 4096, f);
        len += r;
        if (r < 4096)
            break;
    }
    if (ferror(f)) {
        st = rl_fail(ctx, RL_ERR_INPUT, "--map %s: read error", path);
        goto done;
    }
    text[len] = '\0';
    if (strlen(text) != len || !rl_is_utf8(text)) {
        st = rl_fail(ctx, RL_ERR_INPUT, "--map %s: not UTF-8 text; save it as UTF-8 CSV", path);
        goto done;
    }
    char *line = text;
    if (!strncmp(line, "\xEF\xBB\xBF", 3))
        line += 3;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[l - 1] = '\0';
        lineno++;
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p && *p != '#') {
            char *a = csv_field(&p), *b = a ? csv_field(&p) : NULL;
            if (!a || !b || *p) {
                free(a);
                free(b);
                st = rl_fail(ctx, RL_ERR_INPUT,
                             "--map %s: line %zu: expected two columns, old value,new value",
                             path, lineno);
                goto done;
            }
            if (got++ == 0 && ((!strcasecmp(a, "old") && !strcasecmp(b, "new")) ||
                               (!strcasecmp(a, "from") && !strcasecmp(b, "to")))) {
                free(a);
                free(b);
            } else if (!rl_grow(&m, &cap, n + 1, sizeof *m)) {
                free(a);
                free(b);
                st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
                goto done;
            } else {
                m[n++] = (map_pair){a, b, lineno};
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    if (n > 1)
        qsort(m, n, sizeof *m, cmp_pair);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(m[i].from, m[i - 1].from) && strcmp(m[i].to, m[i - 1].to)) {
            st = rl_fail(ctx, RL_ERR_INPUT,
                         "--map %s: old value '%s' maps to '%s' (line %zu) and to '%s' "
                         "(line %zu)", path, m[i].from, m[i - 1].to, m[i - 1].line, m[i].to,
                         m[i].line);
            goto done;
        }
done:
    if (f)
        fclose(f);
    free(text);
    if (st) {
        for (size_t i = 0; i < n; i++)
            free(m[i].from), free(m[i].to);
        free(m);
        m = NULL, n = 0;
    }
    *out = m;
    *nout = n;
    return st;
}

static const map_pair *map_find(const map_pair *m, size_t n, const char *v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(m[mid].from, v);
        if (c == 0) {
            while (mid > 0 && !strcmp(m[mid - 1].from, v))
                mid--;
            return &m[mid];
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The first two characters (UTF-8) of v, into buf: --by-level 1. */
static const char *level1(const char *v, char *buf, size_t n)
{
    size_t k = 0;
    for (int c = 0; c < 2 && v[k]; c++) {
        k++;
        while (v[k] && ((unsigned char)v[k] & 0xC0) == 0x80)
            k++;
    }
    if (k >= n)
        k = n - 1;
    memcpy(buf, v, k);
    buf[k] = '\0';
    return buf;
}

/*
 * The value of every feature of one version as compared: the field's text
 * ("" for null), through --map (OLD only) and --by-level.  vals[i] owned.
 * An OLD value that the map lacks fails, listing the first few.
 */
static rl_status compare_values(rl_ctx *ctx, const rl_diff_options *o, const rl_layer *L,
                                int field, const map_pair *m, size_t nm, char **vals)
{
    char buf[256];
    rl_buf missing = {0};
    size_t nmiss = 0;
    for (size_t i = 0; i < L->n; i++) {
        const char *v = L->feat[i].attrs && L->feat[i].attrs[field] ? L->feat[i].attrs[field]
                                                                    : "";
        if (m) {
            const map_pair *p = map_find(m, nm, v);
            if (!p) {
                int seen = 0;
                for (size_t j = 0; j < i && !seen; j++)
                    seen = vals[j] == NULL && L->feat[j].attrs && L->feat[j].attrs[field] &&
                           !strcmp(L->feat[j].attrs[field], v);
                if (!seen && nmiss++ < 5)
                    rl_buf_printf(&missing, "%s'%s' (FID %lld)", nmiss > 1 ? ", " : "", v,
                                  (long long)L->feat[i].fid);
                continue;
            }
            v = p->to;
        }
        if (o->by_level)
            v = level1(v, buf, sizeof buf);
        if (!(vals[i] = rl_strdup(v))) {
            rl_buf_free(&missing);
            return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        }
    }
    if (nmiss) {
        rl_status st = rl_fail(ctx, RL_ERR_INPUT,
                               "--map %s has no row for the OLD value%s %s%s of %s; add "
                               "them (a value that stays the same maps to itself)",
                               o->map, nmiss > 1 ? "s" : "", missing.s,
                               nmiss > 5 ? " and more" : "", L->path);
        rl_buf_free(&missing);
        return st;
    }
    rl_buf_free(&missing);
    return RL_OK;
}

static int cmp_largest(const void *a, const void *b)
{
    const rl_diff_piece *x = a, *y = b;
    if (x->area_m2 != y->area_m2)
        return x->area_m2 > y->area_m2 ? -1 : 1;
    int c = strcmp(x->from ? x->from : "", y->from ? y->from : "");
    if (c)
        return c;
    c = strcmp(x->to ? x->to : "", y->to ? y->to : "");
    if (c)
        return c;
    if (x->cx != y->cx)
        return x->cx < y->cx ? -1 : 1;
    return (x->cy > y->cy) - (x->cy < y->cy);
}

/* The transition cells listed (area >= RL_TRANS_MIN_M2) and their pieces. */
static rl_status take_transitions(rl_ctx *ctx, rl_diff_data *d, rl_tile_out *t)
{
    const size_t G = d->ngroups;
    size_t cap = 0, lcap = 0;
    d->trans = calloc(t->ntrans + 1, sizeof *d->trans);
    d->tgeom = calloc(t->ntrans + 1, sizeof *d->tgeom);
    if (!d->trans || !d->tgeom)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < t->ntrans; i++) {
        rl_transition *x = &t->trans[i];
        const char *from = x->from < G ? d->groups[x->from].key : NULL;
        const char *to = x->to < G ? d->groups[x->to].key : NULL;
        GEOSGeometry *g = x->g;
        if (g)
            d->tgeom[d->ntgeom++] = g, x->g = NULL;
        if (x->area_m2 < RL_TRANS_MIN_M2)
            continue; /* round-off of the overlays, not land that changed */
        d->trans[d->ntrans++] = (rl_diff_trans){from, to, x->area_m2};
        if (from && to && x->from != x->to)
            d->changed_m2 += x->area_m2;
        if (!g || x->from == x->to)
            continue;
        int n = GEOSGetNumGeometries_r(ctx->geos, g);
        for (int k = 0; k < n; k++) {
            const GEOSGeometry *p = GEOSGetGeometryN_r(ctx->geos, g, k);
            double a = 0, cx = 0, cy = 0;
            if (GEOSisEmpty_r(ctx->geos, p) == 1)
                continue;
            rl_status st = rl_geom_area(ctx, p, d->old->crs, d->opts->c.area, &a);
            if (st)
                return st;
            if (a < RL_PIECE_MIN_M2)
                continue;
            GEOSGeometry *c = GEOSGetCentroid_r(ctx->geos, p);
            if (c) {
                GEOSGeomGetX_r(ctx->geos, c, &cx);
                GEOSGeomGetY_r(ctx->geos, c, &cy);
                GEOSGeom_destroy_r(ctx->geos, c);
            }
            rl_diff_piece dp = {p, !from ? "gained" : !to ? "lost" : "changed", NULL, from, to,
                                a, cx, cy};
            /* --pieces writes them, an HTML report draws them. */
            if (d->opts->c.pieces_path || d->opts->c.format == RL_FMT_HTML) {
                if (!rl_grow(&d->pieces, &cap, d->npieces + 1, sizeof *d->pieces))
                    return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
                d->pieces[d->npieces++] = dp;
            }
            if (from && to) {
                if (!rl_grow(&d->largest, &lcap, d->nlargest + 1, sizeof *d->largest))
                    return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
                d->largest[d->nlargest++] = dp;
            }
        }
    }
    if (d->nlargest > 1)
        qsort(d->largest, d->nlargest, sizeof *d->largest, cmp_largest);
    if (d->nlargest > RL_LARGEST_N)
        d->nlargest = RL_LARGEST_N;
    double so = 0, sn = 0;
    for (size_t g = 0; g < G; g++)
        so += d->groups[g].old_m2, sn += d->groups[g].new_m2;
    d->old_multi_m2 = so - d->total.old_m2 > 0 ? so - d->total.old_m2 : 0;
    d->new_multi_m2 = sn - d->total.new_m2 > 0 ? sn - d->total.new_m2 : 0;
    return RL_OK;
}

rl_status rl_diff(rl_ctx *ctx, const rl_diff_options *opts, rl_report **out)
{
    rl_status st = RL_OK;
    GEOSGeometry **ngeom = NULL, **ogeom = NULL;
    char **okeys = NULL, **nkeys = NULL, **keys = NULL, **ovals = NULL, **nvals = NULL;
    map_pair *map = NULL;
    size_t nmap = 0;
    size_t *ogrp = NULL, *ngrp = NULL, nok = 0, nnk = 0;
    *out = NULL;
    rl_report *rep = rl_report_new(ctx, &diff_ops, &opts->c);
    if (!rep)
        return ctx->status;
    rl_diff_data *d = rep->data;
    d->opts = opts;
    const char *inputs[2] = {opts->old_path, opts->new_path};
    rl_common_opts mc = {.out_path = opts->matrix_csv}; /* checked as an -o of its own */
    if ((st = rl_outputs_check(ctx, &opts->c, inputs, 2, NULL)) ||
        (opts->matrix_csv && (st = rl_outputs_check(ctx, &mc, inputs, 2, NULL))))
        goto fail;
    rl_input_opts io = {.assume_srs = opts->c.assume_srs, .encoding = opts->c.encoding};
    const rl_area_method m = opts->c.area;

    if ((st = read_version(ctx, "OLD", opts->old_path, &io, &opts->c, &d->old)) ||
        (st = read_version(ctx, "NEW", opts->new_path, &io, &opts->c, &d->nw)))
        goto fail;
    /* Most likely a slip of the keyboard: the run can only show no change. */
    if (same_dataset(opts->old_path, opts->new_path, d->old, d->nw)) {
        char w[1024];
        rl_snprintf(w, sizeof w, "OLD and NEW are the same dataset (%s and %s): "
                    "nothing can have changed", d->old->path, d->nw->path);
        rl_strlist_add(&d->warnings, w);
    }
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
        /*
         * Vertex by vertex, not densified: NEW's edges are then read as
         * straight in the overlay CRS, so a reprojected copy of OLD is
         * unchanged (docs/area-method.md, "diff").
         */
        ngeom[i] = pj ? rl_geom_transform(ctx, g, pj) : GEOSGeom_clone_r(ctx->geos, g);
        if (!ngeom[i]) {
            st = rl_fail(ctx, RL_ERR_CRS, "NEW: %s: feature %lld: %s",
                         opts->new_path, (long long)d->nw->feat[i].fid,
                         rl_ctx_errmsg(ctx));
            goto fail;
        }
    }
    size_t *ogrp_m = NULL, *ngrp_m = NULL;
    const char *fo = opts->by ? opts->by : opts->by_old;
    const char *fn = opts->by ? opts->by : opts->by_new;
    if (fo) {
        int of = rl_layer_field_index(d->old, fo);
        int nf = rl_layer_field_index(d->nw, fn);
        if (of < 0 || nf < 0) {
            char hint[RL_FIELD_HINT_MAX];
            st = rl_fail(ctx, RL_ERR_USAGE, "%s: no field '%s' for %s%s",
                         of < 0 ? opts->old_path : opts->new_path, of < 0 ? fo : fn,
                         opts->by ? "--by" : of < 0 ? "--by-old" : "--by-new",
                         rl_layer_field_hint(of < 0 ? d->old : d->nw, of < 0 ? fo : fn,
                                             hint, sizeof hint));
            goto fail;
        }
        if (opts->map && (st = read_map(ctx, opts->map, &map, &nmap)))
            goto fail;
        ovals = calloc(d->old->n + 1, sizeof *ovals);
        nvals = calloc(d->nw->n + 1, sizeof *nvals);
        if (!ovals || !nvals) {
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto fail;
        }
        if ((st = compare_values(ctx, opts, d->old, of, opts->map ? map : NULL, nmap, ovals)) ||
            (st = compare_values(ctx, opts, d->nw, nf, NULL, 0, nvals)))
            goto fail;
        nok = rl_group_values((const char *const *)ovals, d->old->n, &okeys, &ogrp);
        nnk = rl_group_values((const char *const *)nvals, d->nw->n, &nkeys, &ngrp);
        if (nok == (size_t)-1 || nnk == (size_t)-1) {
            nok = nok == (size_t)-1 ? 0 : nok;
            nnk = nnk == (size_t)-1 ? 0 : nnk;
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
    /* With --by the pieces are the transitions' (what changed into what). */
    /*
     * --shard: this shard's cells go to its part, with their pieces always
     * (merge may be asked for --pieces or HTML); merge: every cell from the
     * parts.
     */
    rl_tile_shard sh = {opts->c.shard_index, opts->c.shard_count, &d->part, opts->c.parts,
                        opts->c.nparts};
    if (opts->c.shard_count)
        rl_part_head(&d->part, "diff", &opts->c);
    st = rl_tiled_overlay_shard(ctx, &tin_old, &tin_new, d->ngroups, crs, m,
                                (opts->c.pieces_path != NULL || opts->c.format == RL_FMT_HTML ||
                                 opts->c.shard_count) && !fo,
                                0, fo ? RL_TRANS_PIECES : RL_TRANS_NONE, opts->c.jobs,
                                opts->c.progress, opts->c.progress_data,
                                opts->c.shard_count || opts->c.parts ? &sh : NULL, &tout);
    free(ogrp_m);
    free(ngrp_m);
    if (st || opts->c.shard_count) {
        rl_tile_out_free(ctx, &tout, d->ngroups);
        if (st)
            goto fail;
        *out = rep; /* a shard's report is its part */
        rep = NULL;
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
    if (fo && (st = take_transitions(ctx, d, &tout))) {
        rl_tile_out_free(ctx, &tout, d->ngroups);
        goto fail;
    }
    rl_tile_out_free(ctx, &tout, d->ngroups);
    d->shrunk = d->total.shrunk;
    /* 性质不改变: area whose value changed is a finding; shrunk wins (SPEC). */
    d->changed = opts->keep_nature && d->changed_m2 > opts->tolerance;
    /* --pieces writes them, an HTML report draws them. */
    if ((opts->c.pieces_path || opts->c.format == RL_FMT_HTML) && !fo &&
        (st = collect_pieces(ctx, d)))
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
    for (size_t i = 0; ovals && i < d->old->n; i++)
        free(ovals[i]);
    for (size_t i = 0; nvals && i < d->nw->n; i++)
        free(nvals[i]);
    free(ovals);
    free(nvals);
    for (size_t i = 0; i < nmap; i++)
        free(map[i].from), free(map[i].to);
    free(map);
    rl_report_free(rep);
    return st;
}

static void free_diff(rl_ctx *ctx, void *data)
{
    rl_diff_data *d = data;
    if (!d)
        return;
    rl_strlist_free(&d->warnings);
    rl_buf_free(&d->part);
    free(d->pieces);
    free(d->trans);
    free(d->largest);
    for (size_t i = 0; i < d->ntgeom; i++)
        GEOSGeom_destroy_r(ctx->geos, d->tgeom[i]);
    free(d->tgeom);
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
