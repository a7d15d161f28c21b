/* run_http.c: journey run's HTTP endpoint (run_http.h, spec/ingest.md) on libmicrohttpd.
 *
 * Threads. Each connection gets a thread of its own (MHD_USE_THREAD_PER_CONNECTION):
 * a request is answered only once the loop has committed its events, and
 * ingest_queue_submit blocks its caller until then, so a handler must be free to
 * block without holding up other connections. A thread pool would need as many
 * threads as requests in flight anyway, and suspending connections would need a
 * thread to wait on the queue for them; one thread per connection, with the number
 * of connections capped, is the simple form of the same thing.
 *
 * A request goes through three calls of the handler: the first, with the headers,
 * routes it and refuses early what it can (unknown path, wrong method, wrong
 * credentials, content that is not JSON, a Content-Length over the limit); the next
 * ones collect the body up to the limit; the last normalizes it (segment_body.h),
 * checks its events against the program's schema, queues them and sends the loop's
 * answer. */
#include "run_http.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "json_out.h"
#include "run_clock.h"
#include "segment_body.h"

enum {
    HTTP_DEFAULT_MAX_BODY = 500 * 1024, /* Segment's limit for a batch */
    HTTP_CONNECTION_LIMIT = 256,        /* connections, hence threads, at once */
    HTTP_CONNECTION_TIMEOUT = 30,       /* seconds a connection may stay silent */
    HTTP_LISTEN_BACKLOG = 128,
    HTTP_DISCARD_FACTOR = 8,            /* a body over the limit is read this far, at most */
};

struct run_http {
    struct MHD_Daemon *daemon;
    int listen_socket;
    uint16_t port;
    const jr_schema *schema;
    ingest_queue *queue;
    size_t max_body;
    char *write_key; /* NULL: no authentication */
};

/* What a path serves. */
typedef enum http_route {
    ROUTE_UNKNOWN,
    ROUTE_HEALTH,
    ROUTE_EVENTS,     /* a Segment endpoint journey reads: see http_request.endpoint */
    ROUTE_NOT_SERVED, /* a Segment endpoint journey does not read (screen, group, alias) */
} http_route;

/* One request, from its headers to its answer (MHD's per-request pointer). */
typedef struct http_request {
    http_route route;
    segment_endpoint endpoint;
    bool answered;        /* a response is queued: the rest of the body is ignored */
    bool authorized;      /* by the Authorization header */
    bool too_large;       /* the body grew past max_body */
    int64_t received_at;  /* when the headers were in, milliseconds since the epoch */
    char *body;
    size_t length, capacity;
    size_t discarded; /* bytes past the limit, read and dropped */
} http_request;

/* ---- responses ------------------------------------------------------------------ */

/* Sends status with a JSON body, and the headers given (NULL: none). */
static enum MHD_Result http_respond(struct MHD_Connection *connection, http_request *request, unsigned status,
                                    const char *json, size_t length, const char *allow, bool authenticate)
{
    struct MHD_Response *response = MHD_create_response_from_buffer(length, (void *)json, MHD_RESPMEM_MUST_COPY);
    if (!response) return MHD_NO;
    bool ok = MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json") == MHD_YES;
    if (allow) ok = ok && MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow) == MHD_YES;
    if (authenticate)
        ok = ok && MHD_add_response_header(response, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                           "Basic realm=\"journey\", charset=\"UTF-8\"") == MHD_YES;
    enum MHD_Result result = ok ? MHD_queue_response(connection, status, response) : MHD_NO;
    MHD_destroy_response(response);
    if (result == MHD_YES) request->answered = true;
    return result;
}

/* Cuts a UTF-8 sequence left incomplete at the end of text (a message cut to fit its
 * buffer), so that the JSON written from it is valid UTF-8. */
static void utf8_drop_incomplete_tail(char *text)
{
    size_t length = strlen(text), start = length;
    while (start > 0 && ((unsigned char)text[start - 1] & 0xC0) == 0x80) start--;
    if (start == 0) return;
    unsigned char lead = (unsigned char)text[start - 1];
    size_t needed = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (length - (start - 1) < needed) text[start - 1] = '\0';
}

