/* report_json.c: the report as JSON for machines (spec/report.md gives the schema).
 * Deterministic: the same model gives the same bytes. Numbers that are not defined
 * (NaN) are null; times are ISO-8601 strings; durations are milliseconds. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "json_out.h"
#include "report.h"

typedef struct json_writer {
    FILE *out;
    int depth;
    bool first; /* no comma before the next member */
} json_writer;

/* Starts a member (or an array element when name is NULL) on its own line. */
static void json_key(json_writer *w, const char *name)
{
    fprintf(w->out, "%s\n%*s", w->first ? "" : ",", 2 * w->depth, "");
    w->first = false;
    if (name) {
        json_out_string(w->out, name);
        fputs(": ", w->out);
    }
}

static void json_open(json_writer *w, const char *name, char bracket)
{
    json_key(w, name);
    fputc(bracket, w->out);
    w->depth++;
    w->first = true;
}

static void json_close(json_writer *w, char bracket)
{
    w->depth--;
    if (!w->first) fprintf(w->out, "\n%*s", 2 * w->depth, "");
    fputc(bracket, w->out);
    w->first = false;
}

static void json_text(json_writer *w, const char *name, const char *value)
{
    json_key(w, name);
    json_out_string(w->out, value);
}

static void json_count(json_writer *w, const char *name, uint64_t value)
{
    json_key(w, name);
    fprintf(w->out, "%" PRIu64, value);
}

static void json_number(json_writer *w, const char *name, double value)
{
    json_key(w, name);
    if (!isfinite(value)) fputs("null", w->out);
    else if (value == floor(value) && fabs(value) < 1e15) fprintf(w->out, "%.0f", value);
    else fprintf(w->out, "%.10g", value);
}

static void json_bool(json_writer *w, const char *name, bool value)
{
    json_key(w, name);
    fputs(value ? "true" : "false", w->out);
}

static void json_time(json_writer *w, const char *name, int64_t at)
{
    if (at == INT64_MIN) {
        json_text(w, name, NULL);
        return;
    }
    char text[25];
    jr_format_timestamp(at, text);
    json_text(w, name, text);
}

static void json_interval(json_writer *w, const char *name, report_interval interval)
{
    json_open(w, name, '[');
    json_number(w, NULL, interval.low);
    json_number(w, NULL, interval.high);
    json_close(w, ']');
}

static void json_rate(json_writer *w, const char *name, report_rate rate)
{
    json_open(w, name, '{');
    json_count(w, "contacts", rate.contacts);
    json_count(w, "goals", rate.goals);
    json_number(w, "rate", rate.rate);
    json_interval(w, "interval", rate.interval);
    json_close(w, '}');
}

static void json_comparison(json_writer *w, const char *name, const report_comparison *c)
{
    json_open(w, name, '{');
    json_rate(w, "group", c->group);
    json_rate(w, "baseline", c->baseline);
    json_number(w, "absolute_lift", c->absolute_lift);
    json_interval(w, "absolute_interval", c->absolute_interval);
    json_number(w, "relative_lift", c->relative_lift);
    json_interval(w, "relative_interval", c->relative_interval);
    json_number(w, "z", c->z);
    json_number(w, "p_value", c->p_value);
    json_close(w, '}');
}

static void json_node(json_writer *w, const report_node *node, uint32_t exit_count, bool attribution)
{
    const jr_node_stats *s = &node->stats;
    json_open(w, NULL, '{');
    json_count(w, "index", node->index);
    json_text(w, "kind", s->kind);
    json_bool(w, "arm", s->is_arm);
    json_key(w, "parent");
    if (node->parent == JR_NO_NODE) fputs("null", w->out);
    else fprintf(w->out, "%" PRIu32, node->parent);
    json_count(w, "line", s->line);
    json_count(w, "column", s->column);
    json_text(w, "label", s->label);
    json_text(w, "step", s->step);
    json_count(w, "entered", s->entered);
    json_count(w, "waiting", node->waiting);
    json_count(w, "passed", node->passed);
    json_count(w, "exited", s->exited);
    json_open(w, "exits", '[');
    for (uint32_t e = 0; e < exit_count; e++) json_count(w, NULL, node->exits[e]);
    json_close(w, ']');
    json_count(w, "errors", s->errors);
    json_count(w, "goals", s->goals);
    json_number(w, "goal_value", s->goal_value);
    if (strcmp(s->kind, "send") == 0) {
        json_count(w, "sent", s->sent);
        json_count(w, "deferred", s->deferred);
        json_count(w, "suppressed", s->suppressed);
        if (attribution) {
            json_number(w, "last_touch", s->last_touch);
            json_number(w, "last_touch_value", s->last_touch_value);
            json_number(w, "linear", s->linear);
            json_number(w, "linear_value", s->linear_value);
        }
    }
    if (node->has_comparison) {
        json_count(w, "converted", s->converted);
        json_number(w, "converted_value", s->converted_value);
        json_comparison(w, "comparison", &node->comparison);
    }
    json_close(w, '}');
}

