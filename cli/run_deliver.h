/* run_deliver.h: journey run's delivery thread. After each commit it is told to look;
 * it reads the actions that are due and not delivered (in the order they were made,
 * through a connection of its own that only reads), hands them to the sink, and
 * reports each outcome: delivered (only once the sink has made them durable), retry
 * later (backoff 1 s, 2 s, 4 s ... up to 5 minutes), or dead (rejected, or failing
 * max_attempts times: appended to the dead-letter file first). The loop, the state's
 * only writer, records the outcomes in its next batch's transaction; the thread waits
 * for that commit before its next round. spec/run.md section 6. */
#ifndef JOURNEY_RUN_DELIVER_H
#define JOURNEY_RUN_DELIVER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action_sink.h"
#include "run_state.h"

typedef struct run_delivery_options {
    const char *state_path;
    const char *target;            /* the sink: "-", a path, or an http(s) URL */
    action_sink_options sink;
    const char *dead_letter_path;
    uint32_t max_attempts;         /* 0: 8 */
} run_delivery_options;

typedef struct run_delivery run_delivery;

typedef struct delivery_counts {
    uint64_t delivered, retried, dead;
} delivery_counts;

/* Opens the sink and the connection and starts the thread, which calls wake(user) when
 * it has outcomes to record. NULL with message. */
run_delivery *run_delivery_start(const run_delivery_options *options, void (*wake)(void *user), void *user,
                                 char *message, size_t size);
/* Something was committed: look now. */
void run_delivery_notify(run_delivery *delivery);
/* Whether the thread has outcomes waiting to be recorded. */
bool run_delivery_has_report(run_delivery *delivery);
/* The loop, inside a transaction: records the outcomes the thread reported, if any.
 * False when the database refused (run_state_error says why). */
bool run_delivery_record(run_delivery *delivery, run_state *state);
/* The loop, once that transaction committed (or was rolled back: the actions will be
 * delivered again). */
void run_delivery_recorded(run_delivery *delivery, bool committed);
/* Stops the thread and frees everything, recording its last outcomes through state
 * (outside any transaction). With drain, it first delivers every action that is due,
 * waiting out retries (actions whose time has not come stay for the next run). False
 * with message when the thread or the recording failed. */
bool run_delivery_stop(run_delivery *delivery, bool drain, run_state *state, delivery_counts *counts, char *message,
                       size_t size);
/* Whether the thread stopped on an error (the runner then stops too). */
bool run_delivery_failed(run_delivery *delivery);

#endif
