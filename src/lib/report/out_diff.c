/* out_diff.c -- diff and area reports as table, CSV and JSON; diff pieces. */
#include "report/out_table.h"

#include <stdlib.h>
#include <string.h>

static void json_layer(rl_buf *b, const rl_layer *L)
{
    rl_buf_puts(b, "{\"path\": ");
    rl_buf_json_str(b, L->path);
    rl_buf_puts(b, ", \"layer\": ");
    rl_buf_json_str(b, L->layer_name);
    rl_buf_printf(b, ", \"features\": %zu, \"crs\": ", L->n);
    rl_buf_json_str(b, L->crs->name);
    rl_buf_printf(b, ", \"repaired\": %zu, \"unusable\": %zu", L->repaired, L->bad);
    if (L->empty_accepted)
        rl_buf_puts(b, ", \"empty\": true");
    rl_json_skipped(b, L);
    rl_buf_puts(b, "}");
}

/* `, "allow_empty": true, "empty_layers": [...]` with --allow-empty; `, "provisional": true`. */
static void json_trust(rl_buf *b, const rl_common_opts *c, int provisional,
                       const char *const *roles, const rl_layer *const *ls, int n)
{
    if (c->allow_empty) {
        int first = 1;
        rl_buf_puts(b, ", \"allow_empty\": true, \"empty_layers\": [");
        for (int i = 0; i < n; i++)
            rl_json_empty(b, &first, roles[i], ls[i]);
        rl_buf_puts(b, "]");
    }
    if (provisional)
        rl_buf_puts(b, ", \"provisional\": true");
}

/* CSV rows naming what was left out: scope "skipped", key "ROLE PATH FID N: why". */
static void csv_skipped(rl_buf *b, const char *role, const rl_layer *L, int ncols)
{
    char why[1024];
    for (size_t i = 0; i < L->n; i++) {
        if (!rl_feat_untrusted(L->feat[i].status))
            continue;
        rl_buf cell = {0};
        rl_buf_printf(&cell, "%s %s FID %lld: %s", role, L->path, L->feat[i].fid,
                      rl_feature_why(L, i, why, sizeof why));
        rl_buf_puts(b, "skipped,");
        rl_buf_csv_str(b, cell.s ? cell.s : "");
        rl_buf_free(&cell);
        for (int k = 2; k < ncols - 1; k++)
            rl_buf_puts(b, ",");
        rl_buf_puts(b, ",provisional" RL_CSV_EOL);
    }
}

static void json_fig(rl_buf *b, const rl_group_fig *f)
{
    rl_buf_puts(b, "\"old_m2\": ");
    rl_buf_json_m2(b, f->old_m2);
    rl_buf_puts(b, ", \"new_m2\": ");
    rl_buf_json_m2(b, f->new_m2);
    rl_buf_puts(b, ", \"lost_m2\": ");
    rl_buf_json_m2(b, f->lost_m2);
    rl_buf_puts(b, ", \"gained_m2\": ");
    rl_buf_json_m2(b, f->gained_m2);
    rl_buf_puts(b, ", \"net_m2\": ");
    rl_buf_json_m2(b, f->net_m2);
}

const char *rl_diff_verdict(const rl_diff_data *d)
{
    return d->shrunk ? "shrunk" : d->changed ? "changed" : "not_shrunk";
}

static void json_opt_str(rl_buf *b, const char *s)
{
    if (s)
        rl_buf_json_str(b, s);
    else
        rl_buf_puts(b, "null");
}

/* `{"from": .., "to": .., "area_m2": ..` of a list's entry i (the caller closes it). */
static void json_cell(rl_buf *b, size_t i, const char *from, const char *to, double a)
{
    rl_buf_puts(b, i ? ",\n  {\"from\": " : "\n  {\"from\": ");
    json_opt_str(b, from);
    rl_buf_puts(b, ", \"to\": ");
    json_opt_str(b, to);
    rl_buf_puts(b, ", \"area_m2\": ");
    rl_buf_json_m2(b, a);
}

