/*
 * out_html.c -- the screen report a reviewer files: one self-contained HTML
 * page (no script, no network, no external font) with the fixed sentences
 * of a 压占分析 report, an overview map, one map per footprint drawn as
 * inline SVG in a metric plane (map.c), and the tables; print CSS for A4.
 *
 * Every text that comes from data (ids, paths, attribute values, control
 * names) goes through esc(): the page carries no markup from the data.  A
 * Content-Security-Policy forbids every fetch and every script besides, so
 * that even a mistake here could not run anything.
 */
#include "report/out_table.h"
#include "rules/rules.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Pixel boxes of the maps (SVG user units; the page scales them to its width). */
#define MAP_W 640.0
#define MAP_H 470.0
#define MAP_X0 34.0
#define MAP_Y0 8.0
#define MAP_DW 598.0
#define MAP_DH 400.0

/* HTML text and attribute values: the five specials, and no C0 controls. */
static void esc(rl_buf *b, const char *s)
{
    if (!s)
        return;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': rl_buf_puts(b, "&amp;"); break;
        case '<': rl_buf_puts(b, "&lt;"); break;
        case '>': rl_buf_puts(b, "&gt;"); break;
        case '"': rl_buf_puts(b, "&quot;"); break;
        case '\'': rl_buf_puts(b, "&#39;"); break;
        default:
            if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
                rl_buf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD: shown, never parsed */
            else
                rl_buf_putn(b, (const char *)p, 1);
        }
    }
}

typedef struct html {
    rl_ctx *ctx;
    const rl_screen_data *d;
    rl_buf *b;
    int zh;
    rl_lang lang;
    double fac; /* m2 per unit */
    int dec;
    const char *unit;
} html;

/* The language's choice of two strings. */
#define T(H, EN, ZH) ((H)->zh ? (ZH) : (EN))

/*
 * An area at the JSON's resolution (0.1 mm2, rl_buf_json_m2), so that a page
 * never says "涉及" about what the JSON calls 0, and both round alike.
 */
static double q(double m2)
{
    return fabs(m2) < 0.00005 ? 0 : round(m2 * 1e4) / 1e4;
}

static void area(html *H, double m2)
{
    rl_buf_printf(H->b, "%.*f", H->dec, q(m2) / H->fac);
}

/*
 * An area in a sentence: a sliver that rounds to zero is "less than" the
 * smallest figure shown, never a bare 0 that contradicts "涉及".
 */
static void area_said(html *H, double m2)
{
    double least = pow(10, -H->dec);
    m2 = q(m2);
    if (m2 > 0 && m2 / H->fac < least / 2)
        rl_buf_printf(H->b, H->zh ? "不足 %.*f" : "less than %.*f", H->dec, least);
    else
        area(H, m2);
}

/* After a figure below --min-area: it has no effect on the verdict. */
static void sliver_note(html *H, double m2)
{
    m2 = q(m2);
    if (m2 > 0 && m2 < H->d->opts->min_area)
        rl_buf_puts(H->b, T(H, " (a sliver below the smallest finding, no effect on the "
                               "verdict)", "（小于最小计入面积，不影响结论）"));
}

static const char *colour(const char *name, int k)
{
    static const char *const palette[] = {"#8e24aa", "#00897b", "#6d4c41", "#3949ab",
                                          "#c0ca33", "#d81b60"};
    if (strcmp(name, "eco") == 0)
        return "#2e7d32";
    if (strcmp(name, "farmland") == 0)
        return "#f9a825";
    if (strcmp(name, "udb") == 0)
        return "#1565c0";
    return palette[k % 6];
}

/* The attribute that names a control feature: a *MC / NAME / 名称 field. */
static const char *feature_label(const rl_layer *L, const rl_feature *f)
{
    if (!f->attrs)
        return NULL;
    for (int a = 0; a < L->nfields; a++) {
        const char *n = L->fields[a];
        size_t len = strlen(n);
        int named = (len >= 2 && (strcmp(n + len - 2, "MC") == 0 ||
                                  strcmp(n + len - 2, "mc") == 0)) ||
                    strstr(n, "NAME") || strstr(n, "name") || strstr(n, "名称");
        if (named && f->attrs[a] && *f->attrs[a])
            return f->attrs[a];
    }
    return NULL;
}

static const char *const css =
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\","
    "\"PingFang SC\",\"WenQuanYi Micro Hei\",sans-serif;font-size:10.5pt;color:#111;"
    "max-width:190mm;margin:1em auto;padding:0 1em;line-height:1.5}\n"
    "h1{font-size:16pt;margin:.2em 0}h2{font-size:13pt;margin:.8em 0 .3em;"
    "border-bottom:1px solid #999}\n"
    "table{border-collapse:collapse;width:100%;margin:.4em 0;font-size:9pt}\n"
    "th,td{border:1px solid #999;padding:2px 4px;text-align:left;vertical-align:top}\n"
    "th{background:#eee}td.num{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}td[class^=verdict]{white-space:nowrap}\n"
    ".verdict-pass{color:#1b5e20}.verdict-warn{color:#e65100}"
    ".verdict-conflict{color:#b71c1c}.verdict-error{color:#4a148c}\n"
    "p.statement{margin:.3em 0}.meta{color:#444;font-size:9pt}\n"
    ".note{color:#444;font-size:9pt}sup.repaired,span.repaired{color:#b00}\n"
    "figure{margin:.4em 0;break-inside:avoid;page-break-inside:avoid}\n"
    "figcaption{font-size:8.5pt;color:#444}\n"
    "svg.map,svg.overview-map{width:100%;height:auto;display:block;border:0}\n"
    "svg text{font-size:9px;fill:#222}\n"
    "svg .frame{fill:none;stroke:#444;stroke-width:.8}\n"
    "svg .ticks line{stroke:#444;stroke-width:.6}\n"
    "svg .scalebar .bg{fill:#fff;fill-opacity:.8}svg .scalebar .dark{fill:#222}"
    "svg .scalebar .light{fill:#fff;stroke:#222;stroke-width:.6}\n"
    "svg .north path{fill:#222}svg .north text{font-weight:bold;font-size:11px}\n"
    "svg .feature{fill-opacity:.15;stroke-width:1}\n"
    "svg .piece{fill-opacity:.6;stroke-width:.6;fill-rule:evenodd}\n"
    "svg .footprint{fill:none;stroke:#c62828;stroke-width:2}\n"
    "svg .label{paint-order:stroke;stroke:#fff;stroke-width:2.5px;stroke-linejoin:round}\n"
    "svg path{fill-rule:evenodd}\n"
    "tr{break-inside:avoid;page-break-inside:avoid}\n"
    "@page{size:A4 portrait;margin:14mm 12mm}\n"
    "@media print{body{max-width:none;margin:0;padding:0}"
    "section.footprint{break-before:page;page-break-before:always}"
    "section.overview{break-before:page;page-break-before:always}"
    "svg.map,svg.overview-map{max-height:150mm}thead{display:table-header-group}}\n";

