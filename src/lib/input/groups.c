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

size_t rl_group_values(const char *const *vals, size_t n, char ***keys_out,
                       size_t **group_out)
{
    const char **all = malloc((n ? n : 1) * sizeof *all);
    size_t *group = malloc((n ? n : 1) * sizeof *group);
    char **keys = malloc((n ? n : 1) * sizeof *keys);
    size_t nk = 0;
    if (!all || !group || !keys)
        goto oom;
    for (size_t i = 0; i < n; i++)
        all[i] = vals[i] ? vals[i] : "";
    if (n > 1)
        qsort(all, n, sizeof *all, cmp_str);
    for (size_t i = 0; i < n; i++)
        if (nk == 0 || strcmp(keys[nk - 1], all[i]) != 0)
            keys[nk++] = (char *)all[i];
    for (size_t i = 0; i < nk; i++)
        if (!(keys[i] = rl_strdup(keys[i]))) {
            while (i > 0)
                free(keys[--i]);
            goto oom;
        }
    for (size_t i = 0; i < n; i++)
        group[i] = rl_key_find(keys, nk, vals[i] ? vals[i] : "");
    free(all);
    *keys_out = keys;
    *group_out = group;
    return nk;
oom:
    free(all);
    free(group);
    free(keys);
    return (size_t)-1;
}

size_t rl_group_keys(const rl_layer *L, int field, char ***keys_out,
                     size_t **group_out)
{
    const char **vals = malloc((L->n ? L->n : 1) * sizeof *vals);
    if (!vals)
        return (size_t)-1;
    for (size_t i = 0; i < L->n; i++)
        vals[i] = L->feat[i].attrs ? L->feat[i].attrs[field] : NULL;
    size_t nk = rl_group_values(vals, L->n, keys_out, group_out);
    free(vals);
    return nk;
}
