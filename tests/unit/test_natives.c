/* test_natives.c: extern functions (runtime/natives.c, runtime/native_call.c) against
 * spec/language.md 5.11 and the jr_load_options contract of include/journey.h.
 *
 * Programs are compiled in memory from small sources; events are JSON Lines read with
 * the public reader; what a native returned is read off the payload of an `emit`.
 *  1. Host natives of each type, their user data, a failure the native reports and
 *     each bad result (NaN, infinite, a wrong type, NULL, invalid UTF-8): a run-time
 *     error of that coroutine only, counted, with its message; other journeys and
 *     other contacts go on.
 *  2. Loading: a signature mismatch, malformed options, a library not allowed,
 *     missing, without the function, without its signature symbol or with another
 *     signature; a host native comes before the library; a program without externs
 *     needs no options.
 *  3. Library functions through libffi, from BUILD/tests/libnatives_fixture.so
 *     (natives_fixture.c): every type, mixed arguments, a string result that is the
 *     argument itself, and each bad result.
 *  4. A failing allocator during binding leaks nothing and crashes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "codegen.h"
#include "compiler.h"
#include "journey.h"

#ifndef NATIVES_FIXTURE_DIR
#error "NATIVES_FIXTURE_DIR: the directory of libnatives_fixture.so (the Makefile defines it)"
#endif

static const char FIXTURE[] = "libnatives_fixture.so";

/* ---- compiling and running ------------------------------------------------------------ */

/* The bytecode of a program with the given extern declarations whose journey `call`
 * emits `result { VALUE_FIELDS }` on each Go event; journey `other` emits `other` on
 * the same event, to show that a failure in `call` leaves it alone. */
static void compile(const char *externs, const char *value_fields, uint8_t **bytes, size_t *length)
{
    char source[4096];
    snprintf(source, sizeof source,
             "event go \"Go\" { n: number, s: string, b: bool }\n"
             "%s\n"
             "journey call {\n"
             "    entry go as e\n"
             "    emit result { %s }\n"
             "}\n"
             "journey other {\n"
             "    entry go\n"
             "    emit other { done: true }\n"
             "}\n",
             externs, value_fields);
    jc_compiler *compiler = jc_compiler_new(NULL);
    assert_non_null(compiler);
    jc_status status = jc_compiler_check_source(compiler, "test.journey", source, (uint32_t)strlen(source));
    jc_program program;
    jc_program_init(&program);
    if (status == JC_OK) status = jc_generate(compiler, &program);
    if (status != JC_OK) {
        jc_render_options render = { JC_RENDER_TEXT, false, false };
        jc_diagnostics_render(&compiler->diagnostics, &compiler->sources, &render, stderr);
        fail_msg("the test program does not compile:\n%s", source);
    }
    assert_true(jc_program_serialize(&program, bytes, length));
    jc_program_free(&program);
    jc_compiler_free(compiler);
}

static jr_status load(const char *externs, const char *value_fields, const jr_load_options *options,
                      jr_program **program, jr_error *error)
{
    uint8_t *bytes;
    size_t length;
    compile(externs, value_fields, &bytes, &length);
    jr_status status = jr_program_load(bytes, length, options, program, error);
    free(bytes);
    return status;
}

static jr_program *load_ok(const char *externs, const char *value_fields, const jr_load_options *options)
{
    jr_program *program = NULL;
    jr_error error = { 0 };
    if (load(externs, value_fields, options, &program, &error) != JR_OK) fail_msg("does not load: %s", error.message);
    return program;
}

/* What a run produced: the emits as "NAME PAYLOAD", the run-time errors. */
typedef struct outcome {
    char emits[8][8192];
    uint32_t emit_count;
    uint64_t runtime_errors;
    uint64_t call_errors; /* of journey `call` */
    char first_error[256];
} outcome;

static void collect(void *user, const jr_action *action)
{
    outcome *out = user;
    if (action->kind != JR_ACTION_EMIT || out->emit_count == 8) return;
    snprintf(out->emits[out->emit_count++], sizeof out->emits[0], "%s %s", action->name, action->payload_json);
}

