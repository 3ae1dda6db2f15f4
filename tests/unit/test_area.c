/*
 * Areas against independent values: the closed-form area of an ellipsoidal
 * quadrangle (bounded by two meridians and two parallels) on GRS80, and
 * hand geometry for planar areas.
 */
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static const double A_GRS80 = 6378137.0, RF_GRS80 = 298.257222101;
#define DEG (M_PI / 180.0)

/* Area between meridians lon1, lon2 and parallels lat1, lat2 (degrees). */
static double quadrangle(double lon1, double lon2, double lat1, double lat2)
{
    double f = 1.0 / RF_GRS80, b = A_GRS80 * (1 - f), e2 = f * (2 - f),
           e = sqrt(e2);
    double q[2];
    double lat[2] = {lat1 * DEG, lat2 * DEG};
    for (int i = 0; i < 2; i++) {
        double s = sin(lat[i]);
        q[i] = s / (1 - e2 * s * s) + log((1 + e * s) / (1 - e * s)) / (2 * e);
    }
    return b * b / 2 * (lon2 - lon1) * DEG * (q[1] - q[0]);
}

/*
 * WKT of the quadrangle with its parallels densified every `step` degrees
 * (and its meridians too when projected by to_proj), so that edges read as
 * geodesics or as straight lines in the plane follow it closely (error ~
 * step^2).
 */
static char *quad_wkt(double lon1, double lon2, double lat1, double lat2,
                      double step, PJ *to_proj)
{
    rl_buf b = {0};
    int n = (int)lround((lon2 - lon1) / step);
    rl_buf_puts(&b, "POLYGON((");
    double pts[4][3] = {{lon1, lat1, 1}, {lon2, lat1, 0}, {lon2, lat2, -1},
                        {lon1, lat2, 0}};
    int first = 1;
    for (int side = 0; side < 4; side++) {
        /*
         * Sides 0 and 2 run along parallels; 1 and 3 along meridians, which
         * are straight in lon/lat but curved in a projected plane, where
         * ellipsoidal area reads edges as straight: densify them there too.
         */
        int m = (side % 2 == 0) ? n : to_proj ? (int)lround((lat2 - lat1) / step) : 1;
        double x0 = pts[side][0], y0 = pts[side][1];
        double x1 = pts[(side + 1) % 4][0], y1 = pts[(side + 1) % 4][1];
        for (int i = 0; i < m; i++) {
            double x = x0 + (x1 - x0) * i / m, y = y0 + (y1 - y0) * i / m;
            if (to_proj) {
                PJ_COORD c = proj_trans(to_proj, PJ_FWD, proj_coord(x, y, 0, 0));
                x = c.xy.x;
                y = c.xy.y;
            }
            rl_buf_printf(&b, "%s%.10f %.10f", first ? "" : ",", x, y);
            first = 0;
        }
    }
    double x = lon1, y = lat1;
    if (to_proj) {
        PJ_COORD c = proj_trans(to_proj, PJ_FWD, proj_coord(x, y, 0, 0));
        x = c.xy.x;
        y = c.xy.y;
    }
    rl_buf_printf(&b, ",%.10f %.10f))", x, y);
    return b.s;
}

static void ellipsoidal_quadrangle_lonlat(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    rl_crs *crs = rl_crs_from_user(ctx, "EPSG:4490");
    assert_non_null(crs);
    assert_true(crs->geographic);
    assert_rel(crs->a, A_GRS80, 1e-15);
    char *wkt = quad_wkt(116, 117, 39, 40, 0.001, NULL);
    GEOSGeometry *g = tu_wkt(ctx, wkt);
    double a = 0;
    assert_int_equal(rl_geom_area(ctx, g, crs, RL_AREA_ELLIPSOIDAL, &a), RL_OK);
    /* About 9,570 km2; agreement far inside the 1e-5 product target. */
    assert_rel(a, quadrangle(116, 117, 39, 40), 1e-9);
    GEOSGeom_destroy_r(ctx->geos, g);
    free(wkt);
    rl_crs_free(crs);
    rl_ctx_free(ctx);
}

