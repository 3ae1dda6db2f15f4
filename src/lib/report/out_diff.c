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
    rl_buf_json_str(b, d->shrunk ? "shrunk" : "not_shrunk");
    if (o->by) {
        rl_buf_puts(b, ", \"by\": ");
        rl_buf_json_str(b, o->by);
    }
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
    rl_buf_puts(b, "}\n");
}

static void csv_fig_row(rl_buf *b, const char *scope, const char *key,
                        size_t of, size_t nf, const rl_group_fig *f, double fac)
{
    rl_buf_csv_str(b, scope);
    rl_buf_puts(b, ",");
    rl_buf_csv_str(b, key);
    rl_buf_printf(b, ",%zu,%zu,%.6f,%.6f,%.6f,%.6f,%.6f,%s" RL_CSV_EOL, of, nf,
                  f->old_m2 / fac, f->new_m2 / fac, f->lost_m2 / fac,
                  f->gained_m2 / fac, f->net_m2 / fac,
                  f->shrunk ? "shrunk" : "not_shrunk");
}

static void csv_diff(const rl_diff_data *d, rl_buf *b)
{
    const char *un = rl_units_name(d->opts->c.units);
    const double fac = rl_units_factor(d->opts->c.units);
    rl_buf_puts(b, RL_CSV_BOM);
    rl_buf_printf(b,
                  "scope,key,old_features,new_features,old_%s,new_%s,lost_%s,"
                  "gained_%s,net_%s,verdict" RL_CSV_EOL,
                  un, un, un, un, un);
    csv_fig_row(b, "total", "", d->old->n, d->nw->n, &d->total, fac);
    for (size_t g = 0; g < d->ngroups; g++)
        csv_fig_row(b, "group", d->groups[g].key, d->groups[g].old_features,
                    d->groups[g].new_features, &d->groups[g], fac);
    csv_skipped(b, "old", d->old, 10);
    csv_skipped(b, "new", d->nw, 10);
}

static void table_fig_row(rl_table *t, const char *key, const rl_group_fig *f,
                          double fac, int dec)
{
    rl_table_cell(t, key);
    rl_table_num(t, f->old_m2 / fac, dec);
    rl_table_num(t, f->new_m2 / fac, dec);
    rl_table_num(t, f->lost_m2 / fac, dec);
    rl_table_num(t, f->gained_m2 / fac, dec);
    rl_table_num(t, f->net_m2 / fac, dec);
    rl_table_cell(t, f->shrunk ? "shrunk" : "not shrunk");
}

static void table_diff(const rl_diff_data *d, rl_buf *b)
{
    const rl_units u = d->opts->c.units;
    const double fac = rl_units_factor(u);
    const int dec = rl_units_decimals(u);
    const char *un = rl_units_name(u);
    char h[6][32];
    rl_table t;
    rl_table_init(&t, 7);
    rl_table_cell(&t, d->opts->by ? d->opts->by : "SCOPE");
    snprintf(h[0], 32, "OLD(%s)", un);
    snprintf(h[1], 32, "NEW(%s)", un);
    snprintf(h[2], 32, "LOST(%s)", un);
    snprintf(h[3], 32, "GAINED(%s)", un);
    snprintf(h[4], 32, "NET(%s)", un);
    for (int i = 0; i < 5; i++)
        rl_table_cell(&t, h[i]);
    rl_table_cell(&t, "VERDICT");
    for (size_t g = 0; g < d->ngroups; g++)
        table_fig_row(&t, d->groups[g].key[0] ? d->groups[g].key : "(empty)",
                      &d->groups[g], fac, dec);
    table_fig_row(&t, "TOTAL", &d->total, fac, dec);
    rl_buf_printf(b, "redline diff: %s area, units %s, tolerance %g m2, overlay in %s\n",
                  rl_area_method_name(d->opts->c.area), un, d->opts->tolerance,
                  d->old->crs->name);
    const rl_layer *ls[2] = {d->old, d->nw};
    for (int i = 0; i < 2; i++) {
        rl_buf_printf(b, "  %s: ", i ? "new" : "old");
        rl_buf_puts_esc(b, ls[i]->path);
        rl_buf_printf(b, " (%zu features, %s", ls[i]->n, ls[i]->crs->name);
        if (ls[i]->repaired)
            rl_buf_printf(b, ", %zu repaired", ls[i]->repaired);
        if (ls[i]->bad)
            rl_buf_printf(b, ", %zu unusable", ls[i]->bad);
        rl_buf_puts(b, ")\n");
        rl_text_empty(b, "    ", i ? "new" : "old", ls[i]);
        rl_text_skipped(b, "    ", i ? "new" : "old", ls[i], "--skip-bad-features");
    }
    rl_buf_puts(b, "\n");
    rl_table_render(&t, b);
    rl_table_free(&t);
    rl_buf_printf(b, "\nself-overlap (data quality): old %.*f %s, new %.*f %s\n",
                  dec, d->old_self_overlap_m2 / fac, un, dec,
                  d->new_self_overlap_m2 / fac, un);
    rl_buf_printf(b, "verdict: %s%s\n",
                  d->shrunk ? "SHRUNK (red-line area decreased)" : "not shrunk",
                  d->provisional ? " (PROVISIONAL: features were skipped)" : "");
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
    case RL_FMT_XLSX: /* refused for diff by the options parser */
    case RL_FMT_TABLE: table_diff(d, &b); break;
    }
    return rl_emit(ctx, &b, f);
}

