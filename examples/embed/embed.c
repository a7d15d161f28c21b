/* embed.c: a small service that hosts the journey VM in its own process, through
 * nothing but the public header journey.h. spec/embedding.md walks through it.
 *
 * It loads a compiled program, restores the VM from its state file (or starts a new
 * one), applies the Segment JSON events it reads from standard input, one per line,
 * and prints every action as a JSON line on standard output. On SIGTERM or SIGINT, and
 * at the end of its input, it writes the VM's state to the state file (to a temporary
 * file first, renamed into place, so a crash never leaves half a state) and exits 0.
 * Contacts waiting in a journey (`wait 1d`, `wait for ...`) go on waiting across the
 * restart.
 *
 * Build: cc embed.c $(pkg-config --cflags --libs libjourney) -o embed */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include <journey.h>

enum {
    EXIT_CLEAN = 0,
    EXIT_FAILED = 1,    /* a file could not be read or written, or a fatal VM error */
    EXIT_USAGE = 64,    /* EX_USAGE */
    EXIT_INTERNAL = 70, /* EX_SOFTWARE: out of memory */
};

enum {
    LINE_LIMIT = 4 * 1024 * 1024, /* the event readers' own limit */
    READ_SIZE = 64 * 1024,
};

static const char usage_text[] =
    "Usage: embed [--wall-clock] PROGRAM.jbc STATE_FILE\n"
    "\n"
    "Hosts the journey VM: runs the compiled PROGRAM (journeyc build) against the events\n"
    "read from standard input and prints the actions it takes on standard output, one\n"
    "JSON object per line (the format of `journey sim`).\n"
    "\n"
    "Input, one item per line:\n"
    "  {\"type\":\"track\",...}     a Segment call (track, identify or page), as in a JSON\n"
    "                           Lines event log (spec/events.md)\n"
    "  advance TIMESTAMP        lets time pass without an event: fires every timer due\n"
    "                           by TIMESTAMP (ISO 8601, e.g. 2026-03-20T00:00:00Z)\n"
    "A line that cannot be applied is reported on standard error and skipped.\n"
    "\n"
    "State: if STATE_FILE exists, the VM is restored from it, else a new one starts. On\n"
    "SIGTERM or SIGINT, and at the end of the input, the state is written to\n"
    "STATE_FILE.tmp and renamed to STATE_FILE, and embed exits 0.\n"
    "\n"
    "Options:\n"
    "  --wall-clock   time is the computer's clock: at start and every second, fire\n"
    "                 the timers that came due (a live service); without it, time only\n"
    "                 moves with the events' timestamps and advance lines (a replay)\n"
    "  -h, --help     show this help and exit\n"
    "\n"
    "Exit status: 0 stopped cleanly, 1 a file or the VM failed, 64 usage error,\n"
    "70 out of memory.\n";

/* ---- signals ------------------------------------------------------------------------
 * SIGTERM and SIGINT stay blocked except while waiting for input (pselect unblocks
 * them atomically), so the handler only ever interrupts that wait, and a line is
 * never cut short by a stop. */

static volatile sig_atomic_t stop_requested = 0;

static void request_stop(int signal_number)
{
    (void)signal_number;
    stop_requested = 1;
}

/* Blocks the stop signals and installs the handler; *waiting receives the mask to
 * wait with (the one before, without them). */
static bool catch_stop_signals(sigset_t *waiting)
{
    sigset_t stops;
    sigemptyset(&stops);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGINT);
    if (sigprocmask(SIG_BLOCK, &stops, waiting) != 0) return false;
    sigdelset(waiting, SIGTERM);
    sigdelset(waiting, SIGINT);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = request_stop;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGTERM, &action, NULL) == 0 && sigaction(SIGINT, &action, NULL) == 0;
}

/* ---- actions out ------------------------------------------------------------------- */

static void print_json_string(FILE *out, const char *text)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}

static void print_member(FILE *out, const char *name, const char *value)
{
    if (!value) return;
    fprintf(out, ",\"%s\":", name);
    print_json_string(out, value);
}

/* jr_config.on_action: one JSON object per line. The key is the action's idempotency
 * key: a delivery system that sees a key twice delivers once. */
