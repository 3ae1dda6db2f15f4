/*
 * report.c -- the life of a report: new, write (to -o / --pieces), exit
 * code, free.  The command-specific parts come through the command's
 * rl_report_ops, so this module names no command and no command names
 * another to free or write a report.
 */
#include "report/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

rl_report *rl_report_new(rl_ctx *ctx, const rl_report_ops *ops,
                         const rl_common_opts *opts)
{
    /* A command's errors are its own: an old message must not look like one. */
    rl_ctx_clear(ctx);
    rl_report *rep = calloc(1, sizeof *rep);
    void *data = calloc(1, ops->size);
    if (!rep || !data) {
        free(rep);
        free(data);
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    rep->ops = ops;
    rep->ctx = ctx;
    rep->opts = opts;
    rep->data = data;
    return rep;
}

/* The report rendered into a malloc'd string (its format: JSON for a sink); NULL on failure. */
static char *render(rl_ctx *ctx, const rl_report *rep)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    rl_status st = rep->ops->write(ctx, rep->data, m);
    if (fclose(m) != 0 && !st)
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    if (st) {
        free(text);
        return NULL;
    }
    return text;
}

/*
 * A report with a PG: sink: -o PG: stores the report and its rows, and
 * --pieces PG: its pieces, each connection in one transaction that is
 * committed only when everything for it was written.  With one connection
 * string for both, one transaction holds them all.  Anything else (a file
 * report beside PG: pieces) is written as usual.
 */
static rl_status write_to_sinks(rl_ctx *ctx, const rl_report *rep, FILE *fallback)
{
    const rl_common_opts *c = rep->opts;
    int pg_out = rl_is_pg(c->out_path);
    int pg_pieces = rep->ops->write_pieces && rl_is_pg(c->pieces_path);
    int shared = pg_out && pg_pieces && strcmp(c->out_path, c->pieces_path) == 0;
    rl_pg_sink *sink = NULL, *side = NULL;
    char *json = NULL;
    rl_status st = RL_OK;
    if (pg_out) {
        /* rl_fail left the reason in ctx when these return NULL. */
        if (!(json = render(ctx, rep)) ||
            !(sink = rl_pg_sink_open(ctx, c->out_path, c->run_id, c->shard_index, 1))) {
            st = ctx->status ? ctx->status : RL_ERR_OUTPUT;
            goto exit;
        }
        if ((st = rl_pg_sink_report(ctx, sink, c, json)))
            goto exit;
    } else {
        /* The report goes where it always goes, the pieces below. */
        rl_common_opts plain = *c;
        rl_report r2 = *rep;
        plain.pieces_path = NULL;
        r2.opts = &plain;
        if ((st = rl_report_write(ctx, &r2, fallback)))
            goto exit;
    }
    if (c->pieces_path && rep->ops->write_pieces) {
        if (pg_pieces && !shared &&
            !(side = rl_pg_sink_open(ctx, c->pieces_path, c->run_id, c->shard_index, 0))) {
            st = ctx->status ? ctx->status : RL_ERR_OUTPUT;
            goto exit;
        }
        ctx->pg_sink = shared ? sink : side;
        st = rep->ops->write_pieces(ctx, rep->data, c->pieces_path);
        ctx->pg_sink = NULL;
        if (st)
            goto exit;
    }
    /* The pieces' own connection first: the report's commit says the run is whole. */
    if (side && (st = rl_pg_sink_commit(ctx, side)))
        goto exit;
    if (sink)
        st = rl_pg_sink_commit(ctx, sink);
exit:
    rl_pg_sink_free(side);
    rl_pg_sink_free(sink);
    free(json);
    return st;
}

rl_status rl_report_write(rl_ctx *ctx, const rl_report *rep, FILE *fallback)
{
    if (!rep)
        return rl_fail(ctx, RL_ERR_INTERNAL, "no report to write");
    const rl_common_opts *c = rep->opts;
    if (rl_is_pg(c->out_path) || rl_is_pg(c->pieces_path))
        return write_to_sinks(ctx, rep, fallback);
    rl_status st = RL_OK;
    rl_output out = {0};
    FILE *f = fallback;
    if (c->out_path) {
        if (!(f = rl_output_open(ctx, &out, c->out_path)))
            return ctx->status;
        st = rep->ops->write(ctx, rep->data, f);
        if (st == RL_ERR_OUTPUT) { /* name the file the message is about */
            char why[RL_ERRMSG_MAX];
            snprintf(why, sizeof why, "%s", ctx->msg);
            st = rl_fail(ctx, st, "%s: %s", c->out_path, why);
        }
        st = rl_output_commit(ctx, &out, st);
    } else {
        st = rep->ops->write(ctx, rep->data, f);
        if (fflush(f) != 0 && !st)
            st = rl_fail(ctx, RL_ERR_OUTPUT, "cannot write the report: %s", strerror(errno));
    }
    /* A shard's pieces are in its part: merge writes the --pieces file. */
    if (st || !c->pieces_path || !rep->ops->write_pieces || c->shard_count)
        return st;
    return rep->ops->write_pieces(ctx, rep->data, c->pieces_path);
}