/* One Go event per contact, c1 first: {n, s, b}; s is JSON text without its quotes. */
typedef struct go_event {
    const char *contact;
    double n;
    const char *s;
    bool b;
} go_event;

static void run(const jr_program *program, const go_event *events, uint32_t count, outcome *out)
{
    memset(out, 0, sizeof *out);
    size_t size = 1024;
    for (uint32_t i = 0; i < count; i++) size += strlen(events[i].s) + 256;
    char *log = malloc(size);
    assert_non_null(log);
    size_t used = 0;
    for (uint32_t i = 0; i < count; i++)
        used += (size_t)snprintf(log + used, size - used,
                                 "{\"type\":\"track\",\"userId\":\"%s\",\"event\":\"Go\",\"properties\":"
                                 "{\"n\":%g,\"s\":\"%s\",\"b\":%s},\"timestamp\":\"2026-01-05T12:00:00Z\","
                                 "\"messageId\":\"m%u\"}\n",
                                 events[i].contact, events[i].n, events[i].s, events[i].b ? "true" : "false", i);
    jr_config config = { .on_action = collect, .action_user = out };
    jr_vm *vm = NULL;
    jr_error error = { 0 };
    assert_int_equal(jr_vm_new(program, &config, &vm, &error), JR_OK);
    jr_read_error read_error = { 0 };
    jr_event_reader *reader = jr_reader_open_memory(jr_program_schema(program), log, used, JR_LOG_JSONL, &read_error);
    assert_non_null(reader);
    jr_event event;
    jr_read_status status;
    while ((status = jr_reader_next(reader, &event, &read_error)) == JR_READ_EVENT)
        assert_int_equal(jr_vm_post(vm, &event, &error), JR_OK);
    if (status != JR_READ_END) fail_msg("line %lu: %s", (unsigned long)read_error.line, read_error.message);
    jr_reader_close(reader);
    jr_vm_stats stats;
    jr_vm_stats_get(vm, &stats);
    out->runtime_errors = stats.runtime_errors;
    jr_journey_stats journey;
    jr_vm_journey_stats(vm, 0, &journey);
    out->call_errors = journey.errors;
    if (jr_vm_error_count(vm)) {
        jr_runtime_error runtime_error;
        jr_vm_error(vm, 0, &runtime_error);
        snprintf(out->first_error, sizeof out->first_error, "%s", runtime_error.message);
    }
    jr_vm_free(vm);
    free(log);
}

static void run_one(const jr_program *program, double n, const char *s, bool b, outcome *out)
{
    go_event event = { "c1", n, s, b };
    run(program, &event, 1, out);
}

/* The call succeeded: `call` emitted `expected` and `other` ran too. */
static void assert_result(const outcome *out, const char *expected)
{
    assert_int_equal(out->runtime_errors, 0);
    assert_int_equal(out->emit_count, 2);
    assert_string_equal(out->emits[0], expected);
    assert_string_equal(out->emits[1], "other {\"done\":true}");
}

/* The call failed with `message`: `call` emitted nothing, `other` ran. */
static void assert_failed(const outcome *out, const char *message)
{
    assert_int_equal(out->runtime_errors, 1);
    assert_int_equal(out->call_errors, 1);
    assert_string_equal(out->first_error, message);
    assert_int_equal(out->emit_count, 1);
    assert_string_equal(out->emits[0], "other {\"done\":true}");
}

/* ---- host natives ------------------------------------------------------------------------ */

static bool host_add(void *user, const jr_native_value *arguments, uint32_t count, jr_native_value *result,
                     jr_error *error)
{
    (void)user, (void)error;
    assert_int_equal(count, 2);
    assert_int_equal(arguments[0].type, 'n');
    assert_int_equal(result->type, 'n');
    result->as.number = arguments[0].as.number + arguments[1].as.number;
    return true;
}

static bool host_negate(void *user, const jr_native_value *arguments, uint32_t count, jr_native_value *result,
                        jr_error *error)
{
    (void)user, (void)error, (void)count;
    assert_int_equal(arguments[0].type, 'b');
    result->as.boolean = !arguments[0].as.boolean;
    return true;
}

