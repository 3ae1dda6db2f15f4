/*
 * Screening on hand-built geometry (EPSG:4527 metres, offsets X0/Y0), where
 * every planar figure is a rectangle area worked out by hand.
 */
#include "testutil.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A screen report's data: report.c keeps it untyped, screen.c knows its type. */
#define SCREEN(rep) ((rl_screen_data *)(rep)->data)

#define NARGS(...) (int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))
#define RUN(ctx, ...) run(ctx, NARGS(__VA_ARGS__), (const char *const[]){__VA_ARGS__})
#define X0 39500000.0
#define Y0 4400000.0

/* A feature: a rectangle in local metres (x offset ox), properties JSON. */
static char *box(const char *props, double ox, double x0, double y0, double x1,
                 double y1)
{
    char *s = malloc(512);
    snprintf(s, 512,
             "\"properties\":%s,\"geometry\":{\"type\":\"Polygon\","
             "\"coordinates\":[[[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],"
             "[%.3f,%.3f]]]}",
             props, ox + x0, Y0 + y0, ox + x1, Y0 + y0, ox + x1, Y0 + y1,
             ox + x0, Y0 + y1, ox + x0, Y0 + y0);
    return s;
}

static const char *write_layer(const char *name, int epsg, char **feats, size_t n)
{
    char *text = tu_geojson(epsg, (const char *const *)feats, n);
    const char *p = tu_write(name, text);
    free(text);
    for (size_t i = 0; i < n; i++)
        free(feats[i]);
    return p;
}

static char eco[512], udb[512], fps[512], farm[512];

static int setup(void **state)
{
    (void)state;
    char *e[] = {box("{\"HXMC\":\"A\",\"HXLX\":\"水源涵养\"}", X0, 0, 0, 1000, 1000),
                 box("{\"HXMC\":\"B\",\"HXLX\":\"水土保持\"}", X0, 500, 0, 1500, 1000)};
    snprintf(eco, sizeof eco, "%s", write_layer("eco.geojson", 4527, e, 2));
    /* Same square in EPSG:4548: only the false easting differs. */
    char *u[] = {box("{\"MC\":\"U\"}", 500000, 0, 0, 1000, 1000)};
    snprintf(udb, sizeof udb, "%s", write_layer("udb.geojson", 4548, u, 1));
    char *f[] = {
        box("{\"ID\":\"P1\"}", X0, 200, 200, 800, 800),
        box("{\"ID\":\"P2\"}", X0, 1200, 200, 1800, 800),
        box("{\"ID\":\"P3\"}", X0, 2000, 0, 2500, 500),
        box("{\"ID\":\"P4\"}", X0, -100, 0, 0.001, 500),
        strdup("\"properties\":{\"ID\":\"P5\"},\"geometry\":null"),
        box("{\"ID\":\"P6\"}", X0, 100, 100, 400, 400),
    };
    snprintf(fps, sizeof fps, "%s", write_layer("fp.geojson", 4527, f, 6));
    /* Square A again, in EPSG:4490 longitude/latitude, densified. */
    rl_ctx *ctx = rl_ctx_new();
    rl_crs *gk = rl_crs_from_user(ctx, "EPSG:4527");
    rl_crs *ll = rl_crs_from_user(ctx, "EPSG:4490");
    PJ *pj = rl_ctx_pj(ctx, gk->def, ll->def);
    rl_buf b = {0};
    rl_buf_puts(&b, "\"properties\":{\"DLMC\":\"水田\"},\"geometry\":{\"type\":"
                    "\"Polygon\",\"coordinates\":[[");
    double cx[] = {0, 1000, 1000, 0}, cy[] = {0, 0, 1000, 1000};
    for (int side = 0; side < 4; side++)
        for (int i = 0; i < 100; i++) {
            double t = i / 100.0;
            double x = cx[side] + (cx[(side + 1) % 4] - cx[side]) * t;
            double y = cy[side] + (cy[(side + 1) % 4] - cy[side]) * t;
            PJ_COORD c = proj_trans(pj, PJ_FWD, proj_coord(X0 + x, Y0 + y, 0, 0));
            rl_buf_printf(&b, "[%.12f,%.12f],", c.xy.x, c.xy.y);
        }
    PJ_COORD c = proj_trans(pj, PJ_FWD, proj_coord(X0, Y0, 0, 0));
    rl_buf_printf(&b, "[%.12f,%.12f]]]}", c.xy.x, c.xy.y);
    char *fa[] = {b.s};
    snprintf(farm, sizeof farm, "%s", write_layer("farm.geojson", 4490, fa, 1));
    rl_crs_free(gk);
    rl_crs_free(ll);
    rl_ctx_free(ctx);
    return 0;
}

