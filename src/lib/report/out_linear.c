/*
 * out_linear.c -- what line and point footprints add to screen's table,
 * CSV and JSON: the geometry type, the corridor's length and width, and per
 * control the centre line inside it and its chainages (docs/linear.md).
 * Nothing is written unless some footprint is a line or a point, so that
 * reports of polygons keep their bytes.
 */
#include "report/out_table.h"

#include <math.h>
#include <string.h>

static const char *kind_name(int kind)
{
    static const char *names[] = {"polygon", "line", "point"};
    return names[kind];
}

void rl_json_linear_fp(rl_buf *b, const rl_screen_data *d, const rl_fp_result *r)
{
    if (!d->linear)
        return;
    const rl_linear_info *li = &r->lin;
    rl_buf_puts(b, ", \"geometry_type\": ");
    rl_buf_json_str(b, kind_name(li->kind));
    if (li->kind == RL_KIND_LINE && r->verdict != RL_V_ERROR) {
        rl_buf_puts(b, ", \"length_m\": ");
        rl_buf_json_m2(b, li->length_m);
        rl_buf_puts(b, ", \"width_m\": ");
        rl_buf_json_m2(b, li->width_m); /* null when the sides differ */
        rl_buf_puts(b, ", \"left_m\": ");
        rl_buf_json_m2(b, li->left_m);
        rl_buf_puts(b, ", \"right_m\": ");
        rl_buf_json_m2(b, li->right_m);
    } else if (li->kind == RL_KIND_POINT && r->verdict != RL_V_ERROR) {
        rl_buf_puts(b, d->opts->point_radius > 0 ? ", \"radius_m\": " : ", \"size_m\": ");
        rl_buf_json_m2(b, li->size_m);
    }
}

void rl_json_linear_ctl(rl_buf *b, const rl_screen_data *d, const rl_fp_result *r, int k)
{
    if (!d->linear || r->lin.kind != RL_KIND_LINE)
        return;
    const rl_fp_control *fc = &r->ctl[k];
    rl_buf_puts(b, ", \"length_m\": ");
    rl_buf_json_m2(b, fc->line_m);
    rl_buf_puts(b, ", \"crossings\": [");
    for (size_t j = 0; j < fc->ncross; j++) {
        rl_buf_puts(b, j ? ", {\"from_m\": " : "{\"from_m\": ");
        rl_buf_json_m2(b, fc->cross[j].from_m);
        rl_buf_puts(b, ", \"to_m\": ");
        rl_buf_json_m2(b, fc->cross[j].to_m);
        rl_buf_puts(b, "}");
    }
    rl_buf_puts(b, "]");
}

/* Point footprints (towers, 塔基) that overlap control k. */
static size_t points_inside(const rl_screen_data *d, int k)
{
    size_t n = 0;
    for (size_t i = 0; i < d->nres; i++)
        n += d->res[i].lin.kind == RL_KIND_POINT && d->res[i].verdict != RL_V_ERROR &&
             d->res[i].ctl[k].overlap_m2 > 0;
    return n;
}

void rl_json_linear_summary(rl_buf *b, const rl_screen_data *d)
{
    size_t npoints = 0;
    for (size_t i = 0; d->linear && i < d->nres; i++)
        npoints += d->res[i].lin.kind == RL_KIND_POINT;
    if (!npoints)
        return;
    rl_buf_printf(b, ", \"points\": %zu, \"points_inside\": {", npoints);
    for (int k = 0; k < d->ncontrols; k++) {
        if (k)
            rl_buf_puts(b, ", ");
        rl_buf_json_str(b, d->controls[k].spec.name);
        rl_buf_printf(b, ": %zu", points_inside(d, k));
    }
    rl_buf_puts(b, "}");
}

void rl_csv_linear_header(const rl_screen_data *d, rl_buf *b)
{
    if (!d->linear)
        return;
    rl_buf_puts(b, ",geometry_type,length_m,width_m,left_m,right_m");
    for (int k = 0; k < d->ncontrols; k++) {
        const char *n = d->controls[k].spec.name;
        rl_buf_printf(b, ",%s_length_m,%s_crossings", n, n);
    }
}

void rl_csv_linear_cells(const rl_screen_data *d, const rl_fp_result *r, rl_buf *b)
{
    if (!d->linear)
        return;
    const rl_linear_info *li = &r->lin;
    int line = li->kind == RL_KIND_LINE && r->verdict != RL_V_ERROR;
    rl_buf_printf(b, ",%s", kind_name(li->kind));
    if (line) {
        rl_buf_printf(b, ",%.4f,", li->length_m);
        if (isfinite(li->width_m))
            rl_buf_printf(b, "%.4f", li->width_m);
        rl_buf_printf(b, ",%.4f,%.4f", li->left_m, li->right_m);
    } else {
        rl_buf_puts(b, ",,,,");
    }
    for (int k = 0; k < d->ncontrols; k++) {
        const rl_fp_control *fc = &r->ctl[k];
        if (!line) {
            rl_buf_puts(b, ",,");
            continue;
        }
        /* Crossings as "from-to" chainages, separated by ";". */
        rl_buf_printf(b, ",%.4f,", fc->line_m);
        for (size_t j = 0; j < fc->ncross; j++)
            rl_buf_printf(b, "%s%.4f-%.4f", j ? ";" : "", fc->cross[j].from_m,
                          fc->cross[j].to_m);
    }
}

void rl_table_linear(const rl_screen_data *d, rl_buf *b)
{
    if (!d->linear)
        return;
    int head = 0;
    for (size_t i = 0; i < d->nres; i++) {
        const rl_fp_result *r = &d->res[i];
        if (r->lin.kind != RL_KIND_LINE || r->verdict == RL_V_ERROR)
            continue;
        if (!head++)
            rl_buf_puts(b, "\nline footprints: corridor, and the centre line inside each "
                           "control (chainage from the first vertex, m):\n");
        rl_buf_puts(b, "  ");
        rl_buf_puts_esc(b, r->id);
        rl_buf_printf(b, ": length %.3f km, ", r->lin.length_m / 1000);
        if (isfinite(r->lin.width_m))
            rl_buf_printf(b, "width %.2f m\n", r->lin.width_m);
        else
            rl_buf_printf(b, "width %.2f m left + %.2f m right\n", r->lin.left_m,
                          r->lin.right_m);
        for (int k = 0; k < d->ncontrols; k++) {
            const rl_fp_control *fc = &r->ctl[k];
            if (!fc->ncross)
                continue;
            rl_buf_puts(b, "    ");
            rl_buf_puts_esc(b, d->controls[k].spec.name);
            rl_buf_printf(b, ": %.3f km inside;", fc->line_m / 1000);
            for (size_t j = 0; j < fc->ncross; j++)
                rl_buf_printf(b, "%s %.1f-%.1f", j ? "," : "", fc->cross[j].from_m,
                              fc->cross[j].to_m);
            rl_buf_puts(b, "\n");
        }
    }
    size_t npoints = 0;
    for (size_t i = 0; i < d->nres; i++)
        npoints += d->res[i].lin.kind == RL_KIND_POINT;
    if (!npoints)
        return;
    rl_buf_printf(b, "\npoint footprints (towers, 塔基): %zu;", npoints);
    for (int k = 0; k < d->ncontrols; k++) {
        rl_buf_puts(b, k ? ", " : " ");
        rl_buf_puts_esc(b, d->controls[k].spec.name);
        rl_buf_printf(b, " %zu inside", points_inside(d, k));
    }
    rl_buf_puts(b, "\n");
}
