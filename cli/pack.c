/* pack.c: the `journey pack` command (pack.h): reads event logs as `journey sim` does
 * (event_merge.c) and writes what the program's schema keeps of them, in sim's order,
 * as a packed log (jev_writer.c); then reads the whole file back, as sim will, to be
 * sure of it. */
#include "pack.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile_file.h"
#include "event_merge.h"
#include "jev_writer.h"
#include "journey.h"
#include "usage.h"
#include "native_options.h"

enum { EXIT_PACKED = 0, EXIT_FAILED = 1, EXIT_INTERNAL = 70 };

static const char help_text[] =
    "Usage: journey pack PROGRAM EVENTS... -o FILE.jev [OPTIONS]\n"
    "\n"
    "Packs event logs into one binary file that `journey sim` reads without parsing\n"
    "JSON, for simulations run again and again over the same history (spec/jev.md).\n"
    "The logs are read exactly as `journey sim PROGRAM EVENTS...` reads them: merged by\n"
    "time, each line matched against PROGRAM's events and attributes. The file keeps\n"
    "what a program can use (declared events and their fields, traits of declared\n"
    "attributes, contact ids, messageIds, times, line numbers; undeclared events for\n"
    "their time and messageId) in the order sim applies it, so that\n"
    "`journey sim PROGRAM FILE.jev` prints the same actions and summary as\n"
    "`journey sim PROGRAM EVENTS...`. It serves every program that declares the same\n"
    "events and attributes; sim refuses it for any other (\"packed for another program:\n"
    "pack again\").\n"
    "\n"
    "Options:\n"
    "  -o FILE               the packed log to write (required); it is written beside\n"
    "                        FILE and renamed, so FILE is never half written\n"
    "  --on-bad-event=WHAT   stop (default): a malformed line stops pack, with exit 1\n"
    "                        and nothing written; skip: report the line and keep it,\n"
    "                        with its number and message, so that sim reports it (and\n"
    "                        with --on-bad-event=stop, stops at it) as it would reading\n"
    "                        the logs themselves\n"
    "  -I DIR                search DIR for imports when PROGRAM is a .journey file\n"
    "  --allow-native=LIB, --native-dir=DIR\n"
    "                        as for sim; only to load a PROGRAM that declares extern\n"
    "                        functions (pack calls none)\n"
    "  -q, --quiet           no summary on stderr\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 packed; 1 PROGRAM did not compile or load, a log could not be read,\n"
    "a line was malformed (with --on-bad-event=stop) or FILE could not be written;\n"
    "64 usage; 70 internal failure.\n"
    "\n"
    "Example:\n"
    "  journey pack examples/onboarding.journey examples/onboarding.events.jsonl \\\n"
    "      -o onboarding.jev\n"
    "  journey sim examples/onboarding.journey onboarding.jev --until +30d\n";

typedef struct pack_options {
    const char *program;
    const char **logs;
    uint32_t log_count;
    const char *output;
    bool skip_bad;
    bool quiet;
    const char **include_dirs;
    uint32_t include_dir_count;
    native_options natives;
} pack_options;

/* Reads the command line into options; returns -1 to go on, else an exit status. */
static int parse_options(int argc, char **argv, pack_options *options)
{
    for (int i = 1; i < argc; i++) {
        const char *argument = argv[i];
        native_option_result native = native_option_parse(&options->natives, argc, argv, &i);
        if (native == NATIVE_OPTION_TAKEN) continue;
        if (native == NATIVE_OPTION_NO_VALUE) return usage_error("journey pack", "option '%s' needs a value", argument);
        if (strcmp(argument, "-h") == 0 || strcmp(argument, "--help") == 0) {
            fputs(help_text, stdout);
            return EXIT_PACKED;
        } else if (strcmp(argument, "-o") == 0 || strcmp(argument, "-I") == 0) {
            if (i + 1 >= argc) return usage_error("journey pack", "option '%s' needs a value", argument);
            const char *value = argv[++i];
            if (argument[1] == 'o') options->output = value;
            else options->include_dirs[options->include_dir_count++] = value;
        } else if (strcmp(argument, "--on-bad-event=skip") == 0) {
            options->skip_bad = true;
        } else if (strcmp(argument, "--on-bad-event=stop") == 0) {
            options->skip_bad = false;
        } else if (strncmp(argument, "--on-bad-event", 14) == 0) {
            return usage_error("journey pack", "--on-bad-event takes stop or skip");
        } else if (strcmp(argument, "--quiet") == 0 || strcmp(argument, "-q") == 0) {
            options->quiet = true;
        } else if (argument[0] == '-' && argument[1] != '\0') {
            return usage_error("journey pack", "unknown option '%s'", argument);
        } else if (!options->program) {
            options->program = argument;
        } else {
            options->logs[options->log_count++] = argument;
        }
    }
    if (!options->program || options->log_count == 0)
        return usage_error("journey pack", "pack needs a PROGRAM and at least one EVENTS log");
    if (!options->output) return usage_error("journey pack", "pack needs -o FILE, the packed log to write");
    if (strcmp(options->output, "-") == 0)
        return usage_error("journey pack", "pack writes a file (its header comes last), not standard output");
    return -1;
}

