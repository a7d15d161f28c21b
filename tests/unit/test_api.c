/* test_api.c: the public interface of libjourney (include/journey.h) as a host uses it.
 *
 * Programs are the examples, compiled in memory with the compiler's library; their
 * event logs are read with the public reader.
 *  1. Every function with NULL and out-of-range arguments: a status, a message, no crash.
 *  2. Snapshots: a VM snapshotted after any number of events of any example's log and
 *     restored into a new VM goes on to exactly the actions and the report of a VM that
 *     ran uninterrupted (with and without attribution), and the restored VM writes the
 *     same snapshot again, byte for byte. One of them is taken mid-wait on purpose.
 *  3. Restores that must be refused: another program; every truncation; every flipped
 *     byte; each rule of spec/snapshot.md, broken in a VM's internals (vm.h) that are
 *     then written, or in the bytes with the CRC made right again.
 *  4. The memory limit: what an empty VM needs; under limits from that up, onboarding
 *     with a generated crowd of 2600 contacts (so every table grows) is refused at
 *     some event or timer, whole: restored without a limit, the VM goes on to the
 *     uninterrupted run's result; the bytes held never pass the limit by more than
 *     what one event computes.
 *  5. jr_config.on_error hears every run-time error, also past the 1000 kept.
 *  6. A failing allocator: for k = 1, 2, ... the k-th allocation fails (alone, or with
 *     every later one) through load, jr_vm_new, posts, a snapshot, a restore and an
 *     advance: the call that saw it fails, nothing leaks, nothing crashes, and a VM
 *     that saw it is not written by jr_vm_snapshot.
 *
 * Run from the top of the tree (tests/run.sh does). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "codegen.h"
#include "compiler.h"
#include "journey.h"
#include "snapshot.h"
#include "vm.h"

static const int64_t DAY = 86400000;

/* ---- text: actions and reports to compare --------------------------------------------- */

typedef struct text {
    char *bytes;
    size_t length, capacity;
} text;

