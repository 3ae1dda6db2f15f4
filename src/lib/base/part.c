/*
 * part.c -- the parts of a sharded run (--shard I/N) as `redline merge`
 * reads them: JSON parsed with libyaml (JSON is a subset of YAML, and the
 * library already links libyaml for --rules), the checks that the parts
 * make one whole run, and the fingerprint that ties a part to its inputs
 * and options (docs/scale-out.md).
 */
#include "base/base.h"

#include <yaml.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static yaml_node_t *node(rl_jv v)
{
    return v.doc && v.id ? yaml_document_get_node(v.doc, v.id) : NULL;
}

rl_jv rl_jv_get(rl_jv map, const char *key)
{
    yaml_node_t *n = node(map);
    rl_jv none = {map.doc, 0};
    if (!n || n->type != YAML_MAPPING_NODE)
        return none;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(map.doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE && strcmp((char *)k->data.scalar.value, key) == 0)
            return (rl_jv){map.doc, p->value};
    }
    return none;
}

size_t rl_jv_len(rl_jv seq)
{
    yaml_node_t *n = node(seq);
    return n && n->type == YAML_SEQUENCE_NODE
               ? (size_t)(n->data.sequence.items.top - n->data.sequence.items.start)
               : 0;
}

rl_jv rl_jv_at(rl_jv seq, size_t i)
{
    rl_jv none = {seq.doc, 0};
    if (i >= rl_jv_len(seq))
        return none;
    return (rl_jv){seq.doc, node(seq)->data.sequence.items.start[i]};
}