static void print_action(void *user, const jr_action *action)
{
    static const char *const kinds[] = { "send", "set", "audience", "emit", "track" };
    static const char *const outcomes[] = { "sent", "deferred", "suppressed" };
    FILE *out = user;
    char at[25];
    jr_format_timestamp(action->at, at);
    fprintf(out, "{\"type\":\"%s\",\"key\":", kinds[action->kind]);
    print_json_string(out, action->key);
    fprintf(out, ",\"at\":\"%s\"", at);
    print_member(out, "contact", action->contact_id);
    print_member(out, "journey", action->journey);
    print_member(out, "step", action->step);
    switch (action->kind) {
    case JR_ACTION_SEND:
        print_member(out, "message", action->message);
        print_member(out, "template", action->template_name);
        print_member(out, "channel", action->channel);
        fprintf(out, ",\"outcome\":\"%s\"", outcomes[action->outcome]);
        print_member(out, "reason", action->reason);
        break;
    case JR_ACTION_SET: print_member(out, "attribute", action->name); break;
    case JR_ACTION_AUDIENCE:
        print_member(out, "audience", action->name);
        fprintf(out, ",\"change\":\"%s\"", action->add ? "add" : "remove");
        break;
    case JR_ACTION_EMIT: print_member(out, "name", action->name); break;
    case JR_ACTION_TRACK: print_member(out, "event", action->name); break;
    }
    fprintf(out, ",\"payload\":%s}\n", action->payload_json);
}

/* ---- the state file ---------------------------------------------------------------- */

/* Reads a whole file. False with errno set (ENOENT: there is none). */
static bool read_file(const char *path, char **bytes, size_t *length)
{
    FILE *file = fopen(path, "rb");
    if (!file) return false;
    char *buffer = NULL;
    size_t used = 0, capacity = 0;
    for (;;) {
        if (used == capacity) {
            capacity = capacity ? capacity * 2 : READ_SIZE;
            char *grown = realloc(buffer, capacity);
            if (!grown) {
                free(buffer);
                fclose(file);
                errno = ENOMEM;
                return false;
            }
            buffer = grown;
        }
        size_t got = fread(buffer + used, 1, capacity - used, file);
        used += got;
        if (got == 0) break;
    }
    int read_error = ferror(file) ? errno : 0;
    fclose(file);
    if (read_error) {
        free(buffer);
        errno = read_error;
        return false;
    }
    *bytes = buffer;
    *length = used;
    return true;
}

static bool write_to_file(void *user, const void *bytes, size_t length)
{
    return fwrite(bytes, 1, length, user) == length;
}

/* Makes a rename in the directory of path durable. */
static bool sync_directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char directory[4096] = ".";
    if (slash && (size_t)(slash - path) < sizeof directory) {
        size_t length = slash == path ? 1 : (size_t)(slash - path);
        memcpy(directory, path, length);
        directory[length] = '\0';
    }
    int fd = open(directory, O_RDONLY);
    if (fd < 0) return false;
    bool synced = fsync(fd) == 0;
    close(fd);
    return synced;
}

/* Writes the VM's state to path.tmp, flushes it to the disk, then renames it to path:
 * the state file is always either the old state or the new one, whole. */
static bool save_state(const jr_vm *vm, const char *path)
{
    size_t length = strlen(path);
    char *temporary = malloc(length + sizeof ".tmp");
    if (!temporary) {
        fprintf(stderr, "embed: out of memory\n");
        return false;
    }
    memcpy(temporary, path, length);
    memcpy(temporary + length, ".tmp", sizeof ".tmp");
    FILE *file = fopen(temporary, "wb");
    if (!file) {
        fprintf(stderr, "embed: cannot write '%s': %s\n", temporary, strerror(errno));
        free(temporary);
        return false;
    }
    jr_error error;
    bool written = jr_vm_snapshot(vm, write_to_file, file, &error) == JR_OK;
    if (!written) fprintf(stderr, "embed: cannot save the state: %s\n", error.message);
    if (written && (fflush(file) != 0 || fsync(fileno(file)) != 0)) {
        fprintf(stderr, "embed: cannot write '%s': %s\n", temporary, strerror(errno));
        written = false;
    }
    if (fclose(file) != 0 && written) {
        fprintf(stderr, "embed: cannot write '%s': %s\n", temporary, strerror(errno));
        written = false;
    }
    if (written && rename(temporary, path) != 0) {
        fprintf(stderr, "embed: cannot rename '%s' to '%s': %s\n", temporary, path, strerror(errno));
        written = false;
    }
    if (written && !sync_directory_of(path)) {
        fprintf(stderr, "embed: cannot sync the directory of '%s': %s\n", path, strerror(errno));
        written = false;
    }
    if (!written) remove(temporary);
    free(temporary);
    return written;
}

