/* timezone.c: reads TZif files from the zoneinfo directory into immutable zones, caches
 * them by name, and converts instants to local wall time and back by arithmetic on the
 * transition table and the POSIX TZ footer rule. The rules are in timezone.h. */
#include "timezone.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    SECONDS_PER_DAY = 86400,
    /* RFC 8536: a UT offset SHOULD be in [-89999, 93599]; larger ones are rejected, which
     * bounds how far a wall time can be from its instant (about 26 hours). */
    LOWEST_UTC_OFFSET = -89999,
    HIGHEST_UTC_OFFSET = 93599,
    /* POSIX TZ strings: offsets up to 24:59:59, rule times up to 167 hours (RFC 8536). */
    TZ_OFFSET_MAX_HOURS = 24,
    TZ_RULE_TIME_MAX_HOURS = 167,
    TZ_DEFAULT_RULE_TIME = 2 * 3600,
    TZIF_HEADER_SIZE = 44,
    TZIF_MAX_FILE_SIZE = 1 << 20,
    /* Unknown names remembered at most; more are looked up on disk each time. */
    MAX_REMEMBERED_UNKNOWN_NAMES = 4096,
    INITIAL_CACHE_CAPACITY = 64,
};

#define SPAN_NEVER_ENDS INT64_MAX
#define DEFAULT_ZONEINFO_DIR "/usr/share/zoneinfo"

typedef struct local_time_type {
    int32_t utc_offset;
    bool is_dst;
} local_time_type;

typedef enum rule_date_kind {
    RULE_DATE_JULIAN_NO_LEAP, /* Jn: 1..365, February 29 never counted */
    RULE_DATE_ZERO_BASED,     /* n: 0..365, February 29 counted */
    RULE_DATE_MONTH_WEEK_DAY, /* Mm.w.d */
} rule_date_kind;

typedef struct rule_date {
    rule_date_kind kind;
    int16_t day;   /* Jn and n: the day number; M: the weekday, 0 = Sunday */
    uint8_t month; /* M: 1..12 */
    uint8_t week;  /* M: 1..5, 5 = the last */
    int32_t time;  /* local seconds after midnight, -167h..167h */
} rule_date;

/* The footer: a fixed offset, or standard time with daylight saving time between two
 * dates each year. dst_offset may be below std_offset (negative DST, Europe/Dublin). */
typedef struct posix_rule {
    bool present; /* false: version 1, or an empty footer */
    bool has_dst;
    int32_t std_offset; /* seconds east of UTC */
    int32_t dst_offset;
    rule_date dst_start; /* in local standard time */
    rule_date dst_end;   /* in local daylight saving time */
} posix_rule;

struct jr_zone {
    const char *name;
    size_t transition_count;
    const int64_t *transitions; /* seconds, strictly ascending */
    const uint8_t *transition_types;
    size_t type_count;
    const local_time_type *types;
    posix_rule footer;
    int32_t lowest_offset; /* over every type and the footer */
    int32_t highest_offset;
};

/* The offset in effect from a given second up to `end` (exclusive, seconds). */
typedef struct offset_span {
    int32_t utc_offset;
    bool is_dst;
    int64_t end;
} offset_span;

static const local_time_type utc_types[1] = {{0, false}};
static const jr_zone utc_zone = {
    .name = "UTC",
    .type_count = 1,
    .types = utc_types,
};

const jr_zone *jr_zone_utc(void) { return &utc_zone; }

const char *jr_zone_name(const jr_zone *zone) { return zone ? zone->name : utc_zone.name; }

/* ---- calendar arithmetic ------------------------------------------------------------ */

static int64_t floor_divide(int64_t numerator, int64_t denominator)
{
    int64_t quotient = numerator / denominator;
    if (numerator % denominator != 0 && ((numerator < 0) != (denominator < 0)))
        quotient--;
    return quotient;
}

static int64_t floor_modulo(int64_t numerator, int64_t denominator)
{
    return numerator - floor_divide(numerator, denominator) * denominator;
}

static bool is_leap_year(int64_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static unsigned days_in_month(int64_t year, unsigned month)
{
    static const unsigned char lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return lengths[month - 1] + (month == 2 && is_leap_year(year));
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t year, unsigned month, unsigned day)
{
    year -= month <= 2;
    const int64_t era = floor_divide(year, 400);
    const unsigned year_of_era = (unsigned)(year - era * 400);
    const unsigned shifted_month = month > 2 ? month - 3 : month + 9;
    const unsigned day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + (int64_t)day_of_era - 719468;
}

static void civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    days += 719468;
    const int64_t era = floor_divide(days, 146097);
    const unsigned day_of_era = (unsigned)(days - era * 146097);
    const unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned shifted_month = (5 * day_of_year + 2) / 153;
    *day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    *month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
    *year = (int64_t)year_of_era + era * 400 + (*month <= 2);
}

