/* The --rules file (rules/rules.c): parsing, defaults, the rule of a hit, reasons. */
#include "testutil.h"
#include "rules/rules.h"

#include <stdlib.h>
#include <string.h>

#define ARGS(...) (const char *const[]){__VA_ARGS__}
#define NARGS(...) (int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))
#define SCREEN(ctx, ...) rl_screen_options_new(ctx, NARGS(__VA_ARGS__), ARGS(__VA_ARGS__))

static const char *const FULL =
    "controls:\n"
    "  - name: eco\n"
    "    path: sub/STBHHX.shp\n"
    "    reason: 红线内\n"
    "    aliases:\n"
    "      ZRBHDFQ: [GNFQ, 功能分区]\n"
    "      XMLX: 项目类型\n"
    "    by:\n"
    "      field: ZRBHDFQ\n"
    "      values:\n"
    "        核心保护区: {severity: conflict, reason: '核心 {ZRBHDMC} {nope} {ZRBHDJB}'}\n"
    "        一般控制区: {severity: warn}\n"
    "    exempt:\n"
    "      field: XMLX\n"
    "      values: [线性基础设施, 输变电工程]\n"
    "      reason: 不可避让论证\n"
    "    report: [ZRBHDMC]\n"
    "  - name: udb\n"
    "    path: /abs/udb.shp\n"
    "    rule: require\n"
    "  - name: sxyd\n"
    "    path: sxyd.shp\n"
    "    rule: report\n"
    "    severity: conflict\n"
    "    by: {field: LX, complete: true, values: {A: {severity: report}}}\n";

static void parse_full(void **state)
{
    (void)state;
    rl_rules *r = rl_rules_load(tu_ctx, tu_write("full.yaml", FULL));
    assert_non_null(r);
    assert_int_equal(r->n, 3);
    const rl_ctl_rules *e = rl_rules_find(r, "eco");
    assert_non_null(e);
    /* relative to the rules file's folder; absolute kept */
    assert_string_equal(e->path, tu_path("sub/STBHHX.shp"));
    assert_string_equal(rl_rules_find(r, "udb")->path, "/abs/udb.shp");
    /* defaults: forbid/conflict; require/warn; severity as written */
    assert_int_equal(e->rule, RL_RULE_FORBID);
    assert_int_equal(e->severity, RL_SEV_CONFLICT);
    assert_false(e->has_rule);
    assert_int_equal(rl_rules_find(r, "udb")->severity, RL_SEV_WARN);
    assert_int_equal(rl_rules_find(r, "sxyd")->severity, RL_SEV_CONFLICT);
    assert_true(rl_rules_find(r, "sxyd")->complete);
    assert_int_equal(e->nvalues, 2);
    assert_string_equal(e->values[1].value, "一般控制区");
    assert_int_equal(e->values[1].sev, RL_HS_WARN);
    assert_null(e->values[1].reason);
    assert_int_equal(e->values[0].line, 11);
    assert_int_equal(e->nexempt, 2);
    assert_int_equal(e->exempt_sev, RL_HS_WARN); /* the default */
    assert_int_equal(e->naliases, 2);
    assert_int_equal(e->aliases[1].nalts, 1); /* one text is a list of one */
    assert_null(rl_rules_find(r, "farmland"));
    assert_null(rl_rules_find(NULL, "eco"));
    rl_rules_free(r);
    rl_rules_free(NULL);
}

/* A layer of features built by hand: only fields, attrs, fid and path are read. */
typedef struct fake {
    rl_layer L;
    rl_feature f[4];
} fake;

static void fake_init(fake *F, char **fields, int nfields, char **attrs[], size_t n)
{
    memset(F, 0, sizeof *F);
    F->L.path = "fake.shp";
    F->L.fields = fields;
    F->L.nfields = nfields;
    F->L.feat = F->f;
    F->L.n = n;
    for (size_t i = 0; i < n; i++) {
        F->f[i].fid = (long long)i;
        F->f[i].attrs = attrs[i];
    }
}

