/* event_reader.c: the event log readers. Turns JSON Lines in the Segment Spec shape, or
 * CSV with a header row, plain or gzip-compressed, read from a file, standard input or
 * memory, into jr_events that keep only what the schema declares (event.h).
 *
 * Layers, from the bottom:
 *   raw input      a file descriptor or a block of memory;
 *   decoded input  the raw bytes, or what zlib inflates from them (gzip is detected
 *                  by its magic bytes 1f 8b, never by the name; members may follow
 *                  one another, as `cat a.gz b.gz` makes them);
 *   records        one buffer that grows as a line needs, up to the 4 MiB limit, cut
 *                  into lines (JSON Lines) or records (CSV, whose quoted fields may hold
 *                  newlines); a longer line is reported and skipped without buffering it;
 *   decoding       JSON through the simdjson adapter (json_reader.cpp), CSV here; names
 *                  are found through hash tables built from the schema at open.
 * Nothing is allocated per event once the buffers have grown to the largest line: the
 * properties and traits arrays are sized once from the schema, strings point into the
 * line buffer or the JSON parser.
 * A packed log (.jev, recognized by its magic bytes like gzip) goes to jev_reader.c. */
#include "event.h"
#include "jev_reader.h"
#include "json_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* The longest line or record, without its newline: 4 MiB. The fuzzing build makes it
 * small, so that short inputs reach the code that skips longer lines. */
#ifndef JR_READER_LINE_LIMIT
#define JR_READER_LINE_LIMIT (4 * 1024 * 1024)
#endif

/* The fuzzing build (JR_READER_FUZZING) also reads memory in pieces of a size the
 * fuzzer sets, as a slow pipe would deliver it, so that short inputs reach the code
 * that joins lines across reads. */
#ifdef JR_READER_FUZZING
extern size_t jr_reader_fuzz_piece;
size_t jr_reader_fuzz_piece = SIZE_MAX;
#define READER_MEMORY_PIECE jr_reader_fuzz_piece
#else
#define READER_MEMORY_PIECE SIZE_MAX
#endif

enum {
    READER_LINE_LIMIT = JR_READER_LINE_LIMIT,
    READER_BUFFER_LIMIT = READER_LINE_LIMIT + 2, /* room for such a line and its CR LF */
    READER_FILE_BUFFER = 256 * 1024,         /* initial buffer for files and streams */
    READER_MEMORY_BUFFER_MIN = 256,           /* initial buffer for (small) memory inputs */
    READER_COMPRESSED_BUFFER = 256 * 1024,
    READER_QUOTE_LIMIT = 48,                  /* bytes of data quoted in a message */
    READER_CSV_COLUMN_LIMIT = 65536,
};

#define READER_PAGE_EVENT "Page Viewed"

/* ---- names: open addressing over a hash of the bytes ---------------------------- */

typedef struct reader_name_slot {
    uint64_t hash;
    const char *name; /* NULL: empty slot */
    uint32_t length;
    int32_t value;
} reader_name_slot;

typedef struct reader_name_table {
    reader_name_slot *slots; /* NULL for an empty table */
    uint32_t mask;
} reader_name_table;

static uint64_t reader_load64(const char *bytes)
{
    uint64_t value;
    memcpy(&value, bytes, sizeof value);
    return value;
}

static uint32_t reader_load32(const char *bytes)
{
    uint32_t value;
    memcpy(&value, bytes, sizeof value);
    return value;
}

static uint64_t reader_mix(uint64_t value)
{
    value ^= value >> 32;
    value *= 0xd6e8feb86659fd93ull;
    value ^= value >> 32;
    return value;
}

/* A fast hash for short names: whole words, the last one overlapping, never reading
 * outside the name; names of up to 16 bytes (most of them) take one multiplication. */
static inline uint64_t reader_hash(const char *name, size_t length)
{
    uint64_t hash = 0x9e3779b97f4a7c15ull ^ length;
    if (length > 16) {
        const char *last = name + length - 8;
        while (name < last) {
            hash = reader_mix(hash ^ reader_load64(name));
            name += 8;
        }
        return reader_mix(hash ^ reader_load64(last));
    }
    uint64_t low, high;
    if (length >= 8) {
        low = reader_load64(name);
        high = reader_load64(name + length - 8);
    } else if (length >= 4) {
        low = reader_load32(name);
        high = reader_load32(name + length - 4);
    } else {
        const unsigned char *bytes = (const unsigned char *)name;
        low = length ? (uint64_t)bytes[0] << 16 | (uint64_t)bytes[length / 2] << 8 | bytes[length - 1] : 0;
        high = 0;
    }
    hash ^= low * 0xbf58476d1ce4e5b9ull;
    hash ^= (high ^ (high >> 29)) * 0x94d049bb133111ebull;
    return hash ^ (hash >> 32);
}

/* Slots for a table of count names: a power of two, at most half full. */
static size_t reader_name_table_slots(size_t count)
{
    if (count == 0) return 0;
    size_t slots = 4;
    while (slots < count * 2) slots *= 2;
    return slots;
}

/* Whether two names of the same length are equal (short ones without a call). */
static inline bool reader_same_bytes(const char *a, const char *b, size_t length)
{
    if (length >= 8) {
        for (size_t at = 0; at + 8 < length; at += 8)
            if (reader_load64(a + at) != reader_load64(b + at)) return false;
        return reader_load64(a + length - 8) == reader_load64(b + length - 8);
    }
    if (length >= 4)
        return reader_load32(a) == reader_load32(b) && reader_load32(a + length - 4) == reader_load32(b + length - 4);
    for (size_t at = 0; at < length; at++)
        if (a[at] != b[at]) return false;
    return true;
}

static inline int32_t reader_name_find_hashed(const reader_name_table *table, const char *name, size_t length,
                                       uint64_t hash)
{
    if (!table->slots) return -1;
    for (uint32_t at = (uint32_t)hash & table->mask;; at = (at + 1) & table->mask) {
        const reader_name_slot *slot = &table->slots[at];
        if (!slot->name) return -1;
        if (slot->hash == hash && slot->length == length && reader_same_bytes(slot->name, name, length))
            return slot->value;
    }
}

static int32_t reader_name_find(const reader_name_table *table, const char *name, size_t length)
{
    return reader_name_find_hashed(table, name, length, reader_hash(name, length));
}

/* Adds name unless it is there already (the first one wins); false if it was. */
static bool reader_name_insert(reader_name_table *table, const char *name, size_t length, int32_t value)
{
    uint64_t hash = reader_hash(name, length);
    for (uint32_t at = (uint32_t)hash & table->mask;; at = (at + 1) & table->mask) {
        reader_name_slot *slot = &table->slots[at];
        if (!slot->name) {
            *slot = (reader_name_slot){ hash, name, (uint32_t)length, value };
            return true;
        }
        if (slot->hash == hash && slot->length == length && memcmp(slot->name, name, length) == 0) return false;
    }
}

/* ---- the reader ----------------------------------------------------------------- */

typedef enum reader_column_role {
    COLUMN_TYPE,
    COLUMN_EVENT,
    COLUMN_USER_ID,
    COLUMN_ANONYMOUS_ID,
    COLUMN_TIMESTAMP,
    COLUMN_MESSAGE_ID,
    COLUMN_SPECIAL_COUNT,
    COLUMN_PROPERTY = COLUMN_SPECIAL_COUNT,
    COLUMN_TRAIT,
} reader_column_role;

static const char *const reader_special_columns[COLUMN_SPECIAL_COUNT] = {
    "type", "event", "userId", "anonymousId", "timestamp", "messageId",
};

typedef struct reader_csv_column {
    reader_column_role role;
    const char *name; /* property or trait name, without its prefix */
    uint32_t length;
    uint64_t hash;
    int32_t attribute; /* COLUMN_TRAIT: the declared attribute, or -1 */
} reader_csv_column;

typedef struct reader_cell {
    const char *bytes;
    uint32_t length;
} reader_cell;

/* Where the CSV record scanner stands (RFC 4180). */
typedef enum reader_csv_state {
    CSV_FIELD_START,
    CSV_UNQUOTED,
    CSV_QUOTED,
    CSV_QUOTE_IN_QUOTED, /* a quote inside a quoted field: closes it, or starts "" */
} reader_csv_state;

