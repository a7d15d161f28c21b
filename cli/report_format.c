/* report_format.c: figures, times and names as the text and HTML reports show them,
 * and the lists of figures both show (report_format.h). */
#include "report_format.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

static report_figure figure_of(const char *text)
{
    report_figure figure;
    snprintf(figure.text, sizeof figure.text, "%s", text);
    return figure;
}

static const report_figure not_available = { "n/a" };

/* Copies digits into out with a comma before every group of three. */
static void group_thousands(const char *digits, size_t length, char *out)
{
    for (size_t i = 0; i < length; i++) {
        if (i > 0 && (length - i) % 3 == 0) *out++ = ',';
        *out++ = digits[i];
    }
    *out = '\0';
}

report_figure report_format_count(uint64_t count)
{
    char digits[24];
    int length = snprintf(digits, sizeof digits, "%" PRIu64, count);
    report_figure figure;
    group_thousands(digits, (size_t)length, figure.text);
    return figure;
}

/* Whether a formatted number rounds to zero (no digit 1-9 before any exponent). */
static bool reads_as_zero(const char *text)
{
    for (; *text && *text != 'e'; text++)
        if (*text >= '1' && *text <= '9') return false;
    return true;
}

report_figure report_format_number(double value, int decimals)
{
    if (!isfinite(value)) return not_available;
    char plain[64];
    if (fabs(value) >= 1e15) {
        snprintf(plain, sizeof plain, "%.3e", value);
        return figure_of(plain);
    }
    snprintf(plain, sizeof plain, "%.*f", decimals, value);
    const char *digits = plain;
    bool negative = *digits == '-';
    if (negative) digits++;
    size_t integer_length = strcspn(digits, ".");
    report_figure figure;
    char *out = figure.text;
    if (negative && !reads_as_zero(digits)) *out++ = '-';
    group_thousands(digits, integer_length, out);
    strcat(out, digits + integer_length);
    return figure;
}

/* value with an explicit sign unless it reads as zero, then suffix. */
static report_figure signed_number(double value, int decimals, const char *suffix)
{
    report_figure number = report_format_number(value, decimals);
    if (!isfinite(value)) return number;
    report_figure figure;
    const char *sign = number.text[0] != '-' && !reads_as_zero(number.text) ? "+" : "";
    snprintf(figure.text, sizeof figure.text, "%s%.28s%.8s", sign, number.text, suffix);
    return figure;
}

report_figure report_format_percent(double rate)
{
    if (!isfinite(rate)) return not_available;
    report_figure figure = report_format_number(rate * 100.0, 1);
    strcat(figure.text, "%");
    return figure;
}

report_figure report_format_relative_lift(double lift)
{
    return isfinite(lift) ? signed_number(lift * 100.0, 1, "%") : not_available;
}

report_figure report_format_absolute_lift(double lift)
{
    return isfinite(lift) ? signed_number(lift * 100.0, 1, " pp") : not_available;
}

static bool interval_known(report_interval interval)
{
    return isfinite(interval.low) && isfinite(interval.high);
}

/* "[low, high]" from the two ends as figures. */
static report_figure bracket(report_figure low, report_figure high)
{
    report_figure figure;
    snprintf(figure.text, sizeof figure.text, "[%.28s, %.28s]", low.text, high.text);
    return figure;
}

report_figure report_format_rate_interval(report_interval interval)
{
    if (!interval_known(interval)) return not_available;
    return bracket(report_format_percent(interval.low), report_format_percent(interval.high));
}

report_figure report_format_relative_interval(report_interval interval)
{
    if (!interval_known(interval)) return not_available;
    return bracket(signed_number(interval.low * 100.0, 1, "%"), signed_number(interval.high * 100.0, 1, "%"));
}

report_figure report_format_absolute_interval(report_interval interval)
{
    if (!interval_known(interval)) return not_available;
    return bracket(signed_number(interval.low * 100.0, 1, ""), signed_number(interval.high * 100.0, 1, ""));
}

report_figure report_format_p_value(double p_value)
{
    if (!isfinite(p_value) || p_value < 0) return not_available;
    if (p_value < 0.001) return figure_of("p<0.001");
    report_figure figure;
    snprintf(figure.text, sizeof figure.text, "p=%.3f", p_value > 1 ? 1.0 : p_value);
    return figure;
}

