/*
 * redline.c -- the command-line tool: argv -> options -> one library call ->
 * exit status.  All the work is in libredline (include/redline/redline.h).
 * Each command is one row of `commands`; option defaults come from the
 * library (rl_option_default()), so --help shows what a run does.
 */
#include <redline/redline.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const usage_head =
    "Usage: redline COMMAND [OPTIONS] ARGS...\n"
    "\n"
    "Overlay construction-project footprints on China's control lines\n"
    "(生态保护红线 ecological red line, 永久基本农田 permanent basic farmland,\n"
    "城镇开发边界 urban development boundary) and report areas.\n"
    "\n"
    "Commands:\n";

static const char *const usage_tail =
    "\n"
    "Run 'redline COMMAND --help' for a command's options.\n"
    "Options: --help, --version.\n"
    "Exit status: 0 no conflict; 1 conflict / shrunk / below minimum;\n"
    "2 bad usage or an input that could not be processed.\n";

/*
 * In the help texts "{--opt}" stands for that option's default, as
 * rl_option_default() gives it (print_help() fills it in).
 */
#define JOBS_HELP(what)                                                        \
    "  -j, --jobs N          " what "; 1 to 256, or ALL_CPUS for\n"            \
    "                        every online processor (default {--jobs})\n"

#define COMMON_HELP                                                            \
    "  --area ellipsoidal|geodesic|survey|planar\n"                           \
    "                        area method (default {--area}). ellipsoidal: on the\n" \
    "                        CRS's ellipsoid (CGCS2000 = GRS80), edges straight\n" \
    "                        in the data's CRS, so parts add up to the whole;\n" \
    "                        geodesic: edges are geodesics (as PostGIS\n"   \
    "                        geography); survey: 椭球面积 by the trapezoid\n" \
    "                        series of 国土调查办发〔2008〕32号; planar: on the\n" \
    "                        projection plane; the words of --area, --units, -f\n"\
    "                        and --lang in any case\n"                             \
    "  --units m2|ha|mu|km2  units of table and CSV output (default {--units};\n" \
    "                        JSON is always m2; 1 mu = 10000/15 m2)\n"      \
    "  -f, --format table|csv|json|html|xlsx\n" \
    "                        output format (default {--format}; CSV has a UTF-8\n" \
    "                        BOM for Excel); html (screen, diff, audit): one\n" \
    "                        self-contained page with sentences, maps and\n" \
    "                        tables; xlsx (screen, diff, audit): a workbook\n" \
    "                        (needs -o)\n" \
    "  --lang zh|en|auto     language of the table, CSV and HTML of screen, diff\n" \
    "                        and audit, and of area's table and CSV (headers,\n" \
    "                        verdicts, units, reasons, header lines; default\n" \
    "                        {--lang}: zh when LC_ALL, LC_MESSAGES or LANG\n" \
    "                        starts with zh); JSON keys stay English and JSON\n" \
    "                        carries a \"labels\" object\n" \
    "  -o, --output FILE     write the report to FILE instead of stdout; an\n"  \
    "                        output that is an input is refused, and outputs\n" \
    "                        appear whole or not at all.  PG:\"dbname=...\":\n" \
    "                        into PostgreSQL tables (redline_runs, ..._footprints,\n" \
    "                        ..._hits, view redline_report), in one transaction\n" \
    "                        that replaces this run id and shard's rows (JSON\n" \
    "                        figures; docs/scale-out.md); passwords are masked\n" \
    "                        in every output and message\n"                   \
    "  --run-id ID           the run id of the PG: rows (letters, digits, . _ -;\n" \
    "                        default: fp- and a fingerprint of the command line\n" \
    "                        and the size and time of its input files)\n"     \
    "  --assume-srs SRS      CRS for inputs that have none (e.g. EPSG:4527)\n" \
    "  --encoding ENC        text encoding of shapefiles with neither .cpg nor\n" \
    "                        DBF code page (default: UTF-8 if valid, else GBK);\n" \
    "                        bytes that do not decode become U+FFFD, with a\n" \
    "                        warning; an unknown ENC or .cpg name is refused\n" \
    "  --allow-empty         accept an empty input layer (no feature with a\n" \
    "                        geometry) and say so in the report; without it\n" \
    "                        an empty layer is an error (exit 2)\n"          \
    "  --shard I/N           do shard I (0 to N-1) of N of the work and write\n" \
    "                        it as a part (needs -f json -o PART); 'redline\n" \
    "                        merge' makes the parts the whole run's report\n" \
    "                        (docs/scale-out.md)\n"                          \
    "  -q, --quiet           no messages on stderr except errors (no warnings)\n" \
    "  -h, --help            this help;  --version  print the version\n"      \
    "\n"                                                                       \
    "A dataset with several layers is named as 'PATH|layername=NAME'; a .zip\n" \
    "path is read through /vsizip/.  See docs/ for the full manual.\n"