typedef enum reader_take {
    TAKE_RECORD,
    TAKE_END,
    TAKE_TOO_LONG,     /* the record was longer than the limit; it has been skipped */
    TAKE_UNTERMINATED, /* CSV: a quoted field runs to the end of the input */
    TAKE_NO_MEMORY,
} reader_take;

struct jr_event_reader {
    const jr_schema *schema;
    jr_jev_reader *packed; /* a packed log (.jev): jev_reader.c reads it, nothing below */
    jr_log_format format; /* JR_LOG_JSONL or JR_LOG_CSV once open */
    char *name;           /* the path, or "memory", for messages */

    /* raw input: a file descriptor, or memory */
    int fd;
    bool owns_fd;
    const unsigned char *memory;
    size_t memory_length;
    size_t memory_offset; /* bytes of memory taken */
    uint64_t raw_taken;   /* raw bytes taken from the input so far */
    uint64_t size;
    bool raw_done;

    /* gzip */
    bool gzip;
    bool zlib_ready;
    bool gzip_member_ended; /* inflate reached the end of a member */
    z_stream zlib;
    unsigned char *compressed; /* file inputs: raw bytes for inflate */
    size_t compressed_capacity;

    /* decoded bytes: buffer[start, end) are not consumed yet; the allocation has
     * JR_JSON_PADDING more bytes than capacity */
    char *buffer;
    size_t capacity;
    size_t start;
    size_t end;
    size_t scan;                /* the terminator search has looked at [start, scan) */
    uint64_t decoded_before;    /* decoded bytes before buffer[0] */
    bool input_done;            /* no more decoded bytes */
    bool input_failed;          /* ... because of an error, told once */
    char input_message[sizeof(((jr_read_error *)0)->message)];
    bool at_start;              /* a UTF-8 byte order mark may come */
    bool discarding;            /* dropping the rest of a line too long to keep */
    uint64_t lines_done;        /* newlines consumed */

    /* CSV record scanner */
    reader_csv_state csv_state;
    uint64_t csv_newlines;        /* newlines inside the record so far */
    size_t csv_first_newline;     /* offset from start of the first of them, or SIZE_MAX */

    /* the schema, indexed */
    reader_name_slot *name_slots;
    reader_name_table event_names;
    reader_name_table *field_names; /* one per event */
    reader_name_table attribute_names;
    int32_t page_event;      /* the event named "Page Viewed", or -1 */
    int32_t page_name_field; /* its field "name", or -1 */

    /* what one event is built in */
    jr_field_value *properties;
    jr_field_value *traits;
    int32_t *property_position; /* field -> its place in properties, or -1 */
    int32_t *trait_position;    /* attribute -> its place in traits, or -1 */
    char contact_id_digits[24];
    char message_id_digits[24];
    jr_json_parser *json;
    jr_json_line json_line;

    /* CSV */
    bool csv_has_header;
    reader_csv_column *columns;
    uint32_t column_count;
    int32_t special_column[COLUMN_SPECIAL_COUNT]; /* column index, or -1 */
    char *header_text;
    reader_cell *cells;
};

/* ---- messages ------------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static jr_read_status reader_bad(jr_read_error *error, uint64_t line,
                                                                        const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(error->message, sizeof error->message, format, arguments);
    va_end(arguments);
    error->line = line;
    return JR_READ_BAD_LINE;
}

static jr_read_status reader_no_memory(jr_read_error *error, uint64_t line)
{
    error->line = line;
    snprintf(error->message, sizeof error->message, "out of memory");
    return JR_READ_NO_MEMORY;
}

/* Data quoted for a message: at most READER_QUOTE_LIMIT bytes, cut at a character
 * boundary, control characters shown as '?'. */
static const char *reader_quote(char out[READER_QUOTE_LIMIT + 8], const char *text, size_t length)
{
    size_t kept = length;
    bool cut = false;
    if (kept > READER_QUOTE_LIMIT) {
        kept = READER_QUOTE_LIMIT;
        while (kept > 0 && ((unsigned char)text[kept] & 0xC0) == 0x80) kept--;
        cut = true;
    }
    char *p = out;
    *p++ = '"';
    for (size_t i = 0; i < kept; i++) {
        unsigned char c = (unsigned char)text[i];
        *p++ = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    if (cut) {
        memcpy(p, "...", 3);
        p += 3;
    }
    *p++ = '"';
    *p = '\0';
    return out;
}

static void reader_describe_errno(char *out, size_t size, const char *what, const char *name, int number)
{
    char reason[128];
    if (strerror_r(number, reason, sizeof reason) != 0) snprintf(reason, sizeof reason, "error %d", number);
    snprintf(out, size, "cannot %s %s: %s", what, name, reason);
}

/* ---- the schema ----------------------------------------------------------------- */

static bool reader_index_schema(jr_event_reader *reader)
{
    const jr_schema *schema = reader->schema;
    size_t total_slots = reader_name_table_slots(schema->event_count) +
                         reader_name_table_slots(schema->attribute_count);
    uint32_t max_field_count = 0;
    for (uint32_t e = 0; e < schema->event_count; e++) {
        total_slots += reader_name_table_slots(schema->events[e].field_count);
        if (schema->events[e].field_count > max_field_count) max_field_count = schema->events[e].field_count;
    }
    reader->name_slots = calloc(total_slots ? total_slots : 1, sizeof *reader->name_slots);
    reader->field_names = calloc(schema->event_count ? schema->event_count : 1, sizeof *reader->field_names);
    reader->properties = malloc((max_field_count ? max_field_count : 1) * sizeof *reader->properties);
    reader->property_position = malloc((max_field_count ? max_field_count : 1) * sizeof(int32_t));
    reader->traits = malloc((schema->attribute_count ? schema->attribute_count : 1) * sizeof *reader->traits);
    reader->trait_position = malloc((schema->attribute_count ? schema->attribute_count : 1) * sizeof(int32_t));
    if (!reader->name_slots || !reader->field_names || !reader->properties || !reader->property_position ||
        !reader->traits || !reader->trait_position)
        return false;
    for (uint32_t i = 0; i < max_field_count; i++) reader->property_position[i] = -1;
    for (uint32_t i = 0; i < schema->attribute_count; i++) reader->trait_position[i] = -1;

    reader_name_slot *next_slot = reader->name_slots;
#define READER_TABLE(table, count)                                                                               \
    do {                                                                                                          \
        size_t slots_ = reader_name_table_slots(count);                                                           \
        (table)->slots = slots_ ? next_slot : NULL;                                                               \
        (table)->mask = slots_ ? (uint32_t)(slots_ - 1) : 0;                                                      \
        next_slot += slots_;                                                                                      \
    } while (0)
    READER_TABLE(&reader->event_names, schema->event_count);
    READER_TABLE(&reader->attribute_names, schema->attribute_count);
    for (uint32_t e = 0; e < schema->event_count; e++)
        READER_TABLE(&reader->field_names[e], schema->events[e].field_count);
#undef READER_TABLE

    for (uint32_t e = 0; e < schema->event_count; e++) {
        const jr_schema_event *event = &schema->events[e];
        if (event->external_name)
            reader_name_insert(&reader->event_names, event->external_name, strlen(event->external_name), (int32_t)e);
        for (uint32_t f = 0; f < event->field_count; f++)
            if (event->fields[f].name)
                reader_name_insert(&reader->field_names[e], event->fields[f].name, strlen(event->fields[f].name),
                                   (int32_t)f);
    }
    for (uint32_t a = 0; a < schema->attribute_count; a++)
        if (schema->attributes[a].name)
            reader_name_insert(&reader->attribute_names, schema->attributes[a].name,
                               strlen(schema->attributes[a].name), (int32_t)a);

    reader->page_event = reader_name_find(&reader->event_names, READER_PAGE_EVENT, strlen(READER_PAGE_EVENT));
    reader->page_name_field =
        reader->page_event >= 0 ? reader_name_find(&reader->field_names[reader->page_event], "name", 4) : -1;
    return true;
}

/* ---- values --------------------------------------------------------------------- */

typedef enum reader_conversion {
    CONVERT_STORED,
    CONVERT_ABSENT,   /* null: as if the member were not there */
    CONVERT_MISMATCH, /* present, but not of the declared type */
} reader_conversion;

static bool reader_is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static void reader_trim(const char **text, size_t *length)
{
    while (*length > 0 && reader_is_space(**text)) {
        (*text)++;
        (*length)--;
    }
    while (*length > 0 && reader_is_space((*text)[*length - 1])) (*length)--;
}

static bool reader_text_to_number(const char *text, size_t length, double *number)
{
    reader_trim(&text, &length);
    return jr_json_parse_number_text(text, length, number);
}

/* Seconds, as a number, to milliseconds. */
static bool reader_seconds_to_duration(double seconds, int64_t *milliseconds)
{
    if (!(seconds > -9.0e15 && seconds < 9.0e15)) return false;
    double scaled = seconds * 1000.0;
    *milliseconds = (int64_t)(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
    return true;
}

static bool reader_text_equals_folded(const char *text, size_t length, const char *lower)
{
    size_t n = strlen(lower);
    if (length != n) return false;
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != lower[i]) return false;
    }
    return true;
}

