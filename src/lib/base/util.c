/* util.c -- growable string buffer, JSON/CSV quoting, UTF-8 helpers. */
#include "base/base.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int utf8_next(const unsigned char *p, uint32_t *cp);

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
        if (*p >= 0x80) {
            /* A byte that is not UTF-8 (an unchecked name) becomes U+FFFD. */
            uint32_t cp;
            int n = utf8_next(p, &cp);
            if (n) {
                p += n - 1;
                continue;
            }
            rl_buf_putn(b, (const char *)run, (size_t)(p - run));
            rl_buf_puts(b, "\xEF\xBF\xBD");
            run = p + 1;
            continue;
        }
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
    /* Bytes that are not UTF-8 (an unchecked name) become U+FFFD. */
    char *clean = rl_is_utf8(s) ? NULL : rl_utf8_clean(s, NULL);
    if (clean)
        s = clean;
    /*
     * A spreadsheet runs a cell that begins with = + - @ (or tab or CR
     * before them) as a formula: the leading ' makes it text (OWASP, "CSV
     * injection").  Numeric columns are written with printf, never here.
     */
    const int guard = s[0] && strchr("=+-@\t\r", s[0]);
    const int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        rl_buf_putn(b, "\"", 1);
    if (guard)
        rl_buf_putn(b, "'", 1);
    if (!quote) {
        rl_buf_puts(b, s);
    } else {
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                rl_buf_putn(b, "\"", 1);
            rl_buf_putn(b, p, 1);
        }
        rl_buf_putn(b, "\"", 1);
    }
    free(clean);
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

/* ---- text safety: UTF-8 repair, boundaries, escaping, redaction ---- */

size_t rl_utf8_boundary(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    /* The last byte that is not a continuation byte, at most 3 back. */
    size_t i = n;
    while (i > 0 && n - i < 4 && (p[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0 || n - i >= 4)
        return n; /* no lead byte near the end: not ours to judge */
    unsigned char lead = p[i - 1];
    size_t need = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2
                 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 1;
    return n - (i - 1) < need ? i - 1 : n;
}

int rl_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    if (!n)
        return 0;
    int w = vsnprintf(buf, n, fmt, ap);
    if (w < 0) {
        buf[0] = '\0';
        return w;
    }
    if ((size_t)w >= n)
        buf[rl_utf8_boundary(buf, n - 1)] = '\0';
    return w;
}

int rl_snprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = rl_vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return w;
}

char *rl_utf8_clean(const char *s, size_t *nbad)
{
    size_t bad = 0;
    if (nbad)
        *nbad = 0;
    if (!s)
        return NULL;
    rl_buf b = {0};
    const unsigned char *p = (const unsigned char *)s, *run = p;
    while (*p) {
        uint32_t cp;
        int n = utf8_next(p, &cp);
        if (n) {
            p += n;
            continue;
        }
        /* One U+FFFD for each byte that starts no valid sequence. */
        rl_buf_putn(&b, (const char *)run, (size_t)(p - run));
        rl_buf_puts(&b, "\xEF\xBF\xBD");
        bad++;
        run = ++p;
    }
    rl_buf_putn(&b, (const char *)run, (size_t)(p - run));
    if (b.oom) {
        rl_buf_free(&b);
        return NULL;
    }
    if (!b.s)
        return rl_strdup("");
    if (nbad)
        *nbad = bad;
    return b.s;
}

void rl_buf_puts_esc(rl_buf *b, const char *s)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s, *run = p;
    while (*p) {
        uint32_t cp = 0;
        int n = utf8_next(p, &cp);
        int ctl = !n || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
        if (!ctl) {
            p += n;
            continue;
        }
        rl_buf_putn(b, (const char *)run, (size_t)(p - run));
        if (!n)
            rl_buf_printf(b, "\\x%02x", *p); /* a byte that is not UTF-8 */
        else if (cp == '\n')
            rl_buf_puts(b, "\\n");
        else if (cp == '\r')
            rl_buf_puts(b, "\\r");
        else if (cp == '\t')
            rl_buf_puts(b, "\\t");
        else if (cp < 0x80)
            rl_buf_printf(b, "\\x%02x", (unsigned)cp);
        else
            rl_buf_printf(b, "\\u%04x", (unsigned)cp); /* C1 controls */
        p += n ? n : 1;
        run = p;
    }
    rl_buf_putn(b, (const char *)run, (size_t)(p - run));
}

