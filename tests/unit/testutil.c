#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];

static void cleanup(void)
{
    char cmd[300];
    if (tmpdir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
    }
}

const char *tu_tmpdir(void)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/rltest.XXXXXX");
        if (!mkdtemp(tmpdir))
            abort();
        atexit(cleanup);
    }
    return tmpdir;
}

rl_ctx *tu_ctx;

int tu_ctx_setup(void **state)
{
    (void)state;
    tu_ctx = rl_ctx_new();
    return tu_ctx ? 0 : -1;
}

int tu_ctx_teardown(void **state)
{
    (void)state;
    rl_ctx_free(tu_ctx);
    tu_ctx = NULL;
    return 0;
}

const char *tu_path(const char *name)
{
    static char ring[8][512];
    static int k;
    char *p = ring[k++ % 8];
    snprintf(p, 512, "%s/%s", tu_tmpdir(), name);
    return p;
}

const char *tu_write(const char *name, const char *text)
{
    const char *p = tu_path(name);
    FILE *f = fopen(p, "wb");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
    return p;
}

GEOSGeometry *tu_wkt(rl_ctx *ctx, const char *wkt)
{
    GEOSWKTReader *r = GEOSWKTReader_create_r(ctx->geos);
    GEOSGeometry *g = GEOSWKTReader_read_r(ctx->geos, r, wkt);
    GEOSWKTReader_destroy_r(ctx->geos, r);
    return g;
}

char *tu_geojson(int epsg, const char *const *features, size_t n)
{
    rl_buf b = {0};
    rl_buf_printf(&b,
                  "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\","
                  "\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::%d\"}},"
                  "\"features\":[",
                  epsg);
    for (size_t i = 0; i < n; i++)
        rl_buf_printf(&b, "%s{\"type\":\"Feature\",%s}", i ? ",\n" : "\n",
                      features[i]);
    rl_buf_puts(&b, "]}\n");
    return b.s;
}
