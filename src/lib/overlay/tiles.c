/*
 * tiles.c -- union, difference and self-overlap areas of whole layers,
 * computed on a quadtree of disjoint rectangles instead of global unions.
 *
 * A global union of a province's red line costs minutes; the same figures
 * summed over small rectangles cost seconds, because every overlay only sees
 * the few thousand vertices inside its rectangle.  Rectangles are disjoint,
 * so areas add up; the cut edges are shared by the two sides and cancel.
 */
#include "overlay/overlay.h"
#include "base/pool.h"

#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <time.h>

/* A rectangle is split while its inputs hold more vertices than this. */
#define RL_TILE_MAX_VERTICES 8192
#define RL_TILE_MAX_DEPTH 18
/* The root is cut into this many cells per side for the workers. */
#define RL_TILE_ROOT_SPLIT 16
/*
 * Cut edges get a new vertex on the straight edge: that moves nothing under
 * --area ellipsoidal, and a geodesic or survey area by ~1e-8 relative at
 * most; inputs this small are not cut at all.
 */
#define RL_TILE_MIN_VERTICES 65536

typedef struct item {
    GEOSGeometry *g;
    int owned;
    size_t group;
} item;

typedef struct itemlist {
    item *v;
    size_t n, cap;
    size_t vertices;
} itemlist;

typedef struct piecelist {
    GEOSGeometry **v;
    size_t n, cap;
} piecelist;

typedef struct tentry {
    size_t from, to;
    double a;
} tentry;

typedef struct tpiece {
    size_t from, to;
    GEOSGeometry *g;
} tpiece;

typedef struct cell_result {
    tentry *te;               /* transition areas, in the leaves' order */
    size_t nte, cte;
    tpiece *tp;               /* changed pieces (RL_TRANS_PIECES) */
    size_t ntp, ctp;
    rl_tile_fig total;
    size_t scopes, unchanged; /* leaf scopes, and those the same in both versions */
    rl_tile_fig *groups; /* ngroups */
    /* pieces[0] lost, pieces[1] gained; [ngroups + 1] each, last = total */
    piecelist *pieces[2];
} cell_result;

typedef struct engine {
    const rl_tile_in *in[2];
    size_t ngroups;
    const rl_crs *crs;
    rl_area_method m;
    int want_pieces;
    int group_self;
    int transitions; /* RL_TRANS_* */
    double grid; /* snap-rounding grid of the overlays, CRS units */
    double root[4];
    size_t split; /* root cells per side */
    size_t max_vertices; /* leaf size */
    size_t ncells;
    cell_result *cells;
    size_t *mine;   /* --shard: the cells this shard computes; NULL: all */
    size_t ntasks;  /* how many cells the pool runs */
    /* Progress: the callback, cells done, the last report (ms), who reports. */
    rl_progress_fn progress;
    void *progress_data;
    size_t done;
    long long last_ms;
    char reporting;
} engine;

static int push(itemlist *L, GEOSContextHandle_t h, GEOSGeometry *g, int owned,
                size_t group)
{
    if (L->n == L->cap) {
        L->cap = L->cap ? L->cap * 2 : 16;
        item *v = realloc(L->v, L->cap * sizeof *v);
        if (!v) {
            if (owned)
                GEOSGeom_destroy_r(h, g);
            return 0;
        }
        L->v = v;
    }
    L->v[L->n].g = g;
    L->v[L->n].owned = owned;
    L->v[L->n].group = group;
    L->n++;
    L->vertices += (size_t)GEOSGetNumCoordinates_r(h, g);
    return 1;
}

static void list_free(GEOSContextHandle_t h, itemlist *L)
{
    for (size_t i = 0; i < L->n; i++)
        if (L->v[i].owned)
            GEOSGeom_destroy_r(h, L->v[i].g);
    free(L->v);
    memset(L, 0, sizeof *L);
}

/*
 * g ∩ rect.  Returns g itself (*owned = 0) when it lies inside, NULL when it
 * misses or nothing polygonal is left.  ClipByRect is fast but promises no
 * valid output, so its result is checked and the overlay used instead.
 */
static GEOSGeometry *clip(rl_ctx *ctx, GEOSGeometry *g, const double r[4],
                          int *owned, int *fail)
{
    GEOSContextHandle_t h = ctx->geos;
    double x0, y0, x1, y1;
    *owned = 0;
    if (!GEOSGeom_getExtent_r(h, g, &x0, &y0, &x1, &y1)) {
        *fail = 1;
        return NULL;
    }
    if (x1 < r[0] || x0 > r[2] || y1 < r[1] || y0 > r[3])
        return NULL;
    if (x0 >= r[0] && x1 <= r[2] && y0 >= r[1] && y1 <= r[3])
        return g;
    GEOSGeometry *c = GEOSClipByRect_r(h, g, r[0], r[1], r[2], r[3]);
    if (c && rl_is_valid(ctx, c) != 1) {
        GEOSGeom_destroy_r(h, c);
        c = NULL;
    }
    if (!c) {
        GEOSGeometry *box = GEOSGeom_createRectangle_r(h, r[0], r[1], r[2], r[3]);
        c = box ? GEOSIntersection_r(h, g, box) : NULL;
        GEOSGeom_destroy_r(h, box);
        if (!c) {
            *fail = 1;
            return NULL;
        }
    }
    GEOSGeometry *p = rl_polygonal(ctx, c);
    GEOSGeom_destroy_r(h, c);
    if (!p) {
        *fail = 1;
        return NULL;
    }
    if (GEOSisEmpty_r(h, p) == 1) {
        GEOSGeom_destroy_r(h, p);
        return NULL;
    }
    *owned = 1;
    return p;
}

static int add_piece(piecelist *P, GEOSGeometry *g)
{
    if (P->n == P->cap) {
        P->cap = P->cap ? P->cap * 2 : 16;
        GEOSGeometry **a = realloc(P->v, P->cap * sizeof *a);
        if (!a)
            return 0;
        P->v = a;
    }
    P->v[P->n++] = g;
    return 1;
}

/* The pieces of one version in one scope (all groups, or one group). */
typedef struct scope {
    const GEOSGeometry **g;
    size_t n;
    int apart;    /* the pieces certainly share no point */
    int has_sum;  /* sum holds the pieces' areas added up */
    double sum;
} scope;

static int scope_select(const itemlist *L, size_t group, int any_group, scope *s)
{
    s->n = 0;
    s->g = malloc((L->n ? L->n : 1) * sizeof *s->g);
    if (!s->g)
        return 0;
    for (size_t i = 0; i < L->n; i++)
        if (any_group || L->v[i].group == group)
            s->g[s->n++] = L->v[i].g;
    return 1;
}

/*
 * Pieces that share no point need neither a union nor a self-overlap: the
 * common case of a leaf that holds one feature, or features apart.
 */
static void scope_apart(rl_ctx *ctx, scope *s)
{
    s->apart = s->n <= 1 || rl_disjoint_fast(ctx, s->g, s->n);
}

/* Below this many pieces a union costs too little to try a coverage union first. */
#define RL_COVERAGE_MIN 8

/*
 * The union of a scope.  Pieces that tile the ground (a land survey's
 * parcels: shared edges with the same vertices, no overlap) are merged by
 * GEOS's coverage union, which only drops the shared edges; it is taken
 * when it is valid and keeps the pieces' total area (an overlap would leave
 * an invalid result, or less area after a real union).  Otherwise, and for
 * pieces on the grid, the floating overlay, which almost always succeeds.
 */
