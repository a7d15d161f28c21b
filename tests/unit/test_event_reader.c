/* test_event_reader.c: unit tests of the event log readers (runtime/event_reader.c,
 * json_reader.cpp) and of the timestamp functions (runtime/timestamp.c): every rule
 * of event.h, the bad lines and their messages, gzip, CSV, and edge inputs. Inputs
 * that make the fuzzer (tests/fuzz/fuzz_event_reader.c) fail belong in
 * test_edge_inputs; so far it has found none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "event.h"

/* ---- the schema the tests read with --------------------------------------------- */

enum { ORDER_ID, REVENUE, COUPON, PAID, SHIPPED_AT, DELIVERY };
static const jr_schema_field order_fields[] = {
    { "order_id", JR_TYPE_STRING }, { "revenue", JR_TYPE_NUMBER }, { "coupon", JR_TYPE_STRING },
    { "paid", JR_TYPE_BOOL },       { "shipped_at", JR_TYPE_TIME }, { "delivery", JR_TYPE_DURATION },
};
enum { PLAN };
static const jr_schema_field signup_fields[] = { { "plan", JR_TYPE_STRING } };
enum { PATH, NAME };
static const jr_schema_field page_fields[] = { { "path", JR_TYPE_STRING }, { "name", JR_TYPE_STRING } };
enum { ORDER_COMPLETED, SIGNED_UP, PAGE_VIEWED };
static const jr_schema_event test_events[] = {
    { "Order Completed", order_fields, 6 },
    { "Signed Up", signup_fields, 1 },
    { "Page Viewed", page_fields, 2 },
};
enum { EMAIL, AGE, VIP, FIRST_SEEN };
static const jr_schema_field test_attributes[] = {
    { "email", JR_TYPE_STRING }, { "age", JR_TYPE_NUMBER }, { "vip", JR_TYPE_BOOL }, { "first_seen", JR_TYPE_TIME },
};
static const jr_schema test_schema = { test_events, 3, test_attributes, 4 };

/* A schema without "Page Viewed". */
static const jr_schema schema_without_page = { test_events, 2, test_attributes, 4 };

/* ---- helpers -------------------------------------------------------------------- */

static int64_t ms(const char *text)
{
    int64_t value = 0;
    if (!jr_parse_timestamp(text, strlen(text), &value)) fail_msg("not a timestamp: %s", text);
    return value;
}

static bool parses(const char *text)
{
    int64_t value;
    return jr_parse_timestamp(text, strlen(text), &value);
}

static jr_event_reader *open_text(const jr_schema *schema, const char *text, jr_log_format format)
{
    jr_read_error error;
    jr_event_reader *reader = jr_reader_open_memory(schema, text, strlen(text), format, &error);
    if (!reader) fail_msg("open failed: line %llu: %s", (unsigned long long)error.line, error.message);
    return reader;
}

static jr_event_reader *open_jsonl(const char *text) { return open_text(&test_schema, text, JR_LOG_JSONL); }
static jr_event_reader *open_csv(const char *text) { return open_text(&test_schema, text, JR_LOG_CSV); }

static void next_event(jr_event_reader *reader, jr_event *event)
{
    jr_read_error error;
    jr_read_status status = jr_reader_next(reader, event, &error);
    if (status != JR_READ_EVENT)
        fail_msg("expected an event, got status %d: line %llu: %s", status, (unsigned long long)error.line,
                 error.message);
}

static void next_bad(jr_event_reader *reader, uint64_t line, const char *message_part)
{
    jr_event event;
    jr_read_error error;
    jr_read_status status = jr_reader_next(reader, &event, &error);
    if (status != JR_READ_BAD_LINE) fail_msg("expected a bad line %llu, got status %d", (unsigned long long)line, status);
    assert_int_equal(error.line, line);
    if (!strstr(error.message, message_part))
        fail_msg("message \"%s\" does not contain \"%s\"", error.message, message_part);
}

static void next_end(jr_event_reader *reader)
{
    jr_event event;
    jr_read_error error;
    jr_read_status status = jr_reader_next(reader, &event, &error);
    if (status != JR_READ_END)
        fail_msg("expected the end, got status %d: line %llu: %s", status, (unsigned long long)error.line,
                 error.message);
}

/* Reads one JSON line and expects one event. */
static jr_event_reader *one_event(const char *line, jr_event *event)
{
    jr_event_reader *reader = open_jsonl(line);
    next_event(reader, event);
    return reader;
}

static void one_bad(const char *line, const char *message_part)
{
    jr_event_reader *reader = open_jsonl(line);
    next_bad(reader, 1, message_part);
    next_end(reader);
    jr_reader_close(reader);
}

static const jr_field_value *find_value(const jr_field_value *values, uint32_t count, uint32_t index)
{
    for (uint32_t i = 0; i < count; i++)
        if (values[i].index == index) return &values[i];
    return NULL;
}

static const jr_field_value *property(const jr_event *event, uint32_t index)
{
    return find_value(event->properties, event->property_count, index);
}

static const jr_field_value *trait(const jr_event *event, uint32_t index)
{
    return find_value(event->traits, event->trait_count, index);
}

static void assert_text(const char *bytes, uint32_t length, const char *expected)
{
    if (length != strlen(expected) || memcmp(bytes, expected, length) != 0)
        fail_msg("got \"%.*s\", expected \"%s\"", (int)length, bytes, expected);
}

static void assert_string_value(const jr_field_value *value, const char *expected)
{
    assert_non_null(value);
    assert_int_equal(value->type, JR_TYPE_STRING);
    assert_text(value->as.string.bytes, value->as.string.length, expected);
}

static char temp_dir[64];

static const char *temp_path(const char *name)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", temp_dir, name);
    return path;
}

static void write_file(const char *path, const void *bytes, size_t length)
{
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(bytes, 1, length, out), length);
    assert_int_equal(fclose(out), 0);
}

static void write_gzip(const char *path, const char *mode, const char *text)
{
    gzFile out = gzopen(path, mode);
    assert_non_null(out);
    assert_int_equal(gzwrite(out, text, (unsigned)strlen(text)), (int)strlen(text));
    assert_int_equal(gzclose(out), Z_OK);
}

static char *read_file(const char *path, size_t *length)
{
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    fseek(in, 0, SEEK_SET);
    char *bytes = malloc((size_t)size + 1);
    assert_non_null(bytes);
    assert_int_equal(fread(bytes, 1, (size_t)size, in), (size_t)size);
    fclose(in);
    *length = (size_t)size;
    return bytes;
}

static int make_temp_dir(void **state)
{
    (void)state;
    snprintf(temp_dir, sizeof temp_dir, "/tmp/test_event_reader_XXXXXX");
    return mkdtemp(temp_dir) ? 0 : -1;
}

static int remove_temp_dir(void **state)
{
    (void)state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", temp_dir);
    return system(command) == 0 ? 0 : -1;
}

/* ---- timestamps ----------------------------------------------------------------- */

