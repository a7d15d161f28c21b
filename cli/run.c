/* run.c: `journey run`, a program live (spec/run.md). One loop owns the VM and the
 * state database: it takes events from a followed file and from the HTTP threads,
 * fires timers on the wall clock, and commits each batch (journal, actions, input
 * position) in one transaction before anyone is told: HTTP requests are answered
 * after the commit, and the delivery thread only sees committed actions. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration_option.h"
#include "ingest_queue.h"
#include "journey.h"
#include "usage.h"
#include "native_options.h"
#include "run.h"
#include "run_clock.h"
#include "run_deliver.h"
#include "run_engine.h"
#include "run_http.h"
#include "run_input.h"
#include "run_state.h"

enum { EXIT_CLEAN = 0, EXIT_FAILED = 1, EXIT_INTERNAL = 70 };

enum {
    DEFAULT_BATCH = 1000,
    IDLE_POLL_MS = 200,               /* how often a followed file is looked at when idle */
    CHECKPOINT_AFTER_ENTRIES = 100000 /* plus one per contact: a checkpoint then, whatever the time */
};

static const char run_usage[] =
    "Usage: journey run PROGRAM.jbc --state STATE.db [OPTIONS]\n"
    "\n"
    "Runs PROGRAM live: events come from a file followed as it grows, from standard\n"
    "input, or over HTTP (Segment's tracking API); timers fire on the wall clock; the\n"
    "state lives in STATE.db (SQLite), so a restart, even after a crash, goes on where\n"
    "the last committed batch stopped without losing or repeating work. Actions go to\n"
    "a sink, each under its idempotency key, at least once. spec/run.md tells it all.\n"
    "\n"
    "Input:\n"
    "  --events FILE|-        read events (Segment JSON Lines, as journey sim) from FILE,\n"
    "                         following it as it grows and across rotation, or from\n"
    "                         standard input; a file's position is kept in STATE.db\n"
    "  --listen ADDR:PORT     serve POST /v1/track, /v1/identify, /v1/page, /v1/batch\n"
    "                         (127.0.0.1:8088, [::1]:8088; port 0 picks one); a request\n"
    "                         is answered 200 only once its events are committed\n"
    "  --write-key KEY        require HTTP Basic auth with KEY as user (Segment's write key)\n"
    "\n"
    "Output:\n"
    "  --actions TARGET       where actions go: - (standard output, the default), a file\n"
    "                         (JSON Lines, appended, synced), or an http(s):// webhook\n"
    "                         (one POST per action, with an Idempotency-Key header)\n"
    "  --header 'NAME: VALUE' an extra header for the webhook (repeat for more)\n"
    "  --dead-letter FILE     where actions that keep failing go (default STATE.db with\n"
    "                         .dead-letters.jsonl added)\n"
    "  --max-attempts N       delivery attempts before an action is dead (default 8;\n"
    "                         retries wait 1 s, 2 s, 4 s ... at most 5 minutes)\n"
    "\n"
    "Running:\n"
    "  --once                 stop once the input is read to its end (standard input\n"
    "                         closed, or a file's end): fire the timers due now, deliver\n"
    "                         what is due, exit; without it, run until SIGTERM or SIGINT\n"
    "  --batch N              events per transaction at most (default 1000)\n"
    "  --checkpoint-every D   snapshot the VM into STATE.db this often (default 60s) once\n"
    "                         the journal holds an entry per ten contacts; also after\n"
    "                         100000 entries plus one per contact, and when stopping\n"
    "  --memory-limit BYTES   the most the VM may hold (suffix K, M or G); reaching it\n"
    "                         stops the runner with exit status 1, nothing lost\n"
    "  --allow-native=LIB     let the program's externs of LIB run (as in journey sim)\n"
    "  --native-dir=DIR       open allowed libraries from DIR\n"
    "  --quiet                no messages on standard error but errors\n"
    "\n"
    "SIGTERM and SIGINT stop it gracefully: the batch in progress is committed, a\n"
    "checkpoint taken, and the exit status is 0. Exit status: 0 stopped cleanly, 1 a\n"
    "problem with the input, the program or the state (named on standard error), 64\n"
    "usage, 70 internal failure. Inspect a contact with journey inspect --state STATE.db.\n";

