/* snapshot_seeds.c: the seeds of fuzz_snapshot: snapshots of a program's VM taken after a
 * quarter, half and three quarters of an event log (coroutines mid-wait), and after all
 * of it and 30 more days, written as OUT_DIR/NAME-1.snapshot to NAME-4.snapshot, NAME
 * being the program's file name without .jbc. Uses the public interface only.
 *
 *   snapshot_seeds PROGRAM.jbc EVENTS.jsonl OUT_DIR
 *
 * Exit status: 0 written, 1 a file could not be read or written, 64 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journey.h"

static bool write_file(void *user, const void *bytes, size_t length) { return fwrite(bytes, 1, length, user) == length; }

static bool save(const jr_vm *vm, const char *directory, const char *name, int number)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%d.snapshot", directory, name, number);
    FILE *file = fopen(path, "wb");
    jr_error error = { 0 };
    bool ok = file && jr_vm_snapshot(vm, write_file, file, &error) == JR_OK;
    if (file && fclose(file) != 0) ok = false;
    if (!ok) fprintf(stderr, "snapshot_seeds: %s: %s\n", path, error.message[0] ? error.message : "cannot write");
    return ok;
}

static long count_events(const jr_program *program, const char *log)
{
    jr_read_error error;
    jr_event_reader *reader = jr_reader_open(jr_program_schema(program), log, JR_LOG_AUTO, &error);
    if (!reader) {
        fprintf(stderr, "snapshot_seeds: %s\n", error.message);
        return -1;
    }
    long count = 0;
    jr_event event;
    jr_read_status status;
    while ((status = jr_reader_next(reader, &event, &error)) != JR_READ_END)
        if (status == JR_READ_EVENT) count++;
    jr_reader_close(reader);
    return count;
}

/* Posts the log, saving the VM after each quarter of it. */
static bool run(jr_vm *vm, const jr_program *program, const char *log, long events, const char *directory,
                const char *name)
{
    jr_read_error read_error;
    jr_event_reader *reader = jr_reader_open(jr_program_schema(program), log, JR_LOG_AUTO, &read_error);
    if (!reader) return false;
    bool ok = true;
    long posted = 0;
    int saved = 0;
    int64_t last = 0;
    jr_event event;
    jr_read_status status;
    while (ok && (status = jr_reader_next(reader, &event, &read_error)) != JR_READ_END) {
        if (status != JR_READ_EVENT) continue;
        jr_error error;
        if (jr_vm_post(vm, &event, &error) != JR_OK) {
            fprintf(stderr, "snapshot_seeds: %s: line %llu: %s\n", log, (unsigned long long)event.line, error.message);
            ok = false;
        }
        last = event.timestamp > last ? event.timestamp : last;
        posted++;
        if (ok && saved < 3 && posted * 4 >= events * (saved + 1)) ok = save(vm, directory, name, ++saved);
    }
    jr_reader_close(reader);
    return ok && jr_vm_advance(vm, last + 30 * 86400000LL, NULL) == JR_OK && save(vm, directory, name, 4);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: snapshot_seeds PROGRAM.jbc EVENTS.jsonl OUT_DIR\n"
                        "Writes snapshots of PROGRAM's VM after each quarter of EVENTS (the last one 30 days\n"
                        "after them) as OUT_DIR/NAME-1.snapshot to NAME-4.snapshot, the seeds of fuzz_snapshot.\n");
        return 64;
    }
    const char *slash = strrchr(argv[1], '/');
    char name[256];
    snprintf(name, sizeof name, "%s", slash ? slash + 1 : argv[1]);
    if (strlen(name) > 4 && strcmp(name + strlen(name) - 4, ".jbc") == 0) name[strlen(name) - 4] = '\0';
    jr_program *program = NULL;
    jr_vm *vm = NULL;
    jr_error error = { 0 };
    jr_config config = { .attribution = true };
    if (jr_program_load_file(argv[1], NULL, &program, &error) != JR_OK ||
        jr_vm_new(program, &config, &vm, &error) != JR_OK) {
        fprintf(stderr, "snapshot_seeds: %s: %s\n", argv[1], error.message);
        jr_program_free(program);
        return 1;
    }
    long events = count_events(program, argv[2]);
    bool ok = events >= 0 && run(vm, program, argv[2], events, argv[3], name);
    jr_vm_free(vm);
    jr_program_free(program);
    return ok ? 0 : 1;
}
