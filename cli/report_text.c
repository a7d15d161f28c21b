/* report_text.c: the simulation report as plain text, for terminals and e-mail: lines of
 * at most 79 columns, aligned tables, one section per journey, then the messages and
 * the sends per day (spec/report.md). A name too long for its column moves the row's
 * figures to the next line rather than being cut. */
#include <string.h>

#include "report.h"
#include "report_format.h"

enum {
    PAGE_WIDTH = 79,
    FIGURE_WIDTH = 10, /* a right-aligned figure and the space before it */
    FACT_WIDTH = 20,   /* "  key" of a key-value line */
};

static void write_spaces(FILE *out, size_t count)
{
    for (size_t i = 0; i < count; i++) fputc(' ', out);
}

static void write_rule(FILE *out, char rule, size_t length)
{
    if (length > PAGE_WIDTH) length = PAGE_WIDTH;
    for (size_t i = 0; i < length; i++) fputc(rule, out);
    fputc('\n', out);
}

/* A title line, "before NAME after", underlined with `rule`. */
static void write_title(FILE *out, const char *before, const char *name, const char *after, char rule)
{
    fputs(before, out);
    size_t length = strlen(before) + report_write_name(out, name, REPORT_ESCAPE_PLAIN, SIZE_MAX);
    fputs(after, out);
    fputc('\n', out);
    write_rule(out, rule, length + strlen(after));
}

/* "key   value" lines after `indent` spaces, keys padded to key_width, values escaped. */
static void write_facts(FILE *out, const report_fact *facts, size_t count, size_t indent, size_t key_width)
{
    for (size_t i = 0; i < count; i++) {
        fprintf(out, "%*s%-*s", (int)indent, "", (int)key_width, facts[i].key);
        report_write_name(out, facts[i].value, REPORT_ESCAPE_PLAIN, SIZE_MAX);
        fputc('\n', out);
    }
}

static void write_figure(FILE *out, const char *text)
{
    fprintf(out, "%*s", FIGURE_WIDTH, text);
}

/* Starts a row at column `start` (after what is already written on the line) with name
 * indented by `indent` in a cell of `width` columns; a name that does not fit gets the
 * line to itself and the row's figures continue on the next. */
static void write_name_cell(FILE *out, size_t start, size_t indent, const char *name, size_t width)
{
    write_spaces(out, indent);
    size_t used = indent + report_write_name(out, name, REPORT_ESCAPE_PLAIN, SIZE_MAX);
    if (used > width) {
        fputc('\n', out);
        write_spaces(out, start + width);
    } else {
        write_spaces(out, width - used);
    }
}

/* Items separated by ", ", wrapped at the page width with a hanging indent. */
typedef struct item_line {
    FILE *out;
    size_t indent, column;
    bool empty;
} item_line;

/* Begins after the caller wrote `indent` columns, where wrapped lines begin too. */
static void items_begin(item_line *line, FILE *out, size_t indent)
{
    *line = (item_line){ out, indent, indent, true };
}

/* Adds "before NAME after" (before and after are plain ASCII). */
static void items_add(item_line *line, const char *before, const char *name, const char *after)
{
    size_t length = strlen(before) + report_name_length(name) + strlen(after);
    if (!line->empty) {
        if (line->column + 2 + length > PAGE_WIDTH) {
            fputs(",\n", line->out);
            write_spaces(line->out, line->indent);
            line->column = line->indent;
        } else {
            fputs(", ", line->out);
            line->column += 2;
        }
    }
    fputs(before, line->out);
    report_write_name(line->out, name, REPORT_ESCAPE_PLAIN, SIZE_MAX);
    fputs(after, line->out);
    line->column += length;
    line->empty = false;
}

static void items_end(item_line *line)
{
    fputc('\n', line->out);
}

/* ---- the run ----------------------------------------------------------------------- */