/* Sends {"error": message}. */
static enum MHD_Result http_respond_error(struct MHD_Connection *connection, http_request *request, unsigned status,
                                          const char *message, const char *allow, bool authenticate)
{
    char text[320];
    snprintf(text, sizeof text, "%s", message);
    utf8_drop_incomplete_tail(text);
    char *json = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&json, &length);
    if (!out) return MHD_NO;
    fputs("{\"error\":", out);
    json_out_string(out, text);
    fputs("}", out);
    if (fclose(out) != 0) {
        free(json);
        return MHD_NO;
    }
    enum MHD_Result result = http_respond(connection, request, status, json, length, allow, authenticate);
    free(json);
    return result;
}

/* ---- routing and early refusals --------------------------------------------------- */

/* The paths Segment's libraries post to: the long names and the one-letter ones of
 * analytics.js (/v1/t, /v1/b, ...); /v1/import is Segment's name of batch for history. */
static const struct {
    const char *path;
    http_route route;
    segment_endpoint endpoint;
} http_routes[] = {
    { "/v1/track", ROUTE_EVENTS, SEGMENT_TRACK },      { "/v1/t", ROUTE_EVENTS, SEGMENT_TRACK },
    { "/v1/identify", ROUTE_EVENTS, SEGMENT_IDENTIFY }, { "/v1/i", ROUTE_EVENTS, SEGMENT_IDENTIFY },
    { "/v1/page", ROUTE_EVENTS, SEGMENT_PAGE },        { "/v1/p", ROUTE_EVENTS, SEGMENT_PAGE },
    { "/v1/batch", ROUTE_EVENTS, SEGMENT_BATCH },      { "/v1/b", ROUTE_EVENTS, SEGMENT_BATCH },
    { "/v1/import", ROUTE_EVENTS, SEGMENT_BATCH },     { "/v1/screen", ROUTE_NOT_SERVED, 0 },
    { "/v1/s", ROUTE_NOT_SERVED, 0 },                  { "/v1/group", ROUTE_NOT_SERVED, 0 },
    { "/v1/g", ROUTE_NOT_SERVED, 0 },                  { "/v1/alias", ROUTE_NOT_SERVED, 0 },
    { "/v1/a", ROUTE_NOT_SERVED, 0 },                  { "/health", ROUTE_HEALTH, 0 },
};

/* Text from the request as a message may show it: printable ASCII, at most 60 bytes. */
static void http_printable(const char *text, char out[72])
{
    size_t length = 0;
    for (; text[length] && length < 60; length++) {
        unsigned char byte = (unsigned char)text[length];
        out[length] = byte >= 0x20 && byte < 0x7F ? (char)byte : '?';
    }
    strcpy(out + length, text[length] ? "..." : "");
}

/* The media type of a Content-Type header, without parameters, is one the endpoint
 * takes: application/json, or text/plain, which analytics.js sends its JSON as (so
 * that browsers post it without a preflight request). */
static bool http_content_type_accepted(const char *content_type)
{
    size_t length = strcspn(content_type, "; \t");
    return (length == 16 && strncasecmp(content_type, "application/json", 16) == 0) ||
           (length == 10 && strncasecmp(content_type, "text/plain", 10) == 0);
}

/* Equal strings, compared in a time that does not depend on where they differ. */
static bool http_same_key(const char *given, size_t given_length, const char *key)
{
    size_t key_length = strlen(key);
    if (given_length != key_length) return false;
    unsigned char difference = 0;
    for (size_t i = 0; i < key_length; i++) difference |= (unsigned char)(given[i] ^ key[i]);
    return difference == 0;
}

static const char http_no_write_key[] =
    "no write key: send it as the user name of HTTP Basic auth (Segment's way), or as \"writeKey\" in the body";

/* The Authorization header, when there is one, decides: Basic auth whose user name is
 * the write key (the password is not looked at). Without one, the body's "writeKey"
 * decides, once the body is read. */
static enum MHD_Result http_check_authorization(run_http *server, struct MHD_Connection *connection,
                                                http_request *request)
{
    if (!server->write_key) {
        request->authorized = true;
        return MHD_YES;
    }
    if (!MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION)) return MHD_YES;
    char *password = NULL;
    char *user = MHD_basic_auth_get_username_password(connection, &password);
    bool same = user && http_same_key(user, strlen(user), server->write_key);
    if (user) MHD_free(user);
    if (password) MHD_free(password);
    if (same) {
        request->authorized = true;
        return MHD_YES;
    }
    return http_respond_error(connection, request, MHD_HTTP_UNAUTHORIZED,
                              user ? "wrong write key" : "the Authorization header is not HTTP Basic auth", NULL, true);
}

