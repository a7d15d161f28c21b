/* test_timezone.c: the runtime's time zones (runtime/timezone.c) against values computed
 * independently while writing the test: instants with `date -u -d '... UTC' +%s`,
 * transitions with `zdump -v -c YEAR,YEAR+1 ZONE`, wall times with `TZ=ZONE date -d @S`
 * (zoneinfo of Debian tzdata 2025b). Needs /usr/share/zoneinfo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../runtime/timezone.h"

#define MS(seconds) ((int64_t)(seconds) * 1000)
#define HM(hours, minutes) ((uint32_t)((hours) * 3600 + (minutes) * 60))

static jr_zones *system_zones;

static int open_system_zones(void **state)
{
    (void)state;
    system_zones = jr_zones_new(NULL);
    return system_zones ? 0 : -1;
}

static int close_system_zones(void **state)
{
    (void)state;
    jr_zones_free(system_zones);
    system_zones = NULL;
    return 0;
}

static const jr_zone *zone(const char *name)
{
    const jr_zone *found = jr_zone_find(system_zones, name, strlen(name));
    if (!found)
        fail_msg("zone %s not found", name);
    return found;
}

static void assert_civil(jr_civil civil, int year, int month, int day, int hour, int minute, int second)
{
    assert_int_equal(civil.year, year);
    assert_int_equal(civil.month, month);
    assert_int_equal(civil.day, day);
    assert_int_equal(civil.hour, hour);
    assert_int_equal(civil.minute, minute);
    assert_int_equal(civil.second, second);
}

/* ---- UTC and the calendar ----------------------------------------------------------- */

static void test_utc(void **state)
{
    (void)state;
    const jr_zone *utc = jr_zone_utc();
    assert_ptr_equal(jr_zone_find(system_zones, "UTC", 3), utc);
    assert_ptr_equal(jr_zone_find(system_zones, "Etc/UTC", 7), utc);
    assert_string_equal(jr_zone_name(utc), "UTC");
    assert_int_equal(jr_zone_offset(utc, MS(1784073600)), 0);

    /* 1700000000 is 2023-11-14 22:13:20 UTC, a Tuesday, day 318 */
    jr_civil civil = jr_zone_civil(utc, MS(1700000000) + 250);
    assert_civil(civil, 2023, 11, 14, 22, 13, 20);
    assert_int_equal(civil.millisecond, 250);
    assert_int_equal(civil.weekday, 2);
    assert_int_equal(civil.day_of_year, 318);
    assert_false(civil.is_dst);

    /* -1 ms is 1969-12-31 23:59:59.999, a Wednesday, day 365 */
    civil = jr_zone_civil(NULL, -1);
    assert_civil(civil, 1969, 12, 31, 23, 59, 59);
    assert_int_equal(civil.millisecond, 999);
    assert_int_equal(civil.weekday, 3);
    assert_int_equal(civil.day_of_year, 365);

    /* next 10:00 after 2026-07-15 04:30 UTC (1784089800) is 10:00 (1784109600) */
    assert_int_equal(jr_zone_next_time_of_day(utc, MS(1784089800), HM(10, 0)), MS(1784109600));
    /* at 10:00 exactly it is now; a millisecond later it is tomorrow */
    assert_int_equal(jr_zone_next_time_of_day(utc, MS(1784109600), HM(10, 0)), MS(1784109600));
    assert_int_equal(jr_zone_next_time_of_day(utc, MS(1784109600) + 1, HM(10, 0)), MS(1784109600 + 86400));
    /* 2026-07-15 00:00 UTC is 1784073600 */
    assert_int_equal(jr_zone_start_of_day(utc, MS(1784089800)), MS(1784073600));
    /* seconds of day are taken modulo a day */
    assert_int_equal(jr_zone_next_time_of_day(utc, MS(1784089800), HM(10, 0) + 86400), MS(1784109600));
}

static void test_weekdays_of_known_dates(void **state)
{
    (void)state;
    /* date -u -d @S '+%F %u %j' */
    static const struct {
        int64_t seconds;
        int year, month, day, weekday, day_of_year;
    } dates[] = {
        {0, 1970, 1, 1, 4, 1},               /* Thursday */
        {946684800, 2000, 1, 1, 6, 1},       /* Saturday */
        {1709208000, 2024, 2, 29, 4, 60},    /* Thursday, leap day */
        {1735689599, 2024, 12, 31, 2, 366},  /* Tuesday, day 366 */
        {-14182980, 1969, 7, 20, 7, 201},    /* Sunday, 20:17 UTC */
        {1795334400, 2026, 11, 22, 7, 326},  /* Sunday */
        {-5364662400, 1800, 1, 1, 3, 1},     /* Wednesday */
        {4118126400, 2100, 7, 1, 4, 182},    /* Thursday, 2100 is not a leap year */
    };
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        const jr_civil civil = jr_zone_civil(jr_zone_utc(), MS(dates[i].seconds));
        assert_int_equal(civil.year, dates[i].year);
        assert_int_equal(civil.month, dates[i].month);
        assert_int_equal(civil.day, dates[i].day);
        assert_int_equal(civil.weekday, dates[i].weekday);
        assert_int_equal(civil.day_of_year, dates[i].day_of_year);
    }
    /* 2026-07-15 00:00 UTC is Wednesday 10:30 on Lord Howe Island but still Tuesday
     * 20:00 in Santiago (TZ=... date -d @1784073600 '+%F %T %u %j') */
    jr_civil civil = jr_zone_civil(zone("Australia/Lord_Howe"), MS(1784073600));
    assert_civil(civil, 2026, 7, 15, 10, 30, 0);
    assert_int_equal(civil.weekday, 3);
    civil = jr_zone_civil(zone("America/Santiago"), MS(1784073600));
    assert_civil(civil, 2026, 7, 14, 20, 0, 0);
    assert_int_equal(civil.weekday, 2);
    assert_int_equal(civil.day_of_year, 195);
}

