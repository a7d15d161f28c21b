/* natives_fixture.c: a shared library for test_natives.c, opened with dlopen like any
 * library a journey's extern names: functions of every parameter and result type, each
 * with its signature symbol, and functions that fail in each way the VM must catch.
 * Built by the Makefile as BUILD/tests/libnatives_fixture.so. */
#include <math.h>
#include <string.h>

double fixture_add(double a, double b);
int fixture_not(int value);
double fixture_mixed(double number, const char *text, int flag);
const char *fixture_echo(const char *text);
const char *fixture_word(int which);
double fixture_nan(void);
double fixture_infinite(void);
const char *fixture_null(void);
const char *fixture_bad_utf8(void);
double fixture_unsigned(double x);
double fixture_malformed(double x);

/* Well-formed functions. */
const char journey_signature_fixture_add[] = "nn:n";
double fixture_add(double a, double b) { return a + b; }

const char journey_signature_fixture_not[] = "b:b";
int fixture_not(int value) { return !value; }

/* All three types in one call, in an order that catches arguments passed in the wrong
 * registers: number + length of text + (flag ? 1000 : 0). */
const char journey_signature_fixture_mixed[] = "nsb:n";
double fixture_mixed(double number, const char *text, int flag)
{
    return number + (double)strlen(text) + (flag ? 1000 : 0);
}

/* Returns its argument itself: the VM must copy it out safely. */
const char journey_signature_fixture_echo[] = "s:s";
const char *fixture_echo(const char *text) { return text; }

/* A string of its own (static storage): "yes" or "no". */
const char journey_signature_fixture_word[] = "b:s";
const char *fixture_word(int which) { return which ? "yes" : "no"; }

/* Results the VM must refuse as run-time errors. */
const char journey_signature_fixture_nan[] = ":n";
double fixture_nan(void) { return NAN; }

const char journey_signature_fixture_infinite[] = ":n";
double fixture_infinite(void) { return INFINITY; }

const char journey_signature_fixture_null[] = ":s";
const char *fixture_null(void) { return NULL; }

const char journey_signature_fixture_bad_utf8[] = ":s";
const char *fixture_bad_utf8(void) { return "caf\xe9"; }

/* Loading must refuse these: no signature symbol, and one that is not a signature. */
double fixture_unsigned(double x) { return x; }

const char journey_signature_fixture_malformed[] = "n:x";
double fixture_malformed(double x) { return x; }
