/* test_diagnostics.c: recording diagnostics and rendering them as gcc-style text and
 * JSON, and the order in which a compilation reports them.
 *
 * Output is rendered into memory (open_memstream) and compared whole, so a change of
 * layout, caret or escaping shows up as a difference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "compiler.h"

/* ---- helpers ------------------------------------------------------------------- */

typedef struct fixture {
    jc_sources sources;
    jc_diagnostics diagnostics;
} fixture;

static fixture *fixture_new(const char *path, const char *text)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    size_t length = strlen(text);
    char *copy = malloc(length + 1);
    assert_non_null(copy);
    memcpy(copy, text, length + 1);
    assert_int_equal(jc_sources_add(&f->sources, path, copy, (uint32_t)length), 0);
    return f;
}

static void fixture_free(fixture *f)
{
    jc_diagnostics_free(&f->diagnostics);
    jc_sources_free(&f->sources);
    free(f);
}

static jc_span span(uint32_t begin, uint32_t end) { return (jc_span){ 0, begin, end }; }

/* Renders into a string the caller frees. */
static char *render(const jc_diagnostics *diagnostics, const jc_sources *sources, jc_render_format format, bool color,
                    bool warnings_are_errors)
{
    char *buffer = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buffer, &size);
    assert_non_null(out);
    jc_render_options options = { format, color, warnings_are_errors };
    jc_diagnostics_render(diagnostics, sources, &options, out);
    assert_int_equal(fclose(out), 0);
    return buffer;
}

static void assert_text(const fixture *f, const char *expected)
{
    char *text = render(&f->diagnostics, &f->sources, JC_RENDER_TEXT, false, false);
    assert_string_equal(text, expected);
    free(text);
}

static void assert_json(const fixture *f, bool warnings_are_errors, const char *expected)
{
    char *json = render(&f->diagnostics, &f->sources, JC_RENDER_JSON, false, warnings_are_errors);
    assert_string_equal(json, expected);
    free(json);
}

/* ---- text ---------------------------------------------------------------------- */

/* file:line:col: severity: message, the line, then a caret under the first character
 * of the span and '~' under the rest. */
static void text_layout(void **state)
{
    (void)state;
    fixture *f = fixture_new("a.journey", "event e\nsegment s = undeclared_name\n");
    jc_error(&f->diagnostics, span(20, 35), "undeclared name '%s'", "undeclared_name");
    assert_int_equal(f->diagnostics.error_count, 1);
    assert_text(f, "a.journey:2:13: error: undeclared name 'undeclared_name'\n"
                   "    2 | segment s = undeclared_name\n"
                   "      |             ^~~~~~~~~~~~~~~\n");
    fixture_free(f);
}

/* Tabs before the span are kept in the caret line so the caret lines up under any tab
 * width. */
static void caret_after_tabs(void **state)
{
    (void)state;
    fixture *f = fixture_new("t.journey", "journey j {\n\t\tsend welcom\n}\n");
    jc_error(&f->diagnostics, span(19, 25), "undeclared message 'welcom'");
    assert_text(f, "t.journey:2:8: error: undeclared message 'welcom'\n"
                   "    2 | \t\tsend welcom\n"
                   "      | \t\t     ^~~~~~\n");
    fixture_free(f);
}

/* A multibyte character is one column, before the caret and under the '~'. */
static void caret_after_multibyte_characters(void **state)
{
    (void)state;
    /* "é" is 2 bytes, "😀" 4, "→" 3. */
    fixture *f = fixture_new("u.journey", "let \xc3\xa9t\xc3\xa9 = \"\xf0\x9f\x98\x80\xe2\x86\x92\" + 1\n");
    jc_error(&f->diagnostics, span(12, 21), "cannot apply '+' to string and number");
    assert_text(f, "u.journey:1:11: error: cannot apply '+' to string and number\n"
                   "    1 | let \xc3\xa9t\xc3\xa9 = \"\xf0\x9f\x98\x80\xe2\x86\x92\" + 1\n"
                   "      |           ^~~~\n");
    fixture_free(f);
}

/* Bytes that are not UTF-8 show as U+FFFD and control characters as spaces, one
 * column each, and the caret still lines up. */