static void head(html *H)
{
    const rl_screen_data *d = H->d;
    rl_buf *b = H->b;
    rl_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
                  H->zh ? "zh-CN" : "en");
    /* Nothing may be fetched and nothing may run: the page stands alone. */
    rl_buf_puts(b, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                   "'none'; style-src 'unsafe-inline'; img-src data:\">\n");
    rl_buf_printf(b, "<meta name=\"generator\" content=\"redline %s\">\n", RL_VERSION);
    rl_buf_printf(b, "<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n",
                  T(H, "redline screening report", "建设项目用地压占分析报告"), css);
    rl_buf_printf(b, "<header>\n<h1>%s</h1>\n<p class=\"meta\">",
                  T(H, "Screening report", "建设项目用地压占分析报告"));
    rl_buf_printf(b, "%s redline %s · %s: %s · %s: %s · %s: %g %s</p>\n",
                  T(H, "Made by", "生成工具"), RL_VERSION, T(H, "area", "面积"),
                  T(H, rl_area_method_name(d->opts->c.area), rl_area_method_zh(d->opts->c.area)),
                  T(H, "units", "单位"), H->unit,
                  T(H, "smallest finding", "最小计入面积"), d->opts->min_area,
                  rl_label_unit(H->lang, RL_U_M2));
    if (d->provisional)
        rl_buf_printf(b, "<p class=\"statement provisional\">%s</p>\n",
                      T(H, "PROVISIONAL: control features were skipped "
                           "(--skip-bad-controls); no verdict is final.",
                        "结论为暂定：部分管控要素无法使用而被跳过（--skip-bad-controls）。"));
    /* The controls as read. */
    rl_buf_printf(b, "<table class=\"controls\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
                  "<th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
                  T(H, "control", "管控图层"), T(H, "name", "名称"), T(H, "rule", "规则"),
                  T(H, "file", "文件"), T(H, "features", "要素数"), T(H, "CRS", "坐标系"));
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        static const char *const rz[] = {"禁止压占", "须位于其内", "仅报告"};
        rl_buf_puts(b, "<tr><td>");
        esc(b, C->spec.name);
        rl_buf_puts(b, "</td><td>");
        esc(b, rl_label_control(H->lang, C->spec.name));
        rl_buf_printf(b, "</td><td>%s, %s</td><td>",
                      H->zh ? rz[C->spec.rule] : rl_rule_name(C->spec.rule),
                      H->zh ? (C->spec.severity == RL_SEV_CONFLICT ? "冲突" : "提示")
                            : rl_severity_name(C->spec.severity));
        esc(b, C->layer->path);
        rl_buf_printf(b, "</td><td class=\"num\">%zu</td><td>", C->layer->n + C->layer->nfar);
        esc(b, C->layer->crs->name);
        rl_buf_puts(b, "</td></tr>\n");
    }
    rl_buf_puts(b, "</tbody></table>\n</header>\n");
}

/* The figures sentence: "项目用地总面积 …，涉及…，不涉及…。" */
static void statement_figures(html *H, const rl_fp_result *r)
{
    const rl_screen_data *d = H->d;
    rl_buf *b = H->b;
    rl_buf_puts(b, "<p class=\"statement\">");
    rl_buf_puts(b, T(H, "The project land covers ", "项目用地总面积 "));
    area(H, r->area_m2);
    rl_buf_printf(b, " %s", H->unit);
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        const rl_fp_control *fc = &r->ctl[k];
        const char *name = rl_label_control(H->lang, C->spec.name);
        int last = k == d->ncontrols - 1 && k > 0;
        rl_buf_puts(b, H->zh ? "，" : last ? "; and it " : "; it ");
        if (C->spec.rule == RL_RULE_REQUIRE) {
            if (q(fc->outside_m2) > 0) {
                rl_buf_puts(b, T(H, "lies ", "位于"));
                if (H->zh) {
                    esc(b, name);
                    rl_buf_puts(b, "外 ");
                    area_said(H, fc->outside_m2);
                    rl_buf_printf(b, " %s", H->unit);
                } else {
                    area_said(H, fc->outside_m2);
                    rl_buf_printf(b, " %s outside the ", H->unit);
                    esc(b, name);
                }
                sliver_note(H, fc->outside_m2);
            } else {
                rl_buf_puts(b, T(H, "lies wholly inside the ", "全部位于"));
                esc(b, name);
                if (H->zh)
                    rl_buf_puts(b, "内");
            }
        } else if (q(fc->overlap_m2) > 0) {
            rl_buf_puts(b, T(H, "overlaps the ", "涉及"));
            esc(b, name);
            rl_buf_puts(b, T(H, " by ", " "));
            area_said(H, fc->overlap_m2);
            rl_buf_printf(b, H->zh ? " %s（占 %.1f%%）" : " %s (%.1f%%)", H->unit,
                          fc->overlap_pct);
            sliver_note(H, fc->overlap_m2);
        } else {
            rl_buf_puts(b, T(H, "does not touch the ", "不涉及"));
            esc(b, name);
        }
    }
    rl_buf_puts(b, T(H, ".</p>\n", "。</p>\n"));
}

/* A 平差-rounded figure (units of 10^-dec of the chosen unit) as text. */
static void rounded(html *H, long long v, int dec)
{
    rl_buf_printf(H->b, "%.*f", dec, (double)v / pow(10, dec));
}

/*
 * --landuse: the 地类 sentence, by 一级类 with the rounded figures of the
 * land-use table (they add up to the footprint's covered area).
 */
static void statement_landuse(html *H, const rl_fp_result *r)
{
    const rl_landuse *lu = &r->lu;
    rl_buf *b = H->b;
    const int dec = rl_lu_decimals(H->d->opts);
    if (!H->d->opts->landuse_path || !lu->done)
        return;
    rl_buf_puts(b, "<p class=\"statement landuse\">");
    rl_buf_puts(b, T(H, "Land use (by first-level class): ", "地类构成（一级类）："));
    int n = 0;
    for (size_t i = 0; i < lu->nlevel1; i++) {
        const rl_lu_row *row = &lu->level1[i];
        if (!row->r_area)
            continue;
        rl_buf_puts(b, n++ ? T(H, ", ", "、") : "");
        esc(b, row->name ? row->name : row->code);
        if (!H->zh) {
            rl_buf_puts(b, " (");
            esc(b, row->code);
            rl_buf_puts(b, ")");
        }
        rl_buf_puts(b, " ");
        rounded(H, row->r_area, dec);
        rl_buf_printf(b, " %s", H->unit);
    }
    if (!n)
        rl_buf_puts(b, T(H, "none", "无"));
    if (lu->r_uncovered) {
        rl_buf_puts(b, T(H, "; not covered by any parcel ", "；未被图斑覆盖 "));
        rounded(H, lu->r_uncovered, dec);
        rl_buf_printf(b, " %s", H->unit);
    }
    rl_buf_puts(b, T(H, ".</p>\n", "。</p>\n"));
}

