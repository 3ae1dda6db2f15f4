/* options.c -- argv -> options objects for screen, diff, area and audit. */
#include "options/options.h"
#include "rules/rules.h"

#include <math.h>
#include <stdint.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/*
 * Every option default, written once, as the text a user would type.  Each
 * parser starts by feeding these through the very code that handles the
 * user's options (an option a command lacks is skipped), and the CLI's --help
 * prints them through rl_option_default(), so help and behaviour agree.
 */
static const struct {
    const char *opt, *value;
} option_defaults[] = {
    {"--area", "ellipsoidal"}, /* geodesic area on the CRS's ellipsoid */
    {"--units", "m2"},
    {"--format", "table"},
    {"--lang", "auto"}, /* zh when LC_ALL, LC_MESSAGES or LANG starts with zh */
    {"--jobs", "ALL_CPUS"}, /* every online processor, clamped to 1..256 */
    {"--min-area", "1"},    /* m2 (screen, audit) */
    {"--tolerance", "1"},   /* m2 (diff) */
};

const char *rl_option_default(const char *option)
{
    if (!option)
        return NULL;
    for (size_t k = 0; k < sizeof option_defaults / sizeof *option_defaults; k++)
        if (strcmp(option_defaults[k].opt, option) == 0)
            return option_defaults[k].value;
    return NULL;
}

rl_lang rl_lang_from_env(void)
{
    static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strncmp(v, "zh", 2) == 0 ? RL_LANG_ZH : RL_LANG_EN;
    }
    return RL_LANG_EN;
}

const char *rl_classify_field(const rl_screen_options *o, const char *name)
{
    const char *field = NULL;
    for (int i = 0; o && name && i < o->nclassify; i++) {
        size_t kl = strcspn(o->classify[i], "=");
        if (strlen(name) == kl && strncmp(name, o->classify[i], kl) == 0)
            field = o->classify[i] + kl + 1;
    }
    return field;
}

const char *rl_rule_name(rl_rule r)
{
    return r == RL_RULE_FORBID ? "forbid" : r == RL_RULE_REQUIRE ? "require" : "report";
}

