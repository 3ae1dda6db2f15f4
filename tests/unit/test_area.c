/*
 * Areas against independent values: the closed-form area of an ellipsoidal
 * quadrangle (bounded by two meridians and two parallels) on GRS80, and
 * hand geometry for planar areas.
 */
#include "testutil.h"

#include <math.h>
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
 * WKT of the quadrangle with its parallels densified every `step` degrees,
 * so the geodesic edges follow the parallels closely (error ~ step^2).
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
        /* Sides 0 and 2 run along parallels; 1 and 3 along meridians. */
        int m = (side % 2 == 0) ? n : 1;
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
    char *wkt = quad_wkt(116.9, 117.2, 39.6, 39.8, 0.0005, pj);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ellipsoidal_quadrangle_lonlat),
        cmocka_unit_test(ellipsoidal_quadrangle_gauss_kruger),
        cmocka_unit_test(planar_square_and_hole),
        cmocka_unit_test(planar_lonlat_uses_gauss_kruger_zone),
        cmocka_unit_test(units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