static int64_t clamp_instant(int64_t utc_ms)
{
    if (utc_ms > JR_ZONE_INSTANT_LIMIT_MS)
        return JR_ZONE_INSTANT_LIMIT_MS;
    if (utc_ms < -JR_ZONE_INSTANT_LIMIT_MS)
        return -JR_ZONE_INSTANT_LIMIT_MS;
    return utc_ms;
}

static uint32_t reduce_seconds_of_day(uint32_t seconds) { return seconds % SECONDS_PER_DAY; }

/* ---- the footer rule ---------------------------------------------------------------- */

/* Local seconds since the epoch (in the offset before the change) at which the rule
 * date falls in `year`. */
static int64_t rule_date_local_seconds(const rule_date *date, int64_t year)
{
    if (date->kind == RULE_DATE_JULIAN_NO_LEAP)
        return (days_from_civil(year, 1, 1) + date->day - 1 + (is_leap_year(year) && date->day >= 60)) *
                   SECONDS_PER_DAY + date->time;
    if (date->kind == RULE_DATE_ZERO_BASED)
        return (days_from_civil(year, 1, 1) + date->day) * SECONDS_PER_DAY + date->time;
    const int64_t first_of_month = days_from_civil(year, date->month, 1);
    const int64_t weekday_of_first = floor_modulo(first_of_month + 4, 7); /* 0 = Sunday */
    int64_t day_in_month = floor_modulo(date->day - weekday_of_first, 7) + 7 * (date->week - 1);
    const int64_t month_length = days_in_month(year, date->month);
    while (day_in_month >= month_length) /* week 5: the last such weekday */
        day_in_month -= 7;
    const int64_t days = first_of_month + day_in_month;
    return days * SECONDS_PER_DAY + date->time;
}

typedef struct rule_change {
    int64_t at; /* UTC seconds */
    int64_t year;
    int order; /* within a year: the start of DST sorts before its end */
    bool to_dst;
} rule_change;

static bool rule_change_before(const rule_change *a, const rule_change *b)
{
    if (a->at != b->at)
        return a->at < b->at;
    if (a->year != b->year)
        return a->year < b->year;
    return a->order < b->order;
}

/* The footer's offset at second s and how long it lasts. The changes of the years around
 * s are sorted and the last one at or before s wins; with times limited to 167 hours and
 * offsets to 26, the changes of year y fall within about 8 days of that year, so years
 * y-2..y+2 always hold one change at or before s and one after. When DST ends at the
 * very instant it starts again (DST all year, "EST5EDT4,0/0,J365/25"), the later year's
 * start wins. */
static offset_span footer_span_at(const posix_rule *rule, int64_t s)
{
    if (!rule->has_dst)
        return (offset_span){rule->std_offset, false, SPAN_NEVER_ENDS};
    int64_t year;
    unsigned month, day;
    civil_from_days(floor_divide(s, SECONDS_PER_DAY), &year, &month, &day);

    enum { YEARS = 5, CHANGES = 2 * YEARS };
    rule_change changes[CHANGES];
    size_t count = 0;
    for (int64_t y = year - 2; y <= year + 2; y++) {
        changes[count++] = (rule_change){
            rule_date_local_seconds(&rule->dst_start, y) - rule->std_offset, y, 0, true};
        changes[count++] = (rule_change){
            rule_date_local_seconds(&rule->dst_end, y) - rule->dst_offset, y, 1, false};
    }
    for (size_t i = 1; i < count; i++) {
        const rule_change moving = changes[i];
        size_t j = i;
        while (j > 0 && rule_change_before(&moving, &changes[j - 1])) {
            changes[j] = changes[j - 1];
            j--;
        }
        changes[j] = moving;
    }
    size_t after = 0;
    while (after < count && changes[after].at <= s)
        after++;
    const bool in_dst = after > 0 ? changes[after - 1].to_dst : !changes[0].to_dst;
    return (offset_span){
        in_dst ? rule->dst_offset : rule->std_offset,
        in_dst,
        after < count ? changes[after].at : SPAN_NEVER_ENDS,
    };
}

/* ---- offsets ------------------------------------------------------------------------ */

