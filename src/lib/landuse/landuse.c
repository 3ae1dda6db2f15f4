/*
 * landuse.c -- the figures of the land-use breakdown: a footprint's parcel
 * pieces with double cover resolved (phase 5 of the screen engine, on the
 * footprint's worker), the class, 一级类, top-class and 坐落单位 rows
 * (after the hit parcels' attributes are read), the run's total and the
 * 平差-rounded figures.
 */
#include "landuse/landuse.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *field_names[RL_LUF_N] = {"DLBM", "DLMC", "QSXZ", "ZLDWDM", "ZLDWMC",
                                            "KCDLBM", "KCXS", "KCMJ", "TBMJ", "TBDLMJ"};

const char *rl_lu_field_name(int f)
{
    return f >= 0 && f < RL_LUF_N ? field_names[f] : NULL;
}

const char *rl_lu_method_name(rl_lu_method m)
{
    return m == RL_LU_ATTRIBUTE ? "attribute" : "geometric";
}

const char *rl_lu_level_name(rl_lu_level l)
{
    return l == RL_LU_COUNTY ? "county" : l == RL_LU_TOWN ? "town" : "village";
}

int rl_lu_decimals(const rl_screen_options *o)
{
    if (o->landuse_decimals >= 0)
        return o->landuse_decimals;
    switch (o->c.units) {
    case RL_U_M2: return 2;
    case RL_U_HA: return 4;
    case RL_U_MU: return 2;
    case RL_U_KM2: return 6;
    }
    return 2;
}

/* ---- phase 5: pieces ---- */

/*
 * Area of g (in ms->ccrs) as screen measures a control piece: ellipsoidal
 * on the DLTB CRS's ellipsoid, planar in the footprint's plane.
 */
static rl_status measure(rl_ctx *ctx, const rl_lu_measure *ms, const GEOSGeometry *g,
                         double *a)
{
    if (ms->m != RL_AREA_PLANAR || rl_crs_same(ms->ccrs, ms->fcrs))
        return rl_geom_area(ctx, g, ms->m != RL_AREA_PLANAR ? ms->ccrs : ms->fcrs,
                            ms->m, a);
    PJ *pj = rl_ctx_pj(ctx, ms->ccrs->def, ms->fcrs->def);
    GEOSGeometry *t = pj ? rl_geom_transform(ctx, g, pj) : NULL;
    if (!t)
        return ctx->status ? ctx->status : rl_fail(ctx, RL_ERR_CRS, "transformation failed");
    rl_status st = rl_geom_area(ctx, t, ms->fcrs, ms->m, a);
    GEOSGeom_destroy_r(ctx->geos, t);
    return st;
}

static GEOSGeometry *to_out(rl_ctx *ctx, const rl_lu_measure *ms, const GEOSGeometry *g)
{
    if (rl_crs_same(ms->ccrs, ms->out_crs))
        return GEOSGeom_clone_r(ctx->geos, g);
    PJ *pj = rl_ctx_pj(ctx, ms->ccrs->def, ms->out_crs->def);
    return pj ? rl_geom_transform(ctx, g, pj) : NULL;
}

