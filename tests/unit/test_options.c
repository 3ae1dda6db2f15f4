/* Option parsing: every control form, defaults, and usage errors. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARGS(...) (const char *const[]){__VA_ARGS__}
#define NARGS(...) (int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))
#define SCREEN(ctx, ...) rl_screen_options_new(ctx, NARGS(__VA_ARGS__), ARGS(__VA_ARGS__))

/* What --jobs ALL_CPUS (the default) means: every online processor, 1..256. */
static int all_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

static void screen_defaults_and_controls(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    rl_screen_options *o = SCREEN(ctx, "--eco", "e.shp", "--farmland=f.shp",
                                  "--udb", "u.shp", "--control",
                                  "nr:forbid:warn=nr.gpkg", "--control",
                                  "water:require=w.shp", "--control",
                                  "info:report=i.shp", "a.shp", "b.gpkg");
    assert_non_null(o);
    assert_int_equal(o->ncontrols, 6);
    assert_string_equal(o->controls[0].name, "eco");
    assert_int_equal(o->controls[0].rule, RL_RULE_FORBID);
    assert_int_equal(o->controls[0].severity, RL_SEV_CONFLICT);
    assert_string_equal(o->controls[1].path, "f.shp");
    assert_int_equal(o->controls[2].rule, RL_RULE_REQUIRE);
    assert_int_equal(o->controls[2].severity, RL_SEV_WARN);
    assert_string_equal(o->controls[3].name, "nr");
    assert_int_equal(o->controls[3].severity, RL_SEV_WARN);
    assert_string_equal(o->controls[3].path, "nr.gpkg");
    assert_int_equal(o->controls[4].rule, RL_RULE_REQUIRE);
    assert_int_equal(o->controls[4].severity, RL_SEV_WARN);
    assert_int_equal(o->controls[5].rule, RL_RULE_REPORT);
    assert_int_equal(o->nfootprints, 2);
    assert_rel(o->min_area, 1.0, 0);
    assert_int_equal(o->c.area, RL_AREA_ELLIPSOIDAL);
    assert_int_equal(o->c.format, RL_FMT_TABLE);
    assert_int_equal(o->c.jobs, all_cpus());
    rl_screen_options_free(o);
    rl_ctx_free(ctx);
}

static void screen_all_options(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    rl_screen_options *o = SCREEN(ctx, "--eco", "e.shp", "--id-field", "XMBH",
                                  "--min-area", "0.5mu", "--area", "planar",
                                  "--units", "ha", "-f", "json", "-o", "out.json",
                                  "--pieces", "p.gpkg", "--assume-srs",
                                  "EPSG:4527", "--encoding", "GBK", "-j", "2",
                                  "--strict", "-q", "--", "-odd-name.shp");
    assert_non_null(o);
    assert_string_equal(o->id_field, "XMBH");
    assert_rel(o->min_area, 0.5 * 10000.0 / 15.0, 1e-15);
    assert_int_equal(o->c.area, RL_AREA_PLANAR);
    assert_int_equal(o->c.units, RL_U_HA);
    assert_int_equal(o->c.format, RL_FMT_JSON);
    assert_string_equal(o->c.out_path, "out.json");
    assert_string_equal(o->c.pieces_path, "p.gpkg");
    assert_string_equal(o->c.assume_srs, "EPSG:4527");
    assert_string_equal(o->c.encoding, "GBK");
    assert_int_equal(o->c.jobs, 2);
    assert_true(o->strict);
    assert_true(o->c.quiet);
    assert_int_equal(o->nfootprints, 1);
    assert_string_equal(o->footprints[0], "-odd-name.shp");
    rl_screen_options_free(o);
    rl_ctx_free(ctx);
}