static rl_report *run(rl_ctx *ctx, int argc, const char *const *argv)
{
    rl_screen_options *o = rl_screen_options_new(ctx, argc, argv);
    assert_non_null(o);
    rl_report *rep = NULL;
    rl_status st = rl_screen(ctx, o, &rep);
    if (st)
        fail_msg("screen failed: %s", rl_ctx_errmsg(ctx));
    /* The report borrows o (its opts): done() frees o after the report. */
    return rep;
}

static void done(rl_report *rep)
{
    rl_screen_options *o = (rl_screen_options *)SCREEN(rep)->opts;
    rl_report_free(rep);
    rl_screen_options_free(o);
}

static void planar_figures_by_hand(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    rl_report *rep = RUN(ctx, "--eco", eco, "--udb", udb,
                             "--id-field", "ID", "--area=planar", fps);
    const rl_screen_data *d = SCREEN(rep);
    assert_int_equal(d->nres, 6);
    const rl_fp_result *r = d->res;
    /* P1 lies in A and half in B: total counts the union once. */
    assert_string_equal(r[0].id, "P1");
    assert_rel(r[0].area_m2, 360000, 1e-12);
    assert_rel(r[0].ctl[0].overlap_m2, 360000, 1e-9);
    assert_int_equal(r[0].ctl[0].nhits, 2);
    assert_rel(r[0].ctl[0].hits[0].overlap_m2, 360000, 1e-9);
    assert_rel(r[0].ctl[0].hits[1].overlap_m2, 180000, 1e-9);
    assert_true(fabs(r[0].ctl[1].outside_m2) < 1e-3); /* round-trip noise */
    assert_int_equal(r[0].verdict, RL_V_CONFLICT);
    assert_string_equal(r[0].reasons[0], "overlaps eco: 360000.0 m2 (100.0%)");
    /* P2 straddles B's edge: half inside; wholly outside the UDB. */
    assert_rel(r[1].ctl[0].overlap_m2, 180000, 1e-9);
    assert_rel(r[1].ctl[0].overlap_pct, 50, 1e-9);
    assert_rel(r[1].ctl[1].outside_m2, 360000, 1e-9);
    assert_int_equal(r[1].nreasons, 2);
    assert_int_equal(r[1].verdict, RL_V_CONFLICT);
    /* P3: clean of eco, outside UDB: warn (require rule, warn severity). */
    assert_int_equal(r[2].ctl[0].nhits, 0);
    assert_rel(r[2].ctl[1].outside_m2, 250000, 1e-9);
    assert_int_equal(r[2].verdict, RL_V_WARN);
    /* P4: a 0.5 m2 sliver on A is reported but is no finding. */
    assert_int_equal(r[3].ctl[0].nhits, 1);
    assert_rel(r[3].ctl[0].overlap_m2, 0.5, 1e-4);
    assert_false(r[3].ctl[0].finding);
    assert_int_equal(r[3].verdict, RL_V_WARN); /* 50,000 m2 outside the UDB */
    /* P5: null geometry is an error naming the file and feature. */
    assert_int_equal(r[4].verdict, RL_V_ERROR);
    assert_non_null(strstr(r[4].error, "fp.geojson: feature 4: null geometry"));
    /* P6: inside A and the UDB. */
    assert_rel(r[5].ctl[0].overlap_m2, 90000, 1e-9);
    assert_true(fabs(r[5].ctl[1].outside_m2) < 1e-3);
    assert_int_equal(r[5].verdict, RL_V_CONFLICT);
    assert_int_equal(d->counts[RL_V_CONFLICT], 3);
    assert_int_equal(d->counts[RL_V_WARN], 2);
    assert_int_equal(d->counts[RL_V_ERROR], 1);
    assert_int_equal(rl_report_exit_code(rep), 2);
    done(rep);
    rl_ctx_free(ctx);
}

static void ellipsoidal_and_cross_crs(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    rl_report *rep = RUN(ctx, "--eco", eco, "--farmland",
                             farm, "--id-field", "ID", fps);
    const rl_fp_result *r = SCREEN(rep)->res;
    /* Near the central meridian GK plane and ellipsoid agree to ~2e-5. */
    assert_rel(r[0].area_m2, 360000, 2e-5);
    assert_true(r[0].area_m2 != 360000);
    assert_rel(r[0].ctl[0].overlap_m2, r[0].area_m2, 1e-9);
    assert_rel(r[0].ctl[0].overlap_pct, 100, 1e-9);
    /* Farmland is square A in lon/lat: P1 lies inside it. */
    assert_rel(r[0].ctl[1].overlap_m2, r[0].area_m2, 1e-6);
    assert_rel(r[1].ctl[0].overlap_m2, r[1].area_m2 / 2, 1e-6);
    assert_rel(r[5].ctl[1].overlap_m2, r[5].area_m2, 1e-6);
    assert_int_equal(r[2].verdict, RL_V_PASS);
    done(rep);
    rl_ctx_free(ctx);
}