/* A value given as text (CSV cells; JSON strings for number and time fields). */
static inline reader_conversion reader_convert_text(const char *text, size_t length, char type, bool from_csv,
                                             jr_field_value *out)
{
    switch (type) {
    case JR_TYPE_STRING:
        out->as.string.bytes = text;
        out->as.string.length = (uint32_t)length;
        return CONVERT_STORED;
    case JR_TYPE_NUMBER:
        return reader_text_to_number(text, length, &out->as.number) ? CONVERT_STORED : CONVERT_MISMATCH;
    case JR_TYPE_TIME:
        reader_trim(&text, &length);
        return jr_parse_timestamp(text, length, &out->as.time) ? CONVERT_STORED : CONVERT_MISMATCH;
    case JR_TYPE_DURATION: {
        double seconds;
        return reader_text_to_number(text, length, &seconds) && reader_seconds_to_duration(seconds, &out->as.time)
                   ? CONVERT_STORED
                   : CONVERT_MISMATCH;
    }
    case JR_TYPE_BOOL:
        if (!from_csv) return CONVERT_MISMATCH;
        reader_trim(&text, &length);
        if (reader_text_equals_folded(text, length, "true") || (length == 1 && text[0] == '1')) {
            out->as.boolean = true;
            return CONVERT_STORED;
        }
        if (reader_text_equals_folded(text, length, "false") || (length == 1 && text[0] == '0')) {
            out->as.boolean = false;
            return CONVERT_STORED;
        }
        return CONVERT_MISMATCH;
    default:
        return CONVERT_MISMATCH;
    }
}

static inline reader_conversion reader_convert_json(const jr_json_value *value, char type, jr_field_value *out)
{
    switch (value->kind) {
    case JR_JSON_NULL:
        return CONVERT_ABSENT;
    case JR_JSON_STRING:
        return reader_convert_text(value->string, value->length, type, false, out);
    case JR_JSON_NUMBER:
        if (type == JR_TYPE_NUMBER) {
            out->as.number = value->number;
            return CONVERT_STORED;
        }
        if (type == JR_TYPE_DURATION)
            return reader_seconds_to_duration(value->number, &out->as.time) ? CONVERT_STORED : CONVERT_MISMATCH;
        return CONVERT_MISMATCH;
    case JR_JSON_BOOL:
        if (type != JR_TYPE_BOOL) return CONVERT_MISMATCH;
        out->as.boolean = value->boolean;
        return CONVERT_STORED;
    default:
        return CONVERT_MISMATCH;
    }
}

/* Values of declared fields or traits, at most one per index (the last one given
 * wins): a value is converted straight into the slot reader_slot_for gives, then
 * reader_commit keeps it, or takes it back with any earlier value of that index. */
typedef struct reader_values {
    jr_field_value *values;
    uint32_t count;
    int32_t *position; /* index -> its place in values, or -1 */
    uint32_t mismatches;
} reader_values;

static inline jr_field_value *reader_slot_for(const reader_values *set, uint32_t index)
{
    int32_t at = set->position[index];
    return &set->values[at >= 0 ? (uint32_t)at : set->count];
}

static inline void reader_commit(reader_values *set, uint32_t index, char type, reader_conversion conversion)
{
    int32_t at = set->position[index];
    if (conversion == CONVERT_STORED) {
        if (at < 0) {
            at = (int32_t)set->count++;
            set->position[index] = at;
        }
        set->values[at].index = index;
        set->values[at].type = type;
        return;
    }
    if (conversion == CONVERT_MISMATCH) set->mismatches++;
    if (at >= 0) {
        set->values[at] = set->values[--set->count];
        if ((uint32_t)at < set->count) set->position[set->values[at].index] = at;
        set->position[index] = -1;
    }
}

/* Makes every position -1 again, for the next event. */
static void reader_values_done(reader_values *set)
{
    for (uint32_t i = 0; i < set->count; i++) set->position[set->values[i].index] = -1;
}

