/* timers.c: the timer queue: a binary min-heap ordered by (due time, sequence), so
 * timers fire in due order and, at the same instant, in the order they were made.
 * O(log n) push and pop; millions pending cost 32 bytes each. */
#include <string.h>

#include "vm.h"

void jr_timers_init(jr_timers *timers, jr_allocator allocator)
{
    memset(timers, 0, sizeof *timers);
    timers->allocator = allocator;
}

void jr_timers_free(jr_timers *timers)
{
    timers->allocator.realloc(timers->allocator.user, timers->heap, 0);
    memset(timers, 0, sizeof *timers);
}

static bool earlier(const jr_timer *a, const jr_timer *b)
{
    return a->due < b->due || (a->due == b->due && a->sequence < b->sequence);
}

bool jr_timers_push(jr_timers *timers, int64_t due, uint32_t contact, uint32_t journey, uint32_t generation)
{
    if (timers->count == timers->capacity) {
        uint32_t capacity = timers->capacity ? timers->capacity * 2 : 1024;
        jr_timer *heap = timers->allocator.realloc(timers->allocator.user, timers->heap, sizeof *heap * capacity);
        if (!heap) return false;
        timers->heap = heap;
        timers->capacity = capacity;
    }
    jr_timer timer = { due, timers->next_sequence++, contact, journey, generation };
    uint32_t at = timers->count++;
    while (at > 0) {
        uint32_t parent = (at - 1) / 2;
        if (!earlier(&timer, &timers->heap[parent])) break;
        timers->heap[at] = timers->heap[parent];
        at = parent;
    }
    timers->heap[at] = timer;
    return true;
}

const jr_timer *jr_timers_peek(const jr_timers *timers) { return timers->count ? &timers->heap[0] : NULL; }

void jr_timers_pop(jr_timers *timers)
{
    if (!timers->count) return;
    jr_timer last = timers->heap[--timers->count];
    uint32_t at = 0, count = timers->count;
    for (;;) {
        uint32_t child = at * 2 + 1;
        if (child >= count) break;
        if (child + 1 < count && earlier(&timers->heap[child + 1], &timers->heap[child])) child++;
        if (!earlier(&timers->heap[child], &last)) break;
        timers->heap[at] = timers->heap[child];
        at = child;
    }
    if (count) timers->heap[at] = last;
}
