/* webhook_server.c: a webhook receiver for the tests of journey run's sinks
 * (tests/sink/run.sh) and of journey run itself, on libmicrohttpd.
 *
 *   webhook_server OUTPUT [OPTIONS]
 *
 * It listens on 127.0.0.1 (a free port unless --port says), prints that port as the
 * first line of standard output, and appends every POST it accepts (answers 2xx) to
 * OUTPUT as one line `KEY<TAB>BODY`: KEY is the request's Idempotency-Key header ('-'
 * without one), BODY the body as received. The line is written before the answer is
 * sent, so a client that saw the 2xx finds its line there. It runs until SIGTERM or
 * SIGINT, then finishes the requests in progress and exits 0.
 *
 * What it answers, first rule that applies:
 *   405  the method is not POST
 *   413  the body is longer than --max-body
 *   400  the body holds a line break (OUTPUT keeps one request per line)
 *   CODE --status-for-key KEY=CODE names the request's key
 *   CODE the request is among the first N of the rest (--fail-first N --status CODE)
 *   200  otherwise (a body of --response-bytes bytes, or {"ok":true})
 * Every answer waits --delay-ms first. A 3xx answer carries `Location: /moved` on the
 * same server, so a client that followed redirects would show up as a second request.
 *
 * Options:
 *   --port N                 the port to listen on (default 0: one the system picks)
 *   --fail-first N           answer the first N requests that reach this rule with
 *                            --status (default 0)
 *   --status CODE            the status of those answers (default 503)
 *   --status-for-key KEY=CODE  answer every request with the key KEY with CODE; may be
 *                            repeated
 *   --delay-ms N             wait N milliseconds before each answer (client timeouts)
 *   --response-bytes N       the body of a 2xx answer: N bytes of 'x' (the client's
 *                            reading of long answers)
 *   --max-body BYTES         longest body accepted (default 1048576)
 *   --requests FILE          append one line per request, whatever its answer:
 *                            CONNECTION<TAB>STATUS<TAB>KEY, CONNECTION numbering the TCP
 *                            connections from 1 in the order they were accepted (requests
 *                            over a kept-alive connection share its number)
 *   --headers FILE           append each request's headers, one line each:
 *                            KEY<TAB>Name: value
 *
 * Exit status: 0 stopped by a signal, 1 OUTPUT or a log cannot be opened or the port
 * cannot be bound, 64 usage error. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

enum { SERVER_EXIT_OK = 0, SERVER_EXIT_FAILED = 1, SERVER_EXIT_USAGE = 64 };

static const char usage_text[] =
    "Usage: webhook_server OUTPUT [OPTIONS]\n"
    "\n"
    "A webhook receiver for tests. Listens on 127.0.0.1, prints its port as the first line\n"
    "of standard output, and appends each POST it accepts (answers 2xx) to OUTPUT as one\n"
    "line KEY<TAB>BODY (KEY: the Idempotency-Key header, '-' without one), before it\n"
    "answers. Runs until SIGTERM or SIGINT.\n"
    "\n"
    "Answers, first rule that applies: 405 to a method other than POST; 413 to a body\n"
    "longer than --max-body; 400 to a body with a line break; the status --status-for-key\n"
    "gives the request's key; --status to the first --fail-first requests of the rest;\n"
    "else 200. 3xx answers carry 'Location: /moved'.\n"
    "\n"
    "Options:\n"
    "  --port N                   port to listen on (default 0: a free one)\n"
    "  --fail-first N             answer the first N requests with --status (default 0)\n"
    "  --status CODE              status of those answers (default 503)\n"
    "  --status-for-key KEY=CODE  answer every request with key KEY with CODE (repeatable)\n"
    "  --delay-ms N               wait N milliseconds before each answer\n"
    "  --response-bytes N         body of a 2xx answer: N bytes (default {\"ok\":true})\n"
    "  --max-body BYTES           longest body accepted (default 1048576)\n"
    "  --requests FILE            append CONNECTION<TAB>STATUS<TAB>KEY per request; the\n"
    "                             TCP connections are numbered from 1 as accepted\n"
    "  --headers FILE             append KEY<TAB>Name: value per request header\n"
    "  -h, --help                 show this help and exit\n"
    "\n"
    "Exit status: 0 stopped by a signal, 1 a file or the port cannot be used, 64 usage.\n";

typedef struct key_status {
    const char *key;
    unsigned status;
} key_status;

typedef struct server_options {
    const char *output_path, *requests_path, *headers_path;
    unsigned port;
    unsigned long fail_first;
    unsigned fail_status;
    key_status *key_statuses;
    size_t key_status_count;
    unsigned long delay_ms;
    unsigned long response_bytes; /* 0: the default body */
    size_t max_body;
} server_options;

