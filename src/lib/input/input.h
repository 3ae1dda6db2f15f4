/*
 * input.h -- reading: CRSs (crs.c), layers, their features, attributes
 * and encodings (layer.c), and grouping features by an attribute
 * (groups.c).
 */
#ifndef RL_INPUT_H
#define RL_INPUT_H

#include "index/index.h"
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <geodesic.h>

/* ---- CRS (crs.c) ---- */

typedef struct rl_crs {
    OGRSpatialReferenceH srs; /* traditional GIS axis order; main thread */
    char *def;      /* WKT2 definition, for PROJ in any thread */
    char *geog_def; /* WKT2 of its geographic CRS */
    char *name;     /* "EPSG:4527" or the CRS name */
    int geographic;
    double a, f;    /* ellipsoid of the geographic CRS */
    double unit_m;  /* metres per linear unit (projected CRSs) */
    struct geod_geodesic geod;
} rl_crs;

/* Build from an SRS (cloned; the caller keeps its own). NULL on failure. */
rl_crs *rl_crs_new(rl_ctx *ctx, OGRSpatialReferenceH srs);
/* Build from user input (EPSG:4527, WKT, PROJ string...). */
rl_crs *rl_crs_from_user(rl_ctx *ctx, const char *text);
void rl_crs_free(rl_crs *crs);
int rl_crs_same(const rl_crs *a, const rl_crs *b);
/*
 * Transformation between two definitions, cached in ctx (borrowed).  Axis
 * order is normalised for visualisation: x = easting/longitude.
 */
PJ *rl_ctx_pj(rl_ctx *ctx, const char *src_def, const char *dst_def);
/* A copy of g with every coordinate transformed; NULL + message on error. */
GEOSGeometry *rl_geom_transform(rl_ctx *ctx, const GEOSGeometry *g, PJ *pj);
/*
 * As rl_geom_transform for polygonal g (other types: plain transform), but
 * the result follows g's edges, straight in `from`, to within tol_m metres
 * in `to`: where an edge's image bends more than that, every edge of the
 * ring is cut in equal steps before the transform (crs.c, dense_ring).
 * Most cut points' images are placed on quadratics through exactly
 * transformed points, checked to within tol_m / 10 across the edge's
 * image (crs.c, dense_edge).  NULL + message on error.
 */
GEOSGeometry *rl_geom_transform_dense(rl_ctx *ctx, const GEOSGeometry *g, PJ *pj,
                                      const rl_crs *from, const rl_crs *to, double tol_m);
/*
 * The tolerance screen uses when it brings a footprint into a control's
 * CRS.  The area between the followed edges and the chords is at most
 * 2/3 * perimeter * tol (1.3e-4 m2 per km), and with equal steps it mostly
 * cancels: measured <= 1.8e-9 relative on 300 random footprints of 600 m2
 * to 60 km2, the level of the overlay grid's own rounding.
 */
#define RL_DENSIFY_TOL_M 2e-7
/*
 * Definition of the Gauss-Krüger 3-degree zone (k = 1, x0 = 500 km) on the
 * crs's own ellipsoid whose central meridian is nearest to lon.
 * Writes into buf; returns buf.
 */
char *rl_gk_zone_def(const rl_crs *crs, double lon, char *buf, size_t n);

/*
 * Where coordinates in crs can be trusted: the box (minx, miny, maxx, maxy,
 * in crs's own units) of crs's area of use widened by RL_DOMAIN_MARGIN_DEG
 * degrees on every side, projected into crs.  The area of use is crs's own,
 * else that of the EPSG entry crs names; a geographic crs without one has
 * the whole globe; a projected crs without one, or whose widened area will
 * not project, has |x|, |y| <= RL_DOMAIN_MAX_M metres.  A coordinate outside
 * the box is "far outside the area of use": no overlay or area built on it
 * can be trusted (GEOS and PROJ lose all precision on 1e20 m, and a Gauss-
 * Krüger plane means nothing 10 degrees off its meridian).  Writes a
 * sentence saying which box into desc (for messages).  Leaves ctx's last
 * error as it was.  Never fails: the fallback box always exists.
 */
#define RL_DOMAIN_MARGIN_DEG 3.0
#define RL_DOMAIN_MAX_M 1e8
void rl_crs_domain(rl_ctx *ctx, const rl_crs *crs, double box[4], char *desc, size_t n);

/* ---- layers (layer.c) ---- */

typedef struct rl_feature {
    long long fid;
    GEOSGeometry *geom; /* valid, polygonal, in the layer CRS; NULL if bad */
    rl_feat_status status;
    int repaired;
    char *invalid_why;   /* GEOS's reason it was invalid as read (repaired); NULL: none */
    unsigned char *wkb;  /* the geometry as read, until rl_feature_prepare */
    size_t wkb_len;
    double env[4];       /* minx, miny, maxx, maxy of the geometry */
    struct rl_ringidx *ridx; /* for big geometries, set with geom by rl_feature_prepare */
    char **attrs;       /* nfields UTF-8 strings, NULL for null fields */
    /*
     * With keep_lines: RL_KIND_LINE or RL_KIND_POINT for a line or point
     * kept as WKB (status OK) until linear/ turns it into a polygon.
     */
    int kind;
} rl_feature;

