/* vm_probe.c: measures the VM through libjourney's public API (build/bench/vm_probe),
 * for what `journey sim` cannot show: the bytes the VM itself holds, and the rate at
 * which it fires timers with millions pending.
 *
 * The VM is given a counting allocator (jr_config.allocator): every block it holds is
 * counted at the size it asked for, so "bytes held" is the VM's own state (contacts,
 * coroutines, timers, strings, the messageIds it remembers, tables), without the C
 * library's overhead per block and without the program (loaded apart). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "journey.h"

enum { EXIT_CLEAN = 0, EXIT_FAILED = 1, EXIT_USAGE = 64, EXIT_INTERNAL = 70 };

static const char usage_text[] =
    "Usage: vm_probe memory PROGRAM.jbc EVENTS [--without-message-ids]\n"
    "       vm_probe timers PROGRAM.jbc CONTACTS\n"
    "\n"
    "memory   runs PROGRAM over the event log EVENTS (as journey sim reads it), then\n"
    "         prints the bytes the VM holds at the end and at its peak, and per contact.\n"
    "         --without-message-ids posts the events without their messageIds, so that\n"
    "         the VM remembers none (no deduplication): the rest is per-contact state\n"
    "timers   posts one \"Signed Up\" event for each of CONTACTS contacts, spread over an\n"
    "         hour, so that PROGRAM (bench/journeys/timers.journey: wait 1d) leaves a\n"
    "         timer pending for each; then advances the clock past them all and prints\n"
    "         how many fired and how fast (wall-clock and CPU time of the advance alone)\n"
    "\n"
    "Output: one line of key=value pairs. Exit status: 0 done; 1 the program or the log\n"
    "could not be read; 64 usage; 70 the VM failed (out of memory).\n";

/* ---- a counting allocator ---------------------------------------------------------- */

typedef struct counter {
    size_t held, peak;
} counter;

typedef union block_header {
    size_t size;
    max_align_t align;
} block_header;

static void *counting_realloc(void *user, void *pointer, size_t size)
{
    counter *c = user;
    block_header *header = pointer ? (block_header *)pointer - 1 : NULL;
    size_t old_size = header ? header->size : 0;
    if (size == 0) {
        free(header);
        c->held -= old_size;
        return NULL;
    }
    block_header *grown = realloc(header, sizeof *grown + size);
    if (!grown) return NULL;
    grown->size = size;
    c->held = c->held - old_size + size;
    if (c->held > c->peak) c->peak = c->held;
    return grown + 1;
}

static double clock_seconds(clockid_t clock)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static jr_program *load_program(const char *path)
{
    jr_program *program = NULL;
    jr_error error;
    if (jr_program_load_file(path, NULL, &program, &error) != JR_OK) {
        fprintf(stderr, "vm_probe: %s: %s\n", path, error.message);
        return NULL;
    }
    return program;
}

static jr_vm *new_vm(const jr_program *program, counter *count)
{
    jr_config config = { .allocator = { counting_realloc, count } };
    jr_vm *vm = NULL;
    jr_error error;
    if (jr_vm_new(program, &config, &vm, &error) != JR_OK) {
        fprintf(stderr, "vm_probe: %s\n", error.message);
        return NULL;
    }
    return vm;
}

/* ---- memory -------------------------------------------------------------------------- */

static int probe_memory(const jr_program *program, const char *events_path, bool without_message_ids)
{
    counter count = { 0, 0 };
    jr_vm *vm = new_vm(program, &count);
    if (!vm) return EXIT_INTERNAL;
    jr_read_error read_error;
    jr_event_reader *reader = jr_reader_open(jr_program_schema(program), events_path, JR_LOG_AUTO, &read_error);
    if (!reader) {
        fprintf(stderr, "vm_probe: %s: %s\n", events_path, read_error.message);
        jr_vm_free(vm);
        return EXIT_FAILED;
    }
    int status = EXIT_CLEAN;
    uint64_t lines = 0;
    int64_t last = INT64_MIN;
    jr_event event;
    jr_read_status read;
    while ((read = jr_reader_next(reader, &event, &read_error)) != JR_READ_END) {
        if (read != JR_READ_EVENT) {
            fprintf(stderr, "vm_probe: %s:%" PRIu64 ": %s\n", events_path, read_error.line, read_error.message);
            status = EXIT_FAILED;
            break;
        }
        lines++;
        if (event.timestamp > last) last = event.timestamp;
        if (without_message_ids) event.message_id_length = 0;
        jr_error error;
        if (jr_vm_post(vm, &event, &error) != JR_OK) {
            fprintf(stderr, "vm_probe: %s:%" PRIu64 ": %s\n", events_path, event.line, error.message);
            status = EXIT_INTERNAL;
            break;
        }
    }
    jr_reader_close(reader);
    jr_error error;
    if (status == EXIT_CLEAN && last != INT64_MIN && jr_vm_advance(vm, last, &error) != JR_OK) {
        fprintf(stderr, "vm_probe: %s\n", error.message);
        status = EXIT_INTERNAL;
    }
    if (status == EXIT_CLEAN) {
        jr_vm_stats stats;
        jr_vm_stats_get(vm, &stats);
        printf("events=%" PRIu64 " contacts=%" PRIu64 " bytes_held=%zu peak_bytes_held=%zu bytes_per_contact=%.1f "
               "message_ids=%s\n",
               lines, stats.contacts, count.held, count.peak,
               stats.contacts ? (double)count.held / (double)stats.contacts : 0.0, without_message_ids ? "no" : "yes");
    }
    jr_vm_free(vm);
    return status;
}