/* ---- America/New_York in 2026 ------------------------------------------------------- */
/* zdump: 2026-03-08 07:00:00 UT = 03:00 EDT (01:59:59 EST before it);
 *        2026-11-01 06:00:00 UT = 01:00 EST (01:59:59 EDT before it). */

static void test_new_york_offsets(void **state)
{
    (void)state;
    const jr_zone *new_york = zone("America/New_York");
    assert_string_equal(jr_zone_name(new_york), "America/New_York");
    assert_int_equal(jr_zone_offset(new_york, MS(1772953200) - 1), -18000);
    assert_int_equal(jr_zone_offset(new_york, MS(1772953200)), -14400);
    assert_int_equal(jr_zone_offset(new_york, MS(1793512800) - 1), -14400); /* 06:00Z Nov 1 */
    assert_int_equal(jr_zone_offset(new_york, MS(1793512800)), -18000);
    jr_civil civil = jr_zone_civil(new_york, MS(1772953200));
    assert_civil(civil, 2026, 3, 8, 3, 0, 0);
    assert_true(civil.is_dst);
    assert_int_equal(civil.weekday, 7);
    civil = jr_zone_civil(new_york, MS(1793512800) - 1000);
    assert_civil(civil, 2026, 11, 1, 1, 59, 59);
    assert_true(civil.is_dst);
    civil = jr_zone_civil(new_york, MS(1793512800));
    assert_civil(civil, 2026, 11, 1, 1, 0, 0);
    assert_false(civil.is_dst);
}

static void test_new_york_spring_forward(void **state)
{
    (void)state;
    const jr_zone *new_york = zone("America/New_York");
    /* from 2026-03-08 00:00 EST (05:00Z, 1772946000), 02:30 does not exist: the clock
     * jumps from 02:00 EST to 03:00 EDT at 07:00Z (1772953200) */
    assert_int_equal(jr_zone_next_time_of_day(new_york, MS(1772946000), HM(2, 30)), MS(1772953200));
    /* 10:00 the day before: 2026-03-07 10:00 EST = 15:00Z (1772895600), from 00:00 EST */
    assert_int_equal(jr_zone_next_time_of_day(new_york, MS(1772946000 - 86400), HM(10, 0)), MS(1772895600));
    /* 10:00 the day after: 2026-03-09 10:00 EDT = 14:00Z (1773064800), from 03:00 EDT on the 8th + 1 day */
    assert_int_equal(jr_zone_next_time_of_day(new_york, MS(1772953200 + 86400), HM(10, 0)), MS(1773064800));
    /* 10:00 on the day itself is 14:00Z: 1773064800 - 86400 */
    assert_int_equal(jr_zone_next_time_of_day(new_york, MS(1772946000), HM(10, 0)), MS(1773064800 - 86400));
    /* midnight exists: 05:00Z */
    assert_int_equal(jr_zone_start_of_day(new_york, MS(1772974800)), MS(1772946000));
}

static void test_new_york_fall_back(void **state)
{
    (void)state;
    const jr_zone *new_york = zone("America/New_York");
    /* from 2026-11-01 00:00 EDT (04:00Z, 1793505600), 01:30 happens at 05:30Z (EDT,
     * 1793511000) and again at 06:30Z (EST): the first one */
    assert_int_equal(jr_zone_next_time_of_day(new_york, MS(1793505600), HM(1, 30)), MS(1793511000));
    /* from 01:45 EDT (05:45Z, 1793511900) the day's 01:30 has passed: the next one is
     * 2026-11-02 01:30 EST = 06:30Z (1793601000), not the repeated 01:30 EST on the 1st */
    assert_int_equal(jr_zone_next_time_of_day(new_york, MS(1793511900), HM(1, 30)), MS(1793601000));
    /* 10:00 the day before: 2026-10-31 10:00 EDT = 14:00Z (1793455200) */
    assert_int_equal(jr_zone_next_time_of_day(new_york, MS(1793505600 - 86400), HM(10, 0)), MS(1793455200));
    /* 10:00 the day after: 2026-11-02 10:00 EST = 15:00Z (1793631600), from 00:00 EST
     * (05:00Z, 25 hours after the fall-back day began) */
    assert_int_equal(jr_zone_next_time_of_day(new_york, MS(1793505600 + 25 * 3600), HM(10, 0)), MS(1793631600));
    /* and on the day itself, from 09:00 EST (14:00Z, 1793541600): 15:00Z */
    assert_int_equal(jr_zone_next_time_of_day(new_york, MS(1793541600), HM(10, 0)), MS(1793541600 + 3600));
    /* the fall-back day is 25 hours long: it starts at 04:00Z */
    assert_int_equal(jr_zone_start_of_day(new_york, MS(1793541600)), MS(1793505600));
    assert_int_equal(jr_zone_start_of_day(new_york, MS(1793631600)), MS(1793505600 + 25 * 3600));
}

/* ---- other zones -------------------------------------------------------------------- */

static void test_berlin(void **state)
{
    (void)state;
    const jr_zone *berlin = zone("Europe/Berlin");
    /* zdump: 2026-03-29 01:00Z = 03:00 CEST; 2026-10-25 01:00Z = 02:00 CET */
    assert_int_equal(jr_zone_offset(berlin, MS(1774746000) - 1), 3600);
    assert_int_equal(jr_zone_offset(berlin, MS(1774746000)), 7200);
    /* from 2026-03-29 00:00 CET (2026-03-28 23:00Z, 1774738800), 02:30 is skipped: 01:00Z */
    assert_int_equal(jr_zone_next_time_of_day(berlin, MS(1774738800), HM(2, 30)), MS(1774746000));
    /* from 2026-10-25 00:00 CEST (2026-10-24 22:00Z, 1792879200), the first 02:30 is
     * CEST at 00:30Z (1792888200) */
    assert_int_equal(jr_zone_next_time_of_day(berlin, MS(1792879200), HM(2, 30)), MS(1792888200));
    /* 10:00 on 2026-03-28 is 09:00Z (1774688400), on 2026-03-30 08:00Z (1774857600) */
    assert_int_equal(jr_zone_next_time_of_day(berlin, MS(1774688400 - 3600), HM(10, 0)), MS(1774688400));
    assert_int_equal(jr_zone_next_time_of_day(berlin, MS(1774746000), HM(10, 0)), MS(1774857600 - 86400));
    assert_int_equal(jr_zone_next_time_of_day(berlin, MS(1774857600 - 86400) + 1, HM(10, 0)), MS(1774857600));
}

