/* jev_reader.c: reads packed event logs (.jev, spec/jev.md; the layout is in
 * jev_format.h) for event_reader.c.
 *
 * The file is mapped (or, from a pipe or memory, held) whole; pages of a mapping are
 * handed back to the page cache once summed or read past. Opening checks what
 * concerns the whole file: its size against its header, the magic, the version, the
 * CRC-32, the fingerprint of the schema it was packed for, the strings. Each record is
 * then checked in full as it is read (every varint, bound, index and type), before
 * anything of it is handed out, and a broken rule ends the reading as an I/O error: a
 * file from `journey pack` has none (pack reads its file back), and any other damage
 * fails the CRC first. Every offset is compared with the file's length before it is
 * used; what is allocated depends on the schema alone (the value arrays of one
 * event), never on the file. Reading is a walk over the records, strings pointing
 * into the file: nothing is allocated, parsed or looked up per event. */
#include "jev_reader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "jev_format.h"
#include "json_reader.h"

enum {
    JEV_READ_CHUNK = 1024 * 1024,
    JEV_RELEASE_CHUNK = 4 * 1024 * 1024, /* bytes read, handed back to the page cache */
};

/* The decoding steps, inlined into the one loop over a record. */
#define JEV_STEP __attribute__((always_inline)) static inline

/* Where decoding stands, and what the deltas of the next record are taken from. */
typedef struct jev_cursor {
    const unsigned char *at;
    int64_t timestamp; /* of the previous event */
    uint64_t line;     /* of the previous record */
    uint64_t record;   /* records decoded */
} jev_cursor;

struct jr_jev_reader {
    const jr_schema *schema;
    const unsigned char *bytes; /* the whole file */
    size_t length;
    void *mapping;        /* when mapped: munmap'ed on close */
    size_t released;      /* bytes of the mapping from its start given back so far */
    unsigned char *owned; /* when read: freed on close */

    const unsigned char *records, *records_end;
    const unsigned char *string_bytes;
    uint64_t string_bytes_length;
    bool strings_ascii; /* then no string value can cut a character */
    uint64_t record_count, event_count;

    jev_cursor cursor;
    uint64_t events_read;
    bool done; /* the end, or a broken rule, was told */
    /* one event's values, and a stamp per field and attribute to find repeats */
    jr_field_value *properties;
    jr_field_value *traits;
    uint32_t *field_stamps;
    uint32_t *attribute_stamps;
    uint32_t stamp;
    uint32_t most_fields; /* of any event */

    char problem[sizeof(((jr_read_error *)0)->message)];
};

bool jr_jev_has_magic(const void *bytes, size_t length)
{
    return length >= JR_JEV_MAGIC_BYTES && memcmp(bytes, JR_JEV_MAGIC, JR_JEV_MAGIC_BYTES) == 0;
}

/* ---- decoding, with every check ------------------------------------------------------ */

/* Says what is wrong with the record at the cursor; returns JR_READ_IO_ERROR. */
__attribute__((format(printf, 3, 4), cold, noinline)) static jr_read_status jev_problem(jr_jev_reader *reader,
                                                                         const jev_cursor *cursor,
                                                                         const char *format, ...)
{
    int written = snprintf(reader->problem, sizeof reader->problem, "record %llu (byte %llu): ",
                           (unsigned long long)cursor->record + 1,
                           (unsigned long long)(cursor->at - reader->bytes));
    if (written < 0 || (size_t)written >= sizeof reader->problem) written = 0;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(reader->problem + written, sizeof reader->problem - (size_t)written, format, arguments);
    va_end(arguments);
    return JR_READ_IO_ERROR;
}

/* An unsigned LEB128 of at most 64 bits; false if it runs past end or overflows. */
static inline bool jev_varint(const unsigned char **at, const unsigned char *end, uint64_t *value)
{
    const unsigned char *p = *at;
    if (p < end && *p < 0x80) {
        *value = *p;
        *at = p + 1;
        return true;
    }
    uint64_t result = 0;
    for (unsigned shift = 0; p < end && shift < 64; shift += 7) {
        unsigned byte = *p++;
        if (shift == 63 && byte > 1) return false; /* bits beyond the 64th */
        result |= (uint64_t)(byte & 0x7f) << shift;
        if (byte < 0x80) {
            *value = result;
            *at = p;
            return true;
        }
    }
    return false;
}

