/*
 * redline.h -- public C API of libredline.
 *
 * libredline overlays construction-project footprints on China's
 * territorial-spatial control layers (ecological protection red line
 * 生态保护红线, permanent basic farmland 永久基本农田, urban development
 * boundary 城镇开发边界) and reports overlap and change areas.
 *
 * Conventions (one place for all of them):
 *  - Every call takes an rl_ctx.  A context is not thread-safe: use one per
 *    thread.  The library itself never prints and never exits; on failure a
 *    call returns a non-zero rl_status (or NULL) and keeps a message in the
 *    context, readable with rl_ctx_errmsg().  Messages are owned by the
 *    context; never free them.
 *  - Objects are opaque.  Whatever a *_new() or an out-parameter hands you is
 *    yours and is released with the matching *_free(); every *_free() accepts
 *    NULL.
 *  - A report borrows the context and the options it was built with: it
 *    keeps pointers to both, so they must outlive it (free the report
 *    first).  A report, like its context, belongs to one thread at a time.
 *  - Areas are square metres.  The default area method is "ellipsoidal":
 *    the geodesic area (GeographicLib, via PROJ's geodesic.h) on the
 *    ellipsoid of the layer's geographic CRS, which for Chinese data is
 *    CGCS2000/GRS80 (椭球面积).  See docs/area-method.md.
 *  - Strings are UTF-8 (input text is recoded; see docs/encodings.md).
 *
 * The command-line tool is a thin wrapper: it hands argv to one of the
 * *_options_new() parsers, runs the command, writes the report and maps
 * rl_report_exit_code() to the process exit status.
 */
#ifndef REDLINE_H
#define REDLINE_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RL_VERSION "0.1.0"

/*
 * RL_API marks the public functions.  The shared library is built with
 * hidden visibility and RL_BUILDING_LIBRARY defined, so these are all it
 * exports; for a program that includes this header RL_API is empty.
 */
#if defined(RL_BUILDING_LIBRARY) && (defined(__GNUC__) || defined(__clang__))
#define RL_API __attribute__((visibility("default")))
#else
#define RL_API
#endif

/** Status codes.  RL_OK is 0; every other value is a failure family. */
typedef enum rl_status {
    RL_OK = 0,
    RL_ERR_USAGE = 1,   /**< bad option, bad option value, missing operand */
    RL_ERR_INPUT = 2,   /**< a dataset could not be opened, read or used */
    RL_ERR_CRS = 3,     /**< missing or unusable CRS, failed transformation */
    RL_ERR_GEOM = 4,    /**< GEOS failed on a geometry */
    RL_ERR_OUTPUT = 5,  /**< an output file could not be written */
    RL_ERR_NOMEM = 6,   /**< out of memory */
    RL_ERR_INTERNAL = 7 /**< a defensive check fired: a bug in redline */
} rl_status;

typedef struct rl_ctx rl_ctx;
typedef struct rl_report rl_report;
typedef struct rl_screen_options rl_screen_options;
typedef struct rl_diff_options rl_diff_options;
typedef struct rl_area_options rl_area_options;
typedef struct rl_audit_options rl_audit_options;

/** Library version string, e.g. "0.1.0".  Static storage. */
RL_API const char *rl_version(void);

/**
 * Create a context: a GEOS context handle, a PROJ context and the last error.
 * Returns NULL only when out of memory.  Also registers GDAL's drivers
 * (idempotent).
 */
RL_API rl_ctx *rl_ctx_new(void);

/** Free a context and everything cached in it.  NULL is a no-op. */
RL_API void rl_ctx_free(rl_ctx *ctx);

/**
 * Message of the last failure in ctx, or "" if none.  Owned by ctx and valid
 * until the next call that fails on ctx.  NULL ctx gives "".
 */
RL_API const char *rl_ctx_errmsg(const rl_ctx *ctx);

/** Status of the last failure in ctx (RL_OK if none; NULL ctx: RL_OK). */
RL_API rl_status rl_ctx_status(const rl_ctx *ctx);

/* ------------------------------------------------------------------ */
/* screen                                                              */
/* ------------------------------------------------------------------ */

