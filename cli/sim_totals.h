/* sim_totals.h: the figures of a simulation, as the summary and the report show them:
 * the counters of jr_vm_stats, of each journey, exit clause, node and message, the
 * clock, and the run-time errors kept. Read from the one VM of a run, or added up over
 * the VMs that shared its contacts (journey sim --threads, sim_threads.h), so that the
 * summary and the report read one model either way. */
#ifndef JOURNEY_SIM_TOTALS_H
#define JOURNEY_SIM_TOTALS_H
#include <stdbool.h>
#include <stdint.h>

#include "journey.h"

typedef struct sim_totals {
    jr_vm_stats stats;
    int64_t clock;
    jr_journey_stats *journeys;
    uint32_t journey_count;
    jr_exit_stats **exits;   /* per journey, per exit clause */
    jr_node_stats *nodes;
    uint32_t node_count;
    uint64_t **node_exits;   /* per node, per exit clause of its journey */
    jr_message_stats *messages;
    uint32_t message_count;
    jr_runtime_error *errors; /* the first kept, in the order they occurred */
    uint32_t error_count;
    /* with several VMs: the time-to-goal histograms, per journey [treated, holdout] */
    uint64_t (*time_to_goal)[2][JR_TIME_TO_GOAL_BUCKETS];
} sim_totals;

/* The figures of one VM; NULL when out of memory. Its strings belong to the VM and its
 * program: free the totals before them. */
sim_totals *sim_totals_read(const jr_vm *vm);

/* Adds the counts of another VM of the same program that ran other contacts: counters
 * and histograms add up, the medians follow the histograms. The floating-point figures
 * are left as they are, for sim_totals_set_figure (their sum depends on the order of
 * the terms). The errors are not touched: sim_totals_set_errors. */
void sim_totals_add(sim_totals *totals, const jr_vm *vm);

/* Sets a floating-point figure (jr_figure) of a journey or node. */
void sim_totals_set_figure(sim_totals *totals, jr_figure figure, uint32_t index, double value);

/* Replaces the errors with count errors (copied; their strings must outlive the totals);
 * false when out of memory. */
bool sim_totals_set_errors(sim_totals *totals, const jr_runtime_error *errors, uint32_t count);

void sim_totals_free(sim_totals *totals);

#endif
