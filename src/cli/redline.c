/*
 * redline.c -- the command-line tool: argv -> options -> one library call ->
 * exit status.  All the work is in libredline (include/redline/redline.h).
 */
#include <redline/redline.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const usage_main =
    "Usage: redline COMMAND [OPTIONS] ARGS...\n"
    "\n"
    "Overlay construction-project footprints on China's control lines\n"
    "(生态保护红线 ecological red line, 永久基本农田 permanent basic farmland,\n"
    "城镇开发边界 urban development boundary) and report areas.\n"
    "\n"
    "Commands:\n"
    "  screen   check footprints against control layers\n"
    "  diff     compare two versions of a control layer (has it shrunk?)\n"
    "  area     union area, feature count and self-overlap of one layer\n"
    "  audit    check and screen every vector file under a folder (and zips)\n"
    "\n"
    "Run 'redline COMMAND --help' for a command's options.\n"
    "Options: --help, --version.\n"
    "Exit status: 0 no conflict; 1 conflict / shrunk / below minimum;\n"
    "2 bad usage or an input that could not be processed.\n";

#define COMMON_HELP                                                            \
    "  --area ellipsoidal|planar  area method (default ellipsoidal: geodesic\n" \
    "                        area on the CRS's ellipsoid, CGCS2000 = GRS80)\n"  \
    "  --units m2|ha|mu|km2  units of table and CSV output (JSON is always m2;\n" \
    "                        1 mu = 10000/15 m2)\n"                             \
    "  -f, --format table|csv|json  output format (default table; CSV has a\n"  \
    "                        UTF-8 BOM for Excel)\n"                           \
    "  -o, --output FILE     write the report to FILE instead of stdout\n"     \
    "  --assume-srs SRS      CRS for inputs that have none (e.g. EPSG:4527)\n" \
    "  --encoding ENC        text encoding of shapefiles with neither .cpg nor\n" \
    "                        DBF code page (default: UTF-8 if valid, else GBK)\n" \
    "  -q, --quiet           no messages on stderr except errors\n"            \
    "  -h, --help            this help;  --version  print the version\n"      \
    "\n"                                                                       \
    "A dataset with several layers is named as 'PATH|layername=NAME'; a .zip\n" \
    "path is read through /vsizip/.  See docs/ for the full manual.\n"

static const char *const usage_screen =
    "Usage: redline screen [OPTIONS] FOOTPRINT...\n"
    "\n"
    "Screen project footprints (压占分析) against control layers.\n"
    "\n"
    "Controls (at least one):\n"
    "  --eco PATH            ecological red line: rule forbid, severity conflict\n"
    "  --farmland PATH       permanent basic farmland: forbid, conflict\n"
    "  --udb PATH            urban development boundary: require, warn\n"
    "  --control NAME:RULE[:SEVERITY]=PATH\n"
    "                        any other layer; RULE forbid|require|report,\n"
    "                        SEVERITY conflict|warn (default: conflict for\n"
    "                        forbid, warn for require and report)\n"
    "Options:\n"
    "  --id-field FIELD      footprint id field (default: the FID)\n"
    "  --min-area AREA       a finding needs at least this area (default 1 m2;\n"
    "                        units may follow: 0.5ha, 2mu)\n"
    "  --strict              warn-severity findings count as conflicts\n"
    "  --pieces FILE         write overlap pieces (.gpkg, .geojson or .shp)\n"
    "  -j, --jobs N          worker threads (default 1; ALL_CPUS: one per processor)\n" COMMON_HELP;

static const char *const usage_diff =
    "Usage: redline diff [OPTIONS] OLD NEW\n"
    "\n"
    "Compare two versions of a control layer (面积不减少): union areas, area\n"
    "lost (old - new), gained (new - old) and net change.  Exit 1 if shrunk.\n"
    "\n"
    "Options:\n"
    "  --by FIELD            break the figures down by an attribute\n"
    "  --tolerance AREA      shrunk means net < -AREA (default 1 m2)\n"
    "  --pieces FILE         write lost and gained pieces (.gpkg, .geojson, .shp)\n"
    "  -j, --jobs N          worker threads (default 1; ALL_CPUS: one per processor);\n"
    "                        same figures for any N\n"
    COMMON_HELP;

static const char *const usage_area =
    "Usage: redline area [OPTIONS] LAYER\n"
    "\n"
    "Union area, feature count and self-overlap of one layer.\n"
    "\n"
    "Options:\n"
    "  --by FIELD            break the figures down by an attribute\n"
    "  --expect-min AREA     exit 1 if the union area is below AREA\n"
    "                        (e.g. 12.5km2, 1800ha, 27000mu)\n"
    "  -j, --jobs N          worker threads (default 1; ALL_CPUS: one per processor);\n"
    "                        same figures for any N\n" COMMON_HELP;

