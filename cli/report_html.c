/* report_html.c: the simulation report as one self-contained HTML5 page: the text
 * report's content in tables, and charts drawn here as inline SVG (a funnel per
 * journey, conversion with 95% intervals for treated, holdout and split arms, sends per
 * day per channel). No script, no font, image or style sheet from anywhere: a Content
 * Security Policy forbids the browser to load anything. Every name is escaped, since
 * programs and event logs are untrusted input. The same model gives the same bytes.
 * spec/report.md describes the page. */
#include <math.h>
#include <string.h>

#include "report.h"
#include "report_format.h"

/* ---- small pieces -------------------------------------------------------------------- */

static void write_text(FILE *out, const char *text)
{
    report_write_name(out, text, REPORT_ESCAPE_HTML, SIZE_MAX);
}

static void write_cell(FILE *out, const char *figure)
{
    fprintf(out, "<td class=\"n\">%s</td>", figure);
}

static void write_count_cell(FILE *out, uint64_t count)
{
    write_cell(out, report_format_count(count).text);
}

/* SVG coordinates and lengths: anything not finite would be an error in the page. */
static double svg_number(double value)
{
    return isfinite(value) ? value : 0.0;
}

static void write_rect(FILE *out, double x, double y, double width, double height, const char *fill)
{
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>", svg_number(x),
            svg_number(y), svg_number(width), svg_number(height), fill);
}

static void write_line(FILE *out, const char *class_name, double x1, double y1, double x2, double y2)
{
    fprintf(out, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", class_name, svg_number(x1),
            svg_number(y1), svg_number(x2), svg_number(y2));
}

/* Opens a <text> element anchored at its start, or at `anchor` ("middle", "end"). */
static void open_text(FILE *out, const char *class_name, double x, double y, const char *anchor)
{
    fprintf(out, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\"", class_name, svg_number(x), svg_number(y));
    if (anchor) fprintf(out, " text-anchor=\"%s\"", anchor);
    fputc('>', out);
}

enum { CHART_WIDTH = 960 }; /* every chart's width in pixels; pages scale them down */

/* Opens a chart; its class names the kind (the tests look for them). */
static void open_chart(FILE *out, const char *kind, const char *label, double height)
{
    fprintf(out,
            "<figure><svg class=\"chart chart-%s\" width=\"%d\" height=\"%.1f\" viewBox=\"0 0 %d %.1f\" role=\"img\" "
            "aria-label=\"%s\">\n",
            kind, CHART_WIDTH, svg_number(height), CHART_WIDTH, svg_number(height), label);
}

static void close_chart(FILE *out, const char *caption)
{
    fprintf(out, "</svg><figcaption>%s</figcaption></figure>\n", caption);
}

/* A 1, 2 or 5 times a power of ten near range / ticks: the step between grid lines. */
static double nice_step(double range, int ticks)
{
    double raw = range / ticks;
    double magnitude = pow(10, floor(log10(raw)));
    double residual = raw / magnitude;
    return (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude;
}

/* Colour-blind-safe colours; channels past the twelfth repeat them (the legend and each
 * bar's title still name them). */
static const char *const palette[] = { "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
                                       "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1b9e77", "#7570b3" };

static const char *channel_colour(uint32_t channel)
{
    return palette[channel % (sizeof palette / sizeof palette[0])];
}

/* ---- the page -------------------------------------------------------------------------- */

static const char style_sheet[] =
    ":root{color-scheme:light}"
    "body{font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,Helvetica,Arial,sans-serif;color:#1f2328;"
    "background:#fff;margin:0 auto;max-width:1200px;padding:24px}"
    "h1{font-size:1.6em;margin:0 0 .5em}h2{font-size:1.3em;margin:2em 0 .4em;padding-top:.6em;"
    "border-top:2px solid #d0d7de}h3{font-size:1.05em;margin:1.6em 0 .4em}"
    "code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.95em;"
    "overflow-wrap:anywhere}"
    "dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:.5em 0}"
    "dl.facts dt{color:#59636e}dl.facts dd{margin:0;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}"
    "nav{margin:1em 0;color:#59636e}nav a{margin-right:1em}a{color:#0969da}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;margin:.4em 0 1em;font-size:.93em}"
    "th,td{padding:3px 8px;border-bottom:1px solid #e4e8ec;text-align:left;vertical-align:top}"
    "th{background:#f6f8fa;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "td.n{white-space:nowrap}td.name{overflow-wrap:anywhere;min-width:10em}"
    ".note{color:#59636e;font-size:.88em}tr.total td{font-weight:600}"
    "figure{margin:.6em 0 1em}figcaption{color:#59636e;font-size:.9em}"
    "svg.chart{display:block;max-width:100%;height:auto;font-family:system-ui,-apple-system,\"Segoe UI\","
    "Roboto,Helvetica,Arial,sans-serif}"
    "svg .label{font-size:12px;fill:#1f2328}svg .muted{font-size:11px;fill:#59636e}"
    "svg .grid{stroke:#e4e8ec;stroke-width:1}svg .axis{stroke:#8c959f;stroke-width:1}"
    "svg .whisker{stroke:#1f2328;stroke-width:1.5}"
    "details summary{cursor:pointer;color:#0969da}"
    "footer{margin-top:3em;color:#59636e;font-size:.85em}";

static void write_head(FILE *out, const report *report)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
          "<title>Simulation report: ",
          out);
    write_text(out, report->program);
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", style_sheet);
}

