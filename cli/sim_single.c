/* sim_single.c: journey sim on one VM: each event posted as it is read, each action
 * written as the VM makes it (sim_run.h). */
#include <inttypes.h>
#include <stdlib.h>

#include "action_record.h"
#include "event_merge.h"
#include "sim_run.h"

typedef struct single_run {
    const sim_setup *setup;
    jr_vm *vm;
    int status;
    bool days_out_of_memory;
} single_run;

static void take_action(void *user, const jr_action *action)
{
    single_run *run = user;
    action_record_write(run->setup->out, action);
    if (run->setup->days && !report_days_add(run->setup->days, action)) run->days_out_of_memory = true;
}

static bool post(void *user, const jr_event *event, const char *path)
{
    single_run *run = user;
    jr_error error;
    if (jr_vm_post(run->vm, event, &error) == JR_OK) return true;
    fprintf(stderr, "journey: %s:%" PRIu64 ": %s\n", path, event->line, error.message);
    run->status = error.status == JR_ERROR_MEMORY ? 70 : 1;
    return false;
}

int sim_run_single(const sim_setup *setup, sim_outcome *outcome)
{
    *outcome = (sim_outcome){ .status = 0, .horizon = INT64_MIN };
    single_run run = { setup, NULL, 0, false };
    jr_config config = { .on_action = take_action, .action_user = &run, .attribution = setup->attribution };
    jr_error error;
    if (!(outcome->vms = calloc(1, sizeof *outcome->vms)) || jr_vm_new(setup->program, &config, &run.vm, &error) != JR_OK) {
        fprintf(stderr, "journey: %s\n", outcome->vms ? error.message : "out of memory");
        return outcome->status = 70;
    }
    outcome->vms[outcome->vm_count++] = run.vm;

    event_merge *merge = event_merge_new(jr_program_schema(setup->program), setup->logs, setup->log_count);
    sim_read(merge, setup->skip_bad, setup->show_progress, post, &run, &outcome->reading);
    event_merge_free(merge);
    int status = run.status;
    if (outcome->reading.stopped && status == 0) status = 1;
    /* The horizon fires the timers still due (spec/language.md 6.2). */
    if (status == 0 && (setup->has_until || outcome->reading.last_event != INT64_MIN)) {
        outcome->horizon = sim_horizon(setup, outcome->reading.last_event, jr_vm_clock(run.vm));
        if (jr_vm_advance(run.vm, outcome->horizon, &error) != JR_OK) {
            fprintf(stderr, "journey: %s\n", error.message);
            status = 70;
        }
    }
    outcome->days_out_of_memory = run.days_out_of_memory;
    if (!(outcome->totals = sim_totals_read(run.vm))) {
        fputs("journey: out of memory gathering the figures\n", stderr);
        status = 70;
    }
    return outcome->status = status;
}