report_figure report_format_duration(double milliseconds)
{
    if (!isfinite(milliseconds) || milliseconds < 0) return not_available;
    if (milliseconds == 0) return figure_of("0s");
    if (milliseconds < 1000) return figure_of("<1s");
    static const struct {
        double seconds;
        const char *unit;
    } units[] = { { 86400, "d" }, { 3600, "h" }, { 60, "m" }, { 1, "s" } };
    double seconds = floor(milliseconds / 1000);
    size_t largest = 0;
    while (seconds < units[largest].seconds) largest++;
    double whole = floor(seconds / units[largest].seconds);
    report_figure figure;
    int length = snprintf(figure.text, sizeof figure.text, "%.28s%s", report_format_number(whole, 0).text,
                          units[largest].unit);
    if (largest + 1 < sizeof units / sizeof units[0]) {
        double rest = floor(fmod(seconds, units[largest].seconds) / units[largest + 1].seconds);
        if (rest > 0)
            snprintf(figure.text + length, sizeof figure.text - (size_t)length, " %.0f%s", rest,
                     units[largest + 1].unit);
    }
    return figure;
}

report_figure report_format_instant(int64_t milliseconds)
{
    if (milliseconds == INT64_MIN) return figure_of("none");
    char iso[25]; /* 2026-03-01T09:30:00.000Z */
    jr_format_timestamp(milliseconds, iso);
    report_figure figure;
    snprintf(figure.text, sizeof figure.text, "%.10s %.8s UTC", iso, iso + 11);
    return figure;
}

report_figure report_format_day(int64_t milliseconds)
{
    char iso[25];
    jr_format_timestamp(milliseconds, iso);
    report_figure figure;
    snprintf(figure.text, sizeof figure.text, "%.10s", iso);
    return figure;
}

/* ---- names ------------------------------------------------------------------------- */

enum { REPLACEMENT_CHARACTER = 0xFFFD };

/* Reads one character of UTF-8 text (not at its end) and returns the bytes it took. A
 * malformed sequence (overlong, surrogate, past U+10FFFF, cut short) reads as one byte
 * of U+FFFD. */
static size_t read_character(const unsigned char *text, uint32_t *character)
{
    unsigned char lead = text[0];
    size_t length;
    uint32_t value, minimum;
    if (lead < 0x80) {
        *character = lead;
        return 1;
    } else if ((lead & 0xE0) == 0xC0) {
        length = 2, value = lead & 0x1F, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, value = lead & 0x0F, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, value = lead & 0x07, minimum = 0x10000;
    } else {
        *character = REPLACEMENT_CHARACTER;
        return 1;
    }
    for (size_t i = 1; i < length; i++) {
        if ((text[i] & 0xC0) != 0x80) { /* includes the terminating NUL */
            *character = REPLACEMENT_CHARACTER;
            return 1;
        }
        value = value << 6 | (text[i] & 0x3F);
    }
    if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
        *character = REPLACEMENT_CHARACTER;
        return 1;
    }
    *character = value;
    return length;
}

/* Characters that must not reach a terminal or a page as they are: C0 and C1 controls
 * (escape sequences, new lines) and the bidirectional overrides that reorder text. */
static bool is_unsafe(uint32_t character)
{
    return character < 0x20 || (character >= 0x7F && character <= 0x9F) ||
           (character >= 0x202A && character <= 0x202E) || (character >= 0x2066 && character <= 0x2069);
}

