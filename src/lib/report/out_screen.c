/* out_screen.c -- screen reports as table, CSV and JSON; pieces as vectors. */
#include "report/out_table.h"
#include "base/pool.h"
#include "rules/rules.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *verdict_name(rl_verdict v)
{
    static const char *names[] = {"pass", "warn", "conflict", "error"};
    return names[v];
}

static void json_str_or_null(rl_buf *b, const char *s)
{
    if (s)
        rl_buf_json_str(b, s);
    else
        rl_buf_puts(b, "null");
}

/* The hit's "rule": which rule decided it, its severity and its reason. */
static void json_rule(rl_buf *b, const rl_control *C, const rl_hit *h)
{
    rl_buf_puts(b, ", \"rule\": {\"layer\": ");
    rl_buf_json_str(b, C->spec.name);
    rl_buf_puts(b, ", \"field\": ");
    json_str_or_null(b, h->rfield);
    rl_buf_puts(b, ", \"value\": ");
    json_str_or_null(b, h->rvalue);
    rl_buf_puts(b, ", \"severity\": ");
    rl_buf_json_str(b, rl_hit_severity_name((rl_hit_severity)h->sev));
    rl_buf_puts(b, ", \"reason\": ");
    json_str_or_null(b, h->reason);
    if (h->xfield) {
        rl_buf_puts(b, ", \"exempt\": {\"field\": ");
        rl_buf_json_str(b, h->xfield);
        rl_buf_puts(b, ", \"value\": ");
        rl_buf_json_str(b, h->xvalue);
        rl_buf_puts(b, "}");
    }
    rl_buf_puts(b, "}");
}

/*
 * Reported attribute a of control C (--rules' report) over footprint r's
 * hits: the distinct values in hit order, joined by "; " (nulls left out).
 */
static void reported_values(const rl_control *C, const rl_fp_control *fc, size_t a,
                            rl_buf *out)
{
    const char *name = C->rules->report[a];
    int fi = rl_rules_field(C->rules, C->layer, name);
    size_t n = 0;
    for (size_t j = 0; fi >= 0 && j < fc->nhits; j++) {
        const rl_feature *f = &C->layer->feat[fc->hits[j].feat];
        const char *v = f->attrs ? f->attrs[fi] : NULL;
        int seen = !v;
        for (size_t q = 0; !seen && q < j; q++) {
            const rl_feature *g = &C->layer->feat[fc->hits[q].feat];
            seen = g->attrs && g->attrs[fi] && strcmp(g->attrs[fi], v) == 0;
        }
        if (seen)
            continue;
        rl_buf_puts(out, n++ ? "; " : "");
        rl_buf_puts(out, v);
    }
    if (!out->s)
        rl_buf_puts(out, "");
}

static size_t nreport(const rl_control *C)
{
    return C->rules ? C->rules->nreport : 0;
}

void rl_json_footprint(rl_buf *b, const rl_screen_data *d, size_t i)
{
    {
        const rl_fp_result *r = &d->res[i];
        const rl_layer *L = d->fps[r->layer];
        const rl_feature *ft = &L->feat[r->feat];
        rl_buf_puts(b, "{");
        rl_buf_puts(b, "\"id\": ");
        rl_buf_json_str(b, r->id);
        rl_buf_puts(b, ", \"source\": ");
        rl_buf_json_str(b, L->path);
        rl_buf_printf(b, ", \"fid\": %" PRId64 ", \"area_m2\": ", (int64_t)ft->fid);
        rl_buf_json_m2(b, r->area_m2);
        rl_buf_puts(b, ", \"verdict\": ");
        rl_buf_json_str(b, verdict_name(r->verdict));
        if (d->provisional)
            rl_buf_puts(b, ", \"provisional\": true");
        rl_buf_printf(b, ", \"repaired\": %s", ft->repaired ? "true" : "false");
        rl_json_linear_fp(b, d, r);
        if (r->error) {
            rl_buf_puts(b, ", \"error\": ");
            rl_buf_json_str(b, r->error);
        }
        rl_buf_puts(b, ",\n   \"reasons\": [");
        if (r->error)
            rl_buf_json_str(b, r->error);
        for (size_t j = 0; j < r->nreasons; j++) {
            if (j)
                rl_buf_puts(b, ", ");
            rl_buf_json_str(b, r->reasons[j]);
        }
        rl_buf_puts(b, "],\n   \"controls\": {");
        for (int k = 0; k < d->ncontrols && r->verdict != RL_V_ERROR; k++) {
            const rl_control *C = &d->controls[k];
            const rl_fp_control *fc = &r->ctl[k];
            rl_buf_puts(b, k ? ",\n    " : "\n    ");
            rl_buf_json_str(b, C->spec.name);
            rl_buf_puts(b, ": {\"overlap_m2\": ");
            rl_buf_json_m2(b, fc->overlap_m2);
            rl_buf_printf(b, ", \"overlap_pct\": %.4f", fc->overlap_pct);
            if (C->spec.rule == RL_RULE_REQUIRE) {
                rl_buf_puts(b, ", \"outside_m2\": ");
                rl_buf_json_m2(b, fc->outside_m2);
            }
            rl_buf_printf(b, ", \"finding\": %s, \"hits\": [",
                          fc->finding ? "true" : "false");
            for (size_t j = 0; j < fc->nhits; j++) {
                const rl_hit *h = &fc->hits[j];
                const rl_feature *cf = &C->layer->feat[h->feat];
                rl_buf_printf(b, "%s{\"fid\": %" PRId64 ", \"overlap_m2\": ",
                              j ? ", " : "", (int64_t)cf->fid);
                rl_buf_json_m2(b, h->overlap_m2);
                rl_buf_puts(b, ", \"attrs\": {");
                for (int a = 0; a < C->layer->nfields; a++) {
                    if (a)
                        rl_buf_puts(b, ", ");
                    rl_buf_json_str(b, C->layer->fields[a]);
                    rl_buf_puts(b, ": ");
                    if (cf->attrs && cf->attrs[a])
                        rl_buf_json_str(b, cf->attrs[a]);
                    else
                        rl_buf_puts(b, "null");
                }
                rl_buf_puts(b, "}");
                json_rule(b, C, h);
                rl_buf_puts(b, "}");
            }
            rl_buf_puts(b, "]");
            rl_json_linear_ctl(b, d, r, k);
            if (rl_classify_field(d->opts, C->spec.name)) {
                rl_buf_puts(b, ", \"classes\": [");
                for (size_t j = 0; j < fc->nclasses; j++) {
                    rl_buf_puts(b, j ? ", {\"value\": " : "{\"value\": ");
                    if (fc->classes[j].value)
                        rl_buf_json_str(b, fc->classes[j].value);
                    else
                        rl_buf_puts(b, "null");
                    rl_buf_puts(b, ", \"area_m2\": ");
                    rl_buf_json_m2(b, fc->classes[j].area_m2);
                    rl_buf_puts(b, "}");
                }
                rl_buf_puts(b, "]");
            }
            rl_buf_puts(b, "}");
        }
        rl_buf_puts(b, "}");
        if (d->opts->landuse_path && r->lu.done) {
            rl_buf_puts(b, ",\n   \"landuse\": ");
            rl_json_landuse(b, d, &r->lu);
        }
        rl_buf_puts(b, "}");
    }
}