static void invalid_bytes_in_the_excerpt(void **state)
{
    (void)state;
    fixture *f = fixture_new("b.journey", "a\x80\xff\x01 @\n");
    jc_error(&f->diagnostics, span(5, 6), "unexpected character '@'");
    assert_text(f, "b.journey:1:5: error: unexpected character '@'\n"
                   "    1 | a\xef\xbf\xbd\xef\xbf\xbd  @\n"
                   "      |      ^\n");
    fixture_free(f);
}

/* An empty span gets one caret; a span past the end of its line stops there; a span
 * at the very end of the file puts the caret after the last character. */
static void caret_edges(void **state)
{
    (void)state;
    fixture *f = fixture_new("e.journey", "ab\ncd");
    jc_error(&f->diagnostics, span(1, 1), "empty");
    jc_error(&f->diagnostics, span(0, 5), "over two lines");
    jc_error(&f->diagnostics, span(5, 5), "at the end");
    assert_text(f, "e.journey:1:2: error: empty\n"
                   "    1 | ab\n"
                   "      |  ^\n"
                   "e.journey:1:1: error: over two lines\n"
                   "    1 | ab\n"
                   "      | ^~\n"
                   "e.journey:2:3: error: at the end\n"
                   "    2 | cd\n"
                   "      |   ^\n");
    fixture_free(f);
}

/* A note comes right after the error it belongs to, with its own place and excerpt. */
static void notes_follow_their_error(void **state)
{
    (void)state;
    fixture *f = fixture_new("n.journey", "event purchase\nsegment s = count(purchse) > 1\n");
    jc_error(&f->diagnostics, span(33, 40), "undeclared event 'purchse'");
    jc_note(&f->diagnostics, span(6, 14), "did you mean 'purchase'?");
    jc_warning(&f->diagnostics, span(0, 5), "a warning");
    assert_int_equal(f->diagnostics.count, 3);
    assert_int_equal(f->diagnostics.error_count, 1);
    assert_int_equal(f->diagnostics.warning_count, 1);
    assert_text(f, "n.journey:2:19: error: undeclared event 'purchse'\n"
                   "    2 | segment s = count(purchse) > 1\n"
                   "      |                   ^~~~~~~\n"
                   "n.journey:1:7: note: did you mean 'purchase'?\n"
                   "    1 | event purchase\n"
                   "      |       ^~~~~~~~\n"
                   "n.journey:1:1: warning: a warning\n"
                   "    1 | event purchase\n"
                   "      | ^~~~~\n");
    fixture_free(f);
}

/* A note with nothing before it has nothing to belong to and is dropped. */
static void note_without_error_is_dropped(void **state)
{
    (void)state;
    fixture *f = fixture_new("d.journey", "x\n");
    jc_note(&f->diagnostics, span(0, 1), "orphan");
    assert_int_equal(f->diagnostics.count, 0);
    assert_text(f, "");
    assert_json(f, false, "[]\n");
    fixture_free(f);
}

/* With -Werror a warning is shown, and counted by journeyc, as an error. */
static void werror_promotes_warnings(void **state)
{
    (void)state;
    fixture *f = fixture_new("w.journey", "exit\nsend m\n");
    jc_warning(&f->diagnostics, span(5, 11), "unreachable code after 'exit'");
    jc_note(&f->diagnostics, span(0, 4), "the journey ends here");
    char *text = render(&f->diagnostics, &f->sources, JC_RENDER_TEXT, false, true);
    assert_string_equal(text, "w.journey:2:1: error: unreachable code after 'exit'\n"
                              "    2 | send m\n"
                              "      | ^~~~~~\n"
                              "w.journey:1:1: note: the journey ends here\n"
                              "    1 | exit\n"
                              "      | ^~~~\n");
    free(text);
    text = render(&f->diagnostics, &f->sources, JC_RENDER_TEXT, false, false);
    assert_non_null(strstr(text, "w.journey:2:1: warning: unreachable code after 'exit'\n"));
    free(text);
    fixture_free(f);
}

