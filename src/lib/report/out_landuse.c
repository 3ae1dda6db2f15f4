/*
 * out_landuse.c -- the land-use breakdown of screen --landuse as JSON, as a
 * section of the table, as columns of the CSV and as the long CSV of
 * --landuse-csv.  Figures are decided in landuse.c (rounded there too):
 * this file only formats.
 */
#include "report/out_table.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* An unrounded area: micro-m2 resolution, never "-0". */
static void json_area(rl_buf *b, double v)
{
    if (!isfinite(v))
        rl_buf_puts(b, "null");
    else if (fabs(v) < 5e-7)
        rl_buf_puts(b, "0");
    else
        rl_buf_printf(b, "%.6f", v);
}

/* A rounded figure: n units of 10^-dec, printed with exactly dec decimals. */
static void put_rounded(rl_buf *b, long long n, int dec)
{
    long long p = 1;
    for (int i = 0; i < dec; i++)
        p *= 10;
    const char *sign = n < 0 ? "-" : "";
    long long a = n < 0 ? -n : n;
    if (dec > 0)
        rl_buf_printf(b, "%s%lld.%0*lld", sign, a / p, dec, a % p);
    else
        rl_buf_printf(b, "%s%lld", sign, a);
}

static void json_name(rl_buf *b, const char *s)
{
    if (s)
        rl_buf_json_str(b, s);
    else
        rl_buf_puts(b, "null");
}

static size_t count_nonzero(const rl_lu_row *rows, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += rows[i].area_m2 > 0;
    return c;
}

/* One figure: exact m2 (dec < 0) or rounded (units of 10^-dec). */
static void put_fig(rl_buf *b, const char *key, double exact, long long rounded, int dec)
{
    rl_buf_printf(b, "\"%s\": ", key);
    if (dec < 0)
        json_area(b, exact);
    else
        put_rounded(b, rounded, dec);
}

/*
 * The figures of a breakdown in the SPEC's shape, exact (dec < 0) or
 * rounded: "rounded" is the same object in the chosen unit, so both are
 * written here.  ind: the indent of the list lines.
 */
static void json_figures(rl_buf *b, const rl_landuse *lu, int by, int dec, const char *ind)
{
    put_fig(b, "area_m2", lu->area_m2, lu->r_area, dec);
    rl_buf_puts(b, ", ");
    put_fig(b, "covered_m2", lu->covered_m2, lu->r_covered, dec);
    rl_buf_puts(b, ", ");
    put_fig(b, "uncovered_m2", lu->uncovered_m2, lu->r_uncovered, dec);
    rl_buf_puts(b, ", ");
    put_fig(b, "double_m2", lu->double_m2, lu->r_double, dec);
    if (dec >= 0) {
        rl_buf_puts(b, ", ");
        put_fig(b, "total_m2", 0, lu->r_total, dec);
    }
    rl_buf_printf(b, ",\n%s\"classes\": [", ind);
    for (size_t i = 0; i < lu->nclasses; i++) {
        const rl_lu_row *c = &lu->classes[i];
        rl_buf_puts(b, i ? ", {\"code\": " : "{\"code\": ");
        rl_buf_json_str(b, c->code);
        rl_buf_puts(b, ", \"name\": ");
        json_name(b, c->name);
        rl_buf_puts(b, ", ");
        put_fig(b, "area_m2", c->area_m2, c->r_area, dec);
        rl_buf_puts(b, ", ");
        put_fig(b, "state_m2", c->state_m2, c->r_state, dec);
        rl_buf_puts(b, ", ");
        put_fig(b, "collective_m2", c->collective_m2, c->r_collective, dec);
        rl_buf_puts(b, "}");
    }
    rl_buf_printf(b, "],\n%s\"level1\": [", ind);
    for (size_t i = 0; i < lu->nlevel1; i++) {
        const rl_lu_row *c = &lu->level1[i];
        rl_buf_puts(b, i ? ", {\"code\": " : "{\"code\": ");
        rl_buf_json_str(b, c->code);
        rl_buf_puts(b, ", \"name\": ");
        json_name(b, c->name);
        rl_buf_puts(b, ", ");
        put_fig(b, "area_m2", c->area_m2, c->r_area, dec);
        rl_buf_puts(b, "}");
    }
    rl_buf_printf(b, "],\n%s\"top\": {", ind);
    for (int t = 0; t < RL_TOP_N; t++) {
        char key[64];
        snprintf(key, sizeof key, "%s_m2", rl_lu_top_key((rl_top_class)t));
        rl_buf_puts(b, t ? ", " : "");
        put_fig(b, key, lu->top[t], lu->r_top[t], dec);
    }
    rl_buf_printf(b, "},\n%s\"units\": [", ind);
    for (size_t i = 0; i < lu->nunits[by]; i++) {
        const rl_lu_row *u = &lu->units[by][i];
        rl_buf_puts(b, i ? ", {\"code\": " : "{\"code\": ");
        rl_buf_json_str(b, u->code);
        rl_buf_puts(b, ", \"name\": ");
        json_name(b, u->name);
        rl_buf_puts(b, ", \"level\": ");
        rl_buf_json_str(b, rl_lu_level_name((rl_lu_level)by));
        rl_buf_puts(b, ", ");
        put_fig(b, "area_m2", u->area_m2, u->r_area, dec);
        rl_buf_puts(b, "}");
    }
    rl_buf_puts(b, "]");
}

