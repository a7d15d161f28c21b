/* action_sink.c: the transports of journey run's actions (action_sink.h): a JSON Lines
 * file, standard output, and an HTTP webhook through libcurl. spec/sinks.md is their
 * contract: formats, headers, how statuses are classified, what a flush makes durable.
 *
 * Signals: a write to a closed pipe raises SIGPIPE, which journey run ignores (it sets
 * SIG_IGN at start), so here it is the error EPIPE and a failed flush, never a crash.
 * Standard output that is a socket is written with send(MSG_NOSIGNAL), which needs no
 * such help; libcurl is told CURLOPT_NOSIGNAL and guards its own sockets. */
#include "action_sink.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef JOURNEY_VERSION
#define JOURNEY_VERSION "0.0.0-dev"
#endif

enum {
    SINK_DEFAULT_TIMEOUT_MS = 10000,
    SINK_RESPONSE_LIMIT = 1 << 20, /* bytes of a webhook's answer read, then dropped */
    SINK_TAIL_CHUNK = 4096,        /* bytes read at a time looking for a file's last line break */
    SINK_FIRST_CAPACITY = 4096,
};

typedef enum sink_kind { SINK_KIND_FILE, SINK_KIND_STDOUT, SINK_KIND_WEBHOOK } sink_kind;

/* A file or standard output: records wait in memory until a flush writes them. */
typedef struct line_output {
    int fd;
    bool regular;          /* a regular file: fdatasync'ed at each flush */
    bool socket;           /* written with send(MSG_NOSIGNAL) */
    bool can_cut_back;     /* our own regular file: a failed flush is undone by ftruncate */
    bool needs_cut_back;   /* ... and that undoing has not succeeded yet */
    bool torn;             /* stdout: a failed flush left part of a line behind */
    off_t flushed_length;  /* the file's length after the last successful flush */
    char *pending;
    size_t pending_length, pending_capacity;
} line_output;

typedef struct webhook {
    CURL *handle;
    struct curl_slist *headers; /* the headers every request carries */
    size_t response_bytes;      /* of the answer being read */
    bool response_too_long;
    char error[CURL_ERROR_SIZE];
} webhook;

struct action_sink {
    sink_kind kind;
    char *name; /* "'actions.jsonl'", "standard output" or the URL, for messages */
    line_output lines;
    webhook hook;
};

__attribute__((format(printf, 3, 4))) static bool sink_fail(char *message, size_t size, const char *format, ...)
{
    if (message && size > 0) {
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(message, size, format, arguments);
        va_end(arguments);
    }
    return false;
}

/* ---- files and standard output -------------------------------------------------------- */

/* Cuts off a last line that has no line break: the tail of a write that a crash tore,
 * which the runner never counted delivered (it only counts a successful flush). */
static bool cut_torn_line(int fd, off_t length, off_t *kept, const char *path, char *message, size_t size)
{
    char chunk[SINK_TAIL_CHUNK];
    off_t end = length;
    *kept = 0;
    while (end > 0) {
        off_t start = end > SINK_TAIL_CHUNK ? end - SINK_TAIL_CHUNK : 0;
        size_t want = (size_t)(end - start);
        ssize_t got = pread(fd, chunk, want, start);
        if (got < 0 && errno == EINTR) continue;
        if (got != (ssize_t)want) {
            return sink_fail(message, size, "cannot read '%s': %s", path, got < 0 ? strerror(errno) : "file shrank");
        }
        size_t at = want;
        while (at > 0 && chunk[at - 1] != '\n') at--;
        if (at > 0) {
            *kept = start + (off_t)at;
            break;
        }
        end = start;
    }
    if (*kept == length) return true;
    if (ftruncate(fd, *kept) != 0 || fdatasync(fd) != 0) {
        return sink_fail(message, size, "cannot cut the incomplete last line of '%s': %s", path, strerror(errno));
    }
    return true;
}