const char *rl_jv_str(rl_jv v)
{
    yaml_node_t *n = node(v);
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int rl_jv_num(rl_jv v, double *out)
{
    const char *s = rl_jv_str(v);
    char *end;
    if (!s || !*s)
        return 0;
    errno = 0;
    double d = strtod(s, &end); /* reads "%a" exactly */
    if (*end || errno == ERANGE)
        return 0;
    *out = d;
    return 1;
}

int rl_jv_size(rl_jv v, size_t *out)
{
    const char *s = rl_jv_str(v);
    char *end;
    if (!s || *s < '0' || *s > '9')
        return 0;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (*end || errno == ERANGE)
        return 0;
    *out = (size_t)n;
    return 1;
}

void rl_buf_hexnum(rl_buf *b, double v)
{
    /* %a is exact: merge adds the very bits the shard computed. */
    rl_buf_printf(b, "\"%a\"", v);
}

void rl_buf_part_str(rl_buf *b, const char *s)
{
    rl_buf t = {0};
    rl_buf_json_str(&t, s ? s : "");
    if (t.oom) {
        b->oom = 1;
        return;
    }
    /*
     * YAML folds U+0085, U+2028 and U+2029 inside a quoted scalar as line
     * breaks, and refuses the other C1 controls: written as escapes, they
     * come back as they were (and the part stays JSON).
     */
    const unsigned char *q = (const unsigned char *)t.s, *run = q, *end = q + t.len;
    for (; q < end; q++) {
        int c1 = q[0] == 0xC2 && q + 1 < end && q[1] >= 0x80 && q[1] <= 0x9F;
        int ls = q[0] == 0xE2 && q + 2 < end && q[1] == 0x80 && (q[2] == 0xA8 || q[2] == 0xA9);
        if (!c1 && !ls)
            continue;
        rl_buf_putn(b, (const char *)run, (size_t)(q - run));
        rl_buf_printf(b, "\\u%04x", c1 ? q[1] : 0x2000u + (q[2] - 0x80u));
        q += c1 ? 1 : 2;
        run = q + 1;
    }
    rl_buf_putn(b, (const char *)run, (size_t)(end - run));
    rl_buf_free(&t);
}

void rl_part_free(rl_part *p)
{
    if (!p)
        return;
    if (p->root.doc) {
        yaml_document_delete(p->root.doc);
        free(p->root.doc);
    }
    for (int i = 0; i < p->nargs; i++)
        free(p->args[i]);
    free(p->args);
    free(p->path);
    free(p->command);
    memset(p, 0, sizeof *p);
}

rl_status rl_part_read(rl_ctx *ctx, const char *path, rl_part *p)
{
    rl_status st = RL_OK;
    yaml_parser_t yp;
    int parser = 0;
    memset(p, 0, sizeof *p);
    FILE *f = fopen(path, "rb");
    if (!f)
        return rl_fail(ctx, RL_ERR_USAGE, "%s: cannot read: %s", path, strerror(errno));
    yaml_document_t *doc = calloc(1, sizeof *doc);
    p->path = rl_strdup(path);
    if (!doc || !p->path || !(parser = yaml_parser_initialize(&yp))) {
        free(doc);
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto done;
    }
    yaml_parser_set_input_file(&yp, f);
    if (!yaml_parser_load(&yp, doc) || !yaml_document_get_root_node(doc)) {
        if (yp.error == YAML_NO_ERROR) /* loaded, but empty */
            yaml_document_delete(doc);
        free(doc);
        st = rl_fail(ctx, RL_ERR_USAGE, "%s: not a part of a sharded run (not JSON)", path);
        goto done;
    }
    p->root = (rl_jv){doc, 1};
    size_t shard, of, ver;
    rl_jv part = rl_jv_get(p->root, "part");
    const char *cmd = rl_jv_str(rl_jv_get(p->root, "command"));
    const char *fp = rl_jv_str(rl_jv_get(part, "fingerprint"));
    rl_jv args = rl_jv_get(p->root, "args");
    if (!rl_jv_size(rl_jv_get(p->root, "redline_part"), &ver) || !cmd ||
        !rl_jv_size(rl_jv_get(part, "shard"), &shard) ||
        !rl_jv_size(rl_jv_get(part, "of"), &of) || !fp || strlen(fp) != 16 ||
        !node(args) || node(args)->type != YAML_SEQUENCE_NODE) {
        st = rl_fail(ctx, RL_ERR_USAGE,
                     "%s: not a part of a sharded run (written by redline ... --shard I/N "
                     "-f json -o PART)", path);
        goto done;
    }
    if (ver != 1 || of < 1 || of > 1000000 || shard >= of) {
        st = rl_fail(ctx, RL_ERR_USAGE, "%s: a part of another version of redline", path);
        goto done;
    }
    p->shard = (int)shard;
    p->of = (int)of;
    memcpy(p->fingerprint, fp, 17);
    p->command = rl_strdup(cmd);
    size_t n = rl_jv_len(args);
    p->args = calloc(n + 1, sizeof *p->args);
    if (!p->command || !p->args) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const char *a = rl_jv_str(rl_jv_at(args, i));
        if (!a) {
            st = rl_fail(ctx, RL_ERR_USAGE, "%s: args[%zu] is not a string", path, i);
            goto done;
        }
        if (!(p->args[p->nargs++] = rl_strdup(a))) {
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto done;
        }
    }
done:
    if (parser)
        yaml_parser_delete(&yp);
    fclose(f);
    if (st)
        rl_part_free(p);
    return st;
}

