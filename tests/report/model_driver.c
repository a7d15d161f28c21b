/* model_driver.c: renders report models built by hand with the text and HTML writers,
 * so that their edge cases are tested without a simulation:
 *
 *   model_driver CASE FORMAT OUT     CASE: typical, empty, unknown, hostile, large
 *                                    FORMAT: text or html; OUT: a file ("-": stdout)
 *
 * Exit status 0 when the writer succeeded, 1 when it returned false (a write error:
 * run.sh writes to /dev/full to see that reported), 2 on a usage error.
 *
 *   typical   the acceptance example's journey with a holdout, split arms compared and
 *             attribution, and a second journey without a holdout
 *   empty     no journeys, no messages, no channels, no events
 *   unknown   a journey nobody entered: every rate, interval, p-value, mean and
 *             revenue per contact NaN; one day of sends
 *   hostile   names with markup, quotes, control characters, bidi overrides, malformed
 *             UTF-8 and URLs in every place a name appears
 *   large     400 days, 200 nodes nested 12 deep, 12 channels, 120-character names
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

enum { DAY = 86400000 };
static const int64_t march_first = 1772355600000; /* 2026-03-01T09:00:00Z */

/* ---- building blocks ------------------------------------------------------------- */

static report_interval interval(double low, double high)
{
    return (report_interval){ low, high };
}

static report_rate rate(uint64_t contacts, uint64_t goals, double low, double high)
{
    return (report_rate){ contacts, goals, contacts ? (double)goals / (double)contacts : NAN, interval(low, high) };
}

static report_comparison compare(report_rate group, report_rate baseline, report_interval absolute,
                                 report_interval relative, double z, double p_value)
{
    double lift = group.rate - baseline.rate;
    return (report_comparison){ group, baseline, lift, absolute, baseline.rate > 0 ? lift / baseline.rate : NAN,
                                relative, z, p_value };
}

/* Appends a node to a journey whose nodes array has room. */
static report_node *add_node(report_journey *journey, const char *kind, const char *label, uint32_t parent,
                             uint32_t line, uint64_t entered, uint64_t waiting, uint64_t exited)
{
    report_node *node = &journey->nodes[journey->node_count];
    *node = (report_node){ 0 };
    node->stats.kind = kind;
    node->stats.label = label;
    node->stats.is_arm = strcmp(kind, "then") == 0 || strcmp(kind, "else") == 0 || strcmp(kind, "received") == 0 ||
                         strcmp(kind, "timed out") == 0 || strcmp(kind, "on") == 0 || strcmp(kind, "after") == 0 ||
                         strcmp(kind, "arm") == 0;
    node->stats.line = line;
    node->stats.column = 5;
    node->stats.entered = entered;
    node->stats.here = waiting;
    node->stats.exited = exited;
    node->index = journey->node_count;
    node->parent = parent;
    node->waiting = waiting;
    node->passed = entered - waiting - exited;
    journey->node_count++;
    return node;
}

static void set_send(report_node *node, uint64_t sent, uint64_t deferred, uint64_t suppressed, double last_touch,
                     double linear)
{
    node->stats.sent = sent;
    node->stats.deferred = deferred;
    node->stats.suppressed = suppressed;
    node->stats.last_touch = last_touch;
    node->stats.last_touch_value = last_touch * 100;
    node->stats.linear = linear;
    node->stats.linear_value = linear * 100;
}

static report_message message(const char *name, const char *channel, uint64_t sent, uint64_t deferred,
                              uint64_t by_limit, uint64_t by_quiet_hours, double last_touch, double linear)
{
    return (report_message){ { name, channel, sent, deferred, by_limit, by_quiet_hours },
                             last_touch,
                             last_touch * 100,
                             linear,
                             linear * 100 };
}

static void base_report(report *model, const char *program)
{
    static const char *inputs[] = { "examples/onboarding.events.jsonl" };
    *model = (report){ 0 };
    model->program = program;
    model->inputs = inputs;
    model->input_count = 1;
    model->first_event = march_first;
    model->last_event = march_first + 13 * DAY + 34200000;
    model->horizon = model->last_event + 30LL * DAY;
    model->version = "0.1.0";
    model->vm = (jr_vm_stats){ .events = 1234, .undeclared = 3, .duplicates = 1, .type_mismatches = 2,
                               .timers_fired = 2345, .contacts = 1000, .runtime_errors = 1, .actions = 3456 };
    model->bad_lines = 2;
}

/* ---- typical --------------------------------------------------------------------- */