static void json_journey(json_writer *w, const report_journey *journey, bool attribution)
{
    const jr_journey_stats *s = &journey->stats;
    json_open(w, NULL, '{');
    json_text(w, "name", s->name);
    json_text(w, "file", s->file);
    json_count(w, "line", s->line);
    json_count(w, "entered", s->entered);
    json_count(w, "holdout", s->holdout);
    json_count(w, "treated", journey->treated);
    json_count(w, "active", s->active);
    json_count(w, "completed", s->completed);
    json_count(w, "exited", s->exited);
    json_count(w, "errors", s->errors);
    json_count(w, "goals_treated", s->goals_treated);
    json_count(w, "goals_holdout", s->goals_holdout);
    json_number(w, "revenue_treated", journey->revenue_treated);
    json_number(w, "revenue_holdout", journey->revenue_holdout);
    json_number(w, "revenue_per_treated", journey->revenue_per_treated);
    json_number(w, "revenue_per_holdout", journey->revenue_per_holdout);
    json_open(w, "time_to_goal_ms", '{');
    json_number(w, "mean_treated", journey->time_to_goal_mean_treated);
    json_number(w, "median_treated", s->time_to_goal_median_treated);
    json_number(w, "mean_holdout", journey->time_to_goal_mean_holdout);
    json_number(w, "median_holdout", s->time_to_goal_median_holdout);
    json_close(w, '}');
    if (journey->has_holdout) json_comparison(w, "lift", &journey->lift);
    else json_text(w, "lift", NULL);
    json_open(w, "exits", '[');
    for (uint32_t e = 0; e < journey->exit_count; e++) {
        json_open(w, NULL, '{');
        json_text(w, "event", journey->exits[e].event);
        json_count(w, "line", journey->exits[e].line);
        json_count(w, "exited", journey->exits[e].exited);
        json_close(w, '}');
    }
    json_close(w, ']');
    json_open(w, "nodes", '[');
    for (uint32_t n = 0; n < journey->node_count; n++) json_node(w, &journey->nodes[n], journey->exit_count, attribution);
    json_close(w, ']');
    json_close(w, '}');
}

bool report_write_json(const report *r, FILE *out)
{
    json_writer writer = { out, 0, true }, *w = &writer;
    fputc('{', out);
    w->depth = 1;
    json_text(w, "format", "journey-report");
    json_count(w, "version", 1);
    json_text(w, "journey_version", r->version);
    json_text(w, "program", r->program);
    json_open(w, "inputs", '[');
    for (uint32_t i = 0; i < r->input_count; i++) json_text(w, NULL, r->inputs[i]);
    json_close(w, ']');
    json_time(w, "first_event", r->first_event);
    json_time(w, "last_event", r->last_event);
    json_time(w, "horizon", r->horizon);
    json_bool(w, "attribution", r->attribution);
    json_open(w, "input", '{');
    json_count(w, "events", r->vm.events);
    json_count(w, "bad_lines", r->bad_lines);
    json_count(w, "undeclared", r->vm.undeclared);
    json_count(w, "duplicates", r->vm.duplicates);
    json_count(w, "out_of_order", r->vm.out_of_order);
    json_count(w, "type_mismatches", r->vm.type_mismatches);
    json_close(w, '}');
    json_count(w, "contacts", r->vm.contacts);
    json_count(w, "actions", r->vm.actions);
    json_count(w, "timers_fired", r->vm.timers_fired);
    json_count(w, "runtime_errors", r->vm.runtime_errors);
    json_open(w, "journeys", '[');
    for (uint32_t j = 0; j < r->journey_count; j++) json_journey(w, &r->journeys[j], r->attribution);
    json_close(w, ']');
    json_open(w, "messages", '[');
    for (uint32_t m = 0; m < r->message_count; m++) {
        const report_message *message = &r->messages[m];
        json_open(w, NULL, '{');
        json_text(w, "name", message->stats.name);
        json_text(w, "channel", message->stats.channel);
        json_count(w, "sent", message->stats.sent);
        json_count(w, "deferred", message->stats.deferred);
        json_count(w, "suppressed_by_limit", message->stats.suppressed_by_limit);
        json_count(w, "suppressed_by_quiet_hours", message->stats.suppressed_by_quiet_hours);
        if (r->attribution) {
            json_number(w, "last_touch", message->last_touch);
            json_number(w, "last_touch_value", message->last_touch_value);
            json_number(w, "linear", message->linear);
            json_number(w, "linear_value", message->linear_value);
        }
        json_close(w, '}');
    }
    json_close(w, ']');
    json_open(w, "channels", '[');
    for (uint32_t c = 0; c < r->channel_count; c++) json_text(w, NULL, r->channels[c]);
    json_close(w, ']');
    json_open(w, "sends_per_day", '[');
    for (uint32_t d = 0; d < r->day_count; d++) {
        json_open(w, NULL, '{');
        char day[25];
        jr_format_timestamp(r->days[d].day, day);
        day[10] = '\0';
        json_text(w, "day", day);
        json_count(w, "total", r->days[d].total);
        json_open(w, "per_channel", '[');
        for (uint32_t c = 0; c < r->channel_count; c++) json_count(w, NULL, r->days[d].per_channel[c]);
        json_close(w, ']');
        json_close(w, '}');
    }
    json_close(w, ']');
    fputs("\n}\n", out);
    return !ferror(out);
}