/* Colour codes appear only when colour is on. */
static void colour_only_when_asked(void **state)
{
    (void)state;
    fixture *f = fixture_new("c.journey", "x\n");
    jc_error(&f->diagnostics, span(0, 1), "e");
    jc_warning(&f->diagnostics, span(0, 1), "w");
    jc_note(&f->diagnostics, span(0, 1), "n");
    char *plain = render(&f->diagnostics, &f->sources, JC_RENDER_TEXT, false, false);
    assert_null(strchr(plain, '\033'));
    char *colored = render(&f->diagnostics, &f->sources, JC_RENDER_TEXT, true, false);
    assert_non_null(strstr(colored, "\033[1;31merror:"));
    assert_non_null(strstr(colored, "\033[1;35mwarning:"));
    assert_non_null(strstr(colored, "\033[1;36mnote:"));
    assert_non_null(strstr(colored, "\033[1;32m^"));
    /* JSON never has colour. */
    char *json = render(&f->diagnostics, &f->sources, JC_RENDER_JSON, true, false);
    assert_null(strchr(json, '\033'));
    free(plain);
    free(colored);
    free(json);
    fixture_free(f);
}

/* A diagnostic without a place is named after the program. */
static void diagnostic_without_place(void **state)
{
    (void)state;
    fixture *f = fixture_new("p.journey", "x\n");
    jc_error(&f->diagnostics, (jc_span){ JC_NO_FILE, 0, 0 }, "cannot read '%s': %s", "missing.journey",
             "No such file or directory");
    assert_text(f, "journeyc: error: cannot read 'missing.journey': No such file or directory\n");
    assert_json(f, false,
                "[{\"kind\": \"error\", \"message\": \"cannot read 'missing.journey': No such file or directory\", "
                "\"locations\": [], \"children\": []}]\n");
    fixture_free(f);
}

/* Spans past the end of the file, reversed, or in no known file do not crash: they are
 * clamped to the file or shown without a place. */
static void out_of_range_spans(void **state)
{
    (void)state;
    fixture *f = fixture_new("r.journey", "ab\ncd\n");
    jc_error(&f->diagnostics, span(100, 200), "past the end");
    jc_error(&f->diagnostics, span(4, 1), "reversed");
    jc_error(&f->diagnostics, span(UINT32_MAX, UINT32_MAX), "at the limit");
    jc_error(&f->diagnostics, (jc_span){ 7, 0, 1 }, "in a file that is not there");
    jc_note(&f->diagnostics, span(2, UINT32_MAX), "to the limit");
    assert_text(f, "r.journey:3:1: error: past the end\n"
                   "    3 | \n"
                   "      | ^\n"
                   "r.journey:2:2: error: reversed\n"
                   "    2 | cd\n"
                   "      |  ^\n"
                   "r.journey:3:1: error: at the limit\n"
                   "    3 | \n"
                   "      | ^\n"
                   "journeyc: error: in a file that is not there\n"
                   "r.journey:1:3: note: to the limit\n"
                   "    1 | ab\n"
                   "      |   ^\n");
    char *json = render(&f->diagnostics, &f->sources, JC_RENDER_JSON, false, false);
    assert_non_null(strstr(json, "\"message\": \"past the end\", \"locations\": [{\"caret\": {\"file\": \"r.journey\", "
                                 "\"line\": 3, \"column\": 1, \"byte-offset\": 100}}]"));
    free(json);
    fixture_free(f);
}

/* ---- JSON ---------------------------------------------------------------------- */

/* One array in the shape of gcc's JSON diagnostics: kind, message, locations with a
 * caret and (for longer spans) a finish at the last character, and children for notes. */
