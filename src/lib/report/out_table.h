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
int rl_units_decimals(rl_units u);
/* Write and free b; reports out-of-memory or short writes. */
rl_status rl_emit(rl_ctx *ctx, rl_buf *b, FILE *f);

/* Excel on Chinese Windows reads a CSV as GBK unless it starts with a BOM. */
#define RL_CSV_BOM "\xEF\xBB\xBF"
#define RL_CSV_EOL "\r\n"
#endif
