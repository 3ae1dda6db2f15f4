/*
 * out_linear.c -- what line and point footprints add to screen's table,
 * CSV and JSON: the geometry type, the corridor's length and width, and per
 * control the centre line inside it and its chainages (docs/linear.md).
 * Apart from JSON's geometry_type, nothing is written unless some footprint
 * is a line or a point, so that reports of polygons keep their columns.
 */
#include "report/out_table.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *kind_name(int kind)
{
    static const char *names[] = {"polygon", "line", "point"};
    return names[kind];
}

void rl_json_linear_fp(rl_buf *b, const rl_screen_data *d, const rl_fp_result *r)
{
    const rl_linear_info *li = &r->lin;
    /* SPEC: every footprint says its kind, polygons too. */
    rl_buf_puts(b, ", \"geometry_type\": ");
    rl_buf_json_str(b, d->linear ? kind_name(li->kind) : "polygon");
    if (!d->linear)
        return;
    if (li->kind == RL_KIND_LINE && r->verdict != RL_V_ERROR) {
        rl_buf_puts(b, ", \"length_m\": ");
        rl_buf_json_m2(b, li->length_m);
        rl_buf_puts(b, ", \"width_m\": ");
        rl_buf_json_m2(b, li->width_m); /* null when the sides differ */
        rl_buf_puts(b, ", \"left_m\": ");
        rl_buf_json_m2(b, li->left_m);
        rl_buf_puts(b, ", \"right_m\": ");
        rl_buf_json_m2(b, li->right_m);
    } else if (li->kind == RL_KIND_POINT && r->verdict != RL_V_ERROR) {
        rl_buf_puts(b, d->opts->point_radius > 0 ? ", \"radius_m\": " : ", \"size_m\": ");
        rl_buf_json_m2(b, li->size_m);
    }
}

/* --near and --rings of one control entry (any footprint kind). */
static void json_proximity(rl_buf *b, const rl_screen_data *d, const rl_fp_control *fc)
{
    const rl_screen_options *o = d->opts;
    if (o->near > 0) {
        rl_buf_puts(b, ", \"distance_m\": ");
        rl_buf_json_m2(b, fc->distance_m); /* null: none within --near */
    }
    if (o->nrings && fc->rings) {
        rl_buf_puts(b, ", \"rings\": [");
        for (int j = 0; j < o->nrings; j++) {
            rl_buf_puts(b, j ? ", {\"within_m\": " : "{\"within_m\": ");
            rl_buf_json_num(b, o->rings[j]);
            rl_buf_puts(b, ", \"area_m2\": ");
            rl_buf_json_m2(b, fc->rings[j]);
            rl_buf_puts(b, "}");
        }
        rl_buf_puts(b, "]");
    }
}

void rl_json_linear_ctl(rl_buf *b, const rl_screen_data *d, const rl_fp_result *r, int k)
{
    const rl_fp_control *fc = &r->ctl[k];
    json_proximity(b, d, fc);
    if (!d->linear || r->lin.kind != RL_KIND_LINE)
        return;
    rl_buf_puts(b, ", \"length_m\": ");
    rl_buf_json_m2(b, fc->line_m);
    rl_buf_puts(b, ", \"crossings\": [");
    for (size_t j = 0; j < fc->ncross; j++) {
        rl_buf_puts(b, j ? ", {\"from_m\": " : "{\"from_m\": ");
        rl_buf_json_m2(b, fc->cross[j].from_m);
        rl_buf_puts(b, ", \"to_m\": ");
        rl_buf_json_m2(b, fc->cross[j].to_m);
        rl_buf_puts(b, "}");
    }
    rl_buf_puts(b, "]");
}

/* Point footprints (towers, 塔基) that overlap control k. */
static size_t points_inside(const rl_screen_data *d, int k)
{
    size_t n = 0;
    for (size_t i = 0; i < d->nres; i++)
        n += d->res[i].lin.kind == RL_KIND_POINT && d->res[i].verdict != RL_V_ERROR &&
             d->res[i].ctl[k].overlap_m2 > 0;
    return n;
}