static inline bool jev_is_ascii(const unsigned char *bytes, size_t length)
{
    uint64_t any = 0;
    size_t i = 0;
    for (; i + 8 <= length; i += 8) any |= jr_jev_load_u64(bytes + i);
    for (; i < length; i++) any |= bytes[i];
    return (any & 0x8080808080808080ull) == 0;
}

static inline bool jev_is_utf8(const unsigned char *bytes, size_t length)
{
    return jev_is_ascii(bytes, length) || jr_json_validate_utf8((const char *)bytes, length);
}

/* Whether offset is where a character of the strings starts (or their end). */
static inline bool jev_on_character(const jr_jev_reader *reader, uint64_t offset)
{
    return offset == reader->string_bytes_length || (reader->string_bytes[offset] & 0xC0) != 0x80;
}

/* A string value: its offset in the strings and its length, within them and, when
 * the strings are not all ASCII, starting and ending on characters: the strings being
 * UTF-8 as a whole, each piece then is. No look-up: the bytes are only touched by
 * whoever reads the value. */
JEV_STEP jr_read_status jev_string_value(jr_jev_reader *reader, const jev_cursor *cursor, const unsigned char **at,
                                        jr_field_value *value)
{
    uint64_t offset, length;
    if (!jev_varint(at, reader->records_end, &offset) || !jev_varint(at, reader->records_end, &length))
        return jev_problem(reader, cursor, "a malformed varint");
    if (offset > reader->string_bytes_length || length > reader->string_bytes_length - offset)
        return jev_problem(reader, cursor, "string value at %llu, %llu bytes, outside the %llu bytes of strings",
                           (unsigned long long)offset, (unsigned long long)length,
                           (unsigned long long)reader->string_bytes_length);
    if (length > UINT32_MAX) return jev_problem(reader, cursor, "a string value longer than 4 GiB");
    if (!reader->strings_ascii &&
        (!jev_on_character(reader, offset) || !jev_on_character(reader, offset + length)))
        return jev_problem(reader, cursor, "string value at %llu, %llu bytes, cuts a UTF-8 character",
                           (unsigned long long)offset, (unsigned long long)length);
    value->as.string.bytes = (const char *)reader->string_bytes + offset;
    value->as.string.length = (uint32_t)length;
    return JR_READ_EVENT;
}

/* One value of the declared type at the cursor (the end is the records' end). */
JEV_STEP jr_read_status jev_value(jr_jev_reader *reader, jev_cursor *cursor, const unsigned char **at, char type,
                                 jr_field_value *value)
{
    const unsigned char *end = reader->records_end;
    uint64_t raw;
    value->type = type;
    switch (type) {
    case JR_TYPE_NUMBER:
        if (end - *at < 8) return jev_problem(reader, cursor, "a number runs past the records");
        raw = jr_jev_load_u64(*at);
        memcpy(&value->as.number, &raw, sizeof raw);
        *at += 8;
        return JR_READ_EVENT;
    case JR_TYPE_BOOL:
        if (*at >= end) return jev_problem(reader, cursor, "a bool runs past the records");
        if (**at > 1) return jev_problem(reader, cursor, "bool value %u is neither 0 nor 1", **at);
        value->as.boolean = **at == 1;
        *at += 1;
        return JR_READ_EVENT;
    case JR_TYPE_TIME:
    case JR_TYPE_DURATION:
        if (!jev_varint(at, end, &raw)) return jev_problem(reader, cursor, "a malformed varint");
        value->as.time = jr_jev_unzigzag(raw);
        if (type == JR_TYPE_TIME && (value->as.time < JR_JEV_FIRST_TIME || value->as.time > JR_JEV_LAST_TIME))
            return jev_problem(reader, cursor, "time value %lld is outside the years 0001 to 9999",
                               (long long)value->as.time);
        if (type == JR_TYPE_DURATION &&
            (value->as.time < -JR_JEV_DURATION_LIMIT || value->as.time > JR_JEV_DURATION_LIMIT))
            return jev_problem(reader, cursor, "duration value %lld is out of range", (long long)value->as.time);
        return JR_READ_EVENT;
    case JR_TYPE_STRING: return jev_string_value(reader, cursor, at, value);
    default:
        return jev_problem(reader, cursor, "a value of type '%c', which no value has", type);
    }
}