char *rl_text_escape(char *out, size_t n, const char *s)
{
    if (!out || !n)
        return out;
    rl_buf b = {0};
    rl_buf_puts_esc(&b, s ? s : "");
    size_t len = b.s ? b.len : 0;
    if (len >= n)
        len = rl_utf8_boundary(b.s, n - 1);
    if (len)
        memcpy(out, b.s, len);
    out[len] = '\0';
    rl_buf_free(&b);
    return out;
}

/* Case-insensitive: does s start with the secret key k, then [ \t]* '='? */
static size_t secret_key(const char *s, const char *k)
{
    size_t n = strlen(k), i;
    for (i = 0; i < n; i++)
        if (tolower((unsigned char)s[i]) != k[i])
            return 0;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    return s[i] == '=' ? i + 1 : 0;
}

void rl_buf_redacted(rl_buf *b, const char *s)
{
    static const char *const keys[] = {"password", "passwd", "pwd"};
    const char *p = s;
    while (p && *p) {
        /* scheme://user:SECRET@host */
        if (p[0] == ':' && p[1] == '/' && p[2] == '/') {
            const char *a = p + 3, *e = a;
            while (*e && !strchr("/?#@ \t\r\n'\"", *e))
                e++;
            const char *colon = *e == '@' ? memchr(a, ':', (size_t)(e - a)) : NULL;
            if (colon) {
                rl_buf_putn(b, p, (size_t)(colon + 1 - p));
                rl_buf_puts(b, "***@");
                p = e + 1;
                continue;
            }
        }
        /* password=SECRET, password = 'SECRET', PWD=SECRET... */
        size_t klen = 0;
        if (p == s || strchr(" \t\r\n,;&?:(|'\"", p[-1]))
            for (size_t k = 0; k < sizeof keys / sizeof *keys && !klen; k++)
                klen = secret_key(p, keys[k]);
        if (!klen) {
            rl_buf_putn(b, p++, 1);
            continue;
        }
        rl_buf_putn(b, p, klen);
        p += klen;
        while (*p == ' ' || *p == '\t')
            rl_buf_putn(b, p++, 1);
        if (*p == '\'' || *p == '"') {
            /* A quoted value ends at its unescaped closing quote. */
            char q = *p;
            const char *e = p + 1;
            while (*e && *e != q)
                e += e[0] == '\\' && e[1] ? 2 : 1;
            rl_buf_putn(b, &q, 1);
            rl_buf_puts(b, "***");
            if (*e)
                rl_buf_putn(b, &q, 1);
            p = *e ? e + 1 : e;
        } else {
            /* Unquoted: to white space, ; or & (ODBC, URI queries); a ':'
             * before white space is taken as the message's own ("PATH: why"),
             * and "|layername=" is redline's own suffix (PATH|layername=NAME). */
            rl_buf_puts(b, "***");
            while (*p && !strchr(" \t\r\n;&", *p) &&
                   !(p[0] == ':' && (p[1] == ' ' || p[1] == '\t')) &&
                   strncmp(p, "|layername=", 11) != 0)
                p++;
        }
    }
}

char *rl_redact(const char *s)
{
    if (!s)
        return NULL;
    rl_buf b = {0};
    rl_buf_redacted(&b, s);
    if (b.oom) {
        rl_buf_free(&b);
        return NULL;
    }
    return b.s ? b.s : rl_strdup("");
}

void rl_strlist_add(rl_strlist *l, const char *s)
{
    if (!s || !rl_grow(&l->s, &l->cap, l->n + 1, sizeof *l->s))
        return;
    char *d = rl_strdup(s);
    if (d)
        l->s[l->n++] = d;
}

void rl_strlist_free(rl_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->s[i]);
    free(l->s);
    l->s = NULL;
    l->n = l->cap = 0;
}
