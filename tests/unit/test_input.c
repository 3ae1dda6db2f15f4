/*
 * Input: encodings, CRS presence, layer selection, zip, unreadable files,
 * and geometry classification (null, empty, non-polygon, repaired).
 */
#include "testutil.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#define GBK_SHUIYUAN "\xCB\xAE\xD4\xB4\xBA\xAD\xD1\xF8" /* 水源涵养 in GBK */

/*
 * Write a one-field polygon shapefile.  encoding NULL: raw bytes, no .cpg;
 * epsg 0: no .prj.  wkts may include NULL for a null geometry.
 */
static void write_shp(const char *path, int epsg, const char *encoding,
                      const char *const *wkts, const char *const *values, int n)
{
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName("ESRI Shapefile");
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRSpatialReferenceH srs = NULL;
    if (epsg) {
        srs = OSRNewSpatialReference(NULL);
        OSRImportFromEPSG(srs, epsg);
    }
    char **lco = CSLSetNameValue(NULL, "ENCODING", encoding ? encoding : "");
    OGRLayerH l = GDALDatasetCreateLayer(ds, "x", srs, wkbPolygon, lco);
    CSLDestroy(lco);
    assert_non_null(l);
    OGRFieldDefnH fd = OGR_Fld_Create("NAME", OFTString);
    OGR_L_CreateField(l, fd, TRUE);
    OGR_Fld_Destroy(fd);
    for (int i = 0; i < n; i++) {
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
        if (wkts[i]) {
            OGRGeometryH g = NULL;
            char *w = (char *)wkts[i];
            OGR_G_CreateFromWkt(&w, NULL, &g);
            OGR_F_SetGeometryDirectly(f, g);
        }
        OGR_F_SetFieldString(f, 0, values[i]);
        assert_int_equal(OGR_L_CreateFeature(l, f), OGRERR_NONE);
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    if (srs)
        OSRDestroySpatialReference(srs);
}

static const char *SQ =
    "POLYGON((39500000 4400000,39501000 4400000,39501000 4401000,39500000 "
    "4401000,39500000 4400000))";

static void gbk_without_cpg_is_guessed(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    const char *p = tu_path("raw.shp");
    write_shp(p, 4527, NULL, (const char *[]){SQ}, (const char *[]){GBK_SHUIYUAN}, 1);
    /* As delivered from many tools: no .cpg at all. */
    unlink(tu_path("raw.cpg"));
    rl_layer *L = NULL;
    assert_int_equal(rl_layer_read(ctx, p, NULL, &L), RL_OK);
    assert_string_equal(L->feat[0].attrs[0], "水源涵养");
    assert_true(L->encoding_guessed);
    assert_non_null(strstr(L->encoding, "GBK"));
    assert_string_equal(L->crs->name, "EPSG:4527");
    rl_layer_free(ctx, L);
    /* --encoding decides instead of the guess. */
    rl_input_opts io = {.encoding = "CP936"};
    assert_int_equal(rl_layer_read(ctx, p, &io, &L), RL_OK);
    assert_string_equal(L->feat[0].attrs[0], "水源涵养");
    assert_false(L->encoding_guessed);
    assert_non_null(strstr(L->encoding, "--encoding"));
    rl_layer_free(ctx, L);
    rl_ctx_free(ctx);
}

static void gbk_with_cpg_is_decoded_by_gdal(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    const char *p = tu_path("cpg.shp");
    /* GDAL writes a .cpg and recodes our UTF-8 into GBK on disk. */
    write_shp(p, 4527, "GBK", (const char *[]){SQ}, (const char *[]){"水源涵养"}, 1);
    rl_layer *L = NULL;
    assert_int_equal(rl_layer_read(ctx, p, NULL, &L), RL_OK);
    assert_string_equal(L->feat[0].attrs[0], "水源涵养");
    assert_false(L->encoding_guessed);
    rl_layer_free(ctx, L);
    rl_ctx_free(ctx);
}

static void missing_crs_and_assume_srs(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    const char *p = tu_path("noprj.shp");
    write_shp(p, 0, "UTF-8", (const char *[]){SQ}, (const char *[]){"a"}, 1);
    rl_layer *L = NULL;
    assert_int_equal(rl_layer_read(ctx, p, NULL, &L), RL_ERR_CRS);
    assert_null(L);
    assert_non_null(strstr(rl_ctx_errmsg(ctx), p));
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "no CRS"));
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "--assume-srs"));
    rl_input_opts io = {.assume_srs = "EPSG:4527"};
    assert_int_equal(rl_layer_read(ctx, p, &io, &L), RL_OK);
    assert_true(L->crs_assumed);
    assert_string_equal(L->crs->name, "EPSG:4527");
    rl_layer_free(ctx, L);
    rl_input_opts bad = {.assume_srs = "EPSG:999999"};
    assert_int_equal(rl_layer_read(ctx, p, &bad, &L), RL_ERR_USAGE);
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "--assume-srs"));
    rl_ctx_free(ctx);
}

