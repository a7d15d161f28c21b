/* timezone.h: time zones for the runtime: reading IANA zones from the system zoneinfo
 * (TZif files), converting instants to contacts' local wall time and finding the
 * instants of local times of day (wait until 10:00, quiet hours), with pure
 * arithmetic on the loaded data (no localtime, mktime or TZ: those are global state).
 *
 * Instants are milliseconds since 1970-01-01T00:00:00Z (POSIX time, no leap seconds).
 * Inputs beyond +-JR_ZONE_INSTANT_LIMIT_MS (about +-253 million years) are clamped to it,
 * so no conversion overflows.
 *
 * Loading (jr_zones, jr_zone_find):
 * - A name is looked up under the zoneinfo directory only if it is 1 to 64 characters
 *   of [A-Za-z0-9_+-/], does not start or end with '/', and has no empty, "." or ".."
 *   component. A file whose real path (after symlinks) leaves the directory, that is
 *   not a regular file, or that is not a valid TZif file is "not found" (NULL).
 *   "localtime" and "posixrules" are not found either: they are this machine's own
 *   choice of zone (on Debian, localtime is a symlink to /etc/localtime), and a
 *   contact's zone must not depend on the machine.
 * - TZif versions 1, 2, 3 and 4 are read; for 2 and later the 64-bit block and the
 *   POSIX TZ footer are used. Every count, index, offset and footer field is
 *   validated; a malformed file is not found. Files with leap-second records (the
 *   "right/" tree) are rejected: the runtime's clock is POSIX time.
 * - "UTC" and "Etc/UTC" are the built-in jr_zone_utc() and need no file.
 * - Each name is loaded once; the same name returns the same pointer until
 *   jr_zones_free. Unknown names are remembered too (up to a bound), so a bad timezone
 *   attribute repeated over many contacts costs one file lookup.
 * - The cache is not synchronized: call jr_zone_find from one thread (or lock). Loaded
 *   zones are immutable, and every conversion below is pure and thread-safe.
 *
 * Semantics (RFC 8536): before the first transition a zone uses its time type 0;
 * after the last transition it follows the footer's POSIX TZ rule (so dates after
 * 2037 are right), or keeps the last type when there is no footer (version 1). The
 * footer supports <+0330>-3:30 style names, Jn, n and Mm.w.d dates, times from -167
 * to 167 hours (Santiago's M9.1.6/24) and negative DST (Dublin's IST-1GMT0,...).
 * A footer with a DST name but no rules uses the US rules M3.2.0,M11.1.0, as tzcode does;
 * one whose DST ends exactly when next year's starts ("EST5EDT4,0/0,J365/25") is DST
 * all year, as RFC 8536 says (glibc shows a few hours of standard time each new year).
 *
 * Wall-clock rules (the DST choices):
 * - The "occurrence" of a wall time T on local day D is the first instant at which the
 *   zone's wall clock reads D T or later. When T exists once that is simply D T. When T
 *   is skipped by a gap (spring forward), it is the instant the clock jumps, whose wall
 *   time is just after the gap (02:30 on 2026-03-08 in New York is 07:00Z, 03:00 EDT).
 *   When T occurs twice (fall back), it is the first occurrence (01:30 EDT, not EST).
 * - A time of day therefore happens exactly once per local day: after the first 01:30
 *   of a fall-back day, the next 01:30 is the next day's, not the repeated one. A loop
 *   that waits until 01:30 fires once a day, never twice.
 * - Time-of-day arguments are seconds after local midnight, 0..86399; larger values are
 *   taken modulo 86400.
 * - Windows [from, to) are in local wall time; to < from crosses midnight
 *   (21:00 to 09:00 is from = 75600, to = 32400); from == to is the empty window.
 *
 * Library code: nothing here prints or exits; failures are return values. */
#ifndef JR_TIMEZONE_H
#define JR_TIMEZONE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JR_ZONE_INSTANT_LIMIT_MS INT64_C(8000000000000000000)
#define JR_ZONE_NAME_MAX 64

typedef struct jr_zones jr_zones;
typedef struct jr_zone jr_zone;

/* A cache of zones read from zoneinfo_dir (NULL: /usr/share/zoneinfo; honouring TZDIR
 * is the caller's choice). The directory is resolved now; if it does not exist, every
 * name but UTC is not found. NULL only when out of memory. */
jr_zones *jr_zones_new(const char *zoneinfo_dir);
/* Frees the cache and every zone it returned. NULL is allowed. */
void jr_zones_free(jr_zones *zones);

/* The zone named name[0..length) (not necessarily NUL-terminated), loading it on first
 * use; NULL for an invalid or unknown name, a malformed file, or out of memory. */
const jr_zone *jr_zone_find(jr_zones *zones, const char *name, size_t length);
/* The built-in UTC zone, valid for the whole program. */
const jr_zone *jr_zone_utc(void);
/* The name the zone was found under (NUL-terminated); "UTC" for the built-in UTC. */
const char *jr_zone_name(const jr_zone *zone);

/* In every conversion below, a NULL zone means UTC. */

/* Seconds east of UTC in effect at the instant (New York in winter: -18000). */
int32_t jr_zone_offset(const jr_zone *zone, int64_t utc_ms);

/* An instant as wall time in a zone. */
typedef struct jr_civil {
    int32_t year;        /* proleptic Gregorian; 0 is 1 BC */
    uint8_t month;       /* 1..12 */
    uint8_t day;         /* 1..31 */
    uint8_t hour;        /* 0..23 */
    uint8_t minute;      /* 0..59 */
    uint8_t second;      /* 0..59 */
    uint8_t weekday;     /* 1 = Monday .. 7 = Sunday (ISO 8601) */
    uint16_t day_of_year; /* 1..366 */
    uint16_t millisecond; /* 0..999 */
    int32_t utc_offset;  /* seconds east of UTC */
    bool is_dst;
} jr_civil;

jr_civil jr_zone_civil(const jr_zone *zone, int64_t utc_ms);

/* The first occurrence (see above) of the local time of day at or after now_ms. */
int64_t jr_zone_next_time_of_day(const jr_zone *zone, int64_t now_ms, uint32_t seconds_of_day);
/* The occurrence of midnight on the instant's local day: local midnight, or the first
 * instant of that day when midnight is skipped. Never after utc_ms. */
int64_t jr_zone_start_of_day(const jr_zone *zone, int64_t utc_ms);

/* Whether the instant's local wall time falls in [from, to) (seconds of day). */
bool jr_zone_in_window(const jr_zone *zone, int64_t utc_ms, uint32_t from, uint32_t to);
/* The first instant at or after utc_ms whose local wall time is outside [from, to):
 * utc_ms itself when it is outside, otherwise the end of the current quiet period
 * (when the wall clock reaches `to`, or jumps out of the window across a transition). */
int64_t jr_zone_window_end(const jr_zone *zone, int64_t utc_ms, uint32_t from, uint32_t to);

/* ---- internal, exposed for tests and the fuzzer ------------------------------------ */

/* Parses a TZif file held in memory. The result is owned by the caller (free it with
 * jr_zone_free_parsed); name may be NULL. NULL when malformed or out of memory. */
jr_zone *jr_zone_parse_tzif(const unsigned char *data, size_t size, const char *name);
void jr_zone_free_parsed(jr_zone *zone);

#endif
