/* test_lexer.c: the lexer, driven directly through jc_lex, and the keyword table.
 *
 * Each test lexes a source held in memory to a list of tokens and looks at their kinds,
 * values and spans, and at the diagnostics the lexer recorded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compiler.h"
#include "lexer.h"

/* ---- helpers ------------------------------------------------------------------- */

enum { MAX_TOKENS = 256 };

typedef struct token {
    int kind;
    JC_YYSTYPE value;
    jc_span span;
} token;

typedef struct lexed {
    jc_compiler *compiler;
    token tokens[MAX_TOKENS];
    uint32_t count; /* not counting the end of file */
} lexed;

static jc_compiler *compiler_with_source(const char *text, size_t length)
{
    jc_compiler *compiler = jc_compiler_new(NULL);
    assert_non_null(compiler);
    char *copy = malloc(length + 1);
    assert_non_null(copy);
    memcpy(copy, text, length);
    copy[length] = '\0';
    uint32_t file = jc_sources_add(&compiler->sources, "test.journey", copy, (uint32_t)length);
    assert_int_equal(file, 0);
    return compiler;
}

/* Lexes text (length bytes, which may hold NULs) up to the end of file. */
static lexed *lex_bytes(const char *text, size_t length)
{
    lexed *result = calloc(1, sizeof *result);
    assert_non_null(result);
    result->compiler = compiler_with_source(text, length);
    jc_lexer lexer;
    jc_lexer_init(&lexer, result->compiler, 0);
    for (;;) {
        token *t = &result->tokens[result->count];
        t->kind = jc_lex(&t->value, &t->span, &lexer);
        if (t->kind == 0) break;
        result->count++;
        assert_true(result->count < MAX_TOKENS);
    }
    return result;
}

static lexed *lex(const char *text) { return lex_bytes(text, strlen(text)); }

static void lexed_free(lexed *result)
{
    jc_compiler_free(result->compiler);
    free(result);
}

static const jc_diagnostics *diagnostics_of(const lexed *result) { return &result->compiler->diagnostics; }

static uint32_t error_count(const lexed *result) { return diagnostics_of(result)->error_count; }

/* The message of the i-th diagnostic. */
static const char *message(const lexed *result, uint32_t i)
{
    assert_true(i < diagnostics_of(result)->count);
    return diagnostics_of(result)->items[i].message;
}

static void assert_span(jc_span span, uint32_t begin, uint32_t end)
{
    assert_int_equal(span.file, 0);
    assert_int_equal(span.begin, begin);
    assert_int_equal(span.end, end);
}

/* A source of one token: its kind and no diagnostics. */
static lexed *lex_one(const char *text, int kind)
{
    lexed *result = lex(text);
    assert_int_equal(error_count(result), 0);
    assert_int_equal(result->count, 1);
    assert_int_equal(result->tokens[0].kind, kind);
    return result;
}

static void assert_duration(const char *text, int64_t seconds)
{
    lexed *result = lex_one(text, DURATION_LITERAL);
    assert_int_equal(result->tokens[0].value.seconds, seconds);
    assert_span(result->tokens[0].span, 0, (uint32_t)strlen(text));
    lexed_free(result);
}

static void assert_number(const char *text, int kind, double value)
{
    lexed *result = lex_one(text, kind);
    assert_float_equal(result->tokens[0].value.number, value, 1e-9 * (value < 0 ? -value : value) + 1e-12);
    lexed_free(result);
}

static void assert_time_of_day(const char *text, uint32_t seconds)
{
    lexed *result = lex_one(text, TIME_OF_DAY);
    assert_int_equal(result->tokens[0].value.time_of_day, seconds);
    lexed_free(result);
}

/* A source that is one string literal: its decoded bytes and no diagnostics. */
static void assert_string(const char *source, const char *bytes, size_t length)
{
    lexed *result = lex_one(source, STRING);
    assert_int_equal(result->tokens[0].value.text.length, length);
    assert_memory_equal(result->tokens[0].value.text.bytes, bytes, length);
    assert_int_equal(result->tokens[0].value.text.bytes[length], '\0');
    lexed_free(result);
}

/* A source with exactly one error: its message and span. */
static lexed *lex_with_error(const char *text, size_t length, const char *expected, uint32_t begin, uint32_t end)
{
    lexed *result = lex_bytes(text, length);
    assert_int_equal(error_count(result), 1);
    assert_int_equal(diagnostics_of(result)->count, 1);
    assert_string_equal(message(result, 0), expected);
    assert_span(diagnostics_of(result)->items[0].span, begin, end);
    return result;
}

static void assert_kinds(const lexed *result, const int *kinds, uint32_t count)
{
    assert_int_equal(result->count, count);
    for (uint32_t i = 0; i < count; i++) assert_int_equal(result->tokens[i].kind, kinds[i]);
}

