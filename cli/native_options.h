/* native_options.h: the command line's way to let a program call native code:
 * --allow-native=LIB (repeatable) and --native-dir=DIR, shared by `journey sim` and
 * `journey test`, and the jr_load_options they make (spec/language.md 5.11). */
#ifndef JOURNEY_NATIVE_OPTIONS_H
#define JOURNEY_NATIVE_OPTIONS_H
#include <stdbool.h>
#include <stdint.h>

#include "journey.h"

typedef struct native_options {
    const char **allowed; /* the libraries of --allow-native, in order */
    uint32_t allowed_count;
    const char *library_dir; /* --native-dir, or NULL */
} native_options;

/* Room for as many libraries as a command line of argc words can name. False when out
 * of memory. */
bool native_options_init(native_options *options, int argc);
void native_options_free(native_options *options);

typedef enum native_option_result {
    NATIVE_OPTION_NOT_MINE,   /* argv[*i] is another option */
    NATIVE_OPTION_TAKEN,      /* recorded; *i is on its last word */
    NATIVE_OPTION_NO_VALUE,   /* --allow-native or --native-dir without a value */
} native_option_result;

/* Reads argv[*i] if it is --allow-native=LIB, --allow-native LIB, --native-dir=DIR or
 * --native-dir DIR (the two-word forms take argv[*i + 1] and advance *i). */
native_option_result native_option_parse(native_options *options, int argc, char **argv, int *i);

/* The load options: the allowed libraries and the directory (which live as long as
 * options and argv), and the C library's allocator. */
jr_load_options native_load_options(const native_options *options);

#endif
