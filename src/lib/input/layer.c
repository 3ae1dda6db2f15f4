/* layer.c -- read a vector layer into GEOS geometries and UTF-8 text. */
#include "input/input.h"

#include <cpl_conv.h>
#include <ctype.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <errno.h>
#include <gdal.h>
#include <iconv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char *rl_feat_status_text(rl_feat_status st)
{
    switch (st) {
    case RL_FEAT_OK: return "ok";
    case RL_FEAT_NULL: return "null geometry";
    case RL_FEAT_EMPTY: return "empty geometry";
    case RL_FEAT_NOT_POLYGON: return "not a polygon";
    case RL_FEAT_COLLAPSED: return "geometry has no area after repair";
    case RL_FEAT_BAD: return "geometry could not be read or repaired";
    case RL_FEAT_UNREADABLE: return "record unreadable (corrupt or truncated file)";
    case RL_FEAT_NONFINITE: return "a coordinate is not a finite number (NaN or infinite)";
    case RL_FEAT_OUTSIDE_CRS: return "coordinates far outside the area of use of the layer's CRS";
    }
    return "?";
}

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/*
 * Split "PATH|layername=NAME" / "PATH|layerid=N" (QGIS's syntax).  Returns
 * the dataset name to open, malloc'd; *lname / *lid are set when given.
 */
static char *split_path(const char *path, char **lname, int *lid)
{
    *lname = NULL;
    *lid = -1;
    char *ds = rl_strdup(path);
    if (!ds)
        return NULL;
    char *bar = strrchr(ds, '|');
    if (bar && strncmp(bar + 1, "layername=", 10) == 0) {
        *lname = rl_strdup(bar + 11);
        *bar = '\0';
    } else if (bar && strncmp(bar + 1, "layerid=", 8) == 0) {
        *lid = atoi(bar + 9);
        *bar = '\0';
    }
    /* "a.zip" and "a.zip/inner/x.shp" are read through /vsizip/. */
    if (strncmp(ds, "/vsi", 4) != 0 &&
        (ends_with_ci(ds, ".zip") || strcasestr(ds, ".zip/"))) {
        size_t n = strlen(ds) + sizeof "/vsizip/";
        char *z = malloc(n);
        if (z)
            snprintf(z, n, "/vsizip/%s", ds);
        free(ds);
        ds = z;
    }
    return ds;
}

