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
    rl_progress_fn progress; /* rl_screen_options_set_progress; NULL: none */
    void *progress_data;
};

/* FIELD of --classify NAME=FIELD for control `name`, or NULL (the last one given wins). */
const char *rl_classify_field(const rl_screen_options *o, const char *name);

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

/* OGR driver name for an output path by its extension, or NULL. */
const char *rl_vec_driver_for(const char *path);

#endif