static void ellipsoidal_quadrangle_gauss_kruger(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    /* Zone-prefixed eastings: x = 39,500,000 at 117E. */
    rl_crs *crs = rl_crs_from_user(ctx, "EPSG:4527");
    assert_non_null(crs);
    assert_false(crs->geographic);
    assert_string_equal(crs->name, "EPSG:4527");
    PJ *pj = rl_ctx_pj(ctx, crs->geog_def, crs->def);
    assert_non_null(pj);
    char *wkt = quad_wkt(116.9, 117.2, 39.6, 39.8, 0.0002, pj);
    GEOSGeometry *g = tu_wkt(ctx, wkt);
    double minx = 0;
    GEOSGeom_getXMin_r(ctx->geos, g, &minx);
    assert_true(minx > 39e6 && minx < 40e6);
    double a = 0, p = 0;
    assert_int_equal(rl_geom_area(ctx, g, crs, RL_AREA_ELLIPSOIDAL, &a), RL_OK);
    assert_rel(a, quadrangle(116.9, 117.2, 39.6, 39.8), 1e-9);
    /* Gauss-Krüger plane area is within ~2e-5 of it near the CM (NOTES). */
    assert_int_equal(rl_geom_area(ctx, g, crs, RL_AREA_PLANAR, &p), RL_OK);
    assert_true(fabs(p / a - 1) < 2e-5);
    assert_true(p != a);
    GEOSGeom_destroy_r(ctx->geos, g);
    free(wkt);
    rl_crs_free(crs);
    rl_ctx_free(ctx);
}

static void planar_square_and_hole(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    rl_crs *crs = rl_crs_from_user(ctx, "EPSG:4527");
    GEOSGeometry *g = tu_wkt(ctx,
        "POLYGON((39500000 4400000,39501000 4400000,39501000 4401000,"
        "39500000 4401000,39500000 4400000),(39500100 4400100,39500100 "
        "4400300,39500300 4400300,39500300 4400100,39500100 4400100))");
    double a = 0;
    assert_int_equal(rl_geom_area(ctx, g, crs, RL_AREA_PLANAR, &a), RL_OK);
    assert_rel(a, 1e6 - 4e4, 1e-12);
    /* Ellipsoidal area subtracts the hole too; orientation does not matter. */
    double e = 0;
    assert_int_equal(rl_geom_area(ctx, g, crs, RL_AREA_ELLIPSOIDAL, &e), RL_OK);
    assert_rel(e, 1e6 - 4e4, 2e-5);
    GEOSGeometry *r = GEOSReverse_r(ctx->geos, g);
    double e2 = 0;
    assert_int_equal(rl_geom_area(ctx, r, crs, RL_AREA_ELLIPSOIDAL, &e2), RL_OK);
    assert_rel(e2, e, 1e-12);
    GEOSGeom_destroy_r(ctx->geos, r);
    GEOSGeom_destroy_r(ctx->geos, g);
    rl_crs_free(crs);
    rl_ctx_free(ctx);
}

static void planar_lonlat_uses_gauss_kruger_zone(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    rl_crs *geo = rl_crs_from_user(ctx, "EPSG:4490");
    rl_crs *gk = rl_crs_from_user(ctx, "EPSG:4548"); /* CM 117E, x0 500 km */
    char def[512];
    /* 116.4E rounds to the 117E zone (zone 39); 115.4E to 114E. */
    assert_non_null(strstr(rl_gk_zone_def(geo, 116.4, def, sizeof def), "+lon_0=117 "));
    assert_non_null(strstr(rl_gk_zone_def(geo, 115.4, def, sizeof def), "+lon_0=114 "));
    /* A 1 km square in EPSG:4548 taken to lon/lat has planar area 1e6 m2. */
    GEOSGeometry *sq = tu_wkt(ctx, "POLYGON((400000 4400000,401000 4400000,"
                                   "401000 4401000,400000 4401000,400000 4400000))");
    PJ *pj = rl_ctx_pj(ctx, gk->def, geo->def);
    GEOSGeometry *ll = rl_geom_transform(ctx, sq, pj);
    assert_non_null(ll);
    double a = 0;
    assert_int_equal(rl_geom_area(ctx, ll, geo, RL_AREA_PLANAR, &a), RL_OK);
    assert_rel(a, 1e6, 1e-9);
    GEOSGeom_destroy_r(ctx->geos, ll);
    GEOSGeom_destroy_r(ctx->geos, sq);
    rl_crs_free(geo);
    rl_crs_free(gk);
    rl_ctx_free(ctx);
}