static offset_span zone_span_at(const jr_zone *zone, int64_t s)
{
    const size_t count = zone->transition_count;
    size_t low = 0, high = count; /* find the first transition after s */
    while (low < high) {
        const size_t middle = low + (high - low) / 2;
        if (zone->transitions[middle] <= s)
            low = middle + 1;
        else
            high = middle;
    }
    if (low < count) {
        const local_time_type type = low == 0 ? zone->types[0] : zone->types[zone->transition_types[low - 1]];
        return (offset_span){type.utc_offset, type.is_dst, zone->transitions[low]};
    }
    if (zone->footer.present)
        return footer_span_at(&zone->footer, s);
    const local_time_type type = count > 0 ? zone->types[zone->transition_types[count - 1]] : zone->types[0];
    return (offset_span){type.utc_offset, type.is_dst, SPAN_NEVER_ENDS};
}

static const jr_zone *zone_or_utc(const jr_zone *zone) { return zone ? zone : &utc_zone; }

int32_t jr_zone_offset(const jr_zone *zone, int64_t utc_ms)
{
    zone = zone_or_utc(zone);
    return zone_span_at(zone, floor_divide(clamp_instant(utc_ms), 1000)).utc_offset;
}

jr_civil jr_zone_civil(const jr_zone *zone, int64_t utc_ms)
{
    zone = zone_or_utc(zone);
    utc_ms = clamp_instant(utc_ms);
    const int64_t s = floor_divide(utc_ms, 1000);
    const offset_span span = zone_span_at(zone, s);
    const int64_t local = s + span.utc_offset;
    const int64_t days = floor_divide(local, SECONDS_PER_DAY);
    const int64_t second_of_day = local - days * SECONDS_PER_DAY;
    int64_t year;
    unsigned month, day;
    civil_from_days(days, &year, &month, &day);
    return (jr_civil){
        .year = (int32_t)year,
        .month = (uint8_t)month,
        .day = (uint8_t)day,
        .hour = (uint8_t)(second_of_day / 3600),
        .minute = (uint8_t)(second_of_day / 60 % 60),
        .second = (uint8_t)(second_of_day % 60),
        .weekday = (uint8_t)(floor_modulo(days + 3, 7) + 1), /* 1970-01-01 was a Thursday */
        .day_of_year = (uint16_t)(days - days_from_civil(year, 1, 1) + 1),
        .millisecond = (uint16_t)(utc_ms - s * 1000),
        .utc_offset = span.utc_offset,
        .is_dst = span.is_dst,
    };
}

/* ---- wall time ---------------------------------------------------------------------- */

/* The first second at or after from_s at which the wall clock reads `wall` (local
 * seconds since the epoch) or later. */
static int64_t first_second_at_or_after_wall(const jr_zone *zone, int64_t from_s, int64_t wall)
{
    int64_t s = from_s;
    for (;;) {
        const offset_span span = zone_span_at(zone, s);
        const int64_t reached_at = wall - span.utc_offset;
        if (reached_at <= s)
            return s;
        if (reached_at < span.end)
            return reached_at;
        s = span.end; /* ends are after s, and before wall - lowest_offset: this stops */
    }
}

/* The occurrence of a wall time (timezone.h): the first second at which the clock reads
 * it or later, searching from a second whose wall time is surely earlier. */
static int64_t wall_time_occurrence(const jr_zone *zone, int64_t wall)
{
    return first_second_at_or_after_wall(zone, wall - zone->highest_offset - 1, wall);
}

int64_t jr_zone_next_time_of_day(const jr_zone *zone, int64_t now_ms, uint32_t seconds_of_day)
{
    zone = zone_or_utc(zone);
    now_ms = clamp_instant(now_ms);
    seconds_of_day = reduce_seconds_of_day(seconds_of_day);
    const int64_t now_s = floor_divide(now_ms, 1000);
    const int64_t not_before = now_s + (now_ms != now_s * 1000); /* whole seconds */
    const int64_t today = floor_divide(now_s + zone_span_at(zone, now_s).utc_offset, SECONDS_PER_DAY);

    /* With offsets within 26 hours, only the occurrences on days today-3..today+4 can be
     * the first one at or after now, and today+4's always qualifies. */
    int64_t best = INT64_MAX;
    for (int64_t day = today - 3; day <= today + 4; day++) {
        const int64_t wall = day * SECONDS_PER_DAY + seconds_of_day;
        if (wall - zone->lowest_offset < not_before)
            continue; /* its occurrence is at the latest wall - lowest_offset */
        if (wall - zone->highest_offset - 1 > best)
            break; /* its occurrence is at the earliest wall - highest_offset - 1 */
        const int64_t occurrence = wall_time_occurrence(zone, wall);
        if (occurrence >= not_before && occurrence < best)
            best = occurrence;
    }
    return best == INT64_MAX ? now_ms : best * 1000; /* always set: today+4 qualifies */
}