static void test_timestamp_known_instants(void **state)
{
    (void)state;
    assert_int_equal(ms("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(ms("2000-01-01T00:00:00Z"), 946684800000LL);
    assert_int_equal(ms("2024-02-29T12:00:00Z"), 1709208000000LL);
    assert_int_equal(ms("2026-11-22T10:00:00.000Z"), 1795341600000LL);
    assert_int_equal(ms("1969-12-31T23:59:59.999Z"), -1);
    assert_int_equal(ms("0001-01-01T00:00:00Z"), -62135596800000LL);
    assert_int_equal(ms("9999-12-31T23:59:59.999Z"), 253402300799999LL);
}

static void test_timestamp_separators_and_zones(void **state)
{
    (void)state;
    int64_t utc = ms("2024-03-01T04:30:00Z");
    assert_int_equal(ms("2024-03-01T10:00:00+05:30"), utc);
    assert_int_equal(ms("2024-03-01T10:00:00+0530"), utc);
    assert_int_equal(ms("2024-03-01 04:30:00Z"), utc);
    assert_int_equal(ms("2024-03-01t04:30:00z"), utc);
    assert_int_equal(ms("2024-03-01T04:30Z"), utc); /* no seconds */
    assert_int_equal(ms("2024-03-01T06:30:00+02"), utc);
    assert_int_equal(ms("2024-02-29T20:30:00-0800"), utc); /* across a day, into a leap day */
    assert_int_equal(ms("2024-02-29T20:30:00-08:00"), utc);
    assert_int_equal(ms("2024-03-01T04:30:00-00:00"), utc);
    assert_int_equal(ms("2024-03-01T04:30:00+00:00"), utc);
    assert_int_equal(ms("2024-03-01T23:59:00+23:59"), ms("2024-03-01T00:00:00Z"));
    assert_int_equal(ms("2023-12-31T23:00:00-01:00"), ms("2024-01-01T00:00:00Z")); /* across a year */
}

static void test_timestamp_fractions(void **state)
{
    (void)state;
    int64_t base = ms("2024-03-01T10:00:00Z");
    assert_int_equal(ms("2024-03-01T10:00:00.5Z"), base + 500);
    assert_int_equal(ms("2024-03-01T10:00:00.05Z"), base + 50);
    assert_int_equal(ms("2024-03-01T10:00:00.123Z"), base + 123);
    assert_int_equal(ms("2024-03-01T10:00:00.123456789Z"), base + 123); /* truncated */
    assert_int_equal(ms("2024-03-01T10:00:00.9999999Z"), base + 999);   /* not rounded */
    assert_int_equal(ms("2024-03-01T10:00:00,25Z"), base + 250);
    assert_int_equal(ms("2024-03-01T10:00:00.000000000000000000000001Z"), base);
    assert_int_equal(ms("2024-03-01T15:30:00.75+05:30"), base + 750);
    assert_int_equal(ms("1969-12-31T23:59:59.5Z"), -500);
}

static void test_timestamp_leap_second(void **state)
{
    (void)state;
    /* A leap second reads as the last millisecond of its minute. */
    assert_int_equal(ms("2016-12-31T23:59:60Z"), ms("2016-12-31T23:59:59.999Z"));
    assert_int_equal(ms("2016-12-31T23:59:60.5Z"), ms("2016-12-31T23:59:59.999Z"));
    assert_true(ms("2016-12-31T23:59:60Z") < ms("2017-01-01T00:00:00Z"));
    assert_int_equal(ms("2016-12-31T18:59:60-05:00"), ms("2016-12-31T23:59:59.999Z"));
}

static void test_timestamp_validation(void **state)
{
    (void)state;
    assert_true(parses("2024-02-29T00:00:00Z"));
    assert_true(parses("2000-02-29T00:00:00Z"));
    assert_false(parses("2023-02-29T00:00:00Z")); /* not a leap year */
    assert_false(parses("1900-02-29T00:00:00Z")); /* divisible by 100, not by 400 */
    assert_false(parses("2024-04-31T00:00:00Z"));
    assert_false(parses("2024-13-01T00:00:00Z"));
    assert_false(parses("2024-00-01T00:00:00Z"));
    assert_false(parses("2024-01-00T00:00:00Z"));
    assert_false(parses("2024-01-32T00:00:00Z"));
    assert_false(parses("0000-01-01T00:00:00Z"));
    assert_false(parses("2024-01-01T24:00:00Z"));
    assert_false(parses("2024-01-01T23:60:00Z"));
    assert_false(parses("2024-01-01T23:59:61Z"));
    assert_false(parses("2024-01-01T10:00:00"));     /* no zone */
    assert_false(parses("2024-01-01"));              /* no time */
    assert_false(parses("2024-01-01T10:00:00ZZ"));
    assert_false(parses("2024-01-01T10:00:00Z "));
    assert_false(parses(" 2024-01-01T10:00:00Z"));
    assert_false(parses("2024-1-01T10:00:00Z"));
    assert_false(parses("2024-01-01T1:00:00Z"));
    assert_false(parses("2024-01-01X10:00:00Z"));
    assert_false(parses("2024-01-01T10:00:00.Z"));   /* a point with no digits */
    assert_false(parses("2024-01-01T10:00:0Z"));
    assert_false(parses("2024-01-01T10:00:00+5:30"));
    assert_false(parses("2024-01-01T10:00:00+05:3"));
    assert_false(parses("2024-01-01T10:00:00+05:300"));
    assert_false(parses("2024-01-01T10:00:00+24:00"));
    assert_false(parses("2024-01-01T10:00:00+05:60"));
    assert_false(parses("2024-01-01T10:00:00+"));
    assert_false(parses("+2024-01-01T10:00:00Z"));
    assert_false(parses("2024-01-01T10:00:00 UTC"));
    assert_false(parses(""));
    int64_t value;
    assert_false(jr_parse_timestamp(NULL, 0, &value));
    /* length is honoured: no reading past it */
    assert_false(jr_parse_timestamp("2024-01-01T10:00:00Z", 19, &value));
    assert_true(jr_parse_timestamp("2024-01-01T10:00:00Zjunk", 20, &value));
}

static void test_timestamp_format(void **state)
{
    (void)state;
    char text[25];
    jr_format_timestamp(0, text);
    assert_string_equal(text, "1970-01-01T00:00:00.000Z");
    jr_format_timestamp(1795341600000LL, text);
    assert_string_equal(text, "2026-11-22T10:00:00.000Z");
    jr_format_timestamp(-1, text);
    assert_string_equal(text, "1969-12-31T23:59:59.999Z");
    jr_format_timestamp(ms("2024-02-29T23:59:59.5Z"), text);
    assert_string_equal(text, "2024-02-29T23:59:59.500Z");
    /* clamped to the years 0001 to 9999 */
    jr_format_timestamp(INT64_MIN, text);
    assert_string_equal(text, "0001-01-01T00:00:00.000Z");
    jr_format_timestamp(INT64_MAX, text);
    assert_string_equal(text, "9999-12-31T23:59:59.999Z");
    jr_format_timestamp(ms("0001-01-01T00:00:00Z") - 1, text);
    assert_string_equal(text, "0001-01-01T00:00:00.000Z");
}

static void test_timestamp_round_trips(void **state)
{
    (void)state;
    const int64_t first = ms("0001-01-01T00:00:00Z"), last = ms("9999-12-31T23:59:59.999Z");
    uint64_t random = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 200000; i++) {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        int64_t instant = first + (int64_t)(random % (uint64_t)(last - first + 1));
        if (i < 1000) instant = first + i * 86399999LL; /* the early centuries, day by day */
        char text[25];
        jr_format_timestamp(instant, text);
        assert_int_equal(strlen(text), 24);
        int64_t back;
        if (!jr_parse_timestamp(text, 24, &back) || back != instant)
            fail_msg("%lld formatted as %s read back as %lld", (long long)instant, text, (long long)back);
    }
    /* every day of a leap year and of the years around the epoch */
    for (int64_t day = ms("1968-01-01T00:00:00Z"); day < ms("1973-01-01T00:00:00Z"); day += 86400000) {
        char text[25];
        jr_format_timestamp(day + 86399999, text);
        assert_int_equal(ms(text), day + 86399999);
    }
}

/* ---- JSON Lines: the Segment shape ------------------------------------------------ */

static void test_track_with_properties(void **state)
{
    (void)state;
    jr_event event;
    jr_event_reader *reader = one_event(
        "{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"u-1\",\"messageId\":\"m-1\","
        "\"timestamp\":\"2024-03-01T10:00:00.250Z\",\"properties\":{\"order_id\":\"o-9\",\"revenue\":42.5,"
        "\"coupon\":\"SPRING\",\"paid\":true,\"shipped_at\":\"2024-03-02T08:00:00+01:00\",\"delivery\":90,"
        "\"undeclared\":{\"deep\":[1,2,3]}},\"context\":{\"ip\":\"203.0.113.7\"}}\n",
        &event);
    assert_int_equal(event.kind, JR_EVENT_TRACK);
    assert_int_equal(event.timestamp, ms("2024-03-01T10:00:00.250Z"));
    assert_text(event.contact_id, event.contact_id_length, "u-1");
    assert_false(event.anonymous);
    assert_text(event.message_id, event.message_id_length, "m-1");
    assert_int_equal(event.event_index, ORDER_COMPLETED);
    assert_int_equal(event.property_count, 6);
    assert_int_equal(event.trait_count, 0);
    assert_int_equal(event.type_mismatches, 0);
    assert_int_equal(event.line, 1);
    assert_string_value(property(&event, ORDER_ID), "o-9");
    assert_int_equal(property(&event, REVENUE)->type, JR_TYPE_NUMBER);
    assert_true(property(&event, REVENUE)->as.number == 42.5);
    assert_string_value(property(&event, COUPON), "SPRING");
    assert_int_equal(property(&event, PAID)->type, JR_TYPE_BOOL);
    assert_true(property(&event, PAID)->as.boolean);
    assert_int_equal(property(&event, SHIPPED_AT)->type, JR_TYPE_TIME);
    assert_int_equal(property(&event, SHIPPED_AT)->as.time, ms("2024-03-02T07:00:00Z"));
    assert_int_equal(property(&event, DELIVERY)->type, JR_TYPE_DURATION);
    assert_int_equal(property(&event, DELIVERY)->as.time, 90000); /* seconds to milliseconds */
    next_end(reader);
    jr_reader_close(reader);
}

static void test_members_in_any_order(void **state)
{
    (void)state;
    jr_event event;
    jr_event_reader *reader = one_event("{\"properties\":{\"plan\":\"pro\"},\"timestamp\":\"2024-03-01T10:00:00Z\","
                                        "\"anonymousId\":\"a-1\",\"event\":\"Signed Up\"}",
                                        &event);
    assert_int_equal(event.kind, JR_EVENT_TRACK); /* no type, an event: a track call */
    assert_int_equal(event.event_index, SIGNED_UP);
    assert_string_value(property(&event, PLAN), "pro");
    assert_text(event.contact_id, event.contact_id_length, "a-1");
    assert_true(event.anonymous);
    assert_int_equal(event.message_id_length, 0);
    assert_non_null(event.message_id);
    jr_reader_close(reader);
}

static void test_contact_ids(void **state)
{
    (void)state;
    jr_event event;
    jr_event_reader *reader = open_jsonl(
        "{\"type\":\"identify\",\"userId\":12345,\"timestamp\":\"2024-03-01T10:00:00Z\"}\n"
        "{\"type\":\"identify\",\"userId\":-42,\"timestamp\":\"2024-03-01T10:00:00Z\"}\n"
        "{\"type\":\"identify\",\"userId\":18446744073709551615,\"timestamp\":\"2024-03-01T10:00:00Z\"}\n"
        "{\"type\":\"identify\",\"userId\":null,\"anonymousId\":\"anon\",\"timestamp\":\"2024-03-01T10:00:00Z\"}\n"
        "{\"type\":\"identify\",\"userId\":\"\",\"anonymousId\":7,\"timestamp\":\"2024-03-01T10:00:00Z\"}\n"
        "{\"type\":\"identify\",\"userId\":\"u\",\"anonymousId\":\"a\",\"timestamp\":\"2024-03-01T10:00:00Z\","
        "\"messageId\":99}\n"
        "{\"type\":\"identify\",\"userId\":1.5,\"timestamp\":\"2024-03-01T10:00:00Z\"}\n"
        "{\"type\":\"identify\",\"userId\":true,\"timestamp\":\"2024-03-01T10:00:00Z\"}\n"
        "{\"type\":\"identify\",\"anonymousId\":{},\"timestamp\":\"2024-03-01T10:00:00Z\"}\n"
        "{\"type\":\"identify\",\"userId\":\"\",\"timestamp\":\"2024-03-01T10:00:00Z\"}\n"
        "{\"type\":\"identify\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"messageId\":[]}\n"
        "{\"type\":\"identify\",\"userId\":\"u\\u0000v\",\"timestamp\":\"2024-03-01T10:00:00Z\"}\n");
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "12345");
    assert_false(event.anonymous);
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "-42");
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "18446744073709551615");
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "anon");
    assert_true(event.anonymous);
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "7");
    assert_true(event.anonymous);
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "u");
    assert_false(event.anonymous);
    assert_text(event.message_id, event.message_id_length, "99");
    next_bad(reader, 7, "\"userId\" is a number but not an integer");
    next_bad(reader, 8, "\"userId\" is neither a string nor a number");
    next_bad(reader, 9, "\"anonymousId\" is neither a string nor a number");
    next_bad(reader, 10, "no userId or anonymousId");
    next_bad(reader, 11, "\"messageId\" is neither a string nor a number");
    next_event(reader, &event); /* \u0000: a NUL byte inside the id, kept with its length */
    assert_int_equal(event.contact_id_length, 3);
    assert_memory_equal(event.contact_id, "u\0v", 3);
    next_end(reader);
    jr_reader_close(reader);
}

