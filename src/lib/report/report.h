/*
 * report.h -- what a command's report holds (the figures and verdicts
 * each command decided), its life (report.c: new, write, exit code, free)
 * and the writers, which only format it (out_*.c).
 */
#ifndef RL_REPORT_H
#define RL_REPORT_H

#include "landuse/landuse.h"
#include "linear/linear.h"

#include <gdal.h>

/* ---- screen results (screen.c) ---- */

typedef struct rl_hit {
    size_t feat;       /* index into the control layer */
    double overlap_m2;
    GEOSGeometry *piece; /* in the output CRS, only with --pieces */
    GEOSGeometry *cpiece; /* in the control's CRS, only with --classify */
    /* The rule it got (screen.c, rules/rules.c): */
    int sev;           /* rl_hit_severity */
    const char *rfield, *rvalue; /* the by-value entry matched; NULL: the default */
    const char *xfield, *xvalue; /* the exemption applied; NULL: none */
    char *reason;      /* expanded text */
} rl_hit;

/* --classify: the overlap with the features of one value of the field. */
typedef struct rl_class_area {
    char *value;     /* NULL: the field is null */
    double area_m2;  /* union of those features' pieces */
} rl_class_area;

typedef struct rl_fp_control {
    double overlap_m2;
    double overlap_pct;
    double outside_m2; /* require rule */
    int finding;       /* 1 if the overlap/outside counts as a finding */
    rl_hit *hits;
    size_t nhits;
    int failed;        /* screening this footprint against it failed: */
    char *error;       /* why (NULL when even the message was out of memory) */
    rl_class_area *classes; /* --classify, by value */
    size_t nclasses;
    /* Line footprints: the centre line inside the control (linear.h) */
    double line_m;          /* its geodesic length */
    rl_crossing *cross;     /* where it is inside, by chainage */
    size_t ncross;
    double distance_m;      /* --near: to the nearest feature; NAN: none within */
    double *rings;          /* --rings: control area within each distance, m2 */
    /*
     * --use-field: set before phase 5 when the footprint's envelope meets
     * another's in the control's CRS; the overlap's geometry is then kept
     * (owned, control CRS) so the per-use totals count shared land once.
     */
    int keep;
    GEOSGeometry *keep_g;
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
    rl_fp_control *ctl; /* one per control (and, with --landuse, the DLTB last) */
    rl_landuse lu;      /* --landuse: the footprint's breakdown */
    rl_linear_info lin; /* line and point footprints: what the polygon was built from */
} rl_fp_result;

typedef struct rl_control {
    rl_control_spec spec; /* borrowed strings */
    rl_layer *layer;
    rl_index *index;
    /* --rules: its entry (NULL: none) and the file, borrowed from the options */
    const struct rl_ctl_rules *rules;
    const struct rl_rules *rules_file;
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
    rl_strlist warnings;   /* the layers' warnings: footprints, then controls */
    int provisional;  /* control features were skipped: every verdict is provisional */
    /*
     * --landuse: the DLTB is controls[ncontrols] (not counted in
     * ncontrols, so it takes no part in verdicts), its fields, and the
     * run's total over the footprints that are not errors.
     */
    int lu_fields[RL_LUF_N];
    rl_landuse lu_total;
    int linear;           /* some footprint is a line or a point */
    /*
     * --use-field: the distinct values (byte order, borrowed from the
     * footprints' attributes) and per [control * nuse + value] the area of
     * the union of those footprints' overlaps and how many overlap.
     */
    const char **use_vals;
    size_t nuse;
    double *use_m2;
    size_t *use_count;
    /*
     * --shard I/N (docs/scale-out.md): `own` marks the footprints whose
     * overlays this shard does (by a Hilbert order of their centres); the
     * rest are neither prepared nor screened, and no verdict is made.  Each
     * screened pair's overlays go to frag[k * nres + i] (JSON, owned) and
     * the part to `part`, which write_screen writes.
     */
    int shard;
    unsigned char *own;
    char **frag;
    rl_buf part;
    /*
     * merge (rl_screen with opts->c.parts; never audit's screens): per
     * footprint its entry in a part ({"r": i, "c": [...]}), from which
     * phase 5 takes the overlays instead of computing them.
     */
    int merge;
    rl_jv *from;
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
    const char *change;    /* "lost", "gained" or "changed" (static) */
    const char *key;       /* its group's key (borrowed), NULL without --by */
    const char *from, *to; /* with --by: the values (borrowed); NULL: none */
    double area_m2;        /* by the options' area method, in OLD's CRS */
    double cx, cy;         /* centroid, OLD's CRS */
} rl_diff_piece;

