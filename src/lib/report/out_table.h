/* out_table.h -- helpers shared by the report writers. */
#ifndef RL_OUT_TABLE_H
#define RL_OUT_TABLE_H
#include "report/report.h"

typedef struct rl_table {
    int ncols;
    char **cells;
    size_t n, cap;
} rl_table;

void rl_table_init(rl_table *t, int ncols);
/* A cell; control characters in s are written out (rl_buf_puts_esc). */
void rl_table_cell(rl_table *t, const char *s);
void rl_table_num(rl_table *t, double v, int decimals);
void rl_table_render(rl_table *t, rl_buf *b);
void rl_table_free(rl_table *t);
/* The width the default tables fit: a terminal's 80 columns. */
#define RL_TABLE_COLUMNS 80
/*
 * Appends text to b in lines of at most `width` display columns (a CJK
 * character counts 2), the first starting with first, the others with
 * cont: broken after a space or beside a CJK character, a word too long
 * for a line broken where it must.  Each line ends with "\n".  text must
 * already be safe for a terminal (rl_buf_puts_esc).
 */
void rl_text_wrap(rl_buf *b, const char *first, const char *cont, const char *text, int width);
/* Each line of text through rl_text_wrap(), continued `indent` deeper. */
void rl_text_wrap_lines(rl_buf *b, const char *text, int indent, int width);
int rl_units_decimals(rl_units u);
/* Write and free b; reports out-of-memory or short writes. */
rl_status rl_emit(rl_ctx *ctx, rl_buf *b, FILE *f);

/*
 * What a report says about layers that could not fully answer:
 * rl_json_skipped() writes `, "skipped": [{"layer", "path", "fid",
 * "reason"}]` for the features of L left out (--skip-bad-controls /
 * --skip-bad-features), nothing when there are none; rl_text_skipped()
 * writes, for a table, a PROVISIONAL line naming `role` and opt and one
 * line per feature (ten at most), each starting with indent;
 * rl_text_empty() a note when L is empty and was accepted (--allow-empty).
 * Their words follow lang; role is given in that language by the caller.
 */
void rl_json_skipped(rl_buf *b, const rl_layer *L);
void rl_text_skipped(rl_buf *b, const char *indent, const char *role, const rl_layer *L,
                     const char *opt, rl_lang lang);
void rl_text_empty(rl_buf *b, const char *indent, const char *role, const rl_layer *L,
                   rl_lang lang);
/* `{"role": role, "path": L's path}` for an accepted empty layer. */
void rl_json_empty(rl_buf *b, int *first, const char *role, const rl_layer *L);

/* Excel on Chinese Windows reads a CSV as GBK unless it starts with a BOM. */
#define RL_CSV_BOM "\xEF\xBB\xBF"
#define RL_CSV_EOL "\r\n"
#endif