static int is_vector_name(const char *name)
{
    static const char *exts[] = {".shp", ".gpkg", ".geojson", ".json", ".kml",
                                 ".gml", ".tab", ".sqlite", ".fgb"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (ends_with_ci(name, exts[i]))
            return 1;
    return 0;
}

/*
 * A zip whose vector data sits in a sub-folder: when the archive holds exactly
 * one vector file, open that one; with several, say which to name.
 */
static rl_status resolve_zip(rl_ctx *ctx, const char *path, char **dsname)
{
    if (strncmp(*dsname, "/vsizip/", 8) != 0 || !ends_with_ci(*dsname, ".zip"))
        return RL_OK;
    char **all = VSIReadDirRecursive(*dsname);
    const char *only = NULL;
    int count = 0;
    rl_buf list = {0};
    for (char **e = all; e && *e; e++) {
        if (!is_vector_name(*e))
            continue;
        if (count++ < 8) {
            rl_buf_puts(&list, count > 1 ? ", " : "");
            rl_buf_puts(&list, *e);
        }
        only = *e;
    }
    rl_status st = RL_OK;
    if (count == 1 && strchr(only, '/')) {
        size_t n = strlen(*dsname) + strlen(only) + 2;
        char *d = malloc(n);
        if (d) {
            snprintf(d, n, "%s/%s", *dsname, only);
            free(*dsname);
            *dsname = d;
        }
    } else if (count > 1) {
        st = rl_fail(ctx, RL_ERR_INPUT,
                     "%s holds %d vector files (%s); name one as '%s/INNER/PATH'",
                     path, count, list.s, path);
    }
    rl_buf_free(&list);
    CSLDestroy(all);
    return st;
}

int rl_shp_sibling(const char *shp, const char *ext, char *out, size_t n)
{
    size_t len = strlen(shp);
    if (len < 4 || len + 1 > n)
        return 0;
    VSIStatBufL sb;
    for (int up = 0; up < 2; up++) {
        memcpy(out, shp, len - 3);
        for (int i = 0; i < 3; i++)
            out[len - 3 + i] = up ? (char)toupper((unsigned char)ext[i]) : ext[i];
        out[len] = '\0';
        if (VSIStatL(out, &sb) == 0)
            return 1;
    }
    return 0;
}

/* The first 64 bytes (or 32 of a DBF header) of a sibling file; -1 if none. */
static int read_sibling(const char *shp, const char *ext, unsigned char *buf, size_t n)
{
    char p[4096];
    if (!rl_shp_sibling(shp, ext, p, sizeof p))
        return -1;
    VSILFILE *f = VSIFOpenL(p, "rb");
    if (!f)
        return -1;
    int got = (int)VSIFReadL(buf, 1, n, f);
    VSIFCloseL(f);
    return got;
}

/*
 * The encoding a shapefile's .cpg names, trimmed (white space and a UTF-8
 * byte-order mark, as Notepad writes, dropped) into name; 0 when there is
 * no .cpg or it names nothing (an empty .cpg, as some tools write, says
 * nothing).
 */
static int read_cpg(const char *shp, char *name, size_t n)
{
    unsigned char buf[64];
    int got = read_sibling(shp, "cpg", buf, sizeof buf);
    int a = 0, b = got;
    if (got >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        a = 3;
    while (a < b && isspace(buf[a]))
        a++;
    while (b > a && isspace(buf[b - 1]))
        b--;
    if (b <= a || n == 0)
        return 0;
    /* A name too long for n is kept cut: no encoding has such a name. */
    size_t len = (size_t)(b - a) < n ? (size_t)(b - a) : n - 1;
    memcpy(name, buf + a, len);
    name[len] = '\0';
    return 1;
}

/*
 * A shapefile without .shx opens only with SHAPE_RESTORE_SHX, which writes a
 * new .shx beside the file: never in a user's folder.  Copy the parts to
 * /vsimem/ and rebuild it there.  Returns the new .shp path, or NULL when the
 * .shx exists.
 */
static char *shx_workaround(const char *shp)
{
    static int counter;
    char p[4096], dir[96], dst[4096 + 96];
    if (rl_shp_sibling(shp, "shx", p, sizeof p))
        return NULL;
    /* Keep the base name: it is the layer name users see. */
    const char *slash = strrchr(shp, '/');
    const char *base = slash ? slash + 1 : shp;
    int blen = (int)strlen(base) - 4;
    snprintf(dir, sizeof dir, "/vsimem/redline_shx_%ld_%d", (long)getpid(),
             __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
    VSIMkdir(dir, 0755);
    const char *parts[] = {"shp", "dbf", "prj", "cpg"};
    for (int i = 0; i < 4; i++) {
        if (rl_shp_sibling(shp, parts[i], p, sizeof p)) {
            snprintf(dst, sizeof dst, "%s/%.*s.%s", dir, blen, base, parts[i]);
            CPLCopyFile(dst, p);
        }
    }
    snprintf(dst, sizeof dst, "%s/%.*s.shp", dir, blen, base);
    return rl_strdup(dst);
}

/* Windows code pages of DBF language-driver ids (the dBASE/ArcGIS table). */
static int ldid_codepage(int id)
{
    static const short map[][2] = {
        {1, 437},    {2, 850},    {3, 1252},   {8, 865},    {9, 437},    {10, 850},
        {11, 437},   {13, 437},   {14, 850},   {15, 437},   {16, 850},   {17, 437},
        {18, 850},   {19, 932},   {20, 850},   {21, 437},   {22, 850},   {23, 865},
        {24, 437},   {25, 437},   {26, 850},   {27, 437},   {28, 863},   {29, 850},
        {31, 852},   {34, 852},   {35, 852},   {36, 860},   {37, 850},   {38, 866},
        {55, 850},   {64, 852},   {77, 936},   {78, 949},   {79, 950},   {80, 874},
        {87, 1252},  {88, 1252},  {89, 1252},  {100, 852},  {101, 866},  {102, 865},
        {103, 861},  {106, 737},  {107, 857},  {108, 863},  {120, 950},  {121, 949},
        {122, 936},  {123, 932},  {124, 874},  {134, 737},  {135, 852},  {136, 857},
        {200, 1250}, {201, 1251}, {202, 1254}, {203, 1253}, {204, 1257},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (map[i][0] == id)
            return map[i][1];
    return 0;
}

int rl_encoding_resolve(const char *name, char *out, size_t n)
{
    char buf[64];
    if (!name || !*name || strlen(name) >= sizeof buf - 8)
        return 0;
    const char *s = name;
    char *end = NULL;
    long num = strtol(s, &end, 10);
    if (strncasecmp(s, "LDID/", 5) == 0) {
        long id = strtol(s + 5, &end, 10);
        int cp = end && !*end && end > s + 5 ? ldid_codepage((int)id) : 0;
        if (!cp)
            return 0;
        snprintf(buf, sizeof buf, "CP%d", cp);
    } else if (end && !*end && end > s &&
               ((num >= 437 && num <= 950) || (num >= 1250 && num <= 1258))) {
        /* A bare code page, as ArcGIS writes in .cpg files: "936". */
        snprintf(buf, sizeof buf, "CP%ld", num);
    } else if (strncmp(s, "8859", 4) == 0 && strlen(s) > 4) {
        const char *part = s[4] == '-' || s[4] == '_' ? s + 5 : s + 4;
        snprintf(buf, sizeof buf, "ISO-8859-%s", part);
    } else if (strcasecmp(s, "UTF8") == 0 || strcasecmp(s, "UTF-8") == 0) {
        snprintf(buf, sizeof buf, "UTF-8");
    } else {
        snprintf(buf, sizeof buf, "%s", s);
    }
    /*
     * Known means: iconv, which decodes it below, can open it.  glibc's
     * iconv ignores stray characters in a name and takes "//" suffixes as
     * flags ("UTF-8\x1b", "UTF-8//IGNORE"): only plain names are names.
     */
    for (const char *c = buf; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("-_.:", *c))
            return 0;
    iconv_t cd = iconv_open("UTF-8", buf);
    if (cd == (iconv_t)-1)
        return 0;
    iconv_close(cd);
    if (strlen(buf) >= n)
        return 0;
    memcpy(out, buf, strlen(buf) + 1);
    return 1;
}

/*
 * s (bytes in the encoding of cd; cd (iconv_t)-1: UTF-8) as a new UTF-8
 * string.  Every byte that does not decode becomes U+FFFD and is counted in
 * *nbad: GDAL's own recoding drops such bytes silently, which is why
 * shapefile text is read raw and decoded here.  NULL when out of memory.
 */
static char *decode(iconv_t cd, const char *s, size_t *nbad)
{
    *nbad = 0;
    if (cd == (iconv_t)-1)
        return rl_is_utf8(s) ? rl_strdup(s) : rl_utf8_clean(s, nbad);
    size_t inleft = strlen(s), cap = inleft * 3 + 16, used = 0;
    char *out = malloc(cap), *in = (char *)s;
    int grow = 0;
    iconv(cd, NULL, NULL, NULL, NULL);
    while (out) {
        if (grow || cap - used < 8) {
            char *grown = realloc(out, cap * 2);
            if (!grown) {
                free(out);
                return NULL;
            }
            out = grown;
            cap *= 2;
            grow = 0;
        }
        char *o = out + used;
        size_t oleft = cap - used - 1;
        const int flush = inleft == 0; /* the last call ends any shift state */
        size_t r = flush ? iconv(cd, NULL, NULL, &o, &oleft)
                         : iconv(cd, &in, &inleft, &o, &oleft);
        const int err = r == (size_t)-1 ? errno : 0;
        used = (size_t)(o - out);
        if (err == E2BIG) {
            grow = 1;
        } else if (flush) {
            break;
        } else if (err == EILSEQ || err == EINVAL) {
            if (cap - used < 4)
                continue; /* grown first; iconv stops at the same byte again */
            memcpy(out + used, "\xEF\xBF\xBD", 3);
            used += 3;
            in++;
            inleft--;
            ++*nbad;
        } else if (err) {
            break; /* keep what decoded */
        }
    }
    if (out)
        out[used] = '\0';
    return out;
}

/* Warnings per layer beyond which only a count is kept. */
#define TEXT_WARN_MAX 20

/* Record that value (or field name, fid < 0) had nbad bytes replaced. */
static void text_warn(rl_layer *L, long long fid, int field, const char *enc, size_t nbad)
{
    if (++L->text_bad > TEXT_WARN_MAX)
        return;
    rl_buf m = {0};
    if (fid < 0)
        rl_buf_printf(&m, "%s: field name %d", L->path, field + 1);
    else
        rl_buf_printf(&m, "%s: FID %lld, field '%s'", L->path, fid, L->fields[field]);
    rl_buf_printf(&m, ": %zu byte%s that do%s not decode as %s, replaced with U+FFFD",
                  nbad, nbad == 1 ? "" : "s", nbad == 1 ? "es" : "", enc);
    rl_strlist_add(&L->warnings, m.s);
    rl_buf_free(&m);
}

/*
 * Turn every field name and attribute of L into valid UTF-8: recoded from
 * L->forced_encoding when the layer was read raw (a shapefile), or from a
 * guess (UTF-8 when it all is, else GBK) when that is NULL; checked as
 * UTF-8 otherwise (GeoPackage and GeoJSON text is UTF-8 by definition, but
 * nothing stops a file from holding other bytes).  Bytes that do not decode
 * become U+FFFD, with a warning naming file, FID and field.
 */
static void decode_text(rl_layer *L)
{
    const char *enc = L->raw_text ? L->forced_encoding : "UTF-8";
    if (!enc) {
        int all_utf8 = 1;
        for (int j = 0; j < L->nfields && all_utf8; j++)
            all_utf8 = rl_is_utf8(L->fields[j]);
        for (size_t i = 0; i < L->n && all_utf8; i++)
            for (int j = 0; j < L->nfields && all_utf8; j++)
                if (L->feat[i].attrs && L->feat[i].attrs[j])
                    all_utf8 = rl_is_utf8(L->feat[i].attrs[j]);
        free(L->encoding);
        if (all_utf8) {
            /* ASCII or already UTF-8: nothing to recode. */
            L->encoding = rl_strdup("UTF-8 (no .cpg or code page; text is valid UTF-8)");
            enc = "UTF-8";
        } else {
            enc = "GBK";
            L->encoding_guessed = 1;
            L->encoding = rl_strdup("GBK (guessed: no .cpg or code page)");
        }
    }
    iconv_t cd = (iconv_t)-1;
    if (strcasecmp(enc, "UTF-8") != 0 && (cd = iconv_open("UTF-8", enc)) == (iconv_t)-1)
        return; /* checked by rl_encoding_resolve when the layer was opened */
    size_t nbad;
    for (int j = 0; j < L->nfields; j++) {
        char *r = decode(cd, L->fields[j], &nbad);
        if (!r)
            continue;
        free(L->fields[j]);
        L->fields[j] = r;
        if (nbad)
            text_warn(L, -1, j, enc, nbad);
    }
    for (size_t i = 0; i < L->n; i++) {
        if (!L->feat[i].attrs)
            continue;
        for (int j = 0; j < L->nfields; j++) {
            char *s = L->feat[i].attrs[j];
            if (!s || (cd == (iconv_t)-1 && rl_is_utf8(s)))
                continue; /* the common case: nothing to copy */
            char *r = decode(cd, s, &nbad);
            if (!r)
                continue;
            L->feat[i].attrs[j] = r;
            free(s);
            if (nbad)
                text_warn(L, L->feat[i].fid, j, enc, nbad);
        }
    }
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    if (L->text_bad > TEXT_WARN_MAX) {
        rl_buf m = {0};
        rl_buf_printf(&m, "%s: %zu more values or field names had bytes that do not decode "
                          "as %s replaced with U+FFFD (the first %d are listed)",
                      L->path, L->text_bad - TEXT_WARN_MAX, enc, TEXT_WARN_MAX);
        rl_strlist_add(&L->warnings, m.s);
        rl_buf_free(&m);
    }
}

static int is_polygonal_type(OGRwkbGeometryType t)
{
    switch (t) {
    case wkbPolygon:
    case wkbMultiPolygon:
    case wkbCurvePolygon:
    case wkbMultiSurface:
    case wkbPolyhedralSurface:
    case wkbTIN:
    case wkbTriangle:
        return 1;
    default:
        return 0;
    }
}

/*
 * Extent of the coordinates of g (a Polygon or MultiPolygon) grown into
 * env; 0 when one of them is NaN or infinite.  OGR's own envelope skips a
 * NaN, so it cannot tell.  The coordinates are copied through ctx's
 * coordinate buffer, a ring at a time.
 */
static int scan_coords(rl_ctx *ctx, OGRGeometryH g, double env[4])
{
    int ng = OGR_G_GetGeometryCount(g);
    for (int i = 0; i < ng; i++)
        if (!scan_coords(ctx, OGR_G_GetGeometryRef(g, i), env))
            return 0;
    int np = ng ? 0 : OGR_G_GetPointCount(g);
    if (np <= 0)
        return 1;
    if (!rl_grow(&ctx->coord_buf, &ctx->coord_cap, (size_t)np, 2 * sizeof(double)))
        return 1; /* out of memory: GEOS will still see the coordinates */
    double *xy = ctx->coord_buf;
    OGR_G_GetPoints(g, xy, 2 * sizeof(double), xy + 1, 2 * sizeof(double), NULL, 0);
    for (int p = 0; p < np; p++) {
        double x = xy[2 * p], y = xy[2 * p + 1];
        if (!isfinite(x) || !isfinite(y))
            return 0;
        env[0] = x < env[0] ? x : env[0];
        env[1] = y < env[1] ? y : env[1];
        env[2] = x > env[2] ? x : env[2];
        env[3] = y > env[3] ? y : env[3];
    }
    return 1;
}

/*
 * OGR geometry (owned: it is consumed) -> valid polygonal GEOS geometry, or
 * NULL and a status saying why not.  A polygon with a coordinate that is not
 * finite, or outside L's domain, is kept (never dropped as far from the
 * footprints) with that status: the command decides.
 */
static int line_kind(OGRwkbGeometryType t)
{
    switch (t) {
    case wkbLineString:
    case wkbMultiLineString:
    case wkbCircularString:
    case wkbCompoundCurve:
    case wkbMultiCurve:
        return RL_KIND_LINE;
    case wkbPoint:
    case wkbMultiPoint:
        return RL_KIND_POINT;
    default:
        return RL_KIND_POLYGON;
    }
}

static GEOSGeometry *convert_geom(rl_ctx *ctx, GEOSWKBReader *rd, OGRGeometryH g,
                                  rl_feature *ft, int defer, const rl_envgrid *near,
                                  const rl_layer *L, int keep_lines)
{
    if (!g) {
        ft->status = RL_FEAT_NULL;
        return NULL;
    }
    if (OGR_G_IsEmpty(g)) {
        OGR_G_DestroyGeometry(g);
        ft->status = RL_FEAT_EMPTY;
        return NULL;
    }
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    OGRGeometryH work = g;
    if (t == wkbGeometryCollection) {
        /* Keep a collection only for its polygons. */
        int np = 0;
        for (int i = 0; i < OGR_G_GetGeometryCount(work); i++)
            np += is_polygonal_type(
                wkbFlatten(OGR_G_GetGeometryType(OGR_G_GetGeometryRef(work, i))));
        if (np == 0) {
            OGR_G_DestroyGeometry(work);
            ft->status = RL_FEAT_NOT_POLYGON;
            return NULL;
        }
        work = OGR_G_ForceToMultiPolygon(work);
    } else if (keep_lines && line_kind(t) != RL_KIND_POLYGON) {
        /* Curves are stroked: the corridor is built from straight segments. */
        ft->kind = line_kind(t);
        if (t != wkbLineString && t != wkbMultiLineString && ft->kind == RL_KIND_LINE)
            work = OGR_G_ForceToMultiLineString(work);
    } else if (!is_polygonal_type(t)) {
        OGR_G_DestroyGeometry(work);
        ft->status = RL_FEAT_NOT_POLYGON;
        return NULL;
    } else if (t != wkbPolygon && t != wkbMultiPolygon) {
        work = OGR_G_ForceToMultiPolygon(work);
    }
    double ext[4] = {HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
    if (!scan_coords(ctx, work, ext)) {
        OGR_G_DestroyGeometry(work);
        ft->status = RL_FEAT_NONFINITE;
        return NULL;
    }
    OGREnvelope env;
    OGR_G_GetEnvelope(work, &env);
    if (L->domain_desc && ext[0] <= ext[2] &&
        (ext[0] < L->domain[0] || ext[1] < L->domain[1] || ext[2] > L->domain[2] ||
         ext[3] > L->domain[3])) {
        OGR_G_DestroyGeometry(work);
        memcpy(ft->env, ext, sizeof ft->env);
        ft->status = RL_FEAT_OUTSIDE_CRS;
        return NULL;
    }
    ft->env[0] = env.MinX;
    ft->env[1] = env.MinY;
    ft->env[2] = env.MaxX;
    ft->env[3] = env.MaxY;
    if (near && !rl_envgrid_hits(near, ft->env)) {
        /* No footprint comes near: counted, never looked at again. */
        OGR_G_DestroyGeometry(work);
        return NULL;
    }
    if (OGR_G_CoordinateDimension(work) != 2 || OGR_G_IsMeasured(work))
        OGR_G_FlattenTo2D(work);
    int size = OGR_G_WkbSize(work);
    unsigned char *wkb = malloc((size_t)size);
    GEOSGeometry *out = NULL;
    if (wkb && OGR_G_ExportToWkb(work, wkbNDR, wkb) == OGRERR_NONE) {
        if (defer || ft->kind) {
            /*
             * Converted by rl_feature_prepare() in a later phase; a line or
             * point always is, after linear/ made it a polygon.
             */
            ft->wkb = wkb;
            ft->wkb_len = (size_t)size;
            OGR_G_DestroyGeometry(work);
            return NULL;
        }
        out = GEOSWKBReader_read_r(ctx->geos, rd, wkb, (size_t)size);
    }
    free(wkb);
    OGR_G_DestroyGeometry(work);
    if (!out) {
        ft->status = RL_FEAT_BAD;
        return NULL;
    }
    rl_feat_status st = RL_FEAT_OK;
    out = rl_repair(ctx, out, &ft->repaired, &st, &ft->invalid_why);
    ft->status = st;
    rl_geom_freeze(ctx, out); /* diff and area read it from several threads */
    return out;
}

static rl_status pick_layer(rl_ctx *ctx, GDALDatasetH ds, const char *path,
                            const char *lname, int lid, OGRLayerH *out)
{
    int n = GDALDatasetGetLayerCount(ds);
    *out = NULL;
    if (lname) {
        *out = GDALDatasetGetLayerByName(ds, lname);
        if (!*out)
            return rl_fail(ctx, RL_ERR_INPUT, "%s: no layer named '%s'", path,
                           lname);
        return RL_OK;
    }
    if (lid >= 0) {
        if (lid >= n)
            return rl_fail(ctx, RL_ERR_INPUT,
                           "%s: no layer with id %d (it has %d)", path, lid, n);
        *out = GDALDatasetGetLayer(ds, lid);
        return RL_OK;
    }
    if (n == 0)
        return rl_fail(ctx, RL_ERR_INPUT, "%s: no vector layer", path);
    if (n > 1) {
        rl_buf b = {0};
        for (int i = 0; i < n && i < 20; i++) {
            if (i)
                rl_buf_puts(&b, ", ");
            rl_buf_puts(&b, OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
        }
        rl_fail(ctx, RL_ERR_INPUT,
                "%s has %d layers (%s); name one as '%s|layername=NAME'", path,
                n, b.s ? b.s : "", path);
        rl_buf_free(&b);
        return RL_ERR_INPUT;
    }
    *out = GDALDatasetGetLayer(ds, 0);
    return RL_OK;
}

rl_status rl_layer_read(rl_ctx *ctx, const char *path, const rl_input_opts *io,
                        rl_layer **out)
{
    rl_status st = RL_OK;
    char *lname = NULL;
    int lid = -1;
    char *dsname = NULL;
    GDALDatasetH ds = NULL;
    GEOSWKBReader *rd = NULL;
    rl_layer *L = NULL;
    char **open_opts = NULL;
    char *mem_shp = NULL;
    int raw_text = 0;

    *out = NULL;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    L = calloc(1, sizeof *L);
    dsname = split_path(path, &lname, &lid);
    if (!L || !dsname) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    L->path = rl_redact(path); /* what reports and messages show */

    /* A folder the user named (not one that a zip path resolves to below). */
    int user_dir = 0;
    if (strncmp(dsname, "PG:", 3) != 0) {
        VSIStatBufL sb;
        if (VSIStatL(dsname, &sb) != 0) {
            st = rl_fail(ctx, RL_ERR_INPUT, "%s: no such file or directory",
                         path);
            goto cleanup;
        }
        user_dir = VSI_ISDIR(sb.st_mode) && strncmp(dsname, "/vsi", 4) != 0;
    }
    if ((st = resolve_zip(ctx, path, &dsname)))
        goto cleanup;
    if (ends_with_ci(dsname, ".shp") && (mem_shp = shx_workaround(dsname)) != NULL) {
        free(dsname);
        dsname = rl_strdup(mem_shp);
        L->shx_rebuilt = 1;
        CPLSetThreadLocalConfigOption("SHAPE_RESTORE_SHX", "YES");
    }
    /*
     * Shapefile text is read as raw bytes and decoded by decode_text():
     * where nothing is declared GDAL would assume ISO-8859-1 (GBK text
     * becomes mojibake), and where an encoding is declared it passes bytes
     * that do not decode through (a .cpg saying UTF-8) or drops them.
     */
    char enc[64] = "", cpg[64];
    const char *enc_from = NULL;
    if (ends_with_ci(dsname, ".shp")) {
        raw_text = 1;
        open_opts = CSLSetNameValue(open_opts, "ENCODING", "");
        if (read_cpg(dsname, cpg, sizeof cpg)) {
            if (!rl_encoding_resolve(cpg, enc, sizeof enc)) {
                rl_buf e = {0};
                rl_buf_puts_esc(&e, cpg);
                st = rl_fail(ctx, RL_ERR_INPUT,
                             "%s: its .cpg names the encoding '%s', which is unknown (iconv "
                             "cannot decode it); write a known name in the .cpg, e.g. GBK, "
                             "CP936, GB18030 or UTF-8",
                             path, e.s ? e.s : "");
                rl_buf_free(&e);
                goto cleanup;
            }
            enc_from = ".cpg";
        }
    }
    ds = GDALOpenEx(dsname, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                    (const char *const *)open_opts, NULL);
    /*
     * A folder is a dataset only when a driver reads it as one (a FileGDB
     * .gdb).  GDAL also opens a folder of shapefiles, as one layer per file,
     * which is a delivery to audit rather than one footprint or control layer.
     */
    if (user_dir &&
        (!ds || strcmp(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "ESRI Shapefile") == 0)) {
        st = rl_fail(ctx, RL_ERR_INPUT, "%s: this is a folder, not a dataset (such as a "
                     "FileGDB .gdb): name a file in it, or use 'redline audit %s' to check "
                     "every file under it", path, dsname);
        goto cleanup;
    }
    if (!ds) {
        const char *why = CPLGetLastErrorMsg();
        st = rl_fail(ctx, RL_ERR_INPUT, "%s: cannot open as a vector dataset%s%s",
                     path, why && *why ? ": " : "", why ? why : "");
        goto cleanup;
    }
    OGRLayerH lyr = NULL;
    st = pick_layer(ctx, ds, path, lname, lid, &lyr);
    if (st)
        goto cleanup;
    L->layer_name = rl_strdup(OGR_L_GetName(lyr));
    if (raw_text && !enc_from) {
        /* GDAL's reading of the DBF code-page byte (0x4D: CP936). */
        const char *ld = GDALGetMetadataItem((GDALMajorObjectH)lyr, "ENCODING_FROM_LDID",
                                             "SHAPEFILE");
        if (ld && *ld && rl_encoding_resolve(ld, enc, sizeof enc)) {
            enc_from = "DBF code page";
        } else if (io && io->encoding) {
            if (!rl_encoding_resolve(io->encoding, enc, sizeof enc)) {
                st = rl_fail(ctx, RL_ERR_USAGE, "--encoding: unknown encoding '%s'",
                             io->encoding);
                goto cleanup;
            }
            enc_from = "--encoding";
        }
    }
    if (raw_text) {
        /* NULL: decode_text() guesses. */
        L->raw_text = 1;
        L->forced_encoding = enc_from ? rl_strdup(enc) : NULL;
        if (enc_from) {
            rl_buf e = {0};
            rl_buf_printf(&e, "%s (%s)", enc, enc_from);
            L->encoding = e.s;
        }
    } else {
        L->encoding = rl_strdup("UTF-8 (format's own)");
    }
    L->geom_type = wkbFlatten(OGR_L_GetGeomType(lyr));

    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
    if (srs) {
        L->crs = rl_crs_new(ctx, srs);
        if (!L->crs) {
            st = rl_fail(ctx, RL_ERR_CRS, "%s: %s", path, rl_ctx_errmsg(ctx));
            goto cleanup;
        }
    } else if (io && io->assume_srs) {
        L->crs = rl_crs_from_user(ctx, io->assume_srs);
        if (!L->crs) {
            st = rl_fail(ctx, RL_ERR_USAGE, "--assume-srs: %s", rl_ctx_errmsg(ctx));
            goto cleanup;
        }
        L->crs_assumed = 1;
    } else if (io && io->allow_no_crs) {
        L->crs = NULL;
    } else {
        /* A .prj that is there but unreadable needs fixing, not adding. */
        char prj[4096];
        int has_prj = ends_with_ci(dsname, ".shp") &&
                      rl_shp_sibling(dsname, "prj", prj, sizeof prj);
        st = rl_fail(ctx, RL_ERR_CRS,
                     "%s: layer '%s' has no CRS (%s); give one with "
                     "--assume-srs, e.g. --assume-srs EPSG:4527",
                     path, L->layer_name,
                     has_prj ? "its .prj is present but GDAL cannot read a CRS from it"
                             : "missing .prj?");
        goto cleanup;
    }

    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    L->nfields = OGR_FD_GetFieldCount(defn);
    L->fields = calloc((size_t)L->nfields + 1, sizeof *L->fields);
    if (!L->fields) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (int j = 0; j < L->nfields; j++)
        L->fields[j] = rl_strdup(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, j)));

    if (io && io->peek) {
        *out = L;
        L = NULL;
        goto cleanup;
    }
    if (L->crs) {
        char desc[1024];
        rl_crs_domain(ctx, L->crs, L->domain, desc, sizeof desc);
        if (!(L->domain_desc = rl_strdup(desc))) {
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto cleanup;
        }
    }
    const int defer = io && io->defer_repair;
    /* The filter's rectangles are only meaningful in the CRS they were made in. */
    const rl_envgrid *near = io && io->keep_near && L->crs && io->keep_near_crs &&
                                     rl_crs_same(L->crs, io->keep_near_crs)
                                 ? io->keep_near
                                 : NULL;
    /* A rebuilt .shx lives in /vsimem/ only while we read: read text now. */
    const int lazy = io && io->lazy_attrs && !L->shx_rebuilt && L->nfields > 0;
    if (lazy) {
        /* OGR then skips parsing the attributes altogether. */
        char **ign = NULL;
        for (int j = 0; j < L->nfields; j++)
            ign = CSLAddString(ign, L->fields[j]);
        OGR_L_SetIgnoredFields(lyr, (const char **)ign);
        CSLDestroy(ign);
    }
    rd = GEOSWKBReader_create_r(ctx->geos);
    size_t cap = 0;
    if (io && io->filter_rect)
        OGR_L_SetSpatialFilterRect(lyr, io->filter_rect[0], io->filter_rect[1],
                                   io->filter_rect[2], io->filter_rect[3]);
    OGR_L_ResetReading(lyr);
    OGRFeatureH f;
    /* Reset before each read, so that an error is this feature's own. */
    for (CPLErrorReset(); (f = OGR_L_GetNextFeature(lyr)) != NULL; CPLErrorReset()) {
        /*
         * A driver that cannot decode a record (the shapefile driver on a
         * corrupt or cut-off .shp) still returns the feature, without
         * geometry, and leaves the error.
         */
        const int unreadable = CPLGetLastErrorType() == CE_Failure;
        if (unreadable && !L->unreadable++) {
            L->unreadable_fid = OGR_F_GetFID(f);
            L->unreadable_msg = rl_strdup(CPLGetLastErrorMsg());
        }
        if (unreadable && !(io && io->keep_unreadable)) {
            OGR_F_Destroy(f);
            st = rl_fail(ctx, RL_ERR_INPUT,
                         "%s: FID %lld: record unreadable (corrupt or truncated file): %s",
                         path, L->unreadable_fid, L->unreadable_msg);
            goto cleanup;
        }
        if (L->n == cap) {
            cap = cap ? cap * 2 : 64;
            rl_feature *nf = realloc(L->feat, cap * sizeof *nf);
            if (!nf) {
                OGR_F_Destroy(f);
                st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
                goto cleanup;
            }
            L->feat = nf;
        }
        rl_feature *ft = &L->feat[L->n++];
        memset(ft, 0, sizeof *ft);
        ft->fid = OGR_F_GetFID(f);
        if (unreadable)
            ft->status = RL_FEAT_UNREADABLE; /* its attributes may still name it */
        else
            ft->geom = convert_geom(ctx, rd, OGR_F_StealGeometry(f), ft, defer, near, L,
                                    io && io->keep_lines);
        if (near && !ft->geom && !ft->wkb && ft->status == RL_FEAT_OK) {
            /* Far from every footprint: only counted (most of a province). */
            L->n--;
            L->nfar++;
            OGR_F_Destroy(f);
            continue;
        }
        if (ft->repaired)
            L->repaired++;
        if (ft->status != RL_FEAT_OK)
            L->bad++;
        ft->attrs = L->nfields && !lazy ? calloc((size_t)L->nfields, sizeof(char *)) : NULL;
        for (int j = 0; ft->attrs && j < L->nfields; j++)
            if (OGR_F_IsFieldSetAndNotNull(f, j))
                ft->attrs[j] = rl_strdup(OGR_F_GetFieldAsString(f, j));
        OGR_F_Destroy(f);
    }
    if (CPLGetLastErrorType() == CE_Failure) {
        st = rl_fail(ctx, RL_ERR_INPUT, "%s: reading stopped after %zu features: %s",
                     path, L->n + L->nfar, CPLGetLastErrorMsg());
        goto cleanup;
    }
    if (lazy) {
        /* Text is decoded when the hits' attributes are fetched. */
        L->reopen = rl_strdup(dsname);
        L->attrs_pending = 1;
    } else {
        decode_text(L);
    }
    *out = L;
    L = NULL;

cleanup:
    if (rd)
        GEOSWKBReader_destroy_r(ctx->geos, rd);
    if (ds)
        GDALClose(ds);
    CSLDestroy(open_opts);
    if (mem_shp) {
        CPLSetThreadLocalConfigOption("SHAPE_RESTORE_SHX", NULL);
        char *slash = strrchr(mem_shp, '/');
        *slash = '\0';
        VSIRmdirRecursive(mem_shp);
        free(mem_shp);
    }
    rl_layer_free(ctx, L);
    free(lname);
    free(dsname);
    CPLPopErrorHandler();
    return st;
}

void rl_layer_free(rl_ctx *ctx, rl_layer *L)
{
    if (!L)
        return;
    for (size_t i = 0; i < L->n; i++) {
        if (L->feat[i].geom)
            GEOSGeom_destroy_r(ctx->geos, L->feat[i].geom);
        rl_ringidx_free(L->feat[i].ridx);
        free(L->feat[i].wkb);
        free(L->feat[i].invalid_why);
        if (L->feat[i].attrs) {
            for (int j = 0; j < L->nfields; j++)
                free(L->feat[i].attrs[j]);
            free(L->feat[i].attrs);
        }
    }
    free(L->feat);
    if (L->fields)
        for (int j = 0; j < L->nfields; j++)
            free(L->fields[j]);
    free(L->fields);
    rl_crs_free(L->crs);
    free(L->path);
    free(L->layer_name);
    free(L->unreadable_msg);
    free(L->domain_desc);
    free(L->encoding);
    free(L->reopen);
    free(L->forced_encoding);
    rl_strlist_free(&L->warnings);
    free(L);
}

const GEOSGeometry *rl_feature_prepare(rl_ctx *ctx, rl_layer *L, size_t i)
{
    rl_feature *ft = &L->feat[i];
    if (!ft->wkb)
        return ft->geom; /* converted at read time, or by an earlier phase */
    rl_feat_status fs = RL_FEAT_OK;
    int repaired = 0;
    if (!ctx->wkb_reader)
        ctx->wkb_reader = GEOSWKBReader_create_r(ctx->geos);
    GEOSGeometry *g = ctx->wkb_reader
                          ? GEOSWKBReader_read_r(ctx->geos, ctx->wkb_reader, ft->wkb, ft->wkb_len)
                          : NULL;
    free(ft->wkb);
    ft->wkb = NULL;
    if (g)
        g = rl_repair(ctx, g, &repaired, &fs, &ft->invalid_why);
    else
        fs = RL_FEAT_BAD;
    /* Later phases read it from several threads at once. */
    rl_geom_freeze(ctx, g);
    ft->geom = g;
    /* Big polygons get a ring index (NULL when short of memory: unused). */
    if (g && GEOSGetNumCoordinates_r(ctx->geos, g) >= RL_RINGIDX_MIN_VERTICES)
        ft->ridx = rl_ringidx_new(ctx, g);
    ft->status = fs;
    ft->repaired = repaired;
    return g;
}

void rl_layer_recount(rl_layer *L)
{
    L->repaired = L->bad = 0;
    for (size_t i = 0; i < L->n; i++) {
        L->repaired += L->feat[i].repaired != 0;
        L->bad += L->feat[i].status != RL_FEAT_OK;
    }
}

rl_status rl_layer_fetch_attrs(rl_ctx *ctx, rl_layer *L, const size_t *idx, size_t n)
{
    if (!L->attrs_pending)
        return RL_OK;
    rl_status st = RL_OK;
    char **open_opts = NULL;
    int txn = 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    if (L->raw_text)
        open_opts = CSLSetNameValue(open_opts, "ENCODING", "");
    GDALDatasetH ds = GDALOpenEx(L->reopen, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                                 (const char *const *)open_opts, NULL);
    OGRLayerH lyr = ds ? GDALDatasetGetLayerByName(ds, L->layer_name) : NULL;
    if (!lyr) {
        st = rl_fail(ctx, RL_ERR_INPUT, "%s: cannot open it again for attributes", L->path);
        goto done;
    }
    /* Geometry blobs are not needed again: a GeoPackage skips the column. */
    static const char *const no_geom[] = {"OGR_GEOMETRY", "OGR_STYLE", NULL};
    OGR_L_SetIgnoredFields(lyr, (const char **)no_geom);
    /*
     * One read transaction around the lookups: SQLite-based drivers would
     * otherwise take and drop a file lock (several syscalls) per feature.
     * Nothing is written; the transaction is rolled back.
     */
    txn = GDALDatasetTestCapability(ds, ODsCTransactions) &&
              GDALDatasetStartTransaction(ds, FALSE) == OGRERR_NONE;
    for (size_t k = 0; k < n; k++) {
        rl_feature *ft = &L->feat[idx[k]];
        if (ft->attrs)
            continue;
        OGRFeatureH f = OGR_L_GetFeature(lyr, ft->fid);
        ft->attrs = calloc((size_t)L->nfields, sizeof(char *));
        if (!ft->attrs) {
            OGR_F_Destroy(f);
            st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (int j = 0; f && j < L->nfields && j < OGR_F_GetFieldCount(f); j++)
            if (OGR_F_IsFieldSetAndNotNull(f, j))
                ft->attrs[j] = rl_strdup(OGR_F_GetFieldAsString(f, j));
        OGR_F_Destroy(f);
    }
    L->attrs_pending = 0;
    decode_text(L);
done:
    if (txn)
        GDALDatasetRollbackTransaction(ds);
    if (ds)
        GDALClose(ds);
    CSLDestroy(open_opts);
    CPLPopErrorHandler();
    return st;
}

int rl_layer_field_index(const rl_layer *L, const char *name)
{
    for (int j = 0; j < L->nfields; j++)
        if (strcmp(L->fields[j], name) == 0)
            return j;
    for (int j = 0; j < L->nfields; j++)
        if (strcasecmp(L->fields[j], name) == 0)
            return j;
    return -1;
}

/*
 * Edit distance (insert, delete, substitute: 1 each) between a and b, ASCII
 * case ignored, capped at RL_HINT_FAR: field names are short and only near
 * names are worth suggesting.
 */
#define RL_HINT_FAR 99
static int name_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return RL_HINT_FAR;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            int best = diag + !same;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *rl_layer_field_nearest(const rl_layer *L, const char *name)
{
    /* The closest name: a near miss of a few letters, never a wild guess. */
    int best = -1, bestd = RL_HINT_FAR;
    size_t ln = strlen(name);
    for (int j = 0; L && j < L->nfields; j++) {
        int d = name_distance(name, L->fields[j]);
        if (d < bestd)
            best = j, bestd = d;
    }
    return best >= 0 && bestd <= (ln <= 4 ? 1 : ln <= 8 ? 2 : 3) ? L->fields[best] : NULL;
}

const char *rl_layer_field_hint(const rl_layer *L, const char *name, char *buf, size_t n)
{
    if (!n)
        return buf;
    buf[0] = '\0';
    if (!L || L->nfields == 0) {
        snprintf(buf, n, " (the layer has no fields)");
        return buf;
    }
    const char *near = rl_layer_field_nearest(L, name);
    size_t used = 0;
    int w = near ? snprintf(buf, n, "; did you mean '%s'? (fields: ", near)
                 : snprintf(buf, n, " (fields: ");
    used = w < 0 ? 0 : (size_t)w < n ? (size_t)w : n - 1;
    /* Every field, as the layer orders them; a long list ends in "...". */
    for (int j = 0; j < L->nfields && used + 1 < n; j++) {
        const char *sep = j ? ", " : "";
        size_t need = strlen(sep) + strlen(L->fields[j]);
        if (used + need + 8 >= n) {
            w = snprintf(buf + used, n - used, "%s...", sep);
            used += w < 0 ? 0 : (size_t)w;
            break;
        }
        w = snprintf(buf + used, n - used, "%s%s", sep, L->fields[j]);
        used += w < 0 ? 0 : (size_t)w;
    }
    if (used + 1 < n)
        snprintf(buf + used, n - used, ")");
    else if (n > 2)
        buf[n - 2] = ')';
    return buf;
}

const char *rl_feature_why(const rl_layer *L, size_t i, char *buf, size_t n)
{
    const rl_feature *ft = &L->feat[i];
    if (ft->status == RL_FEAT_OUTSIDE_CRS && L->domain_desc)
        snprintf(buf, n, "coordinates far outside the area of use of the layer's CRS: "
                 "extent %.10g,%.10g - %.10g,%.10g is not within %s (wrong .prj, wrong "
                 "units, or a broken vertex?)",
                 ft->env[0], ft->env[1], ft->env[2], ft->env[3], L->domain_desc);
    else
        snprintf(buf, n, "%s", rl_feat_status_text(ft->status));
    return buf;
}

rl_status rl_layer_require_polygons(rl_ctx *ctx, rl_layer *L, const char *what,
                                    int allow_empty)
{
    size_t nfeat = L->n + L->nfar, nnull = 0, nother = 0, nbroken = 0;
    for (size_t i = 0; i < L->n; i++) {
        rl_feat_status st = L->feat[i].status;
        nnull += st == RL_FEAT_NULL || st == RL_FEAT_EMPTY;
        nother += st == RL_FEAT_NOT_POLYGON;
        nbroken += st == RL_FEAT_COLLAPSED || st == RL_FEAT_BAD;
    }
    /*
     * Polygons that were all repaired to nothing (read and repaired now, not
     * deferred: their status is final) measure 0 as surely as no polygon.
     */
    if (nbroken && nbroken == nfeat - nnull - nother)
        return rl_fail(ctx, RL_ERR_INPUT,
                       "%s: layer '%s' holds no usable polygon (%zu polygon%s with no area "
                       "after repair or unreadable by GEOS, %zu point or line feature%s, "
                       "%zu without geometry), but %s must hold polygons",
                       L->path, L->layer_name, nbroken, nbroken == 1 ? "" : "s", nother,
                       nother == 1 ? "" : "s", nnull, what);
    if (nnull + nother < nfeat)
        return RL_OK; /* a polygon, or a feature that may be one */
    if (nother == 0) {
        if (allow_empty) {
            L->empty_accepted = 1;
            return RL_OK;
        }
        if (nfeat == 0)
            return rl_fail(ctx, RL_ERR_INPUT,
                           "%s: layer '%s' is empty (no features), but %s must hold "
                           "polygons; give --allow-empty to accept an empty layer",
                           L->path, L->layer_name, what);
        return rl_fail(ctx, RL_ERR_INPUT,
                       "%s: layer '%s' has %zu feature%s but no geometry (all null or "
                       "empty), but %s must hold polygons; give --allow-empty to accept "
                       "an empty layer",
                       L->path, L->layer_name, nfeat, nfeat == 1 ? "" : "s", what);
    }
    return rl_fail(ctx, RL_ERR_INPUT,
                   "%s: layer '%s' holds no polygons (%zu point or line feature%s, %zu "
                   "without geometry), but %s must be polygons",
                   L->path, L->layer_name, nother, nother == 1 ? "" : "s", nnull, what);
}

size_t rl_layer_untrusted(const rl_layer *L)
{
    size_t k = 0;
    for (size_t i = 0; L && i < L->n; i++)
        k += rl_feat_untrusted(L->feat[i].status);
    return k;
}

rl_status rl_layer_check_untrusted(rl_ctx *ctx, const rl_layer *L, int skip,
                                   const char *skip_opt)
{
    size_t k = rl_layer_untrusted(L), first = 0;
    if (!k || skip)
        return RL_OK;
    rl_buf fids = {0};
    size_t listed = 0;
    for (size_t i = L->n; i-- > 0;)
        if (rl_feat_untrusted(L->feat[i].status))
            first = i;
    for (size_t i = 0; i < L->n && listed <= 10; i++) {
        if (!rl_feat_untrusted(L->feat[i].status))
            continue;
        if (listed++ == 10)
            rl_buf_puts(&fids, ", ...");
        else
            rl_buf_printf(&fids, "%s%lld", listed > 1 ? ", " : "", L->feat[i].fid);
    }
    char why[1024];
    rl_feature_why(L, first, why, sizeof why);
    rl_status st = rl_fail(ctx, RL_ERR_INPUT,
                           "%s: FID %lld: %s; %zu feature%s of layer '%s' cannot be used "
                           "(FID %s), so no answer built on it can be trusted: fix the "
                           "layer, or give %s to go on without %s (the verdicts are then "
                           "provisional)",
                           L->path, L->feat[first].fid, why, k, k == 1 ? "" : "s",
                           L->layer_name, fids.s ? fids.s : "", skip_opt,
                           k == 1 ? "it" : "them");
    rl_buf_free(&fids);
    return st;
}

typedef struct fid_ord {
    long long fid;
    size_t i;
} fid_ord;

static int cmp_fid_ord(const void *a, const void *b)
{
    const fid_ord *x = a, *y = b;
    if (x->fid != y->fid)
        return x->fid < y->fid ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

int rl_layer_sort_fid(rl_layer *L)
{
    size_t i = 1;
    while (i < L->n && L->feat[i - 1].fid <= L->feat[i].fid)
        i++;
    if (i >= L->n)
        return 0;
    fid_ord *o = malloc(L->n * sizeof *o);
    rl_feature *nf = malloc(L->n * sizeof *nf);
    if (!o || !nf) {
        free(o);
        free(nf);
        return -1;
    }
    for (i = 0; i < L->n; i++)
        o[i] = (fid_ord){L->feat[i].fid, i};
    qsort(o, L->n, sizeof *o, cmp_fid_ord);
    for (i = 0; i < L->n; i++)
        nf[i] = L->feat[o[i].i];
    free(L->feat);
    L->feat = nf;
    free(o);
    return 0;
}