/* A string written in the record: its length, then its bytes, UTF-8. */
JEV_STEP jr_read_status jev_inline_string(jr_jev_reader *reader, const jev_cursor *cursor, const unsigned char **at,
                                         const char *what, const char **bytes, uint32_t *length)
{
    uint64_t size;
    if (!jev_varint(at, reader->records_end, &size)) return jev_problem(reader, cursor, "a malformed varint");
    if ((uint64_t)(reader->records_end - *at) < size)
        return jev_problem(reader, cursor, "a %s runs past the records", what);
    if (size > UINT32_MAX) return jev_problem(reader, cursor, "a %s longer than 4 GiB", what);
    if (!jev_is_utf8(*at, size)) return jev_problem(reader, cursor, "a %s that is not UTF-8", what);
    *bytes = (const char *)*at;
    *length = (uint32_t)size;
    *at += size;
    return JR_READ_EVENT;
}

/* A new stamp for the next record's repeat checks (all clear again when it wraps). */
static inline void jev_next_stamp(jr_jev_reader *reader)
{
    if (++reader->stamp != 0) return;
    memset(reader->field_stamps, 0, reader->most_fields * sizeof *reader->field_stamps);
    memset(reader->attribute_stamps, 0, reader->schema->attribute_count * sizeof *reader->attribute_stamps);
    reader->stamp = 1;
}

static jr_read_status jev_decode_bad_line(jr_jev_reader *reader, jev_cursor *cursor, const unsigned char *at,
                                          jr_read_error *error)
{
    const unsigned char *end = reader->records_end;
    uint64_t delta, length;
    if (!jev_varint(&at, end, &delta) || !jev_varint(&at, end, &length))
        return jev_problem(reader, cursor, "a malformed varint");
    if (length == 0 || length > JR_JEV_MESSAGE_LIMIT)
        return jev_problem(reader, cursor, "a bad line's message of %llu bytes (1 to %zu)", (unsigned long long)length,
                           JR_JEV_MESSAGE_LIMIT);
    if ((uint64_t)(end - at) < length) return jev_problem(reader, cursor, "a bad line's message runs past the records");
    if (memchr(at, '\0', length)) return jev_problem(reader, cursor, "a bad line's message holds a NUL byte");
    cursor->line += (uint64_t)jr_jev_unzigzag(delta);
    error->line = cursor->line;
    memcpy(error->message, at, length);
    error->message[length] = '\0';
    cursor->at = at + length;
    cursor->record++;
    return JR_READ_BAD_LINE;
}

/* Decodes the record at the cursor into event (or, for a bad line, error) and moves
 * on, checking every rule of spec/jev.md 5; JR_READ_IO_ERROR with reader->problem
 * when one is broken. */
