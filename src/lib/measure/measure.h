/*
 * measure.h -- areas: the ellipsoidal and planar area of a geometry
 * (area.c) and the units users read them in (units.c).
 */
#ifndef RL_MEASURE_H
#define RL_MEASURE_H

#include "input/input.h"

typedef enum { RL_AREA_ELLIPSOIDAL = 0, RL_AREA_PLANAR } rl_area_method;
const char *rl_area_method_name(rl_area_method m);

/* ---- area (area.c) ---- */

/*
 * Area of a polygonal geometry `g` whose coordinates are in `crs`, in m2.
 * ellipsoidal: geodesic area on crs's ellipsoid of the vertices transformed
 * to crs's geographic CRS.  planar: plane area in crs (for a geographic crs:
 * in the GK 3-degree zone of g's centroid).  Holes are subtracted, ring
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
