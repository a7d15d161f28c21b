/* graph_text.h: the text of the journey map's labels: source text made fit for a box
 * (comments dropped, white space collapsed, wrapped), numbers with thousands
 * separators, and DOT string escaping. */
#ifndef JC_GRAPH_TEXT_H
#define JC_GRAPH_TEXT_H
#include <stdint.h>
#include <stdio.h>

#include "compiler.h"

enum {
    JC_GRAPH_LINE_WIDTH = 36, /* characters on a line of a label before it wraps */
    JC_GRAPH_MAX_LINES = 3,   /* lines of source text in a label; the rest becomes "…" */
};

/* The source text of [begin, end) in file, as it reads: comments dropped, each run of
 * white space one space, wrapped at spaces into lines (separated by '\n') of at most
 * JC_GRAPH_LINE_WIDTH characters where possible, at most JC_GRAPH_MAX_LINES of them.
 * Allocated in the compiler's arena; "" when memory ran out (compiler notes it). */
const char *jc_graph_source_text(jc_compiler *compiler, uint32_t file, uint32_t begin, uint32_t end);

/* count with a comma between groups of three digits ("12,345"). */
void jc_graph_format_count(uint64_t count, char buffer[32]);

/* Writes text as the inside of a DOT double-quoted string: quotes and backslashes
 * escaped, each '\n' written as DOT's centred line break. */
void jc_graph_write_escaped(FILE *out, const char *text);

#endif
