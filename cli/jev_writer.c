/* jev_writer.c: the writer of packed event logs (jev_writer.h; the layout is
 * runtime/jev_format.h, the rules spec/jev.md). Memory holds the distinct strings and
 * one output buffer; the records stream to the file. */
#include "jev_writer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../runtime/jev_format.h"

enum { WRITER_BUFFER = 1 << 20, WRITER_FIRST_SLOTS = 1024 };

/* One distinct string value and where it is in the strings; an offset of
 * WRITER_EMPTY_SLOT marks an empty slot. */
typedef struct writer_slot {
    uint64_t hash;
    uint64_t offset;
    uint32_t length;
} writer_slot;

#define WRITER_EMPTY_SLOT UINT64_MAX

struct jev_writer {
    const jr_schema *schema;
    char *path, *temporary;
    FILE *file;
    bool created;  /* the temporary file exists */
    bool finished; /* ... and is in place */
    bool io_failed;

    /* output: a buffer, and the CRC of everything after the header */
    unsigned char *buffer;
    size_t used;
    uint32_t crc;
    uint64_t written; /* bytes after the header */

    /* the previous record, which the deltas start from */
    int64_t timestamp;
    uint64_t line;
    uint64_t records, events, undeclared;

    /* the strings: each distinct value once, found again by a hash table */
    char *string_bytes;
    uint64_t string_bytes_used, string_bytes_capacity;
    uint64_t string_count;
    writer_slot *slots;
    uint64_t slot_mask;

    char message[256];
};

__attribute__((format(printf, 2, 3))) static bool writer_fail(jev_writer *writer, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(writer->message, sizeof writer->message, format, arguments);
    va_end(arguments);
    return false;
}

static bool writer_io_failed(jev_writer *writer)
{
    writer->io_failed = true;
    return writer_fail(writer, "cannot write '%s': %s", writer->temporary, strerror(errno));
}

const char *jev_writer_error(const jev_writer *writer) { return writer->message; }

bool jev_writer_failed_io(const jev_writer *writer) { return writer->io_failed; }

/* ---- output ------------------------------------------------------------------------- */

static bool writer_flush(jev_writer *writer)
{
    if (writer->used == 0) return true;
    writer->crc = (uint32_t)crc32_z(writer->crc, writer->buffer, writer->used);
    if (fwrite(writer->buffer, 1, writer->used, writer->file) != writer->used) return writer_io_failed(writer);
    writer->written += writer->used;
    writer->used = 0;
    return true;
}

/* Room for length more bytes in the buffer (length at most WRITER_BUFFER). */
static inline bool writer_room(jev_writer *writer, size_t length)
{
    return WRITER_BUFFER - writer->used >= length || writer_flush(writer);
}

static bool writer_bytes(jev_writer *writer, const void *bytes, uint64_t length)
{
    const unsigned char *at = bytes;
    while (length > 0) {
        if (writer->used == WRITER_BUFFER && !writer_flush(writer)) return false;
        size_t piece = WRITER_BUFFER - writer->used;
        if (piece > length) piece = (size_t)length;
        memcpy(writer->buffer + writer->used, at, piece);
        writer->used += piece;
        at += piece;
        length -= piece;
    }
    return true;
}

static inline bool writer_varint(jev_writer *writer, uint64_t value)
{
    if (!writer_room(writer, 10)) return false;
    unsigned char *at = writer->buffer + writer->used;
    while (value >= 0x80) {
        *at++ = (unsigned char)(value | 0x80);
        value >>= 7;
    }
    *at++ = (unsigned char)value;
    writer->used = (size_t)(at - writer->buffer);
    return true;
}

static inline bool writer_byte(jev_writer *writer, unsigned byte)
{
    if (!writer_room(writer, 1)) return false;
    writer->buffer[writer->used++] = (unsigned char)byte;
    return true;
}

/* ---- strings ------------------------------------------------------------------------ */

static uint64_t writer_hash(const char *bytes, uint32_t length)
{
    uint64_t hash = 0xcbf29ce484222325ull; /* FNV-1a */
    for (uint32_t i = 0; i < length; i++) hash = (hash ^ (unsigned char)bytes[i]) * 0x100000001b3ull;
    return hash;
}