/* <dt>key</dt><dd>value</dd> pairs of a definition list, values escaped. */
static void write_facts(FILE *out, const report_fact *facts, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        fprintf(out, "<dt>%s</dt><dd>", facts[i].key);
        write_text(out, facts[i].value);
        fputs("</dd>\n", out);
    }
}

static void write_run(FILE *out, const report *report)
{
    fputs("<header>\n<h1>Simulation report: <code>", out);
    write_text(out, report->program);
    fputs("</code></h1>\n<dl class=\"facts\">\n", out);
    for (uint32_t i = 0; i < report->input_count; i++) {
        fprintf(out, "<dt>%s</dt><dd><code>", i == 0 ? "event logs" : "");
        write_text(out, report->inputs[i]);
        fputs("</code></dd>\n", out);
    }
    report_fact facts[REPORT_RUN_FACTS];
    report_run_facts(report, facts);
    write_facts(out, facts, REPORT_RUN_FACTS);
    fputs("</dl>\n<nav>", out);
    for (uint32_t j = 0; j < report->journey_count; j++) {
        fprintf(out, "<a href=\"#journey-%u\">", j + 1);
        write_text(out, report->journeys[j].stats.name);
        fputs("</a>", out);
    }
    fputs("<a href=\"#messages\">Messages</a><a href=\"#days\">Sends per day</a></nav>\n</header>\n", out);
}

/* ---- the funnel chart ------------------------------------------------------------------ */

enum {
    LABEL_X = 8,           /* line numbers; names start after them */
    NAME_X = 48,
    PLOT_X = 360,          /* bars and intervals begin here */
    PLOT_WIDTH = 400,
    CHARACTER_WIDTH = 7,   /* roughly, at 12px: how many characters a label may take */
    INDENT_WIDTH = 14,     /* per level of nesting, up to MAX_INDENT levels */
    MAX_INDENT = 12,
    FUNNEL_ROW = 22,
    LEGEND_HEIGHT = 30,
    FUNNEL_PARTS = 5,
};

typedef struct funnel_part {
    const char *name, *colour;
} funnel_part;

/* What became of the contacts that reached a node, in the order the bar shows it. */
static const funnel_part funnel_parts[FUNNEL_PARTS] = {
    { "went on", "#4e79a7" },        { "waiting at the horizon", "#f28e2b" }, { "exited", "#9c9c9c" },
    { "run-time error", "#e15759" }, { "ended there", "#59a14f" },
};

static void funnel_amounts(const report_node *node, uint64_t amounts[FUNNEL_PARTS])
{
    amounts[0] = node->passed;
    amounts[1] = node->waiting;
    amounts[2] = node->stats.exited;
    amounts[3] = node->stats.errors;
    uint64_t accounted = amounts[0] + amounts[1] + amounts[2] + amounts[3];
    amounts[4] = node->stats.entered > accounted ? node->stats.entered - accounted : 0;
}

static void write_legend_item(FILE *out, double x, double y, const char *colour, const char *name, size_t limit)
{
    write_rect(out, x, y - 10, 10, 10, colour);
    open_text(out, "muted", x + 14, y, NULL);
    report_write_name(out, name, REPORT_ESCAPE_HTML, limit);
    fputs("</text>", out);
}