static void json_shape(void **state)
{
    (void)state;
    fixture *f = fixture_new("j.journey", "event purchase\nsegment s = count(purchse) > 1\n");
    jc_error(&f->diagnostics, span(33, 40), "undeclared event 'purchse'");
    jc_note(&f->diagnostics, span(6, 14), "did you mean 'purchase'?");
    jc_warning(&f->diagnostics, span(0, 1), "w");
    assert_json(f, false,
                "[{\"kind\": \"error\", \"message\": \"undeclared event 'purchse'\", \"locations\": [{\"caret\": "
                "{\"file\": \"j.journey\", \"line\": 2, \"column\": 19, \"byte-offset\": 33}, \"finish\": "
                "{\"file\": \"j.journey\", \"line\": 2, \"column\": 25, \"byte-offset\": 39}}], \"children\": "
                "[{\"kind\": \"note\", \"message\": \"did you mean 'purchase'?\", \"locations\": [{\"caret\": "
                "{\"file\": \"j.journey\", \"line\": 1, \"column\": 7, \"byte-offset\": 6}, \"finish\": "
                "{\"file\": \"j.journey\", \"line\": 1, \"column\": 14, \"byte-offset\": 13}}], \"children\": []}]},\n"
                " {\"kind\": \"warning\", \"message\": \"w\", \"locations\": [{\"caret\": {\"file\": \"j.journey\", "
                "\"line\": 1, \"column\": 1, \"byte-offset\": 0}}], \"children\": []}]\n");
    /* -Werror makes the warning's kind "error". */
    char *json = render(&f->diagnostics, &f->sources, JC_RENDER_JSON, false, true);
    assert_non_null(strstr(json, "{\"kind\": \"error\", \"message\": \"w\""));
    assert_null(strstr(json, "warning"));
    free(json);
    fixture_free(f);
}

/* The finish of a span is its last character: for a multibyte one, its first byte and
 * its column, not one past it. */
static void json_finish_of_multibyte_character(void **state)
{
    (void)state;
    fixture *f = fixture_new("m.journey", "a\xc3\xa9 \xc3\xa9\n");
    jc_error(&f->diagnostics, span(0, 3), "two characters");
    jc_error(&f->diagnostics, span(4, 6), "one character of two bytes");
    assert_json(f, false,
                "[{\"kind\": \"error\", \"message\": \"two characters\", \"locations\": [{\"caret\": {\"file\": "
                "\"m.journey\", \"line\": 1, \"column\": 1, \"byte-offset\": 0}, \"finish\": {\"file\": \"m.journey\", "
                "\"line\": 1, \"column\": 2, \"byte-offset\": 1}}], \"children\": []},\n"
                " {\"kind\": \"error\", \"message\": \"one character of two bytes\", \"locations\": [{\"caret\": "
                "{\"file\": \"m.journey\", \"line\": 1, \"column\": 4, \"byte-offset\": 4}}], \"children\": []}]\n");
    fixture_free(f);
}

/* Quotes, backslashes and control characters in messages and paths are escaped, and a
 * byte that is not UTF-8 becomes U+FFFD, so the output is always valid JSON. */
static void json_escaping(void **state)
{
    (void)state;
    fixture *f = fixture_new("dir \"q\"\\x\x01\xff.journey", "x\n");
    jc_error(&f->diagnostics, span(0, 1), "say \"hi\"\\ \n\t\r\x02 caf\xc3\xa9 \xf0\x9f\x98\x80");
    assert_json(f, false,
                "[{\"kind\": \"error\", \"message\": \"say \\\"hi\\\"\\\\ \\n\\t\\r\\u0002 caf\xc3\xa9 "
                "\xf0\x9f\x98\x80\", \"locations\": [{\"caret\": {\"file\": \"dir \\\"q\\\"\\\\x\\u0001\\ufffd.journey\", "
                "\"line\": 1, \"column\": 1, \"byte-offset\": 0}}], \"children\": []}]\n");
    fixture_free(f);
}

/* Several compilations can share one array: items are separated, never doubled. */
static void json_items_of_several_compilations(void **state)
{
    (void)state;
    fixture *a = fixture_new("a.journey", "x\n");
    fixture *b = fixture_new("b.journey", "y\n");
    fixture *empty = fixture_new("c.journey", "z\n");
    jc_error(&a->diagnostics, span(0, 1), "first");
    jc_error(&b->diagnostics, span(0, 1), "second");
    char *buffer = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buffer, &size);
    assert_non_null(out);
    jc_render_options options = { JC_RENDER_JSON, false, false };
    bool first = true;
    fputc('[', out);
    jc_diagnostics_render_json_items(&empty->diagnostics, &empty->sources, &options, out, &first);
    jc_diagnostics_render_json_items(&a->diagnostics, &a->sources, &options, out, &first);
    jc_diagnostics_render_json_items(&b->diagnostics, &b->sources, &options, out, &first);
    fputs("]\n", out);
    fclose(out);
    assert_string_equal(buffer, "[{\"kind\": \"error\", \"message\": \"first\", \"locations\": [{\"caret\": {\"file\": "
                                "\"a.journey\", \"line\": 1, \"column\": 1, \"byte-offset\": 0}}], \"children\": []},\n"
                                " {\"kind\": \"error\", \"message\": \"second\", \"locations\": [{\"caret\": {\"file\": "
                                "\"b.journey\", \"line\": 1, \"column\": 1, \"byte-offset\": 0}}], \"children\": []}]\n");
    free(buffer);
    fixture_free(a);
    fixture_free(b);
    fixture_free(empty);
}

