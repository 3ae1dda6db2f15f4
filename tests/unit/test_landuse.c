/*
 * The land-use module: 平差 rounding (worked examples and random trees whose
 * rows must add up exactly at every level), the class correspondence, and
 * double cover resolved on hand geometry (planar, exact figures).
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Worked example: 3.375 + 4.5 + 0.375 mu = 8.25 mu, at 2 decimals. */
static void test_split_worked(void **state)
{
    (void)state;
    double v[3] = {337.5, 450, 37.5};
    long long out[3];
    rl_lr_split(825, v, 3, out);
    /* Rounded one by one they would add up to 8.26; the tie goes to the first. */
    assert_int_equal(out[0], 338);
    assert_int_equal(out[1], 450);
    assert_int_equal(out[2], 37);
    /* Largest remainder wins over index. */
    double w[3] = {1.2, 1.7, 1.1};
    rl_lr_split(4, w, 3, out);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 2);
    assert_int_equal(out[2], 1);
    /* A target far from the sum still adds up, never below 0. */
    double z[2] = {0.2, 5.0};
    rl_lr_split(2, z, 2, out);
    assert_int_equal(out[0] + out[1], 2);
    assert_true(out[0] >= 0 && out[1] >= 0);
    rl_lr_split(9, z, 2, out);
    assert_int_equal(out[0] + out[1], 9);
}

/* A deterministic generator, so that a failure can be replayed. */
static unsigned long long rng = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void test_round_tree_random(void **state)
{
    (void)state;
    enum { MAXN = 60 };
    for (int round = 0; round < 3000; round++) {
        size_t n = 1 + rnd(MAXN);
        int parent[MAXN];
        double value[MAXN];
        long long out[MAXN];
        int nkids[MAXN] = {0};
        int decimals = (int)rnd(5);
        for (size_t i = 0; i < n; i++) {
            /* Mostly one root, sometimes a forest; parents come first. */
            parent[i] = i == 0 || rnd(20) == 0 ? -1 : (int)rnd((unsigned)i);
            if (parent[i] >= 0)
                nkids[parent[i]]++;
        }
        /*
         * Leaves: binary fractions (exact sums), of very different sizes;
         * an inner node is the sum of its children, as a total is.
         */
        for (size_t i = 0; i < n; i++)
            value[i] = nkids[i] || rnd(4) == 0 ? 0
                                                 : ldexp((double)rnd(1u << 24), -(int)(4 + rnd(16)));
        for (size_t i = n; i-- > 0;)
            if (parent[i] >= 0)
                value[parent[i]] += value[i];
        assert_int_equal(rl_round_tree(tu_ctx, value, parent, n, decimals, out), RL_OK);
        double scale = pow(10.0, decimals);
        for (size_t p = 0; p < n; p++) {
            long long sum = 0;
            for (size_t i = 0; i < n; i++)
                if (parent[i] == (int)p)
                    sum += out[i];
            if (nkids[p])
                assert_int_equal(sum, out[p]);
            /* Every rounded figure is within one unit of its value. */
            double dev = fabs((double)out[p] - value[p] * scale);
            if (!(dev < 1.0 + 1e-6)) {
                print_error("round %d node %zu: %lld vs %.6f\n", round, p, out[p],
                            value[p] * scale);
                fail();
            }
            assert_true(out[p] >= 0);
            if (parent[p] < 0)
                assert_int_equal(out[p], llround(value[p] * scale));
        }
    }
}

static void test_round_tree_rejects_order(void **state)
{
    (void)state;
    double v[2] = {1, 1};
    int par[2] = {1, -1};
    long long out[2];
    assert_int_equal(rl_round_tree(tu_ctx, v, par, 2, 2, out), RL_ERR_INTERNAL);
}