static void test_undeclared_event(void **state)
{
    (void)state;
    jr_event event;
    jr_event_reader *reader = one_event("{\"type\":\"track\",\"event\":\"Cart Viewed\",\"userId\":\"u\","
                                        "\"timestamp\":\"2024-03-01T10:00:00Z\",\"properties\":{\"revenue\":\"x\"}}",
                                        &event);
    assert_int_equal(event.event_index, -1);
    assert_int_equal(event.property_count, 0);
    assert_int_equal(event.type_mismatches, 0); /* not decoded at all */
    jr_reader_close(reader);

    /* event names match exactly */
    reader = one_event("{\"event\":\"order completed\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\"}", &event);
    assert_int_equal(event.event_index, -1);
    jr_reader_close(reader);
    reader = one_event("{\"event\":\"Order Completed \",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\"}", &event);
    assert_int_equal(event.event_index, -1);
    jr_reader_close(reader);
}

static void test_wrong_types_are_left_out(void **state)
{
    (void)state;
    jr_event event;
    jr_event_reader *reader = one_event(
        "{\"event\":\"Order Completed\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"properties\":{"
        "\"order_id\":1234,\"revenue\":\"twelve\",\"coupon\":null,\"paid\":\"true\",\"shipped_at\":\"yesterday\","
        "\"delivery\":[]}}",
        &event);
    assert_int_equal(event.property_count, 0);
    assert_int_equal(event.type_mismatches, 5); /* null is no mismatch: it is absent */
    jr_reader_close(reader);

    reader = one_event(
        "{\"event\":\"Order Completed\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"properties\":{"
        "\"revenue\":\"12.50\",\"order_id\":{},\"paid\":1,\"shipped_at\":1709287200000,\"delivery\":\"1.5\"}}",
        &event);
    assert_int_equal(event.property_count, 2);
    assert_true(property(&event, REVENUE)->as.number == 12.5); /* Segment sends numbers as strings */
    assert_int_equal(property(&event, DELIVERY)->as.time, 1500);
    assert_int_equal(event.type_mismatches, 3);
    jr_reader_close(reader);

    /* numbers in strings: the JSON grammar, correctly rounded; no hex, inf or nan */
    static const struct {
        const char *text;
        bool ok;
        double value;
    } numbers[] = {
        { "\"0.1\"", true, 0.1 },       { "\"-3\"", true, -3 },        { "\"1e3\"", true, 1000 },
        { "\"2.5E-1\"", true, 0.25 },   { "\" 7 \"", true, 7 },        { "\"007\"", true, 7 },
        { "\"1e-400\"", true, 0 },      { "\"1e400\"", false, 0 },     { "\"inf\"", false, 0 },
        { "\"nan\"", false, 0 },        { "\"0x10\"", false, 0 },      { "\"1.\"", false, 0 },
        { "\".5\"", false, 0 },         { "\"+1\"", false, 0 },        { "\"1,5\"", false, 0 },
        { "\"\"", false, 0 },           { "\"12abc\"", false, 0 },     { "123456789012345678901", true, 1.2345678901234568e20 },
        { "1.7976931348623157e308", true, 1.7976931348623157e308 },
    };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        char line[256];
        snprintf(line, sizeof line,
                 "{\"event\":\"Order Completed\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\","
                 "\"properties\":{\"revenue\":%s}}",
                 numbers[i].text);
        jr_event_reader *r = open_jsonl(line);
        jr_read_error error;
        jr_read_status status = jr_reader_next(r, &event, &error);
        if (status == JR_READ_BAD_LINE) {
            /* 21 digits: beyond simdjson 3.0's 64-bit integers, the line is refused */
            assert_string_equal(numbers[i].text, "123456789012345678901");
            assert_non_null(strstr(error.message, "64-bit"));
        } else {
            assert_int_equal(status, JR_READ_EVENT);
            if (numbers[i].ok) {
                if (event.property_count != 1 || property(&event, REVENUE)->as.number != numbers[i].value)
                    fail_msg("%s did not read as %g", numbers[i].text, numbers[i].value);
            } else if (event.property_count != 0 || event.type_mismatches != 1) {
                fail_msg("%s was taken for a number", numbers[i].text);
            }
        }
        jr_reader_close(r);
    }
}

static void test_duplicate_members(void **state)
{
    (void)state;
    jr_event event;
    /* inside properties, the last value wins, as in JavaScript */
    jr_event_reader *reader = one_event(
        "{\"event\":\"Order Completed\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"properties\":{"
        "\"coupon\":\"A\",\"revenue\":1,\"coupon\":\"B\",\"revenue\":null,\"order_id\":\"o\",\"paid\":true,\"paid\":3}}",
        &event);
    assert_int_equal(event.property_count, 2);
    assert_string_value(property(&event, COUPON), "B");
    assert_string_value(property(&event, ORDER_ID), "o");
    assert_null(property(&event, REVENUE));
    assert_null(property(&event, PAID));
    assert_int_equal(event.type_mismatches, 1);
    jr_reader_close(reader);

    /* a repeated top-level member the reader looks at makes the line ambiguous */
    one_bad("{\"event\":\"Signed Up\",\"userId\":\"u\",\"userId\":\"v\",\"timestamp\":\"2024-03-01T10:00:00Z\"}",
            "duplicate key \"userId\"");
    one_bad("{\"event\":\"Signed Up\",\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\"}",
            "duplicate key \"event\"");
    /* ... but not one it skips */
    reader = one_event("{\"event\":\"Signed Up\",\"context\":1,\"context\":2,\"userId\":\"u\","
                       "\"timestamp\":\"2024-03-01T10:00:00Z\"}",
                       &event);
    jr_reader_close(reader);
}

