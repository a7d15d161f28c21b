/* run_deliver.c: the delivery thread of journey run (run_deliver.h). */
#include "run_deliver.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json_out.h"
#include "journey.h"
#include "run_clock.h"
#include "run_state.h"

enum {
    DELIVERY_ROUND = 256,          /* actions per round and per transaction */
    DELIVERY_IDLE_MS = 1000,       /* the longest sleep between looks */
    BACKOFF_FIRST_MS = 1000,
    BACKOFF_LONGEST_MS = 300000,
    DEFAULT_MAX_ATTEMPTS = 8,
};

typedef enum outcome { OUTCOME_NONE, OUTCOME_DELIVERED, OUTCOME_RETRY, OUTCOME_DEAD } outcome;

/* What became of one action in a round, for the loop to record. */
typedef struct delivery_report {
    int64_t seq;
    outcome outcome;
    uint32_t attempts;             /* counting this one */
    int64_t at, next_attempt;
    char reason[256];
} delivery_report;

struct run_delivery {
    run_delivery_options options;
    run_state *state;              /* read only */
    action_sink *sink;
    int dead_letters;              /* file descriptor, opened on the first dead letter */
    void (*wake_loop)(void *user);
    void *wake_user;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;           /* the thread waits: a commit, a notification, a stop */
    pthread_cond_t changed;        /* the stopping loop waits: reports, or the end */
    bool notified, stopping, draining, failed, finished;
    /* the round waiting to be recorded: reported, taken by the loop, answered */
    delivery_report *reports;
    uint32_t report_count;
    bool reported, taken;
    int answer;                    /* 0 none yet, 1 committed, -1 rolled back */
    delivery_counts counts;
    char error[512];
};

/* 1 s after the first failure, doubling, at most 5 minutes. */
static int64_t backoff_ms(uint32_t attempts)
{
    int64_t delay = BACKOFF_FIRST_MS;
    for (uint32_t i = 1; i < attempts && delay < BACKOFF_LONGEST_MS; i++) delay *= 2;
    return delay < BACKOFF_LONGEST_MS ? delay : BACKOFF_LONGEST_MS;
}

/* Appends {"key":...,"attempts":N,"error":...,"dead_at":...,"action":RECORD} and makes
 * it durable before the action is marked dead. */
static bool write_dead_letter(run_delivery *delivery, const pending_action *action, uint32_t attempts,
                              const char *error, int64_t now)
{
    if (delivery->dead_letters < 0) {
        delivery->dead_letters =
            open(delivery->options.dead_letter_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (delivery->dead_letters < 0) {
            snprintf(delivery->error, sizeof delivery->error, "%s: %s", delivery->options.dead_letter_path,
                     strerror(errno));
            return false;
        }
    }
    char *line = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&line, &length);
    if (!out) return false;
    char when[25];
    jr_format_timestamp(now, when);
    fputs("{\"key\":", out);
    json_out_string(out, action->key);
    fprintf(out, ",\"attempts\":%u,\"error\":", attempts);
    json_out_string(out, error);
    fprintf(out, ",\"dead_at\":\"%s\",\"action\":%s}\n", when, action->record);
    bool ok = fclose(out) == 0;
    for (size_t written = 0; ok && written < length;) {
        ssize_t count = write(delivery->dead_letters, line + written, length - written);
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) ok = false;
        else written += (size_t)count;
    }
    ok = ok && fdatasync(delivery->dead_letters) == 0;
    if (!ok) snprintf(delivery->error, sizeof delivery->error, "%s: %s", delivery->options.dead_letter_path, strerror(errno));
    free(line);
    return ok;
}

/* Hands the round's outcomes to the loop and waits until it recorded them: true once
 * committed, false when rolled back or when the runner stops without recording. */
static bool report_round(run_delivery *delivery, delivery_report *reports, uint32_t count)
{
    pthread_mutex_lock(&delivery->lock);
    delivery->reports = reports;
    delivery->report_count = count;
    delivery->reported = true;
    delivery->taken = false;
    delivery->answer = 0;
    pthread_cond_broadcast(&delivery->changed);
    pthread_mutex_unlock(&delivery->lock);
    delivery->wake_loop(delivery->wake_user);
    pthread_mutex_lock(&delivery->lock);
    while (delivery->answer == 0) pthread_cond_wait(&delivery->wake, &delivery->lock);
    bool committed = delivery->answer > 0;
    delivery->reported = false;
    delivery->reports = NULL;
    pthread_mutex_unlock(&delivery->lock);
    return committed;
}

/* One round: deliver what is due, write the dead letters, have the loop record every
 * outcome. Returns how many were due, or -1 on an error of the thread's own. */
