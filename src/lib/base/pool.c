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

/* ---- pipelines ---- */

typedef struct pipe_state {
    int stage;      /* current stage; nstages when the pipeline is over */
    int advancing;  /* a worker runs the next stage's size step */
    size_t n;       /* items of the current stage */
    size_t next;    /* next item to claim */
    size_t running; /* claimed and not finished */
    int failed;
    size_t failed_stage, failed_item; /* the pipeline's first failure */
    rl_status st;
    char msg[RL_ERRMSG_MAX];
} pipe_state;

typedef struct pipes {
    rl_pool *pool;
    pipe_state *ps;
    int npipes;
    const rl_stage *stages;
    int nstages;
    void *job;
    pthread_mutex_t mu; /* guards ps[]; cv announces a stage or a pipeline ending */
    pthread_cond_t cv;
} pipes;

typedef struct pipe_worker {
    pipes *P;
    int w;
    pthread_t thread;
} pipe_worker;

/* Keep the pipeline's earliest failure.  Under the lock. */
static void pipe_failed(pipe_state *s, size_t item, rl_status st, const rl_ctx *ctx)
{
    size_t stage = (size_t)s->stage;
    if (s->failed && (s->failed_stage < stage ||
                      (s->failed_stage == stage && s->failed_item < item)))
        return;
    s->failed = 1;
    s->failed_stage = stage;
    s->failed_item = item;
    s->st = st;
    snprintf(s->msg, sizeof s->msg, "%s", rl_ctx_errmsg(ctx));
}

/*
 * The current stage of pipeline k has ended: run size steps until a stage
 * has items, or the pipeline is over.  Called and returns under the lock;
 * the size steps run outside it (no other worker touches pipeline k
 * meanwhile: it has nothing to claim).
 */
static void pipe_advance(pipes *P, int k, rl_ctx *ctx)
{
    pipe_state *s = &P->ps[k];
    s->advancing = 1;
    while (!s->failed && ++s->stage < P->nstages) {
        const rl_stage *S = &P->stages[s->stage];
        rl_status st = RL_OK;
        pthread_mutex_unlock(&P->mu);
        size_t n = S->size ? S->size(ctx, P->job, k, &st) : 0;
        pthread_mutex_lock(&P->mu);
        if (st) {
            pipe_failed(s, 0, st, ctx);
            break;
        }
        s->n = n;
        s->next = 0;
        if (n)
            break;
    }
    if (s->failed)
        s->stage = P->nstages;
    s->advancing = 0;
    pthread_cond_broadcast(&P->cv);
}

static void *pipe_work(void *arg)
{
    pipe_worker *me = arg;
    pipes *P = me->P;
    rl_ctx *ctx = P->pool->wctx[me->w];
    pthread_mutex_lock(&P->mu);
    for (;;) {
        int k = -1, open = 0;
        for (int j = 0; j < P->npipes; j++) {
            pipe_state *s = &P->ps[j];
            if (s->stage >= P->nstages)
                continue;
            open = 1;
            if (k < 0 && !s->advancing && !s->failed && s->next < s->n)
                k = j;
        }
        if (!open)
            break;
        if (k < 0) {
            pthread_cond_wait(&P->cv, &P->mu);
            continue;
        }
        pipe_state *s = &P->ps[k];
        size_t i = s->next++;
        const rl_stage *S = &P->stages[s->stage];
        s->running++;
        pthread_mutex_unlock(&P->mu);
        rl_status st = S->run(ctx, P->job, k, i, me->w);
        pthread_mutex_lock(&P->mu);
        s->running--;
        if (st)
            pipe_failed(s, i, st, ctx);
        if (s->running == 0 && (s->failed || s->next == s->n))
            pipe_advance(P, k, ctx);
    }
    pthread_mutex_unlock(&P->mu);
    return NULL;
}

rl_status rl_pool_run_pipes(rl_pool *p, int npipes, const rl_stage *stages, int nstages,
                            void *job)
{
    rl_status st = RL_OK;
    pipes P = {.pool = p, .npipes = npipes, .stages = stages, .nstages = nstages,
               .job = job};
    pipe_worker *ws = calloc((size_t)p->jobs, sizeof *ws);
    P.ps = calloc((size_t)npipes + 1, sizeof *P.ps);
    if (!ws || !P.ps) {
        free(ws);
        free(P.ps);
        return rl_fail(p->ctx, RL_ERR_NOMEM, "out of memory");
    }
    if (pthread_mutex_init(&P.mu, NULL) != 0) {
        free(ws);
        free(P.ps);
        return rl_fail(p->ctx, RL_ERR_NOMEM, "cannot create a mutex");
    }
    if (pthread_cond_init(&P.cv, NULL) != 0) {
        pthread_mutex_destroy(&P.mu);
        free(ws);
        free(P.ps);
        return rl_fail(p->ctx, RL_ERR_NOMEM, "cannot create a condition variable");
    }
    /* Every pipeline enters its first stage before any thread starts. */
    pthread_mutex_lock(&P.mu);
    for (int k = 0; k < npipes; k++) {
        P.ps[k].stage = -1;
        pipe_advance(&P, k, p->ctx);
    }
    pthread_mutex_unlock(&P.mu);
    int started = 1;
    for (int w = 0; w < p->jobs; w++)
        ws[w] = (pipe_worker){.P = &P, .w = w};
    for (int w = 1; w < p->jobs; w++) {
        if (pthread_create(&ws[w].thread, NULL, pipe_work, &ws[w]) != 0)
            break; /* fewer threads; every item still runs */
        started = w + 1;
    }
    pipe_work(&ws[0]);
    for (int w = 1; w < started; w++)
        pthread_join(ws[w].thread, NULL);
    for (int k = 0; k < npipes; k++)
        if (P.ps[k].failed) {
            st = rl_fail(p->ctx, P.ps[k].st, "%s", P.ps[k].msg);
            break;
        }
    pthread_cond_destroy(&P.cv);
    pthread_mutex_destroy(&P.mu);
    free(ws);
    free(P.ps);
    return st;
}