/* Short options take their value attached too, as with getopt: -j2, -fjson. */
static void short_options_attached(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    rl_screen_options *o = SCREEN(ctx, "-j2", "--eco", "e.shp", "-fcsv", "-oout.csv",
                                  "-q", "-", "a.shp");
    assert_non_null(o);
    assert_int_equal(o->c.jobs, 2);
    assert_int_equal(o->c.format, RL_FMT_CSV);
    assert_string_equal(o->c.out_path, "out.csv");
    assert_true(o->c.quiet);
    /* A lone "-" is an operand, not an option. */
    assert_int_equal(o->nfootprints, 2);
    assert_string_equal(o->footprints[0], "-");
    rl_screen_options_free(o);
    o = SCREEN(ctx, "--eco", "e.shp", "--jobs", "all_cpus", "a.shp");
    assert_non_null(o);
    assert_int_equal(o->c.jobs, all_cpus());
    rl_screen_options_free(o);
    rl_ctx_free(ctx);
}

static void expect_usage(rl_ctx *ctx, rl_screen_options *o, const char *needle)
{
    assert_null(o);
    assert_int_equal(rl_ctx_status(ctx), RL_ERR_USAGE);
    if (!strstr(rl_ctx_errmsg(ctx), needle))
        fail_msg("message '%s' lacks '%s'", rl_ctx_errmsg(ctx), needle);
}

static void screen_usage_errors(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    expect_usage(ctx, SCREEN(ctx, "--eco", "e.shp"), "no FOOTPRINT");
    expect_usage(ctx, SCREEN(ctx, "a.shp"), "no control layer");
    expect_usage(ctx, SCREEN(ctx, "--eco"), "needs a value");
    expect_usage(ctx, SCREEN(ctx, "--eco", "e", "--bogus", "a"), "unknown option '--bogus'");
    expect_usage(ctx, SCREEN(ctx, "--control", "x=y", "a"), "NAME:RULE");
    expect_usage(ctx, SCREEN(ctx, "--control", "x:ban=y", "a"), "forbid, require or report");
    expect_usage(ctx, SCREEN(ctx, "--control", "x:forbid:fatal=y", "a"), "conflict or warn");
    expect_usage(ctx, SCREEN(ctx, "--control", "a b:forbid=y", "a"), "letters");
    expect_usage(ctx, SCREEN(ctx, "--eco", "e", "--eco", "f", "a"), "given twice");
    expect_usage(ctx, SCREEN(ctx, "--eco", "e", "--area", "flat", "a"), "ellipsoidal");
    expect_usage(ctx, SCREEN(ctx, "--eco", "e", "--units", "acre", "a"), "m2, ha, mu");
    expect_usage(ctx, SCREEN(ctx, "--eco", "e", "--format", "xml", "a"), "table, csv");
    expect_usage(ctx, SCREEN(ctx, "--eco", "e", "--jobs", "0", "a"), "--jobs");
    expect_usage(ctx, SCREEN(ctx, "--eco", "e", "--min-area", "-3", "a"), "non-negative");
    expect_usage(ctx, SCREEN(ctx, "--eco", "e", "--min-area", "nan", "a"), "non-negative");
    expect_usage(ctx, SCREEN(ctx, "--eco", "e", "--min-area", "inf", "a"), "non-negative");
    expect_usage(ctx, SCREEN(ctx, "--eco", "e", "--strict=yes", "a"), "--strict takes no value");
    expect_usage(ctx, SCREEN(ctx, "--eco", "e", "-qq", "a"), "-q takes no value");
    expect_usage(ctx, SCREEN(ctx, "--eco", "e", "-j0", "a"), "--jobs");
    expect_usage(ctx, SCREEN(ctx, "--eco", "e", "-x2", "a"), "unknown option '-x2'");
    /* A bad --pieces name fails before any work, not after the report. */
    expect_usage(ctx, SCREEN(ctx, "--eco", "e", "--pieces", "p.kml", "a"), ".gpkg");
    rl_ctx_free(ctx);
}