void rl_json_controls(rl_buf *b, const rl_control *controls, int n)
{
    for (int k = 0; k < n; k++) {
        const rl_control *C = &controls[k];
        rl_buf_puts(b, k ? ",\n  {" : "\n  {");
        rl_buf_puts(b, "\"name\": ");
        rl_buf_json_str(b, C->spec.name);
        rl_buf_puts(b, ", \"rule\": ");
        rl_buf_json_str(b, rl_rule_name(C->spec.rule));
        rl_buf_puts(b, ", \"severity\": ");
        rl_buf_json_str(b, rl_severity_name(C->spec.severity));
        rl_buf_puts(b, ", \"path\": ");
        rl_buf_json_str(b, C->layer->path); /* spec.path with secrets masked */
        rl_buf_puts(b, ", \"layer\": ");
        rl_buf_json_str(b, C->layer->layer_name);
        rl_buf_printf(b, ", \"features\": %zu, \"crs\": ", C->layer->n + C->layer->nfar);
        rl_buf_json_str(b, C->layer->crs->name);
        rl_buf_printf(b, ", \"repaired\": %zu, \"unusable\": %zu",
                      C->layer->repaired, C->layer->bad);
        if (C->rules) {
            rl_buf_puts(b, ", \"rules\": ");
            rl_buf_json_str(b, C->rules_file->path);
        }
        if (C->layer->empty_accepted)
            rl_buf_puts(b, ", \"empty\": true");
        rl_json_skipped(b, C->layer);
        rl_buf_puts(b, "}");
    }
}

/* Footprints per item of the parallel JSON formatting. */
#define JSON_CHUNK 256

typedef struct json_job {
    const rl_screen_data *d;
    rl_buf *parts; /* one per chunk of footprints */
} json_job;

static rl_status task_json(rl_ctx *ctx, void *job, size_t c, int w)
{
    (void)w;
    const json_job *J = job;
    size_t i1 = (c + 1) * JSON_CHUNK < J->d->nres ? (c + 1) * JSON_CHUNK : J->d->nres;
    for (size_t i = c * JSON_CHUNK; i < i1; i++) {
        rl_buf_puts(&J->parts[c], i ? ",\n  " : "\n  ");
        rl_json_footprint(&J->parts[c], J->d, i);
    }
    return J->parts[c].oom ? rl_fail(ctx, RL_ERR_NOMEM, "out of memory") : RL_OK;
}

/*
 * The footprints' objects, formatted in chunks on --jobs workers and
 * joined in input order: the same bytes for any --jobs.
 */
static rl_status json_footprints(rl_ctx *ctx, const rl_screen_data *d, rl_buf *b)
{
    size_t nchunks = (d->nres + JSON_CHUNK - 1) / JSON_CHUNK;
    json_job J = {d, calloc(nchunks + 1, sizeof *J.parts)};
    rl_pool *pool = J.parts ? rl_pool_new(ctx, d->opts->c.jobs) : NULL;
    rl_status st = pool ? rl_pool_run(pool, nchunks, task_json, &J)
                        : rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    for (size_t c = 0; J.parts && c < nchunks; c++) {
        if (!st)
            rl_buf_putn(b, J.parts[c].s ? J.parts[c].s : "", J.parts[c].len);
        rl_buf_free(&J.parts[c]);
    }
    rl_pool_free(pool);
    free(J.parts);
    return st;
}

