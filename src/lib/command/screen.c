/*
 * screen.c -- footprints against control layers: overlap, outside, verdicts.
 *
 * The engine runs in phases on one worker pool (base/pool.c); each phase
 * ends with a barrier, and what a phase builds is read-only in the phases
 * after it (docs/architecture.md):
 *   1. prepare the footprints: convert, check, repair, measure;
 * then one pipeline per control layer, the pipelines side by side (a
 * worker done with one takes items of another), each stage behind a
 * barrier within its pipeline:
 *   2. read the layer, keeping the features near a footprint, and index it
 *      (no item when the controls are loaded already: audit);
 *   3. for each footprint: the footprint in the control's CRS and the
 *      control features whose envelope meets it;
 *   4. prepare those control features, each once (convert, check, repair,
 *      ring index);
 *   5. overlay and measure each (control, footprint) pair;
 *   6. read the attributes of the control features that are hits;
 * then, on one thread, the verdicts.
 */
#include "command/command.h"
#include "base/pool.h"
#include "rules/rules.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <assert.h>
#include <math.h>
#include <string.h>
#include <time.h>

/* Control polygons with more vertices than this get a prepared geometry. */
#define RL_PREPARE_MIN_VERTICES 20000
/*
 * ... and from this size they are clipped to the footprint's envelope before
 * an overlay, after their ring index has found the footprint is not clear
 * inside or outside them.
 */
#define RL_CLIP_MIN_VERTICES RL_RINGIDX_MIN_VERTICES
/*
 * A footprint this big with this many candidate features is cut into small
 * pieces once (cut.c) rather than overlaid whole with each small feature:
 * the cut costs about a few overlays of the footprint.
 */
#define RL_CUT_MIN_VERTICES 4096
#define RL_CUT_MIN_CANDIDATES 16

/* Reading of the control layers (rl_screen, rl_controls_load). */
typedef struct load_job {
    const rl_screen_options *opts;
    rl_layer *const *fps; /* footprints: only control features near them are kept */
    size_t nfps;
    rl_control *cs;
    int shard; /* --shard: read through a spatial filter, leave the checks to merge */
} load_job;

/* One (control, footprint) pair; phase 3 builds it, phase 5 uses it. */
typedef struct pair {
    GEOSGeometry *g;  /* the footprint in the control's CRS; NULL: none */
    double env[4];    /* g's envelope */
    int has_env;
    size_t *cand;     /* control features whose envelope meets g's, ascending */
    size_t ncand;
} pair;


typedef struct engine {
    rl_screen_data *d;
    const load_job *load;  /* phase 2; NULL when the controls are loaded */
    pair *pairs;           /* [k * nres + i] */
    size_t **feats;         /* per control: the features phase 4 prepares, then
                              those phase 6 reads the attributes of */
    size_t *nfeats;
    /*
     * Prepared big control polygons, [worker][control][feature]: GEOS
     * builds a prepared geometry's indexes on first use, so each worker
     * keeps its own and only that worker touches them.
     */
    const GEOSPreparedGeometry ****prep;
    int jobs;
    int npipes;            /* controls, and the DLTB with --landuse */
    /* Progress (opts->progress): overlays done, the last report, who reports. */
    size_t done;
    long long last_ms;
    char reporting;
} engine;

/* Pipelines of the engine: the controls, then the DLTB of --landuse. */
static int npipes(const rl_screen_data *d)
{
    return d->ncontrols + (d->opts && d->opts->landuse_path ? 1 : 0);
}

static void add_reason(rl_fp_result *r, const char *text)
{
    char **a = realloc(r->reasons, (r->nreasons + 1) * sizeof *a);
    if (!a)
        return;
    r->reasons = a;
    a[r->nreasons] = rl_strdup(text);
    if (a[r->nreasons])
        r->nreasons++;
}

static void set_error(rl_fp_result *r, const rl_layer *L, const char *why)
{
    char buf[RL_ERRMSG_MAX + 256];
    rl_snprintf(buf, sizeof buf, "%s: feature %" PRId64 ": %s", L->path,
                (int64_t)L->feat[r->feat].fid, why); /* cut between characters */
    free(r->error);
    r->error = rl_strdup(buf);
    r->verdict = RL_V_ERROR;
}

/* A (footprint, control) pair failed: the footprint's verdict will say why. */
static void pair_failed(rl_fp_control *fc, rl_ctx *ctx)
{
    fc->failed = 1;
    free(fc->error);
    fc->error = rl_strdup(rl_ctx_errmsg(ctx));
}

/*
 * Big control polygon, prepared once per worker: predicates against it then
 * cost little more than the footprint's own size.  NULL for small ones.
 */
static const GEOSPreparedGeometry *prepared_control(rl_ctx *ctx, engine *e, int w,
                                                    int k, size_t c,
                                                    const GEOSGeometry *cg)
{
    GEOSContextHandle_t h = ctx->geos;
    const GEOSPreparedGeometry ***mine = e->prep[w];
    if (!mine[k])
        mine[k] = calloc(e->d->controls[k].layer->n + 1, sizeof **mine);
    const GEOSPreparedGeometry **cache = mine[k];
    if (!cache)
        return NULL; /* out of memory: the unprepared paths still work */
    if (!cache[c]) {
        if (GEOSGetNumCoordinates_r(h, cg) < RL_PREPARE_MIN_VERTICES)
            return NULL;
        cache[c] = GEOSPrepare_r(h, cg);
    }
    return cache[c];
}

/*
 * Footprint ∩ control polygon.  A big control polygon is first cut to the
 * footprint's envelope (GEOSClipByRect is linear and cheap), so the overlay
 * only sees the few vertices near the footprint; the clip is checked and
 * skipped when it is not valid.  When the footprint or the cut piece is
 * convex, the overlay is a clip by a convex polygon (clip.c).
 */
static GEOSGeometry *overlay(rl_ctx *ctx, const GEOSGeometry *g,
                             const GEOSGeometry *cg, const rl_ringidx *ri,
                             const double *genv)
{
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry *clip = NULL;
    /*
     * A convex footprint is clipped against the one control ring near its
     * envelope genv, the far runs cut to chords by the ring index: no walk
     * over every vertex, no GEOS overlay.
     */
    if (ri && genv) {
        size_t n = rl_ringidx_near(ctx, ri, genv, &ctx->coord_buf, &ctx->coord_cap);
        GEOSGeometry *piece = n ? rl_clip_ring(ctx, g, ctx->coord_buf, n) : NULL;
        if (piece)
            return piece;
    }
    double ce[4];
    int inside = 0; /* cg lies inside the clip rectangle */
    if (genv && GEOSGetNumCoordinates_r(h, cg) >= RL_CLIP_MIN_VERTICES &&
        GEOSGeom_getExtent_r(h, cg, &ce[0], &ce[1], &ce[2], &ce[3])) {
        /* A margin keeps the clip edges off the footprint's own edges. */
        double m = ((genv[2] - genv[0]) + (genv[3] - genv[1])) * 0.01 + 1e-6;
        double r[4] = {genv[0] - m, genv[1] - m, genv[2] + m, genv[3] + m};
        /*
         * A rectangle around all of cg would only copy it, and the copy's
         * validity check cost as much again as the overlay's own noding.
         */
        inside = r[0] <= ce[0] && r[1] <= ce[1] && ce[2] <= r[2] && ce[3] <= r[3];
        if (!inside)
            clip = GEOSClipByRect_r(h, cg, r[0], r[1], r[2], r[3]);
        if (clip && rl_is_valid(ctx, clip) != 1) {
            GEOSGeom_destroy_r(h, clip);
            clip = NULL;
        }
    }
    /* Unclipped and not inside, cg is small and rl_clip_small has had its try already. */
    GEOSGeometry *piece = clip     ? rl_clip_small(ctx, g, clip)
                          : inside ? rl_clip_small(ctx, g, cg)
                                   : NULL;
    if (!piece)
        piece = rl_overlay2(ctx, g, clip ? clip : cg, 0, 0);
    GEOSGeom_destroy_r(h, clip);
    return piece;
}

/* Area of a piece that lives in the control's CRS, by the chosen method. */
static rl_status piece_area(rl_ctx *ctx, rl_area_method m, const GEOSGeometry *piece,
                            const rl_crs *ccrs, const rl_crs *fcrs, double *a)
{
    if (m != RL_AREA_PLANAR || rl_crs_same(ccrs, fcrs))
        return rl_geom_area(ctx, piece, m != RL_AREA_PLANAR ? ccrs : fcrs, m, a);
    /* Planar figures are all taken in the footprint's plane. */
    PJ *pj = rl_ctx_pj(ctx, ccrs->def, fcrs->def);
    if (!pj)
        return ctx->status;
    GEOSGeometry *t = rl_geom_transform(ctx, piece, pj);
    if (!t)
        return ctx->status;
    rl_status st = rl_geom_area(ctx, t, fcrs, m, a);
    GEOSGeom_destroy_r(ctx->geos, t);
    return st;
}

static GEOSGeometry *to_crs(rl_ctx *ctx, const GEOSGeometry *g,
                            const rl_crs *from, const rl_crs *to)
{
    if (rl_crs_same(from, to))
        return GEOSGeom_clone_r(ctx->geos, g);
    PJ *pj = rl_ctx_pj(ctx, from->def, to->def);
    return pj ? rl_geom_transform(ctx, g, pj) : NULL;
}

/* ---- phase 1: footprints ---- */

static rl_status task_footprint(rl_ctx *ctx, void *job, size_t i, int w)
{
    (void)w;
    const rl_screen_data *d = ((engine *)job)->d;
    rl_fp_result *r = &d->res[i];
    rl_layer *L = d->fps[r->layer];
    const rl_feature *ft = &L->feat[r->feat];
    if (d->own && !d->own[i])
        return RL_OK; /* another shard's */
    /* A line or point becomes its polygon first; bad widths fail the run. */
    rl_status st = rl_linear_footprint(ctx, L, r->feat, d->opts, &r->lin);
    if (st)
        return st;
    rl_feature_prepare(ctx, L, r->feat);
    char why[1024];
    if (ft->status != RL_FEAT_OK)
        set_error(r, L, rl_feature_why(L, r->feat, why, sizeof why));
    else if (rl_geom_area(ctx, ft->geom, L->crs, d->opts->c.area, &r->area_m2))
        set_error(r, L, rl_ctx_errmsg(ctx));
    return RL_OK;
}

/* ---- phase 2: control layers ---- */

static rl_status load_control(rl_ctx *ctx, const load_job *J, int k);

static size_t size_load(rl_ctx *ctx, void *job, int k, rl_status *st)
{
    (void)ctx, (void)k, (void)st;
    return ((engine *)job)->load ? 1 : 0;
}

static rl_status run_load(rl_ctx *ctx, void *job, int k, size_t i, int w)
{
    (void)i, (void)w;
    return load_control(ctx, ((engine *)job)->load, k);
}

/* ---- phase 3: pairs ---- */

static size_t size_pairs(rl_ctx *ctx, void *job, int k, rl_status *st)
{
    (void)ctx, (void)k, (void)st;
    return ((engine *)job)->d->nres;
}

