/* jev_format.h: the layout of packed event logs (.jev files, spec/jev.md), shared by
 * their writer (cli/jev_writer.c, behind `journey pack`) and their reader
 * (runtime/jev_reader.c). Nothing else depends on it.
 *
 * A .jev holds the events of one or more logs, as `journey sim` would apply them (in
 * the order of its merge by time, bad lines included), reduced to what a program's
 * schema reads:
 *
 *   header    56 bytes (below)
 *   records   one per event or bad line, in that order, variable length (varints)
 *   strings   the string values, each distinct one once, which records refer to by
 *             offset and length (contact ids and messageIds are in the records)
 *   CRC-32    of every byte before it, u32
 *
 * An event record: its kind byte, the time and the line as deltas from the previous
 * event's and record's, the contact id and the messageId (each a length, then the
 * bytes), the event's index + 1 (0: undeclared), the type mismatches, the properties
 * (a count, then a field index and a value each) and the traits (a count, then
 * attribute * 2 + null, and a value unless null). A bad line: its kind byte, the line
 * delta, the message (a length, then the bytes). A value is encoded by its declared
 * type: a number in 8 bytes, a bool in 1, a time or duration as a signed varint, a
 * string as its offset and length in the strings.
 *
 * Integers are little-endian. A varint is unsigned LEB128 (7 bits per byte, low
 * groups first, at most 10 bytes); a signed one (a delta too) is zigzag-mapped first. */
#ifndef JR_JEV_FORMAT_H
#define JR_JEV_FORMAT_H
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "journey.h"

#define JR_JEV_MAGIC "\x89JEV\r\n\x1a\n" /* like .jbc's: a high byte, then line endings */
enum {
    JR_JEV_MAGIC_BYTES = 8,
    JR_JEV_VERSION = 1,
    JR_JEV_HEADER_BYTES = 56,
    JR_JEV_CRC_BYTES = 4,
};

/* Where the header's fields are. */
enum {
    JR_JEV_AT_VERSION = 8,        /* u32 */
    JR_JEV_AT_FLAGS = 12,         /* u32, 0 (no flag is defined) */
    JR_JEV_AT_FINGERPRINT = 16,   /* u64: jr_jev_schema_fingerprint */
    JR_JEV_AT_RECORDS = 24,       /* u64: records, events and bad lines */
    JR_JEV_AT_EVENTS = 32,        /* u64: of which events */
    JR_JEV_AT_RECORD_BYTES = 40,  /* u64: the records' length */
    JR_JEV_AT_STRING_BYTES = 48,  /* u64: the strings' length */
};

/* A record's first byte: its kind in the low two bits (the events' values are those of
 * jr_event_kind), and for events, whether the contact is anonymous. */
enum {
    JR_JEV_TRACK = 0,
    JR_JEV_IDENTIFY = 1,
    JR_JEV_PAGE = 2,
    JR_JEV_BAD_LINE = 3,
    JR_JEV_KIND_MASK = 3,
    JR_JEV_ANONYMOUS = 4,
};

_Static_assert((int)JR_JEV_TRACK == (int)JR_EVENT_TRACK && (int)JR_JEV_IDENTIFY == (int)JR_EVENT_IDENTIFY &&
                   (int)JR_JEV_PAGE == (int)JR_EVENT_PAGE,
               "a record's kind is the jr_event_kind of its event");

/* The longest bad-line message: what fits jr_read_error.message with its NUL. */
#define JR_JEV_MESSAGE_LIMIT (sizeof(((jr_read_error *)0)->message) - 1)

/* The range of instants the event readers produce (jr_parse_timestamp: the years 0001
 * to 9999), for event timestamps and time values, and of durations (seconds below
 * 9e15 as milliseconds). */
#define JR_JEV_FIRST_TIME (-62135596800000LL)
#define JR_JEV_LAST_TIME 253402300799999LL
#define JR_JEV_DURATION_LIMIT 9000000000000000000LL

/* Little-endian loads and stores at any alignment. */
static inline uint64_t jr_jev_load_u64(const unsigned char *bytes)
{
    uint64_t value;
    memcpy(&value, bytes, sizeof value);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    value = __builtin_bswap64(value);
#endif
    return value;
}

static inline uint32_t jr_jev_load_u32(const unsigned char *bytes)
{
    uint32_t value;
    memcpy(&value, bytes, sizeof value);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    value = __builtin_bswap32(value);
#endif
    return value;
}

static inline void jr_jev_store_u64(unsigned char *bytes, uint64_t value)
{
    for (int i = 0; i < 8; i++) bytes[i] = (unsigned char)(value >> (8 * i));
}

static inline void jr_jev_store_u32(unsigned char *bytes, uint32_t value)
{
    for (int i = 0; i < 4; i++) bytes[i] = (unsigned char)(value >> (8 * i));
}

static inline uint64_t jr_jev_zigzag(int64_t value)
{
    return ((uint64_t)value << 1) ^ (value < 0 ? UINT64_MAX : 0);
}

static inline int64_t jr_jev_unzigzag(uint64_t value)
{
    return (int64_t)(value >> 1) ^ -(int64_t)(value & 1);
}

/* The schema's fingerprint: 64-bit FNV-1a over its events (external name, then each
 * field's name and type letter) and its attributes (name and type), in order, each
 * name preceded by its length and each list by its count (u32, little-endian), so that
 * no two schemas give the same bytes. Everything the readers use of a schema, and
 * nothing else: a .jev serves every program whose events and attributes are these. */
typedef struct jr_jev_hash {
    uint64_t value;
} jr_jev_hash;

static inline void jr_jev_hash_bytes(jr_jev_hash *hash, const void *bytes, size_t length)
{
    const unsigned char *at = bytes;
    for (size_t i = 0; i < length; i++) hash->value = (hash->value ^ at[i]) * 0x100000001b3ull;
}

static inline void jr_jev_hash_u32(jr_jev_hash *hash, uint32_t value)
{
    unsigned char bytes[4];
    jr_jev_store_u32(bytes, value);
    jr_jev_hash_bytes(hash, bytes, 4);
}

static inline void jr_jev_hash_name(jr_jev_hash *hash, const char *name)
{
    size_t length = name ? strlen(name) : 0;
    jr_jev_hash_u32(hash, (uint32_t)length);
    jr_jev_hash_bytes(hash, name, length);
}

static inline uint64_t jr_jev_schema_fingerprint(const jr_schema *schema)
{
    jr_jev_hash hash = { 0xcbf29ce484222325ull };
    jr_jev_hash_u32(&hash, schema->event_count);
    for (uint32_t e = 0; e < schema->event_count; e++) {
        const jr_schema_event *event = &schema->events[e];
        jr_jev_hash_name(&hash, event->external_name);
        jr_jev_hash_u32(&hash, event->field_count);
        for (uint32_t f = 0; f < event->field_count; f++) {
            jr_jev_hash_name(&hash, event->fields[f].name);
            jr_jev_hash_bytes(&hash, &event->fields[f].type, 1);
        }
    }
    jr_jev_hash_u32(&hash, schema->attribute_count);
    for (uint32_t a = 0; a < schema->attribute_count; a++) {
        jr_jev_hash_name(&hash, schema->attributes[a].name);
        jr_jev_hash_bytes(&hash, &schema->attributes[a].type, 1);
    }
    return hash.value;
}

#endif