static jr_read_status jev_decode(jr_jev_reader *reader, jev_cursor *cursor, jr_event *event, jr_read_error *error)
{
    const jr_schema *schema = reader->schema;
    const unsigned char *at = cursor->at, *end = reader->records_end;
    unsigned tag = *at++;
    unsigned kind = tag & JR_JEV_KIND_MASK;
    if (tag > (JR_JEV_KIND_MASK | JR_JEV_ANONYMOUS) || (kind == JR_JEV_BAD_LINE && tag != JR_JEV_BAD_LINE))
        return jev_problem(reader, cursor, "unknown record byte 0x%02x", tag);
    if (kind == JR_JEV_BAD_LINE) return jev_decode_bad_line(reader, cursor, at, error);

    uint64_t time_delta, line_delta, event_number, mismatches;
    if (!jev_varint(&at, end, &time_delta) || !jev_varint(&at, end, &line_delta))
        return jev_problem(reader, cursor, "a malformed varint");
    int64_t timestamp = (int64_t)((uint64_t)cursor->timestamp + (uint64_t)jr_jev_unzigzag(time_delta));
    if (timestamp < JR_JEV_FIRST_TIME || timestamp > JR_JEV_LAST_TIME)
        return jev_problem(reader, cursor, "timestamp %lld is outside the years 0001 to 9999", (long long)timestamp);
    jr_read_status status = jev_inline_string(reader, cursor, &at, "contact id", &event->contact_id,
                                              &event->contact_id_length);
    if (status != JR_READ_EVENT) return status;
    if (event->contact_id_length == 0) return jev_problem(reader, cursor, "an empty contact id");
    status = jev_inline_string(reader, cursor, &at, "messageId", &event->message_id,
                               &event->message_id_length);
    if (status != JR_READ_EVENT) return status;
    if (!jev_varint(&at, end, &event_number) || !jev_varint(&at, end, &mismatches))
        return jev_problem(reader, cursor, "a malformed varint");
    if (event_number > schema->event_count)
        return jev_problem(reader, cursor, "event %llu is not an event of the program (which declares %u)",
                           (unsigned long long)event_number - 1, schema->event_count);
    if (kind == JR_JEV_IDENTIFY && event_number != 0)
        return jev_problem(reader, cursor, "an identify call names an event");
    if (mismatches > UINT32_MAX)
        return jev_problem(reader, cursor, "%llu type mismatches", (unsigned long long)mismatches);

    jev_next_stamp(reader);
    uint64_t count;
    /* properties: of a declared event, tracked or a page */
    if (!jev_varint(&at, end, &count)) return jev_problem(reader, cursor, "a malformed varint");
    const jr_schema_event *declared = event_number ? &schema->events[event_number - 1] : NULL;
    if (count && !declared) return jev_problem(reader, cursor, "properties without a declared event");
    if (declared && count > declared->field_count)
        return jev_problem(reader, cursor, "%llu properties, more than the event's %u fields",
                           (unsigned long long)count, declared->field_count);
    for (uint32_t i = 0; i < count; i++) {
        uint64_t field;
        if (!jev_varint(&at, end, &field)) return jev_problem(reader, cursor, "a malformed varint");
        if (field >= declared->field_count)
            return jev_problem(reader, cursor, "field %llu is not a field of event \"%s\" (which has %u)",
                               (unsigned long long)field, declared->external_name, declared->field_count);
        if (reader->field_stamps[field] == reader->stamp)
            return jev_problem(reader, cursor, "field \"%s\" given twice", declared->fields[field].name);
        reader->field_stamps[field] = reader->stamp;
        jr_field_value *value = &reader->properties[i];
        value->index = (uint32_t)field;
        status = jev_value(reader, cursor, &at, declared->fields[field].type, value);
        if (status != JR_READ_EVENT) return status;
    }
    /* traits: of an identify call, a value or null each */
    uint64_t trait_count;
    if (!jev_varint(&at, end, &trait_count)) return jev_problem(reader, cursor, "a malformed varint");
    if (trait_count && kind != JR_JEV_IDENTIFY) return jev_problem(reader, cursor, "traits on a track or page call");
    if (trait_count > schema->attribute_count)
        return jev_problem(reader, cursor, "%llu traits, more than the program's %u attributes",
                           (unsigned long long)trait_count, schema->attribute_count);
    for (uint32_t i = 0; i < trait_count; i++) {
        uint64_t word;
        if (!jev_varint(&at, end, &word)) return jev_problem(reader, cursor, "a malformed varint");
        uint64_t attribute = word >> 1;
        if (attribute >= schema->attribute_count)
            return jev_problem(reader, cursor,
                               "attribute %llu is not an attribute of the program (which declares %u)",
                               (unsigned long long)attribute, schema->attribute_count);
        if (reader->attribute_stamps[attribute] == reader->stamp)
            return jev_problem(reader, cursor, "trait \"%s\" given twice", schema->attributes[attribute].name);
        reader->attribute_stamps[attribute] = reader->stamp;
        jr_field_value *value = &reader->traits[i];
        value->index = (uint32_t)attribute;
        if (word & 1) { /* null: unsets the attribute */
            value->type = JR_TYPE_NULL;
            memset(&value->as, 0, sizeof value->as);
            continue;
        }
        status = jev_value(reader, cursor, &at, schema->attributes[attribute].type, value);
        if (status != JR_READ_EVENT) return status;
    }

    event->kind = (jr_event_kind)kind;
    event->timestamp = timestamp;
    event->anonymous = (tag & JR_JEV_ANONYMOUS) != 0;
    event->event_index = (int32_t)event_number - 1;
    event->properties = reader->properties;
    event->property_count = (uint32_t)count;
    event->traits = reader->traits;
    event->trait_count = (uint32_t)trait_count;
    event->type_mismatches = (uint32_t)mismatches;
    cursor->line += (uint64_t)jr_jev_unzigzag(line_delta);
    event->line = cursor->line;
    cursor->timestamp = timestamp;
    cursor->at = at;
    cursor->record++;
    return JR_READ_EVENT;
}

