/*
 * base.h -- what every stage of libredline needs: the per-thread context,
 * failures, growable buffers and strings, envelope tests.  GEOS is used
 * through its reentrant API only.
 */
#ifndef RL_BASE_H
#define RL_BASE_H

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <proj.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include "redline/redline.h"

#define RL_ERRMSG_MAX 1024

/* ---- context (ctx.c) ---- */

typedef struct rl_pj_cache {
    char *src;     /* definitions the transformation was built from */
    char *dst;
    PJ *pj;
    struct rl_pj_cache *next;
} rl_pj_cache;

/*
 * Work memory a module keeps in the context between calls (big fresh
 * allocations are mapped and faulted in anew each time); the context frees
 * it with the module's own function, so base never calls up into a module.
 */
typedef struct rl_scratch {
    void *p;
    void (*free)(void *p);
} rl_scratch;

struct rl_ctx {
    GEOSContextHandle_t geos;
    PJ_CONTEXT *proj;
    GEOSWKBReader *wkb_reader; /* created on first use */
    rl_status status;
    char msg[RL_ERRMSG_MAX];
    char geos_msg[RL_ERRMSG_MAX]; /* last GEOS error, folded into msg */
    rl_pj_cache *pjs;
    rl_scratch rings; /* ring arrays of valid.c and disjoint.c (geometry/rings.h) */
    double *coord_buf;   /* x,y work buffer of rl_ringidx_new, coord_cap points */
    size_t coord_cap;
    double *clip_buf;    /* work buffer of rl_clip_small, clip_cap doubles */
    size_t clip_cap;
    /*
     * What the GEOS covers tests asked through rl_covers_fast may cost: their
     * inputs' rings times vertices, summed.  GEOS's full relate, which a
     * covers test falls back to where boundaries meet, tests every boundary
     * intersection against every ring's start node; tests read this to check
     * that the cost stays linear in the input (issue 12).
     */
    unsigned long long relate_work;
    /* Input vertices of the GEOS overlays and unions this context ran (overlay.c), summed. */
    unsigned long long overlay_work;
    /*
     * While a report is written to a PG: sink (report/out_pg.c): the sink,
     * so that --pieces PG: writes in the sink's transaction.  NULL otherwise.
     */
    void *pg_sink;
};