/* The VM as the state file left it, or a new one when there is no state file. */
static int start_vm(const jr_program *program, const jr_config *config, const char *state_path, jr_vm **vm)
{
    char *state;
    size_t length;
    jr_error error;
    jr_status status;
    if (read_file(state_path, &state, &length)) {
        status = jr_vm_restore(program, config, state, length, vm, &error);
        free(state);
        if (status != JR_OK) fprintf(stderr, "embed: %s: %s\n", state_path, error.message);
    } else if (errno == ENOENT) {
        status = jr_vm_new(program, config, vm, &error);
        if (status != JR_OK) fprintf(stderr, "embed: %s\n", error.message);
    } else {
        int failure = errno;
        fprintf(stderr, "embed: cannot read '%s': %s\n", state_path, strerror(failure));
        return failure == ENOMEM ? EXIT_INTERNAL : EXIT_FAILED;
    }
    if (status == JR_ERROR_MEMORY) return EXIT_INTERNAL;
    return status == JR_OK ? EXIT_CLEAN : EXIT_FAILED;
}

/* ---- events in ----------------------------------------------------------------------- */

/* Standard input, read with read(2) into one buffer and cut into lines. */
typedef struct input {
    char *buffer;
    size_t start, end, capacity; /* the unread bytes are buffer[start, end) */
    unsigned long line_number;   /* of the last line taken */
    bool skipping;               /* inside a line longer than LINE_LIMIT */
    bool at_end;
} input;

/* The next whole line in the buffer (without its newline), or false. At the end of
 * the input, a last line without a newline counts. */
static bool take_line(input *in, char **line, size_t *length)
{
    for (;;) {
        size_t available = in->end - in->start;
        if (available == 0) return false;
        char *begin = in->buffer + in->start;
        char *newline = memchr(begin, '\n', available);
        if (!newline && !in->at_end) return false;
        size_t size = newline ? (size_t)(newline - begin) : available;
        in->start += size + (newline ? 1 : 0);
        in->line_number++;
        if (in->skipping) { /* the end of an over-long line, already reported */
            in->skipping = false;
            continue;
        }
        *line = begin;
        *length = size;
        return true;
    }
}

/* Reads what standard input has. False on a read error (errno set). */
static bool read_more(input *in)
{
    if (in->start > 0) { /* keep the partial line at the front */
        memmove(in->buffer, in->buffer + in->start, in->end - in->start);
        in->end -= in->start;
        in->start = 0;
    }
    if (in->end >= LINE_LIMIT) { /* no newline within the limit: drop the line */
        if (!in->skipping)
            fprintf(stderr, "embed: standard input:%lu: line longer than %d bytes, skipped\n", in->line_number + 1,
                    LINE_LIMIT);
        in->end = 0;
        in->skipping = true;
    }
    if (in->capacity - in->end < READ_SIZE) {
        size_t capacity = in->capacity ? in->capacity * 2 : 2 * READ_SIZE;
        char *grown = realloc(in->buffer, capacity);
        if (!grown) {
            errno = ENOMEM;
            return false;
        }
        in->buffer = grown;
        in->capacity = capacity;
    }
    ssize_t got = read(STDIN_FILENO, in->buffer + in->end, in->capacity - in->end);
    if (got < 0) return errno == EINTR || errno == EAGAIN;
    if (got == 0) in->at_end = true;
    in->end += (size_t)got;
    return true;
}

static bool starts_with(const char *text, size_t length, const char *prefix)
{
    size_t prefix_length = strlen(prefix);
    return length >= prefix_length && memcmp(text, prefix, prefix_length) == 0;
}

/* Applies one line. A line that cannot be applied is reported and skipped; false only
 * when the VM cannot go on (out of memory, its memory limit). */
static bool apply_line(jr_vm *vm, const char *line, size_t length, unsigned long number, int *exit_status)
{
    if (length > 0 && line[length - 1] == '\r') length--;
    if (length == 0) return true;
    jr_error error;
    jr_status status;
    if (starts_with(line, length, "advance ")) {
        int64_t until;
        size_t skip = strlen("advance ");
        if (!jr_parse_timestamp(line + skip, length - skip, &until)) {
            fprintf(stderr, "embed: standard input:%lu: 'advance' needs an ISO 8601 timestamp\n", number);
            return true;
        }
        status = jr_vm_advance(vm, until, &error);
    } else {
        status = jr_vm_post_json(vm, line, length, &error);
    }
    if (status == JR_OK) return true;
    fprintf(stderr, "embed: standard input:%lu: %s\n", number, error.message);
    if (status == JR_ERROR_EVENT) return true;
    *exit_status = status == JR_ERROR_MEMORY ? EXIT_INTERNAL : EXIT_FAILED;
    return false;
}