/* "ss:s": the two strings joined, into the buffer user points to. */
static bool host_join(void *user, const jr_native_value *arguments, uint32_t count, jr_native_value *result,
                      jr_error *error)
{
    (void)error, (void)count;
    char *buffer = user;
    assert_int_equal(arguments[1].type, 's');
    assert_int_equal(strlen(arguments[0].as.string.bytes), arguments[0].as.string.length); /* NUL-terminated */
    snprintf(buffer, 64, "%s%s", arguments[0].as.string.bytes, arguments[1].as.string.bytes); /* cut at 63 */
    result->as.string.bytes = buffer;
    result->as.string.length = (uint32_t)strlen(buffer);
    return true;
}

/* "s:s": its argument itself. */
static bool host_echo(void *user, const jr_native_value *arguments, uint32_t count, jr_native_value *result,
                      jr_error *error)
{
    (void)user, (void)error, (void)count;
    result->as.string = arguments[0].as.string;
    return true;
}

static bool host_counter(void *user, const jr_native_value *arguments, uint32_t count, jr_native_value *result,
                         jr_error *error)
{
    (void)arguments, (void)error, (void)count;
    result->as.number = ++*(int *)user;
    return true;
}

/* "s:n": fails for "unknown", with a message. */
static bool host_lookup(void *user, const jr_native_value *arguments, uint32_t count, jr_native_value *result,
                        jr_error *error)
{
    (void)user, (void)count;
    if (strcmp(arguments[0].as.string.bytes, "unknown") == 0) {
        snprintf(error->message, sizeof error->message, "no such contact: %s", arguments[0].as.string.bytes);
        return false;
    }
    result->as.number = 7;
    return true;
}

static bool host_silent_failure(void *user, const jr_native_value *arguments, uint32_t count,
                                jr_native_value *result, jr_error *error)
{
    (void)user, (void)arguments, (void)count, (void)result, (void)error;
    return false;
}

static bool host_nan(void *user, const jr_native_value *arguments, uint32_t count, jr_native_value *result,
                     jr_error *error)
{
    (void)user, (void)arguments, (void)count, (void)error;
    result->as.number = 0.0 / 0.0;
    return true;
}

static bool host_infinite(void *user, const jr_native_value *arguments, uint32_t count, jr_native_value *result,
                          jr_error *error)
{
    (void)user, (void)arguments, (void)count, (void)error;
    result->as.number = 1e308 * 10;
    return true;
}

static bool host_wrong_type(void *user, const jr_native_value *arguments, uint32_t count, jr_native_value *result,
                            jr_error *error)
{
    (void)user, (void)arguments, (void)count, (void)error;
    result->type = 's';
    result->as.string.bytes = "seven";
    result->as.string.length = 5;
    return true;
}

static bool host_null(void *user, const jr_native_value *arguments, uint32_t count, jr_native_value *result,
                      jr_error *error)
{
    (void)user, (void)arguments, (void)count, (void)error, (void)result;
    return true; /* leaves the string NULL */
}

static bool host_bad_utf8(void *user, const jr_native_value *arguments, uint32_t count, jr_native_value *result,
                          jr_error *error)
{
    (void)user, (void)arguments, (void)count, (void)error;
    result->as.string.bytes = "caf\xe9";
    result->as.string.length = 4;
    return true;
}

static jr_load_options host_options(const jr_native *natives, uint32_t count)
{
    return (jr_load_options){ .natives = natives, .native_count = count };
}

static void test_host_numbers_and_bools(void **state)
{
    (void)state;
    const jr_native natives[] = {
        { "host", "plus", "nn:n", host_add, NULL },
        { "host", "negate", "b:b", host_negate, NULL },
    };
    jr_load_options options = host_options(natives, 2);
    jr_program *program = load_ok("extern \"host\" fn plus(a: number, b: number) -> number\n"
                                  "extern \"host\" fn negate(x: bool) -> bool",
                                  "sum: plus(e.n, 2.5), flipped: negate(e.b)", &options);
    outcome out;
    run_one(program, 3, "x", true, &out);
    assert_result(&out, "result {\"sum\":5.5,\"flipped\":false}");
    jr_program_free(program);
}