void rl_json_landuse(rl_buf *b, const rl_screen_data *d, const rl_landuse *lu)
{
    const rl_screen_options *o = d->opts;
    const int by = o->landuse_by;
    const int dec = rl_lu_decimals(o);
    rl_buf_puts(b, "{\"method\": ");
    rl_buf_json_str(b, rl_lu_method_name(o->landuse_method));
    rl_buf_puts(b, ", \"path\": ");
    rl_buf_json_str(b, o->landuse_path);
    rl_buf_puts(b, ", ");
    json_figures(b, lu, by, -1, "    ");
    rl_buf_printf(b, ",\n    \"touched\": {\"county\": %zu, \"town\": %zu, \"village\": %zu}",
                  count_nonzero(lu->units[0], lu->nunits[0]),
                  count_nonzero(lu->units[1], lu->nunits[1]),
                  count_nonzero(lu->units[2], lu->nunits[2]));
    rl_buf_puts(b, ",\n    \"rounded\": {\"unit\": ");
    rl_buf_json_str(b, rl_units_name(o->c.units));
    rl_buf_printf(b, ", \"decimals\": %d, ", dec);
    json_figures(b, lu, by, dec, "     ");
    rl_buf_puts(b, "}}");
}

/* "涉及 2 个县的 5 个乡镇 11 个村" */
static void touched_sentence(rl_buf *b, const rl_landuse *lu)
{
    rl_buf_printf(b, "涉及 %zu 个县的 %zu 个乡镇 %zu 个村",
                  count_nonzero(lu->units[0], lu->nunits[0]),
                  count_nonzero(lu->units[1], lu->nunits[1]),
                  count_nonzero(lu->units[2], lu->nunits[2]));
}

static void table_row(rl_table *t, const char *id, const char *kind, const char *code,
                      const char *name, const char *const *nums)
{
    rl_table_cell(t, id);
    rl_table_cell(t, kind);
    rl_table_cell(t, code ? code : "");
    rl_table_cell(t, name ? name : "");
    for (int i = 0; i < 3; i++)
        rl_table_cell(t, nums[i] ? nums[i] : "");
}

/* The three number cells of a row; a negative column is left blank. */
static void nums(rl_buf n[3], const char *cells[3], long long a, long long st,
                 long long co, int dec)
{
    for (int q = 0; q < 3; q++)
        rl_buf_free(&n[q]);
    put_rounded(&n[0], a, dec);
    if (st >= 0)
        put_rounded(&n[1], st, dec);
    if (co >= 0)
        put_rounded(&n[2], co, dec);
    for (int q = 0; q < 3; q++)
        cells[q] = n[q].s;
}