/* One feature per piece that diff.c kept, so each has its own area. */
rl_status rl_write_diff_pieces(rl_ctx *ctx, const rl_diff_data *d,
                               const char *path)
{
    static const rl_vec_field fields[] = {{"change", RL_VF_STRING}, {"grp", RL_VF_STRING},
                                             {"area_m2", RL_VF_REAL}};
    rl_vec_writer *w = rl_vec_writer_new(ctx, path, d->old->crs, fields, 3);
    if (!w)
        return ctx->status;
    rl_status st = RL_OK;
    for (size_t i = 0; i < d->npieces && !st; i++) {
        const rl_diff_piece *p = &d->pieces[i];
        const void *vals[] = {p->change, p->key, &p->area_m2};
        st = rl_vec_writer_add(ctx, w, p->g, vals);
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
    rl_buf_puts(b, "}\n");
}

static void csv_area(const rl_area_data *d, rl_buf *b)
{
    const char *un = rl_units_name(d->opts->c.units);
    const double fac = rl_units_factor(d->opts->c.units);
    rl_buf_puts(b, RL_CSV_BOM);
    rl_buf_printf(b, "scope,key,features,area_%s,self_overlap_%s,verdict" RL_CSV_EOL,
                  un, un);
    rl_buf_printf(b, "total,,%zu,%.6f,%.6f,%s" RL_CSV_EOL, d->total.features,
                  d->total.area_m2 / fac, d->total.self_overlap_m2 / fac,
                  d->below ? "below_minimum" : "ok");
    for (size_t g = 0; g < d->ngroups; g++) {
        rl_buf_puts(b, "group,");
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
    const char *un = rl_units_name(u);
    char h1[32], h2[48];
    rl_table t;
    rl_table_init(&t, 4);
    rl_table_cell(&t, d->opts->by ? d->opts->by : "SCOPE");
    rl_table_cell(&t, "FEATURES");
    snprintf(h1, sizeof h1, "AREA(%s)", un);
    snprintf(h2, sizeof h2, "SELF-OVERLAP(%s)", un);
    rl_table_cell(&t, h1);
    rl_table_cell(&t, h2);
    char cnt[32];
    for (size_t g = 0; g < d->ngroups; g++) {
        const rl_group_fig *f = &d->groups[g];
        rl_table_cell(&t, f->key[0] ? f->key : "(empty)");
        snprintf(cnt, sizeof cnt, "%zu", f->features);
        rl_table_cell(&t, cnt);
        rl_table_num(&t, f->area_m2 / fac, dec);
        rl_table_num(&t, f->self_overlap_m2 / fac, dec);
    }
    rl_table_cell(&t, "TOTAL");
    snprintf(cnt, sizeof cnt, "%zu", d->total.features);
    rl_table_cell(&t, cnt);
    rl_table_num(&t, d->total.area_m2 / fac, dec);
    rl_table_num(&t, d->total.self_overlap_m2 / fac, dec);
    rl_buf_puts(b, "redline area: ");
    rl_buf_puts_esc(b, d->layer->path);
    rl_buf_printf(b, " (%s), %s area, units %s\n", d->layer->crs->name,
                  rl_area_method_name(d->opts->c.area), un);
    /* Features that count in FEATURES but not in the area, by name. */
    const rl_layer *L = d->layer;
    size_t listed = 0, unusable = L->bad - rl_layer_untrusted(L);
    char why[1024];
    if (unusable)
        rl_buf_printf(b, "  %zu feature%s not measured (no usable polygon):\n", unusable,
                      unusable == 1 ? "" : "s");
    for (size_t i = 0; i < L->n && listed < 10; i++) {
        if (L->feat[i].status == RL_FEAT_OK || rl_feat_untrusted(L->feat[i].status))
            continue;
        listed++;
        rl_buf_printf(b, "    FID %lld: %s\n", L->feat[i].fid,
                      rl_feature_why(L, i, why, sizeof why));
    }
    if (unusable > listed)
        rl_buf_printf(b, "    ... and %zu more\n", unusable - listed);
    rl_text_empty(b, "  ", "layer", L);
    rl_text_skipped(b, "  ", "layer", L, "--skip-bad-features");
    rl_buf_puts(b, "\n");
    rl_table_render(&t, b);
    rl_table_free(&t);
    if (d->opts->expect_min >= 0)
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
