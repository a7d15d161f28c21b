/* action_log.c: the actions of one test (action_log.h). */
#include "action_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The strings of an action are copied into one block (logged_action.texts). */
static char *copy_into(char **cursor, const char *text)
{
    if (!text) return NULL;
    size_t length = strlen(text) + 1;
    char *copy = *cursor;
    memcpy(copy, text, length);
    *cursor += length;
    return copy;
}

void action_log_record(void *user, const jr_action *action)
{
    action_log *log = user;
    if (log->out_of_memory) return;
    if (log->count == log->capacity) {
        uint32_t capacity = log->capacity ? log->capacity * 2 : 32;
        logged_action *grown = realloc(log->items, sizeof *grown * capacity);
        if (!grown) {
            log->out_of_memory = true;
            return;
        }
        log->items = grown;
        log->capacity = capacity;
    }
    const char *name = action->kind == JR_ACTION_SEND ? action->message : action->name;
    const char *texts[] = { action->contact_id, action->journey, action->step, name, action->channel,
                            action->reason, action->payload_json };
    size_t size = 0;
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        if (texts[i]) size += strlen(texts[i]) + 1;
    char *block = malloc(size ? size : 1);
    if (!block) {
        log->out_of_memory = true;
        return;
    }
    char *cursor = block;
    logged_action *item = &log->items[log->count++];
    *item = (logged_action){
        .kind = action->kind,
        .contact = copy_into(&cursor, action->contact_id),
        .journey = copy_into(&cursor, action->journey),
        .step = copy_into(&cursor, action->step),
        .name = copy_into(&cursor, name),
        .channel = copy_into(&cursor, action->channel),
        .outcome = action->outcome,
        .reason = copy_into(&cursor, action->reason && action->reason[0] ? action->reason : NULL),
        .add = action->add,
        .payload_json = copy_into(&cursor, action->payload_json),
        .at = action->at,
        .decided_at = log->vm ? jr_vm_clock(log->vm) : action->at,
        .texts = block,
    };
}

void action_log_free(action_log *log)
{
    for (uint32_t i = 0; i < log->count; i++) free(log->items[i].texts);
    free(log->items);
    *log = (action_log){ 0 };
}

void action_log_describe(const logged_action *action, char *out, size_t size)
{
    const char *name = action->name ? action->name : "?";
    const char *payload = action->payload_json && strcmp(action->payload_json, "{}") != 0 ? action->payload_json : "";
    switch (action->kind) {
    case JR_ACTION_SEND:
        snprintf(out, size, "send %s (%s)", name, action->channel ? action->channel : "?");
        break;
    case JR_ACTION_SET: {
        /* the payload is {"value":V} */
        const char *value = action->payload_json ? strchr(action->payload_json, ':') : NULL;
        size_t length = value ? strlen(value + 1) : 0;
        if (length) length--; /* the closing brace */
        snprintf(out, size, "set %s = %.*s", name, (int)length, value ? value + 1 : "");
        break;
    }
    case JR_ACTION_AUDIENCE: snprintf(out, size, "audience %s \"%s\"", action->add ? "add" : "remove", name); break;
    case JR_ACTION_EMIT: snprintf(out, size, "emit %s%s%s", name, payload[0] ? " " : "", payload); break;
    case JR_ACTION_TRACK: snprintf(out, size, "track %s%s%s", name, payload[0] ? " " : "", payload); break;
    }
}