static rl_status run_pair(rl_ctx *ctx, void *job, int k, size_t i, int w)
{
    (void)w;
    engine *e = job;
    const rl_screen_data *d = e->d;
    rl_fp_result *r = &d->res[i];
    pair *P = &e->pairs[(size_t)k * d->nres + i];
    if (r->verdict == RL_V_ERROR || (d->own && !d->own[i]))
        return RL_OK;
    const rl_control *C = &d->controls[k];
    const rl_layer *L = d->fps[r->layer];
    /*
     * Ellipsoidal area reads the footprint's edges as straight in its own
     * CRS: densified on the way, its copy in the control's CRS bounds the
     * same set (to 2e-7 m), so its pieces add up to its own area.  The
     * other methods keep the plain transform (their readings do not add up
     * anyway, and geodesic stays what PostGIS geography gives).
     */
    if (d->opts->c.area != RL_AREA_ELLIPSOIDAL || rl_crs_same(L->crs, C->layer->crs)) {
        P->g = to_crs(ctx, L->feat[r->feat].geom, L->crs, C->layer->crs);
    } else {
        PJ *pj = rl_ctx_pj(ctx, L->crs->def, C->layer->crs->def);
        P->g = pj ? rl_geom_transform_dense(ctx, L->feat[r->feat].geom, pj, L->crs,
                                            C->layer->crs, RL_DENSIFY_TOL_M)
                  : NULL;
    }
    if (!P->g) {
        rl_fail(ctx, RL_ERR_CRS, "cannot transform to %s's CRS %s: %s", C->spec.name,
                C->layer->crs->name, rl_ctx_errmsg(ctx));
        pair_failed(&r->ctl[k], ctx);
        return RL_OK;
    }
    /* Its envelopes are read by phase 5 only, on this pair's worker. */
    P->has_env = GEOSGeom_getExtent_r(ctx->geos, P->g, &P->env[0], &P->env[1],
                                      &P->env[2], &P->env[3]) != 0;
    double reach = rl_screen_reach(d->opts);
    GEOSGeometry *box = NULL;
    if (reach > 0 && P->has_env) {
        /* --near, --rings: the candidates are the features within reach. */
        double pe[4];
        rl_reach_pad(C->layer->crs, P->env, reach, pe);
        box = GEOSGeom_createRectangle_r(ctx->geos, pe[0], pe[1], pe[2], pe[3]);
    }
    P->ncand = rl_index_query(C->index, ctx->geos, box ? box : P->g, &P->cand);
    GEOSGeom_destroy_r(ctx->geos, box);
    if (P->ncand == (size_t)-1) {
        P->ncand = 0;
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        pair_failed(&r->ctl[k], ctx);
    }
    return RL_OK;
}

/* ---- phase 4: control features ---- */

/*
 * The barrier step before phase 4: the features of control k that some
 * pair needs and that are still WKB, each once.
 */
static size_t size_features(rl_ctx *ctx, void *job, int k, rl_status *st)
{
    engine *e = job;
    const rl_screen_data *d = e->d;
    const rl_layer *CL = d->controls[k].layer;
    unsigned char *seen = calloc(CL->n + 1, 1);
    size_t n = 0, cap = 0;
    if (!seen)
        goto nomem;
    for (size_t i = 0; i < d->nres; i++) {
        const pair *P = &e->pairs[(size_t)k * d->nres + i];
        for (size_t j = 0; j < P->ncand; j++) {
            size_t f = P->cand[j];
            if (seen[f] || !CL->feat[f].wkb)
                continue;
            seen[f] = 1;
            if (!rl_grow(&e->feats[k], &cap, n + 1, sizeof *e->feats[k]))
                goto nomem;
            e->feats[k][n++] = f;
        }
    }
    free(seen);
    e->nfeats[k] = n;
    return n;
nomem:
    free(seen);
    *st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    return 0;
}

static rl_status run_feature(rl_ctx *ctx, void *job, int k, size_t i, int w)
{
    (void)w;
    engine *e = job;
    rl_feature_prepare(ctx, e->d->controls[k].layer, e->feats[k][i]);
    return RL_OK;
}

/* ---- phase 5: overlays ---- */

/*
 * The DLTB's pieces of footprint r (DLTB CRS, borrowed), one per hit: each
 * parcel's share, double cover given to the lowest FID (landuse.c).
 */
static rl_status landuse_pieces(rl_ctx *ctx, const rl_screen_data *d, rl_fp_result *r,
                                GEOSGeometry **pieces, size_t n)
{
    const rl_fp_control *fc = &r->ctl[d->ncontrols];
    const rl_layer *CL = d->controls[d->ncontrols].layer;
    rl_landuse *lu = &r->lu;
    if (!(lu->pieces = calloc(n + 1, sizeof *lu->pieces)))
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    lu->npieces = n;
    /* By FID (insertion: a footprint meets few parcels), geometries alongside. */
    for (size_t i = 0; i < n; i++) {
        rl_lu_piece p = {.feat = fc->hits[i].feat, .raw_m2 = fc->hits[i].overlap_m2};
        GEOSGeometry *g = pieces[i];
        size_t j = i;
        for (; j > 0 && CL->feat[lu->pieces[j - 1].feat].fid > CL->feat[p.feat].fid; j--) {
            lu->pieces[j] = lu->pieces[j - 1];
            pieces[j] = pieces[j - 1];
        }
        lu->pieces[j] = p;
        pieces[j] = g;
    }
    rl_lu_measure ms = {d->opts->c.area, CL->crs, d->fps[r->layer]->crs,
                        d->opts->c.pieces_path ? d->out_crs : NULL};
    return rl_landuse_resolve(ctx, lu, (const GEOSGeometry *const *)pieces, r->area_m2, &ms,
                              d->opts->landuse_method == RL_LU_ATTRIBUTE ? CL : NULL);
}

/*
 * The overlays of one (footprint, control) pair: one piece per hit (the
 * piece of hits[j] is pieces[j], control CRS, owned), and whether a piece
 * is the whole footprint.  A shard's part carries them (--shard), so that
 * merge tallies them as the unsharded run does.
 */
typedef struct overlaps {
    GEOSGeometry **pieces;
    size_t n;
    int any_whole;
} overlaps;

static void overlaps_clear(rl_ctx *ctx, overlaps *ov)
{
    for (size_t i = 0; i < ov->n; i++)
        GEOSGeom_destroy_r(ctx->geos, ov->pieces[i]);
    free(ov->pieces);
    *ov = (overlaps){0};
}

/*
 * Footprint r against control k, through pair P, the costly half: the
 * hits with their areas and pieces (into r->ctl[k] and ov), and for a
 * control (not the DLTB) the centre line's crossings, the proximity
 * figures and the overlap counted once.  ov is set even on failure (clear
 * it).
 */