/* Rows of one breakdown (a footprint, or the run with id "(all)"). */
static void table_rows(rl_table *t, const rl_screen_data *d, const char *id,
                       const rl_landuse *lu)
{
    const int dec = rl_lu_decimals(d->opts);
    const int by = d->opts->landuse_by;
    rl_buf n[3] = {{0}, {0}, {0}};
    const char *cells[3];
    nums(n, cells, lu->r_area, -1, -1, dec);
    table_row(t, id, "area", NULL, "用地面积", cells);
    nums(n, cells, lu->r_uncovered, -1, -1, dec);
    table_row(t, id, "uncovered", NULL, "无图斑", cells);
    nums(n, cells, lu->r_double, -1, -1, dec);
    table_row(t, id, "double", NULL, "图斑重叠", cells);
    nums(n, cells, lu->r_total, -1, -1, dec);
    table_row(t, id, "total", NULL, "合计", cells);
    for (int k = 0; k < RL_TOP_N; k++) {
        if (k == RL_TOP_UNKNOWN && lu->r_top[k] == 0 && !(lu->top[k] > 0))
            continue;
        nums(n, cells, lu->r_top[k], -1, -1, dec);
        table_row(t, id, "top", rl_lu_top_key((rl_top_class)k),
                  rl_lu_top_name((rl_top_class)k), cells);
    }
    char buf[96];
    for (size_t j = 0; j < lu->nlevel1; j++) {
        const rl_lu_row *l = &lu->level1[j];
        nums(n, cells, l->r_area, -1, -1, dec);
        table_row(t, id, "level1", l->code, l->name, cells);
        for (size_t i = 0; i < lu->nclasses; i++) {
            const rl_lu_row *c = &lu->classes[i];
            if (strcmp(rl_lu_class(c->code, buf, sizeof buf).level1, l->code))
                continue;
            nums(n, cells, c->r_area, c->r_state, c->r_collective, dec);
            table_row(t, id, "class", c->code, c->name, cells);
        }
    }
    for (size_t i = 0; i < lu->nunits[by]; i++) {
        const rl_lu_row *u = &lu->units[by][i];
        nums(n, cells, u->r_area, -1, -1, dec);
        table_row(t, id, rl_lu_level_name((rl_lu_level)by), u->code, u->name, cells);
    }
    for (int q = 0; q < 3; q++)
        rl_buf_free(&n[q]);
}

/*
 * The default (not --wide) form: no ID and ROW columns, so that it fits an
 * 80-column terminal -- each breakdown starts with its footprint's id on a
 * line of its own, a row's kind goes in the CODE column when it has no code
 * (en) and a class's name is indented under its 一级类.  Same rows, same
 * figures as the long form.
 */
static void table_rows_fit(rl_table *t, const rl_screen_data *d, const char *id,
                           const rl_landuse *lu)
{
    rl_table long_form;
    rl_table_init(&long_form, 7);
    table_rows(&long_form, d, id, lu);
    const int zh = d->opts->c.lang == RL_LANG_ZH;
    rl_table_cell(t, id);
    for (int q = 0; q < 4; q++)
        rl_table_cell(t, "");
    for (size_t r = 0; r < long_form.n / 7; r++) {
        char *const *c = &long_form.cells[r * 7];
        const char *kind = c[1], *code = c[2], *name = c[3];
        rl_buf nm = {0};
        rl_table_cell(t, zh && strcmp(kind, "top") == 0 ? "" : *code ? code : zh ? "" : kind);
        rl_buf_puts(&nm, strcmp(kind, "class") == 0 ? "    " : "  ");
        rl_buf_puts(&nm, name);
        rl_table_cell(t, nm.s);
        rl_buf_free(&nm);
        for (int q = 4; q < 7; q++)
            rl_table_cell(t, c[q]);
    }
    rl_table_free(&long_form);
}

