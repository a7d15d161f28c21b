/* fuzz_segment_body.c: libFuzzer entry point for the normalizer of journey run's HTTP
 * bodies (cli/segment_body.cpp, spec/ingest.md).
 *
 * The first byte of an input picks the endpoint ('t' track, 'i' identify, 'p' page,
 * 'b' batch; any other byte, its value modulo 4), the rest is the body, received at a
 * fixed time. Whatever the bytes:
 *   - refused: the message is a non-empty string;
 *   - accepted: the lines are event_count lines, each one JSON object on one line that
 *     starts with its "type" and "timestamp"; the event reader, given each line on its
 *     own, returns exactly one result for it (an event, or a bad line with a message),
 *     an event is of the line's type and never later than the time of receipt, and
 *     segment_body_check_events refuses the body exactly when one line is bad;
 *   - nothing crashes, leaks or hits undefined behaviour. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "journey.h"
#include "segment_body.h"

static const jr_schema_field fuzz_order_fields[] = {
    { "order_id", JR_TYPE_STRING }, { "revenue", JR_TYPE_NUMBER }, { "paid", JR_TYPE_BOOL },
    { "at", JR_TYPE_TIME },         { "wait", JR_TYPE_DURATION },
};
static const jr_schema_field fuzz_page_fields[] = { { "path", JR_TYPE_STRING }, { "name", JR_TYPE_STRING } };
static const jr_schema_event fuzz_events[] = {
    { "Order Completed", fuzz_order_fields, 5 },
    { "Page Viewed", fuzz_page_fields, 2 },
    { "Signed Up", fuzz_page_fields, 1 },
};
static const jr_schema_field fuzz_attributes[] = { { "plan", JR_TYPE_STRING }, { "age", JR_TYPE_NUMBER } };
static const jr_schema fuzz_schema = { fuzz_events, 3, fuzz_attributes, 2 };

/* 2026-03-01T12:00:00Z */
static const int64_t fuzz_received_at = 1772366400000;

#define FUZZ_CHECK(condition)                                                                                     \
    do {                                                                                                          \
        if (!(condition)) __builtin_trap();                                                                       \
    } while (0)

static segment_endpoint fuzz_endpoint(uint8_t byte)
{
    switch (byte) {
    case 't': return SEGMENT_TRACK;
    case 'i': return SEGMENT_IDENTIFY;
    case 'p': return SEGMENT_PAGE;
    case 'b': return SEGMENT_BATCH;
    default: return (segment_endpoint)(byte % 4);
    }
}

static bool fuzz_message_ok(const char *message, size_t size)
{
    return memchr(message, '\0', size) != NULL && message[0] != '\0';
}

/* One line (with its '\n'): its shape, then the reader's one result for it. Returns
 * whether the reader took it as an event. */
static bool fuzz_check_line(const char *line, size_t length)
{
    static const char prefix[] = "{\"type\":\"";
    static const char *const type_names[] = { "track", "identify", "page" };
    static const jr_event_kind type_kinds[] = { JR_EVENT_TRACK, JR_EVENT_IDENTIFY, JR_EVENT_PAGE };
    static const char timestamp_member[] = "\",\"timestamp\":\"";
    FUZZ_CHECK(length > sizeof prefix && memcmp(line, prefix, sizeof prefix - 1) == 0);
    FUZZ_CHECK(line[length - 2] == '}' && line[length - 1] == '\n');
    FUZZ_CHECK(memchr(line, '\0', length) == NULL);
    const char *type = line + sizeof prefix - 1;
    size_t rest = length - (sizeof prefix - 1);
    int which = -1;
    for (int i = 0; i < 3; i++) {
        size_t name_length = strlen(type_names[i]);
        if (rest > name_length + sizeof timestamp_member && memcmp(type, type_names[i], name_length) == 0 &&
            memcmp(type + name_length, timestamp_member, sizeof timestamp_member - 1) == 0)
            which = i;
    }
    FUZZ_CHECK(which >= 0);
    jr_event_kind kind = type_kinds[which];

    jr_read_error error;
    jr_event_reader *reader = jr_reader_open_memory(&fuzz_schema, line, length, JR_LOG_JSONL, &error);
    FUZZ_CHECK(reader != NULL);
    jr_event event;
    jr_read_status first = jr_reader_next(reader, &event, &error);
    FUZZ_CHECK(first == JR_READ_EVENT || first == JR_READ_BAD_LINE);
    if (first == JR_READ_EVENT) {
        FUZZ_CHECK(event.kind == kind);
        FUZZ_CHECK(event.timestamp <= fuzz_received_at);
    } else {
        FUZZ_CHECK(fuzz_message_ok(error.message, sizeof error.message));
    }
    FUZZ_CHECK(jr_reader_next(reader, &event, &error) == JR_READ_END);
    jr_reader_close(reader);
    return first == JR_READ_EVENT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    segment_endpoint endpoint = fuzz_endpoint(data[0]);
    segment_body body;
    char message[320];
    segment_body_status status = segment_body_normalize(endpoint, (const char *)data + 1, size - 1,
                                                        fuzz_received_at, &body, message, sizeof message);
    FUZZ_CHECK(status == SEGMENT_BODY_OK || status == SEGMENT_BODY_BAD);
    if (body.write_key) FUZZ_CHECK(strlen(body.write_key) <= body.write_key_length);
    if (status == SEGMENT_BODY_BAD) {
        FUZZ_CHECK(fuzz_message_ok(message, sizeof message));
        FUZZ_CHECK(body.lines == NULL && body.event_count == 0);
        segment_body_free(&body);
        return 0;
    }
    FUZZ_CHECK(endpoint == SEGMENT_BATCH || body.event_count == 1);
    FUZZ_CHECK((body.length == 0) == (body.event_count == 0));

    /* The lines, one by one: as many as events, each a whole object on one line. */
    bool all_read = true;
    uint32_t lines = 0;
    for (size_t start = 0; start < body.length; lines++) {
        const char *end = memchr(body.lines + start, '\n', body.length - start);
        FUZZ_CHECK(end != NULL);
        size_t length = (size_t)(end - (body.lines + start)) + 1;
        all_read = fuzz_check_line(body.lines + start, length) && all_read;
        start += length;
    }
    FUZZ_CHECK(lines == body.event_count);

    segment_body_status checked = segment_body_check_events(&fuzz_schema, endpoint, &body, message, sizeof message);
    FUZZ_CHECK(checked == (all_read ? SEGMENT_BODY_OK : SEGMENT_BODY_BAD));
    if (checked == SEGMENT_BODY_BAD) FUZZ_CHECK(fuzz_message_ok(message, sizeof message));
    segment_body_free(&body);
    return 0;
}