/* The acceptance example (examples/onboarding.journey) with names that `names` may
 * replace: [0] journey, [1..7] messages, [8] step label, [9] split name, [10] exit
 * event, [11] the file. */
static void onboarding_journey(report_journey *journey, const char *const *names)
{
    static report_node nodes[2][23];
    static uint64_t exits[2][23][1];
    static report_exit exit_clauses[2][1];
    static int used = 0;
    int slot = used++ % 2;
    *journey = (report_journey){ 0 };
    journey->nodes = nodes[slot];
    jr_journey_stats *stats = &journey->stats;
    *stats = (jr_journey_stats){ .name = names[0], .file = names[11], .line = 38, .entered = 1000, .holdout = 100,
                                 .active = 40, .completed = 900, .exited = 60, .goals_treated = 90, .goals_holdout = 5,
                                 .goal_value_treated = 9000, .goal_value_holdout = 450,
                                 .time_to_goal_sum_treated = 90 * 187200000.0,
                                 .time_to_goal_sum_holdout = 5 * 262800000.0,
                                 .time_to_goal_median_treated = 165600000, .time_to_goal_median_holdout = 172800000,
                                 .exit_count = 1, .node_count = 23 };
    journey->treated = 900;
    journey->has_holdout = true;
    journey->lift = compare(rate(900, 90, 0.0820, 0.1216), rate(100, 5, 0.0215, 0.1118), interval(0.0034, 0.0966),
                            interval(-0.2, 4.0), 1.57, 0.117);
    journey->revenue_treated = 9000;
    journey->revenue_holdout = 450;
    journey->revenue_per_treated = 10;
    journey->revenue_per_holdout = 4.5;
    journey->time_to_goal_mean_treated = 187200000;
    journey->time_to_goal_mean_holdout = 262800000;
    exit_clauses[slot][0] = (report_exit){ names[10], 40, 60 };
    journey->exits = exit_clauses[slot];
    journey->exit_count = 1;

    uint32_t top = JR_NO_NODE;
    add_node(journey, "set", NULL, top, 44, 900, 0, 0);
    set_send(add_node(journey, "send", names[1], top, 45, 900, 0, 0), 880, 20, 0, 30, 25.5);
    add_node(journey, "wait", NULL, top, 46, 900, 0, 10);
    add_node(journey, "wait until", NULL, top, 47, 890, 0, 2);
    uint32_t branch = journey->node_count;
    add_node(journey, "if", NULL, top, 48, 888, 0, 0);
    uint32_t then_arm = journey->node_count;
    add_node(journey, "then", NULL, branch, 48, 300, 0, 0);
    set_send(add_node(journey, "send", names[2], then_arm, 49, 300, 0, 0), 290, 10, 0, 20, 18);
    uint32_t else_arm = journey->node_count;
    add_node(journey, "else", NULL, branch, 50, 588, 0, 0);
    uint32_t step = journey->node_count;
    add_node(journey, "step", names[8], else_arm, 51, 588, 0, 0)->passed = 560;
    set_send(add_node(journey, "send", names[3], step, 52, 588, 0, 0), 580, 0, 8, 10, 12);
    uint32_t wait_for = journey->node_count;
    add_node(journey, "wait for", NULL, step, 53, 588, 0, 28)->stats.goals = 12;
    add_node(journey, "received", NULL, wait_for, 53, 200, 0, 0);
    uint32_t timed_out = journey->node_count;
    add_node(journey, "timed out", NULL, wait_for, 55, 360, 0, 0);
    set_send(add_node(journey, "send", names[4], timed_out, 56, 360, 0, 0), 350, 0, 10, 5, 9.5);
    uint32_t select = journey->node_count;
    report_node *select_node = add_node(journey, "select", NULL, top, 60, 860, 40, 20);
    select_node->stats.goals = 30;
    select_node->stats.goal_value = 3000;
    uint32_t on_arm = journey->node_count;
    add_node(journey, "on", "order_completed", select, 61, 150, 0, 0);
    set_send(add_node(journey, "send", names[5], on_arm, 61, 150, 0, 0), 150, 0, 0, 0, 0);
    uint32_t after_arm = journey->node_count;
    add_node(journey, "after", NULL, select, 62, 650, 0, 0);
    uint32_t split = journey->node_count;
    add_node(journey, "split", names[9], after_arm, 62, 650, 0, 0);
    uint32_t arm_a = journey->node_count;
    report_node *first = add_node(journey, "arm", "50%", split, 62, 330, 0, 0);
    first->has_comparison = true;
    first->comparison = compare(rate(330, 40, 0.0903, 0.1609), rate(330, 40, 0.0903, 0.1609), interval(0, 0),
                                interval(0, 0), 0, 1);
    set_send(add_node(journey, "send", names[6], arm_a, 62, 330, 0, 0), 330, 0, 0, 15, 14);
    uint32_t arm_b = journey->node_count;
    report_node *second = add_node(journey, "arm", "50%", split, 62, 320, 0, 0);
    second->has_comparison = true;
    second->comparison = compare(rate(320, 30, 0.0664, 0.1308), first->comparison.group, interval(-0.0748, 0.0198),
                                 interval(-0.525, 0.26), -1.14, 0.254);
    set_send(add_node(journey, "send", names[7], arm_b, 62, 320, 0, 0), 320, 0, 0, 10, 11);

    /* where the 60 exits happened */
    for (uint32_t i = 0; i < journey->node_count; i++) {
        journey->nodes[i].exits = exits[slot][i];
        exits[slot][i][0] = journey->nodes[i].stats.exited;
    }
}