int64_t jr_zone_start_of_day(const jr_zone *zone, int64_t utc_ms)
{
    zone = zone_or_utc(zone);
    const int64_t s = floor_divide(clamp_instant(utc_ms), 1000);
    const int64_t day = floor_divide(s + zone_span_at(zone, s).utc_offset, SECONDS_PER_DAY);
    return wall_time_occurrence(zone, day * SECONDS_PER_DAY) * 1000;
}

static bool second_of_day_in_window(int64_t second_of_day, uint32_t from, uint32_t to)
{
    if (from == to)
        return false;
    if (from < to)
        return second_of_day >= from && second_of_day < to;
    return second_of_day >= from || second_of_day < to;
}

bool jr_zone_in_window(const jr_zone *zone, int64_t utc_ms, uint32_t from, uint32_t to)
{
    zone = zone_or_utc(zone);
    const int64_t s = floor_divide(clamp_instant(utc_ms), 1000);
    const int64_t local = s + zone_span_at(zone, s).utc_offset;
    return second_of_day_in_window(floor_modulo(local, SECONDS_PER_DAY), reduce_seconds_of_day(from),
                                   reduce_seconds_of_day(to));
}

/* Walks the offset spans from the instant: inside a span the wall clock runs with the
 * instant, so the window is left when it reads `to`; at a span's end the clock may jump
 * out of the window (a gap over `to`, or a fall back before `from`). Each span either
 * holds the exit or is shorter than two days, and the footer's spans are half a year
 * long, so this ends after a few steps on real zones. */
int64_t jr_zone_window_end(const jr_zone *zone, int64_t utc_ms, uint32_t from, uint32_t to)
{
    zone = zone_or_utc(zone);
    utc_ms = clamp_instant(utc_ms);
    from = reduce_seconds_of_day(from);
    to = reduce_seconds_of_day(to);
    int64_t position_ms = utc_ms;
    int64_t s = floor_divide(utc_ms, 1000);
    for (;;) {
        const offset_span span = zone_span_at(zone, s);
        const int64_t local = s + span.utc_offset;
        const int64_t second_of_day = floor_modulo(local, SECONDS_PER_DAY);
        if (!second_of_day_in_window(second_of_day, from, to))
            return position_ms;
        const int64_t exit_wall =
            local - second_of_day + to + (second_of_day >= (int64_t)to ? SECONDS_PER_DAY : 0);
        const int64_t exit_s = exit_wall - span.utc_offset;
        if (exit_s < span.end)
            return exit_s * 1000;
        s = span.end;
        position_ms = s * 1000;
    }
}

/* ---- the POSIX TZ string ------------------------------------------------------------ */

typedef struct tz_cursor {
    const char *at;
    const char *end;
} tz_cursor;

static bool tz_at_end(const tz_cursor *cursor) { return cursor->at >= cursor->end; }

static bool tz_next_is(const tz_cursor *cursor, char c) { return !tz_at_end(cursor) && *cursor->at == c; }

static bool tz_accept(tz_cursor *cursor, char c)
{
    if (!tz_next_is(cursor, c))
        return false;
    cursor->at++;
    return true;
}

static bool is_ascii_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

static bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

static bool tz_next_starts_name(const tz_cursor *cursor)
{
    return !tz_at_end(cursor) && (*cursor->at == '<' || is_ascii_alpha(*cursor->at));
}

/* An abbreviation of at least 3 characters (POSIX): letters, or <...> of letters,
 * digits, '+' and '-'. Not kept. */
static bool tz_skip_name(tz_cursor *cursor)
{
    const char *start = cursor->at;
    if (tz_accept(cursor, '<')) {
        start = cursor->at;
        while (!tz_at_end(cursor) && *cursor->at != '>') {
            const char c = *cursor->at;
            if (!is_ascii_alpha(c) && !is_ascii_digit(c) && c != '+' && c != '-')
                return false;
            cursor->at++;
        }
        const size_t length = (size_t)(cursor->at - start);
        return tz_accept(cursor, '>') && length >= 3;
    }
    while (!tz_at_end(cursor) && is_ascii_alpha(*cursor->at))
        cursor->at++;
    return cursor->at - start >= 3;
}

/* 1 to max_digits decimal digits whose value is at most max_value. */
static bool tz_number(tz_cursor *cursor, int max_digits, int32_t max_value, int32_t *value)
{
    int32_t result = 0;
    int digits = 0;
    while (!tz_at_end(cursor) && is_ascii_digit(*cursor->at) && digits < max_digits) {
        result = result * 10 + (*cursor->at - '0');
        cursor->at++;
        digits++;
    }
    if (digits == 0 || result > max_value || (!tz_at_end(cursor) && is_ascii_digit(*cursor->at)))
        return false;
    *value = result;
    return true;
}

