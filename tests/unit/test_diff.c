/*
 * diff and area on hand-built layers (EPSG:4527, planar figures by hand):
 * shrink, move, reclassification, split, CRS change and self-overlap.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <gdal_utils.h>
#include <string.h>

/* A report's data: report.c keeps it untyped, the command knows its type. */
#define DIFF(rep) ((const rl_diff_data *)(rep)->data)
#define AREA(rep) ((const rl_area_data *)(rep)->data)

#define X0 39500000.0
#define Y0 4400000.0

static char *box(const char *type, double x0, double y0, double x1, double y1)
{
    char *s = malloc(512);
    snprintf(s, 512,
             "\"properties\":{\"HXLX\":\"%s\"},\"geometry\":{\"type\":\"Polygon\","
             "\"coordinates\":[[[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],"
             "[%.3f,%.3f]]]}",
             type, X0 + x0, Y0 + y0, X0 + x1, Y0 + y0, X0 + x1, Y0 + y1, X0 + x0,
             Y0 + y1, X0 + x0, Y0 + y0);
    return s;
}

static const char *layer(const char *name, char **f, size_t n)
{
    char *text = tu_geojson(4527, (const char *const *)f, n);
    const char *p = tu_write(name, text);
    free(text);
    for (size_t i = 0; i < n; i++)
        free(f[i]);
    return p;
}

static rl_report *diff(rl_ctx *ctx, int argc, const char *const *argv,
                       rl_diff_options **o)
{
    *o = rl_diff_options_new(ctx, argc, argv);
    assert_non_null(*o);
    rl_report *rep = NULL;
    if (rl_diff(ctx, *o, &rep))
        fail_msg("diff failed: %s", rl_ctx_errmsg(ctx));
    return rep;
}

static const rl_group_fig *group(const rl_diff_data *d, const char *key)
{
    for (size_t g = 0; g < d->ngroups; g++)
        if (strcmp(d->groups[g].key, key) == 0)
            return &d->groups[g];
    fail_msg("no group %s", key);
    return NULL;
}

static void shrink_move_reclassify_split(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    /* Old: W [0,1000]^2 water, S [2000,3000]x[0,1000] soil, B [4000,5000] bio. */
    char path_old[512], path_new[512];
    char *o[] = {box("water", 0, 0, 1000, 1000), box("soil", 2000, 0, 3000, 1000),
                 box("bio", 4000, 0, 5000, 1000)};
    snprintf(path_old, sizeof path_old, "%s", layer("old.geojson", o, 3));
    /*
     * New: W split in two halves without moving its boundary and listed last;
     * S shrunk by 100 m along x (loses 100,000 m2); B reclassified to soil.
     */
    char *n[] = {box("soil", 2000, 0, 2900, 1000), box("soil", 4000, 0, 5000, 1000),
                 box("water", 0, 0, 500, 1000), box("water", 500, 0, 1000, 1000)};
    snprintf(path_new, sizeof path_new, "%s", layer("new.geojson", n, 4));
    rl_diff_options *opts;
    rl_report *rep = diff(ctx, 6, (const char *const[]){"--area", "planar", "--by",
                              "HXLX", path_old, path_new}, &opts);
    const rl_diff_data *d = DIFF(rep);
    assert_rel(d->total.old_m2, 3e6, 1e-12);
    assert_rel(d->total.new_m2, 2.9e6, 1e-12);
    assert_rel(d->total.lost_m2, 1e5, 1e-9);
    assert_rel(d->total.gained_m2, 0, 1e-9);
    assert_rel(d->total.net_m2, -1e5, 1e-9);
    assert_true(d->shrunk);
    assert_int_equal(rl_report_exit_code(rep), 1);
    assert_int_equal(d->ngroups, 3);
    /* Reclassified B: lost from bio, gained in soil. */
    const rl_group_fig *bio = group(d, "bio"), *soil = group(d, "soil"),
                       *water = group(d, "water");
    assert_rel(bio->lost_m2, 1e6, 1e-12);
    assert_rel(bio->new_m2, 0, 1e-12);
    assert_rel(soil->old_m2, 1e6, 1e-12);
    assert_rel(soil->new_m2, 1.9e6, 1e-12);
    assert_rel(soil->lost_m2, 1e5, 1e-9);
    assert_rel(soil->gained_m2, 1e6, 1e-9);
    /* The split is no change at all. */
    assert_rel(water->lost_m2, 0, 1e-9);
    assert_rel(water->gained_m2, 0, 1e-9);
    assert_int_equal(water->new_features, 2);
    /* Per-group verdicts are decided in diff.c, once for every writer. */
    assert_true(d->total.shrunk);
    assert_true(bio->shrunk);
    assert_false(soil->shrunk);
    assert_false(water->shrunk);
    rl_report_free(rep);
    rl_diff_options_free(opts);
    rl_ctx_free(ctx);
}