/* The first call, with the headers: route, method, credentials, content, size. */
static enum MHD_Result http_begin(run_http *server, struct MHD_Connection *connection, const char *url,
                                  const char *method, http_request *request)
{
    char path[72];
    request->route = ROUTE_UNKNOWN;
    for (size_t i = 0; i < sizeof http_routes / sizeof http_routes[0]; i++) {
        if (strcmp(url, http_routes[i].path) != 0) continue;
        request->route = http_routes[i].route;
        request->endpoint = http_routes[i].endpoint;
    }
    http_printable(url, path);
    char message[256];
    switch (request->route) {
    case ROUTE_UNKNOWN:
        snprintf(message, sizeof message,
                 "no such path: %s (journey serves POST /v1/track, /v1/identify, /v1/page and /v1/batch, "
                 "and GET /health)", path);
        return http_respond_error(connection, request, MHD_HTTP_NOT_FOUND, message, NULL, false);
    case ROUTE_NOT_SERVED:
        snprintf(message, sizeof message, "%s is not served: journey reads track, identify and page calls", path);
        return http_respond_error(connection, request, MHD_HTTP_NOT_FOUND, message, NULL, false);
    case ROUTE_HEALTH:
        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
            return http_respond_error(connection, request, MHD_HTTP_METHOD_NOT_ALLOWED,
                                      "/health answers GET and HEAD", "GET, HEAD", false);
        return MHD_YES; /* answered at the end of the request, so the connection stays open */
    case ROUTE_EVENTS: break;
    }
    if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
        snprintf(message, sizeof message, "%s answers POST only", path);
        return http_respond_error(connection, request, MHD_HTTP_METHOD_NOT_ALLOWED, message, "POST", false);
    }
    enum MHD_Result authorization = http_check_authorization(server, connection, request);
    if (authorization != MHD_YES || request->answered) return authorization;

    const char *content_type = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (content_type && !http_content_type_accepted(content_type)) {
        char shown[72];
        http_printable(content_type, shown);
        snprintf(message, sizeof message, "Content-Type %s is not JSON (send application/json)", shown);
        return http_respond_error(connection, request, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, message, NULL, false);
    }
    const char *encoding =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
    if (encoding && strcasecmp(encoding, "identity") != 0) {
        char shown[72];
        http_printable(encoding, shown);
        snprintf(message, sizeof message, "Content-Encoding %s is not supported (send the body uncompressed)", shown);
        return http_respond_error(connection, request, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, message, NULL, false);
    }
    const char *declared = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (declared) {
        errno = 0;
        char *end;
        unsigned long long length = strtoull(declared, &end, 10);
        if (errno == 0 && *end == '\0' && length > server->max_body) {
            snprintf(message, sizeof message, "the body has %llu bytes, over the limit of %zu bytes", length,
                     server->max_body);
            return http_respond_error(connection, request, MHD_HTTP_CONTENT_TOO_LARGE, message, NULL, false);
        }
        if (errno == 0 && *end == '\0' && length > 0) {
            request->body = malloc(length);
            if (!request->body) return MHD_NO;
            request->capacity = length;
        }
    }
    return MHD_YES;
}

/* ---- the body ------------------------------------------------------------------- */

/* Keeps a piece of the body, or notes that it went past the limit. libmicrohttpd
 * cannot answer in the middle of a body, so a body of unknown length (chunked) that
 * goes past the limit is read on and dropped, to be answered 413 at its end; past
 * HTTP_DISCARD_FACTOR times the limit, the connection is closed without an answer. */
static enum MHD_Result http_collect(run_http *server, http_request *request, const char *data, size_t size)
{
    if (request->too_large || size > server->max_body - request->length) {
        request->too_large = true;
        request->discarded += size;
        return request->discarded / HTTP_DISCARD_FACTOR > server->max_body ? MHD_NO : MHD_YES;
    }
    if (request->length + size > request->capacity) {
        size_t capacity = request->capacity ? request->capacity * 2 : 16384;
        while (capacity < request->length + size) capacity *= 2;
        if (capacity > server->max_body) capacity = server->max_body;
        char *grown = realloc(request->body, capacity);
        if (!grown) return MHD_NO;
        request->body = grown;
        request->capacity = capacity;
    }
    memcpy(request->body + request->length, data, size);
    request->length += size;
    return MHD_YES;
}

/* Whether the body's writeKey lets the request in, when the header did not. */
static bool http_body_authorized(const run_http *server, const segment_body *body)
{
    return body->write_key && http_same_key(body->write_key, body->write_key_length, server->write_key);
}

