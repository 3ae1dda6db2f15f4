/*
 * command.h -- the commands (screen.c, diff.c, areacmd.c, audit.c): each
 * reads its inputs, runs the stages below and hands report.c its data.
 * What audit shares of screen's engine is declared here.
 */
#ifndef RL_COMMAND_H
#define RL_COMMAND_H

#include "report/report.h"
#include "overlay/overlay.h"

/* screen internals shared with audit (screen.c) */
/*
 * Load and index every control feature (audit: the footprints come later),
 * layers side by side with --jobs.  *out and *n are set on RL_OK; free with
 * rl_controls_free.
 */
rl_status rl_controls_load(rl_ctx *ctx, const rl_screen_options *opts,
                           rl_control **out, int *n);
void rl_controls_free(rl_ctx *ctx, rl_control *c, int n);
/* Given d->controls and d->fps, fill d->res and d->counts. */
rl_status rl_screen_run(rl_ctx *ctx, rl_screen_data *d);
/* Free results and footprint layers (not the controls). */
void rl_screen_results_free(rl_ctx *ctx, rl_screen_data *d);

#endif