void rl_part_head(rl_buf *b, const char *command, const rl_common_opts *c)
{
    rl_buf_puts(b, "{\"redline_part\": 1, \"tool\": \"redline\", \"version\": ");
    rl_buf_json_str(b, RL_VERSION);
    rl_buf_puts(b, ", \"command\": ");
    rl_buf_json_str(b, command);
    rl_buf_printf(b, ",\n \"part\": {\"shard\": %d, \"of\": %d, \"fingerprint\": \"%s\"},\n"
                     " \"args\": [", c->shard_index, c->shard_count, c->fingerprint);
    for (int i = 0; i < c->nshard_args; i++) {
        rl_buf_puts(b, i ? ", " : "");
        rl_buf_part_str(b, c->shard_args[i]);
    }
    rl_buf_puts(b, "]");
}

rl_status rl_part_write(rl_ctx *ctx, rl_buf *b, FILE *f)
{
    rl_buf_puts(b, "\n}\n");
    if (b->oom)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    if (fwrite(b->s, 1, b->len, f) != b->len)
        return rl_fail(ctx, RL_ERR_OUTPUT, "cannot write the part: %s", strerror(errno));
    return RL_OK;
}

int rl_report_exit_code(const rl_report *rep)
{
    /* No report means the run failed: that is status 2 by the contract. */
    if (!rep)
        return 2;
    return rep->ops->exit_code(rep->data);
}

void rl_warn_shp_text(rl_strlist *w, const char *path, const char *field,
                      const char *const *values, size_t n)
{
    const char *drv = path ? rl_vec_driver_for(path) : NULL;
    if (!drv || strcmp(drv, "ESRI Shapefile") != 0)
        return;
    size_t cut = 0;
    for (size_t i = 0; i < n; i++)
        cut += values[i] && strlen(values[i]) > RL_SHP_TEXT_MAX;
    if (!cut)
        return;
    char msg[RL_ERRMSG_MAX];
    rl_snprintf(msg, sizeof msg,
                "--pieces %s: %zu value%s of field %s %s longer than %d bytes, the most "
                "a shapefile text field holds, and %s cut there; write .gpkg or .geojson "
                "to keep %s whole", path, cut, cut == 1 ? "" : "s", field,
                cut == 1 ? "is" : "are", RL_SHP_TEXT_MAX, cut == 1 ? "is" : "are",
                cut == 1 ? "it" : "them");
    rl_strlist_add(w, msg);
}

void rl_warnings_add_layer(rl_strlist *w, const rl_layer *L)
{
    for (size_t i = 0; L && i < L->warnings.n; i++)
        rl_strlist_add(w, L->warnings.s[i]);
}

void rl_json_warnings(rl_buf *b, const rl_strlist *w)
{
    if (!w->n)
        return;
    rl_buf_puts(b, ",\n \"warnings\": [");
    for (size_t i = 0; i < w->n; i++) {
        rl_buf_puts(b, i ? ",\n  " : "\n  ");
        rl_buf_json_str(b, w->s[i]);
    }
    rl_buf_puts(b, "]");
}

size_t rl_report_warning_count(const rl_report *rep)
{
    const rl_strlist *w = rep && rep->ops->warnings ? rep->ops->warnings(rep->data) : NULL;
    return w ? w->n : 0;
}

const char *rl_report_warning(const rl_report *rep, size_t i)
{
    const rl_strlist *w = rep && rep->ops->warnings ? rep->ops->warnings(rep->data) : NULL;
    return w && i < w->n ? w->s[i] : NULL;
}

void rl_report_free(rl_report *rep)
{
    if (!rep)
        return;
    rep->ops->free(rep->ctx, rep->data);
    free(rep->data);
    free(rep);
}