/* One cell of the transition matrix (转移矩阵), diff --by. */
typedef struct rl_diff_trans {
    const char *from, *to; /* group keys (borrowed); NULL: none (only in NEW / OLD) */
    double area_m2;
} rl_diff_trans;

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
    /* --by: the transition matrix, by (from, to) with none last */
    rl_diff_trans *trans;
    size_t ntrans;
    double changed_m2;     /* both values known and different */
    double old_multi_m2, new_multi_m2; /* Σ groups − total: counted by 2+ values */
    int changed;           /* --keep-nature and changed_m2 > tolerance */
    rl_diff_piece *largest; /* the largest changed pieces, by area */
    size_t nlargest;
    GEOSGeometry **tgeom;  /* the transitions' pieces, owned */
    size_t ntgeom;
    int provisional;       /* features were skipped (--skip-bad-features) */
    /* Diagnostics, not written: leaf scopes of the tiles, and how many held
     * the same pieces in both versions and needed no overlay. */
    size_t scopes, unchanged_scopes;
    rl_strlist warnings; /* OLD's, then NEW's */
    rl_buf part;         /* --shard: the part written instead of the report */
} rl_diff_data;

typedef struct rl_area_data {
    const rl_area_options *opts;
    rl_layer *layer;
    rl_group_fig total;
    rl_group_fig *groups;
    size_t ngroups;
    int below;
    rl_strlist warnings;
    int provisional; /* features were skipped (--skip-bad-features) */
    rl_buf part;     /* --shard: the part written instead of the report */
} rl_area_data;

typedef struct rl_audit_file {
    char *path;    /* display path relative to DIR, UTF-8 */
    int status;    /* 0 ok, 1 warn, 2 error */
    char *codes;   /* problem codes joined by ';' */
    char *messages;/* problem messages: en, '\x1e', zh (rl_label_audit_messages) */
    size_t features;
    size_t counts[4]; /* footprint verdicts */
    char *json;    /* the file's JSON object */
    /*
     * The file's hits for the workbook's 压占明细, one row per footprint ×
     * hit: rl_audit_hits_put() fields, each counted ("LEN:BYTES"), so that
     * no value can forge a field or a row; NULL: none.
     */
    char *hits;
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
    rl_buf part;      /* --shard: the part written instead of the report */
} rl_audit_data;


/* ---- where outputs may go (outputs.c) ---- */

/*
 * Refuse, before any work, an -o or --pieces of c that would write over a
 * file of one of the n input datasets (by file identity: links, ./ and ../
 * spellings and hard links are the same file; a shapefile's sidecars and a
 * zip count), or that lies inside the folder `tree` (audit's DIR; NULL:
 * none), and an -o that is the same file as --pieces.  Returns RL_OK, or
 * RL_ERR_USAGE with a message in ctx naming both paths.  NULL inputs are
 * skipped.
 */
rl_status rl_outputs_check(rl_ctx *ctx, const rl_common_opts *c, const char *const *inputs,
                           size_t n, const char *tree);
/*
 * An output written whole or not at all: rl_output_open() opens a new file
 * beside path (".NAME.redline-PID-N.tmp"), and rl_output_commit() flushes,
 * syncs and renames it over path when st is RL_OK and every write
 * succeeded; otherwise it removes it, so path keeps its previous contents.
 * A path that exists and is not a regular file (a FIFO, a device) is
 * written in place.  Both return with a message in ctx on failure; commit
 * returns st, or the write failure when st was RL_OK.
 */