static void write_run(FILE *out, const report *report)
{
    write_title(out, "Simulation report: ", report->program, "", '=');
    for (uint32_t i = 0; i < report->input_count; i++) {
        fprintf(out, "  %-*s", FACT_WIDTH - 2, i == 0 ? "event logs" : "");
        report_write_name(out, report->inputs[i], REPORT_ESCAPE_PLAIN, SIZE_MAX);
        fputc('\n', out);
    }
    report_fact facts[REPORT_RUN_FACTS];
    report_run_facts(report, facts);
    write_facts(out, facts, REPORT_RUN_FACTS, 2, FACT_WIDTH - 2);
}

/* ---- one journey ------------------------------------------------------------------- */

enum { FUNNEL_PREFIX = 9, FUNNEL_NAME_WIDTH = 20 }; /* "  " + line (5) + "  " */

/* The second and later lines of a funnel row: what only some nodes have. */
static void write_node_details(FILE *out, const report *report, const report_journey *journey,
                               const report_node *node, size_t indent)
{
    const jr_node_stats *stats = &node->stats;
    bool is_send = stats->kind && strcmp(stats->kind, "send") == 0;
    item_line line;
    if (is_send) {
        write_spaces(out, indent);
        items_begin(&line, out, indent);
        items_add(&line, "sent ", NULL, report_format_count(stats->sent).text);
        items_add(&line, "deferred ", NULL, report_format_count(stats->deferred).text);
        items_add(&line, "suppressed ", NULL, report_format_count(stats->suppressed).text);
        items_end(&line);
    }
    if (is_send && report->attribution) {
        char text[80];
        write_spaces(out, indent);
        items_begin(&line, out, indent);
        snprintf(text, sizeof text, "%.28s (%.28s)", report_format_number(stats->last_touch, 1).text,
                 report_format_number(stats->last_touch_value, 2).text);
        items_add(&line, "credited last-touch ", NULL, text);
        snprintf(text, sizeof text, "%.28s (%.28s)", report_format_number(stats->linear, 1).text,
                 report_format_number(stats->linear_value, 2).text);
        items_add(&line, "linear ", NULL, text);
        items_end(&line);
    }
    bool any_exit = false;
    for (uint32_t clause = 0; node->exits && clause < journey->exit_count; clause++)
        any_exit |= node->exits[clause] > 0;
    if (stats->errors || any_exit) {
        write_spaces(out, indent);
        items_begin(&line, out, indent);
        if (stats->errors) items_add(&line, "run-time errors ", NULL, report_format_count(stats->errors).text);
        for (uint32_t clause = 0; any_exit && clause < journey->exit_count; clause++) {
            if (!node->exits[clause]) continue;
            char after[80];
            snprintf(after, sizeof after, " %s", report_format_count(node->exits[clause]).text);
            items_add(&line, "exited on ", journey->exits[clause].event, after);
        }
        items_end(&line);
    }
}

static void write_funnel(FILE *out, const report *report, const report_journey *journey)
{
    fputs("\n  Funnel (contacts at each statement and arm; waiting: at the horizon)\n", out);
    fprintf(out, "  %5s  %-*s", "line", FUNNEL_NAME_WIDTH, "node");
    const char *headers[] = { "entered", "waiting", "went on", "exited", "goals" };
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) write_figure(out, headers[i]);
    fputc('\n', out);
    if (journey->node_count == 0) fputs("  (no statements)\n", out);
    for (uint32_t index = 0; index < journey->node_count; index++) {
        const report_node *node = &journey->nodes[index];
        char name[512];
        report_node_name(node, name, sizeof name);
        size_t indent = 2 * (size_t)report_node_depth(journey, index);
        fprintf(out, "  %5u  ", node->stats.line);
        write_name_cell(out, FUNNEL_PREFIX, indent, name, FUNNEL_NAME_WIDTH);
        write_figure(out, report_format_count(node->stats.entered).text);
        write_figure(out, report_format_count(node->waiting).text);
        write_figure(out, report_format_count(node->passed).text);
        write_figure(out, report_format_count(node->stats.exited).text);
        write_figure(out, report_format_count(node->stats.goals).text);
        fputc('\n', out);
        write_node_details(out, report, journey, node, FUNNEL_PREFIX + indent + 2);
    }
}