/* What a feature held as read (rl_feature.kind). */
enum { RL_KIND_POLYGON = 0, RL_KIND_LINE, RL_KIND_POINT };

typedef struct rl_layer {
    char *path;       /* as the user gave it, secrets masked (rl_redact): for display */
    char *layer_name;
    rl_crs *crs;
    int crs_assumed;  /* CRS came from --assume-srs */
    int nfields;
    char **fields;    /* UTF-8 field names */
    size_t n;         /* features kept in feat */
    rl_feature *feat;
    size_t nfar;      /* features read but not kept: no footprint near (keep_near) */
    char *encoding;   /* how text was decoded, e.g. "GBK (.cpg)" */
    int encoding_guessed;
    int shx_rebuilt;  /* .shx was missing and rebuilt in memory */
    /* With lazy_attrs: how to open the dataset again. */
    char *reopen;     /* dataset name given to GDAL */
    int raw_text;     /* a shapefile, opened with ENCODING="" (decode_text decodes) */
    char *forced_encoding; /* iconv name raw text is decoded from; NULL: guess */
    /* Text that did not decode (U+FFFD put in), one message per value. */
    rl_strlist warnings;
    size_t text_bad;  /* values and field names with bytes replaced */
    int attrs_pending;
    int geom_type;    /* OGRwkbGeometryType of the layer, flattened */
    size_t repaired;
    size_t bad;       /* features whose status is not OK */
    /* Records GDAL returned with a read error (keep_unreadable only). */
    size_t unreadable;
    long long unreadable_fid; /* the first of them */
    char *unreadable_msg;     /* GDAL's message for it */
    /*
     * Where its coordinates can be trusted (rl_crs_domain), and in words;
     * desc NULL when the layer has no CRS (audit) or was only peeked at.
     */
    double domain[4];
    char *domain_desc;
    int empty_accepted; /* empty, and accepted with --allow-empty */
} rl_layer;

typedef struct rl_input_opts {
    const char *assume_srs; /* for layers without a CRS; may be NULL */
    const char *encoding;   /* for shapefiles without .cpg/LDID; NULL */
    int allow_no_crs;       /* audit: read a layer without CRS (crs NULL) */
    /*
     * screen: keep each feature's WKB and leave its conversion, validity
     * check and repair to rl_feature_prepare(), so that a phase of the
     * screen engine does it in parallel, and huge control layers only pay
     * for the features that meet a footprint.
     */
    int defer_repair;
    /*
     * screen's controls: read no attributes now; rl_layer_fetch_attrs()
     * reads them later for the few features that are hits.
     */
    int lazy_attrs;
    /*
     * screen's controls: features whose envelope meets none of these
     * rectangles (the footprints' envelopes in this layer's CRS) are counted
     * but not kept; NULL keeps all.  Needs the layer's CRS known: see
     * filter_crs.
     */
    const rl_envgrid *keep_near;
    const rl_crs *keep_near_crs; /* the rectangles' CRS; must equal the layer's */
    int peek;                    /* open, read CRS and fields, no features */
    /*
     * Footprints: a record GDAL cannot decode (a corrupt or truncated file)
     * becomes a feature with status RL_FEAT_UNREADABLE, and reading goes on.
     * Otherwise such a record fails the read, naming the file and the FID:
     * a control layer with a feature missing would give wrong figures.
     */
    int keep_unreadable;
    /*
     * screen's and audit's footprints with --line-width or --point-size
     * &c.: a line or point feature is kept as WKB with its kind set (as with
     * defer_repair), not made RL_FEAT_NOT_POLYGON (docs/linear.md).
     */
    int keep_lines;
    /*
     * A shard of screen (--shard): GDAL's spatial filter with this
     * rectangle (minx, miny, maxx, maxy in the layer's CRS), so that a
     * driver with a spatial index (GeoPackage, FlatGeobuf, PostGIS) reads
     * only the features near the shard's footprints; NULL reads all.
     */
    const double *filter_rect;
} rl_input_opts;

/*
 * The iconv name of an encoding as users and .cpg files write it, into out
 * (n bytes): GDAL's spellings are accepted (a bare code page "936" ->
 * CP936, "LDID/77" -> CP936, "8859-5" -> ISO-8859-5, "UTF8" -> UTF-8) and
 * any name iconv knows (GBK, GB2312, GB18030, BIG5...).  Returns 1, or 0
 * when iconv cannot decode it to UTF-8 (or it does not fit).
 */
int rl_encoding_resolve(const char *name, char *out, size_t n);

/*
 * Open PATH (optionally "PATH|layername=NAME" or "PATH|layerid=N"; a plain
 * .zip path is read through /vsizip/) and read every feature: geometry
 * converted to GEOS, repaired with MakeValid when invalid, attributes decoded
 * to UTF-8.  Returns RL_OK and a new layer, or a failure naming the file.
 */
