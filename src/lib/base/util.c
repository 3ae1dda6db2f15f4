/* util.c -- growable string buffer, JSON/CSV quoting, UTF-8 helpers. */
#include "base/base.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int buf_reserve(rl_buf *b, size_t extra)
{
    if (b->oom)
        return 0;
    if (b->len + extra + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return 0;
    }
    b->s = s;
    b->cap = cap;
    return 1;
}

int rl_grow(void *pp, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap)
        return 1;
    size_t c = n + n / 2 + 16;
    if (c > SIZE_MAX / size)
        return 0;
    void *q = realloc(*(void **)pp, c * size);
    if (!q)
        return 0;
    *(void **)pp = q;
    *cap = c;
    return 1;
}

void rl_buf_putn(rl_buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n))
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void rl_buf_puts(rl_buf *b, const char *s) { rl_buf_putn(b, s, strlen(s)); }

void rl_buf_printf(rl_buf *b, const char *fmt, ...)
{
    /* Most pieces are short: one vsnprintf into the room already there. */
    va_list ap;
    if (!buf_reserve(b, 64))
        return;
    size_t room = b->cap - b->len;
    va_start(ap, fmt);
    int n = vsnprintf(b->s + b->len, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->s[b->len] = '\0';
        return;
    }
    if ((size_t)n >= room) {
        if (!buf_reserve(b, (size_t)n)) {
            b->s[b->len] = '\0';
            return;
        }
        va_start(ap, fmt);
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void rl_buf_json_str(rl_buf *b, const char *s)
{
    rl_buf_putn(b, "\"", 1);
    const unsigned char *p = (const unsigned char *)s, *run = p;
    for (; *p; p++) {
        if (*p >= 0x20 && *p != '"' && *p != '\\')
            continue;
        /* Copy the plain run before the character that needs escaping. */
        rl_buf_putn(b, (const char *)run, (size_t)(p - run));
        run = p + 1;
        switch (*p) {
        case '"': rl_buf_puts(b, "\\\""); break;
        case '\\': rl_buf_puts(b, "\\\\"); break;
        case '\n': rl_buf_puts(b, "\\n"); break;
        case '\r': rl_buf_puts(b, "\\r"); break;
        case '\t': rl_buf_puts(b, "\\t"); break;
        default: rl_buf_printf(b, "\\u%04x", *p);
        }
    }
    rl_buf_putn(b, (const char *)run, (size_t)(p - run));
    rl_buf_putn(b, "\"", 1);
}

void rl_json_head(rl_buf *b, const char *command)
{
    rl_buf_puts(b, "{\"tool\": \"redline\", \"version\": ");
    rl_buf_json_str(b, RL_VERSION);
    rl_buf_puts(b, ", \"command\": ");
    rl_buf_json_str(b, command);
}

void rl_buf_json_num(rl_buf *b, double v)
{
    if (!isfinite(v)) {
        rl_buf_puts(b, "null");
        return;
    }
    if (v == 0)
        v = 0; /* no "-0" */
    rl_buf_printf(b, "%.10g", v);
}

void rl_buf_json_m2(rl_buf *b, double v)
{
    if (!isfinite(v)) {
        rl_buf_puts(b, "null");
        return;
    }
    /* 0.1 mm2 resolution: far below any survey accuracy, never "-0". */
    if (fabs(v) < 0.00005)
        rl_buf_puts(b, "0");
    else
        rl_buf_printf(b, "%.4f", v);
}

void rl_buf_csv_str(rl_buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        rl_buf_puts(b, s);
        return;
    }
    rl_buf_putn(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            rl_buf_putn(b, "\"", 1);
        rl_buf_putn(b, s, 1);
    }
    rl_buf_putn(b, "\"", 1);
}

void rl_buf_free(rl_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

char *rl_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Decode one UTF-8 sequence; returns its length, 0 if malformed. */
static int utf8_next(const unsigned char *p, uint32_t *cp)
{
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    int n;
    uint32_t c;
    if ((p[0] & 0xE0) == 0xC0) {
        n = 2;
        c = p[0] & 0x1F;
    } else if ((p[0] & 0xF0) == 0xE0) {
        n = 3;
        c = p[0] & 0x0F;
    } else if ((p[0] & 0xF8) == 0xF0) {
        n = 4;
        c = p[0] & 0x07;
    } else {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    /* Overlong forms and surrogates are not UTF-8. */
    if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
        (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

int rl_is_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        int n = utf8_next(p, &cp);
        if (!n)
            return 0;
        p += n;
    }
    return 1;
}

int rl_display_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int w = 0;
    while (*p) {
        uint32_t cp;
        int n = utf8_next(p, &cp);
        if (!n) {
            p++;
            w++;
            continue;
        }
        p += n;
        /* East Asian wide ranges that occur in Chinese planning data. */
        if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
            (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
            (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
            (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD))
            w += 2;
        else
            w += 1;
    }
    return w;
}