/**
 * Parse the arguments of `redline screen` (argv holds the options and the
 * footprint paths, *without* the program and command names; argc counts
 * them; argv need not be NULL-terminated).  The options and their meaning
 * are those of docs/screen.md; an option not given takes the value of
 * rl_option_default().  --help and --version are not accepted here: they
 * are the caller's business.
 *
 * Returns a new options object, or NULL with RL_ERR_USAGE (or RL_ERR_NOMEM)
 * and a message in ctx.  Free with rl_screen_options_free().
 */
RL_API rl_screen_options *rl_screen_options_new(rl_ctx *ctx, int argc,
                                                const char *const *argv);
RL_API void rl_screen_options_free(rl_screen_options *opts);

/**
 * Screen every footprint of every footprint dataset against every control.
 *
 * Every feature of a control layer is read; those whose envelope meets no
 * footprint's are counted and not kept.  Overlaps are computed in each
 * control layer's CRS (footprints are reprojected into it), then measured
 * by the options' area method.  A footprint that cannot be processed (null,
 * empty or non-polygonal geometry, failed transformation) gets verdict
 * "error" and does not stop the others.
 *
 * Runs on the options' --jobs threads (default: one per online processor),
 * each with a context of its own; the calling thread is one of them and
 * uses ctx.  The report is the same, byte for byte, for any --jobs.  When a
 * control layer cannot be read, the failure reported is that of the first
 * such control in the order given.
 *
 * On success returns RL_OK and sets *out to a new report (free with
 * rl_report_free()).  Returns a failure status with a message in ctx, and
 * leaves *out NULL, when an input dataset cannot be used at all (missing
 * file, no CRS and no --assume-srs, unknown layer, non-polygon footprint
 * layer, unknown --id-field).
 *
 * The report borrows ctx (rl_report_free() frees its GEOS objects with it)
 * and opts (rl_report_write() reads the format, units, -o and --pieces from
 * it): both must outlive the report.
 */
RL_API rl_status rl_screen(rl_ctx *ctx, const rl_screen_options *opts,
                           rl_report **out);

/* ------------------------------------------------------------------ */
/* diff and area                                                       */
/* ------------------------------------------------------------------ */

/** Parse the arguments of `redline diff` (options, OLD, NEW). As above. */
RL_API rl_diff_options *rl_diff_options_new(rl_ctx *ctx, int argc,
                                            const char *const *argv);
RL_API void rl_diff_options_free(rl_diff_options *opts);

/**
 * Compare two versions of one control layer: union areas of each version,
 * lost = area(old - new), gained = area(new - old), net = new - old, in total
 * and per --by group.  The overlay runs in OLD's CRS.  Returns RL_OK and a
 * new report in *out, or a failure status with a message in ctx.  The
 * report borrows ctx and opts, as rl_screen()'s does: they must outlive it.
 */
RL_API rl_status rl_diff(rl_ctx *ctx, const rl_diff_options *opts, rl_report **out);

/** Parse the arguments of `redline area` (options, LAYER). As above. */
RL_API rl_area_options *rl_area_options_new(rl_ctx *ctx, int argc,
                                            const char *const *argv);
RL_API void rl_area_options_free(rl_area_options *opts);

/**
 * Union area, feature count and self-overlap of one layer, in total and per
 * --by group.  Returns RL_OK and a new report in *out, or a failure status
 * with a message in ctx.  The report borrows ctx and opts, as rl_screen()'s
 * does: they must outlive it.
 */
RL_API rl_status rl_area(rl_ctx *ctx, const rl_area_options *opts, rl_report **out);

/* ------------------------------------------------------------------ */
/* audit                                                               */
/* ------------------------------------------------------------------ */

/**
 * Parse the arguments of `redline audit`: the control options of screen,
 * --report-dir DIR, and exactly one DIR operand.  No control is needed (the
 * files are then only checked).  As rl_screen_options_new() otherwise.
 */
RL_API rl_audit_options *rl_audit_options_new(rl_ctx *ctx, int argc,
                                              const char *const *argv);
RL_API void rl_audit_options_free(rl_audit_options *opts);

/**
 * Progress callback: `done` of `total` files finished, `current` is the
 * display path of the file just finished (borrowed, UTF-8).  Called on the
 * thread that runs rl_audit().  opts keeps fn and userdata (NULL fn: no
 * progress); userdata must stay valid while rl_audit() runs with opts.
 */