static void diff_and_area_options(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    rl_diff_options *d = rl_diff_options_new(
        ctx, 6, ARGS("--by", "HXLX", "--tolerance", "0.5ha", "old.shp", "new.gpkg"));
    assert_non_null(d);
    assert_string_equal(d->by, "HXLX");
    assert_rel(d->tolerance, 5000, 1e-15);
    assert_string_equal(d->new_path, "new.gpkg");
    rl_diff_options_free(d);
    assert_null(rl_diff_options_new(ctx, 1, ARGS("old.shp")));
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "OLD NEW"));
    assert_null(rl_diff_options_new(ctx, 3, ARGS("a", "b", "c")));
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "too many"));
    rl_area_options *a = rl_area_options_new(ctx, 3, ARGS("--expect-min", "12.5km2", "x.shp"));
    assert_non_null(a);
    assert_rel(a->expect_min, 12.5e6, 1e-15);
    rl_area_options_free(a);
    assert_null(rl_area_options_new(ctx, 2, ARGS("--pieces", "x.gpkg")));
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "unknown option '--pieces'"));
    rl_diff_options_free(NULL);
    rl_area_options_free(NULL);
    rl_screen_options_free(NULL);
    rl_ctx_free(ctx);
}

/*
 * --allow-empty (every command) and the skip options: --skip-bad-controls
 * for screen and audit, --skip-bad-features for diff and area; both flags,
 * off by default.
 */
static void trust_options(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    rl_screen_options *o = SCREEN(ctx, "--eco", "e.shp", "a.shp");
    assert_non_null(o);
    assert_false(o->c.allow_empty);
    assert_false(o->c.skip_bad);
    rl_screen_options_free(o);
    o = SCREEN(ctx, "--eco", "e.shp", "--allow-empty", "--skip-bad-controls", "a.shp");
    assert_non_null(o);
    assert_true(o->c.allow_empty);
    assert_true(o->c.skip_bad);
    rl_screen_options_free(o);
    assert_null(SCREEN(ctx, "--eco", "e.shp", "--skip-bad-features", "a.shp"));
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "unknown option '--skip-bad-features'"));
    assert_null(SCREEN(ctx, "--eco", "e.shp", "--skip-bad-controls=1", "a.shp"));
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "takes no value"));
    rl_diff_options *d = rl_diff_options_new(
        ctx, 4, ARGS("--skip-bad-features", "--allow-empty", "old.shp", "new.gpkg"));
    assert_non_null(d);
    assert_true(d->c.skip_bad);
    assert_true(d->c.allow_empty);
    rl_diff_options_free(d);
    assert_null(rl_diff_options_new(ctx, 3, ARGS("--skip-bad-controls", "o", "n")));
    rl_area_options *a = rl_area_options_new(ctx, 2, ARGS("--skip-bad-features", "x.shp"));
    assert_non_null(a);
    assert_true(a->c.skip_bad);
    assert_false(a->c.allow_empty);
    rl_area_options_free(a);
    rl_audit_options *au = rl_audit_options_new(ctx, 2, ARGS("--skip-bad-controls", "dir"));
    assert_non_null(au);
    assert_true(au->s->c.skip_bad);
    rl_audit_options_free(au);
    rl_ctx_free(ctx);
}

/*
 * The defaults --help shows (rl_option_default()) are what a run without the
 * option gets: parsing no options equals parsing each default spelled out,
 * and both equal the documented values.
 */