static rl_status pair_overlaps(rl_ctx *ctx, engine *e, int w, rl_fp_result *r, int k,
                               const pair *P, overlaps *ov)
{
    GEOSContextHandle_t h = ctx->geos;
    const rl_screen_data *d = e->d;
    const rl_control *C = &d->controls[k];
    const rl_layer *CL = C->layer;
    const rl_crs *fcrs = d->fps[r->layer]->crs;
    const rl_area_method m = d->opts->c.area;
    rl_fp_control *fc = &r->ctl[k];
    rl_status st = RL_OK;
    const GEOSGeometry *g = P->g;
    const GEOSPreparedGeometry *prep = NULL;
    rl_cut *cut = NULL; /* g cut into pieces, once a pair needs it */
    int cut_tried = 0;
    GEOSGeometry **pieces = NULL;
    size_t npieces = 0;
    int any_whole = 0;
    const size_t nc = P->ncand;
    /* The footprint's envelope in this CRS, for every candidate; NULL if none. */
    const double *genv = P->has_env ? P->env : NULL;

    pieces = calloc(nc ? nc : 1, sizeof *pieces);
    fc->hits = calloc(nc ? nc : 1, sizeof *fc->hits);
    if (!pieces || !fc->hits) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < nc; i++) {
        const size_t c = P->cand[i];
        const GEOSGeometry *cg = CL->feat[c].geom;
        if (!cg)
            continue; /* repair left nothing: counted as unusable */
        const GEOSPreparedGeometry *pc = prepared_control(ctx, e, w, k, c, cg);
        GEOSGeometry *piece;
        int whole = 0; /* the piece is the whole footprint */
        /*
         * Test with whichever side is prepared and big.  Containment needs
         * no overlay: the piece is one of the inputs.
         */
        if (pc) {
            if (GEOSPreparedIntersects_r(h, pc, g) != 1)
                continue;
            whole = rl_covers_fast(ctx, pc, cg, g);
            piece = whole ? GEOSGeom_clone_r(h, g)
                          : overlay(ctx, g, cg, CL->feat[c].ridx, genv);
        } else if (GEOSGetNumCoordinates_r(h, cg) >= RL_CLIP_MIN_VERTICES) {
            /*
             * Mid-size control: a GEOS predicate would walk all its vertices
             * again.  Its ring index settles "clear inside" (the piece is
             * the footprint) and "clear outside"; the rest is overlaid.
             */
            const rl_ringidx *ri = CL->feat[c].ridx;
            rl_loc loc = ri && genv ? rl_ringidx_locate(ctx, ri, genv) : RL_LOC_CROSSES;
            if (loc == RL_LOC_OUTSIDE)
                continue;
            whole = loc == RL_LOC_INSIDE;
            piece = whole ? GEOSGeom_clone_r(h, g) : overlay(ctx, g, cg, ri, genv);
        } else if ((piece = rl_clip_small(ctx, g, cg)) != NULL) {
            /* Small, one of them convex: clipped without GEOS's overlay. */
            if (GEOSisEmpty_r(h, piece)) {
                GEOSGeom_destroy_r(h, piece);
                continue;
            }
        } else {
            /* Prepared once per pair, and only when a small control needs it. */
            if (!prep && !(prep = GEOSPrepare_r(h, g))) {
                st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
                goto cleanup;
            }
            if (GEOSPreparedIntersects_r(h, prep, cg) != 1)
                continue;
            if (rl_covers_fast(ctx, prep, g, cg)) {
                piece = GEOSGeom_clone_r(h, cg);
            } else {
                /*
                 * A big footprint against many small features (a site drawn
                 * around farmland parcels): each GEOS overlay would walk the
                 * whole footprint, so it is cut into small pieces once.
                 */
                if (!cut_tried && nc >= RL_CUT_MIN_CANDIDATES &&
                    GEOSGetNumCoordinates_r(h, g) >= RL_CUT_MIN_VERTICES) {
                    cut_tried = 1;
                    cut = rl_cut_new(ctx, g); /* NULL: overlay whole, as before */
                }
                piece = cut ? rl_cut_overlay(ctx, cut, cg) : overlay(ctx, g, cg, NULL, genv);
            }
        }
        if (!piece) {
            st = rl_fail(ctx, RL_ERR_GEOM, "overlay with %s feature %" PRId64
                         " failed: %s", C->spec.name, (int64_t)CL->feat[c].fid,
                         ctx->geos_msg);
            goto cleanup;
        }
        double a = r->area_m2;
        /* The whole footprint in its own CRS was measured already. */
        if (!whole || !rl_crs_same(CL->crs, fcrs))
            st = piece_area(ctx, m, piece, CL->crs, fcrs, &a);
        if (st || !(a > 0)) {
            GEOSGeom_destroy_r(h, piece);
            if (st)
                goto cleanup;
            continue;
        }
        rl_hit *hit = &fc->hits[fc->nhits++];
        hit->feat = c;
        hit->overlap_m2 = a;
        pieces[npieces++] = piece;
        any_whole |= whole;
    }
    if (k == d->ncontrols)
        goto cleanup;
    if (r->lin.line && fc->nhits) {
        /* The centre line inside the control: its length and chainages. */
        const GEOSGeometry **cg = malloc(fc->nhits * sizeof *cg);
        if (!cg) {
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        for (size_t j = 0; j < fc->nhits; j++)
            cg[j] = CL->feat[fc->hits[j].feat].geom;
        st = rl_line_crossings(ctx, r->lin.line, fcrs, cg, fc->nhits, CL->crs, &fc->cross,
                               &fc->ncross, &fc->line_m);
        free(cg);
        if (st)
            goto cleanup;
    }
    if (d->opts->near > 0 || d->opts->nrings) {
        /* Proximity: every candidate is within reach of the footprint's envelope. */
        const GEOSGeometry **cg = malloc((nc ? nc : 1) * sizeof *cg);
        size_t ng = 0;
        if (d->opts->nrings)
            fc->rings = calloc((size_t)d->opts->nrings, sizeof *fc->rings);
        if (!cg || (d->opts->nrings && !fc->rings)) {
            free(cg);
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        for (size_t j = 0; j < nc; j++)
            if (CL->feat[P->cand[j]].geom)
                cg[ng++] = CL->feat[P->cand[j]].geom;
        fc->distance_m = NAN;
        if (d->opts->near > 0)
            st = rl_near_distance(ctx, g, cg, ng, CL->crs, d->opts->near, &fc->distance_m);
        if (!st && d->opts->nrings)
            st = rl_ring_areas(ctx, g, cg, ng, CL->crs, (int)m, d->opts->rings,
                               d->opts->nrings, fc->rings);
        free(cg);
        if (st)
            goto cleanup;
    }
    /*
     * Overlapping control features are counted once: union the pieces.  All
     * pieces lie in the footprint, so one whole footprint is their union;
     * pieces that certainly share no point (parcels apart, the common case)
     * need no union, the sum of their areas is its area.  (Here rather than
     * in the tally: a shard's part then needs no pieces for it.)
     */
    if (npieces == 1) {
        fc->overlap_m2 = fc->hits[0].overlap_m2;
    } else if (any_whole) {
        fc->overlap_m2 = r->area_m2;
    } else if (npieces > 1 &&
               rl_disjoint_fast(ctx, (const GEOSGeometry *const *)pieces, npieces)) {
        fc->overlap_m2 = 0;
        for (size_t i = 0; i < npieces; i++)
            fc->overlap_m2 += fc->hits[i].overlap_m2;
    } else if (npieces > 1) {
        GEOSGeometry *u = rl_union_all(ctx, (const GEOSGeometry *const *)pieces,
                                       npieces, 0);
        if (!u) {
            st = rl_fail(ctx, RL_ERR_GEOM, "union of %s overlaps failed: %s",
                         C->spec.name, ctx->geos_msg);
            goto cleanup;
        }
        st = piece_area(ctx, m, u, CL->crs, fcrs, &fc->overlap_m2);
        GEOSGeom_destroy_r(h, u);
    }
cleanup:
    *ov = (overlaps){pieces, npieces, any_whole};
    if (prep)
        GEOSPreparedGeom_destroy_r(h, prep);
    rl_cut_free(ctx, cut);
    return st;
}

/*
 * Footprint r against control k, the tally of its overlaps ov (pieces
 * borrowed; none needed unless pair_pieces_needed): the pieces --pieces
 * and HTML draw, --classify's copies, the DLTB's breakdown, --use-field's
 * geometry, outside, the finding.
 */
static rl_status pair_tally(rl_ctx *ctx, const rl_screen_data *d, rl_fp_result *r, int k,
                            const pair *P, const overlaps *ov)
{
    GEOSContextHandle_t h = ctx->geos;
    const rl_control *C = &d->controls[k];
    const rl_layer *CL = C->layer;
    const rl_area_method m = d->opts->c.area;
    rl_fp_control *fc = &r->ctl[k];
    GEOSGeometry **pieces = ov->pieces;
    const size_t npieces = ov->n;
    const int any_whole = ov->any_whole;
    const GEOSGeometry *g = P->g;
    rl_status st = RL_OK;
    if (k == d->ncontrols)
        return landuse_pieces(ctx, d, r, pieces, npieces);
    const int classify = rl_classify_field(d->opts, C->spec.name) != NULL;
    for (size_t j = 0; j < fc->nhits; j++) {
        rl_hit *hit = &fc->hits[j];
        /* --pieces writes them, an HTML report draws them. The DLTB keeps its own. */
        if ((d->opts->c.pieces_path || d->opts->c.format == RL_FMT_HTML) &&
            !(hit->piece = to_crs(ctx, pieces[j], CL->crs, d->out_crs)))
            return ctx->status;
        /* --classify unions the pieces of each value after the attributes are read. */
        if (classify && !(hit->cpiece = GEOSGeom_clone_r(h, pieces[j])))
            return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    }
    if (fc->keep && fc->overlap_m2 > 0) {
        /* For the per-use totals (use_conclude): the overlap as one geometry. */
        fc->keep_g = any_whole ? GEOSGeom_clone_r(h, g)
                     : npieces == 1 ? GEOSGeom_clone_r(h, pieces[0])
                                    : rl_union_all(ctx, (const GEOSGeometry *const *)pieces,
                                                   npieces, 0);
        if (!fc->keep_g)
            return rl_fail(ctx, RL_ERR_GEOM, "union of %s overlaps failed: %s",
                           C->spec.name, ctx->geos_msg);
    }
    /*
     * Ellipsoidal pieces and footprint read edges alike (docs/area-method.md):
     * the overlap exceeds the footprint by round-off at most, and only debug
     * builds check that.  The other readings do not add up (a vertex put on
     * an edge moves a geodesic, survey or per-piece GK-zone area), so their
     * overlap is still capped at the footprint.
     */
    if (m == RL_AREA_ELLIPSOIDAL)
        assert(fc->overlap_m2 <= r->area_m2 * (1 + 1e-8) + 1e-3);
    else if (fc->overlap_m2 > r->area_m2)
        fc->overlap_m2 = r->area_m2;
    fc->overlap_pct = r->area_m2 > 0 ? 100.0 * fc->overlap_m2 / r->area_m2 : 0;
    /* Round-off can put the overlap a hair above the footprint: nothing is outside then. */
    fc->outside_m2 = r->area_m2 > fc->overlap_m2 ? r->area_m2 - fc->overlap_m2 : 0;
    double measured = C->spec.rule == RL_RULE_REQUIRE ? fc->outside_m2 : fc->overlap_m2;
    fc->finding = C->spec.rule != RL_RULE_REPORT && measured > 0 &&
                  measured >= d->opts->min_area;
    return st;
}

/* Footprint r against control k, through pair P; figures into r->ctl[k]. */
static rl_status screen_control(rl_ctx *ctx, engine *e, int w, rl_fp_result *r, int k,
                                const pair *P)
{
    overlaps ov;
    rl_status st = pair_overlaps(ctx, e, w, r, k, P, &ov);
    if (!st)
        st = pair_tally(ctx, e->d, r, k, P, &ov);
    overlaps_clear(ctx, &ov);
    return st;
}

/* ---- --shard and merge: a pair's overlays in a part (docs/scale-out.md) ---- */

/*
 * 1 when the tally of pair (., k) needs its pieces, whatever the format:
 * the DLTB's double cover, --classify, --use-field's union, --pieces.
 * (An HTML report draws them too; merge overlays again for it when the
 * parts have none.)
 */
static int pair_pieces_needed(const rl_screen_data *d, int k)
{
    return k == d->ncontrols || d->opts->use_field || d->opts->c.pieces_path ||
           rl_classify_field(d->opts, d->controls[k].spec.name);
}

/*
 * Pair (r, k)'s overlays as the JSON a shard's part carries, malloc'd:
 * {"e": why} when they failed (st), else {"w": any_whole, "h": [[FID,
 * area, piece as hex WKB], ...]} (the pieces only when pair_pieces_needed)
 * with the overlap counted once "o", the line's "l" and "x", --near's "d"
 * and --rings' "g" when those were made.  Figures are %a, exact.  NULL
 * when out of memory.
 */
static char *pair_fragment(rl_ctx *ctx, const rl_screen_data *d, const rl_fp_result *r,
                           int k, rl_status st, const overlaps *ov)
{
    GEOSContextHandle_t h = ctx->geos;
    const rl_fp_control *fc = &r->ctl[k];
    const rl_layer *CL = d->controls[k].layer;
    rl_buf b = {0};
    if (st) {
        rl_buf_puts(&b, "{\"e\": ");
        rl_buf_part_str(&b, rl_ctx_errmsg(ctx));
        rl_buf_puts(&b, "}");
        goto done;
    }
    GEOSWKBWriter *wr = GEOSWKBWriter_create_r(h);
    if (!wr) {
        b.oom = 1;
        goto done;
    }
    GEOSWKBWriter_setOutputDimension_r(h, wr, 3); /* Z only where there is one */
    const int with_pieces = pair_pieces_needed(d, k);
    rl_buf_printf(&b, "{\"w\": %d, \"h\": [", ov->any_whole);
    for (size_t j = 0; j < fc->nhits && j < ov->n; j++) {
        rl_buf_printf(&b, "%s[%lld, ", j ? ", " : "", CL->feat[fc->hits[j].feat].fid);
        rl_buf_hexnum(&b, fc->hits[j].overlap_m2);
        if (with_pieces) {
            size_t n = 0;
            unsigned char *hex = GEOSWKBWriter_writeHEX_r(h, wr, ov->pieces[j], &n);
            rl_buf_puts(&b, ", \"");
            if (hex)
                rl_buf_putn(&b, (const char *)hex, n);
            else
                b.oom = 1;
            rl_buf_puts(&b, "\"");
            GEOSFree_r(h, hex);
        }
        rl_buf_puts(&b, "]");
    }
    GEOSWKBWriter_destroy_r(h, wr);
    rl_buf_puts(&b, "]");
    if (k < d->ncontrols) {
        rl_buf_puts(&b, ", \"o\": ");
        rl_buf_hexnum(&b, fc->overlap_m2);
    }
    if (k < d->ncontrols && r->lin.line && fc->nhits) {
        rl_buf_puts(&b, ", \"l\": ");
        rl_buf_hexnum(&b, fc->line_m);
        rl_buf_puts(&b, ", \"x\": [");
        for (size_t j = 0; j < fc->ncross; j++) {
            rl_buf_puts(&b, j ? ", [" : "[");
            rl_buf_hexnum(&b, fc->cross[j].from_m);
            rl_buf_puts(&b, ", ");
            rl_buf_hexnum(&b, fc->cross[j].to_m);
            rl_buf_puts(&b, "]");
        }
        rl_buf_puts(&b, "]");
    }
    if (k < d->ncontrols && d->opts->near > 0) {
        rl_buf_puts(&b, ", \"d\": ");
        if (isnan(fc->distance_m))
            rl_buf_puts(&b, "null"); /* none within reach */
        else
            rl_buf_hexnum(&b, fc->distance_m);
    }
    if (k < d->ncontrols && d->opts->nrings && fc->rings) {
        rl_buf_puts(&b, ", \"g\": [");
        for (int j = 0; j < d->opts->nrings; j++) {
            rl_buf_puts(&b, j ? ", " : "");
            rl_buf_hexnum(&b, fc->rings[j]);
        }
        rl_buf_puts(&b, "]");
    }
    rl_buf_puts(&b, "}");
done:
    if (b.oom) {
        rl_buf_free(&b);
        return NULL;
    }
    return b.s;
}

/* Index of the feature of CL with this FID (CL in FID order), or -1. */
static long long feature_by_fid(const rl_layer *CL, long long fid, int *dup)
{
    size_t lo = 0, hi = CL->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (CL->feat[mid].fid < fid)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= CL->n || CL->feat[lo].fid != fid)
        return -1;
    *dup = lo + 1 < CL->n && CL->feat[lo + 1].fid == fid;
    return (long long)lo;
}

/*
 * merge: pair (r, k)'s overlays from footprint i's entry in a part, into
 * r->ctl[k] and ov (as pair_overlaps leaves them); a pair that failed in
 * its shard fails here with the shard's message.  *again is set, and
 * nothing filled in, when the tally needs pieces (for HTML) that the part
 * left out.  A part that does not fit the inputs fails the run
 * (RL_ERR_USAGE, message in ctx).
 */
