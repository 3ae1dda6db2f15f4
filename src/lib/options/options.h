/*
 * options.h -- what the user asked for: argv parsed into the options of
 * each command (options.c), with every default written once.
 */
#ifndef RL_OPTIONS_H
#define RL_OPTIONS_H

#include "measure/measure.h"

/* ---- options shared by commands (options.c) ---- */

typedef enum { RL_FMT_TABLE = 0, RL_FMT_CSV, RL_FMT_JSON, RL_FMT_HTML, RL_FMT_XLSX } rl_format;

/* --lang: the language of human-facing text (table, CSV, HTML); JSON keys stay English. */
typedef enum { RL_LANG_EN = 0, RL_LANG_ZH } rl_lang;
/*
 * The language the locale asks for: zh when the first of LC_ALL,
 * LC_MESSAGES and LANG that is set and not empty starts with "zh", else en
 * (the order in which POSIX lets them override each other).
 */
rl_lang rl_lang_from_env(void);

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
    rl_lang lang;      /* --lang, default from the locale */
    char *out_path;    /* -o; NULL = caller's stream */
    char *pieces_path; /* --pieces */
    char *assume_srs;
    char *encoding;
    int jobs;
    int quiet;
    /* --allow-empty: an empty input layer is accepted and reported */
    int allow_empty;
    /*
     * --skip-bad-controls (screen, audit) / --skip-bad-features (diff,
     * area): features of a control, OLD, NEW or LAYER that cannot be used
     * are left out and listed, and every verdict is provisional.
     */
    int skip_bad;
    /* diff, area: rl_{diff,area}_options_set_progress; NULL: none */
    rl_progress_fn progress;
    void *progress_data;
    /*
     * --shard I/N (docs/scale-out.md): this run does shard I of N and
     * writes its part (-f json -o PART); shard_count 0: not sharded.
     */
    int shard_index;
    int shard_count;
    /*
     * With --shard: the arguments the part records (argv without --shard,
     * -o, -f, --jobs, --quiet, --lang, --units, passwords redacted) and the
     * run's fingerprint (rl_fingerprint over them).
     */
    char **shard_args;
    int nshard_args;
    char fingerprint[17];
    /* redline merge: the parts this run takes its work from (borrowed); NULL otherwise */
    const rl_part *parts;
    size_t nparts;
    /* --run-id, else "fp-" and a fingerprint of the command line and its input files */
    char *run_id;
    char *command_line; /* the command and its arguments, passwords masked (PG: sink) */
} rl_common_opts;

/* 1 when a dataset name is a PostgreSQL connection ("PG:..."): a PostGIS sink or source. */
int rl_is_pg(const char *name);

struct rl_screen_options {
    rl_common_opts c;
    rl_control_spec *controls;
    int ncontrols;
    char **footprints;
    int nfootprints;
    char *id_field;
    double min_area;
    int strict;
    int wide; /* --wide: the table on one line per footprint (default: fits 80 columns) */
    /* --landuse: the DLTB layer broken down by class (landuse/landuse.h) */
    char *landuse_path;
    int landuse_method;   /* rl_lu_method: 0 geometric, 1 attribute */
    int landuse_by;       /* rl_lu_level: 0 county, 1 town, 2 village (default) */
    char **field_aliases; /* --field KEY=NAME, as given */
    int nfield_aliases;
    char *landuse_csv;    /* --landuse-csv: one row per footprint × class */
    int landuse_decimals; /* --landuse-decimals 0..6; -1: by --units */
    char **classify;      /* --classify NAME=FIELD, as given */
    int nclassify;
    /* Line and point footprints (linear/linear.h, docs/linear.md); 0/NULL: not given */
    double line_width;        /* --line-width: full corridor width, m */
    char *line_width_field;   /* --line-width-field */
    char *line_left_field;    /* --line-left-field, with --line-right-field */
    char *line_right_field;
    double point_size;        /* --point-size: side of the square, m */
    double point_radius;      /* --point-radius: radius of the circle, m */
    char *point_field;        /* --point-size/--point-radius gave a field name */
    char *use_field;          /* --use-field: 永久 / 临时 totals per control */
    double near;              /* --near: distance to the nearest control feature, m */
    double *rings;            /* --rings: ascending distances, m */
    int nrings;
    char *rules_path;     /* --rules FILE */
    struct rl_rules *rules; /* its contents (rules/rules.h); NULL without --rules */
    rl_progress_fn progress; /* rl_screen_options_set_progress; NULL: none */
    void *progress_data;
};

/* How far (m) from a footprint control features matter: --near and the last ring; 0: none. */
double rl_screen_reach(const rl_screen_options *o);

/* FIELD of --classify NAME=FIELD for control `name`, or NULL (the last one given wins). */
const char *rl_classify_field(const rl_screen_options *o, const char *name);

struct rl_diff_options {
    rl_common_opts c;
    char *old_path, *new_path;
    char *by;
    char *by_old, *by_new; /* --by-old/--by-new: the field in one version */
    char *map;             /* --map FILE: old value -> new value (CSV) */
    char *matrix_csv;      /* --matrix-csv FILE: the square transition matrix */
    int by_level;          /* --by-level 1: DLBM 一级类 (first two characters); 0 off */
    int keep_nature;       /* --keep-nature: a changed value is a finding */
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

/* OGR driver name for an output path by its extension, or NULL. */
const char *rl_vec_driver_for(const char *path);

#endif