static void missing_and_unreadable_files(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    rl_layer *L = NULL;
    const char *nope = tu_path("nope.shp");
    assert_int_equal(rl_layer_read(ctx, nope, NULL, &L), RL_ERR_INPUT);
    assert_non_null(strstr(rl_ctx_errmsg(ctx), nope));
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "no such file"));
    const char *junk = tu_write("junk.shp", "this is not a shapefile\n");
    assert_int_equal(rl_layer_read(ctx, junk, NULL, &L), RL_ERR_INPUT);
    assert_non_null(strstr(rl_ctx_errmsg(ctx), junk));
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "cannot open"));
    assert_null(L);
    rl_ctx_free(ctx);
}

/*
 * A record GDAL cannot decode: kept as an unreadable feature (attributes
 * still read) with keep_unreadable, else the read fails naming the FID.
 */
static void corrupt_record(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    const char *p = tu_path("corrupt.shp");
    write_shp(p, 4527, "UTF-8", (const char *const[]){SQ, SQ, SQ},
              (const char *const[]){"a", "b", "c"}, 3);
    /* Record 1 starts at 100 + (8 + 128); its Parts[0] is 44 bytes in. */
    FILE *f = fopen(p, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 100 + 136 + 8 + 44, SEEK_SET), 0);
    fwrite("\xff\xff\xff\x7f", 1, 4, f);
    fclose(f);
    rl_layer *L = NULL;
    assert_int_equal(rl_layer_read(ctx, p, NULL, &L), RL_ERR_INPUT);
    assert_non_null(strstr(rl_ctx_errmsg(ctx), p));
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "FID 1: record unreadable"));
    assert_null(L);
    rl_input_opts io = {.keep_unreadable = 1};
    assert_int_equal(rl_layer_read(ctx, p, &io, &L), RL_OK);
    assert_int_equal(L->n, 3);
    assert_int_equal(L->unreadable, 1);
    assert_int_equal(L->unreadable_fid, 1);
    assert_non_null(strstr(L->unreadable_msg, "shape 1"));
    assert_int_equal(L->bad, 1);
    assert_int_equal(L->feat[1].status, RL_FEAT_UNREADABLE);
    assert_null(L->feat[1].geom);
    assert_string_equal(L->feat[1].attrs[0], "b");
    assert_int_equal(L->feat[0].status, RL_FEAT_OK);
    assert_int_equal(L->feat[2].status, RL_FEAT_OK);
    rl_layer_free(ctx, L);
    rl_ctx_free(ctx);
}

