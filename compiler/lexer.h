/* lexer.h: the re2c lexer. All state lives in jc_lexer; there are no globals.
 *
 * Strings with interpolation come out as several tokens: "a{x}b{y}c" is
 * STRING_HEAD("a") <tokens of x> STRING_MID("b") <tokens of y> STRING_TAIL("c"),
 * and a string without interpolation is one STRING token. */
#ifndef JC_LEXER_H
#define JC_LEXER_H
#include <stdbool.h>
#include <stdint.h>

#include "compiler.h"
#include "parser.h"

enum { JC_MAX_INTERPOLATION_DEPTH = 16 };

struct jc_lexer {
    jc_compiler *compiler;
    uint32_t file;
    const unsigned char *start;  /* first byte of the file */
    const unsigned char *cursor; /* next byte to read */
    const unsigned char *limit;  /* the NUL after the last byte */
    const unsigned char *marker; /* re2c backtracking */
    const unsigned char *token;  /* first byte of the token being read */
    /* For each open interpolation, how many '{' opened inside it are still open. */
    uint32_t brace_depth[JC_MAX_INTERPOLATION_DEPTH];
    uint32_t interpolation_depth;
    jc_list *declarations; /* where the parser puts what it reads */
    /* Tools that lay out source (the formatter) set this after jc_lexer_init: comments
     * then come out as JC_TOKEN_COMMENT tokens instead of being skipped. Every other
     * token is the same as the parser's. */
    bool keep_comments;
};

/* The kind jc_lex returns for a comment when keep_comments is set; its span is the whole
 * comment, delimiters included (a line comment stops before its line feed). Negative,
 * so it is no token number bison assigns. In this mode only white space lies between the
 * tokens of a file without lexical errors, so the line breaks and blank lines between
 * them can be read from the source between their spans. */
enum { JC_TOKEN_COMMENT = -100 };

void jc_lexer_init(jc_lexer *lexer, jc_compiler *compiler, uint32_t file);
/* Returns the next token kind (0 at the end of the file) and fills value and span.
 * Lexical errors are reported to the compiler's diagnostics; the token returned
 * then is JC_YYerror, which makes the parser recover without a second message. */
int jc_lex(JC_YYSTYPE *value, jc_span *span, jc_lexer *lexer);

/* The keyword table of keywords.h, for tools and tests. */
typedef enum jc_keyword_group {
    JC_KEYWORD_DECLARATION,
    JC_KEYWORD_CLAUSE,
    JC_KEYWORD_STATEMENT,
    JC_KEYWORD_OPERATOR,
    JC_KEYWORD_CONSTANT,
    JC_KEYWORD_TYPE,
} jc_keyword_group;

typedef struct jc_keyword {
    const char *spelling;
    int token;
    jc_keyword_group group;
} jc_keyword;

const jc_keyword *jc_keywords(uint32_t *count);
const char *jc_keyword_group_name(jc_keyword_group group);
/* The parser's name of a token kind is jc_parser_symbol_name (parser.h): "wait" for
 * the keyword wait, "identifier" for names. */

#endif
