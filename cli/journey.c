/* journey.c: the `journey` command: simulate a program against event logs.
 * It uses the compiler's library (to accept .journey files) and libjourney through
 * its public header only. The only part of the runtime that prints or exits. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compile_file.h"
#include "event_merge.h"
#include "json_out.h"
#include "journey.h"
#include "journey_test.h"
#include "native_options.h"
#include "pack.h"
#include "report.h"

#ifndef JOURNEY_VERSION
#define JOURNEY_VERSION "0.0.0-dev"
#endif

enum { EXIT_CLEAN = 0, EXIT_FAILED = 1, EXIT_USAGE = 64, EXIT_INTERNAL = 70 };

static const char usage_text[] =
    "Usage: journey COMMAND [OPTIONS] ...\n"
    "\n"
    "Runs journeys: programs of the journey language compiled by journeyc.\n"
    "\n"
    "Commands:\n"
    "  sim PROGRAM EVENTS...   simulate PROGRAM (.jbc, or .journey compiled in memory)\n"
    "                          against event logs on a virtual clock: print the actions\n"
    "                          it would have taken, and a summary on stderr\n"
    "  test FILE|DIR...        run the scenario tests (`test` blocks) of journey files;\n"
    "                          `journey test --help` tells more\n"
    "  pack PROGRAM EVENTS...  pack logs into one binary file (-o FILE.jev) for sim\n"
    "\n"
    "Options of sim:\n"
    "  -o FILE                 write actions (JSON Lines) to FILE instead of stdout\n"
    "  --report FILE           write the simulation report to FILE, as JSON (.json),\n"
    "                          HTML with charts (.html) or text (.txt): per journey and\n"
    "                          step, sends, split arms, holdout lift, revenue and\n"
    "                          attribution (spec/report.md)\n"
    "  --until TIME            after the last event, fire the timers due up to TIME: an\n"
    "                          ISO-8601 instant (2026-03-01T00:00:00Z) or +DURATION after\n"
    "                          the last event (+30d); default: stop at the last event\n"
    "  --on-bad-event=WHAT     stop (default) at the first malformed line with exit 1,\n"
    "                          or skip malformed lines, counting and reporting them\n"
    "  --quiet                 no summary and no progress on stderr (progress shows only\n"
    "                          when stderr is a terminal)\n"
    "  -I DIR                  search DIR for imports when PROGRAM is a .journey file\n"
    "  --allow-native=LIB      let the program's `extern \"LIB\" fn ...` functions run:\n"
    "                          LIB is opened with dlopen and its functions called as\n"
    "                          native code (repeat for each library); a program that\n"
    "                          declares an extern of a library not allowed does not load\n"
    "  --native-dir=DIR        open allowed libraries from DIR (default: the system's\n"
    "                          library path and LD_LIBRARY_PATH)\n"
    "  -h, --help              show this help;  --version  show the version\n"
    "\n"
    "Event logs are JSON Lines in the Segment Spec shape (track, identify, page) or CSV\n"
    "with a header row, optionally gzip-compressed, or packed .jev files (journey pack);\n"
    "several logs are merged by time.\n"
    "\n"
    "Exit status: 0 done; 1 a log could not be read or a line was malformed (with\n"
    "--on-bad-event=stop), or the program did not compile or load; 64 usage; 70 internal.\n"
    "\n"
    "Examples:\n"
    "  journey sim examples/onboarding.journey examples/onboarding.events.jsonl --until +30d\n"
    "  journey sim examples/native/win_back_native.journey \\\n"
    "      examples/native/win_back_native.events.jsonl \\\n"
    "      --allow-native=libchurn.so --native-dir=build/examples/native --until +100d\n";

static int usage_error(const char *format, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    fputs("journey: ", stderr);
    vfprintf(stderr, format, arguments);
    va_end(arguments);
    fputs("\nTry 'journey --help' for more information.\n", stderr);
    return EXIT_USAGE;
}

typedef struct sim_options {
    const char *program;
    const char **logs;
    int log_count;
    const char *output;
    const char *report;
    const char *until;
    bool skip_bad;
    bool quiet;
    const char **include_dirs;
    int include_dir_count;
    native_options natives;
} sim_options;

/* ---- loading the program ----------------------------------------------------------- */