static void strict_min_area_and_exit_codes(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    /* Only the UDB: P3 is warn, and --strict makes it a conflict. */
    rl_report *rep = RUN(ctx, "--udb", udb, "--id-field",
                             "ID", fps);
    assert_int_equal(SCREEN(rep)->res[2].verdict, RL_V_WARN);
    done(rep);
    rep = RUN(ctx, "--udb", udb, "--strict", "--id-field",
                  "ID", fps);
    assert_int_equal(SCREEN(rep)->res[2].verdict, RL_V_CONFLICT);
    done(rep);
    /* --min-area above every overlap (P1: 36 ha): nothing is a finding. */
    char spec[600];
    snprintf(spec, sizeof spec, "eco2:forbid:warn=%s", eco);
    rep = RUN(ctx, "--control", spec, "--min-area",
                  "40ha", "--id-field", "ID", fps);
    assert_int_equal(SCREEN(rep)->res[0].verdict, RL_V_PASS);
    assert_rel(SCREEN(rep)->res[0].ctl[0].overlap_m2, 360000, 2e-5);
    assert_int_equal(rl_report_exit_code(rep), 2); /* P5 is still an error */
    done(rep);
    /* A warn-severity forbid control gives warn, exit 0 without errors. */
    rep = RUN(ctx, "--control", spec, "--id-field", "DLMC",
                  farm);
    assert_int_equal(rl_report_exit_code(rep), 0);
    done(rep);
    snprintf(spec, sizeof spec, "eco2:forbid=%s", eco);
    rep = RUN(ctx, "--control", spec, "--id-field", "DLMC",
                  farm);
    assert_int_equal(SCREEN(rep)->res[0].verdict, RL_V_CONFLICT);
    assert_string_equal(SCREEN(rep)->res[0].id, "水田");
    assert_int_equal(rl_report_exit_code(rep), 1);
    done(rep);
    rl_ctx_free(ctx);
}

static void missing_control_fails_naming_it(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    const char *argv[] = {"--eco", "/nonexistent/eco.shp", fps};
    rl_screen_options *o = rl_screen_options_new(ctx, 3, argv);
    rl_report *rep = NULL;
    assert_int_equal(rl_screen(ctx, o, &rep), RL_ERR_INPUT);
    assert_null(rep);
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "control eco"));
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "/nonexistent/eco.shp"));
    rl_screen_options_free(o);
    rl_ctx_free(ctx);
}

static char *report_text(rl_ctx *ctx, rl_report *rep)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_int_equal(rl_report_write(ctx, rep, f), RL_OK);
    fclose(f);
    return buf;
}

static void jobs_give_identical_output_and_pieces(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    const char *pieces = tu_path("pieces.gpkg");
    rl_report *r1 = RUN(ctx, "--eco", eco, "--udb", udb,
                            "--id-field", "ID", "-f", "json", "--pieces", pieces, fps);
    rl_report *r2 = RUN(ctx, "--eco", eco, "--udb", udb,
                            "--id-field", "ID", "-f", "json", "--jobs=2", fps);
    char *t1 = report_text(ctx, r1), *t2 = report_text(ctx, r2);
    assert_string_equal(t1, t2);
    assert_non_null(strstr(t1, "\"attrs\": {\"HXMC\": \"A\", \"HXLX\": \"水源涵养\"}"));
    /* Pieces: one per hit; their areas sum to the per-feature overlaps. */
    size_t nhits = 0;
    double sum = 0;
    const rl_screen_data *d = SCREEN(r1);
    for (size_t i = 0; i < d->nres; i++)
        for (int k = 0; k < d->ncontrols; k++)
            for (size_t j = 0; j < d->res[i].ctl[k].nhits; j++) {
                nhits++;
                sum += d->res[i].ctl[k].hits[j].overlap_m2;
            }
    GDALDatasetH ds = GDALOpenEx(pieces, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_L_GetFeatureCount(l, TRUE), (GIntBig)nhits);
    double got = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        got += OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "area_m2"));
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    assert_rel(got, sum, 1e-12);
    free(t1);
    free(t2);
    done(r1);
    done(r2);
    rl_ctx_free(ctx);
}

/* A square control with 20,000 vertices: the clip-then-overlay and prepared
 * containment paths, against exact rectangle areas. */