static void units(void **state)
{
    (void)state;
    rl_units u;
    assert_true(rl_units_parse("mu", &u));
    assert_int_equal(u, RL_U_MU);
    assert_rel(rl_units_factor(u), 666.6666666666667, 1e-15);
    assert_true(rl_units_parse("亩", &u));
    assert_int_equal(u, RL_U_MU);
    assert_true(rl_units_parse("ha", &u));
    assert_rel(rl_units_factor(u), 1e4, 0);
    assert_false(rl_units_parse("acre", &u));
    double m2 = 0;
    assert_true(rl_parse_area_with_unit("12.5km2", &m2));
    assert_rel(m2, 12.5e6, 1e-15);
    assert_true(rl_parse_area_with_unit("1800ha", &m2));
    assert_rel(m2, 18e6, 1e-15);
    assert_true(rl_parse_area_with_unit("27000mu", &m2));
    assert_rel(m2, 18e6, 1e-12); /* 27000 mu = 1800 ha */
    assert_true(rl_parse_area_with_unit("5", &m2));
    assert_rel(m2, 5, 0);
    assert_false(rl_parse_area_with_unit("5 furlongs", &m2));
    assert_false(rl_parse_area_with_unit("-1", &m2));
    assert_false(rl_parse_area_with_unit("", &m2));
    /* strtod() would read these as 16, 1, 1 and infinity. */
    assert_false(rl_parse_area_with_unit("0x10", &m2));
    assert_false(rl_parse_area_with_unit(" 1", &m2));
    assert_false(rl_parse_area_with_unit("+1", &m2));
    assert_false(rl_parse_area_with_unit("inf", &m2));
    assert_false(rl_parse_area_with_unit("nan", &m2));
    assert_false(rl_parse_area_with_unit("1e999", &m2));
    assert_false(rl_parse_area_with_unit(".", &m2));
    assert_true(rl_parse_area_with_unit("1e3", &m2));
    assert_rel(m2, 1000.0, 0);
    assert_true(rl_parse_area_with_unit(".5ha", &m2));
    assert_rel(m2, 5000.0, 0);
    assert_true(rl_parse_area_with_unit("2e1mu", &m2));
    assert_rel(m2, 20 * 10000.0 / 15.0, 1e-15);
}

/* ---- issue 17: edges straight in the CRS; the survey series ---- */