/* A writer's failure: writing the file is the user's problem, the rest is ours. */
static int writer_failed(const jev_writer *writer)
{
    fprintf(stderr, "journey pack: %s%s\n", jev_writer_failed_io(writer) ? "" : "internal error: ",
            jev_writer_error(writer));
    return jev_writer_failed_io(writer) ? EXIT_FAILED : EXIT_INTERNAL;
}

/* Every event and bad line of the logs, in sim's order, into the writer. */
static int pack_logs(const pack_options *options, const jr_schema *schema, jev_writer *writer)
{
    event_merge *merge = event_merge_new(schema, options->logs, options->log_count);
    if (!merge) {
        fputs("journey pack: out of memory\n", stderr);
        return EXIT_INTERNAL;
    }
    int status = -1;
    while (status < 0) {
        const jr_event *event;
        const char *path;
        jr_read_error problem;
        switch (event_merge_next(merge, &event, &path, &problem)) {
        case MERGE_EVENT:
            if (!jev_writer_event(writer, event)) status = writer_failed(writer);
            break;
        case MERGE_BAD_LINE:
            fprintf(stderr, "%s:%" PRIu64 ": error: %s\n", path, problem.line, problem.message);
            if (!options->skip_bad) {
                fprintf(stderr, "journey pack: stopped at a malformed line, nothing written "
                                "(--on-bad-event=skip packs past it)\n");
                status = EXIT_FAILED;
            } else if (!jev_writer_bad_line(writer, problem.line, problem.message)) {
                status = writer_failed(writer);
            }
            break;
        case MERGE_FAILED:
            fprintf(stderr, "journey pack: %s: %s\n", path, problem.message);
            status = EXIT_FAILED;
            break;
        case MERGE_END:
            status = EXIT_PACKED;
            break;
        }
    }
    event_merge_free(merge);
    return status;
}

/* Reads the written file through as sim will: it must pass every check of the reader,
 * which checks each record as it reaches it. */
static int read_back(const char *path, const jr_schema *schema)
{
    jr_read_error error;
    jr_event_reader *reader = jr_reader_open(schema, path, JR_LOG_AUTO, &error);
    jr_read_status status = reader ? JR_READ_EVENT : JR_READ_IO_ERROR;
    while (status == JR_READ_EVENT || status == JR_READ_BAD_LINE) {
        jr_event event;
        status = jr_reader_next(reader, &event, &error);
    }
    jr_reader_close(reader);
    if (status == JR_READ_END) return EXIT_PACKED;
    fprintf(stderr, "journey pack: internal error: %s does not read back: %s\n", path, error.message);
    remove(path);
    return EXIT_INTERNAL;
}

static int run_pack(const pack_options *options)
{
    jr_program *program = NULL;
    jr_load_options load_options = native_load_options(&options->natives);
    int status = load_program_file(options->program, options->include_dirs, options->include_dir_count, &load_options,
                                   "journey pack", &program);
    if (status != EXIT_PACKED) return status;
    const jr_schema *schema = jr_program_schema(program);
    char message[256];
    jev_writer *writer = jev_writer_new(schema, options->output, message, sizeof message);
    if (!writer) {
        fprintf(stderr, "journey pack: %s\n", message);
        jr_program_free(program);
        return EXIT_FAILED;
    }
    status = pack_logs(options, schema, writer);
    jev_writer_totals totals;
    if (status == EXIT_PACKED && !jev_writer_finish(writer, &totals)) status = writer_failed(writer);
    jev_writer_free(writer); /* removes the file unless it is finished */
    if (status == EXIT_PACKED) status = read_back(options->output, schema);
    if (status == EXIT_PACKED && !options->quiet)
        fprintf(stderr,
                "packed %" PRIu64 " events (%" PRIu64 " undeclared) and %" PRIu64 " bad lines from %u log%s into %s: "
                "%" PRIu64 " bytes, %" PRIu64 " distinct strings\n",
                totals.events, totals.undeclared, totals.bad_lines, options->log_count,
                options->log_count == 1 ? "" : "s", options->output, totals.bytes, totals.strings);
    jr_program_free(program);
    return status;
}

int journey_pack_command(int argc, char **argv)
{
    pack_options options = { 0 };
    options.logs = calloc((size_t)argc, sizeof *options.logs);
    options.include_dirs = calloc((size_t)argc, sizeof *options.include_dirs);
    int status = EXIT_INTERNAL;
    if (options.logs && options.include_dirs && native_options_init(&options.natives, argc)) {
        status = parse_options(argc, argv, &options);
        if (status < 0) status = run_pack(&options);
    } else {
        fputs("journey pack: out of memory\n", stderr);
    }
    free(options.logs);
    free(options.include_dirs);
    native_options_free(&options.natives);
    return status;
}