static void write_exits(FILE *out, const report_journey *journey)
{
    if (journey->exit_count == 0) return;
    fprintf(out, "\n  %-*s", 46, "Exits");
    write_figure(out, "contacts");
    fputc('\n', out);
    for (uint32_t clause = 0; clause < journey->exit_count; clause++) {
        const report_exit *exit = &journey->exits[clause];
        char name[512];
        snprintf(name, sizeof name, "on %s (line %u)", exit->event ? exit->event : "?", exit->line);
        fputs("  ", out);
        write_name_cell(out, 2, 2, name, 46);
        write_figure(out, report_format_count(exit->exited).text);
        fputc('\n', out);
    }
}

enum { RATE_NAME_WIDTH = 24 };

/* The header of a table of rates; title is plain ASCII, at column 2 + indent. */
static void write_rate_header(FILE *out, size_t indent, const char *title)
{
    fprintf(out, "  %*s%-*s", (int)indent, "", (int)(RATE_NAME_WIDTH - indent), title);
    write_figure(out, "contacts");
    write_figure(out, "goals");
    write_figure(out, "rate");
    fputs("  95% interval\n", out);
}

static void write_rate_row(FILE *out, const char *name, const report_rate *rate)
{
    fputs("  ", out);
    write_name_cell(out, 2, 2, name, RATE_NAME_WIDTH);
    write_figure(out, report_format_count(rate->contacts).text);
    write_figure(out, report_format_count(rate->goals).text);
    write_figure(out, report_format_percent(rate->rate).text);
    fprintf(out, "  %s\n", report_format_rate_interval(rate->interval).text);
}

/* The lift of a comparison under the heading "NAME against": */
static void write_lift(FILE *out, const report_comparison *comparison, const char *name, const char *against)
{
    fputs("    ", out);
    report_write_name(out, name, REPORT_ESCAPE_PLAIN, SIZE_MAX);
    fprintf(out, " against %s:\n", against);
    report_fact facts[REPORT_LIFT_FACTS];
    report_lift_facts(comparison, facts);
    write_facts(out, facts, REPORT_LIFT_FACTS, 6, 16);
}

static void write_conversion(FILE *out, const report_journey *journey)
{
    fputc('\n', out);
    write_rate_header(out, 0, "Conversion");
    write_rate_row(out, "treated", &journey->lift.group);
    if (!journey->has_holdout) return;
    write_rate_row(out, "holdout", &journey->lift.baseline);
    write_lift(out, &journey->lift, "treated", "the holdout");
}

static void write_goals(FILE *out, const report_journey *journey)
{
    fprintf(out, "\n  %-*s%*s", RATE_NAME_WIDTH, "Goals and revenue", 2 * FIGURE_WIDTH, "treated");
    if (journey->has_holdout) fprintf(out, "%*s", 2 * FIGURE_WIDTH, "holdout");
    fputc('\n', out);
    report_goal_row rows[REPORT_GOAL_ROWS];
    report_goal_rows(journey, rows);
    for (size_t i = 0; i < REPORT_GOAL_ROWS; i++) {
        fprintf(out, "    %-*s%*s", RATE_NAME_WIDTH - 2, rows[i].name, 2 * FIGURE_WIDTH, rows[i].treated.text);
        if (journey->has_holdout) fprintf(out, "%*s", 2 * FIGURE_WIDTH, rows[i].holdout.text);
        fputc('\n', out);
    }
}

/* The arms of each branching statement whose arms carry a comparison (split arms, with
 * attribution): their conversion, and each against the first arm. Arms are numbered
 * by position (#1, #2), since shares alone ("50%") may not tell them apart. */
