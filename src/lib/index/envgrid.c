/*
 * envgrid.c -- a uniform grid over rectangles, answering "does this
 * rectangle meet any of them?".  screen uses it to skip, while reading a
 * control layer, every feature that no footprint comes near: for a province's
 * million parcels and a few thousand footprints that is nearly all of them.
 */
#include "index/index.h"

#include <math.h>
#include <stdlib.h>

struct rl_envgrid {
    double x0, y0, cw, ch; /* origin and cell size */
    size_t nx, ny;
    size_t *start;         /* nx*ny + 1 offsets into idx */
    size_t *idx;           /* rectangle numbers per cell */
    double (*env)[4];
};

static size_t cell_lo(double v, double o, double w, size_t n)
{
    double c = floor((v - o) / w);
    return c < 0 ? 0 : c >= (double)n ? n - 1 : (size_t)c;
}

rl_envgrid *rl_envgrid_new(const double (*env)[4], size_t n)
{
    rl_envgrid *G = calloc(1, sizeof *G);
    if (!G)
        return NULL;
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        x0 = fmin(x0, env[i][0]);
        y0 = fmin(y0, env[i][1]);
        x1 = fmax(x1, env[i][2]);
        y1 = fmax(y1, env[i][3]);
    }
    size_t side = n ? (size_t)ceil(sqrt((double)n)) : 1;
    G->nx = G->ny = side;
    G->x0 = n ? x0 : 0;
    G->y0 = n ? y0 : 0;
    G->cw = n && x1 > x0 ? (x1 - x0) / (double)side : 1;
    G->ch = n && y1 > y0 ? (y1 - y0) / (double)side : 1;
    G->env = malloc((n ? n : 1) * sizeof *G->env);
    G->start = calloc(side * side + 1, sizeof *G->start);
    if (!G->env || !G->start)
        goto fail;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 4; k++)
            G->env[i][k] = env[i][k];
    /* Two passes: count per cell, then fill (a compact CSR layout). */
    for (int pass = 0; pass < 2; pass++) {
        size_t *fill = NULL;
        if (pass == 1) {
            for (size_t c = 1; c <= side * side; c++)
                G->start[c] += G->start[c - 1];
            G->idx = malloc((G->start[side * side] ? G->start[side * side] : 1) *
                            sizeof *G->idx);
            fill = calloc(side * side, sizeof *fill);
            if (!G->idx || !fill) {
                free(fill);
                goto fail;
            }
        }
        for (size_t i = 0; i < n; i++) {
            size_t ax = cell_lo(env[i][0], G->x0, G->cw, G->nx);
            size_t bx = cell_lo(env[i][2], G->x0, G->cw, G->nx);
            size_t ay = cell_lo(env[i][1], G->y0, G->ch, G->ny);
            size_t by = cell_lo(env[i][3], G->y0, G->ch, G->ny);
            for (size_t y = ay; y <= by; y++)
                for (size_t x = ax; x <= bx; x++) {
                    size_t c = y * G->nx + x;
                    if (pass == 0)
                        G->start[c + 1]++;
                    else
                        G->idx[G->start[c] + fill[c]++] = i;
                }
        }
        free(fill);
    }
    return G;
fail:
    rl_envgrid_free(G);
    return NULL;
}

void rl_envgrid_free(rl_envgrid *G)
{
    if (!G)
        return;
    free(G->start);
    free(G->idx);
    free(G->env);
    free(G);
}

int rl_envgrid_hits(const rl_envgrid *G, const double e[4])
{
    if (!G->start[G->nx * G->ny])
        return 0;
    size_t ax = cell_lo(e[0], G->x0, G->cw, G->nx), bx = cell_lo(e[2], G->x0, G->cw, G->nx);
    size_t ay = cell_lo(e[1], G->y0, G->ch, G->ny), by = cell_lo(e[3], G->y0, G->ch, G->ny);
    for (size_t y = ay; y <= by; y++)
        for (size_t x = ax; x <= bx; x++) {
            size_t c = y * G->nx + x;
            for (size_t k = G->start[c]; k < G->start[c + 1]; k++) {
                const double *r = G->env[G->idx[k]];
                if (e[0] <= r[2] && e[2] >= r[0] && e[1] <= r[3] && e[3] >= r[1])
                    return 1;
            }
        }
    return 0;
}