static bool writer_same(const jev_writer *writer, const writer_slot *slot, const char *bytes, uint32_t length)
{
    return slot->length == length && memcmp(writer->string_bytes + slot->offset, bytes, length) == 0;
}

static writer_slot *writer_new_slots(uint64_t count)
{
    writer_slot *slots = count <= SIZE_MAX / sizeof *slots ? malloc((size_t)count * sizeof *slots) : NULL;
    for (uint64_t i = 0; slots && i < count; i++) slots[i].offset = WRITER_EMPTY_SLOT;
    return slots;
}

/* Doubles the hash table and puts every string back. */
static bool writer_grow_slots(jev_writer *writer)
{
    uint64_t count = (writer->slot_mask + 1) * 2;
    writer_slot *table = writer_new_slots(count);
    if (!table) return writer_fail(writer, "out of memory");
    for (uint64_t i = 0; i <= writer->slot_mask; i++) {
        writer_slot slot = writer->slots[i];
        if (slot.offset == WRITER_EMPTY_SLOT) continue;
        uint64_t at = slot.hash & (count - 1);
        while (table[at].offset != WRITER_EMPTY_SLOT) at = (at + 1) & (count - 1);
        table[at] = slot;
    }
    free(writer->slots);
    writer->slots = table;
    writer->slot_mask = count - 1;
    return true;
}

/* Appends bytes to the strings. */
static bool writer_append_string(jev_writer *writer, const char *bytes, uint32_t length)
{
    uint64_t needed = writer->string_bytes_used + length;
    if (needed > writer->string_bytes_capacity) {
        uint64_t capacity = writer->string_bytes_capacity ? writer->string_bytes_capacity : 64 * 1024;
        while (capacity < needed) capacity *= 2;
        char *grown = capacity <= SIZE_MAX ? realloc(writer->string_bytes, (size_t)capacity) : NULL;
        if (!grown) return writer_fail(writer, "out of memory");
        writer->string_bytes = grown;
        writer->string_bytes_capacity = capacity;
    }
    if (length) memcpy(writer->string_bytes + writer->string_bytes_used, bytes, length);
    writer->string_bytes_used = needed;
    return true;
}

/* Writes a string value as its offset and length in the strings, where it is added
 * on its first use. */
static bool writer_string(jev_writer *writer, const char *bytes, uint32_t length)
{
    uint64_t hash = writer_hash(bytes, length);
    uint64_t at = hash & writer->slot_mask;
    for (; writer->slots[at].offset != WRITER_EMPTY_SLOT; at = (at + 1) & writer->slot_mask) {
        const writer_slot *slot = &writer->slots[at];
        if (slot->hash == hash && writer_same(writer, slot, bytes, length))
            return writer_varint(writer, slot->offset) && writer_varint(writer, length);
    }
    uint64_t offset = writer->string_bytes_used;
    if (!writer_append_string(writer, bytes, length)) return false;
    writer->slots[at] = (writer_slot){ hash, offset, length };
    /* at most half full */
    if (++writer->string_count * 2 > writer->slot_mask && !writer_grow_slots(writer)) return false;
    return writer_varint(writer, offset) && writer_varint(writer, length);
}

/* ---- records ------------------------------------------------------------------------ */

static bool writer_value(jev_writer *writer, const jr_field_value *value)
{
    uint64_t bits;
    switch (value->type) {
    case JR_TYPE_NUMBER:
        if (!writer_room(writer, 8)) return false;
        memcpy(&bits, &value->as.number, sizeof bits);
        jr_jev_store_u64(writer->buffer + writer->used, bits);
        writer->used += 8;
        return true;
    case JR_TYPE_BOOL: return writer_byte(writer, value->as.boolean ? 1 : 0);
    case JR_TYPE_TIME:
    case JR_TYPE_DURATION: return writer_varint(writer, jr_jev_zigzag(value->as.time));
    case JR_TYPE_STRING: return writer_string(writer, value->as.string.bytes, value->as.string.length);
    default: return writer_fail(writer, "a value of type '%c', which no value has", value->type);
    }
}

