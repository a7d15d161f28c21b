/* http_harness.c: journey run's HTTP endpoint without the rest of journey run, for
 * tests/http/run.sh.
 *
 *   http_harness serve PROGRAM.jbc LINES_FILE [--write-key KEY] [--max-body BYTES]
 *                [--listen ADDRESS]
 *       Serves on ADDRESS (default 127.0.0.1:0: a port the system picks), prints "port N"
 *       on standard output, and runs a fake loop in place of journey run's: it appends
 *       the lines of every request it takes to LINES_FILE and answers it 200. Signals
 *       drive it, and it prints a line ("holding", "released", "closed", "refusing")
 *       when it has acted on one:
 *       SIGUSR2 holds the loop (requests wait unanswered) and releases it; SIGUSR1
 *       closes the ingest queue, as journey run does when it stops (later requests get
 *       503); SIGHUP makes the loop refuse what it takes from then on, as a runner whose
 *       commits fail would (503 "the state database refused the commit"); SIGTERM or
 *       SIGINT stops the server and exits 0.
 *
 *   http_harness normalize PROGRAM.jbc ENDPOINT RECEIVED_AT < BODY
 *       Normalizes BODY as the ENDPOINT (track, identify, page, batch) would if it had
 *       arrived at RECEIVED_AT (ISO-8601), checks the events against the program, and
 *       prints the lines, "(no events)", or the status and the message of the refusal
 *       ("400 batch[2]: no userId or anonymousId").
 *
 * Exit status 0, 1 when the program does not load or the server does not start, 64 for
 * a usage error. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest_queue.h"
#include "journey.h"
#include "run_http.h"
#include "segment_body.h"

static volatile sig_atomic_t harness_stop, harness_close, harness_hold, harness_refuse;

static void harness_on_signal(int signal_number)
{
    if (signal_number == SIGUSR1) harness_close = 1;
    else if (signal_number == SIGUSR2) harness_hold = !harness_hold;
    else if (signal_number == SIGHUP) harness_refuse = 1;
    else harness_stop = 1;
}

static int harness_usage(void)
{
    fputs("usage: http_harness serve PROGRAM.jbc LINES_FILE [--write-key KEY] [--max-body BYTES]\n"
          "                    [--listen ADDRESS]\n"
          "       http_harness normalize PROGRAM.jbc ENDPOINT RECEIVED_AT < BODY\n",
          stderr);
    return 64;
}

static jr_program *harness_load(const char *path)
{
    jr_program *program = NULL;
    jr_error error;
    if (jr_program_load_file(path, NULL, &program, &error) != JR_OK) {
        fprintf(stderr, "http_harness: %s: %s\n", path, error.message);
        return NULL;
    }
    return program;
}

/* Says on standard output that the loop has applied a signal, so that a test can wait
 * for it rather than sleep. */
static void harness_say(const char *what)
{
    printf("%s\n", what);
    fflush(stdout);
}

/* The fake loop: takes requests, writes their lines and answers 200 (or refuses them,
 * once told to), until told to stop. */
static void harness_loop(ingest_queue *queue, FILE *lines)
{
    bool closed = false, held = false, refusing = false;
    while (!harness_stop) {
        if (harness_close && !closed) {
            ingest_queue_close(queue);
            closed = true;
            harness_say("closed");
        }
        if (harness_refuse && !refusing) {
            refusing = true;
            harness_say("refusing");
        }
        if (harness_hold != held) {
            held = harness_hold;
            harness_say(held ? "holding" : "released");
        }
        if (held) {
            nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
            continue;
        }
        ingest_request *list = ingest_queue_take(queue, 1000, 50);
        if (!list) continue;
        if (refusing) {
            ingest_queue_answer(queue, list, 503, "the state database refused the commit");
            continue;
        }
        for (ingest_request *request = list; request; request = request->next)
            fwrite(request->lines, 1, request->length, lines);
        fflush(lines);
        ingest_queue_answer(queue, list, 200, NULL);
    }
}

