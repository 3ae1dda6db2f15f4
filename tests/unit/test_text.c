/*
 * Text safety (issue 12, items 5-7): UTF-8 repair and character
 * boundaries, redaction of secrets, the CSV formula guard, escaping of
 * control characters, encoding names, and shapefile text that does not
 * decode in its declared encoding.  Every expected string is written out by
 * hand from the UTF-8, CSV and PostgreSQL conninfo rules.
 */
#include "testutil.h"

#include <cpl_string.h>
#include <gdal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HONG "\xE7\xBA\xA2" /* 红, 3 bytes */
#define FFFD "\xEF\xBF\xBD"

static void clean_replaces_each_bad_byte(void **state)
{
    (void)state;
    size_t nbad = 99;
    char *s = rl_utf8_clean("a\xFF" "b", &nbad);
    assert_string_equal(s, "a" FFFD "b");
    assert_int_equal(nbad, 1);
    free(s);
    /* A cut 3-byte character: both bytes replaced. */
    s = rl_utf8_clean("x\xE7\xBA", &nbad);
    assert_string_equal(s, "x" FFFD FFFD);
    assert_int_equal(nbad, 2);
    free(s);
    /* Overlong NUL (C0 80) and a surrogate (ED A0 80) are not UTF-8. */
    s = rl_utf8_clean("\xC0\x80|\xED\xA0\x80", &nbad);
    assert_string_equal(s, FFFD FFFD "|" FFFD FFFD FFFD);
    assert_int_equal(nbad, 5);
    free(s);
    s = rl_utf8_clean("plain " HONG, &nbad);
    assert_string_equal(s, "plain " HONG);
    assert_int_equal(nbad, 0);
    free(s);
    assert_null(rl_utf8_clean(NULL, NULL));
}

static void boundary_never_splits_a_character(void **state)
{
    (void)state;
    const char *s = "a" HONG HONG; /* 7 bytes */
    assert_int_equal(rl_utf8_boundary(s, 7), 7);
    assert_int_equal(rl_utf8_boundary(s, 6), 4);
    assert_int_equal(rl_utf8_boundary(s, 5), 4);
    assert_int_equal(rl_utf8_boundary(s, 4), 4);
    assert_int_equal(rl_utf8_boundary(s, 3), 1);
    assert_int_equal(rl_utf8_boundary(s, 1), 1);
    assert_int_equal(rl_utf8_boundary(s, 0), 0);
    /* A 4-byte character (U+1F600) cut after 3 bytes. */
    assert_int_equal(rl_utf8_boundary("ab\xF0\x9F\x98\x80", 5), 2);
    assert_int_equal(rl_utf8_boundary("ab\xF0\x9F\x98\x80", 6), 6);

    char buf[6];
    int n = rl_snprintf(buf, sizeof buf, "%s", s);
    assert_int_equal(n, 7);            /* what vsnprintf would return */
    assert_string_equal(buf, "a" HONG); /* not "a" HONG "\xE7" */
}

/* rl_fail used to cut at 1023 bytes whatever was there. */
static void messages_cut_at_a_character_boundary(void **state)
{
    (void)state;
    rl_buf b = {0};
    rl_buf_puts(&b, "a");
    for (int i = 0; i < 400; i++)
        rl_buf_puts(&b, HONG); /* 1 + 3 * 400 bytes: 1023 falls inside one */
    rl_fail(tu_ctx, RL_ERR_INPUT, "%s", b.s);
    const char *m = rl_ctx_errmsg(tu_ctx);
    assert_true(rl_is_utf8(m));
    assert_int_equal(strlen(m), 1 + 3 * 340);
    assert_memory_equal(m, b.s, strlen(m));
    rl_buf_free(&b);
    /* Control characters in a message are written out; secrets masked. */
    rl_fail(tu_ctx, RL_ERR_INPUT, "%s: bad", "PG:dbname=x password=s3cret\n\x1b[2Jfake");
    assert_string_equal(rl_ctx_errmsg(tu_ctx), "PG:dbname=x password=***\\n\\x1b[2Jfake: bad");
    rl_ctx_clear(tu_ctx);
}