static void text_add(text *t, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void text_add(text *t, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    int needed = vsnprintf(NULL, 0, format, arguments);
    va_end(arguments);
    assert_true(needed >= 0);
    if (t->length + (size_t)needed + 1 > t->capacity) {
        size_t capacity = t->capacity ? t->capacity : 4096;
        while (capacity < t->length + (size_t)needed + 1) capacity *= 2;
        t->bytes = realloc(t->bytes, capacity);
        assert_non_null(t->bytes);
        t->capacity = capacity;
    }
    va_start(arguments, format);
    vsnprintf(t->bytes + t->length, t->capacity - t->length, format, arguments);
    va_end(arguments);
    t->length += (size_t)needed;
}

static void text_free(text *t)
{
    free(t->bytes);
    *t = (text){ 0 };
}

static const char *or_dash(const char *s) { return s ? s : "-"; }

static void remember_action(void *user, const jr_action *a)
{
    text_add(user, "%d %s %s %s %s %lld %s %s %s %d %s %s %d %s\n", (int)a->kind, a->key, a->contact_id, a->journey,
             or_dash(a->step), (long long)a->at, or_dash(a->message), or_dash(a->template_name), or_dash(a->channel),
             (int)a->outcome, or_dash(a->reason), or_dash(a->name), (int)a->add, or_dash(a->payload_json));
}

/* Everything the VM reports: what jr_vm_stats_get, the journey, exit, node and message
 * stats and the kept errors say. */
static void describe(const jr_vm *vm, text *out)
{
    jr_vm_stats s;
    jr_vm_stats_get(vm, &s);
    text_add(out, "clock %lld events %llu undeclared %llu duplicates %llu late %llu mismatches %llu timers %llu "
                  "contacts %llu errors %llu actions %llu\n",
             (long long)jr_vm_clock(vm), (unsigned long long)s.events, (unsigned long long)s.undeclared,
             (unsigned long long)s.duplicates, (unsigned long long)s.out_of_order, (unsigned long long)s.type_mismatches,
             (unsigned long long)s.timers_fired, (unsigned long long)s.contacts, (unsigned long long)s.runtime_errors,
             (unsigned long long)s.actions);
    for (uint32_t j = 0; j < jr_vm_journey_count(vm); j++) {
        jr_journey_stats js;
        jr_vm_journey_stats(vm, j, &js);
        text_add(out, "journey %s %llu %llu %llu %llu %llu %llu %llu %llu %.17g %.17g %.17g %.17g %.17g %.17g\n", js.name,
                 (unsigned long long)js.entered, (unsigned long long)js.holdout, (unsigned long long)js.active,
                 (unsigned long long)js.completed, (unsigned long long)js.exited, (unsigned long long)js.errors,
                 (unsigned long long)js.goals_treated, (unsigned long long)js.goals_holdout, js.goal_value_treated,
                 js.goal_value_holdout, js.time_to_goal_sum_treated, js.time_to_goal_sum_holdout,
                 js.time_to_goal_median_treated, js.time_to_goal_median_holdout);
        for (uint32_t k = 0; k < js.exit_count; k++) {
            jr_exit_stats es;
            jr_vm_exit_stats(vm, j, k, &es);
            text_add(out, "  exit %s %u %llu\n", es.event, es.line, (unsigned long long)es.exited);
        }
    }
    for (uint32_t n = 0; n < jr_vm_node_count(vm); n++) {
        jr_node_stats ns;
        jr_vm_node_stats(vm, n, &ns);
        text_add(out, "node %u %s %llu %llu %llu %llu %llu %.17g %llu %llu %llu %llu %.17g %.17g %.17g %.17g %.17g", n,
                 ns.kind, (unsigned long long)ns.entered, (unsigned long long)ns.here, (unsigned long long)ns.errors,
                 (unsigned long long)ns.exited, (unsigned long long)ns.goals, ns.goal_value, (unsigned long long)ns.sent,
                 (unsigned long long)ns.deferred, (unsigned long long)ns.suppressed, (unsigned long long)ns.converted,
                 ns.converted_value, ns.last_touch, ns.last_touch_value, ns.linear, ns.linear_value);
        jr_journey_stats js;
        jr_vm_journey_stats(vm, ns.journey, &js);
        for (uint32_t k = 0; k < js.exit_count; k++) text_add(out, " %llu", (unsigned long long)jr_vm_node_exits(vm, n, k));
        text_add(out, "\n");
    }
    for (uint32_t m = 0; m < jr_vm_message_count(vm); m++) {
        jr_message_stats ms;
        jr_vm_message_stats(vm, m, &ms);
        text_add(out, "message %s %s %llu %llu %llu %llu\n", ms.name, ms.channel, (unsigned long long)ms.sent,
                 (unsigned long long)ms.deferred, (unsigned long long)ms.suppressed_by_limit,
                 (unsigned long long)ms.suppressed_by_quiet_hours);
    }
    for (uint32_t i = 0; i < jr_vm_error_count(vm); i++) {
        jr_runtime_error e;
        jr_vm_error(vm, i, &e);
        text_add(out, "error %s %s %s:%u %lld %s\n", e.contact_id, or_dash(e.journey), or_dash(e.file), e.line,
                 (long long)e.at, e.message);
    }
}

/* A failure with its status, in the error record too, and a message. */
static void expect_status(jr_status got, jr_status expected, const jr_error *error)
{
    assert_int_equal(got, expected);
    assert_int_equal(error->status, expected);
    assert_true(error->message[0] != '\0');
}

/* ---- programs and their logs ------------------------------------------------------------- */

/* Compiles a file, or source text shown as `path`, with stdlib/ to import from. */
static uint8_t *compile(const char *path, const char *source, size_t *length)
{
    static const char *const include[] = { "stdlib" };
    jc_options options = { .include_dirs = include, .include_dir_count = 1 };
    jc_compiler *compiler = jc_compiler_new(&options);
    assert_non_null(compiler);
    jc_status status = source ? jc_compiler_check_source(compiler, path, source, (uint32_t)strlen(source))
                              : jc_compiler_check_file(compiler, path);
    jc_program bytecode;
    jc_program_init(&bytecode);
    if (status == JC_OK) status = jc_generate(compiler, &bytecode);
    if (status != JC_OK) {
        jc_render_options render = { JC_RENDER_TEXT, false, false };
        jc_diagnostics_render(&compiler->diagnostics, &compiler->sources, &render, stderr);
        fail_msg("%s does not compile", path);
    }
    uint8_t *bytes = NULL;
    assert_true(jc_program_serialize(&bytecode, &bytes, length));
    jc_program_free(&bytecode);
    jc_compiler_free(compiler);
    return bytes;
}

static char *read_file(const char *path, size_t *length)
{
    FILE *file = fopen(path, "rb");
    if (!file) fail_msg("cannot open %s (run from the top of the tree)", path);
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *bytes = malloc((size_t)size + 1);
    assert_non_null(bytes);
    assert_int_equal(fread(bytes, 1, (size_t)size, file), (size_t)size);
    fclose(file);
    *length = (size_t)size;
    return bytes;
}

typedef struct example {
    char name[64];
    uint8_t *bytecode;
    size_t bytecode_length;
    jr_program *program;
    char *log;
    size_t log_length;
    uint32_t events;
    int64_t horizon; /* 30 days after the last event */
} example;

enum { MAX_EXAMPLES = 32 };
static example examples[MAX_EXAMPLES];
static uint32_t example_count;
static example errors_example; /* a program whose journey fails for contacts without a plan */
static example crowd_example;  /* onboarding with thousands of contacts */

static const char ERRORS_SOURCE[] = "channel email\n"
                                    "attribute plan: string\n"
                                    "event signed_up \"Signed Up\" { source: string }\n"
                                    "message hello = email \"hello\"\n"
                                    "journey welcome {\n"
                                    "    entry signed_up\n"
                                    "    wait 1h\n"
                                    "    if plan == \"pro\" { send hello }\n"
                                    "}\n";

/* An example's log being read: `next` is the number of the event `event` holds. */
typedef struct cursor {
    const example *example;
    jr_event_reader *reader;
    jr_event event;
    uint32_t next;
} cursor;

static void cursor_open(cursor *c, const example *e)
{
    jr_read_error error;
    c->example = e;
    c->reader = jr_reader_open_memory(jr_program_schema(e->program), e->log, e->log_length, JR_LOG_JSONL, &error);
    assert_non_null(c->reader);
    c->next = 0;
}

/* Reads the next event into c->event. */
static void cursor_read(cursor *c)
{
    jr_read_error error;
    if (jr_reader_next(c->reader, &c->event, &error) != JR_READ_EVENT)
        fail_msg("%s: event %u: %s", c->example->name, c->next, error.message);
    c->next++;
}

static void cursor_close(cursor *c) { jr_reader_close(c->reader); }

/* Posts events [from, to) of the example's log, stopping at the first status that is
 * not JR_OK. */
static jr_status post_events(jr_vm *vm, const example *e, uint32_t from, uint32_t to, jr_error *error)
{
    cursor c;
    cursor_open(&c, e);
    jr_status status = JR_OK;
    while (c.next < to && status == JR_OK) {
        cursor_read(&c);
        if (c.next > from) status = jr_vm_post(vm, &c.event, error);
    }
    cursor_close(&c);
    return status;
}

static void post_all(jr_vm *vm, const example *e, uint32_t from, uint32_t to)
{
    jr_error error = { 0 };
    if (post_events(vm, e, from, to, &error) != JR_OK) fail_msg("%s: %s", e->name, error.message);
}

/* Takes the log (malloc'ed) and compiles the program. */
static void load_example(example *e, const char *name, const char *path, const char *source, char *log, size_t length)
{
    snprintf(e->name, sizeof e->name, "%s", name);
    e->bytecode = compile(path, source, &e->bytecode_length);
    jr_error error = { 0 };
    if (jr_program_load(e->bytecode, e->bytecode_length, NULL, &e->program, &error) != JR_OK)
        fail_msg("%s: %s", name, error.message);
    e->log = log;
    e->log_length = length;
    jr_read_error read_error;
    jr_event_reader *reader =
        jr_reader_open_memory(jr_program_schema(e->program), e->log, e->log_length, JR_LOG_JSONL, &read_error);
    assert_non_null(reader);
    jr_event event;
    int64_t last = 0;
    while (jr_reader_next(reader, &event, &read_error) == JR_READ_EVENT) {
        e->events++;
        if (event.timestamp > last) last = event.timestamp;
    }
    jr_reader_close(reader);
    assert_true(e->events > 10);
    e->horizon = last + 30 * DAY;
}

/* The errors program's log: contacts signing up, half of them with a plan; first an
 * event the program does not declare, with the first messageId. */
static char *errors_log(size_t *length)
{
    text log = { 0 };
    text_add(&log, "{\"type\":\"track\",\"userId\":\"u0\",\"event\":\"Unknown\",\"properties\":{},"
                   "\"timestamp\":\"2025-12-31T23:00:00Z\",\"messageId\":\"m-first\"}\n");
    for (int i = 0; i < 40; i++) {
        if (i % 2)
            text_add(&log, "{\"type\":\"identify\",\"userId\":\"u%d\",\"traits\":{\"plan\":\"pro\"},"
                           "\"timestamp\":\"2026-01-01T%02d:00:00Z\"}\n", i, i / 2);
        text_add(&log, "{\"type\":\"track\",\"userId\":\"u%d\",\"event\":\"Signed Up\",\"properties\":{},"
                       "\"timestamp\":\"2026-01-01T%02d:30:00Z\",\"messageId\":\"m%d\"}\n", i, i / 2, i);
    }
    *length = log.length;
    return log.bytes;
}

/* A crowd for onboarding: 2600 contacts sign up and look at prices over three days, so
 * that every table of the VM grows past its first size (1024 contacts, strings, timers). */
static char *crowd_log(size_t *length)
{
    text log = { 0 };
    for (int i = 0; i < 2600; i++) {
        int minute = i * 100 / 60;
        text_add(&log, "{\"type\":\"identify\",\"userId\":\"c%d\",\"traits\":{\"first_name\":\"N%d\"},"
                       "\"timestamp\":\"2026-03-0%dT%02d:%02d:00Z\"}\n", i, i, 2 + minute / 1440, minute / 60 % 24,
                 minute % 60);
        text_add(&log, "{\"type\":\"track\",\"userId\":\"c%d\",\"event\":\"Signed Up\",\"properties\":"
                       "{\"plan\":\"p%d\",\"source\":\"ads\"},\"timestamp\":\"2026-03-0%dT%02d:%02d:30Z\","
                       "\"messageId\":\"s%d\"}\n", i, i % 7, 2 + minute / 1440, minute / 60 % 24, minute % 60, i);
        if (i % 3 == 0)
            text_add(&log, "{\"type\":\"page\",\"userId\":\"c%d\",\"properties\":{\"path\":\"/pricing\"},"
                           "\"timestamp\":\"2026-03-0%dT%02d:%02d:40Z\",\"messageId\":\"v%d\"}\n", i,
                     2 + minute / 1440, minute / 60 % 24, minute % 60, i);
    }
    *length = log.length;
    return log.bytes;
}

static int compare_names(const void *a, const void *b) { return strcmp(a, b); }

/* Every examples/NAME.journey with its NAME.events.jsonl, in name order. */
static int load_examples(void **state)
{
    (void)state;
    char names[MAX_EXAMPLES][64];
    DIR *directory = opendir("examples");
    if (!directory) return -1;
    struct dirent *entry;
    while ((entry = readdir(directory)) && example_count < MAX_EXAMPLES) {
        size_t length = strlen(entry->d_name);
        if (length < 9 || length >= 64 || strcmp(entry->d_name + length - 8, ".journey") != 0) continue;
        if (strstr(entry->d_name, ".test.journey")) continue;
        snprintf(names[example_count], sizeof names[0], "%.*s", (int)(length - 8), entry->d_name);
        example_count++;
    }
    closedir(directory);
    qsort(names, example_count, sizeof names[0], compare_names);
    for (uint32_t i = 0; i < example_count; i++) {
        char path[128], log_path[128];
        snprintf(path, sizeof path, "examples/%s.journey", names[i]);
        snprintf(log_path, sizeof log_path, "examples/%s.events.jsonl", names[i]);
        size_t length;
        char *log = read_file(log_path, &length);
        load_example(&examples[i], names[i], path, NULL, log, length);
    }
    size_t length;
    char *log = errors_log(&length);
    load_example(&errors_example, "errors", "errors.journey", ERRORS_SOURCE, log, length);
    log = crowd_log(&length);
    load_example(&crowd_example, "crowd", "examples/onboarding.journey", NULL, log, length);
    return example_count >= 2 ? 0 : -1;
}

static void free_example(example *e)
{
    jr_program_free(e->program);
    free(e->bytecode);
    free(e->log);
}

static int free_examples(void **state)
{
    (void)state;
    for (uint32_t i = 0; i < example_count; i++) free_example(&examples[i]);
    free_example(&errors_example);
    free_example(&crowd_example);
    return 0;
}

static const example *find_example(const char *name)
{
    for (uint32_t i = 0; i < example_count; i++)
        if (strcmp(examples[i].name, name) == 0) return &examples[i];
    fail_msg("no example %s", name);
    return NULL;
}

/* ---- snapshots in memory --------------------------------------------------------------------- */

typedef struct buffer {
    uint8_t *bytes;
    size_t length, capacity;
    size_t refuse_after; /* a write that would go past this many bytes fails (0: never) */
} buffer;

static bool buffer_write(void *user, const void *bytes, size_t length)
{
    buffer *b = user;
    if (b->refuse_after && b->length + length > b->refuse_after) return false;
    if (b->length + length > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 4096;
        while (capacity < b->length + length) capacity *= 2;
        b->bytes = realloc(b->bytes, capacity);
        assert_non_null(b->bytes);
        b->capacity = capacity;
    }
    memcpy(b->bytes + b->length, bytes, length);
    b->length += length;
    return true;
}

static void snapshot_to(const jr_vm *vm, buffer *b)
{
    jr_error error = { 0 };
    b->length = 0;
    if (jr_vm_snapshot(vm, buffer_write, b, &error) != JR_OK) fail_msg("snapshot: %s", error.message);
}

static jr_config config_with(text *actions, bool attribution)
{
    jr_config config = { 0 };
    config.on_action = remember_action;
    config.action_user = actions;
    config.attribution = attribution;
    return config;
}

static jr_vm *restore(const jr_program *program, const jr_config *config, const buffer *b)
{
    jr_vm *vm = NULL;
    jr_error error = { 0 };
    if (jr_vm_restore(program, config, b->bytes, b->length, &vm, &error) != JR_OK) fail_msg("restore: %s", error.message);
    return vm;
}

/* The uninterrupted run: the whole log, then the horizon. */
static void run_whole(const example *e, bool attribution, text *actions, text *report)
{
    jr_config config = config_with(actions, attribution);
    jr_vm *vm = NULL;
    assert_int_equal(jr_vm_new(e->program, &config, &vm, NULL), JR_OK);
    post_all(vm, e, 0, e->events);
    assert_int_equal(jr_vm_advance(vm, e->horizon, NULL), JR_OK);
    describe(vm, report);
    jr_vm_free(vm);
}

/* The same run, snapshotted after `split` events and restored into a new VM that does
 * the rest; the restored VM must write the same snapshot again. */
static void run_split(const example *e, bool attribution, uint32_t split, text *actions, text *report)
{
    jr_config config = config_with(actions, attribution);
    jr_vm *first = NULL;
    assert_int_equal(jr_vm_new(e->program, &config, &first, NULL), JR_OK);
    post_all(first, e, 0, split);
    buffer taken = { 0 }, again = { 0 };
    snapshot_to(first, &taken);
    jr_vm_free(first);
    jr_vm *second = restore(e->program, &config, &taken);
    snapshot_to(second, &again);
    if (again.length != taken.length || memcmp(again.bytes, taken.bytes, taken.length) != 0)
        fail_msg("%s after %u events: the restored VM writes another snapshot (%zu bytes, not %zu)", e->name, split,
                 again.length, taken.length);
    post_all(second, e, split, e->events);
    assert_int_equal(jr_vm_advance(second, e->horizon, NULL), JR_OK);
    describe(second, report);
    jr_vm_free(second);
    free(taken.bytes);
    free(again.bytes);
}

static void expect_same(const char *what, const example *e, uint32_t split, const text *expected, const text *got)
{
    if (expected->length == got->length && memcmp(expected->bytes, got->bytes, got->length) == 0) return;
    size_t at = 0;
    while (at < expected->length && at < got->length && expected->bytes[at] == got->bytes[at]) at++;
    size_t line = at;
    while (line > 0 && expected->bytes[line - 1] != '\n') line--;
    fail_msg("%s, restored after %u events: the %s differ from the uninterrupted run's at\n"
             "  expected: %.160s\n  got:      %.160s",
             e->name, split, what, expected->bytes + line, got->length > line ? got->bytes + line : "");
}

/* ---- 2. round trips ------------------------------------------------------------------------- */

static void round_trips(const example *e, bool attribution, uint32_t stride)
{
    text actions = { 0 }, report = { 0 };
    run_whole(e, attribution, &actions, &report);
    assert_true(actions.length > 0);
    for (uint32_t split = 0; split <= e->events; split += stride) {
        text split_actions = { 0 }, split_report = { 0 };
        run_split(e, attribution, split, &split_actions, &split_report);
        expect_same("actions", e, split, &actions, &split_actions);
        expect_same("reports", e, split, &report, &split_report);
        text_free(&split_actions);
        text_free(&split_report);
    }
    text_free(&actions);
    text_free(&report);
}

/* Onboarding, restored after every event, with and without attribution. */
static void test_round_trip_at_every_event(void **state)
{
    (void)state;
    round_trips(find_example("onboarding"), false, 1);
    round_trips(find_example("onboarding"), true, 1);
}

/* Every example, restored at a few points of its log. */
static void test_round_trip_every_example(void **state)
{
    (void)state;
    for (uint32_t i = 0; i < example_count; i++) {
        round_trips(&examples[i], i % 2 == 0, examples[i].events / 5 + 1);
        round_trips(&examples[i], i % 2 == 1, examples[i].events / 3 + 1);
    }
    round_trips(&errors_example, true, 7);
    round_trips(&crowd_example, true, crowd_example.events / 4 + 1);
}

/* Half of onboarding's log, with coroutines waiting: node stats identical. */
static void test_round_trip_mid_wait(void **state)
{
    (void)state;
    const example *e = find_example("onboarding");
    uint32_t half = e->events / 2;
    jr_vm *vm = NULL;
    assert_int_equal(jr_vm_new(e->program, NULL, &vm, NULL), JR_OK);
    post_all(vm, e, 0, half);
    jr_vm_stats stats;
    jr_vm_stats_get(vm, &stats);
    uint32_t waiting = 0;
    for (uint32_t c = 0; c < stats.contacts; c++)
        for (uint32_t j = 0; j < jr_vm_journey_count(vm); j++) {
            jr_contact_journey where;
            assert_int_equal(jr_vm_contact_journey(vm, c, j, &where, NULL), JR_OK);
            waiting += where.waiting != NULL;
        }
    jr_vm_free(vm);
    assert_true(waiting >= 2);
    text actions = { 0 }, report = { 0 }, split_actions = { 0 }, split_report = { 0 };
    run_whole(e, true, &actions, &report);
    run_split(e, true, half, &split_actions, &split_report);
    expect_same("actions", e, half, &actions, &split_actions);
    expect_same("node stats", e, half, &report, &split_report);
    text_free(&actions);
    text_free(&report);
    text_free(&split_actions);
    text_free(&split_report);
}

/* ---- 3. refusals ------------------------------------------------------------------------------ */

/* Onboarding after half its log, with attribution: coroutines waiting on timers, events
 * and selects, seen messageIds, paths. */
static jr_vm *onboarding_half(void)
{
    const example *e = find_example("onboarding");
    jr_config config = { .attribution = true };
    jr_vm *vm = NULL;
    assert_int_equal(jr_vm_new(e->program, &config, &vm, NULL), JR_OK);
    post_all(vm, e, 0, e->events / 2);
    return vm;
}

static void expect_bytes_refused(const jr_program *program, const uint8_t *bytes, size_t length, const char *expected)
{
    jr_vm *vm = (jr_vm *)&vm; /* must come back NULL */
    jr_error error = { 0 };
    jr_status status = jr_vm_restore(program, NULL, bytes, length, &vm, &error);
    if (status != JR_ERROR_BYTECODE) fail_msg("restored with status %d (%s), expected a refusal", status, error.message);
    assert_null(vm);
    if (expected && !strstr(error.message, expected)) fail_msg("expected '%s' in '%s'", expected, error.message);
}

static void test_refuses_another_program(void **state)
{
    (void)state;
    jr_vm *vm = onboarding_half();
    buffer b = { 0 };
    snapshot_to(vm, &b);
    expect_bytes_refused(find_example("abandoned_cart")->program, b.bytes, b.length, "of another program");
    jr_vm_free(vm);
    free(b.bytes);
}

static void test_refuses_every_truncation(void **state)
{
    (void)state;
    jr_vm *vm = onboarding_half();
    buffer b = { 0 };
    snapshot_to(vm, &b);
    for (size_t length = 0; length < b.length; length++) expect_bytes_refused(vm->program, b.bytes, length, NULL);
    uint8_t *longer = malloc(b.length + 1);
    memcpy(longer, b.bytes, b.length);
    longer[b.length] = 0;
    expect_bytes_refused(vm->program, longer, b.length + 1, "were given");
    free(longer);
    jr_vm_free(vm);
    free(b.bytes);
}

static void test_refuses_every_flipped_byte(void **state)
{
    (void)state;
    jr_vm *vm = onboarding_half();
    buffer b = { 0 };
    snapshot_to(vm, &b);
    for (size_t i = 0; i < b.length; i++) {
        b.bytes[i] ^= 0xFF;
        expect_bytes_refused(vm->program, b.bytes, b.length, NULL);
        b.bytes[i] ^= 0xFF;
    }
    jr_vm_free(vm);
    free(b.bytes);
}

/* Writes the VM (whatever its internals now hold) and expects the restore to refuse it. */
static void expect_refused(const jr_vm *vm, const char *expected)
{
    buffer b = { 0 };
    snapshot_to(vm, &b);
    expect_bytes_refused(vm->program, b.bytes, b.length, expected);
    free(b.bytes);
}

static journey_state *find_state(const jr_vm *vm, uint8_t status, int wait, uint32_t *contact)
{
    for (uint32_t c = 0; c < vm->contact_count; c++)
        for (uint32_t j = 0; j < JR_COUNT(vm->program, JOURNEYS); j++) {
            journey_state *s = jr_journey_state(vm, c, j);
            if (s->status == status && (wait < 0 || s->wait == wait)) {
                if (contact) *contact = c;
                return s;
            }
        }
    fail_msg("no journey state with status %u and wait %d", status, wait);
    return NULL;
}

#define BREAK(field, value, expected)     \
    do {                                  \
        __typeof__(field) kept = (field); \
        (field) = (value);                \
        expect_refused(vm, expected);     \
        (field) = kept;                   \
    } while (0)

static void test_refuses_broken_states(void **state)
{
    (void)state;
    jr_vm *vm = onboarding_half();
    jr_event stranger = { .kind = JR_EVENT_IDENTIFY, .timestamp = jr_vm_clock(vm), .contact_id = "stranger",
                          .contact_id_length = 8, .event_index = -1 };
    assert_int_equal(jr_vm_post(vm, &stranger, NULL), JR_OK);
    journey_state *timer = find_state(vm, JOURNEY_RUNNING, WAIT_TIMER, NULL);
    journey_state *running = find_state(vm, JOURNEY_RUNNING, -1, NULL);
    journey_state *never = find_state(vm, JOURNEY_NEVER, -1, NULL);
    BREAK(timer->pc, 0, "is not where a coroutine waits");
    BREAK(timer->pc, timer->pc + 1, "is not where a coroutine waits");
    BREAK(timer->pc, 1000000, "is not where a coroutine waits");
    BREAK(timer->wait, WAIT_EVENT, "is not where a coroutine waits");
    BREAK(timer->wait, WAIT_SELECT, "is not where a coroutine waits");
    BREAK(running->wait, WAIT_NONE, "running without waiting");
    BREAK(running->status, 9, "unknown status");
    BREAK(running->wait, 7, "unknown kind of wait");
    BREAK(running->goal_reached, 3, "goal flag");
    BREAK(running->node, 1000000, "no statement");
    BREAK(running->entries, 0, "without having entered");
    BREAK(running->status, JOURNEY_HOLDOUT, "holdout");
    BREAK(running->status, JOURNEY_DONE, "ended, yet waiting");
    BREAK(running->entered_at, INT64_MAX, "entry time");
    BREAK(running->path, vm->path_count + 1, "refers to entry");
    BREAK(never->entries, 1, "never entered");
    BREAK(never->node, 1, "never entered");
    /* a coroutine's node must be a statement, not an arm, of its own journey */
    for (uint32_t n = 0; n < JR_COUNT(vm->program, NODES); n++)
        if (jr_node_kind_is_arm(JR_TABLE(vm->program, NODES)[n].kind)) {
            BREAK(running->node, n + 1, "no statement");
            break;
        }
    jr_vm_free(vm);
}

static void test_refuses_broken_contacts(void **state)
{
    (void)state;
    jr_vm *vm = onboarding_half();
    contact_header *first = (contact_header *)jr_contact_record(vm, 0);
    contact_header *second = (contact_header *)jr_contact_record(vm, 1);
    BREAK(second->id, first->id, "has the id of contact 0");
    BREAK(first->last_event, INT64_MAX, "latest event time");
    BREAK(vm->clock, -INT64_MAX, "the clock");
    uint8_t *segments = jr_contact_record(vm, 0) + vm->segments_offset;
    assert_true(JR_COUNT(vm->program, SEGMENTS) % 8 != 0);
    BREAK(segments[0], (uint8_t)(segments[0] | 0x80), "segments the program does not have");
    score_state *score = (score_state *)(jr_contact_record(vm, 0) + vm->scores_offset);
    BREAK(score->updated, INT64_MIN, "score time");
    jr_vm_free(vm);
}

static void test_refuses_broken_tables(void **state)
{
    (void)state;
    jr_vm *vm = onboarding_half();
    assert_true(vm->timers.count >= 2 && vm->path_count >= 2 && vm->seen_count >= 2);
    BREAK(vm->timers.heap[0].contact, vm->contact_count, "which do not exist");
    BREAK(vm->timers.heap[1].journey, JR_COUNT(vm->program, JOURNEYS), "which do not exist");
    BREAK(vm->timers.heap[1].due, vm->timers.heap[0].due - 1, "comes before its parent");
    BREAK(vm->timers.heap[0].sequence, vm->timers.next_sequence, "not below the next one");
    BREAK(vm->timers.heap[0].due, INT64_MAX, "due time");
    BREAK(vm->journey_counters[0].active, vm->journey_counters[0].active + 1, "contacts in it");
    journey_state *running = find_state(vm, JOURNEY_RUNNING, -1, NULL);
    assert_true(running->node != 0);
    BREAK(vm->node_counters[running->node - 1].here, 0, "contacts at it");
    BREAK(vm->paths[1].previous, 2, "follows entry");
    BREAK(vm->paths[0].node, JR_COUNT(vm->program, NODES), "names node");
    /* a messageId twice */
    uint32_t empty = 0, taken = 0;
    while (vm->seen[empty]) empty++;
    while (!vm->seen[taken]) taken++;
    vm->seen[empty] = vm->seen[taken];
    vm->seen_count++;
    expect_refused(vm, "is not above the one before");
    vm->seen[empty] = 0;
    vm->seen_count--;
    jr_vm_free(vm);

    /* kept errors name a contact, journey and file that exist */
    const example *e = &errors_example;
    assert_int_equal(jr_vm_new(e->program, NULL, &vm, NULL), JR_OK);
    post_all(vm, e, 0, e->events);
    assert_int_equal(jr_vm_advance(vm, e->horizon, NULL), JR_OK);
    assert_true(vm->error_count > 0);
    BREAK(vm->errors[0].contact, vm->contact_count, "names a contact");
    BREAK(vm->errors[0].journey, 7, "names a contact, journey");
    BREAK(vm->errors[0].file, vm->program->string_count, "or file");
    BREAK(vm->errors[0].at, INT64_MIN, "error time");
    jr_vm_free(vm);
}

/* ---- byte-level refusals: the CRC made right again so the check under test is reached ---- */

static void put_u32(uint8_t *at, uint32_t value)
{
    for (int i = 0; i < 4; i++) at[i] = (uint8_t)(value >> (8 * i));
}

static uint32_t get_u32(const uint8_t *at) { return at[0] | at[1] << 8 | at[2] << 16 | (uint32_t)at[3] << 24; }

static void fix_crc(uint8_t *bytes, size_t length)
{
    put_u32(bytes + length - 4, (uint32_t)crc32(0L, bytes, (uInt)(length - 4)));
}

/* Where part `id`'s header is (its content follows 12 bytes later). */
static size_t part_at(const uint8_t *bytes, uint32_t id)
{
    size_t at = JR_SNAPSHOT_HEADER_BYTES;
    for (uint32_t part = 1; part < id; part++) at += JR_SNAPSHOT_PART_HEADER_BYTES + get_u32(bytes + at + 4);
    assert_int_equal(get_u32(bytes + at), id);
    return at;
}

static void expect_patch_refused(const buffer *original, const jr_program *program, size_t offset, uint32_t value,
                                 bool crc, const char *expected)
{
    uint8_t *bytes = malloc(original->length);
    memcpy(bytes, original->bytes, original->length);
    put_u32(bytes + offset, value);
    if (crc) fix_crc(bytes, original->length);
    expect_bytes_refused(program, bytes, original->length, expected);
    free(bytes);
}

static void test_refuses_broken_bytes(void **state)
{
    (void)state;
    jr_vm *vm = onboarding_half();
    const jr_program *p = vm->program;
    buffer b = { 0 };
    snapshot_to(vm, &b);
    expect_patch_refused(&b, p, 0, 0x4E534A00, false, "bad magic");
    expect_patch_refused(&b, p, 8, 2, false, "snapshot format 2 is not supported (this runtime reads 1)");
    expect_patch_refused(&b, p, 16, (uint32_t)b.length + 1, false, "is truncated");
    expect_patch_refused(&b, p, b.length - 8, get_u32(b.bytes + b.length - 8) ^ 1, false, "checksum mismatch");
    expect_patch_refused(&b, p, 12, p->bytecode_crc + 1, true, "of another program");
    size_t state_part = part_at(b.bytes, JR_PART_STATE), strings = part_at(b.bytes, JR_PART_STRINGS);
    size_t contacts = part_at(b.bytes, JR_PART_CONTACTS), timers = part_at(b.bytes, JR_PART_TIMERS);
    expect_patch_refused(&b, p, state_part, 9, true, "STATE: part 9 is where this part belongs");
    expect_patch_refused(&b, p, state_part + 4, 1u << 30, true, "run past the end");
    expect_patch_refused(&b, p, state_part + 4, get_u32(b.bytes + state_part + 4) + 1, true, "1 bytes left over");
    expect_patch_refused(&b, p, state_part + 12 + 8, 6, true, "unknown flags 6");
    expect_patch_refused(&b, p, strings + 12, 1u << 30, true, "strings cannot fit");
    expect_patch_refused(&b, p, strings + 16, 1u << 30, true, "string 1 lies outside the part");
    uint32_t string_count = get_u32(b.bytes + strings + 12);
    expect_patch_refused(&b, p, contacts + 12, get_u32(b.bytes + contacts + 12) + 1, true, "contacts do not fill");
    expect_patch_refused(&b, p, contacts + 16, string_count + 1, true, "does not exist");
    expect_patch_refused(&b, p, timers + 12, get_u32(b.bytes + timers + 12) - 1, true, "timers do not fill");
    /* a string repeated: the second string made a copy of the first, if they are as long */
    uint32_t first_length = get_u32(b.bytes + strings + 16);
    size_t second = strings + 20 + first_length;
    if (get_u32(b.bytes + second) == first_length) {
        uint8_t *bytes = malloc(b.length);
        memcpy(bytes, b.bytes, b.length);
        memcpy(bytes + second + 4, bytes + strings + 20, first_length);
        fix_crc(bytes, b.length);
        expect_bytes_refused(p, bytes, b.length, "string 2 repeats string 1");
        free(bytes);
    }
    /* bytes after the last part */
    uint8_t *longer = malloc(b.length + 3);
    memcpy(longer, b.bytes, b.length - 4);
    memset(longer + b.length - 4, 0, 3);
    put_u32(longer + 16, (uint32_t)b.length + 3);
    fix_crc(longer, b.length + 3);
    expect_bytes_refused(p, longer, b.length + 3, "3 bytes after the last part");
    free(longer);
    jr_vm_free(vm);
    free(b.bytes);
}

/* ---- 4. the memory limit ------------------------------------------------------------------- */

/* Bytes the counting allocator may see beyond the limit: what one event computes (its
 * scratch strings, the action text, the payload) and is not foreseen (limit.c). */
enum { UNFORESEEN = 16 * 1024 };

static void test_limit_of_an_empty_vm(void **state)
{
    (void)state;
    const example *e = find_example("onboarding");
    jr_config config = { .memory_limit = 100 };
    jr_vm *vm = (jr_vm *)&vm;
    jr_error error = { 0 };
    assert_int_equal(jr_vm_new(e->program, &config, &vm, &error), JR_ERROR_LIMIT);
    assert_null(vm);
    assert_non_null(strstr(error.message, "memory limit of 100 bytes"));
    config.memory_limit = SIZE_MAX;
    assert_int_equal(jr_vm_new(e->program, &config, &vm, &error), JR_OK);
    size_t empty = vm->memory.held;
    assert_true(empty > sizeof(jr_vm));
    jr_vm_free(vm);
    config.memory_limit = empty;
    assert_int_equal(jr_vm_new(e->program, &config, &vm, &error), JR_OK);
    /* at the limit, the first event (a new contact: a table of them) is refused */
    jr_event event = { .kind = JR_EVENT_IDENTIFY, .timestamp = 1767225600000, .contact_id = "ada",
                       .contact_id_length = 3, .event_index = -1 };
    assert_int_equal(jr_vm_post(vm, &event, &error), JR_ERROR_LIMIT);
    assert_non_null(strstr(error.message, "memory limit"));
    jr_vm_stats stats;
    jr_vm_stats_get(vm, &stats);
    assert_int_equal(stats.contacts, 0);
    assert_int_equal(stats.events, 0);
    assert_int_equal(vm->memory.held, empty);
    jr_vm_free(vm);
}

/* Runs the log under a limit; when a post is refused, checks that the VM holds the
 * limit, restores it without one, and finishes the run: the uninterrupted result. */
static void run_under_limit(const example *e, size_t limit, const text *expected_actions, const text *expected_report)
{
    text actions = { 0 }, report = { 0 };
    jr_config config = config_with(&actions, true);
    config.memory_limit = limit;
    jr_vm *vm = NULL;
    jr_error error = { 0 };
    if (jr_vm_new(e->program, &config, &vm, &error) != JR_OK) {
        assert_int_equal(error.status, JR_ERROR_LIMIT);
        return;
    }
    uint32_t refused = e->events;
    cursor c;
    cursor_open(&c, e);
    while (c.next < e->events) {
        cursor_read(&c);
        jr_status status = jr_vm_post(vm, &c.event, &error);
        assert_true(vm->memory.held <= limit + UNFORESEEN);
        if (status == JR_OK) continue;
        if (status != JR_ERROR_LIMIT) fail_msg("event %u under a limit of %zu: %s", c.next - 1, limit, error.message);
        refused = c.next - 1;
        break;
    }
    cursor_close(&c);
    bool advanced = refused == e->events && jr_vm_advance(vm, e->horizon, &error) == JR_OK;
    assert_true(vm->memory.held <= limit + UNFORESEEN);
    if (advanced) {
        describe(vm, &report);
    } else {
        /* the refused event, or timer, had no effect: restored without a limit, the VM
         * takes it again and goes on as if nothing had happened */
        buffer b = { 0 };
        snapshot_to(vm, &b);
        config.memory_limit = 0;
        jr_vm *unlimited = restore(e->program, &config, &b);
        post_all(unlimited, e, refused, e->events);
        assert_int_equal(jr_vm_advance(unlimited, e->horizon, NULL), JR_OK);
        describe(unlimited, &report);
        jr_vm_free(unlimited);
        free(b.bytes);
    }
    jr_vm_free(vm);
    expect_same("actions", e, refused, expected_actions, &actions);
    expect_same("reports", e, refused, expected_report, &report);
    text_free(&actions);
    text_free(&report);
}

/* Limits from what an empty VM holds to more than the crowd needs: each run is refused
 * somewhere (at an event, or at a timer of the horizon) or not at all. */
static void test_limit_refuses_whole_events(void **state)
{
    (void)state;
    const example *e = &crowd_example;
    text actions = { 0 }, report = { 0 };
    run_whole(e, true, &actions, &report);
    jr_config config = { .attribution = true, .memory_limit = SIZE_MAX };
    jr_vm *vm = NULL;
    assert_int_equal(jr_vm_new(e->program, &config, &vm, NULL), JR_OK);
    size_t empty = vm->memory.held;
    post_all(vm, e, 0, e->events);
    assert_int_equal(jr_vm_advance(vm, e->horizon, NULL), JR_OK);
    size_t full = vm->memory.held;
    jr_vm_free(vm);
    size_t step = (full - empty) / 40 + 1;
    for (size_t limit = empty; limit < full + 4 * step; limit += step) run_under_limit(e, limit, &actions, &report);
    text_free(&actions);
    text_free(&report);
}

/* A restored VM whose limit is what it holds: a due timer is refused (the clock stays,
 * nothing fires), an event for a new contact too, and neither leaves a trace. */
static void test_limit_refuses_timers(void **state)
{
    (void)state;
    jr_vm *vm = onboarding_half();
    buffer b = { 0 }, after = { 0 };
    snapshot_to(vm, &b);
    jr_vm_free(vm);
    jr_config config = { .attribution = true, .memory_limit = SIZE_MAX };
    vm = restore(find_example("onboarding")->program, &config, &b);
    config.memory_limit = vm->memory.held;
    jr_vm_free(vm);
    vm = restore(find_example("onboarding")->program, &config, &b);
    int64_t clock = jr_vm_clock(vm);
    assert_true(vm->timers.count > 0);
    jr_error error = { 0 };
    assert_int_equal(jr_vm_advance(vm, clock + 400 * DAY, &error), JR_ERROR_LIMIT);
    assert_int_equal(jr_vm_clock(vm), clock);
    snapshot_to(vm, &after);
    assert_int_equal(after.length, b.length);
    assert_memory_equal(after.bytes, b.bytes, b.length);
    jr_event event = { .kind = JR_EVENT_IDENTIFY, .timestamp = clock, .contact_id = "newcomer",
                       .contact_id_length = 8, .event_index = -1, .message_id = "new-1", .message_id_length = 5 };
    assert_int_equal(jr_vm_post(vm, &event, &error), JR_ERROR_LIMIT);
    snapshot_to(vm, &after);
    assert_memory_equal(after.bytes, b.bytes, b.length);
    uint32_t contact;
    assert_false(jr_vm_contact_find(vm, "newcomer", 8, &contact));
    jr_vm_free(vm);
    /* a limit below what the state needs refuses the restore itself */
    config.memory_limit = config.memory_limit / 2;
    vm = (jr_vm *)&vm;
    assert_int_equal(jr_vm_restore(find_example("onboarding")->program, &config, b.bytes, b.length, &vm, &error),
                     JR_ERROR_LIMIT);
    assert_null(vm);
    free(b.bytes);
    free(after.bytes);
}

/* ---- 5. on_error -------------------------------------------------------------------------- */

typedef struct heard {
    uint32_t count;
    char first[512];
} heard;

static void hear_error(void *user, const jr_runtime_error *error)
{
    heard *h = user;
    if (h->count++ == 0)
        snprintf(h->first, sizeof h->first, "%s %s %s:%u %lld %s", error->contact_id, or_dash(error->journey),
                 or_dash(error->file), error->line, (long long)error->at, error->message);
}

static void test_on_error_hears_every_error(void **state)
{
    (void)state;
    const example *e = &errors_example;
    heard h = { 0 };
    jr_config config = { .on_error = hear_error, .error_user = &h };
    jr_vm *vm = NULL;
    assert_int_equal(jr_vm_new(e->program, &config, &vm, NULL), JR_OK);
    /* 1200 contacts sign up without a plan: each one's coroutine fails after an hour */
    for (int i = 0; i < 1200; i++) {
        char id[16];
        int length = snprintf(id, sizeof id, "c%d", i);
        jr_event event = { .kind = JR_EVENT_TRACK, .timestamp = 1767225600000 + i, .contact_id = id,
                           .contact_id_length = (uint32_t)length, .event_index = 0 };
        assert_int_equal(jr_vm_post(vm, &event, NULL), JR_OK);
    }
    assert_int_equal(h.count, 0);
    assert_int_equal(jr_vm_advance(vm, 1767225600000 + DAY, NULL), JR_OK);
    assert_int_equal(h.count, 1200);
    assert_int_equal(jr_vm_error_count(vm), 1000);
    jr_vm_stats stats;
    jr_vm_stats_get(vm, &stats);
    assert_int_equal(stats.runtime_errors, 1200);
    jr_runtime_error kept;
    jr_vm_error(vm, 0, &kept);
    char described[512];
    snprintf(described, sizeof described, "%s %s %s:%u %lld %s", kept.contact_id, or_dash(kept.journey),
             or_dash(kept.file), kept.line, (long long)kept.at, kept.message);
    assert_string_equal(h.first, described);
    assert_non_null(strstr(h.first, "c0 welcome errors.journey:8 1767229200000 attribute 'plan' has no value"));
    jr_vm_free(vm);
}

/* ---- 6. a failing allocator --------------------------------------------------------------- */

typedef struct failing {
    long calls;      /* allocations (and growths) so far */
    long fail_at;    /* the one that fails, 1-based; 0: none */
    bool and_after;  /* every later one fails too */
    long failures;
    long live;       /* blocks held */
} failing;

static void *failing_realloc(void *user, void *pointer, size_t size)
{
    failing *f = user;
    if (size == 0) {
        if (pointer) f->live--;
        free(pointer);
        return NULL;
    }
    f->calls++;
    if (f->fail_at && (f->calls == f->fail_at || (f->and_after && f->calls > f->fail_at))) {
        f->failures++;
        return NULL;
    }
    void *grown = realloc(pointer, size);
    if (grown && !pointer) f->live++;
    return grown;
}

/* A call that saw an allocation fail must say so. */
static bool reported(const failing *f, long before, jr_status status, const char *call)
{
    if (f->failures > before && status == JR_OK)
        fail_msg("%s returned JR_OK, although allocation %ld failed", call, f->fail_at);
    if (status != JR_OK && f->failures == before) fail_msg("%s failed (%d) with no allocation failing", call, status);
    return status == JR_OK;
}

/* A VM whose allocator failed may have lost work: it is not written. */
static void expect_not_written(const jr_vm *vm)
{
    buffer b = { 0 };
    jr_error error = { 0 };
    expect_status(jr_vm_snapshot(vm, buffer_write, &b, &error), JR_ERROR_MEMORY, &error);
    assert_int_equal(b.length, 0);
    free(b.bytes);
}

/* Load, a VM, half the log, a snapshot, a restore, the rest, the horizon, a snapshot. */
static void failing_run(const example *e, failing *f, size_t memory_limit)
{
    jr_load_options options = { .allocator = { failing_realloc, f } };
    jr_config config = { .allocator = { failing_realloc, f }, .attribution = true, .memory_limit = memory_limit };
    jr_program *program = NULL;
    jr_vm *vm = NULL, *restored = NULL;
    jr_error error;
    buffer b = { 0 };
    long before = f->failures;
    if (!reported(f, before, jr_program_load(e->bytecode, e->bytecode_length, &options, &program, &error), "load"))
        goto done;
    example with = *e;
    with.program = program;
    before = f->failures;
    if (!reported(f, before, jr_vm_new(program, &config, &vm, &error), "jr_vm_new")) goto done;
    cursor c;
    cursor_open(&c, &with);
    bool posted = true;
    while (posted && c.next < e->events / 2) {
        cursor_read(&c);
        before = f->failures;
        posted = reported(f, before, jr_vm_post(vm, &c.event, &error), "jr_vm_post");
    }
    if (!posted) {
        expect_not_written(vm);
        cursor_close(&c);
        goto done;
    }
    before = f->failures;
    if (!reported(f, before, jr_vm_snapshot(vm, buffer_write, &b, &error), "jr_vm_snapshot")) {
        cursor_close(&c);
        goto done;
    }
    before = f->failures;
    posted = reported(f, before, jr_vm_restore(program, &config, b.bytes, b.length, &restored, &error), "jr_vm_restore");
    while (posted && c.next < e->events) {
        cursor_read(&c);
        before = f->failures;
        posted = reported(f, before, jr_vm_post(restored, &c.event, &error), "jr_vm_post");
    }
    cursor_close(&c);
    if (!posted && restored) expect_not_written(restored);
    if (!posted) goto done;
    before = f->failures;
    if (!reported(f, before, jr_vm_advance(restored, e->horizon, &error), "jr_vm_advance")) goto done;
    b.length = 0;
    before = f->failures;
    reported(f, before, jr_vm_snapshot(restored, buffer_write, &b, &error), "jr_vm_snapshot");
done:
    jr_vm_free(restored);
    jr_vm_free(vm);
    jr_program_free(program);
    free(b.bytes);
    assert_int_equal(f->live, 0);
}

static void fail_every_allocation(const example *e, size_t memory_limit)
{
    failing clean = { 0 };
    failing_run(e, &clean, memory_limit);
    assert_true(clean.calls > 50);
    for (int mode = 0; mode < 2; mode++)
        for (long k = 1;; k++) {
            failing f = { .fail_at = k, .and_after = mode == 1 };
            failing_run(e, &f, memory_limit);
            if (f.failures == 0) {
                assert_int_equal(k, clean.calls + 1);
                break;
            }
        }
}

static void test_failing_allocator(void **state)
{
    (void)state;
    fail_every_allocation(find_example("onboarding"), 0);
    fail_every_allocation(&errors_example, SIZE_MAX);
}

/* ---- 1. arguments ---------------------------------------------------------------------------- */

static void test_arguments_of_programs(void **state)
{
    (void)state;
    const example *e = find_example("onboarding");
    jr_program *program = (jr_program *)&program;
    jr_error error = { 0 };
    expect_status(jr_program_load(NULL, 10, NULL, &program, &error), JR_ERROR_ARGUMENT, &error);
    assert_int_equal(jr_program_load(e->bytecode, e->bytecode_length, NULL, NULL, &error), JR_ERROR_ARGUMENT);
    assert_int_equal(jr_program_load(NULL, 0, NULL, NULL, NULL), JR_ERROR_ARGUMENT);
    memset(&error, 0, sizeof error);
    expect_status(jr_program_load(e->bytecode, 3, NULL, &program, &error), JR_ERROR_BYTECODE, &error);
    assert_null(program);
    memset(&error, 0, sizeof error);
    expect_status(jr_program_load_file(NULL, NULL, &program, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_program_load_file("no/such/file.jbc", NULL, &program, &error), JR_ERROR_IO, &error);
    assert_int_equal(jr_program_load_file("examples/onboarding.journey", NULL, NULL, NULL), JR_ERROR_ARGUMENT);
    jr_program_free(NULL);
    assert_null(jr_program_schema(NULL));
    assert_int_equal(jr_program_find(NULL, JR_NAME_JOURNEY, "onboarding"), -1);
    assert_int_equal(jr_program_find(e->program, JR_NAME_JOURNEY, NULL), -1);
    assert_int_equal(jr_program_find(e->program, (jr_name_kind)99, "onboarding"), -1);
    assert_int_equal(jr_program_find(e->program, JR_NAME_JOURNEY, "no such journey"), -1);
    assert_int_equal(jr_program_find(e->program, JR_NAME_JOURNEY, "onboarding"), 0);
}

static void test_arguments_of_readers(void **state)
{
    (void)state;
    const jr_schema *schema = jr_program_schema(find_example("onboarding")->program);
    jr_read_error error = { 0 };
    assert_null(jr_reader_open(schema, NULL, JR_LOG_AUTO, &error));
    assert_true(error.message[0] != '\0');
    assert_null(jr_reader_open(schema, "no/such/log.jsonl", JR_LOG_AUTO, &error));
    assert_non_null(strstr(error.message, "no/such/log.jsonl"));
    assert_null(jr_reader_open(NULL, NULL, JR_LOG_AUTO, NULL));
    jr_event event;
    assert_int_equal(jr_reader_next(NULL, &event, &error), JR_READ_END);
    assert_int_equal(jr_reader_position(NULL), 0);
    assert_int_equal(jr_reader_size(NULL), 0);
    jr_reader_close(NULL);
    /* no schema: every event is one the program does not declare */
    static const char line[] = "{\"type\":\"track\",\"userId\":\"a\",\"event\":\"X\","
                               "\"timestamp\":\"2026-01-01T00:00:00Z\"}\n";
    jr_event_reader *reader = jr_reader_open_memory(NULL, line, sizeof line - 1, JR_LOG_JSONL, NULL);
    assert_non_null(reader);
    assert_int_equal(jr_reader_next(reader, &event, NULL), JR_READ_EVENT);
    assert_int_equal(event.event_index, -1);
    jr_reader_close(reader);
    /* nowhere to put the event: nothing is read */
    reader = jr_reader_open_memory(schema, line, sizeof line - 1, JR_LOG_JSONL, NULL);
    assert_non_null(reader);
    assert_int_not_equal(jr_reader_next(reader, NULL, &error), JR_READ_EVENT);
    jr_reader_close(reader);
    reader = jr_reader_open_memory(schema, NULL, 0, JR_LOG_JSONL, &error);
    assert_non_null(reader);
    assert_int_equal(jr_reader_next(reader, &event, &error), JR_READ_END);
    jr_reader_close(reader);
    int64_t milliseconds = 0;
    assert_false(jr_parse_timestamp(NULL, 20, &milliseconds));
    assert_false(jr_parse_timestamp("2026-01-01T00:00:00Z", 20, NULL));
    assert_false(jr_parse_timestamp("2026-13-01T00:00:00Z", 20, &milliseconds));
    jr_format_timestamp(0, NULL);
    char out[25];
    jr_format_timestamp(INT64_MAX, out);
    assert_string_equal(out, "9999-12-31T23:59:59.999Z");
}

static bool refuse_writes(void *user, const void *bytes, size_t length)
{
    (void)user, (void)bytes, (void)length;
    return false;
}

static void test_arguments_of_vms(void **state)
{
    (void)state;
    const example *e = find_example("onboarding");
    jr_vm *vm = (jr_vm *)&vm;
    jr_error error = { 0 };
    expect_status(jr_vm_new(NULL, NULL, &vm, &error), JR_ERROR_ARGUMENT, &error);
    assert_int_equal(jr_vm_new(e->program, NULL, NULL, NULL), JR_ERROR_ARGUMENT);
    jr_vm_free(NULL);
    assert_int_equal(jr_vm_new(e->program, NULL, &vm, &error), JR_OK);

    jr_event event = { .kind = JR_EVENT_TRACK, .timestamp = 1767225600000, .contact_id = "ada", .contact_id_length = 3,
                       .event_index = 0 };
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_post(NULL, &event, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_post(vm, NULL, &error), JR_ERROR_ARGUMENT, &error);
    event.event_index = 10000;
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_post(vm, &event, &error), JR_ERROR_EVENT, &error);
    event.event_index = 0;
    event.contact_id = NULL;
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_post(vm, &event, &error), JR_ERROR_ARGUMENT, &error);
    assert_int_equal(jr_vm_post(NULL, NULL, NULL), JR_ERROR_ARGUMENT);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_post_json(NULL, "{}", 2, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_post_json(vm, NULL, 2, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_post_json(vm, "[1]", 3, &error), JR_ERROR_EVENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_advance(NULL, 0, &error), JR_ERROR_ARGUMENT, &error);
    assert_int_equal(jr_vm_clock(NULL), 0);

    buffer b = { 0 };
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_snapshot(NULL, buffer_write, &b, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_snapshot(vm, NULL, &b, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_snapshot(vm, refuse_writes, NULL, &error), JR_ERROR_IO, &error);
    post_all(vm, e, 0, e->events);
    snapshot_to(vm, &b);
    for (size_t cut = 1; cut <= b.length; cut = cut * 2 + 1) { /* the host stops taking bytes */
        buffer partial = { .refuse_after = cut };
        memset(&error, 0, sizeof error);
        expect_status(jr_vm_snapshot(vm, buffer_write, &partial, &error), JR_ERROR_IO, &error);
        free(partial.bytes);
    }
    jr_vm *restored = (jr_vm *)&restored;
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_restore(NULL, NULL, b.bytes, b.length, &restored, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_restore(e->program, NULL, NULL, b.length, &restored, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_restore(e->program, NULL, b.bytes, b.length, NULL, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_restore(e->program, NULL, NULL, 0, &restored, &error), JR_ERROR_BYTECODE, &error);
    assert_null(restored);
    free(b.bytes);
    jr_vm_free(vm);
}

/* The queries: a NULL VM or result, a contact, journey, node, message or clause that
 * does not exist. Functions with a status say so; the others leave a zeroed result. */
/* jr_program_name_count / jr_program_name list what jr_program_find finds;
 * jr_vm_contact_id numbers contacts in first-seen order; jr_vm_next_timer is the time
 * the next jr_vm_advance has work at. */
static void test_names_contacts_and_next_timer(void **state)
{
    (void)state;
    const example *e = find_example("onboarding");
    for (jr_name_kind kind = JR_NAME_ATTRIBUTE; kind <= JR_NAME_CHANNEL; kind++) {
        uint32_t count = jr_program_name_count(e->program, kind);
        for (uint32_t i = 0; i < count; i++) {
            const char *name = jr_program_name(e->program, kind, i);
            assert_non_null(name);
            assert_int_equal(jr_program_find(e->program, kind, name), (int32_t)i);
        }
        assert_null(jr_program_name(e->program, kind, count));
    }
    assert_int_equal(jr_program_name_count(e->program, JR_NAME_JOURNEY), 1);
    assert_string_equal(jr_program_name(e->program, JR_NAME_JOURNEY, 0), "onboarding");
    assert_int_equal(jr_program_name_count(NULL, JR_NAME_JOURNEY), 0);
    assert_null(jr_program_name(NULL, JR_NAME_JOURNEY, 0));
    assert_int_equal(jr_program_name_count(e->program, (jr_name_kind)99), 0);

    jr_vm *vm = NULL;
    assert_int_equal(jr_vm_new(e->program, NULL, &vm, NULL), JR_OK);
    int64_t due = 0;
    assert_false(jr_vm_next_timer(vm, &due));
    assert_false(jr_vm_next_timer(NULL, &due));
    assert_null(jr_vm_contact_id(vm, 0, NULL));
    post_all(vm, e, 0, e->events);
    jr_vm_stats stats;
    jr_vm_stats_get(vm, &stats);
    for (uint32_t contact = 0; contact < stats.contacts; contact++) {
        size_t length = 0;
        const char *id = jr_vm_contact_id(vm, contact, &length);
        assert_non_null(id);
        assert_int_equal(strlen(id), length);
        uint32_t found = UINT32_MAX;
        assert_true(jr_vm_contact_find(vm, id, length, &found));
        assert_int_equal(found, contact);
    }
    assert_null(jr_vm_contact_id(vm, (uint32_t)stats.contacts, NULL));
    assert_null(jr_vm_contact_id(NULL, 0, NULL));
    assert_string_equal(jr_vm_contact_id(vm, 0, NULL), "user-1"); /* the log's first contact */

    /* Advancing to the reported time fires at least one timer; to just before it, none. */
    jr_error error = { 0 };
    uint32_t advances = 0;
    while (jr_vm_next_timer(vm, &due) && advances < 10000) {
        assert_true(due >= jr_vm_clock(vm));
        jr_vm_stats before, after;
        jr_vm_stats_get(vm, &before);
        if (due > jr_vm_clock(vm)) {
            assert_int_equal(jr_vm_advance(vm, due - 1, &error), JR_OK);
            jr_vm_stats_get(vm, &after);
            assert_int_equal(after.timers_fired, before.timers_fired);
        }
        assert_int_equal(jr_vm_advance(vm, due, &error), JR_OK);
        advances++;
    }
    assert_false(jr_vm_next_timer(vm, &due));
    assert_true(advances > 0);
    jr_vm_free(vm);
}

static void test_arguments_of_queries(void **state)
{
    (void)state;
    const example *e = find_example("onboarding");
    jr_vm *vm = NULL;
    assert_int_equal(jr_vm_new(e->program, NULL, &vm, NULL), JR_OK);
    post_all(vm, e, 0, e->events);
    jr_error error = { 0 };
    jr_vm_stats stats;
    memset(&stats, 0xFF, sizeof stats);
    jr_vm_stats_get(NULL, &stats);
    assert_int_equal(stats.events, 0);
    jr_vm_stats_get(vm, NULL);
    assert_int_equal(jr_vm_journey_count(NULL), 0);
    assert_int_equal(jr_vm_message_count(NULL), 0);
    assert_int_equal(jr_vm_node_count(NULL), 0);
    assert_int_equal(jr_vm_error_count(NULL), 0);
    jr_journey_stats journey;
    jr_vm_journey_stats(vm, 1000, &journey);
    assert_null(journey.name);
    jr_vm_journey_stats(NULL, 0, &journey);
    assert_null(journey.name);
    jr_vm_journey_stats(vm, 0, NULL);
    jr_message_stats message;
    jr_vm_message_stats(vm, 1000, &message);
    assert_null(message.name);
    jr_vm_message_stats(NULL, 0, &message);
    assert_null(message.name);
    jr_vm_message_stats(vm, 0, NULL);
    jr_exit_stats exit_stats;
    jr_vm_exit_stats(vm, 0, 1000, &exit_stats);
    assert_null(exit_stats.event);
    jr_vm_exit_stats(vm, 1000, 0, &exit_stats);
    assert_null(exit_stats.event);
    jr_vm_exit_stats(NULL, 0, 0, &exit_stats);
    assert_null(exit_stats.event);
    jr_vm_exit_stats(vm, 0, 0, NULL);
    jr_node_stats node;
    jr_vm_node_stats(vm, 100000, &node);
    assert_null(node.kind);
    jr_vm_node_stats(NULL, 0, &node);
    assert_null(node.kind);
    jr_vm_node_stats(vm, 0, NULL);
    assert_int_equal(jr_vm_node_exits(vm, 100000, 0), 0);
    assert_int_equal(jr_vm_node_exits(vm, 0, 1000), 0);
    assert_int_equal(jr_vm_node_exits(NULL, 0, 0), 0);
    jr_runtime_error runtime_error;
    jr_vm_error(vm, 100000, &runtime_error);
    assert_null(runtime_error.message);
    jr_vm_error(NULL, 0, &runtime_error);
    assert_null(runtime_error.message);
    jr_vm_error(vm, 0, NULL);

    uint32_t contact = 12345;
    assert_false(jr_vm_contact_find(NULL, "user-1", 6, &contact));
    assert_false(jr_vm_contact_find(vm, NULL, 6, &contact));
    assert_false(jr_vm_contact_find(vm, "user-1", 6, NULL));
    assert_false(jr_vm_contact_find(vm, "nobody", 6, &contact));
    assert_int_equal(contact, 12345);
    assert_true(jr_vm_contact_find(vm, "user-1", 6, &contact));
    uint32_t missing = 1000000;
    jr_field_value value;
    double score;
    bool member;
    jr_contact_journey where;
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_contact_attribute(NULL, contact, 0, &value, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_contact_attribute(vm, missing, 0, &value, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_contact_attribute(vm, contact, missing, &value, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_contact_attribute(vm, contact, 0, NULL, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_contact_score(NULL, contact, 0, &score, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_contact_score(vm, missing, 0, &score, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_contact_score(vm, contact, missing, &score, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_contact_score(vm, contact, 0, NULL, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_contact_segment(NULL, contact, 0, &member, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_contact_segment(vm, missing, 0, &member, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_contact_segment(vm, contact, missing, &member, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_contact_segment(vm, contact, 0, NULL, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_contact_journey(NULL, contact, 0, &where, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_contact_journey(vm, missing, 0, &where, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_contact_journey(vm, contact, missing, &where, &error), JR_ERROR_ARGUMENT, &error);
    memset(&error, 0, sizeof error);
    expect_status(jr_vm_contact_journey(vm, contact, 0, NULL, &error), JR_ERROR_ARGUMENT, &error);
    assert_int_equal(jr_vm_contact_journey(vm, contact, 0, &where, NULL), JR_OK);
    jr_vm_free(vm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arguments_of_programs),
        cmocka_unit_test(test_arguments_of_readers),
        cmocka_unit_test(test_arguments_of_vms),
        cmocka_unit_test(test_arguments_of_queries),
        cmocka_unit_test(test_names_contacts_and_next_timer),
        cmocka_unit_test(test_round_trip_mid_wait),
        cmocka_unit_test(test_round_trip_at_every_event),
        cmocka_unit_test(test_round_trip_every_example),
        cmocka_unit_test(test_refuses_another_program),
        cmocka_unit_test(test_refuses_every_truncation),
        cmocka_unit_test(test_refuses_every_flipped_byte),
        cmocka_unit_test(test_refuses_broken_states),
        cmocka_unit_test(test_refuses_broken_contacts),
        cmocka_unit_test(test_refuses_broken_tables),
        cmocka_unit_test(test_refuses_broken_bytes),
        cmocka_unit_test(test_limit_of_an_empty_vm),
        cmocka_unit_test(test_limit_refuses_whole_events),
        cmocka_unit_test(test_limit_refuses_timers),
        cmocka_unit_test(test_on_error_hears_every_error),
        cmocka_unit_test(test_failing_allocator),
    };
    return cmocka_run_group_tests_name("api", tests, load_examples, free_examples);
}