static void test_kolkata(void **state)
{
    (void)state;
    const jr_zone *kolkata = zone("Asia/Kolkata");
    /* +05:30 all year: 2026-01-15 12:00Z and 2026-07-15 00:00Z */
    assert_int_equal(jr_zone_offset(kolkata, MS(1768478400)), 19800);
    assert_int_equal(jr_zone_offset(kolkata, MS(1784073600)), 19800);
    assert_civil(jr_zone_civil(kolkata, MS(1784073600)), 2026, 7, 15, 5, 30, 0);
    /* next 10:00 from 2026-07-15 00:00Z is 04:30Z (1784089800) */
    assert_int_equal(jr_zone_next_time_of_day(kolkata, MS(1784073600), HM(10, 0)), MS(1784089800));
    /* local midnight of 2026-07-15 is 2026-07-14 18:30Z: 1784073600 - 19800 */
    assert_int_equal(jr_zone_start_of_day(kolkata, MS(1784073600)), MS(1784073600 - 19800));
}

static void test_lord_howe_half_hour_dst(void **state)
{
    (void)state;
    const jr_zone *lord_howe = zone("Australia/Lord_Howe");
    /* zdump: 2026-04-04 15:00Z = 2026-04-05 01:30 +1030 (01:59:59 +11 before);
     *        2026-10-03 15:30Z = 2026-10-04 02:30 +11 (01:59:59 +1030 before) */
    assert_int_equal(jr_zone_offset(lord_howe, MS(1775314800) - 1), 39600);
    assert_int_equal(jr_zone_offset(lord_howe, MS(1775314800)), 37800);
    assert_int_equal(jr_zone_offset(lord_howe, MS(1791041400) - 1), 37800);
    assert_int_equal(jr_zone_offset(lord_howe, MS(1791041400)), 39600);
    /* from 2026-04-05 00:00 +11 (13:00Z, 1775307600) the first 01:45 is +11 at 14:45Z */
    assert_int_equal(jr_zone_next_time_of_day(lord_howe, MS(1775307600), HM(1, 45)), MS(1775313900));
    /* from 2026-10-04 00:00 +1030 (2026-10-03 13:30Z, 1791034200), 02:15 is in the
     * 30-minute gap: the jump at 15:30Z */
    assert_int_equal(jr_zone_next_time_of_day(lord_howe, MS(1791034200), HM(2, 15)), MS(1791041400));
    /* 02:30 exists: it is the jump's own instant too */
    assert_int_equal(jr_zone_next_time_of_day(lord_howe, MS(1791034200), HM(2, 30)), MS(1791041400));
}

static void test_southern_hemisphere(void **state)
{
    (void)state;
    const jr_zone *sydney = zone("Australia/Sydney");
    /* zdump: 2026-04-04 16:00Z = 2026-04-05 02:00 AEST (02:59:59 AEDT before);
     *        2026-10-03 16:00Z = 2026-10-04 03:00 AEDT (01:59:59 AEST before) */
    assert_int_equal(jr_zone_offset(sydney, MS(1775318400) - 1), 39600);
    assert_int_equal(jr_zone_offset(sydney, MS(1775318400)), 36000);
    /* the first 02:30 on 2026-04-05 is AEDT, 15:30Z (1775316600), from 2026-04-04 12:00Z */
    assert_int_equal(jr_zone_next_time_of_day(sydney, MS(1775304000), HM(2, 30)), MS(1775316600));
    /* 02:30 on 2026-10-04 is skipped: 16:00Z (1791043200), from 2026-10-03 12:00Z */
    assert_int_equal(jr_zone_next_time_of_day(sydney, MS(1791028800), HM(2, 30)), MS(1791043200));

    const jr_zone *santiago = zone("America/Santiago");
    /* zdump: 2026-09-06 04:00Z = 01:00 -03, after Sat Sep 5 23:59:59 -04: midnight is
     * skipped, so 2026-09-06 starts at 04:00Z (1788667200) */
    assert_int_equal(jr_zone_start_of_day(santiago, MS(1788706800)), MS(1788667200));
    /* from 2026-09-05 12:00 -04 (16:00Z, 1788624000) the next midnight is that instant */
    assert_int_equal(jr_zone_next_time_of_day(santiago, MS(1788624000), 0), MS(1788667200));
    /* zdump: 2026-04-05 03:00Z = Apr 4 23:00 -04, after 23:59:59 -03: the first 23:30
     * of 2026-04-04 is -03, 2026-04-05 02:30Z (1775356200), from 2026-04-04 16:00Z */
    assert_int_equal(jr_zone_next_time_of_day(santiago, MS(1775318400), HM(23, 30)), MS(1775356200));
}

