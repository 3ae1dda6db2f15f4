/* layer.c -- read a vector layer into GEOS geometries and UTF-8 text. */
#include "input/input.h"

#include <cpl_conv.h>
#include <ctype.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
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
 * Does the shapefile have a .cpg that names an encoding?  An empty .cpg, as
 * some tools write, says nothing.
 */
static int has_cpg(const char *shp)
{
    unsigned char buf[64];
    int got = read_sibling(shp, "cpg", buf, sizeof buf);
    for (int k = 0; k < got; k++)
        if (!isspace(buf[k]))
            return 1;
    return 0;
}

/* The DBF "language driver id" byte (offset 29); 0 means none. */
static int dbf_ldid(const char *shp)
{
    unsigned char hdr[32];
    return read_sibling(shp, "dbf", hdr, sizeof hdr) == (int)sizeof hdr ? hdr[29] : 0;
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

/* Recode s in place from `enc` to UTF-8 (returns a new string). */
static char *recode(const char *s, const char *enc)
{
    char *r = CPLRecode(s, enc, CPL_ENC_UTF8);
    char *out = rl_strdup(r);
    CPLFree(r);
    return out;
}

static void decode_text(rl_layer *L, const char *forced)
{
    const char *enc = forced;
    if (!enc) {
        int all_utf8 = 1;
        for (int j = 0; j < L->nfields && all_utf8; j++)
            all_utf8 = rl_is_utf8(L->fields[j]);
        for (size_t i = 0; i < L->n && all_utf8; i++)
            for (int j = 0; j < L->nfields && all_utf8; j++)
                if (L->feat[i].attrs && L->feat[i].attrs[j])
                    all_utf8 = rl_is_utf8(L->feat[i].attrs[j]);
        if (all_utf8) {
            /* ASCII or already UTF-8: nothing to recode. */
            L->encoding = rl_strdup("UTF-8 (no .cpg or code page; text is valid UTF-8)");
            return;
        }
        enc = "GBK";
        L->encoding_guessed = 1;
        L->encoding = rl_strdup("GBK (guessed: no .cpg or code page)");
    } else {
        char buf[128];
        snprintf(buf, sizeof buf, "%s (--encoding)", forced);
        L->encoding = rl_strdup(buf);
    }
    for (int j = 0; j < L->nfields; j++) {
        char *r = recode(L->fields[j], enc);
        free(L->fields[j]);
        L->fields[j] = r;
    }
    for (size_t i = 0; i < L->n; i++) {
        if (!L->feat[i].attrs)
            continue;
        for (int j = 0; j < L->nfields; j++) {
            char *s = L->feat[i].attrs[j];
            if (!s)
                continue;
            L->feat[i].attrs[j] = recode(s, enc);
            free(s);
        }
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
static GEOSGeometry *convert_geom(rl_ctx *ctx, GEOSWKBReader *rd, OGRGeometryH g,
                                  rl_feature *ft, int defer, const rl_envgrid *near,
                                  const rl_layer *L)
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
        if (defer) {
            /* Converted by rl_feature_prepare() in a later phase. */
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
    out = rl_repair(ctx, out, &ft->repaired, &st);
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
    L->path = rl_strdup(path);

    if (strncmp(dsname, "PG:", 3) != 0) {
        VSIStatBufL sb;
        if (VSIStatL(dsname, &sb) != 0) {
            st = rl_fail(ctx, RL_ERR_INPUT, "%s: no such file or directory",
                         path);
            goto cleanup;
        }
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
     * A shapefile with neither .cpg nor a DBF code page is read as raw bytes
     * and decoded below, because GDAL would assume ISO-8859-1 and turn GBK
     * text into mojibake.
     */
    if (ends_with_ci(dsname, ".shp") && !has_cpg(dsname) &&
        dbf_ldid(dsname) == 0) {
        raw_text = 1;
        open_opts = CSLSetNameValue(open_opts, "ENCODING", "");
    }
    ds = GDALOpenEx(dsname, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                    (const char *const *)open_opts, NULL);
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
        st = rl_fail(ctx, RL_ERR_CRS,
                     "%s: layer '%s' has no CRS (missing .prj?); give one with "
                     "--assume-srs, e.g. --assume-srs EPSG:4527",
                     path, L->layer_name);
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
            ft->geom = convert_geom(ctx, rd, OGR_F_StealGeometry(f), ft, defer, near, L);
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
        L->raw_text = raw_text;
        L->forced_encoding = rl_strdup(io->encoding);
        L->attrs_pending = 1;
    }
    if (raw_text) {
        if (!lazy)
            decode_text(L, io ? io->encoding : NULL);
    } else if (ends_with_ci(dsname, ".shp"))
        L->encoding = rl_strdup("from .cpg / DBF code page");
    else
        L->encoding = rl_strdup("UTF-8 (format's own)");
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
        g = rl_repair(ctx, g, &repaired, &fs);
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
    if (L->raw_text)
        decode_text(L, L->forced_encoding);
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