static rl_status pair_from_part(rl_ctx *ctx, const rl_screen_data *d, rl_fp_result *r,
                                int k, size_t i, overlaps *ov, int *again)
{
    GEOSContextHandle_t h = ctx->geos;
    const rl_control *C = &d->controls[k];
    const rl_layer *CL = C->layer;
    rl_fp_control *fc = &r->ctl[k];
    const rl_layer *L = d->fps[r->layer];
    const long long ffid = L->feat[r->feat].fid;
    rl_jv c = rl_jv_at(rl_jv_get(d->from[i], "c"), (size_t)k);
    rl_jv hs = rl_jv_get(c, "h");
    const char *err = rl_jv_str(rl_jv_get(c, "e"));
    GEOSWKBReader *rd = NULL;
    rl_status st = RL_OK;
    if (!d->from[i].id)
        return rl_fail(ctx, RL_ERR_USAGE, "no part holds %s feature %lld", L->path, ffid);
    if (err) {
        fc->failed = 1;
        free(fc->error);
        fc->error = rl_strdup(err);
        return RL_OK;
    }
    size_t n = rl_jv_len(hs), w = 0;
    if (!hs.id || !rl_jv_size(rl_jv_get(c, "w"), &w))
        return rl_fail(ctx, RL_ERR_USAGE, "the part for %s feature %lld holds no overlays "
                       "with %s", L->path, ffid, C->spec.name);
    const int with_pieces = pair_pieces_needed(d, k);
    if (n && !with_pieces && d->opts->c.format == RL_FMT_HTML &&
        !rl_jv_str(rl_jv_at(rl_jv_at(hs, 0), 2))) {
        *again = 1;
        return RL_OK;
    }
    if (k < d->ncontrols && !rl_jv_num(rl_jv_get(c, "o"), &fc->overlap_m2))
        return rl_fail(ctx, RL_ERR_USAGE, "the part for %s feature %lld holds no overlap "
                       "with %s", L->path, ffid, C->spec.name);
    ov->pieces = calloc(n + 1, sizeof *ov->pieces);
    fc->hits = calloc(n + 1, sizeof *fc->hits);
    rd = GEOSWKBReader_create_r(h);
    if (!ov->pieces || !fc->hits || !rd) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto done;
    }
    ov->any_whole = w != 0;
    for (size_t j = 0; j < n; j++) {
        rl_jv hj = rl_jv_at(hs, j);
        const char *fs = rl_jv_str(rl_jv_at(hj, 0)), *hex = rl_jv_str(rl_jv_at(hj, 2));
        char *end = NULL;
        long long fid = fs ? strtoll(fs, &end, 10) : 0;
        int dup = 0;
        long long f = fs && end && !*end ? feature_by_fid(CL, fid, &dup) : -1;
        double a = 0;
        if (f < 0 || dup || !rl_jv_num(rl_jv_at(hj, 1), &a) || (with_pieces && !hex)) {
            st = rl_fail(ctx, RL_ERR_USAGE,
                         dup ? "%s: FID %s is not unique, which merge needs (%s feature %lld)"
                             : "%s has no feature with FID %s that a part names for %s "
                               "feature %lld: the inputs changed since the shards ran",
                         C->spec.path, fs ? fs : "?", L->path, ffid);
            goto done;
        }
        GEOSGeometry *g = hex ? GEOSWKBReader_readHEX_r(h, rd, (const unsigned char *)hex,
                                                        strlen(hex))
                              : NULL;
        if (hex && !g) {
            st = rl_fail(ctx, RL_ERR_USAGE, "a part holds a piece of %s feature %lld that "
                         "is not WKB: %s", L->path, ffid, ctx->geos_msg);
            goto done;
        }
        if (g)
            ov->pieces[ov->n++] = g;
        fc->hits[fc->nhits++] = (rl_hit){.feat = (size_t)f, .overlap_m2 = a};
    }
    rl_jv x = rl_jv_get(c, "x");
    if (x.id) {
        rl_jv_num(rl_jv_get(c, "l"), &fc->line_m);
        size_t nx = rl_jv_len(x);
        if (nx && !(fc->cross = calloc(nx, sizeof *fc->cross))) {
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (size_t j = 0; j < nx; j++, fc->ncross++) {
            rl_jv_num(rl_jv_at(rl_jv_at(x, j), 0), &fc->cross[j].from_m);
            rl_jv_num(rl_jv_at(rl_jv_at(x, j), 1), &fc->cross[j].to_m);
        }
    }
    if (k < d->ncontrols && d->opts->near > 0 &&
        !rl_jv_num(rl_jv_get(c, "d"), &fc->distance_m))
        fc->distance_m = NAN; /* null: none within reach */
    rl_jv g = rl_jv_get(c, "g");
    if (k < d->ncontrols && d->opts->nrings && g.id) {
        if (!(fc->rings = calloc((size_t)d->opts->nrings, sizeof *fc->rings))) {
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (int j = 0; j < d->opts->nrings; j++)
            rl_jv_num(rl_jv_at(g, (size_t)j), &fc->rings[j]);
    }
done:
    if (rd)
        GEOSWKBReader_destroy_r(h, rd);
    return st;
}

static int cmp_env_minx(const void *a, const void *b)
{
    const pair *x = *(const pair *const *)a, *y = *(const pair *const *)b;
    if (x->env[0] != y->env[0])
        return x->env[0] < y->env[0] ? -1 : 1;
    return (x > y) - (x < y);
}

/*
 * The footprints whose envelopes (in pipeline k's CRS) meet another's may
 * share land; they keep their geometries for the totals that must count it
 * once: --landuse's run total (rl_landuse_total) and --use-field's (k a
 * control, use_conclude).
 */
static rl_status mark_shared(rl_ctx *ctx, engine *e, int k)
{
    rl_screen_data *d = e->d;
    const size_t base = (size_t)k * d->nres;
    pair **by = malloc((d->nres + 1) * sizeof *by);
    size_t n = 0;
    if (!by)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < d->nres; i++)
        if (e->pairs[base + i].has_env)
            by[n++] = &e->pairs[base + i];
    qsort(by, n, sizeof *by, cmp_env_minx);
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n && by[b]->env[0] <= by[a]->env[2]; b++)
            if (rl_env_meet(by[a]->env, by[b]->env)) {
                size_t i = (size_t)(by[a] - &e->pairs[base]), j = (size_t)(by[b] - &e->pairs[base]);
                if (k == d->ncontrols)
                    d->res[i].lu.keep = d->res[j].lu.keep = 1;
                else
                    d->res[i].ctl[k].keep = d->res[j].ctl[k].keep = 1;
            }
    free(by);
    return RL_OK;
}

/* The barrier step before phase 5: the layer's counters, on one thread. */
static size_t size_overlaps(rl_ctx *ctx, void *job, int k, rl_status *st)
{
    engine *e = job;
    rl_layer_recount(e->d->controls[k].layer);
    /* A shard only overlays; merge, which has every pair, marks them. */
    if (!e->d->shard && (k == e->d->ncontrols || e->d->opts->use_field) &&
        (*st = mark_shared(ctx, e, k)))
        return 0;
    return e->d->nres;
}

/*
 * One overlay finished: tell the progress callback, from this worker, when
 * no other worker is telling it and a fifth of a second has passed (the
 * first and the last always, unless another worker holds the turn).
 */
static void progress(engine *e, int k)
{
    const rl_screen_data *d = e->d;
    size_t done = __atomic_add_fetch(&e->done, 1, __ATOMIC_RELAXED);
    if (!d->opts->progress)
        return;
    size_t total = (size_t)e->npipes * d->nres;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    long long last = __atomic_load_n(&e->last_ms, __ATOMIC_RELAXED);
    if (done != total && last && ms - last < 200)
        return;
    if (__atomic_test_and_set(&e->reporting, __ATOMIC_ACQUIRE))
        return;
    __atomic_store_n(&e->last_ms, ms ? ms : 1, __ATOMIC_RELAXED);
    d->opts->progress(d->opts->progress_data, done, total,
                      k < d->ncontrols ? d->controls[k].spec.name : "landuse");
    __atomic_clear(&e->reporting, __ATOMIC_RELEASE);
}

static rl_status run_overlap(rl_ctx *ctx, void *job, int k, size_t i, int w)
{
    engine *e = job;
    const rl_screen_data *d = e->d;
    rl_fp_result *r = &d->res[i];
    pair *P = &e->pairs[(size_t)k * d->nres + i];
    if (r->verdict != RL_V_ERROR && !r->ctl[k].failed && (!d->own || d->own[i])) {
        rl_status st;
        if (d->shard) {
            overlaps ov;
            st = pair_overlaps(ctx, e, w, r, k, P, &ov);
            char *frag = pair_fragment(ctx, d, r, k, st, &ov);
            overlaps_clear(ctx, &ov);
            if (!frag)
                return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            d->frag[(size_t)k * d->nres + i] = frag;
            st = RL_OK;
        } else if (d->from) {
            overlaps ov = {0};
            int again = 0;
            st = pair_from_part(ctx, d, r, k, i, &ov, &again);
            if (st == RL_OK && again) {
                /* HTML draws pieces the parts left out: overlaid again, as one run does. */
                if (screen_control(ctx, e, w, r, k, P) != RL_OK)
                    pair_failed(&r->ctl[k], ctx);
            } else if (st == RL_OK && !r->ctl[k].failed &&
                       pair_tally(ctx, d, r, k, P, &ov) != RL_OK) {
                pair_failed(&r->ctl[k], ctx);
            }
            overlaps_clear(ctx, &ov);
            if (st)
                return st; /* the parts do not fit the inputs: the run fails */
        } else if (screen_control(ctx, e, w, r, k, P) != RL_OK) {
            pair_failed(&r->ctl[k], ctx);
        }
    }
    if (k == d->ncontrols) {
        r->lu.fcrs = d->fps[r->layer]->crs;
        if (r->lu.keep)
            r->lu.fp_g = P->g, P->g = NULL; /* for the run's total */
    }
    /* The pair is spent: its memory goes back now, not at the end. */
    if (P->g)
        GEOSGeom_destroy_r(ctx->geos, P->g);
    free(P->cand);
    *P = (pair){0};
    progress(e, k);
    return RL_OK;
}

/* ---- phase 6: attributes of the hits ---- */

static int cmp_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/*
 * The barrier step before phase 6: the features of control k that are a
 * hit of some footprint, each once, in feature order (the reads then run
 * along the file).  One item when their attributes are still to be read.
 */
static size_t size_attrs(rl_ctx *ctx, void *job, int k, rl_status *st)
{
    engine *e = job;
    const rl_screen_data *d = e->d;
    if (!d->controls[k].layer->attrs_pending || d->shard)
        return 0; /* a shard makes no verdict: merge reads them */
    size_t nh = 0;
    for (size_t i = 0; i < d->nres; i++)
        nh += d->res[i].ctl[k].nhits;
    size_t *idx = malloc((nh ? nh : 1) * sizeof *idx);
    if (!idx) {
        *st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return 0;
    }
    nh = 0;
    for (size_t i = 0; i < d->nres; i++)
        for (size_t j = 0; j < d->res[i].ctl[k].nhits; j++)
            idx[nh++] = d->res[i].ctl[k].hits[j].feat;
    if (nh > 1)
        qsort(idx, nh, sizeof *idx, cmp_index);
    size_t u = 0;
    for (size_t i = 0; i < nh; i++)
        if (u == 0 || idx[u - 1] != idx[i])
            idx[u++] = idx[i];
    /* Phase 4's list of features is spent: this one takes its place. */
    free(e->feats[k]);
    e->feats[k] = idx;
    e->nfeats[k] = u;
    return 1;
}

static rl_status run_attrs(rl_ctx *ctx, void *job, int k, size_t i, int w)
{
    (void)i, (void)w;
    engine *e = job;
    const rl_control *C = &e->d->controls[k];
    rl_status st = rl_layer_fetch_attrs(ctx, C->layer, e->feats[k], e->nfeats[k]);
    if (st)
        rl_fail(ctx, st, "control %s: %s", C->spec.name, rl_ctx_errmsg(ctx));
    return st;
}

/* Phases 2 to 6, one pipeline per control. */
static const rl_stage control_stages[] = {
    {size_load, run_load},
    {size_pairs, run_pair},
    {size_features, run_feature},
    {size_overlaps, run_overlap},
    {size_attrs, run_attrs},
};

/* The severity of control C's rule, for a hit that no rules entry decides. */
static rl_hit_severity base_severity(const rl_control *C)
{
    if (C->spec.rule != RL_RULE_FORBID)
        return RL_HS_REPORT; /* inside what is required, or only reported */
    return C->spec.severity == RL_SEV_CONFLICT ? RL_HS_CONFLICT : RL_HS_WARN;
}

