/* format.h: the formatter behind `journeyc fmt` (the rules are in spec/format.md).
 *
 * It lays out the token stream, comments included (the lexer's keep_comments mode),
 * not the syntax tree: the author's line breaks are kept, and the formatter decides
 * indentation, the spaces between tokens, blank lines and the padding of aligned
 * columns. It formats only a file that parses, and it checks its own work: the output
 * must lex to exactly the tokens and comments of the input, or nothing is returned. */
#ifndef JC_FORMAT_H
#define JC_FORMAT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"

typedef enum jc_format_status {
    JC_FORMAT_OK = 0,
    JC_FORMAT_ERRORS,            /* cannot read the file, or it does not parse: see the diagnostics */
    JC_FORMAT_NO_MEMORY,
    JC_FORMAT_SELF_CHECK_FAILED, /* a bug in the formatter: its output would not lex to the input's
                                    tokens; a diagnostic names the first token that differs */
} jc_format_status;

typedef struct jc_formatted {
    char *text;    /* malloc'ed and NUL-terminated; free it with jc_formatted_free */
    size_t length; /* bytes, without the NUL */
    bool changed;  /* whether text differs from the file as it was read */
} jc_formatted;

/* Reads and parses the file at path (only that file: imports are not followed), then
 * lays it out. Diagnostics (a file that cannot be read, syntax errors) are recorded in
 * the compiler's diagnostics; the compiler should be a fresh one. */
jc_format_status jc_format_file(jc_compiler *compiler, const char *path, jc_formatted *formatted);

/* The same for a source held in memory; display_path names it in diagnostics. */
jc_format_status jc_format_source(jc_compiler *compiler, const char *display_path, const char *text,
                                  uint32_t length, jc_formatted *formatted);

void jc_formatted_free(jc_formatted *formatted);

#endif