typedef struct run_options {
    const char *program, *state, *events, *listen, *write_key, *actions, *dead_letter;
    const char **headers;
    uint32_t header_count, batch, max_attempts;
    int64_t checkpoint_every;
    size_t memory_limit;
    bool once, quiet;
    native_options natives;
} run_options;

static volatile sig_atomic_t stop_requested;

static void request_stop(int signal_number)
{
    (void)signal_number;
    stop_requested = 1;
}

/* ---- the runner --------------------------------------------------------------------------- */

typedef struct runner {
    const run_options *options;
    jr_program *program;
    run_state *state;
    run_engine engine;
    run_input *input;
    ingest_queue queue;
    bool queue_ready;
    run_http *http;
    run_delivery *delivery;
    bool in_batch;          /* a transaction is open */
    bool input_moved;       /* the input position changed in this batch */
    int64_t last_checkpoint, entries_at_checkpoint;
    uint64_t events, refused, bad_lines;
    char *dead_letter;      /* the default dead-letter path, made from the state's */
    char source[300];
} runner;

static void say(const runner *r, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void say(const runner *r, const char *format, ...)
{
    if (r->options->quiet) return;
    va_list arguments;
    va_start(arguments, format);
    fputs("journey run: ", stderr);
    vfprintf(stderr, format, arguments);
    va_end(arguments);
    fputc('\n', stderr);
}

/* A run-time error of the program (spec/language.md 7): reported as it happens, not
 * again when a restart replays it. */
static void report_runtime_error(void *user, const jr_runtime_error *error)
{
    const runner *r = user;
    if (r->engine.replaying) return;
    char when[25];
    jr_format_timestamp(error->at, when);
    fprintf(stderr, "journey run: %s:%u: run-time error: contact %s at %s%s%s: %s\n", error->file, error->line,
            error->contact_id, when, error->journey ? " in journey " : "", error->journey ? error->journey : "",
            error->message);
}

static bool begin_batch(runner *r)
{
    if (r->in_batch) return true;
    if (!run_state_begin(r->state)) {
        fprintf(stderr, "journey run: %s: %s\n", r->options->state, run_state_error(r->state));
        return false;
    }
    r->in_batch = true;
    return true;
}

/* Applies one event line; false when the runner must stop (the batch is then rolled
 * back by the caller). */
static bool apply_line(runner *r, const char *line, size_t length, const char *source, int *status)
{
    if (!begin_batch(r)) {
        *status = EXIT_FAILED;
        return false;
    }
    engine_result result = run_engine_apply_event(&r->engine, line, length, source);
    switch (result) {
    case ENGINE_APPLIED: r->events++; return true;
    case ENGINE_REFUSED:
        r->refused++;
        fprintf(stderr, "journey run: %s: %s (skipped)\n", source, r->engine.error);
        return true;
    case ENGINE_LIMIT:
        fprintf(stderr,
                "journey run: %s: the memory limit is reached (%s); stopping with nothing lost: raise "
                "--memory-limit and start again\n",
                source, r->engine.error);
        *status = EXIT_FAILED;
        return false;
    case ENGINE_FAILED:
        fprintf(stderr, "journey run: %s: %s\n", source, r->engine.error);
        *status = EXIT_INTERNAL;
        return false;
    }
    return false;
}

/* Reads what the file has now, up to room events. Sets *caught_up when it has no more. */
static bool read_input(runner *r, uint32_t room, uint32_t *taken, bool *caught_up, bool *ended, int *status)
{
    *caught_up = r->input == NULL;
    while (r->input && *taken < room) {
        const char *line;
        size_t length;
        char message[300];
        input_result result = run_input_next(r->input, &line, &length, message, sizeof message);
        if (result == INPUT_WAIT || result == INPUT_END) {
            *caught_up = true;
            *ended = result == INPUT_END;
            return true;
        }
        if (result == INPUT_ERROR) {
            fprintf(stderr, "journey run: %s\n", message);
            *status = EXIT_FAILED;
            return false;
        }
        input_position position = run_input_position(r->input);
        if (result == INPUT_TOO_LONG) {
            r->bad_lines++;
            fprintf(stderr, "journey run: %s:%" PRIu64 ": a line longer than 1 MiB (skipped)\n", r->options->events,
                    position.line);
            if (!begin_batch(r)) return (*status = EXIT_FAILED), false;
        } else {
            snprintf(r->source, sizeof r->source, "%s:%" PRIu64, r->options->events, position.line);
            if (length == 0 || strspn(line, " \t\r") == length) { /* blank lines are nothing */
                if (!begin_batch(r)) return (*status = EXIT_FAILED), false;
            } else if (!apply_line(r, line, length, r->source, status)) {
                return false;
            }
            (*taken)++;
        }
        r->input_moved = run_input_resumable(r->input);
    }
    return true;
}

/* The HTTP requests taken: their events were checked by the HTTP thread. */
static bool apply_requests(runner *r, ingest_request *requests, int *status)
{
    for (ingest_request *request = requests; request; request = request->next) {
        const char *line = request->lines, *end = request->lines + request->length;
        while (line < end) {
            const char *newline = memchr(line, '\n', (size_t)(end - line));
            size_t length = newline ? (size_t)(newline - line) : (size_t)(end - line);
            if (length && !apply_line(r, line, length, "http", status)) return false;
            line += length + 1;
        }
    }
    return true;
}

/* When the input is caught up, the clock follows the wall clock: the timers due by now
 * fire (those that fell due while the runner was down, too, in due order). */
static bool fire_due_timers(runner *r, int64_t now, int *status)
{
    int64_t due;
    if (!jr_vm_next_timer(r->engine.vm, &due) || due > now || now < jr_vm_clock(r->engine.vm)) return true;
    if (!begin_batch(r)) return (*status = EXIT_FAILED), false;
    engine_result result = run_engine_advance(&r->engine, now);
    if (result == ENGINE_APPLIED) return true;
    fprintf(stderr, "journey run: firing timers: %s%s\n", r->engine.error,
            result == ENGINE_LIMIT ? " (the memory limit: raise --memory-limit)" : "");
    *status = result == ENGINE_LIMIT ? EXIT_FAILED : EXIT_INTERNAL;
    return false;
}

/* The delivery thread's outcomes go into the batch: one writer for the database. */
static bool record_deliveries(runner *r, int *status)
{
    if (!r->delivery || !run_delivery_has_report(r->delivery)) return true;
    if (!begin_batch(r)) return (*status = EXIT_FAILED), false;
    if (run_delivery_record(r->delivery, r->state)) return true;
    fprintf(stderr, "journey run: %s: %s\n", r->options->state, run_state_error(r->state));
    *status = EXIT_FAILED;
    return false;
}

static bool commit_batch(runner *r, int *status)
{
    if (!r->in_batch) return true;
    if (r->input_moved) {
        input_position position = run_input_position(r->input);
        if (!run_state_set_input(r->state, r->options->events, &position, run_clock_now_ms())) {
            fprintf(stderr, "journey run: %s: %s\n", r->options->state, run_state_error(r->state));
            *status = EXIT_FAILED;
            return false;
        }
    }
    if (!run_state_commit(r->state)) {
        fprintf(stderr, "journey run: %s: %s\n", r->options->state, run_state_error(r->state));
        *status = EXIT_FAILED;
        return false;
    }
    r->in_batch = r->input_moved = false;
    if (r->delivery) {
        run_delivery_recorded(r->delivery, true);
        run_delivery_notify(r->delivery);
    }
    return true;
}

static bool checkpoint(runner *r, int64_t now, int *status)
{
    if (r->engine.journal_seq == r->engine.checkpoint_seq) return true;
    bool ok = run_state_begin(r->state);
    ok = ok && run_engine_checkpoint(&r->engine, now);
    if (ok) ok = run_state_commit(r->state);
    if (!ok) {
        fprintf(stderr, "journey run: checkpoint: %s\n",
                r->engine.error[0] ? r->engine.error : run_state_error(r->state));
        run_state_rollback(r->state);
        *status = EXIT_FAILED;
        return false;
    }
    r->last_checkpoint = now;
    r->entries_at_checkpoint = r->engine.journal_seq;
    return true;
}

/* A checkpoint writes the whole state, so it waits until the journal since the last one
 * pays for it (spec/run.md 3.3): once --checkpoint-every has passed, a journal of at
 * least one entry per ten contacts; whatever the time, one of 100 000 entries plus one
 * per contact, which bounds what a restart replays. */
static bool journal_long_enough(const runner *r, bool forced)
{
    int64_t entries = r->engine.journal_seq - r->entries_at_checkpoint;
    if (entries <= 0) return false;
    jr_vm_stats stats;
    jr_vm_stats_get(r->engine.vm, &stats);
    if (forced) return entries >= CHECKPOINT_AFTER_ENTRIES + (int64_t)stats.contacts;
    return entries >= (int64_t)(stats.contacts / 10);
}

static bool checkpoint_due(const runner *r, int64_t now)
{
    return journal_long_enough(r, true) ||
           (now - r->last_checkpoint >= r->options->checkpoint_every && journal_long_enough(r, false));
}

/* How long the loop may sleep: until the next timer, a look at the file, a checkpoint. */
static int idle_wait_ms(const runner *r, int64_t now)
{
    int64_t wait = r->input || r->options->once ? IDLE_POLL_MS : 1000;
    int64_t due;
    if (jr_vm_next_timer(r->engine.vm, &due) && due - now < wait) wait = due - now;
    if (journal_long_enough(r, false) && r->last_checkpoint + r->options->checkpoint_every - now < wait)
        wait = r->last_checkpoint + r->options->checkpoint_every - now;
    return wait < 0 ? 0 : (int)wait;
}

/* The loop: returns an exit status. */
static int run_loop(runner *r)
{
    int status = EXIT_CLEAN, wait_ms = 0;
    bool input_ended = false;
    while (!stop_requested) {
        if (r->delivery && run_delivery_failed(r->delivery)) break; /* reported when it stops */
        ingest_request *requests =
            ingest_queue_take(&r->queue, r->options->batch, wait_ms);
        if (stop_requested && !requests) break;
        uint32_t taken = 0;
        for (ingest_request *request = requests; request; request = request->next) taken += request->event_count;
        bool caught_up = false;
        bool ok = read_input(r, taken < r->options->batch ? r->options->batch - taken : 0, &taken, &caught_up,
                             &input_ended, &status);
        ok = ok && apply_requests(r, requests, &status);
        int64_t now = run_clock_now_ms();
        if (ok && caught_up) ok = fire_due_timers(r, now, &status);
        bool worked = r->in_batch;
        ok = ok && record_deliveries(r, &status) && commit_batch(r, &status);
        if (!ok) {
            run_state_rollback(r->state);
            r->in_batch = false;
            if (r->delivery) run_delivery_recorded(r->delivery, false);
            ingest_queue_answer(&r->queue, requests, 503, "the runner stopped on an error");
            return status;
        }
        ingest_queue_answer(&r->queue, requests, 200, NULL);
        if (checkpoint_due(r, now) && !checkpoint(r, now, &status)) return status;
        /* --once ends at the end of the input: a file read to its end, or standard
         * input closed (a pipe with nothing in it yet is not its end). */
        bool at_end = !r->input || (run_input_resumable(r->input) ? caught_up : input_ended);
        if (r->options->once && at_end && !worked) break;
        wait_ms = worked || !caught_up ? 0 : idle_wait_ms(r, now);
    }
    return status;
}

/* ---- setting up --------------------------------------------------------------------------- */

static bool read_file(const char *path, void **bytes, size_t *length, char *message, size_t size)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(message, size, "%s: %s", path, strerror(errno));
        return false;
    }
    char *data = NULL;
    size_t used = 0, capacity = 0;
    for (;;) {
        if (used == capacity) {
            capacity = capacity ? capacity * 2 : 1 << 16;
            char *grown = realloc(data, capacity);
            if (!grown) {
                free(data);
                fclose(file);
                snprintf(message, size, "out of memory");
                return false;
            }
            data = grown;
        }
        size_t count = fread(data + used, 1, capacity - used, file);
        used += count;
        if (count == 0) break;
    }
    bool failed = ferror(file);
    fclose(file);
    if (failed) {
        free(data);
        snprintf(message, size, "%s: read error", path);
        return false;
    }
    *bytes = data;
    *length = used;
    return true;
}