static const char *const usage_audit =
    "Usage: redline audit [OPTIONS] DIR\n"
    "\n"
    "Walk DIR recursively (into .zip archives too), check every vector dataset\n"
    "(problem codes: unreadable, missing_shx, missing_dbf, missing_prj,\n"
    "not_polygon, empty_layer, null_geometry, invalid_geometry,\n"
    "encoding_unknown, coords_outside_crs, duplicate_id, missing_id_field)\n"
    "and screen it with the control options of 'redline screen'.  Nothing\n"
    "under DIR is ever written.  Each file runs in a child process.\n"
    "\n"
    "Options:\n"
    "  --eco, --farmland, --udb, --control, --id-field, --min-area, --strict\n"
    "                        as for 'redline screen' (controls are optional)\n"
    "  --report-dir DIR      also write summary.txt, summary.csv, summary.json\n"
    "                        and files/NNNN.json (per-file detail) there\n"
    "  -j, --jobs N          files audited at once (default 1; ALL_CPUS: one per\n"
    "                        processor)\n"
    "  Progress goes to stderr when it is a terminal (not with --quiet).\n"
    COMMON_HELP;

/* Progress on a terminal: files done, current file, elapsed and remaining. */
typedef struct {
    time_t start;
} progress_state;

static void on_progress(void *userdata, size_t done, size_t total,
                        const char *current)
{
    progress_state *p = userdata;
    long el = (long)(time(NULL) - p->start);
    long left = done ? (long)((double)el * (double)(total - done) / (double)done) : 0;
    fprintf(stderr, "\r\033[K[%zu/%zu] %02ld:%02ld elapsed, ~%02ld:%02ld left  %.60s",
            done, total, el / 60, el % 60, left / 60, left % 60, current);
    if (done == total)
        fputs("\n", stderr);
    fflush(stderr);
}

static int wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    }
    return 0;
}

static int usage_error(const char *cmd, const char *msg)
{
    fprintf(stderr, "redline %s: %s\nTry 'redline %s --help'.\n", cmd, msg, cmd);
    return 2;
}

int main(int argc, char **argv)
{
    int code = 2;
    rl_ctx *ctx = NULL;
    rl_report *rep = NULL;
    void *opts = NULL;
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (!cmd) {
        fputs(usage_main, stderr);
        return 2;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("redline %s\n", rl_version());
        return 0;
    }
    int sub_argc = argc - 2;
    const char *const *sub_argv = (const char *const *)argv + 2;
    const char *help = strcmp(cmd, "screen") == 0 ? usage_screen
                       : strcmp(cmd, "diff") == 0 ? usage_diff
                       : strcmp(cmd, "area") == 0 ? usage_area
                       : strcmp(cmd, "audit") == 0 ? usage_audit
                                                  : NULL;
    if (!help) {
        fprintf(stderr, "redline: unknown command '%s'\nTry 'redline --help'.\n", cmd);
        return 2;
    }
    if (wants_help(sub_argc, argv + 2)) {
        fputs(help, stdout);
        return 0;
    }
    for (int i = 0; i < sub_argc; i++) {
        if (strcmp(sub_argv[i], "--version") == 0) {
            printf("redline %s\n", rl_version());
            return 0;
        }
    }
    ctx = rl_ctx_new();
    if (!ctx) {
        fputs("redline: out of memory\n", stderr);
        return 2;
    }
    rl_status st;
    if (strcmp(cmd, "screen") == 0) {
        opts = rl_screen_options_new(ctx, sub_argc, sub_argv);
        if (!opts) {
            code = usage_error(cmd, rl_ctx_errmsg(ctx));
            goto exit;
        }
        st = rl_screen(ctx, opts, &rep);
    } else if (strcmp(cmd, "diff") == 0) {
        opts = rl_diff_options_new(ctx, sub_argc, sub_argv);
        if (!opts) {
            code = usage_error(cmd, rl_ctx_errmsg(ctx));
            goto exit;
        }
        st = rl_diff(ctx, opts, &rep);
    } else if (strcmp(cmd, "audit") == 0) {
        opts = rl_audit_options_new(ctx, sub_argc, sub_argv);
        if (!opts) {
            code = usage_error(cmd, rl_ctx_errmsg(ctx));
            goto exit;
        }
        progress_state ps = {time(NULL)};
        int quiet = 0;
        for (int i = 0; i < sub_argc; i++)
            quiet |= strcmp(sub_argv[i], "-q") == 0 || strcmp(sub_argv[i], "--quiet") == 0;
        if (!quiet && isatty(2))
            rl_audit_options_set_progress(opts, on_progress, &ps);
        st = rl_audit(ctx, opts, &rep);
    } else {
        opts = rl_area_options_new(ctx, sub_argc, sub_argv);
        if (!opts) {
            code = usage_error(cmd, rl_ctx_errmsg(ctx));
            goto exit;
        }
        st = rl_area(ctx, opts, &rep);
    }
    if (st != RL_OK) {
        if (st == RL_ERR_USAGE)
            code = usage_error(cmd, rl_ctx_errmsg(ctx));
        else
            fprintf(stderr, "redline %s: %s\n", cmd, rl_ctx_errmsg(ctx));
        goto exit;
    }
    if (rl_report_write(ctx, rep, stdout) != RL_OK) {
        fprintf(stderr, "redline %s: %s\n", cmd, rl_ctx_errmsg(ctx));
        goto exit;
    }
    code = rl_report_exit_code(rep);
exit:
    rl_report_free(rep);
    if (strcmp(cmd, "screen") == 0)
        rl_screen_options_free(opts);
    else if (strcmp(cmd, "diff") == 0)
        rl_diff_options_free(opts);
    else if (strcmp(cmd, "audit") == 0)
        rl_audit_options_free(opts);
    else
        rl_area_options_free(opts);
    rl_ctx_free(ctx);
    return code;
}
