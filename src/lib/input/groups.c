/* groups.c -- features grouped by the value of one attribute (--by). */
#include "input/input.h"

#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t rl_key_find(char *const *keys, size_t n, const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(keys[mid], key);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (size_t)-1;
}

size_t rl_group_keys(const rl_layer *L, int field, char ***keys_out,
                     size_t **group_out)
{
    char **all = malloc((L->n ? L->n : 1) * sizeof *all);
    size_t *group = malloc((L->n ? L->n : 1) * sizeof *group);
    size_t nk = 0;
    if (!all || !group)
        goto oom;
    for (size_t i = 0; i < L->n; i++) {
        const char *v = L->feat[i].attrs ? L->feat[i].attrs[field] : NULL;
        all[i] = (char *)(v ? v : "");
    }
    if (L->n > 1)
        qsort(all, L->n, sizeof *all, cmp_str);
    char **keys = malloc((L->n ? L->n : 1) * sizeof *keys);
    if (!keys)
        goto oom;
    for (size_t i = 0; i < L->n; i++)
        if (nk == 0 || strcmp(keys[nk - 1], all[i]) != 0)
            keys[nk++] = all[i];
    for (size_t i = 0; i < nk; i++)
        keys[i] = rl_strdup(keys[i]);
    for (size_t i = 0; i < L->n; i++) {
        const char *v = L->feat[i].attrs ? L->feat[i].attrs[field] : NULL;
        group[i] = rl_key_find(keys, nk, v ? v : "");
    }
    free(all);
    *keys_out = keys;
    *group_out = group;
    return nk;
oom:
    free(all);
    free(group);
    return (size_t)-1;
}