/* SPEC "Transitions": the cells, changed_m2, and how overlaps were attributed. */
static void json_transitions(const rl_diff_data *d, rl_buf *b)
{
    const rl_diff_options *o = d->opts;
    rl_buf_puts(b, ",\n \"map\": ");
    json_opt_str(b, o->map);
    rl_buf_printf(b, ", \"by_level\": %d, \"keep_nature\": %s", o->by_level ? 1 : 2,
                  o->keep_nature ? "true" : "false");
    rl_buf_puts(b, ",\n \"changed_m2\": ");
    rl_buf_json_m2(b, d->changed_m2);
    rl_buf_puts(b, ", \"multi_value_overlap\": {\"old_m2\": ");
    rl_buf_json_m2(b, d->old_multi_m2);
    rl_buf_puts(b, ", \"new_m2\": ");
    rl_buf_json_m2(b, d->new_multi_m2);
    rl_buf_puts(b, "},\n \"transitions\": [");
    for (size_t i = 0; i < d->ntrans; i++) {
        json_cell(b, i, d->trans[i].from, d->trans[i].to, d->trans[i].area_m2);
        rl_buf_puts(b, "}");
    }
    rl_buf_puts(b, "],\n \"largest_changes\": [");
    /* mm in a plane, about 1 cm in degrees */
    const int cd = d->old->crs->geographic ? 7 : 3;
    for (size_t i = 0; i < d->nlargest; i++) {
        const rl_diff_piece *p = &d->largest[i];
        json_cell(b, i, p->from, p->to, p->area_m2);
        rl_buf_printf(b, ", \"centroid\": [%.*f, %.*f]}", cd, p->cx, cd, p->cy);
    }
    rl_buf_puts(b, "]");
}

static void json_diff(const rl_diff_data *d, rl_buf *b)
{
    const rl_diff_options *o = d->opts;
    rl_json_head(b, "diff");
    rl_buf_puts(b, ", \"area_method\": ");
    rl_buf_json_str(b, rl_area_method_name(o->c.area));
    rl_buf_puts(b, ", \"tolerance_m2\": ");
    rl_buf_json_num(b, o->tolerance);
    const char *const roles[2] = {"old", "new"};
    const rl_layer *const ls[2] = {d->old, d->nw};
    json_trust(b, &o->c, d->provisional, roles, ls, 2);
    rl_buf_puts(b, ",\n \"overlay_crs\": ");
    rl_buf_json_str(b, d->old->crs->name);
    rl_buf_puts(b, ",\n \"old\": ");
    json_layer(b, d->old);
    rl_buf_puts(b, ",\n \"new\": ");
    json_layer(b, d->nw);
    rl_buf_puts(b, ",\n ");
    json_fig(b, &d->total);
    rl_buf_puts(b, ",\n \"old_self_overlap_m2\": ");
    rl_buf_json_m2(b, d->old_self_overlap_m2);
    rl_buf_puts(b, ", \"new_self_overlap_m2\": ");
    rl_buf_json_m2(b, d->new_self_overlap_m2);
    rl_buf_puts(b, ",\n \"verdict\": ");
    rl_buf_json_str(b, rl_diff_verdict(d));
    if (o->by) {
        rl_buf_puts(b, ", \"by\": ");
        rl_buf_json_str(b, o->by);
    }
    if (o->by_old) {
        rl_buf_puts(b, ", \"by_old\": ");
        rl_buf_json_str(b, o->by_old);
        rl_buf_puts(b, ", \"by_new\": ");
        rl_buf_json_str(b, o->by_new);
    }
    if (o->by || o->by_old)
        json_transitions(d, b);
    rl_buf_puts(b, ",\n \"groups\": [");
    for (size_t g = 0; g < d->ngroups; g++) {
        const rl_group_fig *f = &d->groups[g];
        rl_buf_puts(b, g ? ",\n  {\"key\": " : "\n  {\"key\": ");
        rl_buf_json_str(b, f->key);
        rl_buf_printf(b, ", \"old_features\": %zu, \"new_features\": %zu, ",
                      f->old_features, f->new_features);
        json_fig(b, f);
        rl_buf_printf(b, ", \"shrunk\": %s}", f->shrunk ? "true" : "false");
    }
    rl_buf_puts(b, "]");
    rl_json_warnings(b, &d->warnings);
    static const char *const words[] = {"shrunk", "not_shrunk", "changed",
                                        "kept", "gained", "lost"};
    rl_json_labels_words(b, words, sizeof words / sizeof *words);
    rl_buf_puts(b, "}\n");
}

static void csv_fig_row(rl_buf *b, const char *scope, const char *key,
                        size_t of, size_t nf, const rl_group_fig *f, double fac,
                        const char *verdict, rl_lang lang)
{
    rl_buf_csv_str(b, scope);
    rl_buf_puts(b, ",");
    rl_buf_csv_str(b, key);
    rl_buf_printf(b, ",%zu,%zu,%.6f,%.6f,%.6f,%.6f,%.6f,%s" RL_CSV_EOL, of, nf,
                  f->old_m2 / fac, f->new_m2 / fac, f->lost_m2 / fac,
                  f->gained_m2 / fac, f->net_m2 / fac,
                  rl_label_word(lang, verdict ? verdict : f->shrunk ? "shrunk" : "not_shrunk"));
}

