/*
 * out_xlsx.c -- the screen report as an Excel workbook (libxlsxwriter): a
 * 汇总 sheet with one row per footprint, a 压占明细 sheet with one row per
 * footprint × hit, and with --landuse a 地类 sheet with one row per
 * footprint × class.  Figures are numeric cells holding the unrounded value
 * in the chosen unit (the 地类 sheet: the 平差-rounded value), shown with the
 * unit's decimals; headers follow --lang, sheet names are fixed (SPEC).
 *
 * libxlsxwriter writes to a file name, and the report goes to a FILE (the
 * atomic -o of report.c): the workbook is written to a private temporary
 * file and copied.
 */
#include "report/out_table.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* Widest column, in Excel's character units. */
#define MAX_WIDTH 60
/* A workbook's "created" property: 2000-01-01T00:00:00Z, unless SOURCE_DATE_EPOCH. */
#define RL_XLSX_CREATED ((time_t)946684800)

/* A sheet being written: its widths grow with what is written. */
typedef struct sheet {
    lxw_worksheet *ws;
    double width[512];
    int ncols;
    lxw_row_t row; /* next row */
    lxw_error err;
} sheet;

typedef struct book {
    lxw_workbook *wb;
    lxw_format *head, *num, *pct, *text, *whole;
    const rl_screen_data *d;
    rl_lang lang;
    int zh;
    lxw_error err; /* the first write error of any sheet */
} book;

static void fit(sheet *s, int col, double w)
{
    if (col >= 512)
        return;
    if (col + 1 > s->ncols)
        s->ncols = col + 1;
    w = w > MAX_WIDTH ? MAX_WIDTH : w;
    if (w > s->width[col])
        s->width[col] = w;
}

static void str(sheet *s, int col, const char *v, lxw_format *f)
{
    if (!v)
        v = "";
    lxw_error e = worksheet_write_string(s->ws, s->row, (lxw_col_t)col, v, f);
    if (e && !s->err)
        s->err = e;
    /* rl_display_width counts a CJK character 2, as Excel's width unit does. */
    fit(s, col, rl_display_width(v) + 2);
}

static void num(sheet *s, int col, double v, lxw_format *f)
{
    lxw_error e = worksheet_write_number(s->ws, s->row, (lxw_col_t)col, v, f);
    if (e && !s->err)
        s->err = e;
    fit(s, col, 12);
}

/* Header row, frozen, with an autofilter over the rows written after it. */
static void header(book *B, sheet *s, const char *const *cells, int n)
{
    for (int c = 0; c < n; c++)
        str(s, c, cells[c], B->head);
    worksheet_freeze_panes(s->ws, 1, 0);
    s->row++;
}

static void finish(sheet *s)
{
    for (int c = 0; c < s->ncols; c++)
        worksheet_set_column(s->ws, (lxw_col_t)c, (lxw_col_t)c, s->width[c], NULL);
    if (s->ncols)
        worksheet_autofilter(s->ws, 0, 0, s->row ? s->row - 1 : 0,
                             (lxw_col_t)(s->ncols - 1));
}

/* A header made of a control's name and a suffix, per --lang. */
static const char *ctl_head(book *B, rl_buf *tmp, const rl_control *C, const char *en,
                            const char *zh, const char *unit)
{
    tmp->len = 0;
    if (B->zh)
        rl_buf_printf(tmp, "%s%s", rl_label_control(B->lang, C->spec.name), zh);
    else
        rl_buf_printf(tmp, "%s %s", C->spec.name, en);
    if (unit)
        rl_buf_printf(tmp, "(%s)", unit);
    return tmp->s ? tmp->s : "";
}

