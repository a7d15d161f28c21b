/* action_record.c: an action as the JSON object journey sim writes and journey run
 * delivers (spec/language.md 6.14 names the fields). */
#include "action_record.h"

#include "json_out.h"

static void write_field(FILE *out, const char *name, const char *value)
{
    if (!value) return;
    fprintf(out, ",\"%s\":", name);
    json_out_string(out, value);
}

void action_record_write(FILE *out, const jr_action *action)
{
    static const char *const kinds[] = { "send", "set", "audience", "emit", "track" };
    static const char *const outcomes[] = { "sent", "deferred", "suppressed" };
    char at[25];
    jr_format_timestamp(action->at, at);
    fprintf(out, "{\"type\":\"%s\",\"key\":", kinds[action->kind]);
    json_out_string(out, action->key);
    fprintf(out, ",\"at\":\"%s\"", at);
    write_field(out, "contact", action->contact_id);
    write_field(out, "journey", action->journey);
    write_field(out, "step", action->step);
    switch (action->kind) {
    case JR_ACTION_SEND:
        write_field(out, "message", action->message);
        write_field(out, "template", action->template_name);
        write_field(out, "channel", action->channel);
        fprintf(out, ",\"outcome\":\"%s\"", outcomes[action->outcome]);
        write_field(out, "reason", action->reason);
        break;
    case JR_ACTION_SET: write_field(out, "attribute", action->name); break;
    case JR_ACTION_AUDIENCE:
        write_field(out, "audience", action->name);
        fprintf(out, ",\"change\":\"%s\"", action->add ? "add" : "remove");
        break;
    case JR_ACTION_EMIT: write_field(out, "name", action->name); break;
    case JR_ACTION_TRACK: write_field(out, "event", action->name); break;
    }
    fprintf(out, ",\"payload\":%s}\n", action->payload_json);
}