/*
 * The rule of every hit (rules/rules.c), after the attributes are read: its
 * severity and its reason, expanded.  Returns RL_ERR_USAGE when a complete
 * 'by' of the rules file misses a value, RL_ERR_NOMEM.
 */
static rl_status rules_conclude(rl_ctx *ctx, rl_screen_data *d)
{
    static const char *rule_word[] = {"forbid", "require", "report"};
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        const rl_ctl_rules *cr = C->rules;
        const rl_hit_severity base = base_severity(C);
        int *fx = calloc(d->nfps + 1, sizeof *fx); /* exempt field per footprint layer */
        char dflt[320];
        if (!fx)
            return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < d->nfps; i++) {
            fx[i] = cr && cr->exempt_field ? rl_rules_field(cr, d->fps[i], cr->exempt_field)
                                           : -1;
            if (cr && cr->exempt_field && fx[i] < 0) {
                char w[1024];
                rl_snprintf(w, sizeof w, "%s: no field '%s': the exemptions of control %s "
                            "(rules file %s) apply to none of its footprints",
                            d->fps[i]->path, cr->exempt_field, C->spec.name,
                            C->rules_file->path);
                rl_strlist_add(&d->warnings, w);
            }
        }
        rl_snprintf(dflt, sizeof dflt, "%s %s (%s)",
                    C->spec.rule == RL_RULE_REQUIRE ? "inside" : "overlaps", C->spec.name,
                    rule_word[C->spec.rule]);
        for (size_t i = 0; i < d->nres; i++) {
            rl_fp_result *r = &d->res[i];
            rl_fp_control *fc = &r->ctl[k];
            if (r->verdict == RL_V_ERROR || fc->failed)
                continue;
            for (size_t j = 0; j < fc->nhits; j++) {
                rl_hit *h = &fc->hits[j];
                rl_rule_hit m;
                rl_status st = rl_rules_match(ctx, C->rules_file, cr, base, C->layer, h->feat,
                                              d->fps[r->layer], r->feat, fx[r->layer], &m);
                if (st) {
                    free(fx);
                    return st;
                }
                h->sev = (int)m.sev;
                h->rfield = m.field, h->rvalue = m.value;
                h->xfield = m.xfield, h->xvalue = m.xvalue;
                h->reason = m.reason ? rl_rules_expand(cr, m.reason, C->layer, h->feat)
                                     : rl_strdup(dflt);
                if (!h->reason) {
                    free(fx);
                    return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
                }
            }
        }
        free(fx);
    }
    return RL_OK;
}

/* A reason, once: hits of one rule give one line. */
static void add_reason_once(rl_fp_result *r, const char *text)
{
    for (size_t j = 0; j < r->nreasons; j++)
        if (strcmp(r->reasons[j], text) == 0)
            return;
    add_reason(r, text);
}

/*
 * Control C with a rules entry, for footprint r.  Its hits count by their
 * own rules: the control's finding is the worst severity S such that the
 * hits of severity S or worse reach --min-area together (so slivers of a
 * core zone decide nothing, as slivers do without rules, and a footprint
 * touching only the general zone is judged by that zone's rule).  A require
 * control's area outside counts by the control's severity as before.  Sets
 * *conflict / *warn.
 */
static void conclude_rules(const rl_screen_data *d, const rl_control *C, rl_fp_result *r,
                           rl_fp_control *fc, int *conflict, int *warn)
{
    const rl_screen_options *o = d->opts;
    char buf[1024];
    int outside = C->spec.rule == RL_RULE_REQUIRE && fc->finding;
    double conf_m2 = 0, warn_m2 = 0;
    for (size_t j = 0; j < fc->nhits; j++) {
        if (fc->hits[j].sev == RL_HS_CONFLICT)
            conf_m2 += fc->hits[j].overlap_m2;
        else if (fc->hits[j].sev == RL_HS_WARN)
            warn_m2 += fc->hits[j].overlap_m2;
    }
    const int hit_conflict = conf_m2 > 0 && conf_m2 >= o->min_area;
    const int hit_warn = !hit_conflict && conf_m2 + warn_m2 > 0 &&
                         conf_m2 + warn_m2 >= o->min_area;
    if (outside) {
        rl_snprintf(buf, sizeof buf, "outside %s: %.1f m2 (%.1f%%)", C->spec.name,
                    fc->outside_m2, 100.0 - fc->overlap_pct);
        add_reason(r, buf);
        if (C->spec.severity == RL_SEV_CONFLICT || o->strict)
            *conflict = 1;
        else
            *warn = 1;
    }
    if (hit_conflict || (hit_warn && o->strict))
        *conflict = 1;
    else if (hit_warn)
        *warn = 1;
    /* One line per rule: what decided, and what the rules ask to report. */
    for (size_t j = 0; j < fc->nhits; j++) {
        const rl_hit *h = &fc->hits[j];
        if (h->sev != RL_HS_REPORT ? !(hit_conflict || hit_warn)
                                   : !C->rules->reason && !h->rfield)
            continue; /* below --min-area, or nothing to say beyond the figures */
        if (h->rfield)
            rl_snprintf(buf, sizeof buf, "%s %s=%s: %s: %s", C->spec.name, h->rfield,
                        h->rvalue, rl_hit_severity_name((rl_hit_severity)h->sev), h->reason);
        else
            rl_snprintf(buf, sizeof buf, "%s: %s: %s", C->spec.name,
                        rl_hit_severity_name((rl_hit_severity)h->sev), h->reason);
        add_reason_once(r, buf);
    }
    fc->finding = outside || hit_conflict || hit_warn;
}

/* Verdict and reasons from the per-control figures, in control order. */
static void conclude(const rl_screen_data *d, rl_fp_result *r)
{
    const rl_screen_options *o = d->opts;
    char buf[512];
    if (r->verdict == RL_V_ERROR)
        return;
    int conflict = 0, warn = 0;
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        rl_fp_control *fc = &r->ctl[k];
        if (fc->failed) {
            set_error(r, d->fps[r->layer], fc->error ? fc->error : "out of memory");
            return;
        }
        if (C->rules) {
            conclude_rules(d, C, r, fc, &conflict, &warn);
            continue;
        }
        if (fc->finding) {
            if (C->spec.rule == RL_RULE_REQUIRE)
                rl_snprintf(buf, sizeof buf, "outside %s: %.1f m2 (%.1f%%)",
                         C->spec.name, fc->outside_m2, 100.0 - fc->overlap_pct);
            else
                rl_snprintf(buf, sizeof buf, "overlaps %s: %.1f m2 (%.1f%%)",
                         C->spec.name, fc->overlap_m2, fc->overlap_pct);
            add_reason(r, buf);
            if (C->spec.severity == RL_SEV_CONFLICT || o->strict)
                conflict = 1;
            else
                warn = 1;
        }
    }
    r->verdict = conflict ? RL_V_CONFLICT : warn ? RL_V_WARN : RL_V_PASS;
}

static void engine_free(rl_ctx *ctx, engine *e)
{
    const rl_screen_data *d = e->d;
    for (size_t t = 0; e->pairs && t < (size_t)e->npipes * d->nres; t++) {
        if (e->pairs[t].g)
            GEOSGeom_destroy_r(ctx->geos, e->pairs[t].g);
        free(e->pairs[t].cand);
    }
    free(e->pairs);
    for (int k = 0; e->feats && k < e->npipes; k++)
        free(e->feats[k]);
    free(e->feats);
    free(e->nfeats);
    for (int w = 0; e->prep && w < e->jobs; w++) {
        for (int k = 0; e->prep[w] && k < e->npipes; k++) {
            for (size_t c = 0; e->prep[w][k] && c < d->controls[k].layer->n; c++)
                if (e->prep[w][k][c])
                    GEOSPreparedGeom_destroy_r(ctx->geos, e->prep[w][k][c]);
            free(e->prep[w][k]);
        }
        free(e->prep[w]);
    }
    free(e->prep);
}

/*
 * Run the phases of the header comment on d (results initialised) with
 * opts' --jobs workers.  `load` reads the controls first (phase 2); NULL
 * when d->controls are loaded.  Returns the failure of the first control
 * that could not be read, or a failure of memory; a footprint's own
 * failures are its verdict, not the run's.
 */
static rl_status engine_run(rl_ctx *ctx, rl_screen_data *d, const load_job *load)
{
    const int nc = npipes(d);
    engine e = {.d = d, .load = load, .npipes = nc};
    rl_status st = RL_OK;
    rl_pool *pool = rl_pool_new(ctx, d->opts->c.jobs);
    if (!pool)
        return ctx->status;
    e.jobs = rl_pool_jobs(pool);
    if ((st = rl_pool_run(pool, d->nres, task_footprint, &e)))
        goto cleanup;
    for (size_t i = 0; i < d->nfps; i++)
        rl_layer_recount(d->fps[i]);
    const size_t npairs = (size_t)nc * d->nres;
    e.pairs = calloc(npairs + 1, sizeof *e.pairs);
    e.feats = calloc((size_t)nc + 1, sizeof *e.feats);
    e.nfeats = calloc((size_t)nc + 1, sizeof *e.nfeats);
    e.prep = calloc((size_t)e.jobs, sizeof *e.prep);
    for (int w = 0; e.prep && w < e.jobs; w++)
        if (!(e.prep[w] = calloc((size_t)nc + 1, sizeof **e.prep)))
            break;
    if (!e.pairs || !e.feats || !e.nfeats || !e.prep || !e.prep[e.jobs - 1]) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    /* Reports the first control, in control order, that could not be read. */
    st = rl_pool_run_pipes(pool, nc, control_stages,
                           (int)(sizeof control_stages / sizeof *control_stages), &e);
cleanup:
    engine_free(ctx, &e);
    rl_pool_free(pool);
    return st;
}

static int is_linear_or_point(int t)
{
    return t == wkbPoint || t == wkbMultiPoint || t == wkbLineString ||
           t == wkbMultiLineString || t == wkbCircularString ||
           t == wkbCompoundCurve || t == wkbMultiCurve;
}

static const char *geom_type_name(int t)
{
    return OGRGeometryTypeToName((OGRwkbGeometryType)t);
}

/* A layer of several kinds says so: each feature is screened as its kind. */
static void linear_mixed_warning(rl_layer *L)
{
    size_t n[3] = {0, 0, 0};
    for (size_t j = 0; j < L->n; j++)
        if (L->feat[j].status == RL_FEAT_OK || L->feat[j].kind)
            n[L->feat[j].kind]++;
    if ((n[0] != 0) + (n[1] != 0) + (n[2] != 0) < 2)
        return;
    char m[1024];
    snprintf(m, sizeof m, "%s: layer '%s' mixes kinds of geometry (%zu polygons, %zu lines, "
             "%zu points): each feature is screened as its kind (geometry_type)",
             L->path, L->layer_name, n[0], n[1], n[2]);
    rl_strlist_add(&L->warnings, m);
}

/*
 * The footprints' envelopes in `crs`, padded: a transformed rectangle is not
 * a rectangle, so the corners and edge midpoints are taken and 1% added.
 */
