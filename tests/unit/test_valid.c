/*
 * rl_ringidx_locate(): a rectangle said to be inside must be contained in the
 * polygon, one said to be outside must miss it (GEOS predicates decide).
 *
 * rl_valid_fast(): the cheap validity certificate must never call valid what
 * GEOSisValid calls invalid, and must certify the ordinary valid polygons
 * (otherwise it saves nothing).  Hand cases name GEOS's verdict; the fuzz
 * cases compare against GEOSisValid_r on many random polygons, including
 * integer-grid ones full of exact touches and collinear runs.
 *
 * rl_disjoint_fast(): must never call apart geometries that GEOSDisjoint says
 * meet, and must certify the ordinary apart ones (parcels between ditches).
 */
#include "testutil.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>


/* fast verdict of WKT, after checking GEOS's verdict is `geos_valid`. */
static int fast(const char *wkt, int geos_valid)
{
    GEOSGeometry *g = tu_wkt(tu_ctx, wkt);
    assert_non_null(g);
    assert_int_equal(GEOSisValid_r(tu_ctx->geos, g), geos_valid);
    int v = rl_valid_fast(tu_ctx, g);
    assert_int_equal(rl_is_valid(tu_ctx, g), geos_valid);
    GEOSGeom_destroy_r(tu_ctx->geos, g);
    return v;
}

static void test_certified(void **state)
{
    (void)state;
    assert_int_equal(fast("POLYGON((0 0,10 0,10 10,0 10,0 0))", 1), 1);
    assert_int_equal(fast("POLYGON((0 0,10 0,0 10,0 0))", 1), 1); /* triangle */
    /* a straight-through vertex is fine */
    assert_int_equal(fast("POLYGON((0 0,5 0,10 0,10 10,0 10,0 0))", 1), 1);
    assert_int_equal(fast("POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,2 4,4 4,4 2,2 2),"
                          "(6 6,6 8,8 8,8 6,6 6))", 1), 1);
    assert_int_equal(fast("MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)),"
                          "((2 0,3 0,3 1,2 1,2 0)))", 1), 1);
    /* georeferenced magnitudes (Gauss-Kruger with zone prefix) */
    assert_int_equal(fast("POLYGON((39500000.125 4400000.5,39500100 4400000.5,"
                          "39500100 4400100,39500000.125 4400000.5))", 1), 1);
}

static void test_invalid_never_certified(void **state)
{
    (void)state;
    assert_int_equal(fast("POLYGON((0 0,10 10,10 0,0 10,0 0))", 0), 0); /* bowtie */
    /* spike: goes out along an edge and comes back */
    assert_int_equal(fast("POLYGON((0 0,10 0,10 10,10 20,10 10,0 10,0 0))", 0), 0);
    /* ring touching itself at a vertex */
    assert_int_equal(fast("POLYGON((0 0,10 0,5 5,10 10,0 10,5 5,0 0))", 0), 0);
    /* hole outside its shell; hole crossing the shell; nested holes */
    assert_int_equal(fast("POLYGON((0 0,10 0,10 10,0 10,0 0),"
                          "(20 20,20 30,30 30,30 20,20 20))", 0), 0);
    assert_int_equal(fast("POLYGON((0 0,10 0,10 10,0 10,0 0),"
                          "(5 5,5 15,8 15,8 5,5 5))", 0), 0);
    assert_int_equal(fast("POLYGON((0 0,10 0,10 10,0 10,0 0),(1 1,1 9,9 9,9 1,1 1),"
                          "(2 2,2 8,8 8,8 2,2 2))", 0), 0);
    /* overlapping and nested multipolygon parts; a collapsed ring */
    assert_int_equal(fast("MULTIPOLYGON(((0 0,2 0,2 2,0 2,0 0)),"
                          "((1 1,3 1,3 3,1 3,1 1)))", 0), 0);
    assert_int_equal(fast("MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0)),"
                          "((2 2,3 2,3 3,2 3,2 2)))", 0), 0);
    assert_int_equal(fast("POLYGON((0 0,10 0,20 0,0 0))", 0), 0);
    /* a vertex on an edge; then 1e-16 off it, which the filter still sees */
    assert_int_equal(fast("POLYGON((0 0,10 0,10 10,5 0,0 10,0 0))", 0), 0);
    assert_int_equal(fast("POLYGON((0 0,10 0,10 10,5 0.0000000000000001,0 10,0 0))",
                          1), 1);
}