static void summary_sheet(book *B, sheet *s)
{
    const rl_screen_data *d = B->d;
    const double fac = rl_units_factor(d->opts->c.units);
    const char *un = rl_label_unit(B->lang, d->opts->c.units);
    rl_buf tmp = {0};
    char area_h[64];
    snprintf(area_h, sizeof area_h, B->zh ? "面积(%s)" : "area (%s)", un);
    const char *fixed[] = {B->zh ? "编号" : "id", B->zh ? "来源" : "source", "FID", area_h,
                           B->zh ? "结论" : "verdict"};
    header(B, s, fixed, 5);
    s->row--;
    int col = 5;
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        str(s, col++, ctl_head(B, &tmp, C, "overlap", "压占", un), B->head);
        str(s, col++, ctl_head(B, &tmp, C, "overlap %", "压占比例%", NULL), B->head);
        if (C->spec.rule == RL_RULE_REQUIRE)
            str(s, col++, ctl_head(B, &tmp, C, "outside", "外", un), B->head);
        str(s, col++, ctl_head(B, &tmp, C, "hits", "压占要素数", NULL), B->head);
    }
    str(s, col, B->zh ? "原因" : "reasons", B->head);
    /* The JSON's "repaired": the figures are of the MakeValid repair. */
    str(s, col + 1, B->zh ? "已修复" : "repaired", B->head);
    s->row++;
    for (size_t i = 0; i < d->nres; i++, s->row++) {
        const rl_fp_result *r = &d->res[i];
        const rl_layer *L = d->fps[r->layer];
        int err = r->verdict == RL_V_ERROR;
        str(s, 0, r->id, NULL);
        str(s, 1, L->path, NULL);
        num(s, 2, (double)L->feat[r->feat].fid, B->whole);
        if (!err)
            num(s, 3, r->area_m2 / fac, B->num);
        str(s, 4, rl_label_verdict(B->lang, r->verdict), NULL);
        col = 5;
        for (int k = 0; k < d->ncontrols; k++) {
            const rl_fp_control *fc = &r->ctl[k];
            int req = d->controls[k].spec.rule == RL_RULE_REQUIRE;
            if (!err) {
                num(s, col, fc->overlap_m2 / fac, B->num);
                num(s, col + 1, fc->overlap_pct, B->pct);
                if (req)
                    num(s, col + 2, fc->outside_m2 / fac, B->num);
                num(s, col + 2 + req, (double)fc->nhits, B->whole);
            }
            col += 3 + req;
        }
        tmp.len = 0;
        rl_label_reasons(B->lang, d, r, &tmp);
        str(s, col, tmp.s ? tmp.s : "", NULL);
        str(s, col + 1, L->feat[r->feat].repaired ? (B->zh ? "是" : "yes") : (B->zh ? "否" : "no"),
            NULL);
        if (tmp.s)
            tmp.s[0] = '\0';
    }
    rl_buf_free(&tmp);
    finish(s);
}

/* The attribute columns of 压占明细: every control's fields, each name once. */
static int field_col(const char *const *names, int n, const char *f)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], f) == 0)
            return i;
    return -1;
}

static rl_status details_sheet(rl_ctx *ctx, book *B, sheet *s)
{
    const rl_screen_data *d = B->d;
    const double fac = rl_units_factor(d->opts->c.units);
    const char *un = rl_label_unit(B->lang, d->opts->c.units);
    int nf = 0, cap = 0;
    for (int k = 0; k < d->ncontrols; k++)
        cap += d->controls[k].layer->nfields;
    const char **names = malloc((size_t)(cap + 1) * sizeof *names);
    if (!names)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    for (int k = 0; k < d->ncontrols; k++)
        for (int a = 0; a < d->controls[k].layer->nfields; a++)
            if (field_col(names, nf, d->controls[k].layer->fields[a]) < 0)
                names[nf++] = d->controls[k].layer->fields[a];
    char area_h[64], pct_h[64];
    snprintf(area_h, sizeof area_h, B->zh ? "压占面积(%s)" : "overlap (%s)", un);
    snprintf(pct_h, sizeof pct_h, B->zh ? "占项目用地比例%%" : "share of footprint %%");
    const char *fixed[] = {B->zh ? "编号" : "id", B->zh ? "管控图层" : "control",
                           B->zh ? "管控图层名称" : "control name", B->zh ? "要素FID" : "feature FID",
                           area_h, pct_h};
    header(B, s, fixed, 6);
    s->row--;
    for (int i = 0; i < nf; i++)
        str(s, 6 + i, names[i], B->head);
    s->row++;
    for (size_t i = 0; i < d->nres; i++) {
        const rl_fp_result *r = &d->res[i];
        if (r->verdict == RL_V_ERROR)
            continue;
        for (int k = 0; k < d->ncontrols; k++) {
            const rl_control *C = &d->controls[k];
            for (size_t j = 0; j < r->ctl[k].nhits; j++, s->row++) {
                const rl_hit *h = &r->ctl[k].hits[j];
                const rl_feature *cf = &C->layer->feat[h->feat];
                str(s, 0, r->id, NULL);
                str(s, 1, C->spec.name, NULL);
                str(s, 2, rl_label_control(B->lang, C->spec.name), NULL);
                num(s, 3, (double)cf->fid, B->whole);
                num(s, 4, h->overlap_m2 / fac, B->num);
                num(s, 5, r->area_m2 > 0 ? 100.0 * h->overlap_m2 / r->area_m2 : 0, B->pct);
                for (int a = 0; a < C->layer->nfields; a++)
                    if (cf->attrs && cf->attrs[a])
                        str(s, 6 + field_col(names, nf, C->layer->fields[a]), cf->attrs[a],
                            B->text);
            }
        }
    }
    free(names);
    finish(s);
    return RL_OK;
}

