/* format.c: `journeyc fmt` as a library (format.h): parse the file, run the passes of
 * the layout (format_layout.h), write the text, and check it by lexing it again. */
#include "format.h"

#include <stdlib.h>
#include <string.h>

#include "format_layout.h"

/* ---- the text ------------------------------------------------------------------ */

typedef struct buffer {
    char *bytes;
    size_t length, capacity;
    bool out_of_memory;
} buffer;

static void buffer_append(buffer *out, const void *bytes, size_t length)
{
    if (out->out_of_memory) return;
    if (out->length + length + 1 > out->capacity) {
        size_t capacity = out->capacity ? out->capacity : 4096;
        while (capacity < out->length + length + 1) capacity *= 2;
        char *grown = realloc(out->bytes, capacity);
        if (!grown) {
            out->out_of_memory = true;
            return;
        }
        out->bytes = grown;
        out->capacity = capacity;
    }
    memcpy(out->bytes + out->length, bytes, length);
    out->length += length;
    out->bytes[out->length] = '\0';
}

static void buffer_append_spaces(buffer *out, uint32_t count)
{
    static const char spaces[] = "                                ";
    while (count > 0) {
        uint32_t chunk = count < sizeof spaces - 1 ? count : (uint32_t)(sizeof spaces - 1);
        buffer_append(out, spaces, chunk);
        count -= chunk;
    }
}

static bool is_blank(unsigned char byte) { return byte == ' ' || byte == '\t' || byte == '\r'; }

/* A comment as printed: without the white space at the end of each of its lines, and
 * with its lines after the first moved as far as the first one moved (shift columns,
 * right or left, taking away only spaces). */
static void append_comment(buffer *out, const jc_format_layout *layout, const jc_format_token *t, int64_t shift)
{
    const unsigned char *text = layout->text;
    uint32_t line_start = t->begin;
    for (uint32_t p = t->begin; p <= t->end; p++) {
        if (p < t->end && text[p] != '\n') continue;
        uint32_t line_end = p;
        while (line_end > line_start && is_blank(text[line_end - 1])) line_end--;
        if (line_start != t->begin && line_end > line_start) {
            if (shift > 0) buffer_append_spaces(out, (uint32_t)shift);
            for (int64_t removed = 0; removed < -shift && text[line_start] == ' '; removed++) line_start++;
        }
        buffer_append(out, text + line_start, line_end - line_start);
        if (p < t->end) buffer_append(out, "\n", 1);
        line_start = p + 1;
    }
}

typedef struct written {
    uint32_t begin, end; /* where a token went in the output */
} written;

static void write_text(const jc_format_layout *layout, buffer *out, written *where)
{
    buffer_append(out, "", 0); /* an empty file is an empty text, not none */
    for (uint32_t n = 0; n < layout->line_count; n++) {
        const jc_format_line *line = &layout->lines[n];
        if (line->blank_before) buffer_append(out, "\n", 1);
        uint32_t column = 0;
        for (uint32_t i = line->first; i <= line->last; i++) {
            const jc_format_token *t = &layout->tokens[i];
            buffer_append_spaces(out, t->output_column - column);
            where[i].begin = (uint32_t)out->length;
            if (t->kind == IN_LAST) buffer_append(out, "in last", 7);
            else if (jc_format_is_comment(t)) append_comment(out, layout, t, (int64_t)t->output_column - t->column);
            else buffer_append(out, layout->text + t->begin, t->end - t->begin);
            where[i].end = (uint32_t)out->length;
            column = t->output_column + t->width;
        }
        buffer_append(out, "\n", 1);
    }
}

/* ---- the self-check ------------------------------------------------------------ */

/* Lexes the output and compares it with the input's tokens: the same kinds, each read
 * exactly where it was written. Reports the first difference at the input token. */
