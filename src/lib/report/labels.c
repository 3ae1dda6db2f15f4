/*
 * labels.c -- the words of human-facing reports (table, CSV, HTML) in the
 * language of --lang.  JSON keeps its English keys: scripts read them.
 */
#include "report/report.h"
#include "rules/rules.h"

#include <inttypes.h>
#include <string.h>

const char *rl_label_verdict(rl_lang lang, rl_verdict v)
{
    static const char *const en[] = {"pass", "warn", "conflict", "error"};
    static const char *const zh[] = {"通过", "提示", "冲突", "错误"};
    if ((unsigned)v > RL_V_ERROR)
        v = RL_V_ERROR;
    return lang == RL_LANG_ZH ? zh[v] : en[v];
}

const char *rl_label_unit(rl_lang lang, rl_units u)
{
    static const char *const zh[] = {"平方米", "公顷", "亩", "平方千米"};
    if (lang == RL_LANG_ZH && (unsigned)u <= RL_U_KM2)
        return zh[u];
    return rl_units_name(u);
}

const char *rl_label_control(rl_lang lang, const char *name)
{
    static const struct {
        const char *name, *en, *zh;
    } known[] = {
        {"eco", "ecological protection red line", "生态保护红线"},
        {"farmland", "permanent basic farmland", "永久基本农田"},
        {"udb", "urban development boundary", "城镇开发边界"},
    };
    for (size_t i = 0; name && i < sizeof known / sizeof *known; i++)
        if (strcmp(name, known[i].name) == 0)
            return lang == RL_LANG_ZH ? known[i].zh : known[i].en;
    return name ? name : "";
}

const char *rl_label_rule(rl_lang lang, rl_rule r)
{
    static const char *const zh[] = {"禁止压占", "须位于其内", "仅报告"};
    if (lang == RL_LANG_ZH && (unsigned)r <= RL_RULE_REPORT)
        return zh[r];
    return rl_rule_name(r);
}

const char *rl_label_severity(rl_lang lang, rl_severity s)
{
    if (lang == RL_LANG_ZH)
        return s == RL_SEV_WARN ? "提示" : "冲突";
    return rl_severity_name(s);
}

const char *rl_label_word(rl_lang lang, const char *word)
{
    static const struct {
        const char *en, *zh;
    } words[] = {
        {"shrunk", "减少"},       {"not_shrunk", "未减少"}, {"changed", "性质改变"},
        {"kept", "未变"},         {"gained", "新增"},       {"lost", "减少"},
        {"ok", "通过"},           {"below_minimum", "低于下限"},
        {"warn", "提示"},         {"error", "错误"},
        {"pass", "通过"},         {"conflict", "冲突"},
    };
    if (!word)
        return "";
    for (size_t i = 0; lang == RL_LANG_ZH && i < sizeof words / sizeof *words; i++)
        if (strcmp(word, words[i].en) == 0)
            return words[i].zh;
    return word;
}

/* `"units": {"m2": "平方米", ...}` */
static void json_units(rl_buf *b)
{
    static const char *const units[] = {"m2", "ha", "mu", "km2"};
    rl_buf_puts(b, "\"units\": {");
    for (int u = RL_U_M2; u <= RL_U_KM2; u++) {
        rl_buf_puts(b, u ? ", " : "");
        rl_buf_json_str(b, units[u]);
        rl_buf_puts(b, ": ");
        rl_buf_json_str(b, rl_label_unit(RL_LANG_ZH, (rl_units)u));
    }
    rl_buf_puts(b, "}");
}

void rl_json_labels_words(rl_buf *b, const char *const *words, size_t n)
{
    rl_buf_puts(b, ",\n \"labels\": {\"verdict\": {");
    for (size_t i = 0; i < n; i++) {
        rl_buf_puts(b, i ? ", " : "");
        rl_buf_json_str(b, words[i]);
        rl_buf_puts(b, ": ");
        rl_buf_json_str(b, rl_label_word(RL_LANG_ZH, words[i]));
    }
    rl_buf_puts(b, "}, ");
    json_units(b);
    rl_buf_puts(b, "}");
}

