/* test_numbers.c: the built-ins' numeric routines (runtime/numbers.c): log, exp and pow
 * within one unit in the last place of the exact value (long double libm results as
 * the reference, themselves far more precise than a double), exact whole powers, and
 * the decimal rounding, formatting and reading that never depend on the locale. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../runtime/numbers.h"

enum { SAMPLES = 200000 };

/* A fixed pseudo-random sequence (xorshift64), so every run checks the same inputs. */
static uint64_t random_state = 0x9E3779B97F4A7C15u;
static double uniform(void)
{
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    return (double)(random_state >> 11) * 0x1p-53;
}

/* The distance from got to the exact value, in units in the last place of the double
 * nearest the exact value. */
static double ulps_from(double got, long double exact)
{
    double nearest = (double)exact;
    double ulp = nextafter(fabs(nearest), INFINITY) - fabs(nearest);
    return (double)(fabsl((long double)got - exact) / ulp);
}

static void assert_within_one_ulp(const char *function, double got, long double exact, double x, double y)
{
    double ulps = ulps_from(got, exact);
    if (ulps > 1.0) fail_msg("%s(%.17g, %.17g) = %.17g is %.3f ulps from %.21Lg", function, x, y, got, ulps, exact);
}

static void test_log_within_one_ulp(void **state)
{
    (void)state;
    for (int i = 0; i < SAMPLES; i++) {
        double x = exp2(uniform() * 2100 - 1074); /* subnormals to the largest doubles */
        if (x == 0 || !isfinite(x)) continue;
        assert_within_one_ulp("log", jr_number_log(x), logl(x), x, 0);
        double near_one = 1 + (uniform() - 0.5) * 1e-6; /* where log loses digits most easily */
        assert_within_one_ulp("log", jr_number_log(near_one), logl(near_one), near_one, 0);
    }
    assert_true(jr_number_log(1) == 0);
}

static void test_exp_within_one_ulp(void **state)
{
    (void)state;
    for (int i = 0; i < SAMPLES; i++) {
        double x = uniform() * 1415 - 708; /* results from 1e-307 to 1e307 */
        assert_within_one_ulp("exp", jr_number_exp(x), expl(x), x, 0);
    }
    assert_true(jr_number_exp(0) == 1);
    assert_true(isinf(jr_number_exp(710)));
    assert_true(jr_number_exp(-746) == 0);
}

static void test_pow_within_one_ulp(void **state)
{
    (void)state;
    for (int i = 0; i < SAMPLES; i++) {
        double x = uniform() * 1000, y = uniform() * 60 - 30, whole = floor(y);
        long double exact = powl(x, y);
        if (isfinite((double)exact) && fabsl(exact) > 1e-290L)
            assert_within_one_ulp("pow", jr_number_pow(x, y), exact, x, y);
        exact = powl(-x, whole);
        if (isfinite((double)exact) && fabsl(exact) > 1e-290L)
            assert_within_one_ulp("pow", jr_number_pow(-x, whole), exact, -x, whole);
    }
}

static void test_pow_exact_and_special(void **state)
{
    (void)state;
    /* Representable powers come out exact. */
    for (int k = -1074; k <= 1023; k++) assert_true(jr_number_pow(2, k) == ldexp(1, k));
    for (int k = -22; k <= 22; k++) {
        char text[16];
        snprintf(text, sizeof text, "1e%d", k);
        assert_true(jr_number_pow(10, k) == strtod(text, NULL)); /* strtod rounds correctly */
    }
    assert_true(jr_number_pow(1.1, 2) == 1.1 * 1.1);
    assert_true(jr_number_pow(-2, 3) == -8);
    assert_true(jr_number_pow(-2, 4) == 16);
    assert_true(jr_number_pow(0, 0) == 1);
    assert_true(jr_number_pow(0, 3) == 0);
    assert_true(isinf(jr_number_pow(0, -1)));
    assert_true(isnan(jr_number_pow(-8, 1.0 / 3)));
    assert_true(isinf(jr_number_pow(2, 1024)));
    assert_true(jr_number_pow(0.5, 1075) == 0);
    assert_true(isinf(jr_number_pow(1.0000001, 1e300)));
    assert_true(jr_number_pow(1.0000001, -1e300) == 0);
}

static void assert_rounds(double x, int places, double expected)
{
    double result;
    assert_true(jr_number_round_places(x, places, &result));
    if (result != expected) fail_msg("round(%.17g, %d) = %.17g, not %.17g", x, places, result, expected);
}