static void csv_diff(const rl_diff_data *d, rl_buf *b)
{
    const rl_lang lang = d->opts->c.lang;
    const int zh = lang == RL_LANG_ZH;
    const char *un = rl_label_unit(lang, d->opts->c.units);
    const double fac = rl_units_factor(d->opts->c.units);
    rl_buf_puts(b, RL_CSV_BOM);
    rl_buf_printf(b,
                  zh ? "范围,分组,原版要素数,新版要素数,原版面积_%s,新版面积_%s,减少面积_%s,"
                       "新增面积_%s,净变化_%s,结论" RL_CSV_EOL
                     : "scope,key,old_features,new_features,old_%s,new_%s,lost_%s,"
                       "gained_%s,net_%s,verdict" RL_CSV_EOL,
                  un, un, un, un, un);
    csv_fig_row(b, zh ? "合计" : "total", "", d->old->n, d->nw->n, &d->total, fac,
                rl_diff_verdict(d), lang);
    for (size_t g = 0; g < d->ngroups; g++)
        csv_fig_row(b, zh ? "分组" : "group", d->groups[g].key, d->groups[g].old_features,
                    d->groups[g].new_features, &d->groups[g], fac, NULL, lang);
    csv_skipped(b, "old", d->old, 10);
    csv_skipped(b, "new", d->nw, 10);
    /*
     * The long form of the transition matrix, in the same columns: key is
     * "FROM -> TO" (none: "(none)"), old_UNIT the area, verdict what happened.
     */
    for (size_t i = 0; i < d->ntrans; i++) {
        const rl_diff_trans *t = &d->trans[i];
        rl_buf cell = {0};
        rl_buf_printf(&cell, "%s -> %s", t->from ? t->from : zh ? "(无)" : "(none)",
                      t->to ? t->to : zh ? "(无)" : "(none)");
        rl_buf_puts(b, zh ? "转移," : "transition,");
        rl_buf_csv_str(b, cell.s);
        rl_buf_free(&cell);
        rl_buf_printf(b, ",,,%.6f,,,,,%s" RL_CSV_EOL, t->area_m2 / fac,
                      rl_label_word(lang, !t->from ? "gained" : !t->to ? "lost"
                                          : strcmp(t->from, t->to) ? "changed" : "kept"));
    }
}

static void table_fig_row(rl_table *t, const char *key, const rl_group_fig *f,
                          double fac, int dec, rl_lang lang)
{
    rl_table_cell(t, key);
    rl_table_num(t, f->old_m2 / fac, dec);
    rl_table_num(t, f->new_m2 / fac, dec);
    rl_table_num(t, f->lost_m2 / fac, dec);
    rl_table_num(t, f->gained_m2 / fac, dec);
    rl_table_num(t, f->net_m2 / fac, dec);
    rl_table_cell(t, lang == RL_LANG_ZH ? rl_label_word(lang, f->shrunk ? "shrunk" : "not_shrunk")
                                        : f->shrunk ? "shrunk" : "not shrunk");
}

/*
 * The values of the matrix's rows (OLD, from) or columns (NEW, to), in key
 * order, with none last: indices into d->groups, d->ngroups for none.
 */
size_t rl_diff_matrix_axis(const rl_diff_data *d, int to, size_t *out)
{
    size_t n = 0;
    for (size_t g = 0; g <= d->ngroups; g++) {
        const char *key = g < d->ngroups ? d->groups[g].key : NULL;
        int used = 0;
        for (size_t i = 0; i < d->ntrans && !used; i++) {
            const char *k = to ? d->trans[i].to : d->trans[i].from;
            used = key ? k == key : k == NULL;
        }
        if (used)
            out[n++] = g;
    }
    return n;
}

double rl_diff_matrix_cell(const rl_diff_data *d, size_t from, size_t to)
{
    const char *f = from < d->ngroups ? d->groups[from].key : NULL;
    const char *t = to < d->ngroups ? d->groups[to].key : NULL;
    for (size_t i = 0; i < d->ntrans; i++)
        if (d->trans[i].from == f && d->trans[i].to == t)
            return d->trans[i].area_m2;
    return 0;
}

static const char *axis_name(const rl_diff_data *d, size_t g)
{
    const int zh = d->opts->c.lang == RL_LANG_ZH;
    return g == d->ngroups      ? (zh ? "(无)" : "(none)")
           : d->groups[g].key[0] ? d->groups[g].key
                                 : (zh ? "(空)" : "(empty)");
}