void rl_json_linear_summary(rl_buf *b, const rl_screen_data *d)
{
    if (d->opts->use_field) {
        const char *const *v = d->use_vals;
        size_t nv = d->nuse;
        rl_buf_puts(b, ",\n   \"use_field\": ");
        rl_buf_json_str(b, d->opts->use_field);
        rl_buf_puts(b, ", \"use\": {");
        for (int k = 0; k < d->ncontrols; k++) {
            rl_buf_puts(b, k ? ", " : "");
            rl_buf_json_str(b, d->controls[k].spec.name);
            rl_buf_puts(b, ": [");
            for (size_t j = 0; j < nv; j++) {
                size_t cnt = d->use_count[(size_t)k * nv + j];
                double a = d->use_m2[(size_t)k * nv + j];
                rl_buf_puts(b, j ? ", {\"value\": " : "{\"value\": ");
                rl_buf_json_str(b, v[j]);
                rl_buf_puts(b, ", \"overlap_m2\": ");
                rl_buf_json_m2(b, a);
                rl_buf_printf(b, ", \"footprints\": %zu}", cnt);
            }
            rl_buf_puts(b, "]");
        }
        rl_buf_puts(b, "}");
    }
    size_t npoints = 0;
    for (size_t i = 0; d->linear && i < d->nres; i++)
        npoints += d->res[i].lin.kind == RL_KIND_POINT;
    if (!npoints)
        return;
    rl_buf_printf(b, ", \"points\": %zu, \"points_inside\": {", npoints);
    for (int k = 0; k < d->ncontrols; k++) {
        if (k)
            rl_buf_puts(b, ", ");
        rl_buf_json_str(b, d->controls[k].spec.name);
        rl_buf_printf(b, ": %zu", points_inside(d, k));
    }
    rl_buf_puts(b, "}");
}

/* CSV cells of --near and --rings: header (hdr) or footprint r's. */
static void csv_proximity(const rl_screen_data *d, const rl_fp_result *r, rl_buf *b)
{
    const rl_screen_options *o = d->opts;
    const int zh = o->c.lang == RL_LANG_ZH;
    for (int k = 0; k < d->ncontrols; k++) {
        const char *n = d->controls[k].spec.name;
        const rl_fp_control *fc = r ? &r->ctl[k] : NULL;
        int err = r && r->verdict == RL_V_ERROR;
        if (o->near > 0) {
            if (!r)
                rl_buf_printf(b, zh ? ",%s_距离_米" : ",%s_distance_m", n);
            else if (err || !isfinite(fc->distance_m))
                rl_buf_puts(b, ",");
            else
                rl_buf_printf(b, ",%.4f", fc->distance_m);
        }
        for (int j = 0; j < o->nrings; j++) {
            if (!r)
                rl_buf_printf(b, zh ? ",%s_%g米内_平方米" : ",%s_within_%g_m2", n, o->rings[j]);
            else if (err || !fc->rings)
                rl_buf_puts(b, ",");
            else
                rl_buf_printf(b, ",%.6f", fc->rings[j]);
        }
    }
}

void rl_csv_linear_header(const rl_screen_data *d, rl_buf *b)
{
    csv_proximity(d, NULL, b);
    if (!d->linear)
        return;
    const int zh = d->opts->c.lang == RL_LANG_ZH;
    rl_buf_puts(b, zh ? ",几何类型,长度_米,宽度_米,左宽_米,右宽_米"
                      : ",geometry_type,length_m,width_m,left_m,right_m");
    for (int k = 0; k < d->ncontrols; k++) {
        const char *n = d->controls[k].spec.name;
        rl_buf_printf(b, zh ? ",%s_穿越长度_米,%s_穿越段" : ",%s_length_m,%s_crossings", n, n);
    }
}