/* Loads the program, opens the state (checking it belongs to this program) and the VM.
 * Returns an exit status. */
static int open_runner(runner *r, const run_options *options)
{
    char message[512];
    void *bytecode = NULL;
    size_t length = 0;
    if (!read_file(options->program, &bytecode, &length, message, sizeof message)) {
        fprintf(stderr, "journey run: %s\n", message);
        return EXIT_FAILED;
    }
    jr_load_options load = native_load_options(&options->natives);
    jr_error error = { 0 };
    if (jr_program_load(bytecode, length, &load, &r->program, &error) != JR_OK) {
        fprintf(stderr, "journey run: %s: %s\n", options->program, error.message);
        free(bytecode);
        return error.status == JR_ERROR_MEMORY ? EXIT_INTERNAL : EXIT_FAILED;
    }
    r->state = run_state_open(options->state, true, message, sizeof message);
    if (!r->state) {
        fprintf(stderr, "journey run: %s: %s\n", options->state, message);
        free(bytecode);
        return EXIT_FAILED;
    }
    bool same = false;
    bool bound = run_state_bind_program(r->state, bytecode, length, options->program, &same);
    free(bytecode);
    if (!bound || !same) {
        if (!bound) fprintf(stderr, "journey run: %s: %s\n", options->state, run_state_error(r->state));
        else
            fprintf(stderr,
                    "journey run: %s holds the state of another program than %s (the bytecode differs); a state "
                    "belongs to the exact program that made it: start a new state file for this one\n",
                    options->state, options->program);
        return EXIT_FAILED;
    }
    jr_config config = { .memory_limit = options->memory_limit, .on_error = report_runtime_error, .error_user = r };
    if (!run_engine_open(&r->engine, r->program, &config, r->state, NULL)) {
        fprintf(stderr, "journey run: %s: %s\n", options->state, r->engine.error);
        return EXIT_FAILED;
    }
    r->last_checkpoint = run_clock_now_ms();
    r->entries_at_checkpoint = r->engine.checkpoint_seq;
    char clock[25];
    jr_format_timestamp(jr_vm_clock(r->engine.vm), clock);
    if (r->engine.checkpoint_seq == 0 && r->engine.replayed == 0)
        say(r, "%s with a new state %s", options->program, options->state);
    else
        say(r, "%s with state %s: %" PRIu64 " journal entr%s replayed after the checkpoint; the clock is at %s",
            options->program, options->state, r->engine.replayed, r->engine.replayed == 1 ? "y" : "ies", clock);
    return EXIT_CLEAN;
}