/* 地类: per footprint × class, the 平差-rounded figures as numbers. */
static void landuse_sheet(book *B, sheet *s, lxw_format *lu_num)
{
    const rl_screen_data *d = B->d;
    const int dec = rl_lu_decimals(d->opts);
    const double scale = 1.0 / pow(10, dec);
    const char *un = rl_label_unit(B->lang, d->opts->c.units);
    char h[3][64];
    snprintf(h[0], 64, B->zh ? "面积(%s)" : "area (%s)", un);
    snprintf(h[1], 64, B->zh ? "国有(%s)" : "state (%s)", un);
    snprintf(h[2], 64, B->zh ? "集体(%s)" : "collective (%s)", un);
    const char *fixed[] = {B->zh ? "编号" : "id", B->zh ? "地类编码" : "code",
                           B->zh ? "地类名称" : "name", h[0], h[1], h[2]};
    header(B, s, fixed, 6);
    for (size_t i = 0; i <= d->nres; i++) {
        const rl_landuse *lu = i < d->nres ? &d->res[i].lu : &d->lu_total;
        const char *id = i < d->nres ? d->res[i].id : (B->zh ? "合计" : "ALL");
        if (!lu->done)
            continue;
        for (size_t c = 0; c < lu->nclasses; c++, s->row++) {
            const rl_lu_row *row = &lu->classes[c];
            str(s, 0, id, NULL);
            str(s, 1, row->code, B->text);
            str(s, 2, row->name ? row->name : "", NULL);
            num(s, 3, (double)row->r_area * scale, lu_num);
            num(s, 4, (double)row->r_state * scale, lu_num);
            num(s, 5, (double)row->r_collective * scale, lu_num);
        }
    }
    finish(s);
}

/* A number format with `dec` decimals: "0.0000". */
static lxw_format *num_format(lxw_workbook *wb, int dec)
{
    char f[16] = "0";
    if (dec > 0) {
        f[1] = '.';
        for (int i = 0; i < dec && i < 10; i++)
            f[2 + i] = '0';
        f[2 + (dec < 10 ? dec : 10)] = '\0';
    }
    lxw_format *x = workbook_add_format(wb);
    format_set_num_format(x, f);
    return x;
}

/* Fills the workbook B->wb (formats made): adds sheets, sets B->err on a write error. */
typedef rl_status (*fill_fn)(rl_ctx *ctx, book *B, const void *data);

/*
 * Writes a workbook to f: in a private temporary file first (libxlsxwriter
 * wants a file name), then copied.  dec: decimals of the area unit.
 */
