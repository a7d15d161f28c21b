/* source.h: source files held in memory, and positions within them.
 * A span is a byte range [begin, end) of one file; lines and columns are worked out
 * only when a diagnostic is shown, from a table of line starts. */
#ifndef JC_SOURCE_H
#define JC_SOURCE_H
#include <stdint.h>

#define JC_NO_FILE UINT32_MAX

typedef struct jc_span {
    uint32_t file;  /* index into jc_sources, or JC_NO_FILE */
    uint32_t begin; /* byte offset of the first byte */
    uint32_t end;   /* byte offset one past the last byte */
} jc_span;

typedef struct jc_source {
    char *path;      /* as the user named it, or as import resolution found it */
    char *text;      /* the bytes, followed by one NUL that is not part of them */
    uint32_t length; /* number of bytes, not counting the terminating NUL */
    uint32_t *line_starts;
    uint32_t line_count;
} jc_source;

typedef struct jc_sources {
    jc_source **items;
    uint32_t count;
    uint32_t capacity;
} jc_sources;

typedef struct jc_position {
    uint32_t line;   /* from 1 */
    uint32_t column; /* from 1, counted in characters (UTF-8 code points) */
} jc_position;

/* Takes ownership of text (malloc'ed, length bytes plus a NUL). Returns the file index,
 * or JC_NO_FILE when out of memory (text is then freed). */
uint32_t jc_sources_add(jc_sources *sources, const char *path, char *text, uint32_t length);
void jc_sources_free(jc_sources *sources);
jc_position jc_source_position(const jc_source *source, uint32_t offset);
/* The bytes of line (from 1) without its end-of-line characters. */
const char *jc_source_line(const jc_source *source, uint32_t line, uint32_t *length);

static inline jc_span jc_span_join(jc_span first, jc_span last)
{
    jc_span span = first;
    if (last.file == first.file && last.end > span.end) span.end = last.end;
    return span;
}

#endif