static bool ends_with(const char *text, const char *suffix)
{
    size_t length = strlen(text), suffix_length = strlen(suffix);
    return length >= suffix_length && strcmp(text + length - suffix_length, suffix) == 0;
}

/* ---- actions as JSON Lines ----------------------------------------------------------- */

static void write_field(FILE *out, const char *name, const char *value)
{
    if (!value) return;
    fprintf(out, ",\"%s\":", name);
    json_out_string(out, value);
}

/* Where actions go: the actions file, and the report's sends per day. */
typedef struct action_sink {
    FILE *out;
    report_days *days; /* NULL without --report */
    bool out_of_memory;
} action_sink;

static void write_action(FILE *out, const jr_action *action)
{
    static const char *const kinds[] = { "send", "set", "audience", "emit", "track" };
    static const char *const outcomes[] = { "sent", "deferred", "suppressed" };
    char at[25];
    jr_format_timestamp(action->at, at);
    fprintf(out, "{\"type\":\"%s\",\"key\":", kinds[action->kind]);
    json_out_string(out, action->key);
    fprintf(out, ",\"at\":\"%s\"", at);
    write_field(out, "contact", action->contact_id);
    write_field(out, "journey", action->journey);
    write_field(out, "step", action->step);
    switch (action->kind) {
    case JR_ACTION_SEND:
        write_field(out, "message", action->message);
        write_field(out, "template", action->template_name);
        write_field(out, "channel", action->channel);
        fprintf(out, ",\"outcome\":\"%s\"", outcomes[action->outcome]);
        write_field(out, "reason", action->reason);
        break;
    case JR_ACTION_SET: write_field(out, "attribute", action->name); break;
    case JR_ACTION_AUDIENCE:
        write_field(out, "audience", action->name);
        fprintf(out, ",\"change\":\"%s\"", action->add ? "add" : "remove");
        break;
    case JR_ACTION_EMIT: write_field(out, "name", action->name); break;
    case JR_ACTION_TRACK: write_field(out, "event", action->name); break;
    }
    fprintf(out, ",\"payload\":%s}\n", action->payload_json);
}

static void take_action(void *user, const jr_action *action)
{
    action_sink *sink = user;
    write_action(sink->out, action);
    if (sink->days && !report_days_add(sink->days, action)) sink->out_of_memory = true;
}

/* ---- the simulation ---------------------------------------------------------------------- */

/* ---- progress on a terminal ------------------------------------------------------------ */

typedef struct progress {
    bool shown;
    double started, last;
    uint64_t events;
} progress;

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* At most four lines a second: events read, the rate, and for logs of known size how
 * far along and how long to go. */
static void progress_update(progress *p, const event_merge *merge, bool final)
{
    double now = seconds_now();
    if (!final && now - p->last < 0.25) return;
    p->last = now;
    uint64_t position, size;
    bool sized = event_merge_progress(merge, &position, &size);
    double elapsed = now - p->started, rate = elapsed > 0 ? (double)p->events / elapsed : 0;
    fprintf(stderr, "\r\033[K%.1fM events, %.2fM/s", (double)p->events / 1e6, rate / 1e6);
    if (sized && size > 0 && position <= size) {
        double done = (double)position / (double)size;
        fprintf(stderr, ", %.0f%%", 100 * done);
        if (done > 0.01 && !final) {
            double left = elapsed / done - elapsed;
            fprintf(stderr, ", %d:%02d left", (int)(left / 60), (int)left % 60);
        }
    }
    p->shown = true;
}

static void progress_clear(progress *p)
{
    if (p->shown) fputs("\r\033[K", stderr);
}

static bool parse_duration(const char *text, int64_t *ms)
{
    int64_t total = 0;
    const char *p = text;
    if (!*p) return false;
    while (*p) {
        char *end;
        long long amount = strtoll(p, &end, 10);
        if (end == p || amount < 0) return false;
        int64_t unit;
        switch (*end) {
        case 's': unit = 1000; break;
        case 'm': unit = 60000; break;
        case 'h': unit = 3600000; break;
        case 'd': unit = 86400000; break;
        case 'w': unit = 604800000; break;
        default: return false;
        }
        if (amount > INT64_MAX / unit / 2) return false;
        total += amount * unit;
        p = end + 1;
    }
    *ms = total;
    return true;
}

