/*
 * linear/: crossings, distances and rings on hand geometry in EPSG:4548
 * (CGCS2000 GK, central meridian 117E, x0 = 500 km).  Within 1.5 km of the
 * central meridian the scale factor differs from 1 by < 3e-8, so plane
 * metres are geodesic metres to well under a millimetre on these lengths.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

static rl_crs *gk(void)
{
    rl_crs *c = rl_crs_from_user(tu_ctx, "EPSG:4548");
    assert_non_null(c);
    return c;
}

/* 1000 m east, then 1000 m north; squares on it, adjacent ones joined. */
static void test_crossings(void **state)
{
    (void)state;
    rl_crs *c = gk();
    GEOSGeometry *line = tu_wkt(tu_ctx, "LINESTRING(500000 4420000, 501000 4420000, "
                                        "501000 4421000)");
    GEOSGeometry *p[4] = {
        /* 100-300 and 300-500 share an edge: one crossing 100-500 */
        tu_wkt(tu_ctx, "POLYGON((500100 4419900, 500300 4419900, 500300 4420100, "
                       "500100 4420100, 500100 4419900))"),
        tu_wkt(tu_ctx, "POLYGON((500300 4419900, 500500 4419900, 500500 4420100, "
                       "500300 4420100, 500300 4419900))"),
        /* on the northward leg: chainage 1000 + 200 .. 1000 + 400 */
        tu_wkt(tu_ctx, "POLYGON((500900 4420200, 501100 4420200, 501100 4420400, "
                       "500900 4420400, 500900 4420200))"),
        /* touches the line at one point only: no crossing */
        tu_wkt(tu_ctx, "POLYGON((500700 4420000, 500800 4420100, 500600 4420100, "
                       "500700 4420000))"),
    };
    rl_crossing *x = NULL;
    size_t n = 0;
    double len = 0;
    assert_int_equal(rl_line_crossings(tu_ctx, line, c, (const GEOSGeometry *const *)p, 4, c,
                                       &x, &n, &len), RL_OK);
    assert_int_equal(n, 2);
    assert_true(fabs(x[0].from_m - 100) < 1e-3 && fabs(x[0].to_m - 500) < 1e-3);
    assert_true(fabs(x[1].from_m - 1200) < 1e-3 && fabs(x[1].to_m - 1400) < 1e-3);
    assert_true(fabs(len - 600) < 2e-3);
    free(x);
    /* nothing inside: no crossing, length 0 */
    assert_int_equal(rl_line_crossings(tu_ctx, line, c, (const GEOSGeometry *const *)&p[3], 1,
                                       c, &x, &n, &len), RL_OK);
    assert_int_equal(n, 0);
    assert_null(x);
    assert_true(len == 0);
    for (int i = 0; i < 4; i++)
        GEOSGeom_destroy_r(tu_ctx->geos, p[i]);
    GEOSGeom_destroy_r(tu_ctx->geos, line);
    rl_crs_free(c);
}

/* A 100 m square and controls 350 m east and overlapping. */
static void test_near(void **state)
{
    (void)state;
    rl_crs *c = gk();
    GEOSGeometry *fp = tu_wkt(tu_ctx, "POLYGON((500000 4420000, 500100 4420000, "
                                      "500100 4420100, 500000 4420100, 500000 4420000))");
    GEOSGeometry *east = tu_wkt(tu_ctx, "POLYGON((500450 4419000, 501450 4419000, "
                                        "501450 4421000, 500450 4421000, 500450 4419000))");
    GEOSGeometry *on = tu_wkt(tu_ctx, "POLYGON((500050 4420050, 500150 4420050, "
                                      "500150 4420150, 500050 4420150, 500050 4420050))");
    double d = 0;
    const GEOSGeometry *a[2] = {east, on};
    assert_int_equal(rl_near_distance(tu_ctx, fp, a, 1, c, 500, &d), RL_OK);
    assert_true(fabs(d - 350) < 1e-3);
    assert_int_equal(rl_near_distance(tu_ctx, fp, a, 1, c, 300, &d), RL_OK);
    assert_true(isnan(d)); /* beyond reach */
    assert_int_equal(rl_near_distance(tu_ctx, fp, a, 2, c, 500, &d), RL_OK);
    assert_true(d == 0);
    GEOSGeom_destroy_r(tu_ctx->geos, fp);
    GEOSGeom_destroy_r(tu_ctx->geos, east);
    GEOSGeom_destroy_r(tu_ctx->geos, on);
    rl_crs_free(c);
}

/*
 * Rings: a 100 m square footprint, a control from 20 m east of it onwards.
 * Within 50 m: a 30 x 100 strip plus two corner pieces of a 50 m quarter
 * disc beyond x = 20, each the integral of sqrt(r^2 - x^2) from 20 to 50.
 * The buffer's arcs are 8-segment polygons (a little less area), hence 1%.
 */
static void test_rings(void **state)
{
    (void)state;
    rl_crs *c = gk();
    GEOSGeometry *fp = tu_wkt(tu_ctx, "POLYGON((500000 4420000, 500100 4420000, "
                                      "500100 4420100, 500000 4420100, 500000 4420000))");
    GEOSGeometry *ctl = tu_wkt(tu_ctx, "POLYGON((500120 4419000, 502000 4419000, "
                                       "502000 4421000, 500120 4421000, 500120 4419000))");
    const GEOSGeometry *a[1] = {ctl};
    double d[3] = {10, 50, 3000}, area[3];
    assert_int_equal(rl_ring_areas(tu_ctx, fp, a, 1, c, RL_AREA_PLANAR, d, 3, area), RL_OK);
    double r = 50, x = 20;
    double seg = (0 + r * r / 2 * M_PI / 2) - (x / 2 * sqrt(r * r - x * x) + r * r / 2 * asin(x / r));
    assert_true(area[0] == 0);
    assert_rel(area[1], 30 * 100 + 2 * seg, 0.01);
    assert_rel(area[2], 1880.0 * 2000, 1e-9); /* all of it: its far corner is 2147 m away */
    GEOSGeom_destroy_r(tu_ctx->geos, fp);
    GEOSGeom_destroy_r(tu_ctx->geos, ctl);
    rl_crs_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crossings),
        cmocka_unit_test(test_near),
        cmocka_unit_test(test_rings),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