static void test_classes(void **state)
{
    (void)state;
    char buf[96];
    struct {
        const char *code, *level1, *name;
        rl_top_class top;
    } cases[] = {
        {"0101", "01", "水田", RL_TOP_AGRI},       {"0103", "01", "旱地", RL_TOP_AGRI},
        {"1203", "12", "田坎", RL_TOP_AGRI},       {"1006", "10", "农村道路", RL_TOP_AGRI},
        {"1104", "11", "坑塘水面", RL_TOP_AGRI},   {"1107", "11", "沟渠", RL_TOP_AGRI},
        {"1202", "12", "设施农用地", RL_TOP_AGRI}, {"0404", "04", "其他草地", RL_TOP_UNUSED},
        {"1101", "11", "河流水面", RL_TOP_UNUSED}, {"1103", "11", "水库水面", RL_TOP_BUILD},
        {"0303", "00", "红树林地", RL_TOP_AGRI},   {"1106", "00", "内陆滩涂", RL_TOP_UNUSED},
        {"0603", "00", "盐田", RL_TOP_BUILD},      {"0601", "06", "工业用地", RL_TOP_BUILD},
        {"0702", "07", "农村宅基地", RL_TOP_BUILD}, {"05H1", "05", "商业服务业设施用地", RL_TOP_BUILD},
        {"09", "09", "特殊用地", RL_TOP_BUILD},    {"1201", "12", "空闲地", RL_TOP_BUILD},
        {"0201K", "02", "可调整果园", RL_TOP_AGRI}, {"1104A", "11", "养殖坑塘", RL_TOP_AGRI},
        {"1104K", "11", "可调整坑塘水面", RL_TOP_AGRI},
        {"1110", "11", "冰川及永久积雪", RL_TOP_UNUSED}, {"1107A", "11", "干渠", RL_TOP_AGRI},
        {"0402", "00", "沼泽草地", RL_TOP_AGRI},   {"1108", "00", "沼泽地", RL_TOP_UNUSED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rl_lu_class_info ci = rl_lu_class(cases[i].code, buf, sizeof buf);
        if (strcmp(ci.level1, cases[i].level1) || !ci.name ||
            strcmp(ci.name, cases[i].name) || ci.top != cases[i].top) {
            print_error("%s: level1 %s name %s top %d\n", cases[i].code, ci.level1,
                        ci.name ? ci.name : "(null)", (int)ci.top);
            fail();
        }
    }
    rl_lu_class_info u = rl_lu_class("0999", buf, sizeof buf);
    assert_null(u.name);
    assert_string_equal(u.level1, "09");
    assert_int_equal(u.top, RL_TOP_UNKNOWN);
    u = rl_lu_class("", buf, sizeof buf);
    assert_string_equal(u.level1, "");
    assert_int_equal(u.top, RL_TOP_UNKNOWN);
    assert_string_equal(rl_lu_level1_name("01"), "耕地");
    assert_string_equal(rl_lu_level1_name("00"), "湿地");
    assert_null(rl_lu_level1_name("13"));
}

/*
 * A 100 m x 100 m footprint over four parcels: two of them overlap the
 * fourth (1 200 m2 covered twice), and 500 m2 lie in no parcel.  The
 * pieces are the parcels cut to the footprint, as phase 5 makes them.
 */
static void test_resolve_double_cover(void **state)
{
    (void)state;
    rl_crs *crs = rl_crs_from_user(tu_ctx, "EPSG:4527");
    assert_non_null(crs);
    const char *wkt[4] = {
        "POLYGON((0 0,50 0,50 50,0 50,0 0))",
        "POLYGON((50 0,100 0,100 60,50 60,50 0))",
        "POLYGON((0 50,20 50,20 100,0 100,0 50))",
        "POLYGON((30 40,100 40,100 100,30 100,30 40))",
    };
    const double raw[4] = {2500, 3000, 1000, 4200};
    const double want[4] = {2500, 3000, 1000, 4200 - 200 - 1000};
    GEOSGeometry *g[4];
    rl_landuse lu = {0};
    lu.pieces = calloc(4, sizeof *lu.pieces);
    lu.npieces = 4;
    for (int i = 0; i < 4; i++) {
        g[i] = tu_wkt(tu_ctx, wkt[i]);
        lu.pieces[i].feat = (size_t)i;
        lu.pieces[i].raw_m2 = raw[i];
    }
    rl_lu_measure ms = {RL_AREA_PLANAR, crs, crs, NULL};
    assert_int_equal(rl_landuse_resolve(tu_ctx, &lu, (const GEOSGeometry *const *)g, 10000,
                                        &ms, NULL),
                     RL_OK);
    for (int i = 0; i < 4; i++)
        assert_rel(lu.pieces[i].area_m2, want[i], 1e-12);
    assert_rel(lu.double_m2, 1200, 1e-12);
    assert_rel(lu.covered_m2, 9500, 1e-12);
    assert_rel(lu.uncovered_m2, 500, 1e-12);
    /* Three parcels over one spot: the spot is double cover once, kept by the first. */
    const char *w3[3] = {"POLYGON((0 0,10 0,10 10,0 10,0 0))",
                         "POLYGON((0 0,10 0,10 10,0 10,0 0))",
                         "POLYGON((5 0,15 0,15 10,5 10,5 0))"};
    GEOSGeometry *h3[3];
    rl_landuse l3 = {0};
    l3.pieces = calloc(3, sizeof *l3.pieces);
    l3.npieces = 3;
    for (int i = 0; i < 3; i++) {
        h3[i] = tu_wkt(tu_ctx, w3[i]);
        l3.pieces[i].feat = (size_t)i;
        l3.pieces[i].raw_m2 = 100;
    }
    assert_int_equal(rl_landuse_resolve(tu_ctx, &l3, (const GEOSGeometry *const *)h3, 400,
                                        &ms, NULL),
                     RL_OK);
    assert_rel(l3.pieces[0].area_m2, 100, 1e-12);
    assert_rel(l3.pieces[1].area_m2, 0, 1e-12);
    assert_rel(l3.pieces[2].area_m2, 50, 1e-12);
    assert_rel(l3.double_m2, 100, 1e-12);
    assert_rel(l3.covered_m2, 150, 1e-12);
    for (int i = 0; i < 3; i++)
        GEOSGeom_destroy_r(tu_ctx->geos, h3[i]);
    for (int i = 0; i < 4; i++)
        GEOSGeom_destroy_r(tu_ctx->geos, g[i]);
    rl_landuse_clear(tu_ctx, &l3);
    rl_landuse_clear(tu_ctx, &lu);
    rl_crs_free(crs);
}

/* Rounded rows of a breakdown add up at every level, and level1 to the total. */
static void test_landuse_round(void **state)
{
    (void)state;
    rl_landuse lu = {0};
    const char *codes[5] = {"0101", "0201K", "0404", "1003", "1203"};
    const double area[5] = {2250, 3000, 3000, 1000, 250};
    lu.classes = calloc(5, sizeof *lu.classes);
    lu.level1 = calloc(5, sizeof *lu.level1);
    const char *l1[5] = {"01", "02", "04", "10", "12"};
    char buf[96];
    for (int i = 0; i < 5; i++) {
        lu.classes[i].code = strdup(codes[i]);
        lu.classes[i].area_m2 = area[i];
        lu.classes[i].top = (int)rl_lu_class(codes[i], buf, sizeof buf).top;
        lu.level1[i].code = strdup(l1[i]);
        lu.level1[i].area_m2 = area[i];
    }
    lu.nclasses = lu.nlevel1 = 5;
    lu.area_m2 = 10000, lu.covered_m2 = 9500, lu.uncovered_m2 = 500;
    lu.top[RL_TOP_AGRI] = 5500, lu.top[RL_TOP_BUILD] = 1000, lu.top[RL_TOP_UNUSED] = 3000;
    assert_int_equal(rl_landuse_round(tu_ctx, &lu, RL_LU_GEOMETRIC, RL_U_MU, 2), RL_OK);
    assert_int_equal(lu.r_area, 1500);
    assert_int_equal(lu.r_covered, 1425);
    assert_int_equal(lu.r_uncovered, 75);
    assert_int_equal(lu.r_total, 1425);
    assert_int_equal(lu.r_top[RL_TOP_AGRI], 825);
    assert_int_equal(lu.classes[0].r_area, 338); /* 3.375 mu */
    assert_int_equal(lu.classes[4].r_area, 37);  /* 0.375 mu */
    long long s = 0, s1 = 0;
    for (int i = 0; i < 5; i++)
        s += lu.classes[i].r_area, s1 += lu.level1[i].r_area;
    assert_int_equal(s, lu.r_total);
    assert_int_equal(s1, lu.r_total);
    rl_landuse_clear(tu_ctx, &lu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_worked),
        cmocka_unit_test(test_round_tree_random),
        cmocka_unit_test(test_round_tree_rejects_order),
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_resolve_double_cover),
        cmocka_unit_test(test_landuse_round),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
