/* out_vector.c -- write GEOS polygons with attributes through OGR (--pieces). */
#include "report/report.h"

#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct rl_vec_writer {
    GDALDatasetH ds;
    OGRLayerH lyr;
    int nfields;
    const rl_vec_field *fields;
    GEOSWKBWriter *wkb;
    char *path;        /* the output's name */
    char tmp[4096];    /* where it is written until rl_vec_writer_close */
    GDALDriverH drv;
    int shp;
    int slot;          /* rl_temp_register() slot of tmp */
    /*
     * PG: the table redline_pieces in the sink's transaction (out_pg.c):
     * the dataset is the sink's, each field's index in the table, and the
     * run id and shard every row carries.
     */
    int pg;
    int *idx;
    int run_idx, shard_idx;
    const char *run_id;
    int shard;
};

/* Column i of the writer's layer for field i of its caller. */
static int col(const rl_vec_writer *w, int i) { return w->idx ? w->idx[i] : i; }

/* The field of layer l named name, created with type t when missing; -1 on failure. */
static int pg_field(OGRLayerH l, const char *name, OGRFieldType t)
{
    int k = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), name);
    if (k >= 0)
        return k;
    OGRFieldDefnH fd = OGR_Fld_Create(name, t);
    OGRErr e = OGR_L_CreateField(l, fd, TRUE);
    OGR_Fld_Destroy(fd);
    return e == OGRERR_NONE ? OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), name) : -1;
}

/*
 * --pieces PG:: the rows go into redline_pieces (created on first use,
 * with the columns run_id and shard first) in the transaction of the sink
 * that report.c opened; columns a later command needs are added.
 */
static rl_vec_writer *pg_writer_new(rl_ctx *ctx, const char *path, const rl_crs *crs,
                                    const rl_vec_field *fields, int nfields)
{
    rl_pg_sink *sink = ctx->pg_sink;
    if (!sink) {
        rl_fail(ctx, RL_ERR_INTERNAL, "%s: no PostgreSQL connection is open", path);
        return NULL;
    }
    rl_vec_writer *w = calloc(1, sizeof *w);
    char **lco = NULL;
    if (!w || !(w->idx = calloc((size_t)nfields + 1, sizeof *w->idx)) ||
        !(w->path = rl_strdup(path))) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    w->pg = 1;
    w->slot = -1;
    w->fields = fields;
    w->nfields = nfields;
    w->ds = rl_pg_sink_dataset(sink, &w->run_id, &w->shard);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    w->lyr = GDALDatasetGetLayerByName(w->ds, "redline_pieces");
    if (!w->lyr) {
        lco = CSLSetNameValue(lco, "GEOMETRY_NAME", "geom");
        lco = CSLSetNameValue(lco, "FID", "gid");
        CPLErrorReset();
        w->lyr = GDALDatasetCreateLayer(w->ds, "redline_pieces", crs ? crs->srs : NULL,
                                        wkbMultiPolygon, lco);
    }
    w->run_idx = w->lyr ? pg_field(w->lyr, "run_id", OFTString) : -1;
    w->shard_idx = w->lyr ? pg_field(w->lyr, "shard", OFTInteger) : -1;
    for (int i = 0; i < nfields && w->shard_idx >= 0; i++)
        if ((w->idx[i] = pg_field(w->lyr, fields[i].name,
                                  fields[i].type == RL_VF_REAL  ? OFTReal
                                  : fields[i].type == RL_VF_INT ? OFTInteger64
                                                                : OFTString)) < 0)
            w->shard_idx = -1;
    CPLPopErrorHandler();
    if (!w->lyr || w->run_idx < 0 || w->shard_idx < 0) {
        rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot make the table redline_pieces: %s",
                rl_pg_sink_conn(sink), CPLGetLastErrorMsg());
        goto fail;
    }
    w->wkb = GEOSWKBWriter_create_r(ctx->geos);
    CSLDestroy(lco);
    return w;
fail:
    CSLDestroy(lco);
    if (w) {
        free(w->idx);
        free(w->path);
        free(w);
    }
    return NULL;
}

rl_vec_writer *rl_vec_writer_new(rl_ctx *ctx, const char *path,
                                 const rl_crs *crs, const rl_vec_field *fields,
                                 int nfields)
{
    rl_vec_writer *w = NULL;
    char **lco = NULL;
    if (rl_is_pg(path))
        return pg_writer_new(ctx, path, crs, fields, nfields);
    const char *drvname = rl_vec_driver_for(path);
    if (!drvname) {
        rl_fail(ctx, RL_ERR_USAGE,
                "%s: cannot tell the format; use .gpkg, .geojson or .shp", path);
        return NULL;
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDriverH drv = GDALGetDriverByName(drvname);
    w = calloc(1, sizeof *w);
    if (w)
        w->slot = -1;
    if (!drv || !w) {
        rl_fail(ctx, RL_ERR_OUTPUT, "%s: driver %s is not available", path, drvname);
        goto fail;
    }
    w->path = rl_strdup(path);
    w->fields = fields;
    w->nfields = nfields;
    w->drv = drv;
    w->shp = strcmp(drvname, "ESRI Shapefile") == 0;
    /*
     * Written beside the output under a temporary name with the same
     * extension, renamed into place only when whole: the previous file
     * survives a failed or interrupted run.
     */
    const char *dot = strrchr(path, '.');
    if (!w->path || !rl_output_temp_name(path, dot, w->tmp, sizeof w->tmp)) {
        rl_fail(ctx, RL_ERR_OUTPUT, "%s: name too long", path);
        goto fail;
    }
    w->slot = rl_temp_register(w->tmp);
    w->ds = GDALCreate(drv, w->tmp, 0, 0, 0, GDT_Unknown, NULL);
    if (!w->ds) {
        rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot create: %s", path,
                CPLGetLastErrorMsg());
        goto fail;
    }
    if (strcmp(drvname, "ESRI Shapefile") == 0)
        lco = CSLSetNameValue(lco, "ENCODING", "UTF-8");
    w->lyr = GDALDatasetCreateLayer(w->ds, "pieces", crs ? crs->srs : NULL,
                                    wkbMultiPolygon, lco);
    if (!w->lyr) {
        rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot create a layer: %s", path,
                CPLGetLastErrorMsg());
        goto fail;
    }
    for (int i = 0; i < nfields; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name,
                                          fields[i].type == RL_VF_REAL  ? OFTReal
                                          : fields[i].type == RL_VF_INT ? OFTInteger64
                                                                        : OFTString);
        OGRErr e = OGR_L_CreateField(w->lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE) {
            rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot create field %s", path,
                    fields[i].name);
            goto fail;
        }
    }
    w->wkb = GEOSWKBWriter_create_r(ctx->geos);
    /* One transaction: GeoPackage is slow row by row. */
    GDALDatasetStartTransaction(w->ds, FALSE);
    CSLDestroy(lco);
    CPLPopErrorHandler();
    return w;
