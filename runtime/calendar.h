/* calendar.h: calendar arithmetic in a time zone for the built-in functions
 * (builtins.c): the distance between two local dates, and moving an instant by whole
 * months and days while keeping its local time of day, across DST changes.
 *
 * Wall times that a DST change skips or repeats follow timezone.h's rule (the one of
 * `wait until`): a time skipped by a gap becomes the instant the clock jumps, a repeated
 * time its first occurrence. Only timezone.h's public functions are used: no libc time
 * or locale function. Pure functions of their arguments and the loaded zone. */
#ifndef JR_CALENDAR_H
#define JR_CALENDAR_H
#include <stdbool.h>
#include <stdint.h>

#include "timezone.h"

/* The local date of `to` minus the local date of `from`, in days (negative if earlier):
 * 23:00 to 01:00 the next day is 1, 00:00 to 23:59 the same day is 0. */
int64_t jr_calendar_days_between(const jr_zone *zone, int64_t from_ms, int64_t to_ms);

/* The instant `months` calendar months and then `days` calendar days after `at_ms`
 * (before when negative), at the same local time of day in the zone; the day of the
 * month is limited to the target month's last (January 31 plus one month is February
 * 28 or 29). Adding nothing gives at_ms itself, even in a repeated hour. False when the
 * result would be beyond +-2^53 ms (about 285 000 years) or the counts beyond
 * +-4 000 000 months or +-200 000 000 days. */
bool jr_calendar_add(const jr_zone *zone, int64_t at_ms, int64_t months, int64_t days, int64_t *result_ms);

#endif