rl_status rl_landuse_resolve(rl_ctx *ctx, rl_landuse *lu, const GEOSGeometry *const *g,
                             double fp_m2, const rl_lu_measure *ms,
                             const rl_layer *parcels)
{
    GEOSContextHandle_t h = ctx->geos;
    const size_t n = lu->npieces;
    rl_status st = RL_OK;
    const GEOSGeometry **near = calloc(n + 1, sizeof *near);
    GEOSGeometry **dbl = calloc(n + 1, sizeof *dbl);
    GEOSGeometry **rest = calloc(n + 1, sizeof *rest);
    double (*env)[4] = calloc(n + 1, sizeof *env);
    size_t ndbl = 0;
    if (!near || !dbl || !rest || !env) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        lu->pieces[i].area_m2 = lu->pieces[i].raw_m2;
    /*
     * Parcels of one survey layer tile the land, so their pieces are
     * usually apart and need no overlay.  Otherwise each piece loses what
     * pieces of lower FID cover (the lowest FID keeps a double-covered
     * area), and what it loses is the double-covered area.
     */
    if (n > 1 && !rl_disjoint_fast(ctx, g, n)) {
        for (size_t i = 0; i < n; i++)
            if (!GEOSGeom_getExtent_r(h, g[i], &env[i][0], &env[i][1], &env[i][2],
                                      &env[i][3])) {
                env[i][0] = env[i][1] = INFINITY; /* empty: meets nothing */
                env[i][2] = env[i][3] = -INFINITY;
            }
        for (size_t j = 1; j < n; j++) {
            size_t nn = 0;
            for (size_t i = 0; i < j; i++) {
                if (!rl_env_meet(env[i], env[j]))
                    continue;
                /* Interiors that share an area; touching edges do not count. */
                char r = GEOSRelatePattern_r(h, g[i], g[j], "2********");
                if (r == 2) {
                    st = rl_fail(ctx, RL_ERR_GEOM, "overlap of parcels failed: %s",
                                 ctx->geos_msg);
                    goto cleanup;
                }
                if (r == 1)
                    near[nn++] = g[i];
            }
            if (!nn)
                continue;
            GEOSGeometry *u = nn == 1 ? GEOSGeom_clone_r(h, near[0])
                                      : rl_union_all(ctx, near, nn, 0);
            GEOSGeometry *both = u ? rl_overlay2(ctx, g[j], u, 0, 0) : NULL;
            rest[j] = both ? rl_overlay2(ctx, g[j], u, 0, 1) : NULL;
            if (u)
                GEOSGeom_destroy_r(h, u);
            if (!rest[j]) {
                if (both)
                    GEOSGeom_destroy_r(h, both);
                st = rl_fail(ctx, RL_ERR_GEOM, "overlay of overlapping parcels failed: %s",
                             ctx->geos_msg);
                goto cleanup;
            }
            dbl[ndbl++] = both;
            if ((st = measure(ctx, ms, rest[j], &lu->pieces[j].area_m2)))
                goto cleanup;
        }
    }
    lu->double_m2 = 0;
    if (ndbl) {
        GEOSGeometry *u = ndbl == 1 ? GEOSGeom_clone_r(h, dbl[0])
                                    : rl_union_all(ctx, (const GEOSGeometry *const *)dbl,
                                                   ndbl, 0);
        if (!u) {
            st = rl_fail(ctx, RL_ERR_GEOM, "union of double cover failed: %s", ctx->geos_msg);
            goto cleanup;
        }
        st = measure(ctx, ms, u, &lu->double_m2);
        if (lu->keep && !st)
            lu->dbl_g = u;
        else
            GEOSGeom_destroy_r(h, u);
        if (st)
            goto cleanup;
    }
    lu->fcrs = ms->fcrs;
    lu->area_m2 = fp_m2;
    lu->covered_m2 = 0;
    for (size_t i = 0; i < n; i++) {
        rl_lu_piece *p = &lu->pieces[i];
        if (p->area_m2 < 0)
            p->area_m2 = 0;
        lu->covered_m2 += p->area_m2;
        if (ms->out_crs && p->area_m2 > 0 &&
            !(p->g = to_out(ctx, ms, rest[i] ? rest[i] : g[i]))) {
            st = ctx->status;
            goto cleanup;
        }
        if (lu->keep && p->area_m2 > 0) {
            if (rest[i])
                p->rg = rest[i], rest[i] = NULL;
            else if (!(p->rg = GEOSGeom_clone_r(h, g[i]))) {
                st = rl_fail(ctx, RL_ERR_GEOM, "copy of a parcel piece failed: %s",
                             ctx->geos_msg);
                goto cleanup;
            }
        }
        if (parcels) {
            const GEOSGeometry *pg = parcels->feat[p->feat].geom;
            if (pg && (st = measure(ctx, ms, pg, &p->parcel_m2)))
                goto cleanup;
        }
    }
    /* Reprojection noise, about 1e-9 relative: never more than the footprint. */
    if (lu->covered_m2 > fp_m2)
        lu->covered_m2 = fp_m2;
    lu->uncovered_m2 = fp_m2 - lu->covered_m2;
cleanup:
    for (size_t i = 0; i < ndbl; i++)
        GEOSGeom_destroy_r(h, dbl[i]);
    for (size_t i = 0; rest && i < n; i++)
        if (rest[i])
            GEOSGeom_destroy_r(h, rest[i]);
    free(near);
    free(dbl);
    free(rest);
    free(env);
    return st;
}

/* ---- fields ---- */

