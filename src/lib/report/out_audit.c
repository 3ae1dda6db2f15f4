/* out_audit.c -- audit reports: table, CSV, JSON, and the --report-dir set. */
#include "report/out_table.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *status_name(int s)
{
    return s == 2 ? "error" : s == 1 ? "warn" : "ok";
}

static rl_lang audit_lang(const rl_audit_data *d)
{
    return d->opts->s->c.lang;
}

static void json_audit(const rl_audit_data *d, rl_buf *b)
{
    const rl_screen_options *so = d->opts->s;
    rl_json_head(b, "audit");
    rl_buf_puts(b, ", \"root\": ");
    rl_buf_json_str(b, d->opts->dir);
    rl_buf_puts(b, ",\n \"area_method\": ");
    rl_buf_json_str(b, rl_area_method_name(so->c.area));
    rl_buf_puts(b, ", \"min_area_m2\": ");
    rl_buf_json_num(b, so->min_area);
    rl_buf_puts(b, ",\n \"controls\": [");
    rl_json_controls(b, d->controls, d->ncontrols);
    rl_buf_puts(b, "],\n \"files\": [");
    for (size_t i = 0; i < d->nfiles; i++) {
        rl_buf_puts(b, i ? ",\n  " : "\n  ");
        rl_buf_puts(b, d->files[i].json ? d->files[i].json : "{}");
    }
    size_t nfp = d->counts[0] + d->counts[1] + d->counts[2] + d->counts[3];
    rl_buf_printf(b,
                  "],\n \"summary\": {\"files\": %zu, \"files_ok\": %zu, "
                  "\"files_warn\": %zu, \"files_error\": %zu, \"skipped\": %zu, "
                  "\"footprints\": %zu, \"pass\": %zu, \"warn\": %zu, "
                  "\"conflict\": %zu, \"error\": %zu}",
                  d->nfiles, d->status_counts[0], d->status_counts[1],
                  d->status_counts[2], d->skipped, nfp, d->counts[0], d->counts[1],
                  d->counts[2], d->counts[3]);
    static const char *const words[] = {"ok", "pass", "warn", "conflict", "error"};
    rl_json_labels_words(b, words, sizeof words / sizeof *words);
    rl_buf_puts(b, "}\n");
}

static void csv_audit(const rl_audit_data *d, rl_buf *b)
{
    const rl_lang lang = audit_lang(d);
    rl_buf_puts(b, lang == RL_LANG_ZH ? RL_CSV_BOM "文件,状态,要素数,通过,提示,冲突,错误,"
                                                   "问题代码,问题" RL_CSV_EOL
                                      : RL_CSV_BOM "path,status,features,pass,warn,conflict,"
                                                   "error,problem_codes,problems" RL_CSV_EOL);
    for (size_t i = 0; i < d->nfiles; i++) {
        const rl_audit_file *f = &d->files[i];
        rl_buf_csv_str(b, f->path);
        rl_buf_printf(b, ",%s,%zu,%zu,%zu,%zu,%zu,", rl_label_word(lang, status_name(f->status)),
                      f->features, f->counts[0], f->counts[1], f->counts[2],
                      f->counts[3]);
        rl_buf_csv_str(b, f->codes ? f->codes : "");
        rl_buf_puts(b, ",");
        rl_buf m = {0};
        rl_label_audit_messages(lang, f->messages, "; ", &m);
        rl_buf_csv_str(b, m.s ? m.s : "");
        rl_buf_free(&m);
        rl_buf_puts(b, RL_CSV_EOL);
    }
}

/*
 * A file name as a table cell: control characters shown escaped, so that a
 * name cannot end the row and start a forged one.
 */
static void table_name(rl_buf *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n')
            rl_buf_puts(out, "\\n");
        else if (*p == '\r')
            rl_buf_puts(out, "\\r");
        else if (*p == '\t')
            rl_buf_puts(out, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            rl_buf_printf(out, "\\x%02x", *p);
        else
            rl_buf_putn(out, (const char *)p, 1);
    }
    if (!out->s)
        rl_buf_puts(out, "");
}