/* ---- timers -------------------------------------------------------------------------- */

static int probe_timers(const jr_program *program, uint32_t contacts)
{
    const jr_schema *schema = jr_program_schema(program);
    int32_t signed_up = -1;
    for (uint32_t i = 0; i < schema->event_count; i++)
        if (strcmp(schema->events[i].external_name, "Signed Up") == 0) signed_up = (int32_t)i;
    if (signed_up < 0) {
        fputs("vm_probe: the program declares no \"Signed Up\" event\n", stderr);
        return EXIT_FAILED;
    }
    counter count = { 0, 0 };
    jr_vm *vm = new_vm(program, &count);
    if (!vm) return EXIT_INTERNAL;
    const int64_t start = 1767571200000, hour = 3600000, day = 24 * hour; /* 2026-01-05T00:00:00Z */
    char id[32];
    jr_error error;
    for (uint32_t c = 0; c < contacts; c++) {
        int length = snprintf(id, sizeof id, "c-%" PRIu32, c);
        jr_event event = { .kind = JR_EVENT_TRACK,
                           .timestamp = start + (int64_t)((double)c / contacts * (double)hour),
                           .contact_id = id,
                           .contact_id_length = (uint32_t)length,
                           .message_id = "",
                           .event_index = signed_up };
        if (jr_vm_post(vm, &event, &error) != JR_OK) {
            fprintf(stderr, "vm_probe: %s\n", error.message);
            jr_vm_free(vm);
            return EXIT_INTERNAL;
        }
    }
    jr_vm_stats before;
    jr_vm_stats_get(vm, &before);
    jr_journey_stats waiting; /* each waiting contact has one timer pending */
    jr_vm_journey_stats(vm, 0, &waiting);
    size_t held_before = count.held;
    double wall = clock_seconds(CLOCK_MONOTONIC), cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    jr_status status = jr_vm_advance(vm, start + day + 2 * hour, &error);
    wall = clock_seconds(CLOCK_MONOTONIC) - wall;
    cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu;
    if (status != JR_OK) {
        fprintf(stderr, "vm_probe: %s\n", error.message);
        jr_vm_free(vm);
        return EXIT_INTERNAL;
    }
    jr_vm_stats after;
    jr_vm_stats_get(vm, &after);
    uint64_t fired = after.timers_fired - before.timers_fired;
    printf("contacts=%" PRIu32 " pending=%" PRIu64 " fired=%" PRIu64 " wall_seconds=%.3f cpu_seconds=%.3f "
           "fired_per_second_wall=%.0f fired_per_second_cpu=%.0f bytes_held_while_pending=%zu "
           "bytes_per_waiting_contact=%.1f\n",
           contacts, waiting.active, fired, wall, cpu, wall > 0 ? (double)fired / wall : 0.0, cpu > 0 ? (double)fired / cpu : 0.0,
           held_before, contacts ? (double)held_before / contacts : 0.0);
    jr_vm_free(vm);
    return fired == contacts ? EXIT_CLEAN : EXIT_FAILED;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        fputs(usage_text, stdout);
        return EXIT_CLEAN;
    }
    bool memory = argc >= 4 && strcmp(argv[1], "memory") == 0, timers = argc == 4 && strcmp(argv[1], "timers") == 0;
    bool without_message_ids = memory && argc == 5 && strcmp(argv[4], "--without-message-ids") == 0;
    if ((!memory && !timers) || (memory && argc > 4 && !without_message_ids)) {
        fputs("vm_probe: expected 'memory PROGRAM EVENTS [--without-message-ids]' or 'timers PROGRAM CONTACTS'\n"
              "Try 'vm_probe --help' for more information.\n",
              stderr);
        return EXIT_USAGE;
    }
    unsigned long contacts = 0;
    if (timers) {
        char *end;
        errno = 0;
        contacts = strtoul(argv[3], &end, 10);
        if (errno || *end || contacts == 0 || contacts > 100000000) {
            fprintf(stderr, "vm_probe: CONTACTS must be from 1 to 100000000, not '%s'\n", argv[3]);
            return EXIT_USAGE;
        }
    }
    jr_program *program = load_program(argv[2]);
    if (!program) return EXIT_FAILED;
    int status = memory ? probe_memory(program, argv[3], without_message_ids) : probe_timers(program, (uint32_t)contacts);
    jr_program_free(program);
    return status;
}
