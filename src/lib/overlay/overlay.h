/*
 * overlay.h -- footprints and layers laid over each other: GEOS overlays
 * with the snap-rounding fallback and a covers test of bounded cost
 * (overlay.c), the convex clipper (clip.c), a big polygon cut into small
 * pieces (cut.c), the certificate that pieces share no point (disjoint.c),
 * the tiled overlay of whole layers (tiles.c) and self-overlap
 * (selfoverlap.c).
 */
#ifndef RL_OVERLAY_H
#define RL_OVERLAY_H

#include "measure/measure.h"

/* ---- overlays (overlay.c) ---- */

/*
 * One MultiPolygon of copies of the polygons of gs[0..n-1] (borrowed; NULL
 * entries skipped), with no overlay: the caller knows they do not overlap.
 * NULL when out of memory.
 */
GEOSGeometry *rl_multipolygon_of(rl_ctx *ctx, const GEOSGeometry *const *gs, size_t n);
/*
 * a ∩ b, or a − b with `difference`, polygonal part (a, b borrowed); NULL
 * on GEOS failure.  Fallback to snap-rounding as for rl_union_all.
 */
GEOSGeometry *rl_overlay2(rl_ctx *ctx, const GEOSGeometry *a, const GEOSGeometry *b,
                          double grid, int difference);
/*
 * Union of the polygonal geometries (borrowed); NULL on GEOS failure.  The
 * floating overlay first; with grid > 0, where it fails, snap-rounding to
 * that grid (OverlayNG fixed precision), which is slower.
 */
GEOSGeometry *rl_union_all(rl_ctx *ctx, const GEOSGeometry *const *gs,
                           size_t n, double grid);

/* ---- containment (overlay.c) ---- */

/*
 * Past this many rings in the two inputs together, a GEOS covers test is not
 * asked: where the boundaries meet it falls back to a full relate whose cost
 * is rings x shared vertices (quadratic for a footprint with thousands of
 * holes screened against an identical control: 269 s at 50,000 holes).
 */
#define RL_RELATE_MAX_RINGS 64

/*
 * 1 when polygonal a (prepared as pa; both borrowed) certainly covers
 * polygonal b, 0 when that is not proven (not covered, too costly to ask,
 * or a GEOS error): then overlay them.  Never costs more than linear times
 * RL_RELATE_MAX_RINGS: with more rings it asks only whether b lies in a's
 * interior (when a has few rings) and whether b is a's copy vertex for
 * vertex.  Adds the cost of the full relates it allowed to ctx->relate_work.
 */
int rl_covers_fast(rl_ctx *ctx, const GEOSPreparedGeometry *pa, const GEOSGeometry *a,
                   const GEOSGeometry *b);

/* ---- convex clipping (clip.c) ---- */

/*
 * a ∩ b for two hole-free polygons, one of them convex with at most 64
 * vertices, the other with at most 4 096 (clip.c).  Returns the intersection as a new valid polygon, an
 * empty polygon when they do not overlap, or NULL when this shortcut does not
 * apply or cannot certify its result: then overlay with GEOS.  Planar, in
 * the inputs' common coordinates.
 */
GEOSGeometry *rl_clip_small(rl_ctx *ctx, const GEOSGeometry *a, const GEOSGeometry *b);
/*
 * convex ∩ the region of open ring s (ns points, ring s may cross itself
 * outside convex): as rl_clip_small, for a convex hole-free polygon of at
 * most 64 vertices; NULL when convex is not one or the result is not
 * certified valid.
 */
GEOSGeometry *rl_clip_ring(rl_ctx *ctx, const GEOSGeometry *convex, const double *s,
                           size_t ns);

/* ---- a big polygon cut into small pieces (cut.c) ---- */

typedef struct rl_cut rl_cut;

/*
 * Polygonal g (borrowed, valid) cut by a quadtree of rectangles into pieces
 * of a few hundred vertices, for many overlays with small polygons: costs
 * about a few overlays of g.  NULL on GEOS failure or when out of memory
 * (then overlay g whole).  Free with rl_cut_free(); NULL is a no-op.
 */
rl_cut *rl_cut_new(rl_ctx *ctx, const GEOSGeometry *g);
void rl_cut_free(rl_ctx *ctx, rl_cut *c);
/*
 * g ∩ b (b borrowed), from the pieces of g whose cell meets b's envelope: a
 * new polygonal geometry, empty when they do not overlap; NULL on GEOS
 * failure.  Costs the overlays of b with those pieces, not a walk over g.
 */
GEOSGeometry *rl_cut_overlay(rl_ctx *ctx, const rl_cut *c, const GEOSGeometry *b);

/* ---- pieces apart (disjoint.c) ---- */

/*
 * 1 when the n valid polygonal geometries g[] certainly share no point, so
 * the area of their union is the sum of their areas; 0 when that is not
 * proven (they meet, a predicate is too close to call, or there are too many
 * segment pairs to test).  Planar, in the geometries' own coordinates; uses
 * the context's valid.c scratch (valid.c).
 */