/* Line and point footprints, proximity and use: screen and audit (docs/linear.md). */
#define LINEAR_HELP                                                            \
    "Lines, points, proximity (docs/linear.md):\n"                             \
    "  --line-width M        a line footprint is a corridor M metres wide (flat\n" \
    "                        ends, mitred joins), built in metres: the layer's\n" \
    "                        plane, or the GK 3-degree zone of lon/lat lines\n" \
    "  --line-width-field F  the full width from field F of each line\n"      \
    "  --line-left-field F --line-right-field G\n"                            \
    "                        left and right widths from the centre line\n"     \
    "  --point-size M|F      a point (塔基) is a square of side M m (or field F)\n" \
    "  --point-radius M|F    ... or a circle of radius M m (256 sides)\n"      \
    "  --near M              geodesic distance to the nearest control feature\n" \
    "                        within M m (0 when they overlap)\n"             \
    "  --rings M,M,...       control area within each distance of a footprint\n" \
    "  --use-field F         total each control's overlap by F's values\n"    \
    "                        (永久 / 临时 ...)\n"

static const char *const usage_screen =
    "Usage: redline screen [OPTIONS] FOOTPRINT...\n"
    "\n"
    "Screen project footprints (压占分析) against control layers.\n"
    "\n"
    "Controls (at least one, or --landuse):\n"
    "  --eco PATH            ecological red line: rule forbid, severity conflict\n"
    "  --farmland PATH       permanent basic farmland: forbid, conflict\n"
    "  --udb PATH            urban development boundary: require, warn\n"
    "  --control NAME:RULE[:SEVERITY]=PATH\n"
    "                        any other layer; RULE forbid|require|report,\n"
    "                        SEVERITY conflict|warn (default: conflict for\n"
    "                        forbid, warn for require and report)\n"
    "  --rules FILE          controls declared in a YAML rules file: a rule per\n"
    "                        attribute value of the control feature hit (e.g.\n"
    "                        自然保护区 核心保护区 / 一般控制区), exemptions by a\n"
    "                        footprint attribute, attributes to report; combines\n"
    "                        with the flags (docs/rules.md)\n"
    "Options:\n"
    "  --id-field FIELD      footprint id field (default: the FID)\n"
    "  --min-area AREA       a finding needs at least this area\n"
    "                        (default {--min-area} m2; a unit may follow, without\n"
    "                        a space: 0.5ha, 2mu)\n"
    "  --strict              warn-severity findings count as conflicts\n"
    "  --wide                the table with one line per footprint and a column\n"
    "                        per control (default: a block per footprint that\n"
    "                        fits an 80-column terminal); with --landuse, the\n"
    "                        地类 section's long form too\n"
    "  --pieces FILE         write overlap pieces (.gpkg, .geojson or .shp, or\n"
    "                        PG:... : table redline_pieces, in -o's transaction\n"
    "                        when -o is the same PG: string)\n"
    "  --skip-bad-controls   go on without control features that cannot be used\n"
    "                        (NaN or infinite coordinates, or far outside the\n"
    "                        CRS's area of use), which otherwise stop the run\n"
    "                        (exit 2); the report lists them and marks every\n"
    "                        verdict provisional\n"
    "  --classify NAME=FIELD break control NAME's overlap down by its FIELD\n"
    "Land use (地类面积表, docs/landuse.md):\n"
    "  --landuse DLTB        break each footprint down by the land-use parcels\n"
    "                        (地类图斑) of DLTB; with it no control is needed\n"
    "  --landuse-method M    geometric (default: areas of the pieces) or\n"
    "                        attribute (TBDLMJ, KCMJ scaled by the share)\n"
    "  --landuse-by LEVEL    units (坐落单位) by county, town or village\n"
    "                        (default village)\n"
    "  --field KEY=NAME      DLTB field NAME holds KEY (DLBM, DLMC, QSXZ, ZLDWDM,\n"
    "                        ZLDWMC, KCDLBM, KCXS, KCMJ, TBMJ, TBDLMJ; default:\n"
    "                        the 三调 names, any case)\n"
    "  --landuse-csv FILE    one CSV row per footprint and class (rounded)\n"
    "  --landuse-decimals N  decimals of the rounded (平差) figures, 0 to 6\n"
    "                        (default: 2 for m2 and mu, 4 for ha, 6 for km2)\n"
    LINEAR_HELP
    "  Progress (overlays done of footprints x controls, elapsed and left) goes\n"
    "  to stderr when it is a terminal (not with --quiet), and is cleared at the end.\n"
    JOBS_HELP("worker threads") COMMON_HELP;

