/* run_inspect.c: `journey inspect --state STATE.db [CONTACT...]`: rebuilds the VM of a
 * running (or stopped) journey run from its state database, the way a restart would,
 * without changing anything, and prints where each contact is, or an overview of the
 * state when no contact is named (spec/run.md section 5). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contact_view.h"
#include "journey.h"
#include "usage.h"
#include "native_options.h"
#include "run.h"
#include "run_engine.h"
#include "run_state.h"

enum { EXIT_CLEAN = 0, EXIT_FAILED = 1, EXIT_INTERNAL = 70 };

static const char inspect_usage[] =
    "Usage: journey inspect --state STATE.db [--json] [CONTACT...]\n"
    "\n"
    "Shows a contact of a program run by journey run: where it is in each journey (the\n"
    "statement it waits at, and for what), its attributes, scores and segments, as of\n"
    "the runner's clock. The VM is rebuilt from STATE.db as a restart would (checkpoint\n"
    "and journal) and nothing is written, so it is safe while the runner runs. Without\n"
    "a contact, it prints an overview of the state.\n"
    "\n"
    "Options:\n"
    "  --state STATE.db   the state database of journey run (required)\n"
    "  --json             one JSON object per contact and line (spec/run.md)\n"
    "  --allow-native=LIB, --native-dir=DIR   as for journey run, when the program\n"
    "                     calls native functions\n"
    "\n"
    "Exit status: 0 every contact was found, 1 one was not (or the state cannot be\n"
    "read), 64 usage, 70 internal failure.\n";

static void print_overview(run_engine *engine, run_state *state, const char *name)
{
    jr_vm_stats stats;
    jr_vm_stats_get(engine->vm, &stats);
    char clock[25];
    jr_format_timestamp(jr_vm_clock(engine->vm), clock);
    int64_t undelivered = 0, due = 0, entries = 0, latest = 0;
    run_state_undelivered(state, INT64_MAX, &undelivered, &due);
    run_state_journal_size(state, &entries, &latest);
    printf("program %s\nclock %s\ncontacts %" PRIu64 "\nevents %" PRIu64 " (duplicates %" PRIu64
           ", out of order %" PRIu64 ")\ntimers fired %" PRIu64 "\nactions %" PRIu64
           " (undelivered %" PRId64 ")\njournal %" PRId64 " entries since the checkpoint\n",
           name, clock, stats.contacts, stats.events, stats.duplicates, stats.out_of_order, stats.timers_fired,
           stats.actions, undelivered, entries);
    for (uint32_t journey = 0; journey < jr_vm_journey_count(engine->vm); journey++) {
        jr_journey_stats journey_stats;
        jr_vm_journey_stats(engine->vm, journey, &journey_stats);
        printf("journey %s: entered %" PRIu64 ", active %" PRIu64 ", completed %" PRIu64 ", exited %" PRIu64
               ", errors %" PRIu64 "\n",
               journey_stats.name, journey_stats.entered, journey_stats.active, journey_stats.completed,
               journey_stats.exited, journey_stats.errors);
    }
}

static int inspect(const char *state_path, const native_options *natives, bool json, char **contacts,
                   int contact_count)
{
    char message[512];
    run_state *state = run_state_open(state_path, false, message, sizeof message);
    if (!state) {
        fprintf(stderr, "journey inspect: %s: %s\n", state_path, message);
        return EXIT_FAILED;
    }
    void *bytecode = NULL;
    size_t length = 0;
    char name[256];
    bool found = false;
    int status = EXIT_CLEAN;
    jr_program *program = NULL;
    if (!run_state_program(state, &bytecode, &length, name, sizeof name, &found) || !found) {
        fprintf(stderr, "journey inspect: %s: %s\n", state_path,
                found ? run_state_error(state) : "no program stored yet (journey run never started with it)");
        run_state_close(state);
        return EXIT_FAILED;
    }
    jr_load_options load = native_load_options(natives);
    jr_error error = { 0 };
    if (jr_program_load(bytecode, length, &load, &program, &error) != JR_OK) {
        fprintf(stderr, "journey inspect: %s: its program does not load: %s\n", state_path, error.message);
        free(bytecode);
        run_state_close(state);
        return EXIT_FAILED;
    }
    free(bytecode);
    run_engine engine;
    if (!run_engine_open(&engine, program, NULL, NULL, state)) {
        fprintf(stderr, "journey inspect: %s: %s\n", state_path, engine.error);
        run_engine_close(&engine);
        jr_program_free(program);
        run_state_close(state);
        return EXIT_FAILED;
    }
    if (contact_count == 0) print_overview(&engine, state, name);
    for (int i = 0; i < contact_count; i++) {
        uint32_t contact;
        if (!jr_vm_contact_find(engine.vm, contacts[i], strlen(contacts[i]), &contact)) {
            fprintf(stderr, "journey inspect: no contact '%s' in %s\n", contacts[i], state_path);
            status = EXIT_FAILED;
            continue;
        }
        if (i > 0 && !json) putchar('\n');
        bool ok = json ? contact_view_json(engine.vm, program, contact, stdout, &error)
                       : contact_view_text(engine.vm, program, contact, stdout, &error);
        if (json) putchar('\n');
        if (!ok) {
            fprintf(stderr, "journey inspect: %s: %s\n", contacts[i], error.message);
            status = EXIT_INTERNAL;
        }
    }
    if (fflush(stdout) != 0) status = EXIT_FAILED;
    run_engine_close(&engine);
    jr_program_free(program);
    run_state_close(state);
    return status;
}

int journey_inspect_command(int argc, char **argv)
{
    const char *state = NULL;
    bool json = false;
    native_options natives;
    char **contacts = calloc((size_t)argc, sizeof *contacts);
    if (!contacts || !native_options_init(&natives, argc)) {
        free(contacts);
        return EXIT_INTERNAL;
    }
    int contact_count = 0, status = -1;
    for (int i = 1; i < argc && status < 0; i++) {
        const char *argument = argv[i];
        native_option_result native = native_option_parse(&natives, argc, argv, &i);
        if (native == NATIVE_OPTION_TAKEN) continue;
        if (native == NATIVE_OPTION_NO_VALUE) status = usage_error("journey inspect", "option '%s' needs a value", argument);
        else if (strcmp(argument, "-h") == 0 || strcmp(argument, "--help") == 0) {
            fputs(inspect_usage, stdout);
            status = EXIT_CLEAN;
        } else if (strcmp(argument, "--state") == 0) {
            if (i + 1 >= argc) status = usage_error("journey inspect", "option '--state' needs a value");
            else state = argv[++i];
        } else if (strncmp(argument, "--state=", 8) == 0) {
            state = argument + 8;
        } else if (strcmp(argument, "--json") == 0) {
            json = true;
        } else if (argument[0] == '-' && argument[1] != '\0') {
            status = usage_error("journey inspect", "unknown option '%s'", argument);
        } else {
            contacts[contact_count++] = argv[i];
        }
    }
    if (status < 0) {
        if (!state) status = usage_error("journey inspect", "no state database given (--state STATE.db)");
        else status = inspect(state, &natives, json, contacts, contact_count);
    }
    native_options_free(&natives);
    free(contacts);
    return status;
}