static void table_audit(const rl_audit_data *d, rl_buf *b)
{
    rl_table t;
    char num[32];
    rl_table_init(&t, 8);
    const rl_lang lang = audit_lang(d);
    const char *hdr[] = {"FILE", "STATUS", "FEATURES", "PASS", "WARN", "CONFLICT",
                         "ERROR", "PROBLEMS"};
    const char *zh_hdr[] = {"文件", "状态", "要素数", "通过", "提示", "冲突", "错误", "问题"};
    for (int i = 0; i < 8; i++)
        rl_table_cell(&t, lang == RL_LANG_ZH ? zh_hdr[i] : hdr[i]);
    for (size_t i = 0; i < d->nfiles; i++) {
        const rl_audit_file *f = &d->files[i];
        rl_buf name = {0};
        table_name(&name, f->path);
        rl_table_cell(&t, name.s ? name.s : "");
        rl_buf_free(&name);
        rl_table_cell(&t, rl_label_word(lang, status_name(f->status)));
        snprintf(num, sizeof num, "%zu", f->features);
        rl_table_cell(&t, num);
        for (int k = 0; k < 4; k++) {
            snprintf(num, sizeof num, "%zu", f->counts[k]);
            rl_table_cell(&t, num);
        }
        rl_table_cell(&t, f->codes ? f->codes : "");
    }
    const int zh = lang == RL_LANG_ZH;
    rl_buf_puts(b, zh ? "redline audit：" : "redline audit: ");
    rl_buf_puts_esc(b, d->opts->dir);
    rl_buf_printf(b, zh ? "：%zu 个矢量文件，跳过其他文件 %zu 个\n"
                        : ": %zu vector files, %zu other files skipped\n", d->nfiles, d->skipped);
    for (int k = 0; k < d->ncontrols; k++) {
        const char *name = d->controls[k].spec.name;
        const char *full = rl_label_control(lang, name);
        rl_buf_puts(b, zh ? "  管控图层 " : "  control ");
        rl_buf_puts_esc(b, name);
        if (zh && strcmp(full, name) != 0)
            rl_buf_printf(b, "（%s；", full);
        else
            rl_buf_puts(b, zh ? "（" : " (");
        rl_buf_printf(b, zh ? "%s，%s）：" : "%s, %s): ",
                      rl_label_rule(lang, d->controls[k].spec.rule),
                      rl_label_severity(lang, d->controls[k].spec.severity));
        rl_buf_puts_esc(b, d->controls[k].layer ? d->controls[k].layer->path
                                                : d->controls[k].spec.path);
        rl_buf_puts(b, "\n");
    }
    rl_buf_puts(b, "\n");
    rl_table_render(&t, b);
    rl_table_free(&t);
    int any = 0;
    for (size_t i = 0; i < d->nfiles; i++) {
        rl_buf mb = {0};
        rl_label_audit_messages(lang, d->files[i].messages, "\x1f", &mb);
        const char *m = mb.s;
        if (!m || !*m) {
            rl_buf_free(&mb);
            continue;
        }
        rl_buf_puts(b, any ? "" : zh ? "\n问题：\n" : "\nproblems:\n");
        any = 1;
        /* One line per problem. */
        const char *p = m;
        while (*p) {
            const char *q = strchr(p, '\x1f');
            size_t n = q ? (size_t)(q - p) : strlen(p);
            rl_buf_puts(b, "  ");
            char *line = malloc(n + 1);
            if (line) {
                memcpy(line, p, n);
                line[n] = '\0';
                rl_buf_puts_esc(b, line); /* a file name cannot start a fake line */
                free(line);
            }
            rl_buf_puts(b, "\n");
            p += n;
            if (q)
                p += 1;
        }
        rl_buf_free(&mb);
    }
    size_t nfp = d->counts[0] + d->counts[1] + d->counts[2] + d->counts[3];
    if (lang == RL_LANG_ZH)
        rl_buf_printf(b,
                      "\n汇总：文件 %zu 个通过，%zu 个提示，%zu 个错误；项目 %zu 个："
                      "%zu 通过，%zu 提示，%zu 冲突，%zu 错误\n",
                      d->status_counts[0], d->status_counts[1], d->status_counts[2], nfp,
                      d->counts[0], d->counts[1], d->counts[2], d->counts[3]);
    else
        rl_buf_printf(b,
                      "\nsummary: files %zu ok, %zu warn, %zu error; footprints %zu: "
                      "%zu pass, %zu warn, %zu conflict, %zu error\n",
                      d->status_counts[0], d->status_counts[1], d->status_counts[2], nfp,
                      d->counts[0], d->counts[1], d->counts[2], d->counts[3]);
}

rl_status rl_write_audit(rl_ctx *ctx, const rl_audit_data *d, FILE *f)
{
    rl_buf b = {0};
    switch (d->opts->s->c.format) {
    case RL_FMT_JSON: json_audit(d, &b); break;
    case RL_FMT_CSV: csv_audit(d, &b); break;
    case RL_FMT_HTML:
        if (rl_html_audit(ctx, d, d->opts->report_dir, &b)) {
            rl_buf_free(&b);
            return ctx->status;
        }
        break;
    case RL_FMT_XLSX: return rl_xlsx_audit(ctx, d, f); /* binary, straight to f */
    case RL_FMT_TABLE: table_audit(d, &b); break;
    }
    return rl_emit(ctx, &b, f);
}

/* One file of the set, written whole or not at all (temporary file, rename). */
static rl_status write_file(rl_ctx *ctx, const char *dir, const char *name,
                            rl_buf *b)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    rl_output o;
    FILE *f = rl_output_open(ctx, &o, path);
    if (!f) {
        rl_buf_free(b);
        return ctx->status;
    }
    return rl_output_commit(ctx, &o, rl_emit(ctx, b, f));
}

