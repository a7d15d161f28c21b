/* contact_view.c: a contact's state, read through the public contact queries of
 * journey.h, in JSON or text (contact_view.h). */
#include "contact_view.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"

static const char *const status_names[] = {
    [JR_JOURNEY_NOT_ENTERED] = "not entered",
    [JR_JOURNEY_ACTIVE] = "active",
    [JR_JOURNEY_HOLDOUT] = "holdout",
    [JR_JOURNEY_ENDED] = "ended",
};

/* A number the shortest way that reads back the same (no locale is set: '.' is the
 * decimal point). */
static void write_number(FILE *out, double number, bool json)
{
    if (!isfinite(number)) {
        fputs(json ? "null" : (isnan(number) ? "nan" : number > 0 ? "inf" : "-inf"), out);
        return;
    }
    char text[40];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, number);
        if (strtod(text, NULL) == number) break;
    }
    fputs(text, out);
}

static void write_value(FILE *out, const jr_field_value *value, bool json)
{
    char when[25];
    switch (value->type) {
    case JR_TYPE_NUMBER: write_number(out, value->as.number, json); break;
    case JR_TYPE_BOOL: fputs(value->as.boolean ? "true" : "false", out); break;
    case JR_TYPE_STRING: json_out_bytes(out, value->as.string.bytes, value->as.string.length); break;
    case JR_TYPE_TIME:
        jr_format_timestamp(value->as.time, when);
        if (json) fprintf(out, "\"%s\"", when);
        else fputs(when, out);
        break;
    case JR_TYPE_DURATION: fprintf(out, json ? "%lld" : "%lld ms", (long long)value->as.time); break;
    default: fputs("null", out); break;
    }
}

/* Where an active contact is: "wait (file:line:column)". */
static void write_node(FILE *out, const jr_vm *vm, uint32_t node, bool json)
{
    jr_node_stats stats;
    jr_vm_node_stats(vm, node, &stats);
    if (json) {
        fputs(",\"node\":{\"kind\":", out);
        json_out_string(out, stats.kind);
        fputs(",\"file\":", out);
        json_out_string(out, stats.file);
        fprintf(out, ",\"line\":%u,\"column\":%u", stats.line, stats.column);
        if (stats.label) {
            fputs(",\"label\":", out);
            json_out_string(out, stats.label);
        }
        if (stats.step) {
            fputs(",\"step\":", out);
            json_out_string(out, stats.step);
        }
        fputc('}', out);
    } else {
        fprintf(out, ", at %s%s%s (%s:%u:%u)", stats.kind, stats.label ? " " : "", stats.label ? stats.label : "",
                stats.file, stats.line, stats.column);
        if (stats.step) fprintf(out, " in step %s", stats.step);
    }
}

static bool write_journeys(jr_vm *vm, const jr_program *program, uint32_t contact, FILE *out, bool json,
                           jr_error *error)
{
    uint32_t count = jr_program_name_count(program, JR_NAME_JOURNEY);
    fputs(json ? ",\"journeys\":{" : "journeys:\n", out);
    for (uint32_t journey = 0; journey < count; journey++) {
        jr_contact_journey state;
        if (jr_vm_contact_journey(vm, contact, journey, &state, error) != JR_OK) return false;
        const char *name = jr_program_name(program, JR_NAME_JOURNEY, journey);
        char entered[25];
        jr_format_timestamp(state.entered_at, entered);
        if (json) {
            if (journey) fputc(',', out);
            json_out_string(out, name);
            fprintf(out, ":{\"status\":\"%s\"", status_names[state.status]);
            if (state.status != JR_JOURNEY_NOT_ENTERED)
                fprintf(out, ",\"entries\":%u,\"entered_at\":\"%s\",\"goal_reached\":%s", state.entries, entered,
                        state.goal_reached ? "true" : "false");
            if (state.node != JR_NO_NODE) write_node(out, vm, state.node, true);
            if (state.waiting) fprintf(out, ",\"waiting\":\"%s\"", state.waiting);
            fputc('}', out);
        } else {
            fprintf(out, "  %s: %s", name, status_names[state.status]);
            if (state.node != JR_NO_NODE) write_node(out, vm, state.node, false);
            if (state.waiting) fprintf(out, ", waiting for %s", strcmp(state.waiting, "select") == 0 ? "the first of several" : state.waiting);
            if (state.status != JR_JOURNEY_NOT_ENTERED)
                fprintf(out, "; entered %u time%s, latest %s%s", state.entries, state.entries == 1 ? "" : "s",
                        entered, state.goal_reached ? ", goal reached" : "");
            fputc('\n', out);
        }
    }
    if (json) fputc('}', out);
    return true;
}

