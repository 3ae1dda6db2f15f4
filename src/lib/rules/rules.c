/*
 * rules.c -- the --rules file: YAML read by libyaml into rl_rules, checked
 * key by key (an unknown key is an error: a misspelt "exempt" must not
 * silently judge a project by the stricter rule), and the choice of the
 * rule for one hit.
 */
#include "rules/rules.h"
#include "options/options.h"

#include <yaml.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rl_hit_severity_name(rl_hit_severity s)
{
    static const char *names[] = {"conflict", "warn", "report"};
    return names[s];
}

/* Parsing state: the document and where the messages point. */
typedef struct parse {
    rl_ctx *ctx;
    const char *path;
    yaml_document_t *doc;
    int failed;
} parse;

static int fail_at(parse *P, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at(parse *P, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!P->failed)
        rl_fail(P->ctx, RL_ERR_USAGE, "rules file %s:%zu:%zu: %s", P->path,
                (size_t)n->start_mark.line + 1, (size_t)n->start_mark.column + 1, msg);
    P->failed = 1;
    return 0;
}

static int nomem(parse *P)
{
    if (!P->failed)
        rl_fail(P->ctx, RL_ERR_NOMEM, "out of memory");
    P->failed = 1;
    return 0;
}

static yaml_node_t *node(parse *P, int i)
{
    return yaml_document_get_node(P->doc, i);
}

static const char *kind_name(const yaml_node_t *n)
{
    return n->type == YAML_MAPPING_NODE    ? "a mapping"
           : n->type == YAML_SEQUENCE_NODE ? "a list"
                                           : "a text";
}

/* The scalar n as a new string; what = the key, for the message. */
static char *scalar(parse *P, const yaml_node_t *n, const char *what)
{
    if (n->type != YAML_SCALAR_NODE) {
        fail_at(P, n, "'%s' must be a text, not %s", what, kind_name(n));
        return NULL;
    }
    if (n->data.scalar.length == 0 ||
        memchr(n->data.scalar.value, '\0', n->data.scalar.length)) {
        fail_at(P, n, "'%s' must not be empty", what);
        return NULL;
    }
    char *s = malloc(n->data.scalar.length + 1);
    if (!s) {
        nomem(P);
        return NULL;
    }
    memcpy(s, n->data.scalar.value, n->data.scalar.length);
    s[n->data.scalar.length] = '\0';
    return s;
}

static int scalar_is(const yaml_node_t *n, const char *s)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
           memcmp(n->data.scalar.value, s, n->data.scalar.length) == 0;
}

static int parse_severity(parse *P, const yaml_node_t *n, int allow_report, int *out)
{
    static const char *names[] = {"conflict", "warn", "report"};
    for (int i = 0; i < (allow_report ? 3 : 2); i++)
        if (scalar_is(n, names[i])) {
            *out = i;
            return 1;
        }
    return fail_at(P, n, "severity must be %s, not '%.*s'",
                   allow_report ? "conflict, warn or report" : "conflict or warn",
                   n->type == YAML_SCALAR_NODE ? (int)n->data.scalar.length : 3,
                   n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "...");
}

static int parse_bool(parse *P, const yaml_node_t *n, const char *what, int *out)
{
    if (scalar_is(n, "true") || scalar_is(n, "yes")) {
        *out = 1;
        return 1;
    }
    if (scalar_is(n, "false") || scalar_is(n, "no")) {
        *out = 0;
        return 1;
    }
    return fail_at(P, n, "'%s' must be true or false", what);
}

/* A list of texts (a single text is a list of one). */
static int parse_list(parse *P, const yaml_node_t *n, const char *what, char ***out,
                      size_t *nout)
{
    if (n->type == YAML_SCALAR_NODE) {
        if (!(*out = calloc(1, sizeof **out)))
            return nomem(P);
        *nout = 1;
        return ((*out)[0] = scalar(P, n, what)) != NULL;
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return fail_at(P, n, "'%s' must be a list of texts, not %s", what, kind_name(n));
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (cnt == 0)
        return fail_at(P, n, "'%s' must not be an empty list", what);
    if (!(*out = calloc(cnt, sizeof **out)))
        return nomem(P);
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top; it++) {
        if (!((*out)[*nout] = scalar(P, node(P, *it), what)))
            return 0;
        (*nout)++;
    }
    return 1;
}

