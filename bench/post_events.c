/* post_events.c: an HTTP load generator for journey run's tracking endpoint
 * (build/bench/post_events), for bench/live.sh.
 *
 * Reads a JSON Lines workload into memory, turns it into requests before the clock
 * starts (one event per request to the endpoint its "type" names, or B events per
 * /v1/batch request), then posts them with T threads, each with its own libcurl easy
 * handle, so each keeps one connection alive. The threads take the next request from a
 * shared counter, so the requests go out in file order, T at a time. The latency of a
 * request is the time from the start of its POST to the end of its answer: journey run
 * answers 200 only once the request's events are committed (spec/run.md 4.3). */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

enum { EXIT_CLEAN = 0, EXIT_FAILED = 1, EXIT_USAGE = 64, EXIT_INTERNAL = 70 };

enum {
    CLIENTS_MAX = 256,        /* journey run serves at most 256 connections at once */
    BATCH_MAX = 100000,       /* events per /v1/batch request */
    ANSWER_KEPT = 200,        /* bytes of a failed request's answer kept for its message */
    FAILURE_MESSAGE_MAX = 512,
};

static const char usage_text[] =
    "Usage: post_events [OPTIONS] URL FILE\n"
    "\n"
    "Posts the events of FILE (JSON Lines, one Segment call per line, as\n"
    "build/bench/generate writes them) to journey run's HTTP endpoint at URL (for\n"
    "example http://127.0.0.1:8088) and measures it. The requests are made before the\n"
    "clock starts; then CLIENTS threads post them in file order, each over one kept-alive\n"
    "connection. A request's latency runs from the start of its POST to the end of its\n"
    "answer; journey run answers 200 only once the events are committed, so it is the\n"
    "time from request to commit.\n"
    "\n"
    "Options:\n"
    "  --clients N      concurrent clients, 1 to 256 (default 1)\n"
    "  --batch N        N events per POST /v1/batch request ({\"batch\": [...]}), 1 to\n"
    "                   100000; without it, one event per request, to /v1/track,\n"
    "                   /v1/identify or /v1/page as the event's \"type\" says (the\n"
    "                   body is the line itself)\n"
    "  --limit N        post only the first N events of FILE\n"
    "  --timeout S      seconds a request may take before it counts as failed\n"
    "                   (default 60)\n"
    "  --write-key KEY  send HTTP Basic credentials with KEY as the user (journey run\n"
    "                   --write-key)\n"
    "  -h, --help       show this help and exit\n"
    "\n"
    "Output: one line of key=value pairs on standard output:\n"
    "  requests=1000 events=1000 failed=0 seconds=1.250 events_per_second=800.0\n"
    "  requests_per_second=800.0 latency_p50_ms=9.812 latency_p90_ms=12.004\n"
    "  latency_p99_ms=20.530 latency_max_ms=31.200\n"
    "requests and events are those posted; seconds runs from the first request's start\n"
    "to the last one's end; the rates and the latencies (nearest-rank percentiles) count\n"
    "only the requests answered 200. Any other answer, or a request that got none,\n"
    "counts as failed, and the first failure is named on standard error.\n"
    "\n"
    "Exit status: 0 every request answered 200; 1 a request failed, or FILE could not\n"
    "be read or has an event no single-event endpoint takes; 64 usage; 70 internal\n"
    "failure (out of memory, no thread or libcurl handle could be made).\n";

/* ---- options ---------------------------------------------------------------------------- */

typedef struct options {
    const char *url; /* without a trailing '/' */
    const char *file;
    uint32_t clients;
    uint32_t batch;  /* 0: one event per request */
    uint64_t limit;  /* 0: every event */
    long timeout_ms;
    const char *write_key;
} options;

static int usage_error(const char *message, const char *argument)
{
    fprintf(stderr, "post_events: %s%s%s\nTry 'post_events --help' for more information.\n", message,
            argument ? ": " : "", argument ? argument : "");
    return EXIT_USAGE;
}

static bool parse_count(const char *text, uint64_t low, uint64_t high, uint64_t *value)
{
    if (!text || !*text || *text == '-') return false;
    char *end;
    errno = 0;
    unsigned long long parsed = strtoull(text, &end, 10);
    if (errno || *end || parsed < low || parsed > high) return false;
    *value = parsed;
    return true;
}

