/* rl_internal.h -- types and functions shared by libredline's modules. */
#ifndef RL_INTERNAL_H
#define RL_INTERNAL_H

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <proj.h>
#include <geodesic.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>

#include "redline/redline.h"

#define RL_ERRMSG_MAX 1024

/* ---- context (ctx.c) ---- */

typedef struct rl_pj_cache {
    char *src;     /* definitions the transformation was built from */
    char *dst;
    PJ *pj;
    struct rl_pj_cache *next;
} rl_pj_cache;

struct rl_ctx {
    GEOSContextHandle_t geos;
    PJ_CONTEXT *proj;
    GEOSWKBReader *wkb_reader; /* created on first use */
    rl_status status;
    char msg[RL_ERRMSG_MAX];
    char geos_msg[RL_ERRMSG_MAX]; /* last GEOS error, folded into msg */
    rl_pj_cache *pjs;
    struct rl_rings *rings; /* ring arrays of valid.c and disjoint.c (rings.h) */
    double *coord_buf;   /* x,y work buffer of rl_ringidx_new, coord_cap points */
    size_t coord_cap;
    double *clip_buf;    /* work buffer of rl_clip_small, clip_cap doubles */
    size_t clip_cap;
};

/* Record a failure; returns `st` so callers can `return rl_fail(...)`. */
rl_status rl_fail(rl_ctx *ctx, rl_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void rl_ctx_clear(rl_ctx *ctx);


/* ---- small utilities (util.c) ---- */

typedef struct rl_buf {
    char *s;
    size_t len, cap;
    int oom;
} rl_buf;

/*
 * Make the array *pp (a T **, cast to void *) hold at least n items of `size`
 * bytes; *cap counts items and grows by half.  0 when out of memory (the
 * array is then unchanged).
 */
int rl_grow(void *pp, size_t *cap, size_t n, size_t size);
void rl_buf_puts(rl_buf *b, const char *s);
void rl_buf_putn(rl_buf *b, const char *s, size_t n);
void rl_buf_printf(rl_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void rl_buf_json_str(rl_buf *b, const char *s); /* quoted, escaped */
void rl_buf_json_num(rl_buf *b, double v);      /* %.10g, finite */
/* Opens a report object: {"tool": "redline", "version": ..., "command": ... */
void rl_json_head(rl_buf *b, const char *command);
void rl_buf_json_m2(rl_buf *b, double v);       /* an area: %.4f m2 */
void rl_buf_csv_str(rl_buf *b, const char *s);  /* RFC 4180 quoting */
void rl_buf_free(rl_buf *b);
char *rl_strdup(const char *s); /* NULL in, NULL out */
int rl_is_utf8(const char *s);
/* Display width of a UTF-8 string in a terminal (CJK counts 2). */
int rl_display_width(const char *s);

/* ---- units (units.c) ---- */

typedef enum { RL_U_M2 = 0, RL_U_HA, RL_U_MU, RL_U_KM2 } rl_units;
int rl_units_parse(const char *s, rl_units *u); /* 1 ok, 0 unknown */
double rl_units_factor(rl_units u);              /* m2 per unit */
const char *rl_units_name(rl_units u);
/* Parse "12.5km2", "1800ha", "27000mu", "5e6" (m2). 1 ok, 0 bad. */
int rl_parse_area_with_unit(const char *s, double *m2);

/* ---- CRS (crs.c) ---- */

typedef enum { RL_AREA_ELLIPSOIDAL = 0, RL_AREA_PLANAR } rl_area_method;

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
 * Definition of the Gauss-Krüger 3-degree zone (k = 1, x0 = 500 km) on the
 * crs's own ellipsoid whose central meridian is nearest to lon.
 * Writes into buf; returns buf.
 */
char *rl_gk_zone_def(const rl_crs *crs, double lon, char *buf, size_t n);

/* ---- area (area.c) ---- */

/*
 * Area of a polygonal geometry `g` whose coordinates are in `crs`, in m2.
 * ellipsoidal: geodesic area on crs's ellipsoid of the vertices transformed
 * to crs's geographic CRS.  planar: plane area in crs (for a geographic crs:
 * in the GK 3-degree zone of g's centroid).  Holes are subtracted, ring
 * orientation does not matter.  Non-polygonal parts count 0.
 * Returns RL_OK, or a failure with a message in ctx.
 */
rl_status rl_geom_area(rl_ctx *ctx, const GEOSGeometry *g, const rl_crs *crs,
                       rl_area_method m, double *area);

/* ---- rectangle filter (envgrid.c) ---- */

typedef struct rl_envgrid rl_envgrid;
/* Grid over n rectangles {minx, miny, maxx, maxy} (copied).  NULL: no memory. */
rl_envgrid *rl_envgrid_new(const double (*env)[4], size_t n);
void rl_envgrid_free(rl_envgrid *g);
/* 1 if rectangle e meets (touches included) any of the grid's rectangles. */
int rl_envgrid_hits(const rl_envgrid *g, const double e[4]);

/* ---- input (in_layer.c) ---- */

typedef enum {
    RL_FEAT_OK = 0,
    RL_FEAT_NULL,        /* no geometry */
    RL_FEAT_EMPTY,       /* empty geometry */
    RL_FEAT_NOT_POLYGON, /* point or line */
    RL_FEAT_COLLAPSED,   /* repair left no area */
    RL_FEAT_BAD,         /* GEOS could not read or repair it */
    RL_FEAT_UNREADABLE   /* GDAL could not decode its record: a corrupt file */
} rl_feat_status;

typedef struct rl_feature {
    long long fid;
    GEOSGeometry *geom; /* valid, polygonal, in the layer CRS; NULL if bad */
    rl_feat_status status;
    int repaired;
    unsigned char *wkb;  /* the geometry as read, until rl_feature_prepare */
    size_t wkb_len;
    double env[4];       /* minx, miny, maxx, maxy of the geometry */
    struct rl_ringidx *ridx; /* for big geometries, set with geom by rl_feature_prepare */
    char **attrs;       /* nfields UTF-8 strings, NULL for null fields */
} rl_feature;

typedef struct rl_layer {
    char *path;       /* as the user gave it */
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
    int raw_text;     /* opened with ENCODING="" (decode_text decides) */
    char *forced_encoding;
    int attrs_pending;
    int geom_type;    /* OGRwkbGeometryType of the layer, flattened */
    size_t repaired;
    size_t bad;       /* features whose status is not OK */
    /* Records GDAL returned with a read error (keep_unreadable only). */
    size_t unreadable;
    long long unreadable_fid; /* the first of them */
    char *unreadable_msg;     /* GDAL's message for it */
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
} rl_input_opts;

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
 * Read the attributes of features idx[0..n-1] of a layer read with
 * lazy_attrs (by FID, from the dataset), then decode the text as
 * rl_layer_read would have.  Call once, from one thread.
 */
rl_status rl_layer_fetch_attrs(rl_ctx *ctx, rl_layer *L, const size_t *idx, size_t n);
const char *rl_feat_status_text(rl_feat_status st);

/* ---- repair (repair.c) ---- */

/*
 * Make g valid and polygonal.  Takes ownership of g.  Returns the result (may
 * be g itself) and sets *repaired when MakeValid ran; returns NULL with
 * *st = RL_FEAT_COLLAPSED when no area is left, RL_FEAT_BAD when GEOS failed.
 */
GEOSGeometry *rl_repair(rl_ctx *ctx, GEOSGeometry *g, int *repaired,
                        rl_feat_status *st);
/*
 * 1 when polygonal g is certainly valid by a cheap sufficient test (no two
 * ring segments meet except neighbours at their vertex, holes inside their
 * shell, no nesting), 0 when not proven: then ask GEOSisValid_r.  Never
 * returns 1 for a geometry GEOS finds invalid (valid.c).
 */
int rl_valid_fast(rl_ctx *ctx, const GEOSGeometry *g);

/*
 * 1 when the n valid polygonal geometries g[] certainly share no point, so
 * the area of their union is the sum of their areas; 0 when that is not
 * proven (they meet, a predicate is too close to call, or there are too many
 * segment pairs to test).  Planar, in the geometries' own coordinates; uses
 * the context's valid.c scratch (valid.c).
 */
int rl_disjoint_fast(rl_ctx *ctx, const GEOSGeometry *const *g, size_t n);
/* 1 valid, 0 invalid, 2 GEOS error: rl_valid_fast, then GEOSisValid_r. */
char rl_is_valid(rl_ctx *ctx, const GEOSGeometry *g);
/* Polygonal part of g as a new geometry (empty MultiPolygon if none). */
GEOSGeometry *rl_polygonal(rl_ctx *ctx, const GEOSGeometry *g);

/* 1 when envelopes a and b (minx, miny, maxx, maxy) share a point. */
static inline int rl_env_meet(const double *a, const double *b)
{
    return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/*
 * Sign of the orientation of (a, b, c): +1 left turn, -1 right turn, 0 when
 * the floating-point determinant is within its error bound of zero (collinear
 * or too close to tell).  Shewchuk's ccwerrboundA = (3 + 16 eps) eps, so a
 * nonzero answer is always the exact sign.
 */
static inline int rl_orient2d(const double *a, const double *b, const double *c)
{
    const double errbound = 3.3306690738754716e-16;
    double l = (a[0] - c[0]) * (b[1] - c[1]);
    double r = (a[1] - c[1]) * (b[0] - c[0]);
    double det = l - r;
    double bound = errbound * ((l < 0 ? -l : l) + (r < 0 ? -r : r));
    if (det > bound)
        return 1;
    if (-det > bound)
        return -1;
    return 0;
}

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
/* STRtree over the non-NULL geometries of layer; items are feature indices. */
rl_index *rl_index_new(rl_ctx *ctx, const rl_layer *layer);
void rl_index_free(rl_ctx *ctx, rl_index *idx);
/*
 * Indices of features whose envelope meets g's, ascending.  *out is
 * malloc'd (free it).  Reads the index only (rl_index_new built the tree),
 * so several threads may query one index at once, each with its own GEOS
 * handle h.  Returns count, or (size_t)-1 when out of memory.
 */
size_t rl_index_query(const rl_index *idx, GEOSContextHandle_t h,
                      const GEOSGeometry *g, size_t **out);

/* ---- options shared by commands (options.c) ---- */

typedef enum { RL_FMT_TABLE = 0, RL_FMT_CSV, RL_FMT_JSON } rl_format;

typedef enum { RL_RULE_FORBID = 0, RL_RULE_REQUIRE, RL_RULE_REPORT } rl_rule;
typedef enum { RL_SEV_CONFLICT = 0, RL_SEV_WARN } rl_severity;

typedef struct rl_control_spec {
    char *name;
    rl_rule rule;
    rl_severity severity;
    char *path;
} rl_control_spec;

typedef struct rl_common_opts {
    rl_area_method area;
    rl_units units;
    rl_format format;
    char *out_path;    /* -o; NULL = caller's stream */
    char *pieces_path; /* --pieces */
    char *assume_srs;
    char *encoding;
    int jobs;
    int quiet;
} rl_common_opts;

struct rl_screen_options {
    rl_common_opts c;
    rl_control_spec *controls;
    int ncontrols;
    char **footprints;
    int nfootprints;
    char *id_field;
    double min_area;
    int strict;
};

struct rl_diff_options {
    rl_common_opts c;
    char *old_path, *new_path;
    char *by;
    double tolerance;
};

struct rl_area_options {
    rl_common_opts c;
    char *path;
    char *by;
    double expect_min; /* < 0: none */
};

struct rl_audit_options {
    rl_screen_options *s; /* controls and screen options; footprints[0] = DIR */
    const char *dir;      /* borrowed from s */
    char *report_dir;
    rl_progress_fn progress;
    void *progress_data;
};

const char *rl_rule_name(rl_rule r);
const char *rl_severity_name(rl_severity s);
const char *rl_area_method_name(rl_area_method m);

/* ---- screen results (screen.c) ---- */

typedef struct rl_hit {
    size_t feat;       /* index into the control layer */
    double overlap_m2;
    GEOSGeometry *piece; /* in the output CRS, only with --pieces */
} rl_hit;

typedef struct rl_fp_control {
    double overlap_m2;
    double overlap_pct;
    double outside_m2; /* require rule */
    int finding;       /* 1 if the overlap/outside counts as a finding */
    rl_hit *hits;
    size_t nhits;
    int failed;        /* screening this footprint against it failed: */
    char *error;       /* why (NULL when even the message was out of memory) */
} rl_fp_control;

typedef enum { RL_V_PASS = 0, RL_V_WARN, RL_V_CONFLICT, RL_V_ERROR } rl_verdict;

typedef struct rl_fp_result {
    size_t layer;  /* footprint layer index */
    size_t feat;   /* index into that layer */
    char *id;
    double area_m2;
    rl_verdict verdict;
    char *error;   /* reason, when verdict is error */
    char **reasons;
    size_t nreasons;
    rl_fp_control *ctl; /* one per control */
} rl_fp_result;

typedef struct rl_control {
    rl_control_spec spec; /* borrowed strings */
    rl_layer *layer;
    rl_index *index;
} rl_control;

typedef struct rl_screen_data {
    const rl_screen_options *opts;
    rl_control *controls;
    int ncontrols;
    rl_layer **fps;
    size_t nfps;
    rl_fp_result *res;
    size_t nres;
    size_t counts[4]; /* by verdict */
    const rl_crs *out_crs; /* CRS of pieces */
} rl_screen_data;

/* ---- diff / area results (diff.c, areacmd.c) ---- */

typedef struct rl_group_fig {
    char *key;
    size_t features, old_features, new_features;
    double old_m2, new_m2, lost_m2, gained_m2, net_m2, area_m2;
    double self_overlap_m2;
    int shrunk; /* diff: net_m2 < -tolerance, decided by diff.c for every writer */
} rl_group_fig;

/*
 * One lost or gained polygon of a diff, as --pieces writes it: diff.c
 * decides which pieces count (RL_PIECE_MIN_M2) and measures them, so the
 * writer only formats.
 */
typedef struct rl_diff_piece {
    const GEOSGeometry *g; /* a part of rl_diff_data's lost/gained (borrowed) */
    const char *change;    /* "lost" or "gained" (static) */
    const char *key;       /* its group's key (borrowed), NULL without --by */
    double area_m2;        /* by the options' area method, in OLD's CRS */
} rl_diff_piece;

typedef struct rl_diff_data {
    const rl_diff_options *opts;
    rl_layer *old, *nw;
    rl_group_fig total;
    double old_self_overlap_m2, new_self_overlap_m2;
    rl_group_fig *groups;
    size_t ngroups;
    GEOSGeometry *lost, *gained;    /* in OLD's CRS, for --pieces */
    GEOSGeometry **glost, **ggained; /* per group */
    rl_diff_piece *pieces; /* with --pieces: what the writer writes, in order */
    size_t npieces;
    int shrunk;            /* total.shrunk: the diff's verdict */
    /* Diagnostics, not written: leaf scopes of the tiles, and how many held
     * the same pieces in both versions and needed no overlay. */
    size_t scopes, unchanged_scopes;
} rl_diff_data;

typedef struct rl_area_data {
    const rl_area_options *opts;
    rl_layer *layer;
    rl_group_fig total;
    rl_group_fig *groups;
    size_t ngroups;
    int below;
} rl_area_data;

typedef struct rl_audit_file {
    char *path;    /* display path relative to DIR, UTF-8 */
    int status;    /* 0 ok, 1 warn, 2 error */
    char *codes;   /* problem codes joined by ';' */
    char *messages;/* problem messages joined by '; ' */
    size_t features;
    size_t counts[4]; /* footprint verdicts */
    char *json;    /* the file's JSON object */
} rl_audit_file;

typedef struct rl_audit_data {
    const rl_audit_options *opts;
    rl_control *controls;
    int ncontrols;
    rl_audit_file *files;
    size_t nfiles;
    size_t skipped;   /* non-vector files */
    size_t status_counts[3];
    size_t counts[4];
} rl_audit_data;

/* ---- reports (report.c) ---- */

/*
 * What a command hands report.c so that report.c can own its reports: the
 * size of the command's data and how to free, write and judge it.  Each
 * command module (screen.c, diff.c, areacmd.c, audit.c) keeps one, static
 * const, and passes it to rl_report_new().  report.c calls down through the
 * table, so no command calls another (or report.c) to free or write data
 * that is not its own.
 */
typedef struct rl_report_ops {
    size_t size; /* bytes of the command's data (zeroed by rl_report_new) */
    /* Free what data holds (not data itself); data may be partly filled. */
    void (*free)(rl_ctx *ctx, void *data);
    /* Write data in the format its options chose. */
    rl_status (*write)(rl_ctx *ctx, const void *data, FILE *f);
    /* Write --pieces to path; NULL when the command has none. */
    rl_status (*write_pieces)(rl_ctx *ctx, const void *data, const char *path);
    /* Exit status the data calls for (see rl_report_exit_code). */
    int (*exit_code)(const void *data);
} rl_report_ops;

struct rl_report {
    const rl_report_ops *ops;
    rl_ctx *ctx;                /* borrowed: the ctx that built it, for freeing */
    const rl_common_opts *opts; /* borrowed: -o and --pieces */
    void *data;                 /* the command's data, ops->size bytes */
};

/*
 * The one set-up of every command: clears ctx's last error and returns a
 * report with zeroed data, which borrows ctx and opts (they must outlive
 * it).  NULL with RL_ERR_NOMEM in ctx when out of memory.
 */
rl_report *rl_report_new(rl_ctx *ctx, const rl_report_ops *ops,
                         const rl_common_opts *opts);

/* screen internals shared with audit (screen.c) */
/*
 * Load and index every control feature (audit: the footprints come later),
 * layers side by side with --jobs.  *out and *n are set on RL_OK; free with
 * rl_controls_free.
 */
rl_status rl_controls_load(rl_ctx *ctx, const rl_screen_options *opts,
                           rl_control **out, int *n);
void rl_controls_free(rl_ctx *ctx, rl_control *c, int n);
/* Given d->controls and d->fps, fill d->res and d->counts. */
rl_status rl_screen_run(rl_ctx *ctx, rl_screen_data *d);
/* Free results and footprint layers (not the controls). */
void rl_screen_results_free(rl_ctx *ctx, rl_screen_data *d);
/* The objects of a "controls" array, without the brackets (out_screen.c). */
void rl_json_controls(rl_buf *b, const rl_control *controls, int n);
/* JSON object of footprint result i (out_screen.c). */
void rl_json_footprint(rl_buf *b, const rl_screen_data *d, size_t i);
/* CSV header and rows of a screen (out_screen.c). */
void rl_csv_screen(const rl_screen_data *d, rl_buf *b, int bom);
rl_status rl_write_audit(rl_ctx *ctx, const rl_audit_data *d, FILE *f);
/* summary.{txt,csv,json} and files/NNNN.json under --report-dir. */
rl_status rl_audit_write_report_dir(rl_ctx *ctx, const rl_audit_data *d);

/* writers (out_*.c) */
rl_status rl_write_screen(rl_ctx *ctx, const rl_screen_data *d, FILE *f);
rl_status rl_write_screen_pieces(rl_ctx *ctx, const rl_screen_data *d,
                                 const char *path);
rl_status rl_write_diff(rl_ctx *ctx, const rl_diff_data *d, FILE *f);
rl_status rl_write_diff_pieces(rl_ctx *ctx, const rl_diff_data *d,
                               const char *path);
rl_status rl_write_area(rl_ctx *ctx, const rl_area_data *d, FILE *f);

/* Vector writer shared by --pieces (out_vector.c). */
typedef struct rl_vec_writer rl_vec_writer;
enum { RL_VF_STRING = 0, RL_VF_REAL = 1, RL_VF_INT = 2 };
typedef struct rl_vec_field {
    const char *name;
    int type; /* RL_VF_STRING, RL_VF_REAL or RL_VF_INT */
} rl_vec_field;
/* OGR driver name for an output path by its extension, or NULL. */
const char *rl_vec_driver_for(const char *path);
rl_vec_writer *rl_vec_writer_new(rl_ctx *ctx, const char *path,
                                 const rl_crs *crs, const rl_vec_field *fields,
                                 int nfields);
/* values: strings, pointers to double (real) or to int64_t (int) */
rl_status rl_vec_writer_add(rl_ctx *ctx, rl_vec_writer *w,
                            const GEOSGeometry *g, const void *const *values);
rl_status rl_vec_writer_close(rl_ctx *ctx, rl_vec_writer *w);

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

/* ---- tiled layer overlay (tiles.c) ---- */

typedef struct rl_tile_in {
    const GEOSGeometry *const *g; /* borrowed; NULL entries are skipped */
    const size_t *group;          /* group of each, or NULL (all group 0) */
    size_t n;
} rl_tile_in;

typedef struct rl_tile_fig {
    double old_m2, new_m2, lost_m2, gained_m2, old_self_m2, new_self_m2;
} rl_tile_fig;

typedef struct rl_tile_out {
    rl_tile_fig total;
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
 * Free with rl_tile_out_free().
 */
rl_status rl_tiled_overlay(rl_ctx *ctx, const rl_tile_in *old, const rl_tile_in *nw,
                           size_t ngroups, const rl_crs *crs, rl_area_method m,
                           int want_pieces, int group_self, int jobs,
                           rl_tile_out *out);
void rl_tile_out_free(rl_ctx *ctx, rl_tile_out *out, size_t ngroups);

/* ---- dissolve helpers (dissolve.c) ---- */

/*
 * Area covered by two or more of the geometries gs[0..n-1] (borrowed, all in
 * `crs`): the union of their pairwise intersections, measured by `m`.  With
 * grid > 0, overlays that fail in floating point snap-round to that grid.
 */
rl_status rl_self_overlap(rl_ctx *ctx, const GEOSGeometry *const *gs, size_t n,
                          const rl_crs *crs, rl_area_method m, double grid,
                          double *area);

/*
 * Group the features of L by field `field`: *keys gets the sorted distinct
 * values (NULL values are grouped under ""), *group[i] the key index of
 * feature i.  Returns the number of keys, or (size_t)-1 when out of memory.
 */
size_t rl_group_keys(const rl_layer *L, int field, char ***keys, size_t **group);

/* Index of key in sorted keys, or (size_t)-1. */
size_t rl_key_find(char *const *keys, size_t n, const char *key);

#endif