static void test_after_2037_uses_the_footer(void **state)
{
    (void)state;
    const jr_zone *new_york = zone("America/New_York");
    /* zdump: 2040-03-11 07:00Z = 03:00 EDT; 2040-11-04 06:00Z = 01:00 EST */
    assert_int_equal(jr_zone_offset(new_york, MS(2215062000) - 1), -18000);
    assert_int_equal(jr_zone_offset(new_york, MS(2215062000)), -14400);
    assert_int_equal(jr_zone_offset(new_york, MS(2235621600) - 1), -14400);
    assert_int_equal(jr_zone_offset(new_york, MS(2235621600)), -18000);
    /* 02:30 on 2040-03-11 is skipped (from 00:00 EST, 05:00Z); the first 01:30 on
     * 2040-11-04 is EDT, 05:30Z (from 00:00 EDT, 04:00Z) */
    assert_int_equal(jr_zone_next_time_of_day(new_york, MS(2215062000 - 7200), HM(2, 30)), MS(2215062000));
    assert_int_equal(jr_zone_next_time_of_day(new_york, MS(2235621600 - 7200), HM(1, 30)), MS(2235621600 - 1800));

    /* zdump: Santiago's M9.1.6/24 rule: 2040-09-02 04:00Z = 01:00 -03 */
    const jr_zone *santiago = zone("America/Santiago");
    assert_int_equal(jr_zone_offset(santiago, MS(2230171200) - 1), -14400);
    assert_int_equal(jr_zone_offset(santiago, MS(2230171200)), -10800);
    assert_int_equal(jr_zone_start_of_day(santiago, MS(2230171200 + 3600)), MS(2230171200));

    /* Dublin's footer has negative DST (IST-1GMT0,M10.5.0,M3.5.0/1): winter is the
     * "DST" period at +0; zdump: 2040-10-28 01:00Z = 01:00 GMT isdst=1 */
    const jr_zone *dublin = zone("Europe/Dublin");
    assert_int_equal(jr_zone_offset(dublin, MS(2234998800) - 1), 3600);
    assert_int_equal(jr_zone_offset(dublin, MS(2234998800)), 0);
    jr_civil civil = jr_zone_civil(dublin, MS(2234998800));
    assert_civil(civil, 2040, 10, 28, 1, 0, 0);
    assert_true(civil.is_dst);
    assert_false(jr_zone_civil(dublin, MS(2224756800)).is_dst); /* 2040-07-01 */

    /* TZ=ZONE date -d @4103784000 and @4119422400 (2100-01-16 and 2100-07-16 12:00Z) */
    assert_int_equal(jr_zone_offset(new_york, MS(4103784000)), -18000);
    assert_int_equal(jr_zone_offset(new_york, MS(4119422400)), -14400);
    assert_int_equal(jr_zone_offset(zone("Europe/Berlin"), MS(4119422400)), 7200);
    assert_int_equal(jr_zone_offset(santiago, MS(4103784000)), -10800);
    assert_int_equal(jr_zone_offset(zone("Australia/Sydney"), MS(4103784000)), 39600);
    assert_int_equal(jr_zone_offset(zone("Australia/Sydney"), MS(4119422400)), 36000);
    assert_int_equal(jr_zone_offset(dublin, MS(4119422400)), 3600);
}

static void test_before_the_first_transition(void **state)
{
    (void)state;
    /* zdump: New York used LMT -4:56:02 until 1883-11-18 17:00Z;
     * TZ=... date -d @-5364662400 (1800-01-01 00:00Z): 1799-12-31 19:03:58 -0456
     * in New York, 1800-01-01 05:53:28 +0553 in Kolkata */
    const jr_zone *new_york = zone("America/New_York");
    assert_int_equal(jr_zone_offset(new_york, MS(-5364662400)), -17762);
    assert_civil(jr_zone_civil(new_york, MS(-5364662400)), 1799, 12, 31, 19, 3, 58);
    assert_int_equal(jr_zone_offset(zone("Asia/Kolkata"), MS(-5364662400)), 21208);
    /* next 10:00 LMT after that: 1800-01-01 10:00 LMT = 14:56:02Z */
    assert_int_equal(jr_zone_next_time_of_day(new_york, MS(-5364662400), HM(10, 0)),
                     MS(-5364662400 + 14 * 3600 + 56 * 60 + 2));
    /* far instants are clamped, not overflowed */
    const jr_civil far = jr_zone_civil(new_york, INT64_MAX);
    assert_true(far.year > 200000000);
    assert_true(jr_zone_next_time_of_day(new_york, INT64_MAX, 0) >= JR_ZONE_INSTANT_LIMIT_MS);
    assert_true(jr_zone_start_of_day(new_york, INT64_MIN) <= -JR_ZONE_INSTANT_LIMIT_MS);
}

/* ---- names -------------------------------------------------------------------------- */

static void test_invalid_names(void **state)
{
    (void)state;
    static const char *const invalid[] = {
        "../etc/passwd", "", "Nowhere/City", "America", "America/", "/etc/passwd", "America//New_York",
        "America/./New_York", "America/../Europe/Berlin", "Europe/Berlin ", "zone.tab", "right/UTC",
        "right/America/New_York", "leapseconds", "iso3166.tab", "localtime", "posixrules",
        "A23456789012345678901234567890123456789012345678901234567890123456", /* 66 characters */
    };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        if (jr_zone_find(system_zones, invalid[i], strlen(invalid[i])))
            fail_msg("\"%s\" was found", invalid[i]);
        /* asking again gives the same answer (from the cache) */
        assert_null(jr_zone_find(system_zones, invalid[i], strlen(invalid[i])));
    }
    assert_null(jr_zone_find(system_zones, "Europe/Berlin\0x", 15)); /* a NUL inside */
    assert_null(jr_zone_find(system_zones, NULL, 0));
    assert_null(jr_zone_find(NULL, "UTC", 3));
}