static GEOSGeometry *scope_union(rl_ctx *ctx, const engine *E, scope *s)
{
    GEOSContextHandle_t h = ctx->geos;
    if (s->apart)
        return rl_multipolygon_of(ctx, s->g, s->n);
    if (s->n >= RL_COVERAGE_MIN) {
        double sum = 0, a = -1;
        int ok = 1;
        for (size_t i = 0; i < s->n && ok; i++) {
            double ai;
            ok = rl_geom_area(ctx, s->g[i], E->crs, E->m, &ai) == RL_OK;
            sum += ai;
        }
        if (ok) {
            s->sum = sum, s->has_sum = 1;
            GEOSGeometry *all = rl_multipolygon_of(ctx, s->g, s->n);
            GEOSGeometry *u = all ? GEOSCoverageUnion_r(h, all) : NULL;
            GEOSGeom_destroy_r(h, all);
            if (u && rl_is_valid(ctx, u) == 1 &&
                rl_geom_area(ctx, u, E->crs, E->m, &a) == RL_OK &&
                fabs(a - sum) <= 1e-9 * sum)
                return u;
            GEOSGeom_destroy_r(h, u);
            rl_ctx_clear(ctx); /* a failed try is not the run's error */
        }
    }
    return rl_union_all(ctx, s->g, s->n, E->grid);
}

/*
 * Self-overlap of one scope whose union has area `uni`.  Pieces whose areas
 * add up to their union's share no area, whatever their shared edges: the
 * common case of a survey layer's parcels, which all touch, and a test that
 * costs their areas instead of an overlay per touching pair.  Differences
 * under 1e-9 of the area are the round-off of the union (~1e-12), not an
 * overlap.
 */
static rl_status scope_self(rl_ctx *ctx, const engine *E, const scope *s, double uni,
                            double *a)
{
    *a = 0;
    if (s->apart)
        return RL_OK;
    double sum = s->sum;
    for (size_t i = 0; !s->has_sum && i < s->n; i++) {
        double ai;
        rl_status st = rl_geom_area(ctx, s->g[i], E->crs, E->m, &ai);
        if (st)
            return st;
        sum += ai;
    }
    if (sum - uni <= 1e-9 * sum)
        return RL_OK;
    return rl_self_overlap(ctx, s->g, s->n, E->crs, E->m, E->grid, a);
}

/*
 * Whether b is a copy of a: the same rings in the same order with the same
 * vertex counts, every vertex within tol.  Rounding to the grid can put a
 * vertex that reprojection moved by 1e-9 m on the neighbouring grid point,
 * so tol is a grid step and a half.
 */
static int same_ring(GEOSContextHandle_t h, const GEOSGeometry *a,
                     const GEOSGeometry *b, double tol)
{
    const GEOSCoordSequence *sa = GEOSGeom_getCoordSeq_r(h, a);
    const GEOSCoordSequence *sb = GEOSGeom_getCoordSeq_r(h, b);
    unsigned int na, nb;
    if (!sa || !sb || !GEOSCoordSeq_getSize_r(h, sa, &na) ||
        !GEOSCoordSeq_getSize_r(h, sb, &nb) || na != nb)
        return 0;
    for (unsigned int i = 0; i < na; i++) {
        double ax, ay, bx, by;
        if (!GEOSCoordSeq_getXY_r(h, sa, i, &ax, &ay) ||
            !GEOSCoordSeq_getXY_r(h, sb, i, &bx, &by) || fabs(ax - bx) > tol ||
            fabs(ay - by) > tol)
            return 0;
    }
    return 1;
}

static int same_shape(GEOSContextHandle_t h, const GEOSGeometry *a,
                      const GEOSGeometry *b, double tol)
{
    int t = GEOSGeomTypeId_r(h, a);
    if (t != GEOSGeomTypeId_r(h, b))
        return 0;
    if (t == GEOS_POLYGON) {
        int nh = GEOSGetNumInteriorRings_r(h, a);
        if (nh < 0 || nh != GEOSGetNumInteriorRings_r(h, b) ||
            !same_ring(h, GEOSGetExteriorRing_r(h, a), GEOSGetExteriorRing_r(h, b), tol))
            return 0;
        for (int k = 0; k < nh; k++)
            if (!same_ring(h, GEOSGetInteriorRingN_r(h, a, k),
                           GEOSGetInteriorRingN_r(h, b, k), tol))
                return 0;
        return 1;
    }
    if (t != GEOS_MULTIPOLYGON && t != GEOS_GEOMETRYCOLLECTION)
        return 0;
    int ng = GEOSGetNumGeometries_r(h, a);
    if (ng < 0 || ng != GEOSGetNumGeometries_r(h, b))
        return 0;
    for (int k = 0; k < ng; k++)
        if (!same_shape(h, GEOSGetGeometryN_r(h, a, k), GEOSGetGeometryN_r(h, b, k), tol))
            return 0;
    return 1;
}

/*
 * Whether one scope holds the same pieces, in the same order, in both
 * versions: most of a revised red line is unchanged, and for those leaves
 * lost = gained = 0 and new = old need no overlay.
 */
static int scope_unchanged(GEOSContextHandle_t h, const scope *o, const scope *n,
                           double tol)
{
    if (o->n != n->n)
        return 0;
    for (size_t i = 0; i < o->n; i++)
        if (!same_shape(h, o->g[i], n->g[i], tol))
            return 0;
    return 1;
}

/* Figures of one scope inside one leaf; lost/gained kept for --pieces. */
static rl_status leaf_scope(rl_ctx *ctx, const engine *E, cell_result *R,
                            const itemlist *o, const itemlist *n, size_t group,
                            int any_group, rl_tile_fig *f, size_t slot)
{
    GEOSContextHandle_t h = ctx->geos;
    rl_status st = RL_OK;
    scope so = {0}, sn = {0};
    GEOSGeometry *ou = NULL, *nu = NULL, *lost = NULL, *gained = NULL;
    double a, ao, an, ab;
    if (!scope_select(o, group, any_group, &so) || !scope_select(n, group, any_group, &sn)) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto done;
    }
    int same = scope_unchanged(h, &so, &sn, 1.5 * E->grid);
    R->scopes++;
    R->unchanged += same;
    scope_apart(ctx, &so);
    ou = scope_union(ctx, E, &so);
    if (!same) {
        scope_apart(ctx, &sn);
        nu = scope_union(ctx, E, &sn);
    }
    if (!ou || (!same && !nu)) {
        st = rl_fail(ctx, RL_ERR_GEOM, "union failed: %s", ctx->geos_msg);
        goto done;
    }
    if (same) {
        if ((st = rl_geom_area(ctx, ou, E->crs, E->m, &ao)))
            goto done;
        an = ab = ao;
    } else {
        /*
         * old = lost ⊔ (old ∩ new) and new = gained ⊔ (old ∩ new): one
         * overlay gives both figures; the differences are built only for
         * --pieces.
         */
        GEOSGeometry *both = rl_overlay2(ctx, ou, nu, E->grid, 0);
        if (!both) {
            st = rl_fail(ctx, RL_ERR_GEOM, "intersection failed: %s", ctx->geos_msg);
            goto done;
        }
        st = rl_geom_area(ctx, ou, E->crs, E->m, &ao);
        if (!st)
            st = rl_geom_area(ctx, nu, E->crs, E->m, &an);
        if (!st)
            st = rl_geom_area(ctx, both, E->crs, E->m, &ab);
        GEOSGeom_destroy_r(h, both);
        if (st)
            goto done;
    }
    f->old_m2 += ao;
    f->new_m2 += an;
    /* Round-off can leave -1e-9 where nothing changed. */
    f->lost_m2 += ao - ab > 0 ? ao - ab : 0;
    f->gained_m2 += an - ab > 0 ? an - ab : 0;
    if (any_group || E->group_self) {
        if ((st = scope_self(ctx, E, &so, ao, &a)))
            goto done;
        f->old_self_m2 += a;
        if (!same && (st = scope_self(ctx, E, &sn, an, &a)))
            goto done;
        f->new_self_m2 += a;
    }
    if (E->want_pieces && !same) {
        lost = rl_overlay2(ctx, ou, nu, E->grid, 1);
        gained = rl_overlay2(ctx, nu, ou, E->grid, 1);
        if (!lost || !gained) {
            st = rl_fail(ctx, RL_ERR_GEOM, "difference failed: %s", ctx->geos_msg);
            goto done;
        }
        if (GEOSisEmpty_r(h, lost) != 1) {
            if (!add_piece(&R->pieces[0][slot], lost))
                st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            lost = NULL;
        }
        if (GEOSisEmpty_r(h, gained) != 1) {
            if (!add_piece(&R->pieces[1][slot], gained))
                st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            gained = NULL;
        }
    }
