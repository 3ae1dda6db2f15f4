/*
 * rules.h -- the rules file of --rules (docs/rules.md): control layers
 * declared in YAML, with a rule per attribute value of the hit control
 * feature, exemptions by an attribute of the footprint, field aliases and
 * attributes to report.  rules.c parses it (libyaml) and decides, for one
 * hit, which rule applies; the screen engine calls it after the overlays.
 */
#ifndef RL_RULES_H
#define RL_RULES_H

#include "input/input.h"

/* A hit's severity; the order is "worst first" (smaller is worse). */
typedef enum { RL_HS_CONFLICT = 0, RL_HS_WARN, RL_HS_REPORT } rl_hit_severity;

const char *rl_hit_severity_name(rl_hit_severity s);

/* One entry of `by.values`: the rule for one attribute value. */
typedef struct rl_rule_value {
    char *value;
    rl_hit_severity sev;
    char *reason; /* may hold {FIELD} placeholders; NULL: the control's reason */
    int line, col; /* where it is written, for messages */
    int has_sev;   /* while parsing: severity given */
} rl_rule_value;

/* A field's name in the rules file and the other names it may have. */
typedef struct rl_rule_alias {
    char *name;
    char **alts;
    size_t nalts;
} rl_rule_alias;

typedef struct rl_ctl_rules {
    char *name;
    char *path;          /* resolved against the rules file's folder; NULL: a flag's layer */
    int has_rule, has_severity; /* rule / severity written in the file */
    int rule;            /* rl_rule (options.h) */
    int severity;        /* rl_severity (options.h) */
    char *reason;        /* default reason; NULL: none given */
    rl_rule_alias *aliases;
    size_t naliases;
    char *by_field;      /* NULL: no attribute rules */
    rl_rule_value *values;
    size_t nvalues;
    int complete;        /* by.complete: a hit value no entry covers is an error */
    int by_line, by_col;
    char *exempt_field;  /* NULL: no exemption */
    char **exempt_values;
    size_t nexempt;
    rl_hit_severity exempt_sev;
    char *exempt_reason;
    char **report;       /* attributes carried into every format */
    size_t nreport;
    int line, col;       /* of the entry */
} rl_ctl_rules;

typedef struct rl_rules {
    char *path;          /* the rules file as given */
    rl_ctl_rules *c;
    size_t n;
} rl_rules;

/*
 * Parse the rules file at path.  Returns a new rl_rules, or NULL with
 * RL_ERR_USAGE (RL_ERR_NOMEM) and a message "PATH:LINE:COLUMN: ..." in ctx
 * for a YAML syntax error, an unknown key, a bad value or a missing one.
 * Free with rl_rules_free (NULL is fine).
 */
rl_rules *rl_rules_load(rl_ctx *ctx, const char *path);
void rl_rules_free(rl_rules *r);
/* The entry for control `name`, or NULL (r may be NULL). */
const rl_ctl_rules *rl_rules_find(const rl_rules *r, const char *name);
/*
 * Index in L of field `name` of entry cr: the name itself, else its
 * aliases in their order; -1 when L has none of them.
 */
int rl_rules_field(const rl_ctl_rules *cr, const rl_layer *L, const char *name);
/*
 * Check that control layer L has every field cr names (by, report, the
 * {FIELD}s of reasons).  RL_OK, or RL_ERR_USAGE with a message naming the
 * rules file, the line and the fields L has.
 */
rl_status rl_rules_check_layer(rl_ctx *ctx, const rl_rules *r, const rl_ctl_rules *cr,
                               const rl_layer *L);

/* The rule one hit gets (strings borrowed from the rules and the layers). */
typedef struct rl_rule_hit {
    rl_hit_severity sev;
    const char *field, *value; /* the by-value entry that matched; NULL: the default */
    const char *reason;        /* template: expand with rl_rules_expand; may be NULL */
    const char *xfield, *xvalue; /* the exemption applied; NULL: none */
} rl_rule_hit;

/*
 * The rule for control feature cf of layer CL hit by footprint ff of layer
 * FL (fx: index of the exempt field in FL, -1 none).  base is the
 * severity of the control's rule and severity.  RL_OK, or RL_ERR_USAGE when
 * by.complete is set and no entry covers the feature's value.
 */
rl_status rl_rules_match(rl_ctx *ctx, const rl_rules *r, const rl_ctl_rules *cr,
                         rl_hit_severity base, const rl_layer *CL, size_t cf,
                         const rl_layer *FL, size_t ff, int fx, rl_rule_hit *out);
/*
 * tpl with each {FIELD} replaced by feature feat's value of FIELD in CL
 * (aliases of cr apply; a null value becomes the empty string).  A new
 * string, or NULL when out of memory or tpl is NULL.
 */
char *rl_rules_expand(const rl_ctl_rules *cr, const char *tpl, const rl_layer *CL,
                      size_t feat);

#endif