static const char *const usage_diff =
    "Usage: redline diff [OPTIONS] OLD NEW\n"
    "\n"
    "Compare two versions of a control layer (面积不减少): union areas, area\n"
    "lost (old - new), gained (new - old) and net change.  Exit 1 if shrunk\n"
    "(or, with --keep-nature, if a value changed).\n"
    "\n"
    "Options:\n"
    "  --by FIELD            break the figures down by an attribute, with the\n"
    "                        transition matrix (转移矩阵) of its values\n"
    "  --by-old FIELD, --by-new FIELD\n"
    "                        the attribute under another name in each version\n"
    "  --map FILE            CSV of old value,new value: old values are read as\n"
    "                        new ones (a reclassification) before comparing\n"
    "  --by-level 1          compare the first two characters of the values\n"
    "                        (DLBM 一级类); 2: the values as they are (default)\n"
    "  --matrix-csv FILE     write the transition matrix as a square CSV (rows\n"
    "                        OLD values, columns NEW values, in --units)\n"
    "  --keep-nature         a value that changed (性质改变) beyond --tolerance\n"
    "                        is a finding: verdict changed, exit 1\n"
    "  --tolerance AREA      shrunk means net < -AREA (default {--tolerance} m2)\n"
    "  --pieces FILE         write lost and gained pieces (.gpkg, .geojson, .shp,\n"
    "                        or PG:... : table redline_pieces, as for screen);\n"
    "                        with --by, the pieces whose value changed\n"
    "  --skip-bad-features   go on without OLD or NEW features that cannot be used\n"
    "                        (NaN or infinite coordinates, or far outside the\n"
    "                        CRS's area of use), which otherwise stop the run\n"
    "                        (exit 2); the report lists them and marks the\n"
    "                        verdict provisional\n"
    JOBS_HELP("worker threads")
    "                        same figures for any N\n"
    "  Progress (cells of the overlay done, elapsed and left) goes to stderr when\n"
    "  it is a terminal (not with --quiet), and is cleared at the end.\n"
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
    "  --skip-bad-features   go on without features that cannot be used (NaN or\n"
    "                        infinite coordinates, or far outside the CRS's\n"
    "                        area of use), which otherwise stop the run (exit\n"
    "                        2); the report lists them, the figures are\n"
    "                        provisional\n"
    JOBS_HELP("worker threads")
    "                        same figures for any N\n"
    "  Progress (cells of the overlay done, elapsed and left) goes to stderr when\n"
    "  it is a terminal (not with --quiet), and is cleared at the end.\n"
    COMMON_HELP;

static const char *const usage_audit =
    "Usage: redline audit [OPTIONS] DIR\n"
    "\n"
    "Walk DIR recursively (into .zip archives too), check every vector dataset\n"
    "(problem codes: unreadable, missing_shx, missing_dbf, missing_prj,\n"
    "prj_unreadable, not_polygon, empty_layer, null_geometry, invalid_geometry,\n"
    "encoding_unknown, text_not_decodable, coords_outside_crs, duplicate_id,\n"
    "missing_id_field, bad_width, "
    "not_regular_file, link_loop, duplicate_path, unsafe_path, nested_zip)\n"
    "and screen it with the control options of 'redline screen'.  Nothing\n"
    "under DIR is ever written; FIFOs and devices are never opened.  Files are\n"
    "read in worker processes.\n"
    "\n"
    "Options:\n"
    "  --eco, --farmland, --udb, --control, --rules, --id-field, --strict,\n"
    "  --skip-bad-controls   as for 'redline screen' (controls are optional)\n"
    "  --min-area AREA       as for 'redline screen' (default {--min-area} m2)\n"
    "  --line-width ... --use-field\n"
    "                        as for 'redline screen': line and point layers are\n"
    "                        screened instead of being flagged not_polygon\n"
    "  --report-dir DIR      also write summary.txt, summary.csv, summary.json,\n"
    "                        index.html and files/NNNN.json (per-file detail)\n"
    "                        there, each\n"
    "                        whole; earlier detail files are removed\n"
    JOBS_HELP("files audited at once")
    "                        (each by a worker process of its own)\n"
    "  Progress goes to stderr when it is a terminal (not with --quiet).\n"
    COMMON_HELP;