/* Shared by the connections' threads; the lock guards the counters and the files. */
typedef struct server_state {
    const server_options *options;
    int output, requests, headers; /* descriptors; -1 when not asked for */
    char *long_body;               /* --response-bytes */
    pthread_mutex_t lock;
    uintptr_t connections;
    unsigned long failed_first;
} server_state;

/* One request as it arrives. */
typedef struct request_state {
    char *body;
    size_t length, capacity;
    bool too_long;
} request_state;

static bool parse_number(const char *text, unsigned long maximum, unsigned long *number)
{
    if (!text || !*text || *text == '-' || *text == '+') return false;
    char *end;
    errno = 0;
    unsigned long value = strtoul(text, &end, 10);
    if (errno || *end || value > maximum) return false;
    *number = value;
    return true;
}

static bool parse_status(const char *text, unsigned *status)
{
    unsigned long value;
    if (!parse_number(text, 599, &value) || value < 200) return false;
    *status = (unsigned)value;
    return true;
}

static int usage_error(const char *problem, const char *argument)
{
    fprintf(stderr, "webhook_server: %s%s%s\nTry 'webhook_server --help'.\n", problem, argument ? ": " : "",
            argument ? argument : "");
    return SERVER_EXIT_USAGE;
}

/* Returns -1 when the arguments are good, else the exit status. */
static int parse_arguments(int argc, char **argv, server_options *options)
{
    *options = (server_options){ .fail_status = 503, .max_body = 1 << 20 };
    for (int i = 1; i < argc; i++) {
        const char *argument = argv[i];
        if (strcmp(argument, "-h") == 0 || strcmp(argument, "--help") == 0) {
            fputs(usage_text, stdout);
            return SERVER_EXIT_OK;
        }
        if (argument[0] != '-') {
            if (options->output_path) return usage_error("more than one OUTPUT", argument);
            options->output_path = argument;
            continue;
        }
        if (i + 1 >= argc) return usage_error("missing value after", argument);
        const char *value = argv[++i];
        unsigned long number = 0;
        if (strcmp(argument, "--port") == 0) {
            if (!parse_number(value, 65535, &number)) return usage_error("not a port number", value);
            options->port = (unsigned)number;
        } else if (strcmp(argument, "--fail-first") == 0) {
            if (!parse_number(value, ULONG_MAX, &options->fail_first)) return usage_error("not a count", value);
        } else if (strcmp(argument, "--status") == 0) {
            if (!parse_status(value, &options->fail_status)) return usage_error("not an HTTP status (200-599)", value);
        } else if (strcmp(argument, "--status-for-key") == 0) {
            const char *equals = strrchr(value, '=');
            unsigned status;
            if (!equals || equals == value || !parse_status(equals + 1, &status)) {
                return usage_error("expected KEY=CODE", value);
            }
            key_status *grown = realloc(options->key_statuses, (options->key_status_count + 1) * sizeof *grown);
            char *key = strndup(value, (size_t)(equals - value));
            if (!grown || !key) {
                free(grown);
                free(key);
                fputs("webhook_server: out of memory\n", stderr);
                return SERVER_EXIT_FAILED;
            }
            options->key_statuses = grown;
            options->key_statuses[options->key_status_count++] = (key_status){ key, status };
        } else if (strcmp(argument, "--delay-ms") == 0) {
            if (!parse_number(value, 3600000, &options->delay_ms)) return usage_error("not a delay in ms", value);
        } else if (strcmp(argument, "--response-bytes") == 0) {
            if (!parse_number(value, 1UL << 30, &options->response_bytes)) return usage_error("not a size", value);
        } else if (strcmp(argument, "--max-body") == 0) {
            if (!parse_number(value, 1UL << 30, &number)) return usage_error("not a size", value);
            options->max_body = number;
        } else if (strcmp(argument, "--requests") == 0) {
            options->requests_path = value;
        } else if (strcmp(argument, "--headers") == 0) {
            options->headers_path = value;
        } else {
            return usage_error("unknown option", argument);
        }
    }
    if (!options->output_path) return usage_error("missing OUTPUT", NULL);
    return -1;
}

/* ---- the files: one write() per record, under the lock, so lines never interleave -- */

static void append(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t count = write(fd, data, length);
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) {
            fprintf(stderr, "webhook_server: cannot write a log: %s\n", strerror(errno));
            return;
        }
        data += count;
        length -= (size_t)count;
    }
}

