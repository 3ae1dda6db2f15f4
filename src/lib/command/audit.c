/*
 * audit.c -- walk a delivery folder (and its zips), check every vector
 * dataset, screen it, each file in a child process of its own.
 */
#include "command/command.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <dirent.h>
#include <errno.h>
#include <gdal.h>
#include <iconv.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Joins problem messages (which may hold "; " themselves). */
#define RL_AUDIT_SEP "\x1f"

/* A file that takes longer than this is stopped and reported unreadable. */
#define RL_AUDIT_FILE_SECONDS 900

typedef struct entry {
    char *display; /* relative to DIR, UTF-8 */
    char *open;    /* what GDAL opens */
    char *real;    /* file on disk (the .zip for members) */
} entry;

typedef struct entries {
    entry *v;
    size_t n, cap;
    size_t skipped;
} entries;

static int ends_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int is_vector_ext(const char *name)
{
    static const char *exts[] = {".shp", ".gpkg", ".geojson", ".json", ".kml",
                                 ".gml", ".tab", ".sqlite", ".fgb", ".mif"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (ends_ci(name, exts[i]))
            return 1;
    return 0;
}

/* Parts of a dataset, never datasets of their own. */
static int is_sidecar(const char *name)
{
    static const char *exts[] = {".shx", ".dbf", ".prj", ".cpg", ".sbn", ".sbx",
                                 ".qix", ".shp.xml", ".qmd", ".id", ".dat",
                                 ".map", ".ind", ".gpkg-wal", ".gpkg-shm"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (ends_ci(name, exts[i]))
            return 1;
    return 0;
}

static int add_entry(entries *E, const char *display, const char *open,
                     const char *real)
{
    if (E->n == E->cap) {
        E->cap = E->cap ? E->cap * 2 : 32;
        entry *v = realloc(E->v, E->cap * sizeof *v);
        if (!v)
            return 0;
        E->v = v;
    }
    entry *e = &E->v[E->n++];
    e->display = rl_strdup(display);
    e->open = rl_strdup(open);
    e->real = rl_strdup(real);
    return e->display && e->open && e->real;
}

/* Strict recode with iconv; NULL when s is not representable. */
static char *recode_strict(const char *s, const char *from, const char *to)
{
    iconv_t cd = iconv_open(to, from);
    if (cd == (iconv_t)-1)
        return NULL;
    size_t inl = strlen(s), outl = inl * 4 + 4;
    char *out = malloc(outl), *op = out;
    char *ip = (char *)s;
    size_t room = outl - 1;
    int ok = out && iconv(cd, &ip, &inl, &op, &room) != (size_t)-1;
    iconv_close(cd);
    if (!ok) {
        free(out);
        return NULL;
    }
    *op = '\0';
    return out;
}

/*
 * Zips from Chinese Windows store GBK names without the UTF-8 flag; GDAL
 * lists them as CP437.  Undo that to show the reviewer the real name.  A
 * name that is not CP437 text was stored as UTF-8 and is shown as it is.
 */
static char *zip_display_name(const char *listed)
{
    int ascii = 1;
    for (const unsigned char *p = (const unsigned char *)listed; *p; p++)
        ascii &= *p < 0x80;
    if (ascii)
        return rl_strdup(listed);
    char *bytes = recode_strict(listed, "UTF-8", "CP437");
    if (!bytes)
        return rl_strdup(listed);
    char *out = rl_is_utf8(bytes) ? rl_strdup(bytes) : recode_strict(bytes, "GBK", "UTF-8");
    free(bytes);
    return out ? out : rl_strdup(listed);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_zip(entries *E, const char *real, const char *display)
{
    char vsi[PATH_MAX + 16];
    snprintf(vsi, sizeof vsi, "/vsizip/%s", real);
    /* GDAL warns about names it cannot recode; the library stays quiet. */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    char **list = VSIReadDirRecursive(vsi);
    CPLPopErrorHandler();
    int n = CSLCount(list);
    if (n > 1)
        qsort(list, (size_t)n, sizeof *list, cmp_str);
    int ok = 1;
    for (int i = 0; i < n && ok; i++) {
        const char *m = list[i];
        size_t len = strlen(m);
        if (len && m[len - 1] == '/')
            continue;
        if (!is_vector_ext(m)) {
            if (!is_sidecar(m))
                E->skipped++;
            continue;
        }
        char open[PATH_MAX * 2], disp[PATH_MAX * 2];
        char *shown = zip_display_name(m);
        snprintf(open, sizeof open, "%s/%s", vsi, m);
        snprintf(disp, sizeof disp, "%s/%s", display, shown ? shown : m);
        free(shown);
        ok = add_entry(E, disp, open, real);
    }
    CSLDestroy(list);
    return ok;
}

static int walk(entries *E, const char *real, const char *display)
{
    DIR *d = opendir(real);
    if (!d)
        return 1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **v = realloc(names, cap * sizeof *v);
            if (!v)
                break;
            names = v;
        }
        names[n++] = rl_strdup(de->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_str);
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        char r[PATH_MAX], disp[PATH_MAX];
        snprintf(r, sizeof r, "%s/%s", real, names[i]);
        snprintf(disp, sizeof disp, "%s%s%s", display, *display ? "/" : "",
                 names[i]);
        struct stat sb;
        if (ok && stat(r, &sb) == 0) {
            if (S_ISDIR(sb.st_mode)) {
                /* A FileGDB folder is one dataset. */
                ok = ends_ci(names[i], ".gdb") ? add_entry(E, disp, r, r)
                                               : walk(E, r, disp);
            } else if (ends_ci(names[i], ".zip")) {
                ok = walk_zip(E, r, disp);
            } else if (is_vector_ext(names[i])) {
                ok = add_entry(E, disp, r, r);
            } else if (!is_sidecar(names[i])) {
                E->skipped++;
            }
        }
        free(names[i]);
    }
    free(names);
    return ok;
}

/* ---- per-file checks, run in the child ---- */

typedef struct problems {
    rl_buf json, codes, msgs;
    int n;
    int status; /* worst: 0 ok, 1 warn, 2 error */
} problems;

static void problem(problems *P, int severity, const char *code, const char *fmt,
                    ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void problem(problems *P, int severity, const char *code, const char *fmt,
                    ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rl_buf_puts(&P->json, P->n ? ", {\"code\": " : "{\"code\": ");
    rl_buf_json_str(&P->json, code);
    rl_buf_puts(&P->json, ", \"severity\": ");
    rl_buf_json_str(&P->json, severity == 2 ? "error" : "warn");
    rl_buf_puts(&P->json, ", \"message\": ");
    rl_buf_json_str(&P->json, msg);
    rl_buf_puts(&P->json, "}");
    rl_buf_puts(&P->codes, P->n ? ";" : "");
    rl_buf_puts(&P->codes, code);
    rl_buf_puts(&P->msgs, P->n ? RL_AUDIT_SEP : "");
    rl_buf_puts(&P->msgs, msg);
    P->n++;
    if (severity > P->status)
        P->status = severity;
}

/* 1 if the .shp has a sibling with extension ext (either case). */
static int sibling(const char *shp, const char *ext)
{
    char p[PATH_MAX + 16];
    return rl_shp_sibling(shp, ext, p, sizeof p);
}

static void list_fids(rl_buf *b, const rl_layer *L, int (*pick)(const rl_feature *),
                      size_t *count)
{
    *count = 0;
    for (size_t i = 0; i < L->n; i++) {
        if (!pick(&L->feat[i]))
            continue;
        if (*count < 10)
            rl_buf_printf(b, "%s%" PRId64, *count ? ", " : "", (int64_t)L->feat[i].fid);
        else if (*count == 10)
            rl_buf_puts(b, ", ...");
        (*count)++;
    }
}

static int pick_null(const rl_feature *f)
{
    return f->status == RL_FEAT_NULL || f->status == RL_FEAT_EMPTY;
}
static int pick_repaired(const rl_feature *f) { return f->repaired && f->geom; }
static int pick_broken(const rl_feature *f)
{
    return f->status == RL_FEAT_COLLAPSED || f->status == RL_FEAT_BAD;
}
static int pick_notpoly(const rl_feature *f) { return f->status == RL_FEAT_NOT_POLYGON; }

/* Is the layer's extent inside its CRS's area of use (with a margin)? */
static int coords_fit_crs(rl_ctx *ctx, const rl_layer *L, char *why, size_t n)
{
    double minx = 1e300, miny = 1e300, maxx = -1e300, maxy = -1e300;
    int any = 0;
    for (size_t i = 0; i < L->n; i++) {
        const GEOSGeometry *g = L->feat[i].geom;
        double a, b, c, d;
        if (L->feat[i].status == RL_FEAT_OUTSIDE_CRS) {
            /* Left without geometry by the reader; its extent was kept. */
            a = L->feat[i].env[0], b = L->feat[i].env[1];
            c = L->feat[i].env[2], d = L->feat[i].env[3];
        } else if (!g || !GEOSGeom_getXMin_r(ctx->geos, g, &a) ||
            !GEOSGeom_getYMin_r(ctx->geos, g, &b) ||
            !GEOSGeom_getXMax_r(ctx->geos, g, &c) || !GEOSGeom_getYMax_r(ctx->geos, g, &d))
            continue;
        any = 1;
        minx = a < minx ? a : minx;
        miny = b < miny ? b : miny;
        maxx = c > maxx ? c : maxx;
        maxy = d > maxy ? d : maxy;
    }
    if (!any)
        return 1;
    double lon[4] = {minx, maxx, minx, maxx}, lat[4] = {miny, miny, maxy, maxy};
    if (!L->crs->geographic) {
        PJ *pj = rl_ctx_pj(ctx, L->crs->def, L->crs->geog_def);
        if (!pj)
            return 1;
        proj_trans_generic(pj, PJ_FWD, lon, sizeof *lon, 4, lat, sizeof *lat, 4,
                           NULL, 0, 0, NULL, 0, 0);
    }
    for (int i = 0; i < 4; i++) {
        if (!(lon[i] >= -180 && lon[i] <= 180 && lat[i] >= -90 && lat[i] <= 90)) {
            snprintf(why, n,
                     "extent %.3f,%.3f - %.3f,%.3f cannot be in %s (%s); wrong "
                     ".prj or wrong units?",
                     minx, miny, maxx, maxy, L->crs->name,
                     L->crs->geographic ? "longitude/latitude degrees"
                                        : "it maps outside the globe");
            return 0;
        }
    }
    double w, s, e, nn;
    const char *area = NULL;
    if (!OSRGetAreaOfUse(L->crs->srs, &w, &s, &e, &nn, &area))
        return 1;
    /* One degree of slack: zone strips are often used a little beyond. */
    const double m = 1.0;
    for (int i = 0; i < 4; i++) {
        int in_lon = w <= e ? (lon[i] >= w - m && lon[i] <= e + m)
                            : (lon[i] >= w - m || lon[i] <= e + m);
        if (!in_lon || lat[i] < s - m || lat[i] > nn + m) {
            snprintf(why, n,
                     "extent %.3f,%.3f - %.3f,%.3f lies at lon %.4f lat %.4f, "
                     "outside the area of use of %s (%s: %.1f..%.1f E, "
                     "%.1f..%.1f N); wrong .prj or zone?",
                     minx, miny, maxx, maxy, lon[i], lat[i], L->crs->name,
                     area ? area : "?", w, e, s, nn);
            return 0;
        }
    }
    return 1;
}

/* Check and screen one dataset; writes "header\n" + JSON object to out. */
static void audit_one(rl_ctx *ctx, const rl_audit_options *ao,
                      rl_control *controls, int ncontrols, const entry *e,
                      FILE *out)
{
    const rl_screen_options *so = ao->s;
    problems P = {0};
    rl_layer *L = NULL;
    char *open = rl_strdup(e->open);
    size_t counts[4] = {0, 0, 0, 0};
    rl_screen_data d = {0};
    rl_buf fps = {0};
    VSIStatBufL sb;

    if (VSIStatL(e->open, &sb) == 0 && !VSI_ISDIR(sb.st_mode) && sb.st_size == 0) {
        problem(&P, 2, "unreadable", "%s: zero-byte file", e->display);
        goto emit;
    }
    int is_shp = ends_ci(e->open, ".shp");
    if (is_shp) {
        if (!sibling(e->open, "dbf"))
            problem(&P, 1, "missing_dbf", "%s: no .dbf beside it: attributes are lost",
                    e->display);
        if (!sibling(e->open, "prj"))
            problem(&P, so->c.assume_srs ? 1 : 2, "missing_prj",
                    "%s: no .prj: CRS unknown%s", e->display,
                    so->c.assume_srs ? "; --assume-srs used" : "; give --assume-srs");
        if (!sibling(e->open, "shx")) {
            problem(&P, 1, "missing_shx",
                    "%s: no .shx: index rebuilt in memory (the folder is not "
                    "changed)",
                    e->display);
        }
    }
    rl_input_opts io = {.assume_srs = so->c.assume_srs, .encoding = so->c.encoding,
                        .allow_no_crs = 1};
    if (rl_layer_read(ctx, open, &io, &L) != RL_OK) {
        /* Say it with the path the reviewer knows. */
        const char *msg = rl_ctx_errmsg(ctx);
        const char *rest = strncmp(msg, open, strlen(open)) == 0 ? msg + strlen(open) : msg;
        problem(&P, 2, "unreadable", "%s%s%s", e->display,
                rest == msg ? ": " : "", rest);
        goto emit;
    }
    /* Footprint sources and messages show the path the reviewer knows. */
    free(L->path);
    L->path = rl_strdup(e->display);
    if (L->geom_type == wkbPoint || L->geom_type == wkbMultiPoint ||
        L->geom_type == wkbLineString || L->geom_type == wkbMultiLineString) {
        problem(&P, 2, "not_polygon", "%s: layer '%s' holds %s geometries, not polygons",
                e->display, L->layer_name,
                OGRGeometryTypeToName((OGRwkbGeometryType)L->geom_type));
        goto emit;
    }
    size_t npoly = 0, nother = 0;
    for (size_t i = 0; i < L->n; i++) {
        npoly += L->feat[i].status == RL_FEAT_OK || L->feat[i].status == RL_FEAT_COLLAPSED ||
                 L->feat[i].status == RL_FEAT_BAD || rl_feat_untrusted(L->feat[i].status);
        nother += L->feat[i].status == RL_FEAT_NOT_POLYGON;
    }
    if (npoly == 0 && nother > 0) {
        /* A mixed-type layer of points and lines: nothing to screen. */
        problem(&P, 2, "not_polygon", "%s: layer '%s' holds no polygons (%zu point or "
                "line features)", e->display, L->layer_name, nother);
        goto emit;
    }
    if (L->n == 0) {
        problem(&P, 2, "empty_layer", "%s: layer '%s' has no features", e->display,
                L->layer_name);
        goto emit;
    }
    size_t k;
    rl_buf fids = {0};
    list_fids(&fids, L, pick_null, &k);
    if (k)
        problem(&P, 1, "null_geometry", "%s: %zu feature(s) with null or empty geometry: FID %s",
                e->display, k, fids.s);
    rl_buf_free(&fids);
    list_fids(&fids, L, pick_notpoly, &k);
    if (k)
        problem(&P, 1, "not_polygon", "%s: %zu feature(s) are not polygons: FID %s",
                e->display, k, fids.s);
    rl_buf_free(&fids);
    list_fids(&fids, L, pick_repaired, &k);
    if (k)
        problem(&P, 1, "invalid_geometry",
                "%s: %zu invalid geometr%s repaired with MakeValid: FID %s", e->display,
                k, k == 1 ? "y" : "ies", fids.s);
    rl_buf_free(&fids);
    list_fids(&fids, L, pick_broken, &k);
    if (k)
        problem(&P, 1, "invalid_geometry",
                "%s: %zu invalid geometr%s left no area after repair: FID %s",
                e->display, k, k == 1 ? "y" : "ies", fids.s);
    rl_buf_free(&fids);
    if (L->encoding_guessed)
        problem(&P, 1, "encoding_unknown",
                "%s: text is not UTF-8 and there is no .cpg or code page: decoded "
                "as GBK (use --encoding to choose)",
                e->display);
    if (!L->crs) {
        if (!is_shp)
            problem(&P, 2, "missing_prj", "%s: layer '%s' has no CRS; give --assume-srs",
                    e->display, L->layer_name);
        goto emit;
    }
    char why[512];
    if (!coords_fit_crs(ctx, L, why, sizeof why)) {
        problem(&P, 2, "coords_outside_crs", "%s: %s", e->display, why);
        goto emit;
    }
    int idf = so->id_field ? rl_layer_field_index(L, so->id_field) : -1;
    if (so->id_field && idf < 0)
        problem(&P, 1, "missing_id_field", "%s: no field '%s'; ids are FIDs", e->display,
                so->id_field);
    if (idf >= 0) {
        /* Duplicate ids: sort a copy of the values. */
        const char **v = malloc(L->n * sizeof *v);
        size_t nv = 0, dups = 0;
        rl_buf which = {0};
        for (size_t i = 0; v && i < L->n; i++)
            if (L->feat[i].attrs && L->feat[i].attrs[idf])
                v[nv++] = L->feat[i].attrs[idf];
        if (v && nv > 1)
            qsort(v, nv, sizeof *v, cmp_str);
        for (size_t i = 1; v && i < nv; i++) {
            if (strcmp(v[i], v[i - 1]) == 0 && (i == 1 || strcmp(v[i], v[i - 2]) != 0)) {
                if (dups < 10)
                    rl_buf_printf(&which, "%s'%s'", dups ? ", " : "", v[i]);
                dups++;
            }
        }
        if (dups)
            problem(&P, 1, "duplicate_id", "%s: %zu %s value(s) used more than once: %s",
                    e->display, dups, so->id_field, which.s);
        rl_buf_free(&which);
        free(v);
    }
    if (ncontrols > 0) {
        rl_screen_options one = *so;
        one.c.jobs = 1; /* parallelism is across files */
        if (idf < 0)
            one.id_field = NULL;
        d.opts = &one;
        d.controls = controls;
        d.ncontrols = ncontrols;
        d.fps = calloc(1, sizeof *d.fps);
        if (d.fps) {
            d.fps[0] = L;
            d.nfps = 1;
            L = NULL;
            if (rl_screen_run(ctx, &d) != RL_OK)
                problem(&P, 2, "unreadable", "%s: screening failed: %s", e->display,
                        rl_ctx_errmsg(ctx));
            for (size_t i = 0; i < d.nres; i++) {
                rl_buf_puts(&fps, i ? ",\n    " : "\n    ");
                rl_json_footprint(&fps, &d, i);
            }
            memcpy(counts, d.counts, sizeof counts);
        }
    }

emit:;
    rl_buf o = {0};
    const rl_layer *LL = L ? L : (d.nfps ? d.fps[0] : NULL);
    rl_buf_puts(&o, "{\"path\": ");
    rl_buf_json_str(&o, e->display);
    rl_buf_puts(&o, ", \"status\": ");
    rl_buf_json_str(&o, P.status == 2 ? "error" : P.status ? "warn" : "ok");
    rl_buf_puts(&o, ", \"layer\": ");
    if (LL)
        rl_buf_json_str(&o, LL->layer_name);
    else
        rl_buf_puts(&o, "null");
    rl_buf_puts(&o, ", \"crs\": ");
    if (LL && LL->crs)
        rl_buf_json_str(&o, LL->crs->name);
    else
        rl_buf_puts(&o, "null");
    rl_buf_printf(&o, ", \"features\": %zu,\n   \"problems\": [%s],\n   \"footprints\": [%s]}",
                  LL ? LL->n : 0, P.json.s ? P.json.s : "", fps.s ? fps.s : "");
    /* Header line for the parent: tabs and newlines never occur in it. */
    for (char *q = P.msgs.s; q && *q; q++)
        if (*q == '\t' || *q == '\n' || *q == '\r')
            *q = ' ';
    fprintf(out, "%d\t%zu\t%zu\t%zu\t%zu\t%zu\t%s\t%s\n", P.status, LL ? LL->n : 0,
            counts[0], counts[1], counts[2], counts[3], P.codes.s ? P.codes.s : "",
            P.msgs.s ? P.msgs.s : "");
    fputs(o.s ? o.s : "{}", out);
    rl_buf_free(&o);
    rl_buf_free(&fps);
    rl_buf_free(&P.json);
    rl_buf_free(&P.codes);
    rl_buf_free(&P.msgs);
    d.controls = NULL;
    rl_screen_results_free(ctx, &d);
    rl_layer_free(ctx, L);
    free(open);
}

/* Parse a child's output into f; 0 when it is not what audit_one writes. */
static int parse_child(char *text, rl_audit_file *f)
{
    char *nl = strchr(text, '\n');
    if (!nl)
        return 0;
    *nl = '\0';
    char *fields[8];
    int k = 0;
    char *p = text;
    for (; k < 8; k++) {
        fields[k] = p;
        char *t = strchr(p, '\t');
        if (!t) {
            k++;
            break;
        }
        *t = '\0';
        p = t + 1;
    }
    if (k != 8)
        return 0;
    f->status = atoi(fields[0]);
    f->features = (size_t)strtoull(fields[1], NULL, 10);
    for (int i = 0; i < 4; i++)
        f->counts[i] = (size_t)strtoull(fields[2 + i], NULL, 10);
    f->codes = rl_strdup(fields[6]);
    f->messages = rl_strdup(fields[7]);
    f->json = rl_strdup(nl + 1);
    return 1;
}

static char *slurp(FILE *f)
{
    rl_buf b = {0};
    char chunk[65536];
    size_t n;
    rewind(f);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rl_buf_putn(&b, chunk, n);
    if (!b.s)
        rl_buf_puts(&b, "");
    return b.s;
}

static void crashed(rl_audit_file *f, const char *display, int wstatus)
{
    char msg[512];
    if (WIFSIGNALED(wstatus))
        snprintf(msg, sizeof msg, "%s: reading it crashed (signal %d%s); file skipped",
                 display, WTERMSIG(wstatus),
                 WTERMSIG(wstatus) == SIGALRM ? ", time limit" : "");
    else
        snprintf(msg, sizeof msg, "%s: reading it failed (exit %d); file skipped",
                 display, WEXITSTATUS(wstatus));
    rl_buf o = {0};
    rl_buf_puts(&o, "{\"path\": ");
    rl_buf_json_str(&o, display);
    rl_buf_puts(&o, ", \"status\": \"error\", \"layer\": null, \"crs\": null, "
                    "\"features\": 0,\n   \"problems\": [{\"code\": \"unreadable\", "
                    "\"severity\": \"error\", \"message\": ");
    rl_buf_json_str(&o, msg);
    rl_buf_puts(&o, "}],\n   \"footprints\": []}");
    f->status = 2;
    f->codes = rl_strdup("unreadable");
    f->messages = rl_strdup(msg);
    f->json = o.s;
}

typedef struct slot {
    pid_t pid;
    size_t idx;
    FILE *tmp;
} slot;

static void free_audit(rl_ctx *ctx, void *data)
{
    rl_audit_data *d = data;
    if (!d)
        return;
    for (size_t i = 0; i < d->nfiles; i++) {
        free(d->files[i].path);
        free(d->files[i].codes);
        free(d->files[i].messages);
        free(d->files[i].json);
    }
    free(d->files);
    rl_controls_free(ctx, d->controls, d->ncontrols);
}

static rl_status write_audit(rl_ctx *ctx, const void *data, FILE *f)
{
    return rl_write_audit(ctx, data, f);
}

/* 2 when a file or a footprint could not be processed, else 1 on a conflict. */
static int audit_exit_code(const void *data)
{
    const rl_audit_data *d = data;
    if (d->status_counts[2] || d->counts[RL_V_ERROR])
        return 2;
    return d->counts[RL_V_CONFLICT] ? 1 : 0;
}

/* audit has no pieces: its options refuse --pieces. */
static const rl_report_ops audit_ops = {sizeof(rl_audit_data), free_audit, write_audit,
                                        NULL, audit_exit_code};

rl_status rl_audit(rl_ctx *ctx, const rl_audit_options *ao, rl_report **out)
{
    rl_status st = RL_OK;
    entries E = {0};
    slot *slots = NULL;
    const int jobs = ao->s->c.jobs > 0 ? ao->s->c.jobs : 1;
    *out = NULL;
    rl_report *rep = rl_report_new(ctx, &audit_ops, &ao->s->c);
    if (!rep)
        return ctx->status;
    rl_audit_data *d = rep->data;
    d->opts = ao;
    const rl_screen_options *so = ao->s;

    struct stat sb;
    if (stat(ao->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        st = rl_fail(ctx, RL_ERR_INPUT, "%s: not a directory", ao->dir);
        goto fail;
    }
    if (ao->report_dir && rl_path_inside(ao->dir, ao->report_dir)) {
        st = rl_fail(ctx, RL_ERR_USAGE,
                     "--report-dir %s is inside %s, which audit never writes to",
                     ao->report_dir, ao->dir);
        goto fail;
    }
    /* -o inside DIR, or on a control layer, would change an input. */
    const char **inputs = malloc(((size_t)so->ncontrols + 1) * sizeof *inputs);
    if (!inputs) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (int k = 0; k < so->ncontrols; k++)
        inputs[k] = so->controls[k].path;
    st = rl_outputs_check(ctx, &so->c, inputs, (size_t)so->ncontrols, ao->dir);
    free(inputs);
    if (st)
        goto fail;
    if (ao->report_dir && mkdir(ao->report_dir, 0755) != 0 && errno != EEXIST) {
        st = rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot create: %s", ao->report_dir,
                     strerror(errno));
        goto fail;
    }
    if ((st = rl_controls_load(ctx, so, &d->controls, &d->ncontrols)))
        goto fail;
    char root[PATH_MAX];
    snprintf(root, sizeof root, "%s", ao->dir);
    size_t rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/')
        root[--rl] = '\0';
    if (!walk(&E, root, "")) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    d->skipped = E.skipped;
    d->files = calloc(E.n + 1, sizeof *d->files);
    slots = calloc((size_t)jobs, sizeof *slots);
    if (!d->files || !slots) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    d->nfiles = E.n;
    for (size_t i = 0; i < E.n; i++)
        d->files[i].path = rl_strdup(E.v[i].display);
    size_t next = 0, done = 0;
    int running = 0;
    fflush(NULL); /* children must not flush the parent's buffers again */
    while (done < E.n) {
        while (running < jobs && next < E.n) {
            int s = 0;
            while (slots[s].pid)
                s++;
            FILE *tmp = tmpfile();
            if (!tmp) {
                st = rl_fail(ctx, RL_ERR_OUTPUT, "cannot create a temporary file: %s",
                             strerror(errno));
                goto fail;
            }
            pid_t pid = fork();
            if (pid < 0) {
                fclose(tmp);
                st = rl_fail(ctx, RL_ERR_INTERNAL, "fork failed: %s", strerror(errno));
                goto fail;
            }
            if (pid == 0) {
                /* The child: its own contexts, a time limit, then _exit. */
                alarm(RL_AUDIT_FILE_SECONDS);
                /* Test hook: proves that a crash in one file is contained. */
                const char *crash = getenv("REDLINE_TEST_CRASH_ON");
                if (crash && strcmp(crash, E.v[next].display) == 0)
                    raise(SIGSEGV);
                rl_ctx *cctx = rl_ctx_new();
                if (cctx)
                    audit_one(cctx, ao, d->controls, d->ncontrols, &E.v[next], tmp);
                fflush(tmp);
                _exit(cctx ? 0 : 3);
            }
            slots[s].pid = pid;
            slots[s].idx = next++;
            slots[s].tmp = tmp;
            running++;
        }
        int wstatus = 0;
        pid_t pid = waitpid(-1, &wstatus, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            st = rl_fail(ctx, RL_ERR_INTERNAL, "waitpid failed: %s", strerror(errno));
            goto fail;
        }
        int s = 0;
        while (s < jobs && slots[s].pid != pid)
            s++;
        if (s == jobs)
            continue;
        rl_audit_file *f = &d->files[slots[s].idx];
        char *text = slurp(slots[s].tmp);
        fclose(slots[s].tmp);
        if (!(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0 && text &&
              parse_child(text, f)))
            crashed(f, f->path, wstatus);
        free(text);
        slots[s].pid = 0;
        running--;
        done++;
        if (ao->progress)
            ao->progress(ao->progress_data, done, E.n, f->path);
    }
    for (size_t i = 0; i < d->nfiles; i++) {
        const rl_audit_file *f = &d->files[i];
        d->status_counts[f->status < 0 || f->status > 2 ? 2 : f->status]++;
        for (int k = 0; k < 4; k++)
            d->counts[k] += f->counts[k];
    }
    if (ao->report_dir && (st = rl_audit_write_report_dir(ctx, d)))
        goto fail;
    *out = rep;
    rep = NULL;
fail:
    if (slots) {
        for (int s = 0; s < jobs; s++) {
            if (slots[s].pid) {
                kill(slots[s].pid, SIGKILL);
                waitpid(slots[s].pid, NULL, 0);
                fclose(slots[s].tmp);
            }
        }
    }
    free(slots);
    for (size_t i = 0; i < E.n; i++) {
        free(E.v[i].display);
        free(E.v[i].open);
        free(E.v[i].real);
    }
    free(E.v);
    rl_report_free(rep);
    return st;
}