/*
 * Walk mapping n: for each pair, find its key in keys[] (NULL-terminated)
 * and call fn; an unknown key or a key given twice is an error.
 */
typedef int (*pair_fn)(parse *P, void *target, int key, const yaml_node_t *k,
                       const yaml_node_t *v);

static int walk(parse *P, const yaml_node_t *n, const char *what, const char *const *keys,
                pair_fn fn, void *target)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(P, n, "%s must be a mapping (key: value), not %s", what, kind_name(n));
    unsigned seen = 0;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = node(P, p->key), *v = node(P, p->value);
        int i = 0;
        while (keys[i] && !scalar_is(k, keys[i]))
            i++;
        if (!keys[i]) {
            char known[256] = "";
            for (int j = 0; keys[j]; j++)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                         j ? ", " : "", keys[j]);
            return fail_at(P, k, "unknown key '%.*s' in %s (known: %s)",
                           k->type == YAML_SCALAR_NODE ? (int)k->data.scalar.length : 3,
                           k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value
                                                       : "...",
                           what, known);
        }
        if (seen & (1u << i))
            return fail_at(P, k, "key '%s' is given twice in %s", keys[i], what);
        seen |= 1u << i;
        if (!fn(P, target, i, k, v))
            return 0;
    }
    return 1;
}

/* ---- by: {field, values, complete} ---- */

static const char *const value_keys[] = {"severity", "reason", NULL};

static int value_pair(parse *P, void *t, int key, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    rl_rule_value *rv = t;
    int sev;
    if (key == 0) {
        if (!parse_severity(P, v, 1, &sev))
            return 0;
        rv->sev = (rl_hit_severity)sev;
        rv->has_sev = 1;
        return 1;
    }
    return (rv->reason = scalar(P, v, "reason")) != NULL;
}

static const char *const by_keys[] = {"field", "values", "complete", NULL};

static int by_pair(parse *P, void *t, int key, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    rl_ctl_rules *c = t;
    if (key == 0)
        return (c->by_field = scalar(P, v, "by.field")) != NULL;
    if (key == 2)
        return parse_bool(P, v, "by.complete", &c->complete);
    if (v->type != YAML_MAPPING_NODE)
        return fail_at(P, v, "'by.values' must be a mapping VALUE: {severity, reason}, not %s",
                       kind_name(v));
    size_t cnt = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    if (cnt == 0)
        return fail_at(P, v, "'by.values' must not be empty");
    if (!(c->values = calloc(cnt, sizeof *c->values)))
        return nomem(P);
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        const yaml_node_t *vk = node(P, p->key), *vv = node(P, p->value);
        rl_rule_value *rv = &c->values[c->nvalues++];
        rv->line = (int)vk->start_mark.line + 1;
        rv->col = (int)vk->start_mark.column + 1;
        if (!(rv->value = scalar(P, vk, "a value of by.values")))
            return 0;
        for (size_t j = 0; j + 1 < c->nvalues; j++)
            if (strcmp(c->values[j].value, rv->value) == 0)
                return fail_at(P, vk, "value '%s' is given twice in by.values", rv->value);
        if (!walk(P, vv, "a by.values entry", value_keys, value_pair, rv))
            return 0;
        if (!rv->has_sev)
            return fail_at(P, vv, "by.values entry '%s' needs a severity "
                           "(conflict, warn or report)", rv->value);
    }
    return 1;
}

/* ---- exempt: {field, values, severity, reason} ---- */

static const char *const exempt_keys[] = {"field", "values", "severity", "reason", NULL};