static const char *const usage_merge =
    "Usage: redline merge [OPTIONS] PART...\n"
    "\n"
    "Make the parts of a sharded run (each written by 'redline screen|diff|\n"
    "area|audit ... --shard I/N -f json -o PART') into the report the\n"
    "unsharded run writes: the same JSON byte for byte, and every other\n"
    "format.  The inputs are read again from the paths the shards were given\n"
    "(run merge in the folder they ran in).  Refused (exit 2), naming the\n"
    "parts: parts of different inputs or options (their fingerprints differ,\n"
    "or the inputs changed since), of different N, a shard missing or given\n"
    "twice.\n"
    "\n"
    "Options (the command's other options are the shards'):\n"
    "  -f, --format table|csv|json|html|xlsx\n"
    "                        as for the command (default {--format})\n"
    "  -o, --output FILE     write the report to FILE instead of stdout, or\n"
    "                        PG:\"dbname=...\": into PostgreSQL tables in one\n"
    "                        transaction (docs/scale-out.md)\n"
    "  --run-id ID           the run id of the PG: rows (default: a fingerprint)\n"
    "  --lang zh|en|auto     as for the command (default {--lang})\n"
    "  --units m2|ha|mu|km2  as for the command (default {--units})\n"
    JOBS_HELP("worker threads")
    "  -q, --quiet           no messages on stderr except errors (no warnings)\n"
    "Exit status: as the unsharded run's (a shard itself exits 0 when it ran).\n";

/* Progress on a terminal: files done, current file, elapsed and remaining. */
typedef struct {
    time_t start;
    int transient; /* screen: the line is cleared at the end (shown: it was drawn) */
    int shown;
} progress_state;

static void on_progress(void *userdata, size_t done, size_t total,
                        const char *current)
{
    progress_state *p = userdata;
    long el = (long)(time(NULL) - p->start);
    long left = done ? (long)((double)el * (double)(total - done) / (double)done) : 0;
    char shown[61]; /* a file name: escaped, cut at a character boundary */
    rl_text_escape(shown, sizeof shown, current);
    fprintf(stderr, "\r\033[K[%zu/%zu] %02ld:%02ld elapsed, ~%02ld:%02ld left  %s",
            done, total, el / 60, el % 60, left / 60, left % 60, shown);
    if (done == total && !p->transient)
        fputs("\n", stderr);
    p->shown = 1;
    fflush(stderr);
}

/*
 * Each command as the library sees it: parse argv into an options object,
 * run it, free it.  The wrappers only convert between void * and the
 * command's own options type.
 */
static void *screen_new(rl_ctx *ctx, int argc, const char *const *argv)
{
    return rl_screen_options_new(ctx, argc, argv);
}
/* Progress on a terminal unless --quiet; the line goes when the run ends. */
static rl_status screen_run(rl_ctx *ctx, void *opts, rl_report **out)
{
    progress_state ps = {time(NULL), 1, 0};
    if (!rl_screen_options_quiet(opts) && isatty(2))
        rl_screen_options_set_progress(opts, on_progress, &ps);
    rl_status st = rl_screen(ctx, opts, out);
    rl_screen_options_set_progress(opts, NULL, NULL); /* ps goes out of scope */
    if (ps.shown)
        fputs("\r\033[K", stderr);
    return st;
}
static void screen_free(void *opts) { rl_screen_options_free(opts); }
static int screen_quiet(const void *opts) { return rl_screen_options_quiet(opts); }