static rl_envgrid *footprint_grid(rl_ctx *ctx, rl_layer *const *fps, size_t nfps,
                                  const rl_crs *crs, double reach, double bbox[4])
{
    size_t total = 0;
    for (size_t i = 0; i < nfps; i++)
        total += fps[i]->n;
    double (*env)[4] = malloc((total ? total : 1) * sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < nfps; i++) {
        const rl_layer *L = fps[i];
        PJ *pj = rl_crs_same(L->crs, crs) ? NULL : rl_ctx_pj(ctx, L->crs->def, crs->def);
        if (!rl_crs_same(L->crs, crs) && !pj) {
            free(env);
            return NULL;
        }
        for (size_t j = 0; j < L->n; j++) {
            const rl_feature *f = &L->feat[j];
            if (!f->geom)
                continue; /* no usable footprint: phase 1 made it an error */
            double fe[4] = {f->env[0], f->env[1], f->env[2], f->env[3]};
            if (reach > 0) /* --near, --rings: features that far away matter too */
                rl_reach_pad(L->crs, f->env, reach, fe);
            double x[8] = {fe[0], fe[2], fe[0], fe[2], (fe[0] + fe[2]) / 2,
                           (fe[0] + fe[2]) / 2, fe[0], fe[2]};
            double y[8] = {fe[1], fe[1], fe[3], fe[3], fe[1], fe[3], (fe[1] + fe[3]) / 2,
                           (fe[1] + fe[3]) / 2};
            if (pj)
                proj_trans_generic(pj, PJ_FWD, x, sizeof *x, 8, y, sizeof *y, 8, NULL, 0,
                                   0, NULL, 0, 0);
            double e[4] = {x[0], y[0], x[0], y[0]};
            int ok = 1;
            for (int p = 0; p < 8; p++) {
                ok &= isfinite(x[p]) && isfinite(y[p]) && x[p] != HUGE_VAL;
                e[0] = fmin(e[0], x[p]), e[1] = fmin(e[1], y[p]);
                e[2] = fmax(e[2], x[p]), e[3] = fmax(e[3], y[p]);
            }
            if (!ok) {
                /* Keep everything rather than risk losing a hit. */
                free(env);
                return NULL;
            }
            double pad = ((e[2] - e[0]) + (e[3] - e[1])) * 0.01 +
                         (crs->geographic ? 1e-5 : 1.0 / crs->unit_m);
            env[k][0] = e[0] - pad, env[k][1] = e[1] - pad;
            env[k][2] = e[2] + pad, env[k][3] = e[3] + pad;
            if (k == 0)
                memcpy(bbox, env[0], sizeof env[0]);
            bbox[0] = fmin(bbox[0], env[k][0]), bbox[1] = fmin(bbox[1], env[k][1]);
            bbox[2] = fmax(bbox[2], env[k][2]), bbox[3] = fmax(bbox[3], env[k][3]);
            k++;
        }
    }
    rl_envgrid *g = rl_envgrid_new((const double(*)[4])env, k);
    free(env);
    return g;
}

/* Index of L's features that have a geometry, by their envelopes. */
static rl_index *index_layer(rl_ctx *ctx, const rl_layer *L)
{
    double (*env)[4] = malloc((L->n + 1) * sizeof *env);
    size_t *items = malloc((L->n + 1) * sizeof *items);
    size_t n = 0;
    rl_index *idx = NULL;
    if (env && items) {
        for (size_t i = 0; i < L->n; i++) {
            const rl_feature *f = &L->feat[i];
            if (!f->wkb && !f->geom)
                continue; /* nothing to meet: its status says why */
            memcpy(env[n], f->env, sizeof env[n]);
            items[n++] = i;
        }
        idx = rl_index_new(ctx, (const double(*)[4])env, items, n);
    }
    free(env);
    free(items);
    return idx;
}

/*
 * Read control k, check it holds polygons and index it.  Returns RL_OK, or a
 * failure with its message in ctx.  Runs on any thread, with that thread's
 * ctx; writes control k only.
 */
static rl_status load_control(rl_ctx *ctx, const load_job *J, int k)
{
    const rl_screen_options *opts = J->opts;
    /*
     * Attributes are read for the hits only, after the overlays; but audit's
     * controls (no footprints yet) are shared read-only by the files screened
     * in parallel, so they get every attribute now: the hits' attrs and
     * --rules' attribute rules need them.
     */
    rl_input_opts io = {.assume_srs = opts->c.assume_srs, .encoding = opts->c.encoding,
                        .defer_repair = 1, .lazy_attrs = J->fps != NULL};
    rl_control *C = &J->cs[k];
    rl_envgrid *near = NULL;
    rl_layer *peek = NULL;
    double bbox[4] = {0, 0, 0, 0};
    if (J->nfps) {
        rl_input_opts po = io;
        po.peek = 1;
        if (rl_layer_read(ctx, C->spec.path, &po, &peek) == RL_OK && peek->crs)
            near = footprint_grid(ctx, J->fps, J->nfps, peek->crs,
                                  rl_screen_reach(J->opts), bbox);
        io.keep_near = near;
        io.keep_near_crs = near ? peek->crs : NULL;
        /* A shard's footprints are one stretch of a Hilbert order: close together. */
        if (J->shard && near)
            io.filter_rect = bbox;
    }
    rl_status st = rl_layer_read(ctx, C->spec.path, &io, &C->layer);
    if (st) {
        rl_fail(ctx, st, "control %s: %s", C->spec.name, rl_ctx_errmsg(ctx));
    } else if (rl_layer_sort_fid(C->layer)) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    } else if (J->shard) {
        /*
         * A shard sees a part of the layer: whether it is empty or holds
         * unusable features, merge decides, reading all of it.
         */
        if (C->rules)
            st = rl_rules_check_layer(ctx, C->rules_file, C->rules, C->layer);
        if (!st && !(C->index = index_layer(ctx, C->layer)))
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    } else if (is_linear_or_point(C->layer->geom_type)) {
        st = rl_fail(ctx, RL_ERR_INPUT,
                     "control %s: %s: layer '%s' holds %s geometries, not polygons",
                     C->spec.name, C->spec.path, C->layer->layer_name,
                     geom_type_name(C->layer->geom_type));
    } else if ((st = rl_layer_require_polygons(ctx, C->layer, "a control layer",
                                               opts->c.allow_empty)) ||
               (st = rl_layer_check_untrusted(ctx, C->layer, opts->c.skip_bad,
                                              "--skip-bad-controls"))) {
        /* An empty layer or an unusable feature would give a false all-clear. */
        rl_fail(ctx, st, "control %s: %s", C->spec.name, rl_ctx_errmsg(ctx));
    } else if (C->rules &&
               (st = rl_rules_check_layer(ctx, C->rules_file, C->rules, C->layer))) {
        /* A field the layer lacks: the rules file is wrong for this layer. */
    } else if (!(C->index = index_layer(ctx, C->layer))) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    }
    rl_envgrid_free(near);
    rl_layer_free(ctx, peek);
    return st;
}

/* Control table of opts with nothing loaded yet (specs borrowed). */
static rl_control *controls_new(const rl_screen_options *opts)
{
    rl_control *cs = calloc((size_t)opts->ncontrols + 1, sizeof *cs);
    for (int k = 0; cs && k < opts->ncontrols; k++) {
        cs[k].spec = opts->controls[k];
        cs[k].rules = rl_rules_find(opts->rules, cs[k].spec.name);
        cs[k].rules_file = opts->rules;
    }
    /* The DLTB of --landuse is read like a control of rule report. */
    if (cs && opts->landuse_path)
        cs[opts->ncontrols].spec = (rl_control_spec){"landuse", RL_RULE_REPORT, RL_SEV_WARN,
                                                     opts->landuse_path};
    return cs;
}

/*
 * Screening data d (footprints set, controls allocated) through the engine,
 * then the verdicts and the attributes of the hits.
 */
static rl_status screen_all(rl_ctx *ctx, rl_screen_data *d, const load_job *load);

rl_status rl_controls_load(rl_ctx *ctx, const rl_screen_options *opts,
                           rl_control **out, int *n)
{
    int nc = opts->ncontrols;
    rl_screen_data d = {.opts = opts, .ncontrols = nc, .controls = controls_new(opts)};
    rl_status st;
    *out = NULL;
    *n = 0;
    if (!d.controls)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    /* No footprints to screen: the engine only reads, side by side with --jobs. */
    load_job J = {opts, NULL, 0, d.controls, 0};
    st = engine_run(ctx, &d, &J);
    if (st == RL_OK) {
        *out = d.controls;
        *n = nc;
        d.controls = NULL;
    }
    rl_controls_free(ctx, d.controls, nc);
    return st;
}

void rl_controls_free(rl_ctx *ctx, rl_control *cs, int n)
{
    if (!cs)
        return;
    for (int k = 0; k < n; k++) {
        rl_index_free(ctx, cs[k].index);
        rl_layer_free(ctx, cs[k].layer);
    }
    free(cs);
}

/* One result per footprint feature, ids taken, figures still empty. */
static rl_status init_results(rl_ctx *ctx, rl_screen_data *d)
{
    const rl_screen_options *opts = d->opts;
    size_t total = 0;
    for (size_t i = 0; i < d->nfps; i++)
        total += d->fps[i]->n;
    d->out_crs = d->nfps ? d->fps[0]->crs : NULL;
    d->res = calloc(total ? total : 1, sizeof *d->res);
    if (!d->res)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < d->nfps; i++) {
        const rl_layer *L = d->fps[i];
        int idf = opts->id_field ? rl_layer_field_index(L, opts->id_field) : -1;
        for (size_t j = 0; j < L->n; j++) {
            rl_fp_result *r = &d->res[d->nres++];
            r->layer = i;
            r->feat = j;
            char buf[32];
            const char *id = NULL;
            if (idf >= 0 && L->feat[j].attrs)
                id = L->feat[j].attrs[idf];
            if (idf < 0) {
                snprintf(buf, sizeof buf, "%" PRId64, (int64_t)L->feat[j].fid);
                id = buf;
            }
            r->id = rl_strdup(id ? id : "");
            d->linear |= L->feat[j].kind != RL_KIND_POLYGON;
            r->ctl = calloc((size_t)d->ncontrols + 1, sizeof *r->ctl);
            if (!r->id || !r->ctl)
                return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        }
    }
    return RL_OK;
}

/*
 * --landuse, after the engine: each footprint's rows from its parcels'
 * attributes, rounded, and the run's total, in footprint order.  A
 * footprint whose DLTB overlay or figures failed is an error.
 */