static rl_status json_screen(rl_ctx *ctx, const rl_screen_data *d, rl_buf *b)
{
    const rl_screen_options *o = d->opts;
    rl_json_head(b, "screen");
    rl_buf_puts(b, ",\n \"area_method\": ");
    rl_buf_json_str(b, rl_area_method_name(o->c.area));
    rl_buf_puts(b, ", \"min_area_m2\": ");
    rl_buf_json_num(b, o->min_area);
    rl_buf_puts(b, ", \"strict\": ");
    rl_buf_puts(b, o->strict ? "true" : "false");
    if (o->c.allow_empty) {
        /* Which inputs were empty and accepted on purpose. */
        int first = 1;
        char role[128];
        rl_buf_puts(b, ", \"allow_empty\": true, \"empty_layers\": [");
        for (int k = 0; k < d->ncontrols; k++) {
            snprintf(role, sizeof role, "control %s", d->controls[k].spec.name);
            rl_json_empty(b, &first, role, d->controls[k].layer);
        }
        for (size_t i = 0; i < d->nfps; i++)
            rl_json_empty(b, &first, "footprints", d->fps[i]);
        rl_buf_puts(b, "]");
    }
    if (d->provisional)
        rl_buf_puts(b, ", \"provisional\": true");
    rl_buf_puts(b, ",\n \"controls\": [");
    rl_json_controls(b, d->controls, d->ncontrols);
    rl_buf_puts(b, "]");
    if (o->landuse_path) {
        /* The DLTB as read, like a control entry; its figures are per footprint. */
        const rl_layer *DL = d->controls[d->ncontrols].layer;
        rl_buf_puts(b, ",\n \"landuse\": {\"path\": ");
        rl_buf_json_str(b, o->landuse_path);
        rl_buf_puts(b, ", \"layer\": ");
        rl_buf_json_str(b, DL->layer_name);
        rl_buf_printf(b, ", \"features\": %zu, \"crs\": ", DL->n + DL->nfar);
        rl_buf_json_str(b, DL->crs->name);
        rl_buf_printf(b, ", \"repaired\": %zu, \"unusable\": %zu, \"method\": ",
                      DL->repaired, DL->bad);
        rl_buf_json_str(b, rl_lu_method_name(o->landuse_method));
        rl_buf_puts(b, ", \"by\": ");
        rl_buf_json_str(b, rl_lu_level_name(o->landuse_by));
        rl_buf_printf(b, ", \"decimals\": %d}", rl_lu_decimals(o));
    }
    rl_buf_puts(b, ",\n \"footprints\": [");
    rl_status st = json_footprints(ctx, d, b);
    if (st)
        return st;
    rl_buf_puts(b, "]");
    rl_json_warnings(b, &d->warnings);
    rl_buf_printf(b,
                  ",\n \"summary\": {\"footprints\": %zu, \"pass\": %zu, "
                  "\"warn\": %zu, \"conflict\": %zu, \"error\": %zu",
                  d->nres, d->counts[RL_V_PASS], d->counts[RL_V_WARN],
                  d->counts[RL_V_CONFLICT], d->counts[RL_V_ERROR]);
    rl_json_linear_summary(b, d);
    if (o->landuse_path) {
        rl_buf_puts(b, ",\n   \"landuse\": ");
        rl_json_landuse(b, d, &d->lu_total);
    }
    rl_buf_puts(b, "}");
    rl_json_labels(b, d->controls, d->ncontrols);
    rl_buf_puts(b, "}\n");
    return RL_OK;
}