/* Square matrix: OLD values as rows, NEW values as columns, with totals. */
static void table_transitions(const rl_diff_data *d, rl_buf *b, double fac, int dec,
                              const char *un)
{
    size_t *rows = malloc((d->ngroups + 1) * sizeof *rows);
    size_t *cols = malloc((d->ngroups + 1) * sizeof *cols);
    if (!rows || !cols) {
        free(rows);
        free(cols);
        return;
    }
    size_t nr = rl_diff_matrix_axis(d, 0, rows), nc = rl_diff_matrix_axis(d, 1, cols);
    rl_table t;
    rl_table_init(&t, (int)nc + 2);
    const int zh = d->opts->c.lang == RL_LANG_ZH;
    rl_buf_printf(b, zh ? "\n转移矩阵（%s）：行为原版，列为新版\n"
                        : "\ntransitions (转移矩阵, %s): rows OLD, columns NEW\n", un);
    rl_table_cell(&t, zh ? "原版 \\ 新版" : "OLD \\ NEW");
    for (size_t j = 0; j < nc; j++)
        rl_table_cell(&t, axis_name(d, cols[j]));
    rl_table_cell(&t, zh ? "合计" : "TOTAL");
    for (size_t i = 0; i < nr; i++) {
        double sum = 0;
        rl_table_cell(&t, axis_name(d, rows[i]));
        for (size_t j = 0; j < nc; j++) {
            double v = rl_diff_matrix_cell(d, rows[i], cols[j]);
            sum += v;
            rl_table_num(&t, v / fac, dec);
        }
        rl_table_num(&t, sum / fac, dec);
    }
    rl_table_cell(&t, zh ? "合计" : "TOTAL");
    double all = 0;
    for (size_t j = 0; j < nc; j++) {
        double sum = 0;
        for (size_t i = 0; i < nr; i++)
            sum += rl_diff_matrix_cell(d, rows[i], cols[j]);
        all += sum;
        rl_table_num(&t, sum / fac, dec);
    }
    rl_table_num(&t, all / fac, dec);
    rl_table_render(&t, b);
    rl_table_free(&t);
    free(rows);
    free(cols);
    rl_buf_printf(b, zh ? "性质改变（新旧值均已知）：%.*f %s\n"
                        : "changed (性质改变, both values known): %.*f %s\n", dec,
                  d->changed_m2 / fac, un);
    if (d->old_multi_m2 > 0 || d->new_multi_m2 > 0)
        rl_buf_printf(b, zh ? "取值不同的要素相互重叠（计入字节序在前的值）：原版 %.*f %s，"
                              "新版 %.*f %s\n"
                            : "overlaps of features with different values (given to the value "
                              "first in byte order): old %.*f %s, new %.*f %s\n",
                      dec, d->old_multi_m2 / fac, un, dec, d->new_multi_m2 / fac, un);
    if (d->nlargest) {
        rl_buf_printf(b, zh ? "最大的变化（质心坐标，%s）：\n" : "largest changes (centroid in %s):\n",
                      d->old->crs->name);
        for (size_t i = 0; i < d->nlargest && i < 10; i++) {
            const rl_diff_piece *p = &d->largest[i];
            rl_buf_printf(b, "  %.*f %s  ", dec, p->area_m2 / fac, un);
            rl_buf_puts_esc(b, p->from[0] ? p->from : zh ? "(空)" : "(empty)");
            rl_buf_puts(b, " -> ");
            rl_buf_puts_esc(b, p->to[0] ? p->to : zh ? "(空)" : "(empty)");
            const int cd = d->old->crs->geographic ? 7 : 3;
            rl_buf_printf(b, zh ? "  位于 %.*f, %.*f\n" : "  at %.*f, %.*f\n", cd, p->cx, cd,
                          p->cy);
        }
    }
}