static rl_status write_book(rl_ctx *ctx, FILE *f, rl_lang lang, int dec, fill_fn fill,
                            const void *data)
{
    rl_status st = RL_OK;
    int slot = -1;
    FILE *in = NULL;
    const char *tdir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/redline-XXXXXX.xlsx", tdir && *tdir ? tdir : "/tmp");
    int fd = mkstemps(path, 5);
    if (fd < 0)
        return rl_fail(ctx, RL_ERR_OUTPUT, "cannot make a temporary file for the workbook: %s",
                       strerror(errno));
    close(fd);
    slot = rl_temp_register(path);
    book B = {0};
    B.lang = lang;
    B.zh = B.lang == RL_LANG_ZH;
    B.wb = workbook_new(path);
    if (!B.wb) {
        st = rl_fail(ctx, RL_ERR_OUTPUT, "cannot start the workbook");
        goto cleanup;
    }
    /*
     * The one thing in a workbook that is not the data is its creation
     * time, which libxlsxwriter takes from the clock: fixed, so that the
     * same run writes the same bytes (SOURCE_DATE_EPOCH overrides it, as
     * reproducible builds do).
     */
    lxw_doc_properties props = {.created = RL_XLSX_CREATED};
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    char *end = NULL;
    long long t = sde && *sde ? strtoll(sde, &end, 10) : 0;
    if (end && !*end && t > 0)
        props.created = (time_t)t;
    workbook_set_properties(B.wb, &props);
    B.head = workbook_add_format(B.wb);
    format_set_bold(B.head);
    format_set_bg_color(B.head, 0xEEEEEE);
    format_set_text_wrap(B.head);
    B.num = num_format(B.wb, dec);
    B.pct = num_format(B.wb, 2);
    B.whole = num_format(B.wb, 0);
    B.text = workbook_add_format(B.wb);
    format_set_num_format(B.text, "@"); /* codes such as 0101 stay text */
    if ((st = fill(ctx, &B, data)))
        goto cleanup;
    lxw_error e = B.err;
    lxw_error ce = workbook_close(B.wb);
    B.wb = NULL;
    if (e || ce) {
        st = rl_fail(ctx, RL_ERR_OUTPUT, "cannot write the workbook: %s",
                     lxw_strerror(e ? e : ce));
        goto cleanup;
    }
    /* Copy the finished workbook to the report's stream. */
    if (!(in = fopen(path, "rb"))) {
        st = rl_fail(ctx, RL_ERR_OUTPUT, "cannot read back the workbook: %s", strerror(errno));
        goto cleanup;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, f) != n) {
            st = rl_fail(ctx, RL_ERR_OUTPUT, "cannot write the report: %s", strerror(errno));
            break;
        }
    if (!st && ferror(in))
        st = rl_fail(ctx, RL_ERR_OUTPUT, "cannot read back the workbook");
cleanup:
    if (B.wb)
        workbook_close(B.wb); /* frees it; the file is removed below */
    if (in)
        fclose(in);
    unlink(path);
    rl_temp_release(slot);
    return st;
}

/* A new sheet named `name` in s; RL_ERR_NOMEM when it cannot be added. */
static rl_status add_sheet(rl_ctx *ctx, book *B, sheet *s, const char *name)
{
    memset(s, 0, sizeof *s);
    if (!(s->ws = workbook_add_worksheet(B->wb, name)))
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    return RL_OK;
}

static rl_status fill_screen(rl_ctx *ctx, book *B, const void *data)
{
    const rl_screen_data *d = data;
    B->d = d;
    sheet s1 = {0}, s2 = {0}, s3 = {0};
    rl_status st;
    if ((st = add_sheet(ctx, B, &s1, "汇总")) || (st = add_sheet(ctx, B, &s2, "压占明细")))
        return st;
    summary_sheet(B, &s1);
    if ((st = details_sheet(ctx, B, &s2)))
        return st;
    if (d->opts->landuse_path) {
        if ((st = add_sheet(ctx, B, &s3, "地类")))
            return st;
        landuse_sheet(B, &s3, num_format(B->wb, rl_lu_decimals(d->opts)));
    }
    B->err = s1.err ? s1.err : s2.err ? s2.err : s3.err;
    return RL_OK;
}

rl_status rl_xlsx_screen(rl_ctx *ctx, const rl_screen_data *d, FILE *f)
{
    return write_book(ctx, f, d->opts->c.lang, rl_units_decimals(d->opts->c.units),
                      fill_screen, d);
}