typedef struct rl_output {
    const char *path; /* borrowed */
    char tmp[4096];
    FILE *f;
    int temp;         /* f writes tmp, to be renamed */
    int slot;         /* rl_temp_register() slot of tmp, or -1 */
} rl_output;
FILE *rl_output_open(rl_ctx *ctx, rl_output *o, const char *path);
rl_status rl_output_commit(rl_ctx *ctx, rl_output *o, rl_status st);
/* Name for a temporary file beside path, ending in ext (may be NULL); 1 ok. */
int rl_output_temp_name(const char *path, const char *ext, char *out, size_t n);
/*
 * Note tmp as a temporary output of this process, which
 * rl_remove_temporary_outputs() removes (with a shapefile's sidecars and a
 * database's -journal/-wal/-shm) if a signal ends the run; returns the slot
 * for rl_temp_release(), or -1 (no slot free: then not removed on a signal).
 * rl_temp_release(-1) is a no-op.
 */
int rl_temp_register(const char *tmp);
void rl_temp_release(int slot);
/* realpath() of path, which need not exist yet (its folder must); 1 ok. */
int rl_path_resolve(const char *path, char *out);
/* 1 when `inner` (existing or not) is `outer` or lies inside it. */
int rl_path_inside(const char *outer, const char *inner);

/* ---- reports (report.c) ---- */

/*
 * A shard's part (docs/scale-out.md): rl_part_head opens the JSON object
 * with "redline_part", the command, "part" (shard, of, fingerprint) and
 * "args"; the command appends its members, each from ",", and
 * rl_part_write closes the object and writes it to f (RL_ERR_OUTPUT with a
 * message, or RL_ERR_NOMEM when b ran out of memory).
 */
void rl_part_head(rl_buf *b, const char *command, const rl_common_opts *c);
rl_status rl_part_write(rl_ctx *ctx, rl_buf *b, FILE *f);

/*
 * The longest text, in bytes, a shapefile (DBF) field holds: rl_vec_writer
 * cuts longer values there, at a character boundary.
 */
#define RL_SHP_TEXT_MAX 254
/*
 * Add to w a warning for each text field of --pieces that some value will
 * not fit whole when the pieces go to a shapefile (path ends in .shp;
 * otherwise nothing).  field: the field's name; values: the n values, NULL
 * ones skipped.
 */
void rl_warn_shp_text(rl_strlist *w, const char *path, const char *field,
                      const char *const *values, size_t n);

/* Append copies of L's warnings to w (NULL L: none). */
void rl_warnings_add_layer(rl_strlist *w, const rl_layer *L);
/* JSON: ", \"warnings\": [...]" when w holds any, else nothing (so reports
 * without warnings keep their shape). */
void rl_json_warnings(rl_buf *b, const rl_strlist *w);

/*
 * The PostGIS sink (out_pg.c, docs/scale-out.md).  rl_pg_sink_open
 * connects to conn (a "PG:..." string, shown only with its password
 * masked), begins the one transaction of this run id and shard, and with
 * all_tables creates the tables and the view when missing and deletes this
 * run id and shard's rows from them (a re-run replaces its own rows); the
 * rows of redline_pieces go in any case.  NULL with RL_ERR_OUTPUT in ctx.
 * rl_pg_sink_report stores the JSON report and its rows;
 * rl_pg_sink_commit ends the transaction (RL_ERR_OUTPUT when it fails);
 * rl_pg_sink_free rolls back what was not committed.  run_id is borrowed.
 */
typedef struct rl_pg_sink rl_pg_sink;
rl_pg_sink *rl_pg_sink_open(rl_ctx *ctx, const char *conn, const char *run_id, int shard,
                            int all_tables);
rl_status rl_pg_sink_report(rl_ctx *ctx, rl_pg_sink *s, const rl_common_opts *c,
                            const char *json);
rl_status rl_pg_sink_commit(rl_ctx *ctx, rl_pg_sink *s);
void rl_pg_sink_free(rl_pg_sink *s);
/* The sink's open dataset, and the tags of its rows. */
GDALDatasetH rl_pg_sink_dataset(const rl_pg_sink *s, const char **run_id, int *shard);
/* The sink's connection string (secret: for opening and rl_fail only). */
const char *rl_pg_sink_conn(const rl_pg_sink *s);

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
    /* The data's warnings (rl_report_warning); NULL when it keeps none. */
    const rl_strlist *(*warnings)(const void *data);
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

