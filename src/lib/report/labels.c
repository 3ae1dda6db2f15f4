/*
 * labels.c -- the words of human-facing reports (table, CSV, HTML) in the
 * language of --lang.  JSON keeps its English keys: scripts read them.
 */
#include "report/report.h"

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