/* Fills options from the command line; EXIT_CLEAN to go on, else the exit status
 * (after --help, or a usage error already reported). */
static int parse_options(int argc, char **argv, options *out, char *url_buffer, size_t url_size, bool *help)
{
    *out = (options){ .clients = 1, .timeout_ms = 60000 };
    *help = false;
    const char *positional[2];
    int positional_count = 0;
    for (int i = 1; i < argc; i++) {
        const char *option = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(option, "-h") == 0 || strcmp(option, "--help") == 0) {
            *help = true;
            return EXIT_CLEAN;
        }
        if (option[0] != '-' || strcmp(option, "-") == 0) {
            if (positional_count == 2) return usage_error("one URL and one FILE, not more", option);
            positional[positional_count++] = option;
            continue;
        }
        static const char *const valued[] = { "--clients", "--batch", "--limit", "--timeout", "--write-key" };
        bool known = false;
        for (size_t v = 0; v < sizeof valued / sizeof valued[0]; v++) known |= strcmp(option, valued[v]) == 0;
        if (!known) return usage_error("unknown option", option);
        if (!value) return usage_error("missing value after", option);
        i++;
        uint64_t number;
        if (strcmp(option, "--clients") == 0) {
            if (!parse_count(value, 1, CLIENTS_MAX, &number)) return usage_error("--clients takes 1 to 256", value);
            out->clients = (uint32_t)number;
        } else if (strcmp(option, "--batch") == 0) {
            if (!parse_count(value, 1, BATCH_MAX, &number)) return usage_error("--batch takes 1 to 100000", value);
            out->batch = (uint32_t)number;
        } else if (strcmp(option, "--limit") == 0) {
            if (!parse_count(value, 1, UINT64_MAX / 2, &out->limit)) return usage_error("--limit takes a count", value);
        } else if (strcmp(option, "--timeout") == 0) {
            if (!parse_count(value, 1, 86400, &number)) return usage_error("--timeout takes 1 to 86400 seconds", value);
            out->timeout_ms = (long)number * 1000;
        } else {
            out->write_key = value;
        }
    }
    if (positional_count < 2) return usage_error("a URL and a FILE are needed", NULL);
    const char *url = positional[0];
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return usage_error("URL must start with http:// or https://", url);
    size_t length = strlen(url);
    while (length > 0 && url[length - 1] == '/') length--;
    if (length >= url_size) return usage_error("URL is too long", url);
    memcpy(url_buffer, url, length);
    url_buffer[length] = '\0';
    out->url = url_buffer;
    out->file = positional[1];
    return EXIT_CLEAN;
}

/* ---- the workload ------------------------------------------------------------------------ */

/* One line of the file: where it starts in the text, its length without the line
 * break, and its number in the file (for messages). */
typedef struct event_line {
    size_t offset, length;
    uint64_t number;
} event_line;

typedef struct workload {
    char *text;
    size_t text_length, text_capacity;
    event_line *lines;
    size_t count, capacity;
} workload;

static void workload_free(workload *w)
{
    free(w->text);
    free(w->lines);
}

static bool is_blank(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r') return false;
    return true;
}

static bool grow(void **items, size_t *capacity, size_t needed, size_t item_size)
{
    if (needed <= *capacity) return true;
    size_t grown = *capacity ? *capacity : 4096;
    while (grown < needed) grown *= 2;
    void *moved = realloc(*items, grown * item_size);
    if (!moved) return false;
    *items = moved;
    *capacity = grown;
    return true;
}

typedef enum load_status { LOAD_OK, LOAD_UNREADABLE, LOAD_NO_MEMORY } load_status;

/* Reads the non-blank lines of path, up to limit (0: all), into w; on
 * LOAD_UNREADABLE, *error_number says why. */
static load_status workload_load(const char *path, uint64_t limit, workload *w, int *error_number)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        *error_number = errno;
        return LOAD_UNREADABLE;
    }
    char *line = NULL;
    size_t line_capacity = 0;
    uint64_t number = 0;
    load_status status = LOAD_OK;
    ssize_t read;
    while ((limit == 0 || w->count < limit) && (read = getline(&line, &line_capacity, in)) >= 0) {
        number++;
        size_t length = (size_t)read;
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r')) length--;
        if (is_blank(line, length)) continue;
        if (!grow((void **)&w->text, &w->text_capacity, w->text_length + length, 1) ||
            !grow((void **)&w->lines, &w->capacity, w->count + 1, sizeof *w->lines)) {
            status = LOAD_NO_MEMORY;
            break;
        }
        memcpy(w->text + w->text_length, line, length);
        w->lines[w->count++] = (event_line){ w->text_length, length, number };
        w->text_length += length;
    }
    if (status == LOAD_OK && ferror(in)) {
        *error_number = errno;
        status = LOAD_UNREADABLE;
    }
    free(line);
    fclose(in);
    return status;
}