static int harness_serve(int argc, char **argv)
{
    if (argc < 4) return harness_usage();
    run_http_options options = { .listen = "127.0.0.1:0" };
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--write-key") == 0 && i + 1 < argc) options.write_key = argv[++i];
        else if (strcmp(argv[i], "--max-body") == 0 && i + 1 < argc) options.max_body = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) options.listen = argv[++i];
        else return harness_usage();
    }
    jr_program *program = harness_load(argv[2]);
    if (!program) return 1;
    FILE *lines = fopen(argv[3], "w");
    if (!lines) {
        perror(argv[3]);
        jr_program_free(program);
        return 1;
    }
    struct sigaction action = { .sa_handler = harness_on_signal };
    sigemptyset(&action.sa_mask);
    static const int handled[] = { SIGUSR1, SIGUSR2, SIGHUP, SIGTERM, SIGINT };
    for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++) sigaction(handled[i], &action, NULL);

    ingest_queue queue;
    run_http *server = NULL;
    char message[256];
    int status = 1;
    if (!ingest_queue_init(&queue)) {
        fputs("http_harness: cannot make the ingest queue\n", stderr);
    } else {
        options.schema = jr_program_schema(program);
        options.queue = &queue;
        if (!run_http_start(&options, &server, message, sizeof message)) {
            fprintf(stderr, "http_harness: %s\n", message);
        } else {
            printf("port %u\n", (unsigned)run_http_port(server));
            fflush(stdout);
            harness_loop(&queue, lines);
            /* As journey run stops: refuse what is still queued, then let the server go. */
            ingest_queue_close(&queue);
            run_http_stop(server);
            status = 0;
        }
        ingest_queue_destroy(&queue);
    }
    fclose(lines);
    jr_program_free(program);
    return status;
}

static char *harness_read_all(FILE *in, size_t *length)
{
    size_t capacity = 65536;
    char *bytes = malloc(capacity);
    *length = 0;
    while (bytes) {
        *length += fread(bytes + *length, 1, capacity - *length, in);
        if (*length < capacity) break;
        char *grown = realloc(bytes, capacity *= 2);
        if (!grown) free(bytes);
        bytes = grown;
    }
    return bytes;
}

static int harness_normalize(int argc, char **argv)
{
    if (argc != 5) return harness_usage();
    segment_endpoint endpoint = SEGMENT_BATCH;
    bool known = false;
    for (segment_endpoint candidate = SEGMENT_TRACK; candidate <= SEGMENT_BATCH; candidate++)
        if (strcmp(argv[3], segment_endpoint_name(candidate)) == 0) endpoint = candidate, known = true;
    int64_t received_at;
    if (!known || !jr_parse_timestamp(argv[4], strlen(argv[4]), &received_at)) return harness_usage();
    jr_program *program = harness_load(argv[2]);
    if (!program) return 1;
    size_t length;
    char *body = harness_read_all(stdin, &length);
    if (!body) {
        jr_program_free(program);
        return 1;
    }
    segment_body normalized;
    char message[320];
    segment_body_status status =
        segment_body_normalize(endpoint, body, length, received_at, &normalized, message, sizeof message);
    if (status == SEGMENT_BODY_OK)
        status = segment_body_check_events(jr_program_schema(program), endpoint, &normalized, message, sizeof message);
    if (status != SEGMENT_BODY_OK) printf("%d %s\n", status == SEGMENT_BODY_BAD ? 400 : 500, message);
    else if (normalized.event_count == 0) puts("(no events)");
    else fwrite(normalized.lines, 1, normalized.length, stdout);
    segment_body_free(&normalized);
    free(body);
    jr_program_free(program);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "serve") == 0) return harness_serve(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "normalize") == 0) return harness_normalize(argc, argv);
    return harness_usage();
}