static void test_identify_traits(void **state)
{
    (void)state;
    jr_event event;
    jr_event_reader *reader = open_jsonl(
        "{\"type\":\"identify\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"traits\":{"
        "\"email\":\"ann@example.com\",\"age\":\"41\",\"vip\":false,\"first_seen\":\"2020-01-01T00:00:00Z\","
        "\"plan\":\"pro\",\"address\":{\"city\":\"Lyon\"}},\"context\":{\"traits\":{\"email\":\"not@this.one\"}}}\n"
        "{\"type\":\"identify\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"traits\":{\"age\":true,"
        "\"email\":null,\"vip\":true,\"vip\":null}}\n"
        "{\"type\":\"identify\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"traits\":null}\n"
        "{\"type\":\"identify\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"traits\":[1]}\n"
        "{\"type\":\"track\",\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\","
        "\"traits\":{\"email\":\"x@y\"},\"context\":{\"traits\":{\"email\":\"x@y\"}}}\n");
    next_event(reader, &event);
    assert_int_equal(event.kind, JR_EVENT_IDENTIFY);
    assert_int_equal(event.event_index, -1);
    assert_int_equal(event.property_count, 0);
    assert_int_equal(event.trait_count, 4);
    assert_string_value(trait(&event, EMAIL), "ann@example.com");
    assert_true(trait(&event, AGE)->as.number == 41);
    assert_false(trait(&event, VIP)->as.boolean);
    assert_int_equal(trait(&event, FIRST_SEEN)->as.time, ms("2020-01-01T00:00:00Z"));
    next_event(reader, &event);
    /* a null trait is kept: it unsets its attribute; a later null replaces a value */
    assert_int_equal(event.trait_count, 2);
    assert_int_equal(trait(&event, EMAIL)->type, JR_TYPE_NULL);
    assert_int_equal(trait(&event, VIP)->type, JR_TYPE_NULL);
    assert_null(trait(&event, AGE));
    assert_int_equal(event.type_mismatches, 1);
    next_event(reader, &event);
    assert_int_equal(event.trait_count, 0);
    next_bad(reader, 4, "\"traits\" is not an object");
    next_event(reader, &event); /* traits belong to identify calls only */
    assert_int_equal(event.kind, JR_EVENT_TRACK);
    assert_int_equal(event.trait_count, 0);
    assert_int_equal(event.property_count, 0);
    next_end(reader);
    jr_reader_close(reader);
}

static void test_page_calls(void **state)
{
    (void)state;
    jr_event event;
    jr_event_reader *reader = open_jsonl(
        "{\"type\":\"page\",\"anonymousId\":\"a\",\"name\":\"Pricing\",\"timestamp\":\"2024-03-01T10:00:00Z\","
        "\"properties\":{\"path\":\"/pricing\",\"url\":\"https://example.com/pricing\"}}\n"
        "{\"type\":\"page\",\"anonymousId\":\"a\",\"name\":\"Top\",\"timestamp\":\"2024-03-01T10:00:00Z\","
        "\"properties\":{\"name\":\"Inner\"}}\n"
        "{\"type\":\"page\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"event\":\"Order Completed\"}\n"
        "{\"type\":\"page\",\"userId\":\"u\",\"name\":5,\"timestamp\":\"2024-03-01T10:00:00Z\"}\n");
    next_event(reader, &event);
    assert_int_equal(event.kind, JR_EVENT_PAGE);
    assert_int_equal(event.event_index, PAGE_VIEWED);
    assert_int_equal(event.property_count, 2);
    assert_string_value(property(&event, PATH), "/pricing");
    assert_string_value(property(&event, NAME), "Pricing"); /* the page's name, as a property */
    next_event(reader, &event);
    assert_string_value(property(&event, NAME), "Inner"); /* properties.name comes first */
    next_event(reader, &event);
    assert_int_equal(event.event_index, PAGE_VIEWED); /* "event" means nothing to a page call */
    assert_int_equal(event.property_count, 0);
    next_event(reader, &event);
    assert_int_equal(event.property_count, 0);
    assert_int_equal(event.type_mismatches, 1);
    next_end(reader);
    jr_reader_close(reader);

    /* a program that declares no "Page Viewed" */
    reader = open_text(&schema_without_page,
                       "{\"type\":\"page\",\"userId\":\"u\",\"name\":\"P\",\"timestamp\":\"2024-03-01T10:00:00Z\"}",
                       JR_LOG_JSONL);
    next_event(reader, &event);
    assert_int_equal(event.kind, JR_EVENT_PAGE);
    assert_int_equal(event.event_index, -1);
    assert_int_equal(event.property_count, 0);
    jr_reader_close(reader);
}

static void test_timestamp_fallbacks(void **state)
{
    (void)state;
    jr_event event;
    jr_event_reader *reader = open_jsonl(
        "{\"event\":\"Signed Up\",\"userId\":\"u\",\"originalTimestamp\":\"2024-03-01T10:00:01Z\","
        "\"sentAt\":\"2024-03-01T10:00:02Z\",\"receivedAt\":\"2024-03-01T10:00:03Z\"}\n"
        "{\"event\":\"Signed Up\",\"userId\":\"u\",\"sentAt\":\"2024-03-01T10:00:02Z\","
        "\"receivedAt\":\"2024-03-01T10:00:03Z\"}\n"
        "{\"event\":\"Signed Up\",\"userId\":\"u\",\"receivedAt\":\"2024-03-01T10:00:03+00:00\",\"timestamp\":null}\n"
        "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\","
        "\"receivedAt\":\"2024-03-01T10:00:03Z\"}\n"
        "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-02-30T10:00:00Z\","
        "\"receivedAt\":\"2024-03-01T10:00:03Z\"}\n"
        "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":1709287200000}\n"
        "{\"event\":\"Signed Up\",\"userId\":\"u\"}\n"
        "{\"event\":\"Signed Up\",\"userId\":\"u\",\"sentAt\":\"soon\"}\n");
    next_event(reader, &event);
    assert_int_equal(event.timestamp, ms("2024-03-01T10:00:01Z"));
    next_event(reader, &event);
    assert_int_equal(event.timestamp, ms("2024-03-01T10:00:02Z"));
    next_event(reader, &event);
    assert_int_equal(event.timestamp, ms("2024-03-01T10:00:03Z"));
    next_event(reader, &event);
    assert_int_equal(event.timestamp, ms("2024-03-01T10:00:00Z"));
    /* a bad timestamp is not replaced by a later fallback */
    next_bad(reader, 5, "\"timestamp\" is not an ISO-8601 timestamp: \"2024-02-30T10:00:00Z\"");
    next_bad(reader, 6, "\"timestamp\" is not a string");
    next_bad(reader, 7, "no timestamp");
    next_bad(reader, 8, "\"sentAt\" is not an ISO-8601 timestamp: \"soon\"");
    next_end(reader);
    jr_reader_close(reader);
}

/* Every kind of bad line, each followed by a good one that must still be read. */
static void test_bad_lines_and_reading_on(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        const char *message;
    } cases[] = {
        { "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\"", "invalid JSON" },
        { "{\"event\":\"Signed Up\",\"userId\":\"u,\"timestamp\":\"2024-03-01T10:00:00Z\"}", "invalid JSON" },
        { "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\"}}", "invalid JSON" },
        { "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\"} {}", "invalid JSON" },
        { "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",}", "invalid JSON" },
        { "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"x\":tru}",
          "bad literal (expected true)" },
        { "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"x\":01}", "number" },
        { "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"x\":\"\\q\"}",
          "bad escape sequence" },
        { "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"x\":\"\\ud800\"}",
          "bad escape sequence" },
        { "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"x\":\"a\tb\"}",
          "not escaped" },
        { "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"x\":\"\xC3\x28\"}",
          "invalid UTF-8" },
        { "{\"event\":\"Signed Up\",\"userId\":\"\xFF\",\"timestamp\":\"2024-03-01T10:00:00Z\"}", "invalid UTF-8" },
        { "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"context\":{\"a\" 1}}",
          "invalid JSON" },
        { "[1,2,3]", "not a JSON object" },
        { "\"track\"", "not a JSON object" },
        { "42", "not a JSON object" },
        { "null", "not a JSON object" },
        { "hello", "invalid JSON" },
        { "{\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\"}", "no \"type\" and no \"event\"" },
        { "{\"type\":\"track\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\"}", "track call without \"event\"" },
        { "{\"type\":\"track\",\"event\":null,\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\"}",
          "track call without \"event\"" },
        { "{\"type\":\"track\",\"event\":7,\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\"}",
          "\"event\" is not a string" },
        { "{\"type\":\"screen\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\"}",
          "unknown type \"screen\" (expected track, identify or page)" },
        { "{\"type\":\"Track\",\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\"}",
          "unknown type \"Track\"" },
        { "{\"type\":[],\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\"}",
          "\"type\" is not a string" },
        { "{\"event\":\"Signed Up\",\"timestamp\":\"2024-03-01T10:00:00Z\"}", "no userId or anonymousId" },
        { "{\"event\":\"Signed Up\",\"userId\":\"u\"}", "no timestamp" },
        { "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01\"}", "not an ISO-8601 timestamp" },
        { "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"properties\":\"x\"}",
          "\"properties\" is not an object" },
    };
    size_t count = sizeof cases / sizeof cases[0];
    size_t size = 0;
    for (size_t i = 0; i < count; i++) size += strlen(cases[i].line) + 100;
    char *text = malloc(size);
    assert_non_null(text);
    char *at = text;
    for (size_t i = 0; i < count; i++)
        at += sprintf(at, "%s\n{\"event\":\"Signed Up\",\"userId\":\"good-%zu\",\"timestamp\":\"2024-03-01T10:00:00Z\"}\n",
                      cases[i].line, i);
    jr_event_reader *reader = open_jsonl(text);
    for (size_t i = 0; i < count; i++) {
        next_bad(reader, 2 * i + 1, cases[i].message);
        jr_event event;
        next_event(reader, &event);
        char expected[32];
        snprintf(expected, sizeof expected, "good-%zu", i);
        assert_text(event.contact_id, event.contact_id_length, expected);
        assert_int_equal(event.line, 2 * i + 2);
    }
    next_end(reader);
    next_end(reader); /* and it stays at the end */
    jr_reader_close(reader);
    free(text);
}