/* [+-]hh[:mm[:ss]] as signed seconds, hours up to max_hours. */
static bool tz_clock(tz_cursor *cursor, int32_t max_hours, int32_t *seconds)
{
    int32_t sign = 1;
    if (tz_accept(cursor, '-'))
        sign = -1;
    else
        (void)tz_accept(cursor, '+');
    int32_t hours, minutes = 0, secs = 0;
    if (!tz_number(cursor, 3, max_hours, &hours))
        return false;
    if (tz_accept(cursor, ':')) {
        if (!tz_number(cursor, 2, 59, &minutes))
            return false;
        if (tz_accept(cursor, ':') && !tz_number(cursor, 2, 59, &secs))
            return false;
    }
    *seconds = sign * (hours * 3600 + minutes * 60 + secs);
    return true;
}

static bool tz_rule_date(tz_cursor *cursor, rule_date *date)
{
    int32_t value;
    if (tz_accept(cursor, 'J')) {
        if (!tz_number(cursor, 3, 365, &value) || value < 1)
            return false;
        date->kind = RULE_DATE_JULIAN_NO_LEAP;
        date->day = (int16_t)value;
    } else if (tz_accept(cursor, 'M')) {
        int32_t month, week, weekday;
        if (!tz_number(cursor, 2, 12, &month) || month < 1 || !tz_accept(cursor, '.') ||
            !tz_number(cursor, 1, 5, &week) || week < 1 || !tz_accept(cursor, '.') ||
            !tz_number(cursor, 1, 6, &weekday))
            return false;
        date->kind = RULE_DATE_MONTH_WEEK_DAY;
        date->month = (uint8_t)month;
        date->week = (uint8_t)week;
        date->day = (int16_t)weekday;
    } else {
        if (!tz_number(cursor, 3, 365, &value))
            return false;
        date->kind = RULE_DATE_ZERO_BASED;
        date->day = (int16_t)value;
    }
    date->time = TZ_DEFAULT_RULE_TIME;
    if (tz_accept(cursor, '/') && !tz_clock(cursor, TZ_RULE_TIME_MAX_HOURS, &date->time))
        return false;
    return true;
}

/* std offset [dst [offset] [,start[/time],end[/time]]]; an empty string is no rule. */
static bool parse_posix_tz(const char *text, size_t length, posix_rule *rule)
{
    memset(rule, 0, sizeof *rule);
    if (length == 0)
        return true;
    tz_cursor cursor = {text, text + length};
    int32_t west;
    if (!tz_skip_name(&cursor) || !tz_clock(&cursor, TZ_OFFSET_MAX_HOURS, &west))
        return false;
    rule->present = true;
    rule->std_offset = -west;
    rule->dst_offset = rule->std_offset;
    if (tz_at_end(&cursor))
        return true;
    if (!tz_next_starts_name(&cursor) || !tz_skip_name(&cursor))
        return false;
    rule->has_dst = true;
    rule->dst_offset = rule->std_offset + 3600;
    if (!tz_at_end(&cursor) && !tz_next_is(&cursor, ',')) {
        if (!tz_clock(&cursor, TZ_OFFSET_MAX_HOURS, &west))
            return false;
        rule->dst_offset = -west;
    }
    if (tz_at_end(&cursor)) { /* no rules: the US ones, as tzcode does */
        rule->dst_start = (rule_date){RULE_DATE_MONTH_WEEK_DAY, 0, 3, 2, TZ_DEFAULT_RULE_TIME};
        rule->dst_end = (rule_date){RULE_DATE_MONTH_WEEK_DAY, 0, 11, 1, TZ_DEFAULT_RULE_TIME};
        return true;
    }
    return tz_accept(&cursor, ',') && tz_rule_date(&cursor, &rule->dst_start) && tz_accept(&cursor, ',') &&
           tz_rule_date(&cursor, &rule->dst_end) && tz_at_end(&cursor);
}

/* ---- TZif files --------------------------------------------------------------------- */

typedef struct tzif_counts {
    uint32_t isut;
    uint32_t isstd;
    uint32_t leap;
    uint32_t time;
    uint32_t type;
    uint32_t chars;
} tzif_counts;

static uint32_t read_u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int32_t read_i32(const unsigned char *p)
{
    const uint32_t u = read_u32(p);
    return u <= INT32_MAX ? (int32_t)u : (int32_t)(u - INT32_MAX - 1) + INT32_MIN;
}