void rl_csv_screen(const rl_screen_data *d, rl_buf *b, int bom)
{
    const rl_units u = d->opts->c.units;
    const rl_lang lang = d->opts->c.lang;
    const int zh = lang == RL_LANG_ZH;
    const char *un = rl_label_unit(lang, u);
    const double fac = rl_units_factor(u);
    if (bom)
        rl_buf_puts(b, RL_CSV_BOM);
    rl_buf_printf(b, zh ? "编号,来源,FID,面积_%s,结论,已修复" : "id,source,fid,area_%s,verdict,repaired",
                  un);
    for (int k = 0; k < d->ncontrols; k++) {
        const char *n = d->controls[k].spec.name;
        /* zh: the control's Chinese name (a quoted cell, in case a name holds a comma). */
        rl_buf cell = {0};
        if (zh) {
            const char *l = rl_label_control(lang, n);
            rl_buf_puts(b, ",");
            rl_buf_printf(&cell, "%s_压占_%s", l, un);
            rl_buf_csv_str(b, cell.s);
            cell.len = 0;
            rl_buf_puts(b, ",");
            rl_buf_printf(&cell, "%s_压占比例_%%", l);
            rl_buf_csv_str(b, cell.s);
            if (d->controls[k].spec.rule == RL_RULE_REQUIRE) {
                cell.len = 0;
                rl_buf_puts(b, ",");
                rl_buf_printf(&cell, "%s_外_%s", l, un);
                rl_buf_csv_str(b, cell.s);
            }
            cell.len = 0;
            rl_buf_puts(b, ",");
            rl_buf_printf(&cell, "%s_压占要素数", l);
            rl_buf_csv_str(b, cell.s);
            rl_buf_free(&cell);
            continue;
        }
        rl_buf_printf(b, ",%s_overlap_%s,%s_overlap_pct", n, un, n);
        if (d->controls[k].spec.rule == RL_RULE_REQUIRE)
            rl_buf_printf(b, ",%s_outside_%s", n, un);
        rl_buf_printf(b, ",%s_hits", n);
        for (size_t a = 0; a < nreport(&d->controls[k]); a++) {
            rl_buf_puts(b, ",");
            rl_buf_printf(b, "%s_", n);
            rl_buf_csv_str(b, d->controls[k].rules->report[a]);
        }
    }
    rl_buf_puts(b, zh ? ",原因" : ",reasons");
    rl_csv_linear_header(d, b);
    if (d->opts->landuse_path)
        rl_csv_landuse_header(d, b);
    rl_buf_puts(b, RL_CSV_EOL);
    for (size_t i = 0; i < d->nres; i++) {
        const rl_fp_result *r = &d->res[i];
        const rl_layer *L = d->fps[r->layer];
        const rl_feature *ft = &L->feat[r->feat];
        rl_buf_csv_str(b, r->id);
        rl_buf_puts(b, ",");
        rl_buf_csv_str(b, L->path);
        rl_buf_printf(b, ",%" PRId64 ",%.6f,%s,%s", (int64_t)ft->fid,
                      r->area_m2 / fac, rl_label_verdict(lang, r->verdict),
                      ft->repaired ? (zh ? "是" : "yes") : (zh ? "否" : "no"));
        for (int k = 0; k < d->ncontrols; k++) {
            const rl_fp_control *fc = &r->ctl[k];
            int err = r->verdict == RL_V_ERROR;
            if (err)
                rl_buf_puts(b, ",,");
            else
                rl_buf_printf(b, ",%.6f,%.4f", fc->overlap_m2 / fac,
                              fc->overlap_pct);
            if (d->controls[k].spec.rule == RL_RULE_REQUIRE) {
                if (err)
                    rl_buf_puts(b, ",");
                else
                    rl_buf_printf(b, ",%.6f", fc->outside_m2 / fac);
            }
            if (err)
                rl_buf_puts(b, ",");
            else
                rl_buf_printf(b, ",%zu", fc->nhits);
            for (size_t a = 0; a < nreport(&d->controls[k]); a++) {
                rl_buf vals = {0};
                if (!err)
                    reported_values(&d->controls[k], fc, a, &vals);
                rl_buf_puts(b, ",");
                rl_buf_csv_str(b, vals.s ? vals.s : "");
                rl_buf_free(&vals);
            }
        }
        rl_buf reasons = {0};
        rl_label_reasons(lang, d, r, &reasons);
        if (d->provisional) {
            rl_buf_puts(&reasons, reasons.len ? (zh ? "；" : "; ") : "");
            rl_buf_puts(&reasons, zh ? "暂定：部分管控要素被跳过（--skip-bad-controls）"
                                     : "PROVISIONAL: control features were skipped "
                                       "(--skip-bad-controls)");
        }
        rl_buf_puts(b, ",");
        rl_buf_csv_str(b, reasons.s ? reasons.s : "");
        rl_buf_free(&reasons);
        rl_csv_linear_cells(d, r, b);
        if (d->opts->landuse_path)
            rl_csv_landuse_cells(d, r, b);
        rl_buf_puts(b, RL_CSV_EOL);
    }
}

/* A footprint's id in a table: with `*` when its geometry was repaired (footnote). */
static void marked_id(rl_buf *out, const rl_screen_data *d, const rl_fp_result *r)
{
    rl_buf_puts(out, r->id ? r->id : "");
    if (d->fps[r->layer]->feat[r->feat].repaired)
        rl_buf_puts(out, "*");
}

/*
 * The lines above the table: the run and one line per control.  fit: each
 * line wrapped to 80 columns (the default table).
 */
static void table_head(const rl_screen_data *d, rl_buf *out, int fit)
{
    const rl_units u = d->opts->c.units;
    const rl_lang lang = d->opts->c.lang;
    const int zh = lang == RL_LANG_ZH;
    const char *un = rl_label_unit(lang, u);
    rl_buf hb = {0};
    rl_buf *b = fit ? &hb : out;
    if (zh)
        rl_buf_printf(b, "redline screen：%zu 处项目用地，%s，单位 %s\n", d->nres,
                      rl_area_method_zh(d->opts->c.area), un);
    else
        rl_buf_printf(b, "redline screen: %zu footprints, %s area, units %s\n",
                      d->nres, rl_area_method_name(d->opts->c.area), un);
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        const char *full = rl_label_control(lang, C->spec.name);
        rl_buf_puts(b, zh ? "  管控图层 " : "  control ");
        rl_buf_puts_esc(b, C->spec.name);
        if (zh && strcmp(full, C->spec.name) != 0) {
            rl_buf_printf(b, "（%s；", full);
        } else
            rl_buf_puts(b, zh ? "（" : " (");
        rl_buf_printf(b, zh ? "%s，%s）：" : "%s, %s): ", rl_label_rule(lang, C->spec.rule),
                      rl_label_severity(lang, C->spec.severity));
        rl_buf_puts_esc(b, C->layer->path);
        rl_buf_printf(b, zh ? "，%zu 个要素，%s" : ", %zu features, %s",
                      C->layer->n + C->layer->nfar, C->layer->crs->name);
        if (C->rules) {
            rl_buf_puts(b, zh ? "，规则 " : ", rules ");
            rl_buf_puts_esc(b, C->rules_file->path);
        }
        if (C->layer->repaired)
            rl_buf_printf(b, zh ? "，%zu 个已修复" : ", %zu repaired", C->layer->repaired);
        if (C->layer->bad)
            rl_buf_printf(b, zh ? "，%zu 个不可用（空、非面或已跳过）"
                                : ", %zu unusable (null, empty, not polygons or skipped)",
                          C->layer->bad);
        rl_buf_puts(b, "\n");
        char role[128];
        snprintf(role, sizeof role, zh ? "管控图层 %s" : "control %s", C->spec.name);
        rl_text_empty(b, "    ", role, C->layer, lang);
        rl_text_skipped(b, "    ", role, C->layer, "--skip-bad-controls", lang);
    }
    for (size_t i = 0; i < d->nfps; i++)
        rl_text_empty(b, "  ", zh ? "项目用地" : "footprints", d->fps[i], lang);
    if (fit) {
        rl_text_wrap_lines(out, hb.s, 4, RL_TABLE_COLUMNS);
        rl_buf_free(&hb);
    }
    rl_buf_puts(out, "\n");
}