/* Record a failure; returns `st` so callers can `return rl_fail(...)`. */
rl_status rl_fail(rl_ctx *ctx, rl_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void rl_ctx_clear(rl_ctx *ctx);


/* ---- small utilities (util.c) ---- */

typedef struct rl_buf {
    char *s;
    size_t len, cap;
    int oom;
} rl_buf;

/*
 * Make the array *pp (a T **, cast to void *) hold at least n items of `size`
 * bytes; *cap counts items and grows by half.  0 when out of memory (the
 * array is then unchanged).
 */
int rl_grow(void *pp, size_t *cap, size_t n, size_t size);
void rl_buf_puts(rl_buf *b, const char *s);
void rl_buf_putn(rl_buf *b, const char *s, size_t n);
void rl_buf_printf(rl_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void rl_buf_json_str(rl_buf *b, const char *s); /* quoted, escaped */
void rl_buf_json_num(rl_buf *b, double v);      /* %.10g, finite */
/* Opens a report object: {"tool": "redline", "version": ..., "command": ... */
void rl_json_head(rl_buf *b, const char *command);
void rl_buf_json_m2(rl_buf *b, double v);       /* an area: %.4f m2 */
/*
 * A CSV text cell, RFC 4180 quoting; a cell that begins with = + - @, tab
 * or CR gets a leading ' so that no spreadsheet runs it as a formula.
 */
void rl_buf_csv_str(rl_buf *b, const char *s);
void rl_buf_free(rl_buf *b);
char *rl_strdup(const char *s); /* NULL in, NULL out */
int rl_is_utf8(const char *s);
/* Display width of a UTF-8 string in a terminal (CJK counts 2). */
int rl_display_width(const char *s);

/* ---- text safety (util.c) ---- */

/*
 * Length <= n of s[0..n) that does not end inside a UTF-8 character: an
 * incomplete sequence at the end (as a byte cut leaves) is dropped.
 */
size_t rl_utf8_boundary(const char *s, size_t n);
/*
 * vsnprintf/snprintf that, when the text does not fit, cut it at a UTF-8
 * character boundary rather than inside a character.  Return what
 * vsnprintf returns.
 */
int rl_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int rl_snprintf(char *buf, size_t n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/*
 * A malloc'd copy of s in which every byte that starts no valid UTF-8
 * sequence is replaced by U+FFFD; *nbad (may be NULL) counts them.  NULL in
 * (or out of memory), NULL out.
 */
char *rl_utf8_clean(const char *s, size_t *nbad);
/*
 * Append s with the characters a terminal would act on written out:
 * \n \r \t, \xHH for other C0 controls, DEL and bytes that are not UTF-8,
 * \u00HH for C1 controls.  For tables and progress lines: data can never
 * move the cursor, ring, recolour or start a fake line.  NULL appends nothing.
 */
void rl_buf_puts_esc(rl_buf *b, const char *s);
/*
 * Append s with secrets masked: the value of password=, passwd= and pwd=
 * (any case, quoted or not, as in PG:"dbname=x password='a b'") and the
 * password of scheme://user:password@host become ***.  Every dataset name
 * that leaves the library (report fields, pieces, messages) goes through
 * this function.
 */
void rl_buf_redacted(rl_buf *b, const char *s);
/* rl_buf_redacted into a malloc'd string; NULL in (or out of memory), NULL out. */
char *rl_redact(const char *s);

/* A growable list of owned strings (warnings). */
typedef struct rl_strlist {
    char **s;
    size_t n, cap;
} rl_strlist;
/* Append a copy of s (NULL, or out of memory: nothing). */
void rl_strlist_add(rl_strlist *l, const char *s);
/* Free the strings and the array; l is left empty, ready for reuse. */
void rl_strlist_free(rl_strlist *l);

/* 1 when envelopes a and b (minx, miny, maxx, maxy) share a point. */
static inline int rl_env_meet(const double *a, const double *b)
{
    return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/* ---- parts of a sharded run (part.c, docs/scale-out.md) ---- */

/*
 * A value inside a part file's parsed JSON (read with libyaml, of which
 * JSON is a subset): doc is the part's document, id its node; id 0 is "no
 * such value", which every accessor accepts and answers with 0 or NULL.
 */
typedef struct rl_jv {
    void *doc;
    int id;
} rl_jv;
rl_jv rl_jv_get(rl_jv map, const char *key); /* member of an object */
size_t rl_jv_len(rl_jv seq);                 /* items of an array; 0 otherwise */
rl_jv rl_jv_at(rl_jv seq, size_t i);
const char *rl_jv_str(rl_jv v);              /* a scalar's text, or NULL */
/* A number written by rl_buf_hexnum (or as decimal); 0 when absent or not one. */
int rl_jv_num(rl_jv v, double *out);
/* A whole number >= 0; 0 when absent or not one. */
int rl_jv_size(rl_jv v, size_t *out);
/*
 * s as a JSON string that libyaml reads back unchanged: rl_buf_json_str,
 * with U+0080..U+009F, U+2028 and U+2029 escaped as well.  NULL: "".
 */
void rl_buf_part_str(rl_buf *b, const char *s);
/* A double written exactly ("%a" in a JSON string): read back bit for bit. */
void rl_buf_hexnum(rl_buf *b, double v);

/*
 * One part file as merge reads it: the shard's header and its document
 * (root: the whole object).
 */
typedef struct rl_part {
    char *path;         /* as given to merge */
    char *command;      /* screen, diff, area or audit */
    int shard, of;
    char fingerprint[17];
    char **args;        /* the shard's arguments, as recorded */
    int nargs;
    rl_jv root;
} rl_part;
/*
 * Read part file path into p (zeroed first).  RL_ERR_USAGE with a message
 * naming path when it is not a part; free with rl_part_free (NULL-safe on
 * a zeroed p).
 */
rl_status rl_part_read(rl_ctx *ctx, const char *path, rl_part *p);
void rl_part_free(rl_part *p);
/*
 * Check that the n parts make one whole run: one command, one fingerprint,
 * one N, and each shard 0..N-1 exactly once.  RL_ERR_USAGE with a message
 * naming the parts otherwise.
 */
rl_status rl_parts_check(rl_ctx *ctx, const rl_part *p, size_t n);
/*
 * The fingerprint of a run: 16 hex digits of a 64-bit FNV-1a hash over the
 * version, the command, the recorded arguments and, for each argument that
 * names a file (the whole argument, the part after its last '=', the part
 * before '|'), that file's size and modification time (a shapefile's .dbf,
 * .shx and .prj too).  out holds 17 bytes.
 */
void rl_fingerprint(const char *command, char *const *args, int nargs, char out[17]);
/*
 * The one cut of --shard (docs/scale-out.md): item i of n, of weight w
 * after `before` of the total weight `total`, goes to the shard (0 to
 * count-1) in whose share the middle of its weight falls; by position
 * (i + 1/2 of n) when total is not positive.  Items in order, shards in
 * contiguous runs.
 */
int rl_shard_of(double before, double w, double total, size_t i, size_t n, int count);

#endif
