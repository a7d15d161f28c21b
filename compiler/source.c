/* source.c: source files and line/column computation. */
#include "source.h"

#include <stdlib.h>
#include <string.h>

uint32_t jc_sources_add(jc_sources *sources, const char *path, char *text, uint32_t length)
{
    jc_source *source = calloc(1, sizeof *source);
    char *path_copy = strdup(path);
    uint32_t lines = 1;
    for (uint32_t i = 0; i < length; i++)
        if (text[i] == '\n') lines++;
    uint32_t *starts = malloc(sizeof *starts * lines);
    if (!source || !path_copy || !starts) goto out_of_memory;
    if (sources->count == sources->capacity) {
        uint32_t capacity = sources->capacity ? sources->capacity * 2 : 8;
        jc_source **items = realloc(sources->items, sizeof *items * capacity);
        if (!items) goto out_of_memory;
        sources->items = items;
        sources->capacity = capacity;
    }
    starts[0] = 0;
    for (uint32_t i = 0, line = 1; i < length; i++)
        if (text[i] == '\n') starts[line++] = i + 1;
    source->path = path_copy;
    source->text = text;
    source->length = length;
    source->line_starts = starts;
    source->line_count = lines;
    sources->items[sources->count] = source;
    return sources->count++;

out_of_memory:
    free(source);
    free(path_copy);
    free(starts);
    free(text);
    return JC_NO_FILE;
}

void jc_sources_free(jc_sources *sources)
{
    for (uint32_t i = 0; i < sources->count; i++) {
        free(sources->items[i]->path);
        free(sources->items[i]->text);
        free(sources->items[i]->line_starts);
        free(sources->items[i]);
    }
    free(sources->items);
    memset(sources, 0, sizeof *sources);
}

jc_position jc_source_position(const jc_source *source, uint32_t offset)
{
    if (offset > source->length) offset = source->length;
    uint32_t low = 0, high = source->line_count;
    while (high - low > 1) {
        uint32_t middle = low + (high - low) / 2;
        if (source->line_starts[middle] <= offset) low = middle;
        else high = middle;
    }
    uint32_t column = 1;
    for (uint32_t i = source->line_starts[low]; i < offset; i++)
        if (((unsigned char)source->text[i] & 0xC0) != 0x80) column++;
    return (jc_position){ low + 1, column };
}

const char *jc_source_line(const jc_source *source, uint32_t line, uint32_t *length)
{
    if (line == 0 || line > source->line_count) {
        *length = 0;
        return "";
    }
    uint32_t start = source->line_starts[line - 1];
    uint32_t end = line < source->line_count ? source->line_starts[line] : source->length;
    while (end > start && (source->text[end - 1] == '\n' || source->text[end - 1] == '\r')) end--;
    *length = end - start;
    return source->text + start;
}