/* Value of --use-field for footprint r ("" when null or no such field). */
static const char *use_value(const rl_screen_data *d, const rl_fp_result *r)
{
    const rl_layer *L = d->fps[r->layer];
    int fi = rl_layer_field_index(L, d->opts->use_field);
    const rl_feature *ft = &L->feat[r->feat];
    return fi >= 0 && ft->attrs && ft->attrs[fi] ? ft->attrs[fi] : "";
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * --use-field, after the engine: per control and value, the area of the
 * union of the overlaps of the footprints with that value (not errors).
 * Footprints that may share land kept their overlap's geometry (mark_shared);
 * where those are not proven apart, their union is measured instead of the
 * sum, so land two footprints share counts once.
 */
static rl_status use_conclude(rl_ctx *ctx, rl_screen_data *d)
{
    const size_t n = d->nres;
    rl_status st = RL_OK;
    const GEOSGeometry **gs = malloc((n + 1) * sizeof *gs);
    const char **v = malloc((n + 1) * sizeof *v);
    size_t nv = 0;
    if (!gs || !v) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        if (d->res[i].verdict != RL_V_ERROR)
            v[nv++] = use_value(d, &d->res[i]);
    if (nv > 1)
        qsort(v, nv, sizeof *v, cmp_cstr);
    size_t m = 0;
    for (size_t i = 0; i < nv; i++)
        if (!m || strcmp(v[i], v[m - 1]))
            v[m++] = v[i];
    d->use_vals = v, v = NULL;
    d->nuse = m;
    d->use_m2 = calloc((size_t)d->ncontrols * m + 1, sizeof *d->use_m2);
    d->use_count = calloc((size_t)d->ncontrols * m + 1, sizeof *d->use_count);
    if (!d->use_m2 || !d->use_count) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (int k = 0; k < d->ncontrols; k++)
        for (size_t j = 0; j < m; j++) {
            double sum = 0, kept = 0;
            size_t ng = 0, cnt = 0;
            const rl_crs *fcrs = NULL;
            for (size_t i = 0; i < n; i++) {
                const rl_fp_result *r = &d->res[i];
                const rl_fp_control *fc = &r->ctl[k];
                if (r->verdict == RL_V_ERROR || strcmp(use_value(d, r), d->use_vals[j]))
                    continue;
                sum += fc->overlap_m2;
                cnt += fc->overlap_m2 > 0;
                if (fc->keep_g) {
                    gs[ng++] = fc->keep_g;
                    kept += fc->overlap_m2;
                    if (!fcrs)
                        fcrs = d->fps[r->layer]->crs;
                }
            }
            if (ng > 1 && !rl_disjoint_fast(ctx, gs, ng)) {
                double a = 0;
                GEOSGeometry *u = rl_union_all(ctx, gs, ng, 0);
                if (!u) {
                    st = rl_fail(ctx, RL_ERR_GEOM, "union of overlaps failed: %s", ctx->geos_msg);
                    goto cleanup;
                }
                st = piece_area(ctx, d->opts->c.area, u, d->controls[k].layer->crs, fcrs, &a);
                GEOSGeom_destroy_r(ctx->geos, u);
                if (st)
                    goto cleanup;
                sum += a - kept;
            }
            d->use_m2[(size_t)k * m + j] = sum;
            d->use_count[(size_t)k * m + j] = cnt;
        }
cleanup:
    free(gs);
    free(v);
    return st;
}

static rl_status landuse_conclude(rl_ctx *ctx, rl_screen_data *d)
{
    const rl_screen_options *o = d->opts;
    const int k = d->ncontrols;
    const rl_layer *L = d->controls[k].layer;
    const int dec = rl_lu_decimals(o);
    rl_status st = rl_landuse_fields(ctx, L, o, d->lu_fields);
    for (size_t i = 0; !st && i < d->nres; i++) {
        rl_fp_result *r = &d->res[i];
        if (r->verdict == RL_V_ERROR)
            continue;
        if (r->ctl[k].failed) {
            set_error(r, d->fps[r->layer], r->ctl[k].error ? r->ctl[k].error : "out of memory");
            continue;
        }
        if (rl_landuse_tabulate(ctx, &r->lu, L, d->lu_fields, o->landuse_method)) {
            set_error(r, d->fps[r->layer], rl_ctx_errmsg(ctx));
            continue;
        }
        st = rl_landuse_round(ctx, &r->lu, o->landuse_method, o->c.units, dec);
    }
    rl_landuse **lus = st ? NULL : malloc((d->nres + 1) * sizeof *lus);
    if (!st && !lus)
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    if (!st) {
        for (size_t i = 0; i < d->nres; i++)
            lus[i] = &d->res[i].lu;
        rl_lu_measure ms = {o->c.area, L->crs, NULL, NULL};
        st = rl_landuse_total(ctx, &d->lu_total, lus, d->nres, &ms, L, d->lu_fields,
                              o->landuse_method);
    }
    free(lus);
    if (!st)
        st = rl_landuse_round(ctx, &d->lu_total, o->landuse_method, o->c.units, dec);
    return st;
}

static int cmp_class(const void *a, const void *b)
{
    const char *x = ((const rl_class_area *)a)->value, *y = ((const rl_class_area *)b)->value;
    if (!x || !y)
        return (x != NULL) - (y != NULL); /* null first */
    return strcmp(x, y);
}

/*
 * Footprint r's overlap with control k per value of field fi: the union of
 * the pieces of the hits of each value (counted once, as overlap_m2 is).
 * The pieces are spent afterwards.
 */
static rl_status classify_footprint(rl_ctx *ctx, const rl_screen_data *d, rl_fp_result *r,
                                    int k, int fi)
{
    GEOSContextHandle_t h = ctx->geos;
    const rl_layer *CL = d->controls[k].layer;
    rl_fp_control *fc = &r->ctl[k];
    rl_status st = RL_OK;
    const GEOSGeometry **g = calloc(fc->nhits + 1, sizeof *g);
    fc->classes = calloc(fc->nhits + 1, sizeof *fc->classes);
    if (!g || !fc->classes) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t j = 0; j < fc->nhits; j++) {
        const rl_feature *f = &CL->feat[fc->hits[j].feat];
        const char *v = f->attrs ? f->attrs[fi] : NULL;
        size_t c = 0;
        while (c < fc->nclasses && !((!v && !fc->classes[c].value) ||
                                     (v && fc->classes[c].value &&
                                      strcmp(v, fc->classes[c].value) == 0)))
            c++;
        if (c < fc->nclasses)
            continue; /* that value is done */
        rl_class_area *ca = &fc->classes[fc->nclasses++];
        if (v && !(ca->value = rl_strdup(v))) {
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        size_t n = 0;
        double sum = 0;
        for (size_t i = j; i < fc->nhits; i++) {
            const rl_feature *fi_ = &CL->feat[fc->hits[i].feat];
            const char *w = fi_->attrs ? fi_->attrs[fi] : NULL;
            if ((!v && !w) || (v && w && strcmp(v, w) == 0)) {
                g[n++] = fc->hits[i].cpiece;
                sum += fc->hits[i].overlap_m2;
            }
        }
        if (n == 1 || rl_disjoint_fast(ctx, g, n)) {
            ca->area_m2 = sum;
            continue;
        }
        GEOSGeometry *u = rl_union_all(ctx, g, n, 0);
        if (!u) {
            st = rl_fail(ctx, RL_ERR_GEOM, "union of %s overlaps failed: %s",
                         d->controls[k].spec.name, ctx->geos_msg);
            goto cleanup;
        }
        st = piece_area(ctx, d->opts->c.area, u, CL->crs, d->fps[r->layer]->crs, &ca->area_m2);
        GEOSGeom_destroy_r(h, u);
        if (st)
            goto cleanup;
    }
    qsort(fc->classes, fc->nclasses, sizeof *fc->classes, cmp_class);
cleanup:
    for (size_t j = 0; j < fc->nhits; j++)
        if (fc->hits[j].cpiece) {
            GEOSGeom_destroy_r(h, fc->hits[j].cpiece);
            fc->hits[j].cpiece = NULL;
        }
    free(g);
    return st;
}

/* --classify, after the engine: a footprint whose figures fail is an error. */
static rl_status classify_conclude(rl_ctx *ctx, rl_screen_data *d)
{
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        const char *field = rl_classify_field(d->opts, C->spec.name);
        if (!field)
            continue;
        int fi = rl_layer_field_index(C->layer, field);
        if (fi < 0) {
            char hint[RL_FIELD_HINT_MAX];
            return rl_fail(ctx, RL_ERR_USAGE, "--classify %s=%s: %s has no field '%s'%s",
                           C->spec.name, field, C->spec.path, field,
                           rl_layer_field_hint(C->layer, field, hint, sizeof hint));
        }
        for (size_t i = 0; i < d->nres; i++) {
            rl_fp_result *r = &d->res[i];
            if (r->verdict == RL_V_ERROR || r->ctl[k].failed)
                continue;
            if (classify_footprint(ctx, d, r, k, fi)) {
                if (ctx->status == RL_ERR_NOMEM)
                    return ctx->status;
                set_error(r, d->fps[r->layer], rl_ctx_errmsg(ctx));
            }
        }
    }
    return RL_OK;
}

/* Index of cell (x, y) of a 2^16 x 2^16 grid along the Hilbert curve. */
static uint64_t hilbert(uint32_t x, uint32_t y)
{
    uint64_t dd = 0;
    for (uint32_t sq = 1u << 15; sq > 0; sq >>= 1) {
        uint32_t rx = (x & sq) > 0, ry = (y & sq) > 0;
        dd += (uint64_t)sq * sq * ((3 * rx) ^ ry);
        if (ry == 0) { /* rotate the quadrant */
            if (rx == 1) {
                x = sq - 1 - (x & (sq - 1)) + (x & ~(sq - 1));
                y = sq - 1 - (y & (sq - 1)) + (y & ~(sq - 1));
            }
            uint32_t t = x & (sq - 1), u = y & (sq - 1);
            x = (x & ~(sq - 1)) | u;
            y = (y & ~(sq - 1)) | t;
        }
    }
    return dd;
}

typedef struct hkey {
    uint64_t h;
    size_t i;
} hkey;