typedef void (*rl_progress_fn)(void *userdata, size_t done, size_t total,
                               const char *current);
/** Set (fn NULL: clear) the progress callback; NULL opts is a no-op. */
RL_API void rl_audit_options_set_progress(rl_audit_options *opts, rl_progress_fn fn,
                                          void *userdata);
/**
 * Set (fn NULL: clear) the progress callback of a screen: done counts the
 * overlays finished of total (footprints x controls, the --landuse DLTB
 * included), current names the control.  It is called from the worker
 * threads, one call at a time, at most about five times a second besides
 * the first; it must not call back into the library.  NULL opts: no-op.
 */
RL_API void rl_screen_options_set_progress(rl_screen_options *opts, rl_progress_fn fn,
                                           void *userdata);
/**
 * Set (fn NULL: clear) the progress callback of a diff or an area: done
 * counts the cells of the tiled overlay finished of total (1 for small
 * layers, 256 for large ones), current is "cells".  Called from the worker
 * threads as for rl_screen_options_set_progress(), with the same limits.
 * NULL opts: no-op.
 */
RL_API void rl_diff_options_set_progress(rl_diff_options *opts, rl_progress_fn fn,
                                         void *userdata);
RL_API void rl_area_options_set_progress(rl_area_options *opts, rl_progress_fn fn,
                                         void *userdata);

/**
 * Walk DIR recursively (into .zip archives too), check every vector dataset
 * found and screen it against the controls.  Files are read in worker
 * processes (fork), one file at a time each, so a file that crashes GDAL or
 * runs over its time limit is reported as unreadable and the audit goes on;
 * --jobs N runs N workers at once (default: one per online processor).
 * Workers die with the calling process.  Only regular files are opened;
 * FIFOs, devices, link loops and unsafe zip member names get a problem row.
 * Nothing under DIR is written.  Returns RL_OK and a new report, or a
 * failure (DIR missing, control unusable, --report-dir inside DIR or
 * holding it).  The
 * report borrows ctx and opts, as rl_screen()'s does: they must outlive it.
 */
RL_API rl_status rl_audit(rl_ctx *ctx, const rl_audit_options *opts, rl_report **out);

/* ------------------------------------------------------------------ */
/* merge: the parts of a sharded run (--shard I/N, docs/scale-out.md)  */
/* ------------------------------------------------------------------ */

typedef struct rl_merge_options rl_merge_options;
/**
 * Parse the arguments of `redline merge`: PART... and the options that say
 * how the report is written (-f, -o, --lang, --units, --jobs, --quiet).
 * Reads every part, checks that they make one whole run (one command, one
 * fingerprint, one N, each shard once) and that the inputs they name still
 * have that fingerprint, and parses the shards' recorded arguments with
 * those options.  NULL with RL_ERR_USAGE and a message naming the parts
 * otherwise.  Free with rl_merge_options_free() (NULL: no-op).
 */
RL_API rl_merge_options *rl_merge_options_new(rl_ctx *ctx, int argc,
                                              const char *const *argv);
RL_API void rl_merge_options_free(rl_merge_options *opts);
/**
 * The report the unsharded run writes, built from the parts: the inputs
 * are read again (cheap), the shards' work is taken from the parts, and
 * the same writers run.  As rl_area() otherwise; the report borrows ctx
 * and opts.
 */
RL_API rl_status rl_merge(rl_ctx *ctx, const rl_merge_options *opts, rl_report **out);
/** 1 when --quiet was given to merge. */
RL_API int rl_merge_options_quiet(const rl_merge_options *opts);

/* ------------------------------------------------------------------ */
/* option defaults and queries                                         */
/* ------------------------------------------------------------------ */

