/* action_log.h: the actions a VM produced during one test, kept so that expectations
 * can match them (each action matches at most one expectation) and failures can show
 * what a contact got. */
#ifndef JOURNEY_ACTION_LOG_H
#define JOURNEY_ACTION_LOG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journey.h"

typedef struct logged_action {
    jr_action_kind kind;
    const char *contact;
    const char *journey;
    const char *step;         /* the step label, or NULL */
    const char *name;         /* send: the message; set: the attribute; audience: the audience;
                                 emit: its name; track: the event */
    const char *channel;      /* send */
    jr_send_outcome outcome;  /* send */
    const char *reason;       /* send: why deferred or suppressed, or NULL */
    bool add;                 /* audience */
    const char *payload_json;
    int64_t at;               /* when it takes effect */
    int64_t decided_at;       /* the VM's clock when it was made */
    uint32_t matched_line;    /* the line of the expectation that matched it; 0: none yet */
    char *texts;              /* holds the strings above */
} logged_action;

typedef struct action_log {
    logged_action *items; /* in the order the VM made them */
    uint32_t count, capacity;
    const jr_vm *vm;      /* whose clock dates the actions */
    bool out_of_memory;
} action_log;

/* A jr_action_fn: pass the log as jr_config.action_user, and set log->vm once the VM
 * exists. Copies what it keeps. */
void action_log_record(void *log, const jr_action *action);
void action_log_free(action_log *log);

/* One line about an action for a person: `send welcome (email)`, `set plan = "pro"`,
 * `audience add "vip"`, `emit crm_task {"kind":"call"}`, `track lead_qualified {...}`. */
void action_log_describe(const logged_action *action, char *out, size_t size);

#endif
