/* out_vector.c -- write GEOS polygons with attributes through OGR (--pieces). */
#include "report/report.h"

#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct rl_vec_writer {
    GDALDatasetH ds;
    OGRLayerH lyr;
    int nfields;
    const rl_vec_field *fields;
    GEOSWKBWriter *wkb;
    char *path;
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
    if (!drv || !w) {
        rl_fail(ctx, RL_ERR_OUTPUT, "%s: driver %s is not available", path, drvname);
        goto fail;
    }
    w->path = rl_strdup(path);
    w->fields = fields;
    w->nfields = nfields;
    VSIStatBufL sb;
    if (VSIStatL(path, &sb) == 0)
        GDALDeleteDataset(drv, path); /* -o semantics: replace the output */
    w->ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
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
        if (w->ds)
            GDALClose(w->ds);
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
        else
            OGR_F_SetFieldString(f, i, (const char *)values[i]);
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

rl_status rl_vec_writer_close(rl_ctx *ctx, rl_vec_writer *w)
{
    rl_status st = RL_OK;
    if (!w)
        return RL_OK;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALDatasetCommitTransaction(w->ds);
    GDALClose(w->ds);
    if (CPLGetLastErrorType() == CE_Failure)
        st = rl_fail(ctx, RL_ERR_OUTPUT, "%s: %s", w->path, CPLGetLastErrorMsg());
    CPLPopErrorHandler();
    if (w->wkb)
        GEOSWKBWriter_destroy_r(ctx->geos, w->wkb);
    free(w->path);
    free(w);
    return st;
}