/* Segment's answer, and how many calls of a batch were skipped (spec/ingest.md 4). */
static enum MHD_Result http_success(struct MHD_Connection *connection, http_request *request, uint32_t skipped)
{
    char answer[64];
    int length = skipped ? snprintf(answer, sizeof answer, "{\"success\":true,\"skipped\":%u}", skipped)
                         : snprintf(answer, sizeof answer, "{\"success\":true}");
    return http_respond(connection, request, MHD_HTTP_OK, answer, (size_t)length, NULL, false);
}

/* Queues checked events and sends the loop's answer once it comes: 200 only when the
 * loop has committed them. */
static enum MHD_Result http_commit(run_http *server, struct MHD_Connection *connection, http_request *request,
                                   const segment_body *body)
{
    ingest_request queued = { .lines = body->lines, .length = body->length, .event_count = body->event_count };
    if (!ingest_queue_submit(server->queue, &queued))
        return http_respond_error(connection, request, MHD_HTTP_SERVICE_UNAVAILABLE, "the runner is stopping", NULL,
                                  false);
    if (queued.http_status == MHD_HTTP_OK) return http_success(connection, request, body->skipped);
    return http_respond_error(connection, request, (unsigned)queued.http_status,
                              queued.message[0] ? queued.message : "the events were not applied", NULL, false);
}

/* The last call: the whole body is in. /health answers; the events are normalized,
 * checked against the program, and committed. */
static enum MHD_Result http_finish(run_http *server, struct MHD_Connection *connection, http_request *request)
{
    char message[320];
    if (request->route == ROUTE_HEALTH)
        return http_respond(connection, request, MHD_HTTP_OK, "{\"ok\":true}", 11, NULL, false);
    if (request->too_large) {
        snprintf(message, sizeof message, "the body is over the limit of %zu bytes", server->max_body);
        return http_respond_error(connection, request, MHD_HTTP_CONTENT_TOO_LARGE, message, NULL, false);
    }
    segment_body body;
    segment_body_status status = segment_body_normalize(request->endpoint, request->body ? request->body : "",
                                                        request->length, request->received_at, &body, message,
                                                        sizeof message);
    enum MHD_Result result;
    if (!request->authorized && !http_body_authorized(server, &body)) {
        result = http_respond_error(connection, request, MHD_HTTP_UNAUTHORIZED,
                                    body.write_key ? "wrong write key" : http_no_write_key, NULL, true);
    } else {
        if (status == SEGMENT_BODY_OK)
            status = segment_body_check_events(server->schema, request->endpoint, &body, message, sizeof message);
        if (status == SEGMENT_BODY_BAD)
            result = http_respond_error(connection, request, MHD_HTTP_BAD_REQUEST, message, NULL, false);
        else if (status == SEGMENT_BODY_FAILED)
            result = http_respond_error(connection, request, MHD_HTTP_INTERNAL_SERVER_ERROR, message, NULL, false);
        else if (body.event_count == 0)
            result = http_success(connection, request, body.skipped);
        else
            result = http_commit(server, connection, request, &body);
    }
    segment_body_free(&body);
    return result;
}

/* ---- the handler and the daemon ------------------------------------------------- */


static enum MHD_Result http_handle(void *context, struct MHD_Connection *connection, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **request_state)
{
    (void)version;
    run_http *server = context;
    http_request *request = *request_state;
    if (!request) {
        request = calloc(1, sizeof *request);
        if (!request) return MHD_NO;
        *request_state = request;
        request->received_at = run_clock_now_ms();
        return http_begin(server, connection, url, method, request);
    }
    if (*upload_data_size > 0) {
        size_t size = *upload_data_size;
        *upload_data_size = 0;
        return request->answered ? MHD_YES : http_collect(server, request, upload_data, size);
    }
    return request->answered ? MHD_YES : http_finish(server, connection, request);
}

static void http_request_completed(void *context, struct MHD_Connection *connection, void **request_state,
                                   enum MHD_RequestTerminationCode code)
{
    (void)context, (void)connection, (void)code;
    http_request *request = *request_state;
    if (!request) return;
    free(request->body);
    free(request);
    *request_state = NULL;
}

