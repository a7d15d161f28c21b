/* sim_run.h: one simulation of journey sim, on one VM (sim_single.c) or on several
 * threads that share the contacts (sim_threads.c), with the same outcome either way:
 * the actions written in the same order, the same figures (spec/language.md 6.16). */
#ifndef JOURNEY_SIM_RUN_H
#define JOURNEY_SIM_RUN_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "journey.h"
#include "report.h"
#include "sim_read.h"
#include "sim_totals.h"

typedef struct sim_setup {
    const jr_program *program;
    const char *const *logs;
    uint32_t log_count;
    FILE *out;           /* the actions, as JSON Lines */
    report_days *days;   /* sends per day for the report, or NULL */
    bool attribution;    /* jr_config.attribution (the report needs it) */
    bool skip_bad;       /* --on-bad-event=skip */
    bool show_progress;  /* on stderr */
    bool has_until, relative_until;
    int64_t until;       /* --until: an instant, or a duration after the last event */
    uint32_t threads;
} sim_setup;

typedef struct sim_outcome {
    int status;           /* 0 done, 1 failed (a log, a line, an event), 70 internal */
    sim_reading reading;
    int64_t horizon;      /* where the timers were fired up to at the end; INT64_MIN: not */
    sim_totals *totals;   /* NULL only when out of memory (status 70) */
    bool days_out_of_memory;
    jr_vm **vms;          /* the totals' strings live in them */
    uint32_t vm_count;
} sim_outcome;

/* The horizon of a run that read up to last_event (INT64_MIN: no event) with the clock
 * at clock: --until, else the last event's time (spec/language.md 6.2); INT64_MIN when
 * there is neither. */
int64_t sim_horizon(const sim_setup *setup, int64_t last_event, int64_t clock);

/* Runs the simulation on one VM; messages about the logs and the run go to stderr.
 * Returns outcome->status. */
int sim_run_single(const sim_setup *setup, sim_outcome *outcome);

/* Runs it on setup->threads VMs, each on its own thread (sim_threads.c). */
int sim_run_threads(const sim_setup *setup, sim_outcome *outcome);

void sim_outcome_free(sim_outcome *outcome);

#endif