void rl_csv_linear_cells(const rl_screen_data *d, const rl_fp_result *r, rl_buf *b)
{
    csv_proximity(d, r, b);
    if (!d->linear)
        return;
    const rl_linear_info *li = &r->lin;
    int line = li->kind == RL_KIND_LINE && r->verdict != RL_V_ERROR;
    rl_buf_printf(b, ",%s", kind_name(li->kind));
    if (line) {
        rl_buf_printf(b, ",%.4f,", li->length_m);
        if (isfinite(li->width_m))
            rl_buf_printf(b, "%.4f", li->width_m);
        rl_buf_printf(b, ",%.4f,%.4f", li->left_m, li->right_m);
    } else {
        rl_buf_puts(b, ",,,,");
    }
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_fp_control *fc = &r->ctl[k];
        if (!line) {
            rl_buf_puts(b, ",,");
            continue;
        }
        /* Crossings as "from-to" chainages, separated by ";". */
        rl_buf_printf(b, ",%.4f,", fc->line_m);
        for (size_t j = 0; j < fc->ncross; j++)
            rl_buf_printf(b, "%s%.4f-%.4f", j ? ";" : "", fc->cross[j].from_m,
                          fc->cross[j].to_m);
    }
}

/* The table's proximity and use sections. */
static void table_proximity(const rl_screen_data *d, rl_buf *b)
{
    const rl_screen_options *o = d->opts;
    const int zh = o->c.lang == RL_LANG_ZH;
    if (o->near > 0 || o->nrings) {
        rl_buf_puts(b, zh ? "\n邻近（到最近管控要素的大地线距离"
                          : "\nproximity (geodesic distance to the nearest control feature");
        if (o->near > 0)
            rl_buf_printf(b, zh ? "，%g 米以内" : ", within %g m", o->near);
        if (o->nrings)
            rl_buf_puts(b, zh ? "；各缓冲环内的管控面积" : "; control area within each ring");
        rl_buf_puts(b, zh ? "）：\n" : "):\n");
        for (size_t i = 0; i < d->nres; i++) {
            const rl_fp_result *r = &d->res[i];
            if (r->verdict == RL_V_ERROR)
                continue;
            for (int k = 0; k < d->ncontrols; k++) {
                const rl_fp_control *fc = &r->ctl[k];
                rl_buf_puts(b, "  ");
                rl_buf_puts_esc(b, r->id);
                rl_buf_puts(b, " ");
                rl_buf_puts_esc(b, d->controls[k].spec.name);
                if (o->near > 0) {
                    if (isfinite(fc->distance_m))
                        rl_buf_printf(b, zh ? "：%.1f 米" : ": %.1f m", fc->distance_m);
                    else
                        rl_buf_printf(b, zh ? "：超过 %g 米" : ": farther than %g m", o->near);
                }
                for (int j = 0; j < o->nrings && fc->rings; j++)
                    rl_buf_printf(b, zh ? "%s%g 米内 %.2f 平方米" : "%s within %g m %.2f m2",
                                  j || o->near > 0 ? (zh ? "；" : ";") : (zh ? "：" : ":"),
                                  o->rings[j], fc->rings[j]);
                rl_buf_puts(b, "\n");
            }
        }
    }
    if (o->use_field) {
        const char *const *v = d->use_vals;
        size_t nv = d->nuse;
        rl_buf_puts(b, zh ? "\n按 " : "\nland use by ");
        rl_buf_puts_esc(b, o->use_field);
        rl_buf_puts(b, zh ? " 分用地类型（各项目用地的压占，共用部分只计一次）：\n"
                          : " (the footprints' overlaps, shared land counted once):\n");
        for (int k = 0; k < d->ncontrols; k++)
            for (size_t j = 0; j < nv; j++) {
                size_t cnt = d->use_count[(size_t)k * nv + j];
                double a = d->use_m2[(size_t)k * nv + j];
                rl_buf_puts(b, "  ");
                rl_buf_puts_esc(b, d->controls[k].spec.name);
                rl_buf_puts(b, " ");
                rl_buf_puts_esc(b, *v[j] ? v[j] : "(null)");
                rl_buf_printf(b, zh ? "：%.2f 平方米（%zu 处项目用地）\n" : ": %.2f m2 (%zu footprints)\n",
                              a, cnt);
            }
    }
}