/* The end of the JSON string whose first character (after the opening quote) is at
 * start: the index of its closing quote, or length if it has none. */
static size_t string_end(const char *text, size_t length, size_t start)
{
    for (size_t i = start; i < length; i++) {
        if (text[i] == '\\') i++;
        else if (text[i] == '"') return i;
    }
    return length;
}

/* The value of the top-level "type" member of the JSON object in text, when it is a
 * string. Walks the object's members at depth 1 only, so a "type" inside
 * "properties" (an event property of that name) is not taken for the call's type. */
static bool top_level_type(const char *text, size_t length, const char **type, size_t *type_length)
{
    size_t i = 0;
    while (i < length && (text[i] == ' ' || text[i] == '\t')) i++;
    if (i >= length || text[i] != '{') return false;
    int depth = 1;
    bool expecting_key = true, in_type_value = false;
    for (i++; i < length && depth > 0; i++) {
        char c = text[i];
        if (c == '"') {
            size_t end = string_end(text, length, i + 1);
            if (end >= length) return false;
            if (depth == 1 && expecting_key) {
                in_type_value = end - (i + 1) == 4 && memcmp(text + i + 1, "type", 4) == 0;
                expecting_key = false;
            } else if (depth == 1 && in_type_value) {
                *type = text + i + 1;
                *type_length = end - (i + 1);
                return true;
            }
            i = end;
        } else if (c == '{' || c == '[') {
            depth++;
            in_type_value = false; /* "type" holds an object or array: not a call's type */
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == ',' && depth == 1) {
            expecting_key = true;
            in_type_value = false;
        }
    }
    return false;
}

/* ---- requests ------------------------------------------------------------------------------ */

typedef struct request {
    const char *path;   /* "/v1/track" ... */
    const char *body;   /* into the workload's text, or owned (batches) */
    size_t length;
    bool owns_body;
    uint32_t events;
    uint64_t first_line; /* the line number of its first event */
} request;

typedef struct request_list {
    request *items;
    size_t count;
} request_list;

static void request_list_free(request_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        if (list->items[i].owns_body) free((char *)list->items[i].body);
    free(list->items);
}

static const char *single_event_path(const char *type, size_t length)
{
    static const char *const types[] = { "track", "identify", "page" };
    static const char *const paths[] = { "/v1/track", "/v1/identify", "/v1/page" };
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
        if (strlen(types[t]) == length && memcmp(types[t], type, length) == 0) return paths[t];
    return NULL;
}

typedef enum build_status { BUILD_OK, BUILD_BAD_EVENT, BUILD_NO_MEMORY } build_status;

/* One request per event, to the endpoint of its type. On BUILD_BAD_EVENT, message
 * names the line and what is wrong with it. */
static build_status requests_one_per_event(const options *o, const workload *w, request_list *out, char *message,
                                           size_t message_size)
{
    out->items = calloc(w->count ? w->count : 1, sizeof *out->items);
    if (!out->items) return BUILD_NO_MEMORY;
    for (size_t i = 0; i < w->count; i++) {
        const event_line *line = &w->lines[i];
        const char *text = w->text + line->offset, *type = NULL, *path = NULL;
        size_t type_length = 0;
        if (top_level_type(text, line->length, &type, &type_length)) path = single_event_path(type, type_length);
        if (!path) {
            if (type)
                snprintf(message, message_size,
                         "%s:%" PRIu64 ": a \"%.*s\" call has no single-event endpoint (track, identify, page); "
                         "post it with --batch",
                         o->file, line->number, (int)(type_length > 40 ? 40 : type_length), type);
            else
                snprintf(message, message_size, "%s:%" PRIu64 ": not a JSON object with a string \"type\"", o->file,
                         line->number);
            return BUILD_BAD_EVENT;
        }
        out->items[out->count++] = (request){ path, text, line->length, false, 1, line->number };
    }
    return BUILD_OK;
}

