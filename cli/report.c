/* report.c: builds the report model (report.h) from the figures of a run (sim_totals.h),
 * and counts sends per day from the actions as they are delivered. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

enum { DAY_MS = 86400000 };

/* ---- sends per day ------------------------------------------------------------------------ */

typedef struct day_count {
    int64_t day;
    uint32_t channel;
    uint64_t sends;
} day_count;

struct report_days {
    day_count *counts; /* sorted by (day, channel) */
    uint32_t count, capacity;
    char **channels;   /* in order of first sight */
    uint32_t channel_count, channel_capacity;
};

report_days *report_days_new(void) { return calloc(1, sizeof(report_days)); }

void report_days_free(report_days *days)
{
    if (!days) return;
    for (uint32_t i = 0; i < days->channel_count; i++) free(days->channels[i]);
    free(days->channels);
    free(days->counts);
    free(days);
}

static bool grow(void **items, uint32_t *capacity, uint32_t count, size_t size)
{
    if (count < *capacity) return true;
    uint32_t grown = *capacity ? *capacity * 2 : 16;
    void *memory = realloc(*items, size * grown);
    if (!memory) return false;
    *items = memory;
    *capacity = grown;
    return true;
}

static uint32_t channel_index(report_days *days, const char *name)
{
    for (uint32_t i = 0; i < days->channel_count; i++)
        if (strcmp(days->channels[i], name) == 0) return i;
    if (!grow((void **)&days->channels, &days->channel_capacity, days->channel_count, sizeof *days->channels))
        return UINT32_MAX;
    char *copy = strdup(name);
    if (!copy) return UINT32_MAX;
    days->channels[days->channel_count] = copy;
    return days->channel_count++;
}

bool report_days_add(report_days *days, const jr_action *action)
{
    if (action->kind != JR_ACTION_SEND || action->outcome == JR_SEND_SUPPRESSED) return true;
    uint32_t channel = channel_index(days, action->channel ? action->channel : "");
    if (channel == UINT32_MAX) return false;
    int64_t day = action->at - (((action->at % DAY_MS) + DAY_MS) % DAY_MS);
    /* Sends come in nearly in time order: search from the end. */
    uint32_t at = days->count;
    while (at > 0 && (days->counts[at - 1].day > day ||
                      (days->counts[at - 1].day == day && days->counts[at - 1].channel > channel)))
        at--;
    if (at > 0 && days->counts[at - 1].day == day && days->counts[at - 1].channel == channel) {
        days->counts[at - 1].sends++;
        return true;
    }
    if (!grow((void **)&days->counts, &days->capacity, days->count, sizeof *days->counts)) return false;
    memmove(days->counts + at + 1, days->counts + at, sizeof *days->counts * (days->count - at));
    days->counts[at] = (day_count){ day, channel, 1 };
    days->count++;
    return true;
}

/* ---- the model ---------------------------------------------------------------------------- */

void report_free(report *r)
{
    if (!r) return;
    for (uint32_t j = 0; j < r->journey_count; j++) {
        for (uint32_t n = 0; n < r->journeys[j].node_count; n++) free(r->journeys[j].nodes[n].exits);
        free(r->journeys[j].nodes);
        free(r->journeys[j].exits);
    }
    free(r->journeys);
    free(r->messages);
    for (uint32_t d = 0; d < r->day_count; d++) free(r->days[d].per_channel);
    free(r->days);
    free(r->channels);
    free(r);
}

static double per_contact(double value, uint64_t contacts) { return contacts ? value / (double)contacts : NAN; }