static void expect_redacted(const char *in, const char *want)
{
    char *r = rl_redact(in);
    assert_non_null(r);
    if (strcmp(r, want) != 0)
        print_error("rl_redact(\"%s\") = \"%s\", want \"%s\"\n", in, r, want);
    assert_string_equal(r, want);
    free(r);
}

static void secrets_are_masked(void **state)
{
    (void)state;
    expect_redacted("PG:dbname=x password=s3cret host=h", "PG:dbname=x password=*** host=h");
    expect_redacted("PG:dbname=x PASSWORD=s3cret", "PG:dbname=x PASSWORD=***");
    expect_redacted("PG:password=s3cret dbname=x", "PG:password=*** dbname=x");
    expect_redacted("PG:dbname=x password='s3 cr\\'et' user=u",
                    "PG:dbname=x password='***' user=u");
    expect_redacted("PG:dbname=x password = \"a b\" user=u",
                    "PG:dbname=x password = \"***\" user=u");
    expect_redacted("PG:dbname=x password='unclosed", "PG:dbname=x password='***");
    expect_redacted("postgresql://u:s3cret@db.example:5432/gis",
                    "postgresql://u:***@db.example:5432/gis");
    expect_redacted("PG:postgresql://u:s3cret@h/gis?password=two&sslmode=require",
                    "PG:postgresql://u:***@h/gis?password=***&sslmode=require");
    expect_redacted("MYSQL:gis,user=u,password=s3cret", "MYSQL:gis,user=u,password=***");
    expect_redacted("ODBC:DSN=gis;UID=u;PWD=s3cret;X=1", "ODBC:DSN=gis;UID=u;PWD=***;X=1");
    expect_redacted("MSSQL:server=h;database=d;uid=u;pwd=s3cret",
                    "MSSQL:server=h;database=d;uid=u;pwd=***");
    /* In a message, "PATH: why" keeps its colon (masking twice changes nothing). */
    expect_redacted("PG:dbname=x password=s3cret: cannot open",
                    "PG:dbname=x password=***: cannot open");
    expect_redacted("PG:dbname=x password=***: cannot open",
                    "PG:dbname=x password=***: cannot open");
    expect_redacted("PG:dbname=x password=a:b", "PG:dbname=x password=***");
    /* The layer of PATH|layername=NAME is no part of the secret: merge opens it again. */
    expect_redacted("PG:dbname=x password=s3cret|layername=eco",
                    "PG:dbname=x password=***|layername=eco");
    /* Nothing to mask. */
    expect_redacted("postgresql://u@h/gis", "postgresql://u@h/gis");
    expect_redacted("/vsicurl/http://h:8080/x.gpkg", "/vsicurl/http://h:8080/x.gpkg");
    expect_redacted("data/mypassword=1.shp", "data/mypassword=1.shp");
    expect_redacted("passwordless=yes", "passwordless=yes");
    expect_redacted("", "");
    assert_null(rl_redact(NULL));
}

static void expect_csv(const char *in, const char *want)
{
    rl_buf b = {0};
    rl_buf_csv_str(&b, in);
    assert_string_equal(b.s ? b.s : "", want);
    rl_buf_free(&b);
}

