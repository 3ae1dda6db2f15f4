/*
 * round.c -- 平差: rounded rows that add up exactly to their rounded
 * total, by the largest-remainder rule, at every level of a tree.
 */
#include "landuse/landuse.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    double rem;
    size_t i;
} rem_item;

/* Largest remainder first; ties to the lower index (a stable order). */
static int cmp_rem_desc(const void *a, const void *b)
{
    const rem_item *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

void rl_lr_split(long long target, const double *v, size_t n, long long *out)
{
    if (n == 0)
        return;
    rem_item stack[64];
    rem_item *it = n <= 64 ? stack : malloc(n * sizeof *it);
    long long sum = 0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i] > 0 && isfinite(v[i]) ? v[i] : 0;
        double f = floor(x);
        out[i] = (long long)f;
        sum += out[i];
        if (it)
            it[i] = (rem_item){x - f, i};
    }
    if (it)
        qsort(it, n, sizeof *it, cmp_rem_desc);
    long long d = target - sum;
    /*
     * d is from 0 to n when target is the rounded sum of v.  Further off (a
     * parent whose children do not add up to it), whole rounds of one unit
     * each go in the same order; taking units away starts from the smallest
     * remainder and skips rows already at 0.
     */
    for (size_t k = 0; d > 0; k = (k + 1) % n, d--)
        out[it ? it[k].i : k]++;
    for (size_t k = 0, idle = 0; d < 0 && idle < n; k = (k + 1) % n) {
        size_t i = it ? it[n - 1 - k].i : n - 1 - k;
        if (out[i] > 0) {
            out[i]--, d++, idle = 0;
        } else {
            idle++;
        }
    }
    if (it != stack)
        free(it);
}

rl_status rl_round_tree(rl_ctx *ctx, const double *value, const int *parent, size_t n,
                        int decimals, long long *out)
{
    rl_status st = RL_OK;
    const double scale = pow(10.0, decimals);
    size_t *kids = malloc((n + 1) * sizeof *kids);
    double *vals = malloc((n + 1) * sizeof *vals);
    long long *part = malloc((n + 1) * sizeof *part);
    if (!kids || !vals || !part) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        if (parent[i] >= (int)i || parent[i] < -1) {
            st = rl_fail(ctx, RL_ERR_INTERNAL, "rounding tree: node %zu before its parent", i);
            goto cleanup;
        }
        if (parent[i] < 0)
            out[i] = llround(value[i] > 0 ? value[i] * scale : 0);
    }
    /* Parents come first, so each node is rounded before its children. */
    for (size_t p = 0; p < n; p++) {
        size_t nk = 0;
        for (size_t i = p + 1; i < n; i++)
            if (parent[i] == (int)p) {
                kids[nk] = i;
                vals[nk++] = value[i] * scale;
            }
        if (!nk)
            continue;
        rl_lr_split(out[p], vals, nk, part);
        for (size_t k = 0; k < nk; k++)
            out[kids[k]] = part[k];
    }
cleanup:
    free(kids);
    free(vals);
    free(part);
    return st;
}