static int deliver_round(run_delivery *delivery)
{
    int64_t now = run_clock_now_ms();
    pending_action *actions;
    uint32_t count;
    if (!run_state_due_actions(delivery->state, now, DELIVERY_ROUND, &actions, &count)) {
        snprintf(delivery->error, sizeof delivery->error, "%s", run_state_error(delivery->state));
        return -1;
    }
    if (count == 0) {
        free(actions);
        return 0;
    }
    delivery_report *reports = calloc(count, sizeof *reports);
    if (!reports) {
        run_state_free_pending(actions, count);
        snprintf(delivery->error, sizeof delivery->error, "out of memory");
        return -1;
    }
    uint32_t max_attempts = delivery->options.max_attempts ? delivery->options.max_attempts : DEFAULT_MAX_ATTEMPTS;
    for (uint32_t i = 0; i < count; i++) {
        delivery_report *report = &reports[i];
        report->seq = actions[i].seq;
        report->attempts = actions[i].attempts + 1;
        report->at = now;
        sink_result result = action_sink_deliver(delivery->sink, actions[i].key, actions[i].record,
                                                 actions[i].length, report->reason, sizeof report->reason);
        if (result == SINK_DELIVERED) {
            report->outcome = OUTCOME_DELIVERED;
        } else if (result == SINK_REJECTED || report->attempts >= max_attempts) {
            report->outcome = OUTCOME_DEAD;
        } else {
            /* The target is failing: the rest of the round waits for the next one. */
            report->outcome = OUTCOME_RETRY;
            report->next_attempt = now + backoff_ms(report->attempts);
            break;
        }
    }
    char flush_error[256] = "";
    if (!action_sink_flush(delivery->sink, flush_error, sizeof flush_error)) {
        /* The sink dropped what it had not made durable: those go again. */
        for (uint32_t i = 0; i < count; i++) {
            delivery_report *report = &reports[i];
            if (report->outcome != OUTCOME_DELIVERED) continue;
            report->outcome = report->attempts >= max_attempts ? OUTCOME_DEAD : OUTCOME_RETRY;
            report->next_attempt = now + backoff_ms(report->attempts);
            snprintf(report->reason, sizeof report->reason, "%s", flush_error);
        }
    }
    bool ok = true;
    for (uint32_t i = 0; ok && i < count; i++)
        if (reports[i].outcome == OUTCOME_DEAD)
            ok = write_dead_letter(delivery, &actions[i], reports[i].attempts, reports[i].reason, now);
    if (ok && report_round(delivery, reports, count)) {
        for (uint32_t i = 0; i < count; i++) {
            if (reports[i].outcome == OUTCOME_DELIVERED) delivery->counts.delivered++;
            else if (reports[i].outcome == OUTCOME_RETRY) delivery->counts.retried++;
            else if (reports[i].outcome == OUTCOME_DEAD) delivery->counts.dead++;
        }
    }
    free(reports);
    run_state_free_pending(actions, count);
    return ok ? (int)count : -1;
}

bool run_delivery_has_report(run_delivery *delivery)
{
    pthread_mutex_lock(&delivery->lock);
    bool waiting = delivery->reported && !delivery->taken;
    pthread_mutex_unlock(&delivery->lock);
    return waiting;
}

bool run_delivery_record(run_delivery *delivery, run_state *state)
{
    pthread_mutex_lock(&delivery->lock);
    bool waiting = delivery->reported && !delivery->taken;
    if (waiting) delivery->taken = true;
    pthread_mutex_unlock(&delivery->lock);
    if (!waiting) return true;
    /* The thread waits for the answer, so the reports stay put while they are read. */
    bool ok = true;
    for (uint32_t i = 0; ok && i < delivery->report_count; i++) {
        const delivery_report *report = &delivery->reports[i];
        switch (report->outcome) {
        case OUTCOME_NONE: break;
        case OUTCOME_DELIVERED: ok = run_state_mark_delivered(state, report->seq, report->at); break;
        case OUTCOME_RETRY:
            ok = run_state_mark_retry(state, report->seq, report->attempts, report->next_attempt, report->reason);
            break;
        case OUTCOME_DEAD: ok = run_state_mark_dead(state, report->seq, report->attempts, report->at, report->reason); break;
        }
    }
    return ok;
}

void run_delivery_recorded(run_delivery *delivery, bool committed)
{
    pthread_mutex_lock(&delivery->lock);
    if (delivery->reported && delivery->taken && delivery->answer == 0) {
        delivery->answer = committed ? 1 : -1;
        pthread_cond_broadcast(&delivery->wake);
    }
    pthread_mutex_unlock(&delivery->lock);
}

static void sleep_until_notified(run_delivery *delivery, int milliseconds)
{
    struct timespec deadline = run_clock_deadline(milliseconds);
    pthread_mutex_lock(&delivery->lock);
    if (!delivery->notified && !delivery->stopping) pthread_cond_timedwait(&delivery->wake, &delivery->lock, &deadline);
    delivery->notified = false;
    pthread_mutex_unlock(&delivery->lock);
}

