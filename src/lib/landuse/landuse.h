/*
 * landuse.h -- the land-use breakdown (地类面积表) of screen --landuse:
 * the 三调 class correspondence (classes.c), the 平差 largest-remainder
 * rounding (round.c), and the figures of one footprint and of a run
 * (landuse.c): double cover resolved, 田坎 deducted, 国有/集体, 坐落单位.
 *
 * Every area is in m2 by the run's --area method; the overlay runs in the
 * DLTB layer's CRS (it is one more pipeline of the screen engine).
 */
#ifndef RL_LANDUSE_H
#define RL_LANDUSE_H

#include "options/options.h"
#include "overlay/overlay.h"

/* ---- class correspondence (classes.c) ---- */

/* The three top classes (三大类), and codes the table does not know. */
typedef enum {
    RL_TOP_AGRI = 0,  /* 农用地 */
    RL_TOP_BUILD,     /* 建设用地 */
    RL_TOP_UNUSED,    /* 未利用地 */
    RL_TOP_UNKNOWN,   /* not in the 三调 工作分类 table */
    RL_TOP_N
} rl_top_class;

typedef struct rl_lu_class_info {
    const char *name;   /* 二级类 name, static UTF-8; NULL when unknown */
    char level1[3];     /* 一级类 code "00".."12", "" when unknown */
    rl_top_class top;
} rl_lu_class_info;

/*
 * What the 三调 工作分类 (TD/T 1055-2019) says of DLBM `code`: its name,
 * 一级类 and top class.  A code with a letter suffix (0201K 可调整果园,
 * 1104A 养殖坑塘) that the table does not list follows its base code, and
 * its name is the base name with "可调整" before it for K.  Unknown codes
 * get top RL_TOP_UNKNOWN, level1 their first two digits when those are
 * 00..12 (else ""), and name NULL.  `buf` (>= 64 bytes) holds a built name.
 */
rl_lu_class_info rl_lu_class(const char *code, char *buf, size_t n);
/* Name of 一级类 "01" (耕地 …), or NULL. */
const char *rl_lu_level1_name(const char *code);
/* JSON key of a top class: "agricultural_m2" … without the "_m2". */
const char *rl_lu_top_key(rl_top_class t);
/* Chinese name of a top class: 农用地, 建设用地, 未利用地, 未识别. */
const char *rl_lu_top_name(rl_top_class t);

/* ---- 平差 rounding (round.c) ---- */

/*
 * Split the whole number `target` (units of the last decimal) among n
 * values v[] (in the same units, unrounded, >= 0) by the largest-remainder
 * rule: out[i] is floor(v[i]) or floor(v[i]) + 1, and the out[] add up to
 * target exactly.  The largest remainders get the extra units first, ties
 * to the lower index.  When target is far from sum(v) (callers pass a
 * rounded sum, so it is not), the difference is spread one unit at a time
 * in the same order, never below 0.  n == 0 does nothing.
 */
void rl_lr_split(long long target, const double *v, size_t n, long long *out);
/*
 * Round a tree of n values top-down: parent[i] < i is the node's parent,
 * -1 for a root.  A root is rounded half away from zero to `decimals`
 * places; the children of every node are rl_lr_split of its rounded
 * value, so at every level the rounded children add up exactly to the
 * rounded parent.  value[] in any unit; out[] in units of 10^-decimals.
 * Returns RL_OK, or RL_ERR_NOMEM / RL_ERR_INTERNAL (a parent not before its
 * child) with a message in ctx.
 */
rl_status rl_round_tree(rl_ctx *ctx, const double *value, const int *parent, size_t n,
                        int decimals, long long *out);

/* ---- figures (landuse.c) ---- */

typedef enum { RL_LU_GEOMETRIC = 0, RL_LU_ATTRIBUTE } rl_lu_method;
typedef enum { RL_LU_COUNTY = 0, RL_LU_TOWN, RL_LU_VILLAGE } rl_lu_level;
const char *rl_lu_method_name(rl_lu_method m);
const char *rl_lu_level_name(rl_lu_level l);

/* The DLTB fields the breakdown reads; -1 when the layer lacks one. */
enum { RL_LUF_DLBM = 0, RL_LUF_DLMC, RL_LUF_QSXZ, RL_LUF_ZLDWDM, RL_LUF_ZLDWMC,
       RL_LUF_KCDLBM, RL_LUF_KCXS, RL_LUF_KCMJ, RL_LUF_TBMJ, RL_LUF_TBDLMJ, RL_LUF_N };
/* Default (三调) name of field RL_LUF_*. */
const char *rl_lu_field_name(int f);

/* One parcel's share of a footprint after double cover is resolved. */
typedef struct rl_lu_piece {
    size_t feat;       /* DLTB feature index */
    double raw_m2;     /* footprint ∩ parcel */
    double area_m2;    /* minus what parcels of lower FID cover: counted once */
    double parcel_m2;  /* the whole parcel (attribute method), else 0 */
    GEOSGeometry *g;   /* the resolved piece in the output CRS, with --pieces */
    GEOSGeometry *rg;  /* the resolved piece in the DLTB CRS, with `keep` */
} rl_lu_piece;

