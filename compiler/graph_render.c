/* graph_render.c: runs Graphviz's `dot` over DOT text (fork and exec, no shell).
 *
 * dot's standard input is one end of a socket pair rather than a pipe, so that a dot
 * which exits early makes the write fail with EPIPE (send with MSG_NOSIGNAL) instead
 * of killing the compiler with SIGPIPE. Its standard output and error are pipes, all
 * three served by one poll loop, so that no side can fill a buffer and stall. */
#include "graph.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

enum { KEPT_ERROR_BYTES = 2048 };

typedef struct byte_buffer {
    char *bytes;
    size_t length, capacity;
    size_t limit; /* 0: unlimited; else bytes past it are dropped */
} byte_buffer;

static void set_error(char *error, size_t error_size, const char *format, ...) JC_PRINTF(3, 4);
static void set_error(char *error, size_t error_size, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(error, error_size, format, arguments);
    va_end(arguments);
}

/* Reads what is available on fd into buffer. Returns 1 while open, 0 at end of file,
 * -1 with errno set on a read error or when memory ran out. */
static int read_some(int fd, byte_buffer *buffer)
{
    if (buffer->capacity - buffer->length < 4096) {
        size_t capacity = buffer->capacity ? buffer->capacity * 2 : 65536;
        char *grown = realloc(buffer->bytes, capacity);
        if (!grown) {
            errno = ENOMEM;
            return -1;
        }
        buffer->bytes = grown;
        buffer->capacity = capacity;
    }
    ssize_t got = read(fd, buffer->bytes + buffer->length, buffer->capacity - buffer->length);
    if (got < 0) return errno == EINTR || errno == EAGAIN ? 1 : -1;
    if (got == 0) return 0;
    if (!buffer->limit || buffer->length < buffer->limit) buffer->length += (size_t)got;
    return 1;
}

static void close_all(int *fds, int count)
{
    for (int i = 0; i < count; i++)
        if (fds[i] >= 0) close(fds[i]);
}

static bool make_pipe(int fds[2])
{
    if (pipe(fds) != 0) return false;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return true;
}

/* The child: dot with the three ends as its standard streams. Never returns. */
static void exec_dot(const char *format, int input, int output, int errors, int exec_status)
{
    char format_option[32];
    snprintf(format_option, sizeof format_option, "-T%s", format);
    char *const arguments[] = { "dot", format_option, NULL };
    if (dup2(input, STDIN_FILENO) >= 0 && dup2(output, STDOUT_FILENO) >= 0 && dup2(errors, STDERR_FILENO) >= 0)
        execvp("dot", arguments);
    int failure = errno;
    ssize_t ignored = write(exec_status, &failure, sizeof failure);
    (void)ignored;
    _exit(127);
}

/* Feeds the input and collects the output and errors until dot closes both. Returns
 * 0, or the errno of what failed. */
static int exchange(int input, int output, int errors, const char *text, size_t length, byte_buffer *out,
                    byte_buffer *err)
{
    size_t written = 0;
    int failure = 0;
    if (length == 0) shutdown(input, SHUT_WR);
    while (output >= 0 || errors >= 0) {
        struct pollfd fds[3] = {
            { written < length ? input : -1, POLLOUT, 0 },
            { output, POLLIN, 0 },
            { errors, POLLIN, 0 },
        };
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            failure = errno;
            close_all((int[]){ output, errors }, 2);
            return failure;
        }
        if (fds[0].revents) {
            ssize_t sent = send(input, text + written, length - written, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (sent > 0) written += (size_t)sent;
            else if (sent < 0 && errno != EINTR && errno != EAGAIN) written = length; /* dot stopped reading */
            if (written == length) shutdown(input, SHUT_WR);
        }
        int *streams[2] = { &output, &errors };
        byte_buffer *buffers[2] = { out, err };
        for (int i = 0; i < 2; i++) {
            if (!fds[i + 1].revents) continue;
            int state = read_some(*streams[i], buffers[i]);
            if (state < 0) failure = errno;
            if (state <= 0) {
                close(*streams[i]);
                *streams[i] = -1;
            }
        }
    }
    return failure;
}

/* The first line of dot's message, for an error that fits on one line. */
static void first_line(const byte_buffer *err, char *line, size_t size)
{
    size_t length = 0;
    while (length < err->length && err->bytes[length] != '\n' && length + 1 < size) length++;
    memcpy(line, err->bytes ? err->bytes : "", length);
    line[length] = '\0';
}

jc_dot_status jc_graph_run_dot(const char *format, const char *dot_text, size_t dot_length, char **output,
                               size_t *output_length, char *error, size_t error_size)
{
    *output = NULL;
    *output_length = 0;
    /* dot's standard input, output and error, and the status of its exec: for each, the
     * parent's end [0] and the child's end [1]. */
    int input[2] = { -1, -1 }, out_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 }, exec_pipe[2] = { -1, -1 };
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, input) != 0 || !make_pipe(out_pipe) ||
        !make_pipe(err_pipe) || !make_pipe(exec_pipe)) {
        set_error(error, error_size, "cannot make pipes to run dot: %s", strerror(errno));
        close_all((int[]){ input[0], input[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], exec_pipe[0],
                           exec_pipe[1] }, 8);
        return JC_DOT_SYSTEM;
    }
    pid_t child = fork();
    if (child < 0) {
        set_error(error, error_size, "cannot start dot: %s", strerror(errno));
        close_all((int[]){ input[0], input[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], exec_pipe[0],
                           exec_pipe[1] }, 8);
        return JC_DOT_SYSTEM;
    }
    if (child == 0) exec_dot(format, input[1], out_pipe[1], err_pipe[1], exec_pipe[1]);
    close_all((int[]){ input[1], out_pipe[1], err_pipe[1], exec_pipe[1] }, 4);

    /* The status pipe closes at a successful exec; before that, it carries errno. */
    int exec_failure = 0;
    ssize_t got;
    do got = read(exec_pipe[0], &exec_failure, sizeof exec_failure);
    while (got < 0 && errno == EINTR);
    close(exec_pipe[0]);

    byte_buffer out = { 0 }, err = { .limit = KEPT_ERROR_BYTES };
    int failure = 0;
    if (got <= 0) failure = exchange(input[0], out_pipe[0], err_pipe[0], dot_text, dot_length, &out, &err);
    else close_all((int[]){ out_pipe[0], err_pipe[0] }, 2);
    close(input[0]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}

    jc_dot_status result = JC_DOT_OK;
    if (got > 0) {
        set_error(error, error_size, "cannot run 'dot' (Graphviz): %s", strerror(exec_failure));
        result = exec_failure == ENOENT || exec_failure == EACCES ? JC_DOT_MISSING : JC_DOT_SYSTEM;
    } else if (failure) {
        set_error(error, error_size, "cannot read what dot wrote: %s", strerror(failure));
        result = JC_DOT_SYSTEM;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char message[512];
        first_line(&err, message, sizeof message);
        if (WIFSIGNALED(status))
            set_error(error, error_size, "dot was killed by signal %d%s%s", WTERMSIG(status), message[0] ? ": " : "",
                      message);
        else
            set_error(error, error_size, "dot failed with exit status %d%s%s", WEXITSTATUS(status),
                      message[0] ? ": " : "", message);
        result = JC_DOT_FAILED;
    }
    free(err.bytes);
    if (result != JC_DOT_OK) {
        free(out.bytes);
        return result;
    }
    *output = out.bytes;
    *output_length = out.length;
    return JC_DOT_OK;
}
