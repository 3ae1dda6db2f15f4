/*
 * audit.c -- walk a delivery folder (and its zips), check every vector
 * dataset, screen it; files are read in worker processes, so that one
 * that crashes GDAL or never ends costs only itself.
 */
#include "command/command.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gdal.h>
#include <iconv.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Joins problem messages (which may hold "; " themselves). */
#define RL_AUDIT_SEP "\x1f"

/* A file that takes longer than this is stopped and reported unreadable. */
#define RL_AUDIT_FILE_SECONDS 900

/* Zip archives inside zip archives are followed this deep, then reported. */
#define RL_AUDIT_ZIP_DEPTH 4

/* A full path longer than this is opened from inside its folder instead. */
#define RL_AUDIT_PATH_ROOM (PATH_MAX - 256)

typedef struct entry {
    char *display; /* relative to DIR, UTF-8 */
    char *open;    /* what GDAL opens; relative to `dir` when dir is set */
    char *dir;     /* NULL, or the folder (relative to DIR) to enter first */
    /* A problem the walk found; such an entry is not opened. */
    const char *code;
    int severity;
    char *msg;  /* English, for the JSON */
    char *text; /* NULL, or msg in Chinese for the other formats (--lang zh) */
} entry;

typedef struct entries {
    entry *v;
    size_t n, cap;
    size_t skipped;
    int zh; /* --lang zh: walk problems get a Chinese text too */
} entries;

/* The Chinese text of a walk problem, only under --lang zh. */
#define ZH_TEXT(E, ...) ((E)->zh ? aprintf(__VA_ARGS__) : NULL)