/* ---- a compilation's diagnostics ----------------------------------------------- */

static jc_compiler *check(const char *text)
{
    jc_compiler *compiler = jc_compiler_new(NULL);
    assert_non_null(compiler);
    jc_compiler_check_source(compiler, "s.journey", text, (uint32_t)strlen(text));
    return compiler;
}

/* The lexer, the parser and the checker report in their own order; a compilation
 * shows the diagnostics in the order of the source, each with its notes after it. */
static void sorted_by_position(void **state)
{
    (void)state;
    jc_compiler *compiler = check("event purchase\n"
                                  "segment a = count(purchse) > 1\n" /* resolve: error + note on line 1 */
                                  "segment b = zzz\n"                 /* resolve */
                                  "attribute c: number = 1 @\n");     /* lexer, before both */
    const jc_diagnostics *d = &compiler->diagnostics;
    assert_int_equal(d->count, 4);
    const char *expected[] = { "undeclared event 'purchse'", "did you mean 'purchase'?", "undeclared name 'zzz'",
                               "unexpected character '@'" };
    const uint32_t lines[] = { 2, 1, 3, 4 };
    for (uint32_t i = 0; i < 4; i++) {
        assert_string_equal(d->items[i].message, expected[i]);
        jc_position position = jc_source_position(compiler->sources.items[0], d->items[i].span.begin);
        assert_int_equal(position.line, lines[i]);
    }
    assert_int_equal(d->items[1].severity, JC_SEVERITY_NOTE);
    jc_compiler_free(compiler);
}

/* Diagnostics at the same place keep the order they were reported in, and a warning
 * sorts among errors by position like any other. */
static void equal_positions_keep_their_order(void **state)
{
    (void)state;
    /* The empty name and the shares are both reported at the split's name. */
    jc_compiler *compiler = check("event e\njourney j {\n    entry e\n    exit\n    split \"\" { 50% {} }\n}\n");
    const jc_diagnostics *d = &compiler->diagnostics;
    assert_int_equal(d->count, 4);
    assert_string_equal(d->items[0].message, "unreachable code after 'exit'");
    assert_string_equal(d->items[1].message, "the journey ends here");
    assert_string_equal(d->items[2].message, "a split needs a name: it keeps each contact in the same arm");
    assert_string_equal(d->items[3].message, "the shares of split \"\" add up to 50%, not 100%");
    assert_int_equal(d->items[2].span.begin, d->items[3].span.begin);
    assert_int_equal(d->error_count, 2);
    assert_int_equal(d->warning_count, 1);
    jc_compiler_free(compiler);
}

static void status_of_a_check(void **state)
{
    (void)state;
    jc_compiler *compiler = jc_compiler_new(NULL);
    assert_int_equal(jc_compiler_check_source(compiler, "ok.journey", "event e\n", 8), JC_OK);
    jc_compiler_free(compiler);
    compiler = jc_compiler_new(NULL);
    static const char warning_only[] = "event e\nscore s { on e +0 }\n";
    assert_int_equal(jc_compiler_check_source(compiler, "w.journey", warning_only, sizeof warning_only - 1), JC_OK);
    assert_int_equal(compiler->diagnostics.warning_count, 1);
    jc_compiler_free(compiler);
    compiler = jc_compiler_new(NULL);
    assert_int_equal(jc_compiler_check_source(compiler, "e.journey", "event", 5), JC_ERRORS);
    jc_compiler_free(compiler);
}