static void test_host_strings(void **state)
{
    (void)state;
    char buffer[64];
    const jr_native natives[] = {
        { "host", "join", "ss:s", host_join, buffer },
        { "host", "echo", "s:s", host_echo, NULL },
    };
    jr_load_options options = host_options(natives, 2);
    jr_program *program = load_ok("extern \"host\" fn join(a: string, b: string) -> string\n"
                                  "extern \"host\" fn echo(a: string) -> string",
                                  "joined: join(e.s, \"!\"), echoed: echo(e.s + e.s)", &options);
    outcome out;
    run_one(program, 0, "h\\u00e9", false, &out);
    assert_result(&out, "result {\"joined\":\"h\xc3\xa9!\",\"echoed\":\"h\xc3\xa9h\xc3\xa9\"}");

    /* The echoed argument, 2000 bytes, is a scratch string (a concatenation) in the
     * VM's first scratch area of 4 KiB, which copying the result must grow: the copy
     * must not read the argument where the area was. */
    char long_text[1001];
    memset(long_text, 'a', 1000);
    long_text[1000] = '\0';
    char expected[2100];
    snprintf(expected, sizeof expected, "result {\"joined\":\"%.63s\",\"echoed\":\"%s%s\"}", long_text, long_text,
             long_text);
    run_one(program, 0, long_text, false, &out);
    assert_result(&out, expected);
    jr_program_free(program);
}

static void test_host_user_data(void **state)
{
    (void)state;
    int calls = 0;
    const jr_native natives[] = { { "host", "counter", ":n", host_counter, &calls } };
    jr_load_options options = host_options(natives, 1);
    jr_program *program = load_ok("extern \"host\" fn counter() -> number", "first: counter(), second: counter()",
                                  &options);
    outcome out;
    run_one(program, 0, "", false, &out);
    assert_result(&out, "result {\"first\":1,\"second\":2}");
    assert_int_equal(calls, 2);
    jr_program_free(program);
}

/* A failing native ends the coroutine that called it, and only that one: the other
 * journey of the same contact and the same journey of the next contact go on. */
static void test_host_failure_is_contained(void **state)
{
    (void)state;
    const jr_native natives[] = { { "host", "lookup", "s:n", host_lookup, NULL } };
    jr_load_options options = host_options(natives, 1);
    jr_program *program = load_ok("extern \"host\" fn lookup(id: string) -> number", "value: lookup(e.s)", &options);
    const go_event events[] = { { "c1", 0, "unknown", false }, { "c2", 0, "known", false } };
    outcome out;
    run(program, events, 2, &out);
    assert_int_equal(out.runtime_errors, 1);
    assert_int_equal(out.call_errors, 1);
    assert_string_equal(out.first_error, "extern lookup in host failed: no such contact: unknown");
    assert_int_equal(out.emit_count, 3);
    assert_string_equal(out.emits[0], "other {\"done\":true}");
    assert_string_equal(out.emits[1], "result {\"value\":7}");
    assert_string_equal(out.emits[2], "other {\"done\":true}");
    jr_program_free(program);
}