/* The verdict sentence, with the findings that decided it. */
static void statement_verdict(html *H, const rl_fp_result *r)
{
    const rl_screen_data *d = H->d;
    rl_buf *b = H->b;
    static const char *const vn[] = {"pass", "warn", "conflict", "error"};
    rl_buf_printf(b, "<p class=\"statement verdict verdict-%s\">%s%s", vn[r->verdict],
                  T(H, "Verdict: ", "审查结论："), rl_label_verdict(H->lang, r->verdict));
    if (r->verdict == RL_V_ERROR) {
        rl_buf_puts(b, T(H, " (could not be processed: ", "（无法处理："));
        rl_buf why = {0};
        rl_label_fp_error(H->lang, d, r, &why);
        esc(b, why.s ? why.s : "");
        rl_buf_free(&why);
        rl_buf_puts(b, T(H, ").</p>\n", "）。</p>\n"));
        return;
    }
    int n = 0;
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        const rl_fp_control *fc = &r->ctl[k];
        if (!fc->finding)
            continue;
        int req = C->spec.rule == RL_RULE_REQUIRE;
        int conflict = C->spec.severity == RL_SEV_CONFLICT || d->opts->strict;
        if (C->rules && !req) {
            /* --rules: the hits' own severities decide, as screen.c's conclude_rules. */
            double conf_m2 = 0;
            for (size_t j = 0; j < fc->nhits; j++)
                if (fc->hits[j].sev == RL_HS_CONFLICT)
                    conf_m2 += fc->hits[j].overlap_m2;
            conflict = (conf_m2 > 0 && conf_m2 >= d->opts->min_area) || d->opts->strict;
        }
        rl_buf_puts(b, n++ ? T(H, "; ", "；") : T(H, ". Findings: ", "。原因："));
        const char *name = rl_label_control(H->lang, C->spec.name);
        double m2 = req ? fc->outside_m2 : fc->overlap_m2;
        if (H->zh) {
            rl_buf_puts(b, req ? "超出" : "压占");
            esc(b, name);
            rl_buf_puts(b, " ");
            area_said(H, m2);
        } else if (req) {
            rl_buf_puts(b, "lies ");
            area_said(H, m2);
            rl_buf_printf(b, " %s outside the ", H->unit);
            esc(b, name);
        } else {
            rl_buf_puts(b, "overlaps the ");
            esc(b, name);
            rl_buf_puts(b, " by ");
            area_said(H, m2);
        }
        if (H->zh || !req)
            rl_buf_printf(b, " %s", H->unit);
        rl_buf_printf(b, H->zh ? "（%s）" : " (%s)",
                      rl_label_verdict(H->lang, conflict ? RL_V_CONFLICT : RL_V_WARN));
    }
    rl_buf_puts(b, T(H, ".", "。"));
    if (d->provisional)
        rl_buf_puts(b, T(H, " Provisional.", "（暂定）"));
    rl_buf_puts(b, "</p>\n");
    /* --rules: the rule each finding matched, with its reason (as the reasons say). */
    int m = 0;
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        const rl_fp_control *fc = &r->ctl[k];
        for (size_t j = 0; C->rules && fc->finding && j < fc->nhits; j++) {
            const rl_hit *h = &fc->hits[j];
            if (!h->reason || !*h->reason || h->sev == RL_HS_REPORT)
                continue;
            rl_buf_puts(b, m++ ? T(H, "; ", "；")
                               : T(H, "<p class=\"statement rules\">Rules: ",
                                   "<p class=\"statement rules\">依据规则："));
            esc(b, rl_label_control(H->lang, C->spec.name));
            if (h->rfield) {
                rl_buf_puts(b, " ");
                esc(b, h->rfield);
                rl_buf_puts(b, "=");
                esc(b, h->rvalue);
            }
            rl_buf_printf(b, H->zh ? "（%s）：" : " (%s): ",
                          rl_label_verdict(H->lang, h->sev == RL_HS_CONFLICT ? RL_V_CONFLICT
                                                                             : RL_V_WARN));
            esc(b, h->reason);
        }
    }
    if (m)
        rl_buf_puts(b, T(H, ".</p>\n", "。</p>\n"));
}

/* One legend row under a map. */
static void legend(html *H, const int *shown)
{
    const rl_screen_data *d = H->d;
    rl_buf *b = H->b;
    double x = MAP_X0, y = MAP_H - 18;
    rl_buf_printf(b, "<g class=\"legend\"><rect x=\"%.1f\" y=\"%.1f\" width=\"14\" "
                  "height=\"9\" class=\"footprint\"/><text x=\"%.1f\" y=\"%.1f\">%s</text>",
                  x, y, x + 18, y + 8, T(H, "project land", "项目用地"));
    x += 90;
    for (int k = 0; k < d->ncontrols; k++) {
        if (shown && !shown[k])
            continue;
        const char *c = colour(d->controls[k].spec.name, k);
        rl_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"9\" "
                      "class=\"piece\" fill=\"%s\" stroke=\"%s\"/><text x=\"%.1f\" "
                      "y=\"%.1f\">", x, y, c, c, x + 18, y + 8);
        esc(b, rl_label_control(H->lang, d->controls[k].spec.name));
        rl_buf_puts(b, T(H, " (overlap)", "（压占部分）"));
        rl_buf_puts(b, "</text>");
        x += 150;
        if (x > MAP_W - 140) {
            x = MAP_X0 + 90;
            y -= 13;
        }
    }
    rl_buf_puts(b, "</g>\n");
}

/* A caption that says which plane the map is drawn in. */
static void caption(html *H, const rl_map *m, const rl_crs *crs, int old_version)
{
    rl_buf *b = H->b;
    int cm = rl_map_gk_meridian(m);
    rl_buf_puts(b, "<figcaption>");
    if (cm >= 0)
        rl_buf_printf(b, H->zh ? "平面：高斯-克吕格 3 度带，中央经线 %d°E（数据所在椭球）；"
                                 "坐标单位：米；上方为坐标北。"
                               : "Plane: Gauss-Krüger 3-degree zone, central meridian "
                                 "%d°E (on the data's ellipsoid); coordinates in metres; "
                                 "grid north up.",
                      cm);
    else {
        rl_buf_puts(b, T(H, "Plane: ", "平面："));
        esc(b, crs->name);
        if (old_version)
            rl_buf_puts(b, T(H, " (the old version's CRS); grid north up.",
                             "（原版的坐标系）；上方为坐标北。"));
        else
            rl_buf_puts(b, T(H, " (the project land's CRS); grid north up.",
                             "（项目用地的坐标系）；上方为坐标北。"));
    }
    rl_buf_puts(b, "</figcaption>\n");
}

/* Drawing failed (not for want of memory): say so in the page and go on. */
static rl_status map_failed(html *H)
{
    rl_status st = rl_ctx_status(H->ctx);
    if (st == RL_ERR_NOMEM)
        return st;
    rl_buf_puts(H->b, "<p class=\"nomap\">");
    rl_buf_puts(H->b, T(H, "No map: ", "无法绘图："));
    esc(H->b, rl_ctx_errmsg(H->ctx));
    rl_buf_puts(H->b, "</p>\n");
    rl_ctx_clear(H->ctx);
    return RL_OK;
}

/* Centre longitude of g (in crs), for the Gauss-Krüger plane of lon/lat data. */
static double centre_x(rl_ctx *ctx, const GEOSGeometry *g)
{
    double e[4];
    if (!g || !GEOSGeom_getExtent_r(ctx->geos, g, &e[0], &e[1], &e[2], &e[3]))
        return 0;
    return (e[0] + e[2]) / 2;
}

static void destroy(rl_ctx *ctx, GEOSGeometry *g)
{
    if (g)
        GEOSGeom_destroy_r(ctx->geos, g);
}