static void test_valid_left_to_geos(void **state)
{
    (void)state;
    /* Valid, but only GEOS can tell: conservative answers, right verdict. */
    assert_int_equal(fast("POLYGON((0 0,10 0,10 10,0 10,0 0),(0 0,2 1,1 2,0 0))", 1),
                     0); /* hole touching the shell at a point */
    assert_int_equal(fast("MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0),(1 1,1 9,9 9,9 1,1 1)),"
                          "((2 2,3 2,3 3,2 3,2 2)))", 1), 0); /* island in a lake */
    assert_int_equal(fast("POLYGON((0 0,10 0,10 0,10 10,0 10,0 0))", 1), 0); /* repeat */
    assert_int_equal(fast("POLYGON EMPTY", 1), 0);
}

/* "(x y,...,x y)" of n points, closed; floored to integers with grid. */
static void ring_text(char *buf, size_t cap, const double (*xy)[2], int n, int grid)
{
    size_t k = (size_t)snprintf(buf, cap, "(");
    for (int i = 0; i <= n; i++) {
        double x = xy[i % n][0], y = xy[i % n][1];
        if (grid) {
            x = floor(x);
            y = floor(y);
        }
        k += (size_t)snprintf(buf + k, cap - k, "%.17g %.17g%s", x, y, i < n ? "," : ")");
    }
}

/* A star-shaped ring of n vertices around (cx, cy), radii in [r0, r1]. */
static void star(char *buf, size_t cap, unsigned *seed, int n, double cx, double cy,
                 double r0, double r1, int grid)
{
    double(*xy)[2] = malloc((size_t)n * sizeof *xy);
    for (int i = 0; i < n; i++) {
        double t = 2 * M_PI * i / n;
        double r = r0 + (r1 - r0) * (rand_r(seed) / (double)RAND_MAX);
        xy[i][0] = cx + r * cos(t);
        xy[i][1] = cy + r * sin(t);
    }
    ring_text(buf, cap, (const double(*)[2])xy, n, grid);
    free(xy);
}

/* n random points in a size x size square: mostly self-crossing. */
static void scribble(char *buf, size_t cap, unsigned *seed, int n, double size,
                     int grid)
{
    double(*xy)[2] = malloc((size_t)n * sizeof *xy);
    for (int i = 0; i < n; i++) {
        xy[i][0] = size * rand_r(seed) / RAND_MAX;
        xy[i][1] = size * rand_r(seed) / RAND_MAX;
    }
    ring_text(buf, cap, (const double(*)[2])xy, n, grid);
    free(xy);
}

static void test_fuzz_against_geos(void **state)
{
    (void)state;
    enum { CAP = 1 << 20 };
    char *a = malloc(CAP), *b = malloc(CAP), *wkt = malloc(3 * CAP);
    assert_non_null(wkt);
    unsigned seed = 12345;
    int certified = 0, geos_valid = 0, cases = 0;
    for (int it = 0; it < 3000; it++) {
        int kind = it % 6, grid = (it / 6) % 2;
        int n = 3 + rand_r(&seed) % (it % 5 == 0 ? 600 : 40);
        switch (kind) {
        case 0: /* star: valid unless the grid snaps it into itself */
            star(a, CAP, &seed, n, 0, 0, 50, 100, grid);
            snprintf(wkt, 3 * CAP, "POLYGON(%s)", a);
            break;
        case 1: /* star, radii down to zero: narrow necks, touches on the grid */
            star(a, CAP, &seed, n, 0, 0, 0.5, 30, grid);
            snprintf(wkt, 3 * CAP, "POLYGON(%s)", a);
            break;
        case 2: /* star with a star hole that may poke out */
            star(a, CAP, &seed, n, 0, 0, 40, 100, grid);
            star(b, CAP, &seed, 3 + n % 30, (rand_r(&seed) % 80) - 40, 0, 5, 45, grid);
            snprintf(wkt, 3 * CAP, "POLYGON(%s,%s)", a, b);
            break;
        case 3: /* two stars that may overlap or touch */
            star(a, CAP, &seed, n, 0, 0, 10, 40, grid);
            star(b, CAP, &seed, 3 + n % 50, 60 + (rand_r(&seed) % 40) - 20, 0, 10, 40,
                 grid);
            snprintf(wkt, 3 * CAP, "MULTIPOLYGON((%s),(%s))", a, b);
            break;
        case 4: /* scribble */
            scribble(a, CAP, &seed, 3 + n % 12, grid ? 6 : 100, grid);
            snprintf(wkt, 3 * CAP, "POLYGON(%s)", a);
            break;
        default: /* tiny coordinates far from the origin: rounding matters */
            star(a, CAP, &seed, n, 39500000, 4400000, 1e-7, 3e-7, 0);
            snprintf(wkt, 3 * CAP, "POLYGON(%s)", a);
            break;
        }
        GEOSGeometry *g = tu_wkt(tu_ctx, wkt);
        if (!g)
            continue;
        char gv = GEOSisValid_r(tu_ctx->geos, g);
        int fv = rl_valid_fast(tu_ctx, g);
        if (fv && gv != 1)
            fail_msg("certified valid but GEOS says invalid: %.300s", wkt);
        certified += fv;
        geos_valid += gv == 1;
        cases++;
        GEOSGeom_destroy_r(tu_ctx->geos, g);
    }
    /* The test of usefulness: most GEOS-valid random polygons are certified. */
    print_message("fuzz: %d cases, %d valid (GEOS), %d certified\n", cases,
                  geos_valid, certified);
    assert_true(cases > 2900);
    assert_true(geos_valid > 1000);
    assert_true(certified > geos_valid * 8 / 10);
    free(a);
    free(b);
    free(wkt);
}

