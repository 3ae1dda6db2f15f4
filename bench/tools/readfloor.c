/* The "read floor": the least work any tool must do on the inputs, i.e. open every dataset
 * with OGR and read every feature's geometry (GetGeometryRef + ExportToWkb), nothing else.
 *
 *   cc -O2 -o readfloor readfloor.c $(gdal-config --cflags) $(gdal-config --libs)
 *   readfloor DATASET...        prints "features vertices-bytes" per dataset and in total
 */
#include <stdio.h>
#include <stdlib.h>
#include <ogr_api.h>
#include <gdal.h>

int main(int argc, char **argv)
{
    GDALAllRegister();
    long long total_f = 0, total_b = 0;
    unsigned char *buf = NULL;
    size_t cap = 0;
    for (int a = 1; a < argc; a++) {
        GDALDatasetH ds = GDALOpenEx(argv[a], GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
        if (!ds) { fprintf(stderr, "readfloor: cannot open %s\n", argv[a]); return 2; }
        long long nf = 0, nb = 0;
        for (int l = 0; l < GDALDatasetGetLayerCount(ds); l++) {
            OGRLayerH lyr = GDALDatasetGetLayer(ds, l);
            OGR_L_ResetReading(lyr);
            OGRFeatureH f;
            while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
                OGRGeometryH g = OGR_F_GetGeometryRef(f);
                if (g) {
                    size_t n = (size_t)OGR_G_WkbSize(g);
                    if (n > cap) { cap = n * 2; buf = realloc(buf, cap); if (!buf) return 3; }
                    OGR_G_ExportToWkb(g, wkbNDR, buf);
                    nb += (long long)n;
                }
                nf++;
                OGR_F_Destroy(f);
            }
        }
        GDALClose(ds);
        printf("%s\t%lld features\t%lld WKB bytes\n", argv[a], nf, nb);
        total_f += nf; total_b += nb;
    }
    printf("total\t%lld features\t%lld WKB bytes\n", total_f, total_b);
    free(buf);
    return 0;
}
