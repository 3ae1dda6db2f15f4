/* options.c -- argv -> options objects for screen, diff and area. */
#include "rl_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char *rl_rule_name(rl_rule r)
{
    return r == RL_RULE_FORBID ? "forbid" : r == RL_RULE_REQUIRE ? "require" : "report";
}

const char *rl_severity_name(rl_severity s)
{
    return s == RL_SEV_CONFLICT ? "conflict" : "warn";
}

const char *rl_area_method_name(rl_area_method m)
{
    return m == RL_AREA_PLANAR ? "planar" : "ellipsoidal";
}

/* Cursor over argv that understands "--opt value" and "--opt=value". */
typedef struct {
    rl_ctx *ctx;
    int argc, i;
    const char *const *argv;
    const char *opt;   /* current option name without "=value" */
    const char *inl;   /* inline value after '=' or NULL */
    char name[64];
} argcur;

static const char *take_value(argcur *c)
{
    if (c->inl)
        return c->inl;
    if (c->i + 1 >= c->argc) {
        rl_fail(c->ctx, RL_ERR_USAGE, "option %s needs a value", c->name);
        return NULL;
    }
    return c->argv[++c->i];
}

static int is(argcur *c, const char *a, const char *b)
{
    return strcmp(c->name, a) == 0 || (b && strcmp(c->name, b) == 0);
}

/* 1 for an option that takes no value, as it should be; 0 (message set) if given one. */
static int flag(argcur *c)
{
    if (c->inl)
        rl_fail(c->ctx, RL_ERR_USAGE, "%s takes no value", c->name);
    return c->inl == NULL;
}

static int set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = rl_strdup(v);
    return *dst != NULL;
}

