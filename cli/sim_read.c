/* sim_read.c: the logs read for journey sim, with malformed lines and progress reported
 * on stderr (sim_read.h). */
#include "sim_read.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

typedef struct progress {
    bool shown;
    double started, last;
} progress;

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* At most four lines a second: events read, the rate, and for logs of known size how
 * far along and how long to go. */
static void progress_update(progress *p, const event_merge *merge, uint64_t events)
{
    double now = seconds_now();
    if (now - p->last < 0.25) return;
    p->last = now;
    uint64_t position, size;
    bool sized = event_merge_progress(merge, &position, &size);
    double elapsed = now - p->started, rate = elapsed > 0 ? (double)events / elapsed : 0;
    fprintf(stderr, "\r\033[K%.1fM events, %.2fM/s", (double)events / 1e6, rate / 1e6);
    if (sized && size > 0 && position <= size) {
        double done = (double)position / (double)size;
        fprintf(stderr, ", %.0f%%", 100 * done);
        if (done > 0.01) {
            double left = elapsed / done - elapsed;
            fprintf(stderr, ", %d:%02d left", (int)(left / 60), (int)left % 60);
        }
    }
    p->shown = true;
}

void sim_read(event_merge *merge, bool skip_bad, bool show_progress, sim_apply_fn apply, void *user,
              sim_reading *reading)
{
    *reading = (sim_reading){ 0, 0, INT64_MIN, INT64_MIN, merge == NULL };
    progress meter = { false, seconds_now(), 0 };
    while (!reading->stopped) {
        const jr_event *event;
        const char *path;
        jr_read_error problem;
        event_merge_status next = event_merge_next(merge, &event, &path, &problem);
        if (next == MERGE_END) break;
        if (next == MERGE_BAD_LINE) {
            reading->bad_lines++;
            fprintf(stderr, "%s:%" PRIu64 ": error: %s\n", path, problem.line, problem.message);
            if (!skip_bad) reading->stopped = true;
            continue;
        }
        if (next == MERGE_FAILED) {
            fprintf(stderr, "journey: %s: %s\n", path ? path : "?", problem.message);
            reading->stopped = true;
            continue;
        }
        if (event->timestamp > reading->last_event) reading->last_event = event->timestamp;
        if (reading->first_event == INT64_MIN) reading->first_event = event->timestamp;
        reading->events++;
        if (show_progress && (reading->events & 4095) == 0) progress_update(&meter, merge, reading->events);
        if (!apply(user, event, path)) reading->stopped = true;
    }
    if (meter.shown) fputs("\r\033[K", stderr);
}