static void write_funnel_row(FILE *out, const report_journey *journey, uint32_t index, double y, double scale)
{
    const report_node *node = &journey->nodes[index];
    char name[512];
    report_node_name(node, name, sizeof name);
    uint32_t depth = report_node_depth(journey, index);
    double name_x = NAME_X + INDENT_WIDTH * (depth < MAX_INDENT ? depth : MAX_INDENT);
    uint64_t amounts[FUNNEL_PARTS];
    funnel_amounts(node, amounts);

    fputs("<g><title>", out);
    write_text(out, name);
    fprintf(out, " (line %u): %s entered", node->stats.line, report_format_count(node->stats.entered).text);
    for (size_t part = 0; part < FUNNEL_PARTS; part++)
        fprintf(out, ", %s %s", report_format_count(amounts[part]).text, funnel_parts[part].name);
    fputs("</title>", out);
    if (index % 2 == 0) write_rect(out, 0, y, CHART_WIDTH, FUNNEL_ROW, "#f6f8fa");
    double baseline = y + FUNNEL_ROW / 2 + 4;
    open_text(out, "muted", LABEL_X, baseline, NULL);
    fprintf(out, "%u</text>", node->stats.line);
    open_text(out, "label", name_x, baseline, NULL);
    report_write_name(out, name, REPORT_ESCAPE_HTML, (size_t)((PLOT_X - 24 - name_x) / CHARACTER_WIDTH));
    fputs("</text>", out);
    double x = PLOT_X;
    for (size_t part = 0; part < FUNNEL_PARTS; part++) {
        if (!amounts[part]) continue;
        double width = fmax(0.5, (double)amounts[part] * scale);
        write_rect(out, x, y + 4, width, FUNNEL_ROW - 8, funnel_parts[part].colour);
        x += width;
    }
    open_text(out, "muted", x + 6, baseline, NULL);
    fputs(report_format_count(node->stats.entered).text, out);
    if (node->waiting) fprintf(out, " (%s waiting)", report_format_count(node->waiting).text);
    fputs("</text></g>\n", out);
}

/* Horizontal bars per node, nested by indentation, as long as the contacts that
 * reached the node, split into what became of them. */
static void write_funnel_chart(FILE *out, const report_journey *journey)
{
    if (journey->node_count == 0) return;
    uint64_t most = journey->stats.entered;
    for (uint32_t i = 0; i < journey->node_count; i++) {
        uint64_t amounts[FUNNEL_PARTS], total = 0;
        funnel_amounts(&journey->nodes[i], amounts);
        for (size_t part = 0; part < FUNNEL_PARTS; part++) total += amounts[part];
        if (total > most) most = total;
    }
    double scale = most ? (double)PLOT_WIDTH / (double)most : 0;
    open_chart(out, "funnel", "funnel", LEGEND_HEIGHT + (double)journey->node_count * FUNNEL_ROW + 8);
    double x = PLOT_X;
    for (size_t part = 0; part < FUNNEL_PARTS; part++) {
        write_legend_item(out, x, 18, funnel_parts[part].colour, funnel_parts[part].name, SIZE_MAX);
        x += 28 + (double)strlen(funnel_parts[part].name) * 6;
    }
    open_text(out, "muted", LABEL_X, 18, NULL);
    fputs("line</text>", out);
    open_text(out, "muted", NAME_X, 18, NULL);
    fputs("node</text>\n", out);
    for (uint32_t i = 0; i < journey->node_count; i++)
        write_funnel_row(out, journey, i, LEGEND_HEIGHT + (double)i * FUNNEL_ROW, scale);
    close_chart(out, "Contacts that reached each statement and arm; bar colours tell what became of them.");
}

/* ---- the conversion chart --------------------------------------------------------- */

enum { CONVERSION_ROW = 26, AXIS_HEIGHT = 30 };

typedef struct conversion_row {
    char label[1024];
    const report_rate *rate;
} conversion_row;

/* The rows of a journey's conversion chart, by source: -2 treated, -1 the holdout,
 * then the compared arms by node index. False when the source has no row. */
static bool conversion_row_at(const report_journey *journey, int64_t source, conversion_row *row)
{
    if (source == -2) {
        snprintf(row->label, sizeof row->label, "treated");
        row->rate = &journey->lift.group;
        return true;
    }
    if (source == -1) {
        snprintf(row->label, sizeof row->label, "holdout");
        row->rate = &journey->lift.baseline;
        return journey->has_holdout;
    }
    const report_node *node = &journey->nodes[source];
    if (!node->has_comparison) return false;
    char statement[480] = "", arm[500];
    if (node->parent < journey->node_count)
        report_node_name(&journey->nodes[node->parent], statement, sizeof statement);
    report_arm_name(journey, (uint32_t)source, arm, sizeof arm);
    snprintf(row->label, sizeof row->label, "%s %s", statement, arm);
    row->rate = &node->comparison.group;
    return true;
}

