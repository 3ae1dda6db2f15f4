/*
 * measure.h -- areas: the ellipsoidal and planar area of a geometry
 * (area.c) and the units users read them in (units.c).
 */
#ifndef RL_MEASURE_H
#define RL_MEASURE_H

#include "input/input.h"

/* How an edge between two vertices is read (docs/area-method.md). */
typedef enum {
    RL_AREA_ELLIPSOIDAL = 0, /* straight in the geometry's CRS, on its ellipsoid */
    RL_AREA_PLANAR,          /* straight in a projected plane, plane area */
    RL_AREA_GEODESIC,        /* a geodesic of the ellipsoid (as PostGIS) */
    RL_AREA_SURVEY           /* 国土调查办发〔2008〕32号 trapezoid series */
} rl_area_method;
/* "ellipsoidal", "planar", "geodesic" or "survey". */
const char *rl_area_method_name(rl_area_method m);
/* Parses one of those names into *m: 1 ok, 0 unknown (*m untouched). */
int rl_area_method_parse(const char *s, rl_area_method *m);
/* Its Chinese label for reports: 椭球面积, 平面面积, ... */
const char *rl_area_method_zh(rl_area_method m);

/* ---- area (area.c) ---- */

/*
 * Area of a polygonal geometry `g` whose coordinates are in `crs`, in m2.
 * ellipsoidal: area on crs's ellipsoid of the set whose edges are straight
 * in crs (an exact integral per edge: inserting a vertex on an edge moves
 * the area by < 1e-9 relative).  geodesic: edges are geodesics between the
 * vertices transformed to crs's geographic CRS (geod_polygonarea).  survey:
 * the trapezoid series of 国土调查办发〔2008〕32号 on those vertices (an
 * 8-digit easting picks its zone-prefixed Gauss-Krüger plane).  planar:
 * plane area in crs (for a geographic crs: in the GK 3-degree zone of g's
 * centroid).  g NULL gives 0.  Holes are subtracted, ring
 * orientation does not matter.  Non-polygonal parts count 0.
 * Returns RL_OK, or a failure with a message in ctx.
 */
rl_status rl_geom_area(rl_ctx *ctx, const GEOSGeometry *g, const rl_crs *crs,
                       rl_area_method m, double *area);

/* ---- units (units.c) ---- */

typedef enum { RL_U_M2 = 0, RL_U_HA, RL_U_MU, RL_U_KM2 } rl_units;
int rl_units_parse(const char *s, rl_units *u); /* 1 ok, 0 unknown */
double rl_units_factor(rl_units u);              /* m2 per unit */
const char *rl_units_name(rl_units u);
/* Parse "12.5km2", "1800ha", "27000mu", "5e6" (m2). 1 ok, 0 bad. */
int rl_parse_area_with_unit(const char *s, double *m2);
/*
 * Parse a whole string as a plain decimal number ("500", "0.5", "1e3"), finite;
 * 1 ok (*x set), 0 otherwise: hexadecimal ("0x10"), "inf", "nan", blanks,
 * signs and overflow ("1e400") are refused, which strtod() alone would take.
 */
int rl_parse_decimal(const char *s, double *x);

#endif