/* Splits "HOST:PORT" or "[HOST]:PORT" and resolves it; false with message. */
static bool http_resolve_listen(const char *address_text, struct addrinfo **address, char *message, size_t size)
{
    char host[256];
    const char *port;
    if (address_text[0] == '[') {
        const char *bracket = strchr(address_text, ']');
        if (!bracket || bracket[1] != ':') {
            snprintf(message, size, "listen address \"%s\": expected [IPv6]:PORT, such as [::1]:8088", address_text);
            return false;
        }
        snprintf(host, sizeof host, "%.*s", (int)(bracket - address_text - 1), address_text + 1);
        port = bracket + 2;
    } else {
        const char *colon = strrchr(address_text, ':');
        if (!colon || colon == address_text || memchr(address_text, ':', (size_t)(colon - address_text))) {
            snprintf(message, size,
                     "listen address \"%s\": expected HOST:PORT, such as 127.0.0.1:8088 (an IPv6 address in "
                     "brackets: [::1]:8088)", address_text);
            return false;
        }
        snprintf(host, sizeof host, "%.*s", (int)(colon - address_text), address_text);
        port = colon + 1;
    }
    size_t digits = strspn(port, "0123456789");
    if (digits == 0 || digits > 5 || port[digits] != '\0' || atoi(port) > 65535) {
        snprintf(message, size, "listen address \"%s\": the port must be a number from 0 to 65535", address_text);
        return false;
    }
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
    int resolved = getaddrinfo(host, port, &hints, address);
    if (resolved != 0) {
        snprintf(message, size, "listen address \"%s\": %s", address_text, gai_strerror(resolved));
        return false;
    }
    return true;
}

/* A socket bound to address_text and listening, or -1 with message. Made here rather than by
 * libmicrohttpd so that a failure says why (the address is in use, not local, ...). */
static int http_open_listen_socket(const char *address_text, uint16_t *port, char *message, size_t size)
{
    struct addrinfo *address;
    if (!http_resolve_listen(address_text, &address, message, size)) return -1;
    int fd = socket(address->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int yes = 1;
    bool ok = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) == 0;
    if (ok && address->ai_family == AF_INET6) ok = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof yes) == 0;
    ok = ok && bind(fd, address->ai_addr, address->ai_addrlen) == 0 && listen(fd, HTTP_LISTEN_BACKLOG) == 0;
    freeaddrinfo(address);
    struct sockaddr_storage bound;
    socklen_t bound_length = sizeof bound;
    ok = ok && getsockname(fd, (struct sockaddr *)&bound, &bound_length) == 0;
    if (!ok) {
        snprintf(message, size, "cannot listen on %s: %s", address_text, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    *port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                              : ((struct sockaddr_in *)&bound)->sin_port);
    return fd;
}

bool run_http_start(const run_http_options *options, run_http **server_out, char *message, size_t size)
{
    *server_out = NULL;
    run_http *server = calloc(1, sizeof *server);
    if (!server || (options->write_key && !(server->write_key = strdup(options->write_key)))) {
        snprintf(message, size, "out of memory");
        free(server);
        return false;
    }
    server->schema = options->schema;
    server->queue = options->queue;
    server->max_body = options->max_body ? options->max_body : HTTP_DEFAULT_MAX_BODY;
    server->listen_socket = http_open_listen_socket(options->listen, &server->port, message, size);
    if (server->listen_socket < 0) {
        free(server->write_key);
        free(server);
        return false;
    }
    /* No MHD_USE_ERROR_LOG: the library says nothing; failures reach the client. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL | MHD_USE_ITC;
    server->daemon = MHD_start_daemon(flags, 0, NULL, NULL, http_handle, server,
                                      MHD_OPTION_LISTEN_SOCKET, server->listen_socket,
                                      MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONNECTION_LIMIT,
                                      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONNECTION_TIMEOUT,
                                      MHD_OPTION_NOTIFY_COMPLETED, http_request_completed, NULL,
                                      MHD_OPTION_END);
    if (!server->daemon) {
        snprintf(message, size, "cannot serve HTTP on %s: libmicrohttpd did not start", options->listen);
        close(server->listen_socket);
        free(server->write_key);
        free(server);
        return false;
    }
    *server_out = server;
    return true;
}

uint16_t run_http_port(const run_http *server)
{
    return server->port;
}

void run_http_stop(run_http *server)
{
    if (!server) return;
    /* Stop accepting first; then let the requests in progress finish. */
    MHD_socket listening = MHD_quiesce_daemon(server->daemon);
    MHD_stop_daemon(server->daemon);
    if (listening != MHD_INVALID_SOCKET) close(listening);
    free(server->write_key);
    free(server);
}