/* Appends "KEY<TAB>TEXT<LF>", where TEXT has length bytes. */
static void append_keyed_line(int fd, const char *key, const char *text, size_t length)
{
    size_t key_length = strlen(key), total = key_length + 1 + length + 1;
    char *line = malloc(total);
    if (!line) {
        fputs("webhook_server: out of memory\n", stderr);
        return;
    }
    memcpy(line, key, key_length);
    line[key_length] = '\t';
    memcpy(line + key_length + 1, text, length);
    line[total - 1] = '\n';
    append(fd, line, total);
    free(line);
}

typedef struct header_log {
    const char *key;
    char *text;
    size_t length;
    bool failed;
} header_log;

static enum MHD_Result collect_header(void *user, enum MHD_ValueKind kind, const char *name, const char *value)
{
    (void)kind;
    header_log *log = user;
    int needed = snprintf(NULL, 0, "%s\t%s: %s\n", log->key, name, value ? value : "");
    char *grown = needed < 0 ? NULL : realloc(log->text, log->length + (size_t)needed + 1);
    if (!grown) {
        log->failed = true;
        return MHD_NO;
    }
    log->text = grown;
    snprintf(log->text + log->length, (size_t)needed + 1, "%s\t%s: %s\n", log->key, name, value ? value : "");
    log->length += (size_t)needed;
    return MHD_YES;
}

static void log_headers(server_state *server, struct MHD_Connection *connection, const char *key)
{
    header_log log = { .key = key };
    MHD_get_connection_values(connection, MHD_HEADER_KIND, collect_header, &log);
    if (log.failed) fputs("webhook_server: out of memory\n", stderr);
    pthread_mutex_lock(&server->lock);
    if (log.length) append(server->headers, log.text, log.length);
    pthread_mutex_unlock(&server->lock);
    free(log.text);
}

/* ---- answering ------------------------------------------------------------------- */

static bool add_body(request_state *request, const char *data, size_t length, size_t maximum)
{
    if (request->too_long || request->length + length > maximum) {
        request->too_long = true;
        return true;
    }
    if (request->length + length > request->capacity) {
        size_t capacity = request->capacity ? request->capacity : 1024;
        while (capacity < request->length + length) capacity *= 2;
        char *grown = realloc(request->body, capacity);
        if (!grown) return false;
        request->body = grown;
        request->capacity = capacity;
    }
    memcpy(request->body + request->length, data, length);
    request->length += length;
    return true;
}

/* The status for a complete request, by the rules at the top of the file; accepted
 * requests are written to OUTPUT here, under the lock. */
static unsigned decide(server_state *server, const char *method, const request_state *request, const char *key)
{
    const server_options *options = server->options;
    if (strcmp(method, "POST") != 0) return 405;
    if (request->too_long) return 413;
    if (request->length && (memchr(request->body, '\n', request->length) || memchr(request->body, '\r', request->length))) {
        return 400;
    }
    for (size_t i = 0; i < options->key_status_count; i++) {
        if (strcmp(options->key_statuses[i].key, key) == 0) {
            unsigned status = options->key_statuses[i].status;
            if (status < 300) append_keyed_line(server->output, key, request->body, request->length);
            return status;
        }
    }
    if (server->failed_first < options->fail_first) {
        server->failed_first++;
        if (options->fail_status < 300) append_keyed_line(server->output, key, request->body, request->length);
        return options->fail_status;
    }
    append_keyed_line(server->output, key, request->body, request->length);
    return 200;
}

static void pause_ms(unsigned long milliseconds)
{
    struct timespec left = { (time_t)(milliseconds / 1000), (long)(milliseconds % 1000) * 1000000L };
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {}
}

static enum MHD_Result send_answer(server_state *server, struct MHD_Connection *connection, unsigned status)
{
    char text[64];
    const char *body = text;
    size_t length;
    if (status == 204) {
        length = 0;
    } else if (status < 300 && server->long_body) {
        body = server->long_body;
        length = server->options->response_bytes;
    } else if (status < 300) {
        length = (size_t)snprintf(text, sizeof text, "{\"ok\":true}");
    } else {
        length = (size_t)snprintf(text, sizeof text, "{\"error\":\"HTTP %u\"}", status);
    }
    struct MHD_Response *response = MHD_create_response_from_buffer(length, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!response) return MHD_NO;
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (status >= 300 && status < 400) MHD_add_response_header(response, MHD_HTTP_HEADER_LOCATION, "/moved");
    enum MHD_Result result = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return result;
}