/* The map of footprint r: the footprint, the features it hits, the pieces. */
static rl_status footprint_map(html *H, const rl_fp_result *r)
{
    rl_ctx *ctx = H->ctx;
    const rl_screen_data *d = H->d;
    rl_buf *b = H->b;
    const rl_layer *L = d->fps[r->layer];
    const GEOSGeometry *fg = L->feat[r->feat].geom;
    rl_status st = RL_OK;
    GEOSGeometry *pg = NULL;
    rl_buf body = {0};
    int *shown = calloc((size_t)d->ncontrols + 1, sizeof *shown);
    rl_map *m = shown ? rl_map_new(ctx, L->crs, centre_x(ctx, fg)) : NULL;
    if (!m) {
        st = shown ? ctx->status : rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (!(pg = rl_map_project(ctx, m, fg, L->crs, 0)))
        goto nomap;
    rl_map_extend(m, pg, ctx);
    if (!rl_map_fit(m, MAP_X0, MAP_Y0, MAP_DW, MAP_DH, 0.25, 60))
        goto nomap;
    /* The hit features first (context), then the pieces, then the footprint. */
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        const rl_fp_control *fc = &r->ctl[k];
        const char *c = colour(C->spec.name, k);
        shown[k] = fc->nhits > 0;
        for (size_t j = 0; j < fc->nhits; j++) {
            const rl_feature *cf = &C->layer->feat[fc->hits[j].feat];
            GEOSGeometry *g = cf->geom ? rl_map_project(ctx, m, cf->geom, C->layer->crs, 1)
                                       : NULL;
            if (cf->geom && !g)
                goto nomap;
            rl_buf_printf(&body, "<path class=\"feature\" data-control=\"");
            esc(&body, C->spec.name);
            rl_buf_printf(&body, "\" data-fid=\"%" PRId64 "\" fill=\"%s\" stroke=\"%s\" d=\"",
                          (int64_t)cf->fid, c, c);
            size_t at = body.len;
            rl_map_path(ctx, m, g, &body);
            if (body.len == at)
                rl_buf_puts(&body, "M0 0");
            rl_buf_puts(&body, "\"/>\n");
            destroy(ctx, g);
        }
    }
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        const rl_fp_control *fc = &r->ctl[k];
        const char *c = colour(C->spec.name, k);
        for (size_t j = 0; j < fc->nhits; j++) {
            const rl_hit *h = &fc->hits[j];
            GEOSGeometry *g = h->piece ? rl_map_project(ctx, m, h->piece, d->out_crs, 0)
                                       : NULL;
            if (h->piece && !g)
                goto nomap;
            /* One path per piece, drawn or not: the page counts them. */
            rl_buf_puts(&body, "<path class=\"piece\" data-control=\"");
            esc(&body, C->spec.name);
            rl_buf_printf(&body, "\" data-fid=\"%" PRId64 "\" fill=\"%s\" stroke=\"%s\" d=\"",
                          (int64_t)C->layer->feat[h->feat].fid, c, c);
            size_t at = body.len;
            rl_map_path(ctx, m, g, &body);
            if (body.len == at)
                rl_buf_puts(&body, "M0 0");
            rl_buf_puts(&body, "\"/>\n");
            destroy(ctx, g);
        }
    }
    rl_buf_puts(&body, "<path class=\"footprint\" d=\"");
    rl_map_path(ctx, m, pg, &body);
    rl_buf_puts(&body, "\"/>\n");
    /* Labels of the hit features, at a point inside their visible part. */
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        const rl_fp_control *fc = &r->ctl[k];
        for (size_t j = 0; j < fc->nhits; j++) {
            const rl_feature *cf = &C->layer->feat[fc->hits[j].feat];
            GEOSGeometry *g = cf->geom ? rl_map_project(ctx, m, cf->geom, C->layer->crs, 1)
                                       : NULL;
            double x, y;
            if (g && rl_map_label_point(ctx, m, g, &x, &y)) {
                const char *lab = feature_label(C->layer, cf);
                rl_buf_printf(&body, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" "
                              "text-anchor=\"middle\">", x, y);
                if (lab)
                    esc(&body, lab);
                else {
                    esc(&body, C->spec.name);
                    rl_buf_printf(&body, " #%" PRId64, (int64_t)cf->fid);
                }
                rl_buf_puts(&body, "</text>\n");
            }
            destroy(ctx, g);
        }
    }
    if (body.oom) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    rl_buf_printf(b, "<figure>\n<svg class=\"map\" xmlns=\"http://www.w3.org/2000/svg\" "
                  "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", MAP_W, MAP_H);
    rl_buf_puts(b, T(H, "map of ", "项目用地图 "));
    esc(b, r->id);
    rl_buf_printf(b, "\">\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                  "fill=\"#fff\"/>\n", MAP_X0, MAP_Y0, MAP_DW, MAP_DH);
    rl_buf_putn(b, body.s ? body.s : "", body.len);
    rl_map_decor(m, b, H->zh);
    legend(H, shown);
    rl_buf_puts(b, "</svg>\n");
    caption(H, m, L->crs, 0);
    rl_buf_puts(b, "</figure>\n");
    goto cleanup;
nomap:
    st = map_failed(H);
cleanup:
    destroy(ctx, pg);
    rl_buf_free(&body);
    rl_map_free(m);
    free(shown);
    return st;
}

/* The hits of r: one row per control feature it overlaps. */
static void hits_table(html *H, const rl_fp_result *r)
{
    const rl_screen_data *d = H->d;
    rl_buf *b = H->b;
    size_t n = 0;
    for (int k = 0; k < d->ncontrols; k++)
        n += r->ctl[k].nhits;
    if (!n)
        return;
    rl_buf_printf(b, "<table class=\"hits\"><thead><tr><th>%s</th><th>FID</th>"
                  "<th>%s (%s)</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
                  T(H, "control", "管控图层"), T(H, "overlap", "压占面积"), H->unit,
                  T(H, "share of the project", "占项目用地"), T(H, "attributes", "属性"));
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        for (size_t j = 0; j < r->ctl[k].nhits; j++) {
            const rl_hit *h = &r->ctl[k].hits[j];
            const rl_feature *cf = &C->layer->feat[h->feat];
            rl_buf_printf(b, "<tr data-control=\"");
            esc(b, C->spec.name);
            rl_buf_puts(b, "\"><td>");
            esc(b, rl_label_control(H->lang, C->spec.name));
            rl_buf_printf(b, "</td><td class=\"num\">%" PRId64 "</td><td class=\"num\">",
                          (int64_t)cf->fid);
            area(H, h->overlap_m2);
            rl_buf_printf(b, "</td><td class=\"num\">%.1f%%</td><td>",
                          r->area_m2 > 0 ? 100.0 * h->overlap_m2 / r->area_m2 : 0.0);
            for (int a = 0; a < C->layer->nfields; a++) {
                if (a)
                    rl_buf_puts(b, "; ");
                esc(b, C->layer->fields[a]);
                rl_buf_puts(b, "=");
                esc(b, cf->attrs && cf->attrs[a] ? cf->attrs[a] : "");
            }
            rl_buf_puts(b, "</td></tr>\n");
        }
    }
    rl_buf_puts(b, "</tbody></table>\n");
}

/* The footnote of a repaired footprint's `*` (the table's words). */
#define REPAIRED_NOTE(H)                                                                   \
    T(H, "* repaired: the geometry as read is invalid; its figures are of its MakeValid "   \
         "repair: ",                                                                        \
      "* 已修复：读入的几何图形无效，按 MakeValid 修复后计算：")