static int open_input(runner *r, const run_options *options)
{
    if (!options->events) return EXIT_CLEAN;
    input_position resume;
    bool found = false;
    if (strcmp(options->events, "-") != 0 && !run_state_input(r->state, options->events, &resume, &found)) {
        fprintf(stderr, "journey run: %s: %s\n", options->state, run_state_error(r->state));
        return EXIT_FAILED;
    }
    const char *restarted = NULL;
    char message[300];
    r->input = run_input_open(options->events, found ? &resume : NULL, &restarted, message, sizeof message);
    if (!r->input) {
        fprintf(stderr, "journey run: %s\n", message);
        return EXIT_FAILED;
    }
    if (restarted) say(r, "%s: %s", options->events, restarted);
    else if (found) say(r, "%s: going on from line %" PRIu64, options->events, resume.line + 1);
    return EXIT_CLEAN;
}

static void wake_loop(void *queue) { ingest_queue_wake(queue); }

static int open_outside(runner *r, const run_options *options)
{
    char message[512];
    if (!options->dead_letter) {
        size_t size = strlen(options->state) + sizeof ".dead-letters.jsonl";
        r->dead_letter = malloc(size);
        if (!r->dead_letter) return EXIT_INTERNAL;
        snprintf(r->dead_letter, size, "%s.dead-letters.jsonl", options->state);
    }
    run_delivery_options delivery = {
        .state_path = options->state,
        .target = options->actions ? options->actions : "-",
        .sink = { .headers = options->headers, .header_count = options->header_count },
        .dead_letter_path = options->dead_letter ? options->dead_letter : r->dead_letter,
        .max_attempts = options->max_attempts,
    };
    r->delivery = run_delivery_start(&delivery, wake_loop, &r->queue, message, sizeof message);
    if (!r->delivery) {
        fprintf(stderr, "journey run: actions: %s\n", message);
        return EXIT_FAILED;
    }
    if (options->listen) {
        run_http_options http = {
            .listen = options->listen,
            .schema = jr_program_schema(r->program),
            .queue = &r->queue,
            .write_key = options->write_key,
        };
        if (!run_http_start(&http, &r->http, message, sizeof message)) {
            fprintf(stderr, "journey run: --listen %s: %s\n", options->listen, message);
            return EXIT_FAILED;
        }
        say(r, "listening on %s (port %u)", options->listen, (unsigned)run_http_port(r->http));
    }
    return EXIT_CLEAN;
}