static void write_arms(FILE *out, const report_journey *journey)
{
    bool titled = false;
    for (uint32_t parent = 0; parent < journey->node_count; parent++) {
        if (!report_node_has_compared_arms(journey, parent)) continue;
        if (!titled) fputs("\n  Arms (goals after taking each arm)\n", out);
        titled = true;
        char name[512];
        report_node_name(&journey->nodes[parent], name, sizeof name);
        fputs("  ", out);
        report_write_name(out, name, REPORT_ESCAPE_PLAIN, SIZE_MAX);
        fprintf(out, " (line %u)\n", journey->nodes[parent].stats.line);
        write_rate_header(out, 2, "arm");
        for (uint32_t arm = parent + 1; arm < journey->node_count; arm++) {
            const report_node *node = &journey->nodes[arm];
            if (node->parent != parent || !node->has_comparison) continue;
            report_arm_name(journey, arm, name, sizeof name);
            write_rate_row(out, name, &node->comparison.group);
        }
        for (uint32_t arm = parent + 1; arm < journey->node_count; arm++) {
            const report_node *node = &journey->nodes[arm];
            if (node->parent != parent || !node->has_comparison || report_node_is_first_arm(journey, arm)) continue;
            report_arm_name(journey, arm, name, sizeof name);
            write_lift(out, &node->comparison, name, "#1");
        }
    }
}

static void write_journey(FILE *out, const report *report, const report_journey *journey)
{
    const jr_journey_stats *stats = &journey->stats;
    fputc('\n', out);
    write_title(out, "Journey ", stats->name, "", '-');
    fprintf(out, "  %-*s", FACT_WIDTH - 2, "declared at");
    report_write_name(out, stats->file, REPORT_ESCAPE_PLAIN, SIZE_MAX);
    fprintf(out, ":%u\n", stats->line);
    report_fact facts[REPORT_JOURNEY_FACTS];
    report_journey_facts(journey, facts);
    write_facts(out, facts, REPORT_JOURNEY_FACTS, 2, FACT_WIDTH - 2);
    write_funnel(out, report, journey);
    write_exits(out, journey);
    write_conversion(out, journey);
    write_goals(out, journey);
    write_arms(out, journey);
}

/* ---- messages and days ------------------------------------------------------------- */

enum { MESSAGE_NAME_WIDTH = 22, CHANNEL_WIDTH = 10, VALUE_WIDTH = 14 };

static void write_messages(FILE *out, const report *report)
{
    fputc('\n', out);
    write_title(out, "Messages", NULL, "", '-');
    if (report->message_count == 0) {
        fputs("  (no messages)\n", out);
        return;
    }
    fprintf(out, "%*s%*s\n", 2 + MESSAGE_NAME_WIDTH + 1 + CHANNEL_WIDTH + 2 * FIGURE_WIDTH, "",
            2 * FIGURE_WIDTH, "suppressed by");
    fprintf(out, "  %-*s %-*s", MESSAGE_NAME_WIDTH, "message", CHANNEL_WIDTH, "channel");
    const char *headers[] = { "sent", "deferred", "limit", "quiet" };
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) write_figure(out, headers[i]);
    fputc('\n', out);
    for (uint32_t i = 0; i < report->message_count; i++) {
        const jr_message_stats *stats = &report->messages[i].stats;
        fputs("  ", out);
        write_name_cell(out, 2, 0, stats->name, MESSAGE_NAME_WIDTH);
        fputc(' ', out);
        write_spaces(out, CHANNEL_WIDTH - report_write_name(out, stats->channel, REPORT_ESCAPE_PLAIN, CHANNEL_WIDTH));
        write_figure(out, report_format_count(stats->sent).text);
        write_figure(out, report_format_count(stats->deferred).text);
        write_figure(out, report_format_count(stats->suppressed_by_limit).text);
        write_figure(out, report_format_count(stats->suppressed_by_quiet_hours).text);
        fputc('\n', out);
    }
}