static void write_conversion_row(FILE *out, const conversion_row *row, double y, double scale)
{
    const report_rate *rate = row->rate;
    double middle = y + CONVERSION_ROW / 2.0;
    bool has_rate = isfinite(rate->rate);
    bool has_interval = isfinite(rate->interval.low) && isfinite(rate->interval.high);
    fputs("<g><title>", out);
    write_text(out, row->label);
    fprintf(out, ": %s of %s contacts reached the goal, %s, 95%% interval %s</title>",
            report_format_count(rate->goals).text, report_format_count(rate->contacts).text,
            report_format_percent(rate->rate).text, report_format_rate_interval(rate->interval).text);
    open_text(out, "label", LABEL_X, middle + 4, NULL);
    report_write_name(out, row->label, REPORT_ESCAPE_HTML, (PLOT_X - 20) / CHARACTER_WIDTH);
    fputs("</text>", out);
    if (has_rate) write_rect(out, PLOT_X, y + 6, rate->rate * scale, CONVERSION_ROW - 12, "#a5c1dc");
    if (has_interval) {
        double low = PLOT_X + rate->interval.low * scale, high = PLOT_X + rate->interval.high * scale;
        fprintf(out, "<path class=\"whisker\" fill=\"none\" d=\"M%.1f %.1fH%.1fM%.1f %.1fv10M%.1f %.1fv10\"/>",
                svg_number(low), middle, svg_number(high), svg_number(low), middle - 5, svg_number(high), middle - 5);
    }
    if (has_rate)
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#1f4e79\"/>",
                svg_number(PLOT_X + rate->rate * scale), middle);
    open_text(out, "muted", PLOT_X + PLOT_WIDTH + 8, middle + 4, NULL);
    if (has_rate)
        fprintf(out, "%s %s (n=%s)", report_format_percent(rate->rate).text,
                report_format_rate_interval(rate->interval).text, report_format_count(rate->contacts).text);
    else
        fputs("n/a: no contacts", out);
    fputs("</text></g>\n", out);
}

/* Goal conversion of treated and holdout contacts and of compared arms: a bar to the
 * rate and a whisker over its 95% interval, on one percentage axis. */
static void write_conversion_chart(FILE *out, const report_journey *journey)
{
    double largest = 0;
    int rows = 0;
    conversion_row row;
    for (int64_t source = -2; source < (int64_t)journey->node_count; source++) {
        if (!conversion_row_at(journey, source, &row)) continue;
        rows++;
        if (isfinite(row.rate->rate)) largest = fmax(largest, row.rate->rate);
        if (isfinite(row.rate->interval.high)) largest = fmax(largest, row.rate->interval.high);
    }
    if (largest <= 0) largest = 0.1;
    double step = nice_step(largest, 5);
    double axis = ceil(largest / step - 1e-9) * step;
    double scale = PLOT_WIDTH / axis;
    double bottom = 10 + rows * CONVERSION_ROW;
    open_chart(out, "conversion", "conversion", bottom + AXIS_HEIGHT);
    for (int tick = 0; tick * step <= axis + step / 2; tick++) {
        double x = PLOT_X + tick * step * scale;
        write_line(out, "grid", x, 6, x, bottom);
        open_text(out, "muted", x, bottom + 16, "middle");
        fprintf(out, "%s</text>\n", report_format_percent(tick * step).text);
    }
    int drawn = 0;
    for (int64_t source = -2; source < (int64_t)journey->node_count; source++)
        if (conversion_row_at(journey, source, &row))
            write_conversion_row(out, &row, 10 + (double)drawn++ * CONVERSION_ROW, scale);
    close_chart(out, "Share of contacts that reached the goal within its window; whiskers: 95% interval (Wilson).");
}

/* ---- sends per day ------------------------------------------------------------------- */

enum {
    DAYS_LEFT = 70,      /* the count axis' labels are left of it */
    DAYS_WIDTH = 840,
    DAYS_HEIGHT = 200,
    LEGEND_LINE = 18,
    LEGEND_NAME = 24,    /* characters of a channel's name in the legend */
    MAX_DAY_LABELS = 8,
};

static const int64_t day_length = 86400000;