static enum MHD_Result answer(void *user, struct MHD_Connection *connection, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size,
                              void **request_context)
{
    (void)url;
    (void)version;
    server_state *server = user;
    const char *key = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Idempotency-Key");
    if (!key) key = "-";
    request_state *request = *request_context;
    if (!request) {
        /* The headers have arrived; the body (if any) follows in the next calls. */
        request = calloc(1, sizeof *request);
        if (!request) return MHD_NO;
        *request_context = request;
        if (server->headers >= 0) log_headers(server, connection, key);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        bool ok = add_body(request, upload_data, *upload_data_size, server->options->max_body);
        *upload_data_size = 0;
        return ok ? MHD_YES : MHD_NO;
    }
    if (server->options->delay_ms) pause_ms(server->options->delay_ms);
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    uintptr_t connection_number = info ? (uintptr_t)info->socket_context : 0;

    pthread_mutex_lock(&server->lock);
    unsigned status = decide(server, method, request, key);
    if (server->requests >= 0) {
        char line[64];
        int length = snprintf(line, sizeof line, "%" PRIuPTR "\t%u\t", connection_number, status);
        size_t key_length = strlen(key);
        char *whole = malloc((size_t)length + key_length + 1);
        if (whole) {
            memcpy(whole, line, (size_t)length);
            memcpy(whole + length, key, key_length);
            whole[(size_t)length + key_length] = '\n';
            append(server->requests, whole, (size_t)length + key_length + 1);
            free(whole);
        }
    }
    pthread_mutex_unlock(&server->lock);
    return send_answer(server, connection, status);
}

static void request_done(void *user, struct MHD_Connection *connection, void **request_context,
                         enum MHD_RequestTerminationCode reason)
{
    (void)user;
    (void)connection;
    (void)reason;
    request_state *request = *request_context;
    if (!request) return;
    free(request->body);
    free(request);
    *request_context = NULL;
}

/* Numbers each TCP connection as it is accepted; requests read it back. */
static void connection_event(void *user, struct MHD_Connection *connection, void **socket_context,
                             enum MHD_ConnectionNotificationCode event)
{
    (void)connection;
    server_state *server = user;
    if (event != MHD_CONNECTION_NOTIFY_STARTED) return;
    pthread_mutex_lock(&server->lock);
    *socket_context = (void *)++server->connections;
    pthread_mutex_unlock(&server->lock);
}

/* ---- main -------------------------------------------------------------------------- */

static int open_log(const char *path)
{
    if (!path) return -1;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) fprintf(stderr, "webhook_server: cannot open '%s': %s\n", path, strerror(errno));
    return fd;
}

static int serve(const server_options *options)
{
    server_state server = { .options = options, .output = -1, .requests = -1, .headers = -1 };
    pthread_mutex_init(&server.lock, NULL);
    int status = SERVER_EXIT_FAILED;
    server.output = open_log(options->output_path);
    if (server.output < 0) goto done;
    if (options->requests_path && (server.requests = open_log(options->requests_path)) < 0) goto done;
    if (options->headers_path && (server.headers = open_log(options->headers_path)) < 0) goto done;
    if (options->response_bytes) {
        server.long_body = malloc(options->response_bytes);
        if (!server.long_body) {
            fputs("webhook_server: out of memory\n", stderr);
            goto done;
        }
        memset(server.long_body, 'x', options->response_bytes);
    }

    /* SIGTERM and SIGINT are taken by sigwait below: blocked before the server's threads
     * start, so that they inherit the mask. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)options->port),
                                   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    struct MHD_Daemon *daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG, 0, NULL, NULL, answer,
        &server, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address, MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, connection_event, &server, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
        MHD_OPTION_END);
    if (!daemon) {
        fprintf(stderr, "webhook_server: cannot listen on 127.0.0.1:%u\n", options->port);
        goto done;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    printf("%u\n", info ? (unsigned)info->port : options->port);
    fflush(stdout);

    int signal_number;
    sigwait(&stop_signals, &signal_number);
    MHD_stop_daemon(daemon);
    status = SERVER_EXIT_OK;
done:
    if (server.output >= 0) close(server.output);
    if (server.requests >= 0) close(server.requests);
    if (server.headers >= 0) close(server.headers);
    free(server.long_body);
    pthread_mutex_destroy(&server.lock);
    return status;
}

int main(int argc, char **argv)
{
    server_options options;
    int status = parse_arguments(argc, argv, &options);
    if (status < 0) status = serve(&options);
    for (size_t i = 0; i < options.key_status_count; i++) free((char *)options.key_statuses[i].key);
    free(options.key_statuses);
    return status;
}
