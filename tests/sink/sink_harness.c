/* sink_harness.c: drives journey run's action sinks (cli/action_sink.c) from the command
 * line, for tests/sink/run.sh.
 *
 *   sink_harness TARGET [--timeout-ms N] [--header 'Name: value']... [--results FILE]
 *
 * Opens TARGET as journey run --actions would, then reads standard input: each line
 * KEY<TAB>RECORD is delivered and its result printed (`delivered KEY`, `retry KEY
 * MESSAGE`, `rejected KEY MESSAGE`); a blank line flushes (`flushed`, or `flush failed
 * MESSAGE`); the end of input flushes what is left and closes the sink. Result lines go
 * to standard output, or to --results FILE (needed when TARGET is '-'); they are written
 * line by line, so a test can watch them while the harness waits for more input.
 *
 * Like journey run, it ignores SIGPIPE (a closed pipe is then the error EPIPE); it also
 * ignores SIGXFSZ, so that a file-size limit (ulimit -f) makes a write fail part-way
 * instead of killing the process: that is how the tests break a flush in its middle.
 *
 * Exit status: 0 every line handled and every flush succeeded, 1 the sink could not be
 * opened, a line is malformed or a flush failed, 64 usage error. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action_sink.h"

enum { HARNESS_EXIT_OK = 0, HARNESS_EXIT_FAILED = 1, HARNESS_EXIT_USAGE = 64 };

static const char usage_text[] =
    "Usage: sink_harness TARGET [--timeout-ms N] [--header 'Name: value']... [--results FILE]\n"
    "\n"
    "Opens the action sink TARGET ('-' for standard output, an http:// or https:// URL,\n"
    "else a file path), reads lines KEY<TAB>RECORD from standard input and delivers each,\n"
    "printing 'delivered KEY', 'retry KEY MESSAGE' or 'rejected KEY MESSAGE'. A blank\n"
    "line flushes the sink ('flushed' or 'flush failed MESSAGE'); the end of input\n"
    "flushes what is left and closes it.\n"
    "\n"
    "Options:\n"
    "  --timeout-ms N        webhook: timeout of each request (default 10000)\n"
    "  --header 'N: V'       webhook: an extra header on every request (repeatable)\n"
    "  --results FILE        write the result lines to FILE (default standard output)\n"
    "  -h, --help            show this help and exit\n"
    "\n"
    "Exit status: 0 all went through, 1 the sink could not be opened, a line is not\n"
    "KEY<TAB>RECORD or a flush failed, 64 usage error.\n";

typedef struct harness_options {
    const char *target, *results_path;
    action_sink_options sink;
    const char **headers;
} harness_options;

static int usage_error(const char *problem, const char *argument)
{
    fprintf(stderr, "sink_harness: %s%s%s\nTry 'sink_harness --help'.\n", problem, argument ? ": " : "",
            argument ? argument : "");
    return HARNESS_EXIT_USAGE;
}

/* Returns -1 when the arguments are good, else the exit status. */
static int parse_arguments(int argc, char **argv, harness_options *options)
{
    options->headers = calloc((size_t)argc, sizeof *options->headers);
    if (!options->headers) {
        fputs("sink_harness: out of memory\n", stderr);
        return HARNESS_EXIT_FAILED;
    }
    options->sink.headers = options->headers;
    for (int i = 1; i < argc; i++) {
        const char *argument = argv[i];
        if (strcmp(argument, "-h") == 0 || strcmp(argument, "--help") == 0) {
            fputs(usage_text, stdout);
            return HARNESS_EXIT_OK;
        }
        if (argument[0] != '-' || strcmp(argument, "-") == 0) {
            if (options->target) return usage_error("more than one TARGET", argument);
            options->target = argument;
            continue;
        }
        if (i + 1 >= argc) return usage_error("missing value after", argument);
        const char *value = argv[++i];
        if (strcmp(argument, "--timeout-ms") == 0) {
            char *end;
            unsigned long timeout = strtoul(value, &end, 10);
            if (!*value || *end || value[0] == '-' || timeout == 0 || timeout > 3600000) {
                return usage_error("not a timeout in milliseconds", value);
            }
            options->sink.timeout_ms = (uint32_t)timeout;
        } else if (strcmp(argument, "--header") == 0) {
            options->headers[options->sink.header_count++] = value;
        } else if (strcmp(argument, "--results") == 0) {
            options->results_path = value;
        } else {
            return usage_error("unknown option", argument);
        }
    }
    if (!options->target) return usage_error("missing TARGET", NULL);
    return -1;
}

static void print_result(FILE *results, sink_result result, const char *key, const char *message)
{
    switch (result) {
    case SINK_DELIVERED: fprintf(results, "delivered %s\n", key); break;
    case SINK_RETRY: fprintf(results, "retry %s %s\n", key, message); break;
    case SINK_REJECTED: fprintf(results, "rejected %s %s\n", key, message); break;
    }
}

static bool flush(action_sink *sink, FILE *results)
{
    char message[512];
    if (action_sink_flush(sink, message, sizeof message)) {
        fputs("flushed\n", results);
        return true;
    }
    fprintf(results, "flush failed %s\n", message);
    return false;
}

/* Delivers standard input's records; false when a line or a flush failed. */
static bool drive(action_sink *sink, FILE *results)
{
    bool ok = true, unflushed = false;
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;
    unsigned long line_number = 0;
    while ((length = getline(&line, &capacity, stdin)) >= 0) {
        line_number++;
        if (length > 0 && line[length - 1] == '\n') line[--length] = '\0';
        if (length == 0) {
            ok = flush(sink, results) && ok;
            unflushed = false;
            continue;
        }
        char *tab = strchr(line, '\t');
        if (!tab) {
            fprintf(stderr, "sink_harness: standard input:%lu: expected KEY<TAB>RECORD\n", line_number);
            ok = false;
            continue;
        }
        *tab = '\0';
        const char *record = tab + 1;
        char message[512] = "";
        sink_result result = action_sink_deliver(sink, line, record, (size_t)(line + length - record), message,
                                                 sizeof message);
        print_result(results, result, line, message);
        unflushed = true;
    }
    free(line);
    if (unflushed) ok = flush(sink, results) && ok;
    return ok;
}

int main(int argc, char **argv)
{
    harness_options options = { 0 };
    int status = parse_arguments(argc, argv, &options);
    if (status >= 0) {
        free(options.headers);
        return status;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    FILE *results = stdout;
    if (options.results_path && !(results = fopen(options.results_path, "w"))) {
        perror(options.results_path);
        free(options.headers);
        return HARNESS_EXIT_FAILED;
    }
    setvbuf(results, NULL, _IOLBF, 0);
    char message[512];
    action_sink *sink;
    status = HARNESS_EXIT_FAILED;
    if (!action_sink_open(options.target, &options.sink, &sink, message, sizeof message)) {
        fprintf(stderr, "sink_harness: %s\n", message);
    } else {
        status = drive(sink, results) ? HARNESS_EXIT_OK : HARNESS_EXIT_FAILED;
        action_sink_close(sink);
    }
    if (results != stdout) fclose(results);
    free(options.headers);
    return status;
}