static void big_control_polygon(void **state)
{
    (void)state;
    rl_buf b = {0};
    rl_buf_puts(&b, "\"properties\":{\"HXMC\":\"big\"},\"geometry\":{\"type\":"
                    "\"Polygon\",\"coordinates\":[[");
    double cx[] = {0, 1000, 1000, 0}, cy[] = {0, 0, 1000, 1000};
    for (int side = 0; side < 4; side++)
        for (int i = 0; i < 5000; i++) {
            double t = i / 5000.0;
            rl_buf_printf(&b, "[%.4f,%.4f],",
                          X0 + cx[side] + (cx[(side + 1) % 4] - cx[side]) * t,
                          Y0 + cy[side] + (cy[(side + 1) % 4] - cy[side]) * t);
        }
    rl_buf_printf(&b, "[%.4f,%.4f]]]}", X0, Y0);
    char *c[] = {b.s};
    char big[512], fp[512];
    snprintf(big, sizeof big, "%s", write_layer("big.geojson", 4527, c, 1));
    char *f[] = {box("{\"ID\":\"cross\"}", X0, 900.5, 400, 1100.5, 600),
                 box("{\"ID\":\"inside\"}", X0, 100.25, 100, 300.25, 300),
                 box("{\"ID\":\"corner\"}", X0, -50, -50, 50, 50)};
    snprintf(fp, sizeof fp, "%s", write_layer("bigfp.geojson", 4527, f, 3));
    rl_ctx *ctx = rl_ctx_new();
    rl_report *rep = RUN(ctx, "--eco", big, "--area", "planar", "--id-field", "ID", fp);
    const rl_fp_result *r = SCREEN(rep)->res;
    assert_rel(r[0].ctl[0].overlap_m2, 99.5 * 200, 1e-9);
    assert_rel(r[1].ctl[0].overlap_m2, 40000, 1e-9);
    assert_rel(r[2].ctl[0].overlap_m2, 2500, 1e-9);
    done(rep);
    rl_ctx_free(ctx);
}

/*
 * A mid-size control (1 000 vertices) goes through its ring index: clear
 * inside is the whole footprint, clear outside is no hit, the rest is
 * overlaid.  A footprint inside it and inside a second, overlapping control
 * feature counts its own area once, exactly.
 */
static void mid_size_control_ring_index(void **state)
{
    (void)state;
    rl_buf b = {0};
    rl_buf_puts(&b, "\"properties\":{\"HXMC\":\"mid\"},\"geometry\":{\"type\":"
                    "\"Polygon\",\"coordinates\":[[");
    double cx[] = {0, 1000, 1000, 0}, cy[] = {0, 0, 1000, 1000};
    for (int side = 0; side < 4; side++)
        for (int i = 0; i < 250; i++) {
            double t = i / 250.0;
            rl_buf_printf(&b, "[%.4f,%.4f],",
                          X0 + cx[side] + (cx[(side + 1) % 4] - cx[side]) * t,
                          Y0 + cy[side] + (cy[(side + 1) % 4] - cy[side]) * t);
        }
    rl_buf_printf(&b, "[%.4f,%.4f]]]}", X0, Y0);
    char *c[] = {b.s, box("{\"HXMC\":\"B\"}", X0, 500, 0, 1500, 1000)};
    char mid[512], fp[512];
    snprintf(mid, sizeof mid, "%s", write_layer("mid.geojson", 4527, c, 2));
    char *f[] = {box("{\"ID\":\"both\"}", X0, 600, 200, 800, 400),
                 box("{\"ID\":\"inside\"}", X0, 100, 100, 300, 300),
                 box("{\"ID\":\"outside\"}", X0, 2000, 0, 2100, 100),
                 box("{\"ID\":\"cross\"}", X0, 900.5, 400, 1100.5, 600)};
    snprintf(fp, sizeof fp, "%s", write_layer("midfp.geojson", 4527, f, 4));
    rl_ctx *ctx = rl_ctx_new();
    rl_report *rep = RUN(ctx, "--eco", mid, "--area", "planar", "--id-field", "ID", fp);
    const rl_screen_data *d = SCREEN(rep);
    assert_non_null(d->controls[0].layer->feat[0].ridx);
    const rl_fp_result *r = d->res;
    assert_int_equal(r[0].ctl[0].nhits, 2);
    assert_rel(r[0].ctl[0].overlap_m2, 40000, 1e-9);
    assert_true(r[0].ctl[0].overlap_m2 == r[0].area_m2); /* counted once, exactly */
    assert_true(r[0].ctl[0].outside_m2 == 0);
    assert_int_equal(r[1].ctl[0].nhits, 1);
    assert_rel(r[1].ctl[0].overlap_m2, 40000, 1e-9);
    assert_int_equal(r[2].ctl[0].nhits, 0);
    assert_int_equal(r[3].ctl[0].nhits, 2);
    assert_rel(r[3].ctl[0].hits[0].overlap_m2, 99.5 * 200, 1e-9);
    assert_rel(r[3].ctl[0].hits[1].overlap_m2, 40000, 1e-9);
    assert_rel(r[3].ctl[0].overlap_m2, 40000, 1e-9);
    done(rep);
    rl_ctx_free(ctx);
}

/*
 * Control features far from every footprint are counted, not kept: the
 * report still says how many the layer has, and hits keep their own FIDs
 * and attributes.
 */
