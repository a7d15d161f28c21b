/* lexer.re: the lexer of the journey language (re2c 3.0).
 *
 * Tokens are matched by the re2c block in jc_lex; strings and comments, whose
 * contents need decoding and UTF-8 checking, are read by the small loops below it.
 * The input is the whole file followed by a NUL; a NUL before the end is a byte of
 * the file (and an error), the one at `limit` is the end (re2c's eof rule). */
#include "lexer.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- keywords ------------------------------------------------------------------ */

static const jc_keyword keyword_table[] = {
#define JC_KEYWORD(token, spelling, group) { spelling, KW_##token, JC_KEYWORD_##group },
#include "keywords.h"
#undef JC_KEYWORD
};
enum { KEYWORD_COUNT = sizeof keyword_table / sizeof *keyword_table };

const jc_keyword *jc_keywords(uint32_t *count)
{
    *count = KEYWORD_COUNT;
    return keyword_table;
}

const char *jc_keyword_group_name(jc_keyword_group group)
{
    switch (group) {
    case JC_KEYWORD_DECLARATION: return "declaration";
    case JC_KEYWORD_CLAUSE: return "clause";
    case JC_KEYWORD_STATEMENT: return "statement";
    case JC_KEYWORD_OPERATOR: return "operator";
    case JC_KEYWORD_CONSTANT: return "constant";
    case JC_KEYWORD_TYPE: return "type";
    }
    return "?";
}

/* The table is sorted by spelling (tests/unit/test_lexer.c checks it). */
static int keyword_lookup(const unsigned char *text, size_t length)
{
    size_t low = 0, high = KEYWORD_COUNT;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        const char *spelling = keyword_table[middle].spelling;
        int order = strncmp((const char *)text, spelling, length);
        if (order == 0 && spelling[length] != '\0') order = -1;
        if (order == 0) return keyword_table[middle].token;
        if (order < 0) high = middle;
        else low = middle + 1;
    }
    return 0;
}

/* ---- helpers ------------------------------------------------------------------- */

void jc_lexer_init(jc_lexer *lexer, jc_compiler *compiler, uint32_t file)
{
    memset(lexer, 0, sizeof *lexer);
    const jc_source *source = compiler->sources.items[file];
    lexer->compiler = compiler;
    lexer->file = file;
    lexer->start = (const unsigned char *)source->text;
    lexer->cursor = lexer->start;
    lexer->limit = lexer->start + source->length;
}

static jc_span span_of(const jc_lexer *lexer, const unsigned char *from, const unsigned char *to)
{
    return (jc_span){ lexer->file, (uint32_t)(from - lexer->start), (uint32_t)(to - lexer->start) };
}

/* The length of the valid UTF-8 sequence at p (1 to 4), or 0 if it is not one. */
static int utf8_length(const unsigned char *p, const unsigned char *limit)
{
    unsigned char c = p[0];
    if (c < 0x80) return 1;
    int length;
    unsigned char low = 0x80, high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) length = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        length = 3;
        if (c == 0xE0) low = 0xA0;
        if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        length = 4;
        if (c == 0xF0) low = 0x90;
        if (c == 0xF4) high = 0x8F;
    } else return 0;
    if (limit - p < length) return 0;
    if (p[1] < low || p[1] > high) return 0;
    for (int i = 2; i < length; i++)
        if (p[i] < 0x80 || p[i] > 0xBF) return 0;
    return length;
}

/* Reports the run of bytes at p that are not UTF-8 (up to limit, stopping at a NUL or
 * at valid text) as one error, so garbage or a file in another encoding does not give
 * an error per byte. Returns the end of the run. */
static const unsigned char *report_invalid_utf8(jc_lexer *lexer, const unsigned char *p,
                                                const unsigned char *limit, const char *where)
{
    enum { SHOWN = 4 };
    const unsigned char *end = p;
    while (end < limit && *end != 0 && utf8_length(end, limit) == 0) end++;
    char bytes[SHOWN * 5 + 4] = "";
    size_t used = 0;
    for (const unsigned char *q = p; q < end && q < p + SHOWN; q++)
        used += (size_t)snprintf(bytes + used, sizeof bytes - used, "%s0x%02X", q == p ? "" : " ", *q);
    if (end - p > SHOWN) snprintf(bytes + used, sizeof bytes - used, " ...");
    jc_error(&lexer->compiler->diagnostics, span_of(lexer, p, end), "invalid UTF-8 byte%s %s%s",
             end - p > 1 ? "s" : "", bytes, where);
    return end;
}