void rl_table_landuse(const rl_screen_data *d, rl_buf *b)
{
    const rl_screen_options *o = d->opts;
    const int zh = o->c.lang == RL_LANG_ZH;
    const int wide = o->wide;
    const char *un = rl_units_name(o->c.units);
    char hdr[3][64];
    rl_table t;
    rl_table_init(&t, wide ? 7 : 5);
    if (wide) {
        rl_table_cell(&t, "ID");
        rl_table_cell(&t, "ROW");
    }
    rl_table_cell(&t, zh && !wide ? "代码" : "CODE");
    rl_table_cell(&t, zh && !wide ? "名称" : "NAME");
    snprintf(hdr[0], sizeof hdr[0], zh && !wide ? "面积(%s)" : "AREA(%s)", un);
    snprintf(hdr[1], sizeof hdr[1], "国有(%s)", un);
    snprintf(hdr[2], sizeof hdr[2], "集体(%s)", un);
    for (int i = 0; i < 3; i++)
        rl_table_cell(&t, hdr[i]);
    const char *all = zh && !wide ? "（全部项目）" : "(all)";
    for (size_t i = 0; i < d->nres; i++)
        if (d->res[i].lu.done)
            (wide ? table_rows : table_rows_fit)(&t, d, d->res[i].id, &d->res[i].lu);
    (wide ? table_rows : table_rows_fit)(&t, d, all, &d->lu_total);
    const rl_layer *DL = d->controls[d->ncontrols].layer;
    rl_buf head = {0}, path = {0};
    /* A file name is data: it must not move the cursor or fake a line either. */
    rl_buf_puts_esc(&path, o->landuse_path);
    if (zh)
        rl_buf_printf(&head, "地类面积表（land use）：%s，%zu 个图斑，%s；%s 方法，%s，平差到 %d "
                      "位小数",
                      path.s ? path.s : "", DL->n + DL->nfar, DL->crs->name,
                      rl_lu_method_name(o->landuse_method), un, rl_lu_decimals(o));
    else
        rl_buf_printf(&head, "land use (地类面积表): %s, %zu parcels, %s; %s method, %s, 平差 "
                      "to %d decimals",
                      path.s ? path.s : "", DL->n + DL->nfar, DL->crs->name,
                      rl_lu_method_name(o->landuse_method), un, rl_lu_decimals(o));
    rl_buf_puts(b, "\n");
    if (wide)
        rl_buf_printf(b, "%s\n", head.s);
    else
        rl_text_wrap(b, "", "  ", head.s, RL_TABLE_COLUMNS);
    rl_buf_free(&head);
    rl_buf_free(&path);
    rl_buf_puts(b, zh ? "全部项目：" : "all footprints: ");
    touched_sentence(b, &d->lu_total);
    rl_buf_puts(b, "\n\n");
    rl_table_render(&t, b);
    rl_table_free(&t);
}

/* Codes of the run's classes and 一级类 (the run's total holds every row). */
void rl_csv_landuse_header(const rl_screen_data *d, rl_buf *b)
{
    const int zh = d->opts->c.lang == RL_LANG_ZH;
    const char *un = rl_label_unit(d->opts->c.lang, d->opts->c.units);
    const char *lu = zh ? "地类" : "landuse";
    const rl_landuse *T = &d->lu_total;
    if (zh)
        rl_buf_printf(b, ",地类_已覆盖_%s,地类_未覆盖_%s,地类_重复覆盖_%s", un, un, un);
    else
        rl_buf_printf(b, ",landuse_covered_%s,landuse_uncovered_%s,landuse_double_%s", un, un,
                      un);
    for (int t = 0; t < RL_TOP_N; t++)
        rl_buf_printf(b, ",%s_%s_%s", lu,
                      zh ? rl_lu_top_name((rl_top_class)t) : rl_lu_top_key((rl_top_class)t), un);
    for (size_t i = 0; i < T->nlevel1; i++) {
        rl_buf_puts(b, ",");
        char cell[128];
        snprintf(cell, sizeof cell, "%s_%s_%s", lu, T->level1[i].code, un);
        rl_buf_csv_str(b, cell);
    }
    for (size_t i = 0; i < T->nclasses; i++) {
        rl_buf_puts(b, ",");
        char cell[128];
        snprintf(cell, sizeof cell, "%s_%s_%s", lu, T->classes[i].code, un);
        rl_buf_csv_str(b, cell);
    }
    rl_buf_puts(b, zh ? ",地类_涉及县,地类_涉及乡镇,地类_涉及村"
                      : ",landuse_counties,landuse_towns,landuse_villages");
}