static void far_control_features_counted(void **state)
{
    (void)state;
    char *c[] = {box("{\"MC\":\"far1\"}", X0, 50000, 50000, 51000, 51000),
                 box("{\"MC\":\"far2\"}", X0, -60000, 0, -59000, 1000),
                 box("{\"MC\":\"near\"}", X0, 0, 0, 1000, 1000)};
    const char *ctl = write_layer("far.geojson", 4527, c, 3);
    rl_ctx *ctx = rl_ctx_new();
    char spec[600];
    snprintf(spec, sizeof spec, "far:forbid=%s", ctl);
    rl_report *rep = RUN(ctx, "--control", spec, "--id-field", "ID", "--area=planar",
                         "-f", "json", fps);
    const rl_screen_data *d = SCREEN(rep);
    const rl_layer *CL = d->controls[0].layer;
    assert_int_equal(CL->n + CL->nfar, 3);
    assert_int_equal(CL->nfar, 2);
    const rl_fp_control *fc = &d->res[5].ctl[0]; /* P6 lies in "near" */
    assert_int_equal(fc->nhits, 1);
    assert_rel(fc->overlap_m2, 90000, 1e-9);
    assert_int_equal(CL->feat[fc->hits[0].feat].fid, 2);
    assert_string_equal(CL->feat[fc->hits[0].feat].attrs[0], "near");
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(rl_report_write(ctx, rep, f), RL_OK);
    rewind(f);
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_non_null(strstr(buf, "\"features\": 3,"));
    done(rep);
    rl_ctx_free(ctx);
}

/*
 * Pieces of control features that are apart are summed without a union;
 * pieces that overlap are still counted once.  Farmland-like squares C1, C2
 * (10 m apart) and C3 (overlapping C2 by 50 m); hand figures, planar.
 */
static void apart_pieces_summed_overlaps_once(void **state)
{
    (void)state;
    char *c[] = {box("{\"TBBH\":\"C1\"}", X0, 0, 0, 100, 100),
                 box("{\"TBBH\":\"C2\"}", X0, 110, 0, 200, 100),
                 box("{\"TBBH\":\"C3\"}", X0, 150, 0, 250, 100)};
    char ctl[512], fp[512];
    snprintf(ctl, sizeof ctl, "%s", write_layer("parcels.geojson", 4527, c, 3));
    char *f[] = {box("{\"ID\":\"apart\"}", X0, 50, 20, 140, 80),
                 box("{\"ID\":\"overlap\"}", X0, 50, 20, 160, 80),
                 box("{\"ID\":\"three\"}", X0, 50, 20, 240, 80)};
    snprintf(fp, sizeof fp, "%s", write_layer("parcelfp.geojson", 4527, f, 3));
    rl_ctx *ctx = rl_ctx_new();
    rl_report *rep = RUN(ctx, "--farmland", ctl, "--area", "planar", "--id-field", "ID", fp);
    const rl_fp_result *r = SCREEN(rep)->res;
    assert_int_equal(r[0].ctl[0].nhits, 2);
    assert_rel(r[0].ctl[0].overlap_m2, 50 * 60 + 30 * 60, 1e-9);
    assert_int_equal(r[1].ctl[0].nhits, 3);
    assert_rel(r[1].ctl[0].hits[2].overlap_m2, 10 * 60, 1e-9);
    assert_rel(r[1].ctl[0].overlap_m2, 50 * 60 + 50 * 60, 1e-9); /* C3 inside C2's piece */
    assert_rel(r[2].ctl[0].overlap_m2, 50 * 60 + 130 * 60, 1e-9);
    done(rep);
    rl_ctx_free(ctx);
}

/* GeoJSON "[[x,y],...]" and WKT "(x y,...)" of one closed ring, same rounded text. */
static void ring_texts(rl_buf *gj, rl_buf *wkt, const double *xy, int n)
{
    rl_buf_puts(gj, "[");
    rl_buf_puts(wkt, "(");
    for (int i = 0; i <= n; i++) {
        char sx[40], sy[40];
        snprintf(sx, sizeof sx, "%.3f", X0 + xy[2 * (i % n)]);
        snprintf(sy, sizeof sy, "%.3f", Y0 + xy[2 * (i % n) + 1]);
        rl_buf_printf(gj, "%s[%s,%s]", i ? "," : "", sx, sy);
        rl_buf_printf(wkt, "%s%s %s", i ? "," : "", sx, sy);
    }
    rl_buf_puts(gj, "]");
    rl_buf_puts(wkt, ")");
}

static double urand(unsigned *seed, double a, double b)
{
    return a + (b - a) * (rand_r(seed) / (double)RAND_MAX);
}

/*
 * A random polygon around (cx, cy): kind 0 a rotated rectangle, 1 convex
 * (points on a circle), 2 star-shaped (mostly concave); with a star hole of
 * radius < r0 when hole_r > 0.  Appends a GeoJSON feature to *feats and the
 * WKT to *wkts.
 */
