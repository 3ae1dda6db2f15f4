/*
 * rl_clip_small(): the intersection of two small polygons when one is convex.
 * Hand cases give areas worked out by hand (planar, GEOSArea of the result);
 * the fuzz cases compare against GEOSIntersection on random convex polygons
 * and random star-shaped (mostly concave) ones: whenever the shortcut answers,
 * its answer must be a valid polygon of GEOS's area.
 *
 * rl_ringidx_near() + rl_clip_ring(): a big control seen from a footprint's
 * envelope as one ring with its far runs cut to chords, clipped by the convex
 * footprint; hand figures on a dense square with a hole, and GEOS's areas on
 * random 600-vertex stars.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


/* Area of rl_clip_small(a, b); -1 when the shortcut refused (NULL). */
static double clip_area(const char *wa, const char *wb)
{
    GEOSGeometry *a = tu_wkt(tu_ctx, wa), *b = tu_wkt(tu_ctx, wb);
    assert_non_null(a);
    assert_non_null(b);
    GEOSGeometry *c = rl_clip_small(tu_ctx, a, b);
    double area = -1;
    if (c) {
        assert_int_equal(GEOSisValid_r(tu_ctx->geos, c), 1);
        assert_int_equal(GEOSArea_r(tu_ctx->geos, c, &area), 1);
        if (GEOSisEmpty_r(tu_ctx->geos, c))
            assert_true(area == 0);
    }
    GEOSGeom_destroy_r(tu_ctx->geos, c);
    GEOSGeom_destroy_r(tu_ctx->geos, a);
    GEOSGeom_destroy_r(tu_ctx->geos, b);
    return area;
}

static void test_hand(void **state)
{
    (void)state;
    const char *sq = "POLYGON((0 0,10 0,10 10,0 10,0 0))";
    /* overlapping squares, either order, either orientation */
    assert_rel(clip_area(sq, "POLYGON((5 5,15 5,15 15,5 15,5 5))"), 25, 1e-12);
    assert_rel(clip_area("POLYGON((5 5,5 15,15 15,15 5,5 5))", sq), 25, 1e-12);
    /* one inside the other */
    assert_rel(clip_area(sq, "POLYGON((2 2,4 2,4 3,2 3,2 2))"), 2, 1e-12);
    assert_rel(clip_area("POLYGON((2 2,4 2,4 3,2 3,2 2))", sq), 2, 1e-12);
    /* apart: empty */
    assert_true(clip_area(sq, "POLYGON((20 0,30 0,30 10,20 0))") == 0);
    /* an L (concave) cut by a convex square, one piece: 6 x 2 + 2 x 4 */
    const char *ell = "POLYGON((0 0,10 0,10 4,4 4,4 10,0 10,0 0))";
    assert_rel(clip_area(ell, "POLYGON((2 2,8 2,8 8,2 8,2 2))"), 20, 1e-12);
    assert_rel(clip_area("POLYGON((2 2,8 2,8 8,2 8,2 2))", ell), 20, 1e-12);
}

/*
 * Gauss-Kruger magnitudes, by hand: the triangle (100,40) (300,40) (300,300) in
 * local metres; inside x <= 200, y <= 100 lies the part under its hypotenuse
 * y = 40 + 1.3 (x - 100): x from 100 to 200, y from 40 to min(100, ...).
 * The hypotenuse reaches y = 100 at x = 100 + 60 / 1.3.  Area = triangle
 * below that point + rectangle band beyond: 0.5 * (60/1.3) * 60 +
 * (200 - 100 - 60/1.3) * 60.
 */
static void test_hand_gk(void **state)
{
    (void)state;
    double x1 = 60.0 / 1.3;
    double expect = 0.5 * x1 * 60.0 + (100.0 - x1) * 60.0;
    assert_rel(clip_area("POLYGON((39500000 4400000,39500200 4400000,39500200 4400100,"
                         "39500000 4400100,39500000 4400000))",
                         "POLYGON((39500100 4400040,39500300 4400040,39500300 4400300,"
                         "39500100 4400040))"),
               expect, 1e-9);
}