/* rl_disjoint_fast of the WKT geometries, after checking GEOS's disjointness. */
static int apart(int geos_disjoint, int n, ...)
{
    GEOSGeometry *g[8];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        g[i] = tu_wkt(tu_ctx, va_arg(ap, const char *));
        assert_non_null(g[i]);
    }
    va_end(ap);
    int all = 1;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            all &= GEOSDisjoint_r(tu_ctx->geos, g[i], g[j]) == 1;
    assert_int_equal(all, geos_disjoint);
    int v = rl_disjoint_fast(tu_ctx, (const GEOSGeometry *const *)g, (size_t)n);
    for (int i = 0; i < n; i++)
        GEOSGeom_destroy_r(tu_ctx->geos, g[i]);
    return v;
}

static void test_disjoint_hand(void **state)
{
    (void)state;
    const char *sq = "POLYGON((0 0,10 0,10 10,0 10,0 0))";
    /* apart, with overlapping envelopes (a diagonal strip beside a triangle) */
    assert_int_equal(apart(1, 2, "POLYGON((0 0,10 0,0 10,0 0))",
                           "POLYGON((10 2,10 10,2 10,10 2))"), 1);
    assert_int_equal(apart(1, 3, sq, "POLYGON((12 0,20 0,20 10,12 10,12 0))",
                           "MULTIPOLYGON(((0 12,5 12,5 20,0 12)),((30 30,31 30,31 31,30 30)))"), 1);
    /* inside a hole of the other: apart */
    assert_int_equal(apart(1, 2, "POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,2 8,8 8,8 2,2 2))",
                           "POLYGON((3 3,7 3,7 7,3 7,3 3))"), 1);
    /* meeting: a shared edge, a shared corner, an overlap, containment both ways */
    assert_int_equal(apart(0, 2, sq, "POLYGON((10 0,20 0,20 10,10 10,10 0))"), 0);
    assert_int_equal(apart(0, 2, sq, "POLYGON((10 10,20 10,20 20,10 20,10 10))"), 0);
    assert_int_equal(apart(0, 2, sq, "POLYGON((5 5,15 5,15 15,5 15,5 5))"), 0);
    assert_int_equal(apart(0, 2, sq, "POLYGON((2 2,4 2,4 4,2 4,2 2))"), 0);
    assert_int_equal(apart(0, 2, "POLYGON((2 2,4 2,4 4,2 4,2 2))", sq), 0);
    /* one of three pairs meets */
    assert_int_equal(apart(0, 3, sq, "POLYGON((12 0,20 0,20 10,12 10,12 0))",
                           "POLYGON((19 9,25 9,25 15,19 9))"), 0);
    /* a vertex on the other's edge; the same geometry twice */
    assert_int_equal(apart(0, 2, sq, "POLYGON((10 5,15 0,15 10,10 5))"), 0);
    assert_int_equal(apart(0, 2, sq, sq), 0);
    /* a part inside the other's hole, another part overlapping its shell */
    assert_int_equal(apart(0, 2, "POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,2 8,8 8,8 2,2 2))",
                           "MULTIPOLYGON(((3 3,7 3,7 7,3 7,3 3)),((9 9,12 9,12 12,9 12,9 9)))"), 0);
}