static void match_rules(void **state)
{
    (void)state;
    rl_rules *r = rl_rules_load(tu_ctx, tu_write("m.yaml", FULL));
    assert_non_null(r);
    const rl_ctl_rules *e = rl_rules_find(r, "eco");
    /* the control layer calls ZRBHDFQ "gnfq" (alias, case-insensitive) */
    char *cfields[] = {"gnfq", "ZRBHDMC", "ZRBHDJB"};
    char *c0[] = {"核心保护区", "某保护区", "省级"}, *c1[] = {"一般控制区", "某保护区", NULL},
         *c2[] = {NULL, NULL, NULL}, *c3[] = {"实验区", NULL, NULL};
    char **cattrs[] = {c0, c1, c2, c3};
    fake C, P;
    fake_init(&C, cfields, 3, cattrs, 4);
    char *pfields[] = {"项目类型"};
    char *p0[] = {"房地产"}, *p1[] = {"线性基础设施"};
    char **pattrs[] = {p0, p1};
    fake_init(&P, pfields, 1, pattrs, 2);
    int fx = rl_rules_field(e, &P.L, "XMLX");
    assert_int_equal(fx, 0);
    assert_int_equal(rl_rules_field(e, &C.L, "ZRBHDFQ"), 0);
    assert_int_equal(rl_rules_field(e, &C.L, "NOPE"), -1);
    /* {nope} in a reason: not a field of the layer */
    assert_int_equal(rl_rules_check_layer(tu_ctx, r, e, &C.L), RL_ERR_USAGE);
    assert_non_null(strstr(rl_ctx_errmsg(tu_ctx), "m.yaml:11:9: control eco: reason field "
                                                   "'nope' is not in fake.shp"));

    rl_rule_hit m;
    /* core zone, not exempt */
    assert_int_equal(rl_rules_match(tu_ctx, r, e, RL_HS_CONFLICT, &C.L, 0, &P.L, 0, fx, &m), RL_OK);
    assert_int_equal(m.sev, RL_HS_CONFLICT);
    assert_string_equal(m.field, "ZRBHDFQ");
    assert_string_equal(m.value, "核心保护区");
    assert_null(m.xfield);
    char *why = rl_rules_expand(e, m.reason, &C.L, 0);
    assert_string_equal(why, "核心 某保护区 {nope} 省级");
    free(why);
    /* core zone, exempt: lowered to warn, the exemption's reason */
    assert_int_equal(rl_rules_match(tu_ctx, r, e, RL_HS_CONFLICT, &C.L, 0, &P.L, 1, fx, &m), RL_OK);
    assert_int_equal(m.sev, RL_HS_WARN);
    assert_string_equal(m.xfield, "XMLX");
    assert_string_equal(m.xvalue, "线性基础设施");
    assert_string_equal(m.reason, "不可避让论证");
    assert_string_equal(m.value, "核心保护区");
    /* general zone, exempt footprint: warn stays warn, with its own (default) reason */
    assert_int_equal(rl_rules_match(tu_ctx, r, e, RL_HS_CONFLICT, &C.L, 1, &P.L, 1, fx, &m), RL_OK);
    assert_int_equal(m.sev, RL_HS_WARN);
    assert_null(m.xfield);
    assert_string_equal(m.reason, "红线内");
    why = rl_rules_expand(e, "{ZRBHDJB}|{ZRBHDMC}", &C.L, 1);
    assert_string_equal(why, "|某保护区"); /* null -> empty */
    free(why);
    /* null and unlisted values: the control's own rule, field/value null */
    for (size_t f = 2; f < 4; f++) {
        assert_int_equal(rl_rules_match(tu_ctx, r, e, RL_HS_WARN, &C.L, f, &P.L, 0, fx, &m), RL_OK);
        assert_int_equal(m.sev, RL_HS_WARN);
        assert_null(m.field);
        assert_null(m.value);
    }
    /* no exempt field in the footprints (fx -1): never lowered */
    assert_int_equal(rl_rules_match(tu_ctx, r, e, RL_HS_CONFLICT, &C.L, 0, &P.L, 1, -1, &m), RL_OK);
    assert_int_equal(m.sev, RL_HS_CONFLICT);
    /* no entry: the base, no reason */
    assert_int_equal(rl_rules_match(tu_ctx, r, NULL, RL_HS_REPORT, &C.L, 0, &P.L, 0, -1, &m), RL_OK);
    assert_int_equal(m.sev, RL_HS_REPORT);
    assert_null(m.reason);
    /* complete: an uncovered value is an error naming it */
    const rl_ctl_rules *s = rl_rules_find(r, "sxyd");
    char *sfields[] = {"LX"};
    char *s0[] = {"A"}, *s1[] = {"B"};
    char **sattrs[] = {s0, s1};
    fake S;
    fake_init(&S, sfields, 1, sattrs, 2);
    assert_int_equal(rl_rules_match(tu_ctx, r, s, RL_HS_REPORT, &S.L, 0, &P.L, 0, -1, &m), RL_OK);
    assert_int_equal(rl_rules_match(tu_ctx, r, s, RL_HS_REPORT, &S.L, 1, &P.L, 0, -1, &m),
                     RL_ERR_USAGE);
    assert_non_null(strstr(rl_ctx_errmsg(tu_ctx), "m.yaml:25:9: control sxyd: 'by' is complete, "
                                                   "but no entry of by.values covers 'B'"));
    /* a field the layer lacks */
    assert_int_equal(rl_rules_check_layer(tu_ctx, r, s, &C.L), RL_ERR_USAGE);
    assert_non_null(strstr(rl_ctx_errmsg(tu_ctx), "by field 'LX' is not in fake.shp"));
    rl_rules_free(r);
}