static void defaults_are_what_help_shows(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    const char *area = rl_option_default("--area");
    const char *units = rl_option_default("--units");
    const char *fmt = rl_option_default("--format");
    const char *jobs = rl_option_default("--jobs");
    const char *min_area = rl_option_default("--min-area");
    const char *tol = rl_option_default("--tolerance");
    assert_non_null(area);
    assert_non_null(units);
    assert_non_null(fmt);
    assert_non_null(jobs);
    assert_non_null(min_area);
    assert_non_null(tol);
    /* The documented values (SPEC.md, docs/, --help). */
    assert_string_equal(area, "ellipsoidal");
    assert_string_equal(units, "m2");
    assert_string_equal(fmt, "table");
    assert_string_equal(jobs, "ALL_CPUS");
    assert_string_equal(min_area, "1");
    assert_string_equal(tol, "1");
    /* No default, not an option, a short name, NULL. */
    assert_null(rl_option_default("--id-field"));
    assert_null(rl_option_default("--expect-min"));
    assert_null(rl_option_default("--bogus"));
    assert_null(rl_option_default("-j"));
    assert_null(rl_option_default(NULL));

    rl_screen_options *d = SCREEN(ctx, "--eco", "e.shp", "a.shp");
    rl_screen_options *e = SCREEN(ctx, "--eco", "e.shp", "--area", area, "--units", units,
                                  "--format", fmt, "--jobs", jobs, "--min-area", min_area,
                                  "a.shp");
    assert_non_null(d);
    assert_non_null(e);
    assert_int_equal(d->c.area, e->c.area);
    assert_int_equal(d->c.units, e->c.units);
    assert_int_equal(d->c.format, e->c.format);
    assert_int_equal(d->c.jobs, e->c.jobs);
    assert_true(d->min_area == e->min_area);
    assert_int_equal(d->c.area, RL_AREA_ELLIPSOIDAL);
    assert_int_equal(d->c.units, RL_U_M2);
    assert_int_equal(d->c.format, RL_FMT_TABLE);
    assert_int_equal(d->c.jobs, all_cpus());
    assert_rel(d->min_area, 1.0, 0);
    assert_false(d->strict);
    assert_false(d->c.quiet);
    assert_null(d->id_field);
    assert_null(d->c.out_path);
    rl_screen_options_free(d);
    rl_screen_options_free(e);

    rl_diff_options *dd = rl_diff_options_new(ctx, 2, ARGS("old.shp", "new.shp"));
    rl_diff_options *de = rl_diff_options_new(
        ctx, 12, ARGS("--tolerance", tol, "--jobs", jobs, "--area", area, "--units", units,
                      "--format", fmt, "old.shp", "new.shp"));
    assert_non_null(dd);
    assert_non_null(de);
    assert_true(dd->tolerance == de->tolerance);
    assert_rel(dd->tolerance, 1.0, 0);
    assert_int_equal(dd->c.jobs, de->c.jobs);
    assert_int_equal(dd->c.jobs, all_cpus());
    assert_int_equal(dd->c.area, RL_AREA_ELLIPSOIDAL);
    assert_int_equal(dd->c.format, RL_FMT_TABLE);
    assert_null(dd->by);
    rl_diff_options_free(dd);
    rl_diff_options_free(de);

    rl_area_options *a = rl_area_options_new(ctx, 1, ARGS("x.shp"));
    assert_non_null(a);
    assert_int_equal(a->c.jobs, all_cpus());
    assert_int_equal(a->c.units, RL_U_M2);
    assert_true(a->expect_min < 0); /* none */
    rl_area_options_free(a);

    rl_audit_options *au = rl_audit_options_new(ctx, 1, ARGS("dir"));
    assert_non_null(au);
    assert_int_equal(au->s->c.jobs, all_cpus()); /* child processes at once */
    assert_rel(au->s->min_area, 1.0, 0);
    rl_audit_options_free(au);

    /* --jobs 1 stays available. */
    d = SCREEN(ctx, "--eco", "e.shp", "--jobs", "1", "a.shp");
    assert_non_null(d);
    assert_int_equal(d->c.jobs, 1);
    rl_screen_options_free(d);
    rl_ctx_free(ctx);
}