fail:
    CSLDestroy(lco);
    if (w) {
        if (w->ds) {
            GDALClose(w->ds);
            GDALDeleteDataset(drv, w->tmp);
        }
        rl_temp_release(w->slot);
        free(w->path);
        free(w);
    }
    CPLPopErrorHandler();
    return NULL;
}

rl_status rl_vec_writer_add(rl_ctx *ctx, rl_vec_writer *w,
                            const GEOSGeometry *g, const void *const *values)
{
    size_t n = 0;
    rl_status st = RL_OK;
    unsigned char *wkb = GEOSWKBWriter_write_r(ctx->geos, w->wkb, g, &n);
    OGRGeometryH og = NULL;
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(w->lyr));
    if (!wkb || OGR_G_CreateFromWkb(wkb, NULL, &og, (int)n) != OGRERR_NONE) {
        st = rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot convert a geometry", w->path);
        goto done;
    }
    og = OGR_G_ForceToMultiPolygon(og);
    OGR_F_SetGeometryDirectly(f, og);
    if (w->pg) {
        OGR_F_SetFieldString(f, w->run_idx, w->run_id);
        OGR_F_SetFieldInteger(f, w->shard_idx, w->shard);
    }
    for (int i = 0; i < w->nfields; i++) {
        if (!values[i])
            continue;
        if (w->fields[i].type == RL_VF_REAL)
            OGR_F_SetFieldDouble(f, col(w, i), *(const double *)values[i]);
        else if (w->fields[i].type == RL_VF_INT)
            OGR_F_SetFieldInteger64(f, col(w, i), *(const int64_t *)values[i]);
        else if (w->shp && strlen(values[i]) > RL_SHP_TEXT_MAX) {
            /* GDAL would cut at 254 bytes, inside a character perhaps. */
            char cut[RL_SHP_TEXT_MAX + 1];
            size_t n = rl_utf8_boundary(values[i], RL_SHP_TEXT_MAX);
            memcpy(cut, values[i], n);
            cut[n] = '\0';
            OGR_F_SetFieldString(f, col(w, i), cut);
        } else {
            OGR_F_SetFieldString(f, col(w, i), (const char *)values[i]);
        }
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    if (OGR_L_CreateFeature(w->lyr, f) != OGRERR_NONE)
        st = rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot write a feature: %s",
                     w->path, CPLGetLastErrorMsg());
    CPLPopErrorHandler();
done:
    OGR_F_Destroy(f);
    GEOSFree_r(ctx->geos, wkb);
    return st;
}

/* Rename the temporary dataset over w->path (a shapefile: file by file). */
static int move_into_place(rl_vec_writer *w)
{
    if (!w->shp)
        return rename(w->tmp, w->path) == 0;
    static const char *const side[] = {"shp", "shx", "dbf", "prj", "cpg", "qix", "sbn", "sbx"};
    size_t lt = strlen(w->tmp), lp = strlen(w->path);
    char from[4096 + 8], to[4096 + 8];
    for (size_t i = 0; i < sizeof side / sizeof *side; i++) {
        snprintf(from, sizeof from, "%.*s%s", (int)(lt - 3), w->tmp, side[i]);
        snprintf(to, sizeof to, "%.*s%s", (int)(lp - 3), w->path, side[i]);
        VSIStatBufL sb;
        if (VSIStatL(from, &sb) == 0) {
            if (rename(from, to) != 0)
                return 0;
        } else {
            unlink(to); /* a stale sidecar of the previous output */
        }
    }
    return 1;
}

rl_status rl_vec_writer_close(rl_ctx *ctx, rl_vec_writer *w, rl_status st)
{
    if (!w)
        return st;
    if (w->pg) { /* the sink commits, or rolls back, everything at once */
        if (w->wkb)
            GEOSWKBWriter_destroy_r(ctx->geos, w->wkb);
        free(w->idx);
        free(w->path);
        free(w);
        return st;
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALDatasetCommitTransaction(w->ds);
    GDALClose(w->ds);
    if (!st && CPLGetLastErrorType() == CE_Failure)
        st = rl_fail(ctx, RL_ERR_OUTPUT, "%s: %s", w->path, CPLGetLastErrorMsg());
    if (!st && !move_into_place(w))
        st = rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot write: %s", w->path, strerror(errno));
    if (st)
        GDALDeleteDataset(w->drv, w->tmp);
    rl_temp_release(w->slot);
    CPLPopErrorHandler();
    if (w->wkb)
        GEOSWKBWriter_destroy_r(ctx->geos, w->wkb);
    free(w->path);
    free(w);
    return st;
}
