/* calendar.c: calendar arithmetic in a time zone (calendar.h). */
#include "calendar.h"

enum { DAY_SECONDS = 86400 };

/* Times stay within +-2^53 ms (spec/language.md 3.10). */
#define TIME_LIMIT_MS INT64_C(9007199254740992)

static int64_t floor_divide(int64_t numerator, int64_t denominator)
{
    int64_t quotient = numerator / denominator;
    return quotient - (numerator % denominator != 0 && (numerator < 0) != (denominator < 0));
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t year, unsigned month, unsigned day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    unsigned year_of_era = (unsigned)(year - era * 400);
    unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + (int64_t)day_of_era - 719468;
}

static unsigned days_in_month(int64_t year, unsigned month)
{
    static const unsigned lengths[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : lengths[month - 1];
}

static int64_t local_date(const jr_zone *zone, int64_t utc_ms)
{
    jr_civil civil = jr_zone_civil(zone, utc_ms);
    return days_from_civil(civil.year, civil.month, civil.day);
}

int64_t jr_calendar_days_between(const jr_zone *zone, int64_t from_ms, int64_t to_ms)
{
    return local_date(zone, to_ms) - local_date(zone, from_ms);
}

/* Local wall time (seconds since the epoch as the zone's clock reads it) at an instant. */
static int64_t wall_seconds_at(const jr_zone *zone, int64_t utc_ms)
{
    return floor_divide(utc_ms, 1000) + jr_zone_offset(zone, utc_ms);
}

/* The instant at which a local wall time occurs: the first instant at which the zone's
 * clock reads it or later. Offsets stay within 26 hours, so 27 hours before the wall
 * time read as UTC is surely earlier; from there the occurrences of its time of day are
 * visited until one reaches it (at most three: that day's and the two before). */
static int64_t instant_of_wall_time(const jr_zone *zone, int64_t wall_seconds)
{
    uint32_t second_of_day = (uint32_t)(wall_seconds - floor_divide(wall_seconds, DAY_SECONDS) * DAY_SECONDS);
    int64_t instant = (wall_seconds - 27 * 3600) * 1000;
    for (int visited = 0; visited < 8; visited++) {
        instant = jr_zone_next_time_of_day(zone, instant, second_of_day);
        if (wall_seconds_at(zone, instant) >= wall_seconds) break;
        instant += 1000;
    }
    return instant;
}

bool jr_calendar_add(const jr_zone *zone, int64_t at_ms, int64_t months, int64_t days, int64_t *result_ms)
{
    if (months == 0 && days == 0) {
        *result_ms = at_ms;
        return true;
    }
    /* Past these the result is beyond +-2^53 ms anyway; they keep the arithmetic small. */
    if (months < -4000000 || months > 4000000 || days < -200000000 || days > 200000000) return false;
    jr_civil civil = jr_zone_civil(zone, at_ms);
    int64_t month_index = (int64_t)civil.year * 12 + (civil.month - 1) + months;
    int64_t year = floor_divide(month_index, 12);
    unsigned month = (unsigned)(month_index - year * 12) + 1;
    unsigned day = civil.day <= days_in_month(year, month) ? civil.day : days_in_month(year, month);
    int64_t date = days_from_civil(year, month, day) + days;
    int64_t wall = date * DAY_SECONDS + civil.hour * 3600 + civil.minute * 60 + civil.second;
    int64_t instant = instant_of_wall_time(zone, wall) + civil.millisecond;
    if (instant < -TIME_LIMIT_MS || instant > TIME_LIMIT_MS) return false;
    *result_ms = instant;
    return true;
}