static void layer_selection_and_zip(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    /* A GeoPackage with two layers. */
    const char *gpkg = tu_path("two.gpkg");
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GPKG"), gpkg, 0, 0, 0,
                                 GDT_Unknown, NULL);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4527);
    GDALDatasetCreateLayer(ds, "alpha", srs, wkbPolygon, NULL);
    GDALDatasetCreateLayer(ds, "beta", srs, wkbPolygon, NULL);
    GDALClose(ds);
    OSRDestroySpatialReference(srs);
    rl_layer *L = NULL;
    assert_int_equal(rl_layer_read(ctx, gpkg, NULL, &L), RL_ERR_INPUT);
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "alpha, beta"));
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "|layername="));
    char named[600];
    snprintf(named, sizeof named, "%s|layername=beta", gpkg);
    assert_int_equal(rl_layer_read(ctx, named, NULL, &L), RL_OK);
    assert_string_equal(L->layer_name, "beta");
    assert_int_equal(L->n, 0);
    rl_layer_free(ctx, L);
    snprintf(named, sizeof named, "%s|layername=gamma", gpkg);
    assert_int_equal(rl_layer_read(ctx, named, NULL, &L), RL_ERR_INPUT);
    assert_non_null(strstr(rl_ctx_errmsg(ctx), "no layer named 'gamma'"));
    /* A zipped shapefile, read by its plain .zip path. */
    write_shp(tu_path("z.shp"), 4527, "UTF-8", (const char *[]){SQ},
              (const char *[]){"z"}, 1);
    const char *exts[] = {"shp", "shx", "dbf", "prj", "cpg"};
    for (int i = 0; i < 5; i++) {
        char src[600], dst[600];
        snprintf(src, sizeof src, "%s/z.%s", tu_tmpdir(), exts[i]);
        snprintf(dst, sizeof dst, "/vsizip/%s/inner/z.%s", tu_path("d.zip"), exts[i]);
        assert_int_equal(CPLCopyFile(dst, src), 0);
    }
    assert_int_equal(rl_layer_read(ctx, tu_path("d.zip"), NULL, &L), RL_OK);
    assert_int_equal(L->n, 1);
    assert_string_equal(L->feat[0].attrs[0], "z");
    rl_layer_free(ctx, L);
    rl_ctx_free(ctx);
}

static void geometry_classes(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    const char *feats[] = {
        "\"properties\":{\"k\":\"ok\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}",
        "\"properties\":{\"k\":\"null\"},\"geometry\":null",
        "\"properties\":{\"k\":\"bowtie\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[0,0],[10,10],[10,0],[0,10],[0,0]]]}",
        "\"properties\":{\"k\":\"line\"},\"geometry\":{\"type\":\"LineString\","
        "\"coordinates\":[[0,0],[1,1]]}",
        "\"properties\":{\"k\":\"flat\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[0,0],[10,0],[20,0],[0,0]]]}",
        "\"properties\":{\"k\":\"empty\"},\"geometry\":{\"type\":"
        "\"GeometryCollection\",\"geometries\":[]}",
    };
    /* Web Mercator: (0, 0) lies inside its area of use, the whole world. */
    char *text = tu_geojson(3857, feats, 6);
    const char *path = tu_write("classes.geojson", text);
    free(text);
    rl_layer *L = NULL;
    assert_int_equal(rl_layer_read(ctx, path, NULL, &L), RL_OK);
    assert_int_equal(L->n, 6);
    assert_int_equal(L->feat[0].status, RL_FEAT_OK);
    assert_false(L->feat[0].repaired);
    assert_int_equal(L->feat[1].status, RL_FEAT_NULL);
    assert_int_equal(L->feat[2].status, RL_FEAT_OK);
    assert_true(L->feat[2].repaired);
    double a = 0;
    assert_int_equal(rl_geom_area(ctx, L->feat[2].geom, L->crs, RL_AREA_PLANAR, &a), RL_OK);
    assert_rel(a, 50.0, 1e-12); /* two triangles of 25 m2 */
    assert_int_equal(L->feat[3].status, RL_FEAT_NOT_POLYGON);
    assert_int_equal(L->feat[4].status, RL_FEAT_COLLAPSED);
    assert_int_equal(L->feat[5].status, RL_FEAT_EMPTY);
    assert_int_equal(L->repaired, 2);
    assert_int_equal(L->bad, 4);
    rl_layer_free(ctx, L);
    rl_ctx_free(ctx);
}

/*
 * Features that cannot be used: a NaN or infinite coordinate, or an extent
 * far outside the CRS's area of use.  Each gets its own status at read
 * time, is never dropped by the keep_near filter (its true position is
 * unknown), and rl_layer_check_untrusted refuses the layer naming the first.
 */