/* ---- checks at open ------------------------------------------------------------------ */

/* Fills reader->problem and returns false. */
__attribute__((format(printf, 2, 3))) static bool jev_refuse(jr_jev_reader *reader, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(reader->problem, sizeof reader->problem, format, arguments);
    va_end(arguments);
    return false;
}

/* Gives the mapped pages before until back to the page cache, so that the process
 * holds only what it reads now (and the strings), not the whole file. The mapping is
 * private and read-only: a page given back reads the same bytes from the file again if
 * something still points into it. */
static void jev_release(jr_jev_reader *reader, const unsigned char *until)
{
    if (!reader->mapping) return;
    long page = sysconf(_SC_PAGESIZE);
    size_t end = (size_t)(until - reader->bytes);
    if (page > 0) end -= end % (size_t)page;
    if (end <= reader->released) return;
    madvise((unsigned char *)reader->mapping + reader->released, end - reader->released, MADV_DONTNEED);
    reader->released = end;
}

/* The CRC-32 of the file but its last 4 bytes, a piece at a time, each piece given
 * back once summed (a mapped file is never resident whole). */
static uint32_t jev_crc(jr_jev_reader *reader)
{
    uint32_t crc = (uint32_t)crc32_z(0, Z_NULL, 0);
    size_t summed = 0, length = reader->length - JR_JEV_CRC_BYTES;
    while (summed < length) {
        size_t piece = length - summed < JEV_RELEASE_CHUNK ? length - summed : JEV_RELEASE_CHUNK;
        crc = (uint32_t)crc32_z(crc, reader->bytes + summed, piece);
        summed += piece;
        jev_release(reader, reader->bytes + summed);
    }
    return crc;
}

/* The header: size, magic, version, flags, where the sections lie, the CRC and the
 * schema. */
static bool jev_check_header(jr_jev_reader *reader)
{
    const unsigned char *bytes = reader->bytes;
    size_t length = reader->length;
    const uint64_t minimum = JR_JEV_HEADER_BYTES + JR_JEV_CRC_BYTES;
    if (!jr_jev_has_magic(bytes, length)) return jev_refuse(reader, "not a .jev file: bad magic");
    if (length < minimum)
        return jev_refuse(reader, "truncated: %zu bytes, fewer than a header and a checksum (%llu)", length,
                          (unsigned long long)minimum);
    uint32_t version = jr_jev_load_u32(bytes + JR_JEV_AT_VERSION);
    if (version != JR_JEV_VERSION)
        return jev_refuse(reader, "packed event log format %u is not supported (this runtime reads %d): pack it again",
                          version, JR_JEV_VERSION);
    uint32_t flags = jr_jev_load_u32(bytes + JR_JEV_AT_FLAGS);
    if (flags != 0) return jev_refuse(reader, "unknown header flags 0x%x", flags);

    reader->record_count = jr_jev_load_u64(bytes + JR_JEV_AT_RECORDS);
    reader->event_count = jr_jev_load_u64(bytes + JR_JEV_AT_EVENTS);
    uint64_t record_bytes = jr_jev_load_u64(bytes + JR_JEV_AT_RECORD_BYTES);
    reader->string_bytes_length = jr_jev_load_u64(bytes + JR_JEV_AT_STRING_BYTES);
    /* header + records + strings + CRC, without overflow */
    if (record_bytes > UINT64_MAX - minimum || reader->string_bytes_length > UINT64_MAX - minimum - record_bytes)
        return jev_refuse(reader, "bad header: its section lengths overflow");
    uint64_t expected = minimum + record_bytes + reader->string_bytes_length;
    if (expected > length)
        return jev_refuse(reader, "truncated: %zu bytes, but the header describes %llu", length,
                          (unsigned long long)expected);
    if (expected < length)
        return jev_refuse(reader, "%llu bytes after the end the header describes (%llu bytes)",
                          (unsigned long long)(length - expected), (unsigned long long)expected);
    if (reader->event_count > reader->record_count)
        return jev_refuse(reader, "bad header: %llu events in %llu records", (unsigned long long)reader->event_count,
                          (unsigned long long)reader->record_count);

    uint32_t stored = jr_jev_load_u32(bytes + length - JR_JEV_CRC_BYTES);
    if (jev_crc(reader) != stored)
        return jev_refuse(reader, "checksum mismatch: the file is damaged");
    if (jr_jev_load_u64(bytes + JR_JEV_AT_FINGERPRINT) != jr_jev_schema_fingerprint(reader->schema))
        return jev_refuse(reader, "packed for another program: pack again");

    reader->records = bytes + JR_JEV_HEADER_BYTES;
    reader->records_end = reader->records + record_bytes;
    reader->string_bytes = reader->records_end;
    return true;
}

