/* duration_option.h: durations on the command line, as the language writes them:
 * "90s", "15m", "1h30m", "7d", "2w" (journey sim --until +30d, journey run
 * --checkpoint-every). */
#ifndef JOURNEY_DURATION_OPTION_H
#define JOURNEY_DURATION_OPTION_H
#include <stdbool.h>
#include <stdint.h>

/* Milliseconds; false when text is not a duration or is absurdly long. */
bool duration_option_parse(const char *text, int64_t *milliseconds);

#endif
