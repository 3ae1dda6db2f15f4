/*
 * merge.c -- `redline merge PART...`: the parts of a sharded run (--shard
 * I/N) made into the report the unsharded run writes (docs/scale-out.md).
 *
 * A part records the shard's arguments and the results of the shard's
 * share of the expensive work (the cells of the tiled overlay, the files
 * of an audit).  merge parses those arguments again with its own output
 * options, and runs the command itself with the parts as the source of
 * that work: the inputs are read again (cheap next to the overlays), the
 * results are summed in the order the unsharded run sums them, and the
 * very same writers write every format.
 */
#include "command/command.h"

#include <stdlib.h>
#include <string.h>

struct rl_merge_options {
    rl_part *parts;
    size_t nparts;
    const char *command; /* parts[0].command */
    void *inner;         /* the command's options, parsed from the parts' args */
    int quiet;
};

void rl_merge_options_free(rl_merge_options *o)
{
    if (!o)
        return;
    if (o->inner) {
        if (strcmp(o->command, "diff") == 0)
            rl_diff_options_free(o->inner);
        else if (strcmp(o->command, "area") == 0)
            rl_area_options_free(o->inner);
        else if (strcmp(o->command, "screen") == 0)
            rl_screen_options_free(o->inner);
        else
            rl_audit_options_free(o->inner);
    }
    for (size_t i = 0; i < o->nparts; i++)
        rl_part_free(&o->parts[i]);
    free(o->parts);
    free(o);
}

int rl_merge_options_quiet(const rl_merge_options *o)
{
    return o && o->quiet;
}

/* 1 when a names one of merge's own options that take a value (up to '='). */
static int takes_value(const char *a)
{
    static const char *const opts[] = {"-o", "--output", "-f", "--format", "-j", "--jobs",
                                       "--lang", "--units", "--run-id"};
    size_t n = a[1] == '-' ? strcspn(a, "=") : 2;
    for (size_t k = 0; k < sizeof opts / sizeof *opts; k++)
        if (strlen(opts[k]) == n && strncmp(a, opts[k], n) == 0)
            return 1;
    return 0;
}

rl_merge_options *rl_merge_options_new(rl_ctx *ctx, int argc, const char *const *argv)
{
    rl_ctx_clear(ctx);
    const char **av = NULL;
    rl_merge_options *o = calloc(1, sizeof *o);
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    const char **own = calloc((size_t)argc + 1, sizeof *own);
    int nown = 0, npaths = 0, no_more_opts = 0;
    if (!o || !paths || !own) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (no_more_opts || a[0] != '-' || !a[1]) {
            paths[npaths++] = a;
        } else if (strcmp(a, "--") == 0) {
            no_more_opts = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            own[nown++] = a;
            o->quiet = 1;
        } else if (takes_value(a)) {
            own[nown++] = a;
            size_t n = a[1] == '-' ? strcspn(a, "=") : 2;
            if (a[n] == '\0') {
                if (i + 1 >= argc) {
                    rl_fail(ctx, RL_ERR_USAGE, "option %s needs a value", a);
                    goto fail;
                }
                own[nown++] = argv[++i];
            }
        } else {
            rl_fail(ctx, RL_ERR_USAGE,
                    "unknown option '%s' (merge takes -f, -o, --lang, --units, --jobs, "
                    "--run-id and --quiet; the command's other options are the shards')", a);
            goto fail;
        }
    }
    if (npaths == 0) {
        rl_fail(ctx, RL_ERR_USAGE, "no PART given");
        goto fail;
    }
    if (!(o->parts = calloc((size_t)npaths, sizeof *o->parts))) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (int i = 0; i < npaths; i++, o->nparts++)
        if (rl_part_read(ctx, paths[i], &o->parts[i]))
            goto fail;
    if (rl_parts_check(ctx, o->parts, o->nparts))
        goto fail;
    const rl_part *p0 = &o->parts[0];
    o->command = p0->command;
    /* Anything else would run whole, silently. */
    if (strcmp(o->command, "diff") != 0 && strcmp(o->command, "area") != 0 &&
        strcmp(o->command, "audit") != 0 && strcmp(o->command, "screen") != 0) {
        rl_fail(ctx, RL_ERR_USAGE, "%s: a part of '%s', which merge does not take "
                "(screen, diff, area and audit have parts)", p0->path, o->command);
        goto fail;
    }
    char now[17];
    rl_fingerprint(p0->command, p0->args, p0->nargs, now);
    if (strcmp(now, p0->fingerprint) != 0) {
        rl_fail(ctx, RL_ERR_USAGE,
                "the inputs of %s changed since the shards ran (fingerprint %s, now %s), "
                "or merge runs in another folder than they did",
                p0->path, p0->fingerprint, now);
        goto fail;
    }
    /* merge's own options first: the recorded arguments may end with "--". */
    int n = nown + p0->nargs;
    if (!(av = calloc((size_t)n + 1, sizeof *av))) {
        rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (int i = 0; i < nown; i++)
        av[i] = own[i];
    for (int i = 0; i < p0->nargs; i++)
        av[nown + i] = p0->args[i];
    rl_common_opts *c = NULL;
    if (strcmp(o->command, "diff") == 0) {
        rl_diff_options *d = rl_diff_options_new(ctx, n, av);
        o->inner = d;
        c = d ? &d->c : NULL;
    } else if (strcmp(o->command, "area") == 0) {
        rl_area_options *a = rl_area_options_new(ctx, n, av);
        o->inner = a;
        c = a ? &a->c : NULL;
    } else if (strcmp(o->command, "screen") == 0) {
        rl_screen_options *s = rl_screen_options_new(ctx, n, av);
        o->inner = s;
        c = s ? &s->c : NULL;
    } else {
        rl_audit_options *a = rl_audit_options_new(ctx, n, av);
        o->inner = a;
        c = a ? &a->s->c : NULL;
    }
    if (!c)
        goto fail;
    c->parts = o->parts;
    c->nparts = o->nparts;
    free(av);
    free(paths);
    free(own);
    return o;
fail:
    free(av);
    free(paths);
    free(own);
    rl_merge_options_free(o);
    return NULL;
}

rl_status rl_merge(rl_ctx *ctx, const rl_merge_options *o, rl_report **out)
{
    *out = NULL;
    if (strcmp(o->command, "diff") == 0)
        return rl_diff(ctx, o->inner, out);
    if (strcmp(o->command, "area") == 0)
        return rl_area(ctx, o->inner, out);
    if (strcmp(o->command, "screen") == 0)
        return rl_screen(ctx, o->inner, out);
    return rl_audit(ctx, o->inner, out);
}