static void write_attribution(FILE *out, const report *report)
{
    fputc('\n', out);
    write_title(out, "Attribution", NULL, "", '-');
    fputs("  Goals reached within a goal's window, credited to the messages sent to the\n"
          "  contact in that entry before it: all to the last (last-touch), or in equal\n"
          "  shares (linear); value is the goal's value credited the same way.\n\n",
          out);
    size_t pair = FIGURE_WIDTH + VALUE_WIDTH;
    fprintf(out, "%*s%*s%*s\n", 2 + MESSAGE_NAME_WIDTH, "", (int)pair, "last-touch", (int)pair, "linear");
    fprintf(out, "  %-*s%*s%*s%*s%*s\n", MESSAGE_NAME_WIDTH, "message", FIGURE_WIDTH, "goals", VALUE_WIDTH, "value",
            FIGURE_WIDTH, "goals", VALUE_WIDTH, "value");
    for (uint32_t i = 0; i < report->message_count; i++) {
        const report_message *message = &report->messages[i];
        fputs("  ", out);
        write_name_cell(out, 2, 0, message->stats.name, MESSAGE_NAME_WIDTH);
        fprintf(out, "%*s%*s%*s%*s\n", FIGURE_WIDTH, report_format_number(message->last_touch, 1).text, VALUE_WIDTH,
                report_format_number(message->last_touch_value, 2).text, FIGURE_WIDTH,
                report_format_number(message->linear, 1).text, VALUE_WIDTH,
                report_format_number(message->linear_value, 2).text);
    }
}

enum { DAY_WIDTH = 10 };

/* A column per channel when they fit in the page, else the channels of a day listed. */
static size_t channel_column_width(const report *report, uint32_t channel)
{
    size_t length = report_name_length(report->channels[channel]) + 1;
    return length > FIGURE_WIDTH ? length : FIGURE_WIDTH;
}

/* Sends on `day`, or on all days when day is NULL. */
static uint64_t day_sends(const report *report, const report_day *day, uint32_t channel)
{
    return day ? day->per_channel[channel] : report_channel_sends(report, channel);
}

/* A day's row (all days' when day is NULL): in columns, or its channels listed. */
static void write_day_row(FILE *out, const report *report, const report_day *day, bool columns)
{
    fprintf(out, "  %-*s", DAY_WIDTH, day ? report_format_day(day->day).text : "all days");
    write_figure(out, report_format_count(day ? day->total : report_channel_sends(report, UINT32_MAX)).text);
    if (columns) {
        for (uint32_t channel = 0; channel < report->channel_count; channel++)
            fprintf(out, "%*s", (int)channel_column_width(report, channel),
                    report_format_count(day_sends(report, day, channel)).text);
        fputc('\n', out);
        return;
    }
    fputs("  ", out);
    item_line line;
    items_begin(&line, out, 2 + DAY_WIDTH + FIGURE_WIDTH + 2);
    for (uint32_t channel = 0; channel < report->channel_count; channel++) {
        uint64_t sends = day_sends(report, day, channel);
        if (!sends) continue;
        char after[40];
        snprintf(after, sizeof after, " %.28s", report_format_count(sends).text);
        items_add(&line, "", report->channels[channel], after);
    }
    items_end(&line);
}

static void write_days(FILE *out, const report *report)
{
    fputc('\n', out);
    write_title(out, "Sends per day", NULL, " (UTC; days without sends left out)", '-');
    if (report->day_count == 0) {
        fputs("  (no sends)\n", out);
        return;
    }
    size_t width = 2 + DAY_WIDTH + FIGURE_WIDTH;
    for (uint32_t channel = 0; channel < report->channel_count; channel++)
        width += channel_column_width(report, channel);
    bool columns = width <= PAGE_WIDTH;
    fprintf(out, "  %-*s", DAY_WIDTH, "day");
    write_figure(out, "total");
    if (columns) {
        for (uint32_t channel = 0; channel < report->channel_count; channel++) {
            write_spaces(out, channel_column_width(report, channel) - report_name_length(report->channels[channel]));
            report_write_name(out, report->channels[channel], REPORT_ESCAPE_PLAIN, SIZE_MAX);
        }
        fputc('\n', out);
    } else {
        fputs("  by channel\n", out);
    }
    for (uint32_t i = 0; i < report->day_count; i++) write_day_row(out, report, &report->days[i], columns);
    write_day_row(out, report, NULL, columns);
}

bool report_write_text(const report *report, FILE *out)
{
    write_run(out, report);
    if (report->journey_count == 0) fputs("\nThe program has no journeys.\n", out);
    for (uint32_t i = 0; i < report->journey_count; i++) write_journey(out, report, &report->journeys[i]);
    write_messages(out, report);
    if (report->attribution) write_attribution(out, report);
    write_days(out, report);
    return fflush(out) == 0 && !ferror(out);
}