static void untrusted_features(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    const char *feats[] = {
        "\"properties\":{\"k\":\"good\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
        "[[[39516000,4416000],[39516100,4416000],[39516100,4416100],[39516000,4416000]]]}",
        "\"properties\":{\"k\":\"nan\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
        "[[[39516000,4416000],[NaN,4416000],[39516100,4416100],[39516000,4416000]]]}",
        "\"properties\":{\"k\":\"inf\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
        "[[[39516000,4416000],[39516100,1e400],[39516100,4416100],[39516000,4416000]]]}",
        "\"properties\":{\"k\":\"huge\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
        "[[[-1e20,-1e20],[1e20,-1e20],[1e20,1e20],[-1e20,1e20],[-1e20,-1e20]]]}",
        /* 20 degrees west of the zone's meridian: x0 - ~1700 km */
        "\"properties\":{\"k\":\"west\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
        "[[[37800000,4416000],[37800100,4416000],[37800100,4416100],[37800000,4416000]]]}",
    };
    char *text = tu_geojson(4527, feats, 5);
    const char *path = tu_write("untrusted.geojson", text);
    free(text);
    rl_layer *L = NULL;
    assert_int_equal(rl_layer_read(ctx, path, NULL, &L), RL_OK);
    assert_int_equal(L->n, 5);
    assert_int_equal(L->feat[0].status, RL_FEAT_OK);
    assert_int_equal(L->feat[1].status, RL_FEAT_NONFINITE);
    assert_int_equal(L->feat[2].status, RL_FEAT_NONFINITE);
    assert_int_equal(L->feat[3].status, RL_FEAT_OUTSIDE_CRS);
    assert_int_equal(L->feat[4].status, RL_FEAT_OUTSIDE_CRS);
    assert_null(L->feat[1].geom);
    assert_null(L->feat[3].geom);
    assert_int_equal(L->bad, 4);
    assert_int_equal(rl_layer_untrusted(L), 4);
    assert_int_equal(rl_layer_require_polygons(ctx, L, "a control layer", 0), RL_OK);
    assert_int_equal(rl_layer_check_untrusted(ctx, L, 0, "--skip-bad-controls"),
                     RL_ERR_INPUT);
    const char *msg = rl_ctx_errmsg(ctx);
    assert_non_null(strstr(msg, path));
    assert_non_null(strstr(msg, "FID 1: a coordinate is not a finite number"));
    assert_non_null(strstr(msg, "4 features of layer 'untrusted' cannot be used (FID 1, 2, 3, 4)"));
    assert_non_null(strstr(msg, "--skip-bad-controls"));
    char why[1024];
    assert_non_null(strstr(rl_feature_why(L, 3, why, sizeof why),
                           "far outside the area of use"));
    assert_non_null(strstr(why, "EPSG:4527"));
    rl_ctx_clear(ctx);
    assert_int_equal(rl_layer_check_untrusted(ctx, L, 1, "--skip-bad-controls"), RL_OK);
    rl_layer_free(ctx, L);

    /* A keep_near filter far from every feature: the good one is dropped as
     * far, the untrusted ones are kept to be reported. */
    const double far[1][4] = {{39900000, 4000000, 39900100, 4000100}};
    rl_envgrid *near = rl_envgrid_new(far, 1);
    rl_crs *crs = rl_crs_from_user(ctx, "EPSG:4527");
    rl_input_opts io = {.keep_near = near, .keep_near_crs = crs, .defer_repair = 1};
    assert_int_equal(rl_layer_read(ctx, path, &io, &L), RL_OK);
    assert_int_equal(L->nfar, 1);
    assert_int_equal(L->n, 4);
    assert_int_equal(rl_layer_untrusted(L), 4);
    rl_layer_free(ctx, L);
    rl_crs_free(crs);
    rl_envgrid_free(near);
    rl_ctx_free(ctx);
}

/*
 * The domain of a CRS, against hand figures: EPSG:4527's area of use is
 * 115.5..118.5 E, 22.6..49.88 N; widened by 3 degrees its west edge is
 * 4.5 degrees west of the central meridian 117 E, whose widest point is at
 * 19.6 N: a degree of longitude there is pi/180 * a cos(phi) /
 * sqrt(1 - e2 sin2(phi)) = 104.91 km, so 4.5 degrees = 472.1 km along the
 * parallel, and Gauss-Krüger x stretches that by about 1 + (lambda cos phi)^2 / 6
 * (+0.08%): x0 = 39,500,000 - 472,470 m, to within 1 km.
 * EPSG:4490 is geographic: its box is its area of use plus 3 degrees.
 */