rl_status rl_layer_read(rl_ctx *ctx, const char *path,
                        const rl_input_opts *io, rl_layer **out);
void rl_layer_free(rl_ctx *ctx, rl_layer *layer);
int rl_layer_field_index(const rl_layer *layer, const char *name);
/*
 * What to say after "no field 'NAME'": "; did you mean 'XMBH'? (fields: XMBH,
 * XMMC)" when one field is a few edits away (case ignored), else " (fields:
 * ...)"; written to buf (n bytes, a long list is cut with "...").  Returns buf.
 */
#define RL_FIELD_HINT_MAX 1024
/* The field of L a few edits from `name` (case ignored), or NULL: a suggestion, not a match. */
const char *rl_layer_field_nearest(const rl_layer *layer, const char *name);
const char *rl_layer_field_hint(const rl_layer *layer, const char *name, char *buf, size_t n);
/*
 * Path of the file beside `shp` (a .shp path) with extension `ext` ("dbf"),
 * lower case tried first, then upper; written to out.  1 if it exists.
 */
int rl_shp_sibling(const char *shp, const char *ext, char *out, size_t n);
/*
 * Convert feature i of L from the WKB kept by defer_repair, check it and
 * repair it; a no-op for a feature already converted.  Returns its usable
 * geometry, or NULL (its status says why).  Writes feature i only, never
 * the layer's counters (see rl_layer_recount): several threads may prepare
 * distinct features of one layer at once, but never the same one.
 */
const GEOSGeometry *rl_feature_prepare(rl_ctx *ctx, rl_layer *L, size_t i);
/* Recount L->repaired and L->bad from the features, after a phase. */
void rl_layer_recount(rl_layer *L);
/*
 * Put L's features in ascending FID order (stable: equal FIDs keep their
 * order), unless they are in it already, as most drivers read them.  The
 * screen engine takes control features in this order, so its sums do not
 * depend on the order a driver returns them in (a PostGIS table without
 * ORDER BY, a spatially filtered read).  Call before indexing L.
 * Returns 0, or -1 when out of memory (L unchanged).
 */
int rl_layer_sort_fid(rl_layer *L);
/*
 * Read the attributes of features idx[0..n-1] of a layer read with
 * lazy_attrs (by FID, from the dataset), then decode the text as
 * rl_layer_read would have.  Call once, from one thread.
 */
rl_status rl_layer_fetch_attrs(rl_ctx *ctx, rl_layer *L, const size_t *idx, size_t n);
const char *rl_feat_status_text(rl_feat_status st);
/*
 * Why feature i of L cannot be used, in words, into buf (the status text,
 * and for RL_FEAT_OUTSIDE_CRS the feature's extent and L's domain).
 * Returns buf.
 */
const char *rl_feature_why(const rl_layer *L, size_t i, char *buf, size_t n);

/*
 * A layer that must hold polygons (footprints, a control, OLD, NEW, area's
 * LAYER), checked after rl_layer_read.  `what` says what it should hold,
 * e.g. "footprints" or "a control layer".  RL_OK when it holds a polygon.
 * A layer with no feature, or none with a geometry, is empty: RL_OK with
 * L->empty_accepted set when allow_empty (--allow-empty), else
 * RL_ERR_INPUT.  A layer whose geometries are all points or lines, or whose
 * polygons all have a final status of no area after repair (or GEOS could
 * not read them), is RL_ERR_INPUT.  Messages name L's path and layer, say what it holds and
 * what was expected.  Mixed layers pass: their features are judged one by
 * one.
 */
rl_status rl_layer_require_polygons(rl_ctx *ctx, rl_layer *L, const char *what,
                                    int allow_empty);
/* How many features of L cannot be used (rl_feat_untrusted). */
size_t rl_layer_untrusted(const rl_layer *L);
/*
 * RL_OK when no feature of L is untrusted, or when `skip` (the user gave
 * skip_opt, e.g. "--skip-bad-controls"); else RL_ERR_INPUT naming L's path,
 * the first such feature's FID and why, how many there are, and skip_opt.
 */
rl_status rl_layer_check_untrusted(rl_ctx *ctx, const rl_layer *L, int skip,
                                   const char *skip_opt);

/* ---- groups (groups.c) ---- */

/*
 * Group the features of L by field `field`: *keys gets the sorted distinct
 * values (NULL values are grouped under ""), *group[i] the key index of
 * feature i.  Returns the number of keys, or (size_t)-1 when out of memory.
 */
size_t rl_group_keys(const rl_layer *L, int field, char ***keys, size_t **group);
/* The same for n values (NULL counts as ""), vals[i] standing for feature i. */
size_t rl_group_values(const char *const *vals, size_t n, char ***keys, size_t **group);

/* Index of key in sorted keys, or (size_t)-1. */
size_t rl_key_find(char *const *keys, size_t n, const char *key);

#endif
