/* format_tokens.c: the formatter's input: the tokens and comments of a file, where each
 * stood, which brackets pair up, and what kind of word a keyword is being used as. */
#include "format_layout.h"

#include <stdlib.h>
#include <string.h>

typedef struct input_cursor {
    uint32_t offset, line, column;
} input_cursor;

static void advance_to(const unsigned char *text, input_cursor *cursor, uint32_t offset)
{
    for (; cursor->offset < offset; cursor->offset++) {
        unsigned char byte = text[cursor->offset];
        if (byte == '\n') {
            cursor->line++;
            cursor->column = 0;
        } else if (byte == '\t') {
            cursor->column = (cursor->column / JC_FORMAT_TAB_WIDTH + 1) * JC_FORMAT_TAB_WIDTH;
        } else if ((byte & 0xC0) != 0x80) {
            cursor->column++; /* one per character: UTF-8 continuation bytes do not count */
        }
    }
}

/* Characters of the token's first line when printed: "in last" for IN_LAST, whatever
 * was between the two words; a comment without the white space at its end. */
static uint32_t printed_width(const unsigned char *text, const jc_format_token *t, bool *several_lines)
{
    uint32_t width = 0, visible = 0;
    *several_lines = false;
    if (t->kind == IN_LAST) return 7;
    for (uint32_t p = t->begin; p < t->end; p++) {
        unsigned char byte = text[p];
        if (byte == '\n') {
            *several_lines = true;
            break;
        }
        if ((byte & 0xC0) != 0x80) width++;
        if (byte != ' ' && byte != '\t' && byte != '\r') visible = width;
    }
    return jc_format_is_comment(t) ? visible : width;
}

bool jc_format_read_tokens(jc_format_layout *layout, jc_compiler *compiler, uint32_t file)
{
    jc_lexer lexer;
    jc_lexer_init(&lexer, compiler, file);
    lexer.keep_comments = true;
    uint32_t capacity = 0;
    input_cursor cursor = { 0, 0, 0 };
    for (;;) {
        JC_YYSTYPE value;
        jc_span span;
        int kind = jc_lex(&value, &span, &lexer);
        if (kind == 0) break;
        if (layout->count == capacity) {
            capacity = capacity ? capacity * 2 : 1024;
            jc_format_token *grown = realloc(layout->tokens, sizeof *grown * capacity);
            if (!grown) return false;
            layout->tokens = grown;
        }
        jc_format_token *t = &layout->tokens[layout->count++];
        memset(t, 0, sizeof *t);
        t->kind = kind;
        t->begin = span.begin;
        t->end = span.end;
        advance_to(layout->text, &cursor, span.begin);
        t->line = cursor.line;
        t->column = cursor.column;
        advance_to(layout->text, &cursor, span.end);
        t->end_line = cursor.line;
        t->end_column = cursor.column;
        t->width = printed_width(layout->text, t, &t->several_lines);
        t->partner = JC_FORMAT_NO_TOKEN;
        t->group = JC_FORMAT_NO_TOKEN;
    }
    return !compiler->out_of_memory;
}

static bool closes_pair_of(int closer, int opener)
{
    switch (closer) {
    case ')': return opener == '(';
    case ']': return opener == '[';
    case '}': return opener == '{';
    case STRING_TAIL: return opener == STRING_HEAD;
    }
    return false;
}

/* A pair spans lines when its closing bracket is on a later input line. Inside an
 * interpolation everything stays on one line, so only the interpolation itself can
 * span lines there (when a comment sits inside it); and an interpolation never hangs. */
static void mark_pairs_over_lines(jc_format_layout *layout)
{
    for (uint32_t i = 0; i < layout->count; i++) {
        jc_format_token *t = &layout->tokens[i];
        if (!jc_format_opens(t->kind) || (t->in_interpolation && t->kind != STRING_HEAD)) continue;
        jc_format_token *closer = &layout->tokens[t->partner];
        t->spans_lines = closer->spans_lines = closer->line != t->line;
        if (!t->spans_lines || t->kind == STRING_HEAD || t->next_code == t->partner) continue;
        t->hanging = closer->hanging = layout->tokens[t->next_code].line == t->end_line &&
                                       layout->tokens[closer->previous_code].end_line == closer->line;
    }
}

bool jc_format_match_pairs(jc_format_layout *layout, bool *nested)
{
    *nested = true;
    uint32_t *open = malloc(sizeof *open * (layout->count + 1));
    if (!open) return false;
    uint32_t depth = 0, interpolations = 0, previous_code = JC_FORMAT_NO_TOKEN;
    for (uint32_t i = 0; i < layout->count && *nested; i++) {
        jc_format_token *t = &layout->tokens[i];
        t->previous_code = previous_code;
        t->depth = depth;
        t->in_interpolation = interpolations > 0;
        if (jc_format_is_comment(t)) continue;
        previous_code = i;
        if (jc_format_opens(t->kind)) {
            open[depth++] = i;
            if (t->kind == STRING_HEAD) interpolations++;
        } else if (jc_format_closes(t->kind)) {
            if (!depth || !closes_pair_of(t->kind, layout->tokens[open[depth - 1]].kind)) {
                *nested = false;
                break;
            }
            depth--;
            layout->tokens[open[depth]].partner = i;
            t->partner = open[depth];
            if (t->kind == STRING_TAIL) interpolations--;
        } else if (t->kind == STRING_MID) {
            *nested = depth && layout->tokens[open[depth - 1]].kind == STRING_HEAD;
        }
    }
    free(open);
    if (depth) *nested = false;
    if (!*nested) return false;
    uint32_t next_code = JC_FORMAT_NO_TOKEN;
    for (uint32_t i = layout->count; i-- > 0;) {
        layout->tokens[i].next_code = next_code;
        if (!jc_format_is_comment(&layout->tokens[i])) next_code = i;
    }
    mark_pairs_over_lines(layout);
    return true;
}

bool jc_format_keyword_group(int kind, jc_keyword_group *group)
{
    uint32_t count;
    const jc_keyword *keywords = jc_keywords(&count);
    for (uint32_t i = 0; i < count; i++)
        if (keywords[i].token == kind) {
            *group = keywords[i].group;
            return true;
        }
    return false;
}

bool jc_format_acts_as_name(const jc_format_layout *layout, uint32_t i)
{
    const jc_format_token *t = &layout->tokens[i];
    if (t->kind == IDENTIFIER) return true;
    jc_keyword_group group;
    if (!jc_format_keyword_group(t->kind, &group)) return false;
    bool after_dot = t->previous_code != JC_FORMAT_NO_TOKEN && layout->tokens[t->previous_code].kind == '.';
    bool before_colon = t->next_code != JC_FORMAT_NO_TOKEN && layout->tokens[t->next_code].kind == ':';
    return after_dot || before_colon;
}