rl_status rl_parts_check(rl_ctx *ctx, const rl_part *p, size_t n)
{
    if (n == 0)
        return rl_fail(ctx, RL_ERR_USAGE, "no parts to merge");
    for (size_t i = 1; i < n; i++) {
        if (strcmp(p[i].command, p[0].command) != 0)
            return rl_fail(ctx, RL_ERR_USAGE, "%s is a part of '%s' but %s is a part of '%s'",
                           p[i].path, p[i].command, p[0].path, p[0].command);
        if (p[i].of != p[0].of)
            return rl_fail(ctx, RL_ERR_USAGE, "%s is a shard of %d but %s is a shard of %d",
                           p[i].path, p[i].of, p[0].path, p[0].of);
        if (strcmp(p[i].fingerprint, p[0].fingerprint) != 0)
            return rl_fail(ctx, RL_ERR_USAGE,
                           "%s and %s come from different inputs or options "
                           "(fingerprints %s and %s)",
                           p[0].path, p[i].path, p[0].fingerprint, p[i].fingerprint);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (p[i].shard == p[j].shard)
                return rl_fail(ctx, RL_ERR_USAGE, "%s and %s are both shard %d/%d",
                               p[j].path, p[i].path, p[i].shard, p[i].of);
    for (int s = 0; s < p[0].of; s++) {
        size_t i = 0;
        while (i < n && p[i].shard != s)
            i++;
        if (i == n)
            return rl_fail(ctx, RL_ERR_USAGE, "shard %d/%d is missing (parts given: %zu of %d)",
                           s, p[0].of, n, p[0].of);
    }
    return RL_OK;
}

static void fnv(uint64_t *h, const void *data, size_t n)
{
    const unsigned char *s = data;
    for (size_t i = 0; i < n; i++) {
        *h ^= s[i];
        *h *= 1099511628211ULL;
    }
}

/* Size and modification time of path, when it is a file or a folder. */
static void fnv_stat(uint64_t *h, const char *path)
{
    struct stat sb;
    if (!*path || stat(path, &sb) != 0 || !(S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode)))
        return;
    long long v[3] = {(long long)sb.st_size, (long long)sb.st_mtim.tv_sec,
                      (long long)sb.st_mtim.tv_nsec};
    fnv(h, path, strlen(path) + 1);
    fnv(h, v, sizeof v);
    size_t n = strlen(path);
    if (n > 4 && S_ISREG(sb.st_mode) && strcasecmp(path + n - 4, ".shp") == 0) {
        static const char *const side[] = {".dbf", ".shx", ".prj", ".cpg"};
        char buf[4096];
        for (size_t k = 0; k < 4 && n < sizeof buf - 4; k++) {
            memcpy(buf, path, n - 4);
            memcpy(buf + n - 4, side[k], 5);
            if (stat(buf, &sb) == 0) {
                long long w[3] = {(long long)sb.st_size, (long long)sb.st_mtim.tv_sec,
                                  (long long)sb.st_mtim.tv_nsec};
                fnv(h, w, sizeof w);
            }
        }
    }
}

/* 1 when option name (up to '=') writes a file: merge writes it, so its state is no input. */
static int output_option(const char *a)
{
    static const char *const outs[] = {"--pieces", "--matrix-csv", "--report-dir",
                                       "--landuse-csv"};
    for (size_t k = 0; k < sizeof outs / sizeof *outs; k++) {
        size_t n = strlen(outs[k]);
        if (strncmp(a, outs[k], n) == 0 && (a[n] == '\0' || a[n] == '='))
            return 1;
    }
    return 0;
}

void rl_fingerprint(const char *command, char *const *args, int nargs, char out[17])
{
    uint64_t h = 14695981039346656037ULL;
    fnv(&h, RL_VERSION, sizeof RL_VERSION);
    fnv(&h, command, strlen(command) + 1);
    for (int i = 0; i < nargs; i++)
        fnv(&h, args[i], strlen(args[i]) + 1);
    for (int i = 0; i < nargs; i++) {
        char buf[4096];
        const char *a = args[i], *eq = strrchr(a, '='), *bar = strchr(a, '|');
        if (output_option(a) || (i > 0 && output_option(args[i - 1]) && !strchr(args[i - 1], '=')))
            continue;
        fnv_stat(&h, a);
        if (eq)
            fnv_stat(&h, eq + 1);
        if (bar && (size_t)(bar - a) < sizeof buf) {
            memcpy(buf, a, (size_t)(bar - a));
            buf[bar - a] = '\0';
            fnv_stat(&h, buf);
        }
    }
    snprintf(out, 17, "%016" PRIx64, h);
}

int rl_shard_of(double before, double w, double total, size_t i, size_t n, int count)
{
    double mid = total > 0 ? (before + w / 2) / total : ((double)i + 0.5) / (double)n;
    int s = (int)(mid * count);
    return s < 0 ? 0 : s >= count ? count - 1 : s;
}