static void write_character(FILE *out, uint32_t character, report_escape escape)
{
    if (is_unsafe(character)) character = REPLACEMENT_CHARACTER;
    if (escape == REPORT_ESCAPE_HTML) {
        switch (character) {
        case '&': fputs("&amp;", out); return;
        case '<': fputs("&lt;", out); return;
        case '>': fputs("&gt;", out); return;
        case '"': fputs("&quot;", out); return;
        case '\'': fputs("&#39;", out); return;
        default: break;
        }
    }
    if (character < 0x80) {
        fputc((int)character, out);
    } else if (character < 0x800) {
        fputc((int)(0xC0 | character >> 6), out);
        fputc((int)(0x80 | (character & 0x3F)), out);
    } else if (character < 0x10000) {
        fputc((int)(0xE0 | character >> 12), out);
        fputc((int)(0x80 | (character >> 6 & 0x3F)), out);
        fputc((int)(0x80 | (character & 0x3F)), out);
    } else {
        fputc((int)(0xF0 | character >> 18), out);
        fputc((int)(0x80 | (character >> 12 & 0x3F)), out);
        fputc((int)(0x80 | (character >> 6 & 0x3F)), out);
        fputc((int)(0x80 | (character & 0x3F)), out);
    }
}

size_t report_name_length(const char *text)
{
    size_t count = 0;
    if (!text) return 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; count++) {
        uint32_t character;
        p += read_character(p, &character);
    }
    return count;
}

size_t report_write_name(FILE *out, const char *text, report_escape escape, size_t limit)
{
    if (!text || limit == 0) return 0;
    size_t length = report_name_length(text);
    size_t shown = length <= limit ? length : limit - 1;
    const unsigned char *p = (const unsigned char *)text;
    for (size_t i = 0; i < shown; i++) {
        uint32_t character;
        p += read_character(p, &character);
        write_character(out, character, escape);
    }
    if (shown < length) {
        write_character(out, 0x2026, escape); /* … */
        shown++;
    }
    return shown;
}

void report_node_name(const report_node *node, char *buffer, size_t size)
{
    const char *kind = node->stats.kind ? node->stats.kind : "?";
    const char *label = node->stats.label;
    if (!label)
        snprintf(buffer, size, "%s", kind);
    else if (strcmp(kind, "step") == 0 || strcmp(kind, "split") == 0)
        snprintf(buffer, size, "%s \"%s\"", kind, label);
    else
        snprintf(buffer, size, "%s %s", kind, label);
}

uint32_t report_node_depth(const report_journey *journey, uint32_t index)
{
    uint32_t depth = 0;
    /* Parents come before their children; the bound keeps a malformed model finite. */
    for (uint32_t parent = journey->nodes[index].parent; parent < journey->node_count && depth < journey->node_count;
         parent = journey->nodes[parent].parent)
        depth++;
    return depth;
}

bool report_node_is_first_arm(const report_journey *journey, uint32_t index)
{
    const report_node *node = &journey->nodes[index];
    if (!node->stats.is_arm) return false;
    for (uint32_t earlier = 0; earlier < index; earlier++)
        if (journey->nodes[earlier].stats.is_arm && journey->nodes[earlier].parent == node->parent) return false;
    return true;
}

void report_arm_name(const report_journey *journey, uint32_t index, char *buffer, size_t size)
{
    const report_node *node = &journey->nodes[index];
    uint32_t position = 1;
    for (uint32_t earlier = 0; earlier < index; earlier++)
        position += journey->nodes[earlier].stats.is_arm && journey->nodes[earlier].parent == node->parent;
    char name[480];
    report_node_name(node, name, sizeof name);
    snprintf(buffer, size, "#%u %s", position, name);
}

uint64_t report_channel_sends(const report *report, uint32_t channel)
{
    uint64_t sends = 0;
    for (uint32_t i = 0; i < report->day_count; i++)
        sends += channel == UINT32_MAX ? report->days[i].total : report->days[i].per_channel[channel];
    return sends;
}

bool report_node_has_compared_arms(const report_journey *journey, uint32_t index)
{
    for (uint32_t arm = index + 1; arm < journey->node_count; arm++)
        if (journey->nodes[arm].parent == index && journey->nodes[arm].has_comparison) return true;
    return false;
}

/* ---- what both reports list ------------------------------------------------------ */

static void set_fact(report_fact *fact, const char *key, const char *value)
{
    fact->key = key;
    snprintf(fact->value, sizeof fact->value, "%s", value);
}