static int cmp_hkey(const void *a, const void *b)
{
    const hkey *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/*
 * --shard I/N: which footprints this shard screens (d->own).  The
 * footprints, ordered along a Hilbert curve through their envelope centres
 * (in the first footprint layer's CRS), are cut into N stretches of about
 * equal weight (the vertices as read, plus a constant per footprint): a
 * footprint goes to the shard in whose share the middle of its weight
 * falls.  Every shard computes the same cut from the footprints alone.
 */
static rl_status shard_own(rl_ctx *ctx, rl_screen_data *d)
{
    const int index = d->opts->c.shard_index, count = d->opts->c.shard_count;
    const size_t n = d->nres;
    double *cx = malloc((n + 1) * 3 * sizeof *cx);
    hkey *key = malloc((n + 1) * sizeof *key);
    d->own = calloc(n + 1, 1);
    rl_status st = RL_OK;
    if (!cx || !key || !d->own) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto done;
    }
    double *cy = cx + n, *w = cy + n, total = 0;
    double e[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < n; i++) {
        const rl_layer *L = d->fps[d->res[i].layer];
        const rl_feature *f = &L->feat[d->res[i].feat];
        cx[i] = (f->env[0] + f->env[2]) / 2, cy[i] = (f->env[1] + f->env[3]) / 2;
        if (L->crs && d->out_crs && !rl_crs_same(L->crs, d->out_crs)) {
            PJ *pj = rl_ctx_pj(ctx, L->crs->def, d->out_crs->def);
            if (pj)
                proj_trans_generic(pj, PJ_FWD, &cx[i], sizeof *cx, 1, &cy[i], sizeof *cy, 1,
                                   NULL, 0, 0, NULL, 0, 0);
        }
        /* A footprint costs its vertices (16 bytes each as WKB) and a little besides. */
        w[i] = 64 + (double)(f->wkb ? f->wkb_len / 16 : 0);
        total += w[i];
        if (isfinite(cx[i]) && isfinite(cy[i]) && cx[i] != HUGE_VAL) {
            e[0] = fmin(e[0], cx[i]), e[1] = fmin(e[1], cy[i]);
            e[2] = fmax(e[2], cx[i]), e[3] = fmax(e[3], cy[i]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t gx = 0, gy = 0;
        if (isfinite(cx[i]) && isfinite(cy[i]) && cx[i] != HUGE_VAL) {
            double sx = e[2] > e[0] ? (cx[i] - e[0]) / (e[2] - e[0]) : 0;
            double sy = e[3] > e[1] ? (cy[i] - e[1]) / (e[3] - e[1]) : 0;
            gx = (uint32_t)fmin(65535, fmax(0, sx * 65535));
            gy = (uint32_t)fmin(65535, fmax(0, sy * 65535));
        }
        key[i] = (hkey){hilbert(gx, gy), i};
    }
    qsort(key, n, sizeof *key, cmp_hkey);
    double before = 0;
    for (size_t j = 0; j < n; j++) {
        size_t i = key[j].i;
        d->own[i] = rl_shard_of(before, w[i], total, j, n, count) == index;
        before += w[i];
    }
done:
    free(cx);
    free(key);
    return st;
}

/*
 * merge: each footprint's entry in the parts (d->from).  Every footprint
 * must be in exactly one part, and the parts must count as many as the
 * inputs hold; RL_ERR_USAGE naming the part otherwise.
 */
static rl_status merge_entries(rl_ctx *ctx, rl_screen_data *d)
{
    const rl_common_opts *c = &d->opts->c;
    if (!(d->from = calloc(d->nres + 1, sizeof *d->from)))
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    for (size_t p = 0; p < c->nparts; p++) {
        const rl_part *P = &c->parts[p];
        size_t nres = 0, r = 0;
        if (!rl_jv_size(rl_jv_get(P->root, "nres"), &nres) || nres != d->nres)
            return rl_fail(ctx, RL_ERR_USAGE, "%s: a shard of %zu footprints, but the "
                           "footprints given hold %zu: the inputs changed since the "
                           "shards ran", P->path, nres, d->nres);
        rl_jv fs = rl_jv_get(P->root, "footprints");
        for (size_t j = 0; j < rl_jv_len(fs); j++) {
            rl_jv f = rl_jv_at(fs, j);
            if (!rl_jv_size(rl_jv_get(f, "r"), &r) || r >= d->nres || d->from[r].id)
                return rl_fail(ctx, RL_ERR_USAGE, "%s: footprint entry %zu is %s", P->path,
                               j, r < d->nres ? "in another part too" : "not one of them");
            d->from[r] = f;
        }
    }
    return RL_OK;
}

/*
 * A shard's part: the footprints it screened, each with its pairs'
 * overlays in control order (null: not screened, e.g. the footprint is
 * unusable), in footprint order.
 */
static void shard_part(rl_screen_data *d)
{
    rl_buf *b = &d->part;
    const int np = npipes(d);
    rl_part_head(b, "screen", &d->opts->c);
    rl_buf_printf(b, ",\n \"nres\": %zu, \"npipes\": %d, \"read\": [", d->nres, np);
    /* What the spatial filter let through, per control: for docs/scale-out.md's table. */
    for (int k = 0; k < np; k++) {
        const rl_layer *CL = d->controls[k].layer;
        rl_buf_printf(b, "%s%zu", k ? ", " : "", CL ? CL->n + CL->nfar : 0);
    }
    rl_buf_puts(b, "],\n \"footprints\": [");
    int first = 1;
    for (size_t i = 0; i < d->nres; i++) {
        if (!d->own[i])
            continue;
        rl_buf_printf(b, "%s{\"r\": %zu, \"c\": [", first ? "\n  " : ",\n  ", i);
        first = 0;
        for (int k = 0; k < np; k++) {
            const char *f = d->frag[(size_t)k * d->nres + i];
            rl_buf_puts(b, k ? ", " : "");
            rl_buf_puts(b, f ? f : "null");
        }
        rl_buf_puts(b, "]}");
    }
    rl_buf_puts(b, "]");
}

static rl_status screen_all(rl_ctx *ctx, rl_screen_data *d, const load_job *load)
{
    rl_status st = init_results(ctx, d);
    if (!st && d->shard) {
        st = shard_own(ctx, d);
        if (!st && !(d->frag = calloc((size_t)npipes(d) * d->nres + 1, sizeof *d->frag)))
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    }
    if (!st && d->merge)
        st = merge_entries(ctx, d);
    if (st || (st = engine_run(ctx, d, load)))
        return st;
    if (d->shard) { /* the verdicts are merge's */
        shard_part(d);
        return RL_OK;
    }
    /* Control features were skipped (--skip-bad-controls): no verdict is final. */
    for (int k = 0; k < d->ncontrols; k++)
        d->provisional |= rl_layer_untrusted(d->controls[k].layer) > 0;
    if (d->opts->use_field && (st = use_conclude(ctx, d)))
        return st;
    if (d->opts->landuse_path && (st = landuse_conclude(ctx, d)))
        return st;
    if (d->opts->nclassify && (st = classify_conclude(ctx, d)))
        return st;
    if ((st = rules_conclude(ctx, d)))
        return st;
    for (size_t i = 0; i < d->nres; i++)
        conclude(d, &d->res[i]);
    for (size_t i = 0; i < d->nres; i++)
        d->counts[d->res[i].verdict]++;
    return RL_OK;
}

rl_status rl_screen_run(rl_ctx *ctx, rl_screen_data *d)
{
    return screen_all(ctx, d, NULL);
}

static void free_screen(rl_ctx *ctx, void *data);

static rl_status write_screen(rl_ctx *ctx, const void *data, FILE *f)
{
    const rl_screen_data *d = data;
    if (d->shard) /* a shard writes its part, built by screen_all */
        return rl_part_write(ctx, (rl_buf *)&d->part, f);
    return rl_write_screen(ctx, data, f);
}

static rl_status write_screen_pieces(rl_ctx *ctx, const void *data, const char *path)
{
    return rl_write_screen_pieces(ctx, data, path);
}

/* 2 when a footprint could not be processed, else 1 on any conflict. */
static int screen_exit_code(const void *data)
{
    const rl_screen_data *d = data;
    if (d->counts[RL_V_ERROR])
        return 2;
    return d->counts[RL_V_CONFLICT] ? 1 : 0;
}

static const rl_strlist *screen_warnings(const void *data)
{
    return &((const rl_screen_data *)data)->warnings;
}

static const rl_report_ops screen_ops = {sizeof(rl_screen_data), free_screen, write_screen,
                                         write_screen_pieces, screen_exit_code,
                                         screen_warnings};

/* No output of opts may land on a footprint file or a control layer. */
static rl_status check_outputs(rl_ctx *ctx, const rl_screen_options *opts)
{
    size_t n = (size_t)opts->nfootprints + (size_t)opts->ncontrols;
    const char **inputs = malloc((n + 2) * sizeof *inputs);
    if (!inputs)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    for (int i = 0; i < opts->nfootprints; i++)
        inputs[i] = opts->footprints[i];
    for (int k = 0; k < opts->ncontrols; k++)
        inputs[opts->nfootprints + k] = opts->controls[k].path;
    inputs[n] = opts->landuse_path; /* NULL: skipped */
    inputs[n + 1] = opts->rules_path;
    rl_status st = rl_outputs_check(ctx, &opts->c, inputs, n + 2, NULL);
    /* --landuse-csv is checked as an -o of its own. */
    rl_common_opts lc = {.out_path = opts->landuse_csv};
    if (!st && opts->landuse_csv)
        st = rl_outputs_check(ctx, &lc, inputs, n + 2, NULL);
    free(inputs);
    return st;
}

rl_status rl_screen(rl_ctx *ctx, const rl_screen_options *opts, rl_report **out)
{
    rl_status st = RL_OK;
    *out = NULL;
    rl_report *rep = rl_report_new(ctx, &screen_ops, &opts->c);
    if (!rep)
        return ctx->status;
    rl_screen_data *d = rep->data;
    d->opts = opts;
    /* A corrupt footprint record is that footprint's error, not the run's. */
    rl_input_opts io = {.assume_srs = opts->c.assume_srs, .encoding = opts->c.encoding,
                        .defer_repair = 1, .keep_unreadable = 1,
                        .keep_lines = rl_linear_wanted(opts)};

    if ((st = check_outputs(ctx, opts)))
        goto fail;
    d->fps = calloc((size_t)opts->nfootprints, sizeof *d->fps);
    d->controls = controls_new(opts);
    if (!d->fps || !d->controls) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    d->ncontrols = opts->ncontrols;
    d->shard = opts->c.shard_count > 0;
    d->merge = opts->c.parts != NULL;
    for (int i = 0; i < opts->nfootprints; i++) {
        st = rl_layer_read(ctx, opts->footprints[i], &io, &d->fps[i]);
        d->nfps = (size_t)i + 1;
        if (st)
            goto fail;
        rl_layer *L = d->fps[i];
        if (!io.keep_lines && is_linear_or_point(L->geom_type)) {
            st = rl_fail(ctx, RL_ERR_INPUT,
                         "%s: layer '%s' holds %s geometries; footprints must "
                         "be polygons (for lines give --line-width, for points "
                         "--point-size or --point-radius: docs/linear.md)",
                         L->path, L->layer_name, geom_type_name(L->geom_type));
            goto fail;
        }
        if (io.keep_lines && (st = rl_linear_check_fields(ctx, L, opts)))
            goto fail;
        if (opts->use_field && rl_layer_field_index(L, opts->use_field) < 0) {
            char hint[RL_FIELD_HINT_MAX];
            st = rl_fail(ctx, RL_ERR_USAGE, "%s: no field '%s' for --use-field%s", L->path,
                         opts->use_field,
                         rl_layer_field_hint(L, opts->use_field, hint, sizeof hint));
            goto fail;
        }
        linear_mixed_warning(L);
        if ((st = rl_layer_require_polygons(ctx, L, "footprints", opts->c.allow_empty)))
            goto fail;
        if (opts->id_field && rl_layer_field_index(L, opts->id_field) < 0) {
            char hint[RL_FIELD_HINT_MAX];
            st = rl_fail(ctx, RL_ERR_USAGE, "%s: no field '%s' for --id-field%s",
                         L->path, opts->id_field,
                         rl_layer_field_hint(L, opts->id_field, hint, sizeof hint));
            goto fail;
        }
    }
    /* Controls after footprints: only features near a footprint are kept. */
    load_job J = {opts, d->fps, d->nfps, d->controls, d->shard};
    if ((st = screen_all(ctx, d, &J)))
        goto fail;
    /* Control text is decoded in the attributes phase: collect after it. */
    for (size_t i = 0; i < d->nfps; i++)
        rl_warnings_add_layer(&d->warnings, d->fps[i]);
    for (int k = 0; k < d->ncontrols; k++)
        rl_warnings_add_layer(&d->warnings, d->controls[k].layer);
    if (opts->c.pieces_path)
        rl_screen_pieces_warnings(d, opts->c.pieces_path);
    *out = rep;
    return RL_OK;
fail:
    rl_report_free(rep);
    return st ? st : RL_ERR_INTERNAL;
}

void rl_screen_results_free(rl_ctx *ctx, rl_screen_data *d)
{
    if (!d)
        return;
    GEOSContextHandle_t h = ctx->geos;
    for (size_t i = 0; i < d->nres; i++) {
        rl_fp_result *r = &d->res[i];
        free(r->id);
        free(r->error);
        for (size_t j = 0; j < r->nreasons; j++)
            free(r->reasons[j]);
        free(r->reasons);
        rl_landuse_clear(ctx, &r->lu);
        rl_linear_info_clear(ctx, &r->lin);
        /*
         * r->ctl has a slot past the controls (init_results), the DLTB's
         * with --landuse and zeroed otherwise: freed without asking d->opts,
         * which audit lets go out of scope first.
         */
        if (r->ctl) {
            for (int k = 0; k <= d->ncontrols; k++) {
                for (size_t j = 0; j < r->ctl[k].nhits; j++) {
                    if (r->ctl[k].hits[j].piece)
                        GEOSGeom_destroy_r(h, r->ctl[k].hits[j].piece);
                    if (r->ctl[k].hits[j].cpiece)
                        GEOSGeom_destroy_r(h, r->ctl[k].hits[j].cpiece);
                    free(r->ctl[k].hits[j].reason);
                }
                for (size_t j = 0; j < r->ctl[k].nclasses; j++)
                    free(r->ctl[k].classes[j].value);
                free(r->ctl[k].classes);
                free(r->ctl[k].hits);
                free(r->ctl[k].cross);
                free(r->ctl[k].rings);
                free(r->ctl[k].error);
                if (r->ctl[k].keep_g)
                    GEOSGeom_destroy_r(h, r->ctl[k].keep_g);
            }
            free(r->ctl);
        }
    }
    free(d->res);
    d->res = NULL;
    d->nres = 0;
    free(d->use_vals);
    free(d->use_m2);
    free(d->use_count);
    d->use_vals = NULL, d->use_m2 = NULL, d->use_count = NULL, d->nuse = 0;
    if (d->fps) {
        for (size_t i = 0; i < d->nfps; i++)
            rl_layer_free(ctx, d->fps[i]);
        free(d->fps);
        d->fps = NULL;
    }
}

static void free_screen(rl_ctx *ctx, void *data)
{
    rl_screen_data *d = data;
    if (!d)
        return;
    for (size_t t = 0; d->frag && t < (size_t)npipes(d) * d->nres; t++)
        free(d->frag[t]);
    free(d->frag);
    free(d->own);
    free(d->from);
    rl_buf_free(&d->part);
    rl_screen_results_free(ctx, d);
    rl_landuse_clear(ctx, &d->lu_total);
    /* controls_new() made one slot more: the DLTB's, or zeroed. */
    rl_controls_free(ctx, d->controls, d->controls ? d->ncontrols + 1 : 0);
    rl_strlist_free(&d->warnings);
}