static int field_index(const rl_layer *L, const char *name)
{
    for (int j = 0; j < L->nfields; j++)
        if (strcmp(L->fields[j], name) == 0)
            return j;
    for (int j = 0; j < L->nfields; j++)
        if (strcasecmp(L->fields[j], name) == 0)
            return j;
    return -1;
}

rl_status rl_landuse_fields(rl_ctx *ctx, const rl_layer *L, const rl_screen_options *o,
                            int idx[RL_LUF_N])
{
    for (int a = 0; a < o->nfield_aliases; a++) {
        const char *s = o->field_aliases[a];
        size_t kl = strcspn(s, "=");
        int known = 0;
        for (int f = 0; f < RL_LUF_N; f++)
            known |= kl == strlen(field_names[f]) && strncasecmp(s, field_names[f], kl) == 0;
        if (!known)
            return rl_fail(ctx, RL_ERR_USAGE,
                           "--field %s: the land-use fields are DLBM, DLMC, QSXZ, ZLDWDM, "
                           "ZLDWMC, KCDLBM, KCXS, KCMJ, TBMJ and TBDLMJ",
                           s);
    }
    for (int f = 0; f < RL_LUF_N; f++) {
        const char *name = field_names[f];
        int alias = 0;
        for (int a = 0; a < o->nfield_aliases; a++) {
            const char *s = o->field_aliases[a];
            size_t kl = strcspn(s, "=");
            if (kl == strlen(name) && strncasecmp(s, name, kl) == 0) {
                name = s + kl + 1;
                alias = 1;
            }
        }
        idx[f] = field_index(L, name);
        if (idx[f] < 0 && alias) {
            char hint[RL_FIELD_HINT_MAX];
            return rl_fail(ctx, RL_ERR_USAGE,
                           "--landuse %s: no field '%s' (given by --field %s=%s)%s",
                           L->path, name, field_names[f], name,
                           rl_layer_field_hint(L, name, hint, sizeof hint));
        }
    }
    if (idx[RL_LUF_DLBM] < 0) {
        char hint[RL_FIELD_HINT_MAX];
        return rl_fail(ctx, RL_ERR_USAGE,
                       "--landuse %s: no field DLBM (地类编码); name it with --field DLBM=NAME%s",
                       L->path, rl_layer_field_hint(L, "DLBM", hint, sizeof hint));
    }
    if (o->landuse_method == RL_LU_ATTRIBUTE && idx[RL_LUF_TBDLMJ] < 0)
        return rl_fail(ctx, RL_ERR_USAGE,
                       "--landuse %s: --landuse-method attribute needs field TBDLMJ "
                       "(图斑地类面积); name it with --field TBDLMJ=NAME",
                       L->path);
    return RL_OK;
}

/* ---- rows ---- */

/* Row `code` of rows[0..*n-1], appended when new (name copied then); NULL: no memory. */
static rl_lu_row *row_get(rl_lu_row **rows, size_t *n, const char *code, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*rows)[i].code, code) == 0)
            return &(*rows)[i];
    rl_lu_row *a = realloc(*rows, (*n + 1) * sizeof *a);
    if (!a)
        return NULL;
    *rows = a;
    rl_lu_row *r = &a[*n];
    *r = (rl_lu_row){0};
    r->code = rl_strdup(code);
    r->name = name && *name ? rl_strdup(name) : NULL;
    if (!r->code)
        return NULL;
    (*n)++;
    return r;
}

static int cmp_row(const void *a, const void *b)
{
    return strcmp(((const rl_lu_row *)a)->code, ((const rl_lu_row *)b)->code);
}

static void rows_sort(rl_lu_row *rows, size_t n)
{
    if (n > 1)
        qsort(rows, n, sizeof *rows, cmp_row);
}

static void rows_free(rl_lu_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].code);
        free(rows[i].name);
    }
    free(rows);
}

static const char *attr(const rl_feature *f, int i)
{
    return i >= 0 && f->attrs && f->attrs[i] ? f->attrs[i] : NULL;
}

/* Attribute text without surrounding blanks, into buf ("" for NULL: callers read buf). */
static const char *trimmed(const char *s, char *buf, size_t n)
{
    if (!s)
        s = "";
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len >= n)
        len = n - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return buf;
}

/* A number attribute: 1 and *v when it is one, 0 when blank or NULL, -1 when not a number. */
static int number(const char *s, double *v)
{
    char buf[64];
    s = trimmed(s, buf, sizeof buf);
    if (!*s)
        return 0;
    char *end;
    *v = strtod(s, &end);
    return *end == '\0' && isfinite(*v) ? 1 : -1;
}