/* The summary line, the footnote on repaired footprints, and the tables that follow. */
static void table_foot(const rl_screen_data *d, rl_buf *b)
{
    const rl_lang lang = d->opts->c.lang;
    const int zh = lang == RL_LANG_ZH;
    rl_buf ids = {0};
    size_t nrep = 0;
    for (size_t i = 0; i < d->nres; i++) {
        const rl_feature *ft = &d->fps[d->res[i].layer]->feat[d->res[i].feat];
        if (!ft->repaired)
            continue;
        rl_buf_puts(&ids, nrep++ ? (zh ? "、" : ", ") : "");
        rl_buf_puts_esc(&ids, d->res[i].id);
        if (ft->invalid_why) { /* GEOS's words, in every language */
            rl_buf_puts(&ids, zh ? "（" : " (");
            rl_buf_puts_esc(&ids, ft->invalid_why);
            rl_buf_puts(&ids, zh ? "）" : ")");
        }
    }
    if (nrep) {
        rl_buf note = {0};
        rl_buf_printf(&note,
                      zh ? "* 已修复：读入的几何图形无效，按 MakeValid 修复后计算：%s"
                         : "* repaired: the geometry as read is invalid; its figures are of "
                           "its MakeValid repair: %s",
                      ids.s);
        rl_buf_puts(b, "\n");
        rl_text_wrap(b, "", "  ", note.s, RL_TABLE_COLUMNS);
        rl_buf_free(&note);
    }
    rl_buf_free(&ids);
    if (zh)
        rl_buf_printf(b, "\n汇总：通过 %zu，提示 %zu，冲突 %zu，错误 %zu%s\n",
                      d->counts[RL_V_PASS], d->counts[RL_V_WARN], d->counts[RL_V_CONFLICT],
                      d->counts[RL_V_ERROR],
                      d->provisional ? "（暂定：部分管控要素被跳过）" : "");
    else
        rl_buf_printf(b, "\nsummary: %zu pass, %zu warn, %zu conflict, %zu error%s\n",
                      d->counts[RL_V_PASS], d->counts[RL_V_WARN],
                      d->counts[RL_V_CONFLICT], d->counts[RL_V_ERROR],
                      d->provisional ? " (PROVISIONAL: control features were skipped)" : "");
    rl_table_linear(d, b);
    if (d->opts->landuse_path)
        rl_table_landuse(d, b);
}