/* Reports the run of NUL bytes at p (up to limit) as one error; returns its end. */
static const unsigned char *report_nul_bytes(jc_lexer *lexer, const unsigned char *p,
                                             const unsigned char *limit, const char *where)
{
    const unsigned char *end = p;
    while (end < limit && *end == 0) end++;
    jc_error(&lexer->compiler->diagnostics, span_of(lexer, p, end), "NUL byte%s in %s", end - p > 1 ? "s" : "", where);
    return end;
}

/* Checks the bytes of a comment; reports NUL bytes and invalid UTF-8. */
static void check_comment_bytes(jc_lexer *lexer, const unsigned char *from, const unsigned char *to)
{
    for (const unsigned char *p = from; p < to;) {
        if (*p == 0) {
            p = report_nul_bytes(lexer, p, to, "comment");
            continue;
        }
        int length = utf8_length(p, to);
        if (length == 0) {
            p = report_invalid_utf8(lexer, p, to, " in comment");
            continue;
        }
        p += length;
    }
}

static void skip_line_comment(jc_lexer *lexer)
{
    const unsigned char *end = lexer->cursor;
    while (end < lexer->limit && *end != '\n') end++;
    check_comment_bytes(lexer, lexer->cursor, end);
    lexer->cursor = end;
}

/* Returns false if the comment is not closed before the end of the file. */
static bool skip_block_comment(jc_lexer *lexer)
{
    const unsigned char *p = lexer->cursor;
    while (p + 1 < lexer->limit && !(p[0] == '*' && p[1] == '/')) p++;
    if (p + 1 >= lexer->limit) {
        check_comment_bytes(lexer, lexer->cursor, lexer->limit);
        lexer->cursor = lexer->limit;
        jc_error(&lexer->compiler->diagnostics, span_of(lexer, lexer->token, lexer->token + 2),
                 "unterminated comment");
        return false;
    }
    check_comment_bytes(lexer, lexer->cursor, p);
    lexer->cursor = p + 2;
    return true;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static size_t encode_utf8(uint32_t code_point, unsigned char *out)
{
    if (code_point < 0x80) { out[0] = (unsigned char)code_point; return 1; }
    if (code_point < 0x800) {
        out[0] = (unsigned char)(0xC0 | (code_point >> 6));
        out[1] = (unsigned char)(0x80 | (code_point & 0x3F));
        return 2;
    }
    if (code_point < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (code_point >> 12));
        out[1] = (unsigned char)(0x80 | ((code_point >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (code_point & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (code_point >> 18));
    out[1] = (unsigned char)(0x80 | ((code_point >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((code_point >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (code_point & 0x3F));
    return 4;
}

/* Past the interpolation that opens at p ('{') to its closing '}', counting every
 * unescaped brace inside, or to the end of the line. */
static const unsigned char *skip_interpolation(const unsigned char *p, const unsigned char *limit)
{
    uint32_t depth = 0;
    for (; p < limit && *p != '\n'; p++) {
        if (*p == '\\' && p + 1 < limit && p[1] != '\n') {
            p++;
            continue;
        }
        if (*p == '{') depth++;
        else if (*p == '}' && --depth == 0) return p + 1;
    }
    return p;
}

/* Reads string text from the cursor up to and including the closing '"' or the '{'
 * that opens an interpolation. `continuation` says the text follows a '}' that closed
 * an interpolation. Returns the token kind. */
static int lex_string_segment(jc_lexer *lexer, JC_YYSTYPE *value, bool continuation)
{
    jc_diagnostics *diagnostics = &lexer->compiler->diagnostics;
    const unsigned char *begin = lexer->cursor;
    const unsigned char *end = begin;
    /* A string that starts inside JC_MAX_INTERPOLATION_DEPTH interpolations cannot open
     * another: that one is reported and read as text, so the line still lexes. */
    bool may_interpolate = continuation || lexer->interpolation_depth < JC_MAX_INTERPOLATION_DEPTH;
    const unsigned char *too_deep = NULL;
    while (end < lexer->limit && *end != '"' && *end != '\n') {
        if (*end == '{') {
            if (may_interpolate) break;
            if (!too_deep) too_deep = end;
            end = skip_interpolation(end, lexer->limit);
            continue;
        }
        if (*end == '\\' && end + 1 < lexer->limit && end[1] != '\n') {
            end++;
            /* The braces of \u{XXXX} do not open an interpolation. */
            if (*end == 'u' && end + 1 < lexer->limit && end[1] == '{') {
                end++;
                while (end + 1 < lexer->limit && hex_value(end[1]) >= 0) end++;
                if (end + 1 < lexer->limit && end[1] == '}') end++;
            }
        }
        end++;
    }
    if (too_deep)
        jc_error(diagnostics, span_of(lexer, too_deep, too_deep + 1), "string interpolation nested more than %d deep",
                 JC_MAX_INTERPOLATION_DEPTH);
    unsigned char *text = jc_compiler_alloc(lexer->compiler, (size_t)(end - begin) + 1);
    size_t length = 0;
    if (!text) {
        lexer->cursor = end < lexer->limit ? end + 1 : end;
        value->text = (jc_text){ "", 0 };
        return JC_YYerror;
    }
    for (const unsigned char *p = begin; p < end;) {
        if (*p == 0) {
            p = report_nul_bytes(lexer, p, end, "string");
            continue;
        }
        if (*p != '\\') {
            int sequence = utf8_length(p, end);
            if (sequence == 0) {
                p = report_invalid_utf8(lexer, p, end, " in string");
                continue;
            }
            memcpy(text + length, p, (size_t)sequence);
            length += (size_t)sequence;
            p += sequence;
            continue;
        }
        const unsigned char *escape = p;
        unsigned char c = p + 1 < end ? p[1] : 0;
        p += 2;
        switch (c) {
        case 'n': text[length++] = '\n'; break;
        case 't': text[length++] = '\t'; break;
        case 'r': text[length++] = '\r'; break;
        case '\\': case '"': case '{': case '}': text[length++] = c; break;
        case 'u': {
            uint32_t code_point = 0;
            int digits = 0;
            bool valid = p < end && *p == '{';
            if (valid) {
                const unsigned char *q = p + 1;
                while (q < end && hex_value(*q) >= 0) {
                    if (digits < 7) code_point = code_point * 16 + (uint32_t)hex_value(*q);
                    q++;
                    digits++;
                }
                valid = q < end && *q == '}' && digits >= 1 && digits <= 6 && code_point <= 0x10FFFF &&
                        !(code_point >= 0xD800 && code_point <= 0xDFFF);
                /* Past the escape, so the error underlines all of it. */
                p = q < end && *q == '}' ? q + 1 : q;
            }
            if (valid && code_point == 0) {
                jc_error(diagnostics, span_of(lexer, escape, p), "a string cannot hold a NUL character (\\u{0})");
            } else if (!valid) {
                jc_error(diagnostics, span_of(lexer, escape, p > end ? end : p),
                         "invalid unicode escape: write \\u{XXXX} with 1 to 6 hex digits naming a code point");
            } else {
                length += encode_utf8(code_point, text + length);
            }
            break;
        }
        default:
            if (p > end) p = end;
            jc_error(diagnostics, span_of(lexer, escape, p),
                     "unknown escape sequence; use \\n, \\t, \\r, \\\\, \\\", \\{, \\} or \\u{XXXX}");
            break;
        }
    }
    text[length] = '\0';
    value->text = (jc_text){ (char *)text, (uint32_t)length };

    if (end < lexer->limit && *end == '{') {
        lexer->cursor = end + 1;
        if (!continuation) lexer->interpolation_depth++;
        lexer->brace_depth[lexer->interpolation_depth - 1] = 0;
        return continuation ? STRING_MID : STRING_HEAD;
    }
    if (end < lexer->limit && *end == '"') {
        lexer->cursor = end + 1;
    } else {
        /* Unterminated: close it here so the rest of the file still parses. */
        lexer->cursor = end;
        const unsigned char *opening = continuation ? lexer->token : lexer->token;
        jc_error(diagnostics, span_of(lexer, opening, end > opening ? end : opening + 1),
                 "unterminated string: a string must close with '\"' on the line it starts");
    }
    if (continuation) {
        lexer->interpolation_depth--;
        return STRING_TAIL;
    }
    return STRING;
}

static int64_t duration_unit(unsigned char unit)
{
    switch (unit) {
    case 's': return 1;
    case 'm': return 60;
    case 'h': return 3600;
    case 'd': return 86400;
    case 'w': return 604800;
    }
    return 0;
}

/* Not an enum constant: it does not fit in an int. */
static const int64_t DURATION_MAX_SECONDS = 100LL * 366 * 86400;

static int lex_duration(jc_lexer *lexer, JC_YYSTYPE *value)
{
    int64_t total = 0;
    bool overflow = false;
    for (const unsigned char *p = lexer->token; p < lexer->cursor;) {
        int64_t amount = 0;
        while (*p == '_' || (*p >= '0' && *p <= '9')) {
            if (*p != '_') {
                if (amount > DURATION_MAX_SECONDS) overflow = true;
                else amount = amount * 10 + (*p - '0');
            }
            p++;
        }
        int64_t unit = duration_unit(*p++);
        if (amount > DURATION_MAX_SECONDS / unit) overflow = true;
        else total += amount * unit;
        if (total > DURATION_MAX_SECONDS) overflow = true;
    }
    if (overflow) {
        jc_error(&lexer->compiler->diagnostics, span_of(lexer, lexer->token, lexer->cursor),
                 "duration out of range: at most 100 years");
        total = DURATION_MAX_SECONDS;
    }
    value->seconds = total;
    return DURATION_LITERAL;
}

static double parse_number(jc_lexer *lexer, const unsigned char *from, const unsigned char *to)
{
    char *digits = jc_compiler_alloc(lexer->compiler, (size_t)(to - from) + 1);
    if (!digits) return 0;
    size_t length = 0;
    for (const unsigned char *p = from; p < to; p++)
        if (*p != '_') digits[length++] = (char)*p;
    digits[length] = '\0';
    double number = strtod(digits, NULL);
    if (!isfinite(number)) {
        jc_error(&lexer->compiler->diagnostics, span_of(lexer, from, to),
                 "number out of range: at most about 1.8e308");
        number = 0;
    }
    return number;
}

static int lex_time_of_day(jc_lexer *lexer, JC_YYSTYPE *value)
{
    unsigned parts[3] = { 0, 0, 0 };
    int part = 0;
    for (const unsigned char *p = lexer->token; p < lexer->cursor; p++) {
        if (*p == ':') part++;
        else parts[part] = parts[part] * 10 + (unsigned)(*p - '0');
    }
    value->time_of_day = parts[0] * 3600 + parts[1] * 60 + parts[2];
    /* Out of range, the value is one no valid time has (a day plus the seconds as
     * written), so later checks do not take 24:00 for 00:00 or 12:60 for 13:00. */
    if (parts[0] > 23 || parts[1] > 59 || parts[2] > 59) {
        jc_error(&lexer->compiler->diagnostics, span_of(lexer, lexer->token, lexer->cursor),
                 "time of day out of range: it runs from 00:00 to 23:59:59");
        value->time_of_day += 86400;
    }
    return TIME_OF_DAY;
}

/* Swift's rule for a sign: '+' or '-' with white space (or an opening bracket, a comma,
 * a colon or '=') before it and a digit right after it belongs to the number. So
 * `on email_opened +5` is a score rule, and `a + 5` and `a+5` are additions. */
static bool sign_starts_number(const jc_lexer *lexer)
{
    if (lexer->token == lexer->start) return true;
    switch (lexer->token[-1]) {
    case ' ': case '\t': case '\r': case '\n':
    case '(': case '[': case '{': case ',': case ':': case '=':
        return true;
    }
    return false;
}

/* After the keyword `in`: is the next word `last`? Then the two are one token, so the
 * parser knows at `in` that an aggregate's window follows, not a list (`in [..]`). */
static bool followed_by_last(jc_lexer *lexer)
{
    const unsigned char *p = lexer->cursor;
    while (p < lexer->limit && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
    if (lexer->limit - p < 4 || memcmp(p, "last", 4) != 0) return false;
    unsigned char after = p + 4 < lexer->limit ? p[4] : 0;
    if ((after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') || (after >= '0' && after <= '9') ||
        after == '_')
        return false;
    lexer->cursor = p + 4;
    return true;
}

/* Characters that change how text around them displays, or do not display at all
 * (C1 controls, soft hyphen, zero-width and bidirectional marks, the byte order mark):
 * a message names them by code point only. */
static bool is_invisible(uint32_t code_point)
{
    return (code_point >= 0x80 && code_point <= 0x9F) || code_point == 0xAD ||
           (code_point >= 0x200B && code_point <= 0x200F) || (code_point >= 0x2028 && code_point <= 0x202E) ||
           (code_point >= 0x2060 && code_point <= 0x206F) || code_point == 0xFEFF;
}

/* How an unexpected character reads in a message: 'x' for printable ASCII, 'é' (U+00E9)
 * for other characters, U+202E or U+0001 for invisible ones and controls. */
static void describe_character(const unsigned char *p, int length, char *out, size_t size)
{
    if (*p >= 0x21 && *p < 0x7F) {
        snprintf(out, size, "'%c'", *p);
        return;
    }
    if (length == 1) {
        snprintf(out, size, "U+%04X", *p);
        return;
    }
    uint32_t code_point = *p & (0xFF >> (length + 1));
    for (int i = 1; i < length; i++) code_point = code_point << 6 | (p[i] & 0x3F);
    if (is_invisible(code_point)) snprintf(out, size, "U+%04X", (unsigned)code_point);
    else snprintf(out, size, "'%.*s' (U+%04X)", length, (const char *)p, (unsigned)code_point);
}

/* ---- tokens -------------------------------------------------------------------- */

int jc_lex(JC_YYSTYPE *value, jc_span *span, jc_lexer *lexer)
{
    jc_diagnostics *diagnostics = &lexer->compiler->diagnostics;
    int token;
    for (;;) {
        lexer->token = lexer->cursor;
        /*!re2c
            re2c:api:style = free-form;
            re2c:define:YYCTYPE = "unsigned char";
            re2c:define:YYCURSOR = "lexer->cursor";
            re2c:define:YYMARKER = "lexer->marker";
            re2c:define:YYLIMIT = "lexer->limit";
            re2c:yyfill:enable = 0;
            re2c:eof = 0;

            digits     = [0-9] ("_"? [0-9])*;
            decimal    = digits ("." digits)? ([eE] [+-]? digits)?;
            unit       = [smhdw];
            identifier = [a-zA-Z_] [a-zA-Z0-9_]*;

            $ { token = 0; goto done; }

            [ \t\r\n]+ { continue; }
            "//" {
                skip_line_comment(lexer);
                if (!lexer->keep_comments) continue;
                token = JC_TOKEN_COMMENT;
                goto done;
            }
            "/*" {
                skip_block_comment(lexer);
                if (!lexer->keep_comments) continue;
                token = JC_TOKEN_COMMENT;
                goto done;
            }
            "\""       { token = lex_string_segment(lexer, value, false); goto done; }

            identifier {
                size_t length = (size_t)(lexer->cursor - lexer->token);
                token = keyword_lookup(lexer->token, length);
                if (token == KW_IN && followed_by_last(lexer)) token = IN_LAST;
                if (token) goto done;
                value->name = jc_compiler_intern(lexer->compiler, (const char *)lexer->token, length);
                token = value->name ? IDENTIFIER : JC_YYerror;
                goto done;
            }

            decimal       { value->number = parse_number(lexer, lexer->token, lexer->cursor); token = NUMBER; goto done; }
            [+-] decimal  {
                if (!sign_starts_number(lexer)) {
                    lexer->cursor = lexer->token + 1;
                    token = lexer->token[0];
                    goto done;
                }
                value->number = parse_number(lexer, lexer->token, lexer->cursor);
                token = SIGNED_NUMBER;
                goto done;
            }
            /* A sign before a duration (-5d), a percentage or a malformed number is an
             * operator: the literal after it is read on its own. */
            [+-] ([0-9] [a-zA-Z0-9_.]* | decimal "%") {
                lexer->cursor = lexer->token + 1;
                token = lexer->token[0];
                goto done;
            }
            decimal "%"   { value->number = parse_number(lexer, lexer->token, lexer->cursor - 1); token = PERCENT; goto done; }
            (digits unit)+ { token = lex_duration(lexer, value); goto done; }
            [0-9]{1,2} ":" [0-9]{2} (":" [0-9]{2})? { token = lex_time_of_day(lexer, value); goto done; }
            [0-9] [a-zA-Z0-9_.]* {
                jc_span bad = span_of(lexer, lexer->token, lexer->cursor);
                jc_error(diagnostics, bad,
                         "invalid number '%.*s': durations take whole numbers and the units s, m, h, d, w (as in 90d or 1h30m)",
                         (int)(lexer->cursor - lexer->token), (const char *)lexer->token);
                token = JC_YYerror;
                goto done;
            }

            "==" { token = EQUAL_EQUAL; goto done; }
            "!=" { token = NOT_EQUAL; goto done; }
            "<=" { token = LESS_EQUAL; goto done; }
            ">=" { token = GREATER_EQUAL; goto done; }
            "->" { token = ARROW; goto done; }
            "??" { token = QUESTION_QUESTION; goto done; }
            "&&" {
                jc_error(diagnostics, span_of(lexer, lexer->token, lexer->cursor), "use 'and' instead of '&&'");
                token = KW_AND;
                goto done;
            }
            "||" {
                jc_error(diagnostics, span_of(lexer, lexer->token, lexer->cursor), "use 'or' instead of '||'");
                token = KW_OR;
                goto done;
            }
            "!" {
                jc_error(diagnostics, span_of(lexer, lexer->token, lexer->cursor), "use 'not' instead of '!'");
                token = KW_NOT;
                goto done;
            }
            "%" {
                jc_error(diagnostics, span_of(lexer, lexer->token, lexer->cursor),
                         "'%%' follows a number as a percentage (50%%); for a remainder use mod(a, b)");
                token = JC_YYerror;
                goto done;
            }
            "{" {
                if (lexer->interpolation_depth) lexer->brace_depth[lexer->interpolation_depth - 1]++;
                token = '{';
                goto done;
            }
            "}" {
                if (lexer->interpolation_depth && lexer->brace_depth[lexer->interpolation_depth - 1] == 0) {
                    token = lex_string_segment(lexer, value, true);
                    goto done;
                }
                if (lexer->interpolation_depth) lexer->brace_depth[lexer->interpolation_depth - 1]--;
                token = '}';
                goto done;
            }
            [-+*/<>=~()[\],.:] { token = lexer->token[0]; goto done; }

            [\x00] {
                lexer->cursor = report_nul_bytes(lexer, lexer->token, lexer->limit, "source");
                continue;
            }
            * {
                int length = utf8_length(lexer->token, lexer->limit);
                if (length == 0) {
                    lexer->cursor = report_invalid_utf8(lexer, lexer->token, lexer->limit, "");
                } else {
                    char what[32];
                    describe_character(lexer->token, length, what, sizeof what);
                    lexer->cursor = lexer->token + length;
                    jc_error(diagnostics, span_of(lexer, lexer->token, lexer->cursor), "unexpected character %s", what);
                }
                token = JC_YYerror;
                goto done;
            }
        */
    }
done:
    *span = span_of(lexer, lexer->token, lexer->cursor);
    return token;
}
