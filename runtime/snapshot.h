/* snapshot.h: the snapshot format (spec/snapshot.md) as the writer (snapshot.c) and the
 * reader (snapshot_restore.c) share it. Internal.
 *
 * Both directions go through one codec: each record of the format is described once,
 * by a function that calls jr_codec_u32, jr_codec_string, ... on the fields of a VM record
 * in order. Measuring, writing and reading run the same function, so the writer and
 * the reader cannot disagree on a layout. Reading also checks what a single field can
 * be checked for (string references, bools, instants); whole-state rules (resumption
 * points, counters, indexes) are the reader's. */
#ifndef JR_SNAPSHOT_INTERNAL_H
#define JR_SNAPSHOT_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm.h"

#define JR_SNAPSHOT_MAGIC "\x89JSN\r\n\x1a\n"
#define JR_SNAPSHOT_MAGIC_LENGTH 8
#define JR_SNAPSHOT_VERSION 1u
/* magic, version, the program's bytecode CRC, the snapshot's length */
#define JR_SNAPSHOT_HEADER_BYTES 24u
#define JR_SNAPSHOT_CRC_BYTES 4u
#define JR_SNAPSHOT_PART_HEADER_BYTES 12u /* u32 id, u64 length */
/* Instants in a snapshot (the clock, due times, entry times, ...) lie within +-2^55 ms
 * (about a million years), so the VM's arithmetic on them cannot overflow. */
#define JR_SNAPSHOT_TIME_LIMIT (INT64_C(1) << 55)

/* The parts, in the order they are written: P(NAME, id). */
#define JR_SNAPSHOT_PARTS(P) \
    P(STATE, 1)              \
    P(STRINGS, 2)            \
    P(CONTACTS, 3)           \
    P(TIMERS, 4)             \
    P(SEEN, 5)               \
    P(COUNTERS, 6)           \
    P(PATHS, 7)              \
    P(ERRORS, 8)

typedef enum jr_snapshot_part {
#define P(name, id) JR_PART_##name = id,
    JR_SNAPSHOT_PARTS(P)
#undef P
    JR_PART_LIMIT
} jr_snapshot_part;

const char *jr_snapshot_part_name(uint32_t part);

/* ---- the codec ----------------------------------------------------------------------- */

typedef enum codec_mode { CODEC_MEASURE, CODEC_WRITE, CODEC_READ } codec_mode;

typedef struct codec {
    codec_mode mode;
    uint64_t size; /* bytes measured or written */
    /* writing: through the host's function, buffered, with a running CRC */
    jr_write_fn write;
    void *user;
    uint32_t crc;
    bool checksummed; /* the bytes flushed count in the CRC */
    bool write_failed;
    size_t buffered;
    unsigned char buffer[4096];
    /* reading: the bytes left of the current part */
    const unsigned char *at, *end;
    /* Strings travel as references: 0 is the missing string, r the r-th string of the
     * STRINGS part. Measuring gives each interned handle met a reference, in order of
     * first use (references: by handle; order: by reference - 1); writing looks them
     * up. A restored VM interns the strings in that order, so reference r is handle r. */
    uint32_t handle_count; /* measuring and writing: the VM's interned handles */
    uint32_t *references;
    uint32_t *order;
    uint32_t reference_count;
    /* reading: the first problem met */
    bool bad;
    char problem[200];
} codec;

/* Records the first problem of a read (later ones would only follow from it). */
void jr_codec_fail(codec *c, const char *format, ...) __attribute__((format(printf, 2, 3)));
void jr_codec_bytes(codec *c, void *bytes, size_t length);
void jr_codec_u8(codec *c, uint8_t *value);
void jr_codec_u32(codec *c, uint32_t *value);
void jr_codec_u64(codec *c, uint64_t *value);
void jr_codec_i64(codec *c, int64_t *value);
void jr_codec_f64(codec *c, double *value);
/* An instant: within +-JR_SNAPSHOT_TIME_LIMIT. */
void jr_codec_instant(codec *c, int64_t *value, const char *what);
/* A string handle, as a reference. */
void jr_codec_string(codec *c, uint32_t *handle);
/* A value of a declared type (n s b t d): strings as references, bools 0, 1 or 2. */
void jr_codec_value(codec *c, char type, jr_value *value);

/* ---- the records ---------------------------------------------------------------------- */

void jr_snapshot_state(codec *c, jr_vm *vm);
void jr_snapshot_contact(codec *c, jr_vm *vm, uint8_t *record);
void jr_snapshot_timer(codec *c, jr_timer *timer);
void jr_snapshot_counters(codec *c, jr_vm *vm);
void jr_snapshot_path(codec *c, path_entry *entry);
void jr_snapshot_error(codec *c, recorded_error *error);

#endif
