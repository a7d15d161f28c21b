/* report.h: the simulation report of `journey sim --report FILE`, as one model that the
 * three writers render (report_json.c, report_text.c, report_html.c). report.c builds
 * it from the figures of the run (sim_totals.h) and the actions the CLI saw; report_stats.c
 * holds the statistics. spec/report.md is the reference for every figure. */
#ifndef JOURNEY_REPORT_H
#define JOURNEY_REPORT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "journey.h"
#include "sim_totals.h"

/* A 95% confidence interval; both NaN when it is undefined. */
typedef struct report_interval {
    double low, high;
} report_interval;

/* A conversion rate: goals among contacts. */
typedef struct report_rate {
    uint64_t contacts, goals;
    double rate;               /* goals / contacts; NaN when contacts is 0 */
    report_interval interval;  /* Wilson score interval */
} report_rate;

/* One group against a baseline: treated against the holdout, or a split arm against
 * the first arm. */
typedef struct report_comparison {
    report_rate group, baseline;
    double absolute_lift;          /* group.rate - baseline.rate */
    report_interval absolute_interval; /* Wald interval of the difference */
    double relative_lift;          /* absolute_lift / baseline.rate; NaN if baseline.rate is 0 */
    report_interval relative_interval; /* from the log of the rate ratio */
    double z, p_value;             /* two-proportion z-test, pooled, two-sided; NaN if undefined */
} report_comparison;

typedef struct report_exit {
    const char *event;
    uint32_t line;
    uint64_t exited;
} report_exit;

typedef struct report_node {
    jr_node_stats stats;
    uint32_t index;         /* within its journey's nodes */
    uint32_t parent;        /* index within the journey, or JR_NO_NODE */
    uint64_t waiting;       /* contacts at it at the horizon (at a wait: stats.here) */
    uint64_t passed;        /* went on from it: entered - here - errors - exited (0 for exit) */
    uint64_t *exits;        /* per exit clause of the journey */
    /* split arms, with attribution: conversion against the first arm of the split */
    bool has_comparison;
    report_comparison comparison;
} report_node;

typedef struct report_journey {
    jr_journey_stats stats;
    uint64_t treated;             /* entered - holdout */
    report_comparison lift;       /* treated against the holdout */
    bool has_holdout;
    double revenue_treated, revenue_holdout;       /* goal values */
    double revenue_per_treated, revenue_per_holdout; /* per contact entered; NaN when none */
    double time_to_goal_mean_treated, time_to_goal_mean_holdout; /* ms, NaN when no goal */
    report_exit *exits;
    uint32_t exit_count;
    report_node *nodes;
    uint32_t node_count;
} report_journey;

typedef struct report_message {
    jr_message_stats stats;
    /* summed over the send statements of the message (with attribution) */
    double last_touch, last_touch_value, linear, linear_value;
} report_message;

/* Sends that took effect on one UTC day, per channel (in the order of report.channels). */
typedef struct report_day {
    int64_t day;        /* midnight UTC, milliseconds since the epoch */
    uint64_t total;
    uint64_t *per_channel;
} report_day;

typedef struct report {
    const char *program;       /* the path the user gave */
    const char **inputs;       /* event logs */
    uint32_t input_count;
    int64_t first_event, last_event, horizon; /* INT64_MIN when there were no events */
    bool attribution;          /* attribution figures present */
    jr_vm_stats vm;
    uint64_t bad_lines;        /* skipped with --on-bad-event=skip */
    report_journey *journeys;
    uint32_t journey_count;
    report_message *messages;
    uint32_t message_count;
    const char **channels;
    uint32_t channel_count;
    report_day *days;          /* in order, days without sends left out */
    uint32_t day_count;
    const char *version;       /* JR_VERSION */
} report;

/* ---- building (report.c) ---------------------------------------------------------- */

/* Collects sends per day from the action stream: call report_days_add for every action
 * the VM delivers, then report_build once the run is over. */
typedef struct report_days report_days;
report_days *report_days_new(void);
/* false when memory ran out */
bool report_days_add(report_days *days, const jr_action *action);
void report_days_free(report_days *days);

/* Fills the model from the figures of a run once it is over; NULL when memory ran out.
 * The strings in it belong to the totals' VMs, the program and the caller: free the
 * report before them. */
report *report_build(const sim_totals *totals, const report_days *days, const char *program_path,
                     const char **inputs, uint32_t input_count, int64_t first_event,
                     int64_t last_event, int64_t horizon, uint64_t bad_lines, bool attribution);
void report_free(report *report);

/* ---- statistics (report_stats.c) ------------------------------------------------ */

report_rate report_rate_of(uint64_t goals, uint64_t contacts);
report_comparison report_compare(report_rate group, report_rate baseline);

/* ---- writers: each returns false when writing failed (errno tells why) ----------- */

bool report_write_json(const report *report, FILE *out);
bool report_write_text(const report *report, FILE *out);
bool report_write_html(const report *report, FILE *out);

#endif
