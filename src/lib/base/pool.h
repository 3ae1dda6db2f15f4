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

/*
 * One stage of a pipeline.  `size` runs on one thread when every earlier
 * stage of the same pipeline has finished (it may build what this stage's
 * items read: it is the barrier step) and returns the number of items, or
 * sets *st (message in wctx) to stop the pipeline; NULL size: no items.
 * `run` runs item i of the stage in pipeline `pipe`, on worker `worker`.
 */
typedef struct rl_stage {
    size_t (*size)(rl_ctx *wctx, void *job, int pipe, rl_status *st);
    rl_status (*run)(rl_ctx *wctx, void *job, int pipe, size_t i, int worker);
} rl_stage;

/*
 * Run `npipes` independent pipelines of the same `nstages` stages.  Within
 * a pipeline the stages run in order, each behind a barrier: stage s + 1
 * starts (its size step) only when every item of stage s has finished, so
 * what a stage wrote is visible to, and read-only in, the stages after it.
 * Pipelines do not wait for each other: a worker with nothing left to
 * claim in one pipeline takes items of another (lowest pipeline first), so
 * a long stage of one pipeline (reading a big layer) overlaps the work of
 * the others.  Items of a stage are claimed in increasing order.
 *
 * A failed item or size step stops its own pipeline only.  Returns RL_OK,
 * or the first failure of the lowest pipeline that failed (its earliest
 * stage, lowest item), with its message copied into the pool's ctx: the
 * same failure whatever the number of workers.
 */
rl_status rl_pool_run_pipes(rl_pool *p, int npipes, const rl_stage *stages, int nstages,
                            void *job);

#endif