/* A file that cannot be read is an error without a place. */
static void unreadable_root_file(void **state)
{
    (void)state;
    jc_compiler *compiler = jc_compiler_new(NULL);
    assert_int_equal(jc_compiler_check_file(compiler, "/nonexistent/missing.journey"), JC_ERRORS);
    assert_int_equal(compiler->diagnostics.count, 1);
    assert_int_equal(compiler->diagnostics.items[0].span.file, JC_NO_FILE);
    assert_string_equal(compiler->diagnostics.items[0].message,
                        "cannot read '/nonexistent/missing.journey': No such file or directory");
    jc_compiler_free(compiler);

    compiler = jc_compiler_new(NULL);
    assert_int_equal(jc_compiler_check_file(compiler, "/"), JC_ERRORS);
    assert_string_equal(compiler->diagnostics.items[0].message, "cannot read '/': Is a directory");
    jc_compiler_free(compiler);
}

/* A source file over 64 MiB is refused; one of exactly 64 MiB is read (sparse files of
 * NUL bytes, so the test stays cheap: they lex as one run of NULs). */
static void oversized_file(void **state)
{
    (void)state;
    char path[] = "/tmp/journey-test-XXXXXX";
    int descriptor = mkstemp(path);
    assert_true(descriptor >= 0);
    assert_int_equal(ftruncate(descriptor, 64L * 1024 * 1024 + 1), 0);
    jc_compiler *compiler = jc_compiler_new(NULL);
    assert_int_equal(jc_compiler_check_file(compiler, path), JC_ERRORS);
    char expected[128];
    snprintf(expected, sizeof expected, "cannot read '%s': larger than 64 MiB", path);
    assert_string_equal(compiler->diagnostics.items[0].message, expected);
    jc_compiler_free(compiler);

    assert_int_equal(ftruncate(descriptor, 64L * 1024 * 1024), 0);
    close(descriptor);
    compiler = jc_compiler_new(NULL);
    assert_int_equal(jc_compiler_check_file(compiler, path), JC_ERRORS);
    assert_int_equal(compiler->diagnostics.count, 1);
    assert_string_equal(compiler->diagnostics.items[0].message, "NUL bytes in source");
    assert_int_equal(compiler->sources.items[0]->length, 64L * 1024 * 1024);
    jc_compiler_free(compiler);
    unlink(path);
}

/* At most JC_MAX_DIAGNOSTICS errors and warnings are recorded; the rest are counted,
 * and a closing note says how many were left out. */
static void diagnostics_are_limited(void **state)
{
    (void)state;
    enum { GIVEN = JC_MAX_DIAGNOSTICS + 50 };
    char text[GIVEN * 2 + 1];
    for (int i = 0; i < GIVEN; i++) memcpy(text + 2 * i, "@ ", 2);
    text[GIVEN * 2] = '\0';
    jc_compiler *compiler = check(text);
    const jc_diagnostics *d = &compiler->diagnostics;
    assert_int_equal(d->count, JC_MAX_DIAGNOSTICS);
    assert_int_equal(d->error_count, GIVEN);
    assert_int_equal(d->unrecorded_count, 50);
    char *rendered = render(d, &compiler->sources, JC_RENDER_TEXT, false, false);
    const char *last = strstr(rendered, "journeyc: note: ");
    assert_non_null(last);
    assert_string_equal(last, "journeyc: note: 50 more errors and warnings not shown: the first 100 are\n");
    free(rendered);
    rendered = render(d, &compiler->sources, JC_RENDER_JSON, false, false);
    const char *tail = "{\"kind\": \"note\", \"message\": \"50 more errors and warnings not shown: the first 100 are\", "
                       "\"locations\": [], \"children\": []}]\n";
    assert_string_equal(rendered + strlen(rendered) - strlen(tail), tail);
    free(rendered);
    jc_compiler_free(compiler);

    /* Notes of an unrecorded error are left out with it. */
    jc_diagnostics many = { 0 };
    for (int i = 0; i < JC_MAX_DIAGNOSTICS; i++) jc_warning(&many, (jc_span){ JC_NO_FILE, 0, 0 }, "w");
    jc_error(&many, (jc_span){ JC_NO_FILE, 0, 0 }, "one too many");
    jc_note(&many, (jc_span){ JC_NO_FILE, 0, 0 }, "its note");
    assert_int_equal(many.count, JC_MAX_DIAGNOSTICS);
    assert_int_equal(many.unrecorded_count, 1);
    assert_int_equal(many.error_count, 1);
    jc_diagnostics_free(&many);
}