static void test_round_places(void **state)
{
    (void)state;
    assert_rounds(1.005, 2, 1.01); /* the shortest form 1.005, not the binary value below it */
    assert_rounds(0.125, 2, 0.13); /* halves away from zero, not to even */
    assert_rounds(-0.125, 2, -0.13);
    assert_rounds(2.5, 0, 3);
    assert_rounds(-2.5, 0, -3);
    assert_rounds(1234.5678, -2, 1200);
    assert_rounds(999.96, 1, 1000); /* the carry adds a digit */
    assert_rounds(0.0004, 2, 0);
    assert_rounds(0.1 + 0.2, 2, 0.3);
    assert_rounds(123.456, 5, 123.456);
    assert_rounds(5e-324, 400, 5e-324);
    assert_rounds(1e21, -21, 1e21);
    assert_rounds(4e21, -22, 0);
    assert_rounds(5e21, -22, 1e22);
    double result;
    assert_false(jr_number_round_places(1.7976931348623157e308, -299, &result)); /* rounds up past the largest */
}

static void assert_formats(double x, int places, const char *expected)
{
    char text[400];
    int length = jr_number_format_fixed(x, places, text, sizeof text);
    assert_int_equal(length, (int)strlen(expected));
    assert_string_equal(text, expected);
}

static void test_format_fixed(void **state)
{
    (void)state;
    assert_formats(2.5, 2, "2.50");
    assert_formats(1.005, 2, "1.01");
    assert_formats(0.125, 2, "0.13");
    assert_formats(-2.5, 0, "-3");
    assert_formats(-0.004, 2, "0.00"); /* zero has no sign */
    assert_formats(0, 3, "0.000");
    assert_formats(7, 0, "7");
    assert_formats(1e-7, 7, "0.0000001");
    assert_formats(123456789012345678.0, 1, "123456789012345680.0");
    assert_formats(1e21, 3, "1000000000000000000000.000");
    char text[400];
    int length = jr_number_format_fixed(-1.7976931348623157e308, 17, text, sizeof text);
    assert_int_equal(length, 1 + 309 + 1 + 17);
    assert_int_equal(jr_number_format_fixed(12.5, 2, text, 5), -1); /* "12.50" needs 6 bytes */
    assert_int_equal(jr_number_format_fixed(12.5, 2, text, 6), 5);
}

static void assert_parses(const char *text, double expected)
{
    double value = -1;
    if (!jr_number_parse(text, strlen(text), &value)) fail_msg("'%s' is not read as a number", text);
    if (value != expected) fail_msg("'%s' reads as %.17g, not %.17g", text, value, expected);
}

static void test_parse(void **state)
{
    (void)state;
    assert_parses("42", 42);
    assert_parses("-0.5", -0.5);
    assert_parses("+5", 5);
    assert_parses(".5", 0.5);
    assert_parses("-.5", -0.5);
    assert_parses("5.", 5);
    assert_parses("5.e3", 5000);
    assert_parses("12.5E+2", 1250);
    assert_parses("007", 7);
    assert_parses("0.1", 0.1);
    assert_parses("1e-400", 0);
    const char *refused[] = { "", ".", "+", "-", "+-5", "1e", "1e+", " 5", "5 ", "1,5", "0x10", "inf", "nan", "1e400",
                              "1.2.3", "--1" };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        double value;
        if (jr_number_parse(refused[i], strlen(refused[i]), &value)) fail_msg("'%s' is read as a number", refused[i]);
    }
}

static void test_shortest_digits(void **state)
{
    (void)state;
    char digits[JR_NUMBER_DIGITS_MAX];
    int point;
    int count = jr_number_shortest_digits(0.1 + 0.2, digits, &point);
    assert_int_equal(count, 17);
    assert_memory_equal(digits, "30000000000000004", 17);
    assert_int_equal(point, 0);
    count = jr_number_shortest_digits(-1500, digits, &point);
    assert_int_equal(count, 2);
    assert_memory_equal(digits, "15", 2);
    assert_int_equal(point, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_within_one_ulp), cmocka_unit_test(test_exp_within_one_ulp),
        cmocka_unit_test(test_pow_within_one_ulp), cmocka_unit_test(test_pow_exact_and_special),
        cmocka_unit_test(test_round_places),       cmocka_unit_test(test_format_fixed),
        cmocka_unit_test(test_parse),              cmocka_unit_test(test_shortest_digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