static int64_t read_i64(const unsigned char *p)
{
    const uint64_t u = (uint64_t)read_u32(p) << 32 | read_u32(p + 4);
    return u <= INT64_MAX ? (int64_t)u : (int64_t)(u - INT64_MAX - 1) + INT64_MIN;
}

/* Reads a header at `at`; version is 1, 2, 3 or 4. */
static bool read_tzif_header(const unsigned char *data, size_t size, size_t at, int *version,
                             tzif_counts *counts)
{
    if (size < TZIF_HEADER_SIZE || at > size - TZIF_HEADER_SIZE || memcmp(data + at, "TZif", 4) != 0)
        return false;
    const unsigned char v = data[at + 4];
    if (v == 0)
        *version = 1;
    else if (v >= '2' && v <= '4')
        *version = v - '0';
    else
        return false;
    const unsigned char *p = data + at + 20;
    *counts = (tzif_counts){read_u32(p), read_u32(p + 4), read_u32(p + 8),
                            read_u32(p + 12), read_u32(p + 16), read_u32(p + 20)};
    return true;
}

/* The size of the data block after a header, with 4- or 8-byte times. No overflow: each
 * count is below 2^32. */
static uint64_t tzif_block_size(const tzif_counts *counts, uint64_t time_size)
{
    return counts->time * time_size + counts->time + (uint64_t)counts->type * 6 + counts->chars +
           counts->leap * (time_size + 4) + counts->isstd + counts->isut;
}

static bool tzif_counts_valid(const tzif_counts *counts)
{
    return counts->type > 0 && counts->type <= 256 && counts->chars > 0 && counts->leap == 0 &&
           (counts->isstd == 0 || counts->isstd == counts->type) &&
           (counts->isut == 0 || counts->isut == counts->type);
}

/* The zone and its arrays in one allocation, freed with free(). */
static jr_zone *allocate_zone(size_t transition_count, size_t type_count, const char *name,
                              int64_t **transitions, uint8_t **transition_types, local_time_type **types)
{
    const size_t name_size = strlen(name) + 1;
    const size_t size = sizeof(jr_zone) + transition_count * sizeof(int64_t) +
                        type_count * sizeof(local_time_type) + transition_count + name_size;
    unsigned char *block = malloc(size);
    if (!block)
        return NULL;
    jr_zone *zone = (jr_zone *)(void *)block;
    unsigned char *next = block + sizeof(jr_zone);
    *transitions = (int64_t *)(void *)next;
    next += transition_count * sizeof(int64_t);
    *types = (local_time_type *)(void *)next;
    next += type_count * sizeof(local_time_type);
    *transition_types = next;
    next += transition_count;
    memcpy(next, name, name_size);
    *zone = (jr_zone){
        .name = (const char *)next,
        .transition_count = transition_count,
        .transitions = *transitions,
        .transition_types = *transition_types,
        .type_count = type_count,
        .types = *types,
    };
    return zone;
}

