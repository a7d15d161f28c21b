/* json_reader.h: the C interface of the simdjson adapter (json_reader.cpp), which parses
 * one line of JSON Lines and hands the Segment reader (event_reader.c) the top-level
 * members it looks at, then, on request, the members of "properties" or "traits".
 *
 * Only the adapter knows JSON; only the reader knows the Segment Spec and the schema.
 * Strings handed out point into the adapter's parser and stay valid until the next
 * jr_json_parse_line on that parser. Internal to the runtime: not a public header. */
#ifndef JR_JSON_READER_H
#define JR_JSON_READER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes that must be readable (any content) after the end of a line handed to
 * jr_json_parse_line: simdjson reads ahead in blocks. Equal to SIMDJSON_PADDING. */
enum { JR_JSON_PADDING = 64 };

typedef enum jr_json_kind {
    JR_JSON_NULL,
    JR_JSON_STRING,
    JR_JSON_NUMBER,
    JR_JSON_BOOL,
    JR_JSON_OBJECT,
    JR_JSON_ARRAY,
} jr_json_kind;

typedef enum jr_json_integer_kind {
    JR_JSON_NOT_INTEGER, /* written with a fraction or an exponent */
    JR_JSON_SIGNED,      /* fits int64_t: see .signed_integer */
    JR_JSON_UNSIGNED,    /* above INT64_MAX, fits uint64_t: see .unsigned_integer */
} jr_json_integer_kind;

typedef struct jr_json_value {
    jr_json_kind kind;
    bool boolean;                     /* JR_JSON_BOOL */
    jr_json_integer_kind integer_kind; /* JR_JSON_NUMBER */
    double number;                    /* JR_JSON_NUMBER, as a double in every case */
    int64_t signed_integer;
    uint64_t unsigned_integer;
    const char *string; /* JR_JSON_STRING, unescaped; may contain NUL bytes (\u0000) */
    uint32_t length;
} jr_json_value;

/* The top-level members of a Segment call that the reader looks at. */
typedef enum jr_json_slot {
    JR_SLOT_TYPE,
    JR_SLOT_EVENT,
    JR_SLOT_USER_ID,
    JR_SLOT_ANONYMOUS_ID,
    JR_SLOT_TIMESTAMP,
    JR_SLOT_ORIGINAL_TIMESTAMP,
    JR_SLOT_SENT_AT,
    JR_SLOT_RECEIVED_AT,
    JR_SLOT_MESSAGE_ID,
    JR_SLOT_NAME,
    JR_SLOT_PROPERTIES,
    JR_SLOT_TRAITS,
    JR_SLOT_COUNT
} jr_json_slot;

typedef struct jr_json_line {
    uint32_t present; /* bit (1u << slot) set when the line has that member */
    jr_json_value slots[JR_SLOT_COUNT]; /* only slots whose bit is set are filled */
} jr_json_line;

typedef enum jr_json_status {
    JR_JSON_OK = 0,
    JR_JSON_BAD = -1,       /* not a JSON object, or a duplicated top-level slot: see message */
    JR_JSON_NO_MEMORY = -2,
} jr_json_status;

typedef struct jr_json_parser jr_json_parser;

/* The name of each slot as it appears in the data ("userId", ...). */
const char *jr_json_slot_name(jr_json_slot slot);

jr_json_parser *jr_json_parser_new(void);
void jr_json_parser_free(jr_json_parser *parser);

/* Parses one line (without its newline), which must be followed by JR_JSON_PADDING
 * readable bytes. The whole line is validated (syntax, UTF-8, numbers within 64 bits);
 * on JR_JSON_BAD, message (NUL-terminated, at most message_size bytes) says why. */
jr_json_status jr_json_parse_line(jr_json_parser *parser, const char *line, size_t length,
                                  jr_json_line *out, char *message, size_t message_size);

/* Walks the members of the object in slot (JR_SLOT_PROPERTIES or JR_SLOT_TRAITS) of
 * the last line parsed, which must hold an object. */
void jr_json_members_begin(jr_json_parser *parser, jr_json_slot slot);
/* The next member, false after the last one. */
bool jr_json_members_next(jr_json_parser *parser, const char **key, uint32_t *key_length,
                          jr_json_value *value);

/* Whether text is valid UTF-8 (simdjson's validator). */
bool jr_json_validate_utf8(const char *text, size_t length);

/* Reads a number written as in JSON (an optional '-', digits, an optional fraction and
 * exponent; leading zeros are tolerated) from the whole of text, correctly rounded and
 * independent of the locale. False when text is not one or the number is not finite. */
bool jr_json_parse_number_text(const char *text, size_t length, double *number);

#ifdef __cplusplus
}
#endif
#endif