/**
 * Default of a command-line option, as the text a user would type.  Every
 * *_options_new() parser starts by parsing exactly these values (for the
 * options its command has), so a --help built from them cannot disagree
 * with what a run does.  `option` is the long name with its dashes:
 *
 *   rl_option_default("--min-area")  -> "1"           (m2; screen, audit)
 *   rl_option_default("--tolerance") -> "1"           (m2; diff)
 *   rl_option_default("--area")      -> "ellipsoidal"
 *   rl_option_default("--units")     -> "m2"
 *   rl_option_default("--format")    -> "table"
 *   rl_option_default("--jobs")      -> "ALL_CPUS"    (every online
 *                          processor, sysconf(_SC_NPROCESSORS_ONLN),
 *                          clamped to 1..256; audit: child processes)
 *
 * Returns a string in static storage, or NULL when the option has no
 * default (it is off or empty unless given, e.g. "--id-field"), is not an
 * option of redline, is a short name ("-j"), or `option` is NULL.
 */
RL_API const char *rl_option_default(const char *option);

/**
 * 1 if -q / --quiet was given, else 0: the caller should then print nothing
 * on stderr but errors (audit's progress included).  NULL gives 0.
 *
 *   rl_audit_options *o = rl_audit_options_new(ctx, argc, argv);
 *   if (o && !rl_audit_options_quiet(o) && isatty(2))
 *       rl_audit_options_set_progress(o, show_progress, &state);
 */
RL_API int rl_screen_options_quiet(const rl_screen_options *opts);
RL_API int rl_diff_options_quiet(const rl_diff_options *opts);
RL_API int rl_area_options_quiet(const rl_area_options *opts);
RL_API int rl_audit_options_quiet(const rl_audit_options *opts);

/* ------------------------------------------------------------------ */
/* reports                                                             */
/* ------------------------------------------------------------------ */

/**
 * Write a report in the format its options chose (table, csv or json) to
 * the options' -o file, or to `fallback` when no -o was given; also writes
 * --pieces when asked.  `fallback` is borrowed and not closed.  Output is
 * deterministic: the same inputs give byte-identical output.  ctx takes
 * the error message; pass the context the report was built with.
 * Returns RL_OK, or RL_ERR_OUTPUT with a message in ctx (RL_ERR_INTERNAL
 * for a NULL report).
 */
RL_API rl_status rl_report_write(rl_ctx *ctx, const rl_report *report,
                                 FILE *fallback);

/**
 * Exit status the report calls for: 0 no conflict-severity finding and no
 * error; 1 at least one conflict (diff: the layer shrank; area: below
 * --expect-min); 2 some input or footprint could not be processed.  2 wins
 * over 1.  NULL gives 2.
 */
RL_API int rl_report_exit_code(const rl_report *report);

/**
 * Free a report, using the context it was built with (which must still be
 * alive).  The options it borrowed are not freed.  NULL is a no-op.
 */
RL_API void rl_report_free(rl_report *report);

/**
 * Remove the temporary files of outputs this process is writing (-o,
 * --pieces, audit's --report-dir files: each is written beside its final
 * name and renamed into place only when whole).  Async-signal-safe: meant
 * for a SIGINT/SIGTERM handler that then ends the process, so an
 * interrupted run leaves no temporary file, and every final name keeps its
 * previous contents.  Files of a parent process are left alone in a forked
 * child.  Never fails, leaves errno unchanged; does nothing when no output
 * is being written.
 */
RL_API void rl_remove_temporary_outputs(void);

/**
 * Warnings of a report (screen, diff, area): things the figures do not
 * depend on but a reader must know, e.g. text that did not decode in its
 * encoding and was replaced with U+FFFD (each naming file, FID and field).
 * rl_report_warning_count() gives how many (0 for NULL); rl_report_warning()
 * the i-th (UTF-8, owned by the report; NULL when i is out of range).  The
 * JSON format also lists them under "warnings".
 */
RL_API size_t rl_report_warning_count(const rl_report *report);
RL_API const char *rl_report_warning(const rl_report *report, size_t i);

/**
 * Copy s into out (n bytes with the NUL) as it may safely be printed on a
 * terminal: newline, CR and tab as \n \r \t, other control characters
 * (C0, DEL) and bytes that are not UTF-8 as \xHH, C1 controls as \u00HH;
 * cut at a character boundary when it does not fit.  For progress lines and
 * messages that quote data (file names, ids).  Returns out; NULL s is "".
 */
RL_API char *rl_text_escape(char *out, size_t n, const char *s);

#ifdef __cplusplus
}
#endif

#endif /* REDLINE_H */