static bool open_file(const char *path, line_output *out, char *message, size_t size)
{
    int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return sink_fail(message, size, "cannot open '%s': %s", path, strerror(errno));
    out->fd = fd;
    struct stat status;
    if (fstat(fd, &status) != 0) return sink_fail(message, size, "cannot stat '%s': %s", path, strerror(errno));
    /* A device or a FIFO (/dev/null, a named pipe) is written as it comes: nothing to
     * repair, nothing to cut back, nothing to sync. */
    if (!S_ISREG(status.st_mode)) return true;
    out->regular = true;
    out->can_cut_back = true;
    /* Two runners appending to one file would tear each other's lines, and one's repair
     * would cut the other's line in progress. */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) return sink_fail(message, size, "'%s' is in use by another process", path);
        return sink_fail(message, size, "cannot lock '%s': %s", path, strerror(errno));
    }
    return cut_torn_line(fd, status.st_size, &out->flushed_length, path, message, size);
}

static bool open_stdout(line_output *out, char *message, size_t size)
{
    out->fd = STDOUT_FILENO;
    struct stat status;
    if (fstat(STDOUT_FILENO, &status) != 0) {
        return sink_fail(message, size, "cannot use standard output: %s", strerror(errno));
    }
    out->regular = S_ISREG(status.st_mode);
    out->socket = S_ISSOCK(status.st_mode);
    return true;
}

static sink_result buffer_line(line_output *out, const char *record, size_t length, char *message, size_t size)
{
    if (memchr(record, '\n', length)) {
        sink_fail(message, size, "the record holds a line break");
        return SINK_REJECTED;
    }
    size_t needed = out->pending_length + length + 1;
    if (needed > out->pending_capacity) {
        size_t capacity = out->pending_capacity ? out->pending_capacity : SINK_FIRST_CAPACITY;
        while (capacity < needed) capacity *= 2;
        char *grown = realloc(out->pending, capacity);
        if (!grown) {
            sink_fail(message, size, "out of memory");
            return SINK_RETRY;
        }
        out->pending = grown;
        out->pending_capacity = capacity;
    }
    memcpy(out->pending + out->pending_length, record, length);
    out->pending[out->pending_length + length] = '\n';
    out->pending_length = needed;
    return SINK_DELIVERED;
}

/* Writes all of data, through partial writes, interruptions and a non-blocking
 * descriptor; *written counts what went out, also when it fails (errno says why). */
static bool write_all(const line_output *out, const char *data, size_t length, size_t *written)
{
    *written = 0;
    while (*written < length) {
        ssize_t count = out->socket ? send(out->fd, data + *written, length - *written, MSG_NOSIGNAL)
                                    : write(out->fd, data + *written, length - *written);
        if (count > 0) {
            *written += (size_t)count;
        } else if (count < 0 && errno == EAGAIN) {
            struct pollfd ready = { .fd = out->fd, .events = POLLOUT };
            if (poll(&ready, 1, -1) < 0 && errno != EINTR) return false;
        } else if (count < 0 && errno != EINTR) {
            return false;
        } else if (count == 0) {
            errno = EIO;
            return false;
        }
    }
    return true;
}

/* Undoes a failed flush of our own file: cuts it back to its length after the last
 * successful one, so that a half-written batch never stays in the file. */
static bool cut_back(line_output *out)
{
    if (ftruncate(out->fd, out->flushed_length) != 0 || fdatasync(out->fd) != 0) {
        out->needs_cut_back = true;
        return false;
    }
    out->needs_cut_back = false;
    return true;
}

