/* jev_writer.h: writes a packed event log (.jev, spec/jev.md) for `journey pack`.
 * Records go out as they come; each distinct string value is kept once, after the
 * records, and referred to by its place; the header and the CRC are written last. The file is written
 * beside its destination and renamed into place by jev_writer_finish, so that nobody
 * ever reads half of one. Returns false with a message (jev_writer_error) and prints
 * nothing. */
#ifndef JOURNEY_JEV_WRITER_H
#define JOURNEY_JEV_WRITER_H
#include <stdbool.h>
#include <stdint.h>

#include "journey.h"

typedef struct jev_writer jev_writer;

typedef struct jev_writer_totals {
    uint64_t events;     /* of which undeclared: kept for their time and messageId */
    uint64_t undeclared;
    uint64_t bad_lines;
    uint64_t strings;    /* distinct string values */
    uint64_t bytes;      /* the file's length */
} jev_writer_totals;

/* Starts the file for path, for the events of schema (which outlives the writer). NULL
 * with message filled when it cannot. */
jev_writer *jev_writer_new(const jr_schema *schema, const char *path, char *message, size_t message_size);

/* An event as a reader of schema gave it. */
bool jev_writer_event(jev_writer *writer, const jr_event *event);
/* A malformed line, where it was met: its number and the reader's message. */
bool jev_writer_bad_line(jev_writer *writer, uint64_t line, const char *message);

/* Writes the string table, the header and the CRC, and puts the file in place. */
bool jev_writer_finish(jev_writer *writer, jev_writer_totals *totals);

/* Why the last call failed, and whether it was writing the file that failed (rather
 * than memory, or an event no reader of the schema gives). */
const char *jev_writer_error(const jev_writer *writer);
bool jev_writer_failed_io(const jev_writer *writer);

/* Frees the writer; an unfinished file is removed. */
void jev_writer_free(jev_writer *writer);

#endif