static int exempt_pair(parse *P, void *t, int key, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    rl_ctl_rules *c = t;
    int sev;
    switch (key) {
    case 0: return (c->exempt_field = scalar(P, v, "exempt.field")) != NULL;
    case 1: return parse_list(P, v, "exempt.values", &c->exempt_values, &c->nexempt);
    case 2:
        if (!parse_severity(P, v, 1, &sev))
            return 0;
        c->exempt_sev = (rl_hit_severity)sev;
        return 1;
    default: return (c->exempt_reason = scalar(P, v, "exempt.reason")) != NULL;
    }
}

/* ---- aliases: {FIELD: [OTHER, ...]} ---- */

static int parse_aliases(parse *P, rl_ctl_rules *c, const yaml_node_t *v)
{
    if (v->type != YAML_MAPPING_NODE)
        return fail_at(P, v, "'aliases' must be a mapping FIELD: [OTHER NAME, ...], not %s",
                       kind_name(v));
    size_t cnt = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    if (!(c->aliases = calloc(cnt + 1, sizeof *c->aliases)))
        return nomem(P);
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        rl_rule_alias *a = &c->aliases[c->naliases++];
        if (!(a->name = scalar(P, node(P, p->key), "an aliases key")) ||
            !parse_list(P, node(P, p->value), "aliases", &a->alts, &a->nalts))
            return 0;
    }
    return 1;
}

/* ---- one control ---- */

static const char *const control_keys[] = {"name",   "path",    "rule",   "severity", "reason",
                                           "aliases", "by",     "exempt", "report",   NULL};

typedef struct control_target {
    rl_ctl_rules *c;
    const yaml_node_t *exempt; /* checked once the entry is read */
} control_target;

static int control_pair(parse *P, void *t, int key, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    control_target *T = t;
    rl_ctl_rules *c = T->c;
    int sev;
    switch (key) {
    case 0:
        if (!(c->name = scalar(P, v, "name")))
            return 0;
        for (const char *p = c->name; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
                return fail_at(P, v, "control name '%s' may hold only letters, digits, "
                               "'_' and '-'", c->name);
        return 1;
    case 1: return (c->path = scalar(P, v, "path")) != NULL;
    case 2:
        c->has_rule = 1;
        if (scalar_is(v, "forbid"))
            c->rule = RL_RULE_FORBID;
        else if (scalar_is(v, "require"))
            c->rule = RL_RULE_REQUIRE;
        else if (scalar_is(v, "report"))
            c->rule = RL_RULE_REPORT;
        else
            return fail_at(P, v, "rule must be forbid, require or report");
        return 1;
    case 3:
        c->has_severity = 1;
        if (!parse_severity(P, v, 0, &sev))
            return 0;
        c->severity = sev;
        return 1;
    case 4: return (c->reason = scalar(P, v, "reason")) != NULL;
    case 5: return parse_aliases(P, c, v);
    case 6:
        c->by_line = (int)v->start_mark.line + 1;
        c->by_col = (int)v->start_mark.column + 1;
        if (!walk(P, v, "'by'", by_keys, by_pair, c))
            return 0;
        if (!c->by_field)
            return fail_at(P, v, "'by' needs a field");
        if (!c->values)
            return fail_at(P, v, "'by' needs values");
        return 1;
    case 7:
        T->exempt = v;
        c->exempt_sev = RL_HS_WARN;
        if (!walk(P, v, "'exempt'", exempt_keys, exempt_pair, c))
            return 0;
        if (!c->exempt_field || !c->exempt_values)
            return fail_at(P, v, "'exempt' needs a field and values");
        return 1;
    default: return parse_list(P, v, "report", &c->report, &c->nreport);
    }
}

static void ctl_rules_clear(rl_ctl_rules *c)
{
    free(c->name);
    free(c->path);
    free(c->reason);
    for (size_t i = 0; i < c->naliases; i++) {
        free(c->aliases[i].name);
        for (size_t j = 0; j < c->aliases[i].nalts; j++)
            free(c->aliases[i].alts[j]);
        free(c->aliases[i].alts);
    }
    free(c->aliases);
    free(c->by_field);
    for (size_t i = 0; i < c->nvalues; i++) {
        free(c->values[i].value);
        free(c->values[i].reason);
    }
    free(c->values);
    free(c->exempt_field);
    for (size_t i = 0; i < c->nexempt; i++)
        free(c->exempt_values[i]);
    free(c->exempt_values);
    free(c->exempt_reason);
    for (size_t i = 0; i < c->nreport; i++)
        free(c->report[i]);
    free(c->report);
}

/* The entry's path against the rules file's folder, unless absolute or /vsi. */
static int resolve_path(parse *P, rl_ctl_rules *c)
{
    if (!c->path || c->path[0] == '/')
        return 1;
    const char *slash = strrchr(P->path, '/');
    if (!slash)
        return 1;
    size_t dl = (size_t)(slash - P->path) + 1;
    char *p = malloc(dl + strlen(c->path) + 1);
    if (!p)
        return nomem(P);
    memcpy(p, P->path, dl);
    strcpy(p + dl, c->path);
    free(c->path);
    c->path = p;
    return 1;
}

static const char *const top_keys[] = {"controls", NULL};

static int top_pair(parse *P, void *t, int key, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)key, (void)k;
    rl_rules *r = t;
    if (v->type != YAML_SEQUENCE_NODE)
        return fail_at(P, v, "'controls' must be a list of controls, not %s", kind_name(v));
    size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (cnt == 0)
        return fail_at(P, v, "'controls' must not be empty");
    if (!(r->c = calloc(cnt, sizeof *r->c)))
        return nomem(P);
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        const yaml_node_t *cn = node(P, *it);
        rl_ctl_rules *c = &r->c[r->n++];
        control_target T = {c, NULL};
        c->line = (int)cn->start_mark.line + 1;
        c->col = (int)cn->start_mark.column + 1;
        if (!walk(P, cn, "a control", control_keys, control_pair, &T))
            return 0;
        if (!c->name)
            return fail_at(P, cn, "a control needs a name");
        for (size_t j = 0; j + 1 < r->n; j++)
            if (strcmp(r->c[j].name, c->name) == 0)
                return fail_at(P, cn, "control '%s' is declared twice", c->name);
        if (!c->has_severity)
            c->severity = c->rule == RL_RULE_FORBID ? RL_SEV_CONFLICT : RL_SEV_WARN;
        if (!resolve_path(P, c))
            return 0;
    }
    return 1;
}

