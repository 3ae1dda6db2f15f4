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