/* Lays out the channel legend from y, wrapping at the chart's width; returns the
 * height it takes. Writes it when out is not NULL. */
static double write_channel_legend(FILE *out, const report *report, double y)
{
    double x = DAYS_LEFT, lines = 1;
    for (uint32_t channel = 0; channel < report->channel_count; channel++) {
        size_t length = report_name_length(report->channels[channel]);
        double width = 30 + (double)(length < LEGEND_NAME ? length : LEGEND_NAME) * CHARACTER_WIDTH;
        if (x + width > CHART_WIDTH && x > DAYS_LEFT) {
            x = DAYS_LEFT;
            lines++;
        }
        if (out) {
            fputs("<g><title>", out);
            write_text(out, report->channels[channel]);
            fputs("</title>", out);
            write_legend_item(out, x, y + (lines - 1) * LEGEND_LINE + 10, channel_colour(channel),
                              report->channels[channel], LEGEND_NAME);
            fputs("</g>", out);
        }
        x += width;
    }
    return lines * LEGEND_LINE;
}

static void write_day_bar(FILE *out, const report *report, const report_day *day, double x, double width,
                          double bottom, double scale)
{
    fprintf(out, "<g><title>%s: %s sends", report_format_day(day->day).text, report_format_count(day->total).text);
    for (uint32_t channel = 0; channel < report->channel_count; channel++) {
        if (!day->per_channel[channel]) continue;
        fputs(", ", out);
        write_text(out, report->channels[channel]);
        fprintf(out, " %s", report_format_count(day->per_channel[channel]).text);
    }
    fputs("</title>", out);
    double y = bottom;
    for (uint32_t channel = 0; channel < report->channel_count; channel++) {
        if (!day->per_channel[channel]) continue;
        double height = (double)day->per_channel[channel] * scale;
        y -= height;
        write_rect(out, x, y, width, height, channel_colour(channel));
    }
    fputs("</g>\n", out);
}

/* Sends per day, one bar per day stacked by channel, on a continuous time axis from
 * the first day with sends to the last (days without sends stay empty). */
static void write_days_chart(FILE *out, const report *report)
{
    int64_t first = report->days[0].day, last = report->days[0].day;
    uint64_t most = 0;
    for (uint32_t i = 0; i < report->day_count; i++) {
        if (report->days[i].day < first) first = report->days[i].day;
        if (report->days[i].day > last) last = report->days[i].day;
        if (report->days[i].total > most) most = report->days[i].total;
    }
    double span = (double)((last - first) / day_length + 1);
    double slot = DAYS_WIDTH / span;
    double bar = slot > 3 ? slot * 0.8 : slot;
    double step = most ? fmax(1, nice_step((double)most, 4)) : 1;
    double axis = ceil((double)(most ? most : 1) / step) * step;
    double scale = DAYS_HEIGHT / axis;
    double top = 10 + write_channel_legend(NULL, report, 0) + 8;
    double bottom = top + DAYS_HEIGHT;
    open_chart(out, "days", "sends per day", bottom + 36);
    write_channel_legend(out, report, 10);
    fputs("<g shape-rendering=\"crispEdges\">\n", out);
    for (int tick = 0; tick * step <= axis + step / 2; tick++) {
        double y = bottom - tick * step * scale;
        write_line(out, "grid", DAYS_LEFT, y, DAYS_LEFT + DAYS_WIDTH, y);
        open_text(out, "muted", DAYS_LEFT - 6, y + 4, "end");
        fprintf(out, "%s</text>\n", report_format_number(tick * step, 0).text);
    }
    for (uint32_t i = 0; i < report->day_count; i++) {
        double x = DAYS_LEFT + (double)((report->days[i].day - first) / day_length) * slot + (slot - bar) / 2;
        write_day_bar(out, report, &report->days[i], x, bar, bottom, scale);
    }
    write_line(out, "axis", DAYS_LEFT, bottom, DAYS_LEFT + DAYS_WIDTH, bottom);
    fputs("</g>\n", out);
    /* At most MAX_DAY_LABELS dates, evenly spaced, under the middle of their day. */
    int64_t label_step = (int64_t)ceil(span / MAX_DAY_LABELS);
    for (int64_t day = 0; day < (int64_t)span; day += label_step) {
        open_text(out, "muted", DAYS_LEFT + ((double)day + 0.5) * slot, bottom + 18, "middle");
        fprintf(out, "%s</text>", report_format_day(first + day * day_length).text);
    }
    fputc('\n', out);
    close_chart(out, "Sends that took effect each day (UTC), stacked by channel.");
}