/* The objects of a "controls" array, without the brackets (out_screen.c). */
void rl_json_controls(rl_buf *b, const rl_control *controls, int n);
/* JSON object of footprint result i (out_screen.c). */
void rl_json_footprint(rl_buf *b, const rl_screen_data *d, size_t i);
/* The "landuse" object of a footprint or of the summary (out_landuse.c). */
void rl_json_landuse(rl_buf *b, const rl_screen_data *d, const rl_landuse *lu);
/* The land-use section of the table: per footprint and the run (out_landuse.c). */
void rl_table_landuse(const rl_screen_data *d, rl_buf *b);
/* CSV header cells (from ",") and a footprint's cells of the land-use columns. */
void rl_csv_landuse_header(const rl_screen_data *d, rl_buf *b);
void rl_csv_landuse_cells(const rl_screen_data *d, const rl_fp_result *r, rl_buf *b);
/* --landuse-csv: one row per footprint × class, and the run's rows. */
rl_status rl_write_landuse_csv(rl_ctx *ctx, const rl_screen_data *d, const char *path);
/*
 * Line and point footprints (out_linear.c), written only when d->linear:
 * a footprint's keys (from ", "), a control entry's keys, the summary's
 * "points_inside", CSV header cells / a footprint's cells (from ","), and
 * the table's crossings section.
 */
void rl_json_linear_fp(rl_buf *b, const rl_screen_data *d, const rl_fp_result *r);
void rl_json_linear_ctl(rl_buf *b, const rl_screen_data *d, const rl_fp_result *r, int k);
void rl_json_linear_summary(rl_buf *b, const rl_screen_data *d);
void rl_csv_linear_header(const rl_screen_data *d, rl_buf *b);
void rl_csv_linear_cells(const rl_screen_data *d, const rl_fp_result *r, rl_buf *b);
void rl_table_linear(const rl_screen_data *d, rl_buf *b);
/*
 * --pieces: footprint r's corridor or tower polygon as one more record of
 * w (control "corridor" or "point", ctl_fid -1, area_m2 its area), in the
 * output CRS; nothing for a polygon footprint (out_linear.c).
 */
typedef struct rl_vec_writer rl_vec_writer;
rl_status rl_linear_piece(rl_ctx *ctx, const rl_screen_data *d, rl_vec_writer *w,
                          const rl_fp_result *r, int nfields);
/* CSV header and rows of a screen (out_screen.c). */
void rl_csv_screen(const rl_screen_data *d, rl_buf *b, int bom);
rl_status rl_write_audit(rl_ctx *ctx, const rl_audit_data *d, FILE *f);
/* summary.{txt,csv,json} and files/NNNN.json under --report-dir. */
rl_status rl_audit_write_report_dir(rl_ctx *ctx, const rl_audit_data *d);

/* writers (out_*.c) */
rl_status rl_write_screen(rl_ctx *ctx, const rl_screen_data *d, FILE *f);
/* Warn (into d->warnings) about pieces text a shapefile at path cuts. */
void rl_screen_pieces_warnings(rl_screen_data *d, const char *path);
rl_status rl_write_screen_pieces(rl_ctx *ctx, const rl_screen_data *d,
                                 const char *path);
rl_status rl_write_diff(rl_ctx *ctx, const rl_diff_data *d, FILE *f);
/* "shrunk", "changed" (--keep-nature) or "not_shrunk": shrunk wins. */
const char *rl_diff_verdict(const rl_diff_data *d);
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
rl_vec_writer *rl_vec_writer_new(rl_ctx *ctx, const char *path,
                                 const rl_crs *crs, const rl_vec_field *fields,
                                 int nfields);
/* values: strings, pointers to double (real) or to int64_t (int) */
rl_status rl_vec_writer_add(rl_ctx *ctx, rl_vec_writer *w,
                            const GEOSGeometry *g, const void *const *values);
/*
 * Finish w: with st RL_OK, close it and rename it over its path (the
 * output appears whole or not at all); otherwise, or when that fails,
 * delete what was written.  Frees w.  Returns st, or the failure.
 */
rl_status rl_vec_writer_close(rl_ctx *ctx, rl_vec_writer *w, rl_status st);