static void crs_domain(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    double box[4];
    char desc[1024];
    rl_crs *gk = rl_crs_from_user(ctx, "EPSG:4527");
    rl_crs_domain(ctx, gk, box, desc, sizeof desc);
    assert_true(fabs(box[0] - (39500000.0 - 472470.0)) < 1000);
    assert_true(fabs(box[2] - (39500000.0 + 472470.0)) < 1000);
    assert_true(box[1] > 2.0e6 && box[1] < 2.2e6); /* 19.6 N: ~2.17e6 m */
    assert_true(box[3] > 5.8e6 && box[3] < 6.0e6); /* 52.88 N: ~5.86e6 m */
    assert_non_null(strstr(desc, "EPSG:4527"));
    assert_int_equal(rl_ctx_status(ctx), RL_OK);
    rl_crs *ll = rl_crs_from_user(ctx, "EPSG:4490");
    rl_crs_domain(ctx, ll, box, desc, sizeof desc);
    assert_rel(box[0], 73.62 - 3, 1e-12);
    assert_rel(box[1], 16.7 - 3, 1e-12);
    assert_rel(box[2], 134.77 + 3, 1e-12);
    assert_rel(box[3], 53.56 + 3, 1e-12);
    /* A projection with no area of use: |x|, |y| <= 1e8 m. */
    rl_crs *bare = rl_crs_from_user(ctx, "+proj=tmerc +lon_0=117 +x_0=500000 "
                                         "+ellps=GRS80 +units=m +type=crs");
    assert_non_null(bare);
    rl_crs_domain(ctx, bare, box, desc, sizeof desc);
    assert_rel(box[0], -RL_DOMAIN_MAX_M, 1e-12);
    assert_rel(box[3], RL_DOMAIN_MAX_M, 1e-12);
    assert_non_null(strstr(desc, "no usable area of use"));
    rl_crs_free(gk);
    rl_crs_free(ll);
    rl_crs_free(bare);
    rl_ctx_free(ctx);
}

/*
 * Distance in metres from (x, y) to the nearest edge of ring (xs, ys; n
 * points), all in crs, lon/lat scaled at the point's latitude; *at: where
 * along the ring, as edge number + fraction of that edge; len[i]: the
 * length of edge i in metres.
 */
/* Metres along the ring from position a to b (as off_ring's *at, a <= b). */
static double along(double a, double b, const double *len)
{
    double ea = floor(a), eb = floor(b), m = 0;
    if (ea == eb)
        return (b - a) * len[(int)ea];
    m = (ea + 1 - a) * len[(int)ea] + (b - eb) * len[(int)eb];
    for (double e = ea + 1; e < eb; e++)
        m += len[(int)e];
    return m;
}

static double off_ring(const rl_crs *crs, const double *xs, const double *ys, unsigned int n,
                       double x, double y, double *at, double *len)
{
    double kx = 1, ky = 1;
    if (crs->geographic) {
        ky = crs->a * M_PI / 180;
        kx = ky * cos(y * M_PI / 180);
    }
    double best = HUGE_VAL;
    for (unsigned int i = 0; i + 1 < n; i++) {
        double ax = (xs[i + 1] - xs[i]) * kx, ay = (ys[i + 1] - ys[i]) * ky;
        double bx = (x - xs[i]) * kx, by = (y - ys[i]) * ky;
        double L2 = ax * ax + ay * ay, t = L2 > 0 ? (ax * bx + ay * by) / L2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        double d = hypot(bx - t * ax, by - t * ay);
        if (d < best)
            best = d, *at = i + t;
        len[i] = sqrt(L2);
    }
    return best;
}