/* name: "'actions.jsonl'" or "standard output", for messages. */
static bool flush_lines(line_output *out, const char *name, char *message, size_t size)
{
    if (out->needs_cut_back && !cut_back(out)) {
        out->pending_length = 0;
        return sink_fail(message, size, "cannot cut %s back after a failed write: %s", name, strerror(errno));
    }
    if (out->pending_length == 0) return true;
    size_t written = 0;
    /* A line torn on standard output cannot be taken back: end it, so the records that
     * follow stay lines of their own. */
    bool ok = !out->torn || write_all(out, "\n", 1, &written);
    if (ok) out->torn = false;
    ok = ok && write_all(out, out->pending, out->pending_length, &written);
    ok = ok && (!out->regular || fdatasync(out->fd) == 0);
    if (ok) {
        out->flushed_length += (off_t)out->pending_length;
        out->pending_length = 0;
        return true;
    }
    /* None of the batch counts: the runner delivers those records again, so they are
     * dropped here, and our file goes back to what the last flush left. */
    int error = errno;
    if (out->can_cut_back) {
        cut_back(out);
    } else if (written > 0 && out->pending[written - 1] != '\n') {
        out->torn = true;
    }
    out->pending_length = 0;
    return sink_fail(message, size, "cannot write %s: %s", name, strerror(error));
}

/* ---- webhooks ------------------------------------------------------------------------- */

static pthread_once_t libcurl_once = PTHREAD_ONCE_INIT;
static CURLcode libcurl_status = CURLE_FAILED_INIT;

static void initialize_libcurl(void) { libcurl_status = curl_global_init(CURL_GLOBAL_DEFAULT); }

/* A header as --header gives it: "Name: value", the name a token, no line breaks. */
static bool valid_header(const char *header)
{
    const char *colon = strchr(header, ':');
    if (!colon || colon == header || strpbrk(header, "\r\n")) return false;
    for (const unsigned char *c = (const unsigned char *)header; c < (const unsigned char *)colon; c++) {
        if (*c <= ' ' || *c >= 127 || strchr("\"(),/;<=>?@[\\]{}", *c)) return false;
    }
    return true;
}

static bool header_named(const char *header, const char *name)
{
    size_t length = strlen(name);
    return strncasecmp(header, name, length) == 0 && header[length] == ':';
}

static bool build_headers(const action_sink_options *options, webhook *hook, char *message, size_t size)
{
    bool own_content_type = false;
    for (uint32_t i = 0; i < options->header_count; i++) {
        const char *header = options->headers[i];
        if (!valid_header(header)) return sink_fail(message, size, "header '%s' is not 'Name: value'", header);
        if (header_named(header, "Idempotency-Key")) {
            return sink_fail(message, size, "the Idempotency-Key header is each action's key; it cannot be given");
        }
        own_content_type = own_content_type || header_named(header, "Content-Type");
        struct curl_slist *list = curl_slist_append(hook->headers, header);
        if (!list) return sink_fail(message, size, "out of memory");
        hook->headers = list;
    }
    /* "Expect:" stops libcurl from asking for 100 Continue before large bodies, a round
     * trip (or a one-second wait) that a webhook does not need. */
    const char *defaults[] = { own_content_type ? NULL : "Content-Type: application/json", "Expect:" };
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        if (!defaults[i]) continue;
        struct curl_slist *list = curl_slist_append(hook->headers, defaults[i]);
        if (!list) return sink_fail(message, size, "out of memory");
        hook->headers = list;
    }
    return true;
}

/* Reads the answer's body and drops it; past SINK_RESPONSE_LIMIT the transfer stops
 * (the status is known by then, and it decides). */
static size_t drop_response(char *data, size_t item_size, size_t count, void *user)
{
    (void)data;
    webhook *hook = user;
    size_t length = item_size * count;
    hook->response_bytes += length;
    if (hook->response_bytes > SINK_RESPONSE_LIMIT) {
        hook->response_too_long = true;
        return 0;
    }
    return length;
}

static bool check_url(const char *url, char *message, size_t size)
{
    CURLU *parsed = curl_url();
    if (!parsed) return sink_fail(message, size, "out of memory");
    char *host = NULL;
    CURLUcode status = curl_url_set(parsed, CURLUPART_URL, url, 0);
    if (status == CURLUE_OK) status = curl_url_get(parsed, CURLUPART_HOST, &host, 0);
    curl_free(host);
    curl_url_cleanup(parsed);
    if (status != CURLUE_OK) {
        return sink_fail(message, size, "'%s' is not a usable URL: %s", url, curl_url_strerror(status));
    }
    return true;
}