static int ends_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int is_vector_ext(const char *name)
{
    static const char *exts[] = {".shp", ".gpkg", ".geojson", ".json", ".kml",
                                 ".gml", ".tab", ".sqlite", ".fgb", ".mif"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (ends_ci(name, exts[i]))
            return 1;
    return 0;
}

/* Parts of a dataset, never datasets of their own. */
static int is_sidecar(const char *name)
{
    static const char *exts[] = {".shx", ".dbf", ".prj", ".cpg", ".sbn", ".sbx",
                                 ".qix", ".shp.xml", ".qmd", ".id", ".dat",
                                 ".map", ".ind", ".gpkg-wal", ".gpkg-shm"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (ends_ci(name, exts[i]))
            return 1;
    return 0;
}

/* malloc'ed printf; NULL when out of memory. */
static char *aprintf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* The formatted text in a new string of its own length (NULL: no memory). */
static char *vaprintf(const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

static char *aprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vaprintf(fmt, ap);
    va_end(ap);
    return s;
}

static entry *add_entry(entries *E, const char *display, const char *open,
                        const char *dir)
{
    if (E->n == E->cap) {
        size_t cap = E->cap ? E->cap * 2 : 32;
        entry *v = realloc(E->v, cap * sizeof *v);
        if (!v)
            return NULL;
        E->v = v;
        E->cap = cap;
    }
    entry *e = &E->v[E->n++];
    memset(e, 0, sizeof *e);
    e->display = rl_strdup(display);
    e->open = rl_strdup(open ? open : "");
    e->dir = dir ? rl_strdup(dir) : NULL;
    return e->display && e->open && (!dir || e->dir) ? e : NULL;
}

/* An entry the walk already judged: listed with its problem, never opened. */
static int add_problem(entries *E, const char *display, const char *code, int severity,
                       char *msg, char *text)
{
    entry *e = msg && (text || !E->zh) ? add_entry(E, display, NULL, NULL) : NULL;
    if (!e) {
        free(msg);
        free(text);
        return 0;
    }
    e->code = code;
    e->severity = severity;
    e->msg = msg;
    e->text = text;
    return 1;
}

/* Strict recode with iconv; NULL when s is not representable. */
static char *recode_strict(const char *s, const char *from, const char *to)
{
    iconv_t cd = iconv_open(to, from);
    if (cd == (iconv_t)-1)
        return NULL;
    size_t inl = strlen(s), outl = inl * 4 + 4;
    char *out = malloc(outl), *op = out;
    char *ip = (char *)s;
    size_t room = outl - 1;
    int ok = out && iconv(cd, &ip, &inl, &op, &room) != (size_t)-1;
    iconv_close(cd);
    if (!ok) {
        free(out);
        return NULL;
    }
    *op = '\0';
    return out;
}

/*
 * Zips from Chinese Windows store GBK names without the UTF-8 flag; GDAL
 * lists them as CP437.  Undo that to show the reviewer the real name.  A
 * name that is not CP437 text was stored as UTF-8 and is shown as it is.
 */
static char *zip_display_name(const char *listed)
{
    int ascii = 1;
    for (const unsigned char *p = (const unsigned char *)listed; *p; p++)
        ascii &= *p < 0x80;
    if (ascii)
        return rl_strdup(listed);
    char *bytes = recode_strict(listed, "UTF-8", "CP437");
    if (!bytes)
        return rl_strdup(listed);
    char *out = rl_is_utf8(bytes) ? rl_strdup(bytes) : recode_strict(bytes, "GBK", "UTF-8");
    free(bytes);
    return out ? out : rl_strdup(listed);
}

/* The same for a raw central-directory name: GBK unless it is UTF-8. */
static char *raw_display_name(const char *raw)
{
    if (rl_is_utf8(raw))
        return rl_strdup(raw);
    char *out = recode_strict(raw, "GBK", "UTF-8");
    return out ? out : rl_strdup(raw);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- the set of files and folders seen, by device and inode ---- */

typedef struct seen_item {
    dev_t dev;
    ino_t ino;
    char *display; /* where it was first met */
} seen_item;

typedef struct seen {
    seen_item *v;
    size_t n, cap; /* cap a power of two, or 0 */
} seen;

static size_t seen_hash(dev_t dev, ino_t ino)
{
    uint64_t h = ((uint64_t)dev * 0x9E3779B97F4A7C15ull) ^ (uint64_t)ino;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    return (size_t)(h ^ (h >> 29));
}

/* The first display path of (dev, ino), or NULL when it is new. */
static const char *seen_find(const seen *S, dev_t dev, ino_t ino)
{
    if (!S->cap)
        return NULL;
    for (size_t i = seen_hash(dev, ino) & (S->cap - 1);; i = (i + 1) & (S->cap - 1)) {
        if (!S->v[i].display)
            return NULL;
        if (S->v[i].dev == dev && S->v[i].ino == ino)
            return S->v[i].display;
    }
}

static int seen_add(seen *S, dev_t dev, ino_t ino, const char *display)
{
    if ((S->n + 1) * 2 > S->cap) {
        size_t cap = S->cap ? S->cap * 2 : 64;
        seen_item *v = calloc(cap, sizeof *v);
        if (!v)
            return 0;
        for (size_t k = 0; k < S->cap; k++) {
            if (!S->v[k].display)
                continue;
            size_t i = seen_hash(S->v[k].dev, S->v[k].ino) & (cap - 1);
            while (v[i].display)
                i = (i + 1) & (cap - 1);
            v[i] = S->v[k];
        }
        free(S->v);
        S->v = v;
        S->cap = cap;
    }
    size_t i = seen_hash(dev, ino) & (S->cap - 1);
    while (S->v[i].display)
        i = (i + 1) & (S->cap - 1);
    S->v[i].dev = dev;
    S->v[i].ino = ino;
    S->v[i].display = rl_strdup(display);
    S->n++;
    return S->v[i].display != NULL;
}

static void seen_free(seen *S)
{
    for (size_t i = 0; i < S->cap; i++)
        free(S->v[i].display);
    free(S->v);
}

typedef struct walker {
    entries *E;
    const char *root; /* DIR, without trailing slashes */
    seen dirs, files;
    /* The folders from DIR down to the one being read: a link to one of them is a loop. */
    struct stat *chain;
    size_t nchain, capchain;
    /* Descriptors behind /proc/self/fd/N names of zips under over-long paths. */
    int *fds;
    size_t nfds, capfds;
} walker;

static char *join(const char *a, const char *b)
{
    return aprintf("%s%s%s", a, *a ? "/" : "", b);
}

/* Is a zip member name unsafe to extract: absolute, a drive, or with a '..' part? */
static int unsafe_member(const char *m)
{
    if (m[0] == '/' || m[0] == '\\' || (m[0] && m[1] == ':'))
        return 1;
    for (const char *p = m; *p;) {
        size_t n = strcspn(p, "/\\");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return 1;
        p += n;
        if (*p)
            p++;
    }
    return 0;
}

static uint32_t le16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t le32(const unsigned char *p) { return le16(p) | le16(p + 2) << 16; }
static uint64_t le64(const unsigned char *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

/*
 * The member names as stored in a zip's central directory, NULL when it
 * cannot be read.  GDAL's listing leaves out names that are absolute or
 * climb out with '..'; a reviewer must hear of them, so read them here.
 */
static char **zip_raw_names(const char *vsipath)
{
    char **names = NULL;
    unsigned char *tail = NULL, *cd = NULL;
    VSILFILE *f = VSIFOpenL(vsipath, "rb");
    if (!f)
        return NULL;
    if (VSIFSeekL(f, 0, SEEK_END) != 0)
        goto cleanup;
    uint64_t size = VSIFTellL(f);
    size_t nt = size < 65557 ? (size_t)size : 65557;
    if (nt < 22 || !(tail = malloc(nt)) || VSIFSeekL(f, size - nt, SEEK_SET) != 0 ||
        VSIFReadL(tail, 1, nt, f) != nt)
        goto cleanup;
    size_t e = nt - 22 + 1;
    while (e-- > 0)
        if (le32(tail + e) == 0x06054b50)
            break;
    if (e == (size_t)-1)
        goto cleanup;
    uint64_t count = le16(tail + e + 10), cdsize = le32(tail + e + 12),
             cdoff = le32(tail + e + 16);
    if ((count == 0xFFFF || cdsize == 0xFFFFFFFF || cdoff == 0xFFFFFFFF) && e >= 20 &&
        le32(tail + e - 20) == 0x07064b50) {
        unsigned char z[56];
        uint64_t zoff = le64(tail + e - 20 + 8);
        if (VSIFSeekL(f, zoff, SEEK_SET) != 0 || VSIFReadL(z, 1, 56, f) != 56 ||
            le32(z) != 0x06064b50)
            goto cleanup;
        count = le64(z + 32);
        cdsize = le64(z + 40);
        cdoff = le64(z + 48);
    }
    /* 256 MiB of directory is far beyond any delivery. */
    if (cdsize > (256u << 20) || cdoff > size || cdsize > size - cdoff)
        goto cleanup;
    if (!(cd = malloc(cdsize + 1)) || VSIFSeekL(f, cdoff, SEEK_SET) != 0 ||
        VSIFReadL(cd, 1, cdsize, f) != cdsize)
        goto cleanup;
    names = CSLAddString(NULL, ""); /* never NULL once read, even for no members */
    size_t p = 0;
    for (uint64_t k = 0; k < count && p + 46 <= cdsize && le32(cd + p) == 0x02014b50; k++) {
        size_t nl = le16(cd + p + 28), xl = le16(cd + p + 30), cl = le16(cd + p + 32);
        if (p + 46 + nl > cdsize)
            break;
        char *name = malloc(nl + 1);
        if (!name)
            break;
        memcpy(name, cd + p + 46, nl);
        name[nl] = '\0';
        names = CSLAddString(names, name);
        free(name);
        p += 46 + nl + xl + cl;
    }
cleanup:
    free(tail);
    free(cd);
    VSIFCloseL(f);
    return names;
}

static int walk_zip(walker *W, const char *vsi_zip, const char *display,
                    const char *dir, int depth);

/* One listed member of a zip: a dataset, a zip within, or skipped. */
static int zip_member(walker *W, const char *vsi, const char *m, const char *display,
                      const char *dir, int depth)
{
    char *shown = zip_display_name(m);
    char *disp = shown ? aprintf("%s/%s", display, shown) : NULL;
    char *open = aprintf("%s/%s", vsi, m);
    int ok = disp && open;
    if (!ok) {
    } else if (ends_ci(m, ".zip")) {
        if (depth + 1 >= RL_AUDIT_ZIP_DEPTH) {
            ok = add_problem(W->E, disp, "nested_zip", 2,
                             aprintf("%s: zip inside %d zips: not opened", disp,
                                     depth + 1),
                             ZH_TEXT(W->E, "%s：嵌套在 %d 层 zip 中的 zip：未打开", disp,
                                     depth + 1));
        } else {
            char *inner = aprintf("/vsizip/{%s}", open);
            ok = inner && walk_zip(W, inner, disp, dir, depth + 1);
            free(inner);
        }
    } else if (is_vector_ext(m)) {
        ok = add_entry(W->E, disp, open, dir) != NULL;
    } else if (!is_sidecar(m)) {
        W->E->skipped++;
    }
    free(shown);
    free(disp);
    free(open);
    return ok;
}

/* vsi_zip is "/vsizip/PATH" or "/vsizip/{/vsizip/...}" for a zip within a zip. */
static int walk_zip(walker *W, const char *vsi_zip, const char *display,
                    const char *dir, int depth)
{
    /* GDAL warns about names it cannot recode; the library stays quiet. */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    char **list = VSIReadDirRecursive(vsi_zip);
    char **raw = zip_raw_names(vsi_zip + strlen("/vsizip/"));
    CPLPopErrorHandler();
    /* For a zip within a zip, the raw reader needs the member's own path. */
    if (!raw && vsi_zip[8] == '{') {
        char *inner = rl_strdup(vsi_zip + 9);
        if (inner && *inner)
            inner[strlen(inner) - 1] = '\0';
        CPLPushErrorHandler(CPLQuietErrorHandler);
        raw = inner ? zip_raw_names(inner) : NULL;
        CPLPopErrorHandler();
        free(inner);
    }
    int n = CSLCount(list), ok = 1;
    if (n > 1)
        qsort(list, (size_t)n, sizeof *list, cmp_str);
    if (!raw && n == 0) {
        ok = add_problem(W->E, display, "unreadable", 2,
                         aprintf("%s: not a zip archive GDAL can list", display),
                         ZH_TEXT(W->E, "%s：不是 GDAL 能列出内容的 zip 压缩包", display));
    }
    for (int i = 0; i < n && ok; i++) {
        size_t len = strlen(list[i]);
        if (len && list[i][len - 1] == '/')
            continue;
        ok = zip_member(W, vsi_zip, list[i], display, dir, depth);
    }
    /* Members GDAL left out: their names climb out of the folder. */
    int nraw = CSLCount(raw);
    if (nraw > 1)
        qsort(raw, (size_t)nraw, sizeof *raw, cmp_str);
    for (int i = 0; i < nraw && ok; i++) {
        const char *m = raw[i];
        size_t len = strlen(m);
        if (!len || m[len - 1] == '/' || m[len - 1] == '\\' || !unsafe_member(m))
            continue;
        if (!is_vector_ext(m) && !ends_ci(m, ".zip")) {
            W->E->skipped += !is_sidecar(m);
            continue;
        }
        char *shown = raw_display_name(m);
        char *disp = shown ? aprintf("%s/%s", display, shown) : NULL;
        ok = disp && add_problem(W->E, disp, "unsafe_path", 2,
                                 aprintf("%s: member name is absolute or climbs out "
                                         "with '..': not audited, and unzipping this "
                                         "archive would write outside its folder",
                                         disp),
                                 ZH_TEXT(W->E, "%s：成员名为绝对路径或用“..”跳出：未审查，"
                                         "解压此压缩包会写到其文件夹之外", disp));
        free(shown);
        free(disp);
    }
    CSLDestroy(list);
    CSLDestroy(raw);
    return ok;
}

/*
 * A part of dataset `name` (same stem, an extension no dataset has, such as
 * .cpg or .shp.xml) that is not a regular file, or NULL.  GDAL would open it
 * with the dataset and block.
 */
static const char *odd_sidecar(const char *name, char **odd, size_t nodd)
{
    const char *dot = strrchr(name, '.');
    size_t stem = dot ? (size_t)(dot - name) : strlen(name);
    for (size_t k = 0; k < nodd; k++)
        if (strncasecmp(odd[k], name, stem) == 0 && odd[k][stem] == '.' &&
            !is_vector_ext(odd[k]) && !ends_ci(odd[k], ".zip"))
            return odd[k];
    return NULL;
}

/*
 * Walk the folder open as dfd, `rel` (raw bytes, relative to DIR) shown as
 * `display`.  Only regular files are ever opened: reading a FIFO blocks for
 * good.  Folders are entered once each, by device and inode, so links and
 * loops cost one listing, not an exponential walk.
 */
static int walk(walker *W, int dfd, const char *rel, const char *display)
{
    entries *E = W->E;
    int fd2 = dup(dfd);
    DIR *d = fd2 >= 0 ? fdopendir(fd2) : NULL;
    if (!d) {
        if (fd2 >= 0)
            close(fd2);
        const int err = errno;
        return add_problem(E, *display ? display : ".", "unreadable", 2,
                           aprintf("%s: folder cannot be read: %s",
                                   *display ? display : ".", strerror(err)),
                           ZH_TEXT(E, "%s：无法读取文件夹：“%s”",
                                   *display ? display : ".", strerror(err)));
    }
    char **names = NULL, **odd = NULL;
    size_t n = 0, cap = 0, nodd = 0;
    struct stat *sbs = NULL;
    int ok = 1;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **v = realloc(names, cap * sizeof *v);
            if (!v) {
                ok = 0;
                break;
            }
            names = v;
        }
        if (!(names[n] = rl_strdup(de->d_name))) {
            ok = 0;
            break;
        }
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_str);
    sbs = calloc(n + 1, sizeof *sbs);
    odd = calloc(n + 1, sizeof *odd);
    ok = ok && sbs && odd;
    for (size_t i = 0; ok && i < n; i++) {
        /* A dangling or self-referring link has no mode: it is skipped. */
        if (fstatat(dfd, names[i], &sbs[i], 0) != 0)
            sbs[i].st_mode = 0;
        else if (!S_ISREG(sbs[i].st_mode) && !S_ISDIR(sbs[i].st_mode))
            odd[nodd++] = names[i];
    }
    for (size_t i = 0; ok && i < n; i++) {
        const char *name = names[i];
        const struct stat *sb = &sbs[i];
        char *r = join(rel, name), *disp = join(display, name);
        char *full = r ? aprintf("%s/%s", W->root, r) : NULL;
        if (!r || !disp || !full) {
            ok = 0;
        } else if (sb->st_mode == 0) {
            E->skipped++;
        } else if (S_ISDIR(sb->st_mode)) {
            const char *first = seen_find(&W->dirs, sb->st_dev, sb->st_ino);
            int loop = 0;
            for (size_t k = 0; k < W->nchain; k++)
                loop |= W->chain[k].st_dev == sb->st_dev && W->chain[k].st_ino == sb->st_ino;
            if (loop || first) {
                ok = add_problem(E, disp, loop ? "link_loop" : "duplicate_path", 1,
                                 loop ? aprintf("%s: leads back to %s%s: not followed", disp,
                                                first && *first ? first : "the audited folder",
                                                first && *first ? ", which encloses it" : "")
                                      : aprintf("%s: same folder as %s, audited there",
                                                disp, first),
                                 loop ? ZH_TEXT(E, "%s：指回%s%s：未跟随", disp,
                                                first && *first ? first : "所审查的文件夹",
                                                first && *first ? "（包含它的文件夹）" : "")
                                      : ZH_TEXT(E, "%s：与 %s 是同一文件夹，已在那里审查",
                                                disp, first));
            } else if (ends_ci(name, ".gdb")) {
                /* A FileGDB folder is one dataset. */
                int long_path = strlen(full) > RL_AUDIT_PATH_ROOM;
                ok = seen_add(&W->dirs, sb->st_dev, sb->st_ino, disp) &&
                     add_entry(E, disp, long_path ? name : full, long_path ? rel : NULL);
            } else {
                int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (W->nchain == W->capchain) {
                    size_t c = W->capchain ? W->capchain * 2 : 16;
                    struct stat *v = realloc(W->chain, c * sizeof *v);
                    if (v)
                        W->chain = v, W->capchain = c;
                }
                if (sub < 0) {
                    const int err = errno;
                    ok = add_problem(E, disp, "unreadable", 2,
                                     aprintf("%s: folder cannot be read: %s", disp,
                                             strerror(err)),
                                     ZH_TEXT(E, "%s：无法读取文件夹：“%s”", disp,
                                             strerror(err)));
                } else if (W->nchain < W->capchain &&
                           seen_add(&W->dirs, sb->st_dev, sb->st_ino, disp)) {
                    W->chain[W->nchain++] = *sb;
                    ok = walk(W, sub, r, disp);
                    W->nchain--;
                } else {
                    ok = 0;
                }
                if (sub >= 0)
                    close(sub);
            }
        } else if (!S_ISREG(sb->st_mode)) {
            /* FIFO, socket, device: opening may block for good. */
            const char *kind = S_ISFIFO(sb->st_mode)   ? "a FIFO (named pipe)"
                               : S_ISSOCK(sb->st_mode) ? "a socket"
                                                       : "a device";
            if (!is_sidecar(name)) {
                int data = is_vector_ext(name) || ends_ci(name, ".zip");
                ok = add_problem(E, disp, "not_regular_file", data ? 2 : 1,
                                 aprintf("%s: is %s, not a regular file: not opened", disp,
                                         kind),
                                 ZH_TEXT(E, "%s：是%s，不是普通文件：未打开", disp,
                                         S_ISFIFO(sb->st_mode)   ? "命名管道（FIFO）"
                                         : S_ISSOCK(sb->st_mode) ? "套接字"
                                                                 : "设备文件"));
            }
        } else if (!is_vector_ext(name) && !ends_ci(name, ".zip")) {
            E->skipped += !is_sidecar(name);
        } else {
            const char *first = seen_find(&W->files, sb->st_dev, sb->st_ino);
            const char *side = odd_sidecar(name, odd, nodd);
            int long_path = strlen(full) > RL_AUDIT_PATH_ROOM;
            if (first) {
                ok = add_problem(E, disp, "duplicate_path", 1,
                                 aprintf("%s: same file as %s, audited there", disp, first),
                                 ZH_TEXT(E, "%s：与 %s 是同一文件，已在那里审查", disp,
                                         first));
            } else if (!seen_add(&W->files, sb->st_dev, sb->st_ino, disp)) {
                ok = 0;
            } else if (side) {
                ok = add_problem(E, disp, "not_regular_file", 2,
                                 aprintf("%s: its part %s is not a regular file (a FIFO, "
                                         "socket or device): not opened",
                                         disp, side),
                                 ZH_TEXT(E, "%s：其组成文件 %s 不是普通文件（命名管道、套接字"
                                         "或设备文件）：未打开", disp, side));
            } else if (ends_ci(name, ".zip")) {
                char *vsi = NULL;
                if (!long_path) {
                    vsi = aprintf("/vsizip/%s", full);
                } else {
                    /* Too long for the system: list it through its descriptor. */
                    int zfd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
                    if (zfd >= 0 && W->nfds == W->capfds) {
                        size_t c = W->capfds ? W->capfds * 2 : 8;
                        int *v = realloc(W->fds, c * sizeof *v);
                        if (v)
                            W->fds = v, W->capfds = c;
                    }
                    if (zfd >= 0 && W->nfds < W->capfds) {
                        W->fds[W->nfds++] = zfd;
                        vsi = aprintf("/vsizip/{/proc/self/fd/%d}", zfd);
                    } else if (zfd >= 0) {
                        close(zfd);
                    }
                }
                if (vsi) {
                    /* Members under a long path are opened relative to the folder. */
                    char *rvsi = long_path ? aprintf("/vsizip/%s", name) : NULL;
                    size_t before = E->n;
                    ok = walk_zip(W, vsi, disp, long_path ? rel : NULL, 0);
                    for (size_t k = before; ok && rvsi && k < E->n; k++) {
                        if (!E->v[k].dir)
                            continue;
                        char *at = strstr(E->v[k].open, vsi);
                        if (!at)
                            continue;
                        char *o = aprintf("%.*s%s%s", (int)(at - E->v[k].open),
                                          E->v[k].open, rvsi, at + strlen(vsi));
                        if (!o)
                            ok = 0;
                        free(E->v[k].open);
                        E->v[k].open = o;
                    }
                    free(rvsi);
                } else {
                    const int err = errno;
                    ok = add_problem(E, disp, "unreadable", 2,
                                     aprintf("%s: cannot be opened: %s", disp,
                                             strerror(err)),
                                     ZH_TEXT(E, "%s：无法打开：“%s”", disp, strerror(err)));
                }
                free(vsi);
            } else {
                ok = add_entry(E, disp, long_path ? name : full, long_path ? rel : NULL) != NULL;
            }
        }
        free(r);
        free(disp);
        free(full);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(odd);
    free(sbs);
    return ok;
}

/* ---- per-file checks, run in the child ---- */

typedef struct problems {
    rl_buf json, codes, msgs, msgs_zh;
    int n;
    int status; /* worst: 0 ok, 1 warn, 2 error */
    int zh;     /* 1: msgs_zh gets the Chinese texts (a shard's part is merged in either language) */
} problems;

static void problem_v(problems *P, int severity, const char *code, const char *zh,
                      const char *en, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/*
 * A problem in English (en, for the JSON) and Chinese (zh, for the other
 * formats under --lang zh), both formats taking the same arguments: the
 * snprintf that never runs lets the compiler check zh's against them too.
 */
#define problem(P, severity, code, zh, en, ...)                                   \
    do {                                                                          \
        if (0)                                                                    \
            (void)snprintf(NULL, 0, zh, __VA_ARGS__);                             \
        problem_v(P, severity, code, zh, en, __VA_ARGS__);                        \
    } while (0)

/*
 * Problem lines for tables: control characters from file names are shown
 * escaped, so that a name can neither end a line nor forge the separator.
 */
static void put_escaped(rl_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n')
            rl_buf_puts(b, "\\n");
        else if (*p == '\r')
            rl_buf_puts(b, "\\r");
        else if (*p == '\t')
            rl_buf_puts(b, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            rl_buf_printf(b, "\\x%02x", *p);
        else
            rl_buf_putn(b, (const char *)p, 1);
    }
}

/* msg: English, for the JSON; text: what the other formats show (NULL: msg). */
static void problem_msg(problems *P, int severity, const char *code, const char *msg,
                        const char *text)
{
    rl_buf_puts(&P->json, P->n ? ", {\"code\": " : "{\"code\": ");
    rl_buf_json_str(&P->json, code);
    rl_buf_puts(&P->json, ", \"severity\": ");
    rl_buf_json_str(&P->json, severity == 2 ? "error" : "warn");
    rl_buf_puts(&P->json, ", \"message\": ");
    rl_buf_json_str(&P->json, msg);
    rl_buf_puts(&P->json, "}");
    rl_buf_puts(&P->codes, P->n ? ";" : "");
    rl_buf_puts(&P->codes, code);
    rl_buf_puts(&P->msgs, P->n ? RL_AUDIT_SEP : "");
    put_escaped(&P->msgs, msg);
    rl_buf_puts(&P->msgs_zh, P->n ? RL_AUDIT_SEP : "");
    put_escaped(&P->msgs_zh, text ? text : msg);
    P->n++;
    if (severity > P->status)
        P->status = severity;
}

static void problem_v(problems *P, int severity, const char *code, const char *zh,
                      const char *en, ...)
{
    /* Not cut: a path may be longer than any fixed buffer. */
    va_list ap, ap2;
    va_start(ap, en);
    va_copy(ap2, ap);
    char *msg = vaprintf(en, ap);
    char *text = P->zh ? vaprintf(zh, ap2) : NULL;
    va_end(ap2);
    va_end(ap);
    problem_msg(P, severity, code, msg ? msg : code, text);
    free(msg);
    free(text);
}

/* 1 if the .shp has a sibling with extension ext (either case). */
static int sibling(const char *shp, const char *ext)
{
    char p[PATH_MAX + 16];
    return rl_shp_sibling(shp, ext, p, sizeof p);
}

static void list_fids(rl_buf *b, const rl_layer *L, int (*pick)(const rl_feature *),
                      size_t *count)
{
    *count = 0;
    for (size_t i = 0; i < L->n; i++) {
        if (!pick(&L->feat[i]))
            continue;
        if (*count < 10)
            rl_buf_printf(b, "%s%" PRId64, *count ? ", " : "", (int64_t)L->feat[i].fid);
        else if (*count == 10)
            rl_buf_puts(b, ", ...");
        (*count)++;
    }
}

static int pick_null(const rl_feature *f)
{
    return f->status == RL_FEAT_NULL || f->status == RL_FEAT_EMPTY;
}
static int pick_repaired(const rl_feature *f) { return f->repaired && f->geom; }
static int pick_broken(const rl_feature *f)
{
    return f->status == RL_FEAT_COLLAPSED || f->status == RL_FEAT_BAD;
}
static int pick_notpoly(const rl_feature *f) { return f->status == RL_FEAT_NOT_POLYGON; }

/*
 * Is the layer's extent inside its CRS's area of use (with a margin)?  When
 * not, says why in why (in Chinese when zh).
 */
static int coords_fit_crs(rl_ctx *ctx, const rl_layer *L, char *why, size_t n, int zh)
{
    double minx = 1e300, miny = 1e300, maxx = -1e300, maxy = -1e300;
    int any = 0;
    for (size_t i = 0; i < L->n; i++) {
        const GEOSGeometry *g = L->feat[i].geom;
        double a, b, c, d;
        if (L->feat[i].status == RL_FEAT_OUTSIDE_CRS) {
            /* Left without geometry by the reader; its extent was kept. */
            a = L->feat[i].env[0], b = L->feat[i].env[1];
            c = L->feat[i].env[2], d = L->feat[i].env[3];
        } else if (!g || !GEOSGeom_getXMin_r(ctx->geos, g, &a) ||
            !GEOSGeom_getYMin_r(ctx->geos, g, &b) ||
            !GEOSGeom_getXMax_r(ctx->geos, g, &c) || !GEOSGeom_getYMax_r(ctx->geos, g, &d))
            continue;
        any = 1;
        minx = a < minx ? a : minx;
        miny = b < miny ? b : miny;
        maxx = c > maxx ? c : maxx;
        maxy = d > maxy ? d : maxy;
    }
    if (!any)
        return 1;
    double lon[4] = {minx, maxx, minx, maxx}, lat[4] = {miny, miny, maxy, maxy};
    if (!L->crs->geographic) {
        PJ *pj = rl_ctx_pj(ctx, L->crs->def, L->crs->geog_def);
        if (!pj)
            return 1;
        proj_trans_generic(pj, PJ_FWD, lon, sizeof *lon, 4, lat, sizeof *lat, 4,
                           NULL, 0, 0, NULL, 0, 0);
    }
    for (int i = 0; i < 4; i++) {
        if (!(lon[i] >= -180 && lon[i] <= 180 && lat[i] >= -90 && lat[i] <= 90)) {
            if (zh)
                snprintf(why, n,
                         "范围 %.3f,%.3f - %.3f,%.3f 不可能在 %s 中（%s）；.prj 或单位错了？",
                         minx, miny, maxx, maxy, L->crs->name,
                         L->crs->geographic ? "经纬度" : "投影到地球之外");
            else
                snprintf(why, n,
                         "extent %.3f,%.3f - %.3f,%.3f cannot be in %s (%s); wrong "
                         ".prj or wrong units?",
                         minx, miny, maxx, maxy, L->crs->name,
                         L->crs->geographic ? "longitude/latitude degrees"
                                            : "it maps outside the globe");
            return 0;
        }
    }
    double w, s, e, nn;
    const char *area = NULL;
    if (!OSRGetAreaOfUse(L->crs->srs, &w, &s, &e, &nn, &area))
        return 1;
    /* One degree of slack: zone strips are often used a little beyond. */
    const double m = 1.0;
    for (int i = 0; i < 4; i++) {
        int in_lon = w <= e ? (lon[i] >= w - m && lon[i] <= e + m)
                            : (lon[i] >= w - m || lon[i] <= e + m);
        if (!in_lon || lat[i] < s - m || lat[i] > nn + m) {
            if (zh)
                snprintf(why, n,
                         "范围 %.3f,%.3f - %.3f,%.3f 位于经度 %.4f 纬度 %.4f，在 %s 的适用范围"
                         "（%s：%.1f..%.1f E，%.1f..%.1f N）之外；.prj 或分带错了？",
                         minx, miny, maxx, maxy, lon[i], lat[i], L->crs->name,
                         area ? area : "?", w, e, s, nn);
            else
            snprintf(why, n,
                     "extent %.3f,%.3f - %.3f,%.3f lies at lon %.4f lat %.4f, "
                     "outside the area of use of %s (%s: %.1f..%.1f E, "
                     "%.1f..%.1f N); wrong .prj or zone?",
                     minx, miny, maxx, maxy, lon[i], lat[i], L->crs->name,
                     area ? area : "?", w, e, s, nn);
            return 0;
        }
    }
    return 1;
}

/* Fill f (but its path) from a file's problems, layer and verdicts. */
static void fill_file(rl_audit_file *f, const char *display, problems *P,
                      const rl_layer *LL, const size_t counts[4], const char *fps,
                      const char *hits)
{
    rl_buf o = {0};
    rl_buf_puts(&o, "{\"path\": ");
    rl_buf_json_str(&o, display);
    rl_buf_puts(&o, ", \"status\": ");
    rl_buf_json_str(&o, P->status == 2 ? "error" : P->status ? "warn" : "ok");
    rl_buf_puts(&o, ", \"layer\": ");
    if (LL)
        rl_buf_json_str(&o, LL->layer_name);
    else
        rl_buf_puts(&o, "null");
    rl_buf_puts(&o, ", \"crs\": ");
    if (LL && LL->crs)
        rl_buf_json_str(&o, LL->crs->name);
    else
        rl_buf_puts(&o, "null");
    rl_buf_printf(&o, ", \"features\": %zu,\n   \"problems\": [%s],\n   \"footprints\": [%s]}",
                  LL ? LL->n : 0, P->json.s ? P->json.s : "", fps ? fps : "");
    f->status = P->status;
    f->features = LL ? LL->n : 0;
    memcpy(f->counts, counts, sizeof f->counts);
    f->codes = rl_strdup(P->codes.s ? P->codes.s : "");
    rl_buf_puts(&P->msgs, "\x1e"); /* then the Chinese ones: rl_label_audit_messages() */
    rl_buf_puts(&P->msgs, P->msgs_zh.s ? P->msgs_zh.s : "");
    f->messages = rl_strdup(P->msgs.s ? P->msgs.s : "");
    f->json = o.s ? o.s : rl_strdup("{}");
    f->hits = hits && *hits ? rl_strdup(hits) : NULL;
    rl_buf_free(&P->json);
    rl_buf_free(&P->codes);
    rl_buf_free(&P->msgs);
    rl_buf_free(&P->msgs_zh);
}

/* A file the walk judged without opening it. */
static void fill_walk_problem(rl_audit_file *f, const entry *e)
{
    problems P = {0};
    const size_t zero[4] = {0, 0, 0, 0};
    problem_msg(&P, e->severity, e->code, e->msg, e->text);
    fill_file(f, e->display, &P, NULL, zero, NULL, NULL);
}

/* Check and screen one dataset into f (but f->path). */
static void audit_one(rl_ctx *ctx, const rl_audit_options *ao,
                      rl_control *controls, int ncontrols, const entry *e,
                      rl_audit_file *f)
{
    const rl_screen_options *so = ao->s;
    problems P = {.zh = 1};
    rl_layer *L = NULL;
    char *open = rl_strdup(e->open);
    size_t counts[4] = {0, 0, 0, 0};
    rl_screen_data d = {0};
    rl_buf fps = {0}, hits = {0};
    VSIStatBufL sb;

    if (VSIStatL(e->open, &sb) == 0 && !VSI_ISDIR(sb.st_mode) && sb.st_size == 0) {
        problem(&P, 2, "unreadable", "%s：文件为零字节", "%s: zero-byte file", e->display);
        goto emit;
    }
    int is_shp = ends_ci(e->open, ".shp");
    if (is_shp) {
        if (!sibling(e->open, "dbf"))
            problem(&P, 1, "missing_dbf", "%s：旁边没有 .dbf，属性丢失",
                    "%s: no .dbf beside it: attributes are lost",
                    e->display);
        if (!sibling(e->open, "prj"))
            problem(&P, so->c.assume_srs ? 1 : 2, "missing_prj", "%s：没有 .prj，坐标系未知%.0s%s",
                    "%s: no .prj: CRS unknown%s%.0s", e->display,
                    so->c.assume_srs ? "; --assume-srs used" : "; give --assume-srs",
                    so->c.assume_srs ? "；已用 --assume-srs" : "；请给出 --assume-srs");
        if (!sibling(e->open, "shx")) {
            problem(&P, 1, "missing_shx", "%s：没有 .shx，已在内存中重建索引（不改动文件夹）",
                    "%s: no .shx: index rebuilt in memory (the folder is not "
                    "changed)",
                    e->display);
        }
    }
    /* Unreadable records are kept, as screen keeps them: same figures. */
    rl_input_opts io = {.assume_srs = so->c.assume_srs, .encoding = so->c.encoding,
                        .allow_no_crs = 1, .keep_unreadable = 1,
                        .keep_lines = rl_linear_wanted(so)};
    if (rl_layer_read(ctx, open, &io, &L) != RL_OK) {
        /* Say it with the path the reviewer knows. */
        const char *msg = rl_ctx_errmsg(ctx);
        const char *rest = strncmp(msg, open, strlen(open)) == 0 ? msg + strlen(open) : msg;
        /* Under zh, GDAL's own words are kept, quoted. */
        const char *why = rest != msg && strncmp(rest, ": ", 2) == 0 ? rest + 2 : rest;
        static const char cannot[] = "cannot open as a vector dataset";
        const int vec = strncmp(why, cannot, sizeof cannot - 1) == 0;
        const char *after = vec ? why + sizeof cannot - 1 : why;
        char *zh = !P.zh ? NULL
                   : !vec ? aprintf("无法读取：“%s”", why)
                   : strncmp(after, ": ", 2) == 0
                       ? aprintf("无法作为矢量数据集打开：“%s”", after + 2)
                       : aprintf("无法作为矢量数据集打开%s", after);
        problem(&P, 2, "unreadable", "%s%.0s：%.0s%s", "%s%s%s%.0s", e->display,
                rest == msg ? ": " : "", rest, zh ? zh : "");
        free(zh);
        goto emit;
    }
    /* Footprint sources and messages show the path the reviewer knows. */
    free(L->path);
    L->path = rl_strdup(e->display);
    /* With --line-width &c. lines and points are screened as corridors and squares. */
    if (!io.keep_lines &&
        (L->geom_type == wkbPoint || L->geom_type == wkbMultiPoint ||
         L->geom_type == wkbLineString || L->geom_type == wkbMultiLineString)) {
        problem(&P, 2, "not_polygon", "%s：图层“%s”的几何为 %s，不是面",
                "%s: layer '%s' holds %s geometries, not polygons",
                e->display, L->layer_name,
                OGRGeometryTypeToName((OGRwkbGeometryType)L->geom_type));
        goto emit;
    }
    size_t npoly = 0, nother = 0;
    for (size_t i = 0; i < L->n; i++) {
        npoly += L->feat[i].status == RL_FEAT_OK || L->feat[i].status == RL_FEAT_COLLAPSED ||
                 L->feat[i].status == RL_FEAT_BAD || rl_feat_untrusted(L->feat[i].status);
        nother += L->feat[i].status == RL_FEAT_NOT_POLYGON;
    }
    if (npoly == 0 && nother > 0) {
        /* A mixed-type layer of points and lines: nothing to screen. */
        problem(&P, 2, "not_polygon", "%s：图层“%s”没有面（%zu 个点或线要素）",
                "%s: layer '%s' holds no polygons (%zu point or line features)", e->display, L->layer_name, nother);
        goto emit;
    }
    if (L->unreadable)
        problem(&P, 2, "unreadable",
                "%s：%zu 条记录（共 %zu 条）无法读取（文件损坏或被截断），第一个 FID %lld："
                "“%s”；可读的记录照常筛查",
                "%s: %zu of %zu records unreadable (corrupt or truncated file), first "
                "FID %lld: %s; the readable ones are screened",
                e->display, L->unreadable, L->n, L->unreadable_fid,
                L->unreadable_msg ? L->unreadable_msg : "read error");
    if (L->n == 0) {
        problem(&P, 2, "empty_layer", "%s：图层“%s”没有要素", "%s: layer '%s' has no features",
                e->display,
                L->layer_name);
        goto emit;
    }
    size_t k;
    rl_buf fids = {0};
    list_fids(&fids, L, pick_null, &k);
    if (k)
        problem(&P, 1, "null_geometry", "%s：%zu 个要素几何为空：FID %s",
                "%s: %zu feature(s) with null or empty geometry: FID %s",
                e->display, k, fids.s);
    rl_buf_free(&fids);
    list_fids(&fids, L, pick_notpoly, &k);
    if (k)
        problem(&P, 1, "not_polygon", "%s：%zu 个要素不是面：FID %s",
                "%s: %zu feature(s) are not polygons: FID %s",
                e->display, k, fids.s);
    rl_buf_free(&fids);
    list_fids(&fids, L, pick_repaired, &k);
    if (k)
        problem(&P, 1, "invalid_geometry", "%s：%zu 个无效几何%.0s已用 MakeValid 修复：FID %s",
                "%s: %zu invalid geometr%s repaired with MakeValid: FID %s", e->display,
                k, k == 1 ? "y" : "ies", fids.s);
    rl_buf_free(&fids);
    list_fids(&fids, L, pick_broken, &k);
    if (k)
        problem(&P, 1, "invalid_geometry", "%s：%zu 个无效几何%.0s修复后面积为零：FID %s",
                "%s: %zu invalid geometr%s left no area after repair: FID %s",
                e->display, k, k == 1 ? "y" : "ies", fids.s);
    rl_buf_free(&fids);
    if (L->text_bad) {
        /* The first warning, without the path it was read under. */
        const char *w = L->warnings.n ? L->warnings.s[0] : "";
        const char *at = strstr(w, ": FID ");
        at = at ? at : strstr(w, ": field name ");
        problem(&P, 1, "text_not_decodable",
                "%s：%zu 个属性值或字段名含有按文件编码无法解码的字节，已替换为 U+FFFD（第一个%s）",
                "%s: %zu value(s) or field name(s) held bytes that do not decode in the "
                "file's encoding, replaced with U+FFFD (first%s)",
                e->display, L->text_bad, at ? at : ": ?");
    }
    if (L->encoding_guessed)
        problem(&P, 1, "encoding_unknown",
                "%s：文本不是 UTF-8，也没有 .cpg 或代码页：按 GBK 解码（可用 --encoding 指定）",
                "%s: text is not UTF-8 and there is no .cpg or code page: decoded "
                "as GBK (use --encoding to choose)",
                e->display);
    /* A .prj GDAL cannot turn into a CRS is not a missing one. */
    if (is_shp && sibling(open, "prj") && (!L->crs || L->crs_assumed))
        problem(&P, L->crs ? 1 : 2, "prj_unreadable", "%s：有 .prj，但 GDAL 无法从中读出坐标系%.0s%s",
                "%s: the .prj is present but GDAL cannot read a CRS from it%s%.0s", e->display,
                L->crs ? "; --assume-srs used" : "; fix it or give --assume-srs",
                L->crs ? "；已用 --assume-srs" : "；请修正或给出 --assume-srs");
    if (!L->crs) {
        if (!is_shp)
            problem(&P, 2, "missing_prj", "%s：图层“%s”没有坐标系；请给出 --assume-srs",
                    "%s: layer '%s' has no CRS; give --assume-srs",
                    e->display, L->layer_name);
        goto emit;
    }
    char why[512], why_zh[512];
    if (!coords_fit_crs(ctx, L, why, sizeof why, 0)) {
        coords_fit_crs(ctx, L, why_zh, sizeof why_zh, 1);
        problem(&P, 2, "coords_outside_crs", "%s：%.0s%s", "%s: %s%.0s", e->display, why,
                why_zh);
        goto emit;
    }
    int idf = so->id_field ? rl_layer_field_index(L, so->id_field) : -1;
    if (so->id_field && idf < 0)
        problem(&P, 1, "missing_id_field", "%s：没有字段“%s”；编号用 FID",
                "%s: no field '%s'; ids are FIDs", e->display,
                so->id_field);
    if (idf >= 0) {
        /* Duplicate ids: sort a copy of the values. */
        const char **v = malloc(L->n * sizeof *v);
        size_t nv = 0, dups = 0;
        rl_buf which = {0};
        for (size_t i = 0; v && i < L->n; i++)
            if (L->feat[i].attrs && L->feat[i].attrs[idf])
                v[nv++] = L->feat[i].attrs[idf];
        if (v && nv > 1)
            qsort(v, nv, sizeof *v, cmp_str);
        for (size_t i = 1; v && i < nv; i++) {
            if (strcmp(v[i], v[i - 1]) == 0 && (i == 1 || strcmp(v[i], v[i - 2]) != 0)) {
                if (dups < 10)
                    rl_buf_printf(&which, "%s'%s'", dups ? ", " : "", v[i]);
                dups++;
            }
        }
        if (dups)
            problem(&P, 1, "duplicate_id", "%s：%zu 个 %s 值重复使用：%s",
                    "%s: %zu %s value(s) used more than once: %s",
                    e->display, dups, so->id_field, which.s);
        rl_buf_free(&which);
        free(v);
    }
    if (ncontrols > 0) {
        rl_screen_options one = *so;
        one.c.jobs = 1; /* parallelism is across files */
        if (idf < 0)
            one.id_field = NULL;
        d.opts = &one;
        d.controls = controls;
        d.ncontrols = ncontrols;
        d.fps = calloc(1, sizeof *d.fps);
        if (d.fps) {
            d.fps[0] = L;
            d.nfps = 1;
            L = NULL;
            rl_status sst = RL_OK;
            if (io.keep_lines && (sst = rl_linear_check_fields(ctx, d.fps[0], so)) == RL_OK)
                sst = rl_screen_run(ctx, &d);
            else if (!io.keep_lines)
                sst = rl_screen_run(ctx, &d);
            /* Phase 1 fails a run only for a line or point it cannot build. */
            if (sst != RL_OK && io.keep_lines && (sst == RL_ERR_INPUT || sst == RL_ERR_USAGE))
                problem(&P, 2, "bad_width", "“%s”", "%s", rl_ctx_errmsg(ctx));
            else if (sst != RL_OK)
                problem(&P, 2, "unreadable", "%s：筛查失败：“%s”", "%s: screening failed: %s",
                        e->display,
                        rl_ctx_errmsg(ctx));
            for (size_t i = 0; i < d.nres; i++) {
                rl_buf_puts(&fps, i ? ",\n    " : "\n    ");
                rl_json_footprint(&fps, &d, i);
            }
            rl_audit_hits_put(&hits, &d);
            memcpy(counts, d.counts, sizeof counts);
        }
    }

emit:;
    const rl_layer *LL = L ? L : (d.nfps ? d.fps[0] : NULL);
    fill_file(f, e->display, &P, LL, counts, fps.s, hits.s);
    rl_buf_free(&fps);
    rl_buf_free(&hits);
    d.controls = NULL;
    rl_screen_results_free(ctx, &d);
    rl_strlist_free(&d.warnings); /* --rules' own; not part of a file's report */
    rl_layer_free(ctx, L);
    free(open);
}

static void crashed(rl_audit_file *f, const char *display, int wstatus)
{
    char msg[512], text[512];
    if (WIFSIGNALED(wstatus)) {
        rl_snprintf(msg, sizeof msg, "%s: reading it crashed (signal %d%s); file skipped",
                    display, WTERMSIG(wstatus),
                    WTERMSIG(wstatus) == SIGALRM ? ", time limit" : "");
        rl_snprintf(text, sizeof text, "%s：读取时崩溃（信号 %d%s）；已跳过该文件",
                    display, WTERMSIG(wstatus),
                    WTERMSIG(wstatus) == SIGALRM ? "，超时" : "");
    } else {
        rl_snprintf(msg, sizeof msg, "%s: reading it failed (exit %d); file skipped",
                    display, WEXITSTATUS(wstatus));
        rl_snprintf(text, sizeof text, "%s：读取失败（退出码 %d）；已跳过该文件",
                    display, WEXITSTATUS(wstatus));
    }
    rl_buf o = {0};
    rl_buf_puts(&o, "{\"path\": ");
    rl_buf_json_str(&o, display);
    rl_buf_puts(&o, ", \"status\": \"error\", \"layer\": null, \"crs\": null, "
                    "\"features\": 0,\n   \"problems\": [{\"code\": \"unreadable\", "
                    "\"severity\": \"error\", \"message\": ");
    rl_buf_json_str(&o, msg);
    rl_buf_puts(&o, "}],\n   \"footprints\": []}");
    f->status = 2;
    f->features = 0;
    memset(f->counts, 0, sizeof f->counts);
    f->codes = rl_strdup("unreadable");
    rl_buf m = {0};
    rl_buf_printf(&m, "%s\x1e%s", msg, text);
    f->messages = m.s;
    f->json = o.s;
}

/* ---- workers: child processes that audit files one at a time ---- */

/*
 * The parent and a worker talk over a socket pair.  The parent sends a
 * file's index (8 bytes, little-endian); the worker answers with one frame:
 * u64 length of the rest, then u64 index, status, features, counts[4], then
 * codes, messages, JSON and hits, each as a u64 length and its bytes.
 * Every field is counted, none is delimited, so nothing in a file name can
 * forge one.
 */

/* A worker is replaced after this many files: drivers' leaks stay bounded. */
#define RL_AUDIT_WORKER_FILES 256

typedef struct worker {
    pid_t pid; /* 0: none */
    int fd;    /* the parent's end, -1: none */
    int busy;
    size_t idx;    /* the file it works on, when busy */
    size_t served; /* files it has finished */
    rl_buf in;     /* the frame being received */
} worker;

static void put_u64(rl_buf *b, uint64_t v)
{
    char x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (char)(v >> (8 * i));
    rl_buf_putn(b, x, 8);
}

static uint64_t get_u64(const char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | (unsigned char)p[i];
    return v;
}

static void put_field(rl_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    put_u64(b, n);
    if (n)
        rl_buf_putn(b, s, n);
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return 0;
        p += k;
        n -= (size_t)k;
    }
    return 1;
}

static int recv_all(int fd, char *p, size_t n)
{
    while (n) {
        ssize_t k = recv(fd, p, n, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return 0;
        p += k;
        n -= (size_t)k;
    }
    return 1;
}

/* Parse one whole frame (its length already taken off) into f; 0 if malformed. */
static int parse_frame(const char *p, size_t n, size_t want_idx, rl_audit_file *f)
{
    if (n < 7 * 8 || get_u64(p) != want_idx || get_u64(p + 8) > 2)
        return 0;
    f->status = (int)get_u64(p + 8);
    f->features = (size_t)get_u64(p + 16);
    for (int k = 0; k < 4; k++)
        f->counts[k] = (size_t)get_u64(p + 24 + 8 * k);
    size_t at = 56;
    char *field[4] = {NULL, NULL, NULL, NULL};
    for (int k = 0; k < 4; k++) {
        if (n - at < 8)
            goto bad;
        uint64_t len = get_u64(p + at);
        if (len > n - at - 8)
            goto bad;
        at += 8;
        if (!(field[k] = malloc((size_t)len + 1)))
            goto bad;
        memcpy(field[k], p + at, (size_t)len);
        field[k][len] = '\0';
        at += (size_t)len;
    }
    if (at != n)
        goto bad;
    f->codes = field[0];
    f->messages = field[1];
    f->json = field[2];
    if (field[3][0])
        f->hits = field[3];
    else
        free(field[3]);
    return 1;
bad:
    for (int k = 0; k < 4; k++)
        free(field[k]);
    return 0;
}

/* chdir into DIR/rel, one component at a time: the whole path is too long. */
static int enter_dir(const char *root, const char *rel)
{
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char *copy = rl_strdup(rel);
    char *save = NULL;
    for (char *c = copy ? strtok_r(copy, "/", &save) : NULL; c && fd >= 0;
         c = strtok_r(NULL, "/", &save)) {
        int sub = openat(fd, c, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        close(fd);
        fd = sub;
    }
    int ok = copy && fd >= 0 && fchdir(fd) == 0;
    if (fd >= 0)
        close(fd);
    free(copy);
    return ok;
}

/* The worker: audit the files the parent names until it closes the socket. */
static void worker_main(const rl_audit_options *ao, const rl_audit_data *d,
                        const entries *E, const char *root, int fd)
{
    /* The time limit must kill, whatever the caller had installed. */
    signal(SIGALRM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    int home = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    /* One context for all its files: PROJ's caches serve them all. */
    rl_ctx *cctx = rl_ctx_new();
    char x[8];
    if (!cctx)
        _exit(3);
    while (recv_all(fd, x, 8)) {
        uint64_t idx = get_u64(x);
        if (idx >= E->n)
            _exit(3);
        const entry *e = &E->v[idx];
        alarm(RL_AUDIT_FILE_SECONDS);
        /* Test hook: proves that a crash in one file is contained. */
        const char *crash = getenv("REDLINE_TEST_CRASH_ON");
        if (crash && strcmp(crash, e->display) == 0)
            raise(SIGSEGV);
        /* Test hook: a worker that never ends, to prove it dies with the parent. */
        const char *hang = getenv("REDLINE_TEST_HANG_ON");
        while (hang && strcmp(hang, e->display) == 0)
            pause();
        rl_audit_file f = {0};
        if (e->dir && !enter_dir(root, e->dir)) {
            entry pe = *e;
            char msg[256], text[256];
            const int err = errno;
            snprintf(msg, sizeof msg, "cannot enter its folder: %s", strerror(err));
            snprintf(text, sizeof text, "无法进入其所在文件夹：“%s”", strerror(err));
            pe.code = "unreadable";
            pe.severity = 2;
            pe.msg = msg;
            pe.text = text;
            fill_walk_problem(&f, &pe);
        } else {
            audit_one(cctx, ao, d->controls, d->ncontrols, e, &f);
        }
        if (e->dir && (home < 0 || fchdir(home) != 0))
            _exit(3);
        rl_ctx_clear(cctx);
        alarm(0);
        rl_buf b = {0};
        put_u64(&b, idx);
        put_u64(&b, (uint64_t)f.status);
        put_u64(&b, f.features);
        for (int k = 0; k < 4; k++)
            put_u64(&b, f.counts[k]);
        put_field(&b, f.codes);
        put_field(&b, f.messages);
        put_field(&b, f.json);
        put_field(&b, f.hits);
        rl_buf hdr = {0};
        put_u64(&hdr, b.len);
        if (b.oom || hdr.oom || !send_all(fd, hdr.s, hdr.len) || !send_all(fd, b.s, b.len))
            _exit(3);
        rl_buf_free(&hdr);
        rl_buf_free(&b);
        free(f.codes);
        free(f.messages);
        free(f.json);
        free(f.hits);
    }
    _exit(0);
}

/* Start a worker in slot s; 0 with a message in ctx on failure. */
static int spawn(rl_ctx *ctx, worker *w, int nw, int s, const rl_audit_options *ao,
                 const rl_audit_data *d, const entries *E, const char *root)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        rl_fail(ctx, RL_ERR_INTERNAL, "socketpair failed: %s", strerror(errno));
        return 0;
    }
    const pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        rl_fail(ctx, RL_ERR_INTERNAL, "fork failed: %s", strerror(errno));
        return 0;
    }
    if (pid == 0) {
        /* Die with the parent; it may have died before this line. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(3);
        /* Other workers' sockets: holding them would hide their deaths. */
        for (int k = 0; k < nw; k++)
            if (w[k].fd >= 0)
                close(w[k].fd);
        close(sv[0]);
        worker_main(ao, d, E, root, sv[1]);
    }
    close(sv[1]);
    w[s].pid = pid;
    w[s].fd = sv[0];
    w[s].busy = 0;
    w[s].served = 0;
    w[s].in.len = 0;
    return 1;
}

/* Close slot s's socket (the worker then exits) and reap it; its wait status. */
static int retire(worker *w)
{
    int wstatus = 0;
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    if (w->pid > 0) {
        while (waitpid(w->pid, &wstatus, 0) < 0 && errno == EINTR)
            ;
    }
    w->pid = 0;
    w->busy = 0;
    w->in.len = 0;
    return wstatus;
}

/* A frame has arrived in full: 1, and f filled; 0 not yet; -1 malformed. */
static int frame_ready(worker *w, rl_audit_file *f)
{
    if (w->in.len < 8)
        return 0;
    uint64_t len = get_u64(w->in.s);
    if (len > w->in.len - 8)
        return 0;
    if (len != w->in.len - 8 || !parse_frame(w->in.s + 8, (size_t)len, w->idx, f))
        return -1;
    w->in.len = 0;
    return 1;
}

static void free_audit(rl_ctx *ctx, void *data)
{
    rl_audit_data *d = data;
    if (!d)
        return;
    for (size_t i = 0; i < d->nfiles; i++) {
        free(d->files[i].path);
        free(d->files[i].codes);
        free(d->files[i].messages);
        free(d->files[i].json);
        free(d->files[i].hits);
    }
    free(d->files);
    rl_controls_free(ctx, d->controls, d->ncontrols);
    rl_buf_free(&d->part);
}

static rl_status write_audit(rl_ctx *ctx, const void *data, FILE *f)
{
    const rl_audit_data *d = data;
    if (d->opts->s->c.shard_count) /* a shard writes its part, built by rl_audit */
        return rl_part_write(ctx, (rl_buf *)&d->part, f);
    return rl_write_audit(ctx, data, f);
}

/* 2 when a file or a footprint could not be processed, else 1 on a conflict. */
static int audit_exit_code(const void *data)
{
    const rl_audit_data *d = data;
    if (d->status_counts[2] || d->counts[RL_V_ERROR])
        return 2;
    return d->counts[RL_V_CONFLICT] ? 1 : 0;
}

/* audit has no pieces: its options refuse --pieces. */
static const rl_report_ops audit_ops = {sizeof(rl_audit_data), free_audit, write_audit,
                                        NULL, audit_exit_code, NULL};

/* One file finished (f filled): count it and tell the progress callback. */
static void finished(const rl_audit_options *ao, const rl_audit_file *f, size_t *done,
                     size_t total)
{
    (*done)++;
    if (ao->progress)
        ao->progress(ao->progress_data, *done, total, f->path);
}

/* ---- sharded audits (docs/scale-out.md) ---- */

/*
 * The files [*lo, *hi) of shard `index` of `count`: the files in walk
 * order, weighed by their size (plus one, so empty files count), cut into
 * contiguous runs of about equal weight.  Every shard walks the same
 * folder, so the runs cover every file exactly once.
 */
static void shard_files(const entries *E, const char *root, int index, int count, size_t *lo,
                        size_t *hi)
{
    double total = 0, before = 0;
    double *w = calloc(E->n + 1, sizeof *w);
    for (size_t i = 0; w && i < E->n; i++) {
        const entry *e = &E->v[i];
        struct stat sb;
        char *p = e->open[0] == '/' ? NULL
                  : e->dir          ? aprintf("%s/%s/%s", root, e->dir, e->open)
                                    : aprintf("%s/%s", root, e->open);
        w[i] = 1 + (!e->code && stat(p ? p : e->open, &sb) == 0 ? (double)sb.st_size : 0);
        total += w[i];
        free(p);
    }
    *lo = *hi = 0;
    int seen = 0;
    for (size_t i = 0; i < E->n; i++) {
        int s = rl_shard_of(before, w ? w[i] : 1, w ? total : 0, i, E->n, count);
        if (s == index && !seen++)
            *lo = i;
        if (s <= index)
            *hi = i + 1;
        before += w ? w[i] : 1;
    }
    if (!seen)
        *lo = *hi;
    free(w);
}

/* The records of files [lo, hi) appended to the part. */
static void part_files(const rl_audit_data *d, size_t lo, size_t hi, rl_buf *b)
{
    rl_buf_printf(b, ",\n \"nfiles\": %zu,\n \"files\": [", d->nfiles);
    for (size_t i = lo; i < hi; i++) {
        const rl_audit_file *f = &d->files[i];
        rl_buf_printf(b, "%s{\"i\": %zu, \"path\": ", i > lo ? ",\n  " : "\n  ", i);
        rl_buf_part_str(b, f->path);
        rl_buf_printf(b, ", \"status\": %d, \"features\": %zu, \"counts\": [%zu, %zu, %zu, %zu]",
                      f->status, f->features, f->counts[0], f->counts[1], f->counts[2],
                      f->counts[3]);
        rl_buf_puts(b, ", \"codes\": ");
        rl_buf_part_str(b, f->codes ? f->codes : "");
        rl_buf_puts(b, ", \"messages\": ");
        rl_buf_part_str(b, f->messages ? f->messages : "");
        rl_buf_puts(b, ", \"json\": ");
        rl_buf_part_str(b, f->json ? f->json : "{}"); /* what the writers put for none */
        rl_buf_puts(b, "}");
    }
    rl_buf_puts(b, "]");
}

/* Every file's record from the parts: each file once, under the path the walk gave it. */
static rl_status merge_files(rl_ctx *ctx, rl_audit_data *d, const rl_part *parts, size_t n)
{
    const rl_part **from = calloc(d->nfiles + 1, sizeof *from);
    if (!from)
        return rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    rl_status st = RL_OK;
    for (size_t p = 0; p < n && !st; p++) {
        size_t nf;
        rl_jv files = rl_jv_get(parts[p].root, "files");
        if (!rl_jv_size(rl_jv_get(parts[p].root, "nfiles"), &nf) || nf != d->nfiles) {
            st = rl_fail(ctx, RL_ERR_USAGE, "%s: its files do not fit the folder as it is now "
                         "(%zu files here)", parts[p].path, d->nfiles);
            break;
        }
        for (size_t k = 0; k < rl_jv_len(files) && !st; k++) {
            rl_jv o = rl_jv_at(files, k), cnt = rl_jv_get(o, "counts");
            size_t i, status, features, c[4];
            const char *path = rl_jv_str(rl_jv_get(o, "path"));
            const char *codes = rl_jv_str(rl_jv_get(o, "codes"));
            const char *msgs = rl_jv_str(rl_jv_get(o, "messages"));
            const char *json = rl_jv_str(rl_jv_get(o, "json"));
            int ok = rl_jv_size(rl_jv_get(o, "i"), &i) && i < d->nfiles && path && codes &&
                     msgs && json && rl_jv_size(rl_jv_get(o, "status"), &status) &&
                     status <= 2 && rl_jv_size(rl_jv_get(o, "features"), &features);
            for (int q = 0; ok && q < 4; q++)
                ok = rl_jv_size(rl_jv_at(cnt, (size_t)q), &c[q]);
            if (!ok) {
                st = rl_fail(ctx, RL_ERR_USAGE, "%s: files[%zu] is not a file's record",
                             parts[p].path, k);
                break;
            }
            if (from[i]) {
                st = rl_fail(ctx, RL_ERR_USAGE, "%s is in both %s and %s", path, from[i]->path,
                             parts[p].path);
                break;
            }
            if (strcmp(path, d->files[i].path) != 0) {
                st = rl_fail(ctx, RL_ERR_USAGE, "%s: file %zu is %s, but the folder now has %s "
                             "there", parts[p].path, i, path, d->files[i].path);
                break;
            }
            from[i] = &parts[p];
            rl_audit_file *f = &d->files[i];
            f->status = (int)status;
            f->features = features;
            for (int q = 0; q < 4; q++)
                f->counts[q] = c[q];
            f->codes = rl_strdup(codes);
            f->messages = rl_strdup(msgs);
            f->json = rl_strdup(json);
            if (!f->codes || !f->messages || !f->json)
                st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        }
    }
    for (size_t i = 0; i < d->nfiles && !st; i++)
        if (!from[i])
            st = rl_fail(ctx, RL_ERR_USAGE, "no part holds %s (file %zu of %zu)",
                         d->files[i].path, i + 1, d->nfiles);
    free(from);
    return st;
}

rl_status rl_audit(rl_ctx *ctx, const rl_audit_options *ao, rl_report **out)
{
    rl_status st = RL_OK;
    entries E = {.zh = 1}; /* the report's language is chosen when it is written */
    walker W = {0};
    worker *w = NULL;
    struct pollfd *pf = NULL;
    int *pw = NULL;
    int rootfd = -1;
    const int jobs = ao->s->c.jobs > 0 ? ao->s->c.jobs : 1;
    *out = NULL;
    rl_report *rep = rl_report_new(ctx, &audit_ops, &ao->s->c);
    if (!rep)
        return ctx->status;
    rl_audit_data *d = rep->data;
    d->opts = ao;
    const rl_screen_options *so = ao->s;

    struct stat sb;
    if (stat(ao->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        st = rl_fail(ctx, RL_ERR_INPUT, "%s: not a directory", ao->dir);
        goto fail;
    }
    if (ao->report_dir && rl_path_inside(ao->dir, ao->report_dir)) {
        st = rl_fail(ctx, RL_ERR_USAGE,
                     "--report-dir %s is inside %s, which audit never writes to",
                     ao->report_dir, ao->dir);
        goto fail;
    }
    /* The report set goes to REPORT_DIR and REPORT_DIR/files: DIR may be neither. */
    if (ao->report_dir && rl_path_inside(ao->report_dir, ao->dir)) {
        st = rl_fail(ctx, RL_ERR_USAGE,
                     "%s is inside --report-dir %s, which audit writes to; give a "
                     "--report-dir outside the audited folder",
                     ao->dir, ao->report_dir);
        goto fail;
    }
    /* -o inside DIR, or on a control layer, would change an input. */
    const char **inputs = malloc(((size_t)so->ncontrols + 1) * sizeof *inputs);
    if (!inputs) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (int k = 0; k < so->ncontrols; k++)
        inputs[k] = so->controls[k].path;
    inputs[so->ncontrols] = so->rules_path; /* NULL: skipped */
    st = rl_outputs_check(ctx, &so->c, inputs, (size_t)so->ncontrols + 1, ao->dir);
    free(inputs);
    if (st)
        goto fail;
    /* A shard leaves --report-dir to merge. */
    if (ao->report_dir && !so->c.shard_count && mkdir(ao->report_dir, 0755) != 0 &&
        errno != EEXIST) {
        st = rl_fail(ctx, RL_ERR_OUTPUT, "%s: cannot create: %s", ao->report_dir,
                     strerror(errno));
        goto fail;
    }
    if ((st = rl_controls_load(ctx, so, &d->controls, &d->ncontrols)))
        goto fail;
    char *root = rl_strdup(ao->dir);
    if (!root) {
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    size_t rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/')
        root[--rl] = '\0';
    W.E = &E;
    W.root = root;
    rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    W.chain = malloc(16 * sizeof *W.chain);
    W.capchain = 16;
    int walked = rootfd >= 0 && W.chain && fstat(rootfd, &W.chain[0]) == 0 &&
                 seen_add(&W.dirs, W.chain[0].st_dev, W.chain[0].st_ino, "");
    W.nchain = 1;
    walked = walked && walk(&W, rootfd, "", "");
    for (size_t k = 0; k < W.nfds; k++)
        close(W.fds[k]);
    if (!walked) {
        free(root);
        st = rootfd < 0 ? rl_fail(ctx, RL_ERR_INPUT, "%s: cannot read: %s", ao->dir,
                                  strerror(errno))
                        : rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    d->skipped = E.skipped;
    d->files = calloc(E.n + 1, sizeof *d->files);
    w = calloc((size_t)jobs, sizeof *w);
    pf = calloc((size_t)jobs, sizeof *pf);
    pw = calloc((size_t)jobs, sizeof *pw);
    if (!d->files || !w || !pf || !pw) {
        free(root);
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (int s = 0; s < jobs; s++)
        w[s].fd = -1;
    d->nfiles = E.n;
    for (size_t i = 0; i < E.n; i++)
        d->files[i].path = rl_strdup(E.v[i].display);
    /*
     * --shard: this shard's run of files only; merge: every file's record
     * from the parts, and no file is opened.
     */
    size_t first = 0, last = E.n;
    if (so->c.shard_count)
        shard_files(&E, root, so->c.shard_index, so->c.shard_count, &first, &last);
    if (so->c.parts) {
        first = last;
        if ((st = merge_files(ctx, d, so->c.parts, so->c.nparts))) {
            free(root);
            goto fail;
        }
    }
    size_t next = first, done = 0;
    fflush(NULL); /* children must not flush the parent's buffers again */
    while (done < last - first) {
        /* Hand out files: one at a time, so a crash names its file. */
        for (int s = 0; s < jobs && next < last; s++) {
            if (w[s].busy)
                continue;
            while (next < last && E.v[next].code) {
                fill_walk_problem(&d->files[next], &E.v[next]);
                finished(ao, &d->files[next], &done, last - first);
                next++;
            }
            if (next == last)
                break;
            if (w[s].pid && w[s].served >= RL_AUDIT_WORKER_FILES)
                retire(&w[s]);
            char x[8];
            for (int i = 0; i < 8; i++)
                x[i] = (char)((uint64_t)next >> (8 * i));
            /* A worker found dead while idle is replaced once. */
            int sent = 0;
            for (int tries = 0; tries < 2 && !sent; tries++) {
                if (!w[s].pid && !spawn(ctx, w, jobs, s, ao, d, &E, root)) {
                    free(root);
                    st = ctx->status;
                    goto fail;
                }
                sent = send_all(w[s].fd, x, 8);
                if (!sent)
                    retire(&w[s]);
            }
            if (!sent) {
                st = rl_fail(ctx, RL_ERR_INTERNAL, "audit workers die at start");
                free(root);
                goto fail;
            }
            w[s].busy = 1;
            w[s].idx = next++;
        }
        if (done == last - first)
            break;
        int np = 0;
        for (int s = 0; s < jobs; s++) {
            if (!w[s].busy)
                continue;
            pf[np].fd = w[s].fd;
            pf[np].events = POLLIN;
            pf[np].revents = 0;
            pw[np++] = s;
        }
        if (np == 0)
            continue;
        if (poll(pf, (nfds_t)np, -1) < 0) {
            if (errno == EINTR)
                continue;
            st = rl_fail(ctx, RL_ERR_INTERNAL, "poll failed: %s", strerror(errno));
            free(root);
            goto fail;
        }
        for (int k = 0; k < np; k++) {
            if (!pf[k].revents)
                continue;
            worker *wk = &w[pw[k]];
            rl_audit_file *f = &d->files[wk->idx];
            char chunk[65536];
            ssize_t got = recv(wk->fd, chunk, sizeof chunk, 0);
            if (got < 0 && errno == EINTR)
                continue;
            int r = 0;
            if (got > 0) {
                rl_buf_putn(&wk->in, chunk, (size_t)got);
                r = wk->in.oom ? -1 : frame_ready(wk, f);
            }
            if (r == 0 && got > 0)
                continue;
            if (r == 1) {
                wk->busy = 0;
                wk->served++;
            } else {
                /* Crashed, ran out of time, or wrote nonsense: that file's error. */
                if (got > 0)
                    kill(wk->pid, SIGKILL);
                crashed(f, f->path, retire(wk));
            }
            finished(ao, f, &done, last - first);
        }
    }
    free(root);
    if (so->c.shard_count) { /* a shard's report is its part */
        rl_part_head(&d->part, "audit", &so->c);
        rl_buf_printf(&d->part, ",\n \"skipped\": %zu", d->skipped);
        part_files(d, first, last, &d->part);
        *out = rep;
        rep = NULL;
        goto fail;
    }
    for (size_t i = 0; i < d->nfiles; i++) {
        const rl_audit_file *f = &d->files[i];
        d->status_counts[f->status < 0 || f->status > 2 ? 2 : f->status]++;
        for (int k = 0; k < 4; k++)
            d->counts[k] += f->counts[k];
    }
    if (ao->report_dir && (st = rl_audit_write_report_dir(ctx, d)))
        goto fail;
    *out = rep;
    rep = NULL;
fail:
    for (int s = 0; w && s < jobs; s++) {
        if (w[s].pid && w[s].busy)
            kill(w[s].pid, SIGKILL);
        retire(&w[s]);
        rl_buf_free(&w[s].in);
    }
    free(w);
    free(pf);
    free(pw);
    if (rootfd >= 0)
        close(rootfd);
    seen_free(&W.dirs);
    seen_free(&W.files);
    free(W.chain);
    free(W.fds);
    for (size_t i = 0; i < E.n; i++) {
        free(E.v[i].display);
        free(E.v[i].open);
        free(E.v[i].dir);
        free(E.v[i].msg);
        free(E.v[i].text);
    }
    free(E.v);
    rl_report_free(rep);
    return st;
}