static void test_names_are_cached(void **state)
{
    (void)state;
    const jr_zone *first = zone("Europe/Berlin");
    assert_ptr_equal(zone("Europe/Berlin"), first);
    /* the length bounds the name: it need not end with NUL */
    assert_ptr_equal(jr_zone_find(system_zones, "Europe/Berlin/and more", 13), first);
    /* a different name for the same file is its own entry */
    const jr_zone *other = zone("posix/Europe/Berlin");
    assert_ptr_not_equal(other, first);
    assert_int_equal(jr_zone_offset(other, MS(1784073600)), 7200);
    /* many zones: the table grows and keeps every pointer */
    static const char *const names[] = {
        "Africa/Abidjan", "Africa/Cairo", "America/Chicago", "America/Denver", "America/Los_Angeles",
        "America/Sao_Paulo", "Asia/Tokyo", "Asia/Shanghai", "Asia/Tehran", "Asia/Kathmandu",
        "Europe/London", "Europe/Paris", "Europe/Moscow", "Pacific/Auckland", "Pacific/Chatham",
        "Pacific/Apia", "Pacific/Kiritimati", "Etc/GMT+12", "Etc/GMT-14", "America/St_Johns",
    };
    const jr_zone *found[sizeof names / sizeof names[0]];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        found[i] = zone(names[i]);
    for (int round = 0; round < 100; round++) {
        char unknown[32];
        snprintf(unknown, sizeof unknown, "Nowhere/City%d", round);
        assert_null(jr_zone_find(system_zones, unknown, strlen(unknown)));
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_ptr_equal(zone(names[i]), found[i]);
    assert_ptr_equal(zone("Europe/Berlin"), first);
}

/* ---- malformed files ---------------------------------------------------------------- */

typedef struct tzif_type {
    int32_t utc_offset;
    uint8_t is_dst;
    uint8_t designation;
} tzif_type;

typedef struct tzif_builder {
    unsigned char bytes[4096];
    size_t size;
} tzif_builder;

static void put_bytes(tzif_builder *b, const void *data, size_t size)
{
    assert_true(b->size + size <= sizeof b->bytes);
    memcpy(b->bytes + b->size, data, size);
    b->size += size;
}

static void put_u8(tzif_builder *b, unsigned value)
{
    const unsigned char byte = (unsigned char)value;
    put_bytes(b, &byte, 1);
}

static void put_u32(tzif_builder *b, uint32_t value)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        put_u8(b, (value >> shift) & 0xff);
}

static void put_u64(tzif_builder *b, uint64_t value)
{
    put_u32(b, (uint32_t)(value >> 32));
    put_u32(b, (uint32_t)value);
}

static void put_header(tzif_builder *b, char version, uint32_t time_count, uint32_t type_count,
                       uint32_t char_count, uint32_t leap_count)
{
    put_bytes(b, "TZif", 4);
    put_u8(b, (unsigned char)version);
    for (int i = 0; i < 15; i++)
        put_u8(b, 0);
    put_u32(b, 0); /* isutcnt */
    put_u32(b, 0); /* isstdcnt */
    put_u32(b, leap_count);
    put_u32(b, time_count);
    put_u32(b, type_count);
    put_u32(b, char_count);
}

/* A TZif file: version '\0' writes the 32-bit block only; '2'..'4' a minimal 32-bit
 * block, the 64-bit one, and the footer. Designations are "AAA\0BBB\0". */
static void build_tzif(tzif_builder *b, char version, const int64_t *times, const uint8_t *indices,
                       uint32_t time_count, const tzif_type *types, uint32_t type_count, uint32_t leap_count,
                       const char *footer)
{
    b->size = 0;
    const bool v1 = version == '\0';
    if (!v1) {
        put_header(b, version, 0, 1, 1, 0);
        put_u32(b, 0);
        put_u8(b, 0);
        put_u8(b, 0);
        put_u8(b, 0);
    }
    put_header(b, version, time_count, type_count, 8, leap_count);
    for (uint32_t i = 0; i < time_count; i++) {
        if (v1)
            put_u32(b, (uint32_t)times[i]);
        else
            put_u64(b, (uint64_t)times[i]);
    }
    for (uint32_t i = 0; i < time_count; i++)
        put_u8(b, indices[i]);
    for (uint32_t i = 0; i < type_count; i++) {
        put_u32(b, (uint32_t)types[i].utc_offset);
        put_u8(b, types[i].is_dst);
        put_u8(b, types[i].designation);
    }
    put_bytes(b, "AAA\0BBB\0", 8);
    for (uint32_t i = 0; i < leap_count; i++) {
        if (v1)
            put_u32(b, 78796800);
        else
            put_u64(b, 78796800);
        put_u32(b, 1);
    }
    if (!v1) {
        put_u8(b, '\n');
        put_bytes(b, footer, strlen(footer));
        put_u8(b, '\n');
    }
}

/* Parses exactly b->size bytes from their own allocation, so ASan sees any overread. */
static jr_zone *parse_exactly(const unsigned char *bytes, size_t size)
{
    unsigned char *copy = malloc(size ? size : 1);
    assert_non_null(copy);
    memcpy(copy, bytes, size);
    jr_zone *parsed = jr_zone_parse_tzif(copy, size, "Test/Zone");
    free(copy);
    return parsed;
}

static bool parses(const tzif_builder *b)
{
    jr_zone *parsed = parse_exactly(b->bytes, b->size);
    jr_zone_free_parsed(parsed);
    return parsed != NULL;
}

static const int64_t sample_times[2] = {1772953200, 1793512800}; /* New York 2026 */
static const uint8_t sample_indices[2] = {1, 0};
static const tzif_type sample_types[2] = {{-18000, 0, 0}, {-14400, 1, 4}};

