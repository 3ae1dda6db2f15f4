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
};

rl_vec_writer *rl_vec_writer_new(rl_ctx *ctx, const char *path,
                                 const rl_crs *crs, const rl_vec_field *fields,
                                 int nfields)
{
    rl_vec_writer *w = NULL;
    char **lco = NULL;
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
    for (int i = 0; i < w->nfields; i++) {
        if (!values[i])
            continue;
        if (w->fields[i].type == RL_VF_REAL)
            OGR_F_SetFieldDouble(f, i, *(const double *)values[i]);
        else if (w->fields[i].type == RL_VF_INT)
            OGR_F_SetFieldInteger64(f, i, *(const int64_t *)values[i]);
        else if (w->shp && strlen(values[i]) > RL_SHP_TEXT_MAX) {
            /* GDAL would cut at 254 bytes, inside a character perhaps. */
            char cut[RL_SHP_TEXT_MAX + 1];
            size_t n = rl_utf8_boundary(values[i], RL_SHP_TEXT_MAX);
            memcpy(cut, values[i], n);
            cut[n] = '\0';
            OGR_F_SetFieldString(f, i, cut);
        } else {
            OGR_F_SetFieldString(f, i, (const char *)values[i]);
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
