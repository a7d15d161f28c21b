/* report_stats.c: the statistics of the simulation report (spec/report.md): Wilson
 * intervals for rates, and two-proportion comparisons (Wald interval of the difference,
 * log interval of the ratio, pooled z-test). 95% throughout. */
#include <math.h>

#include "report.h"

static const double Z95 = 1.959963984540054; /* the 97.5th percentile of N(0, 1) */

static report_interval undefined_interval(void) { return (report_interval){ NAN, NAN }; }

report_rate report_rate_of(uint64_t goals, uint64_t contacts)
{
    report_rate rate = { contacts, goals, NAN, undefined_interval() };
    if (contacts == 0) return rate;
    double n = (double)contacts, p = (double)goals / n, z2 = Z95 * Z95;
    rate.rate = p;
    double denominator = 1 + z2 / n;
    double center = (p + z2 / (2 * n)) / denominator;
    double half = Z95 * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
    /* At 0% and 100% the bound is exactly 0 or 1 (rounding would leave 1e-17). */
    rate.interval = (report_interval){ goals == 0 ? 0 : fmax(0, center - half),
                                       goals == contacts ? 1 : fmin(1, center + half) };
    return rate;
}

report_comparison report_compare(report_rate group, report_rate baseline)
{
    report_comparison c = { group, baseline, NAN, undefined_interval(), NAN, undefined_interval(), NAN, NAN };
    if (group.contacts == 0 || baseline.contacts == 0) return c;
    double n1 = (double)group.contacts, n0 = (double)baseline.contacts;
    double x1 = (double)group.goals, x0 = (double)baseline.goals;
    double p1 = group.rate, p0 = baseline.rate;
    c.absolute_lift = p1 - p0;
    double spread = sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0);
    c.absolute_interval = (report_interval){ c.absolute_lift - Z95 * spread, c.absolute_lift + Z95 * spread };
    if (p0 > 0) {
        c.relative_lift = p1 / p0 - 1;
        if (x1 > 0) { /* the log of the ratio is about normal with this spread */
            double log_spread = sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0);
            double log_ratio = log(p1 / p0);
            c.relative_interval = (report_interval){ exp(log_ratio - Z95 * log_spread) - 1,
                                                     exp(log_ratio + Z95 * log_spread) - 1 };
        }
    }
    double pooled = (x1 + x0) / (n1 + n0);
    double pooled_spread = sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
    if (pooled_spread > 0) {
        c.z = c.absolute_lift / pooled_spread;
        c.p_value = erfc(fabs(c.z) / sqrt(2.0));
    }
    return c;
}