rl_rules *rl_rules_load(rl_ctx *ctx, const char *path)
{
    yaml_parser_t yp;
    yaml_document_t doc;
    int have_parser = 0, have_doc = 0;
    rl_rules *r = calloc(1, sizeof *r);
    parse P = {ctx, path, &doc, 0};
    FILE *f = NULL;
    if (!r || !(r->path = rl_strdup(path))) {
        nomem(&P);
        goto cleanup;
    }
    if (!(f = fopen(path, "rb"))) {
        rl_fail(ctx, RL_ERR_USAGE, "--rules %s: cannot open: %s", path, strerror(errno));
        P.failed = 1;
        goto cleanup;
    }
    if (!yaml_parser_initialize(&yp)) {
        nomem(&P);
        goto cleanup;
    }
    have_parser = 1;
    yaml_parser_set_input_file(&yp, f);
    if (!yaml_parser_load(&yp, &doc)) {
        rl_fail(ctx, RL_ERR_USAGE, "rules file %s:%zu:%zu: YAML syntax error: %s%s%s", path,
                (size_t)yp.problem_mark.line + 1, (size_t)yp.problem_mark.column + 1,
                yp.problem ? yp.problem : "not YAML", yp.context ? " " : "",
                yp.context ? yp.context : "");
        P.failed = 1;
        goto cleanup;
    }
    have_doc = 1;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        rl_fail(ctx, RL_ERR_USAGE, "rules file %s: empty (it needs 'controls:')", path);
        P.failed = 1;
        goto cleanup;
    }
    if (walk(&P, root, "the rules file", top_keys, top_pair, r) && !r->c)
        fail_at(&P, root, "the rules file needs 'controls:'");
    /* A second document ('---') would be ignored: say so rather than drop rules. */
    yaml_document_t next;
    if (!P.failed) {
        if (!yaml_parser_load(&yp, &next)) {
            rl_fail(ctx, RL_ERR_USAGE, "rules file %s:%zu:%zu: YAML syntax error: %s", path,
                    (size_t)yp.problem_mark.line + 1, (size_t)yp.problem_mark.column + 1,
                    yp.problem ? yp.problem : "not YAML");
            P.failed = 1;
        } else {
            yaml_node_t *more = yaml_document_get_root_node(&next);
            if (more)
                fail_at(&P, more, "a second YAML document: a rules file holds one");
            yaml_document_delete(&next);
        }
    }
