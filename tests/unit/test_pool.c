/*
 * The worker pool (base/pool.c): every item runs once; a phase's writes are
 * all visible after rl_pool_run() and to the next stage of a pipeline; the
 * failure reported is the same whatever the number of workers.  Each case
 * runs with 1, 2, 3, 4 and 8 workers and many items, so that the threads
 * interleave (ThreadSanitizer runs this test too).
 */
#include "testutil.h"

#include "base/pool.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define NITEMS 5000
static const int jobs_list[] = {1, 2, 3, 4, 8};
#define NJOBS (sizeof jobs_list / sizeof *jobs_list)

typedef struct {
    int hits[NITEMS];      /* how often each item ran */
    size_t fail_at[4];     /* items that fail; (size_t)-1: none */
    atomic_int spin;       /* busy work so that items take turns */
} phase_job;

static rl_status count_item(rl_ctx *ctx, void *job, size_t i, int w)
{
    phase_job *J = job;
    (void)w;
    J->hits[i]++;
    for (int k = 0; k < 50; k++)
        atomic_fetch_add_explicit(&J->spin, 1, memory_order_relaxed);
    for (int k = 0; k < 4; k++)
        if (J->fail_at[k] == i)
            return rl_fail(ctx, RL_ERR_GEOM, "item %zu failed", i);
    return RL_OK;
}

static void every_item_runs_once(void **state)
{
    (void)state;
    for (size_t j = 0; j < NJOBS; j++) {
        rl_pool *p = rl_pool_new(tu_ctx, jobs_list[j]);
        assert_non_null(p);
        assert_int_equal(rl_pool_jobs(p), jobs_list[j]);
        phase_job *J = calloc(1, sizeof *J);
        memset(J->fail_at, 0xff, sizeof J->fail_at);
        assert_int_equal(rl_pool_run(p, NITEMS, count_item, J), RL_OK);
        for (size_t i = 0; i < NITEMS; i++)
            assert_int_equal(J->hits[i], 1);
        /* A second phase on the same pool, and an empty one. */
        assert_int_equal(rl_pool_run(p, NITEMS, count_item, J), RL_OK);
        assert_int_equal(rl_pool_run(p, 0, count_item, J), RL_OK);
        for (size_t i = 0; i < NITEMS; i++)
            assert_int_equal(J->hits[i], 2);
        free(J);
        rl_pool_free(p);
    }
    rl_pool_free(NULL);
}

static void lowest_failed_item_is_reported(void **state)
{
    (void)state;
    for (int rep = 0; rep < 20; rep++) {
        for (size_t j = 0; j < NJOBS; j++) {
            rl_pool *p = rl_pool_new(tu_ctx, jobs_list[j]);
            phase_job *J = calloc(1, sizeof *J);
            memset(J->fail_at, 0xff, sizeof J->fail_at);
            J->fail_at[0] = 4321;
            J->fail_at[1] = 1234;
            J->fail_at[2] = 1235;
            rl_ctx_clear(tu_ctx);
            assert_int_equal(rl_pool_run(p, NITEMS, count_item, J), RL_ERR_GEOM);
            assert_string_equal(rl_ctx_errmsg(tu_ctx), "item 1234 failed");
            /* Every item below the failure ran, whoever claimed it. */
            for (size_t i = 0; i <= 1234; i++)
                assert_int_equal(J->hits[i], 1);
            free(J);
            rl_pool_free(p);
        }
    }
}

/*
 * Pipelines: stage 0 writes a[k][i] = i + k; stage 1's size step sums
 * stage 0's writes (it must see them all) and stage 1's items copy the sum;
 * stage 2 checks stage 1.  Pipeline 2 fails in stage 1 at items 700 and
 * 300 (300 must be reported), pipeline 3 fails in its size step; pipeline
 * 1 is not stopped by them.
 */
#define NPIPES 4
#define PN 1000
typedef struct {
    long a[NPIPES][PN];
    long sum[NPIPES];
    long b[NPIPES][PN];
    int checked[NPIPES][PN];
    int failing;
} pipe_job;