/* One /v1/batch request per o->batch events (the last may hold fewer). */
static build_status requests_batched(const options *o, const workload *w, request_list *out)
{
    size_t count = (w->count + o->batch - 1) / o->batch;
    out->items = calloc(count ? count : 1, sizeof *out->items);
    if (!out->items) return BUILD_NO_MEMORY;
    static const char head[] = "{\"batch\":[", tail[] = "]}";
    for (size_t first = 0; first < w->count; first += o->batch) {
        size_t last = first + o->batch < w->count ? first + o->batch : w->count;
        size_t length = sizeof head - 1 + sizeof tail - 1;
        for (size_t i = first; i < last; i++) length += w->lines[i].length + 1;
        char *body = malloc(length + 1);
        if (!body) return BUILD_NO_MEMORY;
        size_t at = 0;
        memcpy(body + at, head, sizeof head - 1);
        at += sizeof head - 1;
        for (size_t i = first; i < last; i++) {
            if (i > first) body[at++] = ',';
            memcpy(body + at, w->text + w->lines[i].offset, w->lines[i].length);
            at += w->lines[i].length;
        }
        memcpy(body + at, tail, sizeof tail - 1);
        at += sizeof tail - 1;
        body[at] = '\0';
        out->items[out->count++] =
            (request){ "/v1/batch", body, at, true, (uint32_t)(last - first), w->lines[first].number };
    }
    return BUILD_OK;
}

/* ---- posting --------------------------------------------------------------------------------- */

/* What the clients share: the requests, the next one to take, and the results. */
typedef struct load_run {
    const options *options;
    const request_list *requests;
    atomic_size_t next;
    double *latency_ms;   /* per request; negative for a failed one */
    atomic_size_t failed;
    pthread_mutex_t failure_lock;
    char first_failure[FAILURE_MESSAGE_MAX];
} load_run;

/* One client: its handle and the start of the answer it is reading. */
typedef struct client {
    load_run *run;
    CURL *handle;
    struct curl_slist *headers;
    char answer[ANSWER_KEPT + 1];
    size_t answer_length;
    char error[CURL_ERROR_SIZE];
    pthread_t thread;
} client;

static double monotonic_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Keeps the first ANSWER_KEPT bytes of the answer, for a failure's message. */
static size_t keep_answer(char *data, size_t size, size_t count, void *user)
{
    client *c = user;
    size_t length = size * count, room = ANSWER_KEPT - c->answer_length;
    size_t kept = length < room ? length : room;
    memcpy(c->answer + c->answer_length, data, kept);
    c->answer_length += kept;
    c->answer[c->answer_length] = '\0';
    return length;
}