/* Random star pairs near each other: never "apart" when GEOS says they meet. */
static void test_disjoint_fuzz(void **state)
{
    (void)state;
    enum { CAP = 1 << 16 };
    char *a = malloc(CAP), *b = malloc(CAP), *wa = malloc(CAP + 64), *wb = malloc(CAP + 64);
    assert_non_null(wb);
    unsigned seed = 4242;
    int cases = 0, geos_apart = 0, certified = 0;
    for (int it = 0; it < 4000; it++) {
        int grid = it % 3 == 0, n = 3 + rand_r(&seed) % 30;
        double dx = 55 + (rand_r(&seed) % 4000) / 100.0; /* 55..95: near, touching, apart */
        star(a, CAP, &seed, n, 0, 0, 20, 45, grid);
        star(b, CAP, &seed, 3 + rand_r(&seed) % 30, dx, (rand_r(&seed) % 40) - 20.0, 20, 45,
             grid);
        snprintf(wa, CAP + 64, "POLYGON(%s)", a);
        snprintf(wb, CAP + 64, "POLYGON(%s)", b);
        GEOSGeometry *g[2] = {tu_wkt(tu_ctx, wa), tu_wkt(tu_ctx, wb)};
        if (g[0] && g[1] && GEOSisValid_r(tu_ctx->geos, g[0]) == 1 &&
            GEOSisValid_r(tu_ctx->geos, g[1]) == 1) {
            int gd = GEOSDisjoint_r(tu_ctx->geos, g[0], g[1]) == 1;
            int fd = rl_disjoint_fast(tu_ctx, (const GEOSGeometry *const *)g, 2);
            if (fd && !gd)
                fail_msg("certified apart but GEOS says they meet: %.200s | %.200s", wa, wb);
            cases++;
            geos_apart += gd;
            certified += fd;
        }
        GEOSGeom_destroy_r(tu_ctx->geos, g[0]);
        GEOSGeom_destroy_r(tu_ctx->geos, g[1]);
    }
    print_message("disjoint fuzz: %d cases, %d apart (GEOS), %d certified\n", cases,
                  geos_apart, certified);
    assert_true(cases > 3000);
    assert_true(geos_apart > 500 && geos_apart < cases - 500);
    assert_true(certified > geos_apart * 9 / 10);
    free(a);
    free(b);
    free(wa);
    free(wb);
}

/* A 600-vertex valid ring goes through the grid; one crossing must be found. */
static void test_large_ring_crossing(void **state)
{
    (void)state;
    enum { N = 600, CAP = 1 << 16 };
    char *wkt = malloc(CAP);
    for (int swap = 0; swap < N - 1; swap += 37) {
        double xy[N][2];
        for (int i = 0; i < N; i++) {
            double t = 2 * M_PI * i / N, r = 100 + 3 * sin(17 * t);
            xy[i][0] = r * cos(t);
            xy[i][1] = r * sin(t);
        }
        if (swap) { /* swapping two neighbours makes a bowtie crossing */
            double tx = xy[swap][0], ty = xy[swap][1];
            xy[swap][0] = xy[swap + 1][0];
            xy[swap][1] = xy[swap + 1][1];
            xy[swap + 1][0] = tx;
            xy[swap + 1][1] = ty;
        }
        size_t k = (size_t)snprintf(wkt, CAP, "POLYGON(");
        ring_text(wkt + k, CAP - k - 1, (const double(*)[2])xy, N, 0);
        strcat(wkt, ")");
        assert_int_equal(fast(wkt, swap ? 0 : 1), swap ? 0 : 1);
    }
    free(wkt);
}

static rl_loc locate(const GEOSGeometry *g, const rl_ringidx *ri, double x0,
                     double y0, double x1, double y1)
{
    double r[4] = {x0, y0, x1, y1};
    rl_loc loc = rl_ringidx_locate(tu_ctx, ri, r);
    GEOSGeometry *box = GEOSGeom_createRectangle_r(tu_ctx->geos, x0, y0, x1, y1);
    if (loc == RL_LOC_INSIDE)
        assert_int_equal(GEOSContains_r(tu_ctx->geos, g, box), 1);
    if (loc == RL_LOC_OUTSIDE)
        assert_int_equal(GEOSIntersects_r(tu_ctx->geos, g, box), 0);
    GEOSGeom_destroy_r(tu_ctx->geos, box);
    return loc;
}

