/* format_lines.c: which tokens start a line, and how deep each line is indented
 * (spec/format.md 3.1 to 3.3). The author's line breaks are the starting point. */
#include "format_layout.h"

#include <stdlib.h>

/* ---- the kinds of tokens that matter for lines --------------------------------- */

/* A keyword used as a keyword, not as a name; *group is its group. */
static bool is_keyword(const jc_format_layout *layout, uint32_t i, jc_keyword_group *group)
{
    return jc_format_keyword_group(layout->tokens[i].kind, group) && !jc_format_acts_as_name(layout, i);
}

static bool is_line_comment(const jc_format_layout *layout, const jc_format_token *t)
{
    return jc_format_is_comment(t) && layout->text[t->begin + 1] == '/';
}

/* Operators that take an operand on each side ('.', ':' and '=' included). */
static bool is_binary_operator(int kind)
{
    switch (kind) {
    case '+': case '-': case '*': case '/': case '<': case '>': case '=': case '~': case '.': case ':':
    case EQUAL_EQUAL: case NOT_EQUAL: case LESS_EQUAL: case GREATER_EQUAL: case ARROW: case QUESTION_QUESTION:
    case IN_LAST: case KW_AND: case KW_OR: case KW_IN:
        return true;
    }
    return false;
}

/* Keywords that need more after them: a statement never ends with one. */
static bool is_leading_keyword(int kind)
{
    switch (kind) {
    case KW_ADD: case KW_AS: case KW_ELSE: case KW_EVERY: case KW_FN: case KW_FOR: case KW_HOURS: case KW_NOT:
    case KW_PER: case KW_REMOVE: case KW_TO: case KW_UNTIL: case KW_VALUE: case KW_WHERE: case KW_WITH:
    case KW_WITHIN:
        return true;
    }
    return false;
}

/* Keywords that continue a statement or declaration: a statement never starts with one. */
static bool is_continuing_keyword(int kind)
{
    switch (kind) {
    case KW_ALWAYS: case KW_DEFER: case KW_NEVER: case KW_SUPPRESS: case KW_TRANSACTIONAL:
        return true;
    }
    return kind != KW_NOT && is_leading_keyword(kind);
}

/* ---- breaks -------------------------------------------------------------------- */

static jc_format_break at_least(jc_format_break have, jc_format_break want) { return have > want ? have : want; }

/* Where token i goes: on the line of the token before it, on a new line, or after a
 * blank line. */
static jc_format_break decide_break(const jc_format_layout *layout, uint32_t i)
{
    const jc_format_token *t = &layout->tokens[i];
    const jc_format_token *before = &layout->tokens[i - 1];
    uint32_t newlines = t->line - before->end_line;
    /* A line comment ends its line, and so does a block comment over several lines. */
    bool ends_line = is_line_comment(layout, before) || before->several_lines;
    /* A string is written on one line: inside its interpolations only such a comment
     * ends a line. */
    if (t->in_interpolation) return ends_line ? JC_FORMAT_NEW_LINE : JC_FORMAT_SAME_LINE;

    jc_format_break result = newlines == 0 ? JC_FORMAT_SAME_LINE
                           : newlines == 1 ? JC_FORMAT_NEW_LINE
                                           : JC_FORMAT_BLANK_LINE;
    if (ends_line) return at_least(result, JC_FORMAT_NEW_LINE);
    if (!jc_format_is_comment(t)) {
        /* '{' and 'else' go on the line of the code they follow. */
        bool joins = t->kind == '{' || (t->kind == KW_ELSE && !jc_format_acts_as_name(layout, i));
        if (joins && !jc_format_is_comment(before)) result = JC_FORMAT_SAME_LINE;
        const jc_format_token *code =
            t->previous_code == JC_FORMAT_NO_TOKEN ? NULL : &layout->tokens[t->previous_code];
        /* A pair in block shape has its contents on lines of their own. */
        if (code && jc_format_opens(code->kind) && jc_format_is_block_pair(code))
            result = at_least(result, JC_FORMAT_NEW_LINE);
        if (jc_format_closes(t->kind) && jc_format_is_block_pair(t)) result = at_least(result, JC_FORMAT_NEW_LINE);
        /* After such a pair's '}', the next statement or item starts a line. */
        if (code && code->kind == '}' && jc_format_is_block_pair(code) && t->kind != KW_ELSE && t->kind != ',' &&
            !jc_format_closes(t->kind))
            result = at_least(result, JC_FORMAT_NEW_LINE);
        /* Outside all brackets every declaration starts a line ('hours' and 'fn'
         * continue 'quiet hours' and 'extern "lib" fn'). */
        jc_keyword_group group;
        if (t->depth == 0 && is_keyword(layout, i, &group) && group == JC_KEYWORD_DECLARATION &&
            t->kind != KW_HOURS && t->kind != KW_FN)
            result = at_least(result, JC_FORMAT_NEW_LINE);
    }
    /* No blank line just inside the brackets of a pair in block shape. */
    if (result == JC_FORMAT_BLANK_LINE && ((jc_format_opens(before->kind) && jc_format_is_block_pair(before)) ||
                                           (jc_format_closes(t->kind) && jc_format_is_block_pair(t))))
        result = JC_FORMAT_NEW_LINE;
    return result;
}