/* One handle for every request, so that its connection stays open between them
 * (keep-alive). Redirects are not followed: an action posted under its idempotency key
 * should reach the receiver it was configured for, or fail visibly, not land somewhere
 * else; a 3xx is therefore a rejection. */
static bool open_webhook(const char *url, const action_sink_options *options, webhook *hook, char *message, size_t size)
{
    pthread_once(&libcurl_once, initialize_libcurl);
    if (libcurl_status != CURLE_OK) {
        return sink_fail(message, size, "cannot initialize libcurl: %s", curl_easy_strerror(libcurl_status));
    }
    if (!check_url(url, message, size) || !build_headers(options, hook, message, size)) return false;
    hook->handle = curl_easy_init();
    if (!hook->handle) return sink_fail(message, size, "cannot initialize libcurl: out of memory");
    long timeout_ms = options->timeout_ms ? (long)options->timeout_ms : SINK_DEFAULT_TIMEOUT_MS;
    CURL *handle = hook->handle;
    CURLcode status = curl_easy_setopt(handle, CURLOPT_URL, url);
    if (status == CURLE_OK) status = curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    if (status == CURLE_OK) status = curl_easy_setopt(handle, CURLOPT_POST, 1L);
    if (status == CURLE_OK) status = curl_easy_setopt(handle, CURLOPT_HTTPHEADER, hook->headers);
    if (status == CURLE_OK) status = curl_easy_setopt(handle, CURLOPT_USERAGENT, "journey/" JOURNEY_VERSION);
    if (status == CURLE_OK) status = curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    if (status == CURLE_OK) status = curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    if (status == CURLE_OK) status = curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms);
    if (status == CURLE_OK) status = curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, drop_response);
    if (status == CURLE_OK) status = curl_easy_setopt(handle, CURLOPT_WRITEDATA, hook);
    if (status == CURLE_OK) status = curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, hook->error);
    if (status != CURLE_OK) return sink_fail(message, size, "cannot set up libcurl: %s", curl_easy_strerror(status));
    return true;
}

/* 2xx accepted; 408 (request timeout), 429 (too many requests) and 5xx may pass;
 * everything else (3xx not followed, 4xx) will not. */
static sink_result classify_status(long status, char *message, size_t size)
{
    if (status >= 200 && status <= 299) return SINK_DELIVERED;
    sink_fail(message, size, "HTTP %ld", status);
    if (status == 408 || status == 429 || (status >= 500 && status <= 599)) return SINK_RETRY;
    return SINK_REJECTED;
}

/* A transfer that failed before an answer: refused, reset, timed out, unresolved
 * name, TLS trouble. Each may pass, so each is a retry; curl's own text says which. */
static sink_result transfer_failed(webhook *hook, CURLcode code, char *message, size_t size)
{
    const char *text = hook->error[0] ? hook->error : curl_easy_strerror(code);
    long os_error = 0;
    curl_easy_getinfo(hook->handle, CURLINFO_OS_ERRNO, &os_error);
    const char *reason = os_error ? strerror((int)os_error) : NULL;
    if (reason && !strstr(text, reason)) {
        sink_fail(message, size, "%s (%s)", text, reason);
    } else {
        sink_fail(message, size, "%s", text);
    }
    return SINK_RETRY;
}

