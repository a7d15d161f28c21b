/* duration_option.c: "1h30m" and friends (duration_option.h). */
#include "duration_option.h"

#include <stdlib.h>

bool duration_option_parse(const char *text, int64_t *milliseconds)
{
    int64_t total = 0;
    const char *p = text;
    if (!*p) return false;
    while (*p) {
        char *end;
        long long amount = strtoll(p, &end, 10);
        if (end == p || amount < 0) return false;
        int64_t unit;
        switch (*end) {
        case 's': unit = 1000; break;
        case 'm': unit = 60000; break;
        case 'h': unit = 3600000; break;
        case 'd': unit = 86400000; break;
        case 'w': unit = 604800000; break;
        default: return false;
        }
        if (amount > INT64_MAX / unit / 2 || total > INT64_MAX / 2) return false;
        total += amount * unit;
        p = end + 1;
    }
    *milliseconds = total;
    return true;
}