static bool build_journey(report_journey *journey, const sim_totals *totals, uint32_t index, bool attribution)
{
    journey->stats = totals->journeys[index];
    const jr_journey_stats *s = &journey->stats;
    journey->treated = s->entered - s->holdout;
    journey->has_holdout = s->holdout > 0;
    journey->lift = report_compare(report_rate_of(s->goals_treated, journey->treated),
                                   report_rate_of(s->goals_holdout, s->holdout));
    journey->revenue_treated = s->goal_value_treated;
    journey->revenue_holdout = s->goal_value_holdout;
    journey->revenue_per_treated = per_contact(s->goal_value_treated, journey->treated);
    journey->revenue_per_holdout = per_contact(s->goal_value_holdout, s->holdout);
    journey->time_to_goal_mean_treated = per_contact(s->time_to_goal_sum_treated, s->goals_treated);
    journey->time_to_goal_mean_holdout = per_contact(s->time_to_goal_sum_holdout, s->goals_holdout);

    journey->exit_count = s->exit_count;
    journey->exits = calloc(s->exit_count + 1, sizeof *journey->exits);
    journey->node_count = s->node_count;
    journey->nodes = calloc(s->node_count + 1, sizeof *journey->nodes);
    if (!journey->exits || !journey->nodes) return false;
    for (uint32_t e = 0; e < s->exit_count; e++) {
        const jr_exit_stats *clause = &totals->exits[index][e];
        journey->exits[e] = (report_exit){ clause->event, clause->line, clause->exited };
    }
    for (uint32_t n = 0; n < s->node_count; n++) {
        report_node *node = &journey->nodes[n];
        node->stats = totals->nodes[s->first_node + n];
        const jr_node_stats *ns = &node->stats;
        node->index = n;
        node->parent = ns->parent == JR_NO_NODE ? JR_NO_NODE : ns->parent - s->first_node;
        node->waiting = ns->here;
        bool ends_here = strcmp(ns->kind, "exit") == 0;
        node->passed = ends_here ? 0 : ns->entered - ns->here - ns->errors - ns->exited;
        node->exits = calloc(s->exit_count + 1, sizeof *node->exits);
        if (!node->exits) return false;
        for (uint32_t e = 0; e < s->exit_count; e++) node->exits[e] = totals->node_exits[s->first_node + n][e];
        /* Split arms: each against the first arm of its split, which (numbered in
         * pre-order) comes right after the split statement. */
        if (attribution && strcmp(ns->kind, "arm") == 0 && node->parent != JR_NO_NODE) {
            uint32_t first_arm = node->parent + 1;
            const jr_node_stats *baseline = &journey->nodes[first_arm].stats;
            node->has_comparison = true;
            node->comparison = report_compare(report_rate_of(ns->converted, ns->entered),
                                              report_rate_of(baseline->converted, baseline->entered));
            if (n == first_arm) { /* the baseline itself: no lift to speak of */
                node->comparison.absolute_lift = node->comparison.relative_lift = NAN;
                node->comparison.absolute_interval = node->comparison.relative_interval = (report_interval){ NAN, NAN };
                node->comparison.z = node->comparison.p_value = NAN;
            }
        }
    }
    return true;
}

report *report_build(const sim_totals *totals, const report_days *days, const char *program_path, const char **inputs,
                     uint32_t input_count, int64_t first_event, int64_t last_event, int64_t horizon,
                     uint64_t bad_lines, bool attribution)
{
    report *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->program = program_path;
    r->inputs = inputs;
    r->input_count = input_count;
    r->first_event = first_event;
    r->last_event = last_event;
    r->horizon = horizon;
    r->attribution = attribution;
    r->bad_lines = bad_lines;
    r->version = JR_VERSION;
    r->vm = totals->stats;

    r->journey_count = totals->journey_count;
    r->journeys = calloc(r->journey_count + 1, sizeof *r->journeys);
    r->message_count = totals->message_count;
    r->messages = calloc(r->message_count + 1, sizeof *r->messages);
    if (!r->journeys || !r->messages) goto out_of_memory;
    for (uint32_t j = 0; j < r->journey_count; j++)
        if (!build_journey(&r->journeys[j], totals, j, attribution)) goto out_of_memory;

    /* Messages, with the credit of their send statements. */
    for (uint32_t m = 0; m < r->message_count; m++) {
        report_message *message = &r->messages[m];
        message->stats = totals->messages[m];
        for (uint32_t j = 0; j < r->journey_count; j++) {
            for (uint32_t n = 0; n < r->journeys[j].node_count; n++) {
                const jr_node_stats *ns = &r->journeys[j].nodes[n].stats;
                if (strcmp(ns->kind, "send") != 0 || !ns->label || strcmp(ns->label, message->stats.name) != 0) continue;
                message->last_touch += ns->last_touch;
                message->last_touch_value += ns->last_touch_value;
                message->linear += ns->linear;
                message->linear_value += ns->linear_value;
            }
        }
    }

    /* Sends per day, one row per day that had any, a column per channel. */
    if (days) {
        r->channel_count = days->channel_count;
        r->channels = calloc(days->channel_count + 1, sizeof *r->channels);
        r->days = calloc(days->count + 1, sizeof *r->days);
        if (!r->channels || !r->days) goto out_of_memory;
        for (uint32_t c = 0; c < days->channel_count; c++) r->channels[c] = days->channels[c];
        for (uint32_t i = 0; i < days->count; i++) {
            const day_count *count = &days->counts[i];
            if (r->day_count == 0 || r->days[r->day_count - 1].day != count->day) {
                report_day *day = &r->days[r->day_count++];
                day->day = count->day;
                day->per_channel = calloc(days->channel_count + 1, sizeof *day->per_channel);
                if (!day->per_channel) goto out_of_memory;
            }
            report_day *day = &r->days[r->day_count - 1];
            day->per_channel[count->channel] += count->sends;
            day->total += count->sends;
        }
    }
    return r;

out_of_memory:
    report_free(r);
    return NULL;
}