/*
 * src translated by GDAL into a GeoPackage in EPSG:4490 (`segmentize`: the
 * longest edge kept, in source units, or NULL), as a delivery would be.
 */
static const char *to_4490(const char *src, const char *name, const char *segmentize)
{
    const char *dst = tu_path(name);
    char *argv[] = {"-t_srs", "EPSG:4490", segmentize ? "-segmentize" : NULL,
                    (char *)segmentize, NULL};
    GDALVectorTranslateOptions *vo = GDALVectorTranslateOptionsNew(argv, NULL);
    GDALDatasetH in = GDALOpenEx(src, GDAL_OF_VECTOR, NULL, NULL, NULL);
    GDALDatasetH out = GDALVectorTranslate(dst, NULL, 1, &in, vo, NULL);
    assert_non_null(out);
    GDALClose(out);
    GDALClose(in);
    GDALVectorTranslateOptionsFree(vo);
    return dst;
}

static void grow_in_other_crs_and_self_overlap(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    char path_old[512];
    /* Old has two features overlapping by 200 x 1000 = 200,000 m2. */
    char *o[] = {box("water", 0, 0, 1000, 1000), box("water", 800, 0, 1800, 1000)};
    snprintf(path_old, sizeof path_old, "%s", layer("o2.geojson", o, 2));
    /* New: the same union plus 50 m, reprojected to EPSG:4490. */
    char *n[] = {box("water", 0, 0, 1850, 1000)};
    const char *gpkg = to_4490(layer("n2.geojson", n, 1), "n2.gpkg", "10");
    rl_diff_options *opts;
    rl_report *rep = diff(ctx, 2, (const char *const[]){path_old, gpkg}, &opts);
    const rl_diff_data *d = DIFF(rep);
    /* Ellipsoidal here: ratios to hand values within the GK scale (~2e-5). */
    assert_rel(d->total.old_m2, 1.8e6, 2e-5);
    assert_rel(d->total.gained_m2, 5e4, 2e-5);
    /* Reprojection leaves slivers of a few mm2 at most. */
    assert_true(d->total.lost_m2 < 1e-3);
    assert_false(d->shrunk);
    assert_int_equal(rl_report_exit_code(rep), 0);
    assert_rel(d->old_self_overlap_m2, 2e5, 2e-5);
    assert_rel(d->new_self_overlap_m2, 0, 1e-9);
    rl_report_free(rep);
    rl_diff_options_free(opts);

    /* area: union, self-overlap, groups and --expect-min. */
    rl_area_options *ao = rl_area_options_new(
        ctx, 6, (const char *const[]){"--area", "planar", "--by", "HXLX",
                                      "--expect-min", "181ha"});
    assert_null(ao); /* LAYER missing */
    ao = rl_area_options_new(ctx, 7, (const char *const[]){"--area", "planar", "--by",
                                 "HXLX", "--expect-min", "181ha", path_old});
    assert_non_null(ao);
    assert_int_equal(rl_area(ctx, ao, &rep), RL_OK);
    assert_rel(AREA(rep)->total.area_m2, 1.8e6, 1e-12);
    assert_rel(AREA(rep)->total.self_overlap_m2, 2e5, 1e-9);
    assert_int_equal(AREA(rep)->total.features, 2);
    assert_int_equal(AREA(rep)->ngroups, 1);
    assert_true(AREA(rep)->below);
    assert_int_equal(rl_report_exit_code(rep), 1);
    rl_report_free(rep);
    rl_area_options_free(ao);
    rl_ctx_free(ctx);
}

static void triple_overlap_counts_once(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    /* Three identical squares: covered twice or more = the square, once. */
    char *o[] = {box("a", 0, 0, 100, 100), box("a", 0, 0, 100, 100),
                 box("a", 0, 0, 100, 100)};
    const char *p = layer("triple.geojson", o, 3);
    rl_area_options *ao = rl_area_options_new(
        ctx, 3, (const char *const[]){"--area", "planar", p});
    rl_report *rep = NULL;
    assert_int_equal(rl_area(ctx, ao, &rep), RL_OK);
    assert_rel(AREA(rep)->total.area_m2, 1e4, 1e-12);
    assert_rel(AREA(rep)->total.self_overlap_m2, 1e4, 1e-12);
    rl_report_free(rep);
    rl_area_options_free(ao);
    rl_ctx_free(ctx);
}

