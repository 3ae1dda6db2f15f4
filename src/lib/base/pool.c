/* pool.c -- the one place where libredline starts threads. */
#include "base/pool.h"

#include "base/base.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* What one worker saw of a phase: its lowest failed item, if any. */
typedef struct slot {
    rl_pool *pool;
    int w;
    pthread_t thread;
    size_t failed; /* item index; (size_t)-1: none */
    rl_status st;
} slot;

struct rl_pool {
    rl_ctx *ctx; /* the caller's: worker 0 */
    int jobs;
    rl_ctx **wctx; /* [jobs]; wctx[0] == ctx */
    slot *slots;
    /* The phase under way; set before its threads start, read-only in them. */
    size_t n;
    rl_task_fn fn;
    void *job;
    atomic_size_t next;
    atomic_int stop;
};

rl_pool *rl_pool_new(rl_ctx *ctx, int jobs)
{
    rl_pool *p = calloc(1, sizeof *p);
    if (jobs < 1)
        jobs = 1;
    if (jobs > 256)
        jobs = 256;
    if (!p)
        goto fail;
    p->ctx = ctx;
    p->wctx = calloc((size_t)jobs, sizeof *p->wctx);
    p->slots = calloc((size_t)jobs, sizeof *p->slots);
    if (!p->wctx || !p->slots)
        goto fail;
    p->jobs = jobs;
    p->wctx[0] = ctx;
    for (int w = 1; w < jobs; w++)
        if (!(p->wctx[w] = rl_ctx_new()))
            goto fail;
    return p;
fail:
    rl_pool_free(p);
    rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    return NULL;
}

void rl_pool_free(rl_pool *p)
{
    if (!p)
        return;
    for (int w = 1; p->wctx && w < p->jobs; w++)
        rl_ctx_free(p->wctx[w]);
    free(p->wctx);
    free(p->slots);
    free(p);
}

int rl_pool_jobs(const rl_pool *p) { return p->jobs; }

rl_ctx *rl_pool_ctx(const rl_pool *p, int w) { return p->wctx[w]; }

static void *work(void *arg)
{
    slot *s = arg;
    rl_pool *p = s->pool;
    rl_ctx *ctx = p->wctx[s->w];
    size_t i;
    while (!atomic_load_explicit(&p->stop, memory_order_relaxed) &&
           (i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed)) < p->n) {
        rl_status st = p->fn(ctx, p->job, i, s->w);
        if (st) {
            /* Items rise, so this is the worker's lowest failure. */
            s->failed = i;
            s->st = st;
            atomic_store_explicit(&p->stop, 1, memory_order_relaxed);
            break;
        }
    }
    return NULL;
}

rl_status rl_pool_run(rl_pool *p, size_t n, rl_task_fn fn, void *job)
{
    int started = 1;
    p->n = n;
    p->fn = fn;
    p->job = job;
    atomic_store(&p->next, 0);
    atomic_store(&p->stop, 0);
    int jobs = (size_t)p->jobs < n ? p->jobs : (int)(n ? n : 1);
    for (int w = 0; w < jobs; w++)
        p->slots[w] = (slot){.pool = p, .w = w, .failed = (size_t)-1};
    /* pthread_create and pthread_join are the barriers around the phase. */
    for (int w = 1; w < jobs; w++) {
        if (pthread_create(&p->slots[w].thread, NULL, work, &p->slots[w]) != 0)
            break; /* fewer threads; the items still all run */
        started = w + 1;
    }
    work(&p->slots[0]);
    for (int w = 1; w < started; w++)
        pthread_join(p->slots[w].thread, NULL);
    int first = -1;
    for (int w = 0; w < jobs; w++)
        if (p->slots[w].failed != (size_t)-1 &&
            (first < 0 || p->slots[w].failed < p->slots[first].failed))
            first = w;
    if (first < 0)
        return RL_OK;
    if (first > 0)
        rl_fail(p->ctx, p->slots[first].st, "%s", rl_ctx_errmsg(p->wctx[first]));
    return p->slots[first].st;
}