/* xorshift64*: the same polygons on every platform. */
static double rnd(uint64_t *st)
{
    *st ^= *st >> 12, *st ^= *st << 25, *st ^= *st >> 27;
    return (double)((*st * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/*
 * A random star-shaped polygon of n vertices around (cx, cy), radius up to r
 * (CRS units), as WKT; with ins >= 0 a vertex is inserted at parameter t on
 * edge ins, computed in the CRS's own coordinates.
 */
static char *star_wkt(uint64_t seed, int n, double cx, double cy, double r, int ins,
                      double t)
{
    double x[64], y[64];
    uint64_t st = seed;
    for (int i = 0; i < n; i++) {
        double ang = 2 * M_PI * (i + 0.2 + 0.6 * rnd(&st)) / n, rad = r * (0.3 + 0.7 * rnd(&st));
        x[i] = cx + rad * cos(ang);
        y[i] = cy + rad * sin(ang);
    }
    rl_buf b = {0};
    rl_buf_puts(&b, "POLYGON((");
    for (int i = 0; i <= n; i++) {
        int k = i % n;
        rl_buf_printf(&b, "%s%.17g %.17g", i ? "," : "", x[k], y[k]);
        if (i == ins) {
            int j = (k + 1) % n;
            rl_buf_printf(&b, ",%.17g %.17g", x[k] + t * (x[j] - x[k]), y[k] + t * (y[j] - y[k]));
        }
    }
    rl_buf_puts(&b, "))");
    return b.s;
}

static double wkt_area(rl_ctx *ctx, const char *wkt, const rl_crs *crs, rl_area_method m)
{
    GEOSGeometry *g = tu_wkt(ctx, wkt);
    double a = -1;
    assert_int_equal(rl_geom_area(ctx, g, crs, m, &a), RL_OK);
    GEOSGeom_destroy_r(ctx->geos, g);
    return a;
}

/*
 * Property: a vertex inserted on a straight edge moves the ellipsoidal area
 * by < 1e-9 relative, for random polygons from 10 m to 300 km across, in
 * lon/lat (EPSG:4490, 20-50N) and in a zone-prefixed GK plane (EPSG:4527).
 * The geodesic reading must move by more on the big ones: the check can fail.
 */
static void ellipsoidal_vertex_on_edge(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    rl_crs *crs[2] = {rl_crs_from_user(ctx, "EPSG:4490"), rl_crs_from_user(ctx, "EPSG:4527")};
    uint64_t st = 17;
    double worst = 0, worst_geod = 0;
    for (int c = 0; c < 2; c++) {
        for (int it = 0; it < 200; it++) {
            /* Size 10 m .. 300 km, log-uniform. */
            double size_m = 10 * pow(3e4, rnd(&st));
            int n = 3 + (int)(rnd(&st) * 30);
            double cx = c ? 39500000 + (rnd(&st) - 0.5) * 200000 : 100 + 20 * rnd(&st);
            double cy = c ? 3.5e6 + rnd(&st) * 1e6 : 20 + 30 * rnd(&st);
            double r = c ? size_m / 2 : size_m / 2 / 111000;
            uint64_t seed = 1 + (uint64_t)it * 7919 + (uint64_t)c * 104729;
            int ins = (int)(rnd(&st) * n);
            double t = 0.05 + 0.9 * rnd(&st);
            char *w0 = star_wkt(seed, n, cx, cy, r, -1, 0);
            char *w1 = star_wkt(seed, n, cx, cy, r, ins, t);
            double a0 = wkt_area(ctx, w0, crs[c], RL_AREA_ELLIPSOIDAL);
            double a1 = wkt_area(ctx, w1, crs[c], RL_AREA_ELLIPSOIDAL);
            double d = fabs(a1 / a0 - 1);
            if (d > worst)
                worst = d;
            if (d >= 1e-9)
                print_message("polygon %d/%d (%.0f m, %d vertices): %.3g\n", c, it, size_m, n, d);
            assert_true(d < 1e-9);
            double g0 = wkt_area(ctx, w0, crs[c], RL_AREA_GEODESIC);
            double g1 = wkt_area(ctx, w1, crs[c], RL_AREA_GEODESIC);
            if (fabs(g1 / g0 - 1) > worst_geod)
                worst_geod = fabs(g1 / g0 - 1);
            free(w0);
            free(w1);
        }
    }
    print_message("worst relative change: ellipsoidal %.3g, geodesic %.3g\n", worst, worst_geod);
    assert_true(worst_geod > 1e-7);
    rl_crs_free(crs[0]);
    rl_crs_free(crs[1]);
    rl_ctx_free(ctx);
}

/*
 * The survey series (国土调查办发〔2008〕32号) of a meridian/parallel
 * quadrangle with 4 vertices is the closed form up to its e^10 truncation
 * (~1e-11); the ellipsoidal reading of that 4-vertex lon/lat polygon is the
 * quadrangle exactly.  In the GK plane, survey takes the zone from an 8-digit
 * easting: the same coordinates labelled EPSG:4527 (zone 39) and EPSG:4528
 * (zone 40) give the same survey area, and the GK-plane vertices give the
 * area of their lon/lat images.
 */
static void survey_quadrangle_and_zone(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    rl_crs *ll = rl_crs_from_user(ctx, "EPSG:4490");
    const char *q = "POLYGON((116 39,117 39,117 40,116 40,116 39))";
    assert_rel(wkt_area(ctx, q, ll, RL_AREA_SURVEY), quadrangle(116, 117, 39, 40), 1e-11);
    assert_rel(wkt_area(ctx, q, ll, RL_AREA_ELLIPSOIDAL), quadrangle(116, 117, 39, 40), 1e-12);
    const char *q2 = "POLYGON((73 18,135 18,135 53,73 53,73 18))"; /* China's box */
    assert_rel(wkt_area(ctx, q2, ll, RL_AREA_SURVEY), quadrangle(73, 135, 18, 53), 1e-11);
    assert_rel(wkt_area(ctx, q2, ll, RL_AREA_ELLIPSOIDAL), quadrangle(73, 135, 18, 53), 1e-12);

    rl_crs *z39 = rl_crs_from_user(ctx, "EPSG:4527"), *z40 = rl_crs_from_user(ctx, "EPSG:4528");
    const char *gk = "POLYGON((39520000 4400000,39580000 4400000,39580000 4450000,"
                     "39520000 4450000,39520000 4400000))";
    double s39 = wkt_area(ctx, gk, z39, RL_AREA_SURVEY), s40 = wkt_area(ctx, gk, z40, RL_AREA_SURVEY);
    assert_rel(s40, s39, 1e-13);
    /* ...while the other methods follow the (here wrong) label. */
    assert_true(fabs(wkt_area(ctx, gk, z40, RL_AREA_GEODESIC) / s39 - 1) > 1e-4);
    PJ *pj = rl_ctx_pj(ctx, z39->def, ll->def);
    GEOSGeometry *g = tu_wkt(ctx, gk), *t = rl_geom_transform(ctx, g, pj);
    double sl = 0;
    assert_int_equal(rl_geom_area(ctx, t, ll, RL_AREA_SURVEY, &sl), RL_OK);
    assert_rel(s39, sl, 1e-12);
    /* Survey and geodesic read a 60 km edge differently, by ~1e-6. */
    double gd = wkt_area(ctx, gk, z39, RL_AREA_GEODESIC);
    assert_true(fabs(s39 / gd - 1) > 1e-7 && fabs(s39 / gd - 1) < 1e-5);
    GEOSGeom_destroy_r(ctx->geos, g);
    GEOSGeom_destroy_r(ctx->geos, t);
    rl_crs_free(ll);
    rl_crs_free(z39);
    rl_crs_free(z40);
    rl_ctx_free(ctx);
}

/* The method names round-trip; a NULL geometry has area 0. */
static void method_names(void **state)
{
    (void)state;
    rl_area_method all[] = {RL_AREA_ELLIPSOIDAL, RL_AREA_GEODESIC, RL_AREA_SURVEY, RL_AREA_PLANAR};
    for (int i = 0; i < 4; i++) {
        rl_area_method m = RL_AREA_ELLIPSOIDAL;
        assert_true(rl_area_method_parse(rl_area_method_name(all[i]), &m));
        assert_int_equal(m, all[i]);
    }
    rl_area_method m = RL_AREA_SURVEY;
    assert_false(rl_area_method_parse("sphere", &m));
    assert_int_equal(m, RL_AREA_SURVEY);
    rl_ctx *ctx = rl_ctx_new();
    rl_crs *ll = rl_crs_from_user(ctx, "EPSG:4490");
    double a = -1;
    assert_int_equal(rl_geom_area(ctx, NULL, ll, RL_AREA_SURVEY, &a), RL_OK);
    assert_true(a == 0);
    rl_crs_free(ll);
    rl_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ellipsoidal_quadrangle_lonlat),
        cmocka_unit_test(ellipsoidal_quadrangle_gauss_kruger),
        cmocka_unit_test(planar_square_and_hole),
        cmocka_unit_test(planar_lonlat_uses_gauss_kruger_zone),
        cmocka_unit_test(units),
        cmocka_unit_test(ellipsoidal_vertex_on_edge),
        cmocka_unit_test(survey_quadrangle_and_zone),
        cmocka_unit_test(method_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