/*
 * A densified rectangle feature with `per_side` vertices on each side; vertex
 * `dent` of the bottom side (when >= 0) is moved down by `depth` metres.
 */
static char *dense_box_dent(const char *type, double x0, double y0, double x1,
                            double y1, int per_side, int dent, double depth)
{
    rl_buf b = {0};
    rl_buf_printf(&b, "\"properties\":{\"HXLX\":\"%s\"},\"geometry\":{\"type\":"
                      "\"Polygon\",\"coordinates\":[[", type);
    double cx[] = {x0, x1, x1, x0}, cy[] = {y0, y0, y1, y1};
    for (int side = 0; side < 4; side++)
        for (int i = 0; i < per_side; i++) {
            double t = (double)i / per_side;
            double dy = side == 0 && i == dent ? -depth : 0;
            rl_buf_printf(&b, "[%.6f,%.6f],",
                          X0 + cx[side] + (cx[(side + 1) % 4] - cx[side]) * t,
                          Y0 + cy[side] + (cy[(side + 1) % 4] - cy[side]) * t + dy);
        }
    rl_buf_printf(&b, "[%.6f,%.6f]]]}", X0 + x0, Y0 + y0);
    return b.s;
}

static char *dense_box(const char *type, double x0, double y0, double x1, double y1,
                       int per_side)
{
    return dense_box_dent(type, x0, y0, x1, y1, per_side, -1, 0);
}

/*
 * Inputs big enough to be cut into tiles (160,000 vertices): the figures
 * must still be the hand values, for any --jobs.
 */
static void tiled_big_layers(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    char p_old[512], p_new[512];
    char *o[] = {dense_box("water", 0, 0, 1000, 1000, 20000),
                 dense_box("soil", 500, 0, 1500, 1000, 20000)};
    snprintf(p_old, sizeof p_old, "%s", layer("bigold.geojson", o, 2));
    char *n[] = {dense_box("water", 0, 0, 1000, 1000, 20000)};
    snprintf(p_new, sizeof p_new, "%s", layer("bignew.geojson", n, 1));
    const char *pieces = tu_path("bigpieces.gpkg");
    for (int jobs = 1; jobs <= 2; jobs++) {
        char j[8];
        snprintf(j, sizeof j, "%d", jobs);
        rl_diff_options *opts;
        rl_report *rep = diff(ctx, 10, (const char *const[]){"--area", "planar", "--by",
                                   "HXLX", "--jobs", j, "--pieces", pieces, p_old, p_new},
                              &opts);
        FILE *devnull = fopen("/dev/null", "w");
        assert_int_equal(rl_report_write(ctx, rep, devnull), RL_OK);
        fclose(devnull);
        /*
         * With --by the pieces are the transitions', each merged again over
         * the tiles: where soil overlaps water in OLD the area is soil's
         * (first in byte order) and became water; the rest of soil is lost.
         */
        GDALDatasetH ds = GDALOpenEx(pieces, GDAL_OF_VECTOR, NULL, NULL, NULL);
        assert_non_null(ds);
        OGRLayerH l = GDALDatasetGetLayer(ds, 0);
        assert_int_equal(OGR_L_GetFeatureCount(l, TRUE), 2);
        OGRFeatureH f = OGR_L_GetNextFeature(l);
        assert_string_equal(OGR_F_GetFieldAsString(f, 0), "changed");
        assert_string_equal(OGR_F_GetFieldAsString(f, 1), "soil");
        assert_string_equal(OGR_F_GetFieldAsString(f, 2), "water");
        assert_rel(OGR_F_GetFieldAsDouble(f, 3), 0.5e6, 1e-9);
        OGR_F_Destroy(f);
        f = OGR_L_GetNextFeature(l);
        assert_string_equal(OGR_F_GetFieldAsString(f, 0), "lost");
        assert_string_equal(OGR_F_GetFieldAsString(f, 1), "soil");
        assert_false(OGR_F_IsFieldSetAndNotNull(f, 2));
        assert_rel(OGR_F_GetFieldAsDouble(f, 3), 0.5e6, 1e-9);
        OGR_F_Destroy(f);
        GDALClose(ds);
        const rl_diff_data *d = DIFF(rep);
        assert_rel(d->total.old_m2, 1.5e6, 1e-9);
        assert_rel(d->total.new_m2, 1e6, 1e-9);
        assert_rel(d->total.lost_m2, 0.5e6, 1e-9);
        assert_true(d->total.gained_m2 < 1e-3);
        assert_rel(d->old_self_overlap_m2, 0.5e6, 1e-9);
        assert_rel(group(d, "soil")->lost_m2, 1e6, 1e-9);
        assert_true(group(d, "water")->lost_m2 < 1e-3);
        assert_true(d->shrunk);
        /* The pieces to write are chosen and measured by diff, not the writer. */
        assert_int_equal(d->npieces, 2);
        assert_string_equal(d->pieces[1].change, "lost");
        assert_string_equal(d->pieces[1].from, "soil");
        assert_null(d->pieces[1].to);
        assert_rel(d->pieces[1].area_m2, 0.5e6, 1e-9);
        /* The matrix: soil → water 0.5e6, soil → none 0.5e6, water → water 0.5e6. */
        assert_rel(d->changed_m2, 0.5e6, 1e-9);
        assert_int_equal(d->ntrans, 3);
        assert_rel(d->old_multi_m2, 0.5e6, 1e-9);
        rl_report_free(rep);
        rl_diff_options_free(opts);
    }
    rl_ctx_free(ctx);
}

