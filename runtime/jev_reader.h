/* jev_reader.h: the reader of packed event logs (.jev, spec/jev.md), behind the
 * jr_event_reader interface of journey.h: event_reader.c hands a log over to it when
 * the log's first bytes are the .jev magic, whatever its name or the format asked for.
 *
 * The whole file is checked when it is opened (size, magic, version, CRC-32, the
 * schema's fingerprint, then every string and every record), so an open reader never
 * fails: it hands out the events and bad lines that were packed, in their order,
 * with no allocation and no parsing. Library code: nothing here prints or exits. */
#ifndef JR_JEV_READER_H
#define JR_JEV_READER_H
#include <stdbool.h>
#include <stddef.h>

#include "jev_format.h" /* JR_JEV_MAGIC_BYTES */
#include "journey.h"

typedef struct jr_jev_reader jr_jev_reader;

/* Whether bytes (of length at least the magic's, else false) start a .jev. */
bool jr_jev_has_magic(const void *bytes, size_t length);

/* Reads a .jev from memory, which must outlive the reader. NULL with error filled when
 * it is refused (error->line is 0). */
jr_jev_reader *jr_jev_open_memory(const jr_schema *schema, const void *bytes, size_t length, jr_read_error *error);

/* Reads a .jev from a file descriptor whose first head_length bytes were read already
 * (they are in head): a regular file read from its start is mapped, anything else is
 * read to its end. The descriptor stays the caller's. */
jr_jev_reader *jr_jev_open_descriptor(const jr_schema *schema, int fd, const void *head, size_t head_length,
                                      jr_read_error *error);

/* The next record: JR_READ_EVENT, JR_READ_BAD_LINE (error->line and ->message as the
 * reader of the original log gave them) or JR_READ_END. */
jr_read_status jr_jev_next(jr_jev_reader *reader, jr_event *event, jr_read_error *error);

/* Bytes read so far (the file's length once every record is read), and the length. */
uint64_t jr_jev_position(const jr_jev_reader *reader);
uint64_t jr_jev_size(const jr_jev_reader *reader);

void jr_jev_close(jr_jev_reader *reader);

#endif