/* QSXZ: 1 国有 (10, 20), 2 集体 (30–34, 40), 0 neither or blank. */
static int ownership(const char *s)
{
    char buf[16];
    s = trimmed(s, buf, sizeof buf);
    if (!strcmp(s, "10") || !strcmp(s, "20"))
        return 1;
    if (!strcmp(s, "30") || !strcmp(s, "31") || !strcmp(s, "32") || !strcmp(s, "33") ||
        !strcmp(s, "34") || !strcmp(s, "40"))
        return 2;
    return 0;
}

static void add_area(rl_lu_row *r, double a, int own)
{
    r->area_m2 += a;
    if (own == 1)
        r->state_m2 += a;
    else if (own == 2)
        r->collective_m2 += a;
}

/* 一级类 and top rows from the class rows; classes sorted, names final. */
static rl_status finish(rl_ctx *ctx, rl_landuse *lu)
{
    char buf[96];
    rows_sort(lu->classes, lu->nclasses);
    rows_free(lu->level1, lu->nlevel1);
    lu->level1 = NULL;
    lu->nlevel1 = 0;
    memset(lu->top, 0, sizeof lu->top);
    for (size_t i = 0; i < lu->nclasses; i++) {
        rl_lu_row *c = &lu->classes[i];
        rl_lu_class_info ci = rl_lu_class(c->code, buf, sizeof buf);
        c->top = (int)ci.top;
        /* The standard's name for a known code; as delivered (DLMC) otherwise. */
        if (ci.name && (!c->name || strcmp(c->name, ci.name))) {
            free(c->name);
            if (!(c->name = rl_strdup(ci.name)))
                return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        }
        lu->top[ci.top] += c->area_m2;
        rl_lu_row *l = row_get(&lu->level1, &lu->nlevel1, ci.level1,
                               rl_lu_level1_name(ci.level1));
        if (!l)
            return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        add_area(l, c->area_m2, 0);
        l->state_m2 += c->state_m2;
        l->collective_m2 += c->collective_m2;
    }
    rows_sort(lu->level1, lu->nlevel1);
    for (int v = 0; v < 3; v++)
        rows_sort(lu->units[v], lu->nunits[v]);
    return RL_OK;
}

rl_status rl_landuse_tabulate(rl_ctx *ctx, rl_landuse *lu, const rl_layer *L,
                              const int idx[RL_LUF_N], rl_lu_method m)
{
    static const size_t unit_len[3] = {6, 9, 12};
    char code[64], kcode[64], zl[64], name[256];
    for (size_t i = 0; i < lu->npieces; i++) {
        const rl_lu_piece *p = &lu->pieces[i];
        const rl_feature *f = &L->feat[p->feat];
        if (!(p->area_m2 > 0))
            continue;
        double k = 0, main_m2, kc_m2;
        int nk = idx[RL_LUF_KCXS] >= 0 ? number(attr(f, idx[RL_LUF_KCXS]), &k) : 0;
        if (nk < 0 || (nk > 0 && !(k >= 0 && k <= 1)))
            return rl_fail(ctx, RL_ERR_INPUT,
                           "--landuse %s: feature %" PRId64 ": KCXS '%s' is not a "
                           "deduction coefficient from 0 to 1",
                           L->path, (int64_t)f->fid, attr(f, idx[RL_LUF_KCXS]));
        if (m == RL_LU_GEOMETRIC) {
            main_m2 = p->area_m2 * (1 - k);
            kc_m2 = p->area_m2 * k;
        } else {
            double tbdlmj = 0, kcmj = 0;
            int ok = number(attr(f, idx[RL_LUF_TBDLMJ]), &tbdlmj);
            int okk = idx[RL_LUF_KCMJ] >= 0 ? number(attr(f, idx[RL_LUF_KCMJ]), &kcmj) : 0;
            if (ok <= 0 || okk < 0)
                return rl_fail(ctx, RL_ERR_INPUT,
                               "--landuse %s: feature %" PRId64 ": %s is not a number "
                               "(attribute method)",
                               L->path, (int64_t)f->fid, ok <= 0 ? "TBDLMJ" : "KCMJ");
            /* The share of the parcel inside the footprint scales its surveyed figures. */
            double share = p->parcel_m2 > 0 ? p->area_m2 / p->parcel_m2 : 0;
            if (share > 1)
                share = 1;
            main_m2 = tbdlmj * share;
            kc_m2 = kcmj * share;
        }
        int own = ownership(attr(f, idx[RL_LUF_QSXZ]));
        trimmed(attr(f, idx[RL_LUF_DLBM]), code, sizeof code);
        trimmed(attr(f, idx[RL_LUF_DLMC]), name, sizeof name);
        rl_lu_row *r = row_get(&lu->classes, &lu->nclasses, code, name);
        if (!r)
            return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        add_area(r, main_m2, own);
        if (kc_m2 > 0) {
            /* The deducted strip is 田坎 unless the parcel names its class. */
            trimmed(attr(f, idx[RL_LUF_KCDLBM]), kcode, sizeof kcode);
            if (!(r = row_get(&lu->classes, &lu->nclasses, *kcode ? kcode : "1203", NULL)))
                return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            add_area(r, kc_m2, own);
        }
        trimmed(attr(f, idx[RL_LUF_ZLDWDM]), zl, sizeof zl);
        trimmed(attr(f, idx[RL_LUF_ZLDWMC]), name, sizeof name);
        for (int v = 0; v < 3; v++) {
            char pre[64];
            size_t len = strlen(zl) < unit_len[v] ? strlen(zl) : unit_len[v];
            memcpy(pre, zl, len);
            pre[len] = '\0';
            /* ZLDWMC names the village; county and town names are not in the DLTB. */
            if (!(r = row_get(&lu->units[v], &lu->nunits[v], pre,
                              v == RL_LU_VILLAGE ? name : NULL)))
                return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            r->top = v;
            add_area(r, main_m2 + kc_m2, own);
        }
    }
    rl_status st = finish(ctx, lu);
    lu->done = st == RL_OK;
    return st;
}