void rl_table_linear(const rl_screen_data *d, rl_buf *b)
{
    table_proximity(d, b);
    if (!d->linear)
        return;
    const int zh = d->opts->c.lang == RL_LANG_ZH;
    int head = 0;
    for (size_t i = 0; i < d->nres; i++) {
        const rl_fp_result *r = &d->res[i];
        if (r->lin.kind != RL_KIND_LINE || r->verdict == RL_V_ERROR)
            continue;
        if (!head++)
            rl_buf_puts(b, zh ? "\n线状项目用地：廊道，及中心线在各管控图层内的部分（里程自首点起，米）：\n"
                              : "\nline footprints: corridor, and the centre line inside each "
                                "control (chainage from the first vertex, m):\n");
        rl_buf_puts(b, "  ");
        rl_buf_puts_esc(b, r->id);
        rl_buf_printf(b, zh ? "：长 %.3f 千米，" : ": length %.3f km, ", r->lin.length_m / 1000);
        if (isfinite(r->lin.width_m))
            rl_buf_printf(b, zh ? "宽 %.2f 米\n" : "width %.2f m\n", r->lin.width_m);
        else
            rl_buf_printf(b, zh ? "宽 左 %.2f 米 + 右 %.2f 米\n" : "width %.2f m left + %.2f m right\n",
                          r->lin.left_m, r->lin.right_m);
        for (int k = 0; k < d->ncontrols; k++) {
            const rl_fp_control *fc = &r->ctl[k];
            if (!fc->ncross)
                continue;
            rl_buf_puts(b, "    ");
            rl_buf_puts_esc(b, d->controls[k].spec.name);
            rl_buf_printf(b, zh ? "：内部 %.3f 千米；" : ": %.3f km inside;", fc->line_m / 1000);
            for (size_t j = 0; j < fc->ncross; j++)
                rl_buf_printf(b, "%s %.1f-%.1f", j ? "," : "", fc->cross[j].from_m,
                              fc->cross[j].to_m);
            rl_buf_puts(b, "\n");
        }
    }
    size_t npoints = 0;
    for (size_t i = 0; i < d->nres; i++)
        npoints += d->res[i].lin.kind == RL_KIND_POINT;
    if (!npoints)
        return;
    rl_buf_printf(b, zh ? "\n点状项目用地（塔基）：%zu；" : "\npoint footprints (towers, 塔基): %zu;",
                  npoints);
    for (int k = 0; k < d->ncontrols; k++) {
        rl_buf_puts(b, k ? (zh ? "，" : ", ") : (zh ? "" : " "));
        rl_buf_puts_esc(b, d->controls[k].spec.name);
        rl_buf_printf(b, zh ? " 内 %zu 个" : " %zu inside", points_inside(d, k));
    }
    rl_buf_puts(b, "\n");
}

rl_status rl_linear_piece(rl_ctx *ctx, const rl_screen_data *d, rl_vec_writer *w,
                          const rl_fp_result *r, int nfields)
{
    const rl_layer *L = d->fps[r->layer];
    const rl_feature *ft = &L->feat[r->feat];
    if (!d->linear || r->lin.kind == RL_KIND_POLYGON || !ft->geom)
        return RL_OK;
    GEOSGeometry *t = NULL;
    if (!rl_crs_same(L->crs, d->out_crs)) {
        PJ *pj = rl_ctx_pj(ctx, L->crs->def, d->out_crs->def);
        if (!pj || !(t = rl_geom_transform(ctx, ft->geom, pj)))
            return ctx->status;
    }
    int64_t fid = ft->fid, none = -1;
    const char *what = r->lin.kind == RL_KIND_LINE ? "corridor" : "point";
    const void *vals[] = {r->id, L->path, &fid, what, &none, &r->area_m2, "", "", "", ""};
    (void)nfields; /* the land-use columns stay empty */
    rl_status st = rl_vec_writer_add(ctx, w, t ? t : ft->geom, vals);
    GEOSGeom_destroy_r(ctx->geos, t);
    return st;
}
