/* ctx.c -- the per-thread context: GEOS handle, PROJ context, last error. */
#include "base/base.h"

#include <gdal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *rl_version(void) { return RL_VERSION; }

/* GEOS reports through a callback; keep the text so rl_fail can quote it. */
static void geos_msg_handler(const char *message, void *userdata)
{
    rl_ctx *ctx = userdata;
    rl_snprintf(ctx->geos_msg, sizeof ctx->geos_msg, "%s", message);
}

static void geos_notice_handler(const char *message, void *userdata)
{
    (void)message;
    (void)userdata;
}

rl_ctx *rl_ctx_new(void)
{
    rl_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->geos = GEOS_init_r();
    ctx->proj = proj_context_create();
    if (!ctx->geos || !ctx->proj) {
        rl_ctx_free(ctx);
        return NULL;
    }
    GEOSContext_setErrorMessageHandler_r(ctx->geos, geos_msg_handler, ctx);
    GEOSContext_setNoticeMessageHandler_r(ctx->geos, geos_notice_handler, ctx);
    proj_log_level(ctx->proj, PJ_LOG_NONE);
    GDALAllRegister();
    return ctx;
}

void rl_ctx_free(rl_ctx *ctx)
{
    if (!ctx)
        return;
    if (ctx->rings.free)
        ctx->rings.free(ctx->rings.p);
    free(ctx->coord_buf);
    free(ctx->clip_buf);
    rl_pj_cache *c = ctx->pjs;
    while (c) {
        rl_pj_cache *next = c->next;
        proj_destroy(c->pj);
        free(c->src);
        free(c->dst);
        free(c);
        c = next;
    }
    if (ctx->wkb_reader)
        GEOSWKBReader_destroy_r(ctx->geos, ctx->wkb_reader);
    if (ctx->proj)
        proj_context_destroy(ctx->proj);
    if (ctx->geos)
        GEOS_finish_r(ctx->geos);
    free(ctx);
}

const char *rl_ctx_errmsg(const rl_ctx *ctx) { return ctx ? ctx->msg : ""; }

rl_status rl_ctx_status(const rl_ctx *ctx) { return ctx ? ctx->status : RL_OK; }

void rl_ctx_clear(rl_ctx *ctx)
{
    ctx->status = RL_OK;
    ctx->msg[0] = '\0';
    ctx->geos_msg[0] = '\0';
}

rl_status rl_fail(rl_ctx *ctx, rl_status st, const char *fmt, ...)
{
    /* Format aside first: callers may pass ctx->msg as an argument. */
    char buf[RL_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    rl_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* GDAL's messages may end in a newline: a message is one line. */
    size_t len = strlen(buf);
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' '))
        buf[--len] = '\0';
    /*
     * Messages quote dataset names and data, and GDAL's own messages may
     * too: here, where every message passes, any password is masked, and
     * control characters and bytes that are not UTF-8 are written out
     * (\n, \x1b...), so that a message is one line of valid UTF-8 that
     * cannot drive a terminal.  Too long, it is cut at a character boundary.
     */
    rl_buf red = {0}, esc = {0};
    rl_buf_redacted(&red, buf);
    rl_buf_puts_esc(&esc, red.s);
    if (red.oom || esc.oom || !esc.s) {
        snprintf(ctx->msg, sizeof ctx->msg, "%s", red.oom || esc.oom ? "out of memory" : "");
    } else {
        size_t n = esc.len < sizeof ctx->msg ? esc.len
                                              : rl_utf8_boundary(esc.s, sizeof ctx->msg - 1);
        memcpy(ctx->msg, esc.s, n);
        ctx->msg[n] = '\0';
    }
    rl_buf_free(&red);
    rl_buf_free(&esc);
    ctx->status = st;
    return st;
}

PJ *rl_ctx_pj(rl_ctx *ctx, const char *src_def, const char *dst_def)
{
    for (rl_pj_cache *c = ctx->pjs; c; c = c->next)
        if (strcmp(c->src, src_def) == 0 && strcmp(c->dst, dst_def) == 0)
            return c->pj;
    PJ *raw = proj_create_crs_to_crs(ctx->proj, src_def, dst_def, NULL);
    if (!raw) {
        rl_fail(ctx, RL_ERR_CRS, "cannot build a coordinate transformation: %s",
                proj_context_errno_string(ctx->proj,
                                          proj_context_errno(ctx->proj)));
        return NULL;
    }
    PJ *pj = proj_normalize_for_visualization(ctx->proj, raw);
    proj_destroy(raw);
    rl_pj_cache *c = calloc(1, sizeof *c);
    if (!pj || !c) {
        proj_destroy(pj);
        free(c);
        rl_fail(ctx, RL_ERR_CRS, "cannot normalise a coordinate transformation");
        return NULL;
    }
    c->src = rl_strdup(src_def);
    c->dst = rl_strdup(dst_def);
    c->pj = pj;
    c->next = ctx->pjs;
    ctx->pjs = c;
    return pj;
}