int rl_disjoint_fast(rl_ctx *ctx, const GEOSGeometry *const *g, size_t n);

/* ---- tiled layer overlay (tiles.c) ---- */

typedef struct rl_tile_in {
    const GEOSGeometry *const *g; /* borrowed; NULL entries are skipped */
    const size_t *group;          /* group of each, or NULL (all group 0) */
    size_t n;
} rl_tile_in;

typedef struct rl_tile_fig {
    double old_m2, new_m2, lost_m2, gained_m2, old_self_m2, new_self_m2;
} rl_tile_fig;

/*
 * One cell of the transition matrix (diff --by): area whose value was group
 * `from` in OLD and group `to` in NEW; ngroups stands for "none" (area only
 * in NEW as from, only in OLD as to).
 */
typedef struct rl_transition {
    size_t from, to;
    double area_m2;
    GEOSGeometry *g; /* its pieces (from != to), with RL_TRANS_PIECES; else NULL */
} rl_transition;

enum { RL_TRANS_NONE = 0, RL_TRANS_FIGURES = 1, RL_TRANS_PIECES = 2 };

typedef struct rl_tile_out {
    rl_tile_fig total;
    rl_transition *trans;              /* by (from, to); cells of area > 0 */
    size_t ntrans;
    rl_tile_fig *groups;               /* ngroups */
    GEOSGeometry **lost, **gained;     /* [ngroups + 1], last = total; pieces */
    size_t scopes, unchanged_scopes;   /* leaf scopes; those the same in both */
} rl_tile_out;

/*
 * Union areas of `old` and `nw` (both in crs), lost = area(old − new), gained
 * = area(new − old) and self-overlaps (area covered twice or more), in total
 * and per group, summed over a quadtree of disjoint rectangles; `jobs`
 * threads, identical figures for any jobs.  Per-group self-overlaps only
 * with group_self.  Lost and gained geometries only with want_pieces.
 *
 * With transitions (RL_TRANS_FIGURES, or RL_TRANS_PIECES for the changed
 * pieces too) the matrix of (old group, new group) areas: each version is
 * first made a partition, a point covered by features of several groups
 * taking the group first in key order, so no area counts twice; a cell is the
 * area of old partition ∩ new partition, and the cells of one old group add
 * up to its partition's area.  Features that are the same shape in both
 * versions pair up without an overlay.
 * progress (NULL: none) is told of the root cells done, from the workers,
 * one call at a time, at most about five times a second besides the first
 * and the last; it never changes the figures.
 * Free with rl_tile_out_free().
 */
rl_status rl_tiled_overlay(rl_ctx *ctx, const rl_tile_in *old, const rl_tile_in *nw,
                           size_t ngroups, const rl_crs *crs, rl_area_method m,
                           int want_pieces, int group_self, int transitions, int jobs,
                           rl_progress_fn progress, void *progress_data,
                           rl_tile_out *out);
/*
 * Sharded runs of the tiled overlay (docs/scale-out.md).  Shard (count >
 * 0): only the root cells of shard `index` are computed (the cells, in
 * cell order, cut into `count` contiguous runs of about equal vertex
 * weight), and each one's exact result is appended to `part` as the
 * elements of a JSON array; `out` then holds nothing the caller may use.
 * Merge (parts != NULL): no cell is computed; each cell's result is read
 * from the "cells" arrays of the n parts, and summed as an unsharded run
 * sums it, so `out` is the same bit for bit.  RL_ERR_USAGE naming the part
 * when a cell is missing, twice, or does not fit these inputs.
 */
typedef struct rl_tile_shard {
    int index, count;
    rl_buf *part;
    const rl_part *parts;
    size_t nparts;
} rl_tile_shard;
rl_status rl_tiled_overlay_shard(rl_ctx *ctx, const rl_tile_in *old, const rl_tile_in *nw,
                                 size_t ngroups, const rl_crs *crs, rl_area_method m,
                                 int want_pieces, int group_self, int transitions, int jobs,
                                 rl_progress_fn progress, void *progress_data,
                                 const rl_tile_shard *sh, rl_tile_out *out);
void rl_tile_out_free(rl_ctx *ctx, rl_tile_out *out, size_t ngroups);

/* ---- self-overlap (selfoverlap.c) ---- */

/*
 * Area covered by two or more of the geometries gs[0..n-1] (borrowed, all in
 * `crs`): the union of their pairwise intersections, measured by `m`.  With
 * grid > 0, overlays that fail in floating point snap-round to that grid.
 */
rl_status rl_self_overlap(rl_ctx *ctx, const GEOSGeometry *const *gs, size_t n,
                          const rl_crs *crs, rl_area_method m, double grid,
                          double *area);

#endif
