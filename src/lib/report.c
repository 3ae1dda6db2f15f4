/* report.c -- route a report to its writer and to -o / --pieces. */
#include "rl_internal.h"

#include <errno.h>
#include <string.h>

rl_status rl_report_write(rl_ctx *ctx, const rl_report *rep, FILE *fallback)
{
    const rl_common_opts *c = NULL;
    switch (rep->cmd) {
    case RL_CMD_SCREEN: c = &rep->u.screen.opts->c; break;
    case RL_CMD_DIFF: c = &rep->u.diff.opts->c; break;
    case RL_CMD_AREA: c = &rep->u.area.opts->c; break;
    case RL_CMD_AUDIT: c = &rep->u.audit.opts->s->c; break;
    }
    FILE *f = fallback;
    if (c->out_path) {
        f = fopen(c->out_path, "wb");
        if (!f)
            return rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot write: %s",
                           c->out_path, strerror(errno));
    }
    rl_status st = RL_OK;
    switch (rep->cmd) {
    case RL_CMD_SCREEN: st = rl_write_screen(ctx, &rep->u.screen, f); break;
    case RL_CMD_DIFF: st = rl_write_diff(ctx, &rep->u.diff, f); break;
    case RL_CMD_AREA: st = rl_write_area(ctx, &rep->u.area, f); break;
    case RL_CMD_AUDIT: st = rl_write_audit(ctx, &rep->u.audit, f); break;
    }
    if (f != fallback) {
        if (fclose(f) != 0 && !st)
            st = rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot write: %s",
                         c->out_path, strerror(errno));
    } else if (fflush(f) != 0 && !st) {
        st = rl_fail(ctx, RL_ERR_OUTPUT, "cannot write the report: %s",
                     strerror(errno));
    }
    if (st || !c->pieces_path)
        return st;
    if (rep->cmd == RL_CMD_SCREEN)
        return rl_write_screen_pieces(ctx, &rep->u.screen, c->pieces_path);
    if (rep->cmd == RL_CMD_DIFF)
        return rl_write_diff_pieces(ctx, &rep->u.diff, c->pieces_path);
    return RL_OK;
}
