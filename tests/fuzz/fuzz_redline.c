/*
 * fuzz_redline.c -- libFuzzer target: mutated footprint files through the
 * reader, `screen` against a small fixed control, and `area`.
 *
 * Only the public API (include/redline/redline.h) is used, as a program
 * embedding libredline would; GDAL's /vsimem/ holds the input files, so an
 * execution touches no disk except for --pieces (see below).
 *
 * Input layout (docs/testing.md, "Fuzzing"):
 *   byte 0   bits 0-1  format: 0 GeoJSON, 1 GeoPackage, 2 shapefile
 *                      container, 3 zip (read through /vsizip/)
 *            bit  2    --assume-srs EPSG:4527 (else a layer without CRS
 *                      stops at the CRS check)
 *            bit  3    --area planar (else ellipsoidal)
 *            bits 4-5  -f table, csv, json, json
 *            bits 6-7  --pieces: none, .geojson, .gpkg, .shp
 *   byte 1   bit  0    --id-field XMBH        bit 1  --strict
 *            bit  2    --encoding GBK         bit 3  --min-area 0
 *            bit  4    area --by XMBH         bit 5  area --units mu
 *            bit  6    the file is the control (--eco) and a fixed
 *                      footprint layer is screened against it
 *   the rest           the file (GeoJSON, GPKG, zip), or for a shapefile
 *                      up to five parts .shp .shx .dbf .prj .cpg, each a
 *                      little-endian uint32 length and that many bytes.  A
 *                      length with the top bit set leaves the part out; a
 *                      length past the end takes what is left; parts
 *                      missing at the end are left out.
 *
 * Every execution gets a fresh rl_ctx, so no state but GDAL's and PROJ's
 * caches carries over from one input to the next, and a crash replays from
 * its input alone.  The report is written in full (to /dev/null), so the
 * report writers see whatever text and numbers the input produced.
 */
#include <redline/redline.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CONTROL "/vsimem/fuzz_control/eco.geojson"
#define FOOTPRINTS "/vsimem/fuzz_control/footprints.geojson"
#define FP_DIR "/vsimem/fuzz_fp"

/*
 * Two red-line polygons where the sample footprints are (CGCS2000 3-degree
 * Gauss-Kruger zone 39): a square with a hole and a triangle, so that seeds
 * made from sample_shapes/ overlap, touch and miss them.
 */
static const char control_geojson[] =
    "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
    "{\"name\":\"urn:ogc:def:crs:EPSG::4527\"}},\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"NAME\":\"A\"},\"geometry\":"
    "{\"type\":\"Polygon\",\"coordinates\":["
    "[[39512000,4413000],[39516000,4413000],[39516000,4417000],"
    "[39512000,4417000],[39512000,4413000]],"
    "[[39513000,4414000],[39513000,4415000],[39514000,4415000],"
    "[39514000,4414000],[39513000,4414000]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"NAME\":\"B\"},\"geometry\":"
    "{\"type\":\"Polygon\",\"coordinates\":["
    "[[39517000,4415000],[39520000,4415000],[39518500,4419000],"
    "[39517000,4415000]]]}}]}";

/*
 * The footprints screened when the fuzzed file is the control: across the
 * sample red line's edge, inside it, and a bow-tie that needs repair.
 */
static const char footprints_geojson[] =
    "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
    "{\"name\":\"urn:ogc:def:crs:EPSG::4527\"}},\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"XMBH\":\"F1\"},\"geometry\":"
    "{\"type\":\"Polygon\",\"coordinates\":["
    "[[39511000,4412000],[39515000,4412000],[39515000,4416000],"
    "[39511000,4416000],[39511000,4412000]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"XMBH\":\"F2\"},\"geometry\":"
    "{\"type\":\"Polygon\",\"coordinates\":["
    "[[39516000,4416000],[39520000,4420000],[39520000,4416000],"
    "[39516000,4420000],[39516000,4416000]]]}}]}";

/* A real folder for --pieces: the writer renames a temporary file into place. */
static char pieces_dir[256];
static FILE *devnull;
/* REDLINE_FUZZ_SHOW=1: reports to stdout and failures to stderr, to see
 * what an input does (fuzz_replay FILE). */
static int show;

static void put_file(const char *path, const uint8_t *p, size_t n)
{
    VSILFILE *f = VSIFOpenL(path, "wb");
    if (!f)
        abort(); /* /vsimem/ cannot fail but for memory: a harness bug */
    if (n && VSIFWriteL(p, 1, n, f) != n)
        abort();
    VSIFCloseL(f);
}

/*
 * Shapefile container -> FP_DIR/fp.{shp,shx,dbf,prj,cpg}.  The .shp is
 * always written (possibly empty), so that there is a dataset to open.
 */
static void put_shapefile(const uint8_t *p, size_t n)
{
    static const char *const ext[] = {"shp", "shx", "dbf", "prj", "cpg"};
    char path[64];
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, FP_DIR "/fp.%s", ext[i]);
        if (n < 4) {
            if (i == 0)
                put_file(path, NULL, 0);
            continue;
        }
        uint32_t len = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                       (uint32_t)p[3] << 24;
        p += 4;
        n -= 4;
        if (len & 0x80000000u) {
            if (i == 0)
                put_file(path, NULL, 0);
            continue;
        }
        size_t take = len < n ? len : n;
        put_file(path, p, take);
        p += take;
        n -= take;
    }
}