static void print_summary(const jr_vm *vm, uint64_t bad_lines, FILE *out)
{
    jr_vm_stats stats;
    jr_vm_stats_get(vm, &stats);
    char clock[25];
    jr_format_timestamp(jr_vm_clock(vm), clock);
    fprintf(out, "simulated to %s: %" PRIu64 " events, %" PRIu64 " contacts, %" PRIu64 " actions\n", clock,
            stats.events, stats.contacts, stats.actions);
    if (bad_lines || stats.duplicates || stats.undeclared || stats.out_of_order || stats.type_mismatches)
        fprintf(out,
                "input: %" PRIu64 " bad lines, %" PRIu64 " duplicate messageIds dropped, %" PRIu64
                " undeclared events skipped, %" PRIu64 " out of order, %" PRIu64 " values of the wrong type\n",
                bad_lines, stats.duplicates, stats.undeclared, stats.out_of_order, stats.type_mismatches);
    for (uint32_t j = 0; j < jr_vm_journey_count(vm); j++) {
        jr_journey_stats journey;
        jr_vm_journey_stats(vm, j, &journey);
        fprintf(out,
                "journey %s: %" PRIu64 " entered (%" PRIu64 " holdout), %" PRIu64 " active, %" PRIu64
                " completed, %" PRIu64 " exited, %" PRIu64 " errors; goals %" PRIu64 " treated (value %.2f), %" PRIu64
                " holdout (value %.2f)\n",
                journey.name, journey.entered, journey.holdout, journey.active, journey.completed, journey.exited,
                journey.errors, journey.goals_treated, journey.goal_value_treated, journey.goals_holdout,
                journey.goal_value_holdout);
    }
    for (uint32_t m = 0; m < jr_vm_message_count(vm); m++) {
        jr_message_stats message;
        jr_vm_message_stats(vm, m, &message);
        if (!message.sent && !message.deferred && !message.suppressed_by_limit && !message.suppressed_by_quiet_hours)
            continue;
        fprintf(out, "message %s (%s): %" PRIu64 " sent, %" PRIu64 " deferred, %" PRIu64 " suppressed by limits, %" PRIu64
                     " by quiet hours\n",
                message.name, message.channel, message.sent, message.deferred, message.suppressed_by_limit,
                message.suppressed_by_quiet_hours);
    }
    if (stats.runtime_errors) {
        fprintf(out, "%" PRIu64 " run-time errors", stats.runtime_errors);
        uint32_t shown = jr_vm_error_count(vm) < 10 ? jr_vm_error_count(vm) : 10;
        fprintf(out, "%s\n", shown ? "; the first:" : "");
        for (uint32_t i = 0; i < shown; i++) {
            jr_runtime_error error;
            jr_vm_error(vm, i, &error);
            char at[25];
            jr_format_timestamp(error.at, at);
            fprintf(out, "  %s:%u: contact %s at %s%s%s: %s\n", error.file ? error.file : "?", error.line,
                    error.contact_id, at, error.journey ? " in journey " : "", error.journey ? error.journey : "",
                    error.message);
        }
    }
}