void report_run_facts(const report *report, report_fact facts[REPORT_RUN_FACTS])
{
    const jr_vm_stats *vm = &report->vm;
    set_fact(&facts[0], "first event", report_format_instant(report->first_event).text);
    set_fact(&facts[1], "last event", report_format_instant(report->last_event).text);
    set_fact(&facts[2], "horizon", report_format_instant(report->horizon).text);
    set_fact(&facts[3], "events applied", report_format_count(vm->events).text);
    set_fact(&facts[4], "contacts", report_format_count(vm->contacts).text);
    set_fact(&facts[5], "actions", report_format_count(vm->actions).text);
    set_fact(&facts[6], "timers fired", report_format_count(vm->timers_fired).text);
    set_fact(&facts[7], "bad lines", report_format_count(report->bad_lines).text);
    set_fact(&facts[8], "duplicates", report_format_count(vm->duplicates).text);
    set_fact(&facts[9], "undeclared events", report_format_count(vm->undeclared).text);
    set_fact(&facts[10], "out of order", report_format_count(vm->out_of_order).text);
    set_fact(&facts[11], "wrong types", report_format_count(vm->type_mismatches).text);
    set_fact(&facts[12], "run-time errors", report_format_count(vm->runtime_errors).text);
    facts[13].key = "version";
    snprintf(facts[13].value, sizeof facts[13].value, "journey %.100s", report->version ? report->version : "n/a");
}

void report_journey_facts(const report_journey *journey, report_fact facts[REPORT_JOURNEY_FACTS])
{
    const jr_journey_stats *stats = &journey->stats;
    facts[0].key = "entered";
    snprintf(facts[0].value, sizeof facts[0].value, "%.28s (%.28s holdout, %.28s treated)",
             report_format_count(stats->entered).text, report_format_count(stats->holdout).text,
             report_format_count(journey->treated).text);
    facts[1].key = "waiting";
    snprintf(facts[1].value, sizeof facts[1].value, "%.28s at the horizon", report_format_count(stats->active).text);
    set_fact(&facts[2], "completed", report_format_count(stats->completed).text);
    set_fact(&facts[3], "exited", report_format_count(stats->exited).text);
    set_fact(&facts[4], "run-time errors", report_format_count(stats->errors).text);
}

/* key: "shown detail" when value is known, else "n/a". */
static void set_estimate(report_fact *fact, const char *key, double value, const char *shown, const char *detail)
{
    fact->key = key;
    if (isfinite(value)) snprintf(fact->value, sizeof fact->value, "%.40s %.60s", shown, detail);
    else snprintf(fact->value, sizeof fact->value, "n/a");
}

void report_lift_facts(const report_comparison *comparison, report_fact facts[REPORT_LIFT_FACTS])
{
    set_estimate(&facts[0], "absolute lift", comparison->absolute_lift,
                 report_format_absolute_lift(comparison->absolute_lift).text,
                 report_format_absolute_interval(comparison->absolute_interval).text);
    set_estimate(&facts[1], "relative lift", comparison->relative_lift,
                 report_format_relative_lift(comparison->relative_lift).text,
                 report_format_relative_interval(comparison->relative_interval).text);
    char z[48];
    snprintf(z, sizeof z, "(z=%.28s, two-sided)", report_format_number(comparison->z, 2).text);
    set_estimate(&facts[2], "significance", comparison->p_value, report_format_p_value(comparison->p_value).text, z);
}

void report_goal_rows(const report_journey *journey, report_goal_row rows[REPORT_GOAL_ROWS])
{
    const jr_journey_stats *stats = &journey->stats;
    rows[0] = (report_goal_row){ "goals", report_format_count(stats->goals_treated),
                                 report_format_count(stats->goals_holdout) };
    rows[1] = (report_goal_row){ "revenue", report_format_number(journey->revenue_treated, 2),
                                 report_format_number(journey->revenue_holdout, 2) };
    rows[2] = (report_goal_row){ "revenue per contact", report_format_number(journey->revenue_per_treated, 2),
                                 report_format_number(journey->revenue_per_holdout, 2) };
    rows[3] = (report_goal_row){ "time to goal, mean", report_format_duration(journey->time_to_goal_mean_treated),
                                 report_format_duration(journey->time_to_goal_mean_holdout) };
    rows[4] = (report_goal_row){ "time to goal, median", report_format_duration(stats->time_to_goal_median_treated),
                                 report_format_duration(stats->time_to_goal_median_holdout) };
}