static void reasons_text(html *H, const rl_fp_result *r)
{
    rl_buf t = {0};
    rl_label_reasons(H->lang, H->d, r, &t);
    esc(H->b, t.s ? t.s : "");
    rl_buf_free(&t);
}

/* The summary: counts and one row per footprint. */
static void summary(html *H)
{
    const rl_screen_data *d = H->d;
    rl_buf *b = H->b;
    static const char *const vn[] = {"pass", "warn", "conflict", "error"};
    rl_buf_printf(b, "<section class=\"summary\">\n<h2>%s</h2>\n", T(H, "Summary", "汇总"));
    rl_buf_printf(b, H->zh ? "<p class=\"statement\">共 %zu 处项目用地：通过 %zu 处，"
                             "提示 %zu 处，冲突 %zu 处，错误 %zu 处。</p>\n"
                           : "<p class=\"statement\">%zu footprints: %zu pass, %zu warn, "
                             "%zu conflict, %zu error.</p>\n",
                  d->nres, d->counts[RL_V_PASS], d->counts[RL_V_WARN],
                  d->counts[RL_V_CONFLICT], d->counts[RL_V_ERROR]);
    rl_buf_printf(b, "<table class=\"results\"><thead><tr><th>%s</th><th>%s (%s)</th>"
                  "<th>%s</th>", T(H, "ID", "编号"), T(H, "area", "面积"), H->unit,
                  T(H, "verdict", "结论"));
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        rl_buf_puts(b, "<th>");
        esc(b, rl_label_control(H->lang, C->spec.name));
        rl_buf_printf(b, " %s (%s)</th>",
                      C->spec.rule == RL_RULE_REQUIRE ? T(H, "outside", "外")
                                                      : T(H, "overlap", "压占"),
                      H->unit);
    }
    rl_buf_printf(b, "<th>%s</th></tr></thead><tbody>\n", T(H, "reasons", "原因"));
    for (size_t i = 0; i < d->nres; i++) {
        const rl_fp_result *r = &d->res[i];
        rl_buf_puts(b, "<tr data-id=\"");
        esc(b, r->id);
        rl_buf_puts(b, "\"><td>");
        esc(b, r->id);
        if (d->fps[r->layer]->feat[r->feat].repaired)
            rl_buf_puts(b, "<sup class=\"repaired\">*</sup>");
        rl_buf_puts(b, "</td><td class=\"num\">");
        if (r->verdict != RL_V_ERROR)
            area(H, r->area_m2);
        rl_buf_printf(b, "</td><td class=\"verdict-%s\">%s</td>", vn[r->verdict],
                      rl_label_verdict(H->lang, r->verdict));
        for (int k = 0; k < d->ncontrols; k++) {
            rl_buf_puts(b, "<td class=\"num\">");
            if (r->verdict != RL_V_ERROR)
                area(H, d->controls[k].spec.rule == RL_RULE_REQUIRE ? r->ctl[k].outside_m2
                                                                    : r->ctl[k].overlap_m2);
            rl_buf_puts(b, "</td>");
        }
        rl_buf_puts(b, "<td>");
        reasons_text(H, r);
        rl_buf_puts(b, "</td></tr>\n");
    }
    rl_buf_puts(b, "</tbody></table>\n");
    /* The footnote of the `*`: which footprints were repaired, and what that means. */
    size_t nrep = 0;
    for (size_t i = 0; i < d->nres; i++) {
        const rl_fp_result *r = &d->res[i];
        if (!d->fps[r->layer]->feat[r->feat].repaired)
            continue;
        if (!nrep++)
            rl_buf_printf(b, "<p class=\"note repaired\">%s", REPAIRED_NOTE(H));
        else
            rl_buf_puts(b, H->zh ? "、" : ", ");
        esc(b, r->id);
        const char *why = d->fps[r->layer]->feat[r->feat].invalid_why;
        if (why) {
            rl_buf_puts(b, H->zh ? "（" : " (");
            esc(b, why);
            rl_buf_puts(b, H->zh ? "）" : ")");
        }
    }
    rl_buf_puts(b, nrep ? "</p>\n</section>\n" : "</section>\n");
}

/* All footprints, their pieces and the control features near them, on one map. */
static rl_status overview(html *H)
{
    rl_ctx *ctx = H->ctx;
    const rl_screen_data *d = H->d;
    rl_buf *b = H->b;
    rl_status st = RL_OK;
    rl_buf body = {0};
    GEOSGeometry **fp = calloc(d->nres + 1, sizeof *fp);
    rl_map *m = NULL;
    const rl_crs *crs = d->nfps ? d->fps[0]->crs : NULL;
    if (!fp) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    /* The plane of the first footprint layer, centred on all footprints. */
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (size_t i = 0; i < d->nres; i++) {
        const rl_fp_result *r = &d->res[i];
        const rl_layer *L = d->fps[r->layer];
        const GEOSGeometry *g = L->feat[r->feat].geom;
        double e[4];
        if (L->crs == crs && g &&
            GEOSGeom_getExtent_r(ctx->geos, g, &e[0], &e[1], &e[2], &e[3]))
            lo = fmin(lo, e[0]), hi = fmax(hi, e[2]);
    }
    if (!crs || lo > hi)
        goto cleanup; /* nothing to draw */
    if (!(m = rl_map_new(ctx, crs, (lo + hi) / 2))) {
        st = ctx->status;
        goto cleanup;
    }
    for (size_t i = 0; i < d->nres; i++) {
        const rl_fp_result *r = &d->res[i];
        const rl_layer *L = d->fps[r->layer];
        if (!L->feat[r->feat].geom)
            continue;
        if (!(fp[i] = rl_map_project(ctx, m, L->feat[r->feat].geom, L->crs, 0)))
            goto nomap;
        rl_map_extend(m, fp[i], ctx);
    }
    if (!rl_map_fit(m, MAP_X0, MAP_Y0, MAP_DW, MAP_DH, 0.08, 200))
        goto cleanup;
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        const char *c = colour(C->spec.name, k);
        for (size_t f = 0; f < C->layer->n; f++) {
            const rl_feature *cf = &C->layer->feat[f];
            if (!cf->geom)
                continue;
            GEOSGeometry *g = rl_map_project(ctx, m, cf->geom, C->layer->crs, 1);
            if (!g)
                goto nomap;
            if (!GEOSisEmpty_r(ctx->geos, g)) {
                rl_buf_puts(&body, "<path class=\"feature\" data-control=\"");
                esc(&body, C->spec.name);
                rl_buf_printf(&body, "\" fill=\"%s\" stroke=\"%s\" d=\"", c, c);
                rl_map_path(ctx, m, g, &body);
                rl_buf_puts(&body, "\"/>\n");
            }
            destroy(ctx, g);
        }
    }
    for (size_t i = 0; i < d->nres; i++) {
        const rl_fp_result *r = &d->res[i];
        for (int k = 0; k < d->ncontrols && r->verdict != RL_V_ERROR; k++) {
            const char *c = colour(d->controls[k].spec.name, k);
            for (size_t j = 0; j < r->ctl[k].nhits; j++) {
                const rl_hit *h = &r->ctl[k].hits[j];
                GEOSGeometry *g = h->piece ? rl_map_project(ctx, m, h->piece, d->out_crs, 0)
                                           : NULL;
                if (h->piece && !g)
                    goto nomap;
                rl_buf_printf(&body, "<path class=\"overview-piece\" fill=\"%s\" "
                              "fill-opacity=\".6\" stroke=\"none\" d=\"", c);
                size_t at = body.len;
                rl_map_path(ctx, m, g, &body);
                if (body.len == at)
                    rl_buf_puts(&body, "M0 0");
                rl_buf_puts(&body, "\"/>\n");
                destroy(ctx, g);
            }
        }
    }
    for (size_t i = 0; i < d->nres; i++) {
        double x, y;
        if (!fp[i])
            continue;
        rl_buf_puts(&body, "<path class=\"footprint\" d=\"");
        rl_map_path(ctx, m, fp[i], &body);
        rl_buf_puts(&body, "\"/>\n");
        if (rl_map_label_point(ctx, m, fp[i], &x, &y)) {
            rl_buf_printf(&body, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" "
                          "text-anchor=\"middle\">", x, y);
            esc(&body, d->res[i].id);
            rl_buf_puts(&body, "</text>\n");
        }
    }
    if (body.oom) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    rl_buf_printf(b, "<section class=\"overview\">\n<h2>%s</h2>\n<figure>\n"
                  "<svg class=\"overview-map\" xmlns=\"http://www.w3.org/2000/svg\" "
                  "viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n<rect x=\"%.1f\" y=\"%.1f\" "
                  "width=\"%.1f\" height=\"%.1f\" fill=\"#fff\"/>\n",
                  T(H, "Overview", "总览图"), MAP_W, MAP_H, MAP_X0, MAP_Y0, MAP_DW, MAP_DH);
    rl_buf_putn(b, body.s ? body.s : "", body.len);
    rl_map_decor(m, b, H->zh);
    legend(H, NULL);
    rl_buf_puts(b, "</svg>\n");
    caption(H, m, crs, 0);
    rl_buf_puts(b, "</figure>\n</section>\n");
    goto cleanup;