static void test_malformed_tzif_in_memory(void **state)
{
    (void)state;
    tzif_builder b;
    build_tzif(&b, '2', sample_times, sample_indices, 2, sample_types, 2, 0, "EST5EDT,M3.2.0,M11.1.0");
    assert_true(parses(&b)); /* the baseline the corruptions below start from */
    build_tzif(&b, '\0', sample_times, sample_indices, 2, sample_types, 2, 0, "");
    assert_true(parses(&b));
    build_tzif(&b, '3', sample_times, sample_indices, 2, sample_types, 2, 0, "");
    assert_true(parses(&b));

    /* every proper prefix of a valid file */
    build_tzif(&b, '2', sample_times, sample_indices, 2, sample_types, 2, 0, "EST5EDT,M3.2.0,M11.1.0");
    for (size_t size = 0; size < b.size; size++)
        if (parse_exactly(b.bytes, size))
            fail_msg("a prefix of %zu bytes parsed", size);
    /* trailing bytes */
    put_u8(&b, 'x');
    assert_false(parses(&b));

    const uint8_t bad_index[2] = {1, 2};
    build_tzif(&b, '2', sample_times, bad_index, 2, sample_types, 2, 0, "");
    assert_false(parses(&b));
    const int64_t unsorted[2] = {1793512800, 1772953200};
    build_tzif(&b, '2', unsorted, sample_indices, 2, sample_types, 2, 0, "");
    assert_false(parses(&b));
    const int64_t repeated[2] = {1772953200, 1772953200};
    build_tzif(&b, '2', repeated, sample_indices, 2, sample_types, 2, 0, "");
    assert_false(parses(&b));
    const tzif_type bad_dst[1] = {{0, 2, 0}};
    build_tzif(&b, '2', NULL, NULL, 0, bad_dst, 1, 0, "");
    assert_false(parses(&b));
    const tzif_type bad_designation[1] = {{0, 0, 8}};
    build_tzif(&b, '2', NULL, NULL, 0, bad_designation, 1, 0, "");
    assert_false(parses(&b));
    const tzif_type huge_offset[1] = {{INT32_MIN, 0, 0}};
    build_tzif(&b, '2', NULL, NULL, 0, huge_offset, 1, 0, "");
    assert_false(parses(&b));
    const tzif_type day_offset[1] = {{100000, 0, 0}};
    build_tzif(&b, '2', NULL, NULL, 0, day_offset, 1, 0, "");
    assert_false(parses(&b));
    build_tzif(&b, '2', NULL, NULL, 0, sample_types, 0, 0, ""); /* no types */
    assert_false(parses(&b));
    build_tzif(&b, '2', NULL, NULL, 0, sample_types, 1, 1, ""); /* leap seconds */
    assert_false(parses(&b));
    build_tzif(&b, '5', NULL, NULL, 0, sample_types, 1, 0, ""); /* unknown version */
    assert_false(parses(&b));
    build_tzif(&b, '2', NULL, NULL, 0, sample_types, 1, 0, "");
    b.bytes[3] = 'g'; /* magic */
    assert_false(parses(&b));
    build_tzif(&b, '2', NULL, NULL, 0, sample_types, 1, 0, "");
    b.bytes[b.size - 1] = 'x'; /* no closing newline */
    assert_false(parses(&b));
    /* a time count of 2^32-1 in the 64-bit header (its counts start at 44 + 7 + 20) */
    build_tzif(&b, '2', NULL, NULL, 0, sample_types, 1, 0, "");
    memset(b.bytes + 44 + 7 + 20 + 12, 0xff, 4);
    assert_false(parses(&b));
    assert_null(jr_zone_parse_tzif(NULL, 0, NULL));
}

static void test_footer_strings(void **state)
{
    (void)state;
    static const char *const valid[] = {
        "", "UTC0", "<-00>0", "<+0330>-3:30", "EST5EDT", "EST5EDT,M3.2.0,M11.1.0", "XXX-5:30:15",
        "IST-1GMT0,M10.5.0,M3.5.0/1", "<-04>4<-03>,M9.1.6/24,M4.1.6/24", "AAA3BBB,J60/-1,300/25",
        "EST5EDT4,0/0,J365/25", "AAA-24:59:59BBB-24:59:59,M1.1.0/167,M12.5.6/-167", "AAA+3BBB+2,J1,J365",
    };
    static const char *const invalid[] = {
        "EST", "5", "<>5", "ES5", "<+1>-1", "EST5DT", "<EST5", "<ES T>5", "EST5x", "EST25", "EST5:60", "EST5EDT,M3.2.0",
        "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M0.1.0,M11.1.0", "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0",
        "EST5EDT,J0,J365", "EST5EDT,J1,J366", "EST5EDT,366,0", "EST5EDT,M3.2.0/168,M11.1.0",
        "EST5EDT,M3.2.0,M11.1.0,", "EST5,M3.2.0,M11.1.0", "EST5EDT,M3.2.0/2:,M11.1.0", "EST5EDT,,M11.1.0",
        "EST5EDT 4", "EST5\nEDT",
    };
    tzif_builder b;
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        build_tzif(&b, '3', NULL, NULL, 0, sample_types, 1, 0, valid[i]);
        if (!parses(&b))
            fail_msg("footer \"%s\" was rejected", valid[i]);
    }
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        build_tzif(&b, '3', NULL, NULL, 0, sample_types, 1, 0, invalid[i]);
        if (parses(&b))
            fail_msg("footer \"%s\" was accepted", invalid[i]);
    }
}

static jr_zone *zone_with_footer(const char *footer)
{
    tzif_builder b;
    build_tzif(&b, '2', NULL, NULL, 0, sample_types, 1, 0, footer);
    jr_zone *parsed = parse_exactly(b.bytes, b.size);
    if (!parsed)
        fail_msg("footer \"%s\" was rejected", footer);
    return parsed;
}

