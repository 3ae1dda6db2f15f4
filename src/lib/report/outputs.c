/*
 * outputs.c -- where outputs may go: never onto an input.
 *
 * Paths are compared by file identity (device and inode, links followed),
 * not by spelling, so ./x.shp, ../dir/x.shp, a symbolic link and a hard link
 * to an input are all the input.  A shapefile is all of its sidecars, a
 * zipped dataset is its zip.
 */
#include "report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

int rl_path_resolve(const char *path, char *out)
{
    if (realpath(path, out))
        return 1;
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    char *slash = strrchr(tmp, '/');
    const char *base = slash ? slash + 1 : tmp;
    const char *dir = slash ? (slash == tmp ? "/" : (*slash = '\0', tmp)) : ".";
    char d[PATH_MAX];
    if (!realpath(dir, d))
        return 0;
    size_t dl = strcmp(d, "/") ? strlen(d) : 0, bl = strlen(base);
    if (dl + bl + 2 > PATH_MAX)
        return 0;
    memcpy(out, d, dl);
    out[dl] = '/';
    memcpy(out + dl + 1, base, bl + 1);
    return 1;
}

int rl_path_inside(const char *outer, const char *inner)
{
    char a[PATH_MAX], b[PATH_MAX];
    if (!realpath(outer, a) || !rl_path_resolve(inner, b))
        return 0;
    size_t n = strlen(a);
    return strncmp(a, b, n) == 0 && (b[n] == '/' || b[n] == '\0');
}

/* The files of one dataset name, as plain paths (n at most 8). */
static size_t dataset_files(const char *name, char files[][PATH_MAX])
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", name);
    /* "PATH|layername=X" and "PATH|layerid=N" name a layer of PATH. */
    char *bar = strrchr(p, '|');
    if (bar && (strncmp(bar + 1, "layername=", 10) == 0 || strncmp(bar + 1, "layerid=", 8) == 0))
        *bar = '\0';
    if (strncmp(p, "PG:", 3) == 0 || strncasecmp(p, "/vsimem/", 8) == 0)
        return 0;
    /* A dataset inside a zip: the zip is the file. */
    const char *q = strncmp(p, "/vsizip/", 8) == 0 ? p + 8 : p;
    const char *z = strcasestr(q, ".zip/");
    if (z) {
        memmove(p, q, (size_t)(z + 4 - q));
        p[z + 4 - q] = '\0';
    } else if (q != p) {
        memmove(p, q, strlen(q) + 1);
    }
    size_t n = 0;
    snprintf(files[n++], PATH_MAX, "%s", p);
    size_t len = strlen(p);
    if (len > 4 && strcasecmp(p + len - 4, ".shp") == 0) {
        static const char *const side[] = {"shx", "dbf", "prj", "cpg", "qix", "sbn", "sbx"};
        for (size_t i = 0; i < sizeof side / sizeof *side; i++) {
            char s[PATH_MAX];
            if (rl_shp_sibling(p, side[i], s, sizeof s))
                snprintf(files[n++], PATH_MAX, "%s", s);
        }
    }
    return n;
}

/* 1 when a and b are one existing file. */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* 1 when output path o would write over one of the files of input `in`. */
static int lands_on(const char *o, const char *in)
{
    char of[8][PATH_MAX], inf[8][PATH_MAX];
    size_t no = dataset_files(o, of), ni = dataset_files(in, inf);
    for (size_t i = 0; i < no; i++)
        for (size_t j = 0; j < ni; j++)
            if (same_file(of[i], inf[j]))
                return 1;
    return 0;
}

/* 1 when outputs a and b are one file, existing or not yet. */
static int same_output(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    if (same_file(a, b))
        return 1;
    return rl_path_resolve(a, ra) && rl_path_resolve(b, rb) && strcmp(ra, rb) == 0;
}

rl_status rl_outputs_check(rl_ctx *ctx, const rl_common_opts *c, const char *const *inputs,
                           size_t n, const char *tree)
{
    const char *outs[2] = {c->out_path, c->pieces_path};
    static const char *const what[2] = {"-o", "--pieces"};
    /* A PG: sink takes both in one transaction (report/out_pg.c). */
    if (outs[0] && outs[1] && !rl_is_pg(outs[0]) && same_output(outs[0], outs[1]))
        return rl_fail(ctx, RL_ERR_USAGE, "-o %s and --pieces %s are the same file; "
                       "give them different names", outs[0], outs[1]);
    for (int k = 0; k < 2; k++) {
        if (!outs[k])
            continue;
        for (size_t i = 0; i < n; i++)
            if (inputs[i] && lands_on(outs[k], inputs[i]))
                return rl_fail(ctx, RL_ERR_USAGE,
                               "%s %s would write over the input %s; an input is "
                               "never overwritten, choose another output name",
                               what[k], outs[k], inputs[i]);
        if (tree && rl_path_inside(tree, outs[k]))
            return rl_fail(ctx, RL_ERR_USAGE,
                           "%s %s is inside the audited folder %s, which is never "
                           "written to", what[k], outs[k], tree);
    }
    return RL_OK;
}

/* ---- atomic outputs ---- */