static size_t size_fill(rl_ctx *ctx, void *job, int k, rl_status *st)
{
    (void)ctx, (void)job, (void)k, (void)st;
    return PN;
}

static rl_status run_fill(rl_ctx *ctx, void *job, int k, size_t i, int w)
{
    (void)ctx, (void)w;
    ((pipe_job *)job)->a[k][i] = (long)i + k;
    return RL_OK;
}

static size_t size_sum(rl_ctx *ctx, void *job, int k, rl_status *st)
{
    pipe_job *J = job;
    if (J->failing && k == 3) {
        *st = rl_fail(ctx, RL_ERR_NOMEM, "pipe 3 size step failed");
        return 0;
    }
    long s = 0;
    for (size_t i = 0; i < PN; i++)
        s += J->a[k][i];
    J->sum[k] = s;
    return PN;
}

static rl_status run_copy(rl_ctx *ctx, void *job, int k, size_t i, int w)
{
    pipe_job *J = job;
    (void)w;
    if (J->failing && k == 2 && (i == 700 || i == 300))
        return rl_fail(ctx, RL_ERR_INPUT, "pipe 2 item %zu failed", i);
    J->b[k][i] = J->sum[k];
    return RL_OK;
}

static size_t size_check(rl_ctx *ctx, void *job, int k, rl_status *st)
{
    (void)ctx, (void)job, (void)k, (void)st;
    return PN;
}

static rl_status run_check(rl_ctx *ctx, void *job, int k, size_t i, int w)
{
    pipe_job *J = job;
    (void)ctx, (void)w;
    J->checked[k][i] = J->b[k][i] == J->sum[k] ? 1 : -1;
    return RL_OK;
}

static const rl_stage stages[] = {
    {size_fill, run_fill}, {size_sum, run_copy}, {size_check, run_check}};

static void pipelines_keep_their_barriers(void **state)
{
    (void)state;
    for (int rep = 0; rep < 10; rep++) {
        for (size_t j = 0; j < NJOBS; j++) {
            rl_pool *p = rl_pool_new(tu_ctx, jobs_list[j]);
            pipe_job *J = calloc(1, sizeof *J);
            assert_int_equal(rl_pool_run_pipes(p, NPIPES, stages, 3, J), RL_OK);
            for (int k = 0; k < NPIPES; k++) {
                /* sum of i + k over PN items */
                assert_int_equal(J->sum[k], (long)PN * (PN - 1) / 2 + (long)PN * k);
                for (size_t i = 0; i < PN; i++)
                    assert_int_equal(J->checked[k][i], 1);
            }
            free(J);
            rl_pool_free(p);
        }
    }
}

static void pipeline_failures_are_deterministic(void **state)
{
    (void)state;
    for (int rep = 0; rep < 10; rep++) {
        for (size_t j = 0; j < NJOBS; j++) {
            rl_pool *p = rl_pool_new(tu_ctx, jobs_list[j]);
            pipe_job *J = calloc(1, sizeof *J);
            J->failing = 1;
            rl_ctx_clear(tu_ctx);
            assert_int_equal(rl_pool_run_pipes(p, NPIPES, stages, 3, J), RL_ERR_INPUT);
            assert_string_equal(rl_ctx_errmsg(tu_ctx), "pipe 2 item 300 failed");
            /* Pipelines 0 and 1 ran to their end; 2 and 3 never reached stage 2. */
            for (size_t i = 0; i < PN; i++) {
                assert_int_equal(J->checked[0][i], 1);
                assert_int_equal(J->checked[1][i], 1);
                assert_int_equal(J->checked[2][i], 0);
                assert_int_equal(J->checked[3][i], 0);
            }
            free(J);
            rl_pool_free(p);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_item_runs_once),
        cmocka_unit_test(lowest_failed_item_is_reported),
        cmocka_unit_test(pipelines_keep_their_barriers),
        cmocka_unit_test(pipeline_failures_are_deterministic),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