/*
 * rl_geom_transform_dense places most cut points' images by interpolation
 * (crs.c, dense_edge), promised within tol / 20 of their exact images.
 * Every vertex of the result, taken back exactly, must lie on one of the
 * source ring's straight edges to that bound (1e-8 m) plus the rounding of
 * taking it back (up to 5e-9 m measured with no interpolation: a unit in
 * the last place of a 39.5e6 m easting is 7.5e-9 m), for GK -> lon/lat
 * and lon/lat -> GK, near and 150 km off the central meridian, at 22N and
 * 50N, for edges from 3 m to 60 km.  Chords of the images would be off by
 * their sag (up to metres on the long edges), panels placed wrongly by up
 * to 1e-5 m.
 */
static void dense_transform_follows_edges(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    GEOSContextHandle_t h = ctx->geos;
    rl_crs *gk = rl_crs_from_user(ctx, "EPSG:4527");
    rl_crs *ll = rl_crs_from_user(ctx, "EPSG:4490");
    assert_non_null(gk);
    assert_non_null(ll);
    /* A ring in metres from its first vertex: 60 km, 3 m, 400 m, 25 km, ... */
    const double rx[] = {0, 60000, 60003, 60250, 35000, 34000, 0},
                 ry[] = {0, 4000, 4001, 4300, 30000, 29950, 0};
    const unsigned int n = sizeof rx / sizeof *rx;
    const double origin[][2] = {{39500000, 2440000}, {39650000, 2440000},
                                {39400000, 5540000}, {39640000, 5540000}};
    double worst = 0;
    unsigned int most = 0;
    for (int o = 0; o < 4; o++)
        for (int dir = 0; dir < 2; dir++) {
            const rl_crs *from = dir ? ll : gk, *to = dir ? gk : ll;
            PJ *pj = rl_ctx_pj(ctx, from->def, to->def);
            assert_non_null(pj);
            double xs[8], ys[8];
            for (unsigned int i = 0; i < n; i++) {
                PJ_COORD c = proj_coord(origin[o][0] + rx[i], origin[o][1] + ry[i], 0, 0);
                if (dir) /* the same shape, its vertices taken to lon/lat */
                    c = proj_trans(rl_ctx_pj(ctx, gk->def, ll->def), PJ_FWD, c);
                xs[i] = c.xy.x, ys[i] = c.xy.y;
            }
            GEOSCoordSequence *cs = GEOSCoordSeq_copyFromArrays_r(h, xs, ys, NULL, NULL, n);
            GEOSGeometry *g = GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, cs),
                                                       NULL, 0);
            GEOSGeometry *d = rl_geom_transform_dense(ctx, g, pj, from, to, RL_DENSIFY_TOL_M);
            assert_non_null(d);
            const GEOSCoordSequence *ds = GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, d));
            unsigned int m = 0;
            double prev[2] = {0, 0};
            assert_true(GEOSCoordSeq_getSize_r(h, ds, &m));
            most = m > most ? m : most;
            for (unsigned int j = 0; j < m; j++) {
                double x, y;
                GEOSCoordSeq_getXY_r(h, ds, j, &x, &y);
                PJ_COORD c = proj_trans(pj, PJ_INV, proj_coord(x, y, 0, 0));
                double at = 0, len[8], off = off_ring(from, xs, ys, n, c.xy.x, c.xy.y, &at, len);
                if (!(off <= 2e-8))
                    print_error("origin %d dir %d vertex %u of %u: %.3g m off\n", o, dir, j,
                                m, off);
                assert_true(off <= 2e-8);
                worst = off > worst ? off : worst;
                if (j == 0)
                    at = 0; /* the ring's first vertex, also the end of its last edge */
                /* In order, in equal steps of metres along each edge. */
                double step = at - prev[1] > 0 ? along(prev[1], at, len) : -1;
                if (j >= 1 && j + 1 < m && !(step > 0 && step < 10))
                    print_error("origin %d dir %d vertex %u: at %.12g after %.12g\n", o, dir,
                                j, at, prev[1]);
                if (j >= 1 && j + 1 < m)
                    assert_true(step > 0 && step < 10);
                double e = floor(prev[1]);
                if (j >= 2 && j + 1 < m && prev[1] - e > 1e-9 && at - e < 1 - 1e-9 &&
                    prev[0] >= e)
                    assert_true(fabs(step - along(prev[0], prev[1], len)) < 1e-7);
                prev[0] = prev[1], prev[1] = at;
            }
            GEOSGeom_destroy_r(h, d);
            GEOSGeom_destroy_r(h, g);
        }
    print_message("densified up to %u vertices, farthest %.3g m off the edges\n", most, worst);
    assert_true(most > 10000); /* it did densify: ~2.5 m steps on 150 km of edges */
    rl_crs_free(gk);
    rl_crs_free(ll);
    rl_ctx_free(ctx);
}