void rl_json_labels(rl_buf *b, const rl_control *controls, int n)
{
    rl_buf_puts(b, ",\n \"labels\": {\"verdict\": {");
    for (int v = RL_V_PASS; v <= RL_V_ERROR; v++) {
        rl_buf_puts(b, v ? ", " : "");
        rl_buf_json_str(b, rl_label_verdict(RL_LANG_EN, (rl_verdict)v));
        rl_buf_puts(b, ": ");
        rl_buf_json_str(b, rl_label_verdict(RL_LANG_ZH, (rl_verdict)v));
    }
    rl_buf_puts(b, "}, ");
    json_units(b);
    rl_buf_puts(b, ", \"controls\": {");
    for (int k = 0; k < n; k++) {
        rl_buf_puts(b, k ? ", " : "");
        rl_buf_json_str(b, controls[k].spec.name);
        rl_buf_puts(b, ": ");
        rl_buf_json_str(b, rl_label_control(RL_LANG_ZH, controls[k].spec.name));
    }
    rl_buf_puts(b, "}}");
}

/* ---- reasons: the engine writes them in English (JSON); the reports translate ---- */

/* A rule's default reason, as the engine writes it ("overlaps eco (forbid)"). */
static int is_default_reason(const rl_control *C, const char *reason)
{
    char dflt[320];
    rl_snprintf(dflt, sizeof dflt, "%s %s (%s)",
                C->spec.rule == RL_RULE_REQUIRE ? "inside" : "overlaps", C->spec.name,
                rl_rule_name(C->spec.rule));
    return strcmp(dflt, reason) == 0;
}

static const char *hit_severity_zh(int sev)
{
    return sev == RL_HS_CONFLICT ? "冲突" : sev == RL_HS_WARN ? "提示" : "报告";
}

/*
 * One reason of r in Chinese, into out: the engine's sentence is found again
 * by writing each candidate the way the engine does (screen.c, conclude())
 * with the same figures and comparing, so nothing is parsed out of data;
 * a rule's own reason text from --rules is the user's and is kept as given.
 * Returns 0 (out untouched) when the reason is none of them.
 */
static int reason_zh(const rl_screen_data *d, const rl_fp_result *r, const char *text,
                     rl_buf *out)
{
    char en[1024];
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_control *C = &d->controls[k];
        const rl_fp_control *fc = &r->ctl[k];
        const char *full = rl_label_control(RL_LANG_ZH, C->spec.name);
        rl_snprintf(en, sizeof en, "overlaps %s: %.1f m2 (%.1f%%)", C->spec.name,
                    fc->overlap_m2, fc->overlap_pct);
        if (strcmp(en, text) == 0) {
            rl_buf_printf(out, "压占%s %.1f 平方米（%.1f%%）", full, fc->overlap_m2,
                          fc->overlap_pct);
            return 1;
        }
        rl_snprintf(en, sizeof en, "outside %s: %.1f m2 (%.1f%%)", C->spec.name,
                    fc->outside_m2, 100.0 - fc->overlap_pct);
        if (strcmp(en, text) == 0) {
            rl_buf_printf(out, "位于%s外 %.1f 平方米（%.1f%%）", full, fc->outside_m2,
                          100.0 - fc->overlap_pct);
            return 1;
        }
        for (size_t j = 0; C->rules && j < fc->nhits; j++) {
            const rl_hit *h = &fc->hits[j];
            if (!h->reason)
                continue;
            if (h->rfield)
                rl_snprintf(en, sizeof en, "%s %s=%s: %s: %s", C->spec.name, h->rfield,
                            h->rvalue, rl_hit_severity_name((rl_hit_severity)h->sev),
                            h->reason);
            else
                rl_snprintf(en, sizeof en, "%s: %s: %s", C->spec.name,
                            rl_hit_severity_name((rl_hit_severity)h->sev), h->reason);
            if (strcmp(en, text) != 0)
                continue;
            rl_buf_puts(out, full);
            if (h->rfield)
                rl_buf_printf(out, " %s=%s", h->rfield, h->rvalue);
            rl_buf_printf(out, "（%s）：", hit_severity_zh(h->sev));
            if (is_default_reason(C, h->reason))
                rl_buf_printf(out, "%s%s%s（%s）",
                              C->spec.rule == RL_RULE_REQUIRE ? "位于" : "压占", full,
                              C->spec.rule == RL_RULE_REQUIRE ? "内" : "",
                              rl_label_rule(RL_LANG_ZH, C->spec.rule));
            else
                rl_buf_puts(out, h->reason); /* the rules file's own words */
            return 1;
        }
    }
    return 0;
}