/* ---- diff ---- */

/* One row of the diff's 汇总 sheet. */
static void diff_row(book *B, sheet *s, const char *scope, const char *key, size_t of,
                     size_t nf, const rl_group_fig *g, double fac, const char *verdict)
{
    str(s, 0, scope, NULL);
    str(s, 1, key, B->text);
    num(s, 2, (double)of, B->whole);
    num(s, 3, (double)nf, B->whole);
    num(s, 4, g->old_m2 / fac, B->num);
    num(s, 5, g->new_m2 / fac, B->num);
    num(s, 6, g->lost_m2 / fac, B->num);
    num(s, 7, g->gained_m2 / fac, B->num);
    num(s, 8, g->net_m2 / fac, B->num);
    str(s, 9, rl_label_word(B->lang, verdict), NULL);
    s->row++;
}

static const char *diff_axis(const rl_diff_data *d, size_t g)
{
    return g == d->ngroups ? (d->opts->c.lang == RL_LANG_ZH ? "(无)" : "(none)")
                           : d->groups[g].key;
}

static rl_status fill_diff(rl_ctx *ctx, book *B, const void *data)
{
    const rl_diff_data *d = data;
    const double fac = rl_units_factor(d->opts->c.units);
    const char *un = rl_label_unit(B->lang, d->opts->c.units);
    sheet s1 = {0}, s2 = {0}, s3 = {0};
    rl_status st;
    if ((st = add_sheet(ctx, B, &s1, "汇总")))
        return st;
    char h[5][64];
    const char *en[] = {"old", "new", "lost", "gained", "net"};
    const char *zh[] = {"原版面积", "新版面积", "减少面积", "新增面积", "净变化"};
    for (int i = 0; i < 5; i++)
        snprintf(h[i], sizeof h[i], "%s(%s)", B->zh ? zh[i] : en[i], un);
    const char *hd[] = {B->zh ? "范围" : "scope", B->zh ? "分组" : "key",
                        B->zh ? "原版要素数" : "old features", B->zh ? "新版要素数" : "new features",
                        h[0], h[1], h[2], h[3], h[4], B->zh ? "结论" : "verdict"};
    header(B, &s1, hd, 10);
    diff_row(B, &s1, B->zh ? "合计" : "total", "", d->old->n, d->nw->n, &d->total, fac,
             rl_diff_verdict(d));
    for (size_t g = 0; g < d->ngroups; g++)
        diff_row(B, &s1, B->zh ? "分组" : "group", d->groups[g].key, d->groups[g].old_features,
                 d->groups[g].new_features, &d->groups[g], fac,
                 d->groups[g].shrunk ? "shrunk" : "not_shrunk");
    finish(&s1);
    if (d->opts->by || d->opts->by_old) {
        size_t *rows = malloc((d->ngroups + 1) * sizeof *rows);
        size_t *cols = malloc((d->ngroups + 1) * sizeof *cols);
        double *ct = calloc(d->ngroups + 2, sizeof *ct);
        if (!rows || !cols || !ct || (st = add_sheet(ctx, B, &s2, "转移矩阵")) ||
            (st = add_sheet(ctx, B, &s3, "转移明细"))) {
            free(rows);
            free(cols);
            free(ct);
            return st ? st : rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        }
        size_t nr = rl_diff_matrix_axis(d, 0, rows), nc = rl_diff_matrix_axis(d, 1, cols);
        char corner[96];
        snprintf(corner, sizeof corner, "%s (%s)", B->zh ? "原版 \\ 新版" : "OLD \\ NEW", un);
        str(&s2, 0, corner, B->head);
        for (size_t j = 0; j < nc; j++)
            str(&s2, (int)j + 1, diff_axis(d, cols[j]), B->head);
        str(&s2, (int)nc + 1, B->zh ? "合计" : "TOTAL", B->head);
        worksheet_freeze_panes(s2.ws, 1, 1);
        s2.row++;
        double all = 0;
        for (size_t i = 0; i < nr; i++, s2.row++) {
            double sum = 0;
            str(&s2, 0, diff_axis(d, rows[i]), B->text);
            for (size_t j = 0; j < nc; j++) {
                double v = rl_diff_matrix_cell(d, rows[i], cols[j]);
                sum += v, ct[j] += v;
                num(&s2, (int)j + 1, v / fac, B->num);
            }
            num(&s2, (int)nc + 1, sum / fac, B->num);
        }
        str(&s2, 0, B->zh ? "合计" : "TOTAL", B->head);
        for (size_t j = 0; j < nc; j++) {
            all += ct[j];
            num(&s2, (int)j + 1, ct[j] / fac, B->num);
        }
        num(&s2, (int)nc + 1, all / fac, B->num);
        s2.row++;
        for (int c = 0; c < s2.ncols; c++)
            worksheet_set_column(s2.ws, (lxw_col_t)c, (lxw_col_t)c, s2.width[c], NULL);
        free(rows);
        free(cols);
        free(ct);
        char ah[64];
        snprintf(ah, sizeof ah, "%s(%s)", B->zh ? "面积" : "area", un);
        const char *th[] = {B->zh ? "原值" : "from", B->zh ? "新值" : "to", ah,
                            B->zh ? "变化" : "change"};
        header(B, &s3, th, 4);
        for (size_t i = 0; i < d->ntrans; i++, s3.row++) {
            const rl_diff_trans *t = &d->trans[i];
            const char *none = B->lang == RL_LANG_ZH ? "(无)" : "(none)";
            str(&s3, 0, t->from ? t->from : none, B->text);
            str(&s3, 1, t->to ? t->to : none, B->text);
            num(&s3, 2, t->area_m2 / fac, B->num);
            str(&s3, 3, rl_label_word(B->lang, !t->from ? "gained" : !t->to ? "lost"
                                               : strcmp(t->from, t->to) ? "changed" : "kept"),
                NULL);
        }
        finish(&s3);
    }
    B->err = s1.err ? s1.err : s2.err ? s2.err : s3.err;
    return RL_OK;
}