static void test_nul_bytes_and_invalid_utf8(void **state)
{
    (void)state;
    /* A raw NUL byte inside a string is an unescaped control character; invalid UTF-8
     * in a string makes the whole line bad. The next line is still read. */
    static const char text[] =
        "{\"event\":\"Signed Up\",\"userId\":\"u\0v\",\"timestamp\":\"2024-03-01T10:00:00Z\"}\n"
        "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"properties\":{\"plan\":\"\xE2\x82\"}}\n"
        "\0\0\0\n"
        "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"properties\":{\"plan\":\"caf\xC3\xA9 \\u00e9\"}}\n"
        "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"properties\":{\"plan\":\"\xED\xA0\x80\"}}\n"
        "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"properties\":{\"plan\":\"\xF4\x90\x80\x80\"}}\n"
        "{\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"properties\":{\"plan\":\"\xC0\xAF\"}}\n";
    jr_read_error error;
    jr_event_reader *reader = jr_reader_open_memory(&test_schema, text, sizeof text - 1, JR_LOG_JSONL, &error);
    assert_non_null(reader);
    next_bad(reader, 1, "not escaped");
    next_bad(reader, 2, "invalid UTF-8");
    next_bad(reader, 3, "invalid JSON");
    jr_event event;
    next_event(reader, &event);
    assert_string_value(property(&event, PLAN), "caf\xC3\xA9 \xC3\xA9");
    next_bad(reader, 5, "invalid UTF-8"); /* a surrogate */
    next_bad(reader, 6, "invalid UTF-8"); /* above U+10FFFF */
    next_bad(reader, 7, "invalid UTF-8"); /* overlong */
    next_end(reader);
    jr_reader_close(reader);
}

static void test_blank_lines_crlf_and_bom(void **state)
{
    (void)state;
    jr_event event;
    jr_event_reader *reader = open_jsonl(
        "\xEF\xBB\xBF{\"event\":\"Signed Up\",\"userId\":\"u1\",\"timestamp\":\"2024-03-01T10:00:00Z\"}\r\n"
        "\r\n"
        "   \t \n"
        "\n"
        "{\"event\":\"Signed Up\",\"userId\":\"u2\",\"timestamp\":\"2024-03-01T10:00:00Z\"}\r\n"
        "{\"event\":\"Signed Up\",\"userId\":\"u3\",\"timestamp\":\"2024-03-01T10:00:00Z\"}");
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "u1");
    assert_int_equal(event.line, 1);
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "u2");
    assert_int_equal(event.line, 5);
    next_event(reader, &event); /* the last line has no newline */
    assert_text(event.contact_id, event.contact_id_length, "u3");
    assert_int_equal(event.line, 6);
    next_end(reader);
    assert_int_equal(jr_reader_position(reader), jr_reader_size(reader));
    jr_reader_close(reader);

    reader = open_jsonl("");
    next_end(reader);
    jr_reader_close(reader);
    reader = open_jsonl("\n\n  \n\r\n");
    next_end(reader);
    jr_reader_close(reader);
    reader = open_jsonl("\xEF\xBB\xBF");
    next_end(reader);
    jr_reader_close(reader);
    jr_read_error error;
    reader = jr_reader_open_memory(&test_schema, NULL, 0, JR_LOG_AUTO, &error);
    assert_non_null(reader);
    next_end(reader);
    jr_reader_close(reader);
}

/* A line of exactly length bytes: a JSON object padded with a long property. */
static char *line_of_length(size_t length, const char *user)
{
    static const char head[] = "{\"event\":\"Signed Up\",\"userId\":\"";
    static const char middle[] = "\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"properties\":{\"plan\":\"";
    static const char tail[] = "\"}}";
    size_t fixed = strlen(head) + strlen(user) + strlen(middle) + strlen(tail);
    char *line = malloc(length + 1);
    assert_non_null(line);
    char *at = line;
    at += sprintf(at, "%s%s%s", head, user, middle);
    memset(at, 'x', length - fixed);
    at += length - fixed;
    strcpy(at, tail);
    assert_int_equal(strlen(line), length);
    return line;
}

static void test_very_long_lines(void **state)
{
    (void)state;
    const size_t limit = 4 * 1024 * 1024;
    char *longest = line_of_length(limit, "longest");
    char *too_long = line_of_length(limit + 1, "too-long");
    char *much_too_long = line_of_length(3 * limit, "much-too-long");
    size_t size = strlen(longest) + 2 * strlen(too_long) + strlen(much_too_long) + 1000;
    char *text = malloc(size);
    assert_non_null(text);
    snprintf(text, size,
             "%s\n%s\r\n{\"event\":\"Signed Up\",\"userId\":\"after\",\"timestamp\":\"2024-03-01T10:00:00Z\"}\n%s\n"
             "{\"event\":\"Signed Up\",\"userId\":\"last\",\"timestamp\":\"2024-03-01T10:00:00Z\"}\n%s",
             longest, too_long, much_too_long, too_long);
    jr_event event;
    jr_event_reader *reader = open_jsonl(text);
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "longest");
    assert_int_equal(property(&event, PLAN)->as.string.length, strspn(strchr(longest, 'x'), "x"));
    next_bad(reader, 2, "line longer than 4 MiB (4194304 bytes)");
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "after");
    assert_int_equal(event.line, 3);
    next_bad(reader, 4, "line longer than 4 MiB");
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "last");
    assert_int_equal(event.line, 5);
    next_bad(reader, 6, "line longer than 4 MiB"); /* the last line, with no newline */
    next_end(reader);
    jr_reader_close(reader);

    /* the same through a file, read in chunks */
    write_file(temp_path("long.jsonl"), text, strlen(text));
    jr_read_error error;
    reader = jr_reader_open(&test_schema, temp_path("long.jsonl"), JR_LOG_AUTO, &error);
    assert_non_null(reader);
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "longest");
    next_bad(reader, 2, "longer than 4 MiB");
    next_event(reader, &event);
    next_bad(reader, 4, "longer than 4 MiB");
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "last");
    next_bad(reader, 6, "longer than 4 MiB");
    next_end(reader);
    assert_int_equal(jr_reader_position(reader), strlen(text));
    jr_reader_close(reader);
    free(text);
    free(longest);
    free(too_long);
    free(much_too_long);
}

static void test_many_lines_across_buffers(void **state)
{
    (void)state;
    /* Enough lines to cross many buffer refills, through a file and from memory. */
    const int lines = 30000;
    size_t size = (size_t)lines * 160;
    char *text = malloc(size);
    assert_non_null(text);
    char *at = text;
    for (int i = 0; i < lines; i++)
        at += sprintf(at, "{\"event\":\"Order Completed\",\"userId\":\"user-%d\",\"timestamp\":\"2024-03-01T10:00:%02dZ\","
                          "\"properties\":{\"revenue\":%d}}\n",
                      i, i % 60, i);
    write_file(temp_path("many.ndjson"), text, (size_t)(at - text));
    for (int from_file = 0; from_file < 2; from_file++) {
        jr_read_error error;
        jr_event_reader *reader = from_file ? jr_reader_open(&test_schema, temp_path("many.ndjson"), JR_LOG_AUTO, &error)
                                            : jr_reader_open_memory(&test_schema, text, (size_t)(at - text), JR_LOG_AUTO, &error);
        assert_non_null(reader);
        assert_int_equal(jr_reader_size(reader), (uint64_t)(at - text));
        uint64_t last_position = 0;
        for (int i = 0; i < lines; i++) {
            jr_event event;
            next_event(reader, &event);
            char expected[32];
            snprintf(expected, sizeof expected, "user-%d", i);
            assert_text(event.contact_id, event.contact_id_length, expected);
            assert_true(property(&event, REVENUE)->as.number == i);
            assert_int_equal(event.line, (uint64_t)i + 1);
            assert_true(jr_reader_position(reader) >= last_position);
            last_position = jr_reader_position(reader);
        }
        next_end(reader);
        assert_int_equal(jr_reader_position(reader), (uint64_t)(at - text));
        jr_reader_close(reader);
    }
    free(text);
}

/* ---- gzip ----------------------------------------------------------------------- */

static const char gzip_text[] =
    "{\"event\":\"Signed Up\",\"userId\":\"g1\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"properties\":{\"plan\":\"a\"}}\n"
    "{\"event\":\"Signed Up\",\"userId\":\"g2\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"properties\":{\"plan\":\"b\"}}\n";

static void expect_gzip_events(jr_event_reader *reader, const char *first, const char *second)
{
    jr_event event;
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, first);
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, second);
}

