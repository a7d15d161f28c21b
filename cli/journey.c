/* journey.c: the `journey` command: simulate a program against event logs.
 * It uses the compiler's library (to accept .journey files) and libjourney through
 * its public header only. The only part of the runtime that prints or exits. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile_file.h"
#include "duration_option.h"
#include "journey.h"
#include "journey_test.h"
#include "native_options.h"
#include "pack.h"
#include "report.h"
#include "run.h"
#include "usage.h"
#include "sim_run.h"

#ifndef JOURNEY_VERSION
#define JOURNEY_VERSION "0.0.0-dev"
#endif

enum { EXIT_CLEAN = 0, EXIT_FAILED = 1, EXIT_INTERNAL = 70 };

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
    "  run PROGRAM --state DB  run PROGRAM live: events from a file, stdin or HTTP\n"
    "                          (Segment's tracking API), timers on the wall clock,\n"
    "                          state in SQLite; `journey run --help` tells more\n"
    "  inspect --state DB ID   where a contact of a running program is, its attributes,\n"
    "                          scores and segments\n"
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
    "  --threads N             share the contacts among N threads, each with a VM of its\n"
    "                          own (1 to 256; default 1); the output is the same, byte\n"
    "                          for byte, as with one (spec/language.md 6.16)\n"
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

typedef struct sim_options {
    const char *program;
    const char **logs;
    int log_count;
    const char *output;
    const char *report;
    const char *until;
    bool skip_bad;
    bool quiet;
    uint32_t threads; /* 1: no threads of its own */
    const char **include_dirs;
    int include_dir_count;
    native_options natives;
} sim_options;

/* ---- options ------------------------------------------------------------------------ */

static bool ends_with(const char *text, const char *suffix)
{
    size_t length = strlen(text), suffix_length = strlen(suffix);
    return length >= suffix_length && strcmp(text + length - suffix_length, suffix) == 0;
}

enum { MAX_THREADS = 256 };

/* --threads N: a whole number from 1 to MAX_THREADS. */
static bool parse_threads(const char *text, uint32_t *threads)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (end == text || *end || errno || value < 1 || value > MAX_THREADS) return false;
    *threads = (uint32_t)value;
    return true;
}

static void print_summary(const sim_totals *totals, uint64_t bad_lines, FILE *out)
{
    const jr_vm_stats *stats = &totals->stats;
    char clock[25];
    jr_format_timestamp(totals->clock, clock);
    fprintf(out, "simulated to %s: %" PRIu64 " events, %" PRIu64 " contacts, %" PRIu64 " actions\n", clock,
            stats->events, stats->contacts, stats->actions);
    if (bad_lines || stats->duplicates || stats->undeclared || stats->out_of_order || stats->type_mismatches)
        fprintf(out,
                "input: %" PRIu64 " bad lines, %" PRIu64 " duplicate messageIds dropped, %" PRIu64
                " undeclared events skipped, %" PRIu64 " out of order, %" PRIu64 " values of the wrong type\n",
                bad_lines, stats->duplicates, stats->undeclared, stats->out_of_order, stats->type_mismatches);
    for (uint32_t j = 0; j < totals->journey_count; j++) {
        const jr_journey_stats *journey = &totals->journeys[j];
        fprintf(out,
                "journey %s: %" PRIu64 " entered (%" PRIu64 " holdout), %" PRIu64 " active, %" PRIu64
                " completed, %" PRIu64 " exited, %" PRIu64 " errors; goals %" PRIu64 " treated (value %.2f), %" PRIu64
                " holdout (value %.2f)\n",
                journey->name, journey->entered, journey->holdout, journey->active, journey->completed, journey->exited,
                journey->errors, journey->goals_treated, journey->goal_value_treated, journey->goals_holdout,
                journey->goal_value_holdout);
    }
    for (uint32_t m = 0; m < totals->message_count; m++) {
        const jr_message_stats *message = &totals->messages[m];
        if (!message->sent && !message->deferred && !message->suppressed_by_limit &&
            !message->suppressed_by_quiet_hours)
            continue;
        fprintf(out, "message %s (%s): %" PRIu64 " sent, %" PRIu64 " deferred, %" PRIu64 " suppressed by limits, %" PRIu64
                     " by quiet hours\n",
                message->name, message->channel, message->sent, message->deferred, message->suppressed_by_limit,
                message->suppressed_by_quiet_hours);
    }
    if (stats->runtime_errors) {
        fprintf(out, "%" PRIu64 " run-time errors", stats->runtime_errors);
        uint32_t shown = totals->error_count < 10 ? totals->error_count : 10;
        fprintf(out, "%s\n", shown ? "; the first:" : "");
        for (uint32_t i = 0; i < shown; i++) {
            const jr_runtime_error *error = &totals->errors[i];
            char at[25];
            jr_format_timestamp(error->at, at);
            fprintf(out, "  %s:%u: contact %s at %s%s%s: %s\n", error->file ? error->file : "?", error->line,
                    error->contact_id, at, error->journey ? " in journey " : "", error->journey ? error->journey : "",
                    error->message);
        }
    }
}