static void *delivery_thread(void *user)
{
    run_delivery *delivery = user;
    for (;;) {
        pthread_mutex_lock(&delivery->lock);
        bool stopping = delivery->stopping, draining = delivery->draining;
        delivery->notified = false;
        pthread_mutex_unlock(&delivery->lock);
        if (stopping && !draining) break;

        int delivered = deliver_round(delivery);
        if (delivered < 0) {
            delivery->failed = true;
            break;
        }
        if (delivered == DELIVERY_ROUND) continue; /* more may be waiting */

        int64_t now = run_clock_now_ms(), next = 0, undelivered = 0, due = 0;
        bool found = false;
        if (!run_state_next_due(delivery->state, &next, &found) ||
            !run_state_undelivered(delivery->state, now, &undelivered, &due)) {
            snprintf(delivery->error, sizeof delivery->error, "%s", run_state_error(delivery->state));
            delivery->failed = true;
            break;
        }
        /* Draining ends when nothing due is left (actions whose time has not come
         * stay for the next run). */
        if (stopping && due == 0) break;
        int wait = DELIVERY_IDLE_MS;
        if (found && next - now < wait) wait = next - now > 0 ? (int)(next - now) : 0;
        if (wait > 0) sleep_until_notified(delivery, wait);
    }
    pthread_mutex_lock(&delivery->lock);
    delivery->finished = true;
    pthread_cond_broadcast(&delivery->changed);
    pthread_mutex_unlock(&delivery->lock);
    return NULL;
}

run_delivery *run_delivery_start(const run_delivery_options *options, void (*wake)(void *user), void *user,
                                 char *message, size_t size)
{
    run_delivery *delivery = calloc(1, sizeof *delivery);
    if (!delivery) {
        snprintf(message, size, "out of memory");
        return NULL;
    }
    delivery->options = *options;
    delivery->dead_letters = -1;
    delivery->wake_loop = wake;
    delivery->wake_user = user;
    delivery->state = run_state_open(options->state_path, false, message, size);
    if (!delivery->state) {
        free(delivery);
        return NULL;
    }
    if (!action_sink_open(options->target, &options->sink, &delivery->sink, message, size)) {
        run_state_close(delivery->state);
        free(delivery);
        return NULL;
    }
    pthread_mutex_init(&delivery->lock, NULL);
    run_clock_condition_init(&delivery->wake);
    pthread_cond_init(&delivery->changed, NULL);
    if (pthread_create(&delivery->thread, NULL, delivery_thread, delivery) != 0) {
        snprintf(message, size, "cannot start the delivery thread");
        action_sink_close(delivery->sink);
        run_state_close(delivery->state);
        free(delivery);
        return NULL;
    }
    return delivery;
}

void run_delivery_notify(run_delivery *delivery)
{
    pthread_mutex_lock(&delivery->lock);
    delivery->notified = true;
    pthread_cond_signal(&delivery->wake);
    pthread_mutex_unlock(&delivery->lock);
}

bool run_delivery_failed(run_delivery *delivery) { return __atomic_load_n(&delivery->failed, __ATOMIC_ACQUIRE); }

bool run_delivery_stop(run_delivery *delivery, bool drain, run_state *state, delivery_counts *counts, char *message,
                       size_t size)
{
    pthread_mutex_lock(&delivery->lock);
    delivery->stopping = true;
    delivery->draining = drain;
    pthread_cond_broadcast(&delivery->wake);
    /* The loop is gone: record the thread's outcomes here until it ends. */
    bool recorded = true;
    while (!delivery->finished) {
        if (delivery->reported && !delivery->taken) {
            pthread_mutex_unlock(&delivery->lock);
            bool ok = run_state_begin(state) && run_delivery_record(delivery, state) && run_state_commit(state);
            if (!ok) {
                if (recorded) snprintf(message, size, "%s", run_state_error(state));
                recorded = false;
                run_state_rollback(state);
            }
            run_delivery_recorded(delivery, ok);
            pthread_mutex_lock(&delivery->lock);
            continue;
        }
        pthread_cond_wait(&delivery->changed, &delivery->lock);
    }
    pthread_mutex_unlock(&delivery->lock);
    pthread_join(delivery->thread, NULL);
    bool ok = !delivery->failed && recorded;
    if (delivery->failed) snprintf(message, size, "%s", delivery->error);
    if (counts) *counts = delivery->counts;
    action_sink_close(delivery->sink);
    run_state_close(delivery->state);
    if (delivery->dead_letters >= 0) close(delivery->dead_letters);
    pthread_cond_destroy(&delivery->changed);
    pthread_cond_destroy(&delivery->wake);
    pthread_mutex_destroy(&delivery->lock);
    free(delivery);
    return ok;
}
