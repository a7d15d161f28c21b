/* event.h: events as the runtime reads them, and the readers of event logs.
 *
 * A reader turns one line of a log (JSON Lines in the Segment Spec shape, or CSV with a
 * header row; either may be gzip-compressed) into a jr_event, keeping only what the
 * program declared: the event (by its external name), its declared properties and,
 * for identify calls, the traits that match declared attributes. Everything else is
 * skipped without being copied. Strings in a jr_event point into the reader's buffer
 * and stay valid until the next call on that reader.
 *
 * Library code: nothing here prints or exits; failures come back as status codes
 * with a filled jr_read_error. */
#ifndef JR_EVENT_H
#define JR_EVENT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value types, as letters, the same as bytecode/builtins.h uses. */
enum {
    JR_TYPE_NUMBER = 'n',
    JR_TYPE_STRING = 's',
    JR_TYPE_BOOL = 'b',
    JR_TYPE_TIME = 't',     /* milliseconds since 1970-01-01T00:00:00Z */
    JR_TYPE_DURATION = 'd', /* milliseconds */
};

/* What a reader needs to know of the program. */
typedef struct jr_schema_field {
    const char *name; /* property or trait name as it appears in the data */
    char type;        /* JR_TYPE_* */
} jr_schema_field;

typedef struct jr_schema_event {
    const char *external_name; /* "Order Completed" */
    const jr_schema_field *fields;
    uint32_t field_count;
} jr_schema_event;

typedef struct jr_schema {
    const jr_schema_event *events;
    uint32_t event_count;
    const jr_schema_field *attributes;
    uint32_t attribute_count;
} jr_schema;

typedef struct jr_field_value {
    uint32_t index; /* into the event's fields, or into the schema's attributes */
    char type;      /* JR_TYPE_*, the declared type */
    union {
        double number;
        int64_t time; /* and durations */
        bool boolean;
        struct {
            const char *bytes;
            uint32_t length;
        } string;
    } as;
} jr_field_value;

typedef enum jr_event_kind {
    JR_EVENT_TRACK,    /* "type": "track" */
    JR_EVENT_IDENTIFY, /* "type": "identify": traits update attributes */
    JR_EVENT_PAGE,     /* "type": "page": read as the event named "Page Viewed" */
} jr_event_kind;

typedef struct jr_event {
    jr_event_kind kind;
    int64_t timestamp;        /* milliseconds since the epoch, UTC */
    const char *contact_id;   /* userId, else anonymousId */
    uint32_t contact_id_length;
    bool anonymous;           /* the id is an anonymousId */
    const char *message_id;   /* empty when the line has none */
    uint32_t message_id_length;
    int32_t event_index;      /* into jr_schema.events; -1 when the program does not declare it */
    const jr_field_value *properties; /* declared fields present in the line, in any order */
    uint32_t property_count;
    const jr_field_value *traits;     /* identify: declared attributes present */
    uint32_t trait_count;
    uint32_t type_mismatches; /* declared fields or traits present with a value of the wrong type (left out) */
    uint64_t line;            /* 1-based line (record) number in the file */
} jr_event;

typedef enum jr_read_status {
    JR_READ_EVENT = 1,     /* *event is filled */
    JR_READ_END = 0,       /* no more events */
    JR_READ_BAD_LINE = -1, /* this line is malformed: error says why; the next call reads on */
    JR_READ_IO_ERROR = -2, /* the file cannot be read further */
    JR_READ_NO_MEMORY = -3,
} jr_read_status;

typedef struct jr_read_error {
    uint64_t line;     /* 0 when not about a line */
    char message[256]; /* "unterminated string in JSON", "no userId or anonymousId", ... */
} jr_read_error;

typedef enum jr_log_format {
    JR_LOG_AUTO,  /* from the file name: .jsonl/.json/.ndjson, .csv, each optionally .gz */
    JR_LOG_JSONL,
    JR_LOG_CSV,
} jr_log_format;

typedef struct jr_event_reader jr_event_reader;

/* Opens path ("-" for standard input). Compression is detected from the content.
 * Returns NULL with error filled when the file cannot be opened or read. The schema
 * must outlive the reader. */
jr_event_reader *jr_reader_open(const jr_schema *schema, const char *path, jr_log_format format,
                                jr_read_error *error);
/* Reads from memory (fuzzing, tests, embedding). The bytes must outlive the reader. */
jr_event_reader *jr_reader_open_memory(const jr_schema *schema, const void *bytes, size_t length,
                                       jr_log_format format, jr_read_error *error);
jr_read_status jr_reader_next(jr_event_reader *reader, jr_event *event, jr_read_error *error);
/* Bytes consumed so far and the file's size (0 when unknown), for progress. */
uint64_t jr_reader_position(const jr_event_reader *reader);
uint64_t jr_reader_size(const jr_event_reader *reader);
void jr_reader_close(jr_event_reader *reader);

/* Parses an ISO-8601 / RFC 3339 timestamp (date, 'T' or ' ', time with optional
 * fraction, and 'Z' or an offset ±HH:MM, ±HHMM or ±HH) into milliseconds since the
 * epoch. Returns false if text is not one. */
bool jr_parse_timestamp(const char *text, size_t length, int64_t *milliseconds);
/* Writes an instant as "2026-11-22T10:00:00.000Z" (24 bytes and a NUL). */
void jr_format_timestamp(int64_t milliseconds, char out[25]);

#endif