static void table_diff(const rl_diff_data *d, rl_buf *b)
{
    const rl_units u = d->opts->c.units;
    const rl_lang lang = d->opts->c.lang;
    const int zh = lang == RL_LANG_ZH;
    const double fac = rl_units_factor(u);
    const int dec = rl_units_decimals(u);
    const char *un = rl_label_unit(lang, u);
    char h[6][48];
    rl_table t;
    rl_table_init(&t, 7);
    rl_table_cell(&t, d->opts->by ? d->opts->by : d->opts->by_old ? d->opts->by_old
                                                  : zh ? "范围" : "SCOPE");
    snprintf(h[0], 48, zh ? "原版(%s)" : "OLD(%s)", un);
    snprintf(h[1], 48, zh ? "新版(%s)" : "NEW(%s)", un);
    snprintf(h[2], 48, zh ? "减少(%s)" : "LOST(%s)", un);
    snprintf(h[3], 48, zh ? "新增(%s)" : "GAINED(%s)", un);
    snprintf(h[4], 48, zh ? "净变化(%s)" : "NET(%s)", un);
    for (int i = 0; i < 5; i++)
        rl_table_cell(&t, h[i]);
    rl_table_cell(&t, zh ? "结论" : "VERDICT");
    for (size_t g = 0; g < d->ngroups; g++)
        table_fig_row(&t, d->groups[g].key[0] ? d->groups[g].key : zh ? "(空)" : "(empty)",
                      &d->groups[g], fac, dec, lang);
    table_fig_row(&t, zh ? "合计" : "TOTAL", &d->total, fac, dec, lang);
    if (zh)
        rl_buf_printf(b, "redline diff：%s，单位 %s，容差 %g 平方米，叠加坐标系 %s\n",
                      d->opts->c.area == RL_AREA_PLANAR ? "平面面积" : "椭球面积", un,
                      d->opts->tolerance, d->old->crs->name);
    else
        rl_buf_printf(b, "redline diff: %s area, units %s, tolerance %g m2, overlay in %s\n",
                      rl_area_method_name(d->opts->c.area), un, d->opts->tolerance,
                      d->old->crs->name);
    const rl_layer *ls[2] = {d->old, d->nw};
    for (int i = 0; i < 2; i++) {
        rl_buf_printf(b, zh ? "  %s：" : "  %s: ", i ? (zh ? "新版" : "new") : (zh ? "原版" : "old"));
        rl_buf_puts_esc(b, ls[i]->path);
        rl_buf_printf(b, zh ? "（%zu 个要素，%s" : " (%zu features, %s", ls[i]->n,
                      ls[i]->crs->name);
        if (ls[i]->repaired)
            rl_buf_printf(b, zh ? "，%zu 个已修复" : ", %zu repaired", ls[i]->repaired);
        if (ls[i]->bad)
            rl_buf_printf(b, zh ? "，%zu 个不可用" : ", %zu unusable", ls[i]->bad);
        rl_buf_puts(b, zh ? "）\n" : ")\n");
        const char *role = i ? (zh ? "新版" : "new") : (zh ? "原版" : "old");
        rl_text_empty(b, "    ", role, ls[i], lang);
        rl_text_skipped(b, "    ", role, ls[i], "--skip-bad-features", lang);
    }
    rl_buf_puts(b, "\n");
    rl_table_render(&t, b);
    rl_table_free(&t);
    rl_buf_printf(b, zh ? "\n自重叠（数据质量）：原版 %.*f %s，新版 %.*f %s\n"
                        : "\nself-overlap (data quality): old %.*f %s, new %.*f %s\n",
                  dec, d->old_self_overlap_m2 / fac, un, dec,
                  d->new_self_overlap_m2 / fac, un);
    if (d->opts->by || d->opts->by_old)
        table_transitions(d, b, fac, dec, un);
    if (zh)
        rl_buf_printf(b, "结论：%s%s\n",
                      d->shrunk ? "面积减少" : d->changed ? "性质改变" : "面积未减少",
                      d->provisional ? "（暂定：有要素被跳过）" : "");
    else
        rl_buf_printf(b, "verdict: %s%s\n",
                      d->shrunk ? "SHRUNK (red-line area decreased)"
                      : d->changed ? "CHANGED (性质改变: area changed its value)"
                                   : "not shrunk",
                      d->provisional ? " (PROVISIONAL: features were skipped)" : "");
}

/*
 * --matrix-csv: the square matrix for a spreadsheet, OLD values as rows and
 * NEW values as columns, "(none)" last, a TOTAL row and column, in --units.
 */