static long long find_r(const rl_lu_row *rows, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].code, code) == 0)
            return rows[i].r_area;
    return 0;
}

void rl_csv_landuse_cells(const rl_screen_data *d, const rl_fp_result *r, rl_buf *b)
{
    const int dec = rl_lu_decimals(d->opts);
    const rl_landuse *T = &d->lu_total, *lu = &r->lu;
    size_t ncols = 3 + RL_TOP_N + T->nlevel1 + T->nclasses + 3;
    if (!lu->done) {
        for (size_t i = 0; i < ncols; i++)
            rl_buf_puts(b, ",");
        return;
    }
    long long v[3] = {lu->r_covered, lu->r_uncovered, lu->r_double};
    for (int i = 0; i < 3; i++) {
        rl_buf_puts(b, ",");
        put_rounded(b, v[i], dec);
    }
    for (int t = 0; t < RL_TOP_N; t++) {
        rl_buf_puts(b, ",");
        put_rounded(b, lu->r_top[t], dec);
    }
    for (size_t i = 0; i < T->nlevel1; i++) {
        rl_buf_puts(b, ",");
        put_rounded(b, find_r(lu->level1, lu->nlevel1, T->level1[i].code), dec);
    }
    for (size_t i = 0; i < T->nclasses; i++) {
        rl_buf_puts(b, ",");
        put_rounded(b, find_r(lu->classes, lu->nclasses, T->classes[i].code), dec);
    }
    rl_buf_printf(b, ",%zu,%zu,%zu", count_nonzero(lu->units[0], lu->nunits[0]),
                  count_nonzero(lu->units[1], lu->nunits[1]),
                  count_nonzero(lu->units[2], lu->nunits[2]));
}

rl_status rl_write_landuse_csv(rl_ctx *ctx, const rl_screen_data *d, const char *path)
{
    const char *un = rl_units_name(d->opts->c.units);
    const int dec = rl_lu_decimals(d->opts);
    rl_buf b = {0};
    char buf[96];
    rl_buf_puts(&b, RL_CSV_BOM);
    rl_buf_printf(&b,
                  "id,source,fid,code,name,level1_code,level1_name,top,area_%s,state_%s,"
                  "collective_%s,area_m2,state_m2,collective_m2" RL_CSV_EOL,
                  un, un, un);
    for (size_t i = 0; i < d->nres; i++) {
        const rl_fp_result *r = &d->res[i];
        const rl_layer *L = d->fps[r->layer];
        for (size_t j = 0; r->lu.done && j < r->lu.nclasses; j++) {
            const rl_lu_row *c = &r->lu.classes[j];
            rl_lu_class_info ci = rl_lu_class(c->code, buf, sizeof buf);
            rl_buf_csv_str(&b, r->id);
            rl_buf_puts(&b, ",");
            rl_buf_csv_str(&b, L->path);
            rl_buf_printf(&b, ",%" PRId64 ",", (int64_t)L->feat[r->feat].fid);
            rl_buf_csv_str(&b, c->code);
            rl_buf_puts(&b, ",");
            rl_buf_csv_str(&b, c->name ? c->name : "");
            rl_buf_printf(&b, ",%s,", ci.level1);
            const char *l1 = rl_lu_level1_name(ci.level1);
            rl_buf_csv_str(&b, l1 ? l1 : "");
            rl_buf_printf(&b, ",%s,", rl_lu_top_name(ci.top));
            put_rounded(&b, c->r_area, dec);
            rl_buf_puts(&b, ",");
            put_rounded(&b, c->r_state, dec);
            rl_buf_puts(&b, ",");
            put_rounded(&b, c->r_collective, dec);
            rl_buf_printf(&b, ",%.6f,%.6f,%.6f" RL_CSV_EOL, c->area_m2, c->state_m2,
                          c->collective_m2);
        }
    }
    rl_output out;
    FILE *f = rl_output_open(ctx, &out, path);
    if (!f) {
        rl_buf_free(&b);
        return ctx->status;
    }
    rl_status st = rl_emit(ctx, &b, f);
    return rl_output_commit(ctx, &out, st);
}