done:
    free(so.g);
    free(sn.g);
    GEOSGeom_destroy_r(h, ou);
    GEOSGeom_destroy_r(h, nu);
    GEOSGeom_destroy_r(h, lost);
    GEOSGeom_destroy_r(h, gained);
    return st;
}

/* ---- transitions (diff --by) ---- */

static int te_add(cell_result *R, size_t from, size_t to, double a)
{
    if (!(a > 0))
        return 1;
    if (R->nte == R->cte) {
        size_t cap = R->cte ? R->cte * 2 : 64;
        tentry *v = realloc(R->te, cap * sizeof *v);
        if (!v)
            return 0;
        R->te = v, R->cte = cap;
    }
    R->te[R->nte++] = (tentry){from, to, a};
    return 1;
}

/* Takes g over (destroyed on failure or when empty). */
static int tp_add(GEOSContextHandle_t h, cell_result *R, size_t from, size_t to,
                  GEOSGeometry *g)
{
    if (!g || GEOSisEmpty_r(h, g) == 1) {
        GEOSGeom_destroy_r(h, g);
        return 1;
    }
    if (R->ntp == R->ctp) {
        size_t cap = R->ctp ? R->ctp * 2 : 16;
        tpiece *v = realloc(R->tp, cap * sizeof *v);
        if (!v) {
            GEOSGeom_destroy_r(h, g);
            return 0;
        }
        R->tp = v, R->ctp = cap;
    }
    R->tp[R->ntp++] = (tpiece){from, to, g};
    return 1;
}

/* Match key of an item: vertex count and its envelope's corner, in cells of 4 grid steps. */
typedef struct mkey {
    size_t i;
    int n;
    long long kx, ky;
} mkey;