/* The quiet accessors read the parsed -q / --quiet; NULL gives 0. */
static void quiet_accessors(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    rl_screen_options *s = SCREEN(ctx, "--eco", "e.shp", "a.shp");
    assert_int_equal(rl_screen_options_quiet(s), 0);
    rl_screen_options_free(s);
    s = SCREEN(ctx, "--eco", "e.shp", "--quiet", "a.shp");
    assert_int_equal(rl_screen_options_quiet(s), 1);
    rl_screen_options_free(s);
    /* After "--", -q is a footprint, not an option. */
    s = SCREEN(ctx, "--eco", "e.shp", "--", "-q");
    assert_int_equal(rl_screen_options_quiet(s), 0);
    rl_screen_options_free(s);

    rl_diff_options *d = rl_diff_options_new(ctx, 3, ARGS("-q", "o", "n"));
    assert_int_equal(rl_diff_options_quiet(d), 1);
    rl_diff_options_free(d);
    d = rl_diff_options_new(ctx, 2, ARGS("o", "n"));
    assert_int_equal(rl_diff_options_quiet(d), 0);
    rl_diff_options_free(d);

    rl_area_options *a = rl_area_options_new(ctx, 2, ARGS("x", "--quiet"));
    assert_int_equal(rl_area_options_quiet(a), 1);
    rl_area_options_free(a);

    rl_audit_options *au = rl_audit_options_new(ctx, 2, ARGS("-q", "dir"));
    assert_int_equal(rl_audit_options_quiet(au), 1);
    rl_audit_options_free(au);
    au = rl_audit_options_new(ctx, 1, ARGS("dir"));
    assert_int_equal(rl_audit_options_quiet(au), 0);
    rl_audit_options_free(au);
    /* audit has no --pieces. */
    assert_null(rl_audit_options_new(ctx, 3, ARGS("--pieces", "p.gpkg", "dir")));
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "--pieces is not available"));

    assert_int_equal(rl_screen_options_quiet(NULL), 0);
    assert_int_equal(rl_diff_options_quiet(NULL), 0);
    assert_int_equal(rl_area_options_quiet(NULL), 0);
    assert_int_equal(rl_audit_options_quiet(NULL), 0);
    rl_audit_options_set_progress(NULL, NULL, NULL);
    rl_screen_options_set_progress(NULL, NULL, NULL);
    rl_diff_options_set_progress(NULL, NULL, NULL);
    rl_area_options_set_progress(NULL, NULL, NULL);
    rl_audit_options_free(NULL);
    rl_ctx_free(ctx);
}

/* The output buffer: JSON quoting of every escape class, long printf. */
static void buffer_and_json_quoting(void **state)
{
    (void)state;
    rl_buf b = {0};
    rl_buf_json_str(&b, "plain 生态保护红线");
    rl_buf_puts(&b, "|");
    rl_buf_json_str(&b, "q\"b\\n\nr\rt\tc\x01" "end");
    rl_buf_puts(&b, "|");
    rl_buf_json_str(&b, "");
    assert_string_equal(b.s, "\"plain 生态保护红线\"|"
                             "\"q\\\"b\\\\n\\nr\\rt\\tc\\u0001end\"|\"\"");
    /* A printf longer than the room left must come out whole. */
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    size_t before = b.len;
    rl_buf_printf(&b, "<%s>%d", big, 42);
    assert_int_equal(b.len, before + sizeof big - 1 + 4);
    assert_string_equal(b.s + b.len - 4, "x>42");
    assert_int_equal(strlen(b.s), b.len);
    free(b.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(screen_defaults_and_controls),
        cmocka_unit_test(screen_all_options),
        cmocka_unit_test(short_options_attached),
        cmocka_unit_test(screen_usage_errors),
        cmocka_unit_test(diff_and_area_options),
        cmocka_unit_test(trust_options),
        cmocka_unit_test(defaults_are_what_help_shows),
        cmocka_unit_test(quiet_accessors),
        cmocka_unit_test(buffer_and_json_quoting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