/* A journey without a holdout or exit clauses (examples/abandoned_cart.journey, cut). */
static void cart_journey(report_journey *journey)
{
    static report_node nodes[6];
    *journey = (report_journey){ 0 };
    journey->nodes = nodes;
    journey->stats = (jr_journey_stats){ .name = "abandoned_cart", .file = "examples/abandoned_cart.journey",
                                         .line = 12, .entered = 2500, .active = 0, .completed = 2497, .errors = 3,
                                         .goals_treated = 310, .goal_value_treated = 24899.5,
                                         .time_to_goal_sum_treated = 310 * 5400000.0,
                                         .time_to_goal_median_treated = 3600000, .time_to_goal_median_holdout = NAN,
                                         .node_count = 6 };
    journey->treated = 2500;
    journey->lift = compare(rate(2500, 310, 0.1117, 0.1377), rate(0, 0, NAN, NAN), interval(NAN, NAN),
                            interval(NAN, NAN), NAN, NAN);
    journey->revenue_treated = 24899.5;
    journey->revenue_per_treated = 9.9598;
    journey->revenue_per_holdout = NAN;
    journey->time_to_goal_mean_treated = 5400000;
    journey->time_to_goal_mean_holdout = NAN;
    add_node(journey, "wait", NULL, JR_NO_NODE, 20, 2500, 0, 0);
    set_send(add_node(journey, "send", "reminder_1", JR_NO_NODE, 21, 2500, 0, 0), 2480, 15, 5, 200, 180);
    uint32_t wait_for = journey->node_count;
    report_node *wait = add_node(journey, "wait for", NULL, JR_NO_NODE, 22, 2500, 0, 0);
    wait->stats.errors = 3;
    wait->passed = 2497;
    add_node(journey, "received", "order_completed", wait_for, 22, 300, 0, 0);
    uint32_t timed_out = journey->node_count;
    add_node(journey, "timed out", NULL, wait_for, 22, 2197, 0, 0);
    set_send(add_node(journey, "send", "reminder_2", timed_out, 23, 2197, 0, 0), 2197, 0, 0, 110, 130);
}

static const char *const typical_names[] = { "onboarding", "welcome", "demo", "tips", "nudge", "thanks", "offer_a",
                                             "offer_b", "tips", "last-call", "unsubscribed",
                                             "examples/onboarding.journey" };

/* Fills days from a start, `count` days apart by `step`, with sends per channel. */
static void fill_days(report *model, report_day *days, uint64_t *counts, uint32_t count, uint32_t step)
{
    for (uint32_t i = 0; i < count; i++) {
        days[i].day = (march_first / DAY + (int64_t)i * step) * DAY;
        days[i].per_channel = &counts[(size_t)i * model->channel_count];
        days[i].total = 0;
        for (uint32_t channel = 0; channel < model->channel_count; channel++) {
            uint64_t sends = (uint64_t)((i * 37 + channel * 11) % 50) * (channel == 0 ? 10 : 1) + (i % 7 == 0 ? 0 : 3);
            days[i].per_channel[channel] = sends;
            days[i].total += sends;
        }
    }
    model->days = days;
    model->day_count = count;
}