static rl_status write_matrix_csv(rl_ctx *ctx, const rl_diff_data *d, const char *path)
{
    const double fac = rl_units_factor(d->opts->c.units);
    const int zh = d->opts->c.lang == RL_LANG_ZH;
    size_t *rows = malloc((d->ngroups + 1) * sizeof *rows);
    size_t *cols = malloc((d->ngroups + 1) * sizeof *cols);
    rl_buf b = {0};
    if (!rows || !cols) {
        free(rows);
        free(cols);
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    }
    size_t nr = rl_diff_matrix_axis(d, 0, rows), nc = rl_diff_matrix_axis(d, 1, cols);
    rl_buf_puts(&b, RL_CSV_BOM);
    /* The corner cell, quoted: a field name may hold a comma. */
    rl_buf corner = {0};
    rl_buf_printf(&corner, zh ? "%s (%s) 原版 \\ 新版" : "%s (%s) OLD \\ NEW",
                  d->opts->by ? d->opts->by : d->opts->by_old,
                  rl_label_unit(d->opts->c.lang, d->opts->c.units));
    rl_buf_csv_str(&b, corner.s ? corner.s : "");
    rl_buf_free(&corner);
    for (size_t j = 0; j < nc; j++) {
        rl_buf_puts(&b, ",");
        rl_buf_csv_str(&b, cols[j] == d->ngroups ? (zh ? "(无)" : "(none)")
                                                 : d->groups[cols[j]].key);
    }
    rl_buf_puts(&b, zh ? ",合计" RL_CSV_EOL : ",TOTAL" RL_CSV_EOL);
    double *ct = calloc(nc + 1, sizeof *ct);
    for (size_t i = 0; ct && i < nr; i++) {
        double sum = 0;
        rl_buf_csv_str(&b, rows[i] == d->ngroups ? (zh ? "(无)" : "(none)")
                                                 : d->groups[rows[i]].key);
        for (size_t j = 0; j < nc; j++) {
            double v = rl_diff_matrix_cell(d, rows[i], cols[j]);
            sum += v, ct[j] += v;
            rl_buf_printf(&b, ",%.6f", v / fac);
        }
        rl_buf_printf(&b, ",%.6f" RL_CSV_EOL, sum / fac);
    }
    double all = 0;
    rl_buf_puts(&b, zh ? "合计" : "TOTAL");
    for (size_t j = 0; ct && j < nc; j++) {
        all += ct[j];
        rl_buf_printf(&b, ",%.6f", ct[j] / fac);
    }
    rl_buf_printf(&b, ",%.6f" RL_CSV_EOL, all / fac);
    free(rows);
    free(cols);
    if (!ct) {
        rl_buf_free(&b);
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    }
    free(ct);
    rl_output out;
    FILE *f = rl_output_open(ctx, &out, path);
    if (!f) {
        rl_buf_free(&b);
        return ctx->status;
    }
    return rl_output_commit(ctx, &out, rl_emit(ctx, &b, f));
}

rl_status rl_write_diff(rl_ctx *ctx, const rl_diff_data *d, FILE *f)
{
    rl_buf b = {0};
    switch (d->opts->c.format) {
    case RL_FMT_JSON: json_diff(d, &b); break;
    case RL_FMT_CSV: csv_diff(d, &b); break;
    case RL_FMT_HTML:
        if (rl_html_diff(ctx, d, &b)) {
            rl_buf_free(&b);
            return ctx->status;
        }
        break;
    case RL_FMT_XLSX:
        /* A binary workbook, written straight to f; --matrix-csv first, as below. */
        if (d->opts->matrix_csv && write_matrix_csv(ctx, d, d->opts->matrix_csv))
            return ctx->status;
        return rl_xlsx_diff(ctx, d, f);
    case RL_FMT_TABLE: table_diff(d, &b); break;
    }
    /* The matrix file first: a report that says all went well comes last. */
    if (d->opts->matrix_csv && write_matrix_csv(ctx, d, d->opts->matrix_csv)) {
        rl_buf_free(&b);
        return ctx->status;
    }
    return rl_emit(ctx, &b, f);
}

/* One feature per piece that diff.c kept, so each has its own area. */
rl_status rl_write_diff_pieces(rl_ctx *ctx, const rl_diff_data *d,
                               const char *path)
{
    static const rl_vec_field fields[] = {{"change", RL_VF_STRING}, {"grp", RL_VF_STRING},
                                             {"area_m2", RL_VF_REAL}};
    /* With --by: what changed into what (the transitions' pieces). */
    static const rl_vec_field tfields[] = {{"change", RL_VF_STRING}, {"from", RL_VF_STRING},
                                              {"to", RL_VF_STRING}, {"area_m2", RL_VF_REAL}};
    const int by = d->opts->by || d->opts->by_old;
    rl_vec_writer *w = by ? rl_vec_writer_new(ctx, path, d->old->crs, tfields, 4)
                          : rl_vec_writer_new(ctx, path, d->old->crs, fields, 3);
    if (!w)
        return ctx->status;
    rl_status st = RL_OK;
    for (size_t i = 0; i < d->npieces && !st; i++) {
        const rl_diff_piece *p = &d->pieces[i];
        const void *vals[] = {p->change, p->key, &p->area_m2};
        const void *tvals[] = {p->change, p->from, p->to, &p->area_m2};
        st = rl_vec_writer_add(ctx, w, p->g, by ? tvals : vals);
    }
    return rl_vec_writer_close(ctx, w, st);
}

