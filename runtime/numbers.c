/* numbers.c: locale-free decimal numbers and deterministic log, exp and pow for the
 * built-in functions (numbers.h). */
#include "numbers.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json_reader.h"

/* No a * b + c may become a fused multiply-add, whatever the flags (-std=gnu17 and
 * -march with FMA would contract): each compiler is told in its own way. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

/* ---- decimal digits ----------------------------------------------------------------- */

/* Reads the digits and the exponent of printf's "%e" text, [-]d[<radix>ddd]e(+|-)xx,
 * whatever the locale's radix character is. Returns the number of digits. */
static int scientific_digits(const char *text, char digits[JR_NUMBER_DIGITS_MAX], int *exponent)
{
    int count = 0;
    const char *p = text;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9' && count < JR_NUMBER_DIGITS_MAX) digits[count++] = *p;
    int sign = 1, value = 0;
    if (*p == 'e') p++;
    if (*p == '-' || *p == '+') sign = *p++ == '-' ? -1 : 1;
    for (; *p >= '0' && *p <= '9'; p++) value = value * 10 + (*p - '0');
    *exponent = sign * value;
    return count;
}

/* The double nearest 0.DIGITS x 10^point; infinity when that is too large. */
static double digits_value(const char *digits, int count, int point)
{
    char text[JR_NUMBER_DIGITS_MAX + 16];
    int length = snprintf(text, sizeof text, "0.%.*se%d", count, digits, point);
    double value;
    return jr_json_parse_number_text(text, (size_t)length, &value) ? value : INFINITY;
}

int jr_number_shortest_digits(double x, char digits[JR_NUMBER_DIGITS_MAX], int *point)
{
    double magnitude = fabs(x);
    int count = 0, exponent = 0;
    for (int precision = 1; precision <= JR_NUMBER_DIGITS_MAX; precision++) {
        char text[48];
        snprintf(text, sizeof text, "%.*e", precision - 1, magnitude);
        count = scientific_digits(text, digits, &exponent);
        if (digits_value(digits, count, exponent + 1) == magnitude) break;
    }
    while (count > 1 && digits[count - 1] == '0') count--;
    *point = exponent + 1;
    return count;
}

/* Keeps the first `kept` digits (fewer than there are), rounding half up on the
 * magnitude; a carry out of the first digit moves the point. Returns the new count,
 * trailing zeros dropped; 0 when the value rounds to zero. */
static int round_digits(char *digits, int kept, int *point)
{
    bool up = digits[kept] >= '5';
    if (!up) {
        while (kept > 0 && digits[kept - 1] == '0') kept--;
        return kept;
    }
    int i = kept - 1;
    while (i >= 0 && digits[i] == '9') i--;
    if (i < 0) { /* 999.6 -> 1000: one digit, one place further */
        digits[0] = '1';
        (*point)++;
        return 1;
    }
    digits[i]++;
    return i + 1;
}

bool jr_number_round_places(double x, int places, double *result)
{
    *result = x;
    if (x == 0) return true;
    char digits[JR_NUMBER_DIGITS_MAX];
    int point, count = jr_number_shortest_digits(x, digits, &point);
    long kept = (long)point + places; /* the digits before the rounding place */
    if (kept >= count) return true;
    count = kept < 0 ? 0 : round_digits(digits, (int)kept, &point);
    double magnitude = count == 0 ? 0 : digits_value(digits, count, point);
    if (!isfinite(magnitude)) return false;
    *result = x < 0 && magnitude != 0 ? -magnitude : magnitude;
    return true;
}