static void test_refused(void **state)
{
    (void)state;
    /* a U cut across both arms: two pieces would come joined by a bridge */
    const char *u = "POLYGON((0 0,10 0,10 10,7 10,7 3,3 3,3 10,0 10,0 0))";
    assert_true(clip_area(u, "POLYGON((-1 5,11 5,11 12,-1 12,-1 5))") == -1);
    /* neither convex */
    assert_true(clip_area(u, "POLYGON((0 0,10 0,10 4,4 4,4 10,0 10,0 0))") == -1);
    /* a hole */
    assert_true(clip_area("POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,2 4,4 4,4 2,2 2))",
                          "POLYGON((1 1,9 1,9 9,1 9,1 1))") == -1);
    /* the convex side over 64 vertices, the other concave */
    char *big = malloc(1 << 16);
    size_t k = (size_t)snprintf(big, 1 << 16, "POLYGON((");
    for (int i = 0; i <= 100; i++)
        k += (size_t)snprintf(big + k, (1 << 16) - k, "%.15g %.15g%s",
                              10 * cos(2 * M_PI * (i % 100) / 100),
                              10 * sin(2 * M_PI * (i % 100) / 100), i < 100 ? "," : "))");
    assert_true(clip_area(big, "POLYGON((0 0,5 0,5 5,3 5,3 1,0 1,0 0))") == -1);
    /* the 100-gon, too big to clip with, as the subject of a small convex clip */
    assert_rel(clip_area(big, "POLYGON((-1 -1,1 -1,1 1,-1 1,-1 -1))"), 4, 1e-12);
    free(big);
    /* a multipolygon */
    assert_true(clip_area("MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((2 2,3 2,3 3,2 2)))",
                          "POLYGON((0 0,10 0,10 10,0 10,0 0))") == -1);
    /* sharing an edge: no area, whichever way it is answered */
    double a = clip_area("POLYGON((0 0,10 0,10 10,0 10,0 0))",
                         "POLYGON((10 0,20 0,20 10,10 10,10 0))");
    assert_true(a == -1 || a == 0);
}

/* Random convex polygon: the hull of n random points in a disc. */
static GEOSGeometry *random_convex(unsigned *seed, double cx, double cy, double r)
{
    GEOSContextHandle_t h = tu_ctx->geos;
    int n = 3 + rand_r(seed) % 12;
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)n, 2);
    for (int i = 0; i < n; i++) {
        double t = 2 * M_PI * rand_r(seed) / RAND_MAX, q = r * sqrt(rand_r(seed) / (double)RAND_MAX);
        GEOSCoordSeq_setXY_r(h, cs, (unsigned)i, cx + q * cos(t), cy + q * sin(t));
    }
    GEOSGeometry *mp = GEOSGeom_createLineString_r(h, cs);
    GEOSGeometry *hull = GEOSConvexHull_r(h, mp);
    GEOSGeom_destroy_r(h, mp);
    return hull;
}

/* Random star-shaped polygon (often of hundreds of vertices), radii in [r0, r1]. */
static GEOSGeometry *random_star(unsigned *seed, double cx, double cy, double r0,
                                 double r1)
{
    GEOSContextHandle_t h = tu_ctx->geos;
    int n = 3 + rand_r(seed) % (rand_r(seed) % 4 ? 20 : 600);
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)n + 1, 2);
    for (int i = 0; i <= n; i++) {
        double t = 2 * M_PI * (i % n) / n;
        double r = r0 + (r1 - r0) * rand_r(seed) / RAND_MAX;
        if (i == n) {
            double x, y;
            GEOSCoordSeq_getXY_r(h, cs, 0, &x, &y);
            GEOSCoordSeq_setXY_r(h, cs, (unsigned)n, x, y);
        } else {
            GEOSCoordSeq_setXY_r(h, cs, (unsigned)i, cx + r * cos(t), cy + r * sin(t));
        }
    }
    return GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, cs), NULL, 0);
}