static void *diff_new(rl_ctx *ctx, int argc, const char *const *argv)
{
    return rl_diff_options_new(ctx, argc, argv);
}
/* Progress on a terminal unless --quiet, as for screen. */
static rl_status diff_run(rl_ctx *ctx, void *opts, rl_report **out)
{
    progress_state ps = {time(NULL), 1, 0};
    if (!rl_diff_options_quiet(opts) && isatty(2))
        rl_diff_options_set_progress(opts, on_progress, &ps);
    rl_status st = rl_diff(ctx, opts, out);
    rl_diff_options_set_progress(opts, NULL, NULL); /* ps goes out of scope */
    if (ps.shown)
        fputs("\r\033[K", stderr);
    return st;
}
static void diff_free(void *opts) { rl_diff_options_free(opts); }
static int diff_quiet(const void *opts) { return rl_diff_options_quiet(opts); }

static void *area_new(rl_ctx *ctx, int argc, const char *const *argv)
{
    return rl_area_options_new(ctx, argc, argv);
}
/* Progress on a terminal unless --quiet, as for screen. */
static rl_status area_run(rl_ctx *ctx, void *opts, rl_report **out)
{
    progress_state ps = {time(NULL), 1, 0};
    if (!rl_area_options_quiet(opts) && isatty(2))
        rl_area_options_set_progress(opts, on_progress, &ps);
    rl_status st = rl_area(ctx, opts, out);
    rl_area_options_set_progress(opts, NULL, NULL); /* ps goes out of scope */
    if (ps.shown)
        fputs("\r\033[K", stderr);
    return st;
}
static void area_free(void *opts) { rl_area_options_free(opts); }
static int area_quiet(const void *opts) { return rl_area_options_quiet(opts); }

static void *audit_new(rl_ctx *ctx, int argc, const char *const *argv)
{
    return rl_audit_options_new(ctx, argc, argv);
}
/* Shows progress on a terminal unless --quiet. */
static rl_status audit_run(rl_ctx *ctx, void *opts, rl_report **out)
{
    progress_state ps = {time(NULL), 0, 0};
    if (!rl_audit_options_quiet(opts) && isatty(2))
        rl_audit_options_set_progress(opts, on_progress, &ps);
    rl_status st = rl_audit(ctx, opts, out);
    rl_audit_options_set_progress(opts, NULL, NULL); /* ps goes out of scope */
    return st;
}
static void audit_free(void *opts) { rl_audit_options_free(opts); }
static int audit_quiet(const void *opts) { return rl_audit_options_quiet(opts); }

static void *merge_new(rl_ctx *ctx, int argc, const char *const *argv)
{
    return rl_merge_options_new(ctx, argc, argv);
}
static rl_status merge_run(rl_ctx *ctx, void *opts, rl_report **out)
{
    return rl_merge(ctx, opts, out);
}
static void merge_free(void *opts) { rl_merge_options_free(opts); }
static int merge_quiet(const void *opts) { return rl_merge_options_quiet(opts); }

typedef struct {
    const char *name;
    const char *summary; /* one line of 'redline --help' */
    const char *usage;   /* 'redline NAME --help', with "{--opt}" defaults */
    void *(*opts_new)(rl_ctx *ctx, int argc, const char *const *argv);
    rl_status (*run)(rl_ctx *ctx, void *opts, rl_report **out);
    void (*opts_free)(void *opts);
    int (*quiet)(const void *opts); /* -q: no warnings on stderr */
} command;

static const command commands[] = {
    {"screen", "check footprints against control layers", usage_screen,
     screen_new, screen_run, screen_free, screen_quiet},
    {"diff", "compare two versions of a control layer (has it shrunk?)",
     usage_diff, diff_new, diff_run, diff_free, diff_quiet},
    {"area", "union area, feature count and self-overlap of one layer",
     usage_area, area_new, area_run, area_free, area_quiet},
    {"audit", "check and screen every vector file under a folder (and zips)",
     usage_audit, audit_new, audit_run, audit_free, audit_quiet},
    {"merge", "make the parts of a sharded run (--shard I/N) into its report",
     usage_merge, merge_new, merge_run, merge_free, merge_quiet},
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

/* Writes `text`, replacing each "{--opt}" by rl_option_default("--opt"). */
static void print_help(const char *text, FILE *f)
{
    const char *p = text, *open;
    while ((open = strchr(p, '{')) != NULL) {
        const char *close = strchr(open, '}');
        char name[64];
        size_t n = close ? (size_t)(close - open - 1) : sizeof name;
        fwrite(p, 1, (size_t)(open - p), f);
        const char *def = NULL;
        if (n < sizeof name) {
            memcpy(name, open + 1, n);
            name[n] = '\0';
            def = rl_option_default(name);
        }
        if (!def) { /* not a placeholder: keep the brace */
            fputc('{', f);
            p = open + 1;
            continue;
        }
        fputs(def, f);
        p = close + 1;
    }
    fputs(p, f);
}

static void print_usage_main(FILE *f)
{
    fputs(usage_head, f);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs(usage_tail, f);
}

/*
 * The one place that recognises --help, -h and --version: the first of them
 * before "--" decides, wherever it stands (the parsers never see them).
 */
typedef enum { ASK_RUN, ASK_HELP, ASK_VERSION } info_request;

static info_request info_requested(int argc, const char *const *argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return ASK_HELP;
        if (strcmp(argv[i], "--version") == 0)
            return ASK_VERSION;
    }
    return ASK_RUN;
}