/* Empty, geometry-less and line layers against rl_layer_require_polygons. */
static void layers_that_must_hold_polygons(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    const char *line = "\"properties\":{},\"geometry\":{\"type\":\"LineString\","
                       "\"coordinates\":[[39516000,4416000],[39516100,4416100]]}";
    const char *poly = "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                       "[[[39516000,4416000],[39516100,4416000],[39516100,4416100],"
                       "[39516000,4416000]]]}";
    const char *null = "\"properties\":{},\"geometry\":null";
    const char *flat = "\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                       "[[[39516000,4416000],[39516100,4416000],[39516200,4416000],"
                       "[39516000,4416000]]]}";
    struct {
        const char *name;
        const char *feats[2];
        size_t n;
        rl_status want, want_allow;
        const char *needle;
    } cases[] = {
        {"empty.geojson", {NULL, NULL}, 0, RL_ERR_INPUT, RL_OK, "is empty (no features)"},
        {"nulls.geojson", {null, null}, 2, RL_ERR_INPUT, RL_OK, "2 features but no geometry"},
        {"lines.geojson", {line, null}, 2, RL_ERR_INPUT, RL_ERR_INPUT,
         "holds no polygons (1 point or line feature, 1 without geometry)"},
        {"mixed.geojson", {line, poly}, 2, RL_OK, RL_OK, NULL},
        {"flat.geojson", {flat, null}, 2, RL_ERR_INPUT, RL_ERR_INPUT,
         "holds no usable polygon (1 polygon with no area after repair"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char *text = tu_geojson(4527, cases[c].feats, cases[c].n);
        const char *path = tu_write(cases[c].name, text);
        free(text);
        rl_layer *L = NULL;
        assert_int_equal(rl_layer_read(ctx, path, NULL, &L), RL_OK);
        assert_int_equal(rl_layer_require_polygons(ctx, L, "OLD", 0), cases[c].want);
        if (cases[c].needle) {
            assert_non_null(strstr(rl_ctx_errmsg(ctx), cases[c].needle));
            assert_non_null(strstr(rl_ctx_errmsg(ctx), path));
        }
        assert_false(L->empty_accepted);
        rl_ctx_clear(ctx);
        assert_int_equal(rl_layer_require_polygons(ctx, L, "OLD", 1), cases[c].want_allow);
        assert_int_equal(L->empty_accepted, cases[c].want == RL_ERR_INPUT &&
                                                cases[c].want_allow == RL_OK);
        rl_ctx_clear(ctx);
        rl_layer_free(ctx, L);
    }
    rl_ctx_free(ctx);
}

/*
 * The CRS's display name: the EPSG code of the entry with exactly its name
 * when the two are equivalent (an ESRI .prj: axes east, north), else the
 * name from the .prj.  A name PROJ does not know used to cost a search through
 * every CRS on the datum (0.2-0.4 s, over 10 s under ASan: a fuzz finding,
 * tests/fuzz/regressions/timeout-prj-name-unknown-to-proj); the cheaper lookup
 * must give the names the search gave.
 */
static void crs_display_names(void **state)
{
    (void)state;
    rl_ctx *ctx = rl_ctx_new();
    const char *p = tu_path("named.shp");
    static const char *const esri =
        "PROJCS[\"%s\",GEOGCS[\"GCS_China_Geodetic_Coordinate_System_2000\","
        "DATUM[\"D_China_2000\",SPHEROID[\"CGCS2000\",6378137.0,298.257222101]],"
        "PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],"
        "PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",%s],"
        "PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",117.0],"
        "PARAMETER[\"Scale_Factor\",1.0],PARAMETER[\"Latitude_Of_Origin\",0.0],"
        "UNIT[\"Meter\",1.0]]";
    static const struct {
        const char *name, *false_easting, *expect;
    } cases[] = {
        /* ArcGIS's names for EPSG:4527 and EPSG:4548 */
        {"CGCS2000_3_Degree_GK_Zone_39", "39500000.0", "EPSG:4527"},
        {"CGCS2000_3_Degree_GK_CM_117E", "500000.0", "EPSG:4548"},
        /* a name no database has, for EPSG:4527's definition */
        {"CGCS4356_3_Degree_GK_Zone_39", "39500000.0", "CGCS4356_3_Degree_GK_Zone_39"},
        /* a known name on another definition is not that entry */
        {"CGCS2000_3_Degree_GK_Zone_39", "39400000.0", "CGCS2000 / 3-degree Gauss-Kruger zone 39"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        write_shp(p, 4527, "UTF-8", (const char *[]){SQ}, (const char *[]){"a"}, 1);
        char wkt[1024];
        snprintf(wkt, sizeof wkt, esri, cases[i].name, cases[i].false_easting);
        tu_write("named.prj", wkt);
        rl_layer *L = NULL;
        assert_int_equal(rl_layer_read(ctx, p, NULL, &L), RL_OK);
        assert_string_equal(L->crs->name, cases[i].expect);
        rl_layer_free(ctx, L);
    }
    rl_ctx_free(ctx);
}

/*
 * "no field 'X'" hints: the nearest field a few edits away (case ignored),
 * never a far guess; the field list, cut with "..." to fit the buffer.
 */
static void field_hints(void **state)
{
    (void)state;
    char *names[] = {"XMBH", "XMMC", "HXLX", "ZRBHDFQ"};
    rl_layer L = {0};
    L.nfields = 4;
    L.fields = names;
    char buf[RL_FIELD_HINT_MAX];
    assert_string_equal(rl_layer_field_hint(&L, "XMBM", buf, sizeof buf),
                        "; did you mean 'XMBH'? (fields: XMBH, XMMC, HXLX, ZRBHDFQ)");
    assert_string_equal(rl_layer_field_nearest(&L, "xmbm"), "XMBH");
    assert_string_equal(rl_layer_field_nearest(&L, "zrbhdfx"), "ZRBHDFQ");
    assert_string_equal(rl_layer_field_nearest(&L, "HXL"), "HXLX");
    assert_null(rl_layer_field_nearest(&L, "NAME"));     /* 4 letters, 3 edits away */
    assert_null(rl_layer_field_nearest(&L, "XM"));       /* 2 edits: too far for 2 letters */
    assert_string_equal(rl_layer_field_hint(&L, "NAME", buf, sizeof buf),
                        " (fields: XMBH, XMMC, HXLX, ZRBHDFQ)");
    /* A short buffer: the list is cut with "...", the text always ends. */
    char small[40];
    rl_layer_field_hint(&L, "NAME", small, sizeof small);
    assert_string_equal(small, " (fields: XMBH, XMMC, HXLX, ...)");
    char tiny[6];
    rl_layer_field_hint(&L, "XMBM", tiny, sizeof tiny);
    assert_int_equal(strlen(tiny), 5);
    rl_layer none = {0};
    assert_string_equal(rl_layer_field_hint(&none, "A", buf, sizeof buf),
                        " (the layer has no fields)");
    assert_null(rl_layer_field_nearest(&none, "A"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gbk_without_cpg_is_guessed),
        cmocka_unit_test(gbk_with_cpg_is_decoded_by_gdal),
        cmocka_unit_test(missing_crs_and_assume_srs),
        cmocka_unit_test(missing_and_unreadable_files),
        cmocka_unit_test(corrupt_record),
        cmocka_unit_test(layer_selection_and_zip),
        cmocka_unit_test(geometry_classes),
        cmocka_unit_test(untrusted_features),
        cmocka_unit_test(crs_domain),
        cmocka_unit_test(dense_transform_follows_edges),
        cmocka_unit_test(layers_that_must_hold_polygons),
        cmocka_unit_test(crs_display_names),
        cmocka_unit_test(field_hints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
