/* support.c: the two helpers every part of libjourney shares: the default allocator
 * behind jr_allocator, and filling a jr_error. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "program.h"

void *jr_default_realloc(void *user, void *pointer, size_t size)
{
    (void)user;
    if (size == 0) {
        free(pointer);
        return NULL;
    }
    return realloc(pointer, size);
}

uint32_t jr_hash_bytes(const char *bytes, uint32_t length)
{
    uint32_t hash = 2166136261u; /* FNV-1a */
    for (uint32_t i = 0; i < length; i++) hash = (hash ^ (unsigned char)bytes[i]) * 16777619u;
    return hash;
}

jr_status jr_fail(jr_error *error, jr_status status, const char *format, ...)
{
    if (error) {
        error->status = status;
        error->file[0] = '\0';
        error->line = 0;
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(error->message, sizeof error->message, format, arguments);
        va_end(arguments);
    }
    return status;
}