static void assert_text(const token *t, const char *expected)
{
    assert_int_equal(t->value.text.length, strlen(expected));
    assert_memory_equal(t->value.text.bytes, expected, strlen(expected));
}

/* ---- keywords ------------------------------------------------------------------ */

/* The lexer binary-searches the table, so it must be strictly sorted. */
static void keyword_table_is_sorted(void **state)
{
    (void)state;
    uint32_t count;
    const jc_keyword *keywords = jc_keywords(&count);
    assert_true(count > 50);
    for (uint32_t i = 1; i < count; i++) assert_true(strcmp(keywords[i - 1].spelling, keywords[i].spelling) < 0);
}

/* Each keyword's token is the parser token declared with the same spelling
 * (%token KW_WAIT "wait"), the lexer reads the spelling as that token, and its group
 * has a name. */
static void keywords_match_parser_tokens(void **state)
{
    (void)state;
    uint32_t count;
    const jc_keyword *keywords = jc_keywords(&count);
    for (uint32_t i = 0; i < count; i++) {
        assert_string_equal(jc_parser_symbol_name(keywords[i].token), keywords[i].spelling);
        assert_string_not_equal(jc_keyword_group_name(keywords[i].group), "?");
        lexed *result = lex_one(keywords[i].spelling, keywords[i].token);
        lexed_free(result);
    }
    /* No two keywords share a token. */
    for (uint32_t i = 0; i < count; i++)
        for (uint32_t j = i + 1; j < count; j++) assert_int_not_equal(keywords[i].token, keywords[j].token);
}

/* Words that are a prefix or an extension of a keyword are names. */
static void near_keywords_are_identifiers(void **state)
{
    (void)state;
    const char *words[] = { "i", "inn", "waits", "wai", "a", "addd", "within_", "_wait", "Wait", "WAIT", "z" };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        lexed *result = lex_one(words[i], IDENTIFIER);
        assert_string_equal(result->tokens[0].value.name->text, words[i]);
        lexed_free(result);
    }
    /* Equal names are one interned name. */
    lexed *result = lex("plan plan");
    assert_int_equal(result->count, 2);
    assert_ptr_equal(result->tokens[0].value.name, result->tokens[1].value.name);
    lexed_free(result);
}

/* `in last` is one token (the window of an aggregate); `in` before anything else is
 * the keyword, and `last` in `lastly` does not count. */
static void in_last_is_one_token(void **state)
{
    (void)state;
    lexed *result = lex("in last");
    assert_int_equal(result->count, 1);
    assert_int_equal(result->tokens[0].kind, IN_LAST);
    assert_span(result->tokens[0].span, 0, 7);
    lexed_free(result);

    result = lex("in \n\t last 7d");
    assert_int_equal(result->tokens[0].kind, IN_LAST);
    assert_int_equal(result->tokens[1].kind, DURATION_LITERAL);
    lexed_free(result);

    const int in_lastly[] = { KW_IN, IDENTIFIER };
    result = lex("in lastly");
    assert_kinds(result, in_lastly, 2);
    lexed_free(result);

    const int in_list[] = { KW_IN, '[', NUMBER, ']' };
    result = lex("in [1]");
    assert_kinds(result, in_list, 4);
    lexed_free(result);

    const int in_at_end[] = { KW_IN };
    result = lex("in");
    assert_kinds(result, in_at_end, 1);
    lexed_free(result);

    const int in_last_digit[] = { KW_IN, IDENTIFIER };
    result = lex("in last7");
    assert_kinds(result, in_last_digit, 2);
    lexed_free(result);
}

/* ---- durations, times, percentages, numbers ----------------------------------- */