static bool write_attributes(jr_vm *vm, const jr_program *program, uint32_t contact, FILE *out, bool json,
                             jr_error *error)
{
    const jr_schema *schema = jr_program_schema(program);
    fputs(json ? ",\"attributes\":{" : "attributes:\n", out);
    bool first = true, any = false;
    for (uint32_t attribute = 0; attribute < schema->attribute_count; attribute++) {
        jr_field_value value;
        if (jr_vm_contact_attribute(vm, contact, attribute, &value, error) != JR_OK) return false;
        if (value.type == JR_TYPE_NULL) continue;
        any = true;
        if (json) {
            if (!first) fputc(',', out);
            json_out_string(out, schema->attributes[attribute].name);
            fputc(':', out);
        } else {
            fprintf(out, "  %s = ", schema->attributes[attribute].name);
        }
        write_value(out, &value, json);
        if (!json) fputc('\n', out);
        first = false;
    }
    if (json) fputc('}', out);
    else if (!any) fputs("  (none set)\n", out);
    return true;
}

static bool write_scores(jr_vm *vm, const jr_program *program, uint32_t contact, FILE *out, bool json,
                         jr_error *error)
{
    uint32_t count = jr_program_name_count(program, JR_NAME_SCORE);
    if (!json && count == 0) return true;
    fputs(json ? ",\"scores\":{" : "scores:\n", out);
    for (uint32_t score = 0; score < count; score++) {
        double value;
        if (jr_vm_contact_score(vm, contact, score, &value, error) != JR_OK) return false;
        const char *name = jr_program_name(program, JR_NAME_SCORE, score);
        if (json) {
            if (score) fputc(',', out);
            json_out_string(out, name);
            fputc(':', out);
        } else {
            fprintf(out, "  %s = ", name);
        }
        write_number(out, value, json);
        if (!json) fputc('\n', out);
    }
    if (json) fputc('}', out);
    return true;
}

static bool write_segments(jr_vm *vm, const jr_program *program, uint32_t contact, FILE *out, bool json,
                           jr_error *error)
{
    uint32_t count = jr_program_name_count(program, JR_NAME_SEGMENT);
    if (!json && count == 0) return true;
    fputs(json ? ",\"segments\":[" : "segments:\n", out);
    bool first = true;
    for (uint32_t segment = 0; segment < count; segment++) {
        bool member;
        if (jr_vm_contact_segment(vm, contact, segment, &member, error) != JR_OK) return false;
        const char *name = jr_program_name(program, JR_NAME_SEGMENT, segment);
        if (json) {
            if (!member) continue;
            if (!first) fputc(',', out);
            json_out_string(out, name);
            first = false;
        } else {
            fprintf(out, "  %s: %s\n", name, member ? "member" : "not a member");
        }
    }
    if (json) fputc(']', out);
    return true;
}

static bool write_contact(jr_vm *vm, const jr_program *program, uint32_t contact, FILE *out, bool json,
                          jr_error *error)
{
    const char *id = jr_vm_contact_id(vm, contact, NULL);
    if (!id) {
        if (error) *error = (jr_error){ .status = JR_ERROR_ARGUMENT };
        if (error) snprintf(error->message, sizeof error->message, "no contact %u", contact);
        return false;
    }
    char clock[25];
    jr_format_timestamp(jr_vm_clock(vm), clock);
    if (json) {
        fputs("{\"id\":", out);
        json_out_string(out, id);
        fprintf(out, ",\"clock\":\"%s\"", clock);
    } else {
        fprintf(out, "contact %s, as of %s\n", id, clock);
    }
    bool ok = write_journeys(vm, program, contact, out, json, error) &&
              write_attributes(vm, program, contact, out, json, error) &&
              write_scores(vm, program, contact, out, json, error) &&
              write_segments(vm, program, contact, out, json, error);
    if (json) fputc('}', out);
    return ok;
}

bool contact_view_json(jr_vm *vm, const jr_program *program, uint32_t contact, FILE *out, jr_error *error)
{
    return write_contact(vm, program, contact, out, true, error);
}

bool contact_view_text(jr_vm *vm, const jr_program *program, uint32_t contact, FILE *out, jr_error *error)
{
    return write_contact(vm, program, contact, out, false, error);
}
