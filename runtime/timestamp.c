/* timestamp.c: ISO-8601 / RFC 3339 timestamps to and from milliseconds since the
 * epoch, by calendar arithmetic alone (no libc time zone or locale functions).
 *
 * Read: YYYY-MM-DD, then 'T', 't' or ' ', then HH:MM[:SS[(.|,)fraction]], then 'Z',
 * 'z' or an offset +HH:MM, +HHMM or +HH (or with '-'); nothing before or after.
 *   - Years 0001 to 9999 (proleptic Gregorian calendar, leap years included); month
 *     1-12, day within its month, hour 0-23, minute 0-59, second 0-60; offsets up to
 *     23:59 either way.
 *   - A fraction of any length is truncated (not rounded) to milliseconds.
 *   - A leap second (second 60) reads as the last millisecond of that minute,
 *     HH:MM:59.999, whatever its fraction: the instant stays inside its minute, after
 *     every earlier instant and before the next minute, so event order is kept.
 *     (Second 60 is accepted at any minute; no table of real leap seconds is kept.)
 *   - A time with no zone is refused: it names no instant.
 * Written: "YYYY-MM-DDTHH:MM:SS.mmmZ", always UTC and 24 characters; instants before
 * 0001-01-01T00:00:00.000Z or after 9999-12-31T23:59:59.999Z are clamped to those. */
#include "event.h"

#include <stdbool.h>
#include <stdint.h>

/* The failure branches are rare: without saying so, GCC takes the path that computes
 * the result for a cold one and divides with div instructions. */
#define TIMESTAMP_FAILS(condition) __builtin_expect(!!(condition), 0)

enum {
    MILLISECONDS_PER_SECOND = 1000,
    SECONDS_PER_DAY = 86400,
};
#define MILLISECONDS_PER_DAY ((int64_t)SECONDS_PER_DAY * MILLISECONDS_PER_SECOND)

/* Days from 1970-01-01 to year-month-day, for years 1 to 9999 (Howard Hinnant's
 * days_from_civil, in unsigned arithmetic since the year is never negative here). */
static int64_t timestamp_days_from_civil(unsigned year, unsigned month, unsigned day)
{
    year -= month <= 2;
    const unsigned era = year / 400;
    const unsigned year_of_era = year - era * 400;                                  /* [0, 399] */
    const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1; /* [0, 365] */
    const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return (int64_t)era * 146097 + (int64_t)day_of_era - 719468;
}

/* The inverse: the civil date of a day number (Howard Hinnant's civil_from_days). */
static void timestamp_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int64_t day_of_era = days - era * 146097;                                      /* [0, 146096] */
    const int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const int64_t month_from_march = (5 * day_of_year + 2) / 153;                      /* [0, 11] */
    *day = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    *month = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    *year = year_of_era + era * 400 + (*month <= 2);
}

static bool timestamp_is_leap_year(unsigned year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int timestamp_days_in_month(unsigned year, int month)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return month == 2 && timestamp_is_leap_year(year) ? 29 : days[month - 1];
}

/* The value of two decimal digits at text, or -1. */
static inline __attribute__((always_inline)) int timestamp_two_digits(const char *text)
{
    unsigned tens = (unsigned)(unsigned char)text[0] - '0', ones = (unsigned)(unsigned char)text[1] - '0';
    return tens > 9 || ones > 9 ? -1 : (int)(tens * 10 + ones);
}