static void typical(report *model, const char *const *names, const char **channels)
{
    static report_journey journeys[2];
    static report_message messages[8];
    static report_day days[14];
    static uint64_t counts[14 * 2];
    base_report(model, names[11]);
    model->attribution = true;
    onboarding_journey(&journeys[0], names);
    cart_journey(&journeys[1]);
    model->journeys = journeys;
    model->journey_count = 2;
    messages[0] = message(names[1], channels[0], 880, 20, 0, 0, 30, 25.5);
    messages[1] = message(names[2], channels[0], 290, 10, 0, 0, 20, 18);
    messages[2] = message(names[3], channels[0], 580, 0, 8, 0, 10, 12);
    messages[3] = message(names[4], channels[1], 350, 0, 0, 10, 5, 9.5);
    messages[4] = message(names[5], channels[0], 150, 0, 0, 0, 0, 0);
    messages[5] = message(names[6], channels[0], 330, 0, 0, 0, 15, 14);
    messages[6] = message(names[7], channels[0], 320, 0, 0, 0, 10, 11);
    messages[7] = message("reminder_1", channels[0], 2480, 15, 5, 0, 200, 180);
    model->messages = messages;
    model->message_count = 8;
    model->channels = channels;
    model->channel_count = 2;
    fill_days(model, days, counts, 14, 1);
}

/* ---- the other cases ------------------------------------------------------------- */

static void empty(report *model)
{
    base_report(model, "empty.journey");
    model->inputs = NULL;
    model->input_count = 0;
    model->first_event = model->last_event = model->horizon = INT64_MIN;
    model->vm = (jr_vm_stats){ 0 };
    model->bad_lines = 0;
}

static void unknown(report *model)
{
    static report_journey journey;
    static report_node nodes[3];
    static report_message messages[1];
    static const char *channels[] = { "push" };
    static report_day days[1];
    static uint64_t counts[1];
    base_report(model, "examples/never.journey");
    model->attribution = true;
    journey = (report_journey){ 0 };
    journey.nodes = nodes;
    journey.stats = (jr_journey_stats){ .name = "never_entered", .file = "examples/never.journey", .line = 3,
                                        .time_to_goal_median_treated = NAN, .time_to_goal_median_holdout = NAN };
    journey.has_holdout = true;
    journey.lift = compare(rate(0, 0, NAN, NAN), rate(0, 0, NAN, NAN), interval(NAN, NAN), interval(NAN, NAN), NAN,
                           NAN);
    journey.revenue_per_treated = journey.revenue_per_holdout = NAN;
    journey.time_to_goal_mean_treated = journey.time_to_goal_mean_holdout = NAN;
    uint32_t split = journey.node_count;
    add_node(&journey, "split", "test", JR_NO_NODE, 5, 0, 0, 0);
    report_node *arm = add_node(&journey, "arm", "a", split, 6, 0, 0, 0);
    arm->has_comparison = true;
    arm->comparison = journey.lift;
    report_node *other = add_node(&journey, "arm", "b", split, 7, 0, 0, 0);
    other->has_comparison = true;
    other->comparison = journey.lift;
    model->journeys = &journey;
    model->journey_count = 1;
    messages[0] = message("ping", "push", 0, 0, 0, 0, NAN, NAN);
    model->messages = messages;
    model->message_count = 1;
    model->channels = channels;
    model->channel_count = 1;
    fill_days(model, days, counts, 1, 1);
}

static void hostile(report *model)
{
    static const char *const names[] = {
        "<script>alert(\"journey\")</script>",
        "\"><img src=x onerror=alert(1)>",
        "demo' onmouseover='alert(2)",
        "tips & <b>tricks</b>",
        "\x1b[31mred\x1b[0m\nnext line\rback\ttab",
        "</style><style>body{background:url(https://evil.example/x.png)}</style>",
        "offer \xe2\x80\xae\x64\x63\x62\x61 bidi",
        "bad utf-8 \xff\xfe\xc3 cut \xe2\x82",
        "step <!-- comment --> ]]> &amp;",
        "split</svg><a href=\"https://evil.example/\">click</a>",
        "unsubscribed<iframe src=//evil.example>",
        "/tmp/<i>dir</i>/x&y.journey",
    };
    static const char *channels[] = { "e<mail>", "sms\"'&" };
    static const char *inputs[] = { "https://evil.example/events.jsonl", "log\"><script src=//evil.example/x.js>" };
    typical(model, names, channels);
    model->inputs = inputs;
    model->input_count = 2;
    model->version = "0.1.0<script>";
}