nomap:
    rl_buf_printf(b, "<section class=\"overview\">\n<h2>%s</h2>\n", T(H, "Overview", "总览图"));
    st = map_failed(H);
    rl_buf_puts(b, "</section>\n");
cleanup:
    for (size_t i = 0; fp && i < d->nres; i++)
        destroy(ctx, fp[i]);
    free(fp);
    rl_buf_free(&body);
    rl_map_free(m);
    return st;
}

rl_status rl_html_screen(rl_ctx *ctx, const rl_screen_data *d, rl_buf *b)
{
    html H = {ctx, d, b, d->opts->c.lang == RL_LANG_ZH, d->opts->c.lang,
              rl_units_factor(d->opts->c.units), rl_units_decimals(d->opts->c.units),
              rl_label_unit(d->opts->c.lang, d->opts->c.units)};
    static const char *const vn[] = {"pass", "warn", "conflict", "error"};
    rl_status st;
    head(&H);
    summary(&H);
    if ((st = overview(&H)))
        return st;
    for (size_t i = 0; i < d->nres; i++) {
        const rl_fp_result *r = &d->res[i];
        const rl_layer *L = d->fps[r->layer];
        rl_buf_printf(b, "<section class=\"footprint\" data-verdict=\"%s\" data-id=\"",
                      vn[r->verdict]);
        esc(b, r->id);
        rl_buf_puts(b, "\">\n<h2>");
        esc(b, r->id);
        rl_buf_printf(b, " <span class=\"verdict-%s\">%s</span></h2>\n", vn[r->verdict],
                      rl_label_verdict(H.lang, r->verdict));
        rl_buf_puts(b, "<p class=\"meta\">");
        esc(b, L->path);
        rl_buf_printf(b, " · FID %" PRId64, (int64_t)L->feat[r->feat].fid);
        if (L->feat[r->feat].repaired)
            rl_buf_printf(b, " · <span class=\"repaired\">%s</span>",
                          T(&H, "repaired: the geometry as read is invalid; its figures are "
                                "of its MakeValid repair",
                            "已修复：读入的几何图形无效，按 MakeValid 修复后计算"));
        if (L->feat[r->feat].repaired && L->feat[r->feat].invalid_why) {
            rl_buf_puts(b, H.zh ? "（" : " (");
            esc(b, L->feat[r->feat].invalid_why);
            rl_buf_puts(b, H.zh ? "）" : ")");
        }
        rl_buf_puts(b, "</p>\n");
        if (r->verdict != RL_V_ERROR)
            statement_figures(&H, r);
        statement_verdict(&H, r);
        if (r->verdict != RL_V_ERROR)
            statement_landuse(&H, r);
        if (r->verdict != RL_V_ERROR && L->feat[r->feat].geom &&
            (st = footprint_map(&H, r)))
            return st;
        if (r->verdict != RL_V_ERROR)
            hits_table(&H, r);
        rl_buf_puts(b, "</section>\n");
    }
    if (d->warnings.n) {
        rl_buf_printf(b, "<section class=\"warnings\">\n<h2>%s</h2>\n<ul>\n",
                      T(&H, "Warnings", "警告"));
        for (size_t i = 0; i < d->warnings.n; i++) {
            rl_buf_puts(b, "<li>");
            esc(b, d->warnings.s[i]);
            rl_buf_puts(b, "</li>\n");
        }
        rl_buf_puts(b, "</ul>\n</section>\n");
    }
    rl_buf_puts(b, "</body>\n</html>\n");
    return b->oom ? rl_fail(ctx, RL_ERR_NOMEM, "out of memory") : RL_OK;
}

/* ---- diff ---- */

/* The page's head and <body>, for a report titled en / zh. */
static void page_start(html *H, const char *en, const char *zh)
{
    rl_buf *b = H->b;
    rl_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
                  H->zh ? "zh-CN" : "en");
    rl_buf_puts(b, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                   "'none'; style-src 'unsafe-inline'; img-src data:\">\n");
    rl_buf_printf(b, "<meta name=\"generator\" content=\"redline %s\">\n", RL_VERSION);
    rl_buf_printf(b, "<title>%s</title>\n<style>\n%s"
                  "section.group{break-before:page;page-break-before:always}\n"
                  "svg .lost{fill:#c62828;fill-opacity:.7;stroke:#c62828;stroke-width:.6}\n"
                  "svg .gained{fill:#2e7d32;fill-opacity:.7;stroke:#2e7d32;stroke-width:.6}\n"
                  "svg .changed{fill:#ef6c00;fill-opacity:.7;stroke:#ef6c00;stroke-width:.6}\n"
                  "svg .old{fill:none;stroke:#777;stroke-width:1;stroke-dasharray:4 3}\n"
                  "svg .new{fill:none;stroke:#1565c0;stroke-width:1}\n"
                  "</style>\n</head>\n<body>\n<header>\n<h1>%s</h1>\n",
                  T(H, en, zh), css, T(H, en, zh));
}