jr_zone *jr_zone_parse_tzif(const unsigned char *data, size_t size, const char *name)
{
    if (!data)
        return NULL;
    int version;
    tzif_counts counts;
    if (!read_tzif_header(data, size, 0, &version, &counts))
        return NULL;
    size_t at = TZIF_HEADER_SIZE;
    uint64_t time_size = 4;
    if (version >= 2) { /* skip the 32-bit block to the 64-bit one */
        const uint64_t skipped = tzif_block_size(&counts, 4);
        if (skipped > size - at)
            return NULL;
        at += (size_t)skipped;
        int second_version;
        if (!read_tzif_header(data, size, at, &second_version, &counts) || second_version != version)
            return NULL;
        at += TZIF_HEADER_SIZE;
        time_size = 8;
    }
    if (!tzif_counts_valid(&counts) || tzif_block_size(&counts, time_size) > size - at)
        return NULL;

    const unsigned char *times = data + at;
    const unsigned char *indices = times + counts.time * time_size;
    const unsigned char *type_records = indices + counts.time;
    const unsigned char *designations = type_records + (size_t)counts.type * 6;
    const unsigned char *isstd = designations + counts.chars; /* no leap records */
    const unsigned char *isut = isstd + counts.isstd;
    const unsigned char *block_end = isut + counts.isut;

    for (uint32_t i = 0; i < counts.isstd; i++)
        if (isstd[i] > 1)
            return NULL;
    for (uint32_t i = 0; i < counts.isut; i++)
        if (isut[i] > 1 || (isut[i] == 1 && (counts.isstd == 0 || isstd[i] != 1)))
            return NULL;

    posix_rule footer = {0};
    if (version >= 2) {
        const size_t footer_at = (size_t)(block_end - data);
        if (footer_at >= size || data[footer_at] != '\n')
            return NULL;
        const char *text = (const char *)data + footer_at + 1;
        const char *newline = memchr(text, '\n', size - footer_at - 1);
        if (!newline || (size_t)(newline + 1 - (const char *)data) != size)
            return NULL;
        if (!parse_posix_tz(text, (size_t)(newline - text), &footer))
            return NULL;
    } else if (block_end != data + size) {
        return NULL;
    }

    int64_t *transitions;
    uint8_t *transition_types;
    local_time_type *types;
    jr_zone *zone = allocate_zone(counts.time, counts.type, name ? name : "", &transitions,
                                  &transition_types, &types);
    if (!zone)
        return NULL;
    zone->footer = footer;
    int32_t lowest = INT32_MAX, highest = INT32_MIN;
    for (uint32_t i = 0; i < counts.type; i++) {
        const unsigned char *record = type_records + (size_t)i * 6;
        const int32_t offset = read_i32(record);
        if (offset < LOWEST_UTC_OFFSET || offset > HIGHEST_UTC_OFFSET || record[4] > 1 ||
            record[5] >= counts.chars)
            goto malformed;
        types[i] = (local_time_type){offset, record[4] == 1};
        lowest = offset < lowest ? offset : lowest;
        highest = offset > highest ? offset : highest;
    }
    for (uint32_t i = 0; i < counts.time; i++) {
        transitions[i] = time_size == 8 ? read_i64(times + (size_t)i * 8) : read_i32(times + (size_t)i * 4);
        transition_types[i] = indices[i];
        if (indices[i] >= counts.type || (i > 0 && transitions[i] <= transitions[i - 1]))
            goto malformed;
    }
    if (footer.present) {
        /* Offsets parsed from a TZ string are within [-89999, 93599] by construction. */
        const int32_t rule_offsets[2] = {footer.std_offset, footer.dst_offset};
        for (int i = 0; i < 2; i++) {
            lowest = rule_offsets[i] < lowest ? rule_offsets[i] : lowest;
            highest = rule_offsets[i] > highest ? rule_offsets[i] : highest;
        }
    }
    zone->lowest_offset = lowest;
    zone->highest_offset = highest;
    return zone;

malformed:
    free(zone);
    return NULL;
}

void jr_zone_free_parsed(jr_zone *zone)
{
    if (zone != &utc_zone)
        free(zone);
}

/* ---- the cache ---------------------------------------------------------------------- */

typedef struct zone_entry {
    char *name; /* NULL: an empty slot */
    size_t length;
    uint64_t hash;
    jr_zone *zone; /* NULL: known to be unknown */
} zone_entry;

struct jr_zones {
    char *root; /* the real path of the zoneinfo directory; NULL if it does not exist */
    zone_entry *entries;
    size_t capacity; /* a power of two */
    size_t count;
    size_t unknown_count;
};

jr_zones *jr_zones_new(const char *zoneinfo_dir)
{
    jr_zones *zones = calloc(1, sizeof *zones);
    if (!zones)
        return NULL;
    zones->capacity = INITIAL_CACHE_CAPACITY;
    zones->entries = calloc(zones->capacity, sizeof *zones->entries);
    if (!zones->entries) {
        free(zones);
        return NULL;
    }
    zones->root = realpath(zoneinfo_dir ? zoneinfo_dir : DEFAULT_ZONEINFO_DIR, NULL);
    if (!zones->root && errno == ENOMEM) {
        jr_zones_free(zones);
        return NULL;
    }
    return zones;
}

void jr_zones_free(jr_zones *zones)
{
    if (!zones)
        return;
    for (size_t i = 0; i < zones->capacity; i++) {
        free(zones->entries[i].name);
        jr_zone_free_parsed(zones->entries[i].zone);
    }
    free(zones->entries);
    free(zones->root);
    free(zones);
}

static uint64_t hash_name(const char *name, size_t length)
{
    uint64_t hash = 0xcbf29ce484222325u; /* FNV-1a */
    for (size_t i = 0; i < length; i++) {
        hash ^= (unsigned char)name[i];
        hash *= 0x100000001b3u;
    }
    return hash;
}

static zone_entry *find_slot(zone_entry *entries, size_t capacity, const char *name, size_t length,
                             uint64_t hash)
{
    size_t i = (size_t)hash & (capacity - 1);
    while (entries[i].name &&
           !(entries[i].hash == hash && entries[i].length == length && memcmp(entries[i].name, name, length) == 0))
        i = (i + 1) & (capacity - 1);
    return &entries[i];
}