static bool client_init(client *c, load_run *run)
{
    *c = (client){ .run = run };
    c->handle = curl_easy_init();
    struct curl_slist *with_type = curl_slist_append(NULL, "Content-Type: application/json");
    /* No "Expect: 100-continue" for larger bodies: it would cost a round trip. */
    c->headers = with_type ? curl_slist_append(with_type, "Expect:") : NULL;
    if (!c->headers) curl_slist_free_all(with_type);
    if (!c->handle || !c->headers) return false;
    const options *o = run->options;
    CURLcode status = curl_easy_setopt(c->handle, CURLOPT_POST, 1L);
    if (status == CURLE_OK) status = curl_easy_setopt(c->handle, CURLOPT_HTTPHEADER, c->headers);
    if (status == CURLE_OK) status = curl_easy_setopt(c->handle, CURLOPT_NOSIGNAL, 1L);
    if (status == CURLE_OK) status = curl_easy_setopt(c->handle, CURLOPT_TIMEOUT_MS, o->timeout_ms);
    if (status == CURLE_OK) status = curl_easy_setopt(c->handle, CURLOPT_WRITEFUNCTION, keep_answer);
    if (status == CURLE_OK) status = curl_easy_setopt(c->handle, CURLOPT_WRITEDATA, c);
    if (status == CURLE_OK) status = curl_easy_setopt(c->handle, CURLOPT_ERRORBUFFER, c->error);
    if (status == CURLE_OK && o->write_key) {
        status = curl_easy_setopt(c->handle, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        if (status == CURLE_OK) status = curl_easy_setopt(c->handle, CURLOPT_USERNAME, o->write_key);
        if (status == CURLE_OK) status = curl_easy_setopt(c->handle, CURLOPT_PASSWORD, "");
    }
    return status == CURLE_OK;
}

static void client_free(client *c)
{
    if (c->handle) curl_easy_cleanup(c->handle);
    curl_slist_free_all(c->headers);
}

/* Counts a failed request, and keeps the message of the first one. */
static void record_failure(load_run *run, const request *r, const char *what)
{
    atomic_fetch_add(&run->failed, 1);
    pthread_mutex_lock(&run->failure_lock);
    if (!run->first_failure[0])
        snprintf(run->first_failure, sizeof run->first_failure, "POST %s (%s:%" PRIu64 "): %s", r->path,
                 run->options->file, r->first_line, what);
    pthread_mutex_unlock(&run->failure_lock);
}

/* Posts one request over the client's connection and records its latency. */
static void post_request(client *c, size_t index)
{
    load_run *run = c->run;
    const request *r = &run->requests->items[index];
    char url[4096];
    snprintf(url, sizeof url, "%s%s", run->options->url, r->path);
    c->answer_length = 0;
    c->answer[0] = '\0';
    c->error[0] = '\0';
    CURLcode status = curl_easy_setopt(c->handle, CURLOPT_URL, url);
    if (status == CURLE_OK) status = curl_easy_setopt(c->handle, CURLOPT_POSTFIELDS, r->body);
    if (status == CURLE_OK) status = curl_easy_setopt(c->handle, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->length);
    double started = monotonic_seconds();
    if (status == CURLE_OK) status = curl_easy_perform(c->handle);
    double finished = monotonic_seconds();
    run->latency_ms[index] = -1;
    char what[FAILURE_MESSAGE_MAX];
    if (status != CURLE_OK) {
        snprintf(what, sizeof what, "%s", c->error[0] ? c->error : curl_easy_strerror(status));
        record_failure(run, r, what);
        return;
    }
    long code = 0;
    curl_easy_getinfo(c->handle, CURLINFO_RESPONSE_CODE, &code);
    if (code != 200) {
        snprintf(what, sizeof what, "HTTP %ld: %s", code, c->answer);
        record_failure(run, r, what);
        return;
    }
    run->latency_ms[index] = (finished - started) * 1000;
}

static void *client_main(void *argument)
{
    client *c = argument;
    size_t count = c->run->requests->count, index;
    while ((index = atomic_fetch_add(&c->run->next, 1)) < count) post_request(c, index);
    return NULL;
}

/* ---- the figures ----------------------------------------------------------------------------- */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The nearest-rank percentile of the sorted values: the smallest value that at least
 * percent % of them do not exceed (0 when there are none). */
static double percentile(const double *sorted, size_t count, unsigned percent)
{
    if (count == 0) return 0;
    size_t rank = (percent * count + 99) / 100;
    return sorted[rank ? rank - 1 : 0];
}

/* Prints the result line; false when out of memory. */
static bool print_figures(const load_run *run, double seconds)
{
    const request_list *requests = run->requests;
    size_t answered = 0;
    uint64_t events = 0, events_answered = 0;
    double *sorted = malloc(sizeof *sorted * (requests->count ? requests->count : 1));
    if (!sorted) return false;
    for (size_t i = 0; i < requests->count; i++) {
        events += requests->items[i].events;
        if (run->latency_ms[i] < 0) continue;
        sorted[answered++] = run->latency_ms[i];
        events_answered += requests->items[i].events;
    }
    qsort(sorted, answered, sizeof *sorted, compare_doubles);
    double rate_base = seconds > 0 ? seconds : 1e-9;
    printf("requests=%zu events=%" PRIu64 " failed=%zu seconds=%.3f events_per_second=%.1f requests_per_second=%.1f "
           "latency_p50_ms=%.3f latency_p90_ms=%.3f latency_p99_ms=%.3f latency_max_ms=%.3f\n",
           requests->count, events, requests->count - answered, seconds, (double)events_answered / rate_base,
           (double)answered / rate_base, percentile(sorted, answered, 50), percentile(sorted, answered, 90),
           percentile(sorted, answered, 99), answered ? sorted[answered - 1] : 0.0);
    free(sorted);
    return fflush(stdout) == 0;
}

/* Starts the clients, waits for them and returns the seconds they took, or a
 * negative number when a thread could not be started (the others are stopped). */
static double run_clients(load_run *run, client *clients, uint32_t count)
{
    double started = monotonic_seconds();
    uint32_t running = 0;
    for (; running < count; running++)
        if (pthread_create(&clients[running].thread, NULL, client_main, &clients[running]) != 0) break;
    if (running < count) atomic_store(&run->next, run->requests->count);
    for (uint32_t i = 0; i < running; i++) pthread_join(clients[i].thread, NULL);
    return running < count ? -1 : monotonic_seconds() - started;
}

/* Posts the requests with o->clients clients and prints the figures; the exit status. */
static int post_all(const options *o, const request_list *requests)
{
    load_run run = { .options = o, .requests = requests };
    atomic_init(&run.next, 0);
    atomic_init(&run.failed, 0);
    pthread_mutex_init(&run.failure_lock, NULL);
    run.latency_ms = calloc(requests->count ? requests->count : 1, sizeof *run.latency_ms);
    client *clients = calloc(o->clients, sizeof *clients);
    int exit_status = EXIT_INTERNAL;
    uint32_t ready = 0;
    if (!run.latency_ms || !clients) {
        fputs("post_events: out of memory\n", stderr);
        goto done;
    }
    for (; ready < o->clients; ready++) {
        if (!client_init(&clients[ready], &run)) {
            ready++; /* client_init left something to free */
            fputs("post_events: cannot make a libcurl handle\n", stderr);
            goto done;
        }
    }
    double seconds = run_clients(&run, clients, o->clients);
    if (seconds < 0) {
        fputs("post_events: cannot start a client thread\n", stderr);
        goto done;
    }
    if (!print_figures(&run, seconds)) {
        fputs("post_events: out of memory, or standard output cannot be written\n", stderr);
        goto done;
    }
    size_t failed = atomic_load(&run.failed);
    if (failed) {
        fprintf(stderr, "post_events: %zu of %zu requests failed; the first: %s\n", failed, requests->count,
                run.first_failure);
        exit_status = EXIT_FAILED;
    } else {
        exit_status = EXIT_CLEAN;
    }
done:
    for (uint32_t i = 0; i < ready; i++) client_free(&clients[i]);
    free(clients);
    free(run.latency_ms);
    pthread_mutex_destroy(&run.failure_lock);
    return exit_status;
}

int main(int argc, char **argv)
{
    options o;
    char url[2048];
    bool help;
    int status = parse_options(argc, argv, &o, url, sizeof url, &help);
    if (status != EXIT_CLEAN) return status;
    if (help) {
        fputs(usage_text, stdout);
        return EXIT_CLEAN;
    }

    workload events = { 0 };
    int error_number = 0;
    load_status loaded = workload_load(o.file, o.limit, &events, &error_number);
    if (loaded != LOAD_OK) {
        if (loaded == LOAD_NO_MEMORY) fprintf(stderr, "post_events: out of memory reading '%s'\n", o.file);
        else fprintf(stderr, "post_events: cannot read '%s': %s\n", o.file, strerror(error_number));
        workload_free(&events);
        return loaded == LOAD_NO_MEMORY ? EXIT_INTERNAL : EXIT_FAILED;
    }
    if (events.count == 0) {
        fprintf(stderr, "post_events: '%s' has no events\n", o.file);
        workload_free(&events);
        return EXIT_FAILED;
    }

    request_list requests = { 0 };
    char message[FAILURE_MESSAGE_MAX] = "";
    build_status built = o.batch ? requests_batched(&o, &events, &requests)
                                 : requests_one_per_event(&o, &events, &requests, message, sizeof message);
    if (built != BUILD_OK) {
        if (built == BUILD_NO_MEMORY) fputs("post_events: out of memory making the requests\n", stderr);
        else fprintf(stderr, "post_events: %s\n", message);
        request_list_free(&requests);
        workload_free(&events);
        return built == BUILD_NO_MEMORY ? EXIT_INTERNAL : EXIT_FAILED;
    }

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("post_events: cannot initialize libcurl\n", stderr);
        status = EXIT_INTERNAL;
    } else {
        status = post_all(&o, &requests);
        curl_global_cleanup();
    }
    request_list_free(&requests);
    workload_free(&events);
    return status;
}
