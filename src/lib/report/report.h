/*
 * report.h -- a report's life (report.c: new, write, exit code, free) and
 * the writers, which only format what a command decided (out_*.c).
 */
#ifndef RL_REPORT_H
#define RL_REPORT_H

#include "command/command.h"

/* ---- reports (report.c) ---- */

/*
 * What a command hands report.c so that report.c can own its reports: the
 * size of the command's data and how to free, write and judge it.  Each
 * command module (screen.c, diff.c, areacmd.c, audit.c) keeps one, static
 * const, and passes it to rl_report_new().  report.c calls down through the
 * table, so no command calls another (or report.c) to free or write data
 * that is not its own.
 */
typedef struct rl_report_ops {
    size_t size; /* bytes of the command's data (zeroed by rl_report_new) */
    /* Free what data holds (not data itself); data may be partly filled. */
    void (*free)(rl_ctx *ctx, void *data);
    /* Write data in the format its options chose. */
    rl_status (*write)(rl_ctx *ctx, const void *data, FILE *f);
    /* Write --pieces to path; NULL when the command has none. */
    rl_status (*write_pieces)(rl_ctx *ctx, const void *data, const char *path);
    /* Exit status the data calls for (see rl_report_exit_code). */
    int (*exit_code)(const void *data);
} rl_report_ops;

struct rl_report {
    const rl_report_ops *ops;
    rl_ctx *ctx;                /* borrowed: the ctx that built it, for freeing */
    const rl_common_opts *opts; /* borrowed: -o and --pieces */
    void *data;                 /* the command's data, ops->size bytes */
};

/*
 * The one set-up of every command: clears ctx's last error and returns a
 * report with zeroed data, which borrows ctx and opts (they must outlive
 * it).  NULL with RL_ERR_NOMEM in ctx when out of memory.
 */
rl_report *rl_report_new(rl_ctx *ctx, const rl_report_ops *ops,
                         const rl_common_opts *opts);

/* The objects of a "controls" array, without the brackets (out_screen.c). */
void rl_json_controls(rl_buf *b, const rl_control *controls, int n);
/* JSON object of footprint result i (out_screen.c). */
void rl_json_footprint(rl_buf *b, const rl_screen_data *d, size_t i);
/* CSV header and rows of a screen (out_screen.c). */
void rl_csv_screen(const rl_screen_data *d, rl_buf *b, int bom);
rl_status rl_write_audit(rl_ctx *ctx, const rl_audit_data *d, FILE *f);
/* summary.{txt,csv,json} and files/NNNN.json under --report-dir. */
rl_status rl_audit_write_report_dir(rl_ctx *ctx, const rl_audit_data *d);

/* writers (out_*.c) */
rl_status rl_write_screen(rl_ctx *ctx, const rl_screen_data *d, FILE *f);
rl_status rl_write_screen_pieces(rl_ctx *ctx, const rl_screen_data *d,
                                 const char *path);
rl_status rl_write_diff(rl_ctx *ctx, const rl_diff_data *d, FILE *f);
rl_status rl_write_diff_pieces(rl_ctx *ctx, const rl_diff_data *d,
                               const char *path);
rl_status rl_write_area(rl_ctx *ctx, const rl_area_data *d, FILE *f);

/* Vector writer shared by --pieces (out_vector.c). */
typedef struct rl_vec_writer rl_vec_writer;
enum { RL_VF_STRING = 0, RL_VF_REAL = 1, RL_VF_INT = 2 };
typedef struct rl_vec_field {
    const char *name;
    int type; /* RL_VF_STRING, RL_VF_REAL or RL_VF_INT */
} rl_vec_field;
/* OGR driver name for an output path by its extension, or NULL. */
const char *rl_vec_driver_for(const char *path);
rl_vec_writer *rl_vec_writer_new(rl_ctx *ctx, const char *path,
                                 const rl_crs *crs, const rl_vec_field *fields,
                                 int nfields);
/* values: strings, pointers to double (real) or to int64_t (int) */
rl_status rl_vec_writer_add(rl_ctx *ctx, rl_vec_writer *w,
                            const GEOSGeometry *g, const void *const *values);
rl_status rl_vec_writer_close(rl_ctx *ctx, rl_vec_writer *w);

#endif