/* --wide: one line per footprint, a column per control. */
static void table_wide(const rl_screen_data *d, rl_buf *b)
{
    const rl_units u = d->opts->c.units;
    const rl_lang lang = d->opts->c.lang;
    const int zh = lang == RL_LANG_ZH;
    const char *un = rl_label_unit(lang, u);
    const double fac = rl_units_factor(u);
    const int dec = rl_units_decimals(u);
    int ncols = 4 + d->ncontrols + 1;
    for (int k = 0; k < d->ncontrols; k++)
        ncols += (int)nreport(&d->controls[k]);
    rl_table t;
    char hdr[256];
    rl_table_init(&t, ncols);
    rl_table_cell(&t, zh ? "编号" : "ID");
    rl_table_cell(&t, zh ? "来源:FID" : "SOURCE:FID");
    snprintf(hdr, sizeof hdr, zh ? "面积(%s)" : "AREA(%s)", un);
    rl_table_cell(&t, hdr);
    rl_table_cell(&t, zh ? "结论" : "VERDICT");
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        int req = C->spec.rule == RL_RULE_REQUIRE;
        if (zh)
            rl_snprintf(hdr, sizeof hdr, "%s%s(%s)", rl_label_control(lang, C->spec.name),
                        req ? "外" : "压占", un);
        else
            rl_snprintf(hdr, sizeof hdr, "%s %s(%s)", C->spec.name,
                        req ? "outside" : "overlap", un);
        rl_table_cell(&t, hdr);
    }
    for (int k = 0; k < d->ncontrols; k++)
        for (size_t a = 0; a < nreport(&d->controls[k]); a++) {
            rl_buf h = {0};
            rl_buf_printf(&h, "%s %s", d->controls[k].spec.name,
                          d->controls[k].rules->report[a]);
            rl_table_cell(&t, h.s ? h.s : "");
            rl_buf_free(&h);
        }
    rl_table_cell(&t, zh ? "原因" : "REASONS");
    for (size_t i = 0; i < d->nres; i++) {
        const rl_fp_result *r = &d->res[i];
        const rl_layer *L = d->fps[r->layer];
        const char *base = strrchr(L->path, '/');
        rl_buf src = {0};
        rl_buf_printf(&src, "%s:%" PRId64, base ? base + 1 : L->path,
                      (int64_t)L->feat[r->feat].fid);
        rl_buf id = {0};
        marked_id(&id, d, r);
        rl_table_cell(&t, id.s);
        rl_buf_free(&id);
        rl_table_cell(&t, src.s);
        rl_buf_free(&src);
        if (r->verdict == RL_V_ERROR)
            rl_table_cell(&t, "-");
        else
            rl_table_num(&t, r->area_m2 / fac, dec);
        rl_table_cell(&t, rl_label_verdict(lang, r->verdict));
        for (int k = 0; k < d->ncontrols; k++) {
            const rl_fp_control *fc = &r->ctl[k];
            if (r->verdict == RL_V_ERROR)
                rl_table_cell(&t, "-");
            else
                rl_table_num(&t,
                             (d->controls[k].spec.rule == RL_RULE_REQUIRE
                                  ? fc->outside_m2
                                  : fc->overlap_m2) / fac,
                             dec);
        }
        for (int k = 0; k < d->ncontrols; k++)
            for (size_t a = 0; a < nreport(&d->controls[k]); a++) {
                rl_buf vals = {0};
                if (r->verdict == RL_V_ERROR)
                    rl_buf_puts(&vals, "-");
                else
                    reported_values(&d->controls[k], &r->ctl[k], a, &vals);
                rl_table_cell(&t, vals.s ? vals.s : "");
                rl_buf_free(&vals);
            }
        rl_buf reasons = {0};
        rl_label_reasons(lang, d, r, &reasons);
        if (!reasons.len && d->fps[r->layer]->feat[r->feat].repaired)
            rl_buf_puts(&reasons, zh ? "（几何已修复）" : "(geometry repaired)");
        rl_table_cell(&t, reasons.s ? reasons.s : "");
        rl_buf_free(&reasons);
    }
    table_head(d, b, 0);
    rl_table_render(&t, b);
    rl_table_free(&t);
    table_foot(d, b);
}


/*
 * The default table: a block per footprint that fits an 80-column terminal
 * however many controls there are -- the footprint's line (id, source,
 * area, verdict), one line per control with its figure under the area, then
 * the reported attributes and the reasons, wrapped.
 */
static void table_compact(const rl_screen_data *d, rl_buf *b)
{
    const rl_units u = d->opts->c.units;
    const rl_lang lang = d->opts->c.lang;
    const int zh = lang == RL_LANG_ZH;
    const char *un = rl_label_unit(lang, u);
    const double fac = rl_units_factor(u);
    const int dec = rl_units_decimals(u);
    rl_table t;
    char hdr[256];
    rl_table_init(&t, 4);
    rl_table_cell(&t, zh ? "编号" : "ID");
    rl_table_cell(&t, zh ? "来源:FID" : "SOURCE:FID");
    snprintf(hdr, sizeof hdr, zh ? "面积(%s)" : "AREA(%s)", un);
    rl_table_cell(&t, hdr);
    rl_table_cell(&t, zh ? "结论" : "VERDICT");
    for (size_t i = 0; i < d->nres; i++) {
        const rl_fp_result *r = &d->res[i];
        const rl_layer *L = d->fps[r->layer];
        const char *base = strrchr(L->path, '/');
        rl_buf cell = {0};
        marked_id(&cell, d, r);
        rl_table_cell(&t, cell.s);
        cell.len = 0;
        rl_buf_printf(&cell, "%s:%" PRId64, base ? base + 1 : L->path,
                      (int64_t)L->feat[r->feat].fid);
        rl_table_cell(&t, cell.s);
        rl_buf_free(&cell);
        if (r->verdict == RL_V_ERROR)
            rl_table_cell(&t, "-");
        else
            rl_table_num(&t, r->area_m2 / fac, dec);
        rl_table_cell(&t, rl_label_verdict(lang, r->verdict));
        for (int k = 0; k < d->ncontrols; k++) {
            const rl_control *C = &d->controls[k];
            const rl_fp_control *fc = &r->ctl[k];
            int req = C->spec.rule == RL_RULE_REQUIRE;
            rl_table_cell(&t, "");
            if (zh)
                rl_snprintf(hdr, sizeof hdr, "  %s%s", rl_label_control(lang, C->spec.name),
                            req ? "外" : "压占");
            else
                rl_snprintf(hdr, sizeof hdr, "  %s %s", C->spec.name,
                            req ? "outside" : "overlap");
            rl_table_cell(&t, hdr);
            if (r->verdict == RL_V_ERROR)
                rl_table_cell(&t, "-");
            else
                rl_table_num(&t, (req ? fc->outside_m2 : fc->overlap_m2) / fac, dec);
            rl_table_cell(&t, "");
        }
    }
    rl_buf tb = {0};
    rl_table_render(&t, &tb);
    rl_table_free(&t);
    /* The rendered lines, with each footprint's wrapped text after its block. */
    const int per = 1 + d->ncontrols;
    const char *p = tb.s ? tb.s : "";
    for (long row = -1; *p; row++) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
        rl_buf_putn(b, p, n);
        p += n;
        if (row < 0 || (size_t)(row / per) >= d->nres || row % per != per - 1)
            continue;
        const rl_fp_result *r = &d->res[row / per];
        rl_buf text = {0};
        for (int k = 0; k < d->ncontrols; k++)
            for (size_t a = 0; a < nreport(&d->controls[k]); a++) {
                rl_buf vals = {0};
                if (r->verdict == RL_V_ERROR)
                    rl_buf_puts(&vals, "-");
                else
                    reported_values(&d->controls[k], &r->ctl[k], a, &vals);
                text.len = 0;
                rl_buf_puts_esc(&text, d->controls[k].spec.name);
                rl_buf_puts(&text, " ");
                rl_buf_puts_esc(&text, d->controls[k].rules->report[a]);
                rl_buf_puts(&text, zh ? "：" : ": ");
                rl_buf_puts_esc(&text, vals.s ? vals.s : "");
                rl_text_wrap(b, "    ", "      ", text.s, RL_TABLE_COLUMNS);
                rl_buf_free(&vals);
            }
        rl_buf reasons = {0};
        rl_label_reasons(lang, d, r, &reasons);
        if (reasons.len) {
            text.len = 0;
            rl_buf_puts(&text, zh ? "原因：" : "reasons: ");
            rl_buf_puts_esc(&text, reasons.s);
            rl_text_wrap(b, "    ", "      ", text.s, RL_TABLE_COLUMNS);
        }
        rl_buf_free(&reasons);
        rl_buf_free(&text);
    }
    rl_buf_free(&tb);
    table_foot(d, b);
}