static sink_result post_record(webhook *hook, const char *key, const char *record, size_t length, char *message,
                               size_t size)
{
    if (strpbrk(key, "\r\n")) {
        sink_fail(message, size, "the idempotency key holds a line break");
        return SINK_REJECTED;
    }
    static const char key_name[] = "Idempotency-Key: ";
    size_t key_length = strlen(key);
    char *key_header = malloc(sizeof key_name + key_length);
    if (!key_header) {
        sink_fail(message, size, "out of memory");
        return SINK_RETRY;
    }
    memcpy(key_header, key_name, sizeof key_name - 1);
    memcpy(key_header + sizeof key_name - 1, key, key_length + 1);
    /* The key's header goes in front of the shared list without copying it: libcurl only
     * reads the list, and only during curl_easy_perform. */
    struct curl_slist key_line = { .data = key_header, .next = hook->headers };
    CURL *handle = hook->handle;
    hook->error[0] = '\0';
    hook->response_bytes = 0;
    hook->response_too_long = false;
    CURLcode code = curl_easy_setopt(handle, CURLOPT_HTTPHEADER, &key_line);
    if (code == CURLE_OK) code = curl_easy_setopt(handle, CURLOPT_POSTFIELDS, record);
    if (code == CURLE_OK) code = curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)length);
    if (code == CURLE_OK) code = curl_easy_perform(handle);
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, hook->headers);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, NULL);
    free(key_header);
    bool answered = code == CURLE_OK || (code == CURLE_WRITE_ERROR && hook->response_too_long && status > 0);
    if (!answered) return transfer_failed(hook, code, message, size);
    return classify_status(status, message, size);
}

/* ---- the interface -------------------------------------------------------------------- */

static sink_kind kind_of(const char *target)
{
    if (strcmp(target, "-") == 0) return SINK_KIND_STDOUT;
    if (strncasecmp(target, "http://", 7) == 0 || strncasecmp(target, "https://", 8) == 0) return SINK_KIND_WEBHOOK;
    return SINK_KIND_FILE;
}

static char *describe_target(sink_kind kind, const char *target)
{
    if (kind == SINK_KIND_STDOUT) return strdup("standard output");
    if (kind == SINK_KIND_WEBHOOK) return strdup(target);
    size_t length = strlen(target);
    char *name = malloc(length + 3);
    if (name) snprintf(name, length + 3, "'%s'", target);
    return name;
}

bool action_sink_open(const char *target, const action_sink_options *options, action_sink **sink, char *message,
                      size_t size)
{
    *sink = NULL;
    static const action_sink_options no_options = { 0 };
    if (!options) options = &no_options;
    action_sink *opened = calloc(1, sizeof *opened);
    if (!opened) return sink_fail(message, size, "out of memory");
    opened->kind = kind_of(target);
    opened->name = describe_target(opened->kind, target);
    if (!opened->name) {
        free(opened);
        return sink_fail(message, size, "out of memory");
    }
    opened->lines.fd = -1;
    bool ok = false;
    switch (opened->kind) {
    case SINK_KIND_FILE: ok = open_file(target, &opened->lines, message, size); break;
    case SINK_KIND_STDOUT: ok = open_stdout(&opened->lines, message, size); break;
    case SINK_KIND_WEBHOOK: ok = open_webhook(target, options, &opened->hook, message, size); break;
    }
    if (!ok) {
        action_sink_close(opened);
        return false;
    }
    *sink = opened;
    return true;
}

sink_result action_sink_deliver(action_sink *sink, const char *key, const char *record, size_t length,
                                char *message, size_t size)
{
    if (sink->kind == SINK_KIND_WEBHOOK) return post_record(&sink->hook, key, record, length, message, size);
    return buffer_line(&sink->lines, record, length, message, size);
}

bool action_sink_flush(action_sink *sink, char *message, size_t size)
{
    if (sink->kind == SINK_KIND_WEBHOOK) return true;
    return flush_lines(&sink->lines, sink->name, message, size);
}

/* Records delivered to a file or stdout since the last flush are dropped: they were
 * never counted delivered. libcurl's global state stays until the process exits. */
void action_sink_close(action_sink *sink)
{
    if (!sink) return;
    if (sink->kind == SINK_KIND_FILE && sink->lines.fd >= 0) close(sink->lines.fd);
    if (sink->hook.handle) curl_easy_cleanup(sink->hook.handle);
    curl_slist_free_all(sink->hook.headers);
    free(sink->lines.pending);
    free(sink->name);
    free(sink);
}
