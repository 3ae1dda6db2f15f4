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

void rl_json_labels(rl_buf *b, const rl_control *controls, int n)
{
    static const char *const units[] = {"m2", "ha", "mu", "km2"};
    rl_buf_puts(b, ",\n \"labels\": {\"verdict\": {");
    for (int v = RL_V_PASS; v <= RL_V_ERROR; v++) {
        rl_buf_puts(b, v ? ", " : "");
        rl_buf_json_str(b, rl_label_verdict(RL_LANG_EN, (rl_verdict)v));
        rl_buf_puts(b, ": ");
        rl_buf_json_str(b, rl_label_verdict(RL_LANG_ZH, (rl_verdict)v));
    }
    rl_buf_puts(b, "}, \"units\": {");
    for (int u = RL_U_M2; u <= RL_U_KM2; u++) {
        rl_buf_puts(b, u ? ", " : "");
        rl_buf_json_str(b, units[u]);
        rl_buf_puts(b, ": ");
        rl_buf_json_str(b, rl_label_unit(RL_LANG_ZH, (rl_units)u));
    }
    rl_buf_puts(b, "}, \"controls\": {");
    for (int k = 0; k < n; k++) {
        rl_buf_puts(b, k ? ", " : "");
        rl_buf_json_str(b, controls[k].spec.name);
        rl_buf_puts(b, ": ");
        rl_buf_json_str(b, rl_label_control(RL_LANG_ZH, controls[k].spec.name));
    }
    rl_buf_puts(b, "}}");
}