static void test_gzip_files(void **state)
{
    (void)state;
    jr_read_error error;
    write_gzip(temp_path("events.jsonl.gz"), "wb", gzip_text);
    jr_event_reader *reader = jr_reader_open(&test_schema, temp_path("events.jsonl.gz"), JR_LOG_AUTO, &error);
    assert_non_null(reader);
    expect_gzip_events(reader, "g1", "g2");
    next_end(reader);
    struct stat file_status;
    assert_int_equal(stat(temp_path("events.jsonl.gz"), &file_status), 0);
    assert_int_equal(jr_reader_size(reader), (uint64_t)file_status.st_size);
    assert_int_equal(jr_reader_position(reader), (uint64_t)file_status.st_size);
    jr_reader_close(reader);

    /* detected by its magic bytes, whatever the name */
    write_gzip(temp_path("events.txt"), "wb9", gzip_text);
    reader = jr_reader_open(&test_schema, temp_path("events.txt"), JR_LOG_AUTO, &error);
    assert_non_null(reader);
    expect_gzip_events(reader, "g1", "g2");
    next_end(reader);
    jr_reader_close(reader);

    /* two members one after the other, as `cat a.gz b.gz` makes */
    size_t first_length;
    char *first = read_file(temp_path("events.jsonl.gz"), &first_length);
    write_gzip(temp_path("other.gz"), "wb1",
               "{\"event\":\"Signed Up\",\"userId\":\"g3\",\"timestamp\":\"2024-03-01T10:00:00Z\"}");
    size_t second_length;
    char *second = read_file(temp_path("other.gz"), &second_length);
    char *both = malloc(first_length + second_length);
    memcpy(both, first, first_length);
    memcpy(both + first_length, second, second_length);
    write_file(temp_path("both.jsonl.gz"), both, first_length + second_length);
    reader = jr_reader_open(&test_schema, temp_path("both.jsonl.gz"), JR_LOG_AUTO, &error);
    assert_non_null(reader);
    expect_gzip_events(reader, "g1", "g2");
    jr_event event;
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "g3");
    next_end(reader);
    jr_reader_close(reader);

    /* from memory too */
    reader = jr_reader_open_memory(&test_schema, both, first_length + second_length, JR_LOG_AUTO, &error);
    assert_non_null(reader);
    expect_gzip_events(reader, "g1", "g2");
    next_event(reader, &event);
    next_end(reader);
    jr_reader_close(reader);

    /* truncated: what was there is read, then the error */
    write_file(temp_path("cut.jsonl.gz"), both, first_length + second_length - 12);
    reader = jr_reader_open(&test_schema, temp_path("cut.jsonl.gz"), JR_LOG_AUTO, &error);
    assert_non_null(reader);
    expect_gzip_events(reader, "g1", "g2");
    jr_read_status status;
    while ((status = jr_reader_next(reader, &event, &error)) == JR_READ_EVENT || status == JR_READ_BAD_LINE) {
    }
    assert_int_equal(status, JR_READ_IO_ERROR);
    assert_non_null(strstr(error.message, "truncated gzip data"));
    next_end(reader);
    jr_reader_close(reader);

    /* corrupt: a flipped byte in the deflate data */
    char *corrupt = malloc(first_length);
    memcpy(corrupt, first, first_length);
    corrupt[12] = (char)~corrupt[12];
    corrupt[13] = (char)~corrupt[13];
    write_file(temp_path("corrupt.jsonl.gz"), corrupt, first_length);
    reader = jr_reader_open(&test_schema, temp_path("corrupt.jsonl.gz"), JR_LOG_AUTO, &error);
    if (reader) {
        while ((status = jr_reader_next(reader, &event, &error)) == JR_READ_EVENT || status == JR_READ_BAD_LINE) {
        }
        assert_int_equal(status, JR_READ_IO_ERROR);
        assert_non_null(strstr(error.message, "gzip"));
        jr_reader_close(reader);
    }

    /* garbage after the last member */
    memcpy(both + first_length, "not gzip at all", 15);
    write_file(temp_path("trailing.jsonl.gz"), both, first_length + 15);
    reader = jr_reader_open(&test_schema, temp_path("trailing.jsonl.gz"), JR_LOG_AUTO, &error);
    assert_non_null(reader);
    expect_gzip_events(reader, "g1", "g2");
    status = jr_reader_next(reader, &event, &error);
    assert_int_equal(status, JR_READ_IO_ERROR);
    assert_non_null(strstr(error.message, "corrupt gzip data"));
    jr_reader_close(reader);

    /* a gzip-compressed CSV */
    write_gzip(temp_path("events.csv.gz"), "wb",
               "type,event,userId,timestamp,plan\ntrack,Signed Up,c1,2024-03-01T10:00:00Z,pro\n");
    reader = jr_reader_open(&test_schema, temp_path("events.csv.gz"), JR_LOG_AUTO, &error);
    assert_non_null(reader);
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "c1");
    assert_string_value(property(&event, PLAN), "pro");
    next_end(reader);
    jr_reader_close(reader);

    free(first);
    free(second);
    free(both);
    free(corrupt);
}

static void test_large_gzip_streams(void **state)
{
    (void)state;
    /* Larger than every buffer, compressed well, so inflate fills many of them. */
    const int lines = 50000;
    gzFile out = gzopen(temp_path("large.jsonl.gz"), "wb");
    assert_non_null(out);
    for (int i = 0; i < lines; i++)
        gzprintf(out, "{\"event\":\"Signed Up\",\"userId\":\"u%d\",\"timestamp\":\"2024-03-01T10:00:00Z\",\"context\":\"%0300d\"}\n",
                 i, 0);
    assert_int_equal(gzclose(out), Z_OK);
    jr_read_error error;
    jr_event_reader *reader = jr_reader_open(&test_schema, temp_path("large.jsonl.gz"), JR_LOG_AUTO, &error);
    assert_non_null(reader);
    for (int i = 0; i < lines; i++) {
        jr_event event;
        next_event(reader, &event);
        char expected[16];
        snprintf(expected, sizeof expected, "u%d", i);
        assert_text(event.contact_id, event.contact_id_length, expected);
    }
    next_end(reader);
    assert_int_equal(jr_reader_position(reader), jr_reader_size(reader));
    jr_reader_close(reader);
}

/* ---- CSV ------------------------------------------------------------------------ */

static void test_csv_basics(void **state)
{
    (void)state;
    jr_event event;
    jr_event_reader *reader = open_csv(
        "type,event,userId,anonymousId,timestamp,messageId,properties.revenue,order_id,paid,shipped_at,traits.email,"
        "traits.age,traits.unknown,delivery\r\n"
        "track,Order Completed,u1,,2024-03-01T10:00:00Z,m1,12.50,o-1,true,2024-03-02T00:00:00+02:00,,,,60\r\n"
        ",Order Completed,,a2,2024-03-01T10:00:00-08:00,,,,FALSE,,x@y,30,zz,\r\n"
        "identify,,u3,,2024-03-01T10:00:00Z,,99,,,,ann@example.com, 41 ,zz,\r\n"
        "page,,u4,,2024-03-01T10:00:00Z,,,,,,,,,\r\n"
        "track,Order Completed,u5,,2024-03-01T10:00:00Z,,lots,o-5,maybe,soon,,,,\r\n");
    next_event(reader, &event);
    assert_int_equal(event.kind, JR_EVENT_TRACK);
    assert_int_equal(event.line, 2);
    assert_text(event.contact_id, event.contact_id_length, "u1");
    assert_false(event.anonymous);
    assert_text(event.message_id, event.message_id_length, "m1");
    assert_int_equal(event.event_index, ORDER_COMPLETED);
    assert_int_equal(event.property_count, 5);
    assert_true(property(&event, REVENUE)->as.number == 12.5);
    assert_string_value(property(&event, ORDER_ID), "o-1");
    assert_true(property(&event, PAID)->as.boolean);
    assert_int_equal(property(&event, SHIPPED_AT)->as.time, ms("2024-03-01T22:00:00Z"));
    assert_int_equal(property(&event, DELIVERY)->as.time, 60000);
    assert_int_equal(event.trait_count, 0); /* traits belong to identify calls */

    next_event(reader, &event); /* an empty type is a track call; empty cells are missing */
    assert_int_equal(event.kind, JR_EVENT_TRACK);
    assert_text(event.contact_id, event.contact_id_length, "a2");
    assert_true(event.anonymous);
    assert_int_equal(event.message_id_length, 0);
    assert_int_equal(event.timestamp, ms("2024-03-01T18:00:00Z"));
    assert_int_equal(event.property_count, 1);
    assert_false(property(&event, PAID)->as.boolean);

    next_event(reader, &event);
    assert_int_equal(event.kind, JR_EVENT_IDENTIFY);
    assert_int_equal(event.event_index, -1);
    assert_int_equal(event.property_count, 0);
    assert_int_equal(event.trait_count, 2);
    assert_string_value(trait(&event, EMAIL), "ann@example.com");
    assert_true(trait(&event, AGE)->as.number == 41);

    next_event(reader, &event);
    assert_int_equal(event.kind, JR_EVENT_PAGE);
    assert_int_equal(event.event_index, PAGE_VIEWED);

    next_event(reader, &event);
    assert_int_equal(event.property_count, 1);
    assert_int_equal(event.type_mismatches, 3);
    next_end(reader);
    jr_reader_close(reader);
}

