/* out_table.c -- aligned plain-text tables that respect CJK display width. */
#include "report/out_table.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void rl_table_init(rl_table *t, int ncols) { memset(t, 0, sizeof *t); t->ncols = ncols; }

void rl_table_cell(rl_table *t, const char *s)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        char **c = realloc(t->cells, t->cap * sizeof *c);
        if (!c)
            return;
        t->cells = c;
    }
    /* Data never reaches the terminal raw: a control character in an id
     * could start a fake row or drive the terminal. */
    rl_buf e = {0};
    rl_buf_puts_esc(&e, s ? s : "");
    t->cells[t->n++] = e.s ? e.s : rl_strdup("");
}

void rl_table_num(rl_table *t, double v, int decimals)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", decimals, v == 0 ? 0.0 : v);
    rl_table_cell(t, buf);
}

void rl_table_render(rl_table *t, rl_buf *b)
{
    int *w = calloc((size_t)t->ncols, sizeof *w);
    if (!w)
        return;
    for (size_t i = 0; i < t->n; i++) {
        int cw = rl_display_width(t->cells[i]);
        if (cw > w[i % (size_t)t->ncols])
            w[i % (size_t)t->ncols] = cw;
    }
    for (size_t i = 0; i < t->n; i++) {
        int col = (int)(i % (size_t)t->ncols);
        const char *s = t->cells[i];
        int pad = w[col] - rl_display_width(s);
        /* Numbers right-aligned, text left-aligned; last column unpadded. */
        int numeric = s[0] && strspn(s, "0123456789.-") == strlen(s);
        if (numeric)
            rl_buf_printf(b, "%*s", pad, "");
        rl_buf_puts(b, s);
        if (col == t->ncols - 1) {
            while (b->len && b->s[b->len - 1] == ' ')
                b->s[--b->len] = '\0';
            rl_buf_puts(b, "\n");
        }
        else
            rl_buf_printf(b, "%*s", numeric ? 2 : pad + 2, "");
    }
    free(w);
}

/* Bytes of the UTF-8 character at p (1 for a stray byte). */
static size_t char_len(const unsigned char *p)
{
    size_t n = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 1;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 1;
    return n;
}

void rl_text_wrap(rl_buf *b, const char *first, const char *cont, const char *text, int width)
{
    const char *prefix = first;
    const char *p = text ? text : "";
    do {
        int room = width - rl_display_width(prefix);
        room = room < 10 ? 10 : room;
        /* Take characters while they fit; remember the last place a line may end. */
        const char *q = p, *brk = NULL, *next = NULL;
        int w = 0;
        while (*q) {
            size_t n = char_len((const unsigned char *)q);
            char one[5] = {0};
            memcpy(one, q, n);
            int cw = rl_display_width(one);
            if (w + cw > room)
                break;
            w += cw;
            q += n;
            if (*q == ' ') {
                brk = q, next = q + 1;
            } else if (*q) {
                /* Beside a CJK character a line may end without a space. */
                size_t m = char_len((const unsigned char *)q);
                char nx[5] = {0};
                memcpy(nx, q, m);
                /* ... but never before closing or after opening punctuation (禁则). */
                if ((cw == 2 || rl_display_width(nx) == 2) && !strstr("，。；：、）」％", nx) &&
                    !(cw == 2 && n == 3 && strstr("（「", (char[]){q[-3], q[-2], q[-1], 0})))
                    brk = q, next = q;
            }
        }
        if (!*q || !brk)
            brk = next = q; /* all of it, or a word too long for the line */
        rl_buf_puts(b, prefix);
        rl_buf_putn(b, p, (size_t)(brk - p));
        while (b->len && b->s[b->len - 1] == ' ')
            b->s[--b->len] = '\0';
        rl_buf_puts(b, "\n");
        p = next;
        while (*p == ' ')
            p++;
        prefix = cont;
    } while (*p);
}

void rl_text_wrap_lines(rl_buf *b, const char *text, int indent, int width)
{
    rl_buf line = {0}, pre = {0};
    for (const char *p = text ? text : ""; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        line.len = 0;
        rl_buf_putn(&line, p, n);
        int lead = (int)strspn(line.s ? line.s : "", " ");
        pre.len = 0;
        rl_buf_printf(&pre, "%*s", lead + indent, "");
        rl_buf_puts(&pre, "");
        if (!line.s || !line.s[lead])
            rl_buf_puts(b, "\n");
        else
            rl_text_wrap(b, "", pre.s, line.s, width);
        p += n + (nl != NULL);
    }
    rl_buf_free(&line);
    rl_buf_free(&pre);
}