static void test_footer_rules(void **state)
{
    (void)state;
    /* no transitions: the footer holds at every instant */
    jr_zone *tehran_like = zone_with_footer("<+0330>-3:30");
    assert_int_equal(jr_zone_offset(tehran_like, MS(1784073600)), 12600);
    assert_int_equal(jr_zone_offset(tehran_like, MS(-5364662400)), 12600);
    assert_civil(jr_zone_civil(tehran_like, MS(1784073600)), 2026, 7, 15, 3, 30, 0);
    jr_zone_free_parsed(tehran_like);

    /* an empty footer and no transitions: type 0 */
    jr_zone *fixed = zone_with_footer("");
    assert_int_equal(jr_zone_offset(fixed, MS(1784073600)), -18000);
    jr_zone_free_parsed(fixed);

    /* DST without rules takes the US ones: 2026-03-08 07:00Z, as in New York */
    jr_zone *us_default = zone_with_footer("EST5EDT");
    assert_int_equal(jr_zone_offset(us_default, MS(1772953200) - 1), -18000);
    assert_int_equal(jr_zone_offset(us_default, MS(1772953200)), -14400);
    jr_zone_free_parsed(us_default);

    /* zdump -v -c 2027,2029 'AAA3BBB,J60/-1,300/25': J60 is March 1 even in leap years,
     * at -1:00 the evening before; 300 counts February 29; 25:00 is the next day's 01:00
     *   2027-03-01 02:00Z (1803866400)  BBB -2     2027-10-29 03:00Z (1824778800) AAA -3
     *   2028-03-01 02:00Z (1835488800)  BBB -2     2028-10-28 03:00Z (1856314800) AAA -3 */
    jr_zone *julian = zone_with_footer("AAA3BBB,J60/-1,300/25");
    assert_int_equal(jr_zone_offset(julian, MS(1803866400) - 1), -10800);
    assert_int_equal(jr_zone_offset(julian, MS(1803866400)), -7200);
    assert_int_equal(jr_zone_offset(julian, MS(1824778800) - 1), -7200);
    assert_int_equal(jr_zone_offset(julian, MS(1824778800)), -10800);
    assert_int_equal(jr_zone_offset(julian, MS(1835488800) - 1), -10800);
    assert_int_equal(jr_zone_offset(julian, MS(1835488800)), -7200);
    assert_int_equal(jr_zone_offset(julian, MS(1856314800) - 1), -7200);
    assert_int_equal(jr_zone_offset(julian, MS(1856314800)), -10800);
    assert_civil(jr_zone_civil(julian, MS(1835488800) - 1000), 2028, 2, 29, 22, 59, 59);
    jr_zone_free_parsed(julian);

    /* RFC 8536 3.3.1: DST from January 1 00:00 to December 31 24:00 plus the DST
     * difference is DST all year. (glibc's date shows EST from 2027-01-01 00:00Z to
     * 05:00Z for this string; the RFC says EDT.) */
    jr_zone *all_year = zone_with_footer("EST5EDT4,0/0,J365/25");
    assert_int_equal(jr_zone_offset(all_year, MS(1784073600)), -14400);
    assert_int_equal(jr_zone_offset(all_year, MS(1798779599)), -14400);
    assert_int_equal(jr_zone_offset(all_year, MS(1798779600)), -14400);
    assert_int_equal(jr_zone_offset(all_year, MS(1768478400)), -14400);
    jr_zone_free_parsed(all_year);
}

/* ---- files on disk ------------------------------------------------------------------ */

static void write_file(const char *directory, const char *name, const void *bytes, size_t size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", directory, name);
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(fwrite(bytes, 1, size, file), size);
    assert_int_equal(fclose(file), 0);
}

static void test_malformed_files_on_disk(void **state)
{
    (void)state;
    char directory[] = "/tmp/journey-tz-XXXXXX";
    assert_non_null(mkdtemp(directory));
    char sub[600];
    snprintf(sub, sizeof sub, "%s/Test", directory);
    assert_int_equal(mkdir(sub, 0700), 0);

    FILE *source = fopen("/usr/share/zoneinfo/America/New_York", "rb");
    assert_non_null(source);
    static unsigned char new_york[65536];
    const size_t size = fread(new_york, 1, sizeof new_york, source);
    fclose(source);
    assert_true(size > 100);

    write_file(directory, "Test/Good", new_york, size);
    write_file(directory, "Test/Header", new_york, 30);
    write_file(directory, "Test/Half", new_york, size / 2);
    write_file(directory, "Test/NoNewline", new_york, size - 1);
    write_file(directory, "Test/Empty", "", 0);
    write_file(directory, "Test/Text", "not a zone\n", 11);
    unsigned char corrupt[65536];
    memcpy(corrupt, new_york, size);
    corrupt[4] = '9';
    write_file(directory, "Test/Version", corrupt, size);
    char link_path[700];
    snprintf(link_path, sizeof link_path, "%s/Test/Outside", directory);
    assert_int_equal(symlink("/usr/share/zoneinfo/America/New_York", link_path), 0);
    snprintf(link_path, sizeof link_path, "%s/Test/Inside", directory);
    assert_int_equal(symlink("Good", link_path), 0);

    jr_zones *zones = jr_zones_new(directory);
    assert_non_null(zones);
    const jr_zone *good = jr_zone_find(zones, "Test/Good", 9);
    assert_non_null(good);
    assert_int_equal(jr_zone_offset(good, MS(1772953200)), -14400);
    assert_non_null(jr_zone_find(zones, "Test/Inside", 11));
    static const char *const rejected[] = {
        "Test/Header", "Test/Half", "Test/NoNewline", "Test/Empty", "Test/Text", "Test/Version",
        "Test/Outside", "Test", "Test/Missing", "America/New_York",
    };
    for (size_t i = 0; i < sizeof rejected / sizeof rejected[0]; i++)
        if (jr_zone_find(zones, rejected[i], strlen(rejected[i])))
            fail_msg("%s was found", rejected[i]);
    assert_ptr_equal(jr_zone_find(zones, "UTC", 3), jr_zone_utc()); /* no file needed */
    jr_zones_free(zones);

    /* a missing directory: only UTC */
    char missing[700];
    snprintf(missing, sizeof missing, "%s/none", directory);
    zones = jr_zones_new(missing);
    assert_non_null(zones);
    assert_null(jr_zone_find(zones, "Test/Good", 9));
    assert_ptr_equal(jr_zone_find(zones, "UTC", 3), jr_zone_utc());
    jr_zones_free(zones);

    static const char *const names[] = {
        "Test/Good", "Test/Header", "Test/Half", "Test/NoNewline", "Test/Empty", "Test/Text",
        "Test/Version", "Test/Outside", "Test/Inside",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s", directory, names[i]);
        assert_int_equal(unlink(path), 0);
    }
    assert_int_equal(rmdir(sub), 0);
    assert_int_equal(rmdir(directory), 0);
}