static void table_screen(const rl_screen_data *d, rl_buf *b)
{
    if (d->opts->wide) {
        table_wide(d, b);
        return;
    }
    table_head(d, b, 1);
    table_compact(d, b);
}

rl_status rl_write_screen(rl_ctx *ctx, const rl_screen_data *d, FILE *f)
{
    rl_buf b = {0};
    switch (d->opts->c.format) {
    case RL_FMT_JSON:
        if (json_screen(ctx, d, &b)) {
            rl_buf_free(&b);
            return ctx->status;
        }
        break;
    case RL_FMT_CSV: rl_csv_screen(d, &b, 1); break;
    case RL_FMT_TABLE: table_screen(d, &b); break;
    case RL_FMT_HTML:
        if (rl_html_screen(ctx, d, &b)) {
            rl_buf_free(&b);
            return ctx->status;
        }
        break;
    case RL_FMT_XLSX:
        /* A binary workbook, written straight to f; --landuse-csv first, as below. */
        if (d->opts->landuse_csv && rl_write_landuse_csv(ctx, d, d->opts->landuse_csv))
            return ctx->status;
        return rl_xlsx_screen(ctx, d, f);
    }
    /* The long CSV first: a report that says all went well comes last. */
    if (d->opts->landuse_csv && rl_write_landuse_csv(ctx, d, d->opts->landuse_csv)) {
        rl_buf_free(&b);
        return ctx->status;
    }
    return rl_emit(ctx, &b, f);
}

void rl_screen_pieces_warnings(rl_screen_data *d, const char *path)
{
    size_t n = 0, k = 0;
    for (size_t i = 0; i < d->nres; i++)
        for (int c = 0; c < d->ncontrols && d->res[i].verdict != RL_V_ERROR; c++)
            n += d->res[i].ctl[c].nhits;
    const char **ids = n ? malloc(n * sizeof *ids) : NULL;
    const char **srcs = n ? malloc(n * sizeof *srcs) : NULL;
    const char **why = n ? malloc(n * sizeof *why) : NULL; /* --rules' reason field */
    if (ids && srcs && why) {
        /* One value per piece, as rl_write_screen_pieces writes them. */
        for (size_t i = 0; i < d->nres; i++)
            for (int c = 0; c < d->ncontrols && d->res[i].verdict != RL_V_ERROR; c++)
                for (size_t j = 0; j < d->res[i].ctl[c].nhits; j++, k++) {
                    ids[k] = d->res[i].id;
                    srcs[k] = d->fps[d->res[i].layer]->path;
                    why[k] = d->res[i].ctl[c].hits[j].reason;
                }
        rl_warn_shp_text(&d->warnings, path, "fp_id", ids, n);
        rl_warn_shp_text(&d->warnings, path, "fp_source", srcs, n);
        if (d->opts->rules)
            rl_warn_shp_text(&d->warnings, path, "reason", why, n);
    }
    free(ids);
    free(srcs);
    free(why);
}

/*
 * --rules: the pieces layer's extra fields, after the fixed ones: the hit's
 * severity and reason, then each reported attribute once (by name, over the
 * controls in order).  Returns how many, into names (n slots).
 */