static void remove_pieces(void)
{
    static const char *const names[] = {"pieces.geojson", "pieces.gpkg", "pieces.shp",
                                        "pieces.shx", "pieces.dbf", "pieces.prj",
                                        "pieces.cpg"};
    char path[512];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", pieces_dir, names[i]);
        unlink(path);
    }
}

static void remove_tmpdir(void)
{
    remove_pieces();
    rmdir(pieces_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* GDAL's warnings about broken input are expected by the thousand. */
    CPLSetErrorHandler(CPLQuietErrorHandler);
    put_file(CONTROL, (const uint8_t *)control_geojson, sizeof control_geojson - 1);
    put_file(FOOTPRINTS, (const uint8_t *)footprints_geojson,
             sizeof footprints_geojson - 1);
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    snprintf(pieces_dir, sizeof pieces_dir, "%s/redline-fuzz-XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(pieces_dir))
        abort();
    atexit(remove_tmpdir);
    show = getenv("REDLINE_FUZZ_SHOW") != NULL;
    devnull = show ? stdout : fopen("/dev/null", "w");
    if (!devnull)
        abort();
    return 0;
}

/* Write one command's report to /dev/null; the status is not the point. */
static void write_report(rl_ctx *ctx, const char *cmd, rl_status st, rl_report *rep)
{
    if (rep)
        st = rl_report_write(ctx, rep, devnull);
    if (show)
        fprintf(stderr, "%s: status %d, exit code %d%s%s\n", cmd, (int)st,
                rl_report_exit_code(rep), st ? ": " : "", st ? rl_ctx_errmsg(ctx) : "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return -1; /* not added to the corpus */
    const unsigned b0 = data[0], b1 = data[1];
    data += 2;
    size -= 2;

    static const char *const fp_name[] = {FP_DIR "/fp.geojson", FP_DIR "/fp.gpkg",
                                          FP_DIR "/fp.shp", FP_DIR "/fp.zip"};
    const char *fp = fp_name[b0 & 3];
    VSIMkdir(FP_DIR, 0755);
    if ((b0 & 3) == 2)
        put_shapefile(data, size);
    else
        put_file(fp, data, size);

    static const char *const formats[] = {"table", "csv", "json", "json"};
    static const char *const pieces_ext[] = {NULL, "geojson", "gpkg", "shp"};
    char pieces[512];
    const char *argv[32];
    int argc = 0;
    const int as_control = (b1 & 64) != 0;
    argv[argc++] = "--eco";
    argv[argc++] = as_control ? fp : CONTROL;
    argv[argc++] = "--jobs";
    argv[argc++] = "1";
    argv[argc++] = "-f";
    argv[argc++] = formats[(b0 >> 4) & 3];
    const int common_start = argc - 2; /* -f and the options below suit area too */
    if (b0 & 4) {
        argv[argc++] = "--assume-srs";
        argv[argc++] = "EPSG:4527";
    }
    if (b0 & 8) {
        argv[argc++] = "--area";
        argv[argc++] = "planar";
    }
    if (b1 & 4) {
        argv[argc++] = "--encoding";
        argv[argc++] = "GBK";
    }
    const int common_end = argc;
    if (b0 >> 6) {
        snprintf(pieces, sizeof pieces, "%s/pieces.%s", pieces_dir, pieces_ext[b0 >> 6]);
        argv[argc++] = "--pieces";
        argv[argc++] = pieces;
    }
    if (b1 & 1) {
        argv[argc++] = "--id-field";
        argv[argc++] = "XMBH";
    }
    if (b1 & 2)
        argv[argc++] = "--strict";
    if (b1 & 8) {
        argv[argc++] = "--min-area";
        argv[argc++] = "0";
    }
    argv[argc++] = as_control ? FOOTPRINTS : fp;

    rl_ctx *ctx = rl_ctx_new();
    if (!ctx)
        abort();
    rl_screen_options *so = rl_screen_options_new(ctx, argc, argv);
    if (!so)
        abort(); /* the arguments are fixed: a harness bug */
    rl_report *rep = NULL;
    rl_status st = rl_screen(ctx, so, &rep);
    write_report(ctx, "screen", st, rep);
    rl_report_free(rep);
    rl_screen_options_free(so);
    remove_pieces();

    /* area on the same file, as a layer: union, self-overlap, groups. */
    const char *av[32];
    int ac = 0;
    av[ac++] = "--jobs";
    av[ac++] = "1";
    for (int i = common_start; i < common_end; i++)
        av[ac++] = argv[i];
    if (b1 & 16) {
        av[ac++] = "--by";
        av[ac++] = "XMBH";
    }
    if (b1 & 32) {
        av[ac++] = "--units";
        av[ac++] = "mu";
    }
    av[ac++] = fp;
    rl_area_options *ao = rl_area_options_new(ctx, ac, av);
    if (!ao)
        abort();
    rep = NULL;
    st = rl_area(ctx, ao, &rep);
    write_report(ctx, "area", st, rep);
    rl_report_free(rep);
    rl_area_options_free(ao);

    rl_ctx_free(ctx);
    VSIRmdirRecursive(FP_DIR);
    return 0;
}