/*
 * A signal that ends the run removes the outputs' temporary files first,
 * then ends the process as the signal would have (the parent sees the same
 * status).  A signal the caller ignored (nohup, trap '' TERM) stays
 * ignored.
 */
static void end_by_signal(int sig)
{
    int saved = errno; /* the interrupted code may still read it */
    rl_remove_temporary_outputs();
    signal(sig, SIG_DFL);
    raise(sig);
    errno = saved;
}

static void clean_up_on_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGXFSZ, SIGXCPU};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction old, sa;
        if (sigaction(sigs[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
            continue;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = end_by_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

/* --help and --version: 0, or 2 when stdout cannot take the text. */
static int stdout_done(void)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    fprintf(stderr, "redline: cannot write to standard output: %s\n", strerror(errno));
    return 2;
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
    const command *cmd = NULL;
    const char *name = argc > 1 ? argv[1] : NULL;
    const char *const *args = (const char *const *)argv;

    if (!name) {
        print_usage_main(stderr);
        return 2;
    }
    for (size_t i = 0; i < NCOMMANDS && !cmd; i++)
        if (strcmp(name, commands[i].name) == 0)
            cmd = &commands[i];
    /* Without a command: "redline --help", "redline help", "--version"... */
    info_request ask = cmd ? info_requested(argc - 2, args + 2)
                       : strcmp(name, "help") == 0      ? ASK_HELP
                       : strcmp(name, "version") == 0   ? ASK_VERSION
                                                        : info_requested(1, args + 1);
    if (ask == ASK_VERSION) {
        printf("redline %s\n", rl_version());
        return stdout_done();
    }
    if (ask == ASK_HELP) {
        if (cmd)
            print_help(cmd->usage, stdout);
        else
            print_usage_main(stdout);
        return stdout_done();
    }
    if (!cmd) {
        fprintf(stderr, "redline: unknown command '%s'\nTry 'redline --help'.\n", name);
        return 2;
    }
    clean_up_on_signals();
    ctx = rl_ctx_new();
    if (!ctx) {
        fputs("redline: out of memory\n", stderr);
        return 2;
    }
    opts = cmd->opts_new(ctx, argc - 2, args + 2);
    rl_status st = opts ? cmd->run(ctx, opts, &rep)
                 : rl_ctx_status(ctx) ? rl_ctx_status(ctx)
                                      : RL_ERR_INTERNAL;
    if (st != RL_OK) {
        if (st == RL_ERR_USAGE)
            code = usage_error(cmd->name, rl_ctx_errmsg(ctx));
        else
            fprintf(stderr, "redline %s: %s\n", cmd->name, rl_ctx_errmsg(ctx));
        goto exit;
    }
    if (rl_report_write(ctx, rep, stdout) != RL_OK) {
        fprintf(stderr, "redline %s: %s\n", cmd->name, rl_ctx_errmsg(ctx));
        goto exit;
    }
    /* Warnings (text replaced with U+FFFD...) after the report, escaped. */
    for (size_t i = 0; i < rl_report_warning_count(rep) && !cmd->quiet(opts); i++) {
        char shown[2048];
        rl_text_escape(shown, sizeof shown, rl_report_warning(rep, i));
        fprintf(stderr, "redline %s: warning: %s\n", cmd->name, shown);
    }
    code = rl_report_exit_code(rep);
exit:
    rl_report_free(rep);
    if (cmd)
        cmd->opts_free(opts);
    rl_ctx_free(ctx);
    return code;
}