static void test_csv_quoting(void **state)
{
    (void)state;
    jr_event event;
    jr_event_reader *reader = open_csv("event,\"userId\",timestamp,coupon,order_id\n"
                                       "Order Completed,u1,2024-03-01T10:00:00Z,\"a,b\",\"say \"\"hi\"\"\"\n"
                                       "Order Completed,u2,2024-03-01T10:00:00Z,\"two\nlines\",\"\"\n"
                                       "Order Completed,u3,2024-03-01T10:00:00Z,\"crlf\r\ninside\",x\r\n"
                                       "\"Order Completed\",\"u4\",\"2024-03-01T10:00:00Z\",\"\",\"\"\"\"");
    next_event(reader, &event);
    assert_string_value(property(&event, COUPON), "a,b");
    assert_string_value(property(&event, ORDER_ID), "say \"hi\"");
    assert_int_equal(event.line, 2);
    next_event(reader, &event);
    assert_string_value(property(&event, COUPON), "two\nlines");
    assert_null(property(&event, ORDER_ID)); /* "" is an empty cell: missing */
    assert_int_equal(event.line, 3);
    next_event(reader, &event);
    assert_string_value(property(&event, COUPON), "crlf\r\ninside");
    assert_string_value(property(&event, ORDER_ID), "x");
    assert_int_equal(event.line, 5);
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "u4");
    assert_string_value(property(&event, ORDER_ID), "\"");
    assert_int_equal(event.line, 7);
    next_end(reader);
    jr_reader_close(reader);
}

static void test_csv_bad_records(void **state)
{
    (void)state;
    static const char text[] = "type,event,userId,timestamp,coupon\n"
                                       "track,Order Completed,u1,2024-03-01T10:00:00Z\n"
                                       "track,Order Completed,u2,2024-03-01T10:00:00Z,a,b\n"
                                       "track,Order Completed,u3,2024-03-01T10:00:00Z,5\" screen\n"
                                       "track,Order Completed,u4,2024-03-01T10:00:00Z,\"quoted\"junk\n"
                                       "screen,Order Completed,u5,2024-03-01T10:00:00Z,\n"
                                       "track,Order Completed,,2024-03-01T10:00:00Z,\n"
                                       "track,Order Completed,u7,,\n"
                                       "track,Order Completed,u8,03/01/2024,\n"
                                       "track,,u9,2024-03-01T10:00:00Z,\n"
                                       "track,Order Completed,\xFF,2024-03-01T10:00:00Z,\n"
                                       "track,Order Completed,u\0z,2024-03-01T10:00:00Z,\n"
                                       "\n"
                                       "track,Order Completed,ok,2024-03-01T10:00:00Z,\n"
                                       "track,Order Completed,u14,2024-03-01T10:00:00Z,\"never closed\n"
                                       "track,Order Completed,u15,2024-03-01T10:00:00Z,after\n";
    jr_read_error error;
    jr_event_reader *reader = jr_reader_open_memory(&test_schema, text, sizeof text - 1, JR_LOG_CSV, &error);
    assert_non_null(reader);
    jr_event event;
    next_bad(reader, 2, "record has 4 fields, the header has 5");
    next_bad(reader, 3, "record has more fields than the header's 5");
    next_bad(reader, 4, "quote inside unquoted field 5");
    next_bad(reader, 5, "text after the closing quote of field 5");
    next_bad(reader, 6, "unknown type \"screen\"");
    next_bad(reader, 7, "no userId or anonymousId");
    next_bad(reader, 8, "no timestamp");
    next_bad(reader, 9, "\"timestamp\" is not an ISO-8601 timestamp: \"03/01/2024\"");
    next_bad(reader, 10, "track call without \"event\"");
    next_bad(reader, 11, "invalid UTF-8");
    /* A NUL byte is no character CSV gives meaning to: it stays in the cell. */
    next_event(reader, &event);
    assert_int_equal(event.line, 12);
    assert_int_equal(event.contact_id_length, 3);
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "ok");
    assert_int_equal(event.line, 14);
    /* The quote never closes: the record is reported, and reading resumes on the
     * line after the one it began on, so the next record is not lost. */
    next_bad(reader, 15, "unterminated quoted field");
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "u15");
    assert_int_equal(event.line, 16);
    next_end(reader);
    jr_reader_close(reader);
}

static void test_csv_headers(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *message;
    } bad[] = {
        { "event,userId\nx,y\n", "CSV header has no \"timestamp\" column" },
        { "event,timestamp\n", "neither a \"userId\" nor an \"anonymousId\" column" },
        { "userId,timestamp,userId\n", "duplicate column \"userId\"" },
        { "userId,timestamp,plan,properties.plan\n", "two columns for the property \"plan\"" },
        { "userId,timestamp,traits.age,traits.age\n", "two columns for the trait \"age\"" },
        { "userId,timestamp,,x\n", "column 3 has no name" },
        { "userId,timestamp,traits.\n", "column 3 has no name" },
        { "userId,timestamp,a\"b\n", "quote inside unquoted field 3" },
        { "userId,timestamp,\"never closed\n", "unterminated quoted field in the CSV header" },
        { "\xFFuserId,timestamp\n", "invalid UTF-8 in the CSV header" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        jr_read_error error;
        jr_event_reader *reader =
            jr_reader_open_memory(&test_schema, bad[i].text, strlen(bad[i].text), JR_LOG_CSV, &error);
        if (reader) fail_msg("header %zu was accepted", i);
        if (!strstr(error.message, bad[i].message))
            fail_msg("header %zu: \"%s\" does not contain \"%s\"", i, error.message, bad[i].message);
        assert_int_equal(error.line, 1);
    }

    /* a byte order mark, blank lines, spaces around names, a quoted header */
    jr_event event;
    jr_event_reader *reader = open_csv("\xEF\xBB\xBF\n\n userId ,\"timestamp\",type,\"traits.email\"\r\n"
                                       "u1,2024-03-01T10:00:00Z,identify,a@b\n");
    next_event(reader, &event);
    assert_int_equal(event.line, 4);
    assert_string_value(trait(&event, EMAIL), "a@b");
    next_end(reader);
    jr_reader_close(reader);
    /* no event column: a track row lacks one */
    reader = open_csv("userId,timestamp\nu1,2024-03-01T10:00:00Z\n");
    next_bad(reader, 2, "track call without \"event\"");
    jr_reader_close(reader);
    reader = open_csv("");
    next_end(reader);
    jr_reader_close(reader);
    reader = open_csv("userId,timestamp\n");
    next_end(reader);
    jr_reader_close(reader);
    reader = open_csv("userId,timestamp,event\r\n\r\n  \r\nu,2024-03-01T10:00:00Z,Signed Up");
    next_event(reader, &event);
    assert_int_equal(event.event_index, SIGNED_UP);
    assert_int_equal(event.line, 4);
    next_end(reader);
    jr_reader_close(reader);
}

static void test_csv_long_records(void **state)
{
    (void)state;
    const size_t limit = 4 * 1024 * 1024;
    size_t size = 3 * limit;
    char *text = malloc(size);
    assert_non_null(text);
    char *at = text;
    at += sprintf(at, "userId,timestamp,event,plan\n");
    /* one long line, then a long quoted field running over several lines */
    at += sprintf(at, "u1,2024-03-01T10:00:00Z,Signed Up,");
    memset(at, 'x', limit);
    at += limit;
    at += sprintf(at, "\nu2,2024-03-01T10:00:00Z,Signed Up,ok\nu3,2024-03-01T10:00:00Z,Signed Up,\"");
    for (int i = 0; i < 5; i++) {
        memset(at, 'y', limit / 4);
        at += limit / 4;
        *at++ = '\n';
    }
    at += sprintf(at, "\"\nu4,2024-03-01T10:00:00Z,Signed Up,end\n");
    jr_read_error error;
    jr_event_reader *reader = jr_reader_open_memory(&test_schema, text, (size_t)(at - text), JR_LOG_CSV, &error);
    assert_non_null(reader);
    jr_event event;
    next_bad(reader, 2, "record longer than 4 MiB");
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "u2");
    next_bad(reader, 4, "record longer than 4 MiB");
    /* then the lines of the long field, each read as a record of its own */
    jr_read_status status;
    while ((status = jr_reader_next(reader, &event, &error)) == JR_READ_BAD_LINE) {
    }
    assert_int_equal(status, JR_READ_EVENT);
    assert_text(event.contact_id, event.contact_id_length, "u4");
    next_end(reader);
    jr_reader_close(reader);
    free(text);
}

/* ---- opening -------------------------------------------------------------------- */