/* "OLD covers … and NEW …; lost …, gained …, net …: not shrunk." for one scope. */
static void diff_sentence(html *H, const rl_group_fig *f)
{
    rl_buf *b = H->b;
    rl_buf_puts(b, "<p class=\"statement\">");
    rl_buf_puts(b, T(H, "The old version covers ", "原版面积 "));
    area(H, f->old_m2);
    rl_buf_printf(b, T(H, " %s and the new version ", " %s，新版面积 "), H->unit);
    area(H, f->new_m2);
    rl_buf_printf(b, T(H, " %s; the new version lost ", " %s；减少 "), H->unit);
    area(H, f->lost_m2);
    rl_buf_printf(b, T(H, " %s and gained ", " %s，新增 "), H->unit);
    area(H, f->gained_m2);
    rl_buf_printf(b, T(H, " %s, a net change of ", " %s，净变化 "), H->unit);
    area(H, f->net_m2);
    rl_buf_printf(b, " %s%s</p>\n", H->unit,
                  f->shrunk ? T(H, ": the area has shrunk.", "，面积减少。")
                            : T(H, ": the area has not shrunk.", "，面积未减少。"));
}

/*
 * 1 when piece p belongs to group key: its group, or with transitions
 * (diff --by) the value it changed from or to.
 */
static int piece_of(const rl_diff_piece *p, const char *key)
{
    if (p->key)
        return strcmp(p->key, key) == 0;
    return (p->from && strcmp(p->from, key) == 0) || (p->to && strcmp(p->to, key) == 0);
}

/*
 * A map of the pieces of one scope (key NULL: every piece), with the
 * features of OLD (dashed) and NEW (blue) around them for context.
 */
static rl_status diff_map(html *H, const rl_diff_data *d, const char *key, int all)
{
    rl_ctx *ctx = H->ctx;
    rl_buf *b = H->b;
    rl_buf body = {0};
    rl_status st = RL_OK;
    size_t n = 0;
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (size_t i = 0; i < d->npieces; i++) {
        const rl_diff_piece *p = &d->pieces[i];
        double e[4];
        if (!all && !piece_of(p, key))
            continue;
        if (GEOSGeom_getExtent_r(ctx->geos, p->g, &e[0], &e[1], &e[2], &e[3]))
            lo = fmin(lo, e[0]), hi = fmax(hi, e[2]);
        n++;
    }
    if (!n)
        return RL_OK;
    rl_map *m = rl_map_new(ctx, d->old->crs, (lo + hi) / 2);
    if (!m)
        return ctx->status;
    for (size_t i = 0; i < d->npieces; i++) {
        const rl_diff_piece *p = &d->pieces[i];
        if (!all && !piece_of(p, key))
            continue;
        GEOSGeometry *g = rl_map_project(ctx, m, p->g, d->old->crs, 0);
        if (!g)
            goto nomap;
        rl_map_extend(m, g, ctx);
        destroy(ctx, g);
    }
    if (!rl_map_fit(m, MAP_X0, MAP_Y0, MAP_DW, MAP_DH, 0.15, 100))
        goto cleanup;
    const rl_layer *ls[2] = {d->old, d->nw};
    for (int v = 0; v < 2; v++)
        for (size_t f = 0; f < ls[v]->n; f++) {
            if (!ls[v]->feat[f].geom)
                continue;
            GEOSGeometry *g = rl_map_project(ctx, m, ls[v]->feat[f].geom, ls[v]->crs, 1);
            if (!g)
                goto nomap;
            if (!GEOSisEmpty_r(ctx->geos, g)) {
                rl_buf_printf(&body, "<path class=\"%s\" d=\"", v ? "new" : "old");
                rl_map_path(ctx, m, g, &body);
                rl_buf_puts(&body, "\"/>\n");
            }
            destroy(ctx, g);
        }
    for (size_t i = 0; i < d->npieces; i++) {
        const rl_diff_piece *p = &d->pieces[i];
        if (!all && !piece_of(p, key))
            continue;
        GEOSGeometry *g = rl_map_project(ctx, m, p->g, d->old->crs, 0);
        if (!g)
            goto nomap;
        rl_buf_printf(&body, "<path class=\"piece %s\" data-change=\"%s\" d=\"", p->change,
                      p->change);
        size_t at = body.len;
        rl_map_path(ctx, m, g, &body);
        if (body.len == at)
            rl_buf_puts(&body, "M0 0");
        rl_buf_puts(&body, "\"/>\n");
        destroy(ctx, g);
    }
    if (body.oom) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    rl_buf_printf(b, "<figure>\n<svg class=\"map\" xmlns=\"http://www.w3.org/2000/svg\" "
                  "viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n<rect x=\"%.1f\" y=\"%.1f\" "
                  "width=\"%.1f\" height=\"%.1f\" fill=\"#fff\"/>\n", MAP_W, MAP_H, MAP_X0,
                  MAP_Y0, MAP_DW, MAP_DH);
    rl_buf_putn(b, body.s ? body.s : "", body.len);
    rl_map_decor(m, b, H->zh);
    {
        double x = MAP_X0, y = MAP_H - 18;
        static const char *const cls[5] = {"lost", "gained", "changed", "old", "new"};
        const char *words[5] = {T(H, "lost", "减少"), T(H, "gained", "新增"),
                                T(H, "changed value", "性质改变"), T(H, "old version", "原版"),
                                T(H, "new version", "新版")};
        rl_buf_puts(b, "<g class=\"legend\">");
        for (int k = 0; k < 5; k++, x += 115)
            rl_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"9\" "
                          "class=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">%s</text>", x, y, cls[k],
                          x + 18, y + 8, words[k]);
        rl_buf_puts(b, "</g>\n");
    }
    rl_buf_puts(b, "</svg>\n");
    caption(H, m, d->old->crs, 1);
    rl_buf_puts(b, "</figure>\n");
    goto cleanup;
nomap:
    st = map_failed(H);
cleanup:
    rl_buf_free(&body);
    rl_map_free(m);
    return st;
}

static void diff_row(html *H, const char *key, const rl_group_fig *f)
{
    rl_buf *b = H->b;
    rl_buf_puts(b, "<tr data-key=\"");
    esc(b, key);
    rl_buf_puts(b, "\"><td>");
    esc(b, key);
    const double v[5] = {f->old_m2, f->new_m2, f->lost_m2, f->gained_m2, f->net_m2};
    for (int i = 0; i < 5; i++) {
        rl_buf_puts(b, "</td><td class=\"num\">");
        area(H, v[i]);
    }
    rl_buf_printf(b, "</td><td class=\"verdict-%s\">%s</td></tr>\n",
                  f->shrunk ? "conflict" : "pass",
                  f->shrunk ? T(H, "shrunk", "面积减少") : T(H, "not shrunk", "面积未减少"));
}