static void large(report *model)
{
    enum { DAYS = 400, NODES = 200, CHANNELS = 12, JOURNEYS = 1 };
    static report_journey journey;
    static report_node nodes[NODES];
    static char labels[NODES][160];
    static report_message messages[CHANNELS];
    static char message_names[CHANNELS][160];
    static const char *channels[CHANNELS];
    static char channel_names[CHANNELS][24];
    static report_day days[DAYS];
    static uint64_t counts[DAYS * CHANNELS];
    base_report(model, "examples/large.journey");
    model->attribution = false;
    journey = (report_journey){ 0 };
    journey.nodes = nodes;
    journey.stats = (jr_journey_stats){ .name = "a_journey_with_a_long_name_that_goes_on_and_on_for_the_sake_of_"
                                                "seeing_how_titles_wrap_in_eighty_columns_of_text",
                                        .file = "examples/large.journey", .line = 1, .entered = 1000000,
                                        .completed = 999000, .active = 1000, .goals_treated = 123456,
                                        .goal_value_treated = 12345678.9,
                                        .time_to_goal_median_treated = 4000000000.0,
                                        .time_to_goal_median_holdout = NAN };
    journey.treated = 1000000;
    journey.lift = compare(rate(1000000, 123456, 0.1229, 0.1241), rate(0, 0, NAN, NAN), interval(NAN, NAN),
                           interval(NAN, NAN), NAN, NAN);
    journey.revenue_treated = 12345678.9;
    journey.revenue_per_treated = 12.3456789;
    journey.revenue_per_holdout = NAN;
    journey.time_to_goal_mean_treated = 4500000000.0;
    journey.time_to_goal_mean_holdout = NAN;
    /* Steps nested 12 deep, each holding a send and a wait, then back to the top. */
    uint32_t parent = JR_NO_NODE, depth = 0;
    uint64_t contacts = 1000000;
    for (uint32_t i = 0; i < NODES; i++) {
        const char *kind = i % 3 == 0 ? "step" : i % 3 == 1 ? "send" : "wait";
        snprintf(labels[i], sizeof labels[i], "node_%03u_with_a_label_long_enough_to_need_more_than_one_line_in_a_"
                 "table_of_eighty_columns_%s", i, kind);
        report_node *node = add_node(&journey, kind, strcmp(kind, "wait") == 0 ? NULL : labels[i], parent, 10 + i,
                                     contacts, i % 3 == 2 ? contacts / 100 : 0, 0);
        if (strcmp(kind, "send") == 0) set_send(node, contacts - 10, 10, 0, 0, 0);
        if (strcmp(kind, "step") == 0) {
            parent = depth == 11 ? JR_NO_NODE : i;
            depth = depth == 11 ? 0 : depth + 1;
        }
        contacts -= contacts / 100;
    }
    model->journeys = &journey;
    model->journey_count = JOURNEYS;
    for (uint32_t channel = 0; channel < CHANNELS; channel++) {
        snprintf(channel_names[channel], sizeof channel_names[channel], "channel_%02u", channel);
        channels[channel] = channel_names[channel];
        snprintf(message_names[channel], sizeof message_names[channel],
                 "message_%02u_whose_name_is_much_longer_than_the_column_made_for_it", channel);
        messages[channel] = message(message_names[channel], channels[channel], 1000000 + channel, 12345, 678, 9, 0, 0);
    }
    model->messages = messages;
    model->message_count = CHANNELS;
    model->channels = channels;
    model->channel_count = CHANNELS;
    fill_days(model, days, counts, DAYS, 1);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fputs("usage: model_driver typical|empty|unknown|hostile|large text|html OUT\n", stderr);
        return 2;
    }
    static const char *typical_channels[] = { "email", "sms" };
    report model;
    const char *name = argv[1];
    if (strcmp(name, "typical") == 0) typical(&model, typical_names, typical_channels);
    else if (strcmp(name, "empty") == 0) empty(&model);
    else if (strcmp(name, "unknown") == 0) unknown(&model);
    else if (strcmp(name, "hostile") == 0) hostile(&model);
    else if (strcmp(name, "large") == 0) large(&model);
    else {
        fprintf(stderr, "model_driver: unknown case '%s'\n", name);
        return 2;
    }
    bool html = strcmp(argv[2], "html") == 0;
    if (!html && strcmp(argv[2], "text") != 0) {
        fprintf(stderr, "model_driver: unknown format '%s'\n", argv[2]);
        return 2;
    }
    FILE *out = strcmp(argv[3], "-") == 0 ? stdout : fopen(argv[3], "w");
    if (!out) {
        perror(argv[3]);
        return 2;
    }
    bool written = html ? report_write_html(&model, out) : report_write_text(&model, out);
    if (out != stdout && fclose(out) != 0) written = false;
    return written ? 0 : 1;
}