cleanup:
    if (have_doc)
        yaml_document_delete(&doc);
    if (have_parser)
        yaml_parser_delete(&yp);
    if (f)
        fclose(f);
    if (P.failed) {
        rl_rules_free(r);
        return NULL;
    }
    return r;
}

void rl_rules_free(rl_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        ctl_rules_clear(&r->c[i]);
    free(r->c);
    free(r->path);
    free(r);
}

const rl_ctl_rules *rl_rules_find(const rl_rules *r, const char *name)
{
    for (size_t i = 0; r && i < r->n; i++)
        if (strcmp(r->c[i].name, name) == 0)
            return &r->c[i];
    return NULL;
}

int rl_rules_field(const rl_ctl_rules *cr, const rl_layer *L, const char *name)
{
    int fi = rl_layer_field_index(L, name);
    for (size_t i = 0; fi < 0 && cr && i < cr->naliases; i++)
        if (strcmp(cr->aliases[i].name, name) == 0)
            for (size_t j = 0; fi < 0 && j < cr->aliases[i].nalts; j++)
                fi = rl_layer_field_index(L, cr->aliases[i].alts[j]);
    return fi;
}

/* Field `name` missing from L: the message names what L has. */
static rl_status no_field(rl_ctx *ctx, const rl_rules *r, const rl_ctl_rules *cr, int line,
                          int col, const char *role, const char *name, const rl_layer *L)
{
    rl_buf have = {0};
    for (int i = 0; i < L->nfields; i++) {
        rl_buf_puts(&have, i ? ", " : "");
        rl_buf_puts(&have, L->fields[i]);
    }
    const char *near = rl_layer_field_nearest(L, name);
    rl_status st = rl_fail(ctx, RL_ERR_USAGE,
                           "rules file %s:%d:%d: control %s: %s field '%s' is not in %s "
                           "(%s%s%sits fields: %s; an 'aliases' entry may name it otherwise)",
                           r->path, line, col, cr->name, role, name, L->path,
                           near ? "did you mean '" : "", near ? near : "", near ? "'? " : "",
                           have.s ? have.s : "none");
    rl_buf_free(&have);
    return st;
}

/* The {FIELD}s of tpl must be fields of L. */
static rl_status check_template(rl_ctx *ctx, const rl_rules *r, const rl_ctl_rules *cr,
                                int line, int col, const char *tpl, const rl_layer *L)
{
    for (const char *p = tpl ? strchr(tpl, '{') : NULL; p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        if (!e)
            break;
        char name[256];
        if ((size_t)(e - p - 1) >= sizeof name)
            continue;
        memcpy(name, p + 1, (size_t)(e - p - 1));
        name[e - p - 1] = '\0';
        if (rl_rules_field(cr, L, name) < 0)
            return no_field(ctx, r, cr, line, col, "reason", name, L);
    }
    return RL_OK;
}

