/*
 * index.h -- finding what is near: the footprint-envelope grid that
 * filters control features as they are read (envgrid.c), the STRtree over
 * a layer (index.c) and the ring index of big polygons (ringidx.c).
 */
#ifndef RL_INDEX_H
#define RL_INDEX_H

#include "geometry/geometry.h"

/* ---- rectangle filter (envgrid.c) ---- */

typedef struct rl_envgrid rl_envgrid;
/* Grid over n rectangles {minx, miny, maxx, maxy} (copied).  NULL: no memory. */
rl_envgrid *rl_envgrid_new(const double (*env)[4], size_t n);
void rl_envgrid_free(rl_envgrid *g);
/* 1 if rectangle e meets (touches included) any of the grid's rectangles. */
int rl_envgrid_hits(const rl_envgrid *g, const double e[4]);

/* ---- ring index (ringidx.c) ---- */

/*
 * Envelopes of runs of consecutive segments of a polygonal geometry's rings:
 * enough to tell, without walking every vertex, whether a rectangle lies
 * clear inside or clear outside a big control polygon.
 */
typedef struct rl_ringidx rl_ringidx;
/* rl_feature_prepare() indexes geometries with at least this many vertices. */
#define RL_RINGIDX_MIN_VERTICES 512
typedef enum { RL_LOC_CROSSES = 0, RL_LOC_INSIDE, RL_LOC_OUTSIDE } rl_loc;
/*
 * Index of valid polygonal g, which is borrowed and must outlive the index.
 * NULL when out of memory or g is not polygonal.
 */
rl_ringidx *rl_ringidx_new(rl_ctx *ctx, const GEOSGeometry *g);
void rl_ringidx_free(rl_ringidx *ri);
/*
 * Where the closed rectangle r (minx, miny, maxx, maxy) lies: RL_LOC_INSIDE
 * when it is within g's interior, RL_LOC_OUTSIDE when it misses g entirely,
 * RL_LOC_CROSSES when some boundary segment's envelope meets it or a
 * predicate was too close to call.  Safe from several threads at once.
 */
rl_loc rl_ringidx_locate(rl_ctx *ctx, const rl_ringidx *ri, const double r[4]);
/*
 * The polygon of ri as seen from inside rectangle r, as one open ring: when
 * exactly one ring meets r and r lies outside every other ring, that ring
 * with each run that misses r cut to its chord (which changes nothing inside
 * r).  Writes x,y pairs to *buf (grown as needed, *cap in points); returns
 * the number of points, 0 when the polygon does not allow this.
 */
size_t rl_ringidx_near(rl_ctx *ctx, const rl_ringidx *ri, const double r[4],
                       double **buf, size_t *cap);

/* ---- spatial index (index.c) ---- */

typedef struct rl_index rl_index;
/*
 * STRtree over n rectangles {minx, miny, maxx, maxy}: env[j] is the
 * rectangle of item items[j] (both copied).  Built here, so that queries
 * only read it.  NULL when out of memory.
 */
rl_index *rl_index_new(rl_ctx *ctx, const double (*env)[4], const size_t *items, size_t n);
void rl_index_free(rl_ctx *ctx, rl_index *idx);
/*
 * Items whose rectangle meets g's envelope, ascending.  *out is
 * malloc'd (free it).  Reads the index only (rl_index_new built the tree),
 * so several threads may query one index at once, each with its own GEOS
 * handle h.  Returns count, or (size_t)-1 when out of memory.
 */
size_t rl_index_query(const rl_index *idx, GEOSContextHandle_t h,
                      const GEOSGeometry *g, size_t **out);

#endif