bool jr_parse_timestamp(const char *text, size_t length, int64_t *milliseconds)
{
    /* The fixed part, "YYYY-MM-DDTHH:MM", by position. */
    if (TIMESTAMP_FAILS(!text || !milliseconds || length < 17 || text[4] != '-' || text[7] != '-' || text[13] != ':')) return false;
    if (TIMESTAMP_FAILS(text[10] != 'T' && text[10] != 't' && text[10] != ' ')) return false;
    int century = timestamp_two_digits(text), year_in_century = timestamp_two_digits(text + 2);
    int month = timestamp_two_digits(text + 5), day = timestamp_two_digits(text + 8);
    int hour = timestamp_two_digits(text + 11), minute = timestamp_two_digits(text + 14);
    if (TIMESTAMP_FAILS(century < 0 || year_in_century < 0 || month < 1 || month > 12 || day < 1 || hour < 0 ||
                        hour > 23 || minute < 0 || minute > 59))
        return false;
    unsigned year = (unsigned)(century * 100 + year_in_century);
    if (TIMESTAMP_FAILS(year < 1 || day > timestamp_days_in_month(year, month))) return false;

    size_t at = 16;
    int second = 0, millisecond = 0;
    if (text[at] == ':') {
        if (TIMESTAMP_FAILS(length - at < 3 || (second = timestamp_two_digits(text + at + 1)) < 0 || second > 60))
            return false;
        at += 3;
        if (at < length && (text[at] == '.' || text[at] == ',')) {
            at++;
            size_t first_digit = at;
            while (at < length && text[at] >= '0' && text[at] <= '9') {
                if (at - first_digit < 3) millisecond = millisecond * 10 + (text[at] - '0');
                at++;
            }
            size_t digits = at - first_digit;
            if (TIMESTAMP_FAILS(digits == 0)) return false;
            for (size_t i = digits; i < 3; i++) millisecond *= 10;
        }
    }

    /* The zone. */
    int offset_minutes = 0;
    if (TIMESTAMP_FAILS(at >= length)) return false;
    char zone = text[at++];
    if (zone == 'Z' || zone == 'z') {
        if (TIMESTAMP_FAILS(at != length)) return false;
    } else if (zone == '+' || zone == '-') {
        size_t left = length - at;
        int offset_hours, offset_rest = 0;
        if (TIMESTAMP_FAILS(left < 2 || (offset_hours = timestamp_two_digits(text + at)) < 0 || offset_hours > 23))
            return false;
        if (left == 5 && text[at + 2] == ':')
            offset_rest = timestamp_two_digits(text + at + 3);
        else if (left == 4)
            offset_rest = timestamp_two_digits(text + at + 2);
        else if (left != 2)
            return false;
        if (TIMESTAMP_FAILS(offset_rest < 0 || offset_rest > 59)) return false;
        offset_minutes = (zone == '-' ? -1 : 1) * (offset_hours * 60 + offset_rest);
    } else {
        return false;
    }

    if (second == 60) {
        second = 59;
        millisecond = 999;
    }
    int64_t days = timestamp_days_from_civil(year, (unsigned)month, (unsigned)day);
    int64_t seconds = days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - (int64_t)offset_minutes * 60;
    *milliseconds = seconds * MILLISECONDS_PER_SECOND + millisecond;
    return true;
}

void jr_format_timestamp(int64_t milliseconds, char out[25])
{
    if (!out) return;
    const int64_t earliest = timestamp_days_from_civil(1, 1, 1) * MILLISECONDS_PER_DAY;
    const int64_t latest = timestamp_days_from_civil(9999, 12, 31) * MILLISECONDS_PER_DAY + MILLISECONDS_PER_DAY - 1;
    if (milliseconds < earliest) milliseconds = earliest;
    if (milliseconds > latest) milliseconds = latest;

    int64_t days = milliseconds / MILLISECONDS_PER_DAY;
    int64_t in_day = milliseconds % MILLISECONDS_PER_DAY;
    if (in_day < 0) {
        in_day += MILLISECONDS_PER_DAY;
        days -= 1;
    }
    int64_t year;
    int month, day;
    timestamp_civil_from_days(days, &year, &month, &day);
    int fields[7] = { (int)year, month, day, (int)(in_day / 3600000), (int)(in_day / 60000 % 60),
                      (int)(in_day / 1000 % 60), (int)(in_day % 1000) };
    static const int widths[7] = { 4, 2, 2, 2, 2, 2, 3 };
    static const char after[7] = { '-', '-', 'T', ':', ':', '.', 'Z' };
    char *p = out;
    for (int i = 0; i < 7; i++) {
        for (int digit = widths[i] - 1; digit >= 0; digit--) {
            p[digit] = (char)('0' + fields[i] % 10);
            fields[i] /= 10;
        }
        p += widths[i];
        *p++ = after[i];
    }
    *p = '\0';
}