/* ---- area ---- */

static void json_area(const rl_area_data *d, rl_buf *b)
{
    const rl_area_options *o = d->opts;
    rl_json_head(b, "area");
    rl_buf_puts(b, ", \"area_method\": ");
    rl_buf_json_str(b, rl_area_method_name(o->c.area));
    rl_buf_puts(b, ",\n \"path\": ");
    rl_buf_json_str(b, d->layer->path);
    rl_buf_puts(b, ", \"layer\": ");
    rl_buf_json_str(b, d->layer->layer_name);
    rl_buf_puts(b, ", \"crs\": ");
    rl_buf_json_str(b, d->layer->crs->name);
    rl_buf_printf(b, ", \"features\": %zu, \"repaired\": %zu, \"unusable\": %zu",
                  d->total.features, d->layer->repaired, d->layer->bad);
    rl_json_skipped(b, d->layer);
    const char *const role[1] = {"layer"};
    const rl_layer *const ls[1] = {d->layer};
    json_trust(b, &o->c, d->provisional, role, ls, 1);
    rl_buf_puts(b, ",\n \"area_m2\": ");
    rl_buf_json_m2(b, d->total.area_m2);
    rl_buf_puts(b, ", \"self_overlap_m2\": ");
    rl_buf_json_m2(b, d->total.self_overlap_m2);
    rl_buf_puts(b, ", \"expect_min_m2\": ");
    if (o->expect_min >= 0)
        rl_buf_json_num(b, o->expect_min);
    else
        rl_buf_puts(b, "null");
    rl_buf_puts(b, ", \"verdict\": ");
    rl_buf_json_str(b, d->below ? "below_minimum" : "ok");
    if (o->by) {
        rl_buf_puts(b, ", \"by\": ");
        rl_buf_json_str(b, o->by);
    }
    rl_buf_puts(b, ",\n \"groups\": [");
    for (size_t g = 0; g < d->ngroups; g++) {
        const rl_group_fig *f = &d->groups[g];
        rl_buf_puts(b, g ? ",\n  {\"key\": " : "\n  {\"key\": ");
        rl_buf_json_str(b, f->key);
        rl_buf_printf(b, ", \"features\": %zu, \"area_m2\": ", f->features);
        rl_buf_json_m2(b, f->area_m2);
        rl_buf_puts(b, ", \"self_overlap_m2\": ");
        rl_buf_json_m2(b, f->self_overlap_m2);
        rl_buf_puts(b, "}");
    }
    rl_buf_puts(b, "]");
    rl_json_warnings(b, &d->warnings);
    static const char *const words[] = {"ok", "below_minimum"};
    rl_json_labels_words(b, words, 2);
    rl_buf_puts(b, "}\n");
}

static void csv_area(const rl_area_data *d, rl_buf *b)
{
    const rl_lang lang = d->opts->c.lang;
    const int zh = lang == RL_LANG_ZH;
    const char *un = rl_label_unit(lang, d->opts->c.units);
    const double fac = rl_units_factor(d->opts->c.units);
    rl_buf_puts(b, RL_CSV_BOM);
    rl_buf_printf(b, zh ? "范围,分组,要素数,面积_%s,自重叠_%s,结论" RL_CSV_EOL
                        : "scope,key,features,area_%s,self_overlap_%s,verdict" RL_CSV_EOL,
                  un, un);
    rl_buf_printf(b, "%s,,%zu,%.6f,%.6f,%s" RL_CSV_EOL, zh ? "合计" : "total",
                  d->total.features, d->total.area_m2 / fac, d->total.self_overlap_m2 / fac,
                  rl_label_word(lang, d->below ? "below_minimum" : "ok"));
    for (size_t g = 0; g < d->ngroups; g++) {
        rl_buf_puts(b, zh ? "分组," : "group,");
        rl_buf_csv_str(b, d->groups[g].key);
        rl_buf_printf(b, ",%zu,%.6f,%.6f," RL_CSV_EOL, d->groups[g].features,
                      d->groups[g].area_m2 / fac, d->groups[g].self_overlap_m2 / fac);
    }
    csv_skipped(b, "layer", d->layer, 6);
}