static void durations(void **state)
{
    (void)state;
    assert_duration("1s", 1);
    assert_duration("45s", 45);
    assert_duration("1m", 60);
    assert_duration("1h", 3600);
    assert_duration("1d", 86400);
    assert_duration("90d", 90 * 86400);
    assert_duration("2w", 2 * 604800);
    assert_duration("1h30m", 5400);
    assert_duration("1w2d3h4m5s", 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
    assert_duration("1_000d", 1000 * 86400LL);
    assert_duration("0s", 0);
    assert_duration("36600d", 36600 * 86400LL); /* 100 years of 366 days: the largest */
}

static void duration_overflow(void **state)
{
    (void)state;
    const char *too_long[] = { "36601d", "36600d1s", "99999999999999999999w", "5229w", "999999999999999999999999s" };
    for (size_t i = 0; i < sizeof too_long / sizeof *too_long; i++) {
        const char *text = too_long[i];
        lexed *result = lex_with_error(text, strlen(text), "duration out of range: at most 100 years", 0,
                                       (uint32_t)strlen(text));
        assert_int_equal(result->tokens[0].kind, DURATION_LITERAL);
        assert_int_equal(result->tokens[0].value.seconds, 36600 * 86400LL);
        lexed_free(result);
    }
}

static void times_of_day(void **state)
{
    (void)state;
    assert_time_of_day("00:00", 0);
    assert_time_of_day("0:00", 0);
    assert_time_of_day("9:05", 9 * 3600 + 5 * 60);
    assert_time_of_day("10:00", 36000);
    assert_time_of_day("23:59", 23 * 3600 + 59 * 60);
    assert_time_of_day("23:59:59", 86399);
    assert_time_of_day("12:30:45", 12 * 3600 + 30 * 60 + 45);
}

/* Out of range, a time is an error and its value is no valid time (a day plus the
 * seconds as written), so 24:00 is not mistaken for 00:00 later. */
static void times_of_day_out_of_range(void **state)
{
    (void)state;
    const struct {
        const char *text;
        uint32_t value;
    } cases[] = {
        { "24:00", 86400 + 86400 }, { "12:60", 86400 + 13 * 3600 }, { "23:59:60", 86400 + 86400 }, { "99:99", 86400 + 99 * 3600 + 99 * 60 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        lexed *result = lex_with_error(cases[i].text, strlen(cases[i].text),
                                       "time of day out of range: it runs from 00:00 to 23:59:59", 0,
                                       (uint32_t)strlen(cases[i].text));
        assert_int_equal(result->tokens[0].kind, TIME_OF_DAY);
        assert_int_equal(result->tokens[0].value.time_of_day, cases[i].value);
        assert_true(result->tokens[0].value.time_of_day >= 86400);
        lexed_free(result);
    }
}

static void percentages(void **state)
{
    (void)state;
    assert_number("50%", PERCENT, 50);
    assert_number("12.5%", PERCENT, 12.5);
    assert_number("0%", PERCENT, 0);
    assert_number("100%", PERCENT, 100);
    assert_number("1_0%", PERCENT, 10);
    lexed *result = lex_one("33.3%", PERCENT);
    assert_span(result->tokens[0].span, 0, 5); /* the '%' belongs to the token */
    lexed_free(result);
}

static void numbers(void **state)
{
    (void)state;
    assert_number("0", NUMBER, 0);
    assert_number("42", NUMBER, 42);
    assert_number("1_000_000", NUMBER, 1e6);
    assert_number("3.25", NUMBER, 3.25);
    assert_number("1.5e3", NUMBER, 1500);
    assert_number("2E-2", NUMBER, 0.02);
    assert_number("1e+5", NUMBER, 1e5);
    assert_number("6.02e23", NUMBER, 6.02e23);
    assert_number("1_0.2_5e1_0", NUMBER, 10.25e10);
    assert_number("1e-400", NUMBER, 0); /* underflow rounds to zero */
    /* A long literal is read whole. */
    char digits[302];
    memset(digits, '9', 300);
    digits[300] = '\0';
    assert_number(digits, NUMBER, 1e300);
}

static void number_out_of_range(void **state)
{
    (void)state;
    lexed *result = lex_with_error("1e999", 5, "number out of range: at most about 1.8e308", 0, 5);
    assert_int_equal(result->tokens[0].kind, NUMBER);
    assert_float_equal(result->tokens[0].value.number, 0, 0);
    lexed_free(result);
    char digits[320];
    memset(digits, '1', 310);
    result = lex_with_error(digits, 310, "number out of range: at most about 1.8e308", 0, 310);
    lexed_free(result);
}

/* Anything that starts with a digit and is no number, duration or time is one error
 * over the whole word. */
static void invalid_numbers(void **state)
{
    (void)state;
    const char *words[] = { "1.5d", "1__0", "12abc", "1.2.3", "5x", "1d5", "1_", "0x1F", "1h.5" };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        char expected[200];
        snprintf(expected, sizeof expected,
                 "invalid number '%s': durations take whole numbers and the units s, m, h, d, w (as in 90d or 1h30m)",
                 words[i]);
        lexed *result = lex_with_error(words[i], strlen(words[i]), expected, 0, (uint32_t)strlen(words[i]));
        assert_int_equal(result->count, 1);
        assert_int_equal(result->tokens[0].kind, JC_YYerror);
        lexed_free(result);
    }
}

/* A sign is part of a number when white space, an opening bracket, a comma, a colon or
 * '=' (or the start of the file) comes before it and a digit right after it. */
static void signed_numbers_follow_the_white_space_rule(void **state)
{
    (void)state;
    assert_number("+5", SIGNED_NUMBER, 5);
    assert_number("-5", SIGNED_NUMBER, -5);
    assert_number("-2.5e1", SIGNED_NUMBER, -25);

    const struct {
        const char *text;
        int kinds[4];
        uint32_t count;
    } cases[] = {
        { "a +5", { IDENTIFIER, SIGNED_NUMBER }, 2 },
        { "a\t-5", { IDENTIFIER, SIGNED_NUMBER }, 2 },
        { "a\n+5", { IDENTIFIER, SIGNED_NUMBER }, 2 },
        { "(-5", { '(', SIGNED_NUMBER }, 2 },
        { "[-5", { '[', SIGNED_NUMBER }, 2 },
        { "{-5", { '{', SIGNED_NUMBER }, 2 },
        { ",-5", { ',', SIGNED_NUMBER }, 2 },
        { ":-5", { ':', SIGNED_NUMBER }, 2 },
        { "=-5", { '=', SIGNED_NUMBER }, 2 },
        { "a + 5", { IDENTIFIER, '+', NUMBER }, 3 },
        { "a+5", { IDENTIFIER, '+', NUMBER }, 3 },
        { "a-5", { IDENTIFIER, '-', NUMBER }, 3 },
        { "1-2", { NUMBER, '-', NUMBER }, 3 },
        { ")-5", { ')', '-', NUMBER }, 3 },
        { "a - x", { IDENTIFIER, '-', IDENTIFIER }, 3 },
        /* Before a duration or a percentage a sign is always the operator. */
        { "x -5d", { IDENTIFIER, '-', DURATION_LITERAL }, 3 },
        { "-1h30m", { '-', DURATION_LITERAL }, 2 },
        { " -50%", { '-', PERCENT }, 2 },
        { "a-5d", { IDENTIFIER, '-', DURATION_LITERAL }, 3 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        lexed *result = lex(cases[i].text);
        assert_int_equal(error_count(result), 0);
        assert_kinds(result, cases[i].kinds, cases[i].count);
        lexed_free(result);
    }
    lexed *result = lex("a -5");
    assert_float_equal(result->tokens[1].value.number, -5, 0);
    assert_span(result->tokens[1].span, 2, 4);
    lexed_free(result);
}

/* ---- operators and stray characters -------------------------------------------- */

static void operators(void **state)
{
    (void)state;
    const int kinds[] = { EQUAL_EQUAL, NOT_EQUAL, LESS_EQUAL, GREATER_EQUAL, ARROW, QUESTION_QUESTION, '<', '>', '~',
                          '+', '*', '/', '(', ')', '[', ']', ',', '.', ':', '=', '{', '}' };
    lexed *result = lex("== != <= >= -> ?? < > ~ + * / ( ) [ ] , . : = { }");
    assert_int_equal(error_count(result), 0);
    assert_kinds(result, kinds, sizeof kinds / sizeof *kinds);
    lexed_free(result);
}

/* C's &&, || and ! are errors that still read as and, or and not. */
static void c_operators_are_reported(void **state)
{
    (void)state;
    lexed *result = lex_with_error("a && b", 6, "use 'and' instead of '&&'", 2, 4);
    assert_int_equal(result->tokens[1].kind, KW_AND);
    lexed_free(result);
    result = lex_with_error("a || b", 6, "use 'or' instead of '||'", 2, 4);
    assert_int_equal(result->tokens[1].kind, KW_OR);
    lexed_free(result);
    result = lex_with_error("!a", 2, "use 'not' instead of '!'", 0, 1);
    assert_int_equal(result->tokens[0].kind, KW_NOT);
    lexed_free(result);
    result = lex_with_error("a % 2", 5, "'%' follows a number as a percentage (50%); for a remainder use mod(a, b)", 2, 3);
    assert_int_equal(result->tokens[1].kind, JC_YYerror);
    lexed_free(result);
}

static void unexpected_characters(void **state)
{
    (void)state;
    const struct {
        const char *text;
        const char *message;
        uint32_t end;
    } cases[] = {
        { "@", "unexpected character '@'", 1 },
        { "#", "unexpected character '#'", 1 },
        { "$", "unexpected character '$'", 1 },
        { "\x01", "unexpected character U+0001", 1 },
        { "\x7f", "unexpected character U+007F", 1 },
        { "\xc3\xa9", "unexpected character '\xc3\xa9' (U+00E9)", 2 },
        { "\xf0\x9f\x98\x80", "unexpected character '\xf0\x9f\x98\x80' (U+1F600)", 4 },
        /* Invisible and bidirectional characters are named, not shown. */
        { "\xe2\x80\xae", "unexpected character U+202E", 3 },
        { "\xe2\x80\x8b", "unexpected character U+200B", 3 },
        { "\xef\xbb\xbf", "unexpected character U+FEFF", 3 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        lexed *result = lex_with_error(cases[i].text, strlen(cases[i].text), cases[i].message, 0, cases[i].end);
        assert_int_equal(result->count, 1);
        assert_int_equal(result->tokens[0].kind, JC_YYerror);
        lexed_free(result);
    }
}

/* ---- strings and interpolation ------------------------------------------------- */

static void string_escapes(void **state)
{
    (void)state;
    assert_string("\"\"", "", 0);
    assert_string("\"plain text\"", "plain text", 10);
    assert_string("\"a\\nb\"", "a\nb", 3);
    assert_string("\"\\t\\r\\\\\\\"\"", "\t\r\\\"", 4);
    assert_string("\"\\{not interpolated\\}\"", "{not interpolated}", 18);
    assert_string("\"\\u{41}\"", "A", 1);
    assert_string("\"\\u{e9}\"", "\xc3\xa9", 2);
    assert_string("\"\\u{20AC}\"", "\xe2\x82\xac", 3);
    assert_string("\"\\u{1F600}\"", "\xf0\x9f\x98\x80", 4);
    assert_string("\"\\u{10FFFF}\"", "\xf4\x8f\xbf\xbf", 4);
    assert_string("\"\\u{000041}\"", "A", 1);
    assert_string("\"caf\xc3\xa9 \xe4\xbd\xa0\"", "caf\xc3\xa9 \xe4\xbd\xa0", 9);
    assert_string("\"a}b\"", "a}b", 3); /* a lone '}' is text */
    assert_string("\"tab\there\"", "tab\there", 8);
}

static void bad_escapes(void **state)
{
    (void)state;
    static const char unknown[] = "unknown escape sequence; use \\n, \\t, \\r, \\\\, \\\", \\{, \\} or \\u{XXXX}";
    static const char unicode[] = "invalid unicode escape: write \\u{XXXX} with 1 to 6 hex digits naming a code point";
    const struct {
        const char *text;
        const char *message;
        uint32_t begin, end;
        const char *decoded;
    } cases[] = {
        { "\"\\q\"", unknown, 1, 3, "" },
        { "\"a\\x41\"", unknown, 2, 4, "a41" },
        { "\"\\0\"", unknown, 1, 3, "" },
        { "\"\\u0041\"", unicode, 1, 3, "0041" },
        { "\"\\u{}\"", unicode, 1, 5, "" },
        { "\"\\u{1234567}\"", unicode, 1, 12, "" },
        { "\"\\u{110000}\"", unicode, 1, 11, "" },
        { "\"\\u{D800}\"", unicode, 1, 9, "" },
        { "\"\\u{DFFF}\"", unicode, 1, 9, "" },
        { "\"\\u{41\"", unicode, 1, 6, "" },
        { "\"\\u{zz}\"", unicode, 1, 4, "zz}" },
        { "\"\\u{0}\"", "a string cannot hold a NUL character (\\u{0})", 1, 6, "" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        lexed *result = lex_with_error(cases[i].text, strlen(cases[i].text), cases[i].message, cases[i].begin,
                                       cases[i].end);
        assert_int_equal(result->count, 1);
        assert_int_equal(result->tokens[0].kind, STRING);
        assert_text(&result->tokens[0], cases[i].decoded);
        lexed_free(result);
    }
}

/* "a{x}b{y}c" is HEAD("a") x MID("b") y TAIL("c"). */
static void interpolation_tokens(void **state)
{
    (void)state;
    const int kinds[] = { STRING_HEAD, IDENTIFIER, STRING_MID, IDENTIFIER, '+', NUMBER, STRING_TAIL };
    lexed *result = lex("\"a{x}b{y + 1}c\"");
    assert_int_equal(error_count(result), 0);
    assert_kinds(result, kinds, 7);
    assert_text(&result->tokens[0], "a");
    assert_text(&result->tokens[2], "b");
    assert_text(&result->tokens[6], "c");
    assert_span(result->tokens[0].span, 0, 3); /* '"a{' */
    assert_span(result->tokens[2].span, 4, 7); /* '}b{' */
    assert_span(result->tokens[6].span, 12, 15); /* '}c"' */
    lexed_free(result);

    const int empty_parts[] = { STRING_HEAD, IDENTIFIER, STRING_TAIL, IDENTIFIER };
    result = lex("\"{x}\" later");
    assert_kinds(result, empty_parts, 4);
    assert_text(&result->tokens[0], "");
    assert_text(&result->tokens[2], "");
    lexed_free(result);
}

/* Inside an interpolation, braces nest (a '}' closes the interpolation only when the
 * braces opened in it are closed) and strings, with interpolations of their own, nest. */
static void nested_interpolation(void **state)
{
    (void)state;
    const int braces[] = { STRING_HEAD, '{', '{', '}', '}', STRING_TAIL };
    lexed *result = lex("\"a{ { {} } }b\"");
    assert_int_equal(error_count(result), 0);
    assert_kinds(result, braces, 6);
    assert_text(&result->tokens[5], "b");
    lexed_free(result);

    const int strings[] = { STRING_HEAD, STRING_HEAD, IDENTIFIER, STRING_TAIL, STRING_MID, STRING, STRING_TAIL };
    result = lex("\"a{\"b{x}c\"}d{\"e\"}f\"");
    assert_int_equal(error_count(result), 0);
    assert_kinds(result, strings, 7);
    assert_text(&result->tokens[0], "a");
    assert_text(&result->tokens[1], "b");
    assert_text(&result->tokens[3], "c");
    assert_text(&result->tokens[4], "d");
    assert_text(&result->tokens[5], "e");
    assert_text(&result->tokens[6], "f");
    lexed_free(result);
}

static void build_nested(char *out, int depth)
{
    /* "a{"a{ ... "a{1}" ... }"}": depth interpolations inside each other */
    strcpy(out, "\"");
    for (int i = 0; i < depth - 1; i++) strcat(out, "a{\"");
    strcat(out, "a{1}");
    for (int i = 0; i < depth - 1; i++) strcat(out, "\"}");
    strcat(out, "\"");
}

/* 16 nested interpolations are fine; the 17th '{' is an error and that interpolation
 * is read as text, so the rest of the line lexes as written. */
static void interpolation_depth_limit(void **state)
{
    (void)state;
    char text[512];
    build_nested(text, JC_MAX_INTERPOLATION_DEPTH);
    lexed *result = lex(text);
    assert_int_equal(error_count(result), 0);
    assert_int_equal(result->count, 2 * JC_MAX_INTERPOLATION_DEPTH + 1); /* HEADs, 1, TAILs */
    lexed_free(result);

    build_nested(text, JC_MAX_INTERPOLATION_DEPTH + 1);
    strcat(text, " x");
    uint32_t brace = 1 + 3 * JC_MAX_INTERPOLATION_DEPTH + 1; /* the '{' after the 17th "a" */
    result = lex_with_error(text, strlen(text), "string interpolation nested more than 16 deep", brace, brace + 1);
    /* 16 HEADs, the innermost string as plain text, 16 TAILs, then x. */
    assert_int_equal(result->count, 2 * JC_MAX_INTERPOLATION_DEPTH + 2);
    assert_int_equal(result->tokens[JC_MAX_INTERPOLATION_DEPTH].kind, STRING);
    assert_text(&result->tokens[JC_MAX_INTERPOLATION_DEPTH], "a{1}");
    assert_int_equal(result->tokens[result->count - 1].kind, IDENTIFIER);
    lexed_free(result);
}

static void unterminated_strings(void **state)
{
    (void)state;
    static const char unterminated[] = "unterminated string: a string must close with '\"' on the line it starts";
    lexed *result = lex_with_error("\"abc\nx", 6, unterminated, 0, 4);
    const int kinds[] = { STRING, IDENTIFIER };
    assert_kinds(result, kinds, 2); /* the next line still lexes */
    assert_text(&result->tokens[0], "abc");
    lexed_free(result);

    result = lex_with_error("\"abc", 4, unterminated, 0, 4);
    lexed_free(result);

    result = lex_with_error("\"", 1, unterminated, 0, 1);
    lexed_free(result);

    /* After an interpolation: from its '}' to the end of the line. */
    const int tail[] = { STRING_HEAD, IDENTIFIER, STRING_TAIL, IDENTIFIER };
    result = lex_with_error("\"a{x} b\ny", 9, unterminated, 4, 7);
    assert_kinds(result, tail, 4);
    lexed_free(result);

    /* A backslash cannot escape the end of the line. */
    lexed *escaped = lex("\"a\\\nb");
    assert_int_equal(error_count(escaped), 2);
    assert_string_equal(message(escaped, 0),
                        "unknown escape sequence; use \\n, \\t, \\r, \\\\, \\\", \\{, \\} or \\u{XXXX}");
    assert_string_equal(message(escaped, 1), unterminated);
    lexed_free(escaped);
}

/* ---- comments, NUL bytes and invalid UTF-8 -------------------------------------- */

static void comments(void **state)
{
    (void)state;
    const int kinds[] = { IDENTIFIER, IDENTIFIER, IDENTIFIER };
    lexed *result = lex("a // line \xc3\xa9\nb /* block\n * / ** \xf0\x9f\x98\x80 */ c // at the end");
    assert_int_equal(error_count(result), 0);
    assert_kinds(result, kinds, 3);
    lexed_free(result);
}

static void unterminated_comment(void **state)
{
    (void)state;
    lexed *result = lex_with_error("a /* never closed\nb", 19, "unterminated comment", 2, 4);
    assert_int_equal(result->count, 1);
    lexed_free(result);
    result = lex_with_error("/*", 2, "unterminated comment", 0, 2);
    lexed_free(result);
    result = lex_with_error("/* ends with a star *", 21, "unterminated comment", 0, 2);
    lexed_free(result);
}

/* A NUL byte is an error wherever it is; a run of them is one error; the text around
 * it still reads. */
static void nul_bytes(void **state)
{
    (void)state;
    static const char code[] = "a\0b\0\0\0c";
    lexed *result = lex_bytes(code, sizeof code - 1);
    const int kinds[] = { IDENTIFIER, IDENTIFIER, IDENTIFIER };
    assert_kinds(result, kinds, 3);
    assert_int_equal(error_count(result), 2);
    assert_string_equal(message(result, 0), "NUL byte in source");
    assert_span(diagnostics_of(result)->items[0].span, 1, 2);
    assert_string_equal(message(result, 1), "NUL bytes in source");
    assert_span(diagnostics_of(result)->items[1].span, 3, 6);
    lexed_free(result);

    static const char string[] = "\"a\0b\"";
    result = lex_with_error(string, sizeof string - 1, "NUL byte in string", 2, 3);
    assert_text(&result->tokens[0], "ab");
    lexed_free(result);

    static const char line_comment[] = "// a\0\0\nx";
    result = lex_with_error(line_comment, sizeof line_comment - 1, "NUL bytes in comment", 4, 6);
    assert_int_equal(result->count, 1);
    lexed_free(result);

    static const char block_comment[] = "/* \0 */x";
    result = lex_with_error(block_comment, sizeof block_comment - 1, "NUL byte in comment", 3, 4);
    assert_int_equal(result->count, 1);
    lexed_free(result);

    /* A NUL as the last byte is still a byte of the file, not its end. */
    static const char last[] = "x\0";
    result = lex_with_error(last, sizeof last - 1, "NUL byte in source", 1, 2);
    assert_int_equal(result->count, 1);
    lexed_free(result);
}

/* Bytes that are not UTF-8 are errors in code, strings and comments; a run of them is
 * one error naming its first bytes. */
static void invalid_utf8(void **state)
{
    (void)state;
    lexed *result = lex_with_error("a \xff b", 5, "invalid UTF-8 byte 0xFF", 2, 3);
    const int kinds[] = { IDENTIFIER, JC_YYerror, IDENTIFIER };
    assert_kinds(result, kinds, 3);
    lexed_free(result);

    result = lex_with_error("\xc0\xaf", 2, "invalid UTF-8 bytes 0xC0 0xAF", 0, 2); /* overlong '/' */
    lexed_free(result);
    result = lex_with_error("\xed\xa0\x80", 3, "invalid UTF-8 bytes 0xED 0xA0 0x80", 0, 3); /* a surrogate */
    lexed_free(result);
    result = lex_with_error("\xf4\x90\x80\x80", 4, "invalid UTF-8 bytes 0xF4 0x90 0x80 0x80", 0, 4); /* past U+10FFFF */
    lexed_free(result);
    result = lex_with_error("\x80\x81\x82\x83\x84\x85", 6, "invalid UTF-8 bytes 0x80 0x81 0x82 0x83 ...", 0, 6);
    lexed_free(result);
    result = lex_with_error("\xe2\x82", 2, "invalid UTF-8 bytes 0xE2 0x82", 0, 2); /* truncated at the end */
    lexed_free(result);

    result = lex_with_error("\"caf\xe9\"", 6, "invalid UTF-8 byte 0xE9 in string", 4, 5); /* Latin-1 */
    assert_text(&result->tokens[0], "caf");
    lexed_free(result);

    result = lex_with_error("// \xfe\xff\nx", 7, "invalid UTF-8 bytes 0xFE 0xFF in comment", 3, 5);
    assert_int_equal(result->count, 1);
    lexed_free(result);

    result = lex_with_error("/* \xc3 */", 7, "invalid UTF-8 byte 0xC3 in comment", 3, 4);
    lexed_free(result);
}

/* ---- long input and positions --------------------------------------------------- */

/* A line of a megabyte lexes in one pass: a string literal and a name that long. */
static void very_long_line(void **state)
{
    (void)state;
    enum { LENGTH = 1 << 20 };
    char *text = malloc(LENGTH + 8);
    assert_non_null(text);
    text[0] = '"';
    memset(text + 1, 'x', LENGTH);
    strcpy(text + 1 + LENGTH, "\" y");
    lexed *result = lex(text);
    assert_int_equal(error_count(result), 0);
    assert_int_equal(result->count, 2);
    assert_int_equal(result->tokens[0].value.text.length, LENGTH);
    assert_span(result->tokens[1].span, LENGTH + 3, LENGTH + 4);
    jc_position position = jc_source_position(result->compiler->sources.items[0], LENGTH + 3);
    assert_int_equal(position.line, 1);
    assert_int_equal(position.column, LENGTH + 4);
    lexed_free(result);

    memset(text, 'n', LENGTH);
    text[LENGTH] = '\0';
    result = lex(text);
    assert_int_equal(result->count, 1);
    assert_int_equal(result->tokens[0].kind, IDENTIFIER);
    assert_int_equal(result->tokens[0].value.name->length, LENGTH);
    lexed_free(result);
    free(text);
}

/* Lines count from 1 and columns from 1 in characters: a multibyte character or a tab
 * is one column, '\r' before '\n' ends the line with it. */
static void positions(void **state)
{
    (void)state;
    static const char text[] = "ab\n\xc3\xa9t\tx\r\n\xf0\x9f\x98\x80z\n\nlast";
    jc_compiler *compiler = compiler_with_source(text, sizeof text - 1);
    const jc_source *source = compiler->sources.items[0];
    const struct {
        uint32_t offset, line, column;
    } cases[] = {
        { 0, 1, 1 },  { 1, 1, 2 },  { 2, 1, 3 },           /* 'a', 'b', the '\n' */
        { 3, 2, 1 },  { 5, 2, 2 },  { 6, 2, 3 },  { 7, 2, 4 }, /* 'é' (2 bytes), 't', tab, 'x' */
        { 8, 2, 5 },  { 10, 3, 1 }, { 14, 3, 2 },          /* '\r', the emoji, 'z' */
        { 16, 4, 1 }, { 17, 5, 1 }, { 20, 5, 4 },          /* the empty line, "last" */
        { 21, 5, 5 },                                      /* the end of the file */
        { 1000, 5, 5 },                                    /* past it: clamped */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        jc_position position = jc_source_position(source, cases[i].offset);
        assert_int_equal(position.line, cases[i].line);
        assert_int_equal(position.column, cases[i].column);
    }
    uint32_t length;
    const char *line = jc_source_line(source, 2, &length);
    assert_int_equal(length, 5); /* without "\r\n" */
    assert_memory_equal(line, "\xc3\xa9t\tx", 5);
    line = jc_source_line(source, 4, &length);
    assert_int_equal(length, 0);
    line = jc_source_line(source, 5, &length);
    assert_int_equal(length, 4);
    line = jc_source_line(source, 6, &length);
    assert_int_equal(length, 0);
    (void)line;
    assert_int_equal(source->line_count, 5);
    jc_compiler_free(compiler);
}

/* Token spans are byte ranges of the file; the end of file is an empty span at its end. */
static void token_spans(void **state)
{
    (void)state;
    lexed *result = lex("  wait 1d\n\t\"\xc3\xa9\" // c\n");
    assert_int_equal(result->count, 3);
    assert_span(result->tokens[0].span, 2, 6);
    assert_span(result->tokens[1].span, 7, 9);
    assert_span(result->tokens[2].span, 11, 15);
    assert_span(result->tokens[3].span, 21, 21); /* kind 0 */
    jc_position position = jc_source_position(result->compiler->sources.items[0], result->tokens[2].span.begin);
    assert_int_equal(position.line, 2);
    assert_int_equal(position.column, 2);
    lexed_free(result);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keyword_table_is_sorted),
        cmocka_unit_test(keywords_match_parser_tokens),
        cmocka_unit_test(near_keywords_are_identifiers),
        cmocka_unit_test(in_last_is_one_token),
        cmocka_unit_test(durations),
        cmocka_unit_test(duration_overflow),
        cmocka_unit_test(times_of_day),
        cmocka_unit_test(times_of_day_out_of_range),
        cmocka_unit_test(percentages),
        cmocka_unit_test(numbers),
        cmocka_unit_test(number_out_of_range),
        cmocka_unit_test(invalid_numbers),
        cmocka_unit_test(signed_numbers_follow_the_white_space_rule),
        cmocka_unit_test(operators),
        cmocka_unit_test(c_operators_are_reported),
        cmocka_unit_test(unexpected_characters),
        cmocka_unit_test(string_escapes),
        cmocka_unit_test(bad_escapes),
        cmocka_unit_test(interpolation_tokens),
        cmocka_unit_test(nested_interpolation),
        cmocka_unit_test(interpolation_depth_limit),
        cmocka_unit_test(unterminated_strings),
        cmocka_unit_test(comments),
        cmocka_unit_test(unterminated_comment),
        cmocka_unit_test(nul_bytes),
        cmocka_unit_test(invalid_utf8),
        cmocka_unit_test(very_long_line),
        cmocka_unit_test(positions),
        cmocka_unit_test(token_spans),
    };
    return cmocka_run_group_tests_name("lexer", tests, NULL, NULL);
}