/* ---- maps of the HTML report (map.c) ---- */

/*
 * A map: a metric plane, a frame in it and the pixel box the frame is drawn
 * in.  Use: rl_map_new, rl_map_project the geometries that set the extent
 * and rl_map_extend with them, rl_map_fit, then rl_map_project (clip 1) the
 * context, rl_map_path each geometry, rl_map_decor.
 */
typedef struct rl_map rl_map;
/*
 * The plane is crs itself when it is projected, else the 3-degree
 * Gauss-Krüger zone (k = 1, x0 = 500 km, crs's ellipsoid) whose central
 * meridian is nearest lon (degrees; ignored for a projected crs).  NULL
 * with a message in ctx when out of memory.  rl_map_free(NULL) is a no-op.
 */
rl_map *rl_map_new(rl_ctx *ctx, const rl_crs *crs, double lon);
void rl_map_free(rl_map *m);
/* The central meridian of a Gauss-Krüger plane made for lon/lat data; -1 otherwise. */
int rl_map_gk_meridian(const rl_map *m);
/*
 * A new copy of g (in src) in m's plane.  With clip (only after
 * rl_map_fit), cut to the frame first in src and then in the plane, and
 * simplified below a third of a pixel: for context features that may be
 * far bigger than the map.  NULL with a message in ctx on failure.
 */
GEOSGeometry *rl_map_project(rl_ctx *ctx, rl_map *m, const GEOSGeometry *g,
                             const rl_crs *src, int clip);
/* Widen the extent to take in g (in the plane; NULL or empty: no change). */
void rl_map_extend(rl_map *m, const GEOSGeometry *g, rl_ctx *ctx);
/*
 * Fix the frame: the extent widened by `margin` (a fraction of its size) on
 * each side and to at least min_m metres, then to the aspect of the pixel
 * box (x0, y0, w, h), so both axes have one scale.  0 when nothing was added.
 */
int rl_map_fit(rl_map *m, double x0, double y0, double w, double h, double margin,
               double min_m);
/* SVG path data of g's rings and lines (plane coordinates) appended to b. */
void rl_map_path(rl_ctx *ctx, const rl_map *m, const GEOSGeometry *g, rl_buf *b);
/* Pixel position of a point inside g, for its label; 0 when g is empty. */
int rl_map_label_point(rl_ctx *ctx, const rl_map *m, const GEOSGeometry *g, double *x,
                       double *y);
/* Frame, coordinate ticks (plane units), scale bar and north arrow as SVG. */
void rl_map_decor(const rl_map *m, rl_buf *b, int zh);

/* ---- words of human-facing reports in the chosen language (labels.c) ---- */

/* The verdict word: pass/warn/conflict/error or 通过/提示/冲突/错误. */
const char *rl_label_verdict(rl_lang lang, rl_verdict v);
/* The unit as a reader writes it: m2/ha/mu/km2 or 平方米/公顷/亩/平方千米. */
const char *rl_label_unit(rl_lang lang, rl_units u);
/*
 * A control's name for a reader: eco, farmland and udb by their full
 * names (生态保护红线, 永久基本农田, 城镇开发边界 in zh); any other name as given.
 */
const char *rl_label_control(rl_lang lang, const char *name);

/*
 * JSON: `,\n "labels": {"verdict": {...}, "units": {...}, "controls": {...}}`,
 * the Chinese word for each English value a screen report uses (its keys
 * stay English whatever --lang says: they are an API).
 */
void rl_json_labels(rl_buf *b, const rl_control *controls, int n);
/*
 * A verdict or status word of diff, area and audit (shrunk, not_shrunk,
 * changed, kept, gained, lost; ok, below_minimum; ok, pass, warn, conflict,
 * error) in zh
 * (减少, 未减少, 性质改变 ...); in en, and for a word it does not know, the
 * word itself.  NULL gives "".
 */