static void test_fuzz_against_geos(void **state)
{
    (void)state;
    GEOSContextHandle_t h = tu_ctx->geos;
    unsigned seed = 777;
    int cases = 0, answered = 0, overlapping = 0;
    for (int it = 0; it < 4000; it++) {
        /* longitude/latitude, Gauss-Kruger and plain magnitudes */
        double ox = it % 3 == 0 ? 117.25 : it % 3 == 1 ? 39500000 : 0;
        double oy = it % 3 == 0 ? 31.5 : it % 3 == 1 ? 4400000 : 0;
        double s = it % 3 == 0 ? 1e-3 : 100;
        GEOSGeometry *a = random_star(&seed, ox, oy, 0.3 * s, s);
        GEOSGeometry *b = random_convex(&seed, ox + s * (rand_r(&seed) % 300) / 100.0 - 1.5 * s,
                                        oy + s * (rand_r(&seed) % 200) / 100.0 - s, s);
        if (GEOSisValid_r(h, a) != 1 || GEOSisValid_r(h, b) != 1 ||
            GEOSGetNumCoordinates_r(h, b) < 4) {
            GEOSGeom_destroy_r(h, a);
            GEOSGeom_destroy_r(h, b);
            continue;
        }
        GEOSGeometry *x = GEOSIntersection_r(h, a, b);
        double ga = 0, ca = 0;
        assert_int_equal(GEOSArea_r(h, x, &ga), 1);
        GEOSGeometry *c = it % 2 ? rl_clip_small(tu_ctx, a, b) : rl_clip_small(tu_ctx, b, a);
        cases++;
        overlapping += ga > 0;
        if (c) {
            answered++;
            assert_int_equal(GEOSisValid_r(h, c), 1);
            assert_int_equal(GEOSArea_r(h, c, &ca), 1);
            if (fabs(ca - ga) > 1e-9 * s * s)
                fail_msg("case %d: clip area %.17g, GEOS %.17g", it, ca, ga);
        }
        GEOSGeom_destroy_r(h, c);
        GEOSGeom_destroy_r(h, x);
        GEOSGeom_destroy_r(h, a);
        GEOSGeom_destroy_r(h, b);
    }
    print_message("clip fuzz: %d cases, %d overlapping, %d answered\n", cases,
                  overlapping, answered);
    assert_true(cases > 3500);
    assert_true(overlapping > 1000);
    /* Usefulness: most cases need no GEOS overlay. */
    assert_true(answered > cases * 8 / 10);
}

/* WKT ring "(x y,...)" of the square [x0,x1] x [y0,y1], k points a side, ccw or not. */
static size_t dense_square(char *b, size_t cap, double x0, double y0, double x1,
                           double y1, int k, int ccw)
{
    double cx[] = {x0, x1, x1, x0}, cy[] = {y0, y0, y1, y1};
    size_t n = (size_t)snprintf(b, cap, "(");
    for (int side = 0; side < 4; side++)
        for (int i = 0; i < k; i++) {
            int s0 = ccw ? side : 3 - side, s1 = ccw ? (side + 1) % 4 : (7 - side) % 4;
            double t = (double)i / k;
            n += (size_t)snprintf(b + n, cap - n, "%.15g %.15g,",
                                  cx[s0] + (cx[s1] - cx[s0]) * t, cy[s0] + (cy[s1] - cy[s0]) * t);
        }
    n += (size_t)snprintf(b + n, cap - n, "%.15g %.15g)", cx[ccw ? 0 : 3], cy[ccw ? 0 : 3]);
    return n;
}

/*
 * Area of convex ∩ control through the control's ring index (its one near
 * ring, far runs cut to chords); -1 when rl_ringidx_near or rl_clip_ring
 * declined.
 */
static double near_area(const GEOSGeometry *control, const char *convex_wkt)
{
    GEOSGeometry *f = tu_wkt(tu_ctx, convex_wkt);
    assert_non_null(f);
    rl_ringidx *ri = rl_ringidx_new(tu_ctx, control);
    assert_non_null(ri);
    double r[4], a = -1;
    assert_int_equal(GEOSGeom_getExtent_r(tu_ctx->geos, f, &r[0], &r[1], &r[2], &r[3]), 1);
    double *buf = NULL;
    size_t cap = 0, n = rl_ringidx_near(tu_ctx, ri, r, &buf, &cap);
    GEOSGeometry *c = n ? rl_clip_ring(tu_ctx, f, buf, n) : NULL;
    if (c) {
        assert_int_equal(GEOSisValid_r(tu_ctx->geos, c), 1);
        assert_int_equal(GEOSArea_r(tu_ctx->geos, c, &a), 1);
    }
    GEOSGeom_destroy_r(tu_ctx->geos, c);
    GEOSGeom_destroy_r(tu_ctx->geos, f);
    free(buf);
    rl_ringidx_free(ri);
    return a;
}

/*
 * A 1 000 m square of 4 000 vertices with a 200 m square hole (800
 * vertices) at (400..600, 400..600); hand figures.
 */