static int close_runner(runner *r, int status)
{
    if (r->queue_ready) ingest_queue_close(&r->queue);
    if (r->http) run_http_stop(r->http);
    if (status == EXIT_CLEAN && r->engine.vm) checkpoint(r, run_clock_now_ms(), &status);
    if (r->delivery) {
        char message[512];
        delivery_counts counts = { 0 };
        bool drain = status == EXIT_CLEAN && r->options->once;
        if (!run_delivery_stop(r->delivery, drain, r->state, &counts, message, sizeof message)) {
            fprintf(stderr, "journey run: delivering actions: %s\n", message);
            if (status == EXIT_CLEAN) status = EXIT_FAILED;
        }
        say(r, "%" PRIu64 " events read, %" PRIu64 " refused; %" PRIu64 " actions made; delivered %" PRIu64
               ", retried %" PRIu64 ", dead %" PRIu64,
            r->events, r->refused + r->bad_lines, r->engine.actions_made, counts.delivered, counts.retried,
            counts.dead);
        int64_t undelivered = 0, due = 0;
        if (run_state_undelivered(r->state, run_clock_now_ms(), &undelivered, &due) && undelivered > 0)
            say(r, "%" PRId64 " action%s not delivered yet (%" PRId64 " due, the rest wait for their time): the "
                   "next run delivers them",
                undelivered, undelivered == 1 ? " is" : "s are", due);
    }
    run_input_close(r->input);
    if (r->engine.vm) run_engine_close(&r->engine);
    run_state_close(r->state);
    jr_program_free(r->program);
    if (r->queue_ready) ingest_queue_destroy(&r->queue);
    free(r->dead_letter);
    return status;
}