const char *rl_severity_name(rl_severity s)
{
    return s == RL_SEV_CONFLICT ? "conflict" : "warn";
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

/* Replaces *dst by a copy of v; 0 (RL_ERR_NOMEM in ctx) when out of memory. */
static int set_str(rl_ctx *ctx, char **dst, const char *v)
{
    free(*dst);
    *dst = rl_strdup(v);
    if (!*dst)
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    return *dst != NULL;
}

/* 1 handled, 0 not a common option, -1 error (message in ctx). */
static int common_option(argcur *c, rl_common_opts *o, int allow_pieces)
{
    const char *v;
    if (is(c, "--area", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        if (!rl_area_method_parse(v, &o->area)) {
            rl_fail(c->ctx, RL_ERR_USAGE,
                    "--area must be 'ellipsoidal', 'geodesic', 'survey' or "
                    "'planar', not '%s'", v);
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
        if (strcasecmp(v, "table") == 0)
            o->format = RL_FMT_TABLE;
        else if (strcasecmp(v, "csv") == 0)
            o->format = RL_FMT_CSV;
        else if (strcasecmp(v, "json") == 0)
            o->format = RL_FMT_JSON;
        else if (strcasecmp(v, "html") == 0)
            o->format = RL_FMT_HTML;
        else if (strcasecmp(v, "xlsx") == 0)
            o->format = RL_FMT_XLSX;
        else {
            rl_fail(c->ctx, RL_ERR_USAGE,
                    "--format must be table, csv, json, html or xlsx, not '%s'", v);
            return -1;
        }
        return 1;
    }
    if (is(c, "--lang", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        if (strcasecmp(v, "auto") == 0)
            o->lang = rl_lang_from_env();
        else if (strcasecmp(v, "zh") == 0)
            o->lang = RL_LANG_ZH;
        else if (strcasecmp(v, "en") == 0)
            o->lang = RL_LANG_EN;
        else {
            rl_fail(c->ctx, RL_ERR_USAGE, "--lang must be zh, en or auto, not '%s'", v);
            return -1;
        }
        return 1;
    }
    if (is(c, "-o", "--output")) {
        if (!(v = take_value(c)))
            return -1;
        return set_str(c->ctx, &o->out_path, v) ? 1 : -1;
    }
    if (allow_pieces && is(c, "--pieces", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        if (!rl_vec_driver_for(v)) {
            rl_fail(c->ctx, RL_ERR_USAGE,
                    "--pieces %s: use a .gpkg, .geojson or .shp file name, or PG:", v);
            return -1;
        }
        return set_str(c->ctx, &o->pieces_path, v) ? 1 : -1;
    }
    if (is(c, "--assume-srs", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        return set_str(c->ctx, &o->assume_srs, v) ? 1 : -1;
    }
    if (is(c, "--encoding", NULL)) {
        char enc[64];
        if (!(v = take_value(c)))
            return -1;
        /* An unknown name would leave text undecoded: refuse it now. */
        if (!rl_encoding_resolve(v, enc, sizeof enc)) {
            rl_fail(c->ctx, RL_ERR_USAGE,
                    "--encoding: unknown encoding '%s' (iconv cannot decode it); "
                    "use e.g. GBK, CP936, GB18030, BIG5 or UTF-8", v);
            return -1;
        }
        return set_str(c->ctx, &o->encoding, v) ? 1 : -1;
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
        } else if (*v < '0' || *v > '9' || *end || n < 1 || n > 256) {
            /* strtol alone would take " 5" and "+5"; the other numbers are digits only. */
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
    if (is(c, "--run-id", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        /* It goes into SQL as a literal and into file names: keep it plain. */
        if (!*v || strlen(v) > 64 || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                               "0123456789._-") != strlen(v)) {
            rl_fail(c->ctx, RL_ERR_USAGE, "--run-id must be 1 to 64 letters, digits, '.', "
                    "'_' or '-', not '%s'", v);
            return -1;
        }
        return set_str(c->ctx, &o->run_id, v) ? 1 : -1;
    }
    if (is(c, "--shard", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        char *e1 = NULL, *e2 = NULL;
        long i = -1, n = -1;
        if (*v >= '0' && *v <= '9')
            i = strtol(v, &e1, 10);
        if (e1 && *e1 == '/' && e1[1] >= '0' && e1[1] <= '9')
            n = strtol(e1 + 1, &e2, 10);
        if (!e2 || *e2 || n < 1 || n > 1000000 || i >= n) {
            rl_fail(c->ctx, RL_ERR_USAGE,
                    "--shard must be I/N with 0 <= I < N (e.g. 0/4), not '%s'", v);
            return -1;
        }
        o->shard_index = (int)i;
        o->shard_count = (int)n;
        return 1;
    }
    if (is(c, "--allow-empty", NULL)) {
        if (!flag(c))
            return -1;
        o->allow_empty = 1;
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
                "%s needs a non-negative area in decimal digits, such as 1, 0.5ha or "
                "2mu, not '%s'", c->name, v);
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

/*
 * One command's options: `option` handles the option under the cursor (1
 * handled, 0 not an option of this command, -1 failed with a message in ctx);
 * `operand` takes one operand (1 ok, 0 failed with a message in ctx).
 */
typedef struct {
    int (*option)(argcur *c, void *target);
    int (*operand)(rl_ctx *ctx, void *target, const char *arg);
} parser;

/*
 * Applies option_defaults, then argv, to `target` through `p`.  "--" ends
 * the options.  1 ok, 0 failed with a message in ctx.
 */
static int parse_args(rl_ctx *ctx, int argc, const char *const *argv,
                      const parser *p, void *target)
{
    argcur c = {ctx, argc, 0, argv, NULL, NULL, {0}};
    for (size_t k = 0; k < sizeof option_defaults / sizeof *option_defaults; k++) {
        snprintf(c.name, sizeof c.name, "%s", option_defaults[k].opt);
        c.inl = option_defaults[k].value;
        if (p->option(&c, target) < 0) {
            if (rl_ctx_status(ctx) != RL_ERR_NOMEM)
                rl_fail(ctx, RL_ERR_INTERNAL, "the default %s=%s is rejected",
                        option_defaults[k].opt, option_defaults[k].value);
            return 0;
        }
    }
    int no_more_opts = 0;
    const char *area_opt = NULL, *area_val = NULL; /* the last option, if it took an area */
    for (c.i = 0; c.i < argc; c.i++) {
        if (no_more_opts || !load_opt(&c)) {
            rl_units u;
            /* "--min-area 1 mu": the unit would be read as a file name. */
            if (area_opt && rl_units_parse(argv[c.i], &u)) {
                rl_fail(ctx, RL_ERR_USAGE, "%s %s %s: the unit must follow the number "
                        "without a space: %s%s", area_opt, area_val, argv[c.i], area_val,
                        argv[c.i]);
                return 0;
            }
            area_opt = NULL;
            if (!p->operand(ctx, target, argv[c.i]))
                return 0;
            continue;
        }
        area_opt = NULL;
        if (strcmp(c.name, "--") == 0) {
            no_more_opts = 1;
            continue;
        }
        int r = p->option(&c, target);
        if (r < 0)
            return 0;
        /* Options whose value is an area (parse_area_opt), given as a separate word. */
        static const char *const area_opts[] = {"--min-area", "--expect-min", "--tolerance"};
        for (size_t k = 0; k < sizeof area_opts / sizeof *area_opts; k++)
            if (strcmp(c.name, area_opts[k]) == 0)
                area_opt = area_opts[k], area_val = c.inl ? c.inl : argv[c.i];
        if (r == 0) {
            rl_fail(ctx, RL_ERR_USAGE, "unknown option '%s'", argv[c.i]);
            return 0;
        }
    }
    return 1;
}

/* 64-bit FNV-1a of n bytes, continued from h. */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

/*
 * After a command's argv is parsed: the run id and the command line a PG:
 * sink records, and what -o PG: allows.  The default run id is the same for
 * every shard of one run, so it leaves out what differs between shards or
 * does not change a figure (-o, --pieces, --shard, --jobs, --quiet,
 * --run-id) and takes every other argument, with the size and modification
 * time of each argument that names an existing file: a changed input is
 * another run.  1 ok, 0 failed (message in ctx).
 */
static int common_finish(rl_ctx *ctx, rl_common_opts *o, const char *cmd, int argc,
                         const char *const *argv)
{
    rl_buf line = {0};
    rl_buf_puts(&line, "redline ");
    rl_buf_puts(&line, cmd);
    uint64_t h = fnv1a(14695981039346656037ULL, cmd, strlen(cmd) + 1);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        rl_buf_puts(&line, " ");
        rl_buf_redacted(&line, a);
        static const char *const valued[] = {"-o", "--output", "--pieces", "--shard",
                                             "--jobs", "-j", "--run-id"};
        int skip = 0;
        for (size_t k = 0; k < sizeof valued / sizeof *valued; k++) {
            size_t l = strlen(valued[k]);
            if (strcmp(a, valued[k]) == 0)
                skip = 2;
            else if (strncmp(a, valued[k], l) == 0 && a[l] == '=')
                skip = 1;
        }
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
            skip = 1;
        if (skip) {
            if (skip == 2 && i + 1 < argc) {
                rl_buf_puts(&line, " ");
                rl_buf_redacted(&line, argv[++i]);
            }
            continue;
        }
        h = fnv1a(h, a, strlen(a) + 1);
        struct stat sb;
        if (stat(a, &sb) == 0 && S_ISREG(sb.st_mode)) {
            int64_t meta[3] = {(int64_t)sb.st_size, (int64_t)sb.st_mtim.tv_sec,
                               (int64_t)sb.st_mtim.tv_nsec};
            h = fnv1a(h, meta, sizeof meta);
        }
    }
    if (line.oom || !(o->command_line = rl_strdup(line.s))) {
        free(line.s);
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return 0;
    }
    free(line.s);
    if (!o->run_id) {
        char id[32];
        snprintf(id, sizeof id, "fp-%016llx", (unsigned long long)h);
        if (!set_str(ctx, &o->run_id, id))
            return 0;
    }
    /* The sink stores the JSON report's figures: JSON is its one format. */
    if (o->out_path && rl_is_pg(o->out_path)) {
        if (o->format != RL_FMT_TABLE && o->format != RL_FMT_JSON) {
            rl_fail(ctx, RL_ERR_USAGE, "-o PG:... writes tables in PostgreSQL; --format "
                                       "must be json there (or left out)");
            return 0;
        }
        o->format = RL_FMT_JSON;
    }
    return 1;
}

int rl_is_pg(const char *name)
{
    return name && strncmp(name, "PG:", 3) == 0;
}

/*
 * With --shard: a shard writes its part as JSON to a file, and records the
 * arguments that make its result (all but those of merge_owned) and their
 * fingerprint.  1 ok, 0 failed (message in ctx).
 */
static int shard_finish(rl_ctx *ctx, int argc, const char *const *argv, const char *command,
                        rl_common_opts *o)
{
    /* Options that only say how or where to write, or how fast: merge gives its own. */
    static const char *const merge_owned[] = {"--shard", "-o", "--output", "-f", "--format",
                                              "-j", "--jobs", "--lang", "--units", "--run-id"};
    if (!o->shard_count)
        return 1;
    /* A part is not a report: the PG: sink takes merge's report (one transaction). */
    if (rl_is_pg(o->out_path) || rl_is_pg(o->pieces_path)) {
        rl_fail(ctx, RL_ERR_USAGE, "--shard writes the shard's part to a file (-f json -o "
                                   "PART); give -o PG:... and --pieces PG:... to redline merge");
        return 0;
    }
    if (o->format != RL_FMT_JSON || !o->out_path) {
        rl_fail(ctx, RL_ERR_USAGE, "--shard writes the shard's part: give -f json -o PART "
                                   "(and the report's format to redline merge)");
        return 0;
    }
    o->shard_args = calloc((size_t)argc + 1, sizeof *o->shard_args);
    if (!o->shard_args) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return 0;
    }
    int no_more_opts = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!no_more_opts && strcmp(a, "--") == 0)
            no_more_opts = 1;
        else if (!no_more_opts && a[0] == '-' && a[1]) {
            if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
                continue;
            size_t n = a[1] == '-' ? strcspn(a, "=") : 2;
            int owned = 0;
            for (size_t k = 0; k < sizeof merge_owned / sizeof *merge_owned; k++)
                owned |= strlen(merge_owned[k]) == n && strncmp(a, merge_owned[k], n) == 0;
            if (owned) {
                if (a[n] == '\0') /* the value is the next argument */
                    i++;
                continue;
            }
        }
        if (!(o->shard_args[o->nshard_args++] = rl_redact(a))) {
            rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            return 0;
        }
    }
    rl_fingerprint(command, o->shard_args, o->nshard_args, o->fingerprint);
    return 1;
}

static void common_free(rl_common_opts *o)
{
    for (int i = 0; i < o->nshard_args; i++)
        free(o->shard_args[i]);
    free(o->shard_args);
    free(o->run_id);
    free(o->command_line);
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
    if (!s->name || !s->path) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return 0;
    }
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
        /* Bytes >= 0x80: a Chinese name such as 自然保护地 (checked as UTF-8 below). */
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
              (unsigned char)*p >= 0x80)) {
            rl_fail(ctx, RL_ERR_USAGE,
                    "--control: name '%s' may hold only letters (Chinese too), digits, '_' "
                    "and '-'",
                    head);
            return 0;
        }
    }
    if (!rl_is_utf8(head)) {
        rl_fail(ctx, RL_ERR_USAGE, "--control: the name is not UTF-8 text");
        return 0;
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

/*
 * --line-width M, --point-size M|FIELD, --point-radius M|FIELD: a width in
 * metres, > 0 and finite; for the point options a value that does not
 * start like a number names a field instead.
 */
static int parse_metres(argcur *c, rl_screen_options *o)
{
    const char *v = take_value(c);
    if (!v)
        return -1;
    int line = strcmp(c->name, "--line-width") == 0;
    double x = 0;
    int numeric = rl_parse_decimal(v, &x);
    int looks_numeric = strchr("+-.0123456789", v[0]) != NULL && v[0];
    if (!line && !looks_numeric) {
        o->point_size = o->point_radius = 0;
        if (strcmp(c->name, "--point-size") == 0)
            o->point_size = 1;   /* from the field: the value says which shape */
        else
            o->point_radius = 1;
        return set_str(c->ctx, &o->point_field, v) ? 1 : -1;
    }
    if (!numeric || !isfinite(x) || !(x > 0)) {
        rl_fail(c->ctx, RL_ERR_USAGE, "%s needs a positive width in metres%s, not '%s'",
                c->name, line ? "" : " (or a field name)", v);
        return -1;
    }
    if (line)
        o->line_width = x;
    else if (strcmp(c->name, "--point-size") == 0)
        o->point_size = x, o->point_radius = 0;
    else
        o->point_radius = x, o->point_size = 0;
    if (!line) {
        free(o->point_field);
        o->point_field = NULL;
    }
    return 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* --rings 100,500,1000: positive distances in metres, kept ascending, no repeats. */
static int parse_rings(rl_ctx *ctx, rl_screen_options *o, const char *v)
{
    free(o->rings);
    o->rings = NULL;
    o->nrings = 0;
    size_t n = 1;
    for (const char *p = v; *p; p++)
        n += *p == ',';
    o->rings = malloc(n * sizeof *o->rings);
    if (!o->rings) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return 0;
    }
    const char *p = v;
    for (size_t k = 0; k < n; k++) {
        size_t len = strcspn(p, ",");
        char one[64];
        double x = 0;
        snprintf(one, sizeof one, "%.*s", (int)len, p);
        const char *end = p + len;
        if (len >= sizeof one || !rl_parse_decimal(one, &x) || !(x > 0)) {
            rl_fail(ctx, RL_ERR_USAGE, "--rings needs positive distances in metres "
                    "separated by commas (e.g. 100,500,1000), not '%s'", v);
            return 0;
        }
        o->rings[o->nrings++] = x;
        p = end + (*end == ',');
    }
    qsort(o->rings, (size_t)o->nrings, sizeof *o->rings, cmp_double);
    int m = 0;
    for (int k = 0; k < o->nrings; k++)
        if (!m || o->rings[k] != o->rings[m - 1])
            o->rings[m++] = o->rings[k];
    o->nrings = m;
    return 1;
}

double rl_screen_reach(const rl_screen_options *o)
{
    double r = o->near;
    if (o->nrings && o->rings[o->nrings - 1] > r)
        r = o->rings[o->nrings - 1];
    return r;
}

/*
 * --rules FILE: read it; each control it gives a path becomes a control
 * after those of the flags, and one without a path adds its rules to the
 * flag's control of that name, which must exist.
 */
static int add_rules(rl_ctx *ctx, rl_screen_options *o)
{
    if (!(o->rules = rl_rules_load(ctx, o->rules_path)))
        return 0;
    const rl_rules *R = o->rules;
    for (size_t i = 0; i < R->n; i++) {
        const rl_ctl_rules *c = &R->c[i];
        int k = 0;
        while (k < o->ncontrols && strcmp(o->controls[k].name, c->name) != 0)
            k++;
        if (c->path) {
            if (k < o->ncontrols) {
                rl_fail(ctx, RL_ERR_USAGE,
                        "rules file %s:%d:%d: control '%s' has a path, and a flag gives "
                        "a control of that name too (leave out its path to add rules to "
                        "the flag's layer)",
                        R->path, c->line, c->col, c->name);
                return 0;
            }
            if (!add_control(ctx, o, c->name, (rl_rule)c->rule, (rl_severity)c->severity,
                             c->path))
                return 0;
            continue;
        }
        if (k == o->ncontrols) {
            rl_fail(ctx, RL_ERR_USAGE,
                    "rules file %s:%d:%d: control '%s' has no path and names no layer "
                    "given by a flag (--eco, --farmland, --udb or --control %s:...)",
                    R->path, c->line, c->col, c->name, c->name);
            return 0;
        }
        if (c->has_rule || c->has_severity) {
            rl_fail(ctx, RL_ERR_USAGE,
                    "rules file %s:%d:%d: control '%s' adds rules to a flag's layer, "
                    "whose rule and severity the flag gives: leave out 'rule' and "
                    "'severity'",
                    R->path, c->line, c->col, c->name);
            return 0;
        }
    }
    return 1;
}

/* Target of screen's and audit's parser. */
typedef struct {
    rl_screen_options *o;
    int audit;         /* also --report-dir; no --pieces */
    char **report_dir; /* audit only */
} screen_target;

static int screen_option(argcur *c, void *target)
{
    screen_target *t = target;
    rl_screen_options *o = t->o;
    int r = common_option(c, &o->c, !t->audit);
    if (r != 0)
        return r;
    const char *v;
    if (is(c, "--eco", NULL) || is(c, "--farmland", NULL) || is(c, "--udb", NULL)) {
        char name[64];
        snprintf(name, sizeof name, "%s", c->name + 2);
        if (!(v = take_value(c)))
            return -1;
        int udb = strcmp(name, "udb") == 0;
        return add_control(c->ctx, o, name, udb ? RL_RULE_REQUIRE : RL_RULE_FORBID,
                           udb ? RL_SEV_WARN : RL_SEV_CONFLICT, v)
                   ? 1
                   : -1;
    }
    if (is(c, "--control", NULL))
        return (v = take_value(c)) && parse_control(c->ctx, o, v) ? 1 : -1;
    if (is(c, "--rules", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        if (o->rules_path) {
            rl_fail(c->ctx, RL_ERR_USAGE, "--rules is given twice");
            return -1;
        }
        return set_str(c->ctx, &o->rules_path, v) ? 1 : -1;
    }
    if (is(c, "--id-field", NULL))
        return (v = take_value(c)) && set_str(c->ctx, &o->id_field, v) ? 1 : -1;
    if (is(c, "--min-area", NULL))
        return parse_area_opt(c, &o->min_area);
    if (is(c, "--strict", NULL)) {
        if (!flag(c))
            return -1;
        o->strict = 1;
        return 1;
    }
    if (is(c, "--skip-bad-controls", NULL)) {
        if (!flag(c))
            return -1;
        o->c.skip_bad = 1;
        return 1;
    }
    if (!t->audit && is(c, "--wide", NULL)) {
        if (!flag(c))
            return -1;
        o->wide = 1;
        return 1;
    }
    if (!t->audit && is(c, "--landuse", NULL))
        return (v = take_value(c)) && set_str(c->ctx, &o->landuse_path, v) ? 1 : -1;
    if (!t->audit && is(c, "--landuse-csv", NULL))
        return (v = take_value(c)) && set_str(c->ctx, &o->landuse_csv, v) ? 1 : -1;
    if (!t->audit && is(c, "--landuse-method", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        if (strcmp(v, "geometric") && strcmp(v, "attribute")) {
            rl_fail(c->ctx, RL_ERR_USAGE,
                    "--landuse-method must be geometric or attribute, not '%s'", v);
            return -1;
        }
        o->landuse_method = strcmp(v, "attribute") == 0;
        return 1;
    }
    if (!t->audit && is(c, "--landuse-decimals", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        if (strlen(v) != 1 || v[0] < '0' || v[0] > '6') {
            rl_fail(c->ctx, RL_ERR_USAGE,
                    "--landuse-decimals must be a whole number from 0 to 6, not '%s'", v);
            return -1;
        }
        o->landuse_decimals = v[0] - '0';
        return 1;
    }
    if (!t->audit && is(c, "--landuse-by", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        static const char *lv[] = {"county", "town", "village"};
        for (int l = 0; l < 3; l++)
            if (strcmp(v, lv[l]) == 0) {
                o->landuse_by = l;
                return 1;
            }
        rl_fail(c->ctx, RL_ERR_USAGE,
                "--landuse-by must be county, town or village, not '%s'", v);
        return -1;
    }
    if (!t->audit && is(c, "--field", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        const char *eq = strchr(v, '=');
        if (!eq || eq == v || !eq[1]) {
            rl_fail(c->ctx, RL_ERR_USAGE, "--field needs KEY=NAME (e.g. DLBM=地类编码), not '%s'", v);
            return -1;
        }
        if (!push_str(&o->field_aliases, &o->nfield_aliases, v)) {
            rl_fail(c->ctx, RL_ERR_NOMEM, "out of memory");
            return -1;
        }
        return 1;
    }
    if (is(c, "--classify", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        const char *eq = strchr(v, '=');
        if (!eq || eq == v || !eq[1]) {
            rl_fail(c->ctx, RL_ERR_USAGE, "--classify needs NAME=FIELD (e.g. eco=HXLX), not '%s'", v);
            return -1;
        }
        if (!push_str(&o->classify, &o->nclassify, v)) {
            rl_fail(c->ctx, RL_ERR_NOMEM, "out of memory");
            return -1;
        }
        return 1;
    }
    if (is(c, "--line-width", NULL) || is(c, "--point-size", NULL) ||
        is(c, "--point-radius", NULL))
        return parse_metres(c, o);
    if (is(c, "--near", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        if (!rl_parse_decimal(v, &o->near) || !(o->near > 0)) {
            rl_fail(c->ctx, RL_ERR_USAGE, "--near needs a positive distance in metres, in "
                    "decimal digits, not '%s'", v);
            return -1;
        }
        return 1;
    }
    if (is(c, "--rings", NULL))
        return (v = take_value(c)) && parse_rings(c->ctx, o, v) ? 1 : -1;
    if (is(c, "--use-field", NULL))
        return (v = take_value(c)) && set_str(c->ctx, &o->use_field, v) ? 1 : -1;
    if (is(c, "--line-width-field", NULL))
        return (v = take_value(c)) && set_str(c->ctx, &o->line_width_field, v) ? 1 : -1;
    if (is(c, "--line-left-field", NULL))
        return (v = take_value(c)) && set_str(c->ctx, &o->line_left_field, v) ? 1 : -1;
    if (is(c, "--line-right-field", NULL))
        return (v = take_value(c)) && set_str(c->ctx, &o->line_right_field, v) ? 1 : -1;
    if (t->audit && is(c, "--landuse", NULL)) {
        rl_fail(c->ctx, RL_ERR_USAGE, "--landuse is not available for audit");
        return -1;
    }
    if (t->audit && is(c, "--report-dir", NULL))
        return (v = take_value(c)) && set_str(c->ctx, t->report_dir, v) ? 1 : -1;
    if (t->audit && is(c, "--pieces", NULL)) {
        rl_fail(c->ctx, RL_ERR_USAGE, "--pieces is not available for audit");
        return -1;
    }
    return 0;
}

static int screen_operand(rl_ctx *ctx, void *target, const char *arg)
{
    rl_screen_options *o = ((screen_target *)target)->o;
    if (!push_str(&o->footprints, &o->nfootprints, arg)) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return 0;
    }
    return 1;
}

/* screen's options; in audit mode also --report-dir and no control needed. */
static rl_screen_options *parse_screen(rl_ctx *ctx, int argc,
                                       const char *const *argv, int audit,
                                       char **report_dir)
{
    static const parser p = {screen_option, screen_operand};
    rl_screen_options *o = calloc(1, sizeof *o);
    if (!o) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    rl_ctx_clear(ctx);
    screen_target t = {o, audit, report_dir};
    o->landuse_by = 2; /* village */
    o->landuse_decimals = -1; /* by --units */
    if (!parse_args(ctx, argc, argv, &p, &t) ||
        !common_finish(ctx, &o->c, audit ? "audit" : "screen", argc, argv))
        goto fail;
    /* A workbook is a zip: never onto a terminal or into a pipe by accident. */
    if (o->c.format == RL_FMT_XLSX && !o->c.out_path) {
        rl_fail(ctx, RL_ERR_USAGE, "--format xlsx needs -o FILE.xlsx");
        goto fail;
    }
    if (!shard_finish(ctx, argc, argv, audit ? "audit" : "screen", &o->c))
        goto fail;
    if (o->rules_path && !add_rules(ctx, o))
        goto fail;
    if (audit && o->nfootprints != 1) {
        rl_fail(ctx, RL_ERR_USAGE, o->nfootprints ? "audit takes one DIR" : "no DIR given");
        goto fail;
    }
    if (o->nfootprints == 0) {
        rl_fail(ctx, RL_ERR_USAGE, "no FOOTPRINT dataset given");
        goto fail;
    }
    if (!o->landuse_path && (o->landuse_csv || o->nfield_aliases || o->landuse_method ||
                             o->landuse_by != 2 || o->landuse_decimals >= 0)) {
        rl_fail(ctx, RL_ERR_USAGE,
                "--landuse-method, --landuse-by, --landuse-decimals, --landuse-csv and "
                "--field need --landuse DLTB");
        goto fail;
    }
    for (int i = 0; i < o->nclassify; i++) {
        size_t kl = strcspn(o->classify[i], "=");
        int found = 0;
        for (int k = 0; k < o->ncontrols; k++)
            found |= strlen(o->controls[k].name) == kl &&
                     strncmp(o->controls[k].name, o->classify[i], kl) == 0;
        if (!found) {
            rl_fail(ctx, RL_ERR_USAGE, "--classify %s: no control named '%.*s'",
                    o->classify[i], (int)kl, o->classify[i]);
            goto fail;
        }
    }
    if (!o->line_left_field != !o->line_right_field) {
        rl_fail(ctx, RL_ERR_USAGE, "--line-left-field and --line-right-field go together");
        goto fail;
    }
    if ((o->line_width > 0) + (o->line_width_field != NULL) + (o->line_left_field != NULL) > 1) {
        rl_fail(ctx, RL_ERR_USAGE, "give one of --line-width, --line-width-field and "
                                   "--line-left-field/--line-right-field");
        goto fail;
    }
    if (o->ncontrols == 0 && !audit && !o->landuse_path) {
        rl_fail(ctx, RL_ERR_USAGE,
                "no control layer: give --eco, --farmland, --udb, --control, --rules or "
                "--landuse");
        goto fail;
    }
    return o;
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
    if (!a)
        return;
    a->progress = fn;
    a->progress_data = userdata;
}

void rl_screen_options_set_progress(rl_screen_options *o, rl_progress_fn fn, void *userdata)
{
    if (!o)
        return;
    o->progress = fn;
    o->progress_data = userdata;
}

void rl_diff_options_set_progress(rl_diff_options *o, rl_progress_fn fn, void *userdata)
{
    if (!o)
        return;
    o->c.progress = fn;
    o->c.progress_data = userdata;
}

void rl_area_options_set_progress(rl_area_options *o, rl_progress_fn fn, void *userdata)
{
    if (!o)
        return;
    o->c.progress = fn;
    o->c.progress_data = userdata;
}

int rl_screen_options_quiet(const rl_screen_options *o)
{
    return o ? o->c.quiet : 0;
}

int rl_diff_options_quiet(const rl_diff_options *o)
{
    return o ? o->c.quiet : 0;
}

int rl_area_options_quiet(const rl_area_options *o)
{
    return o ? o->c.quiet : 0;
}

int rl_audit_options_quiet(const rl_audit_options *a)
{
    return a ? rl_screen_options_quiet(a->s) : 0;
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
    free(o->rules_path);
    rl_rules_free(o->rules);
    for (int i = 0; i < o->nfootprints; i++)
        free(o->footprints[i]);
    free(o->footprints);
    free(o->id_field);
    free(o->landuse_path);
    free(o->landuse_csv);
    free(o->line_width_field);
    free(o->line_left_field);
    free(o->line_right_field);
    free(o->point_field);
    free(o->use_field);
    free(o->rings);
    for (int i = 0; i < o->nclassify; i++)
        free(o->classify[i]);
    free(o->classify);
    for (int i = 0; i < o->nfield_aliases; i++)
        free(o->field_aliases[i]);
    free(o->field_aliases);
    free(o);
}

/* Target of diff's and area's parser: options plus `want` operands. */
typedef struct {
    rl_common_opts *co;
    int allow_pieces;
    char **by;
    double *num;         /* the command's area option ... */
    const char *num_opt; /* ... and its name */
    char **pos;
    int npos, want;
    const char *usage_pos; /* "OLD NEW", "LAYER" */
    rl_diff_options *diff; /* diff's own options; NULL for area */
} simple_target;

static int simple_option(argcur *c, void *target)
{
    simple_target *t = target;
    int r = common_option(c, t->co, t->allow_pieces);
    if (r != 0)
        return r;
    const char *v;
    if (is(c, "--by", NULL))
        return (v = take_value(c)) && set_str(c->ctx, t->by, v) ? 1 : -1;
    rl_diff_options *d = t->diff;
    if (d && is(c, "--by-old", NULL))
        return (v = take_value(c)) && set_str(c->ctx, &d->by_old, v) ? 1 : -1;
    if (d && is(c, "--by-new", NULL))
        return (v = take_value(c)) && set_str(c->ctx, &d->by_new, v) ? 1 : -1;
    if (d && is(c, "--map", NULL))
        return (v = take_value(c)) && set_str(c->ctx, &d->map, v) ? 1 : -1;
    if (d && is(c, "--matrix-csv", NULL))
        return (v = take_value(c)) && set_str(c->ctx, &d->matrix_csv, v) ? 1 : -1;
    if (d && is(c, "--by-level", NULL)) {
        if (!(v = take_value(c)))
            return -1;
        if (strcmp(v, "1") != 0 && strcmp(v, "2") != 0) {
            rl_fail(c->ctx, RL_ERR_USAGE,
                    "--by-level must be 1 (一级类: the first two characters of the "
                    "value) or 2 (the value itself), not '%s'", v);
            return -1;
        }
        d->by_level = v[0] == '1';
        return 1;
    }
    if (d && is(c, "--keep-nature", NULL)) {
        if (!flag(c))
            return -1;
        d->keep_nature = 1;
        return 1;
    }
    if (is(c, t->num_opt, NULL))
        return parse_area_opt(c, t->num);
    if (is(c, "--skip-bad-features", NULL)) {
        if (!flag(c))
            return -1;
        t->co->skip_bad = 1;
        return 1;
    }
    return 0;
}

static int simple_operand(rl_ctx *ctx, void *target, const char *arg)
{
    simple_target *t = target;
    if (t->npos >= t->want) {
        rl_fail(ctx, RL_ERR_USAGE, "too many operands: expected %s", t->usage_pos);
        return 0;
    }
    if (!(t->pos[t->npos++] = rl_strdup(arg))) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return 0;
    }
    return 1;
}

/* Parses diff's or area's argv into `t`; 1 ok, 0 failed (message in ctx). */
static int parse_simple(rl_ctx *ctx, int argc, const char *const *argv,
                        simple_target *t)
{
    static const parser p = {simple_option, simple_operand};
    if (!parse_args(ctx, argc, argv, &p, t) ||
        !common_finish(ctx, t->co, t->diff ? "diff" : "area", argc, argv))
        return 0;
    /* diff has HTML and xlsx reports (allow_pieces: diff); area has neither. */
    if ((t->co->format == RL_FMT_HTML || t->co->format == RL_FMT_XLSX) && !t->allow_pieces) {
        rl_fail(ctx, RL_ERR_USAGE, "--format %s is available for %s only; "
                "use table, csv or json here",
                t->co->format == RL_FMT_HTML ? "html" : "xlsx", "screen, diff and audit");
        return 0;
    }
    /* A workbook is a zip: never onto a terminal or into a pipe by accident. */
    if (t->co->format == RL_FMT_XLSX && !t->co->out_path) {
        rl_fail(ctx, RL_ERR_USAGE, "--format xlsx needs -o FILE.xlsx");
        return 0;
    }
    if (t->npos < t->want) {
        rl_fail(ctx, RL_ERR_USAGE, "missing operand: expected %s", t->usage_pos);
        return 0;
    }
    return shard_finish(ctx, argc, argv, t->diff ? "diff" : "area", t->co);
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
    char *pos[2] = {NULL, NULL};
    simple_target t = {&o->c, 1, &o->by, &o->tolerance, "--tolerance",
                       pos, 0, 2, "OLD NEW", o};
    int ok = parse_simple(ctx, argc, argv, &t);
    o->old_path = pos[0];
    o->new_path = pos[1];
    if (ok && o->by && (o->by_old || o->by_new)) {
        rl_fail(ctx, RL_ERR_USAGE, "--by names the field of both versions: give either "
                                   "--by, or --by-old and --by-new");
        ok = 0;
    }
    if (ok && !o->by && (!o->by_old != !o->by_new)) {
        rl_fail(ctx, RL_ERR_USAGE, "--by-old and --by-new go together (or use --by)");
        ok = 0;
    }
    if (ok && !o->by && !o->by_old &&
        (o->map || o->by_level || o->keep_nature || o->matrix_csv)) {
        rl_fail(ctx, RL_ERR_USAGE, "%s needs --by FIELD (or --by-old and --by-new)",
                o->map ? "--map" : o->by_level ? "--by-level"
                : o->keep_nature ? "--keep-nature" : "--matrix-csv");
        ok = 0;
    }
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
    free(o->by_old);
    free(o->by_new);
    free(o->map);
    free(o->matrix_csv);
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
    o->expect_min = -1; /* none */
    char *pos[1] = {NULL};
    simple_target t = {&o->c, 0, &o->by, &o->expect_min, "--expect-min",
                       pos, 0, 1, "LAYER", NULL};
    int ok = parse_simple(ctx, argc, argv, &t);
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

const char *rl_vec_driver_for(const char *path)
{
    if (rl_is_pg(path))
        return "PostgreSQL";
    const char *dot = strrchr(path, '.');
    if (!dot)
        return NULL;
    if (strcasecmp(dot, ".gpkg") == 0)
        return "GPKG";
    if (strcasecmp(dot, ".geojson") == 0 || strcasecmp(dot, ".json") == 0)
        return "GeoJSON";
    if (strcasecmp(dot, ".shp") == 0)
        return "ESRI Shapefile";
    return NULL;
}
