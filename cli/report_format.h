/* report_format.h: how the text and HTML reports (report_text.c, report_html.c) show
 * figures, times and names, and the lists of figures both show, so that both say the
 * same thing in the same words.
 *
 * Figures come back in a small struct so that a call can sit inside a printf argument
 * list: printf("%s", report_format_count(n).text). Missing figures (NaN, infinities)
 * read "n/a". Nothing here depends on the locale. */
#ifndef JOURNEY_REPORT_FORMAT_H
#define JOURNEY_REPORT_FORMAT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"

typedef struct report_figure {
    char text[64]; /* a figure is at most 28 characters; intervals hold two */
} report_figure;

/* 1234567 -> "1,234,567" */
report_figure report_format_count(uint64_t count);
/* A number with `decimals` decimals and thousands separators: "1,234.50"; magnitudes
 * of 10^15 and more in exponent notation. */
report_figure report_format_number(double value, int decimals);
/* A rate as a percentage with one decimal: 0.1234 -> "12.3%" */
report_figure report_format_percent(double rate);
/* A change in rate, signed: relative -> "+12.3%", absolute -> "+1.2 pp" (percentage
 * points). Zero has no sign. */
report_figure report_format_relative_lift(double lift);
report_figure report_format_absolute_lift(double lift);
/* "[8.2%, 12.1%]", or signed for lifts: relative "[-2.1%, +6.5%]", absolute (in
 * percentage points) "[-2.1, +6.5]"; "n/a" when either bound is missing. */
report_figure report_format_rate_interval(report_interval interval);
report_figure report_format_relative_interval(report_interval interval);
report_figure report_format_absolute_interval(report_interval interval);
/* "p=0.012", "p<0.001" */
report_figure report_format_p_value(double p_value);
/* Milliseconds, in the two largest units: "3d 4h", "5h 12m", "4m 5s", "12s", "<1s", "0s" */
report_figure report_format_duration(double milliseconds);
/* "2026-03-01 09:30:00 UTC"; INT64_MIN (no events) -> "none" */
report_figure report_format_instant(int64_t milliseconds);
/* "2026-03-01" */
report_figure report_format_day(int64_t milliseconds);

/* ---- names ------------------------------------------------------------------------- */

/* Names come from programs and event logs, so they are hostile input: control
 * characters and malformed UTF-8 become U+FFFD in both renderings, and HTML escapes
 * & < > " ' as well. */
typedef enum report_escape {
    REPORT_ESCAPE_PLAIN,
    REPORT_ESCAPE_HTML,
} report_escape;

/* Writes text (NULL writes nothing) in at most `limit` characters: longer text is cut
 * and ends in "…". Returns the characters written (for padding columns). */
size_t report_write_name(FILE *out, const char *text, report_escape escape, size_t limit);
/* The characters report_write_name writes for text without a limit. */
size_t report_name_length(const char *text);

/* What a funnel calls a node: "send welcome", "step \"tips\"", "split \"last-call\"",
 * "arm 50%", "on order_completed", "wait until". Names longer than the buffer are cut. */
void report_node_name(const report_node *node, char *buffer, size_t size);
/* How deep a node is nested in its journey (0 at the top). */
uint32_t report_node_depth(const report_journey *journey, uint32_t index);
/* Whether the node is the first arm of its branching statement (the baseline of the
 * arms' comparisons). */
bool report_node_is_first_arm(const report_journey *journey, uint32_t index);
/* An arm by its position among its statement's arms and its name: "#2 arm 50%". */
void report_arm_name(const report_journey *journey, uint32_t index, char *buffer, size_t size);

/* ---- what both reports list ------------------------------------------------------ */

typedef struct report_fact {
    const char *key;
    char value[128]; /* figures, and the version: escape it when writing */
} report_fact;

/* The run, after its event logs: times, input and VM counters, version. */
enum { REPORT_RUN_FACTS = 14 };
void report_run_facts(const report *report, report_fact facts[REPORT_RUN_FACTS]);
/* A journey's contacts: entered (holdout, treated), waiting, completed, exited, errors. */
enum { REPORT_JOURNEY_FACTS = 5 };
void report_journey_facts(const report_journey *journey, report_fact facts[REPORT_JOURNEY_FACTS]);
/* A comparison's lift, absolute and relative with their intervals, and its p-value;
 * "n/a" alone when a figure is unknown. */
enum { REPORT_LIFT_FACTS = 3 };
void report_lift_facts(const report_comparison *comparison, report_fact facts[REPORT_LIFT_FACTS]);

/* The goals table: goals, revenue, revenue per contact, time to goal (mean, median),
 * for treated and holdout contacts. */
typedef struct report_goal_row {
    const char *name;
    report_figure treated, holdout;
} report_goal_row;
enum { REPORT_GOAL_ROWS = 5 };
void report_goal_rows(const report_journey *journey, report_goal_row rows[REPORT_GOAL_ROWS]);

/* Sends on all days through one channel, or through all when channel is UINT32_MAX. */
uint64_t report_channel_sends(const report *report, uint32_t channel);

/* Whether an arm of the node (a split) carries a comparison: the reports list those. */
bool report_node_has_compared_arms(const report_journey *journey, uint32_t index);

#endif