static void expect_bad(const char *text, const char *needle)
{
    rl_rules *r = rl_rules_load(tu_ctx, tu_write("bad.yaml", text));
    assert_null(r);
    assert_int_equal(rl_ctx_status(tu_ctx), RL_ERR_USAGE);
    if (!strstr(rl_ctx_errmsg(tu_ctx), needle))
        fail_msg("message '%s' lacks '%s'", rl_ctx_errmsg(tu_ctx), needle);
}

static void bad_files(void **state)
{
    (void)state;
    expect_bad("controls: [", "bad.yaml:2:1: YAML syntax error");
    expect_bad("controls:\n  - name: eco\n    pth: x\n", "bad.yaml:3:5: unknown key 'pth'");
    expect_bad("controls:\n  - path: x\n", "bad.yaml:2:5: a control needs a name");
    expect_bad("controls: []\n", "'controls' must not be empty");
    expect_bad("controls:\n  - name: e\n    report: []\n", "'report' must not be an empty list");
    expect_bad("controls:\n  - name: e\n    report: [[a]]\n", "'report' must be a text, not a list");
    expect_bad("controls:\n  - name: e\n    by: {field: F}\n", "'by' needs values");
    expect_bad("controls:\n  - name: e\n    by: {values: {a: {severity: warn}}}\n",
               "'by' needs a field");
    expect_bad("controls:\n  - name: e\n    by: {field: F, values: {a: {severity: warn}, "
               "a: {severity: warn}}}\n", "value 'a' is given twice");
    expect_bad("controls:\n  - name: e\n    by: {field: F, complete: maybe, values: {a: "
               "{severity: warn}}}\n", "'by.complete' must be true or false");
    expect_bad("controls:\n  - name: e\n    name: f\n", "key 'name' is given twice");
    expect_bad("controls:\n  - name: e\n    path: ''\n", "'path' must not be empty");
    expect_bad("controls:\n  - name: e\n    aliases: [a]\n", "'aliases' must be a mapping");
    expect_bad("controls:\n  - name: e\n---\ncontrols: []\n",
               "bad.yaml:4:1: a second YAML document");
    assert_null(rl_rules_load(tu_ctx, tu_path("missing.yaml")));
    assert_non_null(strstr(rl_ctx_errmsg(tu_ctx), "cannot open"));
}

static void options_merge(void **state)
{
    (void)state;
    tu_write("addon.yaml", "controls:\n  - name: eco\n    reason: x\n"
                           "  - name: sx\n    path: sx.shp\n    rule: report\n");
    rl_ctx *ctx = rl_ctx_new();
    rl_screen_options *o = SCREEN(ctx, "--eco", "e.shp", "--rules", tu_path("addon.yaml"), "a.shp");
    assert_non_null(o);
    assert_int_equal(o->ncontrols, 2);
    assert_string_equal(o->controls[0].path, "e.shp"); /* the flag's */
    assert_string_equal(o->controls[1].name, "sx");
    assert_int_equal(o->controls[1].rule, RL_RULE_REPORT);
    assert_string_equal(o->controls[1].path, tu_path("sx.shp"));
    rl_screen_options_free(o);
    /* the same file without --eco: 'eco' names no layer */
    o = SCREEN(ctx, "--rules", tu_path("addon.yaml"), "a.shp");
    assert_null(o);
    assert_int_equal(rl_ctx_status(ctx), RL_ERR_USAGE);
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "control 'eco' has no path and names no layer"));
    /* --rules alone is a control */
    tu_write("only.yaml", "controls:\n  - name: z\n    path: z.shp\n");
    o = SCREEN(ctx, "--rules", tu_path("only.yaml"), "a.shp");
    assert_non_null(o);
    assert_int_equal(o->ncontrols, 1);
    rl_screen_options_free(o);
    rl_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_full),
        cmocka_unit_test(match_rules),
        cmocka_unit_test(bad_files),
        cmocka_unit_test(options_merge),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
