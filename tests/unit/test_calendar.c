/* test_calendar.c: calendar arithmetic in a time zone (runtime/calendar.c), the core
 * of add_days, add_months and days_between. The transitions used were read with
 * `zdump -v -c YEAR,YEAR+1 ZONE` (Debian tzdata); each expected instant follows from
 * them by the rule of calendar.h: a skipped wall time becomes the instant the clock
 * jumps, a repeated one its first occurrence. Needs /usr/share/zoneinfo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../runtime/calendar.h"
#include "journey.h"

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
    if (!found) fail_msg("zone %s not found", name);
    return found;
}

static int64_t instant(const char *text)
{
    int64_t ms;
    if (!jr_parse_timestamp(text, strlen(text), &ms)) fail_msg("bad timestamp %s", text);
    return ms;
}

/* add(ZONE, FROM, MONTHS, DAYS) is EXPECTED, all instants in UTC. */
static void assert_add(const char *zone_name, const char *from, int64_t months, int64_t days, const char *expected)
{
    int64_t result;
    assert_true(jr_calendar_add(zone(zone_name), instant(from), months, days, &result));
    if (result != instant(expected)) {
        char got[25];
        jr_format_timestamp(result, got);
        fail_msg("%s: %s + %lld months + %lld days is %s, not %s", zone_name, from, (long long)months,
                 (long long)days, got, expected);
    }
}

static void test_days_keep_the_local_time(void **state)
{
    (void)state;
    /* Paris: CET until 2026-03-29 01:00Z, CEST until 2026-10-25 01:00Z. */
    assert_add("Europe/Paris", "2026-03-28T10:30:00Z", 0, 1, "2026-03-29T09:30:00Z");  /* 23 hours */
    assert_add("Europe/Paris", "2026-03-29T09:30:00Z", 0, -1, "2026-03-28T10:30:00Z");
    assert_add("Europe/Paris", "2026-10-24T10:30:00Z", 0, 1, "2026-10-25T11:30:00Z");  /* 25 hours */
    assert_add("Europe/Paris", "2026-01-15T08:00:00.250Z", 0, 365, "2027-01-15T08:00:00.250Z");
    assert_add("UTC", "2026-03-28T10:30:00Z", 0, 1, "2026-03-29T10:30:00Z");
}

static void test_skipped_and_repeated_wall_times(void **state)
{
    (void)state;
    /* Paris: Sunday 02:30 does not exist; the clock jumps at 01:00Z. */
    assert_add("Europe/Paris", "2026-03-28T01:30:00Z", 0, 1, "2026-03-29T01:00:00Z");
    /* Paris: Sunday 02:30 happens at 00:30Z (CEST) and 01:30Z (CET): the first. */
    assert_add("Europe/Paris", "2026-10-24T00:30:00Z", 0, 1, "2026-10-25T00:30:00Z");
    /* From the second 02:30: nothing added keeps it; a day earlier or later is single. */
    assert_add("Europe/Paris", "2026-10-25T01:30:00Z", 0, 0, "2026-10-25T01:30:00Z");
    assert_add("Europe/Paris", "2026-10-25T01:30:00Z", 0, 1, "2026-10-26T01:30:00Z");
    assert_add("Europe/Paris", "2026-10-25T01:30:00Z", 0, -1, "2026-10-24T00:30:00Z");
    /* Havana skips midnight: 2026-03-08 00:00 CST (05:00Z) becomes 01:00 CDT. */
    assert_add("America/Havana", "2026-03-07T05:30:00Z", 0, 1, "2026-03-08T05:00:00Z");
    /* Lord Howe moves by 30 minutes: 2026-10-04 02:00 (+10:30, 15:30Z) becomes 02:30 (+11). */
    assert_add("Australia/Lord_Howe", "2026-10-02T15:45:00Z", 0, 1, "2026-10-03T15:30:00Z");
    /* Samoa skipped the whole of 2011-12-30: Thursday 23:59:59 (-10) was followed by
     * Saturday 00:00 (+14) at 10:00Z. */
    assert_add("Pacific/Apia", "2011-12-29T22:00:00Z", 0, 1, "2011-12-30T10:00:00Z");
    assert_add("Pacific/Apia", "2011-12-29T22:00:00Z", 0, 2, "2011-12-30T22:00:00Z");
}

static void test_months_are_clamped_to_the_month(void **state)
{
    (void)state;
    assert_add("Europe/Paris", "2026-01-31T09:00:00Z", 1, 0, "2026-02-28T09:00:00Z");
    assert_add("Europe/Paris", "2026-01-31T09:00:00Z", 2, 0, "2026-03-31T08:00:00Z");  /* 10:00 CEST */
    assert_add("Europe/Paris", "2026-03-31T08:00:00Z", -1, 0, "2026-02-28T09:00:00Z");
    assert_add("UTC", "2024-02-29T12:00:00Z", 12, 0, "2025-02-28T12:00:00Z");
    assert_add("UTC", "2024-02-29T12:00:00Z", 48, 0, "2028-02-29T12:00:00Z");
    assert_add("UTC", "2026-11-15T00:00:00Z", 2, 0, "2027-01-15T00:00:00Z");
    assert_add("UTC", "2026-01-15T00:00:00Z", -13, 0, "2024-12-15T00:00:00Z");
    assert_add("UTC", "2026-01-31T00:00:00Z", 1, 1, "2026-03-01T00:00:00Z");  /* months first, then days */
}

static void test_out_of_range(void **state)
{
    (void)state;
    int64_t result;
    assert_false(jr_calendar_add(zone("UTC"), 0, 0, 200000001, &result));
    assert_false(jr_calendar_add(zone("UTC"), 0, 4000001, 0, &result));
    assert_false(jr_calendar_add(zone("UTC"), 0, 0, 104249992, &result)); /* 2^53 ms is 104249991.37 days */
    assert_true(jr_calendar_add(zone("UTC"), 0, 0, 104249991, &result));
    assert_true(result == INT64_C(104249991) * 86400000);
    assert_false(jr_calendar_add(zone("UTC"), 0, 0, -104249992, &result));
    assert_true(jr_calendar_add(zone("UTC"), 0, 0, -104249991, &result));
}

static void test_days_between_local_dates(void **state)
{
    (void)state;
    const jr_zone *paris = zone("Europe/Paris");
    /* 23:00 to 01:00 the next day, local: one date apart, two hours. */
    assert_int_equal(jr_calendar_days_between(paris, instant("2026-06-01T21:00:00Z"), instant("2026-06-01T23:00:00Z")), 1);
    assert_int_equal(jr_calendar_days_between(paris, instant("2026-06-01T22:00:00Z"), instant("2026-06-02T21:59:59Z")), 0);
    assert_int_equal(jr_calendar_days_between(paris, instant("2026-06-02T12:00:00Z"), instant("2026-05-01T12:00:00Z")), -32);
    /* The same instants in UTC are the same date. */
    assert_int_equal(jr_calendar_days_between(zone("UTC"), instant("2026-06-01T21:00:00Z"), instant("2026-06-01T23:00:00Z")), 0);
    /* Samoa's skipped day counts: Thursday to Saturday is 2. */
    assert_int_equal(jr_calendar_days_between(zone("Pacific/Apia"), instant("2011-12-29T22:00:00Z"),
                                              instant("2011-12-30T10:00:00Z")), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_keep_the_local_time),
        cmocka_unit_test(test_skipped_and_repeated_wall_times),
        cmocka_unit_test(test_months_are_clamped_to_the_month),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_days_between_local_dates),
    };
    return cmocka_run_group_tests(tests, open_system_zones, close_system_zones);
}
