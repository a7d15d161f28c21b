/* usage.c: usage errors of the journey commands (usage.h). */
#include "usage.h"

#include <stdarg.h>
#include <stdio.h>

int usage_error(const char *command, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    fprintf(stderr, "%s: ", command);
    vfprintf(stderr, format, arguments);
    va_end(arguments);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", command);
    return EXIT_USAGE_ERROR;
}