static void csv_cells_never_start_a_formula(void **state)
{
    (void)state;
    expect_csv("=HYPERLINK(\"http://evil\",\"x\")", "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"");
    expect_csv("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0");
    expect_csv("-1+1", "'-1+1");
    expect_csv("@SUM(A1:A9)", "'@SUM(A1:A9)");
    expect_csv("\t=1", "'\t=1");
    expect_csv("\r=1", "\"'\r=1\"");
    /* Not at the start, or ordinary text: as before. */
    expect_csv("a=b", "a=b");
    expect_csv("P01", "P01");
    expect_csv("a,b", "\"a,b\"");
    expect_csv("", "");
    /* Bytes that are not UTF-8 never reach a CSV. */
    expect_csv("a\xFF", "a" FFFD);
}

static void expect_esc(const char *in, const char *want)
{
    rl_buf b = {0};
    rl_buf_puts_esc(&b, in);
    assert_string_equal(b.s ? b.s : "", want);
    rl_buf_free(&b);
}

static void control_characters_are_written_out(void **state)
{
    (void)state;
    expect_esc("a\x1b[31mred\x07", "a\\x1b[31mred\\x07");
    expect_esc("id\nsummary: 9 pass\r", "id\\nsummary: 9 pass\\r");
    expect_esc("a\tb\x7f", "a\\tb\\x7f");
    expect_esc("c1 \xC2\x9B" "31m", "c1 \\u009b31m");
    expect_esc("bad \xFF byte", "bad \\xff byte");
    expect_esc(HONG "\\x", HONG "\\x"); /* CJK and backslashes unchanged */
    char out[8];
    assert_string_equal(rl_text_escape(out, sizeof out, "\x1b" HONG HONG), "\\x1b" HONG);
    assert_string_equal(rl_text_escape(out, sizeof out, NULL), "");
}

static void encoding_names(void **state)
{
    (void)state;
    char e[64];
    const char *ok[][2] = {
        {"GBK", "GBK"},        {"gb2312", "gb2312"},      {"GB18030", "GB18030"},
        {"CP936", "CP936"},    {"936", "CP936"},          {"LDID/77", "CP936"},
        {"LDID/122", "CP936"}, {"8859-1", "ISO-8859-1"},  {"88595", "ISO-8859-5"},
        {"UTF8", "UTF-8"},     {"utf-8", "UTF-8"},        {"ISO-8859-1", "ISO-8859-1"},
        {"BIG5", "BIG5"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        assert_int_equal(rl_encoding_resolve(ok[i][0], e, sizeof e), 1);
        assert_string_equal(e, ok[i][1]);
    }
    const char *bad[] = {"KLINGON-9999", "GBKK", "LDID/999", "LDID/", "", "UTF-8\x1b",
                         "UTF-8//IGNORE", "GBK "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(rl_encoding_resolve(bad[i], e, sizeof e), 0);
    assert_int_equal(rl_encoding_resolve(NULL, e, sizeof e), 0);
}

/* A one-field polygon shapefile holding `value` as raw bytes, and a .cpg. */
static const char *raw_shp(const char *name, const char *value, const char *cpg)
{
    static char path[512];
    snprintf(path, sizeof path, "%s", tu_path(name));
    GDALAllRegister();
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("ESRI Shapefile"), path, 0, 0, 0,
                                 GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4527);
    char **lco = CSLSetNameValue(NULL, "ENCODING", ""); /* bytes as given */
    OGRLayerH l = GDALDatasetCreateLayer(ds, "x", srs, wkbPolygon, lco);
    CSLDestroy(lco);
    OGRFieldDefnH fd = OGR_Fld_Create("NAME", OFTString);
    OGR_L_CreateField(l, fd, TRUE);
    OGR_Fld_Destroy(fd);
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
    OGRGeometryH g = NULL;
    char *wkt = "POLYGON((39500000 4400000,39501000 4400000,39501000 4401000,"
                "39500000 4400000))";
    OGR_G_CreateFromWkt(&wkt, NULL, &g);
    OGR_F_SetGeometryDirectly(f, g);
    OGR_F_SetFieldString(f, 0, value);
    assert_int_equal(OGR_L_CreateFeature(l, f), OGRERR_NONE);
    OGR_F_Destroy(f);
    GDALClose(ds);
    OSRDestroySpatialReference(srs);
    char cpath[512];
    snprintf(cpath, sizeof cpath, "%.*s.cpg", (int)strlen(path) - 4, path);
    FILE *c = fopen(cpath, "wb");
    assert_non_null(c);
    fputs(cpg, c);
    fclose(c);
    return path;
}

/* GBK bytes under a .cpg that says UTF-8: GDAL passed them through. */
static void utf8_cpg_over_gbk_bytes(void **state)
{
    (void)state;
    rl_layer *L = NULL;
    const char *p = raw_shp("utf8cpg.shp", "\xD4\xB4\xBA" "ab", "UTF-8\r\n");
    assert_int_equal(rl_layer_read(tu_ctx, p, NULL, &L), RL_OK);
    const char *v = L->feat[0].attrs[0];
    /* D4 B4 is U+0534; BA alone is not UTF-8. */
    assert_string_equal(v, "\xD4\xB4" FFFD "ab");
    assert_int_equal(L->warnings.n, 1);
    assert_non_null(strstr(L->warnings.s[0], "utf8cpg.shp: FID 0, field 'NAME': 1 byte"));
    assert_non_null(strstr(L->warnings.s[0], "UTF-8"));
    assert_non_null(strstr(L->warnings.s[0], "U+FFFD"));
    rl_layer_free(tu_ctx, L);
}

/* Bytes that are not GBK under a .cpg that says GBK: GDAL dropped them. */
static void gbk_cpg_with_bytes_that_are_not_gbk(void **state)
{
    (void)state;
    /* 水 (CB AE), then FF (never GBK), then "z". */
    const char *p = raw_shp("gbkbad.shp", "\xCB\xAE\xFFz", "936");
    rl_layer *L = NULL;
    assert_int_equal(rl_layer_read(tu_ctx, p, NULL, &L), RL_OK);
    assert_string_equal(L->feat[0].attrs[0], "\xE6\xB0\xB4" FFFD "z");
    assert_int_equal(L->warnings.n, 1);
    assert_non_null(strstr(L->warnings.s[0], "FID 0, field 'NAME': 1 byte that does not "
                                             "decode as CP936"));
    assert_string_equal(L->encoding, "CP936 (.cpg)");
    rl_layer_free(tu_ctx, L);
}

static void unknown_cpg_is_refused(void **state)
{
    (void)state;
    const char *p = raw_shp("klingon.shp", "ab", "KLINGON-9999\n");
    rl_layer *L = NULL;
    assert_int_equal(rl_layer_read(tu_ctx, p, NULL, &L), RL_ERR_INPUT);
    assert_null(L);
    const char *m = rl_ctx_errmsg(tu_ctx);
    assert_non_null(strstr(m, "klingon.shp"));
    assert_non_null(strstr(m, "'KLINGON-9999'"));
    assert_non_null(strstr(m, ".cpg"));
    rl_ctx_clear(tu_ctx);
    /* --encoding is checked too (the CLI refuses it earlier). */
    rl_input_opts io = {.encoding = "GBKK"};
    p = raw_shp("nocpg.shp", "ab", "");
    assert_int_equal(rl_layer_read(tu_ctx, p, &io, &L), RL_ERR_USAGE);
    assert_non_null(strstr(rl_ctx_errmsg(tu_ctx), "'GBKK'"));
    rl_ctx_clear(tu_ctx);
}

static void layer_path_is_redacted(void **state)
{
    (void)state;
    rl_layer *L = NULL;
    rl_status st = rl_layer_read(tu_ctx, "PG:dbname=nope host=/nonexistent password=s3cret",
                                 NULL, &L);
    assert_int_not_equal(st, RL_OK);
    assert_null(strstr(rl_ctx_errmsg(tu_ctx), "s3cret"));
    assert_non_null(strstr(rl_ctx_errmsg(tu_ctx), "password=***"));
    rl_ctx_clear(tu_ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_replaces_each_bad_byte),
        cmocka_unit_test(boundary_never_splits_a_character),
        cmocka_unit_test(messages_cut_at_a_character_boundary),
        cmocka_unit_test(secrets_are_masked),
        cmocka_unit_test(csv_cells_never_start_a_formula),
        cmocka_unit_test(control_characters_are_written_out),
        cmocka_unit_test(encoding_names),
        cmocka_unit_test(utf8_cpg_over_gbk_bytes),
        cmocka_unit_test(gbk_cpg_with_bytes_that_are_not_gbk),
        cmocka_unit_test(unknown_cpg_is_refused),
        cmocka_unit_test(layer_path_is_redacted),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