/* ---- the run's total ---- */

static size_t uf_root(size_t *up, size_t i)
{
    while (up[i] != i)
        i = up[i] = up[up[i]];
    return i;
}

/*
 * Area of the union of gs[0..n-1] (n >= 1), whose own areas are areas[]:
 * their sum when they are proven apart, else the union measured.
 */
static rl_status union_area(rl_ctx *ctx, const rl_lu_measure *ms, const GEOSGeometry **gs,
                            const double *areas, size_t n, double *a)
{
    *a = 0;
    if (n == 1 || rl_disjoint_fast(ctx, gs, n)) {
        for (size_t i = 0; i < n; i++)
            *a += areas[i];
        return RL_OK;
    }
    GEOSGeometry *u = rl_union_all(ctx, gs, n, 0);
    if (!u)
        return rl_fail(ctx, RL_ERR_GEOM, "union of overlapping footprints failed: %s",
                       ctx->geos_msg);
    rl_status st = measure(ctx, ms, u, a);
    GEOSGeom_destroy_r(ctx->geos, u);
    return st;
}

/* One footprint's piece of a parcel, for the merge. */
typedef struct tot_piece {
    size_t feat;  /* the parcel */
    size_t group; /* the footprint's cluster (overlapping interiors), or n + its index */
    size_t fp;    /* the footprint: keeps the sort total */
    const rl_lu_piece *p;
} tot_piece;

static int cmp_tot(const void *a, const void *b)
{
    const tot_piece *x = a, *y = b;
    if (x->feat != y->feat)
        return x->feat < y->feat ? -1 : 1;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    return (x->fp > y->fp) - (x->fp < y->fp);
}

/* A footprint's place in its cluster: clusters in order of root, members by index. */
typedef struct tot_member {
    size_t root, i;
} tot_member;

static int cmp_member(const void *a, const void *b)
{
    const tot_member *x = a, *y = b;
    if (x->root != y->root)
        return x->root < y->root ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static int cmp_minx(const void *a, const void *b)
{
    const double *x = a, *y = b; /* rows of 5: minx, miny, maxx, maxy, index */
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[4] > y[4]) - (x[4] < y[4]);
}

/*
 * Join the footprints whose interiors overlap (among those kept) into
 * clusters: up[] is a union-find forest over 0..n-1.
 */
