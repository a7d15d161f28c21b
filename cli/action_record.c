/* action_record.c: an action as the JSON object journey sim writes and journey run
 * delivers (spec/language.md 6.14 names the fields). */
#include "action_record.h"

#include "json_out.h"

/* fputs, not fprintf: every action of journey sim is written here. */
static void write_field(FILE *out, const char *name, const char *value)
{
    if (!value) return;
    fputs(",\"", out);
    fputs(name, out);
    fputs("\":", out);
    json_out_string(out, value);
}

void action_record_write(FILE *out, const jr_action *action)
{
    static const char *const kinds[] = { "send", "set", "audience", "emit", "track" };
    static const char *const outcomes[] = { "sent", "deferred", "suppressed" };
    char at[25];
    jr_format_timestamp(action->at, at);
    fputs("{\"type\":\"", out);
    fputs(kinds[action->kind], out);
    fputs("\",\"key\":", out);
    json_out_string(out, action->key);
    fputs(",\"at\":\"", out);
    fputs(at, out);
    fputc('"', out);
    write_field(out, "contact", action->contact_id);
    write_field(out, "journey", action->journey);
    write_field(out, "step", action->step);
    switch (action->kind) {
    case JR_ACTION_SEND:
        write_field(out, "message", action->message);
        write_field(out, "template", action->template_name);
        write_field(out, "channel", action->channel);
        fputs(",\"outcome\":\"", out);
        fputs(outcomes[action->outcome], out);
        fputc('"', out);
        write_field(out, "reason", action->reason);
        break;
    case JR_ACTION_SET: write_field(out, "attribute", action->name); break;
    case JR_ACTION_AUDIENCE:
        write_field(out, "audience", action->name);
        fputs(action->add ? ",\"change\":\"add\"" : ",\"change\":\"remove\"", out);
        break;
    case JR_ACTION_EMIT: write_field(out, "name", action->name); break;
    case JR_ACTION_TRACK: write_field(out, "event", action->name); break;
    }
    fputs(",\"payload\":", out);
    fputs(action->payload_json, out);
    fputs("}\n", out);
}