static int cmp_mkey(const void *a, const void *b)
{
    const mkey *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    if (x->kx != y->kx)
        return x->kx < y->kx ? -1 : 1;
    if (x->ky != y->ky)
        return x->ky < y->ky ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static mkey *mkeys(GEOSContextHandle_t h, const itemlist *L, double grid)
{
    mkey *k = malloc((L->n + 1) * sizeof *k);
    if (!k)
        return NULL;
    for (size_t i = 0; i < L->n; i++) {
        double x0 = 0, y0 = 0, x1, y1;
        GEOSGeom_getExtent_r(h, L->v[i].g, &x0, &y0, &x1, &y1);
        k[i] = (mkey){i, GEOSGetNumCoordinates_r(h, L->v[i].g), llround(x0 / (4 * grid)),
                      llround(y0 / (4 * grid))};
    }
    qsort(k, L->n, sizeof *k, cmp_mkey);
    return k;
}

/*
 * One version's partition in this leaf, per group: the union of the items
 * of that group not yet paired (used[i] == 0).  Where items of different
 * groups overlap (`overlap`), the area goes to the group first in key order,
 * so an overlap that both versions hold keeps its value whatever the order
 * of the features.  part[g] NULL: nothing of group g.
 */
static rl_status partition(rl_ctx *ctx, const engine *E, const itemlist *L,
                           const unsigned char *used, int overlap, GEOSGeometry **part)
{
    GEOSContextHandle_t h = ctx->geos;
    rl_status st = RL_OK;
    const GEOSGeometry **sel = malloc((L->n + 1) * sizeof *sel);
    GEOSGeometry *covered = NULL;
    if (!sel)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    for (size_t g = 0; g < E->ngroups; g++) {
        size_t n = 0;
        for (size_t i = 0; i < L->n; i++)
            if (L->v[i].group == g && !used[i])
                sel[n++] = L->v[i].g;
        if (!n)
            continue;
        scope s = {sel, n, 0, 0, 0};
        scope_apart(ctx, &s);
        GEOSGeometry *u = scope_union(ctx, E, &s);
        if (!u) {
            st = rl_fail(ctx, RL_ERR_GEOM, "union failed: %s", ctx->geos_msg);
            goto done;
        }
        if (!overlap) {
            part[g] = u;
            continue;
        }
        part[g] = covered ? rl_overlay2(ctx, u, covered, E->grid, 1) : GEOSGeom_clone_r(h, u);
        const GEOSGeometry *two[2] = {covered, u};
        GEOSGeometry *c = covered ? rl_union_all(ctx, two, 2, E->grid) : u;
        if (c != u)
            GEOSGeom_destroy_r(h, u);
        GEOSGeom_destroy_r(h, covered);
        covered = c;
        if (!part[g] || !covered) {
            st = rl_fail(ctx, RL_ERR_GEOM, "partition of overlapping features failed: %s",
                         ctx->geos_msg);
            goto done;
        }
        if (GEOSisEmpty_r(h, part[g]) == 1) {
            GEOSGeom_destroy_r(h, part[g]);
            part[g] = NULL;
        }
    }
done:
    free(sel);
    GEOSGeom_destroy_r(h, covered);
    return st;
}

/*
 * The transition cells of one leaf.  Without overlaps inside a version,
 * items of the same shape in both pair up (their area goes to their two
 * groups, no overlay: most of a land survey is unchanged year to year), and
 * only the rest is overlaid, group partition against group partition.
 */
static rl_status leaf_transitions(rl_ctx *ctx, const engine *E, cell_result *R,
                                  const itemlist L[2], int overlap)
{
    GEOSContextHandle_t h = ctx->geos;
    const size_t G = E->ngroups;
    const int pieces = E->transitions == RL_TRANS_PIECES;
    rl_status st = RL_OK;
    unsigned char *used[2] = {calloc(L[0].n + 1, 1), calloc(L[1].n + 1, 1)};
    GEOSGeometry **part[2] = {calloc(G + 1, sizeof(GEOSGeometry *)),
                              calloc(G + 1, sizeof(GEOSGeometry *))};
    double *area[2] = {calloc(G + 1, sizeof(double)), calloc(G + 1, sizeof(double))};
    double *sum[2] = {calloc(G + 1, sizeof(double)), calloc(G + 1, sizeof(double))};
    double (*env)[4] = calloc(2 * (G + 1), sizeof *env);
    mkey *k[2] = {NULL, NULL};
    GEOSGeometry *all[2] = {NULL, NULL};
    for (int v = 0; v < 2; v++)
        if (!used[v] || !part[v] || !area[v] || !sum[v])
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    if (st || !env) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (!overlap && L[0].n && L[1].n) {
        if (!(k[0] = mkeys(h, &L[0], E->grid)) || !(k[1] = mkeys(h, &L[1], E->grid))) {
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (size_t a = 0, b = 0; a < L[0].n && b < L[1].n;) {
            int c = cmp_mkey(&(mkey){0, k[0][a].n, k[0][a].kx, k[0][a].ky},
                             &(mkey){0, k[1][b].n, k[1][b].kx, k[1][b].ky});
            if (c) {
                c < 0 ? a++ : b++;
                continue;
            }
            /* A run of equal keys: pair each old item with the first equal new one. */
            size_t b1 = b;
            while (b1 < L[1].n && !cmp_mkey(&(mkey){0, k[1][b1].n, k[1][b1].kx, k[1][b1].ky},
                                            &(mkey){0, k[1][b].n, k[1][b].kx, k[1][b].ky}))
                b1++;
            size_t i = k[0][a].i;
            for (size_t t = b; t < b1; t++) {
                size_t j = k[1][t].i;
                if (used[1][j] || !same_shape(h, L[0].v[i].g, L[1].v[j].g, 1.5 * E->grid))
                    continue;
                double ar;
                if ((st = rl_geom_area(ctx, L[0].v[i].g, E->crs, E->m, &ar)))
                    goto done;
                size_t go = L[0].v[i].group, gn = L[1].v[j].group;
                if (!te_add(R, go, gn, ar) ||
                    (pieces && go != gn &&
                     !tp_add(h, R, go, gn, GEOSGeom_clone_r(h, L[0].v[i].g)))) {
                    st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
                    goto done;
                }
                used[0][i] = used[1][j] = 1;
                break;
            }
            a++;
        }
    }
    for (int v = 0; v < 2; v++) {
        if ((st = partition(ctx, E, &L[v], used[v], overlap, part[v])))
            goto done;
        for (size_t g = 0; g < G; g++)
            if (part[v][g]) {
                double *e = env[v * (G + 1) + g];
                if ((st = rl_geom_area(ctx, part[v][g], E->crs, E->m, &area[v][g])))
                    goto done;
                if (!GEOSGeom_getExtent_r(h, part[v][g], &e[0], &e[1], &e[2], &e[3]))
                    e[0] = e[1] = INFINITY, e[2] = e[3] = -INFINITY;
            }
    }
    for (size_t a = 0; a < G; a++)
        for (size_t b = 0; part[0][a] && b < G; b++) {
            if (!part[1][b] || !rl_env_meet(env[a], env[G + 1 + b]))
                continue;
            GEOSGeometry *both = rl_overlay2(ctx, part[0][a], part[1][b], E->grid, 0);
            double ar = 0;
            if (!both) {
                st = rl_fail(ctx, RL_ERR_GEOM, "intersection failed: %s", ctx->geos_msg);
                goto done;
            }
            if ((st = rl_geom_area(ctx, both, E->crs, E->m, &ar))) {
                GEOSGeom_destroy_r(h, both);
                goto done;
            }
            sum[0][a] += ar, sum[1][b] += ar;
            int ok = te_add(R, a, b, ar);
            if (pieces && a != b)
                ok = tp_add(h, R, a, b, both) && ok;
            else
                GEOSGeom_destroy_r(h, both);
            if (!ok) {
                st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
                goto done;
            }
        }
    /* What no group of the other version covers: only in OLD (to none), only in NEW. */
    for (int v = 0; v < 2; v++) {
        for (size_t g = 0; g < G; g++) {
            if (!part[v][g])
                continue;
            double rest = area[v][g] - sum[v][g];
            /* Round-off of the overlays is about 1e-9 of the area, not a change. */
            if (!(rest > 1e-9 * area[v][g]))
                continue;
            if (!te_add(R, v ? G : g, v ? g : G, rest)) {
                st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
                goto done;
            }
            if (!pieces)
                continue;
            if (!all[!v]) {
                size_t n = 0;
                const GEOSGeometry **sel = malloc((G + 1) * sizeof *sel);
                if (!sel) {
                    st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
                    goto done;
                }
                /* The other version's partition as one geometry. */
                for (size_t q = 0; q < G; q++)
                    if (part[!v][q])
                        sel[n++] = part[!v][q];
                all[!v] = n ? rl_union_all(ctx, sel, n, E->grid)
                            : GEOSGeom_createEmptyPolygon_r(h);
                free(sel);
                if (!all[!v]) {
                    st = rl_fail(ctx, RL_ERR_GEOM, "union failed: %s", ctx->geos_msg);
                    goto done;
                }
            }
            GEOSGeometry *only = rl_overlay2(ctx, part[v][g], all[!v], E->grid, 1);
            if (!only) {
                st = rl_fail(ctx, RL_ERR_GEOM, "difference failed: %s", ctx->geos_msg);
                goto done;
            }
            if (!tp_add(h, R, v ? G : g, v ? g : G, only)) {
                st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
                goto done;
            }
        }
    }
done:
    for (int v = 0; v < 2; v++) {
        for (size_t g = 0; part[v] && g < G; g++)
            GEOSGeom_destroy_r(h, part[v][g]);
        free(part[v]);
        free(used[v]);
        free(area[v]);
        free(sum[v]);
        free(k[v]);
        GEOSGeom_destroy_r(h, all[v]);
    }
    free(env);
    return st;
}

static rl_status leaf(rl_ctx *ctx, const engine *E, cell_result *R,
                      const itemlist L[2])
{
    rl_status st;
    if (L[0].n == 0 && L[1].n == 0)
        return RL_OK;
    double self0 = R->total.old_self_m2, self1 = R->total.new_self_m2;
    if ((st = leaf_scope(ctx, E, R, &L[0], &L[1], 0, 1, &R->total, E->ngroups)))
        return st;
    /* The total scope measured each version's overlap inside this leaf. */
    const int overlap = R->total.old_self_m2 > self0 || R->total.new_self_m2 > self1;
    const size_t te0 = R->nte;
    if (E->transitions && E->ngroups && (st = leaf_transitions(ctx, E, R, L, overlap)))
        return st;
    if (E->transitions && E->ngroups && !overlap && !E->want_pieces && !E->group_self) {
        /*
         * Without overlaps a group's union is its partition, so the group
         * figures are the matrix's rows and columns: no overlay per group.
         */
        for (size_t i = te0; i < R->nte; i++) {
            const tentry *t = &R->te[i];
            if (t->from < E->ngroups) {
                R->groups[t->from].old_m2 += t->a;
                if (t->from != t->to)
                    R->groups[t->from].lost_m2 += t->a;
            }
            if (t->to < E->ngroups) {
                R->groups[t->to].new_m2 += t->a;
                if (t->from != t->to)
                    R->groups[t->to].gained_m2 += t->a;
            }
        }
        return RL_OK;
    }
    for (size_t g = 0; g < E->ngroups; g++) {
        int present = 0;
        for (int v = 0; v < 2 && !present; v++)
            for (size_t i = 0; i < L[v].n && !present; i++)
                present = L[v].v[i].group == g;
        if (present &&
            (st = leaf_scope(ctx, E, R, &L[0], &L[1], g, 0, &R->groups[g], g)))
            return st;
    }
    return RL_OK;
}

/*
 * Cuts lie on the grid.  A cut off the grid moves by up to half a step where
 * its vertices are rounded (the root cells' pieces) or snap-rounded (a
 * leaf's fallback overlay), and not elsewhere, which leaves a strip of that
 * width counted twice or not at all along the cut (seen: 3.5e-3 m2 in 2 km2).
 * Unsnapped only in rectangles narrower than a grid step.
 */
static double on_grid(double v, double lo, double hi, double grid)
{
    double s = nearbyint(v / grid) * grid;
    return s > lo && s < hi ? s : v;
}

static rl_status process(rl_ctx *ctx, const engine *E, cell_result *R,
                         const double r[4], itemlist L[2], int depth)
{
    if (L[0].vertices + L[1].vertices <= E->max_vertices ||
        depth >= RL_TILE_MAX_DEPTH)
        return leaf(ctx, E, R, L);
    double mx = on_grid((r[0] + r[2]) / 2, r[0], r[2], E->grid);
    double my = on_grid((r[1] + r[3]) / 2, r[1], r[3], E->grid);
    const double q[4][4] = {{r[0], r[1], mx, my}, {mx, r[1], r[2], my},
                            {r[0], my, mx, r[3]}, {mx, my, r[2], r[3]}};
    for (int k = 0; k < 4; k++) {
        itemlist sub[2] = {{0}, {0}};
        rl_status st = RL_OK;
        for (int v = 0; v < 2 && !st; v++) {
            for (size_t i = 0; i < L[v].n; i++) {
                int owned = 0, fail = 0;
                GEOSGeometry *c = clip(ctx, L[v].v[i].g, q[k], &owned, &fail);
                if (fail) {
                    st = rl_fail(ctx, RL_ERR_GEOM, "clipping failed: %s", ctx->geos_msg);
                    break;
                }
                if (c && !push(&sub[v], ctx->geos, c, owned, L[v].v[i].group)) {
                    st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
                    break;
                }
            }
        }
        if (!st)
            st = process(ctx, E, R, q[k], sub, depth + 1);
        list_free(ctx->geos, &sub[0]);
        list_free(ctx->geos, &sub[1]);
        if (st)
            return st;
    }
    return RL_OK;
}

static int round_xy(double *x, double *y, void *userdata)
{
    double g = *(const double *)userdata;
    *x = nearbyint(*x / g) * g;
    *y = nearbyint(*y / g) * g;
    return 1;
}

/* A copy of g on the grid; repaired if rounding collapsed a sliver. */
static GEOSGeometry *round_to_grid(rl_ctx *ctx, const GEOSGeometry *g, double grid)
{
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry *r = GEOSGeom_transformXY_r(h, g, round_xy, &grid);
    if (!r)
        return NULL;
    if (rl_is_valid(ctx, r) == 1)
        return r;
    GEOSGeom_destroy_r(h, r);
    /* Snap-rounding keeps it valid where plain rounding did not. */
    GEOSGeometry *s = GEOSGeom_setPrecision_r(h, g, grid, 0);
    GEOSGeometry *p = s ? rl_polygonal(ctx, s) : NULL;
    GEOSGeom_destroy_r(h, s);
    return p;
}

/* Cut k of n across [lo, hi]: the ends exactly, the cuts between on the grid. */
static double cut(double lo, double hi, size_t k, size_t n, double grid)
{
    if (k == 0)
        return lo;
    if (k == n)
        return hi;
    return on_grid(lo + (hi - lo) / (double)n * (double)k, lo, hi, grid);
}

static void cell_rect(const engine *E, size_t c, double r[4])
{
    size_t cx = c % E->split, cy = c / E->split;
    r[0] = cut(E->root[0], E->root[2], cx, E->split, E->grid);
    r[1] = cut(E->root[1], E->root[3], cy, E->split, E->grid);
    r[2] = cut(E->root[0], E->root[2], cx + 1, E->split, E->grid);
    r[3] = cut(E->root[1], E->root[3], cy + 1, E->split, E->grid);
}

static rl_status run_cell(rl_ctx *ctx, engine *E, size_t c)
{
    cell_result *R = &E->cells[c];
    double r[4];
    cell_rect(E, c, r);
    itemlist L[2] = {{0}, {0}};
    rl_status st = RL_OK;
    for (int v = 0; v < 2 && !st; v++) {
        const rl_tile_in *in = E->in[v];
        for (size_t i = 0; i < in->n; i++) {
            if (!in->g[i])
                continue;
            int owned = 0, fail = 0;
            GEOSGeometry *cg = clip(ctx, (GEOSGeometry *)in->g[i], r, &owned, &fail);
            if (cg) {
                /* On the grid, edges shared up to reprojection noise coincide. */
                GEOSGeometry *rg = round_to_grid(ctx, cg, E->grid);
                if (owned)
                    GEOSGeom_destroy_r(ctx->geos, cg);
                cg = rg;
                owned = 1;
                if (!cg) {
                    st = rl_fail(ctx, RL_ERR_GEOM, "rounding failed: %s", ctx->geos_msg);
                    break;
                }
            }
            if (fail) {
                st = rl_fail(ctx, RL_ERR_GEOM, "clipping failed: %s", ctx->geos_msg);
                break;
            }
            if (cg && !push(&L[v], ctx->geos, cg, owned, in->group ? in->group[i] : 0)) {
                st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
                break;
            }
        }
    }
    if (!st)
        st = process(ctx, E, R, r, L, 0);
    list_free(ctx->geos, &L[0]);
    list_free(ctx->geos, &L[1]);
    return st;
}

/*
 * One cell finished: tell the progress callback, from this worker, when no
 * other worker is telling it and a fifth of a second has passed (the first
 * and the last always, unless another worker holds the turn).  Only the
 * counters are shared; the cells' results are not touched.
 */
static void progress(engine *E)
{
    size_t done = __atomic_add_fetch(&E->done, 1, __ATOMIC_RELAXED);
    if (!E->progress)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    long long last = __atomic_load_n(&E->last_ms, __ATOMIC_RELAXED);
    if (done != E->ntasks && last && ms - last < 200)
        return;
    if (__atomic_test_and_set(&E->reporting, __ATOMIC_ACQUIRE))
        return;
    __atomic_store_n(&E->last_ms, ms ? ms : 1, __ATOMIC_RELAXED);
    E->progress(E->progress_data, done, E->ntasks, "cells");
    __atomic_clear(&E->reporting, __ATOMIC_RELEASE);
}

/* A task of the pool: root cell c.  Writes cell c's result only. */
static rl_status task_cell(rl_ctx *ctx, void *job, size_t c, int w)
{
    (void)w;
    const engine *E = job;
    rl_status st = run_cell(ctx, job, E->mine ? E->mine[c] : c);
    if (!st)
        progress(job);
    return st;
}

static void fig_add(rl_tile_fig *a, const rl_tile_fig *b)
{
    a->old_m2 += b->old_m2;
    a->new_m2 += b->new_m2;
    a->lost_m2 += b->lost_m2;
    a->gained_m2 += b->gained_m2;
    a->old_self_m2 += b->old_self_m2;
    a->new_self_m2 += b->new_self_m2;
}

static int extent_of(rl_ctx *ctx, const rl_tile_in *in, double r[4], int any)
{
    for (size_t i = 0; i < in->n; i++) {
        double x0, y0, x1, y1;
        if (!in->g[i] || !GEOSGeom_getExtent_r(ctx->geos, in->g[i], &x0, &y0, &x1, &y1))
            continue;
        if (!any) {
            r[0] = x0, r[1] = y0, r[2] = x1, r[3] = y1;
            any = 1;
            continue;
        }
        r[0] = x0 < r[0] ? x0 : r[0];
        r[1] = y0 < r[1] ? y0 : r[1];
        r[2] = x1 > r[2] ? x1 : r[2];
        r[3] = y1 > r[3] ? y1 : r[3];
    }
    return any;
}

static void free_cells(rl_ctx *ctx, engine *E)
{
    if (!E->cells)
        return;
    for (size_t c = 0; c < E->ncells; c++) {
        cell_result *R = &E->cells[c];
        free(R->groups);
        free(R->te);
        for (size_t i = 0; i < R->ntp; i++)
            GEOSGeom_destroy_r(ctx->geos, R->tp[i].g);
        free(R->tp);
        for (int v = 0; v < 2; v++) {
            for (size_t k = 0; R->pieces[v] && k <= E->ngroups; k++) {
                for (size_t i = 0; i < R->pieces[v][k].n; i++)
                    GEOSGeom_destroy_r(ctx->geos, R->pieces[v][k].v[i]);
                free(R->pieces[v][k].v);
            }
            free(R->pieces[v]);
        }
    }
    free(E->cells);
}

/* Merge the pieces of slot k over all cells into one geometry. */
static GEOSGeometry *merge_pieces(rl_ctx *ctx, engine *E, int gained, size_t k)
{
    size_t total = 0;
    for (size_t c = 0; c < E->ncells; c++)
        total += E->cells[c].pieces[gained][k].n;
    const GEOSGeometry **all = malloc((total ? total : 1) * sizeof *all);
    if (!all)
        return NULL;
    size_t n = 0;
    for (size_t c = 0; c < E->ncells; c++) {
        const piecelist *P = &E->cells[c].pieces[gained][k];
        for (size_t i = 0; i < P->n; i++)
            all[n++] = P->v[i];
    }
    GEOSGeometry *u = rl_union_all(ctx, all, n, E->grid);
    free(all);
    return u;
}

typedef struct tref {
    size_t from, to, seq;
    const void *p;
} tref;

static int cmp_tref(const void *a, const void *b)
{
    const tref *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * The cells' transition areas summed per (from, to), in cell and leaf order
 * (the same bits for any --jobs), and their changed pieces merged by union.
 */
static rl_status merge_transitions(rl_ctx *ctx, engine *E, rl_tile_out *out)
{
    rl_status st = RL_OK;
    size_t n = 0, np = 0;
    for (size_t c = 0; c < E->ncells; c++)
        n += E->cells[c].nte, np += E->cells[c].ntp;
    tref *r = malloc((n + 1) * sizeof *r), *rp = malloc((np + 1) * sizeof *rp);
    const GEOSGeometry **gs = malloc((np + 1) * sizeof *gs);
    out->trans = calloc(n + 1, sizeof *out->trans);
    if (!r || !rp || !gs || !out->trans) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto done;
    }
    n = np = 0;
    for (size_t c = 0; c < E->ncells; c++) {
        const cell_result *R = &E->cells[c];
        for (size_t i = 0; i < R->nte; i++, n++)
            r[n] = (tref){R->te[i].from, R->te[i].to, n, &R->te[i]};
        for (size_t i = 0; i < R->ntp; i++, np++)
            rp[np] = (tref){R->tp[i].from, R->tp[i].to, np, &R->tp[i]};
    }
    qsort(r, n, sizeof *r, cmp_tref);
    qsort(rp, np, sizeof *rp, cmp_tref);
    size_t q = 0;
    for (size_t a = 0, b; a < n; a = b) {
        rl_transition *t = &out->trans[out->ntrans++];
        t->from = r[a].from, t->to = r[a].to;
        for (b = a; b < n && r[b].from == r[a].from && r[b].to == r[a].to; b++)
            t->area_m2 += ((const tentry *)r[b].p)->a;
        while (q < np && cmp_tref(&(tref){rp[q].from, rp[q].to, 0, NULL},
                                  &(tref){t->from, t->to, 0, NULL}) < 0)
            q++;
        size_t ng = 0;
        for (; q < np && rp[q].from == t->from && rp[q].to == t->to; q++)
            gs[ng++] = ((const tpiece *)rp[q].p)->g;
        if (ng && !(t->g = rl_union_all(ctx, gs, ng, E->grid))) {
            st = rl_fail(ctx, RL_ERR_GEOM, "merging changed pieces failed: %s", ctx->geos_msg);
            goto done;
        }
    }
done:
    free(r);
    free(rp);
    free(gs);
    return st;
}


/* ---- sharded runs (docs/scale-out.md) ---- */

/*
 * The cells of shard `index` of `count`: the cells in cell order, weighed
 * by the vertices of the inputs whose envelope meets them, cut into `count`
 * contiguous runs of about equal weight (a cell goes to the shard in whose
 * share its weight's midpoint falls).  Every shard computes the same
 * weights from the same inputs, so the runs cover every cell exactly once.
 * NULL when out of memory; *n set.
 */
static size_t *shard_cells(rl_ctx *ctx, const engine *E, int index, int count, size_t *n)
{
    double *w = calloc(E->ncells, sizeof *w);
    size_t *mine = malloc((E->ncells + 1) * sizeof *mine);
    *n = 0;
    if (!w || !mine) {
        free(w);
        free(mine);
        return NULL;
    }
    double sx = (E->root[2] - E->root[0]) / (double)E->split;
    double sy = (E->root[3] - E->root[1]) / (double)E->split;
    double total = 0;
    for (int v = 0; v < 2; v++)
        for (size_t i = 0; i < E->in[v]->n; i++) {
            double x0, y0, x1, y1;
            const GEOSGeometry *g = E->in[v]->g[i];
            if (!g || !GEOSGeom_getExtent_r(ctx->geos, g, &x0, &y0, &x1, &y1))
                continue;
            double k = (double)GEOSGetNumCoordinates_r(ctx->geos, g);
            size_t c0 = (size_t)fmax(0, fmin((double)E->split - 1, floor((x0 - E->root[0]) / sx)));
            size_t c1 = (size_t)fmax(0, fmin((double)E->split - 1, floor((x1 - E->root[0]) / sx)));
            size_t r0 = (size_t)fmax(0, fmin((double)E->split - 1, floor((y0 - E->root[1]) / sy)));
            size_t r1 = (size_t)fmax(0, fmin((double)E->split - 1, floor((y1 - E->root[1]) / sy)));
            for (size_t r = r0; r <= r1; r++)
                for (size_t c = c0; c <= c1; c++)
                    w[r * E->split + c] += k;
            total += k * (double)((r1 - r0 + 1) * (c1 - c0 + 1));
        }
    double before = 0;
    for (size_t c = 0; c < E->ncells; c++) {
        if (rl_shard_of(before, w[c], total, c, E->ncells, count) == index)
            mine[(*n)++] = c;
        before += w[c];
    }
    free(w);
    return mine;
}

static void fig_json(rl_buf *b, const rl_tile_fig *f)
{
    const double v[6] = {f->old_m2, f->new_m2, f->lost_m2, f->gained_m2, f->old_self_m2,
                         f->new_self_m2};
    for (int k = 0; k < 6; k++) {
        rl_buf_puts(b, k ? ", " : "[");
        rl_buf_hexnum(b, v[k]);
    }
    rl_buf_puts(b, "]");
}

static int fig_read(rl_jv a, rl_tile_fig *f)
{
    double v[6];
    if (rl_jv_len(a) != 6)
        return 0;
    for (size_t k = 0; k < 6; k++)
        if (!rl_jv_num(rl_jv_at(a, k), &v[k]))
            return 0;
    *f = (rl_tile_fig){v[0], v[1], v[2], v[3], v[4], v[5]};
    return 1;
}

/* g as hex WKB, with Z when it has one: read back, the same coordinates bit for bit. */
static int wkb_json(rl_ctx *ctx, GEOSWKBWriter *w, rl_buf *b, const GEOSGeometry *g)
{
    size_t n = 0;
    unsigned char *hex = GEOSWKBWriter_writeHEX_r(ctx->geos, w, g, &n);
    if (!hex)
        return 0;
    rl_buf_puts(b, "\"");
    rl_buf_putn(b, (const char *)hex, n);
    rl_buf_puts(b, "\"");
    GEOSFree_r(ctx->geos, hex);
    return 1;
}

static GEOSGeometry *wkb_read(rl_ctx *ctx, GEOSWKBReader *r, rl_jv v)
{
    const char *s = rl_jv_str(v);
    return s ? GEOSWKBReader_readHEX_r(ctx->geos, r, (const unsigned char *)s, strlen(s))
             : NULL;
}

/* Cell c's result as one JSON object: every figure exact, pieces as WKB. */
static rl_status cell_json(rl_ctx *ctx, const engine *E, GEOSWKBWriter *w, size_t c, rl_buf *b)
{
    const cell_result *R = &E->cells[c];
    rl_buf_printf(b, "{\"c\": %zu, \"t\": ", c);
    fig_json(b, &R->total);
    rl_buf_printf(b, ", \"s\": %zu, \"u\": %zu, \"g\": [", R->scopes, R->unchanged);
    for (size_t g = 0; g < E->ngroups; g++) {
        rl_buf_puts(b, g ? ", " : "");
        fig_json(b, &R->groups[g]);
    }
    rl_buf_puts(b, "], \"te\": [");
    for (size_t i = 0; i < R->nte; i++) {
        rl_buf_printf(b, "%s[%zu, %zu, ", i ? ", " : "", R->te[i].from, R->te[i].to);
        rl_buf_hexnum(b, R->te[i].a);
        rl_buf_puts(b, "]");
    }
    rl_buf_puts(b, "], \"tp\": [");
    for (size_t i = 0; i < R->ntp; i++) {
        rl_buf_printf(b, "%s[%zu, %zu, ", i ? ", " : "", R->tp[i].from, R->tp[i].to);
        if (!wkb_json(ctx, w, b, R->tp[i].g))
            return rl_fail(ctx, RL_ERR_GEOM, "writing a piece failed: %s", ctx->geos_msg);
        rl_buf_puts(b, "]");
    }
    rl_buf_puts(b, "]");
    for (int v = 0; v < 2 && E->want_pieces; v++) {
        rl_buf_puts(b, v ? ", \"gained\": [" : ", \"lost\": [");
        for (size_t k = 0; k <= E->ngroups; k++) {
            const piecelist *P = &R->pieces[v][k];
            rl_buf_puts(b, k ? ", [" : "[");
            for (size_t i = 0; i < P->n; i++) {
                rl_buf_puts(b, i ? ", " : "");
                if (!wkb_json(ctx, w, b, P->v[i]))
                    return rl_fail(ctx, RL_ERR_GEOM, "writing a piece failed: %s",
                                   ctx->geos_msg);
            }
            rl_buf_puts(b, "]");
        }
        rl_buf_puts(b, "]");
    }
    rl_buf_puts(b, "}");
    return b->oom ? rl_fail(ctx, RL_ERR_NOMEM, "out of memory") : RL_OK;
}

/* The shard's cells, computed, appended to part. */
static rl_status shard_write(rl_ctx *ctx, const engine *E, rl_buf *part)
{
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(ctx->geos);
    if (!w)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    GEOSWKBWriter_setOutputDimension_r(ctx->geos, w, 3);
    rl_status st = RL_OK;
    rl_buf_printf(part, ",\n \"ncells\": %zu,\n \"cells\": [", E->ncells);
    for (size_t i = 0; i < E->ntasks && !st; i++) {
        rl_buf_puts(part, i ? ",\n  " : "\n  ");
        st = cell_json(ctx, E, w, E->mine[i], part);
    }
    rl_buf_puts(part, "]");
    GEOSWKBWriter_destroy_r(ctx->geos, w);
    return st;
}

/* One cell's result from its JSON object; 0 when it is not one. */
static int cell_read(rl_ctx *ctx, const engine *E, GEOSWKBReader *rd, rl_jv o, cell_result *R)
{
    size_t s, u;
    rl_jv g = rl_jv_get(o, "g"), te = rl_jv_get(o, "te"), tp = rl_jv_get(o, "tp");
    if (!fig_read(rl_jv_get(o, "t"), &R->total) || !rl_jv_size(rl_jv_get(o, "s"), &s) ||
        !rl_jv_size(rl_jv_get(o, "u"), &u) || rl_jv_len(g) != E->ngroups)
        return 0;
    R->scopes = s, R->unchanged = u;
    for (size_t k = 0; k < E->ngroups; k++)
        if (!fig_read(rl_jv_at(g, k), &R->groups[k]))
            return 0;
    for (size_t i = 0; i < rl_jv_len(te); i++) {
        rl_jv e = rl_jv_at(te, i);
        size_t from, to;
        double a;
        if (!rl_jv_size(rl_jv_at(e, 0), &from) || !rl_jv_size(rl_jv_at(e, 1), &to) ||
            !rl_jv_num(rl_jv_at(e, 2), &a) || from > E->ngroups || to > E->ngroups ||
            !te_add(R, from, to, a))
            return 0;
    }
    for (size_t i = 0; i < rl_jv_len(tp); i++) {
        rl_jv e = rl_jv_at(tp, i);
        size_t from, to;
        GEOSGeometry *pg;
        if (!rl_jv_size(rl_jv_at(e, 0), &from) || !rl_jv_size(rl_jv_at(e, 1), &to) ||
            from > E->ngroups || to > E->ngroups || !(pg = wkb_read(ctx, rd, rl_jv_at(e, 2))) ||
            !tp_add(ctx->geos, R, from, to, pg))
            return 0;
    }
    for (int v = 0; v < 2 && E->want_pieces; v++) {
        rl_jv P = rl_jv_get(o, v ? "gained" : "lost");
        if (rl_jv_len(P) != E->ngroups + 1)
            return 0;
        for (size_t k = 0; k <= E->ngroups; k++) {
            rl_jv L = rl_jv_at(P, k);
            for (size_t i = 0; i < rl_jv_len(L); i++) {
                GEOSGeometry *pg = wkb_read(ctx, rd, rl_jv_at(L, i));
                if (!pg)
                    return 0;
                if (!add_piece(&R->pieces[v][k], pg)) {
                    GEOSGeom_destroy_r(ctx->geos, pg);
                    return 0;
                }
            }
        }
    }
    return 1;
}

/* Every cell's result read from the parts: each cell once, from one part. */
static rl_status merge_read(rl_ctx *ctx, engine *E, const rl_part *parts, size_t nparts)
{
    rl_status st = RL_OK;
    const rl_part **from = calloc(E->ncells + 1, sizeof *from);
    GEOSWKBReader *rd = GEOSWKBReader_create_r(ctx->geos);
    if (!from || !rd) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t p = 0; p < nparts && !st; p++) {
        size_t nc;
        rl_jv cells = rl_jv_get(parts[p].root, "cells");
        if (!rl_jv_size(rl_jv_get(parts[p].root, "ncells"), &nc) || nc != E->ncells) {
            st = rl_fail(ctx, RL_ERR_USAGE, "%s: its cells do not fit these inputs "
                         "(%zu cells here)", parts[p].path, E->ncells);
            break;
        }
        for (size_t i = 0; i < rl_jv_len(cells); i++) {
            rl_jv o = rl_jv_at(cells, i);
            size_t c;
            if (!rl_jv_size(rl_jv_get(o, "c"), &c) || c >= E->ncells) {
                st = rl_fail(ctx, RL_ERR_USAGE, "%s: cells[%zu] is not a cell", parts[p].path, i);
                break;
            }
            if (from[c]) {
                st = rl_fail(ctx, RL_ERR_USAGE, "cell %zu is in both %s and %s", c,
                             from[c]->path, parts[p].path);
                break;
            }
            from[c] = &parts[p];
            if (!cell_read(ctx, E, rd, o, &E->cells[c])) {
                st = rl_fail(ctx, RL_ERR_USAGE, "%s: cell %zu cannot be read%s%s", parts[p].path,
                             c, ctx->geos_msg[0] ? ": " : "", ctx->geos_msg);
                break;
            }
        }
    }
    for (size_t c = 0; c < E->ncells && !st; c++)
        if (!from[c])
            st = rl_fail(ctx, RL_ERR_USAGE, "no part holds cell %zu of %zu", c, E->ncells);
done:
    if (rd)
        GEOSWKBReader_destroy_r(ctx->geos, rd);
    free(from);
    return st;
}

rl_status rl_tiled_overlay(rl_ctx *ctx, const rl_tile_in *old, const rl_tile_in *nw,
                           size_t ngroups, const rl_crs *crs, rl_area_method m,
                           int want_pieces, int group_self, int transitions, int jobs,
                           rl_progress_fn progress_fn, void *progress_data,
                           rl_tile_out *out)
{
    return rl_tiled_overlay_shard(ctx, old, nw, ngroups, crs, m, want_pieces, group_self,
                                  transitions, jobs, progress_fn, progress_data, NULL, out);
}

rl_status rl_tiled_overlay_shard(rl_ctx *ctx, const rl_tile_in *old, const rl_tile_in *nw,
                                 size_t ngroups, const rl_crs *crs, rl_area_method m,
                                 int want_pieces, int group_self, int transitions, int jobs,
                                 rl_progress_fn progress_fn, void *progress_data,
                                 const rl_tile_shard *sh, rl_tile_out *out)
{
    engine E;
    memset(&E, 0, sizeof E);
    memset(out, 0, sizeof *out);
    E.in[0] = old;
    E.in[1] = nw;
    E.ngroups = ngroups;
    E.crs = crs;
    E.m = m;
    E.want_pieces = want_pieces;
    E.group_self = group_self;
    E.transitions = transitions;
    E.progress = progress_fn;
    E.progress_data = progress_data;
    /*
     * Versions of a layer often share edges up to reprojection noise (1e-9
     * m); floating overlay then falls back to slow snapping.  Rounding to a
     * 0.01 mm grid makes shared edges exact; it moves areas by ~1e-11.
     */
    E.grid = crs->geographic ? 1e-10 : 1e-5 / crs->unit_m;
    rl_status st = RL_OK;
    out->groups = calloc(ngroups + 1, sizeof *out->groups);
    if (!out->groups)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    if (!extent_of(ctx, nw, E.root, extent_of(ctx, old, E.root, 0))) {
        /* Nothing at all: no cell, in a part or out of one. */
        if (sh && sh->count && !sh->parts)
            rl_buf_puts(sh->part, ",\n \"ncells\": 0,\n \"cells\": []");
        for (size_t p = 0; sh && p < sh->nparts; p++)
            if (rl_jv_len(rl_jv_get(sh->parts[p].root, "cells")))
                return rl_fail(ctx, RL_ERR_USAGE, "%s: its cells do not fit these inputs "
                               "(no cell here)", sh->parts[p].path);
        return RL_OK;
    }
    /*
     * A margin so that no feature touches the root's edge, even with its
     * vertices rounded to the grid (half a step at most).
     */
    double pad = ((E.root[2] - E.root[0]) + (E.root[3] - E.root[1])) * 1e-9 + 2 * E.grid;
    E.root[0] -= pad, E.root[1] -= pad, E.root[2] += pad, E.root[3] += pad;
    size_t total_vertices = 0;
    for (int v = 0; v < 2; v++)
        for (size_t i = 0; i < E.in[v]->n; i++)
            if (E.in[v]->g[i])
                total_vertices += (size_t)GEOSGetNumCoordinates_r(ctx->geos, E.in[v]->g[i]);
    int small = total_vertices <= RL_TILE_MIN_VERTICES;
    E.split = small ? 1 : RL_TILE_ROOT_SPLIT;
    E.max_vertices = small ? total_vertices : RL_TILE_MAX_VERTICES;
    E.ncells = E.split * E.split;
    E.cells = calloc(E.ncells, sizeof *E.cells);
    if (!E.cells)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    for (size_t c = 0; c < E.ncells; c++) {
        cell_result *R = &E.cells[c];
        R->groups = calloc(ngroups + 1, sizeof *R->groups);
        R->pieces[0] = calloc(ngroups + 1, sizeof *R->pieces[0]);
        R->pieces[1] = calloc(ngroups + 1, sizeof *R->pieces[1]);
        if (!R->groups || !R->pieces[0] || !R->pieces[1]) {
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto done;
        }
    }
    E.ntasks = E.ncells;
    if (sh && sh->parts) {
        if ((st = merge_read(ctx, &E, sh->parts, sh->nparts)))
            goto done;
    } else {
        if (sh && sh->count &&
            !(E.mine = shard_cells(ctx, &E, sh->index, sh->count, &E.ntasks))) {
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto done;
        }
        rl_pool *pool = rl_pool_new(ctx, jobs);
        if (!pool) {
            st = ctx->status;
            goto done;
        }
        /* The pool reports the first failed cell in cell order, for any jobs. */
        st = rl_pool_run(pool, E.ntasks, task_cell, &E);
        rl_pool_free(pool);
        if (st)
            goto done;
        if (E.mine) { /* a shard: its cells go to its part, nothing is summed */
            st = shard_write(ctx, &E, sh->part);
            goto done;
        }
    }
    /* Sum in cell order: the same figures, bit for bit, for any --jobs. */
    for (size_t c = 0; c < E.ncells; c++) {
        fig_add(&out->total, &E.cells[c].total);
        out->scopes += E.cells[c].scopes;
        out->unchanged_scopes += E.cells[c].unchanged;
        for (size_t g = 0; g < ngroups; g++)
            fig_add(&out->groups[g], &E.cells[c].groups[g]);
    }
    if (transitions && ngroups && (st = merge_transitions(ctx, &E, out)))
        goto done;
    if (want_pieces) {
        out->lost = calloc(ngroups + 1, sizeof *out->lost);
        out->gained = calloc(ngroups + 1, sizeof *out->gained);
        if (!out->lost || !out->gained) {
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (size_t k = 0; k <= ngroups; k++) {
            out->lost[k] = merge_pieces(ctx, &E, 0, k);
            out->gained[k] = merge_pieces(ctx, &E, 1, k);
            if (!out->lost[k] || !out->gained[k]) {
                st = rl_fail(ctx, RL_ERR_GEOM, "merging pieces failed: %s", ctx->geos_msg);
                goto done;
            }
        }
    }
done:
    free(E.mine);
    free_cells(ctx, &E);
    return st;
}

void rl_tile_out_free(rl_ctx *ctx, rl_tile_out *out, size_t ngroups)
{
    for (size_t i = 0; i < out->ntrans; i++)
        GEOSGeom_destroy_r(ctx->geos, out->trans[i].g);
    free(out->trans);
    for (size_t k = 0; out->lost && k <= ngroups; k++)
        GEOSGeom_destroy_r(ctx->geos, out->lost[k]);
    for (size_t k = 0; out->gained && k <= ngroups; k++)
        GEOSGeom_destroy_r(ctx->geos, out->gained[k]);
    free(out->lost);
    free(out->gained);
    free(out->groups);
    memset(out, 0, sizeof *out);
}