static void table_area(const rl_area_data *d, rl_buf *b)
{
    const rl_units u = d->opts->c.units;
    const double fac = rl_units_factor(u);
    const int dec = rl_units_decimals(u);
    const rl_lang lang = d->opts->c.lang;
    const int zh = lang == RL_LANG_ZH;
    const char *un = rl_label_unit(lang, u);
    char h1[48], h2[48];
    rl_table t;
    rl_table_init(&t, 4);
    rl_table_cell(&t, d->opts->by ? d->opts->by : zh ? "范围" : "SCOPE");
    rl_table_cell(&t, zh ? "要素数" : "FEATURES");
    snprintf(h1, sizeof h1, zh ? "面积(%s)" : "AREA(%s)", un);
    snprintf(h2, sizeof h2, zh ? "自重叠(%s)" : "SELF-OVERLAP(%s)", un);
    rl_table_cell(&t, h1);
    rl_table_cell(&t, h2);
    char cnt[32];
    for (size_t g = 0; g < d->ngroups; g++) {
        const rl_group_fig *f = &d->groups[g];
        rl_table_cell(&t, f->key[0] ? f->key : zh ? "(空)" : "(empty)");
        snprintf(cnt, sizeof cnt, "%zu", f->features);
        rl_table_cell(&t, cnt);
        rl_table_num(&t, f->area_m2 / fac, dec);
        rl_table_num(&t, f->self_overlap_m2 / fac, dec);
    }
    rl_table_cell(&t, zh ? "合计" : "TOTAL");
    snprintf(cnt, sizeof cnt, "%zu", d->total.features);
    rl_table_cell(&t, cnt);
    rl_table_num(&t, d->total.area_m2 / fac, dec);
    rl_table_num(&t, d->total.self_overlap_m2 / fac, dec);
    rl_buf_puts(b, zh ? "redline area：" : "redline area: ");
    rl_buf_puts_esc(b, d->layer->path);
    if (zh)
        rl_buf_printf(b, "（%s），%s，单位 %s\n", d->layer->crs->name,
                      d->opts->c.area == RL_AREA_PLANAR ? "平面面积" : "椭球面积", un);
    else
        rl_buf_printf(b, " (%s), %s area, units %s\n", d->layer->crs->name,
                      rl_area_method_name(d->opts->c.area), un);
    /* Features that count in FEATURES but not in the area, by name. */
    const rl_layer *L = d->layer;
    size_t listed = 0, unusable = L->bad - rl_layer_untrusted(L);
    char why[1024];
    if (unusable)
        rl_buf_printf(b, zh ? "  %zu 个要素未计面积（无可用的面）%s：\n"
                            : "  %zu feature%s not measured (no usable polygon):\n",
                      unusable, zh ? "" : unusable == 1 ? "" : "s");
    for (size_t i = 0; i < L->n && listed < 10; i++) {
        if (L->feat[i].status == RL_FEAT_OK || rl_feat_untrusted(L->feat[i].status))
            continue;
        listed++;
        rl_buf_printf(b, "    FID %lld: %s\n", L->feat[i].fid,
                      rl_feature_why(L, i, why, sizeof why));
    }
    if (unusable > listed)
        rl_buf_printf(b, zh ? "    …… 另有 %zu 个\n" : "    ... and %zu more\n",
                      unusable - listed);
    rl_text_empty(b, "  ", zh ? "图层" : "layer", L, lang);
    rl_text_skipped(b, "  ", zh ? "图层" : "layer", L, "--skip-bad-features", lang);
    rl_buf_puts(b, "\n");
    rl_table_render(&t, b);
    rl_table_free(&t);
    if (d->opts->expect_min >= 0 && zh)
        rl_buf_printf(b, "\n应不少于 %.*f %s：%s%s\n", dec, d->opts->expect_min / fac, un,
                      rl_label_word(lang, d->below ? "below_minimum" : "ok"),
                      d->provisional ? "（暂定：有要素被跳过）" : "");
    else if (d->opts->expect_min >= 0)
        rl_buf_printf(b, "\nexpected at least %.*f %s: %s%s\n", dec,
                      d->opts->expect_min / fac, un,
                      d->below ? "BELOW MINIMUM" : "ok",
                      d->provisional ? " (PROVISIONAL: features were skipped)" : "");
}

rl_status rl_write_area(rl_ctx *ctx, const rl_area_data *d, FILE *f)
{
    rl_buf b = {0};
    switch (d->opts->c.format) {
    case RL_FMT_JSON: json_area(d, &b); break;
    case RL_FMT_CSV: csv_area(d, &b); break;
    case RL_FMT_HTML: /* html and xlsx: refused for area by the options parser */
    case RL_FMT_XLSX:
    case RL_FMT_TABLE: table_area(d, &b); break;
    }
    return rl_emit(ctx, &b, f);
}