void rl_table_free(rl_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->cells[i]);
    free(t->cells);
}

int rl_units_decimals(rl_units u)
{
    switch (u) {
    case RL_U_M2: return 2;
    case RL_U_MU: return 3;
    case RL_U_HA: return 4;
    case RL_U_KM2: return 6;
    }
    return 2;
}

rl_status rl_emit(rl_ctx *ctx, rl_buf *b, FILE *f)
{
    rl_status st = RL_OK;
    if (b->oom)
        st = rl_fail(ctx, RL_ERR_NOMEM, "out of memory");
    else if (b->len && fwrite(b->s, 1, b->len, f) != b->len)
        st = rl_fail(ctx, RL_ERR_OUTPUT, "cannot write the report: %s", strerror(errno));
    rl_buf_free(b);
    return st;
}

void rl_json_skipped(rl_buf *b, const rl_layer *L)
{
    if (!rl_layer_untrusted(L))
        return;
    char why[1024];
    int first = 1;
    rl_buf_puts(b, ", \"skipped\": [");
    for (size_t i = 0; i < L->n; i++) {
        if (!rl_feat_untrusted(L->feat[i].status))
            continue;
        rl_buf_puts(b, first ? "{\"layer\": " : ", {\"layer\": ");
        first = 0;
        rl_buf_json_str(b, L->layer_name);
        rl_buf_puts(b, ", \"path\": ");
        rl_buf_json_str(b, L->path);
        rl_buf_printf(b, ", \"fid\": %" PRId64 ", \"reason\": ", (int64_t)L->feat[i].fid);
        rl_buf_json_str(b, rl_feature_why(L, i, why, sizeof why));
        rl_buf_puts(b, "}");
    }
    rl_buf_puts(b, "]");
}

void rl_text_skipped(rl_buf *b, const char *indent, const char *role, const rl_layer *L,
                     const char *opt, rl_lang lang)
{
    size_t k = rl_layer_untrusted(L), listed = 0;
    const int zh = lang == RL_LANG_ZH;
    if (!k)
        return;
    char why[1024];
    if (zh)
        rl_buf_printf(b, "%s暂定：%s %s：%zu 个无法使用的要素已略去（%s）；所有结论均为暂定\n",
                      indent, role, L->path, k, opt);
    else
        rl_buf_printf(b, "%sPROVISIONAL: %s %s: %zu feature%s that cannot be used left out "
                      "(%s); every verdict is provisional\n",
                      indent, role, L->path, k, k == 1 ? "" : "s", opt);
    for (size_t i = 0; i < L->n && listed < 10; i++) {
        if (!rl_feat_untrusted(L->feat[i].status))
            continue;
        listed++;
        rl_buf_printf(b, zh ? "%s  已略去 FID %" PRId64 "：%s\n" : "%s  skipped FID %" PRId64 ": %s\n",
                      indent, (int64_t)L->feat[i].fid, rl_feature_why(L, i, why, sizeof why));
    }
    if (k > listed)
        rl_buf_printf(b, zh ? "%s  …… 另有 %zu 个\n" : "%s  ... and %zu more\n", indent,
                      k - listed);
}

void rl_text_empty(rl_buf *b, const char *indent, const char *role, const rl_layer *L,
                   rl_lang lang)
{
    if (L->empty_accepted && lang == RL_LANG_ZH)
        rl_buf_printf(b, "%s注意：%s %s（图层 '%s'）为空，已按 --allow-empty 接受\n", indent,
                      role, L->path, L->layer_name);
    else if (L->empty_accepted)
        rl_buf_printf(b, "%snote: %s %s (layer '%s') is empty, accepted with "
                      "--allow-empty\n", indent, role, L->path, L->layer_name);
}

void rl_json_empty(rl_buf *b, int *first, const char *role, const rl_layer *L)
{
    if (!L->empty_accepted)
        return;
    rl_buf_puts(b, *first ? "{\"role\": " : ", {\"role\": ");
    *first = 0;
    rl_buf_json_str(b, role);
    rl_buf_puts(b, ", \"path\": ");
    rl_buf_json_str(b, L->path);
    rl_buf_puts(b, ", \"layer\": ");
    rl_buf_json_str(b, L->layer_name);
    rl_buf_puts(b, "}");
}
