/* test_report_stats.c: the report's statistics (spec/report.md 5) against values worked
 * out by hand from the formulas (and agreeing with R's prop.test(correct = FALSE)). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "report.h"

#define assert_close(actual, expected) assert_true(fabs((actual) - (expected)) < 5e-5)

/* 60 of 100 against 45 of 100. */
static void test_comparison(void **unused)
{
    (void)unused;
    report_comparison c = report_compare(report_rate_of(60, 100), report_rate_of(45, 100));
    assert_close(c.group.rate, 0.60);
    assert_close(c.group.interval.low, 0.50200);
    assert_close(c.group.interval.high, 0.69062);
    assert_close(c.absolute_lift, 0.15);
    assert_close(c.absolute_interval.low, 0.013153);
    assert_close(c.absolute_interval.high, 0.286847);
    assert_close(c.relative_lift, 1.0 / 3.0);
    assert_close(c.relative_interval.low, 0.018485);
    assert_close(c.relative_interval.high, 0.745525);
    assert_close(c.z, 2.123977);
    assert_close(c.p_value, 0.033672);
}

/* Rates at the edges: exact bounds, and undefined figures stay undefined. */
static void test_edges(void **unused)
{
    (void)unused;
    report_rate none = report_rate_of(0, 20);
    assert_true(none.interval.low == 0);
    assert_close(none.interval.high, 0.161125);
    report_rate all = report_rate_of(20, 20);
    assert_true(all.interval.high == 1);
    report_rate empty = report_rate_of(0, 0);
    assert_true(isnan(empty.rate) && isnan(empty.interval.low));

    report_comparison against_empty = report_compare(report_rate_of(3, 10), empty);
    assert_true(isnan(against_empty.absolute_lift) && isnan(against_empty.p_value));
    report_comparison against_zero = report_compare(report_rate_of(3, 10), report_rate_of(0, 10));
    assert_close(against_zero.absolute_lift, 0.3);
    assert_true(isnan(against_zero.relative_lift) && isnan(against_zero.relative_interval.low));
    assert_true(isfinite(against_zero.p_value));
    report_comparison both_zero = report_compare(report_rate_of(0, 10), report_rate_of(0, 10));
    assert_true(both_zero.absolute_lift == 0 && isnan(both_zero.z) && isnan(both_zero.p_value));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comparison),
        cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