/* The strings: UTF-8 as a whole (each value is checked to start and end on a
 * character with its record). */
static bool jev_check_strings(jr_jev_reader *reader)
{
    reader->strings_ascii = jev_is_ascii(reader->string_bytes, reader->string_bytes_length);
    if (!reader->strings_ascii &&
        !jr_json_validate_utf8((const char *)reader->string_bytes, reader->string_bytes_length))
        return jev_refuse(reader, "the strings are not valid UTF-8");
    return true;
}

/* ---- opening ---------------------------------------------------------------------- */



/* Takes bytes (and what is to be freed with the reader) and checks all but the
 * records. */
static jr_jev_reader *jev_open(const jr_schema *schema, const unsigned char *bytes, size_t length, void *mapping,
                               unsigned char *owned, jr_read_error *error)
{
    static const jr_schema empty_schema = { 0 };
    error->line = 0;
    error->message[0] = '\0';
    jr_jev_reader *reader = calloc(1, sizeof *reader);
    if (!reader) {
        if (mapping) munmap(mapping, length);
        free(owned);
        snprintf(error->message, sizeof error->message, "out of memory");
        return NULL;
    }
    reader->schema = schema ? schema : &empty_schema;
    reader->bytes = bytes;
    reader->length = length;
    reader->mapping = mapping;
    reader->owned = owned;
    for (uint32_t e = 0; e < reader->schema->event_count; e++)
        if (reader->schema->events[e].field_count > reader->most_fields)
            reader->most_fields = reader->schema->events[e].field_count;
    uint32_t attributes = reader->schema->attribute_count;
    reader->properties = calloc(reader->most_fields + 1, sizeof *reader->properties);
    reader->traits = calloc(attributes + 1, sizeof *reader->traits);
    reader->field_stamps = calloc(reader->most_fields + 1, sizeof *reader->field_stamps);
    reader->attribute_stamps = calloc(attributes + 1, sizeof *reader->attribute_stamps);
    if (!reader->properties || !reader->traits || !reader->field_stamps || !reader->attribute_stamps) {
        jr_jev_close(reader);
        snprintf(error->message, sizeof error->message, "out of memory");
        return NULL;
    }
    if (!jev_check_header(reader) || !jev_check_strings(reader)) {
        snprintf(error->message, sizeof error->message, "%s", reader->problem);
        jr_jev_close(reader);
        return NULL;
    }
    reader->cursor = (jev_cursor){ reader->records, 0, 0, 0 };
    reader->released = 0; /* the walk brings the pages in again, from the start */
    return reader;
}

jr_jev_reader *jr_jev_open_memory(const jr_schema *schema, const void *bytes, size_t length, jr_read_error *error)
{
    jr_read_error ignored;
    static const unsigned char nothing[1] = { 0 };
    return jev_open(schema, bytes ? bytes : nothing, bytes ? length : 0, NULL, NULL, error ? error : &ignored);
}