rl_status rl_rules_check_layer(rl_ctx *ctx, const rl_rules *r, const rl_ctl_rules *cr,
                               const rl_layer *L)
{
    rl_status st;
    if (cr->by_field && rl_rules_field(cr, L, cr->by_field) < 0)
        return no_field(ctx, r, cr, cr->by_line, cr->by_col, "by", cr->by_field, L);
    for (size_t i = 0; i < cr->nreport; i++)
        if (rl_rules_field(cr, L, cr->report[i]) < 0)
            return no_field(ctx, r, cr, cr->line, cr->col, "report", cr->report[i], L);
    if ((st = check_template(ctx, r, cr, cr->line, cr->col, cr->reason, L)))
        return st;
    for (size_t i = 0; i < cr->nvalues; i++)
        if ((st = check_template(ctx, r, cr, cr->values[i].line, cr->values[i].col,
                                 cr->values[i].reason, L)))
            return st;
    return check_template(ctx, r, cr, cr->line, cr->col, cr->exempt_reason, L);
}

rl_status rl_rules_match(rl_ctx *ctx, const rl_rules *r, const rl_ctl_rules *cr,
                         rl_hit_severity base, const rl_layer *CL, size_t cf,
                         const rl_layer *FL, size_t ff, int fx, rl_rule_hit *out)
{
    *out = (rl_rule_hit){.sev = base, .reason = cr ? cr->reason : NULL};
    if (!cr)
        return RL_OK;
    const rl_feature *f = &CL->feat[cf];
    if (cr->by_field) {
        int fi = rl_rules_field(cr, CL, cr->by_field);
        const char *v = fi >= 0 && f->attrs ? f->attrs[fi] : NULL;
        size_t i = 0;
        while (v && i < cr->nvalues && strcmp(cr->values[i].value, v) != 0)
            i++;
        if (v && i < cr->nvalues) {
            out->sev = cr->values[i].sev;
            out->field = cr->by_field;
            out->value = cr->values[i].value;
            if (cr->values[i].reason)
                out->reason = cr->values[i].reason;
        } else if (cr->complete) {
            return rl_fail(ctx, RL_ERR_USAGE,
                           "rules file %s:%d:%d: control %s: 'by' is complete, but no "
                           "entry of by.values covers %s%s%s (%s feature %lld)",
                           r->path, cr->by_line, cr->by_col, cr->name, v ? "'" : "",
                           v ? v : "a null value", v ? "'" : "", CL->path, f->fid);
        }
    }
    /* An exemption lowers a conflict; it never raises a severity. */
    if (cr->exempt_field && fx >= 0 && out->sev == RL_HS_CONFLICT &&
        cr->exempt_sev > RL_HS_CONFLICT && FL->feat[ff].attrs) {
        const char *pv = FL->feat[ff].attrs[fx];
        for (size_t i = 0; pv && i < cr->nexempt; i++)
            if (strcmp(cr->exempt_values[i], pv) == 0) {
                out->sev = cr->exempt_sev;
                out->xfield = cr->exempt_field;
                out->xvalue = cr->exempt_values[i];
                if (cr->exempt_reason)
                    out->reason = cr->exempt_reason;
                break;
            }
    }
    return RL_OK;
}

char *rl_rules_expand(const rl_ctl_rules *cr, const char *tpl, const rl_layer *CL,
                      size_t feat)
{
    if (!tpl)
        return NULL;
    rl_buf b = {0};
    const char *p = tpl;
    for (const char *o; (o = strchr(p, '{')) != NULL;) {
        const char *e = strchr(o, '}');
        char name[256];
        if (!e || (size_t)(e - o - 1) >= sizeof name)
            break;
        memcpy(name, o + 1, (size_t)(e - o - 1));
        name[e - o - 1] = '\0';
        int fi = rl_rules_field(cr, CL, name);
        rl_buf_putn(&b, p, (size_t)(o - p));
        if (fi < 0) {
            rl_buf_putn(&b, o, (size_t)(e - o + 1)); /* not a field: kept as written */
        } else {
            const rl_feature *f = &CL->feat[feat];
            rl_buf_puts(&b, f->attrs && f->attrs[fi] ? f->attrs[fi] : "");
        }
        p = e + 1;
    }
    rl_buf_puts(&b, p);
    if (b.oom) {
        rl_buf_free(&b);
        return NULL;
    }
    return b.s ? b.s : rl_strdup("");
}
