/* run_input.h: journey run's event file, read line by line and followed as it grows
 * (like tail -f), or standard input. Only complete lines are handed out: a line still
 * being written waits for its line break. The position after each line is what the
 * state database keeps, so that a restarted runner goes on where the committed work
 * stopped. */
#ifndef JOURNEY_RUN_INPUT_H
#define JOURNEY_RUN_INPUT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "run_state.h"

typedef struct run_input run_input;

/* Opens path ("-": standard input, which has no position to resume from). When resume
 * is given and names the same file (device and inode) and the file is at least that
 * long, reading starts there; otherwise at the start, and *restarted tells why not
 * (NULL when it resumed or there was nothing to resume). NULL with message on failure. */
run_input *run_input_open(const char *path, const input_position *resume, const char **restarted, char *message,
                          size_t size);
void run_input_close(run_input *input);

typedef enum input_result {
    INPUT_LINE,    /* *line and *length: one line without its line break */
    INPUT_WAIT,    /* nothing complete yet: more may come */
    INPUT_END,     /* standard input closed (a file never ends: it may grow) */
    INPUT_TOO_LONG,/* a line longer than the limit was skipped (run_input_position names it) */
    INPUT_ERROR,   /* a read failed: message */
} input_result;

/* The next complete line; it lives until the next call. */
input_result run_input_next(run_input *input, const char **line, size_t *length, char *message, size_t size);
/* Where the line last handed out ends, and its number (1-based). */
input_position run_input_position(const run_input *input);
/* Whether this input can be resumed (a file, not standard input). */
bool run_input_resumable(const run_input *input);

#endif
