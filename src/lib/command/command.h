/*
 * command.h -- the commands: their options (options.c) and what each
 * computes (screen.c, diff.c, areacmd.c, audit.c), as the report writers
 * read it.
 */
#ifndef RL_COMMAND_H
#define RL_COMMAND_H

#include "overlay/overlay.h"

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

#endif