void rl_label_fp_error(rl_lang lang, const rl_screen_data *d, const rl_fp_result *r,
                       rl_buf *out)
{
    /* Fixed words in Chinese; GEOS's and GDAL's own reasons kept, quoted. */
    static const struct {
        rl_feat_status st;
        const char *zh;
    } why_zh[] = {
        {RL_FEAT_NULL, "几何为空（null）"},
        {RL_FEAT_EMPTY, "几何为空"},
        {RL_FEAT_NOT_POLYGON, "不是面"},
        {RL_FEAT_COLLAPSED, "几何修复后面积为零"},
        {RL_FEAT_BAD, "几何无法读取或修复"},
        {RL_FEAT_UNREADABLE, "记录无法读取（文件损坏或被截断）"},
        {RL_FEAT_NONFINITE, "有坐标不是有限数（NaN 或无穷大）"},
        {RL_FEAT_OUTSIDE_CRS, "坐标远在图层坐标系的适用范围之外"},
    };
    if (!r->error)
        return;
    const rl_layer *L = d->fps[r->layer];
    char head[64];
    snprintf(head, sizeof head, ": feature %" PRId64 ": ", (int64_t)L->feat[r->feat].fid);
    size_t np = strlen(L->path);
    if (lang != RL_LANG_ZH || strncmp(r->error, L->path, np) != 0 ||
        strncmp(r->error + np, head, strlen(head)) != 0) {
        rl_buf_puts(out, r->error);
        return;
    }
    const char *why = r->error + np + strlen(head);
    rl_buf_printf(out, "%s：要素 %" PRId64 "：", L->path, (int64_t)L->feat[r->feat].fid);
    for (size_t i = 0; i < sizeof why_zh / sizeof *why_zh; i++) {
        const char *en = rl_feat_status_text(why_zh[i].st);
        size_t n = strlen(en);
        if (strncmp(why, en, n) == 0 && (why[n] == '\0' || strncmp(why + n, ": ", 2) == 0)) {
            rl_buf_puts(out, why_zh[i].zh);
            if (why[n])
                rl_buf_printf(out, "：“%s”", why + n + 2);
            return;
        }
    }
    rl_buf_printf(out, "“%s”", why);
}

void rl_label_reasons(rl_lang lang, const rl_screen_data *d, const rl_fp_result *r,
                      rl_buf *out)
{
    const char *sep = lang == RL_LANG_ZH ? "；" : "; ";
    rl_label_fp_error(lang, d, r, out);
    for (size_t j = 0; j < r->nreasons; j++) {
        if (j || r->error)
            rl_buf_puts(out, sep);
        if (lang != RL_LANG_ZH || !reason_zh(d, r, r->reasons[j], out))
            rl_buf_puts(out, r->reasons[j]);
    }
    if (!out->s)
        rl_buf_puts(out, "");
}

void rl_label_audit_messages(rl_lang lang, const char *messages, const char *sep, rl_buf *out)
{
    const char *m = messages ? messages : "";
    const char *zh = strchr(m, '\x1e');
    const char *p = lang == RL_LANG_ZH && zh ? zh + 1 : m;
    for (; *p && *p != '\x1e'; p++) {
        if (*p == '\x1f')
            rl_buf_puts(out, sep);
        else
            rl_buf_putn(out, p, 1);
    }
    if (!out->s)
        rl_buf_puts(out, "");
}