static void test_host_bad_results(void **state)
{
    (void)state;
    static const struct {
        const char *signature, *declaration;
        jr_native_fn function;
        const char *message;
    } cases[] = {
        { ":n", "-> number", host_silent_failure, "extern bad in host failed: no reason given" },
        { ":n", "-> number", host_nan, "extern bad in host returned NaN" },
        { ":n", "-> number", host_infinite, "extern bad in host returned an infinite number" },
        { ":n", "-> number", host_wrong_type, "extern bad in host returned a string instead of the declared number" },
        { ":s", "-> string", host_null, "extern bad in host returned NULL instead of a string" },
        { ":s", "-> string", host_bad_utf8, "extern bad in host returned a string that is not valid UTF-8" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const jr_native natives[] = { { "host", "bad", cases[i].signature, cases[i].function, NULL } };
        jr_load_options options = host_options(natives, 1);
        char declaration[128];
        snprintf(declaration, sizeof declaration, "extern \"host\" fn bad() %s", cases[i].declaration);
        jr_program *program = load_ok(declaration, "value: bad()", &options);
        outcome out;
        run_one(program, 0, "", false, &out);
        assert_failed(&out, cases[i].message);
        jr_program_free(program);
    }
}

/* ---- loading --------------------------------------------------------------------------------- */

static void assert_load_fails(const char *externs, const jr_load_options *options, jr_status status,
                              const char *message)
{
    jr_program *program = NULL;
    jr_error error = { 0 };
    assert_int_equal(load(externs, "value: 1", options, &program, &error), status);
    assert_null(program);
    if (!strstr(error.message, message)) fail_msg("'%s' does not contain '%s'", error.message, message);
}

static void test_program_without_externs_needs_no_options(void **state)
{
    (void)state;
    jr_program *program = load_ok("", "value: e.n", NULL);
    outcome out;
    run_one(program, 4, "", false, &out);
    assert_result(&out, "result {\"value\":4}");
    jr_program_free(program);
    jr_load_options zero = { 0 };
    jr_program_free(load_ok("", "value: e.n", &zero));
}

static void test_host_signature_mismatch(void **state)
{
    (void)state;
    const jr_native natives[] = { { "host", "rating", "ns:n", host_add, NULL } };
    jr_load_options options = host_options(natives, 1);
    assert_load_fails("extern \"host\" fn rating(days: number) -> number", &options, JR_ERROR_BYTECODE,
                      "extern rating in host: the host's native takes (number, string) -> number, the program "
                      "declares (number) -> number");
    const jr_native result_differs[] = { { "host", "rating", "n:b", host_add, NULL } };
    options = host_options(result_differs, 1);
    assert_load_fails("extern \"host\" fn rating(days: number) -> number", &options, JR_ERROR_BYTECODE,
                      "takes (number) -> bool, the program declares (number) -> number");
}

static void test_malformed_options(void **state)
{
    (void)state;
    const char *externs = "extern \"host\" fn f() -> number";
    jr_load_options options = { .native_count = 1 };
    assert_load_fails(externs, &options, JR_ERROR_ARGUMENT, "natives is NULL but native_count is 1");
    const jr_native bad_signature[] = { { "host", "f", "x:n", host_nan, NULL } };
    options = host_options(bad_signature, 1);
    assert_load_fails(externs, &options, JR_ERROR_ARGUMENT, "native f in host: bad signature \"x:n\"");
    const jr_native no_result[] = { { "host", "f", "n:", host_nan, NULL } };
    options = host_options(no_result, 1);
    assert_load_fails(externs, &options, JR_ERROR_ARGUMENT, "bad signature \"n:\"");
    const jr_native no_function[] = { { "host", "f", ":n", NULL, NULL } };
    options = host_options(no_function, 1);
    assert_load_fails(externs, &options, JR_ERROR_ARGUMENT, "native 0 lacks its library, name, signature or function");
    options = (jr_load_options){ .allowed_library_count = 2 };
    assert_load_fails(externs, &options, JR_ERROR_ARGUMENT, "allowed_libraries is NULL but allowed_library_count is 2");
    const char *const with_null[] = { "host", NULL };
    options = (jr_load_options){ .allowed_libraries = with_null, .allowed_library_count = 2 };
    assert_load_fails(externs, &options, JR_ERROR_ARGUMENT, "allowed library 1 is NULL");
    /* Malformed options are refused even for a program without externs. */
    options = (jr_load_options){ .native_count = 1 };
    jr_program *program = NULL;
    jr_error error = { 0 };
    assert_int_equal(load("", "value: 1", &options, &program, &error), JR_ERROR_ARGUMENT);
}

static jr_load_options fixture_options(const char *const *allowed, uint32_t count)
{
    return (jr_load_options){ .allowed_libraries = allowed, .allowed_library_count = count,
                              .library_dir = NATIVES_FIXTURE_DIR };
}

static void test_library_not_allowed(void **state)
{
    (void)state;
    const char *externs = "extern \"libnatives_fixture.so\" fn fixture_add(a: number, b: number) -> number";
    const char *message = "extern fixture_add in libnatives_fixture.so: the library is not allowed (allow it with "
                          "--allow-native=libnatives_fixture.so, or in jr_load_options.allowed_libraries when "
                          "embedding)";
    assert_load_fails(externs, NULL, JR_ERROR_BYTECODE, message);
    /* Neither another library nor the directory alone allows it. */
    const char *const others[] = { "libother.so", "natives_fixture.so" };
    jr_load_options options = fixture_options(others, 2);
    assert_load_fails(externs, &options, JR_ERROR_BYTECODE, message);
}

static void test_library_missing(void **state)
{
    (void)state;
    const char *const allowed[] = { "libno_such_native_library.so" };
    jr_load_options options = fixture_options(allowed, 1);
    assert_load_fails("extern \"libno_such_native_library.so\" fn f() -> number", &options, JR_ERROR_BYTECODE,
                      "extern f in libno_such_native_library.so: cannot open the library: " NATIVES_FIXTURE_DIR
                      "/libno_such_native_library.so: cannot open shared object file");
}

static void test_library_without_the_function(void **state)
{
    (void)state;
    const char *const allowed[] = { FIXTURE };
    jr_load_options options = fixture_options(allowed, 1);
    assert_load_fails("extern \"libnatives_fixture.so\" fn fixture_absent() -> number", &options, JR_ERROR_BYTECODE,
                      "extern fixture_absent in libnatives_fixture.so: the library has no function fixture_absent: ");
    assert_load_fails("extern \"libnatives_fixture.so\" fn fixture_unsigned(x: number) -> number", &options,
                      JR_ERROR_BYTECODE,
                      "extern fixture_unsigned in libnatives_fixture.so: the library does not state the function's "
                      "signature: it must export const char journey_signature_fixture_unsigned[] = \"n:n\"");
}

static void test_library_signature_mismatch(void **state)
{
    (void)state;
    const char *const allowed[] = { FIXTURE };
    jr_load_options options = fixture_options(allowed, 1);
    assert_load_fails("extern \"libnatives_fixture.so\" fn fixture_add(a: number) -> number", &options,
                      JR_ERROR_BYTECODE,
                      "extern fixture_add in libnatives_fixture.so: the library's function takes (number, number) -> "
                      "number, the program declares (number) -> number");
    assert_load_fails("extern \"libnatives_fixture.so\" fn fixture_add(a: number, b: string) -> number", &options,
                      JR_ERROR_BYTECODE, "takes (number, number) -> number, the program declares (number, string)");
    assert_load_fails("extern \"libnatives_fixture.so\" fn fixture_malformed(x: number) -> number", &options,
                      JR_ERROR_BYTECODE,
                      "journey_signature_fixture_malformed is not a signature (parameter letters n, s or b, then ':' "
                      "and the result letter); the program declares \"n:n\"");
}

/* A host native with the extern's library and name is used, and the library is not
 * even opened: it need not be allowed. */
static bool host_forty_two(void *user, const jr_native_value *arguments, uint32_t count, jr_native_value *result,
                           jr_error *error)
{
    (void)user, (void)arguments, (void)count, (void)error;
    result->as.number = 42;
    return true;
}

static void test_host_native_comes_first(void **state)
{
    (void)state;
    const jr_native natives[] = { { FIXTURE, "fixture_add", "nn:n", host_forty_two, NULL } };
    jr_load_options options = host_options(natives, 1);
    jr_program *program = load_ok("extern \"libnatives_fixture.so\" fn fixture_add(a: number, b: number) -> number",
                                  "value: fixture_add(1, 2)", &options);
    outcome out;
    run_one(program, 0, "", false, &out);
    assert_result(&out, "result {\"value\":42}");
    jr_program_free(program);
}

/* ---- library functions ------------------------------------------------------------------------ */

static const char FIXTURE_EXTERNS[] =
    "extern \"libnatives_fixture.so\" fn fixture_add(a: number, b: number) -> number\n"
    "extern \"libnatives_fixture.so\" fn fixture_not(x: bool) -> bool\n"
    "extern \"libnatives_fixture.so\" fn fixture_mixed(n: number, s: string, b: bool) -> number\n"
    "extern \"libnatives_fixture.so\" fn fixture_echo(s: string) -> string\n"
    "extern \"libnatives_fixture.so\" fn fixture_word(b: bool) -> string\n"
    "extern \"libnatives_fixture.so\" fn fixture_nan() -> number\n"
    "extern \"libnatives_fixture.so\" fn fixture_infinite() -> number\n"
    "extern \"libnatives_fixture.so\" fn fixture_null() -> string\n"
    "extern \"libnatives_fixture.so\" fn fixture_bad_utf8() -> string";

static void test_library_calls(void **state)
{
    (void)state;
    const char *const allowed[] = { FIXTURE };
    jr_load_options options = fixture_options(allowed, 1);
    jr_program *program = load_ok(FIXTURE_EXTERNS,
                                  "sum: fixture_add(e.n, 0.25), not: fixture_not(e.b), "
                                  "mixed: fixture_mixed(e.n, e.s, e.b), echo: fixture_echo(e.s + \"?\"), "
                                  "word: fixture_word(e.b)",
                                  &options);
    outcome out;
    run_one(program, 2, "h\\u00e9", true, &out);
    assert_result(&out, "result {\"sum\":2.25,\"not\":false,\"mixed\":1005,\"echo\":\"h\xc3\xa9?\",\"word\":\"yes\"}");
    run_one(program, -1, "", false, &out);
    assert_result(&out, "result {\"sum\":-0.75,\"not\":true,\"mixed\":-1,\"echo\":\"?\",\"word\":\"no\"}");

    /* The string a library returns is its argument, a scratch string (as in
     * test_host_strings): the copy grows the scratch area, and must not read the
     * argument where the area was. */
    char long_text[1001];
    memset(long_text, 'b', 1000);
    long_text[1000] = '\0';
    jr_program *echo = load_ok(FIXTURE_EXTERNS, "echo: fixture_echo(e.s + e.s)", &options);
    run_one(echo, 0, long_text, false, &out);
    char expected[2100];
    snprintf(expected, sizeof expected, "result {\"echo\":\"%s%s\"}", long_text, long_text);
    assert_result(&out, expected);
    jr_program_free(echo);
    jr_program_free(program);
}

static void test_library_bad_results(void **state)
{
    (void)state;
    const char *const allowed[] = { FIXTURE };
    jr_load_options options = fixture_options(allowed, 1);
    static const struct {
        const char *call, *message;
    } cases[] = {
        { "value: fixture_nan()", "extern fixture_nan in libnatives_fixture.so returned NaN" },
        { "value: fixture_infinite()", "extern fixture_infinite in libnatives_fixture.so returned an infinite number" },
        { "value: fixture_null()", "extern fixture_null in libnatives_fixture.so returned NULL instead of a string" },
        { "value: fixture_bad_utf8()",
          "extern fixture_bad_utf8 in libnatives_fixture.so returned a string that is not valid UTF-8" },
        { "value: fixture_echo(\"a{e.s}b\")",
          "extern fixture_echo in libnatives_fixture.so cannot take argument 1: it holds a NUL byte, which a C "
          "string cannot carry" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        jr_program *program = load_ok(FIXTURE_EXTERNS, cases[i].call, &options);
        outcome out;
        run_one(program, 0, "\\u0000", false, &out);
        assert_failed(&out, cases[i].message);
        jr_program_free(program);
    }
}

/* jr_program_load_file passes the options on. */
static void test_load_file_with_options(void **state)
{
    (void)state;
    uint8_t *bytes;
    size_t length;
    compile("extern \"libnatives_fixture.so\" fn fixture_add(a: number, b: number) -> number",
            "value: fixture_add(e.n, 1)", &bytes, &length);
    char path[] = "/tmp/test_natives.XXXXXX";
    int descriptor = mkstemp(path);
    assert_true(descriptor >= 0);
    assert_int_equal(write(descriptor, bytes, length), (ssize_t)length);
    close(descriptor);
    free(bytes);
    jr_program *program = NULL;
    jr_error error = { 0 };
    assert_int_equal(jr_program_load_file(path, NULL, &program, &error), JR_ERROR_BYTECODE);
    const char *const allowed[] = { FIXTURE };
    jr_load_options options = fixture_options(allowed, 1);
    assert_int_equal(jr_program_load_file(path, &options, &program, &error), JR_OK);
    unlink(path);
    outcome out;
    run_one(program, 1, "", false, &out);
    assert_result(&out, "result {\"value\":2}");
    jr_program_free(program);
}

/* ---- a failing allocator ------------------------------------------------------------------------ */

typedef struct failing {
    long allowed; /* allocations that succeed before the rest fail */
    long live;    /* blocks not yet freed */
} failing;

static void *failing_realloc(void *user, void *pointer, size_t size)
{
    failing *state = user;
    if (size == 0) {
        if (pointer) state->live--;
        free(pointer);
        return NULL;
    }
    if (state->allowed-- <= 0) return NULL;
    void *memory = realloc(pointer, size);
    if (memory && !pointer) state->live++;
    return memory;
}

/* Every allocation of a load with host natives and library functions (the path of the
 * library, the name of its signature symbol, the bindings) fails in turn: the load
 * fails with JR_ERROR_MEMORY and leaves nothing allocated, until it succeeds. */
static void test_failing_allocator(void **state)
{
    (void)state;
    uint8_t *bytes;
    size_t length;
    compile("extern \"libnatives_fixture.so\" fn fixture_add(a: number, b: number) -> number\n"
            "extern \"libnatives_fixture.so\" fn fixture_not(x: bool) -> bool\n"
            "extern \"host\" fn plus(a: number, b: number) -> number",
            "value: plus(fixture_add(e.n, 1), 1)", &bytes, &length);
    const char *const allowed[] = { FIXTURE };
    const jr_native natives[] = { { "host", "plus", "nn:n", host_add, NULL } };
    bool loaded = false;
    for (long n = 0; n < 1000 && !loaded; n++) {
        failing counts = { n, 0 };
        jr_load_options options = { .allocator = { failing_realloc, &counts },
                                    .natives = natives,
                                    .native_count = 1,
                                    .allowed_libraries = allowed,
                                    .allowed_library_count = 1,
                                    .library_dir = NATIVES_FIXTURE_DIR };
        jr_program *program = NULL;
        jr_error error = { 0 };
        jr_status status = jr_program_load(bytes, length, &options, &program, &error);
        if (status == JR_OK) {
            loaded = true;
            outcome out;
            run_one(program, 1, "", false, &out);
            assert_result(&out, "result {\"value\":3}");
            jr_program_free(program);
        } else {
            assert_int_equal(status, JR_ERROR_MEMORY);
            assert_null(program);
        }
        assert_int_equal(counts.live, 0);
    }
    assert_true(loaded);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_numbers_and_bools),
        cmocka_unit_test(test_host_strings),
        cmocka_unit_test(test_host_user_data),
        cmocka_unit_test(test_host_failure_is_contained),
        cmocka_unit_test(test_host_bad_results),
        cmocka_unit_test(test_program_without_externs_needs_no_options),
        cmocka_unit_test(test_host_signature_mismatch),
        cmocka_unit_test(test_malformed_options),
        cmocka_unit_test(test_library_not_allowed),
        cmocka_unit_test(test_library_missing),
        cmocka_unit_test(test_library_without_the_function),
        cmocka_unit_test(test_library_signature_mismatch),
        cmocka_unit_test(test_host_native_comes_first),
        cmocka_unit_test(test_library_calls),
        cmocka_unit_test(test_library_bad_results),
        cmocka_unit_test(test_load_file_with_options),
        cmocka_unit_test(test_failing_allocator),
    };
    return cmocka_run_group_tests_name("natives", tests, NULL, NULL);
}
