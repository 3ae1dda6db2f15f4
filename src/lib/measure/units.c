/* units.c -- area units for human-facing output: m2, ha, mu (亩), km2. */
#include "measure/measure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    double m2;
} units[] = {
    [RL_U_M2] = {"m2", 1.0},
    [RL_U_HA] = {"ha", 10000.0},
    [RL_U_MU] = {"mu", 10000.0 / 15.0}, /* 1 亩 = 10000/15 m2 */
    [RL_U_KM2] = {"km2", 1e6},
};

int rl_units_parse(const char *s, rl_units *u)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(s, units[i].name) == 0) {
            *u = (rl_units)i;
            return 1;
        }
    }
    /* Chinese spellings users type as-is. */
    if (strcmp(s, "亩") == 0) {
        *u = RL_U_MU;
        return 1;
    }
    if (strcmp(s, "公顷") == 0) {
        *u = RL_U_HA;
        return 1;
    }
    if (strcmp(s, "平方米") == 0) {
        *u = RL_U_M2;
        return 1;
    }
    if (strcmp(s, "平方公里") == 0 || strcmp(s, "平方千米") == 0) {
        *u = RL_U_KM2;
        return 1;
    }
    return 0;
}

double rl_units_factor(rl_units u) { return units[u].m2; }

const char *rl_units_name(rl_units u) { return units[u].name; }

/*
 * Length of the plain decimal number at s (digits, one optional point,
 * optional exponent), 0 if there is none.  strtod() alone would also take
 * "0x10", "inf", "nan" and leading blanks, which no user means as an area.
 */
static size_t decimal_span(const char *s)
{
    size_t i = 0, digits = 0;
    while (s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (s[i] == '.')
        for (i++; s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (!digits)
        return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-')
            j++;
        if (s[j] >= '0' && s[j] <= '9') {
            while (s[j] >= '0' && s[j] <= '9')
                j++;
            i = j;
        }
    }
    return i;
}

int rl_parse_decimal(const char *s, double *x)
{
    size_t n = decimal_span(s);
    if (!n || s[n])
        return 0;
    double v = strtod(s, NULL);
    if (!isfinite(v))
        return 0;
    *x = v;
    return 1;
}

int rl_parse_area_with_unit(const char *s, double *m2)
{
    size_t n = decimal_span(s);
    if (!n)
        return 0;
    double v = strtod(s, NULL);
    if (!(v >= 0) || !isfinite(v))
        return 0;
    rl_units u = RL_U_M2;
    if (s[n] && !rl_units_parse(s + n, &u))
        return 0;
    *m2 = v * rl_units_factor(u);
    return 1;
}