/* ---- quiet hours -------------------------------------------------------------------- */

static void test_quiet_hours(void **state)
{
    (void)state;
    const uint32_t from = HM(21, 0), to = HM(9, 0);
    const jr_zone *new_york = zone("America/New_York");
    /* 2026-07-15 12:00 EDT (16:00Z, 1784131200) is outside */
    assert_false(jr_zone_in_window(new_york, MS(1784131200), from, to));
    assert_int_equal(jr_zone_window_end(new_york, MS(1784131200), from, to), MS(1784131200));
    /* 2026-07-14 22:00 EDT (2026-07-15 02:00Z) and 2026-07-15 03:00 EDT (07:00Z) are in
     * the same quiet period, which ends at 09:00 EDT (13:00Z, 1784120400) */
    assert_true(jr_zone_in_window(new_york, MS(1784080800), from, to));
    assert_int_equal(jr_zone_window_end(new_york, MS(1784080800), from, to), MS(1784120400));
    assert_true(jr_zone_in_window(new_york, MS(1784098800), from, to));
    assert_int_equal(jr_zone_window_end(new_york, MS(1784098800), from, to), MS(1784120400));
    /* [from, to): 08:59:59.999 is inside, 09:00 outside, 21:00 inside, 20:59:59 outside */
    assert_true(jr_zone_in_window(new_york, MS(1784120400) - 1, from, to));
    assert_int_equal(jr_zone_window_end(new_york, MS(1784120400) - 1, from, to), MS(1784120400));
    assert_false(jr_zone_in_window(new_york, MS(1784120400), from, to));
    assert_true(jr_zone_in_window(new_york, MS(1784120400 + 12 * 3600), from, to));
    assert_false(jr_zone_in_window(new_york, MS(1784120400 + 12 * 3600) - 1000, from, to));

    /* across spring forward: 2026-03-07 22:00 EST (2026-03-08 03:00Z, 1772938800) to
     * 2026-03-08 09:00 EDT (13:00Z, 1772974800): ten hours */
    assert_true(jr_zone_in_window(new_york, MS(1772938800), from, to));
    assert_int_equal(jr_zone_window_end(new_york, MS(1772938800), from, to), MS(1772974800));
    /* across fall back: 2026-10-31 22:00 EDT (2026-11-01 02:00Z, 1793498400) to
     * 2026-11-01 09:00 EST (14:00Z, 1793541600): twelve hours */
    assert_true(jr_zone_in_window(new_york, MS(1793498400), from, to));
    assert_int_equal(jr_zone_window_end(new_york, MS(1793498400), from, to), MS(1793541600));
    /* inside the repeated hour (01:30 EST, 06:30Z) it is still the same night */
    assert_int_equal(jr_zone_window_end(new_york, MS(1793512800 + 1800), from, to), MS(1793541600));

    /* Berlin, an ordinary night: 2026-07-14 23:00 CEST is 21:00Z (1784066400 - 3600);
     * 09:00 CEST on the 15th is 07:00Z (1784098800) */
    const jr_zone *berlin = zone("Europe/Berlin");
    assert_true(jr_zone_in_window(berlin, MS(1784066400 - 3600), from, to));
    assert_int_equal(jr_zone_window_end(berlin, MS(1784066400 - 3600), from, to), MS(1784098800));
    /* a window within a day, and the empty window */
    assert_true(jr_zone_in_window(berlin, MS(1784098800), HM(9, 0), HM(17, 0)));
    assert_int_equal(jr_zone_window_end(berlin, MS(1784098800), HM(9, 0), HM(17, 0)), MS(1784098800 + 8 * 3600));
    assert_false(jr_zone_in_window(berlin, MS(1784098800), HM(9, 0), HM(9, 0)));
    assert_int_equal(jr_zone_window_end(berlin, MS(1784098800), HM(9, 0), HM(9, 0)), MS(1784098800));

    /* a window ending inside a gap: Berlin's 02:00-03:00 is skipped on 2026-03-29, so
     * [01:00, 02:30) ends at the jump, 01:00Z (1774746000), from 01:30 CET (00:30Z) */
    assert_int_equal(jr_zone_window_end(berlin, MS(1774746000 - 1800), HM(1, 0), HM(2, 30)), MS(1774746000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utc),
        cmocka_unit_test(test_weekdays_of_known_dates),
        cmocka_unit_test(test_new_york_offsets),
        cmocka_unit_test(test_new_york_spring_forward),
        cmocka_unit_test(test_new_york_fall_back),
        cmocka_unit_test(test_berlin),
        cmocka_unit_test(test_kolkata),
        cmocka_unit_test(test_lord_howe_half_hour_dst),
        cmocka_unit_test(test_southern_hemisphere),
        cmocka_unit_test(test_after_2037_uses_the_footer),
        cmocka_unit_test(test_before_the_first_transition),
        cmocka_unit_test(test_invalid_names),
        cmocka_unit_test(test_names_are_cached),
        cmocka_unit_test(test_malformed_tzif_in_memory),
        cmocka_unit_test(test_footer_strings),
        cmocka_unit_test(test_footer_rules),
        cmocka_unit_test(test_malformed_files_on_disk),
        cmocka_unit_test(test_quiet_hours),
    };
    return cmocka_run_group_tests_name("timezone", tests, open_system_zones, close_system_zones);
}