static int start(const run_options *options)
{
    runner r = { .options = options };
    if (!ingest_queue_init(&r.queue)) return EXIT_INTERNAL;
    r.queue_ready = true;
    struct sigaction stop = { .sa_handler = request_stop };
    sigemptyset(&stop.sa_mask);
    sigaction(SIGTERM, &stop, NULL);
    sigaction(SIGINT, &stop, NULL);
    signal(SIGPIPE, SIG_IGN); /* a closed stdout or socket is an error to report, not a death */

    int status = open_runner(&r, options);
    if (status == EXIT_CLEAN) status = open_input(&r, options);
    if (status == EXIT_CLEAN) status = open_outside(&r, options);
    if (status == EXIT_CLEAN) status = run_loop(&r);
    return close_runner(&r, status);
}

/* ---- options ------------------------------------------------------------------------------- */

static bool parse_count(const char *text, uint32_t *value)
{
    char *end;
    errno = 0;
    unsigned long number = strtoul(text, &end, 10);
    if (errno || end == text || *end || number == 0 || number > 1000000) return false;
    *value = (uint32_t)number;
    return true;
}

static bool parse_bytes(const char *text, size_t *value)
{
    char *end;
    errno = 0;
    unsigned long long number = strtoull(text, &end, 10);
    if (errno || end == text || number == 0) return false;
    unsigned long long unit = 1;
    if (*end == 'K' || *end == 'k') unit = 1ull << 10;
    else if (*end == 'M') unit = 1ull << 20;
    else if (*end == 'G') unit = 1ull << 30;
    if (unit != 1) end++;
    if (*end || number > SIZE_MAX / unit) return false;
    *value = (size_t)(number * unit);
    return true;
}