const char *rl_label_word(rl_lang lang, const char *word);
/* A control's rule (forbid 禁止压占, require 须位于其内, report 仅报告) and severity. */
const char *rl_label_rule(rl_lang lang, rl_rule r);
const char *rl_label_severity(rl_lang lang, rl_severity s);
/*
 * r's error and reasons joined for a table, CSV, page or workbook, appended
 * to out: as the engine wrote them (en, "; "), or in Chinese (zh, "；"):
 * 压占生态保护红线 149999.5 平方米（100.0%）, 位于城镇开发边界外 …, and a rule's
 * line with the control's name and severity in Chinese and the rules file's
 * own reason text as given.  out is never left NULL.
 */
/*
 * An audit file's problem messages (rl_audit_file.messages: the English
 * ones, then '\x1e' and the Chinese ones, each joined by '\x1f') in lang,
 * joined by sep, appended to out; out is never left NULL.
 */
void rl_label_audit_messages(rl_lang lang, const char *messages, const char *sep, rl_buf *out);
/*
 * An error footprint's message (r->error; nothing when NULL): under zh its
 * fixed words in Chinese, the GEOS/GDAL reason kept as given, quoted.
 */
void rl_label_fp_error(rl_lang lang, const rl_screen_data *d, const rl_fp_result *r,
                       rl_buf *out);
void rl_label_reasons(rl_lang lang, const rl_screen_data *d, const rl_fp_result *r,
                      rl_buf *out);
/*
 * JSON: `,\n "labels": {"verdict": {WORD: ZH, ...}, "units": {...}}` for the
 * n words given (diff, area, audit); keys stay English.
 */
void rl_json_labels_words(rl_buf *b, const char *const *words, size_t n);

/*
 * The workbook of a screen (out_xlsx.c): sheets 汇总, 压占明细 and, with
 * --landuse, 地类, written to f.  RL_ERR_OUTPUT with a message on failure.
 */
rl_status rl_xlsx_screen(rl_ctx *ctx, const rl_screen_data *d, FILE *f);
/*
 * The workbook of a diff: 汇总 (total, then one row per group) and, with
 * --by/--by-old, 转移矩阵 (the square matrix, OLD rows, NEW columns, totals)
 * and 转移明细 (one row per transition); numbers in --units.  As above.
 */
rl_status rl_xlsx_diff(rl_ctx *ctx, const rl_diff_data *d, FILE *f);
/*
 * The matrix's rows (to 0: OLD values) or columns (to 1: NEW values) in key
 * order, none last, as indices into d->groups (d->ngroups: none); out holds
 * ngroups + 1.  Returns how many.
 */
/*
 * The workbook of an audit: a 汇总 sheet, one row per file (path, status,
 * features, footprint verdict counts, problem codes and messages).  As above.
 */
/*
 * The hits of screen run d as an rl_audit_file's `hits` text, appended to b:
 * per hit, 5 + the control's field count counted fields (id, control index,
 * FID, overlap m², share of the footprint %, then the attribute values; a
 * missing value is written "~").  rl_audit_hits_next() reads one field from
 * *p: returns it (not terminated) with its length in *n and a flag for a
 * missing value, advances *p; NULL at the end or on a malformed field.
 */
void rl_audit_hits_put(rl_buf *b, const rl_screen_data *d);
const char *rl_audit_hits_next(const char **p, size_t *n, int *missing);
rl_status rl_xlsx_audit(rl_ctx *ctx, const rl_audit_data *d, FILE *f);
size_t rl_diff_matrix_axis(const rl_diff_data *d, int to, size_t *out);
/* The area (m2) that was group `from` in OLD and `to` in NEW; 0 if none. */
double rl_diff_matrix_cell(const rl_diff_data *d, size_t from, size_t to);

/* The HTML report of a diff: lost and gained pieces mapped per group (out_html.c). */
rl_status rl_html_diff(rl_ctx *ctx, const rl_diff_data *d, rl_buf *b);

/*
 * The index page of an audit (out_html.c): each file's status, problems and
 * verdict counts; with link_dir (NULL: no links; "": relative), a link to
 * the file's report link_dir/files/NNNN.json as --report-dir writes it.
 */
rl_status rl_html_audit(rl_ctx *ctx, const rl_audit_data *d, const char *link_dir, rl_buf *b);

/* The HTML report of a screen (out_html.c). */
rl_status rl_html_screen(rl_ctx *ctx, const rl_screen_data *d, rl_buf *b);

#endif
