/* fuzz_tzif.c: libFuzzer target for the runtime's TZif reader (runtime/timezone.c):
 * arbitrary bytes are parsed as a TZif file and, when they parse, every conversion runs
 * on a few instants and its documented bounds are checked (a violation traps). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../runtime/timezone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(condition)                                                                               \
    do {                                                                                               \
        if (!(condition))                                                                              \
            __builtin_trap();                                                                          \
    } while (0)

static int64_t clamped(int64_t utc_ms)
{
    if (utc_ms > JR_ZONE_INSTANT_LIMIT_MS)
        return JR_ZONE_INSTANT_LIMIT_MS;
    if (utc_ms < -JR_ZONE_INSTANT_LIMIT_MS)
        return -JR_ZONE_INSTANT_LIMIT_MS;
    return utc_ms;
}

static void exercise(const jr_zone *zone, int64_t instant, uint32_t seconds_of_day)
{
    const int64_t now = clamped(instant);
    const int32_t offset = jr_zone_offset(zone, instant);
    CHECK(offset >= -89999 && offset <= 93599);

    const jr_civil civil = jr_zone_civil(zone, instant);
    CHECK(civil.month >= 1 && civil.month <= 12 && civil.day >= 1 && civil.day <= 31);
    CHECK(civil.hour < 24 && civil.minute < 60 && civil.second < 60 && civil.millisecond < 1000);
    CHECK(civil.weekday >= 1 && civil.weekday <= 7);
    CHECK(civil.day_of_year >= 1 && civil.day_of_year <= 366);
    CHECK(civil.utc_offset == offset);

    /* occurrences lie within a week after now; the day starts at most ~3 days before */
    const uint32_t times_of_day[] = {0, 9000, 36000, 86399, seconds_of_day};
    for (size_t i = 0; i < sizeof times_of_day / sizeof times_of_day[0]; i++) {
        const int64_t next = jr_zone_next_time_of_day(zone, instant, times_of_day[i]);
        CHECK(next >= now && next - now <= INT64_C(8) * 86400 * 1000);
    }
    const int64_t start = jr_zone_start_of_day(zone, instant);
    CHECK(start <= now && now - start <= INT64_C(4) * 86400 * 1000);

    const uint32_t windows[][2] = {{75600, 32400}, {32400, 61200}, {0, 86399}, {seconds_of_day, 32400}};
    for (size_t i = 0; i < sizeof windows / sizeof windows[0]; i++) {
        const uint32_t from = windows[i][0], to = windows[i][1];
        const bool inside = jr_zone_in_window(zone, instant, from, to);
        const int64_t end = jr_zone_window_end(zone, instant, from, to);
        CHECK(end >= now);
        CHECK(inside == (end != now));
        if (end <= JR_ZONE_INSTANT_LIMIT_MS) /* beyond it, inputs are clamped back */
            CHECK(!jr_zone_in_window(zone, end, from, to));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jr_zone *zone = jr_zone_parse_tzif(data, size, "Fuzz/Zone");
    if (!zone)
        return 0;
    static const int64_t instants[] = {
        INT64_MIN,
        -JR_ZONE_INSTANT_LIMIT_MS - 1,
        INT64_C(-5364662400000), /* 1800 */
        -1,
        0,
        INT64_C(1772953200000), /* 2026-03-08 07:00Z */
        INT64_C(1793512800500), /* 2026-11-01 06:00:00.5Z */
        INT64_C(2215062000000), /* 2040 */
        INT64_C(253402300799999), /* 9999-12-31 */
        JR_ZONE_INSTANT_LIMIT_MS,
        INT64_MAX,
    };
    /* the last bytes of the input pick one more instant and a time of day */
    uint64_t chosen = 0;
    const size_t take = size < 8 ? size : 8;
    memcpy(&chosen, data + size - take, take);
    const uint32_t seconds_of_day = (uint32_t)(chosen % 86400);
    for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++)
        exercise(zone, instants[i], seconds_of_day);
    exercise(zone, (int64_t)(chosen >> 1) - INT64_C(0x3fffffffffffffff), seconds_of_day);
    exercise(zone, (int64_t)(chosen % (UINT64_C(1) << 44)) - (INT64_C(1) << 43), seconds_of_day);
    jr_zone_free_parsed(zone);
    return 0;
}