static int64_t wall_clock_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Moves the VM to the wall clock, firing what came due. */
static bool advance_to_now(jr_vm *vm, int *exit_status)
{
    jr_error error;
    jr_status status = jr_vm_advance(vm, wall_clock_now(), &error);
    if (status == JR_OK) return true;
    fprintf(stderr, "embed: %s\n", error.message);
    *exit_status = status == JR_ERROR_MEMORY ? EXIT_INTERNAL : EXIT_FAILED;
    return false;
}

/* Applies standard input until its end or a stop signal. */
static int serve(jr_vm *vm, bool wall_clock, const sigset_t *waiting)
{
    input in = { 0 };
    int exit_status = EXIT_CLEAN;
    bool going = !wall_clock || advance_to_now(vm, &exit_status);
    while (going && !stop_requested) {
        char *line;
        size_t length;
        while (going && take_line(&in, &line, &length))
            going = apply_line(vm, line, length, in.line_number, &exit_status);
        if (fflush(stdout) != 0) {
            fprintf(stderr, "embed: cannot write the actions: %s\n", strerror(errno));
            exit_status = EXIT_FAILED;
            break;
        }
        if (!going || in.at_end) break;

        /* Wait for input (or, with the wall clock, at most a second); a stop signal
         * interrupts the wait, and only the wait. */
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(STDIN_FILENO, &readable);
        struct timespec second = { 1, 0 };
        int ready = pselect(STDIN_FILENO + 1, &readable, NULL, NULL, wall_clock ? &second : NULL, waiting);
        if (ready < 0 && errno != EINTR) {
            fprintf(stderr, "embed: cannot wait for input: %s\n", strerror(errno));
            exit_status = EXIT_FAILED;
            break;
        }
        if (stop_requested) break; /* leave what is readable in the pipe */
        if (wall_clock && !advance_to_now(vm, &exit_status)) break;
        if (ready > 0 && !read_more(&in)) {
            int failure = errno;
            fprintf(stderr, "embed: cannot read standard input: %s\n", strerror(failure));
            exit_status = failure == ENOMEM ? EXIT_INTERNAL : EXIT_FAILED;
            break;
        }
    }
    free(in.buffer);
    return exit_status;
}

/* ---- main ---------------------------------------------------------------------------- */

static int usage_error(const char *message)
{
    fprintf(stderr, "embed: %s\nTry 'embed --help' for more information.\n", message);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    bool wall_clock = false;
    const char *paths[2];
    int path_count = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage_text, stdout);
            return EXIT_CLEAN;
        }
        if (strcmp(argv[i], "--wall-clock") == 0) wall_clock = true;
        else if (argv[i][0] == '-' && argv[i][1] != '\0') return usage_error("unknown option");
        else if (path_count == 2) return usage_error("too many arguments");
        else paths[path_count++] = argv[i];
    }
    if (path_count != 2) return usage_error("expected PROGRAM.jbc and STATE_FILE");
    const char *program_path = paths[0], *state_path = paths[1];

    sigset_t waiting;
    if (!catch_stop_signals(&waiting)) {
        fprintf(stderr, "embed: cannot install the signal handlers: %s\n", strerror(errno));
        return EXIT_FAILED;
    }

    jr_program *program = NULL;
    jr_error error;
    jr_status loaded = jr_program_load_file(program_path, NULL, &program, &error);
    if (loaded != JR_OK) {
        fprintf(stderr, "embed: %s: %s\n", program_path, error.message);
        return loaded == JR_ERROR_MEMORY ? EXIT_INTERNAL : EXIT_FAILED;
    }
    jr_config config = { .on_action = print_action, .action_user = stdout };
    jr_vm *vm = NULL;
    int exit_status = start_vm(program, &config, state_path, &vm);
    if (exit_status == EXIT_CLEAN) {
        exit_status = serve(vm, wall_clock, &waiting);
        /* The state is saved even after a failure: the VM is whole (a failing call
         * changes nothing more), and what it did so far is not lost. */
        if (!save_state(vm, state_path) && exit_status == EXIT_CLEAN) exit_status = EXIT_FAILED;
    }
    jr_vm_free(vm);
    jr_program_free(program);
    return exit_status;
}
