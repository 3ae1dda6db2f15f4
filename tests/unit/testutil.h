/* testutil.h -- fixtures and geometry helpers for the unit tests. */
#ifndef RL_TESTUTIL_H
#define RL_TESTUTIL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "command/command.h"

/* A fresh temporary directory (static storage; removed at exit). */
const char *tu_tmpdir(void);
/* Write text to tmpdir/name; returns the full path (static ring buffer). */
const char *tu_write(const char *name, const char *text);
/* Path tmpdir/name (static ring buffer). */
const char *tu_path(const char *name);
/* GEOS geometry from WKT, owned by caller. */
GEOSGeometry *tu_wkt(rl_ctx *ctx, const char *wkt);
/*
 * One context for a whole cmocka group:
 * cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown).
 */
extern rl_ctx *tu_ctx;
int tu_ctx_setup(void **state);
int tu_ctx_teardown(void **state);
/* GeoJSON FeatureCollection text with an EPSG crs member (malloc'd). */
char *tu_geojson(int epsg, const char *const *features, size_t n);

#define assert_rel(actual, expected, rel)                                     \
    do {                                                                      \
        double a_ = (actual), e_ = (expected);                                \
        double d_ = a_ - e_;                                                  \
        if (d_ < 0) d_ = -d_;                                                 \
        double s_ = e_ < 0 ? -e_ : e_;                                        \
        if (!(d_ <= (rel) * s_ || d_ <= 1e-9)) {                              \
            print_error("%s = %.12g, expected %.12g (rel %.3g)\n", #actual,   \
                        a_, e_, s_ > 0 ? d_ / s_ : d_);                       \
            fail();                                                           \
        }                                                                     \
    } while (0)
#endif