jr_jev_reader *jr_jev_open_descriptor(const jr_schema *schema, int fd, const void *head, size_t head_length,
                                      jr_read_error *error)
{
    jr_read_error ignored;
    if (!error) error = &ignored;
    /* A regular file read from its start: map it. */
    struct stat status;
    if (fstat(fd, &status) == 0 && S_ISREG(status.st_mode) && status.st_size > 0 &&
        (uint64_t)status.st_size <= SIZE_MAX && lseek(fd, 0, SEEK_CUR) == (off_t)head_length) {
        size_t length = (size_t)status.st_size;
        void *mapping = mmap(NULL, length, PROT_READ, MAP_PRIVATE, fd, 0);
        if (mapping != MAP_FAILED) return jev_open(schema, mapping, length, mapping, NULL, error);
    }
    /* Anything else: what was read, then the rest. */
    size_t capacity = head_length > JEV_READ_CHUNK ? 2 * head_length : JEV_READ_CHUNK, length = head_length;
    unsigned char *buffer = malloc(capacity);
    if (!buffer) {
        snprintf(error->message, sizeof error->message, "out of memory");
        return NULL;
    }
    if (head_length) memcpy(buffer, head, head_length);
    for (;;) {
        if (length == capacity) {
            unsigned char *larger = capacity <= SIZE_MAX / 2 ? realloc(buffer, capacity * 2) : NULL;
            if (!larger) {
                free(buffer);
                snprintf(error->message, sizeof error->message, "out of memory");
                return NULL;
            }
            buffer = larger;
            capacity *= 2;
        }
        ssize_t got = read(fd, buffer + length, capacity - length);
        if (got == 0) break;
        if (got < 0) {
            if (errno == EINTR) continue;
            snprintf(error->message, sizeof error->message, "read: %s", strerror(errno));
            free(buffer);
            return NULL;
        }
        length += (size_t)got;
    }
    return jev_open(schema, buffer, length, NULL, buffer, error);
}

/* ---- reading ---------------------------------------------------------------------- */

jr_read_status jr_jev_next(jr_jev_reader *reader, jr_event *event, jr_read_error *error)
{
    jr_read_error ignored;
    if (!error) error = &ignored;
    if (reader->done) return JR_READ_END;
    if (reader->cursor.at < reader->records_end) {
        if ((size_t)(reader->cursor.at - reader->bytes) >= reader->released + JEV_RELEASE_CHUNK)
            jev_release(reader, reader->cursor.at);
        jr_read_status status = jev_decode(reader, &reader->cursor, event, error);
        reader->events_read += status == JR_READ_EVENT;
        if (status != JR_READ_IO_ERROR) return status;
    } else if (reader->cursor.record != reader->record_count || reader->events_read != reader->event_count) {
        jev_refuse(reader, "the records hold %llu events and %llu bad lines, the header says %llu and %llu",
                   (unsigned long long)reader->events_read,
                   (unsigned long long)(reader->cursor.record - reader->events_read),
                   (unsigned long long)reader->event_count,
                   (unsigned long long)(reader->record_count - reader->event_count));
    } else {
        reader->done = true;
        return JR_READ_END;
    }
    /* a broken rule: told once, then the end */
    reader->done = true;
    error->line = 0;
    snprintf(error->message, sizeof error->message, "%s", reader->problem);
    return JR_READ_IO_ERROR;
}

uint64_t jr_jev_position(const jr_jev_reader *reader)
{
    if (reader->done || reader->cursor.at >= reader->records_end) return reader->length;
    return (uint64_t)(reader->cursor.at - reader->bytes);
}

uint64_t jr_jev_size(const jr_jev_reader *reader) { return reader->length; }

void jr_jev_close(jr_jev_reader *reader)
{
    if (!reader) return;
    if (reader->mapping) munmap(reader->mapping, reader->length);
    free(reader->owned);
    free(reader->properties);
    free(reader->traits);
    free(reader->field_stamps);
    free(reader->attribute_stamps);
    free(reader);
}