static void random_polygon(unsigned *seed, int kind, int n, double cx, double cy,
                           double r0, double r1, double hole_r, const char *props,
                           char **feat, char **wkt)
{
    double *xy = malloc(2 * (size_t)(n + 4) * sizeof *xy);
    if (kind == 0) {
        double w = urand(seed, r0, r1), h = w * urand(seed, 0.4, 1), a = urand(seed, 0, M_PI);
        double px[] = {-w, w, w, -w}, py[] = {-h, -h, h, h};
        for (int i = 0; i < 4; i++) {
            xy[2 * i] = cx + (px[i] * cos(a) - py[i] * sin(a)) / 2;
            xy[2 * i + 1] = cy + (px[i] * sin(a) + py[i] * cos(a)) / 2;
        }
        n = 4;
    } else {
        double r = urand(seed, r0, r1);
        for (int i = 0; i < n; i++) {
            double t = (i + urand(seed, -0.35, 0.35)) * 2 * M_PI / n;
            double ri = kind == 1 ? r : urand(seed, r0, r1);
            xy[2 * i] = cx + ri * cos(t);
            xy[2 * i + 1] = cy + ri * sin(t);
        }
    }
    rl_buf gj = {0}, w = {0};
    rl_buf_printf(&gj, "\"properties\":%s,\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[",
                  props);
    rl_buf_puts(&w, "POLYGON(");
    ring_texts(&gj, &w, xy, n);
    if (hole_r > 0) {
        int m = 40;
        for (int i = 0; i < m; i++) { /* clockwise */
            double t = -(i + urand(seed, -0.3, 0.3)) * 2 * M_PI / m;
            double ri = urand(seed, hole_r / 3, hole_r);
            xy[2 * i] = cx + ri * cos(t);
            xy[2 * i + 1] = cy + ri * sin(t);
        }
        rl_buf_puts(&gj, ",");
        rl_buf_puts(&w, ",");
        ring_texts(&gj, &w, xy, m);
    }
    rl_buf_puts(&gj, "]}");
    rl_buf_puts(&w, ")");
    free(xy);
    *feat = gj.s;
    *wkt = w.s;
}

/*
 * Random footprints (rectangles, convex and concave polygons) against random,
 * overlapping controls (600-1 200-vertex stars, some with holes, and small
 * convex and concave parcels): every per-feature overlap and every total
 * (union rule) must be GEOS's own intersection and union area.  This runs
 * each shortcut of screen.c -- ring index, near-ring clipping, convex
 * clipping, the sum of apart pieces -- against the plain overlay.
 */
static void random_layers_against_geos(void **state)
{
    (void)state;
    enum { NC = 48, NF = 120 };
    unsigned seed = 2026;
    char *cf[NC], *cw[NC], *ff[NF], *fw[NF];
    double bx[8], by[8];
    for (int i = 0; i < NC; i++) {
        char props[64];
        snprintf(props, sizeof props, "{\"TBBH\":\"C%d\"}", i);
        double cx = urand(&seed, 0, 4000), cy = urand(&seed, 0, 4000);
        if (i < 8) {
            bx[i] = cx;
            by[i] = cy;
        } else if (i < 16) {
            /* a parcel inside a big star (or inside its hole) */
            cx = bx[i - 8] + urand(&seed, -100, 100);
            cy = by[i - 8] + urand(&seed, -100, 100);
        }
        if (i < 8)
            random_polygon(&seed, 2, 600 + rand_r(&seed) % 600, cx, cy, 400, 700,
                           i % 3 == 0 ? 350 : 0, props, &cf[i], &cw[i]);
        else
            random_polygon(&seed, 1 + i % 2, 5 + rand_r(&seed) % 8, cx, cy, 80, 220, 0,
                           props, &cf[i], &cw[i]);
    }
    for (int i = 0; i < NF; i++) {
        char props[64];
        snprintf(props, sizeof props, "{\"ID\":\"F%03d\"}", i);
        double cx = urand(&seed, 0, 4000), cy = urand(&seed, 0, 4000);
        if (i < 48) {
            /* at a big star's centre, across its hole's edge, or across its shell */
            double t = urand(&seed, 0, 2 * M_PI), dist = (double[]){0, 200, 300, 550}[i % 4];
            cx = bx[i % 8] + dist * cos(t);
            cy = by[i % 8] + dist * sin(t);
        }
        if (i >= 48 && i < 64) {
            /* big rectangles over a star's central parcel and out across its edge */
            double t = urand(&seed, 0, 2 * M_PI);
            random_polygon(&seed, 0, 4, bx[i % 8] + 250 * cos(t), by[i % 8] + 250 * sin(t),
                           800, 1000, 0, props, &ff[i], &fw[i]);
            continue;
        }
        random_polygon(&seed, i % 3, 5 + rand_r(&seed) % 8, cx, cy, 40, 300, 0, props,
                       &ff[i], &fw[i]);
    }
    char ctl[512], fp[512];
    snprintf(ctl, sizeof ctl, "%s", write_layer("rnd_ctl.geojson", 4527, cf, NC));
    snprintf(fp, sizeof fp, "%s", write_layer("rnd_fp.geojson", 4527, ff, NF));
    rl_ctx *ctx = rl_ctx_new();
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry *cg[NC];
    for (int i = 0; i < NC; i++) {
        cg[i] = tu_wkt(ctx, cw[i]);
        assert_non_null(cg[i]);
        assert_int_equal(GEOSisValid_r(h, cg[i]), 1);
    }
    rl_report *rep = RUN(ctx, "--farmland", ctl, "--area", "planar", "--id-field", "ID", fp);
    const rl_screen_data *d = SCREEN(rep);
    const rl_layer *CL = d->controls[0].layer;
    assert_int_equal(d->nres, NF);
    int hits = 0, multi = 0;
    for (int i = 0; i < NF; i++) {
        GEOSGeometry *f = tu_wkt(ctx, fw[i]);
        assert_int_equal(GEOSisValid_r(h, f), 1);
        GEOSGeometry *parts[NC];
        int np = 0;
        const rl_fp_control *fc = &d->res[i].ctl[0];
        for (int k = 0; k < NC; k++) {
            GEOSGeometry *x = GEOSIntersection_r(h, f, cg[k]);
            GEOSGeometry *p = rl_polygonal(ctx, x);
            GEOSGeom_destroy_r(h, x);
            double a = 0;
            GEOSArea_r(h, p, &a);
            if (a > 0)
                parts[np++] = p;
            else
                GEOSGeom_destroy_r(h, p);
            for (size_t j = 0; j < fc->nhits; j++)
                if (CL->feat[fc->hits[j].feat].fid == k) {
                    hits++;
                    if (fabs(fc->hits[j].overlap_m2 - a) > 1e-9 * a + 1e-6)
                        fail_msg("F%03d x C%d: %.10f, GEOS %.10f", i, k,
                                 fc->hits[j].overlap_m2, a);
                }
        }
        double ref = 0;
        if (np) {
            GEOSGeometry *col = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts,
                                                            (unsigned)np);
            GEOSGeometry *u = GEOSUnaryUnion_r(h, col);
            GEOSArea_r(h, u, &ref);
            GEOSGeom_destroy_r(h, u);
            GEOSGeom_destroy_r(h, col);
        }
        multi += np > 1;
        if (fabs(fc->overlap_m2 - ref) > 1e-9 * ref + 1e-6)
            fail_msg("F%03d: overlap %.10f, GEOS union %.10f (%d pieces)", i, fc->overlap_m2,
                     ref, np);
        GEOSGeom_destroy_r(h, f);
        free(fw[i]);
    }
    print_message("random layers: %d hits, %d footprints with several pieces\n", hits, multi);
    assert_true(hits > 60 && multi > 10);
    for (int i = 0; i < NC; i++) {
        GEOSGeom_destroy_r(h, cg[i]);
        free(cw[i]);
    }
    done(rep);
    rl_ctx_free(ctx);
}