static rl_status clusters(rl_ctx *ctx, rl_landuse *const *lus, size_t n, size_t *up)
{
    GEOSContextHandle_t h = ctx->geos;
    double (*env)[5] = calloc(n + 1, sizeof *env);
    size_t nk = 0;
    rl_status st = RL_OK;
    if (!env)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        up[i] = i;
        const rl_landuse *lu = lus[i];
        double *e = env[nk];
        if (lu->done && lu->keep && lu->fp_g &&
            GEOSGeom_getExtent_r(h, lu->fp_g, &e[0], &e[1], &e[2], &e[3])) {
            e[4] = (double)i;
            nk++;
        }
    }
    qsort(env, nk, sizeof *env, cmp_minx);
    for (size_t a = 0; a < nk; a++)
        for (size_t b = a + 1; b < nk && env[b][0] <= env[a][2]; b++) {
            size_t i = (size_t)env[a][4], j = (size_t)env[b][4];
            size_t ri = uf_root(up, i), rj = uf_root(up, j);
            if (ri == rj || !rl_env_meet(env[a], env[b]))
                continue;
            /* Interiors that share an area; footprints that only touch are apart. */
            char r = GEOSRelatePattern_r(h, lus[i]->fp_g, lus[j]->fp_g, "2********");
            if (r == 2) {
                st = rl_fail(ctx, RL_ERR_GEOM, "overlap of footprints failed: %s",
                             ctx->geos_msg);
                goto cleanup;
            }
            if (r == 1)
                up[ri > rj ? ri : rj] = ri < rj ? ri : rj;
        }
cleanup:
    free(env);
    return st;
}

rl_status rl_landuse_total(rl_ctx *ctx, rl_landuse *to, rl_landuse *const *lus, size_t n,
                           const rl_lu_measure *ms, const rl_layer *L,
                           const int idx[RL_LUF_N], rl_lu_method m)
{
    rl_status st = RL_OK;
    size_t *up = malloc((n + 1) * sizeof *up), *size = calloc(n + 1, sizeof *size);
    tot_member *mem = malloc((n + 1) * sizeof *mem);
    const GEOSGeometry **gs = malloc((n + 1) * sizeof *gs);
    double *areas = malloc((n + 1) * sizeof *areas);
    tot_piece *tp = NULL;
    size_t ntp = 0, nm = 0;
    if (!up || !size || !mem || !gs || !areas) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if ((st = clusters(ctx, lus, n, up)))
        goto cleanup;
    for (size_t i = 0; i < n; i++)
        if (lus[i]->done) {
            size_t r = uf_root(up, i);
            size[r]++;
            mem[nm++] = (tot_member){r, i};
            ntp += lus[i]->npieces;
        }
    qsort(mem, nm, sizeof *mem, cmp_member);

    /* The union's area and double cover: the footprints', less what overlaps adds. */
    for (size_t a = 0, b; a < nm; a = b) {
        for (b = a + 1; b < nm && mem[b].root == mem[a].root; b++)
            ;
        const rl_landuse *first = lus[mem[a].i];
        rl_lu_measure cm = *ms;
        cm.fcrs = first->fcrs;
        double sum = 0, uni = 0;
        for (size_t c = a; c < b; c++) {
            to->area_m2 += lus[mem[c].i]->area_m2;
            if (b - a == 1)
                to->double_m2 += lus[mem[c].i]->double_m2;
        }
        if (b - a == 1)
            continue;
        size_t ng = 0;
        for (size_t c = a; c < b; c++) {
            gs[ng] = lus[mem[c].i]->fp_g;
            if ((st = measure(ctx, &cm, gs[ng], &areas[ng])))
                goto cleanup;
            sum += areas[ng++];
        }
        if ((st = union_area(ctx, &cm, gs, areas, ng, &uni)))
            goto cleanup;
        if (sum > uni)
            to->area_m2 -= sum - uni;
        ng = 0;
        for (size_t c = a; c < b; c++)
            if (lus[mem[c].i]->dbl_g) {
                gs[ng] = lus[mem[c].i]->dbl_g;
                areas[ng++] = lus[mem[c].i]->double_m2;
            }
        if (ng && (st = union_area(ctx, &cm, gs, areas, ng, &uni)))
            goto cleanup;
        if (ng)
            to->double_m2 += uni;
    }

    /* Each parcel once: its pieces of footprints that overlap are merged by union. */
    if (!(tp = malloc((ntp + 1) * sizeof *tp)) ||
        !(to->pieces = calloc(ntp + 1, sizeof *to->pieces))) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    ntp = 0;
    for (size_t i = 0; i < n; i++) {
        if (!lus[i]->done)
            continue;
        size_t r = uf_root(up, i);
        for (size_t j = 0; j < lus[i]->npieces; j++)
            if (lus[i]->pieces[j].area_m2 > 0)
                tp[ntp++] = (tot_piece){lus[i]->pieces[j].feat, size[r] > 1 ? r : n + i, i,
                                        &lus[i]->pieces[j]};
    }
    qsort(tp, ntp, sizeof *tp, cmp_tot);
    for (size_t a = 0, b; a < ntp; a = b) {
        for (b = a + 1; b < ntp && tp[b].feat == tp[a].feat; b++)
            ;
        rl_lu_piece *q = &to->pieces[to->npieces++];
        q->feat = tp[a].feat;
        q->parcel_m2 = tp[a].p->parcel_m2;
        for (size_t c = a, e; c < b; c = e) {
            size_t ng = 0;
            for (e = c; e < b && tp[e].group == tp[c].group; e++)
                if (tp[e].p->rg) {
                    gs[ng] = tp[e].p->rg;
                    areas[ng++] = tp[e].p->area_m2;
                }
            double a_m2 = 0;
            if (e - c == 1 || ng < e - c) {
                /* One footprint's piece, or (never when kept) pieces without geometry. */
                for (size_t f = c; f < e; f++)
                    a_m2 += tp[f].p->area_m2;
            } else {
                rl_lu_measure cm = *ms;
                cm.fcrs = lus[tp[c].fp]->fcrs;
                if ((st = union_area(ctx, &cm, gs, areas, ng, &a_m2)))
                    goto cleanup;
            }
            q->area_m2 += a_m2;
        }
        q->raw_m2 = q->area_m2;
        to->covered_m2 += q->area_m2;
    }
    if (to->covered_m2 > to->area_m2)
        to->covered_m2 = to->area_m2;
    to->uncovered_m2 = to->area_m2 - to->covered_m2;
    st = rl_landuse_tabulate(ctx, to, L, idx, m);
cleanup:
    free(up);
    free(size);
    free(mem);
    free(gs);
    free(areas);
    free(tp);
    return st;
}