/* The line's delta from the previous record's, zigzag-mapped. */
static uint64_t writer_line_delta(jev_writer *writer, uint64_t line)
{
    uint64_t delta = jr_jev_zigzag((int64_t)(line - writer->line));
    writer->line = line;
    return delta;
}

bool jev_writer_event(jev_writer *writer, const jr_event *event)
{
    const jr_schema *schema = writer->schema;
    bool identify = event->kind == JR_EVENT_IDENTIFY;
    if (event->event_index < -1 || (event->event_index >= 0 && (uint32_t)event->event_index >= schema->event_count))
        return writer_fail(writer, "line %llu: event %d is not in the schema", (unsigned long long)event->line,
                           event->event_index);
    const jr_schema_event *declared = event->event_index >= 0 ? &schema->events[event->event_index] : NULL;
    if ((event->property_count && (!declared || identify)) || (event->trait_count && !identify))
        return writer_fail(writer, "line %llu: values the event cannot have", (unsigned long long)event->line);
    unsigned tag = (unsigned)event->kind | (event->anonymous ? JR_JEV_ANONYMOUS : 0);
    int64_t delta = (int64_t)((uint64_t)event->timestamp - (uint64_t)writer->timestamp);
    writer->timestamp = event->timestamp;
    if (!writer_byte(writer, tag) || !writer_varint(writer, jr_jev_zigzag(delta)) ||
        !writer_varint(writer, writer_line_delta(writer, event->line)) ||
        !writer_varint(writer, event->contact_id_length) ||
        !writer_bytes(writer, event->contact_id, event->contact_id_length) ||
        !writer_varint(writer, event->message_id_length) ||
        !writer_bytes(writer, event->message_id, event->message_id_length) ||
        !writer_varint(writer, (uint64_t)(event->event_index + 1)) || !writer_varint(writer, event->type_mismatches))
        return false;
    /* properties, each of its field's declared type */
    if (!writer_varint(writer, event->property_count)) return false;
    for (uint32_t i = 0; i < event->property_count; i++) {
        const jr_field_value *value = &event->properties[i];
        if (value->index >= declared->field_count || value->type != declared->fields[value->index].type)
            return writer_fail(writer, "line %llu: a property the event does not declare",
                               (unsigned long long)event->line);
        if (!writer_varint(writer, value->index) || !writer_value(writer, value)) return false;
    }
    /* traits: the attribute and whether it is null, then a value of its type */
    if (!writer_varint(writer, event->trait_count)) return false;
    for (uint32_t i = 0; i < event->trait_count; i++) {
        const jr_field_value *value = &event->traits[i];
        bool null = value->type == JR_TYPE_NULL;
        if (value->index >= schema->attribute_count || (!null && value->type != schema->attributes[value->index].type))
            return writer_fail(writer, "line %llu: a trait the program does not declare",
                               (unsigned long long)event->line);
        if (!writer_varint(writer, (uint64_t)value->index << 1 | null) || (!null && !writer_value(writer, value)))
            return false;
    }
    writer->records++;
    writer->events++;
    writer->undeclared += !identify && !declared;
    return true;
}

bool jev_writer_bad_line(jev_writer *writer, uint64_t line, const char *message)
{
    size_t length = strlen(message);
    if (length == 0) return writer_fail(writer, "line %llu: a bad line without a message", (unsigned long long)line);
    if (length > JR_JEV_MESSAGE_LIMIT) length = JR_JEV_MESSAGE_LIMIT;
    if (!writer_byte(writer, JR_JEV_BAD_LINE) || !writer_varint(writer, writer_line_delta(writer, line)) ||
        !writer_varint(writer, length) || !writer_bytes(writer, message, length))
        return false;
    writer->records++;
    return true;
}

/* ---- the file ----------------------------------------------------------------------- */