/* Decides every break, then makes the lines. */
static bool make_lines(jc_format_layout *layout)
{
    uint32_t line_count = layout->count ? 1 : 0;
    for (uint32_t i = 1; i < layout->count; i++) {
        layout->tokens[i].break_before = decide_break(layout, i);
        if (layout->tokens[i].break_before != JC_FORMAT_SAME_LINE) line_count++;
    }
    layout->lines = calloc(line_count ? line_count : 1, sizeof *layout->lines);
    if (!layout->lines) return false;
    for (uint32_t i = 0; i < layout->count; i++) {
        jc_format_token *t = &layout->tokens[i];
        if (i == 0 || t->break_before != JC_FORMAT_SAME_LINE) {
            jc_format_line *line = &layout->lines[layout->line_count++];
            line->first = i;
            line->blank_before = t->break_before == JC_FORMAT_BLANK_LINE;
        }
        layout->lines[layout->line_count - 1].last = i;
        t->output_line = layout->line_count - 1;
    }
    for (uint32_t n = 0; n < layout->line_count; n++) {
        jc_format_line *line = &layout->lines[n];
        const jc_format_token *first = &layout->tokens[line->first], *last = &layout->tokens[line->last];
        line->verbatim = first->line == last->end_line &&
                         (line->first == 0 || first[-1].end_line < first->line) &&
                         (line->last + 1 == layout->count || last[1].line > last->end_line);
    }
    return true;
}

/* ---- indentation --------------------------------------------------------------- */

/* Does a line that ends with token i leave its statement unfinished? */
static bool expects_more(const jc_format_layout *layout, uint32_t i)
{
    int kind = layout->tokens[i].kind;
    jc_keyword_group group;
    if (jc_format_keyword_group(kind, &group))
        return !jc_format_acts_as_name(layout, i) && (is_binary_operator(kind) || is_leading_keyword(kind));
    return is_binary_operator(kind);
}

/* Can a line that starts with token i only be the rest of a statement? */
static bool cannot_start_statement(const jc_format_layout *layout, uint32_t i)
{
    int kind = layout->tokens[i].kind;
    jc_keyword_group group;
    if (jc_format_keyword_group(kind, &group))
        return !jc_format_acts_as_name(layout, i) && (is_binary_operator(kind) || is_continuing_keyword(kind));
    return is_binary_operator(kind) || kind == SIGNED_NUMBER;
}

/* Does a line that starts with token i continue the statement of the line before? */
static bool continues_statement(const jc_format_layout *layout, uint32_t i)
{
    uint32_t before = layout->tokens[i].previous_code;
    if (before == JC_FORMAT_NO_TOKEN) return false;
    int kind = layout->tokens[before].kind;
    if (jc_format_opens(kind) || kind == '}') return false;
    /* Inside brackets a trailing comma ends an item; outside them (the channel list of
     * quiet hours) the list goes on. */
    if (kind == ',') return layout->tokens[i].depth == 0;
    return expects_more(layout, before) || cannot_start_statement(layout, i);
}

typedef struct indent {
    uint32_t anchor, level; /* as in jc_format_line */
} indent;

typedef struct frame {
    uint32_t opener;
    uint32_t line; /* the output line that opens the pair */
    indent content, closer;
} frame;

/* Sets each line's indentation. Inside a pair in block shape the contents are one level
 * deeper than where the pair opens: its line (for '{', that line without its
 * continuation step, since a block belongs to its statement), or the contents of a pair
 * opened before it on the same line. Inside a hanging pair, lines start at the column
 * of its first token. A continuation line is one level deeper. */
static bool indent_lines(jc_format_layout *layout)
{
    frame *frames = malloc(sizeof *frames * (layout->count + 1));
    if (!frames) return false;
    uint32_t depth = 0;
    for (uint32_t n = 0; n < layout->line_count; n++) {
        jc_format_line *line = &layout->lines[n];
        const jc_format_token *first = &layout->tokens[line->first];
        /* A line that starts with comments is indented like the code that follows. */
        uint32_t code = jc_format_is_comment(first) ? first->next_code : line->first;
        indent own = depth ? frames[depth - 1].content : (indent){ JC_FORMAT_NO_TOKEN, 0 };
        bool continuation = false;
        if (code != JC_FORMAT_NO_TOKEN && jc_format_closes(layout->tokens[code].kind) &&
            jc_format_is_block_pair(&layout->tokens[code])) {
            if (code == line->first && depth) own = frames[depth - 1].closer;
        } else {
            continuation = code != JC_FORMAT_NO_TOKEN && continues_statement(layout, code);
            own.level += continuation;
        }
        line->anchor = own.anchor;
        line->level = own.level;
        indent statement = { own.anchor, own.level - continuation };
        for (uint32_t i = line->first; i <= line->last; i++) {
            const jc_format_token *t = &layout->tokens[i];
            if (!t->spans_lines) continue;
            if (jc_format_opens(t->kind)) {
                bool nested_here = depth && frames[depth - 1].line == n;
                indent base = nested_here ? frames[depth - 1].content : t->kind == '{' ? statement : own;
                indent content = t->hanging ? (indent){ t->next_code, 0 } : (indent){ base.anchor, base.level + 1 };
                frames[depth++] = (frame){ i, n, content, base };
            } else {
                while (depth && frames[depth - 1].opener != t->partner) depth--;
                if (depth) depth--;
            }
        }
    }
    free(frames);
    return true;
}

bool jc_format_break_lines(jc_format_layout *layout)
{
    return make_lines(layout) && indent_lines(layout);
}
