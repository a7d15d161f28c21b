/* fuzz_event_reader.c: libFuzzer entry point for the event log readers.
 *
 * Each input is read from memory three times with a fixed schema, as JSON Lines, as
 * CSV and with the format left to the content (so gzip and the sniffing are reached
 * too), and every event is consumed: each string is read byte by byte and every
 * invariant of event.h is checked. Then the input, taken as a timestamp, must survive
 * jr_parse_timestamp and, when it parses, a round trip through jr_format_timestamp.
 * The readers must never crash, hang, leak or hit undefined behaviour, whatever the
 * bytes (DESIGN.md section 7).
 *
 * Build it with -DJR_READER_FUZZING and a small line limit (-DJR_READER_LINE_LIMIT=512)
 * so that short inputs reach the code that skips overlong lines and records, and the
 * code that joins lines across reads: the reader then takes memory in pieces of
 * jr_reader_fuzz_piece bytes, which each pass sets from the input's size. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "event.h"

static const jr_schema_field fuzz_order_fields[] = {
    { "order_id", JR_TYPE_STRING }, { "revenue", JR_TYPE_NUMBER }, { "paid", JR_TYPE_BOOL },
    { "at", JR_TYPE_TIME },         { "wait", JR_TYPE_DURATION },  { "name", JR_TYPE_STRING },
};
static const jr_schema_field fuzz_page_fields[] = { { "path", JR_TYPE_STRING }, { "name", JR_TYPE_STRING } };
static const jr_schema_event fuzz_events[] = {
    { "Order Completed", fuzz_order_fields, 6 },
    { "Page Viewed", fuzz_page_fields, 2 },
    { "a", fuzz_page_fields, 1 },
    { "", NULL, 0 },
};
static const jr_schema_field fuzz_attributes[] = {
    { "email", JR_TYPE_STRING }, { "age", JR_TYPE_NUMBER }, { "vip", JR_TYPE_BOOL }, { "seen", JR_TYPE_TIME },
};
static const jr_schema fuzz_schema = { fuzz_events, 4, fuzz_attributes, 4 };

#define FUZZ_CHECK(condition)                                                                                     \
    do {                                                                                                          \
        if (!(condition)) __builtin_trap();                                                                       \
    } while (0)

static volatile unsigned char fuzz_sink;

static void fuzz_touch(const char *bytes, uint32_t length)
{
    FUZZ_CHECK(length == 0 || bytes != NULL);
    unsigned char sum = 0;
    for (uint32_t i = 0; i < length; i++) sum = (unsigned char)(sum + (unsigned char)bytes[i]);
    fuzz_sink = sum;
}

static void fuzz_check_values(const jr_field_value *values, uint32_t count, const jr_schema_field *fields,
                              uint32_t field_count, bool nulls)
{
    FUZZ_CHECK(count <= field_count);
    for (uint32_t i = 0; i < count; i++) {
        FUZZ_CHECK(values[i].index < field_count);
        FUZZ_CHECK(values[i].type == fields[values[i].index].type || (nulls && values[i].type == JR_TYPE_NULL));
        for (uint32_t j = 0; j < i; j++) FUZZ_CHECK(values[j].index != values[i].index);
        if (values[i].type == JR_TYPE_STRING) fuzz_touch(values[i].as.string.bytes, values[i].as.string.length);
    }
}

static void fuzz_read(const uint8_t *data, size_t size, jr_log_format format)
{
    jr_read_error error;
    jr_event_reader *reader = jr_reader_open_memory(&fuzz_schema, data, size, format, &error);
    if (!reader) {
        FUZZ_CHECK(memchr(error.message, '\0', sizeof error.message) != NULL);
        return;
    }
    uint64_t last_line = 0;
    size_t calls = 0;
    /* at most one result per byte, and the end; gzip inflates at most 1032 to 1 */
    bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    size_t most_calls = (gzip ? size * 1100 : size) + 2;
    for (;;) {
        jr_event event;
        jr_read_status status = jr_reader_next(reader, &event, &error);
        FUZZ_CHECK(++calls <= most_calls);
        FUZZ_CHECK(jr_reader_position(reader) <= jr_reader_size(reader));
        if (status == JR_READ_END || status == JR_READ_IO_ERROR || status == JR_READ_NO_MEMORY) break;
        if (status == JR_READ_BAD_LINE) {
            FUZZ_CHECK(error.line > last_line);
            FUZZ_CHECK(memchr(error.message, '\0', sizeof error.message) != NULL && error.message[0] != '\0');
            last_line = error.line;
            continue;
        }
        FUZZ_CHECK(status == JR_READ_EVENT);
        FUZZ_CHECK(event.line > last_line);
        last_line = event.line;
        FUZZ_CHECK(event.kind == JR_EVENT_TRACK || event.kind == JR_EVENT_IDENTIFY || event.kind == JR_EVENT_PAGE);
        FUZZ_CHECK(event.contact_id_length > 0);
        fuzz_touch(event.contact_id, event.contact_id_length);
        FUZZ_CHECK(event.message_id != NULL);
        fuzz_touch(event.message_id, event.message_id_length);
        FUZZ_CHECK(event.event_index >= -1 && event.event_index < (int32_t)fuzz_schema.event_count);
        if (event.event_index >= 0) {
            const jr_schema_event *declared = &fuzz_schema.events[event.event_index];
            fuzz_check_values(event.properties, event.property_count, declared->fields, declared->field_count, false);
        } else {
            FUZZ_CHECK(event.property_count == 0);
        }
        if (event.kind == JR_EVENT_IDENTIFY)
            fuzz_check_values(event.traits, event.trait_count, fuzz_attributes, fuzz_schema.attribute_count, true);
        else
            FUZZ_CHECK(event.trait_count == 0);
        char text[25];
        jr_format_timestamp(event.timestamp, text);
        FUZZ_CHECK(strlen(text) == 24);
    }
    jr_reader_close(reader);
}

static void fuzz_timestamp(const uint8_t *data, size_t size)
{
    int64_t milliseconds;
    if (!jr_parse_timestamp((const char *)data, size, &milliseconds)) return;
    char text[25];
    jr_format_timestamp(milliseconds, text);
    int64_t back;
    FUZZ_CHECK(jr_parse_timestamp(text, 24, &back));
    const int64_t first = -62135596800000LL, last = 253402300799999LL; /* 0001-01-01, 9999-12-31 */
    if (milliseconds >= first && milliseconds <= last) FUZZ_CHECK(back == milliseconds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef JR_READER_FUZZING
extern size_t jr_reader_fuzz_piece;
#define FUZZ_PIECE(bytes) (jr_reader_fuzz_piece = (bytes))
#else
#define FUZZ_PIECE(bytes) ((void)(bytes))
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FUZZ_PIECE(1 + size % 13);
    fuzz_read(data, size, JR_LOG_JSONL);
    FUZZ_PIECE(1 + size % 5);
    fuzz_read(data, size, JR_LOG_CSV);
    FUZZ_PIECE(SIZE_MAX);
    fuzz_read(data, size, JR_LOG_AUTO);
    fuzz_timestamp(data, size);
    return 0;
}