static jc_format_status check_output(jc_compiler *compiler, uint32_t file, const jc_format_layout *layout,
                                     const buffer *out, const written *where)
{
    jc_compiler *scratch = jc_compiler_new(NULL);
    char *copy = malloc(out->length + 1);
    if (!scratch || !copy) {
        free(copy);
        jc_compiler_free(scratch);
        return JC_FORMAT_NO_MEMORY;
    }
    memcpy(copy, out->bytes, out->length + 1);
    uint32_t output_file = jc_sources_add(&scratch->sources, "output", copy, (uint32_t)out->length);
    if (output_file == JC_NO_FILE) {
        jc_compiler_free(scratch);
        return JC_FORMAT_NO_MEMORY;
    }
    jc_lexer lexer;
    jc_lexer_init(&lexer, scratch, output_file);
    lexer.keep_comments = true;
    uint32_t i = 0;
    bool same;
    for (;; i++) {
        JC_YYSTYPE value;
        jc_span span;
        int kind = jc_lex(&value, &span, &lexer);
        if (kind == 0 || i == layout->count) {
            same = kind == 0 && i == layout->count;
            break;
        }
        if (kind != layout->tokens[i].kind || span.begin != where[i].begin || span.end != where[i].end) {
            same = false;
            break;
        }
    }
    jc_format_status status = JC_FORMAT_OK;
    if (scratch->out_of_memory) {
        status = JC_FORMAT_NO_MEMORY;
    } else if (!same || scratch->diagnostics.error_count) {
        const jc_format_token *at = &layout->tokens[i < layout->count ? i : layout->count - 1];
        jc_error(&compiler->diagnostics, (jc_span){ file, at->begin, at->end },
                 "internal error: formatting would change how this token is read; the file is left as it "
                 "is (please report this as a bug in journeyc fmt)");
        status = JC_FORMAT_SELF_CHECK_FAILED;
    }
    jc_compiler_free(scratch);
    return status;
}

/* ---- the entry points ---------------------------------------------------------- */

/* The passes, on a file that parsed; out holds the text when the result is OK. */
static jc_format_status lay_out(jc_compiler *compiler, uint32_t file, jc_format_layout *layout, buffer *out)
{
    bool nested;
    if (!jc_format_read_tokens(layout, compiler, file)) return JC_FORMAT_NO_MEMORY;
    if (!jc_format_match_pairs(layout, &nested)) {
        if (nested) return JC_FORMAT_NO_MEMORY;
        jc_error(&compiler->diagnostics, (jc_span){ file, 0, 0 },
                 "internal error: the brackets of this file do not nest; it is left as it is "
                 "(please report this as a bug in journeyc fmt)");
        return JC_FORMAT_SELF_CHECK_FAILED;
    }
    if (!jc_format_break_lines(layout) || !jc_format_place_columns(layout)) return JC_FORMAT_NO_MEMORY;
    written *where = malloc(sizeof *where * (layout->count + 1));
    if (!where) return JC_FORMAT_NO_MEMORY;
    write_text(layout, out, where);
    jc_format_status status = out->out_of_memory ? JC_FORMAT_NO_MEMORY : check_output(compiler, file, layout, out, where);
    free(where);
    return status;
}

static jc_format_status format_loaded(jc_compiler *compiler, uint32_t file, jc_formatted *formatted)
{
    *formatted = (jc_formatted){ 0 };
    if (file == JC_NO_FILE) return compiler->out_of_memory ? JC_FORMAT_NO_MEMORY : JC_FORMAT_ERRORS;
    jc_list declarations;
    jc_parse_file(compiler, file, &declarations);
    if (compiler->out_of_memory || compiler->diagnostics.out_of_memory) return JC_FORMAT_NO_MEMORY;
    if (compiler->diagnostics.error_count) return JC_FORMAT_ERRORS;

    const jc_source *source = compiler->sources.items[file];
    jc_format_layout layout = { .text = (const unsigned char *)source->text };
    buffer out = { 0 };
    jc_format_status status = lay_out(compiler, file, &layout, &out);
    free(layout.tokens);
    free(layout.lines);
    if (status != JC_FORMAT_OK) {
        free(out.bytes);
        return status;
    }
    formatted->text = out.bytes;
    formatted->length = out.length;
    formatted->changed = out.length != source->length || memcmp(out.bytes, source->text, out.length) != 0;
    return JC_FORMAT_OK;
}

jc_format_status jc_format_file(jc_compiler *compiler, const char *path, jc_formatted *formatted)
{
    uint32_t file = jc_load_file(compiler, path, (jc_span){ JC_NO_FILE, 0, 0 });
    compiler->root_file = file;
    return format_loaded(compiler, file, formatted);
}

jc_format_status jc_format_source(jc_compiler *compiler, const char *display_path, const char *text,
                                  uint32_t length, jc_formatted *formatted)
{
    char *copy = malloc((size_t)length + 1);
    if (!copy) return JC_FORMAT_NO_MEMORY;
    memcpy(copy, text, length);
    copy[length] = '\0';
    uint32_t file = jc_sources_add(&compiler->sources, display_path, copy, length);
    if (file == JC_NO_FILE) compiler->out_of_memory = true;
    compiler->root_file = file;
    return format_loaded(compiler, file, formatted);
}

void jc_formatted_free(jc_formatted *formatted)
{
    free(formatted->text);
    *formatted = (jc_formatted){ 0 };
}