rl_status rl_xlsx_diff(rl_ctx *ctx, const rl_diff_data *d, FILE *f)
{
    return write_book(ctx, f, d->opts->c.lang, rl_units_decimals(d->opts->c.units), fill_diff,
                      d);
}

/* ---- audit ---- */

/*
 * audit's 压占明细: screen's columns with the file first, one row per
 * file × footprint × hit, read from each file's `hits` (rl_audit_hits_put).
 */
static rl_status audit_hits_sheet(rl_ctx *ctx, book *B, const rl_audit_data *d, sheet *s)
{
    const double fac = rl_units_factor(d->opts->s->c.units);
    const char *un = rl_label_unit(B->lang, d->opts->s->c.units);
    int nf = 0, cap = 0;
    for (int k = 0; k < d->ncontrols; k++)
        cap += d->controls[k].layer ? d->controls[k].layer->nfields : 0;
    const char **names = malloc((size_t)(cap + 1) * sizeof *names);
    if (!names)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    for (int k = 0; k < d->ncontrols; k++)
        for (int a = 0; d->controls[k].layer && a < d->controls[k].layer->nfields; a++)
            if (field_col(names, nf, d->controls[k].layer->fields[a]) < 0)
                names[nf++] = d->controls[k].layer->fields[a];
    char area_h[64], pct_h[64];
    snprintf(area_h, sizeof area_h, B->zh ? "压占面积(%s)" : "overlap (%s)", un);
    snprintf(pct_h, sizeof pct_h, B->zh ? "占项目用地比例%%" : "share of footprint %%");
    const char *fixed[] = {B->zh ? "文件" : "file",       B->zh ? "编号" : "id",
                           B->zh ? "管控图层" : "control", B->zh ? "管控图层名称" : "control name",
                           B->zh ? "要素FID" : "feature FID", area_h, pct_h};
    header(B, s, fixed, 7);
    s->row--;
    for (int i = 0; i < nf; i++)
        str(s, 7 + i, names[i], B->head);
    s->row++;
    rl_buf v = {0};
    rl_status st = RL_OK;
    for (size_t i = 0; i < d->nfiles && !st; i++) {
        const char *p = d->files[i].hits;
        while (p && *p) {
            /* id, control, FID, overlap, share, then the control's attributes. */
            const char *fld[5];
            size_t len[5];
            int miss[5], k = -1;
            for (int c = 0; c < 5; c++)
                if (!(fld[c] = rl_audit_hits_next(&p, &len[c], &miss[c])))
                    goto malformed;
            char nb[64];
            snprintf(nb, sizeof nb, "%.*s", (int)(len[1] < 63 ? len[1] : 63), fld[1]);
            k = atoi(nb);
            if (k < 0 || k >= d->ncontrols || !d->controls[k].layer)
                goto malformed;
            const rl_control *C = &d->controls[k];
            str(s, 0, d->files[i].path, NULL);
            v.len = 0;
            rl_buf_putn(&v, fld[0], len[0]);
            str(s, 1, miss[0] ? "" : v.s ? v.s : "", NULL);
            str(s, 2, C->spec.name, NULL);
            str(s, 3, rl_label_control(B->lang, C->spec.name), NULL);
            for (int c = 2; c < 5; c++) {
                snprintf(nb, sizeof nb, "%.*s", (int)(len[c] < 63 ? len[c] : 63), fld[c]);
                double x = strtod(nb, NULL);
                num(s, 2 + c, c == 3 ? x / fac : x, c == 2 ? B->whole : c == 3 ? B->num : B->pct);
            }
            for (int a = 0; a < C->layer->nfields; a++) {
                size_t n;
                int m;
                const char *x = rl_audit_hits_next(&p, &n, &m);
                if (!x)
                    goto malformed;
                if (m)
                    continue;
                v.len = 0;
                rl_buf_putn(&v, x, n);
                str(s, 7 + field_col(names, nf, C->layer->fields[a]), v.s ? v.s : "",
                    B->text);
            }
            s->row++;
            continue;
        malformed:
            st = rl_fail(ctx, RL_ERR_INTERNAL, "%s: the hits of the file are malformed",
                         d->files[i].path);
            break;
        }
    }
    rl_buf_free(&v);
    free(names);
    finish(s);
    return st;
}