static void test_near_ring_hand(void **state)
{
    (void)state;
    enum { CAP = 1 << 18 };
    char *w = malloc(CAP);
    size_t n = (size_t)snprintf(w, CAP, "POLYGON(");
    n += dense_square(w + n, CAP - n, 0, 0, 1000, 1000, 1000, 1);
    n += (size_t)snprintf(w + n, CAP - n, ",");
    n += dense_square(w + n, CAP - n, 400, 400, 600, 600, 200, 0);
    snprintf(w + n, CAP - n, ")");
    GEOSGeometry *g = tu_wkt(tu_ctx, w);
    assert_non_null(g);
    assert_int_equal(GEOSisValid_r(tu_ctx->geos, g), 1);
    /* across the shell's east edge: 100.5 x 200 inside */
    assert_rel(near_area(g, "POLYGON((899.5 100,1100 100,1100 300,899.5 300,899.5 100))"),
               100.5 * 200, 1e-12);
    /* a triangle across the south-west corner: the part x, y >= 0 of it */
    assert_rel(near_area(g, "POLYGON((-50 -50,150 -50,-50 150,-50 -50))"), 0.5 * 100 * 100,
               1e-12);
    /*
     * Across the hole's west edge, from either side: the shell surrounds r,
     * so the piece is not the hole ring's region (GEOS overlays these).
     */
    assert_true(near_area(g, "POLYGON((350 450,450 450,450 550,350 550,350 450))") == -1);
    assert_true(near_area(g, "POLYGON((390 450,450 450,450 550,390 550,390 450))") == -1);
    /* meeting the shell and the hole: declined */
    assert_true(near_area(g, "POLYGON((-10 -10,500 -10,500 500,-10 500,-10 -10))") == -1);
    GEOSGeom_destroy_r(tu_ctx->geos, g);
    free(w);
}

/* Random 600-vertex stars and convex footprints near their edge: GEOS's area. */
static void test_near_ring_fuzz(void **state)
{
    (void)state;
    GEOSContextHandle_t h = tu_ctx->geos;
    unsigned seed = 99;
    int cases = 0, answered = 0;
    for (int it = 0; it < 300; it++) {
        double ox = it % 2 ? 39500000 : 0, oy = it % 2 ? 4400000 : 0;
        GEOSGeometry *c = NULL;
        do {
            GEOSGeom_destroy_r(h, c);
            c = random_star(&seed, ox, oy, 800, 1000);
        } while (GEOSGetNumCoordinates_r(h, c) < 600 || GEOSisValid_r(h, c) != 1);
        rl_ringidx *ri = rl_ringidx_new(tu_ctx, c);
        assert_non_null(ri);
        for (int j = 0; j < 10; j++) {
            double t = 2 * M_PI * rand_r(&seed) / RAND_MAX, d = 700 + rand_r(&seed) % 400;
            GEOSGeometry *f = random_convex(&seed, ox + d * cos(t), oy + d * sin(t), 60);
            double r[4], ga = 0, ca = 0;
            GEOSGeom_getExtent_r(h, f, &r[0], &r[1], &r[2], &r[3]);
            double *buf = NULL;
            size_t cap = 0, n = rl_ringidx_near(tu_ctx, ri, r, &buf, &cap);
            GEOSGeometry *p = n ? rl_clip_ring(tu_ctx, f, buf, n) : NULL;
            GEOSGeometry *x = GEOSIntersection_r(h, f, c);
            GEOSArea_r(h, x, &ga);
            cases++;
            if (p) {
                answered++;
                assert_int_equal(GEOSisValid_r(h, p), 1);
                GEOSArea_r(h, p, &ca);
                if (fabs(ca - ga) > 1e-9 * 3600)
                    fail_msg("case %d/%d: near-ring area %.17g, GEOS %.17g", it, j, ca, ga);
            }
            free(buf);
            GEOSGeom_destroy_r(h, p);
            GEOSGeom_destroy_r(h, x);
            GEOSGeom_destroy_r(h, f);
        }
        rl_ringidx_free(ri);
        GEOSGeom_destroy_r(h, c);
    }
    print_message("near-ring fuzz: %d cases, %d answered\n", cases, answered);
    assert_true(answered > cases / 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand),
        cmocka_unit_test(test_hand_gk),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_fuzz_against_geos),
        cmocka_unit_test(test_near_ring_hand),
        cmocka_unit_test(test_near_ring_fuzz),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