/* Writes the report of a run that went well; returns its exit status. */
static int write_report(const char *path, bool (*write)(const report *, FILE *), const sim_options *options,
                        const sim_outcome *outcome, const report_days *days)
{
    report *model = report_build(outcome->totals, days, options->program, options->logs, (uint32_t)options->log_count,
                                 outcome->reading.first_event, outcome->reading.last_event, outcome->horizon,
                                 outcome->reading.bad_lines, true);
    int status = EXIT_CLEAN;
    FILE *report_file = model ? fopen(path, "w") : NULL;
    if (!model) {
        fputs("journey: out of memory building the report\n", stderr);
        status = EXIT_INTERNAL;
    } else if (!report_file) {
        fprintf(stderr, "journey: cannot write '%s': %s\n", path, strerror(errno));
        status = EXIT_FAILED;
    } else {
        bool written = write(model, report_file);
        if (fclose(report_file) != 0 || !written) {
            fprintf(stderr, "journey: cannot write '%s': %s\n", path, strerror(errno));
            status = EXIT_FAILED;
        }
    }
    report_free(model);
    return status;
}

static int run_sim(const sim_options *options)
{
    if (!options->program || options->log_count == 0) return usage_error("journey", "sim needs a PROGRAM and at least one EVENTS log");
    sim_setup setup = { .logs = options->logs,
                        .log_count = (uint32_t)options->log_count,
                        .skip_bad = options->skip_bad,
                        .show_progress = !options->quiet && isatty(fileno(stderr)),
                        .threads = options->threads };
    if (options->until) {
        setup.has_until = true;
        setup.relative_until = options->until[0] == '+';
        bool valid = setup.relative_until ? duration_option_parse(options->until + 1, &setup.until)
                                          : jr_parse_timestamp(options->until, strlen(options->until), &setup.until);
        if (!valid) return usage_error("journey", "--until takes an ISO-8601 time or +DURATION (as +30d), not '%s'", options->until);
    }
    /* The report's writer, picked by the extension, before anything runs. */
    bool (*write)(const report *, FILE *) = NULL;
    if (options->report) {
        if (ends_with(options->report, ".json")) write = report_write_json;
        else if (ends_with(options->report, ".html")) write = report_write_html;
        else if (ends_with(options->report, ".txt")) write = report_write_text;
        else return usage_error("journey", "--report FILE must end in .json, .html or .txt, not '%s'", options->report);
    }
    jr_program *program = NULL;
    jr_load_options load_options = native_load_options(&options->natives);
    int status = load_program_file(options->program, options->include_dirs, (uint32_t)options->include_dir_count,
                                   &load_options, "journey", &program);
    if (status != EXIT_CLEAN) return status;
    setup.program = program;
    setup.out = stdout;
    if (options->output && !(setup.out = fopen(options->output, "w"))) {
        fprintf(stderr, "journey: cannot write '%s': %s\n", options->output, strerror(errno));
        jr_program_free(program);
        return EXIT_FAILED;
    }
    setup.attribution = options->report != NULL;
    if (options->report && !(setup.days = report_days_new())) {
        if (setup.out != stdout) fclose(setup.out);
        jr_program_free(program);
        return EXIT_INTERNAL;
    }

    sim_outcome outcome;
    status = setup.threads > 1 ? sim_run_threads(&setup, &outcome) : sim_run_single(&setup, &outcome);
    if (outcome.days_out_of_memory) {
        fputs("journey: out of memory counting sends for the report\n", stderr);
        status = EXIT_INTERNAL;
    }
    if (write && status == EXIT_CLEAN) status = write_report(options->report, write, options, &outcome, setup.days);
    if (fflush(setup.out) != 0 || ferror(setup.out)) {
        fprintf(stderr, "journey: cannot write actions: %s\n", strerror(errno));
        status = EXIT_FAILED;
    }
    if (!options->quiet && outcome.totals) print_summary(outcome.totals, outcome.reading.bad_lines, stderr);
    sim_outcome_free(&outcome);
    if (setup.out != stdout) fclose(setup.out);
    report_days_free(setup.days);
    jr_program_free(program);
    return status;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "pack") == 0) /* options of its own: `journey pack --help` */
        return journey_pack_command(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "run") == 0) return journey_run_command(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "inspect") == 0) return journey_inspect_command(argc - 1, argv + 1);
    sim_options options = { .threads = 1 };
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
            status = usage_error("journey", "option '%s' needs a value", argument);
        } else if (strcmp(argument, "-h") == 0 || strcmp(argument, "--help") == 0) {
            fputs(usage_text, stdout);
            status = EXIT_CLEAN;
        } else if (strcmp(argument, "--version") == 0) {
            printf("journey %s (libjourney %s)\n", JOURNEY_VERSION, JR_VERSION);
            status = EXIT_CLEAN;
        } else if (strcmp(argument, "-o") == 0 || strcmp(argument, "--until") == 0 || strcmp(argument, "-I") == 0 ||
                   strcmp(argument, "--report") == 0) {
            if (i + 1 >= argc) {
                status = usage_error("journey", "option '%s' needs a value", argument);
                break;
            }
            const char *value = argv[++i];
            if (argument[1] == 'o') options.output = value;
            else if (argument[1] == 'I') options.include_dirs[options.include_dir_count++] = value;
            else if (argument[2] == 'r') options.report = value;
            else options.until = value;
        } else if (strcmp(argument, "--threads") == 0 || strncmp(argument, "--threads=", 10) == 0) {
            const char *value = argument[9] == '=' ? argument + 10 : i + 1 < argc ? argv[++i] : NULL;
            if (!value) status = usage_error("journey", "option '--threads' needs a value");
            else if (!parse_threads(value, &options.threads))
                status = usage_error("journey", "--threads takes a number of threads from 1 to %d, not '%s'", MAX_THREADS, value);
        } else if (strncmp(argument, "--until=", 8) == 0) {
            options.until = argument + 8;
        } else if (strncmp(argument, "--report=", 9) == 0) {
            options.report = argument + 9;
        } else if (strcmp(argument, "--on-bad-event=skip") == 0) {
            options.skip_bad = true;
        } else if (strcmp(argument, "--on-bad-event=stop") == 0) {
            options.skip_bad = false;
        } else if (strncmp(argument, "--on-bad-event", 14) == 0) {
            status = usage_error("journey", "--on-bad-event takes stop or skip");
        } else if (strcmp(argument, "--quiet") == 0 || strcmp(argument, "-q") == 0) {
            options.quiet = true;
        } else if (argument[0] == '-' && argument[1] != '\0') {
            status = usage_error("journey", "unknown option '%s'", argument);
        } else if (!command) {
            command = argument;
        } else if (!options.program) {
            options.program = argument;
        } else {
            options.logs[options.log_count++] = argument;
        }
    }
    if (status < 0) {
        if (!command) status = usage_error("journey", "no command given");
        else if (strcmp(command, "sim") == 0) status = run_sim(&options);
        else status = usage_error("journey", "unknown command '%s' (the commands are sim, test, pack, run and inspect)", command);
    }
    free(options.logs);
    free(options.include_dirs);
    native_options_free(&options.natives);
    return status;
}