static void test_ringidx_hand(void **state)
{
    (void)state;
    /* A square with a square hole, and a second square apart. */
    GEOSGeometry *g = tu_wkt(tu_ctx, "MULTIPOLYGON(((0 0,100 0,100 100,0 100,0 0),"
                                  "(40 40,60 40,60 60,40 60,40 40)),"
                                  "((200 0,300 0,300 100,200 100,200 0)))");
    rl_ringidx *ri = rl_ringidx_new(tu_ctx, g);
    assert_non_null(ri);
    assert_int_equal(locate(g, ri, 10, 10, 20, 20), RL_LOC_INSIDE);
    assert_int_equal(locate(g, ri, 210, 10, 220, 20), RL_LOC_INSIDE);
    assert_int_equal(locate(g, ri, 45, 45, 55, 55), RL_LOC_OUTSIDE); /* in the hole */
    assert_int_equal(locate(g, ri, 120, 10, 180, 20), RL_LOC_OUTSIDE); /* between */
    assert_int_equal(locate(g, ri, -50, -50, -10, -10), RL_LOC_OUTSIDE);
    assert_int_equal(locate(g, ri, 400, 40, 410, 50), RL_LOC_OUTSIDE); /* ray meets both */
    assert_int_equal(locate(g, ri, 90, 10, 110, 20), RL_LOC_CROSSES);
    assert_int_equal(locate(g, ri, 100, 10, 110, 20), RL_LOC_CROSSES); /* touches */
    assert_int_equal(locate(g, ri, 60, 45, 70, 55), RL_LOC_CROSSES);   /* touches hole */
    assert_int_equal(locate(g, ri, -10, -10, 400, 200), RL_LOC_CROSSES); /* covers all */
    rl_ringidx_free(ri);
    rl_ringidx_free(NULL);
    GEOSGeom_destroy_r(tu_ctx->geos, g);
}

static void test_ringidx_random(void **state)
{
    (void)state;
    enum { CAP = 1 << 20 };
    char *a = malloc(CAP), *b = malloc(CAP), *wkt = malloc(2 * CAP);
    unsigned seed = 777;
    int count[3] = {0, 0, 0};
    for (int it = 0; it < 60; it++) {
        /* Jagged 2 000-vertex stars with a hole, like digitised red lines. */
        star(a, CAP, &seed, 2000, 0, 0, 900, 1000, 0);
        star(b, CAP, &seed, 300, 0, 0, 200, 400, 0);
        snprintf(wkt, 2 * CAP, "POLYGON(%s,%s)", a, b);
        GEOSGeometry *g = tu_wkt(tu_ctx, wkt);
        assert_non_null(g);
        if (GEOSisValid_r(tu_ctx->geos, g) != 1) {
            GEOSGeom_destroy_r(tu_ctx->geos, g);
            continue;
        }
        rl_ringidx *ri = rl_ringidx_new(tu_ctx, g);
        assert_non_null(ri);
        for (int q = 0; q < 200; q++) {
            double x = 2400.0 * rand_r(&seed) / RAND_MAX - 1200;
            double y = 2400.0 * rand_r(&seed) / RAND_MAX - 1200;
            double w = 1 + 100.0 * rand_r(&seed) / RAND_MAX;
            count[locate(g, ri, x, y, x + w, y + w)]++;
        }
        rl_ringidx_free(ri);
        GEOSGeom_destroy_r(tu_ctx->geos, g);
    }
    print_message("ringidx: %d crosses, %d inside, %d outside\n", count[0], count[1],
                  count[2]);
    /* Usefulness: most rectangles are settled without an overlay. */
    assert_true(count[RL_LOC_INSIDE] > 2000);
    assert_true(count[RL_LOC_OUTSIDE] > 2000);
    free(a);
    free(b);
    free(wkt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_certified),
        cmocka_unit_test(test_invalid_never_certified),
        cmocka_unit_test(test_valid_left_to_geos),
        cmocka_unit_test(test_fuzz_against_geos),
        cmocka_unit_test(test_large_ring_crossing),
        cmocka_unit_test(test_ringidx_hand),
        cmocka_unit_test(test_ringidx_random),
        cmocka_unit_test(test_disjoint_hand),
        cmocka_unit_test(test_disjoint_fuzz),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