/* ---- 平差 ---- */

/* Split target among rows' field (m2, scaled to units of 10^-decimals). */
static rl_status split_rows(rl_ctx *ctx, long long target, rl_lu_row *rows, size_t n,
                            double scale, int what)
{
    double *v = calloc(n + 1, sizeof *v);
    long long *out = malloc((n + 1) * sizeof *out);
    if (!v || !out) {
        free(v);
        free(out);
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        v[i] = (what == 0 ? rows[i].area_m2 : what == 1 ? rows[i].state_m2
                                                        : rows[i].collective_m2) * scale;
    rl_lr_split(target, v, n, out);
    for (size_t i = 0; i < n; i++)
        *(what == 0 ? &rows[i].r_area : what == 1 ? &rows[i].r_state : &rows[i].r_collective) =
            out[i];
    free(v);
    free(out);
    return RL_OK;
}

rl_status rl_landuse_round(rl_ctx *ctx, rl_landuse *lu, rl_lu_method m, rl_units u,
                           int decimals)
{
    const double scale = pow(10.0, decimals) / rl_units_factor(u);
    const size_t nc = lu->nclasses;
    /*
     * One tree: footprint → covered (the classes' total) and uncovered;
     * covered → the top classes → (top class, 一级类) cells → classes.  A
     * 一级类 is the sum of its cells, so it adds up to the total too, and
     * the top classes and the classes add up at every level.  The
     * attribute method's classes need not add up to the covered area: their
     * total is then a root of its own.
     */
    size_t cap = 4 + RL_TOP_N + 2 * nc; /* 3 or 4 totals, tops, cells, classes */
    double *val = malloc(cap * sizeof *val);
    int *par = malloc(cap * sizeof *par);
    long long *out = malloc(cap * sizeof *out);
    int *cell_of = malloc((nc + 1) * sizeof *cell_of);
    rl_status st = RL_OK;
    if (!val || !par || !out || !cell_of) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    double total = 0;
    for (size_t i = 0; i < nc; i++)
        total += lu->classes[i].area_m2;
    size_t n = 0;
    int root = 0;
    val[n] = lu->area_m2, par[n++] = -1;                       /* 0: footprint */
    val[n] = lu->covered_m2, par[n++] = 0;                     /* 1: covered */
    val[n] = lu->uncovered_m2, par[n++] = 0;                   /* 2: uncovered */
    if (m == RL_LU_GEOMETRIC) {
        root = 1;
    } else {
        root = (int)n;
        val[n] = total, par[n++] = -1;                         /* 3: classes' total */
    }
    const int top0 = (int)n;
    for (int t = 0; t < RL_TOP_N; t++) {
        val[n] = 0, par[n++] = root;
        for (size_t i = 0; i < nc; i++)
            if (lu->classes[i].top == t)
                val[n - 1] += lu->classes[i].area_m2;
    }
    /* Cells: classes are sorted by code, so one (top, 一级类) may recur; find it. */
    const int cell0 = (int)n;
    char buf[96];
    char (*l1)[3] = malloc((nc + 1) * sizeof *l1);
    if (!l1) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < nc; i++) {
        rl_lu_class_info ci = rl_lu_class(lu->classes[i].code, buf, sizeof buf);
        int c = -1;
        for (int j = cell0; j < (int)n; j++)
            if (par[j] == top0 + lu->classes[i].top &&
                strcmp(l1[j - cell0], ci.level1) == 0)
                c = j;
        if (c < 0) {
            c = (int)n;
            memcpy(l1[n - cell0], ci.level1, 3);
            val[n] = 0, par[n++] = top0 + lu->classes[i].top;
        }
        val[c] += lu->classes[i].area_m2;
        cell_of[i] = c;
    }
    free(l1);
    const int cls0 = (int)n;
    for (size_t i = 0; i < nc; i++)
        val[n] = lu->classes[i].area_m2, par[n++] = cell_of[i];
    for (size_t i = 0; i < n; i++)
        val[i] *= scale;
    if ((st = rl_round_tree(ctx, val, par, n, 0, out)))
        goto cleanup;
    lu->r_area = out[0];
    lu->r_covered = out[1];
    lu->r_uncovered = out[2];
    lu->r_total = out[root];
    lu->r_double = llround(lu->double_m2 * scale);
    for (int t = 0; t < RL_TOP_N; t++)
        lu->r_top[t] = out[top0 + t];
    for (size_t i = 0; i < nc; i++)
        lu->classes[i].r_area = out[cls0 + (int)i];
    for (size_t j = 0; j < lu->nlevel1; j++) {
        lu->level1[j].r_area = 0;
        for (size_t i = 0; i < nc; i++) {
            rl_lu_class_info ci = rl_lu_class(lu->classes[i].code, buf, sizeof buf);
            if (strcmp(ci.level1, lu->level1[j].code) == 0)
                lu->level1[j].r_area += lu->classes[i].r_area;
        }
    }
    /* 国有 and 集体 columns: each adds up to its own rounded total. */
    double s = 0, c = 0;
    for (size_t i = 0; i < nc; i++)
        s += lu->classes[i].state_m2, c += lu->classes[i].collective_m2;
    if ((st = split_rows(ctx, llround(s * scale), lu->classes, nc, scale, 1)) ||
        (st = split_rows(ctx, llround(c * scale), lu->classes, nc, scale, 2)))
        goto cleanup;
    for (int v = 0; v < 3; v++)
        if ((st = split_rows(ctx, lu->r_total, lu->units[v], lu->nunits[v], scale, 0)))
            goto cleanup;
cleanup:
    free(val);
    free(par);
    free(out);
    free(cell_of);
    return st;
}

void rl_landuse_clear(rl_ctx *ctx, rl_landuse *lu)
{
    if (!lu)
        return;
    for (size_t i = 0; i < lu->npieces; i++) {
        if (lu->pieces[i].g)
            GEOSGeom_destroy_r(ctx->geos, lu->pieces[i].g);
        if (lu->pieces[i].rg)
            GEOSGeom_destroy_r(ctx->geos, lu->pieces[i].rg);
    }
    free(lu->pieces);
    if (lu->fp_g)
        GEOSGeom_destroy_r(ctx->geos, lu->fp_g);
    if (lu->dbl_g)
        GEOSGeom_destroy_r(ctx->geos, lu->dbl_g);
    rows_free(lu->classes, lu->nclasses);
    rows_free(lu->level1, lu->nlevel1);
    for (int v = 0; v < 3; v++)
        rows_free(lu->units[v], lu->nunits[v]);
    *lu = (rl_landuse){0};
}