static size_t rule_fields(const rl_screen_data *d, const char **names, size_t n)
{
    size_t m = 0;
    if (!d->opts->rules)
        return 0;
    names[m++] = "severity";
    names[m++] = "reason";
    for (int k = 0; k < d->ncontrols; k++)
        for (size_t a = 0; a < nreport(&d->controls[k]); a++) {
            const char *f = d->controls[k].rules->report[a];
            size_t q = 2;
            while (q < m && strcmp(names[q], f) != 0)
                q++;
            if (q == m && m < n)
                names[m++] = f;
        }
    return m;
}

rl_status rl_write_screen_pieces(rl_ctx *ctx, const rl_screen_data *d,
                                 const char *path)
{
    static const rl_vec_field fixed[] = {
        {"fp_id", RL_VF_STRING}, {"fp_source", RL_VF_STRING}, {"fp_fid", RL_VF_INT},
        {"control", RL_VF_STRING}, {"ctl_fid", RL_VF_INT}, {"area_m2", RL_VF_REAL},
        /* --landuse: the parcel's class, ownership and 坐落单位 */
        {"DLBM", RL_VF_STRING}, {"DLMC", RL_VF_STRING}, {"QSXZ", RL_VF_STRING},
        {"ZLDWDM", RL_VF_STRING},
    };
    const int lu = d->opts->landuse_path != NULL;
    const size_t nfixed = lu ? 10 : 6;
    size_t nrep = 2;
    for (int k = 0; k < d->ncontrols; k++)
        nrep += nreport(&d->controls[k]);
    const char **rnames = malloc(nrep * sizeof *rnames);
    rl_vec_field *fields = malloc((nfixed + nrep) * sizeof *fields);
    const void **vals = malloc((nfixed + nrep) * sizeof *vals);
    if (!rnames || !fields || !vals) {
        free(rnames), free(fields), free(vals);
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    }
    nrep = rule_fields(d, rnames, nrep);
    memcpy(fields, fixed, nfixed * sizeof *fields);
    for (size_t q = 0; q < nrep; q++)
        fields[nfixed + q] = (rl_vec_field){rnames[q], RL_VF_STRING};
    rl_vec_writer *w = rl_vec_writer_new(ctx, path, d->out_crs, fields, (int)(nfixed + nrep));
    rl_status st = w ? RL_OK : ctx->status;
    for (size_t i = 0; w && i < d->nres && !st; i++) {
        const rl_fp_result *r = &d->res[i];
        const rl_layer *L = d->fps[r->layer];
        int64_t fpfid = L->feat[r->feat].fid;
        if (r->verdict == RL_V_ERROR)
            continue;
        st = rl_linear_piece(ctx, d, w, r, lu ? 10 : 6);
        for (int k = 0; k < d->ncontrols && !st; k++) {
            const rl_control *C = &d->controls[k];
            for (size_t j = 0; j < r->ctl[k].nhits && !st; j++) {
                const rl_hit *h = &r->ctl[k].hits[j];
                int64_t cfid = C->layer->feat[h->feat].fid;
                const void *v6[] = {r->id, L->path, &fpfid, C->spec.name,
                                    &cfid, &h->overlap_m2, "", "", "", ""};
                memcpy(vals, v6, nfixed * sizeof *vals);
                if (nrep) {
                    vals[nfixed] = rl_hit_severity_name((rl_hit_severity)h->sev);
                    vals[nfixed + 1] = h->reason ? h->reason : "";
                }
                /* A reported attribute of this hit's control, else empty. */
                for (size_t q = 2; q < nrep; q++) {
                    int fi = C->rules ? rl_rules_field(C->rules, C->layer, rnames[q]) : -1;
                    int mine = 0;
                    for (size_t a = 0; a < nreport(C); a++)
                        mine |= strcmp(C->rules->report[a], rnames[q]) == 0;
                    const char **af = (const char **)C->layer->feat[h->feat].attrs;
                    vals[nfixed + q] = mine && fi >= 0 && af && af[fi] ? af[fi] : "";
                }
                st = rl_vec_writer_add(ctx, w, h->piece, vals);
            }
        }
        /* The DLTB's pieces as counted: double cover kept by the lowest FID only. */
        const rl_layer *DL = lu ? d->controls[d->ncontrols].layer : NULL;
        for (size_t j = 0; lu && j < r->lu.npieces && !st; j++) {
            const rl_lu_piece *p = &r->lu.pieces[j];
            if (!p->g)
                continue;
            const rl_feature *pf = &DL->feat[p->feat];
            int64_t cfid = pf->fid;
            const char *a[4];
            static const int which[4] = {RL_LUF_DLBM, RL_LUF_DLMC, RL_LUF_QSXZ, RL_LUF_ZLDWDM};
            for (int q = 0; q < 4; q++) {
                int fi = d->lu_fields[which[q]];
                a[q] = fi >= 0 && pf->attrs && pf->attrs[fi] ? pf->attrs[fi] : "";
            }
            const void *v10[] = {r->id, L->path, &fpfid, "landuse", &cfid, &p->area_m2,
                                 a[0], a[1], a[2], a[3]};
            memcpy(vals, v10, nfixed * sizeof *vals);
            for (size_t q = 0; q < nrep; q++)
                vals[nfixed + q] = "";
            st = rl_vec_writer_add(ctx, w, p->g, vals);
        }
    }
    if (w)
        st = rl_vec_writer_close(ctx, w, st);
    free(rnames), free(fields), free(vals);
    return st;
}
