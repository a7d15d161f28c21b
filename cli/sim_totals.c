/* sim_totals.c: the figures of a simulation, from one VM or added up (sim_totals.h). */
#include "sim_totals.h"

#include <stdlib.h>
#include <string.h>

void sim_totals_free(sim_totals *totals)
{
    if (!totals) return;
    for (uint32_t j = 0; totals->exits && j < totals->journey_count; j++) free(totals->exits[j]);
    for (uint32_t n = 0; totals->node_exits && n < totals->node_count; n++) free(totals->node_exits[n]);
    free(totals->exits);
    free(totals->node_exits);
    free(totals->journeys);
    free(totals->nodes);
    free(totals->messages);
    free(totals->errors);
    free(totals->time_to_goal);
    free(totals);
}

/* The exit clauses of journeys and nodes; false when out of memory. */
static bool read_exits(sim_totals *totals, const jr_vm *vm)
{
    for (uint32_t j = 0; j < totals->journey_count; j++) {
        uint32_t clauses = totals->journeys[j].exit_count;
        if (!(totals->exits[j] = calloc(clauses + 1, sizeof *totals->exits[j]))) return false;
        for (uint32_t e = 0; e < clauses; e++) jr_vm_exit_stats(vm, j, e, &totals->exits[j][e]);
    }
    for (uint32_t n = 0; n < totals->node_count; n++) {
        uint32_t clauses = totals->journeys[totals->nodes[n].journey].exit_count;
        if (!(totals->node_exits[n] = calloc(clauses + 1, sizeof *totals->node_exits[n]))) return false;
        for (uint32_t e = 0; e < clauses; e++) totals->node_exits[n][e] = jr_vm_node_exits(vm, n, e);
    }
    return true;
}

sim_totals *sim_totals_read(const jr_vm *vm)
{
    sim_totals *totals = calloc(1, sizeof *totals);
    if (!totals) return NULL;
    jr_vm_stats_get(vm, &totals->stats);
    totals->clock = jr_vm_clock(vm);
    totals->journey_count = jr_vm_journey_count(vm);
    totals->node_count = jr_vm_node_count(vm);
    totals->message_count = jr_vm_message_count(vm);
    totals->journeys = calloc(totals->journey_count + 1, sizeof *totals->journeys);
    totals->exits = calloc(totals->journey_count + 1, sizeof *totals->exits);
    totals->time_to_goal = calloc(totals->journey_count + 1, sizeof *totals->time_to_goal);
    totals->nodes = calloc(totals->node_count + 1, sizeof *totals->nodes);
    totals->node_exits = calloc(totals->node_count + 1, sizeof *totals->node_exits);
    totals->messages = calloc(totals->message_count + 1, sizeof *totals->messages);
    totals->error_count = jr_vm_error_count(vm);
    totals->errors = calloc(totals->error_count + 1, sizeof *totals->errors);
    if (!totals->journeys || !totals->exits || !totals->time_to_goal || !totals->nodes || !totals->node_exits ||
        !totals->messages || !totals->errors) {
        sim_totals_free(totals);
        return NULL;
    }
    for (uint32_t j = 0; j < totals->journey_count; j++) {
        jr_vm_journey_stats(vm, j, &totals->journeys[j]);
        jr_vm_time_to_goal_histogram(vm, j, false, totals->time_to_goal[j][0]);
        jr_vm_time_to_goal_histogram(vm, j, true, totals->time_to_goal[j][1]);
    }
    for (uint32_t n = 0; n < totals->node_count; n++) jr_vm_node_stats(vm, n, &totals->nodes[n]);
    for (uint32_t m = 0; m < totals->message_count; m++) jr_vm_message_stats(vm, m, &totals->messages[m]);
    for (uint32_t i = 0; i < totals->error_count; i++) jr_vm_error(vm, i, &totals->errors[i]);
    if (!read_exits(totals, vm)) {
        sim_totals_free(totals);
        return NULL;
    }
    return totals;
}