/* "--name VALUE" or "--name=VALUE": the value, advancing *i for the first form. */
static const char *option_value(const char *name, int argc, char **argv, int *i, bool *missing)
{
    size_t length = strlen(name);
    const char *argument = argv[*i];
    if (strncmp(argument, name, length) != 0) return NULL;
    if (argument[length] == '=') return argument + length + 1;
    if (argument[length] != '\0') return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

int journey_run_command(int argc, char **argv)
{
    run_options options = { .batch = DEFAULT_BATCH, .checkpoint_every = 60000 };
    options.headers = calloc((size_t)argc, sizeof *options.headers);
    if (!options.headers || !native_options_init(&options.natives, argc)) {
        free(options.headers);
        return EXIT_INTERNAL;
    }
    int status = -1;
    for (int i = 1; i < argc && status < 0; i++) {
        const char *argument = argv[i], *value;
        bool missing = false;
        native_option_result native = native_option_parse(&options.natives, argc, argv, &i);
        if (native == NATIVE_OPTION_TAKEN) continue;
        if (native == NATIVE_OPTION_NO_VALUE) {
            status = usage_error("journey run", "option '%s' needs a value", argument);
        } else if (strcmp(argument, "-h") == 0 || strcmp(argument, "--help") == 0) {
            fputs(run_usage, stdout);
            status = EXIT_CLEAN;
        } else if ((value = option_value("--state", argc, argv, &i, &missing))) {
            options.state = value;
        } else if ((value = option_value("--events", argc, argv, &i, &missing))) {
            options.events = value;
        } else if ((value = option_value("--listen", argc, argv, &i, &missing))) {
            options.listen = value;
        } else if ((value = option_value("--write-key", argc, argv, &i, &missing))) {
            options.write_key = value;
        } else if ((value = option_value("--actions", argc, argv, &i, &missing))) {
            options.actions = value;
        } else if ((value = option_value("--header", argc, argv, &i, &missing))) {
            if (!strchr(value, ':')) status = usage_error("journey run", "--header takes 'NAME: VALUE', not '%s'", value);
            options.headers[options.header_count++] = value;
        } else if ((value = option_value("--dead-letter", argc, argv, &i, &missing))) {
            options.dead_letter = value;
        } else if ((value = option_value("--max-attempts", argc, argv, &i, &missing))) {
            if (!parse_count(value, &options.max_attempts))
                status = usage_error("journey run", "--max-attempts takes a number from 1 to 1000000, not '%s'", value);
        } else if ((value = option_value("--batch", argc, argv, &i, &missing))) {
            if (!parse_count(value, &options.batch))
                status = usage_error("journey run", "--batch takes a number from 1 to 1000000, not '%s'", value);
        } else if ((value = option_value("--checkpoint-every", argc, argv, &i, &missing))) {
            if (!duration_option_parse(value, &options.checkpoint_every) || options.checkpoint_every == 0)
                status = usage_error("journey run", "--checkpoint-every takes a duration (30s, 5m, 1h), not '%s'", value);
        } else if ((value = option_value("--memory-limit", argc, argv, &i, &missing))) {
            if (!parse_bytes(value, &options.memory_limit))
                status = usage_error("journey run", "--memory-limit takes bytes (as 512M or 2G), not '%s'", value);
        } else if (missing) {
            status = usage_error("journey run", "option '%s' needs a value", argument);
        } else if (strcmp(argument, "--once") == 0) {
            options.once = true;
        } else if (strcmp(argument, "--quiet") == 0 || strcmp(argument, "-q") == 0) {
            options.quiet = true;
        } else if (argument[0] == '-' && argument[1] != '\0') {
            status = usage_error("journey run", "unknown option '%s'", argument);
        } else if (!options.program) {
            options.program = argument;
        } else {
            status = usage_error("journey run", "one program only: '%s' is one too many", argument);
        }
    }
    if (status < 0) {
        if (!options.program) status = usage_error("journey run", "no program given");
        else if (!options.state) status = usage_error("journey run", "no state database given (--state STATE.db)");
        else if (options.once && options.listen)
            status = usage_error("journey run", "--once stops at the end of the input, which HTTP does not have");
        else status = start(&options);
    }
    free(options.headers);
    native_options_free(&options.natives);
    return status;
}
