/* format_layout.h: what the parts of the formatter share; the interface is format.h.
 *
 * The input is lexed with its comments into an array of tokens that remember where they
 * stood (format_tokens.c). The layout is then decided in passes over that array:
 * format_lines.c decides which tokens start a line and how deep each line is indented,
 * format_columns.c where each token goes on its line, and format.c writes the text and
 * checks it. The rules are in spec/format.md. */
#ifndef JC_FORMAT_LAYOUT_H
#define JC_FORMAT_LAYOUT_H
#include <stdbool.h>
#include <stdint.h>

#include "compiler.h"
#include "lexer.h"

enum {
    JC_FORMAT_NO_TOKEN = UINT32_MAX,
    JC_FORMAT_INDENT_WIDTH = 4,
    JC_FORMAT_TAB_WIDTH = 4, /* a tab in the input moves to the next multiple, for columns */
};

typedef enum jc_format_break {
    JC_FORMAT_SAME_LINE,
    JC_FORMAT_NEW_LINE,
    JC_FORMAT_BLANK_LINE, /* a new line after one blank line */
} jc_format_break;

typedef struct jc_format_token {
    int kind;                      /* the parser's token kind, or JC_TOKEN_COMMENT */
    uint32_t begin, end;           /* bytes of the input */
    uint32_t line, column;         /* where it starts in the input, from 0 */
    uint32_t end_line, end_column; /* where it ends: the column after its last character */
    uint32_t width;                /* characters printed (of its first line, for a comment) */
    bool several_lines;            /* a block comment over several lines */
    /* Pairs (format_tokens.c). */
    uint32_t partner;       /* the other bracket of a pair; STRING_HEAD pairs with STRING_TAIL */
    uint32_t previous_code; /* the nearest tokens before and after that are not comments */
    uint32_t next_code;
    uint32_t depth;         /* brackets and interpolations open before it */
    bool in_interpolation;  /* between the braces of an interpolation, or closing one */
    bool spans_lines;       /* a bracket of a pair written over several lines */
    bool hanging;           /* ... whose contents start right after its opening bracket and
                               end right before its closing one */
    /* Lines (format_lines.c). */
    jc_format_break break_before;
    uint32_t output_line;
    /* Columns (format_columns.c). */
    uint32_t output_column;
    bool candidate;         /* may move right to line up with tokens on lines nearby */
    bool padded;            /* the author put more than one space before it */
    uint32_t group;         /* union-find parent among the candidates */
} jc_format_token;

typedef struct jc_format_line {
    uint32_t first, last; /* its tokens, inclusive */
    /* Its indentation: level steps of JC_FORMAT_INDENT_WIDTH spaces from the output
     * column of the anchor token (the first token inside a hanging pair), or from 0. */
    uint32_t anchor, level;
    bool blank_before;
    bool verbatim;        /* holds exactly the tokens of one input line */
} jc_format_line;

typedef struct jc_format_layout {
    const unsigned char *text; /* the input */
    jc_format_token *tokens;
    uint32_t count;
    jc_format_line *lines;
    uint32_t line_count;
} jc_format_layout;

/* format_tokens.c. Each returns false when out of memory; match_pairs also when the
 * brackets do not nest (*nested is then false), which a file that parsed cannot do. */
bool jc_format_read_tokens(jc_format_layout *layout, jc_compiler *compiler, uint32_t file);
bool jc_format_match_pairs(jc_format_layout *layout, bool *nested);
/* The keyword group of a token kind; false when the kind is no keyword. */
bool jc_format_keyword_group(int kind, jc_keyword_group *group);
/* A keyword read as a name: a field after a dot (o.value) or a key before a colon
 * ({ step: 1 }), the grammar's member_name; and any identifier. */
bool jc_format_acts_as_name(const jc_format_layout *layout, uint32_t i);

/* format_lines.c: sets break_before and output_line of every token, and the lines. */
bool jc_format_break_lines(jc_format_layout *layout);

/* format_columns.c: sets output_column of every token. */
bool jc_format_place_columns(jc_format_layout *layout);

static inline bool jc_format_is_comment(const jc_format_token *t) { return t->kind == JC_TOKEN_COMMENT; }

static inline bool jc_format_opens(int kind)
{
    return kind == '(' || kind == '[' || kind == '{' || kind == STRING_HEAD;
}

static inline bool jc_format_closes(int kind)
{
    return kind == ')' || kind == ']' || kind == '}' || kind == STRING_TAIL;
}

/* A bracket of a pair over several lines whose contents go on lines of their own. */
static inline bool jc_format_is_block_pair(const jc_format_token *t) { return t->spans_lines && !t->hanging; }

#endif