int jr_number_format_fixed(double x, int places, char *out, size_t size)
{
    char digits[JR_NUMBER_DIGITS_MAX];
    int count = 0, point = 0;
    if (x != 0) {
        count = jr_number_shortest_digits(x, digits, &point);
        long kept = (long)point + places;
        if (kept < count) count = kept < 0 ? 0 : round_digits(digits, (int)kept, &point);
    }
    size_t length = 0;
#define PUT(c)                                                                                                         \
    do {                                                                                                               \
        if (length + 1 >= size) return -1;                                                                             \
        out[length++] = (c);                                                                                           \
    } while (0)
    if (x < 0 && count > 0) PUT('-');
    if (count == 0 || point <= 0) PUT('0');
    for (int i = 0; count > 0 && i < point; i++) PUT(i < count ? digits[i] : '0');
    if (places > 0) PUT('.');
    for (int i = 0; i < places; i++) {
        int index = point + i;
        PUT(index >= 0 && index < count ? digits[index] : '0');
    }
#undef PUT
    out[length] = '\0';
    return (int)length;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool jr_number_parse(const char *text, size_t length, double *result)
{
    /* The grammar first, noting what JSON's grammar lacks: a '+', a bare '.' before or
     * after the digits. */
    size_t at = 0, integer_digits = 0, fraction_digits = 0, point_at = SIZE_MAX;
    bool plus = at < length && text[at] == '+';
    if (at < length && (text[at] == '+' || text[at] == '-')) at++;
    size_t sign_end = at;
    while (at < length && is_digit(text[at])) at++, integer_digits++;
    if (at < length && text[at] == '.') {
        point_at = at++;
        while (at < length && is_digit(text[at])) at++, fraction_digits++;
    }
    if (integer_digits + fraction_digits == 0) return false;
    size_t exponent_at = at;
    if (at < length && (text[at] == 'e' || text[at] == 'E')) {
        at++;
        if (at < length && (text[at] == '+' || text[at] == '-')) at++;
        size_t digits_from = at;
        while (at < length && is_digit(text[at])) at++;
        if (at == digits_from) return false;
    }
    if (at != length) return false;
    if (!plus && (point_at == SIZE_MAX || (integer_digits > 0 && fraction_digits > 0)))
        return jr_json_parse_number_text(text, length, result);
    /* Rewritten in JSON's grammar: sign dropped if '+', "0" before a leading '.',
     * a trailing '.' dropped. */
    char buffer[512];
    size_t written = 0;
    if (length + 2 > sizeof buffer) return false;
    if (!plus && sign_end > 0) buffer[written++] = '-';
    if (integer_digits == 0) buffer[written++] = '0';
    size_t copy_end = fraction_digits == 0 && point_at != SIZE_MAX ? point_at : exponent_at;
    memcpy(buffer + written, text + sign_end, copy_end - sign_end);
    written += copy_end - sign_end;
    memcpy(buffer + written, text + exponent_at, length - exponent_at);
    written += length - exponent_at;
    return jr_json_parse_number_text(buffer, written, result);
}

/* ---- double-double arithmetic ---------------------------------------------------------
 * A value high + low with |low| <= ulp(high) / 2 carries about 106 bits. Sums and
 * products are exact transformations (Knuth's two-sum, Dekker's product with
 * Veltkamp's split), so they give the same bits everywhere. */
typedef struct double_double {
    double high, low;
} double_double;

static double_double two_sum(double a, double b)
{
    double sum = a + b, b_part = sum - a;
    return (double_double){ sum, (a - (sum - b_part)) + (b - b_part) };
}

/* Requires |a| >= |b| or a == 0. */
static double_double fast_two_sum(double a, double b)
{
    double sum = a + b;
    return (double_double){ sum, b - (sum - a) };
}

/* Exact for |a|, |b| below 2^996 (the split would overflow above). */
static double_double two_product(double a, double b)
{
    const double splitter = 134217729.0; /* 2^27 + 1 */
    double product = a * b;
    double a_scaled = splitter * a, a_high = a_scaled - (a_scaled - a), a_low = a - a_high;
    double b_scaled = splitter * b, b_high = b_scaled - (b_scaled - b), b_low = b - b_high;
    double error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low;
    return (double_double){ product, error };
}

static double_double dd_multiply(double_double a, double_double b)
{
    double_double product = two_product(a.high, b.high);
    return fast_two_sum(product.high, product.low + (a.high * b.low + a.low * b.high));
}

/* 1 / a, to double-double precision. */
static double_double dd_reciprocal(double a)
{
    double quotient = 1 / a;
    double_double back = two_product(quotient, a);
    return fast_two_sum(quotient, ((1 - back.high) - back.low) / a);
}

/* ln 2 in two parts; the high part has 32 significant bits, so k * LN2_HIGH is exact
 * for every |k| < 2^21 (fdlibm's split). */
static const double LN2_HIGH = 6.93147180369123816490e-01;
static const double LN2_LOW = 1.90821492927058770002e-10;
static const double LN2 = 6.93147180559945309417e-01;

/* ln(x) for a finite x > 0 in double-double: x = m 2^k with m in [sqrt(1/2), sqrt(2)),
 * ln(m) = 2 atanh(s) with s = (m - 1) / (m + 1), |s| < 0.172, by its series in s^2. */
static double_double log_dd(double x)
{
    int k;
    double m = frexp(x, &k);
    if (m < 0.70710678118654752440) {
        m *= 2;
        k--;
    }
    double f = m - 1; /* exact: m is within a factor 2 of 1 */
    double_double denominator = two_sum(m, 1);
    double s = f / denominator.high;
    double_double back = two_product(s, denominator.high);
    double s_low = (((f - back.high) - back.low) - s * denominator.low) / denominator.high;
    double s2 = s * s, series = 0; /* s^2/3 + s^4/5 + ... ; the 14th term is below 2^-70 */
    for (int i = 14; i >= 1; i--) series = s2 * (1.0 / (2 * i + 1) + series);
    double_double log_m = fast_two_sum(2 * s, 2 * s_low + 2 * s * series);
    double_double sum = two_sum(k * LN2_HIGH, log_m.high);
    return fast_two_sum(sum.high, sum.low + (log_m.low + k * LN2_LOW));
}

/* e^(high + low) for |low| <= ulp(high): e^x = 2^j e^r with |r| <= ln(2)/2, e^r - 1 by
 * its Taylor series (the 18th term is below 2^-60). */
static double exp_dd(double high, double low)
{
    if (high > 709.8) return INFINITY;
    if (high < -745.2) return 0;
    double j = floor(high / LN2 + 0.5);
    double r_high = high - j * LN2_HIGH; /* exact: both within a factor 2, or j == 0 */
    double_double r = two_sum(r_high, -j * LN2_LOW);
    r.low += low;
    double tail = 0; /* r/2! + r^2/3! + ... */
    for (int i = 18; i >= 2; i--) tail = r.high / i * (1 + tail);
    double square_part = r.high * tail; /* e^r.high - 1 - r.high */
    double_double sum = two_sum(1, r.high);
    sum.low += square_part + r.low * (1 + r.high + square_part);
    return ldexp(sum.high + sum.low, (int)j);
}

double jr_number_log(double x)
{
    double_double value = log_dd(x);
    return value.high + value.low;
}

double jr_number_exp(double x) { return exp_dd(x, 0); }

/* x^n for x > 0 and a whole 0 < n <= 1024, by repeated squaring in double-double:
 * exact while the power fits in 106 bits. */
static double whole_power(double_double base, double n)
{
    double_double result = { 1, 0 };
    for (; n >= 1; n = floor(n / 2)) {
        if (n - 2 * floor(n / 2) == 1) result = dd_multiply(result, base);
        if (n >= 2) base = dd_multiply(base, base);
    }
    return result.high + result.low;
}

double jr_number_pow(double x, double y)
{
    if (y == 0 || x == 1) return 1;
    bool whole = floor(y) == y, negative = false;
    if (x < 0) {
        if (!whole) return NAN;
        negative = floor(y / 2) * 2 != y; /* an odd power keeps the sign */
        x = -x;
    }
    double magnitude;
    if (x == 0) {
        magnitude = y > 0 ? 0 : INFINITY;
    } else if (fabs(y) >= 0x1p62) { /* |y ln x| is at least 2^62 * 2^-53: far out of range */
        magnitude = (x > 1) == (y > 0) ? INFINITY : 0;
    } else {
        double_double logarithm = log_dd(x);
        double_double exponent = two_product(y, logarithm.high);
        exponent = fast_two_sum(exponent.high, exponent.low + y * logarithm.low);
        /* Whole powers that stay well inside the normal range are multiplied out, so
         * that representable powers come out exact; the rest go through e^(y ln x). */
        if (whole && fabs(y) <= 1024 && fabs(exponent.high) < 650)
            magnitude = whole_power(y > 0 ? (double_double){ x, 0 } : dd_reciprocal(x), fabs(y));
        else
            magnitude = exp_dd(exponent.high, exponent.low);
    }
    return negative ? -magnitude : magnitude;
}