static void test_formats_by_name_and_content(void **state)
{
    (void)state;
    static const char csv[] = "userId,timestamp,event\nu,2024-03-01T10:00:00Z,Signed Up\n";
    static const char jsonl[] = "\n  {\"event\":\"Signed Up\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\"}\n";
    jr_event event;
    jr_read_error error;
    write_file(temp_path("events.CSV"), csv, strlen(csv));
    write_file(temp_path("events.log"), csv, strlen(csv));
    write_file(temp_path("events.json"), jsonl, strlen(jsonl));
    write_file(temp_path("events"), jsonl, strlen(jsonl));
    const char *names[] = { "events.CSV", "events.log", "events.json", "events" };
    for (size_t i = 0; i < 4; i++) {
        jr_event_reader *reader = jr_reader_open(&test_schema, temp_path(names[i]), JR_LOG_AUTO, &error);
        assert_non_null(reader);
        next_event(reader, &event);
        assert_int_equal(event.event_index, SIGNED_UP);
        next_end(reader);
        jr_reader_close(reader);
    }
    /* the name wins over the content: a CSV called .jsonl is read as JSON Lines */
    write_file(temp_path("wrong.jsonl"), csv, strlen(csv));
    jr_event_reader *reader = jr_reader_open(&test_schema, temp_path("wrong.jsonl"), JR_LOG_AUTO, &error);
    assert_non_null(reader);
    next_bad(reader, 1, "invalid JSON");
    jr_reader_close(reader);
    /* and an explicit format wins over the name */
    reader = jr_reader_open(&test_schema, temp_path("wrong.jsonl"), JR_LOG_CSV, &error);
    assert_non_null(reader);
    next_event(reader, &event);
    jr_reader_close(reader);
    /* memory: by content */
    reader = open_text(&test_schema, csv, JR_LOG_AUTO);
    next_event(reader, &event);
    assert_int_equal(event.line, 2);
    jr_reader_close(reader);
    reader = open_text(&test_schema, jsonl, JR_LOG_AUTO);
    next_event(reader, &event);
    assert_int_equal(event.line, 2);
    jr_reader_close(reader);
}

static void test_open_errors(void **state)
{
    (void)state;
    jr_read_error error;
    assert_null(jr_reader_open(&test_schema, temp_path("missing.jsonl"), JR_LOG_AUTO, &error));
    assert_non_null(strstr(error.message, "cannot open"));
    assert_non_null(strstr(error.message, "missing.jsonl"));
    assert_int_equal(error.line, 0);
    assert_null(jr_reader_open(&test_schema, temp_dir, JR_LOG_JSONL, &error));
    assert_non_null(strstr(error.message, "cannot read"));
    assert_null(jr_reader_open(&test_schema, NULL, JR_LOG_JSONL, &error));
    /* a reader without a schema reads events, none of them declared */
    static const char line[] = "{\"event\":\"x\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\"}";
    jr_event_reader *reader = jr_reader_open_memory(NULL, line, sizeof line - 1, JR_LOG_JSONL, &error);
    assert_non_null(reader);
    jr_event event;
    next_event(reader, &event);
    assert_int_equal(event.event_index, -1);
    jr_reader_close(reader);
    jr_reader_close(NULL);
}

static void test_standard_input(void **state)
{
    (void)state;
    write_gzip(temp_path("stdin.gz"), "wb", gzip_text);
    int saved = dup(STDIN_FILENO);
    int file = open(temp_path("stdin.gz"), O_RDONLY);
    assert_true(saved >= 0 && file >= 0);
    assert_int_equal(dup2(file, STDIN_FILENO), STDIN_FILENO);
    close(file);
    jr_read_error error;
    jr_event_reader *reader = jr_reader_open(&test_schema, "-", JR_LOG_AUTO, &error);
    assert_non_null(reader);
    expect_gzip_events(reader, "g1", "g2");
    next_end(reader);
    jr_reader_close(reader);
    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO); /* standard input was not closed by the reader */
    close(saved);

    /* a pipe: no size, read as it comes */
    int pipe_ends[2];
    assert_int_equal(pipe(pipe_ends), 0);
    saved = dup(STDIN_FILENO);
    assert_int_equal(dup2(pipe_ends[0], STDIN_FILENO), STDIN_FILENO);
    close(pipe_ends[0]);
    const char *text = "{\"event\":\"Signed Up\",\"userId\":\"p1\",\"timestamp\":\"2024-03-01T10:00:00Z\"}\n";
    assert_int_equal(write(pipe_ends[1], text, strlen(text)), (ssize_t)strlen(text));
    close(pipe_ends[1]);
    reader = jr_reader_open(&test_schema, "-", JR_LOG_AUTO, &error);
    assert_non_null(reader);
    assert_int_equal(jr_reader_size(reader), 0);
    jr_event event;
    next_event(reader, &event);
    assert_text(event.contact_id, event.contact_id_length, "p1");
    next_end(reader);
    jr_reader_close(reader);
    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
}

static void test_large_schema(void **state)
{
    (void)state;
    /* Many events and fields with similar names: every one is found by its name. */
    enum { EVENTS = 2000, FIELDS = 40 };
    static jr_schema_event events[EVENTS];
    static jr_schema_field fields[FIELDS];
    static char event_names[EVENTS][32], field_names[FIELDS][16];
    for (int f = 0; f < FIELDS; f++) {
        snprintf(field_names[f], sizeof field_names[f], "f%d", f);
        fields[f] = (jr_schema_field){ field_names[f], JR_TYPE_NUMBER };
    }
    for (int e = 0; e < EVENTS; e++) {
        snprintf(event_names[e], sizeof event_names[e], "Event Number %d", e);
        events[e] = (jr_schema_event){ event_names[e], fields, (uint32_t)(e % FIELDS) + 1 };
    }
    jr_schema schema = { events, EVENTS, NULL, 0 };
    char *text = malloc((size_t)EVENTS * 128 + 1000);
    char *at = text;
    for (int e = 0; e < EVENTS; e++)
        at += sprintf(at, "{\"event\":\"Event Number %d\",\"userId\":\"u\",\"timestamp\":\"2024-03-01T10:00:00Z\","
                          "\"properties\":{\"f%d\":%d,\"f%d\":1}}\n",
                      e, e % FIELDS, e, FIELDS);
    jr_read_error error;
    jr_event_reader *reader = jr_reader_open_memory(&schema, text, (size_t)(at - text), JR_LOG_JSONL, &error);
    assert_non_null(reader);
    for (int e = 0; e < EVENTS; e++) {
        jr_event event;
        next_event(reader, &event);
        assert_int_equal(event.event_index, e);
        assert_int_equal(event.property_count, 1);
        assert_int_equal(event.properties[0].index, (uint32_t)(e % FIELDS));
        assert_true(event.properties[0].as.number == e);
    }
    next_end(reader);
    jr_reader_close(reader);
    free(text);
}

/* ---- edge inputs (and, when it finds any, the fuzzer's reproducers) ------------------- */

static void read_everything(const void *bytes, size_t length, jr_log_format format)
{
    jr_read_error error;
    jr_event_reader *reader = jr_reader_open_memory(&test_schema, bytes, length, format, &error);
    if (!reader) return;
    jr_event event;
    jr_read_status status;
    int guard = 0;
    while ((status = jr_reader_next(reader, &event, &error)) != JR_READ_END && status != JR_READ_IO_ERROR) {
        assert_true(++guard < 100000);
    }
    jr_reader_close(reader);
}

static void test_edge_inputs(void **state)
{
    (void)state;
#define EDGE(text) { text, sizeof text - 1 }
    static const struct {
        const char *bytes;
        size_t length;
    } inputs[] = {
        /* a gzip header and nothing else */
        EDGE("\x1f\x8b"),
        EDGE("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"),
        EDGE("\x1f"),
        /* a quote opened in a header that never ends */
        EDGE("\""),
        EDGE("a,\"b\n\n\n"),
        /* a lone CR, a lone BOM byte */
        EDGE("\r"),
        EDGE("\xEF\xBB"),
        EDGE("{"),
        EDGE("{\"type\":\"page\",\"userId\":1,\"name\":null,\"timestamp\":\"2024-03-01T10:00:00Z\"}"),
    };
#undef EDGE
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        read_everything(inputs[i].bytes, inputs[i].length, JR_LOG_JSONL);
        read_everything(inputs[i].bytes, inputs[i].length, JR_LOG_CSV);
        read_everything(inputs[i].bytes, inputs[i].length, JR_LOG_AUTO);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timestamp_known_instants),
        cmocka_unit_test(test_timestamp_separators_and_zones),
        cmocka_unit_test(test_timestamp_fractions),
        cmocka_unit_test(test_timestamp_leap_second),
        cmocka_unit_test(test_timestamp_validation),
        cmocka_unit_test(test_timestamp_format),
        cmocka_unit_test(test_timestamp_round_trips),
        cmocka_unit_test(test_track_with_properties),
        cmocka_unit_test(test_members_in_any_order),
        cmocka_unit_test(test_contact_ids),
        cmocka_unit_test(test_undeclared_event),
        cmocka_unit_test(test_wrong_types_are_left_out),
        cmocka_unit_test(test_duplicate_members),
        cmocka_unit_test(test_identify_traits),
        cmocka_unit_test(test_page_calls),
        cmocka_unit_test(test_timestamp_fallbacks),
        cmocka_unit_test(test_bad_lines_and_reading_on),
        cmocka_unit_test(test_nul_bytes_and_invalid_utf8),
        cmocka_unit_test(test_blank_lines_crlf_and_bom),
        cmocka_unit_test(test_very_long_lines),
        cmocka_unit_test(test_many_lines_across_buffers),
        cmocka_unit_test(test_gzip_files),
        cmocka_unit_test(test_large_gzip_streams),
        cmocka_unit_test(test_csv_basics),
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_csv_bad_records),
        cmocka_unit_test(test_csv_headers),
        cmocka_unit_test(test_csv_long_records),
        cmocka_unit_test(test_formats_by_name_and_content),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_standard_input),
        cmocka_unit_test(test_large_schema),
        cmocka_unit_test(test_edge_inputs),
    };
    return cmocka_run_group_tests(tests, make_temp_dir, remove_temp_dir);
}
