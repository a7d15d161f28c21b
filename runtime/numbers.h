/* numbers.h: the numeric routines of the built-in functions (builtins.c), with results
 * that are the same bits on every machine:
 *
 * - decimal text is read and written without the C library's locale (a host that calls
 *   setlocale must not turn "1.5" into "1,5"), from the number's shortest decimal
 *   digits, the digits that interpolation shows (spec/language.md 3.8);
 * - the natural logarithm, the exponential and powers are computed with IEEE-754
 *   + - * / and exact operations (floor, frexp, ldexp) in double-double precision,
 *   never with libm's log, exp or pow, whose last bits differ between C libraries
 *   and processors. The results are within one unit in the last place of the exact
 *   value (tests/unit/test_numbers.c measures it), and exact whenever a whole power
 *   of a number is representable (pow(10, 2) is 100, pow(2, -3) is 0.125).
 *
 * The bits depend on a * b + c never becoming a fused multiply-add: numbers.c tells GCC
 * and clang so itself, whatever the flags. Library code: nothing here prints,
 * allocates or looks at global state. */
#ifndef JR_NUMBERS_H
#define JR_NUMBERS_H
#include <stdbool.h>
#include <stddef.h>

/* The most significant digits a double ever needs to read back as itself. */
#define JR_NUMBER_DIGITS_MAX 17

/* The fewest decimal digits that read back as |x| (x finite and not zero): writes them
 * to digits (no leading zero, no terminator) and the decimal point's place to *point,
 * so that |x| = 0.DIGITS x 10^point. Returns the number of digits, 1 to 17. */
int jr_number_shortest_digits(double x, char digits[JR_NUMBER_DIGITS_MAX], int *point);

/* x rounded to `places` decimal places (negative places round to tens, hundreds, ...),
 * halves away from zero, applied to x's shortest decimal digits: 1.005 rounds to 1.01
 * with 2 places although the double nearest 1.005 is slightly below it. False when the
 * result is not finite (1.7976931348623157e308 to -300 places). */
bool jr_number_round_places(double x, int places, double *result);

/* x written in plain notation with exactly `places` (0 to 17) digits after the decimal
 * point ('.'), rounded as jr_number_round_places does: "-12.50", "3", "0.001".
 * A result that rounds to zero has no minus sign. Returns the length written (plus the
 * terminator), or -1 when size is too small; 330 bytes always suffice. */
int jr_number_format_fixed(double x, int places, char *out, size_t size);

/* Reads a whole text as a decimal number: an optional sign (+ or -), digits with an
 * optional fraction (".5" and "5." allowed), an optional exponent (e or E, an optional
 * sign, digits); nothing else, no white space. Correctly rounded. False when the text
 * is not one or the number is not finite. */
bool jr_number_parse(const char *text, size_t length, double *result);

/* ln(x) for a finite x > 0. */
double jr_number_log(double x);
/* e^x for a finite x: +infinity when it is too large for a double, 0 when too small. */
double jr_number_exp(double x);
/* x^y for finite x and y: 1 when y is 0; NaN when x < 0 and y is not a whole number;
 * +-infinity when the result is too large for a double or x is 0 and y < 0. */
double jr_number_pow(double x, double y);

#endif