/* 1 handled, 0 not a common option, -1 error (message in ctx). */
static int common_option(argcur *c, rl_common_opts *o, int allow_pieces)
{
    const char *v;
    if (is(c, "--area", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        if (strcmp(v, "ellipsoidal") == 0)
            o->area = RL_AREA_ELLIPSOIDAL;
        else if (strcmp(v, "planar") == 0)
            o->area = RL_AREA_PLANAR;
        else {
            rl_fail(c->ctx, RL_ERR_USAGE,
                    "--area must be 'ellipsoidal' or 'planar', not '%s'", v);
            return -1;
        }
        return 1;
    }
    if (is(c, "--units", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        if (!rl_units_parse(v, &o->units)) {
            rl_fail(c->ctx, RL_ERR_USAGE,
                    "--units must be m2, ha, mu or km2, not '%s'", v);
            return -1;
        }
        return 1;
    }
    if (is(c, "--format", "-f")) {
        if (!(v = take_value(c)))
            return -1;
        if (strcmp(v, "table") == 0)
            o->format = RL_FMT_TABLE;
        else if (strcmp(v, "csv") == 0)
            o->format = RL_FMT_CSV;
        else if (strcmp(v, "json") == 0)
            o->format = RL_FMT_JSON;
        else {
            rl_fail(c->ctx, RL_ERR_USAGE,
                    "--format must be table, csv or json, not '%s'", v);
            return -1;
        }
        return 1;
    }
    if (is(c, "-o", "--output")) {
        if (!(v = take_value(c)))
            return -1;
        return set_str(&o->out_path, v) ? 1 : -1;
    }
    if (allow_pieces && is(c, "--pieces", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        if (!rl_vec_driver_for(v)) {
            rl_fail(c->ctx, RL_ERR_USAGE,
                    "--pieces %s: use a .gpkg, .geojson or .shp file name", v);
            return -1;
        }
        return set_str(&o->pieces_path, v) ? 1 : -1;
    }
    if (is(c, "--assume-srs", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        return set_str(&o->assume_srs, v) ? 1 : -1;
    }
    if (is(c, "--encoding", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        return set_str(&o->encoding, v) ? 1 : -1;
    }
    if (is(c, "--jobs", "-j")) {
        if (!(v = take_value(c)))
            return -1;
        char *end;
        long n = strtol(v, &end, 10);
        /* GDAL's spelling (NUM_THREADS=ALL_CPUS) for "every processor". */
        if (strcasecmp(v, "ALL_CPUS") == 0) {
            n = sysconf(_SC_NPROCESSORS_ONLN);
            n = n < 1 ? 1 : n > 256 ? 256 : n;
        } else if (*end || n < 1 || n > 256) {
            rl_fail(c->ctx, RL_ERR_USAGE,
                    "--jobs must be a whole number from 1 to 256 or ALL_CPUS, not '%s'", v);
            return -1;
        }
        o->jobs = (int)n;
        return 1;
    }
    if (is(c, "--quiet", "-q")) {
        if (!flag(c))
            return -1;
        o->quiet = 1;
        return 1;
    }
    return 0;
}

static int parse_area_opt(argcur *c, double *dst)
{
    const char *v = take_value(c);
    if (!v)
        return -1;
    if (!rl_parse_area_with_unit(v, dst)) {
        rl_fail(c->ctx, RL_ERR_USAGE,
                "%s needs a non-negative area such as 1, 0.5ha or 2mu, not '%s'",
                c->name, v);
        return -1;
    }
    return 1;
}

/*
 * Splits argv[i] into name and inline value ("--opt=VALUE", or "-jVALUE" as
 * getopt allows); 1 if it is an option.
 */
static int load_opt(argcur *c)
{
    const char *a = c->argv[c->i];
    c->inl = NULL;
    if (a[0] != '-' || a[1] == '\0')
        return 0;
    size_t n = 2;
    if (a[1] == '-') {
        const char *eq = strchr(a, '=');
        n = eq ? (size_t)(eq - a) : strlen(a);
        c->inl = eq ? eq + 1 : NULL;
    } else if (a[2]) {
        c->inl = a + 2;
    }
    if (n >= sizeof c->name)
        n = sizeof c->name - 1;
    memcpy(c->name, a, n);
    c->name[n] = '\0';
    return 1;
}

static void common_defaults(rl_common_opts *o)
{
    memset(o, 0, sizeof *o);
    o->jobs = 1;
}

static void common_free(rl_common_opts *o)
{
    free(o->out_path);
    free(o->pieces_path);
    free(o->assume_srs);
    free(o->encoding);
}

static int push_str(char ***arr, int *n, const char *s)
{
    char **a = realloc(*arr, (size_t)(*n + 1) * sizeof *a);
    if (!a)
        return 0;
    *arr = a;
    a[*n] = rl_strdup(s);
    if (!a[*n])
        return 0;
    (*n)++;
    return 1;
}

static int add_control(rl_ctx *ctx, rl_screen_options *o, const char *name,
                       rl_rule rule, rl_severity sev, const char *path)
{
    for (int i = 0; i < o->ncontrols; i++) {
        if (strcmp(o->controls[i].name, name) == 0) {
            rl_fail(ctx, RL_ERR_USAGE, "control '%s' is given twice", name);
            return 0;
        }
    }
    rl_control_spec *a = realloc(o->controls, (size_t)(o->ncontrols + 1) * sizeof *a);
    if (!a) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return 0;
    }
    o->controls = a;
    rl_control_spec *s = &a[o->ncontrols++];
    s->name = rl_strdup(name);
    s->rule = rule;
    s->severity = sev;
    s->path = rl_strdup(path);
    return 1;
}

/* NAME:RULE[:SEVERITY]=PATH */
static int parse_control(rl_ctx *ctx, rl_screen_options *o, const char *spec)
{
    const char *eq = strchr(spec, '=');
    char head[256];
    if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof head || !eq[1])
        goto bad;
    memcpy(head, spec, (size_t)(eq - spec));
    head[eq - spec] = '\0';
    char *rule = strchr(head, ':');
    if (!rule || rule == head)
        goto bad;
    *rule++ = '\0';
    char *sev = strchr(rule, ':');
    if (sev)
        *sev++ = '\0';
    for (const char *p = head; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')) {
            rl_fail(ctx, RL_ERR_USAGE,
                    "--control: name '%s' may hold only letters, digits, '_' "
                    "and '-'",
                    head);
            return 0;
        }
    }
    rl_rule r;
    if (strcmp(rule, "forbid") == 0)
        r = RL_RULE_FORBID;
    else if (strcmp(rule, "require") == 0)
        r = RL_RULE_REQUIRE;
    else if (strcmp(rule, "report") == 0)
        r = RL_RULE_REPORT;
    else {
        rl_fail(ctx, RL_ERR_USAGE,
                "--control: rule must be forbid, require or report, not '%s'",
                rule);
        return 0;
    }
    rl_severity s = r == RL_RULE_FORBID ? RL_SEV_CONFLICT : RL_SEV_WARN;
    if (sev) {
        if (strcmp(sev, "conflict") == 0)
            s = RL_SEV_CONFLICT;
        else if (strcmp(sev, "warn") == 0)
            s = RL_SEV_WARN;
        else {
            rl_fail(ctx, RL_ERR_USAGE,
                    "--control: severity must be conflict or warn, not '%s'",
                    sev);
            return 0;
        }
    }
    return add_control(ctx, o, head, r, s, eq + 1);
bad:
    rl_fail(ctx, RL_ERR_USAGE,
            "--control needs NAME:RULE[:SEVERITY]=PATH, not '%s'", spec);
    return 0;
}

/* screen's options; in audit mode also --report-dir and no control needed. */
static rl_screen_options *parse_screen(rl_ctx *ctx, int argc,
                                       const char *const *argv, int audit,
                                       char **report_dir)
{
    rl_screen_options *o = calloc(1, sizeof *o);
    if (!o) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    rl_ctx_clear(ctx);
    common_defaults(&o->c);
    o->min_area = 1.0;
    argcur c = {ctx, argc, 0, argv, NULL, NULL, {0}};
    int no_more_opts = 0;
    for (c.i = 0; c.i < argc; c.i++) {
        if (no_more_opts || !load_opt(&c)) {
            if (!push_str(&o->footprints, &o->nfootprints, argv[c.i]))
                goto oom;
            continue;
        }
        if (strcmp(c.name, "--") == 0) {
            no_more_opts = 1;
            continue;
        }
        int r = common_option(&c, &o->c, 1);
        if (r < 0)
            goto fail;
        if (r > 0)
            continue;
        const char *v;
        if (is(&c, "--eco", NULL) || is(&c, "--farmland", NULL) ||
            is(&c, "--udb", NULL)) {
            char name[64];
            snprintf(name, sizeof name, "%s", c.name + 2);
            if (!(v = take_value(&c)))
                goto fail;
            int udb = strcmp(name, "udb") == 0;
            if (!add_control(ctx, o, name, udb ? RL_RULE_REQUIRE : RL_RULE_FORBID,
                             udb ? RL_SEV_WARN : RL_SEV_CONFLICT, v))
                goto fail;
        } else if (is(&c, "--control", NULL)) {
            if (!(v = take_value(&c)) || !parse_control(ctx, o, v))
                goto fail;
        } else if (is(&c, "--id-field", NULL)) {
            if (!(v = take_value(&c)) || !set_str(&o->id_field, v))
                goto fail;
        } else if (is(&c, "--min-area", NULL)) {
            if (parse_area_opt(&c, &o->min_area) < 0)
                goto fail;
        } else if (is(&c, "--strict", NULL)) {
            if (!flag(&c))
                goto fail;
            o->strict = 1;
        } else if (audit && is(&c, "--report-dir", NULL)) {
            if (!(v = take_value(&c)) || !set_str(report_dir, v))
                goto fail;
        } else {
            rl_fail(ctx, RL_ERR_USAGE, "unknown option '%s'", argv[c.i]);
            goto fail;
        }
    }
    if (audit && o->c.pieces_path) {
        rl_fail(ctx, RL_ERR_USAGE, "--pieces is not available for audit");
        goto fail;
    }
    if (audit && o->nfootprints != 1) {
        rl_fail(ctx, RL_ERR_USAGE, o->nfootprints ? "audit takes one DIR" : "no DIR given");
        goto fail;
    }
    if (o->nfootprints == 0) {
        rl_fail(ctx, RL_ERR_USAGE, "no FOOTPRINT dataset given");
        goto fail;
    }
    if (o->ncontrols == 0 && !audit) {
        rl_fail(ctx, RL_ERR_USAGE,
                "no control layer: give --eco, --farmland, --udb or --control");
        goto fail;
    }
    return o;
oom:
    rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
fail:
    rl_screen_options_free(o);
    return NULL;
}

rl_screen_options *rl_screen_options_new(rl_ctx *ctx, int argc,
                                         const char *const *argv)
{
    return parse_screen(ctx, argc, argv, 0, NULL);
}

rl_audit_options *rl_audit_options_new(rl_ctx *ctx, int argc,
                                       const char *const *argv)
{
    rl_audit_options *a = calloc(1, sizeof *a);
    if (!a) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    a->s = parse_screen(ctx, argc, argv, 1, &a->report_dir);
    if (!a->s) {
        free(a->report_dir);
        free(a);
        return NULL;
    }
    a->dir = a->s->footprints[0];
    return a;
}

void rl_audit_options_free(rl_audit_options *a)
{
    if (!a)
        return;
    rl_screen_options_free(a->s);
    free(a->report_dir);
    free(a);
}

void rl_audit_options_set_progress(rl_audit_options *a, rl_progress_fn fn,
                                   void *userdata)
{
    a->progress = fn;
    a->progress_data = userdata;
}

void rl_screen_options_free(rl_screen_options *o)
{
    if (!o)
        return;
    common_free(&o->c);
    for (int i = 0; i < o->ncontrols; i++) {
        free(o->controls[i].name);
        free(o->controls[i].path);
    }
    free(o->controls);
    for (int i = 0; i < o->nfootprints; i++)
        free(o->footprints[i]);
    free(o->footprints);
    free(o->id_field);
    free(o);
}

/* Shared loop for diff and area: options plus `want` positionals. */
static int parse_simple(rl_ctx *ctx, int argc, const char *const *argv,
                        rl_common_opts *co, int allow_pieces, char **by,
                        double *num, const char *num_opt, int want,
                        char **pos, const char *usage_pos)
{
    argcur c = {ctx, argc, 0, argv, NULL, NULL, {0}};
    int npos = 0, no_more_opts = 0;
    for (c.i = 0; c.i < argc; c.i++) {
        if (no_more_opts || !load_opt(&c)) {
            if (npos >= want) {
                rl_fail(ctx, RL_ERR_USAGE, "too many operands: expected %s",
                        usage_pos);
                return 0;
            }
            pos[npos++] = rl_strdup(argv[c.i]);
            continue;
        }
        if (strcmp(c.name, "--") == 0) {
            no_more_opts = 1;
            continue;
        }
        int r = common_option(&c, co, allow_pieces);
        if (r < 0)
            return 0;
        if (r > 0)
            continue;
        const char *v;
        if (is(&c, "--by", NULL)) {
            if (!(v = take_value(&c)) || !set_str(by, v))
                return 0;
        } else if (is(&c, num_opt, NULL)) {
            if (parse_area_opt(&c, num) < 0)
                return 0;
        } else {
            rl_fail(ctx, RL_ERR_USAGE, "unknown option '%s'", argv[c.i]);
            return 0;
        }
    }
    if (npos < want) {
        rl_fail(ctx, RL_ERR_USAGE, "missing operand: expected %s", usage_pos);
        return 0;
    }
    return 1;
}

rl_diff_options *rl_diff_options_new(rl_ctx *ctx, int argc,
                                     const char *const *argv)
{
    rl_diff_options *o = calloc(1, sizeof *o);
    if (!o) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    rl_ctx_clear(ctx);
    common_defaults(&o->c);
    o->tolerance = 1.0;
    char *pos[2] = {NULL, NULL};
    int ok = parse_simple(ctx, argc, argv, &o->c, 1, &o->by, &o->tolerance,
                          "--tolerance", 2, pos, "OLD NEW");
    o->old_path = pos[0];
    o->new_path = pos[1];
    if (!ok) {
        rl_diff_options_free(o);
        return NULL;
    }
    return o;
}

void rl_diff_options_free(rl_diff_options *o)
{
    if (!o)
        return;
    common_free(&o->c);
    free(o->old_path);
    free(o->new_path);
    free(o->by);
    free(o);
}

rl_area_options *rl_area_options_new(rl_ctx *ctx, int argc,
                                     const char *const *argv)
{
    rl_area_options *o = calloc(1, sizeof *o);
    if (!o) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    rl_ctx_clear(ctx);
    common_defaults(&o->c);
    o->expect_min = -1;
    char *pos[1] = {NULL};
    int ok = parse_simple(ctx, argc, argv, &o->c, 0, &o->by, &o->expect_min,
                          "--expect-min", 1, pos, "LAYER");
    o->path = pos[0];
    if (!ok) {
        rl_area_options_free(o);
        return NULL;
    }
    return o;
}

void rl_area_options_free(rl_area_options *o)
{
    if (!o)
        return;
    common_free(&o->c);
    free(o->path);
    free(o->by);
    free(o);
}