rl_status rl_html_diff(rl_ctx *ctx, const rl_diff_data *d, rl_buf *b)
{
    const rl_units u = d->opts->c.units;
    const rl_lang lang = d->opts->c.lang;
    html H = {ctx, NULL, b, lang == RL_LANG_ZH, lang, rl_units_factor(u),
              rl_units_decimals(u), rl_label_unit(lang, u)};
    rl_status st;
    page_start(&H, "Control layer comparison", "管控图层新旧版本对比报告");
    const rl_layer *ls[2] = {d->old, d->nw};
    rl_buf_puts(b, "<p class=\"meta\">");
    for (int i = 0; i < 2; i++) {
        rl_buf_puts(b, i ? T(&H, "<br>new: ", "<br>新版：") : T(&H, "old: ", "原版："));
        esc(b, ls[i]->path);
        rl_buf_printf(b, " (%zu %s, ", ls[i]->n, T(&H, "features", "个要素"));
        esc(b, ls[i]->crs->name);
        rl_buf_puts(b, ")");
    }
    char method[32];
    snprintf(method, sizeof method, "%s area", rl_area_method_name(d->opts->c.area));
    rl_buf_printf(b, "<br>%s · %s %g %s%s</p>\n</header>\n",
                  T(&H, method, rl_area_method_zh(d->opts->c.area)),
                  T(&H, "tolerance", "容差"), d->opts->tolerance,
                  rl_label_unit(lang, RL_U_M2),
                  d->provisional ? T(&H, " · PROVISIONAL: features were skipped",
                                     " · 暂定：部分要素被跳过") : "");
    rl_buf_printf(b, "<section class=\"summary\">\n<h2>%s</h2>\n", T(&H, "Summary", "汇总"));
    diff_sentence(&H, &d->total);
    rl_buf_puts(b, "<table class=\"groups\"><thead><tr><th>");
    /* The key column is named after the --by field: data, escaped. */
    if (d->opts->by)
        esc(b, d->opts->by);
    else
        rl_buf_puts(b, T(&H, "scope", "范围"));
    rl_buf_printf(b, "</th><th>%s (%s)</th>"
                  "<th>%s (%s)</th><th>%s (%s)</th><th>%s (%s)</th><th>%s (%s)</th>"
                  "<th>%s</th></tr></thead><tbody>\n",
                  T(&H, "old", "原版"), H.unit,
                  T(&H, "new", "新版"), H.unit, T(&H, "lost", "减少"), H.unit,
                  T(&H, "gained", "新增"), H.unit, T(&H, "net", "净变化"), H.unit,
                  T(&H, "verdict", "结论"));
    for (size_t g = 0; g < d->ngroups; g++)
        diff_row(&H, d->groups[g].key, &d->groups[g]);
    diff_row(&H, T(&H, "TOTAL", "合计"), &d->total);
    rl_buf_puts(b, "</tbody></table>\n");
    rl_buf_printf(b, "<h2>%s</h2>\n", T(&H, "Lost and gained", "减少与新增"));
    if ((st = diff_map(&H, d, NULL, 1)))
        return st;
    rl_buf_puts(b, "</section>\n");
    for (size_t g = 0; g < d->ngroups; g++) {
        const rl_group_fig *f = &d->groups[g];
        rl_buf_puts(b, "<section class=\"group\" data-key=\"");
        esc(b, f->key);
        rl_buf_puts(b, "\">\n<h2>");
        esc(b, d->opts->by);
        rl_buf_puts(b, " = ");
        esc(b, f->key[0] ? f->key : T(&H, "(empty)", "（空）"));
        rl_buf_puts(b, "</h2>\n");
        diff_sentence(&H, f);
        if ((st = diff_map(&H, d, f->key, 0)))
            return st;
        rl_buf_puts(b, "</section>\n");
    }
    rl_buf_puts(b, "</body>\n</html>\n");
    return b->oom ? rl_fail(ctx, RL_ERR_NOMEM, "out of memory") : RL_OK;
}

/* ---- audit: the index page ---- */

rl_status rl_html_audit(rl_ctx *ctx, const rl_audit_data *d, const char *link_dir, rl_buf *b)
{
    const rl_screen_options *so = d->opts->s;
    const rl_lang lang = so->c.lang;
    html H = {ctx, NULL, b, lang == RL_LANG_ZH, lang, rl_units_factor(so->c.units),
              rl_units_decimals(so->c.units), rl_label_unit(lang, so->c.units)};
    static const char *const sn[] = {"ok", "warn", "error"};
    const char *sz[] = {T(&H, "ok", "正常"), T(&H, "warn", "警告"), T(&H, "error", "错误")};
    page_start(&H, "Delivery audit", "成果资料检查报告");
    rl_buf_puts(b, "<p class=\"meta\">");
    esc(b, d->opts->dir);
    for (int k = 0; k < d->ncontrols; k++) {
        rl_buf_puts(b, k ? ", " : T(&H, " · controls: ", " · 管控图层："));
        esc(b, rl_label_control(lang, d->controls[k].spec.name));
    }
    rl_buf_puts(b, "</p>\n</header>\n<section class=\"summary\">\n");
    size_t nfp = d->counts[0] + d->counts[1] + d->counts[2] + d->counts[3];
    rl_buf_printf(b, H.zh ? "<p class=\"statement\">共检查 %zu 个文件：正常 %zu 个，警告 %zu 个，"
                            "错误 %zu 个（另有 %zu 个非矢量文件未检查）；项目用地 %zu 处：通过 %zu 处，"
                            "提示 %zu 处，冲突 %zu 处，错误 %zu 处。</p>\n"
                          : "<p class=\"statement\">%zu files checked: %zu ok, %zu warn, %zu "
                            "error (%zu files that are not vector data skipped); %zu "
                            "footprints: %zu pass, %zu warn, %zu conflict, %zu error.</p>\n",
                  d->nfiles, d->status_counts[0], d->status_counts[1], d->status_counts[2],
                  d->skipped, nfp, d->counts[0], d->counts[1], d->counts[2], d->counts[3]);
    rl_buf_printf(b, "<table class=\"files\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
                  "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>%s</tr></thead>"
                  "<tbody>\n", T(&H, "file", "文件"), T(&H, "status", "状态"),
                  T(&H, "features", "要素数"), rl_label_verdict(lang, RL_V_PASS),
                  rl_label_verdict(lang, RL_V_WARN), rl_label_verdict(lang, RL_V_CONFLICT),
                  rl_label_verdict(lang, RL_V_ERROR), T(&H, "problems", "问题"),
                  link_dir ? T(&H, "<th>report</th>", "<th>报告</th>") : "");
    for (size_t i = 0; i < d->nfiles; i++) {
        const rl_audit_file *F = &d->files[i];
        int s = F->status < 0 || F->status > 2 ? 2 : F->status;
        rl_buf_printf(b, "<tr class=\"file\" data-status=\"%s\"><td>", sn[s]);
        esc(b, F->path);
        rl_buf_printf(b, "</td><td class=\"verdict-%s\">%s</td><td class=\"num\">%zu</td>",
                      s == 0 ? "pass" : s == 1 ? "warn" : "error", sz[s], F->features);
        for (int v = 0; v < 4; v++)
            rl_buf_printf(b, "<td class=\"num\">%zu</td>", F->counts[v]);
        rl_buf_puts(b, "<td>");
        if (F->codes && *F->codes) {
            esc(b, F->codes);
            rl_buf_puts(b, ": ");
            rl_buf m = {0};
            rl_label_audit_messages(lang, F->messages, "; ", &m);
            esc(b, m.s);
            rl_buf_free(&m);
        }
        rl_buf_puts(b, "</td>");
        if (link_dir) {
            /* The file's own report, as --report-dir writes it. */
            rl_buf_puts(b, "<td><a href=\"");
            if (*link_dir) {
                esc(b, link_dir);
                rl_buf_puts(b, "/");
            }
            rl_buf_printf(b, "files/%04zu.json\">%04zu.json</a></td>", i + 1, i + 1);
        }
        rl_buf_puts(b, "</tr>\n");
    }
    rl_buf_puts(b, "</tbody></table>\n</section>\n</body>\n</html>\n");
    return b->oom ? rl_fail(ctx, RL_ERR_NOMEM, "out of memory") : RL_OK;
}