/* A very long line is shown as a window around the span, cut with "...". */
static void long_line_window(void **state)
{
    (void)state;
    char text[2100];
    memset(text, 'x', 2000);
    memcpy(text + 1000, "bad", 3);
    text[2000] = '\n';
    text[2001] = '\0';
    fixture *f = fixture_new("l.journey", text);
    jc_error(&f->diagnostics, span(1000, 1003), "here");
    char expected[1024];
    char before[41], after[118];
    memset(before, 'x', 40);
    before[40] = '\0';
    memset(after, 'x', 117);
    after[117] = '\0';
    snprintf(expected, sizeof expected,
             "l.journey:1:1001: error: here\n"
             "    1 | ...%sbad%s...\n"
             "      |    %*s^~~\n",
             before, after, 40, "");
    assert_text(f, expected);
    fixture_free(f);
}

/* An import names a file found beside the importing one; diagnostics in it carry its
 * path, and notes point into it. */
static void diagnostics_in_an_imported_file(void **state)
{
    (void)state;
    char directory[] = "/tmp/journey-import-XXXXXX";
    assert_non_null(mkdtemp(directory));
    char module[128], root[128];
    snprintf(module, sizeof module, "%s/module.journey", directory);
    snprintf(root, sizeof root, "%s/root.journey", directory);
    FILE *file = fopen(module, "w");
    assert_non_null(file);
    fputs("event shared\nsegment broken = nope\n", file);
    fclose(file);
    file = fopen(root, "w");
    assert_non_null(file);
    fputs("import \"./module\"\nevent shared\n", file);
    fclose(file);

    jc_compiler *compiler = jc_compiler_new(NULL);
    assert_int_equal(jc_compiler_check_file(compiler, root), JC_ERRORS);
    char *text = render(&compiler->diagnostics, &compiler->sources, JC_RENDER_TEXT, false, false);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s:2:7: error: redefinition of event 'shared'\n"
             "    2 | event shared\n"
             "      |       ^~~~~~\n"
             "%s:1:7: note: 'shared' is first declared here\n"
             "    1 | event shared\n"
             "      |       ^~~~~~\n"
             "%s:2:18: error: undeclared name 'nope'\n"
             "    2 | segment broken = nope\n"
             "      |                  ^~~~\n",
             root, module, module);
    assert_string_equal(text, expected);
    free(text);
    jc_compiler_free(compiler);
    unlink(module);
    unlink(root);
    rmdir(directory);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_layout),
        cmocka_unit_test(caret_after_tabs),
        cmocka_unit_test(caret_after_multibyte_characters),
        cmocka_unit_test(invalid_bytes_in_the_excerpt),
        cmocka_unit_test(caret_edges),
        cmocka_unit_test(notes_follow_their_error),
        cmocka_unit_test(note_without_error_is_dropped),
        cmocka_unit_test(werror_promotes_warnings),
        cmocka_unit_test(colour_only_when_asked),
        cmocka_unit_test(diagnostic_without_place),
        cmocka_unit_test(out_of_range_spans),
        cmocka_unit_test(json_shape),
        cmocka_unit_test(json_finish_of_multibyte_character),
        cmocka_unit_test(json_escaping),
        cmocka_unit_test(json_items_of_several_compilations),
        cmocka_unit_test(sorted_by_position),
        cmocka_unit_test(equal_positions_keep_their_order),
        cmocka_unit_test(status_of_a_check),
        cmocka_unit_test(unreadable_root_file),
        cmocka_unit_test(oversized_file),
        cmocka_unit_test(diagnostics_are_limited),
        cmocka_unit_test(long_line_window),
        cmocka_unit_test(diagnostics_in_an_imported_file),
    };
    return cmocka_run_group_tests_name("diagnostics", tests, NULL, NULL);
}