static uint32_t reader_format_integer(char out[24], bool negative, uint64_t magnitude)
{
    char digits[24];
    uint32_t n = 0;
    do {
        digits[n++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    uint32_t length = 0;
    if (negative) out[length++] = '-';
    while (n) out[length++] = digits[--n];
    out[length] = '\0';
    return length;
}

/* ---- raw and decoded input ------------------------------------------------------ */

/* Reads raw bytes from a file descriptor: > 0 bytes, 0 at the end, -1 on error. */
static ssize_t reader_read_fd(jr_event_reader *reader, void *into, size_t room)
{
    for (;;) {
        ssize_t n = read(reader->fd, into, room);
        if (n >= 0) {
            reader->raw_taken += (uint64_t)n;
            return n;
        }
        if (errno == EINTR) continue;
        reader_describe_errno(reader->input_message, sizeof reader->input_message, "read", reader->name, errno);
        return -1;
    }
}

/* Gives zlib more raw input: false at the end of the input or on an error (then
 * reader->input_failed is set). */
static bool reader_feed_zlib(jr_event_reader *reader)
{
    if (reader->memory) {
        size_t left = reader->memory_length - reader->memory_offset;
        if (left == 0) return false;
        size_t taken = left > UINT32_MAX ? UINT32_MAX : left;
        if (taken > READER_MEMORY_PIECE) taken = READER_MEMORY_PIECE;
        reader->zlib.next_in = (Bytef *)(reader->memory + reader->memory_offset);
        reader->zlib.avail_in = (uInt)taken;
        reader->memory_offset += taken;
        reader->raw_taken += taken;
        return true;
    }
    ssize_t n = reader_read_fd(reader, reader->compressed, reader->compressed_capacity);
    if (n < 0) reader->input_failed = true;
    if (n <= 0) return false;
    reader->zlib.next_in = reader->compressed;
    reader->zlib.avail_in = (uInt)n;
    return true;
}

static ssize_t reader_fail_gzip(jr_event_reader *reader, const char *what)
{
    snprintf(reader->input_message, sizeof reader->input_message, "%s in %s", what, reader->name);
    reader->input_failed = true;
    return -1;
}

/* Inflates into [into, into + room): > 0 bytes, 0 at the end, -1 on error. */
static ssize_t reader_inflate(jr_event_reader *reader, char *into, size_t room)
{
    z_stream *z = &reader->zlib;
    if (room > UINT32_MAX) room = UINT32_MAX;
    z->next_out = (Bytef *)into;
    z->avail_out = (uInt)room;
    while (z->avail_out == room) {
        if (z->avail_in == 0 && !reader_feed_zlib(reader)) {
            if (reader->input_failed) return -1;
            if (!reader->gzip_member_ended) return reader_fail_gzip(reader, "truncated gzip data");
            return 0;
        }
        if (reader->gzip_member_ended) {
            /* More bytes after a member: another member must follow. */
            if (inflateReset(z) != Z_OK) return reader_fail_gzip(reader, "cannot restart zlib");
            reader->gzip_member_ended = false;
        }
        int status = inflate(z, Z_NO_FLUSH);
        if (status == Z_STREAM_END) {
            reader->gzip_member_ended = true;
        } else if (status == Z_MEM_ERROR) {
            return reader_fail_gzip(reader, "out of memory while inflating gzip data");
        } else if (status != Z_OK && status != Z_BUF_ERROR) {
            char what[160];
            snprintf(what, sizeof what, "corrupt gzip data (%s)", z->msg ? z->msg : "zlib error");
            return reader_fail_gzip(reader, what);
        }
    }
    return (ssize_t)(room - z->avail_out);
}

/* Decoded bytes into [into, into + room): > 0 bytes, 0 at the end, -1 on error. */
static ssize_t reader_read_decoded(jr_event_reader *reader, char *into, size_t room)
{
    if (reader->gzip) return reader_inflate(reader, into, room);
    if (reader->memory) {
        size_t left = reader->memory_length - reader->memory_offset;
        size_t n = left < room ? left : room;
        if (n > READER_MEMORY_PIECE) n = READER_MEMORY_PIECE;
        memcpy(into, reader->memory + reader->memory_offset, n);
        reader->memory_offset += n;
        reader->raw_taken += n;
        return (ssize_t)n;
    }
    ssize_t n = reader_read_fd(reader, into, room);
    if (n < 0) reader->input_failed = true;
    return n;
}

static bool reader_resize_buffer(jr_event_reader *reader, size_t capacity)
{
    char *buffer = realloc(reader->buffer, capacity + JR_JSON_PADDING);
    if (!buffer) return false;
    /* Defined bytes where simdjson may read ahead of a line's end. */
    if (capacity > reader->capacity)
        memset(buffer + reader->capacity, 0, capacity - reader->capacity + JR_JSON_PADDING);
    reader->buffer = buffer;
    reader->capacity = capacity;
    return true;
}

/* Reads more decoded bytes after end, first moving what is left to the front and
 * growing the buffer if one record fills it. False only when out of memory. */
static bool reader_fill(jr_event_reader *reader)
{
    if (reader->input_done) return true;
    if (reader->start > 0) {
        size_t pending = reader->end - reader->start;
        memmove(reader->buffer, reader->buffer + reader->start, pending);
        reader->decoded_before += reader->start;
        reader->scan -= reader->start;
        reader->end = pending;
        reader->start = 0;
    }
    if (reader->end == reader->capacity) {
        size_t capacity = reader->capacity * 2;
        if (capacity > READER_BUFFER_LIMIT) capacity = READER_BUFFER_LIMIT;
        if (capacity <= reader->capacity || !reader_resize_buffer(reader, capacity)) return false;
    }
    ssize_t n = reader_read_decoded(reader, reader->buffer + reader->end, reader->capacity - reader->end);
    if (n <= 0)
        reader->input_done = true;
    else
        reader->end += (size_t)n;
    return true;
}

/* ---- records -------------------------------------------------------------------- */

static void reader_csv_reset_scan(jr_event_reader *reader)
{
    reader->scan = reader->start;
    reader->csv_state = CSV_FIELD_START;
    reader->csv_newlines = 0;
    reader->csv_first_newline = SIZE_MAX;
}

/* Looks for the newline that ends the CSV record at start, from scan on; returns it,
 * or NULL when the buffered bytes end first (scan and the state are kept). */
static char *reader_csv_find_end(jr_event_reader *reader)
{
    reader_csv_state state = reader->csv_state;
    char *buffer = reader->buffer;
    size_t at = reader->scan;
    for (; at < reader->end; at++) {
        char c = buffer[at];
        switch (state) {
        case CSV_FIELD_START:
            if (c == '"') {
                state = CSV_QUOTED;
                break;
            }
            /* fall through */
        case CSV_UNQUOTED:
            if (c == '\n') goto found;
            state = c == ',' ? CSV_FIELD_START : CSV_UNQUOTED;
            break;
        case CSV_QUOTED:
            if (c == '"') {
                state = CSV_QUOTE_IN_QUOTED;
            } else if (c == '\n') {
                if (reader->csv_first_newline == SIZE_MAX) reader->csv_first_newline = at - reader->start;
                reader->csv_newlines++;
            }
            break;
        case CSV_QUOTE_IN_QUOTED:
            if (c == '\n') goto found;
            state = c == '"' ? CSV_QUOTED : c == ',' ? CSV_FIELD_START : CSV_UNQUOTED;
            break;
        }
    }
    reader->scan = at;
    reader->csv_state = state;
    return NULL;
found:
    reader->scan = at;
    reader->csv_state = state;
    return buffer + at;
}

/* Skips a UTF-8 byte order mark at the very start of the decoded input. False only
 * when out of memory. */
static bool reader_skip_byte_order_mark(jr_event_reader *reader)
{
    while (reader->at_start) {
        if (reader->end - reader->start >= 3 || reader->input_done) {
            if (reader->end - reader->start >= 3 && memcmp(reader->buffer + reader->start, "\xEF\xBB\xBF", 3) == 0) {
                reader->start += 3;
                reader->scan = reader->start;
            }
            reader->at_start = false;
        } else if (!reader_fill(reader)) {
            return false;
        }
    }
    return true;
}

/* Takes the next line (JSON Lines) or record (CSV, whose quoted fields may span
 * lines), without its newline or a CR before it. *number is the line it starts on. */
static reader_take reader_take_record(jr_event_reader *reader, bool csv, char **record, size_t *length,
                                      uint64_t *number)
{
    if (!reader_skip_byte_order_mark(reader)) return TAKE_NO_MEMORY;
    for (;;) {
        if (reader->discarding) {
            char *newline = memchr(reader->buffer + reader->start, '\n', reader->end - reader->start);
            if (newline) {
                reader->start = (size_t)(newline - reader->buffer) + 1;
                reader->lines_done++;
                reader->discarding = false;
                reader_csv_reset_scan(reader);
                continue;
            }
            reader->start = reader->scan = reader->end;
            if (reader->input_done) {
                reader->discarding = false;
                return TAKE_END;
            }
            if (!reader_fill(reader)) return TAKE_NO_MEMORY;
            continue;
        }

        char *terminator;
        if (csv) {
            terminator = reader_csv_find_end(reader);
        } else {
            terminator = memchr(reader->buffer + reader->scan, '\n', reader->end - reader->scan);
            reader->scan = terminator ? (size_t)(terminator - reader->buffer) : reader->end;
        }
        size_t pending = reader->end - reader->start;
        bool last = !terminator && reader->input_done && pending > 0;
        if (terminator || last) {
            if (last && csv && (reader->csv_state == CSV_QUOTED)) {
                *number = reader->lines_done + 1;
                if (reader->csv_first_newline != SIZE_MAX) {
                    /* read on from the line after the one the record began on */
                    reader->start += reader->csv_first_newline + 1;
                    reader->lines_done++;
                } else {
                    reader->start = reader->end;
                }
                reader_csv_reset_scan(reader);
                return TAKE_UNTERMINATED;
            }
            *record = reader->buffer + reader->start;
            *length = terminator ? (size_t)(terminator - *record) : pending;
            *number = reader->lines_done + 1;
            reader->lines_done += (terminator ? 1 : 0) + (csv ? reader->csv_newlines : 0);
            reader->start = terminator ? (size_t)(terminator - reader->buffer) + 1 : reader->end;
            reader_csv_reset_scan(reader);
            if (*length > 0 && (*record)[*length - 1] == '\r') (*length)--;
            return *length > READER_LINE_LIMIT ? TAKE_TOO_LONG : TAKE_RECORD;
        }
        if (pending > READER_LINE_LIMIT + 1) {
            /* No newline within the limit (and a CR): skip this line. */
            *number = reader->lines_done + 1;
            if (csv && reader->csv_first_newline != SIZE_MAX) {
                reader->start += reader->csv_first_newline + 1;
                reader->lines_done++;
            } else {
                reader->discarding = true;
                reader->start = reader->end;
            }
            reader_csv_reset_scan(reader);
            return TAKE_TOO_LONG;
        }
        if (reader->input_done) return TAKE_END;
        if (!reader_fill(reader)) return TAKE_NO_MEMORY;
    }
}

static bool reader_is_blank(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (!reader_is_space(text[i])) return false;
    return true;
}

static jr_read_status reader_end(jr_event_reader *reader, jr_read_error *error)
{
    if (reader->input_failed) {
        reader->input_failed = false; /* told once; then the end */
        error->line = 0;
        snprintf(error->message, sizeof error->message, "%s", reader->input_message);
        return JR_READ_IO_ERROR;
    }
    return JR_READ_END;
}

/* ---- Segment calls -------------------------------------------------------------- */

static bool reader_kind_of(const char *text, size_t length, jr_event_kind *kind)
{
    if (length == 5 && memcmp(text, "track", 5) == 0) {
        *kind = JR_EVENT_TRACK;
    } else if (length == 8 && memcmp(text, "identify", 8) == 0) {
        *kind = JR_EVENT_IDENTIFY;
    } else if (length == 4 && memcmp(text, "page", 4) == 0) {
        *kind = JR_EVENT_PAGE;
    } else {
        return false;
    }
    return true;
}

static const jr_json_value *reader_json_slot(const jr_json_line *line, jr_json_slot slot)
{
    if (!(line->present & (1u << slot))) return NULL;
    return line->slots[slot].kind == JR_JSON_NULL ? NULL : &line->slots[slot];
}

typedef enum reader_id_status {
    ID_PRESENT,
    ID_ABSENT,       /* missing, null or "" */
    ID_NOT_INTEGER,  /* a number with a fraction or an exponent */
    ID_WRONG_TYPE,
} reader_id_status;

/* An identifier given as a string, or as an integer read as its decimal text. */
static reader_id_status reader_json_id(const jr_json_line *line, jr_json_slot slot, char digits[24],
                                       const char **text, uint32_t *length)
{
    const jr_json_value *value = reader_json_slot(line, slot);
    if (!value) return ID_ABSENT;
    if (value->kind == JR_JSON_STRING) {
        if (value->length == 0) return ID_ABSENT;
        *text = value->string;
        *length = value->length;
        return ID_PRESENT;
    }
    if (value->kind != JR_JSON_NUMBER) return ID_WRONG_TYPE;
    if (value->integer_kind == JR_JSON_NOT_INTEGER) return ID_NOT_INTEGER;
    if (value->integer_kind == JR_JSON_SIGNED) {
        int64_t number = value->signed_integer;
        uint64_t magnitude = number < 0 ? (uint64_t)0 - (uint64_t)number : (uint64_t)number;
        *length = reader_format_integer(digits, number < 0, magnitude);
    } else {
        *length = reader_format_integer(digits, false, value->unsigned_integer);
    }
    *text = digits;
    return ID_PRESENT;
}

static jr_read_status reader_bad_id(jr_read_error *error, uint64_t number, jr_json_slot slot, reader_id_status status)
{
    if (status == ID_NOT_INTEGER)
        return reader_bad(error, number, "\"%s\" is a number but not an integer", jr_json_slot_name(slot));
    return reader_bad(error, number, "\"%s\" is neither a string nor a number", jr_json_slot_name(slot));
}

/* Decodes the members of properties or traits that the table declares. A null
 * trait is kept as JR_TYPE_NULL (it unsets its attribute); a null property is absent. */
static void reader_json_members(jr_event_reader *reader, jr_json_slot slot, const reader_name_table *names,
                                const jr_schema_field *fields, reader_values *set)
{
    const char *key;
    uint32_t key_length;
    jr_json_value value;
    jr_json_members_begin(reader->json, slot);
    while (jr_json_members_next(reader->json, &key, &key_length, &value)) {
        int32_t index = reader_name_find(names, key, key_length);
        if (index < 0) continue;
        char type = fields[index].type;
        jr_field_value *into = reader_slot_for(set, (uint32_t)index);
        reader_conversion conversion = reader_convert_json(&value, type, into);
        if (conversion == CONVERT_ABSENT && slot == JR_SLOT_TRAITS) {
            memset(&into->as, 0, sizeof into->as);
            type = JR_TYPE_NULL;
            conversion = CONVERT_STORED;
        }
        reader_commit(set, (uint32_t)index, type, conversion);
    }
}

/* Fills the event both formats produce, once a line decoded. */
static jr_read_status reader_event(const jr_event_reader *reader, jr_event *event, jr_event_kind kind,
                                   int64_t timestamp, const char *contact_id, uint32_t contact_id_length,
                                   bool anonymous, const char *message_id, uint32_t message_id_length,
                                   int32_t event_index, const reader_values *properties,
                                   const reader_values *traits, uint64_t number)
{
    event->kind = kind;
    event->timestamp = timestamp;
    event->contact_id = contact_id;
    event->contact_id_length = contact_id_length;
    event->anonymous = anonymous;
    event->message_id = message_id;
    event->message_id_length = message_id_length;
    event->event_index = event_index;
    event->properties = reader->properties;
    event->property_count = properties->count;
    event->traits = reader->traits;
    event->trait_count = traits->count;
    event->type_mismatches = properties->mismatches + traits->mismatches;
    event->line = number;
    return JR_READ_EVENT;
}

static jr_read_status reader_decode_json(jr_event_reader *reader, const char *text, size_t length, uint64_t number,
                                         jr_event *event, jr_read_error *error)
{
    jr_json_line *line = &reader->json_line;
    char quoted[READER_QUOTE_LIMIT + 8];
    jr_json_status parsed = jr_json_parse_line(reader->json, text, length, line, error->message, sizeof error->message);
    if (parsed == JR_JSON_NO_MEMORY) return reader_no_memory(error, number);
    if (parsed != JR_JSON_OK) {
        error->line = number;
        return JR_READ_BAD_LINE;
    }

    jr_event_kind kind = JR_EVENT_TRACK;
    const jr_json_value *type = reader_json_slot(line, JR_SLOT_TYPE);
    const jr_json_value *name = reader_json_slot(line, JR_SLOT_EVENT);
    if (type) {
        if (type->kind != JR_JSON_STRING) return reader_bad(error, number, "\"type\" is not a string");
        if (!reader_kind_of(type->string, type->length, &kind))
            return reader_bad(error, number, "unknown type %s (expected track, identify or page)",
                              reader_quote(quoted, type->string, type->length));
    } else if (!name) {
        return reader_bad(error, number, "no \"type\" and no \"event\"");
    }

    const char *contact_id = NULL;
    uint32_t contact_id_length = 0;
    bool anonymous = false;
    reader_id_status id = reader_json_id(line, JR_SLOT_USER_ID, reader->contact_id_digits, &contact_id,
                                         &contact_id_length);
    if (id == ID_ABSENT) {
        anonymous = true;
        id = reader_json_id(line, JR_SLOT_ANONYMOUS_ID, reader->contact_id_digits, &contact_id, &contact_id_length);
        if (id == ID_ABSENT) return reader_bad(error, number, "no userId or anonymousId");
        if (id != ID_PRESENT) return reader_bad_id(error, number, JR_SLOT_ANONYMOUS_ID, id);
    } else if (id != ID_PRESENT) {
        return reader_bad_id(error, number, JR_SLOT_USER_ID, id);
    }

    static const jr_json_slot time_slots[] = { JR_SLOT_TIMESTAMP, JR_SLOT_ORIGINAL_TIMESTAMP, JR_SLOT_SENT_AT,
                                               JR_SLOT_RECEIVED_AT };
    const jr_json_value *time = NULL;
    jr_json_slot time_slot = JR_SLOT_TIMESTAMP;
    for (size_t i = 0; i < sizeof time_slots / sizeof time_slots[0] && !time; i++) {
        time_slot = time_slots[i];
        time = reader_json_slot(line, time_slot);
    }
    if (!time) return reader_bad(error, number, "no timestamp (nor originalTimestamp, sentAt or receivedAt)");
    if (time->kind != JR_JSON_STRING)
        return reader_bad(error, number, "\"%s\" is not a string", jr_json_slot_name(time_slot));
    int64_t timestamp;
    if (!jr_parse_timestamp(time->string, time->length, &timestamp))
        return reader_bad(error, number, "\"%s\" is not an ISO-8601 timestamp: %s", jr_json_slot_name(time_slot),
                          reader_quote(quoted, time->string, time->length));

    const char *message_id = "";
    uint32_t message_id_length = 0;
    id = reader_json_id(line, JR_SLOT_MESSAGE_ID, reader->message_id_digits, &message_id, &message_id_length);
    if (id == ID_NOT_INTEGER || id == ID_WRONG_TYPE) return reader_bad_id(error, number, JR_SLOT_MESSAGE_ID, id);

    int32_t event_index = -1;
    if (kind == JR_EVENT_TRACK) {
        if (!name) return reader_bad(error, number, "track call without \"event\"");
        if (name->kind != JR_JSON_STRING) return reader_bad(error, number, "\"event\" is not a string");
        event_index = reader_name_find(&reader->event_names, name->string, name->length);
    } else if (kind == JR_EVENT_PAGE) {
        event_index = reader->page_event;
    }

    reader_values properties = { reader->properties, 0, reader->property_position, 0 };
    reader_values traits = { reader->traits, 0, reader->trait_position, 0 };
    if (kind != JR_EVENT_IDENTIFY) {
        const jr_json_value *object = reader_json_slot(line, JR_SLOT_PROPERTIES);
        if (object && object->kind != JR_JSON_OBJECT)
            return reader_bad(error, number, "\"properties\" is not an object");
        if (event_index >= 0) {
            const jr_schema_event *declared = &reader->schema->events[event_index];
            if (object)
                reader_json_members(reader, JR_SLOT_PROPERTIES, &reader->field_names[event_index], declared->fields,
                                    &properties);
            const jr_json_value *page_name = reader_json_slot(line, JR_SLOT_NAME);
            if (kind == JR_EVENT_PAGE && page_name && reader->page_name_field >= 0 &&
                reader->property_position[reader->page_name_field] < 0) {
                /* the page's name, when its properties do not give one */
                uint32_t field = (uint32_t)reader->page_name_field;
                char type = declared->fields[field].type;
                reader_commit(&properties, field, type,
                              reader_convert_json(page_name, type, reader_slot_for(&properties, field)));
            }
            reader_values_done(&properties);
        }
    } else {
        const jr_json_value *object = reader_json_slot(line, JR_SLOT_TRAITS);
        if (object && object->kind != JR_JSON_OBJECT) return reader_bad(error, number, "\"traits\" is not an object");
        if (object) {
            reader_json_members(reader, JR_SLOT_TRAITS, &reader->attribute_names, reader->schema->attributes, &traits);
            reader_values_done(&traits);
        }
    }

    return reader_event(reader, event, kind, timestamp, contact_id, contact_id_length, anonymous, message_id,
                        message_id_length, event_index, &properties, &traits, number);
}

/* ---- CSV ------------------------------------------------------------------------ */

/* Splits a record into at most max_cells cells (in reader->cells), unquoting in place.
 * False with message on an error. */
static bool reader_csv_split(jr_event_reader *reader, char *record, size_t length, uint32_t max_cells,
                             uint32_t *cell_count, char *message, size_t message_size)
{
    size_t at = 0;
    uint32_t count = 0;
    for (;;) {
        if (count == max_cells) {
            snprintf(message, message_size, "record has more fields than the header's %u", reader->column_count);
            return false;
        }
        char *cell = record + at;
        size_t cell_length;
        if (at < length && record[at] == '"') {
            size_t out = ++at;
            cell = record + at;
            for (;;) {
                if (at >= length) {
                    snprintf(message, message_size, "unterminated quoted field %u", count + 1);
                    return false;
                }
                if (record[at] == '"') {
                    if (at + 1 < length && record[at + 1] == '"') {
                        record[out++] = '"';
                        at += 2;
                        continue;
                    }
                    at++;
                    break;
                }
                record[out++] = record[at++];
            }
            cell_length = out - (size_t)(cell - record);
            if (at < length && record[at] != ',') {
                snprintf(message, message_size, "text after the closing quote of field %u", count + 1);
                return false;
            }
        } else {
            while (at < length && record[at] != ',') {
                if (record[at] == '"') {
                    snprintf(message, message_size,
                             "quote inside unquoted field %u (quote the field and double the quote)", count + 1);
                    return false;
                }
                at++;
            }
            cell_length = (size_t)(record + at - cell);
        }
        reader->cells[count].bytes = cell;
        reader->cells[count].length = (uint32_t)cell_length;
        count++;
        if (at >= length) break;
        at++; /* the comma */
    }
    *cell_count = count;
    return true;
}

static const reader_cell *reader_csv_special(const jr_event_reader *reader, reader_column_role role)
{
    int32_t column = reader->special_column[role];
    if (column < 0 || reader->cells[column].length == 0) return NULL;
    return &reader->cells[column];
}

static jr_read_status reader_decode_csv(jr_event_reader *reader, char *record, size_t length, uint64_t number,
                                        jr_event *event, jr_read_error *error)
{
    char quoted[READER_QUOTE_LIMIT + 8];
    if (!jr_json_validate_utf8(record, length)) return reader_bad(error, number, "invalid UTF-8");
    uint32_t cell_count;
    if (!reader_csv_split(reader, record, length, reader->column_count, &cell_count, error->message,
                          sizeof error->message)) {
        error->line = number;
        return JR_READ_BAD_LINE;
    }
    if (cell_count != reader->column_count)
        return reader_bad(error, number, "record has %u field%s, the header has %u", cell_count,
                          cell_count == 1 ? "" : "s", reader->column_count);

    jr_event_kind kind = JR_EVENT_TRACK;
    const reader_cell *type = reader_csv_special(reader, COLUMN_TYPE);
    if (type && !reader_kind_of(type->bytes, type->length, &kind))
        return reader_bad(error, number, "unknown type %s (expected track, identify or page)",
                          reader_quote(quoted, type->bytes, type->length));

    bool anonymous = false;
    const reader_cell *contact = reader_csv_special(reader, COLUMN_USER_ID);
    if (!contact) {
        anonymous = true;
        contact = reader_csv_special(reader, COLUMN_ANONYMOUS_ID);
        if (!contact) return reader_bad(error, number, "no userId or anonymousId");
    }

    const reader_cell *time = reader_csv_special(reader, COLUMN_TIMESTAMP);
    if (!time) return reader_bad(error, number, "no timestamp");
    const char *time_text = time->bytes;
    size_t time_length = time->length;
    reader_trim(&time_text, &time_length);
    int64_t timestamp;
    if (!jr_parse_timestamp(time_text, time_length, &timestamp))
        return reader_bad(error, number, "\"timestamp\" is not an ISO-8601 timestamp: %s",
                          reader_quote(quoted, time->bytes, time->length));

    const reader_cell *message_id = reader_csv_special(reader, COLUMN_MESSAGE_ID);

    int32_t event_index = -1;
    if (kind == JR_EVENT_TRACK) {
        const reader_cell *name = reader_csv_special(reader, COLUMN_EVENT);
        if (!name) return reader_bad(error, number, "track call without \"event\"");
        event_index = reader_name_find(&reader->event_names, name->bytes, name->length);
    } else if (kind == JR_EVENT_PAGE) {
        event_index = reader->page_event;
    }

    reader_values properties = { reader->properties, 0, reader->property_position, 0 };
    reader_values traits = { reader->traits, 0, reader->trait_position, 0 };
    if (kind != JR_EVENT_IDENTIFY && event_index >= 0) {
        const reader_name_table *names = &reader->field_names[event_index];
        const jr_schema_field *fields = reader->schema->events[event_index].fields;
        for (uint32_t c = 0; c < reader->column_count; c++) {
            const reader_csv_column *column = &reader->columns[c];
            if (column->role != COLUMN_PROPERTY || reader->cells[c].length == 0) continue;
            int32_t index = reader_name_find_hashed(names, column->name, column->length, column->hash);
            if (index < 0) continue;
            char type = fields[index].type;
            reader_commit(&properties, (uint32_t)index, type,
                          reader_convert_text(reader->cells[c].bytes, reader->cells[c].length, type, true,
                                              reader_slot_for(&properties, (uint32_t)index)));
        }
        reader_values_done(&properties);
    } else if (kind == JR_EVENT_IDENTIFY) {
        for (uint32_t c = 0; c < reader->column_count; c++) {
            const reader_csv_column *column = &reader->columns[c];
            if (column->role != COLUMN_TRAIT || column->attribute < 0 || reader->cells[c].length == 0) continue;
            uint32_t index = (uint32_t)column->attribute;
            char type = reader->schema->attributes[index].type;
            reader_commit(&traits, index, type,
                          reader_convert_text(reader->cells[c].bytes, reader->cells[c].length, type, true,
                                              reader_slot_for(&traits, index)));
        }
        reader_values_done(&traits);
    }

    return reader_event(reader, event, kind, timestamp, contact->bytes, contact->length, anonymous,
                        message_id ? message_id->bytes : "", message_id ? message_id->length : 0, event_index,
                        &properties, &traits, number);
}

static bool reader_has_prefix(const char *text, size_t length, const char *prefix)
{
    size_t n = strlen(prefix);
    return length >= n && memcmp(text, prefix, n) == 0;
}

/* Reads the header row and gives each column its role. False with error filled.
 * An input with no header at all is no error: it holds no events. */
static bool reader_csv_header(jr_event_reader *reader, jr_read_error *error)
{
    char *record = NULL;
    size_t length = 0;
    uint64_t number = 0;
    for (;;) {
        reader_take take = reader_take_record(reader, true, &record, &length, &number);
        if (take == TAKE_END) {
            if (reader->input_failed) {
                error->line = 0;
                snprintf(error->message, sizeof error->message, "%s", reader->input_message);
                return false;
            }
            return true; /* an empty file: no header, no events */
        }
        if (take == TAKE_NO_MEMORY) {
            reader_no_memory(error, 0);
            return false;
        }
        if (take == TAKE_TOO_LONG || take == TAKE_UNTERMINATED) {
            reader_bad(error, number, "%s", take == TAKE_TOO_LONG ? "CSV header longer than the line limit"
                                                                   : "unterminated quoted field in the CSV header");
            return false;
        }
        if (!reader_is_blank(record, length)) break;
    }
    if (!jr_json_validate_utf8(record, length)) {
        reader_bad(error, number, "invalid UTF-8 in the CSV header");
        return false;
    }

    /* columns: one more than the commas, at most */
    size_t columns = 1;
    for (size_t i = 0; i < length; i++) columns += record[i] == ',';
    if (columns > READER_CSV_COLUMN_LIMIT) {
        reader_bad(error, number, "CSV header has more than %d columns", READER_CSV_COLUMN_LIMIT);
        return false;
    }
    reader->header_text = malloc(length ? length : 1);
    reader->columns = calloc(columns, sizeof *reader->columns);
    reader->cells = calloc(columns, sizeof *reader->cells);
    reader_name_slot *seen_slots = calloc(reader_name_table_slots(columns) * 2, sizeof *seen_slots);
    if (!reader->header_text || !reader->columns || !reader->cells || !seen_slots) {
        free(seen_slots);
        reader_no_memory(error, number);
        return false;
    }
    if (length) memcpy(reader->header_text, record, length);
    uint32_t cell_count;
    if (!reader_csv_split(reader, reader->header_text, length, (uint32_t)columns, &cell_count, error->message,
                          sizeof error->message)) {
        free(seen_slots);
        error->line = number;
        return false;
    }
    reader->column_count = cell_count;

    /* Two property columns for one name ("x" and "properties.x") are a mistake, as
     * are two trait columns for one name or a repeated special column. */
    size_t table_slots = reader_name_table_slots(columns);
    reader_name_table seen_properties = { seen_slots, (uint32_t)(table_slots - 1) };
    reader_name_table seen_traits = { seen_slots + table_slots, (uint32_t)(table_slots - 1) };
    char quoted[READER_QUOTE_LIMIT + 8];
    bool ok = true;
    for (uint32_t c = 0; c < cell_count && ok; c++) {
        const char *name = reader->cells[c].bytes;
        size_t name_length = reader->cells[c].length;
        reader_trim(&name, &name_length);
        reader_csv_column *column = &reader->columns[c];
        column->attribute = -1;
        column->role = COLUMN_PROPERTY;
        for (int role = 0; role < COLUMN_SPECIAL_COUNT; role++) {
            if (strlen(reader_special_columns[role]) == name_length &&
                memcmp(reader_special_columns[role], name, name_length) == 0)
                column->role = (reader_column_role)role;
        }
        if (column->role == COLUMN_PROPERTY) {
            if (reader_has_prefix(name, name_length, "traits.")) {
                column->role = COLUMN_TRAIT;
                name += 7;
                name_length -= 7;
            } else if (reader_has_prefix(name, name_length, "properties.")) {
                name += 11;
                name_length -= 11;
            }
        }
        column->name = name;
        column->length = (uint32_t)name_length;
        column->hash = reader_hash(name, name_length);
        if (name_length == 0) {
            reader_bad(error, number, "CSV header: column %u has no name", c + 1);
            ok = false;
        } else if (column->role < COLUMN_SPECIAL_COUNT) {
            if (reader->special_column[column->role] >= 0) {
                reader_bad(error, number, "CSV header: duplicate column %s", reader_quote(quoted, name, name_length));
                ok = false;
            }
            reader->special_column[column->role] = (int32_t)c;
        } else if (!reader_name_insert(column->role == COLUMN_TRAIT ? &seen_traits : &seen_properties, name,
                                       name_length, (int32_t)c)) {
            reader_bad(error, number, "CSV header: two columns for the %s %s",
                       column->role == COLUMN_TRAIT ? "trait" : "property", reader_quote(quoted, name, name_length));
            ok = false;
        } else if (column->role == COLUMN_TRAIT) {
            column->attribute = reader_name_find(&reader->attribute_names, name, name_length);
        }
    }
    free(seen_slots);
    if (!ok) return false;
    if (reader->special_column[COLUMN_TIMESTAMP] < 0) {
        reader_bad(error, number, "CSV header has no \"timestamp\" column");
        return false;
    }
    if (reader->special_column[COLUMN_USER_ID] < 0 && reader->special_column[COLUMN_ANONYMOUS_ID] < 0) {
        reader_bad(error, number, "CSV header has neither a \"userId\" nor an \"anonymousId\" column");
        return false;
    }
    reader->csv_has_header = true;
    return true;
}

/* ---- opening -------------------------------------------------------------------- */

static bool reader_name_ends_with(const char *name, size_t length, const char *suffix)
{
    size_t n = strlen(suffix);
    if (length < n) return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[length - n + i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != suffix[i]) return false;
    }
    return true;
}

/* The format a file name tells (JR_LOG_AUTO when it tells none). */
static jr_log_format reader_format_of_name(const char *name)
{
    if (!name) return JR_LOG_AUTO;
    size_t length = strlen(name);
    if (reader_name_ends_with(name, length, ".gz")) length -= 3;
    if (reader_name_ends_with(name, length, ".jsonl") || reader_name_ends_with(name, length, ".ndjson") ||
        reader_name_ends_with(name, length, ".json"))
        return JR_LOG_JSONL;
    if (reader_name_ends_with(name, length, ".csv")) return JR_LOG_CSV;
    return JR_LOG_AUTO;
}

/* The format the content tells: JSON Lines if the first thing that is not white space
 * is '{', CSV otherwise. False only when out of memory. */
static bool reader_sniff_format(jr_event_reader *reader)
{
    if (!reader_skip_byte_order_mark(reader)) return false;
    size_t at = reader->start;
    for (;;) {
        while (at < reader->end && reader_is_space(reader->buffer[at])) at++;
        if (at < reader->end) {
            reader->format = reader->buffer[at] == '{' ? JR_LOG_JSONL : JR_LOG_CSV;
            return true;
        }
        if (reader->input_done || reader->end - reader->start >= READER_LINE_LIMIT) {
            reader->format = JR_LOG_JSONL; /* nothing but white space */
            return true;
        }
        size_t offset = at - reader->start;
        if (!reader_fill(reader)) return false;
        at = reader->start + offset;
    }
}

static jr_event_reader *reader_new(const jr_schema *schema, const char *name, jr_read_error *error)
{
    static const jr_schema empty_schema = { 0 };
    jr_event_reader *reader = calloc(1, sizeof *reader);
    if (!reader) {
        reader_no_memory(error, 0);
        return NULL;
    }
    reader->schema = schema ? schema : &empty_schema;
    reader->fd = -1;
    reader->at_start = true;
    reader->csv_first_newline = SIZE_MAX;
    for (int role = 0; role < COLUMN_SPECIAL_COUNT; role++) reader->special_column[role] = -1;
    reader->name = strdup(name);
    reader->json = jr_json_parser_new();
    if (!reader->name || !reader->json || !reader_index_schema(reader)) {
        jr_reader_close(reader);
        reader_no_memory(error, 0);
        return NULL;
    }
    return reader;
}

/* Hands a packed log, whose first bytes are in the buffer, to jev_reader.c. */
static jr_event_reader *reader_start_packed(jr_event_reader *reader, jr_read_error *error)
{
    reader->packed = reader->memory
                         ? jr_jev_open_memory(reader->schema, reader->memory, reader->memory_length, error)
                         : jr_jev_open_descriptor(reader->schema, reader->fd, reader->buffer, reader->end, error);
    if (!reader->packed) {
        jr_reader_close(reader);
        return NULL;
    }
    reader->size = jr_jev_size(reader->packed);
    return reader;
}

/* Detects packed logs and gzip, settles the format and reads a CSV header. */
static jr_event_reader *reader_start(jr_event_reader *reader, jr_log_format format, size_t first_buffer,
                                     jr_read_error *error)
{
    if (!reader_resize_buffer(reader, first_buffer)) goto no_memory;
    /* The first bytes, to look for the magic numbers of packed logs and of gzip. */
    while (reader->end < JR_JEV_MAGIC_BYTES && !reader->input_done)
        if (!reader_fill(reader)) goto no_memory;
    if (reader->input_failed && reader->end == 0) {
        error->line = 0;
        snprintf(error->message, sizeof error->message, "%s", reader->input_message);
        jr_reader_close(reader);
        return NULL;
    }
    if (jr_jev_has_magic(reader->buffer, reader->end)) return reader_start_packed(reader, error);
    if (reader->end >= 2 && (unsigned char)reader->buffer[0] == 0x1f && (unsigned char)reader->buffer[1] == 0x8b) {
        if (inflateInit2(&reader->zlib, 16 + MAX_WBITS) != Z_OK) goto no_memory;
        reader->zlib_ready = true;
        reader->gzip = true;
        if (reader->memory) {
            /* inflate straight from the memory, from its start */
            reader->raw_taken -= reader->memory_offset;
            reader->memory_offset = 0;
        } else {
            /* the bytes read so far are the first compressed ones */
            reader->compressed_capacity =
                reader->end > READER_COMPRESSED_BUFFER ? reader->end : READER_COMPRESSED_BUFFER;
            reader->compressed = malloc(reader->compressed_capacity);
            if (!reader->compressed) goto no_memory;
            memcpy(reader->compressed, reader->buffer, reader->end);
            reader->zlib.next_in = reader->compressed;
            reader->zlib.avail_in = (uInt)reader->end;
        }
        reader->end = reader->scan = 0;
        reader->input_done = false;
        reader->input_failed = false;
    }

    reader->format = format;
    if (format == JR_LOG_AUTO && !reader_sniff_format(reader)) goto no_memory;
    if (reader->format == JR_LOG_CSV && !reader_csv_header(reader, error)) {
        jr_reader_close(reader);
        return NULL;
    }
    return reader;

no_memory:
    jr_reader_close(reader);
    reader_no_memory(error, 0);
    return NULL;
}

jr_event_reader *jr_reader_open(const jr_schema *schema, const char *path, jr_log_format format,
                                jr_read_error *error)
{
    jr_read_error ignored;
    if (!error) error = &ignored;
    error->line = 0;
    error->message[0] = '\0';
    if (!path) {
        snprintf(error->message, sizeof error->message, "no path");
        return NULL;
    }
    bool standard_input = strcmp(path, "-") == 0;
    jr_event_reader *reader = reader_new(schema, standard_input ? "standard input" : path, error);
    if (!reader) return NULL;
    if (standard_input) {
        reader->fd = STDIN_FILENO;
    } else {
        reader->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (reader->fd < 0) {
            reader_describe_errno(error->message, sizeof error->message, "open", path, errno);
            jr_reader_close(reader);
            return NULL;
        }
        reader->owns_fd = true;
    }
    struct stat status;
    if (fstat(reader->fd, &status) == 0 && S_ISREG(status.st_mode)) reader->size = (uint64_t)status.st_size;
    if (format == JR_LOG_AUTO && !standard_input) format = reader_format_of_name(path);
    return reader_start(reader, format, READER_FILE_BUFFER, error);
}

jr_event_reader *jr_reader_open_memory(const jr_schema *schema, const void *bytes, size_t length,
                                       jr_log_format format, jr_read_error *error)
{
    jr_read_error ignored;
    if (!error) error = &ignored;
    error->line = 0;
    error->message[0] = '\0';
    jr_event_reader *reader = reader_new(schema, "memory", error);
    if (!reader) return NULL;
    static const unsigned char nothing[1] = { 0 };
    reader->memory = bytes && length ? bytes : nothing;
    reader->memory_length = bytes ? length : 0;
    reader->size = reader->memory_length;
    size_t first_buffer = length + 2;
    if (first_buffer < READER_MEMORY_BUFFER_MIN) first_buffer = READER_MEMORY_BUFFER_MIN;
    if (first_buffer > READER_FILE_BUFFER) first_buffer = READER_FILE_BUFFER;
    return reader_start(reader, format, first_buffer, error);
}

void jr_reader_reuse_memory(jr_event_reader *reader, const void *bytes, size_t length)
{
    static const unsigned char nothing[1] = { 0 };
    reader->memory = bytes && length ? bytes : nothing;
    reader->memory_length = bytes ? length : 0;
    reader->memory_offset = 0;
    reader->raw_taken = 0;
    reader->size = reader->memory_length;
    reader->raw_done = false;
    reader->start = reader->end = reader->scan = 0;
    reader->decoded_before = 0;
    reader->input_done = reader->input_failed = false;
    reader->input_message[0] = '\0';
    reader->at_start = true;
    reader->discarding = false;
    reader->lines_done = 0;
}

/* ---- reading -------------------------------------------------------------------- */

jr_read_status jr_reader_next(jr_event_reader *reader, jr_event *event, jr_read_error *error)
{
    jr_read_error ignored;
    if (!error) error = &ignored;
    if (!reader || !event) return JR_READ_END;
    if (reader->packed) return jr_jev_next(reader->packed, event, error);
    bool csv = reader->format == JR_LOG_CSV;
    if (csv && !reader->csv_has_header) return reader_end(reader, error);
    for (;;) {
        char *record;
        size_t length;
        uint64_t number;
        switch (reader_take_record(reader, csv, &record, &length, &number)) {
        case TAKE_END:
            return reader_end(reader, error);
        case TAKE_NO_MEMORY:
            return reader_no_memory(error, reader->lines_done + 1);
        case TAKE_TOO_LONG:
            if (READER_LINE_LIMIT % (1024 * 1024) == 0)
                return reader_bad(error, number, "%s longer than %d MiB (%d bytes)", csv ? "record" : "line",
                                  READER_LINE_LIMIT / (1024 * 1024), READER_LINE_LIMIT);
            return reader_bad(error, number, "%s longer than %d bytes", csv ? "record" : "line", READER_LINE_LIMIT);
        case TAKE_UNTERMINATED:
            return reader_bad(error, number, "unterminated quoted field: its closing quote never comes");
        case TAKE_RECORD:
            break;
        }
        if (reader_is_blank(record, length)) continue;
        return csv ? reader_decode_csv(reader, record, length, number, event, error)
                   : reader_decode_json(reader, record, length, number, event, error);
    }
}

uint64_t jr_reader_position(const jr_event_reader *reader)
{
    if (!reader) return 0;
    if (reader->packed) return jr_jev_position(reader->packed);
    if (reader->gzip) return reader->raw_taken - reader->zlib.avail_in;
    return reader->decoded_before + reader->start;
}

uint64_t jr_reader_size(const jr_event_reader *reader) { return reader ? reader->size : 0; }

void jr_reader_close(jr_event_reader *reader)
{
    if (!reader) return;
    jr_jev_close(reader->packed);
    if (reader->owns_fd) close(reader->fd);
    if (reader->zlib_ready) inflateEnd(&reader->zlib);
    jr_json_parser_free(reader->json);
    free(reader->compressed);
    free(reader->buffer);
    free(reader->name);
    free(reader->name_slots);
    free(reader->field_names);
    free(reader->properties);
    free(reader->property_position);
    free(reader->traits);
    free(reader->trait_position);
    free(reader->columns);
    free(reader->header_text);
    free(reader->cells);
    free(reader);
}