static bool grow_cache(jr_zones *zones)
{
    const size_t capacity = zones->capacity * 2;
    zone_entry *entries = calloc(capacity, sizeof *entries);
    if (!entries)
        return false;
    for (size_t i = 0; i < zones->capacity; i++) {
        const zone_entry *old = &zones->entries[i];
        if (old->name)
            *find_slot(entries, capacity, old->name, old->length, old->hash) = *old;
    }
    free(zones->entries);
    zones->entries = entries;
    zones->capacity = capacity;
    return true;
}

/* Names that can only mean a file under the zoneinfo directory (timezone.h). */
static bool is_safe_zone_name(const char *name, size_t length)
{
    if (length == 0 || length > JR_ZONE_NAME_MAX)
        return false;
    /* files that hold this machine's own choice of zone, not a zone of their own */
    if ((length == 9 && memcmp(name, "localtime", 9) == 0) || (length == 10 && memcmp(name, "posixrules", 10) == 0))
        return false;
    size_t component_start = 0;
    for (size_t i = 0; i <= length; i++) {
        if (i == length || name[i] == '/') {
            const size_t component_length = i - component_start;
            const char *component = name + component_start;
            if (component_length == 0 || (component_length == 1 && component[0] == '.') ||
                (component_length == 2 && component[0] == '.' && component[1] == '.'))
                return false;
            component_start = i + 1;
            continue;
        }
        const char c = name[i];
        if (!is_ascii_alpha(c) && !is_ascii_digit(c) && c != '_' && c != '+' && c != '-')
            return false;
    }
    return true;
}

/* Reads root/name if its real path stays inside root and it is a regular file. */
static jr_zone *load_zone_file(const char *root, const char *name)
{
    const size_t root_length = strlen(root);
    const size_t name_length = strlen(name);
    char *path = malloc(root_length + 1 + name_length + 1);
    if (!path)
        return NULL;
    memcpy(path, root, root_length);
    path[root_length] = '/';
    memcpy(path + root_length + 1, name, name_length + 1);
    char *real = realpath(path, NULL);
    free(path);
    if (!real)
        return NULL;
    const bool root_is_slash = root_length == 1 && root[0] == '/';
    if (!root_is_slash && (strncmp(real, root, root_length) != 0 || real[root_length] != '/')) {
        free(real);
        return NULL;
    }
    const int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    free(real);
    if (fd < 0)
        return NULL;
    jr_zone *zone = NULL;
    unsigned char *data = NULL;
    struct stat status;
    if (fstat(fd, &status) != 0 || !S_ISREG(status.st_mode) || status.st_size < 0 ||
        status.st_size > TZIF_MAX_FILE_SIZE)
        goto done;
    const size_t size = (size_t)status.st_size;
    data = malloc(size ? size : 1);
    if (!data)
        goto done;
    size_t have = 0;
    while (have < size) {
        const ssize_t got = read(fd, data + have, size - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            goto done; /* an error, or the file shrank */
        have += (size_t)got;
    }
    zone = jr_zone_parse_tzif(data, size, name);
done:
    free(data);
    close(fd);
    return zone;
}

const jr_zone *jr_zone_find(jr_zones *zones, const char *name, size_t length)
{
    if (!zones || !name || !is_safe_zone_name(name, length))
        return NULL;
    char copy[JR_ZONE_NAME_MAX + 1];
    memcpy(copy, name, length);
    copy[length] = '\0';
    if (strcmp(copy, "UTC") == 0 || strcmp(copy, "Etc/UTC") == 0)
        return &utc_zone;

    const uint64_t hash = hash_name(copy, length);
    zone_entry *slot = find_slot(zones->entries, zones->capacity, copy, length, hash);
    if (slot->name)
        return slot->zone;

    jr_zone *zone = zones->root ? load_zone_file(zones->root, copy) : NULL;
    if (!zone && zones->unknown_count >= MAX_REMEMBERED_UNKNOWN_NAMES)
        return NULL;
    if ((zones->count + 1) * 2 > zones->capacity) {
        if (!grow_cache(zones)) {
            jr_zone_free_parsed(zone);
            return NULL;
        }
        slot = find_slot(zones->entries, zones->capacity, copy, length, hash);
    }
    char *key = malloc(length + 1);
    if (!key) {
        jr_zone_free_parsed(zone);
        return NULL;
    }
    memcpy(key, copy, length + 1);
    *slot = (zone_entry){key, length, hash, zone};
    zones->count++;
    zones->unknown_count += zone == NULL;
    return zone;
}