static rl_status fill_audit(rl_ctx *ctx, book *B, const void *data)
{
    const rl_audit_data *d = data;
    sheet s1 = {0}, s2 = {0};
    rl_status st;
    if ((st = add_sheet(ctx, B, &s1, "汇总")) || (st = add_sheet(ctx, B, &s2, "压占明细")))
        return st;
    static const char *const en[] = {"file", "status", "features", "pass", "warn", "conflict",
                                     "error", "problem codes", "problems"};
    static const char *const zh[] = {"文件", "状态", "要素数", "通过", "提示", "冲突", "错误",
                                     "问题代码", "问题"};
    header(B, &s1, B->zh ? zh : en, 9);
    for (size_t i = 0; i < d->nfiles; i++, s1.row++) {
        const rl_audit_file *f = &d->files[i];
        str(&s1, 0, f->path, NULL);
        str(&s1, 1, rl_label_word(B->lang, f->status == 2 ? "error" : f->status == 1 ? "warn"
                                                                                      : "ok"),
            NULL);
        num(&s1, 2, (double)f->features, B->whole);
        for (int k = 0; k < 4; k++)
            num(&s1, 3 + k, (double)f->counts[k], B->whole);
        str(&s1, 7, f->codes ? f->codes : "", NULL);
        rl_buf m = {0};
        rl_label_audit_messages(B->lang, f->messages, "; ", &m);
        str(&s1, 8, m.s ? m.s : "", NULL);
        rl_buf_free(&m);
    }
    finish(&s1);
    rl_status st2 = audit_hits_sheet(ctx, B, d, &s2);
    B->err = s1.err ? s1.err : s2.err;
    return st2;
}

rl_status rl_xlsx_audit(rl_ctx *ctx, const rl_audit_data *d, FILE *f)
{
    return write_book(ctx, f, d->opts->s->c.lang, rl_units_decimals(d->opts->s->c.units),
                      fill_audit, d);
}