/*
 * A square site (side S m) with n square holes of 4 m on a 10 m grid, as a
 * GeoJSON polygon at x offset dx; with as_parcels, the holes alone, one
 * feature each (farmland parcels the site was drawn around).
 */
static char **holes_layer(size_t n, double dx, int as_parcels, size_t *nfeat, double *side)
{
    size_t k = 1;
    while (k * k < n)
        k++;
    *side = 10.0 * (double)k + 10;
    char **f = calloc(n + 1, sizeof *f);
    rl_buf b = {0};
    *nfeat = 0;
    if (!as_parcels) {
        rl_buf_puts(&b, "\"properties\":{\"ID\":\"H\"},\"geometry\":{\"type\":\"Polygon\","
                        "\"coordinates\":[");
        rl_buf_printf(&b, "[[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f]]",
                      X0 + dx, Y0, X0 + dx + *side, Y0, X0 + dx + *side, Y0 + *side,
                      X0 + dx, Y0 + *side, X0 + dx, Y0);
    }
    for (size_t i = 0; i < n; i++) {
        double x = X0 + dx + 3 + 10.0 * (double)(i % k), y = Y0 + 3 + 10.0 * (double)(i / k);
        if (as_parcels) {
            char props[32];
            snprintf(props, sizeof props, "{\"ID\":\"P%zu\"}", i);
            f[(*nfeat)++] = box(props, x, 0, y - Y0, 4, y - Y0 + 4);
        } else {
            rl_buf_printf(&b, ",[[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f]]",
                          x, y, x, y + 4, x + 4, y + 4, x + 4, y, x, y);
        }
    }
    if (!as_parcels) {
        rl_buf_puts(&b, "]}");
        f[(*nfeat)++] = b.s;
    }
    return f;
}

/*
 * A footprint with thousands of holes against an identical control, the same
 * shifted 1 m, and parcels filling its holes (issue 12): exact planar areas,
 * and no GEOS relate on such inputs.  A covers test on them falls back to
 * GEOS's full relate, which costs rings x shared vertices: 2.5e8 here for
 * the identical control and 1.25e8 for each parcel, minutes at 50,000
 * holes.  Nor is the footprint overlaid whole with each parcel (its 25,005
 * vertices walked 5,000 times).  The bounds below are linear in the input.
 */