static void add_journey(sim_totals *totals, const jr_vm *vm, uint32_t j)
{
    jr_journey_stats more;
    jr_vm_journey_stats(vm, j, &more);
    jr_journey_stats *sum = &totals->journeys[j];
    sum->entered += more.entered;
    sum->holdout += more.holdout;
    sum->active += more.active;
    sum->completed += more.completed;
    sum->exited += more.exited;
    sum->errors += more.errors;
    sum->goals_treated += more.goals_treated;
    sum->goals_holdout += more.goals_holdout;
    for (int group = 0; group < 2; group++) {
        uint64_t buckets[JR_TIME_TO_GOAL_BUCKETS];
        jr_vm_time_to_goal_histogram(vm, j, group == 1, buckets);
        for (int b = 0; b < JR_TIME_TO_GOAL_BUCKETS; b++) totals->time_to_goal[j][group][b] += buckets[b];
    }
    sum->time_to_goal_median_treated = jr_time_to_goal_median(totals->time_to_goal[j][0]);
    sum->time_to_goal_median_holdout = jr_time_to_goal_median(totals->time_to_goal[j][1]);
    for (uint32_t e = 0; e < sum->exit_count; e++) {
        jr_exit_stats clause;
        jr_vm_exit_stats(vm, j, e, &clause);
        totals->exits[j][e].exited += clause.exited;
    }
}

static void add_node(sim_totals *totals, const jr_vm *vm, uint32_t n)
{
    jr_node_stats more;
    jr_vm_node_stats(vm, n, &more);
    jr_node_stats *sum = &totals->nodes[n];
    sum->entered += more.entered;
    sum->here += more.here;
    sum->errors += more.errors;
    sum->exited += more.exited;
    sum->goals += more.goals;
    sum->sent += more.sent;
    sum->deferred += more.deferred;
    sum->suppressed += more.suppressed;
    sum->converted += more.converted;
    for (uint32_t e = 0; e < totals->journeys[sum->journey].exit_count; e++)
        totals->node_exits[n][e] += jr_vm_node_exits(vm, n, e);
}

void sim_totals_add(sim_totals *totals, const jr_vm *vm)
{
    jr_vm_stats more;
    jr_vm_stats_get(vm, &more);
    jr_vm_stats *sum = &totals->stats;
    sum->events += more.events;
    sum->undeclared += more.undeclared;
    sum->duplicates += more.duplicates;
    sum->out_of_order += more.out_of_order;
    sum->type_mismatches += more.type_mismatches;
    sum->timers_fired += more.timers_fired;
    sum->contacts += more.contacts;
    sum->runtime_errors += more.runtime_errors;
    sum->actions += more.actions;
    for (uint32_t j = 0; j < totals->journey_count; j++) add_journey(totals, vm, j);
    for (uint32_t n = 0; n < totals->node_count; n++) add_node(totals, vm, n);
    for (uint32_t m = 0; m < totals->message_count; m++) {
        jr_message_stats message;
        jr_vm_message_stats(vm, m, &message);
        totals->messages[m].sent += message.sent;
        totals->messages[m].deferred += message.deferred;
        totals->messages[m].suppressed_by_limit += message.suppressed_by_limit;
        totals->messages[m].suppressed_by_quiet_hours += message.suppressed_by_quiet_hours;
    }
}

void sim_totals_set_figure(sim_totals *totals, jr_figure figure, uint32_t index, double value)
{
    bool of_journey = figure <= JR_FIGURE_TIME_TO_GOAL_SUM_HOLDOUT;
    if (index >= (of_journey ? totals->journey_count : totals->node_count)) return;
    jr_journey_stats *journey = &totals->journeys[index];
    jr_node_stats *node = &totals->nodes[index];
    switch (figure) {
    case JR_FIGURE_GOAL_VALUE_TREATED: journey->goal_value_treated = value; break;
    case JR_FIGURE_GOAL_VALUE_HOLDOUT: journey->goal_value_holdout = value; break;
    case JR_FIGURE_TIME_TO_GOAL_SUM_TREATED: journey->time_to_goal_sum_treated = value; break;
    case JR_FIGURE_TIME_TO_GOAL_SUM_HOLDOUT: journey->time_to_goal_sum_holdout = value; break;
    case JR_FIGURE_NODE_GOAL_VALUE: node->goal_value = value; break;
    case JR_FIGURE_NODE_CONVERTED_VALUE: node->converted_value = value; break;
    case JR_FIGURE_NODE_LAST_TOUCH: node->last_touch = value; break;
    case JR_FIGURE_NODE_LAST_TOUCH_VALUE: node->last_touch_value = value; break;
    case JR_FIGURE_NODE_LINEAR: node->linear = value; break;
    case JR_FIGURE_NODE_LINEAR_VALUE: node->linear_value = value; break;
    }
}

bool sim_totals_set_errors(sim_totals *totals, const jr_runtime_error *errors, uint32_t count)
{
    jr_runtime_error *copy = calloc(count + 1, sizeof *copy);
    if (!copy) return false;
    if (count) memcpy(copy, errors, sizeof *copy * count);
    free(totals->errors);
    totals->errors = copy;
    totals->error_count = count;
    return true;
}