/* ---- one journey ------------------------------------------------------------------- */

/* Under a node's name: the contacts each exit clause ended while at it. */
static void write_node_exits(FILE *out, const report_journey *journey, const report_node *node)
{
    bool first = true;
    for (uint32_t clause = 0; node->exits && clause < journey->exit_count; clause++) {
        if (!node->exits[clause]) continue;
        fputs(first ? "<div class=\"note\">exited on " : ", on ", out);
        write_text(out, journey->exits[clause].event);
        fprintf(out, " %s", report_format_count(node->exits[clause]).text);
        first = false;
    }
    if (!first) fputs("</div>", out);
}

static void write_funnel_table(FILE *out, const report *report, const report_journey *journey)
{
    fputs("<div class=\"scroll\"><table class=\"funnel\">\n<thead><tr><th class=\"n\">line</th><th>node</th>"
          "<th class=\"n\">entered</th><th class=\"n\">waiting</th><th class=\"n\">went on</th>"
          "<th class=\"n\">exited</th><th class=\"n\">errors</th><th class=\"n\">goals</th><th class=\"n\">sent</th>"
          "<th class=\"n\">deferred</th><th class=\"n\">suppressed</th>",
          out);
    if (report->attribution) fputs("<th class=\"n\">last-touch</th><th class=\"n\">linear</th>", out);
    fputs("</tr></thead>\n<tbody>\n", out);
    for (uint32_t index = 0; index < journey->node_count; index++) {
        const report_node *node = &journey->nodes[index];
        const jr_node_stats *stats = &node->stats;
        bool is_send = stats->kind && strcmp(stats->kind, "send") == 0;
        char name[512];
        report_node_name(node, name, sizeof name);
        uint32_t depth = report_node_depth(journey, index);
        fprintf(out, "<tr><td class=\"n\">%u</td><td class=\"name\" style=\"padding-left:%.1fem\">", stats->line,
                0.7 + 1.2 * (depth < MAX_INDENT ? depth : MAX_INDENT));
        write_text(out, name);
        write_node_exits(out, journey, node);
        fputs("</td>", out);
        write_count_cell(out, stats->entered);
        write_count_cell(out, node->waiting);
        write_count_cell(out, node->passed);
        write_count_cell(out, stats->exited);
        write_count_cell(out, stats->errors);
        write_count_cell(out, stats->goals);
        if (is_send) {
            write_count_cell(out, stats->sent);
            write_count_cell(out, stats->deferred);
            write_count_cell(out, stats->suppressed);
        } else {
            fputs("<td></td><td></td><td></td>", out);
        }
        if (report->attribution && is_send) {
            write_cell(out, report_format_number(stats->last_touch, 1).text);
            write_cell(out, report_format_number(stats->linear, 1).text);
        } else if (report->attribution) {
            fputs("<td></td><td></td>", out);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table></div>\n", out);
}

static void write_exits(FILE *out, const report_journey *journey)
{
    if (journey->exit_count == 0) return;
    fputs("<h3>Exits</h3>\n<table>\n<thead><tr><th>clause</th><th class=\"n\">line</th><th class=\"n\">contacts</th>"
          "</tr></thead>\n<tbody>\n",
          out);
    for (uint32_t clause = 0; clause < journey->exit_count; clause++) {
        fputs("<tr><td>exit on <code>", out);
        write_text(out, journey->exits[clause].event);
        fprintf(out, "</code></td><td class=\"n\">%u</td>", journey->exits[clause].line);
        write_count_cell(out, journey->exits[clause].exited);
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
}

static void write_rate_row(FILE *out, const char *name, const report_rate *rate)
{
    fputs("<tr><td class=\"name\">", out);
    write_text(out, name);
    fputs("</td>", out);
    write_count_cell(out, rate->contacts);
    write_count_cell(out, rate->goals);
    write_cell(out, report_format_percent(rate->rate).text);
    write_cell(out, report_format_rate_interval(rate->interval).text);
    fputs("</tr>\n", out);
}

static const char rate_header[] = "<th class=\"n\">contacts</th><th class=\"n\">goals</th><th class=\"n\">rate</th>"
                                  "<th class=\"n\">95% interval</th>";

/* A comparison's lift as a definition list: "NAME against AGAINST". */
static void write_lift(FILE *out, const report_comparison *comparison, const char *name, const char *against)
{
    fputs("<p>", out);
    write_text(out, name);
    fprintf(out, " against %s:</p>\n<dl class=\"facts\">\n", against);
    report_fact facts[REPORT_LIFT_FACTS];
    report_lift_facts(comparison, facts);
    write_facts(out, facts, REPORT_LIFT_FACTS);
    fputs("</dl>\n", out);
}

static void write_conversion(FILE *out, const report_journey *journey)
{
    fputs("<h3>Conversion</h3>\n", out);
    write_conversion_chart(out, journey);
    fprintf(out, "<table>\n<thead><tr><th>group</th>%s</tr></thead>\n<tbody>\n", rate_header);
    write_rate_row(out, "treated", &journey->lift.group);
    if (journey->has_holdout) write_rate_row(out, "holdout", &journey->lift.baseline);
    fputs("</tbody></table>\n", out);
    if (journey->has_holdout) write_lift(out, &journey->lift, "treated", "the holdout");
}

static void write_goals(FILE *out, const report_journey *journey)
{
    fprintf(out,
            "<h3>Goals and revenue</h3>\n<table>\n<thead><tr><th></th><th class=\"n\">treated</th>%s</tr></thead>\n"
            "<tbody>\n",
            journey->has_holdout ? "<th class=\"n\">holdout</th>" : "");
    report_goal_row rows[REPORT_GOAL_ROWS];
    report_goal_rows(journey, rows);
    for (size_t i = 0; i < REPORT_GOAL_ROWS; i++) {
        fprintf(out, "<tr><th>%s</th>", rows[i].name);
        write_cell(out, rows[i].treated.text);
        if (journey->has_holdout) write_cell(out, rows[i].holdout.text);
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
}

/* The arms of each statement whose arms carry a comparison, and each against the first. */
static void write_arms(FILE *out, const report_journey *journey)
{
    bool titled = false;
    for (uint32_t parent = 0; parent < journey->node_count; parent++) {
        if (!report_node_has_compared_arms(journey, parent)) continue;
        if (!titled) fputs("<h3>Arms</h3>\n<p>Goals reached after taking each arm.</p>\n", out);
        titled = true;
        char name[512];
        report_node_name(&journey->nodes[parent], name, sizeof name);
        fputs("<h4><code>", out);
        write_text(out, name);
        fprintf(out, "</code> (line %u)</h4>\n<table>\n<thead><tr><th>arm</th>%s</tr></thead>\n<tbody>\n",
                journey->nodes[parent].stats.line, rate_header);
        for (uint32_t arm = parent + 1; arm < journey->node_count; arm++) {
            if (journey->nodes[arm].parent != parent || !journey->nodes[arm].has_comparison) continue;
            report_arm_name(journey, arm, name, sizeof name);
            write_rate_row(out, name, &journey->nodes[arm].comparison.group);
        }
        fputs("</tbody></table>\n", out);
        for (uint32_t arm = parent + 1; arm < journey->node_count; arm++) {
            const report_node *node = &journey->nodes[arm];
            if (node->parent != parent || !node->has_comparison || report_node_is_first_arm(journey, arm)) continue;
            report_arm_name(journey, arm, name, sizeof name);
            write_lift(out, &node->comparison, name, "#1");
        }
    }
}

static void write_journey(FILE *out, const report *report, const report_journey *journey, uint32_t number)
{
    const jr_journey_stats *stats = &journey->stats;
    fprintf(out, "<section class=\"journey\" id=\"journey-%u\">\n<h2>Journey <code>", number);
    write_text(out, stats->name);
    fputs("</code></h2>\n<dl class=\"facts\">\n<dt>declared at</dt><dd><code>", out);
    write_text(out, stats->file);
    fprintf(out, ":%u</code></dd>\n", stats->line);
    report_fact facts[REPORT_JOURNEY_FACTS];
    report_journey_facts(journey, facts);
    write_facts(out, facts, REPORT_JOURNEY_FACTS);
    fputs("</dl>\n<h3>Funnel</h3>\n", out);
    if (journey->node_count == 0) fputs("<p>No statements.</p>\n", out);
    write_funnel_chart(out, journey);
    if (journey->node_count) write_funnel_table(out, report, journey);
    write_exits(out, journey);
    write_conversion(out, journey);
    write_goals(out, journey);
    write_arms(out, journey);
    fputs("</section>\n", out);
}

/* ---- messages and days --------------------------------------------------------------- */

static void write_messages(FILE *out, const report *report)
{
    fputs("<section id=\"messages\">\n<h2>Messages</h2>\n", out);
    if (report->message_count == 0) {
        fputs("<p>No messages.</p>\n</section>\n", out);
        return;
    }
    fputs("<table>\n<thead><tr><th>message</th><th>channel</th><th class=\"n\">sent</th><th class=\"n\">deferred</th>"
          "<th class=\"n\">suppressed by a limit</th><th class=\"n\">suppressed by quiet hours</th></tr></thead>\n"
          "<tbody>\n",
          out);
    for (uint32_t i = 0; i < report->message_count; i++) {
        const jr_message_stats *stats = &report->messages[i].stats;
        fputs("<tr><td class=\"name\">", out);
        write_text(out, stats->name);
        fputs("</td><td>", out);
        write_text(out, stats->channel);
        fputs("</td>", out);
        write_count_cell(out, stats->sent);
        write_count_cell(out, stats->deferred);
        write_count_cell(out, stats->suppressed_by_limit);
        write_count_cell(out, stats->suppressed_by_quiet_hours);
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
    if (report->attribution) {
        fputs("<h3>Attribution</h3>\n<p>Goals reached within a goal's window, credited to the messages sent to the "
              "contact in that entry before it: all to the last (last-touch), or in equal shares (linear); value is "
              "the goal's value credited the same way.</p>\n<table>\n<thead><tr><th>message</th>"
              "<th class=\"n\">last-touch goals</th><th class=\"n\">last-touch value</th>"
              "<th class=\"n\">linear goals</th><th class=\"n\">linear value</th></tr></thead>\n<tbody>\n",
              out);
        for (uint32_t i = 0; i < report->message_count; i++) {
            const report_message *message = &report->messages[i];
            fputs("<tr><td class=\"name\">", out);
            write_text(out, message->stats.name);
            fputs("</td>", out);
            write_cell(out, report_format_number(message->last_touch, 1).text);
            write_cell(out, report_format_number(message->last_touch_value, 2).text);
            write_cell(out, report_format_number(message->linear, 1).text);
            write_cell(out, report_format_number(message->linear_value, 2).text);
            fputs("</tr>\n", out);
        }
        fputs("</tbody></table>\n", out);
    }
    fputs("</section>\n", out);
}

static void write_days(FILE *out, const report *report)
{
    fputs("<section id=\"days\">\n<h2>Sends per day</h2>\n", out);
    if (report->day_count == 0) {
        fputs("<p>No sends.</p>\n</section>\n", out);
        return;
    }
    write_days_chart(out, report);
    fputs("<details><summary>The same as a table (UTC; days without sends left out)</summary>\n<div class=\"scroll\">"
          "<table>\n<thead><tr><th>day</th><th class=\"n\">total</th>",
          out);
    for (uint32_t channel = 0; channel < report->channel_count; channel++) {
        fputs("<th class=\"n\">", out);
        write_text(out, report->channels[channel]);
        fputs("</th>", out);
    }
    fputs("</tr></thead>\n<tbody>\n", out);
    for (uint32_t i = 0; i < report->day_count; i++) {
        const report_day *day = &report->days[i];
        fprintf(out, "<tr><td>%s</td>", report_format_day(day->day).text);
        write_count_cell(out, day->total);
        for (uint32_t channel = 0; channel < report->channel_count; channel++)
            write_count_cell(out, day->per_channel[channel]);
        fputs("</tr>\n", out);
    }
    fputs("<tr class=\"total\"><td>all days</td>", out);
    write_count_cell(out, report_channel_sends(report, UINT32_MAX));
    for (uint32_t channel = 0; channel < report->channel_count; channel++)
        write_count_cell(out, report_channel_sends(report, channel));
    fputs("</tr>\n</tbody></table></div></details>\n</section>\n", out);
}

bool report_write_html(const report *report, FILE *out)
{
    write_head(out, report);
    write_run(out, report);
    fputs("<main>\n", out);
    if (report->journey_count == 0) fputs("<p>The program has no journeys.</p>\n", out);
    for (uint32_t i = 0; i < report->journey_count; i++) write_journey(out, report, &report->journeys[i], i + 1);
    write_messages(out, report);
    write_days(out, report);
    fputs("</main>\n<footer>journey ", out);
    write_text(out, report->version);
    fputs("</footer>\n</body>\n</html>\n", out);
    return fflush(out) == 0 && !ferror(out);
}