static int run_sim(const sim_options *options)
{
    if (!options->program || options->log_count == 0) return usage_error("sim needs a PROGRAM and at least one EVENTS log");
    jr_program *program = NULL;
    jr_load_options load_options = native_load_options(&options->natives);
    int status = load_program_file(options->program, options->include_dirs, (uint32_t)options->include_dir_count,
                                   &load_options, "journey", &program);
    if (status != EXIT_CLEAN) return status;

    bool relative_until = false;
    int64_t until = 0;
    if (options->until) {
        if (options->until[0] == '+') {
            relative_until = true;
            if (!parse_duration(options->until + 1, &until)) {
                jr_program_free(program);
                return usage_error("--until takes an ISO-8601 time or +DURATION (as +30d), not '%s'", options->until);
            }
        } else if (!jr_parse_timestamp(options->until, strlen(options->until), &until)) {
            jr_program_free(program);
            return usage_error("--until takes an ISO-8601 time or +DURATION (as +30d), not '%s'", options->until);
        }
    }

    FILE *out = stdout;
    if (options->output && !(out = fopen(options->output, "w"))) {
        fprintf(stderr, "journey: cannot write '%s': %s\n", options->output, strerror(errno));
        jr_program_free(program);
        return EXIT_FAILED;
    }
    /* The report's writer, picked by the extension, before anything runs. */
    bool (*write_report)(const report *, FILE *) = NULL;
    if (options->report) {
        if (ends_with(options->report, ".json")) write_report = report_write_json;
        else if (ends_with(options->report, ".html")) write_report = report_write_html;
        else if (ends_with(options->report, ".txt")) write_report = report_write_text;
        else {
            if (out != stdout) fclose(out);
            jr_program_free(program);
            return usage_error("--report FILE must end in .json, .html or .txt, not '%s'", options->report);
        }
    }
    action_sink sink = { out, options->report ? report_days_new() : NULL, false };
    if (options->report && !sink.days) {
        if (out != stdout) fclose(out);
        jr_program_free(program);
        return EXIT_INTERNAL;
    }
    jr_config config = { .on_action = take_action, .action_user = &sink, .attribution = options->report != NULL };
    jr_vm *vm = NULL;
    jr_error error;
    if (jr_vm_new(program, &config, &vm, &error) != JR_OK) {
        fprintf(stderr, "journey: %s\n", error.message);
        report_days_free(sink.days);
        jr_program_free(program);
        return EXIT_INTERNAL;
    }

    /* The logs merged by time (ties to the log named first), as journey pack reads them. */
    event_merge *merge = event_merge_new(jr_program_schema(program), options->logs, (uint32_t)options->log_count);
    uint64_t bad_lines = 0;
    bool stopped = merge == NULL;
    int64_t first_event = INT64_MIN, last_event = INT64_MIN;
    progress meter = { false, seconds_now(), 0, 0 };
    bool show_progress = !options->quiet && isatty(fileno(stderr));
    while (!stopped) {
        const jr_event *event;
        const char *path;
        jr_read_error problem;
        event_merge_status next = event_merge_next(merge, &event, &path, &problem);
        if (next == MERGE_END) break;
        if (next == MERGE_BAD_LINE) {
            bad_lines++;
            fprintf(stderr, "%s:%" PRIu64 ": error: %s\n", path, problem.line, problem.message);
            if (!options->skip_bad) stopped = true;
            continue;
        }
        if (next == MERGE_FAILED) {
            fprintf(stderr, "journey: %s: %s\n", path ? path : "?", problem.message);
            stopped = true;
            continue;
        }
        if (event->timestamp > last_event) last_event = event->timestamp;
        if (first_event == INT64_MIN) first_event = event->timestamp;
        if (show_progress && (++meter.events & 4095) == 0) progress_update(&meter, merge, false);
        if (jr_vm_post(vm, event, &error) != JR_OK) {
            fprintf(stderr, "journey: %s:%" PRIu64 ": %s\n", path, event->line, error.message);
            stopped = true;
            status = error.status == JR_ERROR_MEMORY ? EXIT_INTERNAL : EXIT_FAILED;
        }
    }
    if (stopped && status == EXIT_CLEAN) status = EXIT_FAILED;
    /* The horizon: --until, else the last event's time, so that timers due at that very
     * instant (made while it was applied) still fire (spec/language.md 6.2). */
    int64_t horizon = INT64_MIN;
    if (status == EXIT_CLEAN && (options->until || last_event != INT64_MIN)) {
        horizon = !options->until ? last_event
                  : relative_until ? (last_event == INT64_MIN ? jr_vm_clock(vm) : last_event) + until
                                   : until;
        if (jr_vm_advance(vm, horizon, &error) != JR_OK) {
            fprintf(stderr, "journey: %s\n", error.message);
            status = EXIT_INTERNAL;
        }
    }
    if (show_progress && meter.shown) progress_clear(&meter);
    if (sink.out_of_memory) {
        fputs("journey: out of memory counting sends for the report\n", stderr);
        status = EXIT_INTERNAL;
    }
    if (write_report && status == EXIT_CLEAN) {
        report *model = report_build(vm, sink.days, options->program, options->logs, (uint32_t)options->log_count,
                                     first_event, last_event, horizon, bad_lines, true);
        FILE *report_file = model ? fopen(options->report, "w") : NULL;
        if (!model) {
            fputs("journey: out of memory building the report\n", stderr);
            status = EXIT_INTERNAL;
        } else if (!report_file) {
            fprintf(stderr, "journey: cannot write '%s': %s\n", options->report, strerror(errno));
            status = EXIT_FAILED;
        } else {
            bool written = write_report(model, report_file);
            if (fclose(report_file) != 0 || !written) {
                fprintf(stderr, "journey: cannot write '%s': %s\n", options->report, strerror(errno));
                status = EXIT_FAILED;
            }
        }
        report_free(model);
    }
    if (fflush(out) != 0 || ferror(out)) {
        fprintf(stderr, "journey: cannot write actions: %s\n", strerror(errno));
        status = EXIT_FAILED;
    }
    if (!options->quiet) print_summary(vm, bad_lines, stderr);
    event_merge_free(merge);
    if (out != stdout) fclose(out);
    report_days_free(sink.days);
    jr_vm_free(vm);
    jr_program_free(program);
    return status;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "pack") == 0) /* options of its own: `journey pack --help` */
        return journey_pack_command(argc - 1, argv + 1);
    sim_options options = { 0 };
    options.logs = calloc((size_t)argc, sizeof *options.logs);
    options.include_dirs = calloc((size_t)argc, sizeof *options.include_dirs);
    if (!options.logs || !options.include_dirs || !native_options_init(&options.natives, argc)) {
        free(options.logs);
        free(options.include_dirs);
        return EXIT_INTERNAL;
    }
    /* `journey test` has options of its own. */
    if (argc >= 2 && strcmp(argv[1], "test") == 0) {
        free(options.logs);
        free(options.include_dirs);
        native_options_free(&options.natives);
        return journey_test_command(argc - 1, argv + 1);
    }
    const char *command = NULL;
    int status = -1;
    for (int i = 1; i < argc && status < 0; i++) {
        const char *argument = argv[i];
        native_option_result native = native_option_parse(&options.natives, argc, argv, &i);
        if (native == NATIVE_OPTION_TAKEN) continue;
        if (native == NATIVE_OPTION_NO_VALUE) {
            status = usage_error("option '%s' needs a value", argument);
        } else if (strcmp(argument, "-h") == 0 || strcmp(argument, "--help") == 0) {
            fputs(usage_text, stdout);
            status = EXIT_CLEAN;
        } else if (strcmp(argument, "--version") == 0) {
            printf("journey %s (libjourney %s)\n", JOURNEY_VERSION, JR_VERSION);
            status = EXIT_CLEAN;
        } else if (strcmp(argument, "-o") == 0 || strcmp(argument, "--until") == 0 || strcmp(argument, "-I") == 0 ||
                   strcmp(argument, "--report") == 0) {
            if (i + 1 >= argc) {
                status = usage_error("option '%s' needs a value", argument);
                break;
            }
            const char *value = argv[++i];
            if (argument[1] == 'o') options.output = value;
            else if (argument[1] == 'I') options.include_dirs[options.include_dir_count++] = value;
            else if (argument[2] == 'r') options.report = value;
            else options.until = value;
        } else if (strncmp(argument, "--until=", 8) == 0) {
            options.until = argument + 8;
        } else if (strncmp(argument, "--report=", 9) == 0) {
            options.report = argument + 9;
        } else if (strcmp(argument, "--on-bad-event=skip") == 0) {
            options.skip_bad = true;
        } else if (strcmp(argument, "--on-bad-event=stop") == 0) {
            options.skip_bad = false;
        } else if (strncmp(argument, "--on-bad-event", 14) == 0) {
            status = usage_error("--on-bad-event takes stop or skip");
        } else if (strcmp(argument, "--quiet") == 0 || strcmp(argument, "-q") == 0) {
            options.quiet = true;
        } else if (argument[0] == '-' && argument[1] != '\0') {
            status = usage_error("unknown option '%s'", argument);
        } else if (!command) {
            command = argument;
        } else if (!options.program) {
            options.program = argument;
        } else {
            options.logs[options.log_count++] = argument;
        }
    }
    if (status < 0) {
        if (!command) status = usage_error("no command given");
        else if (strcmp(command, "sim") == 0) status = run_sim(&options);
        else status = usage_error("unknown command '%s' (try sim)", command);
    }
    free(options.logs);
    free(options.include_dirs);
    native_options_free(&options.natives);
    return status;
}
