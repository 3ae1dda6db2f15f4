/* pool.h -- run the tasks of one parallel phase on N threads. */
#ifndef RL_POOL_H
#define RL_POOL_H

#include <stddef.h>

#include "redline/redline.h"

/*
 * One task: item i of a phase, on worker `worker` (0 .. jobs-1) with that
 * worker's own context wctx.  A task writes only what belongs to item i (or
 * to its worker); everything else it reads was built before the phase.
 * Returns RL_OK, or a failure with its message in wctx: the phase then
 * stops claiming new items.
 */
typedef rl_status (*rl_task_fn)(rl_ctx *wctx, void *job, size_t i, int worker);

typedef struct rl_pool rl_pool;

/*
 * A pool of `jobs` workers (clamped to 1..256), each with a context of its
 * own; worker 0 runs on the calling thread with the caller's ctx, which the
 * pool borrows: ctx must outlive the pool.  NULL when out of memory
 * (message in ctx).
 */
rl_pool *rl_pool_new(rl_ctx *ctx, int jobs);
/* Free the pool and its workers' contexts.  NULL is a no-op. */
void rl_pool_free(rl_pool *p);
/* Number of workers: how large per-worker arrays must be. */
int rl_pool_jobs(const rl_pool *p);
/* Context of worker w (borrowed; valid until rl_pool_free). */
rl_ctx *rl_pool_ctx(const rl_pool *p, int w);

/*
 * Run fn(job, i) for every i in 0..n-1, and return when all have finished:
 * the end of rl_pool_run is the barrier of the phase, so whatever the tasks
 * wrote is visible to the caller and to the next phase.  Items are claimed
 * in increasing order.  Returns RL_OK, or the failure of the lowest item
 * that failed, with its message copied into the pool's ctx; that item is
 * the same whatever the number of workers, because every item below a
 * failed one has been claimed and runs to its end.
 */
rl_status rl_pool_run(rl_pool *p, size_t n, rl_task_fn fn, void *job);

#endif
