/* run_input.c: reading journey run's event file by lines, following it as it grows and
 * across a rotation (the path names a new file: it is read from its start), or reading
 * standard input without blocking the loop (run_input.h). */
#include "run_input.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A line longer than this is skipped: no Segment event is anywhere near (Segment's own
 * limit is 32 KB per event). */
#define RUN_INPUT_MAX_LINE (1u << 20)
#define RUN_INPUT_CAPACITY (RUN_INPUT_MAX_LINE + (64u << 10))

struct run_input {
    char *path;
    int fd;
    bool is_stdin, ended, skipping;
    char *buffer;
    size_t start, end;       /* the bytes not handed out yet */
    uint64_t buffer_offset;  /* the file offset of buffer[0] */
    uint64_t next_line;      /* the number of the next line */
    input_position position; /* after the latest line handed out */
};

static void identity_of(const struct stat *status, char identity[64])
{
    snprintf(identity, 64, "%ju:%ju", (uintmax_t)status->st_dev, (uintmax_t)status->st_ino);
}

run_input *run_input_open(const char *path, const input_position *resume, const char **restarted, char *message,
                          size_t size)
{
    *restarted = NULL;
    run_input *input = calloc(1, sizeof *input);
    if (input) input->buffer = malloc(RUN_INPUT_CAPACITY);
    if (input) input->path = strdup(path);
    if (!input || !input->buffer || !input->path) {
        snprintf(message, size, "out of memory");
        run_input_close(input);
        return NULL;
    }
    input->is_stdin = strcmp(path, "-") == 0;
    input->fd = input->is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    struct stat status;
    if (input->fd < 0 || fstat(input->fd, &status) != 0) {
        snprintf(message, size, "%s: %s", path, strerror(errno));
        run_input_close(input);
        return NULL;
    }
    input->next_line = 1;
    if (input->is_stdin) return input;
    if (!S_ISREG(status.st_mode)) {
        snprintf(message, size, "%s: not a regular file (use --events - for a pipe)", path);
        run_input_close(input);
        return NULL;
    }
    identity_of(&status, input->position.identity);
    if (resume) {
        if (strcmp(resume->identity, input->position.identity) != 0) {
            *restarted = "it is another file than the one read before (rotated?): reading it from its start";
        } else if ((uint64_t)status.st_size < resume->offset) {
            *restarted = "it is shorter than where reading stopped (truncated?): reading it from its start";
        } else if (lseek(input->fd, (off_t)resume->offset, SEEK_SET) < 0) {
            snprintf(message, size, "%s: %s", path, strerror(errno));
            run_input_close(input);
            return NULL;
        } else {
            input->buffer_offset = resume->offset;
            input->position.offset = resume->offset;
            input->position.line = resume->line;
            input->next_line = resume->line + 1;
        }
    }
    return input;
}

void run_input_close(run_input *input)
{
    if (!input) return;
    if (input->fd >= 0 && !input->is_stdin) close(input->fd);
    free(input->buffer);
    free(input->path);
    free(input);
}

bool run_input_resumable(const run_input *input) { return !input->is_stdin; }
input_position run_input_position(const run_input *input) { return input->position; }

/* At the end of a file: if its path now names another file (rotation), or the file
 * shrank below what was read (truncation), start over on what the path names. */
static void follow_rotation(run_input *input)
{
    struct stat now, open_file;
    if (stat(input->path, &now) != 0 || fstat(input->fd, &open_file) != 0) return;
    char identity[64];
    identity_of(&now, identity);
    bool rotated = strcmp(identity, input->position.identity) != 0;
    bool truncated = (uint64_t)open_file.st_size < input->buffer_offset + input->end;
    if (!rotated && !truncated) return;
    int fd = rotated ? open(input->path, O_RDONLY | O_CLOEXEC) : input->fd;
    if (fd < 0) return; /* tried again at the next wait */
    if (rotated) {
        close(input->fd);
        input->fd = fd;
    } else {
        lseek(fd, 0, SEEK_SET);
    }
    snprintf(input->position.identity, sizeof input->position.identity, "%s", identity);
    input->start = input->end = 0;
    input->buffer_offset = 0;
    input->position.offset = 0;
    input->position.line = 0;
    input->next_line = 1;
    input->skipping = false;
}

/* Reads what is there: > 0 bytes read, 0 nothing now (or standard input ended), < 0 error. */
static ssize_t read_more(run_input *input)
{
    if (input->is_stdin) {
        struct pollfd ready = { .fd = input->fd, .events = POLLIN };
        if (poll(&ready, 1, 0) <= 0) return 0;
    }
    for (;;) {
        ssize_t count = read(input->fd, input->buffer + input->end, RUN_INPUT_CAPACITY - input->end);
        if (count >= 0) {
            if (count == 0 && input->is_stdin) input->ended = true;
            return count;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        return -1;
    }
}

static input_result hand_out(run_input *input, size_t line_end, size_t next_start, const char **line,
                             size_t *length)
{
    size_t line_length = line_end - input->start;
    if (line_length && input->buffer[input->start + line_length - 1] == '\r') line_length--;
    *line = input->buffer + input->start;
    *length = line_length;
    input->start = next_start;
    input->position.offset = input->buffer_offset + next_start;
    input->position.line = input->next_line++;
    return INPUT_LINE;
}

input_result run_input_next(run_input *input, const char **line, size_t *length, char *message, size_t size)
{
    for (;;) {
        char *newline = memchr(input->buffer + input->start, '\n', input->end - input->start);
        if (newline) {
            size_t at = (size_t)(newline - input->buffer);
            if (input->skipping || at - input->start > RUN_INPUT_MAX_LINE) {
                /* a line too long, or the rest of one that filled the buffer */
                input->skipping = false;
                input->start = at + 1;
                input->position.offset = input->buffer_offset + input->start;
                input->position.line = input->next_line++;
                return INPUT_TOO_LONG;
            }
            return hand_out(input, at, at + 1, line, length);
        }
        if (input->ended) {
            if (input->start < input->end && !input->skipping) /* a last line without a break */
                return hand_out(input, input->end, input->end, line, length);
            return INPUT_END;
        }
        /* Make room: drop what was handed out; a buffer full of one line is too long. */
        if (input->start > 0) {
            memmove(input->buffer, input->buffer + input->start, input->end - input->start);
            input->buffer_offset += input->start;
            input->end -= input->start;
            input->start = 0;
        }
        if (input->end == RUN_INPUT_CAPACITY) {
            input->skipping = true;
            input->buffer_offset += input->end;
            input->end = 0;
        }
        ssize_t count = read_more(input);
        if (count < 0) {
            snprintf(message, size, "%s: %s", input->is_stdin ? "standard input" : input->path, strerror(errno));
            return INPUT_ERROR;
        }
        if (count == 0) {
            if (input->ended) continue;
            if (!input->is_stdin) follow_rotation(input);
            return INPUT_WAIT;
        }
        input->end += (size_t)count;
    }
}