typedef struct rl_lu_row {
    char *code;
    char *name;        /* may be NULL: unknown */
    double area_m2, state_m2, collective_m2;
    long long r_area, r_state, r_collective; /* rounded, units of 10^-decimals */
    int top;           /* rl_top_class (classes), level (units) */
} rl_lu_row;

typedef struct rl_landuse {
    int done;                 /* figures computed (no error) */
    /*
     * Set before phase 5 when the footprint's envelope meets another's: it
     * may share land with it, so the run's total needs its geometries:
     * fp_g, dbl_g and each piece's rg (DLTB CRS, owned).
     */
    int keep;
    GEOSGeometry *fp_g;       /* the footprint */
    GEOSGeometry *dbl_g;      /* its double-covered part; NULL: none */
    const rl_crs *fcrs;       /* the footprint's CRS (planar areas are taken there) */
    double area_m2;           /* the footprint (summary: the union of the footprints) */
    double covered_m2, uncovered_m2, double_m2;
    rl_lu_piece *pieces;      /* phase 5; freed once tabulated */
    size_t npieces;
    rl_lu_row *classes;       /* by code */
    size_t nclasses;
    rl_lu_row *level1;        /* by code */
    size_t nlevel1;
    double top[RL_TOP_N];
    rl_lu_row *units[3];      /* by county, town, village code */
    size_t nunits[3];
    /* 平差-rounded, in 10^-decimals of the chosen unit */
    long long r_area, r_covered, r_uncovered, r_double, r_total, r_top[RL_TOP_N];
} rl_landuse;

/* How pieces are measured: as screen measures control pieces. */
typedef struct rl_lu_measure {
    rl_area_method m;
    const rl_crs *ccrs;     /* the pieces' CRS (the DLTB's) */
    const rl_crs *fcrs;     /* the footprint's CRS: planar areas are taken there */
    const rl_crs *out_crs;  /* CRS of --pieces; NULL: no pieces kept */
} rl_lu_measure;

/*
 * Phase 5 for one footprint: lu->pieces[0..npieces-1] hold the parcels
 * (feat, ascending, which is FID order) and raw_m2; g[i] (DLTB CRS,
 * borrowed) is piece i.  Where parcels overlap, the area goes to the
 * lowest FID only (area_m2); double_m2 is the area covered twice or more,
 * counted once; covered_m2 is the sum of area_m2, at most fp_m2.  With
 * ms->out_crs each piece's resolved part is kept in that CRS (--pieces).
 * With `parcels` (attribute method) each parcel's whole area is measured
 * too.  Returns RL_OK or a failure with a message in ctx.
 */
rl_status rl_landuse_resolve(rl_ctx *ctx, rl_landuse *lu, const GEOSGeometry *const *g,
                             double fp_m2, const rl_lu_measure *ms,
                             const rl_layer *parcels);

/* Fields of the DLTB by default name or --field alias; fills idx[RL_LUF_N]. */
rl_status rl_landuse_fields(rl_ctx *ctx, const rl_layer *L, const rl_screen_options *o,
                            int idx[RL_LUF_N]);
/*
 * After the attributes of the hit parcels are read: the rows of lu from its
 * pieces (kept, for --pieces).  A KCXS that is not a number from 0 to 1, or a
 * missing TBDLMJ (attribute method), fails with a message naming the
 * parcel's FID.
 */
rl_status rl_landuse_tabulate(rl_ctx *ctx, rl_landuse *lu, const rl_layer *L,
                              const int idx[RL_LUF_N], rl_lu_method m);
/*
 * The run's total of the n footprints lus[] (tabulated; those not `done`
 * are left out) into `to` (zeroed by the caller): the breakdown of the union
 * of the footprints, so land that two footprints share is counted once.
 * Footprints whose interiors overlap (found among those with `keep`) are
 * merged parcel by parcel by the union of their resolved pieces; the area
 * of the union is the sum of the footprints' areas less what the overlap
 * adds (both measured as ms measures pieces, with the first footprint's
 * CRS for planar areas).  ms->fcrs and ms->out_crs are not used.
 * Returns RL_OK or a failure with a message in ctx.
 */
rl_status rl_landuse_total(rl_ctx *ctx, rl_landuse *to, rl_landuse *const *lus, size_t n,
                           const rl_lu_measure *ms, const rl_layer *L,
                           const int idx[RL_LUF_N], rl_lu_method m);
/* 平差: fill every r_* of lu, in `u` at `decimals` places. */
rl_status rl_landuse_round(rl_ctx *ctx, rl_landuse *lu, rl_lu_method m, rl_units u,
                           int decimals);
/*
 * Decimals of the rounded figures: --landuse-decimals, else by --units:
 * m2 2, ha 4, mu 2, km2 6.
 */
int rl_lu_decimals(const rl_screen_options *o);
/* Free what lu holds (not lu); NULL ok. */
void rl_landuse_clear(rl_ctx *ctx, rl_landuse *lu);

#endif