/* Is name one of the detail files audit writes ("0001.json", "12345.json")? */
static size_t detail_number(const char *name)
{
    size_t digits = strspn(name, "0123456789");
    if (digits < 4 || strcmp(name + digits, ".json") != 0)
        return 0;
    return (size_t)strtoull(name, NULL, 10);
}

/*
 * Remove detail files an earlier audit left that this one did not write
 * (numbers above nfiles), so that the set describes this delivery only.
 * Nothing else in the folder is touched.
 */
static rl_status remove_stale(rl_ctx *ctx, const char *files, size_t nfiles)
{
    DIR *dp = opendir(files);
    if (!dp)
        return rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot read: %s", files, strerror(errno));
    rl_status st = RL_OK;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        size_t k = detail_number(de->d_name);
        if (k == 0 || k <= nfiles)
            continue;
        struct stat sb;
        if (fstatat(dirfd(dp), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(sb.st_mode) && unlinkat(dirfd(dp), de->d_name, 0) != 0 && !st)
            st = rl_fail(ctx, RL_ERR_OUTPUT, "%s/%s: cannot remove an earlier report: %s",
                         files, de->d_name, strerror(errno));
    }
    closedir(dp);
    return st;
}

rl_status rl_audit_write_report_dir(rl_ctx *ctx, const rl_audit_data *d)
{
    const char *dir = d->opts->report_dir;
    rl_buf b = {0};
    rl_status st;
    table_audit(d, &b);
    if ((st = write_file(ctx, dir, "summary.txt", &b)))
        return st;
    csv_audit(d, &b);
    if ((st = write_file(ctx, dir, "summary.csv", &b)))
        return st;
    json_audit(d, &b);
    if ((st = write_file(ctx, dir, "summary.json", &b)))
        return st;
    /* The index page, linking each file's report relative to the folder. */
    if ((st = rl_html_audit(ctx, d, "", &b))) {
        rl_buf_free(&b);
        return st;
    }
    if ((st = write_file(ctx, dir, "index.html", &b)))
        return st;
    char files[4096];
    snprintf(files, sizeof files, "%s/files", dir);
    if (mkdir(files, 0755) != 0 && errno != EEXIST)
        return rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot create: %s", files,
                       strerror(errno));
    for (size_t i = 0; i < d->nfiles; i++) {
        /* Numbered in audit order; the path is inside the JSON. */
        char name[64];
        snprintf(name, sizeof name, "%04zu.json", i + 1);
        rl_buf_puts(&b, d->files[i].json ? d->files[i].json : "{}");
        rl_buf_puts(&b, "\n");
        if ((st = write_file(ctx, files, name, &b)))
            return st;
    }
    return remove_stale(ctx, files, d->nfiles);
}

/* ---- the hits of a file, for the workbook (rl_audit_file.hits) ---- */

static void hit_field(rl_buf *b, const char *s)
{
    if (!s) {
        rl_buf_puts(b, "~");
        return;
    }
    rl_buf_printf(b, "%zu:", strlen(s));
    rl_buf_puts(b, s);
}

void rl_audit_hits_put(rl_buf *b, const rl_screen_data *d)
{
    char num[64];
    for (size_t i = 0; i < d->nres; i++) {
        const rl_fp_result *r = &d->res[i];
        if (r->verdict == RL_V_ERROR)
            continue;
        for (int k = 0; k < d->ncontrols; k++) {
            const rl_layer *CL = d->controls[k].layer;
            for (size_t j = 0; j < r->ctl[k].nhits; j++) {
                const rl_hit *h = &r->ctl[k].hits[j];
                const rl_feature *cf = &CL->feat[h->feat];
                hit_field(b, r->id);
                snprintf(num, sizeof num, "%d", k);
                hit_field(b, num);
                snprintf(num, sizeof num, "%lld", (long long)cf->fid);
                hit_field(b, num);
                /* %.17g: the workbook gets the very double the JSON was written from. */
                snprintf(num, sizeof num, "%.17g", h->overlap_m2);
                hit_field(b, num);
                snprintf(num, sizeof num, "%.17g",
                         r->area_m2 > 0 ? 100.0 * h->overlap_m2 / r->area_m2 : 0.0);
                hit_field(b, num);
                for (int a = 0; a < CL->nfields; a++)
                    hit_field(b, cf->attrs ? cf->attrs[a] : NULL);
            }
        }
    }
}

const char *rl_audit_hits_next(const char **p, size_t *n, int *missing)
{
    const char *s = *p;
    *missing = 0;
    *n = 0;
    if (!s || !*s)
        return NULL;
    if (*s == '~') {
        *missing = 1;
        *p = s + 1;
        return s + 1;
    }
    size_t len = 0;
    const char *q = s;
    while (*q >= '0' && *q <= '9' && len < ((size_t)1 << 40))
        len = len * 10 + (size_t)(*q++ - '0');
    if (q == s || *q != ':' || strnlen(q + 1, len) < len)
        return NULL;
    *n = len;
    *p = q + 1 + len;
    return q + 1;
}