jev_writer *jev_writer_new(const jr_schema *schema, const char *path, char *message, size_t message_size)
{
    jev_writer *writer = calloc(1, sizeof *writer);
    size_t length = strlen(path);
    if (writer) {
        writer->schema = schema;
        writer->path = strdup(path);
        writer->temporary = malloc(length + 32);
        writer->buffer = malloc(WRITER_BUFFER);
        writer->slots = writer_new_slots(WRITER_FIRST_SLOTS);
        writer->slot_mask = WRITER_FIRST_SLOTS - 1;
    }
    if (!writer || !writer->path || !writer->temporary || !writer->buffer || !writer->slots) {
        snprintf(message, message_size, "out of memory");
        jev_writer_free(writer);
        return NULL;
    }
    snprintf(writer->temporary, length + 32, "%s.tmp%ld", path, (long)getpid());
    writer->file = fopen(writer->temporary, "wb");
    writer->created = writer->file != NULL;
    if (!writer->file) {
        snprintf(message, message_size, "cannot write '%s': %s", writer->temporary, strerror(errno));
        jev_writer_free(writer);
        return NULL;
    }
    /* the header's place; it is written last */
    static const unsigned char zeros[JR_JEV_HEADER_BYTES] = { 0 };
    if (fwrite(zeros, 1, sizeof zeros, writer->file) != sizeof zeros) {
        snprintf(message, message_size, "cannot write '%s': %s", writer->temporary, strerror(errno));
        jev_writer_free(writer);
        return NULL;
    }
    writer->crc = (uint32_t)crc32_z(0, Z_NULL, 0);
    return writer;
}

bool jev_writer_finish(jev_writer *writer, jev_writer_totals *totals)
{
    if (!writer_flush(writer)) return false;
    uint64_t record_bytes = writer->written;
    if (!writer_bytes(writer, writer->string_bytes, writer->string_bytes_used) || !writer_flush(writer)) return false;

    unsigned char header[JR_JEV_HEADER_BYTES] = { 0 };
    memcpy(header, JR_JEV_MAGIC, JR_JEV_MAGIC_BYTES);
    jr_jev_store_u32(header + JR_JEV_AT_VERSION, JR_JEV_VERSION);
    jr_jev_store_u64(header + JR_JEV_AT_FINGERPRINT, jr_jev_schema_fingerprint(writer->schema));
    jr_jev_store_u64(header + JR_JEV_AT_RECORDS, writer->records);
    jr_jev_store_u64(header + JR_JEV_AT_EVENTS, writer->events);
    jr_jev_store_u64(header + JR_JEV_AT_RECORD_BYTES, record_bytes);
    jr_jev_store_u64(header + JR_JEV_AT_STRING_BYTES, writer->string_bytes_used);
    /* the CRC of the header followed by the rest */
    uint32_t header_crc = (uint32_t)crc32_z(crc32_z(0, Z_NULL, 0), header, sizeof header);
    unsigned char crc[JR_JEV_CRC_BYTES];
    jr_jev_store_u32(crc, (uint32_t)crc32_combine(header_crc, writer->crc, (z_off_t)writer->written));
    if (fwrite(crc, 1, sizeof crc, writer->file) != sizeof crc || fseek(writer->file, 0, SEEK_SET) != 0 ||
        fwrite(header, 1, sizeof header, writer->file) != sizeof header)
        return writer_io_failed(writer);
    int closed = fclose(writer->file);
    writer->file = NULL;
    if (closed != 0) return writer_io_failed(writer);
    if (rename(writer->temporary, writer->path) != 0) {
        writer->io_failed = true;
        return writer_fail(writer, "cannot write '%s': %s", writer->path, strerror(errno));
    }
    writer->finished = true;
    if (totals) {
        totals->events = writer->events;
        totals->bad_lines = writer->records - writer->events;
        totals->undeclared = writer->undeclared;
        totals->strings = writer->string_count;
        totals->bytes = JR_JEV_HEADER_BYTES + writer->written + JR_JEV_CRC_BYTES;
    }
    return true;
}

void jev_writer_free(jev_writer *writer)
{
    if (!writer) return;
    if (writer->file) fclose(writer->file);
    if (writer->created && !writer->finished) remove(writer->temporary);
    free(writer->path);
    free(writer->temporary);
    free(writer->buffer);
    free(writer->string_bytes);
    free(writer->slots);
    free(writer);
}