static void many_holes_stay_linear(void **state)
{
    (void)state;
    const size_t n = 5000; /* 25,005 vertices: the control gets a prepared geometry */
    size_t nf;
    double side;
    char **f = holes_layer(n, 0, 0, &nf, &side);
    char fp[512], same[512], shifted[512], parcels[512], touching[512];
    snprintf(fp, sizeof fp, "%s", write_layer("holes_fp.geojson", 4527, f, nf));
    free(f);
    f = holes_layer(n, 0, 0, &nf, &side);
    snprintf(same, sizeof same, "%s", write_layer("holes_same.geojson", 4527, f, nf));
    free(f);
    f = holes_layer(n, 1, 0, &nf, &side);
    snprintf(shifted, sizeof shifted, "%s", write_layer("holes_shift.geojson", 4527, f, nf));
    free(f);
    f = holes_layer(n, 1, 1, &nf, &side);
    snprintf(parcels, sizeof parcels, "%s", write_layer("holes_parcels.geojson", 4527, f, nf));
    free(f);
    f = holes_layer(n, 0, 1, &nf, &side);
    snprintf(touching, sizeof touching, "%s", write_layer("holes_touch.geojson", 4527, f, nf));
    free(f);
    const double holes = 16.0 * (double)n, area = side * side - holes;
    const unsigned long long vertices = 4 * (5ull * n + 5) + 2 * 5ull * n;

    /* Identical: the whole footprint.  Alone first, so that a quadratic
     * covers test fails here in seconds rather than after minutes. */
    rl_ctx *ctx = rl_ctx_new();
    rl_report *rep = RUN(ctx, "--eco", same, "--area=planar", "--jobs", "1", fp);
    const rl_screen_data *d = SCREEN(rep);
    assert_int_equal(d->nres, 1);
    const rl_fp_result *r = &d->res[0];
    assert_rel(r->area_m2, area, 1e-12);
    assert_int_equal(r->ctl[0].nhits, 1);
    assert_rel(r->ctl[0].overlap_m2, area, 1e-12);
    print_message("many holes, identical control: relate work %llu for %llu vertices\n",
                  ctx->relate_work, vertices);
    assert_true(ctx->relate_work <= 64 * vertices);
    done(rep);
    rl_ctx_free(ctx);

    ctx = rl_ctx_new();
    rep = RUN(ctx, "--udb", shifted, "--farmland", parcels, "--area=planar", "--jobs", "1", fp);
    d = SCREEN(rep);
    r = &d->res[0];
    /* Shifted 1 m east: all but a 1 m strip, less each hole and its copy
     * (16 + 16 - 3 x 4 m2 per cell). */
    assert_rel(r->ctl[0].overlap_m2, (side - 1) * side - 20.0 * (double)n, 1e-9);
    /* Parcels 1 m east of their holes: 1 x 4 m2 of each lies on the site. */
    assert_int_equal(r->ctl[1].nhits, n);
    assert_rel(r->ctl[1].overlap_m2, 4.0 * (double)n, 1e-9);
    for (size_t i = 0; i < r->ctl[1].nhits; i++)
        assert_rel(r->ctl[1].hits[i].overlap_m2, 4, 1e-6);
    print_message("many holes, shifted control and parcels: relate work %llu, overlay work "
                  "%llu\n", ctx->relate_work, ctx->overlay_work);
    assert_true(ctx->relate_work <= 64 * vertices);
    /* Overlaid whole with each parcel, the footprint alone would be 1.25e8. */
    assert_true(ctx->overlay_work <= 64 * vertices);
    done(rep);
    rl_ctx_free(ctx);

    /* Parcels exactly filling the holes touch the site everywhere and overlap nowhere. */
    ctx = rl_ctx_new();
    rep = RUN(ctx, "--farmland", touching, "--area=planar", "--jobs", "1", fp);
    d = SCREEN(rep);
    assert_int_equal(d->res[0].ctl[0].nhits, 0);
    assert_true(d->res[0].ctl[0].overlap_m2 == 0);
    assert_int_equal(d->res[0].verdict, RL_V_PASS);
    assert_true(ctx->relate_work <= 64 * vertices);
    assert_true(ctx->overlay_work <= 64 * vertices);
    done(rep);
    rl_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(planar_figures_by_hand),
        cmocka_unit_test(ellipsoidal_and_cross_crs),
        cmocka_unit_test(strict_min_area_and_exit_codes),
        cmocka_unit_test(missing_control_fails_naming_it),
        cmocka_unit_test(jobs_give_identical_output_and_pieces),
        cmocka_unit_test(big_control_polygon),
        cmocka_unit_test(mid_size_control_ring_index),
        cmocka_unit_test(far_control_features_counted),
        cmocka_unit_test(apart_pieces_summed_overlaps_once),
        cmocka_unit_test(random_layers_against_geos),
        cmocka_unit_test(many_holes_stay_linear),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