int rl_output_temp_name(const char *path, const char *ext, char *out, size_t n)
{
    static int counter;
    const char *slash = strrchr(path, '/');
    int dl = slash ? (int)(slash - path + 1) : 0;
    const char *base = slash ? slash + 1 : path;
    int k = snprintf(out, n, "%.*s.%s.redline-%ld-%d.tmp%s", dl, path, base, (long)getpid(),
                     __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED), ext ? ext : "");
    return k > 0 && (size_t)k < n;
}

FILE *rl_output_open(rl_ctx *ctx, rl_output *o, const char *path)
{
    struct stat sb;
    memset(o, 0, sizeof *o);
    o->path = path;
    o->slot = -1;
    /* A device, FIFO or terminal cannot be replaced: written in place. */
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        o->f = fopen(path, "wb");
        if (!o->f)
            rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot write: %s", path, strerror(errno));
        return o->f;
    }
    o->slot = -1;
    for (int tries = 0; tries < 100; tries++) {
        if (!rl_output_temp_name(path, NULL, o->tmp, sizeof o->tmp))
            break;
        /* Registered before it exists: a signal in between finds it. */
        o->slot = rl_temp_register(o->tmp);
        int fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0) {
            int saved = errno;
            rl_temp_release(o->slot);
            o->slot = -1;
            errno = saved;
            if (errno == EEXIST)
                continue;
            break;
        }
        if (!(o->f = fdopen(fd, "wb"))) {
            close(fd);
            unlink(o->tmp);
            rl_temp_release(o->slot);
            o->slot = -1;
            break;
        }
        o->temp = 1;
        return o->f;
    }
    rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot write: %s", path, strerror(errno));
    return NULL;
}

rl_status rl_output_commit(rl_ctx *ctx, rl_output *o, rl_status st)
{
    if (!o->f)
        return st;
    int err = fflush(o->f) != 0 || ferror(o->f);
    int saved = errno;
    if (!err && o->temp && fsync(fileno(o->f)) != 0)
        err = 1, saved = errno;
    if (fclose(o->f) != 0 && !err)
        err = 1, saved = errno;
    o->f = NULL;
    if (!st && err)
        st = rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot write: %s", o->path, strerror(saved));
    if (o->temp) {
        if (!st && rename(o->tmp, o->path) != 0)
            st = rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot write: %s", o->path, strerror(errno));
        if (st)
            unlink(o->tmp);
        rl_temp_release(o->slot);
        o->slot = -1;
    }
    return st;
}

/* ---- temporary outputs left behind by a signal ---- */

/*
 * The temporary files this process is writing, so that a signal handler
 * can remove them (rl_remove_temporary_outputs).  Slots, not a list: the
 * handler may run at any instruction, so it reads only whole, published
 * entries and calls only async-signal-safe functions.  A slot is free (0),
 * being filled (1) or published (2); pid keeps a forked child (audit) from
 * removing its parent's files.
 */
#define RL_TEMP_SLOTS 64
static struct {
    int state; /* accessed with __atomic builtins only */
    pid_t pid;
    char path[4096];
} temps[RL_TEMP_SLOTS];

int rl_temp_register(const char *tmp)
{
    size_t n = strlen(tmp);
    if (n >= sizeof temps[0].path)
        return -1;
    for (int i = 0; i < RL_TEMP_SLOTS; i++) {
        int free_state = 0;
        if (!__atomic_compare_exchange_n(&temps[i].state, &free_state, 1, 0,
                                         __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            continue;
        memcpy(temps[i].path, tmp, n + 1);
        temps[i].pid = getpid();
        __atomic_store_n(&temps[i].state, 2, __ATOMIC_RELEASE);
        return i;
    }
    return -1; /* more outputs at once than slots: written, not cleanable */
}

void rl_temp_release(int slot)
{
    if (slot >= 0 && slot < RL_TEMP_SLOTS)
        __atomic_store_n(&temps[slot].state, 0, __ATOMIC_RELEASE);
}

/* unlink(base + suffix), or (ext_len > 0) base with its last ext_len bytes
 * replaced by suffix; async-signal-safe (no snprintf). */
static void unlink_variant(const char *base, size_t ext_len, const char *suffix)
{
    char name[4096 + 16];
    size_t n = strlen(base), s = strlen(suffix);
    if (ext_len > n || n - ext_len + s >= sizeof name)
        return;
    memcpy(name, base, n - ext_len);
    memcpy(name + n - ext_len, suffix, s + 1);
    unlink(name);
}

void rl_remove_temporary_outputs(void)
{
    /* Sidecars a driver may have created beside a temporary dataset. */
    static const char *const journal[] = {"-journal", "-wal", "-shm"};
    static const char *const shp_side[] = {"shx", "dbf", "prj", "cpg", "qix"};
    int saved = errno; /* a signal handler must leave errno as it found it */
    pid_t self = getpid();
    for (int i = 0; i < RL_TEMP_SLOTS; i++) {
        if (__atomic_load_n(&temps[i].state, __ATOMIC_ACQUIRE) != 2 || temps[i].pid != self)
            continue;
        const char *p = temps[i].path;
        size_t n = strlen(p);
        unlink(p);
        for (size_t k = 0; k < sizeof journal / sizeof *journal; k++)
            unlink_variant(p, 0, journal[k]);
        if (n > 4 && strcasecmp(p + n - 4, ".shp") == 0)
            for (size_t k = 0; k < sizeof shp_side / sizeof *shp_side; k++)
                unlink_variant(p, 3, shp_side[k]);
    }
    errno = saved;
}