/*
 * Tiles whose pieces are the same in both versions skip the overlay; a
 * reprojected copy must count as the same, a vertex moved by 1 mm must not.
 */
static void unchanged_tiles_skip_overlay(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    char p_old[512], p_copy[512], p_dent[512];
    char *o[] = {dense_box("water", 0, 0, 1000, 1000, 20000),
                 dense_box("soil", 2000, 0, 3000, 1000, 20000)};
    snprintf(p_old, sizeof p_old, "%s", layer("same_old.geojson", o, 2));
    snprintf(p_copy, sizeof p_copy, "%s", to_4490(p_old, "same_copy.gpkg", NULL));
    /* Vertex 10000 of the bottom side is (500, 0), its neighbours 0.05 m away:
     * moved down by 1 mm it adds a triangle of 0.1 x 0.001 / 2 = 5e-5 m2. */
    char *n[] = {dense_box_dent("water", 0, 0, 1000, 1000, 20000, 10000, 0.001),
                 dense_box("soil", 2000, 0, 3000, 1000, 20000)};
    snprintf(p_dent, sizeof p_dent, "%s", layer("same_dent.geojson", n, 2));

    rl_diff_options *opts;
    rl_report *rep = diff(ctx, 6, (const char *const[]){"--area", "planar", "--by",
                                   "HXLX", p_old, p_copy}, &opts);
    const rl_diff_data *d = DIFF(rep);
    /* A few tiles are cut within 1e-9 m of a vertex: the copy gets one vertex
     * more or less there, and those tiles take the overlay. */
    assert_true(d->scopes > 100);
    assert_true(d->unchanged_scopes >= d->scopes * 95 / 100);
    /* Cuts off the grid used to lose a strip along some of them: -1.75e-9. */
    assert_rel(d->total.old_m2, 2e6, 1e-10);
    assert_rel(d->total.new_m2, 2e6, 1e-10);
    assert_true(d->total.lost_m2 < 1e-6 && d->total.gained_m2 < 1e-6);
    assert_rel(group(d, "soil")->new_m2, 1e6, 1e-10);
    assert_true(d->new_self_overlap_m2 == 0);
    rl_report_free(rep);
    rl_diff_options_free(opts);

    rep = diff(ctx, 6, (const char *const[]){"--area", "planar", "--by", "HXLX", p_old,
                                             p_dent}, &opts);
    d = DIFF(rep);
    assert_true(d->unchanged_scopes > 0 && d->unchanged_scopes < d->scopes);
    assert_rel(d->total.gained_m2, 5e-5, 1e-3);
    assert_rel(group(d, "water")->gained_m2, 5e-5, 1e-3);
    assert_true(d->total.lost_m2 < 1e-9);
    assert_true(group(d, "soil")->gained_m2 == 0);
    assert_rel(d->total.new_m2 - d->total.old_m2, 5e-5, 1e-3);
    rl_report_free(rep);
    rl_diff_options_free(opts);
    rl_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shrink_move_reclassify_split),
        cmocka_unit_test(grow_in_other_crs_and_self_overlap),
        cmocka_unit_test(triple_overlap_counts_once),
        cmocka_unit_test(tiled_big_layers),
        cmocka_unit_test(unchanged_tiles_skip_overlay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
